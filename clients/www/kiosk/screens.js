// screens.js — what the lobby kiosk draws: its bar (title, languages,
// privacy), the privacy notice, one question per screen and the thank-you
// screen. kiosk.js owns the visit (timing, the queue, the idle reset) and
// hands these a view of it; the dashboard's survey builder draws its
// preview with the same functions, into a frame of its own, so that what
// an admin previews is what the tablet shows. Nothing here looks a node
// up in the global document: the page drawn may be another one.

import { h, fill } from '/assets/dom.js';
import { face } from '/assets/faces.js';
import {
  dirOf, faceWord, isPlain, langName, pickText as pick, speak, voiceFor,
} from '/assets/lang.js';
import { privacyNotice } from '/assets/privacy.js';

// The chosen answer stays visible this long before the next screen.
export const ADVANCE_MS = 250;

// The bar of the page doc (kiosk/index.html): its language and
// direction, the title, a button per language (onLang(tag)) and the
// privacy button, shown when privacy is true.
export function drawChrome(doc, { lang, title, langs, privacy, t, onLang }) {
  doc.documentElement.lang = lang;
  doc.documentElement.dir = dirOf(lang);
  // Plain language comes in larger type.
  doc.body.classList.toggle('plain', isPlain(lang));
  doc.getElementById('survey-title').textContent = title;
  const box = doc.getElementById('langs');
  fill(box, langs.length > 1 ? langs.map((l) => h('button', {
    type: 'button', lang: l, dir: dirOf(l), 'aria-pressed': String(l === lang),
    class: `secondary${isPlain(l) ? ' plain-choice' : ''}`,
    onclick: () => onLang(l),
  }, langName(l))) : null);
  box.setAttribute('aria-label', t('language'));
  const pb = doc.getElementById('privacy-btn');
  pb.hidden = !privacy;
  pb.textContent = t('privacy');
}

