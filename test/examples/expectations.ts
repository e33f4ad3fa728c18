/**
 * The examples' stated verdicts: every model under examples/ states its
 * expected verdict in its header (see examples.test.ts), read here for every
 * suite that checks examples.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelConfig } from '../../src/compile/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

export type ExpectedVerdict = 'verified' | 'violation' | 'incomplete';

/** One `Expected` line: a set of configurations and the verdict for each. */
export interface Expectation {
  readonly line: number;
  /** Overrides of the pragma, one per configuration of the sweep (one empty override for the pragma itself). */
  readonly overrides: readonly Partial<ModelConfig>[];
  readonly verdict: ExpectedVerdict;
  /** The violation kind, for a violation. */
  readonly kind: string | null;
}

const EXPECTED_LINE = /^\s*(?:\/\/|\/?\*+)?\s*Expected(?:\s*\(([^)]*)\))?\s*:\s*(.*?)\s*(?:\*\/)?\s*$/;
const VERDICT = /^(verified|violation|incomplete)(?:\s+([a-z][a-z0-9-]*))?$/;
const SWEEP_PART = /^(cpus|smt|nmis)\s+(\d+)(?:\s*\.\.\s*(\d+))?$/;

export function listModels(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listModels(full));
    else if (entry.isFile() && entry.name.endsWith('.c')) out.push(full);
  }
  return out.sort();
}

/** The configurations a sweep such as `cpus 2..4, nmis 0..2` names, as pragma overrides. */
export function sweepOverrides(spec: string | undefined, where: string): Partial<ModelConfig>[] {
  let configs: Partial<ModelConfig>[] = [{}];
  if (spec === undefined) return configs;
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = SWEEP_PART.exec(part);
    if (m === null) throw new Error(`${where}: cannot read "${part}" (write cpus N, smt N or nmis N, or A..B)`);
    const key = m[1] as keyof ModelConfig;
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to < from) throw new Error(`${where}: empty range ${part}`);
    const next: Partial<ModelConfig>[] = [];
    for (const c of configs) for (let v = from; v <= to; v++) next.push({ ...c, [key]: v });
    configs = next;
  }
  return configs;
}

/** Every `Expected` line of a model's text. */
export function readExpectations(file: string, text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split('\n').forEach((lineText, i) => {
    const m = EXPECTED_LINE.exec(lineText);
    if (m === null) return;
    const where = `${path.relative(REPO_ROOT, file)}:${i + 1}`;
    const v = VERDICT.exec(m[2] ?? '');
    if (v === null) throw new Error(`${where}: cannot read the verdict "${m[2] ?? ''}" (write verified, or violation <kind>)`);
    const verdict = v[1] as ExpectedVerdict;
    const kind = v[2] ?? null;
    if (verdict === 'violation' && kind === null) throw new Error(`${where}: a violation needs its kind, e.g. "violation deadlock"`);
    out.push({ line: i + 1, overrides: sweepOverrides(m[1], where), verdict, kind });
  });
  return out;
}

export const describeConfig = (o: Partial<ModelConfig>): string =>
  Object.keys(o).length === 0 ? 'pragma' : Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');

