// The web build in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads a page from a static server on 127.0.0.1 that imports
// dist/web/onething_wasm.js, instantiates the module, compiles a fixture bundle, evaluates a
// decision file and runs a wizard; the results must equal the native ones.
//
//   node --test test/browser.mjs      (npm run test:browser)
//
// CHROMIUM overrides the browser's path.

import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';
import { jsonFiles, meta, packedText, snapshotJson } from './helpers.mjs';

const PKG = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const NAME = 'newborn';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

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
let origin;

before(async () => {
  const dist = join(PKG, 'dist', 'web');
  assert.ok(existsSync(join(dist, 'onething_wasm.js')), 'dist/web is missing: run `npm run build` first');
  const routes = {
    '/': ['text/html', PAGE],
    '/fixture/bundle.json': ['application/json', packedText(NAME)],
    '/fixture/submission.json': ['application/json', caseText],
  };
  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    if (routes[path]) {
      res.writeHead(200, { 'content-type': routes[path][0] });
      res.end(routes[path][1]);
      return;
    }
    const file = normalize(join(PKG, path));
    if (path.startsWith('/dist/web/') && file.startsWith(dist) && existsSync(file)) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

test('the web build evaluates a fixture in headless Chromium as natively', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.__result);
  assert.equal(result.failed, undefined, result.failed);
  assert.deepEqual(errors, []);
  assert.deepEqual(result.decision, snapshotJson(`${NAME}__decision__${caseName}`));
  assert.deepEqual(result.form, snapshotJson(`${NAME}__form`));
  assert.ok(result.steps > 1);
  assert.deepEqual(result.error, { kind: 'syntax', line: 1, isError: true });
  await page.close();
});
