// setpassword.js — the page a one-time set-password link opens
// (/dashboard/#set-password=TOKEN), for someone who is not logged in.
// The token rides in the fragment, which no browser sends to a server;
// it is taken out of the address bar (and so out of the history) before
// anything is drawn, and kept only in this module until it is used.
// The form asks for the new password twice and says the policy in words;
// the server checks the token first, then the policy, and ends the
// user's sessions.

import { api, ApiError, NetworkError } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';

const PREFIX = '#set-password=';
const MIN_CHARS = 12; // core/users.h USERS_PASSWORD_MIN
const MAX_BYTES = 1024; // USERS_PASSWORD_MAX

let pending = '';

// The token of a set-password link in the address, if any: taken, and
// the fragment replaced at once (history.replaceState: no new entry, no
// hashchange), so it neither lingers on the screen nor in the history.
export function takeToken() {
  if (!location.hash.startsWith(PREFIX)) return pending;
  const token = location.hash.slice(PREFIX.length);
  history.replaceState(null, '', location.pathname + location.search);
  pending = /^[A-Za-z0-9_-]{16,128}$/.test(token) ? token : '\u0000bad';
  return pending;
}

export function hasPending() {
  return pending !== '';
}

export function forget() {
  pending = '';
}

// The form, or (for a token that cannot be one) the word that the link
// is not valid. done(message) is called once the password is set.
export function renderSetPassword(app, main, done) {
  const token = pending;
  const status = h('div', { id: 'setpw-status' });
  const policy = h('p', { id: 'setpw-policy', class: 'muted' }, app.t('setPasswordPolicy', { n: MIN_CHARS }));
  if (token.startsWith('\u0000')) {
    fill(main, h('section', { class: 'login card', id: 'set-password' },
      h('h1', null, app.t('setPasswordTitle')),
      h('p', { class: 'notice error', role: 'alert', id: 'setpw-invalid' }, app.t('setPasswordGone')),
      h('p', null, h('a', { href: '#/results', class: 'button secondary', onclick: () => forget() }, app.t('toLogin')))));
    return;
  }
  const next = h('input', {
    id: 'setpw-new', type: 'password', autocomplete: 'new-password', required: true,
    'aria-describedby': 'setpw-policy',
  });
  const again = h('input', { id: 'setpw-again', type: 'password', autocomplete: 'new-password', required: true });
  const btn = h('button', { type: 'submit', id: 'setpw-submit' }, app.t('setPassword'));
  const problem = (msg, input) => {
    fill(status, h('p', { class: 'notice error', role: 'alert', id: 'setpw-error' }, msg));
    for (const i of [next, again]) i.removeAttribute('aria-invalid');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  };
  const form = h('form', {
    id: 'setpw-form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      const pw = next.value;
      // The same rule as the server's: characters, not bytes.
      if ([...pw].length < MIN_CHARS) return problem(app.t('setPasswordShort', { n: MIN_CHARS }), next);
      if (new TextEncoder().encode(pw).length > MAX_BYTES) return problem(app.t('setPasswordLong'), next);
      if (pw !== again.value) return problem(app.t('passwordsDiffer'), again);
      btn.disabled = true;
      try {
        await api('/api/v1/password', { body: { token, password: pw } });
        next.value = again.value = '';
        forget();
        done(app.t('setPasswordDone'));
      } catch (err) {
        btn.disabled = false;
        if (err instanceof ApiError && err.status === 401) {
          next.value = again.value = '';
          forget();
          fill(main, h('section', { class: 'login card', id: 'set-password' },
            h('h1', null, app.t('setPasswordTitle')),
            h('p', { class: 'notice error', role: 'alert', id: 'setpw-invalid' }, app.t('setPasswordGone')),
            h('p', null, h('a', { href: '#/results', class: 'button secondary' }, app.t('toLogin')))));
        } else if (err instanceof ApiError && err.field === 'password') {
          // The rule the server's policy names (error_CODE), in the
          // page's language; the link still works for another try.
          const key = `error_${err.code}`;
          const msg = app.t(key);
          problem(msg !== key ? msg : err.message, next);
        } else if (err instanceof ApiError && err.status === 429) {
          problem(app.t('tooManyLogins', { n: err.retryAfter || 60 }), null);
        } else if (err instanceof NetworkError) {
          problem(app.t('offline'), null);
        } else {
          problem(app.t('setPasswordFailed'), null);
        }
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'setpw-new' }, app.t('newPassword')), next, policy),
  h('div', { class: 'field' }, h('label', { for: 'setpw-again' }, app.t('newPasswordAgain')), again),
  status,
  btn);
  fill(main, h('section', { class: 'login card', id: 'set-password' },
    h('h1', null, app.t('setPasswordTitle')),
    h('p', { class: 'muted' }, app.t('setPasswordLead')),
    form));
  next.focus();
}
