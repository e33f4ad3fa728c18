/**
 * printk and pr_*: arguments are evaluated (they may read shared state);
 * the formatted line goes to the trace when one is being rebuilt.
 */
import { STR_PTR_TAG, TAG_MASK } from '../compile/index.js';
import type { BuiltinFn, Vm } from '../machine/index.js';
import { arg } from './memory.js';

/** Formats a printk-style message (the common conversions) for traces. */
export function formatPrintk(vm: Vm, base: number, argc: number): string {
  const fmtPtr = arg(vm, base, 0);
  const fmt = (fmtPtr & STR_PTR_TAG) !== 0 ? (vm.program.strings[fmtPtr & TAG_MASK] ?? '') : '';
  let next = 1;
  const text = fmt.replace(/%%|%[-+ #0]*\d*(?:hh|h|ll|l|z)?([diuxXscp])/g, (m, conv: string | undefined) => {
    if (m === '%%') return '%';
    const v = next < argc ? arg(vm, base, next++) : 0;
    switch (conv) {
      case 's':
        return (v & STR_PTR_TAG) !== 0 ? (vm.program.strings[v & TAG_MASK] ?? '') : '(null)';
      case 'x':
      case 'X':
        return (v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v)).toString(16);
      case 'u':
        return String(v < 0 ? BigInt.asUintN(64, BigInt(v)) : v);
      case 'c':
        return String.fromCharCode(v);
      case 'p':
        return `0x${v.toString(16)}`;
      default:
        return String(v);
    }
  });
  return text.replace(/\n+$/, '');
}

const printk: BuiltinFn = (vm, base, argc) => {
  if (vm.log !== null) vm.log.push(formatPrintk(vm, base, argc));
  return 0;
};

export const PRINTK_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  printk,
  pr_emerg: printk,
  pr_alert: printk,
  pr_crit: printk,
  pr_err: printk,
  pr_warn: printk,
  pr_notice: printk,
  pr_info: printk,
  pr_debug: printk,
  pr_cont: printk,
};
