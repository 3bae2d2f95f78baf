// Warm compile in Node, several builds of the browser module in turns (BENCHMARKS.md, "Cold
// start"): each build's glue is imported and its module instantiated (`initSync`) once, then
// `new Bundle(packed)` on the business start-up fixture is timed ROUNDS times per build, one
// compile of each build in turn, after WARMUP untimed ones. Printed per build: the fastest
// compile (what the machine gives when other work leaves it alone) and the median.
//
//   node bench/warm.mjs dirA dirB …     directories holding onething_wasm.js and its module

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { packedText } from '../test/helpers.mjs';
import { median } from './measure.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const WARMUP = Number(process.env.WARMUP ?? 3);
const dirs = process.argv.slice(2).map((d) => resolve(d));
if (dirs.length === 0) throw new Error('usage: node bench/warm.mjs dirA [dirB …]');
const packed = packedText('business-startup');

const builds = [];
for (const dir of dirs) {
  const glue = await import(pathToFileURL(join(dir, 'onething_wasm.js')).href);
  glue.initSync({ module: readFileSync(join(dir, 'onething_wasm_bg.wasm')) });
  for (let i = 0; i < WARMUP; i++) new glue.Bundle(packed).free();
  builds.push({ dir, glue, times: [] });
}
for (let r = 0; r < ROUNDS; r++) {
  for (const b of builds) {
    const t = performance.now();
    const bundle = new b.glue.Bundle(packed);
    b.times.push(performance.now() - t);
    bundle.free();
  }
}
console.table(
  Object.fromEntries(
    builds.map((b) => [b.dir, { fastest: `${Math.min(...b.times).toFixed(1)} ms`, median: `${median(b.times).toFixed(1)} ms` }]),
  ),
);
console.log(`warm new Bundle(packed) in Node ${process.version}, ${ROUNDS} rounds in turns after ${WARMUP} untimed; business-startup`);
