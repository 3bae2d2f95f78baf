// Native = WASM (invariant 6): every fixture through the package gives the JSON the native
// library gives, compared after parsing (deepStrictEqual: same keys, same order-independent
// objects, same arrays, same numbers and strings). The native outputs are the snapshots of
// core/tests (see helpers.mjs).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { Bundle } from './module.mjs';

import { FIXTURES, bundleFiles, cli, fixtures, jsonFiles, meta, packedText, snapshotJson, snapshotText } from './helpers.mjs';

/** Text as insta keeps it: without trailing newlines. */
const trimmed = (text) => text.replace(/\n+$/, '');

for (const name of fixtures()) {
  describe(name, () => {
    const bundle = new Bundle(packedText(name));
    const id = bundle.id;
    const { date, documents, dateOf } = meta(name);

    test('a bundle compiles from text and from an object alike', () => {
      const again = new Bundle(JSON.parse(packedText(name)));
      assert.deepEqual(again.form(), bundle.form());
      again.free();
    });

    test('a bundle directory packs from its files as `onething pack` packs it', () => {
      const fromFiles = Bundle.fromFiles(bundleFiles(name));
      assert.deepEqual(fromFiles.packed(), JSON.parse(packedText(name)));
      assert.deepEqual(bundle.packed(), JSON.parse(packedText(name)));
      assert.deepEqual(fromFiles.form(), bundle.form());
      fromFiles.free();
    });

    test('compile warnings, as the native CLI gives them', () => {
      const report = JSON.parse(cli('check', join(FIXTURES, name), '--json'));
      assert.deepEqual(bundle.warnings(), report.warnings);
    });

    test('merged form', () => {
      assert.deepEqual(bundle.form(), snapshotJson(`${id}__form`));
    });

    test('every submission validates, and the valid ones dispatch, as natively', () => {
      const subs = jsonFiles(name, 'submissions');
      assert.ok(subs.length >= 4);
      for (const [stem, text] of subs) {
        const v = bundle.validate(text);
        assert.equal(v.valid, stem.startsWith('valid'), stem);
        assert.deepEqual(v, snapshotJson(`${id}__${stem}__validation`), stem);
        // An object gives the same as its text.
        assert.deepEqual(bundle.validate(JSON.parse(text)), v, stem);
        if (v.valid) {
          assert.deepEqual(bundle.dispatch(text), snapshotJson(`${id}__${stem}__dispatch`), stem);
        } else {
          assert.throws(() => bundle.dispatch(text), (e) => e instanceof Error && e.kind === 'invalid', stem);
        }
      }
    });

    test('every decision file evaluates as natively', () => {
      const cases = jsonFiles(name, 'decisions');
      assert.ok(cases.length >= 7);
      for (const [stem, text] of cases) {
        const on = dateOf(stem);
        const d = bundle.evaluate(JSON.parse(text), on);
        assert.equal(d.outcome, stem.split('--')[0], stem);
        assert.deepEqual(d, snapshotJson(`${id}__decision__${stem}`), stem);
        // Without the trace: the same decision, its trace empty.
        const quick = bundle.evaluate(text, on, { trace: false });
        assert.deepEqual(quick, { ...d, trace: [] }, stem);
        assert.deepEqual(bundle.evaluate(text, on, { trace: true }), d, stem);
      }
    });

    test('prefill from every consented document', () => {
      const p = bundle.prefill({ consent: Object.keys(documents), documents }, date);
      assert.deepEqual(p, snapshotJson(`${id}__prefill`));
    });

    test('notice: data, Markdown and HTML in both languages', () => {
      assert.deepEqual(bundle.notice(), snapshotJson(`${id}__notice`));
      for (const lang of ['zh', 'en']) {
        assert.equal(trimmed(bundle.renderNotice('markdown', lang)), snapshotText(`${id}__notice__${lang}.md`));
        // The command line's spelling (`--format md`) is accepted too.
        assert.equal(trimmed(bundle.renderNotice('md', lang)), snapshotText(`${id}__notice__${lang}.md`));
        assert.equal(trimmed(bundle.renderNotice('html', lang)), snapshotText(`${id}__notice__${lang}.html`));
      }
    });

    test('plan: data, Mermaid and DOT in both languages', () => {
      assert.deepEqual(bundle.plan(), snapshotJson(`${id}__plan`));
      for (const lang of ['zh', 'en']) {
        assert.equal(trimmed(bundle.renderPlan('mermaid', lang)), snapshotText(`${id}__plan__${lang}.mmd`));
        assert.equal(trimmed(bundle.renderPlan('dot', lang)), snapshotText(`${id}__plan__${lang}.dot`));
      }
    });

    test('results of every reports file, as the native CLI gives them', () => {
      for (const [stem, text] of jsonFiles(name, 'results')) {
        const expected = JSON.parse(cli('results', join(FIXTURES, name), join(FIXTURES, name, 'results', `${stem}.json`), '--json'));
        assert.deepEqual(bundle.results(text), expected, stem);
      }
    });
  });
}

