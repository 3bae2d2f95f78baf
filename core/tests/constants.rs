//! A field map entry that sends a constant (`{"constant": "01"}`): checked against the
//! department's schema when the bundle compiles, sent by dispatch with the objects holding
//! it, never in the merged form; malformed and hostile entries are typed problems naming the
//! item, the department and the pointer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::{CompiledBundle, Problem, Submission, load};
use serde_json::{Value, json};

fn text(s: &str) -> Value {
    json!({"zh": s, "en": s})
}

/// A bank that wants the account type (`01`–`04`) inside an optional `account` object, next
/// to the branch, and a reason code at the top.
fn bank_schema() -> Value {
    json!({
        "type": "object",
        "required": ["name", "reason"],
        "properties": {
            "name": {"type": "string"},
            "reason": {"type": "string", "pattern": "^0[1-9]$"},
            "account": {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": {"type": "string", "enum": ["01", "02", "03", "04"]},
                    "branch": {"type": "string"}
                },
                "if": {"properties": {"type": {"const": "04"}}},
                "then": {"required": ["until"]},
                "dependentRequired": {"type": ["branch"]}
            }
        },
        "additionalProperties": false
    })
}

fn bundle(field_map: Value) -> Value {
    json!({
        "id": "t", "version": "1", "title": text("t"), "lead": "bank",
        "departments": [{"id": "bank", "name": text("bank")}],
        "items": [{"id": "open", "department": "bank", "title": text("open"), "schema": bank_schema(), "field_map": field_map}]
    })
}

fn compile(doc: &Value) -> Result<CompiledBundle, Vec<Problem>> {
    let b = load::from_packed_value(doc.clone()).map_err(|e| panic!("does not load: {e}")).unwrap();
    CompiledBundle::compile(b).map_err(|e| e.problems)
}

fn submission(values: Value) -> Submission {
    Submission::from_json(&json!({"bundle": "t", "values": values}).to_string()).unwrap()
}

#[test]
fn a_constant_is_sent_checked_and_never_shown() {
    let doc = bundle(json!({
        "/name": "company.name",
        "/reason": {"constant": "04"},
        "/account/type": {"constant": "01"},
        "/account/branch": "bank.branch"
    }));
    let c = compile(&doc).unwrap();
    let form = c.form();
    let props = form["properties"].as_object().unwrap();
    assert_eq!(props.keys().collect::<Vec<_>>(), ["company.name", "bank.branch"], "{form:#}");
    // Required by `dependentRequired` because `type` is always there.
    let s = submission(json!({"company.name": "雪城软件"}));
    let v = c.validate(&s);
    assert!(!v.valid, "the branch is required once the type is fixed: {v:?}");
    assert!(v.errors.iter().any(|e| e.key.as_deref() == Some("bank.branch")), "{v:?}");
    let s = submission(json!({"company.name": "雪城软件", "bank.branch": "太平路支行"}));
    let d = c.dispatch(&s).unwrap();
    let p = &d.payloads[0];
    assert_eq!(
        p.payload,
        json!({"name": "雪城软件", "reason": "04", "account": {"type": "01", "branch": "太平路支行"}})
    );
    assert_eq!(p.constants.iter().map(|c| &**c).collect::<Vec<_>>(), ["/reason", "/account/type"]);
    let manifest = serde_json::to_value(&d).unwrap();
    assert_eq!(manifest["payloads"][0]["constants"], json!(["/reason", "/account/type"]));
    assert_eq!(manifest["by_department"]["bank"], json!(["company.name", "bank.branch"]));
}

#[test]
fn an_optional_object_holding_a_constant_is_always_sent() {
    let doc = bundle(
        json!({"/name": "company.name", "/reason": {"constant": "01"}, "/account/type": {"constant": "02"}}),
    );
    let c = compile(&doc).unwrap();
    let s = submission(json!({"company.name": "x"}));
    // `branch` is unmapped: it keeps its own key, `account.branch`, and the type makes it required.
    let d = c.department_view("open", &s).unwrap();
    assert_eq!(d.data, json!({"name": "x", "reason": "01", "account": {"type": "02"}}));
}

