/**
 * Litmus tests of the machine's x86 semantics: each explores a tiny model
 * completely and asserts the verdict a kernel developer expects.
 */
import { describe, expect, it } from 'vitest';
import { checkModel, configFor, DEFAULT_SETTINGS, loadModelSource, type CheckSettings } from '../../src/pipeline.js';
import type { CheckOutcome } from '../../src/report/index.js';

async function check(text: string, settings: Partial<CheckSettings> = {}, overrides = {}): Promise<CheckOutcome> {
  const unit = await loadModelSource('litmus.c', text);
  return checkModel(unit, configFor(unit, overrides), { ...DEFAULT_SETTINGS, ...settings });
}

const kindOf = (o: CheckOutcome): string | undefined => o.violations.find((v) => v.severity === 'error')?.kind;

describe('NMIs', () => {
  it('latches a self-NMI sent from NMI context and delivers it after IRET', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      static atomic_t runs;
      static int cb(unsigned int t, struct pt_regs *r) {
        if (atomic_inc_return(&runs) == 1) {
          apic->send_IPI_self(NMI_VECTOR);
          BUG_ON(atomic_read(&runs) != 1); /* latched: not nested */
        }
        return NMI_HANDLED;
      }
      int main(void) {
        register_nmi_handler(NMI_LOCAL, cb, 0, "cb");
        apic->send_IPI_self(NMI_VECTOR);
        while (atomic_read(&runs) < 2) cpu_relax();
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
  });

  it('delivers a self-NMI asynchronously: the sender may run on first', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      static int ran, after;
      static int cb(unsigned int t, struct pt_regs *r) { ran = 1; return NMI_HANDLED; }
      int main(void) {
        register_nmi_handler(NMI_LOCAL, cb, 0, "cb");
        apic->send_IPI_self(NMI_VECTOR);
        after = ran;
        BUG_ON(after == 0);
        return 0;
      }`);
    expect(kindOf(o)).toBe('assertion');
  });

  it('reports a model-sent NMI that no handler claims, but not an external one', async () => {
    const unknown = await check(`
      #pragma irqcheck cpus 1
      static int cb(unsigned int t, struct pt_regs *r) { return NMI_DONE; }
      int main(void) { register_nmi_handler(NMI_LOCAL, cb, 0, "cb"); apic->send_IPI_self(NMI_VECTOR); return 0; }`);
    expect(kindOf(unknown)).toBe('unknown-nmi');
    const external = await check(`
      #pragma irqcheck cpus 2 nmis 2
      static int cb(unsigned int t, struct pt_regs *r) { return NMI_DONE; }
      int main(void) { register_nmi_handler(NMI_LOCAL, cb, 0, "cb"); return 0; }`);
    expect(external.verdict).toBe('verified');
  });

  it('runs every NMI_LOCAL handler, NMI_FLAG_FIRST ones first', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      static int order, first_seen, second_seen;
      static int a(unsigned int t, struct pt_regs *r) { second_seen = ++order; return NMI_HANDLED; }
      static int b(unsigned int t, struct pt_regs *r) { first_seen = ++order; return NMI_HANDLED; }
      int main(void) {
        register_nmi_handler(NMI_LOCAL, a, 0, "a");
        register_nmi_handler(NMI_LOCAL, b, NMI_FLAG_FIRST, "b");
        apic->send_IPI_self(NMI_VECTOR);
        while (order < 2) cpu_relax();
        BUG_ON(first_seen != 1 || second_seen != 2);
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
  });
});

describe('stop_machine', () => {
  it('runs the function on the CPUs of the mask, with interrupts off, and returns when all are done', async () => {
    const o = await check(`
      #pragma irqcheck cpus 3
      static atomic_t ran;
      static int fn(void *d) { BUG_ON(!irqs_disabled()); atomic_inc(&ran); return 0; }
      int main(void) {
        stop_machine(fn, NULL, cpu_online_mask);
        BUG_ON(atomic_read(&ran) != 3);
        BUG_ON(irqs_disabled());
        stop_machine(fn, NULL, NULL);
        BUG_ON(atomic_read(&ran) != 4);
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
  });
});

