/**
 * The kinds of violation the machine detects, as numeric codes for the hot
 * path and as the names users see in reports and `--json`.
 */

/** Numeric violation kinds (the hot path records these). */
export const ViolationKind = {
  ASSERTION: 1,
  WARNING: 2,
  DEADLOCK: 3,
  TIMEOUT: 4,
  MSR_DURING_MICROCODE_UPDATE: 5,
  UNKNOWN_NMI: 6,
  OUT_OF_BOUNDS: 7,
  NULL_DEREFERENCE: 8,
  DIVISION_BY_ZERO: 9,
  STACK_OVERFLOW: 10,
  LOST_INTERRUPT: 11,
  SPURIOUS_INTERRUPT: 12,
  SPURIOUS_HANDLER: 13,
  TORN_INSTRUCTION: 14,
  UNHANDLED_BREAKPOINT: 15,
  NESTED_NMI: 16,
  USE_AFTER_RETURN: 17,
  USE_AFTER_FREE: 18,
  DOUBLE_FREE: 19,
} as const;

export type ViolationKindCode = (typeof ViolationKind)[keyof typeof ViolationKind];

/** The names of violation kinds as users see them (`--json` `kind`). */
export type ViolationKindName =
  | 'assertion'
  | 'warning'
  | 'deadlock'
  | 'timeout'
  | 'msr-during-microcode-update'
  | 'unknown-nmi'
  | 'out-of-bounds'
  | 'null-dereference'
  | 'division-by-zero'
  | 'stack-overflow'
  | 'lost-interrupt'
  | 'spurious-interrupt'
  | 'spurious-handler'
  | 'torn-instruction'
  | 'unhandled-breakpoint'
  | 'nested-nmi'
  | 'use-after-return'
  | 'use-after-free'
  | 'double-free';

const NAMES: Readonly<Record<number, ViolationKindName>> = {
  [ViolationKind.ASSERTION]: 'assertion',
  [ViolationKind.WARNING]: 'warning',
  [ViolationKind.DEADLOCK]: 'deadlock',
  [ViolationKind.TIMEOUT]: 'timeout',
  [ViolationKind.MSR_DURING_MICROCODE_UPDATE]: 'msr-during-microcode-update',
  [ViolationKind.UNKNOWN_NMI]: 'unknown-nmi',
  [ViolationKind.OUT_OF_BOUNDS]: 'out-of-bounds',
  [ViolationKind.NULL_DEREFERENCE]: 'null-dereference',
  [ViolationKind.DIVISION_BY_ZERO]: 'division-by-zero',
  [ViolationKind.STACK_OVERFLOW]: 'stack-overflow',
  [ViolationKind.LOST_INTERRUPT]: 'lost-interrupt',
  [ViolationKind.SPURIOUS_INTERRUPT]: 'spurious-interrupt',
  [ViolationKind.SPURIOUS_HANDLER]: 'spurious-handler',
  [ViolationKind.TORN_INSTRUCTION]: 'torn-instruction',
  [ViolationKind.UNHANDLED_BREAKPOINT]: 'unhandled-breakpoint',
  [ViolationKind.NESTED_NMI]: 'nested-nmi',
  [ViolationKind.USE_AFTER_RETURN]: 'use-after-return',
  [ViolationKind.USE_AFTER_FREE]: 'use-after-free',
  [ViolationKind.DOUBLE_FREE]: 'double-free',
};

/** Kinds that are warnings unless --strict: Linux accepts them (WARN_ON, spurious interrupts). */
export function isWarningKind(kind: number): boolean {
  return kind === ViolationKind.WARNING || kind === ViolationKind.SPURIOUS_INTERRUPT || kind === ViolationKind.SPURIOUS_HANDLER;
}

export function violationKindName(code: number): ViolationKindName {
  const name = NAMES[code];
  if (name === undefined) throw new Error(`irqcheck bug: violation code ${code}`);
  return name;
}

/**
 * A finding's code for the search: the kind, and for warnings the site, so
 * that each distinct WARN_ON keeps its own first trace.
 */
export function findingCode(kind: number, site: number): number {
  return isWarningKind(kind) ? ((site + 1) << 5) | kind : kind;
}

export function kindOfFinding(code: number): number {
  return code & 31;
}
