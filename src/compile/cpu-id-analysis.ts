/**
 * Where CPU ids flow: a scalarset typing (Murphi's, inferred rather than
 * declared) of every state slot a compiled program can touch, for symmetry
 * reduction over cores that run the same code.
 *
 * The group. Core 0 (which runs main() and whose CPUs the kernel names by
 * constant, e.g. cpumask_first(cpu_online_mask)) stays in place; the other
 * cores may be permuted as wholes, thread t of a core going to thread t of
 * another, so "the primary is the first thread of its core" is kept.
 *
 * The analysis is an abstract interpretation of the bytecode (operand stack
 * and frame slots, flow-insensitive per slot, interprocedural through
 * parameters, returns and spills) from main, the interrupt entries and
 * every function the model wakes or calls through a pointer. Each slot gets
 * one role: plain, CPU id, address (a pointer that may point into a CPU's
 * stack or a CPU-indexed array element: moved with it), or cpumask word.
 * Arrays indexed by CPU ids (checked length NR_CPUS) are CPU-indexed.
 *
 * Whatever it cannot type (arithmetic or ordering on CPU ids, a constant
 * naming a CPU outside core 0, a CPU-indexed array read with another index,
 * an ordered walk of a mask that spans cores, the heap, devices, text
 * sites...) breaks the symmetry: the result says what and where, and the
 * search runs without the reduction. Only soundness matters here; anything
 * in doubt breaks.
 *
 * Rare path: runs once per compile; allocates freely.
 */
import type { SourceLoc } from '../lang/index.js';
import { BUILTINS } from './builtins.js';
import { Frame } from './layout.js';
import { FN_PTR_TAG, Op, OPERANDS, STR_PTR_TAG, TAG_MASK, UnOp, Width } from './opcodes.js';
import type { FunctionInfo, Program } from './program.js';

/** Roles of a state slot under core permutations. */
export const SlotRole = {
  /** Not a CPU id and not an address that moves: left as is. */
  PLAIN: 0,
  /** A CPU id (values outside [0, cpus) are sentinels and stay). */
  CPU: 1,
  /** An address: moved with the CPU region or CPU-indexed element it points into. */
  ADDRESS: 2,
  /** A word of a cpumask: its bits are CPU ids. */
  MASK: 3,
} as const;

/** An array indexed by CPU id: element c at `base + c * stride`, `roles` per slot of an element. */
export interface CpuIndexedArray {
  readonly base: number;
  readonly stride: number;
}

/** What the analysis found: how to permute cores, or why not. */
export type CpuSymmetry =
  | {
      readonly kind: 'symmetric';
      /** Role of each global slot, indexed by `address - globalsBase`. */
      readonly globalRoles: Uint8Array;
      /** Arrays whose elements move with their CPU. */
      readonly cpuArrays: readonly CpuIndexedArray[];
      /** Role of each slot of a frame of function i (header included), indexed by frame offset. */
      readonly frameRoles: readonly Uint8Array[];
    }
  | { readonly kind: 'broken'; readonly reason: string; readonly loc: SourceLoc | null };

// Abstract value bits.
const PLAIN = 1; // any value that is not a CPU id
const CONST = 2; // one of `consts` (a code or data constant, an address or function pointer among them)
const CPU = 4; // a CPU id
const ADDR = 8; // a pointer to `targets`
const MASK = 16; // a cpumask word (only in cells)

const MAX_CONSTS = 16;

/** Where a pointer may point. `cpuArray` >= 0: an element of that CPU-indexed array, at `lo..hi` within the element. */
interface Target {
  readonly space: 'g' | 'l';
  /** For locals: the function whose frame. */
  readonly fn: number;
  /** Global: absolute address; local: frame offset; CPU array element: offset in the element. */
  readonly lo: number;
  /** Exclusive; `hi === lo + 0` never: an exact pointer has hi === lo + 1 meaning "starts at lo". */
  readonly hi: number;
  readonly exact: boolean;
  readonly cpuArray: number;
}

interface AV {
  readonly bits: number;
  readonly consts: readonly number[];
  readonly targets: readonly Target[];
  /** Frame offset the value was loaded from (LOADL), -1 otherwise. */
  readonly local: number;
  /** CHKIDX length checked on this value, -1 if none. */
  readonly checked: number;
  /** The value is smp_processor_id(). */
  readonly self: boolean;
  /** For a result of cpumask_next(LOADL v, core-local mask): v; else -1. */
  readonly nextOf: number;
  /** For a core-local mask pointer: how its CPU index was obtained ('l<off>', 'self', 'fixed'); '' none, '?' mixed. */
  readonly maskIndex: string;
}

const NONE: AV = { bits: 0, consts: [], targets: [], local: -1, checked: -1, self: false, nextOf: -1, maskIndex: '' };
const plainAV: AV = { ...NONE, bits: PLAIN };
const constAV = (v: number): AV => ({ ...NONE, bits: CONST, consts: [v] });

class Broken extends Error {
  constructor(readonly reason: string, readonly loc: SourceLoc | null) {
    super(reason);
  }
}

function sameTarget(a: Target, b: Target): boolean {
  return a.space === b.space && a.fn === b.fn && a.lo === b.lo && a.hi === b.hi && a.exact === b.exact && a.cpuArray === b.cpuArray;
}

function join(a: AV, b: AV): AV {
  if (a === b || b.bits === 0) return a;
  if (a.bits === 0) return b;
  let bits = a.bits | b.bits;
  let consts = a.consts;
  for (const c of b.consts) if (!consts.includes(c)) consts = [...consts, c];
  if (consts.length > MAX_CONSTS) {
    consts = [];
    bits = (bits & ~CONST) | PLAIN;
  }
  let targets = a.targets;
  for (const t of b.targets) if (!targets.some((u) => sameTarget(u, t))) targets = [...targets, t];
  return {
    bits,
    consts: consts.slice().sort((x, y) => x - y),
    targets,
    local: a.local === b.local ? a.local : -1,
    checked: a.checked === b.checked ? a.checked : -1,
    self: a.self && b.self,
    nextOf: a.nextOf === b.nextOf ? a.nextOf : -1,
    maskIndex: a.maskIndex === b.maskIndex ? a.maskIndex : a.maskIndex === '' ? b.maskIndex : b.maskIndex === '' ? a.maskIndex : '?',
  };
}

