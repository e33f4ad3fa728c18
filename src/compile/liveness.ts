/**
 * Dead-variable reduction: a local that will be overwritten before it is
 * read again, or never read again, is dead, and a dead local's value must
 * not tell two states apart. After a function is emitted, this pass finds
 * its dead locals and inserts ZEROL so that at every point where a step may
 * end with the function's frame on a stack — before each STMT, and before
 * each call (the callee's steps end with this frame below) — every dead
 * local is 0. Zeroing runs inside the step that made the local dead: it sits
 * right before the boundary, and jumps to the boundary run it too.
 *
 * The analysis is over the bytecode of one function, at the granularity of
 * variables (a 64-bit value, a struct or an array is one unit):
 *
 * 1. Addresses. A forward pass over the operand stack tracks which entries
 *    may be the address of which frame variable (pushed by ADDRL, kept by
 *    PTRADD, CHKPTR, stack shuffles and spills across calls). An address
 *    used as the address operand of LOAD/STORE/COPY/ZERO is an access of
 *    its variables; an address used any other way (stored, passed to a
 *    call or builtin, compared, returned) escapes, and the variable is
 *    never zeroed. So are variables whose address is taken in the source
 *    (`&x`, arrays that decay): other code and other CPUs may read them.
 * 2. Liveness, backward: LOADL and LOAD/COPY through an address read a
 *    variable; a STOREL covering the whole variable kills it. Other writes
 *    (a field, an element) do not kill.
 * 3. Maybe-nonzero, forward: parameters on entry (the call wrote them), a
 *    variable after any write; at a boundary, whatever is maybe nonzero
 *    and dead is zeroed, and is then known to be zero. This keeps the
 *    inserted code to the locals that actually die there.
 *
 * Zeroing a dead variable changes nothing a run can observe, and it is
 * deterministic (the same pc zeroes the same slots), so a CPU that goes
 * around a loop still comes back to an equal state (waiting.ts, time.ts).
 *
 * Rare path (compile time): allocates freely.
 */
import type { Emitter } from './emitter.js';
import { Op, OPERANDS } from './opcodes.js';
import { widthSlots } from './slots.js';

/** A frame variable: slots [offset, offset + slots). */
export interface FrameVariable {
  readonly offset: number;
  readonly slots: number;
  /** A parameter: written by the call before the function's first instruction. */
  readonly param: boolean;
  /** Its address is taken in the source: never zeroed. */
  readonly taken: boolean;
}

/** An operand stack entry: the variables it may be the address of (empty: not a frame address). */
type Entry = readonly number[];
const NONE: Entry = [];

/** A function's instructions: instruction i is at `pcs[i]`, flows to `succs[i]`. */
interface Decoded {
  readonly pcs: readonly number[];
  readonly succs: readonly (readonly number[])[];
  /** Word k of instruction i (0: its opcode). */
  at(i: number, k: number): number;
}

/** What each instruction does to the tracked variables, as bit sets (bit b: `tracked[b]`). */
interface Accesses {
  /** Variables that may be zeroed: neither taken nor escaping. */
  readonly tracked: readonly number[];
  readonly words: number;
  readonly reads: readonly Uint32Array[];
  readonly kills: readonly Uint32Array[];
  readonly writes: readonly Uint32Array[];
  /** Parameters: nonzero on entry. */
  readonly params: Uint32Array;
}

/**
 * Zeroes the dead locals of the function whose code is `code[entry, code.pc)`,
 * rewriting the code in place (jump targets are moved with it).
 */
export function zeroDeadLocals(code: Emitter, entry: number, variables: readonly FrameVariable[]): void {
  const fn = decode(code, entry);
  const varAt = new Map<number, number>();
  variables.forEach((v, k) => {
    for (let o = v.offset; o < v.offset + v.slots; o++) varAt.set(o, k);
  });
  const stacks = addressStacks(fn, varAt);
  if (stacks === null) return;
  const acc = accesses(fn, stacks, variables, varAt);
  if (acc.tracked.length === 0) return;
  const live = liveness(fn, acc);
  const inserts = deadAtBoundaries(fn, acc, live, variables);
  if (inserts.size > 0) code.insertBefore(entry, inserts);
}

