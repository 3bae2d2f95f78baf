// `<onething-wizard>`: a drop-in Web Component drawing the package's headless `Wizard`
// (issue #23), so that a team embedding one application form gets steps, every field kind,
// errors at the field, materials, and the decision with its one-time notice without writing
// a renderer. It works in any framework or none: properties and attributes in, DOM events
// out, everything inside a shadow root (no global CSS), restyled through CSS custom
// properties and `::part()`.
//
// Bundle text is untrusted: it only ever reaches the DOM through `textContent`, attribute
// values and `srcdoc` of a sandboxed frame (the notice, rendered by the library). Only
// fields whose state object changed are re-rendered (`Wizard.state()` keeps unchanged ones
// identical), so a keystroke costs one field's update. Values typed with an input method
// (pinyin) are pushed only when the composition ends; full-width digits in codes and
// numbers are normalised; ID numbers are checked as typed (input.js).

import { CSS } from './style.js';
import { label } from './labels.js';
import { halfWidth, idNumberInfo, isDigitField, normaliseCode, parseNumber } from './input.js';
import { mainDriver, workerDriver } from './engine.js';

/** Enumerations with at most this many options are radio buttons; longer ones a select. */
export const RADIO_MAX = 6;

const STATUSES = ['provided', 'shared', 'missing', 'committed'];

let uid = 0;
const newId = (what) => `ot-${what}-${(uid += 1)}`;

