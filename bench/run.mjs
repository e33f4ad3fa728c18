#!/usr/bin/env node
/**
 * npm run bench: irqcheck on the bundled protocols at increasing CPU counts
 * and NMI budgets, side by side with SPIN on the same protocols written in
 * Promela (bench/promela/<name>.pml, or <name>.pml beside the model, twins
 * .../<name>.c).
 *
 * For each configuration it prints irqcheck's states, transitions, states
 * per second, bytes per stored state, peak memory and wall time (parse,
 * compile and search in a warm process); then, when
 * `spin` and `gcc` are installed and the protocol has a twin, the same for
 * SPIN's verifier (see bench/spin.mjs for how it is built and run) with the
 * ratios irqcheck / SPIN of wall time (SPIN's compile included, and
 * excluded) and of states, and a warning row when the two verdicts differ.
 * The rows go to bench/results/<timestamp>.json so runs can be compared.
 * A benchmark, not a test: nothing here asserts a timing.
 *
 *   npm run bench -- [--cpus 2,4,6,8] [--nmis 0,1,2] [--time-limit 60]
 *                    [--no-spin | --spin-only] [--twin-check] [file.c ...]
 *
 * --time-limit  seconds for each run of each tool (irqcheck's search; pan's)
 * --no-spin     irqcheck only
 * --spin-only   SPIN only (no ratios)
 * --no-raw      no second irqcheck row with its reductions off (the raw
 *               search's throughput: states per second without partial-order
 *               and symmetry reduction)
 * --twin-check  also run each twin without partial-order reduction and
 *               statement merging (dead locals reset, as irqcheck does),
 *               and compare its states with irqcheck's where irqcheck
 *               verified: equal counts mean the twin is the same
 *               transition system
 *
 * A configuration larger (in CPUs and NMIs) than one a tool could not finish
 * within the time limit is skipped for that tool.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join, dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus as machineCpus, totalmem } from 'node:os';
import { checkModel, configFor, loadModel, DEFAULT_SETTINGS } from '../dist/pipeline.js';
import { findSpin, runTwin, twinFor } from './spin.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const cpuList = option('--cpus', '2,4,6,8').split(',').map(Number);
const nmiList = option('--nmis', '0,1,2').split(',').map(Number);
const timeLimitS = Number(option('--time-limit', '60'));
const noSpin = flag('--no-spin');
const spinOnly = flag('--spin-only');
const twinCheck = flag('--twin-check');
const noRaw = flag('--no-raw');
const defaults = [
  'examples/microcode/xen-sibling-nmi.c',
  'examples/microcode/self-nmi-all-threads.c',
  'examples/microcode/nmi-hold-v1.c',
  'examples/msi/two-step.c',
];
// Models named on the command line are relative to where npm was run (INIT_CWD), like any shell path.
const given = args.length > 0 ? args.map((f) => (isAbsolute(f) ? f : resolve(process.env.INIT_CWD ?? process.cwd(), f))) : defaults.map((f) => join(root, f));
const missing = given.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.error(`bench: no such model: ${missing.join(', ')}`);
  console.error('hint: name kernel-C models (.c); a Promela twin <name>.pml goes in bench/promela/ or beside the model');
  process.exit(2);
}
/** Each model's absolute path, and how rows name it: relative to the repository when inside it. */
const files = given.map((path) => ({ path, name: relative(root, path).startsWith('..') ? path : relative(root, path) }));

