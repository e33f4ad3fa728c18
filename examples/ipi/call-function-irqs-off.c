/*
 * Two CPUs call a function on each other with smp_call_function_single()
 * and wait for it, with interrupts disabled (here: inside stop_machine,
 * whose callback runs with interrupts off on every CPU).
 *
 * Expected: violation deadlock
 * Expected (cpus 2..4): violation deadlock
 *
 * Protocol. Each of CPU0 and CPU1 queues a call for the other, sends the
 * function-call IPI (CALL_FUNCTION_SINGLE_VECTOR) and waits until the other
 * has run it.
 *
 * Why it fails. The IPI only sets the vector in the target's IRR; a CPU
 * takes it at a boundary with IF set. Both CPUs wait with IF clear, so
 * neither ever takes the other's IPI: both spin forever with vector 0xfb
 * requested in their IRR. This is why kernel/smp.c warns when
 * smp_call_function_single() is called with interrupts disabled (reported
 * here as a warning, the WARN_ON_ONCE in the call).
 */
#pragma irqcheck cpus 2

static atomic_t calls;

static void remote_work(void *info)
{
	atomic_inc(&calls);
}

static int cross_call(void *data)
{
	int cpu = smp_processor_id();

	if (cpu < 2)
		smp_call_function_single(1 - cpu, remote_work, NULL, 1);
	return 0;
}

int main(void)
{
	return stop_machine(cross_call, NULL, cpu_online_mask);
}
