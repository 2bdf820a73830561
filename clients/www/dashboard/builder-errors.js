// builder-errors.js — the server's refusals of a survey definition in the
// builder's own words. A refusal is {code, field, message} (DESIGN §7);
// the field is a path into the definition as core/survey.c and
// core/qtype.c name it ("questions[2].options[0].id", "privacy.contact",
// "title.sv"). The path finds the input it is about, the code and the
// path's last member choose a message of ours in the dashboard's
// language; the server's English message is shown only under a closed
// "technical detail".

import { SURVEY_LANGS as TEXT_LANGS } from '/assets/lang.js';

// The limits of core/survey.h, for the messages.
export const LIMITS = {
  questions: 100,
  options: 64,
  idLength: 32,
  slugLength: 64,
  textLength: 5000,
  scaleSteps: 11,
  scaleLimit: 1000,
};

// "questions[2].options[0].text.sv" -> ['questions', 2, 'options', 0, 'text', 'sv']
export function parsePath(field) {
  const out = [];
  for (const part of String(field || '').split('.')) {
    if (!part) continue;
    const m = part.match(/^([^[\]]*)((?:\[\d+\])*)$/);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

export function formatPath(tokens) {
  let s = '';
  for (const t of tokens) s += typeof t === 'number' ? `[${t}]` : s ? `.${t}` : t;
  return s;
}

// The path and its parents, the most specific first: "a[1].b", "a[1]", "a".
export function pathAncestors(field) {
  const tokens = parsePath(field);
  const out = [];
  for (let n = tokens.length; n > 0; n--) out.push(formatPath(tokens.slice(0, n)));
  return out;
}

function valueAt(def, tokens) {
  let v = def;
  for (const t of tokens) {
    if (v === null || v === undefined) return undefined;
    v = v[t];
  }
  return v;
}

// Members whose value is a whole number: a wrong type there is a number
// typed wrong, not a broken definition.
const NUMERIC = new Set(['faces', 'min', 'max', 'max_choices', 'max_length', 'retention_months',
  'min_group', 'min_group_comments', 'idle_reset_seconds']);

function isDuplicateId(def, tokens) {
  // [..., list, index, 'id']: the same id earlier in the list.
  const index = tokens[tokens.length - 2];
  const list = valueAt(def, tokens.slice(0, -2));
  if (!Array.isArray(list) || typeof index !== 'number' || !list[index]) return false;
  const id = list[index].id;
  return list.some((x, j) => j !== index && x && x.id === id);
}

function scaleMessage(t, def, tokens) {
  const q = valueAt(def, tokens.slice(0, -1)) || {};
  const { min, max } = q;
  const whole = (v) => Number.isInteger(v) && Math.abs(v) <= LIMITS.scaleLimit;
  if (!whole(min) || !whole(max)) return t('errScaleRange', { n: LIMITS.scaleLimit });
  if (max <= min) return t('errScaleOrder');
  if (max - min + 1 > LIMITS.scaleSteps) return t('errScaleSteps', { n: LIMITS.scaleSteps });
  return t('errScaleRange', { n: LIMITS.scaleLimit });
}

function invalidMessage(t, def, tokens, langName) {
  const last = tokens[tokens.length - 1];
  if (tokens.length > 1 && TEXT_LANGS.includes(last)) {
    const v = valueAt(def, tokens);
    if (typeof v === 'string' && [...v].length > LIMITS.textLength) return t('errTextLong', { n: LIMITS.textLength });
    return t('errTextEmpty', { lang: langName(last) });
  }
  const named = [...tokens].reverse().find((x) => typeof x === 'string') || '';
  switch (named) {
    case 'id':
      if (tokens.length === 1) return t('errSurveyId');
      return isDuplicateId(def, tokens) ? t('errIdDuplicate') : t('errIdFormat', { n: LIMITS.idLength });
    case 'slug': return t('errSlugFormat', { n: LIMITS.slugLength });
    case 'languages': return t('errLanguages');
    case 'questions': return t('errQuestionCount', { n: LIMITS.questions });
    case 'type': return t('errType');
    case 'faces': return t('errFaces');
    case 'min':
    case 'max': return scaleMessage(t, def, tokens);
    case 'options': return t('errOptionCount', { n: LIMITS.options });
    case 'max_choices': {
      const q = valueAt(def, tokens.slice(0, -1)) || {};
      return t('errMaxChoices', { n: Array.isArray(q.options) ? q.options.length : 1 });
    }
    case 'max_length': return t('errMaxLength', { n: LIMITS.textLength });
    case 'retention_months': return t('errRetention');
    case 'voluntary': return t('errVoluntary');
    case 'anonymous': return t('errAnonymous');
    case 'min_group': return t('errMinGroup');
    case 'min_group_comments': {
      const k = Number.isInteger(def && def.min_group) ? def.min_group : 5;
      return t('errMinGroupComments', { k });
    }
    case 'period': return t('errPeriod');
    case 'idle_reset_seconds': return t('errIdle');
    case 'audience': return t('errAudience');
    case 'contact': {
      const v = valueAt(def, tokens);
      if (typeof v === 'string' && [...v].length > LIMITS.textLength) return t('errTextLong', { n: LIMITS.textLength });
      return t('errContact');
    }
    default: return t('errInvalid');
  }
}

// The message for a refusal err (an ApiError: status, code, field) of the
// definition def that was sent; t is the builder's translator, langName
// names a language tag in the dashboard's language.
export function refusalMessage(t, err, def, langName) {
  const tokens = parsePath(err.field);
  const last = tokens[tokens.length - 1];
  switch (err.code) {
    case 'missing_field':
      if (tokens.length > 1 && TEXT_LANGS.includes(last)) return t('errMissingLang', { lang: langName(last) });
      return t('errMissing');
    case 'wrong_type':
      return NUMERIC.has(last) ? t('errWholeNumber') : t('errWrongType');
    case 'unknown_field':
      return t('errUnknownField', { name: formatPath(tokens) });
    case 'invalid':
      return invalidMessage(t, def, tokens, langName);
    case 'conflict':
      return last === 'slug' ? t('errSlugTaken') : t('errConflict');
    case 'malformed_json':
    case 'unsupported_media_type':
      return t('errMalformed');
    case 'too_large':
      return t('errTooLarge');
    case 'not_found':
      return t('errSurveyGone');
    case 'bad_request':
      return t('errInvalid');
    default:
      return t('errServer');
  }
}
