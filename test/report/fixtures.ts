/**
 * The report tests' models (fixtures/*.c, each stating its expected verdict
 * in its header) checked in-process, with the machine states recorded as
 * `check --trace` and `--html` record them.
 */
import { fileURLToPath } from 'node:url';
import type { TranslationUnit } from '../../src/lang/index.js';
import { checkModel, configFor, loadModel, type CheckSettings } from '../../src/pipeline.js';
import { toTraceFile, type CheckOutcome, type TraceFile } from '../../src/report/index.js';

/** The absolute path of a fixture model. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A checked fixture: its unit and outcome. */
export interface Checked {
  readonly unit: TranslationUnit;
  readonly outcome: CheckOutcome;
}

/** Checks a fixture (or any model file) with states recorded. */
export async function checkFile(path: string, settings: Partial<CheckSettings> = {}, config: { cpus?: number; nmis?: number } = {}): Promise<Checked> {
  const unit = await loadModel(path);
  const outcome = checkModel(unit, configFor(unit, config), { strict: false, spuriousTimeouts: false, search: 'bfs', limits: {}, traceStates: true, ...settings });
  return { unit, outcome };
}

/** The trace file `check --trace` would write for a checked model. */
export function traceFileOf(c: Checked): TraceFile {
  return toTraceFile(c.outcome, { irqcheckVersion: '0.0.0-test', options: { strict: false, spuriousTimeouts: false, search: 'bfs' }, sources: c.unit.sources });
}
