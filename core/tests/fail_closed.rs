//! Invariant 7, fail closed: a rule that errors or hits a limit never makes an outcome more
//! favourable. Every item whose decision depends on it goes to `manual_review`, with the
//! reason in the decision itself (with or without the trace).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use onething::{CompiledBundle, EvalOptions, Outcome, load};
use serde_json::Value;

/// A script that fails at run time without a `throw` (a `throw` hands an item to an
/// official on purpose; this is a rule that cannot decide).
const FAILING: &str = "let nothing = (); nothing + 1";

/// The JSON Pointer of every script of a packed bundle that takes part in a decision
/// (visibility rules only steer the wizard).
fn decision_scripts(bundle: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let list = |v: &Value| v.as_array().map_or(0, Vec::len);
    for i in 0..list(&bundle["rules"]) {
        out.push(format!("/rules/{i}"));
    }
    for i in 0..list(&bundle["derive"]) {
        out.push(format!("/derive/{i}"));
    }
    if bundle["acceptance"]["policy"].is_object() {
        out.push("/acceptance/policy".into());
    }
    for (i, item) in bundle["items"].as_array().unwrap().iter().enumerate() {
        if item["applies_if"].is_object() {
            out.push(format!("/items/{i}/applies_if"));
        }
        for j in 0..list(&item["eligibility"]) {
            out.push(format!("/items/{i}/eligibility/{j}"));
        }
        for (j, m) in item["materials"].as_array().into_iter().flatten().enumerate() {
            if m["required_if"].is_object() {
                out.push(format!("/items/{i}/materials/{j}/required_if"));
            }
        }
    }
    out
}

fn with_script(bundle: &Value, at: &str, script: &str) -> CompiledBundle {
    let mut b = bundle.clone();
    b.pointer_mut(at).unwrap()["script"] = Value::String(script.into());
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_or_else(|e| panic!("{at}: {e}"))
}

fn packed(dir: &std::path::Path) -> Value {
    serde_json::to_value(load::load_dir(dir).unwrap()).unwrap()
}

#[test]
fn the_operators_age_rule_looping_does_not_accept_a_seventeen_year_old() {
    let dir = common::fixture("restaurant-opening");
    let (date, _) = common::meta(&dir);
    let bundle = packed(&dir);
    let age = (0..bundle["derive"].as_array().unwrap().len())
        .find(|i| bundle["derive"][i]["key"] == "applicant.age")
        .unwrap();
    let broken = with_script(&bundle, &format!("/derive/{age}"), "loop { }");
    let (_, expected, s) =
        common::decision_cases(&dir).into_iter().find(|(name, ..)| name.contains("seventeen")).unwrap();
    assert_eq!(expected, Outcome::Rejected);
    for trace in [true, false] {
        let opts = EvalOptions { trace, ..EvalOptions::default() };
        let d = broken.evaluate_with(&s, date, &opts);
        assert_eq!(d.outcome, Outcome::ManualReview, "trace {trace}: {d:#?}");
        if trace {
            let run = d.trace.iter().find(|t| t.rule == "applicant.age").unwrap();
            let error = run.error.as_ref().unwrap();
            assert!(error.message.contains("operation limit"), "the limit is named in the trace: {error}");
        }
        for item in d.items.iter().filter(|i| i.outcome != Outcome::NotApplicable) {
            assert_eq!(item.outcome, Outcome::ManualReview, "{}", item.item);
            let reason = &item.reasons[0];
            assert!(reason.message.en.contains("could not be computed"), "{reason:?}");
            assert_eq!(
                reason.rule,
                Some(onething::decision::ReasonRule::Rule("applicant.age".into())),
                "the rule is named: {reason:?}"
            );
        }
    }
}

