/**
 * Parallel breadth-first search on `worker_threads`, level-synchronous: every
 * state of level d is expanded before any of level d + 1, as in bfs.ts, so
 * the violation found has a shortest path and the same length as the
 * sequential search's.
 *
 * Who does what. Each worker builds its own copy of the system from a
 * `SystemFactory` (a system cannot cross threads) and runs a `LevelWorker`
 * (level-worker.ts). The visited table is one `SharedFingerprintSet` in
 * shared memory, inserted into by every worker without locks; whoever
 * inserts a fingerprint first owns the state: it appends it to its own chunks
 * of the next level's frontier and its own parent log (both shared memory,
 * handed to the coordinator as they fill). A level's chunks, from every
 * worker, are claimed one at a time through an atomic counter, so a worker
 * that finishes early takes more. This thread (the coordinator) only sends
 * levels, rebuilds paths from the parent logs, and polls limits, progress
 * and interruption on a timer; its event loop stays free.
 *
 * The table grows as the sequential one does, at 3/4 load, but only with
 * every worker out of its loop: a worker whose insertion passes the mark
 * raises PAUSE, every worker stops at its next state keeping its place, the
 * workers copy disjoint ranges of the old table into one twice as large, and
 * resume. A growth the memory budget refuses ends the search (`memory`).
 *
 * Shortest, exactly. A violation on level d makes everyone finish the
 * level storing nothing (FINISH): a transition's (length d + 1) in case a
 * state of level d violates by itself (length d), and a state's in case
 * another does with a lesser path. Among the candidates of the least length
 * the least path (lexicographically) is kept, and the same for each warning
 * code on the first level that finds it: the length is the sequential
 * search's and the violation the same from run to run, whichever worker
 * met which; the path itself may differ from the sequential search's (which
 * keeps the first in its order).
 *
 * Counts. With no limit and no violation the distinct states, transitions and
 * depth equal the sequential search's; a search that stops early stored
 * whatever the workers had reached.
 *
 * Not hot itself (messages per level and per pause); the workers' loop is.
 */
import { Worker } from 'node:worker_threads';
import type { ExploreOptions, ParallelExplorer, SystemFactory } from './explorer.js';
import { InterleavedPathLogs } from './interleaved-path-logs.js';
import { LevelWorker } from './level-worker.js';
import {
  COUNTER_STRIDE,
  Command,
  Control,
  Counter,
  StopReason,
  type Candidate,
  type CoordinatorMessage,
  type WorkerInit,
  type WorkerMessage,
} from './parallel-bfs-protocol.js';
import { SearchMonitor, type VisitedTable } from './search-monitor.js';
import { SharedFingerprintSet } from './shared-fingerprint-set.js';
import type { Finding, LimitKind, SearchResult, TransitionSystem } from './transition-system.js';
import { findingAt } from './warning-log.js';

/** Options of the parallel search itself (the search's own are `ExploreOptions`). */
export interface ParallelBfsOptions {
  /** Worker threads (≥ 1). */
  readonly workers: number;
  /**
   * The worker threads' script: parallel-bfs-worker.js beside this module by
   * default, which exists once compiled; code run from the TypeScript
   * sources (tests) points it at the build.
   */
  readonly workerScript?: URL;
  /** Initial slots of the visited table (default 65536; it grows). */
  readonly initialCapacity?: number;
  /** Frontier chunk size in Int32 slots (default 16384: 64 KiB). */
  readonly chunkSlots?: number;
}

const DEFAULT_CAPACITY = 1 << 16;
const DEFAULT_CHUNK_SLOTS = 1 << 14;
/** Load at which the table grows, as `FingerprintSet`'s. */
const MAX_LOAD = 0.75;
/** How often the coordinator polls limits and progress, in ms. */
const TICK_MS = 20;

/** The parallel breadth-first `ParallelExplorer`; see the module comment. */
export class ParallelBreadthFirstExplorer implements ParallelExplorer {
  readonly name = 'parallel-bfs';
  /** Where the compiled worker script is expected by default. */
  static readonly defaultWorkerScript = new URL('./parallel-bfs-worker.js', import.meta.url);
  private readonly options: ParallelBfsOptions;

