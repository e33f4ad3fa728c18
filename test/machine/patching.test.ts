/**
 * Litmus tests of live code patching and object lifetime: stale fetches,
 * torn instructions, #BP, nested NMIs, use after return / free, double free.
 */
import { describe, expect, it } from 'vitest';
import { checkModel, configFor, DEFAULT_SETTINGS, loadModelSource } from '../../src/pipeline.js';
import type { CheckOutcome } from '../../src/report/index.js';

async function check(text: string): Promise<CheckOutcome> {
  const unit = await loadModelSource('patch.c', text);
  return checkModel(unit, configFor(unit, {}), DEFAULT_SETTINGS);
}

const kindOf = (o: CheckOutcome): string | undefined => o.violations.find((v) => v.severity === 'error')?.kind;

const SITE = 'static struct text_site site = { .len = 2, .old = { 0x11, 0x22 }, .new = { 0x33, 0x44 } };';

/** CPU1 executes the site once (in a stop_machine callback) while main patches it. */
const race = (patch: string, seen = 'BUG_ON(seen != SITE_OLD && seen != SITE_NEW);'): string => `
  #pragma irqcheck cpus 2
  ${SITE}
  static int seen = -1;
  static atomic_t go;
  static int runner(void *d) {
    if (smp_processor_id() == 1) { while (!atomic_read(&go)) cpu_relax(); seen = exec_site(&site); ${seen} }
    else { ${patch} atomic_set(&go, 1); }
    return 0;
  }
  int main(void) { return stop_machine(runner, NULL, cpu_online_mask); }`;

describe('cross-modifying code', () => {
  it('lets a CPU that has not serialized fetch a torn mix of old and new bytes', async () => {
    const o = await check(race('text_poke_site(&site, 0, site.new, 2);'));
    expect(kindOf(o)).toBe('torn-instruction');
    expect(o.violations[0]?.message).toMatch(/neither the old nor the new instruction/);
  });

  it('sees only the new instruction once the executing CPU has serialized', async () => {
    const o = await check(`
      #pragma irqcheck cpus 2
      ${SITE}
      static atomic_t go;
      static int runner(void *d) {
        if (smp_processor_id() == 1) {
          while (!atomic_read(&go)) cpu_relax();
          sync_core();
          BUG_ON(exec_site(&site) != SITE_NEW);
        } else {
          text_poke_site(&site, 0, site.new, 2);
          atomic_set(&go, 1);
        }
        return 0;
      }
      int main(void) { return stop_machine(runner, NULL, cpu_online_mask); }`);
    expect(o.verdict).toBe('verified');
  });

  it('raises #BP on an INT3 and reports it unclaimed without a handler', async () => {
    const o = await check(race('u8 int3 = INT3_INSN_OPCODE; text_poke_site(&site, 0, &int3, 1);'));
    expect(kindOf(o)).toBe('unhandled-breakpoint');
  });

  it('emulates through the registered #BP handler', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      ${SITE}
      static int emulate(struct text_site *s, int *insn) { *insn = SITE_NEW; return 1; }
      int main(void) {
        u8 int3 = INT3_INSN_OPCODE;
        register_int3_handler(emulate);
        text_poke_site(&site, 0, &int3, 1);
        BUG_ON(exec_site(&site) != SITE_NEW);
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
  });

  it('reports an NMI that lands on a running NMI handler after a #BP inside it unblocked NMIs', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1 nmis 1
      ${SITE}
      static int emulate(struct text_site *s, int *insn) { *insn = SITE_OLD; return 1; }
      static int nmi(unsigned int t, struct pt_regs *r) { exec_site(&site); exec_site(&site); return NMI_HANDLED; }
      int main(void) {
        u8 int3 = INT3_INSN_OPCODE;
        register_int3_handler(emulate);
        register_nmi_handler(NMI_LOCAL, nmi, 0, "nmi");
        text_poke_site(&site, 0, &int3, 1);
        apic->send_IPI_self(NMI_VECTOR);
        return 0;
      }`);
    expect(kindOf(o)).toBe('nested-nmi');
  });
});

describe('object lifetime', () => {
  it('reports a use after return through a published pointer to a local', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      static int *published;
      static void publish(void) { int local = 7; published = &local; }
      int main(void) { publish(); return *published; }`);
    expect(kindOf(o)).toBe('use-after-return');
  });

  it('reports a use after free and a double free', async () => {
    const uaf = await check(`
      #pragma irqcheck cpus 1
      struct obj { int refs; int data; };
      int main(void) { struct obj *o = kmalloc(sizeof(*o), GFP_KERNEL); BUG_ON(!o); kfree(o); return o->data; }`);
    expect(kindOf(uaf)).toBe('use-after-free');
    const twice = await check(`
      #pragma irqcheck cpus 1
      int main(void) { int *p = kmalloc(sizeof(int), GFP_KERNEL); kfree(p); kfree(p); return 0; }`);
    expect(kindOf(twice)).toBe('double-free');
  });

  it('keeps an object alive until the last reference is dropped', async () => {
    const o = await check(`
      #pragma irqcheck cpus 2
      struct obj { atomic_t refs; int data; };
      static struct obj *shared;
      static int user(void *d) {
        struct obj *o = READ_ONCE(shared);
        if (smp_processor_id() == 1 && o && atomic_inc_not_zero(&o->refs)) {
          BUG_ON(o->data != 42);
          if (atomic_dec_and_test(&o->refs)) kfree(o);
        }
        return 0;
      }
      int main(void) {
        struct obj *o = kmalloc(sizeof(*o), GFP_KERNEL);
        o->data = 42;
        atomic_set_release(&o->refs, 1);
        WRITE_ONCE(shared, o);
        stop_machine(user, NULL, cpu_online_mask);
        WRITE_ONCE(shared, NULL);
        if (atomic_dec_and_test(&o->refs)) kfree(o);
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
  });
});
