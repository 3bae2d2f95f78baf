// The wizard's engine: the package's `Bundle` and `Wizard` behind a handful of calls that
// take and give plain data, so that the element can drive it on the main thread
// (`mainDriver`) or in a Web Worker (`workerDriver`, worker.js) alike. What the element
// needs of the bundle besides the wizard's state (the merged form, the titles of
// departments, items and data sources, the options' labels, whether tolerance is offered)
// is read once, at `open`.

import init, { Bundle, Wizard } from '../dist/web/onething_wasm.js';

/** An error as plain data (it crosses to the page from a worker): the package's `kind`,
 * `path` and `details` kept. */
export function plainError(e) {
  return { message: String(e?.message ?? e), kind: e?.kind, path: e?.path, details: e?.details };
}

/** Rebuilds an Error from `plainError`'s data. */
export function errorOf(data) {
  const e = new Error(data.message);
  for (const k of ['kind', 'path', 'details']) if (data[k] !== undefined) e[k] = data[k];
  return e;
}

const titles = (list, name = 'title') =>
  Object.fromEntries((Array.isArray(list) ? list : []).filter((x) => x && typeof x.id === 'string').map((x) => [x.id, x[name]]));

/** What the element shows besides the state, read from the compiled bundle once. */
function metaOf(bundle) {
  const packed = bundle.packed();
  const items = Array.isArray(packed.items) ? packed.items : [];
  const tolerance = Boolean(packed.acceptance?.tolerance) || items.some((i) => i?.acceptance?.tolerance);
  return {
    id: bundle.id,
    version: bundle.version,
    title: packed.title,
    form: bundle.form(),
    departments: titles(packed.departments, 'name'),
    items: titles(items),
    sources: titles(packed.sources),
    options: Object.fromEntries(Object.entries(packed.fields ?? {}).map(([k, f]) => [k, f?.options ?? {}])),
    tolerance,
  };
}

/** One bundle and one wizard over it; every method is synchronous and takes and gives
 * plain data. */
export class Engine {
  #bundle = null;
  #wizard = null;
  #date = null;

  /** Loads the module (once per realm; `wasm` is the module's URL, or nothing for the one
   * beside the package's entry). */
  static ready(wasm) {
    return init(wasm ? { module_or_path: wasm } : undefined);
  }

