// The package against its peers and against native (issue 24, point 2; BENCHMARKS.md,
// "Against ajv + json-logic-js"): validate and evaluate through each module flavour — the
// Node build (`dist/node`, speed) and the browser build (`dist/web`, size, instantiated here
// with initSync) — against ajv + json-logic-js doing the equivalent work in plain JavaScript,
// all in one Node process and measured in turns (so that a busy machine slows all alike),
// beside criterion's native medians when `cargo bench` left them:
//
//   cargo bench -p onething --bench bundle -- '^evaluate/[a-z-]+$|^validate/[a-z-]+$'
//   node bench/peers.mjs                        (npm run bench:peers)
//
// Cases, on each fixture's valid-full submission (as an object):
//   validate/<fixture>   Bundle.validate(submission) — applicability, the merged form, the
//                        departments' residual checks, every error bilingual;
//                        peer: ajv (draft 2020-12, allErrors, the fixture formats) validating
//                        the values against the merged form (`bundle.form()`, compiled once).
//   evaluate/<fixture>   Bundle.evaluate(submission, date) — the decision with its trace;
//                        peer (business start-up only): the same ajv validation, then every
//                        rule of the bundle as json-logic (RULES and ELEMENT_RULES below:
//                        the derived age and gender, the bundle rule, 8 eligibility rules,
//                        the acceptance policy, the condition of the housing fund item, the
//                        3 conditions of materials, the bundle's consistency check, the
//                        registration's obligation, and per shareholder the derived share
//                        and its check — all 20 scripts, 19 files), giving one verdict or
//                        value per rule. The peer does less: no bilingual reasons or
//                        deficiency texts, materials or trace, no item dependencies.
//   Both peers validate against the form of the items that apply (`bundle.formFor`), which
//   the module decides (the peer's own applicability rule is timed in evaluate only).
//
// Before timing, the peer is checked against the module: ajv must find valid-full valid
// and the invalid-* submissions invalid as `validate` does, and on every decision case of the
// fixture the rules json-logic finds failing must be the rules the decision gives as reasons,
// its failing checks the decision's `check:` deficiencies, and its obligation as many
// payments as the decision lists.
//
// ROUNDS rounds (default 9), each measuring every case on every implementation: the median
// of 9 samples, each the mean of a batch sized to take about 10 ms. Printed: medians over the
// rounds (µs) and the ratios. CARGO_TARGET_DIR tells where criterion's results are.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import jsonLogic from 'json-logic-js';

import { ROOT, jsonFiles, meta, packedText } from '../test/helpers.mjs';
import { Criterion, measure, median } from './measure.mjs';

const PKG = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const FIXTURES = ['business-startup', 'restaurant-opening', 'newborn'];
const time = (f) => measure(f, { samples: 9, batchNs: 10e6 });

// ---------------------------------------------------------------------------------------
// The formats the fixtures use, as core/src/base/formats.rs checks them.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
  63, 64, 65, 71, 81, 82, 83,
]);
const daysIn = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A resident ID number's birth date as `[y, m, d]`, or undefined when the number is invalid. */
function idBirth(s) {
  if (typeof s !== 'string' || !/^[0-9]{17}[0-9X]$/.test(s)) return undefined;
  if (!PROVINCES.has(Number(s.slice(0, 2)))) return undefined;
  const [y, m, d] = [Number(s.slice(6, 10)), Number(s.slice(10, 12)), Number(s.slice(12, 14))];
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return s[17] === ID_CHECK[sum % 11] ? [y, m, d] : undefined;
}

const CREDIT = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function isCreditCode(s) {
  if (s.length !== 18 || !/^..[0-9]{6}/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT.indexOf(s[i]);
    if (v < 0) return false;
    sum += v * CREDIT_WEIGHTS[i];
  }
  return CREDIT.indexOf(s[17]) === (31 - (sum % 31)) % 31;
}

const FORMATS = {
  'cn-id-number': (s) => idBirth(s) !== undefined,
  'cn-credit-code': isCreditCode,
  'cn-mobile': (s) => /^1[3-9][0-9]{9}$/.test(s),
  'cn-postal-code': (s) => /^[0-9]{6}$/.test(s),
};

/** ajv as the peer validates: draft 2020-12, every error, formats asserted. */
function peerAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  return ajv;
}

// ---------------------------------------------------------------------------------------
// The business start-up rules (fixtures/business-startup/rules/*.rhai) as json-logic. Data:
// the submission's values nested by their dotted keys (json-logic's `var` reads dotted
// paths), `applicant`, `today` (ISO dates compare as strings) and `materials`. Two operations
// are added, as the scripts have them from the sandbox: `id_age` (age in whole years from an
// ID number, null when invalid) and `add_years` (the same day n years on, 28 February for
// 29 February). The scripts' guards "not a date: validation reports it" are left out: the
// form's `format: date` has checked those values.

