/**
 * The viewer page's script, inlined into every page. It reads the data
 * embedded in `<script type="application/json" id="trace-data">` (see
 * html-data.ts) and lays it out: the violation explained, one grid column
 * per lane, arrows (SVG) from sends to deliveries, the state panel for the
 * selected step with changes highlighted, the source with the step's line
 * marked, and keyboard stepping. Every model-provided string reaches the
 * page through `textContent`, never as markup.
 *
 * Plain browser JavaScript kept as text (the page has no build step):
 * no template literals, so it can live in this TypeScript string.
 */

/** The JavaScript of the trace viewer. */
export const VIEWER_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  var timeline = document.getElementById('timeline');
  var timelinePane = document.getElementById('timeline-pane');
  var statePanel = document.getElementById('state');
  var stateTitle = document.getElementById('state-title');
  var sourcePre = document.getElementById('source');
  var sourceTitle = document.getElementById('source-title');
  var sourcePane = document.getElementById('source-pane');
  var view = { violation: 0, step: 0, file: null };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function header() {
    var h = document.getElementById('summary');
    h.textContent = '';
    h.appendChild(el('h1', null, 'irqcheck: ' + data.model));
    var meta = el('div', 'meta');
    var badge = el('span', 'verdict ' + data.verdict, data.verdict.toUpperCase());
    meta.appendChild(badge);
    meta.appendChild(document.createTextNode('  ' + data.config + ' \u00b7 ' + data.stats));
    h.appendChild(meta);
    if (data.violations.length > 1) {
      var tabs = el('div');
      tabs.id = 'tabs';
      tabs.setAttribute('role', 'tablist');
      data.violations.forEach(function (v, i) {
        var b = el('button', null, (i + 1) + '. ' + (v.severity === 'error' ? 'VIOLATION ' : 'WARNING ') + v.kind);
        b.setAttribute('role', 'tab');
        b.dataset.violation = String(i);
        b.addEventListener('click', function () { showViolation(i); });
        tabs.appendChild(b);
      });
      h.appendChild(tabs);
    }
    var explain = el('div');
    explain.id = 'explain';
    h.appendChild(explain);
    var help = el('div', 'help');
    help.innerHTML = 'Click a step, or step with <kbd>\u2193</kbd>/<kbd>j</kbd> and <kbd>\u2191</kbd>/<kbd>k</kbd> (<kbd>Home</kbd>/<kbd>End</kbd>). Arrows join a send to its delivery; indentation is interrupt nesting.';
    h.appendChild(help);
  }

  function explainViolation(v) {
    var box = document.getElementById('explain');
    box.textContent = '';
    if (!v) {
      box.className = '';
      box.appendChild(el('div', 'what', data.verdict === 'verified' ? 'No violation: every interleaving and interrupt arrival was explored.' : 'No violation was found in the states explored.'));
      return;
    }
    box.className = v.severity;
    var what = (v.severity === 'error' ? 'VIOLATION ' : 'WARNING ') + v.kind + ' at ' + v.location.file + ':' + v.location.line + (v.cpu === null ? '' : ' on CPU' + v.cpu) + ', after ' + v.steps.length + ' steps';
    box.appendChild(el('div', 'what', what));
    box.appendChild(el('div', 'message', v.message));
    var replay = el('div', 'replay', 'replay: ');
    replay.appendChild(el('code', null, 'npx irqcheck replay ' + data.model + ' ' + v.replay));
    box.appendChild(replay);
  }

  function showViolation(i) {
    view.violation = i;
    view.file = null;
    var tabs = document.querySelectorAll('#tabs button');
    for (var t = 0; t < tabs.length; t++) tabs[t].setAttribute('aria-selected', String(t === i));
    var v = data.violations[i];
    explainViolation(v);
    buildTimeline(v);
    select(v ? v.steps.length : 0);
  }

  function buildTimeline(v) {
    timeline.textContent = '';
    if (!v) return;
    var lanes = v.lanes;
    var column = {};
    lanes.forEach(function (l, i) { column[l.id] = i + 2; });
    timeline.style.gridTemplateColumns = '3.2em repeat(' + Math.max(1, lanes.length) + ', minmax(15em, 1fr))';
    var corner = el('div', 'lane-head', 'step');
    corner.style.gridColumn = '1';
    timeline.appendChild(corner);
    lanes.forEach(function (l) {
      var head = el('div', 'lane-head ' + l.kind, l.label);
      head.dataset.lane = l.id;
      head.style.gridColumn = String(column[l.id]);
      timeline.appendChild(head);
    });
    var start = el('div', 'start', 'initial state');
    start.dataset.step = '0';
    start.style.gridRow = '2';
    start.addEventListener('click', function () { select(0); });
    timeline.appendChild(start);
    var startNum = el('div', 'num', '0');
    startNum.dataset.num = '0';
    startNum.style.gridRow = '2';
    startNum.style.gridColumn = '1';
    timeline.appendChild(startNum);
    v.steps.forEach(function (s, k) {
      var row = String(k + 3);
      var num = el('div', 'num', s.step);
      num.dataset.num = String(s.step);
      num.style.gridRow = row;
      num.style.gridColumn = '1';
      num.addEventListener('click', function () { select(s.step); });
      timeline.appendChild(num);
      lanes.forEach(function (l) {
        if (l.id === s.lane) return;
        var gap = el('div', 'gap');
        gap.style.gridRow = row;
        gap.style.gridColumn = String(column[l.id]);
        timeline.appendChild(gap);
      });
      var lane = lanes.filter(function (l) { return l.id === s.lane; })[0];
      var cell = el('div', 'step ctx-' + s.context + ' ev-' + s.event + ' lane-' + (lane ? lane.kind : 'env'));
      if (s.event === 'nmi-taken' || s.event === 'irq-taken') cell.classList.add('entry');
      if (k === v.steps.length - 1) cell.classList.add('final');
      cell.dataset.step = String(s.step);
      cell.dataset.lane = s.lane;
      cell.style.gridRow = row;
      cell.style.gridColumn = String(column[s.lane]);
      cell.style.setProperty('--depth', String(s.depth));
      var txt = el('span', 'txt', (s.event === 'nmi-taken' || s.event === 'irq-taken' ? '\u21d2 ' : '') + s.text);
      cell.appendChild(txt);
      if (s.line > 0) cell.appendChild(el('span', 'ln', ':' + s.line));
      if (s.note !== null && s.note.indexOf('IRET') >= 0) cell.appendChild(el('span', 'badge iret', '\u21d0 IRET'));
      if (s.note !== null) cell.appendChild(el('div', 'note', '\u21b3 ' + s.note));
      cell.title = s.file + (s.line > 0 ? ':' + s.line : '') + ' \u00b7 ' + s.context + ' context' + (s.depth > 0 ? ', nesting ' + s.depth : '');
      cell.addEventListener('click', function () { select(s.step); });
      timeline.appendChild(cell);
    });
    var svg = document.createElementNS(SVG, 'svg');
    svg.id = 'arrows';
    var defs = document.createElementNS(SVG, 'defs');
    ['ipi', 'msi', 'nmi'].forEach(function (kind) {
      var marker = document.createElementNS(SVG, 'marker');
      marker.setAttribute('id', 'head-' + kind);
      marker.setAttribute('viewBox', '0 0 10 10');
      marker.setAttribute('refX', '9');
      marker.setAttribute('refY', '5');
      marker.setAttribute('markerWidth', '7');
      marker.setAttribute('markerHeight', '7');
      marker.setAttribute('orient', 'auto-start-reverse');
      var tip = document.createElementNS(SVG, 'path');
      tip.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
      tip.setAttribute('class', kind);
      tip.style.fill = kind === 'msi' ? 'var(--device)' : kind === 'nmi' ? 'var(--nmi)' : 'var(--env)';
      tip.style.stroke = 'none';
      marker.appendChild(tip);
      defs.appendChild(marker);
    });
    svg.appendChild(defs);
    timeline.appendChild(svg);
    drawArrows();
  }

  function stepCell(n) {
    return timeline.querySelector('.step[data-step="' + n + '"]');
  }

  function drawArrows() {
    var svg = document.getElementById('arrows');
    var v = data.violations[view.violation];
    if (!svg || !v) return;
    var old = svg.querySelectorAll('path.arrow');
    for (var o = 0; o < old.length; o++) old[o].remove();
    svg.setAttribute('width', String(timeline.scrollWidth));
    svg.setAttribute('height', String(timeline.scrollHeight));
    var box = timeline.getBoundingClientRect();
    v.arrows.forEach(function (a) {
      var from = stepCell(a.from);
      if (from && a.to === 0) { drawUndelivered(svg, box, from, a); return; }
      var to = stepCell(a.to);
      if (!from || !to) return;
      from.classList.add('sends');
      to.classList.add('receives');
      var f = from.getBoundingClientRect();
      var t = to.getBoundingClientRect();
      // From the side of the sender facing the receiver, into the top of the receiver near that side.
      var same = from.dataset.lane === to.dataset.lane;
      var rightward = !same && t.left + t.width / 2 >= f.left + f.width / 2;
      var x1 = (same || rightward ? f.right : f.left) - box.left;
      var y1 = f.top + f.height / 2 - box.top;
      var x2 = (rightward ? t.left + 16 : t.right - 16) - box.left;
      var y2 = t.top - box.top;
      var out = same ? 36 : (rightward ? 1 : -1) * Math.min(60, Math.max(24, Math.abs(x2 - x1) / 3));
      var d = 'M ' + x1 + ' ' + y1 + ' C ' + (x1 + out) + ' ' + y1 + ', ' + x2 + ' ' + (y2 - Math.max(18, (y2 - y1) / 2)) + ', ' + x2 + ' ' + y2;
      var kind = /^MSI/.test(a.label) ? 'msi' : /NMI/.test(a.label) ? 'nmi' : 'ipi';
      var path = document.createElementNS(SVG, 'path');
      path.setAttribute('class', 'arrow ' + kind);
      path.setAttribute('d', d);
      path.setAttribute('marker-end', 'url(#head-' + kind + ')');
      path.dataset.from = String(a.from);
      path.dataset.to = String(a.to);
      path.dataset.label = a.label;
      var title = document.createElementNS(SVG, 'title');
      title.textContent = a.label + ' (step ' + a.from + ' \u2192 ' + a.to + ')';
      path.appendChild(title);
      svg.appendChild(path);
    });
  }

  // A send the trace never sees taken: a dashed arrow towards the target's lane, ending in a bar.
  function drawUndelivered(svg, box, from, a) {
    var head = timeline.querySelector('.lane-head[data-lane="' + a.lane + '"]');
    if (!head) return;
    from.classList.add('sends');
    var f = from.getBoundingClientRect();
    var h = head.getBoundingClientRect();
    var y = f.top + f.height / 2 - box.top;
    var rightward = h.left > f.left;
    var x1 = (rightward ? f.right : f.left) - box.left;
    var x2 = (from.dataset.lane === a.lane ? f.right + 40 : h.left + h.width / 2) - box.left;
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('class', 'arrow undelivered ' + (/NMI/.test(a.label) ? 'nmi' : 'ipi'));
    path.setAttribute('d', 'M ' + x1 + ' ' + y + ' L ' + x2 + ' ' + y + ' M ' + x2 + ' ' + (y - 7) + ' L ' + x2 + ' ' + (y + 7));
    path.dataset.from = String(a.from);
    path.dataset.to = '0';
    path.dataset.label = a.label;
    var title = document.createElementNS(SVG, 'title');
    title.textContent = a.label + ' (step ' + a.from + ')';
    path.appendChild(title);
    svg.appendChild(path);
  }

  function rowsByKey(rows) {
    var m = {};
    if (rows) rows.forEach(function (r) { m[r[0]] = r; });
    return m;
  }

  function showState(v, n) {
    statePanel.textContent = '';
    var s = n > 0 ? v.steps[n - 1] : null;
    stateTitle.textContent = n === 0 ? '(initial)' : '(after step ' + n + ')';
    if (v.states.length === 0) {
      statePanel.appendChild(el('div', 'empty', 'This trace file holds no machine states.'));
      return;
    }
    var rows = v.states[n] || [];
    var before = n > 0 ? rowsByKey(v.states[n - 1]) : null;
    var now = rowsByKey(rows);
    var section = null;
    var table = null;
    var actor = s && s.lane.indexOf('cpu') === 0 ? 'CPU' + s.lane.slice(3) : null;
    function open(name) {
      var box = el('section');
      box.dataset.section = name;
      box.appendChild(el('h3', name === actor ? 'actor' : null, name));
      table = el('table');
      box.appendChild(table);
      statePanel.appendChild(box);
      section = name;
    }
    function removedIn(name) {
      if (!before) return;
      Object.keys(before).forEach(function (key) {
        var r = before[key];
        if (r[1] !== name || now[key]) return;
        var tr = el('tr', 'removed');
        tr.dataset.key = key;
        tr.appendChild(el('th', null, r[2]));
        tr.appendChild(el('td', null, r[3]));
        table.appendChild(tr);
      });
    }
    rows.forEach(function (r) {
      if (r[1] !== section) {
        if (section !== null) removedIn(section);
        open(r[1]);
      }
      var tr = el('tr');
      tr.dataset.key = r[0];
      var was = before ? before[r[0]] : undefined;
      if (before && (!was || was[3] !== r[3])) tr.className = 'changed';
      tr.appendChild(el('th', null, r[2]));
      var td = el('td', null, r[3]);
      if (was && was[3] !== r[3]) td.appendChild(el('span', 'was', 'was ' + was[3]));
      tr.appendChild(td);
      table.appendChild(tr);
    });
    if (section !== null) removedIn(section);
    var changed = statePanel.querySelector('tr.changed, tr.removed');
    if (changed) revealIn(document.getElementById('state-pane'), changed);
  }

  function renderSource(file) {
    if (view.file === file) return;
    view.file = file;
    sourcePre.textContent = '';
    var text = data.sources[file];
    sourceTitle.textContent = file;
    if (text === undefined) {
      sourcePre.appendChild(el('div', 'src-line', '(the source of ' + file + ' is not in the trace file)'));
      return;
    }
    var v = data.violations[view.violation];
    text.split('\n').forEach(function (line, i) {
      var row = el('div', 'src-line');
      row.dataset.line = String(i + 1);
      if (v && v.location.file === file && v.location.line === i + 1) row.classList.add('violation');
      row.appendChild(el('span', 'n', i + 1));
      row.appendChild(el('span', 'code', line));
      sourcePre.appendChild(row);
    });
  }

  function showSource(v, n) {
    var s = n > 0 ? v.steps[n - 1] : null;
    // Steps with no source line (hardware and environment events) show the model itself.
    renderSource(s && s.line > 0 ? s.file : data.model);
    var marked = sourcePre.querySelectorAll('.current');
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove('current');
    if (!s || s.line <= 0) return;
    var line = sourcePre.querySelector('.src-line[data-line="' + s.line + '"]');
    if (!line) return;
    line.classList.add('current');
    centerIn(sourcePane, line);
  }

  function centerIn(pane, node) {
    var p = pane.getBoundingClientRect();
    var r = node.getBoundingClientRect();
    pane.scrollTop += r.top - p.top - p.height / 2 + r.height / 2;
  }

  function revealIn(pane, node) {
    var p = pane.getBoundingClientRect();
    var r = node.getBoundingClientRect();
    if (r.top < p.top + 60 || r.bottom > p.bottom) pane.scrollTop += r.top - p.top - 90;
  }

  function scrollIntoPane(node) {
    var pane = timelinePane.getBoundingClientRect();
    var r = node.getBoundingClientRect();
    var headRoom = 40;
    if (r.top < pane.top + headRoom) timelinePane.scrollTop -= pane.top + headRoom - r.top + 20;
    else if (r.bottom > pane.bottom) timelinePane.scrollTop += r.bottom - pane.bottom + 20;
  }

  function select(n) {
    var v = data.violations[view.violation];
    if (!v) { statePanel.textContent = ''; renderSource(data.model); return; }
    n = Math.max(0, Math.min(v.steps.length, n));
    view.step = n;
    var prev = timeline.querySelectorAll('.selected');
    for (var i = 0; i < prev.length; i++) prev[i].classList.remove('selected');
    var cell = n === 0 ? timeline.querySelector('.start') : stepCell(n);
    var num = timeline.querySelector('.num[data-num="' + n + '"]');
    if (cell) { cell.classList.add('selected'); scrollIntoPane(cell); }
    if (num) num.classList.add('selected');
    document.body.dataset.step = String(n);
    showState(v, n);
    showSource(v, n);
  }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var v = data.violations[view.violation];
    if (!v) return;
    if (e.key === 'ArrowDown' || e.key === 'j') select(view.step + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') select(view.step - 1);
    else if (e.key === 'Home') select(0);
    else if (e.key === 'End') select(v.steps.length);
    else return;
    e.preventDefault();
  });
  window.addEventListener('resize', drawArrows);

  header();
  showViolation(0);
  document.body.dataset.ready = 'true';
})();
`;
