/**
 * The bytecode: a stack machine over the state vector.
 *
 * Code is one Int32Array; an instruction is its opcode followed by a fixed
 * number of operands (`OPERANDS[op]`). The operand stack is scratch that
 * lives only within a step: at every step boundary it is empty, and values a
 * caller must keep across a call are spilled into its frame (so they are part
 * of the state). Step boundaries are the `STMT` instructions.
 */

/** Opcodes. Operands are listed after the name. */
export const Op = {
  NOP: 0,
  /** loc flags — a statement boundary: the step ends here if it already did something visible. */
  STMT: 1,
  /** value — push an int32 immediate. */
  CONST: 2,
  /** index — push `program.constants[index]` (a double). */
  CONSTK: 3,
  /** width offset — push a frame slot of a local whose address is never taken (invisible). */
  LOADL: 4,
  /** width offset — pop into such a local. */
  STOREL: 5,
  /** width address — push a global (visible unless read-only). */
  LOADG: 6,
  /** width address — pop into a global (visible). */
  STOREG: 7,
  /** offset — push the absolute address of a frame slot. */
  ADDRL: 8,
  /** address — push an absolute address. */
  ADDRG: 9,
  /** width — pop an address, push the value there (checked, visible). */
  LOAD: 10,
  /** width — pop a value, pop an address, store (checked, visible). */
  STORE: 11,
  /** op kind — pop b, pop a, push a op b. */
  BIN: 12,
  /** op kind — pop a, push op a. */
  UN: 13,
  /** width — wrap the top value to the width (C's conversion). */
  CONV: 14,
  /** target */
  JMP: 15,
  /** target — pop, jump if zero. */
  JZ: 16,
  /** target — pop, jump if not zero. */
  JNZ: 17,
  DUP: 18,
  POP: 19,
  /** [a, b] → [b, a, b] */
  TUCK: 20,
  SWAP: 21,
  /** fn argc spill — call a function; `spill` operands below the arguments are kept in the caller's frame. */
  CALL: 22,
  /** argc spill sig — call through a function pointer (below the arguments); `sig` indexes `Program.callSignatures`. */
  CALLI: 23,
  /** Pop the return value and return (void functions push 0 first). */
  RET: 24,
  /** id argc — call a kernel/machine builtin; always pushes a result. */
  BUILTIN: 25,
  /** slots — pop i, pop p, push p + i * slots (null stays a fault for LOAD/STORE). */
  PTRADD: 26,
  /** slots — pop b, pop a, push (a - b) / slots. */
  PTRDIFF: 27,
  /** length — check the top value is a valid index (0 <= i < length) without popping. */
  CHKIDX: 28,
  /** slots — pop src, pop dst, copy `slots` slots (struct assignment). */
  COPY: 29,
  /** slots — pop addr, zero `slots` slots. */
  ZERO: 30,
  /** The idle loop: a CPU here is halted with interrupts on. */
  IDLE: 31,
  /** The end of a CPU's task work (main returned, a stopper finished). */
  TASK_EXIT: 32,
  /** Return from an interrupt or exception frame. */
  IRET: 33,
  /** code loc — a run-time fault of the model (reached e.g. by falling off a non-void function). */
  FAULT: 34,
  /** slots — pop addr, push addr (checks that `slots` slots at addr are valid memory). */
  CHKPTR: 35,
  /** offset slots — zero frame slots [offset, offset + slots) of locals that are dead here (invisible; see liveness.ts). */
  ZEROL: 36,
} as const;

export type Opcode = (typeof Op)[keyof typeof Op];

