/**
 * One worker of the parallel BFS (parallel-bfs.ts), on its own thread with
 * its own copy of the system: it claims chunks of the current level's
 * frontier from shared memory, expands their states, inserts successors into
 * the shared visited table, and appends the new ones to its own chunks of the
 * next level and to its own parent log. The coordinator tells it what to do
 * by messages; it is told to pause, finish or stop through the control word,
 * which it reads before every state.
 *
 * Hot: `run`'s loop runs once per expanded state and `successor` once per
 * generated successor; neither allocates, except a view of each frontier
 * chunk claimed, a frontier chunk when no emptied one is spare, and a
 * path-log chunk every 32768 states. Findings
 * (violations, warnings) allocate a small record when first seen.
 *
 * Frontier chunk layout, per entry: [state id, sumA, sumB, delta…]: the
 * state's hash-lane sums (`StateHasher`, so that its successors hash
 * incrementally) and its difference from the entry before it in the chunk
 * (state-delta.ts; the first entry's from zeros, so a chunk decodes on its
 * own, whoever claims it). The depth is the level's.
 */
import { CanonicalCopy } from './canonical-copy.js';
import { FP_HI, FP_LO, SUM_A, SUM_B, StateHasher, fingerprintOf } from './hash64.js';
import { SuccessorSums } from './successor-sums.js';
import { interleavedId } from './interleaved-path-logs.js';
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
import { NO_PARENT, PathLog } from './path-log.js';
import { ALREADY_PRESENT, SharedFingerprintSet, TABLE_FULL } from './shared-fingerprint-set.js';
import { DeltaCoder, maxDeltaWords } from './state-delta.js';
import type { SuccessorSink, TransitionSystem } from './transition-system.js';

const ENTRY_ID = 0;
const ENTRY_SUM_A = 1;
const ENTRY_SUM_B = 2;
const ENTRY_HEADER = 3;
/** Emptied chunks kept for reuse; more are left to the garbage collector. */
const MAX_SPARE_CHUNKS = 64;
/** Counters are published every this many expanded states (a power of two). */
const PUBLISH_MASK = 255;
/** Ids are int32 in the frontier and the parent links. */
const MAX_ID = 0x7fffffff;
/**
 * Violations of the shortest length a worker keeps per yield: the least
 * path among them all is the answer, the same whichever worker met which,
 * as long as no worker meets more.
 */
const MAX_CANDIDATES = 4096;

/** A search worker's state and the sink its system's `expand` writes to. */
export class LevelWorker implements SuccessorSink {
  private readonly system: TransitionSystem;
  private readonly post: (message: WorkerMessage) => void;
  private readonly worker: number;
  private readonly workers: number;
  private readonly stateSlots: number;
  /** Slots of a frontier chunk, and the most an entry may take. */
  private readonly chunkLength: number;
  private readonly maxEntrySlots: number;
  private readonly stateCap: number;
  private readonly collectWarnings: boolean;
  private readonly control: Int32Array;
  private readonly counters: Float64Array;
  private readonly counterBase: number;
  private table: SharedFingerprintSet;
  private readonly log = new PathLog((length) => new Int32Array(new SharedArrayBuffer(length * 4)));
  private logChunksPosted = 0;
  private current: Int32Array;
  private readonly fingerprint = new Int32Array(2);
  private readonly hasher: StateHasher;
  private readonly successorSums: SuccessorSums;
  /** Lane sums of a successor, and of the state being expanded (`current`, seeding aside). */
  private readonly sums = new Int32Array(2);
  private readonly currentSums = new Int32Array(2);
  /** The representative of a successor's orbit, when the system has a symmetry. */
  private readonly canonical = new CanonicalCopy();
  /** Table size from which a new state asks for a pause (the table must grow). */
  private growAt = 0;

  // The level being expanded: its chunks, and the one being read.
  /**
   * The level's chunks; an entry is dropped once claimed (by anyone: all
   * below the claim counter are), so that a chunk read to the end is held
   * by nobody but its reader, who recycles it.
   */
  private levelChunks: (SharedArrayBuffer | null)[] = [];
  private levelCounts: readonly number[] = [];
  /** Entries of `levelChunks` below this are dropped. */
  private dropped = 0;
  private inChunk: Int32Array | null = null;
  private inCount = 0;
  /** Index of the next entry to read in `inChunk`, and its offset. */
  private inNext = 0;
  private inAt = 0;

