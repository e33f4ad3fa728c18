/**
 * Partial-order reduction (DESIGN §6): from a state, emit only the
 * transitions of a set P of CPUs whose transitions no CPU outside P can
 * affect or observe before one of them is taken — a persistent set, in
 * Godefroid's sense, built per process as stubborn sets are.
 *
 * Who can affect whom comes from an assumption A about the whole state
 * space: for every slot, which statements read or write it on which CPU
 * (other than the CPU whose registers or stack it is). CPU d may still
 * access a slot if one of those statements is in its future (the statements
 * it can still reach, see future-sites.ts). A transition of P conflicts with
 * CPU d if it writes a slot d may still access, reads a slot d may still
 * write, or touches d's registers or stack; P is closed under conflicts.
 * A is not computed ahead (which would need a points-to analysis of kernel
 * C, and could not tell `ucode_hold_state[cpu]` on CPU 1 from CPU 3): it is
 * observed. Every transition executed records what it touched (random
 * runs learn most of A before the search); an access A did not allow
 * invalidates the run, and the search starts over with A enlarged. If A is
 * wrong, some transition that breaks it is taken in the reduced graph too —
 * before the first access that breaks A, the reduction is a correct
 * reduction of a system in which A holds, and such reductions take every
 * local event, that access included — so a run that ends without
 * invalidation explored a persistent reduction under the true relation.
 * That is also why only the CPUs the choice of P needs are executed: the
 * others' transitions are observed where they are taken.
 *
 * External NMIs share one budget; arrivals at different CPUs are
 * independent whenever both remain possible (the budget only counts), so
 * the budget is not a conflict (the stubborn-set condition only asks for
 * commutation when both orders exist). A state where no CPU makes progress
 * is expanded fully (deadlocks and timeouts are decided on full expansions).
 *
 * MSI devices are processes of their own (bits after the CPUs' in a set):
 * a raise reads the device's message, mask and budget, writes its counters
 * and sets a bit in the target CPU's IRR, which enables that CPU's
 * interrupt. So a device that can still raise conflicts with the CPUs that
 * may still write what it reads or touch what it writes, with every CPU
 * that reads another CPU's IRR, and with the CPUs its message may name:
 * the one it names now, or all while some CPU may still rewrite it. Its
 * raises are taken only from sets that hold it (or full expansions).
 *
 * The proviso that no transition is postponed forever is the explorer's:
 * see `PartialOrderReduction` in check/.
 */
import { APIC_VECTOR_WORDS, builtinId, Cpu, CpuFlag, ENV_BASE, Env, Op, OPERANDS, type Program } from '../compile/index.js';
import { arriveExternalNmi, deliverNmi } from './cpu.js';
import type { PartialOrderReduction, SuccessorSink } from '../check/index.js';
import { Footprint } from './footprint.js';
import { functionCode } from './function-code.js';
import { belowRaiseBudget, deviceSlots, messageCpu, type DeviceFields } from './msi.js';
import { FutureSites } from './future-sites.js';
import type { MachineSystem } from './system.js';
import { CpuExpansion, TransitionKind, transitionChoice, transitionCpu, transitionKind } from './system.js';
import { StepFlag } from './vm.js';
import { SavedSuccessors } from './write-log.js';

/** Where a slot accessed by a CPU goes under each permutation of a symmetry (symmetry.ts). */
export interface SlotImages {
  imagesOf(slot: number, cpu: number, emit: (slot: number, cpu: number) => void): void;
}

/**
 * Registers read by other CPUs whose every access, the owner's included, is
 * recorded: they are shared slots of A like globals, so reading a sibling's
 * MSR access in flight or its microcode state depends only on the
 * statements that can still write them, not on every step of the owner.
 * Only the owner writes MSR and MSR_KIND (its unrecorded reads of them
 * cannot conflict); UCODE is written by updates of the core's threads, and
 * every access to it is recorded.
 */
function sharedRegister(offset: number): boolean {
  return offset === Cpu.MSR || offset === Cpu.MSR_KIND || offset === Cpu.UCODE;
}

/** Steps an external NMI's handler may take alone before its arrival is taken as it comes (see `arrivalCanWait`). */
const HANDLER_STEP_LIMIT = 64;

/** Random runs that learn the access relation before the search, and their length. */
const WARM_UP_WALKS = 64;
const WARM_UP_DEPTH = 4096;

/** CPUs beyond which the per-slot CPU sets (32-bit masks) cannot represent them: no reduction. */
export const MAX_REDUCED_CPUS = 32;

/** Why a model gets no partial-order reduction, or null if it gets it. */
export function partialOrderUnavailable(program: Program): string | null {
  const processes = program.config.cpus + program.devices.addresses.length;
  if (processes > MAX_REDUCED_CPUS) return `no partial-order reduction above ${MAX_REDUCED_CPUS} CPUs and MSI devices together`;
  return null;
}

/** How a device's raise uses a slot of its struct: bits of `deviceRole`. */
const RaiseReads = 1;
const RaiseWrites = 2;

export class PartialOrder implements PartialOrderReduction, SuccessorSink {
  invalidated = false;
  restarts = 0;
  private warmedUp = false;
  private images: SlotImages | null = null;

