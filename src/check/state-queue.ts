/**
 * The BFS frontier: a FIFO of fixed-length states, each with its state id,
 * depth and the two lane sums of its hash (`StateHasher`), stored back to
 * back in Int32Array chunks, each state as its difference from the state
 * queued before it (state-delta.ts). States queued one after another are
 * mostly siblings and differ in a few words, so an entry takes a few hundred
 * bytes where the state takes kilobytes.
 *
 * Hot: `push` and `shift` run once per new state and allocate nothing except
 * a new chunk when the tail one is full and no emptied chunk is spare.
 * Entry layout: [id, depth, sumA, sumB, tag, memo…, delta…], the memo
 * `memoSlots` words the caller keeps with each state (a symmetry's, see
 * `StateSymmetry.memoSlots`). The first entry of a chunk is its difference
 * from zeros, so a chunk decodes on its own.
 *
 * A successor of the state shifted last comes with the write log that made
 * it, and is encoded from its writes (`DeltaCoder`).
 */
import { DeltaCoder, maxDeltaWords } from './state-delta.js';
import type { WriteLog } from './transition-system.js';

const ENTRY_ID = 0;
const ENTRY_DEPTH = 1;
const ENTRY_SUM_A = 2;
const ENTRY_SUM_B = 3;
const ENTRY_TAG = 4;
const ENTRY_HEADER = 5;
/** Default chunk size in 32-bit slots (256 KiB). */
const DEFAULT_CHUNK_SLOTS = 1 << 16;
/** Placeholder for a consumed chunk, so the array does not keep it alive. */
const EMPTY = new Int32Array(0);

/** A FIFO of (state, id, depth, lane sums) entries for states of `stateSlots` slots. */
export class StateQueue {
  /** Length of every state, in 32-bit slots. */
  readonly stateSlots: number;
  /** Words of memo kept with each entry. */
  readonly memoSlots: number;
  /** The memo pushed with the entry shifted last. */
  readonly shiftedMemo: Int32Array;
  private readonly headerSlots: number;
  private readonly maxEntrySlots: number;
  private readonly chunkLength: number;
  /** Live chunks, oldest first; `chunks[headChunk]` holds the head entry. */
  private chunks: Int32Array[] = [];
  /** Slots used in each chunk but the last (whose end is `tailAt`). */
  private ends: number[] = [];
  private headChunk = 0;
  /** Offset (in slots) of the head entry in the head chunk. */
  private headAt = 0;
  /** Offset (in slots) of the next free slot in the last chunk. */
  private tailAt = 0;
  private count = 0;
  /** Slots taken by the queued entries. */
  private usedSlots = 0;
  /** One emptied chunk kept for reuse, so a queue that hovers does not allocate. */
  private spare: Int32Array | null = null;
  /** The states pushed and shifted last: the references of the next push and shift. */
  private readonly coder: DeltaCoder;
  private shiftedIdValue = -1;
  private shiftedSumA = 0;
  private shiftedSumB = 0;
  private shiftedTagValue = -1;

  /**
   * `chunkSlots` is the target chunk size in 32-bit slots (default 65536);
   * a chunk always holds at least one entry, however poorly it encodes.
   * `memoSlots` words go with each entry (see `push`). Allocates two state
   * buffers now and no chunk until the first push.
   */
  constructor(stateSlots: number, chunkSlots: number = DEFAULT_CHUNK_SLOTS, memoSlots = 0) {
    this.stateSlots = stateSlots;
    this.memoSlots = memoSlots;
    this.shiftedMemo = new Int32Array(memoSlots);
    this.headerSlots = ENTRY_HEADER + memoSlots;
    this.maxEntrySlots = this.headerSlots + maxDeltaWords(stateSlots);
    this.chunkLength = Math.max(chunkSlots, this.maxEntrySlots);
    this.coder = new DeltaCoder(stateSlots);
  }

  /** Number of entries queued. */
  get length(): number {
    return this.count;
  }

  /** Bytes held: the chunks (spare included) and the coder's reference states and scratch. */
  get bytes(): number {
    const chunks = this.chunks.length - this.headChunk + (this.spare === null ? 0 : 1);
    return chunks * this.chunkLength * 4 + this.coder.bytes;
  }

  /** Bytes the queued entries take in their chunks (not counting the chunks' free space). */
  get entryBytes(): number {
    return this.usedSlots * 4;
  }

