/**
 * Symmetry over cores of identical siblings: a state's cores other than
 * core 0 are put in a canonical order, so the search stores one state per
 * orbit. Where CPU ids live (which slots, which arrays, which masks) comes
 * from compile's CPU-id analysis (cpu-id-analysis.ts); a model it cannot
 * type has no `CoreSymmetry`.
 *
 * Permuting a state by a CPU map π (thread t of core k → thread t of core
 * π(k)): CPU c's registers and stack move to π(c)'s place, with every
 * absolute address in them rebased (FP, SP, each frame's PREV_FP, the
 * frame slots the analysis typed as addresses); CPU-indexed array elements
 * move to π(c)'s element; CPU-id slots get π(v) for v in [0, cpus) (other
 * values are sentinels: -1, nr_cpu_ids); cpumask words get their bits
 * permuted; address slots elsewhere are rebased too.
 *
 * The canonical order sorts cores by a hash of their content made
 * independent of where they sit (addresses relative to the core, CPU ids
 * relative to it: its own thread t, core 0's CPUs as themselves, any other
 * core's as one "elsewhere" mark). Equal hashes keep their order: the result
 * is always in the orbit (sound), and is the same for every member of it
 * unless two different cores hash alike (only reduction is lost then).
 *
 * Hot: `representativeOf` runs for every successor; it allocates nothing.
 */
import { Cpu, Frame, SlotRole, type CpuSymmetry, type Program } from '../compile/index.js';
import type { Path, StateSymmetry } from '../check/index.js';
import type { StateWriteLog } from './write-log.js';
import type { MachineSystem } from './system.js';
import { TransitionKind, transitionCpu, transitionKind } from './system.js';

type SymmetricPlan = Extract<CpuSymmetry, { kind: 'symmetric' }>;

const OTHER_CORE_MARK = 0x5bd1e995;
const OWN_THREAD_MARK = 0x27d4eb2d;

/** Permutations of the cores after core 0 of a program whose CPU ids the analysis typed. */
export class CoreSymmetry implements StateSymmetry {
  readonly cpus: number;
  readonly smt: number;
  /** Cores that move: 1 .. cores - 1. */
  readonly cores: number;
  /** After `canonicalize`: where each CPU of the state passed in went (original CPU → canonical CPU). */
  readonly lastMap: Int32Array;
  private readonly cpuBase0: number;
  private readonly cpuSlots: number;
  private readonly stateSlots: number;
  private readonly globalsBase: number;
  /** Non-plain global slots outside CPU-indexed arrays: address, role. */
  private readonly fixedSlots: Int32Array;
  private readonly fixedRoles: Uint8Array;
  private readonly arrayBase: Int32Array;
  private readonly arrayStride: Int32Array;
  private readonly globalRoles: Uint8Array;
  /**
   * The typed slots of each function's frame (role not PLAIN, past the
   * header), function f's at [typedFrom[f], typedFrom[f + 1]) of
   * `typedOffset` and `typedRole`: the permutation and the keys visit those,
   * not every slot of the frame.
   */
  private readonly typedFrom: Int32Array;
  private readonly typedOffset: Int32Array;
  private readonly typedRole: Uint8Array;
  private readonly scratch: Int32Array;
  private readonly keys: Float64Array;
  private readonly order: Int32Array;
  private readonly coreImage: Int32Array;
  private readonly map: Int32Array;
  /** Per slot of one CPU region: role of what is there in the state being hashed. */
  private readonly regionRoles: Uint8Array;
  readonly memoSlots: number;
  /**
   * Per state slot, which core's key reads it: the core's index, ALL_CORES
   * (a cpumask outside CPU-indexed arrays: every core's bit), or NO_CORE.
   */
  private readonly slotCore: Int16Array;
  /** The recalled keys of the state being expanded, by core, valid while the log's expansion is `recalledFor`. */
  private readonly recalled: Float64Array;
  private recalledFor = -1;
  /** Per core: whether the successor being canonicalized wrote what its key reads. */
  private readonly touched: Uint8Array;
  /**
   * Per state slot in a CPU region or a CPU-indexed element: the CPU it
   * belongs to (else -1), the distance to the next CPU's copy of it, and
   * what it is relative to its core (`relative`'s own-core mark); per CPU,
   * its core. Tables, not divisions: the permutation asks for every address.
   */
  private readonly slotCpu: Int16Array;
  private readonly slotStride: Int32Array;
  private readonly slotOwnMark: Int32Array;
  private readonly coreOf: Int32Array;