function sameAV(a: AV, b: AV): boolean {
  return (
    a.bits === b.bits &&
    a.consts.length === b.consts.length &&
    a.consts.every((c, i) => c === b.consts[i]) &&
    a.targets.length === b.targets.length &&
    a.targets.every((t) => b.targets.some((u) => sameTarget(t, u))) &&
    a.local === b.local &&
    a.checked === b.checked &&
    a.self === b.self &&
    a.nextOf === b.nextOf &&
    a.maskIndex === b.maskIndex
  );
}

/**
 * Prelude functions that walk a cross-core mask in one atomic step whose
 * iterations commute (each touches only the CPU it visits): their walk
 * order cannot be observed. A vetted list, kept by hand: `__irqcheck_sm_setup`
 * wakes every other CPU's stopper (writes of distinct CPUs' WORK slots).
 */
const ORDER_FREE_WALKS: ReadonlySet<string> = new Set(['__irqcheck_sm_setup']);

/** Kernel objects whose masks lie within one core (their cpumask_first/next follow the thread order). */
const CORE_LOCAL_MASKS: ReadonlySet<string> = new Set(['__irqcheck_sibling_mask', '__irqcheck_cpumask_of']);

/** The symmetry of `program` under permutations of the cores other than core 0, or why it has none. */
export function analyzeCpuSymmetry(program: Program): CpuSymmetry {
  try {
    return new Analysis(program).run();
  } catch (e) {
    if (e instanceof Broken) return { kind: 'broken', reason: e.reason, loc: e.loc };
    throw e;
  }
}

class Analysis {
  private readonly cells = new Map<string, AV>();
  private readonly reachable = new Set<number>();
  private readonly cpuArrays: CpuIndexedArray[] = [];
  private readonly cpuArrayNames: string[] = [];
  /** Exact global addresses accessed or taken, to check none is a moved CPU's element. */
  private readonly exactGlobal = new Map<number, SourceLoc | null>();
  /** Global objects accessed with a non-CPU index (wide), to check none is CPU-indexed. */
  private readonly wideGlobal = new Map<number, SourceLoc | null>();
  /** cpumask_next iterator locals: (fn:v) → mask index keys seen. */
  private readonly iterators = new Map<string, Set<string>>();
  /** Locals stored by STOREL, with the values stored: (fn:off) → values. */
  private readonly storedLocals = new Map<string, AV[]>();
  private changed = false;
  private fn: FunctionInfo | null = null;
  private loc: SourceLoc | null = null;
  private readonly cpus: number;
  private readonly smt: number;
  private readonly globalsEnd: number;

  constructor(private readonly p: Program) {
    this.cpus = p.config.cpus;
    this.smt = p.config.smt;
    this.globalsEnd = p.layout.globalsBase + p.layout.globalsSlots;
  }

  run(): CpuSymmetry {
    const p = this.p;
    if (p.devices.addresses.length > 0) throw new Broken('the model drives MSI devices, whose messages name CPUs by number', p.devices.locs[0] ?? null);
    if (p.textSites.addresses.length > 0) throw new Broken('the model patches text, whose per-CPU stale views irqcheck does not permute', p.textSites.locs[0] ?? null);
    if (this.cpus > 32) throw new Broken('more than 32 CPUs: cpumasks of several words are not permuted', null);
    if (this.cpus - this.smt < 2 * this.smt) throw new Broken('fewer than two cores besides core 0: nothing to permute', null);
    if (this.cpus % this.smt !== 0) throw new Broken(`the last core has fewer threads than the others (${this.cpus} CPUs are not a whole number of ${this.smt}-thread cores)`, null);
    // Initial globals: data constants.
    for (const g of p.globals) {
      for (let k = 0; k < g.slots; k++) {
        const v = p.initialGlobals[g.offset - p.layout.globalsBase + k] as number;
        this.cells.set(`g${g.offset + k}`, v === 0 ? constAV(0) : constAV(v));
      }
    }
    const roots = [p.entries.main, p.entries.nmiEntry, p.entries.irqEntry].filter((f) => f >= 0);
    for (const r of roots) this.reach(r);
    // Entry parameters the machine writes (from_model, vector): plain.
    for (const r of [p.entries.nmiEntry, p.entries.irqEntry]) {
      const f = p.functions[r];
      if (f !== undefined) for (const q of f.params) this.write(`l${r}:${q.offset}`, plainAV);
    }
    for (let round = 0; round < 200; round++) {
      this.changed = false;
      this.iterators.clear();
      this.storedLocals.clear();
      this.exactGlobal.clear();
      this.wideGlobal.clear();
      for (const f of Array.from(this.reachable)) this.analyzeFunction(f);
      if (!this.changed) return this.finish();
    }
    throw new Broken('the CPU-id analysis did not converge', null);
  }

  private reach(f: number): void {
    const info = this.p.functions[f];
    if (info === undefined || info.entry < 0) throw new Broken('a call of a function with no code', this.loc);
    if (!this.reachable.has(f)) {
      this.reachable.add(f);
      this.changed = true;
    }
  }

  private read(key: string): AV {
    return this.cells.get(key) ?? NONE;
  }

  private write(key: string, v: AV): void {
    const old = this.cells.get(key) ?? NONE;
    const j = join(old, { ...v, local: -1, checked: -1, nextOf: -1 });
    if (!sameAV(old, j)) {
      this.cells.set(key, j);
      this.changed = true;
    }
  }

  /** The global object (variable) containing absolute address a. */
  private globalAt(a: number): { offset: number; slots: number; name: string } {
    for (const g of this.p.globals) if (a >= g.offset && a < g.offset + g.slots) return g;
    throw new Broken('a pointer outside every global object', this.loc);
  }

  private localAt(fn: number, off: number): { offset: number; slots: number } {
    const f = this.p.functions[fn];
    if (f !== undefined) for (const v of f.locals) if (off >= v.offset && off < v.offset + v.slots) return v;
    throw new Broken('a pointer outside every local variable', this.loc);
  }

