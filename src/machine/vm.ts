/**
 * The interpreter: runs one CPU from its program counter to the end of a
 * step — the first statement boundary after it did something other CPUs can
 * observe (a shared read or write, a hardware action). Local computation
 * folds into the step.
 *
 * Hot: called for every transition. Works in place on the state vector;
 * the operand stack is a preallocated scratch array; allocates nothing
 * except on the rare path (a violation's detail).
 */
import {
  BinOp, callArgc, callSpill, clearSlots, Cpu, CpuFlag, FN_PTR_TAG, Frame, Kind, loadNumber, MAX_OPERAND_DEPTH, normalize, Op, PRIVATE_ACCESS,
  STR_PTR_TAG, StmtFlag, TAG_MASK, UnOp, Width, storeNumber, widthSlots, Env, ENV_BASE, GLOBALS_BASE, FrameKind, NEST_NMI_SHIFT, NEST_IRQ_SHIFT, NEST_EXC_SHIFT,
  type Program, type StateLayout,
} from '../compile/index.js';
import { binary64, compare, Int64RangeError } from './int64.js';
import { ViolationKind } from './violation.js';
import type { AccessRecorder } from './footprint.js';
import { deviceFields, type DeviceFields } from './msi.js';
import { serialize, textSiteFields, type TextSiteFields } from './text.js';
import { quietStatements } from './quiet-statements.js';
import { StateWriteLog } from './write-log.js';
import { compileSteps, STEP_ENDED, type CompiledSteps, type CompiledUnit } from './step-compiler.js';
import { StepFlag, STEP_STATEMENT_BUDGET, type BuiltinFn } from './step-outcome.js';

export { StepFlag, STEP_STATEMENT_BUDGET, writingBuiltin, type BuiltinFn } from './step-outcome.js';

export class Vm {
  readonly program: Program;
  readonly layout: StateLayout;
  /** Operand stack scratch. Builtins read their arguments here. */
  readonly ops = new Float64Array(MAX_OPERAND_DEPTH + 8);
  /** The state being stepped and the CPU stepping (valid during a step). */
  state: Int32Array = new Int32Array(0);
  cpu = 0;
  /** Absolute base of the stepping CPU's registers. */
  cpuBase = 0;
  /** Outcome bits accumulated by the current step. */
  flags = 0;
  /** The violation of the last step (ViolationKind), and where. */
  violation = 0;
  violationPc = -1;
  /** The warning of the last step, its site, and what tells it apart from others (site by default). */
  warning = 0;
  warningSite = -1;
  warningKey = -1;
  /** Nanoseconds of delay (ndelay/udelay/mdelay) the step executed. */
  delayNs = 0;
  /** The step spent time (see `spendTime`). */
  delayed = false;
  /** The highest stack address a call has reached since the caller last set it (stack headroom of a run). */
  deepest = 0;
  /** Rare-path detail of the last violation, for messages. */
  detail = '';
  /** The pc of the instruction being executed (for builtins' messages). */
  pc = 0;
  /** WARN_ON is a violation (--strict). */
  strict = false;
  /** Field offsets of the model's MSI devices, null if it has none. */
  readonly devices: DeviceFields | null;
  /** Field offsets of the model's text sites, null if it has none. */
  readonly textSites: TextSiteFields | null;
  /** The heap's blocks and their in-use flags (absolute addresses), -1 if the model allocates nothing. */
  readonly heapBase: number;
  readonly heapUsed: number;
  /**
   * A step may branch once (a fetch that may see stale bytes): `choice` is
   * the alternative to take, set by the caller; `choices` is how many there
   * were, set by the step (0: the step did not branch).
   */
  choice = 0;
  choices = 0;
  /**
   * Where shared accesses are recorded (partial-order reduction, recalled
   * transitions), null when nothing records them. Accesses to the stepping
   * CPU's own frames through its locals are never recorded: they are its
   * own by construction.
   */
  footprint: AccessRecorder | null = null;
  /**
   * Every word written to a state, as ranges: what the search looks at to
   * fingerprint a successor (see write-log.ts). A store that bypasses it
   * would merge distinct states; `verifyWrites` in the tests catches one.
   */
  readonly writes = new StateWriteLog();
  /** Statements the current step has run (bounded by the step budget). */
  statements = 0;
  /** The stepping CPU's frame while a compiled step passes from one function to another. */
  fp = 0;
  /** The program's functions compiled to JavaScript (step-compiler.ts); null: interpret the bytecode. */
  compiled: CompiledSteps | null;
  /** Rebuilding a trace: record the statement each step ran, and printk output. */
  tracing = false;
  /** While tracing: the site of the statement that made the step visible. */
  stepSite = -1;
  /** While tracing: the model line of that statement, and the kernel function it ran in (null if model code). */
  stepModelSite = -1;
  stepKernelFn: string | null = null;
  /** While tracing: lines printed by the step. */
  log: string[] | null = null;

