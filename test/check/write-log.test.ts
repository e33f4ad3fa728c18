/**
 * A system's write log (`TransitionSystem.writes`): the explorers
 * fingerprint a successor from the words it names, which must give the
 * same search as comparing whole states; and `verifyWrites` catches a log
 * that misses a write, which would otherwise merge distinct states.
 */
import { describe, expect, it } from 'vitest';
import { BreadthFirstExplorer, DepthFirstExplorer } from '../../src/check/index.js';
import type { Explorer, SuccessorSink, TransitionSystem, WriteLog } from '../../src/check/index.js';

/**
 * Three counters a, b, c (state [a, b, c, pad…]) each counting to `n`, by
 * transitions 0, 1, 2; the log names the counter a transition wrote, or,
 * when `missC` is set, nothing for c.
 */
function countersWithLog(n: number, missC = false): TransitionSystem {
  const next = new Int32Array(8);
  const writes = { target: null as Int32Array | null, count: -1, ranges: new Int32Array(2) };
  const log: WriteLog = writes;
  return {
    stateSlots: next.length,
    writes: log,
    writeInitialState(out: Int32Array): void {
      out.fill(0);
    },
    expand(state: Int32Array, sink: SuccessorSink): void {
      for (let k = 0; k < 3; k++) {
        if ((state[k] as number) >= n) continue;
        next.set(state);
        next[k] = (next[k] as number) + 1;
        writes.target = next;
        writes.count = missC && k === 2 ? 0 : 1;
        writes.ranges[0] = k;
        writes.ranges[1] = k + 1;
        if (!sink.successor(next, k)) return;
      }
    },
    apply(state: Int32Array, transition: number): boolean {
      if ((state[transition] as number) >= n) return false;
      state[transition] = (state[transition] as number) + 1;
      return true;
    },
  };
}

const explorers: readonly Explorer[] = [new BreadthFirstExplorer(), new DepthFirstExplorer()];

describe.each(explorers.map((e) => [e.name, e] as const))('%s with a write log', (_name, explorer) => {
  it('stores every state when the log names every write', () => {
    const result = explorer.explore(countersWithLog(4), { verifyWrites: true });
    expect(result.kind).toBe('verified');
    expect(result.stats.states).toBe(5 * 5 * 5);
  });

  it('reports a log that misses a write when asked to check it, and merges states when not', () => {
    expect(() => explorer.explore(countersWithLog(4, true), { verifyWrites: true })).toThrow(/write log missed word 2/);
    // Unchecked, a step of c looks like no change: its states hash as their parents and are taken as seen.
    expect(explorer.explore(countersWithLog(4, true)).stats.states).toBe(5 * 5);
  });
});
