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
import { decodeReplayToken } from './machine/index.js';
import { checkModel, configFor, loadModel, type CheckSettings } from './pipeline.js';
import { errorJson, renderText, summaryLine, toJson, type CheckOutcome } from './report/index.js';
import { replayModel } from './replay.js';

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

/** A live progress line on stderr for searches longer than a second. */
function progressPrinter(enabled: boolean): { onProgress: (p: Progress) => void; done: () => void } {
  let shown = false;
  return {
    onProgress: (p) => {
      if (!enabled || p.seconds < 1) return;
      shown = true;
      const rate = Math.round(p.states / Math.max(p.seconds, 0.001));
      process.stderr.write(`\r  ${p.states.toLocaleString('en-US')} states, ${rate.toLocaleString('en-US')}/s, frontier ${p.frontier.toLocaleString('en-US')}, depth ${p.depth}, ${(p.memoryBytes / 1048576).toFixed(0)} MiB, ${p.seconds.toFixed(1)} s   `);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

async function runCheck(file: string, flags: CheckFlags): Promise<number> {
  const unit = await loadModel(file);
  const cpusList = flags.cpus ?? [undefined];
  const nmisList = flags.nmis ?? [undefined];
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const progress = progressPrinter(flags.progress !== false && process.stderr.isTTY === true);
  const settings: CheckSettings = {
    strict: flags.strict === true,
    spuriousTimeouts: flags.spuriousTimeouts === true,
    search: flags.dfs === true ? 'dfs' : 'bfs',
    limits: {
      ...(flags.maxStates === undefined ? {} : { maxStates: flags.maxStates }),
      ...(flags.maxMemory === undefined ? {} : { maxMemoryBytes: flags.maxMemory }),
      ...(flags.timeLimit === undefined ? {} : { timeLimitMs: flags.timeLimit * 1000 }),
    },
    onProgress: progress.onProgress,
    shouldStop: () => interrupted,
  };
  const outcomes: CheckOutcome[] = [];
  const sweep = cpusList.length * nmisList.length > 1;
  try {
    for (const cpus of cpusList) {
      for (const nmis of nmisList) {
        const config = configFor(unit, { ...(cpus === undefined ? {} : { cpus }), ...(flags.smt === undefined ? {} : { smt: flags.smt }), ...(nmis === undefined ? {} : { nmis }) });
        const outcome = checkModel(unit, config, settings);
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
  return exitCodeOf(outcomes);
}

async function runReplay(file: string, tokenOrFile: string): Promise<number> {
  let token = tokenOrFile;
  if (decodeReplayToken(token) === null) {
    try {
      token = readFileSync(tokenOrFile, 'utf8').trim();
    } catch {
      throw new UsageError('bad-token', `'${tokenOrFile}' is neither a replay token nor a readable file`, null, 'copy the token printed after "replay:" in a violation report');
    }
  }
  const decoded = decodeReplayToken(token);
  if (decoded === null) throw new UsageError('bad-token', 'not a replay token', null, 'tokens look like irqcheck:1:c4s2n1:0.100.2');
  const unit = await loadModel(file);
  const result = replayModel(unit, decoded);
  process.stdout.write(`${result.text}\n`);
  return result.exitCode;
}

function program(onExit: (code: number) => void): Command {
  const cli = new Command('irqcheck')
    .description('Model checker for interrupt-driven x86 kernel concurrency: every interleaving, every NMI arrival.')
    .version('0.1.0')
    .exitOverride()
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
    .option('--max-states <n>', 'stop after this many distinct states (exit 3)', count)
    .option('--max-memory <size>', 'stop before the search uses more memory, e.g. 2G (exit 3)', bytes)
    .option('--time-limit <seconds>', 'stop after this long (exit 3)', seconds)
    .option('--no-progress', 'no live progress line on stderr')
    .action(async (file: string, flags: CheckFlags) => onExit(await runCheck(file, flags)));
  cli
    .command('replay')
    .description('re-execute a violation from its replay token (or a file holding one)')
    .argument('<model.c>', 'the model file')
    .argument('<token|file>', 'the token printed after "replay:"')
    .action(async (file: string, token: string) => onExit(await runReplay(file, token)));
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