describe('evaluate adds the official calendars of new years', () => {
  const stem = 'accepted_with_tolerance--new-years-eve-supplement-due-after-yuandan-2027';
  const holidays = ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-04-05',
    '2027-05-01', '2027-05-02', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-02', '2027-10-03'];
  const cal2027 = (workdays) => ({ name: { zh: '2027年', en: '2027' }, years: [2027, 2027], holidays, workdays });

  test('a Saturday worked in 2027 moves the deadline; the note about the unknown year goes', () => {
    const b = new Bundle(packedText('business-startup'));
    const s = jsonFiles('business-startup', 'decisions').find(([n]) => n === stem)[1];
    const computed = b.evaluate(s, '2026-12-31');
    assert.equal(computed.supplements[0].by, '2027-01-04');
    assert.ok(computed.reasons.some((r) => r.rule === 'calendar'));
    const official = b.evaluate(s, '2026-12-31', { calendars: [cal2027(['2027-01-02'])] });
    assert.equal(official.supplements[0].by, '2027-01-02');
    assert.ok(!(official.reasons ?? []).some((r) => r.rule === 'calendar'));
    // A refused calendar throws, naming it and the place in it.
    for (const [bad, path] of [
      [cal2027(['2027-01-04']), 'options.calendars[0]/workdays/0'],
      [{ ...cal2027([]), years: [2029, 2029] }, 'options.calendars[0]/holidays/0'],
      [{ ...cal2027([]), holidays: holidays.slice(1) }, 'options.calendars[0]/holidays'],
      [{ ...cal2027([]), extra: 1 }, 'options.calendars[0]/extra'],
    ]) {
      assert.throws(() => b.evaluate(s, '2026-12-31', { calendars: [bad] }), (e) => e.kind === 'calendar' && e.path === path, path);
    }
    assert.throws(() => b.evaluate(s, '2026-12-31', { calendars: 'no' }), (e) => e instanceof Error);
    b.free();
  });
});

describe("an applicant's notice (noticeFor), as the native snapshots", () => {
  const read = (name, stem) => jsonFiles(name, 'decisions').find(([s]) => s === stem)[1];

  test('newborn, tolerance: data and Markdown', () => {
    const b = new Bundle(packedText('newborn'));
    const s = read('newborn', 'accepted_with_tolerance--rented-flat-proofs-supplied-later');
    assert.deepEqual(b.noticeFor(s, '2026-04-02'), snapshotJson('newborn__notice_for__tolerance'));
    for (const lang of ['zh', 'en']) {
      assert.equal(
        trimmed(b.renderNoticeFor('markdown', lang, s, '2026-04-02')),
        snapshotText(`newborn__notice_for__tolerance__${lang}.md`),
      );
    }
  });

  test('business start-up, tolerance: HTML', () => {
    const b = new Bundle(packedText('business-startup'));
    const s = read('business-startup', 'accepted_with_tolerance--bank-account-tax-agreement-staff-list-later');
    assert.equal(
      trimmed(b.renderNoticeFor('html', 'zh', s, '2026-04-30')),
      snapshotText('business-startup__notice_for__tolerance__zh.html'),
    );
  });
});

