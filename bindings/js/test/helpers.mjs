// Shared by the tests: the fixture bundles under fixtures/, packed by the native CLI, and
// the native library's expected outputs.
//
// Expected outputs are the insta snapshots under core/tests/snapshots/ — what the native
// library produces for every fixture, reviewed by hand once and kept fresh by `cargo test`
// (which fails when one changes). A snapshot is a YAML-ish header between `---` lines, then
// the JSON (or text) body. Where no snapshot covers a fixture file (the reports under
// `results/`), the native CLI's `--json` output is the reference. Packing a bundle directory
// is the native loader's job (`onething pack`): the tests run the CLI once per fixture
// rather than re-implement it.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
const SNAPSHOTS = join(ROOT, 'core', 'tests', 'snapshots');

/** Every fixture bundle directory's name, sorted. */
export function fixtures() {
  return readdirSync(FIXTURES)
    .filter((d) => existsSync(join(FIXTURES, d, 'bundle.json')))
    .sort();
}

/** What the native CLI prints (`cargo run -p onething-cli -- <args>`), as text. */
export function cli(...args) {
  return execFileSync('cargo', ['run', '--quiet', '--locked', '-p', 'onething-cli', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const packed = new Map();
/** The packed bundle of a fixture, as JSON text (`onething pack`, run once per fixture). */
export function packedText(name) {
  if (!packed.has(name)) packed.set(name, cli('pack', join(FIXTURES, name)));
  return packed.get(name);
}

/** A fixture's bundle directory as `Bundle.fromFiles` takes it: `bundle.json`, the schemas
 * and scripts it names, by name relative to the directory. */
export function bundleFiles(name) {
  const dir = join(FIXTURES, name);
  const manifest = readFileSync(join(dir, 'bundle.json'), 'utf8');
  const named = new Set([...manifest.matchAll(/"(?:schema|file)":\s*"([^"]+)"/g)].map((m) => m[1]));
  return Object.fromEntries([['bundle.json', manifest], ...[...named].map((f) => [f, readFileSync(join(dir, f), 'utf8')])]);
}

/** A fixture file parsed. */
export function readJson(...parts) {
  return JSON.parse(readFileSync(join(FIXTURES, ...parts), 'utf8'));
}

/** The JSON files of a fixture's folder (`submissions`, `decisions`), by stem, sorted. A
 * case's `expect` and `date` (`onething test` reads them) are left out: what is left is the
 * submission. */
export function jsonFiles(name, folder) {
  const dir = join(FIXTURES, name, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.slice(0, -'.json'.length), submissionText(readFileSync(join(dir, f), 'utf8'))]);
}

/** A case file's text without `expect` and `date`; any other file's as it is. */
export function submissionText(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (value === null || typeof value !== 'object' || !('expect' in value || 'date' in value)) return text;
  const { expect: _expect, date: _date, ...submission } = value;
  return `${JSON.stringify(submission, null, 2)}\n`;
}

/** `fixture.json`: the evaluation date, the source documents by source id, and the date of
 * one decision case (`dateOf(stem)`: its own, in `decision_dates`, or the fixture's). */
export function meta(name) {
  const m = readJson(name, 'fixture.json');
  const documents = Object.fromEntries(
    Object.entries(m.sources ?? {}).map(([id, file]) => [id, readJson(name, file)]),
  );
  // A decision case may be evaluated on a date of its own (`decision_dates`).
  const dateOf = (stem) => m.decision_dates?.[stem] ?? m.evaluation_date;
  return { date: m.evaluation_date, documents, dateOf };
}

/** The body of a snapshot, or undefined when the native suite has none of that name. */
export function snapshotText(name) {
  const file = join(SNAPSHOTS, `${name}.snap`);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const m = text.match(/^---\n[\s\S]*?\n---\n([\s\S]*)$/);
  if (!m) throw new Error(`${file}: not an insta snapshot`);
  return m[1].replace(/\n+$/, '');
}

/** The JSON body of a snapshot, parsed. */
export function snapshotJson(name) {
  const body = snapshotText(name);
  return body === undefined ? undefined : JSON.parse(body);
}
