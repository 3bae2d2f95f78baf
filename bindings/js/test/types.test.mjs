// The declarations hold together: test/types/example.ts, which uses the package as a
// TypeScript program would (with the types generated from schemas/), type-checks under
// `strict`, and so does test/types/wizard.ts, a page using `<onething-wizard>`
// (`onething/wizard`, with the DOM's types); the generated types are those the schemas give
// (scripts/types.mjs --check).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

test('types/onething.d.ts is generated from the current schemas', () => {
  execFileSync(process.execPath, [join(pkg, 'scripts', 'types.mjs'), '--check'], { stdio: 'pipe' });
});

for (const [what, config] of [['a TypeScript program using the package', 'tsconfig.json'], ['a page using <onething-wizard>', 'tsconfig.wizard.json']]) {
  test(`${what} type-checks`, () => {
    const tsc = join(pkg, 'node_modules', '.bin', 'tsc');
    try {
      execFileSync(tsc, ['-p', join(pkg, 'test', 'types', config)], { cwd: pkg, encoding: 'utf8' });
    } catch (e) {
      assert.fail(`tsc: ${e.stdout}${e.stderr}`);
    }
  });
}
