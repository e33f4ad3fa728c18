/**
 * MSR accesses with a begin and an end, and the late microcode update
 * (WRMSR 0x79): while one thread of a core updates it, no other thread of the
 * core may have an MSR access in flight (the seeds: a sibling executing a
 * patched instruction mid-update). The update is atomic with respect to NMIs
 * on the issuing thread (see `nmiDeliverable`).
 */
import { Cpu, MsrAccess, UcodeFlag } from '../compile/index.js';
import { primaryOf } from './cpu.js';
import type { Vm } from './vm.js';
import { ViolationKind } from './violation.js';

export const MSR_IA32_UCODE_WRITE = 0x79;
export const MSR_IA32_UCODE_REV = 0x8b;

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Begins an access by the stepping CPU; `kind` is a MsrAccess. The checks
 * read of the other threads of the core what only matters to them: for an
 * update, their MSR access in flight; for any other access, whether they
 * are updating (`Cpu.UCODE`, written by updates alone), so that two RDMSRs
 * on sibling threads do not depend on each other.
 */
export function beginMsrAccess(vm: Vm, msr: number, kind: number): void {
  const s = vm.state;
  const c = vm.cpu;
  const cb = vm.cpuBase;
  const L = vm.layout;
  const smt = vm.program.config.smt;
  const first = primaryOf(c, smt);
  const update = kind === MsrAccess.UCODE_UPDATE;
  for (let t = first; t < first + smt && t < L.cpus; t++) {
    if (t === c) continue;
    const tb = L.cpuBase0 + t * L.cpuSlots;
    if (update) {
      vm.touch(tb + Cpu.MSR, 2, false);
      if ((s[tb + Cpu.MSR] as number) !== 0) {
        vm.fault(ViolationKind.MSR_DURING_MICROCODE_UPDATE, vm.pc,
          `CPU${c} began a microcode update while CPU${t}, a thread of the same core, had ${describe(s[tb + Cpu.MSR_KIND] as number, (s[tb + Cpu.MSR] as number) - 1)} in flight`);
        return;
      }
    } else {
      vm.touch(tb + Cpu.UCODE, 1, false);
      if (((s[tb + Cpu.UCODE] as number) & UcodeFlag.UPDATING) !== 0) {
        vm.fault(ViolationKind.MSR_DURING_MICROCODE_UPDATE, vm.pc,
          `CPU${c} began ${describe(kind, msr)} while CPU${t}, a thread of the same core, was applying a microcode update`);
        return;
      }
    }
  }
  vm.write(cb + Cpu.MSR, 2); // MSR, MSR_KIND
  s[cb + Cpu.MSR] = msr + 1;
  s[cb + Cpu.MSR_KIND] = kind;
  if (update) {
    vm.write(cb + Cpu.UCODE, 1);
    s[cb + Cpu.UCODE] = (s[cb + Cpu.UCODE] as number) | UcodeFlag.UPDATING;
  }
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
  const core = primaryUcode(vm);
  if (kind === MsrAccess.UCODE_UPDATE) {
    vm.write(cb + Cpu.UCODE, 1);
    s[cb + Cpu.UCODE] = (s[cb + Cpu.UCODE] as number) & ~UcodeFlag.UPDATING;
    vm.write(core, 1);
    s[core] = (s[core] as number) | UcodeFlag.CORE_UPDATED;
    return 0;
  }
  if (msr === MSR_IA32_UCODE_REV) {
    vm.touch(core, 1, false);
    return ((s[core] as number) & UcodeFlag.CORE_UPDATED) !== 0 ? 2 : 1;
  }
  return 0;
}

/** Whether the stepping CPU's core has already been updated. */
export function coreUpdated(vm: Vm): boolean {
  const core = primaryUcode(vm);
  vm.touch(core, 1, false);
  return ((vm.state[core] as number) & UcodeFlag.CORE_UPDATED) !== 0;
}

/** The address of the UCODE slot of the stepping CPU's core's first thread. */
function primaryUcode(vm: Vm): number {
  return vm.layout.cpuBase0 + primaryOf(vm.cpu, vm.program.config.smt) * vm.layout.cpuSlots + Cpu.UCODE;
}

/** Whether CPU `cb`'s registers show a microcode update in flight. */
export function updatingMicrocode(s: Int32Array, cb: number): boolean {
  return ((s[cb + Cpu.UCODE] as number) & UcodeFlag.UPDATING) !== 0;
}

export function describe(kind: number, msr: number): string {
  if (kind === MsrAccess.UCODE_UPDATE) return 'a microcode update (WRMSR 0x79)';
  return `${kind === MsrAccess.WRITE ? 'WRMSR' : 'RDMSR'} ${hex(msr)}`;
}
