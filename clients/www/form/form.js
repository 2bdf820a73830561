// form.js — the web form of a link or invitation collector, /f/<slug>:
// the privacy notice first, then the questions, checked here and by the
// server, whose errors are put next to the question they are about, in
// the survey's language. On a wide screen every question is on one page;
// on a phone one question per screen, with its place in the survey and
// Back and Next. An invitation's personal link carries its code in the
// URL's fragment (#code=...), which the browser never sends: the form
// fills it in and takes it out of the address bar. A typed code is
// checked by its check symbol as it is typed (codes.js), before any
// request; whether it is unused the server tells only by using it.

import { api, ApiError, NetworkError, newId } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import { face } from '/assets/faces.js';
import {
  dirOf, faceWord, isPlain, langName, loadLangs, onVoicesChanged, pickText as pick, speak, stopSpeaking,
  SURVEY_LANGS, translate as tr, voiceFor,
} from '/assets/lang.js';
import { privacyNotice } from '/assets/privacy.js';
import { judge } from './codes.js';

// One question per screen below this width (a phone), the whole form
// above it.
const PAGED = window.matchMedia('(max-width: 600px)');

const st = {
  slug: '',
  data: null, // the public view: {survey, privacy, unit, invitation_required}
  lang: 'fi',
  step: 'loading', // loading | intro | questions | done | error
  answers: {},
  invitation: '',
  typing: false, // the code's message was drawn as it was typed
  errors: {}, // field -> message
  formError: '',
  sending: false,
  responseId: newId(),
  loadError: '',
  page: 0, // the screen shown on a phone: an index into steps()
};

const $ = (id) => document.getElementById(id);
const t = (key, vars) => tr(st.lang)(key, vars);

function survey() {
  return st.data.survey;
}

function langs() {
  const ls = st.data ? survey().languages || ['fi'] : ['fi', 'sv', 'en'];
  return ls.filter((l) => SURVEY_LANGS.includes(l));
}

function txt(v) {
  return pick(v, st.lang, langs());
}

/* ------------------------------------------------------------ render */

async function setLang(l) {
  await loadLangs([l]).catch(() => {});
  st.lang = l;
  stopSpeaking();
  // Messages already shown follow the language too. A typing error in
  // the code, flagged as it was typed, is said again alone: it does not
  // bring out the messages of questions not yet answered.
  if (st.typing && !st.formError && Object.keys(st.errors).every((f) => f === 'invitation')) showInvitationMessage(false);
  else if (Object.keys(st.errors).length) validate();
  render();
}

function render(focusId) {
  document.documentElement.lang = st.lang;
  document.documentElement.dir = dirOf(st.lang);
  // Plain language comes in larger type.
  document.body.classList.toggle('plain', isPlain(st.lang));
  const ls = langs();
  fill($('langs'), ls.length > 1 ? ls.map((l) => h('button', {
    type: 'button', lang: l, dir: dirOf(l), 'aria-pressed': String(l === st.lang),
    class: `secondary${isPlain(l) ? ' plain-choice' : ''}`,
    onclick: () => setLang(l),
  }, langName(l))) : null);
  $('langs').setAttribute('aria-label', t('language'));
  const main = $('main');
  main.dataset.step = st.step;
  switch (st.step) {
    case 'loading':
      fill(main, h('p', null, t('loading')));
      break;
    case 'error':
      fill(main, h('div', { class: 'notice error', role: 'alert' }, h('h1', null, st.loadError)),
        st.loadRetry ? h('p', null, h('button', { type: 'button', onclick: load }, t('retry'))) : null);
      break;
    case 'intro':
      fill(main, introView());
      break;
    case 'questions':
      fill(main, formView());
      break;
    case 'done':
      fill(main, h('section', { class: 'done notice ok' },
        h('h1', { id: 'done-title', tabindex: '-1' }, t('thanksTitle')),
        h('p', null, t('thanksText'))));
      focusId = 'done-title';
      break;
    default:
      break;
  }
  document.title = st.data ? t('pageTitle', { title: txt(survey().title) }) : t('appName');
  if (focusId) {
    const el = document.getElementById(focusId);
    if (el) el.focus();
  }
}

