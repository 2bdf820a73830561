// periods.js — the survey's time buckets, as the server has them
// (core/period.h): ISO weeks from Monday, calendar months, quarters and
// years, in UTC dates "YYYY-MM-DD". The pickers offer only these, so a
// query is always aligned.

export const KINDS = ['week', 'month', 'quarter', 'year'];

const DAY = 86400000;

export function parse(date) {
  return Date.parse(`${date}T00:00:00Z`);
}

export function fmt(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

// The first day of the bucket holding date.
export function bucketStart(kind, date) {
  const d = new Date(parse(date));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (kind) {
    case 'week': {
      const dow = (d.getUTCDay() + 6) % 7; // Monday 0
      return fmt(d.getTime() - dow * DAY);
    }
    case 'month':
      return fmt(Date.UTC(y, m, 1));
    case 'quarter':
      return fmt(Date.UTC(y, m - (m % 3), 1));
    default:
      return fmt(Date.UTC(y, 0, 1));
  }
}

// The first day of the bucket after the one holding date.
export function nextBucket(kind, date) {
  const s = new Date(parse(bucketStart(kind, date)));
  const y = s.getUTCFullYear();
  const m = s.getUTCMonth();
  switch (kind) {
    case 'week':
      return fmt(s.getTime() + 7 * DAY);
    case 'month':
      return fmt(Date.UTC(y, m + 1, 1));
    case 'quarter':
      return fmt(Date.UTC(y, m + 3, 1));
    default:
      return fmt(Date.UTC(y + 1, 0, 1));
  }
}

export function bucketEnd(kind, date) {
  return fmt(parse(nextBucket(kind, date)) - DAY);
}

// Bucket starts from the one holding `from` to the one holding `to`.
export function buckets(kind, from, to) {
  const out = [];
  let b = bucketStart(kind, from);
  const last = bucketStart(kind, to);
  while (b <= last && out.length < 1000) {
    out.push(b);
    b = nextBucket(kind, b);
  }
  return out;
}

// The last n buckets up to and with the one holding date: {from, to}.
export function lastBuckets(kind, n, date) {
  let from = bucketStart(kind, date);
  for (let i = 1; i < n; i++) from = bucketStart(kind, fmt(parse(from) - DAY));
  return { from, to: bucketEnd(kind, date) };
}

// ISO week number of a Monday.
function isoWeek(date) {
  const d = new Date(parse(date) + 3 * DAY); // the Thursday decides
  const y = d.getUTCFullYear();
  const jan4 = Date.UTC(y, 0, 4);
  const w1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  return { year: y, week: 1 + Math.round((d.getTime() - 3 * DAY - w1) / (7 * DAY)) };
}

// A short label of a bucket in lang: "vk 12/2025", "maalis 2025", "Q1 2025".
export function label(kind, start, lang) {
  const d = new Date(parse(start));
  const y = d.getUTCFullYear();
  const locale = lang === 'sv' ? 'sv-FI' : lang === 'en' ? 'en-GB' : 'fi-FI';
  switch (kind) {
    case 'week': {
      const w = isoWeek(start);
      const word = lang === 'sv' ? 'v.' : lang === 'en' ? 'wk' : 'vk';
      return `${word} ${w.week}/${w.year}`;
    }
    case 'month':
      return new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
    case 'quarter':
      return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${y}`;
    default:
      return String(y);
  }
}

// Kinds a trend can be grouped by: the survey's own and the coarser ones.
export function coarser(kind) {
  return KINDS.slice(Math.max(0, KINDS.indexOf(kind)));
}
