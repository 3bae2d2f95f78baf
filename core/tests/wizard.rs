//! The headless wizard: a newcomer walking through the newborn bundle (snapshots), bad keys
//! and wrongly typed values, drafts, navigation, prefill provenance, submit → evaluate on
//! every decision file, and random edit sequences on every fixture.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::case_date;

use indexmap::IndexMap;
use onething::prefill::{Figures, FillOrigin, Filled, FilledValues, Prefill};
use onething::wizard::Provenance;
use onething::{CompiledBundle, Date, MaterialStatus, Outcome, Submission, Wizard, WizardError, load};
use proptest::prelude::*;
use serde_json::{Value, json};

const FIXTURES: [&str; 6] = [
    "after-death",
    "business-startup",
    "housing-transfer",
    "newborn",
    "restaurant-opening",
    "school-enrolment",
];

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(name)
}

fn compiled(name: &str) -> &'static CompiledBundle {
    static ALL: OnceLock<Vec<(&'static str, CompiledBundle)>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        FIXTURES
            .iter()
            .map(|n| (*n, CompiledBundle::compile(load::load_dir(&dir(n)).unwrap()).unwrap()))
            .collect()
    });
    &all.iter().find(|(n, _)| *n == name).unwrap().1
}

fn date(name: &str) -> Date {
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir(name).join("fixture.json")).unwrap()).unwrap();
    meta["evaluation_date"].as_str().unwrap().parse().unwrap()
}

/// A submission file, or a case file's submission (without its `expect` and `date`).
fn read_submission(path: &Path) -> Submission {
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if let Some(members) = value.as_object_mut() {
        members.remove("expect");
        members.remove("date");
    }
    serde_json::from_value(value).unwrap()
}

/// Fills a wizard with a submission's contents, field by field.
fn fill(w: &mut Wizard<'_>, s: &Submission) {
    for (k, v) in s.values() {
        w.set(k, v.clone()).unwrap_or_else(|e| panic!("{k}: {e}"));
    }
    for (m, status) in &s.materials {
        w.set_material(m, Some(*status)).unwrap();
    }
    for i in &s.opt_in {
        w.choose(i, true).unwrap();
    }
    for c in &s.commitments {
        w.commit(c, true);
    }
    w.set_applicant(s.applicant.clone());
}

/// What a reviewer reads in a snapshot: each step's fields with value, flags and errors.
fn summary(state: &onething::WizardState) -> Value {
    let steps: Vec<Value> = state
        .steps
        .iter()
        .map(|s| {
            let fields: Vec<Value> = s
                .fields
                .iter()
                .map(|f| {
                    let flags = format!(
                        "{}{}{}",
                        if f.visible { "visible" } else { "hidden" },
                        if f.required { " required" } else { "" },
                        if f.locked { " locked" } else { "" }
                    );
                    let errors: Vec<String> = f.errors.iter().map(|e| e.message.to_string()).collect();
                    json!({"key": f.key, "flags": flags, "value": f.value, "provenance": f.provenance, "errors": errors, "missing": f.missing.as_ref().map(ToString::to_string)})
                })
                .collect();
            json!({"id": s.id, "title": s.title, "visible": s.visible, "complete": s.complete, "fields": fields})
        })
        .collect();
    json!({
        "current": state.current,
        "current_complete": state.current_complete,
        "applicable": state.applicable,
        "optional": state.optional,
        "warnings": state.warnings,
        "errors": state.errors,
        "materials": state.materials,
        "progress": state.progress,
        "complete": state.complete,
        "steps": steps,
    })
}