  constructor(options: ParallelBfsOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new Error(`irqcheck bug: a parallel search needs a whole number of workers ≥ 1, not ${options.workers}`);
    }
    this.options = options;
  }

  /** Explores the system `factory` builds, on `workers` threads; see the module comment. */
  explore(factory: SystemFactory, options: ExploreOptions = {}): Promise<SearchResult> {
    return new ParallelBfsRun(factory, this.options, options).run();
  }
}

/** Builds the system a factory describes, on this thread (tests, and the coordinator's callers). */
export async function buildSystem(factory: SystemFactory): Promise<TransitionSystem> {
  const module = (await import(factory.moduleUrl)) as Record<string, unknown>;
  const build = module[factory.exportName];
  if (typeof build !== 'function') throw new Error(`${factory.moduleUrl} has no function export \`${factory.exportName}\``);
  return (build as (argument: unknown) => TransitionSystem | Promise<TransitionSystem>)(factory.argument);
}

/** The shared table as the `SearchMonitor` reads it. */
class TableGauge implements VisitedTable {
  maxBytes = Infinity;
  limitReached = false;
  constructor(public table: SharedFingerprintSet) {}
  get size(): number {
    return this.table.size;
  }
  get bytes(): number {
    return this.table.bytes;
  }
  get bytesPerState(): number {
    const size = this.table.size;
    return size === 0 ? 0 : this.table.bytes / size;
  }
}

/** One worker thread as the coordinator drives it: one answer per request. */
class WorkerHandle {
  private readonly waiting: { resolve: (message: WorkerMessage) => void; reject: (err: Error) => void }[] = [];
  /** Messages that came before anyone waited for them. */
  private readonly inbox: WorkerMessage[] = [];
  private failure: Error | null = null;

  constructor(readonly thread: Worker) {
    thread.on('message', (message: WorkerMessage) => {
      if (message.kind === 'failed') {
        this.fail(new Error(`a search worker could not build its system: ${message.message}`));
        return;
      }
      const waiter = this.waiting.shift();
      if (waiter === undefined) this.inbox.push(message);
      else waiter.resolve(message);
    });
    thread.on('error', (err) => this.fail(err));
    thread.on('exit', (code) => this.fail(new Error(`a search worker exited (code ${code}) in the middle of the search`)));
  }

  /** The worker's next message (after posting `message`, if given); rejects once the worker failed. */
  next(message?: CoordinatorMessage): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) {
        reject(this.failure);
        return;
      }
      if (message !== undefined) this.thread.postMessage(message);
      const early = this.inbox.shift();
      if (early === undefined) this.waiting.push({ resolve, reject });
      else resolve(early);
    });
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
  }
}

type Yield = Extract<WorkerMessage, { kind: 'yield' }>;

/** One parallel search: the workers, the shared blocks, and what came back. */
class ParallelBfsRun {
  private readonly factory: SystemFactory;
  private readonly settings: ParallelBfsOptions;
  private readonly workerCount: number;
  private readonly monitor: SearchMonitor;
  private readonly collectWarnings: boolean;
  private readonly control = new Int32Array(new SharedArrayBuffer(Control.WORDS * 4));
  private readonly counters: Float64Array;
  private readonly gauge: TableGauge;
  private readonly logs: InterleavedPathLogs;
  private workers: WorkerHandle[] = [];
  private stateSlots = 0;
  private chunkBytes = 0;

  /** The level being expanded (handed to the workers, who drop its chunks as they go) and the one being built. */
  private levelChunkCount = 0;
  private levelStates = 0;
  private nextChunks: SharedArrayBuffer[] = [];
  private nextCounts: number[] = [];
  private sizeAtLevelStart = 0;
  private maxDepth = 0;
  private readonly transitionsOf: number[];

  private readonly violations: Candidate[] = [];
  private readonly warningCandidates: Candidate[] = [];
  private readonly warnings = new Map<number, Finding>();

