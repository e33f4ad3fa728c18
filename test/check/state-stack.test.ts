import { describe, expect, it } from 'vitest';
import { StateStack } from '../../src/check/state-stack.js';
import { prng } from './systems.js';

describe('StateStack', () => {
  it('is LIFO across chunk boundaries, carrying transition and depth', () => {
    const stack = new StateStack(2, 8); // 4-slot entries, 2 per chunk
    for (let i = 0; i < 5; i++) stack.push(Int32Array.from([i, i * i]), 10 + i, i);
    expect(stack.length).toBe(5);
    expect(stack.bytes).toBe(3 * 8 * 4);
    const out = new Int32Array(2);
    for (let i = 4; i >= 0; i--) {
      expect(stack.topTransition()).toBe(10 + i);
      expect(stack.topDepth()).toBe(i);
      stack.pop(out);
      expect(Array.from(out)).toEqual([i, i * i]);
    }
    expect(stack.length).toBe(0);
  });

  it('matches an array model under random interleavings', () => {
    const random = prng(11);
    const stack = new StateStack(3, 5 * 4);
    const model: number[] = [];
    const state = new Int32Array(3);
    const out = new Int32Array(3);
    let mismatches = 0;
    for (let i = 0; i < 20_000; i++) {
      if (model.length === 0 || random() % 100 < 52) {
        state.fill(i);
        stack.push(state, i, i & 15);
        model.push(i);
      } else {
        const expected = model.pop() as number;
        if (stack.topTransition() !== expected || stack.topDepth() !== (expected & 15)) mismatches++;
        stack.pop(out);
        if (out[0] !== expected || out[2] !== expected) mismatches++;
      }
      if (stack.length !== model.length) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
