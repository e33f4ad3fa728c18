/**
 * The parallel BFS against the sequential one: with 1, 2 and 4 workers, the
 * same verdict, the same number of distinct states (and transitions and
 * depth) when the search runs to the end, and a violation path of the same,
 * shortest, length that replays; on hand-made systems and on bundled
 * examples. The workers run the built JavaScript (see parallel-support.ts).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BreadthFirstExplorer, ParallelBreadthFirstExplorer } from '../../src/check/index.js';
import type { ExploreOptions, Progress, SearchResult, TransitionSystem } from '../../src/check/index.js';
import { configFor, loadModel, machineFactory, machineFor, machineRecipe, compileModel } from '../../src/pipeline.js';
import { CLI, ROOT } from '../report/built-cli.js';
import { BUILT_PIPELINE, WORKER_SCRIPT, cleanUpParallelTests, prepareParallelTests, testFactory } from './parallel-support.js';
import { buildTestSystem, type TestSystemSpec } from './test-system-factory.js';
import { prng, randomGraph, referenceSearch, replay } from './systems.js';

const WORKER_COUNTS = [1, 2, 4] as const;
let factoryModule = '';

beforeAll(() => {
  factoryModule = prepareParallelTests();
}, 180_000);
afterAll(cleanUpParallelTests);

function parallel(workers: number, extra: { initialCapacity?: number; chunkSlots?: number } = {}): ParallelBreadthFirstExplorer {
  return new ParallelBreadthFirstExplorer({ workers, workerScript: WORKER_SCRIPT, ...extra });
}

function explore(spec: TestSystemSpec, workers: number, options: ExploreOptions = {}, extra: { initialCapacity?: number; chunkSlots?: number } = {}): Promise<SearchResult> {
  return parallel(workers, extra).explore(testFactory(factoryModule, spec), options);
}

function expectKind<K extends SearchResult['kind']>(result: SearchResult, kind: K): Extract<SearchResult, { kind: K }> {
  expect(result.kind).toBe(kind);
  return result as Extract<SearchResult, { kind: K }>;
}

/** Verdict, counts and path length agree with the sequential BFS; a violation's path replays to one. */
function expectSameAsSequential(system: TransitionSystem, result: SearchResult, sequential: SearchResult): void {
  expect(result.kind).toBe(sequential.kind);
  if (sequential.kind === 'violation' && result.kind === 'violation') {
    expect(result.finding.path.length).toBe(sequential.finding.path.length);
    expect(result.finding.transition === -1).toBe(sequential.finding.transition === -1);
    expect(() => replay(system, result.finding.transition === -1 ? result.finding.path : result.finding.path.slice(0, -1))).not.toThrow();
  } else {
    expect(result.stats.states).toBe(sequential.stats.states);
    expect(result.stats.transitions).toBe(sequential.stats.transitions);
    expect(result.stats.depth).toBe(sequential.stats.depth);
  }
}

