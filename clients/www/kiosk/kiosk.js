// kiosk.js — the lobby tablet: enrolled once with a one-time code, then one
// question per screen, offline first. One tap counts: a visit's response
// is kept on the tablet (queue.js) as soon as its required questions are
// answered, the follow-ups are optional and join it under the same id, and
// it is sent once, when the respondent finishes or walks away (the idle
// reset). A typed comment is never dropped without a word: walking away
// from one brings up a prompt first.

import { api, ApiError, NetworkError, newId, today } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import {
  dirOf, loadLangs, onVoicesChanged, pickText as pick, SETUP_LANGS, stopSpeaking, SURVEY_LANGS,
  translate as tr, voiceFor,
} from '/assets/lang.js';
import { Queue } from './queue.js';
import {
  ADVANCE_MS, drawChrome, openPrivacy as showPrivacy, questionScreen as screenOf, thanksScreen, unavailableScreen,
} from './screens.js';

const KEY_TOKEN = 'palaute.kiosk.token';
const KEY_CONFIG = 'palaute.kiosk.config';

// Taps that land within this long after a screen appeared belong to the
// previous screen (a double tap), not to this one.
const SETTLE_MS = 600;
// The thank-you screen: long enough to read and to swallow a child's
// repeated taps, never longer than the survey's idle reset.
const THANKS_MAX_MS = 6000;
const THANKS_MIN_MS = 3000;
// Someone who walked away from a typed comment is asked for this long
// whether they are still there, at most the idle time itself.
const PROMPT_MAX_S = 20;
// A comment is kept on the tablet this long after the last keystroke.
const TYPING_MS = 400;
// Responses the server accepts: at most this many per batch, days at most
// this old (DESIGN.md section 7).
const BATCH_MAX = 500;
const MAX_AGE_DAYS = 14;

const queue = new Queue();

const st = {
  phase: 'loading',
  token: null,
  config: null, // {survey, unit, survey_id, idle}
  uiLang: 'fi',
  lang: 'fi',
  qi: 0,
  answers: {},
  // The visit: one response, one id, from the first screen to the reset.
  visit: { id: '', stored: false, closed: true },
  promptAt: 0,
  typingTimer: 0,
  shownAt: 0,
  locked: false,
  lastActivity: Date.now(),
  thanksTimer: 0,
  enrollError: '',
  flushing: false,
  backoff: 0,
  retryTimer: 0,
};

const $ = (id) => document.getElementById(id);

function t(key, vars) {
  return tr(st.phase === 'enroll' ? st.uiLang : st.lang)(key, vars);
}

function survey() {
  return st.config && st.config.survey;
}

function questions() {
  return (survey() && survey().questions) || [];
}

function languages() {
  const ls = st.phase === 'enroll' || !survey() ? SETUP_LANGS : survey().languages || ['fi'];
  return ls.filter((l) => SURVEY_LANGS.includes(l));
}

function firstLang() {
  return languages()[0] || 'fi';
}

/* ------------------------------------------------------------ chrome */

function renderChrome() {
  const lang = st.phase === 'enroll' ? st.uiLang : st.lang;
  const s = survey();
  const shown = Boolean(s) && st.phase !== 'enroll';
  drawChrome(document, {
    lang, title: shown ? pick(s.title, lang, s.languages) : t('appName'), langs: languages(), privacy: shown,
    t, onLang: setLang,
  });
}

async function setLang(l) {
  await loadLangs([l]).catch(() => {});
  if (st.phase === 'enroll') st.uiLang = l;
  else st.lang = l;
  stopSpeaking();
  render();
}

function openPrivacy() {
  const s = survey();
  if (s) showPrivacy($('privacy-dialog'), s, st.lang, t);
}

async function updateDot() {
  // Only what waits to be sent: the visit going on is not waiting.
  const n = await queue.all().then((all) => all.filter((it) => !it.open).length).catch(() => 0);
  const dot = $('queue-dot');
  dot.hidden = n === 0;
  dot.dataset.count = String(n);
  dot.title = tr(st.uiLang)('queued', { n });
}

/* ------------------------------------------------------------ screens */

