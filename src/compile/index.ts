/**
 * compile: the typed AST of a model → a `Program` for one configuration
 * (bytecode, the state layout, the initial memory image, and side tables of
 * sites and names for traces).
 *
 * Takes: a `TranslationUnit` from lang, a `ModelConfig`, and the kernel's
 * hooks (which of its objects are read-only, which functions are atomic).
 * Gives: a `Program`. Must not know: how the machine executes it, or the
 * search. Bad models throw located `IrqcheckError`s.
 */
export { compileProgram, MAX_OPERAND_DEPTH } from './compiler.js';
export type { KernelHooks } from './compiler.js';
export type { DeviceTable, FunctionInfo, ModelConfig, Program, ProgramEntries, StatementSite, VariableInfo } from './program.js';
export { BUILTINS, LOCAL_BUILTINS, builtinId, requireBuiltin } from './builtins.js';
export type { BuiltinSpec } from './builtins.js';
export { Op, OPERANDS, callArgc, callSpill, stackEffect, StmtFlag, Width, Kind, BinOp, UnOp, FN_PTR_TAG, STR_PTR_TAG, TAG_MASK } from './opcodes.js';
export type { WidthCode, KindCode } from './opcodes.js';
export { PRIVATE_ACCESS } from './expr.js';
export {
  Env, ENV_BASE, GLOBALS_BASE, Cpu, CpuFlag, APIC_VECTOR_WORDS, MsrAccess, UcodeFlag, Frame, FrameKind, cpuBase, stackBase,
  NEST_NMI_SHIFT, NEST_IRQ_SHIFT, NEST_EXC_SHIFT, NEST_FIELD_MASK,
} from './layout.js';
export type { StateLayout } from './layout.js';
export { clearSlots, normalize, storeNumber, loadNumber, widthSlots } from './slots.js';
export type { CType } from './ctype.js';
export { analyzeCpuSymmetry, SlotRole } from './cpu-id-analysis.js';
export type { CpuSymmetry, CpuIndexedArray } from './cpu-id-analysis.js';
export { indirectCallees, typeName } from './ctype.js';
