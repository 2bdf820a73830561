// lang.js — the languages the respondents' pages speak (DESIGN.md
// section 1): which there are, which way each runs, their interface
// strings (one file per language in /assets/i18n/, loaded when a survey
// needs it), and reading a screen aloud with a voice on the device.

import { LANG_NAMES } from './i18n.js';

// In the order a survey's language list is checked in (core/survey.c).
export const SURVEY_LANGS = ['fi', 'sv', 'en', 'se', 'ru', 'uk', 'et', 'ar', 'so', 'fa', 'fi-x-plain', 'sv-x-plain'];

// The kiosk's set-up screen is for staff, in the dashboard's languages.
export const SETUP_LANGS = ['fi', 'sv', 'en'];

// Arabic and Persian run right to left, and so do their pages: the whole
// page is mirrored with dir="rtl", the smiley row and every scale
// included. A scale runs in the direction of reading, from its first
// value to its last: "very bad" (or 0) is where the reader begins,
// on the right, and "very good" (or 10) at the left end. Kept left to
// right, the scale would begin, for an Arabic or Persian reader, with
// "very good": the order we ask in would no longer be the order they
// read in, and the end labels would sit against the wrong ends of the
// text around them. Survey tools that localise into Arabic mirror their
// rating scales the same way. The order in the page (and so for a screen
// reader and the Tab key) is the same in every language, worst first;
// only where it is drawn changes. Digits stay 0–9, as the values sent.
const RTL = new Set(['ar', 'fa']);

export function dirOf(tag) {
  return RTL.has(tag) ? 'rtl' : 'ltr';
}

// Plain Finnish and Swedish (selkokieli, lättläst) are private-use
// variants of their language: its voices, its texts where they lack one.
export function isPlain(tag) {
  return /-x-plain$/.test(tag);
}

export function baseOf(tag) {
  return String(tag).split('-')[0];
}

export function langName(tag) {
  const f = files.get(tag);
  return (f && f.name) || LANG_NAMES[tag] || tag;
}

/* ------------------------------------------------------------ strings */

const files = new Map();

// Load the files of the languages in tags (unknown tags are ignored).
export async function loadLangs(tags) {
  const want = [...new Set(tags)].filter((t) => SURVEY_LANGS.includes(t) && !files.has(t));
  await Promise.all(want.map(async (t) => {
    const mod = await import(`./i18n/${t}.js`);
    files.set(t, mod.default);
  }));
}

// Where a string is looked for: the language, the language a plain
// variant simplifies, then English and Finnish (every file has every key;
// this is for a file that failed to load).
function chain(lang) {
  const out = [lang];
  if (isPlain(lang)) out.push(baseOf(lang));
  out.push('en', 'fi');
  return out;
}

// The interface string key in lang, {name} replaced by vars.name.
export function text(lang, key, vars) {
  let str = key;
  for (const l of chain(lang)) {
    const f = files.get(l);
    const s = f && ((f.strings && f.strings[key]) ?? (f.setup && f.setup[key]));
    if (s !== undefined) {
      str = s;
      break;
    }
  }
  if (vars) {
    for (const [k, v] of Object.entries(vars))
      str = str.split(`{${k}}`).join(String(v));
  }
  return str;
}

// (lang) => (key, vars) => string, the shape translator() of i18n.js has.
export function translate(lang) {
  return (key, vars) => text(lang, key, vars);
}

// The word of a smiley face (faces 4 or 5, value 1..faces) in lang.
export function faceWord(faces, value, lang) {
  for (const l of chain(lang)) {
    const f = files.get(l);
    if (f && f.faces) return f.faces[faces === 4 ? 4 : 5][value - 1];
  }
  return String(value);
}

// A survey's text (an i18n map, or a plain string) in lang; a plain
// variant without its own text reads its language's, then the survey's
// languages in order.
export function pickText(value, lang, langs = []) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  for (const l of [lang, isPlain(lang) ? baseOf(lang) : null, ...langs])
    if (l && value[l]) return value[l];
  return Object.values(value).find((v) => typeof v === 'string' && v) || '';
}

/* ------------------------------------------------------------ speech */

// A voice for lang that runs on the device (localService): reading
// aloud never sends the question, or anything else, over the network. A
// plain variant is read with its language's voice, slower.
export function voiceFor(lang) {
  const synth = globalThis.speechSynthesis;
  if (!synth || typeof synth.getVoices !== 'function') return null;
  const base = baseOf(lang).toLowerCase();
  const ok = synth.getVoices().filter((v) => v.localService &&
    String(v.lang || '').toLowerCase().replace('_', '-').split('-')[0] === base);
  return ok.find((v) => v.default) || ok[0] || null;
}

// Read text aloud in lang; false when there is no voice for it.
export function speak(text, lang) {
  const voice = voiceFor(lang);
  if (!voice) return false;
  const synth = globalThis.speechSynthesis;
  synth.cancel();
  const u = new SpeechSynthesisUtterance(text);
  u.voice = voice;
  u.lang = voice.lang;
  if (isPlain(lang)) u.rate = 0.85;
  synth.speak(u);
  return true;
}

export function stopSpeaking() {
  const synth = globalThis.speechSynthesis;
  if (synth && typeof synth.cancel === 'function') synth.cancel();
}

// fn() whenever the browser's list of voices changes (it fills in late).
export function onVoicesChanged(fn) {
  const synth = globalThis.speechSynthesis;
  if (synth && typeof synth.addEventListener === 'function') synth.addEventListener('voiceschanged', fn);
}
