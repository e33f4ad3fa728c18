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
 * observed.
 * Every expansion executes every enabled transition and records what each
 * touched; an access A did not allow invalidates the run, and the search
 * starts over with A enlarged. If A is wrong, some transition that breaks it
 * is reachable in the reduced graph too — before the first access that
 * breaks A, the reduction is a correct reduction of a system in which A
 * holds, and such reductions preserve every local event, that access
 * included — so a run that ends without invalidation explored a persistent
 * reduction under the true access relation.
 *
 * External NMIs share one budget; arrivals at different CPUs are
 * independent whenever both remain possible (the budget only counts), so
 * the budget is not a conflict (the stubborn-set condition only asks for
 * commutation when both orders exist). Devices are processes of their own
 * whose raises this reduction does not model: a model with MSI devices gets
 * no reduction. A state where no CPU makes progress is expanded fully
 * (deadlocks and timeouts are decided on full expansions).
 *
 * The cycle proviso (a reduced expansion must not close a cycle) is the
 * explorer's: see `PartialOrderReduction` in check/.
 */
import { APIC_VECTOR_WORDS, Cpu, CpuFlag, ENV_BASE, Env, type Program } from '../compile/index.js';
import type { PartialOrderReduction, SuccessorSink } from '../check/index.js';
import { Footprint } from './footprint.js';
import { FutureSites, hasBit } from './future-sites.js';
import type { MachineSystem } from './system.js';
import { TransitionKind, transitionCpu, transitionKind } from './system.js';

/** Where a slot accessed by a CPU goes under each permutation of a symmetry (symmetry.ts). */
export interface SlotImages {
  imagesOf(slot: number, cpu: number, emit: (slot: number, cpu: number) => void): void;
}

/** Random runs that learn the access relation before the search, and their length. */
const WARM_UP_WALKS = 64;
const WARM_UP_DEPTH = 4096;

/** CPUs beyond which the per-slot CPU sets (32-bit masks) cannot represent them: no reduction. */
export const MAX_REDUCED_CPUS = 32;

/** Why a model gets no partial-order reduction, or null if it gets it. */
export function partialOrderUnavailable(program: Program): string | null {
  if (program.config.cpus > MAX_REDUCED_CPUS) return `no partial-order reduction above ${MAX_REDUCED_CPUS} CPUs`;
  // A device that some CPU enables later raises into a CPU's IRR: a dependence no CPU's accesses show.
  if (program.devices.addresses.length > 0) return 'no partial-order reduction for a model with MSI devices (their raises are no CPU\'s steps)';
  return null;
}

export class PartialOrder implements PartialOrderReduction, SuccessorSink {
  invalidated = false;
  restarts = 0;
  private warmedUp = false;
  private images: SlotImages | null = null;
  /** Expansions that emitted a proper subset / all expansions (statistics). */
  reducedExpansions = 0;
  expansions = 0;

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
  private rowSlot: Int32Array;
  /** Per CPU, the rows of A about its own registers and stack (accesses by other CPUs). */
  private regionRows: Int32Array[];

  /** The buffered expansion: successor states back to back, their transitions. */
  private states: Int32Array;
  private transitions: Int32Array;
  private count = 0;
  private sink: SuccessorSink | null = null;
  private stopped = false;
  /** Per CPU during a decision: successors, whether one is a key transition, conflict mask, future. */
  private readonly successorsOf: Int32Array;
  private readonly keyOf: Uint8Array;
  /** Per CPU: it has a transition other than a step (an interrupt taken, a wake-up, an arrival). */
  private readonly entersOf: Uint8Array;
  private readonly conflictsOf: Uint32Array;
  private readonly futureOf: Uint32Array[];


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
    this.rowSlot = new Int32Array(0);
    this.regionRows = Array.from({ length: this.cpus }, () => new Int32Array(0));
    this.states = new Int32Array(this.slots * 16);
    this.transitions = new Int32Array(16);
    this.successorsOf = new Int32Array(this.cpus);
    this.keyOf = new Uint8Array(this.cpus);
    this.entersOf = new Uint8Array(this.cpus);
    this.conflictsOf = new Uint32Array(this.cpus);
    this.futureOf = Array.from({ length: this.cpus }, () => this.future.bitset());
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

