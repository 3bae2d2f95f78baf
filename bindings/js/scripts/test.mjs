// `npm test`: the Node tests (test/*.test.mjs) once per module flavour — the Node build
// (speed) and the browser build (size) — since both must give the native library's outputs.
//
//   node scripts/test.mjs [node|web]   (default: both)

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = readdirSync(join(pkg, 'test'))
  .filter((f) => f.endsWith('.test.mjs'))
  .sort()
  .map((f) => join('test', f));
/** Tests that do not load the module: once is enough. */
const ONCE = new Set([join('test', 'types.test.mjs'), join('test', 'scripts.test.mjs')]);
const flavours = process.argv.length > 2 ? process.argv.slice(2) : ['node', 'web'];
for (const [n, flavour] of flavours.entries()) {
  console.log(`\n== the ${flavour} flavour`);
  const run = spawnSync(process.execPath, ['--test', ...files.filter((f) => n === 0 || !ONCE.has(f))], {
    cwd: pkg,
    stdio: 'inherit',
    env: { ...process.env, ONETHING_FLAVOUR: flavour },
  });
  if (run.status !== 0) {
    console.error(`the tests failed on the ${flavour} flavour`);
    process.exit(run.status ?? 1);
  }
}
