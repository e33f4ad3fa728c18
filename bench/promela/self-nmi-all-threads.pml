/*
 * Promela twin of examples/microcode/self-nmi-all-threads.c for the
 * benchmark against SPIN (bench/run.mjs). Hand-written; the harness only
 * sets the parameters:
 *
 *   spin -DCPUS=4 -DNMIS=1 -a self-nmi-all-threads.pml
 *
 * CPUS: logical CPUs, even (SMT 2: CPU 2k is the primary thread of core k,
 * 2k+1 its sibling). NMIS: external NMIs that may arrive.
 *
 * Expected: NMIS=0 no error; NMIS>=1 an invalid end state (irqcheck:
 * violation timeout). An external NMI on CPU0 after the handler is armed
 * and before stop_machine has gathered the others parks CPU0 in the NMI
 * rendezvous, waiting for CPUs that can only get there through CPU0.
 *
 * What is modelled, as irqcheck's machine does it (docs/how-it-works.md):
 *  - main() on CPU0 registers perf_nmi, then microcode_reload_late() resets
 *    the four counters and nmi_work_done, registers ucode_nmi_handler with
 *    NMI_FLAG_FIRST, raises ucode_update_in_progress and calls
 *    stop_machine_cpuslocked(): the prelude's multi_cpu_stop() (a queued
 *    stopper per CPU that an idle CPU starts with a wake step; acks and
 *    waits for PREPARE, DISABLE_IRQ, RUN, EXIT). Then it lowers the flag,
 *    unregisters the handler, waits until no other CPU is in NMI (the
 *    synchronize_rcu() of unregister_nmi_handler), and returns.
 *  - reload_late_cb() on every CPU: rendezvous at late_cpus_in, a self-NMI,
 *    a wait for its own bit in nmi_work_done, rendezvous at late_cpus_out,
 *    then a sibling reads the revision (apply_microcode_local() on an
 *    updated core: an MSR read).
 *  - ucode_nmi_handler(): NMI_DONE unless the update is in progress;
 *    NMI_HANDLED at once if this CPU's NMI already did its part; else
 *    rendezvous at nmi_cpus_in, the primary updates its core (WRMSR 0x79:
 *    begin, end), rendezvous at nmi_cpus_out, mark the CPU done.
 *  - NMIs as in xen-sibling-nmi.pml (SDM 6.7.1): a self-NMI is pending
 *    until a later step of its CPU takes it; NMIS external NMIs arrive at
 *    any CPU at any boundary, taken at once if the CPU can take one, else
 *    latched; blocked from entry to IRET, one latched, the rest coalesce;
 *    none taken with an MSR access or the update in flight; the entry runs
 *    the handler list as it found it, and an unclaimed model NMI is an
 *    unknown NMI (an assert); perf_nmi reads an MSR and returns NMI_DONE.
 *  - Properties: the MSR-during-update assert at every MSR begin, the
 *    unknown-NMI assert, and SPIN's invalid end state for a run that can
 *    never finish (irqcheck: timeout, since every wait here counts down).
 *
 * Steps. One transition per irqcheck step, the same branches folded into
 * the same steps, locals live where irqcheck's are (both zero dead locals):
 * with spin -o3 and gcc -DNOREDUCE the twin has exactly irqcheck's states
 * (940 at CPUS=2 NMIS=0; 283,286 at CPUS=4 NMIS=0), SPIN's dataflow
 * optimisation on or off (-o1). The benchmark runs it with SPIN's
 * defaults: optimisations and partial-order reduction on.
 * (Those counts are irqcheck's steps as they were when the twin was
 * written: a step ended at the first statement boundary after its visible
 * action. irqcheck's steps now run on through the local statements after
 * it, so its raw counts are lower and no longer equal; the verdicts are
 * the same.)
 *
 * Where it differs from irqcheck (see xen-sibling-nmi.pml for the details):
 * countdowns are blocking waits and their one-second timeouts (panic) are
 * not modelled, running out being a stuck state in both; a stuck state with
 * external NMIs left is only SPIN's invalid end state once they have
 * arrived; IF, MSR values and the return codes are not modelled.
 */

#ifndef CPUS
#define CPUS 2
#endif
#ifndef NMIS
#define NMIS 0
#endif
#if CPUS % 2 != 0 || CPUS < 2
#error "CPUS must be even: SMT 2, two threads per core"
#endif
#if defined(SMT) && SMT != 2
#error "this twin has SMT 2 (the model's #pragma irqcheck smt 2)"
#endif

