// preview.js — a survey being built, as the lobby kiosk and as the form on
// a phone show it, in any of its languages. Each is drawn in a frame the
// size of the device (a tablet either way up, a phone), scaled down to
// fit, with the client's own page (its index.html without scripts), its
// own style sheets and the respondents' language files: their layouts,
// right-to-left mirroring and plain-language type apply as on the
// device. The screens are the clients' own: kiosk/screens.js and
// form/screens.js, the modules the kiosk and the form draw with. The
// frame has no address of its own (about:blank, of this page's origin
// and policy), nothing in it runs a client's start-up, and nothing is
// ever sent or kept.

import { h } from '/assets/dom.js';
import { loadLangs, pickText as pick, SURVEY_LANGS, translate } from '/assets/lang.js';
import {
  ADVANCE_MS, drawChrome, openPrivacy, questionScreen, thanksScreen, unavailableScreen,
} from '/kiosk/screens.js';
import { drawForm, followLang, newVisit } from '/f/assets/screens.js';

// The devices, in CSS pixels: a 10" tablet on a stand, either way up,
// and a common phone.
export const DEVICES = {
  landscape: { width: 1280, height: 800 },
  portrait: { width: 800, height: 1280 },
  phone: { width: 390, height: 844 },
};

// The clients' pages the frames are made of.
const PAGES = {
  kiosk: '/kiosk/index.html',
  form: '/f/assets/index.html',
};

// The preview's own state: which client and device, the language, the
// screen shown and the answers tapped so far. It is the form's visit
// itself (form/screens.js: step, page, answers, errors...); the kiosk's
// are beside it.
export function newPreviewState(lang) {
  return {
    ...newVisit(lang),
    mode: 'kiosk', orientation: 'landscape',
    qi: 0, kioskAnswers: {}, done: false, locked: false, // kiosk
    focus: '', shownLang: lang, // form: where a tap puts the focus, the messages' language
  };
}

export function deviceOf(ps) {
  return ps.mode === 'kiosk' ? ps.orientation : 'phone';
}

/* ------------------------------------------------------------ survey */

const TYPES = new Set(['smiley', 'scale', 'nps', 'choice', 'multi', 'yesno', 'text']);

function whole(v, dflt) {
  return Number.isInteger(v) ? v : dflt;
}

// A definition being edited may be half made (no options yet, a scale of
// a thousand steps, a question without an id): the survey as a client
// would get it once the server took it, with what it would refuse
// mended, so that the clients' own code can draw it.
export function previewSurvey(def) {
  const langs = (Array.isArray(def.languages) ? def.languages : []).filter((l) => SURVEY_LANGS.includes(l));
  const questions = (Array.isArray(def.questions) ? def.questions : [])
    .filter((q) => q && typeof q === 'object' && TYPES.has(q.type))
    .map((q, i) => {
      const out = { ...q, id: typeof q.id === 'string' && q.id ? q.id : `q${i + 1}` };
      if (q.type === 'scale') {
        out.min = whole(q.min, 1);
        out.max = Math.min(Math.max(whole(q.max, 5), out.min + 1), out.min + 10);
      }
      if (q.type === 'choice' || q.type === 'multi') {
        out.options = (Array.isArray(q.options) ? q.options : [])
          .filter((o) => o && typeof o === 'object')
          .map((o, j) => ({ ...o, id: typeof o.id === 'string' && o.id ? o.id : `o${j + 1}` }));
      }
      if (q.type === 'multi' && !(Number.isInteger(q.max_choices) && q.max_choices > 0)) delete out.max_choices;
      if (q.type === 'text' && !(Number.isInteger(q.max_length) && q.max_length > 0)) delete out.max_length;
      return out;
    });
  const min = whole(def.min_group, 5);
  return {
    ...def,
    languages: langs.length ? langs : ['fi'],
    questions,
    privacy: def.privacy && typeof def.privacy === 'object' ? def.privacy : {},
    min_group: min >= 3 ? min : 5,
  };
}

/* ------------------------------------------------------------ frame */

const pages = new Map();

async function pageOf(mode) {
  if (!pages.has(mode)) {
    pages.set(mode, fetch(PAGES[mode], { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`${PAGES[mode]}: ${r.status}`);
      return r.text();
    }).catch((err) => {
      pages.delete(mode);
      throw err;
    }));
  }
  return new DOMParser().parseFromString(await pages.get(mode), 'text/html');
}

// The frame's document made into the client's page: its style sheets,
// the body's class and markup; no script, manifest or icon.
async function setUp(frame, mode) {
  const page = await pageOf(mode);
  const doc = frame.contentDocument;
  const base = new URL(PAGES[mode], window.location.href);
  const sheets = [...page.querySelectorAll('link[rel="stylesheet"]')].map((link) => {
    const el = doc.createElement('link');
    el.rel = 'stylesheet';
    el.href = new URL(link.getAttribute('href'), base).href;
    return new Promise((resolve) => {
      el.addEventListener('load', resolve);
      el.addEventListener('error', resolve);
      doc.head.append(el);
    });
  });
  const title = doc.createElement('title');
  title.textContent = page.title || 'Palaute';
  doc.head.append(title);
  doc.body.className = page.body.className;
  for (const n of page.body.childNodes)
    if (n.nodeName !== 'SCRIPT') doc.body.append(doc.importNode(n, true));
  // The page's own skip link leads to nothing in a preview.
  doc.querySelector('.skip-link')?.remove();
  await Promise.all(sheets);
}

