// results.js — the results of one survey for one unit's subtree: key
// figures, the distribution of every question, the trend over periods,
// the units below side by side, and comments on request. Every number
// is the server's released state (DESIGN §5): it advances in steps of at
// least k responses, so every group shows its n, and an n of 0 is a
// plain 0 (one unreleased response looks exactly like none). A note says
// that up to k-1 recent responses per unit and period may not be shown
// yet, never how many. Admins also get pooling suggestions for units
// that released nothing for six periods.

import { ApiError } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import { faceLabel } from '/assets/i18n.js';
import { barChart, dataTable, destroyCharts, lineChart } from './charts.js';
import * as P from './periods.js';

// The view's choices survive language switches and navigation.
const view = { survey: 0, unit: 0, from: '', to: '', trendBy: '', extentFrom: '', extentTo: '', csvSep: '' };
const defs = new Map(); // survey id -> definition (questions, period)
let seq = 0; // drops replies of queries that were superseded

function fmtNum(app, v, digits = 1) {
  if (v === null || v === undefined) return '–';
  const locale = app.lang === 'sv' ? 'sv-FI' : app.lang === 'en' ? 'en-GB' : 'fi-FI';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v);
}

function fmtSigned(app, v) {
  if (v === null || v === undefined) return '–';
  return `${v > 0 ? '+' : ''}${fmtNum(app, v, 0)}`;
}

async function definition(app, id) {
  if (!defs.has(id)) {
    const res = await app.call(`/api/v1/surveys/${id}`);
    defs.set(id, res.data);
  }
  return defs.get(id);
}

function query(extra = {}) {
  const q = new URLSearchParams();
  if (view.unit) q.set('unit', String(view.unit));
  if (view.from) q.set('from', view.from);
  if (view.to) q.set('to', view.to);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  return q.toString();
}

// by=unit over the given range, whatever range is on the screen.
function recentQuery({ from, to }) {
  const q = new URLSearchParams({ from, to, by: 'unit' });
  if (view.unit) q.set('unit', String(view.unit));
  return q.toString();
}

/* ------------------------------------------------------------ unit tree */

function unitTree(app, onPick) {
  const byParent = new Map();
  const ids = new Set(app.units.map((u) => u.id));
  for (const u of app.units) {
    const p = u.parent && ids.has(u.parent) ? u.parent : 0;
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(u);
  }
  const branch = (parent) => {
    const kids = byParent.get(parent) || [];
    if (!kids.length) return null;
    return h('ul', null, kids.map((u) => h('li', null,
      h('button', {
        type: 'button', class: 'unit-btn', dataset: { unit: u.id },
        'aria-current': u.id === view.unit ? 'true' : null,
        onclick: () => onPick(u.id),
      }, app.text(u.name), u.pool ? h('span', { class: 'pool-tag' }, ` (${app.t('pooled')})`) : null),
      branch(u.id))));
  };
  return h('nav', { class: 'unit-tree', 'aria-labelledby': 'units-title' },
    h('h2', { id: 'units-title' }, app.t('units')),
    app.units.length ? branch(0) : h('p', null, app.t('noUnits')));
}

/* ------------------------------------------------------------ helpers */

function questionLabels(app, def, q, nslots) {
  switch (q.type) {
    case 'smiley':
      return Array.from({ length: nslots }, (_, i) => faceLabel(nslots, i + 1, app.lang));
    case 'scale':
      return Array.from({ length: nslots }, (_, i) => String(q.min + i));
    case 'nps':
      return Array.from({ length: 11 }, (_, i) => String(i));
    case 'choice':
    case 'multi':
      return q.options.map((o) => app.text(o.text));
    case 'yesno':
      return [app.t('no'), app.t('yes')];
    default:
      return [];
  }
}

