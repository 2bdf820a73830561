// kiosk.test.js — the lobby kiosk in Debian's chromium against the real
// palauted: enrollment, Swedish, the idle reset, the offline queue across
// a reload, and a double tap that counts once.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Api, axeCheck, launch, newPage, noProblems, shot, startDaemon, surveyDef } from './lib.js';

// k = 3, the smallest the rule allows: three responses are one released
// step, so the tests can read exact numbers from the results.
const K = 3;

describe('kiosk', () => {
  let d;
  let admin;
  let browser;
  let survey;
  const units = {};

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    const root = await admin.unit('Kioskikaupunki');
    for (const name of ['Aula A', 'Aula B', 'Aula C', 'Aula D']) units[name] = await admin.unit(name, root);
    survey = await admin.survey(surveyDef('survey-client.json', { min_group: K, min_group_comments: K }));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  async function enrollCode(unit, idle) {
    const c = await admin.collector({ survey, unit, kind: 'kiosk', idle_reset_seconds: idle });
    return c.enrollment_code;
  }

  // Every POST of responses the page makes: [{status, items}].
  function watchBatches(page) {
    const seen = [];
    page.on('requestfinished', async (req) => {
      if (!req.url().endsWith('/api/v1/kiosk/responses') || req.method() !== 'POST') return;
      const res = await req.response();
      seen.push({ status: res.status(), items: JSON.parse(req.postData()).responses, reply: await res.json().catch(() => null) });
    });
    return seen;
  }

  // Wait until the page has finished n batches (the listener is async).
  async function batchesDone(batches, n) {
    for (let i = 0; i < 100 && batches.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(batches.length, n);
  }

  // Exactly n (a multiple of k) stored at unit. The released n moves in
  // steps of k, so reading n tells only that n to n+k-1 are stored; k-1
  // more through a link leave it at n only when exactly n were (one more
  // and it would step).
  let padded = 0;
  async function storedExactly(unit, n, message) {
    assert.equal(await admin.count(survey, unit), n, message);
    const link = await admin.collector({ survey, unit, kind: 'link' });
    for (let i = 0; i < K - 1; i++) {
      await admin.ok('POST', `/api/v1/forms/${link.slug}/responses`,
        { id: `pad-${++padded}-${'x'.repeat(12)}`, lang: 'fi', answers: { visit: 3 } });
    }
    assert.equal(await admin.count(survey, unit), n, `${message}: exactly, not ${n + 1} or more`);
    await admin.ok('DELETE', `/api/v1/collectors/${link.id}`);
  }

  const question = (page) => page.locator('main[data-phase="question"] .screen');

  // Answer the client survey: a face, then skip the rest and send.
  async function answerOnce(page, face = 4) {
    await page.locator('.face-btn').nth(face - 1).click();
    await page.locator('.screen[data-question="reason"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.locator('.screen[data-question="helped"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.locator('.screen[data-question="comment"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .next').click();
    await page.locator('main[data-phase="thanks"]').waitFor();
  }

  async function backAtStart(page) {
    await page.locator('.screen[data-question="visit"]').waitFor({ timeout: 15000 });
    await page.waitForTimeout(700);
  }

  test('enroll with a code, answer in Swedish, reset after idle', async () => {
    const code = await enrollCode(units['Aula A'], 5);
    const page = await newPage(browser);
    const batches = watchBatches(page);
    await page.goto(`${d.base}/kiosk/`);
    await page.locator('#enroll-code').waitFor();
    await axeCheck(page, 'kiosk enrollment');
    await shot(page, 'kiosk-enroll');
    await page.fill('#enroll-code', code);
    await page.click('.enroll-form button[type=submit]');
    await question(page).waitFor();
    assert.equal(await page.locator('#q-title').textContent(), 'Millainen käyntisi oli tänään?');
    assert.ok(await page.evaluate(() => localStorage.getItem('palaute.kiosk.token')), 'the device token is kept');
    await axeCheck(page, 'kiosk first question');

    await page.click('.lang-switch button[lang=sv]');
    assert.equal(await page.locator('#q-title').textContent(), 'Hur var ditt besök i dag?');
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    // The faces carry their meaning in words for a screen reader.
    assert.equal(await page.locator('.face-btn').nth(3).innerText(), 'Bra');
    await shot(page, 'kiosk-sv');

    // The privacy notice is one tap away, in the same language.
    await page.click('#privacy-btn');
    await page.locator('#privacy-dialog[open]').waitFor();
    assert.match(await page.locator('#privacy-dialog').innerText(), /Exempelstadens socialtjänst/);
    await axeCheck(page, 'kiosk privacy notice');
    await page.click('#privacy-dialog button');
    await page.waitForTimeout(700);

    await page.locator('.face-btn').nth(3).click();
    await page.locator('.screen[data-question="reason"]').waitFor();
    assert.equal(await page.locator('.progress').textContent(), 'Fråga 2 av 4');
    await axeCheck(page, 'kiosk choice question');
    await page.waitForTimeout(700);
    await page.locator('.choice-btn[data-value="advice"]').click();
    await page.locator('.screen[data-question="helped"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.locator('.screen[data-question="comment"]').waitFor();
    await page.fill('#text-answer', 'Bra bemötande');
    await axeCheck(page, 'kiosk comment');
    await page.waitForTimeout(700);
    const sent = page.waitForResponse((r) => r.url().endsWith('/api/v1/kiosk/responses'));
    await page.locator('.nav .next').click();
    await page.locator('main[data-phase="thanks"]').waitFor();
    assert.equal(await page.locator('.thanks h1').textContent(), 'Tack för din respons!');
    await axeCheck(page, 'kiosk thank-you');
    await shot(page, 'kiosk-thanks');
    assert.equal((await sent).status(), 200);
    await batchesDone(batches, 1);
    assert.equal(batches[0].items.length, 1);
    assert.equal(batches[0].items[0].lang, 'sv');
    assert.deepEqual(batches[0].items[0].answers, { visit: 4, reason: 'advice', comment: 'Bra bemötande' });
    assert.equal(batches[0].reply.stored, 1);

    // Back to the start, and back to the survey's first language.
    await backAtStart(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'fi');

    // Someone taps a face and walks away: after the idle time (5 s) the
    // kiosk is at the start again and nothing was sent.
    await page.locator('.face-btn').nth(1).click();
    await page.locator('.screen[data-question="reason"]').waitFor();
    await page.waitForTimeout(5000 + 2500);
    assert.equal(await page.locator('.screen').getAttribute('data-question'), 'visit');
    assert.equal(await page.locator('.face-btn[aria-pressed="true"]').count(), 0);
    assert.equal(batches.length, 1, 'a half-answered survey is not sent');
    noProblems(page);
    await page.context().close();
  });

  test('offline: three answers queue, survive a reload, and are sent once when the network returns', async () => {
    const unit = units['Aula B'];
    const code = await enrollCode(unit, 5);
    assert.equal(await admin.count(survey, unit), 0);
    const page = await newPage(browser, { allowNetworkErrors: true });
    const batches = watchBatches(page);
    await page.goto(`${d.base}/kiosk/?code=${code}`);
    await question(page).waitFor();
    assert.equal(new URL(page.url()).search, '', 'the one-time code leaves the address bar');
    await page.waitForTimeout(700);

    // The network goes: every API call fails as on a dead Wi-Fi.
    await page.route('**/api/v1/**', (route) => route.abort('internetdisconnected'));
    for (let i = 0; i < 3; i++) {
      await answerOnce(page, 5 - i);
      await backAtStart(page);
    }
    const dot = page.locator('#queue-dot');
    assert.equal(await dot.isVisible(), true, 'the status dot tells staff something waits');
    assert.equal(await dot.getAttribute('data-count'), '3');
    assert.equal(await page.evaluate(() => new Promise((resolve) => {
      const r = indexedDB.open('palaute-kiosk');
      r.onsuccess = () => {
        const q = r.result.transaction('queue').objectStore('queue').getAll();
        q.onsuccess = () => resolve(q.result.length);
      };
    })), 3);
    await shot(page, 'kiosk-offline');

    // A reload while still offline: the survey comes from the last copy,
    // the queue from IndexedDB.
    await page.reload();
    await question(page).waitFor();
    await page.waitForFunction(() => document.getElementById('queue-dot').dataset.count === '3');
    assert.equal(await admin.count(survey, unit), 0, 'nothing arrived while offline');

    // The network returns: the queue goes out, and only once.
    await page.unroute('**/api/v1/**');
    await page.waitForFunction(() => document.getElementById('queue-dot').hidden, null, { timeout: 60000 });
    const sentIds = () => batches.filter((b) => b.status === 200).flatMap((b) => b.items.map((it) => it.id));
    for (let i = 0; i < 100 && sentIds().length < 3; i++) await page.waitForTimeout(50);
    assert.equal(sentIds().length, 3, 'sent in one go, once');
    assert.equal(new Set(sentIds()).size, 3);
    await storedExactly(unit, 3, 'exactly three new responses');
    noProblems(page);
    await page.context().close();
  });

  test('a double tap counts once', async () => {
    const unit = units['Aula C'];
    const code = await enrollCode(unit, 5);
    const page = await newPage(browser);
    const batches = watchBatches(page);
    await page.goto(`${d.base}/kiosk/?code=${code}`);
    await question(page).waitFor();
    await page.waitForTimeout(700);

    // Two taps on one face: one answer, and the second tap does not
    // answer the next question either.
    await page.locator('.face-btn').nth(4).dblclick();
    await page.locator('.screen[data-question="reason"]').waitFor();
    assert.equal(await page.locator('.choice-btn[aria-pressed="true"]').count(), 0);
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.locator('.screen[data-question="helped"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.locator('.screen[data-question="comment"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .next').dblclick();
    await page.locator('main[data-phase="thanks"]').waitFor();
    // A child keeps tapping where the faces were: nothing new starts.
    for (let i = 0; i < 6; i++) {
      await page.mouse.click(640, 450);
      await page.waitForTimeout(150);
    }
    await backAtStart(page);
    // And a face tapped many times in a row is still one response.
    const face = page.locator('.face-btn').nth(2);
    await face.click({ clickCount: 1 });
    for (let i = 0; i < 5; i++) await face.click({ force: true, timeout: 200 }).catch(() => {});
    await page.locator('.screen[data-question="reason"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.waitForTimeout(700);
    await page.locator('.nav .next').click();
    await page.locator('main[data-phase="thanks"]').waitFor();
    await backAtStart(page);
    await answerOnce(page, 1);
    await page.waitForFunction(() => document.getElementById('queue-dot').hidden);
    const sent = () => batches.filter((b) => b.status === 200).flatMap((b) => b.items);
    for (let i = 0; i < 100 && sent().length < 3; i++) await page.waitForTimeout(50);
    await page.waitForTimeout(300);
    const items = sent();
    assert.equal(items.length, 3, 'three people, three responses');
    await storedExactly(unit, 3, 'three people, three stored');
    noProblems(page);
    await page.context().close();
  });

  test('a phone-sized screen still works', async () => {
    const code = await enrollCode(units['Aula D'], 30);
    const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
    await page.goto(`${d.base}/kiosk/?code=${code}`);
    await question(page).waitFor();
    await shot(page, 'kiosk-phone');
    const box = await page.locator('.face-btn').first().boundingBox();
    assert.ok(box.width >= 88 && box.height >= 88, `faces stay large (${box.width}x${box.height})`);
    await axeCheck(page, 'kiosk on a phone');
    noProblems(page);
    await page.context().close();
  });
});
