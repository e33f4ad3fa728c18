/**
 * The parallel search's visited table: a set of 64-bit fingerprints in one
 * `SharedArrayBuffer` that several threads insert into at once, without a
 * lock. Open addressing with linear probing over (hi, lo) pairs of Int32, the
 * home slot chosen as in `FingerprintSet`; 8 bytes a slot, and a probe reads
 * one pair, so one cache line.
 *
 * Hot: `add` runs once per generated successor, on every worker; it
 * allocates nothing.
 *
 * The claim word. Two Int32 halves cannot be written as one atomic 64-bit
 * value without BigInt, so a pair is published in two steps, and a reader
 * must tell an empty or half-written slot from a written one. A slot's hi
 * word is its claim word: an insert claims an empty slot with
 * `Atomics.compareExchange` (0 → hi), then publishes lo with `Atomics.store`.
 * A prober reads hi: 0 is empty; another value is another fingerprint's slot;
 * its own hi means it must read lo, waiting while lo is still 0 (one store
 * away), since that slot may be receiving the very fingerprint it carries
 * (skipping it could store one fingerprint twice). No slot is ever emptied,
 * so exactly one caller per distinct fingerprint claims a slot for it and is
 * told it is new.
 *
 * That needs both halves non-zero. The fingerprints with a zero half (one in
 * 2³¹ of random ones) go to a side table instead, exact as well: entries of
 * three words [claim, hi, lo], the claim word going EMPTY → BUSY
 * (compare-exchange) → FULL (store, after both halves are written); a
 * prober waits on BUSY. It has capacity / 64 entries (at least 256), pages
 * the operating system does not back until they are written; if it ever
 * fills, `add` answers `TABLE_FULL` as for the main table.
 *
 * The table does not grow by itself (other threads hold it): its owner
 * watches `size` (or the value `add` returns) and, with every inserter
 * paused, copies it into a larger one (`copyInto`, which several threads may
 * run on disjoint slot ranges; the side table is copied by whoever copies
 * slot 0).
 *
 * Buffer layout, in Int32 words: the header (the number stored, the
 * capacity), 2 × capacity words of (hi, lo) pairs, then the side table
 * (3 words an entry).
 */

const HEADER_WORDS = 2;
const COUNT = 0;
const CAPACITY = 1;
const EMPTY = 0;
const BUSY = 1;
const FULL = 2;
/** Bytes per slot of the main table: a pair of Int32. */
export const SHARED_BYTES_PER_SLOT = 8;
/** Typed arrays are limited to 2³⁰ pairs here, which keeps indices int32. */
const MAX_CAPACITY = 1 << 30;
/** Fibonacci hashing, as in `FingerprintSet`. */
const GOLDEN = 0x9e3779b9 | 0;

/** Entries of the side table of a table of `capacity` slots (a power of two). */
function sideSlotsFor(capacity: number): number {
  return Math.max(256, capacity >>> 6);
}

/** What `add` answers when every slot is taken (the owner let the table fill). */
export const TABLE_FULL = -1;
/** What `add` answers when the fingerprint was already present. */
export const ALREADY_PRESENT = 0;

/** A set of 64-bit fingerprints shared between threads; see the module comment. */
export class SharedFingerprintSet {
  /** The memory, to post to other threads (`new SharedFingerprintSet(buffer)` there). */
  readonly buffer: SharedArrayBuffer;
  /** Number of slots of the main table (a power of two). */
  readonly capacity: number;
  private readonly header: Int32Array;
  private readonly side: Int32Array;
  private readonly pairs: Int32Array;
  private readonly mask: number;
  /** 32 − log₂(capacity): the home slot of lo is (lo × GOLDEN) >>> shift. */
  private readonly shift: number;
  private readonly sideMask: number;
  private readonly sideShift: number;

