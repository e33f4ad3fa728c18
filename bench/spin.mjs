/**
 * The SPIN side of `npm run bench`: runs the Promela twin of a benchmark
 * protocol (bench/promela/<name>.pml for examples/.../<name>.c) at one
 * configuration, the way a SPIN user would to get a verdict fast, and reads
 * SPIN's statistics and verdict.
 *
 *   spin -DCPUS=c -DNMIS=n -DSMT=s -a twin.pml        (parameters only)
 *   gcc -O2 -DSAFETY -DNOBOUNDCHECK -DVECTORSZ=2048 -DMEMLIM=<MB> -o pan pan.c
 *   ./pan -m<depth> -w<log2 slots>
 *
 * That is SPIN's best exhaustive search for a safety property: depth-first,
 * partial-order reduction and SPIN's statement merging and dead-variable
 * elimination on (its defaults), no cycle detection (-DSAFETY), no array
 * bound checks, and the hash table sized from the expected number of states.
 * States are stored exactly: hash compaction (-DHC4) was no faster here and
 * lost states (0.17% at 9 million), which irqcheck's 64-bit fingerprints
 * would not. pan stops at the first error, as irqcheck does.
 *
 * Twin checking (`sameStates`): spin -o3 and gcc -DNOREDUCE turn statement
 * merging and partial-order reduction off and keep SPIN's dataflow
 * optimisation (dead locals reset), which irqcheck's dead-variable
 * reduction matches, so that a faithful twin stores exactly as many states
 * as irqcheck explores.
 *
 * Every run works in its own temporary directory (pan.c, pan, the trail),
 * removed afterwards. Nothing here is a test: no timing is asserted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** pan's DFS depth bound to start with; raised tenfold while pan says it is too small. */
const FIRST_DEPTH = 100_000;
const MAX_DEPTH = 100_000_000;
/** log2 of the hash table's slots when the state count cannot be estimated. */
const DEFAULT_HASH_BITS = 26;
/** pan may use this share of the machine's memory before it stops (-DMEMLIM). */
const MEMORY_SHARE = 0.75;
/** Enough for any twin here (bytes); pan stops with a message when a state is larger. */
const VECTOR_BYTES = 2048;

const now = () => process.hrtime.bigint();
const secondsSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

/** The tools, or null with the reason one is missing. */
export function findSpin() {
  const spin = spawnSync('spin', ['-V'], { encoding: 'utf8' });
  if (spin.error !== undefined || spin.status !== 0) return { ok: false, why: 'spin is not installed (Debian/Ubuntu: apt-get install spin)' };
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.error !== undefined || gcc.status !== 0) return { ok: false, why: 'gcc is not installed: SPIN needs a C compiler for its verifier' };
  return { ok: true, spinVersion: spin.stdout.trim(), gccVersion: gcc.stdout.split('\n')[0]?.trim() ?? 'gcc' };
}

/**
 * The Promela twin of a benchmark protocol, or null: bench/promela/<name>.pml
 * for .../<name>.c, else <name>.pml beside the model (how a twin the
 * project does not bundle is run). `model` is an absolute path.
 */
export function twinFor(root, model) {
  const name = `${basename(model, '.c')}.pml`;
  for (const twin of [join(root, 'bench', 'promela', name), join(dirname(model), name)]) if (existsSync(twin)) return twin;
  return null;
}

/** log2 of the hash slots for about `states` states (at most half full); pan clears the table first (0.5 s at 26, 6 s at 28). */
export function hashBits(states) {
  if (states === null || states === undefined || !(states > 0)) return DEFAULT_HASH_BITS;
  return Math.min(27, Math.max(18, Math.ceil(Math.log2(states)) + 1));
}

/** The flags a run uses; `sameStates` selects the twin-checking run. */
export function spinFlags({ cpus, nmis, smt, sameStates }) {
  const memlimMb = Math.floor((totalmem() / 2 ** 20) * MEMORY_SHARE);
  const spin = [`-DCPUS=${cpus}`, `-DNMIS=${nmis}`, `-DSMT=${smt}`, ...(sameStates ? ['-o3'] : []), '-a'];
  const gcc = ['-O2', '-DSAFETY', '-DNOBOUNDCHECK', `-DVECTORSZ=${VECTOR_BYTES}`, `-DMEMLIM=${memlimMb}`, ...(sameStates ? ['-DNOREDUCE'] : []), '-o', 'pan', 'pan.c'];
  return { spin, gcc };
}