describe('time', () => {
  const countdown = (timeout: string, unit: string) => `
      #pragma irqcheck cpus 2
      static atomic_t flag;
      static int fn(void *d) {
        long long timeout = ${timeout};
        if (smp_processor_id() != 0) return 0;
        while (!atomic_read(&flag)) {
          if (timeout < ${unit}) { pr_err("timeout\\n"); return -1; }
          ndelay(${unit});
          timeout -= ${unit};
        }
        return 0;
      }
      int main(void) { return stop_machine(fn, NULL, cpu_online_mask); }`;

  it('reports a wait that can only end by timing out, in as many states for a second as for ten units', async () => {
    const second = await check(countdown('NSEC_PER_SEC', '100'));
    const ten = await check(countdown('10', '1'));
    expect(kindOf(second)).toBe('timeout');
    expect(kindOf(ten)).toBe('timeout');
    expect(second.stats.states).toBeLessThanOrEqual(ten.stats.states * 2);
    expect(second.violations[0]?.message).toMatch(/timed out/);
  });

  it('calls a spin-wait that can never end a deadlock, naming the waiting CPU and line', async () => {
    const o = await check(`
      #pragma irqcheck cpus 2
      static atomic_t flag;
      int main(void) {
        while (!atomic_read(&flag))
          cpu_relax();
        return 0;
      }`);
    expect(kindOf(o)).toBe('deadlock');
    expect(o.violations[0]?.message).toMatch(/CPU0 waits at litmus\.c:5/);
    expect(o.violations[0]?.location.line).toBe(5);
  });

  it('explores early timeouts with --spurious-timeouts', async () => {
    const text = `
      #pragma irqcheck cpus 2
      static atomic_t flag;
      static int fn(void *d) {
        int timeout = 1000;
        if (smp_processor_id() == 1) { atomic_set(&flag, 1); return 0; }
        while (!atomic_read(&flag)) {
          if (timeout <= 0) { BUG(); }
          udelay(1);
          timeout--;
        }
        return 0;
      }
      int main(void) { return stop_machine(fn, NULL, cpu_online_mask); }`;
    expect((await check(text)).verdict).toBe('verified');
    expect(kindOf(await check(text, { spuriousTimeouts: true }))).toBe('assertion');
  });
});

describe('microcode update', () => {
  const model = (reader: number) => `
    #pragma irqcheck cpus 4 smt 2
    static atomic_t go;
    static int fn(void *d) {
      enum ucode_state err;
      u64 v;
      if (smp_processor_id() == 0) apply_microcode_local(&err);
      if (smp_processor_id() == ${reader}) rdmsrl(MSR_IA32_SPEC_CTRL, v);
      return 0;
    }
    int main(void) { return stop_machine(fn, NULL, cpu_online_mask); }`;

  it('reports an MSR access by a sibling thread during the update', async () => {
    const o = await check(model(1));
    expect(kindOf(o)).toBe('msr-during-microcode-update');
    expect(o.violations[0]?.cpu).toBe(1);
  });

  it('allows MSR accesses on other cores during the update', async () => {
    expect((await check(model(2))).verdict).toBe('verified');
  });
});

describe('run-time faults of the model', () => {
  it.each([
    ['out-of-bounds', 'static int a[2]; int main(void) { int i = 2; a[i] = 1; return 0; }'],
    ['null-dereference', 'static int *p; int main(void) { *p = 1; return 0; }'],
    ['division-by-zero', 'static int z; int main(void) { return 10 / z; }'],
    ['stack-overflow', 'static int depth(int n) { if (n > 0) return depth(n + 1); return 0; } int main(void) { return depth(1); }'],
    // A pointer run past a local into the frames' bookkeeping (the return path): a fault, not a jump to nowhere.
    ['out-of-bounds', 'static void f(int *p) { int i; for (i = 0; i < 8; i++) p[i] = 7; } int main(void) { int x = 0; f(&x); return x; }'],
  ])('%s', async (kind, text) => {
    expect(kindOf(await check(`#pragma irqcheck cpus 1\n${text}`))).toBe(kind);
  });
});

describe('warnings', () => {
  const text = '#pragma irqcheck cpus 1\nstatic int x; int main(void) { WARN_ON(x == 0); return 0; }';
  it('reports WARN_ON as a warning with a trace, and as a violation under --strict', async () => {
    const relaxed = await check(text);
    expect(relaxed.verdict).toBe('verified');
    expect(relaxed.violations[0]?.severity).toBe('warning');
    expect(relaxed.violations[0]?.kind).toBe('warning');
    expect(kindOf(await check(text, { strict: true }))).toBe('warning');
  });
});

describe('state space', () => {
  it('finds the lost update of two CPUs racing on a counter with the shortest trace', async () => {
    const o = await check(`
      #pragma irqcheck cpus 2
      static int counter;
      static int fn(void *d) { int v = counter; counter = v + 1; return 0; }
      int main(void) { stop_machine(fn, NULL, cpu_online_mask); BUG_ON(counter != 2); return 0; }`);
    expect(kindOf(o)).toBe('assertion');
    // stop_machine's three rendezvous (each ack one step) and both read-then-write races: 20 steps.
    expect(o.violations[0]?.trace.length).toBe(20);
  });

  it('explores exactly the states of a stop_machine rendezvous on two CPUs', async () => {
    const o = await check(`
      #pragma irqcheck cpus 2
      static atomic_t x;
      static int data;
      static int fn(void *arg) {
        atomic_inc(&x);
        while (atomic_read(&x) < 2) cpu_relax();
        data++;
        return 0;
      }
      int main(void) { int ret = stop_machine(fn, NULL, cpu_online_mask); BUG_ON(data != 2); return ret; }`, { partialOrder: false });
    expect(o.verdict).toBe('verified');
    // Every interleaving of steps that each end before the next statement that may be visible
    // (partial-order reduction would skip some).
    expect(o.stats.states).toBe(53);
  });
});
