/**
 * Breadth-first search: states are expanded level by level, so the first
 * violation found has a shortest path from the initial state, which is
 * rebuilt from parent links (`PathLog`).
 *
 * Hot: `successor` runs once per generated successor, the loop in `run` once
 * per state; neither allocates (the run object is the sink, created once per
 * search; the frontier and links grow by chunks).
 *
 * Shortest, exactly. A violation on a transition out of a state at depth d
 * has a path of d + 1 transitions; a violation of a state itself
 * (transition -1) at depth d has d. So when a transition violation is found,
 * the rest of level d is still expanded (without storing successors) in case
 * one of its states violates by itself; the first found among the shortest
 * wins.
 */
import { totalmem } from 'node:os';
import type { ExploreOptions, Explorer } from './explorer.js';
import { CanonicalCopy } from './canonical-copy.js';
import { ExpansionLog } from './expansion-log.js';
import { FingerprintSet } from './fingerprint-set.js';
import { FP_HI, FP_LO, SUM_A, SUM_B, StateHasher, fingerprintOf } from './hash64.js';
import { SuccessorSums } from './successor-sums.js';
import { NO_PARENT, PathLog } from './path-log.js';
import { POLL_INTERVAL_STATES, SearchMonitor } from './search-monitor.js';
import { StateQueue } from './state-queue.js';
import type { EventBudget, Finding, LimitKind, SearchResult, SuccessorSink, TransitionRecall, TransitionSystem } from './transition-system.js';
import { WarningLog, findingAt } from './warning-log.js';

/** The share of `--max-memory` past which the search stops recalling transitions (their records hold two levels' expansions). */
const RECALL_MEMORY_SHARE = 0.5;

/** Breadth-first `Explorer`: shortest violation paths; the default. */
export class BreadthFirstExplorer implements Explorer {
  readonly name = 'bfs';

  /**
   * Explores `system` level by level; see the module comment. With the
   * system's partial-order reduction, a run whose assumptions turned out
   * wrong is started over (see `PartialOrderReduction`), and so is one
   * whose proviso, checked after the search, does not hold (then with the
   * proviso enforced during the search; see `BfsRun.expand`).
   */
  explore(system: TransitionSystem, options: ExploreOptions = {}): SearchResult {
    const started = Date.now();
    let runOptions = options;
    let checkProvisoAfter = true;
    for (;;) {
      const run = new BfsRun(system, runOptions, checkProvisoAfter);
      const result = run.run();
      const reduction = system.reduction;
      if (reduction === undefined) return result;
      if (run.provisoFailed) checkProvisoAfter = false;
      else if (!run.invalidated) return withRestarts(result, reduction.restarts);
      else reduction.restart();
      // The time limit covers every run, not each.
      const limit = options.limits?.timeLimitMs;
      if (limit !== undefined && Number.isFinite(limit)) runOptions = { ...options, limits: { ...options.limits, timeLimitMs: Math.max(0, limit - (Date.now() - started)) } };
    }
  }
}

