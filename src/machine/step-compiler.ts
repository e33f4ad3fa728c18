/**
 * Compiled steps: each function's bytecode turned into a JavaScript
 * function (through `new Function`), which V8 then compiles to machine
 * code like the rest of the checker. The operand stack becomes local
 * variables (its depth at every instruction is known statically),
 * operands become constants, and the interpreter's switches on width,
 * arithmetic kind and operator are resolved here, once. The semantics are
 * the interpreter's (vm.ts), instruction for instruction, through the same
 * Vm methods for calls, returns, address checks, faults and builtins; the
 * tests run every example both ways and compare state for state.
 *
 * A compiled function is entered at a pc where the operand stack is empty
 * (its entry, a statement boundary, the machine's fixed pcs) or, as `~pc`,
 * at a return point (the caller's spilled operands and the return value
 * wait in `vm.ops`). It runs until control leaves it (a call, a return, an
 * IRET) and returns where to go on, or `STEP_ENDED`.
 *
 * Only numbers from the program reach the generated text: no name or
 * string of the model.
 */
import {
  BinOp, callArgc, callSpill, Cpu, CpuFlag, Env, ENV_BASE, Frame, Kind, MAX_OPERAND_DEPTH, Op, OPERANDS, PRIVATE_ACCESS, stackEffect, StmtFlag, UnOp, Width, widthSlots,
  type FunctionInfo, type Program,
} from '../compile/index.js';
import { binary64 } from './int64.js';
import { StepFlag, STEP_STATEMENT_BUDGET, type BuiltinFn } from './step-outcome.js';
import { ViolationKind } from './violation.js';
import type { Vm } from './vm.js';

/** What a compiled function returns when the step is over (PC and FP are saved, or the step faulted). */
export const STEP_ENDED = -0x80000000;

/** A compiled function: runs the step on from `pc` (or from return point `~pc`); returns where to go on. */
export type CompiledUnit = (vm: Vm, s: Int32Array, pc: number) => number;

export interface CompiledSteps {
  /** Per pc: the compiled function whose code holds it. */
  readonly unitOf: Int32Array;
  /** Per pc: 1 where a compiled function can be entered with an empty operand stack. */
  readonly entry: Uint8Array;
  /** Per pc: 1 at a return point (entered as `~pc`). */
  readonly returnPoint: Uint8Array;
  readonly units: readonly CompiledUnit[];
}

/** What the generated functions use besides the Vm, handed to them as `h`. */
interface Runtime {
  readonly builtins: readonly BuiltinFn[];
  readonly constants: Float64Array;
  readonly fnEntry: Int32Array;
  readonly binary64: typeof binary64;
}

/**
 * Compiles `program`'s functions; null if some code is not in the shape the
 * compiler emits (then the interpreter runs everything). `quiet` is the
 * interpreter's table of local statements (quiet-statements.ts).
 */
export function compileSteps(program: Program, quiet: Uint8Array, builtins: readonly BuiltinFn[]): CompiledSteps | null {
  const code = program.code;
  const n = code.length;
  const { idlePc, taskExitPc, iretPc } = program.entries;
  const fixed = [idlePc, taskExitPc, iretPc];
  const starts = [...new Set([0, ...program.functions.map((f) => f.entry).filter((e) => e >= 0)])].sort((a, b) => a - b);
  const unitOf = new Int32Array(n).fill(-1);
  const entry = new Uint8Array(n);
  const returnPoint = new Uint8Array(n);
  // A return to the fixed pcs ends an interrupt or a task: nothing of the caller's to reload.
  returnPoint[taskExitPc] = 1;
  returnPoint[iretPc] = 1;
  const sources: string[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k] as number;
    const to = k + 1 < starts.length ? (starts[k + 1] as number) : n;
    unitOf.fill(k, from, to);
    const seeds = [from, ...fixed.filter((pc) => pc > from && pc < to)];
    const fn = program.functions.find((f) => f.entry === from) ?? null;
    const source = new UnitWriter(program, quiet, from, to, entry, returnPoint, fn).write(seeds);
    if (source === null) return null;
    sources.push(source);
  }
  const runtime: Runtime = {
    builtins,
    constants: program.constants,
    fnEntry: Int32Array.from(program.functions, (f) => f.entry),
    binary64,
  };
  let units: CompiledUnit[];
  try {
    units = unitsOf(`'use strict';\nreturn [\n${sources.join(',\n')}\n];`, runtime);
  } catch {
    // Text V8 will not take (it should take all of it; the tests compile every example): interpret instead.
    return null;
  }
  return { unitOf, entry, returnPoint, units };
}

