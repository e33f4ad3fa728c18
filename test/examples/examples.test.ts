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
import { describe, expect, test } from 'vitest';
import { checkModel, configFor, DEFAULT_SETTINGS, loadModel, type CheckSettings } from '../support/built-pipeline.js';
import { describeConfig, EXAMPLES_DIR, listModels, readExpectations, REPO_ROOT } from './expectations.js';

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
