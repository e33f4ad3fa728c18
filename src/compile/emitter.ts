/**
 * A growable code buffer that tracks the operand stack depth of straight-line
 * code, resolves labels, and records which statement each pc belongs to.
 */
import { Op, OPERANDS, stackEffect } from './opcodes.js';

/** A forward or backward jump target. */
export interface Label {
  pc: number;
  readonly patches: number[];
}

export class Emitter {
  private code = new Int32Array(1024);
  private length = 0;
  private pcSite = new Int32Array(1024);
  /** Operand stack depth at the current point of straight-line code. */
  depth = 0;
  /** Deepest operand stack seen. */
  maxDepth = 0;
  /** The site of the statement being compiled (-1 outside statements). */
  site = -1;

  /** The code word at `pc`. */
  at(pc: number): number {
    return this.code[pc] ?? 0;
  }

  get pc(): number {
    return this.length;
  }

  emit(op: number, a = 0, b = 0, c = 0): number {
    const at = this.length;
    const n = OPERANDS[op] ?? 0;
    this.reserve(1 + n);
    this.code[this.length] = op;
    this.pcSite[this.length++] = this.site;
    if (n > 0) this.push(a);
    if (n > 1) this.push(b);
    if (n > 2) this.push(c);
    this.depth += stackEffect(op, a, b);
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
    if (this.depth < 0) throw new Error(`irqcheck bug: operand stack underflow at pc ${at}`);
    return at;
  }

  newLabel(): Label {
    return { pc: -1, patches: [] };
  }

  /** Binds a label here. */
  bind(label: Label): void {
    label.pc = this.length;
    for (const at of label.patches) this.code[at] = this.length;
  }

  /** Emits a jump (JMP/JZ/JNZ) to a label, patched when the label is bound. */
  jump(op: number, label: Label): void {
    this.emit(op, label.pc);
    if (label.pc < 0) label.patches.push(this.length - 1);
  }

  finish(): { code: Int32Array; pcSite: Int32Array } {
    return { code: this.code.slice(0, this.length), pcSite: this.pcSite.slice(0, this.length) };
  }

  /** Drops everything emitted since `pc` (used to type an expression without keeping its code). */
  truncate(pc: number, depth: number): void {
    this.length = pc;
    this.depth = depth;
  }

  /**
   * Inserts code before instructions of `code[from, pc)`: `inserts` maps an
   * instruction's pc to the words to run before it. Jumps to that pc run
   * them too; jump targets in the range move with their instructions, so
   * the range must hold whole functions. An inserted word belongs to the
   * statement of the instruction it precedes. Stack-neutral code only.
   */
  insertBefore(from: number, inserts: ReadonlyMap<number, readonly number[]>): void {
    const end = this.length;
    const moved = new Map<number, number>();
    const code: number[] = [];
    const sites: number[] = [];
    for (let pc = from; pc < end; ) {
      moved.set(pc, from + code.length);
      const site = this.pcSite[pc] as number;
      for (const w of inserts.get(pc) ?? []) {
        code.push(w);
        sites.push(site);
      }
      const n = 1 + (OPERANDS[this.code[pc] as number] ?? 0);
      for (let k = 0; k < n; k++) {
        code.push(this.code[pc + k] as number);
        sites.push(this.pcSite[pc + k] as number);
      }
      pc += n;
    }
    moved.set(end, from + code.length);
    for (let i = 0; i < code.length; ) {
      const op = code[i] as number;
      if (op === Op.JMP || op === Op.JZ || op === Op.JNZ) {
        const target = moved.get(code[i + 1] as number);
        if (target === undefined) throw new Error(`irqcheck bug: a jump to ${code[i + 1]} outside the code being moved`);
        code[i + 1] = target;
      }
      i += 1 + (OPERANDS[op] ?? 0);
    }
    this.length = from;
    this.reserve(code.length);
    this.code.set(code, from);
    this.pcSite.set(sites, from);
    this.length = from + code.length;
  }

  private push(value: number): void {
    this.code[this.length] = value;
    this.pcSite[this.length++] = this.site;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.code.length) return;
    const size = Math.max(this.code.length * 2, this.length + n);
    const code = new Int32Array(size);
    code.set(this.code);
    this.code = code;
    const sites = new Int32Array(size);
    sites.set(this.pcSite);
    this.pcSite = sites;
  }
}
