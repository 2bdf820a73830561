// screens.js — what the web form draws: its bar (the language buttons),
// the privacy notice, the questions (one per screen with its place in the
// survey and Back and Next on a phone, all of them on a wide screen), the
// invitation code's field where the link needs one, the messages beside
// the questions and above them, and the thank-you screen; and the checks
// a screen makes before anything is sent. form.js owns the rest: loading
// the form, the code of a personal link, sending, the server's errors.
// The dashboard's survey builder draws its preview with the same
// functions, into a frame of its own, so that what an admin previews is
// what a phone shows. Nothing here keeps state of its own, makes a
// request or looks a node up in the global document: the page drawn may
// be another one.
//
// The functions below take the form as drawn, f (answered() only its
// visit):
//   doc          the page: form/index.html, or a frame made of it
//   data         the form's public view as the server gives it: {survey,
//                privacy, unit, invitation_required, invitation_check};
//                null while it loads
//   v            the visit (newVisit()), kept by the caller and changed
//                here as the person moves on; other members of the
//                caller's are left alone
//   paged        one question per screen (a phone), or the whole form
//   framed       drawn in a frame inside another page: the focus moves
//                without scrolling that page
//   draw(focusId)  draw the form again, the focus on the node focusId
//   send()       the answers passed the checks: send them
//   setLang(tag) a language button was pressed
//   retry        what the error screen's button does, or null for none

import { h, fill } from '/assets/dom.js';
import { face } from '/assets/faces.js';
import {
  dirOf, faceWord, isPlain, langName, pickText as pick, speak, SURVEY_LANGS, translate, voiceFor,
} from '/assets/lang.js';
import { privacyNotice } from '/assets/privacy.js';
import { judge } from './codes.js';

// A visit from its start: its language, the screen (loading | error |
// intro | questions | done) and on a phone the page, an index into
// steps(); the answers by question id, the messages by field and the
// form's own (formError), whether the code's message was drawn as it was
// typed, the code, whether the answers are on their way; loadError, the
// error screen's message.
export function newVisit(lang) {
  return {
    lang, step: 'intro', page: 0, answers: {}, errors: {}, formError: '',
    typing: false, invitation: '', sending: false, loadError: '',
  };
}

// The languages of the form: the survey's, or before it is loaded the
// three the pages are written in.
export function formLangs(data) {
  const ls = data ? data.survey.languages || ['fi'] : ['fi', 'sv', 'en'];
  return ls.filter((l) => SURVEY_LANGS.includes(l));
}

const tr = (f) => translate(f.v.lang);
const txtOf = (f) => (x) => pick(x, f.v.lang, formLangs(f.data));

/* ------------------------------------------------------------ render */

// Draw the page of f at its visit's screen, the focus on focusId.
export function drawForm(f, focusId) {
  const { doc, v } = f;
  const t = tr(f);
  doc.documentElement.lang = v.lang;
  doc.documentElement.dir = dirOf(v.lang);
  // Plain language comes in larger type.
  doc.body.classList.toggle('plain', isPlain(v.lang));
  const ls = formLangs(f.data);
  const langs = doc.getElementById('langs');
  fill(langs, ls.length > 1 ? ls.map((l) => h('button', {
    type: 'button', lang: l, dir: dirOf(l), 'aria-pressed': String(l === v.lang),
    class: `secondary${isPlain(l) ? ' plain-choice' : ''}`,
    onclick: () => f.setLang(l),
  }, langName(l))) : null);
  langs.setAttribute('aria-label', t('language'));
  const main = doc.getElementById('main');
  main.dataset.step = v.step;
  switch (v.step) {
    case 'loading':
      fill(main, h('p', null, t('loading')));
      break;
    case 'error':
      fill(main, h('div', { class: 'notice error', role: 'alert' }, h('h1', null, v.loadError)),
        f.retry ? h('p', null, h('button', { type: 'button', onclick: f.retry }, t('retry'))) : null);
      break;
    case 'intro':
      fill(main, introView(f));
      break;
    case 'questions':
      fill(main, formView(f));
      break;
    case 'done':
      fill(main, h('section', { class: 'done notice ok' },
        h('h1', { id: 'done-title', tabindex: '-1' }, t('thanksTitle')),
        h('p', null, t('thanksText'))));
      break;
    default:
      break;
  }
  doc.title = f.data ? t('pageTitle', { title: txtOf(f)(f.data.survey.title) }) : t('appName');
  if (focusId) {
    const el = doc.getElementById(focusId);
    if (el) el.focus(f.framed ? { preventScroll: true } : undefined);
  }
}

