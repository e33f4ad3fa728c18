/**
 * Partial-order reduction is only as sound as the footprints it reads: a
 * write the VM or a builtin makes without recording it would let two
 * dependent steps pass for independent. This audit runs every example along
 * random paths and checks, for every CPU's step, that each slot the step
 * changed outside the CPU's own pc, frame and stack pointers and stack was
 * recorded as written by that CPU (reads cannot be audited by comparing
 * states; they go through the same recording calls).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cpu, ENV_BASE, Env } from '../../src/compile/index.js';
import type { MachineSystem } from '../../src/machine/index.js';
import { EXAMPLES_DIR, listModels, REPO_ROOT } from '../examples/expectations.js';
import { forEachStepAlongRandomWalks } from '../support/random-walks.js';

const built = await import('../../dist/pipeline.js') as typeof import('../../src/pipeline.js');
const { Footprint } = await import('../../dist/machine/footprint.js') as typeof import('../../src/machine/footprint.js');

const WALKS = 8;
const DEPTH = 200;

/** The unrecorded changes of one step of CPU c from `from` to `to`, as "slot" strings. */
function unrecorded(system: MachineSystem, from: Int32Array, to: Int32Array, c: number, fp: InstanceType<typeof Footprint>): string[] {
  const L = system.program.layout;
  const own = L.cpuBase0 + c * L.cpuSlots;
  const missing: string[] = [];
  for (let x = ENV_BASE + Env.SLOTS; x < from.length; x++) {
    if (from[x] === to[x]) continue;
    // The step's own pc, frame and stack pointers and stack are assumed written by every step.
    if (x === own + Cpu.PC || x === own + Cpu.FP || x === own + Cpu.SP || (x >= own + Cpu.SLOTS && x < own + L.cpuSlots)) continue;
    let recorded = false;
    for (let i = 0; i < fp.length && !recorded; i++) {
      const span = fp.span[i] as number;
      const addr = fp.addr[i] as number;
      if (fp.cpu[i] === c && span < 0 && x >= addr && x < addr - span) recorded = true;
    }
    if (!recorded) missing.push(x >= L.cpuBase0 ? `CPU${Math.floor((x - L.cpuBase0) / L.cpuSlots)} register/stack slot ${(x - L.cpuBase0) % L.cpuSlots}` : `global slot ${x}`);
  }
  return missing;
}

const models = listModels(EXAMPLES_DIR);

describe('footprints record every write a step makes outside its own stack', () => {
  for (const file of models) {
    it(path.relative(REPO_ROOT, file), async () => {
      const unit = await built.loadModelSource(file, fs.readFileSync(file, 'utf8'));
      const config = built.configFor(unit, { cpus: 3, nmis: 1, smt: 1 });
      const system = built.machineFor(built.compileModel(unit, config), { strict: false, spuriousTimeouts: false, partialOrder: false, symmetry: false });
      const vm = system.vm;
      const fp = new Footprint();
      const next = new Int32Array(system.stateSlots);
      const steps = forEachStepAlongRandomWalks(system, { walks: WALKS, depth: DEPTH, seed: 12345 }, (state, c) => {
        next.set(state);
        fp.clear();
        vm.footprint = fp;
        vm.step(next, c);
        vm.footprint = null;
        expect(unrecorded(system, state, next, c, fp), `a step of CPU${c}`).toEqual([]);
      });
      expect(steps).toBeGreaterThan(0);
    });
  }
});
