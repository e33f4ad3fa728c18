/**
 * The log of a search's expansions answers whether every state that kept
 * a reduced subset reaches a full expansion through the transitions it
 * logged: the proviso, checked after the search.
 */
import { describe, expect, it } from 'vitest';
import { ExpansionLog } from '../../src/check/expansion-log.js';

/** A log of states numbered by their fingerprint's low half: `full` lists the full ones, `edges` the reduced ones' transitions. */
function logOf(full: readonly number[], edges: ReadonlyMap<number, readonly number[]>): ExpansionLog {
  const log = new ExpansionLog();
  for (const s of full) log.full(7, s);
  for (const [s, targets] of edges) {
    log.reduced(7, s);
    for (const t of targets) log.edge(7, t);
  }
  return log;
}

describe('ExpansionLog.everyStateReachesFull', () => {
  it('holds when chains of reduced transitions end at full expansions', () => {
    expect(logOf([9], new Map([[1, [2]], [2, [3, 1]], [3, [9]]])).everyStateReachesFull()).toBe(true);
  });

  it('fails on a cycle of reduced states that leads nowhere else', () => {
    expect(logOf([9], new Map([[1, [2]], [2, [1]], [3, [9]]])).everyStateReachesFull()).toBe(false);
  });

  it('does not count a state that was never expanded', () => {
    expect(logOf([], new Map([[1, [5]]])).everyStateReachesFull()).toBe(false);
  });

  it('takes a reduced expansion redone in full as full, with none of its transitions', () => {
    const log = new ExpansionLog();
    log.reduced(7, 1);
    log.edge(7, 2);
    log.fullAfterAll();
    log.reduced(7, 2);
    log.edge(7, 1);
    expect(log.everyStateReachesFull()).toBe(true);
  });

  it('keeps an expansion with many transitions whole across its chunks', () => {
    const log = new ExpansionLog();
    log.full(7, 0);
    // About 2.5 chunks of transitions, each state reaching the one before it.
    for (let s = 1; s <= 3000; s++) {
      log.reduced(7, s);
      for (let k = 0; k < 100; k++) log.edge(7, s - 1);
    }
    expect(log.everyStateReachesFull()).toBe(true);
    log.reduced(7, 5000);
    log.edge(7, 5001);
    expect(log.everyStateReachesFull()).toBe(false);
  });
});

describe('ExpansionLog.checkBytes', () => {
  it('grows with the transitions the check reverses, not with those of expansions redone in full', () => {
    const log = logOf([9], new Map([[1, [2, 3]]]));
    const withTwo = log.checkBytes;
    log.reduced(7, 4);
    for (const t of [1, 2, 3]) log.edge(7, t);
    const withFive = log.checkBytes;
    log.fullAfterAll();
    // Three expansions now, the third full: its three transitions are not reversed.
    expect(withFive - withTwo).toBe(13 + 3 * 4);
    expect(log.checkBytes).toBe(withTwo + 13);
    expect(log.everyStateReachesFull()).toBe(false);
  });

  it('covers the index of a large search: about 37 bytes an expansion at least', () => {
    const log = logOf(Array.from({ length: 100_000 }, (_, i) => i + 1), new Map());
    expect(log.checkBytes).toBeGreaterThanOrEqual(100_000 * (24 + 13));
  });
});