function introView() {
  const s = survey();
  return h('section', { class: 'intro' },
    h('h1', { id: 'intro-title', tabindex: '-1' }, txt(s.title)),
    st.data.unit && st.data.unit.name ? h('p', { class: 'unit' }, `${t('unit')}: ${txt(st.data.unit.name)}`) : null,
    s.description ? h('p', { class: 'lead' }, txt(s.description)) : null,
    privacyNotice({ ...s, privacy: st.data.privacy }, st.lang, 'h2'),
    h('p', { class: 'actions' }, h('button', {
      type: 'button', id: 'start', onclick: () => {
        st.step = 'questions';
        st.page = 0;
        render('form-title');
        window.scrollTo(0, 0);
      },
    }, t('start'))));
}

function formView() {
  const s = survey();
  // A typing error in the code is said beside it; the summary is for
  // what a try to send found.
  const errs = Object.entries(st.errors).filter(([f]) => !(st.typing && f === 'invitation'));
  const summary = errs.length || st.formError ? h('div', {
    class: 'notice error summary', id: 'error-summary', tabindex: '-1', role: 'alert',
  },
  st.formError ? h('p', { id: 'form-error' }, st.formError) : null,
  errs.length ? [h('p', { class: 'summary-title' }, t('errorsTitle')),
    h('ul', null, errs.map(([field, msg]) => h('li', null, h('a', { href: `#${fieldAnchor(field)}` }, `${labelOf(field)}: ${msg}`))))] : null)
    : null;
  const toIntro = h('button', {
    type: 'button', class: 'link', onclick: () => { st.step = 'intro'; render('intro-title'); },
  }, t('backToPrivacy'));
  const send = h('button', { type: 'submit', id: 'submit', disabled: st.sending }, st.sending ? t('sending') : t('submit'));
  let form;
  if (PAGED.matches) {
    const all = steps();
    st.page = Math.max(0, Math.min(st.page, all.length - 1));
    const last = st.page === all.length - 1;
    const qi = all[st.page] === 'invitation' ? -1 : s.questions.findIndex((q) => q.id === all[st.page]);
    form = h('form', { novalidate: true, onsubmit: submit, class: 'paged' },
      h('div', { class: 'step-head' },
        h('p', { id: 'step-progress', class: 'step-progress', tabindex: '-1' },
          t('question', { i: st.page + 1, n: all.length })),
        stepBar((st.page + 1) / all.length)),
      qi < 0 ? invitationField() : questionField(s.questions[qi], qi),
      h('p', { class: 'actions step-nav' },
        st.page > 0 ? h('button', { type: 'button', class: 'secondary', id: 'prev', onclick: () => goPage(st.page - 1) }, t('back'))
          : toIntro,
        h('span', { class: 'spacer' }),
        last ? send : h('button', { type: 'button', id: 'next', onclick: nextPage }, t('next'))));
  } else {
    form = h('form', { novalidate: true, onsubmit: submit },
      st.data.invitation_required ? invitationField() : null,
      s.questions.map((q, i) => questionField(q, i)),
      h('p', { class: 'actions' }, send, toIntro));
  }
  return h('section', { class: 'questions' },
    h('h1', { id: 'form-title', tabindex: '-1' }, txt(s.title)),
    summary,
    form);
}

// How far along the survey a phone's screen is, drawn (the text above
// says it in words).
function stepBar(share) {
  const done = h('span');
  done.style.width = `${Math.round(share * 100)}%`;
  return h('div', { class: 'step-bar', 'aria-hidden': 'true' }, done);
}

// The screens of a phone: the invitation code first when the link needs
// one, then a screen per question.
function steps() {
  return [...(st.data.invitation_required ? ['invitation'] : []), ...survey().questions.map((q) => q.id)];
}

function goPage(i) {
  st.page = i;
  st.formError = '';
  render('step-progress');
  window.scrollTo(0, 0);
}

// Next: the question on this screen is checked first, its message shown
// beside it; Next goes on only when it is answered as it must be.
function nextPage() {
  const id = steps()[st.page];
  const msg = id === 'invitation' ? invitationMessage(true)
    : checkQuestion(survey().questions.find((q) => q.id === id));
  if (msg) {
    st.errors = { [id]: msg };
    st.typing = false;
    render(fieldAnchor(id));
    return;
  }
  delete st.errors[id];
  goPage(st.page + 1);
}

