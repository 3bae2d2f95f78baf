// The input helpers of `<onething-wizard>` (wizard/input.js, issue #23): full-width input
// made half-width, which fields count as codes, numbers as typed, and the ID number's check
// digit with the birth date and gender it encodes — against GB 11643-1999 examples and the
// fixtures' numbers. No module is loaded: pure functions.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { halfWidth, idNumberInfo, isDigitField, normaliseCode, parseNumber } from '../wizard/input.js';

test('full-width digits, letters and spaces become ASCII; other text is kept', () => {
  assert.equal(halfWidth('１３９０４５３２８１７'), '13904532817');
  assert.equal(halfWidth('ＡＢｃ\u3000１'), 'ABc 1');
  assert.equal(halfWidth('王一诺，１号'), '王一诺,1号');
  assert.equal(normaliseCode(' ２３１００２ １９９１１１０３０１３ｘ ', 'cn-id-number'), '23100219911103013X');
  assert.equal(normaliseCode('１５７０００', 'cn-postal-code'), '157000');
});

test('codes and numbers are normalised; names and addresses are not', () => {
  for (const schema of [
    { type: 'integer' }, { type: 'number' }, { format: 'cn-id-number' }, { format: 'cn-mobile' },
    { format: 'cn-postal-code' }, { format: 'cn-credit-code' }, { pattern: '^\\d{6}$' },
    { pattern: '^0453[0-9]{8}$' }, { pattern: '^RQ[0-9]{8}$' }, { pattern: '^[A-Z0-9]{10,30}$' },
  ]) assert.ok(isDigitField(schema), JSON.stringify(schema));
  for (const schema of [
    { type: 'string' }, { pattern: '^[\\u4e00-\\u9fa5·]{2,15}$' }, { pattern: '^\\d{4}年\\d{2}月\\d{2}日$' },
    { pattern: '^.{2,}$' }, { pattern: '^[^x]+$' }, { pattern: '^\\S+$' }, null,
  ]) assert.ok(!isDigitField(schema), JSON.stringify(schema));
});

test('numbers as typed: half width, thousands separators; anything else stays text for the wizard to refuse', () => {
  assert.equal(parseNumber('３３５０'), 3350);
  assert.equal(parseNumber('50.5'), 50.5);
  assert.equal(parseNumber('1,200'), 1200);
  assert.equal(parseNumber('-3'), -3);
  assert.equal(parseNumber(''), undefined);
  assert.equal(parseNumber('  '), undefined);
  assert.equal(parseNumber('12a'), '12a');
  assert.equal(parseNumber('五十'), '五十');
});

test('the ID number: partial, wrong characters, impossible dates, wrong check digits, and valid ones with birth date and gender', () => {
  assert.deepEqual(idNumberInfo(''), { state: 'empty' });
  assert.deepEqual(idNumberInfo('2310'), { state: 'partial' });
  assert.deepEqual(idNumberInfo('2310X'), { state: 'invalid', reason: 'characters' });
  assert.deepEqual(idNumberInfo('23100a'), { state: 'invalid', reason: 'characters' });
  assert.deepEqual(idNumberInfo('2310021991110301390'), { state: 'invalid', reason: 'length' });
  assert.deepEqual(idNumberInfo('231002199102300139'), { state: 'invalid', reason: 'date' });   // 30 February
  assert.deepEqual(idNumberInfo('231004199406180461'), { state: 'invalid', reason: 'check', expected: '0' });
  // GB 11643-1999's own example, and the fixtures' parents.
  assert.deepEqual(idNumberInfo('11010519491231002X'), { state: 'valid', birthDate: '1949-12-31', gender: 'female' });
  assert.deepEqual(idNumberInfo('11010519491231002x'), { state: 'valid', birthDate: '1949-12-31', gender: 'female' });
  assert.deepEqual(idNumberInfo('231004199406180460'), { state: 'valid', birthDate: '1994-06-18', gender: 'female' });
  assert.deepEqual(idNumberInfo('２３１００２１９９１１１０３０１３９'), { state: 'valid', birthDate: '1991-11-03', gender: 'male' });
});
