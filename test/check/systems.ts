/**
 * Small hand-written transition systems for the search tests, a seeded PRNG,
 * and a naive reference search (JS Set of strings) to check explorers against.
 */
import type { SuccessorSink, TransitionSystem } from '../../src/check/index.js';

/** mulberry32: a tiny seeded PRNG returning uint32 values. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * A transition's writes drawn at random: 1 to `maxRanges` ranges of up to
 * `maxLength` words noted in `log` (a `WriteLog`'s ranges and count), and
 * small values written into `state` at about half their words (a write may
 * leave a word as it was).
 */
export function scribble(random: () => number, state: Int32Array, log: { count: number; readonly ranges: Int32Array }, maxRanges: number, maxLength: number): void {
  log.count = 1 + (random() % maxRanges);
  for (let r = 0; r < log.count; r++) {
    const start = random() % state.length;
    const end = Math.min(state.length, start + 1 + (random() % maxLength));
    log.ranges[2 * r] = start;
    log.ranges[2 * r + 1] = end;
    for (let i = start; i < end; i++) if (random() % 2 === 0) state[i] = random() % 9;
  }
}

/**
 * An explicit graph over nodes 0..n-1 (node 0 initial); the state is [node].
 * Transition id of an edge = its target node, so a path reads as the nodes
 * visited. `edgeViolations` are transitions (ids ≥ 1000) that violate.
 */
export interface GraphSpec {
  readonly edges: readonly (readonly number[])[];
  /** node → code: the node violates by itself (transition -1). */
  readonly stateViolations?: ReadonlyMap<number, number>;
  /** node → [transition, code]: a transition out of node that violates. */
  readonly edgeViolations?: ReadonlyMap<number, readonly [number, number]>;
  /** node → [transition (-1 for the node itself), code]: warnings. */
  readonly warnings?: ReadonlyMap<number, readonly [number, number]>;
}

/** The system of an explicit graph; see `GraphSpec`. */
export function graphSystem(spec: GraphSpec): TransitionSystem {
  const next = new Int32Array(1);
  return {
    stateSlots: 1,
    writeInitialState(out: Int32Array): void {
      out[0] = 0;
    },
    expand(state: Int32Array, sink: SuccessorSink): void {
      const node = state[0];
      const warning = spec.warnings?.get(node);
      if (warning !== undefined) sink.warning(warning[0], warning[1]);
      const selfCode = spec.stateViolations?.get(node);
      if (selfCode !== undefined && !sink.violation(-1, selfCode)) return;
      for (const target of spec.edges[node]) {
        next[0] = target;
        if (!sink.successor(next, target)) return;
      }
      const edge = spec.edgeViolations?.get(node);
      if (edge !== undefined) sink.violation(edge[0], edge[1]);
    },
    apply(state: Int32Array, transition: number): boolean {
      if (!spec.edges[state[0]].includes(transition)) return false;
      state[0] = transition;
      return true;
    },
  };
}

/** A random graph of `nodes` nodes, each with 0..maxOut out-edges. */
export function randomGraph(random: () => number, nodes: number, maxOut: number): number[][] {
  const edges: number[][] = [];
  for (let i = 0; i < nodes; i++) {
    const out = new Set<number>();
    const count = random() % (maxOut + 1);
    for (let k = 0; k < count; k++) out.add(random() % nodes);
    edges.push([...out]);
  }
  return edges;
}

/**
 * x counts from 0 to n-1 by transition 0 (state [x, pad...]); at x = n-1
 * nothing is enabled. Optional: a transition violation out of `violateAt`
 * (transition 1, code 1) and a warning (code 2, transition 0) out of every
 * x ≥ `warnFrom`.
 */
export function counterSystem(n: number, opts: { violateAt?: number; warnFrom?: number; slots?: number } = {}): TransitionSystem {
  const next = new Int32Array(opts.slots ?? 1);
  return {
    stateSlots: next.length,
    writeInitialState(out: Int32Array): void {
      out.fill(0);
    },
    expand(state: Int32Array, sink: SuccessorSink): void {
      const x = state[0];
      if (opts.warnFrom !== undefined && x >= opts.warnFrom && x < n - 1) sink.warning(0, 2);
      if (x < n - 1) {
        next.set(state);
        next[0] = x + 1;
        if (!sink.successor(next, 0)) return;
      }
      if (x === opts.violateAt) sink.violation(1, 1);
    },
    apply(state: Int32Array, transition: number): boolean {
      if (transition !== 0 || state[0] >= n - 1) return false;
      state[0]++;
      return true;
    },
  };
}

