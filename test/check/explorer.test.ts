import { describe, expect, it } from 'vitest';
import { BreadthFirstExplorer, DepthFirstExplorer, NO_LIMITS } from '../../src/check/index.js';
import type { Explorer } from '../../src/check/index.js';
import { counterSystem, graphSystem, lostUpdateSystem } from './systems.js';

const explorers: readonly Explorer[] = [new BreadthFirstExplorer(), new DepthFirstExplorer()];

describe('Explorer', () => {
  it('has one named implementation per strategy', () => {
    expect(explorers.map((e) => e.name)).toEqual(['bfs', 'dfs']);
  });

  it.each(explorers.map((e) => [e.name, e] as const))('%s: reaches the same verdicts, with or without NO_LIMITS', (_name, explorer) => {
    for (const options of [{}, { limits: NO_LIMITS }]) {
      expect(explorer.explore(counterSystem(50), options).kind).toBe('verified');
      expect(explorer.explore(lostUpdateSystem(), options).kind).toBe('violation');
      expect(explorer.explore(graphSystem({ edges: [[0]] }), options).stats.states).toBe(1);
    }
  });

  it('keeps no state between searches', () => {
    for (const explorer of explorers) {
      const first = explorer.explore(counterSystem(30));
      const second = explorer.explore(counterSystem(30));
      expect(second.stats.states).toBe(first.stats.states);
      expect(second.stats.transitions).toBe(first.stats.transitions);
    }
  });
});
