// fleet.js — the admin's collectors page. The kiosk fleet first: per
// lobby tablet its name, unit and survey, whether a tablet is enrolled or
// the kiosk waits for one (and until when its code works), and the last
// day its tablet called in (a day, never a time: it tells that the
// tablet is alive, not when anyone answered). A kiosk is renamed in
// place, given a new enrollment code when its tablet is replaced, and
// its tablet revoked when lost. Then links (with a printable QR poster)
// and invitation rounds (with printable slips). Creating any collector
// shows its code, link or codes this once; QR codes are drawn by the
// daemon (POST /api/v1/qr.svg). Each invitation code has a personal link,
// /f/<slug>#code=CODE, the code in the fragment, which no browser sends
// to a server; its slip carries that link's QR code and speaks the
// survey's languages, in the words of the respondents' pages
// (/assets/i18n/).

import { ApiError } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import { dirOf, loadLangs, pickText, text as respondentText } from '/assets/lang.js';
import { destroyCharts } from './charts.js';
import { printNodes, qrImage, table, unitOptions } from './admin.js';
import { errorBox } from './shared.js';

const NAME_MAX = 100; // bytes, core/collectors.h COLLECTORS_NAME_MAX

function locale(app) {
  return app.lang === 'sv' ? 'sv-FI' : app.lang === 'en' ? 'en-GB' : 'fi-FI';
}

