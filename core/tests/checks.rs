//! Consistency checks (补正, not 不予受理): a check whose fields contradict each other asks the
//! applicant to correct them, in the one-time list, instead of rejecting the application.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::collections::BTreeMap;

use onething::decision::{DeficiencyKind, RuleKind};
use onething::{CompiledBundle, Date, Outcome, Problem, Submission, Wizard, load};
use serde_json::{Value, json};

fn date() -> Date {
    "2026-10-09".parse().unwrap()
}

/// Two items: `one` declares name, gender and ID number; `two` only the name.
fn bundle_json(item_checks: Value, bundle_checks: Value) -> Value {
    json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}, {"id": "b", "name": {"zh": "乙", "en": "B"}}],
        "fields": {
            "name": {"title": {"zh": "姓名", "en": "Name"}},
            "gender": {"title": {"zh": "性别", "en": "Gender"}},
            "id": {"title": {"zh": "身份证号码", "en": "ID number"}}
        },
        "items": [
            {"id": "one", "department": "a", "title": {"zh": "一", "en": "One"},
             "schema": {"type": "object", "required": ["xm"], "properties": {
                 "xm": {"type": "string"}, "xb": {"enum": ["男", "女"]},
                 "sfzh": {"type": "string", "format": "cn-id-number"}}},
             "field_map": {"/xm": "name", "/xb": "gender", "/sfzh": "id"},
             "checks": item_checks},
            {"id": "two", "department": "b", "title": {"zh": "二", "en": "Two"},
             "schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
             "field_map": {"/name": "name"}}
        ],
        "checks": bundle_checks
    })
}

fn compiled(b: Value) -> CompiledBundle {
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn problems(b: Value) -> Vec<Problem> {
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_err().problems
}

fn gender_check() -> Value {
    json!({
        "id": "gender-matches-id",
        "title": {"zh": "性别与身份证号码一致", "en": "The gender agrees with the ID number"},
        "fields": ["gender", "id"],
        "script": "let g = id_gender(form[\"id\"]); if g == () || g == form[\"gender\"] { true } else { #{ ok: false, reason: #{ zh: `身份证号码显示为${g}性`, en: `the ID number is a ${g} person's` } } }"
    })
}

fn submission(gender: &str) -> Submission {
    // 11010519491231002X: the 17th digit 2 is even, a woman's number.
    serde_json::from_value(json!({
        "values": {"name": "张三", "gender": gender, "id": "11010519491231002X"}
    }))
    .unwrap()
}

fn outcome_of(d: &onething::Decision, item: &str) -> Outcome {
    d.items.iter().find(|i| i.item == item).unwrap().outcome
}

#[test]
fn a_failed_item_check_asks_for_a_correction_of_its_fields() {
    let c = compiled(bundle_json(json!([gender_check()]), json!([])));
    let d = c.evaluate(&submission("男"), date());
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert_eq!(outcome_of(&d, "one"), Outcome::CorrectionRequired);
    assert_eq!(outcome_of(&d, "two"), Outcome::Accepted);
    assert_eq!(d.deficiencies.len(), 1, "{:#?}", d.deficiencies);
    let def = &d.deficiencies[0];
    assert_eq!(def.id, "check:gender-matches-id");
    assert_eq!(def.kind, DeficiencyKind::Consistency);
    assert_eq!(def.keys, ["gender", "id"]);
    assert_eq!(def.key, None);
    assert_eq!(def.items, ["one"]);
    // The script's reason, in both languages; the default fix names both fields.
    assert_eq!(def.message.zh, "身份证号码显示为女性");
    assert_eq!(def.message.en, "the ID number is a 女 person's");
    assert!(def.fix.zh.contains("「性别」「身份证号码」"), "{}", def.fix.zh);
    assert!(def.fix.en.contains("Gender and ID number"), "{}", def.fix.en);
    // Traced as a check of its item.
    let t = d.trace.iter().find(|t| t.rule == "gender-matches-id").unwrap();
    assert_eq!((t.kind, t.item.as_deref()), (RuleKind::Check, Some("one")));
    // The JSON names the kind and the keys.
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["deficiencies"][0]["kind"], "consistency");
    assert_eq!(json["deficiencies"][0]["keys"], json!(["gender", "id"]));
}

