/**
 * The command line as a user meets it: exit codes 0/1/2/3, the `--json`
 * shape and kind names, sweeps, and replay tokens. Runs `main()` in-process
 * (see run-cli.ts); the last block runs the built `dist/cli.js` as a real
 * process, the way `npx irqcheck` does.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelDir, runCli, STACK_LINE } from './run-cli.js';

const dir = new ModelDir();
afterAll(() => dir.remove());

/** Every CPU increments a counter under stop_machine: verified (135 states at 2 CPUs). */
const VERIFIED = `#pragma irqcheck cpus 2
static atomic_t n;

static int count(void *data)
{
	atomic_inc(&n);
	return 0;
}

int main(void)
{
	stop_machine(count, NULL, cpu_online_mask);
	BUG_ON(atomic_read(&n) != num_online_cpus());
	return 0;
}
`;

/** The same with a torn read-modify-write: two CPUs can lose an increment. BUG_ON at line 14. */
const VIOLATING = `#pragma irqcheck cpus 2
static int n;

static int count(void *data)
{
	int seen = n;
	n = seen + 1;
	return 0;
}

int main(void)
{
	stop_machine(count, NULL, cpu_online_mask);
	BUG_ON(n != num_online_cpus());
	return 0;
}
`;

const TOP_LEVEL_KEYS = ['config', 'stats', 'verdict', 'violations'];

interface JsonViolation {
  kind: string;
  severity: string;
  message: string;
  cpu: number | null;
  location: { file: string; line: number };
  trace: { step: number; cpu?: number; env?: true; file: string; line: number; text: string }[];
  replay: string;
}
interface JsonReport {
  verdict: string;
  violations: JsonViolation[];
  stats: { states: number; transitions: number; seconds: number; peakMemoryBytes: number };
  config: { cpus: number; smt: number; nmis: number };
}

const parseJson = (text: string): unknown => JSON.parse(text) as unknown;

describe('exit codes', () => {
  it('exits 0 when the model is verified', async () => {
    const run = await runCli(['check', dir.write('ok.c', VERIFIED), '--no-progress']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/VERIFIED/);
    expect(run.stdout).toMatch(/cpus=2 smt=1 nmis=0/);
    expect(run.stderr).toBe('');
  });

  it('exits 1 on a violation and prints the shortest trace with a replay command', async () => {
    const file = dir.write('bug.c', VIOLATING);
    const run = await runCli(['check', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`VIOLATION\\s+assertion\\s+at ${escape(file)}:14`));
    expect(run.stdout).toMatch(/BUG_ON fired: BUG_ON\(n != num_online_cpus\(\)\);/);
    expect(run.stdout).toMatch(/^\s+step\s+CPU0\s+CPU1/m);
    expect(run.stdout).toContain(`replay: npx irqcheck replay ${file} irqcheck:1:c2s1n0:`);
  });

  it('exits 2 for a model that is not valid kernel C', async () => {
    const file = dir.write('syntax.c', 'int main(void)\n{\n\treturn 0\n}\n');
    const run = await runCli(['check', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:3:10: error:`);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for an unknown flag', async () => {
    const run = await runCli(['check', dir.write('ok.c', VERIFIED), '--cpu', '4']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--cpu'/);
  });

  it('exits 2 for a model file that does not exist', async () => {
    const missing = dir.path('no-such-model.c');
    const run = await runCli(['check', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot read model file \`${missing}\``);
  });

  it('exits 3 when --max-states stops the search first', async () => {
    const run = await runCli(['check', dir.write('ok.c', VERIFIED), '--max-states', '5']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/INCOMPLETE: the states limit was reached/);
  });

  it('exits 3 with verdict incomplete in --json too', async () => {
    const run = await runCli(['check', dir.write('ok.c', VERIFIED), '--max-states', '5', '--json']);
    expect(run.code).toBe(3);
    const json = parseJson(run.stdout) as JsonReport;
    expect(json.verdict).toBe('incomplete');
    expect(json.stats.states).toBeLessThanOrEqual(5);
  });

  it('exits 0 for --help and prints the usage', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: irqcheck/);
  });
});

