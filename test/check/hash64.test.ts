import { describe, expect, it } from 'vitest';
import { FP_HI, FP_LO, SUM_A, SUM_B, StateHasher, collisionProbability, fingerprintOf, hash64 } from '../../src/check/hash64.js';
import { BreadthFirstExplorer, DepthFirstExplorer } from '../../src/check/index.js';
import { counterSystem } from './systems.js';

function fingerprint(words: number[]): [number, number] {
  const out = new Int32Array(2);
  hash64(Int32Array.from(words), out);
  return [out[FP_HI], out[FP_LO]];
}

describe('hash64', () => {
  it('is deterministic and writes only the two halves', () => {
    const out = new Int32Array(3);
    out[2] = 77;
    hash64(Int32Array.from([1, 2, 3]), out);
    const first = [out[0], out[1]];
    hash64(Int32Array.from([1, 2, 3]), out);
    expect([out[0], out[1]]).toEqual(first);
    expect(out[2]).toBe(77);
  });

  it('depends on every slot and on the length', () => {
    const base = new Array<number>(16).fill(0);
    const seen = new Set<string>([fingerprint(base).join()]);
    for (let i = 0; i < base.length; i++) {
      for (const value of [1, -1, 0x80000000 | 0]) {
        const words = base.slice();
        words[i] = value;
        seen.add(fingerprint(words).join());
      }
    }
    expect(seen.size).toBe(1 + 16 * 3);
    // A flag in the top bit, or any single bit, hashes apart at every position.
    const bits = new Set<string>();
    for (let i = 0; i < base.length; i++) {
      for (let bit = 0; bit < 32; bit++) {
        const words = base.slice();
        words[i] = (1 << bit) | 0;
        bits.add(fingerprint(words).join());
      }
    }
    expect(bits.size).toBe(16 * 32);
    expect(fingerprint([0])).not.toEqual(fingerprint([0, 0]));
    expect(fingerprint([])).not.toEqual(fingerprint([0]));
  });

  it('has no 64-bit collision and near-ideal 32-bit ones on structured states', () => {
    // 4 small counters and their permutations: the shape of real state vectors.
    const n = 21;
    const out = new Int32Array(2);
    const words = new Int32Array(6);
    const full = new Set<string>();
    const his = new Set<number>();
    const los = new Set<number>();
    const buckets = new Int32Array(1024);
    let count = 0;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let c = 0; c < n; c++) for (let d = 0; d < n; d++) {
      words[1] = a;
      words[2] = b;
      words[3] = c;
      words[4] = d;
      hash64(words, out);
      full.add(out[0] + ',' + out[1]);
      his.add(out[0]);
      los.add(out[1]);
      buckets[out[1] & 1023]++;
      count++;
    }
    expect(full.size).toBe(count);
    // Expected 32-bit collisions among 194,481 values: about n²/2³³ ≈ 4.4.
    expect(count - his.size).toBeLessThan(30);
    expect(count - los.size).toBeLessThan(30);
    // Low bits of `lo` spread evenly (a plain `lo & mask` table would rely on it).
    const mean = count / buckets.length;
    for (const b of buckets) {
      expect(b).toBeGreaterThan(mean * 0.7);
      expect(b).toBeLessThan(mean * 1.3);
    }
  });
});

