import { describe, expect, it } from 'vitest';
import { StateQueue } from '../../src/check/state-queue.js';
import { prng } from './systems.js';

describe('StateQueue', () => {
  it('is FIFO across chunk boundaries, carrying id and depth', () => {
    // 3-slot states, 5-slot entries, chunks of 2 entries (chunkSlots 10).
    const queue = new StateQueue(3, 10);
    for (let i = 0; i < 7; i++) queue.push(Int32Array.from([i, -i | 0, i * 100]), 1000 + i, i % 3);
    expect(queue.length).toBe(7);
    expect(queue.bytes).toBe(4 * 10 * 4);
    const out = new Int32Array(3);
    for (let i = 0; i < 7; i++) {
      expect(queue.headId()).toBe(1000 + i);
      expect(queue.headDepth()).toBe(i % 3);
      queue.shift(out);
      expect(Array.from(out)).toEqual([i, -i | 0, i * 100]);
    }
    expect(queue.length).toBe(0);
  });

  it('matches an array model under random interleavings, reusing chunks', () => {
    const random = prng(7);
    const queue = new StateQueue(4, 6 * 3);
    const model: number[][] = [];
    const state = new Int32Array(4);
    const out = new Int32Array(4);
    let next = 0;
    let mismatches = 0;
    for (let i = 0; i < 20_000; i++) {
      if (model.length === 0 || random() % 100 < 55) {
        state.fill(next);
        state[3] = -next;
        queue.push(state, next, next >> 1);
        model.push([next, next, next, -next]);
        next++;
      } else {
        const expected = model.shift() as number[];
        if (queue.headId() !== expected[0] || queue.headDepth() !== expected[0] >> 1) mismatches++;
        queue.shift(out);
        if (out.join() !== expected.join()) mismatches++;
      }
      if (queue.length !== model.length) mismatches++;
    }
    expect(mismatches).toBe(0);
    // Consumed chunks are released: what is held is what the live entries need, plus a spare.
    expect(queue.bytes).toBeLessThanOrEqual((Math.ceil(model.length / 3) + 2) * 3 * 6 * 4);
  });
});