/** One search: its tables, its counters, and the sink `expand` writes to. */
class BfsRun implements SuccessorSink {
  private readonly system: TransitionSystem;
  private readonly monitor: SearchMonitor;
  private readonly stateCap: number;
  private readonly depthCap: number;
  private readonly visited = new FingerprintSet();
  private readonly queue: StateQueue;
  private readonly log = new PathLog();
  private readonly warnings: WarningLog;
  private current: Int32Array;
  private readonly fingerprint = new Int32Array(2);
  /** The representative of a successor's orbit, when the system has a symmetry. */
  private readonly canonical = new CanonicalCopy();
  /** What the symmetry keeps with a stored state (see `StateSymmetry.memoSlots`), or the recall's entry, queued with it. */
  private readonly memo: Int32Array;
  /** Transitions recalled from the parent's expansion (see `TransitionRecall`): a raw search's only. */
  private readonly recall: TransitionRecall | null;
  /** The memory the recall's share is taken of: `--max-memory`, or the machine's. */
  private readonly recallBudget: number;
  private readonly hasher: StateHasher;
  private readonly successorSums: SuccessorSums;
  /** Lane sums of a successor, and of the state being expanded (the one with id `currentSumsId`). */
  private readonly sums = new Int32Array(2);
  private readonly currentSums = new Int32Array(2);
  private currentSumsId = NO_PARENT;
  /** Id and depth of the state being expanded. */
  private currentId = 0;
  private currentDepth = 0;
  private transitions = 0;
  private maxDepth = 0;
  private limit: LimitKind | null = null;
  private finding: Finding | null = null;
  /** A transition violation is held; finish its level looking for a shorter one. */
  private finishing = false;
  /**
   * Partial-order reduction: the states of the level being expanded, those
   * of it expanded so far, those first stored at the level below, and
   * whether the reduced expansion under way reached a state still to be
   * expanded (new, of the level below, or of this level and not expanded).
   */
  private currentLevel: FingerprintSet | null = null;
  private expandedHere: FingerprintSet | null = null;
  private nextLevel: FingerprintSet | null = null;
  private readonly currentFingerprint = new Int32Array(2);
  private reachesQueue = false;
  /** Settled states (see `expand`), and whether every state the reduced expansion under way reached so far is settled. */
  private readonly settled: FingerprintSet | null = null;
  /** With the proviso checked after the search: what was expanded, and how (see `expand`). */
  private readonly expansions: ExpansionLog | null = null;
  /** The proviso, checked after the search, does not hold (or its log outgrew the memory): search again enforcing it. */
  provisoFailed = false;
  private allSettled = true;
  /** The system's event budget, when states with a larger one stand in for this one (see `EventBudget`). */
  private readonly budget: EventBudget | null;
  private readonly twinSums = new Int32Array(2);
  private readonly twinFingerprint = new Int32Array(2);
  /** The reduction's assumptions failed: this run's `verified` would not be trustworthy. */
  invalidated = false;

  constructor(system: TransitionSystem, options: ExploreOptions, checkProvisoAfter: boolean) {
    this.system = system;
    this.monitor = new SearchMonitor(options);
    this.stateCap = this.monitor.stateCap;
    this.recallBudget = Number.isFinite(this.monitor.maxMemoryBytes) ? this.monitor.maxMemoryBytes : totalmem();
    this.depthCap = options.maxDepth ?? Infinity;
    this.recall = system.recall !== undefined && system.reduction === undefined && system.symmetry === undefined ? system.recall : null;
    this.memo = new Int32Array(this.recall?.entrySlots ?? system.symmetry?.memoSlots ?? 0);
    this.queue = new StateQueue(system.stateSlots, undefined, this.memo.length);
    this.warnings = new WarningLog(options.collectWarnings ?? true);
    this.current = new Int32Array(system.stateSlots);
    this.hasher = new StateHasher(system.stateSlots);
    this.successorSums = new SuccessorSums(this.hasher, system.writes, options.verifyWrites === true);
    if (system.reduction !== undefined && checkProvisoAfter) {
      this.expansions = new ExpansionLog();
    } else if (system.reduction !== undefined) {
      this.nextLevel = new FingerprintSet();
      this.settled = new FingerprintSet();
    }
    // Only with partial-order reduction: without it the search stores the plain state graph (counted against SPIN, and across workers).
    this.budget = system.reduction !== undefined && system.budget !== undefined && system.budget.max > 0 ? system.budget : null;
  }

  run(): SearchResult {
    const { system, queue } = this;
    this.recall?.begin();
    system.writeInitialState(this.current);
    this.currentId = NO_PARENT;
    this.currentDepth = -1;
    this.store(this.current, -1);
    if (this.limit === null) this.limit = this.poll();
    let untilPoll = POLL_INTERVAL_STATES;
    while (this.limit === null && queue.length > 0) {
      if (this.finishing && queue.headDepth() > this.currentDepth) break;
      if (this.nextLevel !== null && queue.headDepth() > this.currentDepth) {
        this.currentLevel = this.nextLevel;
        this.nextLevel = new FingerprintSet();
        this.expandedHere = new FingerprintSet();
      }
      this.currentId = queue.headId();
      this.currentDepth = queue.headDepth();
      // The queue's own copy, not written by the expansion (successors are the system's copies).
      this.current = queue.shift();
      if (this.memo.length > 0) this.system.symmetry?.recall(queue.shiftedMemo);
      this.expand(this.current);
      if (this.finding !== null && !this.finishing) break;
      if (this.invalidated && this.finding === null) break;
      if (--untilPoll === 0) {
        untilPoll = POLL_INTERVAL_STATES;
        if (this.limit === null) this.limit = this.poll();
      }
    }
    if (this.expansions !== null) {
      // A log too large for the memory allowed is no reason to stop: the enforced proviso needs none. Nor is a check
      // whose index would not fit beside the search's structures.
      if (this.limit === 'memory') this.provisoFailed = true;
      else if (this.limit === null && this.finding === null && !this.invalidated) this.provisoFailed = !this.provisoHolds(this.expansions);
    }
    return this.result();
  }