  /** `verify`: check the assumptions the short cuts rest on (see `checkStacks`; recalled keys against keys computed afresh; tests). */
  constructor(
    program: Program,
    plan: SymmetricPlan,
    private readonly writes: StateWriteLog,
    private readonly verify = false,
  ) {
    const L = program.layout;
    this.cpus = program.config.cpus;
    this.smt = program.config.smt;
    this.cores = Math.ceil(this.cpus / this.smt);
    this.cpuBase0 = L.cpuBase0;
    this.cpuSlots = L.cpuSlots;
    this.stateSlots = L.stateSlots;
    this.globalsBase = L.globalsBase;
    this.globalRoles = plan.globalRoles;
    const typedOffsets: number[] = [];
    const typedRoles: number[] = [];
    this.typedFrom = new Int32Array(program.functions.length + 1);
    program.functions.forEach((f, i) => {
      const roles = plan.frameRoles[i] as Uint8Array;
      for (let off = Frame.HEADER; off < f.frameSlots; off++) {
        if (roles[off] === SlotRole.PLAIN) continue;
        typedOffsets.push(off);
        typedRoles.push(roles[off] as number);
      }
      this.typedFrom[i + 1] = typedOffsets.length;
    });
    this.typedOffset = Int32Array.from(typedOffsets);
    this.typedRole = Uint8Array.from(typedRoles);
    this.arrayBase = Int32Array.from(plan.cpuArrays, (a) => a.base);
    this.arrayStride = Int32Array.from(plan.cpuArrays, (a) => a.stride);
    const inArray = (a: number): boolean => plan.cpuArrays.some((arr) => a >= arr.base && a < arr.base + arr.stride * this.cpus);
    const slots: number[] = [];
    const roles: number[] = [];
    for (let i = 0; i < plan.globalRoles.length; i++) {
      const role = plan.globalRoles[i] as number;
      const a = L.globalsBase + i;
      if (role !== SlotRole.PLAIN && !inArray(a)) {
        slots.push(a);
        roles.push(role);
      }
    }
    this.fixedSlots = Int32Array.from(slots);
    this.fixedRoles = Uint8Array.from(roles);
    this.scratch = new Int32Array(L.stateSlots);
    this.keys = new Float64Array(this.cores);
    this.order = new Int32Array(this.cores);
    this.coreImage = new Int32Array(this.cores);
    this.map = new Int32Array(this.cpus);
    this.lastMap = new Int32Array(this.cpus);
    this.regionRoles = new Uint8Array(L.cpuSlots);
    this.memoSlots = this.cores - 1;
    this.recalled = new Float64Array(this.cores);
    this.touched = new Uint8Array(this.cores);
    this.slotCore = new Int16Array(L.stateSlots).fill(NO_CORE);
    this.slotCpu = new Int16Array(L.stateSlots).fill(-1);
    this.slotStride = new Int32Array(L.stateSlots);
    this.slotOwnMark = new Int32Array(L.stateSlots);
    this.coreOf = Int32Array.from({ length: this.cpus }, (_, c) => (c / this.smt) | 0);
    const place = (c: number, at: number, stride: number, mark: number): void => {
      this.slotCpu[at] = c;
      this.slotCore[at] = this.coreOf[c] as number;
      this.slotStride[at] = stride;
      this.slotOwnMark[at] = mark;
    };
    for (let c = 0; c < this.cpus; c++) {
      for (let r = 0; r < L.cpuSlots; r++) place(c, L.cpuBase0 + c * L.cpuSlots + r, L.cpuSlots, (OWN_THREAD_MARK + (c % this.smt) * L.cpuSlots + r) | 0);
      plan.cpuArrays.forEach((a, i) => {
        for (let r = 0; r < a.stride; r++) place(c, a.base + c * a.stride + r, a.stride, (OWN_THREAD_MARK + i * 4096 + (c % this.smt) * a.stride + r) | 0);
      });
    }
    for (let i = 0; i < slots.length; i++) if (roles[i] === SlotRole.MASK) this.slotCore[slots[i] as number] = ALL_CORES;
  }

