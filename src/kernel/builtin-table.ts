/**
 * The semantics of every builtin of compile's catalog, indexed by its id.
 * A catalog entry without semantics here is an irqcheck bug, caught at load.
 */
import { BUILTINS } from '../compile/index.js';
import type { BuiltinFn } from '../machine/index.js';
import { APIC_BUILTINS } from './apic.js';
import { ATOMIC_BUILTINS } from './atomic.js';
import { CHECK_BUILTINS } from './checks.js';
import { CPU_BUILTINS } from './cpu-state.js';
import { CPUMASK_BUILTINS } from './cpumask.js';
import { HARDWARE_BUILTINS } from './hardware.js';
import { HEAP_BUILTINS } from './heap.js';
import { PATCHING_BUILTINS } from './patching.js';
import { PRINTK_BUILTINS } from './printk.js';

const ALL: Readonly<Record<string, BuiltinFn>> = {
  ...APIC_BUILTINS,
  ...ATOMIC_BUILTINS,
  ...CHECK_BUILTINS,
  ...CPU_BUILTINS,
  ...CPUMASK_BUILTINS,
  ...HARDWARE_BUILTINS,
  ...HEAP_BUILTINS,
  ...PATCHING_BUILTINS,
  ...PRINTK_BUILTINS,
};

/** The builtin table the machine dispatches BUILTIN instructions through. */
export function kernelBuiltins(): BuiltinFn[] {
  return BUILTINS.map((spec) => {
    const fn = ALL[spec.name];
    if (fn === undefined) throw new Error(`irqcheck bug: builtin ${spec.name} has no semantics`);
    return fn;
  });
}
