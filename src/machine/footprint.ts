/**
 * What the transitions of one expansion touched outside the stepping CPU's
 * registers and stack frames: for partial-order reduction, which must know
 * which transitions of different CPUs may be dependent (DESIGN §6).
 *
 * Every shared access the VM and the builtins make goes through
 * `Vm.read`/`Vm.write`/`Vm.touch` (or the VM's own load and store
 * opcodes), which record it here when recording is on. An entry is a range
 * of slots, whether it was written, and the CPU whose transition made it.
 *
 * Hot while partial-order reduction is on: `add` appends to typed arrays and
 * allocates only when they double.
 */
/** Where the VM reports the shared accesses of a step (see `Vm.footprint`). */
export interface AccessRecorder {
  /** CPU `cpu`, at `pc`, read (or wrote) the slots [addr, addr + slots). */
  add(cpu: number, pc: number, addr: number, slots: number, write: boolean): void;
}

export class Footprint implements AccessRecorder {
  /** First slot of each entry. */
  addr: Int32Array;
  /** Slots of each entry; negative when the entry was written. */
  span: Int32Array;
  /** CPU whose transition made each entry. */
  cpu: Int32Array;
  /** Program counter of the instruction that made each entry (-1: none). */
  pc: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.addr = new Int32Array(capacity);
    this.span = new Int32Array(capacity);
    this.cpu = new Int32Array(capacity);
    this.pc = new Int32Array(capacity);
  }

  add(cpu: number, pc: number, addr: number, slots: number, write: boolean): void {
    if (this.length === this.addr.length) this.grow();
    const i = this.length++;
    this.pc[i] = pc;
    this.addr[i] = addr;
    this.span[i] = write ? -slots : slots;
    this.cpu[i] = cpu;
  }

  clear(): void {
    this.length = 0;
  }

  private grow(): void {
    const n = this.addr.length * 2;
    const addr = new Int32Array(n);
    const span = new Int32Array(n);
    const cpu = new Int32Array(n);
    const pc = new Int32Array(n);
    pc.set(this.pc);
    addr.set(this.addr);
    span.set(this.span);
    cpu.set(this.cpu);
    this.addr = addr;
    this.span = span;
    this.cpu = cpu;
    this.pc = pc;
  }
}
