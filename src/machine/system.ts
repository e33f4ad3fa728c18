/**
 * The model as a transition system for the search: which transitions are
 * enabled in a state (a CPU's step, an NMI taken, an idle CPU woken, an
 * external NMI arriving, time passing) and their successors; a deadlock or a
 * forced timeout when no CPU can make progress.
 *
 * Hot: `expand` runs for every state; it reuses one successor buffer and the
 * wait detector's scratch, and allocates nothing (violations aside).
 */
import { Cpu, CpuFlag, Env, ENV_BASE, type Program } from '../compile/index.js';
import type { EventBudget, StateSymmetry, SuccessorSink, TransitionSystem, WriteLog } from '../check/index.js';
import { arriveExternalNmi, cpuQuiet, deliverNmi, nmiDeliverable, startWork } from './cpu.js';
import { deliverableVector, pendingVectors, takeVector } from './apic.js';
import { canRaise, raise } from './msi.js';
import { findTimeout, type TimeoutJump } from './time.js';
import { findingCode, ViolationKind } from './violation.js';
import { StepFlag, Vm, type BuiltinFn } from './vm.js';
import { WaitDetector, Waiting, sameState } from './waiting.js';
import { PartialOrder, partialOrderUnavailable } from './partial-order.js';
import { PartOutcome, TransitionRecorder } from './transition-recall.js';

/** What `MachineSystem.expandCpu` tells: the sink asked to stop; the CPU can make progress (it does not only wait). */
export const CpuExpansion = {
  STOPPED: 1,
  PROGRESS: 2,
} as const;

/** Transition kinds; a transition id is `kind << 8 | cpu`. */
export const TransitionKind = {
  STEP: 0,
  NMI: 1,
  WAKE: 2,
  EXTERNAL_NMI: 3,
  TIME: 4,
  EARLY_TIMEOUT: 5,
  /** CPU takes its highest deliverable vector. */
  IRQ: 6,
  /** Device (the id's low byte is its index) raises an interrupt. */
  DEVICE_RAISE: 7,
} as const;

/** A transition id: kind in bits 8-15, CPU (or device) in bits 0-7, a step's branch in bits 16 up. */
export const transitionId = (kind: number, cpu: number, choice = 0): number => (choice << 16) | (kind << 8) | cpu;
export const transitionKind = (id: number): number => (id >> 8) & 0xff;
export const transitionCpu = (id: number): number => id & 0xff;
export const transitionChoice = (id: number): number => id >>> 16;

export interface MachineOptions {
  /** WARN_ON is a violation. */
  readonly strict: boolean;
  /** Offer partial-order reduction to the search (`--no-por` turns it off). */
  readonly partialOrder?: boolean;
  /** Countdown loops may time out at any point, not only when everything waits. */
  readonly spuriousTimeouts: boolean;
  /** Run steps through the compiled functions (step-compiler.ts); false: interpret the bytecode. Default true. */
  readonly compiledSteps?: boolean;
  /**
   * Check the machine's short cuts against what they stand for, and throw
   * on a difference (tests): the wait detector's against its solo runs,
   * the symmetry's against its assumption that stacks are zero above SP,
   * recalled transitions against fresh ones.
   */
  readonly verifyShortcuts?: boolean;
  /** Offer recalled transitions to the raw breadth-first search (see transition-recall.ts). Default true. */
  readonly recallTransitions?: boolean;
}

/** A program on the x86 machine, seen as a transition system. */
export class MachineSystem implements TransitionSystem {
  readonly stateSlots: number;
  readonly vm: Vm;
  /** Per CPU, after `expand`: 1 if it waits (spins in place, spins, or counts down), else 0. */
  readonly waitingCpus: Uint8Array;
  readonly reduction?: PartialOrder;
  /** Why partial-order reduction was asked for and is not offered, or null. */
  readonly reductionNote: string | null = null;
  /** Where each successor was written (the VM's log, opened by `fresh`). */
  readonly writes: WriteLog;
  /** Symmetry over cores, attached by the pipeline when the model has it (symmetry.ts). */
  symmetry?: StateSymmetry;
  /** The external NMIs that may still arrive: more of them can do all that fewer can. */
  readonly budget: EventBudget;
  readonly recall?: TransitionRecorder;
  /** Whether symmetry reduction is on, and why (not), for the report; null when it was not asked for. */
  symmetryNote: { readonly reduced: boolean; readonly note: string } | null = null;
  private readonly succ: Int32Array;
  private readonly waits: WaitDetector;
  private readonly timed: Uint8Array;
  private readonly cpus: number;

