// The wizard through the package: its state lives in WASM; one value crosses per change.
// Filling it from every decision file, one field at a time, then submitting gives the
// native decision (as core/tests/wizard.rs checks natively).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Bundle, Wizard } from './module.mjs';
import { fixtures, jsonFiles, meta, packedText, snapshotJson } from './helpers.mjs';

/** Fills a wizard with a submission's contents, one call per field. */
function fill(w, s) {
  for (const [k, v] of Object.entries(s.values ?? {})) w.set(k, v);
  for (const [m, status] of Object.entries(s.materials ?? {})) w.setMaterial(m, status);
  for (const i of s.opt_in ?? []) w.choose(i, true);
  for (const c of s.commitments ?? []) w.commit(c, true);
  if (s.applicant) w.setApplicant(s.applicant);
}

for (const name of fixtures()) {
  describe(name, () => {
    const bundle = new Bundle(packedText(name));
    const { date, documents, dateOf } = meta(name);

    test('submit then evaluate gives every decision file its native decision', () => {
      for (const [stem, text] of jsonFiles(name, 'decisions')) {
        const s = JSON.parse(text);
        const w = new Wizard(bundle, dateOf(stem));
        fill(w, s);
        const d = bundle.evaluate(w.submit(), dateOf(stem));
        assert.deepEqual(d, snapshotJson(`${bundle.id}__decision__${stem}`), stem);
        if (stem.startsWith('accepted')) assert.equal(w.state().complete, true, stem);
        w.free();
      }
    });

    test('state() after every change equals a fresh one, and hands out only what changed', () => {
      // The facade reuses the (frozen) object of every field equal to the one the previous
      // state() handed out; a wizard resumed from a draft starts with none to reuse.
      const deepFrozen = (v) =>
        v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(deepFrozen));
      for (const [stem, text] of jsonFiles(name, 'decisions')) {
        const s = JSON.parse(text);
        const w = new Wizard(bundle, date);
        let last = new Map(w.state().steps.flatMap((st) => st.fields).map((f) => [f.key, f]));
        let reused = 0;
        let changed = 0;
        for (const [k, v] of Object.entries(s.values ?? {})) {
          w.set(k, v);
          const state = w.state();
          const fresh = Wizard.resume(bundle, w.save(), date);
          assert.deepEqual(state, fresh.state(), `${stem}: after ${k}`);
          fresh.free();
          const fields = state.steps.flatMap((st) => st.fields);
          for (const f of fields) {
            assert.ok(deepFrozen(f), `${stem}: ${f.key} is frozen`);
            const before = last.get(f.key);
            if (f === before) reused += 1;
            else {
              assert.notDeepEqual(f, before, `${stem}: ${f.key} is equal to the last one but was sent again`);
              changed += 1;
            }
          }
          last = new Map(fields.map((f) => [f.key, f]));
        }
        w.free();
        if (Object.keys(s.values ?? {}).length > 1) {
          assert.ok(reused > changed, `${stem}: ${reused} fields reused, ${changed} sent again`);
        }
      }
    });

    test('drafts round-trip and refuse another bundle', () => {
      const [, text] = jsonFiles(name, 'decisions')[0];
      const w = new Wizard(bundle, date);
      fill(w, JSON.parse(text));
      w.goNext();
      const draft = w.save();
      const resumed = Wizard.resume(bundle, draft, date);
      assert.deepEqual(resumed.state(), w.state());
      assert.equal(resumed.current, w.current);
      assert.throws(
        () => Wizard.resume(bundle, { ...draft, version: 'another' }, date),
        (e) => e.kind === 'wrong_bundle',
      );
    });

    test('a prefilled wizard starts from the documents, locked where authoritative', () => {
      const w = Wizard.prefilled(bundle, { consent: Object.keys(documents), documents }, date);
      const p = bundle.prefill({ consent: Object.keys(documents), documents }, date);
      const answers = w.save().answers ?? {};
      for (const [key, filled] of Object.entries(p.values)) {
        if (key in answers) assert.deepEqual(answers[key], filled.value, key);
        if (filled.locked) {
          assert.throws(() => w.set(key, 'changed'), (e) => e.kind === 'locked' && e.path === key, key);
        }
      }
    });

    test('unknown keys, materials, items and steps are typed errors; the wizard goes on', () => {
      const w = new Wizard(bundle, date);
      const key = Object.keys(bundle.form().properties)[0];
      assert.throws(() => w.set(`${key}x`, 1), (e) => e.kind === 'unknown_key' && e.path === `${key}x`);
      assert.throws(() => w.setMaterial('no-such-material', 'provided'), (e) => e.kind === 'unknown_material');
      assert.throws(() => w.setMaterial(key, 'lost'), (e) => e.kind === 'format');
      assert.throws(() => w.choose('no-such-item', true), (e) => e.kind === 'unknown_item');
      assert.throws(() => w.goTo(10_000), (e) => e.kind === 'unknown_step');
      w.set(key, { wrongly: ['typed'] });
      const field = w.state().steps.flatMap((s) => s.fields).find((f) => f.key === key);
      assert.ok(field.errors.length > 0, 'a wrongly typed value is a field error');
      w.set(key, null);
      assert.equal(key in (w.save().answers ?? {}), false);
    });
  });
}

