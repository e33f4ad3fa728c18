/**
 * Expressions → bytecode. A value is pushed converted to its C type's range;
 * lvalues are `Place`s so locals and globals load and store directly and
 * only computed addresses go through LOAD/STORE.
 */
import type { Expr, SourceLoc } from '../lang/index.js';
import { ModelError, UnsupportedError } from '../lang/index.js';
import { builtinId, BUILTINS } from './builtins.js';
import {
  arithmeticResult, bytesOf, callSignature, INT, isInteger, LONG, promote, slotsOf, typeName, UINT, ULONG, VOID, CHAR_PTR,
  type CType, type FunctionType, type IntType,
} from './ctype.js';
import type { Emitter } from './emitter.js';
import { BinOp, FN_PTR_TAG, Kind, Op, STR_PTR_TAG, UnOp, Width, type KindCode, type WidthCode } from './opcodes.js';
import { decay, type Scope } from './scope.js';

/** LOAD/STORE operand flag: the address is a local whose address never escapes (invisible access). */
export const PRIVATE_ACCESS = 0x10;

/** Where an lvalue lives. */
export type Place =
  | { readonly kind: 'local'; readonly offset: number; readonly type: CType; readonly taken: boolean }
  | { readonly kind: 'global'; readonly address: number; readonly type: CType }
  /** The address is on the operand stack. */
  | { readonly kind: 'computed'; readonly type: CType; readonly private: boolean };

/** What the expression compiler needs from the unit being compiled. */
export interface UnitServices {
  readonly scope: Scope;
  readonly emitter: Emitter;
  internString(s: string): number;
  /** Index of a double constant in the pool. */
  constant(v: number): number;
  /** Records that the current function calls `callee`; an indirect call with n arguments is `-(n + 1)`, with the pointer's function type. */
  noteCall(callee: number, signature?: string): void;
  /** The index of a call signature (`callSignature`) in `Program.callSignatures`. */
  internCallSignature(signature: string): number;
  /** Records that a function's address is taken (it may be called through a pointer). */
  noteAddressTaken(fn: number): void;
}

export function widthOf(t: CType, loc: SourceLoc): WidthCode {
  switch (t.kind) {
    case 'int':
      if (t.bits === 8) return t.signed ? Width.I8 : Width.U8;
      if (t.bits === 16) return t.signed ? Width.I16 : Width.U16;
      if (t.bits === 32) return t.signed ? Width.I32 : Width.U32;
      return t.signed ? Width.I64 : Width.U64;
    case 'bool':
      return Width.BOOL;
    case 'pointer':
      return Width.I32;
    default:
      throw new ModelError('not-scalar', `a value of type ${typeName(t)} cannot be used here`, loc, 'only integers, bools and pointers are values; use a pointer to the struct or array');
  }
}

function kindOf(t: IntType): KindCode {
  if (t.bits === 64) return t.signed ? Kind.I64 : Kind.U64;
  return t.signed ? Kind.I32 : Kind.U32;
}

const BINOPS: Readonly<Record<string, number>> = {
  '+': BinOp.ADD, '-': BinOp.SUB, '*': BinOp.MUL, '/': BinOp.DIV, '%': BinOp.MOD,
  '<<': BinOp.SHL, '>>': BinOp.SHR, '&': BinOp.AND, '|': BinOp.OR, '^': BinOp.XOR,
  '==': BinOp.EQ, '!=': BinOp.NE, '<': BinOp.LT, '<=': BinOp.LE, '>': BinOp.GT, '>=': BinOp.GE,
};

export class ExprCompiler {
  private readonly e: Emitter;
  private readonly scope: Scope;
  /** Types of subexpressions already computed (typing re-generates code, so it is cached). */
  private readonly types = new WeakMap<Expr, CType>();

  constructor(private readonly unit: UnitServices) {
    this.e = unit.emitter;
    this.scope = unit.scope;
  }

