/**
 * A 64-bit fingerprint of a state vector, as two 32-bit halves.
 *
 * Hot: called once per generated successor. One pass over the words feeds two
 * differently built 32-bit hashes (a MurmurHash3-style lane and an
 * xxHash32-style lane, with unrelated constants and seeds), each finished by
 * its own avalanche. Only `Math.imul`, shifts and xor: no allocation, no
 * BigInt.
 *
 * Collision assumptions. The visited table stores only fingerprints (hash
 * compaction, as TLC and SPIN's `-DHC` do), so two distinct states with the
 * same fingerprint are taken for one and the second is never explored. We
 * treat the pair as a random 64-bit function of the state: among n distinct
 * states the chance of any collision is about n² / 2⁶⁵ (1e6 states: 3e-8;
 * 1e8 states: 3e-4). The lanes are not provably independent; they are
 * different in structure (rotation amounts, multipliers, one xors the mixed
 * word in, the other adds it), and we know of no simple relation between
 * states that collides in both; the tests probe structured inputs. A collision
 * can only hide states, so it can turn a violation into `verified`, never
 * invent one.
 */

// MurmurHash3 (x86_32) block constants and finaliser.
const M_C1 = 0xcc9e2d51 | 0;
const M_C2 = 0x1b873593 | 0;
const M_N = 0xe6546b64 | 0;
const M_F1 = 0x85ebca6b | 0;
const M_F2 = 0xc2b2ae35 | 0;
// xxHash32 primes.
const X_P1 = 0x9e3779b1 | 0;
const X_P2 = 0x85ebca77 | 0;
const X_P3 = 0xc2b2ae3d | 0;
const X_P4 = 0x27d4eb2f | 0;
const X_P5 = 0x165667b1 | 0;
// Arbitrary, distinct seeds so that the two lanes start apart.
const SEED_HI = 0x2f0b3c1d | 0;
const SEED_LO = 0x61c88647 | 0;

/** Index of the high half in a fingerprint buffer. */
export const FP_HI = 0;
/** Index of the low half in a fingerprint buffer. */
export const FP_LO = 1;

/**
 * Writes the 64-bit fingerprint of `words` into `out[FP_HI]` and
 * `out[FP_LO]`, as signed 32-bit integers (Int32Array keeps them small
 * integers in V8, where values ≥ 2³¹ would become heap numbers).
 * `out` is caller-owned, length ≥ 2; `words` is only read. Allocates nothing.
 * Deterministic across runs and processes (no random seed), so fingerprints
 * may be shared between workers.
 */
export function hash64(words: Int32Array, out: Int32Array): void {
  let h = SEED_HI;
  let x = SEED_LO;
  const n = words.length;
  for (let i = 0; i < n; i++) {
    const w = words[i] | 0;
    // Murmur lane: scramble the word, xor it in, rotate and step.
    let k = Math.imul(w, M_C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, M_C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + M_N) | 0;
    // xxHash lane: add the scaled word, rotate, multiply.
    x = (x + Math.imul(w, X_P3)) | 0;
    x = (x << 17) | (x >>> 15);
    x = Math.imul(x, X_P4);
  }
  const lengthBytes = n << 2;
  h ^= lengthBytes;
  h ^= h >>> 16;
  h = Math.imul(h, M_F1);
  h ^= h >>> 13;
  h = Math.imul(h, M_F2);
  h ^= h >>> 16;
  x = (x + lengthBytes + X_P5) | 0;
  x ^= x >>> 15;
  x = Math.imul(x, X_P2);
  x ^= x >>> 13;
  x = Math.imul(x, X_P3);
  x ^= x >>> 16;
  x = Math.imul(x ^ (x >>> 11), X_P1);
  x ^= x >>> 15;
  out[FP_HI] = h;
  out[FP_LO] = x;
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
