//! Evaluating a submission: which items apply, who is eligible, what is missing, and
//! whether it can be accepted — at once, on a given date.
//!
//! The rules follow the provincial regulations on fault-tolerant acceptance (容缺受理) and
//! notify-and-commit (告知承诺):
//!
//! 1. an item that does not apply is `not_applicable`; a rule that cannot be evaluated makes
//!    its item `manual_review` (other items are still decided), and so does a derived value
//!    it depends on that could not be computed, or a prerequisite item a failing rule left
//!    undecided — a failing rule never makes an outcome more favourable (fail closed);
//! 2. eligibility first: a failed eligibility rule (the item's or the bundle's) makes the item
//!    `rejected`;
//! 3. every wrong or missing field and every missing material is a deficiency, listed once
//!    for all the items needing it (一次性告知): the item is `correction_required`;
//! 4. a material with status `committed` is accepted in place of the material when the
//!    material allows it, the bundle's policy does, and the applicant is not on a dishonesty
//!    list: `accepted_on_commitment`;
//! 5. missing **tolerable secondary** materials are accepted when everything else is in
//!    order (eligible, all primary materials present, no field wrong), the applicant signed
//!    the tolerance commitment, is not on a dishonesty list, and the bundle's policy agrees:
//!    `accepted_with_tolerance`, with a deadline in working days that never exceeds the
//!    item's committed time limit. Otherwise they are deficiencies too (marked tolerable);
//! 6. an item is decided after the items it depends on (`depends_on`, evidence it
//!    consumes): a rejected prerequisite rejects it, and one that awaits a correction holds
//!    it back — it is `correction_required` too, naming the prerequisite, with its own
//!    deficiencies listed alongside (its department cannot act on what it has not received),
//!    and no tolerance yet: a missing tolerable material is listed as one that may follow
//!    once the prerequisite is corrected.
//!
//! ```
//! use onething::{load, CompiledBundle, Date, Submission};
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/restaurant-opening");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let s = Submission::from_json(&std::fs::read_to_string(dir.join("submissions/valid-small.json"))?)?;
//! let decision = compiled.evaluate(&s, "2026-03-02".parse::<Date>()?);
//! assert!(decision.outcome.is_accepted(), "{:?}", decision.deficiencies);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::base::calendar::{Basis, Calendar};
use crate::base::date::Date;
use crate::base::text::Text;
use crate::compile::CompiledBundle;
use crate::compile::items::PerItem;
use crate::compile::rulebook::{CompiledCheck, CompiledRule};
use crate::model::bundle::{DayCount, ItemIx, Material, MaterialKind, Period};
use crate::model::decision::{
    Decision, Deficiency, DeficiencyKind, ItemDecision, Obligation, Outcome, ReadValues, Reason, ReasonRule,
    RuleKind, Supplement, TraceEntry,
};
use crate::model::submission::{MaterialStatus, Submission, TOLERANCE_COMMITMENT};
use crate::model::validation::FieldError;
use crate::rules::{self, Limits, Sandbox, ScriptError, Session, Vars};

/// What a decision says when a supplement deadline falls in a year the calendar does not
/// cover: how the deadline was counted, and that the year's arrangement may move it.
fn uncovered(year: i32, basis: Basis) -> Text {
    if basis == Basis::Statutory {
        Text::new(
            format!(
                "工作日历未覆盖{year}年：补交期限按《全国年节及纪念日放假办法》规定的法定节假日和周末推算，当年的调休上班日和补休日尚不知道，以国务院公布的放假安排为准"
            ),
            format!(
                "the working-day calendar does not cover {year}: the supplement deadline counts the statutory holidays of the National Holidays Measures and weekends; that year's make-up working days and days off in lieu are not known yet, and the State Council's arrangement prevails"
            ),
        )
    } else {
        Text::new(
            format!("工作日历未覆盖{year}年，补交期限仅按周末推算"),
            format!(
                "the working-day calendar does not cover {year}: the supplement deadline counts weekends only"
            ),
        )
    }
}

/// The inputs of an evaluation besides the submission and the date.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Working-day calendar (default: the official PRC calendar).
    pub calendar: Arc<Calendar>,
    /// Sandbox limits for this call, instead of the bundle's (an engine is then built for
    /// the call: keep them in the bundle for repeated use).
    pub limits: Option<Limits>,
    /// Record the trace: every rule that ran, what it read and what it returned (default:
    /// yes). Without it `Decision::trace` is empty and everything else is the same; a
    /// decision is then cheaper to make and under a third of the size as JSON.
    pub trace: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions { calendar: Calendar::prc(), limits: None, trace: true }
    }
}

/// A material an item requires: its index in the item, the material, its status.
/// A material an item requires: its index in the item, the material (for a material of
/// each element of a list, one per element: see [`Material::for_each`]) and its status.
type Required<'b> = (usize, Cow<'b, Material>, Option<MaterialStatus>);

/// What a rule said.
#[derive(Clone)]
pub(crate) enum Verdict {
    Pass,
    Fail(Option<Text>),
    Error(ScriptError),
}

/// What a derive rule gave: a value (`None`: no value), or the error it failed with.
type Derived = Result<Option<Value>, ScriptError>;

/// Derived values computed earlier, with the values their rule read then (the wizard
/// keeps one across states).
#[derive(Debug, Default, Clone)]
pub(crate) struct DeriveMemo {
    entries: std::collections::HashMap<usize, (Vec<Option<Value>>, Derived)>,
    /// A column's derive rule `n` on element `index`: what it gave, with the element and the
    /// rule's other reads then (a set on one row reruns it on that row only).
    elements: std::collections::HashMap<(usize, usize), (ElementInputs, Derived)>,
    /// Derive rules run so far (for tests).
    pub runs: usize,
}

/// What a rule run on one element of a list depended on: the values of the keys it reads
/// through `form`, and the element (its index is part of the memo's key).
pub(crate) type ElementInputs = (Vec<Option<Value>>, Value);

impl DeriveMemo {
    /// What derive rule `n` gave on these inputs, if it ran on them last.
    fn get(&self, n: usize, inputs: &[Option<Value>]) -> Option<Derived> {
        self.entries.get(&n).filter(|(old, _)| old.as_slice() == inputs).map(|(_, v)| v.clone())
    }

    fn put(&mut self, n: usize, inputs: Vec<Option<Value>>, value: Derived) {
        self.runs += 1;
        self.entries.insert(n, (inputs, value));
    }

    /// What column derive rule `n` gave element `index` on these inputs, if it ran on them last.
    fn get_element(&self, n: usize, index: usize, reads: &[Option<Value>], row: &Value) -> Option<Derived> {
        let same =
            |((old_reads, old_row), _): &&(ElementInputs, Derived)| old_reads == reads && old_row == row;
        self.elements.get(&(n, index)).filter(same).map(|(_, v)| v.clone())
    }

    fn put_element(&mut self, n: usize, index: usize, inputs: ElementInputs, value: Derived) {
        self.runs += 1;
        self.elements.insert((n, index), (inputs, value));
    }

    /// Forgets everything (the rules' other inputs changed).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.elements.clear();
    }
}

/// A submission made ready for rules: derived fields filled in; the rule session opens
/// when the first rule runs (a bundle without rules never pays for one).
pub(crate) struct Prepared<'s> {
    /// Canonical values, derived form fields included.
    pub values: Cow<'s, Value>,
    /// What derive rules gave keys that are no form field (only rules read them; `None`: no
    /// value, whatever the submission says). Kept apart so that a derivation does not copy
    /// the whole submission.
    rule_only: Vec<(String, Option<Value>)>,
    submission: &'s Submission,
    date: Option<Date>,
    options: EvalOptions,
    sandbox: Sandbox,
    session: Option<Session>,
    /// Trace entries, when tracing.
    pub trace: Option<Vec<TraceEntry>>,
    /// Derived keys without a trustworthy value: their rule failed, or read a key that
    /// failed. Whatever depends on one is not decided automatically (fail closed).
    pub failed: Vec<FailedDerive>,
}

/// A derived key whose rule failed (or read a key whose rule failed).
#[derive(Debug, Clone)]
pub(crate) struct FailedDerive {
    /// The derived key.
    pub key: String,
    /// The derive rule's id.
    pub rule: String,
    /// Why.
    pub error: ScriptError,
}

impl FailedDerive {
    /// What to tell the applicant about the field titled `title`.
    pub fn message(&self, title: &Text) -> Text {
        if let Some(t) = &self.error.thrown {
            return Text::new(
                format!("「{}」需人工审核：{}", title.zh, t.zh),
                format!("{}: an official must decide: {}", title.en, t.en),
            );
        }
        Text::new(
            format!("「{}」无法自动计算，需人工审核", title.zh),
            format!("{} could not be computed automatically; an official must decide", title.en),
        )
    }
}