  /** Pushes the value of `x`; returns its type (arrays and functions decayed). */
  value(x: Expr): CType {
    switch (x.kind) {
      case 'int':
        return this.intLiteral(x.value, x.unsigned, x.long);
      case 'char':
        this.e.emit(Op.CONST, x.value);
        return INT;
      case 'string':
        this.e.emit(Op.CONST, STR_PTR_TAG | this.unit.internString(x.value));
        return CHAR_PTR;
      case 'ident':
        return this.identValue(x.name, x.loc);
      case 'unary':
        return this.unary(x);
      case 'update':
        return this.update(x.op, x.prefix, x.arg, true, x.loc);
      case 'binary':
        return this.binary(x);
      case 'assign':
        return this.assign(x, true);
      case 'conditional':
        return this.conditional(x);
      case 'comma':
        this.discard(x.left);
        return this.value(x.right);
      case 'call':
        return this.call(x.callee, x.args, x.loc);
      case 'member':
      case 'index':
        return this.load(this.place(x), x.loc);
      case 'cast': {
        const to = this.scope.resolve(x.type);
        const from = this.value(x.arg);
        if (to.kind === 'void') {
          this.e.emit(Op.POP);
          this.e.emit(Op.CONST, 0);
          return VOID;
        }
        this.convert(from, to, x.loc);
        return to;
      }
      case 'sizeofType': {
        const t = this.scope.resolve(x.type);
        if (t.kind === 'struct' && t.fields === null) {
          throw new ModelError('incomplete-type', `sizeof of incomplete type ${typeName(t)}`, x.loc, 'define the struct before taking its size');
        }
        this.e.emit(Op.CONST, bytesOf(t));
        return ULONG;
      }
      case 'sizeofExpr': {
        const t = this.typeOf(x.arg);
        this.e.emit(Op.CONST, bytesOf(t));
        return ULONG;
      }
      case 'compoundLiteral':
        throw new UnsupportedError('compound-literal', 'compound literals are not supported', x.loc, 'declare a named variable with an initializer instead');
      default:
        return assertNeverExpr(x);
    }
  }

  /** Evaluates `x` for its effects only. */
  discard(x: Expr): void {
    if (x.kind === 'assign') {
      this.assign(x, false);
      return;
    }
    if (x.kind === 'update') {
      this.update(x.op, x.prefix, x.arg, false, x.loc);
      return;
    }
    if (x.kind === 'cast' && x.type.kind === 'base' && x.type.name === 'void') {
      this.discard(x.arg);
      return;
    }
    this.value(x);
    this.e.emit(Op.POP);
  }

  /** The type of `x` without keeping any code for it (for sizeof and operator typing). */
  typeOf(x: Expr): CType {
    const cached = this.types.get(x);
    if (cached !== undefined) return cached;
    const pc = this.e.pc;
    const depth = this.e.depth;
    let t: CType;
    const sym = x.kind === 'ident' ? this.scope.lookup(x.name) : undefined;
    if (sym?.kind === 'local' || sym?.kind === 'global') t = sym.type;
    else if (x.kind === 'member' || x.kind === 'index' || (x.kind === 'unary' && x.op === '*')) t = this.place(x).type;
    else t = this.value(x);
    this.e.truncate(pc, depth);
    this.types.set(x, t);
    return t;
  }

