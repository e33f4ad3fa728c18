/**
 * `irqcheck replay`: re-executes a violation's transitions one by one on the
 * model as it is now, and either reproduces the violation (with its trace)
 * or says at which step the model no longer follows the trace. Given a
 * trace file, it also compares each step with the recorded one, so an
 * edited model that still fails is pointed at the first step that changed.
 * Wiring only.
 */
import type { Finding, SuccessorSink } from './check/index.js';
import { readFileSync } from 'node:fs';
import { UsageError, type TranslationUnit } from './lang/index.js';
import { decodeReplayToken, encodeReplayToken, isWarningKind, ViolationKind, kindOfFinding, rebuildViolation, transitionCpu, transitionKind, TransitionKind, violationKindName, type ReplayToken, type TraceStep } from './machine/index.js';
import { compileModel, machineFor, validateConfig } from './pipeline.js';
import { readTraceFile, renderText, sourceDigest, type TraceFileStep } from './report/index.js';

/** What `irqcheck replay` prints, and its exit code. */
export interface ReplayResult {
  readonly text: string;
  /** 1 if the violation was reproduced, 2 if the model no longer follows the trace. */
  readonly exitCode: number;
}

/** What a trace file recorded, to compare the replay with. */
export interface ReplayExpectation {
  readonly kind: string;
  readonly steps: readonly TraceFileStep[];
  /** The model's text differs from the one the trace file was written for. */
  readonly modelChanged: boolean;
}

/** What to replay: the choices, and what a trace file recorded of them (if it came from one). */
export interface ReplayRequest {
  readonly token: ReplayToken;
  readonly recorded: { readonly kind: string; readonly steps: readonly TraceFileStep[]; readonly modelSha256: string } | null;
}

/**
 * Reads what `irqcheck replay` was given: a token, a file holding one, or
 * a trace file (`check --trace`), of which it takes violation number
 * `violation` (1-based). Throws a `UsageError` for anything else.
 */
export function replayRequest(tokenOrFile: string, violation = 1): ReplayRequest {
  const token = decodeReplayToken(tokenOrFile);
  if (token !== null) return { token, recorded: null };
  let text: string;
  try {
    text = readFileSync(tokenOrFile, 'utf8');
  } catch {
    throw new UsageError('bad-token', `'${tokenOrFile}' is neither a replay token nor a readable file`, null, 'copy the token printed after "replay:" in a violation report, or give the file written by check --trace');
  }
  if (!text.trimStart().startsWith('{')) {
    const fromFile = decodeReplayToken(text.trim());
    if (fromFile === null) throw new UsageError('bad-token', `${tokenOrFile} holds neither a replay token nor a trace file`, null, 'tokens look like irqcheck:1:c4s2n1:0.100.2');
    return { token: fromFile, recorded: null };
  }
  const read = readTraceFile(text);
  if (!read.ok) throw new UsageError('bad-trace-file', `${tokenOrFile} is not a trace file this irqcheck can read: ${read.reason}`, null, 'write one with irqcheck check MODEL.c --trace FILE');
  const file = read.file;
  const chosen = file.violations[violation - 1];
  if (chosen === undefined) {
    const has = file.violations.length === 0 ? `holds no violation (verdict ${file.verdict})` : `holds ${file.violations.length} violation${file.violations.length === 1 ? '' : 's'}`;
    throw new UsageError('bad-trace-file', `${tokenOrFile} ${has}; there is no violation ${violation} to replay`, null, file.violations.length === 0 ? null : `use --violation 1..${file.violations.length}`);
  }
  return {
    token: { config: file.config, path: chosen.path },
    recorded: { kind: chosen.kind, steps: chosen.trace, modelSha256: file.model.sha256 },
  };
}

