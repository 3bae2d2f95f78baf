//! `bundle`: a mutated packed bundle through the whole library.
//!
//! Input: NUL-separated parts `bundle, submission[, date][, consent]`:
//!
//! * `bundle` — packed bundle JSON text, or `#<fixture byte>[edits]`: a fixture's packed
//!   bundle with JSON edits applied (`onething_fuzz::parts`);
//! * `submission` — submission JSON text, or `#<byte>[edits]`: one of the fixtures'
//!   submission or decision files, edited; anything else is the empty submission;
//! * `date` — `YYYY-MM-DD` (default 2026-04-02);
//! * `consent` — its first byte is a bit mask over the bundle's data sources (default: all).
//!
//! The bundle is loaded, compiled, then used every way a host uses it: form, form_for,
//! validate, evaluate, dispatch, notice, notice_for, plan, plan_for, prefill and a wizard.
//! Beyond "no panic" (invariant "bad input never panics"), it checks what is cheap to check:
//!
//! * evaluation is deterministic (same input twice, same JSON), and the trace changes
//!   nothing but itself (invariant 7's "the trace never changes the decision");
//! * a decision is `correction_required` only with deficiencies to correct (invariant 4);
//! * dispatch succeeds exactly when validation passes, each payload validates against its
//!   department's original schema and holds every route it lists (invariant 2);
//! * prefill never changes a typed value and asks only consented sources (invariant 3);
//! * a compile error serialises (hosts print it as JSON).

#![no_main]

use std::borrow::Cow;
use std::cell::RefCell;

use indexmap::IndexMap;
use libfuzzer_sys::fuzz_target;
use onething::prefill::SourceProvider;
use onething::{CompiledBundle, Date, DispatchError, EvalOptions, Lang, Outcome, Submission, load};
use onething_fuzz::fixtures;
use onething_fuzz::parts::{self, Part};
use serde_json::Value;

/// Packed fixtures are up to ~130 KB; longer inputs are skipped.
const MAX_INPUT: usize = 256 << 10;

/// Source documents that remember which sources were asked for.
struct Recording<'a> {
    documents: &'a IndexMap<String, Value>,
    asked: RefCell<Vec<String>>,
}

impl SourceProvider for Recording<'_> {
    fn fetch(&self, source: &str, _: &[&str]) -> Result<Option<Cow<'_, Value>>, String> {
        self.asked.borrow_mut().push(source.to_owned());
        Ok(self.documents.get(source).map(Cow::Borrowed))
    }
}

/// Every fixture's source documents (the first fixture naming a source wins).
fn all_sources() -> &'static IndexMap<String, Value> {
    static ALL: std::sync::OnceLock<IndexMap<String, Value>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = IndexMap::new();
        for f in fixtures::all() {
            for (id, doc) in &f.sources {
                all.entry(id.clone()).or_insert_with(|| doc.clone());
            }
        }
        all
    })
}

fuzz_target!(init: { fixtures::all(); }, |data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let split = parts::split(data);
    let Some(bundle_part) = split.first() else { return };
    let owned: CompiledBundle;
    let (compiled, documents) = match Part::parse(bundle_part) {
        // An unedited fixture is compiled already: its submissions are fuzzed at full speed.
        Part::Reference { selector, edits } if edits.is_empty() => {
            let f = fixtures::pick(selector);
            (&f.compiled, &f.sources)
        }
        Part::Reference { selector, edits } => {
            let f = fixtures::pick(selector);
            let mut packed = f.packed.clone();
            parts::apply_edits(&mut packed, &edits);
            let Some(c) = load::from_packed_value(packed).ok().and_then(compile) else { return };
            owned = c;
            (&owned, &f.sources)
        }
        Part::Text(text) => {
            let Ok(text) = std::str::from_utf8(text) else { return };
            let Some(c) = load::from_packed_str(text).ok().and_then(compile) else { return };
            owned = c;
            (&owned, all_sources())
        }
    };
    let submission = match split.get(1).map(|p| Part::parse(p)) {
        Some(Part::Reference { selector, edits }) => {
            let mut s = fixtures::submission(selector).clone();
            parts::apply_edits(&mut s, &edits);
            fixtures::to_submission(s)
        }
        Some(Part::Text(text)) => std::str::from_utf8(text).ok().and_then(|t| Submission::from_json(t).ok()),
        None => None,
    }
    .unwrap_or_default();
    let date: Date = split
        .get(2)
        .and_then(|d| std::str::from_utf8(d).ok())
        .and_then(|d| d.trim().parse().ok())
        .unwrap_or_else(|| "2026-04-02".parse().unwrap_or_else(|e| panic!("default date: {e:?}")));
    let mask = split.get(3).and_then(|c| c.first().copied()).unwrap_or(u8::MAX);
    exercise(compiled, &submission, date, documents, mask);
});

/// Compiles a loaded bundle; a compile error must serialise (hosts print it as JSON).
fn compile(bundle: onething::Bundle) -> Option<CompiledBundle> {
    match CompiledBundle::compile(bundle) {
        Ok(c) => Some(c),
        Err(e) => {
            serde_json::to_string(&e)
                .unwrap_or_else(|err| panic!("compile error does not serialise: {err}\n{e}"));
            None
        }
    }
}