impl Prepared<'_> {
    /// The value rules see for `key`: a rule-only key's derived value, else the submission's
    /// (or a derived field's).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self.rule_only.iter().find(|(k, _)| k == key) {
            Some((_, v)) => v.as_ref(),
            None => self.values.get(key),
        }
    }

    /// The values of the keys `rule` reads through `form`, what a reuse of its result is
    /// keyed on; `None` when it computes keys (it may read any).
    pub(crate) fn inputs(&self, rule: &CompiledRule) -> Option<Vec<Option<Value>>> {
        (!rule.reads.dynamic).then(|| rule.reads.keys.iter().map(|(k, ..)| self.get(k).cloned()).collect())
    }

    /// Records a derived value: in the values when `key` is a form field, else apart; and in
    /// the rule session, if one is open.
    fn set_derived(&mut self, key: &str, is_field: bool, derived: Option<Value>) {
        if is_field {
            // A field reaches here only without a value: nothing to do unless one was derived.
            let Some(v) = derived else { return };
            if let Some(session) = self.session.as_mut() {
                session.set_form_value(key, Some(&v));
            }
            if let Some(map) = self.values.to_mut().as_object_mut() {
                map.insert(key.to_owned(), v);
            }
            return;
        }
        if let Some(session) = self.session.as_mut() {
            session.set_form_value(key, derived.as_ref());
        }
        match self.rule_only.iter_mut().find(|(k, _)| k == key) {
            Some((_, slot)) => *slot = derived,
            None => self.rule_only.push((key.to_owned(), derived)),
        }
    }
}

impl CompiledBundle {
    /// Decides on a submission on a date.
    pub fn evaluate(&self, s: &Submission, date: Date) -> Decision {
        self.evaluate_with(s, date, &EvalOptions::default())
    }

    /// The sandbox rules run in: the bundle's, or one for the call's own limits.
    fn sandbox(&self, opts: &EvalOptions) -> Sandbox {
        match opts.limits {
            Some(limits) if limits != *self.rulebook.sandbox.limits() => Sandbox::new(limits),
            _ => self.rulebook.sandbox.clone(),
        }
    }

