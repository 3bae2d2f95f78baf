// The package as a user meets it, from outside this repository: `npm pack`, installed into a
// scratch project in the system's temporary directory, then
//   - the tarball holds one .wasm per flavour, and every file `exports` names;
//   - README.md's Node example runs (ESM), and the same through `require` (CommonJS) and
//     through `onething/bundler` (the browser module imported as an ES module), with the
//     native CLI's outcome;
//   - README.md's TypeScript example type-checks against the installed declarations, as Node
//     (`nodenext`) and as a bundler (`bundler`) resolve them;
//   - a tiny page importing `onething` builds with esbuild and with Vite, and each build runs
//     in headless Chromium with the native library's decision.
//
//   node --test test/package.mjs      (npm run test:package; after npm run build)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { FIXTURES, cli, jsonFiles, meta, packedText, snapshotJson } from './helpers.mjs';
import { launch, resultOf, serve } from './serve.mjs';

const PKG = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const BIN = join(PKG, 'node_modules', '.bin');
const README = readFileSync(join(PKG, 'README.md'), 'utf8');
/** The fixture of README.md's Node example, and the date it decides on. */
const EXAMPLE = { fixture: 'restaurant-opening', submission: 'valid-full.json', date: '2026-06-15' };
/** The fixture the built pages decide on in the browser. */
const PAGE_FIXTURE = 'newborn';

