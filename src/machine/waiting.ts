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
import { Cpu, Frame, Op, OPERANDS, PRIVATE_ACCESS, StmtFlag, type Program } from '../compile/index.js';
import type { BuiltinFn } from './step-outcome.js';
import { StepFlag, type Vm } from './vm.js';
import type { StateWriteLog } from './write-log.js';

export const Waiting = {
  NONE: 0,
  PURE: 1,
  TIMED: 2,
} as const;

/** Steps a CPU may take alone before we decide it is not going around a loop. */
const SOLO_STEP_LIMIT = 32;

export class WaitDetector {
  private readonly scratch: Int32Array;
  /** A CPU's registers and stack before a solo step, to see whether the step changed them. */
  private readonly region: Int32Array;
  /** Per statement site: 1 if it is inside a loop. */
  private readonly loopSites: Uint8Array;
  /** Per pc: 1 at a statement whose every run writes shared state or faults (`writingStatements` below). */
  private readonly writingStatements: Uint8Array;

  /**
   * `verify`: also run the solo run where `writingStatements` answers, and
   * throw if it disagrees (the tests run every example this way).
   */
  constructor(
    private readonly vm: Vm,
    private readonly verify = false,
  ) {
    this.scratch = new Int32Array(vm.layout.stateSlots);
    this.region = new Int32Array(vm.layout.cpuSlots);
    const p = vm.program;
    this.loopSites = new Uint8Array(p.sites.length);
    for (let pc = 0; pc < p.code.length; pc += 1 + (OPERANDS[p.code[pc] as number] ?? 0)) {
      if ((p.code[pc] as number) === Op.STMT && ((p.code[pc + 2] as number) & StmtFlag.IN_LOOP) !== 0) this.loopSites[p.code[pc + 1] as number] = 1;
    }
    this.writingStatements = writingStatements(p, vm.builtins);
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
    if (!this.mayLoop(from, pc0, fp0)) return Waiting.NONE;
    // A CPU that moved on to a statement that writes leaves at its next step: the solo run would end there.
    const pc1 = after[cb + Cpu.PC] as number;
    if (this.writingStatements[pc1] === 1 && (pc1 !== pc0 || after[cb + Cpu.FP] !== fp0)) {
      if (this.verify && this.soloRun(from, after, c, cb, pc0, fp0, firstStepSpentTime) !== Waiting.NONE) {
        throw new Error(`irqcheck bug: the statement at pc ${pc1} was taken to write, and a CPU waits there`);
      }
      return Waiting.NONE;
    }
    return this.soloRun(from, after, c, cb, pc0, fp0, firstStepSpentTime);
  }

  /** `classify` by running CPU c (its region at `cb`, at pc0 in frame fp0 in `from`) alone from `after`. */
  private soloRun(from: Int32Array, after: Int32Array, c: number, cb: number, pc0: number, fp0: number, firstStepSpentTime: boolean): number {
    const L = this.vm.layout;
    const s = this.scratch;
    s.set(after);
    let spentTime = firstStepSpentTime;
    let lastPc = -1;
    let lastFp = -1;
    for (let k = 0; k < SOLO_STEP_LIMIT; k++) {
      const pc = s[cb + Cpu.PC] as number;
      const fp = s[cb + Cpu.FP] as number;
      if (pc === pc0 && fp === fp0) {
        // The solo run wrote into the log too: the scratch differs from `from` only where it says, if it vouches for `after`.
        const writes = this.vm.writes.vouchesFor(after) ? this.vm.writes : null;
        const same = compareOutsideStack(s, from, cb + Cpu.SLOTS, cb + L.cpuSlots, writes);
        // Locals that change around a loop that spends no time make a bounded loop, not a countdown.
        return same === Waiting.TIMED && !spentTime ? Waiting.NONE : same;
      }
      // Around another loop in one step, with nothing written but locals: if the step spent time or
      // changed nothing, the CPU waits there now (a countdown or a spin, as classify would find it from
      // there), and time passing or another CPU, not this run, decides when it goes on. Typically a
      // barrier's next wait, reached after this one's exit.
      const again = pc === lastPc && fp === lastFp;
      if (again) copyRegion(s, cb, this.region);
      const flags = this.vm.step(s, c);
      if ((flags & (StepFlag.WRITE | StepFlag.VIOLATION | StepFlag.WARNING)) !== 0) return Waiting.NONE;
      if ((flags & StepFlag.OWN_WRITE) === 0 && (s[cb + Cpu.PC] as number) === pc && (s[cb + Cpu.FP] as number) === fp) {
        if (this.vm.delayed || (again && sameRegion(this.region, s, cb))) return Waiting.NONE;
      }
      spentTime ||= this.vm.delayed;
      lastPc = pc;
      lastFp = fp;
    }
    return Waiting.NONE;
  }

