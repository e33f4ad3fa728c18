/**
 * The kernel API a model sees, as a C header compiled with every model:
 * types, constants with their real values, statement-shaped macros, and the
 * parts of Linux best written in C itself (stop_machine's rendezvous, the
 * NMI handler chain, MSR accesses as a begin and an end). Builtins
 * (`__irqcheck_*` and the API names in compile/builtins.ts) provide what C
 * cannot express: the CPU, its interrupt state and the hardware.
 *
 * This is data for the compiler, not generated code: one fixed text.
 */

/** The prelude's file name in locations and traces. */
export const PRELUDE_FILE = '<irqcheck/kernel.h>';

/** Kernel objects that never change after boot: reading them is invisible. */
export const READ_ONLY_GLOBALS: ReadonlySet<string> = new Set([
  '__cpu_online_mask',
  '__irqcheck_sibling_mask',
  '__irqcheck_cpumask_of',
  '__irqcheck_apic',
  'apic',
  'boot_cpu_data',
]);

/** Functions that run as one step, as their Linux counterparts are atomic with respect to the protocol. */
export const ATOMIC_FUNCTIONS: ReadonlySet<string> = new Set([
  '__register_nmi_handler',
  '__irqcheck_unregister_nmi',
  '__irqcheck_sm_setup',
]);

/** The function the machine runs on NMI delivery (then IRETs). */
export const NMI_ENTRY = '__irqcheck_nmi_entry';

