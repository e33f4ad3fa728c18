/**
 * The frontier's encoding of a state: the XOR of the state with a reference
 * state (the one written just before it, or zeros), run-length coded. States
 * queued one after another differ in few words (siblings differ only where
 * their transitions wrote), so an entry is a few words where the state is
 * hundreds. Generic: it knows nothing of what the words mean.
 *
 * Layout, in 32-bit words: [bodyWords, token, literal…, token, literal…, …]
 * where each token is (skip << 16) | count: skip ≤ 0xffff positions whose
 * XOR is zero, then `count` ≤ 0xffff literals, the XOR of the next `count`
 * positions (every one non-zero, except that a token may carry no literal to
 * skip a longer zero run). Positions after the last literal are zero.
 *
 * XOR makes one decoder serve both directions: applying an entry to its
 * reference gives the state, and applying it to the state gives the
 * reference back (which is how a stack pops).
 *
 * Hot: `encodeDelta` runs once per new state, `applyDelta` once per state
 * taken off a frontier; neither allocates.
 */

const MAX_RUN = 0xffff;

/** Words per block of the marks `encodeDelta` and `applyDelta` take: block k is words [8k, 8k + 8) (`encodeDelta` tests a block in one unrolled expression of eight). */
export const MARK_BLOCK_SHIFT = 3;
const BLOCK_WORDS = 1 << MARK_BLOCK_SHIFT;

/** Blocks covering `slots` words. */
export function markBlocks(slots: number): number {
  return (slots + (1 << MARK_BLOCK_SHIFT) - 1) >>> MARK_BLOCK_SHIFT;
}

/** Sets the marks of the blocks that words [start, end) fall in (end > start). */
export function markWords(marks: Uint8Array, start: number, end: number): void {
  for (let k = start >>> MARK_BLOCK_SHIFT, last = (end - 1) >>> MARK_BLOCK_SHIFT; k <= last; k++) marks[k] = 1;
}

/** The most words `encodeDelta` writes for states of `slots` words. */
export function maxDeltaWords(slots: number): number {
  // One length word; literals + tokens ≤ slots + 1 (a token per run of literals,
  // runs separated by zeros); long runs split in pieces of MAX_RUN add tokens.
  return 2 + slots + 2 * Math.ceil(slots / MAX_RUN);
}

/**
 * Writes the encoding of `state` XOR `reference` into `out` from `at`
 * (which must have `maxDeltaWords` words free) and makes `reference` equal
 * to `state`. Returns the number of words written. Both arrays have the
 * same length. With `marks`, the two are known to be equal outside the
 * blocks it sets (see `markWords`), and only those are compared: how the
 * frontier encodes a successor whose few written words it knows (see
 * state-queue.ts). The words written are the same either way.
 */
export function encodeDelta(state: Int32Array, reference: Int32Array, out: Int32Array, at: number, marks: Uint8Array | null = null): number {
  const n = state.length;
  let p = at + 1;
  let i = 0;
  /** Where the zeros before the next literal run begin. */
  let last = 0;
  for (;;) {
    // The next differing word. An aligned whole block that is not marked, or unchanged, costs one test.
    while (i < n) {
      if ((i & (BLOCK_WORDS - 1)) === 0 && i + BLOCK_WORDS <= n) {
        if (
          (marks !== null && marks[i >>> MARK_BLOCK_SHIFT] === 0) ||
          ((state[i] ^ reference[i]) |
            (state[i + 1] ^ reference[i + 1]) |
            (state[i + 2] ^ reference[i + 2]) |
            (state[i + 3] ^ reference[i + 3]) |
            (state[i + 4] ^ reference[i + 4]) |
            (state[i + 5] ^ reference[i + 5]) |
            (state[i + 6] ^ reference[i + 6]) |
            (state[i + 7] ^ reference[i + 7])) ===
            0
        ) {
          i += BLOCK_WORDS;
          continue;
        }
      } else if (marks !== null && marks[i >>> MARK_BLOCK_SHIFT] === 0) {
        i = (i | (BLOCK_WORDS - 1)) + 1;
        continue;
      }
      if (state[i] !== reference[i]) break;
      i++;
    }
    if (i >= n) break;
    let skip = i - last;
    for (; skip > MAX_RUN; skip -= MAX_RUN) out[p++] = MAX_RUN << 16;
    const token = p++;
    let count = 0;
    for (; i < n && count < MAX_RUN; i++, count++) {
      const w = state[i];
      const d = w ^ reference[i];
      if (d === 0) break;
      out[p++] = d;
      reference[i] = w;
    }
    out[token] = (skip << 16) | count;
    last = i;
  }
  out[at] = p - at - 1;
  return p - at;
}

/**
 * XORs the encoded delta at `from[at]` into `target` (the reference, which
 * becomes the state, or the state, which becomes the reference), and sets
 * in `marks`, if given, the blocks of the words it changed (see
 * `markWords`). Returns the offset just past the encoding.
 */
export function applyDelta(from: Int32Array, at: number, target: Int32Array, marks: Uint8Array | null = null): number {
  const end = at + 1 + from[at];
  let p = at + 1;
  let position = 0;
  while (p < end) {
    const token = from[p++];
    position += token >>> 16;
    const count = token & MAX_RUN;
    if (marks !== null && count > 0) markWords(marks, position, position + count);
    const stop = p + count;
    while (p < stop) target[position++] ^= from[p++];
  }
  return end;
}
