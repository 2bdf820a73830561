// dashboard.test.js — the managers' dashboard in Debian's chromium against
// the real palauted: a manager sees only their units; every group shows
// its released n, 0 as a plain 0, under a note that results advance in
// steps of k; the charts are drawn; comments come k_comments at a time;
// the CSV downloads; an admin (and no manager) is offered to pool a unit
// that released nothing; and the admin's pages (surveys, collectors with
// QR codes, users, the unit tree) work.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { Api, axeCheck, canvasInk, dashboardLogin, day, launch, newPage, noProblems, shot, startDaemon, surveyDef } from './lib.js';

const K = 3;

describe('dashboard', () => {
  let d;
  let admin;
  let browser;
  let survey;
  const u = {};
  const managerPassword = 'manager-password-long-enough';

  before(async () => {
    d = await startDaemon();
    admin = await Api.login(d.base, 'admin', d.adminPassword);
    u.root = await admin.unit('Testikunta');
    u.north = await admin.unit('Pohjoinen alue', u.root);
    u.south = await admin.unit('Eteläinen alue', u.root);
    u.office = await admin.unit('Toimisto Koivu', u.north);
    u.small = await admin.unit('Toimisto Pieni', u.north);
    u.other = await admin.unit('Toimisto Etelä', u.south);
    // Weekly buckets, so the fortnight a kiosk may send spans a trend.
    survey = await admin.survey(surveyDef('survey-client.json', { min_group: K, min_group_comments: K, period: 'week' }));

    // Responses through a kiosk's batch route, with days over the last two
    // weeks. Each cell (unit, week) releases in steps of k = 3: the office
    // has three a day on three days (every cell a whole number of steps,
    // 9 released), the small office two (0 released), the south five (3).
    const send = async (unit, items) => {
      const c = await admin.collector({ survey, unit, kind: 'kiosk' });
      const dev = await new Api(d.base).ok('POST', '/api/v1/kiosk/enroll', { code: c.enrollment_code });
      const kiosk = new Api(d.base, dev.device_token);
      const r = await kiosk.ok('POST', '/api/v1/kiosk/responses', { responses: items });
      assert.equal(r.stored, items.length, JSON.stringify(r));
    };
    let n = 0;
    const item = (ago, visit, extra = {}) => ({
      id: `test-${++n}-${'x'.repeat(12)}`, day: day(ago), lang: 'fi',
      answers: { visit, reason: ['appointment', 'advice', 'benefits'][n % 3], helped: n % 2 ? 'yes' : 'partly', ...extra },
    });
    const office = [];
    for (const ago of [0, 7, 13])
      for (let i = 0; i < K; i++) office.push(item(ago, 1 + ((i + ago) % 5), { comment: `Palaute numero ${n + 1}: ystävällinen vastaanotto` }));
    await send(u.office, office);
    await send(u.small, [item(0, 2), item(0, 3)]);
    await send(u.other, [0, 0, 0, 0, 0].map(() => item(0, 5)));

    await admin.ok('POST', '/api/v1/users', { username: 'esihenkilo', password: managerPassword, role: 'manager', units: [u.north] });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await d?.stop();
  });

  const login = (page, username, password) => dashboardLogin(page, d, username, password);

  async function results(page) {
    await page.locator('.results-main[aria-busy="false"]').waitFor({ timeout: 15000 });
  }

  // Words of the old small-group rule, in the dashboard's languages: none
  // of them may show any more.
  const HELD_BACK = /suppress|fewer than|alle \d|färre än|piilotet|hidden|held back/i;

  // The keys of the old rule anywhere in a results reply: a suppressed
  // group or question, its reason and hint, a text's releasable flag.
  function oldRule(reply) {
    const gone = ['suppressed', 'reason', 'hint', 'releasable'];
    const found = gone.filter((k) => k in reply).map((k) => `reply.${k}`);
    for (const g of reply.groups) {
      found.push(...gone.filter((k) => k in g).map((k) => `group ${g.unit}.${k}`));
      for (const [id, q] of Object.entries(g.questions || {}))
        found.push(...gone.filter((k) => k in q).map((k) => `group ${g.unit} ${id}.${k}`));
    }
    return found;
  }

  test('a manager sees only their units; every group its released n, with the note; charts, comments and CSV', async () => {
    const page = await newPage(browser);
    await page.goto(`${d.base}/`);
    assert.match(page.url(), /\/dashboard\/$/, '/ leads to the dashboard');
    await page.locator('#username').waitFor();
    await axeCheck(page, 'dashboard login');
    await shot(page, 'dashboard-login');

    // A wrong password: a plain message, no detail.
    await page.fill('#username', 'esihenkilo');
    await page.fill('#password', 'wrong');
    await page.click('#login-btn');
    await page.locator('#login-error:not(:empty)').waitFor();
    assert.equal(await page.locator('#login-error').innerText(), 'Käyttäjätunnus tai salasana on väärin.');
    page.problems.length = 0; // the 401 of that attempt

    const replies = [];
    page.on('response', async (r) => {
      if (/\/results\?/.test(r.url())) replies.push({ url: r.url(), json: await r.json().catch(() => null) });
    });
    await login(page, 'esihenkilo', managerPassword);
    assert.ok(await page.evaluate(() => sessionStorage.getItem('palaute.dashboard.token')));
    assert.equal(await page.evaluate(() => localStorage.getItem('palaute.dashboard.token')), null);
    await results(page);
    // The --dev demo has surveys of its own: pick the test's.
    replies.length = 0;
    await page.selectOption('#survey', String(survey));
    await results(page);

    // The tree: the manager's subtree, nothing else.
    const names = await page.locator('.unit-btn').allInnerTexts();
    assert.deepEqual(names.map((s) => s.trim()).sort(), ['Pohjoinen alue', 'Toimisto Koivu', 'Toimisto Pieni']);
    assert.equal(await page.locator('.unit-btn[aria-current="true"]').innerText(), 'Pohjoinen alue');

    // The north holds the office's nine released responses and the small
    // office's two unreleased ones: its n is the nine, with the note.
    const overview = page.locator('#overview');
    await page.locator('#n-value').waitFor();
    assert.equal(await page.locator('#n-value').innerText(), '9');
    const total = replies.find((r) => !/by=/.test(r.url));
    assert.equal(total.json.k, K);
    assert.equal(total.json.groups[0].n, 9);
    assert.deepEqual(oldRule(total.json), [], 'nothing of the old rule in the reply');
    assert.equal(await page.locator('#release-note').getAttribute('data-k'), String(K));
    assert.equal(await page.locator('#release-note').innerText(),
      'Tulokset päivittyvät 3 vastauksen erissä. Kunkin yksikön ja jakson viimeisimmistä vastauksista enintään 2 ei ehkä vielä näy.');
    assert.ok(await overview.locator('.figure').count() >= 2, 'n and the CSAT');
    // Side by side: the office its nine, the small office a plain 0.
    const small = page.locator(`#side-by-side tr[data-unit="${u.small}"]`);
    assert.equal(await small.locator('.n-cell').innerText(), '0');
    assert.doesNotMatch(await small.innerText(), HELD_BACK);
    assert.doesNotMatch(await small.innerText(), /\d+ %/);
    const office = page.locator(`#side-by-side tr[data-unit="${u.office}"]`);
    assert.equal(await office.locator('.n-cell').innerText(), '9');
    assert.doesNotMatch(await page.locator('.results-main').innerText(), HELD_BACK);
    // A manager gets no pooling suggestion.
    assert.equal(await page.locator('#pooling').count(), 0);
    await axeCheck(page, 'dashboard results (north)');
    await shot(page, 'dashboard-north');

    // The small office: n 0, no words of holding back, empty charts.
    replies.length = 0;
    await page.click(`.unit-btn[data-unit="${u.small}"]`);
    await results(page);
    assert.equal(await page.locator('#n-value').innerText(), '0');
    const zero = replies.find((r) => !/by=/.test(r.url));
    assert.equal(zero.json.groups[0].n, 0);
    assert.deepEqual(oldRule(zero.json), []);
    assert.doesNotMatch(await page.locator('.results-main').innerText(), HELD_BACK);
    assert.equal(await page.locator('#release-note').count(), 1);
    assert.equal(await page.locator('#distributions canvas').count(), 3, 'empty charts, drawn like any other');
    assert.equal(await page.locator('#trend canvas').count(), 1);
    const ns = await page.locator('#trend .data-table tbody tr td:last-child').allTextContents();
    assert.ok(ns.length >= 1 && ns.every((n) => n === '0'), `every week of the small office is a plain 0: ${ns}`);
    await axeCheck(page, 'dashboard results (n 0)');
    await shot(page, 'dashboard-zero');

    // The office alone: numbers, charts.
    await page.click(`.unit-btn[data-unit="${u.office}"]`);
    await results(page);
    assert.equal(await page.locator('#n-value').innerText(), '9');
    const bars = page.locator('#distributions canvas');
    assert.equal(await bars.count(), 3, 'one bar chart per counted question');
    for (let i = 0; i < 3; i++) assert.ok(await canvasInk(page, `#distributions figure:nth-child(${i + 1}) canvas`) > 500, 'the bar chart is drawn');
    const line = page.locator('#trend canvas');
    assert.equal(await line.count(), 1);
    assert.ok(await canvasInk(page, '#trend canvas') > 500, 'the line chart is drawn');
    assert.ok(await page.locator('#trend .data-table tbody tr').count() >= 2, 'the trend has two weeks or more');
    await axeCheck(page, 'dashboard results (released)');
    await shot(page, 'dashboard-office');
    const png = await page.locator('#distributions').screenshot();
    assert.ok(png.length > 5000);

    // Comments come k_comments at a time, as the note says.
    assert.equal(await page.locator('#comments .comments-step').innerText(),
      'Avoimet vastaukset julkaistaan 3 vastauksen erissä. Kunkin yksikön ja jakson viimeisimmistä enintään 2 ei ehkä vielä näy.');

    // The CSV of what is on the screen: in Finnish, as a Finnish
    // spreadsheet splits it (';', decimal comma); for other programs, commas.
    async function downloadCsv() {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
      assert.match(download.suggestedFilename(), /\.csv$/);
      const csv = fs.readFileSync(await download.path());
      assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM, for Excel');
      const lines = csv.subarray(3).toString('utf8').split('\r\n');
      assert.ok(lines.length > 3, 'a header and rows');
      return lines;
    }
    assert.equal(await page.locator('#csv-sep').inputValue(), 'semicolon');
    let lines = await downloadCsv();
    assert.match(lines[0], /^survey;unit;scope;from;to;question;type;statistic;option;value$/);
    const mean = lines.find((l) => l.split(';')[7] === 'mean');
    assert.match(mean.split(';')[9], /^\d+(,\d+)?$/, mean);
    await page.selectOption('#csv-sep', 'comma');
    lines = await downloadCsv();
    assert.match(lines[0], /^survey,unit,scope,from,to,question,type,statistic,option,value$/);

    // Swedish and English: the note with the reply's k in each; and a
    // unit outside the subtree is refused by the server.
    await page.click('.lang-switch button[lang=sv]');
    await results(page);
    assert.equal(await page.locator('#overview h2').innerText(), 'Sammanfattning');
    assert.equal(await page.locator('#release-note').innerText(),
      'Resultaten uppdateras i steg om 3 svar. Av de senaste svaren för varje enhet och period kan högst 2 ännu saknas.');
    assert.equal(await page.locator('#comments .comments-step').innerText(),
      'Fritextsvaren visas i grupper om 3. Av de senaste för varje enhet och period kan högst 2 ännu saknas.');
    await page.click('.lang-switch button[lang=en]');
    await results(page);
    assert.equal(await page.locator('#overview h2').innerText(), 'Summary');
    assert.equal(await page.locator('#release-note').innerText(),
      'Results advance in steps of 3 responses. Up to 2 of the most recent responses per unit and period may not be shown yet.');
    assert.equal(await page.locator('#comments .comments-step').innerText(),
      'Comments appear 3 at a time. Up to 2 of the most recent ones per unit and period may not be shown yet.');
    await page.click('.lang-switch button[lang=sv]');
    await results(page);
    const refused = await page.evaluate(async ([s, unit]) => {
      const r = await fetch(`/api/v1/surveys/${s}/results?unit=${unit}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem('palaute.dashboard.token')}` } });
      return r.status;
    }, [survey, u.other]);
    assert.equal(refused, 403);
    page.problems = page.problems.filter((p) => !/status of 403/.test(p));

    await page.click('#logout');
    await page.locator('#username').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('palaute.dashboard.token')), null);
    noProblems(page);
    await page.context().close();
  });

  // The comments route of released steps: {count, k_comments, comments}.
  test('comments on request, with the count of the comments route', async () => {
    const page = await newPage(browser);
    await login(page, 'esihenkilo', managerPassword);
    await results(page);
    await page.selectOption('#survey', String(survey));
    await results(page);
    await page.click(`.unit-btn[data-unit="${u.office}"]`);
    await results(page);
    const [reply] = await Promise.all([
      page.waitForResponse((r) => /\/comments\?/.test(r.url())),
      page.click('#comments .show-comments'),
    ]);
    const cj = await reply.json();
    assert.equal(cj.k_comments, K);
    assert.equal(cj.count, 9, 'nine comments, three whole steps');
    assert.doesNotMatch(JSON.stringify(cj), /suppressed|"n"/);
    await page.locator('#comments .comment-list li').first().waitFor();
    assert.equal(await page.locator('#comments .comment-list li').count(), 9);
    assert.equal(await page.locator('#comments .comments-count').innerText(), '9 kommenttia');
    assert.match(await page.locator('#comments').innerText(), /ystävällinen vastaanotto/);
    await axeCheck(page, 'dashboard comments');
    noProblems(page);
    await page.context().close();
  });

  test('an admin is offered to pool a unit that released nothing; a manager is not', async () => {
    // The same view for both: the north, whose small office has released
    // nothing in the last six weeks (two responses, k = 3).
    const page = await newPage(browser);
    await login(page, 'admin', d.adminPassword);
    await results(page);
    await page.selectOption('#survey', String(survey));
    await results(page);
    await page.click(`.unit-btn[data-unit="${u.north}"]`);
    await results(page);
    const pooling = page.locator('#pooling');
    await pooling.waitFor();
    const items = pooling.locator('.pool-suggestion');
    assert.deepEqual(await items.evaluateAll((lis) => lis.map((li) => Number(li.dataset.unit))), [u.small]);
    assert.equal(await items.locator('p').innerText(),
      'Yksiköltä Toimisto Pieni ei ole tullut näkyviin yhtään vastausta kuudelta viime viikolta. Harkitse sen yhdistämistä ylempään yksikköön (Pohjoinen alue).');
    assert.doesNotMatch(await pooling.innerText(), /\b[12]\b/, 'never how many are held');
    await axeCheck(page, 'dashboard pooling suggestion');
    await shot(page, 'dashboard-pooling');
    await page.click('.lang-switch button[lang=en]');
    await results(page);
    assert.equal(await page.locator('#pooling .pool-suggestion p').innerText(),
      'Toimisto Pieni has released nothing in the last six weeks; consider pooling it into its parent (Pohjoinen alue).');
    await page.click('.lang-switch button[lang=sv]');
    await results(page);
    assert.equal(await page.locator('#pooling .pool-suggestion p').innerText(),
      'För enheten Toimisto Pieni har inga svar visats de senaste sex veckorna. Överväg att slå ihop den med enheten ovanför (Pohjoinen alue).');
    // The link opens the unit's settings, its pooling box there.
    await page.click(`#pooling .pool-suggestion[data-unit="${u.small}"] a`);
    await page.locator('#edit-unit').waitFor();
    assert.equal(await page.inputValue('#edit-unit-fi'), 'Toimisto Pieni');
    assert.equal(await page.isChecked('#edit-unit-pool'), false);
    await page.click('.lang-switch button[lang=fi]');
    noProblems(page);
    await page.context().close();

    // A manager of the north, made through the API, sees the same units
    // and no suggestion.
    await admin.ok('POST', '/api/v1/users', { username: 'pohjoinen', password: 'pohjoisen-salasana-1', role: 'manager', units: [u.north] });
    const mpage = await newPage(browser);
    await login(mpage, 'pohjoinen', 'pohjoisen-salasana-1');
    await results(mpage);
    await mpage.selectOption('#survey', String(survey));
    await results(mpage);
    assert.equal(await mpage.locator('.unit-btn[aria-current="true"]').innerText(), 'Pohjoinen alue');
    assert.equal(await mpage.locator(`#side-by-side tr[data-unit="${u.small}"] .n-cell`).innerText(), '0');
    assert.equal(await mpage.locator('#pooling').count(), 0);
    assert.doesNotMatch(await mpage.locator('.results-main').innerText(), /yhdistämistä|Yhdistämisehdotukset/);
    noProblems(mpage);
    await mpage.context().close();
  });

  test('an admin: surveys, a kiosk with its code and QR, a link poster, users', async () => {
    const page = await newPage(browser, { locale: 'en-GB', allowHttpErrors: true });
    await login(page, 'admin', d.adminPassword);
    await results(page);
    assert.equal(await page.locator('.unit-btn', { hasText: 'Toimisto Etelä' }).count(), 1, 'an admin sees every unit');

    await page.click('a[href="#/surveys"]');
    await page.locator('.surveys-table').waitFor();
    await axeCheck(page, 'dashboard surveys');
    await page.click(`tr[data-survey="${survey}"] a`);
    await page.locator('#survey-builder').waitFor();
    // A definition the server refuses, through the builder's JSON view:
    // its message and the field (tests/browser/builder.test.js has more).
    await page.click('#json-toggle');
    await page.locator('#survey-json').waitFor();
    const def = JSON.parse(await page.inputValue('#survey-json'));
    def.min_group = 1;
    await page.fill('#survey-json', JSON.stringify(def, null, 2));
    await page.click('#json-import');
    await page.click('#save-survey');
    await page.locator('#editor-status .error-field').waitFor();
    assert.equal(await page.locator('#editor-status .error-field').getAttribute('data-field'), 'min_group');
    await page.fill('#survey-json', '{ "title": ');
    await page.click('#json-import');
    await page.locator('#json-status .notice.error').waitFor();
    assert.match(await page.locator('#json-status').innerText(), /not valid/);
    await axeCheck(page, 'dashboard survey editor');
    await shot(page, 'dashboard-editor');

    await page.click('a[href="#/collectors"]');
    await page.locator('#create-collector').waitFor();
    await page.selectOption('#c-survey', String(survey));
    await page.selectOption('#c-unit', String(u.office));
    await page.selectOption('#c-kind', 'kiosk');
    await page.fill('#c-name', 'Lobby, Koivu');
    await page.click('#create-collector');
    await page.locator('#enrollment-code').waitFor();
    assert.match(await page.locator('#enrollment-code').innerText(), /^[A-Z0-9-]{6,}$/);
    await page.waitForFunction(() => {
      const img = document.querySelector('.created img.qr');
      return img && img.complete && img.naturalWidth > 0;
    });
    await axeCheck(page, 'dashboard collectors');
    await shot(page, 'dashboard-kiosk-code');

    await page.selectOption('#c-kind', 'link');
    await page.click('#create-collector');
    await page.locator('#link-url').waitFor();
    const url = await page.locator('#link-url').innerText();
    assert.match(url, /\/f\/[A-Za-z0-9_-]+$/);
    await page.waitForFunction(() => document.querySelector('.created img.qr')?.naturalWidth > 0);
    await page.evaluate(() => { window.print = () => { window.printed = document.getElementById('print-root').innerText; }; });
    await page.click('.created button');
    await page.waitForFunction(() => window.printed);
    assert.match(await page.evaluate(() => window.printed), /Kerro mielipiteesi!/);

    await page.selectOption('#c-kind', 'invitation');
    await page.fill('#c-count', '4');
    await page.click('#create-collector');
    await page.locator('#invitation-codes li').first().waitFor();
    assert.equal(await page.locator('#invitation-codes li').count(), 4);

    await page.click('a[href="#/users"]');
    await page.locator('#create-user').waitFor();
    await page.fill('#u-name', 'toinen');
    await page.check('#u-how-password');
    await page.fill('#u-pass', 'another-long-password');
    await page.click(`#u-units-tree [data-unit="${u.south}"] .picker-name`);
    await page.click('#create-user');
    await page.locator('tr', { hasText: 'toinen' }).waitFor();
    assert.match(await page.locator('tr', { hasText: 'toinen' }).innerText(), /Eteläinen alue/);
    await axeCheck(page, 'dashboard users');
    await shot(page, 'dashboard-users');

    // Edit: the manager moves north and gets a new password.
    await page.click('tr:has-text("toinen") .edit-user');
    await page.locator('#edit-user').waitFor();
    assert.equal(await page.getAttribute(`#e-units-tree [data-unit="${u.south}"]`, 'aria-selected'), 'true');
    await page.click(`#e-units-tree [data-unit="${u.south}"] .picker-name`);
    await page.click(`#e-units-tree [data-unit="${u.north}"] .picker-name`);
    await page.fill('#e-pass', 'toisen-uusi-salasana');
    await axeCheck(page, 'dashboard user editor');
    await page.click('#save-user');
    await page.locator('#user-status .notice.ok', { hasText: 'User toinen saved' }).waitFor();
    const row = await page.locator('tr', { hasText: 'toinen' }).innerText();
    assert.match(row, /Pohjoinen alue/);
    assert.doesNotMatch(row, /Eteläinen alue/);
    await Api.login(d.base, 'toinen', 'toisen-uusi-salasana');
    noProblems(page);
    await page.context().close();
  });

  test('a user changes their own password', async () => {
    await admin.ok('POST', '/api/v1/users', { username: 'vaihtaja', password: 'vanha kaivo on kuivunut', role: 'manager', units: [u.south] });
    const elsewhere = await Api.login(d.base, 'vaihtaja', 'vanha kaivo on kuivunut');
    const page = await newPage(browser, { allowHttpErrors: true });
    await login(page, 'vaihtaja', 'vanha kaivo on kuivunut');
    await page.click('#own-password');
    await page.locator('#password-form').waitFor();
    await axeCheck(page, 'dashboard own password');
    // A wrong current password: told so, still logged in.
    await page.fill('#p-current', 'ei-oikea-salasana-1');
    await page.fill('#p-new', 'uusi kaivo on kaivettu');
    await page.fill('#p-again', 'uusi kaivo on kaivettu');
    await page.click('#change-password');
    await page.locator('#password-status .error-field[data-field="password"]').waitFor();
    // Two different new ones: caught before anything is sent.
    await page.fill('#p-current', 'vanha kaivo on kuivunut');
    await page.fill('#p-new', 'uusi kaivo on kaivettu');
    await page.fill('#p-again', 'uusi kaivo on kaivettU');
    await page.click('#change-password');
    await page.locator('#password-status .notice.error').waitFor();
    // A common one: refused by the policy, told in the interface language.
    await page.fill('#p-current', 'vanha kaivo on kuivunut');
    await page.fill('#p-new', 'password1234');
    await page.fill('#p-again', 'password1234');
    await page.click('#change-password');
    const weak = page.locator('#password-status .error-field[data-field="new_password"]');
    await weak.waitFor();
    assert.match(await weak.innerText(), /liian helppo arvata|too easy to guess/);
    await page.fill('#p-current', 'vanha kaivo on kuivunut');
    await page.fill('#p-new', 'uusi kaivo on kaivettu');
    await page.fill('#p-again', 'uusi kaivo on kaivettu');
    await page.click('#change-password');
    await page.locator('#password-status .notice.ok').waitFor();
    assert.equal(await page.inputValue('#p-new'), '');
    // This session goes on; the other one has ended; the new one logs in.
    await page.click('a[href="#/results"]');
    await results(page);
    const r = await elsewhere.call('GET', '/api/v1/session');
    assert.equal(r.status, 401);
    await Api.login(d.base, 'vaihtaja', 'uusi kaivo on kaivettu');
    noProblems(page);
    await page.context().close();
  });

  test('the dashboard on a phone', async () => {
    const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
    await login(page, 'esihenkilo', managerPassword);
    await results(page);
    await page.selectOption('#survey', String(survey));
    await results(page);
    await page.click(`.unit-btn[data-unit="${u.office}"]`);
    await results(page);
    await page.locator('#trend canvas').waitFor();
    await shot(page, 'dashboard-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await axeCheck(page, 'dashboard on a phone');
    noProblems(page);
    await page.context().close();
  });

  const unitsNow = async () => (await admin.ok('GET', '/api/v1/units')).units;

  test('an admin adds a unit, renames it, pools it, uses it and deletes it', async () => {
    const page = await newPage(browser);
    await login(page, 'admin', d.adminPassword);
    await results(page);
    const nav = await page.locator('#nav a').allInnerTexts();
    assert.deepEqual(nav, ['Tulokset', 'Kyselyt', 'Yksiköt', 'Keräystavat', 'Käyttäjät']);
    await page.click('a[href="#/units"]');
    await page.locator('#add-unit').waitFor();
    assert.match(await page.locator('#pool-lead').innerText(), /ei muodosta omaa ryhmäänsä/);
    await axeCheck(page, 'dashboard units');

    // A new office under the north, named in Finnish and Swedish.
    await page.fill('#unit-fi', 'Toimisto Uusi');
    await page.fill('#unit-sv', 'Kontor Ny');
    await page.selectOption('#unit-parent', String(u.north));
    await page.click('#add-unit');
    await page.locator('#unit-status .notice.ok', { hasText: 'Toimisto Uusi' }).waitFor();
    const made = (await unitsNow()).find((x) => x.name.fi === 'Toimisto Uusi');
    assert.deepEqual(made.name, { fi: 'Toimisto Uusi', sv: 'Kontor Ny' });
    assert.equal(made.parent, u.north);
    assert.equal(made.pool, false);
    // In the tree it stands below the north, before the south.
    const order = await page.locator('.units-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.unit)));
    assert.ok(order.indexOf(u.north) < order.indexOf(made.id) && order.indexOf(made.id) < order.indexOf(u.south), 'parent order');
    const row = page.locator(`tr[data-unit="${made.id}"]`);
    assert.equal(await row.getAttribute('data-depth'), '2');
    assert.match(await row.innerText(), /Pohjoinen alue/);

    // Renamed, an English name added, pooled into the north.
    await row.locator('.edit-unit').click();
    await page.locator('#edit-unit').waitFor();
    assert.equal(await page.inputValue('#edit-unit-sv'), 'Kontor Ny');
    await page.fill('#edit-unit-fi', 'Toimisto Vaahtera');
    await page.fill('#edit-unit-en', 'Office Maple');
    await page.check('#edit-unit-pool');
    await axeCheck(page, 'dashboard unit editor');
    await shot(page, 'dashboard-unit-editor');
    await page.click('#save-unit');
    await page.locator('#unit-list-status .notice.ok', { hasText: 'Toimisto Vaahtera' }).waitFor();
    let now = (await unitsNow()).find((x) => x.id === made.id);
    assert.deepEqual(now.name, { fi: 'Toimisto Vaahtera', sv: 'Kontor Ny', en: 'Office Maple' });
    assert.equal(now.parent, u.north);
    assert.equal(now.pool, true);
    assert.match(await row.locator('.pool-mark').innerText(), /Kyllä/);
    await page.click('.lang-switch button[lang=sv]');
    await page.locator(`tr[data-unit="${made.id}"] th`, { hasText: 'Kontor Ny' }).waitFor();
    await page.click('.lang-switch button[lang=fi]');
    await shot(page, 'dashboard-units');

    // The collectors page offers it at once.
    await page.click('a[href="#/collectors"]');
    await page.locator('#c-unit').waitFor();
    assert.equal(await page.locator(`#c-unit option[value="${made.id}"]`).innerText(), 'Toimisto Vaahtera');

    // Delete: a dismissed confirmation keeps it, an accepted one does not.
    await page.click('a[href="#/units"]');
    await row.waitFor();
    page.once('dialog', (dlg) => dlg.dismiss());
    await row.locator('.delete-unit').click();
    now = (await unitsNow()).find((x) => x.id === made.id);
    assert.ok(now, 'kept after cancelling');
    let asked = '';
    page.once('dialog', (dlg) => { asked = dlg.message(); dlg.accept(); });
    await row.locator('.delete-unit').click();
    await page.locator('#unit-list-status .notice.ok', { hasText: 'Toimisto Vaahtera' }).waitFor();
    assert.match(asked, /Poistetaanko yksikkö Toimisto Vaahtera\?/);
    assert.equal(await row.count(), 0);
    assert.equal((await admin.call('GET', `/api/v1/units/${made.id}`)).status, 404);
    noProblems(page);
    await page.context().close();
  });

  test('the units page shows what the server refuses and changes nothing', async () => {
    const top = await admin.unit('Erillinen yksikkö');
    const busy = await admin.unit('Toimisto Keräys', u.south);
    const link = await admin.collector({ survey, unit: busy, kind: 'link' });
    const before = await unitsNow();
    const page = await newPage(browser, { locale: 'en-GB', allowHttpErrors: true });
    await login(page, 'admin', d.adminPassword);
    await page.goto(`${d.base}/dashboard/#/units`);
    await page.locator('#add-unit').waitFor();

    // A name of blanks: the error sits at the Finnish name.
    await page.fill('#unit-fi', '   ');
    await page.click('#add-unit');
    await page.locator('#new-unit .error-field[data-field="name.fi"]').waitFor();
    assert.equal(await page.getAttribute('#unit-fi', 'aria-invalid'), 'true');

    // A top-level unit has nothing to pool into: the error sits at the box.
    await page.click(`tr[data-unit="${top}"] .edit-unit`);
    await page.locator('#edit-unit').waitFor();
    await page.check('#edit-unit-pool');
    await page.click('#save-unit');
    const err = page.locator('#edit-unit .error-field[data-field="pool"]');
    await err.waitFor();
    assert.equal(await err.getAttribute('role'), 'alert');
    assert.match(await err.innerText(), /^Error: a unit without a parent has nothing to pool into/);
    assert.equal(await page.getAttribute('#edit-unit-pool', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#edit-unit-pool', 'aria-describedby'), /edit-unit-pool-error/);
    await axeCheck(page, 'dashboard unit editor with an error');
    await shot(page, 'dashboard-unit-pool-error');

    // A unit with a collector stays, and so does the collector.
    page.once('dialog', (dlg) => dlg.accept());
    await page.click(`tr[data-unit="${busy}"] .delete-unit`);
    const refused = page.locator('#unit-list-status .notice.error[role="alert"]');
    await refused.waitFor();
    assert.match(await refused.innerText(), /has 1 collector; delete it first/);
    // And one with units below it.
    page.once('dialog', (dlg) => dlg.accept());
    await page.click(`tr[data-unit="${u.south}"] .delete-unit`);
    await page.locator('#unit-list-status .notice.error', { hasText: 'has units below it' }).waitFor();

    assert.deepEqual(await unitsNow(), before, 'the tree is as it was');
    const collectors = (await admin.ok('GET', `/api/v1/collectors?unit=${busy}`)).collectors;
    assert.deepEqual(collectors.map((c) => c.id), [link.id]);
    noProblems(page);
    await page.context().close();
    await admin.ok('DELETE', `/api/v1/collectors/${link.id}`);
    await admin.ok('DELETE', `/api/v1/units/${busy}`);
    await admin.ok('DELETE', `/api/v1/units/${top}`);
  });

  test('a manager has no units page', async () => {
    const page = await newPage(browser);
    await login(page, 'esihenkilo', managerPassword);
    await results(page);
    assert.equal(await page.locator('#nav a[href="#/units"]').count(), 0);
    await page.evaluate(() => { location.hash = '#/units'; });
    await page.waitForFunction(() => location.hash === '#/results');
    await results(page);
    assert.equal(await page.locator('#add-unit').count(), 0);
    assert.equal(await page.getAttribute('#main', 'data-view'), 'results');
    noProblems(page);
    await page.context().close();
  });
});
