/**
 * The terminal timeline: long uneventful runs of one CPU fold into one row
 * with a count (exactly, when the states say nothing another CPU reads
 * changed), interrupt entries and returns are marked, the trace's first
 * and last steps always show, and every line fits the terminal's width.
 */
import { describe, expect, it } from 'vitest';
import type { StateView, TraceStep } from '../../src/machine/index.js';
import { elideSteps, renderTimeline } from '../../src/report/index.js';
import { checkFile, fixture } from './fixtures.js';

/** A CPU step with defaults; `index` is its 1-based number. */
function step(index: number, over: Partial<TraceStep> = {}): TraceStep {
  return { index, cpu: 0, event: 'step', context: 'task', depth: 0, file: 'm.c', line: 10 + index, text: `x${index} = 1;`, fn: 'main', note: null, transition: 0, ...over };
}

/** A state whose only observable part is a global `g`. */
function state(g: number): StateView {
  return { globals: [{ name: 'g', type: 'int', value: String(g) }], cpus: [], devices: [], env: { nmisLeft: 0, mainReturned: false } };
}

describe('elideSteps', () => {
  it('folds a run of more than three kernel-internal steps of one CPU into one row', () => {
    const trace = [
      step(1),
      ...[2, 3, 4, 5, 6].map((i) => step(i, { cpu: 1, text: `stop_machine: s${i};`, file: '<irqcheck/kernel.h>' })),
      step(7),
    ];
    const rows = elideSteps(trace);
    expect(rows.map((r) => r.kind)).toEqual(['step', 'elided', 'step']);
    expect(rows[1]).toMatchObject({ kind: 'elided', cpu: 1, count: 5, label: 'stop_machine', line: null });
  });

  it('shows runs of three or fewer step by step', () => {
    const trace = [step(1), ...[2, 3, 4].map((i) => step(i, { text: 'nmi_handle: x;' })), step(5)];
    expect(elideSteps(trace).every((r) => r.kind === 'step')).toBe(true);
  });

  it('never folds the first and last steps, nor steps whose note tells something', () => {
    const trace = [1, 2, 3, 4, 5, 6].map((i) => step(i, { text: 'stop_machine: s;', note: i === 4 ? 'printk: hello' : null }));
    const rows = elideSteps(trace);
    expect(rows.map((r) => (r.kind === 'step' ? r.step.index : `${r.first.index}-${r.last.index}`))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('folds the same model line repeated (a call running through the prelude) only if the states show nothing observable changed', () => {
    const trace = [step(1), ...[2, 3, 4, 5].map((i) => step(i, { line: 30, text: 'stop_machine(fn, NULL, mask);', note: `stop_machine_cpuslocked: s${i};` })), step(6)];
    // Without states a model line is never folded: it may write what others read.
    expect(elideSteps(trace).every((r) => r.kind === 'step')).toBe(true);
    const quiet = [0, 0, 0, 0, 0, 0, 1].map(state);
    expect(elideSteps(trace, quiet)[1]).toMatchObject({ kind: 'elided', count: 4, label: 'stop_machine_cpuslocked', line: 30 });
    // Step 4 writes the global: the run breaks there.
    const writes = [0, 0, 0, 0, 1, 1, 1].map(state);
    expect(elideSteps(trace, writes).every((r) => r.kind === 'step')).toBe(true);
  });

  it('keeps steps of different CPUs, contexts or nesting in different runs', () => {
    const trace = [step(1), ...[2, 3, 4, 5, 6, 7].map((i) => step(i, { text: 'nmi_handle: x;', context: i < 5 ? 'task' : 'nmi', depth: i < 5 ? 0 : 1 })), step(8)];
    expect(elideSteps(trace).every((r) => r.kind === 'step')).toBe(true);
  });
});

describe('renderTimeline', () => {
  it('fits every line to the width, in columns when they are wide enough and one step a line when not', async () => {
    const { outcome } = await checkFile(fixture('msi-move.c'));
    const v = outcome.violations[0];
    if (v === undefined) throw new Error('no violation');
    for (const width of [60, 80, 100, 132, 200]) {
      const lines = renderTimeline(v.trace, width, v.states);
      for (const l of lines) expect(l.length, `width ${width}: ${l}`).toBeLessThanOrEqual(width);
    }
    expect(renderTimeline(v.trace, 132, v.states)[0]).toMatch(/^ step {2}CPU0 +CPU1 +env$/);
    expect(renderTimeline(v.trace, 60, v.states)[0]).toMatch(/^ step {2}who {5}line {2}what$/);
  });

  it('marks interrupt entries with ⇒ and returns with ⇐ IRET, and keeps the last step', async () => {
    const { outcome } = await checkFile(fixture('msi-move.c'));
    const v = outcome.violations[0];
    if (v === undefined) throw new Error('no violation');
    const text = renderTimeline(v.trace, 160, v.states).join('\n');
    expect(text).toMatch(/⇒ \[IRQ\] vector 0x31 taken/);
    expect(text).toMatch(/⇐ IRET/);
    const last = v.trace[v.trace.length - 1];
    expect(text).toMatch(new RegExp(`^ +${last?.index} `, 'm'));
  });

  it('accounts for every step of a real trace: shown, or counted in a fold', async () => {
    for (const name of ['nmi-ipi.c', 'msi-move.c', 'ipi-deadlock.c', 'racy-count.c']) {
      const { outcome } = await checkFile(fixture(name));
      const v = outcome.violations[0];
      if (v === undefined) throw new Error('no violation');
      const lines = renderTimeline(v.trace, 160, v.states);
      const hidden = lines.map((l) => Number(/… (\d+) steps of /.exec(l)?.[1] ?? 0));
      const shown = lines.filter((l) => /^ +\d+ {2}/.test(l)).length;
      expect(shown + hidden.reduce((a, b) => a + b, 0), name).toBe(v.trace.length);
    }
  });
});
