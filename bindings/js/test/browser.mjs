// The web build in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads a page from a static server on 127.0.0.1 that imports
// dist/web/onething_wasm.js, instantiates the module, compiles a fixture bundle, evaluates a
// decision file and runs a wizard; the results must equal the native ones.
//
//   node --test test/browser.mjs      (npm run test:browser)
//
// CHROMIUM overrides the browser's path.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { jsonFiles, meta, packedText, snapshotJson } from './helpers.mjs';
import { launch, resultOf, serve } from './serve.mjs';

const PKG = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const NAME = 'newborn';

const [[caseName, caseText]] = jsonFiles(NAME, 'decisions');
const { date } = meta(NAME);

// The page: everything it needs is served by the test server; nothing else is reachable.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>onething in the browser</title>
<script type="module">
  import init, { Bundle, Wizard } from '/dist/web/onething_wasm.js';
  try {
    await init();
    const packed = await (await fetch('/fixture/bundle.json')).text();
    const submission = await (await fetch('/fixture/submission.json')).json();
    const bundle = new Bundle(packed);
    const decision = bundle.evaluate(submission, ${JSON.stringify(date)});
    const w = new Wizard(bundle, ${JSON.stringify(date)});
    for (const [k, v] of Object.entries(submission.values)) w.set(k, v);
    let error;
    try { new Bundle('{'); } catch (e) { error = { kind: e.kind, line: e.line, isError: e instanceof Error }; }
    window.__result = { decision, form: bundle.form(), steps: w.state().steps.length, error };
  } catch (e) {
    window.__result = { failed: String(e && e.stack || e) };
  }
</script>`;

let server;
let browser;

before(async () => {
  const dist = join(PKG, 'dist', 'web');
  assert.ok(existsSync(join(dist, 'onething_wasm.js')), 'dist/web is missing: run `npm run build` first');
  server = await serve(
    {
      '/': ['text/html', PAGE],
      '/fixture/bundle.json': ['application/json', packedText(NAME)],
      '/fixture/submission.json': ['application/json', caseText],
    },
    { '/dist/web/': dist },
  );
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the web build evaluates a fixture in headless Chromium as natively', { timeout: 120_000 }, async () => {
  const { result, errors } = await resultOf(browser, `${server.origin}/`);
  assert.equal(result.failed, undefined, result.failed);
  assert.deepEqual(errors, []);
  assert.deepEqual(result.decision, snapshotJson(`${NAME}__decision__${caseName}`));
  assert.deepEqual(result.form, snapshotJson(`${NAME}__form`));
  assert.ok(result.steps > 1);
  assert.deepEqual(result.error, { kind: 'syntax', line: 1, isError: true });
});
