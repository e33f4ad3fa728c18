/**
 * Seed 000 as a regression test: the NMI hold of "[PATCH 5/5] x86/microcode:
 * Handle NMI's during microcode update" runs as posted. The test reads the
 * thread at run time, takes ucode_nmi_cb(), set_nmi_cpus() and
 * clear_nmi_cpus() from the patch (their added lines, `+` stripped, nothing
 * else changed), puts them in a harness (the late-loading stop_machine
 * callback around them, and perf's NMI handler, which reads an MSR) and
 * checks that irqcheck finds what the posted wait loop does: its condition
 * repeats the timeout test, so a marked sibling that takes an NMI does not
 * wait, and the next handler's RDMSR overlaps its primary's WRMSR 0x79.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ReportedViolation } from '../../src/report/index.js';
import { checkModel, configFor, loadModelSource } from '../support/built-pipeline.js';

/** The repository root, from this file's place in it (test/seeds/). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The seeds live next to the repository: ../shared/seeds/ from its root. */
const SEEDS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'seeds');
const SEED_FILE = path.join(SEEDS_DIR, '000_aeca939b2430ff24.txt');

const POSTED_FUNCTIONS = ['ucode_nmi_cb', 'set_nmi_cpus', 'clear_nmi_cpus'] as const;

/**
 * A function as the patch adds it: from the first added line that defines
 * `name` to the first added line that closes it (`+}`), each line with its
 * leading `+` removed and nothing else changed.
 */
function extractAddedFunction(patch: string, name: string): string {
  const lines = patch.split(/\r?\n/);
  const definition = new RegExp(`^\\+[A-Za-z_][\\w\\s*]*\\b${name}\\s*\\(`);
  const start = lines.findIndex((l) => definition.test(l));
  if (start < 0) throw new Error(`seed 000: no added line defines ${name}()`);
  const end = lines.findIndex((l, i) => i > start && l === '+}');
  if (end < 0) throw new Error(`seed 000: ${name}() has no closing "+}" line`);
  const body = lines.slice(start, end + 1);
  const notAdded = body.find((l) => !l.startsWith('+'));
  if (notAdded !== undefined) throw new Error(`seed 000: ${name}() contains a line that is not an added line: ${JSON.stringify(notAdded)}`);
  return body.map((l) => l.slice(1)).join('\n');
}

/** The harness: what the posted functions need around them. Written for this test, not taken from the seed. */
function harness(posted: string): string {
  return `#pragma irqcheck cpus 2 smt 2 nmis 1

#define SPINUNIT 100

static atomic_t late_cpus_in;
static atomic_t late_cpus_out;
static atomic_t nmi_cpus;
static atomic_t nmi_timeouts;
static struct cpumask cpus_in_wait;

/* ---- as posted ---- */
${posted}
/* ---- end of posted code ---- */

/* A foreign NMI handler that reads an MSR, as perf's PMI handler does. */
static int pmi_handler(unsigned int cmd, struct pt_regs *regs)
{
	u64 status;

	rdmsrl(MSR_CORE_PERF_GLOBAL_STATUS, status);
	return status ? NMI_HANDLED : NMI_DONE;
}

static int rendezvous(atomic_t *count, long long timeout)
{
	atomic_inc(count);
	while (atomic_read(count) < num_online_cpus()) {
		if (timeout < SPINUNIT)
			return 1;
		ndelay(SPINUNIT);
		timeout -= SPINUNIT;
	}
	return 0;
}

static int late_load(void *unused)
{
	int cpu = smp_processor_id();
	enum ucode_state err;

	if (rendezvous(&late_cpus_in, NSEC_PER_SEC))
		return -1;
	if (cpumask_first(topology_sibling_cpumask(cpu)) == cpu) {
		set_nmi_cpus(&cpus_in_wait);
		apply_microcode_local(&err);
		clear_nmi_cpus(&cpus_in_wait);
	}
	if (rendezvous(&late_cpus_out, NSEC_PER_SEC))
		panic("Timeout during microcode update!\\n");
	return 0;
}

int main(void)
{
	int ret;

	register_nmi_handler(NMI_LOCAL, pmi_handler, 0, "PMI");
	ret = register_nmi_handler(NMI_LOCAL, ucode_nmi_cb, NMI_FLAG_FIRST, "ucode_nmi");
	if (ret)
		return ret;
	ret = stop_machine_cpuslocked(late_load, NULL, cpu_online_mask);
	unregister_nmi_handler(NMI_LOCAL, "ucode_nmi");
	return ret;
}
`;
}

