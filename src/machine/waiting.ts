/**
 * Recognising a CPU that waits: from a state, run the CPU alone (no other
 * CPU, no interrupt) and see whether it comes back to where it started
 * without writing anything. If the state it comes back to is the same, it
 * spins (`PURE`: it can only go on once another CPU changes something); if
 * only its own locals changed, it counts time (`TIMED`: a countdown loop,
 * which may only go around when time passes, see time.ts).
 *
 * Hot: runs for read-only steps; works in a preallocated scratch state.
 */
import { Cpu } from '../compile/index.js';
import { StepFlag, type Vm } from './vm.js';

export const Waiting = {
  NONE: 0,
  PURE: 1,
  TIMED: 2,
} as const;

/** Steps a CPU may take alone before we decide it is not going around a loop. */
const SOLO_STEP_LIMIT = 32;

export class WaitDetector {
  private readonly scratch: Int32Array;

  constructor(private readonly vm: Vm) {
    this.scratch = new Int32Array(vm.layout.stateSlots);
  }

  /**
   * CPU c took a read-only step from `from` to `after` (spending time or not).
   * Does it wait in `from`?
   * Neither array is modified.
   */
  classify(from: Int32Array, after: Int32Array, c: number, firstStepSpentTime: boolean): number {
    const L = this.vm.layout;
    const cb = L.cpuBase0 + c * L.cpuSlots;
    const pc0 = from[cb + Cpu.PC] as number;
    const fp0 = from[cb + Cpu.FP] as number;
    const s = this.scratch;
    s.set(after);
    let spentTime = firstStepSpentTime;
    for (let k = 0; k < SOLO_STEP_LIMIT; k++) {
      if ((s[cb + Cpu.PC] as number) === pc0 && (s[cb + Cpu.FP] as number) === fp0) {
        const same = compareOutsideStack(s, from, cb + Cpu.SLOTS, cb + L.cpuSlots);
        // Locals that change around a loop that spends no time make a bounded loop, not a countdown.
        return same === Waiting.TIMED && !spentTime ? Waiting.NONE : same;
      }
      const flags = this.vm.step(s, c);
      if ((flags & (StepFlag.WRITE | StepFlag.VIOLATION | StepFlag.WARNING)) !== 0) return Waiting.NONE;
      spentTime ||= this.vm.delayed;
    }
    return Waiting.NONE;
  }
}

/** PURE if a and b are equal, TIMED if they differ only inside [stackFrom, stackTo), else NONE. */
export function compareOutsideStack(a: Int32Array, b: Int32Array, stackFrom: number, stackTo: number): number {
  const n = a.length;
  for (let i = 0; i < stackFrom; i++) if (a[i] !== b[i]) return Waiting.NONE;
  for (let i = stackTo; i < n; i++) if (a[i] !== b[i]) return Waiting.NONE;
  for (let i = stackFrom; i < stackTo; i++) if (a[i] !== b[i]) return Waiting.TIMED;
  return Waiting.PURE;
}

/** Whether two states are equal. */
export function sameState(a: Int32Array, b: Int32Array): boolean {
  const n = a.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
