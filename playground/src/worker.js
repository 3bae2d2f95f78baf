// The Web Worker: every call into the package runs here, so typing never waits for it.
// A request carries the whole state ({ id, files, submission, date, lang }); the answer
// carries every output, or the errors located in the file they belong to, and the bundle's
// compile warnings, and, when the bundle changed, the packed bundle (`packed`, with its
// `packedKey`) for the page's wizard element, which runs its own wizard. After the answer, the bundle's own cases (decisions/, tests/ and
// fixture.json among the files) run with rule coverage, unless a newer request comes first:
// their report follows as a second message ({ id, tests } or { id, testsError }).

import init, { Bundle } from './pkg/onething_wasm.js';
import { FileError, parseJson } from './json.js';
import { bundlePosition, problemPlace } from './locate.js';

const ready = init();

// The last compiled bundle, reused while only the submission, date or language change.
let cached = { key: null, bundle: null, error: null };

/** A thrown error as plain data for the page: { file, line, column, message, kind, path }. */
function plain(e, fallbackFile) {
  if (e instanceof FileError) return [{ file: e.file, line: e.line, column: e.column, message: e.message }];
  return [{ file: fallbackFile, line: e.line, column: e.column, message: String(e.message ?? e), kind: e.kind, path: e.path }];
}

/** The bundle's compile warnings, placed in bundle.json by their pointer where they have one. */
function warningsOf(bundle, files) {
  return bundle.warnings().map((w) => {
    const pos = bundlePosition(files, w.pointer);
    return { file: 'bundle.json', line: pos?.line, column: pos?.column, message: `${w.at}: ${w.message}`, severity: 'warning' };
  });
}

/** A failure of `Bundle.fromFiles` as the page's errors, each placed in its file (`problemPlace`). */
function located(e, files) {
  const problems = e.details?.problems;
  if (e.kind !== 'compile' || !Array.isArray(problems) || !problems.length) {
    return plain(e, files[e.file] !== undefined ? e.file : 'bundle.json');
  }
  return problems.map((p) => {
    const text = p.message ?? Object.entries(p).filter(([k]) => k !== 'origin' && k !== 'bundle_pointer')
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
    return { ...problemPlace(p, files), message: `${p.at ? `${p.at}: ` : ''}${text}`, kind: e.kind };
  });
}

/** The files of the bundle's own cases: `decisions/*.json`, `tests/*.json`, `fixture.json`. */
const isCaseFile = (name) => /^(decisions|tests)\//.test(name) || name === 'fixture.json';

/** The bundle directory without its cases: what `Bundle.fromFiles` compiles. */
const bundleFilesOf = (files) => Object.fromEntries(Object.entries(files).filter(([n]) => !isCaseFile(n)));

function compile(files) {
  const key = JSON.stringify(files);
  if (cached.key === key) return cached;
  cached.bundle?.free();
  cached = { key, bundle: null, error: null, packed: null, warnings: [], serial: (cached.serial ?? 0) + 1, sentPacked: null };
  try {
    cached.bundle = Bundle.fromFiles(files);
    cached.packed = cached.bundle.packed();
    cached.warnings = warningsOf(cached.bundle, files);
  } catch (e) {
    cached.error = located(e, files);
  }
  return cached;
}