  private readonly code: Int32Array;
  private readonly consts: Float64Array;
  private readonly fnEntry: Int32Array;
  private readonly fnFrameSlots: Int32Array;
  private readonly fnSpillOffset: Int32Array;
  private readonly fnParamStart: Int32Array;
  private readonly paramOffsets: Int32Array;
  private readonly paramWidths: Int32Array;
  private readonly fnCount: number;
  private readonly roBase: number;
  private readonly roEnd: number;
  /** Per pc: 1 at a local statement's STMT (see quiet-statements.ts). */
  private readonly quiet: Uint8Array;
  private readonly iretPc: number;
  private readonly taskExitPc: number;

  /** `compile`: run steps through compiled functions where the program allows (see step-compiler.ts). */
  constructor(program: Program, readonly builtins: readonly BuiltinFn[], compile = true) {
    this.program = program;
    this.layout = program.layout;
    this.code = program.code;
    this.consts = program.constants;
    const fns = program.functions;
    this.fnCount = fns.length;
    this.fnEntry = Int32Array.from(fns, (f) => f.entry);
    this.fnFrameSlots = Int32Array.from(fns, (f) => f.frameSlots);
    this.fnSpillOffset = Int32Array.from(fns, (f) => f.spillOffset);
    this.fnParamStart = new Int32Array(fns.length + 1);
    const offs: number[] = [];
    const widths: number[] = [];
    fns.forEach((f, i) => {
      this.fnParamStart[i] = offs.length;
      for (const p of f.params) {
        offs.push(p.offset);
        widths.push(p.width);
      }
    });
    this.fnParamStart[fns.length] = offs.length;
    this.paramOffsets = Int32Array.from(offs);
    this.paramWidths = Int32Array.from(widths);
    this.roBase = program.layout.readOnlyBase;
    this.roEnd = program.layout.readOnlyEnd;
    this.quiet = quietStatements(program);
    this.iretPc = program.entries.iretPc;
    this.taskExitPc = program.entries.taskExitPc;
    this.devices = deviceFields(program);
    this.textSites = textSiteFields(program);
    this.heapBase = program.globals.find((g) => g.name === '__irqcheck_heap')?.offset ?? -1;
    this.heapUsed = program.globals.find((g) => g.name === '__irqcheck_heap_used')?.offset ?? -1;
    this.compiled = compile ? compileSteps(program, this.quiet, builtins) : null;
  }

  /**
   * A branch point of the current step among `n` alternatives: returns the
   * one to take. A step branches at most once (one instruction fetch per
   * statement).
   */
  choose(n: number): number {
    if (this.choices !== 0) {
      this.fault(ViolationKind.OUT_OF_BOUNDS, this.pc, 'two instruction fetches in one statement: split them into separate statements');
      return 0;
    }
    this.choices = n;
    return this.choice < n ? this.choice : n - 1;
  }

  /** Runs CPU `c` of state `s` for one step, in place. Returns StepFlag bits. */
  step(s: Int32Array, c: number): number {
    this.state = s;
    this.cpu = c;
    const cb = this.layout.cpuBase0 + c * this.layout.cpuSlots;
    this.cpuBase = cb;
    this.flags = 0;
    this.violation = 0;
    this.warning = 0;
    this.delayNs = 0;
    this.delayed = false;
    this.choices = 0;
    this.statements = 0;
    // PC, FP and SP: written at the step's end, by calls and by returns.
    this.writes.add(cb + Cpu.PC, cb + Cpu.SP + 1);
    const pc = s[cb + Cpu.PC] as number;
    const fp = s[cb + Cpu.FP] as number;
    const compiled = this.compiled;
    if (compiled !== null && compiled.entry[pc] === 1) return this.runCompiled(compiled, s, pc, fp);
    return this.interpret(s, pc, fp);
  }

