/**
 * C types as the compiler resolves them, and their size in state slots.
 *
 * A slot is one 32-bit integer of the state vector: integers up to 32 bits,
 * `bool`, enums and pointers take one slot, 64-bit integers two (low word
 * first), structs and arrays the sum of their parts. There are no bytes:
 * `sizeof` answers in C bytes for the model's arithmetic, but layout is in
 * slots.
 */

export interface IntType {
  readonly kind: 'int';
  readonly bits: 8 | 16 | 32 | 64;
  readonly signed: boolean;
  /** The name to print in messages. */
  readonly name: string;
}

export interface StructField {
  readonly name: string;
  readonly type: CType;
  /** Offset from the start of the struct, in slots. */
  readonly offset: number;
}

export interface StructType {
  readonly kind: 'struct';
  /** The tag, or for `typedef struct { ... } name;` the typedef's name. */
  tag: string;
  readonly union: boolean;
  /** Filled in when the definition is seen; null while incomplete. */
  fields: StructField[] | null;
  slots: number;
}

export interface FunctionType {
  readonly kind: 'function';
  readonly returns: CType;
  readonly params: readonly CType[];
  readonly variadic: boolean;
}

export type CType =
  | IntType
  | { readonly kind: 'bool' }
  | { readonly kind: 'void' }
  | { readonly kind: 'pointer'; readonly to: CType }
  | { readonly kind: 'array'; readonly of: CType; readonly length: number }
  | StructType
  | FunctionType;

const int = (bits: 8 | 16 | 32 | 64, signed: boolean, name: string): IntType => ({ kind: 'int', bits, signed, name });

export const INT: IntType = int(32, true, 'int');
export const UINT: IntType = int(32, false, 'unsigned int');
export const LONG: IntType = int(64, true, 'long');
export const ULONG: IntType = int(64, false, 'unsigned long');
export const BOOL: CType = { kind: 'bool' };
export const VOID: CType = { kind: 'void' };
export const CHAR: IntType = int(8, true, 'char');
export const VOID_PTR: CType = { kind: 'pointer', to: VOID };
export const CHAR_PTR: CType = { kind: 'pointer', to: CHAR };

/** The base type names C and the kernel spell, resolved. */
export const BASE_TYPES: ReadonlyMap<string, CType> = new Map<string, CType>([
  ['void', VOID],
  ['bool', BOOL],
  ['_Bool', BOOL],
  ['char', CHAR],
  ['signed char', int(8, true, 'signed char')],
  ['unsigned char', int(8, false, 'unsigned char')],
  ['short', int(16, true, 'short')],
  ['unsigned short', int(16, false, 'unsigned short')],
  ['int', INT],
  ['signed', INT],
  ['signed int', INT],
  ['unsigned int', UINT],
  ['unsigned', UINT],
  // x86-64: long is 64 bits.
  ['long', LONG],
  ['unsigned long', ULONG],
  ['long long', int(64, true, 'long long')],
  ['unsigned long long', int(64, false, 'unsigned long long')],
  ['size_t', ULONG],
  ['ssize_t', LONG],
  ['uintptr_t', ULONG],
  ['int8_t', int(8, true, 'int8_t')],
  ['uint8_t', int(8, false, 'uint8_t')],
  ['int16_t', int(16, true, 'int16_t')],
  ['uint16_t', int(16, false, 'uint16_t')],
  ['int32_t', INT],
  ['uint32_t', UINT],
  ['int64_t', LONG],
  ['uint64_t', ULONG],
]);

/** Slots a value of this type occupies in the state. */
export function slotsOf(t: CType): number {
  switch (t.kind) {
    case 'int':
      return t.bits === 64 ? 2 : 1;
    case 'bool':
    case 'pointer':
      return 1;
    case 'void':
    case 'function':
      return 0;
    case 'array':
      return t.length * slotsOf(t.of);
    case 'struct':
      return t.slots;
    default:
      return assertNever(t);
  }
}

/** `sizeof` in C bytes (x86-64), for the model's own arithmetic. */
export function bytesOf(t: CType): number {
  switch (t.kind) {
    case 'int':
      return t.bits / 8;
    case 'bool':
      return 1;
    case 'pointer':
      return 8;
    case 'void':
    case 'function':
      return 1;
    case 'array':
      return t.length * bytesOf(t.of);
    case 'struct': {
      if (t.fields === null) return 0;
      let total = 0;
      for (const f of t.fields) total = t.union ? Math.max(total, bytesOf(f.type)) : total + bytesOf(f.type);
      return total;
    }
    default:
      return assertNever(t);
  }
}

export function isInteger(t: CType): t is IntType | { kind: 'bool' } {
  return t.kind === 'int' || t.kind === 'bool';
}

export function isScalar(t: CType): boolean {
  return t.kind === 'int' || t.kind === 'bool' || t.kind === 'pointer';
}

/** C's usual arithmetic conversions, reduced to what 32/64-bit wrap-around needs. */
export function arithmeticResult(a: CType, b: CType): IntType {
  const pa = promote(a);
  const pb = promote(b);
  const bits = Math.max(pa.bits, pb.bits) as 32 | 64;
  if (pa.bits === pb.bits) return pa.signed && pb.signed ? pa : pa.signed ? pb : pa;
  return bits === pa.bits ? pa : pb;
}

/** Integer promotion: everything narrower than int becomes int. */
export function promote(t: CType): IntType {
  if (t.kind === 'int') return t.bits < 32 ? INT : t;
  if (t.kind === 'pointer') return ULONG;
  return INT;
}

export function typeName(t: CType): string {
  switch (t.kind) {
    case 'int':
      return t.name;
    case 'bool':
      return 'bool';
    case 'void':
      return 'void';
    case 'pointer':
      return `${typeName(t.to)} *`;
    case 'array':
      return `${typeName(t.of)}[${t.length}]`;
    case 'struct':
      return `${t.union ? 'union' : 'struct'} ${t.tag}`;
    case 'function':
      return `${typeName(t.returns)} (${t.params.map(typeName).join(', ')})`;
    default:
      return assertNever(t);
  }
}

/**
 * A function type as far as a call through a pointer can tell it: the
 * return and each parameter as void, integer, pointer or a struct by tag.
 * Coarse on purpose: kernel code freely mixes integer widths and pointer
 * types between a function and the pointer it is called through, but never
 * an int for a pointer or a different number of arguments.
 */
export function callSignature(t: FunctionType): string {
  const shape = (x: CType): string => {
    switch (x.kind) {
      case 'void':
        return 'v';
      case 'int':
      case 'bool':
        return 'i';
      case 'pointer':
      case 'array':
      case 'function':
        return 'p';
      case 'struct':
        return `s:${x.tag}`;
      default:
        return assertNever(x);
    }
  };
  return `${shape(t.returns)}(${t.params.map(shape).join(',')}${t.variadic ? ',...' : ''})`;
}

/**
 * What a call through a pointer of `signature` with `argc` arguments may
 * reach among `candidates` (the address-taken functions): those of its
 * signature, as C calls through a pointer of the function's type; if none
 * has it, the model casts, and those taking as many arguments.
 */
export function indirectCallees(candidates: readonly number[], signatureOf: (f: number) => string, arityOf: (f: number) => number, signature: string, argc: number): number[] {
  const typed = candidates.filter((f) => signatureOf(f) === signature);
  return typed.length > 0 ? typed : candidates.filter((f) => arityOf(f) === argc);
}

export function assertNever(x: never): never {
  throw new Error(`irqcheck bug: unexpected ${JSON.stringify(x)}`);
}
