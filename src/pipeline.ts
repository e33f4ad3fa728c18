/**
 * Wiring, shared by the CLI and the tests: model file → parse (with the
 * kernel prelude) → compile for a configuration → machine → search →
 * outcome with explained violations. Only wires; every stage does its own work.
 */
import { BreadthFirstExplorer, DepthFirstExplorer, type Explorer, type Progress, type SearchLimits } from './check/index.js';
import { compileProgram, type ModelConfig, type Program } from './compile/index.js';
import { KERNEL_HOOKS, KERNEL_PRELUDE, kernelBuiltins, writeBootState } from './kernel/index.js';
import { parseModel, parseModelSource, UsageError, type TranslationUnit } from './lang/index.js';
import { encodeReplayToken, MachineSystem, rebuildViolation } from './machine/index.js';
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
export function machineFor(program: Program, settings: Pick<CheckSettings, 'strict' | 'spuriousTimeouts'>): MachineSystem {
  return new MachineSystem(program, kernelBuiltins(), writeBootState, { strict: settings.strict, spuriousTimeouts: settings.spuriousTimeouts });
}

/** Checks one configuration of a parsed model. */
export function checkModel(unit: TranslationUnit, config: ModelConfig, settings: CheckSettings = DEFAULT_SETTINGS): CheckOutcome {
  const program = compileModel(unit, config);
  const system = machineFor(program, settings);
  const explorer: Explorer = settings.search === 'dfs' ? new DepthFirstExplorer() : new BreadthFirstExplorer();
  const result = explorer.explore(system, {
    limits: settings.limits,
    ...(settings.onProgress === undefined ? {} : { onProgress: settings.onProgress }),
    ...(settings.shouldStop === undefined ? {} : { shouldStop: settings.shouldStop }),
  });
  const shrink = settings.shrinkTraces ?? settings.search === 'dfs';
  const explain = (found: Parameters<typeof rebuildViolation>[1], severity: 'error' | 'warning'): ReportedViolation => {
    const finding = shrink ? shrinkFinding(system, found, severity) : found;
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
  };
}
