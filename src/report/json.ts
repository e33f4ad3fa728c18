/**
 * `--json`: exactly the documented top-level fields (docs/json-schema.md,
 * schema version 1): verdict, violations, stats, config.
 */
import type { CheckOutcome } from './outcome.js';

export interface JsonTraceStep {
  readonly step: number;
  readonly cpu?: number;
  readonly env?: true;
  readonly event: string;
  readonly context: string;
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly note?: string;
}

export interface JsonReport {
  readonly verdict: CheckOutcome['verdict'];
  readonly violations: readonly {
    readonly kind: string;
    readonly severity: 'error' | 'warning';
    readonly message: string;
    readonly cpu: number | null;
    readonly location: { readonly file: string; readonly line: number };
    readonly trace: readonly JsonTraceStep[];
    readonly replay: string;
  }[];
  readonly stats: { readonly states: number; readonly transitions: number; readonly seconds: number; readonly peakMemoryBytes: number };
  readonly config: {
    readonly cpus: number;
    readonly smt: number;
    readonly nmis: number;
    /** Symmetry reduction: whether it was used, and the note saying so or why not (absent when turned off). */
    readonly symmetry?: { readonly reduced: boolean; readonly note: string };
  };
}

export function toJson(o: CheckOutcome): JsonReport {
  return {
    verdict: o.verdict,
    violations: o.violations.map((v) => ({
      kind: v.kind,
      severity: v.severity,
      message: v.message,
      cpu: v.cpu,
      location: { file: v.location.file, line: v.location.line },
      trace: v.trace.map((s) => ({
        step: s.index,
        ...(s.cpu === null ? { env: true as const } : { cpu: s.cpu }),
        event: s.event,
        context: s.context,
        file: s.file,
        line: s.line,
        text: s.text,
        ...(s.note === null ? {} : { note: s.note }),
      })),
      replay: v.replay,
    })),
    stats: {
      states: o.stats.states,
      transitions: o.stats.transitions,
      seconds: Math.round(o.stats.seconds * 1000) / 1000,
      peakMemoryBytes: o.stats.peakMemoryBytes,
    },
    config: {
      cpus: o.config.cpus,
      smt: o.config.smt,
      nmis: o.config.nmis,
      ...(o.symmetry === undefined || o.symmetry === null ? {} : { symmetry: { reduced: o.symmetry.reduced, note: o.symmetry.note } }),
    },
  };
}

/** A JSON report for a model that could not be checked (exit 2): the diagnostic as the one entry. */
export function errorJson(config: { cpus: number; smt: number; nmis: number } | null, message: string, location: { file: string; line: number } | null): JsonReport {
  return {
    verdict: 'error',
    violations: [{ kind: 'error', severity: 'error', message, cpu: null, location: location ?? { file: '', line: 0 }, trace: [], replay: '' }],
    stats: { states: 0, transitions: 0, seconds: 0, peakMemoryBytes: 0 },
    config: config ?? { cpus: 0, smt: 0, nmis: 0 },
  };
}
