/**
 * atomic_t operations (include/linux/atomic): each is one step, a single
 * read-modify-write of the counter, with int wrap-around.
 */
import { writingBuiltin, type BuiltinFn } from '../machine/index.js';
import { arg, readSlot, writeSlot } from './memory.js';

type Rmw = (old: number, operand: number) => number;

/** An RMW builtin: the counter pointer is argument `ptrArg`, the operand `opArg` (or a constant). */
function rmw(ptrArg: number, opArg: number, constant: number, f: Rmw, result: 'new' | 'old' | 'none' | 'zero' | 'nonzero'): BuiltinFn {
  return writingBuiltin((vm, base) => {
    const addr = arg(vm, base, ptrArg);
    const old = readSlot(vm, addr);
    if (vm.violation !== 0) return 0;
    const operand = opArg >= 0 ? arg(vm, base, opArg) : constant;
    const next = f(old, operand) | 0;
    writeSlot(vm, addr, next);
    switch (result) {
      case 'new': return next;
      case 'old': return old;
      case 'zero': return next === 0 ? 1 : 0;
      case 'nonzero': return next !== 0 ? 1 : 0;
      default: return 0;
    }
  });
}

const add: Rmw = (a, b) => a + b;
const sub: Rmw = (a, b) => a - b;

export const ATOMIC_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  atomic_read: (vm, base) => readSlot(vm, arg(vm, base, 0)),
  atomic_set: writingBuiltin((vm, base) => {
    writeSlot(vm, arg(vm, base, 0), arg(vm, base, 1));
    return 0;
  }),
  atomic_inc: rmw(0, -1, 1, add, 'none'),
  atomic_dec: rmw(0, -1, 1, sub, 'none'),
  atomic_add: rmw(1, 0, 0, add, 'none'),
  atomic_sub: rmw(1, 0, 0, sub, 'none'),
  atomic_inc_return: rmw(0, -1, 1, add, 'new'),
  atomic_dec_return: rmw(0, -1, 1, sub, 'new'),
  atomic_add_return: rmw(1, 0, 0, add, 'new'),
  atomic_sub_return: rmw(1, 0, 0, sub, 'new'),
  atomic_fetch_inc: rmw(0, -1, 1, add, 'old'),
  atomic_fetch_dec: rmw(0, -1, 1, sub, 'old'),
  atomic_fetch_add: rmw(1, 0, 0, add, 'old'),
  atomic_fetch_sub: rmw(1, 0, 0, sub, 'old'),
  atomic_inc_and_test: rmw(0, -1, 1, add, 'zero'),
  atomic_dec_and_test: rmw(0, -1, 1, sub, 'zero'),
  atomic_sub_and_test: rmw(1, 0, 0, sub, 'zero'),
  atomic_xchg: rmw(0, 1, 0, (_old, v) => v, 'old'),
  atomic_cmpxchg: (vm, base) => {
    const addr = arg(vm, base, 0);
    const old = readSlot(vm, addr);
    if (vm.violation === 0 && old === (arg(vm, base, 1) | 0)) writeSlot(vm, addr, arg(vm, base, 2));
    return old;
  },
  atomic_inc_not_zero: (vm, base) => {
    const addr = arg(vm, base, 0);
    const old = readSlot(vm, addr);
    if (vm.violation !== 0 || old === 0) return 0;
    writeSlot(vm, addr, old + 1);
    return 1;
  },
  // stop_machine's rendezvous (the prelude only): a CPU's arrival at a barrier and the count a waiting
  // CPU reads, an atomic_inc and an atomic_read that partial-order reduction knows as such.
  __irqcheck_arrive: rmw(0, -1, 1, add, 'none'),
  __irqcheck_arrived: (vm, base) => readSlot(vm, arg(vm, base, 0)),
  atomic_add_unless: (vm, base) => {
    const addr = arg(vm, base, 0);
    const old = readSlot(vm, addr);
    if (vm.violation !== 0 || old === (arg(vm, base, 2) | 0)) return 0;
    writeSlot(vm, addr, old + arg(vm, base, 1));
    return 1;
  },
};
