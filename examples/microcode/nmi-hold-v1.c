/*
 * Late microcode loading, holding SMT siblings in NMI: the v1 design Ashok
 * Raj posted in August 2022 (seed 000, patch 5/5 of the series).
 *
 * Expected: violation msr-during-microcode-update
 * Expected (nmis 0): verified
 * Expected (cpus 4, nmis 1): violation msr-during-microcode-update
 *
 * Protocol. microcode_reload_late() registers ucode_hold_nmi() first in the
 * NMI_LOCAL chain and stops the machine. In the stop_machine callback every
 * CPU rendezvouses; the primary thread of each core marks its siblings in
 * sibling_wait_mask, applies the update and unmarks them; the siblings go
 * straight to the exit rendezvous. A sibling that takes an NMI while marked
 * is meant to spin in the callback until its primary unmarks it.
 *
 * Why it fails. The wait loop's condition is inverted: it tests for an
 * expired budget (`while (timeout < NSEC_PER_USEC)`) where it should test
 * for time left, and `timeout` starts at 100 us, so the condition is false
 * at once and the body never runs. A marked sibling that takes an NMI
 * returns NMI_HANDLED immediately, and default_do_nmi() goes on to the next
 * handler in the chain, perf's, which reads MSR_CORE_PERF_GLOBAL_STATUS
 * while its primary is in the middle of WRMSR 0x79. The shortest trace
 * (cpus 2, smt 2, one external NMI): CPU0 passes late_cpus_in, marks CPU1
 * and begins the update; the NMI reaches CPU1, still spinning at
 * late_cpus_in; ucode_hold_nmi() finds CPU1 marked but does not wait, and
 * perf_nmi() begins its RDMSR on CPU1 before CPU0's update has ended.
 * Without NMIs from outside (nmis 0) nothing runs on the sibling during the
 * update. The same happens with two cores (cpus 4).
 *
 * Configuration: one core of two threads, one NMI from outside the model.
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

	/* Spin until unmarked. v1: the condition is the timeout test, false at once. */
	while (timeout < NSEC_PER_USEC) {
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