  writeMemo(out: Int32Array): void {
    // The representative's core at place j is the one that sorted to j.
    for (let j = 1; j < this.cores; j++) out[j - 1] = this.keys[this.order[j] as number] as number;
  }

  recall(memo: Int32Array): void {
    for (let k = 1; k < this.cores; k++) this.recalled[k] = (memo[k - 1] as number) >>> 0;
    // The expansion about to begin: the write log will describe its successors.
    this.recalledFor = this.writes.expansion + 1;
  }

  /**
   * Which cores' keys a successor's writes may have changed, into `touched`;
   * false when its keys cannot come from the recalled ones (no recall for
   * this expansion, or the log does not vouch for it).
   */
  private markTouched(state: Int32Array): boolean {
    const writes = this.writes;
    if (this.recalledFor !== writes.expansion || !writes.vouchesFor(state)) return false;
    const touched = this.touched;
    touched.fill(0);
    const ranges = writes.ranges;
    for (let r = 0; r < 2 * writes.count; r += 2) {
      for (let i = ranges[r] as number, end = ranges[r + 1] as number; i < end; i++) {
        const core = this.slotCore[i] as number;
        if (core >= 0) touched[core] = 1;
        else if (core === ALL_CORES) return false;
      }
    }
    return true;
  }

  /** Puts the cores after core 0 in canonical order, in place; `lastMap` says where each CPU went. */
  canonicalize(state: Int32Array): void {
    if (!this.sortCores(state)) this.permute(state, this.map);
  }

  representativeOf(state: Int32Array, buffer: Int32Array): Int32Array {
    if (this.sortCores(state)) return state;
    if (this.verify) this.checkStacks(state);
    // The log goes on describing the successor in its new place, with what the permutation rewrote.
    const log = this.writes.vouchesFor(state) ? this.writes : null;
    buffer.set(state);
    log?.retarget(buffer);
    this.permuteInto(state, buffer, this.map, log);
    return buffer;
  }

  /** Throws unless every CPU's stack is zero at and above its SP (what `permuteInto` and `coreKey` rely on). */
  private checkStacks(state: Int32Array): void {
    for (let c = 0; c < this.cpus; c++) {
      const base = this.cpuBase0 + c * this.cpuSlots;
      for (let i = base + this.liveSlots(state, base); i < base + this.cpuSlots; i++) {
        if (state[i] !== 0) throw new Error(`irqcheck bug: CPU ${c}'s stack is not zero above its SP (slot ${i - base})`);
      }
    }
  }

  /** Slots of the CPU region at `base` in use: registers and the stack below SP (the rest is zero). */
  private liveSlots(s: Int32Array, base: number): number {
    return Math.max(Cpu.SLOTS, Math.min(this.cpuSlots, (s[base + Cpu.SP] as number) - base));
  }

