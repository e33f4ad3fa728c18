#!/usr/bin/env node
/**
 * The command line: parses flags, runs the pipeline for each configuration,
 * prints the report, and exits 0 (verified), 1 (violation), 2 (the model or
 * the command is wrong), 3 (a limit stopped the search). Only wiring.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { Progress } from './check/index.js';
import type { ModelConfig } from './compile/index.js';
import { formatDiagnostic, IrqcheckError, UsageError, type TranslationUnit } from './lang/index.js';
import { checkInWorker, StopFlag, type WorkerSettings } from './check-in-worker.js';
import { viewTraceFile, writeOutputFiles } from './output-files.js';
import { checkModelParallel, configFor, defaultWorkers, loadModel } from './pipeline.js';
import { errorJson, formatProgress, ProgressEstimator, renderText, summaryLine, toJson, type CheckOutcome } from './report/index.js';
import { replayRequest, replayRequested } from './replay.js';

export const ExitCode = { VERIFIED: 0, VIOLATION: 1, ERROR: 2, INCOMPLETE: 3 } as const;

interface CheckFlags {
  cpus?: readonly number[];
  smt?: number;
  nmis?: readonly number[];
  json?: boolean;
  strict?: boolean;
  spuriousTimeouts?: boolean;
  dfs?: boolean;
  maxStates?: number;
  maxMemory?: number;
  timeLimit?: number;
  progress?: boolean;
  trace?: string;
  html?: string;
  sarif?: string;
  workers?: number;
  /** False with --no-por. */
  por?: boolean;
  /** False with --no-symmetry. */
  symmetry?: boolean;
}

/** `4` or `2..8` → the list of values. */
function range(value: string): number[] {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError('expected a number or a range like 2..8');
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (hi < lo) throw new InvalidArgumentError(`the range ${value} is empty`);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function count(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** `512M`, `2G`, `1000000` → bytes. */
function bytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]i?[bB]?)?$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError('expected a size like 512M or 2G');
  const unit = (m[2] ?? '').toUpperCase()[0];
  const scale = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * scale);
}

function seconds(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return v;
}

function exitCodeOf(outcomes: readonly CheckOutcome[]): number {
  if (outcomes.some((o) => o.verdict === 'violation')) return ExitCode.VIOLATION;
  if (outcomes.some((o) => o.verdict === 'incomplete')) return ExitCode.INCOMPLETE;
  return ExitCode.VERIFIED;
}

/** A live progress line on stderr for searches longer than a second, with the estimate once there is one. */
function progressPrinter(enabled: boolean): { onProgress: (p: Progress) => void; done: () => void } {
  let shown = false;
  let estimator = new ProgressEstimator();
  return {
    onProgress: (p) => {
      const estimate = estimator.observe(p);
      if (!enabled || p.seconds < 1) return;
      shown = true;
      const line = `  ${formatProgress(p, estimate)}`;
      const width = process.stderr.columns ?? 120;
      process.stderr.write(`\r${line.length >= width ? `${line.slice(0, width - 2)}…` : line}\x1b[K`);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
      estimator = new ProgressEstimator();
    },
  };
}

