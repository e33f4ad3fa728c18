/**
 * A state as a person reads it: the model's globals by name, each CPU's
 * context, interrupt state, APIC registers and call frames with their
 * locals, the devices' message words, and the environment's budgets. Used
 * by trace files and the HTML viewer. Rare path: allocates freely.
 */
import {
  Cpu, CpuFlag, Env, ENV_BASE, FN_PTR_TAG, Frame, FrameKind, loadNumber, STR_PTR_TAG, TAG_MASK, typeName,
  type CType, type Program, type VariableInfo,
} from '../compile/index.js';
import { highestVector, vectorRequested } from './apic.js';
import { describe, updatingMicrocode } from './msr.js';
import { deviceFields, messageTarget } from './msi.js';
import { kernelApiName } from './kernel-names.js';

export interface VariableView {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

export interface FrameView {
  /** The function, or `[NMI]`/`[IRQ]` for an interrupt frame. */
  readonly fn: string;
  readonly file: string;
  readonly line: number;
  readonly locals: readonly VariableView[];
}

export interface CpuView {
  readonly cpu: number;
  readonly context: 'task' | 'irq' | 'nmi' | 'exception' | 'idle';
  readonly interruptsEnabled: boolean;
  readonly nmiBlocked: boolean;
  readonly nmiLatched: boolean;
  readonly msrInFlight: string | null;
  readonly updatingMicrocode: boolean;
  readonly irr: readonly string[];
  readonly isr: readonly string[];
  /** Innermost frame first. */
  readonly frames: readonly FrameView[];
}

export interface DeviceView {
  readonly name: string;
  readonly words: { readonly addressLo: string; readonly addressHi: string; readonly data: string };
  readonly target: string;
  readonly masked: boolean;
  readonly pending: boolean;
  readonly raised: number;
  readonly unhandled: number;
}

export interface StateView {
  readonly globals: readonly VariableView[];
  readonly cpus: readonly CpuView[];
  readonly devices: readonly DeviceView[];
  readonly env: { readonly nmisLeft: number; readonly mainReturned: boolean };
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Formats a value of type `t` stored at `at`. */
export function formatValue(p: Program, s: Int32Array, at: number, t: CType): string {
  switch (t.kind) {
    case 'int':
      return String(loadNumber(s, at, t.bits === 64 ? (t.signed ? 6 : 7) : t.signed ? 4 : 5));
    case 'bool':
      return (s[at] as number) !== 0 ? 'true' : 'false';
    case 'pointer':
      return formatPointer(p, s[at] as number);
    case 'array': {
      const n = Math.min(t.length, 64);
      const size = Math.max(1, slots(t.of));
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(formatValue(p, s, at + i * size, t.of));
      return `[${items.join(', ')}${t.length > n ? ', ...' : ''}]`;
    }
    case 'struct': {
      if (t.tag === 'cpumask') return formatCpumask(p, s, at);
      const fields = (t.fields ?? []).map((f) => `${f.name}: ${formatValue(p, s, at + f.offset, f.type)}`);
      return `{ ${fields.join(', ')} }`;
    }
    default:
      return '';
  }
}

function slots(t: CType): number {
  if (t.kind === 'int') return t.bits === 64 ? 2 : 1;
  if (t.kind === 'array') return t.length * slots(t.of);
  if (t.kind === 'struct') return t.slots;
  return 1;
}

function formatCpumask(p: Program, s: Int32Array, at: number): string {
  const cpus: number[] = [];
  for (let c = 0; c < p.config.cpus; c++) if ((((s[at + (c >> 5)] as number) >>> (c & 31)) & 1) !== 0) cpus.push(c);
  return `{${cpus.join(',')}}`;
}

/** A pointer as `NULL`, `&name`, `&name+3`, a function name or a string. */
export function formatPointer(p: Program, v: number): string {
  if (v === 0) return 'NULL';
  if (v < 0) return hex(v);
  if ((v & FN_PTR_TAG) !== 0) return p.functions[v & TAG_MASK]?.name ?? hex(v);
  if ((v & STR_PTR_TAG) !== 0) return JSON.stringify(p.strings[v & TAG_MASK] ?? '');
  const g = p.globals.find((x) => v >= x.offset && v < x.offset + Math.max(1, x.slots));
  if (g !== undefined) return v === g.offset ? `&${g.name}` : `&${g.name}+${v - g.offset}`;
  const L = p.layout;
  if (v >= L.cpuBase0 && v < L.stateSlots) return `&(CPU${Math.floor((v - L.cpuBase0) / L.cpuSlots)} stack)`;
  return hex(v);
}

function variable(p: Program, s: Int32Array, base: number, v: VariableInfo): VariableView {
  return { name: v.name, type: typeName(v.type), value: formatValue(p, s, base + v.offset, v.type) };
}

function frames(p: Program, s: Int32Array, cb: number): FrameView[] {
  const out: FrameView[] = [];
  let fp = s[cb + Cpu.FP] as number;
  let pc = s[cb + Cpu.PC] as number;
  while (fp > 0) {
    const fn = s[fp + Frame.FN] as number;
    if (fn < 0) {
      out.push({ fn: fn === -FrameKind.NMI ? '[NMI]' : fn === -FrameKind.IRQ ? '[IRQ]' : '[exception]', file: '', line: 0, locals: [] });
    } else {
      const info = p.functions[fn - 1];
      const site = p.sites[p.pcSite[pc] ?? -1];
      out.push({
        fn: kernelApiName(info?.name ?? '?'),
        file: site?.file ?? '',
        line: site?.line ?? 0,
        locals: (info?.locals ?? []).filter((v) => !v.name.startsWith('<')).map((v) => variable(p, s, fp, v)),
      });
    }
    pc = Math.max(0, (s[fp + Frame.RET_PC] as number) - 1);
    fp = s[fp + Frame.PREV_FP] as number;
  }
  return out;
}

/** The whole machine state, as a reader wants it. */
export function viewState(p: Program, s: Int32Array): StateView {
  const L = p.layout;
  const cpus: CpuView[] = [];
  for (let c = 0; c < p.config.cpus; c++) {
    const cb = L.cpuBase0 + c * L.cpuSlots;
    const flags = s[cb + Cpu.FLAGS] as number;
    const nest = s[cb + Cpu.NEST] as number;
    const vectors = (field: number): string[] => {
      const out: string[] = [];
      if (highestVector(s, cb + field) < 0) return out;
      for (let v = 0; v < 256; v++) if (field === Cpu.IRR ? vectorRequested(s, cb, v) : (((s[cb + Cpu.ISR + (v >> 5)] as number) >>> (v & 31)) & 1) !== 0) out.push(hex(v));
      return out;
    };
    const msr = (s[cb + Cpu.MSR] as number) - 1;
    cpus.push({
      cpu: c,
      context: ((nest >> 16) & 0xff) !== 0 ? 'exception' : (nest & 0xff) !== 0 ? 'nmi' : ((nest >> 8) & 0xff) !== 0 ? 'irq' : (flags & CpuFlag.IDLE) !== 0 ? 'idle' : 'task',
      interruptsEnabled: (flags & CpuFlag.IF) !== 0,
      nmiBlocked: (flags & CpuFlag.NMI_BLOCKED) !== 0,
      nmiLatched: (flags & (CpuFlag.NMI_PENDING_MODEL | CpuFlag.NMI_PENDING_EXTERNAL)) !== 0,
      msrInFlight: msr >= 0 ? describe(s[cb + Cpu.MSR_KIND] as number, msr) : null,
      updatingMicrocode: updatingMicrocode(s, cb),
      irr: vectors(Cpu.IRR),
      isr: vectors(Cpu.ISR),
      frames: frames(p, s, cb),
    });
  }
  const fields = deviceFields(p);
  const devices: DeviceView[] = fields === null ? [] : p.devices.addresses.map((d, i) => {
    const target = messageTarget(p, s, d, fields);
    return {
      name: p.devices.names[i] ?? `device ${i}`,
      words: { addressLo: hex(s[d + fields.addressLo] as number), addressHi: hex(s[d + fields.addressHi] as number), data: hex(s[d + fields.data] as number) },
      target: (s[d + fields.enabled] as number) === 0 ? 'not started' : target.cpu < 0 ? `no online CPU (vector ${hex(target.vector)})` : `CPU${target.cpu} vector ${hex(target.vector)}`,
      masked: (s[d + fields.masked] as number) !== 0,
      pending: (s[d + fields.pending] as number) !== 0,
      raised: s[d + fields.raised] as number,
      unhandled: s[d + fields.unhandled] as number,
    };
  });
  return {
    globals: p.globals.filter((g) => g.isModel === true).map((g) => variable(p, s, 0, g)),
    cpus,
    devices,
    env: { nmisLeft: s[ENV_BASE + Env.NMIS_LEFT] as number, mainReturned: (s[ENV_BASE + Env.MAIN_DONE] as number) !== 0 },
  };
}
