/**
 * The kernel objects set up at boot, written into the initial state: the
 * online mask, each CPU's SMT sibling mask (the first thread of a core is its
 * primary), cpumask_of() masks, and every text site's text.
 */
import type { Program } from '../compile/index.js';
import { bootTextSites } from '../machine/index.js';

function setBit(state: Int32Array, mask: number, cpu: number): void {
  const at = mask + (cpu >> 5);
  state[at] = (state[at] as number) | (1 << (cpu & 31));
}

/** Writes the boot-time kernel objects of `program` into `state`. */
export function writeBootState(program: Program, state: Int32Array): void {
  bootTextSites(program, state);
  const { cpus, smt } = program.config;
  const words = Math.ceil(cpus / 32);
  // Objects the model cannot reach take no state (compile leaves them out): -1.
  const find = (name: string): number => program.globals.find((v) => v.name === name)?.offset ?? -1;
  const online = find('__cpu_online_mask');
  const siblings = find('__irqcheck_sibling_mask');
  const single = find('__irqcheck_cpumask_of');
  for (let c = 0; c < cpus; c++) {
    if (online >= 0) setBit(state, online, c);
    if (single >= 0) setBit(state, single + c * words, c);
    const first = c - (c % smt);
    if (siblings >= 0) for (let t = first; t < first + smt && t < cpus; t++) setBit(state, siblings + c * words, t);
  }
}