  /** Works out the canonical order of `state`'s cores into `map` and `lastMap`; whether it is the order they are in. */
  private sortCores(state: Int32Array): boolean {
    const cores = this.cores;
    const keys = this.keys;
    const order = this.order;
    const recalled = this.markTouched(state);
    for (let k = 1; k < cores; k++) {
      keys[k] = recalled && this.touched[k] === 0 ? (this.recalled[k] as number) : this.coreKey(state, k);
      if (this.verify && keys[k] !== this.coreKey(state, k)) throw new Error(`irqcheck bug: core ${k}'s recalled key is not its key`);
      // Insertion sort, stable: equal keys keep their order.
      let j = k;
      while (j > 1 && (keys[order[j - 1] as number] as number) > (keys[k] as number)) {
        order[j] = order[j - 1] as number;
        j--;
      }
      order[j] = k;
    }
    order[0] = 0;
    let identity = true;
    for (let j = 0; j < cores; j++) {
      this.coreImage[order[j] as number] = j;
      if (order[j] !== j) identity = false;
    }
    const smt = this.smt;
    for (let c = 0; c < this.cpus; c++) {
      const v = (this.coreImage[(c / smt) | 0] as number) * smt + (c % smt);
      this.map[c] = v;
      this.lastMap[c] = v;
    }
    return identity;
  }

  processImage(process: number): number {
    return process >= 0 && process < this.cpus ? (this.lastMap[process] as number) : process;
  }

  /**
   * Applies the CPU map `map` (CPU c → map[c]; a bijection that keeps core 0
   * and thread numbers) to `state` in place (`canonicalize`; a search's
   * successors go through `representativeOf`, which needs no second copy).
   */
  permute(state: Int32Array, map: Int32Array): void {
    this.scratch.set(state);
    this.permuteInto(this.scratch, state, map, null);
  }

  /**
   * Writes into `state`, a copy of `source`, the image of `source` under
   * `map`: only the slots that move or hold CPU ids, masks or addresses are
   * rewritten, read from `source`, and where they are, `log` (if any) is
   * told.
   */
  private permuteInto(source: Int32Array, state: Int32Array, map: Int32Array, log: StateWriteLog | null): void {
    // Globals outside CPU-indexed arrays stay where they are; their CPU ids, masks and addresses change.
    const fixed = this.fixedSlots;
    for (let i = 0; i < fixed.length; i++) {
      const a = fixed[i] as number;
      put(state, a, this.mapValue(this.fixedRoles[i] as number, source[a] as number, map), log);
    }
    // CPU-indexed arrays: element c goes to element map[c].
    for (let i = 0; i < this.arrayBase.length; i++) {
      const base = this.arrayBase[i] as number;
      const stride = this.arrayStride[i] as number;
      const roleBase = base - this.globalsBase;
      for (let c = 0; c < this.cpus; c++) {
        const from = base + c * stride;
        const to = base + (map[c] as number) * stride;
        const each = to === from ? log : null;
        for (let k = 0; k < stride; k++) put(state, to + k, this.mapValue(this.globalRoles[roleBase + k] as number, source[from + k] as number, map), each);
        if (to !== from) log?.add(to, to + stride);
      }
    }
    // CPU regions: registers and stack move; addresses in them are rebased, CPU ids mapped. Above SP a stack is zero:
    // what moves is the part in use, over the part in use where it lands.
    const slots = this.cpuSlots;
    for (let c = 0; c < this.cpus; c++) {
      const from = this.cpuBase0 + c * slots;
      const to = this.cpuBase0 + (map[c] as number) * slots;
      // A core that stays keeps its words but those holding CPU ids or addresses of cores that move: those are logged one by one.
      const moved = to !== from;
      if (moved) {
        const used = Math.max(this.liveSlots(source, from), this.liveSlots(source, to));
        for (let k = 0; k < used; k++) state[to + k] = source[from + k] as number;
        log?.add(to, to + used);
      }
      const each = moved ? null : log;
      put(state, to + Cpu.FP, this.mapAddress(source[from + Cpu.FP] as number, map), each);
      put(state, to + Cpu.SP, this.mapAddress(source[from + Cpu.SP] as number, map), each);
      let fp = source[from + Cpu.FP] as number;
      while (fp > 0) {
        const nfp = this.mapAddress(fp, map);
        const prev = source[fp + Frame.PREV_FP] as number;
        put(state, nfp + Frame.PREV_FP, this.mapAddress(prev, map), each);
        const fn = (source[fp + Frame.FN] as number) - 1;
        if (fn >= 0) {
          for (let t = this.typedFrom[fn] as number, end = this.typedFrom[fn + 1] as number; t < end; t++) {
            const off = this.typedOffset[t] as number;
            put(state, nfp + off, this.mapValue(this.typedRole[t] as number, source[fp + off] as number, map), each);
          }
        }
        fp = prev;
      }
    }
  }

