/**
 * `irqcheck view TRACE.json` and `check --html FILE`: a trace file as one
 * self-contained HTML page (inline CSS, script and data; no network, so a
 * Content-Security-Policy forbids any; it opens from disk). See
 * html-data.ts for what is embedded and html-script.ts for how it is drawn.
 */
import { viewerData } from './html-data.js';
import { VIEWER_SCRIPT } from './html-script.js';
import { VIEWER_STYLE } from './html-style.js';
import type { TraceFile } from './trace-file.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside a `<script>` element: no `<` (so no `</script>`
 * or `<!--`), and no U+2028/U+2029 line separators.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** The viewer page for a trace file: a complete HTML document. */
export function renderHtml(trace: TraceFile): string {
  const first = trace.violations[0];
  const title = `irqcheck: ${first === undefined ? trace.verdict : first.kind} in ${trace.model.file}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${VIEWER_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header id="summary"><noscript>This trace viewer needs JavaScript.</noscript></header>',
    '<main>',
    '<section id="timeline-pane" aria-label="timeline"><div id="timeline"></div></section>',
    '<aside id="side">',
    '<section id="state-pane" aria-label="machine state"><h2>Machine state <span id="state-title"></span></h2><div id="state"></div></section>',
    '<section id="source-pane" aria-label="source"><h2 id="source-title">source</h2><pre id="source"></pre></section>',
    '</aside>',
    '</main>',
    `<script type="application/json" id="trace-data">${scriptJson(viewerData(trace))}</script>`,
    `<script>${VIEWER_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
