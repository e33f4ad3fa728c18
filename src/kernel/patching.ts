/**
 * Live code patching and exceptions: writing a site's text a byte at a time,
 * fetching it as the executing CPU sees it (branching where it may see stale
 * bytes), sync_core(), and the #BP's entry and IRET (serializing, and it
 * unblocks NMIs even inside an NMI handler: the nested-NMI hazard).
 */
import { Cpu, CpuFlag, NEST_EXC_SHIFT } from '../compile/index.js';
import type { BuiltinFn, Vm } from '../machine/index.js';
import { Fetch, fetchOutcomes, INT3_OPCODE, serialize, TEXT_SITE_MAX, tornView, ViolationKind } from '../machine/index.js';
import { arg } from './memory.js';

/** X86_EFLAGS_IF, as saved by an exception entry. */
const X86_EFLAGS_IF = 0x200;
const SITE_OLD = 0;
const SITE_NEW = 1;

/** The text site at `addr`, checked; -1 if it is not one. */
function site(vm: Vm, addr: number): number {
  if (vm.textSites === null || !vm.program.textSites.addresses.includes(addr)) {
    vm.fault(addr === 0 ? ViolationKind.NULL_DEREFERENCE : ViolationKind.OUT_OF_BOUNDS, vm.pc, 'not a text site (declare it as a global struct text_site)');
    return -1;
  }
  return addr;
}

function siteName(vm: Vm, d: number): string {
  return vm.program.textSites.names[vm.program.textSites.addresses.indexOf(d)] ?? 'a site';
}

export const PATCHING_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  sync_core: (vm) => {
    serialize(vm);
    vm.writeOwn();
    return 0;
  },
  __irqcheck_text_write: (vm, base) => {
    const d = site(vm, arg(vm, base, 0));
    const f = vm.textSites;
    if (d < 0 || f === null) return 0;
    const offset = arg(vm, base, 1);
    if (offset < 0 || offset >= TEXT_SITE_MAX || offset >= (vm.state[d + f.len] as number)) {
      vm.fault(ViolationKind.OUT_OF_BOUNDS, vm.pc, `text_poke at offset ${offset} of ${siteName(vm, d)}, outside its ${vm.state[d + f.len] as number} bytes`);
      return 0;
    }
    const byte = arg(vm, base, 2) & 0xff;
    vm.state[d + f.bytes + offset] = byte;
    // The writing CPU sees its own store at once (self-modifying code is snooped).
    vm.state[d + f.stale + vm.cpu * TEXT_SITE_MAX + offset] = byte;
    vm.write(d + f.bytes, TEXT_SITE_MAX);
    vm.touch(d + f.stale + vm.cpu * TEXT_SITE_MAX, TEXT_SITE_MAX, true);
    vm.touch(d + f.len, 1, false);
    return 0;
  },
  // The fetch: OLD/NEW (SITE_OLD/SITE_NEW) or INT3_OPCODE; a branch where stale bytes may be seen.
  __irqcheck_fetch: (vm, base) => {
    const d = site(vm, arg(vm, base, 0));
    const f = vm.textSites;
    if (d < 0 || f === null) return 0;
    vm.read(d + f.bytes, TEXT_SITE_MAX);
    vm.touch(d + f.stale + vm.cpu * TEXT_SITE_MAX, TEXT_SITE_MAX, false);
    vm.touch(d + f.len, 1, false);
    vm.touch(d + f.old, TEXT_SITE_MAX, false);
    vm.touch(d + f.new, TEXT_SITE_MAX, false);
    const outcomes = fetchOutcomes(vm.state, d, f, vm.cpu);
    if ((outcomes & Fetch.TORN) !== 0) {
      const view = tornView(vm.state, d, f, vm.cpu);
      let current = '';
      for (let i = 0; i < (vm.state[d + f.len] as number); i++) current += `${i > 0 ? ' ' : ''}${(vm.state[d + f.bytes + i] as number).toString(16).padStart(2, '0')}`;
      const why = view === current ? 'the text is half written' : 'it has not serialized since the bytes changed';
      vm.fault(ViolationKind.TORN_INSTRUCTION, vm.pc, `CPU${vm.cpu} may fetch ${siteName(vm, d)} as ${view}, neither the old nor the new instruction: ${why}`);
      return 0;
    }
    const options: number[] = [];
    if ((outcomes & Fetch.OLD) !== 0) options.push(SITE_OLD);
    if ((outcomes & Fetch.NEW) !== 0) options.push(SITE_NEW);
    if ((outcomes & Fetch.INT3) !== 0) options.push(INT3_OPCODE);
    const fetched = options.length === 1 ? (options[0] as number) : (options[vm.choose(options.length)] as number);
    // INT3 raises #BP at once: no interrupt is taken before the exception is entered.
    if (fetched === INT3_OPCODE) {
      vm.state[vm.cpuBase + Cpu.FLAGS] = (vm.state[vm.cpuBase + Cpu.FLAGS] as number) | CpuFlag.TRAP_PENDING;
      vm.touch(vm.cpuBase + Cpu.FLAGS, 1, true);
    }
    return fetched;
  },
  __irqcheck_exception_enter: (vm) => {
    const at = vm.cpuBase + Cpu.FLAGS;
    const flags = vm.state[at] as number;
    vm.state[at] = flags & ~(CpuFlag.IF | CpuFlag.TRAP_PENDING);
    vm.state[vm.cpuBase + Cpu.NEST] = (vm.state[vm.cpuBase + Cpu.NEST] as number) + (1 << NEST_EXC_SHIFT);
    vm.writeOwn();
    return (flags & CpuFlag.IF) !== 0 ? X86_EFLAGS_IF : 0;
  },
  __irqcheck_exception_return: (vm, base) => {
    const at = vm.cpuBase + Cpu.FLAGS;
    const flags = vm.state[at] as number;
    // IRET: restores IF, unblocks NMIs (SDM 6.7.1), serializes.
    vm.state[at] = ((flags & ~(CpuFlag.IF | CpuFlag.NMI_BLOCKED)) | ((arg(vm, base, 0) & X86_EFLAGS_IF) !== 0 ? CpuFlag.IF : 0));
    vm.state[vm.cpuBase + Cpu.NEST] = (vm.state[vm.cpuBase + Cpu.NEST] as number) - (1 << NEST_EXC_SHIFT);
    serialize(vm);
    vm.writeOwn();
    return 0;
  },
  __irqcheck_unhandled_int3: (vm, base) => {
    const d = arg(vm, base, 0);
    vm.fault(ViolationKind.UNHANDLED_BREAKPOINT, vm.pc, `CPU${vm.cpu} hit the INT3 in ${siteName(vm, d)} and no #BP handler claimed it ("Oops: int3")`);
    return 0;
  },
};
