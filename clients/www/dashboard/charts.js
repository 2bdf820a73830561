// charts.js — Chart.js (Debian's libjs-chart.js, loaded as a classic
// script from /vendor/chart.js/) for the bar and line charts. Every chart
// has a text alternative: an aria-label and a table beside it.

import { h } from '/assets/dom.js';

const live = new Set();

// Colours with at least 3:1 contrast against white (WCAG 1.4.11), told
// apart by lightness too, not by hue alone.
export const PALETTE = ['#0b4f8a', '#b35c00', '#1d6b34', '#7b2d8b', '#a4161a', '#4a4a4a'];

function chartLib() {
  return globalThis.Chart;
}

// Destroy the charts of a view that is being replaced.
export function destroyCharts() {
  for (const c of live) c.destroy();
  live.clear();
}

function base(fontSize = 13) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: {
      legend: { display: false, labels: { color: '#1a1a1a', font: { size: fontSize } } },
      tooltip: { enabled: true },
    },
    scales: {
      x: { ticks: { color: '#1a1a1a', font: { size: fontSize } }, grid: { color: '#e3e6e9' } },
      y: { ticks: { color: '#1a1a1a', font: { size: fontSize }, precision: 0 }, grid: { color: '#e3e6e9' }, beginAtZero: true },
    },
  };
}

function canvasBox(label, height) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const box = h('div', { class: 'chart-box' }, canvas);
  box.style.height = `${height}px`;
  return { box, canvas };
}

// Long labels in lines of at most `width` characters (Chart.js draws an
// array as lines), so an option's text is never cut off.
function wrap(text, width = 26) {
  const words = String(text).split(/\s+/);
  const lines = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.length > 1 ? lines : lines[0] || '';
}

// A bar chart of counts (one series); horizontal when labels are long.
// min and max fix the value axis (a percentage, an NPS).
export function barChart({ labels, values, label, horizontal = false, colors, min, max }) {
  const shown = horizontal ? labels.map((l) => wrap(l)) : labels.map((l) => wrap(l, 14));
  const lines = shown.reduce((n, l) => n + (Array.isArray(l) ? l.length : 1), 0);
  const height = horizontal ? Math.max(140, lines * 18 + labels.length * 16 + 50) : 260;
  const { box, canvas } = canvasBox(label, height);
  const C = chartLib();
  if (!C) return box;
  const opts = base();
  if (horizontal) {
    opts.indexAxis = 'y';
    opts.scales.x.beginAtZero = true;
    opts.scales.x.ticks.precision = 0;
  }
  const valueAxis = horizontal ? opts.scales.x : opts.scales.y;
  if (min !== undefined) valueAxis.min = min;
  if (max !== undefined) valueAxis.max = max;
  live.add(new C(canvas, {
    type: 'bar',
    data: {
      labels: shown,
      datasets: [{
        label,
        data: values,
        backgroundColor: colors || PALETTE[0],
        borderColor: '#1a1a1a',
        borderWidth: 1,
        maxBarThickness: 56,
      }],
    },
    options: opts,
  }));
  return box;
}

// A line chart over periods; null values (suppressed periods) are gaps.
export function lineChart({ labels, series, label, yMin, yMax, unit = '' }) {
  const { box, canvas } = canvasBox(label, 260);
  const C = chartLib();
  if (!C) return box;
  const opts = base();
  opts.plugins.legend.display = series.length > 1;
  opts.scales.y.beginAtZero = false;
  if (yMin !== undefined) opts.scales.y.min = yMin;
  if (yMax !== undefined) opts.scales.y.max = yMax;
  opts.scales.y.ticks.precision = undefined;
  opts.scales.y.ticks.callback = (v) => `${v}${unit}`;
  opts.spanGaps = false;
  live.add(new C(canvas, {
    type: 'line',
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.values,
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        pointStyle: ['circle', 'rect', 'triangle', 'rectRot', 'star', 'cross'][i % 6],
        pointRadius: 5,
        borderWidth: 3,
        borderDash: i % 2 ? [6, 4] : undefined,
      })),
    },
    options: opts,
  }));
  return box;
}

// The same numbers as a table, inside a <details> so it costs no space.
export function dataTable(summary, head, rows) {
  return h('details', { class: 'data-table' },
    h('summary', null, summary),
    h('table', null,
      h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', null, c))))))));
}
