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
  '__irqcheck_nmi_snapshot',
  '__irqcheck_sm_setup',
  '__irqcheck_sm_ack_prepare',
  '__irqcheck_sm_ack_disable_irq',
  '__irqcheck_sm_exit',
  'request_irq',
  'free_irq',
  'irq_assign_vector',
  'irq_release_vector',
  '__irq_msi_compose_msg',
  'msi_device_start',
  '__irqcheck_csd_queue',
]);

/** The function the machine runs on NMI delivery (then IRETs). */
export const NMI_ENTRY = '__irqcheck_nmi_entry';

/** The function the machine runs on delivery of a vectored interrupt (then IRETs). */
export const IRQ_ENTRY = '__irqcheck_irq_entry';

/**
 * What gives a vector a handler: a model that reaches one of these needs the
 * IRQ entry and its tables. Without them every vector is spurious, and the
 * machine says so itself (no state spent on empty tables).
 */
export const VECTOR_SOURCES: ReadonlySet<string> = new Set([
  'request_irq',
  'irq_assign_vector',
  '__irqcheck_percpu_vector_irq',
  '__irqcheck_call_one',
]);

/** The struct tag of patchable code sites. */
export const TEXT_SITE_TAG = 'text_site';

/** The struct tag of MSI devices: every global of this type is a device the environment drives. */
export const DEVICE_TAG = 'msi_device';

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

/* include/uapi/asm-generic/errno-base.h, errno.h */
#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define EAGAIN 11
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ENOSYS 38
#define EOPNOTSUPP 95
#define ETIMEDOUT 110

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

/*
 * nmi_handle() walks the handler list under RCU: a walker sees the list as
 * it was when it began (one of the behaviours RCU allows: entries removed
 * meanwhile may still run, which is why unregister waits for NMIs in flight).
 */
static int __irqcheck_nmi_snapshot(nmi_handler_t *fns)
{
	int i;
	for (i = 0; i < __irqcheck_nmi_count; i++)
		fns[i] = __irqcheck_nmi_fn[i];
	return __irqcheck_nmi_count;
}

/* default_do_nmi(): every NMI_LOCAL handler runs; nobody claiming a model-sent NMI is an unknown NMI. */
void __irqcheck_nmi_entry(int from_model)
{
	nmi_handler_t fns[__IRQCHECK_MAX_NMI_HANDLERS];
	int i, n, handled = 0;
	n = __irqcheck_nmi_snapshot(fns);
	for (i = 0; i < n; i++)
		handled += fns[i](NMI_LOCAL, &__irqcheck_regs);
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

/* ---- the local APIC and vectored interrupts (arch/x86/include/asm/irq_vectors.h, kernel/irq.c) ---- */
#define NR_VECTORS 256
#define FIRST_EXTERNAL_VECTOR 0x20
#define LOCAL_TIMER_VECTOR 0xec
#define CALL_FUNCTION_SINGLE_VECTOR 0xfb
#define CALL_FUNCTION_VECTOR 0xfc
#define RESCHEDULE_VECTOR 0xfd
#define SPURIOUS_APIC_VECTOR 0xff
#define NR_IRQS 16
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define IRQ_NONE 0
#define IRQ_HANDLED 1
#define IRQ_WAKE_THREAD 2
#define IRQF_SHARED 0x80
#define ack_APIC_irq() apic_eoi()
typedef int irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int, void *);

struct irq_cfg { unsigned int dest_apicid; unsigned int vector; };
struct msi_msg { u32 address_lo; u32 address_hi; u32 data; };

/*
 * A PCI device with MSI, as a model declares it: a global of this type is a
 * device the environment drives; it may raise at any instruction boundary,
 * up to max_raises times, once msi_device_start() enabled it.
 *   static struct msi_device nic = { .irq = 3, .maskable = false, .max_raises = 1 };
 */
struct msi_device {
	bool maskable;
	bool addr64;
	int max_raises;
	unsigned int irq;
	/* the MSI capability's registers, written by the kernel one word at a time */
	u32 address_lo;
	u32 address_hi;
	u32 data;
	bool enabled;
	bool masked;
	bool pending;
	/* kept by irqcheck: raises so far, and raises whose handler has not run since */
	int raised;
	int unhandled;
};

