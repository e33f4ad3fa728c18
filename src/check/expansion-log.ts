/**
 * What a breadth-first search with partial-order reduction expanded, kept
 * so that the proviso can be checked after the search instead of enforced
 * during it: for each state expanded in full, its fingerprint; for each
 * state that kept a reduced subset, its fingerprint and those of the states
 * its transitions reached (the stored state, or the twin that stands in
 * for it). The proviso holds when from every state that kept a subset a
 * chain of reduced transitions leads to a full expansion
 * (`everyStateReachesFull`).
 *
 * Hot: `full`, `reduced` and `edge` run once per expansion or successor and
 * allocate only a new chunk when one is full.
 * Layout, in Int32Array chunks: [hi, lo, n, (hi, lo) × n] per expansion,
 * n = -1 for a full one.
 */

/** Slots per chunk (1 MiB). */
const CHUNK_SLOTS = 1 << 18;
const FULL = -1;

export class ExpansionLog {
  private chunks: Int32Array[] = [];
  private chunk = new Int32Array(0);
  private at = 0;
  /** Where the successor count of the reduced expansion being logged is, in `chunk`. */
  private countAt = -1;
  private expansions = 0;
  /** Transitions logged in reduced expansions (the check reverses each). */
  private edges = 0;

  /** Bytes held by the chunks. */
  get bytes(): number {
    return (this.chunks.length + 1) * this.chunk.byteLength;
  }

  /** Bytes `everyStateReachesFull` allocates, at most: its index of the states, its marks, queue and reversed transitions. */
  get checkBytes(): number {
    return FingerprintIndex.bytesFor(this.expansions) + 13 * (this.expansions + 1) + 4 * this.edges;
  }

  /** The state (hi, lo) was expanded in full. */
  full(hi: number, lo: number): void {
    this.reserve(3);
    this.chunk[this.at++] = hi;
    this.chunk[this.at++] = lo;
    this.chunk[this.at++] = FULL;
    this.countAt = -1;
    this.expansions++;
  }

  /** The state (hi, lo) kept a reduced subset; `edge` gives the states its transitions reached, until the next call. */
  reduced(hi: number, lo: number): void {
    this.reserve(3);
    this.chunk[this.at++] = hi;
    this.chunk[this.at++] = lo;
    this.countAt = this.at;
    this.chunk[this.at++] = 0;
    this.expansions++;
  }

  /** The expansion logged last by `reduced` was in full after all (it is redone, or was not reduced). */
  fullAfterAll(): void {
    if (this.countAt < 0) return;
    this.edges -= this.chunk[this.countAt] as number;
    this.at = this.countAt + 1;
    this.chunk[this.countAt] = FULL;
    this.countAt = -1;
  }

  /** A transition of the reduced expansion being logged reached (hi, lo). */
  edge(hi: number, lo: number): void {
    if (this.countAt < 0) return;
    if (this.at + 2 > this.chunk.length) {
      // An expansion's entry stays in one chunk: move it whole to the next.
      const from = this.countAt - 2;
      const entry = this.chunk.slice(from, this.at);
      this.at = from;
      this.reserve(entry.length + 2);
      this.countAt = this.at + 2;
      this.chunk.set(entry, this.at);
      this.at += entry.length;
    }
    this.chunk[this.at++] = hi;
    this.chunk[this.at++] = lo;
    this.chunk[this.countAt]++;
    this.edges++;
  }