// The figure that sums a question up: CSAT %, NPS or the mean (null,
// shown as '–', when no answer is released).
function keyFigure(app, q, st) {
  if (!st) return null;
  if (q.type === 'smiley') return { label: app.t('csat'), value: st.csat, text: st.csat === null || st.csat === undefined ? '–' : `${fmtNum(app, st.csat, 0)} %`, sub: `${app.t('mean')} ${fmtNum(app, st.mean, 2)}` };
  if (q.type === 'nps') return { label: app.t('nps'), value: st.nps, text: fmtSigned(app, st.nps) };
  if (q.type === 'scale') return { label: app.t('mean'), value: st.mean, text: fmtNum(app, st.mean, 2), sub: `${app.t('median')} ${fmtNum(app, st.median, 1)}` };
  return null;
}

// The key figure's number, or null when the group has no released
// answer to the question (the server sends null then).
function trendValue(q, st) {
  if (!st) return null;
  const v = q.type === 'smiley' ? st.csat : q.type === 'nps' ? st.nps : q.type === 'scale' ? st.mean : null;
  return v === undefined ? null : v;
}

// What releasing in steps means for the reader (DESIGN §5): the step
// and that the newest few may be missing, never how many are.
function releaseNote(app, res) {
  const k = res && Number.isInteger(res.k) ? res.k : null;
  if (!k) return null;
  return h('p', { class: 'notice release-note', id: 'release-note', dataset: { k } },
    app.t('releaseNote', { k: fmtNum(app, k, 0), k1: fmtNum(app, k - 1, 0) }));
}

/* ------------------------------------------------------------ sections */

function overviewSection(app, def, res) {
  const g = res.groups[0];
  const sec = h('section', { class: 'card', id: 'overview', 'aria-labelledby': 'overview-title' },
    h('h2', { id: 'overview-title' }, app.t('overview')));
  if (!g) {
    sec.append(h('p', null, app.t('noData')));
    return sec;
  }
  // n always, 0 included; a key figure without released answers is '–'.
  const figs = [h('div', { class: 'figure' },
    h('span', { class: 'figure-label' }, app.t('responses')),
    h('span', { class: 'figure-value', id: 'n-value' }, fmtNum(app, g.n, 0)))];
  for (const q of def.questions) {
    const f = keyFigure(app, q, g.questions && g.questions[q.id]);
    if (!f) continue;
    figs.push(h('div', { class: 'figure' },
      h('span', { class: 'figure-label' }, f.label),
      h('span', { class: 'figure-value' }, f.text),
      h('span', { class: 'figure-sub' }, app.text(q.text)),
      f.sub ? h('span', { class: 'figure-sub' }, f.sub) : null));
  }
  sec.append(h('div', { class: 'figures' }, figs));
  return sec;
}

function distributionSection(app, def, res) {
  const g = res.groups[0];
  const sec = h('section', { class: 'card', id: 'distributions', 'aria-labelledby': 'dist-title' },
    h('h2', { id: 'dist-title' }, app.t('distributions')));
  if (!g) {
    sec.append(h('p', { class: 'muted' }, app.t('noData')));
    return sec;
  }
  const grid = h('div', { class: 'chart-grid' });
  def.questions.forEach((q) => {
    const st = g.questions && g.questions[q.id];
    // With n 0 the counts are zeros: an empty chart, like any other 0.
    if (!st || q.type === 'text' || !Array.isArray(st.counts)) return;
    const title = app.text(q.text);
    const fig = h('figure', { class: 'chart', dataset: { question: q.id } },
      h('figcaption', null, h('strong', null, title), ' ',
        h('span', { class: 'muted' }, `(${app.t(`type_${q.type}`)})`)));
    const labels = questionLabels(app, def, q, st.counts.length);
    const horizontal = q.type === 'choice' || q.type === 'multi';
    const smileyColours = ['#a4161a', '#b35c00', '#6b6b00', '#3f7d20', '#1d6b34'];
    const colors = q.type === 'smiley' ? (st.counts.length === 4 ? [smileyColours[0], smileyColours[1], smileyColours[3], smileyColours[4]] : smileyColours) : undefined;
    fig.append(barChart({
      labels, values: st.counts, horizontal, colors,
      label: `${title}: ${labels.map((l, i) => `${l} ${st.counts[i]}`).join(', ')}`,
    }));
    fig.append(h('p', { class: 'chart-note' }, app.t('answered', { n: fmtNum(app, st.answered, 0) }),
      keyFigure(app, q, st) ? ` · ${keyFigure(app, q, st).label} ${keyFigure(app, q, st).text}` : ''));
    fig.append(dataTable(app.t('showTable'), [app.t('value'), app.t('count')], labels.map((l, i) => [l, String(st.counts[i])])));
    grid.append(fig);
  });
  sec.append(grid);
  return sec;
}

