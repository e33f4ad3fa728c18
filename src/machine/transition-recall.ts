/**
 * Transitions recalled from a state's parent instead of run again: the raw
 * breadth-first search's short cut (`TransitionRecall`).
 *
 * Why it holds. Say the transition from p to s changed the words W. Take
 * a CPU c whose expansion in p (its NMI or vector taken, its wake-up, its
 * step with the wait detector's solo runs) touched, outside its own
 * registers and stack, only words A, and say W meets neither A nor c's
 * registers and stack. Everything c's expansion looked at holds in s what
 * it held in p, so c's expansion in s is the same: the same transitions,
 * in the same order, writing the same values at the same words, with the
 * same outcome for the deadlock and timeout checks (progress, waiting,
 * counting down). Each successor is s with the words c's transition
 * changed in p changed alike (a word it wrote with the value it had is
 * either c's own, which only c changes, or in A, which s did not change).
 * By induction the part recalled in s is c's expansion in s, so s's
 * children may recall it in turn.
 *
 * What an expansion touched: every access the VM and the builtins make
 * outside the stepping CPU's own frames is reported to `Vm.footprint` (the
 * hook partial-order reduction records with), and every word the write log
 * names outside them counts too; `AccessRanges` keeps them as ranges. A
 * part with too many ranges, a violation, a warning, or a successor the
 * write log cannot describe is not kept for recall: that CPU runs again in
 * the children.
 *
 * The records. Each expansion writes one record: the record of its
 * state's parent, per CPU where its part is (-1: none), then items and
 * parts. A successor item is [transition, runs, then per run: start, end,
 * the new words]: the words the transition changed. Every successor handed
 * on gets one (if the log describes it), and the entry queued with a child
 * names its parent's record and the item, which gives W. A part is
 * [outcome, successors, where its accesses start, its successors' items,
 * then its accesses: count, (start, end) pairs]. A recalled part stays
 * where it is if it is in the parent's record, and is copied otherwise, so
 * a record refers no further back than its parent's. Records go to a
 * stream of chunks in the order of expansion; a breadth-first search
 * expands states in the order it queued them, so the parents' records it
 * reads come in the order they were written, and so do theirs: the chunks
 * before the one holding the grandparent's record are recycled. A record
 * whose state queued no child is dropped at once.
 *
 * A recalled successor is first offered to the search by its changed
 * words (`SuccessorSink.storedAlready`): most are stored already, and then
 * the successor is never written out.
 *
 * Hot: one record per expansion, a few words per successor; replaying a
 * part copies the parent's state and writes a few words per successor.
 * Allocates only when the stream needs a new chunk.
 */
import type { SuccessorSink, TransitionRecall } from '../check/index.js';
import type { AccessRecorder } from './footprint.js';
import type { StateWriteLog } from './write-log.js';

/** Words of a chunk of the record stream. */
const CHUNK_BITS = 16;
const CHUNK_WORDS = 1 << CHUNK_BITS;
/** Chunks addressable at once: positions stay below 2³¹. */
const CHUNK_SLOTS = 1 << (31 - CHUNK_BITS);
/** A record is kept within one chunk: past this size its successors are not recorded. */
const MAX_RECORD_WORDS = CHUNK_WORDS >>> 4;
/** Record header words: the record of the state's parent (-1: none), then per CPU where its part is (-1: none). */
const RECORD_PARENT = 0;
const RECORD_PARTS = 1;
/** Entry words: the parent's record, and where the item of the transition into the state is (-1: none). */
const ENTRY_RECORD = 0;
const ENTRY_ITEM = 1;
const ENTRY_SLOTS = 2;
/** Part header words. */
const PART_OUTCOME = 0;
const PART_SUCCESSORS = 1;
const PART_ACCESSES = 2;
const PART_HEADER = 3;
/** Access ranges a part may keep. */
const MAX_ACCESS_RANGES = 32;

