/**
 * SARIF for CI code scanning: valid against the official SARIF 2.1.0 JSON
 * schema (the OASIS 2.1.0 schema as Microsoft's SARIF SDK ships it, in
 * `@microsoft/jest-sarif`; draft-04, with formats checked), one result per
 * violation at its source location, and the trace as a code flow.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { fileUri, toSarif, type SarifLog } from '../../src/report/index.js';
import { ModelDir, runCli } from '../cli/run-cli.js';
import { checkFile, fixture } from './fixtures.js';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
// unicodeRegExp off: the schema's `language` pattern has a stray `]`, an error only under the `u` flag.
const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const dir = new ModelDir('irqcheck-sarif-');
afterAll(() => dir.remove());

function expectValid(log: unknown): void {
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

describe('toSarif', () => {
  it('is valid SARIF 2.1.0 for a violation with warnings, an NMI trace, and a verified model', async () => {
    const msi = await checkFile(fixture('msi-move.c'));
    const nmi = await checkFile(fixture('nmi-ipi.c'));
    expectValid(toSarif([msi.outcome, nmi.outcome], { toolVersion: '0.1.0' }));
    const verified = await checkFile(fixture('msi-move.c'), {}, { cpus: 1 });
    expectValid(toSarif([verified.outcome], { toolVersion: '0.1.0' }));
  });

  it('gives one result per violation, ruleId = kind, level by severity, at the violation\'s line', async () => {
    const { outcome } = await checkFile(fixture('nmi-ipi.c'));
    const log = toSarif([outcome], { toolVersion: '0.1.0' });
    const run = log.runs[0];
    expect(run?.tool.driver.name).toBe('irqcheck');
    expect(run?.results.map((r) => [r.ruleId, r.level])).toEqual(outcome.violations.map((v) => [v.kind, v.severity]));
    const r = run?.results[0];
    expect(r?.ruleId).toBe('assertion');
    expect(run?.tool.driver.rules[r?.ruleIndex ?? -1]?.id).toBe('assertion');
    expect(r?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: fileUri(fixture('nmi-ipi.c')) }, region: { startLine: 12 } });
    expect(r?.message.text).toMatch(/BUG_ON/);
    expect(r?.properties.replay).toBe(outcome.violations[0]?.replay);
  });

  it('puts the trace in a code flow: a thread flow per CPU, in execution order, with nesting and source lines', async () => {
    const { outcome } = await checkFile(fixture('nmi-ipi.c'));
    const v = outcome.violations[0];
    const flow = toSarif([outcome], { toolVersion: '0.1.0' }).runs[0]?.results[0]?.codeFlows[0];
    expect(flow?.threadFlows.map((t) => t.id)).toEqual(['CPU0', 'CPU1']);
    const all = flow?.threadFlows.flatMap((t) => t.locations) ?? [];
    expect(all.length).toBe(v?.trace.length);
    expect(all.map((l) => l.executionOrder).sort((a, b) => a - b)).toEqual(v?.trace.map((s) => s.index));
    const last = flow?.threadFlows[1]?.locations.at(-1);
    expect(last?.nestingLevel).toBe(1);
    expect(last?.location.physicalLocation?.region.startLine).toBe(12);
    expect(last?.location.message?.text).toMatch(/^step \d+, CPU1 \[NMI\]: BUG_ON\(in_update\);/);
    const entry = flow?.threadFlows[1]?.locations.find((l) => l.kinds?.includes('enter') === true);
    expect(entry?.location.message?.text).toMatch(/\[NMI\] taken/);
  });

  it('gives steps inside the kernel prelude no file location (it is not in the repository)', async () => {
    const { outcome } = await checkFile(fixture('msi-move.c'));
    const log: SarifLog = toSarif([outcome], { toolVersion: '0.1.0' });
    const locations = log.runs[0]?.results.flatMap((r) => r.codeFlows.flatMap((f) => f.threadFlows.flatMap((t) => t.locations))) ?? [];
    const kernel = locations.filter((l) => l.location.message?.text.includes('irq_entry:') === true);
    expect(kernel.length).toBeGreaterThan(0);
    for (const l of kernel) expect(l.location.physicalLocation).toBeUndefined();
  });

  it('places a result located inside the prelude on the last model line of its trace', async () => {
    const { outcome } = await checkFile(fixture('msi-move.c'));
    const v = outcome.violations[0];
    if (v === undefined) throw new Error('no violation');
    const inPrelude = { ...outcome, violations: [{ ...v, location: { file: '<irqcheck/kernel.h>', line: 557 } }] };
    const r = toSarif([inPrelude], { toolVersion: '0.1.0' }).runs[0]?.results[0];
    const lastModelStep = [...v.trace].reverse().find((s) => s.file === fixture('msi-move.c') && s.line > 0);
    expect(r?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: fileUri(fixture('msi-move.c')) }, region: { startLine: lastModelStep?.line } });
    expect(r?.message.text).toMatch(/\(found in <irqcheck\/kernel\.h>:557\)/);
  });

  it('writes relative paths as relative URIs and absolute ones as file: URIs', () => {
    expect(fileUri('examples/microcode/nmi hold.c')).toBe('examples/microcode/nmi%20hold.c');
    expect(fileUri('/tmp/a b/m.c')).toBe('file:///tmp/a%20b/m.c');
  });
});

describe('check --sarif', () => {
  it('writes a valid SARIF file next to the usual report', async () => {
    const file = dir.write('msi.c', readFileSync(fixture('msi-move.c'), 'utf8'));
    const out = dir.path('out.sarif');
    const run = await runCli(['check', file, '--sarif', out, '--json']);
    expect(run.code).toBe(1);
    expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
    expect(run.stderr).toContain(`sarif: ${out}`);
    const log = JSON.parse(readFileSync(out, 'utf8')) as SarifLog;
    expectValid(log);
    expect(log.runs[0]?.results[0]?.ruleId).toBe('lost-interrupt');
  });
});
