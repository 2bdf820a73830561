// languages.test.js — the respondents' languages in Debian's chromium
// against the real palauted: a survey in Finnish, Swedish, Arabic and
// plain Finnish on the kiosk and the form; the interface in each; Arabic
// right to left (the faces and the scales mirrored, the order in the page
// kept); plain Finnish as a visible choice in larger type; read aloud only
// with a voice on the device (the browser's speechSynthesis, its voice
// list set by the test); axe in each language.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Api, axeCheck, launch, newPage, noProblems, shot, startDaemon, surveyDef, withLangs } from './lib.js';

const LANGS = ['fi', 'sv', 'ar', 'fi-x-plain'];

// The browser's speech synthesis as a device with these voices has it:
// the same API (getVoices, speak, cancel, voiceschanged), what is spoken
// kept in window.spoken. Call before the page loads.
async function voices(page, list) {
  await page.addInitScript((initial) => {
    let current = initial;
    window.spoken = [];
    const synth = window.speechSynthesis;
    synth.getVoices = () => current;
    synth.speak = (u) => window.spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.name });
    synth.cancel = () => {};
    window.SpeechSynthesisUtterance = class {
      constructor(text) { this.text = text; }
    };
    window.setVoices = (next) => {
      current = next;
      synth.dispatchEvent(new Event('voiceschanged'));
    };
  }, list);
}

const FI_LOCAL = { name: 'Satu', lang: 'fi-FI', localService: true, default: true, voiceURI: 'satu' };
const SV_NETWORK = { name: 'Network Swedish', lang: 'sv-SE', localService: false, default: false, voiceURI: 'net-sv' };

