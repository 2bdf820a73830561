// shared.js — helpers the dashboard's views share. A view module imports
// from here, never from app.js: app.js imports the views, and what a view
// needs of the frame (the session, the strings, refreshShared) comes in
// the app object it is given.

import { ApiError } from '/assets/api.js';
import { h } from '/assets/dom.js';

// An error of a form's request as a notice: the field the server named
// with its message, else a short message for the error. A code with a
// string of its own (error_CODE) is told in the interface language; the
// server's messages are English.
export function errorBox(app, err) {
  const field = err instanceof ApiError && err.field ? err.field : '';
  const key = err instanceof ApiError && err.code ? `error_${err.code}` : '';
  const local = key ? app.t(key) : key;
  const msg = local && local !== key ? local : err.message;
  return h('div', { class: 'notice error', role: 'alert' },
    h('p', { class: 'error-field', dataset: { field } },
      field ? app.t('fieldError', { field, msg }) : app.errorText(err)));
}
