/**
 * The terminal report: a header, the statistics, the verdict and, for a
 * violation, the shortest trace as per-CPU columns with source lines (the
 * timelines kernel developers draw in their mails).
 */
import type { CheckOutcome, ReportedViolation } from './outcome.js';
import { renderTimeline } from './timeline.js';

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
  // A configuration too small for symmetry says nothing worth a line (the JSON still has it).
  if (o.symmetry !== undefined && o.symmetry !== null && o.symmetry.trivial !== true) out.push(`note: ${o.symmetry.note}`);
  if (o.partialOrderNote !== undefined && o.partialOrderNote !== null) out.push(`note: ${o.partialOrderNote}`);
  const collision = o.stats.collisionProbability ?? 0;
  // As TLC reports it, and only when it is worth a glance (see collisionProbability in check/hash64.ts).
  const collisionNote = collision > 1e-9 ? `; fingerprint collision probability ${collision.toExponential(1)}` : '';
  out.push(`explored ${int(o.stats.states)} states (${int(o.stats.transitions)} transitions) in ${o.stats.seconds.toFixed(2)} s${collisionNote}`);
  const errors = o.violations.filter((v) => v.severity === 'error');
  const warnings = o.violations.filter((v) => v.severity === 'warning');
  if (o.verdict === 'verified') out.push('VERIFIED for this configuration: no violation in any interleaving or interrupt arrival');
  if (o.verdict === 'incomplete') {
    const why = o.limit === 'interrupted' ? 'interrupted (Ctrl-C) before the search finished' : `the ${o.limit ?? ''} limit was reached before the search finished`;
    out.push(`INCOMPLETE: ${why}; nothing was found in the ${int(o.stats.states)} states explored (depth ${o.stats.depth})`);
  }
  for (const v of errors) out.push('', ...renderViolation(o.file, v, 'VIOLATION', options));
  for (const v of warnings) out.push('', ...renderViolation(o.file, v, 'WARNING', options));
  return out.join('\n');
}

function renderViolation(file: string, v: ReportedViolation, label: string, options: TextOptions): string[] {
  const lines = [`${label}  ${v.kind}  at ${v.location.file}:${v.location.line}`];
  for (const l of v.message.split('\n')) lines.push(`  ${l}`);
  lines.push('', ...renderTimeline(v.trace, options.width, v.states));
  lines.push('', `replay: npx irqcheck replay ${file} ${v.replay}`);
  return lines;
}
