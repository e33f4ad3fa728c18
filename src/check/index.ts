/**
 * check — the search.
 *
 * Takes: a `TransitionSystem` (fixed-length Int32Array states, numbered
 * transitions, a sink for successors, violations and warnings) and
 * `ExploreOptions` (limits, progress, interruption).
 * Gives: a `SearchResult` — verified, a violation with its path from the
 * initial state, or incomplete with the limit reached — plus the warnings
 * found and the statistics.
 * Must not know: x86, C, the kernel API, or how a state vector is laid out;
 * a state is an opaque array of integers and a transition an opaque number.
 *
 * The explorers are strategies behind `Explorer`, and the parallel BFS
 * behind `ParallelExplorer` (worker threads, each building its own system
 * from a `SystemFactory`); the visited tables, the frontiers and the
 * fingerprint are exported for benchmarks.
 */
export type {
  PartialOrderReduction,
  Finding,
  LimitKind,
  Path,
  Progress,
  SearchLimits,
  SearchResult,
  SearchStats,
  StateSymmetry,
  EventBudget,
  SuccessorSink,
  TransitionRecall,
  TransitionSystem,
  WriteLog,
} from './transition-system.js';
export { logVouchesFor } from './transition-system.js';
export type { ExploreOptions, Explorer, ParallelExplorer, SystemFactory } from './explorer.js';
export { NO_LIMITS } from './explorer.js';
export { BreadthFirstExplorer } from './bfs.js';
export { DepthFirstExplorer } from './dfs.js';
export { FingerprintSet } from './fingerprint-set.js';
export type { FingerprintSetOptions } from './fingerprint-set.js';
export { FP_HI, FP_LO, collisionProbability, hash64 } from './hash64.js';
export { ParallelBreadthFirstExplorer, buildSystem } from './parallel-bfs.js';
export type { ParallelBfsOptions } from './parallel-bfs.js';
export { SharedFingerprintSet } from './shared-fingerprint-set.js';
export { NO_PARENT, PathLog } from './path-log.js';
export { StateQueue } from './state-queue.js';
export { StateStack } from './state-stack.js';