  /**
   * Copies `state` (length `stateSlots`) in at the tail with its id, depth,
   * lane sums (any two int32 the caller wants back, see `shiftedSums`), a
   * tag (any int32, see `shiftedTag`) and, when the queue keeps a memo, the
   * first `memoSlots` words of `memo` (see `shiftedMemo`). `sinceShifted`,
   * if it vouches for `state` (`target` is `state`, `count` ≥ 0), says
   * `state` equals the state shifted last outside its ranges.
   */
  push(state: Int32Array, id: number, depth: number, sumA: number, sumB: number, tag = -1, memo: Int32Array | null = null, sinceShifted: WriteLog | null = null): void {
    let chunk: Int32Array;
    if (this.chunks.length === this.headChunk) {
      chunk = this.startChunk();
    } else if (this.tailAt + this.maxEntrySlots > this.chunkLength) {
      this.ends[this.chunks.length - 1] = this.tailAt;
      chunk = this.startChunk();
    } else {
      chunk = this.chunks[this.chunks.length - 1];
    }
    const at = this.tailAt;
    chunk[at + ENTRY_ID] = id;
    chunk[at + ENTRY_DEPTH] = depth;
    chunk[at + ENTRY_SUM_A] = sumA;
    chunk[at + ENTRY_SUM_B] = sumB;
    chunk[at + ENTRY_TAG] = tag;
    const header = this.headerSlots;
    for (let i = ENTRY_HEADER; i < header; i++) chunk[at + i] = memo === null ? 0 : (memo[i - ENTRY_HEADER] as number);
    const slots = header + this.coder.encode(state, sinceShifted, chunk, at + header);
    this.tailAt = at + slots;
    this.usedSlots += slots;
    this.count++;
  }

  /** Id of the head entry. The queue must not be empty. */
  headId(): number {
    return this.chunks[this.headChunk][this.headAt + ENTRY_ID];
  }

  /** Depth of the head entry. The queue must not be empty. */
  headDepth(): number {
    return this.chunks[this.headChunk][this.headAt + ENTRY_DEPTH];
  }

  /**
   * Removes the head entry and returns its state, keeping its id and sums
   * for `shiftedId` and `shiftedSums`. The array is the queue's own, the
   * reference its next shift decodes against: read it, never write it; it
   * holds the state until the next shift. Read `headId`/`headDepth` first
   * if needed. The queue must not be empty. Allocates nothing.
   */
  shift(): Int32Array {
    const chunk = this.chunks[this.headChunk];
    const at = this.headAt;
    if (at === 0) this.coder.restartDecoding();
    this.shiftedIdValue = chunk[at + ENTRY_ID];
    this.shiftedSumA = chunk[at + ENTRY_SUM_A];
    this.shiftedSumB = chunk[at + ENTRY_SUM_B];
    this.shiftedTagValue = chunk[at + ENTRY_TAG];
    const header = this.headerSlots;
    for (let i = ENTRY_HEADER; i < header; i++) this.shiftedMemo[i - ENTRY_HEADER] = chunk[at + i] as number;
    const next = this.coder.decode(chunk, at + header);
    this.usedSlots -= next - at;
    this.headAt = next;
    this.count--;
    if (this.count === 0) {
      // Empty: keep the only chunk as the spare and start over.
      this.chunks.length = 0;
      this.ends.length = 0;
      this.headChunk = 0;
      this.spare = chunk;
      this.headAt = 0;
      this.tailAt = 0;
    } else if (this.headChunk < this.chunks.length - 1 && next === this.ends[this.headChunk]) {
      this.chunks[this.headChunk] = EMPTY;
      this.headChunk++;
      this.headAt = 0;
      this.spare = chunk;
      if (this.headChunk >= 64 && this.headChunk * 2 >= this.chunks.length) {
        this.chunks.splice(0, this.headChunk);
        this.ends.splice(0, this.headChunk);
        this.headChunk = 0;
      }
    }
    return this.coder.decoded;
  }

  /** Id of the entry shifted last (-1 before the first shift). */
  get shiftedId(): number {
    return this.shiftedIdValue;
  }

  /** The tag pushed with the entry shifted last (-1 before the first shift). */
  get shiftedTag(): number {
    return this.shiftedTagValue;
  }

  /** Writes the sums pushed with the entry shifted last into `out[0]`, `out[1]`. */
  shiftedSums(out: Int32Array): void {
    out[0] = this.shiftedSumA;
    out[1] = this.shiftedSumB;
  }

  /** Appends a chunk (the spare if any) and starts it from zeros. */
  private startChunk(): Int32Array {
    const chunk = this.spare ?? new Int32Array(this.chunkLength);
    this.spare = null;
    this.chunks.push(chunk);
    this.ends.push(0);
    this.tailAt = 0;
    this.coder.restartEncoding();
    return chunk;
  }
}