  // The next level: the chunk being filled, and those filled since the last yield.
  private outChunk: Int32Array | null = null;
  private outCount = 0;
  /** Offset of the next free slot of `outChunk`. */
  private outAt = 0;
  /** The states read last from `inChunk` and written last to `outChunk` (zeros at their starts): the references of the next entries. */
  private readonly coder: DeltaCoder;
  private output: SharedArrayBuffer[] = [];
  private outputCounts: number[] = [];
  private readonly spares: Int32Array[] = [];

  /** Id and depth of the state being expanded (NO_PARENT and -1 while seeding). */
  private currentId = NO_PARENT;
  private depth = -1;
  /** False once a violation is known: the level is finished storing nothing. */
  private storing = true;
  private transitions = 0;
  private expanded = 0;

  // Findings since the last yield: the violations of the shortest length this worker met on the level (see `violation`).
  private violations: Candidate[] = [];
  private readonly warnings = new Map<number, Candidate>();
  private settledWarnings: ReadonlySet<number> = new Set();

  constructor(system: TransitionSystem, init: WorkerInit, post: (message: WorkerMessage) => void) {
    this.system = system;
    this.post = post;
    this.worker = init.worker;
    this.workers = init.workers;
    this.stateSlots = system.stateSlots;
    this.maxEntrySlots = ENTRY_HEADER + maxDeltaWords(system.stateSlots);
    this.chunkLength = LevelWorker.chunkSlotsFor(system.stateSlots, init.chunkSlots);
    this.hasher = new StateHasher(system.stateSlots);
    this.successorSums = new SuccessorSums(this.hasher, system.writes, false);
    this.coder = new DeltaCoder(system.stateSlots);
    this.stateCap = init.stateCap;
    this.collectWarnings = init.collectWarnings;
    this.control = new Int32Array(init.control);
    this.counters = new Float64Array(init.counters);
    this.counterBase = init.worker * COUNTER_STRIDE;
    this.table = new SharedFingerprintSet(init.table);
    this.current = new Int32Array(system.stateSlots);
  }

  /** Slots of a frontier chunk for states of `stateSlots` slots, given the asked-for `chunkSlots`: room for one entry at least. */
  static chunkSlotsFor(stateSlots: number, chunkSlots: number): number {
    return Math.max(chunkSlots, ENTRY_HEADER + maxDeltaWords(stateSlots));
  }

  /** Acts on one message from the coordinator; answers with exactly one message. */
  handle(message: CoordinatorMessage): void {
    switch (message.kind) {
      case 'seed':
        this.seed();
        return;
      case 'level':
        this.startLevel(message.depth, message.chunks, message.counts, message.settledWarnings);
        // Run from a fresh stack, so that the message (and its list of every chunk) is not held meanwhile.
        setImmediate(this.runLevel);
        return;
      case 'resume':
        this.growAt = Atomics.load(this.control, Control.GROW_AT);
        this.run();
        return;
      case 'grow': {
        const grown = new SharedFingerprintSet(message.table);
        this.table.copyInto(grown, message.fromSlot, message.toSlot);
        this.table = grown;
        this.post({ kind: 'grown' });
        return;
      }
      default: {
        const never: never = message;
        throw new Error(`irqcheck bug: unknown message to a search worker: ${JSON.stringify(never)}`);
      }
    }
  }

  /** Stores the initial state, the only state of level 0. */
  private seed(): void {
    this.growAt = Atomics.load(this.control, Control.GROW_AT);
    this.system.writeInitialState(this.current);
    this.currentId = NO_PARENT;
    this.depth = -1;
    this.store(this.current, -1);
    this.yieldControl(false);
  }

