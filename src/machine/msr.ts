/**
 * MSR accesses with a begin and an end, and the late microcode update
 * (WRMSR 0x79): while one thread of a core updates it, no other thread of the
 * core may have an MSR access in flight (the seeds: a sibling executing a
 * patched instruction mid-update). The update is atomic with respect to NMIs
 * on the issuing thread (see `nmiDeliverable`).
 */
import { Cpu, CpuFlag, MsrAccess } from '../compile/index.js';
import { primaryOf } from './cpu.js';
import type { Vm } from './vm.js';
import { ViolationKind } from './violation.js';

export const MSR_IA32_UCODE_WRITE = 0x79;
export const MSR_IA32_UCODE_REV = 0x8b;

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Begins an access by the stepping CPU; `kind` is a MsrAccess. */
export function beginMsrAccess(vm: Vm, msr: number, kind: number): void {
  const s = vm.state;
  const c = vm.cpu;
  const cb = vm.cpuBase;
  const L = vm.layout;
  const smt = vm.program.config.smt;
  const first = primaryOf(c, smt);
  vm.write(cb + Cpu.FLAGS, 3); // FLAGS, MSR, MSR_KIND
  for (let t = first; t < first + smt && t < L.cpus; t++) {
    if (t === c) continue;
    const tb = L.cpuBase0 + t * L.cpuSlots;
    vm.touch(tb + Cpu.FLAGS, 3, false);
    const tf = s[tb + Cpu.FLAGS] as number;
    if (kind === MsrAccess.UCODE_UPDATE && (s[tb + Cpu.MSR] as number) !== 0) {
      vm.fault(ViolationKind.MSR_DURING_MICROCODE_UPDATE, vm.pc,
        `CPU${c} began a microcode update while CPU${t}, a thread of the same core, had ${describe(s[tb + Cpu.MSR_KIND] as number, (s[tb + Cpu.MSR] as number) - 1)} in flight`);
      return;
    }
    if (kind !== MsrAccess.UCODE_UPDATE && (tf & CpuFlag.UCODE_UPDATING) !== 0) {
      vm.fault(ViolationKind.MSR_DURING_MICROCODE_UPDATE, vm.pc,
        `CPU${c} began ${describe(kind, msr)} while CPU${t}, a thread of the same core, was applying a microcode update`);
      return;
    }
  }
  s[cb + Cpu.MSR] = msr + 1;
  s[cb + Cpu.MSR_KIND] = kind;
  if (kind === MsrAccess.UCODE_UPDATE) s[cb + Cpu.FLAGS] = (s[cb + Cpu.FLAGS] as number) | CpuFlag.UCODE_UPDATING;
}

/** Ends the stepping CPU's access; returns the value read (a model of the MSR's contents). */
export function endMsrAccess(vm: Vm): number {
  const s = vm.state;
  const cb = vm.cpuBase;
  const msr = (s[cb + Cpu.MSR] as number) - 1;
  const kind = s[cb + Cpu.MSR_KIND] as number;
  if (msr < 0) throw new Error('irqcheck bug: MSR end without a begin');
  vm.write(cb + Cpu.FLAGS, 3); // FLAGS, MSR, MSR_KIND
  s[cb + Cpu.MSR] = 0;
  s[cb + Cpu.MSR_KIND] = 0;
  const primary = vm.layout.cpuBase0 + primaryOf(vm.cpu, vm.program.config.smt) * vm.layout.cpuSlots;
  vm.touch(primary + Cpu.FLAGS, 1, kind === MsrAccess.UCODE_UPDATE);
  if (kind === MsrAccess.UCODE_UPDATE) {
    s[cb + Cpu.FLAGS] = (s[cb + Cpu.FLAGS] as number) & ~CpuFlag.UCODE_UPDATING;
    s[primary + Cpu.FLAGS] = (s[primary + Cpu.FLAGS] as number) | CpuFlag.UCODE_DONE;
    return 0;
  }
  if (msr === MSR_IA32_UCODE_REV) return ((s[primary + Cpu.FLAGS] as number) & CpuFlag.UCODE_DONE) !== 0 ? 2 : 1;
  return 0;
}

/** Whether the stepping CPU's core has already been updated. */
export function coreUpdated(vm: Vm): boolean {
  const primary = vm.layout.cpuBase0 + primaryOf(vm.cpu, vm.program.config.smt) * vm.layout.cpuSlots;
  vm.touch(primary + Cpu.FLAGS, 1, false);
  return ((vm.state[primary + Cpu.FLAGS] as number) & CpuFlag.UCODE_DONE) !== 0;
}

export function describe(kind: number, msr: number): string {
  if (kind === MsrAccess.UCODE_UPDATE) return 'a microcode update (WRMSR 0x79)';
  return `${kind === MsrAccess.WRITE ? 'WRMSR' : 'RDMSR'} ${hex(msr)}`;
}
