/*
 * Promela twin of examples/msi/two-step.c for the benchmark against SPIN
 * (bench/run.mjs): the fix of seed 004, a two-step MSI message update
 * followed by a look at the local APIC's IRR. Hand-written; the harness
 * only sets the parameters:
 *
 *   spin -DCPUS=4 -DNMIS=1 -a two-step.pml
 *
 * CPUS: logical CPUs, 2 to 8 (no SMT). NMIS: external NMIs that may arrive
 * (no handler is registered: they only interleave).
 *
 * Expected: no error in any configuration (irqcheck: verified; its
 * spurious-handler warnings are not modelled).
 *
 * What is modelled, as irqcheck's machine does it (docs/how-it-works.md):
 *  - Two MSI devices without masking: nic (IRQ 3, up to 2 raises) and disk
 *    (IRQ 4, 1 raise). Once started a device may raise at any boundary; the
 *    message is its address word (destination CPU) and data word (vector)
 *    as they stand at that instant, and sets the vector in the target's IRR
 *    (a vector already requested coalesces). Each raise adds work that the
 *    device's handler must see (`unhandled`).
 *  - main() on CPU0: request_irq(disk), disk on CPU0 vector 0x42, start
 *    disk; request_irq(nic), nic on CPU0 vector 0x31, start nic;
 *    local_irq_save(); msi_set_affinity(nic, CPU1, 0x42), every statement
 *    one step as irqcheck cuts them: copy the old configuration, assign the
 *    new vector, look at vector_irq[0x42] on CPU0 (disk's: not marked
 *    VECTOR_RETRIGGERED), write the message with the new vector on the old
 *    CPU (address word, then data word), then with the new CPU, and if 0x42
 *    is pending in CPU0's IRR retrigger it on CPU1 with an IPI;
 *    local_irq_restore(); return.
 *  - The local APIC (SDM 10.8): only vectors 0x31 and 0x42 can ever be
 *    requested here, kept as IRR bit masks over CPUs. At a boundary with IF
 *    set a CPU takes its highest requested vector (IRR to ISR, IF cleared)
 *    and runs common_interrupt(): look up vector_irq, EOI, the generic
 *    path's bookkeeping (the device's work is serviced), the handler,
 *    IRET (IF restored). ISR priority never matters: IF stays clear from
 *    delivery to EOI, so no vector is delivered while one is in service.
 *  - NMIs as in xen-sibling-nmi.pml: NMIS external NMIs at any CPU at any
 *    boundary, taken at once or latched while NMIs are blocked; the entry
 *    finds no handler and IRETs. They block the CPU's other contexts
 *    (provided clauses) and maskable interrupts (IF is clear in NMI).
 *  - The property: a lost interrupt, asserted when the run has finished
 *    (main returned, every CPU idle with nothing pending and an empty IRR)
 *    and a device still has work its handler never saw. irqcheck checks the
 *    same state predicate; devices with raises left do not count as
 *    progress in either.
 *
 * Steps. One transition per irqcheck step: with spin -o3 and gcc
 * -DNOREDUCE the twin has exactly irqcheck's states (6,658 at CPUS=2 and
 * CPUS=3 without NMIs, 39,948 at CPUS=2 NMIS=1, 53,264 at CPUS=3 NMIS=1),
 * SPIN's dataflow optimisation on or off (-o1): no local here dies holding
 * a value that tells states apart. The benchmark runs it with SPIN's
 * defaults: optimisations and partial-order reduction on.
 * (Those counts are irqcheck's steps as they were when the twin was
 * written: a step ended at the first statement boundary after its visible
 * action. irqcheck's steps now run on through the local statements after
 * it, so its raw counts are lower and no longer equal; the verdicts are
 * the same.)
 *
 * Where it differs from irqcheck: only two vectors and two destinations
 * exist (irqcheck keeps 256-bit IRR/ISR and full message words); the
 * spurious-interrupt and spurious-handler warnings are not reported (the
 * paths are kept, but never reached in this protocol); the kernel's tables
 * (irq_desc, the message being composed) are folded into the program
 * counter, which determines them; a stuck state with external NMIs left is
 * only SPIN's invalid end state once they have arrived.
 */

#ifndef CPUS
#define CPUS 2
#endif
#ifndef NMIS
#define NMIS 0
#endif
#if CPUS < 2 || CPUS > 8
#error "CPUS must be 2..8 (bit masks of one byte)"
#endif
#if defined(SMT) && SMT != 1
#error "this twin has no SMT (one thread per core)"
#endif

#define BIT(c) (1 << (c))

/* ---- the machine: the local APIC (vectors 0x31 and 0x42), NMIs, MSI ---- */