struct irq_desc {
	irq_handler_t handler;
	void *dev_id;
	const char *name;
	unsigned int irq;
	struct msi_device *msi;
	struct irq_cfg cfg;
};
static struct irq_desc irq_desc[NR_IRQS];

/* arch/x86/include/asm/hw_irq.h: vector_irq[] is per CPU; these mark a vector without a descriptor. */
static struct irq_desc *__irqcheck_percpu_vector_irq[NR_CPUS][NR_VECTORS];
#define VECTOR_UNUSED NULL
#define VECTOR_SHUTDOWN ((struct irq_desc *)-1L)
#define VECTOR_RETRIGGERED ((struct irq_desc *)-2L)
#define IS_ERR_OR_NULL(p) (!(p) || (long)(p) < 0)
#define per_cpu(var, cpu) (__irqcheck_percpu_##var[(cpu)])
#define vector_irq __irqcheck_percpu_vector_irq[smp_processor_id()]
#define this_cpu_read(x) (x)
#define this_cpu_write(x, v) ((x) = (v))
#define __this_cpu_read(x) (x)
#define __this_cpu_write(x, v) ((x) = (v))

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)
{
	BUG_ON(irq >= NR_IRQS);
	irq_desc[irq].irq = irq;
	irq_desc[irq].dev_id = dev;
	irq_desc[irq].name = name;
	irq_desc[irq].handler = handler;
	return 0;
}

void free_irq(unsigned int irq, void *dev)
{
	irq_desc[irq].handler = NULL;
	irq_desc[irq].dev_id = NULL;
}

/* The vector domain's allocation: irq now targets (cpu, vector); vector_irq maps it there. */
void irq_assign_vector(unsigned int irq, unsigned int cpu, unsigned int vector)
{
	BUG_ON(irq >= NR_IRQS || vector < FIRST_EXTERNAL_VECTOR || vector >= NR_VECTORS);
	irq_desc[irq].irq = irq;
	per_cpu(vector_irq, cpu)[vector] = &irq_desc[irq];
	irq_desc[irq].cfg.dest_apicid = cpu;
	irq_desc[irq].cfg.vector = vector;
}

/* Frees (cpu, vector) after a move, as the vector cleanup does. */
void irq_release_vector(unsigned int cpu, unsigned int vector)
{
	per_cpu(vector_irq, cpu)[vector] = VECTOR_UNUSED;
}

static inline struct irq_cfg *irqd_cfg(unsigned int irq) { return &irq_desc[irq].cfg; }

/* arch/x86/kernel/apic/apic.c: xAPIC physical destination mode, fixed delivery, edge. */
void __irq_msi_compose_msg(struct irq_cfg *cfg, struct msi_msg *msg)
{
	msg->address_hi = 0;
	msg->address_lo = 0xfee00000 | (cfg->dest_apicid << 12);
	msg->data = cfg->vector;
}

/* drivers/pci/msi: the message goes to config space one 32-bit word at a time. */
void __pci_write_msi_msg(struct msi_device *dev, struct msi_msg *msg)
{
	dev->address_lo = msg->address_lo;
	if (dev->addr64)
		dev->address_hi = msg->address_hi;
	dev->data = msg->data;
}

static inline void pci_write_msi_msg(unsigned int irq, struct msi_msg *msg) { __pci_write_msi_msg(irq_desc[irq].msi, msg); }

static inline void irq_msi_update_msg(unsigned int irq, struct irq_cfg *cfg)
{
	struct msi_msg msg;
	__irq_msi_compose_msg(cfg, &msg);
	pci_write_msi_msg(irq, &msg);
}

/* Binds the device to its IRQ and enables MSI with the IRQ's current target. */
void msi_device_start(struct msi_device *dev)
{
	struct msi_msg msg;
	irq_desc[dev->irq].msi = dev;
	__irq_msi_compose_msg(&irq_desc[dev->irq].cfg, &msg);
	dev->address_lo = msg.address_lo;
	dev->address_hi = msg.address_hi;
	dev->data = msg.data;
	dev->enabled = true;
}

/* Masking a device that cannot mask is a no-op, as in drivers/pci/msi. */
static inline void pci_msi_mask_irq(unsigned int irq) { __irqcheck_msi_mask(irq_desc[irq].msi, 1); }
static inline void pci_msi_unmask_irq(unsigned int irq) { __irqcheck_msi_mask(irq_desc[irq].msi, 0); }

