/**
 * Where each function's code lies: functions are emitted one after another,
 * so a function's code runs from its entry to the next function's entry
 * (or the end of the code).
 */
import type { Program } from '../compile/index.js';

/** Per function, [start, end) of its code; -1 for a function without code. */
export interface FunctionCode {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

export function functionCode(program: Program): FunctionCode {
  const n = program.functions.length;
  const start = new Int32Array(n).fill(-1);
  const end = new Int32Array(n).fill(-1);
  const byEntry = program.functions.filter((f) => f.entry >= 0).sort((a, b) => a.entry - b.entry);
  byEntry.forEach((f, k) => {
    start[f.index] = f.entry;
    end[f.index] = byEntry[k + 1]?.entry ?? program.code.length;
  });
  return { start, end };
}
