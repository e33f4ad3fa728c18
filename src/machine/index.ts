/**
 * machine: the x86 machine a program runs on (its steps compiled to
 * JavaScript, or interpreted) — CPUs with SMT topology,
 * task/NMI contexts, IF, NMI blocking and latching, MSR accesses and the
 * microcode update, external NMIs, abstract time — as a transition system
 * over flat states, and the replay that turns a found path into a trace.
 *
 * Takes: a compiled `Program` and the kernel's builtin table. Gives: a
 * `MachineSystem` (a check `TransitionSystem`) and `Violation`s with traces.
 * Must not know: C syntax, or how the search or the reports work.
 */
export { Vm, StepFlag, writingBuiltin } from './vm.js';
export type { BuiltinFn } from './vm.js';
export { MachineSystem, TransitionKind, transitionId, transitionKind, transitionCpu } from './system.js';
export { partialOrderUnavailable } from './partial-order.js';
export type { MachineOptions } from './system.js';
export { ViolationKind, violationKindName, findingCode, kindOfFinding } from './violation.js';
export type { ViolationKindName } from './violation.js';
export { beginMsrAccess, endMsrAccess, coreUpdated, MSR_IA32_UCODE_WRITE, MSR_IA32_UCODE_REV } from './msr.js';
export { rebuildViolation, describeCpu, formatNs } from './trace.js';
export type { TraceStep, Violation, ContextName, StepEvent, RebuildOptions } from './trace.js';
export { viewState, formatValue, formatPointer } from './state-view.js';
export type { StateView, CpuView, FrameView, DeviceView, VariableView } from './state-view.js';
export { findTimeout } from './time.js';
export type { TimeoutJump } from './time.js';
export { encodeReplayToken, decodeReplayToken } from './replay-token.js';
export type { ReplayToken } from './replay-token.js';
export { deliverableVector, requestVector, vectorRequested, endOfInterrupt, highestVector } from './apic.js';
export { deviceSlots, messageCpu, sendMessage, messageTarget } from './msi.js';
export type { DeviceFields } from './msi.js';
export { isWarningKind } from './violation.js';
export { fetchOutcomes, tornView, serialize, bootTextSites, Fetch, INT3_OPCODE, TEXT_SITE_MAX } from './text.js';
export type { TextSiteFields } from './text.js';
export { HEAP_OBJECTS, HEAP_SLOTS } from './vm.js';
export { CoreSymmetry, attachSymmetry, realFinding, realizePath } from './symmetry.js';
export type { SymmetryNote } from './symmetry.js';
