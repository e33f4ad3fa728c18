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
import type { WriteLog } from '../check/index.js';

/** Ranges kept before the log gives up (count −1: "compare everything"). */
const CAPACITY = 64;

export class StateWriteLog implements WriteLog {
  target: Int32Array | null = null;
  count = -1;
  readonly ranges = new Int32Array(2 * CAPACITY);

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

  /** The successor may differ anywhere (a whole state copied in). */
  forget(): void {
    this.count = -1;
  }

  private push(n: number, start: number, end: number): void {
    this.ranges[2 * n] = start;
    this.ranges[2 * n + 1] = end;
    this.count = n + 1;
  }
}