  /**
   * Runs a step through the compiled functions (step-compiler.ts), from a
   * pc where one can be entered; a function that passes control to a pc
   * where none can hands the rest of the step to the interpreter.
   */
  private runCompiled(compiled: CompiledSteps, s: Int32Array, pc: number, fp: number): number {
    const { units, unitOf, entry, returnPoint } = compiled;
    this.fp = fp;
    let next = pc;
    try {
      for (;;) {
        if (next >= 0) {
          if (entry[next] !== 1) return this.interpret(s, next, this.fp);
        } else if (next === STEP_ENDED) {
          return this.flags;
        } else if (returnPoint[~next] !== 1) {
          throw new Error(`irqcheck bug: no compiled return point at pc ${~next}`);
        }
        next = (units[unitOf[next >= 0 ? next : ~next] as number] as CompiledUnit)(this, s, next);
      }
    } catch (err) {
      if (err instanceof Int64RangeError) {
        this.fault(ViolationKind.OUT_OF_BOUNDS, this.pc, err.message);
        return this.stop(this.pc, this.fp);
      }
      throw err;
    }
  }

  /** Runs the step on from `pc` (frame `fp`, an empty operand stack) by interpreting the bytecode. */
  private interpret(s: Int32Array, startPc: number, startFp: number): number {
    const c = this.cpu;
    const cb = this.cpuBase;
    const code = this.code;
    const quiet = this.quiet;
    const ops = this.ops;
    const log = this.writes;
    let pc = startPc;
    let fp = startFp;
    let sp = 0;
    let statements = this.statements;
    try {
      for (;;) {
        const op = code[pc] as number;
        switch (op) {
          case Op.STMT:
            if (this.tracing && this.flags === 0) this.traceStatement(code[pc + 1] as number, fp);
            // After something visible, the step runs on through local statements (quiet-statements.ts),
            // but not around a loop: a local loop's head ends it, as a wait's does.
            if ((this.flags !== 0 && (quiet[pc] === 0 || ((code[pc + 2] as number) & StmtFlag.LOOP_HEAD) !== 0)) || ++statements > STEP_STATEMENT_BUDGET) {
              s[cb + Cpu.PC] = pc;
              s[cb + Cpu.FP] = fp;
              return this.flags;
            }
            pc += 3;
            break;
          case Op.CONST:
            ops[sp++] = code[pc + 1] as number;
            pc += 2;
            break;
          case Op.CONSTK:
            ops[sp++] = this.consts[code[pc + 1] as number] as number;
            pc += 2;
            break;
          case Op.LOADL:
            ops[sp++] = loadNumber(s, fp + (code[pc + 2] as number), code[pc + 1] as number);
            pc += 3;
            break;
          case Op.STOREL: {
            const w = code[pc + 1] as number;
            const addr = fp + (code[pc + 2] as number);
            log.add(addr, addr + widthSlots(w));
            storeNumber(s, addr, w, normalize(ops[--sp] as number, w));
            pc += 3;
            break;
          }
          case Op.LOADG: {
            const addr = code[pc + 2] as number;
            if (addr < this.roBase || addr >= this.roEnd) {
              this.flags |= StepFlag.READ;
              if (this.footprint !== null) this.footprint.add(c, pc, addr, widthSlots(code[pc + 1] as number), false);
            }
            ops[sp++] = loadNumber(s, addr, code[pc + 1] as number);
            pc += 3;
            break;
          }
          case Op.STOREG: {
            const w = code[pc + 1] as number;
            this.flags |= StepFlag.WRITE;
            const addr = code[pc + 2] as number;
            if (this.footprint !== null) this.footprint.add(c, pc, addr, widthSlots(w), true);
            log.add(addr, addr + widthSlots(w));
            storeNumber(s, addr, w, normalize(ops[--sp] as number, w));
            pc += 3;
            break;
          }
          case Op.ADDRL:
            ops[sp++] = fp + (code[pc + 1] as number);
            pc += 2;
            break;
          case Op.ADDRG:
            ops[sp++] = code[pc + 1] as number;
            pc += 2;
            break;
          case Op.LOAD: {
            const w = code[pc + 1] as number;
            const addr = ops[sp - 1] as number;
            if (!this.checkAddress(addr, widthSlots(w & 0xf), pc)) return this.stop(pc, fp);
            if ((w & PRIVATE_ACCESS) === 0 && (addr < this.roBase || addr >= this.roEnd)) {
              this.flags |= StepFlag.READ;
              if (this.footprint !== null) this.footprint.add(c, pc, addr, widthSlots(w & 0xf), false);
            }
            ops[sp - 1] = loadNumber(s, addr, w & 0xf);
            pc += 2;
            break;
          }
          case Op.STORE: {
            const w = code[pc + 1] as number;
            const v = ops[--sp] as number;
            const addr = ops[--sp] as number;
            if (!this.checkAddress(addr, widthSlots(w & 0xf), pc)) return this.stop(pc, fp);
            if ((w & PRIVATE_ACCESS) === 0) {
              this.flags |= StepFlag.WRITE;
              if (this.footprint !== null) this.footprint.add(c, pc, addr, widthSlots(w & 0xf), true);
            }
            log.add(addr, addr + widthSlots(w & 0xf));
            storeNumber(s, addr, w & 0xf, normalize(v, w & 0xf));
            pc += 2;
            break;
          }
          case Op.BIN: {
            const b = ops[--sp] as number;
            const a = ops[sp - 1] as number;
            const r = this.binary(code[pc + 1] as number, code[pc + 2] as number, a, b, pc);
            if (this.violation !== 0) return this.stop(pc, fp);
            ops[sp - 1] = r;
            pc += 3;
            break;
          }
          case Op.UN: {
            const a = ops[sp - 1] as number;
            const kind = code[pc + 2] as number;
            const u = code[pc + 1] as number;
            if (u === UnOp.LNOT) ops[sp - 1] = a === 0 ? 1 : 0;
            else if (u === UnOp.NEG) ops[sp - 1] = kind === Kind.I32 ? -a | 0 : kind === Kind.U32 ? -a >>> 0 : a === 0 ? 0 : -a;
            else ops[sp - 1] = kind === Kind.I32 ? ~a : kind === Kind.U32 ? ~a >>> 0 : -a - 1;
            pc += 3;
            break;
          }
          case Op.CONV:
            ops[sp - 1] = normalize(ops[sp - 1] as number, code[pc + 1] as number);
            pc += 2;
            break;
          case Op.JMP:
            pc = code[pc + 1] as number;
            break;
          case Op.JZ:
            pc = ops[--sp] === 0 ? (code[pc + 1] as number) : pc + 2;
            break;
          case Op.JNZ:
            pc = ops[--sp] !== 0 ? (code[pc + 1] as number) : pc + 2;
            break;
          case Op.DUP:
            ops[sp] = ops[sp - 1] as number;
            sp++;
            pc += 1;
            break;
          case Op.POP:
            sp--;
            pc += 1;
            break;
          case Op.TUCK: {
            const b = ops[sp - 1] as number;
            ops[sp - 1] = ops[sp - 2] as number;
            ops[sp - 2] = b;
            ops[sp++] = b;
            pc += 1;
            break;
          }
          case Op.SWAP: {
            const b = ops[sp - 1] as number;
            ops[sp - 1] = ops[sp - 2] as number;
            ops[sp - 2] = b;
            pc += 1;
            break;
          }
          case Op.CALL:
          case Op.CALLI: {
            const argc = callArgc(code, pc);
            const spill = callSpill(code, pc);
            let fn: number;
            if (op === Op.CALLI) {
              fn = this.callee(ops[sp - argc - 1] as number, pc);
              if (fn < 0) return this.stop(pc, fp);
              for (let i = sp - argc - 1; i < sp - 1; i++) ops[i] = ops[i + 1] as number;
              sp--;
            } else {
              fn = code[pc + 1] as number;
            }
            const newFp = this.enterFunction(s, fn, argc, spill, pc + 4, fp);
            if (newFp < 0) return this.stop(pc, fp);
            sp = 0;
            fp = newFp;
            pc = this.fnEntry[fn] as number;
            break;
          }
          case Op.RET: {
            const spill = s[fp + Frame.AUX] as number;
            pc = this.leaveFunction(s, fp, ops[--sp] as number);
            fp = this.fp;
            sp = spill + 1;
            // An IRET or a task's exit is a step of its own: an interrupt may come between the handler's (or the
            // task's) last visible action and it, whatever local statements came between them.
            if (this.flags !== 0 && (pc === this.iretPc || pc === this.taskExitPc)) return this.stop(pc, fp);
            break;
          }
          case Op.BUILTIN: {
            const argc = code[pc + 2] as number;
            const base = sp - argc;
            this.pc = pc;
            const r = (this.builtins[code[pc + 1] as number] as BuiltinFn)(this, base, argc);
            if (this.violation !== 0) return this.stop(pc, fp);
            sp = base;
            ops[sp++] = r;
            pc += 3;
            break;
          }
          case Op.PTRADD: {
            const i = ops[--sp] as number;
            const base = ops[sp - 1] as number;
            if (base === 0 && i !== 0) {
              this.fault(ViolationKind.NULL_DEREFERENCE, pc, 'a member or element of a NULL pointer');
              return this.stop(pc, fp);
            }
            ops[sp - 1] = base + i * (code[pc + 1] as number);
            pc += 2;
            break;
          }
          case Op.PTRDIFF: {
            const b = ops[--sp] as number;
            ops[sp - 1] = Math.trunc(((ops[sp - 1] as number) - b) / (code[pc + 1] as number));
            pc += 2;
            break;
          }
          case Op.CHKIDX: {
            const i = ops[sp - 1] as number;
            const length = code[pc + 1] as number;
            if (i < 0 || i >= length) {
              this.fault(ViolationKind.OUT_OF_BOUNDS, pc, `index ${i} is out of bounds for an array of ${length}`);
              return this.stop(pc, fp);
            }
            pc += 2;
            break;
          }
          case Op.COPY: {
            const n = code[pc + 1] as number;
            const src = ops[--sp] as number;
            const dst = ops[--sp] as number;
            if (!this.checkAddress(src, n, pc) || !this.checkAddress(dst, n, pc)) return this.stop(pc, fp);
            log.add(dst, dst + n);
            s.copyWithin(dst, src, src + n);
            this.flags |= StepFlag.READ | StepFlag.WRITE;
            if (this.footprint !== null) {
              this.footprint.add(c, pc, src, n, false);
              this.footprint.add(c, pc, dst, n, true);
            }
            pc += 2;
            break;
          }
          case Op.ZERO: {
            const n = code[pc + 1] as number;
            const addr = ops[--sp] as number;
            if (this.footprint !== null) this.footprint.add(c, pc, addr, n, true);
            log.add(addr, addr + n);
            clearSlots(s, addr, addr + n);
            pc += 2;
            break;
          }
          case Op.TASK_EXIT:
            log.add(cb + Cpu.FLAGS, cb + Cpu.FLAGS + 1);
            log.add(ENV_BASE + Env.MAIN_DONE, ENV_BASE + Env.MAIN_DONE + 1);
            s[cb + Cpu.FLAGS] = (s[cb + Cpu.FLAGS] as number) | CpuFlag.IDLE | CpuFlag.IF;
            if (this.footprint !== null) this.footprint.add(c, pc, cb + Cpu.FLAGS, 1, true);
            s[cb + Cpu.PC] = this.program.entries.idlePc;
            s[cb + Cpu.FP] = 0;
            if (c === 0) s[ENV_BASE + Env.MAIN_DONE] = 1;
            this.flags |= StepFlag.WRITE;
            return this.flags;
          case Op.IRET:
            this.pc = pc;
            this.iret(s, cb, fp);
            this.flags |= StepFlag.WRITE;
            pc = s[cb + Cpu.PC] as number;
            fp = s[cb + Cpu.FP] as number;
            sp = 0;
            if ((s[cb + Cpu.FLAGS] as number) & CpuFlag.IDLE) return this.flags;
            break;
          case Op.FAULT:
            this.fault(code[pc + 1] as number, pc, 'control reached a fault');
            return this.stop(pc, fp);
          case Op.IDLE:
            return this.flags;
          case Op.NOP:
            pc += 1;
            break;
          case Op.ZEROL: {
            const from = fp + (code[pc + 1] as number);
            const to = from + (code[pc + 2] as number);
            log.add(from, to);
            for (let i = from; i < to; i++) s[i] = 0;
            pc += 3;
            break;
          }
          default:
            throw new Error(`irqcheck bug: bad opcode ${op} at pc ${pc}`);
        }
      }
    } catch (err) {
      if (err instanceof Int64RangeError) {
        this.fault(ViolationKind.OUT_OF_BOUNDS, pc, err.message);
        return this.stop(pc, fp);
      }
      throw err;
    }
  }