describe('--json', () => {
  it('prints exactly verdict, violations, stats and config for a verified model', async () => {
    const run = await runCli(['check', dir.write('ok.c', VERIFIED), '--json']);
    expect(run.code).toBe(0);
    const json = parseJson(run.stdout) as JsonReport;
    expect(Object.keys(json).sort()).toEqual(TOP_LEVEL_KEYS);
    expect(json.verdict).toBe('verified');
    expect(json.violations).toEqual([]);
    expect(json.config).toEqual({ cpus: 2, smt: 1, nmis: 0, symmetry: { reduced: false, note: expect.stringMatching(/^no symmetry reduction: /) } });
    expect(Object.keys(json.stats).sort()).toEqual(['peakMemoryBytes', 'seconds', 'states', 'transitions']);
    expect(json.stats.states).toBeGreaterThan(5);
  });

  it('describes a violation with kind, message, cpu, location, trace and replay', async () => {
    const file = dir.write('bug.c', VIOLATING);
    const run = await runCli(['check', file, '--json']);
    expect(run.code).toBe(1);
    const json = parseJson(run.stdout) as JsonReport;
    expect(Object.keys(json).sort()).toEqual(TOP_LEVEL_KEYS);
    expect(json.verdict).toBe('violation');
    const v = json.violations[0] as JsonViolation;
    expect(v.kind).toBe('assertion');
    expect(v.severity).toBe('error');
    expect(v.cpu).toBe(0);
    expect(v.location).toEqual({ file, line: 14 });
    expect(v.trace.length).toBeGreaterThan(0);
    for (const step of v.trace) {
      expect(step.cpu !== undefined || step.env === true).toBe(true);
      expect(typeof step.file).toBe('string');
      expect(typeof step.line).toBe('number');
      expect(typeof step.text).toBe('string');
    }
    expect(v.trace.at(-1)).toMatchObject({ cpu: 0, file, line: 14 });
    expect(v.replay).toMatch(/^irqcheck:1:c2s1n0:[0-9a-z.]+$/);
  });

  it('prints an error report and exits 2 for a bad model', async () => {
    const file = dir.write('syntax.c', 'int main(void)\n{\n\treturn 0\n}\n');
    const run = await runCli(['check', file, '--json']);
    expect(run.code).toBe(2);
    const json = parseJson(run.stdout) as JsonReport;
    expect(Object.keys(json).sort()).toEqual(TOP_LEVEL_KEYS);
    expect(json.verdict).toBe('error');
    expect(json.violations[0]?.location).toEqual({ file, line: 3 });
  });
});

/**
 * One tiny model per kind a user can meet in `--json`, with the line the
 * violation is reported at. Each is the smallest program that shows it.
 */
const KINDS: readonly { kind: string; flags?: string[]; line: number; model: string }[] = [
  { kind: 'assertion', line: 4, model: 'static int x;\nint main(void)\n{\n\tBUG_ON(x == 0);\n\treturn 0;\n}\n' },
  { kind: 'deadlock', line: 4, model: 'static int flag;\nint main(void)\n{\n\twhile (!READ_ONCE(flag))\n\t\tcpu_relax();\n\treturn 0;\n}\n' },
  {
    kind: 'timeout',
    line: 5,
    model:
      'static atomic_t flag;\nint main(void)\n{\n\tlong long timeout = NSEC_PER_SEC;\n\twhile (!atomic_read(&flag)) {\n' +
      '\t\tif (timeout < 100)\n\t\t\treturn -1;\n\t\tndelay(100);\n\t\ttimeout -= 100;\n\t}\n\treturn 0;\n}\n',
  },
  {
    kind: 'msr-during-microcode-update',
    line: 8,
    model:
      '#pragma irqcheck cpus 2 smt 2\nstatic int update(void *data)\n{\n\tu64 v;\n\tif (smp_processor_id() == 0)\n' +
      '\t\twrmsrl(MSR_IA32_UCODE_WRITE, 1);\n\telse\n\t\trdmsrl(MSR_IA32_PERFCTR0, v);\n\treturn 0;\n}\n' +
      'int main(void)\n{\n\tstop_machine(update, NULL, cpu_online_mask);\n\treturn 0;\n}\n',
  },
  { kind: 'unknown-nmi', line: -1, model: 'int main(void)\n{\n\tapic->send_IPI_self(NMI_VECTOR);\n\treturn 0;\n}\n' },
  { kind: 'out-of-bounds', line: 5, model: 'static int a[4];\nint main(void)\n{\n\tint i = 4;\n\ta[i] = 1;\n\treturn 0;\n}\n' },
  { kind: 'null-dereference', line: 4, model: 'static int *p;\nint main(void)\n{\n\t*p = 1;\n\treturn 0;\n}\n' },
  { kind: 'division-by-zero', line: 4, model: 'static int z;\nint main(void)\n{\n\tint y = 10 / z;\n\treturn y;\n}\n' },
  {
    kind: 'stack-overflow',
    line: 5,
    model: 'static int depth(int n)\n{\n\tif (n == 0)\n\t\treturn 0;\n\treturn depth(n - 1) + 1;\n}\nint main(void)\n{\n\treturn depth(1000);\n}\n',
  },
];

