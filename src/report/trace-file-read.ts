/**
 * Reading a trace file back: the text is untrusted (hand-edited, from
 * another version, not a trace file at all), so every field is narrowed
 * from `unknown` and the first problem is reported with its JSON path.
 * The machine states are checked only for their outer shape: the viewer
 * renders whatever strings they hold as text.
 */
import type { StateView } from '../machine/index.js';
import { TRACE_FILE_FORMAT, TRACE_FILE_VERSION, type TraceFile, type TraceFileStep, type TraceFileViolation } from './trace-file.js';

/** The result of reading a trace file: the file, or why it is not one. */
export type TraceFileRead = { readonly ok: true; readonly file: TraceFile } | { readonly ok: false; readonly reason: string };

class Malformed extends Error {}

type Obj = Readonly<Record<string, unknown>>;

const VERDICTS: readonly string[] = ['verified', 'violation', 'incomplete', 'error'];

function obj(v: unknown, at: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Malformed(`${at} should be an object`);
  return v as Obj;
}

function arr(v: unknown, at: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new Malformed(`${at} should be an array`);
  return v;
}

function str(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new Malformed(`${at} should be a string`);
  return v;
}

function int(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Malformed(`${at} should be an integer`);
  return v;
}

function num(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Malformed(`${at} should be a number`);
  return v;
}

function bool(v: unknown, at: string): boolean {
  if (typeof v !== 'boolean') throw new Malformed(`${at} should be true or false`);
  return v;
}

function oneOf<T extends string>(v: unknown, allowed: readonly string[], at: string): T {
  const s = str(v, at);
  if (!allowed.includes(s)) throw new Malformed(`${at} is '${s}', not one of ${allowed.join(', ')}`);
  return s as T;
}

function nullable<T>(v: unknown, read: (x: unknown) => T): T | null {
  return v === null ? null : read(v);
}

function step(v: unknown, at: string): TraceFileStep {
  const o = obj(v, at);
  return {
    step: int(o.step, `${at}.step`),
    cpu: nullable(o.cpu, (x) => int(x, `${at}.cpu`)),
    // Open enumerations (docs/trace-schema.md): a newer machine may add events and contexts.
    event: str(o.event, `${at}.event`) as TraceFileStep['event'],
    context: str(o.context, `${at}.context`) as TraceFileStep['context'],
    depth: int(o.depth, `${at}.depth`),
    file: str(o.file, `${at}.file`),
    line: int(o.line, `${at}.line`),
    text: str(o.text, `${at}.text`),
    fn: str(o.fn, `${at}.fn`),
    note: nullable(o.note, (x) => str(x, `${at}.note`)),
    transition: int(o.transition, `${at}.transition`),
  };
}

function state(v: unknown, at: string): StateView {
  const o = obj(v, at);
  arr(o.globals, `${at}.globals`);
  arr(o.cpus, `${at}.cpus`).forEach((c, i) => arr(obj(c, `${at}.cpus[${i}]`).frames, `${at}.cpus[${i}].frames`));
  arr(o.devices, `${at}.devices`);
  obj(o.env, `${at}.env`);
  return o as unknown as StateView;
}

function violation(v: unknown, at: string): TraceFileViolation {
  const o = obj(v, at);
  const location = obj(o.location, `${at}.location`);
  const path = arr(o.path, `${at}.path`).map((t, i) => int(t, `${at}.path[${i}]`));
  const trace = arr(o.trace, `${at}.trace`).map((s, i) => step(s, `${at}.trace[${i}]`));
  if (trace.length !== path.length) throw new Malformed(`${at} has ${trace.length} trace steps but ${path.length} path entries`);
  const states = arr(o.states, `${at}.states`).map((s, i) => state(s, `${at}.states[${i}]`));
  if (states.length !== 0 && states.length !== trace.length + 1) throw new Malformed(`${at}.states should hold ${trace.length + 1} states (one before each step and one after the last), not ${states.length}`);
  return {
    kind: str(o.kind, `${at}.kind`),
    severity: oneOf(o.severity, ['error', 'warning'], `${at}.severity`),
    message: str(o.message, `${at}.message`),
    cpu: nullable(o.cpu, (x) => int(x, `${at}.cpu`)),
    location: { file: str(location.file, `${at}.location.file`), line: int(location.line, `${at}.location.line`) },
    replay: str(o.replay, `${at}.replay`),
    path,
    trace,
    states,
  };
}

function traceFile(v: unknown): TraceFile {
  const o = obj(v, 'the file');
  if (o.format !== TRACE_FILE_FORMAT) throw new Malformed(`it is not an irqcheck trace file (no "format": "${TRACE_FILE_FORMAT}")`);
  if (o.version !== TRACE_FILE_VERSION) throw new Malformed(`it is a trace file of schema version ${String(o.version)}; this irqcheck reads version ${TRACE_FILE_VERSION}`);
  const model = obj(o.model, 'model');
  const config = obj(o.config, 'config');
  const options = obj(o.options, 'options');
  const stats = obj(o.stats, 'stats');
  const sources = obj(o.sources, 'sources');
  const sourceTexts: Record<string, string> = {};
  for (const [file, text] of Object.entries(sources)) sourceTexts[file] = str(text, `sources[${JSON.stringify(file)}]`);
  return {
    format: TRACE_FILE_FORMAT,
    version: TRACE_FILE_VERSION,
    irqcheck: str(o.irqcheck, 'irqcheck'),
    model: { file: str(model.file, 'model.file'), sha256: str(model.sha256, 'model.sha256') },
    config: { cpus: int(config.cpus, 'config.cpus'), smt: int(config.smt, 'config.smt'), nmis: int(config.nmis, 'config.nmis') },
    options: {
      strict: bool(options.strict, 'options.strict'),
      spuriousTimeouts: bool(options.spuriousTimeouts, 'options.spuriousTimeouts'),
      search: oneOf(options.search, ['bfs', 'dfs'], 'options.search'),
    },
    verdict: oneOf(o.verdict, VERDICTS, 'verdict'),
    limit: nullable(o.limit, (x) => str(x, 'limit')),
    stats: {
      states: int(stats.states, 'stats.states'),
      transitions: int(stats.transitions, 'stats.transitions'),
      depth: int(stats.depth, 'stats.depth'),
      seconds: num(stats.seconds, 'stats.seconds'),
      peakMemoryBytes: int(stats.peakMemoryBytes, 'stats.peakMemoryBytes'),
    },
    violations: arr(o.violations, 'violations').map((x, i) => violation(x, `violations[${i}]`)),
    sources: sourceTexts,
  };
}

/** Parses and checks a trace file's text; never throws. */
export function readTraceFile(text: string): TraceFileRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `it is not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  try {
    return { ok: true, file: traceFile(json) };
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, reason: err.message };
    throw err;
  }
}