function trendSection(app, def, res, kind) {
  const sec = h('section', { class: 'card', id: 'trend', 'aria-labelledby': 'trend-title' },
    h('h2', { id: 'trend-title' }, app.t('trend')));
  const keyQs = def.questions.filter((q) => ['smiley', 'nps', 'scale'].includes(q.type));
  if (!res || !res.groups.length || !keyQs.length) {
    sec.append(h('p', { class: 'muted' }, app.t('noData')));
    return sec;
  }
  const labels = res.groups.map((g) => P.label(kind, g.from, app.lang));
  // A period with n 0 (or no released answer to the question) is a gap
  // in the line, not a zero: a CSAT, NPS or mean of no answers does not
  // exist, and a 0 would read as "everyone was dissatisfied". The table
  // below the chart gives its n, 0.
  const grid = h('div', { class: 'chart-grid' });
  for (const q of keyQs) {
    const values = res.groups.map((g) => trendValue(q, g.questions && g.questions[q.id]));
    const f = q.type === 'smiley' ? app.t('csat') : q.type === 'nps' ? app.t('nps') : app.t('mean');
    const unit = q.type === 'smiley' ? ' %' : '';
    const range = q.type === 'smiley' ? [0, 100] : q.type === 'nps' ? [-100, 100] : [q.min, q.max];
    grid.append(h('figure', { class: 'chart', dataset: { question: q.id } },
      h('figcaption', null, h('strong', null, app.text(q.text)), ' ', h('span', { class: 'muted' }, `(${f})`)),
      lineChart({
        labels, series: [{ label: f, values }], yMin: range[0], yMax: range[1], unit,
        label: `${app.text(q.text)}, ${f}: ${labels.map((l, i) => `${l} ${values[i] === null ? '–' : fmtNum(app, values[i], 1)}`).join(', ')}`,
      }),
      dataTable(app.t('showTable'), [app.t('periodCol'), f, app.t('responses')],
        res.groups.map((g, i) => [labels[i], fmtNum(app, values[i], 1), fmtNum(app, g.n, 0)]))));
  }
  sec.append(grid);
  return sec;
}

