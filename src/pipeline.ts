/**
 * Wiring, shared by the CLI and the tests: model file → parse (with the
 * kernel prelude) → compile for a configuration → machine → search →
 * outcome with explained violations. Only wires; every stage does its own work.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  BreadthFirstExplorer,
  DepthFirstExplorer,
  ParallelBreadthFirstExplorer,
  type Explorer,
  type Finding,
  type Progress,
  type SearchLimits,
  type SearchResult,
  type SystemFactory,
} from './check/index.js';
import { analyzeCpuSymmetry, compileProgram, type ModelConfig, type Program } from './compile/index.js';
import { KERNEL_HOOKS, KERNEL_PRELUDE, kernelBuiltins, writeBootState } from './kernel/index.js';
import { parseModel, parseModelSource, UsageError, type TranslationUnit } from './lang/index.js';
import { attachSymmetry, encodeReplayToken, MachineSystem, partialOrderUnavailable, realFinding, rebuildViolation } from './machine/index.js';
import type { CheckOutcome, ReportedViolation } from './report/index.js';
import { shrinkFinding } from './shrink.js';

/** How to check, beyond the configuration. */
export interface CheckSettings {
  readonly strict: boolean;
  readonly spuriousTimeouts: boolean;
  readonly search: 'bfs' | 'dfs';
  readonly limits: Partial<SearchLimits>;
  readonly onProgress?: (p: Progress) => void;
  readonly shouldStop?: () => boolean;
  /** Record the machine state at every step of each trace (trace files, the HTML viewer). */
  readonly traceStates?: boolean;
  /** Shrink each trace before reporting it (shrink.ts); default: when the search's traces are not shortest (DFS). */
  readonly shrinkTraces?: boolean;
  /** Partial-order reduction (default on; `--no-por`). */
  readonly partialOrder?: boolean;
  /** Symmetry reduction over interchangeable cores, where the model allows it (default on; `--no-symmetry`). */
  readonly symmetry?: boolean;
  /** Check the machine's write log against full comparisons, and the wait detector's short cuts against its solo runs (tests; see `ExploreOptions.verifyWrites`). */
  readonly verifyWrites?: boolean;
  /** Interpret the bytecode instead of running compiled steps when false (tests compare the two). */
  readonly compiledSteps?: boolean;
  /** Recall transitions from a state's parent in the raw breadth-first search (default; false: run every one, as tests compare). */
  readonly recallTransitions?: boolean;
}

export const DEFAULT_SETTINGS: CheckSettings = { strict: false, spuriousTimeouts: false, search: 'bfs', limits: {} };

/** Configuration used when neither the model's pragma nor the command line sets it. */
export const DEFAULT_CONFIG: ModelConfig = { cpus: 2, smt: 1, nmis: 0 };
export const MAX_CPUS = 64;

/** Reads and parses a model file with the kernel prelude. */
export function loadModel(path: string): Promise<TranslationUnit> {
  return parseModel(path, { prelude: KERNEL_PRELUDE });
}

/** Parses model text (tests). */
export function loadModelSource(path: string, text: string): Promise<TranslationUnit> {
  return parseModelSource(path, text, { prelude: KERNEL_PRELUDE });
}

/** The configuration: command line over pragma over defaults; validated. */
export function configFor(unit: TranslationUnit, overrides: Partial<ModelConfig>): ModelConfig {
  const config: ModelConfig = {
    cpus: overrides.cpus ?? unit.pragmas.cpus ?? DEFAULT_CONFIG.cpus,
    smt: overrides.smt ?? unit.pragmas.smt ?? DEFAULT_CONFIG.smt,
    nmis: overrides.nmis ?? unit.pragmas.nmis ?? DEFAULT_CONFIG.nmis,
  };
  // Blame the pragma only for values that came from it.
  const from = (key: keyof ModelConfig): { loc: TranslationUnit['pragmas']['loc'] | null; how: string } =>
    overrides[key] !== undefined ? { loc: null, how: `--${key}` } : unit.pragmas[key] !== undefined ? { loc: unit.pragmas.loc ?? null, how: `#pragma irqcheck ${key}` } : { loc: null, how: 'the default' };
  validateConfig(config, from);
  return config;
}

/** Checks a configuration's ranges; `from` says where each value came from, for the message. */
export function validateConfig(config: ModelConfig, from: (key: keyof ModelConfig) => { loc: TranslationUnit['pragmas']['loc'] | null; how: string }): void {
  const fail = (key: keyof ModelConfig, message: string, hint: string | null): never => {
    const source = from(key);
    throw new UsageError('bad-config', `${message} (from ${source.how})`, source.loc ?? null, hint);
  };
  if (!Number.isInteger(config.cpus) || config.cpus < 1 || config.cpus > MAX_CPUS) {
    fail('cpus', `cpus must be between 1 and ${MAX_CPUS}, not ${config.cpus}`, 'set it with --cpus N or #pragma irqcheck cpus N');
  }
  if (!Number.isInteger(config.smt) || config.smt < 1 || config.smt > config.cpus) {
    fail('smt', `smt must be between 1 and cpus (${config.cpus}), not ${config.smt}`, 'smt is the number of threads per core');
  }
  if (!Number.isInteger(config.nmis) || config.nmis < 0) fail('nmis', `nmis must be 0 or more, not ${config.nmis}`, null);
}

