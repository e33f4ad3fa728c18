/*
 * Seed 003, Andy Lutomirski's remedy for the deadlock of
 * seed-cpumask-sync.c: "everyone who clears the bit [checks] if all bits
 * are clear and, if so, remove[s] the breakpoint."
 *
 * Expected: violation deadlock
 * Expected (cpus 1): violation torn-instruction
 * Expected (nmis 0): verified
 *
 * Protocol. As in seed-cpumask-sync.c (INT3, sync, tail, sync, first byte,
 * sync; a sync sets a bit per online CPU, clears its own, IPIs the others
 * and spins until the mask is empty), with the remedy: the IPI handler and
 * the #BP handler both call text_poke_clear_cpu(), which clears this CPU's
 * bit and, if the mask is now empty, removes the breakpoint: writes the
 * first byte of the new instruction over the INT3. The #BP handler no
 * longer waits for the whole patch, only for the breakpoint to go; then it
 * returns to the instruction and runs it.
 *
 * The deadlock of seed-cpumask-sync.c is gone: an NMI that hits the INT3
 * on the patching CPU after the IPIs went out waits only until the last
 * IPI handler removes the breakpoint. irqcheck finds two other problems.
 *
 * 1. Deadlock (2 or more CPUs). The NMI arrives on CPU0 after
 *    cpumask_copy() armed the mask and before on_each_cpu_mask() sent the
 *    IPIs. The #BP handler clears CPU0's bit; CPU1's bit stays set, and
 *    nothing will ever clear it: CPU1's IPI is to be sent by the code the
 *    NMI interrupted. The remedy needs every other CPU to make progress
 *    towards clearing its bit ("if we can guarantee that all CPUs make
 *    forward progress"), and here the others have not been asked yet.
 * 2. Torn instruction (1 CPU, where the mask is empty from the start; with
 *    more CPUs the same happens later in the run). The remedy is part of
 *    every sync, and the mask also runs empty during the *first* sync,
 *    before the tail is written: the last clearer then writes the CALL's
 *    first byte in front of the NOP's tail, and e8 1f 44 00 00 is neither
 *    instruction. Removing the breakpoint only after the tail is written
 *    avoids this, but an NMI that hits the INT3 during the first sync then
 *    waits for a removal nobody can do yet: the deadlock again.
 *
 * Without the NMI nobody else executes the site (nmis 0: verified).
 */
#pragma irqcheck cpus 2 nmis 1

static struct text_site site = {
	.len = 5,
	.old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },	/* nopl 0x0(%rax,%rax,1) */
	.new = { 0xe8, 0x10, 0x20, 0x30, 0x40 },	/* call perf_trace_fn */
};

static cpumask_t text_poke_cpumask;
static struct text_site *text_poke_addr;	/* the site being patched */
static bool text_poke_bp_in_place;		/* its INT3 is there */

/* Idempotent: two last clearers may both write the same byte. */
static void text_poke_remove_breakpoint(void)
{
	struct text_site *s = READ_ONCE(text_poke_addr);

	if (READ_ONCE(text_poke_bp_in_place)) {
		text_poke_site(s, 0, &s->new[0], 1);
		WRITE_ONCE(text_poke_bp_in_place, false);
	}
}

/* On this CPU only, and only where an IRET follows (IPI or #BP handler). */
static void text_poke_clear_cpu(void)
{
	cpumask_clear_cpu(smp_processor_id(), &text_poke_cpumask);
	if (cpumask_empty(&text_poke_cpumask))
		text_poke_remove_breakpoint();
}

static void text_poke_sync_cpu(void *dummy)
{
	(void)dummy;
	text_poke_clear_cpu();
}

/* Replaces the kernel's text_poke_sync(). */
static void text_poke_sync(void)
{
	cpumask_copy(&text_poke_cpumask, cpu_online_mask);
	cpumask_clear_cpu(smp_processor_id(), &text_poke_cpumask);
	on_each_cpu_mask(&text_poke_cpumask, text_poke_sync_cpu, NULL, false);
	while (!cpumask_empty(&text_poke_cpumask))
		cpu_relax();
}

static int poke_int3_handler(struct text_site *ip, int *insn)
{
	if (ip != READ_ONCE(text_poke_addr) || !READ_ONCE(text_poke_bp_in_place))
		return 0;
	text_poke_clear_cpu();
	while (READ_ONCE(text_poke_bp_in_place))
		cpu_relax();
	/* The breakpoint is gone: return to the instruction and run it. */
	*insn = exec_site(ip);
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

	WRITE_ONCE(text_poke_addr, s);
	WRITE_ONCE(text_poke_bp_in_place, true);
	text_poke_site(s, 0, &int3, 1);
	text_poke_sync();
	text_poke_site(s, 1, &s->new[1], s->len - 1);
	text_poke_sync();
	text_poke_remove_breakpoint();
	text_poke_sync();
}

int main(void)
{
	register_int3_handler(poke_int3_handler);
	register_nmi_handler(NMI_LOCAL, perf_nmi_handler, 0, "perf");
	text_poke_bp(&site);
	return 0;
}
