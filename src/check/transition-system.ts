/**
 * What the search sees of a model: flat integer states and numbered
 * transitions. Nothing here knows of CPUs or interrupts; the machine
 * implements this interface and the explorers drive it.
 */

/** Receives the successors of one state, written into a buffer the system owns. */
export interface SuccessorSink {
  /**
   * One successor. `state` is only valid during the call (the system reuses
   * it); `transition` is the system's stable id of the transition taken.
   * Returns false to ask the system to stop expanding this state.
   */
  successor(state: Int32Array, transition: number): boolean;
  /**
   * The transition `transition` from the state being expanded reached a
   * violation (an assertion failed, a deadlock was found, ...). `code`
   * identifies it to the system (see `TransitionSystem.describe`). A
   * violation with transition -1 is a property of the expanded state itself.
   * Returns false to stop expanding.
   */
  violation(transition: number, code: number): boolean;
  /**
   * Like `violation` but not fatal: the search goes on (a WARN_ON without
   * --strict). The explorer keeps the first (shortest, under BFS) path to
   * each distinct `code`.
   */
  warning(transition: number, code: number): void;
  /**
   * Optional short cut, before a successor is written out: the successor
   * by `transition` is the state being expanded with `runs` runs of words
   * replaced, given from `patch[at]` as [start, end, the end − start new
   * words] each, no position in two runs. Returns true if the sink has it
   * already and needs nothing more of it: the transition is then taken as
   * handed on (and counted). False: hand it on through `successor`.
   */
  storedAlready?(transition: number, patch: Int32Array, at: number, runs: number): boolean;
}

/** A model as a transition system over `Int32Array` states of fixed length. */
export interface TransitionSystem {
  /** Length of every state vector, in 32-bit slots. */
  readonly stateSlots: number;
  /** Writes the initial state into `out` (length `stateSlots`). */
  writeInitialState(out: Int32Array): void;
  /**
   * Calls `sink` once per enabled transition of `state` (and for any
   * violation it detects), in a deterministic order. Must not modify `state`.
   * Hot: allocates nothing.
   */
  expand(state: Int32Array, sink: SuccessorSink): void;
  /**
   * Re-applies `transition` to `state` in place, as `expand` would have
   * produced it; returns false if the transition is not enabled there.
   * Used to rebuild traces; may allocate.
   */
  apply(state: Int32Array, transition: number): boolean;
  /**
   * Partial-order reduction, when the system offers it (absent: every
   * state is expanded fully). See `PartialOrderReduction`.
   */
  readonly reduction?: PartialOrderReduction;
  /**
   * Symmetry reduction, when the system has one (absent: states are stored
   * as they are). See `StateSymmetry`.
   */
  readonly symmetry?: StateSymmetry;
  /**
   * A budget of environment events, when the system has one. See
   * `EventBudget`.
   */
  readonly budget?: EventBudget;
  /**
   * Where the successor being handed to a sink was written, when the system
   * keeps track (absent: it never does). See `WriteLog`.
   */
  readonly writes?: WriteLog;
  /**
   * Transitions recalled from the expansion of a state's parent instead of
   * computed again, for a search that expands its states in the order it
   * queued them, without reductions (absent: not offered). See
   * `TransitionRecall`.
   */
  readonly recall?: TransitionRecall;
}

/**
 * A system that can hand a state's successors on partly from what it
 * recorded while expanding the state's parent. The explorer keeps
 * `entrySlots` words with each queued state: `writeEntry` fills them while
 * the state is handed to `SuccessorSink.successor` (or, for the initial
 * state, before any expansion), and `expand` takes them back.
 */
export interface TransitionRecall {
  readonly entrySlots: number;
  /** A search starts: nothing recorded before holds for it. */
  begin(): void;
  /**
   * Like `TransitionSystem.expand`: the same successors, violations and
   * warnings, in the same order. `entry` is what `writeEntry` wrote when
   * `state` was queued. States must be expanded once each, in the order
   * they were queued (what was recorded before the parent of the state
   * being expanded is dropped).
   */
  expand(state: Int32Array, sink: SuccessorSink, entry: Int32Array): void;
  /** Writes the entry of the successor being handed to the sink (or of the initial state) into `out`. */
  writeEntry(out: Int32Array): void;
  /** Bytes held (the records of the expansions whose children are queued). */
  readonly bytes: number;
  /** The search needs the memory: from now on expand as `TransitionSystem.expand` does, and drop what was recorded. */
  stop(): void;
}

/**
 * The words a system wrote while making a successor: during
 * `SuccessorSink.successor(state, …)`, if `target` is that very array and
 * `count` ≥ 0, then `state` differs from the state being expanded only
 * inside the `count` ranges [ranges[2k], ranges[2k + 1]) (which may
 * overlap, and may cover words written back to their old value). The
 * explorers then fingerprint a successor from its parent by looking at
 * those words instead of comparing the whole vectors. A write the log
 * misses would merge distinct states, so a system that cannot vouch for a
 * successor leaves `target` pointing elsewhere or `count` negative.
 */
export interface WriteLog {
  readonly target: Int32Array | null;
  readonly count: number;
  readonly ranges: Int32Array;
}

/** Whether `log` vouches for `state` (see `WriteLog`): it differs from the state being expanded only inside the log's ranges. */
export function logVouchesFor(log: WriteLog | null | undefined, state: Int32Array): log is WriteLog {
  return log !== null && log !== undefined && log.target === state && log.count >= 0;
}