  /**
   * Expands `state`, reduced when the system offers it. The proviso that no
   * transition is postponed forever: from every reduced state a chain of
   * reduced transitions must lead to a full expansion; a transition the
   * persistent sets postponed along the chain stays enabled and is taken
   * there. A search first checks it after the fact: every reduced subset
   * that reaches some state is kept, and the log of the expansions
   * (`ExpansionLog`) is walked when the search ends; a state graph without
   * cycles always passes (every chain ends at a state that cannot go on,
   * which is expanded in full). Only if the check fails does it search again
   * with the proviso enforced, as follows. A reduced expansion keeps its
   * subset if it reaches a state still to be expanded (in the queue: new, of
   * the level below, or of this level and not expanded yet; the
   * breadth-first proviso of Bošnački and Holzmann, SPIN 2005), or if it
   * reaches some states and all are settled: expanded in full, or themselves
   * kept by this second rule. Otherwise it is redone in full, and the state
   * is settled. Why a chain exists: a state kept by the second rule reaches
   * only states expanded before it, so by induction on the order of
   * expansion it reaches a full expansion. Among the states kept by the
   * first rule that reach none, the one expanded last would reach a state
   * expanded after it that reaches none: there is none. (Settled states must
   * not include the first rule's: a chain through one of them may come
   * back.)
   */
  private expand(state: Int32Array): void {
    const reduction = this.system.reduction;
    if (reduction === undefined) {
      if (this.recall !== null) this.recall.expand(state, this, this.queue.shiftedMemo);
      else this.system.expand(state, this);
      return;
    }
    this.reachesQueue = false;
    this.allSettled = true;
    this.currentSumsReady();
    fingerprintOf(this.currentSums[SUM_A], this.currentSums[SUM_B], state.length, this.currentFingerprint);
    this.expandedHere?.add(this.currentFingerprint[FP_HI], this.currentFingerprint[FP_LO]);
    const before = this.transitions;
    this.expansions?.reduced(this.currentFingerprint[FP_HI] as number, this.currentFingerprint[FP_LO] as number);
    const reduced = reduction.expandReduced(state, this, this.queue.shiftedId === this.currentId ? this.queue.shiftedTag : -1);
    if (reduction.invalidated) {
      this.invalidated = true;
      return;
    }
    // (An expansion that reached nothing reaches no full expansion either.)
    const reachedSome = this.transitions > before;
    if (this.expansions !== null) {
      // Checked after the search: the subset is kept whatever it reached (see `ExpansionLog`).
      if (reduced && reachedSome) return;
      this.expansions.fullAfterAll();
      if (reduced && this.mayRedo()) this.redoInFull(state);
      return;
    }
    if (!reachedSome) this.allSettled = false;
    const settled = this.settled as FingerprintSet;
    if (reduced && !this.reachesQueue && !this.allSettled && this.mayRedo()) {
      this.redoInFull(state);
      settled.add(this.currentFingerprint[FP_HI] as number, this.currentFingerprint[FP_LO] as number);
    } else if (!reduced || !this.reachesQueue) {
      settled.add(this.currentFingerprint[FP_HI] as number, this.currentFingerprint[FP_LO] as number);
    }
  }

  /** The check of the proviso after the search (see `expand`), if it fits the memory allowed; false if not. */
  private provisoHolds(expansions: ExpansionLog): boolean {
    const during = this.visited.bytes + this.otherBytes() + expansions.checkBytes;
    if (during > this.monitor.maxMemoryBytes) return false;
    this.monitor.notePeak(during);
    return expansions.everyStateReachesFull();
  }

  /** Whether a reduced expansion may still be redone in full: no limit hit, no violation but one whose level is being finished. */
  private mayRedo(): boolean {
    return this.limit === null && (this.finding === null || this.finishing);
  }

  /** Expands the state being expanded again, in full. */
  private redoInFull(state: Int32Array): void {
    // The same state again: what the symmetry keeps with it holds for this expansion too.
    if (this.memo.length > 0) this.system.symmetry?.recall(this.queue.shiftedMemo);
    this.system.expand(state, this);
  }

