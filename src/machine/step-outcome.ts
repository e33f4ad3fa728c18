/**
 * What a step reports (shared by the interpreter, vm.ts, and the compiled
 * steps, step-compiler.ts).
 */
import type { Vm } from './vm.js';

/** Bits of a step's outcome. */
export const StepFlag = {
  /** Read memory another CPU may write. */
  READ: 1,
  /** Changed shared memory, or this CPU's hardware state. */
  WRITE: 2,
  /** A violation happened; `vm.violation` says which. */
  VIOLATION: 4,
  /** A non-fatal warning happened; `vm.warning` says which. */
  WARNING: 8,
  /** The step spent time: a delay or cpu_relax() (what makes a loop a countdown). */
  DELAY: 16,
  /** Changed only this CPU's own state no other CPU reads (IF, exception nesting, its view of the text). */
  OWN_WRITE: 32,
} as const;

/**
 * A kernel builtin: reads its `argc` arguments from `vm.ops[base..]`,
 * returns its result. `alwaysWrites`: every call writes shared state
 * (`Vm.write`) or faults, whatever its arguments, so a step that reaches
 * it is never a wait (waiting.ts counts on it).
 */
export type BuiltinFn = ((vm: Vm, base: number, argc: number) => number) & { readonly alwaysWrites?: true };

/** `fn`, marked as a builtin that writes shared state (or faults) on every call. */
export function writingBuiltin(fn: (vm: Vm, base: number, argc: number) => number): BuiltinFn {
  return Object.assign(fn, { alwaysWrites: true as const });
}

/** Statements a step may run without doing anything visible before it is cut (a local loop). */
export const STEP_STATEMENT_BUDGET = 10_000;
