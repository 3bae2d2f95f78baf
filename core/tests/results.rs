//! Results delivered together (一次发证) and the rating (好差评): aggregation of the
//! departments' reports into the application's state and the single delivery list, and
//! typed errors — naming the JSON Pointer, the item and the department — for every kind of
//! bad input, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::settings;

use std::path::Path;

use onething::results::{BundleState, ItemStatus, ResultProblem};
use onething::{CompiledBundle, Rating, Reports, load};
use proptest::prelude::*;
use serde_json::{Value, json};

fn newborn() -> CompiledBundle {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/newborn");
    CompiledBundle::compile(load::load_dir(&dir).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn cert(zh: &str, en: &str, number: &str) -> Value {
    json!({"title": {"zh": zh, "en": en}, "number": number})
}

/// Every always-applying item of the newborn bundle approved, with its certificates.
fn all_approved() -> Value {
    json!({
        "bundle": "newborn",
        "application": "MDJ-2026-000123",
        "items": ["birth-medical-certificate", "vaccination-certificate", "household-registration", "medical-insurance"],
        "reports": [
            {"item": "household-registration", "department": "gaj", "status": "approved", "date": "2026-04-08",
             "certificates": [{"title": {"zh": "居民户口簿（新生儿页）", "en": "Household register (baby's page)"},
                               "number": "231083145-03", "evidence": "hukou-record", "paper": true}]},
            {"item": "birth-medical-certificate", "department": "wsjkw", "status": "approved", "date": "2026-04-03",
             "certificates": [{"title": {"zh": "出生医学证明", "en": "Birth Medical Certificate"},
                               "number": "Q230012345", "e_licence": "EL-CSYXZM-Q230012345",
                               "evidence": "birth-certificate", "paper": true}]},
            {"item": "vaccination-certificate", "status": "approved",
             "certificates": [cert("预防接种证", "Vaccination certificate", "JZ-2026-0456")]},
            {"item": "medical-insurance", "status": "approved",
             "certificates": [{"title": {"zh": "参保登记凭证", "en": "Enrolment record"}, "e_licence": "YB-2026-778899"}]}
        ]
    })
}

fn results(compiled: &CompiledBundle, v: Value) -> Result<onething::Results, onething::ResultsError> {
    compiled.results(&Reports::from_value(v)?)
}

fn problems(compiled: &CompiledBundle, v: Value) -> Vec<ResultProblem> {
    results(compiled, v).unwrap_err().problems
}

#[test]
fn every_item_approved_is_ready_to_deliver_in_bundle_order() {
    let compiled = newborn();
    let r = results(&compiled, all_approved()).unwrap();
    assert_eq!(r.state, BundleState::ReadyToDeliver);
    assert!(r.pending.is_empty() && r.refusals.is_empty());
    let delivered: Vec<&str> = r.delivery.iter().map(|d| d.item.as_str()).collect();
    assert_eq!(
        delivered,
        [
            "birth-medical-certificate",
            "vaccination-certificate",
            "household-registration",
            "medical-insurance"
        ]
    );
    assert_eq!(r.summary.zh, "4个事项均已批准，4份证照一次送达。");
    let schema = onething::schemas::all().into_iter().find(|(n, _)| *n == "results").unwrap().1;
    let json = serde_json::to_value(&r).unwrap();
    assert!(onething::schema::compile(&schema).unwrap().is_valid(&json));
    settings().bind(|| insta::assert_json_snapshot!("newborn__results__ready", json));
}

#[test]
fn nothing_is_delivered_while_an_item_is_pending() {
    let compiled = newborn();
    let mut v = all_approved();
    // Medical insurance has no report yet; household registration is still in progress.
    v["reports"].as_array_mut().unwrap().retain(|r| r["item"] != "medical-insurance");
    v["reports"][0] = json!({"item": "household-registration", "status": "in_progress"});
    let r = results(&compiled, v).unwrap();
    assert_eq!(r.state, BundleState::InProgress);
    assert_eq!(r.pending, ["household-registration", "medical-insurance"]);
    let statuses: Vec<ItemStatus> = r.items.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        [ItemStatus::Approved, ItemStatus::Approved, ItemStatus::InProgress, ItemStatus::Awaiting]
    );
    assert!(r.summary.en.starts_with("In progress: 2 of 4 items decided"), "{}", r.summary.en);
}

#[test]
fn a_refusal_is_delivered_with_its_reason_together_with_the_certificates() {
    let compiled = newborn();
    let mut v = all_approved();
    v["reports"][2] = json!({"item": "vaccination-certificate", "department": "cdc", "status": "refused",
        "reason": {"zh": "首针接种记录与新生儿信息不符", "en": "The first-dose record does not match the baby"}});
    let r = results(&compiled, v).unwrap();
    assert_eq!(r.state, BundleState::PartlyRefused);
    assert_eq!(r.refusals.len(), 1);
    assert_eq!(r.refusals[0].item, "vaccination-certificate");
    assert_eq!(r.refusals[0].department, "cdc");
    assert_eq!(r.delivery.len(), 3);
    settings().bind(|| insta::assert_json_snapshot!("newborn__results__partly-refused", r));
}

#[test]
fn an_item_cannot_be_approved_before_the_items_it_waits_for() {
    let compiled = newborn();
    let mut v = all_approved();
    // Household registration refused, yet medical insurance (which needs its record) approved.
    v["reports"][0] = json!({"item": "household-registration", "status": "refused",
        "reason": {"zh": "申报时已超过出生后一个月", "en": "Declared more than a month after the birth"}});
    let p = problems(&compiled, v);
    assert_eq!(
        p,
        [ResultProblem::PrerequisiteNotApproved {
            pointer: "/reports/3/status".into(),
            item: "medical-insurance".into(),
            department: "ybj".into(),
            prerequisite: "household-registration".into()
        }]
    );
    // Still in progress is fine for the later item.
    let mut v = all_approved();
    v["reports"][0] = json!({"item": "household-registration", "status": "refused",
        "reason": {"zh": "申报时已超过出生后一个月", "en": "Declared more than a month after the birth"}});
    v["reports"][3] = json!({"item": "medical-insurance", "status": "in_progress"});
    assert_eq!(results(&compiled, v).unwrap().state, BundleState::InProgress);
}

#[test]
fn every_item_refused_is_refused() {
    let compiled = newborn();
    let v = json!({"items": ["vaccination-certificate"], "reports": [
        {"item": "vaccination-certificate", "status": "refused", "reason": {"zh": "不符合", "en": "Not met"}}]});
    assert_eq!(results(&compiled, v).unwrap().state, BundleState::Refused);
}

#[test]
fn without_an_item_list_the_items_always_applying_and_those_reported_are_covered() {
    let compiled = newborn();
    let v = json!({"reports": [{"item": "social-security-card", "status": "in_progress"}]});
    let r = results(&compiled, v).unwrap();
    let covered: Vec<&str> = r.items.iter().map(|i| i.item.as_str()).collect();
    assert_eq!(
        covered,
        [
            "birth-medical-certificate",
            "vaccination-certificate",
            "household-registration",
            "medical-insurance",
            "social-security-card"
        ]
    );
    assert_eq!(r.items[0].status, ItemStatus::Awaiting);
}

#[test]
fn unknown_items_and_departments_are_named_with_their_pointer() {
    let compiled = newborn();
    let v = json!({"bundle": "restaurant-opening", "items": ["birth-medical-certificate", "passport", "birth-medical-certificate"],
    "reports": [
        {"item": "passport", "status": "approved"},
        {"item": "vaccination-certificate", "status": "approved", "certificates": [cert("证", "C", "1")]},
        {"item": "birth-medical-certificate", "department": "gaj", "status": "approved"}
    ]});
    let p = problems(&compiled, v);
    assert_eq!(
        p,
        [
            ResultProblem::WrongBundle {
                pointer: "/bundle".into(),
                expected: "newborn".into(),
                found: "restaurant-opening".into()
            },
            ResultProblem::UnknownItem { pointer: "/items/1".into(), item: "passport".into() },
            ResultProblem::DuplicateItem {
                pointer: "/items/2".into(),
                item: "birth-medical-certificate".into()
            },
            ResultProblem::UnknownItem { pointer: "/reports/0/item".into(), item: "passport".into() },
            ResultProblem::NotInApplication {
                pointer: "/reports/1/item".into(),
                item: "vaccination-certificate".into()
            },
            ResultProblem::WrongDepartment {
                pointer: "/reports/2/department".into(),
                item: "birth-medical-certificate".into(),
                expected: "wsjkw".into(),
                found: "gaj".into()
            },
        ]
    );
}

/// A bundle whose only item is opt-in: an application names it, or covers nothing.
fn only_opt_in() -> CompiledBundle {
    let bundle: onething::Bundle = serde_json::from_value(json!({
        "id": "opt-in", "version": "1", "title": {"zh": "示例", "en": "Demo"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲局", "en": "Bureau A"}}],
        "items": [{"id": "one", "department": "a", "title": {"zh": "一", "en": "One"}, "optional": true,
                   "schema": {"type": "object"}, "field_map": {}}]
    }))
    .unwrap();
    CompiledBundle::compile(bundle).unwrap()
}

#[test]
fn an_application_covering_no_item_is_not_ready_to_deliver() {
    // Nothing covered means nothing to deliver: "every item approved" would be vacuously
    // true, so it is a problem naming the item list, not ReadyToDeliver.
    let compiled = newborn();
    let no_item = [ResultProblem::NoItems { pointer: "/items".into() }];
    assert_eq!(problems(&compiled, json!({"items": []})), no_item);
    assert_eq!(
        problems(&compiled, json!({"items": []}))[0].to_string(),
        "/items: the application covers no item, so there is nothing to deliver"
    );
    // A report cannot make it cover one: it is named too.
    let p = problems(
        &compiled,
        json!({"items": [], "reports": [{"item": "medical-insurance", "status": "in_progress"}]}),
    );
    assert_eq!(
        p,
        [
            ResultProblem::NoItems { pointer: "/items".into() },
            ResultProblem::NotInApplication {
                pointer: "/reports/0/item".into(),
                item: "medical-insurance".into()
            },
        ]
    );
    // Without a list, a bundle with no item always applying and no report covers nothing.
    let opt_in = only_opt_in();
    assert_eq!(problems(&opt_in, json!({})), no_item);
    // Unknown ids are named on their own, not also as an empty application.
    assert_eq!(
        problems(&compiled, json!({"items": ["passport"]})),
        [ResultProblem::UnknownItem { pointer: "/items/0".into(), item: "passport".into() }]
    );
    // One covered item is enough.
    let r = results(&opt_in, json!({"reports": [{"item": "one", "status": "approved"}]})).unwrap();
    assert_eq!(r.state, BundleState::ReadyToDeliver);
}

#[test]
fn duplicate_reports_are_refused() {
    let compiled = newborn();
    let mut v = all_approved();
    let again = v["reports"][1].clone();
    v["reports"].as_array_mut().unwrap().push(again);
    let p = problems(&compiled, v);
    assert_eq!(
        p,
        [ResultProblem::DuplicateReport {
            pointer: "/reports/4".into(),
            item: "birth-medical-certificate".into(),
            first: "/reports/1".into()
        }]
    );
    assert_eq!(
        p[0].to_string(),
        "/reports/4: a second report on item `birth-medical-certificate` (the first is at /reports/1)"
    );
}

#[test]
fn refusals_need_a_reason_and_issue_no_certificate() {
    let compiled = newborn();
    let v = json!({"reports": [
        {"item": "household-registration", "status": "refused", "certificates": [cert("户口簿", "Register", "1")]},
        {"item": "medical-insurance", "status": "in_progress", "certificates": [cert("凭证", "Record", "2")]},
        {"item": "birth-medical-certificate", "status": "approved", "date": "2026-02-30",
         "certificates": [{"title": {"zh": "证", "en": "C"}}, {"title": {"zh": "证", "en": "C"}, "number": "3", "evidence": "passport"}]}
    ]});
    let p = problems(&compiled, v);
    let kinds: Vec<String> =
        p.iter().map(|x| serde_json::to_value(x).unwrap()["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        kinds,
        [
            "missing_reason",
            "certificate_not_approved",
            "certificate_not_approved",
            "bad_date",
            "empty_certificate",
            "unknown_evidence"
        ]
    );
    assert_eq!(
        p[0].to_string(),
        "/reports/0: item `household-registration` (department `gaj`) is refused without a reason"
    );
    assert!(p[3].to_string().starts_with("/reports/2/date: `2026-02-30` is not a date"), "{}", p[3]);
    assert_eq!(
        p[4].to_string(),
        "/reports/2/certificates/0: a certificate of item `birth-medical-certificate` (department `wsjkw`) has neither a number nor an e-licence reference"
    );
    assert_eq!(
        p[5].to_string(),
        "/reports/2/certificates/1/evidence: item `birth-medical-certificate` does not produce evidence `passport`"
    );
}

#[test]
fn malformed_json_and_wrong_shapes_are_typed_errors() {
    let err = Reports::from_json("{\"reports\": [\n  {\"item\": \"x\",}\n]}").unwrap_err();
    assert!(matches!(err.problems[..], [ResultProblem::Syntax { line: 2, .. }]), "{err}");
    let err = Reports::from_json(r#"{"reports": [{"item": "x", "status": "done"}]}"#).unwrap_err();
    match &err.problems[..] {
        [ResultProblem::Shape { pointer, message }] => {
            assert_eq!(pointer, "/reports/0/status");
            assert!(message.contains("unknown variant `done`"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let err =
        Reports::from_json(r#"{"reports": [{"item": "x", "status": "approved", "colour": 1}]}"#).unwrap_err();
    assert!(
        matches!(&err.problems[..], [ResultProblem::Shape { pointer, .. }] if pointer == "/reports/0/colour"),
        "{err}"
    );
    let err = Reports::from_json(r#"{"rating": {"scores": [{"score": 4.5}]}}"#).unwrap_err();
    assert!(
        matches!(&err.problems[..], [ResultProblem::Shape { pointer, .. }] if pointer == "/rating/scores/0/score"),
        "{err}"
    );
    let err = Reports::from_json("[]").unwrap_err();
    assert!(
        matches!(&err.problems[..], [ResultProblem::Shape { pointer, .. }] if pointer.is_empty()),
        "{err}"
    );
    let big = format!("{{\"application\": \"{}\"}}", "x".repeat(onething::results::MAX_RESULTS_BYTES));
    let err = Reports::from_json(&big).unwrap_err();
    assert!(matches!(err.problems[..], [ResultProblem::TooLarge { .. }]), "{err}");
    // Errors serialise for `--json` and the WASM face.
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["problems"][0]["kind"], "too_large");
}

#[test]
fn a_rating_per_department_with_scores_one_to_five() {
    let compiled = newborn();
    let ok = Rating::from_json(
        r#"{"bundle": "newborn", "date": "2026-04-20", "scores": [
            {"score": 5, "comment": "一次办好，不用跑腿"},
            {"department": "gaj", "score": 4},
            {"department": "ybj", "score": 2, "comment": "电话一直占线"}]}"#,
    )
    .unwrap();
    compiled.check_rating(&ok).unwrap();
    assert_eq!(onething::results::score_text(5).unwrap().zh, "非常满意");
    assert!(onething::results::score_text(0).is_none());
    let schema = onething::schemas::all().into_iter().find(|(n, _)| *n == "rating").unwrap().1;
    let validator = onething::schema::compile(&schema).unwrap();
    assert!(validator.is_valid(&serde_json::to_value(&ok).unwrap()));
    assert!(!validator.is_valid(&json!({"scores": [{"score": 6}]})));
}

#[test]
fn bad_ratings_are_named_with_their_pointer_and_department() {
    let compiled = newborn();
    let bad: Rating = serde_json::from_value(json!({"date": "yesterday", "scores": [
        {"department": "gaj", "score": 0},
        {"department": "ybj", "score": 6},
        {"score": -1},
        {"department": "gaj", "score": 3},
        {"department": "nobody", "score": 4},
        {"department": "cdc", "score": 1},
        {"department": "rsj", "score": 2, "comment": "   "},
        {"department": "wsjkw", "score": 5, "comment": "好".repeat(2001)}
    ]}))
    .unwrap();
    let p = compiled.check_rating(&bad).unwrap_err().problems;
    let rendered: Vec<String> = p.iter().map(ToString::to_string).collect();
    assert_eq!(
        rendered,
        [
            "/date: `yesterday` is not a date: `yesterday` does not match the date layout YYYY-MM-DD",
            "/scores/0/score: score 0 for department `gaj` is outside 1–5",
            "/scores/1/score: score 6 for department `ybj` is outside 1–5",
            "/scores/2/score: score -1 for the whole thing is outside 1–5",
            "/scores/3: a second score for department `gaj` (the first is at /scores/0)",
            "/scores/4/department: unknown department `nobody`",
            "/scores/5: score 1 for department `cdc` needs a comment saying why",
            "/scores/6: score 2 for department `rsj` needs a comment saying why",
            "/scores/7/comment: the comment has 2001 characters, more than 2000",
        ]
    );
    // Inside reports, the pointers start at the rating.
    let mut v = all_approved();
    v["rating"] = json!({"scores": [{"score": 9}]});
    let p = problems(&compiled, v);
    assert_eq!(
        p,
        [ResultProblem::ScoreOutOfRange {
            pointer: "/rating/scores/0/score".into(),
            department: None,
            score: 9
        }]
    );
    // A valid rating is carried into the results.
    let mut v = all_approved();
    v["rating"] = json!({"scores": [{"score": 5}]});
    assert_eq!(results(&compiled, v).unwrap().rating.unwrap().scores[0].score, 5);
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "approved",
            "refused",
            "in_progress",
            "newborn",
            "gaj",
            "wsjkw",
            "birth-medical-certificate",
            "medical-insurance",
            "hukou-record",
            "2026-04-01",
            "",
            "zh",
            "en"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "bundle",
                    "items",
                    "reports",
                    "item",
                    "department",
                    "status",
                    "reason",
                    "date",
                    "certificates",
                    "title",
                    "number",
                    "e_licence",
                    "evidence",
                    "paper",
                    "rating",
                    "scores",
                    "score",
                    "comment",
                    "zh",
                    "en"
                ]),
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever the input, the answer is results or typed problems: never a panic.
    #[test]
    fn any_json_gives_results_or_typed_problems(v in arb_json()) {
        let compiled = newborn_cached();
        let text = v.to_string();
        match Reports::from_json(&text) {
            Ok(reports) => match compiled.results(&reports) {
                Ok(r) => prop_assert!(r.items.len() <= 5),
                Err(e) => prop_assert!(!e.problems.is_empty()),
            },
            Err(e) => prop_assert!(!e.problems.is_empty()),
        }
        if let Ok(rating) = Rating::from_json(&text) {
            let _ = compiled.check_rating(&rating);
        }
    }
}

fn newborn_cached() -> &'static CompiledBundle {
    static C: std::sync::OnceLock<CompiledBundle> = std::sync::OnceLock::new();
    C.get_or_init(newborn)
}
