/**
 * Findings as the search records them: the first path found to each distinct
 * warning code (under BFS, a shortest one), in the order they were found.
 * Rare path: a `Finding` and its path are built only for a new code; asking
 * whether a code is wanted allocates nothing.
 */
import type { Finding } from './transition-system.js';

/**
 * A `Finding` for `code` reached by `pathToState` (the transitions from the
 * initial state to the state being expanded, owned by the finding from now
 * on) and then `transition` (-1 when the finding is about that state itself).
 */
export function findingAt(code: number, pathToState: number[], transition: number): Finding {
  if (transition >= 0) pathToState.push(transition);
  return { code, path: pathToState, transition };
}

/** Keeps the first `Finding` of each warning code. */
export class WarningLog {
  private readonly found = new Map<number, Finding>();
  private readonly enabled: boolean;

  /** `enabled` false makes `wants` always false (warnings ignored). */
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  /** True if a warning with `code` should be recorded (enabled, code not seen yet). */
  wants(code: number): boolean {
    return this.enabled && !this.found.has(code);
  }

  /** Records `finding` unless its code already has one. */
  record(finding: Finding): void {
    if (!this.found.has(finding.code)) this.found.set(finding.code, finding);
  }

  /** The recorded findings in the order found. Allocates the array. */
  list(): Finding[] {
    return Array.from(this.found.values());
  }
}
