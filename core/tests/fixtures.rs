//! Every bundle under `fixtures/` is compiled, its merged form and every submission's
//! validation and dispatch are snapshot-tested (outputs checked by hand once), and the two
//! central invariants are checked on it:
//!
//! * invariant 1 — the merged form accepts a submission exactly when every applicable
//!   department's original schema accepts its view of it, over the fixture submissions and
//!   thousands of mutations of them;
//! * invariant 2 — each payload validates against its department's schema, carries every
//!   value that department declared, and nothing it did not declare.
//!
//! Submissions named `valid-*` must validate; `invalid-*` must not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{case_date, compile, decision_cases, fixtures, settings};

use std::path::{Path, PathBuf};

use onething::{CompiledBundle, Submission, load};
use serde_json::{Value, json};

fn submissions(dir: &Path) -> Vec<(String, Submission)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("submissions"))
        .map(|rd| {
            rd.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let name = f.file_stem().unwrap().to_string_lossy().to_string();
            let s = Submission::from_json_named(&std::fs::read_to_string(&f).unwrap(), &name)
                .unwrap_or_else(|e| panic!("{e}"));
            (name, s)
        })
        .collect()
}

#[test]
fn fixtures_compile_without_warnings_and_match_their_schema() {
    let format = onething::schema::compile(&onething::schemas::all()[0].1).unwrap();
    for dir in fixtures() {
        let c = compile(&dir);
        assert!(c.warnings().is_empty(), "{}: {:?}", dir.display(), c.warnings());
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("bundle.json")).unwrap()).unwrap();
        let errors: Vec<String> =
            format.iter_errors(&manifest).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(
            errors.is_empty(),
            "{}: bundle.json breaks schemas/bundle.schema.json: {errors:?}",
            dir.display()
        );
    }
}

#[test]
fn packing_round_trips() {
    for dir in fixtures() {
        let bundle = load::load_dir(&dir).unwrap();
        let packed = serde_json::to_string(&bundle).unwrap();
        let again = load::from_packed_str(&packed).unwrap();
        assert_eq!(again, bundle, "{}", dir.display());
        assert_eq!(CompiledBundle::compile(again).unwrap().form(), compile(&dir).form());
    }
}

#[test]
fn merged_forms_match_their_snapshots() {
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        settings().bind(|| insta::assert_json_snapshot!(format!("{id}__form"), c.form()));
    }
}

#[test]
fn submissions_validate_and_dispatch_as_named() {
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        let subs = submissions(&dir);
        assert!(subs.iter().any(|(n, _)| n.starts_with("valid")), "{id}: no valid submission");
        assert!(
            subs.iter().filter(|(n, _)| n.starts_with("invalid")).count() >= 3,
            "{id}: too few invalid submissions"
        );
        for (name, s) in subs {
            let v = c.validate(&s);
            assert_eq!(v.valid, name.starts_with("valid"), "{id}/{name}: {:#?}", v.errors);
            settings().bind(|| insta::assert_json_snapshot!(format!("{id}__{name}__validation"), v));
            if v.valid {
                let d = c.dispatch(&s).unwrap_or_else(|e| panic!("{id}/{name}: {e}"));
                settings().bind(|| insta::assert_json_snapshot!(format!("{id}__{name}__dispatch"), d));
            }
        }
    }
}

/// Every property path (as tokens) a department schema declares, through `properties`,
/// `$ref`, `allOf`, `anyOf`, `oneOf` and `if`/`then`/`else`.
fn declared_paths(
    schema: &Value,
    root: &Value,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
    depth: usize,
) {
    if depth > 24 {
        return;
    }
    let Some(obj) = schema.as_object() else {
        return;
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        if let Some(target) = r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            declared_paths(target, root, prefix.clone(), out, depth + 1);
        }
    }
    for (name, sub) in obj.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let mut p = prefix.clone();
        p.push(name.clone());
        out.push(p.clone());
        declared_paths(sub, root, p, out, depth + 1);
    }
    for kw in ["allOf", "anyOf", "oneOf"] {
        for sub in obj.get(kw).and_then(Value::as_array).into_iter().flatten() {
            declared_paths(sub, root, prefix.clone(), out, depth + 1);
        }
    }
    for kw in ["if", "then", "else"] {
        if let Some(sub) = obj.get(kw) {
            declared_paths(sub, root, prefix.clone(), out, depth + 1);
        }
    }
}

fn leaf_paths(v: &Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, sub) in m {
                let mut p = prefix.clone();
                p.push(k.clone());
                out.push(p.clone());
                leaf_paths(sub, p, out);
            }
        }
        _ => {}
    }
}

