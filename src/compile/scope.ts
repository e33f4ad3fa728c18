/**
 * Names and types: the symbol table of a model (globals, functions, enum and
 * configuration constants, typedefs, struct tags), block scopes for locals,
 * and the resolution of written types into `CType`s.
 */
import type { Expr, SourceLoc, TypeExpr } from '../lang/index.js';
import { ModelError, UnsupportedError } from '../lang/index.js';
import { BASE_TYPES, INT, bytesOf, slotsOf, type CType, type FunctionType, type StructField, type StructType } from './ctype.js';

export interface GlobalSym {
  readonly kind: 'global';
  readonly name: string;
  readonly type: CType;
  /** Absolute address in the state. */
  readonly address: number;
  readonly loc: SourceLoc;
}

export interface LocalSym {
  readonly kind: 'local';
  readonly name: string;
  readonly type: CType;
  /** Frame-relative offset. */
  readonly offset: number;
  /** Its address escapes (`&x`, or an array that decays): accesses are visible. */
  readonly taken: boolean;
}

export interface FunctionSym {
  readonly kind: 'function';
  readonly name: string;
  readonly index: number;
  type: FunctionType;
  readonly loc: SourceLoc;
}

export interface ConstSym {
  readonly kind: 'const';
  readonly name: string;
  readonly value: number;
  readonly type: CType;
}

export type Symbol = GlobalSym | LocalSym | FunctionSym | ConstSym;

/** Global names, typedefs and tags, plus a stack of block scopes while a function compiles. */
export class Scope {
  private readonly globals = new Map<string, Symbol>();
  private readonly typedefs = new Map<string, CType>();
  private readonly tags = new Map<string, StructType>();
  private readonly enumTags = new Set<string>();
  private blocks: Map<string, Symbol>[] = [];
  private anonymous = 0;

  defineGlobal(sym: Symbol): void {
    this.globals.set(sym.name, sym);
  }

  defineTypedef(name: string, type: CType): void {
    // An anonymous struct is known by its typedef (atomic_t, not `struct <anonymous 1>`).
    if (type.kind === 'struct' && type.tag.startsWith('<anonymous')) type.tag = name;
    this.typedefs.set(name, type);
  }

  pushBlock(): void {
    this.blocks.push(new Map());
  }

  popBlock(): void {
    this.blocks.pop();
  }

  defineLocal(sym: LocalSym): void {
    const top = this.blocks[this.blocks.length - 1];
    if (top === undefined) throw new Error('irqcheck bug: local outside a block');
    top.set(sym.name, sym);
  }

  /** A block-scoped name for a global (a `static` local lives in globals). */
  defineLocalAlias(name: string, sym: GlobalSym): void {
    const top = this.blocks[this.blocks.length - 1];
    if (top === undefined) throw new Error('irqcheck bug: local outside a block');
    top.set(name, sym);
  }

