// i18n.js — Finnish, Swedish and English: picking a survey's text in a
// language, and the interface strings the kiosk and the form share.

export const LANGS = ['fi', 'sv', 'en'];

// Each language's name in itself, for the language switch.
export const LANG_NAMES = { fi: 'Suomi', sv: 'Svenska', en: 'English' };

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

// Strings of the survey-facing pages (kiosk and form).
export const SURVEY_STRINGS = {
  privacy: { fi: 'Tietosuoja', sv: 'Dataskydd', en: 'Privacy' },
  privacyTitle: {
    fi: 'Tietoa kyselystä ja tietosuojasta',
    sv: 'Om enkäten och dataskyddet',
    en: 'About this survey and your privacy',
  },
  controller: { fi: 'Kuka kerää tiedot', sv: 'Vem samlar in uppgifterna', en: 'Who collects the data' },
  purpose: { fi: 'Mihin tietoja käytetään', sv: 'Vad uppgifterna används till', en: 'What the data is used for' },
  fromWhom: { fi: 'Keneltä kysytään', sv: 'Vem som tillfrågas', en: 'Who is asked' },
  contact: { fi: 'Keneltä voit kysyä', sv: 'Vem du kan fråga', en: 'Whom to ask' },
  retention: { fi: 'Säilytysaika', sv: 'Lagringstid', en: 'How long it is kept' },
  retentionMonths: {
    fi: '{n} kuukautta, minkä jälkeen vastaukset poistetaan. Koosteluvut voivat säilyä.',
    sv: '{n} månader, därefter raderas svaren. Sammanställda siffror kan sparas.',
    en: '{n} months, after which the answers are deleted. Summary figures may be kept.',
  },
  voluntary: {
    fi: 'Vastaaminen on vapaaehtoista. Voit jättää vastaamatta tai lopettaa milloin tahansa.',
    sv: 'Det är frivilligt att svara. Du kan låta bli att svara eller sluta när som helst.',
    en: 'Answering is voluntary. You may skip it or stop at any time.',
  },
  anonymous: {
    fi: 'Vastaukset ovat nimettömiä: niihin ei tallenneta nimeä, henkilötunnusta, laitteen tietoja eikä kellonaikaa.',
    sv: 'Svaren är anonyma: ingen namn, personbeteckning, enhetsuppgift eller klockslag sparas.',
    en: 'Answers are anonymous: no name, identity code, device details or time of day are stored.',
  },
  smallGroups: {
    fi: 'Tuloksia näytetään vain vähintään {k} vastaajan ryhmistä.',
    sv: 'Resultat visas endast för grupper med minst {k} svarande.',
    en: 'Results are only shown for groups of at least {k} respondents.',
  },
  audience_client: {
    fi: 'Palvelun asiakkaat', sv: 'Tjänstens klienter', en: 'The clients of the service',
  },
  audience_staff: {
    fi: 'Henkilöstö', sv: 'Personalen', en: 'Staff members',
  },
  audience_panel: {
    fi: 'Asiakasraadin jäsenet ja asukkaat', sv: 'Klientrådets medlemmar och invånare',
    en: 'Members of the client panel and residents',
  },
  close: { fi: 'Sulje', sv: 'Stäng', en: 'Close' },
  language: { fi: 'Kieli', sv: 'Språk', en: 'Language' },
  yes: { fi: 'Kyllä', sv: 'Ja', en: 'Yes' },
  no: { fi: 'Ei', sv: 'Nej', en: 'No' },
  optional: { fi: 'vapaaehtoinen', sv: 'frivillig', en: 'optional' },
  required: { fi: 'pakollinen', sv: 'obligatorisk', en: 'required' },
  npsLow: { fi: 'Ei lainkaan todennäköisesti', sv: 'Inte alls sannolikt', en: 'Not at all likely' },
  npsHigh: { fi: 'Erittäin todennäköisesti', sv: 'Mycket sannolikt', en: 'Extremely likely' },
  charsLeft: { fi: '{n} merkkiä jäljellä', sv: '{n} tecken kvar', en: '{n} characters left' },
  chooseUpTo: { fi: 'Valitse enintään {n}.', sv: 'Välj högst {n}.', en: 'Choose up to {n}.' },
  chooseAny: { fi: 'Voit valita useita.', sv: 'Du kan välja flera.', en: 'You can choose several.' },
  noPersonal: {
    fi: 'Älä kirjoita nimiä, henkilötunnuksia tai yhteystietoja.',
    sv: 'Skriv inte namn, personbeteckningar eller kontaktuppgifter.',
    en: 'Please do not write names, identity codes or contact details.',
  },
};
