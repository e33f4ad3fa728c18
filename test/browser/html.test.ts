/**
 * The HTML viewer in a real headless Chromium (Debian's `chromium`, driven
 * by playwright-core): the page opens from disk and fetches nothing, shows
 * a lane per CPU that acts plus the device and environment lanes, draws an
 * arrow from each MSI or NMI send to its delivery, nests interrupt context,
 * shows the machine state of a clicked step with what changed highlighted,
 * steps with the keyboard, marks the source line, and keeps hostile model
 * text inert.
 *
 * `UPDATE_SCREENSHOT=1 npx vitest run test/browser` also rewrites the
 * screenshot in docs/images/trace.png.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml, type TraceFile } from '../../src/report/index.js';
import { checkFile, fixture, traceFileOf } from '../report/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = new URL('../..', import.meta.url);

let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'irqcheck-browser-'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's Chromium. Install it with: apt-get install -y chromium (.ci/run does when it is missing)`);
  }
  // launch() gives each browser a fresh, empty profile of its own.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  readonly page: Page;
  /** URLs the page asked for that are not the page itself. */
  readonly requests: string[];
  /** Errors and dialogs the page raised. */
  readonly problems: string[];
}

/** Writes the page of `trace` and opens it from disk. */
async function open(trace: TraceFile, name: string): Promise<Opened> {
  const file = join(dir, name);
  writeFileSync(file, renderHtml(trace));
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  const requests: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `file://${file}`) return route.continue();
    requests.push(url);
    return route.abort();
  });
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, requests, problems };
}

const stepOf = (t: TraceFile, test: (s: TraceFile['violations'][number]['trace'][number]) => boolean): number => {
  const s = t.violations[0]?.trace.find(test);
  if (s === undefined) throw new Error('no such step');
  return s.step;
};