  private startLevel(depth: number, chunks: readonly SharedArrayBuffer[], counts: readonly number[], settled: readonly number[]): void {
    this.depth = depth;
    this.levelChunks = chunks.slice();
    this.levelCounts = counts;
    this.dropped = 0;
    this.inChunk = null;
    this.inCount = 0;
    this.inNext = 0;
    this.expanded = 0;
    this.storing = true;
    this.settledWarnings = new Set(settled);
    this.growAt = Atomics.load(this.control, Control.GROW_AT);
  }

  private readonly runLevel = (): void => this.run();

  /** Expands claimed states until the level is exhausted, or a pause or stop is asked for. */
  private run(): void {
    const control = this.control;
    const system = this.system;
    const coder = this.coder;
    const currentSums = this.currentSums;
    for (;;) {
      if (this.inNext === this.inCount) {
        if (this.inChunk !== null) this.recycle(this.inChunk);
        this.inChunk = null;
        const claimed = Atomics.add(control, Control.CLAIM, 1);
        if (claimed >= this.levelChunks.length) {
          this.levelChunks.length = 0;
          break;
        }
        for (; this.dropped < claimed; this.dropped++) this.levelChunks[this.dropped] = null;
        this.inChunk = new Int32Array(this.levelChunks[claimed] as SharedArrayBuffer);
        this.levelChunks[claimed] = null;
        this.inCount = this.levelCounts[claimed];
        this.inNext = 0;
        this.inAt = 0;
        coder.restartDecoding();
        continue;
      }
      const command = Atomics.load(control, Control.COMMAND);
      if (command !== 0) {
        if ((command & Command.STOP) !== 0) break;
        if ((command & Command.PAUSE) !== 0) {
          this.yieldControl(true);
          return;
        }
        this.storing = false;
      }
      const chunk = this.inChunk as Int32Array;
      const at = this.inAt;
      this.currentId = chunk[at + ENTRY_ID];
      currentSums[SUM_A] = chunk[at + ENTRY_SUM_A];
      currentSums[SUM_B] = chunk[at + ENTRY_SUM_B];
      this.inAt = coder.decode(chunk, at + ENTRY_HEADER);
      // The coder's own copy, not written by the expansion (successors are the system's copies).
      this.current = coder.decoded;
      this.inNext++;
      system.expand(this.current, this);
      if ((++this.expanded & PUBLISH_MASK) === 0) this.publish();
    }
    this.yieldControl(false);
  }

  successor(state: Int32Array, transition: number): boolean {
    this.transitions++;
    if (!this.storing) return true;
    return this.store(state, transition);
  }

  /**
   * Keeps every violation of the shortest length met on the level (up to
   * `MAX_CANDIDATES`), for the coordinator to choose the least path among
   * all the workers' (which worker meets which is a race), and makes
   * everyone finish the level storing nothing. A state's own violation is
   * as short as the level gets: it ends that state's expansion.
   */
  violation(transition: number, code: number): boolean {
    const length = transition < 0 ? this.depth : this.depth + 1;
    const kept = this.violations;
    const shortest = kept.length === 0 ? Infinity : (kept[0] as Candidate).length;
    if (length < shortest) kept.length = 0;
    if (length <= shortest && kept.length < MAX_CANDIDATES) kept.push({ code, stateId: this.currentId, transition, length });
    this.storing = false;
    Atomics.or(this.control, Control.COMMAND, Command.FINISH);
    // Keep expanding after a transition's violation: this state may still violate by itself, more shortly.
    return transition >= 0;
  }

  warning(transition: number, code: number): void {
    if (!this.collectWarnings || this.settledWarnings.has(code)) return;
    const length = transition < 0 ? this.depth : this.depth + 1;
    const known = this.warnings.get(code);
    if (known !== undefined && known.length <= length) return;
    this.warnings.set(code, { code, stateId: this.currentId, transition, length });
  }