  private readonly footprint = new Footprint();
  private readonly future: FutureSites;
  private readonly slots: number;
  private readonly cpus: number;
  private readonly cpuBase0: number;
  private readonly cpuSlots: number;
  private readonly sites: number;
  /** A, as keys (see `key`), and what the run observed beyond it. */
  private readonly assumed = new Set<number>();
  private readonly observed = new Set<number>();
  /** A by slot (compressed rows): the statement, CPU and write bit of each access. */
  private rowStart: Int32Array;
  private rowSite: Int32Array;
  private rowCpu: Int32Array;
  private rowWrite: Uint8Array;
  /** Per row: 1 if the access is a barrier's (see `barrierAccesses`). */
  private rowBarrier: Uint8Array;
  /** Per pc: 1 where the kernel arrives at or reads a barrier. */
  private readonly barrierPc: Uint8Array;
  private rowSlot: Int32Array;
  /** Per CPU, the rows of A about its own registers and stack (accesses by other CPUs). */
  private regionRows: Int32Array[];

  /** The buffered expansion: successor states (each with the write log that made it), their transitions. */
  private readonly states: SavedSuccessors;
  /**
   * `accessors`' answers, by slot and kind of access, for this expansion:
   * valid where `accessorsEpoch` equals `epoch`, which moves on whenever
   * the futures, the live devices or the relation change.
   */
  private readonly accessorsMask: Int32Array;
  private readonly accessorsEpoch: Int32Array;
  private epoch = 1;
  /** `conflictsOf`'s answers by CPU, valid where `conflictsEpoch` equals `epoch` (each seed tried asks again about the CPUs it pulls in). */
  private readonly conflictsMask: Int32Array;
  private readonly conflictsEpoch: Int32Array;
  private transitions: Int32Array;
  private count = 0;
  private sink: SuccessorSink | null = null;
  private stopped = false;
  /** CPUs executed for the state being expanded, and whether none of them makes progress. */
  private executed = 0;
  private stuck = true;
  /** Whether `future` holds the futures of the state being expanded. */
  private futuresWritten = false;
  /** Per executed CPU: whether it has a key transition, and one other than a step (an interrupt taken, a wake-up, an arrival). */
  private readonly keyOf: Uint8Array;
  private readonly entersOf: Uint8Array;
  /** Per executed CPU: whether it takes an interrupt or wakes up (a transition other than a step). */
  private readonly takesOf: Uint8Array;
  /** Per executed CPU: its buffered transitions, [firstOf, firstOf + transitionsOf). */
  private readonly firstOf: Int32Array;
  private readonly transitionsOf: Int32Array;
  /** Where an external NMI's handler is run alone to see whether its arrival can wait (see `arrivalCanWait`). */
  private readonly scratch: Int32Array;
  /** Per executed CPU: its entries in the footprint, [from, to). */
  private readonly footprintFrom: Int32Array;
  private readonly footprintTo: Int32Array;
  /** The CPUs' bits of a set; a device's bit is `cpus + its index`. */
  private readonly cpuMask: number;
  /** The MSI devices' struct addresses and field offsets. */
  private readonly deviceAddresses: readonly number[];
  private readonly fields: DeviceFields | null;
  /** Per slot: the device whose struct holds it (-1 if none), and how a raise uses it (`RaiseReads`, `RaiseWrites`). */
  private readonly deviceOf: Int32Array;
  private readonly deviceRole: Uint8Array;
  /** The devices (bits by index) that may still raise in the state being expanded. */
  private liveDevices = 0;
  /** Of those, the ones whose message some CPU may still rewrite (written with the futures). */
  private retargetable = 0;

  constructor(private readonly system: MachineSystem) {
    const p = system.program;
    const L = p.layout;
    this.slots = L.stateSlots;
    this.cpus = L.cpus;
    this.cpuBase0 = L.cpuBase0;
    this.cpuSlots = L.cpuSlots;
    this.future = new FutureSites(p);
    this.sites = this.future.alwaysSite + 1;
    this.rowStart = new Int32Array(this.slots + 1);
    this.rowSite = new Int32Array(0);
    this.rowCpu = new Int32Array(0);
    this.rowWrite = new Uint8Array(0);
    this.rowBarrier = new Uint8Array(0);
    this.barrierPc = barrierAccesses(p);
    this.rowSlot = new Int32Array(0);
    this.regionRows = Array.from({ length: this.cpus }, () => new Int32Array(0));
    this.states = new SavedSuccessors(this.slots);
    this.accessorsMask = new Int32Array(4 * this.slots);
    this.accessorsEpoch = new Int32Array(4 * this.slots);
    this.conflictsMask = new Int32Array(this.cpus);
    this.conflictsEpoch = new Int32Array(this.cpus);
    this.transitions = new Int32Array(16);
    this.footprintFrom = new Int32Array(this.cpus);
    this.footprintTo = new Int32Array(this.cpus);
    this.keyOf = new Uint8Array(this.cpus);
    this.entersOf = new Uint8Array(this.cpus);
    this.takesOf = new Uint8Array(this.cpus);
    this.transitionsOf = new Int32Array(this.cpus);
    this.firstOf = new Int32Array(this.cpus);
    this.scratch = new Int32Array(this.slots);
    this.cpuMask = this.cpus >= 32 ? -1 : (1 << this.cpus) - 1;
    this.fields = system.vm.devices;
    this.deviceAddresses = p.devices.addresses;
    this.deviceOf = new Int32Array(this.slots).fill(-1);
    this.deviceRole = new Uint8Array(this.slots);
    const f = this.fields;
    if (f !== null) {
      this.deviceAddresses.forEach((d, i) => {
        this.deviceOf.fill(i, d, d + deviceSlots(f));
        for (const o of [f.enabled, f.raised, f.maxRaises, f.masked, f.addressLo, f.addressHi, f.data, f.addr64]) this.deviceRole[d + o] = RaiseReads;
        for (const o of [f.raised, f.unhandled, f.pending]) this.deviceRole[d + o] = (this.deviceRole[d + o] as number) | RaiseWrites;
      });
    }
  }

