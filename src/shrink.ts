/**
 * Shrinking a counterexample the search did not make shortest (`--dfs`):
 * greedy delta debugging on the transition list, each candidate checked by
 * re-executing it through the machine's own `expand` (as `irqcheck replay`
 * does), so a shrunk path is a real path that ends in a violation of the
 * same kind (a warning: the same site).
 *
 * Candidates, tried until none helps or the time budget runs out:
 *   1. drop one environment event (an external NMI, a device raise, an
 *      early timeout), with the steps of the handler it started;
 *   2. drop a chunk of steps (halving chunk sizes, as ddmin does);
 *   3. move a CPU's block of steps next to its previous block, over the
 *      block of another actor between them (fewer context switches).
 * A candidate is kept only if it is strictly better by (environment
 * events, length, context switches), so shrinking never lengthens a trace
 * and always ends. Wiring over the machine; rare path, allocates freely.
 */
import type { Finding, SuccessorSink } from './check/index.js';
import { kindOfFinding, TransitionKind, transitionCpu, transitionKind, type MachineSystem } from './machine/index.js';

/** Bounds on shrinking. */
export interface ShrinkOptions {
  /** Stop trying candidates after this long (default 3000 ms). */
  readonly timeLimitMs?: number;
}

/** What one expansion offers for the transition a candidate takes next. */
class Probe implements SuccessorSink {
  next: Int32Array | null = null;
  violationCode = -1;
  warningCode = -1;
  stateViolationCode = -1;
  constructor(private readonly wanted: number) {}
  successor(state: Int32Array, transition: number): boolean {
    if (transition === this.wanted) this.next = Int32Array.from(state);
    return true;
  }
  violation(transition: number, code: number): boolean {
    if (transition === -1) this.stateViolationCode = code;
    else if (transition === this.wanted) this.violationCode = code;
    return true;
  }
  warning(transition: number, code: number): void {
    if (transition === this.wanted) this.warningCode = code;
  }
}

const isEnvironment = (t: number): boolean => {
  const k = transitionKind(t);
  return k === TransitionKind.EXTERNAL_NMI || k === TransitionKind.DEVICE_RAISE || k === TransitionKind.EARLY_TIMEOUT;
};

/** Who acts in transition t: a CPU number, or -1 for the environment. */
const actor = (t: number): number => (isEnvironment(t) || transitionKind(t) === TransitionKind.TIME ? -1 : transitionCpu(t));

/** Context switches: adjacent transitions by different actors. */
export function contextSwitches(path: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < path.length; i++) if (actor(path[i] as number) !== actor(path[i - 1] as number)) n++;
  return n;
}

type Cost = readonly [number, number, number];
const costOf = (path: readonly number[]): Cost => [path.filter(isEnvironment).length, path.length, contextSwitches(path)];
const better = (a: Cost, b: Cost): boolean => a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];

/** Re-executes candidate paths and says which still reach the violation. */
class Reproducer {
  constructor(private readonly system: MachineSystem, private readonly target: Finding, private readonly isWarning: boolean) {}

  private matches(code: number): boolean {
    return this.isWarning ? code === this.target.code : kindOfFinding(code) === kindOfFinding(this.target.code);
  }

  /**
   * The finding `path` reaches (possibly on a prefix of it), or null if it
   * is not a path of the machine or ends without the target violation.
   */
  run(path: readonly number[]): Finding | null {
    const s = new Int32Array(this.system.stateSlots);
    this.system.writeInitialState(s);
    let state: Int32Array = s;
    for (let i = 0; i <= path.length; i++) {
      const t = i < path.length ? (path[i] as number) : -2;
      const probe = new Probe(t);
      this.system.expand(state, probe);
      if (probe.stateViolationCode >= 0 && !this.isWarning && this.matches(probe.stateViolationCode)) {
        return { code: probe.stateViolationCode, path: path.slice(0, i), transition: -1 };
      }
      if (i === path.length) return null;
      if (probe.violationCode >= 0) {
        return this.matches(probe.violationCode) && !this.isWarning ? { code: probe.violationCode, path: path.slice(0, i + 1), transition: t } : null;
      }
      if (this.isWarning && probe.warningCode >= 0 && this.matches(probe.warningCode)) {
        return { code: probe.warningCode, path: path.slice(0, i + 1), transition: t };
      }
      if (probe.next === null) return null;
      state = probe.next;
    }
    return null;
  }
}

