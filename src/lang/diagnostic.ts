/**
 * A user's mistake, located and explained: every stage that validates input
 * (lang, compile, the CLI) throws one of these; only the CLI catches them and
 * turns them into exit code 2 with `formatDiagnostic`.
 */
import type { SourceLoc } from './ast.js';

/** What went wrong, where, and what to try. */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `parse-error`, `unknown-function`. */
  readonly code: string;
  readonly message: string;
  readonly hint: string | null;
  /** Absent only for errors that belong to no file (a bad flag). */
  readonly loc: SourceLoc | null;
  /** How many columns the caret underline spans (at least 1). */
  readonly length: number;
}

/** Base of every user-facing error; carries its diagnostic. */
export class IrqcheckError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(code: string, message: string, loc: SourceLoc | null, hint: string | null = null, length = 1) {
    super(message);
    this.name = new.target.name;
    this.diagnostic = { code, message, hint, loc, length: Math.max(1, length) };
  }
}

/** The text is not C irqcheck can parse. */
export class ParseError extends IrqcheckError {}

/** Valid C, but a construct or API irqcheck does not model. */
export class UnsupportedError extends IrqcheckError {}

/** A model that is well-formed C but wrong as a model (types, names, config). */
export class ModelError extends IrqcheckError {}

/** A bad command line. */
export class UsageError extends IrqcheckError {}

/**
 * Renders a diagnostic as `file:line:col: error: message`, the source line
 * with a caret under the column, and the hint.
 */
export function formatDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  if (d.loc === null) {
    lines.push(`irqcheck: error: ${d.message}`);
  } else {
    lines.push(`${d.loc.file}:${d.loc.line}:${d.loc.col}: error: ${d.message}`);
    const text = sources.get(d.loc.file);
    const sourceLine = text?.split('\n')[d.loc.line - 1];
    if (sourceLine !== undefined) {
      const gutter = String(d.loc.line);
      const shown = sourceLine.replace(/\t/g, ' ');
      lines.push(`  ${gutter} | ${shown}`);
      const pad = ' '.repeat(Math.max(0, d.loc.col - 1));
      lines.push(`  ${' '.repeat(gutter.length)} | ${pad}${'^'.repeat(d.length)}`);
    }
  }
  if (d.hint !== null) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}
