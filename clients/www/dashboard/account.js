// account.js — the signed-in user's own account: changing their password.
// The current password is asked again, so that a session left open on a
// shared computer cannot take the account over; the daemon ends the
// user's other sessions, this one goes on.

import { ApiError } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import { destroyCharts } from './charts.js';
import { errorBox } from './shared.js';

export function renderPassword(app, main) {
  destroyCharts();
  const status = h('div', { id: 'password-status', 'aria-live': 'polite' });
  const current = h('input', { id: 'p-current', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { id: 'p-new', type: 'password', autocomplete: 'new-password', required: true, minlength: 12, 'aria-describedby': 'p-new-help' });
  const again = h('input', { id: 'p-again', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 });
  const form = h('form', {
    class: 'inline-form', id: 'password-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (next.value !== again.value) {
        fill(status, h('p', { class: 'notice error', role: 'alert' }, app.t('passwordsDiffer')));
        again.focus();
        return;
      }
      const body = { password: current.value, new_password: next.value };
      current.value = next.value = again.value = '';
      try {
        await app.call('/api/v1/session/password', { body });
        fill(status, h('p', { class: 'notice ok', role: 'status' }, app.t('passwordChanged')));
      } catch (err) {
        if (err instanceof ApiError && err.status === 429)
          fill(status, h('p', { class: 'notice error', role: 'alert' }, app.t('tooManyLogins', { n: err.retryAfter || 60 })));
        else
          fill(status, errorBox(app, err));
        current.focus();
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'p-current' }, app.t('currentPassword')), current),
  h('div', { class: 'field' }, h('label', { for: 'p-new' }, app.t('newPassword')), next,
    h('p', { id: 'p-new-help', class: 'muted' }, app.t('newPasswordHelp'))),
  h('div', { class: 'field' }, h('label', { for: 'p-again' }, app.t('newPasswordAgain')), again),
  h('div', { class: 'field buttons' }, h('button', { type: 'submit', id: 'change-password' }, app.t('changePassword'))));
  fill(main, h('section', { class: 'card' }, h('h1', null, app.t('changePassword')), form, status));
  current.focus();
}
