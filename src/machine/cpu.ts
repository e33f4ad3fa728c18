/**
 * CPU-level hardware actions on the state: SMT topology, NMI latching and
 * delivery (SDM 6.7.1: NMIs are blocked from delivery until the next IRET;
 * one more is latched), external NMIs, and starting task work on an idle CPU.
 *
 * Hot: delivery runs for every NMI transition; allocates nothing.
 */
import { Cpu, CpuFlag, Env, ENV_BASE, Frame, FrameKind, NEST_FIELD_MASK, NEST_NMI_SHIFT, type Program } from '../compile/index.js';
import type { Vm } from './vm.js';
import { ViolationKind } from './violation.js';

const NMI_PENDING = CpuFlag.NMI_PENDING_MODEL | CpuFlag.NMI_PENDING_EXTERNAL;

/** The first thread of CPU c's core. */
export function primaryOf(c: number, smt: number): number {
  return c - (c % smt);
}

/** Whether a pending NMI can be taken at this boundary (not during an MSR access, a microcode update included). */
export function nmiDeliverable(flags: number, msrInFlight: number): boolean {
  return (flags & NMI_PENDING) !== 0 && (flags & (CpuFlag.NMI_BLOCKED | CpuFlag.TRAP_PENDING)) === 0 && msrInFlight === 0;
}

/** Whether CPU c has nothing to do: idle, no work queued, no NMI to take. */
export function cpuQuiet(s: Int32Array, cb: number): boolean {
  const flags = s[cb + Cpu.FLAGS] as number;
  return (flags & CpuFlag.IDLE) !== 0 && (s[cb + Cpu.WORK] as number) === 0 && (flags & NMI_PENDING) === 0;
}

/**
 * Through an interrupt gate (SDM 6.12.1): an interrupt frame saving the
 * interrupted pc, frame and IF, then a call of the kernel entry `entryFn`
 * with `arg`, IF cleared and the context's nesting counted. The caller
 * updates what is particular to its kind (NMI blocking, IRR/ISR). Returns
 * false (a stack-overflow violation) if the frames do not fit.
 */
export function enterInterruptGate(vm: Vm, s: Int32Array, c: number, kind: number, entryFn: number, arg: number, nestShift: number): boolean {
  const p: Program = vm.program;
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  const entry = p.functions[entryFn];
  if (entry === undefined) throw new Error('irqcheck bug: no interrupt entry');
  const frame = s[cb + Cpu.SP] as number;
  const handler = frame + Frame.HEADER;
  if (handler + entry.frameSlots > cb + p.layout.cpuSlots) {
    vm.state = s;
    vm.fault(ViolationKind.STACK_OVERFLOW, s[cb + Cpu.PC] as number, `an interrupt overflows CPU${c}'s stack`);
    return false;
  }
  const flags = s[cb + Cpu.FLAGS] as number;
  vm.writes.add(frame, handler + entry.frameSlots);
  vm.writes.add(cb + Cpu.PC, cb + Cpu.NEST + 1);
  s[frame + Frame.FN] = -kind;
  s[frame + Frame.RET_PC] = s[cb + Cpu.PC] as number;
  s[frame + Frame.PREV_FP] = s[cb + Cpu.FP] as number;
  s[frame + Frame.AUX] = flags & (CpuFlag.IF | CpuFlag.IDLE);
  s[handler + Frame.FN] = entry.index + 1;
  s[handler + Frame.RET_PC] = p.entries.iretPc;
  s[handler + Frame.PREV_FP] = frame;
  s[handler + Frame.AUX] = 0;
  const param = entry.params[0];
  if (param !== undefined) s[handler + param.offset] = arg;
  s[cb + Cpu.FLAGS] = flags & ~(CpuFlag.IF | CpuFlag.IDLE);
  s[cb + Cpu.NEST] = (s[cb + Cpu.NEST] as number) + (1 << nestShift);
  s[cb + Cpu.FP] = handler;
  s[cb + Cpu.SP] = handler + entry.frameSlots;
  s[cb + Cpu.PC] = entry.entry;
  return true;
}

/**
 * Enters the NMI handler on CPU c, with `from_model` set when only
 * model-sent NMIs are pending (an external one claims an otherwise
 * unclaimed NMI). NMIs stay blocked until IRET. Returns false on a violation.
 */
export function deliverNmi(vm: Vm, s: Int32Array, c: number): boolean {
  const p: Program = vm.program;
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  const flags = s[cb + Cpu.FLAGS] as number;
  if (((s[cb + Cpu.NEST] as number) & NEST_FIELD_MASK) !== 0) {
    // An IRET inside the NMI handler (a #BP's) unblocked NMIs: this one lands on top of the first.
    vm.state = s;
    vm.fault(ViolationKind.NESTED_NMI, s[cb + Cpu.PC] as number, `an NMI entered CPU${c} while its NMI handler was still running (an IRET inside the handler had unblocked NMIs)`);
    return false;
  }
  const fromModel = (flags & CpuFlag.NMI_PENDING_EXTERNAL) === 0 ? 1 : 0;
  if (!enterInterruptGate(vm, s, c, FrameKind.NMI, p.entries.nmiEntry, fromModel, NEST_NMI_SHIFT)) return false;
  vm.writes.add(cb + Cpu.FLAGS, cb + Cpu.FLAGS + 1);
  s[cb + Cpu.FLAGS] = ((s[cb + Cpu.FLAGS] as number) & ~NMI_PENDING) | CpuFlag.NMI_BLOCKED;
  return true;
}

/** An NMI from outside the model arrives at CPU c: taken now if it can be, else latched. */
export function arriveExternalNmi(vm: Vm, s: Int32Array, c: number): boolean {
  const p = vm.program;
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  vm.writes.add(ENV_BASE + Env.NMIS_LEFT, ENV_BASE + Env.NMIS_LEFT + 1);
  vm.writes.add(cb + Cpu.FLAGS, cb + Cpu.FLAGS + 1);
  s[ENV_BASE + Env.NMIS_LEFT] = (s[ENV_BASE + Env.NMIS_LEFT] as number) - 1;
  s[cb + Cpu.FLAGS] = (s[cb + Cpu.FLAGS] as number) | CpuFlag.NMI_PENDING_EXTERNAL;
  if (!nmiDeliverable(s[cb + Cpu.FLAGS] as number, s[cb + Cpu.MSR] as number)) return true;
  return deliverNmi(vm, s, c);
}

/** An idle CPU starts the task work it was woken for (a stopper thread). */
export function startWork(vm: Vm, s: Int32Array, c: number): void {
  const p = vm.program;
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  const fn = p.functions[(s[cb + Cpu.WORK] as number) - 1];
  if (fn === undefined) throw new Error('irqcheck bug: bad work function');
  const frame = s[cb + Cpu.SP] as number;
  vm.writes.add(frame, frame + Frame.HEADER);
  vm.writes.add(cb + Cpu.PC, cb + Cpu.WORK + 1);
  s[frame + Frame.FN] = fn.index + 1;
  s[frame + Frame.RET_PC] = p.entries.taskExitPc;
  s[frame + Frame.PREV_FP] = 0;
  s[frame + Frame.AUX] = 0;
  s[cb + Cpu.WORK] = 0;
  s[cb + Cpu.FLAGS] = (s[cb + Cpu.FLAGS] as number) & ~CpuFlag.IDLE;
  s[cb + Cpu.FP] = frame;
  s[cb + Cpu.SP] = frame + fn.frameSlots;
  s[cb + Cpu.PC] = fn.entry;
}