#[test]
fn a_constant_the_department_refuses_names_department_and_pointer() {
    for (entry, constant, says) in [
        ("/account/type", json!("05"), "is not one of"),
        ("/reason", json!("4"), "does not match"),
        ("/reason", json!(4), "is not of type"),
        ("/account/type", json!(null), "is not one of"),
    ] {
        let doc = bundle(
            json!({"/name": "company.name", "/reason": {"constant": "01"}, entry: {"constant": constant}}),
        );
        let problems = compile(&doc).unwrap_err();
        let [p] = problems.as_slice() else { panic!("{problems:#?}") };
        let Problem::FieldMap { item, department, pointer, message, bundle_pointer } = p else {
            panic!("{p:?}")
        };
        assert_eq!((item.as_str(), department.as_str(), pointer.as_str()), ("open", "bank", entry));
        assert!(message.contains("refuses the constant") && message.contains(says), "{message}");
        let expected = format!("/items/0/field_map/{}", entry.replace('/', "~1"));
        assert_eq!(bundle_pointer.as_deref(), Some(expected.as_str()));
        assert!(doc.pointer(&expected).is_some());
    }
    // If `type` is 04, `until` is required, which the department does not declare: the
    // constant makes every submission fail, and the bundle says so at compile time
    // through the form (the `then` is false over canonical keys), not at dispatch.
    let doc = bundle(
        json!({"/name": "company.name", "/reason": {"constant": "01"}, "/account/type": {"constant": "04"}}),
    );
    let c = compile(&doc).unwrap();
    assert!(!c.validate(&submission(json!({"company.name": "x", "account.branch": "b"}))).valid);
}

#[test]
fn malformed_and_hostile_constant_entries_are_typed_problems() {
    // Nowhere to put it.
    let problems = compile(&bundle(
        json!({"/name": "company.name", "/reason": {"constant": "01"}, "/nothing": {"constant": "01"}}),
    ))
    .unwrap_err();
    assert!(
        problems.iter().any(|p| matches!(p, Problem::FieldMap { pointer, message, .. } if pointer == "/nothing" && message.contains("declares no property"))),
        "{problems:#?}"
    );
    // An object whose properties are mapped too.
    let problems = compile(&bundle(json!({"/reason": {"constant": "01"}, "/account": {"constant": {"type": "01"}}, "/account/type": "t"})))
        .unwrap_err();
    assert!(
        problems.iter().any(|p| matches!(p, Problem::FieldMap { pointer, .. } if pointer == "/account")),
        "{problems:#?}"
    );
    // A key and a constant at once, or an unknown member: not a field map entry.
    for entry in [
        json!({"key": "k", "constant": "01"}),
        json!({"constant": "01", "transform": {"date": {"layout": "YYYYMMDD"}}}),
        json!({"constan": "01"}),
        json!({}),
    ] {
        let e = load::from_packed_value(bundle(json!({"/reason": entry.clone()}))).unwrap_err();
        assert!(e.to_string().contains("field_map"), "{entry}: {e}");
    }
    // A huge constant is checked like any other value.
    let huge = "0".repeat(1 << 20);
    let problems = compile(&bundle(json!({"/name": "n", "/reason": {"constant": huge}}))).unwrap_err();
    assert!(
        matches!(&problems[..], [Problem::FieldMap { pointer, .. }] if pointer == "/reason"),
        "{problems:#?}"
    );
    // A deep one too.
    let mut deep = json!("01");
    for _ in 0..100 {
        deep = json!([deep]);
    }
    let problems = compile(&bundle(json!({"/name": "n", "/reason": {"constant": deep}}))).unwrap_err();
    assert!(
        matches!(&problems[..], [Problem::FieldMap { pointer, .. }] if pointer == "/reason"),
        "{problems:#?}"
    );
}

#[test]
fn a_data_source_cannot_send_a_constant() {
    let mut doc = bundle(
        json!({"/name": "company.name", "/reason": {"constant": "01"}, "/account/type": {"constant": "01"}}),
    );
    doc["sources"] = json!([{
        "id": "registry", "title": text("registry"), "kind": "enterprise_registry",
        "fields": {"/mc": "company.name", "/reason": {"constant": "01"}}
    }]);
    let problems = compile(&doc).unwrap_err();
    let [Problem::Invalid { message, bundle_pointer, .. }] = problems.as_slice() else {
        panic!("{problems:#?}")
    };
    assert!(message.contains("a constant belongs in an item's field map"), "{message}");
    assert_eq!(bundle_pointer.as_deref(), Some("/sources/0/fields/~1reason"));
}
