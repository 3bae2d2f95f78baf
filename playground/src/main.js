// The playground page: editors on the left, live outputs on the right. Every edit sends the
// whole state to the worker (debounced); its answer re-renders the outputs. Nothing here
// calls the package directly.

import { EditorView, basicSetup } from 'codemirror';
import { EditorState, RangeSet, StateEffect, StateField } from '@codemirror/state';
import { GutterMarker, gutter } from '@codemirror/view';
import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { rhai } from './rhai.js';
import { decodeState, encodeState } from './share.js';
import '../../bindings/js/wizard/index.js';

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 40;

// ---- Labels (zh / en) -------------------------------------------------------------------

const LABELS = {
  title: { zh: '一件事规则试验场', en: 'onething rules playground' },
  example: { zh: '示例', en: 'Example' },
  date: { zh: '评估日期', en: 'Evaluation date' },
  lang: { zh: '语言', en: 'Language' },
  share: { zh: '分享链接', en: 'Share link' },
  bundle: { zh: '事项包（事项、部门表单、字段映射、材料）', en: 'Bundle (items, department schemas, field maps, materials)' },
  rules: { zh: '规则（Rhai）', en: 'Rules (Rhai)' },
  submission: { zh: '申请数据', en: 'Submission' },
  wizard: { zh: '填报向导（合并表单）', en: 'Wizard (the merged form)' },
  decision: { zh: '受理决定', en: 'Decision' },
  deficiencies: { zh: '一次性告知（补正）', en: 'One-time deficiency notice' },
  dispatch: { zh: '分发预览：各部门收到的数据', en: 'Dispatch: what each department receives' },
  plan: { zh: '办理流程', en: 'Process plan' },
  notice: { zh: '一次告知单', en: 'Notice sheet' },
  trace: { zh: '规则轨迹', en: 'Rule trace' },
  bundleTrace: { zh: '整体规则轨迹', en: 'Bundle-level trace' },
  none: { zh: '无', en: 'None' },
  noDeficiency: { zh: '无需补正。', en: 'Nothing to correct.' },
  supplements: { zh: '容缺后补材料', en: 'Materials to supply later' },
  tolerable: { zh: '可容缺', en: 'tolerable' },
  fix: { zh: '如何补正', en: 'How to fix' },
  toCorrect: { zh: '需更正的填写项', en: 'Fields to correct' },
  owes: { zh: '受理后须履行', en: 'Still to do' },
  by: { zh: '截止', en: 'by' },
  consistency: { zh: '前后不一致', en: 'inconsistent' },
  fields: { zh: '个字段', en: 'fields' },
  notDispatched: { zh: '未分发的数据', en: 'Not dispatched' },
  invalidDispatch: { zh: '申请数据未通过校验，暂不分发：', en: 'The submission is invalid, nothing is dispatched yet:' },
  stage: { zh: '阶段', en: 'Stage' },
  days: { zh: '工作日', en: 'working days' },
  critical: { zh: '关键路径', en: 'critical path' },
  mermaid: { zh: 'Mermaid 文本', en: 'Mermaid text' },
  stale: { zh: '输入有错误，右侧显示的是上一次有效的结果。', en: 'An input has errors; the outputs are the last good ones.' },
  updated: { zh: '已更新', en: 'updated in' },
  copied: { zh: '链接已复制', en: 'link copied' },
  applicant: { zh: '申请人', en: 'Applicant' },
  tests: { zh: '测试用例（onething test）', en: 'Tests (onething test)' },
  passed: { zh: '通过', en: 'passed' },
  failed: { zh: '失败', en: 'failed' },
  coverage: { zh: '规则覆盖率', en: 'rule coverage' },
  neverRan: { zh: '条规则从未运行', en: 'rules never ran' },
  noCases: { zh: '此事项包没有测试用例（decisions/ 或 tests/）。', en: 'This bundle has no cases (decisions/ or tests/).' },
  casesBroken: { zh: '测试用例文件有错误：', en: 'The case files have errors:' },
  loadCase: { zh: '点击载入此用例的申请数据和日期', en: 'Click to load this case\'s submission and date' },
  covFull: { zh: '已覆盖（真、假皆有）', en: 'covered (made true and false)' },
  covPartly: { zh: '部分覆盖', en: 'partly covered' },
  covNever: { zh: '从未运行', en: 'never ran' },
  testsUnavailable: {
    zh: '此浏览器版本的程序包未包含 test 函数（体积上限），测试面板需要包含它的构建。',
    en: 'This browser build of the package leaves out `test` (its size ceiling): the Tests panel needs a build with it.',
  },
  testsWait: { zh: '正在运行测试用例……', en: 'Running the cases…' },
};

