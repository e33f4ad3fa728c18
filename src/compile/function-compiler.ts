/**
 * One function → bytecode: frame layout, statements, control flow, and the
 * statement boundaries (STMT) where steps may end. Loop heads are marked so
 * the machine can recognise a CPU that waits.
 */
import type { Declaration, Expr, FunctionDef, SourceLoc, Stmt } from '../lang/index.js';
import { ModelError } from '../lang/index.js';
import { INT, LONG, slotsOf, VOID, type CType } from './ctype.js';
import { walkAst } from './ast-walk.js';
import { ExprCompiler, type UnitServices, widthOf } from './expr.js';
import { flattenInit } from './initializer.js';
import { Frame } from './layout.js';
import { zeroDeadLocals, type FrameVariable } from './liveness.js';
import { Op, OPERANDS, StmtFlag } from './opcodes.js';
import type { VariableInfo } from './program.js';
import type { FunctionSym, GlobalSym } from './scope.js';
import type { Emitter, Label } from './emitter.js';

/** What compiling a function needs beyond expressions. */
export interface FunctionUnit extends UnitServices {
  /** Registers a statement site; returns its index. */
  site(loc: SourceLoc, fn: string): number;
  /** Allocates a `static` local as a global. */
  staticLocal(fn: string, decl: Declaration['declarators'][number], type: CType): GlobalSym;
}

/** The compiled shape of a function (its code is in the unit's emitter). */
export interface CompiledFunction {
  readonly entry: number;
  readonly end: number;
  readonly params: VariableInfo[];
  readonly locals: VariableInfo[];
  readonly frameSlots: number;
  readonly spillOffset: number;
}

interface Loop {
  readonly breakTo: Label;
  readonly continueTo: Label | null;
}

interface SwitchCases {
  readonly labels: Map<Stmt, Label>;
}

export class FunctionCompiler {
  private readonly x: ExprCompiler;
  private nextOffset: number = Frame.HEADER;
  private readonly locals: VariableInfo[] = [];
  private readonly params: VariableInfo[] = [];
  /** Every local and parameter, for the dead-variable reduction. */
  private readonly frameVariables: FrameVariable[] = [];
  private readonly loops: Loop[] = [];
  private readonly switches: SwitchCases[] = [];
  private readonly gotoLabels = new Map<string, Label>();
  private readonly gotoUses = new Map<string, SourceLoc>();
  private readonly taken: Set<string>;
  private returns: CType = VOID;
  /** Loops enclosing the statement being compiled. */
  private loopDepth = 0;
  /** The function has labels: a goto may make any statement part of a loop. */
  private readonly hasLabels: boolean;

  constructor(
    private readonly unit: FunctionUnit,
    private readonly def: FunctionDef,
    private readonly sym: FunctionSym,
    private readonly atomic: boolean,
  ) {
    this.x = new ExprCompiler(unit);
    this.taken = collectTaken(def.body);
    this.hasLabels = containsLabel(def.body);
  }

  compile(): CompiledFunction {
    const e = this.unit.emitter;
    const scope = this.unit.scope;
    this.returns = this.sym.type.returns;
    const entry = e.pc;
    scope.pushBlock();
    this.def.type.params.forEach((p, i) => {
      const type = this.sym.type.params[i] ?? INT;
      if (p.name === null) {
        this.nextOffset += slotsOf(type);
        return;
      }
      const v = this.allocate(p.name, type, p.loc, true);
      this.params.push(v);
    });
    this.statement(this.def.body);
    // Falling off the end returns at the closing brace: a statement of its own, where a step can end.
    this.boundary(this.def.end);
    e.emit(Op.CONST, 0);
    e.emit(Op.RET);
    e.site = -1;
    scope.popBlock();
    for (const [name, label] of this.gotoLabels) {
      if (label.pc < 0) throw new ModelError('undefined-label', `label '${name}' is used but not defined`, this.gotoUses.get(name) ?? this.def.loc, `define it: ${name}: ...`);
    }
    zeroDeadLocals(e, entry, this.frameVariables);
    const end = e.pc;
    const spillOffset = this.nextOffset;
    const maxSpill = maxSpillIn(e, entry, end);
    return { entry, end, params: this.params, locals: this.locals, frameSlots: spillOffset + 2 * maxSpill, spillOffset };
  }

