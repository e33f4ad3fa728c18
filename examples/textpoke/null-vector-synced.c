/*
 * null-vector.c with the fix: "x86/alternatives: Sync bp_patching update
 * for avoiding NULL pointer exception" (Masami Hiramatsu, November 2019).
 *
 * Expected: verified
 * Expected (cpus 3): verified
 *
 * Protocol. As in null-vector.c: CPU0 patches a static key's site with
 * INT3, sync, tail, sync, first byte, sync; CPU1's nic handler may hit a
 * kprobe's INT3 at any time, then runs the static branch being patched,
 * and do_int3() asks poke_int3_handler() (reads bp_patching.nr_entries,
 * then bp_patching.vec) before kprobes. The fix
 * reorders the end of text_poke_bp_batch(): clear nr_entries, sync, and
 * only then clear vec.
 *
 * Why it holds: a handler that read nr_entries != 0 runs with interrupts
 * off until its IRET, so the sync's IPI, and with it text_poke_sync(),
 * waits for that handler to finish; every handler that starts after the
 * sync reads nr_entries == 0 and never touches vec, and an INT3 of the
 * patch itself is only seen before the last sync, while nr_entries and vec
 * are both set. (Keeping the old order,
 * vec then nr_entries, with a sync between them does not help: a handler
 * starting after vec = NULL still reads nr_entries == 1.)
 */
#pragma irqcheck cpus 2

#define NIC_IRQ 3
#define NIC_VECTOR 0x41

static struct msi_device nic = { .irq = NIC_IRQ, .maskable = false, .max_raises = 1 };

/* A static key's jump site: a 5-byte NOP that becomes "jmp l_yes". */
static struct text_site key_site = {
	.len = 5,
	.old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	.new = { 0xe9, 0x10, 0x00, 0x00, 0x00 },
};

/* An instruction of nic's handler with a kprobe on it: its first byte has been an INT3 since boot. */
static struct text_site kprobed = {
	.len = 3,
	.old = { INT3_INSN_OPCODE, 0x89, 0xe5 },
	.new = { INT3_INSN_OPCODE, 0x89, 0xe5 },
};

struct text_poke_loc {
	struct text_site *addr;
	int len;
};

static struct {
	struct text_poke_loc *vec;
	int nr_entries;
} bp_patching;

static struct text_poke_loc tp_vec[1];

#define text_poke_addr(tp) ((tp)->addr)

int poke_int3_handler(struct text_site *ip, int *insn)
{
	struct text_poke_loc *tp;

	/*
	 * Having observed our INT3 instruction, we now must observe
	 * bp_patching.nr_entries.
	 */
	smp_rmb();
	if (likely(!READ_ONCE(bp_patching.nr_entries)))
		return 0;

	/* Skip the binary search if there is a single member in the vector. */
	tp = READ_ONCE(bp_patching.vec);
	if (text_poke_addr(tp) != ip)
		return 0;

	*insn = SITE_NEW;	/* int3_emulate_jmp() */
	return 1;
}

static int kprobe_int3_handler(struct text_site *ip, int *insn)
{
	if (ip != &kprobed)
		return 0;
	*insn = SITE_OLD;	/* the pre-handler runs, then the original instruction */
	return 1;
}

/* exc_int3() */
static int do_int3(struct text_site *ip, int *insn)
{
	if (poke_int3_handler(ip, insn))
		return 1;
	return kprobe_int3_handler(ip, insn);
}

static void text_poke_bp_batch(struct text_poke_loc *tp, int nr_entries)
{
	u8 int3 = INT3_INSN_OPCODE;
	struct text_site *s = tp[0].addr;

	bp_patching.vec = tp;
	bp_patching.nr_entries = nr_entries;
	/* Corresponding read barrier in the INT3 notifier. */
	smp_wmb();

	text_poke_site(s, 0, &int3, 1);
	text_poke_sync();
	text_poke_site(s, 1, &s->new[1], s->len - 1);
	text_poke_sync();
	text_poke_site(s, 0, &s->new[0], 1);
	text_poke_sync();

	/*
	 * sync_core() implies an smp_mb() and orders this store against
	 * the writing of the new instruction.
	 */
	bp_patching.nr_entries = 0;
	/*
	 * This sync_core () call ensures that all INT3 handlers in progress
	 * have finished. This allows poke_int3_handler() after this to
	 * avoid touching bp_patching.vec by checking nr_entries == 0.
	 */
	text_poke_sync();
	bp_patching.vec = NULL;
}

static irqreturn_t nic_interrupt(int irq, void *dev_id)
{
	exec_site(&kprobed);
	exec_site(&key_site);	/* static_branch_unlikely(&key) */
	return IRQ_HANDLED;
}

int main(void)
{
	register_int3_handler(do_int3);
	request_irq(NIC_IRQ, nic_interrupt, 0, "nic", NULL);
	irq_assign_vector(NIC_IRQ, 1, NIC_VECTOR);
	msi_device_start(&nic);

	tp_vec[0].addr = &key_site;
	tp_vec[0].len = key_site.len;
	text_poke_bp_batch(tp_vec, 1);
	return 0;
}