  /** The lvalue `x` designates (pushing its address if it must be computed). */
  place(x: Expr): Place {
    switch (x.kind) {
      case 'ident': {
        const sym = this.scope.lookup(x.name);
        if (sym?.kind === 'local') return { kind: 'local', offset: sym.offset, type: sym.type, taken: sym.taken };
        if (sym?.kind === 'global') return { kind: 'global', address: sym.address, type: sym.type };
        if (sym === undefined) throw undeclared(x.name, x.loc);
        throw new ModelError('not-lvalue', `'${x.name}' is not a variable`, x.loc, null, x.name.length);
      }
      case 'unary':
        if (x.op === '*') {
          const t = this.value(x.arg);
          if (t.kind !== 'pointer') throw new ModelError('not-pointer', `cannot dereference a value of type ${typeName(t)}`, x.loc, null);
          return { kind: 'computed', type: t.to, private: false };
        }
        break;
      case 'member': {
        let base: Place;
        if (x.arrow) {
          const t = this.value(x.object);
          if (t.kind !== 'pointer') throw new ModelError('not-pointer', `'->' on a value of type ${typeName(t)}`, x.loc, "use '.' for a struct, '->' for a pointer to one");
          base = { kind: 'computed', type: t.to, private: false };
        } else {
          base = this.place(x.object);
        }
        const st = base.type;
        if (st.kind !== 'struct' || st.fields === null) {
          throw new ModelError('not-struct', `member '${x.field}' of a value of type ${typeName(st)}`, x.loc, null);
        }
        const field = st.fields.find((f) => f.name === x.field);
        if (field === undefined) {
          throw new ModelError('no-member', `${typeName(st)} has no member '${x.field}'`, x.loc, `its members are: ${st.fields.map((f) => f.name).join(', ')}`);
        }
        return this.offsetPlace(base, field.offset, field.type);
      }
      case 'index': {
        const arrType = this.arrayBaseType(x.array);
        if (arrType.kind === 'array') {
          const base = this.place(x.array);
          const elem = arrType.of;
          const size = slotsOf(elem);
          if (x.index.kind === 'int' && base.kind !== 'computed') {
            const i = Number(x.index.value);
            if (i < 0 || i >= arrType.length) {
              throw new ModelError('out-of-bounds', `index ${i} is out of bounds for ${typeName(arrType)}`, x.index.loc, null);
            }
            return this.offsetPlace(base, i * size, elem);
          }
          const isPrivate = this.pushAddress(base);
          const it = this.value(x.index);
          this.convert(it, LONG, x.loc);
          this.e.emit(Op.CHKIDX, arrType.length);
          this.e.emit(Op.PTRADD, size);
          return { kind: 'computed', type: elem, private: isPrivate };
        }
        const pt = this.value(x.array);
        if (pt.kind !== 'pointer') throw new ModelError('not-array', `subscript of a value of type ${typeName(pt)}`, x.loc, null);
        const it = this.value(x.index);
        this.convert(it, LONG, x.loc);
        this.e.emit(Op.PTRADD, slotsOf(pt.to));
        return { kind: 'computed', type: pt.to, private: false };
      }
      default:
        break;
    }
    throw new ModelError('not-lvalue', 'expression is not assignable', x.loc, null);
  }

  /** Pushes the address of a place; returns whether accesses through it are private. */
  pushAddress(p: Place): boolean {
    if (p.kind === 'local') {
      this.e.emit(Op.ADDRL, p.offset);
      return !p.taken;
    }
    if (p.kind === 'global') {
      this.e.emit(Op.ADDRG, p.address);
      return false;
    }
    return p.private;
  }

  /** Pushes the value stored at a place (arrays decay to their address). */
  load(p: Place, loc: SourceLoc): CType {
    const t = p.type;
    if (t.kind === 'array') {
      this.pushAddress(p);
      return { kind: 'pointer', to: t.of };
    }
    if (t.kind === 'struct') {
      throw new ModelError('struct-value', `a ${typeName(t)} cannot be used as a value here`, loc, 'take its address, or access a member');
    }
    const w = widthOf(t, loc);
    if (p.kind === 'local' && !p.taken) this.e.emit(Op.LOADL, w, p.offset);
    else if (p.kind === 'global') this.e.emit(Op.LOADG, w, p.address);
    else this.e.emit(Op.LOAD, w | (this.pushAddress(p) ? PRIVATE_ACCESS : 0));
    return t;
  }

  /** Stores the value on top of the stack (already converted) into a place pushed before it. */
  private storeTop(p: Place, keep: boolean, loc: SourceLoc): void {
    const w = widthOf(p.type, loc);
    if (p.kind === 'local' && !p.taken) {
      if (keep) this.e.emit(Op.DUP);
      this.e.emit(Op.STOREL, w, p.offset);
    } else if (p.kind === 'global') {
      if (keep) this.e.emit(Op.DUP);
      this.e.emit(Op.STOREG, w, p.address);
    } else {
      if (keep) this.e.emit(Op.TUCK);
      this.e.emit(Op.STORE, w | ((p.kind === 'computed' ? p.private : !p.taken) ? PRIVATE_ACCESS : 0));
    }
  }