// A calendar day (YYYY-MM-DD, the server's UTC day) in the interface's
// language, as a <time>.
function dayText(app, day) {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(locale(app), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

function timeText(app, iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  return new Intl.DateTimeFormat(locale(app), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// Whole days from day to today, both UTC.
function daysAgo(day) {
  const then = Date.parse(`${day}T00:00:00Z`);
  const now = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(then) ? null : Math.round((now - then) / 86400000);
}

function lastSeen(app, c) {
  if (!c.last_seen) return h('span', { class: 'muted last-seen', dataset: { day: '' } }, c.enrolled ? app.t('seenNever') : '–');
  const ago = daysAgo(c.last_seen);
  const rel = ago === null ? '' : ago <= 0 ? app.t('seenToday') : ago === 1 ? app.t('seenYesterday') : app.t('seenDaysAgo', { n: ago });
  // A tablet asks for its survey every hour: two days of silence is news.
  const stale = c.enrolled && ago !== null && ago >= 2;
  return h('span', { class: `last-seen${stale ? ' stale' : ''}`, dataset: { day: c.last_seen } },
    h('time', { datetime: c.last_seen }, dayText(app, c.last_seen)),
    rel ? h('span', { class: 'muted' }, ` (${rel})`) : null,
    stale ? h('span', { class: 'stale-note' }, ` ${app.t('seenStale')}`) : null);
}

function kioskStatus(app, c) {
  if (c.enrolled) return h('span', { class: 'status enrolled', dataset: { status: 'enrolled' } }, app.t('enrolled'));
  const exp = c.enrollment_expires_at;
  if (!exp) return h('span', { class: 'status waiting', dataset: { status: 'waiting' } }, app.t('kioskWaiting'));
  const expired = Date.parse(exp) <= Date.now();
  return h('span', { class: `status waiting${expired ? ' expired' : ''}`, dataset: { status: expired ? 'expired' : 'waiting' } },
    app.t('kioskWaiting'), h('br'),
    h('span', { class: 'muted code-expiry' }, app.t(expired ? 'codeExpired' : 'codeValidUntil', { when: timeText(app, exp) })));
}

function collectorLabel(app, c) {
  return c.name || `${app.t(`kind_${c.kind}`)} #${c.id}`;
}

export async function renderCollectors(app, main) {
  destroyCharts();
  await app.refreshShared();
  const res = await app.call('/api/v1/collectors');
  const list = res.data.collectors || [];
  const result = h('div', { id: 'collector-result', 'aria-live': 'polite' });
  const kindSel = h('select', { id: 'c-kind', onchange: () => sync() },
    ['kiosk', 'link', 'invitation'].map((k) => h('option', { value: k }, app.t(`kind_${k}`))));
  const name = h('input', { id: 'c-name', autocomplete: 'off', maxlength: NAME_MAX, 'aria-describedby': 'c-name-help' });
  const nameField = h('div', { class: 'field' }, h('label', { for: 'c-name' }, app.t('collectorName')), name,
    h('p', { id: 'c-name-help', class: 'muted' }, app.t('collectorNameHelp')));
  const count = h('input', { id: 'c-count', type: 'number', min: 1, max: 10000, value: 20, inputmode: 'numeric' });
  const idle = h('input', { id: 'c-idle', type: 'number', min: 5, max: 600, inputmode: 'numeric', 'aria-describedby': 'c-idle-help' });
  const countField = h('div', { class: 'field' }, h('label', { for: 'c-count' }, app.t('count_codes')), count);
  const idleField = h('div', { class: 'field' }, h('label', { for: 'c-idle' }, app.t('idleSeconds')), idle,
    h('p', { id: 'c-idle-help', class: 'muted' }, app.t('idleHelp')));
  const sync = () => {
    countField.hidden = kindSel.value !== 'invitation';
    idleField.hidden = kindSel.value !== 'kiosk';
    // A kiosk is found in the fleet by its name: ask for one.
    name.required = kindSel.value === 'kiosk';
  };
  const surveySel = h('select', { id: 'c-survey' }, app.surveys.map((s) => h('option', { value: s.id }, app.text(s.title))));
  const unitSel = h('select', { id: 'c-unit' }, unitOptions(app, 0));
  const fleetBox = h('div', { id: 'fleet' });
  const othersBox = h('div', { id: 'collector-list' });
  const reload = async () => {
    const r = await app.call('/api/v1/collectors');
    drawLists(app, fleetBox, othersBox, r.data.collectors || [], reload);
  };
  const form = h('form', {
    class: 'inline-form', id: 'new-collector',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = { survey: Number(surveySel.value), unit: Number(unitSel.value), kind: kindSel.value };
      if (name.value.trim()) body.name = name.value.trim();
      if (body.kind === 'invitation') body.count = Number(count.value);
      if (body.kind === 'kiosk' && idle.value) body.idle_reset_seconds = Number(idle.value);
      try {
        const r = await app.call('/api/v1/collectors', { body });
        name.value = '';
        name.removeAttribute('aria-invalid');
        await showCreated(app, result, r.data);
        await reload();
      } catch (err) {
        if (err instanceof ApiError && err.field === 'name') {
          name.setAttribute('aria-invalid', 'true');
          fill(result, nameError(app));
          name.focus();
        } else fill(result, errorBox(app, err));
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'c-kind' }, app.t('kind')), kindSel),
  nameField,
  h('div', { class: 'field' }, h('label', { for: 'c-survey' }, app.t('survey')), surveySel),
  h('div', { class: 'field' }, h('label', { for: 'c-unit' }, app.t('unit')), unitSel),
  countField, idleField,
  h('div', { class: 'field buttons' }, h('button', { type: 'submit', id: 'create-collector' }, app.t('create'))));
  sync();
  fill(main,
    h('section', { class: 'card' }, h('h1', null, app.t('collectorsTitle')),
      h('h2', null, app.t('newCollector')), form, result),
    h('section', { class: 'card', 'aria-labelledby': 'fleet-title' },
      h('h2', { id: 'fleet-title' }, app.t('fleetTitle')),
      h('p', { class: 'muted' }, app.t('fleetLead')),
      fleetBox),
    h('section', { class: 'card', 'aria-labelledby': 'others-title' },
      h('h2', { id: 'others-title' }, app.t('othersTitle')), othersBox));
  drawLists(app, fleetBox, othersBox, list, reload);
}

function nameError(app) {
  return h('div', { class: 'notice error', role: 'alert' },
    h('p', { class: 'error-field', dataset: { field: 'name' } }, app.t('collectorNameInvalid', { n: NAME_MAX })));
}

function drawLists(app, fleetBox, othersBox, list, reload) {
  const kiosks = list.filter((c) => c.kind === 'kiosk');
  const others = list.filter((c) => c.kind !== 'kiosk');
  const status = h('div', { id: 'fleet-status', 'aria-live': 'polite' });
  const codeBox = h('div', { id: 'fleet-code' });
  const rows = kiosks.map((c) => kioskRow(app, c, { status, codeBox, reload }));
  fill(fleetBox, kiosks.length
    ? table([app.t('name'), app.t('unit'), app.t('survey'), app.t('kioskState'), app.t('lastSeen'), app.t('actions')], rows, 'fleet-table')
    : h('p', { class: 'muted' }, app.t('noKiosks')),
  status, codeBox);
  const otherRows = others.map((c) => h('tr', { dataset: { collector: c.id } },
    h('th', { scope: 'row' }, collectorLabel(app, c)),
    h('td', null, app.t(`kind_${c.kind}`)),
    h('td', null, app.surveyTitle(c.survey)),
    h('td', null, app.unitName(c.unit)),
    h('td', null, c.created || ''),
    h('td', { class: 'wrap' }, c.kind === 'invitation' ? app.t('usedOf', { used: c.used || 0, issued: c.issued || 0 }) : c.url ? location.origin + c.url : ''),
    h('td', { class: 'row-actions' },
      c.url ? h('button', { type: 'button', class: 'secondary', onclick: () => printPoster(app, c) }, app.t('printPoster')) : null,
      removeButton(app, c, othersBox, reload))));
  fill(othersBox, others.length
    ? table([app.t('name'), app.t('kind'), app.t('survey'), app.t('unit'), app.t('created'), app.t('link'), app.t('actions')], otherRows, 'collectors-table')
    : h('p', { class: 'muted' }, '–'));
}

function removeButton(app, c, box, reload) {
  return h('button', {
    type: 'button', class: 'danger remove-collector', onclick: async () => {
      if (!window.confirm(app.t('confirmRevoke'))) return;
      try {
        await app.call(`/api/v1/collectors/${c.id}`, { method: 'DELETE' });
        await reload();
      } catch (err) {
        box.prepend(errorBox(app, err));
      }
    },
  }, app.t(c.kind === 'kiosk' ? 'removeKiosk' : 'revoke'), h('span', { class: 'visually-hidden' }, `: ${collectorLabel(app, c)}`));
}

function kioskRow(app, c, { status, codeBox, reload }) {
  const label = collectorLabel(app, c);
  const nameCell = h('th', { scope: 'row', class: 'kiosk-name' },
    c.name ? c.name : h('span', { class: 'muted' }, app.t('unnamed', { id: c.id })));
  // The list is drawn anew after every change: tell it in the new one.
  const say = (node) => fill(document.getElementById('fleet-status') || status, node);
  const ok = (text) => say(h('p', { class: 'notice ok', role: 'status' }, text));
  const rename = h('button', {
    type: 'button', class: 'secondary rename-kiosk', 'aria-expanded': 'false',
    onclick: () => {
      rename.setAttribute('aria-expanded', 'true');
      const input = h('input', {
        id: `rename-${c.id}`, class: 'rename-input', autocomplete: 'off', maxlength: NAME_MAX, value: c.name || '',
        'aria-describedby': `rename-${c.id}-help`,
      });
      const err = h('div', { id: `rename-${c.id}-err` });
      const cancel = () => reload();
      const form = h('form', {
        class: 'rename-form',
        onsubmit: async (ev) => {
          ev.preventDefault();
          const v = input.value.trim();
          try {
            await app.call(`/api/v1/collectors/${c.id}`, { method: 'PATCH', body: { name: v || null } });
            await reload();
            ok(app.t('kioskRenamed', { name: v || app.t('unnamed', { id: c.id }) }));
          } catch (e) {
            input.setAttribute('aria-invalid', 'true');
            input.setAttribute('aria-describedby', `rename-${c.id}-help rename-${c.id}-err`);
            fill(err, e instanceof ApiError && e.field === 'name' ? nameError(app) : errorBox(app, e));
            input.focus();
          }
        },
        onkeydown: (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); cancel(); } },
      },
      h('label', { for: input.id }, app.t('kioskNewName')),
      input,
      h('p', { class: 'muted', id: `rename-${c.id}-help` }, app.t('renameHelp')),
      h('span', { class: 'actions' },
        h('button', { type: 'submit', class: 'save-name' }, app.t('save')),
        h('button', { type: 'button', class: 'secondary', onclick: cancel }, app.t('cancel'))),
      err);
      fill(nameCell, form);
      input.focus();
      input.select();
    },
  }, app.t('rename'), h('span', { class: 'visually-hidden' }, `: ${label}`));
  const newCode = h('button', {
    type: 'button', class: 'secondary new-code', onclick: async () => {
      if (!window.confirm(app.t('confirmNewCode', { name: label }))) return;
      try {
        const r = await app.call(`/api/v1/collectors/${c.id}/enrollment`, { method: 'POST' });
        await reload();
        const box = document.getElementById('fleet-code');
        if (box) {
          await showCreated(app, box, r.data, app.t('newCodeTitle', { name: label }));
          box.querySelector('h3')?.focus();
        }
      } catch (err) {
        say(errorBox(app, err));
      }
    },
  }, app.t('newCode'), h('span', { class: 'visually-hidden' }, `: ${label}`));
  const revokeDevice = !c.enrolled ? null : h('button', {
    type: 'button', class: 'danger revoke-device', onclick: async () => {
      if (!window.confirm(app.t('confirmRevokeDevice', { name: label }))) return;
      try {
        await app.call(`/api/v1/collectors/${c.id}/device`, { method: 'DELETE' });
        await reload();
        ok(app.t('deviceRevoked', { name: label }));
      } catch (err) {
        say(errorBox(app, err));
      }
    },
  }, app.t('revokeDevice'), h('span', { class: 'visually-hidden' }, `: ${label}`));
  return h('tr', { dataset: { collector: c.id } },
    nameCell,
    h('td', null, app.unitName(c.unit)),
    h('td', null, app.surveyTitle(c.survey)),
    h('td', { class: 'kiosk-state' }, kioskStatus(app, c)),
    h('td', null, lastSeen(app, c)),
    h('td', { class: 'row-actions' }, rename, newCode, revokeDevice, removeButton(app, c, status, reload)));
}

// The code of a new kiosk, or the new code of a replaced tablet; a new
// link; an invitation round's codes. Shown this once.
async function showCreated(app, box, c, title) {
  if (c.kind === 'kiosk') {
    const url = location.origin + c.kiosk_url;
    const kioskPage = `${location.origin}/kiosk/`;
    fill(box, h('div', { class: 'created card-inner', dataset: { kind: 'kiosk', collector: c.id } },
      h('h3', { tabindex: '-1' }, title || app.t('kioskCodeTitle'), c.name && !title ? `: ${c.name}` : ''),
      h('p', { class: 'big-code enrollment-code', id: box.id === 'fleet-code' ? 'new-enrollment-code' : 'enrollment-code' }, c.enrollment_code),
      await qrImage(app, url),
      h('p', null, h('a', { href: url, class: 'kiosk-url', target: '_blank', rel: 'noopener' }, url)),
      h('p', null, app.t('kioskCodeHelp', { url: kioskPage, when: timeText(app, c.expires_at) }))));
    return;
  }
  const url = location.origin + c.url;
  if (c.kind === 'link') {
    fill(box, h('div', { class: 'created card-inner', dataset: { kind: 'link' } },
      h('h3', null, app.t('linkTitle')),
      h('p', null, h('a', { href: url, id: 'link-url', target: '_blank', rel: 'noopener' }, url)),
      await qrImage(app, url),
      h('p', null, h('button', { type: 'button', onclick: () => printPoster(app, c) }, app.t('printPoster')))));
    return;
  }
  const codes = c.codes || [];
  // The personal link of each code: the code in the fragment.
  const links = codes.map((x, i) => location.origin + ((c.code_urls || [])[i] || `${c.url}#code=${x}`));
  const csv = `code,url,form_url\r\n${codes.map((x, i) => `${x},${links[i]},${url}`).join('\r\n')}\r\n`;
  const dl = h('a', {
    class: 'button secondary', download: `invitations-${c.id}.csv`, id: 'download-codes',
    href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })),
  }, app.t('downloadCodes'));
  const status = h('p', { class: 'muted', id: 'slips-status', 'aria-live': 'polite' });
  fill(box, h('div', { class: 'created card-inner', dataset: { kind: 'invitation' } },
    h('h3', null, app.t('invitationTitle')),
    h('p', { class: 'notice' }, app.t('invitationHelp')),
    h('p', null, app.t('invitationLinksHelp')),
    h('p', null, h('a', { href: url, target: '_blank', rel: 'noopener' }, url)),
    h('ol', { class: 'codes', id: 'invitation-codes' }, codes.map((x, i) => h('li', null,
      h('code', null, x), ' ',
      h('a', { class: 'code-link', href: links[i], target: '_blank', rel: 'noopener noreferrer' },
        app.t('codeLink'), h('span', { class: 'visually-hidden' }, `: ${x}`))))),
    h('p', { class: 'actions' },
      h('button', { type: 'button', id: 'print-slips', onclick: () => printSlips(app, c, url, codes, links, status) }, app.t('printSlips')),
      dl),
    status));
}

