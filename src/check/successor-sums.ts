/**
 * The lane sums of a successor from its parent's, the one computation every
 * explorer makes per generated successor: over the words the system says
 * it wrote (`WriteLog`), a handful, when it vouches for this successor;
 * otherwise by comparing the successor with its parent word by word.
 *
 * Hot: `compute` runs once per generated successor; allocates nothing.
 */
import { StateHasher } from './hash64.js';
import { logVouchesFor, type WriteLog } from './transition-system.js';

export class SuccessorSums {
  /** Scratch of the checking mode: the sums the whole comparison gives. */
  private readonly compared = new Int32Array(2);

  /**
   * `verify`: also compare the whole vectors and throw if the write log
   * missed a word (tests run every example this way; a miss would
   * otherwise merge distinct states without a sign).
   */
  constructor(
    private readonly hasher: StateHasher,
    private readonly writes: WriteLog | undefined,
    private readonly verify: boolean,
  ) {}

  /**
   * Writes into `out` the lane sums of `state`, a successor of `parent`
   * (whose sums are `parentA`, `parentB`) — the array the system handed
   * the sink, or a copy the explorer rewrote (then compared in full).
   */
  compute(parent: Int32Array, parentA: number, parentB: number, state: Int32Array, out: Int32Array): void {
    const writes = this.writes;
    if (!logVouchesFor(writes, state)) {
      this.hasher.sumsFrom(parent, parentA, parentB, state, out);
      return;
    }
    this.hasher.sumsOver(parent, parentA, parentB, state, writes.ranges, writes.count, out);
    if (!this.verify) return;
    this.hasher.sumsFrom(parent, parentA, parentB, state, this.compared);
    if (this.compared[0] !== out[0] || this.compared[1] !== out[1]) {
      let missed = -1;
      for (let i = 0; i < state.length && missed < 0; i++) if (state[i] !== parent[i] && !covers(writes, i)) missed = i;
      throw new Error(`irqcheck bug: the write log missed word ${missed} of a successor`);
    }
  }
}

function covers(writes: WriteLog, i: number): boolean {
  for (let k = 0; k < 2 * writes.count; k += 2) if (i >= (writes.ranges[k] as number) && i < (writes.ranges[k + 1] as number)) return true;
  return false;
}