  /** Starts tracing a step of the CPU whose registers are at `cb` in `s` (rare path: allocates the log). */
  beginTrace(s: Int32Array, cb: number): void {
    this.tracing = true;
    this.stepSite = this.program.pcSite[s[cb + Cpu.PC] as number] ?? -1;
    this.stepModelSite = this.stepSite;
    this.stepKernelFn = null;
    this.log = [];
  }

  /**
   * While tracing: the statement about to run may be the one that makes the
   * step visible. Record it, and the model line it belongs to (a kernel
   * function's statement shows as its caller's line in the model).
   */
  traceStatement(site: number, fp: number): void {
    this.stepSite = site;
    this.stepKernelFn = null;
    const s = this.state;
    const fns = this.program.functions;
    let frame = fp;
    let current = site;
    while (frame > 0) {
      const fn = fns[(s[frame + Frame.FN] as number) - 1];
      if (fn === undefined || fn.isModel) break;
      this.stepKernelFn ??= fn.name;
      const caller = s[frame + Frame.PREV_FP] as number;
      if (caller <= 0 || (s[caller + Frame.FN] as number) <= 0) break;
      current = this.program.pcSite[(s[frame + Frame.RET_PC] as number) - 1] ?? current;
      frame = caller;
    }
    this.stepModelSite = current;
  }