  /** A view of a table made by `create` (in this thread or another). */
  constructor(buffer: SharedArrayBuffer) {
    const capacity = buffer.byteLength >= HEADER_WORDS * 4 ? new Int32Array(buffer, 0, HEADER_WORDS)[CAPACITY] : 0;
    if (capacity < 16 || (capacity & (capacity - 1)) !== 0 || buffer.byteLength !== SharedFingerprintSet.bytesFor(capacity)) {
      throw new Error(`irqcheck bug: not a shared fingerprint table (${buffer.byteLength} bytes)`);
    }
    const sideSlots = sideSlotsFor(capacity);
    this.buffer = buffer;
    this.capacity = capacity;
    this.header = new Int32Array(buffer, 0, HEADER_WORDS);
    this.pairs = new Int32Array(buffer, HEADER_WORDS * 4, capacity * 2);
    this.side = new Int32Array(buffer, (HEADER_WORDS + capacity * 2) * 4, sideSlots * 3);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.sideMask = sideSlots - 1;
    this.sideShift = 32 - Math.log2(sideSlots);
  }

  /** Allocates an empty table of at least `slots` slots (a power of two ≥ 16). */
  static create(slots: number): SharedFingerprintSet {
    let capacity = 16;
    while (capacity < slots && capacity < MAX_CAPACITY) capacity *= 2;
    const buffer = new SharedArrayBuffer(SharedFingerprintSet.bytesFor(capacity));
    new Int32Array(buffer, 0, HEADER_WORDS)[CAPACITY] = capacity;
    return new SharedFingerprintSet(buffer);
  }

  /** Bytes a table of `slots` slots (a power of two ≥ 16) takes. */
  static bytesFor(slots: number): number {
    return (HEADER_WORDS + slots * 2 + sideSlotsFor(slots) * 3) * 4;
  }

  /** The largest capacity a table may have. */
  static get maxCapacity(): number {
    return MAX_CAPACITY;
  }

  /** Number of distinct fingerprints stored (by every thread). */
  get size(): number {
    return Atomics.load(this.header, COUNT);
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.buffer.byteLength;
  }

  /**
   * Adds the fingerprint (hi, lo), both halves taken modulo 2³². Returns the
   * table's size just after the insertion (≥ 1) if it was new,
   * `ALREADY_PRESENT` (0) if it was there, `TABLE_FULL` (-1) if it was not
   * and no slot is free. Safe to call from several threads at once.
   * Allocates nothing.
   */
  add(hi: number, lo: number): number {
    hi |= 0;
    lo |= 0;
    if (hi === 0 || lo === 0) return this.addAside(hi, lo);
    const pairs = this.pairs;
    const mask = this.mask;
    let slot = Math.imul(lo, GOLDEN) >>> this.shift;
    for (let probes = 0; probes <= mask; probes++) {
      const at = slot << 1;
      let claim = Atomics.load(pairs, at);
      if (claim === 0) {
        claim = Atomics.compareExchange(pairs, at, 0, hi);
        if (claim === 0) {
          Atomics.store(pairs, at + 1, lo);
          return Atomics.add(this.header, COUNT, 1) + 1;
        }
      }
      if (claim === hi) {
        // Ours or a namesake's; its lo is at most one store away.
        let l = Atomics.load(pairs, at + 1);
        while (l === 0) l = Atomics.load(pairs, at + 1);
        if (l === lo) return ALREADY_PRESENT;
      }
      slot = (slot + 1) & mask;
    }
    return TABLE_FULL;
  }

