/**
 * 64-bit integer arithmetic on JS numbers. Values are signed two's
 * complement numbers (unsigned 64-bit values too), exact up to 2^53 in
 * magnitude; results that leave that range are computed exactly with BigInt
 * (the rare path) and must land back inside it.
 */
import { BinOp } from '../compile/index.js';

const TWO_53 = 9007199254740992;

/** The result does not fit the exact range: the model computed a 64-bit value irqcheck cannot represent. */
export class Int64RangeError extends Error {}

function fromBig(v: bigint): number {
  const n = Number(BigInt.asIntN(64, v));
  if (n > TWO_53 || n < -TWO_53) throw new Int64RangeError(`64-bit value 0x${BigInt.asUintN(64, v).toString(16)} exceeds 2^53 in magnitude`);
  return n;
}

const unsigned = (v: number): bigint => BigInt.asUintN(64, BigInt(v));

/** a op b in 64 bits; `isUnsigned` selects unsigned division, shifts and comparisons. */
export function binary64(op: number, a: number, b: number, isUnsigned: boolean): number {
  switch (op) {
    case BinOp.ADD: {
      const r = a + b;
      return r <= TWO_53 && r >= -TWO_53 ? r : fromBig(BigInt(a) + BigInt(b));
    }
    case BinOp.SUB: {
      const r = a - b;
      return r <= TWO_53 && r >= -TWO_53 ? r : fromBig(BigInt(a) - BigInt(b));
    }
    case BinOp.MUL: {
      const r = a * b;
      return r <= TWO_53 && r >= -TWO_53 ? r : fromBig(BigInt(a) * BigInt(b));
    }
    case BinOp.DIV:
      if (isUnsigned && (a < 0 || b < 0)) return fromBig(unsigned(a) / unsigned(b));
      return Math.trunc(a / b);
    case BinOp.MOD:
      if (isUnsigned && (a < 0 || b < 0)) return fromBig(unsigned(a) % unsigned(b));
      return a % b;
    case BinOp.SHL:
      return fromBig(BigInt(a) << BigInt(b & 63));
    case BinOp.SHR:
      if (isUnsigned && a < 0) return fromBig(unsigned(a) >> BigInt(b & 63));
      return Math.floor(a / 2 ** (b & 63));
    case BinOp.AND:
      return fromBig(BigInt(a) & BigInt(b));
    case BinOp.OR:
      return fromBig(BigInt(a) | BigInt(b));
    case BinOp.XOR:
      return fromBig(BigInt(a) ^ BigInt(b));
    default:
      return compare(op, isUnsigned && (a < 0) !== (b < 0) ? -a : a, isUnsigned && (a < 0) !== (b < 0) ? -b : b);
  }
}

/** Comparisons; callers flip signs for unsigned operands of different signs. */
export function compare(op: number, a: number, b: number): number {
  switch (op) {
    case BinOp.EQ:
      return a === b ? 1 : 0;
    case BinOp.NE:
      return a !== b ? 1 : 0;
    case BinOp.LT:
      return a < b ? 1 : 0;
    case BinOp.LE:
      return a <= b ? 1 : 0;
    case BinOp.GT:
      return a > b ? 1 : 0;
    default:
      return a >= b ? 1 : 0;
  }
}