function fieldAnchor(field) {
  if (field === 'invitation') return 'invitation';
  const q = survey().questions.find((x) => x.id === field);
  return q ? `q-${q.id}-first` : 'form-title';
}

function labelOf(field) {
  if (field === 'invitation') return t('invitation');
  const qs = survey().questions;
  const i = qs.findIndex((x) => x.id === field);
  return i >= 0 ? `${i + 1}. ${txt(qs[i].text)}` : field;
}

function errorNode(field, attrs) {
  const msg = st.errors[field];
  return h('p', { class: 'field-error', id: `err-${field}`, hidden: !msg, ...attrs }, msg ? h('span', { class: 'error-text' }, msg) : null);
}

// What is wrong with the code typed so far, or ''. While typing (final
// false) a code not yet whole is fine; a character no code has, one
// symbol too many, or a whole code whose check fails are flagged at once.
function invitationMessage(final) {
  const j = judge(st.invitation, !!st.data.invitation_check);
  switch (j.state) {
    case 'empty':
      return final ? t('errInvitationMissing') : '';
    case 'partial':
      return final ? t('errInvitationLength', { n: j.n }) : '';
    case 'char':
      return t('errInvitationChar', { char: j.char });
    case 'length':
      return t('errInvitationLength', { n: j.n });
    case 'typo':
      return t('errInvitationTypo');
    default:
      return '';
  }
}

// The code's message as it is typed, drawn in place: the input keeps its
// focus and the caret.
function showInvitationMessage(final) {
  const msg = invitationMessage(final);
  st.typing = true;
  if (msg) st.errors.invitation = msg;
  else delete st.errors.invitation;
  const input = document.getElementById('invitation');
  const node = document.getElementById('err-invitation');
  if (!input || !node) return;
  fill(node, msg ? h('span', { class: 'error-text' }, msg) : null).hidden = !msg;
  node.closest('.field').classList.toggle('has-error', !!msg);
  if (msg) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  input.setAttribute('aria-describedby', `invitation-help${msg ? ' err-invitation' : ''}`);
}

function invitationField() {
  const err = st.errors.invitation;
  return h('div', { class: `field invitation${err ? ' has-error' : ''}` },
    h('label', { for: 'invitation' }, t('invitation')),
    h('p', { id: 'invitation-help', class: 'help' }, t('invitationHelp')),
    // Said when it changes, so a screen reader hears of a typing error.
    errorNode('invitation', { 'aria-live': 'polite' }),
    h('input', {
      id: 'invitation', name: 'invitation', autocomplete: 'off', autocapitalize: 'characters',
      spellcheck: 'false', value: st.invitation, required: true, 'aria-required': 'true',
      'aria-invalid': err ? 'true' : null,
      'aria-describedby': `invitation-help${err ? ' err-invitation' : ''}`,
      oninput: (ev) => {
        st.invitation = ev.target.value;
        showInvitationMessage(false);
      },
    }));
}

// Read aloud: shown only when the device has a voice for the language.
function readAloud(q) {
  const parts = [txt(q.text)];
  if (q.type === 'smiley') {
    const n = q.faces === 4 ? 4 : 5;
    for (let v = 1; v <= n; v++) parts.push(faceWord(n, v, st.lang));
  } else if (q.type === 'choice' || q.type === 'multi') {
    for (const o of q.options) parts.push(txt(o.text));
  } else if (q.type === 'yesno') {
    parts.push(t('yes'), t('no'));
  } else if (q.type === 'nps') {
    parts.push(`0 – ${t('npsLow')}`, `10 – ${t('npsHigh')}`);
  }
  return h('button', {
    type: 'button', class: 'link read-aloud', hidden: !voiceFor(st.lang),
    onclick: () => speak(parts.join('. '), st.lang),
  }, h('span', { 'aria-hidden': 'true' }, '🔊 '), t('readAloud'));
}

