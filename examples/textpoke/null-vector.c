/*
 * text_poke_bp_batch() as it was queued for Linux 5.5: the INT3 handler
 * reads the entry count, then the vector; the patcher clears the vector,
 * then the count (fixed by "x86/alternatives: Sync bp_patching update for
 * avoiding NULL pointer exception", Masami Hiramatsu, November 2019, after
 * ftracetest's multiple_kprobes test crashed in poke_int3_handler()).
 *
 * Expected: violation null-dereference
 *
 * Protocol. CPU0 patches one site (a static key's NOP becomes a JMP) with
 * the batch protocol: publish bp_patching.vec and bp_patching.nr_entries,
 * then INT3, sync, tail, sync, first byte, sync (text_poke_sync(): an IPI
 * to every CPU whose handler serializes), then clear bp_patching.vec and
 * bp_patching.nr_entries. poke_int3_handler() is the first thing do_int3()
 * calls for *every* INT3: if nr_entries is zero it is not ours; otherwise
 * it looks the address up in vec and emulates the new instruction.
 *
 * CPU1 takes nic's interrupt whenever the device raises it. Its handler
 * runs a function with a kprobe, an INT3 that kprobes owns (the site
 * kprobed, armed since boot), and then the static branch being patched.
 * do_int3() asks poke_int3_handler() first, then kprobe_int3_handler().
 *
 * Why it fails: the patch itself is safe (the syncs make sure no CPU is
 * still in the #BP handler for *its* INT3), but the kprobe's INT3 can come
 * at any time. CPU0 clears the vector after the last sync; before it
 * clears the count, CPU1 hits the kprobe, reads nr_entries == 1, then
 * vec == NULL, and dereferences it (text_poke_addr(tp)). The same happens
 * when CPU1 reads the count just before CPU0 clears the vector.
 * null-vector-synced.c has the fix.
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
	bp_patching.vec = NULL;
	bp_patching.nr_entries = 0;
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
