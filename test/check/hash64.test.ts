import { describe, expect, it } from 'vitest';
import { FP_HI, FP_LO, collisionProbability, hash64 } from '../../src/check/hash64.js';
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
