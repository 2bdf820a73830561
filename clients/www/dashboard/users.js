// users.js — the admin's users page: create a user (by default with a
// one-time set-password link rather than a password the admin types),
// change a manager's units in the searchable unit tree, make a new
// set-password link for someone who has lost theirs, delete a user. A
// link is shown once, to copy: the server keeps only its hash.

import { h, fill } from '/assets/dom.js';
import { destroyCharts } from './charts.js';
import { table } from './admin.js';
import { errorBox } from './shared.js';
import { unitPicker } from './unitpicker.js';

function when(app, iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  const locale = app.lang === 'sv' ? 'sv-FI' : app.lang === 'en' ? 'en-GB' : 'fi-FI';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// The link to hand over, once: a read-only field to copy from, a copy
// button, how long it works.
export function linkBox(app, username, link) {
  const url = location.origin + link.url;
  const field = h('input', {
    id: 'password-link-url', class: 'link-url', readonly: true, value: url,
    'aria-describedby': 'password-link-help', spellcheck: 'false',
    onfocus: (ev) => ev.currentTarget.select(),
  });
  const copied = h('span', { class: 'copied', role: 'status' });
  const copy = h('button', {
    type: 'button', id: 'copy-link', class: 'secondary',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(url);
      } catch {
        // No clipboard permission: select it for Ctrl+C.
        field.focus();
        field.select();
        copied.textContent = app.t('linkSelect');
        return;
      }
      copied.textContent = app.t('linkCopied');
    },
  }, app.t('copyLink'));
  const box = h('div', { class: 'created card-inner link-box', id: 'password-link', tabindex: '-1', 'aria-labelledby': 'password-link-title' },
    h('h3', { id: 'password-link-title' }, app.t('linkFor', { name: username })),
    h('div', { class: 'field' }, h('label', { for: field.id }, app.t('linkLabel')), field),
    h('p', { class: 'actions' }, copy, copied),
    h('p', { id: 'password-link-help', class: 'muted' }, app.t('linkHelp', { when: when(app, link.expires_at) })));
  return box;
}

function say(id, ...nodes) {
  const el = document.getElementById(id);
  if (el) fill(el, ...nodes);
  return el;
}