/* ---- the machine: NMIs and MSRs ---- */

#define SIBLING(c) ((c) ^ 1)
#define IS_PRIMARY(c) (((c) & 1) == 0)

#define MSR_NONE 0
#define MSR_READ 1
#define MSR_UCODE_UPDATE 2

bit innmi[CPUS];        /* in NMI context: NMIs blocked until IRET */
byte nmis_in_flight;    /* how many CPUs are in NMI context */
bit pend_model[CPUS];   /* an NMI the model sent (the self-NMI) is pending */
bit pend_ext[CPUS];     /* an external NMI is pending (latched) */
byte msr[CPUS];         /* MSR_* in flight */
bit updated[CPUS / 2];  /* the core's microcode has been updated */
byte nmis_left = NMIS;

#define MSR_READ_BEGIN(c) assert(msr[SIBLING(c)] != MSR_UCODE_UPDATE); msr[c] = MSR_READ
#define UCODE_BEGIN(c) \
	if \
	:: updated[(c) / 2] -> MSR_READ_BEGIN(c) \
	:: else -> assert(msr[SIBLING(c)] == MSR_NONE); msr[c] = MSR_UCODE_UPDATE \
	fi
#define UCODE_END(c) \
	d_step { \
		if \
		:: msr[c] == MSR_UCODE_UPDATE -> updated[(c) / 2] = 1 \
		:: else -> skip \
		fi; \
		msr[c] = MSR_NONE \
	}

/* A wait loop: the first read passes, or the CPU waits in the loop body until it would. */
#define WAIT(cond) if :: (cond) :: else -> (cond) fi

/* A countdown waits the same way: its timeout is dead after the loop, and irqcheck zeroes dead locals. */
#define COUNTDOWN(cond) WAIT(cond)

/* ---- the kernel: the NMI handler list, stop_machine ---- */

/* The NMI_LOCAL list: 0 empty, 1 perf_nmi, 2 ucode_nmi_handler then perf_nmi. */
byte nregistered;

byte sm_ack;
byte sm_done;
bit sm_work[CPUS];

/* ---- the protocol ---- */

byte late_cpus_in;
byte late_cpus_out;
byte nmi_cpus_in;
byte nmi_cpus_out;
bit ucode_update_in_progress;
bit nmi_work_done[CPUS];

/*
 * reload_late_cb() from its call in multi_cpu_stop() to the ack after it.
 */
inline reload_late_cb_and_ack(c) {
	skip;                               /* the call */
	late_cpus_in++;                     /* wait_for_cpus(&late_cpus_in, NSEC_PER_SEC) */
	COUNTDOWN(late_cpus_in >= CPUS);
	pend_model[c] = 1;                  /* apic->send_IPI_self(NMI_VECTOR) */
	COUNTDOWN(nmi_work_done[c]);
	late_cpus_out++;                    /* wait_for_cpus(&late_cpus_out, NSEC_PER_SEC) */
	COUNTDOWN(late_cpus_out >= CPUS);
	if
	:: d_step { IS_PRIMARY(c) -> sm_ack++ }            /* returns 0, acks */
	:: d_step { !IS_PRIMARY(c) -> UCODE_BEGIN(c) };    /* apply_microcode_local(): the revision read */
		UCODE_END(c);
		sm_ack++
	fi
}

inline multi_cpu_stop(c) {
	sm_ack++;
	WAIT(sm_ack >= CPUS);
	sm_ack++;                           /* local_irq_disable() */
	WAIT(sm_ack >= 2 * CPUS);
	reload_late_cb_and_ack(c);
	WAIT(sm_ack >= 3 * CPUS);
	sm_done++                           /* local_irq_restore() */
}