/** Operand count per opcode. */
export const OPERANDS: readonly number[] = (() => {
  const n: number[] = [];
  n[Op.NOP] = 0;
  n[Op.STMT] = 2;
  n[Op.CONST] = 1;
  n[Op.CONSTK] = 1;
  n[Op.LOADL] = 2;
  n[Op.STOREL] = 2;
  n[Op.LOADG] = 2;
  n[Op.STOREG] = 2;
  n[Op.ADDRL] = 1;
  n[Op.ADDRG] = 1;
  n[Op.LOAD] = 1;
  n[Op.STORE] = 1;
  n[Op.BIN] = 2;
  n[Op.UN] = 2;
  n[Op.CONV] = 1;
  n[Op.JMP] = 1;
  n[Op.JZ] = 1;
  n[Op.JNZ] = 1;
  n[Op.DUP] = 0;
  n[Op.POP] = 0;
  n[Op.TUCK] = 0;
  n[Op.SWAP] = 0;
  n[Op.CALL] = 3;
  n[Op.CALLI] = 3;
  n[Op.RET] = 0;
  n[Op.BUILTIN] = 2;
  n[Op.PTRADD] = 1;
  n[Op.PTRDIFF] = 1;
  n[Op.CHKIDX] = 1;
  n[Op.COPY] = 1;
  n[Op.ZERO] = 1;
  n[Op.IDLE] = 0;
  n[Op.TASK_EXIT] = 0;
  n[Op.IRET] = 0;
  n[Op.FAULT] = 2;
  n[Op.CHKPTR] = 1;
  n[Op.ZEROL] = 2;
  return n;
})();

/** The argument count of the CALL or CALLI at `pc` (their operands are fn argc spill, and argc spill sig). */
export function callArgc(code: ArrayLike<number>, pc: number): number {
  return code[pc + (code[pc] === Op.CALLI ? 1 : 2)] as number;
}

/** The pending operands the caller spills at the CALL or CALLI at `pc` (see `callArgc`). */
export function callSpill(code: ArrayLike<number>, pc: number): number {
  return code[pc + (code[pc] === Op.CALLI ? 2 : 3)] as number;
}

/**
 * Net operand stack effect of an instruction with operands `a`, `b`
 * (CALL/CALLI/BUILTIN depend on them; a call's spilled operands come back
 * below its result).
 */
export function stackEffect(op: number, a: number, b: number): number {
  switch (op) {
    case Op.CONST:
    case Op.CONSTK:
    case Op.LOADL:
    case Op.LOADG:
    case Op.ADDRL:
    case Op.ADDRG:
    case Op.DUP:
    case Op.TUCK:
      return 1;
    case Op.STOREL:
    case Op.STOREG:
    case Op.POP:
    case Op.JZ:
    case Op.JNZ:
    case Op.BIN:
    case Op.PTRADD:
    case Op.PTRDIFF:
    case Op.ZERO:
    case Op.RET:
      return -1;
    case Op.STORE:
    case Op.COPY:
      return -2;
    case Op.CALL:
      return 1 - b; // fn argc spill
    case Op.CALLI:
      return -a; // argc spill; the callee value is consumed too
    case Op.BUILTIN:
      return 1 - b; // id argc
    default:
      return 0;
  }
}

/** STMT flags. */
export const StmtFlag = {
  /** The statement is the head of a loop (a back edge jumps here). */
  LOOP_HEAD: 1,
  /** The statement is inside a loop (or a function with labels): a CPU here may come back to it. */
  IN_LOOP: 2,
} as const;

/** How a value is stored: width and signedness. */
export const Width = {
  I8: 0,
  U8: 1,
  I16: 2,
  U16: 3,
  I32: 4,
  U32: 5,
  I64: 6,
  U64: 7,
  BOOL: 8,
} as const;
export type WidthCode = (typeof Width)[keyof typeof Width];

/** The arithmetic an operator is done in after C's conversions. */
export const Kind = {
  I32: 0,
  U32: 1,
  I64: 2,
  U64: 3,
} as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];

/** Binary operators (BIN's first operand). */
export const BinOp = {
  ADD: 0,
  SUB: 1,
  MUL: 2,
  DIV: 3,
  MOD: 4,
  SHL: 5,
  SHR: 6,
  AND: 7,
  OR: 8,
  XOR: 9,
  EQ: 10,
  NE: 11,
  LT: 12,
  LE: 13,
  GT: 14,
  GE: 15,
} as const;

/** Unary operators (UN's first operand). */
export const UnOp = {
  NEG: 0,
  BNOT: 1,
  LNOT: 2,
} as const;

/** Pointer encodings: data pointers are slot addresses (slot 0 is never an object, so 0 is NULL). */
export const FN_PTR_TAG = 0x40000000;
export const STR_PTR_TAG = 0x20000000;
export const TAG_MASK = 0x0fffffff;