#[test]
fn correcting_the_named_fields_is_accepted() {
    let c = compiled(bundle_json(json!([gender_check()]), json!([])));
    let d = c.evaluate(&submission("女"), date());
    assert_eq!(d.outcome, Outcome::Accepted, "{:#?}", d.deficiencies);
    assert!(d.trace.iter().any(|t| t.rule == "gender-matches-id" && t.result == json!(true)));
}

#[test]
fn a_check_with_a_missing_or_invalid_field_does_not_run() {
    let c = compiled(bundle_json(json!([gender_check()]), json!([])));
    // No gender: nothing to compare (the form says what is missing, if it is required).
    let mut s = submission("男");
    s.values_mut().remove("gender");
    let d = c.evaluate(&s, date());
    assert_eq!(d.outcome, Outcome::Accepted);
    assert!(d.trace.iter().all(|t| t.kind != RuleKind::Check));
    // A gender the form rejects: one deficiency, the field's own, not a second one.
    let d = c.evaluate(&submission("未知"), date());
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert_eq!(d.deficiencies.len(), 1, "{:#?}", d.deficiencies);
    assert_eq!(d.deficiencies[0].kind, DeficiencyKind::Field);
    assert!(d.trace.iter().all(|t| t.kind != RuleKind::Check));
}

#[test]
fn a_bundle_check_concerns_the_items_declaring_its_fields_once() {
    // Only `one` declares the gender and the ID number.
    let c = compiled(bundle_json(json!([]), json!([gender_check()])));
    let d = c.evaluate(&submission("男"), date());
    assert_eq!(outcome_of(&d, "one"), Outcome::CorrectionRequired);
    assert_eq!(outcome_of(&d, "two"), Outcome::Accepted);
    assert_eq!(d.deficiencies[0].items, ["one"]);
    let t = d.trace.iter().find(|t| t.rule == "gender-matches-id").unwrap();
    assert_eq!(t.item, None);
    // Both items declare the name: one deficiency listing both.
    let name_check = json!({
        "id": "name-not-placeholder", "title": {"zh": "姓名不是占位符", "en": "The name is not a placeholder"},
        "fields": ["name"], "message": {"zh": "请填写真实姓名", "en": "Give the real name"},
        "script": "form[\"name\"] != \"某某\""
    });
    let c = compiled(bundle_json(json!([]), json!([name_check])));
    let mut s = submission("女");
    s.values_mut().insert("name".into(), json!("某某"));
    let d = c.evaluate(&s, date());
    assert_eq!(outcome_of(&d, "one"), Outcome::CorrectionRequired);
    assert_eq!(outcome_of(&d, "two"), Outcome::CorrectionRequired);
    assert_eq!(d.deficiencies.len(), 1, "{:#?}", d.deficiencies);
    assert_eq!(d.deficiencies[0].items, ["one", "two"]);
    assert_eq!(d.deficiencies[0].message.zh, "请填写真实姓名");
    assert_eq!(d.deficiencies[0].fix.zh, "请核对并更正「姓名」");
}

#[test]
fn a_check_that_cannot_run_sends_its_item_to_manual_review() {
    let broken = json!({
        "id": "broken", "title": {"zh": "坏的检查", "en": "A broken check"}, "fields": ["gender"],
        "script": "form[\"gender\"].len() / 0 > 1"
    });
    let c = compiled(bundle_json(json!([broken]), json!([])));
    let d = c.evaluate(&submission("男"), date());
    assert_eq!(outcome_of(&d, "one"), Outcome::ManualReview);
    assert_eq!(outcome_of(&d, "two"), Outcome::Accepted);
    let reason = &d.items[0].reasons[0];
    assert!(reason.message.zh.contains("坏的检查"), "{}", reason.message.zh);
    assert!(reason.message.en.contains("A broken check"), "{}", reason.message.en);
}

#[test]
fn checks_run_only_after_eligibility_passes() {
    let mut b = bundle_json(json!([gender_check()]), json!([]));
    b["items"][0]["eligibility"] = json!([{
        "id": "never", "title": {"zh": "不可能", "en": "Impossible"}, "script": "false"
    }]);
    let d = compiled(b).evaluate(&submission("男"), date());
    assert_eq!(outcome_of(&d, "one"), Outcome::Rejected);
    assert!(d.deficiencies.is_empty(), "{:#?}", d.deficiencies);
}