  /** The cells `slots` slots from each target of `addr` (a dereference). */
  private cellsOf(addr: AV, slots: number): string[] {
    if ((addr.bits & (PLAIN | CPU)) !== 0) throw new Broken('memory accessed through a value irqcheck cannot follow (an integer used as a pointer)', this.loc);
    const keys: string[] = [];
    for (const c of addr.consts) {
      if ((c & (FN_PTR_TAG | STR_PTR_TAG)) !== 0) {
        if ((c & STR_PTR_TAG) !== 0 && (c & FN_PTR_TAG) === 0) continue; // a string's bytes: plain, read-only
        throw new Broken('a function pointer dereferenced as data', this.loc);
      }
      if (c === 0) continue;
      if (c < this.p.layout.globalsBase || c >= this.globalsEnd) throw new Broken('a constant address outside the globals', this.loc);
      this.exactGlobal.set(c, this.loc);
      for (let k = 0; k < slots; k++) keys.push(`g${c + k}`);
    }
    for (const t of addr.targets) {
      if (t.cpuArray >= 0) {
        const arr = this.cpuArrays[t.cpuArray] as CpuIndexedArray;
        const lo = t.exact ? t.lo : 0;
        const hi = t.exact ? t.lo + slots : arr.stride;
        if (hi > arr.stride) throw new Broken('an access past the element of a CPU-indexed array', this.loc);
        for (let c = 0; c < this.cpus; c++) for (let k = lo; k < hi; k++) keys.push(`g${arr.base + c * arr.stride + k}`);
      } else if (t.space === 'g') {
        if (t.exact) this.exactGlobal.set(t.lo, this.loc);
        else this.wideGlobal.set(t.lo, this.loc);
        const lo = t.lo;
        const hi = t.exact ? t.lo + slots : t.hi;
        for (let k = lo; k < hi; k++) keys.push(`g${k}`);
      } else {
        const lo = t.lo;
        const hi = t.exact ? t.lo + slots : t.hi;
        for (let k = lo; k < hi; k++) keys.push(`l${t.fn}:${k}`);
      }
    }
    return keys;
  }

  private load(addr: AV, slots: number): AV {
    let v = NONE;
    for (const k of this.cellsOf(addr, slots)) {
      const c = this.read(k);
      if ((c.bits & MASK) !== 0) throw new Broken("a cpumask's bits read directly", this.loc);
      v = join(v, c);
    }
    return v.bits === 0 ? constAV(0) : v;
  }

  private store(addr: AV, v: AV, slots: number): void {
    for (const k of this.cellsOf(addr, slots)) {
      if ((this.read(k).bits & MASK) !== 0 && (v.bits & MASK) === 0) throw new Broken("a cpumask's bits written directly", this.loc);
      this.write(k, v);
    }
  }

  private isMovedCpu(c: number): boolean {
    return c >= this.smt && c < this.cpus;
  }

  /** A value used as a CPU id: a CPU id, or constants naming no moved CPU. */
  private requireCpu(v: AV, what: string): void {
    if ((v.bits & (PLAIN | ADDR | MASK)) !== 0) throw new Broken(`${what}: a CPU id mixed with other values`, this.loc);
    for (const c of v.consts) if (this.isMovedCpu(c)) throw new Broken(`${what}: the constant CPU ${c} is outside core 0 (a CPU named by number)`, this.loc);
  }

  /** A value that must not depend on which CPU is which. */
  private requirePlain(v: AV, what: string): void {
    if ((v.bits & (CPU | MASK)) !== 0) throw new Broken(`${what} depends on a CPU id`, this.loc);
    if ((v.bits & ADDR) !== 0 && v.targets.some((t) => t.space === 'l' || t.cpuArray >= 0)) throw new Broken(`${what} depends on an address that moves with a CPU`, this.loc);
  }

  /** Whether `{v in [0, cpus) : v op k}` is a union of orbits (core 0's CPUs alone; thread t of the other cores together). */
  private orbitClosed(op: number, k: number, cpuOnLeft: boolean): boolean {
    const holds = (v: number): boolean => {
      const a = cpuOnLeft ? v : k;
      const b = cpuOnLeft ? k : v;
      switch (op) {
        case BinOpCode.EQ: return a === b;
        case BinOpCode.NE: return a !== b;
        case BinOpCode.LT: return a < b;
        case BinOpCode.LE: return a <= b;
        case BinOpCode.GT: return a > b;
        default: return a >= b;
      }
    };
    for (let t = 0; t < this.smt; t++) {
      const first = holds(this.smt + t);
      for (let c = this.smt + t; c < this.cpus; c += this.smt) if (holds(c) !== first) return false;
    }
    return true;
  }

