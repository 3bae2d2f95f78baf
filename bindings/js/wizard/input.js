// What the applicant types, made into what the form wants, before it reaches the wizard:
// full-width digits (and the full-width check character X) typed with a Chinese input
// method become ASCII in ID numbers, mobile numbers, postal codes and numbers; the ID
// number's check digit (GB 11643-1999) is checked as it is typed, and a valid one gives
// the holder's birth date and gender. Pure functions, no DOM: the element and the Node
// tests share them.

/** Full-width digits, letters and signs that people type for ASCII ones (U+FF01–U+FF5E
 * maps to U+0021–U+007E; the ideographic space to a space). */
export function halfWidth(text) {
  return String(text).replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** Formats whose values are digits (and letters) only: full-width input is normalised. */
const DIGIT_FORMATS = new Set(['cn-id-number', 'cn-mobile', 'cn-postal-code', 'cn-credit-code']);

/** A pattern that admits ASCII only (`^\d{6}$`, `^0453[0-9]{8}$`, `^[A-Z0-9]{10,30}$`): no
 * character beyond ASCII, no `\u`/`\p` escape, no `.`, no negated class or `\S`/`\W`/`\D`
 * that could admit one. Such a field is a code, typed in half width. */
const asciiPattern = (p) => !/[^\x00-\x7f]|\\[upPSWD]|\[\^|(?<!\\)\./.test(p);

/** Whether a field of this schema holds a code or number to normalise to half width. */
export function isDigitField(schema) {
  if (!schema || typeof schema !== 'object') return false;
  if (schema.type === 'number' || schema.type === 'integer') return true;
  if (DIGIT_FORMATS.has(schema.format)) return true;
  return typeof schema.pattern === 'string' && asciiPattern(schema.pattern);
}

/** A code as the form wants it: half width, no spaces, a final `x` of an ID number upper case. */
export function normaliseCode(text, format) {
  let s = halfWidth(text).replace(/\s+/g, '');
  if (format === 'cn-id-number' || format === 'cn-credit-code') s = s.toUpperCase();
  return s;
}

/** A number as typed (half width) to a JSON number, or the text itself when it is not one
 * (the wizard then reports the type error at the field), or undefined when empty. */
export function parseNumber(text) {
  const s = halfWidth(text).trim().replace(/,/g, '');
  if (s === '') return undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : s;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** What an ID number (居民身份证号码, 18 characters) says as typed: `{ state }` where
 * state is `partial` (fewer than 18 characters, all digits so far), `invalid` (with
 * `reason`: `characters`, `length`, `date`, `check`) or `valid` (with `birthDate`
 * `YYYY-MM-DD` and `gender` `male`/`female`, from the 17th digit). */
export function idNumberInfo(text) {
  const s = normaliseCode(text, 'cn-id-number');
  if (s === '') return { state: 'empty' };
  if (s.length > 18) return { state: 'invalid', reason: 'length' };
  if (!/^\d{0,17}[\dX]?$/.test(s) || (s.length < 18 && s.includes('X'))) return { state: 'invalid', reason: 'characters' };
  if (s.length < 18) return { state: 'partial' };
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { state: 'invalid', reason: 'date' };
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * WEIGHTS[i];
  if (CHECK[sum % 11] !== s[17]) return { state: 'invalid', reason: 'check', expected: CHECK[sum % 11] };
  return {
    state: 'valid',
    birthDate: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`,
    gender: Number(s[16]) % 2 === 1 ? 'male' : 'female',
  };
}
