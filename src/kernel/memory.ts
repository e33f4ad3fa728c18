/**
 * Memory access for builtins that take pointers (atomic_t *, struct cpumask *):
 * checked like a model access, visible unless the object is read-only.
 */
import type { Vm } from '../machine/index.js';

/** Reads one slot at `addr`; 0 after a fault (the caller returns at once). */
export function readSlot(vm: Vm, addr: number): number {
  if (!vm.checkAddress(addr, 1, vm.pc)) return 0;
  if (addr < vm.layout.readOnlyBase || addr >= vm.layout.readOnlyEnd) vm.read();
  return vm.state[addr] as number;
}

/** Writes one slot at `addr`. */
export function writeSlot(vm: Vm, addr: number, value: number): void {
  if (!vm.checkAddress(addr, 1, vm.pc)) return;
  vm.write();
  vm.state[addr] = value | 0;
}

/** Argument i of the current builtin call. */
export function arg(vm: Vm, base: number, i: number): number {
  return vm.ops[base + i] as number;
}
