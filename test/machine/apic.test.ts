/**
 * Litmus tests of the local APIC and vectored interrupts: priority,
 * coalescing, IF, VECTOR_RETRIGGERED, and device messages.
 */
import { describe, expect, it } from 'vitest';
import { checkModel, configFor, DEFAULT_SETTINGS, loadModelSource } from '../../src/pipeline.js';
import type { CheckOutcome } from '../../src/report/index.js';

async function check(text: string, strict = false): Promise<CheckOutcome> {
  const unit = await loadModelSource('apic.c', text);
  return checkModel(unit, configFor(unit, {}), { ...DEFAULT_SETTINGS, strict });
}

const kinds = (o: CheckOutcome): string[] => o.violations.map((v) => `${v.severity}:${v.kind}`);

const twoVectors = (body: string): string => `
  #pragma irqcheck cpus 1
  static int order[4], n, low_runs, high_runs;
  static irqreturn_t low(int irq, void *d) { order[n++] = 0x31; low_runs++; return IRQ_HANDLED; }
  static irqreturn_t high(int irq, void *d) { order[n++] = 0x52; high_runs++; return IRQ_HANDLED; }
  int main(void) {
    unsigned long flags;
    request_irq(1, low, 0, "low", NULL);
    request_irq(2, high, 0, "high", NULL);
    irq_assign_vector(1, 0, 0x31);
    irq_assign_vector(2, 0, 0x52);
    ${body}
    return 0;
  }`;

describe('local APIC', () => {
  it('delivers the highest pending vector first once IF is set', async () => {
    const o = await check(twoVectors(`
      local_irq_save(flags);
      apic->send_IPI_self(0x31);
      apic->send_IPI_self(0x52);
      local_irq_restore(flags);
      while (n < 2) cpu_relax();
      BUG_ON(order[0] != 0x52 || order[1] != 0x31);`));
    expect(o.verdict).toBe('verified');
  });

  it('coalesces a vector requested twice before it is taken', async () => {
    const o = await check(twoVectors(`
      local_irq_save(flags);
      apic->send_IPI_self(0x31);
      apic->send_IPI_self(0x31);
      local_irq_restore(flags);
      while (n < 1) cpu_relax();
      BUG_ON(low_runs != 1);`));
    expect(o.verdict).toBe('verified');
  });

  it('takes no maskable interrupt while IF is clear', async () => {
    const o = await check(twoVectors(`
      local_irq_disable();
      apic->send_IPI_self(0x31);
      BUG_ON(low_runs != 0);
      BUG_ON(!lapic_vector_set_in_irr(0x31));
      local_irq_enable();`));
    expect(o.verdict).toBe('verified');
  });

  it('drops a VECTOR_RETRIGGERED vector silently once, then warns', async () => {
    const o = await check(`
      #pragma irqcheck cpus 1
      int main(void) {
        this_cpu_write(vector_irq[0x44], VECTOR_RETRIGGERED);
        apic->send_IPI_self(0x44);
        while (lapic_vector_set_in_irr(0x44)) cpu_relax();
        apic->send_IPI_self(0x44);
        return 0;
      }`);
    expect(o.verdict).toBe('verified');
    expect(kinds(o)).toEqual(['warning:spurious-interrupt']);
    expect(o.violations[0]?.message).toMatch(/vector 0x44/);
  });
});

describe('MSI devices', () => {
  const device = (maskable: boolean, steps: string): string => `
    #pragma irqcheck cpus 2
    static struct msi_device dev = { .irq = 3, .maskable = ${maskable}, .max_raises = 1 };
    static int runs;
    static irqreturn_t handler(int irq, void *d) { runs++; return IRQ_HANDLED; }
    int main(void) {
      request_irq(3, handler, 0, "dev", &dev);
      irq_assign_vector(3, 1, 0x40);
      ${steps}
      return 0;
    }`;

  it('delivers a raise to the CPU and vector of the message', async () => {
    const o = await check(device(false, 'msi_device_start(&dev);'));
    expect(o.verdict).toBe('verified');
  });

  it('loses a raise whose message names a vector with no handler', async () => {
    const o = await check(device(false, 'irq_release_vector(1, 0x40); msi_device_start(&dev);'));
    expect(kinds(o)).toEqual(['error:lost-interrupt', 'warning:spurious-interrupt']);
    expect(o.violations[0]?.location.line).toBe(3);
  });

  it('holds a raise of a masked device until it is unmasked', async () => {
    // Moving while masked: a raise in between waits for the unmask and goes to the new target.
    const move = `
      msi_device_start(&dev);
      pci_msi_mask_irq(3);
      irq_assign_vector(3, 0, 0x41);
      irq_msi_update_msg(3, irqd_cfg(3));
      pci_msi_unmask_irq(3);`;
    expect((await check(device(true, move))).verdict).toBe('verified');
    // A device that cannot mask may send the torn message (CPU0, old vector 0x40): lost.
    expect(kinds(await check(device(false, move)))[0]).toBe('error:lost-interrupt');
  });

  it('loses a raise still in flight to a vector released too early', async () => {
    const o = await check(device(true, `
      msi_device_start(&dev);
      pci_msi_mask_irq(3);
      irq_assign_vector(3, 0, 0x41);
      irq_release_vector(1, 0x40);
      irq_msi_update_msg(3, irqd_cfg(3));
      pci_msi_unmask_irq(3);`));
    expect(kinds(o)[0]).toBe('error:lost-interrupt');
  });

  it('reports a spurious handler run as a warning, and as a violation with --strict', async () => {
    const text = device(false, 'msi_device_start(&dev); apic_retrigger_irq(3);');
    expect(kinds(await check(text))).toContain('warning:spurious-handler');
    expect(kinds(await check(text, true))).toEqual(['error:spurious-handler']);
  });
});
