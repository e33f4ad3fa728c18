import { describe, expect, it } from 'vitest';
import { WarningLog, findingAt } from '../../src/check/warning-log.js';

describe('findingAt', () => {
  it('appends a violating transition, not a state finding', () => {
    expect(findingAt(1, [4, 5], 6)).toEqual({ code: 1, path: [4, 5, 6], transition: 6 });
    expect(findingAt(1, [4, 5], -1)).toEqual({ code: 1, path: [4, 5], transition: -1 });
  });
});

describe('WarningLog', () => {
  it('keeps the first finding of each code, in order found', () => {
    const log = new WarningLog(true);
    log.record(findingAt(2, [1], 3));
    expect(log.wants(2)).toBe(false);
    expect(log.wants(1)).toBe(true);
    log.record(findingAt(2, [], -1));
    log.record(findingAt(1, [], -1));
    expect(log.list()).toEqual([
      { code: 2, path: [1, 3], transition: 3 },
      { code: 1, path: [], transition: -1 },
    ]);
  });

  it('wants nothing when disabled', () => {
    expect(new WarningLog(false).wants(0)).toBe(false);
  });
});