// ---- State ------------------------------------------------------------------------------

const state = {
  example: '',
  files: {},      // the bundle directory: bundle.json, *.schema.json, rules/*.rhai
  submission: '', // JSON text
  date: '',
  lang: 'zh',
  bundleFile: 'bundle.json',
  ruleFile: '',
};
let examples = [];
let last = null;  // the last answer of the worker with a decision

const t = (key) => LABELS[key]?.[state.lang] ?? key;
const tx = (text) => (text && typeof text === 'object' ? text[state.lang] ?? text.zh : text ?? '');
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// ---- Editors ----------------------------------------------------------------------------

function makeEditor(parent, language, onChange, extra = []) {
  const extensions = [basicSetup, language, lintGutter(), ...extra, EditorView.updateListener.of((u) => {
    if (u.docChanged && !u.transactions.some((tr) => tr.isUserEvent('playground.load'))) onChange(u.state.doc.toString());
  })];
  const view = new EditorView({ parent, state: EditorState.create({ doc: '', extensions }) });
  view.load = (text) => {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'playground.load' });
  };
  return view;
}

const bundleView = makeEditor($('bundle-editor'), json(), (text) => { state.files[state.bundleFile] = text; edited(); });
// Rule coverage: a marker in the rule editor's gutter at the first line of a rule file,
// covered (made true and false by the cases) / partly / never ran; its title lists the rules.
const setCoverage = StateEffect.define();
class CoverageMarker extends GutterMarker {
  constructor(status, title) { super(); this.status = status; this.title = title; }
  eq(other) { return other.status === this.status && other.title === this.title; }
  toDOM() {
    const span = document.createElement('span');
    span.className = `cov-mark cov-${this.status}`;
    span.dataset.coverage = this.status;
    span.title = this.title;
    span.textContent = { full: '●', partly: '◐', never: '○' }[this.status];
    return span;
  }
}
const coverageField = StateField.define({
  create: () => RangeSet.empty,
  update(set, tr) {
    for (const e of tr.effects) if (e.is(setCoverage)) return e.value;
    return set.map(tr.changes);
  },
});
const coverageGutter = gutter({ class: 'cm-coverage-gutter', markers: (view) => view.state.field(coverageField) });

const rulesView = makeEditor($('rules-editor'), rhai, (text) => {
  if (state.ruleFile) { state.files[state.ruleFile] = text; edited(); }
}, [coverageField, coverageGutter]);
const submissionView = makeEditor($('submission-editor'), json(), (text) => { state.submission = text; edited(); });

function fillSelect(select, options, value) {
  select.innerHTML = options.map(([v, label]) => `<option value="${esc(v)}"${v === value ? ' selected' : ''}>${esc(label)}</option>`).join('');
}

function loadEditors() {
  const names = Object.keys(state.files);
  const bundleFiles = names.filter((n) => !n.startsWith('rules/'));
  const ruleFiles = names.filter((n) => n.startsWith('rules/'));
  if (!bundleFiles.includes(state.bundleFile)) state.bundleFile = 'bundle.json';
  if (!ruleFiles.includes(state.ruleFile)) state.ruleFile = ruleFiles[0] ?? '';
  fillSelect($('bundle-file'), bundleFiles.map((n) => [n, n]), state.bundleFile);
  fillSelect($('rule-file'), ruleFiles.map((n) => [n, n.slice('rules/'.length)]), state.ruleFile);
  bundleView.load(state.files[state.bundleFile] ?? '');
  rulesView.load(state.files[state.ruleFile] ?? '');
  showCoverage();
  submissionView.load(state.submission);
  $('date').value = state.date;
  $('lang').value = state.lang;
}

