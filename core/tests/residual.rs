//! Department-side checks: what cannot be rewritten over canonical keys (a constraint on a
//! transformed value, an object-level keyword) is checked on the department's own view of
//! the submission. Validation builds only the part of that view the checks read; dispatch
//! builds all of it and checks the department's original schema — the two must agree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::{CompiledBundle, DispatchError, Submission, load};
use serde_json::{Value, json};

/// One item whose department writes dates as `YYYYMMDD` and only accepts this or the last
/// century, and takes at most one way to reach the shop.
fn compiled() -> CompiledBundle {
    let schema = json!({
        "type": "object",
        "properties": {
            "applicant": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "born": {"type": "string", "pattern": "^(19|20)"}},
                "required": ["name"]
            },
            "shop": {
                "type": "object",
                "properties": {"phone": {"type": "string"}, "email": {"type": "string"}},
                "maxProperties": 1
            },
            "note": {"type": "string"}
        },
        "required": ["applicant"]
    });
    let bundle = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
        "items": [{
            "id": "i", "department": "a", "title": {"zh": "事项", "en": "Item"}, "schema": schema,
            "field_map": {
                "/applicant/name": "name",
                "/applicant/born": {"key": "born", "transform": {"date": {"layout": "YYYYMMDD"}}},
                "/shop/phone": "phone",
                "/shop/email": "email",
                "/note": "note"
            }
        }]
    });
    CompiledBundle::compile(load::from_packed_value(bundle).unwrap()).unwrap()
}

fn submission(values: Value) -> Submission {
    Submission::from_json(&json!({ "values": values }).to_string()).unwrap()
}

#[test]
fn a_constraint_on_a_transformed_value_is_checked_on_the_department_value() {
    let c = compiled();
    let ok = c.validate(&submission(json!({"name": "李", "born": "1990-01-02"})));
    assert!(ok.valid, "{:?}", ok.errors);
    let v = c.validate(&submission(json!({"name": "李", "born": "1850-01-02", "note": "x"})));
    assert_eq!(v.errors.len(), 1, "{:?}", v.errors);
    assert_eq!(v.errors[0].key.as_deref(), Some("born"));
    assert_eq!(v.errors[0].items, vec!["i".to_string()]);
}

#[test]
fn an_object_keyword_is_checked_on_the_department_object() {
    let c = compiled();
    let one = c.validate(&submission(json!({"name": "李", "phone": "1"})));
    assert!(one.valid, "{:?}", one.errors);
    let both = c.validate(&submission(json!({"name": "李", "phone": "1", "email": "a@b"})));
    assert!(!both.valid);
    assert!(both.errors.iter().all(|e| e.items == vec!["i".to_string()]), "{:?}", both.errors);
}

/// Validation checks a cut-down view; dispatch checks the whole view against the original
/// schema. Whatever the submission, a valid one must dispatch, and one the department
/// would reject must be invalid.
#[test]
fn validation_agrees_with_the_whole_department_view() {
    let c = compiled();
    let names = [json!(null), json!("李")];
    let borns = [json!(null), json!("1990-01-02"), json!("1850-01-02"), json!("2099-12-31")];
    let phones = [json!(null), json!("1")];
    let emails = [json!(null), json!("a@b")];
    let notes = [json!(null), json!("x")];
    let mut seen_invalid = 0;
    for name in &names {
        for born in &borns {
            for phone in &phones {
                for email in &emails {
                    for note in &notes {
                        let mut values = serde_json::Map::new();
                        for (k, v) in [
                            ("name", name),
                            ("born", born),
                            ("phone", phone),
                            ("email", email),
                            ("note", note),
                        ] {
                            if !v.is_null() {
                                values.insert(k.into(), v.clone());
                            }
                        }
                        let s = submission(Value::Object(values.clone()));
                        let valid = c.validate(&s).valid;
                        match c.dispatch(&s) {
                            Ok(_) => assert!(valid, "{values:?}"),
                            Err(DispatchError::Invalid { .. }) => {
                                assert!(!valid);
                                seen_invalid += 1;
                            }
                            Err(e) => panic!("{values:?}: validation said {valid}, dispatch: {e}"),
                        }
                    }
                }
            }
        }
    }
    assert!(seen_invalid > 0);
}

/// Two departments whose forms hold references under applicators that cannot be rewritten
/// over canonical keys (a `minProperties` in a branch sends `oneOf` and `anyOf` to the
/// residual): a self-reference `#` and a `$defs` reference must keep pointing into their
/// own department's schema. The bundle compiles, and validation agrees with the
/// department's own schema on every submission, as dispatch checks it.
#[test]
fn references_under_unflattened_applicators_keep_their_document() {
    let first = json!({"type": "object", "properties": {"x": {}, "y": {}},
                       "oneOf": [{"type": "object"}], "anyOf": [{}]});
    let later = json!({
        "type": "object",
        "properties": {"x": {}, "y": {}},
        "oneOf": [{"required": ["y"]}, {"properties": {"x": {"not": {"$ref": "#"}}}, "minProperties": 1}],
        "anyOf": [{"properties": {"y": {"$ref": "#/$defs/D0"}}, "maxProperties": 3}, {"required": ["x"]}],
        "$defs": {"D0": {"type": "integer"}}
    });
    let item = |id: &str, dept: &str, schema: &Value| {
        json!({"id": id, "department": dept, "title": {"zh": "事项", "en": "Item"}, "schema": schema,
               "field_map": {"/x": "x", "/y": "y"}})
    };
    let bundle = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}, {"id": "b", "name": {"zh": "乙", "en": "B"}}],
        "items": [item("first", "a", &first), item("later", "b", &later)]
    });
    let c = CompiledBundle::compile(load::from_packed_value(bundle).unwrap()).unwrap();
    let later_accepts = onething::schema::compile(&later).unwrap();
    for values in [
        json!({"x": 5}),
        json!({"x": 5, "y": 1}),
        json!({"x": 5, "y": "s"}),
        json!({"x": {"x": 5}}),
        json!({"x": {"y": 1}}),
        json!({"y": 1}),
        json!({"y": "s"}),
        json!({}),
    ] {
        let valid = c.validate(&submission(values.clone())).valid;
        assert_eq!(valid, later_accepts.is_valid(&values), "{values}");
        assert_eq!(valid, c.dispatch(&submission(values.clone())).is_ok(), "{values}");
    }
}