    /// Fills in derived fields and opens the rule session (`today` is `date`).
    pub(crate) fn prepare<'s>(
        &self,
        s: &'s Submission,
        date: Option<Date>,
        opts: &EvalOptions,
        trace: bool,
    ) -> Prepared<'s> {
        self.prepare_memo(s, date, opts, trace, None)
    }

    /// [`CompiledBundle::prepare`], reusing a derived value from `memo` while the values its
    /// rule reads are unchanged (the wizard: the materials, commitments, applicant facts and
    /// date, which a rule may also read, are the memo owner's to watch).
    pub(crate) fn prepare_memo<'s>(
        &self,
        s: &'s Submission,
        date: Option<Date>,
        opts: &EvalOptions,
        trace: bool,
        mut memo: Option<&mut DeriveMemo>,
    ) -> Prepared<'s> {
        let mut p = Prepared {
            values: Cow::Borrowed(&s.values),
            rule_only: Vec::new(),
            submission: s,
            date,
            options: opts.clone(),
            sandbox: self.sandbox(opts),
            session: None,
            // Sized for every rule at once: a growing trace reallocates its large entries.
            trace: trace.then(|| Vec::with_capacity(self.rule_count)),
            failed: Vec::new(),
        };
        // One session for the derive rules and every rule after them: the submission is
        // converted to Rhai values once per evaluation, and each derived value is set in it.
        for (n, (key, rule)) in self.rulebook.derive.iter().enumerate() {
            if let Some((list, column)) = key.split_once("[].") {
                self.derive_each(&mut p, (n, rule), (list, column), memo.as_deref_mut());
                continue;
            }
            // A form field the applicant filled keeps its value; a key only rules read is
            // always computed (a submission cannot forge it).
            let is_field = self.keys.contains_key(key);
            if is_field && p.values.get(key).is_some_and(|v| !v.is_null()) {
                continue;
            }
            let inputs = memo.is_some().then(|| p.inputs(rule)).flatten();
            let known = match (&memo, &inputs) {
                (Some(m), Some(inputs)) => m.get(n, inputs),
                _ => None,
            };
            let derived = match known {
                Some(v) => v,
                None => {
                    let run = self.session(&mut p).run(&rule.ast);
                    let traced =
                        p.trace.is_some().then(|| entry(rule, RuleKind::Derive, None, None, &run, &p));
                    if let (Some(t), Some(e)) = (p.trace.as_mut(), traced) {
                        t.push(e);
                    }
                    let v = run.value.map(|v| rules::to_json(&v).filter(|v| !v.is_null()));
                    if let (Some(m), Some(inputs)) = (memo.as_deref_mut(), inputs) {
                        m.put(n, inputs, v.clone());
                    }
                    v
                }
            };
            // A value computed from a failed one is no more trustworthy: both have none.
            let derived = match derived.and_then(|v| tainted_by(&p.failed, &rule.reads).map_or(Ok(v), Err)) {
                Ok(v) => v,
                Err(error) => {
                    p.failed.push(FailedDerive { key: key.clone(), rule: rule.id.clone(), error });
                    None
                }
            };
            p.set_derived(key, is_field, derived);
        }
        p
    }

    /// Runs a derive rule of a list's column (`members[].birth_date`) on each element whose
    /// column is blank, with `element` and `index` bound, and fills the column. A run that
    /// fails leaves the column blank and marks the list failed, as a failed derive of a
    /// field does (what reads the list is not decided on it). With a `memo` (the wizard), an
    /// element's value is reused while the element and the rule's other reads are unchanged.
    fn derive_each(
        &self,
        p: &mut Prepared<'_>,
        (rule_ix, rule): (usize, &CompiledRule),
        (list, column): (&str, &str),
        mut memo: Option<&mut DeriveMemo>,
    ) {
        let Some(Value::Array(rows)) = p.values.get(list) else { return };
        // Owned: running a rule borrows `p` mutably.
        let blank: Vec<(usize, Value)> = rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.as_object().is_some_and(|r| r.get(column).is_none_or(Value::is_null)))
            .map(|(n, row)| (n, row.clone()))
            .collect();
        if blank.is_empty() {
            return;
        }
        let reads = memo.is_some().then(|| p.inputs(rule)).flatten();
        let mut filled = Vec::new();
        for (n, row) in blank {
            let known = match (&memo, &reads) {
                (Some(m), Some(reads)) => m.get_element(rule_ix, n, reads, &row),
                _ => None,
            };
            let derived = match known {
                Some(v) => v,
                None => {
                    let bound = element_bindings(rules::to_dynamic(&row), n);
                    let run = self.session(p).run_bound(&rule.ast, bound);
                    let traced =
                        p.trace.is_some().then(|| entry(rule, RuleKind::Derive, None, None, &run, p));
                    if let (Some(t), Some(e)) = (p.trace.as_mut(), traced) {
                        t.push(e);
                    }
                    let v = run.value.map(|v| rules::to_json(&v).filter(|v| !v.is_null()));
                    if let (Some(m), Some(reads)) = (memo.as_deref_mut(), &reads) {
                        m.put_element(rule_ix, n, (reads.clone(), row), v.clone());
                    }
                    v
                }
            };
            match derived {
                Ok(Some(v)) => filled.push((n, v)),
                Ok(None) => {}
                Err(error) => {
                    p.failed.push(FailedDerive { key: list.to_owned(), rule: rule.id.clone(), error })
                }
            }
        }
        if filled.is_empty() {
            return;
        }
        let Some(Value::Array(rows)) = p.values.to_mut().as_object_mut().and_then(|m| m.get_mut(list)) else {
            return;
        };
        for (n, v) in filled {
            if let Some(row) = rows.get_mut(n).and_then(Value::as_object_mut) {
                row.insert(column.to_owned(), v);
            }
        }
        let rows = Value::Array(rows.clone());
        if let Some(session) = p.session.as_mut() {
            session.set_form_value(list, Some(&rows));
        }
    }

    /// The rule session of `p`, opened on first use.
    fn session<'p>(&self, p: &'p mut Prepared<'_>) -> &'p mut Session {
        p.session.get_or_insert_with(|| {
            let s = p.submission;
            let vars = Vars::with_form(
                self.rule_form(&p.values, &p.rule_only),
                p.date,
                Arc::clone(&p.options.calendar),
            )
            .material_statuses(s.materials.iter().map(|(k, status)| (k.as_str(), status.as_str())))
            .applicant_facts(s.applicant.dishonest, &s.applicant.attributes)
            .commitments(s.commitments.clone());
            Session::new(&p.sandbox, vars)
        })
    }

    /// `form` as rules see it: the values rules read (all of them when some rule computes
    /// the keys it reads), derived ones included, converted to Rhai values.
    fn rule_form(&self, values: &Value, rule_only: &[(String, Option<Value>)]) -> rhai::Map {
        let empty = Map::new();
        let values = values.as_object().unwrap_or(&empty);
        let mut form: rhai::Map = match &self.rule_keys {
            None => rules::to_rhai_map(values),
            Some(keys) => keys
                .iter()
                .filter_map(|k| values.get(k).map(|v| (k.as_str().into(), rules::to_dynamic(v))))
                .collect(),
        };
        for (k, v) in rule_only {
            match v {
                Some(v) => form.insert(k.as_str().into(), rules::to_dynamic(v)),
                None => form.remove(k.as_str()),
            };
        }
        form
    }

    /// Runs one rule, tracing it.
    pub(crate) fn run_rule(
        &self,
        p: &mut Prepared<'_>,
        rule: &CompiledRule,
        kind: RuleKind,
        item: Option<ItemIx>,
        material: Option<&str>,
    ) -> Verdict {
        self.run_traced(p, rule, (kind, item, material), verdict)
    }

    /// Runs one rule, tracing it, and reads what it returned with `interpret`: a rule that
    /// ran but returned something `interpret` refuses failed too, and its trace says so.
    fn run_traced<T: Interpreted>(
        &self,
        p: &mut Prepared<'_>,
        rule: &CompiledRule,
        (kind, item, material): (RuleKind, Option<ItemIx>, Option<&str>),
        interpret: impl FnOnce(Result<rhai::Dynamic, ScriptError>) -> T,
    ) -> T {
        self.run_traced_bound(p, rule, (kind, item, material), Vec::new(), interpret)
    }

    /// [`Self::run_traced`], with constants bound for the run (a list's `element`, `index`).
    fn run_traced_bound<T: Interpreted>(
        &self,
        p: &mut Prepared<'_>,
        rule: &CompiledRule,
        (kind, item, material): (RuleKind, Option<ItemIx>, Option<&str>),
        bindings: Vec<(&'static str, rhai::Dynamic)>,
        interpret: impl FnOnce(Result<rhai::Dynamic, ScriptError>) -> T,
    ) -> T {
        let run = self.session(p).run_bound(&rule.ast, bindings);
        let mut traced = p.trace.is_some().then(|| {
            let item = item.map(|i| self.items.get(i).id.clone());
            entry(rule, kind, item, material.map(str::to_owned), &run, p)
        });
        let v = interpret(run.value);
        if let (Some(t), Some(mut e)) = (p.trace.as_mut(), traced.take()) {
            if let (None, Some(err)) = (&e.error, v.error()) {
                e.error = Some(err.clone());
            }
            t.push(e);
        }
        v
    }

    /// The obligations of accepted item `i`, from its obligation rules, added to
    /// `decision`; a rule that fails, or returns what is not an obligation, sends the item
    /// to manual review (the returned decision): an accepted item without what it owes
    /// would be more favourable than the policy.
    fn obligations(
        &self,
        p: &mut Prepared<'_>,
        d: &mut Deciding<'_>,
        decision: &mut ItemDecision,
        i: ItemIx,
    ) -> Result<(), ItemDecision> {
        match self.item_obligations(p, i) {
            Ok(list) => decision.obligations = list,
            Err((rule, e)) => {
                return Err(d.rule_failed(i, ReasonRule::Rule(rule.id.clone()), &subject(rule), &e));
            }
        }
        Ok(())
    }

    /// What item `i`'s obligation rules oblige the applicant to do, or the first rule that
    /// failed (or returned what is not an obligation) with its error.
    pub(crate) fn item_obligations(
        &self,
        p: &mut Prepared<'_>,
        i: ItemIx,
    ) -> Result<Vec<Obligation>, (&CompiledRule, ScriptError)> {
        let mut out = Vec::new();
        for rule in &self.items.get(i).rules.obligations {
            let what = (RuleKind::Obligation, Some(i), None);
            let list = self.run_traced(p, rule, what, |v| crate::run::obligations::read(rule, v));
            out.extend(list.map_err(|e| (rule, e))?);
        }
        Ok(out)
    }

    /// Decides on a submission on a date, with explicit options.
    pub fn evaluate_with(&self, s: &Submission, date: Date, opts: &EvalOptions) -> Decision {
        self.decide(s, date, opts, false)
    }

    /// Runs every visibility rule (`visible_if`) on a submission, as the wizard would on
    /// these answers, and returns each one's field with its trace entry: what rule coverage
    /// reads, since a decision runs no visibility rule.
    pub(crate) fn visibility_trace(
        &self,
        s: &Submission,
        date: Date,
        opts: &EvalOptions,
    ) -> Vec<(String, TraceEntry)> {
        let mut p = self.prepare(s, Some(date), opts, true);
        let mut out = Vec::with_capacity(self.rulebook.visible_if.len());
        for (key, rule) in &self.rulebook.visible_if {
            self.run_rule(&mut p, rule, RuleKind::VisibleIf, None, None);
            if let Some(entry) = p.trace.as_mut().and_then(Vec::pop) {
                out.push((key.clone(), entry));
            }
        }
        out
    }

    /// Decides; with `every_material`, also records the materials of the applicable items
    /// whose materials the decision did not reach (what the one-time notice lists).
    pub(crate) fn decide(
        &self,
        s: &Submission,
        date: Date,
        opts: &EvalOptions,
        every_material: bool,
    ) -> Decision {
        let mut p = self.prepare(s, Some(date), opts, opts.trace);
        let checked = self.check_prepared(s, &mut p);
        let mut d = Deciding::new(self, s, date, opts, &checked.validation.errors);
        for e in &checked.validation.errors {
            if e.keyword == "bundle" {
                d.bundle_reasons.push(Reason { rule: Some(ReasonRule::Bundle), message: e.message.clone() });
            }
        }
        let bundle_failures = self.bundle_rules(&mut p);
        let bundle_checks = self.bundle_checks(&mut p, &checked.validation.errors);
        let mut decided: PerItem<Option<ItemDecision>> = self.items.map(|_, _| None);
        for &i in self.graph.order() {
            let applies = checked.applicability.items.contains(&i);
            let outcome = if let Some(e) =
                checked.applicability.failures.iter().find(|(f, _)| *f == i).map(|(_, e)| e)
            {
                d.rule_failed(i, ReasonRule::AppliesIf, &self.applies_subject(i), e)
            } else if let Some(f) = self.failed_input(i, &p.failed, applies) {
                d.manual(i, self.derive_reason(f), f.error.thrown.is_none())
            } else if !applies {
                d.item(i, Outcome::NotApplicable)
            } else {
                let prerequisite = self.prerequisite_reason(i, &decided, &d.unsettled);
                match prerequisite {
                    Some((Outcome::ManualReview, reason)) => d.manual(i, reason, true),
                    _ => {
                        let facts = Facts { bundle: &bundle_failures, checks: &bundle_checks, prerequisite };
                        self.decide_item(&mut p, &mut d, s, i, facts)
                    }
                }
            };
            *decided.get_mut(i) = Some(outcome);
        }
        d.items = decided.into_values().flatten().collect();
        if every_material {
            self.required_elsewhere(&mut p, &mut d);
        }
        d.finish(checked.validation.warnings, p.trace.unwrap_or_default())
    }

    /// Records the materials of the applicable items the decision did not reach the
    /// materials of (rejected, sent to manual review): the one-time notice lists them too.
    /// Their `required_if` rules run after every item is decided, outside the trace, and one
    /// that cannot be evaluated counts its material as required.
    fn required_elsewhere(&self, p: &mut Prepared<'_>, d: &mut Deciding<'_>) {
        let trace = p.trace.take();
        // `d.items` holds every item, in bundle order.
        let pending: Vec<ItemIx> = self
            .items
            .indices()
            .zip(&d.items)
            .filter(|(i, x)| x.outcome != Outcome::NotApplicable && !*d.reached.get(*i))
            .map(|(i, _)| i)
            .collect();
        for i in pending {
            let states = self.material_states(p, d.s, i, OnRuleError::Require);
            d.required.extend(states.into_iter().flatten().map(|(j, m, _)| (i, j, m.reuse_key().to_owned())));
        }
        p.trace = trace;
    }

    /// The failed derived key item `i`'s decision depends on, if any: one its `applies_if`
    /// reads, or, when it applies, one it declares, or that its eligibility and material
    /// rules, the bundle's eligibility rules or (when it has a material it may tolerate) the
    /// acceptance policy read.
    fn failed_input<'f>(
        &self,
        i: ItemIx,
        failed: &'f [FailedDerive],
        applies: bool,
    ) -> Option<&'f FailedDerive> {
        if failed.is_empty() {
            return None;
        }
        let (book, own) = (&self.rulebook, &self.items.get(i).rules);
        let tolerates =
            self.declared(i).materials.iter().any(|m| m.kind == MaterialKind::Secondary && m.tolerable);
        failed.iter().find(|f| {
            let reads = |r: &CompiledRule| r.reads.dynamic || r.reads.keys.iter().any(|(k, ..)| *k == f.key);
            let condition = own.applies_if.as_ref().is_some_and(reads);
            let decided = || {
                self.keys.get(&f.key).is_some_and(|info| info.items.contains(&i))
                    || own.eligibility.iter().any(reads)
                    || own.required_if.iter().flatten().any(reads)
                    || own.checks.iter().any(|c| reads(&c.rule))
                    || book.checks.iter().any(|c| self.check_concerns(c, i) && reads(&c.rule))
                    || book.bundle.iter().any(reads)
                    || (tolerates && book.policy.as_ref().is_some_and(reads))
            };
            condition || (applies && decided())
        })
    }

    /// What item `i`'s `applies_if` decides, for the applicant: its title, else whether the
    /// item applies.
    fn applies_subject(&self, i: ItemIx) -> Text {
        if let Some(title) = self.items.get(i).rules.applies_if.as_ref().and_then(|r| r.title.clone()) {
            return title;
        }
        let item = &self.declared(i).title;
        Text::new(format!("「{}」是否适用", item.zh), format!("whether {} applies", item.en))
    }

    /// Why an item waits for an official: a value it depends on could not be derived.
    fn derive_reason(&self, f: &FailedDerive) -> Reason {
        let title = self
            .keys
            .get(&f.key)
            .map_or_else(|| Text::new(f.key.clone(), f.key.clone()), |k| k.title.clone());
        Reason { rule: Some(ReasonRule::Rule(f.rule.clone())), message: f.message(&title) }
    }

    /// A rejected prerequisite rejects the item too: its department could not act on it. A
    /// prerequisite that a failing rule left `unsettled` could still be rejected, so the item
    /// waits for an official too (fail closed: a rule that could not decide the prerequisite
    /// cannot let this one pass). A prerequisite awaiting a correction holds the item back
    /// (`CorrectionRequired`): it can be accepted only once the prerequisite is. A prerequisite
    /// under review on purpose (a rule's `throw`) does not hold the item up.
    fn prerequisite_reason(
        &self,
        i: ItemIx,
        decided: &PerItem<Option<ItemDecision>>,
        unsettled: &[ItemIx],
    ) -> Option<(Outcome, Reason)> {
        let prerequisites = self.graph.prerequisites(i);
        let rejected =
            |j: &&ItemIx| decided.get(**j).as_ref().is_some_and(|d| d.outcome == Outcome::Rejected);
        let to_correct =
            |j: &&ItemIx| decided.get(**j).as_ref().is_some_and(|d| d.outcome == Outcome::CorrectionRequired);
        let (j, outcome) = if let Some(&j) = prerequisites.iter().find(rejected) {
            (j, Outcome::Rejected)
        } else if let Some(&j) = prerequisites.iter().find(|j| unsettled.contains(j)) {
            (j, Outcome::ManualReview)
        } else {
            (*prerequisites.iter().find(to_correct)?, Outcome::CorrectionRequired)
        };
        let title = &self.declared(j).title;
        let message = match outcome {
            Outcome::Rejected => Text::new(
                format!("所依赖的事项「{}」不予受理，本事项无法办理", title.zh),
                format!("{} is rejected, and this item depends on it", title.en),
            ),
            Outcome::ManualReview => Text::new(
                format!("所依赖的事项「{}」需人工审核，本事项待其结果", title.zh),
                format!("{} waits for an official, and this item depends on it", title.en),
            ),
            _ => Text::new(
                format!("所依赖的事项「{}」需补正，本事项待其补正后受理", title.zh),
                format!("{} needs a correction first, and this item depends on it", title.en),
            ),
        };
        Some((outcome, Reason { rule: Some(ReasonRule::DependsOn), message }))
    }

    /// Runs the bundle's own eligibility rules once: their failures concern every item.
    fn bundle_rules(&self, p: &mut Prepared<'_>) -> Vec<Ruled<'_>> {
        self.rulebook.bundle.iter().flat_map(|r| self.run_eligibility(p, r, None)).collect()
    }

    /// Runs one eligibility rule: once, or once per element of its list (`for_each`), each
    /// verdict with the element's name.
    pub(crate) fn run_eligibility<'r>(
        &self,
        p: &mut Prepared<'_>,
        r: &'r CompiledRule,
        item: Option<ItemIx>,
    ) -> Vec<Ruled<'r>> {
        let verdicts = self.run_per_element(p, r, (RuleKind::Eligibility, item, None));
        let list = r.for_each.as_ref().map(|(list, _)| list.as_str());
        let name = |n: Option<usize>| Some(self.element_name(list?, n?));
        verdicts.into_iter().map(|(n, v)| (v, r, name(n))).collect()
    }

    /// Runs rule `r`: once (`None`), or once per element of its list (`for_each`), each
    /// verdict with the element's index. A list whose derive rule failed gives one error
    /// (fail closed: a column that could not be filled is no basis for a verdict).
    pub(crate) fn run_per_element(
        &self,
        p: &mut Prepared<'_>,
        r: &CompiledRule,
        (kind, item, material): (RuleKind, Option<ItemIx>, Option<&str>),
    ) -> Vec<(Option<usize>, Verdict)> {
        let Some((list, _)) = &r.for_each else {
            return vec![(None, self.run_rule(p, r, kind, item, material))];
        };
        if let Some(failed) = p.failed.iter().find(|f| f.key == *list) {
            return vec![(None, Verdict::Error(failed.error.clone()))];
        }
        let rows: Vec<rhai::Dynamic> = match p.get(list) {
            Some(Value::Array(rows)) => rows.iter().map(rules::to_dynamic).collect(),
            _ => Vec::new(),
        };
        let mut out = Vec::with_capacity(rows.len());
        for (n, row) in rows.into_iter().enumerate() {
            let bindings = element_bindings(row, n);
            out.push((Some(n), self.run_traced_bound(p, r, (kind, item, material), bindings, verdict)));
        }
        out
    }

    /// Rule `r` (one with `for_each`) on element `n` of its list, `row`.
    pub(crate) fn run_on_element(
        &self,
        p: &mut Prepared<'_>,
        r: &CompiledRule,
        what: (RuleKind, Option<ItemIx>, Option<&str>),
        n: usize,
        row: &Value,
    ) -> Verdict {
        self.run_traced_bound(p, r, what, element_bindings(rules::to_dynamic(row), n), verdict)
    }

    /// Runs the bundle's consistency checks once (those whose fields all have valid values).
    fn bundle_checks(&self, p: &mut Prepared<'_>, errors: &[FieldError]) -> Vec<Checked<'_>> {
        self.rulebook.checks.iter().flat_map(|c| self.run_check(p, c, None, errors)).collect()
    }

    /// Runs a consistency check of item `item` (or of the bundle), unless a field it names
    /// has no value or one the form rejects (see [`check_ready`]); a check of each element
    /// (`for_each`) on each element whose named columns have valid values.
    pub(crate) fn run_check<'c>(
        &self,
        p: &mut Prepared<'_>,
        c: &'c CompiledCheck,
        item: Option<ItemIx>,
        errors: &[FieldError],
    ) -> Vec<Checked<'c>> {
        let Some((list, _)) = &c.rule.for_each else {
            if !check_ready(p, c, errors) {
                return Vec::new();
            }
            return vec![(self.run_rule(p, &c.rule, RuleKind::Check, item, None), c, None)];
        };
        if let Some(failed) = p.failed.iter().find(|f| f.key == *list) {
            return vec![(Verdict::Error(failed.error.clone()), c, None)];
        }
        let rows: Vec<(usize, rhai::Dynamic)> = match p.get(list) {
            Some(Value::Array(rows)) => rows
                .iter()
                .enumerate()
                .filter(|(n, row)| element_ready(c, list, *n, row, errors))
                .map(|(n, row)| (n, rules::to_dynamic(row)))
                .collect(),
            _ => Vec::new(),
        };
        let mut out = Vec::with_capacity(rows.len());
        for (n, row) in rows {
            let what = (RuleKind::Check, item, None);
            let v = self.run_traced_bound(p, &c.rule, what, element_bindings(row, n), verdict);
            out.push((v, c, Some(n)));
        }
        out
    }

    /// Item `i`'s consistency: its own checks, and the bundle's (`bundle`) naming a field it
    /// declares. Each failure lists the fields to correct as a deficiency of `decision`; a
    /// check that cannot run sends the item to manual review (the returned decision).
    fn consistency(
        &self,
        p: &mut Prepared<'_>,
        d: &mut Deciding<'_>,
        decision: &mut ItemDecision,
        i: ItemIx,
        bundle: &[Checked<'_>],
    ) -> Result<(), ItemDecision> {
        let concerns = |c: &CompiledCheck| self.check_concerns(c, i);
        let own = self.items.get(i).rules.checks.iter();
        let own: Vec<Checked<'_>> = own.flat_map(|c| self.run_check(p, c, Some(i), d.errors)).collect();
        for (v, c, element) in bundle.iter().filter(|(_, c, _)| concerns(c)).chain(&own) {
            let list = c.rule.for_each.as_ref().map_or("", |(l, _)| l.as_str());
            let name = element.map(|n| self.element_name(list, n));
            match v {
                Verdict::Pass => {}
                Verdict::Error(e) => {
                    let what = about(name.as_ref(), subject(&c.rule));
                    return Err(d.rule_failed(i, ReasonRule::Rule(c.rule.id.clone()), &what, e));
                }
                Verdict::Fail(reason) => {
                    let id = d.check(c, reason.as_ref(), &decision.item, element.zip(name));
                    if !decision.deficiencies.contains(&id) {
                        decision.deficiencies.push(id);
                    }
                }
            }
        }
        Ok(())
    }

    /// Does a bundle check concern item `i`: does the item declare a field it names (for a
    /// list's column, the list)?
    pub(crate) fn check_concerns(&self, c: &CompiledCheck, i: ItemIx) -> bool {
        let field = |k: &str| k.split_once("[].").map_or(k, |(list, _)| list).to_owned();
        c.fields.iter().any(|k| self.keys.get(&field(k)).is_some_and(|info| info.items.contains(&i)))
    }

    /// `title` of element `n` of list `list`: 第2位股东的身份证 / ID card of shareholder 2.
    pub(crate) fn element_title(&self, list: &str, n: usize, title: &Text) -> Text {
        let name = self.element_name(list, n);
        Text::new(format!("{}的{}", name.zh, title.zh), format!("{} of {}", title.en, name.en))
    }

    /// The name of element `n` (from 0) of list `list`: 第2位股东 / shareholder 2.
    pub(crate) fn element_name(&self, list: &str, n: usize) -> Text {
        self.keys
            .get(list)
            .map_or_else(|| Text::new(format!("{list}[{n}]"), format!("{list}[{n}]")), |k| k.element_name(n))
    }

    fn decide_item(
        &self,
        p: &mut Prepared<'_>,
        d: &mut Deciding<'_>,
        s: &Submission,
        i: ItemIx,
        facts: Facts<'_, '_>,
    ) -> ItemDecision {
        let Facts { bundle, checks, prerequisite } = facts;
        // Eligibility first: the bundle's rules, then the item's.
        let mut rejected = Vec::new();
        let own: Vec<Ruled<'_>> = self
            .items
            .get(i)
            .rules
            .eligibility
            .iter()
            .flat_map(|r| self.run_eligibility(p, r, Some(i)))
            .collect();
        for (v, rule, element) in bundle.iter().chain(own.iter()) {
            match v {
                Verdict::Pass => {}
                Verdict::Error(e) => {
                    let what = about(element.as_ref(), subject(rule));
                    return d.rule_failed(i, ReasonRule::Rule(rule.id.clone()), &what, e);
                }
                Verdict::Fail(reason) => rejected.push(Reason {
                    rule: Some(ReasonRule::Rule(rule.id.clone())),
                    message: about(element.as_ref(), failure_text(rule, reason.as_ref())),
                }),
            }
        }
        let (rejecting, holding) = match prerequisite {
            Some((Outcome::Rejected, reason)) => (Some(reason), None),
            other => (None, other.map(|(_, reason)| reason)),
        };
        rejected.extend(rejecting);
        if !rejected.is_empty() {
            let mut decision = d.item(i, Outcome::Rejected);
            decision.reasons = rejected;
            return decision;
        }
        let mut decision = d.item(i, Outcome::Accepted);
        d.field_deficiencies(&mut decision);
        if let Err(failed) = self.consistency(p, d, &mut decision, i, checks) {
            return failed;
        }
        let materials = match self.material_states(p, s, i, OnRuleError::Stop) {
            Ok(m) => m,
            Err((rule, what, e)) => return d.rule_failed(i, rule, &what, &e),
        };
        d.required.extend(materials.iter().map(|(j, m, _)| (i, *j, m.reuse_key().to_owned())));
        *d.reached.get_mut(i) = true;
        // Held back: no tolerance yet (it is granted at acceptance), so the reason goes
        // first, where the materials' settling sees it.
        let held = holding.is_some();
        decision.reasons.extend(holding);
        d.materials(&mut decision, i, &materials, p);
        if held && decision.outcome.is_accepted() {
            decision.outcome = Outcome::CorrectionRequired;
        }
        if decision.outcome.is_accepted() {
            if let Err(failed) = self.obligations(p, d, &mut decision, i) {
                return failed;
            }
        }
        decision
    }

    /// Each material the item requires on this submission, with its status.
    fn material_states(
        &self,
        p: &mut Prepared<'_>,
        s: &Submission,
        i: ItemIx,
        on_error: OnRuleError,
    ) -> Result<Vec<Required<'_>>, RuleFailure> {
        self.material_states_by(s, i, on_error, |_, m, rule| {
            self.run_per_element(p, rule, (RuleKind::RequiredIf, Some(i), Some(m.reuse_key())))
        })
    }

    /// [`CompiledBundle::material_states`] with the verdicts of material `j`'s (`m`'s)
    /// `required_if` rule from `verdicts` (one, or one per element for a material of each
    /// element): the one computation of which materials an item requires (the decision, the
    /// one-time notice and the wizard's checklist all come from it).
    fn material_states_by(
        &self,
        s: &Submission,
        i: ItemIx,
        on_error: OnRuleError,
        mut verdicts: impl FnMut(usize, &Material, &CompiledRule) -> Vec<(Option<usize>, Verdict)>,
    ) -> Result<Vec<Required<'_>>, RuleFailure> {
        let mut out = Vec::new();
        let rules = &self.items.get(i).rules;
        for (j, m) in self.declared(i).materials.iter().enumerate() {
            // Which of the material (`None`) or of its elements (`Some(n)`) are required.
            let required: Vec<Option<usize>> = match rules.required_if(j) {
                None => vec![None],
                Some(rule) => {
                    let mut required = Vec::new();
                    for (n, v) in verdicts(j, m, rule) {
                        match v {
                            Verdict::Pass => required.push(n),
                            Verdict::Fail(_) => {}
                            Verdict::Error(_) if on_error == OnRuleError::Require => required.push(n),
                            Verdict::Error(e) => return Err(required_if_failed(m, n, e, self)),
                        }
                    }
                    required
                }
            };
            let Some(list) = &m.for_each else {
                if !required.is_empty() {
                    out.push((j, Cow::Borrowed(m), s.materials.get(m.reuse_key()).copied()));
                }
                continue;
            };
            // `None` among them (no rule, or a rule that could not run per element): every element.
            let every = required.contains(&None);
            for (n, element) in self.element_materials(s, m, list).into_iter().enumerate() {
                if every || required.contains(&Some(n)) {
                    let status = s.materials.get(element.reuse_key()).copied();
                    out.push((j, Cow::Owned(element), status));
                }
            }
        }
        Ok(out)
    }

    /// Material `m` of each element of `list` in the submission (`id-card[1]`, titled
    /// 第2位股东的身份证 / "ID card of shareholder 2").
    pub(crate) fn element_materials(&self, s: &Submission, m: &Material, list: &str) -> Vec<Material> {
        let rows = s.values.get(list).and_then(Value::as_array).map_or(0, Vec::len);
        (0..rows)
            .map(|n| Material {
                id: format!("{}[{n}]", m.id),
                title: self.element_title(list, n, &m.title),
                reuse_key: Some(format!("{}[{n}]", m.reuse_key())),
                for_each: None,
                ..m.clone()
            })
            .collect()
    }

    /// The reuse keys of the materials the applicable items require on this submission
    /// (a material whose condition cannot be evaluated counts as required).
    pub(crate) fn required_materials(
        &self,
        p: &mut Prepared<'_>,
        s: &Submission,
        applicable: &[ItemIx],
    ) -> Vec<String> {
        self.required_materials_by(s, applicable, |i, _, m, rule| {
            self.run_per_element(p, rule, (RuleKind::RequiredIf, Some(i), Some(m.reuse_key())))
        })
    }

    /// [`CompiledBundle::required_materials`] with the verdict of item `i`'s material `j`'s
    /// `required_if` rule from `verdict` (the wizard's reuses earlier ones).
    pub(crate) fn required_materials_by(
        &self,
        s: &Submission,
        applicable: &[ItemIx],
        mut verdict: impl FnMut(ItemIx, usize, &Material, &CompiledRule) -> Vec<(Option<usize>, Verdict)>,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for i in applicable {
            let states =
                self.material_states_by(s, *i, OnRuleError::Require, |j, m, rule| verdict(*i, j, m, rule));
            for (_, m, _) in states.into_iter().flatten() {
                if !out.iter().any(|x| x == m.reuse_key()) {
                    out.push(m.reuse_key().to_owned());
                }
            }
        }
        out
    }
}

