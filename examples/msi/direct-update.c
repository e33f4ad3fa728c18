/*
 * Moving the interrupt of a device that cannot mask MSI, by rewriting the
 * message directly (seed 004, the race Evan Green tracked down).
 *
 * Expected: violation lost-interrupt
 * Expected (cpus 2..4): violation lost-interrupt
 *
 * Protocol. nic's interrupt targets CPU0, vector 0x31. main() moves it to
 * CPU1, vector 0x42, with interrupts off: the vector domain allocates the new
 * target, then the new message is written to the device's config space, one
 * 32-bit word at a time (address, then data), as pci_write_msi_msg() does.
 *
 * Why it fails. nic cannot mask, so it may raise between the two writes. The
 * message it sends then is torn: the new address (CPU1) with the old data
 * (vector 0x31). CPU1 has no handler for 0x31: common_interrupt() reports
 * "No irq handler for vector" (a spurious-interrupt warning) and drops it,
 * and nic's handler never runs for that raise: the interrupt is lost.
 *
 * Configuration: two CPUs, one device interrupt.
 */
#pragma irqcheck cpus 2

#define NIC_IRQ 3
#define OLD_VECTOR 0x31
#define NEW_VECTOR 0x42

static struct msi_device nic = { .irq = NIC_IRQ, .maskable = false, .max_raises = 1 };
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

	/* msi_set_affinity() before the fix: one direct update of the message */
	local_irq_save(flags);
	irq_assign_vector(NIC_IRQ, 1, NEW_VECTOR);
	irq_msi_update_msg(NIC_IRQ, irqd_cfg(NIC_IRQ));
	local_irq_restore(flags);
	return 0;
}
