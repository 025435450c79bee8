// Hand-made SVG charts: horizontal bars, stacked bars and a donut. Each is a <figure> with a caption,
// an SVG that says what it shows (role="img", <title>, <desc> with every number) and an HTML legend.
import { h } from './ui.js';
import { formatNumber } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
let chartId = 0;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const child of children.flat()) if (child !== null && child !== undefined) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

export const PALETTE = ['#2f6f9f', '#e0823d', '#3f9a6b', '#b0476b', '#7a62b3', '#c9a227', '#4aa3b5', '#8a8a8a'];

function svgRoot(width, height, title, description, className) {
  const id = `chart-${++chartId}`;
  // drawn at its own size where there is room (same text size in every chart), scaled down on narrow screens
  return s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: `chart-svg ${className}`, preserveAspectRatio: 'xMinYMin meet' },
    s('title', { id: `${id}-title` }, title),
    s('desc', { id: `${id}-desc` }, description));
}

function legend(items) {
  return h('ul', { class: 'legend' }, items.map((item) =>
    h('li', {}, h('span', { class: 'swatch', style: `background:${item.color}`, 'aria-hidden': 'true' }), `${item.label}`,
      item.value !== undefined ? h('span', { class: 'legend-value' }, formatNumber(item.value)) : null)));
}

function figure(title, svg, extra, kind) {
  return h('figure', { class: `chart chart-${kind}`, 'data-chart': kind }, h('figcaption', {}, title), svg, extra);
}

/** Horizontal bars, one row each: the label above its bar, the value at the bar's end. data: [{ label, value, color? }]. */
export function barChart({ title, data, format = formatNumber, emptyText }) {
  const width = 400;
  const rowHeight = 46;
  const max = Math.max(1, ...data.map((d) => d.value));
  const height = Math.max(rowHeight, data.length * rowHeight) + 4;
  const description = data.map((d) => `${d.label}: ${format(d.value)}`).join('; ') || emptyText || '';
  const svg = svgRoot(width, height, title, description, 'bars');
  data.forEach((d, i) => {
    const y = i * rowHeight;
    const barWidth = Math.max(d.value > 0 ? 3 : 0, (d.value / max) * (width - 70));
    svg.append(
      s('text', { x: 0, y: y + 15, class: 'chart-label' }, d.label),
      s('rect', { x: 0, y: y + 22, width: width - 70, height: 16, rx: 3, class: 'chart-track' }),
      s('rect', { x: 0, y: y + 22, width: barWidth, height: 16, rx: 3, fill: d.color || PALETTE[i % PALETTE.length] }),
      s('text', { x: barWidth + 6, y: y + 35, class: 'chart-value' }, format(d.value)));
  });
  if (data.length === 0 && emptyText) svg.append(s('text', { x: 0, y: 28, class: 'chart-label' }, emptyText));
  return figure(title, svg, null, 'bar');
}

/** Stacked horizontal bars. rows: [{ label, values: { seriesKey: n } }]; series: [{ key, label, color }]. */
export function stackedBarChart({ title, rows, series, emptyText }) {
  const width = 400;
  const rowHeight = 46;
  const totals = rows.map((row) => series.reduce((sum, se) => sum + (row.values[se.key] || 0), 0));
  const max = Math.max(1, ...totals);
  const height = Math.max(rowHeight, rows.length * rowHeight) + 4;
  const description = rows.map((row, i) => `${row.label}: ${formatNumber(totals[i])} (${series.filter((se) => row.values[se.key]).map((se) => `${se.label} ${row.values[se.key]}`).join(', ')})`).join('; ') || emptyText || '';
  const svg = svgRoot(width, height, title, description, 'stacked');
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    let x = 0;
    svg.append(s('text', { x: 0, y: y + 15, class: 'chart-label' }, row.label),
      s('rect', { x: 0, y: y + 22, width: width - 70, height: 16, rx: 3, class: 'chart-track' }));
    for (const se of series) {
      const value = row.values[se.key] || 0;
      if (!value) continue;
      const w = (value / max) * (width - 70);
      svg.append(s('rect', { x, y: y + 22, width: w, height: 16, fill: se.color }, s('title', {}, `${se.label}: ${value}`)));
      x += w;
    }
    svg.append(s('text', { x: x + 6, y: y + 35, class: 'chart-value' }, formatNumber(totals[i])));
  });
  if (rows.length === 0 && emptyText) svg.append(s('text', { x: 0, y: 28, class: 'chart-label' }, emptyText));
  const used = series.filter((se) => rows.some((row) => row.values[se.key]));
  return figure(title, svg, legend(used.map((se) => ({ ...se, value: rows.reduce((sum, row) => sum + (row.values[se.key] || 0), 0) }))), 'stacked');
}

/** A donut: data [{ label, value, color }], the total in the middle. */
export function donutChart({ title, data, centerLabel = '', emptyText }) {
  const size = 200;
  const radius = 70;
  const stroke = 34;
  const circumference = 2 * Math.PI * radius;
  const total = data.reduce((sum, d) => sum + d.value, 0);
  const description = `${centerLabel} ${formatNumber(total)}: ${data.map((d) => `${d.label} ${formatNumber(d.value)}`).join('; ')}`;
  const svg = svgRoot(size, size, title, description, 'donut');
  svg.append(s('circle', { cx: size / 2, cy: size / 2, r: radius, fill: 'none', class: 'chart-track-stroke', 'stroke-width': stroke }));
  let offset = 0;
  data.forEach((d, i) => {
    if (!d.value) return;
    const length = (d.value / total) * circumference;
    svg.append(s('circle', {
      cx: size / 2, cy: size / 2, r: radius, fill: 'none', stroke: d.color || PALETTE[i % PALETTE.length], 'stroke-width': stroke,
      'stroke-dasharray': `${length} ${circumference - length}`, 'stroke-dashoffset': -offset, transform: `rotate(-90 ${size / 2} ${size / 2})`,
    }, s('title', {}, `${d.label}: ${d.value}`)));
    offset += length;
  });
  svg.append(
    s('text', { x: size / 2, y: size / 2 + 4, 'text-anchor': 'middle', class: 'donut-total' }, total ? formatNumber(total) : (emptyText ?? '0')),
    s('text', { x: size / 2, y: size / 2 + 26, 'text-anchor': 'middle', class: 'donut-caption' }, centerLabel));
  return figure(title, svg, legend(data.map((d, i) => ({ ...d, color: d.color || PALETTE[i % PALETTE.length] }))), 'donut');
}

/** A progress bar (contract burn, seats): value of max, with the share of time elapsed as a tick when given. */
export function meter({ label, value, max, elapsedShare, valueText }) {
  const share = max > 0 ? Math.min(1, value / max) : 0;
  return h('div', { class: 'meter-row' },
    h('div', { class: 'meter-label' }, h('span', {}, label), h('span', { class: 'meter-value' }, valueText ?? `${formatNumber(value)} / ${formatNumber(max)}`)),
    h('div', { class: 'meter', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': max, 'aria-valuenow': value, 'aria-valuetext': valueText ?? `${value} / ${max}` },
      h('div', { class: `meter-fill ${share >= 0.9 ? 'meter-high' : ''}`, style: `width:${(share * 100).toFixed(1)}%` }),
      elapsedShare !== undefined ? h('div', { class: 'meter-tick', style: `left:${(Math.min(1, Math.max(0, elapsedShare)) * 100).toFixed(1)}%`, 'aria-hidden': 'true' }) : null));
}