  successor(state: Int32Array, transition: number): boolean {
    this.transitions++;
    if (this.finishing) {
      // Not looked up: the expansion is not known to reach only settled states.
      this.allSettled = false;
      return true;
    }
    return this.store(state, transition);
  }

  storedAlready(_transition: number, patch: Int32Array, at: number, runs: number): boolean {
    // Only where `store` would do nothing more with a stored state: the plain search, outside a finishing level.
    if (this.recall === null || this.finishing || this.currentId === NO_PARENT) return false;
    this.currentSumsReady();
    this.hasher.sumsPatched(this.current, this.currentSums[SUM_A] as number, this.currentSums[SUM_B] as number, patch, at, runs, this.sums);
    fingerprintOf(this.sums[SUM_A] as number, this.sums[SUM_B] as number, this.current.length, this.fingerprint);
    if (!this.visited.has(this.fingerprint[FP_HI] as number, this.fingerprint[FP_LO] as number)) return false;
    this.transitions++;
    return true;
  }

  violation(transition: number, code: number): boolean {
    if (transition < 0) {
      // Shorter than any transition violation at this level: final.
      this.finding = findingAt(code, this.log.pathTo(this.currentId), -1);
      this.finishing = false;
      return false;
    }
    if (this.finding === null) {
      this.finding = findingAt(code, this.log.pathTo(this.currentId), transition);
      this.finishing = true;
    }
    // Keep expanding: this state may still violate by itself, more shortly.
    return true;
  }

  warning(transition: number, code: number): void {
    if (!this.warnings.wants(code)) return;
    this.warnings.record(findingAt(code, this.log.pathTo(this.currentId), transition));
  }

  /** Stores `state` if new and queues it one level below the current state. */
  private store(successor: Int32Array, transition: number): boolean {
    const state = this.canonical.of(this.system.symmetry, successor);
    // Hashed incrementally from the state being expanded, whose sums came out of the queue with it.
    const sums = this.sums;
    if (this.currentId === NO_PARENT) {
      this.hasher.sums(state, sums);
    } else {
      this.currentSumsReady();
      this.successorSums.compute(this.current, this.currentSums[SUM_A] as number, this.currentSums[SUM_B] as number, state, sums);
    }
    const fingerprint = this.fingerprint;
    const visited = this.visited;
    fingerprintOf(sums[SUM_A], sums[SUM_B], state.length, fingerprint);
    if (this.budget !== null) {
      // Most successors are stored already; then their twins matter only to the proviso, and their probes (mostly cache misses) are skipped once it has its answer.
      const stored = visited.has(fingerprint[FP_HI], fingerprint[FP_LO]);
      if (stored && !this.provisoAsks()) {
        this.expansions?.edge(fingerprint[FP_HI] as number, fingerprint[FP_LO] as number);
        return true;
      }
      // A state its twin stands in for is still to be expanded if the twin is (the twin can do all it can).
      const twin = this.twinFingerprint;
      if (this.storedWithLargerBudget(state)) {
        // Settled or not: a stored successor by itself, one not stored by the twin that stands in for it.
        const by = stored ? fingerprint : twin;
        this.expansions?.edge(by[FP_HI] as number, by[FP_LO] as number);
        this.noteSettled(by[FP_HI] as number, by[FP_LO] as number);
        this.revisit(twin[FP_HI] as number, twin[FP_LO] as number);
        return true;
      }
    }
    this.expansions?.edge(fingerprint[FP_HI] as number, fingerprint[FP_LO] as number);
    if (!visited.add(fingerprint[FP_HI], fingerprint[FP_LO])) {
      this.noteSettled(fingerprint[FP_HI] as number, fingerprint[FP_LO] as number);
      this.revisit(fingerprint[FP_HI] as number, fingerprint[FP_LO] as number);
      return true;
    }
    this.nextLevel?.add(fingerprint[FP_HI], fingerprint[FP_LO]);
    this.allSettled = false;
    const depth = this.currentDepth + 1;
    if (depth > this.depthCap) return true;
    this.reachesQueue = true;
    if (visited.size > this.stateCap) {
      this.limit = 'states';
      return false;
    }
    if (visited.limitReached) {
      this.limit = 'memory';
      return false;
    }
    if (this.recall !== null) this.recall.writeEntry(this.memo);
    else if (this.memo.length > 0) this.system.symmetry?.writeMemo(this.memo);
    // The state being expanded is the one the queue shifted last (the initial state was never queued).
    const sinceShifted = this.currentId === NO_PARENT ? null : (this.system.writes ?? null);
    this.queue.push(state, this.log.append(this.currentId, transition), depth, sums[SUM_A], sums[SUM_B], this.moverOf(transition), this.memo, sinceShifted);
    if (depth > this.maxDepth) this.maxDepth = depth;
    return true;
  }