#[test]
fn invariant_2_dispatch_loses_nothing_and_leaks_nothing() {
    for dir in fixtures() {
        let c = compile(&dir);
        let bundle = c.bundle().clone();
        for (name, s) in submissions(&dir).into_iter().filter(|(n, _)| n.starts_with("valid")) {
            let d = c.dispatch(&s).unwrap();
            for p in &d.payloads {
                let item = bundle.items.iter().find(|i| i.id == p.item).unwrap();
                let original = onething::schema::compile(&item.schema).unwrap();
                assert!(original.is_valid(&p.payload), "{name}/{}: payload breaks its schema", p.item);
                // Leaks nothing: every property in the payload is declared by the department.
                let mut declared = Vec::new();
                declared_paths(&item.schema, &item.schema, Vec::new(), &mut declared, 0);
                let mut present = Vec::new();
                leaf_paths(&p.payload, Vec::new(), &mut present);
                for path in &present {
                    assert!(declared.contains(path), "{name}/{}: undeclared property {path:?} sent", p.item);
                }
                // Loses nothing: every value given for a key this item declares arrives.
                for route in &p.fields {
                    let sent = p.payload.pointer(&route.pointer);
                    assert!(sent.is_some(), "{name}/{}: {} missing at {}", p.item, route.key, route.pointer);
                }
                let form_items = c.form()["x-onething-items"].as_array().unwrap();
                let keys = form_items.iter().find(|i| i["id"] == p.item.as_str()).unwrap()["fields"]
                    .as_array()
                    .unwrap();
                for key in keys.iter().filter_map(Value::as_str).filter(|k| s.values().contains_key(*k)) {
                    assert!(
                        p.fields.iter().any(|r| &*r.key == key),
                        "{name}/{}: given value of `{key}` not sent",
                        p.item
                    );
                }
            }
        }
    }
}

/// Values to try in place of a field's value.
fn probes(c: &CompiledBundle, key: &str, others: &[Value]) -> Vec<Value> {
    let mut v = vec![
        Value::Null,
        json!(""),
        json!("x"),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(49),
        json!(50),
        json!(100_000),
        json!(true),
        json!(false),
        json!("2024-02-30"),
        json!("2024-05-01"),
        json!("20240501"),
        json!("11010519491231002X"),
        json!("110105194912310021"),
        json!("91350100M000100Y43"),
        json!("13800138000"),
        json!("字".repeat(300)),
        json!([]),
        json!({}),
    ];
    if let Some(f) = c.bundle().fields.get(key) {
        v.extend(f.options.keys().map(|k| json!(k)));
    }
    v.extend(others.iter().cloned());
    v
}

fn check_invariant_1(c: &CompiledBundle, s: &Submission, what: &str) -> bool {
    let v = c.validate(s);
    assert!(v.errors.iter().all(|e| e.keyword != "applies_if"), "{what}: a rule failed: {:?}", v.errors);
    let departments_accept = v.applicable.iter().all(|item| {
        let view = c.department_view(item, s).unwrap();
        view.transform_failures.is_empty() && view.errors.is_empty()
    });
    assert_eq!(
        v.valid,
        departments_accept,
        "{what}: merged form says valid={} but the departments say {}: errors {:#?}; views {:#?}",
        v.valid,
        departments_accept,
        v.errors,
        v.applicable.iter().map(|i| c.department_view(i, s).unwrap()).collect::<Vec<_>>()
    );
    v.valid
}

#[test]
fn invariant_1_merge_is_exact_on_every_fixture() {
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        let subs = submissions(&dir);
        let keys: Vec<String> = c.keys().keys().cloned().collect();
        let (mut checked, mut valid) = (0, 0);
        for (name, s) in &subs {
            valid += usize::from(check_invariant_1(&c, s, &format!("{id}/{name}")));
            checked += 1;
            for key in &keys {
                let others: Vec<Value> =
                    subs.iter().filter_map(|(_, o)| o.values().get(key).cloned()).collect();
                let mut without = s.clone();
                if without.values_mut().remove(key).is_some() {
                    valid +=
                        usize::from(check_invariant_1(&c, &without, &format!("{id}/{name} without {key}")));
                    checked += 1;
                }
                for probe in probes(&c, key, &others) {
                    let mut m = s.clone();
                    m.values_mut().insert(key.clone(), probe.clone());
                    valid +=
                        usize::from(check_invariant_1(&c, &m, &format!("{id}/{name} with {key} = {probe}")));
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "{id}: only {checked} submissions checked");
        assert!(
            valid > 20,
            "{id}: only {valid} of {checked} mutated submissions were valid: the check is weak"
        );
    }
}

#[test]
fn decisions_are_as_named_and_cover_every_outcome() {
    use onething::Outcome as O;
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        let cases = decision_cases(&dir);
        assert!(cases.len() >= 7, "{id}: only {} decision cases", cases.len());
        let mut seen_bundle = std::collections::HashSet::new();
        let mut seen_items = std::collections::HashSet::new();
        for (name, expected, s) in &cases {
            let d = c.evaluate(s, case_date(&dir, name));
            assert_eq!(d.outcome, *expected, "{id}/{name}: {:#?}", (&d.items, &d.deficiencies));
            seen_bundle.insert(d.outcome);
            seen_items.extend(d.items.iter().map(|i| i.outcome));
            settings().bind(|| insta::assert_json_snapshot!(format!("{id}__decision__{name}"), d));
        }
        for o in [
            O::Accepted,
            O::AcceptedWithTolerance,
            O::AcceptedOnCommitment,
            O::CorrectionRequired,
            O::Rejected,
            O::ManualReview,
        ] {
            assert!(seen_bundle.contains(&o), "{id}: no decision case ends {o:?}");
        }
        assert!(seen_items.contains(&O::NotApplicable), "{id}: no item is ever not applicable");
    }
}

