/**
 * The builtins the compiler knows by name: the kernel API functions and
 * machine primitives that compile to a BUILTIN instruction rather than a
 * call. This is only the catalog (names, arity, result type); the kernel
 * stage gives each its semantics, indexed by the same id.
 */
import { BOOL, INT, LONG, UINT, ULONG, VOID, VOID_PTR, type CType } from './ctype.js';

export interface BuiltinSpec {
  readonly name: string;
  /** Required arguments. */
  readonly arity: number;
  /** Accepts more arguments after `arity` (printk-style). */
  readonly variadic: boolean;
  readonly returns: CType;
}

const b = (name: string, arity: number, returns: CType = VOID, variadic = false): BuiltinSpec => ({ name, arity, variadic, returns });

/**
 * Builtins that touch nothing another CPU, an interrupt or the environment
 * can see or change (the CPU's identity, its own context, time spent,
 * compiler barriers). A statement that calls only these and accesses only
 * its own locals is local: a step runs on through it (see quiet-statements).
 */
export const LOCAL_BUILTINS: ReadonlySet<string> = new Set([
  'smp_processor_id', 'raw_smp_processor_id', 'num_online_cpus', 'cpu_online',
  'irqs_disabled', 'in_nmi', 'in_hardirq', 'in_interrupt',
  'cpu_relax', 'touch_nmi_watchdog', 'barrier', 'smp_mb', 'smp_rmb', 'smp_wmb', 'mb', 'rmb', 'wmb',
  'ndelay', 'udelay', 'mdelay',
]);