/// Why an item cannot be decided when material `m`'s `required_if` fails: on element `n`,
/// the element is named ("whether the ID card of heir 2 is needed").
fn required_if_failed(m: &Material, n: Option<usize>, e: ScriptError, b: &CompiledBundle) -> RuleFailure {
    let title = match (n, &m.for_each) {
        (Some(n), Some(list)) => b.element_title(list, n, &m.title),
        _ => m.title.clone(),
    };
    let what = Text::new(format!("是否需要「{}」", title.zh), format!("whether {} is needed", title.en));
    (ReasonRule::RequiredIf(m.id.clone()), what, e)
}

/// The error a rule reading `reads` inherits from a derived key that failed before it, if
/// it reads one (a rule computing the keys it reads may read any).
pub(crate) fn tainted_by(failed: &[FailedDerive], reads: &rules::Reads) -> Option<ScriptError> {
    let f = failed.iter().find(|f| reads.dynamic || reads.keys.iter().any(|(k, ..)| *k == f.key))?;
    Some(ScriptError::general(format!("reads `{}`, which could not be derived: {}", f.key, f.error)))
}

/// What is known about the whole submission when an item is decided.
struct Facts<'a, 'r> {
    /// The bundle's eligibility rules' verdicts.
    bundle: &'a [Ruled<'r>],
    /// The verdicts of the bundle's consistency checks that ran.
    checks: &'a [Checked<'r>],
    /// What a prerequisite item's outcome does to this one, and why: `Rejected` rejects it,
    /// `CorrectionRequired` holds it back.
    prerequisite: Option<(Outcome, Reason)>,
}

