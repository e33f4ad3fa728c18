/**
 * What the parallel BFS's coordinator and its workers share: the words of
 * the control block in shared memory, and the messages they post. See
 * parallel-bfs.ts for the algorithm.
 */
import type { SystemFactory } from './explorer.js';

/** Int32 words of the control block. */
export const Control = {
  /** Bits of `Command`, set by anyone with `Atomics.or`; read by workers before every state. */
  COMMAND: 0,
  /** Index of the next frontier chunk of the level to claim (`Atomics.add`). */
  CLAIM: 1,
  /** The first `StopReason` raised (compare-exchange from NONE). */
  STOP_REASON: 2,
  /** Table size at which a worker asks for a pause so that the table can grow. */
  GROW_AT: 3,
  WORDS: 4,
} as const;

/** Bits of `Control.COMMAND`. */
export const Command = {
  /** Leave the level loop at the next state, keeping your place: the table grows. */
  PAUSE: 1,
  /** A transition violation was found: finish the level storing nothing (a state violation there is shorter). */
  FINISH: 2,
  /** Leave the level loop at the next state for good. */
  STOP: 4,
} as const;

/** Why the search stops, as `Control.STOP_REASON` holds it. */
export const StopReason = {
  NONE: 0,
  STATES: 1,
  MEMORY: 2,
  TIME: 3,
  INTERRUPTED: 4,
} as const;

/** Float64 counters each worker publishes for progress, `COUNTER_STRIDE` apart (own cache line). */
export const Counter = {
  /** Successors generated so far, in all. */
  TRANSITIONS: 0,
  /** States expanded on the current level. */
  EXPANDED: 1,
  /** Emptied frontier chunks the worker keeps for reuse. */
  SPARES: 2,
  /** Frontier chunks of the next level the worker filled and has not yet handed over. */
  FILLED: 3,
} as const;
export const COUNTER_STRIDE = 8;

/** The `workerData` of a search worker. */
export interface WorkerInit {
  readonly kind: 'irqcheck-parallel-bfs';
  readonly worker: number;
  readonly workers: number;
  readonly factory: SystemFactory;
  /** `Control.WORDS` Int32 words. */
  readonly control: SharedArrayBuffer;
  /** `workers × COUNTER_STRIDE` Float64 counters. */
  readonly counters: SharedArrayBuffer;
  /** The visited table (`SharedFingerprintSet`). */
  readonly table: SharedArrayBuffer;
  /** Size of a frontier chunk in Int32 slots. */
  readonly chunkSlots: number;
  /** Most distinct states to store (∞ for none). */
  readonly stateCap: number;
  readonly collectWarnings: boolean;
}

/** A violation or warning as a worker found it; the coordinator rebuilds its path. */
export interface Candidate {
  readonly code: number;
  /** Interleaved id of the state being expanded. */
  readonly stateId: number;
  /** The transition that violated, or -1 for the state itself. */
  readonly transition: number;
  /** Length of its path: the state's depth, plus one for a transition. */
  readonly length: number;
}

/** Coordinator → worker. */
export type CoordinatorMessage =
  /** Worker 0 only: store the initial state (the level before level 0). */
  | { readonly kind: 'seed' }
  /** Expand the states of level `depth`, claiming `chunks` (with `counts` entries each) by `Control.CLAIM`. */
  | {
      readonly kind: 'level';
      readonly depth: number;
      readonly chunks: readonly SharedArrayBuffer[];
      readonly counts: readonly number[];
      /** Warning codes that already have their path: ignore them. */
      readonly settledWarnings: readonly number[];
    }
  /** Go on with the level where you paused. */
  | { readonly kind: 'resume' }
  /** Copy slots [fromSlot, toSlot) of the current table into `table`, then use `table`. */
  | { readonly kind: 'grow'; readonly table: SharedArrayBuffer; readonly fromSlot: number; readonly toSlot: number };

/** Worker → coordinator. */
export type WorkerMessage =
  | { readonly kind: 'ready'; readonly stateSlots: number }
  | { readonly kind: 'failed'; readonly message: string }
  /** Out of the level loop: paused (will resume) or done with the level. */
  | {
      readonly kind: 'yield';
      readonly paused: boolean;
      /** Successors generated, in all. */
      readonly transitions: number;
      /** Filled frontier chunks of the next level since the last yield, and their entry counts. */
      readonly output: readonly SharedArrayBuffer[];
      readonly outputCounts: readonly number[];
      /** Path-log chunks made since the last yield. */
      readonly logChunks: readonly SharedArrayBuffer[];
      /** Violations and warnings found since the last yield (at most one of each kind and code). */
      readonly violations: readonly Candidate[];
      readonly warnings: readonly Candidate[];
    }
  | { readonly kind: 'grown' };