/**
 * Compiled functions by their text, most recent last: checks of the same
 * program in one process (a sweep over NMI budgets, the benchmark, the
 * tests) share the functions, and with them the machine code V8 made, which
 * new functions of the same text would have to earn again.
 */
const compiledTexts = new Map<string, { readonly runtime: Runtime; readonly units: CompiledUnit[] }>();
const KEPT_TEXTS = 16;

/** The functions `text` defines for `runtime`, made once per text and runtime. */
function unitsOf(text: string, runtime: Runtime): CompiledUnit[] {
  const kept = compiledTexts.get(text);
  if (kept !== undefined && sameRuntime(kept.runtime, runtime)) {
    compiledTexts.delete(text);
    compiledTexts.set(text, kept);
    return kept.units;
  }
  const make = new Function('h', text) as (h: Runtime) => CompiledUnit[];
  const units = make(runtime);
  compiledTexts.delete(text);
  compiledTexts.set(text, { runtime, units });
  if (compiledTexts.size > KEPT_TEXTS) compiledTexts.delete(compiledTexts.keys().next().value as string);
  return units;
}

function sameRuntime(a: Runtime, b: Runtime): boolean {
  const same = (x: ArrayLike<unknown>, y: ArrayLike<unknown>): boolean => x.length === y.length && Array.prototype.every.call(x, (v, i) => Object.is(v, y[i]));
  return same(a.builtins, b.builtins) && same(a.constants, b.constants) && same(a.fnEntry, b.fnEntry);
}

/** Writes the JavaScript of one function's code, [from, to). */
class UnitWriter {
  private readonly code: Int32Array;
  /** Operand depth before each instruction (index pc - from), -1 where unreached. */
  private readonly depth: Int32Array;
  /** Per pc - from: 1 where control jumps to, or enters from outside. */
  private readonly label: Uint8Array;
  private readonly lines: string[] = [];

  constructor(
    private readonly program: Program,
    private readonly quiet: Uint8Array,
    private readonly from: number,
    private readonly to: number,
    private readonly entry: Uint8Array,
    private readonly returnPoint: Uint8Array,
    /** The function whose code this is; null for the machine's fixed code. */
    private readonly fn: FunctionInfo | null,
  ) {
    this.code = program.code;
    this.depth = new Int32Array(to - from).fill(-1);
    this.label = new Uint8Array(to - from);
  }

  /** The function's source, entered at `seeds` (with empty stacks); null if its code is not in the expected shape. */
  write(seeds: readonly number[]): string | null {
    if (!this.analyze(seeds)) return null;
    let maxDepth = 0;
    for (const d of this.depth) if (d + 3 > maxDepth) maxDepth = d + 3;
    const registers = Array.from({ length: maxDepth }, (_, i) => `r${i} = 0`).join(', ');
    this.lines.push(`function unit_${this.from}(vm, s, pc) {`);
    this.lines.push('const ops = vm.ops, log = vm.writes, fpr = vm.footprint, c = vm.cpu, cb = vm.cpuBase, fp = vm.fp;');
    this.lines.push(`let ${registers};`);
    this.lines.push('for (;;) switch (pc) {');
    for (let pc = this.from; pc < this.to; pc += 1 + (OPERANDS[this.code[pc] as number] as number)) {
      const d = this.depth[pc - this.from] as number;
      if (d < 0) continue;
      if (this.returnPoint[pc] === 1) {
        this.lines.push(`case ${~pc}:`);
        if (pc !== this.program.entries.iretPc && pc !== this.program.entries.taskExitPc) {
          for (let k = 0; k < d; k++) this.lines.push(`r${k} = ops[${k}];`);
        }
      }
      if (this.label[pc - this.from] === 1 || this.returnPoint[pc] === 1) this.lines.push(`case ${pc}:`);
      if (!this.instruction(pc, d)) return null;
    }
    this.lines.push(`default: throw new Error('irqcheck bug: no compiled code at pc ' + pc);`);
    this.lines.push('}');
    this.lines.push('}');
    return this.lines.join('\n');
  }

