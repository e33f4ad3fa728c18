/**
 * kernel: the Linux API a model may call — the prelude header (types,
 * constants, macros, and the parts written in C: stop_machine, the NMI
 * handler chain, MSR wrappers) and the semantics of the builtins (atomics,
 * cpumasks, IRQ flags, checks, printk, hardware primitives).
 *
 * Takes: the machine's `Vm` to act on. Gives: the prelude source and hooks
 * for lang/compile, the builtin table and boot state for the machine. Must
 * not know: the search or how results are reported.
 */
import type { KernelHooks } from '../compile/index.js';
import { ATOMIC_FUNCTIONS, DEVICE_TAG, IRQ_ENTRY, TEXT_SITE_TAG, VECTOR_SOURCES, NMI_ENTRY, PRELUDE_FILE, PRELUDE_SOURCE, READ_ONLY_GLOBALS } from './prelude.js';

export { kernelBuiltins } from './builtin-table.js';
export { writeBootState } from './boot.js';
export { PRELUDE_FILE, PRELUDE_SOURCE } from './prelude.js';
export { formatPrintk } from './printk.js';

/** What compile must know of the prelude. */
export const KERNEL_HOOKS: KernelHooks = {
  readOnlyGlobals: READ_ONLY_GLOBALS,
  atomicFunctions: ATOMIC_FUNCTIONS,
  nmiEntry: NMI_ENTRY,
  irqEntry: IRQ_ENTRY,
  deviceTag: DEVICE_TAG,
  textSiteTag: TEXT_SITE_TAG,
  vectorSources: VECTOR_SOURCES,
  kernelFiles: new Set([PRELUDE_FILE]),
};

/** The prelude as lang takes it. */
export const KERNEL_PRELUDE: readonly { readonly name: string; readonly text: string }[] = [{ name: PRELUDE_FILE, text: PRELUDE_SOURCE }];