describe('the trace viewer in Chromium', () => {
  it('shows the device model: lanes, the MSI arrow, the violation, and the state of a clicked step', async () => {
    const t = traceFileOf(await checkFile(fixture('msi-move.c')));
    const { page, requests, problems } = await open(t, 'msi.html');
    expect(await page.locator('#timeline .lane-head[data-lane]').allTextContents()).toEqual(['CPU0', 'CPU1', 'nic']);
    await expect.poll(() => page.locator('#explain .what').textContent()).toMatch(/^VIOLATION lost-interrupt at .*msi-move\.c:\d+, after \d+ steps$/);
    expect(await page.locator('#explain .message').textContent()).toBe(t.violations[0]?.message);
    expect(await page.locator('#tabs button').count()).toBe(t.violations.length);

    // The raise, in the device's lane, points at the vector taken on CPU1.
    const raise = stepOf(t, (s) => s.event === 'device-raise');
    const taken = stepOf(t, (s) => s.event === 'irq-taken');
    expect(await page.locator(`.step[data-step="${raise}"]`).getAttribute('data-lane')).toBe('device:nic');
    expect(await page.locator(`.step[data-step="${taken}"]`).getAttribute('data-lane')).toBe('cpu1');
    const arrow = page.locator(`#arrows path.arrow[data-from="${raise}"][data-to="${taken}"]`);
    expect(await arrow.count()).toBe(1);
    expect(await arrow.getAttribute('data-label')).toBe('MSI vector 0x31 -> CPU1');
    // It runs from the raise's side, leftwards to CPU1's lane, down into the top of the delivery.
    const a = await arrow.boundingBox();
    const from = await page.locator(`.step[data-step="${raise}"]`).boundingBox();
    const to = await page.locator(`.step[data-step="${taken}"]`).boundingBox();
    expect(a !== null && from !== null && to !== null).toBe(true);
    if (a !== null && from !== null && to !== null) {
      expect(Math.abs(a.y - (from.y + from.height / 2))).toBeLessThan(4);
      expect(Math.abs(a.x + a.width - from.x)).toBeLessThan(4);
      expect(Math.abs(a.y + a.height - to.y)).toBeLessThan(4);
      expect(a.x).toBeGreaterThan(to.x);
      expect(a.x).toBeLessThan(to.x + to.width);
    }

    // Interrupt context is nested: the handler's steps sit further right than the entry.
    const handler = stepOf(t, (s) => s.context === 'irq' && s.cpu === 1);
    const entryBox = await page.locator(`.step[data-step="${taken}"]`).boundingBox();
    const handlerBox = await page.locator(`.step[data-step="${handler}"]`).boundingBox();
    expect((handlerBox?.x ?? 0) - (entryBox?.x ?? 0)).toBeGreaterThan(10);

    // local_irq_save turns CPU0's IF off: the panel shows it, highlighted as changed.
    const save = stepOf(t, (s) => s.text === 'local_irq_save(flags);');
    await page.locator(`.step[data-step="${save}"]`).click();
    expect(await page.locator('#state-title').textContent()).toBe(`(after step ${save})`);
    const ifRow = page.locator('#state tr[data-key="cpu0.if"]');
    expect(await ifRow.locator('td').textContent()).toBe('offwas on');
    expect(await ifRow.getAttribute('class')).toBe('changed');
    expect(await page.locator('#state tr[data-key="global.handled"] td').textContent()).toBe('0');
    expect(await page.locator('#state tr[data-key="global.handled"]').getAttribute('class')).toBeNull();
    expect(await page.locator('#state h3.actor').textContent()).toBe('CPU0');
    // The source beside it, with the step's line marked.
    const line = t.violations[0]?.trace[save - 1]?.line;
    expect(await page.locator('#source .src-line.current').getAttribute('data-line')).toBe(String(line));
    expect(await page.locator('#source .src-line.current .code').textContent()).toBe('\tlocal_irq_save(flags);');

    // After the raise, CPU1's IRR holds the vector and the device counts one raised.
    await page.locator(`.step[data-step="${raise}"]`).click();
    expect(await page.locator('#state tr[data-key="cpu1.irr"] td').textContent()).toBe('0x31was —');
    expect(await page.locator('#state tr[data-key="device.nic.raised"]').getAttribute('class')).toBe('changed');

    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws an external NMI in the environment lane with its arrow, and steps with the keyboard', async () => {
    const t = traceFileOf(await checkFile(fixture('nmi-ipi.c'), {}, { nmis: 1 }));
    const { page, problems } = await open(t, 'nmi.html');
    const lanes = await page.locator('#timeline .lane-head[data-lane]').allTextContents();
    expect(lanes[lanes.length - 1]).toBe('environment');
    expect(lanes.slice(0, -1)).toEqual([...new Set(t.violations[0]?.trace.flatMap((s) => (s.cpu === null ? [] : [s.cpu])))].sort().map((c) => `CPU${c}`));
    const arrival = stepOf(t, (s) => s.event === 'external-nmi');
    expect(await page.locator(`#arrows path.arrow[data-from="${arrival}"]`).count()).toBe(1);

    // The page opens on the violating step; k/ArrowUp go back, j/ArrowDown forward.
    const last = t.violations[0]?.trace.length ?? 0;
    expect(await page.evaluate(() => document.body.dataset.step)).toBe(String(last));
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.body.dataset.step)).toBe(String(last - 2));
    await page.keyboard.press('j');
    expect(await page.evaluate(() => document.body.dataset.step)).toBe(String(last - 1));
    await page.keyboard.press('Home');
    expect(await page.locator('#state-title').textContent()).toBe('(initial)');
    await page.keyboard.press('End');
    expect(await page.locator('.step.selected').getAttribute('data-step')).toBe(String(last));
    // In the handler, the NMI is blocked on its CPU.
    const target = t.violations[0]?.trace[last - 1]?.cpu;
    expect(await page.locator(`#state tr[data-key="cpu${target}.nmi-blocked"] td`).textContent()).toBe('yes');
    expect(await page.locator(`#state tr[data-key="cpu${target}.context"] td`).textContent()).toBe('nmi');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('marks the IPIs a deadlock leaves untaken with dashed arrows towards their targets', async () => {
    const t = traceFileOf(await checkFile(fixture('ipi-deadlock.c')));
    const { page, problems } = await open(t, 'deadlock.html');
    const undelivered = page.locator('#arrows path.arrow.undelivered');
    expect(await undelivered.count()).toBe(2);
    const labels = await undelivered.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-label')).sort());
    expect(labels).toEqual(['IPI vector 0xfb -> CPU0, never taken', 'IPI vector 0xfb -> CPU1, never taken']);
    // The one CPU0 sent runs right, into CPU1's lane.
    const fromCpu0 = undelivered.and(page.locator(`[data-label="IPI vector 0xfb -> CPU1, never taken"]`));
    const box = await fromCpu0.boundingBox();
    const lane = await page.locator('.lane-head[data-lane="cpu1"]').boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeGreaterThan(lane?.x ?? Infinity);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows hostile model text as text', async () => {
    const hostile = `/* <img src=x onerror=alert(1)> </script><script>alert(2)</script> */
#pragma irqcheck cpus 1
int main(void)
{
	printk("<b onmouseover=alert(3)>bold?</b>");
	BUG_ON(1);
	return 0;
}
`;
    const file = join(dir, '<svg onload=alert(4)>.c');
    writeFileSync(file, hostile);
    const t = traceFileOf(await checkFile(file));
    const { page, problems } = await open(t, 'hostile.html');
    expect(await page.locator('img, b, svg[onload], script:not([id]):not(:last-of-type)').count()).toBe(0);
    expect(await page.locator('#summary h1').textContent()).toBe(`irqcheck: ${file}`);
    await page.locator('.step[data-step="1"]').click();
    expect(await page.locator('#source .src-line[data-line="1"] .code').textContent()).toBe('/* <img src=x onerror=alert(1)> </script><script>alert(2)</script> */');
    expect(await page.locator('.step .note').allTextContents()).toContain('↳ printk: <b onmouseover=alert(3)>bold?</b>');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders the bundled NMI-hold example readably (and keeps the screenshot in the docs)', async () => {
    // As a user runs it, from the repository root: the page names the model by its relative path.
    const t = traceFileOf(await checkFile(relative(process.cwd(), new URL('examples/microcode/nmi-hold-v1.c', ROOT).pathname)));
    const { page, problems } = await open(t, 'nmi-hold.html');
    const arrival = stepOf(t, (s) => s.event === 'external-nmi');
    await page.locator(`.step[data-step="${arrival + 1}"]`).click();
    const shot = await page.screenshot();
    expect(shot.length).toBeGreaterThan(20_000);
    if (process.env.UPDATE_SCREENSHOT === '1') writeFileSync(new URL('docs/images/trace.png', ROOT), shot);
    expect(readFileSync(new URL('docs/images/trace.png', ROOT)).subarray(1, 4).toString()).toBe('PNG');
    expect(problems).toEqual([]);
    await page.close();
  });
});