/** Outcome bits of a part: the CPU's progress, and its per-CPU marks. */
export const PartOutcome = {
  PROGRESS: 1,
  WAITING: 2,
  TIMED: 4,
} as const;

/** The words a CPU's expansion touched outside its own registers and stack, as ranges; past a bound, too many. */
export class AccessRanges implements AccessRecorder {
  readonly ranges = new Int32Array(2 * MAX_ACCESS_RANGES);
  count = 0;
  overflow = false;

  clear(): void {
    this.count = 0;
    this.overflow = false;
  }

  add(_cpu: number, _pc: number, addr: number, slots: number): void {
    const end = addr + slots;
    const n = this.count;
    const ranges = this.ranges;
    for (let k = 0; k < 2 * n; k += 2) {
      // Already kept (a loop reading one flag over and over), or touching a kept range.
      if (addr >= (ranges[k] as number) && end <= (ranges[k + 1] as number)) return;
      if (addr === ranges[k + 1]) {
        ranges[k + 1] = end;
        return;
      }
    }
    if (n === MAX_ACCESS_RANGES) {
      this.overflow = true;
      return;
    }
    ranges[2 * n] = addr;
    ranges[2 * n + 1] = end;
    this.count = n + 1;
  }
}

/** What `TransitionRecorder` needs of the machine. */
export interface RecordedMachine {
  readonly cpus: number;
  readonly cpuBase0: number;
  readonly cpuSlots: number;
  readonly writes: StateWriteLog;
  /** The successor buffer every transition is written into. */
  readonly successorBuffer: Int32Array;
  /** A state is being expanded: the write log starts over, and the VM reports accesses to `accesses`. */
  startExpansion(): void;
  /** Expands `s` without recording (see `MachineSystem.expand`). */
  expand(s: Int32Array, sink: SuccessorSink): void;
  /** Expands CPU c (see `MachineSystem.expandCpu`): `CpuExpansion` bits. */
  expandCpu(s: Int32Array, c: number, sink: SuccessorSink): number;
  /** `PartOutcome` bits of CPU c after `expandCpu` returned `expansion`. */
  outcomeOf(c: number, expansion: number): number;
  /** Sets CPU c's marks from `PartOutcome` bits, as `expandCpu` would have; returns its `CpuExpansion` bits. */
  restoreOutcome(c: number, outcome: number): number;
  /** The environment's transitions and the end-of-run checks, once every CPU was expanded. */
  expandEnvironment(s: Int32Array, sink: SuccessorSink, stuck: boolean): void;
}

/** `CpuExpansion.STOPPED` and `.PROGRESS`, repeated to keep this module below the system's. */
const STOPPED = 1;
const PROGRESS = 2;

/**
 * A machine's `TransitionRecall`. Also the sink each expansion goes
 * through, on its way to the search's, to be recorded.
 */
export class TransitionRecorder implements TransitionRecall, SuccessorSink {
  readonly entrySlots = ENTRY_SLOTS;
  readonly accesses = new AccessRanges();
  /** CPU expansions recalled, and run afresh, so far. */
  recalled = 0;
  expandedAfresh = 0;
  private readonly chunks: (Int32Array | null)[] = new Array<Int32Array | null>(CHUNK_SLOTS).fill(null);
  private spare: Int32Array | null = null;
  /** Sequence numbers of the oldest chunk kept and of the one written. */
  private headSeq = 0;
  private tailSeq = 0;
  private tail: Int32Array;
  private tailAt = 0;
  /** The record being written: its start in `tail`, its position, and whether a child was queued with it. */
  private recordAt = -1;
  private recordPosition = -1;
  private queuedChild = false;
  /** The part being written: its start, -1 when it is not kept (the successors are still recorded). */
  private partAt = -1;
  /** The CPU whose part is being written. */
  private partCpu = 0;
  /** The item of the successor last handed on, -1 if it has none. */
  private lastItem = -1;
  /** Per word, the `epoch` of the item it was last placed in. */
  private readonly placed: Uint32Array;
  private epoch = 0;
  /** The state being expanded. */
  private expanding: Int32Array | null = null;
  /** False once `stop` was called (until the next search begins). */
  private recording = true;
  /** The search's sink, during an expansion. */
  private sink: SuccessorSink | null = null;
  /** The checking mode's fresh expansion of a recalled CPU, null when not checking. */
  private readonly fresh: FreshCopies | null;

