// Builds the playground into dist/:
//   dist/examples.json   every fixture bundle under ../fixtures, as editable files (with its
//                        cases: decisions/, tests/, fixture.json), with its submissions,
//                        decision cases and evaluation date
//   dist/main.js         the page (CodeMirror, the UI, the package's <onething-wizard>),
//                        bundled by esbuild; the element's import of the package's module
//                        is pointed at dist/pkg (below), so that one module serves both
//   dist/worker.js       the Web Worker that runs the package
//   dist/pkg/            the package's module with wasm-bindgen's web glue: the speed-optimised
//                        build (the one dist/node is made from), which keeps `test` and
//                        `diff`; the size-limited browser module leaves them out, and the
//                        playground is a tool for bundle authors, not a page citizens load
//   dist/index.html, dist/style.css
// Nothing is fetched from the network at run time.

import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(HERE, '..');
const FIXTURES = join(ROOT, 'fixtures');
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
// The crate as the package's Node build compiles it (profile wasm-node, default features).
const MODULE = join(TARGET, 'wasm32-unknown-unknown', 'wasm-node', 'onething_wasm.wasm');
const DIST = join(HERE, 'dist');

if (!existsSync(MODULE)) {
  console.error(`${MODULE} is missing: build the package first (cd bindings/js && npm ci && npm run build)`);
  process.exit(1);
}
mkdirSync(join(DIST, 'pkg'), { recursive: true });

/** The JSON files of a fixture folder, by stem, sorted. */
function jsonFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ name: f.slice(0, -5), text: readFileSync(join(dir, f), 'utf8') }));
}

/** A case file as a submission to load: without `expect` and `date` (the Tests panel reads
 * the files whole). */
function asSubmission(c) {
  const { expect: _expect, date: _date, ...submission } = JSON.parse(c.text);
  return _expect === undefined && _date === undefined ? c : { ...c, text: `${JSON.stringify(submission, null, 2)}\n` };
}

const examples = readdirSync(FIXTURES)
  .filter((d) => existsSync(join(FIXTURES, d, 'bundle.json')))
  .sort()
  .map((name) => {
    const dir = join(FIXTURES, name);
    const files = { 'bundle.json': readFileSync(join(dir, 'bundle.json'), 'utf8') };
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort()) {
      files[f] = readFileSync(join(dir, f), 'utf8');
    }
    if (existsSync(join(dir, 'rules'))) {
      for (const f of readdirSync(join(dir, 'rules')).filter((f) => f.endsWith('.rhai')).sort()) {
        files[`rules/${f}`] = readFileSync(join(dir, 'rules', f), 'utf8');
      }
    }
    // The bundle's own cases (`onething test`), run by the Tests panel: they stay files of the
    // bundle directory, editable beside its schemas.
    for (const folder of ['decisions', 'tests']) {
      for (const c of jsonFiles(join(dir, folder))) files[`${folder}/${c.name}.json`] = c.text;
    }
    files['fixture.json'] = readFileSync(join(dir, 'fixture.json'), 'utf8');
    const meta = JSON.parse(files['fixture.json']);
    const bundle = JSON.parse(files['bundle.json']);
    return {
      name,
      title: bundle.title,
      date: meta.evaluation_date,
      files,
      submissions: [
        ...jsonFiles(join(dir, 'submissions')).map((s) => ({ ...s, folder: 'submissions' })),
        // A decision case may be dated otherwise (`decision_dates` of fixture.json).
        ...jsonFiles(join(dir, 'decisions')).map((s) => ({ ...asSubmission(s), folder: 'decisions', date: JSON.parse(s.text).date ?? meta.decision_dates?.[s.name] })),
      ],
    };
  });
writeFileSync(join(DIST, 'examples.json'), JSON.stringify(examples));

execFileSync('wasm-bindgen', ['--target', 'web', '--no-typescript', '--remove-name-section', '--remove-producers-section', '--out-dir', join(DIST, 'pkg'), MODULE], { stdio: 'inherit' });
for (const f of ['index.html', 'style.css']) copyFileSync(join(HERE, 'src', f), join(DIST, f));

await build({
  entryPoints: { main: join(HERE, 'src', 'main.js'), worker: join(HERE, 'src', 'worker.js') },
  outdir: DIST,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  external: ['./pkg/onething_wasm.js'],
  plugins: [{
    // bindings/js/wizard imports the package's browser build (../dist/web/onething_wasm.js);
    // here it runs on the playground's module instead, which has the same API and more.
    name: 'onething-module',
    setup(b) {
      b.onResolve({ filter: /onething_wasm\.js$/ }, (args) => (args.importer.includes(join('bindings', 'js', 'wizard'))
        ? { path: './pkg/onething_wasm.js', external: true } : undefined));
    },
  }],
  logLevel: 'warning',
});
console.log(`built ${DIST} (${examples.length} examples, ${examples.reduce((n, e) => n + e.submissions.length, 0)} submissions)`);
