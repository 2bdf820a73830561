// privacy.js — the privacy notice of a survey (DESIGN.md section 1): who
// collects the data, for what, from whom, whom to ask, how long it is
// kept, and that answering is voluntary and anonymous.

import { h } from './dom.js';
import { pickText as pick, translate } from './lang.js';

// The notice in lang, whose file lang.js has loaded.
export function privacyNotice(survey, lang, headingLevel = 'h2') {
  const t = translate(lang);
  const p = survey.privacy || {};
  const langs = survey.languages || ['fi'];
  const item = (label, ...value) => [h('dt', null, label), h('dd', null, ...value)];
  const k = survey.min_group;
  return h('section', { class: 'privacy', 'aria-label': t('privacyTitle') },
    h(headingLevel, { class: 'privacy-title' }, t('privacyTitle')),
    h('dl', null,
      item(t('controller'), pick(p.controller, lang, langs)),
      item(t('purpose'), pick(p.purpose, lang, langs)),
      survey.audience ? item(t('fromWhom'), t(`audience_${survey.audience}`)) : null,
      item(t('contact'), pick(p.contact, lang, langs)),
      p.retention_months ? item(t('retention'), t('retentionMonths', { n: p.retention_months })) : null),
    p.voluntary !== false ? h('p', null, t('voluntary')) : null,
    p.anonymous !== false ? h('p', null, t('anonymous')) : null,
    k ? h('p', null, t('smallGroups', { k })) : null);
}