  /** Records a violation of the current step (rare path). */
  fault(kind: number, pc: number, detail: string): void {
    this.violation = kind;
    this.violationPc = pc;
    this.detail = detail;
    this.flags |= StepFlag.VIOLATION;
  }

  /** Records a warning (WARN_ON, a spurious interrupt); with --strict it is a violation. */
  warn(site: number, detail: string, kind: number = ViolationKind.WARNING, key: number = site): void {
    if (this.strict) {
      this.fault(kind, this.pc, detail);
      return;
    }
    this.warning = kind;
    this.warningSite = site;
    this.warningKey = key;
    this.detail = detail;
    this.flags |= StepFlag.WARNING;
  }

  /** Marks the step as having read shared state at [addr, addr + slots) (for builtins). */
  read(addr: number, slots: number): void {
    this.flags |= StepFlag.READ;
    if (this.footprint !== null) this.footprint.add(this.cpu, this.pc, addr, slots, false);
  }

  /** Marks the step as having written shared state at [addr, addr + slots) (for builtins). */
  write(addr: number, slots: number): void {
    this.flags |= StepFlag.WRITE;
    this.writes.add(addr, addr + slots);
    if (this.footprint !== null) this.footprint.add(this.cpu, this.pc, addr, slots, true);
  }

  /**
   * Records an access the step's visibility does not depend on (a read of
   * another CPU's registers that only decides a check, a write the step
   * already flagged): for partial-order reduction only.
   */
  touch(addr: number, slots: number, write: boolean): void {
    if (write) this.writes.add(addr, addr + slots);
    if (this.footprint !== null) this.footprint.add(this.cpu, this.pc, addr, slots, write);
  }

