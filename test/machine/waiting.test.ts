/**
 * The wait detector's short cut: a CPU that moved on to a statement that
 * writes shared state on a straight line (a store, or a builtin marked
 * `alwaysWrites`) is not waiting, so no solo run is needed. A wrong mark
 * would turn a spinning CPU into one making progress and hide deadlocks;
 * the check mode the tests run (`verifyShortcuts`) runs the solo run anyway
 * and throws on a difference.
 */
import { describe, expect, it } from 'vitest';
import { requireBuiltin } from '../../src/compile/index.js';
import { BreadthFirstExplorer } from '../../src/check/index.js';
import { kernelBuiltins, writeBootState } from '../../src/kernel/index.js';
import { MachineSystem, writingBuiltin, type BuiltinFn } from '../../src/machine/index.js';
import { checkModel, compileModel, configFor, DEFAULT_SETTINGS, loadModelSource } from '../../src/pipeline.js';

/** CPU 0 loops until a flag nobody sets is set; the loop's second statement is `body`. */
const loopOnFlag = (body: string): string => `
  #pragma irqcheck cpus 1
  static int flag;
  static atomic_t seen;
  int main(void) {
    while (!READ_ONCE(flag)) {
      ${body}
    }
    return 0;
  }`;

/** A spin two statements long, the second a read-only builtin: a wait. */
const SPIN_ON_TWO_STATEMENTS = loopOnFlag('atomic_read(&seen);');
/** The same loop writing shared state in its second statement: the CPU goes round without waiting. */
const LOOP_THAT_WRITES = loopOnFlag('atomic_set(&seen, 1);');

describe('wait detection', () => {
  it('finds the deadlock of a CPU spinning around a loop of two read-only statements', async () => {
    const unit = await loadModelSource('spin.c', SPIN_ON_TWO_STATEMENTS);
    const outcome = checkModel(unit, configFor(unit, {}), { ...DEFAULT_SETTINGS, verifyWrites: true });
    expect(outcome.violations.find((v) => v.severity === 'error')?.kind).toBe('deadlock');
  });

  it('does not take a loop that writes shared state for a wait: no deadlock', async () => {
    const unit = await loadModelSource('writes.c', LOOP_THAT_WRITES);
    const outcome = checkModel(unit, configFor(unit, {}), { ...DEFAULT_SETTINGS, verifyWrites: true });
    expect(outcome.verdict).toBe('verified');
  });

  it('catches, in its check mode, a builtin marked as always writing that only reads', async () => {
    const unit = await loadModelSource('spin.c', SPIN_ON_TWO_STATEMENTS);
    const program = compileModel(unit, configFor(unit, {}));
    const builtins = kernelBuiltins();
    const read = requireBuiltin('atomic_read');
    builtins[read] = writingBuiltin(builtins[read] as BuiltinFn);
    const system = new MachineSystem(program, builtins, writeBootState, { strict: false, spuriousTimeouts: false, verifyShortcuts: true });
    expect(() => new BreadthFirstExplorer().explore(system, { limits: {} })).toThrow(/taken to write, and a CPU waits there/);
  });
});
