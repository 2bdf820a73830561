// i18n.js — the dashboard's languages, Finnish, Swedish and English:
// picking a text in a language, a translator over a table of strings,
// the words of the faces. The respondents' pages speak more languages
// (lang.js and the files in i18n/).

export const LANGS = ['fi', 'sv', 'en'];

// Each language's name in itself: the language switches, and the list
// of a survey's languages on the dashboard.
export const LANG_NAMES = {
  fi: 'Suomi',
  sv: 'Svenska',
  en: 'English',
  se: 'Davvisámegiella',
  ru: 'Русский',
  uk: 'Українська',
  et: 'Eesti',
  ar: 'العربية',
  so: 'Soomaali',
  fa: 'فارسی',
  'fi-x-plain': 'Selkosuomi',
  'sv-x-plain': 'Lättläst svenska',
};

// The text of an i18n map {fi, sv, en} (or a plain string) in lang, else
// in the first of the fallbacks that has it.
export function pick(value, lang, fallbacks = LANGS) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value[lang]) return value[lang];
  for (const l of fallbacks) if (value[l]) return value[l];
  const any = Object.values(value).find((v) => typeof v === 'string' && v);
  return any || '';
}

// A translator over a table {key: {fi, sv, en}}; {name} in a string is
// replaced by vars.name.
export function translator(table) {
  return (lang) => (key, vars) => {
    const entry = table[key];
    let str = entry ? entry[lang] || entry.en || entry.fi : key;
    if (vars) {
      for (const [k, v] of Object.entries(vars))
        str = str.split(`{${k}}`).join(String(v));
    }
    return str;
  };
}

export function pickLang(preferred, available) {
  if (available.includes(preferred)) return preferred;
  return available[0] || 'fi';
}

// The words of the smiley faces: the meaning is in the label and in the
// mouth, never only in the colour.
const FACE_LABELS = {
  5: {
    fi: ['Erittäin huono', 'Huono', 'Ei hyvä eikä huono', 'Hyvä', 'Erittäin hyvä'],
    sv: ['Mycket dålig', 'Dålig', 'Varken bra eller dålig', 'Bra', 'Mycket bra'],
    en: ['Very bad', 'Bad', 'Neither good nor bad', 'Good', 'Very good'],
  },
  4: {
    fi: ['Erittäin huono', 'Huono', 'Hyvä', 'Erittäin hyvä'],
    sv: ['Mycket dålig', 'Dålig', 'Bra', 'Mycket bra'],
    en: ['Very bad', 'Bad', 'Good', 'Very good'],
  },
};

export function faceLabel(faces, value, lang) {
  const set = FACE_LABELS[faces === 4 ? 4 : 5];
  return (set[lang] || set.en)[value - 1];
}