function decode(code: Emitter, entry: number): Decoded {
  const end = code.pc;
  const pcs: number[] = [];
  const index = new Map<number, number>();
  for (let pc = entry; pc < end; pc += 1 + (OPERANDS[code.at(pc)] ?? 0)) {
    index.set(pc, pcs.length);
    pcs.push(pc);
  }
  const at = (i: number, k: number): number => code.at((pcs[i] as number) + k);
  const succs = pcs.map((_, i) => successors(at(i, 0), i, pcs.length, () => {
    const j = index.get(at(i, 1));
    if (j === undefined) throw new Error(`irqcheck bug: a jump to ${at(i, 1)} leaves its function`);
    return j;
  }));
  return { pcs, succs, at };
}

/** Reads, whole-variable writes (kills), any writes, and which variables can be tracked at all. */
function accesses(fn: Decoded, stacks: readonly (Entry[] | undefined)[], variables: readonly FrameVariable[], varAt: ReadonlyMap<number, number>): Accesses {
  const n = fn.pcs.length;
  const escaped = new Set<number>();
  variables.forEach((v, k) => {
    if (v.taken) escaped.add(k);
  });
  const escape = (e: Entry): void => {
    for (const v of e) escaped.add(v);
  };
  const reads: Entry[] = new Array<Entry>(n).fill(NONE);
  const writes: Entry[] = new Array<Entry>(n).fill(NONE);
  const kills: Entry[] = new Array<Entry>(n).fill(NONE);
  for (let i = 0; i < n; i++) {
    const stack = stacks[i];
    if (stack === undefined) continue; // unreachable
    const top = (k: number): Entry => stack[stack.length - 1 - k] ?? NONE;
    switch (fn.at(i, 0)) {
      case Op.LOADL: {
        const v = varAt.get(fn.at(i, 2));
        if (v !== undefined) reads[i] = [v];
        break;
      }
      case Op.STOREL: {
        escape(top(0));
        const v = varAt.get(fn.at(i, 2));
        if (v === undefined) break;
        writes[i] = [v];
        const whole = variables[v] as FrameVariable;
        if (fn.at(i, 2) === whole.offset && widthSlots(fn.at(i, 1)) >= whole.slots) kills[i] = [v];
        break;
      }
      case Op.LOAD:
        reads[i] = top(0);
        break;
      case Op.STORE:
        escape(top(0));
        writes[i] = top(1);
        break;
      case Op.COPY:
        reads[i] = top(0);
        writes[i] = top(1);
        break;
      case Op.PTRADD:
      case Op.STOREG:
      case Op.JZ:
      case Op.JNZ:
      case Op.RET:
      case Op.UN:
        escape(top(0));
        break;
      case Op.BIN:
      case Op.PTRDIFF:
        escape(top(0));
        escape(top(1));
        break;
      case Op.CALL:
      case Op.BUILTIN:
        for (let k = 0; k < fn.at(i, 2); k++) escape(top(k));
        break;
      case Op.CALLI:
        for (let k = 0; k <= fn.at(i, 1); k++) escape(top(k));
        break;
      default:
        // ZERO writes zeros; CHKPTR, CHKIDX, CONV and the stack shuffles move addresses without using them.
        break;
    }
  }
  const tracked = variables.map((_, k) => k).filter((k) => !escaped.has(k));
  const bit = new Map<number, number>(tracked.map((v, b) => [v, b]));
  const words = (tracked.length + 31) >>> 5;
  const bits = (e: Entry): Uint32Array => {
    const s = new Uint32Array(words);
    for (const v of e) {
      const b = bit.get(v);
      if (b !== undefined) s[b >>> 5] = (s[b >>> 5] as number) | (1 << (b & 31));
    }
    return s;
  };
  return {
    tracked,
    words,
    reads: reads.map(bits),
    kills: kills.map(bits),
    writes: writes.map(bits),
    params: bits(variables.map((_, k) => k).filter((k) => (variables[k] as FrameVariable).param)),
  };
}

