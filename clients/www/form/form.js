// form.js — the web form of a link or invitation collector, /f/<slug>:
// the privacy notice first, then the questions, checked here and by the
// server, whose errors are put next to the question they are about, in
// the survey's language. On a wide screen every question is on one page;
// on a phone one question per screen, with its place in the survey and
// Back and Next. The screens are screens.js's (the survey builder's
// preview draws them too); this file loads the form, sends the answers
// and says what the server answered. An invitation's personal link
// carries its code in the URL's fragment (#code=...), which the browser
// never sends: the form fills it in and takes it out of the address bar.
// A typed code is checked by its check symbol as it is typed (codes.js),
// before any request; whether it is unused the server tells only by
// using it.

import { api, ApiError, NetworkError, newId } from '/assets/api.js';
import {
  loadLangs, onVoicesChanged, pickText as pick, stopSpeaking, SURVEY_LANGS, translate as tr, voiceFor,
} from '/assets/lang.js';
import {
  answered, checkQuestion, drawForm, followLang, formLangs, newVisit, showErrors,
} from './screens.js';

// One question per screen below this width (a phone), the whole form
// above it.
const PAGED = window.matchMedia('(max-width: 600px)');

// The visit (screens.js) and what only this page knows of it.
const st = {
  ...newVisit('fi'),
  step: 'loading',
  slug: '',
  data: null, // the public view: {survey, privacy, unit, invitation_required}
  responseId: newId(),
  loadRetry: false,
};

const t = (key, vars) => tr(st.lang)(key, vars);

// The form as screens.js draws it: this page, on a phone or not.
function view() {
  return {
    doc: document, data: st.data, v: st, paged: PAGED.matches, framed: false,
    draw: render, send, setLang, retry: st.loadRetry ? load : null,
  };
}

/* ------------------------------------------------------------ render */

async function setLang(l) {
  await loadLangs([l]).catch(() => {});
  st.lang = l;
  stopSpeaking();
  followLang(view());
  render();
}

// The thank-you screen takes the focus whenever it is drawn.
function render(focusId) {
  drawForm(view(), focusId || (st.step === 'done' ? 'done-title' : ''));
}

/* ------------------------------------------------------------ submit */

function contact() {
  // Without its closing full stop: the message puts its own.
  return pick(st.data.privacy && st.data.privacy.contact, st.lang, formLangs(st.data)).replace(/[.\s]+$/, '');
}

// The answers passed screens.js's checks: send them.
async function send() {
  const s = st.data.survey;
  const answers = {};
  for (const q of s.questions) if (answered(st, q)) answers[q.id] = st.answers[q.id];
  const body = { id: st.responseId, lang: st.lang, answers, version: s.version };
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
  showErrors(view());
}

// The message for a server error about one question, in the survey's
// language: the server names the question, we say what is wrong with it.
function serverQuestionMessage(q) {
  return checkQuestion(view(), q) || t('errCheck');
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
  const q = st.data.survey.questions.find((x) => x.id === field);
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
    const langs = formLangs(st.data);
    if (!langs.includes(st.lang)) st.lang = langs[0] || 'fi';
    await loadLangs(langs);
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
