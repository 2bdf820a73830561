// preview-form.js — the web form as a phone shows it (one question a
// screen), drawn for the survey builder's preview into a frame made of
// the form's own page and style sheets (preview.js).
//
// The markup is form/form.js's, written again: form.js starts itself
// when it is loaded and has no module of its screens that could be
// imported, as kiosk/screens.js is for the kiosk. Until it has one, keep
// the two alike; tests/browser/builder.test.js compares this preview
// with the real form, screen by screen, so that they cannot drift apart
// unseen. What the form does with the network is left out: nothing here
// is ever sent.

import { h, fill } from '/assets/dom.js';
import { face } from '/assets/faces.js';
import {
  dirOf, faceWord, isPlain, langName, pickText as pick, speak, translate, voiceFor,
} from '/assets/lang.js';
import { privacyNotice } from '/assets/privacy.js';

// Draw survey (preview.js's previewSurvey()) as the form on a phone in
// the frame's document doc, at ps's screen; redraw() after a tap.
export function drawForm(doc, survey, ps, redraw) {
  const t = translate(ps.lang);
  const txt = (v) => pick(v, ps.lang, survey.languages);
  const f = { doc, survey, ps, t, txt, redraw };
  if (!ps.fanswers) ps.fanswers = {};
  doc.documentElement.lang = ps.lang;
  doc.documentElement.dir = dirOf(ps.lang);
  // Plain language comes in larger type.
  doc.body.classList.toggle('plain', isPlain(ps.lang));
  const langs = doc.getElementById('langs');
  fill(langs, survey.languages.length > 1 ? survey.languages.map((l) => h('button', {
    type: 'button', lang: l, dir: dirOf(l), 'aria-pressed': String(l === ps.lang),
    class: `secondary${isPlain(l) ? ' plain-choice' : ''}`,
    onclick: () => {
      ps.lang = l;
      // Messages already shown follow the language too.
      if (Object.keys(ps.errors).length) validate(f, translate(l));
      redraw();
    },
  }, langName(l))) : null);
  langs.setAttribute('aria-label', t('language'));
  const main = doc.getElementById('main');
  if (!survey.questions.length && ps.step === 'questions') ps.step = 'intro';
  main.dataset.step = ps.step;
  let focusId = ps.focus;
  ps.focus = '';
  switch (ps.step) {
    case 'questions':
      fill(main, formView(f));
      break;
    case 'done':
      fill(main, h('section', { class: 'done notice ok' },
        h('h1', { id: 'done-title', tabindex: '-1' }, t('thanksTitle')),
        h('p', null, t('thanksText'))));
      focusId = focusId && 'done-title';
      break;
    default:
      fill(main, introView(f));
  }
  doc.title = t('pageTitle', { title: txt(survey.title) });
  // The focus moves only after a tap in the frame, never on an edit.
  // Within the frame: the builder's page stays where it is.
  if (focusId) doc.getElementById(focusId)?.focus({ preventScroll: true });
}

// Move to a screen after a tap in the frame, with the focus where the
// form puts it.
function go(f, focusId) {
  f.ps.focus = focusId;
  f.redraw();
  f.doc.defaultView.scrollTo(0, 0);
}

function introView(f) {
  const { survey: s, t, txt } = f;
  return h('section', { class: 'intro' },
    h('h1', { id: 'intro-title', tabindex: '-1' }, txt(s.title)),
    s.description ? h('p', { class: 'lead' }, txt(s.description)) : null,
    privacyNotice(s, f.ps.lang, 'h2'),
    h('p', { class: 'actions' }, h('button', {
      type: 'button', id: 'start', disabled: !s.questions.length, onclick: () => {
        f.ps.step = 'questions';
        f.ps.page = 0;
        go(f, 'form-title');
      },
    }, t('start'))));
}