  private allocate(name: string, type: CType, loc: SourceLoc, param = false): VariableInfo {
    if (type.kind === 'void') throw new ModelError('void-variable', `variable '${name}' is declared void`, loc, 'give it a type such as int', name.length);
    const taken = this.taken.has(name) || (type.kind === 'array' && this.taken.has(`[]${name}`));
    const info: VariableInfo = {
      name,
      type,
      offset: this.nextOffset,
      slots: slotsOf(type),
      width: type.kind === 'int' || type.kind === 'bool' || type.kind === 'pointer' ? widthOf(type, loc) : -1,
    };
    this.nextOffset += info.slots;
    this.locals.push(info);
    this.frameVariables.push({ offset: info.offset, slots: info.slots, param, taken });
    this.unit.scope.defineLocal({ kind: 'local', name, type, offset: info.offset, taken });
    return info;
  }

  /** A statement boundary here. Atomic functions have none: their body is one step. */
  private boundary(loc: SourceLoc, flags = 0): void {
    const e = this.unit.emitter;
    e.site = this.unit.site(loc, this.def.name);
    const inLoop = this.loopDepth > 0 || this.hasLabels || (flags & StmtFlag.LOOP_HEAD) !== 0;
    if (!this.atomic) e.emit(Op.STMT, e.site, flags | (inLoop ? StmtFlag.IN_LOOP : 0));
  }

  private statement(s: Stmt): void {
    const e = this.unit.emitter;
    switch (s.kind) {
      case 'compound':
        this.unit.scope.pushBlock();
        for (const item of s.items) {
          if (item.kind === 'declaration') this.declaration(item);
          else this.statement(item);
        }
        this.unit.scope.popBlock();
        return;
      case 'expr':
        this.boundary(s.loc);
        this.x.discard(s.expr);
        return;
      case 'empty':
        return;
      case 'if': {
        this.boundary(s.loc);
        const elseL = e.newLabel();
        this.x.value(s.cond);
        e.jump(Op.JZ, elseL);
        this.statement(s.then);
        if (s.else === null) {
          e.bind(elseL);
          return;
        }
        const end = e.newLabel();
        e.jump(Op.JMP, end);
        e.bind(elseL);
        this.statement(s.else);
        e.bind(end);
        return;
      }
      case 'while': {
        const head = e.newLabel();
        const end = e.newLabel();
        e.bind(head);
        this.boundary(s.cond.loc, StmtFlag.LOOP_HEAD);
        this.x.value(s.cond);
        e.jump(Op.JZ, end);
        this.loop(s.body, end, head);
        e.jump(Op.JMP, head);
        e.bind(end);
        return;
      }
      case 'do': {
        const head = e.newLabel();
        const cond = e.newLabel();
        const end = e.newLabel();
        e.bind(head);
        this.boundary(s.loc, StmtFlag.LOOP_HEAD);
        this.loop(s.body, end, cond);
        e.bind(cond);
        this.loopDepth++;
        this.boundary(s.cond.loc);
        this.loopDepth--;
        this.x.value(s.cond);
        e.jump(Op.JNZ, head);
        e.bind(end);
        return;
      }
      case 'for': {
        this.unit.scope.pushBlock();
        if (s.init !== null) {
          if (s.init.kind === 'declaration') this.declaration(s.init);
          else {
            this.boundary(s.init.loc);
            this.x.discard(s.init);
          }
        }
        const head = e.newLabel();
        const step = e.newLabel();
        const end = e.newLabel();
        e.bind(head);
        this.boundary(s.cond?.loc ?? s.loc, StmtFlag.LOOP_HEAD);
        if (s.cond !== null) {
          this.x.value(s.cond);
          e.jump(Op.JZ, end);
        }
        this.loop(s.body, end, step);
        e.bind(step);
        if (s.step !== null) {
          this.loopDepth++;
          this.boundary(s.step.loc);
          this.loopDepth--;
          this.x.discard(s.step);
        }
        e.jump(Op.JMP, head);
        e.bind(end);
        this.unit.scope.popBlock();
        return;
      }
      case 'switch':
        this.switchStatement(s);
        return;
      case 'case': {
        const label = this.switches[this.switches.length - 1]?.labels.get(s);
        if (label === undefined) throw new ModelError('stray-case', `'${s.value === null ? 'default' : 'case'}' outside a switch`, s.loc, null);
        e.bind(label);
        return;
      }
      case 'break': {
        const loop = this.loops[this.loops.length - 1];
        if (loop === undefined) throw new ModelError('stray-break', "'break' outside a loop or switch", s.loc, null);
        e.jump(Op.JMP, loop.breakTo);
        return;
      }
      case 'continue': {
        const target = [...this.loops].reverse().find((l) => l.continueTo !== null)?.continueTo;
        if (target === undefined || target === null) throw new ModelError('stray-continue', "'continue' outside a loop", s.loc, null);
        e.jump(Op.JMP, target);
        return;
      }
      case 'return':
        this.boundary(s.loc);
        if (s.value === null) e.emit(Op.CONST, 0);
        else if (this.returns.kind === 'void') {
          throw new ModelError('void-return', `'${this.def.name}' returns void but this return has a value`, s.loc, 'drop the value, or declare the function to return int');
        }
        else this.x.convert(this.x.value(s.value), this.returns, s.loc);
        e.emit(Op.RET);
        return;
      case 'goto':
        if (!this.gotoUses.has(s.label)) this.gotoUses.set(s.label, s.loc);
        e.jump(Op.JMP, this.gotoLabel(s.label));
        return;
      case 'labeled': {
        const label = this.gotoLabel(s.label);
        if (label.pc >= 0) throw new ModelError('duplicate-label', `label '${s.label}' is defined twice`, s.loc, null);
        e.bind(label);
        // A label may be the target of a backward goto: a loop head.
        this.boundary(s.loc, StmtFlag.LOOP_HEAD);
        this.statement(s.body);
        return;
      }
      default: {
        const never: never = s;
        throw new Error(`irqcheck bug: statement ${JSON.stringify(never)}`);
      }
    }
  }