function render() {
  renderChrome();
  const main = $('main');
  st.shownAt = performance.now();
  st.locked = false;
  switch (st.phase) {
    case 'loading':
      fill(main, h('p', { class: 'loading' }, t('loading')));
      break;
    case 'enroll':
      fill(main, enrollScreen());
      break;
    case 'question':
      fill(main, questionScreen());
      break;
    case 'thanks':
      fill(main, thanksScreen(t));
      break;
    default:
      fill(main, unavailableScreen(t));
  }
  main.dataset.phase = st.phase;
}

function enrollScreen() {
  const input = h('input', {
    id: 'enroll-code', name: 'code', autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: 'false', required: true, 'aria-describedby': 'enroll-help enroll-error',
    'aria-invalid': st.enrollError ? 'true' : null,
  });
  const form = h('form', {
    class: 'enroll-form',
    onsubmit: (ev) => {
      ev.preventDefault();
      enroll(input.value.trim());
    },
  },
  h('label', { for: 'enroll-code' }, t('enrollCode')),
  input,
  h('p', { id: 'enroll-error', class: 'error-text', role: 'alert' }, st.enrollError),
  h('button', { type: 'submit' }, t('enrollButton')));
  return h('section', { class: 'screen enroll' },
    h('h1', null, t('enrollTitle')),
    h('p', { id: 'enroll-help' }, t('enrollHelp')),
    form);
}

// The visit as screens.js sees it.
function questionScreen() {
  return screenOf({
    survey: survey(), qi: st.qi, lang: st.lang, answers: st.answers, t,
    accepting, settled: () => performance.now() - st.shownAt >= SETTLE_MS,
    choose, changed: () => keep(), typing, skip, back: goBack, next: advance,
  });
}

// A tap is taken only when the screen has settled and no answer is
// already on its way to the next screen.
function accepting() {
  return !st.locked && performance.now() - st.shownAt >= SETTLE_MS;
}

function choose(q, value) {
  st.answers[q.id] = value;
  keep();
  st.locked = true;
  setTimeout(advance, ADVANCE_MS);
}

// A comment is kept on the tablet a moment after the last keystroke.
function typing() {
  clearTimeout(st.typingTimer);
  st.typingTimer = setTimeout(keep, TYPING_MS);
}

function skip(q) {
  if (!accepting()) return;
  // A typed comment is not skipped away (its Skip button is hidden).
  if (q.type === 'text' && typeof st.answers[q.id] === 'string' && st.answers[q.id].trim() !== '') return;
  delete st.answers[q.id];
  keep();
  advance();
}

function goBack() {
  if (st.qi > 0) {
    st.qi -= 1;
    render();
  }
}

function advance() {
  const qs = questions();
  if (st.qi < qs.length - 1) {
    st.qi += 1;
    render();
    return;
  }
  finish();
}

/* ------------------------------------------------------------ submit */

function collectAnswers() {
  const out = {};
  for (const q of questions()) {
    const v = st.answers[q.id];
    if (v === undefined || v === null) continue;
    if (q.type === 'text' && (typeof v !== 'string' || v.trim() === '')) continue;
    if (q.type === 'multi' && (!Array.isArray(v) || v.length === 0)) continue;
    out[q.id] = v;
  }
  return out;
}

// A response counts once every required question has an answer (and
// something was answered at all).
function countable(answers) {
  if (Object.keys(answers).length === 0) return false;
  return questions().every((q) => !q.required || answers[q.id] !== undefined);
}

// Writes to the queue, one after the other, in the order they were made.
let keeping = Promise.resolve();

// Keep the visit's response on the tablet as it stands: put under the
// visit's id while it counts, taken out again if it stops counting (a
// required multi-choice untoggled). open: true until the visit ends, so
// that nothing sends half a response.
function keep(open = true) {
  clearTimeout(st.typingTimer);
  const v = st.visit;
  if (v.closed || !st.config) return keeping;
  if (!open) v.closed = true;
  const answers = collectAnswers();
  const counts = countable(answers);
  const was = v.stored;
  v.stored = counts;
  const item = counts ? {
    id: v.id, day: today(), lang: st.lang, answers, version: survey().version,
    survey: st.config.survey_id, unit: st.config.unit, open,
  } : null;
  keeping = keeping.then(async () => {
    if (item) await queue.put(item);
    else if (was) await queue.remove([v.id]);
  }).catch((err) => console.error('palaute: cannot keep a response', err));
  return keeping;
}

