import { describe, expect, it } from 'vitest';
import { BreadthFirstExplorer } from '../../src/check/index.js';
import type { Progress, SearchResult, SuccessorSink, TransitionSystem } from '../../src/check/index.js';
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

const bfs = new BreadthFirstExplorer();

function expectKind<K extends SearchResult['kind']>(result: SearchResult, kind: K): Extract<SearchResult, { kind: K }> {
  expect(result.kind).toBe(kind);
  return result as Extract<SearchResult, { kind: K }>;
}

describe('BreadthFirstExplorer', () => {
  it('counts the states, transitions and depth of a counter exactly', () => {
    const result = expectKind(bfs.explore(counterSystem(100)), 'verified');
    expect(result.stats.states).toBe(100);
    expect(result.stats.transitions).toBe(99);
    expect(result.stats.depth).toBe(99);
    expect(result.warnings).toEqual([]);
    expect(result.stats.bytesPerState).toBeGreaterThan(0);
    expect(result.stats.peakMemoryBytes).toBeGreaterThan(0);
  });

  it('stores a diamond join once', () => {
    //     0
    //    / \
    //   1   2
    //    \ /
    //     3      4 states, 4 transitions, depth 2
    const result = expectKind(bfs.explore(graphSystem({ edges: [[1, 2], [3], [3], []] })), 'verified');
    expect(result.stats).toMatchObject({ states: 4, transitions: 4, depth: 2 });
  });

  it('finds the lost update by its exact shortest path', () => {
    // Read by P0, read by P1, write by P0, write by P1: x ends at 1.
    // The whole graph has 13 states and 14 transitions; the violating state
    // is the second one expanded at depth 4, by which time all are stored.
    const system = lostUpdateSystem();
    const result = expectKind(bfs.explore(system), 'violation');
    expect(result.finding).toEqual({ code: 9, path: [0, 1, 0, 1], transition: -1 });
    expect(Array.from(replay(system, result.finding.path))).toEqual([2, 2, 0, 0, 1]);
    expect(result.stats).toMatchObject({ states: 13, transitions: 14, depth: 4 });
  });

  it('ends a transition violation path with the violating transition', () => {
    const result = expectKind(bfs.explore(counterSystem(10, { violateAt: 5 })), 'violation');
    expect(result.finding).toEqual({ code: 1, path: [0, 0, 0, 0, 0, 1], transition: 1 });
  });

  it('prefers a shorter state violation found later in the same level', () => {
    //   0 ─1→ 1 ─(1000 violates)→       path [1, 1000], found first
    //   0 ─2→ 2 (violates itself)        path [2], shorter
    const result = expectKind(
      bfs.explore(graphSystem({
        edges: [[1, 2], [3], [3], []],
        edgeViolations: new Map([[1, [1000, 5] as const]]),
        stateViolations: new Map([[2, 6]]),
      })),
      'violation',
    );
    expect(result.finding).toEqual({ code: 6, path: [2], transition: -1 });
  });

  it('keeps the first path of each warning and goes on', () => {
    const result = expectKind(bfs.explore(counterSystem(10, { warnFrom: 2 })), 'verified');
    expect(result.stats.states).toBe(10);
    expect(result.warnings).toEqual([{ code: 2, path: [0, 0, 0], transition: 0 }]);
    const ignored = expectKind(bfs.explore(counterSystem(10, { warnFrom: 2 }), { collectWarnings: false }), 'verified');
    expect(ignored.warnings).toEqual([]);
  });

  it('keeps a state warning path ending at the state', () => {
    const result = expectKind(
      bfs.explore(graphSystem({ edges: [[1, 2], [3], [3], []], warnings: new Map([[3, [-1, 4] as const], [2, [3, 8] as const]]) })),
      'verified',
    );
    expect(result.warnings).toEqual([
      { code: 8, path: [2, 3], transition: 3 },
      { code: 4, path: [1, 3], transition: -1 },
    ]);
  });

  it('reports a violation of the initial state with an empty path', () => {
    const result = expectKind(bfs.explore(graphSystem({ edges: [[]], stateViolations: new Map([[0, 3]]) })), 'violation');
    expect(result.finding).toEqual({ code: 3, path: [], transition: -1 });
  });

  it('agrees with a naive search on random graphs, with shortest replayable paths', () => {
    const random = prng(2024);
    for (let trial = 0; trial < 200; trial++) {
      const nodes = 2 + (random() % 40);
      const stateViolations = new Map<number, number>();
      if (random() % 2 === 0) stateViolations.set(1 + (random() % (nodes - 1)), 7);
      const system = graphSystem({ edges: randomGraph(random, nodes, 3), stateViolations });
      const reference = referenceSearch(system);
      const result = bfs.explore(system);
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

  describe('limits', () => {
    it('stops at maxStates distinct states, and not before', () => {
      const capped = expectKind(bfs.explore(counterSystem(100), { limits: { maxStates: 10 } }), 'incomplete');
      expect(capped.limit).toBe('states');
      expect(capped.stats.states).toBe(10);
      expect(bfs.explore(counterSystem(100), { limits: { maxStates: 100 } }).kind).toBe('verified');
    });

    it('stops on the time limit', () => {
      const result = expectKind(bfs.explore(endlessSystem(), { limits: { timeLimitMs: 50 } }), 'incomplete');
      expect(result.limit).toBe('time');
      expect(result.stats.states).toBeGreaterThan(1);
    });

    it('stops on the memory limit instead of growing past it', () => {
      const tiny = expectKind(bfs.explore(endlessSystem(), { limits: { maxMemoryBytes: 1 << 20 } }), 'incomplete');
      expect(tiny.limit).toBe('memory');
      // A budget the process can honour: the search's own structures stay within it.
      const maxMemoryBytes = process.memoryUsage.rss() + (48 << 20);
      const result = expectKind(bfs.explore(endlessSystem(), { limits: { maxMemoryBytes } }), 'incomplete');
      expect(result.limit).toBe('memory');
      expect(result.stats.states).toBeGreaterThan(100_000);
      expect(result.stats.peakMemoryBytes).toBeLessThanOrEqual(maxMemoryBytes);
    });

    it('stops when asked to (Ctrl-C)', () => {
      let polls = 0;
      const result = expectKind(bfs.explore(endlessSystem(), { shouldStop: () => ++polls === 3 }), 'incomplete');
      expect(result.limit).toBe('interrupted');
      expect(result.stats.states).toBeGreaterThan(2 * 2048);
    });

    it('reports progress while searching', () => {
      const seen: Progress[] = [];
      bfs.explore(endlessSystem(), {
        limits: { maxStates: 300_000 },
        progressIntervalMs: 0,
        onProgress: (p) => seen.push(p),
      });
      expect(seen.length).toBeGreaterThan(10);
      for (let i = 1; i < seen.length; i++) expect(seen[i].states).toBeGreaterThan(seen[i - 1].states);
      expect(seen[0]).toMatchObject({ frontier: 1, transitions: seen[0].states - 1 });
      expect(seen[0].memoryBytes).toBeGreaterThan(0);
    });
  });
});

/**
 * Two independent processes: A toggles a ∈ {0, 1} forever; B steps b from 0
 * to 1 once, and b = 1 is a violation. The reduction offers A's toggle alone
 * whenever it is enabled (always): a persistent set, since the two never
 * touch the same variable, but around A's cycle B's step would be postponed
 * forever without the cycle proviso. `invalidateOnce` makes the reduction's
 * assumptions fail once, at the first state with a = 1.
 */
function toggleAndStep(options: { invalidateOnce?: boolean } = {}): TransitionSystem {
  const next = new Int32Array(2);
  let invalidations = options.invalidateOnce === true ? 1 : 0;
  const full = (state: Int32Array, sink: SuccessorSink, onlyA: boolean): boolean => {
    if (state[1] === 1) {
      sink.violation(-1, 7);
      return false;
    }
    next.set(state);
    next[0] = 1 - next[0];
    if (!sink.successor(next, 0)) return false;
    if (onlyA) return true;
    next.set(state);
    next[1] = 1;
    sink.successor(next, 1);
    return false;
  };
  const system = {
    stateSlots: 2,
    writeInitialState(out: Int32Array): void {
      out.fill(0);
    },
    expand(state: Int32Array, sink: SuccessorSink): void {
      full(state, sink, false);
    },
    apply(state: Int32Array, transition: number): boolean {
      if (transition === 0) state[0] = 1 - state[0];
      else state[1] = 1;
      return true;
    },
    reduction: {
      invalidated: false,
      restarts: 0,
      expandReduced(state: Int32Array, sink: SuccessorSink): boolean {
        if (invalidations > 0 && state[0] === 1) {
          invalidations--;
          system.reduction.invalidated = true;
        }
        return full(state, sink, true);
      },
      restart(): void {
        system.reduction.invalidated = false;
        system.reduction.restarts++;
      },
      processOf(): number {
        return -1;
      },
    },
  };
  return system;
}

/**
 * A graph of numbered nodes (slot 0) whose reduced expansions emit
 * `reduced[n]` and full ones `full[n]` (a node without `reduced` entry is
 * always expanded in full).
 */
function reducedGraph(full: readonly (readonly number[])[], reduced: ReadonlyMap<number, readonly number[]>): TransitionSystem {
  const next = new Int32Array(1);
  const emit = (targets: readonly number[], sink: SuccessorSink): void => {
    for (const t of targets) {
      next[0] = t;
      if (!sink.successor(next, t)) return;
    }
  };
  return {
    stateSlots: 1,
    writeInitialState(out: Int32Array): void {
      out[0] = 0;
    },
    expand(state: Int32Array, sink: SuccessorSink): void {
      emit(full[state[0] as number] ?? [], sink);
    },
    apply(state: Int32Array, transition: number): boolean {
      state[0] = transition;
      return true;
    },
    reduction: {
      invalidated: false,
      restarts: 0,
      expandReduced(state: Int32Array, sink: SuccessorSink): boolean {
        const subset = reduced.get(state[0] as number);
        emit(subset ?? full[state[0] as number] ?? [], sink);
        return subset !== undefined;
      },
      restart(): void {},
      processOf(): number {
        return -1;
      },
    },
  };
}

describe('BreadthFirstExplorer with a partial-order reduction', () => {
  it('checks the proviso after the search: a reduced expansion keeps its subset when its states reach full expansions', () => {
    // 0 → 1 → 2 in full; 2's subset reaches only 1, expanded in full, so 2's other successor (3) is never needed.
    const result = new BreadthFirstExplorer().explore(reducedGraph([[1], [2], [1, 3], []], new Map([[2, [1]]])));
    expect(result.kind).toBe('verified');
    expect(result.stats.states).toBe(3);
  });

  it('checks the proviso after the search: a subset that reaches a full expansion only through other subsets is kept too', () => {
    // 2's subset reaches 1, which kept its own (3 was new) and reaches 3, expanded in full: enforced during the search,
    // the proviso would redo 2 in full and reach 9.
    const full = [[1, 2], [3, 8], [1, 9], [], [], [], [], [], [], []];
    const result = new BreadthFirstExplorer().explore(reducedGraph(full, new Map([[1, [3]], [2, [1]]])));
    expect(result.kind).toBe('verified');
    expect(result.stats.states).toBe(4);
  });

  it('when the proviso checked after the search fails, searches again enforcing it, still keeping a subset whose states were all expanded in full', () => {
    // As above, plus 5 ⇄ 6, reduced both ways and never reaching a full expansion: the check fails. Enforced, 2 still
    // keeps its subset (1 was expanded in full), 6 is redone in full (5 kept its subset only because 6 was new).
    const full = [[1, 5], [2], [1, 3], [], [], [6, 7], [5], []];
    const result = new BreadthFirstExplorer().explore(reducedGraph(full, new Map([[2, [1]], [5, [6]], [6, [5]]])));
    expect(result.kind).toBe('verified');
    expect(result.stats.states).toBe(5);
  });

  it('redoes in full a reduced expansion that reaches a state kept reduced by the proviso: around that cycle a step could be postponed forever', () => {
    // 1 kept its subset (2 was new); 2's subset goes back to 1 only: the cycle 1 → 2 → 1 has no full expansion unless 2 is redone.
    const result = new BreadthFirstExplorer().explore(reducedGraph([[1], [2, 4], [1, 3], [], []], new Map([[1, [2]], [2, [1]]])));
    expect(result.kind).toBe('verified');
    expect(result.stats.states).toBe(4);
  });

  it('redoes in full an expansion that reaches no state still to be expanded, so a postponed step is taken (the proviso)', () => {
    const result = new BreadthFirstExplorer().explore(toggleAndStep());
    expect(result.kind).toBe('violation');
    if (result.kind === 'violation') expect(result.finding.code).toBe(7);
  });

  it('starts over when the reduction says its assumptions failed, and reports the restart', () => {
    const result = new BreadthFirstExplorer().explore(toggleAndStep({ invalidateOnce: true }));
    expect(result.kind).toBe('violation');
    expect(result.stats.restarts).toBe(1);
  });
});
