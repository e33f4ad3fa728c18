/**
 * Turning a path the search found back into something a kernel developer
 * reads: replays the transitions from the initial state and records, for
 * each, who acted (a CPU or the environment), the source line, the context,
 * and what was printed; then explains the violation. Rare path: allocates.
 */
import { Cpu, CpuFlag, Env, ENV_BASE, Frame, NEST_EXC_SHIFT, NEST_FIELD_MASK, NEST_IRQ_SHIFT, NEST_NMI_SHIFT, type Program, type StatementSite } from '../compile/index.js';
import type { Finding } from '../check/index.js';
import { describe } from './msr.js';
import { findTimeout } from './time.js';
import { kernelApiName } from './kernel-names.js';
import { deliverableVector, vectorRequested } from './apic.js';
import { messageTarget } from './msi.js';
import { viewState, type StateView } from './state-view.js';
import { TransitionKind, transitionCpu, transitionKind, type MachineSystem } from './system.js';
import { isWarningKind, kindOfFinding, ViolationKind, violationKindName, type ViolationKindName } from './violation.js';

/** The execution context of a CPU at a step. */
export type ContextName = 'task' | 'irq' | 'nmi' | 'exception' | 'idle';

/** What a trace step is. */
export type StepEvent = 'step' | 'nmi-taken' | 'irq-taken' | 'wake' | 'external-nmi' | 'device-raise' | 'time-passes' | 'early-timeout';

/** One step of a trace. `cpu` is null for the environment's steps. */
export interface TraceStep {
  readonly index: number;
  readonly cpu: number | null;
  readonly event: StepEvent;
  readonly context: ContextName;
  /** Nesting depth of interrupt contexts (0 in task context). */
  readonly depth: number;
  readonly file: string;
  readonly line: number;
  /** The source line, trimmed (or a description for hardware events). */
  readonly text: string;
  /** The model function the line is in. */
  readonly fn: string;
  /** What else happened: an NMI taken, a line printed, time passing. */
  readonly note: string | null;
  /** The transition id, for replay. */
  readonly transition: number;
}

/** A violation (or warning) explained, with its trace. */
export interface Violation {
  readonly kind: ViolationKindName;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly cpu: number | null;
  readonly location: { readonly file: string; readonly line: number };
  readonly trace: readonly TraceStep[];
  /** The path as transition ids (the replay token's choices). */
  readonly path: readonly number[];
  /** With `withStates`: the machine state before the first step (index 0) and after each step. */
  readonly states?: readonly StateView[];
}

export interface RebuildOptions {
  /** Record the whole machine state after each step (for trace files and the HTML viewer). */
  readonly withStates?: boolean;
}

const contextOf = (s: Int32Array, cb: number): ContextName => {
  const nest = s[cb + Cpu.NEST] as number;
  // An exception (#BP) is always the innermost context here.
  if (((nest >> NEST_EXC_SHIFT) & NEST_FIELD_MASK) !== 0) return 'exception';
  if (((nest >> NEST_NMI_SHIFT) & NEST_FIELD_MASK) !== 0) return 'nmi';
  if (((nest >> NEST_IRQ_SHIFT) & NEST_FIELD_MASK) !== 0) return 'irq';
  return ((s[cb + Cpu.FLAGS] as number) & CpuFlag.IDLE) !== 0 ? 'idle' : 'task';
};

const depthOf = (s: Int32Array, cb: number): number => {
  const nest = s[cb + Cpu.NEST] as number;
  return (nest & 0xff) + ((nest >> 8) & 0xff) + ((nest >> 16) & 0xff);
};

/** The site to show for a CPU at `pc`: the model's own line (a kernel function shows its caller's). */
export function displaySite(p: Program, s: Int32Array, c: number, site: number): { site: StatementSite | null; via: string | null } {
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  let current = p.sites[site] ?? null;
  let fp = s[cb + Cpu.FP] as number;
  let via: string | null = null;
  // Walk out of kernel (prelude) frames to the innermost model frame's call site.
  while (current !== null && fp > 0) {
    const fn = p.functions[(s[fp + Frame.FN] as number) - 1];
    if (fn === undefined || fn.isModel) break;
    via ??= fn.name;
    const retPc = s[fp + Frame.RET_PC] as number;
    const caller = s[fp + Frame.PREV_FP] as number;
    const callerFn = caller > 0 ? p.functions[(s[caller + Frame.FN] as number) - 1] : undefined;
    if (callerFn === undefined) break;
    current = p.sites[p.pcSite[retPc - 1] ?? -1] ?? current;
    fp = caller;
  }
  return { site: current, via };
}