  /** `verify`: also expand every recalled CPU afresh and throw on a difference (tests). */
  constructor(
    private readonly machine: RecordedMachine,
    verify = false,
  ) {
    this.tail = new Int32Array(CHUNK_WORDS);
    this.chunks[0] = this.tail;
    this.fresh = verify ? new FreshCopies() : null;
    this.placed = new Uint32Array(machine.cpuBase0 + machine.cpus * machine.cpuSlots);
  }

  get bytes(): number {
    if (!this.recording) return 0;
    return (this.tailSeq - this.headSeq + 1 + (this.spare === null ? 0 : 1)) * CHUNK_WORDS * 4;
  }

  stop(): void {
    this.recording = false;
    this.chunks.fill(null);
    this.spare = null;
    this.recordPosition = -1;
    this.lastItem = -1;
  }

  begin(): void {
    this.recording = true;
    this.chunks.fill(null);
    this.headSeq = 0;
    this.tailSeq = 0;
    this.chunks[0] = this.tail;
    this.tailAt = 0;
    this.recordAt = -1;
    this.recordPosition = -1;
    this.queuedChild = false;
    this.lastItem = -1;
  }

  writeEntry(out: Int32Array): void {
    if (!this.recording) {
      out[ENTRY_RECORD] = -1;
      out[ENTRY_ITEM] = -1;
      return;
    }
    out[ENTRY_RECORD] = this.recordPosition;
    out[ENTRY_ITEM] = this.lastItem;
    this.queuedChild = true;
  }

  expand(s: Int32Array, sink: SuccessorSink, entry: Int32Array): void {
    const machine = this.machine;
    if (!this.recording) {
      machine.expand(s, sink);
      return;
    }
    machine.startExpansion();
    const parent = entry[ENTRY_RECORD] as number;
    const item = entry[ENTRY_ITEM] as number;
    // The parent's record refers to parts in its own parent's, the oldest any later expansion reads.
    if (parent >= 0) this.release(this.word(parent + RECORD_PARENT));
    this.startRecord(parent);
    this.sink = sink;
    this.expanding = s;
    let stuck = true;
    for (let c = 0; c < machine.cpus; c++) {
      const part = parent >= 0 && item >= 0 ? this.word(parent + RECORD_PARTS + c) : -1;
      const expansion = part >= 0 && this.unaffected(part, item, c) ? this.recall(s, c, sink, part, parent) : this.recordCpu(s, c);
      if ((expansion & STOPPED) !== 0) {
        this.sink = null;
        return;
      }
      if ((expansion & PROGRESS) !== 0) stuck = false;
    }
    machine.expandEnvironment(s, this, stuck);
    this.sink = null;
  }

  successor(state: Int32Array, transition: number): boolean {
    const writes = this.machine.writes;
    this.lastItem = state === this.machine.successorBuffer && writes.vouchesFor(state) ? this.recordItem(state, transition, writes) : -1;
    if (this.lastItem < 0) this.partAt = -1;
    else if (this.partAt >= 0) {
      this.tail[this.partAt + PART_SUCCESSORS]++;
      this.touchWrites(writes);
    }
    return (this.sink as SuccessorSink).successor(state, transition);
  }

  violation(transition: number, code: number): boolean {
    this.partAt = -1;
    return (this.sink as SuccessorSink).violation(transition, code);
  }

  warning(transition: number, code: number): void {
    this.partAt = -1;
    (this.sink as SuccessorSink).warning(transition, code);
  }