$('bundle-file').onchange = (e) => { state.bundleFile = e.target.value; bundleView.load(state.files[state.bundleFile]); showErrors(); };
$('rule-file').onchange = (e) => { state.ruleFile = e.target.value; rulesView.load(state.files[state.ruleFile]); showErrors(); showCoverage(); };
$('date').oninput = (e) => { state.date = e.target.value; edited(); };
$('lang').onchange = (e) => { state.lang = e.target.value; labels(); exampleOptions(); edited(); };

function labels() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-t]')) {
    const key = el.dataset.t;
    el.textContent = `${LABELS[key].zh} · ${LABELS[key].en}`;
    if (key !== 'title') el.textContent = t(key);
  }
}

// ---- Examples ---------------------------------------------------------------------------

function exampleOptions() {
  $('example').innerHTML = examples.map((ex) => `<optgroup label="${esc(tx(ex.title))}">
    <option value="${esc(ex.name)}|">${esc(ex.name)} — ${state.lang === 'zh' ? '空白申请' : 'empty submission'}</option>
    ${ex.submissions.map((s) => `<option value="${esc(`${ex.name}|${s.folder}/${s.name}`)}">${esc(`${ex.name} — ${s.folder}/${s.name}`)}</option>`).join('')}
  </optgroup>`).join('') + '<option value="custom" hidden>—</option>';
  $('example').value = state.example;
  if ($('example').value !== state.example) $('example').value = 'custom';
}

/** Loads an example: "name|folder/submission" (an empty submission after the bar: none). */
function loadExample(value) {
  const [name, sub] = value.split('|');
  const ex = examples.find((e) => e.name === name);
  if (!ex) return;
  state.example = value;
  exampleName = name;
  state.files = { ...ex.files };
  const s = ex.submissions.find((x) => `${x.folder}/${x.name}` === sub);
  state.date = s?.date ?? ex.date;
  state.submission = s ? s.text : JSON.stringify({ bundle: name, values: {} }, null, 2);
  state.ruleFile = '';
  state.bundleFile = 'bundle.json';
  loadEditors();
  edited(true);
}
$('example').onchange = (e) => loadExample(e.target.value);

// ---- The worker -------------------------------------------------------------------------

const worker = new Worker('./worker.js', { type: 'module' });
let timer = null;
let editAt = null;     // when the first edit not yet shown happened
let sent = 0;          // id of the last request sent
let busy = false;
let pending = false;   // an edit arrived while the worker was busy

function edited(now = false) {
  editAt ??= performance.now();
  clearTimeout(timer);
  timer = setTimeout(send, now ? 0 : DEBOUNCE_MS);
}

function send() {
  if (busy) { pending = true; return; }
  busy = true;
  sent += 1;
  worker.postMessage({ id: sent, files: state.files, submission: state.submission, date: state.date, lang: state.lang });
}

worker.onmessage = ({ data }) => {
  if (data.kind === 'tests') {
    // The cases of the latest request only; an older run's report is already stale.
    if (data.id === sent) renderTests(data);
    return;
  }
  busy = false;
  // The packed bundle comes only when it changed: kept even from an answer not rendered.
  if (data.packed) packedNow = { key: data.packedKey, packed: data.packed };
  if (pending) { pending = false; send(); return; } // a newer state is on its way
  render(data);
  const ms = editAt === null ? 0 : performance.now() - editAt;
  editAt = null;
  window.__playground.latency = ms;
  window.__playground.renders += 1;
  $('status').textContent = `${t('updated')} ${ms.toFixed(0)} ms`;
  saveHash();
};
worker.onerror = (e) => { busy = false; $('banner').hidden = false; $('banner').textContent = `worker: ${e.message}`; };