// The visit is over (finished, or walked away from): its response, if it
// counts, is closed and sent.
async function endVisit() {
  if (st.visit.closed) return;
  const counts = countable(collectAnswers());
  await keep(false);
  if (!counts) return;
  await updateDot();
  flush();
}

function newVisit() {
  st.visit = { id: newId(), stored: false, closed: false };
}

function finish() {
  closePrompt();
  st.phase = 'thanks';
  render();
  clearTimeout(st.thanksTimer);
  const idleMs = st.config.idle * 1000;
  st.thanksTimer = setTimeout(resetToStart, Math.max(THANKS_MIN_MS, Math.min(THANKS_MAX_MS, idleMs)));
  return endVisit();
}

function resetToStart() {
  clearTimeout(st.thanksTimer);
  closePrompt();
  const dlg = $('privacy-dialog');
  if (dlg.open) dlg.close();
  endVisit();
  newVisit();
  st.answers = {};
  st.qi = 0;
  stopSpeaking();
  st.phase = 'question';
  st.lang = firstLang();
  render();
}

/* ------------------------------------------------------------ viewport */

// The on-screen keyboard: Chrome on Android resizes the page for it
// (interactive-widget in index.html), Safari on an iPad only shrinks the
// visual viewport and leaves the page under the keys. Fit the page to
// what is visible, so that the comment and its Send button stay in view.
function fitViewport() {
  const vv = window.visualViewport;
  if (!vv) return;
  const full = document.documentElement.clientHeight;
  // A pinch zoom shrinks the visual viewport too, but scales it.
  const keys = vv.scale <= 1.01 && vv.height < full * 0.85;
  const root = document.documentElement.style;
  root.setProperty('--vv-top', `${Math.round(vv.offsetTop)}px`);
  root.setProperty('--vv-height', `${Math.round(vv.height)}px`);
  document.body.classList.toggle('keyboard', keys);
  const a = document.activeElement;
  if (keys && a && a.matches('textarea, input')) a.scrollIntoView({ block: 'nearest' });
}

/* ------------------------------------------------------------ idle */

function touched() {
  st.lastActivity = Date.now();
}

function typedComment() {
  return questions().some((q) => q.type === 'text' && typeof st.answers[q.id] === 'string' && st.answers[q.id].trim() !== '');
}

function promptSeconds() {
  return Math.min(PROMPT_MAX_S, st.config.idle);
}

// Someone walked away from a comment, or stopped to think: the screen is
// covered (the next person does not read it) and asks; without an answer
// the response is sent, comment and all, as the prompt says.
function openPrompt() {
  const dlg = $('idle-dialog');
  st.promptAt = Date.now();
  const counts = countable(collectAnswers());
  fill(dlg,
    h('div', { class: 'dialog-body' },
      h('h2', { id: 'idle-title' }, t('idleTitle')),
      h('p', { id: 'idle-text', dataset: { key: counts ? 'idleSend' : 'idleDrop' } },
        t(counts ? 'idleSend' : 'idleDrop', { n: promptSeconds() }))),
    h('div', { class: 'dialog-actions' },
      counts ? h('button', { type: 'button', class: 'secondary', id: 'idle-send', onclick: () => finish() }, t('sendNow')) : null,
      h('button', { type: 'button', id: 'idle-continue', autofocus: true, onclick: () => { closePrompt(); touched(); } }, t('continueWriting'))));
  dlg.setAttribute('lang', st.lang);
  dlg.setAttribute('dir', dirOf(st.lang));
  dlg.setAttribute('aria-labelledby', 'idle-title');
  dlg.showModal();
}

function closePrompt() {
  st.promptAt = 0;
  const dlg = $('idle-dialog');
  if (dlg && dlg.open) dlg.close();
}

function idleTick() {
  if (st.phase !== 'question' || !st.config) return;
  if (st.promptAt) {
    const left = promptSeconds() - Math.floor((Date.now() - st.promptAt) / 1000);
    const el = $('idle-text');
    if (el) el.textContent = t(el.dataset.key, { n: Math.max(0, left) });
    if (left <= 0) resetToStart();
    return;
  }
  const dirty = st.qi > 0 || Object.keys(st.answers).length > 0 ||
    $('privacy-dialog').open || st.lang !== firstLang();
  if (!dirty || Date.now() - st.lastActivity < st.config.idle * 1000) return;
  if (typedComment()) openPrompt();
  else resetToStart();
}