  /** Works out the operand depth at every reachable instruction; false on a conflict or a jump out. */
  private analyze(seeds: readonly number[]): boolean {
    const code = this.code;
    const work: number[] = [];
    const reach = (pc: number, d: number): boolean => {
      if (pc < this.from || pc >= this.to || d < 0 || d > MAX_OPERAND_DEPTH) return false;
      const i = pc - this.from;
      if (this.depth[i] === -1) {
        this.depth[i] = d;
        work.push(pc);
        return true;
      }
      return this.depth[i] === d;
    };
    for (const seed of seeds) {
      if (!reach(seed, 0)) return false;
      this.label[seed - this.from] = 1;
      this.entry[seed] = 1;
    }
    while (work.length > 0) {
      const pc = work.pop() as number;
      const d = this.depth[pc - this.from] as number;
      const op = code[pc] as number;
      const next = pc + 1 + (OPERANDS[op] ?? 0);
      switch (op) {
        case Op.JMP:
        case Op.JZ:
        case Op.JNZ: {
          const target = code[pc + 1] as number;
          const after = op === Op.JMP ? d : d - 1;
          if (after < 0 || !reach(target, after)) return false;
          this.label[target - this.from] = 1;
          if (op !== Op.JMP && !reach(next, after)) return false;
          break;
        }
        case Op.CALL:
        case Op.CALLI: {
          const indirect = op === Op.CALLI;
          const spill = callSpill(code, pc);
          if (d !== spill + callArgc(code, pc) + (indirect ? 1 : 0)) return false;
          if (!indirect && ((this.program.functions[code[pc + 1] as number]?.entry ?? -1) < 0)) return false;
          if (!reach(next, spill + 1)) return false;
          this.returnPoint[next] = 1;
          break;
        }
        case Op.RET:
          if (d < 1) return false;
          break;
        case Op.IRET:
        case Op.TASK_EXIT:
        case Op.IDLE:
        case Op.FAULT:
          break;
        default: {
          if (!reach(next, d + stackEffect(op, code[pc + 1] as number, code[pc + 2] as number))) return false;
          if (op === Op.STMT && d === 0) {
            this.label[pc - this.from] = 1;
            this.entry[pc] = 1;
          }
        }
      }
    }
    return true;
  }

  /**
   * A direct call of function `callee` with `argc` arguments above `spill`
   * pending operands: Vm.enterFunction with everything but the stack
   * pointer known here (which then only runs to report an overflow).
   */
  private call(pc: number, callee: number, argc: number, spill: number): void {
    const target = this.program.functions[callee] as FunctionInfo;
    const size = target.frameSlots;
    const end = `{ vm.stop(${pc}, fp); return ${STEP_ENDED}; }`;
    const emit = (line: string): void => {
      this.lines.push(line);
    };
    if (this.fn === null) {
      for (let k = 0; k < spill + argc; k++) emit(`ops[${k}] = r${k};`);
      emit(`{ const callee = vm.enterFunction(s, ${callee}, ${argc}, ${spill}, ${pc + 4}, fp); if (callee < 0) ${end}`);
      emit(`vm.fp = callee; return ${target.entry}; }`);
      return;
    }
    emit(`{ const callee = s[cb + ${Cpu.SP}];`);
    emit(`if (callee + ${size} > cb + ${this.program.layout.cpuSlots}) { vm.enterFunction(s, ${callee}, ${argc}, ${spill}, ${pc + 4}, fp); ${end} }`);
    emit(`if (callee + ${size} > vm.deepest) vm.deepest = callee + ${size};`);
    if (spill > 0) {
      const at = this.fn.spillOffset;
      emit(`log.add(fp + ${at}, fp + ${at + 2 * spill});`);
      for (let k = 0; k < spill; k++) emit(store(`fp + ${at + 2 * k}`, Width.I64, `r${k}`));
    }
    emit(`log.add(callee, callee + ${size});`);
    emit(`s[callee + ${Frame.FN}] = ${callee + 1}; s[callee + ${Frame.RET_PC}] = ${pc + 4}; s[callee + ${Frame.PREV_FP}] = fp; s[callee + ${Frame.AUX}] = ${spill};`);
    target.params.forEach((param, i) => {
      if (i < argc) emit(store(`callee + ${param.offset}`, param.width, normalized(`r${spill + i}`, param.width)));
    });
    emit(`s[cb + ${Cpu.FP}] = callee; s[cb + ${Cpu.SP}] = callee + ${size};`);
    emit(`vm.fp = callee; return ${target.entry}; }`);
  }

