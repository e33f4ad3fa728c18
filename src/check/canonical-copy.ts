/**
 * The explorers' side of symmetry reduction: the state to store is the
 * representative of the successor's orbit: the successor itself when it is
 * one, else a copy rewritten in a buffer the explorer owns (a successor's
 * buffer belongs to the system, which may still read it).
 *
 * Hot: `of` runs once per generated successor; it allocates only its buffer,
 * once.
 */
import type { StateSymmetry } from './transition-system.js';

/** One explorer's buffer for canonical states. */
export class CanonicalCopy {
  private buffer = new Int32Array(0);

  /** `state` itself without a symmetry or when it is canonical; else its orbit's representative, valid until the next call. */
  of(symmetry: StateSymmetry | undefined, state: Int32Array): Int32Array {
    if (symmetry === undefined) return state;
    if (this.buffer.length !== state.length) this.buffer = new Int32Array(state.length);
    return symmetry.representativeOf(state, this.buffer);
  }
}