  constructor(factory: SystemFactory, settings: ParallelBfsOptions, options: ExploreOptions) {
    this.factory = factory;
    this.settings = settings;
    this.workerCount = settings.workers;
    this.monitor = new SearchMonitor(options);
    this.collectWarnings = options.collectWarnings ?? true;
    this.counters = new Float64Array(new SharedArrayBuffer(settings.workers * COUNTER_STRIDE * 8));
    this.gauge = new TableGauge(SharedFingerprintSet.create(settings.initialCapacity ?? DEFAULT_CAPACITY));
    this.logs = new InterleavedPathLogs(settings.workers);
    this.transitionsOf = new Array<number>(settings.workers).fill(0);
  }

  async run(): Promise<SearchResult> {
    const timer = setInterval(() => this.tick(), TICK_MS);
    try {
      await this.startWorkers();
      this.setGrowAt();
      this.absorb(0, await this.workers[0].next({ kind: 'seed' }));
      this.maxDepth = 0;
      await this.growIfFull();
      for (let depth = 0; !this.stopping() && this.nextCounts.length > 0; depth++) {
        await this.expandLevel(depth);
        if (this.gauge.size > this.sizeAtLevelStart) this.maxDepth = depth + 1;
        this.settleWarnings();
        if (this.violations.length > 0) break;
        await this.growIfFull();
      }
      this.settleWarnings();
      return this.result();
    } finally {
      clearInterval(timer);
      await Promise.all(this.workers.map((w) => w.thread.terminate()));
    }
  }

  /** Starts the workers and waits until each has built its system. */
  private async startWorkers(): Promise<void> {
    const script = this.settings.workerScript ?? ParallelBreadthFirstExplorer.defaultWorkerScript;
    const chunkSlots = this.settings.chunkSlots ?? DEFAULT_CHUNK_SLOTS;
    for (let worker = 0; worker < this.workerCount; worker++) {
      const init: WorkerInit = {
        kind: 'irqcheck-parallel-bfs',
        worker,
        workers: this.workerCount,
        factory: this.factory,
        control: this.control.buffer as SharedArrayBuffer,
        counters: this.counters.buffer as SharedArrayBuffer,
        table: this.gauge.table.buffer,
        chunkSlots,
        stateCap: this.monitor.stateCap,
        collectWarnings: this.collectWarnings,
      };
      this.workers.push(new WorkerHandle(new Worker(script, { workerData: init })));
    }
    const ready = await Promise.all(this.workers.map((w) => w.next()));
    for (const message of ready) {
      if (message.kind !== 'ready') throw new Error(`irqcheck bug: a search worker said ${message.kind} before ready`);
      if (this.stateSlots !== 0 && message.stateSlots !== this.stateSlots) {
        throw new Error('the search workers built systems with different state sizes (the factory is not deterministic)');
      }
      this.stateSlots = message.stateSlots;
    }
    this.chunkBytes = LevelWorker.chunkSlotsFor(this.stateSlots, chunkSlots) * 4;
  }

  /** Expands level `depth` (the chunks gathered so far) with every worker, through pauses. */
  private async expandLevel(depth: number): Promise<void> {
    let paused = this.absorbAll(await Promise.all(this.startLevel(depth)));
    while (paused.length > 0 && !this.stopping()) {
      await this.growIfFull();
      if (this.stopping()) break;
      paused = this.absorbAll(await Promise.all(paused.map((w) => this.workers[w].next({ kind: 'resume' }))), paused);
    }
  }

  /**
   * Hands the chunks gathered so far to every worker as level `depth`, and
   * keeps no reference to them (a chunk read to the end is then held by its
   * reader alone, who reuses it). Returns the workers' answers.
   */
  private startLevel(depth: number): Promise<WorkerMessage>[] {
    const chunks = this.nextChunks;
    const counts = this.nextCounts;
    this.nextChunks = [];
    this.nextCounts = [];
    this.levelChunkCount = chunks.length;
    this.levelStates = counts.reduce((a, b) => a + b, 0);
    this.sizeAtLevelStart = this.gauge.size;
    Atomics.store(this.control, Control.CLAIM, 0);
    const level: CoordinatorMessage = { kind: 'level', depth, chunks, counts, settledWarnings: Array.from(this.warnings.keys()) };
    return this.workers.map((w) => w.next(level));
  }