// ---- Errors -----------------------------------------------------------------------------

// Errors and compile warnings ({ file, line, column, message, severity }): listed under
// their editor and marked in it; only errors make the outputs stale.
let errors = [];

function diagnostics(view, file) {
  const doc = view.state.doc;
  const list = errors.filter((e) => e.file === file).map((e) => {
    const line = doc.line(Math.min(Math.max(e.line ?? 1, 1), doc.lines));
    const from = Math.min(line.from + Math.max((e.column ?? 1) - 1, 0), line.to);
    return { from, to: Math.max(from, line.to), severity: e.severity ?? 'error', message: e.message };
  });
  view.dispatch(setDiagnostics(view.state, list));
}

function errorList(ul, list) {
  ul.innerHTML = list.map((e, i) => `<li data-i="${i}"${e.severity === 'warning' ? ' class="warning"' : ''}>${esc(e.file)}${e.line ? `:${e.line}:${e.column ?? 1}` : ''} — ${esc(e.message)}</li>`).join('');
  ul.querySelectorAll('li').forEach((li) => { li.onclick = () => jump(list[Number(li.dataset.i)]); });
}

function jump(e) {
  if (e.file.startsWith('rules/')) { state.ruleFile = e.file; $('rule-file').value = e.file; rulesView.load(state.files[e.file]); showCoverage(); }
  else if (e.file !== 'submission' && e.file !== 'date' && state.files[e.file] !== undefined) {
    state.bundleFile = e.file; $('bundle-file').value = e.file; bundleView.load(state.files[e.file]);
  }
  showErrors();
}

function showErrors() {
  errorList($('bundle-errors'), errors.filter((e) => e.file === 'bundle.json' || e.file.endsWith('.schema.json') || state.files[e.file] !== undefined && !e.file.startsWith('rules/')));
  errorList($('rules-errors'), errors.filter((e) => e.file.startsWith('rules/')));
  errorList($('submission-errors'), errors.filter((e) => e.file === 'submission'));
  $('date-error').textContent = errors.filter((e) => e.file === 'date').map((e) => e.message).join('; ');
  diagnostics(bundleView, state.bundleFile);
  diagnostics(rulesView, state.ruleFile);
  diagnostics(submissionView, 'submission');
}

// ---- Rendering --------------------------------------------------------------------------

function render(data) {
  errors = [...(data.errors ?? []), ...(data.warnings ?? [])];
  showErrors();
  const ok = Boolean(data.decision);
  $('banner').hidden = ok && (data.errors ?? []).length === 0;
  $('banner').textContent = t('stale');
  if (!ok) {
    $('outputs').classList.add('stale-all');
    for (const id of ['wizard', 'decision', 'deficiencies', 'dispatch', 'plan']) $(id).classList.add('stale');
    if (data.decisionError && !last) $('decision').textContent = data.decisionError.message;
    return;
  }
  for (const id of ['wizard', 'decision', 'deficiencies', 'dispatch', 'plan']) $(id).classList.remove('stale');
  last = data;
  renderWizard(data);
  renderDecision(data);
  renderDeficiencies(data);
  renderDispatch(data);
  renderPlan(data);
  $('notice').srcdoc = data.noticeHtml ?? `<p>${esc(data.noticeHtmlError?.message ?? '')}</p>`;
}

const dept = (data, id) => tx(data.departments?.[id]) || id;
const itemTitle = (data, id) => tx(data.items?.[id]) || id;
const keyTitle = (data, key) => tx(data.form?.properties?.[key]?.['x-onething-title']) || key;
const outcomeBadge = (o) => `<span class="badge outcome o-${esc(o)}" data-outcome="${esc(o)}">${esc(o)}</span>`;

/** The submission as an object, or undefined when its JSON is broken. */
function submissionObject() {
  try {
    const s = JSON.parse(state.submission);
    return s && typeof s === 'object' && !Array.isArray(s) ? s : undefined;
  } catch { return undefined; }
}

