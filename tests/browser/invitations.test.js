// invitations.test.js — invitation rounds in Debian's chromium against
// the real palauted: a personal link (/f/<slug>#code=...) fills the code
// in, leaves the address bar at once and never reaches the server; the
// form submits, and the same link again gets the 409 message with the
// answers kept. A mistyped code is flagged as it is typed, before any
// request. The form's check (codes.js) and the server's (core/codes.c)
// agree on every code of a round, every typing error of them and random
// strings. The slips print one personal QR code per code, in the
// survey's languages, and the CSV download carries the personal links.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Api, axeCheck, dashboardLogin, have, launch, newPage, noProblems, PHONE, shot, startDaemon, surveyDef, withLangs } from './lib.js';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

// The reference values of tests/unit/test_codes.c.
const VECTORS = [['222222222222', '2'], ['23456789ABCD', 'M'], ['ZZZZZZZZZZZZ', '8'], ['ABCDEFGHJKMN', '3'],
  ['K7QX2MWT9HRP', 'H'], ['2', '2'], ['Z3', 'C']];

const canonical = (code) => code.replace(/-/g, '').toUpperCase();

describe('invitations', () => {
  let d;
  let admin;
  let browser;
  let unit;
  let staff;
  let round;

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    const top = await admin.unit('Kutsukunta');
    unit = await admin.unit('Henkilöstö', top);
    staff = await admin.survey(surveyDef('survey-staff.json'));
    round = await admin.collector({ survey: staff, unit, kind: 'invitation', count: 6 });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  const q = (page, id) => page.locator(`[data-question="${id}"]`);

  // Every request the page makes, and the form submissions' replies.
  function watch(page) {
    const seen = { urls: [], posts: [] };
    page.on('request', (req) => seen.urls.push(req.url()));
    page.on('requestfinished', async (req) => {
      if (req.method() !== 'POST' || !/\/api\/v1\/forms\/[^/]+\/responses$/.test(req.url())) return;
      const res = await req.response();
      seen.posts.push({ status: res.status(), body: JSON.parse(req.postData()) });
    });
    return seen;
  }

  async function answer(page, workload) {
    await q(page, 'workload').locator('.opt', { hasText: new RegExp(`^${workload}$`) }).click();
    await q(page, 'recommend').locator('.opt').nth(8).click();
    for (const id of await page.locator('fieldset[data-question]').evaluateAll((fs) => fs.map((f) => f.dataset.question))) {
      const legend = await q(page, id).locator('legend').innerText();
      if (/pakollinen/.test(legend) && !(await q(page, id).locator('input:checked').count()))
        await q(page, id).locator('.opt').first().click();
    }
  }

  test('a personal link fills the code in, leaves the address bar, and a second use gets 409 with the answers kept', async () => {
    const code = round.codes[0];
    const link = `${d.base}${round.code_urls[0]}`;
    assert.equal(link, `${d.base}${round.url}#code=${code}`);

    const first = await newPage(browser);
    const seen1 = watch(first);
    await first.goto(link);
    await first.locator('main[data-step="intro"]').waitFor();
    // Out of the address bar, and out of the history entry (replaced).
    assert.equal(first.url(), `${d.base}${round.url}`);
    assert.equal(await first.evaluate(() => location.hash), '');
    await first.click('#start');
    assert.equal(await first.inputValue('#invitation'), code);
    assert.equal(await first.locator('.invitation .field-error').isVisible(), false);
    await answer(first, 4);
    await first.click('#submit');
    await first.locator('main[data-step="done"]').waitFor();
    assert.deepEqual(seen1.posts.map((p) => p.status), [201]);
    assert.equal(seen1.posts[0].body.invitation, code);
    await first.context().close();

    // The same link again, on another device: the code was used.
    const second = await newPage(browser, { allowHttpErrors: true });
    const seen2 = watch(second);
    await second.goto(link);
    await second.locator('main[data-step="intro"]').waitFor();
    assert.equal(second.url(), `${d.base}${round.url}`);
    await second.click('#start');
    assert.equal(await second.inputValue('#invitation'), code);
    await answer(second, 2);
    const comment = second.locator('textarea');
    if (await comment.count()) await comment.first().fill('Vastaus, joka ei saa kadota');
    await second.click('#submit');
    await second.locator('.invitation .field-error').waitFor({ state: 'visible' });
    const msg = await second.locator('.invitation .field-error').innerText();
    assert.match(msg, /on jo vastattu/);
    assert.match(msg, /kerran/);
    assert.equal(await second.getAttribute('#invitation', 'aria-invalid'), 'true');
    assert.deepEqual(seen2.posts.map((p) => p.status), [409]);
    // The answers are still on the screen, as they were given.
    assert.equal(await second.locator('main').getAttribute('data-step'), 'questions');
    assert.equal(await q(second, 'workload').locator('input:checked').getAttribute('value'), '2');
    assert.equal(await q(second, 'recommend').locator('input:checked').getAttribute('value'), '8');
    if (await comment.count()) assert.equal(await comment.first().inputValue(), 'Vastaus, joka ei saa kadota');
    await axeCheck(second, 'form, personal link used twice');
    await shot(second, 'invitation-409');

    // The code never left the browser but in the submissions' bodies.
    for (const u of [...seen1.urls, ...seen2.urls]) {
      assert.ok(!canonical(decodeURIComponent(u)).includes(canonical(code)), `a request carried the code: ${u}`);
    }
    noProblems(second);
    await second.context().close();

    // A personal link opened where the form is already open changes only
    // the fragment: the code is taken all the same.
    const third = await newPage(browser);
    await third.goto(`${d.base}${round.url}`);
    await third.locator('main[data-step="intro"]').waitFor();
    await third.click('#start');
    assert.equal(await third.inputValue('#invitation'), '');
    await third.goto(`${d.base}${round.code_urls[3]}`);
    await third.waitForFunction((c) => document.getElementById('invitation')?.value === c, round.codes[3]);
    assert.equal(third.url(), `${d.base}${round.url}`);
    assert.equal(await third.locator('main').getAttribute('data-step'), 'questions');
    noProblems(third);
    await third.context().close();
  });

  test('a mistyped code is flagged as it is typed, before any request', async () => {
    const code = canonical(round.codes[1]);
    const wrongSymbol = `${code.slice(0, 6)}${ALPHABET[(ALPHABET.indexOf(code[6]) + 5) % 31]}${code.slice(7)}`;
    let i = 0;
    while (code[i] === code[i + 1]) i++;
    const swapped = `${code.slice(0, i)}${code[i + 1]}${code[i]}${code.slice(i + 2)}`;

    const page = await newPage(browser, { allowHttpErrors: true });
    const seen = watch(page);
    await page.goto(`${d.base}${round.url}`);
    await page.locator('main[data-step="intro"]').waitFor();
    await page.click('#start');
    const input = page.locator('#invitation');
    const error = page.locator('.invitation .field-error');

    // Typed one key at a time: nothing is said while the code is not
    // whole, the typing error the moment it is.
    await input.pressSequentially(`${wrongSymbol.slice(0, 4)}-${wrongSymbol.slice(4, 8)}-${wrongSymbol.slice(8, 12)}`);
    assert.equal(await error.isVisible(), false, 'no message for a code not yet whole');
    assert.equal(await input.getAttribute('aria-invalid'), null);
    await input.pressSequentially(wrongSymbol[12]);
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /näppäilyvirhe/);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await error.getAttribute('aria-live'), 'polite');
    // Beside the code only: no summary of errors, no other message.
    assert.equal(await page.locator('#error-summary').count(), 0);
    assert.equal(await page.locator('.field-error:visible').count(), 1);
    // The input keeps the focus while the message comes and goes.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'invitation');
    await axeCheck(page, 'form, a code with a typing error');
    await shot(page, 'invitation-typo');

    // Typed again, right: the message goes.
    await input.fill('');
    await input.pressSequentially(code);
    await error.waitFor({ state: 'hidden' });
    assert.equal(await input.getAttribute('aria-invalid'), null);
    // Two symbols swapped, typed in lower case without dashes.
    await input.fill('');
    await input.pressSequentially(swapped.toLowerCase());
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /näppäilyvirhe/);
    // A letter no code has, at once.
    await input.fill('');
    await input.pressSequentially('AB0');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /”0”/);
    // One symbol too many.
    await input.fill('');
    await input.pressSequentially(`${code}2`);
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /13 kirjainta ja numeroa/);

    // Sent with a typing error: stopped here, nothing goes to the server.
    await input.fill(wrongSymbol);
    await answer(page, 3);
    await page.click('#submit');
    await page.locator('#error-summary').waitFor();
    assert.match(await page.locator('#error-summary').innerText(), /Kutsukoodi: .*näppäilyvirhe/);
    // Half a code on send: how long a code is.
    await page.fill('#invitation', code.slice(0, 8));
    await page.click('#submit');
    await page.locator('.invitation .field-error', { hasText: '13 kirjainta' }).waitFor();
    assert.deepEqual(seen.posts, [], 'no submission was made');
    // Changing the language says it again in the new one, alone.
    await page.fill('#invitation', '');
    await input.pressSequentially(wrongSymbol);
    await error.waitFor({ state: 'visible' });
    await page.click('#langs button[lang="sv"]');
    await page.locator('.invitation .field-error', { hasText: 'skrivfel' }).waitFor();
    // The right code: it goes through.
    await page.fill('#invitation', code.toLowerCase());
    await page.click('#submit');
    await page.locator('main[data-step="done"]').waitFor();
    assert.deepEqual(seen.posts.map((p) => p.status), [201]);
    noProblems(page);
    await page.context().close();

    // On a phone, Next on the code's own screen checks it there.
    const phone = await newPage(browser, { viewport: PHONE, allowHttpErrors: true });
    const seenPhone = watch(phone);
    await phone.goto(`${d.base}${round.url}`);
    await phone.locator('main[data-step="intro"]').waitFor();
    await phone.click('#start');
    await phone.locator('#invitation').pressSequentially(canonical(round.codes[2]).slice(0, 12));
    assert.equal(await phone.locator('.invitation .field-error').isVisible(), false);
    await phone.click('#next');
    await phone.locator('.invitation .field-error', { hasText: '13 kirjainta' }).waitFor();
    await phone.locator('#invitation').pressSequentially(ALPHABET[(ALPHABET.indexOf(canonical(round.codes[2])[12]) + 1) % 31]);
    await phone.locator('.invitation .field-error', { hasText: 'näppäilyvirhe' }).waitFor();
    const where = await phone.locator('#step-progress').innerText();
    await phone.click('#next');
    // Still on the code's screen: Next does not pass a typing error.
    assert.equal(await phone.locator('#step-progress').innerText(), where);
    assert.equal(await phone.locator('#invitation').isVisible(), true);
    assert.deepEqual(seenPhone.urls.filter((u) => /responses/.test(u)), []);
    noProblems(phone);
    await phone.context().close();
  });

  test('the form and the server agree on the check symbol', async () => {
    const big = await admin.collector({ survey: staff, unit, kind: 'invitation', count: 500 });
    const page = await newPage(browser);
    await page.goto(`${d.base}${big.url}`);
    await page.locator('main[data-step="intro"]').waitFor();
    // Every code the server made passes the form's check, and every
    // single-symbol error and swap of two neighbours of them fails it.
    const res = await page.evaluate(async ({ codes, vectors }) => {
      const m = await import('/f/assets/codes.js');
      const out = { notOk: [], passed: [], tried: 0, vectors: [] };
      for (const c of codes) {
        const { symbols, bad } = m.normalize(c);
        if (bad || !m.checkOk(symbols) || m.checkSymbol(symbols.slice(0, 12)) !== symbols[12] || m.judge(c, true).state !== 'ok') out.notOk.push(c);
        for (let i = 0; i < symbols.length; i++) {
          for (const v of m.ALPHABET) {
            if (v === symbols[i]) continue;
            const w = symbols.slice(0, i) + v + symbols.slice(i + 1);
            out.tried++;
            if (m.judge(w, true).state !== 'typo') out.passed.push(w);
          }
          if (i + 1 < symbols.length && symbols[i] !== symbols[i + 1]) {
            const w = symbols.slice(0, i) + symbols[i + 1] + symbols[i] + symbols.slice(i + 2);
            out.tried++;
            if (m.judge(w, true).state !== 'typo') out.passed.push(w);
          }
        }
      }
      for (const [body] of vectors) out.vectors.push(m.checkSymbol(body));
      return out;
    }, { codes: big.codes, vectors: VECTORS });
    assert.deepEqual(res.notOk, [], 'codes of the server that the form refuses');
    assert.deepEqual(res.passed, [], 'typing errors the form lets through');
    assert.ok(res.tried > 500 * 13 * 30, `${res.tried} typing errors tried`);
    assert.deepEqual(res.vectors, VECTORS.map(([, c]) => c), 'the reference values of test_codes.c');

    // Random strings, a third of them made whole: the form's verdict is
    // the server's (a reply naming the answer got past the code).
    let seed = 1515;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const strings = [];
    for (let n = 0; n < 300; n++) {
      let s = '';
      for (let i = 0; i < 13; i++) s += ALPHABET[Math.floor(rnd() * 31)];
      strings.push(s);
    }
    const verdicts = await page.evaluate(async (list) => {
      const m = await import('/f/assets/codes.js');
      return list.map((s, i) => {
        const t = i % 3 === 0 ? s.slice(0, 12) + m.checkSymbol(s.slice(0, 12)) : s;
        return [t, m.judge(t, true).state];
      });
    }, strings);
    const pub = new Api(d.base);
    let whole = 0;
    for (const [s, state] of verdicts) {
      const r = await pub.call('POST', `/api/v1/forms${big.url.slice(2)}/responses`, {
        id: `agree-${s}`, lang: 'fi', answers: { workload: 99 }, invitation: s,
      });
      assert.equal(r.status, 422, JSON.stringify(r.json));
      const server = r.json.error.field === 'invitation' ? 'typo' : 'ok';
      assert.equal(state, server, `${s}: the form says ${state}, the server ${r.json.error.field}`);
      whole += state === 'ok';
    }
    assert.ok(whole >= 100 && whole < 200, `${whole} whole codes`);
    noProblems(page);
    await page.context().close();
  });

  test('slips: one personal QR code per code, in the survey\'s languages; the CSV has the personal links', async () => {
    const langs = ['fi', 'sv', 'ar'];
    const survey = await admin.survey(withLangs(surveyDef('survey-staff.json'), langs));
    const page = await newPage(browser);
    await dashboardLogin(page, d);
    await page.click('a[href="#/collectors"]');
    await page.locator('#create-collector').waitFor();
    await page.selectOption('#c-kind', 'invitation');
    await page.selectOption('#c-survey', String(survey));
    await page.selectOption('#c-unit', String(unit));
    await page.fill('#c-count', '5');
    await page.click('#create-collector');
    await page.locator('#invitation-codes li').first().waitFor();
    const codes = await page.locator('#invitation-codes li code').allInnerTexts();
    assert.equal(codes.length, 5);
    const form = await page.locator('.created[data-kind="invitation"] a[target="_blank"]').first().getAttribute('href');
    assert.match(form, /\/f\/[A-Za-z0-9_-]{22}$/);
    const links = await page.locator('#invitation-codes a.code-link').evaluateAll((as) => as.map((a) => a.href));
    assert.deepEqual(links, codes.map((c) => `${form}#code=${c}`));
    await axeCheck(page, 'dashboard, a new invitation round');

    // The CSV: code, personal link, the form's link; whole URLs.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-codes')]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.equal(csv, `code,url,form_url\r\n${codes.map((c) => `${c},${form}#code=${c},${form}`).join('\r\n')}\r\n`);

    // The slips, printed: window.print is only watched.
    await page.evaluate(() => { window.print = () => { window.printed = true; }; });
    await page.click('#print-slips');
    await page.waitForFunction(() => window.printed === true, null, { timeout: 30000 });
    assert.match(await page.locator('#slips-status').innerText(), /5/);
    const slips = page.locator('#print-root .slip');
    assert.equal(await slips.count(), 5, 'one slip per code');
    // The QR code each personal link should have, drawn by the daemon.
    const want = [];
    for (const c of codes) {
      const r = await admin.call('POST', '/api/v1/qr.svg', { text: `${form}#code=${c}` }, { raw: true });
      assert.equal(r.status, 200);
      want.push(r.text);
    }
    // Each slip's picture, and the one it should be, drawn on a canvas
    // alike: the same pixels, or not the same QR code.
    const drawn = await page.$$eval('#print-root .slip', (els, svgs) => {
      const pixels = (img) => {
        const c = document.createElement('canvas');
        c.width = 296;
        c.height = 296;
        c.getContext('2d').drawImage(img, 0, 0, 296, 296);
        return c.toDataURL();
      };
      const load = (svg) => new Promise((resolve, reject) => {
        const img = new Image();
        img.onload = () => resolve(img);
        img.onerror = reject;
        img.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      });
      return Promise.all(els.map(async (el, i) => {
        const img = el.querySelector('img.slip-qr');
        const ok = img && img.complete && img.naturalWidth > 0;
        return {
          code: el.dataset.code,
          shown: el.querySelector('.slip-code').textContent,
          drawn: ok,
          same: ok ? pixels(img) === pixels(await load(svgs[i])) : false,
          others: ok ? await Promise.all(svgs.map(async (s, j) => j !== i && pixels(img) === pixels(await load(s)))) : [],
          langs: [...el.querySelectorAll('.slip-lang')].map((b) => [b.lang, b.dir, b.textContent]),
          label: el.querySelector('.slip-code-line').textContent,
          url: el.querySelector('.slip-url').textContent,
        };
      }));
    }, want);
    assert.deepEqual(drawn.map((s) => s.code), codes);
    for (const s of drawn) {
      assert.equal(s.shown, s.code);
      assert.equal(s.label, `Kutsukoodisi / Din inbjudningskod / رمز دعوتك: ${s.code}`);
      assert.equal(s.url, form);
      assert.ok(s.drawn, `${s.code}: its QR code is drawn`);
      assert.ok(s.same, `${s.code}: the QR code of its own personal link`);
      assert.ok(!s.others.some(Boolean), `${s.code}: not another code's QR code`);
      // Every language of the survey, in the respondents' words.
      assert.deepEqual(s.langs.map(([l, dir]) => [l, dir]), [['fi', 'ltr'], ['sv', 'ltr'], ['ar', 'rtl']]);
      assert.match(s.langs[0][2], /Kutsu vastaamaan kyselyyn/);
      assert.match(s.langs[0][2], /Koodi toimii kerran/);
      assert.match(s.langs[1][2], /Inbjudan att svara på en enkät/);
      assert.match(s.langs[1][2], /Koden fungerar en gång/);
      assert.match(s.langs[2][2], /دعوة للإجابة على استبيان/);
      assert.match(s.langs[2][2], /\[ar\]/, 'the survey\'s title in Arabic');
    }

    // On paper: the slips alone, each code on it.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#print-root .slip').first().isVisible(), true);
    assert.equal(await page.locator('#new-collector').isVisible(), false);
    await shot(page, 'invitation-slips');
    await page.emulateMedia({ media: null });
    if (have('pdftotext')) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaute-slips-'));
      try {
        const file = path.join(dir, 'slips.pdf');
        await page.pdf({ path: file, printBackground: true });
        if (process.env.PALAUTE_SHOTS) fs.copyFileSync(file, path.join(process.env.PALAUTE_SHOTS, 'slips.pdf'));
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
        for (const c of codes) assert.ok(text.includes(c), `the PDF has ${c}`);
        for (const want of ['Kutsu vastaamaan kyselyyn', 'Inbjudan att svara på en enkät', 'Din inbjudningskod'])
          assert.ok(text.replace(/\s+/g, ' ').includes(want), `the PDF says "${want}"`);
        assert.ok(!text.includes('Kerääjät') && !text.includes('Luo'), 'the page around the slips is not printed');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } else if (process.env.PALAUTE_REQUIRE_BROWSER === '1') {
      assert.fail('pdftotext is missing (Debian package poppler-utils)');
    }
    noProblems(page);
    await page.context().close();
  });
});