describe('lists, row by row', () => {
  const bundle = new Bundle(packedText('business-startup'));
  const { date } = meta('business-startup');
  const shareholders = (w) => w.state().steps.flatMap((s) => s.fields).find((f) => f.key === 'shareholders');

  test('rows are added, filled, moved and removed as natively; errors name the row', () => {
    const w = new Wizard(bundle, date);
    assert.equal(w.addRow('shareholders'), 0);
    w.setCell('shareholders', 0, 'name', '李志强');
    w.setCell('shareholders', 0, 'id_number', '23100419860412123X');
    assert.equal(w.addRow('shareholders', { name: '周海波', id_number: '230103198407082517' }), 1);
    const field = shareholders(w);
    assert.deepEqual(field.list.rows.map((r) => r.zh), ['第1位股东', '第2位股东']);
    assert.ok(field.list.columns.some((c) => c.key === 'name' && c.required));
    assert.ok(
      field.errors.some((e) => e.pointer === '/shareholders/1/id_number' && e.message.zh.startsWith('第2位股东')),
      JSON.stringify(field.errors),
    );
    w.moveRow('shareholders', 1, 0);
    w.removeRow('shareholders', 0);
    assert.deepEqual(w.save().answers.shareholders, [{ name: '李志强', id_number: '23100419860412123X' }]);
    w.free();
  });

  test('a change in one row hands out the other rows again as the same objects', () => {
    const w = new Wizard(bundle, date);
    for (let n = 0; n < 3; n++) w.addRow('shareholders', { name: `股东${n}`, kind: '自然人' });
    const before = shareholders(w);
    w.setCell('shareholders', 1, 'name', '周海波');
    const after = shareholders(w);
    assert.notEqual(after, before);
    assert.equal(after.value[0], before.value[0]);
    assert.equal(after.value[2], before.value[2]);
    assert.notEqual(after.value[1], before.value[1]);
    assert.equal(after.list, before.list, 'the rows and columns did not change');
    assert.deepEqual(after.value.map((r) => r.name), ['股东0', '周海波', '股东2']);
    const fresh = Wizard.resume(bundle, w.save(), date);
    assert.deepEqual(after, shareholders(fresh));
    assert.deepEqual(Object.keys(after), Object.keys(shareholders(fresh)), 'keys in the same order');
    w.removeRow('shareholders', 0);
    const removed = shareholders(w);
    assert.notEqual(removed.list, after.list, 'one row name fewer');
    assert.deepEqual(removed.value.map((r) => r.name), ['周海波', '股东2']);
    assert.ok(Object.isFrozen(removed.value) && removed.value.every(Object.isFrozen));
    fresh.free();
    w.free();
  });

  test('bad row requests are typed errors', () => {
    const w = new Wizard(bundle, date);
    assert.throws(() => w.removeRow('shareholders', 0), (e) => e.kind === 'no_row' && e.path === 'shareholders/0');
    assert.throws(() => w.addRow('company.name'), (e) => e.kind === 'not_a_list');
    assert.throws(() => w.addRow('shareholders', 'x'), (e) => e.kind === 'not_a_row');
    w.addRow('shareholders');
    assert.throws(() => w.setCell('shareholders', 0, 'nmae', 'x'), (e) => e.kind === 'unknown_column');
    assert.throws(() => w.setCell('shareholders', -1, 'name', 'x'), (e) => e.kind === 'input');
    for (let n = 1; n < 50; n++) w.addRow('shareholders', { name: `股东${n}` });
    assert.throws(() => w.addRow('shareholders'), (e) => e.kind === 'too_many_rows' && /50/.test(e.message));
    w.free();
  });
});
