import { describe, expect, it } from 'vitest';
import { NO_PARENT, PathLog } from '../../src/check/path-log.js';

describe('PathLog', () => {
  it('gives dense ids and rebuilds paths from the root', () => {
    const log = new PathLog();
    //      0
    //   a/   \b
    //   1     2
    //   |c
    //   3
    expect(log.append(NO_PARENT, -1)).toBe(0);
    expect(log.append(0, 10)).toBe(1);
    expect(log.append(0, 11)).toBe(2);
    expect(log.append(1, 12)).toBe(3);
    expect(log.size).toBe(4);
    expect(log.pathTo(0)).toEqual([]);
    expect(log.pathTo(2)).toEqual([11]);
    expect(log.pathTo(3)).toEqual([10, 12]);
    expect(log.parentOf(3)).toBe(1);
    expect(log.transitionOf(3)).toBe(12);
  });

  it('follows chains across chunks; 8 bytes a state per chunk', () => {
    const log = new PathLog();
    log.append(NO_PARENT, -1);
    const n = 100_000;
    for (let i = 1; i < n; i++) log.append(i - 1, i % 7);
    const path = log.pathTo(n - 1);
    expect(path.length).toBe(n - 1);
    expect(path[0]).toBe(1);
    expect(path[n - 2]).toBe((n - 1) % 7);
    expect(log.bytes).toBe(Math.ceil(n / 32768) * 32768 * 8);
  });
});
