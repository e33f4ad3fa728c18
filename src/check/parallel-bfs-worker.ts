/**
 * The entry of a parallel BFS worker thread (see parallel-bfs.ts): builds
 * this thread's system from the `SystemFactory` in `workerData`, says ready,
 * then answers the coordinator's messages through a `LevelWorker`. A factory
 * that fails is reported as `failed`; an exception while searching (a bug)
 * reaches the coordinator as the worker's `error` event. Wiring only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LevelWorker } from './level-worker.js';
import type { CoordinatorMessage, WorkerInit, WorkerMessage } from './parallel-bfs-protocol.js';
import type { TransitionSystem } from './transition-system.js';

const init = workerData as WorkerInit | null;
const port = parentPort;

if (port !== null && init !== null && init.kind === 'irqcheck-parallel-bfs') {
  const post = (message: WorkerMessage): void => port.postMessage(message);
  let system: TransitionSystem | null = null;
  try {
    const module = (await import(init.factory.moduleUrl)) as Record<string, unknown>;
    const build = module[init.factory.exportName];
    if (typeof build !== 'function') throw new Error(`${init.factory.moduleUrl} has no function export \`${init.factory.exportName}\``);
    system = await (build as (argument: unknown) => TransitionSystem | Promise<TransitionSystem>)(init.factory.argument);
  } catch (err) {
    post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
  if (system !== null) {
    const worker = new LevelWorker(system, init, post);
    port.on('message', (message: CoordinatorMessage) => worker.handle(message));
    post({ kind: 'ready', stateSlots: system.stateSlots });
  }
}
