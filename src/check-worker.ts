/**
 * The entry of the search's worker thread (see check-in-worker.ts): parses
 * the model, checks one configuration, and posts progress, then the
 * outcome or the user's error. Its `shouldStop` reads the stop flag the
 * main thread raises on Ctrl-C. Wiring only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IrqcheckError } from './lang/index.js';
import { checkModel, loadModel } from './pipeline.js';
import type { WorkerReply, WorkerRequest } from './check-in-worker.js';

const request = workerData as WorkerRequest;
const stop = new Int32Array(request.stop);
const post = (reply: WorkerReply): void => parentPort?.postMessage(reply);

try {
  const unit = await loadModel(request.file);
  const outcome = checkModel(unit, request.config, {
    ...request.settings,
    onProgress: (progress) => post({ kind: 'progress', progress }),
    shouldStop: () => Atomics.load(stop, 0) !== 0,
  });
  post({ kind: 'outcome', outcome });
} catch (err) {
  if (err instanceof IrqcheckError) post({ kind: 'user-error', diagnostic: err.diagnostic });
  else post({ kind: 'crash', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
}