async function runCheck(file: string, flags: CheckFlags): Promise<number> {
  const unit = await loadModel(file);
  const cpusList = flags.cpus ?? [undefined];
  const nmisList = flags.nmis ?? [undefined];
  let interrupted = false;
  const stop = new StopFlag();
  const onSigint = (): void => {
    // A second Ctrl-C does not wait for the search to wind down.
    if (interrupted) process.exit(130);
    interrupted = true;
    stop.raise();
  };
  process.on('SIGINT', onSigint);
  const progress = progressPrinter(flags.progress !== false && process.stderr.isTTY === true);
  const settings: WorkerSettings = {
    traceStates: true,
    strict: flags.strict === true,
    spuriousTimeouts: flags.spuriousTimeouts === true,
    search: flags.dfs === true ? 'dfs' : 'bfs',
    partialOrder: flags.por !== false,
    symmetry: flags.symmetry !== false,
    limits: {
      ...(flags.maxStates === undefined ? {} : { maxStates: flags.maxStates }),
      ...(flags.maxMemory === undefined ? {} : { maxMemoryBytes: flags.maxMemory }),
      ...(flags.timeLimit === undefined ? {} : { timeLimitMs: flags.timeLimit * 1000 }),
    },
  };
  const outcomes: CheckOutcome[] = [];
  const sweep = cpusList.length * nmisList.length > 1;
  try {
    for (const cpus of cpusList) {
      for (const nmis of nmisList) {
        const config = configFor(unit, { ...(cpus === undefined ? {} : { cpus }), ...(flags.smt === undefined ? {} : { smt: flags.smt }), ...(nmis === undefined ? {} : { nmis }) });
        const workers = flags.workers ?? defaultWorkers(unit, config, settings);
        const outcome = workers > 1 && settings.search === 'bfs'
          ? await checkModelParallel(unit, config, { ...settings, onProgress: progress.onProgress, shouldStop: () => stop.raised }, workers)
          : await checkInWorker(unit, config, settings, stop, progress.onProgress);
        progress.done();
        outcomes.push(outcome);
        if (!flags.json) process.stdout.write(`${sweep ? summaryLine(outcome) : renderText(outcome, { width: process.stdout.columns ?? 120 })}\n`);
        if (interrupted) break;
      }
      if (interrupted) break;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (flags.json) {
    const json = sweep ? outcomes.map(toJson) : toJson(outcomes[0] as CheckOutcome);
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else if (sweep) {
    const failing = outcomes.find((o) => o.verdict === 'violation');
    if (failing !== undefined) process.stdout.write(`\nfirst violation (cpus=${failing.config.cpus} nmis=${failing.config.nmis}):\n${renderText(failing, { width: process.stdout.columns ?? 120 })}\n`);
  }
  const written = writeOutputFiles(flags, outcomes, unit.sources, { strict: settings.strict, spuriousTimeouts: settings.spuriousTimeouts, search: settings.search });
  if (written.length > 0) (flags.json ? process.stderr : process.stdout).write(`${written.join('\n')}\n`);
  return exitCodeOf(outcomes);
}

async function runReplay(file: string, tokenOrFile: string, flags: { violation?: number }): Promise<number> {
  const request = replayRequest(tokenOrFile, flags.violation ?? 1);
  const unit = await loadModel(file);
  const result = replayRequested(unit, request);
  process.stdout.write(`${result.text}\n`);
  return result.exitCode;
}

function runView(traceFile: string, flags: { output?: string }): number {
  process.stdout.write(`wrote ${viewTraceFile(traceFile, flags.output)}\n`);
  return ExitCode.VERIFIED;
}

function program(onExit: (code: number) => void): Command {
  const cli = new Command('irqcheck')
    .description('Model checker for interrupt-driven x86 kernel concurrency: every interleaving, every NMI arrival.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`irqcheck: ${text}`) })
    .showHelpAfterError('(run irqcheck --help for usage)');
  cli
    .command('check')
    .description('check a kernel-C model for every interleaving and interrupt arrival')
    .argument('<model.c>', 'the model file')
    .option('--cpus <n|a..b>', 'logical CPUs, or a range to sweep (overrides #pragma irqcheck cpus)', range)
    .option('--smt <k>', 'threads per core (overrides #pragma irqcheck smt)', count)
    .option('--nmis <n|a..b>', 'external NMIs that may arrive, or a range to sweep', range)
    .option('--json', 'print one JSON object (an array for a sweep) instead of the report')
    .option('--strict', 'WARN_ON is a violation')
    .option('--spurious-timeouts', 'countdown loops may also time out early (explores the timeout paths)')
    .option('--dfs', 'depth-first search (traces are not shortest)')
    .option('--workers <n>', 'threads for the breadth-first search (default: 1 with partial-order reduction, else one per core)', count)
    .option('--no-symmetry', 'no symmetry reduction (otherwise interchangeable cores are explored once)')
    .option('--no-por', 'no partial-order reduction (explore every interleaving of independent steps)')
    .option('--max-states <n>', 'stop after this many distinct states (exit 3)', count)
    .option('--max-memory <size>', 'stop before the search uses more memory, e.g. 2G (exit 3)', bytes)
    .option('--time-limit <seconds>', 'stop after this long (exit 3)', seconds)
    .option('--no-progress', 'no live progress line on stderr')
    .option('--trace <file>', 'write the trace file (JSON: every step and machine state) for replay and view')
    .option('--html <file>', 'write the trace as a self-contained HTML page')
    .option('--sarif <file>', 'write the violations as SARIF 2.1.0 for CI code scanning')
    .action(async (file: string, flags: CheckFlags) => onExit(await runCheck(file, flags)));
  cli
    .command('replay')
    .description('re-execute a violation from its replay token, a file holding one, or a trace file (--trace)')
    .argument('<model.c>', 'the model file')
    .argument('<token|file>', 'the token printed after "replay:", or a trace file')
    .option('--violation <n>', 'which violation of a trace file to replay (default 1)', count)
    .action(async (file: string, token: string, flags: { violation?: number }) => onExit(await runReplay(file, token, flags)));
  cli
    .command('view')
    .description('write a trace file (check --trace) as a self-contained HTML page')
    .argument('<trace.json>', 'the trace file')
    .option('-o, --output <file.html>', 'where to write the page (default: the trace file with .html)')
    .action((traceFile: string, flags: { output?: string }) => onExit(runView(traceFile, flags)));
  return cli;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = ExitCode.VERIFIED;
  const json = argv.includes('--json');
  try {
    await program((c) => {
      code = c;
    }).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return ExitCode.VERIFIED;
      return ExitCode.ERROR;
    }
    if (err instanceof IrqcheckError) {
      const d = err.diagnostic;
      if (json) {
        process.stdout.write(`${JSON.stringify(errorJson(null, d.message, d.loc === null ? null : { file: d.loc.file, line: d.loc.line }), null, 2)}\n`);
      }
      process.stderr.write(`${formatDiagnostic(d, sourcesFor(d.loc?.file))}\n`);
      return ExitCode.ERROR;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`irqcheck: internal error (a bug in irqcheck, please report it): ${message}\n`);
    return ExitCode.ERROR;
  }
}

/** The text of the file a diagnostic points into, for its excerpt. */
function sourcesFor(file: string | undefined): Map<string, string> {
  const sources = new Map<string, string>();
  if (file === undefined) return sources;
  try {
    sources.set(file, readFileSync(file, 'utf8'));
  } catch {
    // A virtual file (the kernel prelude) or an unreadable one: no excerpt.
  }
  return sources;
}

export type { TranslationUnit, ModelConfig };

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/irqcheck') || process.argv[1]?.endsWith('cli.js')) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
