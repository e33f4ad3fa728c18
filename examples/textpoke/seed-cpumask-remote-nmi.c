/*
 * Seed 003, hpa's cpumask sync again, with the NMI on another CPU than the
 * patcher: the case the thread thought safe.
 *
 * Expected: violation torn-instruction
 *
 * Protocol. As in seed-cpumask-sync.c: INT3, sync, tail, sync, first byte,
 * sync; a sync arms text_poke_cpumask with every other online CPU, IPIs
 * them without waiting and spins until the mask is empty; the IPI handler
 * and the #BP handler clear their CPU's bit, relying on the IRET that
 * follows to serialize ("We are guaranteed to return with an IRET, either
 * from the IPI or the #BP handler; this provides serialization"). Here
 * perf counts on CPU1 only, so only CPU1's NMI handler runs the site; the
 * one NMI from outside the model may still arrive at any CPU. The #BP
 * handler emulates the CALL, as int3_emulate_call() does, instead of
 * waiting for it with interrupts off: a handler that waits deadlocks on
 * CPU1 too (its bit is set again by the next sync, and the IPI that would
 * clear it cannot be taken), a shorter trace that irqcheck would report
 * first.
 *
 * Why it fails: hpa's invariant 2 asks that a bit be cleared "only in a
 * place that guarantees a synchronizing event (e.g. IRET) before it may
 * reach the poked instruction", and the IPI handler's IRET is no such
 * place: an NMI can arrive between the clear and the IRET. CPU1 clears
 * its bit in the first sync's IPI handler; the patcher, finding the mask
 * empty, writes the tail; the NMI arrives on CPU1 before its IRET, and
 * CPU1, which has not serialized since the INT3 was written, may still
 * see the old first byte in front of the new tail: 0f 10 44 00 00.
 *
 * Calling sync_core() before clearing the bit, as Linux's do_sync_core()
 * effectively does, closes this hole: irqcheck then verifies the scheme.
 */
#pragma irqcheck cpus 2 nmis 1

static struct text_site site = {
	.len = 5,
	.old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },	/* nopl 0x0(%rax,%rax,1) */
	.new = { 0xe8, 0x10, 0x20, 0x30, 0x40 },	/* call perf_trace_fn */
};

static cpumask_t text_poke_cpumask;
static bool text_poke_in_progress;

static void text_poke_sync_cpu(void *dummy)
{
	(void)dummy;

	smp_rmb();
	cpumask_clear_cpu(smp_processor_id(), &text_poke_cpumask);
	/*
	 * We are guaranteed to return with an IRET, either from the
	 * IPI or the #BP handler; this provides serialization.
	 */
}

/* Replaces the kernel's text_poke_sync() (on_each_cpu(do_sync_core, NULL, 1)). */
static void text_poke_sync(void)
{
	smp_wmb();
	cpumask_copy(&text_poke_cpumask, cpu_online_mask);
	smp_wmb();	/* Should be optional on x86 */
	cpumask_clear_cpu(smp_processor_id(), &text_poke_cpumask);
	on_each_cpu_mask(&text_poke_cpumask, text_poke_sync_cpu, NULL, false);
	while (!cpumask_empty(&text_poke_cpumask)) {
		cpu_relax();
		smp_rmb();
	}
}

/* Called from the #BP entry (exception context, interrupts off). */
static int poke_int3_handler(struct text_site *ip, int *insn)
{
	if (ip != &site || !READ_ONCE(text_poke_in_progress))
		return 0;
	text_poke_sync_cpu(NULL);
	/* Emulate the CALL: no waiting with interrupts off. */
	*insn = SITE_NEW;
	return 1;
}

#define PERF_CPU 1	/* perf record -C 1: the only CPU with a counter programmed */

static int perf_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	if (smp_processor_id() != PERF_CPU)
		return NMI_DONE;	/* not ours: the NMI's source claims it */
	exec_site(&site);
	return NMI_HANDLED;
}

static void text_poke_bp(struct text_site *s)
{
	u8 int3 = INT3_INSN_OPCODE;

	WRITE_ONCE(text_poke_in_progress, true);
	text_poke_site(s, 0, &int3, 1);
	text_poke_sync();
	text_poke_site(s, 1, &s->new[1], s->len - 1);
	text_poke_sync();
	text_poke_site(s, 0, &s->new[0], 1);
	text_poke_sync();
	WRITE_ONCE(text_poke_in_progress, false);
}

int main(void)
{
	register_int3_handler(poke_int3_handler);
	register_nmi_handler(NMI_LOCAL, perf_nmi_handler, 0, "perf");
	text_poke_bp(&site);
	return 0;
}