describe('languages', () => {
  let d;
  let admin;
  let browser;
  let client;
  let panel;
  let root;

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    root = await admin.unit('Kielikaupunki');
    client = await admin.survey(withLangs(surveyDef('survey-client.json', { min_group: 3 }), LANGS));
    panel = await admin.survey(withLangs(surveyDef('survey-panel.json'), LANGS));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  test('a survey in an unknown language is refused, naming the field', async () => {
    const r = await admin.call('POST', '/api/v1/surveys', withLangs(surveyDef('survey-client.json'), ['fi', 'fi-x-easy']));
    assert.equal(r.status, 422);
    assert.equal(r.json.error.field, 'languages[1]');
  });

  async function kiosk(opts = {}) {
    const unit = await admin.unit(`Aula ${Math.random().toString(36).slice(2, 8)}`, root);
    const c = await admin.collector({ survey: client, unit, kind: 'kiosk', idle_reset_seconds: 60 });
    const page = await newPage(browser, opts);
    if (opts.voices) await voices(page, opts.voices);
    await page.goto(`${d.base}/kiosk/?code=${c.enrollment_code}`);
    await page.locator('main[data-phase="question"] .screen').waitFor();
    return page;
  }

  const boxes = (page, sel) => page.locator(sel).evaluateAll((els) => els.map((e) => ({ value: e.dataset.value || e.querySelector('input')?.value, x: e.getBoundingClientRect().left })));

  test('the kiosk in each language: its own words, Arabic mirrored, plain Finnish larger', async () => {
    const page = await kiosk();
    const lang = async (l) => {
      await page.click(`#langs button[lang="${l}"]`);
      await page.waitForFunction((x) => document.documentElement.lang === x, l);
    };
    // Plain Finnish is a choice of its own beside the languages.
    const names = await page.locator('#langs button').allInnerTexts();
    assert.deepEqual(names, ['Suomi', 'Svenska', 'العربية', 'Selkosuomi']);
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    const fiSize = await size();
    let faces = await boxes(page, '.face-btn');
    assert.deepEqual(faces.map((f) => f.value), ['1', '2', '3', '4', '5']);
    assert.ok(faces[0].x < faces[4].x, 'fi: worst at the left');
    await axeCheck(page, 'kiosk fi');

    await lang('sv');
    assert.equal(await page.locator('#privacy-btn').innerText(), 'Dataskydd');
    await axeCheck(page, 'kiosk sv');

    await lang('ar');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.locator('#privacy-btn').innerText(), 'حماية البيانات');
    assert.equal(await page.locator('.face-btn').nth(0).innerText(), 'سيئ جدًا');
    assert.match(await page.locator('#q-title').innerText(), /\[ar\]/);
    faces = await boxes(page, '.face-btn');
    assert.deepEqual(faces.map((f) => f.value), ['1', '2', '3', '4', '5'], 'the order in the page stays, worst first');
    assert.ok(faces[0].x > faces[4].x, 'ar: worst at the right, where reading begins');
    await shot(page, 'kiosk-ar');
    await axeCheck(page, 'kiosk ar');

    await lang('fi-x-plain');
    assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
    assert.ok(await page.evaluate(() => document.body.classList.contains('plain')));
    assert.ok(await size() > fiSize * 1.1, 'plain language in larger type');
    assert.equal(await page.locator('.face-btn').nth(0).innerText(), 'Tosi huono');
    assert.match(await page.locator('#q-title').innerText(), /\[fi-x-plain\]/);
    await shot(page, 'kiosk-plain');
    await axeCheck(page, 'kiosk fi-x-plain');

    // An answer in Arabic is an answer in Arabic, thanked in Arabic.
    await lang('ar');
    await page.waitForTimeout(700);
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/kiosk/responses'));
    await page.locator('.face-btn').nth(3).click();
    for (const id of ['reason', 'helped', 'comment']) {
      await page.locator(`.screen[data-question="${id}"]`).waitFor();
      await page.waitForTimeout(700);
      await page.locator(id === 'comment' ? '.nav .next' : '.nav .skip').click();
    }
    await page.locator('main[data-phase="thanks"]').waitFor();
    assert.equal(await page.locator('.thanks h1').innerText(), 'شكرًا على ملاحظاتك!');
    await axeCheck(page, 'kiosk thank-you ar');
    const body = JSON.parse((await sent).postData());
    assert.equal(body.responses[0].lang, 'ar');
    noProblems(page);
    await page.context().close();
  });

  test('the form in each language: every screen passes axe, Arabic scales run from the right', async () => {
    const c = await admin.collector({ survey: panel, unit: await admin.unit('Raati', root), kind: 'link' });
    for (const l of LANGS) {
      const page = await newPage(browser);
      await page.goto(`${d.base}${c.url}?lang=${l}`);
      await page.locator('main[data-step="intro"]').waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), l);
      assert.equal(await page.getAttribute('html', 'dir'), l === 'ar' ? 'rtl' : 'ltr');
      await axeCheck(page, `form intro ${l}`);
      await page.click('#start');
      await page.locator('main[data-step="questions"]').waitFor();
      await axeCheck(page, `form questions ${l}`);
      const nps = await boxes(page, '[data-question="recommend"] .opt');
      assert.equal(nps[0].value, '0');
      if (l === 'ar') assert.ok(nps[0].x > nps[10].x, 'ar: 0 at the right');
      else assert.ok(nps[0].x < nps[10].x, `${l}: 0 at the left`);
      const faces = await boxes(page, '[data-question="overall"] .opt');
      if (l === 'ar') assert.ok(faces[0].x > faces[3].x);
      if (l === 'fi-x-plain') {
        assert.ok(await page.evaluate(() => document.body.classList.contains('plain')));
        assert.equal(await page.locator('#submit').innerText(), 'Lähetä vastaukset');
      }
      await shot(page, `form-${l}`);
      // The thank-you, in the language.
      await page.locator('[data-question="overall"] .opt').first().click();
      await page.locator('[data-question="treated_well"] .opt').first().click();
      await page.click('#submit');
      await page.locator('main[data-step="done"]').waitFor();
      const thanks = { fi: 'Kiitos vastauksistasi!', sv: 'Tack för dina svar!', ar: 'شكرًا على إجاباتك!', 'fi-x-plain': 'Kiitos vastauksista!' };
      assert.equal(await page.locator('#done-title').innerText(), thanks[l]);
      await axeCheck(page, `form thank-you ${l}`);
      noProblems(page);
      await page.context().close();
    }
  });

  test('read aloud with a voice on the device for the language, and only then', async () => {
    const page = await kiosk({ voices: [FI_LOCAL, SV_NETWORK] });
    const button = page.locator('.read-aloud');
    assert.equal(await button.isVisible(), true, 'fi: a voice on the device');
    assert.match(await button.innerText(), /Lue ääneen$/);
    assert.equal(await button.evaluate((b) => b.querySelector('[aria-hidden="true"]').textContent), '🔊', 'the icon is not read out');
    await axeCheck(page, 'kiosk with read aloud');
    await button.click();
    const spoken = await page.evaluate(() => window.spoken);
    assert.equal(spoken.length, 1);
    assert.equal(spoken[0].voice, 'Satu');
    assert.equal(spoken[0].lang, 'fi-FI');
    assert.match(spoken[0].text, /^Millainen käyntisi oli tänään\?\. Erittäin huono\. Huono\./);
    // Plain Finnish is read with a Finnish voice.
    await page.click('#langs button[lang="fi-x-plain"]');
    await page.waitForFunction(() => document.documentElement.lang === 'fi-x-plain');
    assert.equal(await button.isVisible(), true);
    // Swedish only over the network, Arabic not at all: no button.
    await page.click('#langs button[lang="sv"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    assert.equal(await button.isVisible(), false, 'sv: a network voice is not used');
    await page.click('#langs button[lang="ar"]');
    await page.waitForFunction(() => document.documentElement.lang === 'ar');
    assert.equal(await button.isVisible(), false, 'ar: no voice');
    noProblems(page);
    await page.context().close();

    // A device without voices: no button, until one is installed.
    const bare = await kiosk({ voices: [] });
    assert.equal(await bare.locator('.read-aloud').isVisible(), false);
    await axeCheck(bare, 'kiosk without voices');
    await bare.evaluate((v) => window.setVoices([v]), FI_LOCAL);
    await bare.locator('.read-aloud').waitFor({ state: 'visible' });
    noProblems(bare);
    await bare.context().close();

    // The form too, beside each question.
    const c = await admin.collector({ survey: panel, unit: await admin.unit('Raati 2', root), kind: 'link' });
    const form = await newPage(browser);
    await voices(form, [FI_LOCAL]);
    await form.goto(`${d.base}${c.url}`);
    await form.click('#start');
    await form.locator('[data-question="overall"] .read-aloud').click();
    const said = await form.evaluate(() => window.spoken);
    assert.equal(said.length, 1);
    assert.match(said[0].text, /Erittäin huono/);
    await axeCheck(form, 'form with read aloud');
    await form.click('#langs button[lang="sv"]');
    await form.waitForFunction(() => document.documentElement.lang === 'sv');
    assert.equal(await form.locator('.read-aloud').first().isVisible(), false);
    noProblems(form);
    await form.context().close();
  });
});