// The frame of ps's client and device in box: made once and kept while
// they stay, so that an edit redraws the screen, not the page.
async function frameFor(box, ps, label) {
  const device = DEVICES[deviceOf(ps)];
  const key = `${ps.mode}:${deviceOf(ps)}`;
  let wrap = box.querySelector(':scope > .pv-device');
  if (!wrap || wrap.dataset.key !== key) {
    const frame = h('iframe', {
      class: 'pv-frame', width: device.width, height: device.height, dataset: { mode: ps.mode },
    });
    wrap = h('div', { class: `pv-device pv-${deviceOf(ps)}`, dataset: { key } }, frame);
    wrap.device = device;
    box.replaceChildren(wrap);
    wrap.ready = setUp(frame, ps.mode);
  }
  if (!box.fitter) {
    box.fitter = new ResizeObserver(() => fit(box));
    box.fitter.observe(box);
  }
  fit(box);
  const frame = wrap.firstChild;
  frame.title = label;
  await wrap.ready;
  // A browser that loads about:blank once more after the frame was made
  // has thrown the page away: make it again.
  if (!frame.contentDocument.getElementById('main')) {
    wrap.ready = setUp(frame, ps.mode);
    await wrap.ready;
  }
  return frame;
}

// Scale the device in box down to the width of box.
function fit(box) {
  const wrap = box.querySelector(':scope > .pv-device');
  if (!wrap) return;
  const { device } = wrap;
  // The device's frame (its border) around the screen.
  const avail = (box.clientWidth || device.width) - (wrap.offsetWidth - wrap.clientWidth);
  const s = Math.min(1, avail / device.width);
  wrap.style.width = `${Math.floor(device.width * s)}px`;
  wrap.style.height = `${Math.floor(device.height * s)}px`;
  wrap.firstChild.style.transform = `scale(${s})`;
}

/* ------------------------------------------------------------ preview */

let drawing = 0;

// Draw the preview of the definition def into box; label names the frame
// for assistive technology, redraw() is called after a tap in it.
export async function renderPreview(box, def, ps, redraw, label) {
  const turn = ++drawing;
  const survey = previewSurvey(def);
  if (!survey.languages.includes(ps.lang)) ps.lang = survey.languages[0];
  const qs = survey.questions;
  ps.qi = Math.max(0, Math.min(ps.qi, qs.length - 1));
  ps.page = Math.max(0, Math.min(ps.page, qs.length - 1));
  await loadLangs(survey.languages).catch(() => {});
  const frame = await frameFor(box, ps, label);
  // A later edit drew over this one while it waited.
  if (turn !== drawing || !frame.isConnected) return;
  const doc = frame.contentDocument;
  if (ps.mode === 'kiosk') drawKiosk(doc, survey, ps, redraw);
  else drawFormPage(doc, survey, ps, redraw);
}

// The form on a phone, as a link to the survey would show it.
function drawFormPage(doc, survey, ps, redraw) {
  // A survey being built may have lost its last question.
  if (!survey.questions.length && ps.step === 'questions') ps.step = 'intro';
  const f = {
    doc, v: ps, paged: true, framed: true,
    // The public view the server gives of a link collector.
    data: { survey, privacy: survey.privacy, unit: null, invitation_required: false },
    // A tap moves the focus as in the form; an edit redraws, leaving the
    // focus in the builder.
    draw: (focusId) => {
      ps.focus = focusId || '';
      redraw();
    },
    setLang: (l) => {
      ps.lang = l;
      redraw();
    },
    // Send, as far as a preview goes: the answers have passed the form's
    // checks; the thank-you screen. Nothing leaves the page.
    send: () => {
      ps.step = 'done';
      ps.answers = {};
      f.draw('done-title');
      doc.defaultView.scrollTo(0, 0);
    },
    retry: null,
  };
  // The messages shown follow a language chosen in the frame or beside it.
  if (ps.shownLang !== ps.lang) followLang(f);
  ps.shownLang = ps.lang;
  const focusId = ps.focus;
  ps.focus = '';
  drawForm(f, focusId);
}

function drawKiosk(doc, survey, ps, redraw) {
  const t = translate(ps.lang);
  const pb = doc.getElementById('privacy-btn');
  if (!pb.dataset.wired) {
    pb.dataset.wired = '1';
    pb.addEventListener('click', () => openPrivacy(doc.getElementById('privacy-dialog'), pb.survey, pb.lang, translate(pb.lang)));
  }
  pb.survey = survey;
  pb.lang = ps.lang;
  drawChrome(doc, {
    lang: ps.lang, title: pick(survey.title, ps.lang, survey.languages) || t('appName'), langs: survey.languages,
    privacy: true, t, onLang: (l) => { ps.lang = l; redraw(); },
  });
  const main = doc.getElementById('main');
  const qs = survey.questions;
  let screen;
  let phase;
  if (ps.done) {
    screen = thanksScreen(t);
    phase = 'thanks';
  } else if (!qs.length) {
    screen = unavailableScreen(t);
    phase = 'broken';
  } else {
    phase = 'question';
    ps.locked = false;
    const advance = () => {
      if (ps.qi < qs.length - 1) ps.qi += 1;
      else ps.done = true;
      redraw();
    };
    screen = questionScreen({
      survey, qi: ps.qi, lang: ps.lang, answers: ps.kioskAnswers, t,
      // An admin's clicks, not a child's: no time to settle.
      accepting: () => !ps.locked,
      settled: () => true,
      choose: (q, value) => {
        ps.kioskAnswers[q.id] = value;
        ps.locked = true;
        setTimeout(advance, ADVANCE_MS);
      },
      changed: () => {},
      typing: () => {},
      skip: (q) => {
        delete ps.kioskAnswers[q.id];
        advance();
      },
      back: () => {
        ps.qi = Math.max(0, ps.qi - 1);
        redraw();
      },
      next: advance,
    });
  }
  main.replaceChildren(screen);
  main.dataset.phase = phase;
}