/** `document.createElement` with attributes, properties and children; text only as text. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'disabled') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const same = (a, b) => a === b || JSON.stringify(a) === JSON.stringify(b);

export class OnethingWizard extends HTMLElement {
  static observedAttributes = ['src', 'date', 'lang', 'worker', 'wasm'];

  #root;
  #bundle = null;     // packed bundle (text or object) set as a property
  #prefill = null;
  #draft = null;
  #initial = null;
  #refused = [];
  #driver = null;
  #meta = null;
  #state = null;
  #page = null;        // the current page's key: optional, step:<id>, materials, decision
  #pageSig = '';       // what the page was built from; a different one rebuilds it
  #views = new Map();  // field key → its view on the current page
  #touched = new Set();
  #attempted = new Set(); // pages the applicant tried to leave with errors
  #chain = Promise.resolve();
  #loadQueued = false;
  #result = null;      // { submission, decision, notice } after submitting
  #dom = {};

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open', delegatesFocus: false });
    const style = document.createElement('style');
    style.textContent = CSS;
    this.#root.append(style);
  }

  // ---- Inputs -------------------------------------------------------------------------

  /** The packed bundle, as JSON text or an object (else the `src` attribute's URL). */
  get bundle() { return this.#bundle; }
  set bundle(v) { this.#bundle = v; this.#queueLoad(); }
  /** Data for a prefill (`PrefillSources`): the wizard starts from `Wizard.prefilled`. */
  get prefill() { return this.#prefill; }
  set prefill(v) { this.#prefill = v; this.#queueLoad(); }
  /** A saved draft (`Wizard.save()`, also `save()` here) to resume. */
  get draft() { return this.#draft; }
  set draft(v) { this.#draft = v; this.#queueLoad(); }
  /** A submission to start from: its choices, values, material statuses and commitments
   * are given to the wizard one by one; what it refuses is in `refused`. */
  get initial() { return this.#initial; }
  set initial(v) { this.#initial = v; this.#queueLoad(); }
  /** What the wizard refused of `initial`: `{ key, kind, message }` each. */
  get refused() { return this.#refused; }
  get date() { return this.getAttribute('date') ?? ''; }
  set date(v) { this.setAttribute('date', v); }
  get src() { return this.getAttribute('src') ?? ''; }
  set src(v) { this.setAttribute('src', v); }
  get worker() { return this.hasAttribute('worker'); }
  set worker(v) { this.toggleAttribute('worker', Boolean(v)); }
  get wasm() { return this.getAttribute('wasm') ?? ''; }
  set wasm(v) { this.setAttribute('wasm', v); }

  /** The wizard's latest state (`WizardState`), or null before the bundle is loaded. */
  get state() { return this.#state; }
  /** The submission and decision after `submit`, else null. */
  get result() { return this.#result; }
  /** Resolves when every change made so far has reached the wizard and the view. */
  get settled() { return this.#chain; }
  /** The UI language: `zh` or `en`, from the `lang` attribute. */
  get #lang() { return this.getAttribute('lang')?.toLowerCase().startsWith('en') ? 'en' : 'zh'; }

  attributeChangedCallback(name, old, now) {
    if (old === now) return;
    if (name === 'lang') { if (this.#meta) this.#relabel(); return; }
    if (name === 'date' && this.#driver && this.#meta) { this.#reopenOnDate(); return; }
    this.#queueLoad(name === 'worker' || name === 'wasm');
  }

  connectedCallback() { this.#queueLoad(); }

  // Leaving the DOM keeps the wizard (moving the element keeps its answers); `close()`
  // frees it.

  /** Frees the wizard and its worker. */
  close() {
    this.#driver?.close();
    this.#driver = null;
    this.#meta = null;
  }

  /** The answers as a draft to resume later (`Wizard.save`). */
  save() { return this.#enqueue(() => this.#driver.save()); }

  /** The submission the answers make now (`Wizard.submit`), without deciding on it. */
  submission() { return this.#enqueue(() => this.#driver.submission()); }

  // ---- Loading ------------------------------------------------------------------------

  #queueLoad(newDriver = false) {
    if (newDriver) this.close();
    if (this.#loadQueued) return;
    this.#loadQueued = true;
    queueMicrotask(() => { this.#loadQueued = false; if (this.isConnected) this.#enqueue(() => this.#load()); });
  }

  #enqueue(task) {
    const run = this.#chain.then(task).catch((e) => this.#fail(e));
    this.#chain = run.then(() => undefined);
    return run;
  }

  async #load() {
    let bundle = this.#bundle;
    if (bundle === null || bundle === undefined) {
      if (!this.src) return;
      const res = await fetch(this.src);
      if (!res.ok) throw Object.assign(new Error(`${this.src}: HTTP ${res.status}`), { kind: 'io' });
      bundle = await res.text();
    }
    this.#driver ??= (this.worker ? workerDriver : mainDriver)(this.wasm ? new URL(this.wasm, document.baseURI).href : undefined);
    const { meta, state, refused, commitments } = await this.#driver.open({
      bundle, date: this.date || null, prefill: this.#prefill, draft: this.#draft, submission: this.#initial,
    });
    this.#meta = meta;
    this.#refused = refused ?? [];
    this.#commitments = commitments ?? [];
    this.#touched.clear();
    // Values the wizard starts with (a draft, a prefill, a submission) show their errors at
    // once: nobody is typing them.
    for (const step of state.steps) for (const f of step.fields) if (f.value !== undefined) this.#touched.add(f.key);
    this.#attempted.clear();
    this.#result = null;
    this.#pageSig = '';   // the page is drawn anew (the same page, when it still exists)
    this.#build();
    this.#apply(state);
    this.dispatchEvent(new CustomEvent('ready', { detail: { state }, bubbles: true, composed: true }));
  }

  /** A new date: the same answers, decided on the new date. */
  #reopenOnDate() {
    this.#enqueue(async () => {
      const draft = await this.#driver.save();
      const { state } = await this.#driver.open({ bundle: this.#bundle ?? await (await fetch(this.src)).text(), date: this.date || null, draft, submission: this.#initial && !draft ? this.#initial : null });
      this.#result = null;
      this.#apply(state);
    });
  }

  #fail(e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (this.#dom.alert) this.#dom.alert.textContent = `${label(this.#lang, 'failed')}${error.message}`;
    // Not bubbling, as the platform's own `error` events (a window listener would take it
    // for a script error).
    this.dispatchEvent(new CustomEvent('error', { detail: { error } }));
  }

  // ---- Changes ------------------------------------------------------------------------

  /** Sends one change to the wizard, then shows the new state and tells the host. */
  #change(method, args, detail, after) {
    return this.#enqueue(async () => {
      const { result, state } = await this.#driver.call(method, args);
      // A decision on earlier answers is no longer the decision.
      if (this.#result && method !== 'goTo') this.#result = null;
      this.#apply(state);
      after?.(result);
      this.dispatchEvent(new CustomEvent('change', { detail: { ...detail, state }, bubbles: true, composed: true }));
      return result;
    });
  }

  #set(key, value) {
    return isEmpty(value) ? this.#change('unset', [key], { key, value: undefined }) : this.#change('set', [key, value], { key, value });
  }

  // ---- The frame: title, steps, progress, page, navigation ------------------------------

  #build() {
    for (const el of [...this.#root.childNodes]) if (el.localName !== 'style') el.remove();
    const lang = this.#lang;
    const d = (this.#dom = {});
    d.title = h('h2', { part: 'title', id: newId('title') });
    d.steps = h('ol', { class: 'steps', part: 'steps' });
    d.stepsNav = h('nav', { 'aria-label': label(lang, 'steps') }, d.steps);
    d.progressLabel = h('span', { class: 'hint', id: newId('progress') });
    d.progressBar = h('progress', { max: 1, value: 0, 'aria-labelledby': d.progressLabel.id });
    d.progress = h('div', { class: 'progress', part: 'progress' }, d.progressBar, d.progressLabel);
    d.alert = h('div', { class: 'summary', part: 'error-summary', role: 'alert', tabindex: '-1' });
    d.status = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
    d.warnings = h('div', { class: 'warnings', part: 'warnings', role: 'status', hidden: true });
    d.pageTitle = h('h3', { tabindex: '-1', part: 'step-title' });
    d.body = h('div', { class: 'body' });
    d.previous = h('button', { type: 'button', class: 'action', part: 'button previous', onclick: () => this.#go(-1) });
    d.next = h('button', { type: 'button', class: 'action primary', part: 'button next', onclick: () => this.#go(1) });
    d.nav = h('div', { class: 'nav', part: 'nav' }, d.previous, d.next);
    d.page = h('section', { part: 'page', 'aria-labelledby': newId('page') }, d.pageTitle, d.body);
    d.pageTitle.id = d.page.getAttribute('aria-labelledby');
    d.wizard = h('div', { class: 'wizard', part: 'wizard' }, d.title, d.stepsNav, d.progress, d.status, d.alert, d.warnings, d.page, d.nav);
    this.#root.append(d.wizard);
  }

  /** The pages: the optional services (when there are), the visible steps, the materials,
   * and after submitting, the decision. */
  #pages() {
    const s = this.#state;
    const pages = [];
    if (s.optional?.length) pages.push({ key: 'optional', title: { zh: label('zh', 'optionalStep'), en: label('en', 'optionalStep') } });
    s.steps.forEach((step, index) => { if (step.visible) pages.push({ key: `step:${step.id}`, step, index, title: step.title }); });
    pages.push({ key: 'materials', title: { zh: label('zh', 'materials'), en: label('en', 'materials') } });
    if (this.#result) pages.push({ key: 'decision', title: { zh: label('zh', 'decision'), en: label('en', 'decision') } });
    return pages;
  }

  #tx(text) {
    if (text === null || text === undefined) return '';
    if (typeof text !== 'object') return String(text);
    return String(text[this.#lang] ?? text.zh ?? text.en ?? '');
  }

  /** Shows a new state: the frame always, the page rebuilt when what it shows changed,
   * else only the fields whose objects changed. */
  #apply(state) {
    this.#state = state;
    const pages = this.#pages();
    if (!pages.some((p) => p.key === this.#page)) this.#page = pages[0].key;
    this.#frame(pages);
    const sig = this.#signature(pages.find((p) => p.key === this.#page));
    if (sig !== this.#pageSig) this.#renderPage(pages);
    else this.#updateViews();
  }

  #signature(page) {
    const s = this.#state;
    if (page.key.startsWith('step:')) {
      return `${page.key}|${page.step.fields.filter((f) => f.visible).map((f) => f.key).join('\u0000')}`;
    }
    if (page.key === 'optional') return `optional|${s.optional.map((o) => o.id).join('\u0000')}`;
    if (page.key === 'materials') return `materials|${s.materials.map((m) => m.id).join('\u0000')}`;
    return `decision|${this.#result ? 1 : 0}`;
  }

  #frame(pages) {
    const d = this.#dom;
    const lang = this.#lang;
    const s = this.#state;
    d.title.textContent = this.#tx(this.#meta.title) || this.#meta.id;
    const index = pages.findIndex((p) => p.key === this.#page);
    // The step list, rebuilt only when the pages or the current one change.
    const stepsSig = `${lang}|${index}|${pages.map((p) => `${p.key}:${p.step?.complete ? 1 : 0}`).join(',')}`;
    if (d.steps.dataset.sig !== stepsSig) {
      d.steps.dataset.sig = stepsSig;
      d.steps.replaceChildren(...pages.map((p, i) => h('li', {},
        h('button', {
          type: 'button', part: i === index ? 'step step-current' : 'step',
          class: p.step?.complete ? 'done' : '',
          'aria-current': i === index ? 'step' : false,
          onclick: () => this.#goToPage(p.key),
          text: `${i + 1}. ${this.#tx(p.title)}`,
        }, p.step?.complete ? h('span', { class: 'sr-only', text: lang === 'en' ? ' (complete)' : '（已完成）' }) : null))));
    }
    d.stepsNav.setAttribute('aria-label', label(lang, 'steps'));
    const { filled, required } = s.progress;
    d.progressBar.max = Math.max(required, 1);
    d.progressBar.value = required ? filled : 1;
    d.progressLabel.textContent = `${label(lang, 'stepOf', index + 1, pages.length)} · ${label(lang, 'filled', filled, required)}`;
    const warn = [...(s.warnings ?? []).map((w) => w.message), ...(s.errors ?? []).map((e) => e.message)];
    d.warnings.hidden = warn.length === 0;
    d.warnings.replaceChildren(...(warn.length ? [h('strong', { text: label(lang, 'warnings') }), h('ul', {}, warn.map((m) => h('li', { text: this.#tx(m) })))] : []));
    d.previous.textContent = label(lang, this.#page === 'decision' ? 'edit' : 'previous');
    d.previous.disabled = index === 0;
    const last = this.#page === 'materials';
    d.next.hidden = this.#page === 'decision';
    d.next.textContent = label(lang, last ? 'submit' : 'next');
    d.next.setAttribute('part', last ? 'button submit' : 'button next');
  }

  /** Live language switch: every text redrawn from the state; values stay in the wizard. */
  #relabel() {
    this.#enqueue(async () => {
      if (this.#result && this.#page === 'decision') {
        this.#result = { ...this.#result, notice: await this.#driver.notice(this.#lang, this.#result.submission) };
      }
      this.#dom.steps.dataset.sig = '';
      const pages = this.#pages();
      this.#frame(pages);
      this.#renderPage(pages);
    });
  }

  // ---- Navigation ---------------------------------------------------------------------

  #go(delta) {
    const pages = this.#pages();
    const index = pages.findIndex((p) => p.key === this.#page);
    if (delta > 0) {
      this.#enqueue(async () => {
        if (!this.#checkPage()) return;
        if (this.#page === 'materials') { await this.#submit(); return; }
        await this.#show(pages[index + 1]?.key);
      });
    } else if (this.#page === 'decision') {
      this.#enqueue(() => this.#show('materials'));
    } else {
      this.#enqueue(() => this.#show(pages[index - 1]?.key));
    }
  }

  #goToPage(key) { this.#enqueue(() => this.#show(key)); }

  async #show(key) {
    if (!key) return;
    this.#page = key;
    const pages = this.#pages();
    const page = pages.find((p) => p.key === key);
    if (page?.step) {
      const { state } = await this.#driver.call('goTo', [page.index]);
      this.#state = state;
    }
    this.#dom.alert.textContent = '';
    this.#frame(this.#pages());
    this.#renderPage(this.#pages());
    this.#dom.pageTitle.focus();
    this.dispatchEvent(new CustomEvent('step', {
      detail: { page: key, step: page?.step?.id ?? null, index: pages.findIndex((p) => p.key === key) },
      bubbles: true, composed: true,
    }));
  }

  /** Whether the current page may be left; if not, its errors are shown, announced, and
   * the first one focused. */
  #checkPage() {
    if (!this.#page.startsWith('step:')) {
      if (this.#page !== 'materials' || this.#state.complete) return true;
      // Submitting an incomplete form: back to the first step with something to fix.
      const bad = this.#pages().find((p) => p.step && !p.step.complete);
      if (!bad) return true;
      this.#attempted.add(bad.key);
      this.#page = bad.key;
      this.#frame(this.#pages());
      this.#renderPage(this.#pages());
      return this.#announceErrors();
    }
    this.#attempted.add(this.#page);
    this.#updateViews(true);
    return this.#announceErrors();
  }

  #announceErrors() {
    const bad = [...this.#views.values()].filter((v) => v.messages?.length);
    if (!bad.length) { this.#dom.alert.textContent = ''; return true; }
    this.#dom.alert.textContent = label(this.#lang, 'errorsOnStep', bad.length);
    bad[0].focusTarget().focus();
    return false;
  }

  async #submit() {
    const result = await this.#driver.submit(this.#lang);
    this.#result = result;
    await this.#show('decision');
    this.dispatchEvent(new CustomEvent('submit', {
      detail: { submission: result.submission, decision: result.decision }, bubbles: true, composed: true,
    }));
  }

  // ---- Pages --------------------------------------------------------------------------

  #renderPage(pages) {
    const page = pages.find((p) => p.key === this.#page);
    // Keep the focus where it was when the page is rebuilt under it (a field appearing).
    const focused = this.#root.activeElement?.dataset?.focusKey;
    this.#views.clear();
    this.#pageSig = this.#signature(page);
    const d = this.#dom;
    d.pageTitle.textContent = this.#tx(page.title);
    let body;
    if (page.step) body = page.step.fields.filter((f) => f.visible).map((f) => this.#fieldView(f).el);
    else if (page.key === 'optional') body = this.#optionalPage();
    else if (page.key === 'materials') body = this.#materialsPage();
    else body = this.#decisionPage();
    d.body.replaceChildren(...body);
    this.#updateViews();
    if (focused) this.#root.querySelector(`[data-focus-key="${CSS_escape(focused)}"]`)?.focus();
  }

  #updateViews(force = false) {
    const fields = new Map();
    for (const step of this.#state.steps) for (const f of step.fields) fields.set(f.key, f);
    for (const [key, view] of this.#views) {
      const f = fields.get(key) ?? view.field;
      if (force || f !== view.field || view.lang !== this.#lang) view.update(f);
    }
  }

  #optionalPage() {
    const lang = this.#lang;
    const boxes = this.#state.optional.map((o) => {
      const id = newId('opt');
      const box = h('input', { type: 'checkbox', id, checked: o.chosen, 'data-focus-key': `opt:${o.id}`, 'data-opt': o.id,
        onchange: (e) => this.#change('choose', [o.id, e.target.checked], { item: o.id, chosen: e.target.checked }) });
      return h('div', { class: 'choice' }, box, h('label', { for: id, text: this.#tx(o.title) }));
    });
    const view = {
      field: null, el: null, lang,
      update: () => { for (const o of this.#state.optional) { const b = this.#root.querySelector(`[data-opt="${CSS_escape(o.id)}"]`); if (b) b.checked = o.chosen; } },
    };
    this.#views.set('\u0000optional', view);
    return [h('p', { class: 'hint', text: label(lang, 'optionalHint') }),
      h('fieldset', { class: 'field', part: 'field' }, h('legend', { class: 'sr-only', text: label(lang, 'optionalStep') }), h('div', { class: 'choices' }, boxes))];
  }

  #materialsPage() {
    const lang = this.#lang;
    const out = [h('p', { class: 'hint', text: label(lang, 'materialsHint') })];
    for (const m of this.#state.materials) {
      const legendId = newId('mat');
      const name = newId('status');
      // Only the statuses this material can have: `shared` when a data source can satisfy it,
      // `committed` when a commitment may replace it (or when a loaded draft says so).
      const offered = STATUSES.filter((s) => m.status === s || (s === 'shared' ? m.sources?.length > 0
        : s === 'committed' ? m.commitment : true));
      const radios = offered.map((s) => {
        const id = newId('r');
        return h('div', { class: 'choice' },
          h('input', { type: 'radio', name, id, value: s, checked: m.status === s, 'data-material': m.id, 'data-focus-key': `mat:${m.id}:${s}`,
            onchange: () => this.#change('setMaterial', [m.id, s], { material: m.id, status: s }) }),
          h('label', { for: id, text: label(lang, `status.${s}`) }));
      });
      const items = m.items.map((i) => this.#tx(this.#meta.items[i]) || i).join('、');
      out.push(h('fieldset', { class: 'material', part: 'material', 'data-material-id': m.id },
        h('legend', { id: legendId, text: this.#tx(m.title) }),
        h('div', { role: 'radiogroup', 'aria-labelledby': legendId, class: 'choices' }, radios),
        h('p', { class: 'hint', text: `${label(lang, 'neededBy')}${items}` }),
        m.tolerable ? h('p', { class: 'hint', text: label(lang, 'tolerableHint') }) : null,
        h('slot', { name: `material-${m.id}` })));
    }
    if (this.#meta.tolerance) {
      const id = newId('tol');
      const signed = Boolean(this.#lastCommitments().includes('tolerance'));
      out.push(h('fieldset', { class: 'material', part: 'commitments' }, h('legend', { text: label(lang, 'commitments') }),
        h('div', { class: 'choice' },
          h('input', { type: 'checkbox', id, checked: signed, 'data-focus-key': 'commit:tolerance', 'data-commit': 'tolerance',
            onchange: (e) => { this.#commitments = e.target.checked ? ['tolerance'] : []; this.#change('commit', ['tolerance', e.target.checked], { commitment: 'tolerance', signed: e.target.checked }); } }),
          h('label', { for: id, text: label(lang, 'tolerance') }))));
    }
    const view = {
      field: null, el: null, lang,
      update: () => {
        for (const m of this.#state.materials) {
          for (const r of this.#root.querySelectorAll(`input[data-material="${CSS_escape(m.id)}"]`)) r.checked = m.status === r.value;
        }
      },
    };
    this.#views.set('\u0000materials', view);
    return out;
  }

  #commitments = [];
  #lastCommitments() { return this.#commitments; }

  #decisionPage() {
    const lang = this.#lang;
    const { decision, notice } = this.#result;
    const out = [h('p', { class: `outcome o-${decision.outcome}`, part: 'outcome', 'data-outcome': decision.outcome,
      text: label(lang, `outcome.${decision.outcome}`) })];
    const items = decision.items.filter((i) => i.outcome !== 'not_applicable');
    out.push(h('h4', { text: label(lang, 'items') }), h('ul', { class: 'decision' }, items.map((i) =>
      h('li', { 'data-item': i.item, text: label(lang, 'itemOutcome', this.#tx(this.#meta.items[i.item]) || i.item,
        this.#tx(this.#meta.departments[i.department]) || i.department, label(lang, `outcome.${i.outcome}`))
        + (i.supplement_by ? ` · ${label(lang, 'supplyBy', i.supplement_by)}` : '') }))));
    out.push(h('h4', { text: label(lang, 'deficiencies') }));
    out.push(decision.deficiencies.length
      ? h('ol', { class: 'decision', part: 'deficiencies' }, decision.deficiencies.map((x) =>
        h('li', { 'data-deficiency': x.id }, h('strong', { text: this.#tx(x.message) }), h('br'), h('span', { text: this.#tx(x.fix) }))))
      : h('p', { text: label(lang, 'none') }));
    if (decision.supplements.length) {
      out.push(h('h4', { text: label(lang, 'supplements') }), h('ul', { class: 'decision', part: 'supplements' }, decision.supplements.map((s) =>
        h('li', { 'data-material': s.material, text: label(lang, 'supplement', this.#tx(s.title), s.by) }))));
    }
    out.push(h('h4', { text: label(lang, 'notice') }),
      // The library's own page (its text escaped by the library); sandboxed: no scripts,
      // no navigation, no same origin.
      h('iframe', { class: 'notice', part: 'notice', sandbox: '', title: label(lang, 'notice'), srcdoc: notice }));
    this.#views.set('\u0000decision', { field: null, lang, update: () => {} });
    return out;
  }

  // ---- Fields -------------------------------------------------------------------------

  /** The view of one field: its label, control(s), help, provenance, departments, errors;
   * `update(f)` redraws it from a new field state. */
  #fieldView(f) {
    const lang = this.#lang;
    const prop = this.#meta.form?.properties?.[f.key] ?? {};
    const ids = { control: newId('c'), label: newId('l'), desc: newId('d'), err: newId('e'), info: newId('i'), src: newId('s') };
    const view = { field: f, lang, messages: [], key: f.key };
    // The required mark follows the state: a field becomes required when an item needing
    // it starts to apply.
    const star = h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' });
    const starText = h('span', { class: 'sr-only', text: `（${label(lang, 'required')}）` });
    const desc = h('div', { class: 'hint', id: ids.desc, part: 'hint' });
    const source = h('div', { class: 'source', id: ids.src, part: 'source', hidden: true });
    const err = h('div', { class: 'error', id: ids.err, part: 'error' });
    const depts = this.#departments(f.key);
    const control = this.#control(f, prop, ids, view);
    const group = control.group;
    const title = this.#tx(f.title) || f.key;
    const head = group
      ? h('legend', { id: ids.label, part: 'label' }, title, star, starText)
      : h('label', { id: ids.label, for: ids.control, part: 'label' }, title, star, starText);
    view.el = h(group ? 'fieldset' : 'div', { class: 'field', part: 'field', 'data-field': f.key },
      head, desc, control.el, control.info ?? null, source, depts, err);
    const describe = [ids.desc, ids.src, ids.err, control.info ? ids.info : null].filter(Boolean).join(' ');
    for (const c of control.describe) c.setAttribute('aria-describedby', describe);
    view.focusTarget = () => control.focusTarget();
    view.update = (next) => {
      view.field = next;
      view.lang = this.#lang;
      star.hidden = !next.required;
      starText.hidden = !next.required;
      desc.textContent = this.#tx(next.description);
      desc.hidden = !next.description;
      const p = next.provenance;
      const from = p?.from === 'source' ? label(lang, 'prefilledFrom', this.#tx(this.#meta.sources[p.source]) || p.source)
        : p?.from === 'derived' ? label(lang, 'derivedBy', p.rule) : '';
      source.textContent = from ? `${from}${next.locked ? label(lang, 'locked') : ''}` : '';
      source.hidden = !from;
      const shown = this.#touched.has(next.key) || this.#attempted.has(this.#page);
      const messages = shown ? (next.errors ?? []).map((m) => this.#tx(m.message)) : [];
      if (shown && next.missing && isEmpty(next.value)) messages.push(this.#tx(next.missing));
      view.messages = messages;
      err.textContent = messages.join(' ');
      control.update(next, shown);
      for (const c of control.describe) {
        if (messages.length && !control.cellInvalid) c.setAttribute('aria-invalid', 'true');
        else if (!control.cellInvalid) c.removeAttribute('aria-invalid');
      }
    };
    view.update(f);
    this.#views.set(f.key, view);
    return view;
  }

  #departments(key) {
    const list = this.#meta.form?.properties?.[key]?.['x-onething-sources'] ?? [];
    const ids = [...new Set(list.map((s) => s.department).filter(Boolean))];
    if (!ids.length) return null;
    return h('details', { class: 'departments', part: 'departments' },
      h('summary', { text: `${label(this.#lang, 'departments')} (${ids.length})` }),
      h('ul', {}, ids.map((d) => h('li', { text: this.#tx(this.#meta.departments[d]) || d }))));
  }

  #touch(key) { this.#touched.add(key); }

  /** The control(s) for a field of this schema: `{ el, describe, update, focusTarget, group }`. */
  #control(f, prop, ids, view) {
    if (f.list) return this.#listControl(f, prop, ids, view);
    const enumOf = Array.isArray(prop.enum) ? prop.enum : prop.type === 'boolean' ? [true, false] : null;
    if (enumOf) return enumOf.length <= RADIO_MAX ? this.#radioControl(f, enumOf, ids) : this.#selectControl(f, enumOf, ids);
    if (prop.type === 'array' && Array.isArray(prop.items?.enum)) return this.#multiControl(f, prop.items.enum, ids);
    if (prop.type === 'object' && prop.properties && typeof prop.properties === 'object') return this.#objectControl(f, prop, ids);
    if (prop.type === 'array' || prop.type === 'object') return this.#jsonControl(f, prop, ids);
    return this.#textControl(f, prop, ids, {
      key: f.key, push: (v) => this.#set(f.key, v), touch: () => this.#touch(f.key), controlId: ids.control, infoId: ids.info,
    });
  }

  #optionLabel(key, v) {
    const own = this.#meta.options?.[key]?.[String(v)];
    if (own) return this.#tx(own);
    if (v === true) return label(this.#lang, 'yes');
    if (v === false) return label(this.#lang, 'no');
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  #radioControl(f, values, ids) {
    const name = newId('radio');
    const inputs = values.map((v, i) => h('input', {
      type: 'radio', name, id: i === 0 ? ids.control : newId('r'), value: String(i), 'data-key': f.key, 'data-kind': 'radio',
      'data-json': JSON.stringify(v), 'data-focus-key': `${f.key}:${i}`,
      onchange: () => { this.#touch(f.key); this.#set(f.key, v); },
    }));
    const group = h('div', { class: `choices${values.length <= 3 ? ' inline' : ''}`, role: 'radiogroup', 'aria-labelledby': ids.label },
      inputs.map((input, i) => h('div', { class: 'choice' }, input, h('label', { for: input.id, text: this.#optionLabel(f.key, values[i]) }))));
    return {
      el: group, group: true, describe: [group],
      update: (next) => {
        group.toggleAttribute('aria-required', false);
        if (next.required) group.setAttribute('aria-required', 'true');
        inputs.forEach((input, i) => { input.checked = same(next.value, values[i]); input.disabled = next.locked; });
      },
      focusTarget: () => inputs.find((i) => i.checked) ?? inputs[0],
    };
  }

  #selectControl(f, values, ids) {
    const select = h('select', { id: ids.control, 'data-key': f.key, 'data-kind': 'select', 'data-focus-key': f.key,
      onchange: () => { this.#touch(f.key); this.#set(f.key, select.value === '' ? undefined : values[Number(select.value)]); } },
    h('option', { value: '', text: label(this.#lang, 'choose') }),
    values.map((v, i) => h('option', { value: String(i), 'data-json': JSON.stringify(v), text: this.#optionLabel(f.key, v) })));
    return {
      el: select, describe: [select],
      update: (next) => {
        const i = values.findIndex((v) => same(v, next.value));
        select.value = i < 0 ? '' : String(i);
        select.disabled = next.locked;
        select.required = next.required;
      },
      focusTarget: () => select,
    };
  }

  #multiControl(f, values, ids) {
    const inputs = values.map((v, i) => h('input', {
      type: 'checkbox', id: i === 0 ? ids.control : newId('m'), value: String(i), 'data-key': f.key, 'data-kind': 'multi',
      'data-json': JSON.stringify(v), 'data-focus-key': `${f.key}:${i}`,
      onchange: () => {
        this.#touch(f.key);
        this.#set(f.key, values.filter((_, k) => inputs[k].checked));
      },
    }));
    const group = h('div', { class: 'choices', role: 'group', 'aria-labelledby': ids.label },
      inputs.map((input, i) => h('div', { class: 'choice' }, input, h('label', { for: input.id, text: this.#optionLabel(f.key, values[i]) }))));
    return {
      el: group, group: true, describe: inputs,
      update: (next) => {
        const have = Array.isArray(next.value) ? next.value : [];
        inputs.forEach((input, i) => { input.checked = have.some((v) => same(v, values[i])); input.disabled = next.locked; });
      },
      focusTarget: () => inputs[0],
    };
  }

  /** A free-form array or object: JSON text (a rare shape; lists of rows have their own). */
  #jsonControl(f, prop, ids) {
    const area = h('textarea', { id: ids.control, 'data-key': f.key, 'data-kind': 'json', 'data-focus-key': f.key, spellcheck: 'false',
      onchange: () => {
        this.#touch(f.key);
        if (area.value.trim() === '') { this.#set(f.key, undefined); return; }
        try { this.#set(f.key, JSON.parse(area.value)); } catch { this.#set(f.key, area.value); }
      } });
    return {
      el: area, describe: [area],
      update: (next) => {
        if (this.#root.activeElement !== area) area.value = next.value === undefined ? '' : JSON.stringify(next.value, null, 1);
        area.disabled = next.locked;
      },
      focusTarget: () => area,
    };
  }

  /** An object of named properties: one sub-control per property, the whole object set. */
  #objectControl(f, prop, ids) {
    const subs = Object.entries(prop.properties).map(([name, schema]) => {
      const id = newId('o');
      const input = this.#plainInput(schema, id, `${f.key}.${name}`);
      input.dataset.key = f.key;
      input.dataset.sub = name;
      const write = () => {
        const value = { ...(this.#views.get(f.key)?.field?.value ?? {}) };
        const v = this.#readPlain(schema, input);
        if (v === undefined) delete value[name]; else value[name] = v;
        this.#set(f.key, Object.keys(value).length ? value : undefined);
      };
      this.#imeSafe(input, write, schema);
      input.addEventListener('blur', () => this.#touch(f.key));
      const title = schema['x-onething-title'] ?? schema.title ?? name;
      return { name, schema, input, el: h('div', { class: 'cell' }, h('label', { for: id, text: this.#tx(title) }), input) };
    });
    const group = h('div', { class: 'row' }, subs.map((s) => s.el));
    return {
      el: group, group: true, describe: subs.map((s) => s.input),
      update: (next) => {
        for (const s of subs) {
          if (this.#root.activeElement !== s.input) s.input.value = this.#showPlain(next.value?.[s.name]);
          s.input.disabled = next.locked;
        }
      },
      focusTarget: () => subs[0]?.input,
    };
  }

  /** A text, number, code or date input for a plain schema (also a list's cells). */
  #plainInput(schema, id, focusKey) {
    const number = schema.type === 'number' || schema.type === 'integer';
    const date = schema.format === 'date';
    const enumOf = Array.isArray(schema.enum) ? schema.enum : schema.type === 'boolean' ? [true, false] : null;
    if (enumOf) {
      const select = h('select', { id, 'data-focus-key': focusKey, 'data-kind': 'select' }, h('option', { value: '', text: label(this.#lang, 'choose') }),
        enumOf.map((v, i) => h('option', { value: String(i), 'data-json': JSON.stringify(v), text: v === true ? label(this.#lang, 'yes') : v === false ? label(this.#lang, 'no') : String(v) })));
      select.enumOf = enumOf;
      return select;
    }
    return h('input', {
      id, type: date ? 'date' : 'text', 'data-focus-key': focusKey, 'data-kind': date ? 'date' : number ? 'number' : 'text',
      inputmode: number ? (schema.type === 'integer' ? 'numeric' : 'decimal') : isDigitField(schema) ? 'text' : null,
      autocomplete: 'off', spellcheck: 'false',
    });
  }

  #readPlain(schema, input) {
    if (input.enumOf) return input.value === '' ? undefined : input.enumOf[Number(input.value)];
    if (schema.type === 'number' || schema.type === 'integer') return parseNumber(input.value);
    let v = input.value;
    if (isDigitField(schema)) v = normaliseCode(v, schema.format);
    return v === '' ? undefined : v;
  }

  #showPlain(v) {
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  /** Calls `write` on every input outside an IME composition, and once when one ends:
   * a half-typed pinyin syllable never reaches the wizard. Codes and numbers typed in full
   * width are normalised in place. */
  #imeSafe(input, write, schema) {
    if (input.localName === 'select') { input.addEventListener('change', write); return; }
    let composing = false;
    const normalise = () => {
      if (!isDigitField(schema) || input.type === 'date') return;
      const now = input.value;
      const fixed = schema.type === 'number' || schema.type === 'integer' ? halfWidth(now) : normaliseCode(now, schema.format);
      if (fixed !== now) {
        const at = input.selectionStart ?? now.length;
        const before = schema.type === 'number' || schema.type === 'integer' ? halfWidth(now.slice(0, at)) : normaliseCode(now.slice(0, at), schema.format);
        input.value = fixed;
        try { input.setSelectionRange(before.length, before.length); } catch { /* not a text input */ }
      }
    };
    input.addEventListener('compositionstart', () => { composing = true; });
    input.addEventListener('compositionend', () => { composing = false; normalise(); write(); });
    input.addEventListener('input', (e) => {
      if (composing || e.isComposing) return;
      normalise();
      write();
    });
  }

  #textControl(f, prop, ids, { push, touch, controlId, infoId }) {
    const input = this.#plainInput(prop, controlId, f.key);
    input.dataset.key = f.key;
    let pushed;
    const write = () => {
      const v = this.#readPlain(prop, input);
      if (info) showId();
      if (same(v, pushed)) return;
      pushed = v;
      push(v);
    };
    this.#imeSafe(input, write, prop);
    input.addEventListener('blur', () => { touch(); this.#views.get(f.key)?.update(this.#views.get(f.key).field); });
    const info = prop.format === 'cn-id-number' ? h('div', { class: 'id-info', id: infoId, part: 'id-info', 'aria-live': 'polite' }) : null;
    const showId = () => {
      const r = idNumberInfo(input.value);
      const lang = this.#lang;
      info.className = `id-info ${r.state}`;
      info.textContent = r.state === 'valid' ? label(lang, 'idValid', r.birthDate, r.gender)
        : r.state === 'partial' ? label(lang, 'idPartial', normaliseCode(input.value, 'cn-id-number').length)
          : r.state === 'invalid' ? label(lang, `idInvalid.${r.reason}`) : '';
    };
    return {
      el: input, info, describe: [input],
      update: (next) => {
        // The field being typed in keeps what is typed (the wizard has it, normalised); any
        // other is redrawn from the state.
        if (this.#root.activeElement !== input) input.value = this.#showPlain(next.value);
        pushed = next.value;
        input.disabled = next.locked;
        input.required = next.required;
        if (info) showId();
      },
      focusTarget: () => input,
    };
  }

  /** A list of rows (shareholders, household members): one fieldset per row, one input
   * per column, buttons to add, move and remove rows. A row whose object did not change
   * is not redrawn. */
  #listControl(f, prop, ids, view) {
    const key = f.key;
    const columns = prop.items?.properties ?? {};
    const box = h('div', { class: 'list', part: 'list' });
    const rowsEl = h('div', {});
    const add = h('button', { type: 'button', class: 'action', part: 'button add-row', 'data-add-row': key, 'data-focus-key': `${key}:add` });
    add.addEventListener('click', () => {
      this.#touch(key);
      // The new row's first cell takes the focus, within the change (before `settled`).
      this.#change('addRow', [key, {}], { key, row: 'added' }, (n) => {
        if (typeof n === 'number') this.#root.querySelector(`[data-list="${CSS_escape(key)}"][data-row="${n}"]`)?.focus();
      });
    });
    box.append(rowsEl, add);
    let rowViews = [];
    let listSig = null;   // the rows' names and the columns drawn (by content: from a worker, objects are copies)
    let lang = null;
    const control = { el: box, group: true, describe: [], cellInvalid: true, focusTarget: () => rowViews[0]?.cells[0]?.input ?? add };
    const buildRow = (n, list) => {
      const name = this.#tx(list.rows[n]) || String(n + 1);
      const cells = list.columns.map((c) => {
        const schema = columns[c.key] ?? {};
        const id = newId('cell');
        const errId = newId('ce');
        const input = this.#plainInput(schema, id, `${key}:${n}:${c.key}`);
        Object.assign(input.dataset, { list: key, row: String(n), column: c.key });
        input.setAttribute('aria-describedby', errId);
        let pushed;
        this.#imeSafe(input, () => {
          const v = this.#readPlain(schema, input);
          if (same(v, pushed)) return;
          pushed = v;
          this.#change('setCell', [key, n, c.key, v === undefined ? null : v], { key, row: n, column: c.key, value: v });
        }, schema);
        input.addEventListener('blur', () => { this.#touch(key); view.update(view.field); });
        const err = h('div', { class: 'error', id: errId });
        const labelText = this.#tx(c.title) || c.key;
        return {
          key: c.key, input, err, setPushed: (v) => { pushed = v; },
          el: h('div', { class: 'cell' }, h('label', { for: id }, labelText,
            ...(c.required ? [' ', h('span', { class: 'req', 'aria-hidden': 'true', text: '*' }), h('span', { class: 'sr-only', text: `（${label(this.#lang, 'required')}）` })] : [])), input, err),
        };
      });
      const up = h('button', { type: 'button', class: 'action', 'data-focus-key': `${key}:${n}:up`, 'data-row-up': String(n), text: '↑', 'aria-label': label(this.#lang, 'moveUp', name), disabled: n === 0,
        onclick: () => this.#change('moveRow', [key, n, n - 1], { key, row: n, moved: n - 1 }) });
      const remove = h('button', { type: 'button', class: 'action', 'data-focus-key': `${key}:${n}:remove`, 'data-row-remove': String(n), text: '✕', 'aria-label': label(this.#lang, 'removeRow', name),
        onclick: () => this.#change('removeRow', [key, n], { key, row: n, removed: true }) });
      const el = h('fieldset', { class: 'row', part: 'row', 'data-row-index': String(n) }, h('legend', { text: name }), cells.map((c) => c.el), h('div', { class: 'row-actions' }, up, remove));
      return { el, cells, value: undefined, up, remove };
    };
    control.update = (next, shown) => {
      const list = next.list;
      const rows = Array.isArray(next.value) ? next.value : [];
      const sig = JSON.stringify(list);
      if (sig !== listSig || rows.length !== rowViews.length || lang !== this.#lang) {
        const focused = this.#root.activeElement?.dataset?.focusKey;
        listSig = sig;
        lang = this.#lang;
        rowViews = rows.map((_, n) => buildRow(n, list));
        rowsEl.replaceChildren(...rowViews.map((r) => r.el));
        if (focused) this.#root.querySelector(`[data-focus-key="${CSS_escape(focused)}"]`)?.focus();
      }
      add.textContent = label(this.#lang, 'addRow', this.#tx(next.title));
      add.disabled = next.locked || (list.max_items != null && rows.length >= list.max_items);
      const bad = new Map();
      for (const m of next.errors ?? []) bad.set(m.pointer, [...(bad.get(m.pointer) ?? []), this.#tx(m.message)]);
      // A list an authoritative source filled: its rows and the source's columns are
      // read-only, the columns it leaves open are the applicant's (`ColumnState.locked`).
      const lockedColumns = new Set(list.columns.filter((c) => c.locked).map((c) => c.key));
      rowViews.forEach((r, n) => {
        if (r.value !== rows[n]) {
          r.value = rows[n];
          for (const c of r.cells) {
            const v = rows[n]?.[c.key];
            c.setPushed(v);
            if (this.#root.activeElement !== c.input) {
              if (c.input.enumOf) { const i = c.input.enumOf.findIndex((x) => same(x, v)); c.input.value = i < 0 ? '' : String(i); }
              else c.input.value = this.#showPlain(v);
            }
          }
        }
        for (const c of r.cells) {
          c.input.disabled = next.locked && lockedColumns.has(c.key);
          const msgs = shown ? bad.get(`/${key}/${n}/${c.key}`) ?? [] : [];
          c.err.textContent = msgs.join(' ');
          if (msgs.length) c.input.setAttribute('aria-invalid', 'true'); else c.input.removeAttribute('aria-invalid');
        }
        r.remove.disabled = next.locked;
        r.up.disabled = n === 0 || next.locked;
      });
      add.setAttribute('aria-describedby', `${ids.err} ${ids.desc}`);
    };
    box.setAttribute('role', 'group');
    box.setAttribute('aria-labelledby', ids.label);
    return control;
  }
}

/** `CSS.escape` (the stylesheet's name shadows nothing: this is the global). */
function CSS_escape(s) { return globalThis.CSS?.escape ? globalThis.CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&'); }

/** Registers the element as `onething-wizard` (or `name`), once. */
export function define(name = 'onething-wizard') {
  if (!customElements.get(name)) customElements.define(name, class extends OnethingWizard {});
  return customElements.get(name);
}

define();
