/**
 * Dead-variable reduction (src/compile/liveness.ts): a local that will not
 * be read again before it is written keeps no value in the state, so runs
 * that differ only in it meet; values that are still needed are never lost.
 */
import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/compile/emitter.js';
import { Op, OPERANDS, type Program } from '../../src/compile/index.js';
import { checkModel, compileModel, configFor, DEFAULT_SETTINGS, loadModelSource } from '../../src/pipeline.js';
import type { CheckOutcome } from '../../src/report/index.js';

/** Without partial-order reduction, which would postpone the NMI past the writes and hide what is measured. */
async function check(text: string): Promise<CheckOutcome> {
  const unit = await loadModelSource('liveness.c', text);
  return checkModel(unit, configFor(unit, {}), { ...DEFAULT_SETTINGS, partialOrder: false });
}

async function compile(text: string): Promise<Program> {
  const unit = await loadModelSource('liveness.c', text);
  return compileModel(unit, configFor(unit, {}));
}

/** A read whose value depends on when a self-NMI lands, dead once it has chosen a branch. */
const SEEN = (after: string): string => `
  #pragma irqcheck cpus 1
  static int ready, done;
  static int cb(unsigned int t, struct pt_regs *r) { WRITE_ONCE(ready, 1); return NMI_HANDLED; }
  int main(void) {
    int seen;
    register_nmi_handler(NMI_LOCAL, cb, 0, "cb");
    apic->send_IPI_self(NMI_VECTOR);
    seen = READ_ONCE(ready);
    if (seen)
      WRITE_ONCE(done, 1);
    else
      WRITE_ONCE(done, 1);
    WRITE_ONCE(done, 2);
    WRITE_ONCE(done, 3);
    ${after}
    return 0;
  }`;

/** A countdown wait, as in the microcode loaders: after it, `timeout` is dead. */
const COUNTDOWN = (after: string): string => `
  #pragma irqcheck cpus 1
  static int ready, done;
  static int cb(unsigned int t, struct pt_regs *r) { WRITE_ONCE(ready, 1); return NMI_HANDLED; }
  int main(void) {
    long long timeout = NSEC_PER_SEC;
    register_nmi_handler(NMI_LOCAL, cb, 0, "cb");
    apic->send_IPI_self(NMI_VECTOR);
    while (!READ_ONCE(ready)) {
      if (timeout < 100)
        return -1;
      ndelay(100);
      timeout -= 100;
    }
    WRITE_ONCE(done, 1);
    WRITE_ONCE(done, 2);
    ${after}
    return 0;
  }`;

describe('dead locals', () => {
  it('merges runs that differ only in a dead local', async () => {
    // The self-NMI lands before the read of `ready` or after it: `seen` is 1
    // or 0. It is never read after the branch, so the three states after it
    // (once the NMI has run) are stored once, not twice.
    const dead = await check(SEEN(''));
    expect(dead.verdict).toBe('verified');
    expect(dead.stats.states).toBe(39);
    // Read at the end, it is live after the branch and the runs stay apart.
    const live = await check(SEEN('BUG_ON(seen > 1);'));
    expect(live.verdict).toBe('verified');
    expect(live.stats.states).toBe(42);
  });

  it('zeroes a local inside the step that kills it, right before the next boundary', async () => {
    const p = await compile(COUNTDOWN(''));
    const main = p.functions.find((f) => f.name === 'main');
    const timeout = main?.locals.find((v) => v.name === 'timeout');
    expect(timeout).toBeDefined();
    const start = main?.entry ?? 0;
    const end = Math.min(p.code.length, ...p.functions.map((f) => f.entry).filter((at) => at > start));
    const zeroedBefore: string[] = [];
    let zeroing = false;
    for (let pc = start; pc < end; pc += 1 + (OPERANDS[p.code[pc] as number] ?? 0)) {
      const op = p.code[pc] as number;
      if (op === Op.ZEROL && p.code[pc + 1] === timeout?.offset && p.code[pc + 2] === 2) zeroing = true;
      if (op === Op.STMT && zeroing) zeroedBefore.push(p.sites[p.code[pc + 1] as number]?.text ?? '');
      if (op === Op.STMT) zeroing = false;
    }
    // Both slots of the 64-bit local, on both ways out of the loop, and nowhere else.
    expect(zeroedBefore).toEqual(['return -1;', 'WRITE_ONCE(done, 1);']);
  });

  it('keeps values that are still needed: across calls, through addresses, in 64 bits, around loops and gotos', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      static int g;
      struct pair { int x; int y; };
      static int id(int x) { WRITE_ONCE(g, x); return x; }  /* a visible step: the caller's frame is stored */
      int main(void) {
        int a[3];
        int i, s, k;
        long long w = 0x100000001LL;
        struct pair p, q;
        for (i = 0; i < 3; i++)
          a[i] = i + 1;
        s = a[id(2)] + id(1);       /* a's address waits on the operand stack across a call */
        BUG_ON(s != 4);
        p.x = 5;
        p.y = 6;
        q = p;                      /* p read through its address */
        BUG_ON(id(q.y) != 6);
        k = id(w > 0x100000000LL);  /* both slots of w */
        BUG_ON(k != 1);
        for (i = 0; i < 2; i++) {
          int last;
          if (i == 1)
            BUG_ON(last != 7);      /* the previous iteration's value: live around the loop */
          last = 7;
          WRITE_ONCE(g, i);
        }
        i = 0;
      again:
        k = id(i);
        if (++i < 3)
          goto again;
        BUG_ON(k != 2);
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
  });

  it('never zeroes a local whose address escapes, even after its last use in its function', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      static int *slot;
      static int seen;
      static int cb(unsigned int t, struct pt_regs *r) {
        if (READ_ONCE(slot))
          WRITE_ONCE(seen, *READ_ONCE(slot));
        return NMI_HANDLED;
      }
      int main(void) {
        int v = 42;
        register_nmi_handler(NMI_LOCAL, cb, 0, "cb");
        WRITE_ONCE(slot, &v);       /* main never reads v again; the NMI handler does */
        apic->send_IPI_self(NMI_VECTOR);
        while (!READ_ONCE(seen))
          cpu_relax();
        BUG_ON(READ_ONCE(seen) != 42);
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
  });
});

describe('Emitter.insertBefore', () => {
  it('moves jump targets with their instructions, so jumps run the inserted code too', () => {
    const e = new Emitter();
    e.emit(Op.NOP);
    const from = e.pc;
    const head = e.newLabel();
    e.bind(head);
    const stmt = e.emit(Op.STMT, 0, 0);
    e.emit(Op.CONST, 1);
    e.jump(Op.JNZ, head);
    e.emit(Op.CONST, 0);
    e.emit(Op.RET);
    e.insertBefore(from, new Map([[stmt, [Op.ZEROL, 4, 2]]]));
    const { code } = e.finish();
    expect(Array.from(code)).toEqual([Op.NOP, Op.ZEROL, 4, 2, Op.STMT, 0, 0, Op.CONST, 1, Op.JNZ, from, Op.CONST, 0, Op.RET]);
  });
});