/* CPU0's task context: main() and microcode_reload_late(). */
active proctype Cpu0() provided (innmi[0] == 0)
{
	byte i;
	nregistered = 1;                    /* register_nmi_handler(NMI_LOCAL, perf_nmi, 0, "PMI") */
	late_cpus_in = 0;
	late_cpus_out = 0;
	nmi_cpus_in = 0;
	nmi_cpus_out = 0;
	d_step {                            /* cpumask_clear(&nmi_work_done) */
		i = 0;
		do
		:: i < CPUS -> nmi_work_done[i] = 0; i++
		:: else -> break
		od;
		i = 0
	};
	nregistered = 2;                    /* register_nmi_handler(..., ucode_nmi_handler, NMI_FLAG_FIRST, ...) */
	ucode_update_in_progress = 1;
	d_step {                            /* stop_machine_cpuslocked(): queue the stopper */
		sm_ack = 0; sm_done = 0;
		i = 1;
		do
		:: i < CPUS -> sm_work[i] = 1; i++
		:: else -> break
		od;
		i = 0
	};
	multi_cpu_stop(0);
	WAIT(sm_done >= CPUS);
	skip;                               /* return __irqcheck_sm_ret */
	ucode_update_in_progress = 0;
	nregistered = 1;                    /* unregister_nmi_handler(NMI_LOCAL, "ucode_nmi") */
	WAIT(nmis_in_flight == 0);          /* ... and no other CPU still in NMI (CPU0 is not: it runs) */
	skip                                /* pr_info(); return: CPU0 goes idle */
}

active [CPUS - 1] proctype Cpu() provided (innmi[_pid] == 0)
{
end_idle:
	d_step { sm_work[_pid] -> sm_work[_pid] = 0 };    /* wakes: the stopper thread */
	multi_cpu_stop(_pid)
}

#define NC (_pid - CPUS)
#define NMI_ENTER innmi[NC] = 1; nmis_in_flight++; pend_model[NC] = 0; pend_ext[NC] = 0
#define IRET_BODY \
	assert(handled || !from_model);     /* unknown NMI */ \
	innmi[NC] = 0; nmis_in_flight--; handled = 0; from_model = 0; n = 0
/* After the last handler the loop tests i < n once more: n is live until then, as in irqcheck. */
#define IRET d_step { n > 0 -> IRET_BODY }

active [CPUS] proctype Nmi()
{
	bit from_model;     /* only NMIs the model sent were pending */
	bit handled;        /* a handler returned NMI_HANDLED */
	byte n;             /* the handler list as the entry found it */
end_idle:
	if
	:: d_step { (pend_model[NC] || pend_ext[NC]) && msr[NC] == MSR_NONE ->
		from_model = 1 - pend_ext[NC]; NMI_ENTER }
	:: d_step { nmis_left > 0 && msr[NC] == MSR_NONE ->      /* an external NMI arrives, taken at once */
		nmis_left--; from_model = 0; NMI_ENTER }
	fi;
	n = nregistered;                    /* nmi_handle(): the list as it is now */
	if
	:: d_step { n == 0 -> IRET_BODY }; goto end_idle
	:: n == 1                           /* calls perf_nmi() */
	:: n == 2 ->                        /* calls ucode_nmi_handler() */
		if
		:: !ucode_update_in_progress ->
			handled = 0                 /* returns NMI_DONE; calls perf_nmi() */
		:: ucode_update_in_progress ->
			if
			:: nmi_work_done[NC] ->     /* an earlier NMI did the work */
				handled = 1             /* returns NMI_HANDLED; calls perf_nmi() */
			:: !nmi_work_done[NC] ->
				nmi_cpus_in++;          /* wait_for_cpus(&nmi_cpus_in, NSEC_PER_SEC) */
				COUNTDOWN(nmi_cpus_in >= CPUS);
				if
				:: d_step { IS_PRIMARY(NC) -> UCODE_BEGIN(NC) };   /* apply_microcode_local() */
					UCODE_END(NC);
					nmi_cpus_out++      /* wait_for_cpus(&nmi_cpus_out, NSEC_PER_SEC) */
				:: d_step { !IS_PRIMARY(NC) -> nmi_cpus_out++ }
				fi;
				COUNTDOWN(nmi_cpus_out >= CPUS);
				nmi_work_done[NC] = 1;
				handled = 1             /* returns NMI_HANDLED; calls perf_nmi() */
			fi
		fi
	fi;
	d_step { MSR_READ_BEGIN(NC) };      /* perf_nmi(): rdmsrl(MSR_CORE_PERF_GLOBAL_STATUS) */
	msr[NC] = MSR_NONE;                 /* reads 0: NMI_DONE */
	IRET;
	goto end_idle
}

#if NMIS > 0
#define LC (_pid - 2 * CPUS)
active [CPUS] proctype NmiLatch()
{
end_idle:
	do
	:: d_step { nmis_left > 0 && (innmi[LC] || msr[LC] != MSR_NONE) -> nmis_left--; pend_ext[LC] = 1 }
	od
}
#endif