async function printPoster(app, c) {
  const url = location.origin + c.url;
  const s = app.surveys.find((x) => x.id === c.survey);
  const langs = s && s.languages ? s.languages : [app.lang];
  const qr = await qrImage(app, url, 'poster-qr');
  // A lobby poster speaks every language of the survey.
  printNodes(h('div', { class: 'poster' },
    langs.map((l) => h('p', { class: 'poster-call', lang: l }, tFor(app, l, 'posterCall'))),
    h('h1', null, s ? app.text(s.title) : ''),
    h('p', { class: 'poster-unit' }, app.unitName(c.unit)),
    qr,
    langs.map((l) => h('p', { lang: l }, tFor(app, l, 'posterHow'))),
    h('p', { class: 'poster-url' }, url),
    langs.map((l) => h('p', { class: 'poster-anon', lang: l }, tFor(app, l, 'posterAnon')))));
}

function tFor(app, lang, key) {
  const saved = app.lang;
  app.lang = lang;
  const s = app.t(key);
  app.lang = saved;
  return s;
}

// The QR code of every personal link, a few requests at a time; status
// counts them for a large round.
async function slipQrs(app, links, status) {
  const out = new Array(links.length).fill(null);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < links.length) {
      const i = next++;
      out[i] = await qrImage(app, links[i], 'slip-qr', '');
      done++;
      if (status && (done % 25 === 0 || done === links.length)) status.textContent = app.t('slipsPreparing', { n: done, total: links.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, links.length) }, worker));
  return out;
}

