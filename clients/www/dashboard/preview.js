// preview.js — a survey being built, as the lobby kiosk and as the form
// on a phone would show it, in any of its languages. The kiosk and the
// form run their own start-up when loaded, so they cannot be imported;
// this draws the same markup from the same parts they use (the faces,
// the respondents' strings and directions of lang.js, the privacy
// notice), styled by builder.css after kiosk.css and form.css. Nothing
// here is ever sent.

import { h, fill } from '/assets/dom.js';
import { face } from '/assets/faces.js';
import { LANG_NAMES } from '/assets/i18n.js';
import { dirOf, faceWord, isPlain, loadLangs, pickText as pick, translate } from '/assets/lang.js';
import { privacyNotice } from '/assets/privacy.js';

const kioskTr = translate;
const formTr = translate;

// The preview's own state: which client, language, screen, answers.
export function newPreviewState(lang) {
  return { mode: 'kiosk', lang, qi: 0, step: 'intro', page: 0, answers: {}, privacyOpen: false, done: false };
}

function questionsOf(def) {
  return Array.isArray(def.questions) ? def.questions.filter((q) => q && typeof q === 'object') : [];
}

function langsOf(def) {
  return Array.isArray(def.languages) && def.languages.length ? def.languages : ['fi'];
}

// Draw the preview of def into box once the strings of its languages are
// loaded; redraw() is called after a tap.
export async function renderPreview(box, def, ps, redraw) {
  await loadLangs(langsOf(def)).catch(() => {});
  const qs = questionsOf(def);
  if (ps.qi >= qs.length) ps.qi = Math.max(0, qs.length - 1);
  if (ps.page >= qs.length) ps.page = Math.max(0, qs.length - 1);
  if (!langsOf(def).includes(ps.lang)) ps.lang = langsOf(def)[0];
  const frame = ps.mode === 'kiosk' ? kioskFrame(def, qs, ps, redraw) : formFrame(def, qs, ps, redraw);
  frame.setAttribute('dir', dirOf(ps.lang));
  if (isPlain(ps.lang)) frame.classList.add('plain');
  fill(box, frame);
}

/* ------------------------------------------------------------ kiosk */

function kioskFrame(def, qs, ps, redraw) {
  const t = kioskTr(ps.lang);
  const txt = (v) => pick(v, ps.lang, langsOf(def));
  let screen;
  if (ps.done) {
    screen = h('section', { class: 'screen thanks' },
      h('div', { class: 'thanks-face' }, face(5, 5)),
      h('p', { class: 'pv-h1' }, t('thanks')),
      h('p', null, t('thanksMore')));
  } else if (!qs.length) {
    screen = h('section', { class: 'screen unavailable' }, h('p', null, t('unavailable')));
  } else {
    screen = kioskQuestion(def, qs, ps, redraw, t, txt);
  }
  return h('div', { class: 'pv-kiosk', lang: ps.lang, dataset: { mode: 'kiosk' } },
    h('div', { class: 'bar' },
      h('p', { class: 'bar-title' }, txt(def.title) || t('appName')),
      langsOf(def).length > 1 ? h('div', { class: 'lang-switch' }, langsOf(def).map((l) => h('button', {
        type: 'button', class: 'secondary', lang: l, 'aria-pressed': String(l === ps.lang),
        onclick: () => { ps.lang = l; redraw(); },
      }, LANG_NAMES[l]))) : null,
      h('button', {
        type: 'button', class: 'secondary privacy-btn', 'aria-expanded': String(ps.privacyOpen),
        onclick: () => { ps.privacyOpen = !ps.privacyOpen; redraw(); },
      }, t('privacy'))),
    ps.privacyOpen ? h('div', { class: 'pv-dialog' }, privacyNotice(def, ps.lang, 'h4'),
      h('p', null, h('button', { type: 'button', onclick: () => { ps.privacyOpen = false; redraw(); } }, t('close')))) : null,
    h('div', { class: 'pv-main' }, screen));
}

