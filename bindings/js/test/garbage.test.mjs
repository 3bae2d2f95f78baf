// No panic reaches JS. On wasm32-unknown-unknown a Rust panic is a trap
// (`WebAssembly.RuntimeError: unreachable`) that leaves the instance unusable: every export
// is called here with garbage — wrong types, malformed JSON, huge and deeply nested input,
// hostile rule scripts — and each call must throw a plain `Error` carrying a `kind` (never a
// RuntimeError), after which a valid call must still give the right answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Bundle, FLAVOUR, Wizard, diff, merge } from './module.mjs';
import { jsonFiles, meta, packedText } from './helpers.mjs';

const NAME = 'restaurant-opening';
const bundle = new Bundle(packedText(NAME));
const { date } = meta(NAME);
const [[caseName, caseText]] = jsonFiles(NAME, 'decisions');

/** A valid call after every bad one: the instance is alive and right. */
function alive() {
  assert.equal(bundle.evaluate(caseText, date).outcome, caseName.split('--')[0]);
}

/** `f` throws a typed Error (not a trap), and the next valid call works. */
function fails(f, what, kind) {
  let thrown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `${what}: did not throw`);
  assert.ok(!(thrown instanceof WebAssembly.RuntimeError), `${what}: trapped: ${thrown}`);
  assert.ok(thrown instanceof Error, `${what}: threw a non-Error ${thrown}`);
  if (kind !== undefined) assert.equal(thrown.kind, kind, `${what}: ${thrown.message}`);
  alive();
  return thrown;
}

/** `f` returns or throws a typed Error (never a trap); the next valid call works. For
 * garbage that may happen to be valid input (`'[]'` is an empty list of items). */