/** Blocks of consecutive transitions by one actor: [start, end) pairs. */
function blocks(path: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= path.length; i++) {
    if (i === path.length || actor(path[i] as number) !== actor(path[start] as number)) {
      out.push([start, i]);
      start = i;
    }
  }
  return out;
}

/** How many of the handler's steps `dropEvent` tries to drop with the event that started it. */
const MAX_HANDLER_STEPS = 48;

/** The CPU an environment event at `i` interrupts: the NMI's target, or the CPU that next takes a vector. */
function interrupted(path: readonly number[], i: number): number {
  const t = path[i] as number;
  if (transitionKind(t) === TransitionKind.EXTERNAL_NMI) return transitionCpu(t);
  for (let j = i + 1; j < path.length; j++) if (transitionKind(path[j] as number) === TransitionKind.IRQ) return transitionCpu(path[j] as number);
  return -1;
}

/**
 * Tries to drop the environment event at `i` together with the first m
 * later transitions of the CPU it interrupts (its handler), for growing m:
 * without the event, the handler's steps would be the CPU's ordinary ones.
 */
function dropEvent(path: readonly number[], i: number, tryPath: (p: readonly number[]) => boolean, outOfTime: () => boolean): boolean {
  const cpu = interrupted(path, i);
  const drop = new Set<number>([i]);
  for (let j = i + 1, m = 0; m <= MAX_HANDLER_STEPS && !outOfTime(); j++) {
    if (tryPath(path.filter((_, k) => !drop.has(k)))) return true;
    while (j < path.length && actor(path[j] as number) !== cpu) j++;
    if (j >= path.length || cpu < 0) return false;
    drop.add(j);
    m++;
  }
  return false;
}

/**
 * A shorter (or equally long, with fewer external events or context
 * switches) path to a violation of the same kind as `finding`; `finding`
 * itself if nothing better is found within the budget.
 */
export function shrinkFinding(system: MachineSystem, finding: Finding, severity: 'error' | 'warning', options: ShrinkOptions = {}): Finding {
  const deadline = performance.now() + (options.timeLimitMs ?? 3000);
  const reproducer = new Reproducer(system, finding, severity === 'warning');
  let best = finding;
  let bestCost = costOf(best.path);
  const tryPath = (candidate: readonly number[]): boolean => {
    const found = reproducer.run(candidate);
    if (found === null) return false;
    const cost = costOf(found.path);
    if (!better(cost, bestCost)) return false;
    best = found;
    bestCost = cost;
    return true;
  };
  const outOfTime = (): boolean => performance.now() > deadline;
  let improved = true;
  while (improved && !outOfTime()) {
    improved = false;
    for (let i = best.path.length - 1; i >= 0 && !outOfTime(); i--) {
      if (i < best.path.length && isEnvironment(best.path[i] as number) && dropEvent(best.path, i, tryPath, outOfTime)) improved = true;
    }
    for (let size = Math.max(1, best.path.length >> 1); size >= 1 && !outOfTime(); size >>= 1) {
      for (let i = 0; i + size <= best.path.length && !outOfTime(); ) {
        if (tryPath([...best.path.slice(0, i), ...best.path.slice(i + size)])) improved = true;
        else i += size;
      }
    }
    for (let b = 0; !outOfTime(); b++) {
      const bs = blocks(best.path);
      if (b + 2 >= bs.length) break;
      const [s0, e0] = bs[b] as [number, number];
      const [s1, e1] = bs[b + 1] as [number, number];
      const [s2, e2] = bs[b + 2] as [number, number];
      if (actor(best.path[s0] as number) !== actor(best.path[s2] as number)) continue;
      const p = best.path;
      const later = [...p.slice(0, e0), ...p.slice(s2, e2), ...p.slice(s1, e1), ...p.slice(e2)];
      const earlier = [...p.slice(0, s0), ...p.slice(s1, e1), ...p.slice(s0, e0), ...p.slice(s2)];
      if (tryPath(later) || tryPath(earlier)) improved = true;
    }
  }
  return best;
}
