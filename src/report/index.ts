/**
 * report: a check's outcome rendered for people and tools — the terminal
 * report with per-CPU timelines, and `--json`.
 *
 * Takes: `CheckOutcome`s (violations with traces, statistics). Gives: text
 * and JSON. Must not know: how the engine found them.
 */
export type { CheckOutcome, ReportedViolation, VerdictName } from './outcome.js';
export { renderText, renderTimeline, summaryLine } from './text.js';
export type { TextOptions } from './text.js';
export { toJson, errorJson } from './json.js';
export type { JsonReport, JsonTraceStep } from './json.js';