/// What a rule's interpreted result says about a failure, for the trace.
pub(crate) trait Interpreted {
    /// The error, when the rule failed or returned what it should not.
    fn error(&self) -> Option<&ScriptError>;
}

impl Interpreted for Verdict {
    fn error(&self) -> Option<&ScriptError> {
        match self {
            Verdict::Error(e) => Some(e),
            _ => None,
        }
    }
}

impl<T> Interpreted for Result<T, ScriptError> {
    fn error(&self) -> Option<&ScriptError> {
        self.as_ref().err()
    }
}

/// Interprets what a rule returned: `true`, `false`, or `#{ ok, reason }`.
pub(crate) fn verdict(value: Result<rhai::Dynamic, ScriptError>) -> Verdict {
    let value = match value {
        Ok(v) => v,
        Err(e) => return Verdict::Error(e),
    };
    if let Ok(b) = value.as_bool() {
        return if b { Verdict::Pass } else { Verdict::Fail(None) };
    }
    let Some(map) = value.read_lock::<rhai::Map>() else {
        return Verdict::Error(ScriptError::general(format!(
            "a rule must return true, false or #{{ ok, reason }}, not a {}",
            value.type_name()
        )));
    };
    match map.get("ok").map(|ok| ok.as_bool()) {
        Some(Ok(true)) => Verdict::Pass,
        Some(Ok(false)) => Verdict::Fail(map.get("reason").and_then(rules::text_of)),
        _ => Verdict::Error(ScriptError::general("a rule's map must have `ok: true` or `ok: false`".into())),
    }
}