  private analyzeFunction(fi: number): void {
    const p = this.p;
    const f = p.functions[fi] as FunctionInfo;
    this.fn = f;
    this.loc = f.loc;
    const code = p.code;
    const stacks = new Map<number, AV[]>();
    const work: number[] = [f.entry];
    stacks.set(f.entry, []);
    const flow = (pc: number, st: AV[]): void => {
      const old = stacks.get(pc);
      if (old === undefined) {
        stacks.set(pc, st);
        work.push(pc);
        return;
      }
      if (old.length !== st.length) throw new Broken('operand stacks of different depths meet (irqcheck cannot follow this code)', this.loc);
      let diff = false;
      const merged = old.map((v, i) => {
        const j = join(v, st[i] as AV);
        if (!sameAV(j, v)) diff = true;
        return j;
      });
      if (diff) {
        stacks.set(pc, merged);
        work.push(pc);
      }
    };
    while (work.length > 0) {
      const pc = work.pop() as number;
      const st = (stacks.get(pc) as AV[]).slice();
      const op = code[pc] as number;
      const a1 = code[pc + 1] as number;
      const a2 = code[pc + 2] as number;
      const next = pc + 1 + ((OPERANDS[op] as number | undefined) ?? 0);
      const pop = (): AV => {
        const v = st.pop();
        if (v === undefined) throw new Error('irqcheck bug: operand stack underflow in the CPU-id analysis');
        return v;
      };
      switch (op) {
        case Op.NOP:
        case Op.CHKPTR:
          flow(next, st);
          break;
        case Op.STMT: {
          const site = p.sites[a1];
          if (site !== undefined) this.loc = site;
          flow(next, st);
          break;
        }
        case Op.CONST:
          st.push(constAV(a1));
          flow(next, st);
          break;
        case Op.CONSTK:
          st.push(plainAV);
          flow(next, st);
          break;
        case Op.LOADL:
          st.push({ ...this.read(`l${fi}:${a2}`), local: a2 });
          if ((this.read(`l${fi}:${a2}`).bits) === 0) st[st.length - 1] = { ...constAV(0), local: a2 };
          flow(next, st);
          break;
        case Op.STOREL: {
          const v = pop();
          this.write(`l${fi}:${a2}`, v);
          const key = `${fi}:${a2}`;
          const list = this.storedLocals.get(key) ?? [];
          list.push(v);
          this.storedLocals.set(key, list);
          flow(next, st);
          break;
        }
        case Op.LOADG:
          this.exactGlobal.set(a2, this.loc);
          st.push(this.load(constAV(a2), widthSlotsOf(a1)));
          flow(next, st);
          break;
        case Op.STOREG:
          this.exactGlobal.set(a2, this.loc);
          this.store(constAV(a2), pop(), widthSlotsOf(a1));
          flow(next, st);
          break;
        case Op.ADDRL:
          st.push({ ...NONE, bits: ADDR, targets: [{ space: 'l', fn: fi, lo: a1, hi: a1 + 1, exact: true, cpuArray: -1 }] });
          flow(next, st);
          break;
        case Op.ADDRG:
          this.exactGlobal.set(a1, this.loc);
          st.push(constAV(a1));
          flow(next, st);
          break;
        case Op.LOAD: {
          const addr = pop();
          st.push(this.load(addr, widthSlotsOf(a1 & 0xf)));
          flow(next, st);
          break;
        }
        case Op.STORE: {
          const v = pop();
          const addr = pop();
          this.store(addr, v, widthSlotsOf(a1 & 0xf));
          flow(next, st);
          break;
        }
        case Op.BIN: {
          const b = pop();
          const a = pop();
          st.push(this.binary(a1, a, b));
          flow(next, st);
          break;
        }
        case Op.UN: {
          const a = pop();
          if (a1 === UnOp.LNOT) {
            if ((a.bits & MASK) !== 0) throw new Broken('a cpumask word used as a value', this.loc);
            st.push(plainAV); // 0 is CPU 0 (fixed) and NULL: truth is kept
          } else if (a.bits === CONST && a.consts.length === 1) {
            const c = a.consts[0] as number;
            st.push(constAV(a1 === UnOp.NEG ? -c : ~c));
          } else {
            this.requirePlain(a, 'arithmetic');
            st.push(plainAV);
          }
          flow(next, st);
          break;
        }
        case Op.CONV: {
          const a = pop();
          if (a1 === Width.BOOL) {
            if ((a.bits & MASK) !== 0) throw new Broken('a cpumask word used as a value', this.loc);
            st.push(plainAV);
          } else st.push({ ...a, checked: -1 });
          flow(next, st);
          break;
        }
        case Op.JMP:
          flow(a1, st);
          break;
        case Op.JZ:
        case Op.JNZ: {
          const c = pop();
          if ((c.bits & MASK) !== 0) throw new Broken('a cpumask word used as a condition', this.loc);
          flow(a1, st.slice());
          flow(next, st);
          break;
        }
        case Op.DUP:
          st.push(st[st.length - 1] as AV);
          flow(next, st);
          break;
        case Op.POP:
          pop();
          flow(next, st);
          break;
        case Op.TUCK: {
          const b = pop();
          const a = pop();
          st.push(b, a, b);
          flow(next, st);
          break;
        }
        case Op.SWAP: {
          const b = pop();
          const a = pop();
          st.push(b, a);
          flow(next, st);
          break;
        }
        case Op.CALL:
        case Op.CALLI: {
          const indirect = op === Op.CALLI;
          const argc = indirect ? a1 : a2;
          const spill = indirect ? a2 : (code[pc + 3] as number);
          const args = st.splice(st.length - argc, argc);
          let targets: number[];
          if (indirect) {
            const t = pop();
            if ((t.bits & ~CONST) !== 0) throw new Broken('a call through a function pointer irqcheck cannot follow', this.loc);
            targets = t.consts.filter((c) => c !== 0).map((c) => {
              if ((c & FN_PTR_TAG) === 0) throw new Broken('a call through a pointer that is not a function', this.loc);
              return c & TAG_MASK;
            });
          } else targets = [a1];
          if (st.length !== spill) throw new Error('irqcheck bug: spill count differs from the analysed operand stack');
          for (let k = 0; k < spill; k++) this.write(`l${fi}:${f.spillOffset + 2 * k}`, st[k] as AV);
          let ret = NONE;
          for (const g of targets) {
            this.reach(g);
            const callee = p.functions[g] as FunctionInfo;
            callee.params.forEach((q, i) => {
              const v = args[i];
              if (v !== undefined) this.write(`l${g}:${q.offset}`, v);
            });
            ret = join(ret, this.read(`r${g}`));
          }
          const after: AV[] = [];
          for (let k = 0; k < spill; k++) after.push(this.read(`l${fi}:${f.spillOffset + 2 * k}`));
          after.push(ret.bits === 0 ? plainAV : ret);
          flow(pc + 4, after);
          break;
        }
        case Op.RET:
          this.write(`r${fi}`, pop());
          break;
        case Op.BUILTIN: {
          const args = st.splice(st.length - a2, a2);
          st.push(this.builtin(a1, args));
          flow(next, st);
          break;
        }
        case Op.PTRADD: {
          const i = pop();
          const base = pop();
          st.push(this.ptradd(base, i, a1));
          flow(next, st);
          break;
        }
        case Op.PTRDIFF: {
          const b = pop();
          const a = pop();
          this.requirePlain(a, 'a pointer difference');
          this.requirePlain(b, 'a pointer difference');
          st.push(plainAV);
          flow(next, st);
          break;
        }
        case Op.CHKIDX: {
          const i = pop();
          st.push({ ...i, checked: a1 });
          flow(next, st);
          break;
        }
        case Op.COPY: {
          const src = pop();
          const dst = pop();
          for (let k = 0; k < a1; k++) {
            const v = this.loadSlotForCopy(src, k);
            this.storeSlotForCopy(dst, k, v);
          }
          flow(next, st);
          break;
        }
        case Op.ZERO: {
          const addr = pop();
          for (let k = 0; k < a1; k++) this.storeSlotForCopy(addr, k, constAV(0));
          flow(next, st);
          break;
        }
        case Op.IDLE:
        case Op.TASK_EXIT:
        case Op.IRET:
        case Op.FAULT:
          break;
        default:
          if (op === OP_ZEROL) {
            // Dead locals zeroed (liveness.ts): 0 is CPU 0 and NULL, both fixed.
            for (let k = 0; k < a2; k++) this.write(`l${fi}:${a1 + k}`, constAV(0));
            flow(next, st);
            break;
          }
          throw new Broken(`an instruction the CPU-id analysis does not know (opcode ${op})`, this.loc);
      }
    }
  }