// ---- The wizard pane: the package's <onething-wizard> -----------------------------------
//
// The element holds the wizard; the submission editor and the element follow each other:
// a change in the element writes its submission into the editor (which re-evaluates every
// other output), and a submission edited by hand (or an example loaded) restarts the
// element from it, listing what the wizard refused. The element runs the playground's own
// module (scripts/build.mjs points its import at dist/pkg) on the page's thread.

const wizardEl = document.createElement('onething-wizard');
$('wizard').append(wizardEl);
const refusedEl = Object.assign(document.createElement('ul'), { className: 'errors', id: 'wizard-refused' });
$('wizard').append(refusedEl);
let wizardBundleKey = null;  // the compiled bundle the element shows
let packedNow = null;        // the latest compiled bundle, packed: { key, packed }
let wizardText = null;       // the submission text the element wrote last, or loaded from

function showRefused() {
  refusedEl.replaceChildren(...wizardEl.refused.map((r) => Object.assign(document.createElement('li'), { textContent: `${r.key}: ${r.message}` })));
}
wizardEl.addEventListener('ready', showRefused);
wizardEl.addEventListener('error', (e) => {
  refusedEl.replaceChildren(Object.assign(document.createElement('li'), { textContent: e.detail.error.message }));
});
wizardEl.addEventListener('change', async () => {
  const submission = await wizardEl.submission();
  const text = JSON.stringify(submission, null, 2);
  if (text === state.submission) return;
  wizardText = text;
  state.submission = text;
  submissionView.dispatch({ changes: { from: 0, to: submissionView.state.doc.length, insert: text } });
});

function renderWizard(data) {
  wizardEl.setAttribute('lang', state.lang);
  if (state.date && wizardEl.getAttribute('date') !== state.date) wizardEl.setAttribute('date', state.date);
  const fresh = packedNow !== null && packedNow.key !== wizardBundleKey && packedNow.key === data.packedKey;
  if (fresh) {
    wizardBundleKey = packedNow.key;
    wizardEl.bundle = packedNow.packed;
  }
  if (fresh || state.submission !== wizardText) {
    wizardText = state.submission;
    wizardEl.initial = submissionObject() ?? null;
  }
}

function traceTable(entries) {
  if (!entries.length) return `<p>${t('none')}</p>`;
  return `<table class="trace"><tr><th>rule</th><th>kind</th><th>result</th><th>reads</th></tr>${entries.map((e) =>
    `<tr><td>${esc(e.rule)}${e.material ? ` (${esc(e.material)})` : ''}</td><td>${esc(e.kind)}</td><td>${esc(JSON.stringify(e.result))}${e.error ? `<div class="errors">${esc(JSON.stringify(e.error))}</div>` : ''}</td><td>${esc(JSON.stringify(e.reads))}</td></tr>`).join('')}</table>`;
}

function renderDecision(data) {
  const d = data.decision;
  $('decision').innerHTML = `<div id="overall">${outcomeBadge(d.outcome)}</div>${d.items.map((i) => `<div class="item-row" data-item="${esc(i.item)}">
    ${outcomeBadge(i.outcome)} <b>${esc(itemTitle(data, i.item))}</b> <span class="badge dept">${esc(dept(data, i.department))}</span>
    ${(i.reasons ?? []).map((r) => `<div class="reason">${r.rule ? `${esc(r.rule)}: ` : ''}${esc(tx(r.message))}</div>`).join('')}
    ${(i.obligations ?? []).map((o) => `<div class="obligation">${t('owes')}: ${esc(tx(o.text))}${o.amount != null ? ` · ${esc(String(o.amount))}${o.unit ? ` ${esc(tx(o.unit))}` : ''}` : ''}${o.due ? ` · ${t('by')} ${esc(o.due)}` : ''}</div>`).join('')}
    <details><summary>${t('trace')}</summary>${traceTable(d.trace.filter((e) => e.item === i.item))}</details>
  </div>`).join('')}
  <details><summary>${t('bundleTrace')}</summary>${traceTable(d.trace.filter((e) => !e.item))}</details>`;
}