  constructor(
    readonly program: Program,
    builtins: readonly BuiltinFn[],
    private readonly writeBoot: (p: Program, s: Int32Array) => void,
    readonly options: MachineOptions,
  ) {
    this.vm = new Vm(program, builtins, options.compiledSteps !== false);
    this.writes = this.vm.writes;
    this.budget = { slot: ENV_BASE + Env.NMIS_LEFT, max: program.config.nmis };
    this.vm.strict = options.strict;
    this.stateSlots = program.layout.stateSlots;
    this.succ = new Int32Array(this.stateSlots);
    this.waits = new WaitDetector(this.vm, options.verifyShortcuts === true);
    this.cpus = program.config.cpus;
    this.timed = new Uint8Array(this.cpus);
    this.waitingCpus = new Uint8Array(this.cpus);
    if (options.partialOrder === true) {
      this.reductionNote = partialOrderUnavailable(program);
      if (this.reductionNote === null) this.reduction = new PartialOrder(this);
    }
    if (options.recallTransitions !== false) this.recall = this.recorder(options.verifyShortcuts === true);
  }

  /** The machine as `TransitionRecorder` sees it. */
  private recorder(verify: boolean): TransitionRecorder {
    const L = this.program.layout;
    const vm = this.vm;
    const recorder: TransitionRecorder = new TransitionRecorder(
      {
        cpus: this.cpus,
        cpuBase0: L.cpuBase0,
        cpuSlots: L.cpuSlots,
        writes: vm.writes,
        successorBuffer: this.succ,
        startExpansion: () => {
          vm.writes.startExpansion();
          vm.footprint = recorder.accesses;
        },
        expand: (s, sink) => this.expand(s, sink),
        expandCpu: (s, c, sink) => this.expandCpu(s, c, sink),
        outcomeOf: (c, expansion) =>
          ((expansion & CpuExpansion.PROGRESS) !== 0 ? PartOutcome.PROGRESS : 0) | (this.waitingCpus[c] !== 0 ? PartOutcome.WAITING : 0) | (this.timed[c] !== 0 ? PartOutcome.TIMED : 0),
        restoreOutcome: (c, outcome) => {
          this.waitingCpus[c] = (outcome & PartOutcome.WAITING) !== 0 ? 1 : 0;
          this.timed[c] = (outcome & PartOutcome.TIMED) !== 0 ? 1 : 0;
          return (outcome & PartOutcome.PROGRESS) !== 0 ? CpuExpansion.PROGRESS : 0;
        },
        expandEnvironment: (s, sink, stuck) => this.expandEnvironment(s, sink, -1, -1, stuck),
      },
      verify,
    );
    return recorder;
  }

  writeInitialState(out: Int32Array): void {
    const p = this.program;
    const L = p.layout;
    out.fill(0);
    out[ENV_BASE + Env.NMIS_LEFT] = p.config.nmis;
    out.set(p.initialGlobals, L.globalsBase);
    this.writeBoot(p, out);
    for (let c = 0; c < this.cpus; c++) {
      const cb = L.cpuBase0 + c * L.cpuSlots;
      const stack = cb + Cpu.SLOTS;
      out[cb + Cpu.SP] = stack;
      if (c === 0) {
        // CPU 0 runs main() in task context with interrupts on.
        const main = p.functions[p.entries.main];
        if (main === undefined) throw new Error('irqcheck bug: no main');
        out[stack] = main.index + 1;
        out[stack + 1] = p.entries.taskExitPc;
        out[cb + Cpu.FP] = stack;
        out[cb + Cpu.SP] = stack + main.frameSlots;
        out[cb + Cpu.PC] = main.entry;
        out[cb + Cpu.FLAGS] = CpuFlag.IF;
      } else {
        out[cb + Cpu.PC] = p.entries.idlePc;
        out[cb + Cpu.FLAGS] = CpuFlag.IF | CpuFlag.IDLE;
      }
    }
  }

  expand(s: Int32Array, sink: SuccessorSink): void {
    this.vm.writes.startExpansion();
    let stuck = true;
    for (let c = 0; c < this.cpus; c++) {
      const outcome = this.expandCpu(s, c, sink);
      if ((outcome & CpuExpansion.STOPPED) !== 0) return;
      if ((outcome & CpuExpansion.PROGRESS) !== 0) stuck = false;
    }
    this.expandEnvironment(s, sink, -1, -1, stuck);
  }

