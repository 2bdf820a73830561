// users.test.js — the admin's users page and the set-password page, in
// Debian's chromium against the real palauted: the unit picker is a
// searchable tree that works with 200+ units, by pointer and by keyboard
// alone; a user created with a one-time set-password link (the default)
// sets their password from the link in a fresh browser and logs in; the
// link leaves the address bar at once, works once, and says so in
// Finnish, Swedish and English; "password link" makes a reset link.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Api, axeCheck, dashboardLogin, launch, newPage, noProblems, shot, startDaemon } from './lib.js';

describe('users', () => {
  let d;
  let admin;
  let browser;
  const u = {};
  let count = 0;

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    // A city of 10 areas of 20 offices each, and a Swedish-named one.
    u.city = await admin.unit('Puukaupunki');
    count = 1;
    for (let a = 1; a <= 10; a++) {
      u[`a${a}`] = await admin.unit(`Alue ${a}`, u.city);
      count++;
      for (let o = 1; o <= 20; o++) {
        u[`o${a}-${o}`] = await admin.unit(`Toimisto ${a}-${o}`, u[`a${a}`]);
        count++;
      }
    }
    u.ostra = await admin.unit('Östra kontoret', u.a10);
    count++;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  const login = (page, username, password) => dashboardLogin(page, d, username, password);

  const item = (picker, unit) => `#${picker}-tree [role="treeitem"][data-unit="${unit}"]`;
  const focused = (page) => page.evaluate(() => Number(document.activeElement.dataset.unit || 0));
  const visibleNames = (page, picker) => page.$$eval(`#${picker}-tree [role="treeitem"]`, (lis) => lis
    .filter((li) => li.offsetParent !== null).map((li) => li.querySelector('.picker-name').textContent));

  test('the unit tree: 200+ units, search, pointer and keyboard', async () => {
    assert.ok(count > 200);
    const page = await newPage(browser);
    await login(page, 'admin', d.adminPassword);
    await page.click('a[href="#/users"]');
    await page.locator('#create-user').waitFor();
    const tree = page.locator('#u-units-tree');
    assert.equal(await tree.getAttribute('role'), 'tree');
    assert.equal(await tree.getAttribute('aria-multiselectable'), 'true');
    const all = (await admin.ok('GET', '/api/v1/units')).units.length; // the demo's too
    assert.equal(await page.locator('#u-units-tree [role="treeitem"]').count(), all);
    // Closed beyond the top: the city and its ten areas are on the screen,
    // none of their offices.
    const shown = await visibleNames(page, 'u-units');
    const i = shown.indexOf('Puukaupunki');
    assert.deepEqual(shown.slice(i, i + 11), ['Puukaupunki', ...Array.from({ length: 10 }, (_, k) => `Alue ${k + 1}`)]);
    assert.ok(!shown.some((n) => n.startsWith('Toimisto ')), 'the offices are in closed branches');
    assert.equal(await page.getAttribute(item('u-units', u.a3), 'aria-expanded'), 'false');
    await axeCheck(page, 'users, the unit tree');
    await shot(page, 'users-tree');

    // Search: one office among 200, with the way down to it.
    await page.fill('#u-units-search', 'toimisto 7-13');
    assert.equal(await page.locator('#u-units-matches').innerText(), 'Osumia: 1');
    assert.deepEqual(await visibleNames(page, 'u-units'), ['Puukaupunki', 'Alue 7', 'Toimisto 7-13']);
    assert.equal(await page.locator(`${item('u-units', u['o7-13'])} mark`).innerText(), 'Toimisto 7-13');
    await page.click(`${item('u-units', u['o7-13'])} > .picker-row .picker-name`);
    assert.equal(await page.getAttribute(item('u-units', u['o7-13']), 'aria-selected'), 'true');
    assert.equal(await page.locator('#u-units-chosen .picker-count').innerText(), 'Valittu 1:');
    // Without accents: "ostra" finds Östra kontoret.
    await page.fill('#u-units-search', 'ostra');
    assert.deepEqual(await visibleNames(page, 'u-units'), ['Puukaupunki', 'Alue 10', 'Östra kontoret']);
    await axeCheck(page, 'users, the unit tree searched');
    await shot(page, 'users-tree-search');

    // The keyboard alone: from the search box into the results, Space
    // chooses, Right opens (and leaves the search), Down, Home, End, Left.
    await page.fill('#u-units-search', 'alue 3');
    await page.focus('#u-units-search');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(page), u.a3);
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute(item('u-units', u.a3), 'aria-selected'), 'true');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.inputValue('#u-units-search'), '', 'opening a branch leaves the search');
    assert.equal(await page.getAttribute(item('u-units', u.a3), 'aria-expanded'), 'true');
    assert.equal(await focused(page), u.a3);
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(page), u['o3-1']);
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute(item('u-units', u['o3-1']), 'aria-selected'), 'true');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focused(page), u.a3, 'Left on a leaf goes to its parent');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getAttribute(item('u-units', u.a3), 'aria-expanded'), 'false', 'Left closes');
    await page.keyboard.press('Home');
    const first = await page.$eval('#u-units-tree', (t) => Number([...t.children].find((li) => !li.hidden).dataset.unit));
    assert.equal(await focused(page), first);
    await page.keyboard.press('End');
    assert.equal(await focused(page), u.a10);
    await page.keyboard.press('ArrowUp');
    assert.equal(await focused(page), u.a9);
    await page.keyboard.press('a'); // the next unit starting with "a"
    assert.equal(await focused(page), u.a10);
    // One Tab stop: Tab leaves the tree, Shift+Tab comes back to the same unit.
    await page.keyboard.press('Tab');
    assert.notEqual(await focused(page), u.a10);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), u.a10);
    assert.equal(await page.locator('#u-units-tree [role="treeitem"][tabindex="0"]').count(), 1);
    // The chosen ones, listed, and one dropped from the list.
    assert.deepEqual(await page.locator('#u-units-chosen li > span').allInnerTexts(), ['Alue 3', 'Toimisto 3-1', 'Toimisto 7-13']);
    await page.click(`#u-units-chosen .picker-drop[data-unit="${u['o3-1']}"]`);
    assert.equal(await page.getAttribute(item('u-units', u['o3-1']), 'aria-selected'), 'false');
    assert.equal(await focused(page), u['o3-1'], 'the dropped unit has the focus, shown in its branch');
    await axeCheck(page, 'users, the unit tree by keyboard');

    // The manager is created with the chosen units.
    await page.fill('#u-name', 'puu');
    await page.click('#create-user');
    await page.locator('#user-status .notice.ok').waitFor();
    const made = (await admin.ok('GET', '/api/v1/users')).users.find((x) => x.username === 'puu');
    assert.deepEqual([...made.units].sort((a, b) => a - b), [u.a3, u['o7-13']].sort((a, b) => a - b));

    // Editing: the tree opens with the chosen units shown; one more, one less.
    await page.click('tr:has-text("puu") .edit-user');
    await page.locator('#edit-user').waitFor();
    assert.equal(await page.getAttribute(item('e-units', u['o7-13']), 'aria-selected'), 'true');
    assert.ok(await page.locator(item('e-units', u['o7-13'])).isVisible(), 'a chosen unit is in an open branch');
    await page.fill('#e-units-search', 'Toimisto 9-20');
    await page.click(`${item('e-units', u['o9-20'])} > .picker-row`);
    await page.click(`#e-units-chosen .picker-drop[data-unit="${u.a3}"]`);
    await axeCheck(page, 'users, editing the units');
    await page.click('#save-user');
    await page.locator('#user-status .notice.ok', { hasText: 'Käyttäjän puu tiedot tallennettu.' }).waitFor();
    const now = (await admin.ok('GET', `/api/v1/users/${made.id}`));
    assert.deepEqual([...now.units].sort((a, b) => a - b), [u['o7-13'], u['o9-20']].sort((a, b) => a - b));
    noProblems(page);
    await page.context().close();
  });

  test('a set-password link: created with the user, used once in a fresh browser, then log in', async () => {
    const page = await newPage(browser);
    await login(page, 'admin', d.adminPassword);
    await page.click('a[href="#/users"]');
    await page.locator('#create-user').waitFor();
    // The link is the default: no password field to fill in.
    assert.equal(await page.isChecked('#u-how-link'), true);
    assert.equal(await page.locator('#u-pass').isVisible(), false);
    await page.fill('#u-name', 'linkki');
    await page.fill('#u-units-search', 'Toimisto 2-2');
    await page.click(`${item('u-units', u['o2-2'])} > .picker-row`);
    const [reply] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST'),
      page.click('#create-user'),
    ]);
    assert.equal(reply.status(), 201);
    assert.equal(JSON.parse(reply.request().postData()).password, undefined, 'no password sent');
    await page.locator('#password-link').waitFor();
    const url = await page.inputValue('#password-link-url');
    assert.match(url, new RegExp(`^${d.base}/dashboard/#set-password=[A-Za-z0-9_-]{43}$`));
    assert.match(await page.locator('#password-link-title').innerText(), /linkki/);
    assert.match(await page.locator('#password-link-help').innerText(), /toimii kerran ja vanhenee/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'password-link');
    await axeCheck(page, 'users, a set-password link');
    await shot(page, 'users-link');
    // Shown once: the page drawn again has no link.
    await page.click('a[href="#/results"]');
    await page.locator('#create-user').waitFor({ state: 'detached' });
    await page.click('a[href="#/users"]');
    await page.locator('#create-user').waitFor();
    assert.equal(await page.locator('#password-link').count(), 0);

    // The user opens it in a browser of their own.
    const fresh = await newPage(browser, { allowHttpErrors: true });
    await fresh.goto(url);
    await fresh.locator('#setpw-form').waitFor();
    assert.equal(new URL(fresh.url()).hash, '', 'the token is out of the address bar');
    assert.equal(await fresh.evaluate(() => location.href), `${d.base}/dashboard/`);
    assert.equal(await fresh.locator('h1').innerText(), 'Aseta salasana');
    assert.match(await fresh.locator('#setpw-policy').innerText(), /^Vähintään 12 merkkiä\./);
    assert.equal(await fresh.getAttribute('#setpw-new', 'aria-describedby'), 'setpw-policy');
    await axeCheck(fresh, 'the set-password page');
    await shot(fresh, 'set-password');
    // Too short, then two different ones: told before anything is sent.
    await fresh.fill('#setpw-new', 'lyhyt');
    await fresh.fill('#setpw-again', 'lyhyt');
    await fresh.click('#setpw-submit');
    assert.equal(await fresh.locator('#setpw-error').innerText(), 'Salasanassa pitää olla vähintään 12 merkkiä.');
    assert.equal(await fresh.getAttribute('#setpw-new', 'aria-invalid'), 'true');
    await axeCheck(fresh, 'the set-password page with an error');
    await fresh.click('.lang-switch button[lang=sv]');
    await fresh.locator('h1', { hasText: 'Välj lösenord' }).waitFor();
    await fresh.fill('#setpw-new', 'ett långt lösenord');
    await fresh.fill('#setpw-again', 'ett långt lösenorD');
    await fresh.click('#setpw-submit');
    assert.equal(await fresh.locator('#setpw-error').innerText(), 'De nya lösenorden är olika.');
    await fresh.click('.lang-switch button[lang=en]');
    await fresh.locator('h1', { hasText: 'Set your password' }).waitFor();
    await fresh.fill('#setpw-new', 'short');
    await fresh.fill('#setpw-again', 'short');
    await fresh.click('#setpw-submit');
    assert.equal(await fresh.locator('#setpw-error').innerText(), 'The password must have at least 12 characters.');
    await fresh.click('.lang-switch button[lang=fi]');
    await fresh.locator('h1', { hasText: 'Aseta salasana' }).waitFor();
    // A common one: the server's policy refuses it, named in Finnish,
    // and the link still works.
    await fresh.fill('#setpw-new', 'password1234');
    await fresh.fill('#setpw-again', 'password1234');
    await fresh.click('#setpw-submit');
    await fresh.locator('#setpw-error', { hasText: 'liian helppo arvata' }).waitFor();
    assert.match(await fresh.locator('#setpw-error').innerText(), /^Salasana on liian helppo arvata/);
    assert.equal(await fresh.getAttribute('#setpw-new', 'aria-invalid'), 'true');
    // A good one: set, then the login.
    await fresh.fill('#setpw-new', 'linkin kautta asetettu');
    await fresh.fill('#setpw-again', 'linkin kautta asetettu');
    await fresh.click('#setpw-submit');
    await fresh.locator('#setpw-done').waitFor();
    assert.equal(await fresh.locator('#setpw-done').innerText(), 'Salasana on asetettu. Kirjaudu sisään uudella salasanalla.');
    await fresh.fill('#username', 'linkki');
    await fresh.fill('#password', 'linkin kautta asetettu');
    await fresh.click('#login-btn');
    await fresh.locator('.who-name').waitFor();
    assert.match(await fresh.locator('.who-name').innerText(), /^linkki/);
    noProblems(fresh);
    await fresh.context().close();

    // The same link again: the form, then the word that it no longer works.
    const again = await newPage(browser, { allowHttpErrors: true, locale: 'sv-FI' });
    await again.goto(url);
    await again.locator('#setpw-form').waitFor();
    await again.fill('#setpw-new', 'ett annat långt lösenord');
    await again.fill('#setpw-again', 'ett annat långt lösenord');
    await again.click('#setpw-submit');
    await again.locator('#setpw-invalid').waitFor();
    assert.match(await again.locator('#setpw-invalid').innerText(), /^Länken fungerar inte längre/);
    await axeCheck(again, 'the set-password page, a used link');
    again.problems = again.problems.filter((p) => !/status of 401/.test(p));
    noProblems(again);
    await again.context().close();
    await Api.login(d.base, 'linkki', 'linkin kautta asetettu');

    // A reset: a new link; the old password works until it is used.
    const [made] = (await admin.ok('GET', '/api/v1/users')).users.filter((x) => x.username === 'linkki');
    await page.click(`tr[data-user="${made.id}"] .reset-link`);
    await page.locator('#password-link').waitFor();
    assert.match(await page.locator('#user-status').innerText(), /Vanha salasana toimii, kunnes linkkiä käytetään/);
    const reset = await page.inputValue('#password-link-url');
    assert.notEqual(reset, url);
    await Api.login(d.base, 'linkki', 'linkin kautta asetettu');
    const third = await newPage(browser);
    await third.goto(reset);
    await third.locator('#setpw-form').waitFor();
    await third.fill('#setpw-new', 'toinen uusi salasana');
    await third.fill('#setpw-again', 'toinen uusi salasana');
    await third.click('#setpw-submit');
    await third.locator('#setpw-done').waitFor();
    noProblems(third);
    await third.context().close();
    await Api.login(d.base, 'linkki', 'toinen uusi salasana');
    const old = await new Api(d.base).call('POST', '/api/v1/session', { username: 'linkki', password: 'linkin kautta asetettu' });
    assert.equal(old.status, 401);
    noProblems(page);
    await page.context().close();
  });

  test('a made-up token: the form, then the same word', async () => {
    const page = await newPage(browser, { allowHttpErrors: true, locale: 'en-GB' });
    await page.goto(`${d.base}/dashboard/#set-password=${'A'.repeat(43)}`);
    await page.locator('#setpw-form').waitFor();
    assert.equal(await page.evaluate(() => location.hash), '');
    await page.fill('#setpw-new', 'a long enough password');
    await page.fill('#setpw-again', 'a long enough password');
    await page.click('#setpw-submit');
    await page.locator('#setpw-invalid').waitFor();
    assert.match(await page.locator('#setpw-invalid').innerText(), /^This link no longer works/);
    // On to the login.
    await page.click('#set-password a');
    await page.locator('#username').waitFor();
    page.problems = page.problems.filter((p) => !/status of 401/.test(p));
    noProblems(page);
    await page.context().close();
  });
});