  private mapValue(role: number, v: number, map: Int32Array): number {
    switch (role) {
      case SlotRole.CPU:
        return v >= 0 && v < this.cpus ? (map[v] as number) : v;
      case SlotRole.ADDRESS:
        return this.mapAddress(v, map);
      case SlotRole.MASK: {
        let out = 0;
        for (let c = 0; c < this.cpus; c++) if ((v & (1 << c)) !== 0) out |= 1 << (map[c] as number);
        return out;
      }
      default:
        return v;
    }
  }

  /** Where address `a` goes when CPU c goes to map[c]: CPU regions and CPU-indexed elements move, the rest stays. */
  mapAddress(a: number, map: Int32Array): number {
    if (a <= 0 || a >= this.stateSlots) return a;
    const c = this.slotCpu[a] as number;
    return c < 0 ? a : a + ((map[c] as number) - c) * (this.slotStride[a] as number);
  }

  /** A hash of core k's content that does not depend on where the core sits. */
  private coreKey(s: Int32Array, k: number): number {
    let h = 0x811c9dc5 | 0;
    const smt = this.smt;
    for (let t = 0; t < smt; t++) {
      const c = k * smt + t;
      if (c >= this.cpus) break;
      const base = this.cpuBase0 + c * this.cpuSlots;
      // Stack slots at and above SP are zero (and SP itself is hashed): roles and hashing stop there.
      const live = this.liveSlots(s, base);
      const roles = this.regionRoles;
      roles.fill(0, 0, live);
      roles[Cpu.FP] = SlotRole.ADDRESS;
      roles[Cpu.SP] = SlotRole.ADDRESS;
      let fp = s[base + Cpu.FP] as number;
      while (fp > base && fp < base + this.cpuSlots) {
        roles[fp - base + Frame.PREV_FP] = SlotRole.ADDRESS;
        const fn = (s[fp + Frame.FN] as number) - 1;
        if (fn >= 0) {
          for (let t = this.typedFrom[fn] as number, end = this.typedFrom[fn + 1] as number; t < end; t++) {
            const at = fp - base + (this.typedOffset[t] as number);
            if (at < this.cpuSlots) roles[at] = this.typedRole[t] as number;
          }
        }
        fp = s[fp + Frame.PREV_FP] as number;
      }
      for (let i = 0; i < live; i++) {
        const role = roles[i] as number;
        const v = s[base + i] as number;
        h = mix(h, role === 0 ? v : this.relative(role, v, k));
      }
      for (let i = 0; i < this.arrayBase.length; i++) {
        const stride = this.arrayStride[i] as number;
        const from = (this.arrayBase[i] as number) + c * stride;
        const roleBase = (this.arrayBase[i] as number) - this.globalsBase;
        for (let j = 0; j < stride; j++) h = mix(h, this.relative(this.globalRoles[roleBase + j] as number, s[from + j] as number, k));
      }
      // Its bit in every cpumask word outside CPU-indexed arrays.
      const fixed = this.fixedSlots;
      for (let i = 0; i < fixed.length; i++) {
        if (this.fixedRoles[i] === SlotRole.MASK) h = mix(h, ((s[fixed[i] as number] as number) >>> c) & 1);
      }
    }
    // Non-negative doubles sort as numbers.
    return h >>> 0;
  }

