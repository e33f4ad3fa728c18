/**
 * Runs a check in a worker thread, so that the main thread's event loop
 * stays free to receive Ctrl-C while the search (synchronous, for speed)
 * runs: SIGINT raises a flag in shared memory that the search's
 * `shouldStop` polls, and the search ends as `incomplete` with its partial
 * statistics. Progress arrives as messages.
 *
 * The worker is the compiled `check-worker.js` beside this file; where it
 * does not exist (the TypeScript sources run directly, as in tests), the
 * check runs on the calling thread instead, with the same result. Wiring
 * only.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Progress } from './check/index.js';
import type { ModelConfig } from './compile/index.js';
import { IrqcheckError, type Diagnostic, type TranslationUnit } from './lang/index.js';
import { checkModel, type CheckSettings } from './pipeline.js';
import type { CheckOutcome } from './report/index.js';

/** The settings a worker can receive: everything but the callbacks. */
export type WorkerSettings = Omit<CheckSettings, 'onProgress' | 'shouldStop'>;

/** What the main thread sends the worker (as `workerData`). */
export interface WorkerRequest {
  readonly file: string;
  readonly config: ModelConfig;
  readonly settings: WorkerSettings;
  /** One Int32: nonzero asks the search to stop. */
  readonly stop: SharedArrayBuffer;
}

/** What the worker posts back. */
export type WorkerReply =
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'outcome'; readonly outcome: CheckOutcome }
  | { readonly kind: 'user-error'; readonly diagnostic: Diagnostic }
  | { readonly kind: 'crash'; readonly message: string };

/** A stop flag shared with workers; `raise()` asks every search using it to stop. */
export class StopFlag {
  /** The shared memory a worker's search polls: one Int32, nonzero to stop. */
  readonly buffer = new SharedArrayBuffer(4);
  private readonly cell = new Int32Array(this.buffer);
  /** Asks the searches to stop at their next poll. */
  raise(): void {
    Atomics.store(this.cell, 0, 1);
  }
  /** Whether `raise` was called. */
  get raised(): boolean {
    return Atomics.load(this.cell, 0) !== 0;
  }
}

const WORKER_URL = new URL('./check-worker.js', import.meta.url);

/** Rebuilds a user's error posted by the worker, for the CLI's usual handling. */
function userError(d: Diagnostic): IrqcheckError {
  return new IrqcheckError(d.code, d.message, d.loc, d.hint, d.length);
}

/**
 * Checks one configuration of the model in `unit` (read from `unit.file`)
 * in a worker thread when one is available; resolves to its outcome.
 * `onProgress` is called on this thread; `stop` ends the search early.
 */
export function checkInWorker(unit: TranslationUnit, config: ModelConfig, settings: WorkerSettings, stop: StopFlag, onProgress: (p: Progress) => void): Promise<CheckOutcome> {
  if (!existsSync(fileURLToPath(WORKER_URL))) {
    return Promise.resolve(checkModel(unit, config, { ...settings, onProgress, shouldStop: () => stop.raised }));
  }
  const request: WorkerRequest = { file: unit.file, config, settings, stop: stop.buffer };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: request });
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (reply: WorkerReply) => {
      switch (reply.kind) {
        case 'progress': onProgress(reply.progress); return;
        case 'outcome': settle(() => resolve(reply.outcome)); return;
        case 'user-error': settle(() => reject(userError(reply.diagnostic))); return;
        case 'crash': settle(() => reject(new Error(reply.message))); return;
        default: {
          const never: never = reply;
          throw new Error(`irqcheck bug: worker reply ${JSON.stringify(never)}`);
        }
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the search's worker thread exited (code ${code}) without an outcome`))));
  });
}
