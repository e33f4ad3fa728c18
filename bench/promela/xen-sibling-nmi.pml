/*
 * Promela twin of examples/microcode/xen-sibling-nmi.c for the benchmark
 * against SPIN (bench/run.mjs). Hand-written; the harness only sets the
 * parameters:
 *
 *   spin -DCPUS=4 -DNMIS=1 -a xen-sibling-nmi.pml
 *
 * CPUS: logical CPUs, even (SMT 2: CPU 2k is the primary thread of core k,
 * 2k+1 its sibling). NMIS: external NMIs that may arrive.
 *
 * Expected: no error in any configuration (irqcheck: verified).
 *
 * What is modelled, as irqcheck's machine does it (docs/how-it-works.md):
 *  - main() on CPU0 registers perf_nmi, then ucode_nmi_cb with
 *    NMI_FLAG_FIRST, and calls stop_machine(): the prelude's
 *    multi_cpu_stop(). CPU0 queues the stopper on every other CPU, which an
 *    idle CPU then starts (a wake step); every CPU acks PREPARE, waits for
 *    all acks, acks DISABLE_IRQ, waits, runs do_microcode_update(), acks,
 *    waits, and exits. CPU0 waits for every exit, reads the return value
 *    and nmi_timeouts (BUG_ON), and returns.
 *  - Primaries wait until their sibling is HOLD_IN_NMI, apply the update
 *    (WRMSR 0x79: a begin step and an end step) and release the sibling.
 *    Siblings arm (HOLD_NMI_SENT), send themselves an NMI, wait for the
 *    release and read the revision (apply_microcode_local() on an updated
 *    core: an MSR read, begin and end).
 *  - NMIs (SDM 6.7.1). A model NMI (the self-NMI) sets a pending bit that a
 *    later step of its CPU takes. Up to NMIS external NMIs arrive at any CPU
 *    at any boundary: taken at once if the CPU can take one, else latched.
 *    An NMI is taken only with NMIs unblocked and no MSR access (or update)
 *    in flight on the CPU; from entry to IRET NMIs are blocked, one more is
 *    latched and further ones coalesce into it. The entry snapshots the
 *    handler list, runs it in order (ucode_nmi_cb first once registered)
 *    and IRETs; a model NMI that no handler claims is an unknown NMI (an
 *    assert). perf_nmi reads MSR_CORE_PERF_GLOBAL_STATUS (begin, end),
 *    reads 0 and returns NMI_DONE. The task context of a CPU runs only
 *    while the CPU is not in NMI (the proctype's provided clause).
 *  - The property, asserted at every MSR begin: no thread begins an access
 *    while its sibling updates the core, and no update begins while the
 *    sibling has an access in flight. A run that cannot go on is SPIN's
 *    invalid end state (irqcheck: deadlock, or timeout).
 *
 * Steps. One transition per irqcheck step (a statement that touches shared
 * memory, an MSR begin or end, an NMI taken, an IRET, a wake), with the same
 * branches folded into the same steps, and locals live where irqcheck's are
 * (both zero dead locals: irqcheck at every statement boundary, SPIN by its
 * dataflow optimisation). Verified without reductions
 * (spin -o3, gcc -DNOREDUCE: no statement merging, no partial-order
 * reduction), the twin has exactly irqcheck's states (222, 3,337 and
 * 18,862 at CPUS=2 with 0, 1, 2 NMIs; 31,022 and 794,958 at CPUS=4 with 0
 * and 1), with SPIN's dataflow optimisation on or off (-o1). The benchmark
 * runs it as a SPIN user would: default optimisations and partial-order
 * reduction on.
 * (Those counts are irqcheck's steps as they were when the twin was
 * written: a step ended at the first statement boundary after its visible
 * action. irqcheck's steps now run on through the local statements after
 * it, so its raw counts are lower and no longer equal; the verdicts are
 * the same.)
 *
 * Where it differs from irqcheck:
 *  - Time. irqcheck's countdown loops (the primary's and the sibling's
 *    waits, the NMI hold loop, with their one-second timeouts) never run out
 *    while anything else can progress, and running out is a violation: here
 *    they are blocking waits, and a wait that can never end is an invalid
 *    end state. The timeout paths (pr_err, -EBUSY, nmi_timeouts++) are not
 *    modelled; nmi_timeouts stays 0, as in every run irqcheck accepts.
 *  - Stuck states. irqcheck calls a state stuck when no CPU can progress,
 *    even with external NMIs left to arrive; SPIN only when nothing at all
 *    can move, so a stuck state with NMIs left is reported once they have
 *    arrived (same verdict, longer trace).
 *  - Not modelled: IF (nothing here is a maskable interrupt), MSR values
 *    (perf reads 0, as in irqcheck), stop_machine's return value (always 0).
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

/* The MSR access a CPU has in flight. */
#define MSR_NONE 0
#define MSR_READ 1
#define MSR_UCODE_UPDATE 2

