// Small SVG plots drawn with the DOM (no library): bars over time, a histogram, a line over
// time with marked points, dots with intervals around a reference value, a step line over time
// with a target, and a line over categories. Each returns an
// <svg class="plot"> that scales with its container (viewBox), styled from prefloop.css.

const NS = 'http://www.w3.org/2000/svg';
const H = 220;
const M = { top: 12, right: 30, bottom: 34, left: 46 };
// W is a plot's width in viewBox units: 640 in a half-page card, wider for plots that span the page

function svg(W, height = H) {
  const root = document.createElementNS(NS, 'svg');
  root.setAttribute('viewBox', `0 0 ${W} ${height}`);
  root.setAttribute('class', 'plot');
  root.setAttribute('role', 'img');
  return root;
}

function node(parent, tag, attributes, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attributes)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  parent.append(n);
  return n;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

function yAxis(root, W, max, height, format = (v) => String(v)) {
  const bottom = height - M.bottom;
  for (let i = 0; i <= 4; i++) {
    const value = (max * i) / 4;
    const y = bottom - ((bottom - M.top) * i) / 4;
    node(root, 'line', { x1: M.left, x2: W - M.right, y1: y, y2: y, class: 'axis' });
    node(root, 'text', { x: M.left - 6, y: y + 4, 'text-anchor': 'end' }, format(value));
  }
}

/**
 * Stacked bars, one per entry: { label, values: [n, …], title, titles: [one per level] }; classes
 * name each stack level.
 * Labels are drawn under at most `labels` bars, evenly spread.
 */
export function bars(entries, { classes = ['bar'], labels = 8, title = '', format, width: W = 640 } = {}) {
  const root = svg(W);
  node(root, 'title', {}, title);
  const max = niceMax(Math.max(0, ...entries.map((e) => e.values.reduce((a, b) => a + b, 0))));
  yAxis(root, W, max, H, format);
  const bottom = H - M.bottom;
  const width = (W - M.left - M.right) / Math.max(entries.length, 1);
  const every = Math.max(1, Math.ceil(entries.length / labels));
  entries.forEach((entry, i) => {
    let y = bottom;
    entry.values.forEach((value, level) => {
      const h = ((bottom - M.top) * value) / max;
      if (h > 0) {
        const rect = node(root, 'rect', {
          x: M.left + i * width + width * 0.1, y: y - h, width: Math.max(width * 0.8, 1), height: h,
          class: classes[level] || 'bar',
        });
        node(rect, 'title', {}, (entry.titles && entry.titles[level]) || entry.title || `${entry.label}: ${value}`);
      }
      y -= h;
    });
    if (i % every === 0) {
      node(root, 'text', { x: M.left + i * width + width / 2, y: H - M.bottom + 16, 'text-anchor': 'middle' }, entry.label);
    }
  });
  return root;
}

/** A line through points { x: Date, y: number, label, current } over time, each point a dot. */
export function timeline(points, { title = '', format = (v) => v.toFixed(2), width: W = 640 } = {}) {
  const root = svg(W);
  node(root, 'title', {}, title);
  const bottom = H - M.bottom;
  const ys = points.map((p) => p.y).filter((y) => Number.isFinite(y));
  if (ys.length === 0) {
    node(root, 'text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no values for this metric');
    return root;
  }
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.1;
  lo -= pad;
  hi += pad;
  const t0 = Math.min(...points.map((p) => p.x.getTime()));
  const t1 = Math.max(...points.map((p) => p.x.getTime()));
  const x = (t) => M.left + (t1 === t0 ? (W - M.left - M.right) / 2 : ((t - t0) / (t1 - t0)) * (W - M.left - M.right));
  const y = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - M.top);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    node(root, 'line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'axis' });
    node(root, 'text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, format(v));
  }
  const drawn = points.filter((p) => Number.isFinite(p.y));
  node(root, 'polyline', { points: drawn.map((p) => `${x(p.x.getTime())},${y(p.y)}`).join(' '), class: 'line' });
  for (const p of drawn) {
    const dot = node(root, 'circle', { cx: x(p.x.getTime()), cy: y(p.y), r: p.current ? 6 : 4, class: p.current ? 'dot current' : 'dot' });
    node(dot, 'title', {}, `${p.label}: ${format(p.y)}${p.current ? ' (current)' : ''}`);
    node(root, 'text', { x: x(p.x.getTime()), y: H - M.bottom + 16, 'text-anchor': 'middle' }, p.label);
  }
  return root;
}

