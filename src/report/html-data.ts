/**
 * What the HTML viewer embeds: a trace file reduced to what the page draws
 * (lanes, steps, arrows, the state panel's rows at each step, the sources
 * the steps point into). Everything is computed here, typed; the page's
 * script only lays it out.
 */
import { arrowsOf, laneOf, lanesOf, type Arrow, type Lane } from './html-lanes.js';
import { stateRows, type StateRow } from './html-state-rows.js';
import type { TraceFile, TraceFileStep, TraceFileViolation } from './trace-file.js';

/** A step as the viewer draws it. */
export interface ViewerStep {
  readonly step: number;
  readonly lane: string;
  readonly event: TraceFileStep['event'];
  readonly context: TraceFileStep['context'];
  readonly depth: number;
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly note: string | null;
}

/** One violation as the viewer shows it. */
export interface ViewerViolation {
  readonly kind: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly cpu: number | null;
  readonly location: { readonly file: string; readonly line: number };
  readonly replay: string;
  readonly lanes: readonly Lane[];
  readonly steps: readonly ViewerStep[];
  readonly arrows: readonly Arrow[];
  /** The state panel's rows before step 1 (index 0) and after each step; empty if the file has no states. */
  readonly states: readonly (readonly StateRow[])[];
}

/** Everything the page embeds. */
export interface ViewerData {
  readonly model: string;
  readonly config: string;
  readonly verdict: string;
  readonly stats: string;
  readonly violations: readonly ViewerViolation[];
  readonly sources: Readonly<Record<string, string>>;
}

function viewerViolation(v: TraceFileViolation): ViewerViolation {
  return {
    kind: v.kind,
    severity: v.severity,
    message: v.message,
    cpu: v.cpu,
    location: v.location,
    replay: v.replay,
    lanes: lanesOf(v.trace),
    steps: v.trace.map((s) => ({ step: s.step, lane: laneOf(s), event: s.event, context: s.context, depth: s.depth, file: s.file, line: s.line, text: s.text, note: s.note })),
    arrows: arrowsOf(v.trace, v.states),
    states: v.states.map(stateRows),
  };
}

/** The viewer's data for a trace file. */
export function viewerData(t: TraceFile): ViewerData {
  const c = t.config;
  return {
    model: t.model.file,
    config: `cpus=${c.cpus} smt=${c.smt} nmis=${c.nmis}${t.options.strict ? ' strict' : ''}${t.options.spuriousTimeouts ? ' spurious-timeouts' : ''} (${t.options.search.toUpperCase()})`,
    verdict: t.verdict,
    stats: `${t.stats.states.toLocaleString('en-US')} states, ${t.stats.transitions.toLocaleString('en-US')} transitions, ${t.stats.seconds.toFixed(2)} s`,
    violations: t.violations.map(viewerViolation),
    sources: t.sources,
  };
}
