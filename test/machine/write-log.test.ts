/**
 * The machine's write log: the ranges a transition wrote, merged where they
 * touch, given up (count −1, "compare everything") rather than truncated
 * when there are too many, and saved with a buffered successor so that it
 * describes that successor again when it is handed on.
 */
import { describe, expect, it } from 'vitest';
import { SavedSuccessors, StateWriteLog } from '../../src/machine/write-log.js';

const rangesOf = (log: StateWriteLog): number[][] =>
  Array.from({ length: Math.max(0, log.count) }, (_, k) => [log.ranges[2 * k] as number, log.ranges[2 * k + 1] as number]);

describe('StateWriteLog', () => {
  it('notes nothing before it is opened on a successor', () => {
    const log = new StateWriteLog();
    log.add(3, 5);
    expect(log.count).toBe(-1);
    expect(log.vouchesFor(new Int32Array(8))).toBe(false);
  });

  it('extends the last range when the next one touches it, and keeps apart ones that do not', () => {
    const log = new StateWriteLog();
    const successor = new Int32Array(64);
    log.begin(successor);
    log.add(10, 11); // PC
    log.add(11, 12); // FP
    log.add(11, 13); // FP, SP
    log.add(40, 42);
    log.add(10, 11); // PC again: a range of its own, which the search's dedup absorbs
    expect(rangesOf(log)).toEqual([[10, 13], [40, 42], [10, 11]]);
    expect(log.vouchesFor(successor)).toBe(true);
    expect(log.vouchesFor(new Int32Array(64))).toBe(false);
  });

  it('gives up rather than drop a range when a transition writes too many apart', () => {
    const log = new StateWriteLog();
    const successor = new Int32Array(1000);
    log.begin(successor);
    for (let i = 0; i < 200; i++) log.add(5 * i, 5 * i + 1);
    expect(log.count).toBe(-1);
    expect(log.vouchesFor(successor)).toBe(false);
    log.begin(successor);
    expect(log.count).toBe(0);
  });

  it('forgets its ranges when a new state is expanded', () => {
    const log = new StateWriteLog();
    const successor = new Int32Array(8);
    log.begin(successor);
    log.add(1, 2);
    const expansion = log.expansion;
    log.startExpansion();
    expect(log.expansion).toBe(expansion + 1);
    expect(log.vouchesFor(successor)).toBe(false);
  });
});

describe('SavedSuccessors', () => {
  it('hands each buffered successor back with the ranges that made it', () => {
    const log = new StateWriteLog();
    const saved = new SavedSuccessors(16);
    const buffer = new Int32Array(16);
    for (let k = 0; k < 20; k++) {
      buffer.fill(0);
      buffer[k % 16] = k + 1;
      // Successor 7 comes from elsewhere (a time jump's state): the log does not vouch for it.
      log.begin(k === 7 ? new Int32Array(16) : buffer);
      log.add(k % 16, (k % 16) + 1);
      saved.save(k, buffer, log);
    }
    for (let k = 0; k < 20; k++) {
      const state = saved.reopen(k, log);
      expect(state[k % 16]).toBe(k + 1);
      expect(log.vouchesFor(state)).toBe(k !== 7);
      if (k !== 7) expect(rangesOf(log)).toEqual([[k % 16, (k % 16) + 1]]);
    }
  });
});