  /**
   * CPU c's own transitions: an NMI or a vector taken, a wake-up, its step
   * (or steps, when a fetch branches), and with `--spurious-timeouts` its
   * countdown's early end. Sets `waitingCpus[c]` and whether it counts down.
   * Returns `CpuExpansion` bits.
   */
  expandCpu(s: Int32Array, c: number, sink: SuccessorSink): number {
    const L = this.program.layout;
    const vm = this.vm;
    const succ = this.succ;
    const cb = L.cpuBase0 + c * L.cpuSlots;
    const flags = s[cb + Cpu.FLAGS] as number;
    let progress = 0;
    this.timed[c] = 0;
    this.waitingCpus[c] = 0;
    if (nmiDeliverable(flags, s[cb + Cpu.MSR] as number)) {
      progress = CpuExpansion.PROGRESS;
      this.fresh(s);
      if (!deliverNmi(vm, succ, c)) {
        if (!sink.violation(transitionId(TransitionKind.NMI, c), vm.violation)) return CpuExpansion.STOPPED;
      } else if (!sink.successor(succ, transitionId(TransitionKind.NMI, c))) return CpuExpansion.STOPPED;
    }
    const vector = deliverableVector(s, cb);
    if (vector >= 0) {
      progress = CpuExpansion.PROGRESS;
      this.fresh(s);
      const id = transitionId(TransitionKind.IRQ, c);
      if (!takeVector(vm, succ, c, vector)) {
        if (!sink.violation(id, vm.violation)) return CpuExpansion.STOPPED;
      } else {
        if (vm.warning !== 0) sink.warning(id, findingCode(vm.warning, vm.warningKey));
        if (!sink.successor(succ, id)) return CpuExpansion.STOPPED;
      }
    }
    if ((flags & CpuFlag.IDLE) !== 0) {
      if ((s[cb + Cpu.WORK] as number) !== 0) {
        this.fresh(s);
        startWork(vm, succ, c);
        if (!sink.successor(succ, transitionId(TransitionKind.WAKE, c))) return CpuExpansion.STOPPED;
        return CpuExpansion.PROGRESS;
      }
      return progress;
    }
    // The CPU's step; a step that fetches a patched instruction may branch.
    let branches = 1;
    for (let k = 0; k < branches; k++) {
      this.fresh(s);
      vm.choice = k;
      const stepFlags = vm.step(succ, c);
      vm.choice = 0;
      if (k === 0 && vm.choices > 1) branches = vm.choices;
      const id = transitionId(TransitionKind.STEP, c, k);
      if ((stepFlags & StepFlag.VIOLATION) !== 0) {
        progress = CpuExpansion.PROGRESS;
        if (!sink.violation(id, findingCode(vm.violation, 0))) return CpuExpansion.STOPPED;
        continue;
      }
      if ((stepFlags & StepFlag.WARNING) !== 0) sink.warning(id, findingCode(vm.warning, vm.warningKey));
      if ((stepFlags & StepFlag.WRITE) === 0 && branches === 1) {
        // Equal states have equal pcs: most steps move the pc, and the compare stops there.
        if (succ[cb + Cpu.PC] === s[cb + Cpu.PC] && sameState(vm.writes, succ, s)) {
          this.waitingCpus[c] = 1;
          continue; // spinning in place: a self-loop
        }
        const waiting = this.waits.classify(s, succ, c, vm.delayed);
        if (waiting !== Waiting.NONE) this.waitingCpus[c] = 1;
        if (waiting === Waiting.TIMED) {
          // Counting down: only when time passes (see expandEnvironment), or early if asked.
          this.timed[c] = 1;
          if (this.options.spuriousTimeouts) {
            const jump = findTimeout(vm, s, c);
            if (jump !== null && !sink.successor(jump.state, transitionId(TransitionKind.EARLY_TIMEOUT, c))) return CpuExpansion.STOPPED;
          }
          continue;
        }
        if (waiting === Waiting.NONE) progress = CpuExpansion.PROGRESS;
      } else {
        progress = CpuExpansion.PROGRESS;
      }
      if (!sink.successor(succ, id)) return CpuExpansion.STOPPED;
    }
    return progress;
  }

  /** The successor buffer, a copy of `s` whose writes the log follows from here. */
  private fresh(s: Int32Array): void {
    this.succ.set(s);
    this.vm.writes.begin(this.succ);
  }

