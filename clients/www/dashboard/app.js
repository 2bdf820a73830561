// app.js — the managers' dashboard: login, the frame (navigation, language,
// log out) and a hash router over the views. The session token lives in
// sessionStorage only: it dies with the tab, and nothing identifying is
// stored anywhere else.

import { api, ApiError, NetworkError } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import { LANG_NAMES, LANGS, pick, translator } from '/assets/i18n.js';
import { STRINGS } from './strings.js';
import { renderResults } from './results.js';
import { renderSurveys } from './builder.js';
import { renderCollectors } from './fleet.js';
import { renderUsers } from './users.js';
import { renderPassword } from './account.js';
import { hasPending, renderSetPassword, takeToken } from './setpassword.js';
import { renderUnits } from './units.js';

const KEY_TOKEN = 'palaute.dashboard.token';
const KEY_LANG = 'palaute.dashboard.lang';
const tr = translator(STRINGS);

export const app = {
  token: sessionStorage.getItem(KEY_TOKEN),
  user: null,
  lang: 'fi',
  units: [],
  surveys: [],
  notice: '',
  t(key, vars) {
    return tr(app.lang)(key, vars);
  },
  text(value) {
    return pick(value, app.lang);
  },
  // An API call with the session; a 401 ends the session and shows login.
  async call(path, opts = {}) {
    try {
      return await api(path, { ...opts, token: app.token });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && app.token) {
        endSession(app.t('sessionEnded'));
      }
      throw err;
    }
  },
  // A short message for an error, in the interface language.
  errorText(err) {
    if (err instanceof NetworkError) return app.t('offline');
    if (err instanceof ApiError && err.status === 403) return app.t('forbidden');
    return app.t('failed', { msg: err.message || String(err) });
  },
  unitName(id) {
    const u = app.units.find((x) => x.id === id);
    return u ? app.text(u.name) : `#${id}`;
  },
  surveyTitle(id) {
    const s = app.surveys.find((x) => x.id === id);
    return s ? app.text(s.title) : `#${id}`;
  },
  isAdmin() {
    return app.user && app.user.role === 'admin';
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  rerender: () => route(),
  // The units and surveys again, after a view changed them.
  refreshShared: () => loadShared(),
};

const $ = (id) => document.getElementById(id);

/* ------------------------------------------------------------ frame */

function renderFrame() {
  document.documentElement.lang = app.lang;
  document.title = app.t('appName');
  $('skip').textContent = app.t('skip');
  $('brand').textContent = app.t('appName');
  fill($('langs'), LANGS.map((l) => h('button', {
    type: 'button', lang: l, class: 'secondary', 'aria-pressed': String(l === app.lang),
    onclick: () => {
      app.lang = l;
      localStorage.setItem(KEY_LANG, l);
      renderFrame();
      route();
    },
  }, LANG_NAMES[l])));
  $('langs').setAttribute('aria-label', app.t('language'));
  const nav = $('nav');
  const who = $('who');
  if (!app.user) {
    fill(nav);
    nav.hidden = true;
    fill(who);
    return;
  }
  nav.hidden = false;
  nav.setAttribute('aria-label', app.t('mainNav'));
  const items = [['#/results', 'navResults']];
  if (app.isAdmin())
    items.push(['#/surveys', 'navSurveys'], ['#/units', 'navUnits'], ['#/collectors', 'navCollectors'], ['#/users', 'navUsers']);
  const current = (location.hash || '#/results').split('?')[0].split('/').slice(0, 2).join('/');
  fill(nav, h('ul', null, items.map(([href, key]) => h('li', null,
    h('a', { href, 'aria-current': current === href ? 'page' : null }, app.t(key))))));
  fill(who,
    h('span', { class: 'who-name' }, `${app.user.username} (${app.t(app.isAdmin() ? 'roleAdmin' : 'roleManager')})`),
    h('a', { href: '#/password', id: 'own-password', class: 'button secondary' }, app.t('changePassword')),
    h('button', { type: 'button', class: 'secondary', id: 'logout', onclick: logout }, app.t('logout')));
}

/* ------------------------------------------------------------ login */

