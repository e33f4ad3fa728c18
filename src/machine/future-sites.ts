/**
 * Which statements a CPU may still execute from where it stands: the
 * statements reachable from its program counter and from every return
 * address on its stack, through jumps and calls (an indirect call reaches
 * the address-taken functions of its arity), plus what an interrupt can run
 * (the NMI entry while an NMI may still come to it: one is pending, the
 * external budget is not spent, or some CPU can still reach a call that
 * sends one; the IRQ entry likewise, or while an MSI device may still
 * raise), the work it was woken for, and —
 * while some CPU can still reach a call that wakes CPUs — any function that
 * may be work.
 * Partial-order reduction asks it to forget accesses a CPU made in code it
 * has left for good — `main` registering NMI handlers before stop_machine —
 * which would otherwise make every later step of every CPU depend on it.
 *
 * A sound over-approximation: control reaches a statement only by falling
 * through, a jump, a call (direct, or indirect to an address-taken function
 * of the call's signature — C calls through a pointer of the function's
 * type — or, if none has it, of its arity: the model casts), a return to an address on the stack, an interrupt entry, or the
 * start of work an idle CPU was woken for (only what is already queued, or
 * what a wake call some CPU can still reach may queue).
 * Sets are bitsets over statement sites plus one extra bit, `alwaysSite`,
 * for accesses made outside any statement (and pcs outside any function).
 */
import { APIC_VECTOR_WORDS, builtinId, Cpu, CpuFlag, ENV_BASE, Env, FN_PTR_TAG, Frame, indirectCallees, Op, OPERANDS, TAG_MASK, type Program } from '../compile/index.js';

import { functionCode } from './function-code.js';
import { belowRaiseBudget, deviceFields, type DeviceFields } from './msi.js';

const NMI_PENDING = CpuFlag.NMI_PENDING_MODEL | CpuFlag.NMI_PENDING_EXTERNAL;

/**
 * What a CPU may run besides its own code: the NMI entry, the IRQ entry,
 * any work. The same bits say what running a set of sites may do to every
 * CPU: send an NMI, send a vector, wake one up.
 */
const Extra = {
  NMI: 1,
  IRQ: 2,
  WORK: 4,
  ALL: 7,
} as const;

/**
 * Where a CPU stands — its work, pc and the return addresses on its stack
 * — and the sites it may execute from there without new work or a new
 * interrupt; shared by every state with a CPU standing there (a search
 * meets a few hundred). `sends`: the `Extra` bits running them may give
 * every CPU.
 */
interface Standing {
  readonly position: Int32Array;
  readonly sites: Uint32Array;
  readonly sends: number;
}

export class FutureSites {
  /** Words of one bitset. */
  private readonly words: number;
  /** The bit of accesses made outside any statement: in every future. */
  readonly alwaysSite: number;
  private readonly program: Program;
  /** Per pc, the function whose code holds it, or -1. */
  private readonly fnAt: Int32Array;
  /** Per function, [start, end) of its code. */
  private readonly fnStart: Int32Array;
  private readonly fnEnd: Int32Array;
  /** Per function, every site it or its callees may run. */
  private readonly allSites: Uint32Array[];
  /** What an NMI and a vectored interrupt run. */
  private readonly nmiSites: Uint32Array;
  private readonly irqSites: Uint32Array;
  /** What work a wake-up may start: every address-taken function. */
  private readonly anyWork: Uint32Array;
  /** The sites that wake a CPU, send an NMI, request a vector. */
  private readonly wakeSites: Uint32Array;
  private readonly nmiSendSites: Uint32Array;
  private readonly vectorSendSites: Uint32Array;
  /** Address-taken functions: the targets of indirect calls. */
  private readonly addressTaken: readonly number[];
  /** What an indirect call may reach, by signature index and argument count (see `calleesOf`). */
  private readonly indirectTargets = new Map<string, readonly number[]>();
  /** The MSI devices' field offsets (null if none): while one may still raise, any CPU may take a vector. */
  private readonly devices: DeviceFields | null;
  /** Reachable sites from a pc (the last entry: pcs outside the code), computed on first use. */
  private readonly fromPc: (Uint32Array | undefined)[];
  /** Every `Standing` seen, by a hash of its position. */
  private readonly standings = new Map<number, Standing[]>();
  /** Scratch: the position of the CPU being looked up. */
  private readonly position: Int32Array;
  /** After `update`, per CPU: where it stands, and the `Extra` sets it may run besides. */
  private readonly standing: (Standing | null)[];
  private readonly extras: Uint8Array;
  /** Per combination of `Extra` bits: what running those sets may do to every CPU (`sendsOf`). */
  private readonly extraSends: Uint8Array;

