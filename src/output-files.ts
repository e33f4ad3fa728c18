/**
 * The files `check` writes besides its report (`--trace`, `--html`,
 * `--sarif`) and `irqcheck view`. Wiring only: the formats are report's;
 * this reads and writes files and chooses which outcome of a sweep goes
 * into a trace file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from './lang/index.js';
import { readTraceFile, renderHtml, toSarif, toTraceFile, type CheckOutcome, type TraceFile, type TraceFileOptions } from './report/index.js';

/** irqcheck's version, from its package.json (one level above `src/` and `dist/`). */
export const IRQCHECK_VERSION: string = ((): string => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // Not installed as a package (bundled): no version to tell.
  }
  return '0.0.0';
})();

/** Where check writes its extra outputs; each is optional. */
export interface OutputFiles {
  readonly trace?: string;
  readonly html?: string;
  readonly sarif?: string;
}

/** The outcome a trace file holds for a sweep: the first violation, else the first with warnings, else the first. */
export function outcomeForTrace(outcomes: readonly CheckOutcome[]): CheckOutcome | undefined {
  return outcomes.find((o) => o.verdict === 'violation') ?? outcomes.find((o) => o.violations.length > 0) ?? outcomes[0];
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new UsageError('cannot-write', `cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`, null, 'check the folder exists and is writable');
  }
}

/**
 * Writes the requested files for a check's outcomes and returns one line
 * per file written, for the user. `sources` are the model's source texts.
 */
export function writeOutputFiles(files: OutputFiles, outcomes: readonly CheckOutcome[], sources: ReadonlyMap<string, string>, options: TraceFileOptions): string[] {
  const said: string[] = [];
  const chosen = outcomeForTrace(outcomes);
  if (chosen !== undefined && (files.trace !== undefined || files.html !== undefined)) {
    const trace = toTraceFile(chosen, { irqcheckVersion: IRQCHECK_VERSION, options, sources });
    if (files.trace !== undefined) {
      write(files.trace, `${JSON.stringify(trace)}\n`);
      said.push(`trace: ${files.trace} (replay it with: npx irqcheck replay ${chosen.file} ${files.trace}; view it with: npx irqcheck view ${files.trace})`);
    }
    if (files.html !== undefined) {
      write(files.html, renderHtml(trace));
      said.push(`html: ${files.html} (open it in a browser)`);
    }
  }
  if (files.sarif !== undefined) {
    write(files.sarif, `${JSON.stringify(toSarif(outcomes, { toolVersion: IRQCHECK_VERSION }), null, 2)}\n`);
    said.push(`sarif: ${files.sarif}`);
  }
  return said;
}

/** Reads a trace file, or throws a `UsageError` saying why it cannot. */
export function loadTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError('bad-trace-file', `cannot read the trace file ${path}`, null, 'write one with irqcheck check MODEL.c --trace FILE');
  }
  const read = readTraceFile(text);
  if (!read.ok) throw new UsageError('bad-trace-file', `${path} is not a trace file this irqcheck can read: ${read.reason}`, null, 'write one with irqcheck check MODEL.c --trace FILE');
  return read.file;
}

/** `irqcheck view`: the HTML page of a trace file, written to `output` (default: beside it, `.html`). Returns the path written. */
export function viewTraceFile(path: string, output?: string): string {
  const out = output ?? `${path.replace(/\.json$/i, '')}.html`;
  write(out, renderHtml(loadTraceFile(path)));
  return out;
}
