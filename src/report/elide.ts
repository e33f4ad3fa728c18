/**
 * Which trace steps the terminal timeline folds into one row: runs of more
 * than `MIN_ELIDED_RUN` consecutive steps of one CPU, in one context, that
 * are either kernel-internal bookkeeping (`stop_machine: ...`,
 * `nmi_handle: ...`) or the same model line again (a model call running
 * through the prelude), and in which nothing another CPU can read changes.
 *
 * With the machine states of the trace, "nothing another CPU can read" is
 * exact: the model's globals, the devices, every CPU's interrupt state
 * (IF, NMI blocked or latched, IRR/ISR, MSR in flight) and the
 * environment are the same before and after the step; only the acting
 * CPU's locals and position may change. Without states, only
 * kernel-internal steps fold (their state is the prelude's own). Steps
 * whose note says something (a printk, an MSR access beginning or ending,
 * an IRET, a CPU going idle) always show, and so do the trace's first and
 * last steps.
 */
import type { StateView, TraceStep } from '../machine/index.js';

/** Runs up to this long are shown step by step. */
export const MIN_ELIDED_RUN = 3;

/** A row of the timeline: a step, or a folded run of steps of one CPU. */
export type TimelineRow =
  | { readonly kind: 'step'; readonly step: TraceStep }
  | { readonly kind: 'elided'; readonly cpu: number; readonly first: TraceStep; readonly last: TraceStep; readonly count: number; readonly label: string; readonly line: number | null };

/** Kernel-internal statements are shown as `api: statement`. */
const KERNEL_TEXT = /^([A-Za-z_]\w*): /;
/** Notes that say something another CPU may see: they keep a step visible. */
const TELLING_NOTE = /printk:|begins |ends |IRET|returns; CPU idle/;

/** What other CPUs can observe of a state: everything but the frames (locals and positions). */
function observable(v: StateView): string {
  return JSON.stringify([v.globals, v.devices, v.env, v.cpus.map((c) => ({ ...c, frames: null }))]);
}

/** Whether step `s` may be folded, given the states around it (if known). */
function foldable(s: TraceStep, first: number, last: number, states: readonly StateView[] | undefined): boolean {
  if (s.event !== 'step' || s.cpu === null || s.index === first || s.index === last) return false;
  if (s.note !== null && TELLING_NOTE.test(s.note)) return false;
  const before = states?.[s.index - 1];
  const after = states?.[s.index];
  if (before === undefined || after === undefined) return KERNEL_TEXT.test(s.text);
  return observable(before) === observable(after);
}

/** Steps that belong to one run: the API for kernel-internal text, else the model line itself. */
function runKey(s: TraceStep): string {
  const api = KERNEL_TEXT.exec(s.text);
  return `${s.cpu}|${s.context}|${s.depth}|${api === null ? `line ${s.line}: ${s.text}` : `api ${api[1]}`}`;
}

function label(run: readonly TraceStep[]): string {
  const head = run[0] as TraceStep;
  const api = KERNEL_TEXT.exec(head.text) ?? (head.note === null ? null : KERNEL_TEXT.exec(head.note));
  return api?.[1] ?? (head.fn === '' ? 'the same line' : head.fn);
}

/**
 * The timeline's rows for `trace`, folding long uneventful runs (see the
 * module comment). `states`, when given, holds the state before step 1 at
 * index 0 and after step k at index k.
 */
export function elideSteps(trace: readonly TraceStep[], states?: readonly StateView[]): TimelineRow[] {
  const quiet = trace.map((s) => foldable(s, trace[0]?.index ?? 0, trace[trace.length - 1]?.index ?? 0, states));
  const rows: TimelineRow[] = [];
  let i = 0;
  while (i < trace.length) {
    const s = trace[i] as TraceStep;
    let j = i;
    if (quiet[i] === true) {
      const key = runKey(s);
      while (j + 1 < trace.length && quiet[j + 1] === true && runKey(trace[j + 1] as TraceStep) === key) j++;
    }
    const count = j - i + 1;
    if (count > MIN_ELIDED_RUN) {
      const run = trace.slice(i, j + 1);
      const lines = new Set(run.map((x) => x.line));
      rows.push({ kind: 'elided', cpu: s.cpu as number, first: s, last: trace[j] as TraceStep, count, label: label(run), line: lines.size === 1 ? s.line : null });
    } else {
      for (let k = i; k <= j; k++) rows.push({ kind: 'step', step: trace[k] as TraceStep });
    }
    i = j + 1;
  }
  return rows;
}