  /** Takes in the workers' yields; returns the indices of those that paused. */
  private absorbAll(yields: readonly WorkerMessage[], indices?: readonly number[]): number[] {
    const paused: number[] = [];
    yields.forEach((message, k) => {
      const worker = indices === undefined ? k : (indices[k] as number);
      if (this.absorb(worker, message)) paused.push(worker);
    });
    return paused;
  }

  /** Takes in one yield; returns whether the worker paused. */
  private absorb(worker: number, message: WorkerMessage): boolean {
    if (message.kind !== 'yield') throw new Error(`irqcheck bug: a search worker answered ${message.kind} instead of yield`);
    const y: Yield = message;
    this.transitionsOf[worker] = y.transitions;
    for (let i = 0; i < y.output.length; i++) {
      this.nextChunks.push(y.output[i] as SharedArrayBuffer);
      this.nextCounts.push(y.outputCounts[i] as number);
    }
    this.logs.addChunks(worker, y.logChunks);
    this.violations.push(...y.violations);
    this.warningCandidates.push(...y.warnings);
    return y.paused;
  }

  /**
   * Grows the table if it passed its load mark, with every worker out of its
   * loop (paused or done with the level), and clears the pause request: the
   * workers copy disjoint ranges of the old table into the new one. A growth
   * the memory budget refuses stops the search (`memory`).
   */
  private async growIfFull(): Promise<void> {
    while (!this.stopping() && this.gauge.table.size >= Atomics.load(this.control, Control.GROW_AT)) await this.grow();
    // A worker may have asked for the pause and then run out of work: the request is served.
    if (!this.stopping()) Atomics.and(this.control, Control.COMMAND, ~Command.PAUSE);
  }

  /** Doubles the table, or stops the search if the budget refuses. */
  private async grow(): Promise<void> {
    const old = this.gauge.table;
    const capacity = old.capacity * 2;
    const allowed = this.monitor.maxMemoryBytes - this.otherBytes();
    if (capacity > SharedFingerprintSet.maxCapacity || SharedFingerprintSet.bytesFor(capacity) > allowed) {
      this.gauge.limitReached = true;
      this.raiseStop(StopReason.MEMORY);
      return;
    }
    const grown = SharedFingerprintSet.create(capacity);
    const share = Math.ceil(old.capacity / this.workerCount);
    await Promise.all(this.workers.map((w, k) => w.next({ kind: 'grow', table: grown.buffer, fromSlot: k * share, toSlot: (k + 1) * share })));
    if (grown.size !== old.size) throw new Error(`irqcheck bug: the table grew from ${old.size} to ${grown.size} fingerprints`);
    this.gauge.table = grown;
    this.setGrowAt();
  }

  private setGrowAt(): void {
    Atomics.store(this.control, Control.GROW_AT, Math.floor(this.gauge.table.capacity * MAX_LOAD));
  }

  /** Polls limits, interruption and progress (the timer's job). */
  private tick(): void {
    if (this.stopping() || this.workers.length === 0 || this.stateSlots === 0) return;
    const limit = this.monitor.poll(this.gauge, this.otherBytes(), this.frontier(), this.transitionsNow(), this.maxDepth);
    if (limit !== null) this.raiseStop(REASON_OF_LIMIT[limit]);
  }

  private raiseStop(reason: number): void {
    Atomics.compareExchange(this.control, Control.STOP_REASON, StopReason.NONE, reason);
    Atomics.or(this.control, Control.COMMAND, Command.STOP);
  }

  private stopping(): boolean {
    return (Atomics.load(this.control, Control.COMMAND) & Command.STOP) !== 0;
  }

  /** Successors generated so far, as the workers last published. */
  private transitionsNow(): number {
    let total = 0;
    for (let w = 0; w < this.workerCount; w++) total += Math.max(this.transitionsOf[w] as number, this.counters[w * COUNTER_STRIDE + Counter.TRANSITIONS] as number);
    return total;
  }