test('compile warnings of a flawed bundle, as the native CLI gives them', () => {
  // A field dictionary entry renamed: no item declares the new key, and the old key has no
  // entry any more. Both are warnings; the bundle still compiles.
  const packed = JSON.parse(packedText('restaurant-opening'));
  packed.fields = Object.fromEntries(
    Object.entries(packed.fields).map(([k, v]) => [k === 'applicant.name' ? 'applicant.namex' : k, v]),
  );
  const dir = mkdtempSync(join(tmpdir(), 'onething-warnings-'));
  try {
    const file = join(dir, 'packed.json');
    writeFileSync(file, JSON.stringify(packed));
    const expected = JSON.parse(cli('check', file, '--json')).warnings;
    const b = new Bundle(packed);
    const got = b.warnings();
    b.free();
    assert.deepEqual(got, expected);
    assert.deepEqual(got.map((w) => w.at).sort(), ['field `applicant.name`', 'field dictionary `applicant.namex`']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('Bundle.fromFiles names the file of every failure', () => {
  const files = bundleFiles('business-startup');
  const failure = (changed) => {
    try {
      Bundle.fromFiles({ ...files, ...changed }).free();
    } catch (e) {
      return e;
    }
    assert.fail('compiled');
  };

  test('a rule script that does not compile: its file, line and column', () => {
    const e = failure({ 'rules/legal-rep-adult.rhai': 'let x = 1;\nlet y = ;\n' });
    assert.equal(e.kind, 'compile');
    assert.deepEqual([e.file, e.line, e.column], ['rules/legal-rep-adult.rhai', 2, 9]);
    const [problem] = e.details.problems;
    assert.equal(problem.file, 'rules/legal-rep-adult.rhai');
    assert.match(e.message, /rules\/legal-rep-adult\.rhai:2:9/);
  });

  test('a rule reading a key the form does not have: its file', () => {
    const e = failure({ 'rules/legal-rep-adult.rhai': 'form["legal_rep.agee"] >= 18' });
    assert.deepEqual([e.kind, e.file, e.line], ['compile', 'rules/legal-rep-adult.rhai', 1]);
  });

  test('a department schema that is not JSON: its file, line and column', () => {
    const e = failure({ 'seal-engraving.schema.json': '{\n  "type": "object",\n  oops\n}' });
    assert.deepEqual([e.kind, e.file, e.line], ['syntax', 'seal-engraving.schema.json', 3]);
  });

  test('a file that is missing, or outside the directory', () => {
    // A missing rule file is one compile problem among all, at its rule; a missing schema
    // file stops the load.
    const without = (name) => {
      const { [name]: _, ...rest } = files;
      try {
        Bundle.fromFiles(rest).free();
      } catch (err) {
        return err;
      }
      assert.fail(`compiled without ${name}`);
    };
    const e = without('rules/legal-rep-adult.rhai');
    assert.deepEqual([e.kind, e.file], ['compile', 'rules/legal-rep-adult.rhai']);
    assert.match(e.message, /cannot read the script file/);
    const s = without('seal-engraving.schema.json');
    assert.deepEqual([s.kind, s.file], ['io', 'seal-engraving.schema.json']);
    const escaping = files['bundle.json'].replace('"rules/legal-rep-adult.rhai"', '"../legal-rep-adult.rhai"');
    const f = failure({ 'bundle.json': escaping });
    assert.equal(f.kind, 'format');
    assert.match(f.message, /must be a relative path inside the bundle directory/);
  });
});
