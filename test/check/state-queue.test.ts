import { describe, expect, it } from 'vitest';
import { StateQueue } from '../../src/check/state-queue.js';
import { prng, scribble } from './systems.js';

describe('StateQueue', () => {
  it('is FIFO across chunk boundaries, carrying id, depth, sums and tag', () => {
    // 3-slot states; an entry takes at most 5 + 7 slots, so chunks of 12 slots hold one each.
    const queue = new StateQueue(3, 10);
    for (let i = 0; i < 7; i++) queue.push(Int32Array.from([i, -i | 0, i * 100]), 1000 + i, i % 3, i * 7, -i, i - 1);
    expect(queue.length).toBe(7);
    // The chunks, plus what an empty queue holds (its coder's reference states and scratch).
    const empty = new StateQueue(3, 10).bytes;
    expect(empty).toBeLessThan(1024);
    expect(queue.bytes).toBe(7 * 12 * 4 + empty);
    const sums = new Int32Array(2);
    for (let i = 0; i < 7; i++) {
      expect(queue.headId()).toBe(1000 + i);
      expect(queue.headDepth()).toBe(i % 3);
      const out = queue.shift();
      expect(Array.from(out)).toEqual([i, -i | 0, i * 100]);
      expect(queue.shiftedId).toBe(1000 + i);
      queue.shiftedSums(sums);
      expect(Array.from(sums)).toEqual([i * 7, -i | 0]);
      expect(queue.shiftedTag).toBe(i - 1);
    }
    expect(queue.length).toBe(0);
    expect(queue.entryBytes).toBe(0);
  });

  it('carries a memo of fixed length with each entry, across chunk boundaries', () => {
    const queue = new StateQueue(3, 10, 2);
    for (let i = 0; i < 7; i++) queue.push(Int32Array.from([i, i, i]), i, 0, 0, 0, -1, Int32Array.from([i * 11, -i | 0]));
    for (let i = 0; i < 7; i++) {
      const out = queue.shift();
      expect(Array.from(out)).toEqual([i, i, i]);
      expect(Array.from(queue.shiftedMemo)).toEqual([i * 11, -i | 0]);
    }
  });

  it('stores siblings as their differences: a few words an entry, not the whole state', () => {
    const queue = new StateQueue(1000);
    const state = new Int32Array(1000);
    for (let i = 0; i < 1000; i += 3) state[i] = i;
    for (let k = 0; k < 100; k++) {
      state[k] = -k;
      queue.push(state, k, 1, 0, 0);
    }
    // The first entry holds the state (334 non-zero words in 334 runs), each next one the word that changed.
    expect(queue.entryBytes).toBeLessThan((5 + 1 + 2 * 334 + 99 * (5 + 3 + 2)) * 4);
    let out = new Int32Array(0);
    for (let k = 0; k < 100; k++) out = queue.shift();
    expect(Array.from(out)).toEqual(Array.from(state));
  });

  it('matches an array model under random interleavings, reusing chunks', () => {
    const random = prng(7);
    const queue = new StateQueue(4, 30);
    const model: number[][] = [];
    const state = new Int32Array(4);
    let next = 0;
    let mismatches = 0;
    for (let i = 0; i < 20_000; i++) {
      if (model.length === 0 || random() % 100 < 55) {
        state[random() % 4] = next;
        state[3] = random() % 5 === 0 ? 0 : -next;
        queue.push(state, next, next >> 1, next, ~next);
        model.push([next, ...state]);
        next++;
      } else {
        const expected = model.shift() as number[];
        if (queue.headId() !== expected[0] || queue.headDepth() !== expected[0] >> 1) mismatches++;
        const out = queue.shift();
        if (out.join() !== expected.slice(1).join()) mismatches++;
      }
      if (queue.length !== model.length) mismatches++;
    }
    expect(mismatches).toBe(0);
    // Consumed chunks are released: what is held is what the live entries need, plus a spare.
    expect(queue.bytes).toBeLessThanOrEqual((queue.entryBytes / 4 / 30 + 2) * 2 * 30 * 4 + new StateQueue(4, 30).bytes);
  });

  it('decodes a successor encoded from its write log as one encoded by comparing it whole', () => {
    // A breadth-first search's pattern: shift a parent, push a few successors that differ from it where their
    // (sometimes overlapping, sometimes spurious) ranges say; the second queue is told the ranges.
    const random = prng(11);
    const slots = 300;
    const whole = new StateQueue(slots, 2000);
    const logged = new StateQueue(slots, 2000);
    const parent = new Int32Array(slots);
    const child = new Int32Array(slots);
    const log = { target: child as Int32Array | null, count: 0, ranges: new Int32Array(16) };
    whole.push(parent, 0, 0, 0, 0);
    logged.push(parent, 0, 0, 0, 0);
    let next = 1;
    let mismatches = 0;
    for (let round = 0; round < 3000 && whole.length > 0; round++) {
      const fromWhole = whole.shift();
      const fromLogged = logged.shift();
      if (fromWhole.join() !== fromLogged.join()) mismatches++;
      parent.set(fromWhole);
      const children = whole.length > 200 ? random() % 2 : 1 + (random() % 3);
      for (let k = 0; k < children; k++) {
        child.set(parent);
        scribble(random, child, log, 4, 12);
        whole.push(child, next, 1, 0, 0);
        logged.push(child, next, 1, 0, 0, -1, null, log);
        next++;
      }
      // Pushing leaves the state shifted last as it was.
      if (fromLogged.join() !== parent.join()) mismatches++;
      // Runs come in the log's order, so they may take more tokens, never more than one per literal.
      if (logged.entryBytes > 2 * whole.entryBytes) mismatches++;
    }
    expect(next).toBeGreaterThan(2000);
    expect(mismatches).toBe(0);
  });
});