  constructor(program: Program) {
    this.program = program;
    this.devices = deviceFields(program);
    this.alwaysSite = program.sites.length;
    this.words = (program.sites.length >> 5) + 1;
    const code = program.code;
    const fns = program.functions;
    this.fnAt = new Int32Array(code.length).fill(-1);
    this.fromPc = new Array<Uint32Array | undefined>(code.length + 1);
    ({ start: this.fnStart, end: this.fnEnd } = functionCode(program));
    fns.forEach((f) => {
      if ((this.fnStart[f.index] as number) >= 0) this.fnAt.fill(f.index, this.fnStart[f.index], this.fnEnd[f.index]);
    });
    this.addressTaken = addressTakenFunctions(program);
    // Each function's own sites, then closed over its callees until nothing changes (recursion included).
    const own = fns.map((f) => this.sitesIn(this.fnStart[f.index] as number, this.fnEnd[f.index] as number));
    const callees = fns.map((f) => this.calleesIn(this.fnStart[f.index] as number, this.fnEnd[f.index] as number));
    this.allSites = own.map((bits) => bits.slice());
    for (let changed = true; changed; ) {
      changed = false;
      fns.forEach((f) => {
        const bits = this.allSites[f.index] as Uint32Array;
        for (const g of callees[f.index] as number[]) if (orInto(bits, this.allSites[g] as Uint32Array)) changed = true;
      });
    }
    const entrySites = (f: number): Uint32Array => (f >= 0 && f < fns.length ? (this.allSites[f] as Uint32Array).slice() : this.bitset());
    this.nmiSites = entrySites(program.entries.nmiEntry);
    this.irqSites = entrySites(program.entries.irqEntry);
    this.anyWork = this.bitset();
    for (const f of this.addressTaken) orInto(this.anyWork, this.allSites[f] as Uint32Array);
    this.wakeSites = this.callSites('__irqcheck_wake');
    this.nmiSendSites = this.callSites('__irqcheck_send_nmi');
    this.vectorSendSites = this.callSites('__irqcheck_send_vector');
    const L = program.layout;
    this.position = new Int32Array(2 + L.cpuSlots);
    this.standing = new Array<Standing | null>(program.config.cpus).fill(null);
    this.extras = new Uint8Array(program.config.cpus);
    this.extraSends = new Uint8Array(Extra.ALL + 1);
    const sets: [number, Uint32Array][] = [
      [Extra.NMI, this.nmiSites],
      [Extra.IRQ, this.irqSites],
      [Extra.WORK, this.anyWork],
    ];
    for (let extra = 0; extra <= Extra.ALL; extra++) {
      for (const [bit, sites] of sets) if ((extra & bit) !== 0) this.extraSends[extra] = (this.extraSends[extra] as number) | this.sendsOf(sites);
    }
  }

  /** The sites that call builtin `name`. */
  private callSites(name: string): Uint32Array {
    const bits = this.bitset();
    const id = builtinId(name);
    const code = this.program.code;
    for (let pc = 0; pc < code.length; pc += 1 + (OPERANDS[code[pc] as number] ?? 0)) {
      if ((code[pc] as number) === Op.BUILTIN && (code[pc + 1] as number) === id) setBit(bits, this.siteOf(pc));
    }
    return bits;
  }

  /** A fresh, empty bitset. */
  private bitset(): Uint32Array {
    return new Uint32Array(this.words);
  }

  /** The statement site of an access at `pc` (`alwaysSite` outside statements). */
  siteOf(pc: number): number {
    const site = pc >= 0 ? (this.program.pcSite[pc] ?? -1) : -1;
    return site >= 0 ? site : this.alwaysSite;
  }

