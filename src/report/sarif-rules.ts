/**
 * The SARIF rules irqcheck reports under: one per violation kind, with the
 * README's "What is checked" sentence as its description. A `Record` over
 * the kind union, so a new kind fails the build here until it is described.
 */
import type { ViolationKindName } from '../machine/index.js';

/** One-sentence description of each violation kind (SARIF `shortDescription`). */
export const RULE_DESCRIPTIONS: Readonly<Record<ViolationKindName, string>> = {
  assertion: 'assert failed, BUG_ON fired, or BUG() or panic() was reached',
  warning: 'WARN_ON (or a variant) fired',
  deadlock: 'no CPU can make progress and the run is not finished',
  timeout: 'a countdown loop ran out of time',
  'msr-during-microcode-update': 'a thread began an MSR access while a sibling thread of its core was applying a microcode update',
  'unknown-nmi': 'an NMI sent by the model was claimed by no NMI_LOCAL handler',
  'out-of-bounds': 'an index, pointer, function pointer or CPU number out of range',
  'null-dereference': 'a read, write or call through NULL',
  'division-by-zero': 'division or remainder by zero',
  'stack-overflow': 'calls, or interrupts nested on them, deeper than the CPU stack',
  'lost-interrupt': 'the run finished while an MSI device had raised work that no run of its handler followed',
  'spurious-interrupt': 'a CPU took a vector that maps to no handler',
  'spurious-handler': 'a device handler ran when the device had raised nothing new',
  'torn-instruction': 'a CPU that had not serialized could fetch a mix of old and new bytes that is neither instruction',
  'unhandled-breakpoint': 'a CPU hit an INT3 that no #BP handler claimed',
  'nested-nmi': 'an NMI entered on top of a running NMI handler after an IRET inside it unblocked NMIs',
  'use-after-return': 'an access to a local of a function that has returned',
  'use-after-free': 'an access to a kmalloc() object after kfree()',
  'double-free': 'kfree() of an object that was already freed',
};

/** The description of `kind`, or a generic one for a kind this table does not know (from a newer machine). */
export function ruleDescription(kind: string): string {
  return (RULE_DESCRIPTIONS as Readonly<Record<string, string>>)[kind] ?? `irqcheck found a violation of kind ${kind}`;
}
