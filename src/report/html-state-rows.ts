/**
 * A machine state flattened into the rows the viewer's state panel shows:
 * one row per value, grouped in sections (environment, globals, each CPU,
 * devices), each with a key that stays the same from one step to the next
 * so the viewer can highlight what changed. Frames are keyed from the
 * outermost, so an interrupt frame pushed on top does not rename the
 * frames below it.
 */
import type { CpuView, StateView } from '../machine/index.js';

/** One value of the state panel: `[key, section, label, value]` (arrays keep the embedded data small). */
export type StateRow = readonly [key: string, section: string, label: string, value: string];

/** `type name`, leaving out types with no name to show (an anonymous struct behind a typedef). */
const declared = (type: string, name: string): string => (type.includes('<anonymous') ? name : `${type} ${name}`);
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
const list = (xs: readonly string[]): string => (xs.length === 0 ? '—' : xs.join(' '));

function cpuRows(c: CpuView): StateRow[] {
  const section = `CPU${c.cpu}`;
  const k = (name: string): string => `cpu${c.cpu}.${name}`;
  const rows: StateRow[] = [
    [k('context'), section, 'context', c.context],
    [k('if'), section, 'IF (interrupts)', c.interruptsEnabled ? 'on' : 'off'],
    [k('nmi-blocked'), section, 'NMI blocked', yesNo(c.nmiBlocked)],
    [k('nmi-latched'), section, 'NMI latched', yesNo(c.nmiLatched)],
    [k('msr'), section, 'MSR access in flight', c.msrInFlight ?? '—'],
    [k('ucode'), section, 'updating microcode', yesNo(c.updatingMicrocode)],
    [k('irr'), section, 'APIC IRR', list(c.irr)],
    [k('isr'), section, 'APIC ISR', list(c.isr)],
  ];
  c.frames.forEach((f, i) => {
    const level = c.frames.length - 1 - i;
    const fk = k(`frame${level}.${f.fn}`);
    rows.push([fk, section, `frame ${level}`, f.line > 0 ? `${f.fn}() at ${f.file}:${f.line}` : f.fn]);
    for (const v of f.locals) rows.push([`${fk}.${v.name}`, section, `  ${f.fn}: ${declared(v.type, v.name)}`, v.value]);
  });
  return rows;
}

/** The rows of one state, in display order. */
export function stateRows(s: StateView): StateRow[] {
  const rows: StateRow[] = [
    ['env.nmis', 'Environment', 'external NMIs left', String(s.env.nmisLeft)],
    ['env.main', 'Environment', 'main() returned', yesNo(s.env.mainReturned)],
  ];
  for (const g of s.globals) rows.push([`global.${g.name}`, 'Globals', declared(g.type, g.name), g.value]);
  for (const c of s.cpus) rows.push(...cpuRows(c));
  for (const d of s.devices) {
    const k = (name: string): string => `device.${d.name}.${name}`;
    const section = `Device ${d.name}`;
    rows.push(
      [k('target'), section, 'message goes to', d.target],
      [k('words'), section, 'address lo / hi / data', `${d.words.addressLo} / ${d.words.addressHi} / ${d.words.data}`],
      [k('masked'), section, 'masked', yesNo(d.masked)],
      [k('pending'), section, 'pending', yesNo(d.pending)],
      [k('raised'), section, 'raised', String(d.raised)],
      [k('unhandled'), section, 'raised, not yet handled', String(d.unhandled)],
    );
  }
  return rows;
}