function renderDeficiencies(data) {
  const d = data.decision;
  let html = d.deficiencies.length ? `<ol>${d.deficiencies.map((x) => `<li class="deficiency" data-kind="${esc(x.kind)}"><b>${esc(tx(x.message))}</b>
    ${x.tolerable ? `<span class="badge">${t('tolerable')}</span>` : ''}
    ${x.kind === 'consistency' ? `<span class="badge">${t('consistency')}</span>` : ''}
    ${x.keys?.length ? `<div class="hint">${t('toCorrect')}: ${x.keys.map((k) => `<span class="badge field" data-key="${esc(k)}">${esc(keyTitle(data, k))}</span>`).join('')}</div>` : ''}
    <div class="hint">${t('fix')}: ${esc(tx(x.fix))}</div>
    <div>${x.items.map((i) => `<span class="badge">${esc(itemTitle(data, i))}</span>`).join('')}</div></li>`).join('')}</ol>`
    : `<p>${t('noDeficiency')}</p>`;
  if (d.supplements?.length) html += `<h3>${t('supplements')}</h3><pre>${esc(JSON.stringify(d.supplements, null, 2))}</pre>`;
  $('deficiencies').innerHTML = html;
}

function renderDispatch(data) {
  const el = $('dispatch');
  if (!data.dispatch) {
    const v = data.dispatchError?.details?.validation;
    el.innerHTML = `<p>${t('invalidDispatch')}</p><ul class="errors">${(v?.errors ?? []).map((e) =>
      `<li>${esc(tx(e.message))}</li>`).join('') || `<li>${esc(data.dispatchError?.message ?? '')}</li>`}</ul>`;
    return;
  }
  const answered = Object.keys(submissionObject()?.values ?? {}).length;
  el.innerHTML = data.dispatch.payloads.map((p) => `<div class="payload" data-department="${esc(p.department)}">
    <b>${esc(dept(data, p.department))}</b> ← ${esc(itemTitle(data, p.item))}
    <span class="badge">${p.fields.length} / ${answered} ${t('fields')}</span>
    <details><summary>${p.fields.map((f) => esc(f.key)).join(', ')}</summary><pre>${esc(JSON.stringify(p.payload, null, 2))}</pre></details>
  </div>`).join('') + (data.dispatch.not_dispatched.length ? `<h3>${t('notDispatched')}</h3><ul>${data.dispatch.not_dispatched.map((n) =>
    `<li>${esc(n.key)}: ${esc(tx(n.reason))}</li>`).join('')}</ul>` : '');
}

/** The plan as an SVG: one column per stage, a box per item, critical items outlined red. */
function renderPlan(data) {
  const plan = data.plan;
  if (!plan) { $('plan').textContent = data.planError?.message ?? ''; return; }
  const W = 210; const H = 58; const GX = 50; const GY = 14;
  const pos = {};
  plan.stages.forEach((s, c) => s.items.forEach((id, r) => { pos[id] = { x: 10 + c * (W + GX), y: 30 + r * (H + GY) }; }));
  const rows = Math.max(1, ...plan.stages.map((s) => s.items.length));
  const width = 20 + plan.stages.length * (W + GX) - GX;
  const height = 40 + rows * (H + GY);
  const items = Object.fromEntries(plan.items.map((i) => [i.id, i]));
  const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" font-size="11">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>`;
  plan.stages.forEach((s, c) => {
    svg += `<text x="${10 + c * (W + GX)}" y="18" font-weight="bold">${esc(t('stage'))} ${s.stage} · ${s.longest_days} ${esc(t('days'))}</text>`;
  });
  for (const e of plan.edges ?? []) {
    const a = pos[e.from]; const b = pos[e.to];
    if (a && b) svg += `<line x1="${a.x + W}" y1="${a.y + H / 2}" x2="${b.x}" y2="${b.y + H / 2}" stroke="#57606a" marker-end="url(#arrow)"/>`;
  }
  for (const [id, p] of Object.entries(pos)) {
    const i = items[id] ?? { title: id, department: '' };
    svg += `<g class="plan-item" data-item="${esc(id)}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6" fill="${i.optional ? '#f8fafc' : '#fff'}" stroke="${i.critical ? '#c62828' : '#8c959f'}" stroke-width="${i.critical ? 2.5 : 1}"${i.optional ? ' stroke-dasharray="4 3"' : ''}/>
      <text x="${p.x + 6}" y="${p.y + 16}" font-weight="bold">${esc(clip(tx(i.title), 18))}</text>
      <text x="${p.x + 6}" y="${p.y + 32}">${esc(clip(dept(data, i.department), 22))}</text>
      <text x="${p.x + 6}" y="${p.y + 48}">${i.time_limit_days ?? '?'} ${esc(t('days'))}${i.critical ? ` · ${esc(t('critical'))}` : ''}</text></g>`;
  }
  svg += '</svg>';
  $('plan').innerHTML = `${svg}<details><summary>${t('mermaid')}</summary><pre>${esc(data.mermaid ?? '')}</pre></details>`;
}