describe('ParallelBreadthFirstExplorer on hand-made systems', () => {
  const cases: readonly [string, TestSystemSpec][] = [
    ['a counter', { kind: 'counter', n: 100 }],
    ['a grid (many joins, growing levels)', { kind: 'grid', n: 120 }],
    ['the lost update', { kind: 'lost-update' }],
    ['a transition violation', { kind: 'counter', n: 10, opts: { violateAt: 5 } }],
    ['a diamond', { kind: 'graph', spec: { edges: [[1, 2], [3], [3], []] } }],
  ];
  for (const [name, spec] of cases) {
    it(`agrees with the sequential BFS on ${name} with 1, 2 and 4 workers`, async () => {
      const system = buildTestSystem(spec);
      const sequential = new BreadthFirstExplorer().explore(system);
      for (const workers of WORKER_COUNTS) expectSameAsSequential(system, await explore(spec, workers), sequential);
    });
  }

  it('finds the lost update by a shortest path that replays to it', async () => {
    for (const workers of WORKER_COUNTS) {
      const result = expectKind(await explore({ kind: 'lost-update' }, workers), 'violation');
      expect(result.finding).toMatchObject({ code: 9, transition: -1 });
      expect(result.finding.path).toHaveLength(4);
      const end = replay(buildTestSystem({ kind: 'lost-update' }), result.finding.path);
      expect([end[0], end[1], end[4]]).toEqual([2, 2, 1]); // both done, x lost an increment
    }
  });

  it('ends a transition violation path with the violating transition', async () => {
    for (const workers of WORKER_COUNTS) {
      expect(expectKind(await explore({ kind: 'counter', n: 10, opts: { violateAt: 5 } }, workers), 'violation').finding).toEqual({ code: 1, path: [0, 0, 0, 0, 0, 1], transition: 1 });
    }
  });

  it('prefers a shorter state violation on the level of a transition violation', async () => {
    const spec: TestSystemSpec = {
      kind: 'graph',
      spec: { edges: [[1, 2], [3], [3], []], edgeViolations: new Map([[1, [1000, 5] as const]]), stateViolations: new Map([[2, 6]]) },
    };
    for (const workers of WORKER_COUNTS) {
      expect(expectKind(await explore(spec, workers), 'violation').finding).toEqual({ code: 6, path: [2], transition: -1 });
    }
  });

  it('reports the same violation from run to run when a level has several as short, whichever worker meets which', async () => {
    // A wide level, split into small chunks among the workers, queued from its greatest path to its least: each worker
    // may meet a different violation first, and the least last.
    const edges = [Array.from({ length: 300 }, (_, i) => 300 - i), ...Array.from({ length: 300 }, () => [])];
    const ownViolations: TestSystemSpec = { kind: 'graph', spec: { edges, stateViolations: new Map([[299, 14], [150, 12], [37, 11], [151, 13]]) } };
    const transitionViolations: TestSystemSpec = { kind: 'graph', spec: { edges, edgeViolations: new Map([[260, [1002, 22] as const], [40, [1001, 21] as const]]) } };
    for (let run = 0; run < 4; run++) {
      for (const workers of [2, 4]) {
        expect(expectKind(await explore(ownViolations, workers, {}, { chunkSlots: 4 }), 'violation').finding).toEqual({ code: 11, path: [37], transition: -1 });
        expect(expectKind(await explore(transitionViolations, workers, {}, { chunkSlots: 4 }), 'violation').finding).toEqual({ code: 21, path: [40, 1001], transition: 1001 });
      }
    }
  });

  it('reports a violation of the initial state with an empty path', async () => {
    const result = expectKind(await explore({ kind: 'graph', spec: { edges: [[]], stateViolations: new Map([[0, 3]]) } }, 2), 'violation');
    expect(result.finding).toEqual({ code: 3, path: [], transition: -1 });
  });

  it('keeps one shortest path per warning code and goes on', async () => {
    const spec: TestSystemSpec = { kind: 'graph', spec: { edges: [[1, 2], [3], [3], []], warnings: new Map([[3, [-1, 4] as const], [2, [3, 8] as const]]) } };
    const sequential = new BreadthFirstExplorer().explore(buildTestSystem(spec));
    for (const workers of WORKER_COUNTS) {
      const result = expectKind(await explore(spec, workers), 'verified');
      // Same codes, same lengths; among paths of one length the least is kept.
      expect(result.warnings.map((w) => [w.code, w.path.length, w.transition])).toEqual(sequential.warnings.map((w) => [w.code, w.path.length, w.transition]));
      expect(result.warnings).toEqual([
        { code: 8, path: [2, 3], transition: 3 },
        { code: 4, path: [1, 3], transition: -1 },
      ]);
    }
    const counter = expectKind(await explore({ kind: 'counter', n: 10, opts: { warnFrom: 2 } }, 2), 'verified');
    expect(counter.warnings).toEqual([{ code: 2, path: [0, 0, 0], transition: 0 }]);
    expect(expectKind(await explore({ kind: 'counter', n: 10, opts: { warnFrom: 2 } }, 2, { collectWarnings: false }), 'verified').warnings).toEqual([]);
  });

  it('agrees with a naive search on random graphs, with shortest replayable paths', async () => {
    const random = prng(7);
    for (let trial = 0; trial < 24; trial++) {
      const nodes = 2 + (random() % 60);
      const stateViolations = new Map<number, number>();
      if (random() % 2 === 0) stateViolations.set(1 + (random() % (nodes - 1)), 7);
      const spec: TestSystemSpec = { kind: 'graph', spec: { edges: randomGraph(random, nodes, 3), stateViolations } };
      const system = buildTestSystem(spec);
      const reference = referenceSearch(system);
      const result = await explore(spec, 1 + (trial % 4), {}, { chunkSlots: 4 });
      if (reference.shortestViolation === null) {
        expect(expectKind(result, 'verified').stats.states).toBe(reference.states);
        expect(result.stats.transitions).toBe(reference.transitions);
      } else {
        const finding = expectKind(result, 'violation').finding;
        expect(finding.path.length).toBe(reference.shortestViolation);
        expect(stateViolations.has(replay(system, finding.path)[0])).toBe(true);
      }
    }
  });

  it('grows the shared table through pauses without losing or repeating a state', async () => {
    const spec: TestSystemSpec = { kind: 'grid', n: 300 };
    const sequential = new BreadthFirstExplorer().explore(buildTestSystem(spec));
    for (const workers of WORKER_COUNTS) {
      const result = expectKind(await explore(spec, workers, {}, { initialCapacity: 16, chunkSlots: 64 }), 'verified');
      expect(result.stats).toMatchObject({ states: 90_000, transitions: sequential.stats.transitions, depth: 598 });
      expect(result.stats.bytesPerState).toBeLessThanOrEqual(9 * 4 / 0.75 / 2 + 1); // load ≥ 3/8 right after a doubling
    }
  });

  it('reports the collision probability as the sequential BFS does', async () => {
    const sequential = new BreadthFirstExplorer().explore(buildTestSystem({ kind: 'grid', n: 120 }));
    const result = await explore({ kind: 'grid', n: 120 }, 2);
    expect(result.stats.collisionProbability).toBe(sequential.stats.collisionProbability);
    expect(result.stats.collisionProbability).toBeCloseTo((14_400 * 14_399) / 2 ** 65, 20);
  });

  describe('limits', () => {
    it('stops at maxStates distinct states', async () => {
      for (const workers of [1, 2]) {
        const capped = expectKind(await explore({ kind: 'grid', n: 100 }, workers, { limits: { maxStates: 1000 } }), 'incomplete');
        expect(capped.limit).toBe('states');
        expect(capped.stats.states).toBe(1000);
      }
      expect((await explore({ kind: 'counter', n: 100 }, 2, { limits: { maxStates: 100 } })).kind).toBe('verified');
      expect(expectKind(await explore({ kind: 'counter', n: 100 }, 2, { limits: { maxStates: 0 } }), 'incomplete').stats.states).toBe(0);
    });

    it('stops on the time limit', async () => {
      const result = expectKind(await explore({ kind: 'endless' }, 2, { limits: { timeLimitMs: 300 } }), 'incomplete');
      expect(result.limit).toBe('time');
      expect(result.stats.states).toBeGreaterThan(1);
    });

    it('stops on the memory limit instead of growing the table past it', async () => {
      const tiny = expectKind(await explore({ kind: 'grid', n: 3000 }, 2, { limits: { maxMemoryBytes: 1 << 20 } }, { initialCapacity: 16 }), 'incomplete');
      expect(tiny.limit).toBe('memory');
      // A budget the process can honour (the workers' heaps count in its RSS): the search's own structures stay within it.
      const maxMemoryBytes = process.memoryUsage.rss() + (64 << 20);
      const result = expectKind(await explore({ kind: 'grid', n: 100_000 }, 2, { limits: { maxMemoryBytes } }, { initialCapacity: 16 }), 'incomplete');
      expect(result.limit).toBe('memory');
      expect(result.stats.states).toBeGreaterThan(100_000);
      expect(result.stats.peakMemoryBytes).toBeLessThanOrEqual(maxMemoryBytes);
    });

    it('stops when asked to (Ctrl-C), from the calling thread', async () => {
      let stop = false;
      setTimeout(() => {
        stop = true;
      }, 200);
      const result = expectKind(await explore({ kind: 'endless' }, 2, { shouldStop: () => stop }), 'incomplete');
      expect(result.limit).toBe('interrupted');
      expect(result.stats.states).toBeGreaterThan(2);
    });

    it('reports progress on the calling thread while the workers search', async () => {
      const seen: Progress[] = [];
      await explore({ kind: 'grid', n: 1500 }, 2, { progressIntervalMs: 0, onProgress: (p) => seen.push(p) });
      expect(seen.length).toBeGreaterThan(2);
      for (let i = 1; i < seen.length; i++) expect(seen[i].states).toBeGreaterThanOrEqual(seen[i - 1].states);
      expect(seen[seen.length - 1].memoryBytes).toBeGreaterThan(0);
    });
  });

  it('reports a factory that cannot build its system', async () => {
    const broken = { moduleUrl: factoryModule, exportName: 'noSuchExport', argument: null };
    await expect(parallel(2).explore(broken)).rejects.toThrow(/noSuchExport/);
  });
});