/** Reads pan's report. Numbers are null when pan did not print them (killed, say). */
export function parsePan(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m === null ? null : Number(m[1]);
  };
  const error = /^pan:\d+: (assertion violated.*|invalid end state.*)$/m.exec(out);
  let kind = null;
  if (error !== null) kind = error[1].startsWith('assertion') ? 'assertion' : 'invalid-end-state';
  return {
    errors: num(/errors: (\d+)/),
    kind,
    detail: error === null ? null : error[1],
    states: num(/^\s*(\d+) states, stored/m),
    transitions: num(/^\s*(\d+) transitions \(= stored\+matched\)/m),
    depth: num(/depth reached (\d+)/),
    vectorBytes: num(/State-vector (\d+) byte/),
    memoryMb: num(/^\s*([\d.]+)\s+total actual memory usage/m),
    stateMemoryMb: num(/^\s*([\d.]+)\s+actual memory usage for states/m),
    equivalentMemoryMb: num(/^\s*([\d.]+)\s+equivalent memory usage for states/m),
    depthTooSmall: /max search depth too small/.test(out),
    outOfMemory: /reached -DMEMLIM bound|out of memory/.test(out),
  };
}

/**
 * Runs a command to its end or, at the deadline, sends it SIGINT and still
 * collects what it prints then (pan reports its statistics on SIGINT;
 * spawnSync's timeout would close the pipe under it).
 */
function runUntil(command, argv, cwd, deadlineMs) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    let killer = null;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGINT');
      killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    }, deadlineMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: `${stderr}${error.message}`, status: null, timedOut });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (killer !== null) clearTimeout(killer);
      resolve({ stdout, stderr, status, timedOut });
    });
  });
}

/** The line that says why a tool failed: a twin's #error message if it has one. */
function firstErrorLine(text) {
  const refused = /#error\s+"?([^"\n]*)"?/.exec(text);
  if (refused !== null) return `the twin refuses this configuration: ${refused[1]}`;
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.find((l) => /error:/.test(l)) ?? lines[0] ?? 'failed';
}

/**
 * Runs a twin at one configuration. Returns a plain record for the table and
 * the JSON file: `verdict` is 'verified', 'violation', 'incomplete' (time or
 * memory limit) or 'error' (the twin does not build for this configuration,
 * with `error` saying why); times in seconds, memory in bytes.
 */
export async function runTwin(twin, { cpus, nmis, smt, timeLimitS, expectedStates = null, sameStates = false }) {
  const flags = spinFlags({ cpus, nmis, smt, sameStates });
  const dir = mkdtempSync(join(tmpdir(), 'irqcheck-spin-'));
  const started = now();
  const result = { twin: `bench/promela/${basename(twin)}`, mode: sameStates ? 'twin-check' : 'best', flags: { spin: flags.spin, gcc: flags.gcc, pan: [] } };
  try {
    const generated = spawnSync('spin', [...flags.spin, twin], { cwd: dir, encoding: 'utf8' });
    result.generateSeconds = secondsSince(started);
    if (generated.status !== 0) return { ...result, verdict: 'error', error: firstErrorLine(`${generated.stderr}\n${generated.stdout}`) };
    const compileStart = now();
    const compiled = spawnSync('gcc', flags.gcc, { cwd: dir, encoding: 'utf8' });
    result.gccSeconds = secondsSince(compileStart);
    result.compileSeconds = result.generateSeconds + result.gccSeconds;
    if (compiled.status !== 0) return { ...result, verdict: 'error', error: `gcc: ${firstErrorLine(compiled.stderr)}` };
    const hash = hashBits(expectedStates);
    const timeLeftMs = Math.max(1000, timeLimitS * 1000);
    let depth = FIRST_DEPTH;
    for (;;) {
      const pan = [`-m${depth}`, `-w${hash}`];
      const runStart = now();
      const ran = await runUntil('./pan', pan, dir, timeLeftMs);
      const panSeconds = secondsSince(runStart);
      const report = parsePan(`${ran.stdout}\n${ran.stderr}`);
      Object.assign(result, { panSeconds, flags: { ...result.flags, pan } });
      if (ran.timedOut) {
        return { ...result, ...counts(report), verdict: 'incomplete', limit: 'time', wallSeconds: secondsSince(started) };
      }
      if (report.depthTooSmall && report.errors === 0 && depth < MAX_DEPTH) {
        depth *= 10;
        continue;
      }
      if (report.errors === null) return { ...result, verdict: 'error', error: `pan: ${firstErrorLine(`${ran.stdout}\n${ran.stderr}`)}`, wallSeconds: secondsSince(started) };
      let verdict = report.errors > 0 ? 'violation' : 'verified';
      let limit = null;
      if (verdict === 'verified' && (report.outOfMemory || report.depthTooSmall)) {
        verdict = 'incomplete';
        limit = report.outOfMemory ? 'memory' : 'depth';
      }
      return { ...result, ...counts(report), verdict, limit, kind: report.kind, detail: report.detail, wallSeconds: secondsSince(started) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function counts(report) {
  const states = report.states;
  return {
    states,
    transitions: report.transitions,
    depth: report.depth,
    vectorBytes: report.vectorBytes,
    memoryBytes: report.memoryMb === null ? null : Math.round(report.memoryMb * 2 ** 20),
    // pan allocates states in large chunks: on a small run the chunk, not the states, fills "actual memory".
    bytesPerState: report.stateMemoryMb === null || !states ? null
      : Math.round(((Math.min(report.stateMemoryMb, report.equivalentMemoryMb ?? Infinity) * 2 ** 20) / states) * 10) / 10,
  };
}