pub(crate) fn failure_text(rule: &CompiledRule, reason: Option<&Text>) -> Text {
    reason
        .cloned()
        .or_else(|| rule.message.clone())
        .or_else(|| {
            rule.title.clone().map(|t| Text::new(format!("不符合：{}", t.zh), format!("Not met: {}", t.en)))
        })
        .unwrap_or_else(|| {
            Text::new(format!("不符合规则「{}」", rule.id), format!("rule `{}` is not met", rule.id))
        })
}

/// A consistency check's verdict, with the element it ran on for a check of each element.
pub(crate) type Checked<'c> = (Verdict, &'c CompiledCheck, Option<usize>);

/// Does element `n` of list `list` (`row`) have a value the form accepts for every column
/// check `c` names?
pub(crate) fn element_ready(
    c: &CompiledCheck,
    list: &str,
    n: usize,
    row: &Value,
    errors: &[FieldError],
) -> bool {
    c.fields.iter().filter_map(|k| k.split_once("[].").map(|(_, column)| column)).all(|column| {
        let at =
            format!("/{}/{n}/{}", crate::base::pointer::escape(list), crate::base::pointer::escape(column));
        row.get(column).is_some_and(|v| !v.is_null()) && !errors.iter().any(|e| e.pointer == at)
    })
}

/// Does every field consistency check `c` names have a value the form accepts (none in
/// `errors`)? It runs only then: a missing or invalid value is the form's own error, and
/// comparing it would only repeat that.
pub(crate) fn check_ready(p: &Prepared<'_>, c: &CompiledCheck, errors: &[FieldError]) -> bool {
    c.fields.iter().all(|k| {
        p.get(k).is_some_and(|v| !v.is_null()) && !errors.iter().any(|e| e.key.as_deref() == Some(k.as_str()))
    })
}

/// The day no supplement deadline of `m` may pass (`supplement_until`): `Ok(None)` when it
/// names none or the form leaves it blank; `Err` with the reason to owe `m` now when the day
/// is before `today` (the application's date). A cap whose derive rule failed is
/// [`cap_failure`]'s.
fn supplement_cap(m: &Material, p: &Prepared<'_>, today: Date) -> Result<Option<Date>, Reason> {
    let Some(key) = m.supplement_until.as_deref() else { return Ok(None) };
    let Some(cap) = p.get(key).and_then(Value::as_str).and_then(|s| s.parse::<Date>().ok()) else {
        return Ok(None);
    };
    if cap < today {
        return Err(Reason {
            rule: None,
            message: Text::new(
                format!("「{}」须于{cap}前补齐，该日期已过，不能容缺受理", m.title.zh),
                format!(
                    "{} had to be supplied by {cap}, which has passed: it cannot be tolerated",
                    m.title.en
                ),
            ),
        });
    }
    Ok(Some(cap))
}

/// The failure of the derive rule of `m`'s cap (`supplement_until`), if it failed: no
/// deadline can be granted, so the item waits for an official (fail closed).
fn cap_failure(m: &Material, p: &Prepared<'_>) -> Option<RuleFailure> {
    let key = m.supplement_until.as_deref()?;
    let failed = p.failed.iter().find(|f| f.key == key)?;
    let what =
        Text::new(format!("「{}」的补交期限", m.title.zh), format!("the deadline to supply {}", m.title.en));
    Some((ReasonRule::Rule(failed.rule.clone()), what, failed.error.clone()))
}

/// When a tolerated material is due (容缺补交期限): `period` after `date` (working days, or
/// calendar days), at most the item's committed time limit (`limit` working days), and never
/// on a day off: a calendar-day period ending on a weekend or holiday, or the application
/// day itself of an item with a limit of 0 (即办) when that is a day off, moves to the next
/// working day (《民法典》第二百零三条).
pub(crate) fn supplement_deadline(
    calendar: &Calendar,
    date: Date,
    period: Period,
    limit: Option<u32>,
) -> Date {
    let end = match period.count {
        DayCount::Working => calendar.add_working_days(date, i64::from(period.days)),
        DayCount::Calendar => date.add_days(i64::from(period.days)),
    };
    let cap = limit.map(|l| calendar.add_working_days(date, i64::from(l)));
    calendar.on_or_after(cap.map_or(end, |c| end.min(c)))
}

/// What the applicant is told when the rule deciding `what` failed: what the rule said
/// with `throw`, or that `what` could not be decided automatically. The technical message
/// (line, column, the limit reached) is for the bundle's author: it is in the trace.
fn rule_error_text(what: &Text, e: &ScriptError) -> Text {
    if let Some(t) = &e.thrown {
        return Text::new(format!("需人工审核：{}", t.zh), format!("an official must decide: {}", t.en));
    }
    Text::new(
        format!("无法自动判断「{}」，需人工审核", what.zh),
        format!("“{}” could not be decided automatically; an official must decide", what.en),
    )
}

/// What a rule run on element `n` of a list sees besides `form`: `element` (read-only when
/// it is a map, as `form` is) and `index`.
fn element_bindings(row: rhai::Dynamic, n: usize) -> Vec<(&'static str, rhai::Dynamic)> {
    let element = match row.try_cast_result::<rhai::Map>() {
        Ok(map) => rhai::Dynamic::from(rules::Record::new(map)),
        Err(other) => other,
    };
    vec![("element", element), ("index", rhai::Dynamic::from(i64::try_from(n).unwrap_or(i64::MAX)))]
}

/// An eligibility rule's verdict, with the element it was about when it runs on each
/// element of a list.
pub(crate) type Ruled<'r> = (Verdict, &'r CompiledRule, Option<Text>);

/// `text` about one element of a list (第2位股东：…), or as it is.
pub(crate) fn about(element: Option<&Text>, text: Text) -> Text {
    match element {
        Some(e) => Text::new(format!("{}：{}", e.zh, text.zh), format!("{}: {}", e.en, text.en)),
        None => text,
    }
}

/// What a rule decides, for the applicant: its title, else its id.
fn subject(rule: &CompiledRule) -> Text {
    rule.title.clone().unwrap_or_else(|| Text::new(rule.id.clone(), rule.id.clone()))
}

/// A rule that failed: its id, what it decides (for the applicant) and its error.
type RuleFailure = (ReasonRule, Text, ScriptError);

/// A trace entry for one run.
fn entry(
    rule: &CompiledRule,
    kind: RuleKind,
    item: Option<String>,
    material: Option<String>,
    run: &rules::Run,
    p: &Prepared<'_>,
) -> TraceEntry {
    let reads = ReadValues(
        rule.reads.keys.iter().map(|(k, ..)| (k.clone(), p.get(k).cloned().unwrap_or(Value::Null))).collect(),
    );
    TraceEntry {
        rule: rule.id.clone(),
        kind,
        item,
        material,
        result: run.value.as_ref().ok().and_then(rules::to_json).unwrap_or(Value::Null),
        error: run.value.as_ref().err().cloned(),
        reads,
        operations: run.operations,
        output: run.output.clone(),
    }
}

/// Whether a tolerable material refused tolerance could still be supplied later.
#[derive(Clone, Copy)]
enum Later {
    /// Yes, once the other deficiencies are fixed (and the commitment signed).
    OnceFixed,
    /// Yes, by signing the commitment.
    IfSigned,
    /// No: dishonesty, or the bundle's policy.
    No,
}

fn missing_text(m: &Material) -> Text {
    Text::new(format!("缺少「{}」", m.title.zh), format!("Missing: {}", m.title.en))
}

