/**
 * The chart page's own script (plain browser JavaScript, inlined by `toHtml`):
 * walks a thread's consent history over the chart. Reads the JSON data island
 * `#callperm-data`; marks the state node of the current step `.current`, the
 * edges (and table rows) of the transitions the step took `.taken`, the step's list item `.active`, and mirrors the
 * position on `<body data-step data-state>` for tools and tests.
 *
 * @example
 * const html = `<script>${chartPageScript}</script>`;
 */
export const chartPageScript = `(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('callperm-data').textContent);
  const body = document.body;
  const byId = (id) => document.getElementById(id);
  const wireHover = () => {
    for (const row of document.querySelectorAll('#transitions tr[data-transition]')) {
      const edges = [...document.querySelectorAll('#chart .edge.' + row.dataset.transition)];
      row.addEventListener('mouseenter', () => edges.forEach((e) => e.classList.add('hover')));
      row.addEventListener('mouseleave', () => edges.forEach((e) => e.classList.remove('hover')));
    }
  };
  wireHover();
  const replay = data.replay;
  if (!replay) return;
  const steps = replay.steps;
  const items = [...document.querySelectorAll('#steps li')];
  const label = byId('step-label');
  const range = byId('step-range');
  let pos = 0;
  const show = (p) => {
    pos = Math.max(0, Math.min(steps.length, p));
    const step = pos === 0 ? null : steps[pos - 1];
    const state = step ? step.to : replay.start;
    for (const el of document.querySelectorAll('.current, .taken, .active')) {
      el.classList.remove('current', 'taken', 'active');
    }
    const node = byId('state-' + state);
    if (node) node.classList.add('current');
    if (step) {
      data.transitions.forEach((t, i) => {
        if (t.from !== step.from || t.to !== step.to || t.event !== step.event) return;
        for (const edge of document.querySelectorAll('#chart .edge.t-' + i)) edge.classList.add('taken');
        const row = document.querySelector('#transitions tr[data-transition="t-' + i + '"]');
        if (row) row.classList.add('taken');
      });
    }
    const item = items[pos];
    if (item) item.classList.add('active');
    body.dataset.step = String(pos);
    body.dataset.state = state;
    range.value = String(pos);
    label.textContent = step
      ? 'Step ' + pos + ' of ' + steps.length + ': ' + step.event + ' at ' + step.time + ', ' + (step.from === null ? '?' : step.from) + ' \\u2192 ' + step.to + ' (' + step.via + ')'
      : 'Start: ' + state + (steps.length === 0 ? ' (no history)' : ' (' + steps.length + (replay.cut ? ' newest' : '') + ' steps)');
  };
  let timer = null;
  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    byId('step-play').textContent = 'Play';
  };
  const on = (id, fn) => byId(id).addEventListener('click', () => { stop(); fn(); });
  on('step-first', () => show(0));
  on('step-prev', () => show(pos - 1));
  on('step-next', () => show(pos + 1));
  on('step-last', () => show(steps.length));
  byId('step-play').addEventListener('click', () => {
    if (timer !== null) return stop();
    if (pos >= steps.length) show(0);
    byId('step-play').textContent = 'Pause';
    timer = setInterval(() => (pos >= steps.length ? stop() : show(pos + 1)), 900);
  });
  range.addEventListener('input', () => { stop(); show(Number(range.value)); });
  items.forEach((li, i) => li.addEventListener('click', () => { stop(); show(i); }));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight') { stop(); show(pos + 1); }
    if (e.key === 'ArrowLeft') { stop(); show(pos - 1); }
  });
  show(0);
})();
`;
