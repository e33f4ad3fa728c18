/**
 * The viewer page's stylesheet, inlined into every page (the page must
 * open from disk with no network). Lanes are grid columns; interrupt
 * context is shown by indentation (`--depth`) and a colour per context.
 */

/** The CSS of the trace viewer. */
export const VIEWER_STYLE = String.raw`
:root {
  --bg: #fbfbfa; --fg: #1d1d1f; --muted: #6b6b70; --line: #deded9; --panel: #ffffff;
  --task: #8a8f98; --irq: #c77700; --nmi: #c0262d; --exception: #7a3fb0; --env: #3b6fb6; --device: #2f8a5b;
  --sel: #fff2b3; --changed: #ffe08a; --final: #c0262d;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 13px; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; height: 100vh; display: grid; grid-template-rows: auto minmax(0, 1fr); overflow: hidden; }
code, pre, .mono, .step .txt, .step .ln, #state td { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
header { padding: 10px 16px 8px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 15px; margin: 0 0 2px; font-weight: 600; }
header .meta { color: var(--muted); }
.verdict { display: inline-block; padding: 0 6px; border-radius: 3px; font-weight: 600; color: #fff; background: var(--task); }
.verdict.violation { background: var(--final); } .verdict.verified { background: var(--device); } .verdict.incomplete { background: var(--irq); }
#tabs { margin-top: 6px; display: flex; gap: 4px; flex-wrap: wrap; }
#tabs button { font: inherit; border: 1px solid var(--line); background: var(--bg); border-radius: 4px; padding: 2px 8px; cursor: pointer; }
#tabs button[aria-selected="true"] { background: var(--fg); color: #fff; border-color: var(--fg); }
#explain { margin-top: 8px; padding: 8px 10px; border-left: 4px solid var(--final); background: #fdf1f1; border-radius: 2px; }
#explain.warning { border-left-color: var(--irq); background: #fdf6ea; }
#explain .what { font-weight: 600; }
#explain .message { white-space: pre-wrap; margin: 4px 0; }
#explain .replay { color: var(--muted); word-break: break-all; }
#explain .replay code { color: var(--fg); }
.help { color: var(--muted); font-size: 12px; margin-top: 4px; }
kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 4px; background: var(--panel); font-size: 11px; }
main { display: grid; grid-template-columns: minmax(0, 1.5fr) minmax(320px, 1fr); min-height: 0; }
#timeline-pane { overflow: auto; min-height: 0; border-right: 1px solid var(--line); }
#timeline { position: relative; display: grid; align-items: start; padding: 0 12px 24px 0; }
#timeline .lane-head { position: sticky; top: 0; z-index: 3; background: var(--bg); border-bottom: 1px solid var(--line); padding: 6px 8px; font-weight: 600; }
#timeline .lane-head.cpu { color: var(--fg); } #timeline .lane-head.device { color: var(--device); } #timeline .lane-head.env { color: var(--env); }
#timeline .num { color: var(--muted); text-align: right; padding: 3px 8px 3px 4px; font-variant-numeric: tabular-nums; cursor: pointer; }
#timeline .gap { align-self: stretch; border-left: 1px dashed var(--line); }
.step { position: relative; z-index: 1; margin: 1px 6px 1px calc(6px + var(--depth, 0) * 18px); padding: 2px 6px; border-left: 3px solid var(--task); background: var(--panel); border-radius: 2px; cursor: pointer; box-shadow: 0 0 0 1px var(--line); }
.step.ctx-irq { border-left-color: var(--irq); background: #fff8ec; }
.step.ctx-nmi { border-left-color: var(--nmi); background: #fff0f0; }
.step.ctx-exception { border-left-color: var(--exception); background: #f6f0fc; }
.step.ctx-idle { border-left-color: var(--line); }
.step.lane-env { border-left-color: var(--env); background: #eef4fc; }
.step.lane-device { border-left-color: var(--device); background: #edf8f1; }
.step.entry .txt { font-weight: 600; }
.step .ln { color: var(--muted); margin-left: 6px; }
.step .badge { font-size: 10px; font-weight: 600; padding: 0 4px; border-radius: 3px; margin-left: 6px; color: #fff; background: var(--muted); vertical-align: 1px; }
.step .badge.iret { background: var(--irq); }
.step .note { color: var(--muted); font-size: 11.5px; white-space: normal; overflow-wrap: anywhere; }
.step .txt { white-space: pre-wrap; overflow-wrap: anywhere; }
.step.selected { background: var(--sel); box-shadow: 0 0 0 2px #d4a900; }
.step.final { box-shadow: 0 0 0 2px var(--final); }
.step.final.selected { box-shadow: 0 0 0 2px var(--final), 0 0 0 4px #d4a900; }
.num.selected { color: var(--fg); font-weight: 700; }
.start { grid-column: 2 / -1; margin: 4px 6px; color: var(--muted); cursor: pointer; padding: 2px 6px; border-radius: 2px; }
.start.selected { background: var(--sel); color: var(--fg); }
#arrows { position: absolute; left: 0; top: 0; pointer-events: none; z-index: 2; overflow: visible; }
#arrows path { fill: none; stroke: var(--env); stroke-width: 1.6; opacity: 0.85; }
#arrows path.msi { stroke: var(--device); } #arrows path.nmi { stroke: var(--nmi); }
#arrows path.undelivered { stroke-dasharray: 5 4; stroke-width: 1.8; }
#arrows text { font-size: 10px; fill: var(--muted); }
#side { display: grid; grid-template-rows: minmax(0, 1.2fr) minmax(0, 1fr); min-height: 0; }
#side h2 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); margin: 0; padding: 6px 10px; border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 1; }
#state-pane, #source-pane { overflow: auto; min-height: 0; }
#source-pane { border-top: 1px solid var(--line); }
#state { padding: 0 0 12px; }
#state h3 { font-size: 12px; margin: 0; padding: 8px 10px 2px; position: sticky; top: 27px; background: var(--bg); z-index: 1; }
#state h3.actor::after { content: " (acts in this step)"; color: var(--muted); font-weight: 400; }
#state table { border-collapse: collapse; width: 100%; }
#state table { table-layout: fixed; }
#state th { text-align: left; font-weight: 400; color: var(--muted); padding: 1px 8px 1px 14px; white-space: pre-wrap; overflow-wrap: anywhere; width: 42%; vertical-align: top; }
#state td { padding: 1px 8px; overflow-wrap: anywhere; }
#state tr.changed td, #state tr.changed th { background: var(--changed); }
#state tr.changed td .was { color: var(--muted); margin-left: 8px; }
#state tr.removed td, #state tr.removed th { text-decoration: line-through; color: var(--muted); }
#state .empty { padding: 10px; color: var(--muted); }
#source { margin: 0; padding: 4px 0 12px; }
#source .src-line { display: flex; white-space: pre; }
#source .src-line .n { display: inline-block; min-width: 4em; padding-right: 10px; text-align: right; color: var(--muted); user-select: none; }
#source .src-line.current { background: var(--sel); font-weight: 600; }
#source .src-line.current .n { color: var(--fg); }
#source .src-line.violation .n { color: var(--final); font-weight: 700; }
`;
