//! Every fixture's own cases run through what `onething test` runs (`load::cases`,
//! `CompiledBundle::run_case`): the expectations in the file names and `expect` blocks are
//! the same for this repository's tests and for the command; and rule coverage is read from
//! the traces.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{compile, fixture, fixtures};
use onething::case::Case;
use onething::decision::RuleKind;
use onething::load::cases::load_cases;
use onething::testing::{Coverage, TestReport};
use onething::{EvalOptions, Outcome};

#[test]
fn every_fixture_case_passes() {
    for dir in fixtures() {
        let c = compile(&dir);
        let cases = load_cases(&dir).unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()));
        assert!(cases.date.is_some(), "{}: fixture.json gives the date", dir.display());
        let decisions = std::fs::read_dir(dir.join("decisions")).unwrap().count();
        assert!(cases.cases.len() >= decisions, "{}: a decision file was not read", dir.display());
        for case in &cases.cases {
            assert!(case.unknown_references(c.bundle()).is_empty(), "{}", case.name);
            let run = c.run_case(case, cases.date.unwrap(), &EvalOptions::default());
            assert!(run.result.passed, "{}/{}: {:#?}", c.bundle().id, case.name, run.result.mismatches);
        }
    }
}

/// The case about New Year's Eve is decided on its own date (`fixture.json`'s
/// `decision_dates`), the others on the fixture's.
#[test]
fn cases_get_their_own_dates() {
    let dir = fixture("business-startup");
    let cases = load_cases(&dir).unwrap();
    let eve = cases.cases.iter().find(|c| c.name.contains("new-years-eve")).unwrap();
    assert_eq!(eve.date.unwrap().to_string(), "2026-12-31");
    assert_eq!(cases.date.unwrap().to_string(), "2026-04-30");
}

#[test]
fn a_failing_expectation_says_what_differs() {
    let c = common::compile_fixture("restaurant-opening");
    let text = std::fs::read_to_string(
        fixture("restaurant-opening").join("decisions/accepted--dumpling-shop-every-material-at-hand.json"),
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["expect"] = serde_json::json!({
        "items": {"fire-safety-inspection": "accepted", "business-licence-check": "rejected"},
        "deficiencies": ["material:site-photo"],
        "supplements": {"site-photo": "2026-06-22"},
        "obligations": {"business-licence-check": [{"rule": "nothing"}]}
    });
    let case = Case::from_json_named(&v.to_string(), "tests/accepted--x").unwrap();
    let run = c.run_case(&case, "2026-06-15".parse().unwrap(), &EvalOptions::default());
    assert!(!run.result.passed);
    let what: Vec<&str> = run.result.mismatches.iter().map(|m| m.what.as_str()).collect();
    assert_eq!(
        what,
        [
            "items.fire-safety-inspection",
            "items.business-licence-check",
            "deficiencies",
            "supplements",
            "obligations.business-licence-check"
        ]
    );
    let text: Vec<String> = run.result.mismatches.iter().map(ToString::to_string).collect();
    assert_eq!(text[1], "items.business-licence-check: expected rejected, decided accepted");
    assert_eq!(text[2], "deficiencies: expected but not decided: material:site-photo");
    assert_eq!(text[4], "obligations.business-licence-check: expected nothing, decided none");
    // The unknown references are named, with a suggestion.
    let unknown: Vec<String> = case.unknown_references(c.bundle()).iter().map(ToString::to_string).collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(unknown[0].contains("expect.obligations.business-licence-check[0].rule"), "{unknown:?}");
    let report = TestReport::new(&c, vec![run.result], None);
    assert_eq!((report.passed, report.failed), (0, 1));
    let xml = report.to_junit();
    assert!(
        xml.contains("<failure message=\"items.fire-safety-inspection: expected accepted, decided"),
        "{xml}"
    );
}

#[test]
fn an_unknown_item_is_named_with_a_suggestion() {
    let c = common::compile_fixture("newborn");
    let case =
        Case::from_json_named(r#"{"expect": {"items": {"houshold-registration": "accepted"}}}"#, "tests/x")
            .unwrap();
    let unknown = case.unknown_references(c.bundle());
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        unknown[0].to_string(),
        "tests/x.json: at expect.items.houshold-registration: the bundle has no item `houshold-registration`; did you mean `household-registration`?"
    );
}

/// A case may expect the values the derive rules give (after-death: the amounts each
/// checked by hand in its README), by key or by a column of one element; a wrong value, a
/// missing element, an unknown key and a malformed name are each reported where they are.
#[test]
fn a_case_expects_derived_values() {
    let c = common::compile_fixture("after-death");
    let file = "decisions/accepted--wife-and-daughter-inherit-daughter-turns-18-today.json";
    let text = std::fs::read_to_string(fixture("after-death").join(file)).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["expect"] = serde_json::json!({"values": {
        "funeral.reduction_amount": 600,
        "pension.survivor_months": 17.25,
        "pension.survivor_pension": 53475,
        "heirs[1].amount": 43200.5,
        "heirs[2].amount": 1,
        "deceased.name": "李建国"
    }});
    let case = Case::from_json_named(&v.to_string(), "tests/accepted--x").unwrap();
    assert!(case.unknown_references(c.bundle()).is_empty());
    let run = c.run_case(&case, "2026-04-28".parse().unwrap(), &EvalOptions::default());
    let text: Vec<String> = run.result.mismatches.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "values.heirs[1].amount: expected 43200.5, decided 43200.0",
            "values.heirs[2].amount: expected 1, decided null"
        ]
    );
    v["expect"] = serde_json::json!({"values": {
        "pension.survivor_pensoin": 1, "heirs[].amount": 1, "heirs[0]amount": 1, "heirs[0].amuont": 1
    }});
    let case = Case::from_json_named(&v.to_string(), "tests/accepted--x").unwrap();
    let unknown: Vec<String> = case.unknown_references(c.bundle()).iter().map(ToString::to_string).collect();
    assert_eq!(unknown.len(), 4, "{unknown:?}");
    assert!(unknown[0].ends_with("did you mean `pension.survivor_pension`?"), "{unknown:?}");
    assert!(unknown[1].contains("at expect.values.heirs[].amount: the bundle has no field"), "{unknown:?}");
    assert!(unknown[3].ends_with("did you mean `heirs[].amount`?"), "{unknown:?}");
}