  /**
   * Works out the sites each CPU of `s` may still execute (ask `may`):
   * what it runs without new work or a new interrupt; the NMI entry if an
   * NMI is pending on it, the external budget is not spent, or some CPU may
   * still send one (to any CPU: the target is not known); the IRQ entry
   * likewise, or if an MSI device may still raise (its message may name any
   * CPU); and, if any CPU can still reach a wake call, any work it may
   * yet be given. What an entry or work adds may send or wake in turn: the
   * sets grow until they hold. A CPU's own part is looked up by where it
   * stands (`Standing`); the rest is a few bits per CPU.
   */
  update(s: Int32Array): void {
    const L = this.program.layout;
    const cpus = this.extras.length;
    const externalNmis = (s[ENV_BASE + Env.NMIS_LEFT] as number) > 0;
    let toAll = this.deviceMayRaise(s) ? Extra.IRQ : 0;
    for (let c = 0; c < cpus; c++) {
      this.standing[c] = this.standingOf(s, c);
      const cb = L.cpuBase0 + c * L.cpuSlots;
      let extra = toAll;
      if (externalNmis || ((s[cb + Cpu.FLAGS] as number) & NMI_PENDING) !== 0) extra |= Extra.NMI;
      for (let w = 0; w < APIC_VECTOR_WORDS; w++) if ((s[cb + Cpu.IRR + w] as number) !== 0) extra |= Extra.IRQ;
      this.extras[c] = extra;
    }
    for (;;) {
      // What some CPU may yet do (send an NMI, send a vector, wake a CPU) every CPU may be given (the matching extra).
      let sent = toAll;
      for (let c = 0; c < cpus; c++) sent |= (this.standing[c] as Standing).sends | (this.extraSends[this.extras[c] as number] as number);
      if (sent === toAll) return;
      toAll = sent;
      for (let c = 0; c < cpus; c++) this.extras[c] = (this.extras[c] as number) | toAll;
    }
  }

  /** Whether CPU c of the state last given to `update` may still execute `site`. */
  may(c: number, site: number): boolean {
    const extra = this.extras[c] as number;
    return (
      hasBit((this.standing[c] as Standing).sites, site) ||
      ((extra & Extra.NMI) !== 0 && hasBit(this.nmiSites, site)) ||
      ((extra & Extra.IRQ) !== 0 && hasBit(this.irqSites, site)) ||
      ((extra & Extra.WORK) !== 0 && hasBit(this.anyWork, site))
    );
  }

  /** Whether some MSI device is still below its raise budget. */
  private deviceMayRaise(s: Int32Array): boolean {
    const f = this.devices;
    if (f === null) return false;
    for (const d of this.program.devices.addresses) if (belowRaiseBudget(s, d, f)) return true;
    return false;
  }

  /** CPU c's `Standing` in `s`: found by its work, pc and return addresses, made on first sight. */
  private standingOf(s: Int32Array, c: number): Standing {
    const L = this.program.layout;
    const cb = L.cpuBase0 + c * L.cpuSlots;
    const position = this.position;
    position[0] = s[cb + Cpu.WORK] as number;
    position[1] = s[cb + Cpu.PC] as number;
    let n = 2;
    // Every frame returns to the pc its header holds (an interrupt frame: the interrupted pc).
    let fp = s[cb + Cpu.FP] as number;
    for (let depth = 0; fp > 0 && depth < L.cpuSlots; depth++) {
      position[n++] = s[fp + Frame.RET_PC] as number;
      fp = s[fp + Frame.PREV_FP] as number;
    }
    let h = n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ (position[i] as number), 0x01000193) ^ ((position[i] as number) >>> 16);
    // A small integer key: V8 boxes int32s beyond 30 bits.
    h &= 0x3fffffff;
    let bucket = this.standings.get(h);
    if (bucket === undefined) {
      bucket = [];
      this.standings.set(h, bucket);
    }
    for (const known of bucket) if (samePosition(known.position, position, n)) return known;
    const made = this.standingAt(position.slice(0, n));
    bucket.push(made);
    return made;
  }

  /** The sites a CPU standing at `position` ([work, pc, return pcs…]) may execute without new work or a new interrupt. */
  private standingAt(position: Int32Array): Standing {
    const sites = this.bitset();
    setBit(sites, this.alwaysSite);
    const work = (position[0] as number) - 1;
    if (work >= 0 && work < this.allSites.length) orInto(sites, this.allSites[work] as Uint32Array);
    for (let i = 1; i < position.length; i++) orInto(sites, this.reachableFrom(position[i] as number));
    return { position, sites, sends: this.sendsOf(sites) };
  }

  /** What running some site of `sites` may do to every CPU, as the `Extra` it gives them. */
  private sendsOf(sites: Uint32Array): number {
    return (intersects(sites, this.nmiSendSites) ? Extra.NMI : 0) | (intersects(sites, this.vectorSendSites) ? Extra.IRQ : 0) | (intersects(sites, this.wakeSites) ? Extra.WORK : 0);
  }

  /** Sites reachable from `pc` inside its function, and everything its reachable calls may run. */
  private reachableFrom(pc: number): Uint32Array {
    const index = pc >= 0 && pc < this.fromPc.length - 1 ? pc : this.fromPc.length - 1;
    let bits = this.fromPc[index];
    if (bits !== undefined) return bits;
    bits = this.bitset();
    const fn = pc >= 0 && pc < this.fnAt.length ? (this.fnAt[pc] as number) : -1;
    if (fn < 0) {
      // The idle loop, task exit, IRET stub: what follows is an entry or a frame below, both counted elsewhere.
      setBit(bits, this.alwaysSite);
    } else {
      const code = this.program.code;
      const start = this.fnStart[fn] as number;
      const end = this.fnEnd[fn] as number;
      const seen = new Uint8Array(end - start);
      const work = [pc];
      while (work.length > 0) {
        const at = work.pop() as number;
        if (at < start || at >= end || seen[at - start] === 1) continue;
        seen[at - start] = 1;
        setBit(bits, this.siteOf(at));
        const op = code[at] as number;
        const next = at + 1 + (OPERANDS[op] ?? 0);
        switch (op) {
          case Op.JMP:
            work.push(code[at + 1] as number);
            break;
          case Op.JZ:
          case Op.JNZ:
            work.push(code[at + 1] as number, next);
            break;
          case Op.RET:
          case Op.IRET:
          case Op.TASK_EXIT:
          case Op.IDLE:
          case Op.FAULT:
            break;
          case Op.CALL:
            orInto(bits, this.allSites[code[at + 1] as number] as Uint32Array);
            work.push(next);
            break;
          case Op.CALLI:
            for (const g of this.calleesOf(code[at + 3] as number, code[at + 1] as number)) orInto(bits, this.allSites[g] as Uint32Array);
            work.push(next);
            break;
          default:
            work.push(next);
        }
      }
    }
    this.fromPc[index] = bits;
    return bits;
  }

  /** What an indirect call with signature `sig` (an index into `Program.callSignatures`) and `argc` arguments may reach. */
  private calleesOf(sig: number, argc: number): readonly number[] {
    const key = `${sig}:${argc}`;
    let targets = this.indirectTargets.get(key);
    if (targets === undefined) {
      const fns = this.program.functions;
      targets = indirectCallees(this.addressTaken, (f) => fns[f]?.signature ?? '', (f) => fns[f]?.params.length ?? -1, this.program.callSignatures[sig] ?? '', argc);
      this.indirectTargets.set(key, targets);
    }
    return targets;
  }

  private sitesIn(start: number, end: number): Uint32Array {
    const bits = this.bitset();
    if (start < 0) return bits;
    for (let pc = start; pc < end; pc++) setBit(bits, this.siteOf(pc));
    return bits;
  }

  private calleesIn(start: number, end: number): number[] {
    const out: number[] = [];
    if (start < 0) return out;
    const code = this.program.code;
    for (let pc = start; pc < end; pc += 1 + (OPERANDS[code[pc] as number] ?? 0)) {
      const op = code[pc] as number;
      if (op === Op.CALL) out.push(code[pc + 1] as number);
      else if (op === Op.CALLI) out.push(...this.calleesOf(code[pc + 3] as number, code[pc + 1] as number));
    }
    return out;
  }
}

