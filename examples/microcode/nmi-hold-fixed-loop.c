/*
 * Late microcode loading, holding SMT siblings in NMI: the v1 design of
 * seed 000 with its wait loop corrected (`while (timeout >= NSEC_PER_USEC)`,
 * so a marked sibling that takes an NMI really spins until its primary
 * unmarks it or 100 us pass).
 *
 * Expected: violation msr-during-microcode-update
 * Expected (nmis 0): verified
 *
 * Protocol. As nmi-hold-v1.c: ucode_hold_nmi() first in the NMI_LOCAL
 * chain, perf's handler after it; in the stop_machine callback the primary
 * marks its siblings in sibling_wait_mask, applies the update, unmarks
 * them; siblings go to the exit rendezvous.
 *
 * Why it still fails. The hold only catches a sibling that is *already*
 * marked when its NMI runs the callback; nothing makes the sibling be inside
 * the wait before the update begins. The shortest trace (cpus 2, smt 2, one
 * external NMI): CPU0 and CPU1 check in at late_cpus_in; while CPU1 still
 * spins there, the NMI arrives at CPU1 and ucode_hold_nmi() tests
 * sibling_wait_mask: not marked yet, NMI_DONE. Only then does CPU0, past
 * the rendezvous, mark CPU1 and begin WRMSR 0x79. CPU1, still in the NMI,
 * goes on down the handler chain to perf_nmi() and begins RDMSR
 * MSR_CORE_PERF_GLOBAL_STATUS in the middle of its core's update. An NMI
 * that arrives after the mark is held correctly; one that is already past
 * the test is not, whatever the loop says. The same happens with two cores
 * (cpus 4, checked by hand: 11,397 states; the suite checks it for
 * nmi-hold-v1.c). Without NMIs from outside (nmis 0) the siblings execute
 * nothing during the update, so it verifies.
 */
#pragma irqcheck cpus 2 smt 2 nmis 1

#define SPINUNIT 100 /* ns, as arch/x86/kernel/cpu/microcode/core.c */

static atomic_t late_cpus_in;
static atomic_t late_cpus_out;
static atomic_t nmi_cpus;
static atomic_t nmi_timeouts;

/* Siblings whose primary is applying the update: held if they take an NMI. */
static struct cpumask sibling_wait_mask;

/* The perf PMI handler, as every x86 box has it: it reads the overflow status. */
static int perf_nmi(unsigned int cmd, struct pt_regs *regs)
{
	u64 status;

	rdmsrl(MSR_CORE_PERF_GLOBAL_STATUS, status);
	if (!status)
		return NMI_DONE;

	wrmsrl(MSR_CORE_PERF_GLOBAL_OVF_CTRL, status);
	return NMI_HANDLED;
}

static int ucode_hold_nmi(unsigned int cmd, struct pt_regs *regs)
{
	int cpu = smp_processor_id();
	int timeout = 100 * NSEC_PER_USEC;	/* ns a sibling may be held */

	atomic_inc(&nmi_cpus);
	if (!cpumask_test_cpu(cpu, &sibling_wait_mask))
		return NMI_DONE;

	/* Spin until unmarked, for at most 100 us. */
	while (timeout >= NSEC_PER_USEC) {
		touch_nmi_watchdog();
		ndelay(SPINUNIT);
		timeout -= SPINUNIT;
		if (!cpumask_test_cpu(cpu, &sibling_wait_mask))
			return NMI_HANDLED;
	}
	if (timeout < NSEC_PER_USEC)
		atomic_inc(&nmi_timeouts);
	return NMI_HANDLED;
}

/* Marks (or unmarks) every thread of this CPU's core but the primary. */
static void mark_siblings(struct cpumask *mask, bool hold)
{
	int primary, sib, cpu = smp_processor_id();

	primary = cpumask_first(topology_sibling_cpumask(cpu));
	for_each_cpu(sib, topology_sibling_cpumask(cpu)) {
		if (sib == primary)
			continue;
		if (hold)
			cpumask_set_cpu(sib, mask);
		else
			cpumask_clear_cpu(sib, mask);
	}
}

static int wait_for_cpus(atomic_t *cnt, long long timeout)
{
	int all_cpus = num_online_cpus();

	atomic_inc(cnt);
	while (atomic_read(cnt) < all_cpus) {
		if (timeout < SPINUNIT) {
			pr_err("Timeout while waiting for CPUs rendezvous, remaining: %d\n",
			       all_cpus - atomic_read(cnt));
			return 1;
		}
		ndelay(SPINUNIT);
		timeout -= SPINUNIT;
		touch_nmi_watchdog();
	}
	return 0;
}

static int reload_late_cb(void *info)
{
	int cpu = smp_processor_id();
	enum ucode_state err;
	int ret = 0;

	if (wait_for_cpus(&late_cpus_in, NSEC_PER_SEC))
		return -1;

	if (cpumask_first(topology_sibling_cpumask(cpu)) != cpu)
		goto wait_for_siblings;

	mark_siblings(&sibling_wait_mask, true);
	apply_microcode_local(&err);
	mark_siblings(&sibling_wait_mask, false);
	if (err >= UCODE_NFOUND)
		ret = -1;

wait_for_siblings:
	if (wait_for_cpus(&late_cpus_out, NSEC_PER_SEC))
		panic("Timeout during microcode update!\n");

	/* The other threads only refresh their view of the revision. */
	if (cpumask_first(topology_sibling_cpumask(cpu)) != cpu)
		apply_microcode_local(&err);

	return ret;
}

static int microcode_reload_late(void)
{
	int ret;

	atomic_set(&late_cpus_in, 0);
	atomic_set(&late_cpus_out, 0);
	atomic_set(&nmi_cpus, 0);
	atomic_set(&nmi_timeouts, 0);
	cpumask_clear(&sibling_wait_mask);

	ret = register_nmi_handler(NMI_LOCAL, ucode_hold_nmi, NMI_FLAG_FIRST, "ucode_nmi");
	if (ret)
		return ret;

	ret = stop_machine_cpuslocked(reload_late_cb, NULL, cpu_online_mask);

	unregister_nmi_handler(NMI_LOCAL, "ucode_nmi");
	if (atomic_read(&nmi_timeouts))
		pr_err("%d CPUs timed out waiting in NMI\n", atomic_read(&nmi_timeouts));
	pr_info("Reload completed, microcode revision: 0x%x\n", boot_cpu_data.microcode);
	return ret;
}

int main(void)
{
	register_nmi_handler(NMI_LOCAL, perf_nmi, 0, "PMI");
	return microcode_reload_late();
}
