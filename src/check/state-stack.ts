/**
 * The DFS frontier: a LIFO of fixed-length states, each with the transition
 * that reached it, its depth and the two lane sums of its hash
 * (`StateHasher`), stored back to back in Int32Array chunks, each state as
 * its difference from the state pushed before it (state-delta.ts).
 *
 * The top state is kept whole; popping hands it out and applies the top
 * entry's difference to it, which gives back the state below (the encoding
 * is an XOR). Hot: `push` and `pop` run once per new state and allocate
 * nothing except a new chunk when the top one is full and the spare is
 * taken. Entry layout: [delta…, sumA, sumB, transition, depth, entrySlots],
 * read from its end.
 */
import { applyDelta, encodeDelta, maxDeltaWords } from './state-delta.js';

// Offsets back from the end of an entry.
const TRAILER_SLOTS = 1;
const TRAILER_DEPTH = 2;
const TRAILER_TRANSITION = 3;
const TRAILER_SUM_B = 4;
const TRAILER_SUM_A = 5;
const TRAILER = 5;
/** Default chunk size in 32-bit slots (256 KiB). */
const DEFAULT_CHUNK_SLOTS = 1 << 16;
/** The top chunk of an empty stack (full by construction, so push replaces it). */
const EMPTY = new Int32Array(0);

/** A LIFO of (state, transition, depth, lane sums) entries for states of `stateSlots` slots. */
export class StateStack {
  /** Length of every state, in 32-bit slots. */
  readonly stateSlots: number;
  private readonly maxEntrySlots: number;
  private readonly chunkLength: number;
  /** Chunks below the top one, oldest first, and the slots each uses. */
  private readonly below: Int32Array[] = [];
  private readonly belowEnds: number[] = [];
  private top: Int32Array = EMPTY;
  /** Offset (in slots) just past the top entry in `top`. */
  private topAt = 0;
  private count = 0;
  private usedSlots = 0;
  /** One emptied chunk kept, so a stack that hovers at a boundary does not allocate. */
  private spare: Int32Array | null = null;
  /** The top state, whole (zeros when the stack is empty). */
  private readonly topState: Int32Array;

  /**
   * `chunkSlots` is the target chunk size in 32-bit slots (default 65536);
   * a chunk always holds at least one entry, however poorly it encodes.
   * Allocates one state buffer now and no chunk until the first push.
   */
  constructor(stateSlots: number, chunkSlots: number = DEFAULT_CHUNK_SLOTS) {
    this.stateSlots = stateSlots;
    this.maxEntrySlots = maxDeltaWords(stateSlots) + TRAILER;
    this.chunkLength = Math.max(chunkSlots, this.maxEntrySlots);
    this.topState = new Int32Array(stateSlots);
  }

  /** Number of entries on the stack. */
  get length(): number {
    return this.count;
  }

  /** Bytes held: the chunks (spare included) and the top state. */
  get bytes(): number {
    const chunks = this.below.length + (this.top === EMPTY ? 0 : 1) + (this.spare === null ? 0 : 1);
    return chunks * this.chunkLength * 4 + this.stateSlots * 4;
  }

  /** Bytes the entries take in their chunks (not counting the chunks' free space). */
  get entryBytes(): number {
    return this.usedSlots * 4;
  }

  /** Copies `state` (length `stateSlots`) onto the top with its transition, depth and lane sums. */
  push(state: Int32Array, transition: number, depth: number, sumA: number, sumB: number): void {
    let top = this.top;
    if (this.topAt + this.maxEntrySlots > top.length) {
      if (top !== EMPTY) {
        this.below.push(top);
        this.belowEnds.push(this.topAt);
      }
      top = this.spare ?? new Int32Array(this.chunkLength);
      this.spare = null;
      this.top = top;
      this.topAt = 0;
    }
    const at = this.topAt;
    const end = at + encodeDelta(state, this.topState, top, at) + TRAILER;
    top[end - TRAILER_SUM_A] = sumA;
    top[end - TRAILER_SUM_B] = sumB;
    top[end - TRAILER_TRANSITION] = transition;
    top[end - TRAILER_DEPTH] = depth;
    top[end - TRAILER_SLOTS] = end - at;
    this.topAt = end;
    this.usedSlots += end - at;
    this.count++;
  }

  /** Transition of the top entry. The stack must not be empty. */
  topTransition(): number {
    return this.top[this.topAt - TRAILER_TRANSITION];
  }

  /** Depth of the top entry. The stack must not be empty. */
  topDepth(): number {
    return this.top[this.topAt - TRAILER_DEPTH];
  }

  /** Writes the lane sums pushed with the top entry into `out[0]`, `out[1]`. The stack must not be empty. */
  topSums(out: Int32Array): void {
    out[0] = this.top[this.topAt - TRAILER_SUM_A];
    out[1] = this.top[this.topAt - TRAILER_SUM_B];
  }

  /**
   * Removes the top entry, copying its state into `out` (caller-owned,
   * length ≥ `stateSlots`). Read `topTransition`/`topDepth`/`topSums` first
   * if needed. The stack must not be empty. Allocates nothing.
   */
  pop(out: Int32Array): void {
    const top = this.top;
    const end = this.topAt;
    const at = end - top[end - TRAILER_SLOTS];
    out.set(this.topState);
    applyDelta(top, at, this.topState);
    this.topAt = at;
    this.usedSlots -= end - at;
    this.count--;
    if (at === 0) {
      this.spare = top;
      const next = this.below.pop();
      this.top = next ?? EMPTY;
      this.topAt = next === undefined ? 0 : (this.belowEnds.pop() as number);
    }
  }
}