  expandReduced(s: Int32Array, sink: SuccessorSink): boolean {
    if (!this.warmedUp) this.warmUp(s);
    this.expandAll(s, sink);
    this.observe();
    this.expansions++;
    if (this.stopped) return false;
    const chosen = this.choose(s);
    let emitted = 0;
    const n = this.slots;
    for (let k = 0; k < this.count; k++) {
      const id = this.transitions[k] as number;
      if (chosen !== 0 && ((chosen >>> transitionCpu(id)) & 1) === 0) continue;
      emitted++;
      if (!sink.successor(this.states.subarray(k * n, (k + 1) * n), id)) return false;
    }
    const reduced = emitted < this.count;
    if (reduced) this.reducedExpansions++;
    return reduced;
  }

  /** Runs the full expansion of `s` into the buffer, recording footprints; violations and warnings go to `sink`. */
  private expandAll(s: Int32Array, sink: SuccessorSink | null): void {
    const vm = this.system.vm;
    this.footprint.clear();
    this.count = 0;
    this.sink = sink;
    this.stopped = false;
    vm.footprint = this.footprint;
    try {
      this.system.expand(s, this);
    } finally {
      vm.footprint = null;
      this.sink = null;
    }
  }

  /**
   * Before the first reduced expansion, learns most of A from random runs
   * from the initial state (recording every enabled transition along them),
   * so that the search rarely has to start over. Deterministic.
   */
  private warmUp(initial: Int32Array): void {
    this.warmedUp = true;
    const n = this.slots;
    const state = new Int32Array(n);
    let seed = 0x9e3779b9;
    for (let walk = 0; walk < WARM_UP_WALKS; walk++) {
      state.set(initial);
      for (let depth = 0; depth < WARM_UP_DEPTH; depth++) {
        this.expandAll(state, null);
        this.observe();
        if (this.count === 0) break;
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const k = seed % this.count;
        state.set(this.states.subarray(k * n, (k + 1) * n));
      }
    }
    for (const k of this.observed) this.assumed.add(k);
    this.observed.clear();
    this.invalidated = false;
    this.buildRows();
  }

  // --- the buffering sink `system.expand` writes to ---

  successor(state: Int32Array, transition: number): boolean {
    const n = this.slots;
    if ((this.count + 1) * n > this.states.length) {
      const grown = new Int32Array(this.states.length * 2);
      grown.set(this.states);
      this.states = grown;
    }
    if (this.count === this.transitions.length) {
      const grown = new Int32Array(this.transitions.length * 2);
      grown.set(this.transitions);
      this.transitions = grown;
    }
    this.states.set(state, this.count * n);
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

  /**
   * The mask of the CPUs whose successors to emit, 0 for all: the smallest
   * conflict-closed set that contains a CPU making progress.
   */
  private choose(s: Int32Array): number {
    const cpus = this.cpus;
    const successorsOf = this.successorsOf;
    const keyOf = this.keyOf;
    successorsOf.fill(0);
    keyOf.fill(0);
    this.entersOf.fill(0);
    for (let k = 0; k < this.count; k++) {
      const id = this.transitions[k] as number;
      const kind = transitionKind(id);
      // A device's raise is no CPU's: expand fully.
      if (kind === TransitionKind.DEVICE_RAISE) return 0;
      const c = transitionCpu(id);
      successorsOf[c] = (successorsOf[c] as number) + 1;
      // An external NMI's arrival can be disabled by another's (the budget): never a key transition.
      if (kind !== TransitionKind.EXTERNAL_NMI) keyOf[c] = 1;
      if (kind !== TransitionKind.STEP && kind !== TransitionKind.EARLY_TIMEOUT) this.entersOf[c] = 1;
    }
    const waiting = this.system.waitingCpus;
    let candidates = 0;
    let moving = 0;
    for (let c = 0; c < cpus; c++) {
      if ((successorsOf[c] as number) !== 0) moving++;
      if ((keyOf[c] as number) !== 0 && (waiting[c] as number) === 0) candidates++;
    }
    // One CPU moving: its transitions are all there is.
    if (candidates === 0 || moving < 2) return 0;
    this.conflicts(s);
    let best = 0;
    let bestCount = this.count;
    for (let c = 0; c < cpus; c++) {
      // A key transition: one no other CPU can disable, of a CPU that is not waiting.
      if ((keyOf[c] as number) === 0 || (waiting[c] as number) !== 0) continue;
      let members = 1 << c;
      let frontier = members;
      while (frontier !== 0) {
        const m = 31 - Math.clz32(frontier);
        frontier &= ~(1 << m);
        const added = (this.conflictsOf[m] as number) & ~members;
        members |= added;
        frontier |= added;
      }
      let total = 0;
      for (let d = 0; d < cpus; d++) if (((members >>> d) & 1) !== 0) total += successorsOf[d] as number;
      if (total < bestCount) {
        best = members;
        bestCount = total;
      }
    }
    return best;
  }

  /** Fills `conflictsOf`: for each CPU, the CPUs its transitions here may be dependent with. */
  private conflicts(s: Int32Array): void {
    const cpus = this.cpus;
    this.future.writeAll(s, this.futureOf);
    for (let c = 0; c < cpus; c++) {
      const cb = this.cpuBase0 + c * this.cpuSlots;
      const enters = (this.entersOf[c] as number) !== 0;
      const idle = ((s[cb + Cpu.FLAGS] as number) & CpuFlag.IDLE) !== 0;
      let mask = 0;
      const rows = this.regionRows[c] as Int32Array;
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
        if (hasBit(this.futureOf[d] as Uint32Array, this.rowSite[k] as number)) mask |= 1 << d;
      }
      this.conflictsOf[c] = mask;
    }
    const fp = this.footprint;
    const globalsBase = ENV_BASE + Env.SLOTS;
    for (let i = 0; i < fp.length; i++) {
      const c = fp.cpu[i] as number;
      const addr = fp.addr[i] as number;
      const span = fp.span[i] as number;
      const write = span < 0;
      const end = addr + (write ? -span : span);
      let mask = this.conflictsOf[c] as number;
      for (let x = Math.max(addr, globalsBase); x < end; x++) {
        if (x >= this.cpuBase0) {
          const owner = ((x - this.cpuBase0) / this.cpuSlots) | 0;
          if (owner !== c) mask |= 1 << owner;
        }
        mask |= this.accessors(x, write, c);
      }
      this.conflictsOf[c] = mask;
    }
  }

