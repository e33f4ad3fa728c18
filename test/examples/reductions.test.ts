/**
 * The reductions and search strategies never change a verdict: on every
 * stated configuration of every example (the first of each sweep, up to 6
 * CPUs), the
 * verdict and the violation's kind are the same with partial-order
 * reduction and without it and with two search workers, and the verdict is
 * the same with the depth-first search. Without reductions, the
 * breadth-first search with one or two workers stores exactly the same
 * states; with partial-order reduction it stores no more than without.
 * The raw breadth-first search (no reduction at all) finds the same
 * violation, and stores and counts the same states and transitions, with
 * transitions recalled from a state's parent as with every transition run;
 * each recalled CPU is also run afresh and must give the same successors.
 * Along the way, every successor of every search is fingerprinted both from
 * the words the machine says it wrote and from a whole comparison with its
 * parent, and the two must agree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CheckOutcome } from '../../src/report/index.js';
import { checkModel, checkModelParallel, configFor, DEFAULT_SETTINGS, loadModel, type CheckSettings } from '../support/built-pipeline.js';
import { describeConfig, EXAMPLES_DIR, listModels, readExpectations, REPO_ROOT } from './expectations.js';

const LIMITS = { timeLimitMs: 60_000 };
const MAX_COMPARED_CPUS = 6;
// Every search here also checks the machine's write log against whole-state comparisons (it throws on a miss).
const REDUCED: CheckSettings = { ...DEFAULT_SETTINGS, limits: LIMITS, verifyWrites: true };
const PLAIN: CheckSettings = { ...REDUCED, partialOrder: false };
const DEPTH_FIRST: CheckSettings = { ...PLAIN, search: 'dfs' };
const RAW: CheckSettings = { ...PLAIN, symmetry: false };
const RAW_UNRECALLED: CheckSettings = { ...RAW, recallTransitions: false };

const verdictOf = (o: CheckOutcome): string => {
  const found = o.violations.find((v) => v.severity === 'error');
  return `${o.verdict}${found === undefined ? '' : ` ${found.kind}`}`;
};

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const models = fs.existsSync(EXAMPLES_DIR) ? listModels(EXAMPLES_DIR) : [];

describe.each(models.map((f) => [path.relative(REPO_ROOT, f), f] as const))('%s', (_name, file) => {
  // The first configuration of each Expected line, up to 6 CPUs: the four searches of a sweep's largest, or of
  // 8 CPUs without reductions, would take minutes.
  const cases = readExpectations(file, fs.readFileSync(file, 'utf8'))
    .flatMap((e) => e.overrides.slice(0, 1).map((o) => ({ o, name: describeConfig(o) })))
    .filter(({ o }) => (o.cpus ?? 0) <= MAX_COMPARED_CPUS);
  test.each(cases)('$name: same verdict with and without partial-order reduction, depth-first, on two workers', async ({ o }) => {
    const unit = await loadModel(file);
    const config = configFor(unit, o);
    await yieldToEventLoop();
    const reduced = checkModel(unit, config, REDUCED);
    await yieldToEventLoop();
    const plain = checkModel(unit, config, PLAIN);
    await yieldToEventLoop();
    const depthFirst = checkModel(unit, config, DEPTH_FIRST);
    const parallel = await checkModelParallel(unit, config, PLAIN, 2);
    const want = verdictOf(plain);
    expect(want).not.toMatch(/^incomplete/);
    expect(verdictOf(reduced), 'with partial-order reduction').toBe(want);
    // Depth-first may find another of a model's violations first: the verdict must agree, not the kind.
    expect(depthFirst.verdict, 'depth-first').toBe(plain.verdict);
    expect(verdictOf(parallel), 'two workers').toBe(want);
    if (plain.verdict === 'verified') {
      expect(parallel.stats.states, 'two workers store the same states').toBe(plain.stats.states);
      expect(depthFirst.stats.states, 'depth-first stores the same states').toBe(plain.stats.states);
      expect(reduced.stats.states, 'the reduction only removes states').toBeLessThanOrEqual(plain.stats.states);
    }
  });

  test.each(cases)('$name: the raw search recalls transitions without changing a state or the trace', async ({ o }) => {
    const unit = await loadModel(file);
    const config = configFor(unit, o);
    await yieldToEventLoop();
    const recalled = checkModel(unit, config, RAW);
    await yieldToEventLoop();
    const run = checkModel(unit, config, RAW_UNRECALLED);
    expect(verdictOf(recalled)).toBe(verdictOf(run));
    expect(recalled.stats.states).toBe(run.stats.states);
    expect(recalled.stats.transitions).toBe(run.stats.transitions);
    const traceOf = (out: CheckOutcome): number[] => (out.violations[0]?.trace ?? []).map((step) => step.transition);
    expect(traceOf(recalled)).toEqual(traceOf(run));
  });
});
