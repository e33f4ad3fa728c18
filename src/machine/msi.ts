/**
 * MSI devices: a device raises at any instruction boundary; the message it
 * sends is built from its address and data words as they stand at that
 * instant (destination APIC ID in address bits 19:12, vector in data 7:0).
 * A masked device holds a pending bit and sends on unmask. A message that
 * names no online CPU is lost. Each raise adds work the device's handler
 * must see (`unhandled`), which is how a lost interrupt is noticed.
 */
import type { Program } from '../compile/index.js';
import { requestVector } from './apic.js';
import type { StateWriteLog } from './write-log.js';

/** Slot offsets of the device struct's fields. */
export interface DeviceFields {
  readonly maskable: number;
  readonly addr64: number;
  readonly maxRaises: number;
  readonly addressLo: number;
  readonly addressHi: number;
  readonly data: number;
  readonly enabled: number;
  readonly masked: number;
  readonly pending: number;
  readonly raised: number;
  readonly unhandled: number;
}

export function deviceFields(p: Program): DeviceFields | null {
  const f = p.devices.fields;
  if (p.devices.addresses.length === 0) return null;
  const at = (name: string): number => {
    const v = f.get(name);
    if (v === undefined) throw new Error(`irqcheck bug: the device struct has no ${name}`);
    return v;
  };
  return {
    maskable: at('maskable'), addr64: at('addr64'), maxRaises: at('max_raises'), addressLo: at('address_lo'), addressHi: at('address_hi'),
    data: at('data'), enabled: at('enabled'), masked: at('masked'), pending: at('pending'), raised: at('raised'), unhandled: at('unhandled'),
  };
}

/** Slots of a device struct (its fields' extent). */
export function deviceSlots(f: DeviceFields): number {
  return Math.max(f.maskable, f.addr64, f.maxRaises, f.addressLo, f.addressHi, f.data, f.enabled, f.masked, f.pending, f.raised, f.unhandled) + 1;
}

/** Whether the device at `d` may raise now. */
export function canRaise(s: Int32Array, d: number, f: DeviceFields): boolean {
  return (s[d + f.enabled] as number) !== 0 && belowRaiseBudget(s, d, f);
}

/** Whether the device at `d` may still raise, now or once enabled: it has raised fewer times than its budget. */
export function belowRaiseBudget(s: Int32Array, d: number, f: DeviceFields): boolean {
  return (s[d + f.raised] as number) < (s[d + f.maxRaises] as number);
}

/**
 * The CPU the device's message names now, or -1 if it names none (a bad
 * address, an x2APIC high word on a 64-bit device, an illegal vector).
 * Allocates nothing.
 */
export function messageCpu(p: Program, s: Int32Array, d: number, f: DeviceFields): number {
  const lo = (s[d + f.addressLo] as number) >>> 0;
  const hi = (s[d + f.addressHi] as number) >>> 0;
  const dest = (lo >>> 12) & 0xff;
  const valid = (lo & 0xfff00000) >>> 0 === 0xfee00000 && (hi === 0 || (s[d + f.addr64] as number) === 0) && dest < p.config.cpus && messageVector(s, d, f) >= 0x10;
  return valid ? dest : -1;
}

/** The vector in the device's data word now. */
export function messageVector(s: Int32Array, d: number, f: DeviceFields): number {
  return (s[d + f.data] as number) & 0xff;
}

/** Where the device's message goes now: the target CPU (-1 if none) and vector. Rare path. */
export function messageTarget(p: Program, s: Int32Array, d: number, f: DeviceFields): { cpu: number; vector: number } {
  return { cpu: messageCpu(p, s, d, f), vector: messageVector(s, d, f) };
}

/** Sends the device's current message (sets IRR on the target, or loses it). */
export function sendMessage(writes: StateWriteLog, p: Program, s: Int32Array, d: number, f: DeviceFields): void {
  const cpu = messageCpu(p, s, d, f);
  if (cpu >= 0) requestVector(writes, s, p.layout.cpuBase0 + cpu * p.layout.cpuSlots, messageVector(s, d, f));
}

/** The device at `d` raises an interrupt. */
export function raise(writes: StateWriteLog, p: Program, s: Int32Array, d: number, f: DeviceFields): void {
  writes.add(d + f.raised, d + f.raised + 1);
  writes.add(d + f.unhandled, d + f.unhandled + 1);
  writes.add(d + f.pending, d + f.pending + 1);
  s[d + f.raised] = (s[d + f.raised] as number) + 1;
  s[d + f.unhandled] = (s[d + f.unhandled] as number) + 1;
  if ((s[d + f.masked] as number) !== 0) s[d + f.pending] = 1;
  else sendMessage(writes, p, s, d, f);
}
