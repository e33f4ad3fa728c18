import { describe, expect, it } from 'vitest';
import { StateStack } from '../../src/check/state-stack.js';
import { prng } from './systems.js';

describe('StateStack', () => {
  it('is LIFO across chunk boundaries, carrying transition, depth and sums', () => {
    // 2-slot states; an entry takes at most 5 + 5 slots, so chunks of 10 slots hold one each.
    const stack = new StateStack(2, 8);
    for (let i = 0; i < 5; i++) stack.push(Int32Array.from([i, i * i]), 10 + i, i, i + 1, -i);
    expect(stack.length).toBe(5);
    expect(stack.bytes).toBe(5 * 10 * 4 + 2 * 4);
    const out = new Int32Array(2);
    const sums = new Int32Array(2);
    for (let i = 4; i >= 0; i--) {
      expect(stack.topTransition()).toBe(10 + i);
      expect(stack.topDepth()).toBe(i);
      stack.topSums(sums);
      expect(Array.from(sums)).toEqual([i + 1, -i | 0]);
      stack.pop(out);
      expect(Array.from(out)).toEqual([i, i * i]);
    }
    expect(stack.length).toBe(0);
    expect(stack.entryBytes).toBe(0);
  });

  it('matches an array model under random interleavings', () => {
    const random = prng(11);
    const stack = new StateStack(3, 40);
    const model: number[][] = [];
    const state = new Int32Array(3);
    const out = new Int32Array(3);
    let mismatches = 0;
    for (let i = 0; i < 20_000; i++) {
      if (model.length === 0 || random() % 100 < 52) {
        state[random() % 3] = random() % 4 === 0 ? 0 : i;
        stack.push(state, i, i & 15, i, -i);
        model.push([i, ...state]);
      } else {
        const expected = model.pop() as number[];
        if (stack.topTransition() !== expected[0] || stack.topDepth() !== (expected[0] & 15)) mismatches++;
        stack.pop(out);
        if (out.join() !== expected.slice(1).join()) mismatches++;
      }
      if (stack.length !== model.length) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
