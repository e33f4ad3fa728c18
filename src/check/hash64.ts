/**
 * A 64-bit fingerprint of a state vector, as two 32-bit halves, built so that
 * a successor's fingerprint costs a comparison with its parent per word, not
 * a hash of every word.
 *
 * Hot: `StateHasher.sumsFrom` runs once per generated successor and
 * `fingerprintOf` once per lookup. Only `Math.imul`, shifts, xor and add: no
 * allocation, no BigInt.
 *
 * The construction (Zobrist hashing with computed keys). Each of two lanes is
 * a sum modulo 2³² over the positions i of a keyed word mix
 *   lane A: Σ mixA(wᵢ ^ KAᵢ) − mixA(KAᵢ)
 *   lane B: Σ mixB(wᵢ + KBᵢ) − mixB(KBᵢ)
 * where KAᵢ, KBᵢ are per-position keys drawn from a fixed pseudo-random
 * sequence (independent seeds), and mixA, mixB are two different xorshift-
 * multiply bijections of 32-bit words (MurmurHash3's finaliser and
 * "lowbias32"). The key enters by xor in one lane and by addition in the
 * other, never by multiplication (w × K is 2³¹ for w = 2³¹ and every odd K,
 * which would make a flag in the top bit hash alike at every position).
 * Hence:
 * - a zero word adds nothing (hence the − mix(K) terms), so a full hash
 *   skips zeros with one compare
 *   (state vectors are mostly zero: unused stack space, idle CPUs);
 * - a sum changes by mix(new) − mix(old) where a word changes, so a
 *   successor's lanes are its parent's plus a correction for the few words
 *   the transition wrote (`sumsFrom`), found by comparing the two vectors;
 * - for a fixed position each term is a bijection of the word, so two states
 *   that differ in one word always differ in both lanes.
 * The lanes and the length then go through two Feistel rounds (a bijection
 * of the 64 bits, so it neither adds nor removes collisions) that spread
 * both lanes over both halves, which the tables' slot choice relies on.
 *
 * Collision assumptions. The visited table stores only fingerprints (hash
 * compaction, as TLC and SPIN's `-DHC` do), so two distinct states with the
 * same fingerprint are taken for one and the second is never explored. We
 * treat the pair as a random 64-bit function of the state: among n distinct
 * states the chance of any collision is about n² / 2⁶⁵ (1e6 states: 3e-8;
 * 1e8 states: 3e-4). Two states that differ in a set D of positions collide
 * when the corrections over D cancel in both lanes; with random keys and
 * good mixes each lane does so with probability about 2⁻³², and the lanes
 * use unrelated keys and mixes. The structured relation we know of: within
 * lane A, exchanging the values w ^ KAᵢ and w′ ^ KAⱼ between two positions i
 * and j (a state with wᵢ = w, wⱼ = w′ ^ KAᵢ ^ KAⱼ against one with
 * wᵢ = w′, wⱼ = w ^ KAᵢ ^ KAⱼ) cancels, for every w and w′; lane B keys by
 * addition, so it cancels too only for particular values, not for a family.
 * A collision can only hide states, so it can turn a violation into
 * `verified`, never invent one.
 *
 * Deterministic across runs and processes (fixed seeds), so fingerprints may
 * be shared between workers.
 */

/** Index of the high half in a fingerprint buffer. */
export const FP_HI = 0;
/** Index of the low half in a fingerprint buffer. */
export const FP_LO = 1;
/** Index of lane A in a lane-sums buffer. */
export const SUM_A = 0;
/** Index of lane B in a lane-sums buffer. */
export const SUM_B = 1;

// Seeds of the two key sequences and of the Feistel rounds: arbitrary, distinct.
const KEY_SEED_A = 0x2f0b3c1d | 0;
const KEY_SEED_B = 0x61c88647 | 0;
const LENGTH_KEY = 0x27d4eb2f | 0;
const ROUND_1 = 0x165667b1 | 0;
const ROUND_2 = 0x3c6ef372 | 0;
const GOLDEN = 0x9e3779b9 | 0;