  /**
   * Changed only this CPU's own registers (IF, nesting) or its own view of
   * the text: visible to interrupt delivery, invisible to other CPUs. A
   * loop whose writes are all of this kind and cancel out is a spin.
   */
  writeOwn(): void {
    this.flags |= StepFlag.OWN_WRITE;
    this.touch(this.cpuBase + Cpu.FLAGS, 1, true);
    this.touch(this.cpuBase + Cpu.NEST, 1, true);
  }

  /** The step spends time (ndelay, udelay, mdelay, cpu_relax). Not visible to other CPUs. */
  spendTime(ns: number): void {
    this.delayNs += ns;
    this.delayed = true;
  }

  /** Whether `addr` is readable memory of `slots` slots; faults if not. */
  checkAddress(addr: number, slots: number, pc: number): boolean {
    if (addr === 0) {
      this.fault(ViolationKind.NULL_DEREFERENCE, pc, 'dereference of a NULL pointer');
      return false;
    }
    if ((addr & (FN_PTR_TAG | STR_PTR_TAG)) !== 0 || addr < 0 || addr !== Math.floor(addr)) {
      this.fault(ViolationKind.OUT_OF_BOUNDS, pc, (addr & STR_PTR_TAG) !== 0 ? 'a string literal is not memory the model can read' : 'dereference of a pointer that points to no object');
      return false;
    }
    const L = this.layout;
    if (addr >= L.globalsBase && addr + slots <= L.globalsBase + L.globalsSlots) {
      if (this.heapBase < 0 || addr < this.heapBase || addr >= this.heapBase + HEAP_OBJECTS * HEAP_SLOTS) return true;
      const block = Math.floor((addr - this.heapBase) / HEAP_SLOTS);
      if ((this.state[this.heapUsed + block] as number) !== 0) return true;
      this.fault(ViolationKind.USE_AFTER_FREE, pc, `access to heap object ${block} after kfree()`);
      return false;
    }
    if (addr >= L.cpuBase0 && addr < L.stateSlots) {
      const c = Math.floor((addr - L.cpuBase0) / L.cpuSlots);
      const cb = L.cpuBase0 + c * L.cpuSlots;
      if (addr >= cb + Cpu.SLOTS && addr + slots <= (this.state[cb + Cpu.SP] as number)) {
        // A frame's header holds the way back (function, return pc, caller's frame), never an object: an access
        // there ran past a local. Frames lie below one another along the chain, so the walk stops below `addr`.
        for (let f = this.state[cb + Cpu.FP] as number; f > 0 && f + Frame.HEADER > addr; f = this.state[f + Frame.PREV_FP] as number) {
          if (addr + slots > f) {
            this.fault(ViolationKind.OUT_OF_BOUNDS, pc, `access past a local: address ${addr} holds a call frame's return path on CPU${c}'s stack, not an object`);
            return false;
          }
        }
        return true;
      }
      if (addr >= cb + Cpu.SLOTS) {
        this.fault(ViolationKind.USE_AFTER_RETURN, pc, `access to a local of a function that has returned (CPU${c}'s stack)`);
        return false;
      }
    }
    this.fault(NULL_LIKE(addr) ? ViolationKind.NULL_DEREFERENCE : ViolationKind.OUT_OF_BOUNDS, pc, `access to address ${addr} outside any live object`);
    return false;
  }

