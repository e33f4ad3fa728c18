/*
 * on-stack-descriptor.c with the fix of "x86/alternative: Fix race in
 * try_get_desc()" (Nadav Amit, 2022): one global descriptor, whose
 * refcount is its liveness.
 *
 * Expected: verified
 * Expected (cpus 3): verified
 *
 * Protocol. bp_desc is a global struct bp_patching_desc, not a pointer.
 * text_poke_bp_batch() fills in vec and nr_entries, then publishes the
 * batch with atomic_set_release(&bp_desc.refs, 1); it patches (INT3, sync,
 * tail, sync, first byte, sync), drops its reference and waits for refs to
 * reach zero. try_get_desc() is a single atomic_inc_not_zero(&bp_desc.refs):
 * a reference is taken only while a batch is live, and only on memory that
 * always exists. Two batches run back to back (two static keys), so the
 * descriptor is reused, as the stack slot was.
 *
 * CPU1 takes nic's interrupt whenever the device raises it. Its handler
 * hits a kprobe's INT3, so poke_int3_handler() runs at any time relative
 * to the batches, and then runs both static branches.
 *
 * Why it holds: a handler that wins atomic_inc_not_zero() holds the batch
 * open until its put_desc(), since the patcher waits for zero before it
 * returns or reuses the descriptor; a handler that loses sees no batch and
 * leaves the INT3 to kprobes. A handler therefore never reads vec or
 * nr_entries of a batch that is not live, and every INT3 is claimed.
 * The wait for zero matters: without it, a kprobe handler still holding a
 * reference on the first batch has its count overwritten by the second
 * batch's atomic_set_release(), its put_desc() then drops the second
 * batch to zero, and CPU1 meets the second INT3 with no batch live:
 * irqcheck reports unhandled-breakpoint.
 */
#pragma irqcheck cpus 2

#define NIC_IRQ 3
#define NIC_VECTOR 0x41

static struct msi_device nic = { .irq = NIC_IRQ, .maskable = false, .max_raises = 1 };

/* Two static keys' jump sites: 5-byte NOPs that become "jmp l_yes". */
static struct text_site key_site = {
	.len = 5,
	.old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	.new = { 0xe9, 0x10, 0x00, 0x00, 0x00 },
};
static struct text_site key2_site = {
	.len = 5,
	.old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	.new = { 0xe9, 0x20, 0x00, 0x00, 0x00 },
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

struct bp_patching_desc {
	struct text_poke_loc *vec;
	int nr_entries;
	atomic_t refs;
};

static struct bp_patching_desc bp_desc;

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

	bp_desc.vec = tp;
	bp_desc.nr_entries = nr_entries;

	/*
	 * Corresponds to the implicit memory barrier in try_get_desc() to
	 * ensure reading a non-zero refcount provides up to date bp_desc data.
	 */
	atomic_set_release(&bp_desc.refs, 1);

	text_poke_site(s, 0, &int3, 1);
	text_poke_sync();
	text_poke_site(s, 1, &s->new[1], s->len - 1);
	text_poke_sync();
	text_poke_site(s, 0, &s->new[0], 1);
	text_poke_sync();

	/*
	 * Remove and wait for refs to be zero.
	 */
	if (!atomic_dec_and_test(&bp_desc.refs))
		while (atomic_read(&bp_desc.refs))	/* atomic_cond_read_acquire(&bp_desc.refs, !VAL) */
			cpu_relax();
}

static irqreturn_t nic_interrupt(int irq, void *dev_id)
{
	exec_site(&kprobed);
	exec_site(&key_site);	/* static_branch_unlikely(&key) */
	exec_site(&key2_site);	/* static_branch_unlikely(&key2) */
	return IRQ_HANDLED;
}

static struct text_poke_loc tp_vec[1], tp2_vec[1];

int main(void)
{
	register_int3_handler(do_int3);
	request_irq(NIC_IRQ, nic_interrupt, 0, "nic", NULL);
	irq_assign_vector(NIC_IRQ, 1, NIC_VECTOR);
	msi_device_start(&nic);

	tp_vec[0].addr = &key_site;
	tp_vec[0].len = key_site.len;
	text_poke_bp_batch(tp_vec, 1);

	tp2_vec[0].addr = &key2_site;
	tp2_vec[0].len = key2_site.len;
	text_poke_bp_batch(tp2_vec, 1);
	return 0;
}