/** Compiles a model for a configuration (throws located errors for a bad model). */
export function compileModel(unit: TranslationUnit, config: ModelConfig): Program {
  return compileProgram(unit, config, KERNEL_HOOKS);
}

/** The machine for a compiled program. */
export function machineFor(program: Program, settings: Pick<CheckSettings, 'strict' | 'spuriousTimeouts' | 'partialOrder' | 'symmetry' | 'compiledSteps' | 'verifyWrites' | 'recallTransitions'>): MachineSystem {
  const system = new MachineSystem(program, kernelBuiltins(), writeBootState, {
    strict: settings.strict,
    spuriousTimeouts: settings.spuriousTimeouts,
    partialOrder: settings.partialOrder !== false,
    compiledSteps: settings.compiledSteps !== false,
    verifyShortcuts: settings.verifyWrites === true,
    recallTransitions: settings.recallTransitions !== false,
  });
  if (settings.symmetry !== false) attachSymmetry(system, analyzeCpuSymmetry(program));
  return system;
}

/** Checks one configuration of a parsed model. */
export function checkModel(unit: TranslationUnit, config: ModelConfig, settings: CheckSettings = DEFAULT_SETTINGS): CheckOutcome {
  const program = compileModel(unit, config);
  const system = machineFor(program, settings);
  const explorer: Explorer = settings.search === 'dfs' ? new DepthFirstExplorer() : new BreadthFirstExplorer();
  const result = explorer.explore(system, {
    limits: settings.limits,
    verifyWrites: settings.verifyWrites === true,
    ...(settings.onProgress === undefined ? {} : { onProgress: settings.onProgress }),
    ...(settings.shouldStop === undefined ? {} : { shouldStop: settings.shouldStop }),
  });
  if (result.kind === 'violation' && system.reduction !== undefined && settings.search !== 'dfs') {
    const shorter = shorterWithoutReduction(program, settings, result.finding.path.length, result.stats.states);
    if (shorter !== null) return outcomeOf(unit, config, settings, shorter.system, { ...result, finding: shorter.finding }, 1, system);
  }
  return outcomeOf(unit, config, settings, system, result);
}

/**
 * How much a search for a shorter trace than partial-order reduction's may
 * cost: a quarter as many states as the reduced search stored, between
 * 300,000 and 2 million (a plain state costs at most about what a reduced
 * one does: at most about a quarter of the reduced search's time, and a
 * wait of a second or so at least). Counted in states, so that the same
 * model gives the same trace however busy the machine; the time limit only
 * guards against a search far slower than that.
 */
const SHORTER_TRACE_STATES = 2_000_000;
const SHORTER_TRACE_FLOOR_STATES = 300_000;
const SHORTER_TRACE_SHARE = 0.25;
const SHORTER_TRACE_GUARD_MS = 30_000;

/**
 * A violation with a shorter path than `length`, found by a breadth-first
 * search of every interleaving up to that depth; null if there is none, or
 * if looking costs more than a bounded effort (the reduced search stored
 * `reducedStates`). Partial-order reduction
 * explores one interleaving of independent steps, not always the one with
 * the fewest steps (a CPU that reaches a wait before the others arrive
 * takes one step more than one that finds them there); this makes the
 * reported trace a shortest one in every case it can afford.
 */
function shorterWithoutReduction(program: Program, settings: CheckSettings, length: number, reducedStates: number): { system: MachineSystem; finding: Finding } | null {
  const plain = machineFor(program, { ...settings, partialOrder: false });
  const maxStates = Math.min(SHORTER_TRACE_STATES, Math.max(SHORTER_TRACE_FLOOR_STATES, Math.round(reducedStates * SHORTER_TRACE_SHARE)));
  const found = new BreadthFirstExplorer().explore(plain, {
    limits: { maxStates, timeLimitMs: SHORTER_TRACE_GUARD_MS },
    maxDepth: length - 1,
    collectWarnings: false,
    ...(settings.shouldStop === undefined ? {} : { shouldStop: settings.shouldStop }),
  });
  return found.kind === 'violation' && found.finding.path.length < length ? { system: plain, finding: found.finding } : null;
}

/**
 * What a search worker needs to build the machine on its own thread: the
 * compiled program (plain data, so structured-cloneable: each worker builds
 * exactly the machine this thread compiled, without parsing the model
 * again) and the machine's settings.
 */
export interface MachineRecipe {
  readonly program: Program;
  readonly strict: boolean;
  readonly spuriousTimeouts: boolean;
  readonly symmetry?: boolean;
}