function kioskQuestion(def, qs, ps, redraw, t, txt) {
  const q = qs[ps.qi];
  const cur = ps.answers[q.id];
  const titleId = 'pv-q-title';
  const next = () => {
    if (ps.qi < qs.length - 1) ps.qi += 1;
    else ps.done = true;
    redraw();
  };
  const choose = (v) => {
    ps.answers[q.id] = v;
    redraw();
    setTimeout(() => { if (ps.answers[q.id] === v) next(); }, 250);
  };
  const tap = (cls, label, pressed, v, extra = {}) => h('button', {
    type: 'button', class: cls, 'aria-pressed': String(Boolean(pressed)), onclick: () => choose(v), ...extra,
  }, label);
  let widget;
  switch (q.type) {
    case 'smiley': {
      const n = q.faces === 4 ? 4 : 5;
      widget = h('div', { class: `faces faces-${n}`, role: 'group', 'aria-labelledby': titleId },
        Array.from({ length: n }, (_, i) => i + 1).map((v) => tap('face-btn',
          [face(n, v), h('span', { class: 'face-label' }, faceWord(n, v, ps.lang))], cur === v, v)));
      break;
    }
    case 'scale':
    case 'nps': {
      const [min, max] = range(q);
      const lo = q.type === 'nps' ? t('npsLow') : txt(q.labels && q.labels.min);
      const hi = q.type === 'nps' ? t('npsHigh') : txt(q.labels && q.labels.max);
      const vals = [];
      for (let v = min; v <= max; v++) vals.push(v);
      widget = h('div', { class: 'scale-wrap' },
        h('div', { class: 'scale', role: 'group', 'aria-labelledby': titleId },
          vals.map((v) => tap('scale-btn', String(v), cur === v, v, {
            'aria-label': v === min && lo ? `${v} – ${lo}` : v === max && hi ? `${v} – ${hi}` : null,
          }))),
        lo || hi ? h('div', { class: 'scale-labels', 'aria-hidden': 'true' }, h('span', null, lo), h('span', null, hi)) : null);
      break;
    }
    case 'choice':
      widget = h('div', { class: 'choices', role: 'group', 'aria-labelledby': titleId },
        optionsOf(q).map((o) => tap('choice-btn', txt(o.text), cur === o.id, o.id)));
      break;
    case 'yesno':
      widget = h('div', { class: 'choices yesno', role: 'group', 'aria-labelledby': titleId },
        [[true, t('yes')], [false, t('no')]].map(([v, label]) => tap('choice-btn', label, cur === v, v)));
      break;
    case 'multi': {
      const sel = new Set(Array.isArray(cur) ? cur : []);
      const opts = optionsOf(q);
      const max = q.max_choices || opts.length;
      widget = h('div', null,
        h('p', { id: 'pv-multi-hint', class: 'q-hint' }, max < opts.length ? t('chooseUpTo', { n: max }) : t('chooseAny')),
        h('div', { class: 'choices multi', role: 'group', 'aria-labelledby': titleId, 'aria-describedby': 'pv-multi-hint' },
          opts.map((o) => h('button', {
            type: 'button', class: 'choice-btn toggle', 'aria-pressed': String(sel.has(o.id)),
            disabled: !sel.has(o.id) && sel.size >= max,
            onclick: () => {
              if (sel.has(o.id)) sel.delete(o.id);
              else if (sel.size < max) sel.add(o.id);
              ps.answers[q.id] = [...sel];
              redraw();
            },
          }, txt(o.text)))));
      break;
    }
    case 'text': {
      const max = q.max_length || 1000;
      widget = h('div', { class: 'text-wrap' },
        h('p', { id: 'pv-text-warn', class: 'q-hint' }, t('noPersonal')),
        h('textarea', { id: 'pv-text', rows: 3, maxlength: max, 'aria-labelledby': titleId, 'aria-describedby': 'pv-text-warn pv-text-count' }),
        h('p', { id: 'pv-text-count', class: 'q-hint' }, t('charsLeft', { n: max })));
      break;
    }
    default:
      widget = h('p', null, '?');
  }
  const manual = q.type === 'multi' || q.type === 'text';
  const last = ps.qi === qs.length - 1;
  const nav = [];
  if (ps.qi > 0) nav.push(h('button', { type: 'button', class: 'secondary back', onclick: () => { ps.qi -= 1; redraw(); } }, t('back')));
  nav.push(h('span', { class: 'spacer' }));
  if (!q.required) nav.push(h('button', { type: 'button', class: 'secondary skip', onclick: () => { delete ps.answers[q.id]; next(); } }, t('skip')));
  if (manual) {
    nav.push(h('button', {
      type: 'button', class: 'next', disabled: q.required && q.type === 'multi' && !(Array.isArray(cur) && cur.length),
      onclick: next,
    }, last ? t('send') : t('next')));
  }
  return h('section', { class: `screen question type-${q.type}`, 'aria-labelledby': titleId, dataset: { question: q.id || '' } },
    qs.length > 1 ? h('p', { class: 'progress' }, t('question', { i: ps.qi + 1, n: qs.length })) : null,
    h('p', { id: titleId, class: 'q-text' }, txt(q.text)),
    q.required ? null : h('p', { class: 'q-hint' }, `(${t('optional')})`),
    widget,
    h('div', { class: 'nav' }, nav));
}

