/**
 * Random paths through a machine's state graph, for the audits that run
 * every CPU's step along the way (footprints, compiled steps). The paths
 * follow a fixed seed: the same ones every run.
 */
import { Cpu, CpuFlag } from '../../src/compile/index.js';
import type { MachineSystem } from '../../src/machine/index.js';

export interface Walks {
  readonly walks: number;
  /** States on each path, at most (a path ends early where nothing follows). */
  readonly depth: number;
  readonly seed: number;
}

/**
 * Calls `visit(state, c, depth)` for every CPU c that can step (is not
 * idle) in every state of the walks; `state` must not be changed. Returns
 * how many times it called `visit`.
 */
export function forEachStepAlongRandomWalks(system: MachineSystem, { walks, depth, seed }: Walks, visit: (state: Int32Array, c: number, depth: number) => void): number {
  const L = system.program.layout;
  const state = new Int32Array(system.stateSlots);
  const successors: Int32Array[] = [];
  const sink = {
    successor: (s: Int32Array): boolean => {
      successors.push(s.slice());
      return true;
    },
    violation: (): boolean => true,
    warning: (): void => {},
  };
  let random = seed;
  let visits = 0;
  for (let walk = 0; walk < walks; walk++) {
    system.writeInitialState(state);
    for (let d = 0; d < depth; d++) {
      for (let c = 0; c < L.cpus; c++) {
        if (((state[L.cpuBase0 + c * L.cpuSlots + Cpu.FLAGS] as number) & CpuFlag.IDLE) !== 0) continue;
        visit(state, c, d);
        visits++;
      }
      successors.length = 0;
      system.expand(state, sink);
      if (successors.length === 0) break;
      random = (Math.imul(random, 1664525) + 1013904223) >>> 0;
      state.set(successors[random % successors.length] as Int32Array);
    }
  }
  return visits;
}