/* apic_retrigger_irq(): an IPI with the irq's vector to its current target. */
static inline void apic_retrigger_irq(unsigned int irq) { __irqcheck_send_vector(irq_desc[irq].cfg.dest_apicid, irq_desc[irq].cfg.vector); }
#define irq_retrigger(irq) apic_retrigger_irq(irq)

/* ---- smp_call_function (kernel/smp.c): a call queue per (target, sender) and a function-call IPI ---- */
typedef void (*smp_call_func_t)(void *info);
struct __irqcheck_csd { smp_call_func_t func; void *info; int pending; };
static struct __irqcheck_csd __irqcheck_csd_q[NR_CPUS][NR_CPUS];

static void __irqcheck_flush_call_queue(void)
{
	int cpu = smp_processor_id(), from;
	for (from = 0; from < nr_cpu_ids; from++) {
		if (__irqcheck_csd_q[cpu][from].pending) {
			__irqcheck_csd_q[cpu][from].func(__irqcheck_csd_q[cpu][from].info);
			__irqcheck_csd_q[cpu][from].pending = 0;
		}
	}
}

/* csd_lock() then queue: one step once the previous call to that CPU is done. */
static void __irqcheck_csd_queue(int cpu, smp_call_func_t func, void *info)
{
	int self = smp_processor_id();
	__irqcheck_csd_q[cpu][self].func = func;
	__irqcheck_csd_q[cpu][self].info = info;
	__irqcheck_csd_q[cpu][self].pending = 1;
}

static void __irqcheck_call_one(int cpu, smp_call_func_t func, void *info)
{
	while (__irqcheck_csd_q[cpu][smp_processor_id()].pending)
		cpu_relax();
	__irqcheck_csd_queue(cpu, func, info);
	__irqcheck_send_vector(cpu, CALL_FUNCTION_SINGLE_VECTOR);
}

static void __irqcheck_call_wait(int cpu)
{
	while (__irqcheck_csd_q[cpu][smp_processor_id()].pending)
		cpu_relax();
}

static void __irqcheck_call_local(smp_call_func_t func, void *info)
{
	unsigned long flags;
	local_irq_save(flags);
	func(info);
	local_irq_restore(flags);
}

int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	/* kernel/smp.c: calling with interrupts off can deadlock */
	WARN_ON_ONCE(irqs_disabled());
	if (cpu == smp_processor_id()) {
		__irqcheck_call_local(func, info);
		return 0;
	}
	__irqcheck_call_one(cpu, func, info);
	if (wait)
		__irqcheck_call_wait(cpu);
	return 0;
}

void smp_call_function_many(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait)
{
	int cpu, self = smp_processor_id();
	WARN_ON_ONCE(irqs_disabled());
	for_each_cpu(cpu, mask)
		if (cpu != self)
			__irqcheck_call_one(cpu, func, info);
	if (wait)
		for_each_cpu(cpu, mask)
			if (cpu != self)
				__irqcheck_call_wait(cpu);
}

static inline void smp_call_function(smp_call_func_t func, void *info, int wait) { smp_call_function_many(cpu_online_mask, func, info, wait); }

void on_each_cpu_mask(const struct cpumask *mask, smp_call_func_t func, void *info, bool wait)
{
	smp_call_function_many(mask, func, info, wait);
	if (cpumask_test_cpu(smp_processor_id(), mask))
		__irqcheck_call_local(func, info);
}

static inline void on_each_cpu(smp_call_func_t func, void *info, int wait) { on_each_cpu_mask(cpu_online_mask, func, info, wait); }

/*
 * common_interrupt() (arch/x86/kernel/irq.c): the function-call IPIs, then
 * the vector's descriptor; a vector with none is spurious, once silently if
 * it was marked VECTOR_RETRIGGERED.
 */