  /**
   * Under symmetry only canonical states are expanded, so what is observed
   * of one CPU holds for its images: A is closed under the group.
   */
  closeUnder(images: SlotImages): void {
    this.images = images;
  }

  restart(): void {
    // A grows monotonically: what was assumed stays assumed.
    for (const k of this.observed) this.assumed.add(k);
    this.observed.clear();
    this.buildRows();
    this.invalidated = false;
    this.restarts++;
  }

  /**
   * Executes the CPUs one at a time, and only as far as needed: each CPU
   * that makes progress is tried as the seed of P, whose conflicts pull in
   * (and execute) other CPUs; P is chosen as `chooseLazily` says.
   * CPUs outside P are not executed at all: their transitions are taken
   * later, from states where they are in P or expanded fully, and observed
   * there.
   */
  expandReduced(s: Int32Array, sink: SuccessorSink, lastMover: number): boolean {
    if (!this.warmedUp) this.warmUp(s);
    this.system.vm.writes.startExpansion();
    this.liveDevices = this.raisingDevices(s);
    this.epoch++;
    let reduced = false;
    this.beginRecording(sink);
    try {
      const chosen = this.chooseLazily(s, lastMover);
      for (let c = 0; chosen === 0 && c < this.cpus && !this.stopped; c++) this.execute(s, c);
      if (!this.stopped) reduced = this.emit(s, sink, chosen);
    } finally {
      this.endRecording();
    }
    this.observe();
    return !this.stopped && reduced;
  }

  processOf(transition: number): number {
    return transitionKind(transition) === TransitionKind.DEVICE_RAISE ? -1 : transitionCpu(transition);
  }

  /** Writes the CPUs' futures for the state being expanded, once. */
  private writeFutures(s: Int32Array): void {
    if (this.futuresWritten) return;
    this.future.update(s);
    this.epoch++;
    this.futuresWritten = true;
    this.retargetable = this.liveDevices === 0 ? 0 : this.retargetableDevices();
  }

  /** Starts an expansion: an empty buffer and footprint, the VM recording; violations and warnings go to `sink`. */
  private beginRecording(sink: SuccessorSink | null): void {
    this.footprint.clear();
    this.count = 0;
    this.sink = sink;
    this.stopped = false;
    this.executed = 0;
    this.stuck = true;
    this.futuresWritten = false;
    this.system.vm.footprint = this.footprint;
  }

  private endRecording(): void {
    this.system.vm.footprint = null;
    this.sink = null;
  }

  /**
   * Hands the buffered successors of the CPUs of `chosen` (all if 0) to
   * `sink`, then the environment's; whether that is less than the full
   * expansion. An NMI's delivery or an external NMI's arrival that can wait
   * is left out, in a full expansion too unless no CPU makes progress (see
   * `deliveryCanWait`, `arrivalCanWait`).
   */
  private emit(s: Int32Array, sink: SuccessorSink, chosen: number): boolean {
    const full = chosen === 0;
    let deferred = false;
    // CPUs whose latched NMI is delivered later.
    let held = 0;
    if (!(full && this.stuck)) {
      for (let c = 0; c < this.cpus; c++) {
        if ((full || ((chosen >>> c) & 1) !== 0) && (this.transitionsOf[c] as number) === 2) {
          this.writeFutures(s);
          if (this.deliveryCanWait(s, c)) held |= 1 << c;
        }
      }
      deferred = held !== 0;
    }
    for (let k = 0; k < this.count; k++) {
      const id = this.transitions[k] as number;
      const cpu = transitionCpu(id);
      if (!full && ((chosen >>> cpu) & 1) === 0) continue;
      if (((held >>> cpu) & 1) !== 0 && transitionKind(id) === TransitionKind.NMI) continue;
      if (!sink.successor(this.states.reopen(k, this.system.vm.writes), id)) {
        this.stopped = true;
        return false;
      }
    }
    let arrivals = full ? this.cpuMask : chosen & this.cpuMask;
    if (!(full && this.stuck) && (s[ENV_BASE + Env.NMIS_LEFT] as number) > 0) {
      this.writeFutures(s);
      for (let c = 0; c < this.cpus; c++) {
        if (((arrivals >>> c) & 1) !== 0 && this.arrivalCanWait(s, c)) {
          arrivals &= ~(1 << c);
          deferred = true;
        }
      }
    }
    const raises = full ? -1 : this.deviceAddresses.length === 0 ? 0 : chosen >>> this.cpus;
    this.system.expandEnvironment(s, sink, arrivals, raises, full && this.stuck);
    return !full || deferred;
  }