function endures(f, what) {
  try {
    f();
  } catch (e) {
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: trapped: ${e}`);
    assert.ok(e instanceof Error, `${what}: threw a non-Error ${e}`);
  }
  alive();
}

const cyclic = {};
cyclic.self = cyclic;
const deepArray = (n) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n) => {
  let v = {};
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};
const GARBAGE = [
  undefined, null, 0, -1.5, NaN, Infinity, true, '', '{', '}', 'null', '[]', '"text"', '{"a":}',
  '\u0000', '\ud800', {}, [], [1, 2, 3], { values: 5 }, { values: { a: cyclic } }, cyclic,
  () => 1, Symbol('s'), 10n, new Map([['a', 1]]), new Uint8Array(4), new Date(0),
  deepArray(10_000), JSON.parse(deepArray(1_000)), deepObject(1_000),
];

test('the compiled bundle is alive to begin with', alive);

test('Bundle: garbage instead of a packed bundle', () => {
  for (const [i, g] of GARBAGE.entries()) fails(() => new Bundle(g), `new Bundle(GARBAGE[${i}])`);
  const e = fails(() => new Bundle('{\n  "id": 1,\n  oops\n}'), 'syntax', 'syntax');
  assert.equal(e.line, 3);
  assert.ok(e.column > 0);
  const f = fails(() => new Bundle({ ...JSON.parse(packedText(NAME)), items: 'none' }), 'shape', 'format');
  assert.equal(f.path, 'items');
});

test('Bundle.fromFiles: garbage instead of files', () => {
  for (const [i, g] of GARBAGE.entries()) fails(() => Bundle.fromFiles(g), `Bundle.fromFiles(GARBAGE[${i}])`);
  for (const [i, g] of GARBAGE.entries()) {
    fails(() => Bundle.fromFiles({ 'bundle.json': g }), `Bundle.fromFiles({ 'bundle.json': GARBAGE[${i}] })`);
  }
  const e = fails(() => Bundle.fromFiles({ 'bundle.json': '{\n  "id": 1,\n  oops\n}' }), 'syntax', 'syntax');
  assert.deepEqual([e.file, e.line], ['bundle.json', 3]);
  fails(() => Bundle.fromFiles({ 'bundle.json': 'x'.repeat((32 << 20) + 1) }), 'oversized', 'too_large');
});

test('Bundle: every method with garbage arguments', () => {
  for (const [i, g] of GARBAGE.entries()) {
    const at = (m) => `${m}(GARBAGE[${i}])`;
    endures(() => bundle.formFor(g), at('formFor'));
    endures(() => bundle.validate(g), at('validate'));
    endures(() => bundle.validate(caseText, g), at('validate(text, date)'));
    endures(() => bundle.evaluate(g, date), at('evaluate'));
    endures(() => bundle.dispatch(g), at('dispatch'));
    endures(() => bundle.dispatch(caseText, g), at('dispatch(text, date)'));
    endures(() => bundle.noticeFor(g, date), at('noticeFor'));
    endures(() => bundle.noticeFor(caseText, g), at('noticeFor(text, date)'));
    endures(() => bundle.results(g), at('results'));
    endures(() => bundle.checkRating(g), at('checkRating'));
    endures(() => bundle.planFor(g), at('planFor'));
    endures(() => bundle.evaluate(caseText, date, g), at('evaluate(text, date, options)'));
    endures(() => bundle.prefill(g, date), at('prefill'));
    endures(() => bundle.prefill({}, g), at('prefill({}, date)'));
    endures(() => bundle.renderNotice(g, 'zh'), at('renderNotice(format)'));
    endures(() => bundle.renderNoticeFor('html', g, caseText, date), at('renderNoticeFor(lang)'));
    endures(() => bundle.renderPlan('dot', g), at('renderPlan(lang)'));
    endures(() => bundle.renderPlanFor(g, 'en', []), at('renderPlanFor(format)'));
    // Wrong types are refused, whatever the value.
    if (typeof g !== 'string') {
      fails(() => bundle.evaluate(caseText, g), at('evaluate(text, date)'), 'input');
      fails(() => bundle.renderPlan(g, 'zh'), at('renderPlan(format)'), 'input');
    }
    if (!['string', 'object'].includes(typeof g) || g === null) fails(() => bundle.validate(g), at('validate'));
  }
  fails(() => bundle.evaluate(caseText, date, { trace: 'no' }), 'trace not a boolean', 'format');
  fails(() => bundle.evaluate(caseText, date, { tracing: false }), 'unknown option', 'format');
  fails(() => bundle.evaluate(caseText, '2026-02-30'), 'no such day', 'date');
  fails(() => bundle.evaluate(caseText, 'tomorrow'), 'not a date', 'date');
  fails(() => bundle.formFor(['no-such-item']), 'unknown item', 'unknown_item');
  fails(() => bundle.planFor(['no-such-item']), 'unknown item', 'unknown_item');
  fails(() => bundle.noticeFor(caseText, 'soon'), 'a notice without a date', 'date');
  fails(() => bundle.results({ bundle: 'x', reports: 'no' }), 'bad reports', 'results');
  // Plain objects of the wrong shape are errors with the path, or valid (empty) input.
  const e = fails(() => bundle.validate({ values: [] }), 'values as an array', 'format');
  assert.match(e.path ?? e.message, /values/);
  assert.equal(typeof bundle.validate({}).valid, 'boolean');
});

test('huge input is refused or handled, never a trap', () => {
  const huge = 'x'.repeat(40 << 20);
  fails(() => new Bundle(huge), 'a 40 MiB string', 'too_large');
  fails(() => bundle.validate(huge), 'a 40 MiB submission', 'too_large');
  const wide = { values: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 'v'.repeat(20)])) };
  assert.equal(bundle.validate(wide).valid, false);
  alive();
  const longValue = { values: { 'company.name': '名'.repeat(1 << 20) } };
  assert.equal(typeof bundle.evaluate(longValue, date).outcome, 'string');
  alive();
});

/** A one-item bundle whose eligibility rule is `script`. */
function withRule(script) {
  return {
    id: 'hostile', version: '1', title: { zh: '敌意', en: 'Hostile' }, lead: 'd',
    departments: [{ id: 'd', name: { zh: '部门', en: 'Dept' } }],
    items: [{
      id: 'i', title: { zh: '项', en: 'Item' }, department: 'd',
      schema: { type: 'object', properties: { x: { type: 'integer' } } },
      field_map: { '/x': 'x' },
      eligibility: [{ id: 'r', title: { zh: '规则', en: 'Rule' }, script }],
    }],
  };
}

test('hostile rule scripts end in manual review or a compile error, never a trap', () => {
  const scripts = [
    'loop {}',
    'while true { }',
    'let s = "x"; loop { s += s; }',
    'let a = []; loop { a.push(a.len()); }',
    'let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }',
    'fn f(x) { f(x + 1) } f(0)',
    'fn f(x) { f(x) + f(x) } f(1)',
    '1 / 0',
    '9223372036854775807 + 1',
    'let x = (); x.y.z',
    'throw "boom"',
    'eval("1")',
    'import "fs" as fs; true',
    'print("hello"); debug(form); true',
  ];
  for (const script of scripts) {
    let compiled;
    try {
      compiled = new Bundle(withRule(script));
    } catch (e) {
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `${script}: trapped: ${e}`);
      assert.equal(e.kind, 'compile', `${script}: ${e.message}`);
      alive();
      continue;
    }
    const d = compiled.evaluate({ values: { x: 1 } }, date);
    assert.ok(['manual_review', 'rejected', 'accepted'].includes(d.outcome), `${script}: ${d.outcome}`);
    compiled.free();
    alive();
  }
  // Deeply nested expressions: a parse error with line and column, not a stack overflow.
  for (const script of ['('.repeat(50_000) + '1' + ')'.repeat(50_000), '['.repeat(50_000), '{'.repeat(50_000)]) {
    fails(() => new Bundle(withRule(script)), 'deep script', 'compile');
  }
  const e = fails(() => new Bundle(withRule('let x = ;')), 'syntax error', 'compile');
  assert.equal(e.line, 1);
  assert.ok(e.details.problems.length >= 1);
});

test('Wizard: garbage everywhere', () => {
  const w = new Wizard(bundle, date);
  for (const [i, g] of GARBAGE.entries()) {
    const at = (m) => `${m}(GARBAGE[${i}])`;
    fails(() => new Wizard(g, date), at('new Wizard'));
    endures(() => new Wizard(bundle, g), at('new Wizard(bundle, date)'));
    endures(() => Wizard.prefilled(bundle, g, date), at('Wizard.prefilled'));
    endures(() => Wizard.resume(bundle, g, date), at('Wizard.resume'));
    endures(() => w.setMaterial('premises-proof', g), at('setMaterial'));
    endures(() => w.setMaterial(g, 'provided'), at('setMaterial(id)'));
    endures(() => w.setApplicant(g), at('setApplicant'));
    endures(() => w.goTo(g), at('goTo'));
    endures(() => w.choose(g, true), at('choose(item)'));
    endures(() => w.commit(g, true), at('commit(commitment)'));
    // Any JSON value may be set on a known key (a wrong one is a field error).
    endures(() => w.set('company.name', g), at('set(key, value)'));
    endures(() => w.unset(g), at('unset'));
    if (typeof g !== 'string') fails(() => w.set(g, 'x'), at('set(key)'), 'input');
    if (typeof g !== 'boolean') fails(() => w.choose('no-such-item', g), at('choose(item, chosen)'));
    if (typeof g !== 'boolean') fails(() => w.commit('tolerance', g), at('commit(c, signed)'), 'input');
    assert.equal(typeof w.state().complete, 'boolean');
    assert.equal(typeof w.save().bundle, 'string');
  }
  const freed = new Bundle(packedText(NAME));
  freed.free();
  fails(() => new Wizard(freed, date), 'a freed bundle');
  fails(() => freed.form(), 'a method of a freed bundle');
});

test('test and diff: garbage instead of cases, options and bundles', { skip: FLAVOUR === 'web' && 'the browser flavour has no test or diff' }, () => {
  for (const [i, g] of GARBAGE.entries()) {
    endures(() => bundle.test(g, { date }), `test(GARBAGE[${i}])`);
    endures(() => bundle.test({ [`tests/accepted--${i}.json`]: g }, { date }), `test({case: GARBAGE[${i}]})`);
    endures(() => bundle.test({ [`decisions/${caseName}.json`]: caseText }, g), `test(cases, GARBAGE[${i}])`);
    endures(() => diff(bundle, g), `diff(bundle, GARBAGE[${i}])`);
    endures(() => diff(g, bundle), `diff(GARBAGE[${i}], bundle)`);
    if (typeof g !== 'object' || g === null) fails(() => bundle.test(g, { date }), `test(GARBAGE[${i}])`);
  }
  fails(() => bundle.test({ 'tests/accepted--x.json': '{"values": []}' }, { date }), 'values as an array', 'cases');
  fails(() => bundle.test({ 'tests/accepted--x.json': 'x'.repeat((32 << 20) + 1) }, { date }), 'oversized');
});

test('merge: garbage, contradictions and hostile schemas', () => {
  for (const [i, g] of GARBAGE.entries()) {
    // An empty array merges nothing into the schema that accepts everything.
    if (!Array.isArray(g)) fails(() => merge(g), `merge(GARBAGE[${i}])`);
    // Objects and booleans are schemas (`{}` accepts everything).
    endures(() => merge([{ type: 'object' }, g]), `merge([schema, GARBAGE[${i}]])`);
    if (!['object', 'boolean'].includes(typeof g) || g === null || Array.isArray(g)) {
      fails(() => merge([{ type: 'object' }, g]), `merge([schema, GARBAGE[${i}]])`);
    }
  }
  const c = fails(() => merge([{ type: 'string' }, { type: 'integer' }]), 'string vs integer', 'conflict');
  assert.ok(c.details.reasons.length > 0);
  fails(() => merge([{ $ref: '#' }]), 'an in-place $ref cycle');
  fails(() => merge([{ $ref: 'https://example.invalid/s.json' }]), 'a remote $ref');
  fails(() => merge([{ $schema: 'http://json-schema.org/draft-04/schema#' }]), 'another draft');
  fails(() => merge([deepAllOf(2_000)]), 'deep allOf');
  fails(() => merge([{ pattern: '(' }]), 'a bad pattern', 'invalid_schema');
  const ok = merge([{ type: 'object', properties: { a: { maxLength: 5 } } }, { properties: { a: { maxLength: 3 } } }]);
  assert.equal(ok.schema.properties.a.maxLength, 3);
});

function deepAllOf(n) {
  let v = { type: 'string' };
  for (let i = 0; i < n; i++) v = { allOf: [v] };
  return v;
}