#[test]
fn newborn_walk_through() {
    let b = compiled("newborn");
    let mut w = Wizard::new(b, None, Some(date("newborn")));
    let target = read_submission(
        &dir("newborn").join("decisions/accepted--married-parents-join-father-with-card.json"),
    );

    // 1. Nothing answered: the card step is hidden (opt-in), nothing is complete.
    let s0 = w.state();
    assert_eq!(s0.steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>()[0], "baby");
    let card = s0.steps.iter().position(|s| s.id == "card").unwrap();
    assert!(!s0.steps[card].visible);
    assert!(!s0.complete && s0.progress.filled == 0 && s0.progress.required > 0);
    assert_eq!(s0.first_incomplete_step(), Some(0));
    insta::assert_json_snapshot!("newborn-0-empty", summary(&s0));

    // 2. The baby's step, with a birth date too old for this application and a wrongly
    //    typed weight: an early eligibility warning and a field error, no panic.
    for key in ["baby.name", "baby.gender", "baby.ethnicity"] {
        w.set(key, target.values[key].clone()).unwrap();
    }
    w.set("baby.birth_date", json!("2025-09-01")).unwrap();
    w.set("baby.weight_g", json!("about three kilos")).unwrap();
    let s1 = w.state();
    assert!(s1.warnings.iter().any(|x| x.rule == "newborn-under-six-months"), "{:?}", s1.warnings);
    assert!(!s1.field("baby.weight_g").unwrap().errors.is_empty());
    let age = s1.field("baby.birth_date").unwrap();
    assert_eq!(age.provenance, Some(Provenance::Applicant));
    assert_eq!(
        s1.first_error().map(|(step, key)| (s1.steps[step].id.as_str(), key)),
        Some(("delivery", "baby.weight_g"))
    );
    insta::assert_json_snapshot!("newborn-1-baby-step", summary(&s1));

    // 3. Fixed, the baby step complete; move on.
    w.set("baby.birth_date", target.values["baby.birth_date"].clone()).unwrap();
    w.unset("baby.weight_g").unwrap();
    let s2 = w.state();
    assert!(s2.warnings.is_empty(), "{:?}", s2.warnings);
    assert!(s2.steps[0].complete && s2.current_complete);
    assert_eq!(w.go_next(), Some(1));
    assert_eq!(w.go_previous(), Some(0));

    // 4. Everything from the decision file, the card chosen: complete, and submit gives the
    //    submission the decision was made on.
    fill(&mut w, &target);
    w.go_to(card).unwrap();
    let s3 = w.state();
    assert!(s3.steps[card].visible);
    assert!(s3.complete, "{:?}", s3.errors);
    assert_eq!(s3.progress.filled, s3.progress.required);
    assert_eq!(s3.first_incomplete_step(), None);
    // Each material says what it may be: the marriage certificate (secondary, tolerable, a
    // commitment may replace it, shared from its e-licence); the baby's photo none of it.
    let need = |id: &str| s3.materials.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id}"));
    let marriage = need("marriage-certificate");
    assert!(marriage.tolerable && marriage.commitment, "{marriage:?}");
    assert_eq!(marriage.sources, ["e-licence:marriage-certificate"]);
    let photo = need("baby-photo");
    assert!(!photo.tolerable && !photo.commitment && photo.sources.is_empty(), "{photo:?}");
    // One reuse key across items: the sources of every item asking for it, once each.
    assert_eq!(need("household-register").sources, ["e-licence:household-register", "evidence:hukou-record"]);
    insta::assert_json_snapshot!("newborn-2-complete", summary(&s3));
    let decision = b.evaluate(&w.submit(), date("newborn"));
    assert_eq!(decision.outcome, Outcome::Accepted, "{:?}", decision.deficiencies);
}

#[test]
fn only_rules_reading_a_changed_key_run_again() {
    let b = compiled("newborn");
    let mut w = Wizard::new(b, None, Some(date("newborn")));
    fill(&mut w, &read_submission(&dir("newborn").join("submissions/valid-full.json")));
    let first = w.state();
    let after_first = w.rules_run();
    assert!(after_first > 0);
    // No rule reads the baby's name: every verdict, and the derived age, is reused.
    w.set("baby.name", json!("陈沐晨")).unwrap();
    let second = w.state();
    assert_eq!(w.rules_run(), after_first);

    assert_eq!(second.warnings, first.warnings);
    // The birth date feeds the derived age, which several rules read: those run again, not all.
    w.set("baby.birth_date", json!("2025-09-01")).unwrap();
    let third = w.state();
    let rerun = w.rules_run() - after_first;
    assert!(rerun > 0 && rerun < after_first, "{rerun} of {after_first}");
    assert!(!third.warnings.is_empty());
    // A material status may be read by any rule: everything runs again, once.
    w.set_material("delivery-record", Some(MaterialStatus::Missing)).unwrap();
    let before = w.rules_run();
    let _ = w.state();
    let _ = w.state();
    assert_eq!(w.rules_run() - before, after_first);
}

