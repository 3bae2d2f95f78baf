//! Errors on derived fields the applicant never typed point at the field they come from,
//! once (issue 19, point 8): one wrong check digit in an ID number is one thing to correct,
//! not three.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::{CompiledBundle, Date, Outcome, Submission, load};
use serde_json::{Value, json};

fn date() -> Date {
    "2026-10-09".parse().unwrap()
}

/// `one` asks for a gender (only `genders`) and an ID number; `two` for the gender alone.
/// The gender is derived from the ID number when left blank.
fn compiled(genders: Value) -> CompiledBundle {
    let b = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}, {"id": "b", "name": {"zh": "乙", "en": "B"}}],
        "fields": {
            "gender": {"title": {"zh": "性别", "en": "Gender"}},
            "id": {"title": {"zh": "身份证号码", "en": "ID number"}}
        },
        "items": [
            {"id": "one", "department": "a", "title": {"zh": "一", "en": "One"},
             "schema": {"type": "object", "required": ["xb", "sfzh"], "properties": {
                 "xb": {"enum": genders}, "sfzh": {"type": "string", "format": "cn-id-number"}}},
             "field_map": {"/xb": "gender", "/sfzh": "id"}},
            {"id": "two", "department": "b", "title": {"zh": "二", "en": "Two"},
             "schema": {"type": "object", "required": ["gender"], "properties": {"gender": {"enum": ["男", "女"]}}},
             "field_map": {"/gender": "gender"}}
        ],
        "derive": [{"key": "gender", "script": "let id = form[\"id\"]; if type_of(id) != \"string\" { return (); } id_gender(id)"}]
    });
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn submission(values: Value) -> Submission {
    serde_json::from_value(json!({ "values": values })).unwrap()
}

#[test]
fn a_wrong_check_digit_is_one_deficiency_for_every_item_the_derived_field_serves() {
    let c = compiled(json!(["男", "女"]));
    // 11010519491231002X is valid; the last digit changed breaks the check digit.
    let s = submission(json!({"id": "110105194912310021"}));
    let v = c.validate(&s);
    assert_eq!(v.errors.len(), 1, "{:#?}", v.errors);
    let e = &v.errors[0];
    assert_eq!((e.key.as_deref(), e.pointer.as_str()), (Some("id"), "/id"));
    assert_eq!(e.items, ["one", "two"], "the item asking only for the gender is not accepted either");
    let d = c.evaluate(&s, date());
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert!(d.items.iter().all(|i| i.outcome == Outcome::CorrectionRequired), "{:#?}", d.items);
    assert_eq!(d.deficiencies.len(), 1, "{:#?}", d.deficiencies);
}

#[test]
fn a_valid_source_fills_the_derived_field() {
    let c = compiled(json!(["男", "女"]));
    let v = c.validate(&submission(json!({"id": "11010519491231002X"})));
    assert!(v.valid, "{:#?}", v.errors);
}

#[test]
fn a_derived_value_a_department_refuses_points_at_its_source() {
    // Department a accepts only men; the number is a woman's.
    let c = compiled(json!(["男"]));
    let v = c.validate(&submission(json!({"id": "11010519491231002X"})));
    assert_eq!(v.errors.len(), 1, "{:#?}", v.errors);
    let e = &v.errors[0];
    assert_eq!((e.key.as_deref(), e.pointer.as_str(), e.keyword.as_str()), (Some("id"), "/id", "enum"));
    assert!(e.message.zh.contains("「性别」由「身份证号码」得出"), "{}", e.message.zh);
    assert!(e.message.en.contains("Gender is derived from ID number"), "{}", e.message.en);
}

#[test]
fn a_typed_value_keeps_its_own_errors() {
    let c = compiled(json!(["男", "女"]));
    let v = c.validate(&submission(json!({"id": "110105194912310021", "gender": "x"})));
    let keys: Vec<_> = v.errors.iter().map(|e| e.key.as_deref()).collect();
    assert!(keys.contains(&Some("gender")) && keys.contains(&Some("id")), "{:#?}", v.errors);
}
