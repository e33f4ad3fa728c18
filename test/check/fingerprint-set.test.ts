import { describe, expect, it } from 'vitest';
import { FingerprintSet } from '../../src/check/fingerprint-set.js';
import { prng } from './systems.js';

const key = (hi: number, lo: number): string => (hi >>> 0) + ':' + (lo >>> 0);

describe('FingerprintSet', () => {
  it('behaves like a Set of pairs under many random inserts (seeded)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = prng(seed);
      const set = new FingerprintSet({ initialCapacity: 16 });
      const model = new Set<string>();
      let mismatches = 0;
      for (let i = 0; i < 50_000; i++) {
        // Small domains force duplicates, equal halves, zero halves and collisions in the low bits.
        const hi = random() % 64 === 0 ? 0 : random() % 4096;
        const lo = random() % 64 === 0 ? 0 : (random() & ~0xfff) | (random() % 8);
        const k = key(hi, lo);
        if (set.add(hi, lo) !== !model.has(k)) mismatches++;
        model.add(k);
        if (set.size !== model.size) mismatches++;
      }
      for (let i = 0; i < 5_000; i++) {
        const hi = random() % 4096;
        const lo = (random() & ~0xfff) | (random() % 8);
        if (set.has(hi, lo) !== model.has(key(hi, lo))) mismatches++;
      }
      expect(mismatches).toBe(0);
      expect(set.size).toBe(model.size);
    }
  });

  it('stores the all-zero fingerprint once', () => {
    const set = new FingerprintSet();
    expect(set.has(0, 0)).toBe(false);
    expect(set.add(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
    expect(set.has(0, 0)).toBe(true);
    expect(set.add(0, 1)).toBe(true);
    expect(set.add(1, 0)).toBe(true);
    expect(set.size).toBe(3);
  });

  it('treats signed and unsigned halves alike', () => {
    const set = new FingerprintSet();
    expect(set.add(0xffffffff, 0x80000000)).toBe(true);
    expect(set.add(-1, -0x80000000)).toBe(false);
  });

  it('keeps every entry across growth, at ≤ 3/4 load', () => {
    const set = new FingerprintSet({ initialCapacity: 16 });
    const random = prng(42);
    const pairs: number[] = [];
    let overloaded = 0;
    for (let i = 0; i < 200_000; i++) {
      const hi = random() | 0;
      const lo = random() | 0;
      if (set.add(hi, lo)) pairs.push(hi, lo);
      if (set.size > set.capacity * 0.75) overloaded++;
    }
    expect(overloaded).toBe(0);
    expect(set.size).toBe(pairs.length / 2);
    let missing = 0;
    for (let i = 0; i < pairs.length; i += 2) if (!set.has(pairs[i], pairs[i + 1])) missing++;
    expect(missing).toBe(0);
    // 16 → 24 → 32 → … → 262,144 → 393,216 slots ≥ 200,000 / 0.75.
    expect(set.capacity).toBe(3 << 17);
    expect(set.bytes).toBe(set.capacity * 8);
    expect(set.bytesPerState).toBeCloseTo(set.bytes / set.size, 9);
    expect(set.bytesPerState).toBeLessThanOrEqual(16);
  });

  it('stays at or under 16 bytes a state once past its initial size, whatever the count', () => {
    const set = new FingerprintSet({ initialCapacity: 16 });
    const random = prng(5);
    let over = 0;
    for (let i = 0; i < 100_000; i++) {
      set.add(random() | 0, random() | 0);
      if (set.size > 12 && set.bytesPerState > 16) over++;
    }
    expect(over).toBe(0);
  });

  it('refuses to grow past maxBytes, reports it, and stays exact until full', () => {
    const set = new FingerprintSet({ initialCapacity: 64, maxBytes: 64 * 8 });
    for (let i = 1; i <= 48; i++) expect(set.add(i, i * 7919)).toBe(true);
    expect(set.limitReached).toBe(false);
    expect(set.add(49, 49 * 7919)).toBe(true);
    expect(set.limitReached).toBe(true);
    expect(set.capacity).toBe(64);
    for (let i = 50; i < 64; i++) set.add(i, i * 7919);
    expect(set.size).toBe(63);
    for (let i = 1; i < 64; i++) expect(set.has(i, i * 7919)).toBe(true);
    expect(set.add(5, 5 * 7919)).toBe(false);
    expect(() => set.add(64, 64 * 7919)).toThrow(/full/);
  });

  it('grows again once maxBytes is raised', () => {
    const set = new FingerprintSet({ initialCapacity: 16, maxBytes: 16 * 8 });
    for (let i = 1; i <= 13; i++) set.add(i, i);
    expect(set.limitReached).toBe(true);
    set.maxBytes = Infinity;
    set.add(100, 100);
    expect(set.capacity).toBe(24);
    for (let i = 1; i <= 13; i++) expect(set.has(i, i)).toBe(true);
  });
});