#[test]
fn navigation_skips_hidden_steps() {
    let b = compiled("newborn");
    let mut w = Wizard::new(b, None, Some(date("newborn")));
    let s = w.state();
    let card = s.step_of("card.bank").unwrap();
    let last_visible = s.steps.iter().rposition(|x| x.visible).unwrap();
    assert!(last_visible < card);
    assert_eq!(s.next_step(last_visible), None);
    assert_eq!(s.previous_step(0), None);
    assert_eq!(s.step_of("no.such.key"), None);
    w.choose("social-security-card", true).unwrap();
    let s = w.state();
    assert!(s.optional.iter().any(|o| o.id == "social-security-card" && o.chosen));
    assert_eq!(s.next_step(last_visible), Some(card));
    assert_eq!(w.go_to(s.steps.len()), Err(WizardError::UnknownStep(s.steps.len())));
}

#[test]
fn unknown_keys_materials_and_items_are_typed_errors() {
    let b = compiled("newborn");
    let mut w = Wizard::new(b, None, None);
    match w.set("baby.nmae", json!("x")) {
        Err(WizardError::UnknownKey { key, suggestion }) => {
            assert_eq!(key, "baby.nmae");
            assert_eq!(suggestion.as_deref(), Some("baby.name"));
        }
        other => panic!("{other:?}"),
    }
    let e = w.unset("zzz").unwrap_err();
    assert!(matches!(&e, WizardError::UnknownKey { suggestion: None, .. }));
    assert!(e.text().zh.contains("zzz") && e.text().en.contains("zzz"));
    assert!(matches!(
        w.set_material("parents-id-card", None),
        Err(WizardError::UnknownMaterial { suggestion: Some(_), .. })
    ));
    assert!(matches!(w.choose("nope", true), Err(WizardError::UnknownItem(_))));
    assert!(w.answers().is_empty());
}

#[test]
fn wrongly_typed_values_are_field_errors_on_every_fixture() {
    let odd = [
        json!({"nested": [1, {"a": null}]}),
        json!([]),
        json!(1e300),
        json!(-1),
        json!(true),
        json!("文本\u{0}"),
    ];
    for name in FIXTURES {
        let b = compiled(name);
        let mut w = Wizard::new(b, None, Some(date(name)));
        for (n, key) in b.keys().keys().enumerate() {
            w.set(key, odd[n % odd.len()].clone()).unwrap();
        }
        let s = w.state();
        assert!(!s.complete, "{name}");
        // An object or array is wrong for every leaf of every fixture.
        for key in b.keys().keys().step_by(odd.len()) {
            let f = s.field(key).unwrap();
            if f.visible {
                assert!(!f.errors.is_empty(), "{name}: {key} accepted {:?}", f.value);
                assert!(f.errors.iter().all(|e| !e.message.zh.is_empty() && !e.message.en.is_empty()));
            }
        }
        // Every field can be cleared again.
        for key in b.keys().keys() {
            w.unset(key).unwrap();
        }
        assert_eq!(w.state(), Wizard::new(b, None, Some(date(name))).state());
    }
}

#[test]
fn drafts_round_trip_and_refuse_other_bundles() {
    let b = compiled("newborn");
    let mut w = Wizard::new(b, None, Some(date("newborn")));
    fill(&mut w, &read_submission(&dir("newborn").join("submissions/valid-minimal.json")));
    w.set("baby.weight_g", json!("wrong")).unwrap();
    w.go_to(2).unwrap();
    let text = serde_json::to_string(&w.save()).unwrap();
    let draft: onething::Draft = serde_json::from_str(&text).unwrap();
    let resumed = Wizard::resume(b, draft.clone(), Some(date("newborn"))).unwrap();
    assert_eq!(resumed.state(), w.state());
    assert_eq!(resumed.submit(), w.submit());
    assert_eq!(resumed.current(), 2);

    let mut other = draft.clone();
    other.version = "0-old".into();
    assert!(matches!(Wizard::resume(b, other, None), Err(WizardError::WrongBundle { .. })));
    let mut other = draft.clone();
    other.bundle = "restaurant-opening".into();
    let e = Wizard::resume(b, other, None).unwrap_err();
    assert!(e.to_string().contains("restaurant-opening"), "{e}");
    let mut other = draft;
    other.answers.insert("baby.nmae".into(), json!("x"));
    assert!(matches!(Wizard::resume(b, other, None), Err(WizardError::UnknownKey { .. })));
    assert!(Wizard::resume(compiled("restaurant-opening"), w.save(), None).is_err());
}

