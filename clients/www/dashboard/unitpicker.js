// unitpicker.js — choosing a manager's units from the organisation tree:
// a search box over a tree (the ARIA tree pattern, multi-select), built
// for a city of a few hundred units. The tree items stand in one flat
// list with aria-level, -setsize and -posinset, so that each item's name
// is its own unit's and no branch's. One Tab stop for the whole tree;
// arrows move, Right and Left open and close a branch, Space or Enter
// chooses, Home and End jump, a letter goes to the next unit starting
// with it. The search shows the units whose name matches, with the units
// above them, and ArrowDown goes from the box into the results. The
// chosen units are listed below the tree, each with a button to drop it,
// so that a choice never hides in a closed branch.

import { h, fill, nextId } from '/assets/dom.js';

// Lower case without accents: "Ä" finds "ä", "Ostra" finds "Östra".
function fold(s) {
  return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// unitPicker(app, {id, selected, legend, help}) -> {el, value()}:
// el is a fieldset; value() the chosen unit ids, in tree order.
export function unitPicker(app, opts) {
  const id = opts.id || nextId('units');
  const chosen = new Set(opts.selected || []);
  const ids = new Set(app.units.map((u) => u.id));
  const kids = new Map();
  for (const u of app.units) {
    const p = u.parent && ids.has(u.parent) ? u.parent : 0;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(u);
  }
  const parentOf = new Map();
  const nodes = new Map(); // unit id -> {li, label, name, folded, depth, kids}
  const order = []; // unit ids depth first

  const legendId = `${id}-legend`;
  const tree = h('ul', {
    role: 'tree', id: `${id}-tree`, class: 'picker-tree',
    'aria-multiselectable': 'true', 'aria-labelledby': legendId,
  });

  const build = (parent, depth) => {
    const sibs = kids.get(parent) || [];
    sibs.forEach((u, i) => {
      const name = app.text(u.name);
      const label = h('span', { class: 'picker-name' }, name);
      const below = (kids.get(u.id) || []).map((k) => k.id);
      const li = h('li', {
        role: 'treeitem', tabindex: '-1',
        'aria-level': String(depth + 1), 'aria-setsize': String(sibs.length), 'aria-posinset': String(i + 1),
        'aria-selected': String(chosen.has(u.id)), dataset: { unit: u.id },
      }, h('span', { class: 'picker-row' },
        h('span', { class: 'picker-twisty', 'aria-hidden': 'true' }),
        h('span', { class: 'picker-box', 'aria-hidden': 'true' }),
        label));
      li.style.setProperty('--level', String(depth));
      nodes.set(u.id, { li, label, name, folded: fold(name), depth, kids: below });
      order.push(u.id);
      parentOf.set(u.id, parent);
      tree.append(li);
      build(u.id, depth + 1);
    });
  };
  build(0, 0);

  // Open: the top level, and the way down to every chosen unit.
  const open = new Set();
  for (const uid of order) if (nodes.get(uid).depth === 0) open.add(uid);
  for (const uid of chosen) {
    for (let p = parentOf.get(uid); p; p = parentOf.get(p)) open.add(p);
  }

  const search = h('input', {
    id: `${id}-search`, type: 'search', autocomplete: 'off', spellcheck: 'false',
    'aria-controls': tree.id, 'aria-describedby': `${id}-matches`,
  });
  const matches = h('p', { id: `${id}-matches`, class: 'muted picker-matches', 'aria-live': 'polite' });
  const summary = h('div', { class: 'picker-chosen', id: `${id}-chosen` });
  let query = '';

  // What is on the screen: with a query, the matches and the units above
  // them, all open; without one, the branches the user opened.
  function draw() {
    let found = 0;
    const shown = new Set();
    if (query) {
      for (const uid of order) {
        if (!nodes.get(uid).folded.includes(query)) continue;
        found++;
        shown.add(uid);
        for (let p = parentOf.get(uid); p; p = parentOf.get(p)) shown.add(p);
      }
    }
    for (const uid of order) {
      const n = nodes.get(uid);
      const p = parentOf.get(uid);
      // In tree order, so a parent's state is known before its children.
      const visible = query ? shown.has(uid) : !p || (open.has(p) && !nodes.get(p).li.hidden);
      const expanded = query ? n.kids.some((k) => shown.has(k)) : open.has(uid);
      n.li.hidden = !visible;
      if (n.kids.length) n.li.setAttribute('aria-expanded', String(expanded));
      // The matching part of a name in <mark>, built as text nodes.
      const at = query ? n.folded.indexOf(query) : -1;
      if (at >= 0 && n.folded.length === n.name.length)
        fill(n.label, n.name.slice(0, at), h('mark', null, n.name.slice(at, at + query.length)), n.name.slice(at + query.length));
      else
        fill(n.label, n.name);
    }
    matches.textContent = query ? app.t('pickerMatches', { n: found }) : '';
    const cur = current();
    if (!cur || !isVisible(cur)) setCurrent(firstVisible(), false);
  }

  function drawChosen() {
    const list = order.filter((uid) => chosen.has(uid));
    fill(summary,
      h('p', { class: 'picker-count' }, list.length ? app.t('pickerChosen', { n: list.length }) : app.t('pickerNone')),
      list.length ? h('ul', { class: 'picker-chips' }, list.map((uid) => h('li', null,
        h('span', null, nodes.get(uid).name),
        h('button', {
          type: 'button', class: 'secondary picker-drop', dataset: { unit: uid },
          onclick: () => { toggle(uid); focusItem(uid); },
        }, h('span', { 'aria-hidden': 'true' }, '×'), h('span', { class: 'visually-hidden' }, app.t('pickerDrop', { name: nodes.get(uid).name })))))) : null);
  }

  function toggle(uid) {
    if (chosen.has(uid)) chosen.delete(uid);
    else chosen.add(uid);
    nodes.get(uid).li.setAttribute('aria-selected', String(chosen.has(uid)));
    drawChosen();
  }

  const isVisible = (uid) => !nodes.get(uid).li.hidden;
  const isOpen = (uid) => nodes.get(uid).li.getAttribute('aria-expanded') === 'true';

  const visibleIds = () => order.filter(isVisible);
  const firstVisible = () => visibleIds()[0] || 0;

  function current() {
    const li = tree.querySelector('[role="treeitem"][tabindex="0"]');
    return li ? Number(li.dataset.unit) : 0;
  }

  // Roving tabindex: the current item is the tree's one Tab stop.
  function setCurrent(uid, focus = true) {
    for (const li of tree.querySelectorAll('[role="treeitem"][tabindex="0"]')) li.tabIndex = -1;
    if (!uid) return;
    const n = nodes.get(uid);
    n.li.tabIndex = 0;
    if (focus) n.li.focus();
  }

  function focusItem(uid) {
    if (!isVisible(uid)) {
      if (query) {
        query = '';
        search.value = '';
      }
      for (let p = parentOf.get(uid); p; p = parentOf.get(p)) open.add(p);
      draw();
    }
    setCurrent(uid);
  }

  function setOpen(uid, yes) {
    if (query) {
      // Opening or closing a branch leaves the search: the tree as the
      // user left it, with the way to this unit open.
      query = '';
      search.value = '';
      for (let p = parentOf.get(uid); p; p = parentOf.get(p)) open.add(p);
    }
    if (yes) open.add(uid);
    else open.delete(uid);
    draw();
    setCurrent(uid);
  }

  tree.addEventListener('click', (ev) => {
    const li = ev.target.closest('[role="treeitem"]');
    if (!li || !tree.contains(li)) return;
    ev.stopPropagation();
    const uid = Number(li.dataset.unit);
    const n = nodes.get(uid);
    if (ev.target.closest('.picker-twisty') && n.kids.length) {
      setOpen(uid, !isOpen(uid));
      return;
    }
    toggle(uid);
    setCurrent(uid);
  });

  tree.addEventListener('keydown', (ev) => {
    const uid = current();
    if (!uid || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const n = nodes.get(uid);
    const vis = visibleIds();
    const i = vis.indexOf(uid);
    let handled = true;
    switch (ev.key) {
      case 'ArrowDown':
        if (i < vis.length - 1) setCurrent(vis[i + 1]);
        break;
      case 'ArrowUp':
        if (i > 0) setCurrent(vis[i - 1]);
        else search.focus();
        break;
      case 'ArrowRight':
        if (n.kids.length && !isOpen(uid)) setOpen(uid, true);
        else {
          const first = n.kids.find(isVisible);
          if (first) setCurrent(first);
        }
        break;
      case 'ArrowLeft':
        if (n.kids.length && isOpen(uid) && !query) setOpen(uid, false);
        else if (parentOf.get(uid)) setCurrent(parentOf.get(uid));
        break;
      case 'Home':
        setCurrent(vis[0]);
        break;
      case 'End':
        setCurrent(vis[vis.length - 1]);
        break;
      case ' ':
      case 'Enter':
        toggle(uid);
        break;
      default:
        // A letter: the next visible unit whose name starts with it.
        if (ev.key.length === 1 && /\S/.test(ev.key)) {
          const k = fold(ev.key);
          const rest = [...vis.slice(i + 1), ...vis.slice(0, i + 1)];
          const hit = rest.find((x) => nodes.get(x).folded.startsWith(k));
          if (hit) setCurrent(hit);
        } else handled = false;
    }
    if (handled) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  });

  search.addEventListener('input', () => {
    query = fold(search.value.trim());
    draw();
  });
  search.addEventListener('keydown', (ev) => {
    // Enter or ArrowDown: into the results; Enter never sends the form.
    if (ev.key === 'ArrowDown' || ev.key === 'Enter') {
      ev.preventDefault();
      const first = query ? visibleIds().find((x) => nodes.get(x).folded.includes(query)) : firstVisible();
      if (first) setCurrent(first);
    } else if (ev.key === 'Escape' && search.value) {
      ev.preventDefault();
      search.value = '';
      query = '';
      draw();
    }
  });

  draw();
  drawChosen();
  const el = h('fieldset', { class: 'unit-picker', id },
    h('legend', { id: legendId }, opts.legend || app.t('userUnits')),
    opts.help ? h('p', { class: 'muted', id: `${id}-help` }, opts.help) : null,
    h('div', { class: 'field picker-search' },
      h('label', { for: search.id }, app.t('pickerSearch')), search, matches),
    app.units.length
      ? h('div', { class: 'picker-scroll' }, h('p', { class: 'visually-hidden', id: `${id}-keys` }, app.t('pickerKeys')), tree)
      : h('p', null, app.t('noUnitsYet')),
    summary);
  tree.setAttribute('aria-describedby', `${id}-keys`);
  return { el, value: () => order.filter((uid) => chosen.has(uid)) };
}