/** Replays a finding and explains it. */
export function rebuildViolation(system: MachineSystem, finding: Finding, severity: 'error' | 'warning', options: RebuildOptions = {}): Violation {
  const p = system.program;
  const L = p.layout;
  const vm = system.vm;
  const s = new Int32Array(system.stateSlots);
  system.writeInitialState(s);
  const steps: TraceStep[] = [];
  const states: StateView[] | undefined = options.withStates === true ? [viewState(p, s)] : undefined;
  let detail = '';
  let violationSite: StatementSite | null = null;
  let violationCpu: number | null = null;
  const path = [...finding.path];
  for (let i = 0; i < path.length; i++) {
    const t = path[i] as number;
    const c = transitionCpu(t);
    const cb = L.cpuBase0 + c * L.cpuSlots;
    const kind = transitionKind(t);
    const before = Int32Array.from(s);
    const context = contextOf(s, cb);
    const depth = depthOf(s, cb);
    vm.beginTrace(s, cb);
    const ok = system.apply(s, t);
    vm.tracing = false;
    if (!ok) throw new Error(`irqcheck bug: trace transition ${t} not enabled at step ${i + 1}`);
    const isLast = i === path.length - 1;
    if (isLast && finding.transition >= 0 && vm.violation !== 0) {
      detail = vm.detail;
      violationCpu = c;
      const vsite = p.pcSite[vm.violationPc] ?? -1;
      violationSite = displaySite(p, s, c, vsite).site;
    }
    if (isLast && severity === 'warning' && isWarningKind(kindOfFinding(finding.code))) {
      detail = vm.detail;
      violationCpu = c;
      violationSite = displaySite(p, before, c, vm.warningSite).site;
    }
    steps.push(describeStep(system, before, s, t, i + 1, context, depth, vm.stepModelSite, vm.stepKernelFn, vm.stepSite, vm.log ?? []));
    states?.push(viewState(p, s));
    if (kind === TransitionKind.TIME) {
      detail = timeoutMessage(system, before, c, s);
      violationCpu = c;
      violationSite = displaySite(p, s, c, p.pcSite[s[cb + Cpu.PC] as number] ?? -1).site;
    }
  }
  const kind = kindOfFinding(finding.code);
  if (finding.transition < 0 && kind === ViolationKind.LOST_INTERRUPT) {
    const d = system.lostInterrupt(s);
    const name = p.devices.names[d] ?? 'a device';
    const f = system.vm.devices;
    const raised = f === null ? 0 : (s[(p.devices.addresses[d] as number) + f.raised] as number);
    const raises = path.map((t, i) => (transitionKind(t) === TransitionKind.DEVICE_RAISE && transitionCpu(t) === d ? i + 1 : -1)).filter((i) => i > 0);
    detail = `${name} raised an interrupt (step ${raises[raises.length - 1] ?? '?'}) and its handler never ran after it: the run ended with the device's work pending (${raised} raised in all)`;
    violationCpu = null;
    const decl = p.devices.locs[d];
    violationSite = decl === undefined ? null : { ...decl, text: '', fn: '' };
  }
  if (finding.transition < 0 && kind === ViolationKind.DEADLOCK) {
    const explained = deadlockMessage(system, s);
    detail = explained.message;
    violationCpu = explained.cpu;
    violationSite = explained.site;
  }
  // A violation inside kernel code with no model caller (an unknown NMI in the NMI entry) is
  // located at the last model line the trace ran, which is where the reader should look.
  const isKernelSite = (x: StatementSite | null): boolean => x === null || !p.functions.some((f) => f.isModel && f.name === x.fn) && x.file !== p.file;
  const lastModelStep = [...steps].reverse().find((t) => t.file === p.file && t.line > 0);
  const site = !isKernelSite(violationSite) ? violationSite
    : lastModelStep !== undefined ? { file: lastModelStep.file, line: lastModelStep.line, col: 1, text: lastModelStep.text, fn: lastModelStep.fn }
    : violationSite ?? p.sites[0] ?? null;
  return {
    kind: violationKindName(kind),
    severity,
    message: detail,
    cpu: violationCpu,
    location: { file: site?.file ?? p.file, line: site?.line ?? 1 },
    trace: steps,
    path,
    ...(states === undefined ? {} : { states }),
  };
}

