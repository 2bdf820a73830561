// report.test.js — the results page as a report, in Debian's chromium
// against the real palauted: no literal null, undefined or NaN anywhere
// (a text question's comment count included, released or not); the
// workbook (XLSX) downloads beside the CSV in the dashboard's language
// and is a zip with a workbook in it; and the page printed to PDF (A4)
// carries the head (survey, unit, range), the note on steps of k, the
// figures and the charts, and none of the menus, controls or buttons.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Api, axeCheck, dashboardLogin, day, have, launch, newPage, noProblems, shot, startDaemon, surveyDef } from './lib.js';

const K = 3;
const NOTHING = /\bnull\b|\bundefined\b|\bNaN\b|\[object /;

describe('results as a report', () => {
  let d;
  let admin;
  let browser;
  let survey;
  const u = {};

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    u.root = await admin.unit('Raporttikunta');
    u.office = await admin.unit('Toimisto Raportti', u.root);
    u.quiet = await admin.unit('Toimisto Hiljainen', u.root);
    survey = await admin.survey(surveyDef('survey-client.json', { min_group: K, min_group_comments: K, period: 'week' }));
    const send = async (unit, items) => {
      const c = await admin.collector({ survey, unit, kind: 'kiosk', name: `Aula ${unit}` });
      const dev = await new Api(d.base).ok('POST', '/api/v1/kiosk/enroll', { code: c.enrollment_code });
      const r = await new Api(d.base, dev.device_token).ok('POST', '/api/v1/kiosk/responses', { responses: items });
      assert.equal(r.stored, items.length);
    };
    let n = 0;
    const item = (ago, visit, extra = {}) => ({
      id: `report-${++n}-${'y'.repeat(12)}`, day: day(ago), lang: 'fi',
      answers: { visit, reason: 'advice', helped: 'yes', ...extra },
    });
    // Six in one week (two whole steps), each with a comment; the quiet
    // office one without (nothing released there).
    await send(u.office, [1, 2, 3, 4, 5, 5].map((v, i) => item(0, v, { comment: `Kommentti ${i + 1}` })));
    await send(u.quiet, [item(0, 4)]);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  async function open(page, unit) {
    await dashboardLogin(page, d);
    await page.locator('.results-main[aria-busy="false"]').waitFor({ timeout: 15000 });
    await page.selectOption('#survey', String(survey));
    await page.locator('.results-main[aria-busy="false"]').waitFor();
    await page.click(`.unit-btn[data-unit="${unit}"]`);
    await page.locator(`.unit-btn[data-unit="${unit}"][aria-current="true"]`).waitFor();
    await page.locator('.results-main[aria-busy="false"]').waitFor();
  }

  test('no literal null, undefined or NaN: released, nothing released, comments shown', async () => {
    const page = await newPage(browser);
    await open(page, u.quiet);
    assert.equal(await page.locator('#n-value').innerText(), '0');
    assert.doesNotMatch(await page.locator('.results-main').innerText(), NOTHING);
    await page.click('#comments .show-comments');
    await page.locator('#comments .comments-count').waitFor();
    assert.doesNotMatch(await page.locator('.results-main').innerText(), NOTHING);

    await page.click(`.unit-btn[data-unit="${u.office}"]`);
    await page.locator('#n-value', { hasText: '6' }).waitFor();
    assert.doesNotMatch(await page.locator('.results-main').innerText(), NOTHING);
    const [reply] = await Promise.all([
      page.waitForResponse((r) => /\/comments\?/.test(r.url())),
      page.click('#comments .show-comments'),
    ]);
    const cj = await reply.json();
    await page.locator('#comments .comments-count').waitFor();
    const counted = await page.locator('#comments .comments-count').innerText();
    if (Array.isArray(cj.comments) && cj.comments.length) {
      // The count of the reply, under whichever name it comes.
      const n = [cj.count, cj.n].find(Number.isInteger);
      assert.equal(counted, `${n} kommenttia`, 'the count of the comments, never null');
      assert.equal(await page.locator('#comments .comment-list li').count(), cj.comments.length);
    } else {
      assert.equal(counted, 'Ei näytettäviä avoimia vastauksia.');
    }
    assert.doesNotMatch(await page.locator('.results-main').innerText(), NOTHING);
    for (const lang of ['sv', 'en']) {
      await page.click(`.lang-switch button[lang=${lang}]`);
      await page.locator(`html[lang=${lang}] .results-main[aria-busy="false"]`).waitFor();
      await page.click('#comments .show-comments');
      await page.locator('#comments .comments-count').waitFor();
      assert.doesNotMatch(await page.locator('.results-main').innerText(), NOTHING, lang);
    }
    await page.click('.lang-switch button[lang=fi]');
    noProblems(page);
    await page.context().close();
  });

  test('the workbook downloads beside the CSV, in the dashboard\'s language', async () => {
    const page = await newPage(browser);
    await open(page, u.root);
    const csv = page.locator('#csv');
    const xlsx = page.locator('#xlsx');
    assert.equal(await xlsx.innerText(), 'Lataa Excel (XLSX)');
    // Beside the CSV: the next button.
    assert.equal(await csv.evaluate((b) => b.nextElementSibling && b.nextElementSibling.id), 'xlsx');
    await axeCheck(page, 'results with the workbook button');

    const fetchOne = async () => {
      const [req, download] = await Promise.all([
        page.waitForRequest((r) => /\/results\.xlsx\?/.test(r.url())),
        page.waitForEvent('download'),
        xlsx.click(),
      ]);
      const file = await download.path();
      const bytes = fs.readFileSync(file);
      assert.match(download.suggestedFilename(), /\.xlsx$/);
      assert.deepEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'a zip');
      // The parts of a workbook, and the survey's title in its strings.
      const listing = execFileSync('python3', ['-c', `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
print("\\n".join(names))
for n in names:
    if n.endswith("sharedStrings.xml"):
        print(z.read(n).decode("utf-8"))
`, file], { encoding: 'utf8' });
      assert.match(listing, /^\[Content_Types\]\.xml$/m);
      assert.match(listing, /^xl\/workbook\.xml$/m);
      return { url: new URL(req.url()), listing };
    };
    let got = await fetchOne();
    assert.equal(got.url.searchParams.get('lang'), 'fi');
    assert.equal(got.url.searchParams.get('unit'), String(u.root));
    assert.match(got.listing, /Kerro, miten käyntisi sujui/);
    assert.match(got.listing, /Raporttikunta/);

    await page.click('.lang-switch button[lang=en]');
    await page.locator('#xlsx', { hasText: 'Download Excel (XLSX)' }).waitFor();
    await page.locator('.results-main[aria-busy="false"]').waitFor();
    got = await fetchOne();
    assert.equal(got.url.searchParams.get('lang'), 'en');
    assert.match(got.listing, /Tell us how your visit went/);
    await page.click('.lang-switch button[lang=fi]');
    noProblems(page);
    await page.context().close();
  });

  test('printed to PDF: A4, the head, the note, the figures and charts, no controls', async (t) => {
    if (!have('pdftotext')) {
      if (process.env.PALAUTE_REQUIRE_BROWSER === '1') assert.fail('pdftotext is missing (Debian package poppler-utils)');
      t.skip('pdftotext is missing (Debian package poppler-utils)');
      return;
    }
    const page = await newPage(browser);
    await open(page, u.office);
    await page.locator('#distributions canvas').first().waitFor();
    assert.equal(await page.locator('#print-report').innerText(), 'Tulosta tai tallenna PDF');
    // The head is for paper only.
    assert.equal(await page.locator('#print-header').isVisible(), false);
    const charts = await page.locator('.results-main canvas').count();
    assert.ok(charts >= 4, `charts on the page: ${charts}`);

    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#print-header').isVisible(), true);
    await shot(page, 'report-print-media');
    await page.emulateMedia({ media: null });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaute-pdf-'));
    try {
      const file = path.join(dir, 'report.pdf');
      await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      if (process.env.PALAUTE_SHOTS) fs.copyFileSync(file, path.join(process.env.PALAUTE_SHOTS, 'report.pdf'));
      assert.match(info, /Page size:.*\(A4\)/, info);
      const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
      assert.ok(pages >= 1 && pages <= 6, `pages: ${pages}`);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      // The head: what, where, when.
      for (const want of ['Palaute – tulosraportti', 'Kerro, miten käyntisi sujui', 'Yksikkö', 'Toimisto Raportti', 'Aikaväli', 'Tulostettu',
        // The note on steps of k, the sections.
        'Tulokset päivittyvät 3 vastauksen erissä.', 'Yhteenveto', 'Vastauksia', 'Vastausten jakaumat', 'Kehitys',
        'Millainen käyntisi oli tänään?']) assert.ok(text.includes(want), `the PDF says "${want}":\n${text}`);
      const range = await page.locator('#print-header .print-range').innerText();
      assert.ok(text.includes(range), `the range "${range}"`);
      // None of the screen's furniture.
      for (const not of ['Kirjaudu ulos', 'Keräystavat', 'Lataa CSV', 'Lataa Excel', 'Näytä avoimet vastaukset', 'Näytä taulukkona', 'Koko aika', 'Yhdistämisehdotukset'])
        assert.ok(!text.includes(not), `the PDF leaves out "${not}"`);
      assert.doesNotMatch(text, NOTHING);
      // The charts are in it, as images.
      const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').slice(2);
      assert.ok(images.length >= charts, `${images.length} images for ${charts} charts`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    noProblems(page);
    await page.context().close();
  });
});