  /**
   * Whether CPU c's part at `part` holds in the child whose transition is
   * the item at `item`: the transition changed neither c's registers and
   * stack nor a word the part touched.
   */
  private unaffected(part: number, item: number, c: number): boolean {
    const { cpuBase0, cpuSlots } = this.machine;
    const own = cpuBase0 + c * cpuSlots;
    const writes = this.chunkOf(item);
    const parts = this.chunkOf(part);
    const p = part & (CHUNK_WORDS - 1);
    const accesses = p + (parts[p + PART_ACCESSES] as number);
    const touched = parts[accesses] as number;
    let w = item & (CHUNK_WORDS - 1);
    const runs = writes[w + 1] as number;
    w += 2;
    for (let r = 0; r < runs; r++) {
      const start = writes[w] as number;
      const end = writes[w + 1] as number;
      w += 2 + end - start;
      if (start < own + cpuSlots && end > own) return false;
      for (let a = accesses + 1; a < accesses + 1 + 2 * touched; a += 2) if (start < (parts[a + 1] as number) && end > (parts[a] as number)) return false;
    }
    return true;
  }

  /**
   * Adds what the successor's log says it wrote outside the part's CPU's
   * own words to what the part touched: the log may name words the VM did
   * not report (a task's exit notes `main`'s end for every CPU), and a
   * word the part writes must keep the part's value in the child.
   */
  private touchWrites(writes: StateWriteLog): void {
    const { cpuBase0, cpuSlots } = this.machine;
    const own = cpuBase0 + this.partCpu * cpuSlots;
    const ranges = writes.ranges;
    for (let k = 0; k < 2 * writes.count; k += 2) {
      const start = ranges[k] as number;
      const end = ranges[k + 1] as number;
      if (start < own || end > own + cpuSlots) this.accesses.add(this.partCpu, -1, start, end - start);
    }
  }

  /** Expands CPU c afresh, keeping its part if it can be recalled. */
  private recordCpu(s: Int32Array, c: number): number {
    this.expandedAfresh++;
    const at = this.tailAt;
    const kept = at + PART_HEADER + MAX_ACCESS_RANGES * 2 + 1 - this.recordAt <= MAX_RECORD_WORDS;
    this.partAt = kept ? at : -1;
    if (kept) {
      this.tail[at + PART_SUCCESSORS] = 0;
      this.tailAt = at + PART_HEADER;
    }
    this.accesses.clear();
    this.partCpu = c;
    const expansion = this.machine.expandCpu(s, c, this);
    if (this.partAt >= 0 && !this.accesses.overflow && (expansion & STOPPED) === 0 && this.fits(1 + 2 * this.accesses.count)) {
      const tail = this.tail;
      let p = this.tailAt;
      tail[at + PART_OUTCOME] = this.machine.outcomeOf(c, expansion);
      tail[at + PART_ACCESSES] = p - at;
      const { ranges, count } = this.accesses;
      tail[p++] = count;
      for (let k = 0; k < 2 * count; k++) tail[p++] = ranges[k] as number;
      this.tailAt = p;
      tail[this.recordAt + RECORD_PARTS + c] = this.positionOf(at);
    } else if (this.partAt >= 0 && this.tail[at + PART_SUCCESSORS] === 0) {
      // Nothing of it is named by an entry: give its words back.
      this.tailAt = at;
    }
    this.partAt = -1;
    return expansion;
  }