void __irqcheck_irq_entry(unsigned int vector)
{
	struct irq_desc *desc;
	if (vector == CALL_FUNCTION_VECTOR || vector == CALL_FUNCTION_SINGLE_VECTOR) {
		apic_eoi();
		__irqcheck_flush_call_queue();
		return;
	}
	desc = __irqcheck_percpu_vector_irq[smp_processor_id()][vector];
	if (!IS_ERR_OR_NULL(desc)) {
		/* handle_edge_irq(): ack first, then the handler */
		apic_eoi();
		if (desc->msi)
			__irqcheck_msi_handled(desc->msi);
		if (desc->handler)
			desc->handler(desc->irq, desc->dev_id);
		else
			__irqcheck_spurious_vector(vector);
		return;
	}
	apic_eoi();
	if (desc == VECTOR_UNUSED)
		__irqcheck_spurious_vector(vector);
	else
		__irqcheck_percpu_vector_irq[smp_processor_id()][vector] = VECTOR_UNUSED;
}

/* ---- live code patching (arch/x86/kernel/alternative.c): sites, INT3, #BP ---- */
#define TEXT_SITE_MAX 8
#define INT3_INSN_OPCODE 0xcc
#define INT3_INSN_SIZE 1
/* What exec_site() executed: the instruction before or after patching. */
#define SITE_OLD 0
#define SITE_NEW 1

/*
 * A patchable instruction, as a model declares it:
 *   static struct text_site site = { .len = 5, .old = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
 *                                    .new = { 0xe8, 0x10, 0x20, 0x30, 0x40 } };
 * Its text starts as 'old'. text_poke_site() writes it one byte at a time;
 * exec_site() executes it as the calling CPU sees it.
 */
struct text_site {
	int len;
	u8 old[TEXT_SITE_MAX];
	u8 new[TEXT_SITE_MAX];
	/* the text in memory, and what each CPU may still see of it until it serializes */
	u8 bytes[TEXT_SITE_MAX];
	u8 stale[NR_CPUS][TEXT_SITE_MAX];
};

/* Writes len bytes of the site's text, one byte per step (text_poke() through a temporary mapping). */
void text_poke_site(struct text_site *site, int offset, const u8 *opcode, int len)
{
	int i;
	for (i = 0; i < len; i++)
		__irqcheck_text_write(site, offset + i, opcode[i]);
}

/* The INT3 handler a model registers: returns 1 if it handled the #BP, and which instruction it emulated. */
typedef int (*int3_handler_t)(struct text_site *site, int *insn);
static int3_handler_t __irqcheck_int3_handler;
static inline void register_int3_handler(int3_handler_t fn) { __irqcheck_int3_handler = fn; }

/* exc_int3(): a #BP through an interrupt gate; its IRET is serializing and unblocks NMIs. */
static int __irqcheck_do_int3(struct text_site *site)
{
	unsigned long flags;
	int insn = SITE_OLD, handled = 0;
	flags = __irqcheck_exception_enter();
	if (__irqcheck_int3_handler)
		handled = __irqcheck_int3_handler(site, &insn);
	if (!handled)
		__irqcheck_unhandled_int3(site);
	__irqcheck_exception_return(flags);
	return insn;
}

/* Executes the site's instruction as this CPU sees it: returns SITE_OLD or SITE_NEW (emulated after a #BP). */
int exec_site(struct text_site *site)
{
	int insn = __irqcheck_fetch(site);
	if (insn == INT3_INSN_OPCODE)
		insn = __irqcheck_do_int3(site);
	return insn;
}

static void do_sync_core(void *info) { sync_core(); }
/* text_poke_sync(): every CPU serializes (an IPI whose handler returns with IRET). */
static inline void text_poke_sync(void) { on_each_cpu(do_sync_core, NULL, 1); }

/* ---- kmalloc/kfree: a small heap of fixed blocks ---- */
#define __IRQCHECK_HEAP_OBJECTS 4
#define __IRQCHECK_HEAP_SLOTS 32
#define GFP_KERNEL 0
#define GFP_ATOMIC 1
static int __irqcheck_heap[__IRQCHECK_HEAP_OBJECTS][__IRQCHECK_HEAP_SLOTS];
static int __irqcheck_heap_used[__IRQCHECK_HEAP_OBJECTS];
#define kmalloc(size, flags) __irqcheck_kmalloc((size), __irqcheck_heap, __irqcheck_heap_used)
#define kzalloc(size, flags) __irqcheck_kmalloc((size), __irqcheck_heap, __irqcheck_heap_used)
#define kfree(p) __irqcheck_kfree((p), __irqcheck_heap, __irqcheck_heap_used)
#define atomic_set_release(v, i) atomic_set((v), (i))
#define atomic_read_acquire(v) atomic_read(v)