describe('violation kinds in --json', () => {
  for (const k of KINDS) {
    it(`reports ${k.kind}`, async () => {
      const file = dir.write(`kind-${k.kind}.c`, k.model);
      const run = await runCli(['check', file, '--json', ...(k.flags ?? [])]);
      expect(run.code).toBe(1);
      const json = parseJson(run.stdout) as JsonReport;
      expect(json.verdict).toBe('violation');
      const v = json.violations[0] as JsonViolation;
      expect(v.kind).toBe(k.kind);
      if (k.line > 0) expect(v.location).toEqual({ file, line: k.line });
    });
  }

  const WARN = 'static int x;\nint main(void)\n{\n\tWARN_ON(x == 0);\n\treturn 0;\n}\n';

  it('reports WARN_ON as a warning that leaves the verdict verified', async () => {
    const file = dir.write('warn.c', WARN);
    const run = await runCli(['check', file, '--json']);
    expect(run.code).toBe(0);
    const json = parseJson(run.stdout) as JsonReport;
    expect(json.verdict).toBe('verified');
    expect(json.violations[0]).toMatchObject({ kind: 'warning', severity: 'warning', location: { file, line: 4 } });
  });

  it('makes WARN_ON a violation under --strict', async () => {
    const file = dir.write('warn.c', WARN);
    const run = await runCli(['check', file, '--json', '--strict']);
    expect(run.code).toBe(1);
    const json = parseJson(run.stdout) as JsonReport;
    expect(json.verdict).toBe('violation');
    expect(json.violations[0]).toMatchObject({ kind: 'warning', severity: 'error' });
  });

  it('locates a --strict WARN_ON at the model line, as without --strict', async () => {
    const file = dir.write('warn.c', WARN);
    const json = parseJson((await runCli(['check', file, '--json', '--strict'])).stdout) as JsonReport;
    expect(json.violations[0]?.location).toEqual({ file, line: 4 });
  });

  // An unsigned countdown (u64, as kernel code writes it): the acceleration must not extrapolate past the wrap.
  it('reports timeout for a countdown with an unsigned (u64) counter', async () => {
    const file = dir.write(
      'timeout-u64.c',
      'static atomic_t flag;\nint main(void)\n{\n\tu64 timeout = NSEC_PER_SEC;\n\twhile (!atomic_read(&flag)) {\n' +
        '\t\tif (timeout < 100)\n\t\t\treturn -1;\n\t\tndelay(100);\n\t\ttimeout -= 100;\n\t}\n\treturn 0;\n}\n',
    );
    const json = parseJson((await runCli(['check', file, '--json'])).stdout) as JsonReport;
    expect(json.violations[0]?.kind).toBe('timeout');
  });

  // The violation is found inside the kernel prelude; the replay command must still name the model.
  it('prints a replay command that names the model file for an unknown NMI', async () => {
    const file = dir.write('kind-unknown-nmi.c', (KINDS.find((k) => k.kind === 'unknown-nmi') as { model: string }).model);
    const run = await runCli(['check', file]);
    expect(run.stdout).toContain(`replay: npx irqcheck replay ${file} irqcheck:1:`);
  });
});