  /** States waiting: the rest of this level plus the next level so far. */
  private frontier(): number {
    let expanded = 0;
    for (let w = 0; w < this.workerCount; w++) expanded += this.counters[w * COUNTER_STRIDE + Counter.EXPANDED] as number;
    return Math.max(0, this.levelStates - expanded) + (this.gauge.size - this.sizeAtLevelStart);
  }

  /**
   * Estimated bytes of the frontier chunks and parent logs (the table
   * aside): the chunks of the level not yet claimed, one being read and one
   * being filled per worker, the workers' spares, the chunks of the next
   * level handed over or filled since (states are stored compressed, so
   * chunks are counted, not states).
   */
  private otherBytes(): number {
    const unclaimed = this.levelChunkCount - Math.min(this.levelChunkCount, Atomics.load(this.control, Control.CLAIM));
    let spares = 0;
    let filled = 0;
    for (let w = 0; w < this.workerCount; w++) {
      spares += this.counters[w * COUNTER_STRIDE + Counter.SPARES] as number;
      filled += this.counters[w * COUNTER_STRIDE + Counter.FILLED] as number;
    }
    const next = this.nextChunks.length + filled;
    return (unclaimed + 2 * this.workerCount + spares + next) * this.chunkBytes + Math.max(this.logs.bytes, this.gauge.size * 8);
  }

  /** Records the best candidate of each warning code found (shortest, then least path). */
  private settleWarnings(): void {
    const byCode = new Map<number, Finding>();
    for (const candidate of this.warningCandidates.splice(0)) {
      if (this.warnings.has(candidate.code)) continue;
      const finding = this.findingOf(candidate);
      const best = byCode.get(candidate.code);
      if (best === undefined || shorterOrLess(finding, best)) byCode.set(candidate.code, finding);
    }
    const settled = Array.from(byCode.values()).sort((a, b) => (shorterOrLess(a, b) ? -1 : shorterOrLess(b, a) ? 1 : 0));
    for (const finding of settled) this.warnings.set(finding.code, finding);
  }

  private findingOf(candidate: Candidate): Finding {
    return findingAt(candidate.code, this.logs.pathTo(candidate.stateId), candidate.transition);
  }

  private result(): SearchResult {
    const transitions = this.transitionsOf.reduce((a, b) => a + b, 0);
    const stats = this.monitor.stats(this.gauge, this.otherBytes(), transitions, this.maxDepth);
    const warnings = Array.from(this.warnings.values());
    if (this.violations.length > 0) {
      let finding: Finding | null = null;
      for (const candidate of this.violations) {
        const found = this.findingOf(candidate);
        if (finding === null || shorterOrLess(found, finding)) finding = found;
      }
      return { kind: 'violation', finding: finding as Finding, warnings, stats };
    }
    // The first reason raised wins, as the sequential search ends on the first limit it meets.
    const limit = LIMIT_OF_REASON[Atomics.load(this.control, Control.STOP_REASON)] ?? null;
    if (limit !== null) return { kind: 'incomplete', limit, warnings, stats };
    return { kind: 'verified', warnings, stats };
  }
}

const REASON_OF_LIMIT: Readonly<Record<LimitKind, number>> = {
  states: StopReason.STATES,
  memory: StopReason.MEMORY,
  time: StopReason.TIME,
  interrupted: StopReason.INTERRUPTED,
};

const LIMIT_OF_REASON: Readonly<Record<number, LimitKind>> = {
  [StopReason.STATES]: 'states',
  [StopReason.MEMORY]: 'memory',
  [StopReason.TIME]: 'time',
  [StopReason.INTERRUPTED]: 'interrupted',
};

/** True if `a` has a shorter path than `b`, or one as long and lexicographically less. */
function shorterOrLess(a: Finding, b: Finding): boolean {
  if (a.path.length !== b.path.length) return a.path.length < b.path.length;
  for (let i = 0; i < a.path.length; i++) {
    if (a.path[i] !== b.path[i]) return (a.path[i] as number) < (b.path[i] as number);
  }
  return a.transition < b.transition;
}