  /** Compiles `bundle` (packed text or object) and starts a wizard on `date`: from a draft
   * when given, else prefilled when sources are given, else empty; then, when `submission`
   * is given, with its choices, values, material statuses and commitments, one by one: what
   * the wizard refuses (an unknown or locked key, an unknown material) is listed in
   * `refused` (`{ key, kind, message }`) rather than failing the whole. */
  open({ bundle, date, prefill, draft, submission }) {
    this.close();
    this.#date = date || null;
    this.#bundle = new Bundle(bundle);
    this.#wizard = draft ? Wizard.resume(this.#bundle, draft, this.#date)
      : prefill ? Wizard.prefilled(this.#bundle, prefill, this.#date)
        : new Wizard(this.#bundle, this.#date);
    const refused = [];
    if (submission && typeof submission === 'object') {
      const attempt = (key, f) => { try { f(); } catch (e) { refused.push({ key, kind: e?.kind, message: String(e?.message ?? e) }); } };
      for (const id of submission.opt_in ?? []) attempt(id, () => this.#wizard.choose(id, true));
      for (const [k, v] of Object.entries(submission.values ?? {})) attempt(k, () => this.#wizard.set(k, v));
      for (const [k, v] of Object.entries(submission.materials ?? {})) attempt(k, () => this.#wizard.setMaterial(k, v));
      for (const c of submission.commitments ?? []) attempt(c, () => this.#wizard.commit(c, true));
      if (submission.applicant) attempt('applicant', () => this.#wizard.setApplicant(submission.applicant));
    }
    // The commitments signed so far (a draft's, a submission's): not part of the state.
    const commitments = this.#wizard.save().commitments ?? [];
    return { meta: metaOf(this.#bundle), state: this.#wizard.state(), refused, commitments };
  }

  /** The submission the answers make now (`Wizard.submit`). */
  submission() {
    return this.#wizard.submit();
  }

  /** One of the wizard's changes (`set`, `unset`, `setMaterial`, `choose`, `commit`,
   * `addRow`, `setCell`, `moveRow`, `removeRow`, `goTo`) and the state after it. */
  call(method, args) {
    if (!CHANGES.has(method)) throw Object.assign(new Error(`not a wizard change: ${method}`), { kind: 'input' });
    const result = this.#wizard[method](...args);
    return { result, state: this.#wizard.state() };
  }

  /** The draft to resume from (`Wizard.save`). */
  save() {
    return this.#wizard.save();
  }

  /** The submission, its decision on the wizard's date, and the applicant's notice in
   * `lang` as a self-contained HTML page. */
  submit(lang) {
    const submission = this.#wizard.submit();
    if (!this.#date) throw Object.assign(new Error('a decision needs the evaluation date (the `date` attribute)'), { kind: 'date' });
    const decision = this.#bundle.evaluate(submission, this.#date, { trace: false });
    return { submission, decision, notice: this.notice(lang, submission) };
  }

  /** The applicant's notice for `submission`, as HTML in `lang`. */
  notice(lang, submission) {
    return this.#bundle.renderNoticeFor('html', lang === 'en' ? 'en' : 'zh', submission, this.#date);
  }

  close() {
    this.#wizard?.free();
    this.#bundle?.free();
    this.#wizard = null;
    this.#bundle = null;
  }
}

const CHANGES = new Set(['set', 'unset', 'setMaterial', 'choose', 'commit', 'addRow', 'setCell', 'moveRow', 'removeRow', 'goTo']);

/** The engine on the page's own thread, behind the same asynchronous calls as a worker. */
export function mainDriver(wasm) {
  const engine = new Engine();
  const ready = Engine.ready(wasm);
  const run = async (f) => { await ready; return f(); };
  return {
    open: (options) => run(() => engine.open(options)),
    call: (method, args) => run(() => engine.call(method, args)),
    save: () => run(() => engine.save()),
    submission: () => run(() => engine.submission()),
    submit: (lang) => run(() => engine.submit(lang)),
    notice: (lang, submission) => run(() => engine.notice(lang, submission)),
    close: () => engine.close(),
  };
}

/** The engine in a module Web Worker (worker.js). A state crossing from the worker carries
 * only the fields that changed since the last one (unchanged ones by key): the driver
 * puts back the objects it already has, so that unchanged fields stay the same objects, as
 * on the main thread, and the element re-renders only what changed. */
export function workerDriver(wasm, url = new URL('./worker.js', import.meta.url)) {
  const worker = new Worker(url, { type: 'module' });
  const waiting = new Map();
  const fields = new Map();
  let next = 0;
  worker.onmessage = ({ data }) => {
    const p = waiting.get(data.id);
    if (!p) return;
    waiting.delete(data.id);
    if (data.error) p.reject(errorOf(data.error));
    else p.resolve(data.value);
  };
  worker.onerror = (e) => {
    for (const p of waiting.values()) p.reject(new Error(`worker: ${e.message}`));
    waiting.clear();
  };
  const send = (op, args) => new Promise((resolve, reject) => {
    next += 1;
    waiting.set(next, { resolve, reject });
    worker.postMessage({ id: next, op, args });
  });
  const restore = (state) => {
    for (const step of state.steps) {
      step.fields = step.fields.map((f) => {
        if (typeof f === 'string') return fields.get(f);
        Object.freeze(f);
        fields.set(f.key, f);
        return f;
      });
    }
    return state;
  };
  const withState = async (op, args) => {
    const answer = await send(op, args);
    answer.state = restore(answer.state);
    return answer;
  };
  send('ready', [wasm ? String(wasm) : null]);
  return {
    open: (options) => { fields.clear(); return withState('open', [options]); },
    call: (method, args) => withState('call', [method, args]),
    save: () => send('save', []),
    submission: () => send('submission', []),
    submit: (lang) => send('submit', [lang]),
    notice: (lang, submission) => send('notice', [lang, submission]),
    close: () => worker.terminate(),
  };
}