jsonLogic.add_operation('id_age', (id, today) => {
  const b = idBirth(id);
  if (b === undefined || typeof today !== 'string') return null;
  const [y, m, d] = today.split('-').map(Number);
  return y - b[0] - (m < b[1] || (m === b[1] && d < b[2]) ? 1 : 0);
});
jsonLogic.add_operation('id_gender', (id) => {
  if (idBirth(id) === undefined) return null;
  return Number(id[16]) % 2 === 1 ? '男' : '女';
});
/** Rounds half away from zero to `places` decimals, as the sandbox's `round_to` does. */
jsonLogic.add_operation('round_to', (x, places) => {
  if (typeof x !== 'number') return null;
  const f = 10 ** places;
  return (Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f;
});
jsonLogic.add_operation('add_years', (date, n) => {
  if (typeof date !== 'string') return null;
  const [y, m, d] = date.split('-').map(Number);
  const year = y + n;
  return `${year}-${String(m).padStart(2, '0')}-${String(Math.min(d, daysIn(year, m))).padStart(2, '0')}`;
});

const v = (path) => ({ var: path });
const missing = (path) => ({ '==': [v(path), null] });
/** The incorporation date: the licence's once issued, the application's before. */
const founded = { if: [v('company.established_date'), v('company.established_date'), v('today')] };
const agentIsNotLegalRep = {
  or: [missing('contact.id_number'), missing('legal_rep.id_number'), { '!==': [v('contact.id_number'), v('legal_rep.id_number')] }],
};

/** Rule id → json-logic; a rule holds when its logic is truthy. `legal_rep.age` and
 * `legal_rep.gender` are derived first, as the bundle's `derive` does (a derived value the
 * applicant typed stays typed: the checks compare the two). */
export const RULES = {
  'derive:legal_rep.age': { id_age: [v('legal_rep.id_number'), v('today')] },
  'derive:legal_rep.gender': { id_gender: [v('legal_rep.id_number')] },
  'check:legal-rep-gender-matches-id': {
    or: [
      { '==': [{ id_gender: [v('legal_rep.id_number')] }, null] },
      missing('legal_rep.gender'),
      { '==': [{ id_gender: [v('legal_rep.id_number')] }, v('legal_rep.gender')] },
    ],
  },
  // The obligation: one [text, amount, due] per shareholder with a deadline and an amount.
  'obligation:subscribed-capital-paid-in': {
    map: [
      { filter: [v('shareholders'), { and: [v('subscribed_by'), { '!=': [v('subscribed_amount'), null] }] }] },
      [{ cat: ['股东', v('name'), '缴足认缴出资'] }, v('subscribed_amount'), v('subscribed_by')],
    ],
  },
  'name-available': { '!==': [v('applicant.attributes.name_taken'), true] },
  'legal-rep-adult': { or: [missing('legal_rep.age'), { '>=': [v('legal_rep.age'), 18] }] },
  'legal-rep-not-barred': {
    or: [missing('applicant.attributes.legal_rep_barred'), { '===': [v('applicant.attributes.legal_rep_barred'), false] }],
  },
  // Every shareholder's deadline on or before five years after incorporation: the reduction
  // keeps the last allowed date while every deadline is within it, and turns to "" otherwise.
  'contribution-within-five-years': {
    or: [
      missing('shareholders'),
      {
        reduce: [
          v('shareholders'),
          { if: [{ and: [v('accumulator'), { '>': [v('current.subscribed_by'), v('accumulator')] }] }, '', v('accumulator')] },
          { add_years: [founded, 5] },
        ],
      },
    ],
  },
  'licensed-activities': { '!': { in: ['许可项目', v('company.business_scope')] } },
  'd-credit-invoices': {
    '!': { and: [{ '===': [v('applicant.attributes.legal_rep_d_taxpayer'), true] }, { '>': [v('tax.invoices.length'), 0] }] },
  },
  'insured-from-incorporation': { or: [missing('social_insurance.start_date'), { '>=': [v('social_insurance.start_date'), founded] }] },
  'equal-contribution-rates': {
    or: [missing('housing_fund.unit_rate'), missing('housing_fund.personal_rate'), { '==': [v('housing_fund.unit_rate'), v('housing_fund.personal_rate')] }],
  },
  'legal-rep-id-valid': {
    or: [
      missing('legal_rep.id_valid_until'),
      {
        '>=': [
          v('legal_rep.id_valid_until'),
          { if: [{ '>': [v('bank.appointment_date'), v('today')] }, v('bank.appointment_date'), v('today')] },
        ],
      },
    ],
  },
  'no-false-commitment': { '!==': [v('applicant.attributes.false_commitment'), true] },
  'applies-if:housing-fund-registration': { '>': [v('company.staff_count'), 0] },
  'required-if:engraving-letter': agentIsNotLegalRep,
  'required-if:accounting-certificate': { '==': [v('tax.taxpayer_type'), '一般纳税人'] },
  'required-if:bank-authorisation': agentIsNotLegalRep,
};
/** The rules on each shareholder, given `{ element, form }` as the bundle's list rules see
 * them: the derived share of the capital, and the check of a typed one against it. */
const capital = v('form.company.registered_capital');
const computedShare = { '/': [{ '*': [v('element.subscribed_amount'), 100] }, capital] };
export const ELEMENT_RULES = {
  'derive:shareholders[].share_percent': {
    if: [
      { or: [{ '==': [v('element.subscribed_amount'), null] }, { '==': [capital, null] }, { '<=': [capital, 0] }] },
      null,
      { round_to: [computedShare, 2] },
    ],
  },
  'check:share-percent-matches-capital': {
    or: [
      { '==': [v('element.share_percent'), null] },
      { '==': [v('element.subscribed_amount'), null] },
      { '==': [capital, null] },
      { '<=': [capital, 0] },
      { '<=': [{ max: [{ '-': [v('element.share_percent'), computedShare] }, { '-': [computedShare, v('element.share_percent')] }] }, 0.01] },
    ],
  },
};
/** The rules whose failure is a reason of a decision (the rest are conditions). */
const ELIGIBILITY = [
  'name-available', 'legal-rep-adult', 'legal-rep-not-barred', 'contribution-within-five-years', 'licensed-activities',
  'd-credit-invoices', 'insured-from-incorporation', 'equal-contribution-rates', 'legal-rep-id-valid', 'no-false-commitment',
];

/** `{"a.b": 1}` → `{a: {b: 1}}`. */
function nest(values) {
  const out = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.');
    let o = out;
    for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]] ??= {};
    o[parts[parts.length - 1]] = value;
  }
  return out;
}

