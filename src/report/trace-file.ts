/**
 * Trace files (`check --trace FILE`, docs/trace-schema.md, version 1): one
 * configuration's outcome with every violation's trace, the machine state
 * at each step, the replay choices, and the sources the steps point into,
 * so that `irqcheck replay` can re-execute it and `irqcheck view` can draw
 * it without the model at hand.
 */
import { createHash } from 'node:crypto';
import type { StateView, TraceStep } from '../machine/index.js';
import type { CheckOutcome, ReportedViolation, VerdictName } from './outcome.js';

/** The `format` field every trace file carries. */
export const TRACE_FILE_FORMAT = 'irqcheck-trace';
/** The schema version this irqcheck writes and reads. */
export const TRACE_FILE_VERSION = 1;

/** One step as a trace file stores it; `cpu` is null for the environment. */
export interface TraceFileStep {
  readonly step: number;
  readonly cpu: number | null;
  readonly event: TraceStep['event'];
  readonly context: TraceStep['context'];
  readonly depth: number;
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly fn: string;
  readonly note: string | null;
  /** The machine's transition id (also in `path`). */
  readonly transition: number;
}

/** A violation or warning with everything needed to replay and draw it. */
export interface TraceFileViolation {
  readonly kind: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly cpu: number | null;
  readonly location: { readonly file: string; readonly line: number };
  readonly replay: string;
  /** The transition ids from the initial state, one per step. */
  readonly path: readonly number[];
  readonly trace: readonly TraceFileStep[];
  /** The state before step 1 (index 0) and after each step; empty if not recorded. */
  readonly states: readonly StateView[];
}

/** How the search was run, as far as it changes what replays. */
export interface TraceFileOptions {
  readonly strict: boolean;
  readonly spuriousTimeouts: boolean;
  readonly search: 'bfs' | 'dfs';
}

/** A trace file, schema version 1. */
export interface TraceFile {
  readonly format: typeof TRACE_FILE_FORMAT;
  readonly version: typeof TRACE_FILE_VERSION;
  /** The irqcheck version that wrote it. */
  readonly irqcheck: string;
  readonly model: { readonly file: string; readonly sha256: string };
  readonly config: { readonly cpus: number; readonly smt: number; readonly nmis: number };
  readonly options: TraceFileOptions;
  readonly verdict: VerdictName;
  /** Why an incomplete search stopped, else null. */
  readonly limit: string | null;
  readonly stats: { readonly states: number; readonly transitions: number; readonly depth: number; readonly seconds: number; readonly peakMemoryBytes: number };
  readonly violations: readonly TraceFileViolation[];
  /** The text of the model and of every file a step points into, by path. */
  readonly sources: Readonly<Record<string, string>>;
}

/** What a trace file needs beyond the outcome. */
export interface TraceFileContext {
  readonly irqcheckVersion: string;
  readonly options: TraceFileOptions;
  /** Source texts by path (the translation unit's `sources`). */
  readonly sources: ReadonlyMap<string, string>;
}

/** The SHA-256 of a model's text, hex: how replay tells an edited model. */
export function sourceDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function traceStep(s: TraceStep): TraceFileStep {
  return {
    step: s.index,
    cpu: s.cpu,
    event: s.event,
    context: s.context,
    depth: s.depth,
    file: s.file,
    line: s.line,
    text: s.text,
    fn: s.fn,
    note: s.note,
    transition: s.transition,
  };
}

function traceViolation(v: ReportedViolation): TraceFileViolation {
  return {
    kind: v.kind,
    severity: v.severity,
    message: v.message,
    cpu: v.cpu,
    location: { file: v.location.file, line: v.location.line },
    replay: v.replay,
    path: [...v.path],
    trace: v.trace.map(traceStep),
    states: v.states === undefined ? [] : [...v.states],
  };
}

/**
 * The trace file of one configuration's outcome. Embeds the model's text
 * and every source file a step or a location names (when `context.sources`
 * has it). Allocates; call once per file written.
 */
export function toTraceFile(o: CheckOutcome, context: TraceFileContext): TraceFile {
  const violations = o.violations.map(traceViolation);
  const wanted = new Set<string>([o.file]);
  for (const v of violations) {
    wanted.add(v.location.file);
    for (const s of v.trace) wanted.add(s.file);
  }
  const sources: Record<string, string> = {};
  for (const file of wanted) {
    const text = context.sources.get(file);
    if (text !== undefined) sources[file] = text;
  }
  return {
    format: TRACE_FILE_FORMAT,
    version: TRACE_FILE_VERSION,
    irqcheck: context.irqcheckVersion,
    model: { file: o.file, sha256: sourceDigest(context.sources.get(o.file) ?? '') },
    config: { cpus: o.config.cpus, smt: o.config.smt, nmis: o.config.nmis },
    options: context.options,
    verdict: o.verdict,
    limit: o.limit,
    stats: {
      states: o.stats.states,
      transitions: o.stats.transitions,
      depth: o.stats.depth,
      seconds: Math.round(o.stats.seconds * 1000) / 1000,
      peakMemoryBytes: o.stats.peakMemoryBytes,
    },
    violations,
    sources,
  };
}
