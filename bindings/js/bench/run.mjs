// Speed through the package in Node (npm run bench), against the native library.
//
//   evaluate/<fixture>        Bundle.evaluate(submission object, date) on the fixture's
//                             valid-full submission: the native figure is criterion's
//                             `evaluate/<fixture>` (cargo bench -p onething --bench bundle --
//                             evaluate), read from <target>/criterion when present.
//                             Budget: ≤ 2× native.
//   evaluate-text/<fixture>   the same with the submission as JSON text.
//   wizard set+state          one Wizard.set and the state() after it, on a generated form
//                             of about 300 fields, half of them filled (the bundle of
//                             core/benches/bundle.rs `generated(4, 90, 0.3)`). Budget ≤ 1 ms.
//
//   form/<fixture>            Bundle.form(): a large output (about 90 kB of JSON) crossing.
//   wizard setCell+state      one Wizard.setCell on row 50 of a 100-row list and the state()
//                             after it: 10 departments each mapping the list's 20 columns
//                             (core/benches/bundle.rs `list_bundle(10, 20)`). Budget ≤ 1 ms.
//
// Figures are medians of 30 samples, each the mean of a batch sized to take about 20 ms.
// CARGO_TARGET_DIR tells where criterion's results are; ONETHING_FLAVOUR picks the package's
// build as the tests do (`node`, the default, or `web`: test/module.mjs); ONETHING_MODULE
// measures another build of the glue (e.g. one with the `serde-wasm-bindgen` feature, to
// compare codecs).

import { join } from 'node:path';

import { ROOT, jsonFiles, meta, packedText } from '../test/helpers.mjs';
import { generated, listBundle, listRows, sample } from './generated.mjs';
import { Criterion, measure } from './measure.mjs';

const { Bundle, Wizard } = await import(process.env.ONETHING_MODULE ?? '../test/module.mjs');
const FIXTURES = ['business-startup', 'restaurant-opening', 'newborn'];
const SAMPLES = 30;

/** Median time of one call of `f`, in nanoseconds, after a second of warm-up. */
const measureOne = (f) => measure(f, { samples: SAMPLES, batchNs: 20e6, warmupNs: 1e9 });

const criterion = new Criterion(ROOT);
const native = (id) => criterion.median(id);

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`);
const rows = [];
const row = (name, ns, nativeNs, budget) => {
  const ratio = nativeNs ? ns / nativeNs : undefined;
  rows.push({ name, wasm: fmt(ns), native: nativeNs ? fmt(nativeNs) : '', ratio: ratio ? `${ratio.toFixed(2)}×` : '', budget });
};

for (const name of FIXTURES) {
  const bundle = new Bundle(packedText(name));
  const { date } = meta(name);
  const text = jsonFiles(name, 'submissions').find(([s]) => s === 'valid-full')[1];
  const object = JSON.parse(text);
  row(`evaluate/${name}`, measureOne(() => bundle.evaluate(object, date)), native(`evaluate/${name}`), '≤ 2× native');
  row(`evaluate-text/${name}`, measureOne(() => bundle.evaluate(text, date)), native(`evaluate/${name}`), '');
  row(`validate/${name}`, measureOne(() => bundle.validate(object)), native(`validate/${name}`), '');
  row(`form/${name}`, measureOne(() => bundle.form()), undefined, '');
}

{
  const bundle = new Bundle(generated(4, 90, 0.3));
  const form = bundle.form().properties;
  const keys = Object.keys(form);
  if (keys.length < 280 || keys.length > 320) throw new Error(`${keys.length} fields, not about 300`);
  const w = new Wizard(bundle, '2026-03-02');
  keys.forEach((k, n) => n % 2 === 0 && w.set(k, sample(form[k], n)));
  const key = keys[1];
  const values = [sample(form[key], 1), sample(form[key], 2)];
  let n = 0;
  row(`wizard set+state/${keys.length}-fields`, measureOne(() => {
    n += 1;
    w.set(key, values[n % 2]);
    return w.state();
  }), native('wizard/set+state/300-fields'), '≤ 1 ms');
  row(`wizard set/${keys.length}-fields`, measureOne(() => {
    n += 1;
    w.set(key, values[n % 2]);
  }), undefined, '');
}

{
  const bundle = new Bundle(listBundle(10, 20));
  const w = new Wizard(bundle, '2026-12-07');
  w.set('rows', listRows(100, 20));
  let n = 0;
  row('wizard setCell+state/100-rows', measureOne(() => {
    n += 1;
    w.setCell('rows', 50, 'col1', `第50行${n % 2}`);
    return w.state();
  }), undefined, '≤ 1 ms');
}

console.table(rows);
criterion.note(join(ROOT, 'bindings', 'js', 'dist', process.env.ONETHING_FLAVOUR ?? 'node', 'onething_wasm_bg.wasm'));