function describeStep(system: MachineSystem, before: Int32Array, after: Int32Array, t: number, index: number, context: ContextName, depth: number, stepSite: number, kernelFn: string | null, kernelSite: number, log: readonly string[]): TraceStep {
  const p = system.program;
  const L = p.layout;
  const c = transitionCpu(t);
  const cb = L.cpuBase0 + c * L.cpuSlots;
  const base = { index, transition: t, depth };
  const where = (s: Int32Array, site: number): { file: string; line: number; text: string; fn: string } => {
    const d = displaySite(p, s, c, site);
    return { file: d.site?.file ?? p.file, line: d.site?.line ?? 0, text: d.site?.text ?? '', fn: d.site?.fn ?? '' };
  };
  switch (transitionKind(t)) {
    case TransitionKind.STEP: {
      const site = p.sites[stepSite];
      // A step of its own at a machine stub: the IRET ending a handler, or a task's exit.
      const pc = before[cb + Cpu.PC] as number;
      const stub = pc === p.entries.iretPc ? 'IRET' : pc === p.entries.taskExitPc ? 'returns' : '';
      const w = { file: site?.file ?? p.file, line: site?.line ?? 0, text: site?.text ?? stub, fn: site?.fn ?? '' };
      // Kernel code with no model caller (a stopper thread, the NMI entry) is labelled by its API.
      const notes: string[] = [];
      if (site !== undefined && !isModelFunction(p, site.fn)) w.text = `${kernelApiName(site.fn)}: ${site.text}`;
      else if (kernelFn !== null) notes.push(`${kernelApiName(kernelFn)}: ${p.sites[kernelSite]?.text ?? ''}`);
      notes.push(...log.map((l) => `printk: ${l}`));
      const msrBefore = (before[cb + Cpu.MSR] as number) - 1;
      const msrAfter = (after[cb + Cpu.MSR] as number) - 1;
      if (msrAfter >= 0 && msrBefore < 0) notes.push(`begins ${describe(after[cb + Cpu.MSR_KIND] as number, msrAfter)}`);
      if (msrBefore >= 0 && msrAfter < 0) notes.push(`ends ${describe(before[cb + Cpu.MSR_KIND] as number, msrBefore)}`);
      if (depthOf(after, cb) < depthOf(before, cb) && stub === '') notes.push('IRET');
      if (((after[cb + Cpu.FLAGS] as number) & CpuFlag.IDLE) !== 0 && context === 'task') {
        if (stub === '') notes.push('returns; CPU idle');
        else w.text = 'returns; CPU idle';
      }
      return { ...base, cpu: c, event: 'step', context, ...w, note: notes.length > 0 ? notes.join('; ') : null };
    }
    case TransitionKind.NMI: {
      const w = where(before, p.pcSite[before[cb + Cpu.PC] as number] ?? -1);
      const src = ((before[cb + Cpu.FLAGS] as number) & CpuFlag.NMI_PENDING_EXTERNAL) !== 0 ? 'external' : 'sent by the model';
      return { ...base, cpu: c, event: 'nmi-taken', context, ...w, text: `[NMI] taken (${src})`, note: w.line > 0 ? `interrupts ${w.fn}:${w.line}` : 'wakes it from the idle loop' };
    }
    case TransitionKind.IRQ: {
      const w = where(before, p.pcSite[before[cb + Cpu.PC] as number] ?? -1);
      const vector = deliverableVector(before, cb);
      return { ...base, cpu: c, event: 'irq-taken', context, ...w, text: `[IRQ] vector 0x${vector.toString(16)} taken`, note: w.line > 0 ? `interrupts ${w.fn}:${w.line}` : 'wakes it from the idle loop' };
    }
    case TransitionKind.DEVICE_RAISE: {
      const f = system.vm.devices;
      const name = p.devices.names[c] ?? `device ${c}`;
      let note = '';
      if (f !== null) {
        const d = p.devices.addresses[c] as number;
        const target = messageTarget(p, before, d, f);
        const vec = `0x${target.vector.toString(16)}`;
        note = (before[d + f.masked] as number) !== 0 ? 'masked: held pending until unmasked'
          : target.cpu < 0 ? `message names no online CPU (vector ${vec}): lost`
          : `message -> CPU${target.cpu} vector ${vec}`;
      }
      const decl = p.devices.locs[c];
      return { ...base, cpu: null, event: 'device-raise', context, file: decl?.file ?? p.file, line: decl?.line ?? 0, text: `${name} raises`, fn: '', note };
    }
    case TransitionKind.WAKE: {
      const fn = p.functions[(before[cb + Cpu.WORK] as number) - 1]?.name ?? '?';
      return { ...base, cpu: c, event: 'wake', context, file: p.file, line: 0, text: `wakes: ${kernelApiName(fn)} thread`, fn, note: null };
    }
    case TransitionKind.EXTERNAL_NMI: {
      const taken = depthOf(after, cb) > depthOf(before, cb);
      return { ...base, cpu: null, event: 'external-nmi', context, file: p.file, line: 0, text: `NMI -> CPU${c}`, fn: '', note: taken ? `CPU${c} enters its NMI handler` : `latched: CPU${c} cannot take it yet` };
    }
    case TransitionKind.TIME:
    case TransitionKind.EARLY_TIMEOUT:
      return { ...base, cpu: null, event: transitionKind(t) === TransitionKind.TIME ? 'time-passes' : 'early-timeout', context, file: p.file, line: 0, text: `time passes: CPU${c}'s wait runs out`, fn: '', note: null };
    default:
      throw new Error(`irqcheck bug: transition ${t}`);
  }
}

