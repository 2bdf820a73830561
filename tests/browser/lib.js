// lib.js — what every browser test needs: the real palauted (built by
// make, --dev, a kernel-chosen loopback port, its own temporary folder),
// Debian's chromium through playwright-core, the admin API for set-up,
// and axe-core for the accessibility checks.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const SRCDIR = process.env.PALAUTE_SRCDIR || path.resolve(here, '..', '..');
const PALAUTED = process.env.PALAUTED || path.resolve(SRCDIR, 'palauted');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const TABLET = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// Screenshots land here when PALAUTE_SHOTS names a folder (for a person
// to look at); the tests never depend on them.
const SHOTS = process.env.PALAUTE_SHOTS || '';

/* ------------------------------------------------------------ daemon */

export async function startDaemon() {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'palaute-browser-'));
  const proc = spawn(PALAUTED, ['--dev', '-o', 'listen=127.0.0.1:0'], {
    cwd, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const d = { proc, cwd, base: '', adminPassword: '', log: [], out: [] };
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`palauted did not start:\n${d.log.join('\n')}`)), 15000);
    const check = () => {
      if (d.base && d.adminPassword) {
        clearTimeout(timer);
        resolve();
      }
    };
    const lines = (stream, sink, fn) => {
      let buf = '';
      stream.on('data', (chunk) => {
        buf += chunk.toString('utf8');
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          sink.push(line);
          fn(line);
        }
      });
    };
    lines(proc.stderr, d.log, (line) => {
      const m = line.match(/listening on (http:\/\/[^/]+)\//);
      if (m && !d.base) d.base = m[1];
      check();
    });
    lines(proc.stdout, d.out, (line) => {
      const m = line.match(/admin login: admin \/ (\S+)/);
      if (m) d.adminPassword = m[1];
      check();
    });
    proc.on('error', (err) => reject(new Error(`cannot run ${PALAUTED}: ${err.message}`)));
    proc.on('exit', (code) => reject(new Error(`palauted exited (${code}):\n${d.log.join('\n')}`)));
  });
  d.stop = async () => {
    if (proc.exitCode === null) {
      const gone = new Promise((r) => proc.once('close', r));
      proc.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    fs.rmSync(cwd, { recursive: true, force: true });
    // Under scripts/check's sanitizer build, a report fails the suite.
    const bad = d.log.filter((l) => /ERROR: (Address|Leak)Sanitizer|runtime error:/.test(l));
    if (bad.length) throw new Error(`palauted under the sanitizers:\n${d.log.join('\n')}`);
    // SIGTERM finishes the requests in flight and exits 0.
    if (proc.exitCode !== null && proc.exitCode !== 0)
      throw new Error(`palauted exited ${proc.exitCode}:\n${d.log.slice(-20).join('\n')}`);
  };
  return d;
}

/* ------------------------------------------------------------ the API */

export class Api {
  constructor(base, token = '') {
    this.base = base;
    this.token = token;
  }

  async call(method, p, body, { raw = false, expect } = {}) {
    const headers = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (expect !== undefined && res.status !== expect)
      throw new Error(`${method} ${p}: ${res.status} ${text}`);
    if (raw) return { status: res.status, text, headers: res.headers };
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, headers: res.headers };
  }

  async ok(method, p, body) {
    const r = await this.call(method, p, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  }

  static async login(base, username, password) {
    const a = new Api(base);
    const r = await a.ok('POST', '/api/v1/session', { username, password });
    a.token = r.token;
    return a;
  }

  async unit(name, parent = null) {
    const r = await this.ok('POST', '/api/v1/units', { name: { fi: name, sv: name, en: name }, parent });
    return r.id || r.unit;
  }

  async survey(def) {
    const r = await this.ok('POST', '/api/v1/surveys', def);
    return r.id || r.survey;
  }

  async collector(body) {
    return this.ok('POST', '/api/v1/collectors', body);
  }

  // The released n of the unit's subtree: it advances in steps of at
  // least k (the survey's min_group), so fewer than k new responses
  // leave it as it was.
  async count(survey, unit) {
    const r = await this.ok('GET', `/api/v1/surveys/${survey}/results?unit=${unit}`);
    return r.groups[0].n;
  }
}

export function surveyDef(file, changes = {}) {
  const def = JSON.parse(fs.readFileSync(path.join(SRCDIR, 'tests', 'data', file), 'utf8'));
  delete def.slug; // the server assigns one; two tests never collide
  return { ...def, ...changes };
}

// def with its texts in the languages tags: each i18n object gets the
// Finnish text (the Swedish one for sv-x-plain) marked with the tag, so a
// test sees which language it is reading.
export function withLangs(def, tags) {
  const fill = (v) => {
    if (Array.isArray(v)) return v.map(fill);
    if (!v || typeof v !== 'object') return v;
    if (typeof v.fi === 'string') {
      const out = {};
      for (const t of tags) out[t] = v[t] || `${t === 'sv-x-plain' ? v.sv || v.fi : v.fi} [${t}]`;
      return out;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
  };
  return { ...fill(def), languages: tags };
}

// Today and n days ago, as the server's UTC calendar has them.
export function day(ago = 0) {
  return new Date(Date.now() - ago * 86400000).toISOString().slice(0, 10);
}

/* ------------------------------------------------------------ browser */

export async function launch() {
  // playwright-core makes a fresh temporary profile (--user-data-dir) for
  // every launch itself and refuses one passed in args.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page whose console errors and page errors are collected; CSP
// violations show up there too, so every test can insist on none.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport || TABLET,
    locale: opts.locale || 'fi-FI',
    acceptDownloads: true,
    serviceWorkers: opts.serviceWorkers || 'allow',
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // A blocked API call is a network error the page expects when offline.
    if (opts.allowNetworkErrors && /Failed to load resource|ERR_INTERNET_DISCONNECTED|ERR_FAILED/.test(text)) return;
    // The server's own 4xx replies to a test's deliberate bad input.
    if (opts.allowHttpErrors && /Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    page.problems.push(`console: ${text}`);
  });
  return page;
}

export function noProblems(page) {
  assert.deepEqual(page.problems, [], 'console errors, page errors or CSP violations');
}

export async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Tab (and only Tab) until selector has the focus: keyboard-only use.
export async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

// Non-blank pixels of a canvas (drawn by Chart.js).
export async function canvasInk(page, selector) {
  return page.$eval(selector, (c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
    return ink;
  });
}

/* ------------------------------------------------------------ axe */

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core over the page as it is now, frames included: no serious or
// critical violation of WCAG 2.0/2.1 A and AA. The script goes in through
// the DevTools protocol, so the page's CSP (no inline scripts) stays as
// it is; each frame gets its own copy, which the page's asks for its part.
export async function axeCheck(page, label) {
  for (const frame of page.frames()) {
    const has = await frame.evaluate(() => typeof window.axe !== 'undefined');
    if (!has) await frame.evaluate(AXE_SOURCE);
  }
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`).join('\n');
  assert.equal(bad.length, 0, `${label}: axe found serious or critical violations:\n${text}`);
  return result.violations;
}

// Log in to the dashboard and wait for it to say who is logged in.
export async function dashboardLogin(page, d, username = 'admin', password = d.adminPassword) {
  await page.goto(`${d.base}/dashboard/`);
  await page.locator('#username').waitFor();
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-btn');
  await page.locator('.who-name').waitFor();
}

// Whether a program (pdftotext, zbarimg, ...) is installed.
export function have(tool) {
  try {
    execFileSync(tool, ['-v'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return err.code !== 'ENOENT';
  }
}
