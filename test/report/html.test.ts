/**
 * The HTML viewer as data (the browser test drives the page itself): one
 * self-contained document with nothing to fetch, model text that cannot
 * escape into markup, the lanes and arrows of a trace, and the state rows
 * the panel diffs. Also `irqcheck view` and `check --html`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { arrowsOf, escapeHtml, lanesOf, renderHtml, scriptJson, stateRows, viewerData, type TraceFile } from '../../src/report/index.js';
import { ModelDir, runCli } from '../cli/run-cli.js';
import { checkFile, fixture, traceFileOf } from './fixtures.js';

const dir = new ModelDir('irqcheck-html-');
afterAll(() => dir.remove());

/** The data a page embeds, parsed back out of it. */
function embedded(html: string): unknown {
  const m = /<script type="application\/json" id="trace-data">([^]*?)<\/script>/.exec(html);
  if (m === null) throw new Error('no embedded data');
  return JSON.parse(m[1] as string) as unknown;
}

describe('renderHtml', () => {
  it('is one document with inline style, script and data, and a policy that forbids any fetch', async () => {
    const html = renderHtml(traceFileOf(await checkFile(fixture('msi-move.c'))));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`);
    // `url(#…)` names an SVG marker in the page itself.
    expect(html.match(/<link|<script [^>]*src=|<img|@import|url\((?!#)/gi) ?? []).toEqual([]);
    // The SVG namespace is the one URL in the page; it is a name, never fetched.
    expect(html.match(/https?:\/\/[^\s'"]+/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
  });

  it('embeds the viewer data intact', async () => {
    const t = traceFileOf(await checkFile(fixture('nmi-ipi.c')));
    expect(embedded(renderHtml(t))).toEqual(JSON.parse(JSON.stringify(viewerData(t))));
  });

  it('keeps hostile model text out of the markup', async () => {
    const hostile = `/* </script><script>alert(1)</script> <img src=x onerror=alert(2)> \u2028 */
#pragma irqcheck cpus 1
int main(void)
{
	printk("</script><b onmouseover=alert(3)>x</b>");
	BUG_ON(1);
	return 0;
}
`;
    const file = dir.write('</script><svg onload=alert(4)>.c', hostile);
    const t = traceFileOf(await checkFile(file));
    const html = renderHtml(t);
    expect(html.match(/<\/script>/gi)?.length).toBe(2);
    expect(html).not.toMatch(/<img|<b |<svg onload/);
    expect(html).toContain(`<title>irqcheck: assertion in ${escapeHtml(file)}</title>`);
    const data = embedded(html) as { sources: Record<string, string>; violations: { steps: { note: string | null }[] }[] };
    expect(data.sources[file]).toBe(hostile);
    expect(data.violations[0]?.steps.some((s) => s.note?.includes('</script><b onmouseover=alert(3)>') === true)).toBe(true);
  });

  it('escapes what scripts and markup would read', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
    expect(scriptJson({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script>\\u2028"}');
  });
});

describe('lanes and arrows', () => {
  it('gives a lane to each CPU that acts and to each device that raises, and an arrow from the raise to the vector taken', async () => {
    const t = traceFileOf(await checkFile(fixture('msi-move.c')));
    const v = t.violations[0];
    if (v === undefined) throw new Error('no violation');
    expect(lanesOf(v.trace)).toEqual([
      { id: 'cpu0', label: 'CPU0', kind: 'cpu' },
      { id: 'cpu1', label: 'CPU1', kind: 'cpu' },
      { id: 'device:nic', label: 'nic', kind: 'device' },
    ]);
    const raise = v.trace.find((s) => s.event === 'device-raise');
    const taken = v.trace.find((s) => s.event === 'irq-taken');
    expect(arrowsOf(v.trace, v.states)).toEqual([{ from: raise?.step, to: taken?.step, lane: 'cpu1', label: 'MSI vector 0x31 -> CPU1' }]);
    // Read from the step's note when the file has no states.
    expect(arrowsOf(v.trace, [])).toEqual(arrowsOf(v.trace, v.states));
  });

  it('draws an arrow from the step that sends an NMI IPI to the NMI taken', async () => {
    const v = traceFileOf(await checkFile(fixture('nmi-ipi.c'))).violations[0];
    if (v === undefined) throw new Error('no violation');
    const send = v.trace.find((s) => s.note?.includes('send_nmi') === true);
    const taken = v.trace.find((s) => s.event === 'nmi-taken');
    expect(send?.cpu).toBe(0);
    expect(taken?.cpu).toBe(1);
    expect(arrowsOf(v.trace, v.states)).toEqual([{ from: send?.step, to: taken?.step, lane: 'cpu1', label: 'NMI -> CPU1' }]);
  });

  it('draws an arrow from an external NMI to the first step of the handler it starts, in an environment lane', async () => {
    const v = traceFileOf(await checkFile(fixture('nmi-ipi.c'), {}, { nmis: 1 })).violations[0];
    if (v === undefined) throw new Error('no violation');
    expect(lanesOf(v.trace).map((l) => l.id)).toContain('env');
    const arrival = v.trace.find((s) => s.event === 'external-nmi');
    const target = Number(/CPU(\d+)/.exec(arrival?.text ?? '')?.[1]);
    const handler = v.trace.find((s) => s.step > (arrival?.step ?? 0) && s.cpu === target);
    expect(handler?.context).toBe('nmi');
    expect(arrowsOf(v.trace, v.states)).toContainEqual({ from: arrival?.step, to: handler?.step, lane: `cpu${target}`, label: `external NMI -> CPU${target}` });
  });

  it('marks an IPI that the deadlock leaves untaken, from the step that sent it', async () => {
    const v = traceFileOf(await checkFile(fixture('ipi-deadlock.c'))).violations[0];
    if (v === undefined) throw new Error('no violation');
    const sends = v.trace.filter((s) => s.note?.includes('send_vector') === true);
    expect(sends.map((s) => s.cpu).sort()).toEqual([0, 1]);
    expect(arrowsOf(v.trace, v.states)).toEqual(sends.map((s) => ({ from: s.step, to: 0, lane: `cpu${1 - (s.cpu ?? 0)}`, label: `IPI vector 0xfb -> CPU${1 - (s.cpu ?? 0)}, never taken` })));
  });
});

describe('stateRows', () => {
  it('lists every value once under a stable key, with CPU interrupt state in words', async () => {
    const v = traceFileOf(await checkFile(fixture('nmi-ipi.c'))).violations[0];
    if (v === undefined) throw new Error('no violation');
    for (const s of v.states) {
      const keys = stateRows(s).map((r) => r[0]);
      expect(new Set(keys).size).toBe(keys.length);
    }
    const last = new Map(stateRows(v.states[v.states.length - 1] as TraceFile['violations'][number]['states'][number]).map((r) => [r[0], r[3]]));
    expect(last.get('global.in_update')).toBe('1');
    expect(last.get('cpu1.context')).toBe('nmi');
    expect(last.get('cpu1.if')).toBe('off');
    expect(last.get('cpu1.nmi-blocked')).toBe('yes');
  });
});

describe('irqcheck view and check --html', () => {
  it('view writes the page beside the trace file; check --html writes it directly', async () => {
    const file = dir.write('msi.c', readFileSync(fixture('msi-move.c'), 'utf8'));
    const trace = dir.path('msi.json');
    const html = dir.path('direct.html');
    const run = await runCli(['check', file, '--trace', trace, '--html', html]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`html: ${html}`);
    const view = await runCli(['view', trace]);
    expect(view.code).toBe(0);
    expect(view.stdout).toBe(`wrote ${dir.path('msi.html')}\n`);
    expect(embedded(readFileSync(dir.path('msi.html'), 'utf8'))).toEqual(embedded(readFileSync(html, 'utf8')));
  });

  it('view refuses a file that is not a trace file, saying why', async () => {
    const bad = dir.write('bad.json', '[1, 2]');
    const run = await runCli(['view', bad, '-o', dir.path('bad.html')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a trace file this irqcheck can read: the file should be an object/);
  });
});