// ---- Tests -------------------------------------------------------------------------------

let tests = null; // the last report of the bundle's cases ({ tests } or { testsError })
let exampleName = ''; // the example whose files are loaded (it stays when a case is loaded)

/** How the cases covered the rules of one file: `full`, `partly`, `never`, or undefined. */
function fileCoverage(file) {
  const rules = (tests?.tests?.coverage?.rules ?? []).filter((r) => r.file === file);
  if (!rules.length) return undefined;
  const ran = (r) => r.true + r.false + r.error > 0;
  const status = rules.every((r) => r.true > 0 && r.false > 0) ? 'full' : rules.some(ran) ? 'partly' : 'never';
  const title = `${t({ full: 'covFull', partly: 'covPartly', never: 'covNever' }[status])}\n${rules.map((r) =>
    `${r.at}: true ${r.true}, false ${r.false}, error ${r.error}`).join('\n')}`;
  return { status, title };
}

/** Marks the rule editor's file with its coverage, and each rule file in the file list. */
function showCoverage() {
  const cov = state.ruleFile ? fileCoverage(state.ruleFile) : undefined;
  const marks = cov ? [new CoverageMarker(cov.status, cov.title).range(0)] : [];
  rulesView.dispatch({ effects: setCoverage.of(RangeSet.of(marks)) });
  $('rules-editor').dataset.coverage = cov?.status ?? '';
  for (const option of $('rule-file').options) {
    const c = fileCoverage(option.value);
    option.textContent = `${c ? `${{ full: '●', partly: '◐', never: '○' }[c.status]} ` : ''}${option.value.slice('rules/'.length)}`;
  }
}