function unitsSection(app, def, res) {
  const sec = h('section', { class: 'card', id: 'side-by-side', 'aria-labelledby': 'units-cmp-title' },
    h('h2', { id: 'units-cmp-title' }, app.t('sideBySide')));
  if (!res || res.groups.length <= 1) {
    sec.append(h('p', { class: 'muted' }, app.t('noChildren')));
    return sec;
  }
  const keyQs = def.questions.filter((q) => ['smiley', 'nps', 'scale'].includes(q.type));
  // A child that pools now still shows what it released before it did.
  const name = (g) => (g.own ? app.t('ownResponses', { unit: app.unitName(g.unit) })
    : g.pool ? `${app.unitName(g.unit)} (${app.t('pooled')})` : app.unitName(g.unit));
  const first = keyQs[0];
  if (first) {
    // The chart leaves out a unit without a value (n 0, or no released
    // answer to the question): a bar of no length would read as 0 % or
    // an NPS of 0. The table below lists every unit with its n, 0 too.
    const shown = res.groups.filter((g) => trendValue(first, g.questions && g.questions[first.id]) !== null);
    const f = keyFigure(app, first, { csat: 0, nps: 0, mean: 0 });
    const range = first.type === 'smiley' ? [0, 100] : first.type === 'nps' ? [-100, 100] : [first.min, first.max];
    if (shown.length) {
      sec.append(h('figure', { class: 'chart wide' },
        h('figcaption', null, h('strong', null, app.text(first.text)), ' ', h('span', { class: 'muted' }, `(${f.label})`)),
        barChart({
          labels: shown.map(name),
          values: shown.map((g) => trendValue(first, g.questions[first.id])),
          horizontal: true,
          min: range[0],
          max: range[1],
          label: `${app.text(first.text)}: ${shown.map((g) => `${name(g)} ${fmtNum(app, trendValue(first, g.questions[first.id]), 1)}`).join(', ')}`,
        })));
    }
  }
  const head = [app.t('unit'), app.t('responses'), ...keyQs.map((q) => `${app.text(q.text)} (${keyFigure(app, q, { csat: 0, nps: 0, mean: 0 }).label})`)];
  sec.append(h('div', { class: 'table-wrap' }, h('table', { class: 'units-table' },
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, res.groups.map((g) => h('tr', { dataset: { unit: g.unit, own: g.own ? 'true' : null } },
      h('th', { scope: 'row' }, name(g)),
      h('td', { class: 'n-cell' }, fmtNum(app, g.n, 0)),
      keyQs.map((q) => {
        const kf = keyFigure(app, q, g.questions && g.questions[q.id]);
        return h('td', null, kf ? kf.text : '–');
      })))))));
  return sec;
}

// Comments come from their own route, released in whole steps of
// k_comments (DESIGN §5); the count is that reply's, not a statistic of
// the results (the text question's own count steps by k, not k_comments).
function commentsSection(app, def, res) {
  const textQs = def.questions.filter((q) => q.type === 'text');
  if (!textQs.length) return null;
  const sec = h('section', { class: 'card', id: 'comments', 'aria-labelledby': 'comments-title' },
    h('h2', { id: 'comments-title' }, app.t('comments')));
  const step = (k) => (Number.isInteger(k) && k > 0 ? app.t('commentsStep', { k: fmtNum(app, k, 0), k1: fmtNum(app, k - 1, 0) }) : '');
  const note = h('p', { class: 'muted comments-step' }, step(res.k_comments || def.min_group_comments));
  sec.append(note);
  for (const q of textQs) {
    const box = h('div', { class: 'comment-q', dataset: { question: q.id } }, h('h3', null, app.text(q.text)));
    const out = h('div', { 'aria-live': 'polite' });
    box.append(h('button', {
      type: 'button', class: 'secondary show-comments',
      onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try {
          const r = await app.call(`/api/v1/surveys/${view.survey}/comments?${query({ question: q.id })}`);
          const d = r.data;
          const list = Array.isArray(d.comments) ? d.comments : [];
          // The route's count and step, under either of their names.
          const count = [d.count, d.n].find(Number.isInteger) ?? list.length;
          const kc = [d.k_comments, d.min_group_comments].find(Number.isInteger);
          if (kc) note.textContent = step(kc);
          if (!list.length) {
            fill(out, h('p', { class: 'comments-count' }, app.t('commentsNone')));
            return;
          }
          fill(out,
            h('p', { class: 'comments-count' }, app.t('commentsCount', { n: fmtNum(app, count, 0) })),
            d.truncated ? h('p', { class: 'muted comments-truncated' }, app.t('commentsTruncated', { shown: fmtNum(app, list.length, 0), n: fmtNum(app, count, 0) })) : null,
            h('p', { class: 'muted' }, app.t('commentsOrder')),
            h('ul', { class: 'comment-list' }, list.map((c) => h('li', { lang: c.lang || null }, c.text))));
        } catch (err) {
          fill(out, h('p', { class: 'notice error' }, app.errorText(err)));
        }
      },
    }, app.t('showComments')));
    box.append(out);
    sec.append(box);
  }
  return sec;
}