  /** Appends instruction `pc`, entered with `d` operands; false for one it cannot compile. */
  private instruction(pc: number, d: number): boolean {
    const code = this.code;
    const a1 = code[pc + 1] as number;
    const a2 = code[pc + 2] as number;
    const top = `r${d - 1}`;
    const below = `r${d - 2}`;
    const push = `r${d}`;
    const end = `{ vm.stop(${pc}, fp); return ${STEP_ENDED}; }`;
    const { readOnlyBase, readOnlyEnd } = this.program.layout;
    const emit = (line: string): void => {
      this.lines.push(line);
    };
    const first = this.lines.length;
    switch (code[pc] as number) {
      case Op.NOP:
        break;
      case Op.STMT: {
        const mayEnd = this.quiet[pc] === 0 || (a2 & StmtFlag.LOOP_HEAD) !== 0;
        emit(`if (vm.tracing && vm.flags === 0) vm.traceStatement(${a1}, fp);`);
        emit(`if (${mayEnd ? 'vm.flags !== 0 || ' : ''}++vm.statements > ${STEP_STATEMENT_BUDGET}) { s[cb + ${Cpu.PC}] = ${pc}; s[cb + ${Cpu.FP}] = fp; return ${STEP_ENDED}; }`);
        break;
      }
      case Op.CONST:
        emit(`${push} = ${a1};`);
        break;
      case Op.CONSTK:
        emit(`${push} = h.constants[${a1}];`);
        break;
      case Op.LOADL:
        emit(`${push} = ${load(`fp + ${a2}`, a1)};`);
        break;
      case Op.STOREL:
        emit(`log.add(fp + ${a2}, fp + ${a2 + widthSlots(a1)});`);
        emit(store(`fp + ${a2}`, a1, top));
        break;
      case Op.LOADG:
        if (a2 < readOnlyBase || a2 >= readOnlyEnd) emit(`vm.flags |= ${StepFlag.READ}; if (fpr !== null) fpr.add(c, ${pc}, ${a2}, ${widthSlots(a1)}, false);`);
        emit(`${push} = ${load(`${a2}`, a1)};`);
        break;
      case Op.STOREG:
        emit(`vm.flags |= ${StepFlag.WRITE}; if (fpr !== null) fpr.add(c, ${pc}, ${a2}, ${widthSlots(a1)}, true);`);
        emit(`log.add(${a2}, ${a2 + widthSlots(a1)});`);
        emit(store(`${a2}`, a1, top));
        break;
      case Op.ADDRL:
        emit(`${push} = fp + ${a1};`);
        break;
      case Op.ADDRG:
        emit(`${push} = ${a1};`);
        break;
      case Op.LOAD: {
        const w = a1 & 0xf;
        const slots = widthSlots(w);
        emit(`{ const a = ${top}; if (!vm.checkAddress(a, ${slots}, ${pc})) ${end}`);
        if ((a1 & PRIVATE_ACCESS) === 0) emit(`if (a < ${readOnlyBase} || a >= ${readOnlyEnd}) { vm.flags |= ${StepFlag.READ}; if (fpr !== null) fpr.add(c, ${pc}, a, ${slots}, false); }`);
        emit(`${top} = ${load('a', w)}; }`);
        break;
      }
      case Op.STORE: {
        const w = a1 & 0xf;
        const slots = widthSlots(w);
        emit(`{ const a = ${below}; if (!vm.checkAddress(a, ${slots}, ${pc})) ${end}`);
        if ((a1 & PRIVATE_ACCESS) === 0) emit(`vm.flags |= ${StepFlag.WRITE}; if (fpr !== null) fpr.add(c, ${pc}, a, ${slots}, true);`);
        emit(`log.add(a, a + ${slots});`);
        emit(`${store('a', w, top)} }`);
        break;
      }
      case Op.BIN:
        if (a1 === BinOp.DIV || a1 === BinOp.MOD) emit(`if (${top} === 0) { vm.fault(${ViolationKind.DIVISION_BY_ZERO}, ${pc}, 'division by zero'); ${end} }`);
        if (a2 === Kind.I32 || a2 === Kind.U32) {
          emit(`${below} = ${binary32(a1, a2 === Kind.U32, below, top)};`);
        } else {
          emit(`vm.pc = ${pc}; ${below} = h.binary64(${a1}, ${below}, ${top}, ${a2 === Kind.U64});`);
        }
        break;
      case Op.UN:
        emit(`${top} = ${unary(a1, a2, top)};`);
        break;
      case Op.CONV:
        emit(`${top} = ${normalized(top, a1)};`);
        break;
      case Op.JMP:
        emit(`pc = ${a1}; continue;`);
        break;
      case Op.JZ:
        emit(`if (${top} === 0) { pc = ${a1}; continue; }`);
        break;
      case Op.JNZ:
        emit(`if (${top} !== 0) { pc = ${a1}; continue; }`);
        break;
      case Op.DUP:
        emit(`${push} = ${top};`);
        break;
      case Op.POP:
        break;
      case Op.TUCK:
        emit(`{ const b = ${top}; ${top} = ${below}; ${below} = b; ${push} = b; }`);
        break;
      case Op.SWAP:
        emit(`{ const b = ${top}; ${top} = ${below}; ${below} = b; }`);
        break;
      case Op.CALL:
        this.call(pc, a1, a2, code[pc + 3] as number);
        break;
      case Op.CALLI: {
        const spill = a2;
        emit(`{ const fn = vm.callee(r${spill}, ${pc}); if (fn < 0) ${end}`);
        for (let k = 0; k < spill; k++) emit(`ops[${k}] = r${k};`);
        for (let k = spill + 1; k < d; k++) emit(`ops[${k - 1}] = r${k};`);
        emit(`const callee = vm.enterFunction(s, fn, ${a1}, ${spill}, ${pc + 4}, fp); if (callee < 0) ${end}`);
        emit('vm.fp = callee; return h.fnEntry[fn]; }');
        break;
      }
      case Op.RET: {
        const { iretPc, taskExitPc } = this.program.entries;
        if (this.fn === null) {
          emit(`{ const to = vm.leaveFunction(s, fp, ${top});`);
        } else {
          // Vm.leaveFunction with this function's frame size known.
          emit(`{ const to = s[fp + ${Frame.RET_PC}], prev = s[fp + ${Frame.PREV_FP}], spill = s[fp + ${Frame.AUX}];`);
          emit(`log.add(fp, fp + ${this.fn.frameSlots}); ${clear('fp', this.fn.frameSlots)} s[cb + ${Cpu.SP}] = fp; s[cb + ${Cpu.FP}] = prev;`);
          emit(`if (spill > 0) vm.restoreSpilled(s, prev, spill);`);
          emit(`ops[spill] = ${top}; vm.fp = prev;`);
        }
        emit(`if (vm.flags !== 0 && (to === ${iretPc} || to === ${taskExitPc})) { vm.stop(to, vm.fp); return ${STEP_ENDED}; }`);
        emit('return ~to; }');
        break;
      }
      case Op.BUILTIN:
        for (let k = 0; k < a2; k++) emit(`ops[${k}] = r${d - a2 + k};`);
        emit(`vm.pc = ${pc}; { const result = h.builtins[${a1}](vm, 0, ${a2}); if (vm.violation !== 0) ${end} r${d - a2} = result; }`);
        break;
      case Op.PTRADD:
        emit(`if (${below} === 0 && ${top} !== 0) { vm.fault(${ViolationKind.NULL_DEREFERENCE}, ${pc}, 'a member or element of a NULL pointer'); ${end} }`);
        emit(`${below} = ${below} + ${top} * ${a1};`);
        break;
      case Op.PTRDIFF:
        emit(`${below} = Math.trunc((${below} - ${top}) / ${a1});`);
        break;
      case Op.CHKIDX:
        emit(`if (${top} < 0 || ${top} >= ${a1}) { vm.fault(${ViolationKind.OUT_OF_BOUNDS}, ${pc}, 'index ' + ${top} + ' is out of bounds for an array of ${a1}'); ${end} }`);
        break;
      case Op.COPY:
        emit(`{ const src = ${top}, dst = ${below}; if (!vm.checkAddress(src, ${a1}, ${pc}) || !vm.checkAddress(dst, ${a1}, ${pc})) ${end}`);
        emit(`log.add(dst, dst + ${a1}); s.copyWithin(dst, src, src + ${a1}); vm.flags |= ${StepFlag.READ | StepFlag.WRITE};`);
        emit(`if (fpr !== null) { fpr.add(c, ${pc}, src, ${a1}, false); fpr.add(c, ${pc}, dst, ${a1}, true); } }`);
        break;
      case Op.ZERO:
        emit(`{ const a = ${top}; if (fpr !== null) fpr.add(c, ${pc}, a, ${a1}, true); log.add(a, a + ${a1}); ${clear('a', a1)} }`);
        break;
      case Op.ZEROL:
        emit(`log.add(fp + ${a1}, fp + ${a1 + a2});`);
        emit(clear(`fp + ${a1}`, a2));
        break;
      case Op.TASK_EXIT: {
        const flags = `cb + ${Cpu.FLAGS}`;
        const done = ENV_BASE + Env.MAIN_DONE;
        emit(`log.add(${flags}, ${flags} + 1); log.add(${done}, ${done + 1});`);
        emit(`s[${flags}] = s[${flags}] | ${CpuFlag.IDLE | CpuFlag.IF}; if (fpr !== null) fpr.add(c, ${pc}, ${flags}, 1, true);`);
        emit(`s[cb + ${Cpu.PC}] = ${this.program.entries.idlePc}; s[cb + ${Cpu.FP}] = 0; if (c === 0) s[${done}] = 1;`);
        emit(`vm.flags |= ${StepFlag.WRITE}; return ${STEP_ENDED};`);
        break;
      }
      case Op.IRET:
        emit(`vm.pc = ${pc}; vm.iret(s, cb, fp); vm.flags |= ${StepFlag.WRITE};`);
        emit(`if ((s[cb + ${Cpu.FLAGS}] & ${CpuFlag.IDLE}) !== 0) return ${STEP_ENDED};`);
        emit(`vm.fp = s[cb + ${Cpu.FP}]; return s[cb + ${Cpu.PC}];`);
        break;
      case Op.FAULT:
        emit(`vm.fault(${a1}, ${pc}, 'control reached a fault'); ${end}`);
        break;
      case Op.IDLE:
        emit(`return ${STEP_ENDED};`);
        break;
      default:
        return false;
    }
    // Code the compiler emits never takes more operands than the stack holds; code that did is not compiled.
    const underflow = (line: string): boolean => (d < 1 && line.includes(top)) || (d < 2 && line.includes(below));
    return !this.lines.slice(first).some(underflow);
  }
}