/** The `n`-th fenced block of README.md in language `lang`. */
function readmeBlock(lang, n = 0) {
  const blocks = [...README.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang);
  assert.ok(blocks[n], `README.md has no ${lang} block number ${n + 1}`);
  return blocks[n][2];
}

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    assert.fail(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

let scratch;
let tarball;
let project;

before(() => {
  assert.ok(existsSync(join(PKG, 'dist', 'node', 'onething_wasm.js')), 'dist/ is missing: run `npm run build` first');
  scratch = mkdtempSync(join(tmpdir(), 'onething-package-'));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], PKG));
  tarball = join(scratch, packed.filename);
  project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  // The package has no dependencies: nothing to fetch.
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], project);
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('the tarball ships one module per flavour and every file its exports name', () => {
  const files = run('tar', ['-tzf', tarball], scratch).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  assert.deepEqual(files.filter((f) => f.endsWith('.wasm')).sort(), ['dist/node/onething_wasm_bg.wasm', 'dist/web/onething_wasm_bg.wasm']);
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'onething', 'package.json'), 'utf8'));
  assert.equal(manifest.private, undefined, 'a private package cannot be published');
  const targets = [];
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  for (const t of [...targets, manifest.main, manifest.types]) {
    if (t === './package.json') continue;
    assert.ok(files.includes(t.replace(/^\.\//, '')), `exports name ${t}, which is not in the tarball`);
  }
});

/** The native CLI's decision as JSON text (`evaluate` exits 1 for a submission it does not
 * accept, with the decision all the same). */
function nativeDecision(dir, submission, date) {
  try {
    return cli('evaluate', dir, submission, '--date', date, '--json');
  } catch (e) {
    if (e.status === 1 && e.stdout) return e.stdout;
    throw e;
  }
}

test("README.md's Node example runs, in ESM, CommonJS and through onething/bundler, deciding as natively", () => {
  const dir = join(FIXTURES, EXAMPLE.fixture);
  writeFileSync(join(project, 'restaurant.json'), packedText(EXAMPLE.fixture));
  writeFileSync(join(project, 'submission.json'), readFileSync(join(dir, 'submissions', EXAMPLE.submission)));
  const native = JSON.parse(nativeDecision(dir, join(dir, 'submissions', EXAMPLE.submission), EXAMPLE.date));
  const expected = `${native.outcome} ${native.deficiencies.length}\n`;

  const example = readmeBlock('js', 0);
  assert.match(example, new RegExp(`'${EXAMPLE.date}'`), 'the example decides on another date than this test');
  writeFileSync(join(project, 'example.mjs'), example);
  assert.equal(run(process.execPath, ['example.mjs'], project), expected);

  const commonjs = example
    .replace("import { readFileSync } from 'node:fs';", "const { readFileSync } = require('node:fs');")
    .replace("import { Bundle } from 'onething';", "const { Bundle } = require('onething');");
  assert.doesNotMatch(commonjs, /^import /m);
  writeFileSync(join(project, 'example.cjs'), commonjs);
  assert.equal(run(process.execPath, ['example.cjs'], project), expected);

  // `onething/bundler` imports the browser module as an ES module, as webpack does: Node
  // does too with --experimental-wasm-modules.
  writeFileSync(join(project, 'example-bundler.mjs'), example.replace("from 'onething';", "from 'onething/bundler';"));
  assert.equal(run(process.execPath, ['--experimental-wasm-modules', '--no-warnings', 'example-bundler.mjs'], project), expected);
});

test("README.md's TypeScript example type-checks against the installed declarations", () => {
  const example = readmeBlock('ts', 0);
  writeFileSync(join(project, 'example.ts'), example);
  // The same as CommonJS: `import` in a .cts file is a `require`, typed by the .d.cts.
  writeFileSync(join(project, 'example.cts'), example);
  for (const [name, options, files] of [
    ['node', { module: 'nodenext', moduleResolution: 'nodenext', lib: ['esnext'] }, ['example.ts', 'example.cts']],
    // A browser project: the web build's declarations name DOM types (`Response`, `URL`).
    ['bundler', { module: 'esnext', moduleResolution: 'bundler', lib: ['esnext', 'dom'] }, ['example.ts']],
  ]) {
    const config = join(project, `tsconfig.${name}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: 'es2022', types: [], skipLibCheck: false, ...options },
        files,
      }),
    );
    run(join(BIN, 'tsc'), ['-p', config], project);
  }
});

/** A page deciding on the fixture `PAGE_FIXTURE`, importing the package as `imports` say. */
function page(imports, init) {
  return `${imports}
try {
  await ${init};
  const packed = await (await fetch('/fixture/bundle.json')).text();
  const { date, submission } = await (await fetch('/fixture/case.json')).json();
  const bundle = new Bundle(packed);
  window.__result = { decision: bundle.evaluate(submission, date) };
} catch (e) {
  window.__result = { failed: String((e && e.stack) || e) };
}
`;
}

test('a page importing the package builds with esbuild and with Vite, and runs in Chromium', { timeout: 300_000 }, async () => {
  const [[caseName, caseText]] = jsonFiles(PAGE_FIXTURE, 'decisions');
  const { date } = meta(PAGE_FIXTURE);
  const routes = {
    '/fixture/bundle.json': ['application/json', packedText(PAGE_FIXTURE)],
    '/fixture/case.json': ['application/json', JSON.stringify({ date, submission: JSON.parse(caseText) })],
  };
  const html = '<!doctype html><meta charset="utf-8"><title>onething</title><script type="module" src="./main.js"></script>\n';
  const module = readFileSync(join(PKG, 'dist', 'web', 'onething_wasm_bg.wasm'));

  // esbuild: the module's URL through the `file` loader (README.md, "Browsers").
  const esbuildSrc = join(project, 'esbuild-page');
  const esbuildOut = join(project, 'esbuild-out');
  mkdirSync(esbuildSrc);
  writeFileSync(
    join(esbuildSrc, 'main.js'),
    page("import init, { Bundle } from 'onething';\nimport wasm from 'onething/wasm';", 'init({ module_or_path: wasm })'),
  );
  run(join(BIN, 'esbuild'), [
    join(esbuildSrc, 'main.js'), '--bundle', '--format=esm', '--platform=browser', '--loader:.wasm=file',
    `--outdir=${esbuildOut}`, '--log-level=warning',
  ], project);
  writeFileSync(join(esbuildOut, 'index.html'), html);

  // Vite: the module as the asset Vite emits for the glue's `new URL(…, import.meta.url)`.
  const viteSrc = join(project, 'vite-page');
  const viteOut = join(project, 'vite-out');
  mkdirSync(viteSrc);
  writeFileSync(join(viteSrc, 'main.js'), page("import init, { Bundle } from 'onething';", 'init()'));
  writeFileSync(join(viteSrc, 'index.html'), html);
  run(join(BIN, 'vite'), ['build', viteSrc, '--outDir', viteOut, '--emptyOutDir', '--logLevel', 'warn'], project);

  for (const [name, out] of [['esbuild', esbuildOut], ['Vite', viteOut]]) {
    const emitted = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.wasm'));
    assert.equal(emitted.length, 1, `${name} emitted ${emitted.length} .wasm files`);
    assert.ok(readFileSync(join(out, String(emitted[0]))).equals(module), `${name} emitted another module than dist/web's`);
  }

  const browser = await launch();
  try {
    for (const [name, out] of [['esbuild', esbuildOut], ['Vite', viteOut]]) {
      const server = await serve({ ...routes, '/': ['text/html', readFileSync(join(out, 'index.html'), 'utf8')] }, { '/': out });
      try {
        const { result, errors } = await resultOf(browser, `${server.origin}/`);
        assert.equal(result.failed, undefined, `${name}: ${result.failed}`);
        assert.deepEqual(errors, [], name);
        assert.deepEqual(result.decision, snapshotJson(`${PAGE_FIXTURE}__decision__${caseName}`), name);
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
});
