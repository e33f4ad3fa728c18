/**
 * Limits, progress and interruption for any explorer: the explorer calls
 * `poll` every `POLL_INTERVAL_STATES` expanded states and stops when it
 * answers a `LimitKind`. The clock, `shouldStop`, `onProgress` and the
 * process's resident memory are looked at only there, never per state.
 *
 * `maxStates` is exact and checked per new state by the explorer against
 * `stateCap`; the visited table's own growth is bounded through its
 * `maxBytes`, which `poll` keeps equal to what the other structures leave of
 * `maxMemoryBytes`, so a doubling that would break the budget is refused
 * (the table reports `limitReached`) rather than done.
 */
import type { ExploreOptions } from './explorer.js';
import { collisionProbability } from './hash64.js';
import type { LimitKind, Progress, SearchStats } from './transition-system.js';

/**
 * What the monitor reads of a visited table: a `FingerprintSet`, or the
 * parallel search's view of its shared table.
 */
export interface VisitedTable {
  /** Distinct fingerprints stored. */
  readonly size: number;
  /** Bytes of the table. */
  readonly bytes: number;
  /** Table bytes per stored fingerprint. */
  readonly bytesPerState: number;
  /** True once the table was refused growth by `maxBytes`. */
  readonly limitReached: boolean;
  /** What the budget leaves the table; `poll` keeps it up to date. */
  maxBytes: number;
}

/** How many expanded states an explorer lets pass between two `poll`s. */
export const POLL_INTERVAL_STATES = 2048;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;
/** The process's RSS is sampled at most this often (it costs a system call). */
const RSS_INTERVAL_MS = 100;

/** The per-search guard an explorer consults; created once per search. */
export class SearchMonitor {
  /** Most distinct states the search may store (`maxStates`, ∞ if unset). */
  readonly stateCap: number;
  /** The memory budget in bytes (∞ if unset). */
  readonly maxMemoryBytes: number;
  private readonly timeLimitMs: number;
  private readonly progressIntervalMs: number;
  private readonly onProgress: ((progress: Progress) => void) | null;
  private readonly shouldStop: (() => boolean) | null;
  private readonly startMs: number;
  private lastProgressMs: number;
  private lastRssMs = -Infinity;
  private peakBytes = 0;

  /** Starts the search clock. */
  constructor(options: ExploreOptions) {
    const limits = options.limits ?? {};
    this.stateCap = limits.maxStates ?? Infinity;
    this.maxMemoryBytes = limits.maxMemoryBytes ?? Infinity;
    this.timeLimitMs = limits.timeLimitMs ?? Infinity;
    this.progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.onProgress = options.onProgress ?? null;
    this.shouldStop = options.shouldStop ?? null;
    this.startMs = performance.now();
    this.lastProgressMs = this.startMs;
  }

  /**
   * Checks interruption, time and memory, and reports progress when due.
   * `visited` is the search's table (its `maxBytes` is updated here);
   * `otherBytes` is what the frontier and trace structures hold, estimated
   * from their array sizes; `frontier` is the number of states waiting.
   * Returns the limit reached, or null to go on. Allocates only the
   * `Progress` it reports.
   */
  poll(visited: VisitedTable, otherBytes: number, frontier: number, transitions: number, depth: number): LimitKind | null {
    const memoryBytes = visited.bytes + otherBytes;
    if (memoryBytes > this.peakBytes) this.peakBytes = memoryBytes;
    visited.maxBytes = this.maxMemoryBytes - otherBytes;
    if (this.shouldStop !== null && this.shouldStop()) return 'interrupted';
    const now = performance.now();
    if (now - this.startMs >= this.timeLimitMs) return 'time';
    if (memoryBytes > this.maxMemoryBytes || visited.limitReached) return 'memory';
    if (this.maxMemoryBytes !== Infinity && now - this.lastRssMs >= RSS_INTERVAL_MS) {
      this.lastRssMs = now;
      if (process.memoryUsage.rss() > this.maxMemoryBytes) return 'memory';
    }
    if (this.onProgress !== null && now - this.lastProgressMs >= this.progressIntervalMs) {
      this.lastProgressMs = now;
      this.onProgress({
        states: visited.size,
        transitions,
        frontier,
        depth,
        seconds: (now - this.startMs) / 1000,
        memoryBytes,
      });
    }
    return null;
  }

  /** The search's structures held `memoryBytes` at some point between polls (the peak reported counts it). */
  notePeak(memoryBytes: number): void {
    if (memoryBytes > this.peakBytes) this.peakBytes = memoryBytes;
  }

  /**
   * The statistics of the search so far, stopping nothing. `peakMemoryBytes`
   * is the largest estimate of the search's own structures (table, frontier,
   * trace links) seen at a poll or now, not the process's RSS;
   * `collisionProbability` is the estimate for the states stored.
   */
  stats(visited: VisitedTable, otherBytes: number, transitions: number, depth: number): SearchStats {
    const memoryBytes = visited.bytes + otherBytes;
    if (memoryBytes > this.peakBytes) this.peakBytes = memoryBytes;
    const states = Math.min(visited.size, this.stateCap);
    return {
      states,
      transitions,
      depth,
      seconds: (performance.now() - this.startMs) / 1000,
      peakMemoryBytes: this.peakBytes,
      bytesPerState: visited.bytesPerState,
      collisionProbability: collisionProbability(states),
    };
  }
}
