/**
 * The viewer's lanes and arrows for one trace.
 *
 * Lanes: one per CPU that acts, one per device that raises, and one for
 * the rest of the environment (external NMIs, time passing).
 *
 * Arrows join a send to its delivery. With the trace's machine states
 * (exact): a step after which some CPU's IRR holds a vector it did not
 * hold before (an IPI or an MSI) points to that CPU's next `irq-taken` of
 * that vector; a step after which a CPU has an NMI latched that it had not
 * (an NMI IPI, or an external NMI it cannot take yet) points to that CPU's
 * next `nmi-taken`. Without states, the step texts are read instead
 * (`message -> CPU1 vector 0x31`, `NMI -> CPU1`). An external NMI taken
 * at once points to the first step of its handler. A send never taken
 * before the trace ends gets an arrow to step 0.
 */
import type { StateView } from '../machine/index.js';
import type { TraceFileStep } from './trace-file.js';

/** A lane of the timeline. */
export interface Lane {
  readonly id: string;
  readonly label: string;
  readonly kind: 'cpu' | 'device' | 'env';
}

/**
 * An arrow from step `from` to step `to` (1-based step numbers) in lane
 * `lane`; `to` is 0 when the trace ends before the target takes it (an IPI
 * to a CPU with interrupts off, in a deadlock).
 */
export interface Arrow {
  readonly from: number;
  readonly to: number;
  readonly lane: string;
  readonly label: string;
}

const DEVICE_TEXT = /^(.*) raises$/;
const MESSAGE_NOTE = /message -> CPU(\d+) vector (0x[0-9a-f]+)/;
const NMI_TEXT = /^NMI -> CPU(\d+)$/;

/** The lane a step belongs to. */
export function laneOf(s: TraceFileStep): string {
  if (s.cpu !== null) return `cpu${s.cpu}`;
  if (s.event === 'device-raise') return `device:${DEVICE_TEXT.exec(s.text)?.[1] ?? s.text}`;
  return 'env';
}

/** The lanes of a trace, CPUs in number order, then devices in order of first raise, then the environment. */
export function lanesOf(trace: readonly TraceFileStep[]): Lane[] {
  const cpus = [...new Set(trace.flatMap((s) => (s.cpu === null ? [] : [s.cpu])))].sort((a, b) => a - b);
  const lanes: Lane[] = cpus.map((c) => ({ id: `cpu${c}`, label: `CPU${c}`, kind: 'cpu' }));
  const devices = [...new Set(trace.filter((s) => s.event === 'device-raise').map(laneOf))];
  for (const d of devices) lanes.push({ id: d, label: d.slice('device:'.length), kind: 'device' });
  if (trace.some((s) => s.cpu === null && s.event !== 'device-raise')) lanes.push({ id: 'env', label: 'environment', kind: 'env' });
  return lanes;
}

/** The first step after position `k` (0-based) of CPU `cpu` that `accepts`; its 1-based number, or -1. */
function nextOf(trace: readonly TraceFileStep[], k: number, cpu: number, accepts: (s: TraceFileStep) => boolean): number {
  for (let j = k + 1; j < trace.length; j++) {
    const s = trace[j] as TraceFileStep;
    if (s.cpu === cpu && accepts(s)) return s.step;
  }
  return -1;
}

const takesVector = (vector: string) => (s: TraceFileStep): boolean => s.event === 'irq-taken' && s.text.includes(`vector ${vector} `);
const takesNmi = (s: TraceFileStep): boolean => s.event === 'nmi-taken';

/** Arrows from sends to deliveries; `states` (index 0 before step 1) make them exact. */
export function arrowsOf(trace: readonly TraceFileStep[], states: readonly StateView[]): Arrow[] {
  const arrows: Arrow[] = [];
  const add = (from: number, to: number, cpu: number, label: string): void => {
    const at = Math.max(0, to);
    if (!arrows.some((a) => a.from === from && a.to === at && a.lane === `cpu${cpu}`)) arrows.push({ from, to: at, lane: `cpu${cpu}`, label: at === 0 ? `${label}, never taken` : label });
  };
  trace.forEach((s, k) => {
    const kind = s.event === 'device-raise' ? 'MSI' : s.cpu === null ? 'NMI' : 'IPI';
    const nmi = s.event === 'external-nmi' ? NMI_TEXT.exec(s.text) : null;
    if (nmi !== null) {
      const target = Number(nmi[1]);
      const takenAtOnce = s.note?.includes('enters its NMI handler') === true;
      add(s.step, nextOf(trace, k, target, takenAtOnce ? () => true : takesNmi), target, `external NMI -> CPU${target}`);
      return;
    }
    const before = states[k];
    const after = states[k + 1];
    if (before === undefined || after === undefined) {
      const msg = s.note === null ? null : MESSAGE_NOTE.exec(s.note);
      if (msg !== null) add(s.step, nextOf(trace, k, Number(msg[1]), takesVector(msg[2] as string)), Number(msg[1]), `MSI vector ${msg[2]} -> CPU${msg[1]}`);
      return;
    }
    after.cpus.forEach((c, b) => {
      const was = before.cpus[b];
      if (was === undefined) return;
      for (const v of c.irr) if (!was.irr.includes(v)) add(s.step, nextOf(trace, k, b, takesVector(v)), b, `${kind} vector ${v} -> CPU${b}`);
      if (c.nmiLatched && !was.nmiLatched) add(s.step, nextOf(trace, k, b, takesNmi), b, `NMI -> CPU${b}`);
    });
  });
  return arrows;
}