  /** For a place whose address must be on the stack before the value (taken locals, computed). */
  private needsAddress(p: Place): boolean {
    return p.kind === 'computed' || (p.kind === 'local' && p.taken);
  }

  /** Converts the value on top of the stack from one type to another (C's conversions). */
  convert(from: CType, to: CType, loc: SourceLoc): void {
    if (to.kind === 'bool') {
      if (from.kind !== 'bool') this.e.emit(Op.CONV, Width.BOOL);
      return;
    }
    if (to.kind === 'int') {
      if (from.kind === 'int' && from.bits === to.bits && from.signed === to.signed) return;
      if (from.kind === 'bool') return;
      if (to.bits === 64 && (from.kind !== 'int' || from.bits < 64 || from.signed === to.signed)) return;
      this.e.emit(Op.CONV, widthOf(to, loc));
      return;
    }
    if (to.kind === 'pointer' || to.kind === 'void') return;
    if (to.kind === 'struct' || to.kind === 'array') {
      throw new ModelError('bad-conversion', `cannot convert ${typeName(from)} to ${typeName(to)}`, loc, null);
    }
  }

  private intLiteral(value: bigint, unsigned: boolean, long: 0 | 1 | 2): CType {
    let t: IntType;
    if (long > 0) t = unsigned ? ULONG : LONG;
    else if (unsigned) t = value <= 0xffffffffn ? UINT : ULONG;
    else if (value <= 0x7fffffffn) t = INT;
    else t = value < 1n << 63n ? LONG : ULONG;
    // 64-bit values are kept as signed two's complement numbers (so ~0ULL is exact).
    const v = t.bits === 64 ? Number(BigInt.asIntN(64, value)) : Number(value);
    if (!Number.isSafeInteger(v)) {
      throw new UnsupportedError('wide-constant', `the constant ${value} needs more than 53 bits of magnitude`, null, 'irqcheck keeps 64-bit values exact up to 2^53 in magnitude');
    }
    this.pushNumber(v);
    return t;
  }

  pushNumber(v: number): void {
    if ((v | 0) === v) this.e.emit(Op.CONST, v);
    else this.e.emit(Op.CONSTK, this.unit.constant(v));
  }

  private identValue(name: string, loc: SourceLoc): CType {
    const sym = this.scope.lookup(name);
    if (sym === undefined) throw undeclared(name, loc);
    switch (sym.kind) {
      case 'const':
        this.pushNumber(sym.value);
        return sym.type;
      case 'function':
        this.unit.noteAddressTaken(sym.index);
        this.e.emit(Op.CONST, FN_PTR_TAG | sym.index);
        return { kind: 'pointer', to: sym.type };
      case 'local':
        return this.load({ kind: 'local', offset: sym.offset, type: sym.type, taken: sym.taken }, loc);
      case 'global':
        return this.load({ kind: 'global', address: sym.address, type: sym.type }, loc);
      default:
        return assertNeverSym(sym);
    }
  }

  private unary(x: Extract<Expr, { kind: 'unary' }>): CType {
    switch (x.op) {
      case '&': {
        if (x.arg.kind === 'ident') {
          const sym = this.scope.lookup(x.arg.name);
          if (sym?.kind === 'function') {
            this.unit.noteAddressTaken(sym.index);
            this.e.emit(Op.CONST, FN_PTR_TAG | sym.index);
            return { kind: 'pointer', to: sym.type };
          }
        }
        const p = this.place(x.arg);
        this.pushAddress(p);
        return { kind: 'pointer', to: p.type };
      }
      case '*':
        return this.load(this.place(x), x.loc);
      case '!': {
        this.value(x.arg);
        this.e.emit(Op.UN, UnOp.LNOT, Kind.I32);
        return INT;
      }
      case '-':
      case '~':
      case '+': {
        const t = this.value(x.arg);
        if (!isInteger(t)) throw new ModelError('not-integer', `unary ${x.op} on ${typeName(t)}`, x.loc, null);
        const pt = promote(t);
        this.convert(t, pt, x.loc);
        if (x.op !== '+') this.e.emit(Op.UN, x.op === '-' ? UnOp.NEG : UnOp.BNOT, kindOf(pt));
        return pt;
      }
      default:
        return assertNeverExpr(x.op as never);
    }
  }

