/**
 * The frontier's encoding of a state: the XOR of the state with a reference
 * state (the one written just before it, or zeros), as runs of non-zero
 * words. States queued one after another differ in few words (siblings
 * differ only where their transitions wrote), so an entry is a few words
 * where the state is hundreds. Generic: it knows nothing of what the words
 * mean.
 *
 * Layout, in 32-bit words: [bodyWords, token, literal…, token, literal…, …]
 * where each token is (position << 8) | count: the `count` (1 to 255)
 * literals after it are the XOR at positions position, position + 1, ….
 * Runs come in any order and cover each position at most once; positions
 * not covered are zero. Absolute positions let an encoder that knows where
 * two states may differ (a write log) visit just those words, in the order
 * it knows them (`encodeDeltaWithin`), instead of scanning the state.
 *
 * XOR makes one decoder serve both directions: applying an entry to its
 * reference gives the state, and applying it to the state gives the
 * reference back (which is how a stack pops).
 *
 * Hot: an encoder runs once per new state, `applyDelta` once per state
 * taken off a frontier; none allocates.
 */

import { logVouchesFor, type WriteLog } from './transition-system.js';

const MAX_RUN = 0xff;
const RUN_BITS = 8;
/** Positions must fit in a token beside the count. */
const MAX_SLOTS = 1 << (32 - RUN_BITS);

/** The most words an encoder writes for states of `slots` words. */
export function maxDeltaWords(slots: number): number {
  if (slots > MAX_SLOTS) throw new Error(`irqcheck bug: a state of ${slots} words is more than the frontier's encoding addresses (${MAX_SLOTS})`);
  // One length word; at worst every literal has its own token.
  return 1 + 2 * slots;
}

/** Ranges of word positions: the `count` pairs [ranges[2k], ranges[2k + 1]), which may overlap (a write log is one). */
export interface WordRanges {
  readonly ranges: Int32Array;
  readonly count: number;
}

/**
 * Ranges of word positions collected as they come (the runs a decoder
 * changed): once they are more than `capacity` ranges or cover more than
 * `maxWords` words (counting overlaps), it stops keeping them and stands
 * for every position (`all`).
 */
export class RangeList implements WordRanges {
  readonly ranges: Int32Array;
  count = 0;
  /** Stands for every position of the state. */
  all = false;
  private words = 0;

  constructor(
    capacity: number,
    private readonly maxWords: number = Infinity,
  ) {
    this.ranges = new Int32Array(2 * capacity);
  }

  /** Adds the positions [start, end). */
  add(start: number, end: number): void {
    if (this.all) return;
    this.words += end - start;
    if (2 * this.count === this.ranges.length || this.words > this.maxWords) {
      this.all = true;
      return;
    }
    this.ranges[2 * this.count] = start;
    this.ranges[2 * this.count + 1] = end;
    this.count++;
  }

  /** Replaces the ranges by those of `from` (`all` if they are too many). */
  copy(from: WordRanges): void {
    this.clear();
    for (let k = 0; k < from.count; k++) this.add(from.ranges[2 * k] as number, from.ranges[2 * k + 1] as number);
  }

  /** Empties the list (and drops `all`). */
  clear(): void {
    this.count = 0;
    this.words = 0;
    this.all = false;
  }

  /** Makes the list stand for every position. */
  fill(): void {
    this.all = true;
  }
}

/**
 * Writes the encoding of `state` XOR `reference` into `out` from `at`
 * (which must have `maxDeltaWords` words free) and makes `reference` equal
 * to `state`, comparing every word. Runs come in position order. Returns
 * the number of words written. Both arrays have the same length.
 */
export function encodeDelta(state: Int32Array, reference: Int32Array, out: Int32Array, at: number): number {
  const n = state.length;
  let p = at + 1;
  let i = 0;
  for (;;) {
    // The next differing word. An unchanged block of eight costs one test.
    for (; i + 8 <= n; i += 8) {
      if (
        ((state[i] ^ reference[i]) |
          (state[i + 1] ^ reference[i + 1]) |
          (state[i + 2] ^ reference[i + 2]) |
          (state[i + 3] ^ reference[i + 3]) |
          (state[i + 4] ^ reference[i + 4]) |
          (state[i + 5] ^ reference[i + 5]) |
          (state[i + 6] ^ reference[i + 6]) |
          (state[i + 7] ^ reference[i + 7])) !==
        0
      ) {
        break;
      }
    }
    while (i < n && state[i] === reference[i]) i++;
    if (i >= n) break;
    const token = p++;
    const start = i;
    for (; i < n && i - start < MAX_RUN; i++) {
      const w = state[i];
      const d = w ^ reference[i];
      if (d === 0) break;
      out[p++] = d;
      reference[i] = w;
    }
    out[token] = (start << RUN_BITS) | (i - start);
  }
  out[at] = p - at - 1;
  return p - at;
}