  /** Returns from an interrupt frame at `fp` (the handler's frame already popped). */
  iret(s: Int32Array, cb: number, fp: number): void {
    const kind = -(s[fp + Frame.FN] as number);
    const saved = s[fp + Frame.AUX] as number;
    let flags = s[cb + Cpu.FLAGS] as number;
    flags = (flags & ~(CpuFlag.IF | CpuFlag.IDLE)) | (saved & (CpuFlag.IF | CpuFlag.IDLE));
    let nest = s[cb + Cpu.NEST] as number;
    if (kind === FrameKind.NMI) nest -= 1 << NEST_NMI_SHIFT;
    else if (kind === FrameKind.IRQ) nest -= 1 << NEST_IRQ_SHIFT;
    else nest -= 1 << NEST_EXC_SHIFT;
    // IRET unblocks NMIs, whatever frame it returns from (SDM 6.7.1), and serializes.
    flags &= ~CpuFlag.NMI_BLOCKED;
    serialize(this);
    this.writes.add(cb + Cpu.PC, cb + Cpu.NEST + 1); // PC, FP, SP, FLAGS … NEST
    this.writes.add(fp, fp + Frame.HEADER);
    s[cb + Cpu.NEST] = nest;
    s[cb + Cpu.FLAGS] = flags;
    this.touch(cb + Cpu.FLAGS, 1, true);
    this.touch(cb + Cpu.NEST, 1, true);
    s[cb + Cpu.PC] = s[fp + Frame.RET_PC] as number;
    s[cb + Cpu.FP] = s[fp + Frame.PREV_FP] as number;
    clearSlots(s, fp, fp + Frame.HEADER);
    s[cb + Cpu.SP] = fp;
  }

  /**
   * The function a call through `target` (a function pointer) reaches, or
   * -1 after a fault when it reaches none.
   */
  callee(target: number, pc: number): number {
    const fn = (target & FN_PTR_TAG) !== 0 ? target & TAG_MASK : -1;
    if (target === 0 || fn < 0 || fn >= this.fnCount || (this.fnEntry[fn] as number) < 0) {
      this.fault(target === 0 ? ViolationKind.NULL_DEREFERENCE : ViolationKind.OUT_OF_BOUNDS, pc, target === 0 ? 'call through a NULL function pointer' : 'call through a pointer that is not a function');
      return -1;
    }
    return fn;
  }

  /**
   * Calls function `fn` from the frame at `fp`: `ops[0, spill)` are the
   * caller's pending operands, kept in its frame (they are state now), and
   * `ops[spill, spill + argc)` the arguments. Pushes the callee's frame,
   * returning to `retPc`. Returns the callee's frame, or -1 after a fault.
   */
  enterFunction(s: Int32Array, fn: number, argc: number, spill: number, retPc: number, fp: number): number {
    const cb = this.cpuBase;
    const ops = this.ops;
    const log = this.writes;
    const newFp = s[cb + Cpu.SP] as number;
    const frameSlots = this.fnFrameSlots[fn] as number;
    if (newFp + frameSlots > this.deepest) this.deepest = newFp + frameSlots;
    if (newFp + frameSlots > cb + this.layout.cpuSlots) {
      this.fault(ViolationKind.STACK_OVERFLOW, retPc - 4, `calling ${this.program.functions[fn]?.name ?? '?'} overflows CPU${this.cpu}'s stack`);
      return -1;
    }
    if (spill > 0) {
      const spillAt = fp + (this.fnSpillOffset[(s[fp + Frame.FN] as number) - 1] as number);
      log.add(spillAt, spillAt + 2 * spill);
      for (let k = 0; k < spill; k++) storeNumber(s, spillAt + 2 * k, Width.I64, ops[k] as number);
    }
    log.add(newFp, newFp + frameSlots);
    s[newFp + Frame.FN] = fn + 1;
    s[newFp + Frame.RET_PC] = retPc;
    s[newFp + Frame.PREV_FP] = fp;
    s[newFp + Frame.AUX] = spill;
    const p0 = this.fnParamStart[fn] as number;
    const p1 = this.fnParamStart[fn + 1] as number;
    for (let i = p0; i < p1 && i - p0 < argc; i++) {
      const w = this.paramWidths[i] as number;
      storeNumber(s, newFp + (this.paramOffsets[i] as number), w, normalize(ops[spill + i - p0] as number, w));
    }
    s[cb + Cpu.FP] = newFp;
    s[cb + Cpu.SP] = newFp + frameSlots;
    return newFp;
  }

