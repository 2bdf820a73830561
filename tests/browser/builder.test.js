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

import { Api, axeCheck, launch, newPage, noProblems, shot, startDaemon, surveyDef } from './lib.js';

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

  async function login(page) {
    await page.goto(`${d.base}/dashboard/`);
    await page.locator('#username').waitFor();
    await page.fill('#username', 'admin');
    await page.fill('#password', d.adminPassword);
    await page.click('#login-btn');
    await page.locator('.who-name').waitFor();
  }

  const byPath = (page, path) => page.locator(`[data-path="${path}"]`);
  const errorOf = (page, path) => page.locator(`[data-path="${path}"] > .err-slot > .field-error`);

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

    // The preview: the kiosk, one question a screen, in Finnish, then in
    // Swedish; a tap moves on, as on the tablet.
    // The preview follows the question last moved or added; start it over.
    await page.click('#preview-kiosk');
    const kiosk = page.locator('#preview-frame .pv-kiosk');
    await kiosk.waitFor();
    await page.click('#preview-reset');
    assert.equal(await kiosk.locator('.q-text').innerText(), 'Millainen käyntisi oli tänään?');
    assert.equal(await kiosk.locator('.face-btn').count(), 4, 'four faces');
    await page.click('#preview-lang-sv');
    assert.equal(await kiosk.locator('.q-text').innerText(), 'Hur var ditt besök i dag?');
    assert.equal(await kiosk.getAttribute('lang'), 'sv');
    await kiosk.locator('.face-btn').nth(3).click();
    await kiosk.locator('.progress', { hasText: 'Fråga 2 av 8' }).waitFor();
    await page.selectOption('#preview-q', '4');
    assert.equal(await kiosk.locator('.scale-btn').count(), 5, 'a scale of 0 to 4');
    assert.deepEqual(await kiosk.locator('.scale-labels span').allInnerTexts(), ['Långsamt', 'Genast']);
    await axeCheck(page, 'builder kiosk preview');
    await shot(page, 'builder-preview-kiosk');
    // The form on a phone: the privacy notice first, then every question.
    await page.click('#preview-form');
    const form = page.locator('#preview-frame .pv-form');
    await form.waitFor();
    const intro = await form.innerText();
    for (const s of ['Rakentajakommunens socialtjänst', 'tietosuoja@rakentajakunta.test', '24 månader'])
      assert.ok(intro.includes(s), `the preview's privacy notice says ${s}`);
    // On a phone, one question a screen with its place in the survey.
    await form.locator('.pv-start').click();
    const types = [];
    for (let i = 0; i < 8; i++) {
      assert.equal(await form.locator('.step-progress').innerText(), `Fråga ${i + 1} av 8`);
      types.push(await form.locator('.field.q').evaluate((e) => e.className.match(/type-(\w+)/)[1]));
      if (i < 7) await form.locator('.pv-next').click();
    }
    assert.deepEqual(types, ['smiley', 'choice', 'choice', 'text', 'scale', 'nps', 'yesno', 'multi']);
    assert.equal(await form.locator('.pv-submit').count(), 1, 'the last screen sends');
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
    assert.match(await err.getAttribute('title'), /duplicate/, 'the server’s own words only in a title');
    assert.equal(await page.getAttribute('#b-questions-7-options-1-id', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#b-questions-7-options-1-id', 'aria-describedby'), /err-b-questions-7-options-1-id/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-questions-7-options-1-id', 'the focus is on it');
    const status = page.locator('#editor-status .error-field');
    assert.equal(await status.getAttribute('data-field'), 'questions[7].options[1].id');
    const shown = await page.locator('#editor-status').innerText();
    assert.match(shown, /Palvelin ei hyväksynyt kyselyä/);
    assert.match(shown, /Vaihtoehto 2/);
    assert.doesNotMatch(shown, /duplicate|option id/, 'no English message on a Finnish page');
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

  test('saving a survey that is published makes a new version, and the builder says so first', async () => {
    const id = await admin.survey(surveyDef('survey-panel.json', { min_group: 3 }));
    const link = await admin.collector({ survey: id, unit, kind: 'link' });
    const slug = link.url.split('/').pop();
    // One response through the form's own route.
    const r = await new Api(d.base).call('POST', `/api/v1/forms/${slug}/responses`, {
      id: '6f1c2a3e-0000-4000-8000-00000000b11d', lang: 'fi', answers: { overall: 3, treated_well: true },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    // One response is below k: has_responses says nothing of it; the
    // collector made the survey published.
    assert.equal((await admin.ok('GET', `/api/v1/surveys/${id}`)).has_responses, false);

    const page = await newPage(browser);
    await login(page);
    await page.goto(`${d.base}/dashboard/#/surveys/${id}`);
    await page.locator('#survey-builder').waitFor();
    assert.match(await page.locator('#new-version-top').innerText(), /Kysely on julkaistu: sillä on keräystapa tai vastauksia\. Muutosten tallennus tekee uuden version \(2\); jo annetut vastaukset säilyvät versiossa 1\./);
    assert.equal(await page.locator('#new-version-save').isVisible(), true, 'said again beside the button');
    assert.equal(await page.locator('#save-survey').innerText(), 'Tallenna uutena versiona (2)');
    assert.equal(await page.locator('.versions-table tbody tr').count(), 1);
    await axeCheck(page, 'builder of a survey with responses');

    // Nothing changed: nothing is saved.
    await page.click('#save-survey');
    await page.locator('#editor-status', { hasText: 'Ei tallennettavia muutoksia.' }).waitFor();

    await page.fill('#b-questions-0-text-fi', 'Mitä mieltä olet sosiaalipalveluista nyt?');
    await page.click('#save-survey');
    await page.locator('#editor-status .notice.ok').waitFor();
    assert.equal(await page.locator('#editor-status').innerText(), 'Tallennettu uutena versiona 2. Jo annetut vastaukset säilyvät versiossa 1.');
    assert.deepEqual(await page.locator('.versions-table tbody th').allInnerTexts(), ['2 (uusin)', '1']);
    assert.match(await page.locator('#new-version-top').innerText(), /uuden version \(3\)/, 'still published: the next change is version 3');
    assert.equal(await page.locator('#save-survey').innerText(), 'Tallenna uutena versiona (3)');

    const v2 = await admin.ok('GET', `/api/v1/surveys/${id}`);
    assert.equal(v2.version, 2);
    assert.equal(v2.questions[0].text.fi, 'Mitä mieltä olet sosiaalipalveluista nyt?');
    const v1 = await admin.ok('GET', `/api/v1/surveys/${id}?version=1`);
    assert.equal(v1.questions[0].text.fi, 'Mitä mieltä olet sosiaalipalveluista kokonaisuutena?', 'version 1 is as it was');
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
    const exported = JSON.parse(await page.inputValue('#survey-json'));
    assert.equal(exported.questions.length, 8);
    assert.equal('id' in exported || 'version' in exported, false, 'a definition, without the record’s members');

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
