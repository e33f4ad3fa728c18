/**
 * What the parallel-search tests need to start worker threads from the
 * TypeScript sources. Worker threads run plain Node, which cannot import
 * `.ts`: the search's worker script and the pipeline come from the build
 * (`ensureBuilt`), and the hand-made systems (systems.ts behind
 * test-system-factory.ts) are transpiled, types stripped, into a temporary
 * folder that the workers import from.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { SystemFactory } from '../../src/check/index.js';
import { ensureBuilt, ROOT } from '../report/built-cli.js';
import type { TestSystemSpec } from './test-system-factory.js';

/** The built worker script of the parallel search. */
export const WORKER_SCRIPT = new URL('dist/check/parallel-bfs-worker.js', pathToFileURL(ROOT));
/** The built pipeline, whose `machineFromRecipe` is the machine's factory export. */
export const BUILT_PIPELINE = new URL('dist/pipeline.js', pathToFileURL(ROOT)).href;

let folder: string | null = null;

/**
 * Builds dist/ if stale and transpiles the test systems (once); returns the
 * URL of the factory module for `testFactory`. Call in `beforeAll`.
 */
export function prepareParallelTests(): string {
  ensureBuilt();
  if (folder === null) {
    folder = mkdtempSync(join(tmpdir(), 'irqcheck-parallel-'));
    for (const name of ['systems', 'test-system-factory']) {
      const text = readFileSync(join(ROOT, 'test/check', `${name}.ts`), 'utf8');
      const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 };
      writeFileSync(join(folder, `${name}.js`), ts.transpileModule(text, { compilerOptions }).outputText);
    }
  }
  return pathToFileURL(join(folder, 'test-system-factory.js')).href;
}

/** Removes the transpiled modules. Call in `afterAll`. */
export function cleanUpParallelTests(): void {
  if (folder !== null) rmSync(folder, { recursive: true, force: true });
  folder = null;
}

/** The factory of a test system, for workers importing the module `prepareParallelTests` gave. */
export function testFactory(moduleUrl: string, spec: TestSystemSpec): SystemFactory {
  return { moduleUrl, exportName: 'buildTestSystem', argument: spec };
}
