import { describe, expect, it } from 'vitest';
import { applyDelta, encodeDelta, maxDeltaWords } from '../../src/check/state-delta.js';
import { prng } from './systems.js';

/** Encodes `state` against `reference` (copied), checks both directions, returns the words written. */
function roundTrip(state: Int32Array, reference: Int32Array): number {
  const before = reference.slice();
  const ref = reference.slice();
  const out = new Int32Array(maxDeltaWords(state.length) + 3).fill(0x5a5a5a5a);
  const written = encodeDelta(state, ref, out, 2);
  expect(written).toBeLessThanOrEqual(maxDeltaWords(state.length));
  expect(Array.from(ref)).toEqual(Array.from(state));
  // Forward: reference → state; the words around the entry are untouched.
  const target = before.slice();
  expect(applyDelta(out, 2, target)).toBe(2 + written);
  expect(Array.from(target)).toEqual(Array.from(state));
  // Backward: state → reference (how the stack pops).
  applyDelta(out, 2, target);
  expect(Array.from(target)).toEqual(Array.from(before));
  expect(out[0]).toBe(0x5a5a5a5a);
  expect(out[2 + written]).toBe(0x5a5a5a5a);
  return written;
}

describe('state delta', () => {
  it('encodes an unchanged state in one word and a single change in three', () => {
    const state = Int32Array.from([0, 5, -1, 0]);
    expect(roundTrip(state, state.slice())).toBe(1);
    expect(roundTrip(Int32Array.from([0, 5, 7, 0]), state)).toBe(3);
    expect(roundTrip(new Int32Array(0), new Int32Array(0))).toBe(1);
  });

  it('round-trips the edge cases: every word changed, alternating, extremes, end of vector', () => {
    const n = 50;
    const zeros = new Int32Array(n);
    const all = Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1 : 0x80000000 | 0));
    expect(roundTrip(all, zeros)).toBe(n + 2);
    const alternating = Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0 : 0x7fffffff));
    expect(roundTrip(alternating, zeros)).toBe(1 + n);
    const last = zeros.slice();
    last[n - 1] = 1;
    expect(roundTrip(last, zeros)).toBe(3);
    expect(roundTrip(zeros, all)).toBe(n + 2);
  });

  it('splits zero runs and literal runs longer than a token holds', () => {
    const n = 70_000 * 2 + 10;
    const zeros = new Int32Array(n);
    const farAway = zeros.slice();
    farAway[n - 1] = 3;
    // Two long skips of 65535 each, then the token with the rest and the literal.
    expect(roundTrip(farAway, zeros)).toBe(1 + 2 + 1 + 1);
    const dense = Int32Array.from({ length: n }, (_, i) => i + 1);
    expect(roundTrip(dense, zeros)).toBe(1 + Math.ceil(n / 0xffff) + n);
  });

  it('round-trips random sparse changes against random references', () => {
    const random = prng(3);
    let words = 0;
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + (random() % 300);
      const reference = Int32Array.from({ length: n }, () => (random() % 3 === 0 ? random() | 0 : 0));
      const state = reference.slice();
      const changes = random() % 12;
      for (let k = 0; k < changes; k++) state[random() % n] = random() % 4 === 0 ? 0 : random() | 0;
      words += roundTrip(state, reference);
    }
    expect(words).toBeGreaterThan(500);
  });
});
