/**
 * The names a reader knows for the kernel prelude's internal functions
 * (`__irqcheck_*`), for traces and state views.
 */
export function kernelApiName(fn: string): string {
  if (fn.startsWith('__irqcheck_sm_') || fn === '__irqcheck_multi_cpu_stop') return 'stop_machine';
  if (fn === '__irqcheck_nmi_entry') return 'nmi_handle';
  if (fn.startsWith('__irqcheck_rdmsr')) return 'rdmsr';
  if (fn.startsWith('__irqcheck_wrmsr')) return 'wrmsr';
  if (fn.startsWith('__irqcheck_send_ipi')) return 'send_IPI';
  return fn.replace(/^__irqcheck_/, '');
}