// For admins only: each unit below the chosen one whose group released
// nothing (n 0) over the last six buckets of the survey's period, with a
// link to its settings. Released data only, like every other number
// here: "nothing released" is all it can tell, never how many are held.
function poolingSection(app, res, kind) {
  if (!app.isAdmin() || !res || !Array.isArray(res.groups)) return null;
  const quiet = res.groups.filter((g) => !g.own && !g.pool && g.n === 0).filter((g) => {
    const u = app.units.find((x) => x.id === g.unit);
    return u && u.parent && !u.pool;
  });
  if (!quiet.length) return null;
  return h('section', { class: 'card', id: 'pooling', 'aria-labelledby': 'pooling-title' },
    h('h2', { id: 'pooling-title' }, app.t('poolingTitle')),
    h('p', { class: 'muted' }, app.t('poolingLead')),
    h('ul', { class: 'pool-list' }, quiet.map((g) => {
      const u = app.units.find((x) => x.id === g.unit);
      return h('li', { class: 'pool-suggestion', dataset: { unit: g.unit } },
        h('p', null, app.t('poolSuggest', {
          unit: app.unitName(g.unit), parent: app.unitName(u.parent), periods: app.t(`periods6_${kind}`),
        })),
        h('a', { class: 'button secondary', href: `#/units?edit=${g.unit}` },
          app.t('openUnitSettings'), h('span', { class: 'visually-hidden' }, `: ${app.unitName(g.unit)}`)));
    })));
}

// The head of the printed report (print.css shows it only on paper):
// survey, unit, range and the day it was printed; the note on steps of
// k follows it.
function printHeader(app, def, res, kind) {
  const from = res.from ? P.label(kind, res.from, app.lang) : '–';
  const to = res.to ? P.label(kind, P.bucketStart(kind, res.to), app.lang) : '–';
  const range = from === to ? from : `${from} – ${to}`;
  const today = new Intl.DateTimeFormat(app.lang === 'sv' ? 'sv-FI' : app.lang === 'en' ? 'en-GB' : 'fi-FI', { dateStyle: 'long' }).format(new Date());
  const row = (key, value, cls) => [h('dt', null, app.t(key)), h('dd', { class: cls }, value)];
  return h('header', { class: 'print-header print-only', id: 'print-header' },
    h('p', { class: 'print-brand' }, app.t('reportTitle')),
    h('p', { class: 'print-survey' }, app.text(def.title)),
    h('dl', null,
      row('unit', app.unitName(view.unit), 'print-unit'),
      row('reportRange', range, 'print-range'),
      row('reportPrinted', today, 'print-date')));
}

/* ------------------------------------------------------------ controls */

