/**
 * How a C value of each width is kept in 32-bit slots, and how it is read
 * back. Values on the operand stack are JS numbers in their type's range;
 * 64-bit values (signed or unsigned) are kept as signed two's complement
 * numbers, exact up to 2^53 in magnitude, stored low word first.
 *
 * Hot: used by the interpreter on every load and store; allocates nothing.
 */
import { Width } from './opcodes.js';

const TWO_32 = 4294967296;

/** Wraps a number to a width's range (C's conversion to that type). */
export function normalize(v: number, width: number): number {
  switch (width) {
    case Width.I8:
      return ((v | 0) << 24) >> 24;
    case Width.U8:
      return (v | 0) & 0xff;
    case Width.I16:
      return ((v | 0) << 16) >> 16;
    case Width.U16:
      return (v | 0) & 0xffff;
    case Width.I32:
      return v | 0;
    case Width.U32:
      return v >>> 0;
    case Width.BOOL:
      return v !== 0 ? 1 : 0;
    default:
      return v;
  }
}

/** Writes a value (already in range) at `index`. */
export function storeNumber(state: Int32Array, index: number, width: number, v: number): void {
  if (width === Width.I64 || width === Width.U64) {
    state[index] = v | 0;
    state[index + 1] = Math.floor(v / TWO_32) | 0;
    return;
  }
  state[index] = normalize(v, width) | 0;
}

/**
 * Zeroes slots [from, to): a frame or an object, a handful of words.
 * A loop, which V8 inlines, where `fill` costs a call into the runtime.
 */
export function clearSlots(state: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) state[i] = 0;
}

/** Reads the value of a width at `index`. */
export function loadNumber(state: Int32Array, index: number, width: number): number {
  switch (width) {
    case Width.U32:
      return (state[index] as number) >>> 0;
    case Width.I64:
    case Width.U64:
      return (state[index + 1] as number) * TWO_32 + ((state[index] as number) >>> 0);
    default:
      return state[index] as number;
  }
}

/** Slots a width occupies. */
export function widthSlots(width: number): number {
  return width === Width.I64 || width === Width.U64 ? 2 : 1;
}