export async function renderUsers(app, main) {
  destroyCharts();
  await app.refreshShared();
  const res = await app.call('/api/v1/users');
  const users = res.data.users || [];
  const status = h('div', { id: 'user-status', 'aria-live': 'polite' });
  const name = h('input', { id: 'u-name', autocomplete: 'off', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { id: 'u-pass', type: 'password', autocomplete: 'new-password', minlength: 12, 'aria-describedby': 'u-pass-help' });
  const passField = h('div', { class: 'field', id: 'u-pass-field' }, h('label', { for: 'u-pass' }, app.t('password')), pass,
    h('p', { id: 'u-pass-help', class: 'muted' }, app.t('passwordHelp')));
  const how = (value, key, checked) => h('label', { class: 'check' },
    h('input', { type: 'radio', name: 'u-how', id: `u-how-${value}`, value, checked, onchange: () => sync() }), ` ${app.t(key)}`);
  const howBox = h('fieldset', { class: 'how-password' },
    h('legend', null, app.t('howPassword')),
    how('link', 'howLink', true),
    how('password', 'howTyped', false));
  const sync = () => {
    const typed = howBox.querySelector('input:checked').value === 'password';
    passField.hidden = !typed;
    pass.required = typed;
    if (!typed) pass.value = '';
  };
  const role = h('select', { id: 'u-role', onchange: () => { picker.el.hidden = role.value !== 'manager'; } },
    h('option', { value: 'manager' }, app.t('roleManager')), h('option', { value: 'admin' }, app.t('roleAdmin')));
  const picker = unitPicker(app, { id: 'u-units', help: app.t('userUnitsHelp') });
  const form = h('form', {
    class: 'inline-form', id: 'new-user',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = { username: name.value.trim(), role: role.value };
      if (!passField.hidden) body.password = pass.value;
      if (role.value === 'manager') body.units = picker.value();
      try {
        const r = await app.call('/api/v1/users', { body });
        pass.value = '';
        await renderUsers(app, main);
        const link = r.data && r.data.password_link;
        say('user-status', h('p', { class: 'notice ok', role: 'status' }, app.t('userCreated', { name: body.username })));
        if (link) {
          say('link-slot', linkBox(app, body.username, link));
          document.getElementById('password-link')?.focus();
        }
      } catch (err) {
        pass.value = '';
        fill(status, errorBox(app, err));
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'u-name' }, app.t('username')), name),
  h('div', { class: 'field' }, h('label', { for: 'u-role' }, app.t('role')), role),
  howBox, passField,
  picker.el,
  h('div', { class: 'field buttons' }, h('button', { type: 'submit', id: 'create-user' }, app.t('create'))));
  sync();
  const editor = h('div', { id: 'user-editor' });
  const rows = users.map((u) => h('tr', { dataset: { user: u.id } },
    h('th', { scope: 'row' }, u.username),
    h('td', null, app.t(u.role === 'admin' ? 'roleAdmin' : 'roleManager')),
    h('td', null, (u.units || []).map((id) => app.unitName(id)).join(', ') || app.t('none')),
    h('td', null, u.created || ''),
    h('td', { class: 'row-actions' },
      h('button', {
        type: 'button', class: 'secondary edit-user', onclick: () => {
          fill(editor, userEditor(app, main, u));
          editor.querySelector('h2')?.focus();
        },
      }, app.t('edit'), h('span', { class: 'visually-hidden' }, ` ${u.username}`)),
      h('button', {
        type: 'button', class: 'secondary reset-link', onclick: async () => {
          try {
            const r = await app.call(`/api/v1/users/${u.id}/password-link`, { method: 'POST' });
            say('user-status', h('p', { class: 'notice ok', role: 'status' }, app.t('linkMade', { name: u.username })));
            say('link-slot', linkBox(app, u.username, r.data));
            document.getElementById('password-link')?.focus();
          } catch (err) {
            fill(status, errorBox(app, err));
          }
        },
      }, app.t('resetPassword'), h('span', { class: 'visually-hidden' }, ` ${u.username}`)),
      app.user && u.id === app.user.id ? null : h('button', {
        type: 'button', class: 'danger', onclick: async () => {
          if (!window.confirm(app.t('confirmDelete', { name: u.username }))) return;
          try {
            await app.call(`/api/v1/users/${u.id}`, { method: 'DELETE' });
            await renderUsers(app, main);
          } catch (err) {
            fill(status, errorBox(app, err));
          }
        },
      }, app.t('delete'), h('span', { class: 'visually-hidden' }, ` ${u.username}`)))));
  fill(main,
    h('section', { class: 'card' }, h('h1', null, app.t('usersTitle')),
      h('h2', null, app.t('newUser')), form, status, h('div', { id: 'link-slot' })),
    h('section', { class: 'card', 'aria-labelledby': 'users-list-title' },
      h('h2', { id: 'users-list-title' }, app.t('usersList')),
      table([app.t('username'), app.t('role'), app.t('units'), app.t('created'), app.t('actions')], rows, 'users-table'),
      editor));
}

// A manager's units and anyone's password, changed with one PATCH: only
// what was filled in is sent, and a new password ends their sessions.
// (A set-password link, from the list, is the way that needs no typing.)
function userEditor(app, main, u) {
  const status = h('div', { id: 'edit-status', 'aria-live': 'polite' });
  const pass = h('input', { id: 'e-pass', type: 'password', autocomplete: 'new-password', minlength: 12, 'aria-describedby': 'e-pass-help' });
  const picker = u.role !== 'manager' ? null : unitPicker(app, { id: 'e-units', selected: u.units || [] });
  return h('form', {
    class: 'inline-form', id: 'edit-user',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = {};
      if (picker) body.units = picker.value();
      if (pass.value) body.password = pass.value;
      pass.value = '';
      try {
        await app.call(`/api/v1/users/${u.id}`, { method: 'PATCH', body });
        await renderUsers(app, main);
        say('user-status', h('p', { class: 'notice ok', role: 'status' }, app.t('userUpdated', { name: u.username })));
      } catch (err) {
        fill(status, errorBox(app, err));
      }
    },
  },
  h('h2', { tabindex: '-1' }, app.t('editUser', { name: u.username })),
  picker ? picker.el : null,
  h('div', { class: 'field' }, h('label', { for: 'e-pass' }, app.t('newPassword')), pass,
    h('p', { id: 'e-pass-help', class: 'muted' }, app.t('resetPasswordHelp'))),
  h('div', { class: 'field buttons' },
    h('button', { type: 'submit', id: 'save-user' }, app.t('save')),
    h('button', { type: 'button', class: 'secondary', onclick: () => renderUsers(app, main) }, app.t('cancel'))),
  status);
}
