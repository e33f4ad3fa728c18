/**
 * The local APIC's interrupt registers (SDM 10.8): IRR and ISR are 256-bit
 * maps; a vector's priority class is vector >> 4; at a boundary with IF set
 * the highest IRR vector is delivered if its class is above the highest
 * in-service class; delivery moves it from IRR to ISR; EOI clears the
 * highest ISR bit. A vector already requested coalesces.
 *
 * Hot: delivery checks run for every CPU of every state; no allocation.
 */
import { APIC_VECTOR_WORDS, Cpu, CpuFlag, FrameKind, NEST_IRQ_SHIFT, type Program } from '../compile/index.js';
import { enterInterruptGate } from './cpu.js';
import type { Vm } from './vm.js';
import type { StateWriteLog } from './write-log.js';
import { ViolationKind } from './violation.js';

/** The highest vector set in the bitmap at `at` (8 words), or -1. */
export function highestVector(s: Int32Array, at: number): number {
  for (let w = APIC_VECTOR_WORDS - 1; w >= 0; w--) {
    const word = s[at + w] as number;
    if (word !== 0) return w * 32 + 31 - Math.clz32(word);
  }
  return -1;
}

/** The vector CPU `cb` would take now, or -1 (IF clear, an instruction in flight, or masked by ISR priority). */
export function deliverableVector(s: Int32Array, cb: number): number {
  // (A model without an IRQ entry can request no vector: its IRR stays empty.)
  if (((s[cb + Cpu.FLAGS] as number) & (CpuFlag.IF | CpuFlag.TRAP_PENDING)) !== CpuFlag.IF || (s[cb + Cpu.MSR] as number) !== 0) return -1;
  const v = highestVector(s, cb + Cpu.IRR);
  if (v < 0) return -1;
  const inService = highestVector(s, cb + Cpu.ISR);
  return inService >= 0 && v >> 4 <= inService >> 4 ? -1 : v;
}

/** Requests `vector` on the CPU at `cb` (an IPI or an MSI message). */
export function requestVector(writes: StateWriteLog, s: Int32Array, cb: number, vector: number): void {
  const at = cb + Cpu.IRR + (vector >> 5);
  writes.add(at, at + 1);
  s[at] = (s[at] as number) | (1 << (vector & 31));
}

export function vectorRequested(s: Int32Array, cb: number, vector: number): boolean {
  return (((s[cb + Cpu.IRR + (vector >> 5)] as number) >>> (vector & 31)) & 1) !== 0;
}

export function pendingVectors(s: Int32Array, cb: number): boolean {
  for (let w = 0; w < APIC_VECTOR_WORDS; w++) if ((s[cb + Cpu.IRR + w] as number) !== 0) return true;
  return false;
}

/** Takes `vector` out of the IRR without delivering it (a model with no IRQ handlers at all). */
export function dropVector(writes: StateWriteLog, s: Int32Array, cb: number, vector: number): void {
  const at = cb + Cpu.IRR + (vector >> 5);
  writes.add(at, at + 1);
  s[at] = (s[at] as number) & ~(1 << (vector & 31));
}

/** EOI: clears the highest in-service vector. */
export function endOfInterrupt(writes: StateWriteLog, s: Int32Array, cb: number): void {
  const v = highestVector(s, cb + Cpu.ISR);
  if (v < 0) return;
  const at = cb + Cpu.ISR + (v >> 5);
  writes.add(at, at + 1);
  s[at] = (s[at] as number) & ~(1 << (v & 31));
}

/**
 * Delivers `vector` on CPU c through an interrupt gate: IRR → ISR, an
 * interrupt frame, IF cleared, and the kernel's common_interrupt(). Returns
 * false on stack overflow.
 */
export function deliverVector(vm: Vm, s: Int32Array, c: number, vector: number): boolean {
  const p: Program = vm.program;
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  if (!enterInterruptGate(vm, s, c, FrameKind.IRQ, p.entries.irqEntry, vector, NEST_IRQ_SHIFT)) return false;
  const irr = cb + Cpu.IRR + (vector >> 5);
  vm.writes.add(irr, irr + 1);
  s[irr] = (s[irr] as number) & ~(1 << (vector & 31));
  const isr = cb + Cpu.ISR + (vector >> 5);
  vm.writes.add(isr, isr + 1);
  s[isr] = (s[isr] as number) | (1 << (vector & 31));
  return true;
}

/**
 * CPU c takes `vector`: delivery through its IRQ entry or, in a model that
 * gives no vector a handler (no IRQ entry at all), the spurious interrupt
 * common_interrupt() would report (a warning; a violation under --strict).
 * Returns false on a violation (`vm.violation`); a warning is in `vm.warning`.
 */
export function takeVector(vm: Vm, s: Int32Array, c: number, vector: number): boolean {
  vm.violation = 0;
  vm.warning = 0;
  const p = vm.program;
  if (p.entries.irqEntry >= 0) return deliverVector(vm, s, c, vector);
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  dropVector(vm.writes, s, cb, vector);
  vm.state = s;
  vm.pc = s[cb + Cpu.PC] as number;
  vm.warn(-1, `CPU${c} received vector 0x${vector.toString(16)}, which maps to no handler ("No irq handler for vector")`, ViolationKind.SPURIOUS_INTERRUPT, c * 256 + vector);
  return vm.violation === 0;
}
