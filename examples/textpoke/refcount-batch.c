/*
 * text_poke_bp_batch() as Linux has it since 6.0: the three-step protocol
 * with a global descriptor whose refcount is its liveness, and the patched
 * instruction executed in task, hard-IRQ and NMI context.
 *
 * Expected (cpus 2..4): verified
 * Expected (nmis 2): violation nested-nmi
 *
 * Protocol. Flipping the static key __use_tsc patches the jump site in
 * native_sched_clock() (a 5-byte NOP becomes a JMP), a batch of one entry:
 *  1. fill in bp_desc.vec and nr_entries, publish them with
 *     atomic_set_release(&bp_desc.refs, 1);
 *  2. write an INT3 over the first byte; sync;
 *  3. write the other four bytes; sync;
 *  4. write the first byte of the JMP; sync;
 *  5. drop the reference and wait for refs to reach zero.
 * A sync, text_poke_sync(), makes every CPU serialize: an IPI whose handler
 * runs sync_core() and then acknowledges. poke_int3_handler() takes a
 * reference with atomic_inc_not_zero(&bp_desc.refs), checks the address
 * against the vector, emulates the JMP, and drops the reference.
 *
 * sched_clock() runs everywhere, and so does the site:
 *  - task context: CPU0, the patcher, timestamps every sync;
 *  - hard-IRQ context: the sync IPI's handler timestamps its entry, before
 *    its sync_core(), so it may still see stale bytes;
 *  - NMI context: perf's NMI handler timestamps its sample; one NMI from
 *    outside the model arrives at any CPU at any instruction boundary.
 *
 * Why it holds: no CPU can fetch a torn instruction, because the tail
 * changes only behind an INT3 that every CPU has seen (sync 1), and the
 * first byte changes only once every CPU has seen the new tail (sync 2).
 * A CPU can fetch the INT3 only until sync 3 is over (that sync makes
 * every CPU see the JMP), and until then the patcher's own reference keeps
 * refs > 0; a handler that still holds a reference when step 5 begins is
 * waited for. Every #BP is therefore claimed and emulated, and the patcher
 * returns only when no handler is left. Mutations are caught: without
 * sync 1 or sync 2 irqcheck finds torn-instruction; without sync 3, or
 * with the reference dropped before it, a CPU that still sees the INT3
 * finds refs == 0: unhandled-breakpoint.
 *
 * With two NMIs irqcheck reports nested-nmi: the IRET of a #BP taken in
 * the NMI handler unblocks NMIs, and the second NMI enters on top of the
 * first. Linux's NMI entry code exists to survive exactly that (the
 * "nested NMI" dance in entry_64.S), which irqcheck does not model.
 *
 * Modelling choice. Linux's text_poke_sync() is on_each_cpu(do_sync_core,
 * NULL, 1): all the IPIs go out, then the patcher waits for all of them.
 * Here the patcher syncs the other CPUs one at a time, with its own
 * vector. Nothing in the protocol can tell the difference (what a CPU
 * fetches depends only on when *it* last serialized, and the text does not
 * change during a sync), and it spares the search the interleavings of
 * several IPI handlers: with on_each_cpu() the 3-CPU check takes 14 times
 * more states, and the 4-CPU one no longer finishes in seconds.
 */
#pragma irqcheck cpus 2 nmis 1

#define TEXT_POKE_SYNC_IRQ 4
#define TEXT_POKE_SYNC_VECTOR 0xf3

/* native_sched_clock(): static_branch_likely(&__use_tsc) */
static struct text_site use_tsc_jump = {
	.len = 5,
	.old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },	/* nopl: the TSC path */
	.new = { 0xe9, 0x10, 0x00, 0x00, 0x00 },	/* jmp to the jiffies fallback */
};

static void sched_clock(void)
{
	exec_site(&use_tsc_jump);
}

struct text_poke_loc {
	struct text_site *addr;
	int len;
};

static struct bp_patching_desc {
	struct text_poke_loc *vec;
	int nr_entries;
	atomic_t refs;
} bp_desc;

#define text_poke_addr(tp) ((tp)->addr)

static struct bp_patching_desc *try_get_desc(void)
{
	struct bp_patching_desc *desc = &bp_desc;