/// Coverage counts what the traces say: every fixture's cases make every eligibility
/// rule and the policy both true and false, or the fixture's README lists the gap under
/// "Rule coverage", saying why.
#[test]
fn coverage_of_the_fixtures() {
    for dir in fixtures() {
        let c = compile(&dir);
        let cases = load_cases(&dir).unwrap();
        let opts = EvalOptions::default();
        let runs: Vec<_> = cases.cases.iter().map(|k| c.run_case(k, cases.date.unwrap(), &opts)).collect();
        let coverage = Coverage::of(&c, cases.cases.iter().zip(&runs), &opts);
        assert!(coverage.total > 0 && coverage.covered <= coverage.total);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        let gaps =
            readme.split("\n## Rule coverage").nth(1).map(|s| s.split("\n## ").next().unwrap()).unwrap_or("");
        for r in &coverage.rules {
            if matches!(r.kind, RuleKind::Eligibility | RuleKind::Policy) && !r.full() {
                assert!(
                    gaps.contains(&format!("`{}`", r.rule)),
                    "{}: {} `{}` is not made both true and false by the cases, and README.md's \"Rule coverage\" does not list it: {r:?}",
                    c.bundle().id,
                    r.at,
                    r.rule
                );
            }
        }
    }
}

#[test]
fn coverage_without_cases_and_with_one() {
    let c = common::compile_fixture("restaurant-opening");
    let opts = EvalOptions::default();
    let none = Coverage::of(&c, [], &opts);
    assert_eq!(none.covered, 0);
    assert_eq!(none.never_ran, none.rules.len());
    let case = Case::from_json_named(r#"{"values": {}}"#, "tests/correction_required--empty").unwrap();
    let run = c.run_case(&case, "2026-06-15".parse().unwrap(), &opts);
    assert_eq!(run.result.outcome, Outcome::CorrectionRequired);
    let one = Coverage::of(&c, [(&case, &run)], &opts);
    assert!(one.covered > 0 && one.never_ran < one.rules.len());
    // Every kind of rule the fixture has is listed.
    for kind in [RuleKind::AppliesIf, RuleKind::Eligibility, RuleKind::RequiredIf] {
        assert!(one.rules.iter().any(|r| r.kind == kind), "{kind:?}");
    }
}

/// `CompiledBundle::test_cases` (the package's `Bundle.test`) gives what running each case
/// and measuring coverage gives, and refuses a case naming an unknown item before running.
#[test]
fn test_cases_runs_every_case_in_one_call() {
    for dir in fixtures() {
        let c = compile(&dir);
        let cases = load_cases(&dir).unwrap();
        let date = cases.date.unwrap();
        let opts = EvalOptions::default();
        let report = c.test_cases(&cases.cases, date, &opts, true).unwrap();
        let runs: Vec<_> = cases.cases.iter().map(|k| c.run_case(k, date, &opts)).collect();
        let coverage = Coverage::of(&c, cases.cases.iter().zip(&runs), &opts);
        let expected = TestReport::new(&c, runs.into_iter().map(|r| r.result).collect(), Some(coverage));
        assert_eq!(report, expected, "{}", dir.display());
        let plain = c.test_cases(&cases.cases, date, &opts, false).unwrap();
        assert!(plain.coverage.is_none() && plain.failed == 0);
    }
    let c = common::compile_fixture("restaurant-opening");
    // Coverage names each rule's file, where an editor marks it.
    let cases = load_cases(&fixture("restaurant-opening")).unwrap();
    let report = c.test_cases(&cases.cases, cases.date.unwrap(), &EvalOptions::default(), true).unwrap();
    let rules = report.coverage.unwrap().rules;
    let adult = rules.iter().find(|r| r.rule == "operator-adult").unwrap();
    assert_eq!(adult.file.as_deref(), Some("rules/operator-adult.rhai"));
    assert!(adult.pointer.starts_with('/'), "{adult:?}");
    let case = Case::from_json_named(
        r#"{"values": {}, "expect": {"items": {"no-such-item": "accepted"}}}"#,
        "tests/accepted--x",
    )
    .unwrap();
    let errors =
        c.test_cases(&[case], "2026-06-15".parse().unwrap(), &EvalOptions::default(), false).unwrap_err();
    assert!(errors.iter().any(|e| e.to_string().contains("no-such-item")), "{errors:?}");
}
