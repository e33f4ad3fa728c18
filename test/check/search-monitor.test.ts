import { describe, expect, it } from 'vitest';
import { FingerprintSet } from '../../src/check/fingerprint-set.js';
import { SearchMonitor } from '../../src/check/search-monitor.js';
import type { Progress } from '../../src/check/index.js';

const HUGE = 1e15; // a memory budget no process reaches

describe('SearchMonitor', () => {
  it('goes on when nothing is reached, and gives the table what the rest leaves', () => {
    const monitor = new SearchMonitor({ limits: { maxMemoryBytes: HUGE } });
    const visited = new FingerprintSet();
    expect(monitor.poll(visited, 1000, 0, 0, 0)).toBeNull();
    expect(visited.maxBytes).toBe(HUGE - 1000);
    expect(monitor.stateCap).toBe(Infinity);
  });

  it('reports interruption first, then time, then memory', () => {
    const visited = new FingerprintSet();
    expect(new SearchMonitor({ shouldStop: () => true, limits: { timeLimitMs: 0 } }).poll(visited, 0, 0, 0, 0)).toBe('interrupted');
    expect(new SearchMonitor({ limits: { timeLimitMs: 0, maxMemoryBytes: 1 } }).poll(visited, 0, 0, 0, 0)).toBe('time');
    expect(new SearchMonitor({ limits: { maxMemoryBytes: HUGE } }).poll(visited, 2 * HUGE, 0, 0, 0)).toBe('memory');
  });

  it('reports memory once the table was refused growth', () => {
    const visited = new FingerprintSet({ initialCapacity: 16 });
    const monitor = new SearchMonitor({ limits: { maxMemoryBytes: 16 * 8 + 100 } });
    expect(monitor.poll(visited, 100, 0, 0, 0)).not.toBe('time');
    for (let i = 1; i <= 13; i++) visited.add(i, i);
    expect(visited.limitReached).toBe(true);
    expect(monitor.poll(visited, 100, 0, 0, 0)).toBe('memory');
  });

  it('reports progress when due, and statistics', () => {
    const seen: Progress[] = [];
    const monitor = new SearchMonitor({ progressIntervalMs: 0, onProgress: (p) => seen.push(p), limits: { maxStates: 2 } });
    const visited = new FingerprintSet({ initialCapacity: 16 });
    visited.add(1, 1);
    visited.add(2, 2);
    visited.add(3, 3);
    expect(monitor.poll(visited, 64, 5, 7, 3)).toBeNull();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ states: 3, transitions: 7, frontier: 5, depth: 3, memoryBytes: 16 * 8 + 64 });
    const stats = monitor.stats(visited, 0, 7, 3);
    expect(stats).toMatchObject({ states: 2, transitions: 7, depth: 3, peakMemoryBytes: 16 * 8 + 64 });
    expect(stats.bytesPerState).toBeCloseTo(128 / 3);
  });

  it('stays quiet before the first interval', () => {
    let calls = 0;
    const monitor = new SearchMonitor({ progressIntervalMs: 60_000, onProgress: () => calls++ });
    monitor.poll(new FingerprintSet(), 0, 0, 0, 0);
    expect(calls).toBe(0);
  });
});