/**
 * Like `encodeDelta`, when `state` and `reference` are known to be equal
 * outside the ranges of `first` and `second`: compares only there, in the
 * order the ranges give the positions (a run goes on while positions are
 * consecutive). A position the ranges give twice is written once: the
 * first visit makes the reference equal to the state there.
 */
export function encodeDeltaWithin(state: Int32Array, reference: Int32Array, out: Int32Array, at: number, first: WordRanges, second: WordRanges): number {
  let p = at + 1;
  let token = -1;
  let start = 0;
  /** The position that would extend the open run. */
  let next = -1;
  for (let pass = 0; pass < 2; pass++) {
    const { ranges, count } = pass === 0 ? first : second;
    for (let k = 0; k < 2 * count; k += 2) {
      for (let i = ranges[k] as number, end = ranges[k + 1] as number; i < end; i++) {
        const w = state[i] as number;
        const d = w ^ (reference[i] as number);
        if (d === 0) continue;
        reference[i] = w;
        if (i !== next || i - start === MAX_RUN) {
          if (token >= 0) out[token] = (start << RUN_BITS) | (next - start);
          token = p++;
          start = i;
        }
        out[p++] = d;
        next = i + 1;
      }
    }
  }
  if (token >= 0) out[token] = (start << RUN_BITS) | (next - start);
  out[at] = p - at - 1;
  return p - at;
}

/**
 * XORs the encoded delta at `from[at]` into `target` (the reference, which
 * becomes the state, or the state, which becomes the reference), and adds
 * to `changed`, if given, the positions it changed. Returns the offset just
 * past the encoding.
 */
export function applyDelta(from: Int32Array, at: number, target: Int32Array, changed: RangeList | null = null): number {
  const end = at + 1 + from[at];
  let p = at + 1;
  while (p < end) {
    const token = from[p++];
    let position = token >>> RUN_BITS;
    const count = token & MAX_RUN;
    if (changed !== null) changed.add(position, position + count);
    const stop = p + count;
    while (p < stop) target[position++] ^= from[p++];
  }
  return end;
}

/**
 * The two reference states of a breadth-first search's delta coding:
 * `decoded`, the state decoded last (the one being expanded), and the state
 * encoded last (the reference of the next entry). The coder knows where
 * the two may differ (the last encoded successor's writes, and the runs
 * decoded since), so a successor of `decoded` that comes with its write
 * log is encoded by visiting those ranges and its own writes: tens of
 * words, not the whole state. The two streams may be one (the queue
 * decodes what it encoded) or two (a level read, the next one written).
 */
export class DeltaCoder {
  /** The state decoded last (zeros after `restartDecoding`). Read it, never write it. */
  readonly decoded: Int32Array;
  private readonly encoded: Int32Array;
  /** Ranges where `encoded` may differ from `decoded`; past a bound, everywhere. */
  private readonly mayDiffer: RangeList;

  constructor(slots: number) {
    this.decoded = new Int32Array(slots);
    this.encoded = new Int32Array(slots);
    // Past half the state's words, comparing every word (eight at a time) is about as cheap.
    this.mayDiffer = new RangeList(Math.max(16, slots >>> 2), slots >>> 1);
    this.mayDiffer.fill();
  }

  /** Bytes the coder holds: its two states and the ranges. */
  get bytes(): number {
    return this.decoded.byteLength + this.encoded.byteLength + this.mayDiffer.ranges.byteLength;
  }

  /** Decodes the entry at `from[at]` into `decoded`; returns the offset just past it. */
  decode(from: Int32Array, at: number): number {
    return applyDelta(from, at, this.decoded, this.mayDiffer);
  }

  /**
   * Encodes `state` against the state encoded last into `out` from `at`
   * (`maxDeltaWords` free); returns the words written. `sinceDecoded`, if it
   * vouches for `state` (its target, count ≥ 0), says `state` equals
   * `decoded` outside its ranges.
   */
  encode(state: Int32Array, sinceDecoded: WriteLog | null, out: Int32Array, at: number): number {
    const mayDiffer = this.mayDiffer;
    const vouched = logVouchesFor(sinceDecoded, state);
    // encoded ≠ state only where encoded ≠ decoded or decoded ≠ state; afterwards encoded (= state) ≠ decoded only in the ranges.
    const written = vouched && !mayDiffer.all ? encodeDeltaWithin(state, this.encoded, out, at, sinceDecoded, mayDiffer) : encodeDelta(state, this.encoded, out, at);
    if (vouched) mayDiffer.copy(sinceDecoded);
    else mayDiffer.fill();
    return written;
  }

  /** The next entry decoded is the first of a chunk (its difference from zeros). */
  restartDecoding(): void {
    this.decoded.fill(0);
    this.mayDiffer.fill();
  }

  /** The next entry encoded starts a chunk (its difference from zeros). */
  restartEncoding(): void {
    this.encoded.fill(0);
    this.mayDiffer.fill();
  }
}
