/**
 * The model's own checks: BUG_ON/assert/panic end the run as an
 * `assertion` violation; WARN_ON is a warning (a violation under --strict).
 */
import type { BuiltinFn, Vm } from '../machine/index.js';
import { ViolationKind } from '../machine/index.js';
import { arg } from './memory.js';
import { formatPrintk } from './printk.js';

function statement(vm: Vm): string {
  const site = vm.program.sites[vm.program.pcSite[vm.pc] ?? -1];
  return site === undefined ? 'a check' : site.text;
}

function site(vm: Vm): number {
  return vm.program.pcSite[vm.pc] ?? -1;
}

export const CHECK_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  assert: (vm, base) => {
    if (arg(vm, base, 0) === 0) vm.fault(ViolationKind.ASSERTION, vm.pc, `assertion failed: ${statement(vm)}`);
    return 0;
  },
  BUG_ON: (vm, base) => {
    if (arg(vm, base, 0) !== 0) vm.fault(ViolationKind.ASSERTION, vm.pc, `BUG_ON fired: ${statement(vm)}`);
    return 0;
  },
  BUG: (vm) => {
    vm.fault(ViolationKind.ASSERTION, vm.pc, `BUG() reached: ${statement(vm)}`);
    return 0;
  },
  panic: (vm, base, argc) => {
    vm.fault(ViolationKind.ASSERTION, vm.pc, `panic: ${formatPrintk(vm, base, argc)}`);
    return 0;
  },
  WARN_ON: (vm, base) => {
    const c = arg(vm, base, 0);
    if (c !== 0) vm.warn(site(vm), `WARN_ON fired: ${statement(vm)}`);
    return c !== 0 ? 1 : 0;
  },
  WARN_ON_ONCE: (vm, base) => {
    const c = arg(vm, base, 0);
    if (c !== 0) vm.warn(site(vm), `WARN_ON_ONCE fired: ${statement(vm)}`);
    return c !== 0 ? 1 : 0;
  },
  WARN: (vm, base, argc) => {
    const c = arg(vm, base, 0);
    if (c !== 0) vm.warn(site(vm), `WARN: ${formatPrintk(vm, base + 1, argc - 1)}`);
    return c !== 0 ? 1 : 0;
  },
  WARN_ONCE: (vm, base, argc) => {
    const c = arg(vm, base, 0);
    if (c !== 0) vm.warn(site(vm), `WARN_ONCE: ${formatPrintk(vm, base + 1, argc - 1)}`);
    return c !== 0 ? 1 : 0;
  },
};
