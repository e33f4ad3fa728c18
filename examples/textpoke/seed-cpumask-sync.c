/*
 * Seed 003: text_poke_bp() with H. Peter Anvin's cpumask sync (LKML,
 * January 2019), and the NMI that Andy Lutomirski predicts deadlocks it.
 *
 * Expected: violation deadlock
 * Expected (nmis 0): verified
 *
 * Protocol. CPU0 turns a 5-byte NOP into a CALL while other CPUs may run
 * it: INT3 on the first byte, sync, the other four bytes, sync, the first
 * byte of the CALL, sync. A sync is hpa's text_poke_sync(): set a bit in
 * text_poke_cpumask for every other online CPU, send each an IPI without
 * waiting, and spin until the mask is empty. A bit is cleared only on its
 * own CPU, by the IPI handler or by the #BP handler of a CPU that hit the
 * INT3, each followed by an IRET. The #BP handler cannot emulate the CALL,
 * so after clearing its bit it waits for the patch to finish and then runs
 * the new instruction.
 *
 * The NMI handler (perf, say) runs through the site. One NMI from outside
 * the model may arrive at any CPU at any instruction boundary.
 *
 * Why it deadlocks: the NMI arrives on CPU0, the patching CPU, after the
 * INT3 is written. Its handler executes the site and takes the #BP, and
 * the #BP handler waits for the patch to finish, which can only happen
 * once CPU0 returns from the NMI. Andy: "if you are in text_poke_bp() and
 * you take an NMI (or interrupt or MCE or whatever) and that interrupt
 * then hits the breakpoint, then you deadlock because no one removes the
 * breakpoint." Without the NMI nobody else runs the site and the scheme
 * is verified. last-clearer-removes.c tries Andy's remedy, and
 * seed-cpumask-remote-nmi.c puts the NMI on another CPU, where irqcheck
 * finds that the scheme's IRET comes too late.
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
	/* No emulation: wait until the CALL is in place, then run it. */
	while (READ_ONCE(text_poke_in_progress))
		cpu_relax();
	*insn = SITE_NEW;
	return 1;
}

static int perf_nmi_handler(unsigned int type, struct pt_regs *regs)
{
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