// Messages already shown follow a new language (v.lang) too. A typing
// error in the code, flagged as it was typed, is said again alone: it
// does not bring out the messages of questions not yet answered.
export function followLang(f) {
  const { v } = f;
  if (v.typing && !v.formError && Object.keys(v.errors).every((x) => x === 'invitation')) showInvitationMessage(f, false);
  else if (Object.keys(v.errors).length) validate(f);
}

// Draw the form with the focus on what is wrong: on a phone the screen of
// the first field with a message, else the summary.
export function showErrors(f) {
  const { v } = f;
  if (f.paged) {
    const all = steps(f);
    const first = all.findIndex((id) => v.errors[id]);
    if (first >= 0) {
      v.page = first;
      f.draw(fieldAnchor(f, all[first]));
      return;
    }
  }
  f.draw('error-summary');
}

// Move on with the focus on focusId, at the top of the new screen.
function moveTo(f, focusId) {
  f.draw(focusId);
  f.doc.defaultView.scrollTo(0, 0);
}

function introView(f) {
  const { data, v } = f;
  const t = tr(f);
  const txt = txtOf(f);
  const s = data.survey;
  return h('section', { class: 'intro' },
    h('h1', { id: 'intro-title', tabindex: '-1' }, txt(s.title)),
    data.unit && data.unit.name ? h('p', { class: 'unit' }, `${t('unit')}: ${txt(data.unit.name)}`) : null,
    s.description ? h('p', { class: 'lead' }, txt(s.description)) : null,
    privacyNotice({ ...s, privacy: data.privacy }, v.lang, 'h2'),
    h('p', { class: 'actions' }, h('button', {
      // A survey being built may have no question yet.
      type: 'button', id: 'start', disabled: !s.questions.length, onclick: () => {
        v.step = 'questions';
        v.page = 0;
        moveTo(f, 'form-title');
      },
    }, t('start'))));
}