function range(q) {
  if (q.type === 'nps') return [0, 10];
  const min = Number.isInteger(q.min) ? q.min : 1;
  let max = Number.isInteger(q.max) ? q.max : 5;
  // A broken range would draw thousands of buttons: draw at most 11.
  if (max < min) max = min;
  if (max - min > 10) max = min + 10;
  return [min, max];
}

function optionsOf(q) {
  return Array.isArray(q.options) ? q.options.filter((o) => o && typeof o === 'object') : [];
}

/* ------------------------------------------------------------ form */

function formFrame(def, qs, ps, redraw) {
  const t = formTr(ps.lang);
  const txt = (v) => pick(v, ps.lang, langsOf(def));
  let body;
  if (ps.done) {
    body = h('section', { class: 'done notice ok' },
      h('p', { class: 'pv-h1' }, t('thanksTitle')),
      h('p', null, t('thanksText')));
  } else if (ps.step === 'intro') {
    body = h('section', { class: 'intro' },
      h('p', { class: 'pv-h1' }, txt(def.title)),
      def.description ? h('p', { class: 'lead' }, txt(def.description)) : null,
      privacyNotice(def, ps.lang, 'h4'),
      h('p', { class: 'actions' }, h('button', { type: 'button', class: 'pv-start', onclick: () => { ps.step = 'questions'; redraw(); } }, t('start'))));
  } else if (qs.length) {
    // A phone: one question a screen, its place above it (form.js).
    const i = ps.page;
    const last = i === qs.length - 1;
    const bar = h('span');
    bar.style.width = `${Math.round(((i + 1) / qs.length) * 100)}%`;
    body = h('section', { class: 'questions' },
      h('p', { class: 'pv-h1' }, txt(def.title)),
      h('div', { class: 'step-head' },
        h('p', { class: 'step-progress' }, t('question', { i: i + 1, n: qs.length })),
        h('div', { class: 'step-bar', 'aria-hidden': 'true' }, bar)),
      formQuestion(qs[i], i, ps, t, txt),
      h('p', { class: 'actions step-nav' },
        i > 0 ? h('button', { type: 'button', class: 'secondary pv-prev', onclick: () => { ps.page -= 1; redraw(); } }, t('back'))
          : h('button', { type: 'button', class: 'link', onclick: () => { ps.step = 'intro'; redraw(); } }, t('backToPrivacy')),
        h('span', { class: 'spacer' }),
        last ? h('button', { type: 'button', class: 'pv-submit', onclick: () => { ps.done = true; redraw(); } }, t('submit'))
          : h('button', { type: 'button', class: 'pv-next', onclick: () => { ps.page += 1; redraw(); } }, t('next'))));
  } else {
    body = h('p', null, t('unavailable'));
  }
  return h('div', { class: 'pv-form', lang: ps.lang, dataset: { mode: 'form' } },
    h('div', { class: 'top' }, h('p', { class: 'brand' }, 'Palaute'),
      langsOf(def).length > 1 ? h('div', { class: 'lang-switch' }, langsOf(def).map((l) => h('button', {
        type: 'button', class: 'secondary', lang: l, 'aria-pressed': String(l === ps.lang),
        onclick: () => { ps.lang = l; redraw(); },
      }, LANG_NAMES[l]))) : null),
    h('div', { class: 'pv-page' }, body));
}

