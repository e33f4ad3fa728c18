/**
 * The one interface every search strategy implements, and the options they
 * share. A strategy is a file (`bfs.ts`, `dfs.ts`, later `random.ts`); what
 * cuts across them (limits, progress, interruption, warnings) lives in
 * `search-monitor.ts` and `warning-log.ts`, which every strategy consults
 * the same way, never as a branch on the strategy.
 */
import type { Progress, SearchLimits, SearchResult, TransitionSystem } from './transition-system.js';

/** Options of one search; every field is optional. */
export interface ExploreOptions {
  /** Bounds on the search; a missing bound is unlimited (see `NO_LIMITS`). */
  readonly limits?: Partial<SearchLimits>;
  /**
   * Called with a fresh `Progress` at most once per `progressIntervalMs`,
   * from inside the search (synchronously). Never called on searches
   * shorter than one interval.
   */
  readonly onProgress?: (progress: Progress) => void;
  /** Minimum time between two `onProgress` calls, in ms (default 250). */
  readonly progressIntervalMs?: number;
  /**
   * Polled every few thousand states (with the clock); returning true ends
   * the search as `incomplete` with limit `interrupted` (Ctrl-C).
   */
  readonly shouldStop?: () => boolean;
  /**
   * Whether warnings are recorded (default true): the first path found to
   * each distinct warning code is kept and the search goes on. When false,
   * warnings are ignored and no path is rebuilt for them. Either way a
   * warning never changes the verdict.
   */
  readonly collectWarnings?: boolean;
  /**
   * Breadth-first search only: states deeper than this are not stored
   * (their violations are still seen on the transitions that reach them).
   * A search for a path shorter than one already known.
   */
  readonly maxDepth?: number;
  /**
   * Checks the system's write log (`WriteLog`) against a full comparison
   * of every successor with its parent, and throws on a miss: for tests,
   * which run every example this way. Slower.
   */
  readonly verifyWrites?: boolean;
}

/**
 * A search strategy over a `TransitionSystem`. `explore` runs synchronously
 * to a `SearchResult` (a value: reaching a limit is `incomplete`, not an
 * exception). Each call owns its tables and buffers; an `Explorer` keeps no
 * state between calls.
 */
export interface Explorer {
  /** Short name for the command line and benchmarks, e.g. `bfs`. */
  readonly name: string;
  explore(system: TransitionSystem, options?: ExploreOptions): SearchResult;
}

/**
 * How a worker thread builds its own copy of a system, since a
 * `TransitionSystem` (its buffers, its closures) cannot cross threads: the
 * worker imports the ES module at `moduleUrl` and calls its export
 * `exportName` with a structured clone of `argument`; the export returns the
 * system or a promise of it. Every copy must behave identically (same
 * states, same transition ids).
 */
export interface SystemFactory {
  /** A `file:` URL (or any URL `import()` accepts) of a JavaScript module. */
  readonly moduleUrl: string;
  readonly exportName: string;
  /** Anything the structured clone algorithm copies (no functions). */
  readonly argument: unknown;
}

/**
 * A search strategy that runs on several threads, each with its own system
 * built from a `SystemFactory`. Same options, same `SearchResult` as an
 * `Explorer`; `onProgress` and `shouldStop` are called on the calling thread,
 * whose event loop stays free while the workers search.
 */
export interface ParallelExplorer {
  readonly name: string;
  explore(factory: SystemFactory, options?: ExploreOptions): Promise<SearchResult>;
}

/** No bound at all: every limit infinite. */
export const NO_LIMITS: SearchLimits = Object.freeze({
  maxStates: Infinity,
  maxMemoryBytes: Infinity,
  timeLimitMs: Infinity,
});