  /** A value of core k made independent of k's place. */
  private relative(role: number, v: number, k: number): number {
    const smt = this.smt;
    switch (role) {
      case SlotRole.CPU:
        if (v < smt || v >= this.cpus) return v;
        return this.coreOf[v] === k ? OWN_THREAD_MARK + (v % smt) : OTHER_CORE_MARK;
      case SlotRole.ADDRESS: {
        if (v <= 0 || v >= this.stateSlots) return v;
        // Globals and core 0's places as themselves.
        const c = this.slotCpu[v] as number;
        if (c < smt) return v;
        return this.coreOf[c] === k ? (this.slotOwnMark[v] as number) : OTHER_CORE_MARK;
      }
      case SlotRole.MASK: {
        // Core 0's bits, this core's bits by thread, and how many other CPUs.
        let out = 0;
        let others = 0;
        for (let c = 0; c < this.cpus; c++) {
          if ((v & (1 << c)) === 0) continue;
          if (c < smt) out |= 1 << c;
          else if (this.coreOf[c] === k) out |= 1 << (8 + (c % smt));
          else others++;
        }
        return out + others * 65536;
      }
      default:
        return v;
    }
  }

  /**
   * Every image of (slot, cpu) under the group, the identity included: for
   * each permutation g of the cores after core 0, `emit(g(slot), g(cpu))`,
   * each distinct image once or more. A slot in a CPU region or a
   * CPU-indexed element moves with its CPU; any other slot stays (its
   * contents may change, not its place). For partial-order reduction, whose
   * who-accesses-what relation must be closed under the group. The images
   * come from where g sends the slot's core and the CPU's core, not from
   * the (cores - 1)! permutations themselves: at most (cores - 1)² of them.
   */
  imagesOf(slot: number, cpu: number, emit: (slot: number, cpu: number) => void): void {
    const owner = slot > 0 && slot < this.stateSlots ? (this.slotCpu[slot] as number) : -1;
    const slotCore = owner < 0 ? 0 : (this.coreOf[owner] as number);
    const cpuCore = cpu >= 0 && cpu < this.cpus ? (this.coreOf[cpu] as number) : 0;
    // Core 0 stays; a core after it may go to any core after it, two different ones to any two different ones.
    const slotTo = (k: number): number => (slotCore === 0 ? slot : slot + (k - slotCore) * this.smt * (this.slotStride[slot] as number));
    const cpuTo = (k: number): number => (cpuCore === 0 ? cpu : cpu + (k - cpuCore) * this.smt);
    if (slotCore === 0 && cpuCore === 0) {
      emit(slot, cpu);
      return;
    }
    for (let k = 1; k < this.cores; k++) {
      if (slotCore === 0 || cpuCore === 0 || slotCore === cpuCore) {
        emit(slotTo(k), cpuTo(k));
        continue;
      }
      for (let j = 1; j < this.cores; j++) if (j !== k) emit(slotTo(k), cpuTo(j));
    }
  }
}

/** `slotCore` values: a slot no core's key reads; a slot every core's key reads. */
const NO_CORE = -1;
const ALL_CORES = -2;

/** Writes `v` at `at` in `state`, telling `log` (if any) when it changes what was there. */
function put(state: Int32Array, at: number, v: number, log: StateWriteLog | null): void {
  if (state[at] === v) return;
  state[at] = v;
  log?.add(at, at + 1);
}

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193) ^ (v >>> 16);
}

/** Whether transitions of this kind name a CPU in their low byte (a device raise names a device). */
function namesCpu(kind: number): boolean {
  return kind !== TransitionKind.DEVICE_RAISE;
}

/**
 * The real path behind a path the search logged between canonical states:
 * replays it from the real initial state, mapping each transition's CPU
 * back through the permutations canonicalization applied on the way. Rare
 * path: allocates.
 */