	if (!atomic_inc_not_zero(&desc->refs))
		return NULL;

	return desc;
}

static void put_desc(void)
{
	struct bp_patching_desc *desc = &bp_desc;

	smp_mb__before_atomic();
	atomic_dec(&desc->refs);
}

int poke_int3_handler(struct text_site *ip, int *insn)
{
	struct bp_patching_desc *desc;
	struct text_poke_loc *tp;
	int ret = 0;

	/*
	 * Having observed our INT3 instruction, we now must observe
	 * bp_desc with non-zero refcount:
	 *
	 *	bp_desc.refs = 1		INT3
	 *	WMB				RMB
	 *	write INT3			if (bp_desc.refs != 0)
	 */
	smp_rmb();

	desc = try_get_desc();
	if (!desc)
		return 0;

	/* Skip the binary search if there is a single member in the vector. */
	tp = desc->vec;
	if (text_poke_addr(tp) != ip)
		goto out_put;

	*insn = SITE_NEW;	/* int3_emulate_jmp() */
	ret = 1;

out_put:
	put_desc();
	return ret;
}

static bool text_poke_synced;

static irqreturn_t text_poke_sync_interrupt(int irq, void *dev_id)
{
	sched_clock();		/* irq entry accounting */
	sync_core();
	WRITE_ONCE(text_poke_synced, true);
	return IRQ_HANDLED;
}

/* Replaces the kernel's on_each_cpu(do_sync_core, NULL, 1): see "Modelling choice". */
static void text_poke_sync(void)
{
	int cpu;

	sched_clock();
	sync_core();
	for_each_online_cpu(cpu) {
		if (cpu == smp_processor_id())
			continue;
		WRITE_ONCE(text_poke_synced, false);
		apic->send_IPI(cpu, TEXT_POKE_SYNC_VECTOR);
		while (!READ_ONCE(text_poke_synced))
			cpu_relax();
	}
}

static void text_poke_bp_batch(struct text_poke_loc *tp, int nr_entries)
{
	u8 int3 = INT3_INSN_OPCODE;
	struct text_site *s = text_poke_addr(&tp[0]);

	bp_desc.vec = tp;
	bp_desc.nr_entries = nr_entries;

	/*
	 * Corresponds to the implicit memory barrier in try_get_desc() to
	 * ensure reading a non-zero refcount provides up to date bp_desc data.
	 */
	atomic_set_release(&bp_desc.refs, 1);

	/* First step: add a int3 trap to the address that will be patched. */
	text_poke_site(s, 0, &int3, INT3_INSN_SIZE);
	text_poke_sync();

	/* Second step: update all but the first byte of the patched range. */
	text_poke_site(s, INT3_INSN_SIZE, &s->new[INT3_INSN_SIZE], tp[0].len - INT3_INSN_SIZE);
	text_poke_sync();

	/* Third step: replace the first byte (int3) by the first byte of replacing opcode. */
	text_poke_site(s, 0, &s->new[0], INT3_INSN_SIZE);
	text_poke_sync();

	/* Remove and wait for refs to be zero. */
	if (!atomic_dec_and_test(&bp_desc.refs))
		while (atomic_read(&bp_desc.refs))	/* atomic_cond_read_acquire(&bp_desc.refs, !VAL) */
			cpu_relax();
}

/* perf_event_nmi_handler(): the sample's timestamp. */
static int perf_event_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	sched_clock();
	return NMI_HANDLED;
}

static struct text_poke_loc tp_vec[1];

int main(void)
{
	int cpu;

	register_int3_handler(poke_int3_handler);
	register_nmi_handler(NMI_LOCAL, perf_event_nmi_handler, 0, "PMI");
	request_irq(TEXT_POKE_SYNC_IRQ, text_poke_sync_interrupt, 0, "text_poke_sync", NULL);
	for_each_online_cpu(cpu)
		irq_assign_vector(TEXT_POKE_SYNC_IRQ, cpu, TEXT_POKE_SYNC_VECTOR);

	/* static_branch_disable(&__use_tsc): text_poke_queue(), then text_poke_finish() */
	tp_vec[0].addr = &use_tsc_jump;
	tp_vec[0].len = use_tsc_jump.len;
	text_poke_bp_batch(tp_vec, 1);
	return 0;
}