#[test]
fn without_the_trace_a_decision_is_the_same_but_for_the_trace() {
    let untraced = onething::EvalOptions { trace: false, ..Default::default() };
    for dir in fixtures() {
        let c = compile(&dir);
        for (name, _, s) in decision_cases(&dir) {
            let date = case_date(&dir, &name);
            let mut traced = c.evaluate(&s, date);
            assert!(!traced.trace.is_empty(), "{name}");
            let quick = c.evaluate_with(&s, date, &untraced);
            assert!(quick.trace.is_empty(), "{name}");
            traced.trace.clear();
            assert_eq!(quick, traced, "{name}");
        }
    }
}

/// Every number in `v`, written as `f64` (`as_float`) or, when whole, as an integer.
fn respell_numbers(v: &Value, as_float: bool) -> Value {
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            if as_float {
                json!(x)
            } else if x.fract() == 0.0 && x.abs() < 9.0e15 {
                json!(x as i64)
            } else {
                v.clone()
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(|e| respell_numbers(e, as_float)).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, e)| (k.clone(), respell_numbers(e, as_float))).collect())
        }
        other => other.clone(),
    }
}

/// Invariant 6 (native and WASM decide alike) at its root: JSON does not tell `86400` from
/// `86400.0`, and a JavaScript caller cannot (its objects are written by `JSON.stringify`),
/// so no decision may depend on the spelling. Every decision case is evaluated with its
/// numbers written both ways; the decisions must be equal but for how their numbers are
/// written.
#[test]
fn a_decision_does_not_depend_on_how_whole_numbers_are_written() {
    for dir in fixtures() {
        let c = compile(&dir);
        for (name, _, s) in decision_cases(&dir) {
            let date = case_date(&dir, &name);
            let written = serde_json::to_value(&s).unwrap();
            let decide = |as_float| {
                let text = respell_numbers(&written, as_float).to_string();
                let d = c.evaluate(&Submission::from_json(&text).unwrap(), date);
                respell_numbers(&serde_json::to_value(d).unwrap(), true)
            };
            assert_eq!(decide(true), decide(false), "{name}");
        }
    }
}

/// Invariant 4: an incomplete submission's decision lists every deficiency at once, and
/// fixing exactly those yields acceptance. Every accepted decision case is broken one field
/// or one material at a time; the listed fixes (restoring what the applicant had) must
/// then be accepted again.
#[test]
fn invariant_4_one_time_notice() {
    use onething::decision::DeficiencyKind;
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        let mut broken = 0;
        for (name, expected, good) in decision_cases(&dir).into_iter().filter(|(_, o, _)| o.is_accepted()) {
            let date = case_date(&dir, &name);
            let mut variants: Vec<(String, Submission)> = Vec::new();
            for key in good.values().keys() {
                let mut s = good.clone();
                s.values_mut().insert(key.clone(), json!({"not": "valid"}));
                variants.push((format!("{key} broken"), s));
            }
            for (m, status) in &good.materials {
                if *status != onething::MaterialStatus::Missing {
                    let mut s = good.clone();
                    s.materials.insert(m.clone(), onething::MaterialStatus::Missing);
                    s.commitments.clear();
                    variants.push((format!("{m} missing"), s));
                }
            }
            for (what, s) in variants {
                let d = c.evaluate(&s, date);
                if d.outcome != onething::Outcome::CorrectionRequired {
                    continue;
                }
                broken += 1;
                let mut fixed = s.clone();
                for def in &d.deficiencies {
                    match (def.kind, &def.key, &def.material) {
                        (DeficiencyKind::Field, Some(key), _) => match good.values().get(key) {
                            Some(v) => {
                                fixed.values_mut().insert(key.clone(), v.clone());
                            }
                            None => {
                                fixed.values_mut().remove(key);
                            }
                        },
                        (DeficiencyKind::Material, _, Some(m)) => {
                            fixed.materials.insert(m.clone(), onething::MaterialStatus::Provided);
                        }
                        (DeficiencyKind::Consistency, ..) if !def.keys.is_empty() => {
                            for key in &def.keys {
                                match good.values().get(key) {
                                    Some(v) => fixed.values_mut().insert(key.clone(), v.clone()),
                                    None => fixed.values_mut().remove(key),
                                };
                            }
                        }
                        other => panic!("{id}/{name} with {what}: deficiency without a subject: {other:?}"),
                    }
                }
                let again = c.evaluate(&fixed, date);
                assert!(
                    again.outcome.is_accepted(),
                    "{id}/{name} with {what}: fixing {:?} gave {:?}: {:#?}",
                    d.deficiencies.iter().map(|x| &x.id).collect::<Vec<_>>(),
                    again.outcome,
                    again.deficiencies
                );
                let _ = expected;
            }
        }
        assert!(broken >= 10, "{id}: only {broken} broken variants: the check is weak");
    }
}