const TWO_32 = 4294967296;

/** Zeroes `n` slots from `addr` (an expression evaluated once): stores written out when few, a loop otherwise, never `fill` (a runtime call). */
function clear(addr: string, n: number): string {
  if (n <= 8) return Array.from({ length: n }, (_, k) => `s[${addr} + ${k}] = 0;`).join(' ');
  return `for (let i = ${addr}, e = i + ${n}; i < e; i++) s[i] = 0;`;
}

/** The value of width `w` at `s[addr]` (`addr` an expression without side effects). */
function load(addr: string, w: number): string {
  if (w === Width.U32) return `(s[${addr}] >>> 0)`;
  if (w === Width.I64 || w === Width.U64) return `(s[${addr} + 1] * ${TWO_32} + (s[${addr}] >>> 0))`;
  return `s[${addr}]`;
}

/** Stores `v` wrapped to width `w` at `s[addr]` (slots.ts' storeNumber of normalize). */
function store(addr: string, w: number, v: string): string {
  if (w === Width.I64 || w === Width.U64) return `s[${addr}] = ${v} | 0; s[${addr} + 1] = Math.floor(${v} / ${TWO_32}) | 0;`;
  return `s[${addr}] = ${normalized(v, w)} | 0;`;
}

/** `v` wrapped to width `w` (slots.ts' normalize). */
function normalized(v: string, w: number): string {
  switch (w) {
    case Width.I8:
      return `((${v} | 0) << 24 >> 24)`;
    case Width.U8:
      return `((${v} | 0) & 0xff)`;
    case Width.I16:
      return `((${v} | 0) << 16 >> 16)`;
    case Width.U16:
      return `((${v} | 0) & 0xffff)`;
    case Width.I32:
      return `(${v} | 0)`;
    case Width.U32:
      return `(${v} >>> 0)`;
    case Width.BOOL:
      return `(${v} !== 0 ? 1 : 0)`;
    default:
      return v;
  }
}