/** Every builtin; a builtin's id is its index here. */
export const BUILTINS: readonly BuiltinSpec[] = [
  // CPU identity and topology
  b('smp_processor_id', 0, INT),
  b('raw_smp_processor_id', 0, INT),
  b('num_online_cpus', 0, UINT),
  b('cpu_online', 1, BOOL),
  // interrupt flag and context
  b('local_irq_disable', 0),
  b('local_irq_enable', 0),
  b('__irqcheck_irq_save', 0, ULONG),
  b('local_irq_restore', 1),
  b('irqs_disabled', 0, BOOL),
  b('in_nmi', 0, INT),
  b('in_hardirq', 0, INT),
  b('in_interrupt', 0, INT),
  // time and no-ops
  b('cpu_relax', 0),
  b('touch_nmi_watchdog', 0),
  b('barrier', 0),
  b('smp_mb', 0),
  b('smp_rmb', 0),
  b('smp_wmb', 0),
  b('mb', 0),
  b('rmb', 0),
  b('wmb', 0),
  b('ndelay', 1),
  b('udelay', 1),
  b('mdelay', 1),
  // atomics (atomic_t *)
  b('atomic_read', 1, INT),
  b('atomic_set', 2),
  b('atomic_inc', 1),
  b('atomic_dec', 1),
  b('atomic_add', 2),
  b('atomic_sub', 2),
  b('atomic_inc_return', 1, INT),
  b('atomic_dec_return', 1, INT),
  b('atomic_add_return', 2, INT),
  b('atomic_sub_return', 2, INT),
  b('atomic_fetch_inc', 1, INT),
  b('atomic_fetch_dec', 1, INT),
  b('atomic_fetch_add', 2, INT),
  b('atomic_fetch_sub', 2, INT),
  b('atomic_inc_and_test', 1, BOOL),
  b('atomic_dec_and_test', 1, BOOL),
  b('atomic_sub_and_test', 2, BOOL),
  b('atomic_cmpxchg', 3, INT),
  b('atomic_xchg', 2, INT),
  b('atomic_inc_not_zero', 1, BOOL),
  b('atomic_add_unless', 3, BOOL),
  // cpumasks (struct cpumask *)
  b('cpumask_test_cpu', 2, BOOL),
  b('cpumask_set_cpu', 2),
  b('cpumask_clear_cpu', 2),
  b('cpumask_test_and_set_cpu', 2, BOOL),
  b('cpumask_test_and_clear_cpu', 2, BOOL),
  b('cpumask_first', 1, UINT),
  b('cpumask_next', 2, UINT),
  b('cpumask_last', 1, UINT),
  b('cpumask_any', 1, UINT),
  b('cpumask_first_zero', 1, UINT),
  b('cpumask_empty', 1, BOOL),
  b('cpumask_full', 1, BOOL),
  b('cpumask_weight', 1, UINT),
  b('cpumask_clear', 1),
  b('cpumask_setall', 1),
  b('cpumask_copy', 2),
  b('cpumask_and', 3, BOOL),
  b('cpumask_or', 3),
  b('cpumask_andnot', 3, BOOL),
  b('cpumask_equal', 2, BOOL),
  b('cpumask_subset', 2, BOOL),
  b('cpumask_intersects', 2, BOOL),
  // checks
  b('assert', 1),
  b('BUG_ON', 1),
  b('BUG', 0),
  b('panic', 1, VOID, true),
  b('WARN_ON', 1, INT),
  b('WARN_ON_ONCE', 1, INT),
  b('WARN', 2, INT, true),
  b('WARN_ONCE', 2, INT, true),
  // printing: arguments are evaluated, the text goes to the trace
  b('printk', 1, VOID, true),
  b('pr_emerg', 1, VOID, true),
  b('pr_alert', 1, VOID, true),
  b('pr_crit', 1, VOID, true),
  b('pr_err', 1, VOID, true),
  b('pr_warn', 1, VOID, true),
  b('pr_notice', 1, VOID, true),
  b('pr_info', 1, VOID, true),
  b('pr_debug', 1, VOID, true),
  b('pr_cont', 1, VOID, true),
  // machine primitives used by the kernel prelude
  b('__irqcheck_msr_begin', 3),
  b('__irqcheck_msr_end', 0, LONG),
  b('__irqcheck_ucode_begin', 0),
  b('__irqcheck_ucode_end', 0, INT),
  b('__irqcheck_send_nmi', 1),
  b('__irqcheck_send_vector', 2),
  b('__irqcheck_unknown_nmi', 0),
  b('__irqcheck_nmis_in_flight', 0, INT),
  b('__irqcheck_wake', 2),
  b('__irqcheck_arrive', 1),
  b('__irqcheck_arrived', 1, INT),
  // the local APIC and MSI devices
  b('apic_eoi', 0),
  b('lapic_vector_set_in_irr', 1, BOOL),
  b('apic_read', 1, UINT),
  b('__irqcheck_spurious_vector', 1),
  b('__irqcheck_msi_handled', 1),
  b('__irqcheck_msi_mask', 2),
  // live patching, exceptions, the heap
  b('sync_core', 0),
  b('__irqcheck_text_write', 3),
  b('__irqcheck_fetch', 1, INT),
  b('__irqcheck_exception_enter', 0, ULONG),
  b('__irqcheck_exception_return', 1),
  b('__irqcheck_unhandled_int3', 1),
  b('__irqcheck_kmalloc', 3, VOID_PTR),
  b('__irqcheck_kfree', 3),
];

const byName = new Map(BUILTINS.map((spec, id) => [spec.name, id]));

/** The builtin id for a name, or -1. */
export function builtinId(name: string): number {
  return byName.get(name) ?? -1;
}

/** The id of a builtin the kernel relies on; throws (an irqcheck bug) if missing. */
export function requireBuiltin(name: string): number {
  const id = byName.get(name);
  if (id === undefined) throw new Error(`irqcheck bug: no builtin ${name}`);
  return id;
}

/** Identifiers the compiler resolves to constants of the configuration. */
export const CONFIG_CONSTANTS = ['NR_CPUS', 'nr_cpu_ids', '__IRQCHECK_MASK_WORDS', '__IRQCHECK_SMT'] as const;

