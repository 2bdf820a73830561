// i18n.test.js — the respondents' languages, one file each under
// clients/www/assets/i18n/: every language of core/survey.c has its file,
// every file has every key of fi.js (with the same {placeholders}) and
// the words of both face sets, the translations are marked as drafts, and
// Arabic and Persian run right to left. No browser needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { SRCDIR } from './lib.js';

const WWW = path.join(SRCDIR, 'clients', 'www', 'assets');
const DIR = path.join(WWW, 'i18n');

// A file's own array constant, as written in the source.
function arrayIn(file, pattern) {
  const src = fs.readFileSync(file, 'utf8');
  const m = src.match(pattern);
  assert.ok(m, `${file}: ${pattern}`);
  return [...m[1].matchAll(/"([^"]+)"|'([^']+)'/g)].map((x) => x[1] || x[2]);
}

const SURVEY_LANGS = arrayIn(path.join(WWW, 'lang.js'), /export const SURVEY_LANGS = \[([^\]]*)\]/);
const CORE_LANGS = arrayIn(path.join(SRCDIR, 'core', 'survey.c'), /survey_lang_names\[\] = \{([^}]*)\}/);

async function load(tag) {
  const src = fs.readFileSync(path.join(DIR, `${tag}.js`), 'utf8');
  return (await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(src)}`)).default;
}

const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the pages speak every language a survey may be written in', () => {
  assert.deepEqual(SURVEY_LANGS, CORE_LANGS, 'lang.js and core/survey.c list the same languages');
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
  assert.deepEqual(files, [...SURVEY_LANGS].sort(), 'one file per language, no other');
});

test('every language has every key, with the same placeholders', async () => {
  const fi = await load('fi');
  const keys = Object.keys(fi.strings);
  assert.ok(keys.length > 50);
  const missing = [];
  for (const tag of SURVEY_LANGS) {
    const f = await load(tag);
    assert.equal(f.tag, tag);
    assert.ok(typeof f.name === 'string' && f.name.trim(), `${tag}: its name`);
    for (const k of keys) {
      const v = f.strings[k];
      if (typeof v !== 'string' || v.trim() === '') {
        missing.push(`${tag}: ${k}`);
        continue;
      }
      assert.deepEqual(holes(v), holes(fi.strings[k]), `${tag}: ${k} keeps the placeholders of fi`);
    }
    for (const k of Object.keys(f.strings))
      assert.ok(k in fi.strings, `${tag}: ${k} is not a key of fi.js`);
    for (const n of [5, 4]) {
      assert.equal(f.faces[n].length, n, `${tag}: ${n} faces`);
      for (const w of f.faces[n]) assert.ok(typeof w === 'string' && w.trim(), `${tag}: a face without a word`);
    }
  }
  assert.deepEqual(missing, [], 'keys missing in a language');
});

test('the set-up screen is in fi, sv and en, with the same keys', async () => {
  const fi = await load('fi');
  for (const tag of ['sv', 'en']) assert.deepEqual(Object.keys((await load(tag)).setup), Object.keys(fi.setup), tag);
});

test('translations are marked as drafts for a translator; Arabic and Persian run right to left', async () => {
  for (const tag of SURVEY_LANGS) {
    const f = await load(tag);
    const src = fs.readFileSync(path.join(DIR, `${tag}.js`), 'utf8');
    const source = ['fi', 'sv', 'en'].includes(tag);
    assert.equal(f.draft, !source, `${tag}: draft`);
    if (!source) assert.match(src, /DRAFT TRANSLATION/, `${tag}: says so at the top`);
    assert.equal(f.dir, tag === 'ar' || tag === 'fa' ? 'rtl' : 'ltr', `${tag}: dir`);
  }
});