/// How to supply a tolerable material whose tolerance was refused, given whether it could
/// still be supplied later.
fn tolerable_fix(m: &Material, later: Later) -> Text {
    match later {
        Later::OnceFixed => Text::new(
            format!("请提交「{}」；其他问题补正后，也可签署容缺受理承诺书后补", m.title.zh),
            format!(
                "hand in {}; once nothing else is wrong, signing the tolerance commitment lets you supply it later",
                m.title.en
            ),
        ),
        Later::IfSigned => Text::new(
            format!("请提交「{}」，或签署容缺受理承诺书后补", m.title.zh),
            format!("hand in {}, or sign the tolerance commitment to supply it later", m.title.en),
        ),
        Later::No => Text::new(format!("请提交「{}」", m.title.zh), format!("hand in {}", m.title.en)),
    }
}

/// An item's outcome once its materials are decided: anything to correct first, then
/// anything tolerated, then anything on commitment.
fn material_outcome(decision: &ItemDecision) -> Outcome {
    if !decision.deficiencies.is_empty() {
        Outcome::CorrectionRequired
    } else if !decision.tolerated.is_empty() {
        Outcome::AcceptedWithTolerance
    } else if !decision.on_commitment.is_empty() {
        Outcome::AcceptedOnCommitment
    } else {
        Outcome::Accepted
    }
}

/// The decision being assembled.
struct Deciding<'b> {
    bundle: &'b CompiledBundle,
    s: &'b Submission,
    date: Date,
    opts: &'b EvalOptions,
    items: Vec<ItemDecision>,
    bundle_reasons: Vec<Reason>,
    deficiencies: IndexMap<String, Deficiency>,
    supplements: IndexMap<String, Supplement>,
    /// The acceptance policy's verdict, run once when first needed.
    policy: Option<Verdict>,
    /// Items sent to manual review because a rule failed (see [`Deciding::manual`]).
    unsettled: Vec<ItemIx>,
    /// The validation errors of the form.
    errors: &'b [FieldError],
    /// The materials required, as (item, material) indices and reuse key.
    required: Vec<(ItemIx, usize, String)>,
    /// The items whose materials were decided on.
    reached: PerItem<bool>,
}

/// What a `required_if` rule that cannot be evaluated does to the walk over an item's
/// materials.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnRuleError {
    /// It stops the walk: the item goes to manual review (the decision).
    Stop,
    /// Its material counts as required (the notice and the wizard's checklist list it).
    Require,
}

impl<'b> Deciding<'b> {
    fn new(
        bundle: &'b CompiledBundle,
        s: &'b Submission,
        date: Date,
        opts: &'b EvalOptions,
        errors: &'b [FieldError],
    ) -> Self {
        Deciding {
            bundle,
            s,
            errors,
            date,
            opts,
            items: Vec::new(),
            bundle_reasons: Vec::new(),
            deficiencies: IndexMap::new(),
            supplements: IndexMap::new(),
            policy: None,
            unsettled: Vec::new(),
            required: Vec::new(),
            reached: bundle.items.map(|_, _| false),
        }
    }

    fn item(&self, i: ItemIx, outcome: Outcome) -> ItemDecision {
        let c = self.bundle.items.get(i);
        ItemDecision {
            item: c.id.clone(),
            department: c.department.clone(),
            outcome,
            reasons: Vec::new(),
            deficiencies: Vec::new(),
            tolerated: Vec::new(),
            on_commitment: Vec::new(),
            supplement_by: None,
            obligations: Vec::new(),
        }
    }

    /// Item `i` waits for an official, for `reason`. `unsettled`: because a rule failed
    /// (an error or a limit, not a deliberate `throw`), so the items depending on it cannot
    /// be decided either.
    fn manual(&mut self, i: ItemIx, reason: Reason, unsettled: bool) -> ItemDecision {
        if unsettled {
            self.unsettled.push(i);
        }
        let mut d = self.item(i, Outcome::ManualReview);
        d.reasons.push(reason);
        // Waiting for an official does not hide what the applicant must correct anyway.
        self.field_deficiencies(&mut d);
        d
    }

    /// Lists the form's errors on the fields `decision`'s item declares as its deficiencies.
    fn field_deficiencies(&mut self, decision: &mut ItemDecision) {
        let errors = self.errors;
        for e in errors.iter().filter(|e| e.items.contains(&decision.item)) {
            let item = decision.item.clone();
            decision.deficiencies.push(self.field(e, &item));
        }
    }

    /// Item `i` waits for an official: rule `rule`, deciding `what`, failed with `e`.
    fn rule_failed(&mut self, i: ItemIx, rule: ReasonRule, what: &Text, e: &ScriptError) -> ItemDecision {
        self.manual(i, Reason { rule: Some(rule), message: rule_error_text(what, e) }, e.thrown.is_none())
    }

    /// Records a field error of `item` as a deficiency (once per field and kind of error).
    fn field(&mut self, e: &FieldError, item: &str) -> String {
        // One deficiency per field: a value breaking two constraints (a length and a
        // pattern, say) is one thing to correct, described by both messages.
        let id = format!("field:{}", e.pointer);
        let fix = Text::new("请按提示更正后重新提交", "correct it as the message says");
        self.add(
            Deficiency {
                id: id.clone(),
                kind: DeficiencyKind::Field,
                key: e.key.clone(),
                keys: Vec::new(),
                material: None,
                message: e.message.clone(),
                fix,
                tolerable: false,
                items: Vec::new(),
            },
            item,
        )
    }

    /// Records a failed consistency check of `item` as a deficiency naming the fields to
    /// correct (once per check: items failing the same check share it).
    /// Records a failed consistency check of `item` as a deficiency; for a check of each
    /// element, of element `n` (with its name), once per element.
    fn check(
        &mut self,
        c: &CompiledCheck,
        reason: Option<&Text>,
        item: &str,
        element: Option<(usize, Text)>,
    ) -> String {
        let fix = c.fix.clone().unwrap_or_else(|| {
            let keys = &self.bundle.keys;
            let title = |k: &String| crate::compile::keys::find(keys, k).map(|info| info.title.clone());
            let titles: Vec<Text> =
                c.fields.iter().map(|k| title(k).unwrap_or_else(|| Text::new(k, k))).collect();
            let zh: String = titles.iter().map(|t| format!("「{}」", t.zh)).collect();
            let en: Vec<&str> = titles.iter().map(|t| t.en.as_str()).collect();
            if let [_] = titles.as_slice() {
                Text::new(format!("请核对并更正{zh}"), format!("check and correct {}", en.join("")))
            } else {
                Text::new(
                    format!("请核对{zh}，更正后使其相互一致"),
                    format!("check {} and correct them so that they agree", en.join(" and ")),
                )
            }
        });
        let (id, name) = match element {
            Some((n, name)) => (format!("check:{}[{n}]", c.rule.id), Some(name)),
            None => (format!("check:{}", c.rule.id), None),
        };
        self.add(
            Deficiency {
                id,
                kind: DeficiencyKind::Consistency,
                key: None,
                keys: c.fields.clone(),
                material: None,
                message: about(name.as_ref(), failure_text(&c.rule, reason)),
                fix: about(name.as_ref(), fix),
                tolerable: false,
                items: Vec::new(),
            },
            item,
        )
    }

    fn material(&mut self, m: &Material, item: &str, message: Text, fix: Text, tolerable: bool) -> String {
        let key = m.reuse_key().to_owned();
        self.add(
            Deficiency {
                id: format!("material:{key}"),
                kind: DeficiencyKind::Material,
                key: None,
                keys: Vec::new(),
                material: Some(key),
                message,
                fix,
                tolerable,
                items: Vec::new(),
            },
            item,
        )
    }

    /// Adds a deficiency, or adds `item` to the one already listed under its id.
    fn add(&mut self, d: Deficiency, item: &str) -> String {
        let id = d.id.clone();
        match self.deficiencies.entry(id.clone()) {
            indexmap::map::Entry::Vacant(v) => {
                v.insert(d);
            }
            indexmap::map::Entry::Occupied(mut o) => o.get_mut().merge(d),
        }
        let Some(entry) = self.deficiencies.get_mut(&id) else { return id };
        if !entry.items.iter().any(|x| x == item) {
            entry.items.push(item.to_owned());
        }
        id
    }