function renderLogin(message) {
  const main = $('main');
  const err = h('p', { id: 'login-error', class: 'error-text', role: 'alert' }, message || '');
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button', { type: 'submit', id: 'login-btn' }, app.t('login'));
  fill(main, h('section', { class: 'login card' },
    h('h1', null, app.t('loginTitle')),
    h('p', { class: 'muted' }, app.t('loginLead')),
    h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        btn.disabled = true;
        btn.textContent = app.t('loggingIn');
        try {
          const res = await api('/api/v1/session', { body: { username: user.value.trim(), password: pass.value } });
          pass.value = '';
          app.token = res.data.token;
          app.user = res.data.user;
          sessionStorage.setItem(KEY_TOKEN, app.token);
          await loadShared();
          renderFrame();
          if (!location.hash || location.hash === '#/login') location.hash = '#/results';
          else route();
        } catch (e) {
          pass.value = '';
          btn.disabled = false;
          btn.textContent = app.t('login');
          if (e instanceof ApiError && e.status === 401) err.textContent = app.t('badLogin');
          else if (e instanceof ApiError && e.status === 429) err.textContent = app.t('tooManyLogins', { n: e.retryAfter || 60 });
          else err.textContent = app.errorText(e);
          pass.focus();
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'username' }, app.t('username')), user),
    h('div', { class: 'field' }, h('label', { for: 'password' }, app.t('password')), pass),
    err,
    btn)));
  user.focus();
}

async function logout() {
  try {
    await api('/api/v1/session', { method: 'DELETE', token: app.token });
  } catch {
    // The session ends here either way.
  }
  endSession('');
}

function endSession(message) {
  app.token = null;
  app.user = null;
  app.units = [];
  app.surveys = [];
  sessionStorage.removeItem(KEY_TOKEN);
  renderFrame();
  renderLogin(message);
}

/* ------------------------------------------------------------ data */

async function loadShared() {
  const [units, surveys] = await Promise.all([
    app.call('/api/v1/units'),
    app.call('/api/v1/surveys'),
  ]);
  app.units = units.data.units || [];
  app.surveys = surveys.data.surveys || [];
}

/* ------------------------------------------------------------ routes */

// A set-password link opened: its form, whoever is logged in; then the
// login (or the view) with the word that the password is set.
function setPasswordDone(message) {
  const note = () => $('main').prepend(h('p', { class: 'notice ok', role: 'status', id: 'setpw-done' }, message));
  if (app.user) route().then(note);
  else {
    renderLogin('');
    note();
  }
}

async function route() {
  takeToken();
  if (hasPending()) {
    renderFrame();
    $('main').dataset.view = 'set-password';
    renderSetPassword(app, $('main'), setPasswordDone);
    return;
  }
  if (!app.user) {
    renderLogin('');
    return;
  }
  renderFrame();
  const [path, query] = (location.hash.slice(1) || '/results').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query || '');
  const main = $('main');
  main.dataset.view = parts[0] || 'results';
  try {
    switch (parts[0]) {
      case 'surveys':
        if (!app.isAdmin()) return app.go('#/results');
        await renderSurveys(app, main, parts[1], params);
        break;
      case 'units':
        if (!app.isAdmin()) return app.go('#/results');
        await renderUnits(app, main, params);
        break;
      case 'collectors':
        if (!app.isAdmin()) return app.go('#/results');
        await renderCollectors(app, main);
        break;
      case 'users':
        if (!app.isAdmin()) return app.go('#/results');
        await renderUsers(app, main);
        break;
      case 'password':
        renderPassword(app, main);
        break;
      default:
        await renderResults(app, main, params);
    }
  } catch (err) {
    if (app.user) fill(main, h('p', { class: 'notice error', role: 'alert' }, app.errorText(err)));
  }
}

async function start() {
  takeToken(); // first: out of the address bar before anything else
  const saved = localStorage.getItem(KEY_LANG);
  const nav = (navigator.language || 'fi').slice(0, 2);
  app.lang = LANGS.includes(saved) ? saved : LANGS.includes(nav) ? nav : 'fi';
  window.addEventListener('hashchange', route);
  renderFrame();
  if (app.token) {
    try {
      const res = await api('/api/v1/session', { token: app.token });
      app.user = res.data.user;
      await loadShared();
    } catch {
      app.token = null;
      app.user = null;
      sessionStorage.removeItem(KEY_TOKEN);
    }
  }
  renderFrame();
  route();
}

start();