  /** Slot k of the objects `addr` points to, for a struct copy (masks included). */
  private loadSlotForCopy(addr: AV, k: number): AV {
    let v = NONE;
    for (const key of this.cellsOf(this.shift(addr, k), 1)) v = join(v, this.read(key));
    return v.bits === 0 ? constAV(0) : v;
  }

  private storeSlotForCopy(addr: AV, k: number, v: AV): void {
    for (const key of this.cellsOf(this.shift(addr, k), 1)) {
      const old = this.read(key);
      if (((old.bits | v.bits) & MASK) !== 0 && ((old.bits & MASK) === 0 || (v.bits & MASK) === 0) && old.bits !== 0 && !(old.bits === CONST && old.consts.every((c) => c === 0))) {
        throw new Broken('a cpumask copied to or from memory that is not a cpumask', this.loc);
      }
      this.write(key, v);
    }
  }

  private shift(addr: AV, k: number): AV {
    if (k === 0) return addr;
    return {
      ...addr,
      consts: addr.consts.map((c) => (c === 0 || (c & (FN_PTR_TAG | STR_PTR_TAG)) !== 0 ? c : c + k)),
      targets: addr.targets.map((t) => (t.exact ? { ...t, lo: t.lo + k, hi: t.hi + k } : t)),
    };
  }

  private ptradd(base: AV, i: AV, slots: number): AV {
    if ((base.bits & (PLAIN | CPU | MASK)) !== 0) throw new Broken('pointer arithmetic on a value irqcheck cannot follow', this.loc);
    if (i.bits === CONST && i.consts.length === 1) return this.shiftWithin(base, (i.consts[0] as number) * slots);
    if ((i.bits & CPU) !== 0) {
      this.requireCpu(i, 'an array index');
      if (i.checked !== this.cpus) throw new Broken('a CPU id indexes an array that is not NR_CPUS long', this.loc);
      const targets: Target[] = [];
      for (const c of base.consts) {
        if (c === 0) continue;
        targets.push({ space: 'g', fn: -1, lo: 0, hi: 1, exact: true, cpuArray: this.cpuArray(c, slots) });
      }
      if (base.targets.length > 0) throw new Broken('a CPU id indexes an array on the stack or inside another CPU-indexed array', this.loc);
      const index = i.self ? 'self' : i.local >= 0 ? `l${i.local}` : (i.bits & CPU) === 0 ? 'fixed' : '?';
      return { ...NONE, bits: ADDR, targets, maskIndex: index };
    }
    this.requirePlain(i, 'an array index');
    // Any element: the whole object.
    const targets: Target[] = [];
    for (const c of base.consts) {
      if (c === 0) continue;
      const g = this.globalAt(c);
      targets.push({ space: 'g', fn: -1, lo: g.offset, hi: g.offset + g.slots, exact: false, cpuArray: -1 });
    }
    for (const t of base.targets) {
      if (t.cpuArray >= 0) targets.push({ ...t, exact: false });
      else if (t.space === 'g') {
        const g = this.globalAt(t.lo);
        targets.push({ space: 'g', fn: -1, lo: g.offset, hi: g.offset + g.slots, exact: false, cpuArray: -1 });
      } else {
        const v = this.localAt(t.fn, t.lo);
        targets.push({ space: 'l', fn: t.fn, lo: v.offset, hi: v.offset + v.slots, exact: false, cpuArray: -1 });
      }
    }
    return { ...NONE, bits: ADDR, targets };
  }

  /** `addr` moved by `delta` slots, as wide as its object where that leaves the object (an early, imprecise constant). */
  private shiftWithin(addr: AV, delta: number): AV {
    const consts: number[] = [];
    const targets: Target[] = [];
    for (const c of addr.consts) {
      if (c === 0 || (c & (FN_PTR_TAG | STR_PTR_TAG)) !== 0) {
        consts.push(c);
        continue;
      }
      const g = this.globalAt(c);
      if (c + delta >= g.offset && c + delta < g.offset + g.slots) consts.push(c + delta);
      else targets.push({ space: 'g', fn: -1, lo: g.offset, hi: g.offset + g.slots, exact: false, cpuArray: -1 });
    }
    for (const t of addr.targets) {
      if (!t.exact) targets.push(t);
      else if (t.cpuArray >= 0) {
        const stride = (this.cpuArrays[t.cpuArray] as CpuIndexedArray).stride;
        if (t.lo + delta < 0 || t.lo + delta >= stride) throw new Broken('pointer arithmetic across the elements of a CPU-indexed array', this.loc);
        targets.push({ ...t, lo: t.lo + delta, hi: t.hi + delta });
      } else if (t.space === 'g') {
        const g = this.globalAt(t.lo);
        if (t.lo + delta >= g.offset && t.lo + delta < g.offset + g.slots) targets.push({ ...t, lo: t.lo + delta, hi: t.hi + delta });
        else targets.push({ space: 'g', fn: -1, lo: g.offset, hi: g.offset + g.slots, exact: false, cpuArray: -1 });
      } else {
        const v = this.localAt(t.fn, t.lo);
        if (t.lo + delta >= v.offset && t.lo + delta < v.offset + v.slots) targets.push({ ...t, lo: t.lo + delta, hi: t.hi + delta });
        else targets.push({ space: 'l', fn: t.fn, lo: v.offset, hi: v.offset + v.slots, exact: false, cpuArray: -1 });
      }
    }
    return { ...addr, bits: targets.length > 0 ? addr.bits | ADDR : addr.bits, consts, targets };
  }