  /** True if (hi, lo) is in the table (as far as published). Allocates nothing. */
  has(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 || lo === 0) return this.findAside(hi, lo) >= 0;
    const pairs = this.pairs;
    const mask = this.mask;
    let slot = Math.imul(lo, GOLDEN) >>> this.shift;
    for (let probes = 0; probes <= mask; probes++) {
      const at = slot << 1;
      const claim = Atomics.load(pairs, at);
      if (claim === 0) return false;
      if (claim === hi) {
        let l = Atomics.load(pairs, at + 1);
        while (l === 0) l = Atomics.load(pairs, at + 1);
        if (l === lo) return true;
      }
      slot = (slot + 1) & mask;
    }
    return false;
  }

  /**
   * Adds every fingerprint held in slots [fromSlot, toSlot) to `target`
   * (which must have room), and the side table too if the range holds slot
   * 0. Several threads may copy disjoint ranges into the same target at
   * once; nobody may add to this table meanwhile.
   */
  copyInto(target: SharedFingerprintSet, fromSlot: number, toSlot: number): void {
    // Nobody adds to this table meanwhile, and the message that started the
    // copy ordered its last insertions before it: plain reads suffice here.
    const pairs = this.pairs;
    const end = Math.min(toSlot, this.capacity);
    const start = Math.max(0, fromSlot);
    let copied = 0;
    for (let slot = start; slot < end; slot++) {
      const hi = pairs[slot << 1];
      if (hi === 0) continue;
      target.placeAbsent(hi, pairs[(slot << 1) + 1]);
      copied++;
    }
    Atomics.add(target.header, COUNT, copied);
    if (start === 0 && end > 0) {
      const side = this.side;
      for (let at = 0; at < side.length; at += 3) {
        if (side[at] === FULL && target.addAside(side[at + 1], side[at + 2]) === TABLE_FULL) {
          throw new Error('irqcheck bug: a shared fingerprint table was copied into one too small');
        }
      }
    }
  }

  /**
   * Places a fingerprint known to be absent (a copy from a smaller table,
   * whose fingerprints are distinct; both halves non-zero), without
   * comparing and without counting it; other threads may place others at
   * once.
   */
  private placeAbsent(hi: number, lo: number): void {
    const pairs = this.pairs;
    const mask = this.mask;
    let slot = Math.imul(lo, GOLDEN) >>> this.shift;
    for (let probes = 0; probes <= mask; probes++) {
      const at = slot << 1;
      if (pairs[at] === 0 && Atomics.compareExchange(pairs, at, 0, hi) === 0) {
        Atomics.store(pairs, at + 1, lo);
        return;
      }
      slot = (slot + 1) & mask;
    }
    throw new Error('irqcheck bug: a shared fingerprint table was copied into one too small');
  }

  /** `add` for a fingerprint with a zero half (rare path). */
  private addAside(hi: number, lo: number): number {
    const side = this.side;
    let entry = Math.imul(hi ^ lo, GOLDEN) >>> this.sideShift;
    for (let probes = 0; probes <= this.sideMask; probes++) {
      const at = entry * 3;
      let claim = Atomics.load(side, at);
      if (claim === EMPTY) {
        claim = Atomics.compareExchange(side, at, EMPTY, BUSY);
        if (claim === EMPTY) {
          side[at + 1] = hi;
          side[at + 2] = lo;
          Atomics.store(side, at, FULL);
          return Atomics.add(this.header, COUNT, 1) + 1;
        }
      }
      while (claim === BUSY) claim = Atomics.load(side, at);
      if (side[at + 1] === hi && side[at + 2] === lo) return ALREADY_PRESENT;
      entry = (entry + 1) & this.sideMask;
    }
    return TABLE_FULL;
  }

  /** The side-table entry holding (hi, lo), or -1 (rare path). */
  private findAside(hi: number, lo: number): number {
    const side = this.side;
    let entry = Math.imul(hi ^ lo, GOLDEN) >>> this.sideShift;
    for (let probes = 0; probes <= this.sideMask; probes++) {
      const at = entry * 3;
      let claim = Atomics.load(side, at);
      if (claim === EMPTY) return -1;
      while (claim === BUSY) claim = Atomics.load(side, at);
      if (side[at + 1] === hi && side[at + 2] === lo) return entry;
      entry = (entry + 1) & this.sideMask;
    }
    return -1;
  }
}
