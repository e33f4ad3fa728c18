/**
 * A stamp per word position of a state, so that a pass over ranges that may
 * overlap (a write log's) visits each position once: a position was visited
 * in this pass when its stamp equals the pass's. Starting a pass costs
 * nothing; the stamps are cleared once every 2³¹ passes.
 */
export class PositionStamps {
  readonly stamps: Int32Array;
  private epoch = 0;

  constructor(slots: number) {
    this.stamps = new Int32Array(slots);
  }

  /** Starts a pass: a stamp no position carries yet. */
  next(): number {
    if (++this.epoch === 0x7fffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }
}