function isModelFunction(p: Program, name: string): boolean {
  return p.functions.some((f) => f.name === name && f.isModel);
}

/**
 * The statement a waiting CPU keeps re-reading: one traced step from `s`
 * runs around the loop to the read that makes the step visible.
 */
function waitedOn(system: MachineSystem, s: Int32Array, c: number): { site: StatementSite | null; via: string | null } {
  const p = system.program;
  const vm = system.vm;
  const copy = Int32Array.from(s);
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  vm.beginTrace(s, cb);
  vm.step(copy, c);
  vm.tracing = false;
  return { site: p.sites[vm.stepModelSite] ?? null, via: vm.stepKernelFn };
}

/** The vectors requested in a CPU's IRR, for messages. */
function requested(s: Int32Array, cb: number): string | null {
  const vectors: string[] = [];
  for (let v = 0; v < 256; v++) if (vectorRequested(s, cb, v)) vectors.push(`0x${v.toString(16)}`);
  return vectors.length === 0 ? null : `vector ${vectors.join(', ')} requested in its IRR`;
}

/** What CPU c is doing in state s, for deadlock and timeout messages. */
export function describeCpu(system: MachineSystem, s: Int32Array, c: number): { text: string; site: StatementSite | null } {
  const p = system.program;
  const cb = p.layout.cpuBase0 + c * p.layout.cpuSlots;
  const flags = s[cb + Cpu.FLAGS] as number;
  const context = contextOf(s, cb);
  if (context === 'idle') return { text: `CPU${c} is idle`, site: null };
  const { site, via } = waitedOn(system, s, c);
  const where = site === null ? 'somewhere' : `${site.file}:${site.line} (${site.text})`;
  const state = [
    context === 'nmi' ? 'in NMI context' : context === 'irq' ? 'in IRQ context' : context === 'exception' ? 'in a #BP handler' : 'in task context',
    (flags & CpuFlag.IF) !== 0 ? 'interrupts on' : 'interrupts off',
    (flags & CpuFlag.NMI_BLOCKED) !== 0 ? 'NMIs blocked' : null,
    (flags & (CpuFlag.NMI_PENDING_MODEL | CpuFlag.NMI_PENDING_EXTERNAL)) !== 0 ? 'an NMI latched' : null,
    requested(s, cb),
  ].filter((x) => x !== null).join(', ');
  return { text: `CPU${c} waits at ${where}${via !== null ? ` in ${via}()` : ''}, ${state}`, site };
}

function deadlockMessage(system: MachineSystem, s: Int32Array): { message: string; cpu: number | null; site: StatementSite | null } {
  const lines: string[] = [];
  let cpu: number | null = null;
  let site: StatementSite | null = null;
  for (let c = 0; c < system.program.config.cpus; c++) {
    const d = describeCpu(system, s, c);
    lines.push(d.text);
    if (cpu === null && d.site !== null) {
      cpu = c;
      site = d.site;
    }
  }
  const mainDone = (s[ENV_BASE + Env.MAIN_DONE] as number) !== 0;
  return { message: `no CPU can make progress${mainDone ? '' : ' and main() has not returned'}:\n${lines.join('\n')}`, cpu, site };
}

function timeoutMessage(system: MachineSystem, before: Int32Array, c: number, after: Int32Array): string {
  const waiting = describeCpu(system, before, c).text.replace(/^CPU\d+ waits/, 'waited');
  const jump = findTimeout(system.vm, before, c);
  const others: string[] = [];
  for (let o = 0; o < system.program.config.cpus; o++) if (o !== c) others.push(describeCpu(system, before, o).text);
  void after;
  const waited = jump === null ? '' : ` after ${formatNs(jump.ns)} (${jump.iterations.toLocaleString('en-US')} iterations)`;
  return `CPU${c} timed out: it ${waiting}${waited}, while no other CPU could make progress:\n${others.join('\n')}`;
}

export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toPrecision(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toPrecision(3)} us`;
  return `${ns} ns`;
}
