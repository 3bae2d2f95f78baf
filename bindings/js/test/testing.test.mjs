// The package's `Bundle.test` and `diff` (issue 21) give what the native CLI gives:
// `onething test DIR --json [--coverage]` for every fixture's own cases, and
// `onething diff OLD NEW --json`; bad input throws typed errors. The browser flavour leaves
// both out (its size ceiling, scripts/build.mjs): there it is checked that they are absent.

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { Bundle, FLAVOUR, diff } from './module.mjs';

import { FIXTURES, bundleFiles, cli, fixtures, packedText } from './helpers.mjs';

/** A fixture's case files as `Bundle.test` takes them: `decisions/*.json`, `tests/*.json`
 * and `fixture.json`, by path in the bundle directory. */
function caseFiles(name) {
  const dir = join(FIXTURES, name);
  const files = {};
  for (const folder of ['decisions', 'tests']) {
    if (!existsSync(join(dir, folder))) continue;
    for (const f of readdirSync(join(dir, folder)).filter((f) => f.endsWith('.json'))) {
      files[`${folder}/${f}`] = readFileSync(join(dir, folder, f), 'utf8');
    }
  }
  files['fixture.json'] = readFileSync(join(dir, 'fixture.json'), 'utf8');
  return files;
}

/** What the CLI prints with `--json`, also when it exits 1 (a failing case). */
function cliJson(...args) {
  try {
    return JSON.parse(cli(...args));
  } catch (e) {
    if (e.status === 1 && e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

/** Throws an Error of `kind` (never a trap); returns it. */
function throwsKind(f, kind, what) {
  let thrown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, `${what}: did not throw an Error (${thrown})`);
  assert.ok(!(thrown instanceof WebAssembly.RuntimeError), `${what}: trapped: ${thrown}`);
  assert.equal(thrown.kind, kind, `${what}: ${thrown.message}`);
  return thrown;
}

/** Whether this flavour has the authoring tools (`Bundle.test`, `diff`). */
const AUTHORING = FLAVOUR !== 'web';

test('the browser flavour leaves `test` and `diff` out, the Node flavour has them', () => {
  assert.equal(typeof Bundle.prototype.test, AUTHORING ? 'function' : 'undefined');
  assert.equal(typeof diff, AUTHORING ? 'function' : 'undefined');
});

for (const name of AUTHORING ? fixtures() : []) {
  describe(name, () => {
    // From its files, as the CLI reads the directory: coverage names each rule's file.
    const bundle = Bundle.fromFiles(bundleFiles(name));
    after(() => bundle.free());

    test('its cases run as `onething test --json --coverage` runs them', () => {
      const report = bundle.test(caseFiles(name), { coverage: true });
      assert.deepEqual(report, cliJson('test', join(FIXTURES, name), '--json', '--coverage'));
      assert.equal(report.failed, 0);
      assert.ok(report.passed >= 7 && report.coverage.rules.length > 0);
      assert.ok(report.coverage.rules.some((r) => r.file?.startsWith('rules/')), 'rules name their files');
    });

    test('without coverage, and on a date given', () => {
      const report = bundle.test(caseFiles(name));
      assert.equal(report.coverage, undefined);
      assert.deepEqual(report, cliJson('test', join(FIXTURES, name), '--json'));
      const on = bundle.test(caseFiles(name), { date: '2026-06-15' });
      assert.deepEqual(on, cliJson('test', join(FIXTURES, name), '--json', '--date', '2026-06-15'));
    });

    test('a diff with itself changes nothing, as `onething diff --json` says', () => {
      const dir = join(FIXTURES, name);
      assert.deepEqual(diff(bundle, bundle), cliJson('diff', dir, dir, '--json'));
    });
  });
}

describe('restaurant-opening', { skip: !AUTHORING && 'the browser flavour has no test or diff' }, () => {
  const NAME = 'restaurant-opening';
  const bundle = Bundle.fromFiles(bundleFiles(NAME));
  const scratch = mkdtempSync(join(tmpdir(), 'onething-testing-'));
  after(() => {
    bundle.free();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a case expecting another outcome fails with what differs, as natively', () => {
    const files = caseFiles(NAME);
    const [good] = Object.keys(files).filter((f) => f.startsWith('decisions/accepted--'));
    const broken = good.replace('decisions/accepted--', 'tests/rejected--broken-');
    const report = bundle.test({ ...files, [broken]: files[good] });
    assert.equal(report.failed, 1);
    const failed = report.cases.find((c) => !c.passed);
    assert.equal(failed.name, broken.slice(0, -'.json'.length));
    assert.ok(failed.mismatches.length > 0);
    // The same case in a copy of the bundle directory, through the CLI.
    const dir = join(scratch, NAME);
    cpSync(join(FIXTURES, NAME), dir, { recursive: true });
    mkdirSync(join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, broken), files[good]);
    assert.deepEqual(report, cliJson('test', dir, '--json'));
  });

  test('bad case files throw every problem at once, typed', () => {
    const e = throwsKind(
      () => bundle.test({ 'decisions/accepted--x.json': '{\n  "values": \n' }, { date: '2026-06-15' }),
      'cases',
      'not JSON',
    );
    assert.equal(e.file, 'decisions/accepted--x.json');
    assert.equal(e.details.errors[0].kind, 'syntax');
    assert.ok(e.line > 0);
    const u = throwsKind(
      () =>
        bundle.test(
          { 'tests/accepted--x.json': JSON.stringify({ values: {}, expect: { items: { 'no-such-item': 'accepted' } } }) },
          { date: '2026-06-15' },
        ),
      'cases',
      'unknown item',
    );
    assert.match(u.message, /no-such-item/);
    const two = throwsKind(
      () => bundle.test({ 'decisions/accepted--x.json': '[', 'decision/accepted--y.json': '{}' }, { date: '2026-06-15' }),
      'cases',
      'two problems',
    );
    assert.equal(two.details.errors.length, 2);
    throwsKind(() => bundle.test({}, { date: '2026-06-15' }), 'cases', 'no case');
    throwsKind(() => bundle.test({ 'tests/accepted--x.json': '{"values": {}}' }), 'input', 'no date');
    throwsKind(() => bundle.test(caseFiles(NAME), { date: '2026-02-30' }), 'date', 'no such day');
    throwsKind(() => bundle.test(caseFiles(NAME), { coverage: 'yes' }), 'format', 'coverage not a boolean');
    throwsKind(() => bundle.test(caseFiles(NAME), { dates: [] }), 'format', 'unknown option');
    // The bundle is still usable.
    assert.equal(bundle.test(caseFiles(NAME)).failed, 0);
  });

  test('diff of two versions gives what `onething diff --json` gives', () => {
    const old = JSON.parse(packedText(NAME));
    const changed = structuredClone(old);
    changed.version = '1.1.0';
    const food = changed.items.find((i) => i.id === 'food-business-licence');
    food.time_limit_days = 3;
    food.schema.properties.jyzmc.maxLength = 50;
    food.materials = food.materials.filter((m) => m.id !== 'online-platform-proof');
    const oldFile = join(scratch, 'old.json');
    const newFile = join(scratch, 'new.json');
    writeFileSync(oldFile, JSON.stringify(old));
    writeFileSync(newFile, JSON.stringify(changed));
    const first = new Bundle(old);
    const next = new Bundle(changed);
    const d = diff(first, next);
    assert.deepEqual(d, cliJson('diff', oldFile, newFile, '--json'));
    assert.equal(d.new_version, '1.1.0');
    assert.ok(d.departments.length > 0 && d.applicant);
    first.free();
    next.free();
  });

  test('diff of two different bundles throws, typed', () => {
    const other = new Bundle(packedText('newborn'));
    const e = throwsKind(() => diff(bundle, other), 'different_bundles', 'two bundles');
    assert.deepEqual(e.details, { old: 'restaurant-opening', new: 'newborn' });
    other.free();
  });
});
