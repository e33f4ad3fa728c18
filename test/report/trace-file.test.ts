/**
 * Trace files (docs/trace-schema.md, version 1): what they hold, that they
 * read back as written, that bad files are refused with the reason, and
 * that `check --trace` writes one that `irqcheck replay` re-executes, and
 * that replay says where an edited model departs from it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readTraceFile, sourceDigest, TRACE_FILE_VERSION } from '../../src/report/index.js';
import { ModelDir, runCli } from '../cli/run-cli.js';
import { checkFile, fixture, traceFileOf } from './fixtures.js';

const dir = new ModelDir('irqcheck-trace-');
afterAll(() => dir.remove());

describe('toTraceFile', () => {
  it('holds the model, configuration, verdict, and each violation with its trace, states and replay choices', async () => {
    const checked = await checkFile(fixture('msi-move.c'));
    const t = traceFileOf(checked);
    expect(t).toMatchObject({ format: 'irqcheck-trace', version: TRACE_FILE_VERSION, verdict: 'violation', config: { cpus: 2, smt: 1, nmis: 0 } });
    expect(t.model.file).toBe(fixture('msi-move.c'));
    expect(t.model.sha256).toBe(sourceDigest(readFileSync(fixture('msi-move.c'), 'utf8')));
    expect(t.violations.map((v) => v.kind)).toEqual(checked.outcome.violations.map((v) => v.kind));
    const v = t.violations[0];
    expect(v?.kind).toBe('lost-interrupt');
    expect(v?.path.length).toBe(v?.trace.length);
    expect(v?.states.length).toBe((v?.trace.length ?? 0) + 1);
    expect(v?.trace.map((s) => s.step)).toEqual(v?.trace.map((_, i) => i + 1));
    expect(v?.replay).toMatch(/^irqcheck:1:c2s1n0:/);
    // The model and the prelude the kernel-internal steps point into travel with the trace.
    expect(t.sources[fixture('msi-move.c')]).toBe(readFileSync(fixture('msi-move.c'), 'utf8'));
    expect(Object.keys(t.sources)).toContain('<irqcheck/kernel.h>');
  });

  it('reads back exactly what was written', async () => {
    const t = traceFileOf(await checkFile(fixture('nmi-ipi.c')));
    const read = readTraceFile(JSON.stringify(t));
    expect(read.ok).toBe(true);
    if (read.ok) expect(read.file).toEqual(JSON.parse(JSON.stringify(t)));
  });
});

describe('readTraceFile', () => {
  const good = async (): Promise<Record<string, unknown>> => JSON.parse(JSON.stringify(traceFileOf(await checkFile(fixture('nmi-ipi.c'))))) as Record<string, unknown>;

  it('refuses text that is not JSON', () => {
    const r = readTraceFile('irqcheck:1:c2s1n0:0.0');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toMatch(/not JSON/);
  });

  it('refuses JSON that is not a trace file, and trace files of another version', async () => {
    expect(readTraceFile('{"verdict":"violation"}')).toEqual({ ok: false, reason: 'it is not an irqcheck trace file (no "format": "irqcheck-trace")' });
    const other = { ...(await good()), version: 2 };
    const r = readTraceFile(JSON.stringify(other));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/schema version 2; this irqcheck reads version 1/);
  });

  it('names the first malformed field by its path', async () => {
    const t = await good();
    const violations = t.violations as Record<string, unknown>[];
    const trace = (violations[0] as Record<string, unknown>).trace as Record<string, unknown>[];
    (trace[2] as Record<string, unknown>).line = 'twelve';
    const r = readTraceFile(JSON.stringify(t));
    expect(r).toEqual({ ok: false, reason: 'violations[0].trace[2].line should be an integer' });
  });

  it('refuses a trace whose states do not match its steps', async () => {
    const t = await good();
    const v = (t.violations as Record<string, unknown>[])[0] as Record<string, unknown>;
    v.states = (v.states as unknown[]).slice(1);
    const r = readTraceFile(JSON.stringify(t));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/violations\[0\]\.states should hold \d+ states/);
  });
});

describe('check --trace and replay from the file', () => {
  const model = readFileSync(fixture('msi-move.c'), 'utf8');

  it('writes a trace file that replay reproduces, violation by violation', async () => {
    const file = dir.write('msi.c', model);
    const trace = dir.path('msi.trace.json');
    const run = await runCli(['check', file, '--trace', trace]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`trace: ${trace}`);
    const t = readTraceFile(readFileSync(trace, 'utf8'));
    expect(t.ok).toBe(true);
    const replay = await runCli(['replay', file, trace]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/^replay: reproduced lost-interrupt in \d+ steps\n/);
    expect(replay.stdout).not.toMatch(/note:/);
    const warning = await runCli(['replay', file, trace, '--violation', '2']);
    expect(warning.code).toBe(1);
    expect(warning.stdout).toMatch(/^replay: reproduced spurious-interrupt \(a warning\) in \d+ steps/);
  });

  it('says which violations a trace file holds when asked for one it does not', async () => {
    const file = dir.write('msi2.c', model);
    const trace = dir.path('msi2.json');
    await runCli(['check', file, '--trace', trace]);
    const run = await runCli(['replay', file, trace, '--violation', '9']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds \d violations; there is no violation 9 to replay/);
  });

  it('refuses a file that is neither a token nor a trace file, with the reason', async () => {
    const file = dir.write('msi3.c', model);
    const bad = dir.write('bad.json', '{"format":"irqcheck-trace","version":1}');
    const run = await runCli(['replay', file, bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a trace file this irqcheck can read: model should be an object/);
  });

  it('says where an edited model no longer follows the trace, and what the file recorded there', async () => {
    const file = dir.write('edit.c', model);
    const trace = dir.path('edit.json');
    await runCli(['check', file, '--trace', trace]);
    // CPU0 now returns right after starting the device: the rest of its steps cannot happen.
    dir.write('edit.c', model.replace('\tmsi_device_start(&nic);\n', '\tmsi_device_start(&nic);\n\tif (!handled)\n\t\treturn 0;\n'));
    const run = await runCli(['replay', file, trace]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^replay: the model no longer follows the trace at step \d+: CPU0 steps is not possible there \(the trace file has CPU0 .*edit\.c:\d+ `irq_msi_update_msg\(NIC_IRQ, irqd_cfg\(NIC_IRQ\)\);` there\) \(the model file was edited since the trace file was written\)\n/);
    expect(run.stdout).toMatch(/note: from step \d+ the model runs other code than the trace file recorded: CPU0 .*edit\.c:\d+ `local_irq_save\(flags\);` then, CPU0 .*edit\.c:\d+ `if \(!handled\)` now/);
  });

  it('says when every step replays but the violation no longer happens (the fix works)', async () => {
    const file = dir.write('fixed.c', model);
    const trace = dir.path('fixed.json');
    await runCli(['check', file, '--trace', trace]);
    // The fix: mask the device while its message is rewritten, so a torn message cannot be sent.
    dir.write('fixed.c', model.replace('.maskable = false', '.maskable = true').replace('\tirq_msi_update_msg(NIC_IRQ, irqd_cfg(NIC_IRQ));', '\tpci_msi_mask_irq(NIC_IRQ);\n\tirq_msi_update_msg(NIC_IRQ, irqd_cfg(NIC_IRQ));\n\tpci_msi_unmask_irq(NIC_IRQ);'));
    const run = await runCli(['replay', file, trace]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^replay: all \d+ steps replayed, but no violation happens at the end/);
    expect(run.stdout).toMatch(/note: from step \d+ the model runs other code than the trace file recorded: .*`pci_msi_mask_irq\(NIC_IRQ\);` now/);
  });

  it('points at the first step that runs other code when an edited model still fails', async () => {
    const file = dir.write('shift.c', model);
    const trace = dir.path('shift.json');
    await runCli(['check', file, '--trace', trace]);
    // One more statement before the race: every later step runs one line further down.
    dir.write('shift.c', model.replace('\tlocal_irq_save(flags);', '\thandled = 0;\n\tlocal_irq_save(flags);'));
    const run = await runCli(['replay', file, trace]);
    expect(run.stdout).toMatch(/note: from step \d+ the model runs other code than the trace file recorded: CPU0 .*shift\.c:\d+ `local_irq_save\(flags\);` then, CPU0 .*shift\.c:\d+ `handled = 0;` now \(the model was edited\)/);
  });
});
