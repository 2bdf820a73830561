// builder.test.js — the survey builder in Debian's chromium against the
// real palauted: a survey of every question type in two languages, built
// from a template without JSON, reordered by keyboard and by buttons, its
// missing translations marked, previewed as the kiosk and as the form in
// both languages, and saved; a refusal of the server beside the input it
// names, in Finnish; a survey that has a response (sent through the form
// route) saved as a new version, with the builder saying so first; the
// JSON view as import and export. axe on every state.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  Api, axeCheck, dashboardLogin, launch, newPage, noProblems, PHONE, shot, SRCDIR, startDaemon, surveyDef,
} from './lib.js';

// A GET reply without the members the server adds: the definition.
function stripView(reply) {
  const out = { ...reply };
  for (const k of ['id', 'version', 'current_version', 'has_responses', 'open']) delete out[k];
  return out;
}

describe('survey builder', () => {
  let d;
  let admin;
  let browser;
  let unit;
  let built; // the id of the survey the first test creates

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    const root = await admin.unit('Rakentajakunta');
    unit = await admin.unit('Toimisto Vaahtera', root);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  const login = (page) => dashboardLogin(page, d);

  const errorOf = (page, path) => page.locator(`[data-path="${path}"] > .err-slot > .field-error`);
  // The preview's frame: the client's own page, the size of the device.
  const preview = (page) => page.frameLocator('#preview-frame iframe');
  const previewSize = (page) => page.locator('#preview-frame iframe')
    .evaluate((f) => [Number(f.getAttribute('width')), Number(f.getAttribute('height'))]);
  // A click redraws the frame a moment later: wait for the size (10 s).
  const previewSizeIs = async (page, want, msg) => {
    let got;
    for (let i = 0; i < 100; i++) {
      got = await previewSize(page);
      if (got[0] === want[0] && got[1] === want[1]) break;
      await page.waitForTimeout(100);
    }
    assert.deepEqual(got, want, msg);
  };

  test('a survey of every question type in two languages, from a template, previewed and saved', async () => {
    const page = await newPage(browser);
    await login(page);
    await page.click('a[href="#/surveys"]');
    await page.click('#new-survey');
    await page.locator('.template-card').first().waitFor();
    assert.deepEqual(await page.locator('.template-card').evaluateAll((els) => els.map((e) => e.dataset.template)),
      ['client-visit', 'client-panel', 'staff', 'blank'], 'three templates and an empty survey');
    await axeCheck(page, 'builder templates');
    await shot(page, 'builder-templates');
    await page.click('#template-client-visit');
    await page.locator('#survey-builder').waitFor();

    // The template's texts, and its privacy notice left empty: no
    // contact data is ever made up.
    assert.equal(await page.inputValue('#b-title-fi'), 'Kerro, miten käyntisi sujui');
    for (const id of ['#b-privacy-controller-fi', '#b-privacy-purpose-sv', '#b-privacy-contact', '#b-privacy-retention-months'])
      assert.equal(await page.inputValue(id), '', `${id} is left for the admin`);
    assert.equal(await page.locator('[data-path="privacy.controller.fi"] .missing-mark').isVisible(), true, 'an empty notice is marked');
    await axeCheck(page, 'builder from a template');

    // Every language a survey may have is offered; the template has three.
    assert.equal(await page.locator('.lang-checks input[type="checkbox"]').count(), 12);
    assert.deepEqual(await page.locator('.lang-checks input:checked').evaluateAll((els) => els.map((e) => e.value)), ['fi', 'sv', 'en']);
    // Two languages: English goes, its inputs with it.
    await page.click('label[for="b-languages-en"]');
    await page.locator('[data-lang="en"]').first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('#b-title-sv').count(), 1);

    // The template has smiley, choice, choice, text; add the other types.
    const add = async (type) => {
      await page.selectOption('#b-add-type', type);
      await page.click('#add-question');
    };
    await add('scale');
    // A new question's texts are missing in both languages, marked where
    // they are and counted above the save button.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-4-text-fi', 'the new question has the focus');
    assert.equal(await page.locator('#b-questions-4-text-sv-missing').isVisible(), true);
    assert.match(await page.locator('#missing-summary').innerText(), /Puuttuvia tekstejä tai tietoja: \d+/);
    await page.fill('#b-questions-4-text-fi', 'Kuinka nopeasti sait ajan?');
    await page.fill('#b-questions-4-text-sv', 'Hur snabbt fick du en tid?');
    assert.equal(await page.locator('#b-questions-4-text-sv-missing').isVisible(), false, 'a written text is no longer marked');
    await page.fill('#b-questions-4-min', '0');
    await page.fill('#b-questions-4-max', '4');
    await page.fill('#b-questions-4-labels-min-fi', 'Hitaasti');
    await page.fill('#b-questions-4-labels-min-sv', 'Långsamt');
    await page.fill('#b-questions-4-labels-max-fi', 'Heti');
    await page.fill('#b-questions-4-labels-max-sv', 'Genast');
    await add('nps');
    await page.fill('#b-questions-5-text-fi', 'Suosittelisitko palvelua?');
    await page.fill('#b-questions-5-text-sv', 'Skulle du rekommendera tjänsten?');
    await add('multi');
    await page.fill('#b-questions-6-text-fi', 'Mikä auttoi?');
    await page.fill('#b-questions-6-text-sv', 'Vad hjälpte?');
    await page.fill('#b-questions-6-options-0-id', 'kindness');
    await page.fill('#b-questions-6-options-0-text-fi', 'Ystävällisyys');
    await page.fill('#b-questions-6-options-0-text-sv', 'Vänlighet');
    await page.fill('#b-questions-6-options-1-id', 'speed');
    await page.fill('#b-questions-6-options-1-text-fi', 'Nopeus');
    await page.fill('#b-questions-6-options-1-text-sv', 'Snabbhet');
    await page.click('#b-questions-6-add-option');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-6-options-2-text-fi');
    await page.fill('#b-questions-6-options-2-id', 'advice');
    await page.fill('#b-questions-6-options-2-text-fi', 'Neuvot');
    await page.fill('#b-questions-6-options-2-text-sv', 'Råden');
    await page.fill('#b-questions-6-max-choices', '2');
    // The last option up by its button, the first down by keyboard.
    await page.click('#b-questions-6-options-2-up');
    assert.equal(await page.inputValue('#b-questions-6-options-1-id'), 'advice');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-6-options-1-up', 'the focus moves with the option');
    await page.focus('#b-questions-6-options-0-id');
    await page.keyboard.press('Alt+ArrowDown');
    assert.deepEqual(await Promise.all([0, 1, 2].map((j) => page.inputValue(`#b-questions-6-options-${j}-id`))), ['advice', 'kindness', 'speed']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-6-options-1-id');
    await add('yesno');
    await page.fill('#b-questions-7-text-fi', 'Kohdeltiinko sinua hyvin?');
    await page.fill('#b-questions-7-text-sv', 'Blev du väl bemött?');
    await page.check('#b-questions-7-required');

    // Reorder questions by keyboard alone: the yes/no question up two
    // places, the focus staying in it; then down one by its button.
    await page.focus('#b-questions-7-text-fi');
    await page.keyboard.press('Alt+ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-6-text-fi');
    await page.keyboard.press('Alt+ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-5-text-fi');
    assert.equal(await page.inputValue('#b-questions-5-type'), 'yesno');
    await page.click('#b-questions-5-down');
    assert.equal(await page.inputValue('#b-questions-6-type'), 'yesno');
    assert.equal(await page.inputValue('#b-questions-5-type'), 'nps');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-6-down');

    // Settings of their own: four faces, a shorter comment.
    await page.selectOption('#b-questions-0-faces', '4');
    await page.fill('#b-questions-3-max-length', '300');

    // Saving with the notice empty: refused here, nothing sent.
    let posted = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && /\/api\/v1\/surveys$/.test(r.url())) posted++; });
    await page.click('#save-survey');
    await page.locator('#editor-status .notice.error').waitFor();
    assert.match(await page.locator('#editor-status').innerText(), /Kyselyä ei tallennettu: \d+ tekstiä tai tietoa puuttuu/);
    assert.equal(posted, 0);
    await axeCheck(page, 'builder with missing texts');

    await page.fill('#b-privacy-controller-fi', 'Rakentajakunnan sosiaalipalvelut');
    await page.fill('#b-privacy-controller-sv', 'Rakentajakommunens socialtjänst');
    await page.fill('#b-privacy-purpose-fi', 'Palautteella kehitetään palvelua.');
    await page.fill('#b-privacy-purpose-sv', 'Responsen används för att utveckla tjänsten.');
    await page.fill('#b-privacy-contact', 'tietosuoja@rakentajakunta.test');
    await page.fill('#b-privacy-retention-months', '24');
    await page.fill('#b-min-group', '3');
    await page.selectOption('#b-period', 'week');
    await page.fill('#b-kiosk-idle-reset-seconds', '45');
    assert.equal(await page.locator('#missing-summary').innerText(), '', 'nothing is missing any more');

    // The preview: the kiosk's own page and screens, in a frame the size
    // of a tablet; in Finnish, then in Swedish; a tap moves on, as on the
    // tablet. It follows the question last moved or added: start over.
    await page.click('#preview-kiosk');
    const kiosk = preview(page);
    await page.click('#preview-reset');
    await kiosk.locator('.screen[data-question="visit"]').waitFor();
    assert.equal(await kiosk.locator('.q-text').innerText(), 'Millainen käyntisi oli tänään?');
    assert.equal(await kiosk.locator('.face-btn').count(), 4, 'four faces');
    assert.equal(await kiosk.locator('body').getAttribute('class'), 'kiosk', 'the kiosk’s page');
    await previewSizeIs(page, [1280, 800], 'a tablet on its side');
    await page.click('#preview-lang-sv');
    await kiosk.locator('.q-text', { hasText: 'Hur var ditt besök i dag?' }).waitFor();
    assert.equal(await kiosk.locator('html').getAttribute('lang'), 'sv');
    await kiosk.locator('.face-btn').nth(3).click();
    await kiosk.locator('.progress', { hasText: 'Fråga 2 av 8' }).waitFor();
    await page.selectOption('#preview-q', '4');
    await kiosk.locator('.screen[data-question="q1"]').waitFor();
    assert.equal(await kiosk.locator('.scale-btn').count(), 5, 'a scale of 0 to 4');
    assert.deepEqual(await kiosk.locator('.scale-labels span').allInnerTexts(), ['Långsamt', 'Genast']);
    // An edit shows at once, on the screen shown.
    await page.fill('#b-questions-4-labels-max-sv', 'Genast!');
    await kiosk.locator('.scale-labels span', { hasText: 'Genast!' }).waitFor();
    await page.fill('#b-questions-4-labels-max-sv', 'Genast');
    // The edit's redraw (120 ms later) makes the preview's buttons anew: a
    // click meanwhile could be lost with the button under the pointer.
    await kiosk.locator('.scale-labels span', { hasText: /^Genast$/ }).waitFor();
    await page.click('#preview-portrait');
    await kiosk.locator('.screen[data-question="q1"]').waitFor();
    await previewSizeIs(page, [800, 1280], 'and standing up');
    await axeCheck(page, 'builder kiosk preview');
    await shot(page, 'builder-preview-kiosk');
    // The form on a phone: the privacy notice first, then one question a
    // screen with its place in the survey. It shows the question shown
    // in the kiosk; from the start, it shows the privacy notice first.
    await page.click('#preview-form');
    const form = preview(page);
    await form.locator('.field.q[data-question="q1"]').waitFor();
    await page.click('#preview-reset');
    await form.locator('main[data-step="intro"]').waitFor();
    await previewSizeIs(page, [390, 844], 'a phone');
    const intro = await form.locator('main').innerText();
    for (const s of ['Rakentajakommunens socialtjänst', 'tietosuoja@rakentajakunta.test', '24 månader'])
      assert.ok(intro.includes(s), `the preview's privacy notice says ${s}`);
    await form.locator('#start').click();
    const types = [];
    for (let i = 0; i < 8; i++) {
      assert.equal(await form.locator('.step-progress').innerText(), `Fråga ${i + 1} av 8`);
      types.push(await form.locator('.field.q').evaluate((e) => e.className.match(/type-(\w+)/)[1]));
      // Required questions are answered first, as on the phone.
      if (i === 0 || i === 6) await form.locator('.opt').first().click();
      if (i < 7) await form.locator('#next').click();
    }
    assert.deepEqual(types, ['smiley', 'choice', 'choice', 'text', 'scale', 'nps', 'yesno', 'multi']);
    assert.equal(await form.locator('#submit').count(), 1, 'the last screen sends');
    await page.click('#preview-lang-fi');
    assert.match(await form.locator('.field.q').innerText(), /Mikä auttoi\?[\s\S]*Valitse enintään 2\./);
    await axeCheck(page, 'builder form preview');
    await shot(page, 'builder-preview-form');

    await page.click('#save-survey');
    await page.locator('#editor-status .notice.ok').waitFor();
    assert.equal(await page.locator('#editor-status').innerText(), 'Kysely luotu (versio 1).');
    const m = page.url().match(/#\/surveys\/(\d+)$/);
    assert.ok(m, `the address names the new survey: ${page.url()}`);
    built = Number(m[1]);
    assert.equal(posted, 1);

    const s = await admin.ok('GET', `/api/v1/surveys/${built}`);
    assert.deepEqual(s.languages, ['fi', 'sv']);
    assert.deepEqual(s.questions.map((q) => q.type), ['smiley', 'choice', 'choice', 'text', 'scale', 'nps', 'yesno', 'multi']);
    assert.deepEqual(new Set(s.questions.map((q) => q.type)), new Set(['smiley', 'scale', 'nps', 'choice', 'multi', 'yesno', 'text']));
    assert.equal(s.questions[0].faces, 4);
    assert.equal(s.questions[3].max_length, 300);
    assert.deepEqual([s.questions[4].min, s.questions[4].max], [0, 4]);
    assert.deepEqual(s.questions[4].labels.max, { fi: 'Heti', sv: 'Genast' });
    assert.equal(s.questions[6].required, true);
    assert.deepEqual(s.questions[7].options.map((o) => o.id), ['advice', 'kindness', 'speed']);
    assert.equal(s.questions[7].max_choices, 2);
    assert.deepEqual(s.title, { fi: 'Kerro, miten käyntisi sujui', sv: 'Berätta hur ditt besök gick' });
    assert.equal(s.privacy.contact, 'tietosuoja@rakentajakunta.test');
    assert.equal(s.privacy.retention_months, 24);
    assert.equal(s.min_group, 3);
    assert.equal(s.period, 'week');
    assert.deepEqual(s.kiosk, { idle_reset_seconds: 45 });
    noProblems(page);
    await page.context().close();
  });

  test('from an empty survey: every question type and setting, in Finnish, Arabic and plain Finnish, previewed', async () => {
    const ar = (await import(pathToFileURL(path.join(SRCDIR, 'clients/www/assets/i18n/ar.js')).href)).default.strings;
    const plain = (await import(pathToFileURL(path.join(SRCDIR, 'clients/www/assets/i18n/fi-x-plain.js')).href)).default.strings;
    const page = await newPage(browser);
    await login(page);
    await page.goto(`${d.base}/dashboard/#/surveys/new`);
    await page.click('#template-blank');
    await page.locator('#survey-builder').waitFor();
    assert.equal(await page.locator('.qcard').count(), 1, 'one smiley question to start from');

    // Arabic and plain Finnish in, Swedish out: every text is asked for
    // in each, side by side, right to left where it runs so.
    await page.click('label[for="b-languages-ar"]');
    await page.click('label[for="b-languages-fi-x-plain"]');
    await page.click('label[for="b-languages-sv"]');
    await page.locator('#b-title-sv').waitFor({ state: 'detached' });
    assert.deepEqual(await page.locator('[data-path="title"] [data-lang]').evaluateAll((els) => els.map((e) => e.dataset.lang)),
      ['fi', 'ar', 'fi-x-plain']);
    assert.equal(await page.getAttribute('#b-title-ar', 'dir'), 'rtl');
    for (const l of ['fi', 'ar', 'fi-x-plain'])
      assert.equal(await page.locator(`#b-title-${l}-missing`).isVisible(), true, `the title in ${l} is marked missing`);
    assert.match(await page.locator('#b-title-fi-x-plain-missing').innerText(), /selkosuomi/);
    const langs = ['fi', 'ar', 'fi-x-plain'];
    const T = {
      title: ['Kysely kaikista tyypeistä', 'استبيان بكل الأنواع', 'Kysely'],
      q: [
        ['Millainen käynti oli?', 'كيف كانت الزيارة؟', 'Miten meni?'],
        ['Kuinka helppoa asiointi oli?', 'ما مدى سهولة المعاملة؟', 'Oliko helppoa?'],
        ['Suosittelisitko meitä?', 'هل توصي بنا؟', 'Kerrotko meistä muille?'],
        ['Miten tulit?', 'كيف أتيت؟', 'Miten tulit?'],
        ['Mikä auttoi?', 'ما الذي ساعد؟', 'Mikä auttoi?'],
        ['Saitko apua?', 'هل حصلت على مساعدة؟', 'Saitko apua?'],
        ['Mitä muuta?', 'ماذا أيضًا؟', 'Mitä muuta?'],
      ],
    };
    const texts = async (path, values) => {
      for (let i = 0; i < langs.length; i++) await page.fill(`#b-${path}-${langs[i]}`, values[i]);
    };
    await texts('title', T.title);
    // An optional text written in one language is needed in all of them.
    await page.fill('#b-description-fi', 'Vastaaminen vie minuutin.');
    assert.equal(await page.locator('#b-description-ar-missing').isVisible(), true);
    await page.fill('#b-description-ar', 'تستغرق الإجابة دقيقة.');
    await page.fill('#b-description-fi-x-plain', 'Vastaat nopeasti.');
    await page.selectOption('#b-audience', 'panel');
    await page.fill('#b-slug', 'kaikki-tyypit');

    // Every question type with its settings.
    const add = async (type) => {
      await page.selectOption('#b-add-type', type);
      await page.click('#add-question');
    };
    await texts('questions-0-text', T.q[0]);
    await page.selectOption('#b-questions-0-faces', '4');
    await add('scale');
    await texts('questions-1-text', T.q[1]);
    await page.fill('#b-questions-1-min', '1');
    await page.fill('#b-questions-1-max', '7');
    await texts('questions-1-labels-min', ['Vaikeaa', 'صعب', 'Vaikeaa']);
    await texts('questions-1-labels-max', ['Helppoa', 'سهل', 'Helppoa']);
    await page.check('#b-questions-1-required');
    await add('nps');
    await texts('questions-2-text', T.q[2]);
    await add('choice');
    await texts('questions-3-text', T.q[3]);
    await page.fill('#b-questions-3-options-0-id', 'bus');
    await texts('questions-3-options-0-text', ['Bussilla', 'بالحافلة', 'Bussilla']);
    await page.fill('#b-questions-3-options-1-id', 'walk');
    await texts('questions-3-options-1-text', ['Kävellen', 'مشيًا', 'Kävellen']);
    await add('multi');
    await texts('questions-4-text', T.q[4]);
    for (const [j, id, words] of [[0, 'kindness', ['Ystävällisyys', 'اللطف', 'Ystävällisyys']],
      [1, 'speed', ['Nopeus', 'السرعة', 'Nopeus']], [2, 'advice', ['Neuvot', 'النصائح', 'Neuvot']]]) {
      if (j === 2) await page.click('#b-questions-4-add-option');
      await page.fill(`#b-questions-4-options-${j}-id`, id);
      await texts(`questions-4-options-${j}-text`, words);
    }
    await page.fill('#b-questions-4-max-choices', '2');
    await add('yesno');
    await texts('questions-5-text', T.q[5]);
    await add('text');
    await texts('questions-6-text', T.q[6]);
    await page.fill('#b-questions-6-max-length', '200');
    // A question and an option moved by keyboard alone.
    await page.focus('#b-questions-5-id');
    await page.keyboard.press('Alt+ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-4-id');
    assert.equal(await page.inputValue('#b-questions-4-type'), 'yesno');
    await page.keyboard.press('Alt+ArrowDown');
    assert.equal(await page.inputValue('#b-questions-5-type'), 'yesno');
    await page.focus('#b-questions-3-options-1-text-ar');
    await page.keyboard.press('Alt+ArrowUp');
    assert.equal(await page.inputValue('#b-questions-3-options-0-id'), 'walk');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-3-options-0-text-ar');

    // The survey's own settings.
    await texts('privacy-controller', ['Kaikkikunnan sosiaalipalvelut', 'الخدمات الاجتماعية', 'Kunnan sosiaalipalvelut']);
    await texts('privacy-purpose', ['Palvelun kehittäminen.', 'تطوير الخدمة.', 'Teemme palvelusta paremman.']);
    await page.fill('#b-privacy-contact', 'tietosuoja@kaikkikunta.test');
    await page.fill('#b-privacy-retention-months', '12');
    assert.equal(await page.isChecked('#b-privacy-voluntary'), true);
    assert.equal(await page.isChecked('#b-privacy-anonymous'), true);
    await page.fill('#b-min-group', '4');
    await page.fill('#b-min-group-comments', '12');
    await page.selectOption('#b-period', 'quarter');
    await page.fill('#b-kiosk-idle-reset-seconds', '60');
    assert.equal(await page.locator('#missing-summary').innerText(), '', 'nothing is missing');
    await axeCheck(page, 'builder from an empty survey');

    // The kiosk in Arabic: its page mirrored, its own words, the faces
    // from the right, worst first.
    const kiosk = preview(page);
    await page.click('#preview-kiosk');
    await page.click('#preview-reset');
    await page.click('#preview-lang-ar');
    await kiosk.locator('.q-text', { hasText: T.q[0][1] }).waitFor();
    assert.equal(await kiosk.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await kiosk.locator('html').getAttribute('lang'), 'ar');
    assert.equal(await kiosk.locator('.progress').innerText(), ar.question.replace('{i}', '1').replace('{n}', '7'));
    assert.equal(await kiosk.locator('#privacy-btn').innerText(), ar.privacy);
    const faces = await kiosk.locator('.face-btn').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().x));
    assert.equal(faces.length, 4);
    assert.ok(faces[0] > faces[3], `right to left: the worst face on the right (${faces})`);
    await kiosk.locator('.face-btn').first().click();
    await kiosk.locator('.screen[data-question="q2"]').waitFor();
    const scale = await kiosk.locator('.scale-btn').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().x));
    assert.equal(scale.length, 7);
    assert.ok(scale[0] > scale[6], 'a scale runs from the right');
    await kiosk.locator('#privacy-btn').click();
    await kiosk.locator('#privacy-dialog .privacy-title', { hasText: ar.privacyTitle }).waitFor();
    assert.match(await kiosk.locator('#privacy-dialog').innerText(), /tietosuoja@kaikkikunta\.test/);
    await axeCheck(page, 'builder kiosk preview in Arabic');
    await shot(page, 'builder-preview-kiosk-ar');
    await kiosk.locator('#privacy-dialog button').click();

    // The form in plain Finnish: larger type, its own words.
    const form = preview(page);
    await page.click('#preview-form');
    await page.click('#preview-lang-fi-x-plain');
    await form.locator('#intro-title', { hasText: 'Kysely' }).waitFor();
    assert.equal(await form.locator('body').evaluate((b) => b.classList.contains('plain')), true);
    assert.equal(await form.locator('.privacy-title').innerText(), plain.privacyTitle);
    assert.equal(await form.locator('#start').innerText(), plain.start);
    const big = await form.locator('body').evaluate((b) => parseFloat(getComputedStyle(b).fontSize));
    await page.click('#preview-lang-fi');
    await form.locator('#start', { hasText: 'Aloita kysely' }).waitFor();
    const normal = await form.locator('body').evaluate((b) => parseFloat(getComputedStyle(b).fontSize));
    assert.ok(big > normal, `plain language in larger type (${big} > ${normal})`);
    // In Finnish, a screen per question, each type as the form draws it.
    const types = [];
    for (let i = 0; i < 7; i++) {
      await page.selectOption('#preview-q', String(i));
      await form.locator('.step-progress', { hasText: `Kysymys ${i + 1}/7` }).waitFor();
      types.push(await form.locator('.field.q').evaluate((e) => e.className.match(/type-(\w+)/)[1]));
    }
    assert.deepEqual(types, ['smiley', 'scale', 'nps', 'choice', 'multi', 'yesno', 'text']);
    assert.match(await form.locator('.field.q').innerText(), /200 merkkiä jäljellä/);
    // Next checks the screen as the form does; Send only thanks.
    await page.selectOption('#preview-q', '1');
    await form.locator('#next').click();
    await form.locator('.field-error', { hasText: 'Vastaa tähän kysymykseen.' }).waitFor();
    await axeCheck(page, 'builder form preview');

    let posted = 0;
    page.on('request', (r) => { if (r.method() !== 'GET') posted++; });
    await page.click('#save-survey');
    await page.locator('#editor-status .notice.ok').waitFor();
    assert.equal(posted, 1, 'one request: the save; the preview sends nothing');
    const id = Number(page.url().match(/#\/surveys\/(\d+)$/)[1]);
    const s = await admin.ok('GET', `/api/v1/surveys/${id}`);
    assert.equal(s.slug, 'kaikki-tyypit');
    assert.deepEqual(s.languages, langs);
    assert.equal(s.audience, 'panel');
    assert.deepEqual(s.title, Object.fromEntries(langs.map((l, i) => [l, T.title[i]])));
    assert.deepEqual(s.description['fi-x-plain'], 'Vastaat nopeasti.');
    assert.deepEqual(s.questions.map((q) => [q.id, q.type, q.required]), [['q1', 'smiley', true], ['q2', 'scale', true],
      ['q3', 'nps', false], ['q4', 'choice', false], ['q5', 'multi', false], ['q6', 'yesno', false], ['q7', 'text', false]]);
    assert.equal(s.questions[0].faces, 4);
    assert.deepEqual([s.questions[1].min, s.questions[1].max, s.questions[1].labels.max.ar], [1, 7, 'سهل']);
    assert.deepEqual(s.questions[3].options.map((o) => o.id), ['walk', 'bus']);
    assert.deepEqual(s.questions[4].options.map((o) => o.id), ['kindness', 'speed', 'advice']);
    assert.equal(s.questions[4].max_choices, 2);
    assert.equal(s.questions[6].max_length, 200);
    assert.deepEqual(s.privacy, {
      controller: { fi: 'Kaikkikunnan sosiaalipalvelut', ar: 'الخدمات الاجتماعية', 'fi-x-plain': 'Kunnan sosiaalipalvelut' },
      purpose: { fi: 'Palvelun kehittäminen.', ar: 'تطوير الخدمة.', 'fi-x-plain': 'Teemme palvelusta paremman.' },
      contact: 'tietosuoja@kaikkikunta.test', retention_months: 12, voluntary: true, anonymous: true,
    });
    assert.deepEqual([s.min_group, s.min_group_comments, s.period, s.kiosk], [4, 12, 'quarter', { idle_reset_seconds: 60 }]);
    noProblems(page);
    await page.context().close();
  });

  test('the preview of the form is the form: its page and screens, tap by tap, in two languages', async () => {
    // The preview draws form/screens.js, the module the form draws with,
    // into a frame made of the form's page. Held here to the real form on
    // a phone, given the same survey and the same taps: the same page,
    // style sheets, markup, answers and focus on every screen, a message
    // beside a question left unanswered and the thank-you screen included;
    // and the preview's Send sends nothing.
    const id = await admin.survey(surveyDef('survey-panel.json'));
    const link = await admin.collector({ survey: id, unit, kind: 'link' });
    const slug = link.url.split('/').pop();
    const phone = await newPage(browser, { viewport: PHONE });
    const page = await newPage(browser);
    await login(page);
    await page.goto(`${d.base}/dashboard/#/surveys/${id}`);
    await page.locator('#survey-builder').waitFor();
    let sent = 0;
    page.on('request', (r) => { if (r.method() !== 'GET') sent++; });
    await page.click('#preview-form');
    const form = preview(page);
    // A document as a person meets it. The page's skip link and the
    // link's unit are left out: the preview has no address to skip to
    // and no collector, so no unit.
    const seen = (where) => where.locator('html').evaluate((root) => {
      const doc = root.ownerDocument;
      const body = doc.body.cloneNode(true);
      for (const x of body.querySelectorAll('.skip-link, .unit')) x.remove();
      return {
        lang: root.lang,
        dir: root.dir,
        title: doc.title,
        sheets: [...doc.querySelectorAll('link[rel="stylesheet"]')].map((l) => l.href),
        body: [doc.body.className, body.innerHTML],
        inputs: [...doc.querySelectorAll('input, textarea')].map((i) => [i.id, i.checked, i.disabled, i.value]),
        focus: doc.activeElement && doc.activeElement.id,
      };
    });
    const same = async (what) => {
      const got = await seen(form);
      assert.ok(got.body[1].includes('<main'), `${what}: the form's page`);
      assert.deepEqual(got, await seen(phone), what);
    };
    const both = async (fn) => {
      await fn(phone);
      await fn(form);
    };
    const { questions } = await admin.ok('GET', `/api/v1/surveys/${id}`);
    assert.ok(questions.some((q) => q.required) && questions.some((q) => !q.required));
    for (const lang of ['fi', 'sv']) {
      await phone.goto(`${d.base}/f/${slug}?lang=${lang}`);
      await phone.locator('main[data-step="intro"]').waitFor();
      await page.click(`#preview-lang-${lang}`);
      await page.click('#preview-reset');
      await form.locator(`html[lang="${lang}"] main[data-step="intro"]`).waitFor();
      await same(`${lang}: the privacy notice`);
      await both((p) => p.locator('#start').click());
      for (let i = 0; i < questions.length; i++) {
        const q = questions[i];
        const last = i === questions.length - 1;
        await both((p) => p.locator(`.field.q[data-question="${q.id}"]`).waitFor());
        await same(`${lang}: question ${i + 1}`);
        if (q.required) {
          await both((p) => p.locator(last ? '#submit' : '#next').click());
          await both((p) => p.locator('.field.q.has-error .field-error').waitFor());
          await same(`${lang}: question ${i + 1} left unanswered`);
          await both((p) => p.locator('.opt').first().click());
          await same(`${lang}: question ${i + 1} answered`);
        }
        if (!last) await both((p) => p.locator('#next').click());
      }
      await both((p) => p.locator('#submit').click());
      await both((p) => p.locator('main[data-step="done"]').waitFor());
      await same(`${lang}: the thank-you screen`);
    }
    assert.equal(sent, 0, 'the preview sends nothing');
    noProblems(page);
    noProblems(phone);
    await page.context().close();
    await phone.context().close();
  });

  test('the server’s refusal beside the input it names, in Finnish', async () => {
    assert.ok(built, 'the first test made a survey');
    const page = await newPage(browser, { allowHttpErrors: true });
    await login(page);
    await page.goto(`${d.base}/dashboard/#/surveys/${built}`);
    await page.locator('#survey-builder').waitFor();

    // Two options of one question with the same id: only the server
    // checks that, and names questions[7].options[1].id.
    await page.fill('#b-questions-7-options-1-id', 'advice');
    await page.click('#save-survey');
    const err = errorOf(page, 'questions[7].options[1].id');
    await err.waitFor();
    assert.equal(await err.innerText(), 'Sama tunniste on jo käytössä. Anna jokaiselle oma tunniste.');
    assert.equal(await err.getAttribute('data-code'), 'invalid');
    assert.equal(await err.getAttribute('title'), null);
    assert.equal(await page.getAttribute('#b-questions-7-options-1-id', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#b-questions-7-options-1-id', 'aria-describedby'), /err-b-questions-7-options-1-id/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-7-options-1-id', 'the focus is on it');
    const status = page.locator('#editor-status .error-field');
    assert.equal(await status.getAttribute('data-field'), 'questions[7].options[1].id');
    const shown = await page.locator('#editor-status').innerText();
    assert.match(shown, /Palvelin ei hyväksynyt kyselyä/);
    assert.match(shown, /Vaihtoehto 2/);
    assert.doesNotMatch(shown, /duplicate|option id/, 'no English message on a Finnish page');
    // The server's own words only under a technical detail, closed.
    const detail = page.locator('#editor-status .server-detail');
    assert.equal(await detail.evaluate((e) => e.open), false);
    assert.match(await detail.textContent(), /invalid · questions\[7\]\.options\[1\]\.id.*duplicate/);
    await axeCheck(page, 'builder with a refusal');
    await shot(page, 'builder-refusal');
    // Fixing it takes the message away.
    await page.fill('#b-questions-7-options-1-id', 'kindness');
    assert.equal(await err.count(), 0);
    assert.equal(await page.getAttribute('#b-questions-7-options-1-id', 'aria-invalid'), null);

    // A rule between two settings, and a broken scale.
    await page.fill('#b-min-group', '6');
    await page.fill('#b-min-group-comments', '4');
    await page.click('#save-survey');
    await errorOf(page, 'min_group_comments').waitFor();
    assert.equal(await errorOf(page, 'min_group_comments').innerText(),
      'Anna luku 6–10000 (vähintään pienin ryhmä) tai jätä tyhjäksi.');
    await page.fill('#b-min-group-comments', '');
    await page.fill('#b-questions-4-max', '0');
    await page.click('#save-survey');
    await errorOf(page, 'questions[4].max').waitFor();
    assert.equal(await errorOf(page, 'questions[4].max').innerText(), 'Suurimman arvon on oltava pienintä suurempi.');
    // The same refusal in Swedish when the dashboard speaks Swedish.
    await page.click('#langs button[lang="sv"]');
    await page.locator('#save-survey', { hasText: 'Spara' }).waitFor();
    assert.equal(await errorOf(page, 'questions[4].max').innerText(), 'Största värdet måste vara större än det minsta.',
      'the refusal shown follows the dashboard’s language, and the edits stay');
    await page.fill('#b-questions-4-max', '40');
    await page.click('#save-survey');
    await errorOf(page, 'questions[4].max').waitFor();
    assert.equal(await errorOf(page, 'questions[4].max').innerText(), 'Skalan har högst 11 steg.');
    await page.click('#langs button[lang="fi"]');
    const s = await admin.ok('GET', `/api/v1/surveys/${built}`);
    assert.equal(s.version, 1, 'nothing refused was stored');
    assert.deepEqual(s.questions[4].max, 4);
    noProblems(page);
    await page.context().close();
  });

  test('the builder says what saving does to the versions, by the server’s rule, and lists them', async () => {
    const id = await admin.survey(surveyDef('survey-panel.json', { min_group: 3 }));
    const page = await newPage(browser);
    await login(page);
    const open = async () => {
      await page.goto(`${d.base}/dashboard/#/surveys`);
      await page.locator(`.surveys-table tr[data-survey="${id}"]`).waitFor();
      const status = await page.locator(`.surveys-table tr[data-survey="${id}"] td`).nth(4).innerText();
      await page.goto(`${d.base}/dashboard/#/surveys/${id}`);
      await page.locator('#survey-builder').waitFor();
      return status;
    };
    const edit = async (text) => {
      await page.fill('#b-questions-0-text-fi', text);
      await page.click('#save-survey');
      await page.locator('#editor-status .notice.ok').waitFor();
      return page.locator('#editor-status').innerText();
    };

    // Never had a collector: nobody can have answered, changed in place.
    assert.equal(await open(), 'luonnos: muutokset tallentuvat suoraan');
    assert.match(await page.locator('#in-place-top').innerText(), /ei ole vielä ollut keräystapaa.*tallennus muuttaa versiota 1 suoraan/);
    assert.equal(await page.locator('.new-version').count(), 0);
    assert.equal(await page.locator('#save-survey').innerText(), 'Tallenna');
    assert.equal(await edit('Luonnos: mitä mieltä olet?'), 'Tallennettu (versio 1).');

    // A collector and one response, below k: has_responses says nothing
    // of it, and the rule does not ask. The survey is open: every change
    // is a new version from now on.
    const link = await admin.collector({ survey: id, unit, kind: 'link' });
    const r = await new Api(d.base).call('POST', `/api/v1/forms/${link.url.split('/').pop()}/responses`, {
      id: '6f1c2a3e-0000-4000-8000-00000000b11d', lang: 'fi', answers: { overall: 3, treated_well: true },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal((await admin.ok('GET', `/api/v1/surveys/${id}`)).has_responses, false);
    assert.equal(await open(), 'julkaistu: muutos tekee uuden version');
    assert.equal(await page.locator('#new-version-top').innerText(),
      'Kysely on ollut avoinna vastauksille ensimmäisestä keräystavastaan lähtien (vaikka keräystapa olisi sittemmin poistettu). '
      + 'Siksi jokainen tallennettu muutos tekee uuden version (2), ja versio 1 säilyy ennallaan siihen annettuja vastauksia varten. '
      + 'Näin käy, vastasiko kukaan vai ei, jotta versionumero ei kerro, onko kyselyyn vastattu. '
      + 'Tulokset lasketaan yhteen versioiden yli niille kysymyksille, joiden tunniste, tyyppi ja vaihtoehdot pysyvät samoina.');
    assert.equal(await page.locator('#new-version-save').isVisible(), true, 'said again beside the button');
    assert.equal(await page.locator('#save-survey').innerText(), 'Tallenna uutena versiona (2)');
    assert.equal(await page.locator('.versions-table tbody tr').count(), 1);
    await axeCheck(page, 'builder of an open survey');

    // Nothing changed: nothing is saved.
    await page.click('#save-survey');
    await page.locator('#editor-status', { hasText: 'Ei tallennettavia muutoksia.' }).waitFor();

    assert.equal(await edit('Mitä mieltä olet sosiaalipalveluista nyt?'),
      'Tallennettu uutena versiona 2. Jo annetut vastaukset säilyvät versiossa 1.');
    assert.deepEqual(await page.locator('.versions-table tbody th').allInnerTexts(), ['2 (uusin)', '1']);
    assert.match(await page.locator('#new-version-top').innerText(), /uuden version \(3\)/, 'the next change is version 3');
    assert.equal(await page.locator('#save-survey').innerText(), 'Tallenna uutena versiona (3)');

    // The collector deleted: still open, as the server has it.
    await admin.ok('DELETE', `/api/v1/collectors/${link.id}`);
    assert.equal(await open(), 'julkaistu: muutos tekee uuden version');
    assert.equal(await page.locator('#save-survey').innerText(), 'Tallenna uutena versiona (3)');
    await page.locator('#langs button[lang="sv"]').click();
    await page.locator('#new-version-top', { hasText: 'Enkäten har varit öppen för svar' }).waitFor();
    assert.match(await page.locator('#new-version-top').innerText(), /blir varje ändring som sparas en ny version \(3\)/);
    await page.locator('#langs button[lang="fi"]').click();
    await page.locator('#save-survey', { hasText: 'Tallenna' }).waitFor();
    assert.equal(await edit('Mitä mieltä olet nyt?'), 'Tallennettu uutena versiona 3. Jo annetut vastaukset säilyvät versiossa 2.');
    assert.deepEqual(await page.locator('.versions-table tbody th').allInnerTexts(), ['3 (uusin)', '2', '1']);

    // An earlier version to start from: saving makes it the latest.
    await page.locator('.versions-table tbody tr[data-version="1"] button').click();
    assert.equal(await page.inputValue('#b-questions-0-text-fi'), 'Luonnos: mitä mieltä olet?');
    await page.click('#save-survey');
    await page.locator('#editor-status', { hasText: 'Tallennettu uutena versiona 4.' }).waitFor();

    const v = await Promise.all([1, 2, 3, 4].map((n) => admin.ok('GET', `/api/v1/surveys/${id}?version=${n}`)));
    assert.deepEqual(v.map((x) => x.questions[0].text.fi), ['Luonnos: mitä mieltä olet?',
      'Mitä mieltä olet sosiaalipalveluista nyt?', 'Mitä mieltä olet nyt?', 'Luonnos: mitä mieltä olet?'],
    'every version stays as it was saved');
    await shot(page, 'builder-new-version');
    noProblems(page);
    await page.context().close();
  });

  test('the JSON view exports the definition and imports one into the builder', async () => {
    const page = await newPage(browser, { locale: 'en-GB', allowHttpErrors: true });
    await login(page);
    await page.goto(`${d.base}/dashboard/#/surveys/${built}`);
    await page.locator('#survey-builder').waitFor();
    await page.click('#json-toggle');
    const text = await page.inputValue('#survey-json');
    const exported = JSON.parse(text);
    assert.equal(exported.questions.length, 8);
    assert.equal(['id', 'version', 'current_version', 'has_responses', 'open'].some((k) => k in exported), false,
      'a definition, without the record’s members');
    assert.deepEqual(exported, stripView(await admin.ok('GET', `/api/v1/surveys/${built}`)), 'what the server keeps');
    // The same as a file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#json-download')]);
    assert.match(download.suggestedFilename(), /\.json$/);
    assert.deepEqual(JSON.parse(fs.readFileSync(await download.path(), 'utf8')), exported);
    // Round trip: imported back unchanged, nothing is lost or changed.
    await page.fill('#survey-json', text);
    await page.click('#json-import');
    await page.locator('#json-status .notice.ok').waitFor();
    assert.equal(await page.inputValue('#survey-json'), text, 'the builder gives back what it took');
    await page.click('#save-survey');
    await page.locator('#editor-status', { hasText: 'There are no changes to save.' }).waitFor();

    await page.fill('#survey-json', '{ "title": ');
    await page.click('#json-import');
    await page.locator('#json-status .notice.error').waitFor();
    assert.match(await page.locator('#json-status').innerText(), /not valid, so nothing was imported/);
    assert.equal(await page.inputValue('#b-title-fi'), 'Kerro, miten käyntisi sujui', 'the builder is as it was');

    exported.title.sv = 'Berätta om ditt besök';
    exported.questions.pop();
    await page.fill('#survey-json', JSON.stringify(exported));
    await page.click('#json-import');
    await page.locator('#json-status .notice.ok').waitFor();
    assert.equal(await page.inputValue('#b-title-sv'), 'Berätta om ditt besök');
    assert.equal(await page.locator('.qcard').count(), 7);
    await axeCheck(page, 'builder JSON view');
    await page.click('#save-survey');
    await page.locator('#editor-status .notice.ok').waitFor();
    assert.equal(await page.locator('#editor-status').innerText(), 'Saved (version 1).', 'without a collector, in place');
    const s = await admin.ok('GET', `/api/v1/surveys/${built}`);
    assert.equal(s.version, 1);
    assert.equal(s.title.sv, 'Berätta om ditt besök');
    assert.equal(s.questions.length, 7);
    noProblems(page);
    await page.context().close();
  });
});