describe('ParallelBreadthFirstExplorer on bundled examples', () => {
  const examples = ['examples/msi/two-step.c', 'examples/microcode/nmi-hold-v1.c', 'examples/ipi/call-function-irqs-off.c'];
  for (const file of examples) {
    it(`agrees with the sequential BFS on ${file} with 1, 2 and 4 workers`, async () => {
      const unit = await loadModel(file);
      const config = configFor(unit, {});
      // The parallel search has no partial-order reduction: compare with the sequential search without it.
      const settings = { strict: false, spuriousTimeouts: false, partialOrder: false };
      const program = compileModel(unit, config);
      const system = machineFor(program, settings);
      const sequential = new BreadthFirstExplorer().explore(system);
      for (const workers of WORKER_COUNTS) {
        const result = await parallel(workers).explore(machineFactory(machineRecipe(program, settings), BUILT_PIPELINE));
        expectSameAsSequential(system, result, sequential);
        if (result.kind === 'violation' && sequential.kind === 'violation') expect(result.finding.code).toBe(sequential.finding.code);
      }
    });
  }
});

describe('irqcheck check --workers N (the built CLI)', () => {
  /** Runs the built CLI with --json; returns its exit code and report. */
  function check(args: readonly string[]): { code: number | null; report: { verdict: string; stats: { states: number }; violations: { trace: unknown[] }[] } } {
    const run = spawnSync(process.execPath, [CLI, 'check', ...args, '--json', '--no-progress'], { cwd: ROOT, encoding: 'utf8' });
    return { code: run.status, report: JSON.parse(run.stdout) };
  }

  it('gives the verdict, states and trace length of one worker (without partial-order reduction, which only one worker has)', () => {
    for (const file of ['examples/msi/two-step.c', 'examples/microcode/nmi-hold-v1.c']) {
      const one = check([file, '--no-por']);
      const two = check([file, '--workers', '2']);
      expect(two.code).toBe(one.code);
      expect(two.report.verdict).toBe(one.report.verdict);
      if (one.report.verdict === 'verified') expect(two.report.stats.states).toBe(one.report.stats.states);
      expect(two.report.violations.map((v) => v.trace.length)).toEqual(one.report.violations.map((v) => v.trace.length));
    }
  });
});