/** The peer's decision: ajv's validation, then every rule's verdict. */
function peerEvaluate(validate, submission, today) {
  const valid = validate(submission.values);
  const data = nest(submission.values);
  data.applicant = submission.applicant ?? {};
  data.materials = submission.materials ?? {};
  data.today = today;
  data.legal_rep ??= {};
  data.legal_rep.age = jsonLogic.apply(RULES['derive:legal_rep.age'], data);
  data.legal_rep.gender ??= jsonLogic.apply(RULES['derive:legal_rep.gender'], data);
  const verdicts = {};
  const values = {};
  for (const [id, logic] of Object.entries(RULES)) {
    if (id.startsWith('derive:')) continue; // applied above, once
    values[id] = jsonLogic.apply(logic, data);
    verdicts[id] = jsonLogic.truthy(values[id]);
  }
  const elements = Array.isArray(data.shareholders) ? data.shareholders : [];
  elements.forEach((element, i) => {
    const context = { element, form: data };
    for (const [id, logic] of Object.entries(ELEMENT_RULES)) {
      values[`${id}[${i}]`] = jsonLogic.apply(logic, context);
      verdicts[`${id}[${i}]`] = jsonLogic.truthy(values[`${id}[${i}]`]);
    }
  });
  return { valid, errors: validate.errors, verdicts, values };
}

// ---------------------------------------------------------------------------------------