function formQuestion(q, index, ps, t, txt) {
  const base = `pv-q${index}`;
  const req = h('span', { class: 'q-req' }, ` (${q.required ? t('required') : t('optional')})`);
  const num = h('span', { class: 'q-num' }, `${index + 1}. `);
  if (q.type === 'text') {
    const max = q.max_length || 1000;
    return h('div', { class: 'field q type-text', dataset: { question: q.id || '' } },
      h('label', { for: `${base}-first`, class: 'q-label' }, num, txt(q.text), req),
      h('p', { class: 'help', id: `${base}-help` }, t('noPersonal'), ' ', t('charsLeft', { n: max })),
      h('textarea', { id: `${base}-first`, rows: 3, maxlength: max, 'aria-describedby': `${base}-help` }));
  }
  const radios = (values, labelFn, cls) => h('div', { class: `options ${cls}` }, values.map((v, i) => h('label', { class: 'opt' },
    h('input', {
      type: 'radio', name: base, value: String(v), id: i === 0 ? `${base}-first` : null,
      checked: ps.answers[q.id] === v, onchange: () => { ps.answers[q.id] = v; },
    }),
    h('span', { class: 'opt-box' }, labelFn(v)))));
  let body;
  switch (q.type) {
    case 'smiley': {
      const n = q.faces === 4 ? 4 : 5;
      body = radios(Array.from({ length: n }, (_, i) => i + 1),
        (v) => [face(n, v), h('span', { class: 'face-label' }, faceWord(n, v, ps.lang))], `faces faces-${n}`);
      break;
    }
    case 'scale':
    case 'nps': {
      const [min, max] = range(q);
      const lo = q.type === 'nps' ? t('npsLow') : txt(q.labels && q.labels.min);
      const hi = q.type === 'nps' ? t('npsHigh') : txt(q.labels && q.labels.max);
      const vals = [];
      for (let v = min; v <= max; v++) vals.push(v);
      body = h('div', { class: 'scale-wrap' },
        radios(vals, (v) => [String(v),
          v === min && lo ? h('span', { class: 'visually-hidden' }, ` – ${lo}`) : null,
          v === max && hi ? h('span', { class: 'visually-hidden' }, ` – ${hi}`) : null], 'scale'),
        lo || hi ? h('div', { class: 'scale-labels', 'aria-hidden': 'true' },
          h('span', null, `${min} = ${lo}`), h('span', null, `${max} = ${hi}`)) : null);
      break;
    }
    case 'choice':
      body = radios(optionsOf(q).map((o) => o.id), (id) => txt((optionsOf(q).find((o) => o.id === id) || {}).text), 'choices');
      break;
    case 'yesno':
      body = radios([true, false], (v) => (v ? t('yes') : t('no')), 'yesno');
      break;
    case 'multi': {
      const opts = optionsOf(q);
      const max = q.max_choices || opts.length;
      body = h('div', null,
        h('p', { class: 'help', id: `${base}-help` }, max < opts.length ? t('chooseUpTo', { n: max }) : t('chooseAny')),
        h('div', { class: 'options choices multi' }, opts.map((o, i) => h('label', { class: 'opt' },
          h('input', { type: 'checkbox', name: base, value: o.id, id: i === 0 ? `${base}-first` : null }),
          h('span', { class: 'opt-box' }, txt(o.text))))));
      break;
    }
    default:
      body = h('p', null, '?');
  }
  return h('fieldset', {
    class: `field q type-${q.type}`, dataset: { question: q.id || '' },
    'aria-describedby': q.type === 'multi' ? `${base}-help` : null,
  }, h('legend', null, num, txt(q.text), req), body);
}
