// form.test.js — the web form /f/<slug> in Debian's chromium against the
// real palauted: every question type, with the mouse on a tablet (the
// whole form) and with the keyboard alone on a phone (one question per
// screen); client and server validation messages beside their question;
// a multi-choice limit; NPS and the language buttons at 360 px; an
// invitation code used twice.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Api, axeCheck, launch, newPage, noProblems, PHONE, shot, startDaemon, surveyDef, tabTo, withLangs } from './lib.js';

describe('form', () => {
  let d;
  let admin;
  let browser;
  let panel; // survey-panel.json: every question type, fi and sv
  let link;
  let invite;
  let unit;

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    const root = await admin.unit('Lomakekaupunki');
    unit = await admin.unit('Asiakasraati', root);
    panel = await admin.survey(surveyDef('survey-panel.json'));
    link = await admin.collector({ survey: panel, unit, kind: 'link' });
    const staff = await admin.survey(surveyDef('survey-staff.json'));
    invite = await admin.collector({ survey: staff, unit, kind: 'invitation', count: 3 });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  function watchPosts(page) {
    const seen = [];
    page.on('requestfinished', async (req) => {
      if (req.method() !== 'POST' || !/\/api\/v1\/forms\/[^/]+\/responses$/.test(req.url())) return;
      const res = await req.response();
      seen.push({ status: res.status(), body: JSON.parse(req.postData()), reply: await res.json().catch(() => null) });
    });
    // The page may show its next step before the listener above has
    // read the reply: wait for n replies (10 s at most).
    seen.settled = async (n = 1) => {
      for (let i = 0; i < 200 && seen.length < n; i++)
        await new Promise((r) => setTimeout(r, 50));
    };
    return seen;
  }

  const q = (page, id) => page.locator(`[data-question="${id}"]`);

  test('every question type, privacy notice first, answered with a pointer', async () => {
    const page = await newPage(browser);
    const posts = watchPosts(page);
    await page.goto(`${d.base}${link.url}`);
    await page.locator('main[data-step="intro"]').waitFor();
    // The notice comes before any question: who, why, from whom, whom to
    // ask, how long, voluntary and anonymous.
    const intro = await page.locator('main').innerText();
    for (const s of ['Esimerkkikaupungin sosiaalipalvelut', 'tietosuoja@esimerkkikaupunki.example', '12 kuukautta', 'vapaaehtoista', 'nimettömiä'])
      assert.ok(intro.includes(s), `the privacy notice says ${s}`);
    assert.equal(await page.locator('fieldset').count(), 0, 'no question before the notice');
    await axeCheck(page, 'form intro');
    await shot(page, 'form-intro');
    await page.click('#start');
    await page.locator('main[data-step="questions"]').waitFor();
    assert.equal(await page.locator('[data-question]').count(), 7, 'a wide screen has the whole form');
    assert.equal(await page.locator('#next').count(), 0);
    await axeCheck(page, 'form questions');

    await q(page, 'overall').locator('.opt').nth(2).click(); // smiley (4 faces): 3
    await q(page, 'reach').locator('.opt', { hasText: /^7$/ }).click(); // scale 0..10
    await q(page, 'recommend').locator('.opt').nth(9).click(); // nps: 9
    await q(page, 'channel').locator('.opt', { hasText: 'Puhelimitse' }).click(); // choice
    await q(page, 'topics').locator('.opt', { hasText: 'Sähköinen asiointi' }).click(); // multi
    await q(page, 'topics').locator('.opt', { hasText: 'Asuminen' }).click();
    await q(page, 'treated_well').locator('.opt', { hasText: 'Kyllä' }).click(); // yesno
    await q(page, 'ideas').locator('textarea').fill('Enemmän iltavastaanottoja.'); // text
    await shot(page, 'form-filled');
    await page.click('#submit');
    await page.locator('main[data-step="done"]').waitFor();
    assert.equal(await page.locator('#done-title').textContent(), 'Kiitos vastauksistasi!');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'done-title', 'the confirmation takes the focus');
    await axeCheck(page, 'form confirmation');
    await posts.settled();
    assert.equal(posts.length, 1);
    assert.equal(posts[0].status, 201);
    assert.equal(posts[0].body.lang, 'fi');
    assert.deepEqual(posts[0].body.answers, {
      overall: 3, reach: 7, recommend: 9, channel: 'phone', topics: ['housing', 'digital'],
      treated_well: true, ideas: 'Enemmän iltavastaanottoja.',
    });
    noProblems(page);
    await page.context().close();
  });

  test('a phone: one question per screen, by the keyboard alone, in Swedish', async () => {
    const page = await newPage(browser, { viewport: PHONE, locale: 'sv-FI' });
    const posts = watchPosts(page);
    await page.goto(`${d.base}${link.url}`);
    await page.locator('main[data-step="intro"]').waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    await tabTo(page, '#start');
    await page.keyboard.press('Enter');
    await page.locator('main[data-step="questions"]').waitFor();
    const progress = () => page.locator('#step-progress').innerText();
    assert.equal(await progress(), 'Fråga 1 av 7');
    assert.equal(await page.locator('[data-question]').count(), 1, 'one question on the screen');
    await axeCheck(page, 'form on a phone');
    await shot(page, 'form-phone-step');

    // Next without the required answer: the message is beside the
    // question, in Swedish, and the screen stays.
    await tabTo(page, '#next');
    await page.keyboard.press('Enter');
    await q(page, 'overall').locator('.field-error').waitFor({ state: 'visible' });
    assert.equal(await q(page, 'overall').locator('.field-error').innerText(), 'Svara på den här frågan.');
    assert.equal(await progress(), 'Fråga 1 av 7');
    await axeCheck(page, 'form with an error on a phone');
    await shot(page, 'form-phone-errors');

    // Radio groups: Tab into the group, arrows choose.
    await tabTo(page, 'input[name="q-overall"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('input[name="q-overall"]:checked').getAttribute('value'), '3');
    assert.equal(await q(page, 'overall').locator('.field-error').isVisible(), false, 'fixed: the message goes');
    const next = async (want) => {
      await tabTo(page, '#next');
      await page.keyboard.press('Enter');
      await page.waitForFunction((w) => document.getElementById('step-progress')?.textContent === w, want);
    };
    await next('Fråga 2 av 7'); // reach, optional
    await next('Fråga 3 av 7'); // recommend, optional
    // Back keeps what was answered.
    await tabTo(page, '#prev');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('step-progress')?.textContent === 'Fråga 2 av 7');
    await next('Fråga 3 av 7');
    await next('Fråga 4 av 7'); // channel
    await next('Fråga 5 av 7'); // topics
    await tabTo(page, 'input[name="q-topics"][value="family"]');
    await page.keyboard.press('Space');
    await next('Fråga 6 av 7'); // treated_well, required
    await tabTo(page, 'input[name="q-treated_well"]');
    await page.keyboard.press('Space');
    await next('Fråga 7 av 7'); // ideas
    assert.equal(await page.locator('#next').count(), 0, 'the last screen sends');
    await tabTo(page, 'textarea[name="q-ideas"]');
    await page.keyboard.type('Tack!');
    await tabTo(page, '#submit');
    await page.keyboard.press('Enter');
    await page.locator('main[data-step="done"]').waitFor();
    assert.equal(await page.locator('#done-title').textContent(), 'Tack för dina svar!');
    await posts.settled();
    assert.equal(posts.length, 1);
    assert.equal(posts[0].body.lang, 'sv');
    assert.deepEqual(posts[0].body.answers, { overall: 3, topics: ['family'], treated_well: true, ideas: 'Tack!' });
    noProblems(page);
    await page.context().close();
  });

  test('a multi-choice limit holds while ticking', async () => {
    const def = surveyDef('survey-panel.json');
    def.questions.find((x) => x.id === 'topics').max_choices = 2;
    const limited = await admin.collector({ survey: await admin.survey(def), unit, kind: 'link' });
    const page = await newPage(browser);
    const posts = watchPosts(page);
    await page.goto(`${d.base}${limited.url}`);
    await page.click('#start');
    const topics = q(page, 'topics');
    const boxes = topics.locator('input[type=checkbox]');
    assert.equal(await topics.locator('.help').innerText(), 'Valitse enintään 2. Valittu 0/2.');
    await topics.locator('.opt', { hasText: 'Asuminen' }).click();
    await topics.locator('.opt', { hasText: 'Sähköinen asiointi' }).click();
    assert.equal(await topics.locator('.chosen').innerText(), 'Valittu 2/2.');
    // At the limit the rest cannot be ticked.
    const n = await boxes.count();
    let disabled = 0;
    for (let i = 0; i < n; i++) if (await boxes.nth(i).isDisabled()) disabled++;
    assert.equal(disabled, n - 2);
    await topics.locator('.opt').filter({ has: page.locator('input:disabled') }).first().click({ force: true });
    assert.equal(await topics.locator('input:checked').count(), 2, 'a third tick does not take');
    await axeCheck(page, 'form multi at its limit');
    // One off, another on.
    await topics.locator('.opt', { hasText: 'Asuminen' }).click();
    assert.equal(await topics.locator('input:disabled').count(), 0);
    await topics.locator('.opt', { hasText: 'Perhe' }).click();
    await q(page, 'overall').locator('.opt').nth(1).click();
    await q(page, 'treated_well').locator('.opt', { hasText: 'Kyllä' }).click();
    await page.click('#submit');
    await page.locator('main[data-step="done"]').waitFor();
    await posts.settled();
    assert.equal(posts[0].status, 201);
    assert.deepEqual(posts[0].body.answers.topics.length, 2);
    noProblems(page);
    await page.context().close();
  });

  test('360 px: NPS 0-10 on one row, the language buttons on one line', async () => {
    const def = withLangs(surveyDef('survey-panel.json'), ['fi', 'sv', 'en', 'fi-x-plain', 'sv-x-plain']);
    const many = await admin.collector({ survey: await admin.survey(def), unit, kind: 'link' });
    const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
    await page.goto(`${d.base}${many.url}`);
    await page.click('#start');
    await page.locator('main[data-step="questions"]').waitFor();
    const langs = await page.$$eval('#langs button', (bs) => bs.map((b) => {
      const r = b.getBoundingClientRect();
      return { top: r.top, height: r.height, text: b.textContent, lines: Math.round(r.height / parseFloat(getComputedStyle(b).lineHeight || '24')) };
    }));
    assert.equal(langs.length, 5);
    assert.ok(langs.every((l) => l.top === langs[0].top), 'one row');
    assert.ok(langs.every((l) => l.height === langs[0].height), 'no name on two lines');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing sideways');
    // The NPS question's screen.
    for (let i = 0; i < 10 && await q(page, 'recommend').count() === 0; i++) {
      if (await q(page, 'overall').count()) await q(page, 'overall').locator('.opt').first().click();
      await page.click('#next');
    }
    const opts = await q(page, 'recommend').locator('.opt').evaluateAll((os) => os.map((o) => o.getBoundingClientRect().toJSON()));
    assert.equal(opts.length, 11);
    assert.ok(opts.every((o) => Math.abs(o.top - opts[0].top) < 1), 'one row');
    assert.ok(opts.every((o) => o.left >= 0 && o.right <= 360), 'all on the screen');
    assert.ok(opts[10].left > opts[0].left, '0 at the start');
    await shot(page, 'form-360-nps');
    await axeCheck(page, 'form NPS at 360 px');
    noProblems(page);
    await page.context().close();
  });

  test('a 422 from the server is shown beside its question', async () => {
    const page = await newPage(browser, { allowHttpErrors: true });
    await page.goto(`${d.base}${link.url}`);
    await page.click('#start');
    await q(page, 'overall').locator('.opt').nth(0).click();
    await q(page, 'reach').locator('.opt', { hasText: /^5$/ }).click();
    await q(page, 'treated_well').locator('.opt', { hasText: 'Ei' }).click();
    // What the page sends is bent on its way (as an old cached page or a
    // tampering client might), so the server, not the page, refuses it.
    await page.route('**/api/v1/forms/*/responses', async (route) => {
      const body = JSON.parse(route.request().postData());
      body.answers.reach = 42;
      await route.continue({ postData: JSON.stringify(body) });
    });
    const reply = page.waitForResponse((r) => r.url().endsWith('/responses'));
    await page.click('#submit');
    const r = await reply;
    assert.equal(r.status(), 422);
    assert.equal((await r.json()).error.field, 'reach');
    await q(page, 'reach').locator('.field-error').waitFor({ state: 'visible' });
    assert.equal(await q(page, 'reach').locator('.field-error').innerText(), 'Tarkista tämä vastaus.');
    assert.equal(await q(page, 'overall').locator('.field-error').isVisible(), false);
    assert.equal(await page.locator('main').getAttribute('data-step'), 'questions', 'the answers stay on the page');
    await shot(page, 'form-422');
    await page.unroute('**/api/v1/forms/*/responses');
    await page.click('#submit');
    await page.locator('main[data-step="done"]').waitFor();
    noProblems(page);
    await page.context().close();
  });

  test('an invitation code used twice gets the 409 message', async () => {
    const code = invite.codes[0];
    const answer = async (page) => {
      await page.goto(`${d.base}${invite.url}`);
      await page.click('#start');
      await page.fill('#invitation', code);
      await q(page, 'workload').locator('.opt', { hasText: /^4$/ }).click();
      await q(page, 'recommend').locator('.opt').nth(8).click();
      // Any other required question of the staff survey.
      for (const id of await page.locator('fieldset[data-question]').evaluateAll((fs) => fs.map((f) => f.dataset.question))) {
        const legend = await q(page, id).locator('legend').innerText();
        if (/pakollinen/.test(legend) && !(await q(page, id).locator('input:checked').count()))
          await q(page, id).locator('.opt').first().click();
      }
      await page.click('#submit');
    };
    const first = await newPage(browser);
    await answer(first);
    await first.locator('main[data-step="done"]').waitFor();
    await first.context().close();

    const second = await newPage(browser, { allowHttpErrors: true });
    await answer(second);
    await second.locator('.invitation .field-error').waitFor({ state: 'visible' });
    const msg = await second.locator('.invitation .field-error').innerText();
    assert.match(msg, /on jo vastattu/);
    assert.match(msg, /kerran/);
    assert.equal(await second.getAttribute('#invitation', 'aria-invalid'), 'true');
    await axeCheck(second, 'form invitation used');
    await shot(second, 'form-409');
    noProblems(second);
    await second.context().close();
  });
});
