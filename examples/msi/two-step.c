/*
 * The fix of seed 004 ("x86/apic/msi: Plug non-maskable MSI affinity race"):
 * a two-step update of the message, then a look at the local APIC's IRR.
 *
 * Expected: verified
 * Expected (cpus 2..4): verified
 *
 * Protocol. nic (no MSI masking) targets CPU0, vector 0x31; the move to
 * CPU1, vector 0x42 runs on CPU0, the current target, with interrupts off:
 *  1. if 0x42 is unused on CPU0, mark it VECTOR_RETRIGGERED there;
 *  2. write the message with the new vector on the current CPU (only the
 *     data word changes), then with the new CPU (only the address changes):
 *     every message nic can send is a whole one;
 *  3. if 0x42 is pending in CPU0's IRR, nic raised during step 2's
 *     intermediate state: retrigger it on CPU1 with an IPI.
 * The old vector stays mapped on CPU0 until the move completes (Linux frees
 * it later from the new target), so a raise before the first write is
 * handled on CPU0. nic may raise twice; disk, a second device, already uses
 * vector 0x42 on CPU0 (so 0x42 is *not* unused there).
 *
 * Why it holds: no lost interrupt in any interleaving, for 2 to 4 CPUs and 1
 * or 2 raises of nic (max_raises bounds them; runs with one raise are
 * among those explored). The seed's three spurious cases are reported as
 * warnings, which Linux accepts:
 *  - case 1 (new vector unused on the local CPU, nic raised in the
 *    intermediate state): CPU0 later takes 0x42, finds VECTOR_RETRIGGERED and
 *    drops it silently, once: no warning, by design. It cannot happen here,
 *    where disk owns 0x42 on CPU0; two-step-no-irr-check.c has 0x42 unused
 *    and shows that dropping it is only safe because of the IRR check.
 *  - case 2 (0x42 in use on CPU0; the IRR check sees disk's own raise):
 *    the retrigger runs nic's handler on CPU1 though nic raised nothing:
 *    warning spurious-handler, "CPU1 runs the handler of nic".
 *  - case 3 (0x42 in use on CPU0; nic raised in the intermediate state):
 *    CPU0 runs disk's handler for nic's message: warning spurious-handler,
 *    "CPU0 runs the handler of disk".
 * A fourth warning, "CPU0 runs the handler of nic", is no race of the fix:
 * nic raised before the first write (pending on CPU0 with interrupts off)
 * and again after the move; CPU1's handler serviced both, so CPU0's late
 * delivery on the old vector finds nothing new.
 */
#pragma irqcheck cpus 2

#define NIC_IRQ 3
#define DISK_IRQ 4
#define OLD_VECTOR 0x31
#define NEW_VECTOR 0x42

static struct msi_device nic = { .irq = NIC_IRQ, .maskable = false, .max_raises = 2 };
static struct msi_device disk = { .irq = DISK_IRQ, .maskable = false, .max_raises = 1 };

static irqreturn_t nic_interrupt(int irq, void *dev_id) { return IRQ_HANDLED; }
static irqreturn_t disk_interrupt(int irq, void *dev_id) { return IRQ_HANDLED; }

/* arch/x86/kernel/apic/msi.c: msi_set_affinity() for a device without masking */
static void msi_set_affinity(unsigned int irq, unsigned int new_cpu, unsigned int new_vector)
{
	struct irq_cfg old_cfg;

	old_cfg = *irqd_cfg(irq);
	irq_assign_vector(irq, new_cpu, new_vector);

	if (IS_ERR_OR_NULL(this_cpu_read(vector_irq[new_vector])))
		this_cpu_write(vector_irq[new_vector], VECTOR_RETRIGGERED);

	/* Redirect it to the new vector on the local CPU temporarily */
	old_cfg.vector = new_vector;
	irq_msi_update_msg(irq, &old_cfg);

	/* Now transition it to the target CPU */
	irq_msi_update_msg(irq, irqd_cfg(irq));

	/* Did the device raise while the intermediate message was in effect? */
	if (lapic_vector_set_in_irr(new_vector))
		apic_retrigger_irq(irq);
}

int main(void)
{
	unsigned long flags;

	request_irq(DISK_IRQ, disk_interrupt, 0, "disk", &disk);
	irq_assign_vector(DISK_IRQ, 0, NEW_VECTOR);
	msi_device_start(&disk);

	request_irq(NIC_IRQ, nic_interrupt, 0, "nic", &nic);
	irq_assign_vector(NIC_IRQ, 0, OLD_VECTOR);
	msi_device_start(&nic);

	local_irq_save(flags);
	msi_set_affinity(NIC_IRQ, 1, NEW_VECTOR);
	local_irq_restore(flags);
	return 0;
}