  /**
   * Appends the item of a successor to the record: the runs of words where
   * it differs from the state expanded, among those its log names; returns
   * where the item is, -1 if it does not fit. (A word written
   * with the value it had needs no place: outside the CPU's own words it is
   * among the part's accesses, which the child's transition did not
   * change; inside them, nothing but the CPU changes it.)
   */
  private recordItem(state: Int32Array, transition: number, writes: StateWriteLog): number {
    const ranges = writes.ranges;
    const count = writes.count;
    let words = 2;
    for (let k = 0; k < 2 * count; k += 2) words += 2 * ((ranges[k + 1] as number) - (ranges[k] as number));
    // Room is left for the part's accesses.
    if (!this.fits(words + (this.partAt >= 0 ? 1 + 2 * MAX_ACCESS_RANGES : 0))) return -1;
    const parent = this.expanding as Int32Array;
    const tail = this.tail;
    const at = this.tailAt;
    let p = at + 2;
    let runs = 0;
    /** Where the open run's end is written, and the word that would extend it. */
    let runEnd = -1;
    let next = -1;
    // A word the log names twice (its ranges may overlap) goes in once.
    const placed = this.placed;
    if (++this.epoch === 0x1_0000_0000) {
      placed.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    for (let k = 0; k < 2 * count; k += 2) {
      for (let i = ranges[k] as number, end = ranges[k + 1] as number; i < end; i++) {
        const w = state[i] as number;
        if (w === parent[i] || placed[i] === epoch) continue;
        placed[i] = epoch;
        if (i !== next) {
          if (runEnd >= 0) tail[runEnd] = next;
          tail[p++] = i;
          runEnd = p++;
          runs++;
        }
        tail[p++] = w;
        next = i + 1;
      }
    }
    if (runEnd >= 0) tail[runEnd] = next;
    tail[at] = transition;
    tail[at + 1] = runs;
    this.tailAt = p;
    return this.positionOf(at);
  }

  /**
   * CPU c's expansion in `s`, recalled from its part at `part`: each
   * successor is `s` with its item's words changed. This state's record
   * refers to the part where it is in the parent's record (`parent`), and
   * holds a copy of it otherwise (the parent referred to its own parent's,
   * which this state's children may no longer find).
   */
  private recall(s: Int32Array, c: number, sink: SuccessorSink, part: number, parent: number): number {
    this.recalled++;
    const machine = this.machine;
    let items = this.chunkOf(part);
    let at = part & (CHUNK_WORDS - 1);
    /** Where the part is for this state's children, -1 if they cannot find it. */
    let kept = part;
    if (part >>> CHUNK_BITS !== parent >>> CHUNK_BITS || at < (parent & (CHUNK_WORDS - 1))) {
      const accesses = at + (items[at + PART_ACCESSES] as number);
      const length = accesses + 1 + 2 * (items[accesses] as number) - at;
      kept = -1;
      if (this.fits(length)) {
        const tail = this.tail;
        const copy = this.tailAt;
        for (let i = 0; i < length; i++) tail[copy + i] = items[at + i] as number;
        this.tailAt = copy + length;
        items = tail;
        at = copy;
        kept = this.positionOf(copy);
      }
    }
    this.tail[this.recordAt + RECORD_PARTS + c] = kept;
    const writes = machine.writes;
    const succ = machine.successorBuffer;
    const successors = items[at + PART_SUCCESSORS] as number;
    const fresh = this.fresh;
    if (fresh !== null) fresh.take(machine, s, c);
    let p = at + PART_HEADER;
    for (let k = 0; k < successors; k++) {
      const item = p;
      const transition = items[p++] as number;
      const runs = items[p++] as number;
      if (fresh === null && sink.storedAlready !== undefined && sink.storedAlready(transition, items, p, runs)) {
        p = skipRuns(items, p, runs);
        continue;
      }
      succ.set(s);
      writes.begin(succ);
      for (let r = 0; r < runs; r++) {
        const start = items[p++] as number;
        const end = items[p++] as number;
        for (let i = start; i < end; i++) succ[i] = items[p++] as number;
        writes.add(start, end);
      }
      if (fresh !== null) fresh.check(k, succ, transition, c);
      this.lastItem = kept >= 0 ? kept + (item - at) : -1;
      if (!sink.successor(succ, transition)) return STOPPED;
    }
    if (fresh !== null) fresh.checkCount(successors, c);
    return machine.restoreOutcome(c, items[at + PART_OUTCOME] as number);
  }

  /** The chunk holding `position`. */
  private chunkOf(position: number): Int32Array {
    return this.chunks[position >>> CHUNK_BITS] as Int32Array;
  }

  /** The word at `position`. */
  private word(position: number): number {
    return this.chunkOf(position)[position & (CHUNK_WORDS - 1)] as number;
  }

  /** The position of offset `at` of the chunk being written. */
  private positionOf(at: number): number {
    return ((this.tailSeq & (CHUNK_SLOTS - 1)) << CHUNK_BITS) | at;
  }

  /** Whether `words` more fit in this record. */
  private fits(words: number): boolean {
    return this.tailAt + words - this.recordAt <= MAX_RECORD_WORDS;
  }

  /** Starts this expansion's record (its state's parent's at `parent`); the last one is dropped if it queued no child. */
  private startRecord(parent: number): void {
    if (this.recordAt >= 0 && !this.queuedChild) this.tailAt = this.recordAt;
    if (this.tailAt + MAX_RECORD_WORDS > CHUNK_WORDS) this.nextChunk();
    const cpus = this.machine.cpus;
    const tail = this.tail;
    this.recordAt = this.tailAt;
    this.recordPosition = this.positionOf(this.tailAt);
    tail[this.recordAt + RECORD_PARENT] = parent;
    for (let c = 0; c < cpus; c++) tail[this.recordAt + RECORD_PARTS + c] = -1;
    this.tailAt += RECORD_PARTS + cpus;
    this.queuedChild = false;
    this.lastItem = -1;
  }

  /** Recycles the chunks before the one holding the record at `position` (none if -1): no later expansion reads them. */
  private release(position: number): void {
    if (position < 0) return;
    const slot = position >>> CHUNK_BITS;
    while ((this.headSeq & (CHUNK_SLOTS - 1)) !== slot && this.headSeq < this.tailSeq) {
      const index = this.headSeq & (CHUNK_SLOTS - 1);
      this.spare = this.chunks[index] ?? null;
      this.chunks[index] = null;
      this.headSeq++;
    }
  }

  private nextChunk(): void {
    if (this.tailSeq - this.headSeq >= CHUNK_SLOTS - 1) throw new Error('irqcheck bug: the transition records outgrew their addresses');
    this.tailSeq++;
    this.tail = this.spare ?? new Int32Array(CHUNK_WORDS);
    this.spare = null;
    this.chunks[this.tailSeq & (CHUNK_SLOTS - 1)] = this.tail;
    this.tailAt = 0;
    this.recordAt = -1;
  }
}

/** The offset past `runs` runs from `items[p]` (see `SuccessorSink.storedAlready`). */
function skipRuns(items: Int32Array, p: number, runs: number): number {
  for (let r = 0; r < runs; r++) p += 2 + (items[p + 1] as number) - (items[p] as number);
  return p;
}

/** The checking mode's fresh expansion of one CPU, to compare a recalled part with. Allocates. */
class FreshCopies implements SuccessorSink {
  private states: Int32Array[] = [];
  private transitions: number[] = [];

  take(machine: RecordedMachine, s: Int32Array, c: number): void {
    this.states = [];
    this.transitions = [];
    machine.expandCpu(s, c, this);
  }

  successor(state: Int32Array, transition: number): boolean {
    this.states.push(state.slice());
    this.transitions.push(transition);
    return true;
  }

  violation(): boolean {
    throw new Error('irqcheck bug: a recalled CPU violates when run afresh');
  }

  warning(): void {
    throw new Error('irqcheck bug: a recalled CPU warns when run afresh');
  }

  check(k: number, state: Int32Array, transition: number, c: number): void {
    const fresh = this.states[k];
    if (fresh === undefined || this.transitions[k] !== transition) throw new Error(`irqcheck bug: CPU${c}'s recalled transition ${k} is not the one it takes afresh`);
    for (let i = 0; i < state.length; i++) if (state[i] !== fresh[i]) throw new Error(`irqcheck bug: CPU${c}'s recalled transition ${k} writes word ${i} unlike a fresh one`);
  }

  checkCount(count: number, c: number): void {
    if (count !== this.states.length) throw new Error(`irqcheck bug: CPU${c} recalled ${count} transitions, ${this.states.length} afresh`);
  }
}
