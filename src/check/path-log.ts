/**
 * Parent links for BFS traces: for each state id, the id of the state it was
 * first reached from and the transition taken. Ids are dense, given in
 * order by `append`, so the log is two int32 columns, stored interleaved in
 * fixed-size chunks (growth never copies and never doubles the footprint).
 *
 * Hot: `append` runs once per new state and allocates only a new chunk every
 * 32768 states. `pathTo` is the rare path and allocates.
 */

/** log₂ of the entries per chunk; entry k of a chunk is (parent, transition) at 2k, 2k + 1. */
export const PATH_LOG_CHUNK_SHIFT = 15;
const CHUNK_SHIFT = PATH_LOG_CHUNK_SHIFT;
const CHUNK_ENTRIES = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_ENTRIES - 1;
/** The parent id of a root (the initial state). */
export const NO_PARENT = -1;

/** An append-only table: id → (parent id, transition id). 8 bytes a state. */
export class PathLog {
  private readonly chunks: Int32Array[] = [];
  private readonly newChunk: (length: number) => Int32Array;
  private count = 0;

  /**
   * `newChunk` allocates a chunk of `length` zeroed slots (default: a plain
   * Int32Array; the parallel search passes one backed by shared memory, so
   * that another thread can follow the links).
   */
  constructor(newChunk: (length: number) => Int32Array = (length) => new Int32Array(length)) {
    this.newChunk = newChunk;
  }

  /** Number of ids given out. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the chunks. */
  get bytes(): number {
    return this.chunks.length * CHUNK_ENTRIES * 8;
  }

  /**
   * Records a new state reached from `parent` (an id, or `NO_PARENT` for the
   * initial state) by `transition` (-1 for none); returns its id, which is
   * the previous `size`.
   */
  append(parent: number, transition: number): number {
    const id = this.count;
    const offset = id & CHUNK_MASK;
    if (offset === 0) this.chunks.push(this.newChunk(CHUNK_ENTRIES * 2));
    const chunk = this.chunks[id >>> CHUNK_SHIFT];
    chunk[offset << 1] = parent;
    chunk[(offset << 1) + 1] = transition;
    this.count = id + 1;
    return id;
  }

  /** Number of chunks allocated so far. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Chunk `index` (0 ≤ index < `chunkCount`): 2 slots per id, as laid out above. */
  chunk(index: number): Int32Array {
    return this.chunks[index];
  }

  /** Parent id of `id` (`NO_PARENT` for a root). */
  parentOf(id: number): number {
    return this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) << 1];
  }

  /** Transition that first reached `id` (-1 for a root). */
  transitionOf(id: number): number {
    return this.chunks[id >>> CHUNK_SHIFT][((id & CHUNK_MASK) << 1) + 1];
  }

  /**
   * The transitions from the root to `id`, in order (empty for a root).
   * Allocates the returned array.
   */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let at = id; this.parentOf(at) !== NO_PARENT; at = this.parentOf(at)) {
      path.push(this.transitionOf(at));
    }
    return path.reverse();
  }
}