/// A draft of another version of the bundle: `resume` refuses it, `migrate` keeps what the
/// new version still has and says what it left behind; another bundle is refused by both.
#[test]
fn drafts_of_another_version_migrate() {
    let b = compiled("newborn");
    let mut w = Wizard::new(b, None, Some(date("newborn")));
    fill(&mut w, &read_submission(&dir("newborn").join("submissions/valid-minimal.json")));
    w.go_to(2).unwrap();
    let mut draft = w.save();
    draft.version = "0.9.0".into();
    assert!(matches!(Wizard::resume(b, draft.clone(), None), Err(WizardError::WrongBundle { .. })));
    let (migrated, m) = Wizard::migrate(b, draft.clone(), Some(date("newborn"))).unwrap();
    assert_eq!(migrated.submit(), w.submit());
    assert_eq!(migrated.current(), 2);
    assert_eq!((m.from_version.as_str(), m.to_version.as_str()), ("0.9.0", "1.0.0"));
    assert!(m.answers_dropped.is_empty() && m.materials_dropped.is_empty() && m.items_dropped.is_empty());
    // What the new version no longer has is left behind, and listed.
    let mut old = draft.clone();
    old.answers.insert("baby.blood_type".into(), json!("A"));
    old.materials.insert("old-form".into(), MaterialStatus::Provided);
    old.opt_in.push("old-item".into());
    old.current = 99;
    let (migrated, m) = Wizard::migrate(b, old, None).unwrap();
    assert_eq!(m.answers_dropped, ["baby.blood_type"]);
    assert_eq!(m.materials_dropped, ["old-form"]);
    assert_eq!(m.items_dropped, ["old-item"]);
    assert_eq!(migrated.submit(), w.submit());
    assert!(migrated.current() < 99);
    let mut other = draft;
    other.bundle = "restaurant-opening".into();
    assert!(matches!(Wizard::migrate(b, other, None), Err(WizardError::WrongBundle { .. })));
}

#[test]
fn prefilled_values_keep_their_provenance_and_locks() {
    let b = compiled("newborn");
    let mut values = FilledValues::default();
    let source = FillOrigin::Source { source: "population-register".into(), pointer: "/xm".into() };
    values.insert(
        "mother.name".to_owned(),
        Filled { value: json!("刘佳怡"), origin: source, locked: true, open_columns: Vec::new() },
    );
    values.insert(
        "baby.name".to_owned(),
        Filled {
            value: json!("陈沐阳"),
            origin: FillOrigin::Applicant,
            locked: false,
            open_columns: Vec::new(),
        },
    );
    let mut materials = IndexMap::new();
    materials.insert("parents-id-cards".to_owned(), "population-register".to_owned());
    let prefill = Prefill {
        values,
        conflicts: Vec::new(),
        materials,
        to_type: Vec::new(),
        notes: Vec::new(),
        figures: Figures {
            fields_prefilled: 1,
            fields_total: 2,
            materials_shared: 1,
            materials_total: 1,
            zero_material: false,
        },
        trace: Vec::new(),
    };
    let mut w = Wizard::new(b, Some(&prefill), Some(date("newborn")));
    let s = w.state();
    let mother = s.field("mother.name").unwrap();
    assert!(mother.locked);
    assert!(matches!(mother.provenance, Some(Provenance::Source { .. })));
    assert_eq!(s.field("baby.name").unwrap().provenance, Some(Provenance::Applicant));
    assert_eq!(w.set("mother.name", json!("x")), Err(WizardError::Locked { key: "mother.name".into() }));
    assert!(w.unset("mother.name").is_err());
    assert_eq!(w.submit().materials["parents-id-cards"], MaterialStatus::Shared);
    // The lock survives a draft.
    let resumed = Wizard::resume(b, w.save(), Some(date("newborn"))).unwrap();
    assert!(resumed.state().field("mother.name").unwrap().locked);
}