export function realizePath(system: MachineSystem, symmetry: CoreSymmetry, path: Path, last: number): { path: number[]; transition: number } {
  const real = new Int32Array(system.stateSlots);
  system.writeInitialState(real);
  const canon = real.slice();
  symmetry.canonicalize(canon);
  // toCanon[c]: the canonical CPU of real CPU c; fromCanon is its inverse.
  const toCanon = symmetry.lastMap.slice();
  const fromCanon = new Int32Array(symmetry.cpus);
  const out: number[] = [];
  const back = (t: number): number => {
    if (t < 0 || !namesCpu(transitionKind(t))) return t;
    const c = transitionCpu(t);
    return (t & ~0xff) | (fromCanon[c] as number);
  };
  for (let c = 0; c < symmetry.cpus; c++) fromCanon[toCanon[c] as number] = c;
  for (const t of path) {
    // Time runs out first for the lowest CPU among those whose waits end together: an order the permutation does not
    // keep. The real state names the CPU the machine reports there.
    const r = t >= 0 && transitionKind(t) === TransitionKind.TIME ? (timeoutReportedIn(system, real) ?? back(t)) : back(t);
    out.push(r);
    if (!system.apply(real, r) || !system.apply(canon, t)) throw new Error('irqcheck bug: a path between canonical states does not replay');
    symmetry.canonicalize(canon);
    const step = symmetry.lastMap;
    for (let c = 0; c < symmetry.cpus; c++) toCanon[c] = step[toCanon[c] as number] as number;
    for (let c = 0; c < symmetry.cpus; c++) fromCanon[toCanon[c] as number] = c;
  }
  // A transition's violation ends the path with that transition (findingAt), mapped with the rest.
  return { path: out, transition: last >= 0 ? (out[out.length - 1] as number) : last };
}

/** The time-passing transition the machine reports as a timeout when it expands `state`, or null. Rare path. */
function timeoutReportedIn(system: MachineSystem, state: Int32Array): number | null {
  let found: number | null = null;
  system.expand(state, {
    successor: () => true,
    violation: (transition) => {
      if (transition >= 0 && transitionKind(transition) === TransitionKind.TIME) found = transition;
      return true;
    },
    warning: () => undefined,
  });
  return found;
}

/** Whether the search used symmetry reduction, and the sentence that says so (or why not). */
export interface SymmetryNote {
  readonly reduced: boolean;
  readonly note: string;
  /** The configuration has fewer than two movable cores: nothing to say in a terminal report. */
  readonly trivial?: boolean;
}

/**
 * Gives `system` its core symmetry when compile's CPU-id analysis types the
 * model; else leaves it without and says why. Rare path.
 */
export function attachSymmetry(system: MachineSystem, plan: CpuSymmetry): SymmetryNote {
  const p = system.program;
  if (plan.kind === 'broken') {
    const at = plan.loc === null ? '' : ` (${plan.loc.file}:${plan.loc.line})`;
    const movableCores = Math.floor(p.config.cpus / p.config.smt) - 1;
    system.symmetryNote = { reduced: false, note: `no symmetry reduction: ${plan.reason}${at}`, ...(movableCores < 2 ? { trivial: true } : {}) };
    return system.symmetryNote;
  }
  const symmetry = new CoreSymmetry(p, plan, system.vm.writes, system.options.verifyShortcuts === true);
  system.symmetry = symmetry;
  system.reduction?.closeUnder(symmetry);
  const cores = symmetry.cores - 1;
  system.symmetryNote = { reduced: true, note: `symmetry reduction: the ${cores} cores after core 0 (${p.config.smt === 1 ? 'one CPU' : `${p.config.smt} threads`} each) are interchangeable` };
  return system.symmetryNote;
}

/** A finding's path mapped back from canonical states to the real machine (identity without symmetry). */
export function realFinding<F extends { readonly path: Path; readonly transition: number }>(system: MachineSystem, finding: F): F {
  const symmetry = system.symmetry;
  if (!(symmetry instanceof CoreSymmetry)) return finding;
  const real = realizePath(system, symmetry, finding.path, finding.transition);
  return { ...finding, path: real.path, transition: real.transition };
}