/** Rows { label, value, low, high } as dots with intervals on a 0–1 scale, with a dashed guide at `reference`. */
export function intervals(rows, { reference = 0.5, title = '', width: W = 640 } = {}) {
  const rowHeight = 26;
  const height = M.top + rows.length * rowHeight + M.bottom;
  const root = svg(W, height);
  node(root, 'title', {}, title);
  const left = 150;
  const x = (v) => left + Math.min(1, Math.max(0, v)) * (W - left - M.right);
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    node(root, 'line', { x1: x(v), x2: x(v), y1: M.top, y2: height - M.bottom, class: 'axis' });
    node(root, 'text', { x: x(v), y: height - M.bottom + 16, 'text-anchor': 'middle' }, String(v));
  }
  node(root, 'line', { x1: x(reference), x2: x(reference), y1: M.top, y2: height - M.bottom, class: 'guide' });
  rows.forEach((row, i) => {
    const cy = M.top + i * rowHeight + rowHeight / 2;
    node(root, 'text', { x: left - 8, y: cy + 4, 'text-anchor': 'end' }, row.label);
    if (!Number.isFinite(row.value)) return;
    node(root, 'rect', { x: x(row.low), y: cy - 5, width: Math.max(x(row.high) - x(row.low), 1), height: 10, class: 'band' });
    node(root, 'line', { x1: x(row.low), x2: x(row.high), y1: cy, y2: cy, class: 'whisker' });
    for (const end of [row.low, row.high]) node(root, 'line', { x1: x(end), x2: x(end), y1: cy - 6, y2: cy + 6, class: 'whisker' });
    const dot = node(root, 'circle', { cx: x(row.value), cy, r: 5, class: 'dot' });
    node(dot, 'title', {}, `${row.label}: ${row.value.toFixed(3)} (${row.low.toFixed(2)}–${row.high.toFixed(2)})`);
  });
  return root;
}

/**
 * A step line through points { x: Date, y: number, label, group } over time (the value holds until
 * the next point), each point a dot of class `sample g<group % 6>`, with a dashed horizontal line
 * (class `target`) at `target` when given.
 */
export function steps(points, { target = null, title = '', width: W = 640, labels = 6 } = {}) {
  const root = svg(W);
  node(root, 'title', {}, title);
  const bottom = H - M.bottom;
  const max = niceMax(Math.max(1, ...points.map((p) => p.y), Number.isFinite(target) ? target : 0));
  yAxis(root, W, max, H);
  if (points.length === 0) {
    node(root, 'text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no samples yet');
    return root;
  }
  const t0 = points[0].x.getTime();
  const t1 = points[points.length - 1].x.getTime();
  const x = (t) => M.left + (t1 === t0 ? (W - M.left - M.right) / 2 : ((t - t0) / (t1 - t0)) * (W - M.left - M.right));
  const y = (v) => bottom - (v / max) * (bottom - M.top);
  if (Number.isFinite(target)) {
    node(root, 'line', { x1: M.left, x2: W - M.right, y1: y(target), y2: y(target), class: 'guide target', 'data-value': target });
    node(root, 'text', { x: W - M.right, y: y(target) - 4, 'text-anchor': 'end' }, `target ${target}`);
  }
  let d = `M${x(t0)},${y(points[0].y)}`;
  for (const p of points.slice(1)) d += ` H${x(p.x.getTime())} V${y(p.y)}`;
  node(root, 'path', { d, class: 'line step' });
  const every = Math.max(1, Math.ceil(points.length / labels));
  points.forEach((p, i) => {
    const dot = node(root, 'circle', { cx: x(p.x.getTime()), cy: y(p.y), r: 4, class: `sample g${(p.group || 0) % 6}`, 'data-value': p.y });
    node(dot, 'title', {}, `${p.x.toLocaleString()}: ${p.y} open${p.label ? ` (${p.label})` : ''}`);
    if (i % every === 0) {
      node(root, 'text', { x: x(p.x.getTime()), y: H - M.bottom + 16, 'text-anchor': 'middle' },
        p.x.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
    }
  });
  return root;
}

/** A line through points { label, y } in the order given (categories, evenly spaced), each a dot. */
export function curve(points, { title = '', format = (v) => v.toFixed(3), width: W = 640 } = {}) {
  const root = svg(W);
  node(root, 'title', {}, title);
  const bottom = H - M.bottom;
  const drawn = points.filter((p) => Number.isFinite(p.y));
  if (drawn.length === 0) {
    node(root, 'text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no values yet');
    return root;
  }
  let lo = Math.min(...drawn.map((p) => p.y));
  let hi = Math.max(...drawn.map((p) => p.y));
  if (hi - lo < 1e-9) { lo -= 0.05; hi += 0.05; }
  const pad = (hi - lo) * 0.1;
  lo -= pad;
  hi += pad;
  const step = (W - M.left - M.right) / Math.max(points.length, 1);
  const x = (i) => M.left + step * (i + 0.5);
  const y = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - M.top);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    node(root, 'line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'axis' });
    node(root, 'text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, format(v));
  }
  const at = points.map((p, i) => ({ ...p, i })).filter((p) => Number.isFinite(p.y));
  node(root, 'polyline', { points: at.map((p) => `${x(p.i)},${y(p.y)}`).join(' '), class: 'line' });
  points.forEach((p, i) => {
    node(root, 'text', { x: x(i), y: H - M.bottom + 16, 'text-anchor': 'middle' }, p.label);
    if (!Number.isFinite(p.y)) return;
    const dot = node(root, 'circle', { cx: x(i), cy: y(p.y), r: 5, class: 'dot', 'data-value': p.y });
    node(dot, 'title', {}, `${p.label}: ${format(p.y)}`);
  });
  return root;
}
