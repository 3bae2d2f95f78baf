// Paired comparison of builds of the package (BENCHMARKS.md, "WebAssembly"): loads every
// module given into one Node process and measures them in turns, so that a busy machine
// slows all of them alike.
//
//   node bench/compare.mjs dist/node/onething_wasm.js dist/web/onething_wasm.js …
//
// A module is the glue of a Node build (which instantiates itself) or of a web build (which
// is instantiated here from the `onething_wasm_bg.wasm` beside it).
//
// Each of ROUNDS rounds (default 9) measures every case on every module: the median of 9
// samples, each the mean of a batch sized to take about 10 ms. Printed: the median over the
// rounds, in µs. With MIN=1, the minimum instead, of 15 batches of about 2 ms a round and
// over the rounds: on a machine that other work keeps busy, what it gives when left alone. Cases: evaluate on each fixture's valid-full submission (as an object),
// and the wizard's set + state and state alone on the generated 300-field form (as
// bench/run.mjs).

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { jsonFiles, meta, packedText } from '../test/helpers.mjs';
import { generated, sample } from './generated.mjs';
import { measure, median } from './measure.mjs';

const modules = process.argv.slice(2).map((m) => resolve(m));
if (modules.length === 0) throw new Error('usage: node bench/compare.mjs <onething_wasm.js>…');
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const FIXTURES = ['business-startup', 'restaurant-opening', 'newborn'];

const MIN = process.env.MIN === '1';
const time = MIN
  ? (f) => Math.min(...Array.from({ length: 15 }, () => measure(f, { samples: 1, batchNs: 2e6 })))
  : (f) => measure(f, { samples: 9, batchNs: 10e6 });
const summary = MIN ? (xs) => Math.min(...xs) : median;

/** The cases of one module, warmed up (so that V8's optimising tier has compiled them). */
async function cases(module) {
  const glue = await import(module);
  if (typeof glue.initSync === 'function') {
    glue.initSync({ module: readFileSync(join(dirname(module), 'onething_wasm_bg.wasm')) });
  }
  const { Bundle, Wizard } = glue;
  const fns = {};
  for (const name of FIXTURES) {
    const bundle = new Bundle(packedText(name));
    const { date } = meta(name);
    const object = JSON.parse(jsonFiles(name, 'submissions').find(([s]) => s === 'valid-full')[1]);
    fns[`evaluate/${name}`] = () => bundle.evaluate(object, date);
  }
  const bundle = new Bundle(generated(4, 90, 0.3));
  const form = bundle.form().properties;
  const keys = Object.keys(form);
  const w = new Wizard(bundle, '2026-03-02');
  keys.forEach((k, n) => n % 2 === 0 && w.set(k, sample(form[k], n)));
  const key = keys[1];
  const values = [sample(form[key], 1), sample(form[key], 2)];
  let n = 0;
  fns['wizard set+state'] = () => {
    n += 1;
    w.set(key, values[n % 2]);
    return w.state();
  };
  fns['wizard state'] = () => w.state();
  for (const f of Object.values(fns)) {
    const t = Date.now();
    while (Date.now() - t < 400) f();
  }
  return fns;
}

const all = [];
for (const m of modules) all.push(await cases(m));
const names = Object.keys(all[0]);
const results = all.map(() => Object.fromEntries(names.map((n) => [n, []])));
for (let r = 0; r < ROUNDS; r++) {
  for (const name of names) all.forEach((fns, i) => results[i][name].push(time(fns[name])));
}
console.table(
  Object.fromEntries(
    names.map((name) => [
      name,
      Object.fromEntries(modules.map((m, i) => [m, `${(summary(results[i][name]) / 1e3).toFixed(1)} µs`])),
    ]),
  ),
);