  /**
   * Whether an external NMI's arrival at CPU c (in the chosen set) may wait
   * until after c's next step t, as interrupt-aware reductions of
   * single-CPU programs do: an arrival now runs the handler H, then t.
   * (In an NMI handler, the arrival is only latched until the IRET.)
   * If H touches nothing any other CPU may still touch (so H commutes with
   * whatever they do meanwhile), t and H touch nothing one writes and the
   * other accesses, and t leaves c's NMI delivery as it was, then every run
   * that takes the NMI now is equivalent to one that takes t first and the
   * NMI right after; that run starts with a transition of the chosen set.
   * If c has no step (it waits, or is idle), the arrival is taken where c
   * next moves, or where the state is expanded in full with no CPU making
   * progress (or by the explorer's proviso).
   */
  private arrivalCanWait(s: Int32Array, c: number): boolean {
    const cb = this.cpuBase0 + c * this.cpuSlots;
    const own = this.transitionsOf[c] as number;
    if (own > 1) return false;
    const after = own === 1 ? this.stepOf(c) : s;
    if (after === null) return false;
    // Inside an NMI handler an arrival is only latched, a bit no step reads before the IRET: it may wait
    // past any step that stays in the handler.
    if (this.inNmi(s, c)) return this.inNmi(after, c) && after[cb + Cpu.NEST] === s[cb + Cpu.NEST];
    const pending = CpuFlag.NMI_PENDING_MODEL | CpuFlag.NMI_PENDING_EXTERNAL | CpuFlag.TRAP_PENDING;
    const blocking = own === 1 ? pending | CpuFlag.IDLE : pending;
    if (((s[cb + Cpu.FLAGS] as number) & blocking) !== 0 || (s[cb + Cpu.MSR] as number) !== 0) return false;
    if (((after[cb + Cpu.FLAGS] as number) & blocking) !== 0 || (after[cb + Cpu.MSR] as number) !== 0 || after[cb + Cpu.NEST] !== s[cb + Cpu.NEST]) return false;
    return this.handlerCommutes(s, c, after, true);
  }

  /**
   * Whether the delivery of the NMI latched on CPU c (in the chosen set) may
   * wait until after c's one step t, for the reasons of `arrivalCanWait`: t
   * must leave the NMI deliverable, and the handler commute with t and with
   * every other CPU. Then it is delivered from a later state of c, at the
   * latest where c has no step left (it waits, or is idle) or where the
   * explorer's proviso expands in full.
   */
  private deliveryCanWait(s: Int32Array, c: number): boolean {
    const cb = this.cpuBase0 + c * this.cpuSlots;
    if ((this.transitionsOf[c] as number) !== 2) return false;
    const first = this.firstOf[c] as number;
    if (transitionKind(this.transitions[first] as number) !== TransitionKind.NMI) return false;
    const after = this.stepOf(c, first + 1);
    if (after === null) return false;
    const held = CpuFlag.NMI_BLOCKED | CpuFlag.TRAP_PENDING | CpuFlag.IDLE;
    if (((after[cb + Cpu.FLAGS] as number) & held) !== 0 || (after[cb + Cpu.MSR] as number) !== 0 || after[cb + Cpu.NEST] !== s[cb + Cpu.NEST]) return false;
    return this.handlerCommutes(s, c, after, false);
  }

  /** The state after CPU c's buffered transition k (its first by default) if it is a plain step, else null. */
  private stepOf(c: number, k: number = this.firstOf[c] as number): Int32Array | null {
    const id = this.transitions[k] as number;
    if (transitionCpu(id) !== c || transitionKind(id) !== TransitionKind.STEP || transitionChoice(id) !== 0) return null;
    return this.states.state(k);
  }

  /**
   * Whether the NMI handler H that CPU c runs from `s` (an external NMI's
   * arrival if `external`, else the latched one's delivery) touches nothing
   * any other CPU may still touch, and nothing c's step to `after` writes
   * or reads where H writes. H is known by running it: the NMI delivered in
   * a copy of `s`, c alone until its IRET (another path of H would need
   * another CPU to write what H reads, which is a conflict). Its accesses
   * are real (the NMI is a transition of `s`) and are observed like any
   * other.
   */
  private handlerCommutes(s: Int32Array, c: number, after: Int32Array, external: boolean): boolean {
    const L = this.system.program.layout;
    const cb = this.cpuBase0 + c * this.cpuSlots;
    const vm = this.system.vm;
    const h = this.scratch;
    h.set(s);
    const from = this.footprint.length;
    const nest = s[cb + Cpu.NEST] as number;
    if (!(external ? arriveExternalNmi(vm, h, c) : deliverNmi(vm, h, c))) return false;
    vm.deepest = h[cb + Cpu.SP] as number;
    let returned = false;
    for (let steps = 0; steps < HANDLER_STEP_LIMIT && !returned; steps++) {
      const pc = h[cb + Cpu.PC] as number;
      const flags = vm.step(h, c);
      if ((flags & (StepFlag.VIOLATION | StepFlag.WARNING)) !== 0 || vm.choices > 1) return false;
      if (h[cb + Cpu.PC] === pc && (flags & StepFlag.WRITE) === 0) return false; // waits
      returned = h[cb + Cpu.NEST] === nest;
    }
    const to = this.footprint.length;
    if (!returned) return false;
    // The handler's frames still fit above the stack t leaves.
    if ((vm.deepest - (s[cb + Cpu.SP] as number)) + (after[cb + Cpu.SP] as number) > cb + L.cpuSlots) return false;
    if (this.footprintConflicts(s, c, from, to, true) !== 0) return false;
    return !this.overlap(c, this.footprintFrom[c] as number, this.footprintTo[c] as number, from, to);
  }