  /** CPUs other than `c` that may still write slot x (or, if `anyAccess`, read or write it). */
  private accessors(x: number, anyAccess: boolean, c: number): number {
    let mask = 0;
    const end = this.rowStart[x + 1] as number;
    for (let k = this.rowStart[x] as number; k < end; k++) {
      const d = this.rowCpu[k] as number;
      if (d === c || ((mask >>> d) & 1) !== 0) continue;
      if (!anyAccess && (this.rowWrite[k] as number) === 0) continue;
      if (hasBit(this.futureOf[d] as Uint32Array, this.rowSite[k] as number)) mask |= 1 << d;
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
      for (let x = Math.max(addr, globalsBase); x < end; x++) {
        if (x >= own && x < own + this.cpuSlots) continue;
        const k = this.key(x, site, c, write);
        if (this.assumed.has(k) || this.observed.has(k)) continue;
        this.invalidated = true;
        this.observed.add(k);
        // Only canonical states are expanded under symmetry: what one CPU does, its images do.
        this.images?.imagesOf(x, c, (y, d) => {
          if (y >= globalsBase && !(y >= this.cpuBase0 + d * this.cpuSlots && y < this.cpuBase0 + (d + 1) * this.cpuSlots)) this.observed.add(this.key(y, site, d, write));
        });
      }
    }
  }

  /** One access of A as a number: slot, statement site, CPU, write bit (exact below 2^53). */
  private key(x: number, site: number, c: number, write: boolean): number {
    return ((x * this.sites + site) * MAX_REDUCED_CPUS + c) * 2 + (write ? 1 : 0);
  }

  /** Rebuilds the rows of A by slot. */
  private buildRows(): void {
    const keys = [...this.assumed].sort((a, b) => a - b);
    const n = keys.length;
    this.rowSite = new Int32Array(n);
    this.rowCpu = new Int32Array(n);
    this.rowWrite = new Uint8Array(n);
    this.rowSlot = new Int32Array(n);
    this.rowStart.fill(0);
    const perSlot = 2 * MAX_REDUCED_CPUS * this.sites;
    keys.forEach((k, i) => {
      const x = Math.floor(k / perSlot);
      let rest = k - x * perSlot;
      this.rowWrite[i] = rest % 2;
      rest = (rest - (rest % 2)) / 2;
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
        if (x >= from && x < from + this.cpuSlots) rows.push(i);
      });
      return Int32Array.from(rows);
    });
    for (let x = 0; x < this.slots; x++) this.rowStart[x + 1] = (this.rowStart[x + 1] as number) + (this.rowStart[x] as number);
  }
}