  lookup(name: string): Symbol | undefined {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const found = this.blocks[i]?.get(name);
      if (found !== undefined) return found;
    }
    return this.globals.get(name);
  }

  lookupGlobal(name: string): Symbol | undefined {
    return this.globals.get(name);
  }

  /** Resolves a written type. */
  resolve(t: TypeExpr): CType {
    switch (t.kind) {
      case 'base': {
        const base = BASE_TYPES.get(t.name) ?? this.typedefs.get(t.name);
        if (base === undefined) {
          if (t.name === 'float' || t.name === 'double' || t.name === 'long double') {
            throw new UnsupportedError('float-type', `floating-point type '${t.name}' is not supported`, t.loc, 'irqcheck models integer kernel code; the kernel itself avoids floating point', t.name.length);
          }
          throw new ModelError('unknown-type', `unknown type '${t.name}'`, t.loc, 'declare it with typedef, or check the spelling of the kernel type', t.name.length);
        }
        return base;
      }
      case 'pointer':
        return { kind: 'pointer', to: this.resolve(t.to) };
      case 'array': {
        const of = this.resolve(t.of);
        const length = t.length === null ? 0 : this.evalConst(t.length);
        if (length < 0) throw new ModelError('bad-array', `array length ${length} is negative`, t.loc, null);
        if (length * Math.max(1, slotsOf(of)) > MAX_OBJECT_SLOTS) {
          throw new UnsupportedError('too-large', `an array of ${length} elements is too large for a model`, t.loc,
            `every state holds every object; keep arrays under ${MAX_OBJECT_SLOTS} slots (size them by NR_CPUS and the protocol)`);
        }
        return { kind: 'array', of, length };
      }
      case 'function':
        return {
          kind: 'function',
          returns: this.resolve(t.returns),
          params: t.params.map((p) => decay(this.resolve(p.type))),
          variadic: t.variadic,
        };
      case 'enum': {
        if (t.enumerators !== null) {
          let next = 0;
          for (const e of t.enumerators) {
            const value = e.value === null ? next : this.evalConst(e.value);
            this.defineGlobal({ kind: 'const', name: e.name, value, type: INT });
            next = value + 1;
          }
          if (t.tag !== null) this.enumTags.add(t.tag);
        }
        return INT;
      }
      case 'struct':
        return this.resolveStruct(t);
      default:
        return assertNeverType(t);
    }
  }

  private resolveStruct(t: Extract<TypeExpr, { kind: 'struct' }>): StructType {
    const tag = t.tag ?? `<anonymous ${++this.anonymous}>`;
    let st = this.tags.get(tag);
    if (st === undefined) {
      st = { kind: 'struct', tag, union: t.union, fields: null, slots: 0 };
      this.tags.set(tag, st);
    }
    if (t.fields !== null) {
      const fields: StructField[] = [];
      let offset = 0;
      let size = 0;
      for (const f of t.fields) {
        const type = this.resolve(f.type);
        if (type.kind === 'struct' && type.fields === null) {
          throw new ModelError('incomplete-type', `field '${f.name}' has incomplete type ${type.tag}`, f.loc, null);
        }
        fields.push({ name: f.name, type, offset: t.union ? 0 : offset });
        const slots = slotsOf(type);
        offset += slots;
        size = t.union ? Math.max(size, slots) : offset;
      }
      st.fields = fields;
      st.slots = size;
    }
    return st;
  }

  /** Evaluates an integer constant expression (array lengths, enumerators, case labels, initializers). */
  evalConst(e: Expr): number {
    switch (e.kind) {
      case 'int':
        return Number(e.value);
      case 'char':
        return e.value;
      case 'ident': {
        const sym = this.lookup(e.name);
        if (sym?.kind === 'const') return sym.value;
        throw new ModelError('not-constant', `'${e.name}' is not a constant`, e.loc, 'a constant expression may use literals, enum values and #define constants', e.name.length);
      }
      case 'unary': {
        const v = this.evalConst(e.arg);
        if (e.op === '-') return -v;
        if (e.op === '+') return v;
        if (e.op === '!') return v === 0 ? 1 : 0;
        if (e.op === '~') return ~v;
        break;
      }
      case 'binary':
        return evalBinary(e.op, this.evalConst(e.left), this.evalConst(e.right), e.loc);
      case 'conditional':
        return this.evalConst(e.cond) !== 0 ? this.evalConst(e.then) : this.evalConst(e.else);
      case 'cast':
        return this.evalConst(e.arg);
      case 'sizeofType':
        return bytesOf(this.resolve(e.type));
      default:
        break;
    }
    throw new ModelError('not-constant', 'expected a constant expression', e.loc, 'a constant expression may use literals, enum values and #define constants');
  }
}

/** The largest object a model may declare, in slots: every state holds all of them. */
export const MAX_OBJECT_SLOTS = 1 << 16;

/** Arrays and functions as parameters are pointers. */
export function decay(t: CType): CType {
  if (t.kind === 'array') return { kind: 'pointer', to: t.of };
  if (t.kind === 'function') return { kind: 'pointer', to: t };
  return t;
}

function evalBinary(op: string, a: number, b: number, loc: SourceLoc): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/':
    case '%':
      if (b === 0) throw new ModelError('division-by-zero', 'division by zero in a constant expression', loc, null);
      return op === '/' ? Math.trunc(a / b) : a % b;
    case '<<': return a * 2 ** b;
    case '>>': return Math.floor(a / 2 ** b);
    case '&': return Number(BigInt(a) & BigInt(b));
    case '|': return Number(BigInt(a) | BigInt(b));
    case '^': return Number(BigInt(a) ^ BigInt(b));
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '&&': return a !== 0 && b !== 0 ? 1 : 0;
    case '||': return a !== 0 || b !== 0 ? 1 : 0;
    default:
      throw new ModelError('not-constant', `operator ${op} in a constant expression`, loc, null);
  }
}

function assertNeverType(x: never): never {
  throw new Error(`irqcheck bug: unexpected type ${JSON.stringify(x)}`);
}