/** Live-in sets, backward to a fixpoint: live = reads ∪ (live after \ kills). */
function liveness(fn: Decoded, acc: Accesses): Uint32Array[] {
  const n = fn.pcs.length;
  const words = acc.words;
  const liveIn = fn.pcs.map(() => new Uint32Array(words));
  const preds: number[][] = fn.pcs.map(() => []);
  fn.succs.forEach((ss, i) => {
    for (const j of ss) preds[j]?.push(i);
  });
  const work: number[] = [];
  const queued = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) work.push(i); // popped last first: backward
  const out = new Uint32Array(words);
  while (work.length > 0) {
    const i = work.pop() as number;
    queued[i] = 0;
    out.fill(0);
    for (const j of fn.succs[i] ?? []) orInto(out, liveIn[j] as Uint32Array);
    const reads = acc.reads[i] as Uint32Array;
    const kills = acc.kills[i] as Uint32Array;
    const li = liveIn[i] as Uint32Array;
    let changed = false;
    for (let w = 0; w < words; w++) {
      const next = (reads[w] as number) | ((out[w] as number) & ~(kills[w] as number));
      if (next !== li[w]) {
        li[w] = next;
        changed = true;
      }
    }
    if (!changed) continue;
    for (const p of preds[i] ?? []) {
      if (queued[p] === 0) {
        queued[p] = 1;
        work.push(p);
      }
    }
  }
  return liveIn;
}

/** Where a step may end with this frame stored: a statement boundary, or a call (its callee's boundaries). */
function isBoundary(op: number): boolean {
  return op === Op.STMT || op === Op.CALL || op === Op.CALLI;
}

/**
 * The ZEROL code to insert before each boundary: the variables that may be
 * nonzero there (forward to a fixpoint: parameters on entry, anything
 * written since, less what earlier boundaries zeroed) and are dead.
 */
function deadAtBoundaries(fn: Decoded, acc: Accesses, liveIn: readonly Uint32Array[], variables: readonly FrameVariable[]): Map<number, number[]> {
  const n = fn.pcs.length;
  const words = acc.words;
  const nonzeroIn: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(n);
  nonzeroIn[0] = Uint32Array.from(acc.params);
  const work: number[] = [0];
  const queued = new Uint8Array(n);
  queued[0] = 1;
  const cur = new Uint32Array(words);
  while (work.length > 0) {
    const i = work.pop() as number;
    queued[i] = 0;
    cur.set(nonzeroIn[i] as Uint32Array);
    if (isBoundary(fn.at(i, 0))) andInto(cur, liveIn[i] as Uint32Array);
    orInto(cur, acc.writes[i] as Uint32Array);
    for (const j of fn.succs[i] ?? []) {
      let into = nonzeroIn[j];
      let changed = false;
      if (into === undefined) {
        into = new Uint32Array(words);
        nonzeroIn[j] = into;
        changed = true;
      }
      for (let w = 0; w < words; w++) {
        const next = (into[w] as number) | (cur[w] as number);
        if (next !== into[w]) {
          into[w] = next;
          changed = true;
        }
      }
      if (changed && queued[j] === 0) {
        queued[j] = 1;
        work.push(j);
      }
    }
  }
  const inserts = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const nonzero = nonzeroIn[i];
    if (nonzero === undefined || !isBoundary(fn.at(i, 0))) continue;
    const live = liveIn[i] as Uint32Array;
    const dead: FrameVariable[] = [];
    acc.tracked.forEach((v, b) => {
      const m = 1 << (b & 31);
      if (((nonzero[b >>> 5] as number) & m) !== 0 && ((live[b >>> 5] as number) & m) === 0) dead.push(variables[v] as FrameVariable);
    });
    if (dead.length === 0) continue;
    const zerol: number[] = [];
    for (const [offset, slots] of ranges(dead)) zerol.push(Op.ZEROL, offset, slots);
    inserts.set(fn.pcs[i] as number, zerol);
  }
  return inserts;
}

