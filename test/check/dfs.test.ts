import { describe, expect, it } from 'vitest';
import { BreadthFirstExplorer, DepthFirstExplorer } from '../../src/check/index.js';
import type { SearchResult } from '../../src/check/index.js';
import {
  counterSystem,
  endlessSystem,
  graphSystem,
  lostUpdateSystem,
  prng,
  randomGraph,
  referenceSearch,
  replay,
} from './systems.js';

const dfs = new DepthFirstExplorer();
const bfs = new BreadthFirstExplorer();

function expectKind<K extends SearchResult['kind']>(result: SearchResult, kind: K): Extract<SearchResult, { kind: K }> {
  expect(result.kind).toBe(kind);
  return result as Extract<SearchResult, { kind: K }>;
}

describe('DepthFirstExplorer', () => {
  it('counts a counter and a diamond exactly', () => {
    expect(expectKind(dfs.explore(counterSystem(100)), 'verified').stats).toMatchObject({ states: 100, transitions: 99, depth: 99 });
    expect(expectKind(dfs.explore(graphSystem({ edges: [[1, 2], [3], [3], []] })), 'verified').stats)
      .toMatchObject({ states: 4, transitions: 4, depth: 2 });
  });

  it('finds the lost update along the stack it dived down', () => {
    // The last successor pushed is expanded first: P1 runs, then P0, ...
    const system = lostUpdateSystem();
    const result = expectKind(dfs.explore(system), 'violation');
    expect(result.finding).toEqual({ code: 9, path: [1, 0, 1, 0], transition: -1 });
    expect(Array.from(replay(system, result.finding.path))).toEqual([2, 2, 0, 0, 1]);
  });

  it('rebuilds paths after backtracking', () => {
    //   0 → 1 → 3 (dead end)      the search backtracks from 3 to 2,
    //   0 → 2 → 4 (violates)      whose path must not keep 1's transitions
    const result = expectKind(
      dfs.explore(graphSystem({ edges: [[2, 1], [3], [4], [], []], stateViolations: new Map([[4, 1]]) })),
      'violation',
    );
    expect(result.finding).toEqual({ code: 1, path: [2, 4], transition: -1 });
  });

  it('ends a transition violation path with the violating transition', () => {
    const result = expectKind(dfs.explore(counterSystem(10, { violateAt: 5 })), 'violation');
    expect(result.finding).toEqual({ code: 1, path: [0, 0, 0, 0, 0, 1], transition: 1 });
  });

  it('keeps the first path of each warning and goes on', () => {
    const result = expectKind(dfs.explore(counterSystem(10, { warnFrom: 2 })), 'verified');
    expect(result.stats.states).toBe(10);
    expect(result.warnings).toEqual([{ code: 2, path: [0, 0, 0], transition: 0 }]);
  });

  it('agrees with BFS and a naive search on random graphs; its paths replay', () => {
    const random = prng(99);
    for (let trial = 0; trial < 200; trial++) {
      const nodes = 2 + (random() % 40);
      const stateViolations = new Map<number, number>();
      if (random() % 2 === 0) stateViolations.set(1 + (random() % (nodes - 1)), 7);
      const system = graphSystem({ edges: randomGraph(random, nodes, 3), stateViolations });
      const reference = referenceSearch(system);
      const result = dfs.explore(system);
      expect(result.kind).toBe(bfs.explore(system).kind);
      if (reference.shortestViolation === null) {
        expect(result.stats).toMatchObject({ states: reference.states, transitions: reference.transitions });
      } else {
        const finding = expectKind(result, 'violation').finding;
        expect(stateViolations.has(replay(system, finding.path)[0])).toBe(true);
      }
    }
  });

  it('is deep where BFS is wide: a long chain keeps a small stack', () => {
    const result = expectKind(dfs.explore(counterSystem(200_000, { slots: 8 })), 'verified');
    expect(result.stats).toMatchObject({ states: 200_000, depth: 199_999 });
  });

  it('honours the same limits as BFS', () => {
    expect(expectKind(dfs.explore(counterSystem(100), { limits: { maxStates: 10 } }), 'incomplete')).toMatchObject({
      limit: 'states',
      stats: { states: 10 },
    });
    expect(expectKind(dfs.explore(endlessSystem(), { limits: { timeLimitMs: 50 } }), 'incomplete').limit).toBe('time');
    expect(expectKind(dfs.explore(endlessSystem(), { limits: { maxMemoryBytes: 1 << 20 } }), 'incomplete').limit).toBe('memory');
    let polls = 0;
    expect(expectKind(dfs.explore(endlessSystem(), { shouldStop: () => ++polls === 2 }), 'incomplete').limit).toBe('interrupted');
  });
});