function renderTests(data) {
  window.__playground.testRuns += 1;
  const el = $('tests');
  el.classList.toggle('stale', Boolean(data.stale));
  if (data.stale) return;
  if (data.unavailable) { el.innerHTML = `<p id="tests-unavailable">${t('testsUnavailable')}</p>`; return; }
  tests = data;
  if (data.testsError) {
    el.innerHTML = `<p>${t('casesBroken')}</p><ul class="errors">${data.testsError.errors.map((e, i) =>
      `<li data-i="${i}">${esc(e.file)}${e.line ? `:${e.line}:${e.column ?? 1}` : ''} — ${esc(e.message)}</li>`).join('')}</ul>`;
    el.querySelectorAll('li').forEach((li) => { li.onclick = () => jump(data.testsError.errors[Number(li.dataset.i)]); });
    errors = [...errors.filter((e) => e.source !== 'tests'), ...data.testsError.errors.map((e) => ({ ...e, source: 'tests' }))];
    showErrors();
    showCoverage();
    return;
  }
  if (errors.some((e) => e.source === 'tests')) { errors = errors.filter((e) => e.source !== 'tests'); showErrors(); }
  const r = data.tests;
  if (!r) { el.innerHTML = `<p>${t('noCases')}</p>`; showCoverage(); return; }
  const c = r.coverage;
  el.innerHTML = `<div id="tests-summary" data-passed="${r.passed}" data-failed="${r.failed}">
      <span class="badge ${r.failed ? 'o-rejected' : 'o-accepted'}">${r.passed} ${t('passed')}, ${r.failed} ${t('failed')}</span>
      ${c ? `<span class="hint">${t('coverage')} ${c.percent.toFixed(1)} % (${c.covered}/${c.total}) · ${c.never_ran} ${t('neverRan')}</span>` : ''}
    </div>
    <ul id="test-cases">${r.cases.map((k, i) => `<li class="case ${k.passed ? 'pass' : 'fail'}" data-i="${i}" data-case="${esc(k.name)}" data-passed="${k.passed}" title="${esc(t('loadCase'))}">
      <span class="badge ${k.passed ? 'o-accepted' : 'o-rejected'}">${k.passed ? 'pass' : 'FAIL'}</span>
      ${esc(k.name)} <span class="hint">${esc(k.date)} · ${outcomeBadge(k.outcome)}</span>
      ${(k.mismatches ?? []).map((m) => `<div class="mismatch">${esc(m.what)}: ${esc(m.detail)}</div>`).join('')}
    </li>`).join('')}</ul>`;
  el.querySelectorAll('li.case').forEach((li) => { li.onclick = () => loadCase(r.cases[Number(li.dataset.i)]); });
  showCoverage();
}

/** Loads a case's submission (without its `expect` and `date`) and its date into the editors,
 * as choosing an example's submission does. */
function loadCase(k) {
  const text = state.files[`${k.name}.json`];
  if (text === undefined) return;
  let submission = text;
  try {
    const { expect: _e, date: _d, ...rest } = JSON.parse(text);
    submission = JSON.stringify(rest, null, 2);
  } catch { /* a broken case loads as it is; the submission editor shows the error */ }
  const value = `${exampleName}|${k.name}`;
  const known = [...$('example').options].some((o) => o.value === value);
  state.example = known ? value : 'custom';
  $('example').value = state.example;
  state.submission = submission;
  state.date = k.date;
  submissionView.load(state.submission);
  $('date').value = state.date;
  edited(true);
}

// ---- Share ------------------------------------------------------------------------------

function snapshot() {
  return { v: 1, example: state.example, files: state.files, submission: state.submission, date: state.date, lang: state.lang };
}

let hashTimer = null;
function saveHash() {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(async () => { history.replaceState(null, '', await encodeState(snapshot())); }, 300);
}

$('share').onclick = async () => {
  const hash = await encodeState(snapshot());
  history.replaceState(null, '', hash);
  try { await navigator.clipboard.writeText(location.href); $('status').textContent = t('copied'); } catch { /* no clipboard: the URL bar has it */ }
};

// ---- Start ------------------------------------------------------------------------------

window.__playground = { latency: null, renders: 0, testRuns: 0, state, loadExample, hash: () => encodeState(snapshot()) };

examples = await (await fetch('./examples.json')).json();
const restored = await decodeState(location.hash);
if (restored?.files) {
  exampleName = (restored.example ?? '').split('|')[0];
  Object.assign(state, { example: restored.example ?? 'custom', files: restored.files, submission: restored.submission ?? '{}', date: restored.date ?? '', lang: restored.lang ?? 'zh' });
  labels();
  exampleOptions();
  loadEditors();
  edited(true);
} else {
  labels();
  const first = examples.find((e) => e.name === 'business-startup') ?? examples[0];
  const sub = first.submissions.find((s) => s.name === 'valid-full') ?? first.submissions[0];
  state.example = `${first.name}|${sub ? `${sub.folder}/${sub.name}` : ''}`;
  exampleOptions();
  loadExample(state.example);
}
