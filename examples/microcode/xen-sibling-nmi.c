/*
 * Late microcode loading as Xen does it (seed 001, Andrew Cooper): after
 * the stop_machine rendezvous only the SMT siblings send themselves an NMI
 * and stay in NMI context; each primary waits until its siblings report
 * being held in NMI, applies the update from task context (WRMSR 0x79 is
 * atomic with respect to NMIs on the thread that issues it), then releases
 * them. The NMI wait loop holds siblings only: an NMI a primary takes at
 * any point goes through ucode_nmi_cb() untouched.
 *
 * Expected: verified
 * Expected (nmis 0..1): verified
 * Expected (cpus 4, nmis 0..2): verified
 * Expected (cpus 6, nmis 0..2): verified
 * Expected (cpus 8, nmis 0..2): verified
 *
 * Why it holds. A sibling is held in the first NMI it takes after arming
 * (its self-NMI, or an external NMI pending at the same time, which
 * coalesces with it; an NMI taken before arming finds nothing armed and is
 * passed on), so while its primary updates, the sibling executes nothing
 * but the hold loop; perf's RDMSR after the hold runs once the update has
 * ended. Its task code waits for the release as well, because a self-NMI is
 * asynchronous (Xen waits for the same reason), so it cannot reach its own
 * revision read (an MSR access) early. A primary is never held, so no wait
 * depends on a thread that is itself waiting, and no one-second countdown
 * ever runs out. Each part is needed: without the primary's wait, or
 * without the sibling's wait for the release, irqcheck finds an MSR access
 * during the update (cpus 2, nmis 1).
 *
 * The late self-NMI. An external NMI can arrive between the sibling arming
 * (HOLD_NMI_SENT) and its APIC write; it then does the holding, and the
 * self-NMI arrives after the release. No handler can tell the two NMIs
 * apart, so ucode_nmi_cb() claims every NMI on a released sibling, and it
 * stays registered (as a static key would be): unregistered after
 * stop_machine, the late self-NMI can land after it and irqcheck reports
 * an unknown NMI (Xen does not see this: its do_nmi() ignores unclaimed
 * NMIs on APs).
 *
 * Sweep. The suite checks 2 to 8 CPUs with 0..2 NMIs (cpus 8, two NMIs:
 * 16,158 states, under a second). The argument above is per core and does not
 * depend on the number of cores; what grows with the cores is where the
 * NMIs can land.
 */
#pragma irqcheck cpus 2 smt 2 nmis 2

#define SPINUNIT 100 /* ns */
#define EIO 5		/* errno values: not in the irqcheck prelude */
#define EBUSY 16

/* Per-thread state of the NMI hold (a per_cpu variable in the kernel). */
enum ucode_hold {
	HOLD_NONE = 0,
	HOLD_NMI_SENT,	/* armed: the sibling sends itself an NMI */
	HOLD_IN_NMI,	/* the sibling is spinning in NMI context */
	HOLD_RELEASED,	/* its primary has updated the core */
};

static atomic_t ucode_hold_state[NR_CPUS];
static atomic_t nmi_timeouts;

static int perf_nmi(unsigned int cmd, struct pt_regs *regs)
{
	u64 status;

	rdmsrl(MSR_CORE_PERF_GLOBAL_STATUS, status);
	if (!status)
		return NMI_DONE;

	wrmsrl(MSR_CORE_PERF_GLOBAL_OVF_CTRL, status);
	return NMI_HANDLED;
}

/*
 * Holds an armed sibling in the first NMI it takes (its self-NMI, or an NMI
 * that came first); claims every later NMI of a released sibling; passes on
 * all others, and every NMI of a primary.
 */
static int ucode_nmi_cb(unsigned int cmd, struct pt_regs *regs)
{
	int cpu = smp_processor_id();
	long long timeout = NSEC_PER_SEC;

	switch (atomic_cmpxchg(&ucode_hold_state[cpu], HOLD_NMI_SENT, HOLD_IN_NMI)) {
	case HOLD_NMI_SENT:
		break;
	case HOLD_RELEASED:
		/* Perhaps the self-NMI that an earlier NMI took the place of. */
		return NMI_HANDLED;
	default:
		return NMI_DONE;
	}

	while (atomic_read(&ucode_hold_state[cpu]) == HOLD_IN_NMI) {
		if (timeout < SPINUNIT) {
			atomic_inc(&nmi_timeouts);
			break;
		}
		ndelay(SPINUNIT);
		timeout -= SPINUNIT;
		touch_nmi_watchdog();
	}
	return NMI_HANDLED;
}

static int primary_thread_work(int cpu)
{
	int sib;
	long long timeout;
	enum ucode_state err;

	/* Wait until every sibling reports being held in NMI. */
	for_each_cpu(sib, topology_sibling_cpumask(cpu)) {
		if (sib == cpu)
			continue;
		timeout = NSEC_PER_SEC;
		while (atomic_read(&ucode_hold_state[sib]) != HOLD_IN_NMI) {
			if (timeout < SPINUNIT) {
				pr_err("CPU%d: sibling %d never entered NMI\n", cpu, sib);
				return -EBUSY;
			}
			ndelay(SPINUNIT);
			timeout -= SPINUNIT;
		}
	}

	apply_microcode_local(&err);

	for_each_cpu(sib, topology_sibling_cpumask(cpu)) {
		if (sib != cpu)
			atomic_set(&ucode_hold_state[sib], HOLD_RELEASED);
	}
	return err == UCODE_ERROR ? -EIO : 0;
}

static int secondary_thread_work(int cpu)
{
	long long timeout = NSEC_PER_SEC;
	enum ucode_state err;

	atomic_set(&ucode_hold_state[cpu], HOLD_NMI_SENT);
	apic->send_IPI_self(NMI_VECTOR);

	/* The NMI may not arrive synchronously: wait for the primary's release. */
	while (atomic_read(&ucode_hold_state[cpu]) != HOLD_RELEASED) {
		if (timeout < SPINUNIT) {
			pr_err("CPU%d: not released by its primary\n", cpu);
			return -EBUSY;
		}
		ndelay(SPINUNIT);
		timeout -= SPINUNIT;
	}

	/* Refresh this thread's view of the revision. */
	apply_microcode_local(&err);
	return 0;
}

static int do_microcode_update(void *info)
{
	int cpu = smp_processor_id();

	if (cpumask_first(topology_sibling_cpumask(cpu)) == cpu)
		return primary_thread_work(cpu);
	return secondary_thread_work(cpu);
}

int main(void)
{
	int ret;

	/* Both handlers are there from boot (the microcode one as a static key would be). */
	register_nmi_handler(NMI_LOCAL, perf_nmi, 0, "PMI");
	register_nmi_handler(NMI_LOCAL, ucode_nmi_cb, NMI_FLAG_FIRST, "ucode_nmi");

	ret = stop_machine(do_microcode_update, NULL, cpu_online_mask);

	BUG_ON(atomic_read(&nmi_timeouts));
	pr_info("Reload completed, microcode revision: 0x%x\n", boot_cpu_data.microcode);
	return ret;
}