#define V31 49                  /* 0x31: nic before the move */
#define V42 66                  /* 0x42: disk, and nic after the move */

byte irr_31;                    /* IRR bit 0x31, one bit per CPU */
byte irr_42;                    /* IRR bit 0x42, one bit per CPU */
byte if_set = 255;              /* IF, one bit per CPU: every CPU starts with interrupts on */
byte inirq;                     /* in hard-IRQ context */
byte innmi;                     /* in NMI context: NMIs blocked until IRET */
byte pend_ext;                  /* an external NMI is latched */
byte nmis_left = NMIS;

/* Requests `vec` on CPU `c` (an MSI message or an IPI); a requested vector coalesces. */
#define REQUEST(c, vec) \
	if \
	:: (vec) == V42 -> irr_42 = irr_42 | BIT(c) \
	:: else -> irr_31 = irr_31 | BIT(c) \
	fi

#define NIC_IRQ 3
#define DISK_IRQ 4
#define VECTOR_RETRIGGERED 255
#define NIC_MAX_RAISES 2
#define DISK_MAX_RAISES 1

/* The devices' MSI registers (destination CPU from the address word, vector from data) and work. */
bit nic_enabled;
byte nic_dest;
byte nic_vector;
byte nic_raised;
byte nic_unhandled;
bit disk_enabled;
byte disk_raised;
byte disk_unhandled;

/* ---- the kernel ---- */

/* vector_irq[cpu][vector] as an IRQ number (0 unused), for vectors 0x31 (index 2c) and 0x42 (2c+1). */
byte vector_irq[2 * CPUS];
#define VECTOR_SLOT(c, vec) (2 * (c) + ((vec) == V42))

/* irq_desc[nic].cfg: where nic's interrupt is meant to go. */
byte nic_cfg_cpu;
byte nic_cfg_vector;

bit main_returned;

/* ---- the protocol: main() and msi_set_affinity(nic, 1, 0x42) on CPU0 ---- */

active proctype Cpu0() provided ((innmi & BIT(0)) == 0 && (inirq & BIT(0)) == 0)
{
	byte old_cpu, old_vector;       /* struct irq_cfg old_cfg */
	byte msg_cpu, msg_vector;       /* struct msi_msg msg */
	skip;                           /* request_irq(DISK_IRQ, disk_interrupt, ...) */
	vector_irq[VECTOR_SLOT(0, V42)] = DISK_IRQ;          /* irq_assign_vector(DISK_IRQ, 0, 0x42) */
	disk_enabled = 1;               /* msi_device_start(&disk): message CPU0, 0x42 */
	skip;                           /* request_irq(NIC_IRQ, nic_interrupt, ...) */
	d_step {                        /* irq_assign_vector(NIC_IRQ, 0, 0x31) */
		vector_irq[VECTOR_SLOT(0, V31)] = NIC_IRQ; nic_cfg_cpu = 0; nic_cfg_vector = V31
	};
	d_step { nic_dest = nic_cfg_cpu; nic_vector = nic_cfg_vector; nic_enabled = 1 };   /* msi_device_start(&nic) */
	if_set = if_set & ~BIT(0);      /* local_irq_save(flags) */
	/* msi_set_affinity(NIC_IRQ, 1, 0x42) */
	d_step { old_cpu = nic_cfg_cpu; old_vector = nic_cfg_vector };                     /* old_cfg = *irqd_cfg(irq) */
	d_step {                        /* irq_assign_vector(irq, 1, 0x42) */
		vector_irq[VECTOR_SLOT(1, V42)] = NIC_IRQ; nic_cfg_cpu = 1; nic_cfg_vector = V42
	};
	if                              /* if (IS_ERR_OR_NULL(this_cpu_read(vector_irq[0x42]))) */
	:: vector_irq[VECTOR_SLOT(0, V42)] == 0 -> vector_irq[VECTOR_SLOT(0, V42)] = VECTOR_RETRIGGERED
	:: else
	fi;
	old_vector = V42;               /* old_cfg.vector = new_vector */
	d_step { msg_cpu = old_cpu; msg_vector = old_vector };       /* __irq_msi_compose_msg() */
	skip;                           /* pci_write_msi_msg(): irq_desc[irq].msi */
	nic_dest = msg_cpu;             /* dev->address_lo */
	skip;                           /* if (dev->addr64) */
	nic_vector = msg_vector;        /* dev->data: nic now sends CPU0, 0x42 */
	d_step { msg_cpu = nic_cfg_cpu; msg_vector = nic_cfg_vector };   /* __irq_msi_compose_msg(irqd_cfg(irq)) */
	skip;
	nic_dest = msg_cpu;             /* dev->address_lo: nic now sends CPU1, 0x42 */
	skip;
	nic_vector = msg_vector;        /* dev->data */
	if                              /* if (lapic_vector_set_in_irr(0x42)) */
	:: irr_42 & BIT(0) -> d_step { REQUEST(nic_cfg_cpu, nic_cfg_vector) }   /* apic_retrigger_irq() */
	:: else
	fi;
	d_step { if_set = if_set | BIT(0); old_cpu = 0; old_vector = 0; msg_cpu = 0; msg_vector = 0 };  /* local_irq_restore(flags) */
	main_returned = 1               /* return 0: CPU0 goes idle */
}

