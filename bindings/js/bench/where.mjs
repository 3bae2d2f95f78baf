// Where the bytes of a WebAssembly module are: code size by the crate that names each function,
// and the two families issue 24 asks about (serde_path_to_error, the standard library's stable
// sort). Needs a module that still has its name section, as wasm-bindgen writes it before
// wasm-opt strips it:
//
//   wasm-bindgen --target web --out-dir /tmp/named ../../target/wasm32-unknown-unknown/wasm-release/onething_wasm.wasm
//   node bench/where.mjs /tmp/named/onething_wasm_bg.wasm

import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/where.mjs <module with a name section>.wasm');
const b = readFileSync(file);
let p = 8;
const leb = () => {
  let r = 0;
  let s = 0;
  let x;
  do {
    x = b[p++];
    r += (x & 0x7f) * 2 ** s;
    s += 7;
  } while (x & 0x80);
  return r;
};
const skipLimits = () => (b[p++] & 1 ? (leb(), leb()) : leb());

let imported = 0;
const code = [];
const names = new Map();
let data = 0;
while (p < b.length) {
  const id = b[p++];
  const size = leb();
  const start = p;
  if (id === 2) {
    // Imported functions come first in the function index space.
    for (let n = leb(); n > 0; n--) {
      for (const field of ['module', 'name']) {
        const length = leb(); // the import's `field`, skipped
        p += length;
      }
      const kind = b[p++];
      if (kind === 0) (leb(), imported++);
      else if (kind === 1) (p++, skipLimits());
      else if (kind === 2) skipLimits();
      else if (kind === 3) p += 2;
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) {
      const s = leb();
      code.push(s);
      p += s;
    }
  } else if (id === 11) {
    data = size;
  } else if (id === 0) {
    const length = leb();
    const name = b.subarray(p, p + length).toString();
    p += length;
    while (name === 'name' && p < start + size) {
      const sub = b[p++];
      const end = leb() + p;
      if (sub === 1) {
        for (let n = leb(); n > 0; n--) {
          const index = leb();
          const l = leb();
          names.set(index, b.subarray(p, p + l).toString());
          p += l;
        }
      }
      p = end;
    }
  }
  p = start + size;
}
if (names.size === 0) throw new Error(`${file} has no function names: use wasm-bindgen's output, before wasm-opt`);

const byCrate = new Map();
const family = { serde_path_to_error: [0, 0], 'core::slice::sort::': [0, 0] };
let total = 0;
code.forEach((size, i) => {
  const name = names.get(i + imported) ?? '?';
  total += size;
  const crate = name.match(/^<?([a-z_][a-z0-9_]*)::/)?.[1] ?? '?';
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  for (const [f, sum] of Object.entries(family)) {
    if (name.includes(f)) (sum[0]++, (sum[1] += size));
  }
});
const kb = (n) => `${(n / 1000).toFixed(0)} KB`;
console.log(`${file}: ${kb(total)} of code in ${code.length} functions, ${kb(data)} of data`);
for (const [crate, size] of [...byCrate].sort((x, y) => y[1] - x[1]).slice(0, 15)) {
  console.log(`  ${kb(size).padStart(7)}  ${crate}`);
}
for (const [f, [n, size]] of Object.entries(family)) console.log(`${f}: ${n} functions, ${kb(size)}`);
const sorts = [...names.values()].filter((n) => n.includes('core::slice::sort::stable::driftsort_main')).length;
console.log(`instantiations of the stable sort (driftsort_main): ${sorts}`);
