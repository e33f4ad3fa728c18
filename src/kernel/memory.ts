/**
 * Arguments of builtins: memory they take pointers to (atomic_t *, struct
 * cpumask *), checked like a model access and visible unless the object is
 * read-only; CPU numbers.
 */
import type { Vm } from '../machine/index.js';
import { ViolationKind } from '../machine/index.js';

/** Reads one slot at `addr`; 0 after a fault (the caller returns at once). */
export function readSlot(vm: Vm, addr: number): number {
  if (!vm.checkAddress(addr, 1, vm.pc)) return 0;
  if (addr < vm.layout.readOnlyBase || addr >= vm.layout.readOnlyEnd) vm.read(addr, 1);
  return vm.state[addr] as number;
}

/** Writes one slot at `addr`. */
export function writeSlot(vm: Vm, addr: number, value: number): void {
  if (!vm.checkAddress(addr, 1, vm.pc)) return;
  vm.write(addr, 1);
  vm.state[addr] = value | 0;
}

/** Argument i of the current builtin call. */
export function arg(vm: Vm, base: number, i: number): number {
  return vm.ops[base + i] as number;
}

/** Checks a CPU number argument, as cpumask_check() does; faults on a bad one. */
export function validCpu(vm: Vm, cpu: number): boolean {
  if (cpu >= 0 && cpu < vm.layout.cpus && cpu === Math.floor(cpu)) return true;
  vm.fault(ViolationKind.OUT_OF_BOUNDS, vm.pc, `CPU number ${cpu} is outside 0..${vm.layout.cpus - 1}`);
  return false;
}