#[test]
fn bad_checks_do_not_compile_and_name_their_place() {
    let unknown = json!({"id": "x", "title": {"zh": "x", "en": "x"}, "fields": ["gendr"], "script": "true"});
    let p = problems(bundle_json(json!([]), json!([unknown])));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].bundle_pointer(), Some("/checks/0/fields/0"));
    assert!(p[0].to_string().contains("did you mean `gender`"), "{}", p[0]);

    let empty = json!({"id": "x", "title": {"zh": "x", "en": "x"}, "fields": [], "script": "true"});
    let p = problems(bundle_json(json!([empty]), json!([])));
    assert_eq!(p[0].bundle_pointer(), Some("/items/0/checks/0/fields"), "{p:?}");

    let twice = json!([gender_check(), gender_check()]);
    let p = problems(bundle_json(twice.clone(), twice));
    let places: Vec<_> = p.iter().filter_map(Problem::bundle_pointer).collect();
    assert!(places.contains(&"/checks/1") && places.contains(&"/items/0/checks/1"), "{places:?}");

    let syntax = json!({"id": "x", "title": {"zh": "x", "en": "x"}, "fields": ["gender"], "script": "form[\"gender\"] =="});
    let p = problems(bundle_json(json!([syntax]), json!([])));
    assert_eq!(p[0].bundle_pointer(), Some("/items/0/checks/0/script"), "{p:?}");

    let reads = json!({"id": "x", "title": {"zh": "x", "en": "x"}, "fields": ["gender"], "script": "form[\"gendr\"] == 1"});
    let p = problems(bundle_json(json!([]), json!([reads])));
    assert_eq!(p[0].bundle_pointer(), Some("/checks/0/script"), "{p:?}");
    assert!(p[0].to_string().contains("gendr"), "{}", p[0]);
}

#[test]
fn a_check_script_can_live_in_a_file() {
    let mut b = bundle_json(json!([]), json!([]));
    let mut check = gender_check();
    check.as_object_mut().unwrap().remove("script");
    check["file"] = json!("rules/gender.rhai");
    b["checks"] = json!([check]);
    let files = BTreeMap::from([
        ("bundle.json".to_owned(), b.to_string()),
        ("rules/gender.rhai".to_owned(), gender_check()["script"].as_str().unwrap().to_owned()),
    ]);
    let c = CompiledBundle::compile(load::load_files(&files).unwrap()).unwrap();
    assert_eq!(c.evaluate(&submission("男"), date()).outcome, Outcome::CorrectionRequired);
    // A missing file is a problem of the check, at its place.
    let files = BTreeMap::from([("bundle.json".to_owned(), b.to_string())]);
    let p = CompiledBundle::compile(load::load_files(&files).unwrap()).unwrap_err().problems;
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].bundle_pointer(), Some("/checks/0/file"));
    let e = p[0].to_string();
    assert!(
        e.contains("gender-matches-id") && e.contains("rules/gender.rhai") && e.contains("cannot read"),
        "{e}"
    );
}

#[test]
fn the_wizard_shows_a_failed_check_on_each_field_it_names() {
    let c = compiled(bundle_json(json!([gender_check()]), json!([])));
    let mut w = Wizard::new(&c, None, Some(date()));
    for (k, v) in [("name", "张三"), ("gender", "男"), ("id", "11010519491231002X")] {
        w.set(k, Value::from(v)).unwrap();
    }
    let state = w.state();
    for key in ["gender", "id"] {
        let f = state.field(key).unwrap();
        assert_eq!(f.errors.len(), 1, "{key}: {:?}", f.errors);
        assert_eq!(f.errors[0].keyword, "check");
        assert_eq!(f.errors[0].message.zh, "身份证号码显示为女性");
        assert_eq!(f.errors[0].items, ["one"]);
    }
    assert!(state.field("name").unwrap().errors.is_empty());
    assert!(!state.complete);
    w.set("gender", Value::from("女")).unwrap();
    let state = w.state();
    assert!(state.field("gender").unwrap().errors.is_empty());
    assert!(state.complete, "{:?}", state.errors);
}

