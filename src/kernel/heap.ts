/**
 * kmalloc/kfree over a small heap of fixed blocks in the state: a block is
 * in use or free; an access to a free block is a use after free, freeing a
 * free block a double free. Freed blocks are zeroed, so states stay canonical.
 */
import type { BuiltinFn } from '../machine/index.js';
import { HEAP_OBJECTS, HEAP_SLOTS, ViolationKind } from '../machine/index.js';
import { arg } from './memory.js';

export const HEAP_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  // kmalloc(size, flags): the first free block; NULL if none is free or the size is too large.
  __irqcheck_kmalloc: (vm, base) => {
    const size = arg(vm, base, 0);
    const heap = arg(vm, base, 1);
    const used = arg(vm, base, 2);
    vm.write(used, HEAP_OBJECTS);
    // A slot holds at least one byte of any C object, so `size` bytes need at most `size` slots.
    if (size > HEAP_SLOTS * 4) return 0;
    for (let b = 0; b < HEAP_OBJECTS; b++) {
      if ((vm.state[used + b] as number) !== 0) continue;
      vm.state[used + b] = 1;
      return heap + b * HEAP_SLOTS;
    }
    return 0;
  },
  __irqcheck_kfree: (vm, base) => {
    const p = arg(vm, base, 0);
    const heap = arg(vm, base, 1);
    const used = arg(vm, base, 2);
    if (p === 0) return 0;
    vm.write(used, HEAP_OBJECTS);
    const offset = p - heap;
    const block = Math.floor(offset / HEAP_SLOTS);
    if (offset < 0 || block >= HEAP_OBJECTS || offset % HEAP_SLOTS !== 0) {
      vm.fault(ViolationKind.OUT_OF_BOUNDS, vm.pc, 'kfree() of a pointer kmalloc() did not return');
      return 0;
    }
    if ((vm.state[used + block] as number) === 0) {
      vm.fault(ViolationKind.DOUBLE_FREE, vm.pc, `kfree() of heap object ${block}, which is already free`);
      return 0;
    }
    vm.state[used + block] = 0;
    vm.touch(p, HEAP_SLOTS, true);
    vm.state.fill(0, p, p + HEAP_SLOTS);
    return 0;
  },
};