/// `decisions/<expected outcome>--<what>.json` of every fixture, filled in through the
/// wizard: submit → evaluate gives the expected outcome; accepted ones are complete;
/// rejected ones were warned about early.
#[test]
fn submit_then_evaluate_matches_every_decision_file() {
    let mut checked = 0;
    for name in FIXTURES {
        let b = compiled(name);
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(dir(name).join("decisions")).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
            let stem = f.file_stem().unwrap().to_string_lossy().to_string();
            let expected: Outcome = serde_json::from_value(json!(stem.split("--").next().unwrap())).unwrap();
            let s = read_submission(f);
            let on = case_date(&dir(name), &stem);
            let mut w = Wizard::new(b, None, Some(on));
            fill(&mut w, &s);
            let decision = b.evaluate(&w.submit(), on);
            assert_eq!(decision.outcome, expected, "{name}/{stem}");
            assert_eq!(decision, b.evaluate(&s, on), "{name}/{stem}");
            let state = w.state();
            if expected.is_accepted() {
                assert!(state.complete, "{name}/{stem}: {:?}", state.errors);
            }
            if expected == Outcome::Rejected {
                let by_prerequisite_only = decision.items.iter().all(|i| {
                    i.outcome != Outcome::Rejected
                        || i.reasons.iter().all(|r| r.rule == Some(onething::decision::ReasonRule::DependsOn))
                });
                assert!(by_prerequisite_only || !state.warnings.is_empty(), "{name}/{stem}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
}

/// One edit of a random sequence.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, usize),
    Unset(usize),
    Material(usize, Option<MaterialStatus>),
    Choose(usize, bool),
    Commit(bool),
}

fn edit() -> impl Strategy<Value = Edit> {
    let status = prop_oneof![
        Just(None),
        Just(Some(MaterialStatus::Provided)),
        Just(Some(MaterialStatus::Missing)),
        Just(Some(MaterialStatus::Committed)),
        Just(Some(MaterialStatus::Shared)),
    ];
    prop_oneof![
        4 => (any::<usize>(), any::<usize>()).prop_map(|(k, v)| Edit::Set(k, v)),
        1 => any::<usize>().prop_map(Edit::Unset),
        1 => (any::<usize>(), status).prop_map(|(m, s)| Edit::Material(m, s)),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(i, c)| Edit::Choose(i, c)),
        1 => any::<bool>().prop_map(Edit::Commit),
    ]
}

/// Values for a key: from the fixture's valid submission, wrong ones, and the edge cases.
fn candidates(name: &str, key: &str) -> Vec<Value> {
    let full = read_submission(&dir(name).join("submissions/valid-full.json"));
    let mut out =
        vec![json!(null), json!(""), json!(0), json!("x"), json!([1]), json!({"a": 1}), json!("2026-99-01")];
    if let Some(v) = full.values().get(key) {
        out.push(v.clone());
        out.push(v.clone());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The incremental state equals a full recompute: after any edit sequence (a state
    /// computed after every edit, reusing verdicts), it equals the state of a fresh wizard
    /// given the final answers in reverse order, and of a resumed draft (both run every rule).
    #[test]
    fn state_is_a_function_of_the_answers(fixture in 0..FIXTURES.len(), edits in prop::collection::vec(edit(), 1..40)) {
        let name = FIXTURES[fixture];
        let b = compiled(name);
        let keys: Vec<&String> = b.keys().keys().collect();
        // A material of each element of a list is set per element: the first one's.
        let materials: Vec<String> = b.bundle().items.iter().flat_map(|i| i.materials.iter().map(|m| match &m.for_each {
            Some(_) => format!("{}[0]", m.reuse_key()),
            None => m.reuse_key().to_owned(),
        })).collect();
        let items: Vec<&str> = b.bundle().items.iter().map(|i| i.id.as_str()).collect();
        let mut w = Wizard::new(b, None, Some(date(name)));
        for e in edits {
            match e {
                Edit::Set(k, v) => {
                    let key = keys[k % keys.len()];
                    let c = candidates(name, key);
                    w.set(key, c[v % c.len()].clone()).unwrap();
                }
                Edit::Unset(k) => w.unset(keys[k % keys.len()]).unwrap(),
                Edit::Material(m, s) => w.set_material(&materials[m % materials.len()], s).unwrap(),
                Edit::Choose(i, c) => w.choose(items[i % items.len()], c).unwrap(),
                Edit::Commit(c) => w.commit(onething::TOLERANCE_COMMITMENT, c),
            }
            // Every intermediate state is computable.
            let _ = w.state();
        }
        let state = w.state();
        let draft = w.save();
        let mut fresh = Wizard::new(b, None, Some(date(name)));
        for (k, v) in draft.answers.iter().rev() {
            fresh.set(k, v.clone()).unwrap();
        }
        for (m, s) in &draft.materials {
            fresh.set_material(m, Some(*s)).unwrap();
        }
        for i in &draft.opt_in {
            fresh.choose(i, true).unwrap();
        }
        for c in &draft.commitments {
            fresh.commit(c, true);
        }
        prop_assert_eq!(&fresh.state(), &state);
        let resumed = Wizard::resume(b, draft, Some(date(name))).unwrap();
        prop_assert_eq!(&resumed.state(), &state);
        // And it agrees with validation of the submitted answers.
        let v = b.validate_with(&w.submit(), Some(date(name)), &onething::EvalOptions::default());
        prop_assert_eq!(&v.applicable, &state.applicable);
        prop_assert!(!state.complete || v.valid);
    }
}

#[test]
fn visibility_rules_show_hide_and_leave_hidden_values_out_of_the_submission() {
    let b = compiled("restaurant-opening");
    let mut w = Wizard::new(b, None, Some(date("restaurant-opening")));
    let platform = |w: &Wizard<'_>| w.state().field("business.online_platform").cloned().unwrap();
    // Not asked for until the applicant says they sell online.
    assert!(!platform(&w).visible && !platform(&w).required);
    w.set("business.online_sales", json!(true)).unwrap();
    let f = platform(&w);
    assert!(f.visible && f.required, "{f:?}");
    assert!(f.missing.as_ref().is_some_and(|m| m.en.contains("Online platform")), "{f:?}");
    w.set("business.online_platform", json!("美团外卖")).unwrap();
    assert!(platform(&w).missing.is_none());
    assert_eq!(w.submit().values()["business.online_platform"], json!("美团外卖"));
    // Hidden again: out of the submission (and so of the food department's payload), kept
    // in the wizard should the applicant change their mind.
    w.set("business.online_sales", json!(false)).unwrap();
    assert!(!platform(&w).visible);
    assert!(!w.submit().values().contains_key("business.online_platform"));
    assert_eq!(w.answers()["business.online_platform"], json!("美团外卖"));
    w.set("business.online_sales", json!(true)).unwrap();
    assert_eq!(platform(&w).value, Some(json!("美团外卖")));
    // A wrong value of a hidden field is no error of the form.
    w.set("business.online_platform", json!(["not", "text"])).unwrap();
    assert!(!platform(&w).errors.is_empty());
    w.set("business.online_sales", json!(false)).unwrap();
    let s = w.state();
    assert!(s.errors.iter().all(|e| e.key.as_deref() != Some("business.online_platform")), "{:?}", s.errors);
}

/// A one-item bundle whose field `b` has the visibility rule `script`.
fn with_visibility(script: &str) -> Result<CompiledBundle, onething::CompileError> {
    CompiledBundle::compile(
        load::from_packed_value(json!({
            "id": "v", "version": "1", "title": {"zh": "显示", "en": "Visibility"}, "lead": "d",
            "departments": [{"id": "d", "name": {"zh": "部门", "en": "Department"}}],
            "items": [{"id": "i", "department": "d", "title": {"zh": "事项", "en": "Item"},
                       "schema": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                                  "required": ["b"]}}],
            "fields": {"a": {"title": {"zh": "甲", "en": "A"}},
                       "b": {"title": {"zh": "乙", "en": "B"}, "visible_if": {"script": script}}}
        }))
        .unwrap(),
    )
}

#[test]
fn a_visibility_rule_that_cannot_decide_shows_the_field_and_says_why() {
    let b = with_visibility("if form[\"a\"] == \"boom\" { throw \"no\" } form[\"a\"] != ()").unwrap();
    let mut w = Wizard::new(&b, None, None);
    assert!(!w.state().field("b").unwrap().visible);
    w.set("a", json!("x")).unwrap();
    assert!(w.state().field("b").unwrap().visible);
    w.set("a", json!("boom")).unwrap();
    let s = w.state();
    assert!(s.field("b").unwrap().visible && s.field("b").unwrap().required);
    let e = s.errors.iter().find(|e| e.keyword == "visible_if").unwrap();
    assert_eq!((e.key.as_deref(), e.pointer.as_str()), (Some("b"), "/b"));
    assert!(e.message.en.contains("the visibility rule of “B” cannot decide"), "{:?}", e.message);
    assert!(e.message.zh.contains("「乙」"), "{:?}", e.message);
    // A hostile rule hits its limit: the same, and the wizard stays usable.
    let b = with_visibility("loop {}").unwrap();
    let mut w = Wizard::new(&b, None, None);
    assert!(w.state().field("b").unwrap().visible);
    w.set("b", json!("y")).unwrap();
    assert!(w.state().errors.iter().any(|e| e.keyword == "visible_if"));
}

#[test]
fn visibility_rules_are_checked_at_compile() {
    let e = with_visibility("form[\"c\"] == 1").unwrap_err().to_string();
    assert!(e.contains("field `b`, visible_if") && e.contains("line 1, column 6: reads `c`"), "{e}");
    let e = with_visibility("form[\"a\"] ==").unwrap_err().to_string();
    assert!(e.contains("field `b`, visible_if"), "{e}");
    let e = CompiledBundle::compile(
        load::from_packed_value(json!({
            "id": "v", "version": "1", "title": {"zh": "显示", "en": "Visibility"}, "lead": "d",
            "departments": [{"id": "d", "name": {"zh": "部门", "en": "Department"}}],
            "items": [{"id": "i", "department": "d", "title": {"zh": "事项", "en": "Item"},
                       "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}],
            "fields": {"z": {"title": {"zh": "丙", "en": "Z"}, "visible_if": {"script": "true"}}}
        }))
        .unwrap(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("field dictionary `z`, visible_if"), "{e}");
}

#[test]
fn a_derived_field_is_computed_again_only_when_what_it_reads_changes() {
    // `derived` comes from `id`'s birth date; `other` feeds nothing.
    let b = CompiledBundle::compile(
        load::from_packed_value(json!({
            "id": "d", "version": "1", "title": {"zh": "推导", "en": "Derived"}, "lead": "d",
            "departments": [{"id": "d", "name": {"zh": "部门", "en": "Department"}}],
            "items": [{"id": "i", "department": "d", "title": {"zh": "事项", "en": "Item"},
                       "schema": {"type": "object", "properties": {
                           "id": {"type": "string"}, "other": {"type": "string"}, "year": {"type": "integer"}}}}],
            "derive": [{"key": "year", "script": "let id = form[\"id\"]; if id == () { () } else { parse_int(id.sub_string(6, 4)) }"}]
        }))
        .unwrap(),
    )
    .unwrap();
    let mut w = Wizard::new(&b, None, None);
    w.set("id", json!("11010519491231002X")).unwrap();
    let year = w.state().field("year").cloned().unwrap();
    assert_eq!(year.value, Some(json!(1949)));
    assert!(matches!(year.provenance, Some(Provenance::Derived { ref rule, .. }) if rule == "year"));
    let runs = w.rules_run();
    w.set("other", json!("x")).unwrap();
    assert_eq!(w.state().field("year").unwrap().value, Some(json!(1949)));
    assert_eq!(w.rules_run(), runs, "the derivation ran again though `id` did not change");
    w.set("id", json!("110105195012310027")).unwrap();
    assert_eq!(w.state().field("year").unwrap().value, Some(json!(1950)));
    assert_eq!(w.rules_run(), runs + 1);
    w.unset("id").unwrap();
    assert_eq!(w.state().field("year").unwrap().value, None);
}