// One slip per code: its personal QR code, then in every language of the
// survey (the respondent's words, right to left where the language runs
// so) the invitation, how to answer and that the code is never linked to
// the answers; the form's address and the code, to type by hand.
async function printSlips(app, c, url, codes, links, status) {
  const s = app.surveys.find((x) => x.id === c.survey);
  const langs = s && s.languages && s.languages.length ? s.languages : [app.lang];
  await loadLangs(langs).catch(() => {});
  const qrs = await slipQrs(app, links, status);
  const inLang = (l, cls, ...kids) => h('p', { class: cls, lang: l, dir: dirOf(l) }, ...kids);
  // Made anew for each slip: a node is in one place only.
  const codeLabel = () => langs.flatMap((l, k) => [k ? h('span', { class: 'sep' }, ' / ') : null,
    h('span', { lang: l, dir: dirOf(l) }, respondentText(l, 'slipCode'))]);
  printNodes(h('div', { class: 'slips' }, codes.map((code, i) => h('div', { class: 'slip', dataset: { code } },
    qrs[i],
    h('div', { class: 'slip-text' },
      langs.map((l) => h('div', { class: 'slip-lang', lang: l, dir: dirOf(l) },
        inLang(l, 'slip-title', respondentText(l, 'slipTitle'), ': ', s ? pickText(s.title, l, langs) : ''),
        inLang(l, 'slip-how', respondentText(l, 'slipHow')),
        inLang(l, 'slip-note', respondentText(l, 'slipNote')))),
      h('p', { class: 'slip-url', dir: 'ltr' }, url),
      h('p', { class: 'slip-code-line' }, ...codeLabel(), ': ', h('strong', { class: 'slip-code', dir: 'ltr' }, code)))))));
}