/* ---- stop_machine (kernel/stop_machine.c): multi_cpu_stop's states, each acked by every CPU ---- */
static int (*__irqcheck_sm_fn)(void *);
static void *__irqcheck_sm_data;
static const struct cpumask *__irqcheck_sm_cpus;
/*
 * The acks of states 1 (PREPARE), 2 (DISABLE_IRQ) and 3 (RUN), one counter
 * each, and of the end: barriers. Every online CPU arrives at each once
 * (__irqcheck_arrive, an atomic_inc) and waits until all have
 * (__irqcheck_arrived, an atomic_read): no wait can end before the last
 * arrival, which is what lets partial-order reduction take arrivals as
 * independent of each other and of the waits.
 */
static atomic_t __irqcheck_sm_ack[4];
static atomic_t __irqcheck_sm_done;
static int __irqcheck_sm_ret;

static void __irqcheck_sm_wait(int stage)
{
	while (__irqcheck_arrived(&__irqcheck_sm_ack[stage]) < num_online_cpus())
		cpu_relax();
}

/*
 * One CPU's ack of a state: what Linux does between two reads of
 * msdata->state touches only this CPU (its IRQ flag, its own variables),
 * so acting and acking are one step here.
 */
static int __irqcheck_sm_ack_prepare(int cpu)
{
	int is_active;
	if (__irqcheck_sm_cpus)
		is_active = cpumask_test_cpu(cpu, __irqcheck_sm_cpus);
	else
		is_active = cpu == cpumask_first(cpu_online_mask);
	__irqcheck_arrive(&__irqcheck_sm_ack[1]);
	return is_active;
}

static void __irqcheck_sm_ack_disable_irq(void)
{
	local_irq_disable();
	__irqcheck_arrive(&__irqcheck_sm_ack[2]);
}

static void __irqcheck_sm_exit(unsigned long flags)
{
	local_irq_restore(flags);
	__irqcheck_arrive(&__irqcheck_sm_done);
}

/* The stopper thread of each online CPU: multi_cpu_stop()'s states PREPARE, DISABLE_IRQ, RUN, EXIT. */
static void __irqcheck_multi_cpu_stop(void)
{
	int err = 0, is_active;
	unsigned long flags;

	local_save_flags(flags);
	is_active = __irqcheck_sm_ack_prepare(smp_processor_id());
	__irqcheck_sm_wait(1);
	__irqcheck_sm_ack_disable_irq();
	__irqcheck_sm_wait(2);
	if (is_active)
		err = __irqcheck_sm_fn(__irqcheck_sm_data);
	if (err)
		__irqcheck_sm_ret = err;
	__irqcheck_arrive(&__irqcheck_sm_ack[3]);
	__irqcheck_sm_wait(3);
	__irqcheck_sm_exit(flags);
}

/* Queues the stopper work on every other online CPU (cpu_stop_queue_work under a lock in Linux). */
static void __irqcheck_sm_setup(int (*fn)(void *), void *data, const struct cpumask *cpus)
{
	int cpu, self = smp_processor_id();
	__irqcheck_sm_fn = fn;
	__irqcheck_sm_data = data;
	__irqcheck_sm_cpus = cpus;
	__irqcheck_sm_ret = 0;
	atomic_set(&__irqcheck_sm_ack[1], 0);
	atomic_set(&__irqcheck_sm_ack[2], 0);
	atomic_set(&__irqcheck_sm_ack[3], 0);
	atomic_set(&__irqcheck_sm_done, 0);
	for_each_online_cpu(cpu)
		if (cpu != self)
			__irqcheck_wake(cpu, __irqcheck_multi_cpu_stop);
}

int stop_machine_cpuslocked(int (*fn)(void *), void *data, const struct cpumask *cpus)
{
	__irqcheck_sm_setup(fn, data, cpus);
	__irqcheck_multi_cpu_stop();
	while (__irqcheck_arrived(&__irqcheck_sm_done) < num_online_cpus())
		cpu_relax();
	return __irqcheck_sm_ret;
}

static inline int stop_machine(int (*fn)(void *), void *data, const struct cpumask *cpus)
{
	return stop_machine_cpuslocked(fn, data, cpus);
}
`;