function questionField(q, index) {
  const err = st.errors[q.id];
  const legendId = `q-${q.id}-legend`;
  const describedBy = [err ? `err-${q.id}` : null, q.type === 'multi' || q.type === 'text' ? `q-${q.id}-help` : null]
    .filter(Boolean).join(' ') || null;
  const legend = h('legend', { id: legendId },
    h('span', { class: 'q-num' }, `${index + 1}. `), txt(q.text),
    h('span', { class: 'q-req' }, ` (${q.required ? t('required') : t('optional')})`));
  const body = answerInputs(q, describedBy);
  if (q.type === 'text') {
    return h('div', { class: `field q type-text${err ? ' has-error' : ''}`, dataset: { question: q.id } },
      h('label', { id: legendId, for: `q-${q.id}-first`, class: 'q-label' },
        h('span', { class: 'q-num' }, `${index + 1}. `), txt(q.text),
        h('span', { class: 'q-req' }, ` (${q.required ? t('required') : t('optional')})`)),
      readAloud(q), errorNode(q.id), body);
  }
  return h('fieldset', {
    class: `field q type-${q.type}${err ? ' has-error' : ''}`, dataset: { question: q.id },
    'aria-describedby': describedBy,
  }, legend, readAloud(q), errorNode(q.id), body);
}

function set(q, v) {
  if (v === undefined) delete st.answers[q.id];
  else st.answers[q.id] = v;
  if (st.errors[q.id]) {
    // The person is fixing it: the message goes when the fix is valid.
    const msg = checkQuestion(q);
    if (!msg) {
      delete st.errors[q.id];
      const el = document.getElementById(`err-${q.id}`);
      if (el) {
        fill(el).hidden = true;
        el.closest('.field').classList.remove('has-error');
      }
    }
  }
}

function radios(q, values, labelFn, cls) {
  const name = `q-${q.id}`;
  return h('div', { class: `options ${cls}` }, values.map((v, i) => h('label', { class: 'opt' },
    h('input', {
      type: 'radio', name, value: String(v), id: i === 0 ? `q-${q.id}-first` : null,
      checked: st.answers[q.id] === v, required: q.required ? true : null,
      onchange: () => set(q, v),
    }),
    h('span', { class: 'opt-box' }, labelFn(v)))));
}

function answerInputs(q, describedBy) {
  switch (q.type) {
    case 'smiley': {
      const n = q.faces === 4 ? 4 : 5;
      const vals = Array.from({ length: n }, (_, i) => i + 1);
      return radios(q, vals, (v) => [face(n, v), h('span', { class: 'face-label' }, faceWord(n, v, st.lang))], `faces faces-${n}`);
    }
    case 'scale':
    case 'nps': {
      const min = q.type === 'nps' ? 0 : q.min;
      const max = q.type === 'nps' ? 10 : q.max;
      const lo = q.type === 'nps' ? t('npsLow') : txt(q.labels && q.labels.min);
      const hi = q.type === 'nps' ? t('npsHigh') : txt(q.labels && q.labels.max);
      const vals = [];
      for (let v = min; v <= max; v++) vals.push(v);
      return h('div', { class: 'scale-wrap' },
        radios(q, vals, (v) => [String(v),
          v === min && lo ? h('span', { class: 'visually-hidden' }, ` – ${lo}`) : null,
          v === max && hi ? h('span', { class: 'visually-hidden' }, ` – ${hi}`) : null], `scale scale-${vals.length}`),
        lo || hi ? h('div', { class: 'scale-labels', 'aria-hidden': 'true' },
          h('span', null, `${min} = ${lo}`), h('span', null, `${max} = ${hi}`)) : null);
    }
    case 'choice':
      return radios(q, q.options.map((o) => o.id), (id) => txt(q.options.find((o) => o.id === id).text), 'choices');
    case 'yesno':
      return radios(q, [true, false], (v) => (v ? t('yes') : t('no')), 'yesno');
    case 'multi': {
      // The limit holds while ticking: at the limit the other boxes are
      // disabled, and a count says how many are chosen of how many.
      const max = q.max_choices || q.options.length;
      const limited = max < q.options.length;
      const cur = new Set(Array.isArray(st.answers[q.id]) ? st.answers[q.id] : []);
      const count = limited ? h('span', { class: 'chosen', 'aria-live': 'polite' }) : null;
      const boxes = q.options.map((o, i) => h('input', {
        type: 'checkbox', name: `q-${q.id}`, value: o.id, id: i === 0 ? `q-${q.id}-first` : null,
        checked: cur.has(o.id),
        onchange: (ev) => {
          if (ev.target.checked && cur.size >= max) ev.target.checked = false;
          else if (ev.target.checked) cur.add(o.id);
          else cur.delete(o.id);
          sync();
          set(q, cur.size ? q.options.map((x) => x.id).filter((x) => cur.has(x)) : undefined);
        },
      }));
      const sync = () => {
        for (const b of boxes) b.disabled = !b.checked && cur.size >= max;
        if (count) count.textContent = t('chosen', { n: cur.size, max });
      };
      sync();
      return h('div', null,
        h('p', { class: 'help', id: `q-${q.id}-help` }, limited ? t('chooseUpTo', { n: max }) : t('chooseAny'), ' ', count),
        h('div', { class: 'options choices multi' }, q.options.map((o, i) => h('label', { class: 'opt' },
          boxes[i],
          h('span', { class: 'opt-box' }, txt(o.text))))));
    }
    case 'text': {
      const max = q.max_length || 1000;
      const cur = typeof st.answers[q.id] === 'string' ? st.answers[q.id] : '';
      const counter = h('span', { 'aria-live': 'polite' }, t('charsLeft', { n: max - [...cur].length }));
      return h('div', null,
        h('p', { class: 'help', id: `q-${q.id}-help` }, t('noPersonal'), ' ', counter),
        h('textarea', {
          id: `q-${q.id}-first`, name: `q-${q.id}`, rows: 5, maxlength: max,
          'aria-describedby': describedBy, 'aria-invalid': st.errors[q.id] ? 'true' : null,
          required: q.required ? true : null, value: cur,
          oninput: (ev) => {
            counter.textContent = t('charsLeft', { n: max - [...ev.target.value].length });
            set(q, ev.target.value === '' ? undefined : ev.target.value);
          },
        }));
    }
    default:
      return h('p', null, '?');
  }
}