// unregister_nmi_handler() frees the chain slot before waiting for NMIs in flight; an NMI that
// already began walks the list as it was (RCU), so it never calls NULL.
it('does not report a NULL handler for an NMI in flight during unregister_nmi_handler()', async () => {
  const file = dir.write(
    'unregister.c',
    '#pragma irqcheck cpus 2 nmis 1\nstatic atomic_t seen;\n\nstatic int h(unsigned int type, struct pt_regs *regs)\n{\n' +
      '\tatomic_inc(&seen);\n\treturn NMI_HANDLED;\n}\n\nint main(void)\n{\n\tregister_nmi_handler(NMI_LOCAL, h, 0, "h");\n' +
      '\tunregister_nmi_handler(NMI_LOCAL, "h");\n\treturn 0;\n}\n',
  );
  const run = await runCli(['check', file, '--json']);
  const json = parseJson(run.stdout) as JsonReport;
  expect(json.violations.map((v) => v.kind)).not.toContain('null-dereference');
  expect(run.code).toBe(0);
});

describe('sweeps', () => {
  it('prints one verdict line per configuration of --cpus 2..3', async () => {
    const run = await runCli(['check', dir.write('ok.c', VERIFIED), '--cpus', '2..3']);
    expect(run.code).toBe(0);
    const verdicts = run.stdout.split('\n').filter((l) => /^cpus=\d+ smt=\d+ nmis=\d+\s/.test(l));
    expect(verdicts).toHaveLength(2);
    expect(verdicts[0]).toMatch(/^cpus=2 smt=1 nmis=0\s+verified/);
    expect(verdicts[1]).toMatch(/^cpus=3 smt=1 nmis=0\s+verified/);
  });

  it('gives a JSON array, one report per configuration', async () => {
    const run = await runCli(['check', dir.write('ok.c', VERIFIED), '--cpus', '2..3', '--json']);
    expect(run.code).toBe(0);
    const json = parseJson(run.stdout) as JsonReport[];
    expect(Array.isArray(json)).toBe(true);
    expect(json.map((r) => r.config.cpus)).toEqual([2, 3]);
    for (const r of json) expect(Object.keys(r).sort()).toEqual(TOP_LEVEL_KEYS);
  });

  it('sweeps --cpus and --nmis together and exits 1 if any configuration fails', async () => {
    const run = await runCli(['check', dir.write('bug.c', VIOLATING), '--cpus', '2..3', '--nmis', '0..1']);
    expect(run.code).toBe(1);
    const verdicts = run.stdout.split('\n').filter((l) => /^cpus=\d+ smt=\d+ nmis=\d+\s/.test(l));
    expect(verdicts.map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'cpus=2 smt=1 nmis=0',
      'cpus=2 smt=1 nmis=1',
      'cpus=3 smt=1 nmis=0',
      'cpus=3 smt=1 nmis=1',
    ]);
    expect(run.stdout).toMatch(/first violation \(cpus=2 nmis=0\)/);
  });
});