    /// Applies the material rules to one item (see the module documentation): each
    /// material's status makes it settled, committed or owed, or a candidate for tolerance;
    /// the candidates are tolerated together or, when tolerance is refused, owed too; the
    /// outcome follows from what was recorded.
    fn materials(
        &mut self,
        decision: &mut ItemDecision,
        i: ItemIx,
        states: &[Required<'_>],
        p: &mut Prepared<'_>,
    ) {
        let mut tolerable = Vec::new();
        for (_, m, status) in states {
            let m: &Material = m;
            if self.settle(decision, m, *status) {
                tolerable.push(m);
            }
        }
        if !tolerable.is_empty() && self.tolerate_or_owe(decision, i, &tolerable, p).is_break() {
            return;
        }
        decision.outcome = material_outcome(decision);
    }

    /// Can `m` be replaced by the applicant's commitment (告知承诺)? The material, the
    /// bundle's policy and the applicant (not on a dishonesty list) must all allow it.
    fn may_commit(&self, m: &Material) -> bool {
        m.commitment && self.bundle.bundle.acceptance.commitment && !self.s.applicant.dishonest
    }

    /// Records what material `m`'s `status` makes of it for `decision`: nothing (provided
    /// or shared), a commitment, or a deficiency. `true` when it is missing but tolerable:
    /// tolerance is decided for all such materials of the item together.
    fn settle(&mut self, decision: &mut ItemDecision, m: &Material, status: Option<MaterialStatus>) -> bool {
        let acceptance = &self.bundle.bundle.acceptance;
        let title = &m.title;
        let (why, fix) = match status {
            Some(MaterialStatus::Provided | MaterialStatus::Shared) => return false,
            Some(MaterialStatus::Committed) if self.may_commit(m) => {
                decision.on_commitment.push(m.reuse_key().to_owned());
                return false;
            }
            Some(MaterialStatus::Committed) => {
                let fix = Text::new(format!("请提交「{}」", title.zh), format!("hand in {}", title.en));
                (self.commitment_refused(m), fix)
            }
            Some(MaterialStatus::Missing) | None
                if m.kind == MaterialKind::Secondary && m.tolerable && acceptance.tolerance =>
            {
                return true;
            }
            Some(MaterialStatus::Missing) | None => {
                let fix = if self.may_commit(m) {
                    Text::new(
                        format!("请提交「{}」，或签署告知承诺书代替", title.zh),
                        format!("hand in {}, or sign a commitment in its place", title.en),
                    )
                } else {
                    Text::new(format!("请提交「{}」", title.zh), format!("hand in {}", title.en))
                };
                (missing_text(m), fix)
            }
        };
        let id = self.material(m, &decision.item, why, fix, false);
        decision.deficiencies.push(id);
        false
    }

    /// Why a commitment offered for `m` is not accepted: the material or the bundle does
    /// not allow one, or the applicant is on a dishonesty list.
    fn commitment_refused(&self, m: &Material) -> Text {
        let title = &m.title;
        if !m.commitment || !self.bundle.bundle.acceptance.commitment {
            Text::new(
                format!("「{}」不能以承诺代替", title.zh),
                format!("{} cannot be replaced by a commitment", title.en),
            )
        } else {
            Text::new(
                format!("申请人列入失信名单，「{}」不适用告知承诺", title.zh),
                format!(
                    "the applicant is on a dishonesty list: {} cannot be replaced by a commitment",
                    title.en
                ),
            )
        }
    }

    /// Tolerates the `tolerable` materials of item `i` or, when tolerance is refused, owes
    /// them as deficiencies with the reason. `Break` when the policy rule cannot be
    /// evaluated: the item then waits for an official, keeping the deficiencies listed.
    fn tolerate_or_owe(
        &mut self,
        decision: &mut ItemDecision,
        i: ItemIx,
        tolerable: &[&Material],
        p: &mut Prepared<'_>,
    ) -> ControlFlow<()> {
        let refused = self.tolerance_refused(decision, p);
        // A cap whose derive rule failed is a failing rule of the item, as a failing policy.
        let refused = match refused {
            Ok(None) => tolerable.iter().find_map(|m| cap_failure(m, p)).map_or(Ok(None), Err),
            other => other,
        };
        match refused {
            Ok(None) => {
                let mut capped = Vec::with_capacity(tolerable.len());
                for m in tolerable {
                    match supplement_cap(m, p, self.date) {
                        Ok(cap) => capped.push((*m, cap)),
                        Err(reason) => {
                            let fix = tolerable_fix(m, Later::No);
                            let id = self.material(m, &decision.item, missing_text(m), fix, true);
                            decision.deficiencies.push(id);
                            decision.reasons.push(reason);
                        }
                    }
                }
                self.tolerate(decision, i, &capped);
            }
            Ok(Some((reason, later))) => {
                for m in tolerable {
                    let id = self.material(m, &decision.item, missing_text(m), tolerable_fix(m, later), true);
                    decision.deficiencies.push(id);
                }
                decision.reasons.push(reason);
            }
            Err((rule, what, e)) => {
                let listed = std::mem::take(&mut decision.deficiencies);
                *decision = self.rule_failed(i, rule, &what, &e);
                for id in listed {
                    if !decision.deficiencies.contains(&id) {
                        decision.deficiencies.push(id);
                    }
                }
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    /// Why tolerance cannot be granted (`Ok(None)`: it can); `Err` when the policy rule
    /// cannot be evaluated.
    fn tolerance_refused(
        &mut self,
        decision: &ItemDecision,
        p: &mut Prepared<'_>,
    ) -> Result<Option<(Reason, Later)>, RuleFailure> {
        let reason =
            |zh: &str, en: &str, later| Ok(Some((Reason { rule: None, message: Text::new(zh, en) }, later)));
        if self.s.applicant.dishonest {
            return reason(
                "申请人列入失信名单，不适用容缺受理",
                "the applicant is on a dishonesty list: tolerance cannot be granted",
                Later::No,
            );
        }
        if !decision.deficiencies.is_empty() {
            return reason(
                "材料或表单尚有其他问题，暂不能容缺受理",
                "other deficiencies must be fixed before tolerance can be granted",
                Later::OnceFixed,
            );
        }
        if decision.reasons.iter().any(|r| r.rule == Some(ReasonRule::DependsOn)) {
            return reason(
                "所依赖的事项需先补正，暂不能容缺受理",
                "an item this one depends on must be corrected before tolerance can be granted",
                Later::OnceFixed,
            );
        }
        if !self.s.commitments.iter().any(|c| c == TOLERANCE_COMMITMENT) {
            return reason(
                "未签署容缺受理承诺书",
                "the tolerance commitment letter is not signed",
                Later::IfSigned,
            );
        }
        let Some(rule) = self.bundle.rulebook.policy.as_ref() else { return Ok(None) };
        let verdict = match &self.policy {
            Some(v) => v.clone(),
            None => {
                let v = self.bundle.run_rule(p, rule, RuleKind::Policy, None, None);
                self.policy = Some(v.clone());
                v
            }
        };
        match verdict {
            Verdict::Pass => Ok(None),
            Verdict::Fail(why) => Ok(Some((
                Reason {
                    rule: Some(ReasonRule::Rule(rule.id.clone())),
                    message: failure_text(rule, why.as_ref()),
                },
                Later::No,
            ))),
            Verdict::Error(e) => Err((ReasonRule::Rule(rule.id.clone()), subject(rule), e)),
        }
    }

    /// Grants tolerance: a supplement deadline within the item's committed time limit, and
    /// not after each material's cap (`supplement_until`).
    fn tolerate(&mut self, decision: &mut ItemDecision, i: ItemIx, materials: &[(&Material, Option<Date>)]) {
        let limit = self.bundle.declared(i).time_limit_days;
        for &(m, cap) in materials {
            let period = m.supplement_period(&self.bundle.bundle.acceptance);
            let by = supplement_deadline(&self.opts.calendar, self.date, period, limit);
            let by = cap.map_or(by, |cap| by.min(cap));
            self.note_calendar(by);
            if decision.supplement_by.as_ref().is_none_or(|earliest| by.to_string() < *earliest) {
                decision.supplement_by = Some(by.to_string());
            }
            let key = m.reuse_key().to_owned();
            decision.tolerated.push(key.clone());
            let s = self.supplements.entry(key.clone()).or_insert_with(|| Supplement {
                material: key,
                title: m.title.clone(),
                by: by.to_string(),
                items: Vec::new(),
            });
            if by.to_string() < s.by {
                s.by = by.to_string();
            }
            s.items.push(decision.item.clone());
        }
    }

    /// Says, once, that a deadline's year is not covered by an official calendar.
    fn note_calendar(&mut self, by: Date) {
        let basis = self.opts.calendar.basis(by.year());
        if basis != Basis::Official
            && !self.bundle_reasons.iter().any(|r| r.rule == Some(ReasonRule::Calendar))
        {
            self.bundle_reasons
                .push(Reason { rule: Some(ReasonRule::Calendar), message: uncovered(by.year(), basis) });
        }
    }

    fn finish(
        self,
        warnings: Vec<crate::model::validation::FieldWarning>,
        trace: Vec<TraceEntry>,
    ) -> Decision {
        let applicable = self.items.iter().filter(|d| d.outcome != Outcome::NotApplicable);
        let mut outcome =
            applicable.map(|d| d.outcome).max_by_key(|o| o.severity()).unwrap_or(Outcome::NotApplicable);
        if self.bundle_reasons.iter().any(|r| r.rule == Some(ReasonRule::Bundle)) && outcome.is_accepted() {
            // A submission for another bundle is not accepted here.
            outcome = Outcome::Rejected;
        }
        Decision {
            bundle: self.bundle.bundle.id.clone(),
            version: self.bundle.bundle.version.clone(),
            date: self.date.to_string(),
            outcome,
            reasons: self.bundle_reasons,
            items: self.items,
            // A material one item needs now and another tolerates is simply to be handed in:
            // it is listed once, as a deficiency, and not also as a later supplement.
            supplements: self
                .supplements
                .into_values()
                .filter(|s| !self.deficiencies.contains_key(&format!("material:{}", s.material)))
                .collect(),
            deficiencies: self.deficiencies.into_values().collect(),
            warnings,
            trace,
            required: self.required,
        }
    }
}