  private loop(body: Stmt, breakTo: Label, continueTo: Label | null): void {
    this.loops.push({ breakTo, continueTo });
    if (continueTo !== null) this.loopDepth++;
    this.statement(body);
    if (continueTo !== null) this.loopDepth--;
    this.loops.pop();
  }

  private gotoLabel(name: string): Label {
    let label = this.gotoLabels.get(name);
    if (label === undefined) {
      label = this.unit.emitter.newLabel();
      this.gotoLabels.set(name, label);
    }
    return label;
  }

  private switchStatement(s: Extract<Stmt, { kind: 'switch' }>): void {
    const e = this.unit.emitter;
    this.boundary(s.loc);
    const temp = this.allocate(`<switch ${s.loc.line}>`, LONG, s.loc);
    this.x.convert(this.x.value(s.value), LONG, s.loc);
    e.emit(Op.STOREL, temp.width, temp.offset);
    const cases = new Map<Stmt, Label>();
    let defaultLabel: Label | null = null;
    for (const c of casesOf(s.body)) {
      const label = e.newLabel();
      cases.set(c, label);
      if (c.kind !== 'case') continue;
      if (c.value === null) {
        defaultLabel = label;
        continue;
      }
      e.emit(Op.LOADL, temp.width, temp.offset);
      this.x.pushNumber(this.unit.scope.evalConst(c.value));
      e.emit(Op.BIN, 10 /* EQ */, 2 /* I64 */);
      e.jump(Op.JNZ, label);
    }
    const end = e.newLabel();
    e.jump(Op.JMP, defaultLabel ?? end);
    this.switches.push({ labels: cases });
    this.loop(s.body, end, null);
    this.switches.pop();
    e.bind(end);
  }

  private declaration(d: Declaration): void {
    const scope = this.unit.scope;
    if (d.typeOnly !== null) scope.resolve(d.typeOnly);
    for (const decl of d.declarators) {
      if (d.storage === 'typedef') {
        scope.defineTypedef(decl.name, scope.resolve(decl.type));
        continue;
      }
      let type = scope.resolve(decl.type);
      if (d.storage === 'static' || d.storage === 'extern') {
        const g = this.unit.staticLocal(this.def.name, decl, type);
        scope.defineLocalAlias(decl.name, g);
        continue;
      }
      if (decl.init !== null && type.kind === 'array' && type.length === 0) type = flattenInit(type, decl.init, scope).type;
      const v = this.allocate(decl.name, type, decl.loc);
      if (decl.init === null) continue;
      this.boundary(decl.loc);
      this.initialize(v, decl.init);
    }
  }

  private initialize(v: VariableInfo, init: NonNullable<Declaration['declarators'][number]['init']>): void {
    const e = this.unit.emitter;
    const sym = this.unit.scope.lookup(v.name);
    const taken = sym?.kind === 'local' && sym.taken;
    if (v.type.kind === 'struct' || v.type.kind === 'array') {
      e.emit(Op.ADDRL, v.offset);
      e.emit(Op.ZERO, v.slots);
    }
    for (const item of flattenInit(v.type, init, this.unit.scope).items) {
      const w = widthOf(item.type, item.expr.loc);
      if (taken) e.emit(Op.ADDRL, v.offset + item.offset);
      this.x.convert(this.x.value(item.expr), item.type, item.expr.loc);
      if (taken) e.emit(Op.STORE, w);
      else e.emit(Op.STOREL, w, v.offset + item.offset);
    }
  }
}

