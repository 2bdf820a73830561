// fleet.test.js — the kiosk fleet on the admin's collectors page, in
// Debian's chromium against the real palauted: a kiosk is created with a
// name, waits for a tablet with its code's expiry, shows the day its
// tablet last called in, is renamed in place, gets a new enrollment code
// for a replaced tablet (the old tablet stops working) and has its
// tablet revoked after a confirmation.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Api, axeCheck, dashboardLogin, day, launch, newPage, noProblems, shot, startDaemon, surveyDef } from './lib.js';

describe('kiosk fleet', () => {
  let d;
  let admin;
  let browser;
  let survey;
  let unit;

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    const top = await admin.unit('Flottakunta');
    unit = await admin.unit('Itäinen toimipiste', top);
    survey = await admin.survey(surveyDef('survey-client.json'));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  const login = (page) => dashboardLogin(page, d);

  // The collectors page drawn anew: away to the results (until the old
  // fleet is gone), then back.
  async function collectors(page) {
    await page.evaluate(() => { location.hash = '#/results'; });
    await page.locator('#fleet').waitFor({ state: 'detached' });
    await page.evaluate(() => { location.hash = '#/collectors'; });
    await page.locator('#fleet .fleet-table').waitFor();
  }

  const enroll = async (code) => {
    const r = await new Api(d.base).ok('POST', '/api/v1/kiosk/enroll', { code });
    return new Api(d.base, r.device_token);
  };

  // The tablet asks for its survey; the writer notes the day after the reply.
  async function callIn(tablet, id) {
    assert.equal((await tablet.call('GET', '/api/v1/kiosk/survey')).status, 200);
    for (let i = 0; i < 100; i++) {
      const c = await admin.ok('GET', `/api/v1/collectors/${id}`);
      if (c.last_seen) return c.last_seen;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('last_seen never came');
  }

  test('name, waiting with the expiry, last day seen, rename, new code, revoke', async () => {
    const page = await newPage(browser);
    await login(page);
    await page.click('a[href="#/collectors"]');
    await page.locator('#create-collector').waitFor();

    // A kiosk asks for a name: without one the form is not sent.
    await page.selectOption('#c-kind', 'kiosk');
    assert.equal(await page.getAttribute('#c-name', 'required'), '');
    await page.selectOption('#c-survey', String(survey));
    await page.selectOption('#c-unit', String(unit));
    await page.click('#create-collector');
    assert.equal(await page.locator('#enrollment-code').count(), 0, 'nothing created without a name');
    await page.fill('#c-name', 'Aula, Itäinen toimipiste');
    await page.click('#create-collector');
    await page.locator('#enrollment-code').waitFor();
    const code = await page.locator('#enrollment-code').innerText();
    assert.match(code, /^[A-Z0-9-]{6,}$/);
    assert.match(await page.locator('#collector-result .created h3').innerText(), /Aula, Itäinen toimipiste/);
    assert.equal(await page.locator('#collector-result .kiosk-url').innerText(), `${d.base}/kiosk/?code=${code}`);

    const made = (await admin.ok('GET', `/api/v1/collectors?unit=${unit}`)).collectors;
    assert.equal(made.length, 1);
    const id = made[0].id;
    assert.equal(made[0].name, 'Aula, Itäinen toimipiste');
    const row = page.locator(`.fleet-table tr[data-collector="${id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('th').innerText(), 'Aula, Itäinen toimipiste');
    assert.match(await row.innerText(), /Itäinen toimipiste/);
    assert.match(await row.innerText(), /Kerro, miten käyntisi sujui/);
    // Waiting for its tablet, with the code's expiry; never seen.
    assert.equal(await row.locator('.status').getAttribute('data-status'), 'waiting');
    assert.match(await row.locator('.kiosk-state').innerText(), /^Odottaa tablettia\s+koodi voimassa .+ asti$/);
    assert.equal(await row.locator('.last-seen').getAttribute('data-day'), '');
    assert.equal(await row.locator('.revoke-device').count(), 0, 'no tablet to revoke yet');
    await axeCheck(page, 'fleet, a kiosk waiting');
    await shot(page, 'fleet-waiting');

    // A tablet enrolls and calls in: enrolled, seen today (a day, no time).
    const tablet = await enroll(code);
    const seen = await callIn(tablet, id);
    assert.equal(seen, day(0));
    await collectors(page);
    assert.equal(await row.locator('.status').getAttribute('data-status'), 'enrolled');
    assert.equal(await row.locator('.kiosk-state').innerText(), 'Käytössä');
    assert.equal(await row.locator('.last-seen').getAttribute('data-day'), day(0));
    assert.equal(await row.locator('.last-seen time').getAttribute('datetime'), day(0));
    // A Finnish date and nothing more: no time of day.
    assert.match(await row.locator('.last-seen').innerText(), /^\d{1,2}\.\d{1,2}\.\d{4} \(tänään\)$/);
    await axeCheck(page, 'fleet, a kiosk enrolled');
    await shot(page, 'fleet-enrolled');

    // Renamed in place: Escape leaves it as it was, Enter saves.
    await row.locator('.rename-kiosk').click();
    const input = page.locator(`#rename-${id}`);
    await input.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), `rename-${id}`);
    await axeCheck(page, 'fleet, renaming');
    await input.fill('Ei tätä');
    await input.press('Escape');
    await input.waitFor({ state: 'detached' });
    assert.equal(await row.locator('th').innerText(), 'Aula, Itäinen toimipiste');
    await row.locator('.rename-kiosk').click();
    await input.fill('Aula 2, Itä');
    await input.press('Enter');
    await page.locator('#fleet-status .notice.ok').waitFor();
    assert.equal(await page.locator('#fleet-status').innerText(), 'Kioskin nimi on nyt Aula 2, Itä.');
    assert.equal(await row.locator('th').innerText(), 'Aula 2, Itä');
    assert.equal((await admin.ok('GET', `/api/v1/collectors/${id}`)).name, 'Aula 2, Itä');

    // A new code for a replaced tablet: a dismissed question changes
    // nothing; then the code, its QR and URL; the old tablet is out.
    page.once('dialog', (dlg) => dlg.dismiss());
    await row.locator('.new-code').click();
    assert.equal((await tablet.call('GET', '/api/v1/kiosk/survey')).status, 200, 'kept after cancelling');
    let asked = '';
    page.once('dialog', (dlg) => { asked = dlg.message(); dlg.accept(); });
    await row.locator('.new-code').click();
    await page.locator('#new-enrollment-code').waitFor();
    assert.match(asked, /Aula 2, Itä/);
    const code2 = await page.locator('#new-enrollment-code').innerText();
    assert.match(code2, /^[A-Z0-9-]{6,}$/);
    assert.notEqual(code2, code);
    assert.equal(await page.locator('#fleet-code .kiosk-url').innerText(), `${d.base}/kiosk/?code=${code2}`);
    await page.waitForFunction(() => {
      const img = document.querySelector('#fleet-code img.qr');
      return img && img.complete && img.naturalWidth > 0;
    });
    assert.match(await page.locator('#fleet-code h3').innerText(), /Aula 2, Itä/);
    assert.equal((await tablet.call('GET', '/api/v1/kiosk/survey')).status, 401, 'the replaced tablet is out');
    assert.equal(await row.locator('.status').getAttribute('data-status'), 'waiting');
    assert.equal(await row.locator('.last-seen').getAttribute('data-day'), day(0), 'the kiosk keeps its last day');
    await axeCheck(page, 'fleet, a new code');
    await shot(page, 'fleet-new-code');
    const collectorsNow = (await admin.ok('GET', `/api/v1/collectors?unit=${unit}`)).collectors;
    assert.deepEqual(collectorsNow.map((c) => c.id), [id], 'no new collector');

    // The new tablet enrolls; then it is lost and revoked.
    const tablet2 = await enroll(code2);
    await callIn(tablet2, id);
    await collectors(page);
    assert.equal(await row.locator('.status').getAttribute('data-status'), 'enrolled');
    page.once('dialog', (dlg) => dlg.dismiss());
    await row.locator('.revoke-device').click();
    assert.equal((await tablet2.call('GET', '/api/v1/kiosk/survey')).status, 200, 'kept after cancelling');
    asked = '';
    page.once('dialog', (dlg) => { asked = dlg.message(); dlg.accept(); });
    await row.locator('.revoke-device').click();
    await page.locator('#fleet-status .notice.ok').waitFor();
    assert.match(asked, /Poistetaanko kioskin Aula 2, Itä tabletti käytöstä/);
    assert.equal(await page.locator('#fleet-status').innerText(), 'Kioskin Aula 2, Itä tabletti on poistettu käytöstä.');
    assert.equal((await tablet2.call('GET', '/api/v1/kiosk/survey')).status, 401, 'the lost tablet is out');
    assert.equal(await row.locator('.status').getAttribute('data-status'), 'waiting');
    assert.equal(await row.locator('.revoke-device').count(), 0);
    const after = await admin.ok('GET', `/api/v1/collectors/${id}`);
    assert.equal(after.enrolled, false);

    // In Swedish and English too.
    await page.click('.lang-switch button[lang=sv]');
    await page.locator('#fleet-title', { hasText: 'Kiosker' }).waitFor();
    assert.match(await row.locator('.kiosk-state').innerText(), /^Väntar på en platta/);
    assert.match(await row.locator('.last-seen').innerText(), /\(i dag\)$/);
    await page.click('.lang-switch button[lang=en]');
    await page.locator('#fleet-title', { hasText: 'Kiosks' }).waitFor();
    assert.match(await row.locator('.kiosk-state').innerText(), /^Waiting for a tablet/);
    assert.equal(await page.locator('#fleet-title').innerText(), 'Kiosks');
    await axeCheck(page, 'fleet in English');
    await page.click('.lang-switch button[lang=fi]');
    noProblems(page);
    await page.context().close();
  });

  test('a name the server refuses is told beside the field, in the dashboard\'s language', async () => {
    const c = await admin.collector({ survey, unit, kind: 'kiosk', name: 'Aula 3' });
    const page = await newPage(browser, { allowHttpErrors: true });
    await login(page);
    await collectors(page);
    const row = page.locator(`.fleet-table tr[data-collector="${c.id}"]`);
    await row.locator('.rename-kiosk').click();
    // 60 characters of ä: 120 bytes, over the server's 100.
    await page.fill(`#rename-${c.id}`, 'ä'.repeat(60));
    await page.press(`#rename-${c.id}`, 'Enter');
    const err = page.locator(`#rename-${c.id}-err .error-field[data-field="name"]`);
    await err.waitFor();
    assert.match(await err.innerText(), /^Nimessä voi olla enintään 100 merkkiä/);
    assert.equal(await page.getAttribute(`#rename-${c.id}`, 'aria-invalid'), 'true');
    await axeCheck(page, 'fleet, a refused name');
    assert.equal((await admin.ok('GET', `/api/v1/collectors/${c.id}`)).name, 'Aula 3');
    noProblems(page);
    await page.context().close();
  });
});