/** Replays a request on `unit` (the model as it is now). */
export function replayRequested(unit: TranslationUnit, request: ReplayRequest): ReplayResult {
  const r = request.recorded;
  if (r === null) return replayModel(unit, request.token);
  return replayModel(unit, request.token, { kind: r.kind, steps: r.steps, modelChanged: sourceDigest(unit.sources.get(unit.file) ?? '') !== r.modelSha256 });
}

/** Collects what a state's expansion offers. */
class Offers implements SuccessorSink {
  readonly successors = new Map<number, Int32Array>();
  readonly violations = new Map<number, number>();
  readonly warnings = new Map<number, number>();
  successor(state: Int32Array, transition: number): boolean {
    this.successors.set(transition, Int32Array.from(state));
    return true;
  }
  violation(transition: number, code: number): boolean {
    this.violations.set(transition, code);
    return true;
  }
  warning(transition: number, code: number): void {
    if (!this.warnings.has(transition)) this.warnings.set(transition, code);
  }
}

const describeTransition = (t: number): string => {
  const c = transitionCpu(t);
  switch (transitionKind(t)) {
    case TransitionKind.STEP: return `CPU${c} steps`;
    case TransitionKind.NMI: return `CPU${c} takes its pending NMI`;
    case TransitionKind.IRQ: return `CPU${c} takes its highest pending vector`;
    case TransitionKind.WAKE: return `CPU${c} wakes to run its work`;
    case TransitionKind.EXTERNAL_NMI: return `an external NMI arrives at CPU${c}`;
    case TransitionKind.DEVICE_RAISE: return `device ${c} raises an interrupt`;
    case TransitionKind.TIME: return `time passes until CPU${c}'s wait runs out`;
    default: return `CPU${c}'s wait times out early`;
  }
};

type Recorded = Pick<TraceFileStep, 'cpu' | 'event' | 'file' | 'line' | 'text'>;

const describeStep = (s: Recorded): string => `${s.cpu === null ? 'env' : `CPU${s.cpu}`} ${s.event === 'step' ? '' : `${s.event} `}${s.line > 0 ? `${s.file}:${s.line} ` : ''}\`${s.text}\``;

/** The trace file's step `i` (0-based), described for a message. */
function recordedAt(expected: ReplayExpectation | undefined, i: number): string {
  const s = expected?.steps[i];
  return s === undefined ? '' : ` (the trace file has ${describeStep(s)} there)`;
}

const sameStep = (a: Recorded, b: Recorded): boolean => a.cpu === b.cpu && a.event === b.event && a.file === b.file && a.line === b.line && a.text === b.text;

/** Notes comparing a reproduced trace with the recorded one. */
function comparison(expected: ReplayExpectation | undefined, kind: string, trace: readonly TraceStep[]): string[] {
  if (expected === undefined) return [];
  const notes: string[] = [];
  if (expected.kind !== kind) notes.push(`note: the trace file recorded ${expected.kind}; the model now gives ${kind} on the same choices`);
  const j = trace.findIndex((s, i) => { const r = expected.steps[i]; return r === undefined || !sameStep(s, r); });
  if (j >= 0) {
    const r = expected.steps[j];
    notes.push(`note: from step ${j + 1} the model runs other code than the trace file recorded: ${r === undefined ? 'nothing' : describeStep(r)} then, ${describeStep(trace[j] as TraceStep)} now (the model was edited)`);
  } else if (expected.modelChanged) {
    notes.push('note: the model file was edited since the trace file was written, but every step runs the same lines');
  }
  return notes;
}

/**
 * Replays `token` on `unit`; with `expected` (from a trace file), compares
 * each step with the recorded one. A warning's token replays to the warning.
 */