  private binary(x: Extract<Expr, { kind: 'binary' }>): CType {
    if (x.op === '&&' || x.op === '||') return this.logical(x.op, x.left, x.right);
    const lt = decay(this.typeOf(x.left));
    const rt = decay(this.typeOf(x.right));
    const op = BINOPS[x.op];
    if (op === undefined) throw new Error(`irqcheck bug: operator ${x.op}`);
    // Pointer arithmetic and comparisons.
    if (lt.kind === 'pointer' || rt.kind === 'pointer') {
      if ((x.op === '+' || x.op === '-') && lt.kind === 'pointer' && isInteger(rt)) {
        this.value(x.left);
        this.convert(this.value(x.right), LONG, x.loc);
        if (x.op === '-') this.e.emit(Op.UN, UnOp.NEG, Kind.I64);
        this.e.emit(Op.PTRADD, slotsOf(lt.to));
        return lt;
      }
      if (x.op === '+' && rt.kind === 'pointer' && isInteger(lt)) {
        this.convert(this.value(x.left), LONG, x.loc);
        this.value(x.right);
        this.e.emit(Op.SWAP);
        this.e.emit(Op.PTRADD, slotsOf(rt.to));
        return rt;
      }
      if (x.op === '-' && lt.kind === 'pointer' && rt.kind === 'pointer') {
        this.value(x.left);
        this.value(x.right);
        this.e.emit(Op.PTRDIFF, Math.max(1, slotsOf(lt.to)));
        return LONG;
      }
      if (op >= BinOp.EQ) {
        this.value(x.left);
        this.value(x.right);
        this.e.emit(Op.BIN, op, Kind.I64);
        return INT;
      }
      throw new ModelError('bad-operands', `operator ${x.op} on ${typeName(lt)} and ${typeName(rt)}`, x.loc, null);
    }
    if (!isInteger(lt) || !isInteger(rt)) {
      throw new ModelError('bad-operands', `operator ${x.op} on ${typeName(lt)} and ${typeName(rt)}`, x.loc, null);
    }
    if (x.op === '<<' || x.op === '>>') {
      const pt = promote(lt);
      this.convert(this.value(x.left), pt, x.loc);
      this.convert(this.value(x.right), INT, x.loc);
      this.e.emit(Op.BIN, op, kindOf(pt));
      return pt;
    }
    const ct = arithmeticResult(lt, rt);
    this.convert(this.value(x.left), ct, x.loc);
    this.convert(this.value(x.right), ct, x.loc);
    this.e.emit(Op.BIN, op, kindOf(ct));
    return op >= BinOp.EQ ? INT : ct;
  }

  private logical(op: '&&' | '||', left: Expr, right: Expr): CType {
    const short = this.e.newLabel();
    const end = this.e.newLabel();
    const jump = op === '&&' ? Op.JZ : Op.JNZ;
    this.value(left);
    this.e.jump(jump, short);
    this.value(right);
    this.e.jump(jump, short);
    this.e.emit(Op.CONST, op === '&&' ? 1 : 0);
    this.e.jump(Op.JMP, end);
    this.e.depth -= 1;
    this.e.bind(short);
    this.e.emit(Op.CONST, op === '&&' ? 0 : 1);
    this.e.bind(end);
    return INT;
  }