/* ------------------------------------------------------------ checks */

function answered(q) {
  const v = st.answers[q.id];
  if (v === undefined || v === null) return false;
  if (q.type === 'text') return typeof v === 'string' && v.trim() !== '';
  if (q.type === 'multi') return Array.isArray(v) && v.length > 0;
  return true;
}

function checkQuestion(q) {
  const v = st.answers[q.id];
  if (!answered(q)) return q.required ? t('errRequired') : '';
  if (q.type === 'multi' && q.max_choices && v.length > q.max_choices) return t('errMulti', { n: q.max_choices });
  if (q.type === 'text' && [...v].length > (q.max_length || 1000)) return t('errLong', { n: q.max_length || 1000 });
  return '';
}

function validate() {
  st.errors = {};
  st.formError = '';
  st.typing = false;
  if (st.data.invitation_required) {
    const msg = invitationMessage(true);
    if (msg) st.errors.invitation = msg;
  }
  for (const q of survey().questions) {
    const msg = checkQuestion(q);
    if (msg) st.errors[q.id] = msg;
  }
  if (Object.keys(st.errors).length === 0 && !survey().questions.some(answered)) st.formError = t('errNothing');
  return Object.keys(st.errors).length === 0 && !st.formError;
}

// The message for a server error about one question, in the survey's
// language: the server names the question, we say what is wrong with it.
function serverQuestionMessage(q) {
  return checkQuestion(q) || t('errCheck');
}

/* ------------------------------------------------------------ submit */

function contact() {
  // Without its closing full stop: the message puts its own.
  return pick(st.data.privacy && st.data.privacy.contact, st.lang, langs()).replace(/[.\s]+$/, '');
}

async function submit(ev) {
  ev.preventDefault();
  if (st.sending) return;
  if (!validate()) {
    if (PAGED.matches) {
      const first = steps().findIndex((id) => st.errors[id]);
      if (first >= 0) {
        st.page = first;
        render(fieldAnchor(steps()[first]));
        return;
      }
    }
    render('error-summary');
    return;
  }
  const answers = {};
  for (const q of survey().questions) if (answered(q)) answers[q.id] = st.answers[q.id];
  const body = { id: st.responseId, lang: st.lang, answers, version: survey().version };
  if (st.data.invitation_required) body.invitation = st.invitation.trim();
  st.sending = true;
  render();
  try {
    await api(`/api/v1/forms/${encodeURIComponent(st.slug)}/responses`, { body });
    st.sending = false;
    st.step = 'done';
    st.answers = {};
    st.invitation = '';
    render();
    return;
  } catch (err) {
    st.sending = false;
    showSubmitError(err);
  }
  // On a phone, the screen of the question the server named.
  const named = PAGED.matches ? steps().findIndex((id) => st.errors[id]) : -1;
  if (named >= 0) {
    st.page = named;
    render(fieldAnchor(steps()[named]));
    return;
  }
  render('error-summary');
}