async function flavour(dir) {
  const file = join(PKG, 'dist', dir, 'onething_wasm.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  const glue = await import(file);
  if (typeof glue.initSync === 'function') {
    glue.initSync({ module: readFileSync(join(PKG, 'dist', dir, 'onething_wasm_bg.wasm')) });
  }
  return glue;
}

const criterion = new Criterion(ROOT);
const native = (id) => criterion.median(id);

const impls = { node: await flavour('node'), web: await flavour('web') };
const cases = {}; // case → implementation → function
const checks = [];
for (const name of FIXTURES) {
  const { date } = meta(name);
  const submissions = Object.fromEntries(jsonFiles(name, 'submissions').map(([s, t]) => [s, JSON.parse(t)]));
  const full = submissions['valid-full'];
  const bundles = Object.fromEntries(Object.entries(impls).map(([k, m]) => [k, new m.Bundle(packedText(name))]));
  // ajv, one validator per set of applicable items (the form the module validates against).
  const ajv = peerAjv();
  const forms = new Map();
  const validatorFor = (submission) => {
    const applicable = bundles.node.validate(submission).applicable;
    const key = applicable.join(' ');
    if (!forms.has(key)) forms.set(key, ajv.compile(bundles.node.formFor(applicable)));
    return forms.get(key);
  };
  // The peer agrees with the module on which submissions are valid.
  for (const [s, submission] of Object.entries(submissions)) {
    const ours = bundles.node.validate(submission).valid;
    const theirs = validatorFor(submission)(submission.values);
    if (ours !== theirs) checks.push(`${name}/${s}: validate says ${ours}, ajv ${theirs}`);
  }
  const validate = validatorFor(full);
  cases[`validate/${name}`] = {
    node: () => bundles.node.validate(full),
    web: () => bundles.web.validate(full),
    peer: () => validate(full.values),
  };
  cases[`evaluate/${name}`] = {
    node: () => bundles.node.evaluate(full, date),
    web: () => bundles.web.evaluate(full, date),
  };
  if (name === 'business-startup') {
    // The rules agree with the decisions on every decision case.
    for (const [c, text] of jsonFiles(name, 'decisions')) {
      const submission = JSON.parse(text);
      const decision = bundles.node.evaluate(submission, date);
      // Reasons given by rules (not `depends_on`: an item refused because one it depends on was).
      const reasons = new Set(
        decision.items.flatMap((i) => (i.reasons ?? []).map((r) => r.rule)).filter((r) => r && r !== 'depends_on'),
      );
      const { verdicts, values } = peerEvaluate(validatorFor(submission), submission, date);
      const failing = new Set(ELIGIBILITY.filter((r) => !verdicts[r]));
      const same = reasons.size === failing.size && [...reasons].every((r) => failing.has(r));
      if (!same) checks.push(`${name}/${c}: the decision's reasons are ${[...reasons]}, json-logic fails ${[...failing]}`);
      // The consistency checks: the deficiencies `check:<rule>` (`[i]` for a shareholder).
      const inconsistent = decision.deficiencies
        .map((d) => d.id)
        .filter((id) => id.startsWith('check:'))
        .sort();
      const failingChecks = Object.keys(verdicts)
        .filter((id) => id.startsWith('check:') && !verdicts[id])
        .sort();
      if (String(inconsistent) !== String(failingChecks)) {
        checks.push(`${name}/${c}: the decision's checks failing are ${inconsistent}, json-logic's ${failingChecks}`);
      }
      // The obligation: as many payments as the decision lists, when the registration is accepted.
      const registration = decision.items.find((i) => i.item === 'company-registration');
      const owed = registration.obligations?.length ?? 0;
      const peerOwed = values['obligation:subscribed-capital-paid-in']?.length ?? 0;
      if (registration.obligations && owed !== peerOwed) {
        checks.push(`${name}/${c}: the decision lists ${owed} obligations, json-logic ${peerOwed}`);
      }
    }
    cases[`evaluate/${name}`].peer = () => peerEvaluate(validate, full, date);
  }
}
if (checks.length > 0) {
  console.error(`the peer does not do the module's work:\n  ${checks.join('\n  ')}`);
  process.exit(1);
}

// Warm-up (V8's optimising tier for the JavaScript and the WebAssembly alike), then rounds.
for (const fns of Object.values(cases)) {
  for (const f of Object.values(fns)) {
    const t = Date.now();
    while (Date.now() - t < 300) f();
  }
}
const results = Object.fromEntries(
  Object.entries(cases).map(([c, fns]) => [c, Object.fromEntries(Object.keys(fns).map((k) => [k, []]))]),
);
for (let r = 0; r < ROUNDS; r++) {
  for (const [c, fns] of Object.entries(cases)) {
    for (const [k, f] of Object.entries(fns)) results[c][k].push(time(f));
  }
}

const us = (ns) => (ns === undefined ? '' : `${(ns / 1e3).toFixed(1)}`);
const ratio = (a, b) => (a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}×`);
console.table(
  Object.fromEntries(
    Object.entries(results).map(([c, r]) => {
      const [node, web, peer, nat] = [median(r.node), median(r.web), r.peer && median(r.peer), native(c)];
      return [
        c,
        {
          'native µs': us(nat),
          'node µs': us(node),
          'web µs': us(web),
          'peer µs': us(peer),
          'node÷native': ratio(node, nat),
          'web÷native': ratio(web, nat),
          'node÷peer': ratio(node, peer),
          'web÷peer': ratio(web, peer),
        },
      ];
    }),
  ),
);
const version = (p) => JSON.parse(readFileSync(join(PKG, 'node_modules', p, 'package.json'), 'utf8')).version;
console.log(`medians of ${ROUNDS} rounds, µs; peer = ajv ${version('ajv')} + json-logic-js ${version('json-logic-js')}`);
criterion.note(join(PKG, 'dist', 'node', 'onething_wasm_bg.wasm'));
