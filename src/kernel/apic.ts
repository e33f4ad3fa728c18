/**
 * The local APIC and MSI devices as the kernel drives them: EOI, reading
 * IRR/ISR (lapic_vector_set_in_irr, apic_read), the generic path's
 * bookkeeping of device work (which makes lost interrupts and spurious
 * handler runs visible), spurious vectors, and MSI masking.
 */
import { APIC_VECTOR_WORDS, Cpu } from '../compile/index.js';
import type { BuiltinFn, Vm } from '../machine/index.js';
import { deviceSlots, endOfInterrupt, messageCpu, sendMessage, vectorRequested, ViolationKind } from '../machine/index.js';
import { arg, readSlot } from './memory.js';

/** APIC register offsets (SDM table 10-1). */
const APIC_ISR = 0x100;
const APIC_IRR = 0x200;

function site(vm: Vm): number {
  return vm.program.pcSite[vm.pc] ?? -1;
}

/** The device struct at `addr`, checked; -1 if it is not a device. */
function device(vm: Vm, addr: number): number {
  if (vm.devices === null || !vm.program.devices.addresses.includes(addr)) {
    vm.fault(ViolationKind.OUT_OF_BOUNDS, vm.pc, addr === 0 ? 'the IRQ has no MSI device (msi_device_start() was not called)' : 'not an MSI device');
    return -1;
  }
  return addr;
}

export const APIC_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  apic_eoi: (vm) => {
    endOfInterrupt(vm.writes, vm.state, vm.cpuBase);
    vm.write(vm.cpuBase + Cpu.IRR, 2 * APIC_VECTOR_WORDS);
    return 0;
  },
  lapic_vector_set_in_irr: (vm, base) => {
    vm.read(vm.cpuBase + Cpu.IRR, APIC_VECTOR_WORDS);
    return vectorRequested(vm.state, vm.cpuBase, arg(vm, base, 0) & 0xff) ? 1 : 0;
  },
  apic_read: (vm, base) => {
    const reg = arg(vm, base, 0);
    vm.read(vm.cpuBase + Cpu.IRR, 2 * APIC_VECTOR_WORDS);
    for (const [start, field] of [[APIC_IRR, Cpu.IRR], [APIC_ISR, Cpu.ISR]] as const) {
      const word = (reg - start) / 0x10;
      if (Number.isInteger(word) && word >= 0 && word < APIC_VECTOR_WORDS) return (vm.state[vm.cpuBase + field + word] as number) >>> 0;
    }
    return 0;
  },
  __irqcheck_spurious_vector: (vm, base) => {
    const vector = arg(vm, base, 0);
    // One finding per (site, CPU, vector): each is a different case to read.
    vm.warn(site(vm), `CPU${vm.cpu} received vector 0x${vector.toString(16)}, which maps to no handler ("No irq handler for vector")`, ViolationKind.SPURIOUS_INTERRUPT, (site(vm) * 64 + vm.cpu) * 256 + (vector & 0xff));
    return 0;
  },
  // The generic path is about to run the device's handler: it services all work raised so far.
  __irqcheck_msi_handled: (vm, base) => {
    const d = device(vm, arg(vm, base, 0));
    const f = vm.devices;
    if (d < 0 || f === null) return 0;
    const unhandled = readSlot(vm, d + f.unhandled);
    if (unhandled === 0) {
      const index = vm.program.devices.addresses.indexOf(d);
      const name = vm.program.devices.names[index] ?? 'a device';
      // One finding per (site, device, CPU).
      vm.warn(site(vm), `CPU${vm.cpu} runs the handler of ${name}, which raised nothing new`, ViolationKind.SPURIOUS_HANDLER, (site(vm) * 16 + (index & 15)) * 64 + vm.cpu);
    }
    vm.state[d + f.unhandled] = 0;
    vm.write(d + f.unhandled, 1);
    return 0;
  },
  __irqcheck_msi_mask: (vm, base) => {
    const d = device(vm, arg(vm, base, 0));
    const f = vm.devices;
    if (d < 0 || f === null) return 0;
    const s = vm.state;
    vm.write(d, deviceSlots(f));
    if ((s[d + f.maskable] as number) === 0) return 0;
    const mask = arg(vm, base, 1) !== 0;
    s[d + f.masked] = mask ? 1 : 0;
    if (!mask && (s[d + f.pending] as number) !== 0) {
      s[d + f.pending] = 0;
      const target = messageCpu(vm.program, s, d, f);
      if (target >= 0) vm.touch(vm.layout.cpuBase0 + target * vm.layout.cpuSlots + Cpu.IRR, APIC_VECTOR_WORDS, true);
      sendMessage(vm.writes, vm.program, s, d, f);
    }
    return 0;
  },
};