function showSubmitError(err) {
  st.errors = {};
  st.formError = '';
  st.typing = false;
  if (err instanceof NetworkError) {
    st.formError = t('errNetwork');
    return;
  }
  const field = (err.field || '').replace(/^answers\./, '');
  const q = survey().questions.find((x) => x.id === field);
  switch (err.status) {
    case 409:
      if (field === 'invitation' || err.code === 'already_used') st.errors.invitation = t('errInvitationUsed', { contact: contact() });
      else st.formError = t('errServer');
      break;
    case 410:
      st.formError = t('errGone');
      break;
    case 404:
      st.formError = t('errNotFound');
      break;
    case 429:
      st.formError = t('errBusy', { n: err.retryAfter || 30 });
      break;
    case 413:
      st.formError = t('errTooLarge');
      break;
    case 400:
    case 422:
      if (q) st.errors[q.id] = serverQuestionMessage(q);
      else if (field === 'invitation') st.errors.invitation = t('errInvitationBad');
      else if (field === 'answers') st.formError = t('errNothing');
      else st.formError = t('errServer');
      break;
    default:
      st.formError = t('errServer');
  }
  // A refused submission was not stored: the next try may reuse the id,
  // but a new one keeps a 409 from sticking to a fixed retry.
  if (err.status === 409 || err.status === 422) st.responseId = newId();
}

/* ------------------------------------------------------------ load */

async function load() {
  st.step = 'loading';
  render();
  try {
    const res = await api(`/api/v1/forms/${encodeURIComponent(st.slug)}`);
    st.data = res.data;
    if (!langs().includes(st.lang)) st.lang = langs()[0] || 'fi';
    await loadLangs(langs());
    st.step = 'intro';
    render();
  } catch (err) {
    st.step = 'error';
    st.loadRetry = !(err instanceof ApiError && (err.status === 404 || err.status === 410));
    st.loadError = err instanceof ApiError && err.status === 404 ? t('errNotFound')
      : err instanceof ApiError && err.status === 410 ? t('errGone') : t('errLoad');
    render();
  }
}

async function init() {
  const m = location.pathname.match(/^\/f\/([^/]+)/);
  st.slug = m ? decodeURIComponent(m[1]) : '';
  const params = new URLSearchParams(location.search);
  const nav = (navigator.language || 'fi').slice(0, 2);
  st.lang = params.get('lang') || (['fi', 'sv', 'en'].includes(nav) ? nav : 'fi');
  if (!SURVEY_LANGS.includes(st.lang)) st.lang = 'fi';
  await loadLangs([st.lang]).catch(() => {});
  // Voices fill in late; a voice added or gone shows or hides the buttons.
  onVoicesChanged(() => {
    for (const b of document.querySelectorAll('.read-aloud')) b.hidden = !voiceFor(st.lang);
  });
  // Crossing from a phone's width to a wide one changes the layout.
  PAGED.addEventListener('change', () => { if (st.step === 'questions') render(); });
  codeFromFragment();
  // A personal link opened in a tab that already shows this form only
  // changes the fragment: no new page load.
  window.addEventListener('hashchange', () => {
    if (codeFromFragment() && st.step === 'questions') render();
  });
  load();
}

// A personal invitation link carries its code in the fragment, which the
// browser never sends to a server (in the query, any proxy's log would
// tie the code to the moment it was opened). It leaves the address bar
// at once, so that it stays neither on the screen nor in the history for
// the next person at a shared computer. Whether there was a code.
function codeFromFragment() {
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  if (!code) return false;
  st.invitation = code;
  delete st.errors.invitation;
  return true;
}

init();
