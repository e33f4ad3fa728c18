/*
 * The two-step MSI update of seed 004 without its last part, the look at
 * the local APIC's IRR.
 *
 * Expected: violation lost-interrupt
 * Expected (cpus 2..4): violation lost-interrupt
 *
 * Protocol. As two-step.c: nic (no MSI masking) moves from CPU0 vector 0x31
 * to CPU1 vector 0x42, the move running on CPU0 with interrupts off; 0x42 is
 * unused on CPU0, so it is marked VECTOR_RETRIGGERED there; the message is
 * rewritten in two steps (new vector on CPU0, then CPU1). There is no check
 * of CPU0's IRR afterwards.
 *
 * Why it fails. nic raises while the intermediate message (CPU0, 0x42) is in
 * effect: 0x42 is requested on CPU0, whose interrupts are off. When CPU0
 * turns them back on it takes 0x42, finds VECTOR_RETRIGGERED and drops it
 * silently (seed case 1: "interrupt entry code will ignore that spurious
 * interrupt"). Nobody retriggers it on CPU1: nic's handler never runs for
 * that raise.
 */
#pragma irqcheck cpus 2

#define NIC_IRQ 3
#define OLD_VECTOR 0x31
#define NEW_VECTOR 0x42

static struct msi_device nic = { .irq = NIC_IRQ, .maskable = false, .max_raises = 1 };

static irqreturn_t nic_interrupt(int irq, void *dev_id) { return IRQ_HANDLED; }

static void msi_set_affinity(unsigned int irq, unsigned int new_cpu, unsigned int new_vector)
{
	struct irq_cfg old_cfg;

	old_cfg = *irqd_cfg(irq);
	irq_assign_vector(irq, new_cpu, new_vector);

	if (IS_ERR_OR_NULL(this_cpu_read(vector_irq[new_vector])))
		this_cpu_write(vector_irq[new_vector], VECTOR_RETRIGGERED);

	old_cfg.vector = new_vector;
	irq_msi_update_msg(irq, &old_cfg);
	irq_msi_update_msg(irq, irqd_cfg(irq));
	/* missing: if (lapic_vector_set_in_irr(new_vector)) apic_retrigger_irq(irq); */
}

int main(void)
{
	unsigned long flags;

	request_irq(NIC_IRQ, nic_interrupt, 0, "nic", &nic);
	irq_assign_vector(NIC_IRQ, 0, OLD_VECTOR);
	msi_device_start(&nic);

	local_irq_save(flags);
	msi_set_affinity(NIC_IRQ, 1, NEW_VECTOR);
	local_irq_restore(flags);
	return 0;
}