  private conditional(x: Extract<Expr, { kind: 'conditional' }>): CType {
    const tt = decay(this.typeOf(x.then));
    const et = decay(this.typeOf(x.else));
    const rt: CType = isInteger(tt) && isInteger(et) ? arithmeticResult(tt, et) : tt.kind === 'pointer' ? tt : et;
    const elseL = this.e.newLabel();
    const end = this.e.newLabel();
    this.value(x.cond);
    this.e.jump(Op.JZ, elseL);
    this.convert(this.value(x.then), rt, x.loc);
    this.e.jump(Op.JMP, end);
    this.e.depth -= 1;
    this.e.bind(elseL);
    this.convert(this.value(x.else), rt, x.loc);
    this.e.bind(end);
    return rt;
  }

  private assign(x: Extract<Expr, { kind: 'assign' }>, keep: boolean): CType {
    const target = this.place(x.target);
    const t = target.type;
    if (t.kind === 'struct') {
      if (x.op !== '=') throw new ModelError('bad-operands', `operator ${x.op} on ${typeName(t)}`, x.loc, null);
      this.pushAddress(target);
      const src = this.place(x.value);
      if (src.type !== t) throw new ModelError('bad-assignment', `assigning ${typeName(src.type)} to ${typeName(t)}`, x.loc, null);
      this.pushAddress(src);
      this.e.emit(Op.COPY, slotsOf(t));
      if (keep) throw new UnsupportedError('struct-value', 'the value of a struct assignment cannot be used', x.loc, null);
      return t;
    }
    if (this.needsAddress(target) && target.kind === 'local') this.pushAddress(target);
    if (x.op === '=') {
      this.convert(this.value(x.value), t, x.loc);
    } else {
      if (this.needsAddress(target)) {
        this.e.emit(Op.DUP);
        this.e.emit(Op.LOAD, widthOf(t, x.loc) | (target.kind === 'computed' && target.private ? PRIVATE_ACCESS : 0));
      } else {
        this.load(target, x.loc);
      }
      const op = x.op.slice(0, -1);
      this.arith(op, t, x.value, x.loc);
    }
    this.storeTop(target, keep, x.loc);
    return t;
  }

  /** Applies `op` to the current value of type `t` on the stack and `rhs`, converting back to `t`. */
  private arith(op: string, t: CType, rhs: Expr, loc: SourceLoc): void {
    const rt = decay(this.typeOf(rhs));
    if (t.kind === 'pointer' && (op === '+' || op === '-') && isInteger(rt)) {
      this.convert(this.value(rhs), LONG, loc);
      if (op === '-') this.e.emit(Op.UN, UnOp.NEG, Kind.I64);
      this.e.emit(Op.PTRADD, slotsOf(t.to));
      return;
    }
    if (!isInteger(t) || !isInteger(rt)) throw new ModelError('bad-operands', `operator ${op}= on ${typeName(t)}`, loc, null);
    const code = BINOPS[op];
    if (code === undefined) throw new Error(`irqcheck bug: operator ${op}`);
    const ct = op === '<<' || op === '>>' ? promote(t) : arithmeticResult(t, rt);
    this.convert(t, ct, loc);
    this.convert(this.value(rhs), op === '<<' || op === '>>' ? INT : ct, loc);
    this.e.emit(Op.BIN, code, kindOf(ct));
    this.convert(ct, t, loc);
  }

  private update(op: '++' | '--', prefix: boolean, arg: Expr, keep: boolean, loc: SourceLoc): CType {
    const target = this.place(arg);
    const t = target.type;
    if (this.needsAddress(target) && target.kind === 'local') this.pushAddress(target);
    if (this.needsAddress(target)) {
      this.e.emit(Op.DUP);
      this.e.emit(Op.LOAD, widthOf(t, loc) | (target.kind === 'computed' && target.private ? PRIVATE_ACCESS : 0));
    } else {
      this.load(target, loc);
    }
    const one: Expr = { kind: 'int', value: 1n, unsigned: false, long: 0, loc };
    this.arith(op === '++' ? '+' : '-', t, one, loc);
    this.storeTop(target, keep, loc);
    if (keep && !prefix) {
      // The old value: undo the step on the kept new value.
      this.arith(op === '++' ? '-' : '+', t, one, loc);
    }
    return t;
  }

