// The Web Worker: every call into the package runs here, so typing never waits for it.
// A request carries the whole state ({ id, files, submission, date, lang }); the answer
// carries every output, or the errors located in the file they belong to, and the bundle's
// compile warnings.

import init, { Bundle, Wizard } from './pkg/onething_wasm.js';
import { FileError, pack, parseJson } from './pack.js';
import { pointerPosition } from './locate.js';

const ready = init();

// The last compiled bundle, reused while only the submission, date or language change.
let cached = { key: null, bundle: null, error: null };

/** Which file an error's `path` ("item `x`, material `y`, required_if") points into. */
function locate(at, origins, rule) {
  if (!at) return undefined;
  const quoted = [...at.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
  let best;
  let bestScore = -1;
  for (const o of origins) {
    let score = 0;
    for (const q of quoted) if (o.names.includes(q)) score += 2;
    if (o.item && !quoted.includes(o.item)) continue;
    if (!o.item && /^item /.test(at)) continue;
    if (at.includes(o.kind)) score += 1;
    if (o.rule && at.includes(o.rule)) score += 1;
    if (rule && o.rule === rule) score += 3;
    if (score > bestScore) [best, bestScore] = [o, score];
  }
  return best?.file;
}

/** Origins as a list: for each inlined script, its file and the names around it. */
function describe(packed, originMap) {
  const list = [];
  for (const [path, file] of Object.entries(originMap)) {
    const m = /^items\[(\d+)\]\.?(.*)$/.exec(path);
    const item = m ? packed.items[Number(m[1])] : undefined;
    const rest = m ? m[2] : path;
    const names = [];
    let rule;
    const mat = /^materials\[(\d+)\]/.exec(rest);
    if (mat) names.push(item.materials[Number(mat[1])].id);
    const el = /^eligibility\[(\d+)\]/.exec(rest);
    if (el) rule = item.eligibility[Number(el[1])].id;
    const br = /^rules\[(\d+)\]/.exec(path);
    if (br) rule = packed.rules[Number(br[1])].id;
    const dv = /^derive\[(\d+)\]/.exec(path);
    if (dv) names.push(packed.derive[Number(dv[1])].key);
    const fv = /^fields\.(.*)\.visible_if$/.exec(path);
    if (fv) names.push(fv[1]);
    if (rule) names.push(rule);
    const kind = rest.includes('required_if') ? 'required_if' : rest.includes('applies_if') ? 'applies_if'
      : rest.includes('visible_if') ? 'visible_if' : path.includes('policy') ? 'policy' : dv ? 'derive' : 'eligibility';
    list.push({ file, item: item?.id, names, rule, kind });
  }
  return list;
}

/** A thrown error as plain data for the page: { file, line, column, message, kind, path }. */
function plain(e, fallbackFile) {
  if (e instanceof FileError) return [{ file: e.file, line: e.line, column: e.column, message: e.message }];
  return [{ file: fallbackFile, line: e.line, column: e.column, message: String(e.message ?? e), kind: e.kind, path: e.path }];
}

/** Where an item's field map entry is in bundle.json (a `field_map` problem names both). */
function fieldMapPosition(text, item, pointer) {
  try {
    const index = JSON.parse(text).items.findIndex((i) => i.id === item);
    const escape = (t) => t.replace(/~/g, '~0').replace(/\//g, '~1');
    return index < 0 ? undefined : pointerPosition(text, `/items/${index}/field_map/${escape(pointer)}`);
  } catch {
    return undefined;
  }
}

/** Where a compile warning's place (``field dictionary `k` ``, ``item `x` ``…) is in bundle.json. */
function warningPosition(text, packed, at) {
  const [, what, name] = /^(field dictionary|field|item|material) `(.*)`$/.exec(at) ?? [];
  const escape = (t) => t.replace(/~/g, '~0').replace(/\//g, '~1');
  const items = packed.items ?? [];
  let pointer;
  if ((what === 'field dictionary' || what === 'field') && packed.fields?.[name] !== undefined) {
    pointer = `/fields/${escape(name)}`;
  } else if (what === 'item') {
    const i = items.findIndex((item) => item.id === name);
    if (i >= 0) pointer = `/items/${i}`;
  } else if (what === 'material') {
    const i = items.findIndex((item) => (item.materials ?? []).some((m) => m.id === name));
    if (i >= 0) pointer = `/items/${i}/materials/${items[i].materials.findIndex((m) => m.id === name)}`;
  }
  return pointer === undefined ? undefined : pointerPosition(text, pointer);
}

/** The bundle's compile warnings, placed in bundle.json where their place can be found. */
function warningsOf(bundle, packed, files) {
  return bundle.warnings().map((w) => {
    const pos = warningPosition(files['bundle.json'] ?? '', packed, w.at);
    return { file: 'bundle.json', line: pos?.line, column: pos?.column, message: `${w.at}: ${w.message}`, severity: 'warning' };
  });
}

function compile(files) {
  const key = JSON.stringify(files);
  if (cached.key === key) return cached;
  cached.bundle?.free();
  cached = { key, bundle: null, error: null, packed: null, warnings: [] };
  try {
    const { packed, origins } = pack(files);
    cached.packed = packed;
    try {
      cached.bundle = new Bundle(packed);
      cached.warnings = warningsOf(cached.bundle, packed, files);
    } catch (e) {
      const where = describe(packed, origins);
      const problems = e.details?.problems;
      if (Array.isArray(problems) && problems.length) {
        cached.error = problems.map((p) => {
          const file = p.line ? locate(p.at, where, p.rule) : undefined;
          // A problem in a department schema names its document.
          const doc = p.origin?.document;
          const inDoc = !file && doc && files[doc] !== undefined;
          const inFile = file ?? (inDoc ? doc : 'bundle.json');
          // …and the place in it: its JSON Pointer, found in the document's text.
          const pos = inDoc && typeof p.pointer === 'string' ? pointerPosition(files[doc], p.pointer)
            : !file && p.kind === 'field_map' ? fieldMapPosition(files['bundle.json'], p.item, p.pointer) : undefined;
          const text = p.message ?? Object.entries(p).filter(([k]) => k !== 'origin')
            .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
          return { file: inFile, line: file ? p.line : pos?.line, column: file ? p.column : pos?.column,
            message: `${p.at ? `${p.at}: ` : ''}${text}`, kind: e.kind };
        });
      } else {
        cached.error = plain(e, 'bundle.json');
      }
    }
  } catch (e) {
    cached.error = plain(e, 'bundle.json');
  }
  return cached;
}

/** Runs the wizard over the submission's answers: the state to render, and the keys it refused. */
function wizardState(bundle, submission, date) {
  const w = new Wizard(bundle, date);
  const refused = [];
  try {
    for (const id of submission.opt_in ?? []) try { w.choose(id, true); } catch (e) { refused.push({ key: id, message: e.message }); }
    for (const [k, v] of Object.entries(submission.values ?? {})) {
      try { w.set(k, v); } catch (e) { refused.push({ key: k, message: e.message }); }
    }
    for (const [k, v] of Object.entries(submission.materials ?? {})) {
      try { w.setMaterial(k, v); } catch (e) { refused.push({ key: k, message: e.message }); }
    }
    return { state: w.state(), refused };
  } finally {
    w.free();
  }
}

function run({ files, submission: text, date, lang }) {
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
  attempt('wizard', () => wizardState(bundle, submission, date), null);
  attempt('noticeHtml', () => bundle.renderNoticeFor('html', lang, submission, date), null);
  attempt('dispatch', () => bundle.dispatch(submission, date), null);
  const applicable = out.decision.items.filter((i) => i.outcome !== 'not_applicable').map((i) => i.item);
  attempt('plan', () => bundle.planFor(applicable), null);
  attempt('mermaid', () => bundle.renderPlanFor('mermaid', lang, applicable), null);
  return out;
}

self.onmessage = async ({ data }) => {
  await ready;
  let result;
  try {
    result = run(data);
  } catch (e) {
    // Nothing should get here; if it does, the page still shows it.
    result = { errors: [{ file: 'bundle.json', message: `internal: ${e?.stack ?? e}` }] };
  }
  self.postMessage({ id: data.id, ...result });
};
