/**
 * The visited table: a set of 64-bit fingerprints in one flat Int32Array of
 * (hi, lo) pairs, open addressing with linear probing, the layout TLC's
 * fingerprint set and SPIN's hash compaction use.
 *
 * Hot: `add` runs once per generated successor and allocates nothing except
 * when the table doubles.
 *
 * Memory. A slot is 8 bytes. The table grows when an insertion would push
 * the load past 3/4, alternately by 3/2 and by 4/3 (16·2ᵏ → 24·2ᵏ → 32·2ᵏ
 * slots), so its load stays between 1/2 and 3/4: 10.7 to 16 bytes a state
 * at every size, plus the old array transiently while growing. A slot count
 * that is not a power of two rules out masking: the home slot is the
 * mixed `lo` scaled to the capacity (Lemire's multiply-shift range
 * reduction, in floating point since the product needs 62 bits).
 */

/** Largest fraction of slots in use before the table doubles. */
const MAX_LOAD = 0.75;
const BYTES_PER_SLOT = 8;
/** Typed arrays are limited to 2³⁰ pairs here, which keeps indices int32. */
const MAX_CAPACITY = 1 << 30;
/**
 * Fibonacci hashing (2³² / φ): the home slot is the top bits of lo × this, so
 * every bit of `lo` moves it, even when a caller's low bits are poor.
 */
const GOLDEN = 0x9e3779b9 | 0;
const TWO_POW_32 = 2 ** 32;

/** Options of a `FingerprintSet`. */
export interface FingerprintSetOptions {
  /** Initial number of slots, rounded up to a power of two (default 4096). */
  readonly initialCapacity?: number;
  /**
   * Upper bound on `bytes`: a doubling that would exceed it is refused and
   * reported by `limitReached` (default: unbounded). May be changed later
   * through the `maxBytes` property.
   */
  readonly maxBytes?: number;
}

/**
 * A set of 64-bit fingerprints given as two 32-bit halves. Behaves exactly
 * like a `Set` of the pairs, the all-zero pair included (empty slots are
 * (0, 0), so that one fingerprint is kept in a flag instead of the table).
 */
export class FingerprintSet {
  /**
   * Upper bound on `bytes` (∞ by default): a doubling past it is refused,
   * `limitReached` becomes true and the table keeps filling beyond its usual
   * load until it has one free slot left, after which `add` throws. Whoever
   * owns the set must stop adding once `limitReached` is true.
   */
  maxBytes: number;
  private table: Int32Array;
  private slots: number;
  /** capacity / 2³²: the home slot of lo is ⌊((lo × GOLDEN) mod 2³²) × scale⌋. */
  private scale: number;
  private growAt: number;
  private stored = 0;
  private hasZero = false;
  private refused = false;

  /** Allocates the initial table (8 bytes a slot). */
  constructor(options: FingerprintSetOptions = {}) {
    const requested = Math.max(16, options.initialCapacity ?? 4096);
    let capacity = 16;
    while (capacity < requested && capacity < MAX_CAPACITY) capacity *= 2;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.table = new Int32Array(capacity * 2);
    this.slots = capacity;
    this.scale = capacity / TWO_POW_32;
    this.growAt = Math.floor(capacity * MAX_LOAD);
  }

  /** Number of distinct fingerprints stored. */
  get size(): number {
    return this.stored;
  }

  /** Bytes of the table itself (not counting the few fields of the object). */
  get bytes(): number {
    return this.table.length * 4;
  }

  /** Table bytes per stored fingerprint (0 when empty). */
  get bytesPerState(): number {
    return this.stored === 0 ? 0 : this.bytes / this.stored;
  }

  /** Number of slots (16·2ᵏ or 24·2ᵏ). */
  get capacity(): number {
    return this.slots;
  }

  /** True once a doubling was refused because of `maxBytes`; stays true. */
  get limitReached(): boolean {
    return this.refused;
  }

  /**
   * Adds the fingerprint (hi, lo); returns true if it was not yet present.
   * Both halves are taken modulo 2³² (signed or unsigned input alike).
   * Allocates only when the table doubles. Throws (a bug in the caller) if
   * the table is full because `maxBytes` refused to let it grow.
   */
  add(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 && lo === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      this.stored++;
      return true;
    }
    const table = this.table;
    const last = this.slots - 1;
    let slot = this.home(lo);
    for (;;) {
      const at = slot << 1;
      const h = table[at];
      const l = table[at + 1];
      if (h === 0 && l === 0) break;
      if (h === hi && l === lo) return false;
      slot = slot === last ? 0 : slot + 1;
    }
    if (this.stored >= this.growAt && this.tryGrow()) {
      this.insertNew(hi, lo);
    } else {
      if (this.stored + 1 >= this.slots) {
        throw new Error('irqcheck bug: FingerprintSet is full (maxBytes refused growth; stop adding once limitReached)');
      }
      const at = slot << 1;
      table[at] = hi;
      table[at + 1] = lo;
    }
    this.stored++;
    return true;
  }

  /** True if (hi, lo) is in the set. Allocates nothing. */
  has(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 && lo === 0) return this.hasZero;
    const table = this.table;
    const last = this.slots - 1;
    let slot = this.home(lo);
    for (;;) {
      const at = slot << 1;
      const h = table[at];
      const l = table[at + 1];
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      slot = slot === last ? 0 : slot + 1;
    }
  }

  /** The slot where the probe for `lo` starts. */
  private home(lo: number): number {
    return Math.min(this.slots - 1, Math.floor((Math.imul(lo, GOLDEN) >>> 0) * this.scale));
  }

  /** Grows the table by 3/2 or 4/3 unless `maxBytes` forbids it; returns whether it grew. */
  private tryGrow(): boolean {
    const capacity = this.slots;
    // 16·2ᵏ → 24·2ᵏ → 32·2ᵏ: a power of two grows by half, the others by a third.
    const grown = (capacity & (capacity - 1)) === 0 ? capacity + capacity / 2 : capacity + capacity / 3;
    if (grown > MAX_CAPACITY || grown * BYTES_PER_SLOT > this.maxBytes) {
      this.refused = true;
      return false;
    }
    const old = this.table;
    this.table = new Int32Array(grown * 2);
    this.slots = grown;
    this.scale = grown / TWO_POW_32;
    this.growAt = Math.floor(grown * MAX_LOAD);
    for (let at = 0; at < old.length; at += 2) {
      const h = old[at];
      const l = old[at + 1];
      if (h !== 0 || l !== 0) this.insertNew(h, l);
    }
    return true;
  }

  /** Places a fingerprint known to be absent and non-zero; does not count it. */
  private insertNew(hi: number, lo: number): void {
    const table = this.table;
    const last = this.slots - 1;
    let slot = this.home(lo);
    while (table[slot << 1] !== 0 || table[(slot << 1) + 1] !== 0) slot = slot === last ? 0 : slot + 1;
    table[slot << 1] = hi;
    table[(slot << 1) + 1] = lo;
  }
}