/** MurmurHash3's 32-bit finaliser: a bijection with 0 ↦ 0. */
function mixA(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** "lowbias32" (Wellons' hash prospector): another bijection with 0 ↦ 0. */
function mixB(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return x ^ (x >>> 16);
}

/** The key of `position` in the sequence of `seed`. */
function keyAt(position: number, seed: number): number {
  return mixA((Math.imul(position + 1, GOLDEN) + seed) | 0);
}

/**
 * Writes the fingerprint of a vector of `length` words whose lane sums are
 * (a, b) into `out[FP_HI]`, `out[FP_LO]` (signed 32-bit; Int32Array keeps them
 * small integers in V8). For a fixed length a bijection of (a, b).
 */
export function fingerprintOf(a: number, b: number, length: number, out: Int32Array): void {
  a = (a + Math.imul(length, LENGTH_KEY)) | 0;
  b ^= mixB((a + ROUND_1) | 0);
  a ^= mixA((b + ROUND_2) | 0);
  out[FP_HI] = a;
  out[FP_LO] = b;
}

/**
 * The lane sums of state vectors of one length, with the per-position keys
 * computed once (8 bytes a position). One per search (or worker); its
 * methods allocate nothing. A correction is written
 * `(a + ((x − y) | 0)) | 0`, int32 at every step: written `(a + x − y) | 0`,
 * V8 kept the running sums as boxed doubles.
 */
export class StateHasher {
  /** Length of the vectors hashed, in 32-bit slots. */
  readonly slots: number;
  private readonly keysA: Int32Array;
  private readonly keysB: Int32Array;
  /** mixA(KAᵢ) and mixB(KBᵢ): what a zero word would add, taken off so that it adds nothing. */
  private readonly zerosA: Int32Array;
  private readonly zerosB: Int32Array;
  /** `sumsOver`'s marks of the positions it has corrected: those equal to `epoch` were, in this call. */
  private readonly seen: Uint32Array;
  private epoch = 0;

  /** Computes the keys of `slots` positions (16 bytes a position). */
  constructor(slots: number) {
    this.slots = slots;
    [this.keysA, this.keysB] = laneKeys(slots);
    this.zerosA = new Int32Array(slots);
    this.zerosB = new Int32Array(slots);
    this.seen = new Uint32Array(slots);
    for (let i = 0; i < slots; i++) {
      this.zerosA[i] = mixA(this.keysA[i]);
      this.zerosB[i] = mixB(this.keysB[i]);
    }
  }

  /** Writes the lane sums of `words` (length `slots`) into `out[SUM_A]`, `out[SUM_B]`. */
  sums(words: Int32Array, out: Int32Array): void {
    const keysA = this.keysA;
    const keysB = this.keysB;
    const zerosA = this.zerosA;
    const zerosB = this.zerosB;
    const n = this.slots;
    let a = 0;
    let b = 0;
    let i = 0;
    // Four words at a time: most blocks are all zero and cost one test.
    for (; i + 4 <= n; i += 4) {
      if ((words[i] | words[i + 1] | words[i + 2] | words[i + 3]) === 0) continue;
      for (let j = i; j < i + 4; j++) {
        const w = words[j];
        if (w === 0) continue;
        a = (a + ((mixA(w ^ keysA[j]) - zerosA[j]) | 0)) | 0;
        b = (b + ((mixB((w + keysB[j]) | 0) - zerosB[j]) | 0)) | 0;
      }
    }
    for (; i < n; i++) {
      const w = words[i];
      if (w === 0) continue;
      a = (a + ((mixA(w ^ keysA[i]) - zerosA[i]) | 0)) | 0;
      b = (b + ((mixB((w + keysB[i]) | 0) - zerosB[i]) | 0)) | 0;
    }
    out[SUM_A] = a;
    out[SUM_B] = b;
  }

  /** Writes into `out` the lane sums `a`, `b` of a vector corrected for word `i` changing from `from` to `to`. */
  withWord(a: number, b: number, i: number, from: number, to: number, out: Int32Array): void {
    const ka = this.keysA[i] as number;
    const kb = this.keysB[i] as number;
    out[SUM_A] = (a + mixA(to ^ ka) - mixA(from ^ ka)) | 0;
    out[SUM_B] = (b + mixB((to + kb) | 0) - mixB((from + kb) | 0)) | 0;
  }

  /**
   * Writes the lane sums of `words` into `out`, given `base` (same length)
   * and its sums (baseA, baseB): the base's sums corrected where the two
   * differ. Equals `sums(words)` whatever the vectors; fast when they differ
   * in few words (a successor and its parent).
   */
  sumsFrom(base: Int32Array, baseA: number, baseB: number, words: Int32Array, out: Int32Array): void {
    const keysA = this.keysA;
    const keysB = this.keysB;
    const n = this.slots;
    let a = baseA | 0;
    let b = baseB | 0;
    let i = 0;
    // Eight words at a time: almost every block is unchanged and costs one test.
    for (; i + 8 <= n; i += 8) {
      const d0 = (words[i] ^ base[i]) | (words[i + 1] ^ base[i + 1]);
      const d1 = (words[i + 2] ^ base[i + 2]) | (words[i + 3] ^ base[i + 3]);
      const d2 = (words[i + 4] ^ base[i + 4]) | (words[i + 5] ^ base[i + 5]);
      const d3 = (words[i + 6] ^ base[i + 6]) | (words[i + 7] ^ base[i + 7]);
      if ((d0 | d1 | d2 | d3) === 0) continue;
      for (let j = i; j < i + 8; j++) {
        const w = words[j];
        const v = base[j];
        if (w === v) continue;
        a = (a + ((mixA(w ^ keysA[j]) - mixA(v ^ keysA[j])) | 0)) | 0;
        b = (b + ((mixB((w + keysB[j]) | 0) - mixB((v + keysB[j]) | 0)) | 0)) | 0;
      }
    }
    for (; i < n; i++) {
      const w = words[i];
      const v = base[i];
      if (w === v) continue;
      a = (a + ((mixA(w ^ keysA[i]) - mixA(v ^ keysA[i])) | 0)) | 0;
      b = (b + ((mixB((w + keysB[i]) | 0) - mixB((v + keysB[i]) | 0)) | 0)) | 0;
    }
    out[SUM_A] = a;
    out[SUM_B] = b;
  }

  /**
   * The lane sums of `base` with runs of its words replaced, into `out`:
   * `runs` runs from `patch[at]`, each [start, end, the end − start new
   * words]; no position in two runs. `base` itself is not written.
   */
  sumsPatched(base: Int32Array, baseA: number, baseB: number, patch: Int32Array, at: number, runs: number, out: Int32Array): void {
    const keysA = this.keysA;
    const keysB = this.keysB;
    let a = baseA | 0;
    let b = baseB | 0;
    let p = at;
    for (let r = 0; r < runs; r++) {
      const start = patch[p] as number;
      const end = patch[p + 1] as number;
      p += 2;
      for (let i = start; i < end; i++) {
        const w = patch[p++] as number;
        const v = base[i] as number;
        if (w === v) continue;
        a = (a + ((mixA(w ^ keysA[i]) - mixA(v ^ keysA[i])) | 0)) | 0;
        b = (b + ((mixB((w + keysB[i]) | 0) - mixB((v + keysB[i]) | 0)) | 0)) | 0;
      }
    }
    out[SUM_A] = a;
    out[SUM_B] = b;
  }

  /**
   * Like `sumsFrom`, but looks only inside the `count` ranges [ranges[2k],
   * ranges[2k + 1]) (overlaps allowed): equals `sums(words)` when the two
   * vectors are equal outside them. Each position is corrected once,
   * however many ranges cover it.
   */
  sumsOver(base: Int32Array, baseA: number, baseB: number, words: Int32Array, ranges: Int32Array, count: number, out: Int32Array): void {
    const keysA = this.keysA;
    const keysB = this.keysB;
    const seen = this.seen;
    if (++this.epoch === 0x1_0000_0000) {
      seen.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    let a = baseA | 0;
    let b = baseB | 0;
    for (let k = 0; k < 2 * count; k += 2) {
      for (let i = ranges[k] as number, end = ranges[k + 1] as number; i < end; i++) {
        const w = words[i] as number;
        const v = base[i] as number;
        // An unchanged word adds nothing however often the ranges give it; a changed one, once.
        if (w === v || seen[i] === epoch) continue;
        seen[i] = epoch;
        a = (a + ((mixA(w ^ keysA[i]) - mixA(v ^ keysA[i])) | 0)) | 0;
        b = (b + ((mixB((w + keysB[i]) | 0) - mixB((v + keysB[i]) | 0)) | 0)) | 0;
      }
    }
    out[SUM_A] = a;
    out[SUM_B] = b;
  }
}

/**
 * Writes the 64-bit fingerprint of `words` into `out[FP_HI]` and
 * `out[FP_LO]`: the same value as `fingerprintOf` over a `StateHasher`'s
 * sums. `out` is caller-owned, length ≥ 2; `words` is only read. Allocates
 * nothing, but computes each key as it goes: for one-off fingerprints (the
 * searches use a `StateHasher`).
 */
export function hash64(words: Int32Array, out: Int32Array): void {
  let a = 0;
  let b = 0;
  const n = words.length;
  for (let i = 0; i < n; i++) {
    const w = words[i];
    if (w === 0) continue;
    const keyA = keyAt(i, KEY_SEED_A);
    const keyB = keyAt(i, KEY_SEED_B);
    a = (a + ((mixA(w ^ keyA) - mixA(keyA)) | 0)) | 0;
    b = (b + ((mixB((w + keyB) | 0) - mixB(keyB)) | 0)) | 0;
  }
  fingerprintOf(a, b, n, out);
}

/** The per-position keys of lanes A and B. Allocates. */
export function laneKeys(slots: number): [Int32Array, Int32Array] {
  const a = new Int32Array(slots);
  const b = new Int32Array(slots);
  for (let i = 0; i < slots; i++) {
    a[i] = keyAt(i, KEY_SEED_A);
    b[i] = keyAt(i, KEY_SEED_B);
  }
  return [a, b];
}

/** 2⁶⁵, the denominator of the birthday estimate for 64-bit fingerprints. */
const TWO_POW_65 = 2 ** 65;

/**
 * The probability that a fingerprint collision hid a state, reported at the
 * end of a search as TLC reports its own: under the assumption above
 * (fingerprints behave as random 64-bit values), the chance that some two of
 * `states` distinct states share a fingerprint, the birthday estimate
 * 1 − exp(−n(n − 1) / 2⁶⁵) ≈ n² / 2⁶⁵ (1e6 states: 2.7e-8; 1e8: 2.7e-4).
 * (TLC's "calculated (optimistic)" figure is n(g − n) / 2⁶⁴ for g states
 * generated, which counts the lookups that could have hit a wrong
 * fingerprint; it is a few times larger when each state has several
 * successors.) Not a bound: a hash worse than random on the model's states
 * makes it optimistic. Cold: called once per search.
 */
export function collisionProbability(states: number): number {
  if (states < 2) return 0;
  return -Math.expm1(-(states * (states - 1)) / TWO_POW_65);
}