#[test]
fn the_notice_for_a_submission_lists_what_to_correct() {
    let c = compiled(bundle_json(json!([gender_check()]), json!([])));
    let n = c.notice_for(&submission("男"), date());
    let corrections = &n.situation.as_ref().unwrap().corrections;
    assert_eq!(corrections.len(), 1, "{corrections:?}");
    assert_eq!(corrections[0].keys, ["gender", "id"]);
    assert_eq!(corrections[0].fields[0].zh, "性别");
    let zh = n.to_markdown(onething::Lang::Zh);
    assert!(zh.contains("需更正的内容") && zh.contains("身份证号码显示为女性"), "{zh}");
    let en = n.to_html(onething::Lang::En);
    assert!(en.contains("To correct in the form") && en.contains("Gender"), "{en}");
    // Nothing to correct: no such section.
    let n = c.notice_for(&submission("女"), date());
    assert!(n.situation.unwrap().corrections.is_empty());
}

#[test]
fn comparing_a_number_field_with_text_is_a_compile_warning_at_the_rule() {
    let mut b = bundle_json(json!([]), json!([]));
    b["items"][0]["schema"]["properties"]["nl"] = json!({"type": "integer"});
    b["items"][0]["field_map"]["/nl"] = json!("wage");
    b["items"][0]["eligibility"] = json!([
        {"id": "wage-min", "title": {"zh": "工资不低于最低工资", "en": "The wage is at least the minimum"},
         "script": "form[\"wage\"] >= \"1950\""},
        {"id": "name-not-number", "title": {"zh": "x", "en": "x"}, "script": "form[\"name\"] != 0"},
        {"id": "fine", "title": {"zh": "x", "en": "x"}, "script": "form[\"wage\"] == () || form[\"wage\"] >= 1950"}
    ]);
    let c = compiled(b);
    let w: Vec<_> =
        c.warnings().iter().filter(|w| w.message.contains("is an error when the rule runs")).collect();
    assert_eq!(w.len(), 2, "{w:#?}");
    assert_eq!(w[0].pointer.as_deref(), Some("/items/0/eligibility/0/script"));
    assert!(w[0].message.starts_with("1:14: `wage` is a number"), "{}", w[0].message);
    assert!(w[0].message.contains("with text, \"1950\""), "{}", w[0].message);
    assert!(w[1].message.contains("`name` is text"), "{}", w[1].message);
}

#[test]
fn comparing_a_computed_number_with_text_sends_the_item_to_manual_review() {
    // The compile cannot see this one: the text is computed.
    let mut b = bundle_json(json!([]), json!([]));
    b["items"][0]["schema"]["properties"]["nl"] = json!({"type": "integer"});
    b["items"][0]["field_map"]["/nl"] = json!("wage");
    b["items"][0]["eligibility"] = json!([
        {"id": "wage-min", "title": {"zh": "工资不低于最低工资", "en": "The wage is at least the minimum"},
         "script": "let minimum = \"19\" + \"50\";\nform[\"wage\"] >= minimum"}
    ]);
    let c = compiled(b);
    let mut s = submission("女");
    s.values["wage"] = json!(4800);
    let d = c.evaluate(&s, date());
    assert_eq!(outcome_of(&d, "one"), Outcome::ManualReview, "{:#?}", d.items);
    let reason = &d.items[0].reasons[0];
    assert!(reason.message.zh.contains("工资不低于最低工资"), "{}", reason.message.zh);
    assert!(reason.message.en.contains("The wage is at least the minimum"), "{}", reason.message.en);
    let trace = serde_json::to_string(&d.trace).unwrap();
    assert!(trace.contains("`4800 >= \\\"1950\\\"` compares a number with text"), "{trace}");
    // A number compared with a number decides as the policy says.
    s.values["wage"] = json!(1949);
    let mut b = bundle_json(json!([]), json!([]));
    b["items"][0]["schema"]["properties"]["nl"] = json!({"type": "integer"});
    b["items"][0]["field_map"]["/nl"] = json!("wage");
    b["items"][0]["eligibility"] = json!([{"id": "wage-min", "title": {"zh": "x", "en": "x"},
         "script": "form[\"wage\"] >= parse_int(\"19\" + \"50\")"}]);
    assert_eq!(outcome_of(&compiled(b).evaluate(&s, date()), "one"), Outcome::Rejected);
}