/** Whether a body has a label anywhere (a goto target). */
function containsLabel(node: unknown): boolean {
  return walkAst(node, (kind) => kind === 'labeled');
}

/** Case labels of a switch body, not descending into nested switches. */
function casesOf(body: Stmt): Stmt[] {
  const out: Stmt[] = [];
  const visit = (s: Stmt): void => {
    switch (s.kind) {
      case 'case':
        out.push(s);
        return;
      case 'compound':
        for (const i of s.items) if (i.kind !== 'declaration') visit(i);
        return;
      case 'if':
        visit(s.then);
        if (s.else !== null) visit(s.else);
        return;
      case 'while':
      case 'do':
      case 'for':
        visit(s.body);
        return;
      case 'labeled':
        visit(s.body);
        return;
      default:
        return;
    }
  };
  visit(body);
  return out;
}

/**
 * Names whose address escapes in a body: operands of `&` (by their root
 * variable), and arrays used as values (`[]name` marks a plain use, which
 * only matters for arrays, whose plain use is a decay to a pointer).
 */
function collectTaken(body: Stmt): Set<string> {
  const taken = new Set<string>();
  const root = (x: Expr): string | null => {
    if (x.kind === 'ident') return x.name;
    if (x.kind === 'member' && !x.arrow) return root(x.object);
    if (x.kind === 'index') return root(x.array);
    return null;
  };
  const expr = (x: Expr, plain: boolean): void => {
    switch (x.kind) {
      case 'ident':
        if (plain) taken.add(`[]${x.name}`);
        return;
      case 'unary':
        if (x.op === '&') {
          const r = root(x.arg);
          if (r !== null) taken.add(r);
        }
        expr(x.arg, x.op !== '&');
        return;
      case 'member':
        expr(x.object, x.arrow);
        return;
      case 'index':
        expr(x.array, false);
        expr(x.index, true);
        return;
      case 'update':
        expr(x.arg, false);
        return;
      case 'binary':
        expr(x.left, true);
        expr(x.right, true);
        return;
      case 'assign':
        expr(x.target, false);
        expr(x.value, true);
        return;
      case 'conditional':
        expr(x.cond, true);
        expr(x.then, true);
        expr(x.else, true);
        return;
      case 'comma':
        expr(x.left, true);
        expr(x.right, true);
        return;
      case 'call':
        expr(x.callee, false);
        for (const a of x.args) expr(a, true);
        return;
      case 'cast':
        expr(x.arg, true);
        return;
      case 'sizeofExpr':
        return;
      default:
        return;
    }
  };
  const init = (i: NonNullable<Declaration['declarators'][number]['init']>): void => {
    if (i.kind === 'expr') expr(i.expr, true);
    else for (const item of i.items) init(item.value);
  };
  const stmt = (s: Stmt | Declaration): void => {
    switch (s.kind) {
      case 'declaration':
        for (const d of s.declarators) if (d.init !== null) init(d.init);
        return;
      case 'compound':
        s.items.forEach(stmt);
        return;
      case 'expr':
        expr(s.expr, true);
        return;
      case 'if':
        expr(s.cond, true);
        stmt(s.then);
        if (s.else !== null) stmt(s.else);
        return;
      case 'while':
      case 'do':
        expr(s.cond, true);
        stmt(s.body);
        return;
      case 'for':
        if (s.init !== null) {
          if (s.init.kind === 'declaration') stmt(s.init);
          else expr(s.init, true);
        }
        if (s.cond !== null) expr(s.cond, true);
        if (s.step !== null) expr(s.step, true);
        stmt(s.body);
        return;
      case 'switch':
        expr(s.value, true);
        stmt(s.body);
        return;
      case 'return':
        if (s.value !== null) expr(s.value, true);
        return;
      case 'labeled':
        stmt(s.body);
        return;
      default:
        return;
    }
  };
  stmt(body);
  return taken;
}

/** The largest `spill` operand of the calls in code[from, to). */
function maxSpillIn(code: Emitter, from: number, to: number): number {
  let max = 0;
  for (let pc = from; pc < to; ) {
    const op = code.at(pc);
    if (op === Op.CALL) max = Math.max(max, code.at(pc + 3));
    else if (op === Op.CALLI) max = Math.max(max, code.at(pc + 2));
    pc += 1 + (OPERANDS[op] ?? 0);
  }
  return max;
}
