//! Obligations: what an accepted item obliges the applicant to do, computed by its rules
//! (top up 40 months of contributions; pay in the subscribed capital by a date).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::decision::RuleKind;
use onething::{CompiledBundle, Date, DispatchError, Outcome, Submission, load};
use serde_json::{Value, json};

fn date() -> Date {
    "2026-10-09".parse().unwrap()
}

/// One item asking for the months contributed, with obligation rules `rules`.
fn bundle_json(rules: Value) -> Value {
    json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "医保局", "en": "Healthcare security"}}],
        "fields": {"months": {"title": {"zh": "缴费月数", "en": "Months contributed"}}},
        "items": [{
            "id": "retire", "department": "a", "title": {"zh": "医保退休待遇", "en": "Retiree medical insurance"},
            "schema": {"type": "object", "required": ["ys"], "properties": {"ys": {"type": "integer", "minimum": 0}}},
            "field_map": {"/ys": "months"},
            "obligations": rules
        }]
    })
}

fn compiled(rules: Value) -> CompiledBundle {
    CompiledBundle::compile(load::from_packed_value(bundle_json(rules)).unwrap())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn rule(script: &str) -> Value {
    json!({"id": "top-up", "title": {"zh": "补缴医保费至最低缴费年限", "en": "Top up to the minimum contribution years"}, "script": script})
}

/// Short of the 300 months (25 years) a retiree needs: top up the rest.
const TOP_UP: &str = r#"let short = 300 - form["months"];
if short <= 0 { return (); }
#{ text: #{ zh: `按月补缴${short}个月`, en: `Top up ${short} months` }, amount: short,
   unit: #{ zh: "个月", en: "months" }, due: add_years(today, 1) }"#;

fn months(n: i64) -> Submission {
    serde_json::from_value(json!({"values": {"months": n}})).unwrap()
}

#[test]
fn an_accepted_item_carries_what_its_rules_oblige() {
    let c = compiled(json!([rule(TOP_UP)]));
    let d = c.evaluate(&months(260), date());
    assert_eq!(d.outcome, Outcome::Accepted);
    let o = &d.items[0].obligations;
    assert_eq!(o.len(), 1, "{o:?}");
    assert_eq!(o[0].rule, "top-up");
    assert_eq!(o[0].text.zh, "按月补缴40个月");
    assert_eq!(o[0].amount, Some(40.into()));
    assert_eq!(o[0].unit.as_ref().unwrap().en, "months");
    assert_eq!(o[0].due.as_deref(), Some("2027-10-09"));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["items"][0]["obligations"][0]["amount"], json!(40));
    assert!(d.trace.iter().any(|t| t.kind == RuleKind::Obligation && t.item.as_deref() == Some("retire")));
    // Enough months: nothing owed, and no `obligations` member.
    let d = c.evaluate(&months(320), date());
    assert!(d.items[0].obligations.is_empty());
    assert!(serde_json::to_value(&d).unwrap()["items"][0].get("obligations").is_none());
}

#[test]
fn true_a_list_or_nothing() {
    let c = compiled(json!([rule("true")]));
    let o = &c.evaluate(&months(1), date()).items[0].obligations;
    assert_eq!(o[0].text.en, "Top up to the minimum contribution years");
    assert_eq!((o[0].amount.clone(), o[0].due.clone()), (None, None));
    let c = compiled(json!([rule(r#"[#{ text: "一" }, #{ text: "二", due: "2027-01-04", amount: 1.5 }]"#)]));
    let o = &c.evaluate(&months(1), date()).items[0].obligations;
    assert_eq!(o.len(), 2);
    assert_eq!(o[1].due.as_deref(), Some("2027-01-04"));
    assert_eq!(o[1].amount.as_ref().unwrap().as_f64(), Some(1.5));
    for nothing in ["()", "false", "[]"] {
        assert!(
            compiled(json!([rule(nothing)])).evaluate(&months(1), date()).items[0].obligations.is_empty()
        );
    }
}

#[test]
fn an_obligation_rule_that_fails_sends_the_item_to_manual_review() {
    for (script, says) in [
        ("#{ txt: \"x\" }", "not `txt`"),
        ("#{ amount: \"40\" }", "amount is a number"),
        ("#{ due: \"2027-02-30\" }", "not a calendar date"),
        ("42", "not a i64"),
        ("[#{ text: \"x\" }, 1]", "not a i64"),
        ("form[\"months\"] / 0", "Division by zero"),
    ] {
        let d = compiled(json!([rule(script)])).evaluate(&months(1), date());
        assert_eq!(d.items[0].outcome, Outcome::ManualReview, "{script}");
        assert!(d.items[0].obligations.is_empty(), "{script}");
        assert!(d.items[0].reasons[0].message.zh.contains("补缴医保费至最低缴费年限"), "{script}");
        let t = d.trace.iter().find(|t| t.kind == RuleKind::Obligation).unwrap();
        let error = t.error.as_ref().unwrap_or_else(|| panic!("{script}: no error in the trace"));
        assert!(error.message.contains(says), "{script}: {}", error.message);
    }
}

#[test]
fn only_accepted_items_are_obliged() {
    // An invalid value: correction required, no obligation rule runs.
    let c = compiled(json!([rule(TOP_UP)]));
    let d = c.evaluate(&months(-1), date());
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert!(d.trace.iter().all(|t| t.kind != RuleKind::Obligation));
}

#[test]
fn the_notice_and_the_dispatch_carry_them() {
    let c = compiled(json!([rule(TOP_UP)]));
    let n = c.notice_for(&months(260), date());
    let item = &n.situation.as_ref().unwrap().items[0];
    assert_eq!(item.obligations[0].text.zh, "按月补缴40个月");
    let zh = n.to_markdown(onething::Lang::Zh);
    assert!(
        zh.contains("受理后须履行的义务") && zh.contains("按月补缴40个月（40个月，2027-10-09前）"),
        "{zh}"
    );
    let en = n.to_markdown(onething::Lang::En);
    assert!(
        en.contains("What you must still do") && en.contains("Top up 40 months (40 months, by 2027-10-09)"),
        "{en}"
    );

    let opts = onething::EvalOptions::default();
    let sent = c.dispatch_with(&months(260), Some(date()), &opts).unwrap();
    assert_eq!(sent.payloads[0].obligations[0].amount, Some(40.into()));
    let failing = compiled(json!([rule("#{ due: 1 }")]));
    match failing.dispatch_with(&months(260), Some(date()), &opts) {
        Err(DispatchError::Obligation { item, rule, error }) => {
            assert_eq!((item.as_str(), rule.as_str()), ("retire", "top-up"));
            assert!(error.message.contains("due date is a date"), "{error}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_obligation_rules_do_not_compile() {
    let twice = json!([rule("true"), rule("true")]);
    let e = CompiledBundle::compile(load::from_packed_value(bundle_json(twice)).unwrap()).unwrap_err();
    assert_eq!(e.problems[0].bundle_pointer(), Some("/items/0/obligations/1"), "{e}");
    let syntax = json!([rule("#{ text: ")]);
    let e = CompiledBundle::compile(load::from_packed_value(bundle_json(syntax)).unwrap()).unwrap_err();
    assert_eq!(e.problems[0].bundle_pointer(), Some("/items/0/obligations/0/script"), "{e}");
    let reads = json!([rule("form[\"month\"] > 1")]);
    let e = CompiledBundle::compile(load::from_packed_value(bundle_json(reads)).unwrap()).unwrap_err();
    assert!(e.to_string().contains("did you mean `months`"), "{e}");
}
