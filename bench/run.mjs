#!/usr/bin/env node
/**
 * npm run bench: irqcheck on the bundled protocols at increasing CPU counts
 * and NMI budgets. Prints states, transitions, states per second, bytes per
 * stored state, peak memory and wall time, and writes the rows to
 * bench/results/<timestamp>.json so runs can be compared. A benchmark, not
 * a test: nothing here asserts a timing.
 *
 *   npm run bench -- [--cpus 2,4,6,8] [--nmis 0,1,2] [--time-limit 60] [file.c ...]
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus as machineCpus, totalmem } from 'node:os';
import { checkModel, configFor, loadModel, DEFAULT_SETTINGS } from '../dist/pipeline.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const cpuList = option('--cpus', '2,4,6,8').split(',').map(Number);
const nmiList = option('--nmis', '0,1,2').split(',').map(Number);
const timeLimitS = Number(option('--time-limit', '60'));
const defaults = ['examples/microcode/xen-sibling-nmi.c', 'examples/microcode/self-nmi-all-threads.c', 'examples/microcode/nmi-hold-v1.c'];
const files = (args.length > 0 ? args : defaults).filter((f) => existsSync(join(root, f)));

const rows = [];
const pad = (v, w) => String(v).padStart(w);
console.log(`irqcheck bench on ${machineCpus()[0]?.model ?? 'unknown CPU'} x${machineCpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(['protocol'.padEnd(28), pad('cpus', 4), pad('nmis', 4), 'verdict'.padEnd(10), pad('states', 11), pad('transitions', 12), pad('states/s', 10), pad('B/state', 8), pad('peak MiB', 9), pad('wall s', 8)].join(' '));
for (const file of files) {
  const unit = await loadModel(join(root, file));
  for (const cpus of cpuList) {
    for (const nmis of nmiList) {
      const config = configFor(unit, { cpus, nmis, smt: Math.min(unit.pragmas.smt ?? 1, cpus) });
      const started = process.hrtime.bigint();
      const o = checkModel(unit, config, { ...DEFAULT_SETTINGS, limits: { timeLimitMs: timeLimitS * 1000 } });
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      const row = {
        protocol: file, cpus, smt: config.smt, nmis, verdict: o.verdict, kind: o.violations[0]?.kind ?? null,
        states: o.stats.states, transitions: o.stats.transitions, statesPerSecond: Math.round(o.stats.states / Math.max(o.stats.seconds, 1e-6)),
        bytesPerState: Math.round(o.stats.bytesPerState * 10) / 10, peakMemoryBytes: o.stats.peakMemoryBytes, wallSeconds: Math.round(wallS * 1000) / 1000,
      };
      rows.push(row);
      console.log([file.replace('examples/', '').padEnd(28), pad(cpus, 4), pad(nmis, 4), (o.verdict === 'violation' ? 'violation' : o.verdict).padEnd(10), pad(row.states.toLocaleString('en-US'), 11), pad(row.transitions.toLocaleString('en-US'), 12), pad(row.statesPerSecond.toLocaleString('en-US'), 10), pad(row.bytesPerState, 8), pad((row.peakMemoryBytes / 2 ** 20).toFixed(1), 9), pad(row.wallSeconds.toFixed(2), 8)].join(' '));
      if (o.verdict === 'incomplete') break;
    }
  }
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = join(root, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, `${JSON.stringify({ node: process.version, cpu: machineCpus()[0]?.model, rows }, null, 2)}\n`);
console.log(`\nresults written to ${out}`);