function formView(f) {
  const { survey: s, ps, t, txt } = f;
  const errs = Object.entries(ps.errors);
  const summary = errs.length || ps.formError ? h('div', {
    class: 'notice error summary', id: 'error-summary', tabindex: '-1', role: 'alert',
  },
  ps.formError ? h('p', { id: 'form-error' }, t(ps.formError)) : null,
  errs.length ? [h('p', { class: 'summary-title' }, t('errorsTitle')),
    h('ul', null, errs.map(([field, msg]) => h('li', null, h('a', { href: `#${fieldAnchor(f, field)}` }, `${labelOf(f, field)}: ${msg}`))))] : null)
    : null;
  const toIntro = h('button', {
    type: 'button', class: 'link', onclick: () => { ps.step = 'intro'; go(f, 'intro-title'); },
  }, t('backToPrivacy'));
  const n = s.questions.length;
  ps.page = Math.max(0, Math.min(ps.page, n - 1));
  const last = ps.page === n - 1;
  const send = h('button', { type: 'submit', id: 'submit' }, t('submit'));
  const form = h('form', { novalidate: true, onsubmit: (ev) => submit(f, ev), class: 'paged' },
    h('div', { class: 'step-head' },
      h('p', { id: 'step-progress', class: 'step-progress', tabindex: '-1' },
        t('question', { i: ps.page + 1, n })),
      stepBar((ps.page + 1) / n)),
    questionField(f, s.questions[ps.page], ps.page),
    h('p', { class: 'actions step-nav' },
      ps.page > 0 ? h('button', { type: 'button', class: 'secondary', id: 'prev', onclick: () => goPage(f, ps.page - 1) }, t('back'))
        : toIntro,
      h('span', { class: 'spacer' }),
      last ? send : h('button', { type: 'button', id: 'next', onclick: () => nextPage(f) }, t('next'))));
  return h('section', { class: 'questions' },
    h('h1', { id: 'form-title', tabindex: '-1' }, txt(s.title)),
    summary,
    form);
}

function stepBar(share) {
  const done = h('span');
  done.style.width = `${Math.round(share * 100)}%`;
  return h('div', { class: 'step-bar', 'aria-hidden': 'true' }, done);
}

function goPage(f, i) {
  f.ps.page = i;
  f.ps.formError = '';
  go(f, 'step-progress');
}

function nextPage(f) {
  const q = f.survey.questions[f.ps.page];
  const msg = checkQuestion(f, q, f.t);
  if (msg) {
    f.ps.errors = { [q.id]: msg };
    go(f, fieldAnchor(f, q.id));
    return;
  }
  delete f.ps.errors[q.id];
  goPage(f, f.ps.page + 1);
}

function fieldAnchor(f, field) {
  const q = f.survey.questions.find((x) => x.id === field);
  return q ? `q-${q.id}-first` : 'form-title';
}

function labelOf(f, field) {
  const qs = f.survey.questions;
  const i = qs.findIndex((x) => x.id === field);
  return i >= 0 ? `${i + 1}. ${f.txt(qs[i].text)}` : field;
}

function errorNode(f, field) {
  const msg = f.ps.errors[field];
  return h('p', { class: 'field-error', id: `err-${field}`, hidden: !msg }, msg ? h('span', { class: 'error-text' }, msg) : null);
}

// Read aloud: shown only when the device has a voice for the language.
function readAloud(f, q) {
  const { t, txt, ps } = f;
  const parts = [txt(q.text)];
  if (q.type === 'smiley') {
    const n = q.faces === 4 ? 4 : 5;
    for (let v = 1; v <= n; v++) parts.push(faceWord(n, v, ps.lang));
  } else if (q.type === 'choice' || q.type === 'multi') {
    for (const o of q.options) parts.push(txt(o.text));
  } else if (q.type === 'yesno') {
    parts.push(t('yes'), t('no'));
  } else if (q.type === 'nps') {
    parts.push(`0 – ${t('npsLow')}`, `10 – ${t('npsHigh')}`);
  }
  return h('button', {
    type: 'button', class: 'link read-aloud', hidden: !voiceFor(ps.lang),
    onclick: () => speak(parts.join('. '), ps.lang),
  }, h('span', { 'aria-hidden': 'true' }, '🔊 '), t('readAloud'));
}