  /** Whether two runs of CPU c's footprint entries touch a slot one writes and the other accesses (outside c's own registers and stack). */
  private overlap(c: number, aFrom: number, aTo: number, bFrom: number, bTo: number): boolean {
    const fp = this.footprint;
    const own = this.cpuBase0 + c * this.cpuSlots;
    for (let i = aFrom; i < aTo; i++) {
      const a0 = fp.addr[i] as number;
      const as = fp.span[i] as number;
      const a1 = a0 + Math.abs(as);
      for (let j = bFrom; j < bTo; j++) {
        const bs = fp.span[j] as number;
        if (as >= 0 && bs >= 0) continue;
        const b0 = fp.addr[j] as number;
        const lo = Math.max(a0, b0);
        const hi = Math.min(a1, b0 + Math.abs(bs));
        for (let x = lo; x < hi; x++) if (!(x >= own && x < own + this.cpuSlots && !sharedRegister(x - own))) return true;
      }
    }
    return false;
  }

  /** Runs CPU c's own transitions into the buffer, once per state; false if the sink asked to stop. */
  private execute(s: Int32Array, c: number): boolean {
    if (((this.executed >>> c) & 1) !== 0) return !this.stopped;
    this.executed |= 1 << c;
    const first = this.count;
    this.footprintFrom[c] = this.footprint.length;
    this.firstOf[c] = first;
    const outcome = this.system.expandCpu(s, c, this);
    this.transitionsOf[c] = this.count - first;
    this.footprintTo[c] = this.footprint.length;
    if ((outcome & CpuExpansion.STOPPED) !== 0) this.stopped = true;
    if ((outcome & CpuExpansion.PROGRESS) !== 0) this.stuck = false;
    let takes = 0;
    for (let k = first; k < this.count; k++) {
      const kind = transitionKind(this.transitions[k] as number);
      if (kind !== TransitionKind.STEP && kind !== TransitionKind.EARLY_TIMEOUT) takes = 1;
    }
    this.takesOf[c] = takes;
    const enters = takes | ((s[ENV_BASE + Env.NMIS_LEFT] as number) > 0 ? 1 : 0);
    // A transition of its own (not an external NMI's arrival, which another's can disable) is a key transition.
    this.keyOf[c] = this.count > first ? 1 : 0;
    this.entersOf[c] = enters;
    return !this.stopped;
  }

  /**
   * A conflict-closed set of CPUs (and devices) seeded by a CPU making
   * progress that is not every CPU; 0 if none. The one seeded by
   * `lastMover` (the CPU that moved into `s`) if there is one, else the
   * smallest, the first among equals in this order: CPUs in NMI context,
   * then the others, each in CPU order. The last mover's, because a CPU
   * that runs on until it waits leaves the fewest combinations of the CPUs'
   * positions (and under symmetry reduction CPU order changes from state to
   * state); the smallest, because fewer CPUs moving from each state leave
   * fewer combinations; NMI context first, because a handler run on to its
   * wait or its IRET leaves an NMI in progress in the fewest combinations
   * of the others' positions (docs/how-it-works.md has the figures).
   */
  private chooseLazily(s: Int32Array, lastMover: number): number {
    const cpus = this.cpus;
    const processes = cpus + this.deviceAddresses.length;
    const all = processes >= 32 ? -1 : (1 << processes) - 1;
    const waiting = this.system.waitingCpus;
    let best = 0;
    let bestCost = 0;
    // The last mover first: its set is taken whenever it is not every CPU, so it runs on until it waits.
    // Then CPUs in NMI context (k < cpus), then the others (k ≥ cpus).
    for (let k = lastMover >= 0 && lastMover < cpus ? -1 : 0; k < 2 * cpus; k++) {
      const c = k < 0 ? lastMover : k % cpus;
      if (k >= 0 && (c === lastMover || this.inNmi(s, c) !== k < cpus)) continue;
      if (!this.execute(s, c)) return 0;
      // A waiting CPU seeds a set only to take an interrupt, and not while it waits at a barrier: barrier
      // arrivals do not conflict with its wait, so a set of it alone would take the interrupt before any
      // arrival, though the last one may end the wait with the interrupt still pending.
      if ((this.keyOf[c] as number) === 0 || ((waiting[c] as number) !== 0 && ((this.takesOf[c] as number) === 0 || this.waitsAtBarrier(c)))) continue;
      this.writeFutures(s);
      let members = 1 << c;
      let frontier = members;
      while (frontier !== 0) {
        const m = 31 - Math.clz32(frontier);
        frontier &= ~(1 << m);
        if (m < cpus && !this.execute(s, m)) return 0;
        const added = (m < cpus ? this.conflictsOf(s, m) : this.deviceConflicts(s, m - cpus)) & ~members;
        members |= added;
        frontier |= added;
      }
      if ((members ^ all) === 0) continue;
      const cost = popcount(members);
      // The last mover's set, or a CPU alone: the others need not be executed.
      if (k < 0 || cost === 1) return members;
      if (best === 0 || cost < bestCost) {
        best = members;
        bestCost = cost;
      }
    }
    return best;
  }

  /** Whether CPU c is in NMI context in `s` (NMIs blocked until its IRET). */
  private inNmi(s: Int32Array, c: number): boolean {
    return ((s[this.cpuBase0 + c * this.cpuSlots + Cpu.FLAGS] as number) & CpuFlag.NMI_BLOCKED) !== 0;
  }

