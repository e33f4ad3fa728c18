/**
 * Partial-order reduction keeps verdicts: small models built to trip a
 * reduction that is wrong (dependence through pointers, function pointers,
 * another CPU's stack, the NMI budget, IPIs, woken work, cycles of one CPU
 * that would postpone another's assertion forever, an NMI handler that
 * sees the task's next write, barriers, MSI devices raising where no CPU
 * sends a vector and moved while they may raise). Each is checked with
 * and without the reduction; both must give the stated verdict, and the
 * reduction must store no more states.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../src/report/index.js';
import { checkModel, configFor, DEFAULT_SETTINGS, loadModel, loadModelSource } from '../support/built-pipeline.js';

const verdictOf = (o: CheckOutcome): string => {
  const found = o.violations.find((v) => v.severity === 'error');
  return `${o.verdict}${found === undefined ? '' : ` ${found.kind}`}`;
};

async function both(text: string): Promise<{ reduced: CheckOutcome; plain: CheckOutcome }> {
  const unit = await loadModelSource('por.c', text);
  const config = configFor(unit, {});
  const reduced = checkModel(unit, config, { ...DEFAULT_SETTINGS, symmetry: false, verifyWrites: true });
  const plain = checkModel(unit, config, { ...DEFAULT_SETTINGS, symmetry: false, partialOrder: false, verifyWrites: true });
  return { reduced, plain };
}

const MODELS: readonly { title: string; want: string; text: string }[] = [
  { title: "a lost update between two statements of a read-modify-write", want: 'violation assertion', text: `
#pragma irqcheck cpus 3
static int counter;
static atomic_t done;
static int work(void *d)
{
	int v = counter;
	counter = v + 1;
	atomic_inc(&done);
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(counter != 3);
	return 0;
}
` },
  { title: "stop_machine run twice (work woken again after the CPUs went idle)", want: 'verified', text: `
#pragma irqcheck cpus 3
static int phase;
static int seen[NR_CPUS];
static int work(void *d)
{
	int cpu = smp_processor_id();
	seen[cpu] = phase;
	return 0;
}
int main(void)
{
	phase = 1;
	stop_machine(work, NULL, cpu_online_mask);
	phase = 2;
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(seen[1] != 2);
	BUG_ON(seen[2] == 1);
	return 0;
}
` },
  { title: "a write through a pointer into another CPU's stack", want: 'verified', text: `
#pragma irqcheck cpus 3
static int *shared;
static atomic_t ready;
static int work(void *d)
{
	int cpu = smp_processor_id();
	int mine = 0;
	if (cpu == 0) {
		shared = &mine;
		atomic_set(&ready, 1);
		while (atomic_read(&ready) != 3)
			cpu_relax();
		BUG_ON(mine != 1);
	} else {
		while (atomic_read(&ready) == 0)
			cpu_relax();
		*shared = 1;
		atomic_inc(&ready);
	}
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
` },
  { title: "the order in which external NMIs reach two CPUs", want: 'violation assertion', text: `
#pragma irqcheck cpus 3 nmis 2
static atomic_t hits[NR_CPUS];
static int order;
static int first_cpu = -1;
static int nmi(unsigned int cmd, struct pt_regs *regs)
{
	int cpu = smp_processor_id();
	atomic_inc(&hits[cpu]);
	if (first_cpu < 0)
		first_cpu = cpu;
	return NMI_HANDLED;
}
static int work(void *d)
{
	int cpu = smp_processor_id();
	if (cpu == 2 && atomic_read(&hits[1]) == 1 && atomic_read(&hits[2]) == 1)
		BUG_ON(first_cpu == 2);
	return 0;
}
int main(void)
{
	register_nmi_handler(NMI_LOCAL, nmi, 0, "t");
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
` },
  { title: "a call through a function pointer another CPU replaces", want: 'violation assertion', text: `
#pragma irqcheck cpus 3
static int (*hook)(int);
static int x;
static int bad(int v) { x = v; return 0; }
static int good(int v) { return v; }
static int work(void *d)
{
	int cpu = smp_processor_id();
	if (cpu == 1)
		hook = bad;
	if (cpu == 2)
		hook(7);
	return 0;
}
int main(void)
{
	hook = good;
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(x == 7);
	return 0;
}
` },
  { title: "two CPUs waiting for each other", want: 'violation deadlock', text: `
#pragma irqcheck cpus 3
static atomic_t a, b;
static int work(void *d)
{
	int cpu = smp_processor_id();
	if (cpu == 1) {
		atomic_set(&a, 1);
		while (atomic_read(&b) == 0)
			cpu_relax();
	}
	if (cpu == 2) {
		while (atomic_read(&a) == 0)
			cpu_relax();
		if (atomic_read(&b) == 5)
			atomic_set(&b, 1);
	}
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
` },
  { title: "an NMI IPI and an external NMI both reaching one CPU", want: 'violation assertion', text: `
#pragma irqcheck cpus 3 nmis 1
static atomic_t got[NR_CPUS];
static int late;
static int nmi(unsigned int cmd, struct pt_regs *regs)
{
	atomic_inc(&got[smp_processor_id()]);
	return NMI_HANDLED;
}
static int work(void *d)
{
	int cpu = smp_processor_id();
	if (cpu == 1)
		apic->send_IPI(2, NMI_VECTOR);
	if (cpu == 2) {
		late = 1;
		BUG_ON(atomic_read(&got[2]) == 2);
	}
	return 0;
}
int main(void)
{
	register_nmi_handler(NMI_LOCAL, nmi, 0, "t");
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
` },
  { title: "an assertion on one CPU while another loops forever writing (the cycle proviso)", want: 'violation assertion', text: `
#pragma irqcheck cpus 3
static int x;
static int stop;
static int y;
static int work(void *d)
{
	int cpu = smp_processor_id();
	if (cpu == 1) {
		while (!READ_ONCE(stop)) {
			x = 1;
			x = 0;
		}
	}
	if (cpu == 2) {
		y = 1;
		BUG_ON(y == 1);
	}
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
` },
  { title: "an external NMI whose handler reads what the interrupted task writes next (the arrival cannot wait)", want: 'violation assertion', text: `
#pragma irqcheck cpus 2 nmis 1
static int x, y;
static int check(unsigned int t, struct pt_regs *r)
{
	BUG_ON(READ_ONCE(x) == 1 && READ_ONCE(y) == 0);
	return NMI_HANDLED;
}
int main(void)
{
	register_nmi_handler(NMI_LOCAL, check, 0, "check");
	WRITE_ONCE(x, 1);
	WRITE_ONCE(y, 1);
	return 0;
}
` },
  { title: "two external NMIs both needed for the failure (a state with budget left stands in for one without)", want: 'violation assertion', text: `
#pragma irqcheck cpus 2 nmis 2
static atomic_t taken;
static int count(unsigned int t, struct pt_regs *r)
{
	atomic_inc(&taken);
	return NMI_HANDLED;
}
static int work(void *d)
{
	return 0;
}
int main(void)
{
	register_nmi_handler(NMI_LOCAL, count, 0, "count");
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(atomic_read(&taken) == 2);
	return 0;
}
` },
  { title: "a race between stop_machine's rendezvous and a CPU that has left it (barrier arrivals commute, waits do not end early)", want: 'violation assertion', text: `
#pragma irqcheck cpus 3
static int stage_seen[NR_CPUS];
static int step;
static int work(void *d)
{
	int cpu = smp_processor_id();
	if (cpu == 2)
		WRITE_ONCE(step, 1);
	stage_seen[cpu] = READ_ONCE(step);
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(stage_seen[0] != stage_seen[1]);
	return 0;
}
` },
  { title: "a writer that cycles through the same states until released (the cycle proviso)", want: 'violation assertion', text: `
#pragma irqcheck cpus 2
static int flag;
static int w;
static int work(void *d)
{
	int cpu = smp_processor_id();
	int k = 0;
	if (cpu == 0) {
		for (;;) {
			k = (k + 1) % 3;
			if (k == 2)
				WRITE_ONCE(w, 1);
			else
				WRITE_ONCE(w, 0);
			if (READ_ONCE(flag))
				break;
		}
	} else {
		BUG_ON(READ_ONCE(w) == 1);
		WRITE_ONCE(flag, 1);
	}
	return 0;
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
` },
  { title: "a self-NMI still pending when the last arrival at stop_machine's barrier ends the sender's wait", want: 'violation assertion', text: `
#pragma irqcheck cpus 3 nmis 0
static int a, b, c;
static int nmi_cb(unsigned int type, struct pt_regs *regs)
{
	WRITE_ONCE(a, 0);
	return NMI_HANDLED;
}
static int work(void *data)
{
	int cpu = smp_processor_id();
	if (cpu == 0) {
		{ int l = READ_ONCE(c); WRITE_ONCE(b, l); }
		WRITE_ONCE(a, READ_ONCE(a) + 1);
		WRITE_ONCE(b, READ_ONCE(b) + 1);
		apic->send_IPI_self(NMI_VECTOR);
	} else if (cpu == 1) {
		{ unsigned long f; local_irq_save(f); WRITE_ONCE(a, 2); local_irq_restore(f); }
		{ unsigned long f; local_irq_save(f); WRITE_ONCE(a, 2); local_irq_restore(f); }
		{ unsigned long f; local_irq_save(f); WRITE_ONCE(a, 2); local_irq_restore(f); }
	} else if (cpu == 2) {
		BUG_ON(READ_ONCE(a) == 4 && READ_ONCE(a) == 0);
		apic->send_IPI_self(NMI_VECTOR);
		apic->send_IPI_self(NMI_VECTOR);
	}
	return 0;
}
int main(void)
{
	register_nmi_handler(NMI_LOCAL, nmi_cb, 0, "cb");
	stop_machine(work, NULL, cpu_online_mask);
	BUG_ON(READ_ONCE(a) == 1);
	return 0;
}
` },
  { title: "an MSI device's handler on an idle CPU writes what the task reads next (a vector no CPU sends)", want: 'violation assertion', text: `
#pragma irqcheck cpus 3
static struct msi_device dev = { .irq = 3, .maskable = false, .max_raises = 1 };
static int seen;
static irqreturn_t dev_interrupt(int irq, void *d)
{
	WRITE_ONCE(seen, smp_processor_id() + 1);
	return IRQ_HANDLED;
}
int main(void)
{
	request_irq(3, dev_interrupt, 0, "dev", &dev);
	irq_assign_vector(3, 2, 0x42);
	msi_device_start(&dev);
	BUG_ON(READ_ONCE(seen) == 3);
	return 0;
}
` },
  { title: "an MSI device moved between CPUs while it may raise: both handlers run", want: 'violation assertion', text: `
#pragma irqcheck cpus 3
static struct msi_device dev = { .irq = 3, .maskable = false, .max_raises = 2 };
static int seen[NR_CPUS];
static irqreturn_t dev_interrupt(int irq, void *d)
{
	WRITE_ONCE(seen[smp_processor_id()], 1);
	return IRQ_HANDLED;
}
int main(void)
{
	unsigned long flags;
	request_irq(3, dev_interrupt, 0, "dev", &dev);
	irq_assign_vector(3, 1, 0x41);
	msi_device_start(&dev);
	local_irq_save(flags);
	irq_assign_vector(3, 2, 0x41);
	irq_msi_update_msg(3, irqd_cfg(3));
	local_irq_restore(flags);
	BUG_ON(READ_ONCE(seen[1]) && READ_ONCE(seen[2]));
	return 0;
}
` },
];

describe('partial-order reduction', () => {
  for (const m of MODELS) {
    it(`keeps the verdict: ${m.title}`, async () => {
      const { reduced, plain } = await both(m.text);
      expect(verdictOf(plain)).toBe(m.want);
      expect(verdictOf(reduced)).toBe(m.want);
      expect(reduced.stats.states).toBeLessThanOrEqual(plain.stats.states);
    });
  }

  it('explores independent cores once each: fewer states for the Xen scheme at 4 CPUs', async () => {
    const text = fs.readFileSync('examples/microcode/xen-sibling-nmi.c', 'utf8').replace('#pragma irqcheck cpus 2 smt 2 nmis 2', '#pragma irqcheck cpus 4 smt 2 nmis 0');
    const { reduced, plain } = await both(text);
    expect(plain.verdict).toBe('verified');
    expect(reduced.verdict).toBe('verified');
    expect(plain.stats.states).toBe(4915);
    expect(reduced.stats.states).toBeLessThan(plain.stats.states * 0.75);
  });

  it('runs NMI handlers on first, whichever thread of a core the protocol makes its primary', async () => {
    // In CPU order alone the Xen scheme at 4 CPUs and 2 NMIs stored 15,954 states, and 18,315 with each core's last
    // thread as its primary: the siblings' NMI waits then interleaved with more of the primaries' positions.
    const xen = fs.readFileSync('examples/microcode/xen-sibling-nmi.c', 'utf8').replace('#pragma irqcheck cpus 2 smt 2 nmis 2', '#pragma irqcheck cpus 4 smt 2 nmis 2');
    const lastThreadPrimary = xen.replace('cpumask_first(topology_sibling_cpumask(cpu)) == cpu', 'cpumask_last(topology_sibling_cpumask(cpu)) == cpu');
    expect(lastThreadPrimary).not.toBe(xen);
    for (const text of [xen, lastThreadPrimary]) {
      const unit = await loadModelSource('xen.c', text);
      const reduced = checkModel(unit, configFor(unit, {}), DEFAULT_SETTINGS);
      expect(reduced.verdict).toBe('verified');
      expect(reduced.stats.states).toBeLessThan(14_000);
    }
  });

  it('checks the proviso after the search, so the Xen scheme at 16 CPUs with 2 NMIs is a few tens of thousands of states', async () => {
    // Enforced during the search, the proviso redid in full every expansion that reached only expanded states: at 8
    // CPUs 191,811 states (173,355 keeping those whose states were all settled), at 16 CPUs more than 9 million.
    const unit = await loadModel('examples/microcode/xen-sibling-nmi.c');
    const reduced = checkModel(unit, configFor(unit, { cpus: 16, nmis: 2 }), { ...DEFAULT_SETTINGS, limits: { timeLimitMs: 60_000 } });
    expect(reduced.verdict).toBe('verified');
    expect(reduced.stats.states).toBeLessThan(40_000);
  });
});
