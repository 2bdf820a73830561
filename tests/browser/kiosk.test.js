// kiosk.test.js — the lobby kiosk in Debian's chromium against the real
// palauted: enrollment, Swedish, the idle reset, the offline queue across
// a reload, a double tap that counts once, one tap that counts, a typed
// comment that is never dropped unseen, portrait, phone and on-screen
// keyboard layouts, and the web app manifest.

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
    for (const name of ['Aula A', 'Aula B', 'Aula C', 'Aula D', 'Aula E', 'Aula F', 'Aula G', 'Aula H'])
      units[name] = await admin.unit(name, root);
    survey = await admin.survey(surveyDef('survey-client.json', { min_group: K, min_group_comments: K }));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  async function enrollCode(unit, idle, which = survey) {
    const c = await admin.collector({ survey: which, unit, kind: 'kiosk', idle_reset_seconds: idle });
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

  // What the tablet keeps in its queue (IndexedDB), read as the page does.
  function queued(page) {
    return page.evaluate(() => new Promise((resolve, reject) => {
      const r = indexedDB.open('palaute-kiosk');
      r.onerror = () => reject(r.error);
      r.onsuccess = () => {
        const q = r.result.transaction('queue').objectStore('queue').getAll();
        q.onsuccess = () => {
          r.result.close();
          resolve(q.result);
        };
      };
    }));
  }

  async function queuedWhen(page, pred) {
    let items = [];
    for (let i = 0; i < 100; i++) {
      items = await queued(page);
      if (pred(items)) return items;
      await page.waitForTimeout(50);
    }
    assert.fail(`the queue never got there: ${JSON.stringify(items)}`);
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

    // Someone taps a face and walks away: one tap counts. After the idle
    // time (5 s) the kiosk is at the start again and that tap was sent.
    await page.locator('.face-btn').nth(1).click();
    await page.locator('.screen[data-question="reason"]').waitFor();
    await page.waitForTimeout(5000 + 2500);
    assert.equal(await page.locator('.screen').getAttribute('data-question'), 'visit');
    assert.equal(await page.locator('.face-btn[aria-pressed="true"]').count(), 0);
    await batchesDone(batches, 2);
    assert.equal(batches[1].items.length, 1);
    assert.deepEqual(batches[1].items[0].answers, { visit: 2 }, 'the face alone counts');
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

  test('one tap counts: kept on the tablet at once, the follow-ups join it, sent once', async () => {
    const code = await enrollCode(units['Aula E'], 30);
    const page = await newPage(browser);
    const batches = watchBatches(page);
    await page.goto(`${d.base}/kiosk/?code=${code}`);
    await question(page).waitFor();
    await page.waitForTimeout(700);

    // One tap: the response is on the tablet at once, still open.
    await page.locator('.face-btn').nth(1).click();
    await page.locator('.screen[data-question="reason"]').waitFor();
    let items = await queuedWhen(page, (q) => q.length === 1);
    assert.equal(items[0].open, true);
    assert.deepEqual(items[0].answers, { visit: 2 });
    const id = items[0].id;

    // Back to the faces and another one, then a follow-up: the same
    // response under the same id, not a second one.
    await page.waitForTimeout(700);
    await page.locator('.nav .back').click();
    await page.waitForTimeout(700);
    await page.locator('.face-btn').nth(3).click();
    await page.locator('.screen[data-question="reason"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.choice-btn[data-value="benefits"]').click();
    await page.locator('.screen[data-question="helped"]').waitFor();
    items = await queuedWhen(page, (q) => q.length === 1 && q[0].answers.reason === 'benefits');
    assert.equal(items[0].id, id);
    assert.deepEqual(items[0].answers, { visit: 4, reason: 'benefits' });
    assert.equal(batches.length, 0, 'nothing is sent while the visit goes on');
    assert.equal(await page.locator('#queue-dot').isVisible(), false, 'a visit going on is not waiting');

    // The tablet restarts in the middle of the visit: the visit is over,
    // what it answered counts, and it is sent once.
    await page.reload();
    await question(page).waitFor();
    await batchesDone(batches, 1);
    assert.equal(batches[0].items.length, 1);
    assert.equal(batches[0].items[0].id, id);
    assert.deepEqual(batches[0].items[0].answers, { visit: 4, reason: 'benefits' });
    assert.equal(batches[0].reply.stored, 1);
    await page.waitForFunction(() => document.getElementById('queue-dot').hidden);
    await page.waitForTimeout(1000);
    assert.equal(batches.length, 1, 'never twice');
    assert.equal((await queued(page)).length, 0);
    noProblems(page);
    await page.context().close();
  });

  test('a typed comment is never thrown away without a word', async () => {
    const code = await enrollCode(units['Aula F'], 5);
    const page = await newPage(browser);
    const batches = watchBatches(page);
    await page.goto(`${d.base}/kiosk/?code=${code}`);
    await question(page).waitFor();
    await page.waitForTimeout(700);
    await page.locator('.face-btn').nth(4).click();
    await page.locator('.screen[data-question="reason"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.locator('.screen[data-question="helped"]').waitFor();
    await page.waitForTimeout(700);
    await page.locator('.nav .skip').click();
    await page.locator('.screen[data-question="comment"]').waitFor();
    assert.equal(await page.locator('.nav .skip').isVisible(), true);
    await page.fill('#text-answer', 'Kiitos avusta');
    // Skip would drop the comment: only Send is left.
    assert.equal(await page.locator('.nav .skip').isVisible(), false);

    // The writer stops: after the idle time a prompt covers the comment
    // (an opaque backdrop: the next person does not read it) and says
    // what will happen.
    const prompt = page.locator('#idle-dialog[open]');
    await prompt.waitFor({ timeout: 10000 });
    assert.equal(await page.$eval('#idle-dialog', (el) => getComputedStyle(el, '::backdrop').backgroundColor), 'rgb(243, 245, 247)');
    assert.match(await prompt.innerText(), /kommenttisi lähetetään \d+ sekunnin kuluttua/);
    await axeCheck(page, 'kiosk idle prompt');
    await shot(page, 'kiosk-idle-prompt');
    assert.equal(batches.length, 0);
    await page.click('#idle-continue');
    assert.equal(await page.locator('#idle-dialog').isVisible(), false);
    assert.equal(await page.inputValue('#text-answer'), 'Kiitos avusta', 'going on keeps the comment');

    // Gone for good: the prompt comes back, then the response goes,
    // comment and all, once.
    await prompt.waitFor({ timeout: 10000 });
    await backAtStart(page);
    await batchesDone(batches, 1);
    assert.deepEqual(batches[0].items[0].answers, { visit: 5, comment: 'Kiitos avusta' });
    noProblems(page);
    await page.context().close();
  });

  describe('layouts', () => {
    let long;

    before(async () => {
      long = await admin.survey(surveyDef('survey-client.json', {
        min_group: K,
        title: {
          fi: 'Kerro meille, miten käyntisi aikuissosiaalityön neuvonnassa tänään sujui',
          sv: 'Berätta för oss hur ditt besök hos rådgivningen inom vuxensocialt arbete gick i dag',
          en: 'Tell us how your visit to the adult social work advice desk went today',
        },
      }));
    });

    for (const [name, viewport] of [['a portrait tablet', { width: 800, height: 1280 }], ['a phone', { width: 360, height: 740 }]]) {
      test(`${name}: the faces fill the screen, the title is whole`, async () => {
        const code = await enrollCode(units['Aula G'], 30, long);
        const page = await newPage(browser, { viewport });
        await page.goto(`${d.base}/kiosk/?code=${code}`);
        await question(page).waitFor();
        await shot(page, `kiosk-${viewport.width}x${viewport.height}`);
        const m = await page.evaluate(() => {
          const box = (el) => el.getBoundingClientRect();
          const title = document.getElementById('survey-title');
          const faces = [...document.querySelectorAll('.face-btn')].map((b) => ({
            b: box(b), svg: box(b.querySelector('svg')), label: box(b.querySelector('.face-label')),
          }));
          return {
            title: { text: title.textContent, b: box(title), sw: title.scrollWidth, cw: title.clientWidth, sh: title.scrollHeight, ch: title.clientHeight },
            faces,
            scrollWidth: document.documentElement.scrollWidth,
          };
        });
        assert.match(m.title.text, /aikuissosiaalityön/);
        assert.ok(m.title.b.width > 0 && m.title.b.right <= viewport.width, 'the title is shown');
        assert.ok(m.title.sw <= m.title.cw + 1 && m.title.sh <= m.title.ch + 1, 'the title is not cut');
        assert.ok(m.scrollWidth <= viewport.width, 'nothing sideways');
        const top = m.faces[0].b.top;
        const bottom = m.faces[4].b.bottom;
        assert.ok(bottom <= viewport.height, `every face is on the screen (${bottom})`);
        assert.ok(bottom - top >= viewport.height * 0.5, `the faces fill the screen (${bottom - top} of ${viewport.height})`);
        for (const f of m.faces) {
          assert.ok(f.svg.height >= viewport.height * 0.085, `a face is large (${f.svg.height})`);
          assert.ok(f.b.height >= 72 && f.b.width >= viewport.width * 0.8, 'each face a row of its own');
          assert.ok(f.label.left >= f.svg.right, 'its word beside it');
        }
        // Worst at the top, best at the bottom: the row's order.
        for (let i = 1; i < 5; i++) assert.ok(m.faces[i].b.top > m.faces[i - 1].b.top);
        await axeCheck(page, `kiosk on ${name}`);
        noProblems(page);
        await page.context().close();
      });
    }

    test('the on-screen keyboard leaves the comment and Send in view', async () => {
      const code = await enrollCode(units['Aula H'], 30, long);
      const page = await newPage(browser);
      // The browser's visualViewport as a tablet's on-screen keyboard
      // drives it: the same object and events, a height set by the test.
      await page.addInitScript(() => {
        const vv = new EventTarget();
        const state = { height: 0 };
        const props = {
          width: () => innerWidth, height: () => state.height || innerHeight, scale: () => 1,
          offsetTop: () => 0, offsetLeft: () => 0, pageTop: () => scrollY, pageLeft: () => scrollX,
        };
        for (const [k, get] of Object.entries(props)) Object.defineProperty(vv, k, { get });
        Object.defineProperty(window, 'visualViewport', { value: vv, configurable: true });
        window.keyboardTo = (h) => {
          state.height = h;
          vv.dispatchEvent(new Event('resize'));
        };
      });
      await page.goto(`${d.base}/kiosk/?code=${code}`);
      await question(page).waitFor();
      await page.waitForTimeout(700);
      await page.locator('.face-btn').nth(2).click();
      for (const id of ['reason', 'helped']) {
        await page.locator(`.screen[data-question="${id}"]`).waitFor();
        await page.waitForTimeout(700);
        await page.locator('.nav .skip').click();
      }
      await page.locator('.screen[data-question="comment"]').waitFor();
      await page.click('#text-answer');
      await page.keyboard.type('Hyvä');
      await page.evaluate(() => window.keyboardTo(360)); // 1280 x 800, keys over 440 px
      await page.waitForFunction(() => document.body.classList.contains('keyboard'));
      await shot(page, 'kiosk-keyboard');
      for (const sel of ['#text-answer', '.nav .next', '#q-title']) {
        const b = await page.locator(sel).boundingBox();
        assert.ok(b && b.y >= 0 && b.y + b.height <= 360, `${sel} is above the keys (${JSON.stringify(b)})`);
      }
      assert.equal(await page.evaluate(() => document.activeElement.id), 'text-answer');
      await page.evaluate(() => window.keyboardTo(800));
      await page.waitForFunction(() => !document.body.classList.contains('keyboard'));
      noProblems(page);
      await page.context().close();
    });
  });

  test('a web app manifest: full screen, icons, the kiosk as start', async () => {
    const page = await newPage(browser);
    await page.goto(`${d.base}/kiosk/`);
    await page.locator('#enroll-code').waitFor();
    const href = await page.$eval('link[rel=manifest]', (l) => l.href);
    const r = await page.request.get(href);
    assert.equal(r.status(), 200);
    assert.equal(r.headers()['content-type'], 'application/manifest+json');
    const m = await r.json();
    assert.equal(m.start_url, '/kiosk/');
    assert.equal(m.scope, '/kiosk/');
    assert.equal(m.display, 'fullscreen');
    assert.deepEqual(m.display_override, ['fullscreen', 'standalone']);
    // Chromium's own reading of it: no error, the icons it will use.
    const cdp = await page.context().newCDPSession(page);
    const parsed = await cdp.send('Page.getAppManifest');
    assert.deepEqual(parsed.errors, []);
    const icons = [...m.icons.map((i) => [i.src, i.type, i.sizes]),
      [await page.$eval('link[rel=apple-touch-icon]', (l) => new URL(l.href).pathname), 'image/png', '180x180']];
    for (const [src, type, sizes] of icons) {
      const res = await page.request.get(new URL(src, href).href);
      assert.equal(res.status(), 200, src);
      assert.equal(res.headers()['content-type'], type, src);
      if (type === 'image/png') {
        const png = await res.body();
        assert.equal(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, sizes, src);
      }
    }
    assert.ok(m.icons.some((i) => i.sizes === '512x512' && i.purpose.split(' ').includes('maskable')));
    noProblems(page);
    await page.context().close();
  });
});