  /** With partial-order reduction, the process that made `transition`, numbered as in the stored (canonical) successor. */
  private moverOf(transition: number): number {
    const reduction = this.system.reduction;
    if (reduction === undefined || transition < 0) return -1;
    const mover = reduction.processOf(transition);
    return this.system.symmetry === undefined ? mover : this.system.symmetry.processImage(mover);
  }

  /** Whether the proviso still asks about the successors of this expansion (it has no answer yet). */
  private provisoAsks(): boolean {
    return this.nextLevel !== null && !this.reachesQueue;
  }

  /** A successor already stored: the proviso asks whether it is settled (once it may still matter). */
  private noteSettled(hi: number, lo: number): void {
    if (this.allSettled && !this.reachesQueue && this.settled?.has(hi, lo) !== true) this.allSettled = false;
  }

  /** A successor already stored: the proviso asks whether it is still to be expanded. */
  private revisit(hi: number, lo: number): void {
    if (this.nextLevel === null || this.reachesQueue) return;
    if (this.nextLevel.has(hi, lo) || (this.currentLevel?.has(hi, lo) === true && this.expandedHere?.has(hi, lo) !== true)) this.reachesQueue = true;
  }

  /**
   * Whether `state` (lane sums in `sums`) has a stored twin with a larger
   * event budget (see `EventBudget`); if so, its fingerprint is left in
   * `twinFingerprint`.
   */
  private storedWithLargerBudget(state: Int32Array): boolean {
    const budget = this.budget as EventBudget;
    const left = state[budget.slot] as number;
    for (let more = budget.max; more > left; more--) {
      this.hasher.withWord(this.sums[SUM_A] as number, this.sums[SUM_B] as number, budget.slot, left, more, this.twinSums);
      fingerprintOf(this.twinSums[SUM_A] as number, this.twinSums[SUM_B] as number, state.length, this.twinFingerprint);
      if (this.visited.has(this.twinFingerprint[FP_HI] as number, this.twinFingerprint[FP_LO] as number)) return true;
    }
    return false;
  }

  /** The lane sums of the state being expanded, in `currentSums` (from the queue, or hashed). */
  private currentSumsReady(): void {
    if (this.currentSumsId === this.currentId) return;
    if (this.queue.shiftedId === this.currentId) this.queue.shiftedSums(this.currentSums);
    else this.hasher.sums(this.current, this.currentSums);
    this.currentSumsId = this.currentId;
  }

  private otherBytes(): number {
    const levels = (this.currentLevel?.bytes ?? 0) + (this.expandedHere?.bytes ?? 0) + (this.nextLevel?.bytes ?? 0) + (this.settled?.bytes ?? 0) + (this.expansions?.bytes ?? 0);
    return this.queue.bytes + this.log.bytes + levels + (this.recall?.bytes ?? 0);
  }

  private poll(): LimitKind | null {
    // Recalled transitions trade memory for time: past half the budget (or of the machine's memory), the memory goes to the search.
    if (this.recall !== null && this.recall.bytes > 0 && this.visited.bytes + this.otherBytes() > RECALL_MEMORY_SHARE * this.recallBudget) this.recall.stop();
    return this.monitor.poll(this.visited, this.otherBytes(), this.queue.length, this.transitions, this.maxDepth);
  }

  private result(): SearchResult {
    const stats = this.monitor.stats(this.visited, this.otherBytes(), this.transitions, this.maxDepth);
    const warnings = this.warnings.list();
    if (this.finding !== null) return { kind: 'violation', finding: this.finding, warnings, stats };
    if (this.limit !== null) return { kind: 'incomplete', limit: this.limit, warnings, stats };
    return { kind: 'verified', warnings, stats };
  }
}

/** `result` with the reduction's restart count in its statistics. */
function withRestarts(result: SearchResult, restarts: number): SearchResult {
  return { ...result, stats: { ...result.stats, restarts } };
}
