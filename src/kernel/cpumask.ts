/**
 * struct cpumask operations (include/linux/cpumask.h). A mask is an array
 * of 32-bit words in the state; the bit operations that Linux does with
 * atomic bitops (set/clear/test_and_*) are one step each.
 */
import type { BuiltinFn, Vm } from '../machine/index.js';
import { ViolationKind } from '../machine/index.js';
import { arg, readSlot, validCpu, writeSlot } from './memory.js';

function words(vm: Vm): number {
  return Math.ceil(vm.layout.cpus / 32);
}

function testBit(vm: Vm, mask: number, cpu: number): number {
  return (readSlot(vm, mask + (cpu >> 5)) >>> (cpu & 31)) & 1;
}

/** Next set bit after n (n = -1 for the first), or nr_cpu_ids. */
function nextBit(vm: Vm, mask: number, n: number, want: number): number {
  const nr = vm.layout.cpus;
  for (let cpu = n + 1; cpu < nr; cpu++) {
    if (testBit(vm, mask, cpu) === want) return cpu;
    if (vm.violation !== 0) return nr;
  }
  return nr;
}

function weight(vm: Vm, mask: number): number {
  let n = 0;
  for (let cpu = 0; cpu < vm.layout.cpus; cpu++) n += testBit(vm, mask, cpu);
  return n;
}

function updateBit(set: boolean, result: 'none' | 'old'): BuiltinFn {
  return (vm, base) => {
    const cpu = arg(vm, base, 0);
    const mask = arg(vm, base, 1);
    if (!validCpu(vm, cpu)) return 0;
    const addr = mask + (cpu >> 5);
    const word = readSlot(vm, addr);
    if (vm.violation !== 0) return 0;
    const bit = 1 << (cpu & 31);
    writeSlot(vm, addr, set ? word | bit : word & ~bit);
    return result === 'old' ? ((word & bit) !== 0 ? 1 : 0) : 0;
  };
}

/** dst = f(a, b) word by word over the CPUs that exist. */
function combine(f: (a: number, b: number) => number, returnsNonEmpty: boolean): BuiltinFn {
  return (vm, base) => {
    const dst = arg(vm, base, 0);
    const a = arg(vm, base, 1);
    const b = arg(vm, base, 2);
    let any = 0;
    for (let w = 0; w < words(vm); w++) {
      const valid = validBits(vm, w);
      const r = f(readSlot(vm, a + w), readSlot(vm, b + w)) & valid;
      if (vm.violation !== 0) return 0;
      writeSlot(vm, dst + w, r);
      any |= r;
    }
    return returnsNonEmpty ? (any !== 0 ? 1 : 0) : 0;
  };
}

function validBits(vm: Vm, w: number): number {
  const n = vm.layout.cpus - w * 32;
  return n >= 32 ? -1 : (1 << n) - 1;
}

function compareMasks(f: (a: number, b: number) => boolean, all: boolean): BuiltinFn {
  return (vm, base) => {
    const a = arg(vm, base, 0);
    const b = arg(vm, base, 1);
    for (let w = 0; w < words(vm); w++) {
      const valid = validBits(vm, w);
      const hit = f(readSlot(vm, a + w) & valid, readSlot(vm, b + w) & valid);
      if (all && !hit) return 0;
      if (!all && hit) return 1;
    }
    return all ? 1 : 0;
  };
}

export const CPUMASK_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  cpumask_test_cpu: (vm, base) => {
    const cpu = arg(vm, base, 0);
    return validCpu(vm, cpu) ? testBit(vm, arg(vm, base, 1), cpu) : 0;
  },
  cpumask_set_cpu: updateBit(true, 'none'),
  cpumask_clear_cpu: updateBit(false, 'none'),
  cpumask_test_and_set_cpu: updateBit(true, 'old'),
  cpumask_test_and_clear_cpu: updateBit(false, 'old'),
  cpumask_first: (vm, base) => nextBit(vm, arg(vm, base, 0), -1, 1),
  cpumask_any: (vm, base) => nextBit(vm, arg(vm, base, 0), -1, 1),
  cpumask_first_zero: (vm, base) => nextBit(vm, arg(vm, base, 0), -1, 0),
  cpumask_next: (vm, base) => nextBit(vm, arg(vm, base, 1), arg(vm, base, 0), 1),
  cpumask_last: (vm, base) => {
    const mask = arg(vm, base, 0);
    for (let cpu = vm.layout.cpus - 1; cpu >= 0; cpu--) if (testBit(vm, mask, cpu)) return cpu;
    return vm.layout.cpus;
  },
  cpumask_empty: (vm, base) => (weight(vm, arg(vm, base, 0)) === 0 ? 1 : 0),
  cpumask_full: (vm, base) => (weight(vm, arg(vm, base, 0)) === vm.layout.cpus ? 1 : 0),
  cpumask_weight: (vm, base) => weight(vm, arg(vm, base, 0)),
  cpumask_clear: (vm, base) => {
    for (let w = 0; w < words(vm); w++) writeSlot(vm, arg(vm, base, 0) + w, 0);
    return 0;
  },
  cpumask_setall: (vm, base) => {
    for (let w = 0; w < words(vm); w++) writeSlot(vm, arg(vm, base, 0) + w, validBits(vm, w));
    return 0;
  },
  cpumask_copy: (vm, base) => {
    for (let w = 0; w < words(vm); w++) writeSlot(vm, arg(vm, base, 0) + w, readSlot(vm, arg(vm, base, 1) + w));
    return 0;
  },
  cpumask_and: combine((a, b) => a & b, true),
  cpumask_or: combine((a, b) => a | b, false),
  cpumask_andnot: combine((a, b) => a & ~b, true),
  cpumask_equal: compareMasks((a, b) => a === b, true),
  cpumask_subset: compareMasks((a, b) => (a & ~b) === 0, true),
  cpumask_intersects: compareMasks((a, b) => (a & b) !== 0, false),
};