  private cpuArray(base: number, stride: number): number {
    const g = this.globalAt(base);
    if (g.offset !== base || g.slots !== stride * this.cpus) throw new Broken(`a CPU id indexes ${g.name} in a way irqcheck cannot permute`, this.loc);
    const at = this.cpuArrays.findIndex((a) => a.base === base);
    if (at >= 0) {
      if ((this.cpuArrays[at] as CpuIndexedArray).stride !== stride) throw new Broken(`${g.name} is indexed by CPU ids with two strides`, this.loc);
      return at;
    }
    this.cpuArrays.push({ base, stride });
    this.cpuArrayNames.push(g.name);
    this.changed = true;
    return this.cpuArrays.length - 1;
  }

  private binary(op: number, a: AV, b: AV): AV {
    if (((a.bits | b.bits) & MASK) !== 0) throw new Broken('a cpumask word used in arithmetic', this.loc);
    const cmp = op >= BinOpCode.EQ && op <= BinOpCode.GE;
    if (((a.bits | b.bits) & CPU) !== 0) {
      if (!cmp) throw new Broken('arithmetic on a CPU id', this.loc);
      const cpuSide = (a.bits & CPU) !== 0 ? a : b;
      const other = cpuSide === a ? b : a;
      if ((other.bits & CPU) !== 0 || (other.bits === CONST && (other.consts.length > 0 || true))) {
        this.requireCpu(a, 'a comparison of CPU ids');
        this.requireCpu(b, 'a comparison of CPU ids');
        if ((a.bits & CPU) !== 0 && (b.bits & CPU) !== 0) {
          if (op !== BinOpCode.EQ && op !== BinOpCode.NE) throw new Broken('CPU ids compared by order (the order of cores is not kept)', this.loc);
          return plainAV;
        }
        for (const k of other.consts) {
          if (!this.orbitClosed(op, k, cpuSide === a)) throw new Broken(`a CPU id compared with ${k}, which tells cores apart`, this.loc);
        }
        return plainAV;
      }
      throw new Broken('a CPU id compared with a value that is not a CPU id', this.loc);
    }
    if (((a.bits | b.bits) & ADDR) !== 0) {
      if (op !== BinOpCode.EQ && op !== BinOpCode.NE) this.requirePlain(join(a, b), 'a pointer comparison or arithmetic');
      return plainAV;
    }
    if (a.bits === CONST && b.bits === CONST && a.consts.length === 1 && b.consts.length === 1) {
      const x = a.consts[0] as number;
      const y = b.consts[0] as number;
      if (op === BinOpCode.ADD) return constAV((x + y) | 0);
      if (op === BinOpCode.SUB) return constAV((x - y) | 0);
    }
    return plainAV;
  }

