/**
 * The machine's `WriteLog`: every write to a state vector during a
 * transition is noted here as a range of words, so that the search can
 * fingerprint a successor by looking at the ten or so words a step wrote
 * rather than comparing all of a state's hundreds. `MachineSystem` opens
 * the log on its successor buffer before each transition; whatever steps
 * on other buffers meanwhile (the wait detector's solo runs) only adds
 * ranges, which costs a few comparisons and is still exact.
 *
 * Hot: `add` runs for every store the VM executes; allocates nothing.
 */
import { logVouchesFor, type WriteLog } from '../check/index.js';

/** Ranges kept before the log gives up (count −1: "compare everything"). */
const CAPACITY = 64;

export class StateWriteLog implements WriteLog {
  target: Int32Array | null = null;
  count = -1;
  readonly ranges = new Int32Array(2 * CAPACITY);
  /** Counts the expansions begun: the state the ranges are relative to changes with it. */
  expansion = 0;

  /** A new state is being expanded: what was known of the last one's successors no longer holds. */
  startExpansion(): void {
    this.expansion++;
    this.count = -1;
  }

  /** Starts logging the writes that will make `target` (a copy of the state being expanded) a successor. */
  begin(target: Int32Array): void {
    this.target = target;
    this.count = 0;
  }

  /** Words [start, end) were written. Extends the last range when the two touch (a step writes PC, then FP, then SP). */
  add(start: number, end: number): void {
    const n = this.count;
    if (n <= 0) {
      if (n === 0) this.push(0, start, end);
      return;
    }
    const last = 2 * n - 1;
    const lastEnd = this.ranges[last] as number;
    if (start <= lastEnd && start >= (this.ranges[last - 1] as number)) {
      if (end > lastEnd) this.ranges[last] = end;
      return;
    }
    if (n === CAPACITY) {
      this.count = -1;
      return;
    }
    this.push(n, start, end);
  }

  /** Whether the log vouches for `state`: it is the successor being made, and differs from its parent only inside the ranges. */
  vouchesFor(state: Int32Array): boolean {
    return logVouchesFor(this, state);
  }

  /**
   * The successor the log describes was copied into `target`, which the
   * caller goes on rewriting (and logging): the log describes `target`
   * from here.
   */
  retarget(target: Int32Array): void {
    this.target = target;
  }

  /** Makes the log describe `target` again, with `count` ranges saved from it earlier (−1: none). */
  reopen(target: Int32Array, ranges: Int32Array, count: number): void {
    this.target = target;
    this.count = count;
    for (let i = 0; i < 2 * count; i++) this.ranges[i] = ranges[i] as number;
  }

  private push(n: number, start: number, end: number): void {
    this.ranges[2 * n] = start;
    this.ranges[2 * n + 1] = end;
    this.count = n + 1;
  }
}

/**
 * Successors kept for later (partial-order reduction runs CPUs before it
 * knows which of their successors it hands on), each in its own buffer
 * with the write log that made it, so that the search can still
 * fingerprint it from its writes. Grows to the most successors one state
 * had; allocates nothing after that.
 */
export class SavedSuccessors {
  private buffers: Int32Array[] = [];
  private ranges: Int32Array[] = [];
  private counts = new Int32Array(0);

  constructor(private readonly slots: number) {}

  /** Keeps a copy of `state` as successor k, with the log's ranges if it vouches for it. */
  save(k: number, state: Int32Array, writes: StateWriteLog): void {
    if (k >= this.buffers.length) this.grow(k + 1);
    (this.buffers[k] as Int32Array).set(state);
    if (!writes.vouchesFor(state)) {
      this.counts[k] = -1;
      return;
    }
    const out = this.ranges[k] as Int32Array;
    for (let i = 0; i < 2 * writes.count; i++) out[i] = writes.ranges[i] as number;
    this.counts[k] = writes.count;
  }

  /** Successor k, valid until it is saved over. */
  state(k: number): Int32Array {
    return this.buffers[k] as Int32Array;
  }

  /** Successor k, with `writes` describing it again: to hand to a sink. */
  reopen(k: number, writes: StateWriteLog): Int32Array {
    const state = this.buffers[k] as Int32Array;
    writes.reopen(state, this.ranges[k] as Int32Array, this.counts[k] as number);
    return state;
  }

  private grow(length: number): void {
    const n = Math.max(length, 2 * this.buffers.length, 16);
    while (this.buffers.length < n) {
      this.buffers.push(new Int32Array(this.slots));
      this.ranges.push(new Int32Array(2 * CAPACITY));
    }
    const counts = new Int32Array(n);
    counts.set(this.counts);
    this.counts = counts;
  }
}