/** The recipe of the machine `machineFor` would build for `program`. */
export function machineRecipe(program: Program, settings: Pick<CheckSettings, 'strict' | 'spuriousTimeouts' | 'symmetry'>): MachineRecipe {
  return { program, strict: settings.strict, spuriousTimeouts: settings.spuriousTimeouts, symmetry: settings.symmetry !== false };
}

/** Builds the machine of a recipe (in a search worker: the parallel BFS's `SystemFactory` export). */
export function machineFromRecipe(recipe: MachineRecipe): MachineSystem {
  // The parallel search expands every state in full: no partial-order reduction to build.
  return machineFor(recipe.program, { strict: recipe.strict, spuriousTimeouts: recipe.spuriousTimeouts, symmetry: recipe.symmetry !== false, partialOrder: false });
}

/** The `SystemFactory` a search worker builds `recipe`'s machine from: this module, compiled. */
export function machineFactory(recipe: MachineRecipe, moduleUrl: string = import.meta.url): SystemFactory {
  return { moduleUrl, exportName: 'machineFromRecipe', argument: recipe };
}

/**
 * Search threads when the command line names none: one where partial-order
 * reduction will run (it saves more than another thread gains, and runs on
 * one), else one per core.
 */
export function defaultWorkers(unit: TranslationUnit, config: ModelConfig, settings: Pick<CheckSettings, 'partialOrder' | 'search'>): number {
  if (settings.search !== 'bfs') return 1;
  if (settings.partialOrder !== false && partialOrderUnavailable(compileModel(unit, config)) === null) return 1;
  return Math.max(1, availableParallelism());
}

/** Whether the parallel search can start workers here (the compiled JavaScript exists, not only the TypeScript sources). */
export function parallelSearchAvailable(): boolean {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.js') && existsSync(fileURLToPath(ParallelBreadthFirstExplorer.defaultWorkerScript));
}

/**
 * Checks one configuration with the parallel BFS on `workers` threads, each
 * building the machine from the program this thread compiled; the calling thread only
 * coordinates (its event loop stays free: `shouldStop` may read a flag a
 * signal handler raises) and explains the violations. With one worker, with
 * DFS, or where the compiled workers do not exist (the TypeScript sources
 * run directly), it is `checkModel` on this thread, with the same verdict.
 */
export async function checkModelParallel(unit: TranslationUnit, config: ModelConfig, settings: CheckSettings, workers: number): Promise<CheckOutcome> {
  if (workers <= 1 || settings.search !== 'bfs' || !parallelSearchAvailable()) return checkModel(unit, config, settings);
  const program = compileModel(unit, config);
  const system = machineFor(program, settings);
  const explorer = new ParallelBreadthFirstExplorer({ workers });
  const result = await explorer.explore(machineFactory(machineRecipe(program, settings)), {
    limits: settings.limits,
    ...(settings.onProgress === undefined ? {} : { onProgress: settings.onProgress }),
    ...(settings.shouldStop === undefined ? {} : { shouldStop: settings.shouldStop }),
  });
  return outcomeOf(unit, config, settings, system, result, workers);
}

/** The outcome of a search: its verdict and statistics, each finding explained (and shrunk where asked). */
function outcomeOf(unit: TranslationUnit, config: ModelConfig, settings: CheckSettings, system: MachineSystem, result: SearchResult, workers = 1, searched: MachineSystem = system): CheckOutcome {
  const shrink = settings.shrinkTraces ?? settings.search === 'dfs';
  const explain = (found: Parameters<typeof rebuildViolation>[1], severity: 'error' | 'warning'): ReportedViolation => {
    const real = realFinding(system, found);
    const finding = shrink ? shrinkFinding(system, real, severity) : real;
    const v = rebuildViolation(system, finding, severity, { withStates: settings.traceStates === true });
    return { ...v, replay: encodeReplayToken(config, v.path) };
  };
  const violations: ReportedViolation[] = [];
  if (result.kind === 'violation') violations.push(explain(result.finding, 'error'));
  for (const w of result.warnings) violations.push(explain(w, 'warning'));
  return {
    file: unit.file,
    config,
    verdict: result.kind,
    violations,
    stats: result.stats,
    limit: result.kind === 'incomplete' ? result.limit : null,
    strict: settings.strict,
    symmetry: searched.symmetryNote,
    partialOrderNote: settings.partialOrder === false ? null : partialOrderOff(searched, settings, workers),
  };
}

/** Why partial-order reduction, asked for, did not run; null if it ran. */
function partialOrderOff(system: MachineSystem, settings: CheckSettings, workers: number): string | null {
  if (system.reductionNote !== null) return system.reductionNote;
  if (settings.search === 'dfs') return 'no partial-order reduction with --dfs (its cycle proviso is the breadth-first search\'s)';
  if (workers > 1) return `no partial-order reduction with --workers ${workers} (the parallel search explores every interleaving)`;
  return null;
}
