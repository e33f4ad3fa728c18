/**
 * Transitions recalled from a state's parent (transition-recall.ts): the
 * raw breadth-first search hands on a CPU's transitions from its parent's
 * record when the transition into the state changed nothing that CPU
 * looked at. A recall that missed an access would hand on stale
 * successors: the check mode (`verifyShortcuts`) runs every recalled CPU
 * afresh and throws on a difference, and the searches below must agree
 * with the ones that run every transition.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BreadthFirstExplorer } from '../../src/check/index.js';
import { kernelBuiltins, writeBootState } from '../../src/kernel/index.js';
import { MachineSystem } from '../../src/machine/index.js';
import { AccessRanges } from '../../src/machine/transition-recall.js';
import { attachSymmetry } from '../../src/machine/symmetry.js';
import { analyzeCpuSymmetry } from '../../src/compile/index.js';
import { compileModel, configFor, loadModel, loadModelSource } from '../../src/pipeline.js';

const EXAMPLES = path.join(import.meta.dirname, '../../examples');

/**
 * CPU 1 reads twice, through a global pointer, a local of CPU 0's main that
 * CPU 0 sets in between: a write to CPU 0's own stack, which CPU 1's
 * expansion reads. A recall blind to it would keep handing on CPU 1's
 * first read of 0.
 */
const READS_ANOTHER_STACK = `
  #pragma irqcheck cpus 2
  static int *shared;
  static int done;
  static void reader(void *info)
  {
    int *p = READ_ONCE(shared);
    int a = READ_ONCE(*p);
    int b = READ_ONCE(*p);
    BUG_ON(a != b);
    WRITE_ONCE(done, 1);
  }
  int main(void)
  {
    int stage = 0;
    WRITE_ONCE(shared, &stage);
    smp_call_function_single(1, reader, NULL, 0);
    WRITE_ONCE(stage, 1);
    while (!READ_ONCE(done))
      cpu_relax();
    return 0;
  }`;

function rawSystem(program: ReturnType<typeof compileModel>, recall: boolean): MachineSystem {
  return new MachineSystem(program, kernelBuiltins(), writeBootState, { strict: false, spuriousTimeouts: false, recallTransitions: recall, verifyShortcuts: recall });
}

describe('AccessRanges', () => {
  it('keeps a range once, extends the one an access continues, and owns up when it runs out', () => {
    const ranges = new AccessRanges();
    ranges.add(0, 0, 100, 2);
    ranges.add(0, 0, 100, 1); // inside: kept already
    ranges.add(0, 0, 102, 3); // continues [100, 102)
    ranges.add(0, 0, 50, 1);
    expect(Array.from(ranges.ranges.subarray(0, 2 * ranges.count))).toEqual([100, 105, 50, 51]);
    for (let i = 0; i < 64; i++) ranges.add(0, 0, 1000 + 10 * i, 1);
    expect(ranges.overflow).toBe(true);
    ranges.clear();
    expect(ranges.count).toBe(0);
    expect(ranges.overflow).toBe(false);
  });
});

describe('recalled transitions', () => {
  it('see a write to one CPU stack that another CPU reads through a pointer', async () => {
    const unit = await loadModelSource('reads-another-stack.c', READS_ANOTHER_STACK);
    const program = compileModel(unit, configFor(unit, {}));
    const recalled = new BreadthFirstExplorer().explore(rawSystem(program, true), { verifyWrites: true });
    const run = new BreadthFirstExplorer().explore(rawSystem(program, false), {});
    expect(recalled.kind).toBe('violation');
    expect(run.kind).toBe('violation');
    expect(recalled.kind === 'violation' && recalled.finding.path).toEqual(run.kind === 'violation' && run.finding.path);
    expect(recalled.stats.states).toBe(run.stats.states);
  });

  it('stand in for most CPU expansions of the raw Xen scheme at 4 CPUs, each checked against a fresh one', async () => {
    const unit = await loadModel(path.join(EXAMPLES, 'microcode/xen-sibling-nmi.c'));
    const program = compileModel(unit, configFor(unit, { cpus: 4, nmis: 0 }));
    const system = rawSystem(program, true);
    const result = new BreadthFirstExplorer().explore(system, { verifyWrites: true });
    const plain = new BreadthFirstExplorer().explore(rawSystem(program, false), {});
    expect(result.kind).toBe('verified');
    expect(result.stats.states).toBe(plain.stats.states);
    expect(result.stats.transitions).toBe(plain.stats.transitions);
    const recorder = system.recall;
    expect(recorder).toBeDefined();
    if (recorder === undefined) return;
    expect(recorder.recalled).toBeGreaterThan(recorder.expandedAfresh);
  });

  it('give their memory back when the search asks, mid-search, and the search goes on unchanged', async () => {
    const unit = await loadModel(path.join(EXAMPLES, 'microcode/xen-sibling-nmi.c'));
    const program = compileModel(unit, configFor(unit, { cpus: 4, nmis: 1 }));
    const system = rawSystem(program, true);
    const recorder = system.recall;
    if (recorder === undefined) throw new Error('no recall offered');
    let recalledWhenStopped = -1;
    // Progress comes at the search's polls, where it would stop recalling when short of memory.
    const onProgress = (): void => {
      if (recalledWhenStopped >= 0 || recorder.recalled === 0) return;
      recalledWhenStopped = recorder.recalled;
      recorder.stop();
    };
    const result = new BreadthFirstExplorer().explore(system, { verifyWrites: true, onProgress, progressIntervalMs: 0 });
    const plain = new BreadthFirstExplorer().explore(rawSystem(program, false), {});
    expect(recalledWhenStopped).toBeGreaterThan(0);
    expect(recorder.recalled).toBe(recalledWhenStopped);
    expect(recorder.bytes).toBe(0);
    expect(result.kind).toBe('verified');
    expect(result.stats.states).toBe(plain.stats.states);
    expect(result.stats.transitions).toBe(plain.stats.transitions);
  });

  it('start over with each search on the same machine', async () => {
    const unit = await loadModelSource('reads-another-stack.c', READS_ANOTHER_STACK);
    const program = compileModel(unit, configFor(unit, {}));
    const system = rawSystem(program, true);
    const explorer = new BreadthFirstExplorer();
    const first = explorer.explore(system, { verifyWrites: true });
    const second = explorer.explore(system, { verifyWrites: true });
    expect(second.kind).toBe(first.kind);
    expect(second.stats.states).toBe(first.stats.states);
    expect(second.stats.transitions).toBe(first.stats.transitions);
  });

  it('are not used where the search reduces (symmetry or partial-order reduction)', async () => {
    const file = path.join(EXAMPLES, 'microcode/xen-sibling-nmi.c');
    expect(fs.existsSync(file)).toBe(true);
    const unit = await loadModel(file);
    // Symmetry from three cores on.
    const program = compileModel(unit, configFor(unit, { cpus: 6, nmis: 0 }));
    const symmetric = rawSystem(program, true);
    attachSymmetry(symmetric, analyzeCpuSymmetry(program));
    expect(symmetric.symmetry).toBeDefined();
    // A few thousand states show it: no expansion recalls.
    const limits = { maxStates: 5000 };
    new BreadthFirstExplorer().explore(symmetric, { limits });
    const reduced = new MachineSystem(program, kernelBuiltins(), writeBootState, { strict: false, spuriousTimeouts: false, partialOrder: true });
    new BreadthFirstExplorer().explore(reduced, { limits });
    expect(symmetric.recall?.recalled).toBe(0);
    expect(reduced.recall?.recalled).toBe(0);
  });
});
