/**
 * Compiled steps (step-compiler.ts) are the interpreter's steps: along
 * random paths through every example, every report fixture and two litmus
 * models (every instruction; the step's limits and faulting calls), every
 * CPU's step (each alternative of a step that branches) is run both ways
 * from the same state, plain and while rebuilding a trace, and the two must
 * leave the same state, report the same outcome, violation, warning and
 * delay, log the same writes, record the same footprint and, when tracing,
 * name the same statement, model line, kernel function and printed lines.
 * Every model compiles: none silently falls back to the slower interpreter.
 * Checks of one program share its compiled functions, and only of the same
 * program.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MachineSystem } from '../../src/machine/index.js';
import type { Vm } from '../../src/machine/vm.js';
import { EXAMPLES_DIR, listModels, REPO_ROOT } from '../examples/expectations.js';
import { forEachStepAlongRandomWalks } from '../support/random-walks.js';

const built = await import('../../dist/pipeline.js') as typeof import('../../src/pipeline.js');
const { Footprint } = await import('../../dist/machine/footprint.js') as typeof import('../../src/machine/footprint.js');

const WALKS = 6;
const DEPTH = 150;
const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'report', 'fixtures');

type Recorder = InstanceType<typeof Footprint>;

/** Everything a step leaves behind that the search or a trace reads. */
function outcome(vm: Vm, flags: number, state: Int32Array, recorder: Recorder): string {
  const writes = vm.writes;
  const ranges = Array.from({ length: Math.max(0, writes.count) }, (_, k) => `${writes.ranges[2 * k]}-${writes.ranges[2 * k + 1]}`);
  const recorded = Array.from({ length: recorder.length }, (_, i) => `${recorder.cpu[i]}@${recorder.addr[i]}/${recorder.span[i]}`);
  return JSON.stringify({
    flags, violation: vm.violation, violationPc: vm.violation === 0 ? -1 : vm.violationPc, detail: vm.violation === 0 && vm.warning === 0 ? '' : vm.detail,
    warning: vm.warning, warningSite: vm.warning === 0 ? -1 : vm.warningSite, delayNs: vm.delayNs, delayed: vm.delayed, choices: vm.choices,
    writes: writes.count < 0 ? 'all' : ranges.join(' '), footprint: recorded.join(' '), state: Array.from(state).join(','),
  });
}

/** Steps CPU c of `state` (alternative `choice`) on `vm`, in a copy, tracing or not; returns what the step left. */
function stepOn(system: MachineSystem, state: Int32Array, c: number, choice: number, recorder: Recorder, tracing: boolean): string {
  const vm = system.vm;
  const next = state.slice();
  vm.writes.begin(next);
  recorder.clear();
  vm.footprint = recorder;
  vm.choice = choice;
  if (tracing) vm.beginTrace(next, system.program.layout.cpuBase0 + c * system.program.layout.cpuSlots);
  const flags = vm.step(next, c);
  vm.tracing = false;
  vm.choice = 0;
  vm.footprint = null;
  const trace = tracing ? JSON.stringify([vm.stepSite, vm.stepModelSite, vm.stepKernelFn, vm.log]) : '';
  return outcome(vm, flags, next, recorder) + trace;
}

/**
 * Every instruction the compiler emits, on every CPU at once (stop_machine),
 * each CPU ending in a different fault: narrow and 64-bit arithmetic and
 * conversions, calls inside expressions (spilled operands), calls through
 * pointers, recursion, struct copies and zeroing, pointer differences,
 * conditional expressions, and division by zero, a NULL dereference, an
 * index out of bounds (in the NMI handler, on CPUs 1 and 2) and a 64-bit
 * value past 2^53.
 */
const EVERY_INSTRUCTION = `
#pragma irqcheck cpus 3 nmis 1
struct pair { int a; unsigned char b; long long c; };
static struct pair shared, copy;
static int table[4];
static volatile int zero;
static int twice(int x) { return 2 * x; }
static int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
static int (*op)(int) = twice;
static int nmi(unsigned int t, struct pt_regs *r) { int k = smp_processor_id() + 3; return table[k] ? NMI_HANDLED : NMI_HANDLED; }
static int work(void *data)
{
	int cpu = smp_processor_id();
	signed char sc = (signed char)(200 + cpu);
	unsigned short us = (unsigned short)(70000 - cpu);
	unsigned int u = ~0u >> (cpu + 1);
	long long big = (long long)u * 4096 - 7;
	unsigned long long ubig = (1ULL << 40) / 3;
	bool flag = big;
	int *p = &table[cpu], *q = &table[0];
	struct pair local = { cpu, (unsigned char)(cpu + 250), big };
	int i, sum = 0;
	for (i = 0; i < 4; i++) {
		struct pair tmp = { i }; /* zeroed again each time round: its address is taken, so nothing else zeroes it */
		int *inside = &tmp.a;
		sum += twice(i) + op(sum > 3 ? i : -i) * fact(i) + tmp.b + (int)tmp.c + *inside;
		tmp.b = 9;
		tmp.c = big;
	}
	i = table[cpu & 3] = cpu;
	q = 1 + q;
	big += 0x100000000LL;
	do
		sum += i--;
	while (i > 0 || sum < -1000);
	sum += (int)(p - q) + sc + us + (int)(big % 1000) + (int)(ubig & 0xff) + flag - (sum ^ 5) + (sum << 2) + (-sum | 1);
	shared = local;
	copy = shared;
	{ struct pair blank = { 0 }; local = blank; }
	table[cpu] = sum + local.a + copy.b;
	if (cpu == 0)
		return sum / zero;
	if (cpu == 1)
		return *(int *)0;
	return (int)((ubig << 20) / 3);
}
int main(void)
{
	register_nmi_handler(NMI_LOCAL, nmi, 0, "n");
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
`;

