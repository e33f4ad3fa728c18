/**
 * The terminal report: a header, the statistics, the verdict and, for a
 * violation, the shortest trace as per-CPU columns with source lines (the
 * timelines kernel developers draw in their mails).
 */
import type { TraceStep } from '../machine/index.js';
import type { CheckOutcome, ReportedViolation } from './outcome.js';

export interface TextOptions {
  /** Terminal width in columns. */
  readonly width: number;
}

const int = (n: number): string => n.toLocaleString('en-US');

/** The one-line summary used for sweeps and the header. */
export function summaryLine(o: CheckOutcome): string {
  const cfg = `cpus=${o.config.cpus} smt=${o.config.smt} nmis=${o.config.nmis}`;
  const what = o.verdict === 'violation' ? `VIOLATION ${o.violations[0]?.kind ?? ''}` : o.verdict === 'incomplete' ? `INCOMPLETE (${o.limit ?? 'limit'} limit reached)` : 'verified';
  return `${cfg}  ${what}  ${int(o.stats.states)} states, ${int(o.stats.transitions)} transitions, ${o.stats.seconds.toFixed(2)} s`;
}

export function renderText(o: CheckOutcome, options: TextOptions): string {
  const out: string[] = [];
  out.push(`irqcheck: ${o.file}  cpus=${o.config.cpus} smt=${o.config.smt} nmis=${o.config.nmis}${o.strict ? '  (strict)' : ''}`);
  out.push(`explored ${int(o.stats.states)} states (${int(o.stats.transitions)} transitions) in ${o.stats.seconds.toFixed(2)} s`);
  const errors = o.violations.filter((v) => v.severity === 'error');
  const warnings = o.violations.filter((v) => v.severity === 'warning');
  if (o.verdict === 'verified') out.push('VERIFIED for this configuration: no violation in any interleaving or interrupt arrival');
  if (o.verdict === 'incomplete') {
    out.push(`INCOMPLETE: the ${o.limit ?? ''} limit was reached before the search finished; nothing was found in the ${int(o.stats.states)} states explored (depth ${o.stats.depth})`);
  }
  for (const v of errors) out.push('', ...renderViolation(o.file, v, 'VIOLATION', options));
  for (const v of warnings) out.push('', ...renderViolation(o.file, v, 'WARNING', options));
  return out.join('\n');
}

function renderViolation(file: string, v: ReportedViolation, label: string, options: TextOptions): string[] {
  const lines = [`${label}  ${v.kind}  at ${v.location.file}:${v.location.line}`];
  for (const l of v.message.split('\n')) lines.push(`  ${l}`);
  lines.push('', ...renderTimeline(v.trace, options.width));
  lines.push('', `replay: npx irqcheck replay ${file} ${v.replay}`);
  return lines;
}

/** The trace as a table: a column per CPU that acts, plus one for the environment. */
export function renderTimeline(trace: readonly TraceStep[], width: number): string[] {
  const cpus = [...new Set(trace.filter((s) => s.cpu !== null).map((s) => s.cpu as number))].sort((a, b) => a - b);
  const hasEnv = trace.some((s) => s.cpu === null);
  const stepW = 5;
  const envW = hasEnv ? 18 : 0;
  const columns = Math.max(1, cpus.length);
  const colW = Math.max(16, Math.min(48, Math.floor((width - stepW - 2 - envW) / columns) - 1));
  const pad = (s: string, w: number): string => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const header = [' step'.padStart(stepW), ...cpus.map((c) => pad(`CPU${c}`, colW)), hasEnv ? pad('env', envW) : ''].join('  ');
  const rows = [header.trimEnd()];
  for (const s of trace) {
    const cells = cpus.map(() => ''.padEnd(colW));
    let env = '';
    if (s.cpu === null) env = pad(s.text, envW);
    else {
      const marker = s.context === 'nmi' || s.event === 'nmi-taken' ? '[NMI] ' : s.context === 'irq' ? '[IRQ] ' : '';
      const loc = s.line > 0 ? ` :${s.line}` : '';
      const body = s.event === 'step' ? `${marker}${s.text}` : s.text;
      const room = colW - loc.length;
      cells[cpus.indexOf(s.cpu)] = `${pad(body, room)}${loc}`;
    }
    rows.push([String(s.index).padStart(stepW), ...cells, env].join('  ').trimEnd());
    if (s.note !== null && s.event === 'step') rows.push(`${''.padStart(stepW)}  ${' '.repeat((cpus.indexOf(s.cpu as number)) * (colW + 2))}  ↳ ${s.note}`.trimEnd());
    if (s.note !== null && s.cpu === null) rows.push(`${''.padStart(stepW)}  ${' '.repeat(cpus.length * (colW + 2))}↳ ${s.note}`);
  }
  return rows;
}

