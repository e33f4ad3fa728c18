/*
 * The README's worked example: text_poke_bp()'s three steps with an INT3
 * handler that emulates the new CALL while a patch is in progress, and a
 * perf NMI handler that runs the site. The patcher declares the patch over
 * right after writing the first byte back, without a last sync.
 *
 * Expected: violation unhandled-breakpoint
 * Expected (nmis 0): verified
 *
 * Why it fails: CPU1 last serialized in the second sync, when the site
 * read INT3 plus the new tail. After CPU0 writes the CALL's first byte and
 * clears patching, an NMI on CPU1 may still fetch the INT3, and the #BP
 * handler no longer claims it ("Oops: int3"). A text_poke_sync() before
 * WRITE_ONCE(patching, false) makes every CPU see the CALL first, and the
 * model is verified. Without the NMI only CPU0 runs the site, and it sees
 * its own writes (nmis 0: verified).
 */
#pragma irqcheck cpus 2 nmis 1

static struct text_site site = {
	.len = 5,
	.old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },  /* nopl 0x0(%rax,%rax,1) */
	.new = { 0xe8, 0x10, 0x20, 0x30, 0x40 },  /* call trace_fn */
};
static bool patching;

/* Called on #BP: claim our INT3 and emulate the CALL. */
static int poke_int3_handler(struct text_site *ip, int *insn)
{
	if (ip != &site || !READ_ONCE(patching))
		return 0;
	*insn = SITE_NEW;
	return 1;
}

/* The NMI handler runs the code being patched. */
static int perf_nmi(unsigned int type, struct pt_regs *regs)
{
	exec_site(&site);
	return NMI_HANDLED;
}

int main(void)
{
	u8 int3 = INT3_INSN_OPCODE;

	register_int3_handler(poke_int3_handler);
	register_nmi_handler(NMI_LOCAL, perf_nmi, 0, "perf");
	WRITE_ONCE(patching, true);
	text_poke_site(&site, 0, &int3, 1);
	text_poke_sync();
	text_poke_site(&site, 1, &site.new[1], site.len - 1);
	text_poke_sync();
	text_poke_site(&site, 0, &site.new[0], 1);
	WRITE_ONCE(patching, false);
	return 0;
}