  /**
   * Whether a CPU at pc0 (frame fp0) can come back there without a new
   * interrupt: its statement, or a call site on its stack in the same
   * context, is inside a loop. (A return through an IRET never comes back.)
   */
  private mayLoop(s: Int32Array, pc0: number, fp0: number): boolean {
    const code = this.vm.program.code;
    if ((code[pc0] as number) === Op.STMT && ((code[pc0 + 2] as number) & StmtFlag.IN_LOOP) !== 0) return true;
    let fp = fp0;
    while (fp > 0 && (s[fp + Frame.FN] as number) > 0) {
      const retPc = s[fp + Frame.RET_PC] as number;
      const site = this.vm.program.pcSite[retPc - 1] ?? -1;
      if (site >= 0 && this.loopSites[site] === 1) return true;
      fp = s[fp + Frame.PREV_FP] as number;
    }
    return false;
  }
}

/** Instructions that compute, read, write a local or fault, and go on to the next instruction. */
const STRAIGHT = new Set<number>([
  Op.NOP, Op.CONST, Op.CONSTK, Op.LOADL, Op.STOREL, Op.LOADG, Op.ADDRL, Op.ADDRG, Op.LOAD, Op.BIN, Op.UN, Op.CONV,
  Op.DUP, Op.POP, Op.TUCK, Op.SWAP, Op.PTRADD, Op.PTRDIFF, Op.CHKIDX, Op.CHKPTR, Op.ZEROL,
]);

/**
 * Per pc, 1 at a statement that, on a straight line from its start, stores
 * to shared memory (STOREG, a STORE not known private) or calls a builtin
 * that always writes (`BuiltinFn.alwaysWrites`): every step that starts
 * there writes, or faults first. Anything else on the way (a branch, a
 * call, another statement) leaves it 0.
 */
function writingStatements(p: Program, builtins: readonly BuiltinFn[]): Uint8Array {
  const code = p.code;
  const out = new Uint8Array(code.length);
  for (let at = 0; at < code.length; at += 1 + (OPERANDS[code[at] as number] ?? 0)) {
    if ((code[at] as number) !== Op.STMT) continue;
    for (let pc = at + 1 + (OPERANDS[Op.STMT] as number); pc < code.length; pc += 1 + (OPERANDS[code[pc] as number] ?? 0)) {
      const op = code[pc] as number;
      const writes =
        op === Op.STOREG ||
        (op === Op.STORE && ((code[pc + 1] as number) & PRIVATE_ACCESS) === 0) ||
        (op === Op.BUILTIN && builtins[code[pc + 1] as number]?.alwaysWrites === true);
      if (writes) out[at] = 1;
      if (writes || !STRAIGHT.has(op)) break;
    }
  }
  return out;
}

function copyRegion(s: Int32Array, cb: number, region: Int32Array): void {
  const n = region.length;
  for (let i = 0; i < n; i++) region[i] = s[cb + i] as number;
}

/** Whether `region` equals the CPU region of `s` at `cb`. */
function sameRegion(region: Int32Array, s: Int32Array, cb: number): boolean {
  const n = region.length;
  for (let i = 0; i < n; i++) if (region[i] !== s[cb + i]) return false;
  return true;
}

/**
 * PURE if a and b are equal, TIMED if they differ only inside [stackFrom,
 * stackTo), else NONE. With `writes`, `a` differs from `b` at most inside
 * its ranges, and only those are compared.
 */
export function compareOutsideStack(a: Int32Array, b: Int32Array, stackFrom: number, stackTo: number, writes: StateWriteLog | null): number {
  let timed = false;
  if (writes !== null) {
    const ranges = writes.ranges;
    for (let k = 0; k < 2 * writes.count; k += 2) {
      for (let i = ranges[k] as number, end = ranges[k + 1] as number; i < end; i++) {
        if (a[i] === b[i]) continue;
        if (i < stackFrom || i >= stackTo) return Waiting.NONE;
        timed = true;
      }
    }
    return timed ? Waiting.TIMED : Waiting.PURE;
  }
  const n = a.length;
  for (let i = 0; i < stackFrom; i++) if (a[i] !== b[i]) return Waiting.NONE;
  for (let i = stackTo; i < n; i++) if (a[i] !== b[i]) return Waiting.NONE;
  for (let i = stackFrom; i < stackTo; i++) if (a[i] !== b[i]) return Waiting.TIMED;
  return Waiting.PURE;
}

/** Whether the successor `after` equals its parent `before` (compared where the log says it was written, when it vouches for it). */
export function sameState(writes: StateWriteLog, after: Int32Array, before: Int32Array): boolean {
  return compareOutsideStack(after, before, 0, 0, writes.vouchesFor(after) ? writes : null) === Waiting.PURE;
}
