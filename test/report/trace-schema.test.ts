/**
 * docs/trace-schema.md is the contract: the trace files irqcheck writes
 * validate against the JSON Schema printed there, and the example's
 * field names are the ones written.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { checkFile, fixture, traceFileOf } from './fixtures.js';

const doc = readFileSync(new URL('../../docs/trace-schema.md', import.meta.url), 'utf8');
const schemaText = /## As a JSON Schema[^]*?```json\n([^]*?)\n```/.exec(doc)?.[1];
const exampleText = /## Example[^]*?```json\n([^]*?)\n```/.exec(doc)?.[1];

describe('docs/trace-schema.md', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(schemaText ?? '{}') as Record<string, unknown>);

  for (const [name, config] of [['msi-move.c', {}], ['nmi-ipi.c', { nmis: 1 }], ['ipi-deadlock.c', {}], ['msi-move.c', { cpus: 1 }]] as const) {
    it(`describes the trace file of ${name} ${JSON.stringify(config)}`, async () => {
      const t = JSON.parse(JSON.stringify(traceFileOf(await checkFile(fixture(name), {}, config)))) as unknown;
      const ok = validate(t);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('shows an example with exactly the fields a trace file has', async () => {
    const example = JSON.parse((exampleText ?? '{}').replace(/…/g, '')) as Record<string, unknown>;
    const real = JSON.parse(JSON.stringify(traceFileOf(await checkFile(fixture('msi-move.c'))))) as Record<string, unknown>;
    const keys = (o: unknown): string[] => (typeof o === 'object' && o !== null ? Object.keys(o).sort() : []);
    expect(keys(example)).toEqual(keys(real));
    const ev = (example.violations as unknown[])[0];
    const rv = (real.violations as unknown[])[0];
    expect(keys(ev)).toEqual(keys(rv));
    const steps = (v: unknown): unknown[] => (v as { trace: unknown[] }).trace;
    expect(keys(steps(ev)[0])).toEqual(keys(steps(rv)[0]));
    const state = (v: unknown): Record<string, unknown[]> => (v as { states: Record<string, unknown[]>[] }).states[0] as Record<string, unknown[]>;
    expect(keys(state(ev))).toEqual(keys(state(rv)));
    expect(keys(state(ev).cpus?.[0])).toEqual(keys(state(rv).cpus?.[0]));
    expect(keys(state(ev).devices?.[0])).toEqual(keys(state(rv).devices?.[0]));
  });
});
