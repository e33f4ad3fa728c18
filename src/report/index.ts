/**
 * report: a check's outcome rendered for people and tools — the terminal
 * report with per-CPU timelines, `--json`, trace files (`--trace`, read
 * back by replay and view), the HTML viewer (`--html`, `view`), SARIF
 * (`--sarif`), and the live progress line with its estimate.
 *
 * Takes: `CheckOutcome`s (violations with traces, statistics) and trace
 * files. Gives: text, JSON, HTML and SARIF. Must not know: how the engine
 * found them.
 */
export type { CheckOutcome, ReportedViolation, VerdictName } from './outcome.js';
export { renderText, summaryLine } from './text.js';
export { renderTimeline, MIN_COLUMN_WIDTH } from './timeline.js';
export type { TextOptions } from './text.js';
export { elideSteps, MIN_ELIDED_RUN } from './elide.js';
export type { TimelineRow } from './elide.js';
export { toJson, errorJson } from './json.js';
export type { JsonReport, JsonTraceStep } from './json.js';
export { toTraceFile, sourceDigest, TRACE_FILE_FORMAT, TRACE_FILE_VERSION } from './trace-file.js';
export type { TraceFile, TraceFileContext, TraceFileOptions, TraceFileStep, TraceFileViolation } from './trace-file.js';
export { readTraceFile } from './trace-file-read.js';
export type { TraceFileRead } from './trace-file-read.js';
export { renderHtml, escapeHtml, scriptJson } from './html.js';
export { viewerData } from './html-data.js';
export type { ViewerData, ViewerStep, ViewerViolation } from './html-data.js';
export { arrowsOf, lanesOf, laneOf } from './html-lanes.js';
export type { Arrow, Lane } from './html-lanes.js';
export { stateRows } from './html-state-rows.js';
export type { StateRow } from './html-state-rows.js';
export { toSarif, fileUri } from './sarif.js';
export type { SarifLog, SarifOptions, SarifResult, SarifLocation } from './sarif.js';
export { RULE_DESCRIPTIONS, ruleDescription } from './sarif-rules.js';
export { ProgressEstimator, formatProgress, shortCount, duration } from './progress-line.js';
export type { SearchEstimate } from './progress-line.js';