bit innmi[CPUS];        /* in NMI context: NMIs blocked until IRET */
bit pend_model[CPUS];   /* an NMI the model sent (the self-NMI) is pending */
bit pend_ext[CPUS];     /* an external NMI is pending (latched) */
byte msr[CPUS];         /* MSR_* in flight */
bit updated[CPUS / 2];  /* the core's microcode has been updated */
byte nmis_left = NMIS;

/* An MSR read begins: the sibling must not be updating the core. */
#define MSR_READ_BEGIN(c) assert(msr[SIBLING(c)] != MSR_UCODE_UPDATE); msr[c] = MSR_READ

/* apply_microcode_local(): WRMSR 0x79 on a core not yet updated, else a revision read. */
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

/*
 * A wait loop, pure (while (!cond) cpu_relax();) or a countdown: the first
 * read either passes or leaves the CPU in the loop body, where it stays
 * until the condition holds (irqcheck's two states of a waiting CPU).
 */
#define WAIT(cond) if :: (cond) :: else -> (cond) fi

/*
 * A countdown (..., ndelay(SPINUNIT); timeout -= SPINUNIT;) waits the same
 * way: its `timeout` is dead once the loop is left, and irqcheck zeroes dead
 * locals, so whether the CPU went round the loop is not remembered after it.
 */
#define COUNTDOWN(cond) WAIT(cond)

/* ---- the kernel: the NMI handler list, stop_machine ---- */

/* The NMI_LOCAL list: 0 empty, 1 perf_nmi, 2 ucode_nmi_cb then perf_nmi. */
byte nregistered;

byte sm_ack;            /* multi_cpu_stop()'s acks: 3 stages of CPUS */
byte sm_done;
bit sm_work[CPUS];      /* the stopper is queued on this idle CPU */

/* ---- the protocol ---- */

#define HOLD_NONE 0
#define HOLD_NMI_SENT 1
#define HOLD_IN_NMI 2
#define HOLD_RELEASED 3

byte hold[CPUS];        /* ucode_hold_state[] */

/* do_microcode_update() from its call in multi_cpu_stop() to the ack after it. */
inline do_microcode_update_and_ack(c) {
	if                                  /* the call step picks the thread's path */
	:: IS_PRIMARY(c) ->
		/* primary_thread_work() */
		COUNTDOWN(hold[SIBLING(c)] == HOLD_IN_NMI);
		d_step { UCODE_BEGIN(c) };
		UCODE_END(c);
		hold[SIBLING(c)] = HOLD_RELEASED;
		skip;                           /* return err == UCODE_ERROR ? -EIO : 0 */
		sm_ack++
	:: else ->
		/* secondary_thread_work() */
		hold[c] = HOLD_NMI_SENT;
		pend_model[c] = 1;              /* apic->send_IPI_self(NMI_VECTOR) */
		COUNTDOWN(hold[c] == HOLD_RELEASED);
		d_step { UCODE_BEGIN(c) };      /* the revision read */
		UCODE_END(c);
		sm_ack++                        /* return 0, and the ack */
	fi
}