/** A counter that never stops (wraps after 2³² steps): for limit tests. */
export function endlessSystem(): TransitionSystem {
  return counterSystem(Infinity, { slots: 4 });
}

/**
 * Two processes each do `r = x; x = r + 1` on a shared x (not atomic).
 * State [pc0, pc1, r0, r1, x]; transition p steps process p (pc 0: read,
 * pc 1: write, pc 2: done). When both are done, x must be 2: else the state
 * violates by itself (code 9, the lost update).
 */
const PC0 = 0;
const X = 4;
export function lostUpdateSystem(): TransitionSystem {
  const next = new Int32Array(5);
  const step = (state: Int32Array, p: number): boolean => {
    const pc = state[PC0 + p];
    if (pc === 2) return false;
    if (pc === 0) state[2 + p] = state[X];
    else state[X] = state[2 + p] + 1;
    state[PC0 + p] = pc + 1;
    return true;
  };
  return {
    stateSlots: 5,
    writeInitialState(out: Int32Array): void {
      out.fill(0);
    },
    expand(state: Int32Array, sink: SuccessorSink): void {
      if (state[0] === 2 && state[1] === 2 && state[X] !== 2) {
        sink.violation(-1, 9);
        return;
      }
      for (let p = 0; p < 2; p++) {
        next.set(state);
        if (step(next, p) && !sink.successor(next, p)) return;
      }
    },
    apply: step,
  };
}

/** Applies `path` from the initial state with `apply`; throws if a step is not enabled. */
export function replay(system: TransitionSystem, path: readonly number[]): Int32Array {
  const state = new Int32Array(system.stateSlots);
  system.writeInitialState(state);
  for (const t of path) {
    if (!system.apply(state, t)) throw new Error(`transition ${t} not enabled`);
  }
  return state;
}

/** What a naive BFS finds: state and transition counts, and the shortest violation length. */
export interface Reference {
  readonly states: number;
  readonly transitions: number;
  /** Length of a shortest violating path (transition violations count their transition), or null. */
  readonly shortestViolation: number | null;
}

/** Explores the whole system with a Set of strings, ignoring nothing (no early stop). */
export function referenceSearch(system: TransitionSystem): Reference {
  const initial = new Int32Array(system.stateSlots);
  system.writeInitialState(initial);
  const seen = new Set<string>([initial.join()]);
  let level: Int32Array[] = [initial];
  let transitions = 0;
  let shortest: number | null = null;
  for (let depth = 0; level.length > 0; depth++) {
    const nextLevel: Int32Array[] = [];
    for (const state of level) {
      system.expand(state, {
        successor(s: Int32Array): boolean {
          transitions++;
          const key = s.join();
          if (!seen.has(key)) {
            seen.add(key);
            nextLevel.push(s.slice());
          }
          return true;
        },
        violation(t: number): boolean {
          const length = t < 0 ? depth : depth + 1;
          if (shortest === null || length < shortest) shortest = length;
          return true;
        },
        warning(): void {},
      });
    }
    level = nextLevel;
  }
  return { states: seen.size, transitions, shortestViolation: shortest };
}

/** State [x, y], 0 ≤ x, y < n; transition d increments coordinate d: n² states, many joins, depth 2n − 2. */
export function gridSystem(n: number): TransitionSystem {
  const next = new Int32Array(2);
  return {
    stateSlots: 2,
    writeInitialState(out: Int32Array): void {
      out.fill(0);
    },
    expand(state: Int32Array, sink: SuccessorSink): void {
      for (let d = 0; d < 2; d++) {
        if (state[d] >= n - 1) continue;
        next.set(state);
        next[d]++;
        if (!sink.successor(next, d)) return;
      }
    },
    apply(state: Int32Array, transition: number): boolean {
      if (state[transition] >= n - 1) return false;
      state[transition]++;
      return true;
    },
  };
}
