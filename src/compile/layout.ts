/**
 * The state vector's layout: every field and bit, by name.
 *
 * ```
 * slot 0                  always 0, so address 0 is NULL
 * [ENV_BASE ..)           the environment (budgets, run status)
 * [globalsBase ..)        the model's and the kernel's globals
 * [cpuBase(c) ..)         per CPU: registers, then its stack of frames
 * ```
 *
 * A CPU's stack holds frames back to back, innermost last. A call frame is
 * `[fn+1, return pc, caller fp, spilled operand count, locals..., spill...]`;
 * an interrupt frame has the same four-slot header with `-kind` in the first
 * slot, the interrupted pc, fp and saved flags. Unused stack slots are kept
 * zero so equal machine states are equal vectors.
 */

/** Environment slots, from `ENV_BASE`. */
export const Env = {
  /** External NMIs that may still arrive. */
  NMIS_LEFT: 0,
  /** 1 once `main` has returned. */
  MAIN_DONE: 1,
  SLOTS: 2,
} as const;

export const ENV_BASE = 1;

/** Globals come before the CPUs so their addresses are known before stack sizes are. */
export const GLOBALS_BASE = ENV_BASE + Env.SLOTS;

/** CPU register slots, from `cpuBase(c)`. */
export const Cpu = {
  /** Program counter (an index into the code). */
  PC: 0,
  /** Absolute index of the current frame's header. */
  FP: 1,
  /** Absolute index of the first free stack slot. */
  SP: 2,
  /** `CpuFlag` bits. */
  FLAGS: 3,
  /** The MSR access in flight (msr number + 1), 0 if none: accesses have a begin and an end (a microcode update is one). */
  MSR: 4,
  /** `MsrAccess` of the access in flight. */
  MSR_KIND: 5,
  /** Function (index + 1) an idle CPU has been woken to run in task context, 0 if none. */
  WORK: 6,
  /** Nesting: NMI contexts entered (bits 0-7), IRQ contexts (8-15), exceptions (16-23). */
  NEST: 7,
  /**
   * `UcodeFlag` bits: this thread is applying a microcode update; on a
   * core's first thread, the core has been updated. A slot of its own, that
   * only the update writes: what another thread's MSR access checks depends
   * on nothing else this thread does.
   */
  UCODE: 8,
  /** Local APIC Interrupt Request Register: 256 bits, vector v at word v >> 5, bit v & 31. */
  IRR: 9,
  /** Local APIC In-Service Register, same layout. */
  ISR: 17,
  SLOTS: 25,
} as const;

/** Words of an APIC vector bitmap (IRR, ISR). */
export const APIC_VECTOR_WORDS = 8;

/** Bits of `Cpu.FLAGS`. */
export const CpuFlag = {
  /** RFLAGS.IF: maskable interrupts are delivered at boundaries. */
  IF: 1 << 0,
  /** Halted in the idle loop. */
  IDLE: 1 << 1,
  /** NMIs blocked (from NMI entry to the next IRET). */
  NMI_BLOCKED: 1 << 2,
  /** An NMI sent by the model (IPI or self-NMI) is pending/latched. */
  NMI_PENDING_MODEL: 1 << 3,
  /** An external NMI is pending/latched (coalesced with any other). */
  NMI_PENDING_EXTERNAL: 1 << 4,
  /** The CPU fetched an INT3: #BP is raised before any interrupt can be taken. */
  TRAP_PENDING: 1 << 5,
} as const;

/** Bits of `Cpu.UCODE`. */
export const UcodeFlag = {
  /** This thread is applying a microcode update (WRMSR 0x79 in flight). */
  UPDATING: 1 << 0,
  /** On a core's first thread: the core has been updated. */
  CORE_UPDATED: 1 << 1,
} as const;

/** `Cpu.MSR_KIND` values. */
export const MsrAccess = {
  READ: 1,
  WRITE: 2,
  UCODE_UPDATE: 3,
} as const;

/** Frame header slots, from the frame pointer. */
export const Frame = {
  /** fn index + 1 for a call frame; `-FrameKind` for an interrupt frame. */
  FN: 0,
  RET_PC: 1,
  PREV_FP: 2,
  /** Call frame: operands the caller spilled. Interrupt frame: saved `Cpu.FLAGS & IF`. */
  AUX: 3,
  HEADER: 4,
} as const;

/** Interrupt frame kinds (stored negated in `Frame.FN`). */
export const FrameKind = {
  IRQ: 1,
  NMI: 2,
  EXCEPTION: 3,
} as const;

export const NEST_NMI_SHIFT = 0;
export const NEST_IRQ_SHIFT = 8;
export const NEST_EXC_SHIFT = 16;
export const NEST_FIELD_MASK = 0xff;

/** Where each region of the state starts, for one configuration. */
export interface StateLayout {
  readonly cpus: number;
  /** Stack slots per CPU. */
  readonly stackSlots: number;
  /** Slots per CPU: registers then stack. */
  readonly cpuSlots: number;
  readonly cpuBase0: number;
  readonly globalsBase: number;
  readonly globalsSlots: number;
  /** Globals at [readOnlyBase, readOnlyEnd) are constant: reading them is invisible. */
  readonly readOnlyBase: number;
  readonly readOnlyEnd: number;
  readonly stateSlots: number;
}

/** First slot of CPU `c`'s registers. */
export function cpuBase(layout: StateLayout, c: number): number {
  return layout.cpuBase0 + c * layout.cpuSlots;
}

/** First slot of CPU `c`'s stack. */
export function stackBase(layout: StateLayout, c: number): number {
  return layout.cpuBase0 + c * layout.cpuSlots + Cpu.SLOTS;
}

export function makeLayout(cpus: number, stackSlots: number, globalsSlots: number, readOnlyStart: number, readOnlySlots: number): StateLayout {
  const cpuSlots = Cpu.SLOTS + stackSlots;
  const globalsBase = GLOBALS_BASE;
  const cpuBase0 = globalsBase + globalsSlots;
  return {
    cpus,
    stackSlots,
    cpuSlots,
    cpuBase0,
    globalsBase,
    globalsSlots,
    readOnlyBase: globalsBase + readOnlyStart,
    readOnlyEnd: globalsBase + readOnlyStart + readOnlySlots,
    stateSlots: cpuBase0 + cpus * cpuSlots,
  };
}