  /** Runs the full expansion of `s` into the buffer, recording footprints. */
  private expandAll(s: Int32Array): void {
    this.beginRecording(null);
    try {
      this.system.expand(s, this);
    } finally {
      this.endRecording();
    }
  }

  /**
   * Before the first reduced expansion, learns most of A from random runs
   * from the initial state (recording every enabled transition along them),
   * so that the search rarely has to start over. Deterministic.
   */
  private warmUp(initial: Int32Array): void {
    this.warmedUp = true;
    const state = new Int32Array(this.slots);
    let seed = 0x9e3779b9;
    for (let walk = 0; walk < WARM_UP_WALKS; walk++) {
      state.set(initial);
      for (let depth = 0; depth < WARM_UP_DEPTH; depth++) {
        this.expandAll(state);
        this.observe();
        if (this.count === 0) break;
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const k = seed % this.count;
        state.set(this.states.state(k));
      }
    }
    for (const k of this.observed) this.assumed.add(k);
    this.observed.clear();
    this.invalidated = false;
    this.buildRows();
  }

  // --- the buffering sink `system.expand` writes to ---

  successor(state: Int32Array, transition: number): boolean {
    if (this.count === this.transitions.length) {
      const grown = new Int32Array(this.transitions.length * 2);
      grown.set(this.transitions);
      this.transitions = grown;
    }
    this.states.save(this.count, state, this.system.vm.writes);
    this.transitions[this.count++] = transition;
    return true;
  }

  violation(transition: number, code: number): boolean {
    const sink = this.sink;
    if (sink === null || sink.violation(transition, code)) return true;
    this.stopped = true;
    return false;
  }

  warning(transition: number, code: number): void {
    this.sink?.warning(transition, code);
  }

  /** The CPUs and devices that CPU m's transitions here may be dependent with (m executed, the futures written). */
  private conflictsOf(s: Int32Array, m: number): number {
    if (this.conflictsEpoch[m] === this.epoch) return this.conflictsMask[m] as number;
    const mask = this.footprintConflicts(s, m, this.footprintFrom[m] as number, this.footprintTo[m] as number, (this.entersOf[m] as number) !== 0) | this.devicesTargeting(s, m);
    this.conflictsEpoch[m] = this.epoch;
    this.conflictsMask[m] = mask;
    return mask;
  }

  /** The devices that may still raise (bits by index): those below their raise budget. */
  private raisingDevices(s: Int32Array): number {
    const f = this.fields;
    if (f === null) return 0;
    let live = 0;
    for (let i = 0; i < this.deviceAddresses.length; i++) {
      if (belowRaiseBudget(s, this.deviceAddresses[i] as number, f)) live |= 1 << i;
    }
    return live;
  }

  /** The live devices (bits by index) whose message some CPU may still rewrite: it may name any CPU. */
  private retargetableDevices(): number {
    const f = this.fields as DeviceFields;
    let mask = 0;
    for (let i = 0; i < this.deviceAddresses.length; i++) {
      const d = this.deviceAddresses[i] as number;
      const writers = this.accessors(d + f.addressLo, false, -1, false) | this.accessors(d + f.addressHi, false, -1, false) | this.accessors(d + f.data, false, -1, false);
      if (((this.liveDevices >>> i) & 1) !== 0 && (writers & this.cpuMask) !== 0) mask |= 1 << i;
    }
    return mask;
  }

  /** The devices (as set bits) whose raise may set a bit in CPU m's IRR, enabling its interrupt. */
  private devicesTargeting(s: Int32Array, m: number): number {
    const live = this.liveDevices;
    if (live === 0) return 0;
    const f = this.fields as DeviceFields;
    let mask = 0;
    for (let i = 0; i < this.deviceAddresses.length; i++) {
      if (((live >>> i) & 1) === 0) continue;
      if (((this.retargetable >>> i) & 1) !== 0 || messageCpu(this.system.program, s, this.deviceAddresses[i] as number, f) === m) mask |= 1 << (this.cpus + i);
    }
    return mask;
  }

  /**
   * The CPUs device i's raise may be dependent with: those that may still
   * write what it reads or touch what it writes, those its message may name
   * (see `devicesTargeting`), and those that read the named CPU's IRR.
   */
  private deviceConflicts(s: Int32Array, i: number): number {
    if (((this.retargetable >>> i) & 1) !== 0) return this.cpuMask;
    const f = this.fields as DeviceFields;
    const d = this.deviceAddresses[i] as number;
    let mask = 0;
    for (let x = d; x < d + deviceSlots(f); x++) {
      const role = this.deviceRole[x] as number;
      if (role !== 0) mask |= this.accessors(x, (role & RaiseWrites) !== 0, -1, false);
    }
    const target = messageCpu(this.system.program, s, d, f);
    if (target >= 0) {
      mask |= 1 << target;
      const irr = this.cpuBase0 + target * this.cpuSlots + Cpu.IRR;
      for (let x = irr; x < irr + APIC_VECTOR_WORDS; x++) mask |= this.accessors(x, true, target, false);
    }
    return mask & this.cpuMask;
  }

