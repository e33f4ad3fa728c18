/**
 * The live progress line and its estimate: no estimate while the frontier
 * grows, an estimate that converges on the truth while it shrinks
 * steadily, and a line with the promised fields.
 */
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/check/index.js';
import { duration, formatProgress, ProgressEstimator, shortCount } from '../../src/report/index.js';

const progress = (seconds: number, states: number, frontier: number): Progress => ({ states, transitions: states * 3, frontier, depth: Math.round(seconds * 10), seconds, memoryBytes: 64 * 1048576 });

/**
 * A search that expands `rate` states a second, each adding `rho` new
 * states, from a frontier of `frontier0`: it ends when the frontier is empty.
 */
function simulate(rho: number, frontier0: number, rate: number, seconds: number): Progress[] {
  const out: Progress[] = [];
  for (let t = 0.25; t <= seconds; t += 0.25) {
    const expanded = rate * t;
    const frontier = Math.max(0, frontier0 - (1 - rho) * expanded);
    out.push(progress(t, Math.round(expanded + frontier), Math.round(frontier)));
  }
  return out;
}

describe('ProgressEstimator', () => {
  it('makes no estimate while the frontier grows', () => {
    const e = new ProgressEstimator();
    for (const p of simulate(1.5, 1000, 10_000, 10)) expect(e.observe(p)).toBeNull();
  });

  it('makes no estimate before it has watched for a while', () => {
    const e = new ProgressEstimator();
    expect(e.observe(progress(1, 10_000, 5_000))).toBeNull();
  });

  it('estimates the total and the time left from a steadily shrinking frontier', () => {
    // rho 0.5 from a frontier of 200,000 at 20,000 expansions/s: 400,000 expansions in all, 20 s.
    const e = new ProgressEstimator();
    let last = null;
    for (const p of simulate(0.5, 200_000, 20_000, 10)) last = e.observe(p) ?? last;
    expect(last).not.toBeNull();
    expect(last?.totalStates).toBeGreaterThan(390_000);
    expect(last?.totalStates).toBeLessThan(410_000);
    expect(last?.secondsLeft).toBeGreaterThan(9);
    expect(last?.secondsLeft).toBeLessThan(11);
  });
});

describe('formatProgress', () => {
  it('shows states, rate, frontier, depth, memory and time, then the estimate when there is one', () => {
    const p = progress(12, 1_234_567, 45_000);
    expect(formatProgress(p, null)).toBe('1,234,567 states, 102,881/s, frontier 45,000, depth 120, 64 MiB, 12.0 s');
    expect(formatProgress(p, { totalStates: 2_500_000, secondsLeft: 75 })).toBe('1,234,567 states, 102,881/s, frontier 45,000, depth 120, 64 MiB, 12.0 s; expect ~2.50M states, ~1 min 15 s left');
  });

  it('writes counts and durations short', () => {
    expect([shortCount(812), shortCount(35_400), shortCount(1_234_567), shortCount(3.2e9)]).toEqual(['812', '35k', '1.23M', '3.20G']);
    expect([duration(42.4), duration(185), duration(7800)]).toEqual(['42 s', '3 min 5 s', '2 h 10 min']);
  });
});
