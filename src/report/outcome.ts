/**
 * The result of checking one configuration, as every report format reads it.
 */
import type { LimitKind, SearchStats } from '../check/index.js';
import type { ModelConfig } from '../compile/index.js';
import type { Violation } from '../machine/index.js';

export type VerdictName = 'verified' | 'violation' | 'incomplete' | 'error';

/** A violation as reported: the machine's explanation plus its replay token. */
export interface ReportedViolation extends Violation {
  readonly replay: string;
}

export interface CheckOutcome {
  readonly file: string;
  readonly config: ModelConfig;
  readonly verdict: VerdictName;
  /** The violation first (if any), then warnings, each with its shortest trace. */
  readonly violations: readonly ReportedViolation[];
  readonly stats: SearchStats;
  /** Why an incomplete search stopped. */
  readonly limit: LimitKind | null;
  /** Options that change what counts as a violation, for the header. */
  readonly strict: boolean;
  /** Whether symmetry reduction was used, with the sentence saying so or why not; null when it was off. */
  readonly symmetry?: { readonly reduced: boolean; readonly note: string; readonly trivial?: boolean } | null;
  /** Why partial-order reduction, asked for, did not run (null or absent: it ran, or was turned off). */
  readonly partialOrderNote?: string | null;
}