/* ------------------------------------------------------------ sending */

function dayAge(day) {
  const d = Date.parse(`${day}T00:00:00Z`);
  return Math.floor((Date.parse(`${today()}T00:00:00Z`) - d) / 86400000);
}

function scheduleRetry(seconds) {
  clearTimeout(st.retryTimer);
  st.retryTimer = setTimeout(flush, seconds * 1000);
}

// Send the queue in batches. What the server took, or refused for good
// (422: it will never be valid), leaves the queue; everything else stays
// and is tried again with a growing pause.
async function flush() {
  if (st.flushing || !st.token || !st.config) return;
  st.flushing = true;
  let again = false;
  try {
    const all = await queue.all();
    // A visit going on is not sent: its response is not whole yet.
    const ready = all.filter((it) => !it.open);
    const stale = ready.filter((it) => it.survey !== st.config.survey_id || it.unit !== st.config.unit || dayAge(it.day) > MAX_AGE_DAYS);
    // Responses of another enrollment or older than the server accepts
    // can never be counted; keeping them would only block the queue.
    await queue.remove(stale.map((it) => it.id));
    const items = ready.filter((it) => !stale.includes(it));
    for (let i = 0; i < items.length; i += BATCH_MAX) {
      const batch = items.slice(i, i + BATCH_MAX);
      const res = await api('/api/v1/kiosk/responses', {
        token: st.token,
        body: {
          responses: batch.map(({ id, day, lang, answers, version }) =>
            (version ? { id, day, lang, answers, version } : { id, day, lang, answers })),
        },
      });
      await queue.remove(settled(batch, res.data));
    }
    st.backoff = 0;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      // The kiosk was revoked: its token and its queue are of no use.
      await revoked();
    } else {
      again = true;
      if (err instanceof ApiError && err.retryAfter) st.backoff = err.retryAfter;
      else st.backoff = Math.min(60, st.backoff ? st.backoff * 2 : 2);
      if (!(err instanceof NetworkError)) console.warn('palaute: sending failed', err);
    }
  } finally {
    st.flushing = false;
  }
  await updateDot();
  if (again) scheduleRetry(st.backoff);
}

// The ids of a batch that are done with: accepted, already counted, or
// refused for good. A reply without per-item results settles the batch.
function settled(batch, data) {
  const results = data && (data.results || data.responses);
  if (!Array.isArray(results)) return batch.map((it) => it.id);
  const ids = [];
  results.forEach((r, i) => {
    const id = r.id || (batch[i] && batch[i].id);
    const status = Number(r.status || 0);
    const ok = status === 0 ? !r.error : status < 500 && status !== 429;
    if (id && (ok || (status >= 400 && status < 500 && status !== 429))) ids.push(id);
  });
  return ids;
}

async function revoked() {
  localStorage.removeItem(KEY_TOKEN);
  localStorage.removeItem(KEY_CONFIG);
  st.token = null;
  st.config = null;
  await queue.clear().catch(() => {});
  st.phase = 'enroll';
  render();
}

/* ------------------------------------------------------------ set-up */

function normalise(data, binding) {
  // The public view: {survey: {id, version, title, ...}, privacy, unit}.
  const inner = data.survey && typeof data.survey === 'object' ? data.survey : data;
  const s = { ...inner, privacy: data.privacy || inner.privacy };
  const kiosk = data.kiosk || s.kiosk || {};
  const idle = Number(data.idle_reset_seconds || kiosk.idle_reset_seconds || 30);
  return {
    survey: s,
    survey_id: s.id || binding.survey_id || null,
    unit: data.unit && typeof data.unit === 'object' ? data.unit.id : data.unit || binding.unit || null,
    idle: Math.max(5, Math.min(600, idle)),
  };
}

async function loadSurvey() {
  const cached = JSON.parse(localStorage.getItem(KEY_CONFIG) || 'null');
  try {
    const res = await api('/api/v1/kiosk/survey', { token: st.token });
    st.config = normalise(res.data, cached || {});
    localStorage.setItem(KEY_CONFIG, JSON.stringify(st.config));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      await revoked();
      return;
    }
    // Offline after a reboot: the survey as it was last seen.
    if (!cached) {
      st.phase = 'broken';
      render();
      setTimeout(loadSurvey, 15000);
      return;
    }
    st.config = cached;
  }
  await loadLangs(survey().languages || []).catch(() => {});
  resetToStart();
  flush();
}

