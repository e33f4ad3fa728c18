/**
 * `irqcheck replay`: re-executes a violation's transitions one by one on the
 * model as it is now, and either reproduces the violation (with its trace)
 * or says at which step the model no longer follows the trace. Wiring only.
 */
import type { Finding, SuccessorSink } from './check/index.js';
import type { TranslationUnit } from './lang/index.js';
import { encodeReplayToken, kindOfFinding, rebuildViolation, transitionCpu, transitionKind, TransitionKind, violationKindName, type ReplayToken } from './machine/index.js';
import { compileModel, machineFor } from './pipeline.js';
import { renderText } from './report/index.js';

export interface ReplayResult {
  readonly text: string;
  /** 1 if the violation was reproduced, 2 if the model no longer follows the trace. */
  readonly exitCode: number;
}

/** Collects what a state's expansion offers. */
class Offers implements SuccessorSink {
  readonly successors = new Map<number, Int32Array>();
  readonly violations = new Map<number, number>();
  successor(state: Int32Array, transition: number): boolean {
    this.successors.set(transition, Int32Array.from(state));
    return true;
  }
  violation(transition: number, code: number): boolean {
    this.violations.set(transition, code);
    return true;
  }
  warning(): void {}
}

const describeTransition = (t: number): string => {
  const c = transitionCpu(t);
  switch (transitionKind(t)) {
    case TransitionKind.STEP: return `CPU${c} steps`;
    case TransitionKind.NMI: return `CPU${c} takes its pending NMI`;
    case TransitionKind.WAKE: return `CPU${c} wakes to run its work`;
    case TransitionKind.EXTERNAL_NMI: return `an external NMI arrives at CPU${c}`;
    case TransitionKind.TIME: return `time passes until CPU${c}'s wait runs out`;
    default: return `CPU${c}'s wait times out early`;
  }
};

export function replayModel(unit: TranslationUnit, token: ReplayToken): ReplayResult {
  const program = compileModel(unit, token.config);
  const system = machineFor(program, { strict: false, spuriousTimeouts: true });
  let state: Int32Array = new Int32Array(system.stateSlots);
  system.writeInitialState(state);
  const path = token.path;
  for (let i = 0; i <= path.length; i++) {
    const offers = new Offers();
    system.expand(state, offers);
    if (i === path.length) {
      const code = offers.violations.get(-1);
      if (code === undefined) {
        return { text: `replay: all ${path.length} steps replayed, but no violation happens at the end: the model has changed since the trace was found`, exitCode: 2 };
      }
      return reproduced(unit, system, { code, path, transition: -1 });
    }
    const t = path[i] as number;
    const code = offers.violations.get(t);
    if (code !== undefined) {
      if (i !== path.length - 1) {
        return { text: `replay: at step ${i + 1}, ${describeTransition(t)} and hits ${violationKindName(kindOfFinding(code))} earlier than the trace: the model has changed`, exitCode: 1 };
      }
      return reproduced(unit, system, { code, path, transition: t });
    }
    const next = offers.successors.get(t);
    if (next === undefined) {
      return { text: `replay: the model no longer follows the trace at step ${i + 1}: ${describeTransition(t)} is not possible there`, exitCode: 2 };
    }
    state = next;
  }
  return { text: 'replay: nothing to replay', exitCode: 2 };
}

function reproduced(unit: TranslationUnit, system: ReturnType<typeof machineFor>, finding: Finding): ReplayResult {
  const v = rebuildViolation(system, finding, 'error');
  const outcome = {
    file: unit.file,
    config: system.program.config,
    verdict: 'violation' as const,
    violations: [{ ...v, replay: encodeReplayToken(system.program.config, v.path) }],
    stats: { states: finding.path.length + 1, transitions: finding.path.length, depth: finding.path.length, seconds: 0, peakMemoryBytes: 0, bytesPerState: 0 },
    limit: null,
    strict: false,
  };
  return { text: `replay: reproduced ${v.kind} in ${finding.path.length} steps\n${renderText(outcome, { width: process.stdout.columns ?? 120 })}`, exitCode: 1 };
}
