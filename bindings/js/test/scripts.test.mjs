// The package's scripts that no test runs — the benchmarks, the build — still parse: a
// comment closed too early once left `npm run bench` a syntax error unnoticed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT } from './helpers.mjs';

const PKG = join(ROOT, 'bindings', 'js');

test('every script of bench/ and scripts/ parses', () => {
  const scripts = ['bench', 'scripts'].flatMap((dir) =>
    readdirSync(join(PKG, dir)).filter((f) => f.endsWith('.mjs')).map((f) => join(PKG, dir, f)));
  assert.ok(scripts.length >= 10, `${scripts.length} scripts`);
  for (const script of scripts) {
    const run = spawnSync(process.execPath, ['--check', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${script}: ${run.stderr}`);
  }
});