  /** Stores `state` if new and appends it to the next level. */
  private store(successor: Int32Array, transition: number): boolean {
    const state = this.canonical.of(this.system.symmetry, successor);
    // Hashed incrementally from the state being expanded, whose sums came with it.
    const sums = this.sums;
    if (this.currentId === NO_PARENT) this.hasher.sums(state, sums);
    else this.successorSums.compute(this.current, this.currentSums[SUM_A] as number, this.currentSums[SUM_B] as number, state, sums);
    const fingerprint = this.fingerprint;
    fingerprintOf(sums[SUM_A], sums[SUM_B], state.length, fingerprint);
    const size = this.table.add(fingerprint[FP_HI], fingerprint[FP_LO]);
    if (size === ALREADY_PRESENT) return true;
    if (size === TABLE_FULL) {
      this.stop(StopReason.MEMORY);
      return false;
    }
    if (size > this.stateCap) {
      this.stop(StopReason.STATES);
      return false;
    }
    if (size >= this.growAt) Atomics.or(this.control, Control.COMMAND, Command.PAUSE);
    const id = interleavedId(this.log.append(this.currentId, transition), this.worker, this.workers);
    if (id > MAX_ID) {
      this.stop(StopReason.MEMORY);
      return false;
    }
    let chunk = this.outChunk;
    if (chunk === null || this.outAt + this.maxEntrySlots > this.chunkLength) chunk = this.nextOutChunk();
    const at = this.outAt;
    chunk[at + ENTRY_ID] = id;
    chunk[at + ENTRY_SUM_A] = sums[SUM_A];
    chunk[at + ENTRY_SUM_B] = sums[SUM_B];
    // The state being expanded is the one decoded last (the seed was never encoded).
    const sinceDecoded = this.currentId === NO_PARENT ? null : (this.system.writes ?? null);
    this.outAt = at + ENTRY_HEADER + this.coder.encode(state, sinceDecoded, chunk, at + ENTRY_HEADER);
    this.outCount++;
    return true;
  }

  /** Hands the filled output chunk over and starts another (a spare if any). */
  private nextOutChunk(): Int32Array {
    if (this.outChunk !== null) {
      this.output.push(this.outChunk.buffer as SharedArrayBuffer);
      this.outputCounts.push(this.outCount);
    }
    const chunk = this.spares.pop() ?? new Int32Array(new SharedArrayBuffer(this.chunkLength * 4));
    this.outChunk = chunk;
    this.outCount = 0;
    this.outAt = 0;
    this.coder.restartEncoding();
    return chunk;
  }

  /** Keeps a chunk this worker has read to the end (nobody else reads it) for reuse. */
  private recycle(chunk: Int32Array): void {
    if (this.spares.length < MAX_SPARE_CHUNKS) this.spares.push(chunk);
  }

  private stop(reason: number): void {
    Atomics.compareExchange(this.control, Control.STOP_REASON, StopReason.NONE, reason);
    Atomics.or(this.control, Control.COMMAND, Command.STOP);
  }

  private publish(): void {
    this.counters[this.counterBase + Counter.TRANSITIONS] = this.transitions;
    this.counters[this.counterBase + Counter.EXPANDED] = this.expanded;
    this.counters[this.counterBase + Counter.SPARES] = this.spares.length;
    this.counters[this.counterBase + Counter.FILLED] = this.output.length;
  }

  /** Leaves the level loop (paused, or done with the level) and reports what it has. Rare path. */
  private yieldControl(paused: boolean): void {
    if (!paused && this.outChunk !== null) {
      if (this.outCount > 0) {
        this.output.push(this.outChunk.buffer as SharedArrayBuffer);
        this.outputCounts.push(this.outCount);
      } else {
        this.spares.push(this.outChunk);
      }
      this.outChunk = null;
      this.outCount = 0;
      this.outAt = 0;
    }
    this.publish();
    const logChunks: SharedArrayBuffer[] = [];
    for (; this.logChunksPosted < this.log.chunkCount; this.logChunksPosted++) {
      logChunks.push(this.log.chunk(this.logChunksPosted).buffer as SharedArrayBuffer);
    }
    const violations = this.violations;
    this.violations = [];
    const warnings = Array.from(this.warnings.values());
    this.warnings.clear();
    const output = this.output;
    const outputCounts = this.outputCounts;
    this.output = [];
    this.outputCounts = [];
    this.counters[this.counterBase + Counter.FILLED] = 0;
    this.post({ kind: 'yield', paused, transitions: this.transitions, output, outputCounts, logChunks, violations, warnings });
  }
}