function controls(app, def, kind, reload) {
  const lo = view.extentFrom && view.extentFrom < view.from ? view.extentFrom : view.from;
  const today = new Date().toISOString().slice(0, 10);
  // Two years back at least, and whatever the data covers.
  const twoYears = P.fmt(P.parse(today) - 730 * 86400000);
  const first = [lo, twoYears].filter(Boolean).sort()[0];
  const last = [view.extentTo, view.to, today].filter(Boolean).sort().reverse()[0];
  const starts = P.buckets(kind, first, last);
  const fromSel = h('select', {
    id: 'from', onchange: () => {
      view.from = fromSel.value;
      if (view.to < view.from) view.to = P.bucketEnd(kind, view.from);
      reload();
    },
  }, starts.map((b) => h('option', { value: b, selected: b === view.from }, P.label(kind, b, app.lang))));
  const toSel = h('select', {
    id: 'to', onchange: () => {
      view.to = toSel.value;
      if (view.from > view.to) view.from = P.bucketStart(kind, view.to);
      reload();
    },
  }, starts.map((b) => {
    const end = P.bucketEnd(kind, b);
    return h('option', { value: end, selected: end === view.to }, P.label(kind, b, app.lang));
  }));
  const trendSel = h('select', {
    id: 'trend-by', onchange: () => { view.trendBy = trendSel.value; reload(); },
  }, P.coarser(kind).map((k) => h('option', { value: k, selected: k === view.trendBy }, app.t(`period_${k}`))));
  const surveySel = h('select', {
    id: 'survey', onchange: () => {
      view.survey = Number(surveySel.value);
      view.from = '';
      view.to = '';
      view.trendBy = '';
      reload();
    },
  }, app.surveys.map((s) => h('option', { value: s.id, selected: s.id === view.survey }, app.text(s.title))));
  return h('div', { class: 'controls card' },
    h('div', { class: 'field' }, h('label', { for: 'survey' }, app.t('survey')), surveySel),
    h('div', { class: 'field' }, h('label', { for: 'from' }, app.t('from')), fromSel),
    h('div', { class: 'field' }, h('label', { for: 'to' }, app.t('to')), toSel),
    h('div', { class: 'field' }, h('label', { for: 'trend-by' }, app.t('trendBy')), trendSel),
    h('div', { class: 'field' }, h('label', { for: 'csv-sep' }, app.t('csvFormat')), csvSepSelect(app)),
    h('div', { class: 'field buttons' },
      h('button', {
        type: 'button', class: 'secondary', id: 'all-time',
        onclick: () => { view.from = ''; view.to = ''; reload(); },
      }, app.t('allData')),
      h('button', { type: 'button', id: 'csv', onclick: (ev) => downloadCsv(app, ev.currentTarget) }, app.t('downloadCsv')),
      h('button', { type: 'button', id: 'xlsx', class: 'secondary', onclick: (ev) => downloadXlsx(app, ev.currentTarget) }, app.t('downloadXlsx')),
      h('button', { type: 'button', id: 'print-report', class: 'secondary', onclick: () => window.print() }, app.t('printReport'))),
    h('p', { class: 'muted range-note' }, app.t('rangeNote', { p: app.t(`period_${kind}`) })));
}

// A spreadsheet set to Finnish or Swedish splits columns at ';' and reads
// ',' as the decimal mark, so a comma file would open as one column there;
// other programs (and English spreadsheets) want commas.
function csvSep(app) {
  return view.csvSep || (app.lang === 'en' ? 'comma' : 'semicolon');
}

function csvSepSelect(app) {
  const sel = h('select', { id: 'csv-sep', onchange: () => { view.csvSep = sel.value; } },
    ['semicolon', 'comma'].map((v) => h('option', { value: v, selected: v === csvSep(app) }, app.t(`csv_${v}`))));
  return sel;
}

function downloadCsv(app, btn) {
  return download(app, btn, 'csv', 'text/csv', { by: 'period', period: view.trendBy, sep: csvSep(app) });
}

// The workbook of the same query, its labels in the dashboard's language.
function downloadXlsx(app, btn) {
  return download(app, btn, 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    { by: 'period', period: view.trendBy, lang: app.lang });
}

async function download(app, btn, ext, accept, extra) {
  btn.disabled = true;
  const old = document.getElementById('download-error');
  if (old) old.remove();
  try {
    const res = await app.call(`/api/v1/surveys/${view.survey}/results.${ext}?${query(extra)}`, { raw: true, accept });
    const blob = await res.data.blob();
    const cd = res.headers.get('Content-Disposition') || '';
    const m = cd.match(/filename="?([^";]+)"?/);
    const name = m ? m[1] : `palaute-${view.survey}-${view.unit}-${view.from}-${view.to}.${ext}`;
    const a = h('a', { href: URL.createObjectURL(blob), download: name, class: 'visually-hidden' }, name);
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  } catch (err) {
    // A server built without the workbook library says 503: offer the CSV.
    const msg = ext === 'xlsx' && err instanceof ApiError && err.status === 503 ? app.t('xlsxUnavailable') : app.errorText(err);
    btn.closest('.controls').append(h('p', { class: 'notice error download-error', id: 'download-error', role: 'alert' }, msg));
  } finally {
    btn.disabled = false;
  }
}