/* Hard-IRQ context of CPU IC: delivery of the highest vector in its IRR, common_interrupt(), IRET. */
#define IC (_pid - 1)
active [CPUS] proctype Irq() provided ((innmi & BIT(_pid - 1)) == 0)
{
	byte vector;
	byte desc;                      /* vector_irq[vector]: the IRQ, 0 unused, or VECTOR_RETRIGGERED */
end_idle:
	if
	:: d_step { (if_set & BIT(IC)) && (irr_42 & BIT(IC)) ->
		irr_42 = irr_42 & ~BIT(IC); vector = V42; if_set = if_set & ~BIT(IC); inirq = inirq | BIT(IC) }
	:: d_step { (if_set & BIT(IC)) && (irr_42 & BIT(IC)) == 0 && (irr_31 & BIT(IC)) ->
		irr_31 = irr_31 & ~BIT(IC); vector = V31; if_set = if_set & ~BIT(IC); inirq = inirq | BIT(IC) }
	fi;
	desc = vector_irq[VECTOR_SLOT(IC, vector)];
	if
	:: d_step { desc == NIC_IRQ || desc == DISK_IRQ -> skip };  /* apic_eoi(): handle_edge_irq() acks first */
		skip;                                                   /* if (desc->msi) */
		d_step {                                                /* the device's work is serviced */
			if
			:: desc == NIC_IRQ -> nic_unhandled = 0
			:: else -> disk_unhandled = 0
			fi
		};
		skip;                                                   /* if (desc->handler) */
		skip                                                    /* desc->handler(): IRQ_HANDLED */
	:: d_step { desc == 0 -> skip };                           /* apic_eoi() */
		skip                                                    /* "No irq handler for vector" (a warning) */
	:: d_step { desc == VECTOR_RETRIGGERED -> skip };          /* apic_eoi() */
		vector_irq[VECTOR_SLOT(IC, vector)] = 0                 /* dropped silently, once */
	fi;
	d_step { if_set = if_set | BIT(IC); inirq = inirq & ~BIT(IC); vector = 0; desc = 0 };   /* IRET */
	goto end_idle
}

/* NMI context of CPU NC: no handler is registered; the entry finds none and IRETs. */
#define NC (_pid - 1 - CPUS)
active [CPUS] proctype Nmi()
{
end_idle:
	if
	:: d_step { (pend_ext & BIT(NC)) -> pend_ext = pend_ext & ~BIT(NC); innmi = innmi | BIT(NC) }
	:: d_step { nmis_left > 0 -> nmis_left--; pend_ext = pend_ext & ~BIT(NC); innmi = innmi | BIT(NC) }
	fi;
	skip;                           /* nmi_handle(): the list is empty */
	innmi = innmi & ~BIT(NC);       /* IRET */
	goto end_idle
}

#if NMIS > 0
#define LC (_pid - 1 - 2 * CPUS)
active [CPUS] proctype NmiLatch()
{
end_idle:
	do
	:: d_step { nmis_left > 0 && (innmi & BIT(LC)) -> nmis_left--; pend_ext = pend_ext | BIT(LC) }
	od
}
#endif

/* The devices raise at any boundary, up to their max_raises, with their message as it stands. */
active proctype Devices()
{
end_idle:
	do
	:: d_step { nic_enabled && nic_raised < NIC_MAX_RAISES ->
		nic_raised++; nic_unhandled++; REQUEST(nic_dest, nic_vector) }
	:: d_step { disk_enabled && disk_raised < DISK_MAX_RAISES ->
		disk_raised++; disk_unhandled++; REQUEST(0, V42) }
	od
}

/* Lost interrupt: the run has finished and a device still has work no handler saw. */
#define FINISHED (main_returned && inirq == 0 && innmi == 0 && pend_ext == 0 && irr_31 == 0 && irr_42 == 0)
active proctype LostInterrupt()
{
end_watch:
	d_step { FINISHED && (nic_unhandled > 0 || disk_unhandled > 0) -> assert(false) }
}