function questionField(f, q, index) {
  const { t, txt } = f;
  const err = f.ps.errors[q.id];
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

function set(f, q, v) {
  const a = f.ps.fanswers;
  if (v === undefined) delete a[q.id];
  else a[q.id] = v;
  if (f.ps.errors[q.id] && !checkQuestion(f, q, f.t)) {
    // The person is fixing it: the message goes when the fix is valid.
    delete f.ps.errors[q.id];
    const el = f.doc.getElementById(`err-${q.id}`);
    if (el) {
      fill(el).hidden = true;
      el.closest('.field').classList.remove('has-error');
    }
  }
}

function radios(f, q, values, labelFn, cls) {
  const name = `q-${q.id}`;
  return h('div', { class: `options ${cls}` }, values.map((v, i) => h('label', { class: 'opt' },
    h('input', {
      type: 'radio', name, value: String(v), id: i === 0 ? `q-${q.id}-first` : null,
      checked: f.ps.fanswers[q.id] === v, required: q.required ? true : null,
      onchange: () => set(f, q, v),
    }),
    h('span', { class: 'opt-box' }, labelFn(v)))));
}

function answerInputs(f, q, describedBy) {
  const { t, txt, ps } = f;
  switch (q.type) {
    case 'smiley': {
      const n = q.faces === 4 ? 4 : 5;
      const vals = Array.from({ length: n }, (_, i) => i + 1);
      return radios(f, q, vals, (v) => [face(n, v), h('span', { class: 'face-label' }, faceWord(n, v, ps.lang))], `faces faces-${n}`);
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
        radios(f, q, vals, (v) => [String(v),
          v === min && lo ? h('span', { class: 'visually-hidden' }, ` – ${lo}`) : null,
          v === max && hi ? h('span', { class: 'visually-hidden' }, ` – ${hi}`) : null], `scale scale-${vals.length}`),
        lo || hi ? h('div', { class: 'scale-labels', 'aria-hidden': 'true' },
          h('span', null, `${min} = ${lo}`), h('span', null, `${max} = ${hi}`)) : null);
    }
    case 'choice':
      return radios(f, q, q.options.map((o) => o.id), (id) => txt(q.options.find((o) => o.id === id).text), 'choices');
    case 'yesno':
      return radios(f, q, [true, false], (v) => (v ? t('yes') : t('no')), 'yesno');
    case 'multi': {
      // The limit holds while ticking: at the limit the other boxes are
      // disabled, and a count says how many are chosen of how many.
      const max = q.max_choices || q.options.length;
      const limited = max < q.options.length;
      const cur = new Set(Array.isArray(ps.fanswers[q.id]) ? ps.fanswers[q.id] : []);
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
      const cur = typeof ps.fanswers[q.id] === 'string' ? ps.fanswers[q.id] : '';
      const counter = h('span', { 'aria-live': 'polite' }, t('charsLeft', { n: max - [...cur].length }));
      return h('div', null,
        h('p', { class: 'help', id: `q-${q.id}-help` }, t('noPersonal'), ' ', counter),
        h('textarea', {
          id: `q-${q.id}-first`, name: `q-${q.id}`, rows: 5, maxlength: max,
          'aria-describedby': describedBy, 'aria-invalid': ps.errors[q.id] ? 'true' : null,
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

function answered(f, q) {
  const v = f.ps.fanswers[q.id];
  if (v === undefined || v === null) return false;
  if (q.type === 'text') return typeof v === 'string' && v.trim() !== '';
  if (q.type === 'multi') return Array.isArray(v) && v.length > 0;
  return true;
}

function checkQuestion(f, q, t) {
  const v = f.ps.fanswers[q.id];
  if (!answered(f, q)) return q.required ? t('errRequired') : '';
  if (q.type === 'multi' && q.max_choices && v.length > q.max_choices) return t('errMulti', { n: q.max_choices });
  if (q.type === 'text' && [...v].length > (q.max_length || 1000)) return t('errLong', { n: q.max_length || 1000 });
  return '';
}

function validate(f, t) {
  f.ps.errors = {};
  f.ps.formError = '';
  for (const q of f.survey.questions) {
    const msg = checkQuestion(f, q, t);
    if (msg) f.ps.errors[q.id] = msg;
  }
  if (Object.keys(f.ps.errors).length === 0 && !f.survey.questions.some((q) => answered(f, q))) f.ps.formError = 'errNothing';
  return Object.keys(f.ps.errors).length === 0 && !f.ps.formError;
}

// Send, as far as a preview goes: the answers are checked as the form
// checks them, then the thank-you screen. Nothing leaves the page.
function submit(f, ev) {
  ev.preventDefault();
  if (!validate(f, f.t)) {
    const first = f.survey.questions.findIndex((q) => f.ps.errors[q.id]);
    if (first >= 0) {
      f.ps.page = first;
      go(f, fieldAnchor(f, f.survey.questions[first].id));
    } else {
      go(f, 'error-summary');
    }
    return;
  }
  f.ps.step = 'done';
  f.ps.fanswers = {};
  go(f, 'done-title');
}
