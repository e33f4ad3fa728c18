/**
 * The live progress line of a long search, with an estimate of the total
 * once one can be made.
 *
 * The estimate reads only `Progress` samples. A search ends when its
 * frontier is empty; the states expanded so far are `states - frontier`.
 * Over the last few seconds, each expanded state added `rho` new states on
 * average. While `rho >= 1` the frontier grows and nothing can be said
 * (the search is still widening: BFS levels still grow). Once the frontier
 * shrinks (`rho < 1`: level sizes fall level over level), extrapolating
 * that ratio gives `frontier / (1 - rho)` expansions left, adding
 * `rho * frontier / (1 - rho)` states, at the measured expansion rate. The
 * ratio keeps falling as a search saturates, so the estimate errs long and
 * tightens as the search goes on.
 */
import type { Progress } from '../check/index.js';

/** The expected end of a search. */
export interface SearchEstimate {
  /** Expected distinct states in all. */
  readonly totalStates: number;
  /** Expected seconds still to run. */
  readonly secondsLeft: number;
}

interface Sample {
  readonly seconds: number;
  readonly states: number;
  readonly expanded: number;
}

/** The samples an estimate compares: the newest against one about this old. */
const WINDOW_SECONDS = 2;
/** Below this, the frontier is not shrinking enough to say when it empties. */
const MAX_RHO = 0.9;

/** Turns a stream of `Progress` samples into estimates; one per search. */
export class ProgressEstimator {
  private readonly samples: Sample[] = [];

  /** Records `p` and returns the current estimate, or null while none can be made. */
  observe(p: Progress): SearchEstimate | null {
    const now: Sample = { seconds: p.seconds, states: p.states, expanded: Math.max(0, p.states - p.frontier) };
    this.samples.push(now);
    while (this.samples.length > 2 && (this.samples[1] as Sample).seconds <= now.seconds - WINDOW_SECONDS) this.samples.shift();
    const then = this.samples[0] as Sample;
    const expanded = now.expanded - then.expanded;
    const elapsed = now.seconds - then.seconds;
    if (expanded <= 0 || elapsed < WINDOW_SECONDS / 2) return null;
    const rho = (now.states - then.states) / expanded;
    if (rho >= MAX_RHO) return null;
    const expansionsLeft = p.frontier / (1 - rho);
    return { totalStates: Math.round(p.states + rho * expansionsLeft), secondsLeft: expansionsLeft / (expanded / elapsed) };
  }
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** `1.2M`, `35k`, `812`: a count for a line that must stay short. */
export function shortCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toPrecision(3)}G`;
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return int(n);
}

/** `42 s`, `3 min 5 s`, `2 h 10 min`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The progress line (without the carriage return): counts, rate, frontier, depth, memory, time, and the estimate if any. */
export function formatProgress(p: Progress, estimate: SearchEstimate | null): string {
  const rate = p.states / Math.max(p.seconds, 0.001);
  const head = `${int(p.states)} states, ${int(rate)}/s, frontier ${int(p.frontier)}, depth ${p.depth}, ${(p.memoryBytes / 1048576).toFixed(0)} MiB, ${p.seconds.toFixed(1)} s`;
  if (estimate === null) return head;
  return `${head}; expect ~${shortCount(estimate.totalStates)} states, ~${duration(estimate.secondsLeft)} left`;
}
