/**
 * The compiled model: bytecode, state layout, initial memory image and the
 * side tables (source locations, names) that traces need. Produced by
 * `compile`, read by the machine and the kernel; never mutated after.
 */
import type { SourceLoc } from '../lang/index.js';
import type { CType } from './ctype.js';
import type { StateLayout } from './layout.js';
import type { WidthCode } from './opcodes.js';

/** The configuration a program is compiled for. */
export interface ModelConfig {
  /** Logical CPUs. */
  readonly cpus: number;
  /** Threads per core; the first thread of each core is its primary. */
  readonly smt: number;
  /** External NMIs that may arrive, each at any CPU and instruction boundary. */
  readonly nmis: number;
}

/** A statement's location and its source line, for traces and messages. */
export interface StatementSite extends SourceLoc {
  /** The source line, trimmed. */
  readonly text: string;
  /** The function the statement is in. */
  readonly fn: string;
}

/** A named variable in a frame or in globals, for state views and time acceleration. */
export interface VariableInfo {
  readonly name: string;
  readonly type: CType;
  /** Frame-relative offset (locals) or absolute address (globals), in slots. */
  readonly offset: number;
  readonly slots: number;
  /** Storage width when the variable is a scalar, else -1. */
  readonly width: WidthCode | -1;
  /** For globals: declared by the model (not the kernel prelude). */
  readonly isModel?: boolean;
}

export interface FunctionInfo {
  readonly name: string;
  readonly index: number;
  /** First instruction. */
  readonly entry: number;
  readonly params: readonly VariableInfo[];
  /** Every local including parameters. */
  readonly locals: readonly VariableInfo[];
  /** Slots of a frame: header, locals, spill area. */
  readonly frameSlots: number;
  /** Frame-relative offset of the spill area. */
  readonly spillOffset: number;
  readonly returnsValue: boolean;
  /** Defined in the model (not the built-in kernel). */
  readonly isModel: boolean;
  /** Runs as one step: no statement boundary inside (kernel primitives that are atomic in Linux). */
  readonly atomic: boolean;
  /** Its type as calls through pointers see it (`callSignature`). */
  readonly signature: string;
  readonly loc: SourceLoc;
}

/** Entry points the machine needs. */
export interface ProgramEntries {
  /** `int main(void)`, run by CPU 0. */
  readonly main: number;
  /** The NMI entry the machine calls on NMI delivery: `void f(int from_model)`. */
  readonly nmiEntry: number;
  /** The vectored-interrupt entry (common_interrupt): `void f(unsigned int vector)`; -1 if the model uses no APIC. */
  readonly irqEntry: number;
  /** Machine stubs: the idle loop, task exit, IRET. */
  readonly idlePc: number;
  readonly taskExitPc: number;
  readonly iretPc: number;
}

/** Globals of a struct type the machine knows (MSI devices, text sites). */
export interface DeviceTable {
  /** Absolute address of each device struct, in declaration order. */
  readonly addresses: readonly number[];
  /** The device's name in the model (its variable, with an index for arrays). */
  readonly names: readonly string[];
  /** Slot offset of each field of the device struct. */
  readonly fields: ReadonlyMap<string, number>;
  /** Where each device is declared. */
  readonly locs: readonly SourceLoc[];
}

export interface Program {
  readonly config: ModelConfig;
  readonly code: Int32Array;
  /** Constants too large for an int32 immediate. */
  readonly constants: Float64Array;
  readonly functions: readonly FunctionInfo[];
  readonly globals: readonly VariableInfo[];
  readonly layout: StateLayout;
  /** The globals region's initial contents. */
  readonly initialGlobals: Int32Array;
  /** Statement sites, indexed by STMT's loc operand. */
  readonly sites: readonly StatementSite[];
  /** For each pc, the site of the statement it belongs to (-1 for stubs). */
  readonly pcSite: Int32Array;
  /** The function types of calls through pointers, indexed by CALLI's `sig` operand (`callSignature`). */
  readonly callSignatures: readonly string[];
  /** String literals, indexed by their id. */
  readonly strings: readonly string[];
  readonly entries: ProgramEntries;
  /** MSI devices the environment drives. */
  readonly devices: DeviceTable;
  /** Patchable code sites (text_poke, exec_site). */
  readonly textSites: DeviceTable;
  /** Every source file read, for excerpts. */
  readonly sources: ReadonlyMap<string, string>;
  /** The file the model was loaded from. */
  readonly file: string;
}