  /**
   * Whether every state logged as reduced reaches a state logged as full
   * through the logged transitions. A reached state that was never
   * expanded counts as reaching none. Rare path (once a search ends):
   * allocates an index of the states and the reversed transitions.
   */
  everyStateReachesFull(): boolean {
    const chunks = [...this.chunks, this.chunk.subarray(0, this.at)];
    // Each expansion in the order logged (its id), with its chunk, its entry's offset and its count.
    const forEachExpansion = (visit: (id: number, c: Int32Array, p: number, n: number) => void): void => {
      let id = 0;
      for (const c of chunks) {
        for (let p = 0; p < c.length; ) {
          const n = c[p + 2] as number;
          visit(id++, c, p, n);
          p += 3 + Math.max(0, 2 * n);
        }
      }
    };
    const index = new FingerprintIndex(this.expansions);
    // Marks the states known to reach a full expansion: first the full ones.
    const reaches = new Uint8Array(this.expansions);
    let edges = 0;
    forEachExpansion((id, c, p, n) => {
      index.set(c[p] as number, c[p + 1] as number, id);
      if (n === FULL) reaches[id] = 1;
      else edges += n;
    });
    // Reversed transitions, as lists by target: who reaches each state (counted, then filled).
    const forEachEdge = (visit: (from: number, to: number) => void): void =>
      forEachExpansion((id, c, p, n) => {
        for (let k = 0; k < n; k++) {
          const to = index.get(c[p + 3 + 2 * k] as number, c[p + 4 + 2 * k] as number);
          if (to >= 0) visit(id, to);
        }
      });
    const start = new Int32Array(this.expansions + 1);
    forEachEdge((_, to) => {
      start[to + 1] = (start[to + 1] as number) + 1;
    });
    for (let v = 0; v < this.expansions; v++) start[v + 1] = (start[v + 1] as number) + (start[v] as number);
    const fill = start.slice(0, this.expansions);
    const from = new Int32Array(edges);
    forEachEdge((source, to) => {
      from[fill[to]++] = source;
    });
    // Backwards from the full expansions.
    const queue = new Int32Array(this.expansions);
    let tail = 0;
    for (let v = 0; v < this.expansions; v++) if (reaches[v] === 1) queue[tail++] = v;
    for (let head = 0; head < tail; head++) {
      const v = queue[head] as number;
      for (let k = start[v] as number; k < (start[v + 1] as number); k++) {
        const u = from[k] as number;
        if (reaches[u] === 0) {
          reaches[u] = 1;
          queue[tail++] = u;
        }
      }
    }
    return tail === this.expansions;
  }

  private reserve(slots: number): void {
    if (this.at + slots <= this.chunk.length) return;
    if (this.chunk.length > 0) this.chunks.push(this.chunk.subarray(0, this.at));
    this.chunk = new Int32Array(Math.max(CHUNK_SLOTS, slots));
    this.at = 0;
  }
}

/** 64-bit fingerprints to ids, open addressing (rare path: built once). */
class FingerprintIndex {
  /** Slots for `entries` fingerprints: a power of two, at load ≤ 1/2. */
  static slotsFor(entries: number): number {
    let size = 16;
    while (size < 2 * entries) size *= 2;
    return size;
  }

  /** Bytes of an index of `entries` fingerprints (12 a slot). */
  static bytesFor(entries: number): number {
    return 12 * FingerprintIndex.slotsFor(entries);
  }

  private readonly keys: Int32Array;
  private readonly ids: Int32Array;
  private readonly mask: number;

  constructor(entries: number) {
    const size = FingerprintIndex.slotsFor(entries);
    this.keys = new Int32Array(2 * size);
    this.ids = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  set(hi: number, lo: number, id: number): void {
    let slot = this.home(hi, lo);
    while ((this.ids[slot] as number) >= 0 && (this.keys[2 * slot] !== hi || this.keys[2 * slot + 1] !== lo)) slot = (slot + 1) & this.mask;
    this.keys[2 * slot] = hi;
    this.keys[2 * slot + 1] = lo;
    this.ids[slot] = id;
  }

  /** The id of (hi, lo), or -1. */
  get(hi: number, lo: number): number {
    let slot = this.home(hi, lo);
    for (;;) {
      const id = this.ids[slot] as number;
      if (id < 0) return -1;
      if (this.keys[2 * slot] === hi && this.keys[2 * slot + 1] === lo) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  private home(hi: number, lo: number): number {
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b9) >>> 0) & this.mask;
  }
}
