/**
 * The terminal timeline of a trace, fitted to the terminal's width: a
 * column per CPU that acts plus one for the environment, the way kernel
 * developers draw interleavings in their mails; or, when the columns would
 * be too narrow to read, one line per step naming who acts, indented by
 * interrupt nesting. Interrupt entries are marked `⇒`, returns `⇐ IRET`;
 * long uneventful runs of one CPU fold into a row `… N steps of <api>`
 * (elide.ts).
 */
import type { StateView, TraceStep } from '../machine/index.js';
import { elideSteps, type TimelineRow } from './elide.js';

/** Columns narrower than this switch the timeline to one line per step. */
export const MIN_COLUMN_WIDTH = 20;

/** Truncates `s` to `w` columns, marking the cut with `…`. */
const fit = (s: string, w: number): string => (s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s);

const isEntry = (s: TraceStep): boolean => s.event === 'nmi-taken' || s.event === 'irq-taken';
const iretOf = (s: TraceStep): string => (s.note !== null && s.note.includes('IRET') ? ' ⇐ IRET' : '');

/** What a CPU's step says in its cell: the context marker, or the entry marker for an interrupt taken. */
function body(s: TraceStep): string {
  if (s.event !== 'step') return `${isEntry(s) ? '⇒ ' : ''}${s.text}`;
  return `${s.context === 'exception' ? '[#BP] ' : s.context === 'nmi' ? '[NMI] ' : s.context === 'irq' ? '[IRQ] ' : ''}${s.text}`;
}

const stepLabel = (r: TimelineRow): string => (r.kind === 'elided' ? `${r.first.index}-${r.last.index}` : String(r.step.index));

/**
 * The trace as lines that fit `width` columns (see the module comment).
 * `states`, the trace's machine states if recorded (index 0 before step
 * 1), make the folding of uneventful runs exact.
 */
export function renderTimeline(trace: readonly TraceStep[], width: number, states?: readonly StateView[]): string[] {
  const cpus = [...new Set(trace.filter((s) => s.cpu !== null).map((s) => s.cpu as number))].sort((a, b) => a - b);
  const hasEnv = trace.some((s) => s.cpu === null);
  const rows = elideSteps(trace, states);
  const stepW = Math.max(5, ...rows.map((r) => stepLabel(r).length));
  const envW = hasEnv ? (width < 100 ? 14 : 18) : 0;
  const columns = Math.max(1, cpus.length);
  const colW = Math.min(48, Math.floor((width - stepW - 2 - (hasEnv ? envW + 2 : 0)) / columns) - 2);
  return colW < MIN_COLUMN_WIDTH ? listLayout(rows, width, stepW) : columnLayout(rows, width, { cpus, hasEnv, stepW, envW, colW });
}

/** One column per CPU, one for the environment. */
function columnLayout(rows: readonly TimelineRow[], width: number, g: { cpus: readonly number[]; hasEnv: boolean; stepW: number; envW: number; colW: number }): string[] {
  const { cpus, stepW, envW, colW } = g;
  const pad = (s: string, w: number): string => fit(s, w).padEnd(w);
  const cell = (text: string, loc: string): string => `${pad(text, colW - loc.length)}${loc}`;
  const indent = (cpu: number): string => ' '.repeat(cpus.indexOf(cpu) * (colW + 2));
  const out = [[' step'.padStart(stepW), ...cpus.map((c) => pad(`CPU${c}`, colW)), g.hasEnv ? pad('env', envW) : ''].join('  ').trimEnd()];
  const line = (index: string, cells: string[], env: string): void => {
    out.push([index.padStart(stepW), ...cells, env].join('  ').trimEnd());
  };
  const note = (at: string, text: string): void => {
    out.push(fit(`${''.padStart(stepW)}  ${at}  ↳ ${text}`.trimEnd(), Math.max(width, 40)));
  };
  for (const r of rows) {
    const cells = cpus.map(() => ''.padEnd(colW));
    if (r.kind === 'elided') {
      cells[cpus.indexOf(r.cpu)] = cell(`… ${r.count} steps of ${r.label}`, r.line === null || r.line <= 0 ? '' : ` :${r.line}`);
      line(stepLabel(r), cells, '');
      continue;
    }
    const s = r.step;
    if (s.cpu === null) {
      line(String(s.index), cells, pad(s.text, envW));
      // Under the env column when it fits, else as far right as it does.
      if (s.note !== null) note(' '.repeat(Math.max(0, Math.min(cpus.length * (colW + 2) - 2, width - stepW - 6 - s.note.length))), s.note);
      continue;
    }
    cells[cpus.indexOf(s.cpu)] = cell(body(s), `${iretOf(s)}${s.line > 0 ? ` :${s.line}` : ''}`);
    line(String(s.index), cells, '');
    if (s.note !== null && s.event === 'step') note(indent(s.cpu), s.note);
  }
  return out;
}

/** One line per step: who acts, the line, then what, indented by interrupt nesting; for terminals too narrow for columns. */
function listLayout(rows: readonly TimelineRow[], width: number, stepW: number): string[] {
  const who = (cpu: number | null): string => (cpu === null ? 'env' : `CPU${cpu}`).padEnd(5);
  const at = (line: number | null): string => (line === null || line <= 0 ? '' : `:${line}`).padStart(5);
  const room = Math.max(20, width);
  const out = [fit(`${' step'.padStart(stepW)}  who     line  what`, room)];
  for (const r of rows) {
    if (r.kind === 'elided') {
      out.push(fit(`${stepLabel(r).padStart(stepW)}  ${who(r.cpu)}  ${at(r.line)}  ${'  '.repeat(r.first.depth)}… ${r.count} steps of ${r.label}`, room));
      continue;
    }
    const s = r.step;
    const nest = '  '.repeat(s.depth);
    out.push(fit(`${String(s.index).padStart(stepW)}  ${who(s.cpu)}  ${at(s.line)}  ${nest}${body(s)}${iretOf(s)}`, room));
    if (s.note !== null) out.push(fit(`${''.padStart(stepW)}  ${''.padEnd(5)}  ${''.padStart(5)}  ${nest}  ↳ ${s.note}`, room));
  }
  return out;
}