export const PRELUDE_SOURCE = String.raw`
/* ---- types ---- */
typedef unsigned char u8;
typedef signed char s8;
typedef unsigned short u16;
typedef short s16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;

#define true 1
#define false 0
#define NULL ((void *)0)

typedef struct { int counter; } atomic_t;
#define ATOMIC_INIT(i) { (i) }

struct cpumask { unsigned int bits[__IRQCHECK_MASK_WORDS]; };
typedef struct cpumask cpumask_t;
typedef struct cpumask *cpumask_var_t;

struct pt_regs { unsigned long ip; unsigned long sp; unsigned long flags; };

/* arch/x86/include/asm/microcode.h (v5.19) */
enum ucode_state { UCODE_OK = 0, UCODE_NEW, UCODE_UPDATED, UCODE_NFOUND, UCODE_ERROR };

struct cpuinfo_x86 { unsigned int microcode; int x86; int x86_model; };
static struct cpuinfo_x86 boot_cpu_data;

/* ---- constants (include/vdso/time64.h, asm/irq_vectors.h, asm/msr-index.h, asm/nmi.h) ---- */
#define MSEC_PER_SEC 1000L
#define USEC_PER_MSEC 1000L
#define NSEC_PER_USEC 1000L
#define NSEC_PER_MSEC 1000000L
#define USEC_PER_SEC 1000000L
#define NSEC_PER_SEC 1000000000L

#define NMI_VECTOR 0x02
#define MSR_IA32_APICBASE 0x0000001b
#define MSR_IA32_SPEC_CTRL 0x00000048
#define MSR_IA32_UCODE_WRITE 0x00000079
#define MSR_IA32_UCODE_REV 0x0000008b
#define MSR_IA32_PERFCTR0 0x000000c1
#define MSR_IA32_PERFCTR1 0x000000c2
#define MSR_IA32_MCG_STATUS 0x0000017a
#define MSR_P6_EVNTSEL0 0x00000186
#define MSR_P6_EVNTSEL1 0x00000187
#define MSR_IA32_MISC_ENABLE 0x000001a0
#define MSR_CORE_PERF_FIXED_CTR0 0x00000309
#define MSR_CORE_PERF_GLOBAL_STATUS 0x0000038e
#define MSR_CORE_PERF_GLOBAL_CTRL 0x0000038f
#define MSR_CORE_PERF_GLOBAL_OVF_CTRL 0x00000390
#define MSR_IA32_TSC_DEADLINE 0x000006e0

#define NMI_LOCAL 0
#define NMI_UNKNOWN 1
#define NMI_SERR 2
#define NMI_IO_CHECK 3
#define NMI_MAX 4
#define NMI_DONE 0
#define NMI_HANDLED 1
#define NMI_FLAG_FIRST 1

/* ---- compiler and annotation idioms ---- */
#define likely(x) (x)
#define unlikely(x) (x)
#define __init
#define __exit
#define __initdata
#define __read_mostly
#define __maybe_unused
#define __always_inline inline
#define noinline
#define noinstr
#define notrace
#define nokprobe_inline inline
#define NOKPROBE_SYMBOL(x)
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define asmlinkage
#define __visible
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1UL << (n))
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, v) ((x) = (v))
#define smp_load_acquire(p) (*(p))
#define smp_store_release(p, v) (*(p) = (v))
#define smp_store_mb(x, v) ((x) = (v))
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()
#define local_irq_save(flags) ((flags) = __irqcheck_irq_save())
#define raw_local_irq_save(flags) local_irq_save(flags)
#define raw_local_irq_restore(flags) local_irq_restore(flags)
#define local_save_flags(flags) ((flags) = (irqs_disabled() ? 0UL : 0x200UL))
#define WARN_ON_ONCE(c) WARN_ON(c)
#define get_cpu() smp_processor_id()
#define put_cpu()
#define preempt_disable()
#define preempt_enable()
#define cpus_read_lock()
#define cpus_read_unlock()
#define instrumentation_begin()
#define instrumentation_end()
#define hard_irq_disable()
#define pr_fmt(fmt) fmt

/* ---- CPUs and masks ---- */
static struct cpumask __cpu_online_mask;
static struct cpumask __irqcheck_sibling_mask[NR_CPUS];
static struct cpumask __irqcheck_cpumask_of[NR_CPUS];
#define cpu_online_mask (&__cpu_online_mask)
#define cpu_present_mask (&__cpu_online_mask)
#define cpu_possible_mask (&__cpu_online_mask)
#define cpu_active_mask (&__cpu_online_mask)
#define topology_sibling_cpumask(cpu) (&__irqcheck_sibling_mask[(cpu)])
#define cpumask_of(cpu) (&__irqcheck_cpumask_of[(cpu)])
#define cpumask_bits(maskp) ((maskp)->bits)
#define for_each_cpu(cpu, mask) for ((cpu) = -1; ((cpu) = cpumask_next((cpu), (mask))) < nr_cpu_ids;)
#define for_each_online_cpu(cpu) for_each_cpu((cpu), cpu_online_mask)
#define for_each_present_cpu(cpu) for_each_cpu((cpu), cpu_online_mask)
#define for_each_possible_cpu(cpu) for_each_cpu((cpu), cpu_online_mask)

/* ---- MSRs: an access begins, then ends (two steps) ---- */
static inline u64 __irqcheck_rdmsr(unsigned int msr)
{
	__irqcheck_msr_begin(msr, 0, 0);
	return __irqcheck_msr_end();
}

static inline void __irqcheck_wrmsr(unsigned int msr, u64 val)
{
	__irqcheck_msr_begin(msr, 1, val);
	__irqcheck_msr_end();
}

#define rdmsrl(msr, val) ((val) = __irqcheck_rdmsr(msr))
#define rdmsr(msr, low, high) do { u64 __val = __irqcheck_rdmsr(msr); (low) = (u32)__val; (high) = (u32)(__val >> 32); } while (0)
#define wrmsrl(msr, val) __irqcheck_wrmsr((msr), (val))
#define wrmsr(msr, low, high) __irqcheck_wrmsr((msr), ((u64)(high) << 32) | (u32)(low))
#define native_read_msr(msr) __irqcheck_rdmsr(msr)
#define native_write_msr(msr, low, high) wrmsr((msr), (low), (high))

/* The late-loading update: WRMSR 0x79 on a core not yet updated, else a revision read. */
static inline void apply_microcode_local(enum ucode_state *err)
{
	__irqcheck_ucode_begin();
	*err = __irqcheck_ucode_end();
}

static inline void microcode_check(void) { }

/* ---- NMI handlers (arch/x86/kernel/nmi.c): NMI_LOCAL only ---- */
typedef int (*nmi_handler_t)(unsigned int, struct pt_regs *);
#define __IRQCHECK_MAX_NMI_HANDLERS 8
static nmi_handler_t __irqcheck_nmi_fn[__IRQCHECK_MAX_NMI_HANDLERS];
static const char *__irqcheck_nmi_name[__IRQCHECK_MAX_NMI_HANDLERS];
static int __irqcheck_nmi_count;
static struct pt_regs __irqcheck_regs;

/* An RCU list insert in Linux: atomic for the NMI path walking the list. */
int __register_nmi_handler(unsigned int type, nmi_handler_t fn, unsigned long flags, const char *name)
{
	int i;
	if (type != NMI_LOCAL)
		return 0;
	BUG_ON(__irqcheck_nmi_count == __IRQCHECK_MAX_NMI_HANDLERS);
	if (flags & NMI_FLAG_FIRST) {
		for (i = __irqcheck_nmi_count; i > 0; i--) {
			__irqcheck_nmi_fn[i] = __irqcheck_nmi_fn[i - 1];
			__irqcheck_nmi_name[i] = __irqcheck_nmi_name[i - 1];
		}
		__irqcheck_nmi_fn[0] = fn;
		__irqcheck_nmi_name[0] = name;
	} else {
		__irqcheck_nmi_fn[__irqcheck_nmi_count] = fn;
		__irqcheck_nmi_name[__irqcheck_nmi_count] = name;
	}
	__irqcheck_nmi_count++;
	return 0;
}
#define register_nmi_handler(t, fn, fg, n, ...) __register_nmi_handler((t), (fn), (fg), (n))

int __irqcheck_unregister_nmi(unsigned int type, const char *name)
{
	int i, found = 0;
	for (i = 0; i < __irqcheck_nmi_count; i++) {
		if (__irqcheck_nmi_name[i] == name)
			found = 1;
		if (found && i + 1 < __irqcheck_nmi_count) {
			__irqcheck_nmi_fn[i] = __irqcheck_nmi_fn[i + 1];
			__irqcheck_nmi_name[i] = __irqcheck_nmi_name[i + 1];
		}
	}
	if (found) {
		__irqcheck_nmi_count--;
		__irqcheck_nmi_fn[__irqcheck_nmi_count] = NULL;
		__irqcheck_nmi_name[__irqcheck_nmi_count] = NULL;
	}
	WARN_ON(!found);
	return found;
}

/* unregister_nmi_handler() ends with synchronize_rcu(): no handler still runs after it. */
static inline void unregister_nmi_handler(unsigned int type, const char *name)
{
	__irqcheck_unregister_nmi(type, name);
	while (__irqcheck_nmis_in_flight())
		cpu_relax();
}

/* default_do_nmi(): every NMI_LOCAL handler runs; nobody claiming a model-sent NMI is an unknown NMI. */
void __irqcheck_nmi_entry(int from_model)
{
	int i, handled = 0;
	for (i = 0; i < __irqcheck_nmi_count; i++)
		handled += __irqcheck_nmi_fn[i](NMI_LOCAL, &__irqcheck_regs);
	if (!handled && from_model)
		__irqcheck_unknown_nmi();
}

/* ---- IPIs through the APIC ops table ---- */
static void __irqcheck_send_ipi_self(int vector)
{
	if (vector == NMI_VECTOR)
		__irqcheck_send_nmi(smp_processor_id());
	else
		__irqcheck_send_vector(smp_processor_id(), vector);
}

static void __irqcheck_send_ipi(int cpu, int vector)
{
	if (vector == NMI_VECTOR)
		__irqcheck_send_nmi(cpu);
	else
		__irqcheck_send_vector(cpu, vector);
}

static void __irqcheck_send_ipi_mask(const struct cpumask *mask, int vector)
{
	int cpu;
	for_each_cpu(cpu, mask)
		__irqcheck_send_ipi(cpu, vector);
}

static void __irqcheck_send_ipi_allbutself(int vector)
{
	int cpu, self = smp_processor_id();
	for_each_online_cpu(cpu)
		if (cpu != self)
			__irqcheck_send_ipi(cpu, vector);
}

static void __irqcheck_send_ipi_all(int vector)
{
	int cpu;
	for_each_online_cpu(cpu)
		__irqcheck_send_ipi(cpu, vector);
}

struct apic {
	void (*send_IPI)(int cpu, int vector);
	void (*send_IPI_mask)(const struct cpumask *mask, int vector);
	void (*send_IPI_allbutself)(int vector);
	void (*send_IPI_all)(int vector);
	void (*send_IPI_self)(int vector);
};
static struct apic __irqcheck_apic = {
	.send_IPI = __irqcheck_send_ipi,
	.send_IPI_mask = __irqcheck_send_ipi_mask,
	.send_IPI_allbutself = __irqcheck_send_ipi_allbutself,
	.send_IPI_all = __irqcheck_send_ipi_all,
	.send_IPI_self = __irqcheck_send_ipi_self,
};
static struct apic *apic = &__irqcheck_apic;

/* ---- stop_machine (kernel/stop_machine.c): multi_cpu_stop's states, each acked by every CPU ---- */
static int (*__irqcheck_sm_fn)(void *);
static void *__irqcheck_sm_data;
static const struct cpumask *__irqcheck_sm_cpus;
static atomic_t __irqcheck_sm_ack;
static atomic_t __irqcheck_sm_done;
static int __irqcheck_sm_ret;

static void __irqcheck_sm_barrier(int stage)
{
	atomic_inc(&__irqcheck_sm_ack);
	while (atomic_read(&__irqcheck_sm_ack) < stage * num_online_cpus())
		cpu_relax();
}

/* The stopper thread of each online CPU. */
static void __irqcheck_multi_cpu_stop(void)
{
	int cpu = smp_processor_id(), err = 0, is_active;
	unsigned long flags;

	if (__irqcheck_sm_cpus)
		is_active = cpumask_test_cpu(cpu, __irqcheck_sm_cpus);
	else
		is_active = cpu == cpumask_first(cpu_online_mask);
	local_save_flags(flags);
	/* MULTI_STOP_PREPARE, with interrupts still enabled */
	__irqcheck_sm_barrier(1);
	/* MULTI_STOP_DISABLE_IRQ */
	local_irq_disable();
	__irqcheck_sm_barrier(2);
	/* MULTI_STOP_RUN */
	if (is_active)
		err = __irqcheck_sm_fn(__irqcheck_sm_data);
	if (err)
		__irqcheck_sm_ret = err;
	__irqcheck_sm_barrier(3);
	/* MULTI_STOP_EXIT */
	local_irq_restore(flags);
	atomic_inc(&__irqcheck_sm_done);
}

/* Queues the stopper work on every other online CPU (cpu_stop_queue_work under a lock in Linux). */
static void __irqcheck_sm_setup(int (*fn)(void *), void *data, const struct cpumask *cpus)
{
	int cpu, self = smp_processor_id();
	__irqcheck_sm_fn = fn;
	__irqcheck_sm_data = data;
	__irqcheck_sm_cpus = cpus;
	__irqcheck_sm_ret = 0;
	atomic_set(&__irqcheck_sm_ack, 0);
	atomic_set(&__irqcheck_sm_done, 0);
	for_each_online_cpu(cpu)
		if (cpu != self)
			__irqcheck_wake(cpu, __irqcheck_multi_cpu_stop);
}

int stop_machine_cpuslocked(int (*fn)(void *), void *data, const struct cpumask *cpus)
{
	__irqcheck_sm_setup(fn, data, cpus);
	__irqcheck_multi_cpu_stop();
	while (atomic_read(&__irqcheck_sm_done) < num_online_cpus())
		cpu_relax();
	return __irqcheck_sm_ret;
}

static inline int stop_machine(int (*fn)(void *), void *data, const struct cpumask *cpus)
{
	return stop_machine_cpuslocked(fn, data, cpus);
}
`;