  /** The abstract effect of builtin `id` on its arguments. */
  private builtin(id: number, args: AV[]): AV {
    const spec = BUILTINS[id];
    if (spec === undefined) throw new Error('irqcheck bug: unknown builtin in the CPU-id analysis');
    const name = spec.name;
    const arg = (i: number): AV => args[i] ?? NONE;
    const plainArgs = (from = 0): AV => {
      for (let i = from; i < args.length; i++) this.requirePlain(arg(i), `an argument of ${name}`);
      return plainAV;
    };
    const masks = (from: number, to: number, write: boolean): void => {
      for (let i = from; i < to; i++) {
        const m = arg(i);
        for (let w = 0; w < this.maskWords(); w++) {
          const keys = this.cellsOf(this.shift(m, w), 1);
          for (const k of keys) {
            const old = this.read(k);
            if ((old.bits & ~(MASK | CONST)) !== 0 || old.consts.some((c) => c !== 0)) {
              if ((old.bits & MASK) === 0) throw new Broken(`${name} on memory that is also used as something else than a cpumask`, this.loc);
            }
            if (write || (old.bits & MASK) === 0) this.write(k, { ...NONE, bits: MASK });
          }
        }
      }
    };
    if (name === 'smp_processor_id' || name === 'raw_smp_processor_id') return { ...NONE, bits: CPU, self: true };
    if (name.startsWith('pr_') || name === 'printk') return plainAV; // text for the trace only
    if (['assert', 'BUG_ON', 'WARN_ON', 'WARN_ON_ONCE'].includes(name)) {
      if ((arg(0).bits & MASK) !== 0) throw new Broken('a cpumask word used as a condition', this.loc);
      return plainAV;
    }
    if (name === 'BUG' || name === 'panic' || name === 'WARN' || name === 'WARN_ONCE') {
      if ((arg(0).bits & MASK) !== 0) throw new Broken('a cpumask word used as a condition', this.loc);
      return plainAV;
    }
    if (name === 'cpu_online') {
      this.requireCpu(arg(0), 'cpu_online');
      return plainAV;
    }
    // stop_machine's barrier arrival and count are an atomic_inc and an atomic_read.
    const atomic = name === '__irqcheck_arrive' ? 'atomic_inc' : name === '__irqcheck_arrived' ? 'atomic_read' : name;
    if (atomic.startsWith('atomic_')) {
      const cell = this.load(arg(0), 1);
      const values = args.slice(1);
      switch (atomic) {
        case 'atomic_read':
          return cell;
        case 'atomic_set':
          this.store(arg(0), arg(1), 1);
          return plainAV;
        case 'atomic_xchg':
          this.store(arg(0), arg(1), 1);
          return join(cell, arg(1));
        case 'atomic_cmpxchg': {
          const all = join(join(cell, arg(1)), arg(2));
          if ((all.bits & CPU) !== 0) this.requireCpu(all, 'atomic_cmpxchg');
          this.store(arg(0), arg(2), 1);
          return join(cell, arg(2));
        }
        default:
          this.requirePlain(cell, name);
          for (const v of values) this.requirePlain(v, `an argument of ${name}`);
          this.store(arg(0), plainAV, 1);
          return plainAV;
      }
    }
    if (name.startsWith('cpumask_')) {
      switch (name) {
        case 'cpumask_test_cpu':
        case 'cpumask_set_cpu':
        case 'cpumask_clear_cpu':
        case 'cpumask_test_and_set_cpu':
        case 'cpumask_test_and_clear_cpu':
          this.requireCpu(arg(0), name);
          masks(1, 2, name !== 'cpumask_test_cpu');
          return plainAV;
        case 'cpumask_empty':
        case 'cpumask_full':
        case 'cpumask_weight':
        case 'cpumask_equal':
        case 'cpumask_subset':
        case 'cpumask_intersects':
          masks(0, args.length, false);
          return plainAV;
        case 'cpumask_clear':
        case 'cpumask_setall':
          masks(0, 1, true);
          return plainAV;
        case 'cpumask_copy':
        case 'cpumask_and':
        case 'cpumask_or':
        case 'cpumask_andnot':
          masks(0, 1, true);
          masks(1, args.length, false);
          return plainAV;
        case 'cpumask_first':
        case 'cpumask_any':
        case 'cpumask_first_zero':
        case 'cpumask_last':
        case 'cpumask_next': {
          const maskArg = name === 'cpumask_next' ? arg(1) : arg(0);
          masks(name === 'cpumask_next' ? 1 : 0, name === 'cpumask_next' ? 2 : 1, false);
          const local = this.coreLocal(maskArg);
          const online = this.isOnlineMask(maskArg);
          const orderFree = this.fn !== null && this.fn.atomic && ORDER_FREE_WALKS.has(this.fn.name);
          if (name === 'cpumask_next') {
            const x = arg(0);
            this.requireCpu(x, name);
            if (local) {
              if ((x.bits & CPU) !== 0) {
                if (x.local < 0) throw new Broken('cpumask_next from a CPU id that is not the walk variable', this.loc);
                const key = `${this.fnIndex()}:${x.local}`;
                const set = this.iterators.get(key) ?? new Set<string>();
                set.add(maskArg.maskIndex);
                this.iterators.set(key, set);
              }
              return { ...NONE, bits: CPU, nextOf: x.local };
            }
            if (online && orderFree) return { ...NONE, bits: CPU };
            throw new Broken('a walk of a mask that spans cores (for_each_cpu): its order tells cores apart', this.loc);
          }
          if (local) return { ...NONE, bits: CPU };
          if (online && (name === 'cpumask_first' || name === 'cpumask_any')) return constAV(0);
          if (online && name === 'cpumask_first_zero') return constAV(this.cpus);
          throw new Broken(`${name} of a mask that spans cores: which CPU it returns tells cores apart`, this.loc);
        }
        default:
          throw new Broken(`${name} is not known to the CPU-id analysis`, this.loc);
      }
    }
    switch (name) {
      case '__irqcheck_send_nmi':
        this.requireCpu(arg(0), name);
        return plainAV;
      case '__irqcheck_send_vector':
        this.requireCpu(arg(0), name);
        this.requirePlain(arg(1), 'a vector');
        return plainAV;
      case '__irqcheck_wake': {
        this.requireCpu(arg(0), name);
        const f = arg(1);
        if ((f.bits & ~CONST) !== 0 || f.consts.some((c) => (c & FN_PTR_TAG) === 0)) throw new Broken('work woken through a function irqcheck cannot follow', this.loc);
        for (const c of f.consts) this.reach(c & TAG_MASK);
        return plainAV;
      }
      case 'num_online_cpus':
      case 'local_irq_disable':
      case 'local_irq_enable':
      case '__irqcheck_irq_save':
      case 'local_irq_restore':
      case 'irqs_disabled':
      case 'in_nmi':
      case 'in_hardirq':
      case 'in_interrupt':
      case 'cpu_relax':
      case 'touch_nmi_watchdog':
      case 'barrier':
      case 'smp_mb':
      case 'smp_rmb':
      case 'smp_wmb':
      case 'mb':
      case 'rmb':
      case 'wmb':
      case 'ndelay':
      case 'udelay':
      case 'mdelay':
      case '__irqcheck_msr_begin':
      case '__irqcheck_msr_end':
      case '__irqcheck_ucode_begin':
      case '__irqcheck_ucode_end':
      case '__irqcheck_unknown_nmi':
      case '__irqcheck_nmis_in_flight':
      case 'apic_eoi':
      case 'lapic_vector_set_in_irr':
      case 'apic_read':
      case '__irqcheck_spurious_vector':
        return plainArgs();
      default:
        throw new Broken(`${name} is not known to the CPU-id analysis`, this.loc);
    }
  }

  private fnIndex(): number {
    return this.fn === null ? -1 : this.fn.index;
  }

  private maskWords(): number {
    return Math.ceil(this.cpus / 32);
  }

  /** A pointer to a mask within one core (a sibling mask, cpumask_of). */
  private coreLocal(m: AV): boolean {
    if (m.targets.length === 0 || m.consts.some((c) => c !== 0) || (m.bits & ~ADDR) !== 0 && (m.bits & ~(ADDR | CONST)) !== 0) return false;
    return m.targets.every((t) => t.cpuArray >= 0 && t.exact && t.lo === 0 && CORE_LOCAL_MASKS.has(this.cpuArrayNames[t.cpuArray] ?? ''));
  }

  private isOnlineMask(m: AV): boolean {
    const online = this.p.globals.find((g) => g.name === '__cpu_online_mask');
    return online !== undefined && m.targets.length === 0 && (m.bits & ~CONST) === 0 && m.consts.length > 0 && m.consts.every((c) => c === online.offset);
  }

