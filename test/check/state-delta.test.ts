import { describe, expect, it } from 'vitest';
import { applyDelta, DeltaCoder, encodeDelta, encodeDeltaWithin, maxDeltaWords, RangeList } from '../../src/check/state-delta.js';
import { prng, scribble } from './systems.js';

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

  it('addresses far positions in one token and splits runs longer than a token holds', () => {
    const n = 70_000 * 2 + 10;
    const zeros = new Int32Array(n);
    const farAway = zeros.slice();
    farAway[n - 1] = 3;
    expect(roundTrip(farAway, zeros)).toBe(1 + 1 + 1);
    const dense = Int32Array.from({ length: n }, (_, i) => i + 1);
    expect(roundTrip(dense, zeros)).toBe(1 + Math.ceil(n / 0xff) + n);
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

  it('encodes from known ranges what comparing whole encodes, whatever their order and overlaps', () => {
    const random = prng(5);
    const n = 700;
    const first = new RangeList(8);
    const second = new RangeList(8);
    for (let trial = 0; trial < 400; trial++) {
      const reference = Int32Array.from({ length: n }, () => (random() % 4 === 0 ? random() | 0 : 0));
      const state = reference.slice();
      first.clear();
      second.clear();
      // Changes only inside the ranges; long ranges (past a token's 255 words) and repeats among them.
      for (const list of [first, second]) {
        for (let r = random() % 5; r > 0; r--) {
          const start = random() % n;
          const end = Math.min(n, start + 1 + (random() % 4 === 0 ? random() % 400 : random() % 9));
          list.add(start, end);
          for (let i = start; i < end; i++) if (random() % 3 !== 0) state[i] = random() % 3 === 0 ? 0 : random() | 0;
        }
      }
      if (trial % 10 === 0) first.add(0, n);
      const ref = reference.slice();
      const out = new Int32Array(maxDeltaWords(n));
      const written = encodeDeltaWithin(state, ref, out, 0, first, second);
      expect(written).toBeLessThanOrEqual(maxDeltaWords(n));
      expect(Array.from(ref)).toEqual(Array.from(state));
      const target = reference.slice();
      const changed = new RangeList(n);
      expect(applyDelta(out, 0, target, changed)).toBe(written);
      expect(Array.from(target)).toEqual(Array.from(state));
      // The decoder reports every position it changed.
      for (let i = 0; i < n; i++) {
        if (state[i] === reference[i]) continue;
        let covered = false;
        for (let k = 0; k < changed.count && !covered; k++) covered = i >= (changed.ranges[2 * k] as number) && i < (changed.ranges[2 * k + 1] as number);
        expect(covered).toBe(true);
      }
      // Never larger than the whole comparison's encoding by more than a token per literal.
      const whole = new Int32Array(maxDeltaWords(n));
      const wholeWritten = encodeDelta(state, reference.slice(), whole, 0);
      expect(written).toBeLessThanOrEqual(2 * wholeWritten);
    }
  });

  it('keeps ranges up to its capacity or word bound and then stands for every position', () => {
    const list = new RangeList(2);
    list.add(3, 5);
    list.add(9, 10);
    expect([list.count, list.all]).toEqual([2, false]);
    list.add(1, 2);
    expect(list.all).toBe(true);
    list.clear();
    expect([list.count, list.all]).toEqual([0, false]);
    // Or once the words it covers (overlaps counted) pass its bound.
    const bounded = new RangeList(8, 10);
    bounded.add(0, 6);
    bounded.add(2, 6);
    expect(bounded.all).toBe(false);
    bounded.add(9, 10);
    expect(bounded.all).toBe(true);
  });

  it('codes a level read from one stream and written to another (a parallel worker), restarting at chunk starts', () => {
    // Parents arrive encoded against each other; each has children that differ where their logs say, and
    // the coder writes them to a second stream. Both streams restart from zeros now and then.
    const random = prng(17);
    const slots = 200;
    const coder = new DeltaCoder(slots);
    const parents: Int32Array[] = [];
    let parent = new Int32Array(slots);
    for (let k = 0; k < 600; k++) {
      parent = parent.slice();
      for (let r = random() % 6; r > 0; r--) parent[random() % slots] = random() % 7;
      parents.push(parent);
    }
    const input = new Int32Array(parents.length * maxDeltaWords(slots));
    const inputStarts: number[] = [];
    const inputReference = new Int32Array(slots);
    let at = 0;
    for (const [k, state] of parents.entries()) {
      if (k % 50 === 0) inputReference.fill(0);
      inputStarts.push(at);
      at += encodeDelta(state, inputReference, input, at);
    }
    const output = new Int32Array(4 * parents.length * maxDeltaWords(slots));
    const children: Int32Array[] = [];
    const restarts = new Set<number>();
    const log = { target: null as Int32Array | null, count: 0, ranges: new Int32Array(16) };
    let out = 0;
    for (const [k, start] of inputStarts.entries()) {
      if (k % 50 === 0) coder.restartDecoding();
      coder.decode(input, start);
      expect(Array.from(coder.decoded)).toEqual(Array.from(parents[k] as Int32Array));
      for (let n = random() % 4; n > 0; n--) {
        const child = coder.decoded.slice();
        log.target = random() % 20 === 0 ? null : child;
        scribble(random, child, log, 3, 10);
        if (random() % 40 === 0) {
          coder.restartEncoding();
          restarts.add(children.length);
        }
        children.push(child);
        out += coder.encode(child, log, output, out);
      }
    }
    // Reading the second stream back from zeros (and from zeros at each restart) gives the children.
    const reader = new Int32Array(slots);
    let p = 0;
    for (const [k, child] of children.entries()) {
      if (restarts.has(k)) reader.fill(0);
      p = applyDelta(output, p, reader);
      expect(Array.from(reader)).toEqual(Array.from(child));
    }
    expect(p).toBe(out);
    expect(children.length).toBeGreaterThan(700);
  });
});
