// builder.js — the admin's surveys: the list, templates to start from and
// the survey builder. The builder edits a definition (DESIGN §4) without
// JSON: every question type with its settings, the survey's own settings
// and its privacy notice, each text side by side in every language of the
// survey with the missing ones marked, and a live preview as the kiosk and
// the form show it. The server's refusals appear beside the input they
// name, in the dashboard's language (builder-errors.js). A survey that
// has been open for answers gets a new version with every change saved,
// and the builder says so first. The JSON view stays as an advanced
// import and export.

import { api, ApiError } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import { LANG_NAMES, LANGS, pick, translator } from '/assets/i18n.js';
import { dirOf, SURVEY_LANGS } from '/assets/lang.js';
import { STRINGS } from './strings.js';
import { BUILDER_STRINGS } from './builder-strings.js';
import { pathAncestors, refusalMessage } from './builder-errors.js';
import { newPreviewState, previewSurvey, renderPreview } from './preview.js';
import { table } from './admin.js';
import { destroyCharts } from './charts.js';
import { forgetDefinitions } from './results.js';

const tr = translator({ ...STRINGS, ...BUILDER_STRINGS });

// The templates under templates/, in the order they are offered.
const TEMPLATES = ['client-visit', 'client-panel', 'staff'];

const TYPES = ['smiley', 'scale', 'nps', 'choice', 'multi', 'yesno', 'text'];
const AUDIENCES = ['client', 'panel', 'staff'];
const PERIODS = ['week', 'month', 'quarter', 'year'];
// Members the server adds to a definition it returns, not part of it.
const VIEW_ONLY = ['id', 'version', 'current_version', 'has_responses', 'open'];
// The members of a definition and of a question, in the server's order;
// anything else is passed through so that the server can name it.
const SURVEY_MEMBERS = ['slug', 'title', 'description', 'audience', 'languages', 'questions', 'privacy',
  'min_group', 'min_group_comments', 'period', 'kiosk'];
const TYPE_MEMBERS = {
  smiley: ['faces'], scale: ['min', 'max', 'labels'], nps: [], choice: ['options'],
  multi: ['options', 'max_choices'], yesno: [], text: ['max_length'],
};
const ALL_TYPE_MEMBERS = ['faces', 'min', 'max', 'labels', 'options', 'max_choices', 'max_length'];

/* ------------------------------------------------------------ model */