  /**
   * Returns `value` from the function whose frame is at `fp`: pops the
   * frame, puts the operands the caller spilled back at `ops[0, spill)` and
   * `value` after them, and leaves the caller's frame in `fp`. Returns the
   * pc to go on at.
   */
  leaveFunction(s: Int32Array, fp: number, value: number): number {
    const cb = this.cpuBase;
    const log = this.writes;
    const fn = (s[fp + Frame.FN] as number) - 1;
    const retPc = s[fp + Frame.RET_PC] as number;
    const prevFp = s[fp + Frame.PREV_FP] as number;
    const spill = s[fp + Frame.AUX] as number;
    log.add(fp, fp + (this.fnFrameSlots[fn] as number));
    clearSlots(s, fp, fp + (this.fnFrameSlots[fn] as number));
    s[cb + Cpu.SP] = fp;
    s[cb + Cpu.FP] = prevFp;
    if (spill > 0) this.restoreSpilled(s, prevFp, spill);
    this.ops[spill] = value;
    this.fp = prevFp;
    return retPc;
  }

  /** Moves the `spill` operands the function of the frame at `fp` spilled before a call back to `ops[0, spill)`. */
  restoreSpilled(s: Int32Array, fp: number, spill: number): void {
    const spillAt = fp + (this.fnSpillOffset[(s[fp + Frame.FN] as number) - 1] as number);
    this.writes.add(spillAt, spillAt + 2 * spill);
    for (let k = 0; k < spill; k++) {
      this.ops[k] = loadNumber(s, spillAt + 2 * k, Width.I64);
      s[spillAt + 2 * k] = 0;
      s[spillAt + 2 * k + 1] = 0;
    }
  }

  /** Ends the step at `pc` in frame `fp`. */
  stop(pc: number, fp: number): number {
    const cb = this.cpuBase;
    this.state[cb + Cpu.PC] = pc;
    this.state[cb + Cpu.FP] = fp;
    return this.flags;
  }

  private binary(op: number, kind: number, a: number, b: number, pc: number): number {
    if ((op === BinOp.DIV || op === BinOp.MOD) && b === 0) {
      this.fault(ViolationKind.DIVISION_BY_ZERO, pc, 'division by zero');
      return 0;
    }
    if (kind === Kind.I32 || kind === Kind.U32) {
      const u = kind === Kind.U32;
      let r: number;
      switch (op) {
        case BinOp.ADD: r = a + b; break;
        case BinOp.SUB: r = a - b; break;
        case BinOp.MUL: r = u ? Math.imul(a, b) >>> 0 : Math.imul(a, b); break;
        case BinOp.DIV: r = Math.trunc(a / b); break;
        case BinOp.MOD: r = a % b; break;
        case BinOp.SHL: r = a << (b & 31); break;
        case BinOp.SHR: r = u ? a >>> (b & 31) : a >> (b & 31); break;
        case BinOp.AND: r = a & b; break;
        case BinOp.OR: r = a | b; break;
        case BinOp.XOR: r = a ^ b; break;
        default: return compare(op, a, b);
      }
      return u ? r >>> 0 : r | 0;
    }
    return binary64(op, a, b, kind === Kind.U64);
  }
}

/** The heap's shape (kernel prelude: __IRQCHECK_HEAP_OBJECTS blocks of __IRQCHECK_HEAP_SLOTS). */
export const HEAP_OBJECTS = 4;
export const HEAP_SLOTS = 32;

/** Addresses below the globals are never objects; they come from NULL plus an offset. */
function NULL_LIKE(addr: number): boolean {
  return addr > 0 && addr < GLOBALS_BASE;
}
