/**
 * Partial-order reduction keeps verdicts on models nobody wrote by hand:
 * small stop_machine protocols drawn from a seeded generator (reads,
 * writes, read-modify-writes, assertions, self-NMIs, IRQs off and on, an
 * NMI handler and an MSI device's handler that do the same), checked with
 * and without the reduction. Each must give the same verdict, or one of
 * the two must be incomplete (the plain search is capped).
 */
import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../src/report/index.js';
import { checkModel, configFor, DEFAULT_SETTINGS, loadModelSource } from '../support/built-pipeline.js';

/** A linear congruential generator: the same models on every run. */
function generator(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

const VARS = ['a', 'b', 'c'];

function statement(pick: (n: number) => number, inTask: boolean): string {
  const v = VARS[pick(3)] as string;
  const w = VARS[pick(3)] as string;
  switch (pick(8)) {
    case 0: return `WRITE_ONCE(${v}, ${pick(3)});`;
    case 1: return `WRITE_ONCE(${v}, READ_ONCE(${w}) + 1);`;
    case 2: return `if (READ_ONCE(${v}) == ${pick(3)}) WRITE_ONCE(${w}, ${pick(3)});`;
    case 3: return `BUG_ON(READ_ONCE(${v}) == ${2 + pick(3)} && READ_ONCE(${w}) == ${pick(2)});`;
    case 4: return inTask ? 'apic->send_IPI_self(NMI_VECTOR);' : `WRITE_ONCE(${v}, 1);`;
    case 5: return 'atomic_inc(&t);';
    case 6: return inTask ? `{ unsigned long f; local_irq_save(f); WRITE_ONCE(${v}, 2); local_irq_restore(f); }` : `WRITE_ONCE(${w}, 0);`;
    default: return `{ int l = READ_ONCE(${v}); WRITE_ONCE(${w}, l); }`;
  }
}

/** A model: 2 or 3 CPUs, 0 to 2 external NMIs, and with `device` an MSI device raising up to twice at one CPU. */
function randomModel(pick: (n: number) => number, device: boolean): string {
  const cpus = 2 + pick(2);
  const nmis = pick(3);
  const block = (n: number, inTask: boolean): string => Array.from({ length: n }, () => statement(pick, inTask)).join('\n\t\t');
  const nmiHandler = block(1 + pick(3), false);
  const deviceHandler = block(1 + pick(2), false);
  const target = pick(cpus);
  const checked = VARS[pick(3)] as string;
  const value = 1 + pick(2);
  const branches = Array.from({ length: cpus }, (_, c) => `if (cpu == ${c}) {\n\t\t${block(2 + pick(3), true)}\n\t}`).join(' else ');
  return `#pragma irqcheck cpus ${cpus} nmis ${nmis}
static int a, b, c;
static atomic_t t;
${device ? 'static struct msi_device dev = { .irq = 3, .maskable = false, .max_raises = 2 };' : ''}
${device ? `static irqreturn_t dev_irq(int irq, void *p) { ${deviceHandler} return IRQ_HANDLED; }` : ''}
static int nmi_cb(unsigned int type, struct pt_regs *regs)
{
	${nmiHandler}
	return NMI_HANDLED;
}
static int work(void *data)
{
	int cpu = smp_processor_id();
	${branches}
	return 0;
}
int main(void)
{
	register_nmi_handler(NMI_LOCAL, nmi_cb, 0, "cb");
	${device ? `request_irq(3, dev_irq, 0, "dev", &dev); irq_assign_vector(3, ${target}, 0x41); msi_device_start(&dev);` : ''}
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(READ_ONCE(${checked}) == ${value});
	return 0;
}
`;
}

const verdictOf = (o: CheckOutcome): string => {
  const found = o.violations.find((v) => v.severity === 'error');
  return `${o.verdict}${found === undefined ? '' : ` ${found.kind}`}`;
};

const LIMITS = { maxStates: 60_000 };
const MODELS = 16;

describe('partial-order reduction on generated models', () => {
  for (const device of [false, true]) {
    it(`gives the plain search's verdict on ${MODELS} random stop_machine protocols${device ? ' with an MSI device' : ''}`, async () => {
      const pick = generator(device ? 0x5eed : 0xc0ffee);
      const disagreements: string[] = [];
      let compared = 0;
      for (let i = 0; i < MODELS; i++) {
        const text = randomModel(pick, device);
        const unit = await loadModelSource(`random-${i}.c`, text);
        const config = configFor(unit, {});
        const reduced = checkModel(unit, config, { ...DEFAULT_SETTINGS, limits: LIMITS, verifyWrites: true });
        const plain = checkModel(unit, config, { ...DEFAULT_SETTINGS, partialOrder: false, symmetry: false, limits: LIMITS, verifyWrites: true });
        if (reduced.verdict === 'incomplete' || plain.verdict === 'incomplete') continue;
        compared++;
        if (verdictOf(reduced) !== verdictOf(plain)) disagreements.push(`${verdictOf(reduced)} vs ${verdictOf(plain)}:\n${text}`);
      }
      expect(disagreements).toEqual([]);
      // Enough of them finish within the cap: the comparison is not vacuous.
      expect(compared).toBeGreaterThanOrEqual(MODELS / 3);
    });
  }
});