function isObj(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function i18nObj(v, langs) {
  if (isObj(v)) return v;
  if (typeof v === 'string') return { [langs[0]]: v };
  return {};
}

function blank(s) {
  return typeof s !== 'string' || s.trim() === '';
}

// A definition (from the server, a template or the JSON view) as the
// builder edits it: every text an object, every list there.
function normalise(input) {
  const d = JSON.parse(JSON.stringify(isObj(input) ? input : {}));
  for (const k of VIEW_ONLY) delete d[k];
  if (!Array.isArray(d.languages) || !d.languages.length) d.languages = ['fi'];
  const langs = d.languages;
  d.title = i18nObj(d.title, langs);
  if (d.description !== undefined) d.description = i18nObj(d.description, langs);
  if (d.audience === undefined) d.audience = 'client';
  if (!Array.isArray(d.questions)) d.questions = [];
  for (const q of d.questions) {
    if (!isObj(q)) continue;
    q.text = i18nObj(q.text, langs);
    if (Array.isArray(q.options)) for (const o of q.options) if (isObj(o)) o.text = i18nObj(o.text, langs);
    if (isObj(q.labels)) {
      if (q.labels.min !== undefined) q.labels.min = i18nObj(q.labels.min, langs);
      if (q.labels.max !== undefined) q.labels.max = i18nObj(q.labels.max, langs);
    }
  }
  if (!isObj(d.privacy)) d.privacy = {};
  const p = d.privacy;
  p.controller = i18nObj(p.controller, langs);
  p.purpose = i18nObj(p.purpose, langs);
  if (p.contact === undefined || p.contact === null) p.contact = '';
  else if (typeof p.contact !== 'string') p.contact = i18nObj(p.contact, langs);
  if (d.period === undefined) d.period = 'month';
  return d;
}

// The texts of the survey's languages, in fi, sv, en order; optional
// texts only when one of them is written.
function texts(obj, langs, optional) {
  const out = {};
  if (optional && langs.every((l) => blank(obj && obj[l]))) return undefined;
  for (const l of SURVEY_LANGS) if (langs.includes(l)) out[l] = obj && typeof obj[l] === 'string' ? obj[l] : '';
  return out;
}

function put(out, key, v) {
  if (v !== undefined && v !== '') out[key] = v;
}

function questionOut(q, langs) {
  if (!isObj(q)) return q;
  const out = {};
  put(out, 'id', q.id);
  put(out, 'type', q.type);
  out.text = texts(q.text, langs, false);
  out.required = Boolean(q.required);
  for (const k of TYPE_MEMBERS[q.type] || []) {
    if (k === 'options') {
      out.options = (Array.isArray(q.options) ? q.options : []).map((o) => (isObj(o)
        ? { ...o, id: o.id, text: texts(o.text, langs, false) } : o));
    } else if (k === 'labels') {
      if (!isObj(q.labels)) continue;
      const labels = {};
      put(labels, 'min', texts(q.labels.min, langs, true));
      put(labels, 'max', texts(q.labels.max, langs, true));
      if (Object.keys(labels).length) out.labels = labels;
    } else {
      put(out, k, q[k]);
    }
  }
  for (const [k, v] of Object.entries(q))
    if (!(k in out) && !['id', 'type', 'text', 'required'].includes(k) && !ALL_TYPE_MEMBERS.includes(k)) out[k] = v;
  return out;
}

// The definition to send: the server's member order, texts of the
// survey's languages only, unknown members kept for the server to name.
export function toDefinition(d) {
  const langs = Array.isArray(d.languages) ? d.languages.filter((l) => SURVEY_LANGS.includes(l)) : [];
  const out = {};
  put(out, 'slug', d.slug);
  out.title = texts(d.title, langs, false);
  put(out, 'description', texts(d.description, langs, true));
  put(out, 'audience', d.audience);
  out.languages = Array.isArray(d.languages) ? [...d.languages] : d.languages;
  out.questions = Array.isArray(d.questions) ? d.questions.map((q) => questionOut(q, langs)) : d.questions;
  const p = d.privacy || {};
  out.privacy = {
    controller: texts(p.controller, langs, false),
    purpose: texts(p.purpose, langs, false),
    contact: typeof p.contact === 'string' ? p.contact : texts(p.contact, langs, false),
  };
  put(out.privacy, 'retention_months', p.retention_months);
  out.privacy.voluntary = p.voluntary === true;
  out.privacy.anonymous = p.anonymous === true;
  for (const [k, v] of Object.entries(p)) if (!(k in out.privacy)) out.privacy[k] = v;
  put(out, 'min_group', d.min_group);
  put(out, 'min_group_comments', d.min_group_comments);
  put(out, 'period', d.period);
  if (isObj(d.kiosk)) {
    const k = {};
    put(k, 'idle_reset_seconds', d.kiosk.idle_reset_seconds);
    for (const [key, v] of Object.entries(d.kiosk)) if (!(key in k) && key !== 'idle_reset_seconds') k[key] = v;
    out.kiosk = k;
  }
  for (const [k, v] of Object.entries(d)) if (!SURVEY_MEMBERS.includes(k)) out[k] = v;
  return out;
}

function freeId(list, prefix) {
  const used = new Set(list.map((x) => x && x.id));
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

// A question of type with the type's settings at their defaults; the id,
// texts and required flag of an old question are kept.
function retype(q, type) {
  for (const k of ALL_TYPE_MEMBERS) if (!(TYPE_MEMBERS[type] || []).includes(k)) delete q[k];
  q.type = type;
  if (type === 'smiley' && q.faces === undefined) q.faces = 5;
  if (type === 'scale') {
    if (q.min === undefined) q.min = 1;
    if (q.max === undefined) q.max = 5;
  }
  if ((type === 'choice' || type === 'multi') && !Array.isArray(q.options))
    q.options = [{ id: 'o1', text: {} }, { id: 'o2', text: {} }];
  if (type === 'text' && q.max_length === undefined) q.max_length = 1000;
  return q;
}

// A whole number as a number; anything else typed stays text, so that the
// server names it (a wrong type) rather than the builder dropping it.
function numValue(raw) {
  const s = String(raw).trim();
  if (s === '') return undefined;
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

function stable(v) {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function move(list, from, to) {
  const [x] = list.splice(from, 1);
  list.splice(to, 0, x);
}

/* ------------------------------------------------------------ the list */

export async function renderSurveys(app, main, editId, params) {
  destroyCharts();
  if (editId === 'new' && !(params && params.get('template'))) {
    await renderTemplates(app, main);
    return;
  }
  if (editId) {
    await renderBuilder(app, main, editId, params);
    return;
  }
  const t = (k, v) => tr(app.lang)(k, v);
  await app.refreshShared();
  const rows = app.surveys.map((s) => h('tr', { dataset: { survey: s.id } },
    h('td', null, String(s.id)),
    h('th', { scope: 'row' }, app.text(s.title)),
    h('td', null, t(`bAudience_${s.audience}`)),
    h('td', null, (s.languages || []).map((l) => LANG_NAMES[l] || l).join(', ')),
    h('td', null, String(s.version)),
    h('td', null, t(s.open || s.has_responses ? 'bStatusOpen' : 'bStatusDraft')),
    h('td', null, s.has_responses ? t('yes') : t('no')),
    h('td', null, h('a', { href: `#/surveys/${s.id}`, class: 'button secondary' }, t('edit'), h('span', { class: 'visually-hidden' }, `: ${app.text(s.title)}`)))));
  fill(main, h('section', { class: 'card' },
    h('div', { class: 'section-head' },
      h('h1', null, t('surveysTitle')),
      h('a', { href: '#/surveys/new', class: 'button', id: 'new-survey' }, t('newSurvey'))),
    app.surveys.length
      ? table([t('id'), t('title'), t('audience'), t('languages'), t('version'), t('bStatus'), t('bResultsShown'), t('actions')], rows, 'surveys-table')
      : h('p', null, t('noSurveys'))));
}

async function loadTemplate(name) {
  const res = await api(`templates/${encodeURIComponent(name)}.json`);
  return res.data;
}

async function renderTemplates(app, main) {
  const t = (k, v) => tr(app.lang)(k, v);
  const loaded = await Promise.all(TEMPLATES.map((n) => loadTemplate(n).then((x) => [n, x]).catch(() => [n, null])));
  const cards = loaded.filter(([, x]) => x && isObj(x.definition)).map(([name, x]) => {
    const def = x.definition;
    const types = [...new Set((def.questions || []).map((q) => t(`type_${q.type}`)))];
    return h('li', { class: 'template-card', dataset: { template: name } },
      h('h2', null, app.text(x.name)),
      h('p', null, app.text(x.summary)),
      h('p', { class: 'muted' }, t('bTemplateFacts', {
        n: (def.questions || []).length,
        langs: (def.languages || []).map((l) => LANG_NAMES[l] || l).join(', '),
        types: types.join(', '),
      })),
      h('a', { href: `#/surveys/new?template=${name}`, class: 'button', id: `template-${name}` },
        t('bUseTemplate'), h('span', { class: 'visually-hidden' }, `: ${app.text(x.name)}`)));
  });
  fill(main, h('section', { class: 'card' },
    h('h1', null, t('newSurvey')),
    h('p', null, t('bTemplatesLead')),
    h('ul', { class: 'template-list' }, cards,
      h('li', { class: 'template-card', dataset: { template: 'blank' } },
        h('h2', null, t('bBlankTitle')),
        h('p', null, t('bBlankLead')),
        h('a', { href: '#/surveys/new?template=blank', class: 'button secondary', id: 'template-blank' }, t('bStartBlank')))),
    h('p', null, h('a', { href: '#/surveys' }, t('bBackToList')))));
}

function blankDefinition() {
  return {
    title: {},
    audience: 'client',
    languages: ['fi', 'sv'],
    questions: [{ id: 'q1', type: 'smiley', text: {}, required: true, faces: 5 }],
    privacy: { controller: {}, purpose: {}, contact: '', voluntary: true, anonymous: true },
    min_group: 5,
    period: 'month',
  };
}

/* ------------------------------------------------------------ builder */

// The builder on screen: drawn again in place (the dashboard's language
// changed), it keeps what is being edited.
let shown = null;

async function renderBuilder(app, main, editId, params) {
  const isNew = editId === 'new';
  const key = `${editId}?${params ? params.toString() : ''}`;
  if (shown && shown.key === key && shown.main === main && main.contains(document.getElementById('survey-builder'))) {
    shown.t = (k, v) => tr(app.lang)(k, v);
    shown.flash = null;
    draw(shown);
    return;
  }
  const st = {
    key,
    app,
    main,
    id: isNew ? null : Number(editId),
    info: null, // {version, current_version, has_responses, open} of the survey
    def: null, // the definition being edited
    base: '', // the saved definition, to tell whether anything changed
    errors: [], // refusals shown beside their inputs
    sent: null, // the definition of the last save, to word its refusal
    flash: null, // the message of the last save
    jsonOpen: false,
    jsonText: '',
    versions: [],
    preview: null,
    template: '',
  };
  st.t = (k, v) => tr(app.lang)(k, v);
  if (isNew) {
    const name = params.get('template');
    let def = blankDefinition();
    if (name !== 'blank') {
      const x = await loadTemplate(name);
      if (!x || !isObj(x.definition)) throw new Error(`template ${name}`);
      def = x.definition;
      st.template = app.text(x.name);
    }
    st.def = normalise(def);
  } else {
    const res = await app.call(`/api/v1/surveys/${st.id}`);
    st.info = res.data;
    st.def = normalise(res.data);
    st.base = stable(toDefinition(st.def));
    await loadVersions(st);
  }
  st.preview = newPreviewState(st.def.languages[0]);
  if (st.def.languages.includes(app.lang)) st.preview.lang = app.lang;
  shown = st;
  draw(st);
}

// Whether saving a change makes a new version: the server's rule
// (api/routes/surveys.c). A survey is open for answers from its first
// collector on, deleted or not, and from then on every change is a new
// version, whether anyone answered or not: the version number must not
// tell. has_responses covers a store older than that mark.
function published(st) {
  return Boolean(st.info && (st.info.open || st.info.has_responses));
}

async function loadVersions(st) {
  const n = (st.info && st.info.current_version) || 0;
  const nums = [];
  for (let v = n; v >= 1 && nums.length < 20; v--) nums.push(v);
  st.versions = await Promise.all(nums.map((v) => st.app.call(`/api/v1/surveys/${st.id}?version=${v}`)
    .then((r) => r.data).catch(() => ({ version: v }))));
}

function langName(app, l) {
  return tr(app.lang)(`bLang_${l}`);
}

function domId(path) {
  return `b-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
}

function changed(st) {
  return stable(toDefinition(st.def)) !== st.base;
}

// The whole builder again: after a change of structure (a question added,
// moved or removed, a type or the languages changed) and after saving.
function draw(st, focusId) {
  const { app } = st;
  const t = st.t;
  const title = pick(st.def.title, app.lang, st.def.languages);
  const head = h('section', { class: 'card builder-head' },
    h('h1', null, st.id ? t('bEditTitle', { title: title || `#${st.id}` }) : t('newSurvey')),
    st.template ? h('p', { class: 'muted' }, t('bFromTemplate', { name: st.template })) : null,
    st.info ? h('p', { class: 'muted', id: 'builder-version' }, t('bVersionLine', {
      v: st.info.version, n: st.info.current_version,
    })) : null,
    newVersionNotice(st, 'top'));
  const form = h('form', {
    id: 'survey-builder', class: 'builder-form', novalidate: true,
    onsubmit: (ev) => { ev.preventDefault(); save(st); },
    oninput: (ev) => edited(st, ev),
    onchange: (ev) => edited(st, ev),
  },
  basicsSection(st),
  questionsSection(st),
  privacySection(st),
  settingsSection(st),
  saveSection(st));
  // The page's parts are made once: the preview's frame stays while the
  // editor beside it is drawn again (a frame taken out of the page and
  // put back would start over).
  if (!st.page || !st.main.contains(st.page.layout)) {
    st.page = {
      head: h('div'),
      editor: h('div', { class: 'builder-main' }),
      previewTitle: h('h2', { id: 'preview-title' }),
      previewControls: h('div', { class: 'preview-controls' }),
      previewBox: h('div', { id: 'preview-frame', class: 'preview-frame' }),
    };
    const p = st.page;
    p.layout = h('div', { class: 'builder-layout' }, p.editor,
      h('aside', { class: 'builder-preview card', 'aria-labelledby': 'preview-title' },
        p.previewTitle, p.previewControls, p.previewBox));
    fill(st.main, p.head, p.layout, h('div', { id: 'builder-live', class: 'visually-hidden', 'aria-live': 'polite' }));
  }
  fill(st.page.head, head);
  fill(st.page.editor, form, jsonSection(st), st.id ? versionsSection(st) : null);
  st.page.previewTitle.textContent = t('bPreview');
  refreshMissing(st);
  showErrors(st);
  drawPreview(st);
  if (focusId) document.getElementById(focusId)?.focus();
}

function say(text) {
  const live = document.getElementById('builder-live');
  if (live) {
    live.textContent = '';
    setTimeout(() => { live.textContent = text; }, 50);
  }
}

/* ------------------------------------------------------------ inputs */

// A labelled input in a wrapper that carries the definition path it
// edits: a refusal naming that path lands in the wrapper.
function wrap(path, label, control, { help, cls = '', hint } = {}) {
  const id = control.id;
  return h('div', { class: `bf ${cls}`, dataset: { path, label } },
    h('label', { for: id }, label),
    h('div', { class: 'err-slot' }),
    control,
    help ? h('p', { class: 'help muted', id: `${id}-help` }, help) : null,
    hint || null);
}

function describe(el, ids) {
  const cur = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  const next = [...new Set([...cur, ...ids])];
  if (next.length) el.setAttribute('aria-describedby', next.join(' '));
}

function undescribe(el, id) {
  const next = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== id);
  if (next.length) el.setAttribute('aria-describedby', next.join(' '));
  else el.removeAttribute('aria-describedby');
}

function textInput(path, value, onValue, attrs = {}) {
  const id = domId(path);
  const el = h(attrs.multiline ? 'textarea' : 'input', {
    id, value: value === undefined || value === null ? '' : String(value),
    rows: attrs.multiline ? 3 : null, lang: attrs.lang || null, autocomplete: 'off',
    inputmode: attrs.inputmode || null, spellcheck: attrs.spellcheck || null,
    autocapitalize: attrs.autocapitalize || null,
    class: attrs.cls || null,
    dataset: { bind: path },
  });
  el.bind = () => onValue(el.value);
  if (attrs.help) describe(el, [`${id}-help`]);
  return el;
}

function numInput(path, value, onValue, { min, max, placeholder } = {}) {
  const el = textInput(path, value, (v) => onValue(numValue(v)), { inputmode: 'numeric' });
  el.setAttribute('type', 'number');
  if (min !== undefined) el.setAttribute('min', String(min));
  if (max !== undefined) el.setAttribute('max', String(max));
  if (placeholder !== undefined) el.setAttribute('placeholder', String(placeholder));
  el.setAttribute('step', '1');
  return el;
}

function selectInput(path, value, options, onValue) {
  // A value the builder does not offer (from the JSON view) stays shown,
  // so that the server's refusal beside it makes sense.
  const all = value === undefined || value === null || options.some(([v]) => v === value)
    ? options : [...options, [String(value), String(value)]];
  const el = h('select', { id: domId(path), dataset: { bind: path } },
    all.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  el.bind = () => onValue(el.value);
  return el;
}

function checkInput(path, checked, onValue) {
  const el = h('input', { type: 'checkbox', id: domId(path), checked: Boolean(checked), dataset: { bind: path } });
  el.bind = () => onValue(el.checked);
  return el;
}

function checkField(path, label, control, help) {
  if (help) describe(control, [`${control.id}-help`]);
  return h('div', { class: 'bf check-field', dataset: { path, label } },
    h('div', { class: 'err-slot' }),
    h('label', { class: 'check', for: control.id }, control, ` ${label}`),
    help ? h('p', { class: 'help muted', id: `${control.id}-help` }, help) : null);
}

// A text of the survey in each of its languages, side by side: the
// default language first, an empty one marked as missing.
function i18nGroup(st, path, label, obj, { required = true, multiline = false, help } = {}) {
  const { app } = st;
  const langs = st.def.languages.filter((l) => SURVEY_LANGS.includes(l));
  const gid = domId(path);
  return h('fieldset', {
    class: `bf bi18n cols-${Math.min(langs.length, 4)}`, dataset: { path, label, i18n: required ? 'required' : 'optional' },
    'aria-describedby': help ? `${gid}-help` : null,
  },
  h('legend', null, label),
  help ? h('p', { class: 'help muted', id: `${gid}-help` }, help) : null,
  h('div', { class: 'err-slot' }),
  h('div', { class: 'bi18n-cols' }, langs.map((l) => {
    const lp = `${path}.${l}`;
    const input = textInput(lp, obj[l], (v) => { obj[l] = v; }, { multiline, lang: l });
    input.dataset.lang = l;
    input.setAttribute('dir', dirOf(l));
    return h('div', { class: 'bf bi18n-col', dataset: { path: lp, label: LANG_NAMES[l] } },
      h('label', { for: input.id, lang: l }, LANG_NAMES[l]),
      h('div', { class: 'err-slot' }),
      input,
      h('p', { class: 'missing-mark', id: `${input.id}-missing`, hidden: true }, st.t('bMissing', { lang: langName(app, l) })));
  })));
}

/* ------------------------------------------------------------ sections */

function basicsSection(st) {
  const { def } = st;
  const t = st.t;
  const langs = def.languages;
  const langBoxes = SURVEY_LANGS.map((l) => {
    const box = h('input', {
      type: 'checkbox', id: domId(`languages-${l}`), value: l, checked: langs.includes(l), lang: null,
      onchange: (ev) => {
        const on = ev.target.checked;
        if (!on && def.languages.filter((x) => x !== l).length === 0) {
          ev.target.checked = true;
          say(t('bOneLanguage'));
          return;
        }
        const first = def.languages[0];
        const set = new Set(def.languages);
        if (on) set.add(l);
        else set.delete(l);
        const ordered = SURVEY_LANGS.filter((x) => set.has(x));
        def.languages = set.has(first) ? [first, ...ordered.filter((x) => x !== first)] : ordered;
        st.errors = [];
        draw(st, ev.target.id);
      },
    });
    return h('label', { class: 'check', for: box.id },
      box, ' ', h('span', { lang: l, dir: dirOf(l) }, LANG_NAMES[l] || l),
      LANGS.includes(l) ? null : h('span', { class: 'muted' }, ` (${langName(st.app, l)})`));
  });
  const defaultSel = selectInput('languages-default', langs[0], langs.map((l) => [l, langName(st.app, l)]), (v) => {
    def.languages = [v, ...def.languages.filter((x) => x !== v)];
  });
  defaultSel.dataset.structural = '1';
  const audience = selectInput('audience', def.audience, AUDIENCES.map((a) => [a, t(`bAudience_${a}`)]), (v) => { def.audience = v; });
  const slug = textInput('slug', def.slug, (v) => { if (v.trim()) def.slug = v.trim(); else delete def.slug; },
    { spellcheck: 'false', autocapitalize: 'none', help: true });
  return h('section', { class: 'card', id: 'b-basics', 'aria-labelledby': 'b-basics-h' },
    h('h2', { id: 'b-basics-h' }, t('bBasics')),
    h('fieldset', { class: 'bf langs', dataset: { path: 'languages', label: t('languages') } },
      h('legend', null, t('languages')),
      h('p', { class: 'help muted' }, t('bLanguagesHelp')),
      h('div', { class: 'err-slot' }),
      h('div', { class: 'lang-checks' }, langBoxes),
      wrap('languages-default', t('bDefaultLang'), defaultSel)),
    i18nGroup(st, 'title', t('title'), def.title),
    i18nGroup(st, 'description', t('bDescription'), def.description || (def.description = {}), { required: false, multiline: true, help: t('bDescriptionHelp') }),
    h('div', { class: 'b-row' },
      wrap('audience', t('audience'), audience, { help: t('bAudienceHelp') }),
      wrap('slug', t('bSlug'), slug, { help: t('bSlugHelp') })));
}

function questionsSection(st) {
  const t = st.t;
  const qs = st.def.questions;
  const typeSel = h('select', { id: 'b-add-type' }, TYPES.map((x) => h('option', { value: x }, t(`type_${x}`))));
  return h('section', { class: 'card', id: 'b-questions', 'aria-labelledby': 'b-questions-h' },
    h('h2', { id: 'b-questions-h' }, t('bQuestions')),
    h('p', { class: 'help muted', id: 'b-reorder-help' }, t('bReorderHelp')),
    h('div', { class: 'bf', dataset: { path: 'questions', label: t('bQuestions') } }, h('div', { class: 'err-slot' })),
    h('ol', { class: 'qlist' }, qs.map((q, i) => questionCard(st, q, i))),
    h('div', { class: 'add-question' },
      h('label', { for: 'b-add-type' }, t('bNewQuestionType')),
      typeSel,
      h('button', {
        type: 'button', id: 'add-question', class: 'secondary', onclick: () => {
          const q = retype({ id: freeId(qs, 'q'), text: {}, required: false }, typeSel.value);
          qs.push(q);
          st.errors = [];
          previewAt(st, qs.length - 1);
          draw(st, domId(`questions[${qs.length - 1}].text.${st.def.languages[0]}`));
          say(t('bAdded', { i: qs.length }));
        },
      }, t('bAddQuestion'))));
}

// Buttons to move an item of a list, and the same by Alt+arrow keys. The
// buttons stay focusable at the ends (aria-disabled), so the focus never
// drops out of the list.
function moveButtons(st, { list, index, kind, label, onMoved, idBase }) {
  const t = st.t;
  const btn = (dir) => {
    const to = dir === 'up' ? index - 1 : index + 1;
    const off = to < 0 || to >= list.length;
    return h('button', {
      type: 'button', class: `secondary move-${dir}`, id: `${idBase}-${dir}`,
      'aria-disabled': off ? 'true' : null,
      'aria-keyshortcuts': dir === 'up' ? 'Alt+ArrowUp' : 'Alt+ArrowDown',
      onclick: () => { if (!off) onMoved(to, `-${dir}`); },
    }, t(dir === 'up' ? 'bMoveUp' : 'bMoveDown'), h('span', { class: 'visually-hidden' }, `: ${label}`));
  };
  return [btn('up'), btn('down')];
}

function reorderKeys(list, index, onMoved) {
  return (ev) => {
    if (!ev.altKey || (ev.key !== 'ArrowUp' && ev.key !== 'ArrowDown')) return;
    ev.preventDefault();
    ev.stopPropagation();
    const to = ev.key === 'ArrowUp' ? index - 1 : index + 1;
    if (to < 0 || to >= list.length) return;
    onMoved(to, null, ev.target.id);
  };
}

function questionCard(st, q, i) {
  const t = st.t;
  const qs = st.def.questions;
  const path = `questions[${i}]`;
  const id = domId(path);
  if (!isObj(q)) {
    return h('li', { class: 'qcard', dataset: { path, label: t('bQuestionN', { i: i + 1 }) } },
      h('h3', null, t('bQuestionN', { i: i + 1 })), h('div', { class: 'err-slot' }),
      h('button', { type: 'button', class: 'danger', onclick: () => { qs.splice(i, 1); st.errors = []; draw(st); } }, t('bRemove')));
  }
  const label = t('bQuestionN', { i: i + 1 });
  const moved = (to, suffix, focusedId) => {
    move(qs, i, to);
    st.errors = [];
    previewAt(st, to);
    const next = focusedId ? focusedId.replace(`${id}-`, `${domId(`questions[${to}]`)}-`) : `${domId(`questions[${to}]`)}${suffix}`;
    draw(st, next);
    say(t('bMovedQuestion', { from: i + 1, to: to + 1 }));
  };
  const typeSel = selectInput(`${path}.type`, q.type, TYPES.map((x) => [x, t(`type_${x}`)]), (v) => retype(q, v));
  typeSel.dataset.structural = '1';
  const idInput = textInput(`${path}.id`, q.id, (v) => { q.id = v.trim(); }, { spellcheck: 'false', autocapitalize: 'none', help: true });
  const req = checkInput(`${path}.required`, q.required, (v) => { q.required = v; });
  return h('li', {
    class: 'qcard', dataset: { path, label }, 'aria-labelledby': `${id}-h`,
    onkeydown: reorderKeys(qs, i, moved),
  },
  h('div', { class: 'qcard-head' },
    h('h3', { id: `${id}-h` }, label, h('span', { class: 'qtype-tag' }, ` · ${t(`type_${q.type}`) || q.type}`)),
    h('div', { class: 'row-actions' },
      moveButtons(st, { list: qs, index: i, label, idBase: id, onMoved: moved }),
      h('button', {
        type: 'button', class: 'danger', id: `${id}-remove`,
        onclick: () => {
          if (qs.length <= 1) { say(t('bLastQuestion')); return; }
          qs.splice(i, 1);
          st.errors = [];
          draw(st, qs.length ? `${domId(`questions[${Math.min(i, qs.length - 1)}]`)}-remove` : 'add-question');
          say(t('bRemovedQuestion', { i: i + 1 }));
        },
      }, t('bRemove'), h('span', { class: 'visually-hidden' }, `: ${label}`)))),
  h('div', { class: 'err-slot' }),
  h('div', { class: 'b-row' },
    wrap(`${path}.type`, t('bType'), typeSel),
    wrap(`${path}.id`, t('bQuestionId'), idInput, { help: t('bIdHelp') }),
    checkField(`${path}.required`, t('bRequired'), req)),
  i18nGroup(st, `${path}.text`, t('bQuestionText'), q.text, { multiline: true }),
  typeSettings(st, q, path));
}

function typeSettings(st, q, path) {
  const t = st.t;
  switch (q.type) {
    case 'smiley': {
      const sel = selectInput(`${path}.faces`, String(q.faces === 4 ? 4 : 5), [['5', t('bFaces5')], ['4', t('bFaces4')]],
        (v) => { q.faces = Number(v); });
      return h('div', { class: 'b-row' }, wrap(`${path}.faces`, t('bFaces'), sel));
    }
    case 'scale': {
      if (!isObj(q.labels)) q.labels = {};
      if (!isObj(q.labels.min)) q.labels.min = {};
      if (!isObj(q.labels.max)) q.labels.max = {};
      return h('div', { class: 'bf type-settings', dataset: { path: `${path}.labels`, label: t('bScaleLabels') } },
        h('div', { class: 'b-row' },
          wrap(`${path}.min`, t('bScaleMin'), numInput(`${path}.min`, q.min, (v) => { q.min = v; }, { min: -1000, max: 1000 })),
          wrap(`${path}.max`, t('bScaleMax'), numInput(`${path}.max`, q.max, (v) => { q.max = v; }, { min: -1000, max: 1000 }))),
        h('p', { class: 'help muted' }, t('bScaleHelp')),
        h('div', { class: 'err-slot' }),
        i18nGroup(st, `${path}.labels.min`, t('bScaleLabelMin'), q.labels.min, { required: false }),
        i18nGroup(st, `${path}.labels.max`, t('bScaleLabelMax'), q.labels.max, { required: false }));
    }
    case 'nps':
      return h('p', { class: 'help muted' }, t('bNpsHelp'));
    case 'yesno':
      return h('p', { class: 'help muted' }, t('bYesnoHelp'));
    case 'text':
      return h('div', { class: 'b-row' }, wrap(`${path}.max_length`, t('bMaxLength'),
        numInput(`${path}.max_length`, q.max_length, (v) => { q.max_length = v; }, { min: 1, max: 5000, placeholder: 1000 }),
        { help: t('bMaxLengthHelp') }));
    case 'choice':
    case 'multi':
      return optionsEditor(st, q, path);
    default:
      return null;
  }
}

function optionsEditor(st, q, path) {
  const t = st.t;
  if (!Array.isArray(q.options)) q.options = [];
  const opts = q.options;
  const qid = domId(path);
  const rows = opts.map((o, j) => {
    const op = `${path}.options[${j}]`;
    const oid = domId(op);
    const label = t('bOptionN', { j: j + 1 });
    if (!isObj(o)) return h('li', { class: 'opt-row', dataset: { path: op, label } }, h('div', { class: 'err-slot' }), String(o));
    const moved = (to, suffix, focusedId) => {
      move(opts, j, to);
      st.errors = [];
      const next = focusedId ? focusedId.replace(`${oid}-`, `${domId(`${path}.options[${to}]`)}-`) : `${domId(`${path}.options[${to}]`)}${suffix}`;
      draw(st, next);
      say(t('bMovedOption', { from: j + 1, to: to + 1 }));
    };
    return h('li', { class: 'opt-row', dataset: { path: op, label }, onkeydown: reorderKeys(opts, j, moved) },
      h('div', { class: 'opt-head' },
        h('h4', null, label),
        h('div', { class: 'row-actions' },
          moveButtons(st, { list: opts, index: j, label: `${label} (${t('bQuestionN', { i: Number(path.match(/\d+/)[0]) + 1 })})`, idBase: oid, onMoved: moved }),
          h('button', {
            type: 'button', class: 'danger', id: `${oid}-remove`,
            onclick: () => {
              opts.splice(j, 1);
              st.errors = [];
              draw(st, opts.length ? `${domId(`${path}.options[${Math.min(j, opts.length - 1)}]`)}-remove` : `${qid}-add-option`);
            },
          }, t('bRemove'), h('span', { class: 'visually-hidden' }, `: ${label}`)))),
      h('div', { class: 'err-slot' }),
      h('div', { class: 'opt-fields' },
        wrap(`${op}.id`, t('bOptionId'), textInput(`${op}.id`, o.id, (v) => { o.id = v.trim(); }, { spellcheck: 'false', autocapitalize: 'none' })),
        i18nGroup(st, `${op}.text`, t('bOptionText'), o.text)));
  });
  return h('div', { class: 'bf options-editor', dataset: { path: `${path}.options`, label: t('bOptions') } },
    h('h4', null, t('bOptions')),
    h('div', { class: 'err-slot' }),
    h('ol', { class: 'opt-list' }, rows),
    h('p', null, h('button', {
      type: 'button', class: 'secondary', id: `${qid}-add-option`, onclick: () => {
        opts.push({ id: freeId(opts, 'o'), text: {} });
        st.errors = [];
        draw(st, domId(`${path}.options[${opts.length - 1}].text.${st.def.languages[0]}`));
      },
    }, t('bAddOption'))),
    q.type === 'multi' ? h('div', { class: 'b-row' }, wrap(`${path}.max_choices`, t('bMaxChoices'),
      numInput(`${path}.max_choices`, q.max_choices, (v) => { q.max_choices = v; }, { min: 1, max: opts.length || 1 }),
      { help: t('bMaxChoicesHelp') })) : null);
}

function privacySection(st) {
  const t = st.t;
  const p = st.def.privacy;
  const single = typeof p.contact === 'string';
  const mode = checkInput('privacy.contact-mode', single, (v) => {
    if (v && typeof p.contact !== 'string') p.contact = pick(p.contact, st.def.languages[0], st.def.languages);
    else if (!v && typeof p.contact === 'string') p.contact = Object.fromEntries(st.def.languages.map((l) => [l, p.contact]));
  });
  mode.dataset.structural = '1';
  const retention = numInput('privacy.retention_months', p.retention_months, (v) => { p.retention_months = v; }, { min: 1, max: 120 });
  retention.dataset.required = '1';
  const contactInput = single ? textInput('privacy.contact', p.contact, (v) => { p.contact = v; }) : null;
  if (contactInput) contactInput.dataset.required = '1';
  return h('section', { class: 'card', id: 'b-privacy', 'aria-labelledby': 'b-privacy-h' },
    h('h2', { id: 'b-privacy-h' }, t('bPrivacy')),
    h('p', { class: 'help muted' }, t('bPrivacyLead')),
    h('div', { class: 'bf', dataset: { path: 'privacy', label: t('bPrivacy') } }, h('div', { class: 'err-slot' })),
    i18nGroup(st, 'privacy.controller', t('bController'), p.controller, { help: t('bControllerHelp') }),
    i18nGroup(st, 'privacy.purpose', t('bPurpose'), p.purpose, { multiline: true, help: t('bPurposeHelp') }),
    checkField('privacy.contact-mode', t('bContactSingle'), mode),
    single
      ? wrap('privacy.contact', t('bContact'), contactInput, { help: t('bContactHelp') })
      : i18nGroup(st, 'privacy.contact', t('bContact'), p.contact, { help: t('bContactHelp') }),
    h('div', { class: 'b-row' },
      wrap('privacy.retention_months', t('bRetention'), retention, { help: t('bRetentionHelp') })),
    checkField('privacy.voluntary', t('bVoluntary'), checkInput('privacy.voluntary', p.voluntary, (v) => { p.voluntary = v; }), t('bVoluntaryHelp')),
    checkField('privacy.anonymous', t('bAnonymous'), checkInput('privacy.anonymous', p.anonymous, (v) => { p.anonymous = v; }), t('bAnonymousHelp')));
}

function settingsSection(st) {
  const t = st.t;
  const d = st.def;
  const k = Number.isInteger(d.min_group) ? d.min_group : 5;
  const period = selectInput('period', d.period, PERIODS.map((x) => [x, t(`bPeriod_${x}`)]), (v) => { d.period = v; });
  const idle = numInput('kiosk.idle_reset_seconds', isObj(d.kiosk) ? d.kiosk.idle_reset_seconds : undefined, (v) => {
    if (v === undefined) delete d.kiosk;
    else d.kiosk = { ...(isObj(d.kiosk) ? d.kiosk : {}), idle_reset_seconds: v };
  }, { min: 5, max: 600, placeholder: 30 });
  return h('section', { class: 'card', id: 'b-settings', 'aria-labelledby': 'b-settings-h' },
    h('h2', { id: 'b-settings-h' }, t('bSettings')),
    h('div', { class: 'b-row' },
      wrap('min_group', t('bMinGroup'), numInput('min_group', d.min_group, (v) => { d.min_group = v; }, { min: 3, max: 1000, placeholder: 5 }),
        { help: t('bMinGroupHelp') }),
      wrap('min_group_comments', t('bMinGroupComments'), numInput('min_group_comments', d.min_group_comments,
        (v) => { d.min_group_comments = v; }, { min: k, max: 10000, placeholder: Math.max(10, k) }),
      { help: t('bMinGroupCommentsHelp') }),
      wrap('period', t('bPeriod'), period, { help: t('bPeriodHelp') })),
    h('div', { class: 'bf', dataset: { path: 'kiosk', label: t('bKiosk') } },
      h('div', { class: 'err-slot' }),
      h('div', { class: 'b-row' },
        wrap('kiosk.idle_reset_seconds', t('bIdle'), idle, { help: t('bIdleHelp') }))));
}

// What saving does to the survey's versions, said before saving: beside
// the title, and beside the save button when it makes a new one.
function newVersionNotice(st, where) {
  if (!st.info) return null;
  if (!published(st)) {
    return where === 'top' ? h('p', { class: 'notice in-place', id: 'in-place-top' },
      st.t('bInPlaceNotice', { v: st.info.current_version })) : null;
  }
  return h('p', { class: 'notice new-version', id: `new-version-${where}` },
    st.t('bNewVersionNotice', { v: st.info.current_version, next: st.info.current_version + 1 }));
}

function saveSection(st) {
  const t = st.t;
  const newVersion = published(st);
  return h('section', { class: 'card save-bar', id: 'b-save', 'aria-labelledby': 'b-save-h' },
    h('h2', { id: 'b-save-h', class: 'visually-hidden' }, t('save')),
    h('div', { id: 'missing-summary', 'aria-live': 'polite' }),
    newVersionNotice(st, 'save'),
    h('div', { id: 'editor-status' }, st.flash ? h('p', { class: 'notice ok', role: 'status' }, st.flash) : null),
    h('p', { class: 'actions' },
      h('button', { type: 'submit', id: 'save-survey' }, newVersion ? t('bSaveNewVersion', { next: st.info.current_version + 1 }) : t('save')),
      h('a', { href: '#/surveys', class: 'button secondary' }, t('bBackToList'))));
}

function jsonSection(st) {
  const t = st.t;
  const area = h('textarea', {
    id: 'survey-json', class: 'code', rows: 20, spellcheck: 'false', autocapitalize: 'none',
    'aria-describedby': 'json-help json-status',
  });
  area.value = st.jsonText || JSON.stringify(toDefinition(st.def), null, 2);
  const status = h('div', { id: 'json-status', 'aria-live': 'polite' });
  const download = h('a', { class: 'button secondary', id: 'json-download', download: 'survey.json', href: '#' }, t('bJsonDownload'));
  download.addEventListener('click', () => {
    const blob = new Blob([`${JSON.stringify(toDefinition(st.def), null, 2)}\n`], { type: 'application/json' });
    download.href = URL.createObjectURL(blob);
    download.download = `${st.def.slug || 'survey'}.json`;
  });
  const details = h('details', {
    class: 'card json-view', id: 'json-view', open: st.jsonOpen,
    ontoggle: () => {
      st.jsonOpen = details.open;
      if (details.open) area.value = JSON.stringify(toDefinition(st.def), null, 2);
    },
  },
  h('summary', { id: 'json-toggle' }, t('bJsonTitle')),
  h('p', { id: 'json-help', class: 'help muted' }, t('bJsonHelp')),
  h('label', { for: 'survey-json' }, t('editorTitle')),
  area,
  status,
  h('p', { class: 'actions' },
    h('button', {
      type: 'button', id: 'json-import', class: 'secondary', onclick: () => {
        let parsed;
        try {
          parsed = JSON.parse(area.value);
        } catch (e) {
          area.setAttribute('aria-invalid', 'true');
          fill(status, h('div', { class: 'notice error', role: 'alert' },
            h('p', null, t('bJsonSyntax')), h('p', { class: 'muted' }, e.message)));
          return;
        }
        if (!isObj(parsed)) {
          area.setAttribute('aria-invalid', 'true');
          fill(status, h('div', { class: 'notice error', role: 'alert' }, h('p', null, t('bJsonNotObject'))));
          return;
        }
        st.def = normalise(parsed);
        st.jsonText = '';
        st.errors = [];
        st.flash = null;
        freshPreview(st);
        draw(st, 'json-import');
        const s2 = document.getElementById('json-status');
        if (s2) fill(s2, h('p', { class: 'notice ok', role: 'status' }, t('bJsonImported')));
      },
    }, t('bJsonImport')),
    download));
  return details;
}

function versionsSection(st) {
  const t = st.t;
  const { app } = st;
  const cur = st.info.current_version;
  return h('section', { class: 'card', id: 'b-versions', 'aria-labelledby': 'b-versions-h' },
    h('h2', { id: 'b-versions-h' }, t('bVersions')),
    h('p', { class: 'help muted' }, t('bVersionsHelp')),
    table([t('version'), t('title'), t('languages'), t('bQuestionCount'), t('actions')], st.versions.map((v) => h('tr', { dataset: { version: v.version } },
      h('th', { scope: 'row' }, v.version === cur ? t('bVersionCurrent', { v: v.version }) : String(v.version)),
      h('td', null, v.title ? pick(v.title, app.lang, v.languages || LANGS) : '–'),
      h('td', null, (v.languages || []).map((l) => LANG_NAMES[l] || l).join(', ')),
      h('td', null, Array.isArray(v.questions) ? String(v.questions.length) : '–'),
      h('td', null, v.title ? h('button', {
        type: 'button', class: 'secondary', onclick: () => {
          st.def = normalise(v);
          st.errors = [];
          st.flash = t('bVersionLoaded', { v: v.version });
          freshPreview(st);
          draw(st, 'save-survey');
        },
      }, t('bLoadVersion'), h('span', { class: 'visually-hidden' }, ` ${v.version}`)) : null))), 'versions-table'));
}

/* ------------------------------------------------------------ editing */

let previewTimer = 0;

// Every input writes its value into the definition through its bind();
// a structural one (type, languages) redraws the builder.
function edited(st, ev) {
  const el = ev.target;
  if (!el || typeof el.bind !== 'function') return;
  if (ev.type === 'change' && el.tagName === 'INPUT' && el.type !== 'checkbox' && el.type !== 'number') return;
  if (ev.type === 'input' && (el.tagName === 'SELECT' || el.type === 'checkbox')) return;
  el.bind();
  clearError(st, el);
  st.flash = null;
  if (el.dataset.structural) {
    st.errors = [];
    draw(st, el.id);
    return;
  }
  if (el.dataset.lang) refreshMissing(st);
  else if (el.dataset.required) refreshMissing(st);
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => drawPreview(st), 120);
}

// Texts not written in a language of the survey: marked where they are,
// and listed above the save button.
function refreshMissing(st) {
  const form = document.getElementById('survey-builder');
  if (!form) return [];
  const missing = [];
  for (const group of form.querySelectorAll('fieldset.bi18n')) {
    const inputs = [...group.querySelectorAll('[data-lang]')];
    const needed = group.dataset.i18n === 'required' || inputs.some((i) => !blank(i.value));
    for (const input of inputs) {
      const mark = document.getElementById(`${input.id}-missing`);
      const miss = needed && blank(input.value);
      input.classList.toggle('missing', miss);
      if (mark) mark.hidden = !miss;
      if (miss) {
        describe(input, [mark.id]);
        missing.push({ id: input.id, label: chainLabel(input) });
      } else if (mark) {
        undescribe(input, mark.id);
      }
    }
  }
  for (const input of form.querySelectorAll('[data-required]')) {
    if (blank(input.value)) missing.push({ id: input.id, label: chainLabel(input) });
  }
  // One line while editing; the list when a save is refused for it.
  const box = document.getElementById('missing-summary');
  if (box) {
    fill(box, missing.length ? h('p', { class: 'notice missing-line' },
      h('span', { class: 'summary-title' }, st.t('bMissingCount', { n: missing.length })), ' ',
      jumpLink(missing[0], st.t('bMissingFirst'))) : null);
  }
  return missing;
}

function jumpLink(m, text) {
  return h('a', {
    href: `#${m.id}`, onclick: (ev) => { ev.preventDefault(); document.getElementById(m.id)?.focus(); },
  }, text || m.label);
}

function missingList(st, missing) {
  return h('div', { class: 'notice error missing-list', role: 'alert' },
    h('p', { class: 'summary-title' }, st.t('bMissingBlock', { n: missing.length })),
    h('ul', null, missing.slice(0, 12).map((m) => h('li', null, jumpLink(m)))),
    missing.length > 12 ? h('p', null, st.t('bMissingMore', { n: missing.length - 12 })) : null);
}

// The preview at question i: a question just added or moved shows.
function previewAt(st, i) {
  Object.assign(st.preview, { qi: i, page: i, done: false, step: 'questions' });
}

// The preview from the start (another definition), as the same client.
function freshPreview(st) {
  const { mode, orientation, lang } = st.preview;
  st.preview = Object.assign(newPreviewState(lang), { mode, orientation });
}

function drawPreview(st) {
  if (!st.page) return;
  const t = st.t;
  const ps = st.preview;
  const def = toDefinition(st.def);
  const survey = previewSurvey(def);
  const redraw = () => drawPreview(st);
  const qs = survey.questions;
  if (!survey.languages.includes(ps.lang)) ps.lang = survey.languages[0];
  const pressed = (id, on, label, onclick, attrs = {}) => h('button', {
    type: 'button', class: 'secondary', id, 'aria-pressed': String(on), onclick, ...attrs,
  }, label);
  const at = ps.mode === 'kiosk' ? (ps.done ? -1 : ps.qi) : (ps.step === 'questions' ? ps.page : -1);
  fill(st.page.previewControls,
    h('div', { class: 'preview-modes', role: 'group', 'aria-label': t('bPreviewAs') },
      pressed('preview-kiosk', ps.mode === 'kiosk', t('bPreviewKiosk'), () => { ps.mode = 'kiosk'; redraw(); }),
      pressed('preview-form', ps.mode === 'form', t('bPreviewForm'), () => { ps.mode = 'form'; redraw(); })),
    ps.mode === 'kiosk' ? h('div', { class: 'preview-modes', role: 'group', 'aria-label': t('bPreviewOrientation') },
      pressed('preview-landscape', ps.orientation === 'landscape', t('bPreviewLandscape'), () => { ps.orientation = 'landscape'; redraw(); }),
      pressed('preview-portrait', ps.orientation === 'portrait', t('bPreviewPortrait'), () => { ps.orientation = 'portrait'; redraw(); }))
      : null,
    h('div', { class: 'preview-langs', role: 'group', 'aria-label': t('bPreviewLang') },
      survey.languages.map((l) => pressed(`preview-lang-${l}`, ps.lang === l, LANG_NAMES[l] || l,
        () => { ps.lang = l; redraw(); }, { lang: l, dir: dirOf(l) }))),
    qs.length > 1 ? h('div', { class: 'preview-jump' },
      h('label', { for: 'preview-q' }, t('bPreviewQuestion')),
      h('select', {
        id: 'preview-q', onchange: (ev) => {
          const i = Number(ev.target.value);
          if (i < 0) return;
          Object.assign(ps, { qi: i, done: false, step: 'questions', page: i });
          redraw();
        },
      }, at < 0 ? h('option', { value: -1, selected: true }, t(ps.mode === 'form' && ps.step === 'intro' ? 'bPreviewAtIntro' : 'bPreviewAtEnd')) : null,
      qs.map((q, i) => h('option', { value: i, selected: i === at }, `${i + 1}. ${pick(q.text, ps.lang, survey.languages) || q.id}`)))) : null,
    h('button', {
      type: 'button', class: 'link', id: 'preview-reset', onclick: () => {
        Object.assign(ps, newPreviewState(ps.lang), { mode: ps.mode, orientation: ps.orientation });
        redraw();
      },
    }, t('bPreviewReset')));
  const label = t(ps.mode === 'kiosk' ? 'bPreviewFrameKiosk' : 'bPreviewFrameForm', { lang: langName(st.app, ps.lang) });
  const box = st.page.previewBox;
  renderPreview(box, def, ps, redraw, label).catch(() => {
    // The client's page did not load: said here, tried again on the next edit.
    fill(box, h('p', { class: 'notice error' }, t('bPreviewFailed')));
  });
}

/* ------------------------------------------------------------ errors */

// What an input is, in words: the labels of the groups it is in, from the
// question down ("Kysymys 8 › Vaihtoehto 2 › Vaihtoehdon tunniste").
function chainLabel(el) {
  const parts = [];
  for (let w = el.closest('[data-path]'); w; w = w.parentElement && w.parentElement.closest('[data-path]'))
    if (w.dataset.label && !parts.includes(w.dataset.label)) parts.unshift(w.dataset.label);
  return parts.join(' › ');
}

function clearError(st, el) {
  // A refusal of this input or of a group it is in goes once it is edited.
  for (let w = el.closest('[data-path]'); w; w = w.parentElement && w.parentElement.closest('[data-path]')) {
    const path = w.dataset.path;
    const before = st.errors.length;
    st.errors = st.errors.filter((e) => e.target !== path);
    if (st.errors.length === before) continue;
    const id = `err-${domId(path)}`;
    document.getElementById(id)?.remove();
    w.classList.remove('has-error');
    for (const c of w.querySelectorAll('[aria-invalid]')) {
      c.removeAttribute('aria-invalid');
      undescribe(c, id);
    }
  }
}

// Each refusal beside the input it names: the nearest wrapper whose path
// is the field or one of its parents.
function showErrors(st) {
  const form = document.getElementById('survey-builder');
  if (!form) return;
  for (const e of st.errors) {
    let wrapper = null;
    for (const p of pathAncestors(e.field)) {
      wrapper = form.querySelector(`[data-path="${CSS.escape(p)}"]`);
      if (wrapper) break;
    }
    e.target = wrapper ? wrapper.dataset.path : '';
    e.label = wrapper ? chainLabel(wrapper) : '';
    e.message = refusalMessage(st.t, e, st.sent || toDefinition(st.def), (l) => langName(st.app, l));
    if (!wrapper) continue;
    const id = `err-${domId(e.target)}`;
    const slot = wrapper.querySelector(':scope > .err-slot');
    fill(slot, h('p', {
      class: 'field-error error-text', id, dataset: { field: e.field, code: e.code },
    }, e.message));
    wrapper.classList.add('has-error');
    const control = wrapper.querySelector(':scope > input, :scope > select, :scope > textarea, :scope > label > input')
      || wrapper.querySelector('input, select, textarea');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      describe(control, [id]);
      e.controlId = control.id;
    }
  }
}

// The refusal above the save button too, with a link to its input and,
// for admins who want it, what the server said.
function statusBox(st, e) {
  const t = st.t;
  const where = e.label ? [h('a', {
    href: `#${e.controlId || ''}`, onclick: (ev) => { ev.preventDefault(); document.getElementById(e.controlId)?.focus(); },
  }, e.label), ': '] : null;
  return h('div', { class: 'notice error', role: 'alert' },
    h('p', { class: 'summary-title' }, t('bRefused')),
    h('p', { class: 'error-field', dataset: { field: e.field || '' } }, where, e.message),
    e.server ? h('details', { class: 'server-detail' },
      h('summary', null, t('bServerDetail')),
      h('p', null, h('code', null, [e.code, e.field].filter(Boolean).join(' · ')), ' ', h('span', { lang: 'en' }, e.server))) : null);
}

/* ------------------------------------------------------------ saving */

async function save(st) {
  const { app } = st;
  const t = st.t;
  const status = document.getElementById('editor-status');
  st.errors = [];
  for (const el of document.querySelectorAll('#survey-builder .has-error')) el.classList.remove('has-error');
  for (const el of document.querySelectorAll('#survey-builder .field-error')) el.remove();
  const missing = refreshMissing(st);
  if (missing.length) {
    fill(status, missingList(st, missing));
    document.getElementById(missing[0].id)?.focus();
    return;
  }
  if (st.id && !changed(st)) {
    fill(status, h('p', { class: 'notice', role: 'status' }, t('bNothingChanged')));
    return;
  }
  const body = toDefinition(st.def);
  st.sent = body;
  const btn = document.getElementById('save-survey');
  btn.disabled = true;
  fill(status, h('p', { class: 'muted', role: 'status' }, t('bSaving')));
  try {
    const res = await app.call(st.id ? `/api/v1/surveys/${st.id}` : '/api/v1/surveys', { method: st.id ? 'PUT' : 'POST', body });
    const before = st.info ? st.info.current_version : 0;
    const wasNew = !st.id;
    st.id = res.data.id;
    st.info = res.data;
    st.def = normalise(res.data);
    st.base = stable(toDefinition(st.def));
    st.template = '';
    forgetDefinitions();
    await app.refreshShared();
    await loadVersions(st);
    if (wasNew) {
      history.replaceState(null, '', `#/surveys/${st.id}`);
      st.key = `${st.id}?`;
      st.flash = t('bCreated', { v: res.data.version });
    } else if (res.data.version > before) {
      st.flash = t('bSavedNewVersion', { v: res.data.version, old: before });
    } else {
      st.flash = t('saved', { v: res.data.version });
    }
    draw(st);
    const note = document.querySelector('#editor-status .notice');
    if (note) {
      note.setAttribute('tabindex', '-1');
      note.focus();
    }
  } catch (err) {
    btn.disabled = false;
    if (err instanceof ApiError && err.status !== 401 && err.status !== 403) {
      const e = { field: err.field || '', code: err.code, server: err.message };
      st.errors = [e];
      showErrors(st);
      fill(status, statusBox(st, e));
      if (e.controlId) document.getElementById(e.controlId)?.focus();
    } else {
      fill(status, h('div', { class: 'notice error', role: 'alert' }, h('p', null, app.errorText(err))));
    }
  }
}