/**
 * A slot that counts events the environment may still cause (external
 * NMIs): a state with a larger budget, otherwise equal, can do everything
 * this one can, since it may leave the rest of its budget unused — every
 * path, every violation, every stuck state. The breadth-first search uses
 * it with partial-order reduction: a new state whose twin with a larger
 * budget is already stored (so at no greater depth) is not stored, as if it
 * were that twin; what it could reach, the twin reaches in as many steps.
 */
export interface EventBudget {
  readonly slot: number;
  readonly max: number;
}

/**
 * A symmetry of the system: a group of permutations that maps transitions
 * to transitions and violations to violations of the same kind. The
 * explorer stores and expands one representative per orbit; the paths it
 * logs are then paths between representatives, which the system maps back
 * to real paths (the machine does it when it rebuilds traces).
 */
export interface StateSymmetry {
  /**
   * The representative of `state`'s orbit: always a member of the orbit
   * (soundness), ideally the same for every member (reduction). Returns
   * `state` itself, unmodified, when it is its own representative (so a
   * successor keeps its `WriteLog`), else `buffer` (the explorer's, of the
   * same length) rewritten into the representative. Hot: allocates nothing.
   */
  representativeOf(state: Int32Array, buffer: Int32Array): Int32Array;
  /**
   * Words the symmetry keeps with each stored representative to save work
   * when that state is expanded (0: none). After `representativeOf`,
   * `writeMemo` writes them for the representative it returned; before a
   * stored state is expanded, `recall` hands back what was written for it.
   * A cache: representatives are the same whether or not it is used, as
   * long as what is recalled is what was written for that state.
   */
  readonly memoSlots: number;
  writeMemo(out: Int32Array): void;
  recall(memo: Int32Array): void;
  /** Where process `process` of the state last passed to `representativeOf` went (itself if -1 or not moved). */
  processImage(process: number): number;
}

/**
 * A system's partial-order reduction: an expansion that may emit only a
 * persistent subset of the enabled transitions. The explorer owns the
 * proviso that no transition is postponed forever (a reduced expansion that
 * reaches no state still to be expanded is redone fully), so
 * the system only promises that the subset is persistent as long as its
 * assumptions about who accesses what hold; when a transition contradicts
 * them, `invalidated` turns true and the search must start over after
 * `restart()`, which adopts what was observed.
 */
export interface PartialOrderReduction {
  /**
   * Like `TransitionSystem.expand` (same sink protocol, same violations and
   * warnings), but may emit the successors of a persistent subset only.
   * Returns true when it emitted a proper subset. `lastMover` is the
   * process that made the transition into `state` (-1 if unknown): a subset
   * that lets it go on is preferred, so that a process runs on as far as it
   * can whatever symmetry reduction did to the numbering (fewer states: the
   * others' positions combine less).
   */
  expandReduced(state: Int32Array, sink: SuccessorSink, lastMover: number): boolean;
  /** The process (a CPU) whose transition `transition` is, or -1 (a device's, or none). */
  processOf(transition: number): number;
  /** An access contradicted the assumptions the reduced expansions relied on. */
  readonly invalidated: boolean;
  /** Adopts the observed accesses as the new assumptions; clears `invalidated`. */
  restart(): void;
  /** How many times the search was restarted so far. */
  readonly restarts: number;
}

/** Why a search ended without exploring everything. */
export type LimitKind = 'states' | 'memory' | 'time' | 'interrupted';

/** Statistics every search reports. */
export interface SearchStats {
  /** Distinct states stored. */
  readonly states: number;
  /** Transitions taken (successors generated, including already-seen ones). */
  readonly transitions: number;
  /** Length of the longest path explored (BFS: the deepest level). */
  readonly depth: number;
  readonly seconds: number;
  readonly peakMemoryBytes: number;
  /** Bytes the visited table uses per stored state. */
  readonly bytesPerState: number;
  /**
   * Estimated probability that a fingerprint collision hid a state (so that
   * `verified` might be wrong), as TLC reports it: see `collisionProbability`
   * in hash64.ts. Absent where the search stores no fingerprints.
   */
  readonly collisionProbability?: number;
  /**
   * With partial-order reduction: how many times the search started over
   * because an access contradicted the reduction's assumptions.
   */
  readonly restarts?: number;
}

/** A path from the initial state: the transition ids, in order. */
export type Path = readonly number[];

/** A violation or warning as the search found it: where, and by which path. */
export interface Finding {
  readonly code: number;
  /** Transitions from the initial state up to and including the one that violated (-1 excluded). */
  readonly path: Path;
  /** The transition that violated, or -1 when the violation is of the last state itself. */
  readonly transition: number;
}

/** The result of a search: a value, never an exception. */
export type SearchResult =
  | { readonly kind: 'verified'; readonly warnings: readonly Finding[]; readonly stats: SearchStats }
  | { readonly kind: 'violation'; readonly finding: Finding; readonly warnings: readonly Finding[]; readonly stats: SearchStats }
  | { readonly kind: 'incomplete'; readonly limit: LimitKind; readonly warnings: readonly Finding[]; readonly stats: SearchStats };

/** Bounds on a search; reaching one ends it with `incomplete`. */
export interface SearchLimits {
  readonly maxStates: number;
  readonly maxMemoryBytes: number;
  readonly timeLimitMs: number;
}

/** Progress, reported at most a few times a second on long searches. */
export interface Progress {
  readonly states: number;
  readonly transitions: number;
  readonly frontier: number;
  readonly depth: number;
  readonly seconds: number;
  readonly memoryBytes: number;
}
