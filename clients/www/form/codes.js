// codes.js — invitation codes as the server reads them (core/codes.h): the
// alphabet, what a person types made canonical, and the check symbol that
// lets the form catch a typing error before anything is sent. Symbol i of
// a code (0-based, the check last) stands for its place v_i in ALPHABET
// and weighs i + 1; a code is whole when sum (i + 1) * v_i is 0 mod 31.
// 31 is prime, so one wrong symbol, two symbols swapped (side by side or
// not) and a doubled symbol typed as another doubled one never pass.

// Digits and capitals without 0 O 1 I L, which people misread.
export const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
// Symbols of a code with its check; of a code of a round issued before
// codes had one.
export const CHECKED_LEN = 13;
export const OLD_LEN = 12;

// What was typed, canonical: upper case, without spaces and dashes.
// bad: the first character that no code has, or ''.
export function normalize(text) {
  let symbols = '';
  let bad = '';
  for (const ch of String(text).toUpperCase()) {
    if (ch === '-' || /\s/.test(ch)) continue;
    if (!ALPHABET.includes(ch)) {
      if (!bad) bad = ch;
      continue;
    }
    symbols += ch;
  }
  return { symbols, bad };
}

function weightedSum(symbols) {
  let sum = 0;
  for (let i = 0; i < symbols.length; i++) {
    const v = ALPHABET.indexOf(symbols[i]);
    if (v < 0) return -1;
    sum = (sum + (i + 1) * v) % 31;
  }
  return sum;
}

// The check symbol for symbols (canonical, 1 to 29 of them), to append.
export function checkSymbol(symbols) {
  const n = symbols.length;
  const sum = weightedSum(symbols);
  if (n < 1 || n > 29 || sum < 0) return '';
  // The check at place n weighs n + 1: -sum / (n + 1) mod 31, the inverse
  // by Fermat, (n + 1)^29.
  let inv = 1;
  for (let k = 0; k < 29; k++) inv = (inv * (n + 1)) % 31;
  return ALPHABET[(((31 - sum) % 31) * inv) % 31];
}

// Whether symbols (canonical, the check last) hold their check.
export function checkOk(symbols) {
  return symbols.length >= 2 && symbols.length <= 30 && weightedSum(symbols) === 0;
}

// How what was typed stands, for a round whose codes have a check
// (checked) or not:
//   {state: 'empty'}                   nothing typed yet
//   {state: 'partial'}                 fine so far, not all of it
//   {state: 'ok', symbols}             a whole code (the server decides
//                                      whether it is one of this round's)
//   {state: 'char', char}              a character no code has
//   {state: 'length', n}               more symbols than a code has
//   {state: 'typo'}                    all of it, and the check fails
export function judge(text, checked) {
  const want = checked ? CHECKED_LEN : OLD_LEN;
  const { symbols, bad } = normalize(text);
  if (bad) return { state: 'char', char: bad };
  if (symbols.length === 0) return { state: 'empty' };
  if (symbols.length > want) return { state: 'length', n: want };
  if (symbols.length < want) return { state: 'partial', n: want };
  if (checked && !checkOk(symbols)) return { state: 'typo' };
  return { state: 'ok', symbols };
}
