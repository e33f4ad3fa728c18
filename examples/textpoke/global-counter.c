/*
 * The 2019 ftrace breakpoint handler: a "modification in progress" counter
 * (modifying_ftrace_code), a single global target address
 * (ftrace_update_func), and an INT3 handler that skips the instruction it
 * guards (arch/x86/kernel/ftrace.c before "ftrace/x86: Emulate call
 * function while updating in breakpoint handler", 2019; reported by
 * Nicolai Stange for live patching).
 *
 * Expected: violation assertion
 *
 * Protocol. ftrace_update_ftrace_func() retargets the calls in the ftrace
 * trampolines, ftrace_call and then ftrace_regs_call, from one tracer
 * function to another: "call func1" becomes "call func2" (both start with
 * e8). update_ftrace_func() publishes the site in ftrace_update_func,
 * raises modifying_ftrace_code, and patches with breakpoints: INT3, sync,
 * the four offset bytes, sync, the first byte back, sync. do_int3() asks
 * ftrace_int3_handler() first while the counter is raised; it claims an
 * INT3 at the published site and resumes after the instruction: "While
 * the change is taking place, we treat it just like it was a nop."
 *
 * CPU1 takes nic's interrupt whenever the device raises it; its handler is
 * a traced function, so it goes through ftrace_regs_caller and executes
 * ftrace_regs_call. The traced function is live patched: the call is what
 * redirects it to its new version, and it must never be missed.
 *
 * Why it fails: when nic's interrupt comes while ftrace_regs_call holds
 * the INT3, the handler claims it (the counter is raised and the address
 * is the published one) and skips the call: neither func1 nor func2 runs,
 * and for that call the unpatched function runs (the BUG_ON). The fix
 * emulates a call to the new function from the #BP handler
 * (int3_emulate_call(), ftrace_update_func_call); later kernels moved
 * ftrace to text_poke_bp() (refcount-batch.c).
 */
#pragma irqcheck cpus 2

#define INSN_SKIPPED 2	/* the #BP handler resumed after the instruction */

#define NIC_IRQ 3
#define NIC_VECTOR 0x41

static struct msi_device nic = { .irq = NIC_IRQ, .maskable = false, .max_raises = 1 };

/* "call ftrace_stub" -> "call function_trace_call", in the two trampolines */
static struct text_site ftrace_call = {
	.len = 5,
	.old = { 0xe8, 0x11, 0x22, 0x00, 0x00 },
	.new = { 0xe8, 0x33, 0x44, 0x00, 0x00 },
};
static struct text_site ftrace_regs_call = {
	.len = 5,
	.old = { 0xe8, 0x01, 0x12, 0x00, 0x00 },
	.new = { 0xe8, 0x23, 0x34, 0x00, 0x00 },
};

static atomic_t modifying_ftrace_code;
static struct text_site *ftrace_update_func;

static bool is_ftrace_caller(struct text_site *ip)
{
	return ip == READ_ONCE(ftrace_update_func);
}

/*
 * A breakpoint was added to the code address we are about to modify, and
 * this is the handle that will just skip over it.
 */
static int ftrace_int3_handler(struct text_site *ip, int *insn)
{
	if (!is_ftrace_caller(ip))
		return 0;
	*insn = INSN_SKIPPED;	/* regs->ip += MCOUNT_INSN_SIZE - 1 */
	return 1;
}

/* do_int3(): ftrace must be first. */
static int do_int3(struct text_site *ip, int *insn)
{
	if (atomic_read(&modifying_ftrace_code) && ftrace_int3_handler(ip, insn))
		return 1;
	return 0;	/* nobody else has breakpoints here: "Oops: int3" */
}

static void run_sync(void)
{
	on_each_cpu(do_sync_core, NULL, 1);
}

static void ftrace_modify_code(struct text_site *ip)
{
	u8 brk = INT3_INSN_OPCODE;

	text_poke_site(ip, 0, &brk, 1);			/* add_break() */
	run_sync();
	text_poke_site(ip, 1, &ip->new[1], ip->len - 1);	/* add_update_code() */
	run_sync();
	text_poke_site(ip, 0, &ip->new[0], 1);		/* ftrace_write(ip, new_code, 1) */
	run_sync();
}

static void update_ftrace_func(struct text_site *ip)
{
	WRITE_ONCE(ftrace_update_func, ip);
	/* Make sure the breakpoints see the ftrace_update_func update */
	smp_wmb();
	atomic_inc(&modifying_ftrace_code);
	ftrace_modify_code(ip);
	atomic_dec(&modifying_ftrace_code);
}

static void ftrace_update_ftrace_func(void)
{
	update_ftrace_func(&ftrace_call);
	/* Also update the regs callback function */
	update_ftrace_func(&ftrace_regs_call);
}

/* nic's handler is traced, and live patched: its fentry call lands in ftrace_regs_caller. */
static irqreturn_t nic_interrupt(int irq, void *dev_id)
{
	int insn = exec_site(&ftrace_regs_call);

	/* The tracer call is what runs the patched function: it must never be missed. */
	BUG_ON(insn != SITE_OLD && insn != SITE_NEW);
	return IRQ_HANDLED;
}

int main(void)
{
	register_int3_handler(do_int3);
	request_irq(NIC_IRQ, nic_interrupt, 0, "nic", NULL);
	irq_assign_vector(NIC_IRQ, 1, NIC_VECTOR);
	msi_device_start(&nic);
	ftrace_update_ftrace_func();
	return 0;
}
