/**
 * Hints shared by several diagnostics, worded once so the same mistake is
 * explained the same way wherever it is caught.
 */

/** For a name used like a macro (`for_each_foo(...) { ... }`) that was never defined. */
export function unknownMacroHint(name: string): string {
  return `is \`${name}(...)\` a macro irqcheck does not know? define it with #define`;
}

/** For floating-point constants and types. */
export const FLOAT_HINT = 'irqcheck models integer kernel code; the kernel itself avoids floating point';

/** For inline assembly in any form. */
export const ASM_HINT =
  'inline assembly is not modelled; use the kernel API (wrmsrl, apply_microcode_local, ...) or a plain C model of what the asm does';
