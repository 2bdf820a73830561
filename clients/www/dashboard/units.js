// units.js — the admin's view of the organisation tree: the units in
// parent order, adding one, renaming, moving, pooling a small unit into
// its parent (DESIGN §5) and deleting. The server decides what is allowed
// (no cycles, no pooling without a parent, no deleting a unit with units
// below it, collectors or responses); its errors are shown as they come,
// next to the field they name.

import { ApiError } from '/assets/api.js';
import { h, fill } from '/assets/dom.js';
import { LANGS } from '/assets/i18n.js';
import { destroyCharts } from './charts.js';
import { errorBox } from './shared.js';

// The units depth first, each after its parent: [{u, depth}]. A unit
// whose parent is not in the list stands at the top.
function treeOrder(units) {
  const ids = new Set(units.map((u) => u.id));
  const kids = new Map();
  for (const u of units) {
    const p = u.parent && ids.has(u.parent) ? u.parent : 0;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(u);
  }
  const out = [];
  const walk = (p, depth) => {
    for (const u of kids.get(p) || []) {
      out.push({ u, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(0, 0);
  return out;
}

// Tell something on the freshly drawn page.
function say(id, node) {
  const el = document.getElementById(id);
  if (el) fill(el, node);
}

function ok(text) {
  return h('p', { class: 'notice ok', role: 'status' }, text);
}

// The name, parent and pool inputs of the add form (prefix "unit") and
// of the editor ("edit-unit"). unit is the one edited, or null.
function unitFields(app, order, prefix, unit) {
  const inputs = {};
  const slots = {};
  const field = (key, label, input, ...more) => {
    inputs[key] = input;
    slots[key] = h('div', { class: 'field-error-slot' });
    return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, more, slots[key]);
  };
  const names = LANGS.map((l) => {
    const input = h('input', {
      id: `${prefix}-${l}`, lang: l, autocomplete: 'off', maxlength: 200,
      required: l === 'fi', value: unit && unit.name ? unit.name[l] || '' : '',
    });
    return field(l, app.t(`unitName_${l}`), input);
  });
  // Not the unit itself nor a unit below it: that would make a cycle.
  const at = unit ? order.findIndex((x) => x.u.id === unit.id) : -1;
  let end = at + 1;
  while (at >= 0 && end < order.length && order[end].depth > order[at].depth) end++;
  const choices = at >= 0 ? [...order.slice(0, at), ...order.slice(end)] : order;
  const parent = h('select', { id: `${prefix}-parent` },
    h('option', { value: '' }, app.t('topLevel')),
    choices.map(({ u, depth }) => h('option', { value: u.id, selected: unit ? u.id === unit.parent : false },
      `${'\u00a0\u00a0\u00a0'.repeat(depth)}${app.text(u.name)}`)));
  const pool = h('input', {
    id: `${prefix}-pool`, type: 'checkbox', checked: unit ? unit.pool : false,
    'aria-describedby': `pool-lead ${prefix}-pool-help`,
  });
  inputs.pool = pool;
  slots.pool = h('div', { class: 'field-error-slot' });
  const nodes = [
    names,
    field('parent', app.t('parentUnit'), parent),
    h('div', { class: 'field' },
      h('label', { class: 'check', for: pool.id }, pool, ` ${app.t('poolInto')}`),
      h('p', { id: `${prefix}-pool-help`, class: 'muted' }, app.t('poolHelp')),
      slots.pool),
  ];
  const read = () => {
    const name = {};
    for (const l of LANGS) {
      const v = inputs[l].value.trim();
      if (v) name[l] = v;
    }
    return { name, parent: parent.value ? Number(parent.value) : null, pool: pool.checked };
  };
  const clear = () => {
    for (const [key, slot] of Object.entries(slots)) {
      fill(slot);
      inputs[key].removeAttribute('aria-invalid');
      const desc = (inputs[key].getAttribute('aria-describedby') || '').split(' ')
        .filter((x) => x && x !== `${inputs[key].id}-error`).join(' ');
      if (desc) inputs[key].setAttribute('aria-describedby', desc);
      else inputs[key].removeAttribute('aria-describedby');
    }
  };
  // An error the server pins on a field goes next to it; true if it did.
  const pin = (err) => {
    clear();
    if (!(err instanceof ApiError) || !err.field) return false;
    const key = err.field === 'name' ? 'fi' : err.field.replace(/^name\./, '');
    const input = inputs[key];
    if (!input) return false;
    const id = `${input.id}-error`;
    fill(slots[key], h('p', { id, class: 'error-text error-field', role: 'alert', dataset: { field: err.field } }, app.errorText(err)));
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${id}`.trim());
    input.focus();
    return true;
  };
  return { nodes, read, pin };
}

// params: ?edit=ID opens that unit's editor (the results' pooling
// suggestions link here).
export async function renderUnits(app, main, params) {
  destroyCharts();
  await app.refreshShared();
  const order = treeOrder(app.units);
  const status = h('div', { id: 'unit-status', 'aria-live': 'polite' });
  const listStatus = h('div', { id: 'unit-list-status', 'aria-live': 'polite' });
  const add = unitFields(app, order, 'unit', null);
  const form = h('form', {
    class: 'inline-form', id: 'new-unit',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = add.read();
      fill(status);
      try {
        await app.call('/api/v1/units', { body });
        await renderUnits(app, main);
        say('unit-status', ok(app.t('unitCreated', { name: app.text(body.name) })));
      } catch (err) {
        if (!add.pin(err)) fill(status, errorBox(app, err));
      }
    },
  },
  add.nodes,
  h('div', { class: 'field buttons' }, h('button', { type: 'submit', id: 'add-unit' }, app.t('addUnit'))));
  const editor = h('div', { id: 'unit-editor' });
  const openEditor = (u) => {
    fill(listStatus);
    fill(editor, unitEditor(app, main, order, u));
    editor.querySelector('input')?.focus();
  };
  const rows = order.map(({ u, depth }) => {
    const name = h('th', { scope: 'row', class: 'unit-name' },
      depth ? h('span', { class: 'tree-mark', 'aria-hidden': 'true' }, '└ ') : null, app.text(u.name));
    name.style.paddingLeft = `${0.6 + depth * 1.25}rem`;
    return h('tr', { dataset: { unit: u.id, depth } },
      name,
      h('td', null, u.parent ? app.unitName(u.parent) : app.t('none')),
      h('td', { class: 'pool-mark' }, u.pool ? app.t('yes') : app.t('no')),
      h('td', { class: 'row-actions' },
        h('button', {
          type: 'button', class: 'secondary edit-unit', onclick: () => openEditor(u),
        }, app.t('edit'), h('span', { class: 'visually-hidden' }, ` ${app.text(u.name)}`)),
        h('button', {
          type: 'button', class: 'danger delete-unit', onclick: async () => {
            if (!window.confirm(app.t('confirmDeleteUnit', { name: app.text(u.name) }))) return;
            try {
              await app.call(`/api/v1/units/${u.id}`, { method: 'DELETE' });
              await renderUnits(app, main);
              say('unit-list-status', ok(app.t('unitDeleted', { name: app.text(u.name) })));
            } catch (err) {
              fill(listStatus, errorBox(app, err));
            }
          },
        }, app.t('delete'), h('span', { class: 'visually-hidden' }, ` ${app.text(u.name)}`))));
  });
  fill(main,
    h('section', { class: 'card' }, h('h1', null, app.t('units')),
      h('p', { id: 'pool-lead', class: 'muted' }, app.t('poolLead')),
      h('h2', null, app.t('newUnit')), form, status),
    h('section', { class: 'card' },
      listStatus,
      rows.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'units-table' },
          h('thead', null, h('tr', null, [app.t('name'), app.t('parentUnit'), app.t('poolCol'), app.t('actions')]
            .map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, rows)))
        : h('p', null, app.t('noUnitsYet')),
      editor));
  const wanted = params ? Number(params.get('edit')) : 0;
  const target = wanted ? order.find((x) => x.u.id === wanted) : null;
  if (target) {
    openEditor(target.u);
    editor.scrollIntoView({ block: 'start' });
  }
}

// Rename, move or (un)pool with one PATCH of what changed.
function unitEditor(app, main, order, u) {
  const status = h('div', { id: 'edit-unit-status', 'aria-live': 'polite' });
  const f = unitFields(app, order, 'edit-unit', u);
  const form = h('form', {
    class: 'inline-form', id: 'edit-unit', 'aria-labelledby': 'edit-unit-title',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const now = f.read();
      const body = {};
      if (LANGS.some((l) => (now.name[l] || '') !== ((u.name && u.name[l]) || ''))) body.name = now.name;
      if (now.parent !== (u.parent || null)) body.parent = now.parent;
      if (now.pool !== Boolean(u.pool)) body.pool = now.pool;
      fill(status);
      try {
        await app.call(`/api/v1/units/${u.id}`, { method: 'PATCH', body });
        await renderUnits(app, main);
        say('unit-list-status', ok(app.t('unitUpdated', { name: app.text(now.name) })));
      } catch (err) {
        if (!f.pin(err)) fill(status, errorBox(app, err));
      }
    },
  },
  f.nodes,
  h('div', { class: 'field buttons' },
    h('button', { type: 'submit', id: 'save-unit' }, app.t('save')),
    h('button', { type: 'button', class: 'secondary', onclick: () => renderUnits(app, main) }, app.t('cancel'))));
  return [h('h2', { id: 'edit-unit-title' }, app.t('editUnit', { name: app.text(u.name) })), form, status];
}