  private finish(): CpuSymmetry {
    const p = this.p;
    const L = p.layout;
    // Walk variables of core-local masks: only ever -1-like constants or the walk's own next; one mask index, that does not change.
    for (const [key, indexes] of this.iterators) {
      const [fnText, offText] = key.split(':');
      const fi = Number(fnText);
      const f = p.functions[fi] as FunctionInfo;
      this.loc = f.loc;
      for (const v of this.storedLocals.get(key) ?? []) {
        const isNext = v.nextOf === Number(offText) && (v.bits & ~CPU) === 0;
        const isConst = v.bits === CONST && v.consts.every((c) => !this.isMovedCpu(c));
        if (!isNext && !isConst) throw new Broken(`the variable of a for_each_cpu walk in ${f.name} is assigned something else than the walk's next CPU`, f.loc);
      }
      if (indexes.size !== 1) throw new Broken(`a for_each_cpu walk in ${f.name} walks masks of different cores with one variable`, f.loc);
      const index = Array.from(indexes)[0] as string;
      if (index === 'self' || index === 'fixed') continue;
      if (!index.startsWith('l')) throw new Broken(`a for_each_cpu walk in ${f.name} walks a mask irqcheck cannot tie to one core`, f.loc);
      const u = Number(index.slice(1));
      const stores = this.storedLocals.get(`${fi}:${u}`) ?? [];
      const isParam = f.params.some((q) => q.offset === u);
      const stable = stores.every((v) => v.self) && (!isParam || stores.length === 0);
      if (!stable) throw new Broken(`a for_each_cpu walk in ${f.name} walks the mask of a CPU variable that changes`, f.loc);
    }
    // Constants used as addresses must not name a moved CPU's element; no CPU-indexed array is read with another index.
    const moved = (a: number): number => {
      for (let i = 0; i < this.cpuArrays.length; i++) {
        const arr = this.cpuArrays[i] as CpuIndexedArray;
        if (a >= arr.base && a < arr.base + arr.stride * this.cpus) return Math.floor((a - arr.base) / arr.stride) >= this.smt ? i : -1;
      }
      return -1;
    };
    for (const [a, loc] of this.exactGlobal) {
      const i = moved(a);
      if (i >= 0) throw new Broken(`${this.cpuArrayNames[i] ?? '?'} is accessed at the element of a CPU named by number`, loc);
    }
    for (const [a, loc] of this.wideGlobal) {
      for (let i = 0; i < this.cpuArrays.length; i++) {
        const arr = this.cpuArrays[i] as CpuIndexedArray;
        if (a <= arr.base && arr.base < a + 1 + 0 || (a >= arr.base && a < arr.base + arr.stride * this.cpus)) {
          throw new Broken(`${this.cpuArrayNames[i] ?? '?'} is indexed by CPU ids and by other values`, loc);
        }
      }
    }
    const roleOf = (v: AV, where: string): number => {
      const b = v.bits;
      if (b === 0 || (b & ~(PLAIN | CONST)) === 0) return SlotRole.PLAIN;
      if ((b & ~(CPU | CONST)) === 0) {
        if (v.consts.some((c) => this.isMovedCpu(c))) throw new Broken(`${where} holds a CPU id or the constant CPU ${v.consts.find((c) => this.isMovedCpu(c))}`, null);
        return SlotRole.CPU;
      }
      if ((b & ~(ADDR | CONST)) === 0) {
        for (const c of v.consts) {
          if (c === 0 || (c & (FN_PTR_TAG | STR_PTR_TAG)) !== 0) continue;
          if (moved(c) >= 0 || c >= L.cpuBase0) throw new Broken(`${where} holds a constant address that moves with a CPU`, null);
        }
        return SlotRole.ADDRESS;
      }
      if ((b & ~(MASK | CONST)) === 0) return SlotRole.MASK;
      throw new Broken(`${where} holds ${describe(b)}`, null);
    };
    const globalRoles = new Uint8Array(L.globalsSlots);
    for (const g of p.globals) {
      for (let k = 0; k < g.slots; k++) {
        const a = g.offset + k;
        globalRoles[a - L.globalsBase] = roleOf(this.read(`g${a}`), `${g.name}${g.slots > 1 ? `[slot ${k}]` : ''}`);
      }
    }
    // A CPU-indexed array's elements must have the same roles.
    for (const arr of this.cpuArrays) {
      for (let c = 1; c < this.cpus; c++) {
        for (let k = 0; k < arr.stride; k++) {
          const a = arr.base - L.globalsBase;
          if (globalRoles[a + c * arr.stride + k] !== globalRoles[a + k]) throw new Broken('the elements of a CPU-indexed array hold different kinds of values', null);
        }
      }
    }
    const frameRoles = p.functions.map((f) => {
      const roles = new Uint8Array(Math.max(f.frameSlots, Frame.HEADER));
      roles[Frame.PREV_FP] = SlotRole.ADDRESS;
      if (!this.reachable.has(f.index)) return roles;
      for (let off = Frame.HEADER; off < f.frameSlots; off++) {
        const name = f.locals.find((v) => off >= v.offset && off < v.offset + v.slots)?.name ?? 'a spilled operand';
        roles[off] = roleOf(this.read(`l${f.index}:${off}`), `${name} in ${f.name}`);
      }
      return roles;
    });
    return { kind: 'symmetric', globalRoles, cpuArrays: this.cpuArrays, frameRoles };
  }
}

/** ZEROL (offset, slots: zero dead frame slots), where the compiler has it. */
const OP_ZEROL: number = (Op as Readonly<Record<string, number>>)['ZEROL'] ?? -1;

const BinOpCode = { ADD: 0, SUB: 1, EQ: 10, NE: 11, LT: 12, LE: 13, GT: 14, GE: 15 } as const;

function widthSlotsOf(w: number): number {
  return w === Width.I64 || w === Width.U64 ? 2 : 1;
}

function describe(bits: number): string {
  const parts: string[] = [];
  if ((bits & PLAIN) !== 0) parts.push('plain values');
  if ((bits & CPU) !== 0) parts.push('CPU ids');
  if ((bits & ADDR) !== 0) parts.push('addresses');
  if ((bits & MASK) !== 0) parts.push('cpumask words');
  return `both ${parts.join(' and ')}`;
}