// A survey edited in the dashboard reaches the tablet within the hour,
// and only between respondents: never under someone's finger.
async function refreshSurvey() {
  if (!st.token || !st.config) return;
  try {
    const res = await api('/api/v1/kiosk/survey', { token: st.token });
    const fresh = normalise(res.data, st.config);
    localStorage.setItem(KEY_CONFIG, JSON.stringify(fresh));
    const idle = st.phase === 'question' && st.qi === 0 && Object.keys(st.answers).length === 0;
    await loadLangs(fresh.survey.languages || []);
    if (JSON.stringify(fresh) !== JSON.stringify(st.config) && idle) {
      st.config = fresh;
      resetToStart();
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) await revoked();
  }
}

async function enroll(code) {
  if (!code) {
    st.enrollError = t('enrollBad');
    render();
    $('enroll-code').focus();
    return;
  }
  try {
    const res = await api('/api/v1/kiosk/enroll', { body: { code } });
    const d = res.data || {};
    st.token = d.device_token;
    localStorage.setItem(KEY_TOKEN, st.token);
    localStorage.setItem(KEY_CONFIG, JSON.stringify({
      survey_id: typeof d.survey === 'object' && d.survey ? d.survey.id : d.survey,
      unit: typeof d.unit === 'object' && d.unit ? d.unit.id : d.unit,
    }));
    st.enrollError = '';
    st.phase = 'loading';
    render();
    await loadSurvey();
  } catch (err) {
    if (err instanceof NetworkError) st.enrollError = t('offline');
    else if (err.status === 410) st.enrollError = t('enrollGone');
    else if (err.status === 429) st.enrollError = t('enrollWait', { n: err.retryAfter || 60 });
    else if (err.status === 400 || err.status === 401 || err.status === 404 || err.status === 422) st.enrollError = t('enrollBad');
    else st.enrollError = t('failed');
    st.phase = 'enroll';
    render();
    const input = $('enroll-code');
    if (input) {
      input.value = code;
      input.focus();
    }
  }
}

async function start() {
  $('privacy-btn').addEventListener('click', openPrivacy);
  // Escape on the prompt is "I am still here".
  $('idle-dialog').addEventListener('cancel', () => { st.promptAt = 0; touched(); });
  // A visit the page was reloaded (or the tablet rebooted) in the middle
  // of is over: what it had answered counts.
  await queue.closeOpen().catch(() => 0);
  for (const ev of ['pointerdown', 'keydown', 'input', 'touchstart'])
    document.addEventListener(ev, touched, { passive: true, capture: true });
  setInterval(idleTick, 1000);
  if (window.visualViewport) {
    window.visualViewport.addEventListener('resize', fitViewport);
    window.visualViewport.addEventListener('scroll', fitViewport);
    fitViewport();
  }
  window.addEventListener('online', flush);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) flush(); });
  // A lost 'online' event must not strand the queue.
  setInterval(flush, 60000);
  setInterval(refreshSurvey, 3600000);
  const nav = (navigator.language || 'fi').slice(0, 2);
  st.uiLang = SETUP_LANGS.includes(nav) ? nav : 'fi';
  await loadLangs([st.uiLang]).catch(() => {});
  // Voices fill in late; a voice added or gone shows or hides the button.
  onVoicesChanged(() => {
    const b = document.querySelector('.read-aloud');
    if (b) b.hidden = !voiceFor(st.lang);
  });
  if ('serviceWorker' in navigator)
    navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => {});
  if (navigator.wakeLock) navigator.wakeLock.request('screen').catch(() => {});
  await updateDot();

  // A link from the dashboard carries the code; it works once, so it
  // leaves the address bar (and the history) at once.
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (code) history.replaceState(null, '', location.pathname);
  st.token = localStorage.getItem(KEY_TOKEN);
  if (code) {
    if (st.token) await flush();
    await enroll(code);
    return;
  }
  if (!st.token) {
    st.phase = 'enroll';
    render();
    return;
  }
  render();
  await loadSurvey();
}

start();