// The survey's privacy notice in lang, in the dialog dlg, opened.
export function openPrivacy(dlg, survey, lang, t) {
  fill(dlg,
    h('div', { class: 'dialog-body', tabindex: '0' }, privacyNotice(survey, lang, 'h2')),
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', onclick: () => dlg.close(), autofocus: true }, t('close'))));
  dlg.setAttribute('lang', lang);
  dlg.setAttribute('dir', dirOf(lang));
  dlg.showModal();
}

export function thanksScreen(t) {
  return h('section', { class: 'screen thanks', 'aria-live': 'polite' },
    h('div', { class: 'thanks-face' }, face(5, 5)),
    h('h1', null, t('thanks')),
    h('p', null, t('thanksMore')));
}

export function unavailableScreen(t) {
  return h('section', { class: 'screen unavailable' }, h('h1', null, t('unavailable')));
}

/*
 * The screen of question v.qi. v is the visit as the screen sees it:
 *   survey, qi, lang, t (the strings of lang)
 *   answers      the answers by question id, written here as they come
 *   accepting()  whether a tap counts now (the screen has settled and no
 *                answer is on its way to the next screen)
 *   settled()    whether the screen has settled (a toggle counts)
 *   choose(q, value)  a one-tap answer: the visit moves on
 *   changed(q)   a toggle changed answers[q.id]
 *   typing(q)    a keystroke changed answers[q.id]
 *   skip(q), back(), next()
 */
export function questionScreen(v) {
  const qs = v.survey.questions;
  const q = qs[v.qi];
  const kids = [];
  if (qs.length > 1)
    kids.push(h('p', { class: 'progress' }, v.t('question', { i: v.qi + 1, n: qs.length })));
  kids.push(h('div', { class: 'q-head' },
    h('h1', { id: 'q-title', class: 'q-text' }, pick(q.text, v.lang, v.survey.languages)),
    readAloudButton(v, q)));
  if (!q.required) kids.push(h('p', { class: 'q-hint' }, `(${v.t('optional')})`));
  // The bar first: the answer widget turns its buttons on and off.
  const nav = navBar(v, q);
  kids.push(answerWidget(v, q, nav), nav);
  return h('section', {
    class: `screen question type-${q.type}`, 'aria-labelledby': 'q-title', dataset: { question: q.id },
  }, kids);
}

// What the read-aloud button says: the question and its answers.
function spokenText(v, q) {
  const txt = (x) => pick(x, v.lang, v.survey.languages);
  const parts = [txt(q.text)];
  if (q.type === 'smiley') {
    const n = q.faces === 4 ? 4 : 5;
    for (let i = 1; i <= n; i++) parts.push(faceWord(n, i, v.lang));
  } else if (q.type === 'choice' || q.type === 'multi') {
    for (const o of q.options) parts.push(txt(o.text));
  } else if (q.type === 'yesno') {
    parts.push(v.t('yes'), v.t('no'));
  } else if (q.type === 'nps') {
    parts.push(`0 – ${v.t('npsLow')}`, `10 – ${v.t('npsHigh')}`);
  } else if (q.type === 'scale') {
    const lo = txt(q.labels && q.labels.min);
    const hi = txt(q.labels && q.labels.max);
    parts.push(lo ? `${q.min} – ${lo}` : String(q.min), hi ? `${q.max} – ${hi}` : String(q.max));
  }
  return parts.join('. ');
}

// Shown only when the device has a voice for the language (lang.js).
function readAloudButton(v, q) {
  return h('button', {
    type: 'button', class: 'secondary read-aloud', hidden: !voiceFor(v.lang),
    onclick: () => speak(spokenText(v, q), v.lang),
  }, h('span', { 'aria-hidden': 'true', class: 'read-aloud-icon' }, '🔊'), v.t('readAloud'));
}

function tapButton(v, cls, label, pressed, onTap, extra = {}) {
  return h('button', {
    type: 'button', class: cls, 'aria-pressed': String(Boolean(pressed)),
    onclick: (ev) => {
      ev.preventDefault();
      if (!v.accepting()) return;
      onTap(ev.currentTarget);
    },
    ...extra,
  }, label);
}

function choose(v, q, value, btn) {
  for (const b of btn.parentElement.querySelectorAll('button'))
    b.setAttribute('aria-pressed', String(b === btn));
  v.choose(q, value);
}

function answerWidget(v, q, nav) {
  const cur = v.answers[q.id];
  const txt = (x) => pick(x, v.lang, v.survey.languages);
  switch (q.type) {
    case 'smiley': {
      const n = q.faces === 4 ? 4 : 5;
      const vals = Array.from({ length: n }, (_, i) => i + 1);
      return h('div', { class: `faces faces-${n}`, role: 'group', 'aria-labelledby': 'q-title' },
        vals.map((x) => tapButton(v, 'face-btn', [face(n, x), h('span', { class: 'face-label' }, faceWord(n, x, v.lang))],
          cur === x, (b) => choose(v, q, x, b), { dataset: { value: x } })));
    }
    case 'scale':
    case 'nps': {
      const min = q.type === 'nps' ? 0 : q.min;
      const max = q.type === 'nps' ? 10 : q.max;
      const lo = q.type === 'nps' ? v.t('npsLow') : txt(q.labels && q.labels.min);
      const hi = q.type === 'nps' ? v.t('npsHigh') : txt(q.labels && q.labels.max);
      const vals = [];
      for (let x = min; x <= max; x++) vals.push(x);
      return h('div', { class: 'scale-wrap' },
        h('div', { class: 'scale', role: 'group', 'aria-labelledby': 'q-title' },
          vals.map((x) => tapButton(v, 'scale-btn', String(x), cur === x, (b) => choose(v, q, x, b), {
            dataset: { value: x },
            'aria-label': x === min && lo ? `${x} – ${lo}` : x === max && hi ? `${x} – ${hi}` : null,
          }))),
        lo || hi ? h('div', { class: 'scale-labels', 'aria-hidden': 'true' }, h('span', null, lo), h('span', null, hi)) : null);
    }
    case 'choice':
      return h('div', { class: 'choices', role: 'group', 'aria-labelledby': 'q-title' },
        q.options.map((o) => tapButton(v, 'choice-btn', txt(o.text), cur === o.id,
          (b) => choose(v, q, o.id, b), { dataset: { value: o.id } })));
    case 'yesno':
      return h('div', { class: 'choices yesno', role: 'group', 'aria-labelledby': 'q-title' },
        [[true, v.t('yes')], [false, v.t('no')]].map(([x, label]) => tapButton(v, 'choice-btn', label, cur === x,
          (b) => choose(v, q, x, b), { dataset: { value: String(x) } })));
    case 'multi': {
      const sel = new Set(Array.isArray(cur) ? cur : []);
      const max = q.max_choices || q.options.length;
      const next = nav.querySelector('.next');
      const wrap = h('div', { class: 'choices multi', role: 'group', 'aria-labelledby': 'q-title', 'aria-describedby': 'multi-hint' });
      const sync = () => {
        for (const b of wrap.querySelectorAll('button')) {
          const on = sel.has(b.dataset.value);
          b.setAttribute('aria-pressed', String(on));
          b.disabled = !on && sel.size >= max;
        }
        const before = JSON.stringify(v.answers[q.id]);
        v.answers[q.id] = sel.size ? q.options.map((o) => o.id).filter((id) => sel.has(id)) : undefined;
        if (JSON.stringify(v.answers[q.id]) !== before) v.changed(q);
        if (next && q.required) next.disabled = sel.size === 0;
      };
      for (const o of q.options) {
        wrap.append(h('button', {
          type: 'button', class: 'choice-btn toggle', 'aria-pressed': String(sel.has(o.id)), dataset: { value: o.id },
          onclick: () => {
            if (!v.settled()) return;
            if (sel.has(o.id)) sel.delete(o.id);
            else if (sel.size < max) sel.add(o.id);
            sync();
          },
        }, txt(o.text)));
      }
      sync();
      return h('div', null,
        h('p', { id: 'multi-hint', class: 'q-hint' }, max < q.options.length ? v.t('chooseUpTo', { n: max }) : v.t('chooseAny')),
        wrap);
    }
    case 'text': {
      const max = q.max_length || 1000;
      const skip = nav.querySelector('.skip');
      const counter = h('p', { id: 'text-count', class: 'q-hint', 'aria-live': 'polite' });
      const area = h('textarea', {
        id: 'text-answer', maxlength: max, rows: 5, enterkeyhint: 'done', autocomplete: 'off',
        'aria-labelledby': 'q-title', 'aria-describedby': 'text-warn text-count',
        oninput: () => {
          v.answers[q.id] = area.value;
          counter.textContent = v.t('charsLeft', { n: max - [...area.value].length });
          // Skipping would throw the comment away: only Send remains.
          if (skip) skip.hidden = area.value.trim() !== '';
          v.typing(q);
        },
      });
      area.value = typeof cur === 'string' ? cur : '';
      counter.textContent = v.t('charsLeft', { n: max - [...area.value].length });
      return h('div', { class: 'text-wrap' },
        h('p', { id: 'text-warn', class: 'q-hint' }, v.t('noPersonal')), area, counter);
    }
    default:
      return h('p', null, '?');
  }
}

function navBar(v, q) {
  const qs = v.survey.questions;
  const last = v.qi === qs.length - 1;
  const manual = q.type === 'multi' || q.type === 'text';
  const items = [];
  if (v.qi > 0)
    items.push(h('button', { type: 'button', class: 'secondary back', onclick: () => v.back() }, v.t('back')));
  items.push(h('span', { class: 'spacer' }));
  if (!q.required && !manual)
    items.push(h('button', { type: 'button', class: 'secondary skip', onclick: () => v.skip(q) }, v.t('skip')));
  if (manual) {
    if (!q.required && q.type === 'text') {
      const typed = typeof v.answers[q.id] === 'string' && v.answers[q.id].trim() !== '';
      items.push(h('button', { type: 'button', class: 'secondary skip', hidden: typed, onclick: () => v.skip(q) }, v.t('skip')));
    }
    items.push(h('button', {
      type: 'button', class: 'next',
      onclick: () => { if (v.accepting()) v.next(); },
    }, last ? v.t('send') : v.t('next')));
  }
  return h('div', { class: 'nav' }, items);
}
