/**
 * MSR accesses with a begin and an end, and the late microcode update
 * (WRMSR 0x79): while one thread of a core updates it, no other thread of the
 * core may have an MSR access in flight (the seeds: a sibling executing a
 * patched instruction mid-update). The update is atomic with respect to NMIs
 * on the issuing thread (see `nmiDeliverable`).
 */
import { Cpu, MsrAccess } from '../compile/index.js';
import { primaryOf } from './cpu.js';
import type { Vm } from './vm.js';
import { ViolationKind } from './violation.js';

export const MSR_IA32_UCODE_WRITE = 0x79;
export const MSR_IA32_UCODE_REV = 0x8b;

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Begins an access by the stepping CPU; `kind` is a MsrAccess. A thread
 * updates microcode while its access in flight is of kind UCODE_UPDATE: the
 * checks read the other threads' MSR and MSR_KIND slots, nothing else of
 * theirs, so their interrupt flags changing is independent of the check.
 */
export function beginMsrAccess(vm: Vm, msr: number, kind: number): void {
  const s = vm.state;
  const c = vm.cpu;
  const cb = vm.cpuBase;
  const L = vm.layout;
  const smt = vm.program.config.smt;
  const first = primaryOf(c, smt);
  vm.write(cb + Cpu.MSR, 2); // MSR, MSR_KIND
  for (let t = first; t < first + smt && t < L.cpus; t++) {
    if (t === c) continue;
    const tb = L.cpuBase0 + t * L.cpuSlots;
    if (kind === MsrAccess.UCODE_UPDATE) {
      vm.touch(tb + Cpu.MSR, 2, false);
      if ((s[tb + Cpu.MSR] as number) !== 0) {
        vm.fault(ViolationKind.MSR_DURING_MICROCODE_UPDATE, vm.pc,
          `CPU${c} began a microcode update while CPU${t}, a thread of the same core, had ${describe(s[tb + Cpu.MSR_KIND] as number, (s[tb + Cpu.MSR] as number) - 1)} in flight`);
        return;
      }
    } else {
      vm.touch(tb + Cpu.MSR_KIND, 1, false);
      if ((s[tb + Cpu.MSR_KIND] as number) === MsrAccess.UCODE_UPDATE) {
        vm.fault(ViolationKind.MSR_DURING_MICROCODE_UPDATE, vm.pc,
          `CPU${c} began ${describe(kind, msr)} while CPU${t}, a thread of the same core, was applying a microcode update`);
        return;
      }
    }
  }
  s[cb + Cpu.MSR] = msr + 1;
  s[cb + Cpu.MSR_KIND] = kind;
}

/** Ends the stepping CPU's access; returns the value read (a model of the MSR's contents). */
export function endMsrAccess(vm: Vm): number {
  const s = vm.state;
  const cb = vm.cpuBase;
  const msr = (s[cb + Cpu.MSR] as number) - 1;
  const kind = s[cb + Cpu.MSR_KIND] as number;
  if (msr < 0) throw new Error('irqcheck bug: MSR end without a begin');
  vm.write(cb + Cpu.MSR, 2); // MSR, MSR_KIND
  s[cb + Cpu.MSR] = 0;
  s[cb + Cpu.MSR_KIND] = 0;
  const updated = vm.layout.cpuBase0 + primaryOf(vm.cpu, vm.program.config.smt) * vm.layout.cpuSlots + Cpu.CORE_UPDATED;
  if (kind === MsrAccess.UCODE_UPDATE) {
    vm.write(updated, 1);
    s[updated] = 1;
    return 0;
  }
  if (msr === MSR_IA32_UCODE_REV) {
    vm.touch(updated, 1, false);
    return (s[updated] as number) !== 0 ? 2 : 1;
  }
  return 0;
}

/** Whether the stepping CPU's core has already been updated. */
export function coreUpdated(vm: Vm): boolean {
  const updated = vm.layout.cpuBase0 + primaryOf(vm.cpu, vm.program.config.smt) * vm.layout.cpuSlots + Cpu.CORE_UPDATED;
  vm.touch(updated, 1, false);
  return (vm.state[updated] as number) !== 0;
}

/** Whether CPU `cb`'s registers show a microcode update in flight. */
export function updatingMicrocode(s: Int32Array, cb: number): boolean {
  return (s[cb + Cpu.MSR_KIND] as number) === MsrAccess.UCODE_UPDATE;
}

export function describe(kind: number, msr: number): string {
  if (kind === MsrAccess.UCODE_UPDATE) return 'a microcode update (WRMSR 0x79)';
  return `${kind === MsrAccess.WRITE ? 'WRMSR' : 'RDMSR'} ${hex(msr)}`;
}