#[test]
fn every_failing_rule_of_every_fixture_fails_closed() {
    let mut variants = 0;
    for dir in common::fixtures() {
        let bundle = packed(&dir);
        let intact = common::compile(&dir);
        let cases = common::decision_cases(&dir);
        let dates: Vec<_> = cases.iter().map(|(name, ..)| common::case_date(&dir, name)).collect();
        let originals: Vec<_> =
            cases.iter().zip(&dates).map(|((_, _, s), date)| intact.evaluate(s, *date)).collect();
        for at in decision_scripts(&bundle) {
            variants += 1;
            let broken = with_script(&bundle, &at, FAILING);
            for (((name, _, s), before), date) in cases.iter().zip(&originals).zip(&dates) {
                let after = broken.evaluate(s, *date);
                let what = format!("{}: {at} fails, case {name}", dir.display());
                assert!(
                    after.outcome.severity() >= before.outcome.severity(),
                    "{what}: {:?} became {:?}",
                    before.outcome,
                    after.outcome
                );
                for (b, a) in before.items.iter().zip(&after.items) {
                    assert!(
                        a.outcome == b.outcome || a.outcome == Outcome::ManualReview,
                        "{what}: item {} was {:?}, is {:?}",
                        b.item,
                        b.outcome,
                        a.outcome
                    );
                    if a.outcome == Outcome::ManualReview && b.outcome != Outcome::ManualReview {
                        assert!(
                            !a.reasons.is_empty(),
                            "{what}: item {} goes to review without a reason",
                            a.item
                        );
                    }
                }
                // An item whose own rule ran and failed waits for an official.
                for t in after.trace.iter().filter(|t| t.error.is_some()) {
                    let Some(item) = &t.item else { continue };
                    let a = after.items.iter().find(|d| &d.item == item).unwrap();
                    assert_eq!(a.outcome, Outcome::ManualReview, "{what}: rule {} failed for {item}", t.rule);
                }
            }
        }
    }
    assert!(variants > 30, "only {variants} rules failed on purpose");
}

/// A field mapped through a script transform runs that script in a session of its own,
/// in the middle of the evaluation's session. The evaluation's later rules must still see
/// the calendar, the materials and the date: every context-reading function gives the same
/// answer with the transformed field present as without it.
#[test]
fn a_script_transform_leaves_the_rules_their_context() {
    let checks = [
        r#"is_working_day(date("2026-10-08"))"#,
        r#"!is_working_day(date("2026-10-03"))"#,
        r#"working_days_between("2026-09-30", "2026-10-09") == 2"#,
        r#"add_working_days(date("2026-09-30"), 1) == date("2026-10-08")"#,
        r#"has_material("doc")"#,
        r#"material_status("doc") == "provided""#,
        r#"missing(["twice"]) == [] && today == date("2026-10-09")"#,
    ];
    let eligibility: Vec<Value> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| serde_json::json!({"id": format!("check-{i}"), "title": {"zh": "查", "en": "Check"}, "script": c}))
        .collect();
    let bundle = serde_json::json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
        "derive": [{"key": "twice", "script": "2"}],
        "items": [{
            "id": "i", "department": "a", "title": {"zh": "事项", "en": "Item"},
            "schema": {"type": "object", "properties": {"dm": {"type": "string", "pattern": "^D-"}}},
            "field_map": {"/dm": {"key": "code", "transform": {"script": {
                "forward": "\"D-\" + value", "backward": "value.sub_string(2)"}}}},
            "eligibility": eligibility,
            "materials": [{"id": "doc", "title": {"zh": "材料", "en": "Document"}}]
        }]
    });
    let compiled = CompiledBundle::compile(load::from_packed_value(bundle).unwrap()).unwrap();
    let date = "2026-10-09".parse().unwrap();
    for values in [serde_json::json!({}), serde_json::json!({"code": "42"})] {
        let s = onething::Submission::from_json(
            &serde_json::json!({"values": values, "materials": {"doc": "provided"}}).to_string(),
        )
        .unwrap();
        let d = compiled.evaluate(&s, date);
        assert_eq!(d.outcome, Outcome::Accepted, "{values}: {:#?}", d.items[0].reasons);
    }
}