/** Functions whose address the program takes: in code constants or in initialized globals. */
export function addressTakenFunctions(p: Program): number[] {
  const taken = new Set<number>();
  const consider = (v: number): void => {
    if (Number.isInteger(v) && (v & FN_PTR_TAG) !== 0 && (v & TAG_MASK) < p.functions.length) taken.add(v & TAG_MASK);
  };
  const code = p.code;
  for (let pc = 0; pc < code.length; pc += 1 + (OPERANDS[code[pc] as number] ?? 0)) {
    if ((code[pc] as number) === Op.CONST) consider(code[pc + 1] as number);
  }
  for (const v of p.constants) consider(v);
  for (const v of p.initialGlobals) consider(v);
  return [...taken];
}

function setBit(bits: Uint32Array, i: number): void {
  bits[i >> 5] = (bits[i >> 5] as number) | (1 << (i & 31));
}

/** Whether two bitsets share a bit. */
function intersects(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (((a[i] as number) & (b[i] as number)) !== 0) return true;
  return false;
}

/** ORs `from` into `into`; returns whether `into` changed. */
function orInto(into: Uint32Array, from: Uint32Array): boolean {
  let changed = false;
  for (let i = 0; i < into.length; i++) {
    const v = ((into[i] as number) | (from[i] as number)) >>> 0;
    if (v !== into[i]) {
      into[i] = v;
      changed = true;
    }
  }
  return changed;
}

/** Whether bit `i` is set. */
function hasBit(bits: Uint32Array, i: number): boolean {
  return (((bits[i >> 5] as number) >>> (i & 31)) & 1) !== 0;
}

/** Whether `known` is the first `n` words of `position`. */
function samePosition(known: Int32Array, position: Int32Array, n: number): boolean {
  if (known.length !== n) return false;
  for (let i = 0; i < n; i++) if (known[i] !== position[i]) return false;
  return true;
}
