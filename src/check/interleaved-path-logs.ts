/**
 * The parallel search's parent links as the coordinating thread reads them.
 * Each worker appends the states it stores to its own `PathLog`, whose chunks
 * live in shared memory and are announced to the coordinator as they are
 * made. State ids interleave the workers' logs: the k-th state of worker w
 * has id k × workers + w, so every thread gives ids without coordinating and
 * the log holding an id is id mod workers.
 *
 * Rare path: `pathTo` runs once per reported finding and allocates.
 */
import { NO_PARENT, PATH_LOG_CHUNK_SHIFT } from './path-log.js';

const CHUNK_MASK = (1 << PATH_LOG_CHUNK_SHIFT) - 1;

/** The global id of the `local`-th state stored by `worker` of `workers`. */
export function interleavedId(local: number, worker: number, workers: number): number {
  return local * workers + worker;
}

/** Read-only parent links over every worker's shared `PathLog` chunks. */
export class InterleavedPathLogs {
  private readonly chunks: Int32Array[][];
  private chunkBytes = 0;

  constructor(private readonly workers: number) {
    this.chunks = Array.from({ length: workers }, () => []);
  }

  /** Bytes of all chunks announced. */
  get bytes(): number {
    return this.chunkBytes;
  }

  /** Appends chunks worker `worker` made, in the order it made them. */
  addChunks(worker: number, buffers: readonly SharedArrayBuffer[]): void {
    for (const buffer of buffers) {
      this.chunks[worker].push(new Int32Array(buffer));
      this.chunkBytes += buffer.byteLength;
    }
  }

  /** The transitions from the initial state to state `id`, in order. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let at = id; ;) {
      const worker = at % this.workers;
      const local = (at - worker) / this.workers;
      const chunk = this.chunks[worker][local >>> PATH_LOG_CHUNK_SHIFT];
      if (chunk === undefined) throw new Error(`irqcheck bug: no parent link for state ${at}`);
      const parent = chunk[(local & CHUNK_MASK) << 1];
      if (parent === NO_PARENT) break;
      path.push(chunk[((local & CHUNK_MASK) << 1) + 1]);
      at = parent;
    }
    return path.reverse();
  }
}
