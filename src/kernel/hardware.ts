/**
 * Machine primitives the kernel prelude builds on: MSR accesses and the
 * microcode update, NMIs sent by the model (self-NMI, NMI IPI), the unknown
 * NMI check, and waking an idle CPU to run task work (stopper threads).
 */
import { APIC_VECTOR_WORDS, Cpu, CpuFlag, FN_PTR_TAG, MsrAccess, NEST_FIELD_MASK, NEST_NMI_SHIFT, TAG_MASK } from '../compile/index.js';
import type { BuiltinFn, Vm } from '../machine/index.js';
import { beginMsrAccess, coreUpdated, endMsrAccess, MSR_IA32_UCODE_REV, MSR_IA32_UCODE_WRITE, requestVector, ViolationKind, writingBuiltin } from '../machine/index.js';
import { arg, validCpu } from './memory.js';

/** enum ucode_state values (v5.19). */
const UCODE_OK = 0;
const UCODE_UPDATED = 2;

/** The register base of CPU `cpu`, or -1 after a fault for a bad number. */
function targetCpu(vm: Vm, cpu: number): number {
  return validCpu(vm, cpu) ? vm.layout.cpuBase0 + cpu * vm.layout.cpuSlots : -1;
}

export const HARDWARE_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  // An access in flight is the CPU's own MSR slots, which its siblings read: a write (or a fault).
  __irqcheck_msr_begin: writingBuiltin((vm, base) => {
    const msr = arg(vm, base, 0) >>> 0;
    const write = arg(vm, base, 1) !== 0;
    beginMsrAccess(vm, msr, write && msr === MSR_IA32_UCODE_WRITE ? MsrAccess.UCODE_UPDATE : write ? MsrAccess.WRITE : MsrAccess.READ);
    return 0;
  }),
  __irqcheck_msr_end: (vm) => endMsrAccess(vm),
  // apply_microcode_local(): the update on a core not yet updated, else the revision check.
  __irqcheck_ucode_begin: writingBuiltin((vm) => {
    if (coreUpdated(vm)) beginMsrAccess(vm, MSR_IA32_UCODE_REV, MsrAccess.READ);
    else beginMsrAccess(vm, MSR_IA32_UCODE_WRITE, MsrAccess.UCODE_UPDATE);
    return 0;
  }),
  __irqcheck_ucode_end: (vm) => {
    const wasUpdate = (vm.state[vm.cpuBase + Cpu.MSR_KIND] as number) === MsrAccess.UCODE_UPDATE;
    endMsrAccess(vm);
    return wasUpdate ? UCODE_UPDATED : UCODE_OK;
  },
  __irqcheck_send_nmi: (vm, base) => {
    const tb = targetCpu(vm, arg(vm, base, 0));
    if (tb < 0) return 0;
    vm.state[tb + Cpu.FLAGS] = (vm.state[tb + Cpu.FLAGS] as number) | CpuFlag.NMI_PENDING_MODEL;
    vm.write(tb + Cpu.FLAGS, 1);
    return 0;
  },
  __irqcheck_send_vector: (vm, base) => {
    const tb = targetCpu(vm, arg(vm, base, 0));
    const vector = arg(vm, base, 1);
    if (tb < 0) return 0;
    if (vector < 0x10 || vector > 0xff) {
      vm.fault(ViolationKind.OUT_OF_BOUNDS, vm.pc, `IPI with vector ${vector}, outside 0x10..0xff`);
      return 0;
    }
    requestVector(vm.writes, vm.state, tb, vector);
    vm.write(tb + Cpu.IRR, APIC_VECTOR_WORDS);
    return 0;
  },
  __irqcheck_unknown_nmi: (vm) => {
    vm.fault(ViolationKind.UNKNOWN_NMI, vm.pc, `CPU${vm.cpu} took an NMI sent by the model that no NMI_LOCAL handler claimed ("Uhhuh. NMI received for unknown reason")`);
    return 0;
  },
  __irqcheck_nmis_in_flight: (vm) => {
    let n = 0;
    for (let c = 0; c < vm.layout.cpus; c++) {
      if (c === vm.cpu) continue;
      const at = vm.layout.cpuBase0 + c * vm.layout.cpuSlots + Cpu.NEST;
      vm.read(at, 1);
      if (((vm.state[at] as number) >> NEST_NMI_SHIFT) & NEST_FIELD_MASK) n++;
    }
    return n;
  },
  __irqcheck_wake: (vm, base) => {
    const tb = targetCpu(vm, arg(vm, base, 0));
    const fn = arg(vm, base, 1);
    if (tb < 0) return 0;
    if ((fn & FN_PTR_TAG) === 0) throw new Error('irqcheck bug: wake without a function');
    vm.state[tb + Cpu.WORK] = (fn & TAG_MASK) + 1;
    vm.write(tb + Cpu.WORK, 1);
    return 0;
  },
};