export function replayModel(unit: TranslationUnit, token: ReplayToken, expected?: ReplayExpectation): ReplayResult {
  validateConfig(token.config, () => ({ loc: null, how: expected === undefined ? 'the replay token' : 'the trace file' }));
  const program = compileModel(unit, token.config);
  const system = machineFor(program, { strict: false, spuriousTimeouts: true, symmetry: false });
  let state: Int32Array = new Int32Array(system.stateSlots);
  system.writeInitialState(state);
  const path = token.path;
  const changed = expected?.modelChanged === true ? ' (the model file was edited since the trace file was written)' : '';
  for (let i = 0; i <= path.length; i++) {
    const offers = new Offers();
    system.expand(state, offers);
    if (i === path.length) {
      const code = offers.violations.get(-1);
      if (code === undefined) {
        const lines = [`replay: all ${path.length} steps replayed, but no violation happens at the end: the model has changed since the trace was found${changed}`];
        return { text: [...lines, ...departure(system, path, expected)].join('\n'), exitCode: 2 };
      }
      return reproduced(unit, system, { code, path, transition: -1 }, 'error', expected);
    }
    const t = path[i] as number;
    const code = offers.violations.get(t);
    if (code !== undefined) {
      if (i !== path.length - 1) {
        const lines = [`replay: at step ${i + 1}, ${describeTransition(t)} and hits ${violationKindName(kindOfFinding(code))} earlier than the trace: the model has changed${recordedAt(expected, i)}`];
        return { text: [...lines, ...departure(system, path.slice(0, i), expected)].join('\n'), exitCode: 1 };
      }
      return reproduced(unit, system, { code, path, transition: t }, 'error', expected);
    }
    const next = offers.successors.get(t);
    if (next === undefined) {
      const lines = [`replay: the model no longer follows the trace at step ${i + 1}: ${describeTransition(t)} is not possible there${recordedAt(expected, i)}${changed}`];
      return { text: [...lines, ...departure(system, path.slice(0, i), expected)].join('\n'), exitCode: 2 };
    }
    const warned = offers.warnings.get(t);
    if (i === path.length - 1 && warned !== undefined && isWarningKind(kindOfFinding(warned)) && offers.violations.get(-1) === undefined) {
      const after = new Offers();
      system.expand(next, after);
      if (after.violations.get(-1) === undefined) return reproduced(unit, system, { code: warned, path, transition: t }, 'warning', expected);
    }
    state = next;
  }
  return { text: 'replay: nothing to replay', exitCode: 2 };
}

/**
 * Where the replayed steps `path` (all possible) first run other code than
 * the trace file recorded, as a note; nothing without a trace file. Kludge:
 * the steps are described by rebuilding them as if they led to an
 * assertion, since `rebuildViolation` is the one describer of steps.
 */
function departure(system: ReturnType<typeof machineFor>, path: readonly number[], expected: ReplayExpectation | undefined): string[] {
  if (expected === undefined || path.length === 0) return [];
  const steps = rebuildViolation(system, { code: ViolationKind.ASSERTION, path, transition: -1 }, 'error').trace;
  return comparison({ ...expected, kind: 'assertion', modelChanged: false }, 'assertion', steps);
}

function reproduced(unit: TranslationUnit, system: ReturnType<typeof machineFor>, finding: Finding, severity: 'error' | 'warning', expected: ReplayExpectation | undefined): ReplayResult {
  const v = rebuildViolation(system, finding, severity, { withStates: true });
  const outcome = {
    file: unit.file,
    config: system.program.config,
    verdict: severity === 'error' ? ('violation' as const) : ('verified' as const),
    violations: [{ ...v, replay: encodeReplayToken(system.program.config, v.path) }],
    stats: { states: finding.path.length + 1, transitions: finding.path.length, depth: finding.path.length, seconds: 0, peakMemoryBytes: 0, bytesPerState: 0 },
    limit: null,
    strict: false,
  };
  const notes = comparison(expected, v.kind, v.trace);
  return {
    text: [`replay: reproduced ${v.kind}${severity === 'warning' ? ' (a warning)' : ''} in ${finding.path.length} step${finding.path.length === 1 ? '' : 's'}`, ...notes, renderText(outcome, { width: process.stdout.columns ?? 120 })].join('\n'),
    exitCode: 1,
  };
}