/** 32-bit `a op b` (the interpreter's `binary` for kinds I32 and U32; division by zero checked before). */
function binary32(op: number, unsigned: boolean, a: string, b: string): string {
  const wrap = (r: string): string => (unsigned ? `((${r}) >>> 0)` : `((${r}) | 0)`);
  switch (op) {
    case BinOp.ADD:
      return wrap(`${a} + ${b}`);
    case BinOp.SUB:
      return wrap(`${a} - ${b}`);
    case BinOp.MUL:
      return wrap(`Math.imul(${a}, ${b})`);
    case BinOp.DIV:
      return wrap(`Math.trunc(${a} / ${b})`);
    case BinOp.MOD:
      return wrap(`${a} % ${b}`);
    case BinOp.SHL:
      return wrap(`${a} << (${b} & 31)`);
    case BinOp.SHR:
      return wrap(unsigned ? `${a} >>> (${b} & 31)` : `${a} >> (${b} & 31)`);
    case BinOp.AND:
      return wrap(`${a} & ${b}`);
    case BinOp.OR:
      return wrap(`${a} | ${b}`);
    case BinOp.XOR:
      return wrap(`${a} ^ ${b}`);
    case BinOp.EQ:
      return `(${a} === ${b} ? 1 : 0)`;
    case BinOp.NE:
      return `(${a} !== ${b} ? 1 : 0)`;
    case BinOp.LT:
      return `(${a} < ${b} ? 1 : 0)`;
    case BinOp.LE:
      return `(${a} <= ${b} ? 1 : 0)`;
    case BinOp.GT:
      return `(${a} > ${b} ? 1 : 0)`;
    default:
      return `(${a} >= ${b} ? 1 : 0)`;
  }
}

/** `op a` in arithmetic `kind` (the interpreter's UN). */
function unary(op: number, kind: number, a: string): string {
  if (op === UnOp.LNOT) return `(${a} === 0 ? 1 : 0)`;
  if (op === UnOp.NEG) return kind === Kind.I32 ? `(-${a} | 0)` : kind === Kind.U32 ? `(-${a} >>> 0)` : `(${a} === 0 ? 0 : -${a})`;
  return kind === Kind.I32 ? `(~${a})` : kind === Kind.U32 ? `(~${a} >>> 0)` : `(-${a} - 1)`;
}
