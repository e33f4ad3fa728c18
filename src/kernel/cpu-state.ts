/**
 * The CPU as the kernel sees it: its id, the interrupt flag
 * (local_irq_*), the context it runs in (in_nmi()...), and time: delays
 * advance no clock (time is abstract, see machine/time.ts) but are counted
 * so a timeout can say how long it waited.
 */
import { Cpu, CpuFlag, NEST_EXC_SHIFT, NEST_FIELD_MASK, NEST_IRQ_SHIFT, NEST_NMI_SHIFT } from '../compile/index.js';
import type { BuiltinFn, Vm } from '../machine/index.js';
import { arg } from './memory.js';

/** X86_EFLAGS_IF, as local_irq_save() returns it. */
const X86_EFLAGS_IF = 0x200;

function setIf(vm: Vm, on: boolean): void {
  const at = vm.cpuBase + Cpu.FLAGS;
  const flags = vm.state[at] as number;
  vm.state[at] = on ? flags | CpuFlag.IF : flags & ~CpuFlag.IF;
  // Changing IF changes which interrupts this CPU takes: a step of its own, but no other CPU sees it.
  vm.writeOwn();
}

function ifSet(vm: Vm): boolean {
  return ((vm.state[vm.cpuBase + Cpu.FLAGS] as number) & CpuFlag.IF) !== 0;
}

function nest(vm: Vm, shift: number): number {
  return ((vm.state[vm.cpuBase + Cpu.NEST] as number) >> shift) & NEST_FIELD_MASK;
}

const none: BuiltinFn = () => 0;
const delay = (nsPerUnit: number): BuiltinFn => (vm, base) => {
  vm.spendTime(arg(vm, base, 0) * nsPerUnit);
  return 0;
};

export const CPU_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  smp_processor_id: (vm) => vm.cpu,
  raw_smp_processor_id: (vm) => vm.cpu,
  num_online_cpus: (vm) => vm.layout.cpus,
  cpu_online: (vm, base) => {
    const c = arg(vm, base, 0);
    return c >= 0 && c < vm.layout.cpus ? 1 : 0;
  },
  local_irq_disable: (vm) => {
    setIf(vm, false);
    return 0;
  },
  local_irq_enable: (vm) => {
    setIf(vm, true);
    return 0;
  },
  __irqcheck_irq_save: (vm) => {
    const saved = ifSet(vm) ? X86_EFLAGS_IF : 0;
    setIf(vm, false);
    return saved;
  },
  local_irq_restore: (vm, base) => {
    setIf(vm, (arg(vm, base, 0) & X86_EFLAGS_IF) !== 0);
    return 0;
  },
  irqs_disabled: (vm) => (ifSet(vm) ? 0 : 1),
  in_nmi: (vm) => nest(vm, NEST_NMI_SHIFT),
  in_hardirq: (vm) => nest(vm, NEST_IRQ_SHIFT),
  in_interrupt: (vm) => nest(vm, NEST_NMI_SHIFT) + nest(vm, NEST_IRQ_SHIFT) + nest(vm, NEST_EXC_SHIFT),
  cpu_relax: (vm) => {
    vm.spendTime(0);
    return 0;
  },
  touch_nmi_watchdog: none,
  barrier: none,
  smp_mb: none,
  smp_rmb: none,
  smp_wmb: none,
  mb: none,
  rmb: none,
  wmb: none,
  ndelay: delay(1),
  udelay: delay(1_000),
  mdelay: delay(1_000_000),
};
