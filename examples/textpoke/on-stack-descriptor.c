/*
 * text_poke_bp_batch() of Linux 5.6 to 5.19: the descriptor of a batch
 * lives on the patcher's stack, published through a global pointer, and a
 * refcount tells the patcher when the INT3 handlers are done with it
 * ("x86/alternatives: Implement a better poke_int3_handler() completion
 * scheme", Peter Zijlstra, December 2019; fixed by "x86/alternative: Fix
 * race in try_get_desc()", Nadav Amit, September 2022).
 *
 * Expected: violation use-after-return
 *
 * Protocol. text_poke_bp_batch() builds struct bp_patching_desc on its
 * stack with refs = 1, publishes it in bp_desc, patches (INT3, sync, tail,
 * sync, first byte, sync), then clears bp_desc, drops its reference and
 * waits for refs to reach zero before returning. poke_int3_handler(),
 * which do_int3() calls first for every INT3, takes a reference with
 * try_get_desc(): read bp_desc, then atomic_inc_not_zero(&desc->refs); it
 * emulates the new instruction if the INT3 is in the batch, and drops the
 * reference.
 *
 * CPU1 takes nic's interrupt whenever the device raises it; its handler
 * runs a function with a kprobe (an INT3 that kprobes owns, armed since
 * boot), then the static branch being patched. So CPU1 enters
 * poke_int3_handler() at any time, not only while the batch's own INT3 is
 * in place.
 *
 * Why it fails: try_get_desc() reads the pointer and increments the
 * refcount in two steps. CPU1 reads bp_desc; CPU0 clears it, drops the
 * last reference (no handler holds one, so there is nothing to wait for)
 * and returns; CPU1's atomic_inc_not_zero() then touches the descriptor in
 * a stack frame that no longer exists. Here the slot still holds refs = 0
 * and the increment fails harmlessly; if the next text_poke_bp_batch()
 * had reused the slot, CPU1 would take a reference on the new batch's
 * descriptor through a stale pointer. (irqcheck reports the access while
 * the slot is still free; it cannot tell an access to a reused slot from a
 * legitimate one.) global-descriptor.c has the fix.
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

struct bp_patching_desc {
	struct text_poke_loc *vec;
	int nr_entries;
	atomic_t refs;
};

static struct bp_patching_desc *bp_desc;

#define text_poke_addr(tp) ((tp)->addr)

static struct bp_patching_desc *try_get_desc(struct bp_patching_desc **descp)
{
	struct bp_patching_desc *desc = READ_ONCE(*descp); /* rcu_dereference */

	if (!desc || !atomic_inc_not_zero(&desc->refs))
		return NULL;

	return desc;
}

static void put_desc(struct bp_patching_desc *desc)
{
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
	 * bp_desc:
	 *
	 *	bp_desc = desc			INT3
	 *	WMB				RMB
	 *	write INT3			if (desc)
	 */
	smp_rmb();

	desc = try_get_desc(&bp_desc);
	if (!desc)
		return 0;

	/* Skip the binary search if there is a single member in the vector. */
	tp = desc->vec;
	if (text_poke_addr(tp) != ip)
		goto out_put;

	*insn = SITE_NEW;	/* int3_emulate_jmp() */
	ret = 1;

out_put:
	put_desc(desc);
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
	struct bp_patching_desc desc = {
		.vec = tp,
		.nr_entries = nr_entries,
		.refs = ATOMIC_INIT(1),
	};
	u8 int3 = INT3_INSN_OPCODE;
	struct text_site *s = tp[0].addr;

	smp_store_release(&bp_desc, &desc); /* rcu_assign_pointer */

	text_poke_site(s, 0, &int3, 1);
	text_poke_sync();
	text_poke_site(s, 1, &s->new[1], s->len - 1);
	text_poke_sync();
	text_poke_site(s, 0, &s->new[0], 1);
	text_poke_sync();

	/*
	 * Remove and synchronize_rcu(), except we have a very primitive
	 * refcount based completion.
	 */
	WRITE_ONCE(bp_desc, NULL); /* RCU_INIT_POINTER */
	if (!atomic_dec_and_test(&desc.refs))
		while (atomic_read(&desc.refs))	/* atomic_cond_read_acquire(&desc.refs, !VAL) */
			cpu_relax();
}

static irqreturn_t nic_interrupt(int irq, void *dev_id)
{
	exec_site(&kprobed);
	exec_site(&key_site);	/* static_branch_unlikely(&key) */
	return IRQ_HANDLED;
}

static struct text_poke_loc tp_vec[1];

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