describe('StateHasher', () => {
  const random = (seed: number): (() => number) => {
    let x = seed | 0;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x | 0;
    };
  };

  it('gives the fingerprint hash64 gives, through fingerprintOf', () => {
    const next = random(5);
    for (const slots of [0, 1, 3, 8, 9, 17, 100]) {
      const hasher = new StateHasher(slots);
      const words = new Int32Array(slots);
      for (let i = 0; i < slots; i++) words[i] = i % 3 === 0 ? 0 : next();
      const sums = new Int32Array(2);
      hasher.sums(words, sums);
      const viaSums = new Int32Array(2);
      fingerprintOf(sums[SUM_A], sums[SUM_B], slots, viaSums);
      const direct = new Int32Array(2);
      hash64(words, direct);
      expect(Array.from(viaSums)).toEqual(Array.from(direct));
    }
  });

  it('updates sums from a base exactly as it sums from scratch, however many words differ', () => {
    const next = random(9);
    const slots = 37;
    const hasher = new StateHasher(slots);
    const base = new Int32Array(slots);
    const words = new Int32Array(slots);
    const baseSums = new Int32Array(2);
    const fromBase = new Int32Array(2);
    const fromScratch = new Int32Array(2);
    let mismatches = 0;
    for (let trial = 0; trial < 2000; trial++) {
      for (let i = 0; i < slots; i++) base[i] = next() % 4 === 0 ? next() : 0;
      words.set(base);
      const changes = trial % 40;
      for (let k = 0; k < changes; k++) words[(next() >>> 0) % slots] = next() % 3 === 0 ? 0 : next() % 7;
      hasher.sums(base, baseSums);
      hasher.sumsFrom(base, baseSums[SUM_A], baseSums[SUM_B], words, fromBase);
      hasher.sums(words, fromScratch);
      if (fromBase[SUM_A] !== fromScratch[SUM_A] || fromBase[SUM_B] !== fromScratch[SUM_B]) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('updates sums over overlapping ranges of changed words exactly as it sums from scratch', () => {
    const next = random(11);
    const slots = 41;
    const hasher = new StateHasher(slots);
    const base = new Int32Array(slots);
    const words = new Int32Array(slots);
    const ranges = new Int32Array(16);
    const baseSums = new Int32Array(2);
    const overRanges = new Int32Array(2);
    const fromScratch = new Int32Array(2);
    let mismatches = 0;
    for (let trial = 0; trial < 2000; trial++) {
      for (let i = 0; i < slots; i++) base[i] = next() % 4 === 0 ? next() : 0;
      words.set(base);
      // Up to eight ranges, overlapping at random; every word inside may change (or be written back unchanged).
      const count = 1 + (trial % 8);
      for (let k = 0; k < count; k++) {
        const start = (next() >>> 0) % slots;
        const end = Math.min(slots, start + 1 + ((next() >>> 0) % 6));
        ranges[2 * k] = start;
        ranges[2 * k + 1] = end;
        for (let i = start; i < end; i++) if (next() % 2 === 0) words[i] = next() % 5;
      }
      hasher.sums(base, baseSums);
      hasher.sumsOver(base, baseSums[SUM_A], baseSums[SUM_B], words, ranges, count, overRanges);
      hasher.sums(words, fromScratch);
      if (overRanges[SUM_A] !== fromScratch[SUM_A] || overRanges[SUM_B] !== fromScratch[SUM_B]) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('keeps states that differ by moving a value, or swapping two, apart', () => {
    // The shape of symmetric per-CPU layouts: the same values at shifted positions.
    const slots = 64;
    const words = new Int32Array(slots);
    const seen = new Set<string>();
    const out = new Int32Array(2);
    let count = 0;
    for (let i = 0; i < slots; i++) {
      for (let j = 0; j < slots; j++) {
        if (i === j) continue;
        for (const [x, y] of [[1, 2], [2, 1], [-1, 0x80000000 | 0], [0x80000000 | 0, 1]] as const) {
          words.fill(0);
          words[i] = x;
          words[j] = y;
          hash64(words, out);
          seen.add(out[0] + ',' + out[1]);
          count++;
        }
      }
    }
    // Values (1, 2) at (i, j) and (2, 1) at (j, i) are one state: those are met twice.
    expect(seen.size).toBe(count - slots * (slots - 1));
  });
});

describe('collisionProbability', () => {
  it('is the birthday estimate n(n − 1) / 2⁶⁵ for 64-bit fingerprints', () => {
    expect(collisionProbability(0)).toBe(0);
    expect(collisionProbability(1)).toBe(0);
    expect(collisionProbability(2)).toBeCloseTo(2 / 2 ** 65, 30);
    expect(collisionProbability(1e6)).toBeCloseTo(2.71e-8, 10);
    expect(collisionProbability(1e8)).toBeCloseTo(2.71e-4, 6);
    // Saturates at 1 instead of passing it.
    expect(collisionProbability(2 ** 33)).toBeGreaterThan(0.8);
    expect(collisionProbability(2 ** 40)).toBe(1);
  });

  it('is in the statistics of every search', () => {
    const result = new BreadthFirstExplorer().explore(counterSystem(1000));
    expect(result.stats.collisionProbability).toBe(collisionProbability(1000));
    expect(new DepthFirstExplorer().explore(counterSystem(1000)).stats.collisionProbability).toBe(collisionProbability(1000));
  });
});
