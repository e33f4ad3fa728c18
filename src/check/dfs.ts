/**
 * Depth-first search: the frontier is a stack, so the search dives before it
 * widens. It stores no parent links: the path to the state being expanded is
 * the transitions of its ancestors, kept per depth in one array.
 *
 * Why that array is the path: a state is marked visited when first generated
 * and pushed with its depth d and the transition t that reached it; when it
 * is popped, `pathByDepth[d-1] = t`. Everything popped between its parent
 * and itself was pushed after it, hence lies at depth ≥ d, so entries 0 to
 * d-2 still hold its parent's path. The path is a real one, not a shortest.
 *
 * Hot: `successor` runs once per generated successor, the loop in `run` once
 * per state; neither allocates (the run object is the sink, created once per
 * search; the stack grows by chunks, the path array by doubling).
 */
import type { ExploreOptions, Explorer } from './explorer.js';
import { CanonicalCopy } from './canonical-copy.js';
import { FingerprintSet } from './fingerprint-set.js';
import { FP_HI, FP_LO, SUM_A, SUM_B, StateHasher, fingerprintOf } from './hash64.js';
import { SuccessorSums } from './successor-sums.js';
import { POLL_INTERVAL_STATES, SearchMonitor } from './search-monitor.js';
import { StateStack } from './state-stack.js';
import type { Finding, LimitKind, SearchResult, SuccessorSink, TransitionSystem } from './transition-system.js';
import { WarningLog, findingAt } from './warning-log.js';

/** Depth-first `Explorer`: a LIFO frontier, small memory; paths not shortest. */
export class DepthFirstExplorer implements Explorer {
  readonly name = 'dfs';

  /** Explores `system` depth first; see the module comment. */
  explore(system: TransitionSystem, options: ExploreOptions = {}): SearchResult {
    return new DfsRun(system, options).run();
  }
}

/** One search: its tables, its counters, and the sink `expand` writes to. */
class DfsRun implements SuccessorSink {
  private readonly system: TransitionSystem;
  private readonly monitor: SearchMonitor;
  private readonly stateCap: number;
  private readonly visited = new FingerprintSet();
  private readonly stack: StateStack;
  private readonly warnings: WarningLog;
  private readonly current: Int32Array;
  private readonly hasher: StateHasher;
  private readonly successorSums: SuccessorSums;
  private readonly fingerprint = new Int32Array(2);
  /** The representative of a successor's orbit, when the system has a symmetry. */
  private readonly canonical = new CanonicalCopy();
  /** Lane sums of the state being expanded, and of a successor. */
  private readonly currentSums = new Int32Array(2);
  private readonly sums = new Int32Array(2);
  /** `pathByDepth[k]` is the transition into the ancestor at depth k + 1. */
  private pathByDepth = new Int32Array(256);
  /** Depth of the state being expanded. */
  private currentDepth = 0;
  private transitions = 0;
  private maxDepth = 0;
  private limit: LimitKind | null = null;
  private finding: Finding | null = null;

  constructor(system: TransitionSystem, options: ExploreOptions) {
    this.system = system;
    this.monitor = new SearchMonitor(options);
    this.stateCap = this.monitor.stateCap;
    this.stack = new StateStack(system.stateSlots);
    this.warnings = new WarningLog(options.collectWarnings ?? true);
    this.current = new Int32Array(system.stateSlots);
    this.hasher = new StateHasher(system.stateSlots);
    this.successorSums = new SuccessorSums(this.hasher, system.writes, options.verifyWrites === true);
  }

  run(): SearchResult {
    const { system, stack, current } = this;
    system.writeInitialState(current);
    this.currentDepth = -1;
    this.store(current, -1);
    if (this.limit === null) this.limit = this.poll();
    let untilPoll = POLL_INTERVAL_STATES;
    while (this.limit === null && stack.length > 0) {
      const depth = stack.topDepth();
      if (depth > 0) this.enterDepth(depth, stack.topTransition());
      this.currentDepth = depth;
      stack.topSums(this.currentSums);
      stack.pop(current);
      system.expand(current, this);
      if (this.finding !== null) break;
      if (--untilPoll === 0) {
        untilPoll = POLL_INTERVAL_STATES;
        if (this.limit === null) this.limit = this.poll();
      }
    }
    return this.result();
  }

  successor(state: Int32Array, transition: number): boolean {
    this.transitions++;
    return this.store(state, transition);
  }

  violation(transition: number, code: number): boolean {
    this.finding = findingAt(code, this.pathHere(), transition);
    return false;
  }

  warning(transition: number, code: number): void {
    if (!this.warnings.wants(code)) return;
    this.warnings.record(findingAt(code, this.pathHere(), transition));
  }

  /** Stores `state` if new and pushes it one level below the current state. */
  private store(successor: Int32Array, transition: number): boolean {
    const state = this.canonical.of(this.system.symmetry, successor);
    // Hashed incrementally from the state being expanded, whose sums came off the stack with it.
    const sums = this.sums;
    if (this.currentDepth < 0) this.hasher.sums(state, sums);
    else this.successorSums.compute(this.current, this.currentSums[SUM_A] as number, this.currentSums[SUM_B] as number, state, sums);
    const fingerprint = this.fingerprint;
    fingerprintOf(sums[SUM_A], sums[SUM_B], state.length, fingerprint);
    const visited = this.visited;
    if (!visited.add(fingerprint[FP_HI], fingerprint[FP_LO])) return true;
    if (visited.size > this.stateCap) {
      this.limit = 'states';
      return false;
    }
    if (visited.limitReached) {
      this.limit = 'memory';
      return false;
    }
    const depth = this.currentDepth + 1;
    this.stack.push(state, transition, depth, sums[SUM_A], sums[SUM_B]);
    if (depth > this.maxDepth) this.maxDepth = depth;
    return true;
  }

  /** Records that the state about to be expanded, at `depth` ≥ 1, was reached by `transition`. */
  private enterDepth(depth: number, transition: number): void {
    if (depth > this.pathByDepth.length) {
      const grown = new Int32Array(this.pathByDepth.length * 2);
      grown.set(this.pathByDepth);
      this.pathByDepth = grown;
    }
    this.pathByDepth[depth - 1] = transition;
  }

  /** The path to the state being expanded. Rare path: allocates. */
  private pathHere(): number[] {
    return Array.from(this.pathByDepth.subarray(0, this.currentDepth));
  }

  private otherBytes(): number {
    return this.stack.bytes + this.pathByDepth.length * 4;
  }

  private poll(): LimitKind | null {
    return this.monitor.poll(this.visited, this.otherBytes(), this.stack.length, this.transitions, this.maxDepth);
  }

  private result(): SearchResult {
    const stats = this.monitor.stats(this.visited, this.otherBytes(), this.transitions, this.maxDepth);
    const warnings = this.warnings.list();
    if (this.finding !== null) return { kind: 'violation', finding: this.finding, warnings, stats };
    if (this.limit !== null) return { kind: 'incomplete', limit: this.limit, warnings, stats };
    return { kind: 'verified', warnings, stats };
  }
}
