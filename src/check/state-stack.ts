/**
 * The DFS frontier: a LIFO of fixed-length states, each with the transition
 * that reached it and its depth, stored back to back in Int32Array chunks.
 *
 * Hot: `push` and `pop` run once per new state and allocate nothing except a
 * new chunk when the top one is full and the spare is taken. Chunk layout,
 * per entry: [transition, depth, slot 0, ..., slot stateSlots-1].
 */

const ENTRY_TRANSITION = 0;
const ENTRY_DEPTH = 1;
const ENTRY_HEADER = 2;
/** Default chunk size in 32-bit slots (256 KiB). */
const DEFAULT_CHUNK_SLOTS = 1 << 16;
/** The top chunk of an empty stack (full by construction, so push replaces it). */
const EMPTY = new Int32Array(0);

/** A LIFO of (state, transition, depth) entries for states of `stateSlots` slots. */
export class StateStack {
  /** Length of every state, in 32-bit slots. */
  readonly stateSlots: number;
  private readonly entrySlots: number;
  private readonly chunkLength: number;
  /** Full chunks below the top one, oldest first. */
  private readonly below: Int32Array[] = [];
  private top: Int32Array = EMPTY;
  /** Offset (in slots) just past the top entry in `top`. */
  private topAt = 0;
  private count = 0;
  /** One emptied chunk kept, so a stack that hovers at a boundary does not allocate. */
  private spare: Int32Array | null = null;

  /**
   * `chunkSlots` is the target chunk size in 32-bit slots (default 65536);
   * a chunk always holds at least one entry. Allocates nothing until the
   * first push.
   */
  constructor(stateSlots: number, chunkSlots: number = DEFAULT_CHUNK_SLOTS) {
    this.stateSlots = stateSlots;
    this.entrySlots = stateSlots + ENTRY_HEADER;
    this.chunkLength = Math.max(1, Math.floor(chunkSlots / this.entrySlots)) * this.entrySlots;
  }

  /** Number of entries on the stack. */
  get length(): number {
    return this.count;
  }

  /** Bytes held by the chunks, spare included. */
  get bytes(): number {
    const chunks = this.below.length + (this.top === EMPTY ? 0 : 1) + (this.spare === null ? 0 : 1);
    return chunks * this.chunkLength * 4;
  }

  /** Copies `state` (length `stateSlots`) onto the top with its transition and depth. */
  push(state: Int32Array, transition: number, depth: number): void {
    let top = this.top;
    if (this.topAt === top.length) {
      if (top !== EMPTY) this.below.push(top);
      top = this.spare ?? new Int32Array(this.chunkLength);
      this.spare = null;
      this.top = top;
      this.topAt = 0;
    }
    const at = this.topAt;
    top[at + ENTRY_TRANSITION] = transition;
    top[at + ENTRY_DEPTH] = depth;
    top.set(state, at + ENTRY_HEADER);
    this.topAt = at + this.entrySlots;
    this.count++;
  }

  /** Transition of the top entry. The stack must not be empty. */
  topTransition(): number {
    return this.top[this.topAt - this.entrySlots + ENTRY_TRANSITION];
  }

  /** Depth of the top entry. The stack must not be empty. */
  topDepth(): number {
    return this.top[this.topAt - this.entrySlots + ENTRY_DEPTH];
  }

  /**
   * Removes the top entry, copying its state into `out` (caller-owned,
   * length ≥ `stateSlots`). Read `topTransition`/`topDepth` first if needed.
   * The stack must not be empty. Allocates nothing.
   */
  pop(out: Int32Array): void {
    const top = this.top;
    const at = this.topAt - this.entrySlots;
    const from = at + ENTRY_HEADER;
    const n = this.stateSlots;
    for (let i = 0; i < n; i++) out[i] = top[from + i];
    this.topAt = at;
    this.count--;
    if (at === 0) {
      this.spare = top;
      const next = this.below.pop();
      this.top = next ?? EMPTY;
      this.topAt = next === undefined ? 0 : this.chunkLength;
    }
  }
}