/** Successor instruction indexes of instruction i (of n) with opcode `op`; `target` is a jump's target index. */
function successors(op: number, i: number, n: number, target: () => number): number[] {
  const next = i + 1 < n ? [i + 1] : [];
  switch (op) {
    case Op.JMP:
      return [target()];
    case Op.JZ:
    case Op.JNZ:
      return [...next, target()];
    case Op.RET:
    case Op.FAULT:
    case Op.IDLE:
    case Op.TASK_EXIT:
    case Op.IRET:
      return [];
    default:
      return next;
  }
}

/**
 * The operand stack on entry to each instruction, as the frame variables
 * each entry may address; undefined for unreachable code. Null if the
 * stack's depth differs where paths join (never for code the compiler emits).
 */
function addressStacks(fn: Decoded, varAt: ReadonlyMap<number, number>): (Entry[] | undefined)[] | null {
  const { at, succs } = fn;
  const n = fn.pcs.length;
  const stacks: (Entry[] | undefined)[] = new Array<Entry[] | undefined>(n);
  stacks[0] = [];
  const work: number[] = [0];
  while (work.length > 0) {
    const i = work.pop() as number;
    const s = [...(stacks[i] as Entry[])];
    const pop = (): Entry => s.pop() ?? NONE;
    const op = at(i, 0);
    switch (op) {
      case Op.CONST:
      case Op.CONSTK:
      case Op.LOADL:
      case Op.LOADG:
      case Op.ADDRG:
        s.push(NONE);
        break;
      case Op.ADDRL: {
        const v = varAt.get(at(i, 1));
        s.push(v === undefined ? NONE : [v]);
        break;
      }
      case Op.STOREL:
      case Op.STOREG:
      case Op.POP:
      case Op.JZ:
      case Op.JNZ:
      case Op.RET:
      case Op.ZERO:
        pop();
        break;
      case Op.LOAD:
      case Op.UN:
        pop();
        s.push(NONE);
        break;
      case Op.STORE:
      case Op.COPY:
        pop();
        pop();
        break;
      case Op.BIN:
      case Op.PTRDIFF:
        pop();
        pop();
        s.push(NONE);
        break;
      case Op.PTRADD:
        pop();
        break;
      case Op.DUP: {
        const a = pop();
        s.push(a, a);
        break;
      }
      case Op.TUCK: {
        const b = pop();
        const a = pop();
        s.push(b, a, b);
        break;
      }
      case Op.SWAP: {
        const b = pop();
        const a = pop();
        s.push(b, a);
        break;
      }
      case Op.CALL:
      case Op.BUILTIN:
        for (let k = 0; k < at(i, 2); k++) pop();
        s.push(NONE);
        break;
      case Op.CALLI:
        for (let k = 0; k <= at(i, 1); k++) pop();
        s.push(NONE);
        break;
      default:
        // STMT, NOP, JMP, CONV, CHKIDX, CHKPTR, ZEROL, FAULT, ...: the stack is unchanged.
        break;
    }
    for (const j of succs[i] ?? []) {
      const old = stacks[j];
      if (old === undefined) {
        stacks[j] = [...s];
        work.push(j);
        continue;
      }
      if (old.length !== s.length) return null;
      let changed = false;
      for (let k = 0; k < s.length; k++) {
        const merged = union(old[k] as Entry, s[k] as Entry);
        if (merged !== old[k]) {
          old[k] = merged;
          changed = true;
        }
      }
      if (changed) work.push(j);
    }
  }
  return stacks;
}

/** a ∪ b; returns `a` itself when b adds nothing. */
function union(a: Entry, b: Entry): Entry {
  if (b.every((v) => a.includes(v))) return a;
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

function orInto(into: Uint32Array, from: Uint32Array): void {
  for (let w = 0; w < into.length; w++) into[w] = (into[w] as number) | (from[w] as number);
}

function andInto(into: Uint32Array, from: Uint32Array): void {
  for (let w = 0; w < into.length; w++) into[w] = (into[w] as number) & (from[w] as number);
}

/** The slot ranges [offset, slots] covering some variables, adjacent ones merged. */
function ranges(vars: readonly FrameVariable[]): [number, number][] {
  const sorted = [...vars].sort((a, b) => a.offset - b.offset);
  const out: [number, number][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] + last[1] === v.offset) last[1] += v.slots;
    else out.push([v.offset, v.slots]);
  }
  return out;
}