const tools = noSpin ? { ok: false, why: 'off (--no-spin)' } : findSpin();
const machine = `${machineCpus()[0]?.model ?? 'unknown CPU'} x${machineCpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
console.log(`irqcheck bench on ${machine}`);
if (tools.ok) {
  console.log(`SPIN: ${tools.spinVersion}; ${tools.gccVersion}. Per twin: spin -a, gcc -O2 -DSAFETY -DNOBOUNDCHECK, ./pan -m<depth> -w<bits> (partial-order reduction on, exact state storage).`);
  console.log('wall s: irqcheck parses, compiles and searches (warm process); SPIN runs spin -a, gcc and pan (compile s: the first two).');
  console.log('Ratios irqcheck / SPIN: x wall (SPIN\'s compile included), x pan (excluded), x states (states stored); > or < when one side hit the time limit.');
} else if (!noSpin) {
  console.log(`SPIN skipped: ${tools.why}. Running irqcheck only.`);
}
if (spinOnly && !tools.ok) process.exit(0);

const pad = (v, w) => String(v).padStart(w);
const int = (n) => (n === null || n === undefined ? '-' : n.toLocaleString('en-US'));
const columns = ['protocol'.padEnd(34), pad('cpus', 4), pad('nmis', 4), 'tool'.padEnd(8), 'verdict'.padEnd(10), pad('states', 11), pad('transitions', 12), pad('states/s', 10), pad('B/state', 8), pad('peak MiB', 9), pad('wall s', 8)];
const ratioColumns = [pad('compile s', 9), pad('x wall', 8), pad('x pan', 8), pad('x states', 8)];
console.log([...columns, ...(tools.ok && !spinOnly ? ratioColumns : tools.ok ? [pad('compile s', 9)] : [])].join(' '));

/** The verdict cell: violation kinds are short. */
function verdictCell(verdict, kind) {
  if (verdict !== 'violation' || kind === null || kind === undefined) return verdict;
  const short = { 'invalid-end-state': 'endstate', 'msr-during-microcode-update': 'msr', 'lost-interrupt': 'lost-irq', 'unknown-nmi': 'unk-nmi' }[kind] ?? kind;
  return `!${short}`.slice(0, 10);
}

/** irqcheck's violation kinds as SPIN can report them: a stuck state is an invalid end state, the rest are asserts. */
function spinKindOf(irqKind) {
  return irqKind === 'deadlock' || irqKind === 'timeout' ? 'invalid-end-state' : 'assertion';
}

/** a / b as a ratio cell; a lower or upper bound when one side did not finish. */
function ratio(a, aDone, b, bDone) {
  if (a === null || b === null || a === undefined || b === undefined || b <= 0 || (!aDone && !bDone)) return '-';
  const r = a / b;
  const text = r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
  return `${!aDone ? '>' : !bDone ? '<' : ''}${text}x`;
}

/** Settings that turn irqcheck's optional reductions off (the twin check runs SPIN without its own). */
const NO_REDUCTIONS = { partialOrder: false, symmetry: false };

/** irqcheck's time to verdict, as a warm process: parse, compile, search. */
async function runIrqcheck(path, config, settings = {}) {
  const started = process.hrtime.bigint();
  const unit = await loadModel(path);
  const o = checkModel(unit, config, { ...DEFAULT_SETTINGS, ...settings, limits: { timeLimitMs: timeLimitS * 1000 } });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    verdict: o.verdict, kind: o.verdict === 'violation' ? (o.violations[0]?.kind ?? null) : null,
    states: o.stats.states, transitions: o.stats.transitions, statesPerSecond: Math.round(o.stats.states / Math.max(o.stats.seconds, 1e-6)),
    bytesPerState: Math.round(o.stats.bytesPerState * 10) / 10, peakMemoryBytes: o.stats.peakMemoryBytes, wallSeconds: Math.round(wallS * 1000) / 1000,
  };
}

/** Whether a tool already gave up (time or memory) on a configuration no larger than this one. */
const gaveUp = (list, cpus, nmis) => list.some((g) => cpus >= g.cpus && nmis >= g.nmis);

const rows = [];
const disagreements = [];
let compared = 0;
for (const file of files) {
  const unit = await loadModel(file.path); // for its pragmas; also warms the parser up
  const twin = tools.ok ? twinFor(root, file.path) : null;
  const name = file.name.replace('examples/', '');
  const twinName = basename(file.path, '.c') + '.pml';
  if (tools.ok && twin === null) console.log(`${name.padEnd(34)} (no Promela twin: bench/promela/${twinName} or ${twinName} beside the model)`);
  const irqGaveUp = [];
  const spinGaveUp = [];
  for (const cpus of cpuList) {
    for (const nmis of nmiList) {
      const config = configFor(unit, { cpus, nmis, smt: Math.min(unit.pragmas.smt ?? 1, cpus) });
      const row = { protocol: file.name, cpus, smt: config.smt, nmis };
      const lead = [name.padEnd(34), pad(cpus, 4), pad(nmis, 4)].join(' ');
      const blank = ' '.repeat(lead.length);
      let irq = null;
      if (!spinOnly) {
        if (gaveUp(irqGaveUp, cpus, nmis)) {
          console.log(`${lead} ${'irqcheck'.padEnd(8)} skipped (larger than a configuration it did not finish)`);
          row.skipped = true;
        } else {
          irq = await runIrqcheck(file.path, config);
          Object.assign(row, irq);
          if (irq.verdict === 'incomplete') irqGaveUp.push({ cpus, nmis });
          console.log([lead, 'irqcheck'.padEnd(8), verdictCell(irq.verdict, irq.kind).padEnd(10), pad(int(irq.states), 11), pad(int(irq.transitions), 12), pad(int(irq.statesPerSecond), 10), pad(irq.bytesPerState, 8), pad((irq.peakMemoryBytes / 2 ** 20).toFixed(1), 9), pad(irq.wallSeconds.toFixed(2), 8)].join(' '));
          if (!noRaw) {
            // The raw search: the same configuration without partial-order or symmetry reduction.
            const raw = await runIrqcheck(file.path, config, NO_REDUCTIONS);
            row.raw = raw;
            console.log([blank, 'raw'.padEnd(8), verdictCell(raw.verdict, raw.kind).padEnd(10), pad(int(raw.states), 11), pad(int(raw.transitions), 12), pad(int(raw.statesPerSecond), 10), pad(raw.bytesPerState, 8), pad((raw.peakMemoryBytes / 2 ** 20).toFixed(1), 9), pad(raw.wallSeconds.toFixed(2), 8)].join(' '));
          }
        }
      }
      if (twin === null) {
        rows.push(row);
        continue;
      }
      const prefix = spinOnly ? lead : blank;
      if (gaveUp(spinGaveUp, cpus, nmis)) {
        console.log(`${prefix} ${'spin'.padEnd(8)} skipped (larger than a configuration it did not finish)`);
        rows.push(row);
        continue;
      }
      const expectedStates = irq !== null && irq.verdict !== 'incomplete' ? irq.states : null;
      const spin = await runTwin(twin, { cpus, nmis, smt: config.smt, timeLimitS, expectedStates });
      row.spin = spin;
      if (spin.verdict === 'error') {
        console.log(`${prefix} ${'spin'.padEnd(8)} twin not run: ${spin.error}`);
        rows.push(row);
        continue;
      }
      if (spin.verdict === 'incomplete') spinGaveUp.push({ cpus, nmis });
      const spinDone = spin.verdict !== 'incomplete';
      const cells = [prefix, 'spin'.padEnd(8), verdictCell(spin.verdict, spin.kind).padEnd(10), pad(int(spin.states), 11), pad(int(spin.transitions), 12),
        pad(spin.states === null ? '-' : int(Math.round(spin.states / Math.max(spin.panSeconds, 1e-6))), 10), pad(spin.bytesPerState ?? '-', 8),
        pad(spin.memoryBytes === null ? '-' : (spin.memoryBytes / 2 ** 20).toFixed(1), 9), pad(spin.wallSeconds.toFixed(2), 8), pad(spin.compileSeconds.toFixed(2), 9)];
      if (irq !== null) {
        const irqDone = irq.verdict !== 'incomplete';
        row.ratios = {
          wallIncludingCompile: irqDone && spinDone ? irq.wallSeconds / spin.wallSeconds : null,
          wallExcludingCompile: irqDone && spinDone ? irq.wallSeconds / spin.panSeconds : null,
          states: irqDone && spinDone && spin.states ? irq.states / spin.states : null,
        };
        cells.push(pad(ratio(irq.wallSeconds, irqDone, spin.wallSeconds, spinDone), 8), pad(ratio(irq.wallSeconds, irqDone, spin.panSeconds, spinDone), 8),
          pad(irqDone && spinDone ? ratio(irq.states, true, spin.states, true) : '-', 8));
      }
      console.log(cells.join(' '));
      if (irq !== null && irq.verdict !== 'incomplete' && spinDone) {
        compared++;
        row.agree = irq.verdict === spin.verdict;
        if (!row.agree) {
          disagreements.push(`${name} cpus ${cpus} nmis ${nmis}`);
          console.log(`${blank} !! verdicts differ: irqcheck ${irq.verdict}${irq.kind ? ` (${irq.kind})` : ''}, SPIN ${spin.verdict}${spin.detail ? ` (${spin.detail})` : ''}`);
        } else if (irq.verdict === 'violation' && spinKindOf(irq.kind) !== spin.kind) {
          console.log(`${blank}    both find a violation, each the first it met: irqcheck ${irq.kind}, SPIN ${spin.detail}`);
        }
      }
      if (twinCheck && irq !== null && irq.verdict === 'verified') {
        // Both sides without reductions; dead locals are reset on both (irqcheck always, SPIN's dataflow optimisation).
        const plain = await runIrqcheck(file.path, config, NO_REDUCTIONS);
        const same = await runTwin(twin, { cpus, nmis, smt: config.smt, timeLimitS, expectedStates: plain.states, sameStates: true });
        row.twinCheck = { ...same, irqcheckStates: plain.states, irqcheckVerdict: plain.verdict };
        const equal = same.verdict === 'verified' && plain.verdict === 'verified' && same.states === plain.states;
        const mismatch = same.verdict === 'incomplete' || plain.verdict === 'incomplete' ? '' : ` !! differs from irqcheck (${int(plain.states)} states without reductions)`;
        console.log(`${blank} twin check (no reductions, dead locals reset): ${same.verdict === 'error' ? same.error : `${int(same.states)} states, ${same.verdict}`}${equal ? ' = irqcheck' : mismatch}`);
      }
      rows.push(row);
    }
  }
}
if (tools.ok && !spinOnly) {
  console.log(disagreements.length === 0
    ? `\nverdicts agree in all ${compared} configuration${compared === 1 ? '' : 's'} both tools finished`
    : `\n!! verdicts differ in ${disagreements.length} of ${compared} configurations: ${disagreements.join('; ')}`);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = join(root, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const spinInfo = tools.ok ? { version: tools.spinVersion, gcc: tools.gccVersion } : null;
writeFileSync(out, `${JSON.stringify({ node: process.version, cpu: machineCpus()[0]?.model, cores: machineCpus().length, memoryBytes: totalmem(), timeLimitSeconds: timeLimitS, spin: spinInfo, rows }, null, 2)}\n`);
console.log(`results written to ${out}`);