  /**
   * What is no CPU's own doing: external NMIs arriving (at the CPUs of
   * `cpus`, a mask; -1 for all), devices raising (those of `devices`, a
   * mask by index; -1 for all), and — when `stuck`, after
   * every CPU was expanded and none can make progress — the end of the run:
   * finished (or a lost interrupt), a countdown running out, or a deadlock.
   */
  expandEnvironment(s: Int32Array, sink: SuccessorSink, cpus: number, devices: number, stuck: boolean): void {
    const vm = this.vm;
    const succ = this.succ;
    if ((s[ENV_BASE + Env.NMIS_LEFT] as number) > 0) {
      for (let c = 0; c < this.cpus; c++) {
        if (((cpus >>> c) & 1) === 0) continue;
        this.fresh(s);
        const id = transitionId(TransitionKind.EXTERNAL_NMI, c);
        if (!arriveExternalNmi(vm, succ, c)) {
          if (!sink.violation(id, vm.violation)) return;
        } else if (!sink.successor(succ, id)) return;
      }
    }
    const f = vm.devices;
    if (f !== null) {
      const addresses = this.program.devices.addresses;
      for (let i = 0; i < addresses.length; i++) {
        const d = addresses[i] as number;
        if (((devices >>> i) & 1) === 0 || !canRaise(s, d, f)) continue;
        this.fresh(s);
        raise(vm.writes, this.program, succ, d, f);
        if (!sink.successor(succ, transitionId(TransitionKind.DEVICE_RAISE, i))) return;
      }
    }
    if (stuck) {
      if (this.finished(s)) {
        if (this.lostInterrupt(s) >= 0) sink.violation(-1, ViolationKind.LOST_INTERRUPT);
        return;
      }
      let timed = false;
      for (let c = 0; c < this.cpus; c++) if (this.timed[c] !== 0) timed = true;
      const first = timed ? this.firstTimeout(s) : null;
      if (first !== null) sink.violation(transitionId(TransitionKind.TIME, first.cpu), ViolationKind.TIMEOUT);
      else sink.violation(-1, ViolationKind.DEADLOCK);
    }
  }

  apply(state: Int32Array, transition: number): boolean {
    const c = transitionCpu(transition);
    const L = this.program.layout;
    const cb = L.cpuBase0 + c * L.cpuSlots;
    const vm = this.vm;
    vm.violation = 0;
    switch (transitionKind(transition)) {
      case TransitionKind.STEP: {
        if (((state[cb + Cpu.FLAGS] as number) & CpuFlag.IDLE) !== 0) return false;
        vm.choice = transitionChoice(transition);
        vm.step(state, c);
        vm.choice = 0;
        return transitionChoice(transition) === 0 || transitionChoice(transition) < vm.choices;
      }
      case TransitionKind.NMI:
        if (!nmiDeliverable(state[cb + Cpu.FLAGS] as number, state[cb + Cpu.MSR] as number)) return false;
        deliverNmi(vm, state, c);
        return true;
      case TransitionKind.WAKE:
        if ((state[cb + Cpu.WORK] as number) === 0) return false;
        startWork(vm, state, c);
        return true;
      case TransitionKind.EXTERNAL_NMI:
        if ((state[ENV_BASE + Env.NMIS_LEFT] as number) <= 0) return false;
        arriveExternalNmi(vm, state, c);
        return true;
      case TransitionKind.IRQ: {
        const vector = deliverableVector(state, cb);
        if (vector < 0) return false;
        takeVector(vm, state, c, vector);
        return true;
      }
      case TransitionKind.DEVICE_RAISE: {
        const f = vm.devices;
        const d = this.program.devices.addresses[c];
        if (f === null || d === undefined || !canRaise(state, d, f)) return false;
        raise(vm.writes, this.program, state, d, f);
        return true;
      }
      case TransitionKind.TIME:
      case TransitionKind.EARLY_TIMEOUT: {
        const jump = findTimeout(vm, state, c);
        if (jump === null) return false;
        state.set(jump.state);
        return true;
      }
      default:
        return false;
    }
  }

  /** Where time passing first ends a wait, when every CPU waits. Rare path. */
  firstTimeout(s: Int32Array): (TimeoutJump & { readonly cpu: number }) | null {
    let best: (TimeoutJump & { readonly cpu: number }) | null = null;
    for (let c = 0; c < this.cpus; c++) {
      if (this.timed[c] === 0) continue;
      const jump = findTimeout(this.vm, s, c);
      if (jump !== null && (best === null || jump.ns < best.ns)) best = { ...jump, cpu: c };
    }
    return best;
  }

  /** main has returned and every CPU is idle with nothing pending. */
  finished(s: Int32Array): boolean {
    if ((s[ENV_BASE + Env.MAIN_DONE] as number) === 0) return false;
    const L = this.program.layout;
    for (let c = 0; c < this.cpus; c++) {
      const cb = L.cpuBase0 + c * L.cpuSlots;
      if (!cpuQuiet(s, cb) || pendingVectors(s, cb)) return false;
    }
    return true;
  }

  /** The first device whose raised work no handler ran for, or -1. */
  lostInterrupt(s: Int32Array): number {
    const f = this.vm.devices;
    if (f === null) return -1;
    const devices = this.program.devices.addresses;
    for (let i = 0; i < devices.length; i++) if ((s[(devices[i] as number) + f.unhandled] as number) > 0) return i;
    return -1;
  }
}

