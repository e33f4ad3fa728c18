/**
 * The BFS frontier: a FIFO of fixed-length states, each with its state id and
 * depth, stored back to back in Int32Array chunks.
 *
 * Hot: `push` and `shift` run once per new state and allocate nothing except
 * a new chunk when the tail one is full and no emptied chunk is spare. Chunk
 * layout, per entry: [id, depth, slot 0, ..., slot stateSlots-1].
 */

const ENTRY_ID = 0;
const ENTRY_DEPTH = 1;
const ENTRY_HEADER = 2;
/** Default chunk size in 32-bit slots (256 KiB). */
const DEFAULT_CHUNK_SLOTS = 1 << 16;
/** Placeholder for a consumed chunk, so the array does not keep it alive. */
const EMPTY = new Int32Array(0);

/** A FIFO of (state, id, depth) entries for states of `stateSlots` slots. */
export class StateQueue {
  /** Length of every state, in 32-bit slots. */
  readonly stateSlots: number;
  private readonly entrySlots: number;
  private readonly entriesPerChunk: number;
  /** Live chunks, oldest first; `chunks[headChunk]` holds the head entry. */
  private chunks: Int32Array[] = [];
  private headChunk = 0;
  /** Offset (in slots) of the head entry in the head chunk. */
  private headAt = 0;
  /** Offset (in slots) of the next free entry in the last chunk. */
  private tailAt = 0;
  private count = 0;
  /** One emptied chunk kept for reuse, so a queue that hovers does not allocate. */
  private spare: Int32Array | null = null;

  /**
   * `chunkSlots` is the target chunk size in 32-bit slots (default 65536);
   * a chunk always holds at least one entry. Allocates nothing until the
   * first push.
   */
  constructor(stateSlots: number, chunkSlots: number = DEFAULT_CHUNK_SLOTS) {
    this.stateSlots = stateSlots;
    this.entrySlots = stateSlots + ENTRY_HEADER;
    this.entriesPerChunk = Math.max(1, Math.floor(chunkSlots / this.entrySlots));
  }

  /** Number of entries queued. */
  get length(): number {
    return this.count;
  }

  /** Bytes held by the chunks, spare included. */
  get bytes(): number {
    const chunkBytes = this.entriesPerChunk * this.entrySlots * 4;
    return (this.chunks.length - this.headChunk + (this.spare === null ? 0 : 1)) * chunkBytes;
  }

  /** Copies `state` (length `stateSlots`) in at the tail with its id and depth. */
  push(state: Int32Array, id: number, depth: number): void {
    const chunkLength = this.entriesPerChunk * this.entrySlots;
    let chunk: Int32Array;
    if (this.chunks.length === this.headChunk || this.tailAt === chunkLength) {
      chunk = this.spare ?? new Int32Array(chunkLength);
      this.spare = null;
      this.chunks.push(chunk);
      this.tailAt = 0;
    } else {
      chunk = this.chunks[this.chunks.length - 1];
    }
    const at = this.tailAt;
    chunk[at + ENTRY_ID] = id;
    chunk[at + ENTRY_DEPTH] = depth;
    chunk.set(state, at + ENTRY_HEADER);
    this.tailAt = at + this.entrySlots;
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
   * Removes the head entry, copying its state into `out` (caller-owned,
   * length ≥ `stateSlots`). Read `headId`/`headDepth` first if needed.
   * The queue must not be empty. Allocates nothing.
   */
  shift(out: Int32Array): void {
    const chunk = this.chunks[this.headChunk];
    const from = this.headAt + ENTRY_HEADER;
    const n = this.stateSlots;
    for (let i = 0; i < n; i++) out[i] = chunk[from + i];
    this.headAt += this.entrySlots;
    this.count--;
    if (this.count === 0) {
      // Empty: keep the only chunk as the spare and start over.
      this.chunks.length = 0;
      this.headChunk = 0;
      this.spare = chunk;
      this.headAt = 0;
      this.tailAt = 0;
    } else if (this.headAt === chunk.length) {
      this.chunks[this.headChunk] = EMPTY;
      this.headChunk++;
      this.headAt = 0;
      this.spare = chunk;
      if (this.headChunk >= 64 && this.headChunk * 2 >= this.chunks.length) {
        this.chunks.splice(0, this.headChunk);
        this.headChunk = 0;
      }
    }
  }
}