  private call(callee: Expr, args: readonly Expr[], loc: SourceLoc): CType {
    if (callee.kind === 'ident') {
      const sym = this.scope.lookup(callee.name);
      if (sym?.kind === 'function') return this.direct(sym.index, sym.type, args, loc, callee.name);
      if (sym === undefined) {
        const id = builtinId(callee.name);
        if (id >= 0) return this.builtin(id, args, loc);
        throw new UnsupportedError(
          'unknown-function', `unknown function '${callee.name}'`, callee.loc,
          `irqcheck models the kernel API listed in the README; if '${callee.name}' does not matter to the protocol, define a stub in the model (e.g. static void ${callee.name}(void) {})`,
          callee.name.length,
        );
      }
    }
    const ft = this.value(callee);
    const fnType = ft.kind === 'pointer' && ft.to.kind === 'function' ? ft.to : null;
    if (fnType === null) throw new ModelError('not-function', `called object of type ${typeName(ft)} is not a function`, loc, null);
    const spill = this.e.depth - 1;
    this.args(fnType, args, loc);
    const signature = callSignature(fnType);
    this.unit.noteCall(-(args.length + 1), signature);
    this.e.emit(Op.CALLI, args.length, spill, this.unit.internCallSignature(signature));
    return fnType.returns;
  }

  private direct(index: number, type: FunctionType, args: readonly Expr[], loc: SourceLoc, name: string): CType {
    if (args.length < type.params.length || (!type.variadic && args.length > type.params.length)) {
      throw new ModelError('arity', `'${name}' takes ${type.params.length} argument(s), given ${args.length}`, loc, null);
    }
    const spill = this.e.depth;
    this.args(type, args, loc);
    this.unit.noteCall(index);
    this.e.emit(Op.CALL, index, args.length, spill);
    return type.returns;
  }

  private args(type: FunctionType, args: readonly Expr[], loc: SourceLoc): void {
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as Expr;
      const at = this.value(a);
      const pt = type.params[i];
      if (pt !== undefined) this.convert(at, pt, loc);
    }
  }

  private builtin(id: number, args: readonly Expr[], loc: SourceLoc): CType {
    const spec = BUILTINS[id];
    if (spec === undefined) throw new Error(`irqcheck bug: builtin ${id}`);
    if (args.length < spec.arity || (!spec.variadic && args.length > spec.arity)) {
      throw new ModelError('arity', `'${spec.name}' takes ${spec.arity}${spec.variadic ? ' or more' : ''} argument(s), given ${args.length}`, loc, null);
    }
    for (const a of args) this.value(a);
    this.e.emit(Op.BUILTIN, id, args.length);
    return spec.returns;
  }

  private arrayBaseType(x: Expr): CType {
    if (x.kind === 'ident') {
      const sym = this.scope.lookup(x.name);
      if (sym?.kind === 'local' || sym?.kind === 'global') return sym.type;
    }
    if (x.kind === 'member' || x.kind === 'index') return this.typeOf(x);
    return this.typeOf(x);
  }

  private offsetPlace(base: Place, offset: number, type: CType): Place {
    if (base.kind === 'local') return { kind: 'local', offset: base.offset + offset, type, taken: base.taken };
    if (base.kind === 'global') return { kind: 'global', address: base.address + offset, type };
    if (offset !== 0) {
      this.e.emit(Op.CONST, offset);
      this.e.emit(Op.PTRADD, 1);
    }
    return { kind: 'computed', type, private: base.private };
  }
}

function undeclared(name: string, loc: SourceLoc): ModelError {
  return new ModelError('undeclared', `'${name}' is not declared`, loc, 'declare it, or check the spelling of the kernel name', name.length);
}

function assertNeverExpr(x: never): never {
  throw new Error(`irqcheck bug: unexpected expression ${JSON.stringify(x)}`);
}

function assertNeverSym(x: never): never {
  throw new Error(`irqcheck bug: unexpected symbol ${JSON.stringify(x)}`);
}