/* ------------------------------------------------------------ view */

export async function renderResults(app, main, params) {
  destroyCharts();
  if (params.get('survey')) view.survey = Number(params.get('survey'));
  if (!app.surveys.length) {
    fill(main, h('p', { class: 'notice' }, app.t('noSurveys')));
    return;
  }
  if (!app.surveys.some((s) => s.id === view.survey)) view.survey = app.surveys[0].id;
  if (!app.units.some((u) => u.id === view.unit)) {
    // The caller's top unit: the first one whose parent is not visible.
    const ids = new Set(app.units.map((u) => u.id));
    const top = app.units.find((u) => !u.parent || !ids.has(u.parent));
    view.unit = top ? top.id : 0;
  }
  const my = ++seq;
  const layout = h('div', { class: 'results-layout' });
  const content = h('div', { class: 'results-main', 'aria-busy': 'true' }, h('p', null, app.t('loading')));
  const reload = () => renderResults(app, main, new URLSearchParams());
  app.rerender = reload;
  layout.append(h('aside', { class: 'card tree-card' }, unitTree(app, (id) => { view.unit = id; reload(); })), content);
  fill(main, h('h1', { class: 'visually-hidden' }, app.t('navResults')), layout);

  const def = await definition(app, view.survey);
  const kind = def.period || 'month';
  if (!view.trendBy || !P.coarser(kind).includes(view.trendBy)) view.trendBy = kind;
  let totals;
  try {
    totals = await app.call(`/api/v1/surveys/${view.survey}/results?${query()}`);
  } catch (err) {
    if (my !== seq) return;
    fill(content, controls(app, def, kind, reload), h('p', { class: 'notice error', role: 'alert' }, app.errorText(err)));
    return;
  }
  if (my !== seq) return;
  const res = totals.data;
  if (!view.from || !view.to) {
    view.from = res.from;
    view.to = res.to;
    view.extentFrom = res.from;
    view.extentTo = res.to;
  }
  // The pooling suggestions look at the last six buckets whatever range
  // is on the screen; only an admin's view asks for them.
  const six = P.lastBuckets(kind, 6, new Date().toISOString().slice(0, 10));
  const [byPeriod, byUnit, recent] = await Promise.all([
    app.call(`/api/v1/surveys/${view.survey}/results?${query({ by: 'period', period: view.trendBy })}`).then((r) => r.data).catch(() => null),
    app.call(`/api/v1/surveys/${view.survey}/results?${query({ by: 'unit' })}`).then((r) => r.data).catch(() => null),
    app.isAdmin()
      ? app.call(`/api/v1/surveys/${view.survey}/results?${recentQuery(six)}`).then((r) => r.data).catch(() => null)
      : null,
  ]);
  if (my !== seq) return;
  fill(content,
    printHeader(app, def, res, kind),
    h('h2', { class: 'results-title' }, app.text(def.title), ' · ', app.unitName(view.unit)),
    controls(app, def, kind, reload),
    releaseNote(app, res),
    overviewSection(app, def, res),
    distributionSection(app, def, res),
    trendSection(app, def, byPeriod, view.trendBy),
    unitsSection(app, def, byUnit),
    poolingSection(app, recent, kind),
    commentsSection(app, def, res));
  content.setAttribute('aria-busy', 'false');
  main.dataset.loaded = String(my);
}

export function forgetDefinitions() {
  defs.clear();
}
