/**
 * Symmetry over interchangeable cores never changes a verdict: with it and
 * without it (`--no-symmetry`) every example gives the same verdict, the Xen
 * scheme is explored in fewer states where cores can be swapped, a model
 * that names a CPU by number falls back with a note and explores exactly
 * as many states, and a violation found among canonical states replays as
 * a real trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ModelConfig } from '../../src/compile/index.js';
import { checkModel, DEFAULT_SETTINGS, loadModel, loadModelSource, type CheckSettings } from '../support/built-pipeline.js';
import { replayRequest, replayRequested } from '../../src/replay.js';
import { compileModel, machineFor } from '../../src/pipeline.js';
import { CoreSymmetry } from '../../src/machine/symmetry.js';
import type { CheckOutcome } from '../../src/report/index.js';

const ROOT = path.resolve(__dirname, '../..');
const LIMITS = { timeLimitMs: 60_000 };
const ON: CheckSettings = { ...DEFAULT_SETTINGS, partialOrder: false, limits: LIMITS };
const OFF: CheckSettings = { ...ON, symmetry: false };

const verdictOf = (o: CheckOutcome): string => {
  const found = o.violations.find((v) => v.severity === 'error');
  return `${o.verdict}${found === undefined ? '' : ` ${found.kind}`}`;
};

async function both(file: string, config: ModelConfig): Promise<{ on: CheckOutcome; off: CheckOutcome }> {
  const unit = await loadModel(file);
  return { on: checkModel(unit, config, ON), off: checkModel(unit, config, OFF) };
}

const examples = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .flatMap((d) => fs.readdirSync(path.join(ROOT, 'examples', d)).map((f) => path.join(ROOT, 'examples', d, f)))
  .filter((f) => f.endsWith('.c'));

describe('every example: the same verdict with and without symmetry', () => {
  // Three CPUs of one thread: two cores after core 0 that may be swapped.
  test.each(examples.map((f) => [path.relative(ROOT, f), f] as const))('%s at cpus 3 smt 1', async (_name, file) => {
    const { on, off } = await both(file, { cpus: 3, smt: 1, nmis: 0 });
    expect(verdictOf(on)).toBe(verdictOf(off));
    if (on.symmetry?.reduced !== true) expect(on.stats.states).toBe(off.stats.states);
    else if (on.verdict === 'verified') expect(on.stats.states).toBeLessThanOrEqual(off.stats.states);
    expect(off.symmetry ?? null).toBeNull();
  }, 120_000);
});

describe('the Xen scheme', () => {
  const xen = path.join(ROOT, 'examples/microcode/xen-sibling-nmi.c');

  test('cpus 4 smt 1: symmetric, strictly fewer states, same verdict', async () => {
    const { on, off } = await both(xen, { cpus: 4, smt: 1, nmis: 0 });
    expect(on.symmetry?.reduced).toBe(true);
    expect(on.symmetry?.note).toMatch(/3 cores after core 0/);
    expect(verdictOf(on)).toBe('verified');
    expect(verdictOf(off)).toBe('verified');
    expect(on.stats.states).toBeLessThan(off.stats.states);
  }, 120_000);

  test('cores\' keys kept with queued states (breadth-first) pick the same representatives as keys computed afresh (depth-first)', async () => {
    const unit = await loadModel(xen);
    for (const nmis of [0, 1]) {
      const breadthFirst = checkModel(unit, { cpus: 4, smt: 1, nmis }, ON);
      const depthFirst = checkModel(unit, { cpus: 4, smt: 1, nmis }, { ...ON, search: 'dfs' });
      expect(breadthFirst.symmetry?.reduced).toBe(true);
      expect(breadthFirst.stats.states).toBe(depthFirst.stats.states);
    }
  }, 120_000);

  test('with the partial-order reduction, the keys recalled for a state whose reduced expansion is redone in full are its keys (checked against keys computed afresh)', async () => {
    const unit = await loadModel(xen);
    // The checking mode throws if a recalled key differs from the key computed from the state.
    const checked = checkModel(unit, { cpus: 8, smt: 2, nmis: 2 }, { ...DEFAULT_SETTINGS, verifyWrites: true, limits: LIMITS });
    expect(checked.symmetry?.reduced).toBe(true);
    expect(verdictOf(checked)).toBe('verified');
  }, 120_000);

  test('a permuted successor is fingerprinted and queued from the words its step and the permutation wrote: checked against whole states, the same states', async () => {
    const unit = await loadModel(xen);
    for (const config of [
      { cpus: 4, smt: 1, nmis: 1 },
      { cpus: 6, smt: 2, nmis: 0 },
    ]) {
      // The checking mode throws if the write log misses a word the permutation changed, or a stack is not zero above its SP.
      const checked = checkModel(unit, config, { ...ON, verifyWrites: true });
      const plain = checkModel(unit, config, ON);
      expect(checked.symmetry?.reduced).toBe(true);
      expect(verdictOf(checked)).toBe('verified');
      expect(checked.stats.states).toBe(plain.stats.states);
    }
  }, 120_000);

  test('cpus 4 smt 2: one core besides core 0, nothing to permute, the same states', async () => {
    const { on, off } = await both(xen, { cpus: 4, smt: 2, nmis: 0 });
    expect(on.symmetry?.reduced).toBe(false);
    expect(on.symmetry?.note).toMatch(/nothing to permute/);
    expect(on.stats.states).toBe(off.stats.states);
  }, 120_000);
});

describe('the permutations seen by the partial-order reduction', () => {
  // Every core permutation's image of (slot, cpu), computed the slow way, against `imagesOf`.
  const imagesByPermuting = (symmetry: CoreSymmetry, slot: number, cpu: number): Set<string> => {
    const images = new Set<string>();
    const cores = Array.from({ length: symmetry.cores - 1 }, (_, i) => i + 1);
    const visit = (placed: number[], left: number[]): void => {
      if (left.length === 0) {
        const map = new Int32Array(symmetry.cpus);
        for (let c = 0; c < symmetry.cpus; c++) {
          const core = Math.floor(c / symmetry.smt);
          map[c] = (core === 0 ? 0 : (placed[core - 1] as number)) * symmetry.smt + (c % symmetry.smt);
        }
        images.add(`${symmetry.mapAddress(slot, map)}:${cpu >= 0 && cpu < symmetry.cpus ? map[cpu] : cpu}`);
        return;
      }
      for (const k of left) visit([...placed, k], left.filter((j) => j !== k));
    };
    visit([], cores);
    return images;
  };

  test.each([
    { cpus: 5, smt: 1 },
    { cpus: 8, smt: 2 },
  ])('imagesOf gives exactly the images under every permutation (cpus $cpus smt $smt)', async (config) => {
    const unit = await loadModel(path.join(ROOT, 'examples/microcode/xen-sibling-nmi.c'));
    const system = machineFor(compileModel(unit, { ...config, nmis: 0 }), { ...DEFAULT_SETTINGS, partialOrder: false });
    const symmetry = system.symmetry;
    if (!(symmetry instanceof CoreSymmetry)) throw new Error('expected the Xen scheme to be symmetric');
    for (let slot = 0; slot < system.stateSlots; slot += 3) {
      for (let cpu = -1; cpu < symmetry.cpus; cpu++) {
        const fast = new Set<string>();
        symmetry.imagesOf(slot, cpu, (y, d) => fast.add(`${y}:${d}`));
        expect(fast).toEqual(imagesByPermuting(symmetry, slot, cpu));
      }
    }
  });

  test('a machine of 24 or 32 CPUs is searched (the images of an access are not found by listing (cores - 1)! permutations)', async () => {
    const unit = await loadModel(path.join(ROOT, 'examples/microcode/xen-sibling-nmi.c'));
    for (const config of [
      { cpus: 24, smt: 2, nmis: 1 },
      { cpus: 32, smt: 2, nmis: 0 },
    ]) {
      const outcome = checkModel(unit, config, { ...DEFAULT_SETTINGS, limits: LIMITS });
      expect(outcome.symmetry?.reduced).toBe(true);
      expect(verdictOf(outcome)).toBe('verified');
    }
  }, 120_000);

  test('cpus 7 smt 2: the last core has one thread, so cores are not permuted; the search says why and runs without', async () => {
    const unit = await loadModel(path.join(ROOT, 'examples/microcode/xen-sibling-nmi.c'));
    const outcome = checkModel(unit, { cpus: 7, smt: 2, nmis: 1 }, { ...DEFAULT_SETTINGS, limits: LIMITS });
    const plain = checkModel(unit, { cpus: 7, smt: 2, nmis: 1 }, { ...DEFAULT_SETTINGS, symmetry: false, limits: LIMITS });
    expect(outcome.symmetry?.reduced).toBe(false);
    expect(outcome.symmetry?.note).toMatch(/last core has fewer threads/);
    expect(verdictOf(outcome)).toBe('verified');
    expect(outcome.stats.states).toBe(plain.stats.states);
  }, 120_000);
});

const NAMES_A_CPU = `
static atomic_t hits;
static int work(void *data)
{
	if (smp_processor_id() == 1)
		atomic_inc(&hits);
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(atomic_read(&hits) != 1);
	return 0;
}
`;

const LAST_ONE_FAILS = `
static atomic_t arrived;
static atomic_t owner[NR_CPUS];
static int work(void *data)
{
	int cpu = smp_processor_id();
	if (cpu != 0) {
		atomic_set(&owner[cpu], 1);
		BUG_ON(atomic_inc_return(&arrived) == 2);
	}
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
`;

describe('models written for the test', () => {
  const config: ModelConfig = { cpus: 3, smt: 1, nmis: 0 };

  test('a CPU named by number breaks the symmetry: a note with its line, the same states', async () => {
    const unit = await loadModelSource('names-a-cpu.c', NAMES_A_CPU);
    const on = checkModel(unit, config, ON);
    const off = checkModel(unit, config, OFF);
    expect(on.symmetry?.reduced).toBe(false);
    expect(on.symmetry?.note).toMatch(/CPU 1 .*names-a-cpu\.c:5/);
    expect(on.stats.states).toBe(off.stats.states);
    expect(verdictOf(on)).toBe(verdictOf(off));
  });

  test('a violation found among canonical states replays as a real trace', async () => {
    const unit = await loadModelSource('last-one-fails.c', LAST_ONE_FAILS);
    const on = checkModel(unit, config, ON);
    const off = checkModel(unit, config, OFF);
    expect(on.symmetry?.reduced).toBe(true);
    expect(verdictOf(on)).toBe('violation assertion');
    expect(verdictOf(off)).toBe('violation assertion');
    const found = on.violations[0];
    if (found === undefined) throw new Error('no violation');
    const replayed = replayRequested(unit, replayRequest(found.replay));
    expect(replayed.text).toMatch(/reproduced assertion/);
    // The trace is the shortest one: as long as without symmetry.
    expect(found.trace.length).toBe(off.violations[0]?.trace.length);
  });

  test('a timeout among cores whose waits run out together replays: the CPU it names is the one the real machine reports', async () => {
    // CPUs 1 and 2 count down alike; the machine reports the lower of two waits that end together, which a
    // permutation of the cores does not preserve.
    const unit = await loadModelSource('tied-timeouts.c', TIED_TIMEOUTS);
    const on = checkModel(unit, { cpus: 3, smt: 1, nmis: 0 }, DEFAULT_SETTINGS);
    const off = checkModel(unit, { cpus: 3, smt: 1, nmis: 0 }, { ...DEFAULT_SETTINGS, symmetry: false });
    expect(on.symmetry?.reduced).toBe(true);
    expect(verdictOf(on)).toBe('violation timeout');
    const found = on.violations[0];
    if (found === undefined) throw new Error('no violation');
    expect(found.message).toMatch(/^CPU1 timed out/);
    expect(found.replay).toBe(off.violations[0]?.replay);
    expect(replayRequested(unit, replayRequest(found.replay)).text).toMatch(/reproduced timeout/);
  });
});

const TIED_TIMEOUTS = `
static int flag;

static int work(void *d)
{
	long long t = 1000;

	if (smp_processor_id() == 0)
		return 0;
	while (!READ_ONCE(flag)) {
		if (t < 100)
			break;
		ndelay(100);
		t -= 100;
	}
	return 0;
}

int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
`;