describe('seed 000: the posted NMI hold, run as posted', () => {
  let patch = '';
  let posted: Record<(typeof POSTED_FUNCTIONS)[number], string>;
  let model = '';

  beforeAll(() => {
    if (!fs.existsSync(SEED_FILE)) {
      throw new Error(`seed 000 is missing: expected ${SEED_FILE} (the shared seeds directory next to the repository, ../shared/seeds/ from its root)`);
    }
    patch = fs.readFileSync(SEED_FILE, 'utf8');
    posted = {
      ucode_nmi_cb: extractAddedFunction(patch, 'ucode_nmi_cb'),
      set_nmi_cpus: extractAddedFunction(patch, 'set_nmi_cpus'),
      clear_nmi_cpus: extractAddedFunction(patch, 'clear_nmi_cpus'),
    };
    model = harness(POSTED_FUNCTIONS.map((f) => posted[f]).join('\n\n'));
  });

  test('the seed thread is there', () => {
    expect(fs.existsSync(SEED_FILE), `seed 000 is missing: expected ${SEED_FILE}`).toBe(true);
  });

  test('the extracted text is the posted code', () => {
    for (const f of POSTED_FUNCTIONS) {
      // Each line is a line of the patch with its '+' removed.
      for (const line of posted[f].split('\n')) expect(patch.split(/\r?\n/)).toContain(`+${line}`);
    }
    expect(posted.ucode_nmi_cb).toMatch(/^static int ucode_nmi_cb\(unsigned int val, struct pt_regs \*regs\)\n\{\n/);
    expect(posted.ucode_nmi_cb).toContain('while (timeout < NSEC_PER_USEC) {');
    expect(posted.ucode_nmi_cb).toContain('if (!cpumask_test_cpu(cpu, &cpus_in_wait))');
    expect(posted.ucode_nmi_cb.endsWith('return NMI_HANDLED;\n}')).toBe(true);
    expect(posted.set_nmi_cpus).toContain('cpumask_set_cpu(wait_cpu, wait_mask);');
    expect(posted.clear_nmi_cpus).toContain('cpumask_clear_cpu(wait_cpu, wait_mask);');
    // The first occurrence is the patch itself, not a quoted reply.
    expect(posted.ucode_nmi_cb).not.toContain('>');
  });

  test('without NMIs from outside the protocol completes (cpus 2, smt 2, nmis 0)', async () => {
    const unit = await loadModelSource('seed-000-harness.c', model);
    const outcome = checkModel(unit, configFor(unit, { nmis: 0 }));
    expect(outcome.verdict).toBe('verified');
  });

  test('an NMI on a marked sibling does not wait: its next handler reads an MSR during the update (cpus 2, smt 2, nmis 1)', async () => {
    const unit = await loadModelSource('seed-000-harness.c', model);
    const outcome = checkModel(unit, configFor(unit, {}));
    expect(outcome.verdict).toBe('violation');
    const v = outcome.violations[0] as ReportedViolation;
    expect(v.kind).toBe('msr-during-microcode-update');
    expect(v.cpu).toBe(1);
    expect(v.message).toMatch(/CPU1 began RDMSR 0x38e while CPU0, a thread of the same core, was applying a microcode update/);

    const trace = v.trace;
    const marked = trace.findIndex((s) => s.cpu === 0 && s.fn === 'set_nmi_cpus' && s.text.includes('cpumask_set_cpu'));
    const updateBegins = trace.findIndex((s) => s.cpu === 0 && (s.note ?? '').includes('begins a microcode update'));
    const nmi = trace.findIndex((s) => (s.event === 'external-nmi' && s.text === 'NMI -> CPU1') || (s.event === 'nmi-taken' && s.cpu === 1));
    const held = trace.findIndex((s) => s.cpu === 1 && s.context === 'nmi' && s.fn === 'ucode_nmi_cb' && s.text.includes('cpumask_test_cpu(cpu, &cpus_in_wait)'));
    const rdmsr = trace.length - 1;
    // The sibling was marked and the update under way before the NMI reached it,
    expect(marked).toBeGreaterThanOrEqual(0);
    expect(updateBegins).toBeGreaterThan(marked);
    expect(nmi).toBeGreaterThan(updateBegins);
    // ucode_nmi_cb saw the mark, yet the next handler's RDMSR ran before the update ended.
    expect(held).toBeGreaterThan(nmi);
    expect(trace[rdmsr]?.cpu).toBe(1);
    expect(trace[rdmsr]?.fn).toBe('pmi_handler');
    expect(trace.slice(updateBegins).some((s) => (s.note ?? '').includes('ends a microcode update'))).toBe(false);
  });
});
