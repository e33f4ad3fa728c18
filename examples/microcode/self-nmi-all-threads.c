/*
 * Late microcode loading, Ashok Raj's first attempt (seeds 000 and 001):
 * every thread, primaries included, sends itself an NMI after the
 * stop_machine rendezvous, and the threads rendezvous again inside the NMI
 * handler, where each core's primary applies the update (the scheme Andy
 * Lutomirski proposes in seed 000 and Ashok says he had tried first).
 *
 * Expected: violation timeout
 * Expected (nmis 0): verified
 * Expected (cpus 4, nmis 1): violation timeout
 *
 * Protocol. microcode_reload_late() installs the handler and raises the
 * "update in progress" flag, then stops the machine. Each thread checks in
 * at late_cpus_in, sends itself an NMI and waits until its NMI has done its
 * part. In NMI context every thread checks in at nmi_cpus_in and waits for
 * all online threads to be there; the primaries update their cores; all
 * check out at nmi_cpus_out.
 *
 * Why it fails: the deadlock Andrew Cooper describes in seed 001. The NMI
 * wait loop waits for every thread, primaries included, and it is armed
 * from the moment the handler is installed, not from the moment a thread
 * asks for it. An NMI taken on a primary thread between installing the
 * handler and issuing the update (shortest trace: an external NMI on CPU0,
 * the primary of core 0, right after microcode_reload_late() set the flag,
 * before stop_machine has even woken the other CPUs) parks that primary in
 * the NMI rendezvous. It waits for the other threads to arrive in NMI; they
 * would only get there from the stop_machine callback, which needs the
 * parked primary (to start stop_machine here, in general to check in at
 * late_cpus_in). Nothing can progress, so only time passes: the one-second
 * countdown in CPU0's NMI wait runs out, and irqcheck reports the timeout
 * (with a wait that has no timeout it would report a deadlock). Xen's
 * answer, xen-sibling-nmi.c: primaries never wait in NMI.
 *
 * The shortest trace is the same at cpus 4. With no NMI from outside
 * (nmis 0) every thread enters the handler through its own self-NMI after
 * the rendezvous, and the protocol completes (checked in the suite at
 * cpus 2; by hand also at cpus 4, 11,311 states).
 */
#pragma irqcheck cpus 2 smt 2 nmis 1

#define SPINUNIT 100 /* ns */

static atomic_t late_cpus_in;
static atomic_t late_cpus_out;
static atomic_t nmi_cpus_in;
static atomic_t nmi_cpus_out;

static bool ucode_update_in_progress;
static struct cpumask nmi_work_done;	/* threads whose NMI has done its part */

static int perf_nmi(unsigned int cmd, struct pt_regs *regs)
{
	u64 status;

	rdmsrl(MSR_CORE_PERF_GLOBAL_STATUS, status);
	if (!status)
		return NMI_DONE;

	wrmsrl(MSR_CORE_PERF_GLOBAL_OVF_CTRL, status);
	return NMI_HANDLED;
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

static int ucode_nmi_handler(unsigned int cmd, struct pt_regs *regs)
{
	int cpu = smp_processor_id();
	enum ucode_state err;

	if (!READ_ONCE(ucode_update_in_progress))
		return NMI_DONE;
	/* A self-NMI that an earlier NMI already did the work for. */
	if (cpumask_test_cpu(cpu, &nmi_work_done))
		return NMI_HANDLED;

	/* Rendezvous all threads in NMI context. */
	if (wait_for_cpus(&nmi_cpus_in, NSEC_PER_SEC))
		panic("Timeout during NMI rendezvous\n");

	if (cpumask_first(topology_sibling_cpumask(cpu)) == cpu)
		apply_microcode_local(&err);

	if (wait_for_cpus(&nmi_cpus_out, NSEC_PER_SEC))
		panic("Timeout during NMI rendezvous\n");

	cpumask_set_cpu(cpu, &nmi_work_done);
	return NMI_HANDLED;
}

static int reload_late_cb(void *info)
{
	int cpu = smp_processor_id();
	long long timeout = NSEC_PER_SEC;
	enum ucode_state err;

	if (wait_for_cpus(&late_cpus_in, NSEC_PER_SEC))
		return -1;

	apic->send_IPI_self(NMI_VECTOR);

	/* The self-NMI is asynchronous: wait until it has done its part. */
	while (!cpumask_test_cpu(cpu, &nmi_work_done)) {
		if (timeout < SPINUNIT)
			panic("CPU%d: no NMI\n", cpu);
		ndelay(SPINUNIT);
		timeout -= SPINUNIT;
	}

	if (wait_for_cpus(&late_cpus_out, NSEC_PER_SEC))
		panic("Timeout during microcode update!\n");

	if (cpumask_first(topology_sibling_cpumask(cpu)) != cpu)
		apply_microcode_local(&err);
	return 0;
}

static int microcode_reload_late(void)
{
	int ret;

	atomic_set(&late_cpus_in, 0);
	atomic_set(&late_cpus_out, 0);
	atomic_set(&nmi_cpus_in, 0);
	atomic_set(&nmi_cpus_out, 0);
	cpumask_clear(&nmi_work_done);

	ret = register_nmi_handler(NMI_LOCAL, ucode_nmi_handler, NMI_FLAG_FIRST, "ucode_nmi");
	if (ret)
		return ret;
	WRITE_ONCE(ucode_update_in_progress, true);

	ret = stop_machine_cpuslocked(reload_late_cb, NULL, cpu_online_mask);

	WRITE_ONCE(ucode_update_in_progress, false);
	unregister_nmi_handler(NMI_LOCAL, "ucode_nmi");
	pr_info("Reload completed, microcode revision: 0x%x\n", boot_cpu_data.microcode);
	return ret;
}

int main(void)
{
	register_nmi_handler(NMI_LOCAL, perf_nmi, 0, "PMI");
	return microcode_reload_late();
}
