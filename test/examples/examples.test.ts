/**
 * Examples are data: every model under examples/ states its expected verdict
 * in its header, and this suite checks each stated configuration.
 *
 *   Expected: violation msr-during-microcode-update     (the pragma's configuration)
 *   Expected (cpus 2..4, nmis 0..2): verified            (every configuration of the sweep)
 *
 * A sweep names any of cpus, smt and nmis as N or A..B; what it leaves out
 * comes from the model's pragma. A model without an Expected line fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { ModelConfig } from '../../src/compile/index.js';
import { checkModel, configFor, DEFAULT_SETTINGS, loadModel, type CheckSettings } from '../../src/pipeline.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

type ExpectedVerdict = 'verified' | 'violation' | 'incomplete';

/** One `Expected` line: a set of configurations and the verdict for each. */
interface Expectation {
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

function listModels(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listModels(full));
    else if (entry.isFile() && entry.name.endsWith('.c')) out.push(full);
  }
  return out.sort();
}

/** The configurations a sweep such as `cpus 2..4, nmis 0..2` names, as pragma overrides. */
function sweepOverrides(spec: string | undefined, where: string): Partial<ModelConfig>[] {
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
function readExpectations(file: string, text: string): Expectation[] {
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

const describeConfig = (o: Partial<ModelConfig>): string =>
  Object.keys(o).length === 0 ? 'pragma' : Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');

/**
 * A search cannot be interrupted by the test runner's timeout (120 s), so it
 * stops itself first: a stated configuration that takes longer fails as
 * `incomplete` with this message instead of holding the suite for minutes.
 */
const SEARCH_TIME_LIMIT_MS = 90_000;
const SETTINGS: CheckSettings = { ...DEFAULT_SETTINGS, limits: { timeLimitMs: SEARCH_TIME_LIMIT_MS } };
const TOO_SLOW = `the search did not finish in ${SEARCH_TIME_LIMIT_MS / 1000} s: state a smaller configuration in the header (and give larger ones as prose, checked by hand)`;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const models = fs.existsSync(EXAMPLES_DIR) ? listModels(EXAMPLES_DIR) : [];

test('examples/ holds models', () => {
  expect(models.length, `no .c models under ${EXAMPLES_DIR}`).toBeGreaterThan(0);
});

describe.each(models.map((f) => [path.relative(REPO_ROOT, f), f] as const))('%s', (_name, file) => {
  const expectations = readExpectations(file, fs.readFileSync(file, 'utf8'));

  test('states its expected verdict', () => {
    expect(expectations.length, 'the header needs a line "Expected: verified" or "Expected: violation <kind>"').toBeGreaterThan(0);
  });

  const cases = expectations.flatMap((e) => e.overrides.map((o) => ({ e, o, name: `line ${e.line}: ${describeConfig(o)} → ${e.verdict}${e.kind === null ? '' : ` ${e.kind}`}` })));
  test.each(cases)('$name', async ({ e, o }) => {
    const unit = await loadModel(file);
    const config = configFor(unit, o);
    // The search is synchronous: let the worker answer the runner first (its RPC has a timeout).
    await yieldToEventLoop();
    const outcome = checkModel(unit, config, SETTINGS);
    await yieldToEventLoop();
    const found = outcome.violations.find((v) => v.severity === 'error');
    const got = `${outcome.verdict}${found === undefined ? '' : ` ${found.kind}`}`;
    const want = `${e.verdict}${e.kind === null ? '' : ` ${e.kind}`}`;
    const cfg = `cpus ${config.cpus} smt ${config.smt} nmis ${config.nmis}`;
    const why = outcome.limit === 'time' ? TOO_SLOW : (found?.message ?? '');
    expect(got, `${cfg}: ${why}`).toBe(want);
    if (e.verdict === 'violation') expect(found?.trace.length ?? 0).toBeGreaterThan(0);
  });
});