/* multi_cpu_stop() on CPU c: PREPARE, DISABLE_IRQ, RUN, EXIT. */
inline multi_cpu_stop(c) {
	sm_ack++;
	WAIT(sm_ack >= CPUS);
	sm_ack++;                           /* local_irq_disable() */
	WAIT(sm_ack >= 2 * CPUS);
	do_microcode_update_and_ack(c);
	WAIT(sm_ack >= 3 * CPUS);
	sm_done++                           /* local_irq_restore() */
}

/* CPU0's task context: main(). */
active proctype Cpu0() provided (innmi[0] == 0)
{
	byte i;
	nregistered = 1;                    /* register_nmi_handler(NMI_LOCAL, perf_nmi, 0, "PMI") */
	nregistered = 2;                    /* register_nmi_handler(NMI_LOCAL, ucode_nmi_cb, NMI_FLAG_FIRST, ...) */
	d_step {                            /* stop_machine(): queue the stopper on the other CPUs */
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
	skip;                               /* BUG_ON(atomic_read(&nmi_timeouts)) */
	skip                                /* pr_info(); return: CPU0 goes idle */
}

/* CPUs 1..CPUS-1: idle until the stopper is queued, idle again after it. */
active [CPUS - 1] proctype Cpu() provided (innmi[_pid] == 0)
{
end_idle:
	d_step { sm_work[_pid] -> sm_work[_pid] = 0 };    /* wakes: the stopper thread */
	multi_cpu_stop(_pid)
}

/* NMI context of CPU NC: taking an NMI, the handler list, IRET. */
#define NC (_pid - CPUS)
#define NMI_ENTER innmi[NC] = 1; pend_model[NC] = 0; pend_ext[NC] = 0
#define IRET_BODY \
	assert(handled || !from_model);     /* unknown NMI */ \
	innmi[NC] = 0; handled = 0; from_model = 0; n = 0; r = 0
/* After the last handler the loop tests i < n once more: n is live until then, as in irqcheck. */
#define IRET d_step { n > 0 -> IRET_BODY }

active [CPUS] proctype Nmi()
{
	bit from_model;     /* only NMIs the model sent were pending */
	bit handled;        /* a handler returned NMI_HANDLED */
	byte n;             /* the handler list as the entry found it */
	byte r;             /* the value ucode_nmi_cb()'s cmpxchg found */
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
	:: n == 2 ->                        /* calls ucode_nmi_cb() */
		/* switch (atomic_cmpxchg(&ucode_hold_state[cpu], HOLD_NMI_SENT, HOLD_IN_NMI)) */
		d_step {
			r = hold[NC];
			if
			:: r == HOLD_NMI_SENT -> hold[NC] = HOLD_IN_NMI
			:: else -> skip
			fi
		};
		if
		:: d_step { r != HOLD_NMI_SENT ->          /* returns at once; calls perf_nmi() */
			handled = (r == HOLD_RELEASED); r = 0 }
		:: r == HOLD_NMI_SENT && hold[NC] != HOLD_IN_NMI -> goto released      /* released before the first read */
		:: r == HOLD_NMI_SENT && hold[NC] == HOLD_IN_NMI ->      /* held until released */
			(hold[NC] != HOLD_IN_NMI);
			/* Both ways out of the hold loop meet: its timeout is dead (zeroed). */
released:		if                                  /* (a jump may not enter a d_step) */
			:: d_step { handled = 1; r = 0 }    /* returns NMI_HANDLED; calls perf_nmi() */
			fi
		fi
	fi;
	d_step { MSR_READ_BEGIN(NC) };      /* perf_nmi(): rdmsrl(MSR_CORE_PERF_GLOBAL_STATUS) */
	msr[NC] = MSR_NONE;                 /* reads 0: NMI_DONE */
	IRET;
	goto end_idle
}

/* External NMIs arriving at a CPU that cannot take one now: latched, coalesced. */
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