  /** The CPUs that CPU m's accesses in footprint entries [from, to) may be dependent with; `enters` if they enter an interrupt. */
  private footprintConflicts(s: Int32Array, m: number, from: number, to: number, enters: boolean): number {
    const cb = this.cpuBase0 + m * this.cpuSlots;
    const idle = ((s[cb + Cpu.FLAGS] as number) & CpuFlag.IDLE) !== 0;
    let mask = 0;
    const rows = this.regionRows[m] as Int32Array;
    for (let i = 0; i < rows.length; i++) {
      const k = rows[i] as number;
      const d = this.rowCpu[k] as number;
      if (((mask >>> d) & 1) !== 0) continue;
      const r = (this.rowSlot[k] as number) - cb;
      // Entering an interrupt or waking up touches any register. A step writes the pc, the frame and stack
      // pointers and the stack (its other register writes are recorded), and what enables an interrupt or a
      // wake-up (FLAGS, IRR, WORK while idle) may change under it: those conflict with writes only.
      const written = enters || r >= Cpu.SLOTS || r === Cpu.PC || r === Cpu.FP || r === Cpu.SP;
      const read = written || r === Cpu.FLAGS || (r >= Cpu.IRR && r < Cpu.IRR + APIC_VECTOR_WORDS) || (r === Cpu.WORK && idle);
      if (!read || (!written && (this.rowWrite[k] as number) === 0)) continue;
      if (this.future.may(d, this.rowSite[k] as number)) mask |= 1 << d;
    }
    const fp = this.footprint;
    const globalsBase = ENV_BASE + Env.SLOTS;
    // A CPU that also takes an interrupt here waits at a barrier visibly: whether the last arrival ends its
    // wait before or after the interrupt is taken matters (see `keepsBarrierClosed`).
    const visibleWait = (this.takesOf[m] as number) !== 0;
    for (let i = from; i < to; i++) {
      const addr = fp.addr[i] as number;
      const span = fp.span[i] as number;
      const write = span < 0;
      const end = addr + (write ? -span : span);
      const barrier = this.barrierPc[fp.pc[i] as number] === 1;
      if (barrier && visibleWait && !write) {
        for (let x = addr; x < end; x++) mask |= this.accessors(x, false, m, true) | this.keepsBarrierClosed(s, x, m);
        continue;
      }
      for (let x = Math.max(addr, globalsBase); x < end; x++) {
        if (x >= this.cpuBase0) {
          const owner = ((x - this.cpuBase0) / this.cpuSlots) | 0;
          const r = x - this.cpuBase0 - owner * this.cpuSlots;
          if (owner !== m && !sharedRegister(r)) mask |= 1 << owner;
          // Reading another CPU's IRR sees what any device raises there.
          if (owner !== m && !write && r >= Cpu.IRR && r < Cpu.IRR + APIC_VECTOR_WORDS) mask |= this.liveDevices << this.cpus;
        }
        mask |= this.accessors(x, write, m, barrier);
      }
    }
    return mask & ~(1 << m);
  }

  /** Whether executed CPU c's transitions read a barrier. */
  private waitsAtBarrier(c: number): boolean {
    const fp = this.footprint;
    for (let i = this.footprintFrom[c] as number; i < (this.footprintTo[c] as number); i++) {
      if ((fp.span[i] as number) > 0 && this.barrierPc[fp.pc[i] as number] === 1) return true;
    }
    return false;
  }

  /**
   * For CPU m waiting at the barrier counted in slot x while it has an
   * interrupt to take: CPUs that may still arrive there, enough of them that
   * those left out are fewer than the arrivals still missing. Then no run of
   * CPUs outside the set ends the wait, so its steps do not depend on theirs
   * (the argument `barrierAccesses` makes for waits with nothing else to
   * do, whose spinning nobody sees).
   */
  private keepsBarrierClosed(s: Int32Array, x: number, m: number): number {
    const arrivers = this.accessors(x, false, m, false) & ~this.accessors(x, false, m, true) & this.cpuMask;
    const missing = this.cpus - (s[x] as number);
    let left = arrivers;
    let kept = 0;
    while (left !== 0 && popcount(left) >= missing) {
      const d = 31 - Math.clz32(left);
      left &= ~(1 << d);
      kept |= 1 << d;
    }
    return kept;
  }

  /**
   * CPUs other than `c` that may still write slot x (or, if `anyAccess`, read
   * or write it), and devices that may still raise and write it (or read
   * it); for a barrier access, by other than barrier accesses.
   */
  private accessors(x: number, anyAccess: boolean, c: number, barrier: boolean): number {
    // Every CPU's accesses to a shared slot are asked about once per CPU that touches it: remembered for the expansion.
    const at = 4 * x + (anyAccess ? 2 : 0) + (barrier ? 1 : 0);
    const others = c < 0 ? -1 : ~(1 << c);
    if (this.accessorsEpoch[at] === this.epoch) return (this.accessorsMask[at] as number) & others;
    const mask = this.allAccessors(x, anyAccess, barrier);
    this.accessorsEpoch[at] = this.epoch;
    this.accessorsMask[at] = mask;
    return mask & others;
  }

  /** `accessors` with no CPU left out. */
  private allAccessors(x: number, anyAccess: boolean, barrier: boolean): number {
    let mask = 0;
    const end = this.rowStart[x + 1] as number;
    for (let k = this.rowStart[x] as number; k < end; k++) {
      const d = this.rowCpu[k] as number;
      if (((mask >>> d) & 1) !== 0) continue;
      if (!anyAccess && (this.rowWrite[k] as number) === 0) continue;
      if (barrier && (this.rowBarrier[k] as number) === 1) continue;
      if (this.future.may(d, this.rowSite[k] as number)) mask |= 1 << d;
    }
    // A device that may still raise, if its raise reads x and the access writes it, or writes x.
    const device = this.deviceOf[x] as number;
    if (device >= 0 && ((this.liveDevices >>> device) & 1) !== 0) {
      const role = this.deviceRole[x] as number;
      if (anyAccess ? role !== 0 : (role & RaiseWrites) !== 0) mask |= 1 << (this.cpus + device);
    }
    return mask;
  }

