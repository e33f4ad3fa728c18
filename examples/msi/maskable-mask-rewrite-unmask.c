/*
 * Moving the interrupt of a device that *can* mask MSI: mask, rewrite the
 * whole message, unmask (what msi_set_affinity() may do when masking works).
 *
 * Expected: verified
 * Expected (cpus 2..4): verified
 *
 * Protocol. nic targets CPU0, vector 0x31, and may raise twice. main() masks
 * it, moves it to CPU1 vector 0x42 with a direct rewrite of both words, and
 * unmasks it. The old vector stays mapped on CPU0 until the move is done.
 *
 * Why it holds. A masked device sends nothing: a raise while masked sets its
 * pending bit, and the message goes out on unmask, built from the complete
 * new message. No message is ever torn, so every raise reaches nic's
 * handler, on CPU0 (before the mask) or CPU1 (after).
 */
#pragma irqcheck cpus 2

#define NIC_IRQ 3
#define OLD_VECTOR 0x31
#define NEW_VECTOR 0x42

static struct msi_device nic = { .irq = NIC_IRQ, .maskable = true, .max_raises = 2 };
static atomic_t nic_events;

static irqreturn_t nic_interrupt(int irq, void *dev_id)
{
	atomic_inc(&nic_events);
	return IRQ_HANDLED;
}

int main(void)
{
	unsigned long flags;

	request_irq(NIC_IRQ, nic_interrupt, 0, "nic", &nic);
	irq_assign_vector(NIC_IRQ, 0, OLD_VECTOR);
	msi_device_start(&nic);

	local_irq_save(flags);
	pci_msi_mask_irq(NIC_IRQ);
	irq_assign_vector(NIC_IRQ, 1, NEW_VECTOR);
	irq_msi_update_msg(NIC_IRQ, irqd_cfg(NIC_IRQ));
	pci_msi_unmask_irq(NIC_IRQ);
	local_irq_restore(flags);
	return 0;
}