describe('replay', () => {
  it('reproduces a violation from its token (exit 1)', async () => {
    const file = dir.write('bug.c', VIOLATING);
    const found = parseJson((await runCli(['check', file, '--json'])).stdout) as JsonReport;
    const token = (found.violations[0] as JsonViolation).replay;
    const run = await runCli(['replay', file, token]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/replay: reproduced assertion in \d+ steps/);
    expect(run.stdout).toContain(`at ${file}:14`);
  });

  it('reads the token from a file', async () => {
    const file = dir.write('bug.c', VIOLATING);
    const found = parseJson((await runCli(['check', file, '--json'])).stdout) as JsonReport;
    const tokenFile = dir.write('bug.token', `${(found.violations[0] as JsonViolation).replay}\n`);
    const run = await runCli(['replay', file, tokenFile]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/reproduced assertion/);
  });

  it('says where a changed model stops following the trace (exit 2)', async () => {
    const file = dir.write('bug.c', VIOLATING);
    const found = parseJson((await runCli(['check', file, '--json'])).stdout) as JsonReport;
    const fixed = dir.write('fixed.c', VERIFIED);
    const run = await runCli(['replay', fixed, (found.violations[0] as JsonViolation).replay]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/replay: /);
    expect(run.stdout + run.stderr).not.toMatch(STACK_LINE);
  });

  it('rejects something that is not a token (exit 2)', async () => {
    const run = await runCli(['replay', dir.write('bug.c', VIOLATING), 'not-a-token']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/neither a replay token nor a readable file/);
  });
});

describe('the built CLI as a process', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const cli = `${root}dist/cli.js`;
  const node = (args: readonly string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  // `npm test` builds first; rebuild only when dist/ is missing or older than src/,
  // so that other test files reading dist/ never see it half rewritten.
  beforeAll(() => {
    const newestSource = Math.max(...readdirSync(`${root}src`, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => statSync(`${root}src/${f}`).mtimeMs));
    if (!existsSync(cli) || statSync(cli).mtimeMs < newestSource) execSync('npm run build', { cwd: root, stdio: 'pipe' });
  }, 120_000);

  it('declares dist/cli.js as the irqcheck bin, with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { bin?: Record<string, string> };
    expect(pkg.bin).toEqual({ irqcheck: 'dist/cli.js' });
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  // npx runs the bin through a link that npm chmods only when it first creates it, so a
  // rebuilt dist/cli.js must be executable by itself, or a cached link fails with EACCES.
  it('builds dist/cli.js executable in every script that builds', () => {
    const { scripts } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.build).toMatch(/chmodSync\('dist\/cli\.js', 0o755\)/);
    expect(scripts.prepare).toBe('npm run build');
    expect(scripts.test).toMatch(/^npm run build && /);
  });

  it.skipIf(process.platform === 'win32' || process.env.npm_lifecycle_event !== 'test')('leaves dist/cli.js executable after npm test built it', () => {
    expect(statSync(cli).mode & 0o111).toBe(0o111);
  });

  it('exits 0, 1 and 2 with the process exit code', () => {
    expect(node(['check', dir.write('ok.c', VERIFIED)]).code).toBe(0);
    expect(node(['check', dir.write('bug.c', VIOLATING)]).code).toBe(1);
    const bad = node(['check', dir.write('syntax.c', 'int main(void)\n{\n\treturn 0\n}\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/syntax\.c:3:10: error:/);
    expect(bad.stderr).not.toMatch(STACK_LINE);
  });

  it('exits 2 without a stack trace for a directory given as the model', () => {
    const r = node(['check', dir.root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error:/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('search threads by default', () => {
  it('runs on one thread where partial-order reduction runs, and on every core where it cannot', async () => {
    const { availableParallelism } = await import('node:os');
    const { configFor, defaultWorkers, DEFAULT_SETTINGS, loadModel } = await import('../../src/pipeline.js');
    const xen = await loadModel('examples/microcode/xen-sibling-nmi.c');
    const msi = await loadModel('examples/msi/two-step.c');
    expect(defaultWorkers(xen, configFor(xen, {}), DEFAULT_SETTINGS)).toBe(1);
    expect(defaultWorkers(xen, configFor(xen, {}), { ...DEFAULT_SETTINGS, partialOrder: false })).toBe(availableParallelism());
    // Models with MSI devices are reduced too; above 32 CPUs and devices together nothing is.
    expect(defaultWorkers(msi, configFor(msi, {}), DEFAULT_SETTINGS)).toBe(1);
    expect(defaultWorkers(msi, configFor(msi, { cpus: 31 }), DEFAULT_SETTINGS)).toBe(availableParallelism());
    expect(defaultWorkers(msi, configFor(msi, {}), { ...DEFAULT_SETTINGS, search: 'dfs' })).toBe(1);
  });
});