  /** Adds what this expansion's transitions touched to the observed relation; an access A did not allow invalidates the run. */
  private observe(): void {
    const fp = this.footprint;
    const globalsBase = ENV_BASE + Env.SLOTS;
    for (let i = 0; i < fp.length; i++) {
      const c = fp.cpu[i] as number;
      const addr = fp.addr[i] as number;
      const span = fp.span[i] as number;
      const write = span < 0;
      const end = addr + (write ? -span : span);
      const own = this.cpuBase0 + c * this.cpuSlots;
      const site = this.future.siteOf(fp.pc[i] as number);
      const barrier = this.barrierPc[fp.pc[i] as number] === 1;
      for (let x = Math.max(addr, globalsBase); x < end; x++) {
        if (x >= own && x < own + this.cpuSlots && !sharedRegister(x - own)) continue;
        const k = this.key(x, site, c, write, barrier);
        if (this.assumed.has(k) || this.observed.has(k)) continue;
        this.invalidated = true;
        this.observed.add(k);
        // Only canonical states are expanded under symmetry: what one CPU does, its images do.
        this.images?.imagesOf(x, c, (y, d) => {
          const ownOfD = this.cpuBase0 + d * this.cpuSlots;
          if (y >= globalsBase && !(y >= ownOfD && y < ownOfD + this.cpuSlots && !sharedRegister(y - ownOfD))) this.observed.add(this.key(y, site, d, write, barrier));
        });
      }
    }
  }

  /** One access of A as a number: slot, statement site, CPU, write and barrier bits (exact below 2^53). */
  private key(x: number, site: number, c: number, write: boolean, barrier: boolean): number {
    return ((x * this.sites + site) * MAX_REDUCED_CPUS + c) * 4 + (write ? 1 : 0) + (barrier ? 2 : 0);
  }

  /** Rebuilds the rows of A by slot. */
  private buildRows(): void {
    this.epoch++;
    const keys = [...this.assumed].sort((a, b) => a - b);
    const n = keys.length;
    this.rowSite = new Int32Array(n);
    this.rowCpu = new Int32Array(n);
    this.rowWrite = new Uint8Array(n);
    this.rowBarrier = new Uint8Array(n);
    this.rowSlot = new Int32Array(n);
    this.rowStart.fill(0);
    const perSlot = 4 * MAX_REDUCED_CPUS * this.sites;
    keys.forEach((k, i) => {
      const x = Math.floor(k / perSlot);
      let rest = k - x * perSlot;
      this.rowWrite[i] = rest % 2;
      this.rowBarrier[i] = (rest >> 1) % 2;
      rest = (rest - (rest % 4)) / 4;
      this.rowCpu[i] = rest % MAX_REDUCED_CPUS;
      this.rowSite[i] = (rest - (rest % MAX_REDUCED_CPUS)) / MAX_REDUCED_CPUS;
      this.rowSlot[i] = x;
      this.rowStart[x + 1] = (this.rowStart[x + 1] as number) + 1;
    });
    this.regionRows = Array.from({ length: this.cpus }, (_, c) => {
      const from = this.cpuBase0 + c * this.cpuSlots;
      const rows: number[] = [];
      keys.forEach((_k, i) => {
        const x = this.rowSlot[i] as number;
        // Shared registers are checked through the footprint both ways (see `sharedRegister`).
        if (x >= from && x < from + this.cpuSlots && !sharedRegister(x - from)) rows.push(i);
      });
      return Int32Array.from(rows);
    });
    for (let x = 0; x < this.slots; x++) this.rowStart[x + 1] = (this.rowStart[x + 1] as number) + (this.rowStart[x] as number);
  }
}

/**
 * The pcs where kernel code arrives at a barrier or reads its count
 * (`__irqcheck_arrive`, `__irqcheck_arrived`: stop_machine's rendezvous).
 * Each online CPU arrives once at each barrier before it is reset, and no
 * wait on a barrier ends before every CPU has arrived; so an arrival does
 * not depend on another's (both only count), and a wait that could end only
 * after the arrival of a CPU that has not arrived cannot end in any run
 * that leaves that CPU out: barrier accesses never conflict with each other,
 * except the wait of a CPU that also takes an interrupt, whose order against
 * the last arrival matters (see `keepsBarrierClosed`).
 * Other accesses to the counters (the reset) conflict as usual. Calls from
 * a model's own code, which need not keep that discipline, are not counted.
 */
function barrierAccesses(p: Program): Uint8Array {
  const at = new Uint8Array(p.code.length);
  const arrive = builtinId('__irqcheck_arrive');
  const arrived = builtinId('__irqcheck_arrived');
  const { start, end } = functionCode(p);
  for (const f of p.functions) {
    if (f.isModel || (start[f.index] as number) < 0) continue;
    for (let pc = start[f.index] as number; pc < (end[f.index] as number); pc += 1 + (OPERANDS[p.code[pc] as number] ?? 0)) {
      const id = p.code[pc + 1] as number;
      if ((p.code[pc] as number) === Op.BUILTIN && (id === arrive || id === arrived)) at[pc] = 1;
    }
  }
  return at;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}