/** The step's limits and the calls that fault: a local loop past the step's statement budget, a recursion past the stack, calls through NULL and through data. */
const EDGES = `
#pragma irqcheck cpus 3
static int sink;
static int deep(int n) { return n == 0 ? 0 : 1 + deep(n - 1); }
static int (*nothing)(int);
static int work(void *data)
{
	int cpu = smp_processor_id();
	int i, local = 0;
	for (i = 0; i < 25000; i++)
		local += i & 3;
	sink = local;
	if (cpu == 0)
		return deep(100000);
	if (cpu == 1)
		return nothing(3);
	return ((int (*)(int))&sink)(4);
}
int main(void)
{
	stop_machine(work, NULL, cpu_online_mask);
	return 0;
}
`;

const models = [...listModels(EXAMPLES_DIR), ...fs.readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.c')).map((f) => path.join(FIXTURES_DIR, f))];

describe('compiled steps do what the interpreter does', () => {
  const cases = [...models.map((file) => [path.relative(REPO_ROOT, file), file, fs.readFileSync(file, 'utf8')] as const), ['every instruction', 'every-instruction.c', EVERY_INSTRUCTION] as const, ['limits and faulting calls', 'edges.c', EDGES] as const];
  for (const [name, file, text] of cases) {
    it(name, async () => {
      const unit = await built.loadModelSource(file, text);
      const config = built.configFor(unit, { cpus: 3, nmis: 1, smt: 1 });
      const program = built.compileModel(unit, config);
      const settings = { strict: false, spuriousTimeouts: false, partialOrder: false, symmetry: false };
      const compiled = built.machineFor(program, settings);
      const interpreted = built.machineFor(program, { ...settings, compiledSteps: false });
      expect(compiled.vm.compiled, 'the model compiles').not.toBeNull();
      expect(interpreted.vm.compiled).toBeNull();
      const recorders = [new Footprint(), new Footprint()] as const;
      const steps = forEachStepAlongRandomWalks(compiled, { walks: WALKS, depth: DEPTH, seed: 4242 }, (state, c, depth) => {
        for (let choice = 0, choices = 1; choice < choices; choice++) {
          for (const tracing of [false, true]) {
            const want = stepOn(interpreted, state, c, choice, recorders[1], tracing);
            expect(stepOn(compiled, state, c, choice, recorders[0], tracing), `CPU${c}'s step at depth ${depth}${tracing ? ', tracing' : ''}`).toBe(want);
          }
          choices = Math.max(1, interpreted.vm.choices);
        }
      });
      expect(steps).toBeGreaterThan(0);
    });
  }
});

describe('compiled functions are shared between checks of one program', () => {
  // The same code for every n: n billion does not fit an int32 operand, so it is the program's constant,
  // and n is a global's initial value.
  const model = (n: number): string => `
    static long long seen;
    static int billions = ${n};
    int main(void) { seen = ${n}000000000LL; BUG_ON(seen / 1000000000 != billions); return 0; }`;

  it('reuses them for the same program, and not for one whose constants differ', async () => {
    const settings = { strict: false, spuriousTimeouts: false, partialOrder: false, symmetry: false };
    const machine = async (text: string): Promise<MachineSystem> => {
      const unit = await built.loadModelSource('shared.c', text);
      return built.machineFor(built.compileModel(unit, built.configFor(unit, {})), settings);
    };
    const first = await machine(model(5));
    const again = await machine(model(5));
    const other = await machine(model(6));
    expect(again.vm.compiled?.units).toBe(first.vm.compiled?.units);
    expect(other.vm.compiled?.units).not.toBe(first.vm.compiled?.units);
    // Each runs with its own constant: the assertion holds in both.
    for (const text of [model(5), model(6)]) {
      const unit = await built.loadModelSource('shared.c', text);
      expect(built.checkModel(unit, built.configFor(unit, {}), { ...built.DEFAULT_SETTINGS, ...settings }).verdict).toBe('verified');
    }
  });
});