fn exercise(c: &CompiledBundle, s: &Submission, date: Date, documents: &IndexMap<String, Value>, mask: u8) {
    let items: Vec<&str> = c.bundle().items.iter().map(|i| i.id.as_str()).collect();
    let _ = c.form();
    c.form_for(&items).unwrap_or_else(|e| panic!("form_for of the bundle's own items: {e}"));
    let notice = c.notice();
    let _ = (notice.to_markdown(Lang::Zh), notice.to_html(Lang::En));
    let plan = c.plan();
    let _ = (plan.to_mermaid(Lang::Zh), plan.to_dot(Lang::En));

    let validation = c.validate_with(s, Some(date), &onething::EvalOptions::default());
    let applicable: Vec<&str> = validation.applicable.iter().map(String::as_str).collect();
    c.plan_for(&applicable).unwrap_or_else(|e| panic!("plan_for of the applicable items: {e}"));
    c.form_for(&applicable).unwrap_or_else(|e| panic!("form_for of the applicable items: {e}"));

    let decision = c.evaluate(s, date);
    let again = c.evaluate(s, date);
    let json =
        |d: &onething::Decision| serde_json::to_string(d).unwrap_or_else(|e| panic!("decision JSON: {e}"));
    assert_eq!(json(&decision), json(&again), "evaluate is not deterministic");
    let untraced = c.evaluate_with(s, date, &EvalOptions { trace: false, ..EvalOptions::default() });
    let mut traced = decision.clone();
    traced.trace.clear();
    assert_eq!(untraced, traced, "the decision without trace differs from the decision with it");
    if decision.deficiencies.is_empty() {
        assert_ne!(
            decision.outcome,
            Outcome::CorrectionRequired,
            "correction required, but nothing to correct"
        );
    }
    // An item needing a correction has something to correct, or is held back by a
    // prerequisite awaiting one (a `depends_on` reason), whose own list then says what.
    let to_correct = |i: &onething::decision::ItemDecision| {
        i.outcome == Outcome::CorrectionRequired && !i.deficiencies.is_empty()
    };
    for item in &decision.items {
        let held = item.reasons.iter().any(|r| r.rule == Some(onething::decision::ReasonRule::DependsOn))
            && decision.items.iter().any(to_correct);
        assert!(
            item.outcome != Outcome::CorrectionRequired || !item.deficiencies.is_empty() || held,
            "item {} is correction_required with no deficiency and no prerequisite to correct",
            item.item
        );
    }
    let notice = c.notice_for(s, date);
    let _ = (notice.to_markdown(Lang::En), notice.to_html(Lang::Zh));

    match c.dispatch_with(s, Some(date), &onething::EvalOptions::default()) {
        Ok(d) => {
            assert!(validation.valid, "dispatch succeeded on an invalid submission: {:?}", validation.errors);
            for p in &d.payloads {
                let item = c.bundle().items.iter().find(|i| i.id == p.item);
                let item = item.unwrap_or_else(|| panic!("payload for unknown item {}", p.item));
                let original = onething::schema::compile(&item.schema).unwrap_or_else(|e| {
                    panic!("item {}: its schema compiled at load but not now: {e:?}", p.item)
                });
                assert!(
                    original.is_valid(&p.payload),
                    "item {}: payload breaks its department's schema",
                    p.item
                );
                for route in &p.fields {
                    assert!(
                        p.payload.pointer(&route.pointer).is_some(),
                        "item {}: route of {} to {} points to nothing in the payload",
                        p.item,
                        route.key,
                        route.pointer
                    );
                }
            }
        }
        Err(DispatchError::Invalid { .. }) => {
            assert!(!validation.valid, "dispatch refused a submission that validates");
        }
        // Inconsistent, or any refusal added later: invariant 2 does not allow it.
        Err(e) => panic!("invariant 2 broken: {e}"),
    }

    let ids: Vec<&String> = c.bundle().sources.iter().map(|src| &src.id).collect();
    let consent: Vec<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << (i % 8)) != 0)
        .map(|(_, id)| (*id).clone())
        .collect();
    let provider = Recording { documents, asked: RefCell::new(Vec::new()) };
    let prefill = c.prefill(s.values(), &consent, &provider, Some(date));
    for asked in provider.asked.borrow().iter() {
        assert!(
            consent.contains(asked),
            "prefill asked source {asked}, which the applicant did not consent to"
        );
    }
    for (key, typed) in s.values().iter().filter(|(_, v)| !v.is_null()) {
        if let Some(filled) = prefill.values.get(key) {
            assert_eq!(&filled.value, typed, "prefill overwrote the typed value of {key}");
        }
    }
    let wizard = onething::Wizard::new(c, Some(&prefill), Some(date));
    let state = wizard.state();
    let v = c.validate_with(&wizard.submit(), Some(date), &onething::EvalOptions::default());
    assert_eq!(v.applicable, state.applicable, "the wizard's applicable items differ from validation's");
}