function formView(f) {
  const { v } = f;
  const t = tr(f);
  const s = f.data.survey;
  // A typing error in the code is said beside it; the summary is for
  // what a try to send found.
  const errs = Object.entries(v.errors).filter(([x]) => !(v.typing && x === 'invitation'));
  const summary = errs.length || v.formError ? h('div', {
    class: 'notice error summary', id: 'error-summary', tabindex: '-1', role: 'alert',
  },
  v.formError ? h('p', { id: 'form-error' }, v.formError) : null,
  errs.length ? [h('p', { class: 'summary-title' }, t('errorsTitle')),
    h('ul', null, errs.map(([field, msg]) => h('li', null, h('a', { href: `#${fieldAnchor(f, field)}` }, `${labelOf(f, field)}: ${msg}`))))] : null)
    : null;
  const toIntro = h('button', {
    type: 'button', class: 'link', onclick: () => { v.step = 'intro'; f.draw('intro-title'); },
  }, t('backToPrivacy'));
  const send = h('button', { type: 'submit', id: 'submit', disabled: v.sending }, v.sending ? t('sending') : t('submit'));
  const onsubmit = (ev) => submit(f, ev);
  let form;
  if (f.paged) {
    const all = steps(f);
    v.page = Math.max(0, Math.min(v.page, all.length - 1));
    const last = v.page === all.length - 1;
    const qi = all[v.page] === 'invitation' ? -1 : s.questions.findIndex((q) => q.id === all[v.page]);
    form = h('form', { novalidate: true, onsubmit, class: 'paged' },
      h('div', { class: 'step-head' },
        h('p', { id: 'step-progress', class: 'step-progress', tabindex: '-1' },
          t('question', { i: v.page + 1, n: all.length })),
        stepBar((v.page + 1) / all.length)),
      qi < 0 ? invitationField(f) : questionField(f, s.questions[qi], qi),
      h('p', { class: 'actions step-nav' },
        v.page > 0 ? h('button', { type: 'button', class: 'secondary', id: 'prev', onclick: () => goPage(f, v.page - 1) }, t('back'))
          : toIntro,
        h('span', { class: 'spacer' }),
        last ? send : h('button', { type: 'button', id: 'next', onclick: () => nextPage(f) }, t('next'))));
  } else {
    form = h('form', { novalidate: true, onsubmit },
      f.data.invitation_required ? invitationField(f) : null,
      s.questions.map((q, i) => questionField(f, q, i)),
      h('p', { class: 'actions' }, send, toIntro));
  }
  return h('section', { class: 'questions' },
    h('h1', { id: 'form-title', tabindex: '-1' }, txtOf(f)(s.title)),
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
function steps(f) {
  return [...(f.data.invitation_required ? ['invitation'] : []), ...f.data.survey.questions.map((q) => q.id)];
}

function goPage(f, i) {
  f.v.page = i;
  f.v.formError = '';
  moveTo(f, 'step-progress');
}

// Next: the question on this screen is checked first, its message shown
// beside it; Next goes on only when it is answered as it must be.
function nextPage(f) {
  const { v } = f;
  const id = steps(f)[v.page];
  const msg = id === 'invitation' ? invitationMessage(f, true)
    : checkQuestion(f, f.data.survey.questions.find((q) => q.id === id));
  if (msg) {
    v.errors = { [id]: msg };
    v.typing = false;
    f.draw(fieldAnchor(f, id));
    return;
  }
  delete v.errors[id];
  goPage(f, v.page + 1);
}

// Send: the answers are checked here first; only answers that pass are
// handed to f.send().
function submit(f, ev) {
  ev.preventDefault();
  if (f.v.sending) return;
  if (!validate(f)) {
    showErrors(f);
    return;
  }
  f.send();
}

function fieldAnchor(f, field) {
  if (field === 'invitation') return 'invitation';
  const q = f.data.survey.questions.find((x) => x.id === field);
  return q ? `q-${q.id}-first` : 'form-title';
}

function labelOf(f, field) {
  if (field === 'invitation') return tr(f)('invitation');
  const qs = f.data.survey.questions;
  const i = qs.findIndex((x) => x.id === field);
  return i >= 0 ? `${i + 1}. ${txtOf(f)(qs[i].text)}` : field;
}

function errorNode(f, field, attrs) {
  const msg = f.v.errors[field];
  return h('p', { class: 'field-error', id: `err-${field}`, hidden: !msg, ...attrs }, msg ? h('span', { class: 'error-text' }, msg) : null);
}

// What is wrong with the code typed so far, or ''. While typing (final
// false) a code not yet whole is fine; a character no code has, one
// symbol too many, or a whole code whose check fails are flagged at once.
function invitationMessage(f, final) {
  const t = tr(f);
  const j = judge(f.v.invitation, !!f.data.invitation_check);
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
function showInvitationMessage(f, final) {
  const { v, doc } = f;
  const msg = invitationMessage(f, final);
  v.typing = true;
  if (msg) v.errors.invitation = msg;
  else delete v.errors.invitation;
  const input = doc.getElementById('invitation');
  const node = doc.getElementById('err-invitation');
  if (!input || !node) return;
  fill(node, msg ? h('span', { class: 'error-text' }, msg) : null).hidden = !msg;
  node.closest('.field').classList.toggle('has-error', !!msg);
  if (msg) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  input.setAttribute('aria-describedby', `invitation-help${msg ? ' err-invitation' : ''}`);
}

function invitationField(f) {
  const { v } = f;
  const t = tr(f);
  const err = v.errors.invitation;
  return h('div', { class: `field invitation${err ? ' has-error' : ''}` },
    h('label', { for: 'invitation' }, t('invitation')),
    h('p', { id: 'invitation-help', class: 'help' }, t('invitationHelp')),
    // Said when it changes, so a screen reader hears of a typing error.
    errorNode(f, 'invitation', { 'aria-live': 'polite' }),
    h('input', {
      id: 'invitation', name: 'invitation', autocomplete: 'off', autocapitalize: 'characters',
      spellcheck: 'false', value: v.invitation, required: true, 'aria-required': 'true',
      'aria-invalid': err ? 'true' : null,
      'aria-describedby': `invitation-help${err ? ' err-invitation' : ''}`,
      oninput: (ev) => {
        v.invitation = ev.target.value;
        showInvitationMessage(f, false);
      },
    }));
}

// Read aloud: shown only when the device has a voice for the language.
function readAloud(f, q) {
  const { lang } = f.v;
  const t = tr(f);
  const txt = txtOf(f);
  const parts = [txt(q.text)];
  if (q.type === 'smiley') {
    const n = q.faces === 4 ? 4 : 5;
    for (let x = 1; x <= n; x++) parts.push(faceWord(n, x, lang));
  } else if (q.type === 'choice' || q.type === 'multi') {
    for (const o of q.options) parts.push(txt(o.text));
  } else if (q.type === 'yesno') {
    parts.push(t('yes'), t('no'));
  } else if (q.type === 'nps') {
    parts.push(`0 – ${t('npsLow')}`, `10 – ${t('npsHigh')}`);
  }
  return h('button', {
    type: 'button', class: 'link read-aloud', hidden: !voiceFor(lang),
    onclick: () => speak(parts.join('. '), lang),
  }, h('span', { 'aria-hidden': 'true' }, '🔊 '), t('readAloud'));
}

function questionField(f, q, index) {
  const t = tr(f);
  const txt = txtOf(f);
  const err = f.v.errors[q.id];
  const legendId = `q-${q.id}-legend`;
  const describedBy = [err ? `err-${q.id}` : null, q.type === 'multi' || q.type === 'text' ? `q-${q.id}-help` : null]
    .filter(Boolean).join(' ') || null;
  const legend = h('legend', { id: legendId },
    h('span', { class: 'q-num' }, `${index + 1}. `), txt(q.text),
    h('span', { class: 'q-req' }, ` (${q.required ? t('required') : t('optional')})`));
  const body = answerInputs(f, q, describedBy);
  if (q.type === 'text') {
    return h('div', { class: `field q type-text${err ? ' has-error' : ''}`, dataset: { question: q.id } },
      h('label', { id: legendId, for: `q-${q.id}-first`, class: 'q-label' },
        h('span', { class: 'q-num' }, `${index + 1}. `), txt(q.text),
        h('span', { class: 'q-req' }, ` (${q.required ? t('required') : t('optional')})`)),
      readAloud(f, q), errorNode(f, q.id), body);
  }
  return h('fieldset', {
    class: `field q type-${q.type}${err ? ' has-error' : ''}`, dataset: { question: q.id },
    'aria-describedby': describedBy,
  }, legend, readAloud(f, q), errorNode(f, q.id), body);
}

function set(f, q, x) {
  const { v } = f;
  if (x === undefined) delete v.answers[q.id];
  else v.answers[q.id] = x;
  if (v.errors[q.id]) {
    // The person is fixing it: the message goes when the fix is valid.
    const msg = checkQuestion(f, q);
    if (!msg) {
      delete v.errors[q.id];
      const el = f.doc.getElementById(`err-${q.id}`);
      if (el) {
        fill(el).hidden = true;
        el.closest('.field').classList.remove('has-error');
      }
    }
  }
}

function radios(f, q, values, labelFn, cls) {
  const name = `q-${q.id}`;
  return h('div', { class: `options ${cls}` }, values.map((x, i) => h('label', { class: 'opt' },
    h('input', {
      type: 'radio', name, value: String(x), id: i === 0 ? `q-${q.id}-first` : null,
      checked: f.v.answers[q.id] === x, required: q.required ? true : null,
      onchange: () => set(f, q, x),
    }),
    h('span', { class: 'opt-box' }, labelFn(x)))));
}

function answerInputs(f, q, describedBy) {
  const { v } = f;
  const t = tr(f);
  const txt = txtOf(f);
  switch (q.type) {
    case 'smiley': {
      const n = q.faces === 4 ? 4 : 5;
      const vals = Array.from({ length: n }, (_, i) => i + 1);
      return radios(f, q, vals, (x) => [face(n, x), h('span', { class: 'face-label' }, faceWord(n, x, v.lang))], `faces faces-${n}`);
    }
    case 'scale':
    case 'nps': {
      const min = q.type === 'nps' ? 0 : q.min;
      const max = q.type === 'nps' ? 10 : q.max;
      const lo = q.type === 'nps' ? t('npsLow') : txt(q.labels && q.labels.min);
      const hi = q.type === 'nps' ? t('npsHigh') : txt(q.labels && q.labels.max);
      const vals = [];
      for (let x = min; x <= max; x++) vals.push(x);
      return h('div', { class: 'scale-wrap' },
        radios(f, q, vals, (x) => [String(x),
          x === min && lo ? h('span', { class: 'visually-hidden' }, ` – ${lo}`) : null,
          x === max && hi ? h('span', { class: 'visually-hidden' }, ` – ${hi}`) : null], `scale scale-${vals.length}`),
        lo || hi ? h('div', { class: 'scale-labels', 'aria-hidden': 'true' },
          h('span', null, `${min} = ${lo}`), h('span', null, `${max} = ${hi}`)) : null);
    }
    case 'choice':
      return radios(f, q, q.options.map((o) => o.id), (id) => txt(q.options.find((o) => o.id === id).text), 'choices');
    case 'yesno':
      return radios(f, q, [true, false], (x) => (x ? t('yes') : t('no')), 'yesno');
    case 'multi': {
      // The limit holds while ticking: at the limit the other boxes are
      // disabled, and a count says how many are chosen of how many.
      const max = q.max_choices || q.options.length;
      const limited = max < q.options.length;
      const cur = new Set(Array.isArray(v.answers[q.id]) ? v.answers[q.id] : []);
      const count = limited ? h('span', { class: 'chosen', 'aria-live': 'polite' }) : null;
      const boxes = q.options.map((o, i) => h('input', {
        type: 'checkbox', name: `q-${q.id}`, value: o.id, id: i === 0 ? `q-${q.id}-first` : null,
        checked: cur.has(o.id),
        onchange: (ev) => {
          if (ev.target.checked && cur.size >= max) ev.target.checked = false;
          else if (ev.target.checked) cur.add(o.id);
          else cur.delete(o.id);
          sync();
          set(f, q, cur.size ? q.options.map((x) => x.id).filter((x) => cur.has(x)) : undefined);
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
      const cur = typeof v.answers[q.id] === 'string' ? v.answers[q.id] : '';
      const counter = h('span', { 'aria-live': 'polite' }, t('charsLeft', { n: max - [...cur].length }));
      return h('div', null,
        h('p', { class: 'help', id: `q-${q.id}-help` }, t('noPersonal'), ' ', counter),
        h('textarea', {
          id: `q-${q.id}-first`, name: `q-${q.id}`, rows: 5, maxlength: max,
          'aria-describedby': describedBy, 'aria-invalid': v.errors[q.id] ? 'true' : null,
          required: q.required ? true : null, value: cur,
          oninput: (ev) => {
            counter.textContent = t('charsLeft', { n: max - [...ev.target.value].length });
            set(f, q, ev.target.value === '' ? undefined : ev.target.value);
          },
        }));
    }
    default:
      return h('p', null, '?');
  }
}

/* ------------------------------------------------------------ checks */

// Whether the visit v has an answer to q that counts.
export function answered(v, q) {
  const x = v.answers[q.id];
  if (x === undefined || x === null) return false;
  if (q.type === 'text') return typeof x === 'string' && x.trim() !== '';
  if (q.type === 'multi') return Array.isArray(x) && x.length > 0;
  return true;
}

// What is wrong with the answer to q, in the visit's language, or ''.
export function checkQuestion(f, q) {
  const t = tr(f);
  const x = f.v.answers[q.id];
  if (!answered(f.v, q)) return q.required ? t('errRequired') : '';
  if (q.type === 'multi' && q.max_choices && x.length > q.max_choices) return t('errMulti', { n: q.max_choices });
  if (q.type === 'text' && [...x].length > (q.max_length || 1000)) return t('errLong', { n: q.max_length || 1000 });
  return '';
}

// Check the whole form, its messages put in the visit: whether it may
// be sent.
function validate(f) {
  const { v } = f;
  const qs = f.data.survey.questions;
  v.errors = {};
  v.formError = '';
  v.typing = false;
  if (f.data.invitation_required) {
    const msg = invitationMessage(f, true);
    if (msg) v.errors.invitation = msg;
  }
  for (const q of qs) {
    const msg = checkQuestion(f, q);
    if (msg) v.errors[q.id] = msg;
  }
  if (Object.keys(v.errors).length === 0 && !qs.some((q) => answered(v, q))) v.formError = tr(f)('errNothing');
  return Object.keys(v.errors).length === 0 && !v.formError;
}