function run({ files: all, submission: text, date, lang }) {
  const files = bundleFilesOf(all);
  const { bundle, error, packed, warnings } = compile(files);
  const out = { errors: [], warnings };
  if (error) out.errors.push(...error);
  let submission;
  try {
    submission = parseJson('submission', text);
    if (!submission || typeof submission !== 'object' || Array.isArray(submission)) {
      throw new FileError('submission', 'the submission must be a JSON object', 1, 1);
    }
  } catch (e) {
    out.errors.push(...plain(e, 'submission'));
  }
  if (packed && typeof packed === 'object') {
    // The packed bundle for the page's wizard element, sent when it changed.
    if (cached.sentPacked !== cached.key) { out.packed = packed; cached.sentPacked = cached.key; }
    out.packedKey = cached.serial;
    out.departments = Object.fromEntries((packed.departments ?? []).map((d) => [d.id, d.name]));
    out.items = Object.fromEntries((packed.items ?? []).map((i) => [i.id, i.title]));
    out.options = Object.fromEntries(Object.entries(packed.fields ?? {}).map(([k, f]) => [k, f?.options ?? {}]));
  }
  if (!bundle) return out;
  const attempt = (name, f, file = 'submission') => {
    try {
      out[name] = f();
    } catch (e) {
      out[`${name}Error`] = { message: e.message, kind: e.kind, path: e.path, details: e.details };
      if (e.kind === 'date') out.errors.push({ file: 'date', message: e.message });
      else if (file && e.kind !== 'invalid') out.errors.push(...plain(e, file));
    }
  };
  attempt('form', () => bundle.form(), null);
  attempt('plan', () => bundle.plan(), null);
  attempt('mermaid', () => bundle.renderPlan('mermaid', lang), null);
  if (!submission) return out;
  attempt('decision', () => bundle.evaluate(submission, date));
  if (out.decisionError) return out;
  attempt('noticeHtml', () => bundle.renderNoticeFor('html', lang, submission, date), null);
  attempt('dispatch', () => bundle.dispatch(submission, date), null);
  const applicable = out.decision.items.filter((i) => i.outcome !== 'not_applicable').map((i) => i.item);
  attempt('plan', () => bundle.planFor(applicable), null);
  attempt('mermaid', () => bundle.renderPlanFor('mermaid', lang, applicable), null);
  return out;
}

/** Runs the cases among `files` on the compiled bundle: the report with coverage, or the case
 * files' problems placed in their files. Cases are dated by fixture.json; without one, by the
 * page's date. */
function runTests({ id, files, date }) {
  // The package's size-limited browser module leaves `test` out (bindings/js/scripts/
  // build.mjs); the playground is built on the module that keeps it (scripts/build.mjs), but
  // a page built on the other would say so rather than fail.
  if (typeof Bundle.prototype.test !== 'function') return { id, unavailable: true };
  const cases = Object.fromEntries(Object.entries(files).filter(([n]) => isCaseFile(n)));
  // A bundle that does not compile has no cases to run: the page keeps the last report, dimmed.
  if (!cached.bundle) return { id, stale: true };
  if (!Object.keys(cases).length) return { id, tests: null };
  try {
    const options = { coverage: true, ...(cases['fixture.json'] === undefined && date ? { date } : {}) };
    return { id, tests: cached.bundle.test(cases, options) };
  } catch (e) {
    const list = e.kind === 'cases' && Array.isArray(e.details?.errors) ? e.details.errors : [e];
    const errors = list.map((x) => ({
      file: files[x.path ?? x.file] !== undefined ? (x.path ?? x.file) : 'bundle.json',
      line: x.line, column: x.column, message: `${x.at ? `${x.at}: ` : ''}${x.message ?? x}`, kind: x.kind,
    }));
    return { id, testsError: { message: e.message, kind: e.kind, errors } };
  }
}

let testsTimer = null;

self.onmessage = async ({ data }) => {
  await ready;
  clearTimeout(testsTimer);
  let result;
  try {
    result = run(data);
  } catch (e) {
    // Nothing should get here; if it does, the page still shows it.
    result = { errors: [{ file: 'bundle.json', message: `internal: ${e?.stack ?? e}` }] };
  }
  self.postMessage({ id: data.id, ...result });
  // Later, so that typing is answered first: a newer request cancels this run.
  testsTimer = setTimeout(() => {
    let answer;
    try {
      answer = runTests(data);
    } catch (e) {
      answer = { id: data.id, testsError: { message: `internal: ${e?.stack ?? e}`, errors: [] } };
    }
    self.postMessage({ kind: 'tests', ...answer });
  }, 60);
};
