// admin.js — the admin's views: survey definitions (a JSON editor that
// shows the server's validation errors), and the helpers the other admin
// pages share (fleet.js: collectors; users.js: users): tables, QR codes
// drawn by the daemon (POST /api/v1/qr.svg), printing a poster or slips.

import { h, fill } from '/assets/dom.js';
import { LANG_NAMES } from '/assets/i18n.js';
import { destroyCharts } from './charts.js';
import { forgetDefinitions } from './results.js';
import { errorBox } from './shared.js';

/* ------------------------------------------------------------ shared */

export function table(head, rows, cls) {
  return h('div', { class: 'table-wrap' }, h('table', { class: cls },
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows)));
}

// A QR code of url, drawn by the daemon, as an <img> from a blob: the
// request needs the bearer token, which an <img src> cannot send. The
// URL goes in the body of a POST, never in a query: a kiosk's or an
// invitation's code in it would reach the access log of any proxy.
export async function qrImage(app, url, cls = 'qr', alt = app.t('qrAlt', { url })) {
  const img = h('img', { class: cls, alt, width: 240, height: 240 });
  try {
    const res = await app.call('/api/v1/qr.svg', { body: { text: url }, raw: true, accept: 'image/svg+xml' });
    img.src = URL.createObjectURL(await res.data.blob());
    return img;
  } catch {
    return h('p', { class: 'notice' }, app.t('qrMissing'));
  }
}

// Print only the given nodes (a poster, slips): everything else of the
// page is hidden by the print style while they are in #print-root.
export function printNodes(nodes) {
  const root = document.getElementById('print-root');
  fill(root, nodes);
  document.body.classList.add('printing');
  const done = () => {
    document.body.classList.remove('printing');
    fill(root);
    window.removeEventListener('afterprint', done);
  };
  window.addEventListener('afterprint', done);
  // Let the QR images decode before the print dialog snapshots the page.
  const imgs = [...root.querySelectorAll('img')];
  Promise.all(imgs.map((i) => (i.complete ? null : new Promise((r) => { i.onload = r; i.onerror = r; }))))
    .then(() => window.print());
}

export function unitOptions(app, selected) {
  return app.units.map((u) => h('option', { value: u.id, selected: u.id === selected }, app.text(u.name)));
}

/* ------------------------------------------------------------ surveys */

const TEMPLATE = {
  title: { fi: 'Uusi kysely', sv: 'Ny enkät', en: 'New survey' },
  audience: 'client',
  languages: ['fi', 'sv', 'en'],
  questions: [
    { id: 'visit', type: 'smiley', required: true, text: { fi: 'Millainen käyntisi oli?', sv: 'Hur var ditt besök?', en: 'How was your visit?' } },
    { id: 'comment', type: 'text', max_length: 500, text: { fi: 'Haluatko kertoa lisää?', sv: 'Vill du berätta mer?', en: 'Anything else?' } },
  ],
  privacy: {
    controller: { fi: '', sv: '', en: '' },
    purpose: { fi: '', sv: '', en: '' },
    contact: { fi: '', sv: '', en: '' },
    retention_months: 24,
    voluntary: true,
    anonymous: true,
  },
  min_group: 5,
  min_group_comments: 10,
  period: 'month',
};

// Members the server adds to a definition it returns, not part of it.
const VIEW_ONLY = ['id', 'version', 'current_version', 'has_responses'];

export async function renderSurveys(app, main, editId) {
  destroyCharts();
  if (editId) {
    await renderSurveyEditor(app, main, editId);
    return;
  }
  await app.refreshShared();
  const rows = app.surveys.map((s) => h('tr', { dataset: { survey: s.id } },
    h('td', null, String(s.id)),
    h('th', { scope: 'row' }, app.text(s.title)),
    h('td', null, s.audience),
    h('td', null, (s.languages || []).map((l) => LANG_NAMES[l] || l).join(', ')),
    h('td', null, String(s.version)),
    h('td', null, s.has_responses ? app.t('yes') : app.t('no')),
    h('td', null, h('a', { href: `#/surveys/${s.id}`, class: 'button secondary' }, app.t('edit'), h('span', { class: 'visually-hidden' }, `: ${app.text(s.title)}`)))));
  fill(main, h('section', { class: 'card' },
    h('div', { class: 'section-head' },
      h('h1', null, app.t('surveysTitle')),
      h('a', { href: '#/surveys/new', class: 'button', id: 'new-survey' }, app.t('newSurvey'))),
    app.surveys.length
      ? table([app.t('id'), app.t('title'), app.t('audience'), app.t('languages'), app.t('version'), app.t('hasResponses'), app.t('actions')], rows, 'surveys-table')
      : h('p', null, app.t('noSurveys'))));
}

async function renderSurveyEditor(app, main, editId) {
  const isNew = editId === 'new';
  let def = TEMPLATE;
  let info = null;
  if (!isNew) {
    const res = await app.call(`/api/v1/surveys/${editId}`);
    info = res.data;
    def = { ...res.data };
    for (const k of VIEW_ONLY) delete def[k];
  }
  const area = h('textarea', {
    id: 'survey-json', class: 'code', rows: 28, spellcheck: 'false', autocapitalize: 'none',
    'aria-describedby': 'editor-help editor-status',
  });
  area.value = JSON.stringify(def, null, 2);
  const status = h('div', { id: 'editor-status', 'aria-live': 'polite' });
  const save = async () => {
    let body;
    try {
      body = JSON.parse(area.value);
    } catch (e) {
      fill(status, h('div', { class: 'notice error', role: 'alert' }, h('p', null, app.t('jsonSyntax', { msg: e.message }))));
      area.setAttribute('aria-invalid', 'true');
      return;
    }
    try {
      const res = await app.call(isNew ? '/api/v1/surveys' : `/api/v1/surveys/${editId}`, { method: isNew ? 'POST' : 'PUT', body });
      area.removeAttribute('aria-invalid');
      forgetDefinitions();
      await app.refreshShared();
      const id = res.data.id || res.data.survey;
      fill(status, h('p', { class: 'notice ok', role: 'status' }, app.t('saved', { v: res.data.version })));
      if (isNew && id) history.replaceState(null, '', `#/surveys/${id}`);
    } catch (err) {
      area.setAttribute('aria-invalid', 'true');
      fill(status, errorBox(app, err));
    }
  };
  fill(main, h('section', { class: 'card editor' },
    h('h1', null, isNew ? app.t('newSurvey') : `${app.t('edit')}: ${app.text(def.title)}`),
    info ? h('p', { class: 'muted' }, `${app.t('version')} ${info.version} / ${info.current_version}${info.has_responses ? ` · ${app.t('hasResponses')}` : ''}`) : null,
    h('label', { for: 'survey-json' }, app.t('editorTitle')),
    h('p', { id: 'editor-help', class: 'muted' }, app.t('editorHelp')),
    area,
    status,
    h('p', { class: 'actions' },
      h('button', { type: 'button', id: 'save-survey', onclick: save }, app.t('save')),
      h('a', { href: '#/surveys', class: 'button secondary' }, app.t('cancel')))));
}
