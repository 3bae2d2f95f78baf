//! Date layouts as departments write them: months (`YYYYMM`, `YYYY-MM`, canonical `YYYY-MM`)
//! and date-times with a fixed time (`YYYY-MM-DD HH:mm:ss`, `YYYYMMDDHHmmss`, canonical
//! dates), both ways and losslessly; a key that would be a month at one item and a date at
//! another, and malformed layouts, are compile problems at their field map entry; a script
//! transform not declared reversible is a compile warning, and its examples are checked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::{CompiledBundle, Problem, Submission, load};
use serde_json::{Value, json};

fn text(s: &str) -> Value {
    json!({"zh": s, "en": s})
}

/// Social insurance writes the first contribution month `YYYYMM` and the start time
/// `YYYY-MM-DD HH:mm:ss`; medical insurance writes the same month `YYYY-MM` and the start
/// time `YYYYMMDDHHmmss`.
fn bundle(si_map: Value, mi_map: Value) -> Value {
    let si = json!({
        "type": "object",
        "required": ["sjnyue", "kssj"],
        "properties": {
            "sjnyue": {"type": "string", "pattern": "^\\d{6}$"},
            "kssj": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$"},
            "x": {"type": "integer"}
        }
    });
    let mi = json!({
        "type": "object",
        "properties": {
            "firstMonth": {"type": "string", "maxLength": 7},
            "startTime": {"type": "string", "pattern": "^\\d{14}$"}
        }
    });
    json!({
        "id": "t", "version": "1", "title": text("t"), "lead": "si",
        "departments": [{"id": "si", "name": text("si")}, {"id": "mi", "name": text("mi")}],
        "items": [
            {"id": "pension", "department": "si", "title": text("pension"), "schema": si, "field_map": si_map},
            {"id": "medical", "department": "mi", "title": text("medical"), "schema": mi, "field_map": mi_map}
        ]
    })
}

fn good_maps() -> (Value, Value) {
    (
        json!({
            "/sjnyue": {"key": "person.first_month", "transform": {"date": {"layout": "YYYYMM"}}},
            "/kssj": {"key": "person.start", "transform": {"date": {"layout": "YYYY-MM-DD HH:mm:ss", "time": "00:00:00"}}},
            "/x": {"key": "n", "transform": {"script": {"forward": "value * 100", "backward": "value / 100", "reversible": true, "examples": [0, 7]}}}
        }),
        json!({
            "/firstMonth": {"key": "person.first_month", "transform": {"date": {"layout": "YYYY-MM"}}},
            "/startTime": {"key": "person.start", "transform": {"date": {"layout": "YYYYMMDDHHmmss", "time": "00:00:00"}}}
        }),
    )
}

fn compile(doc: &Value) -> Result<CompiledBundle, Vec<Problem>> {
    CompiledBundle::compile(load::from_packed_value(doc.clone()).unwrap()).map_err(|e| e.problems)
}

fn submission(values: Value) -> Submission {
    Submission::from_json(&json!({"bundle": "t", "values": values}).to_string()).unwrap()
}

#[test]
fn months_and_date_times_go_there_and_back() {
    let (si, mi) = good_maps();
    let c = compile(&bundle(si, mi)).unwrap();
    assert!(!c.warnings().iter().any(|w| w.message.contains("reversible")), "{:?}", c.warnings());
    let form = c.form();
    assert_eq!(form["properties"]["person.first_month"]["pattern"], json!("^[0-9]{4}-(0[1-9]|1[0-2])$"));
    assert_eq!(form["properties"]["person.start"]["format"], json!("date"));
    let s = submission(json!({"person.first_month": "2026-05", "person.start": "2026-05-01", "n": 7}));
    assert!(c.validate(&s).valid, "{:?}", c.validate(&s));
    let d = c.dispatch(&s).unwrap();
    assert_eq!(d.payloads[0].payload, json!({"sjnyue": "202605", "kssj": "2026-05-01 00:00:00", "x": 700}));
    assert_eq!(d.payloads[1].payload, json!({"firstMonth": "2026-05", "startTime": "20260501000000"}));
    for (bad, key) in [
        (json!({"person.first_month": "2026-5", "person.start": "2026-05-01"}), "person.first_month"),
        (json!({"person.first_month": "2026-13", "person.start": "2026-05-01"}), "person.first_month"),
        (json!({"person.first_month": "202605", "person.start": "2026-05-01"}), "person.first_month"),
        (json!({"person.first_month": "2026-05-01", "person.start": "2026-05-01"}), "person.first_month"),
        (json!({"person.first_month": "2026-05", "person.start": "2026-05-01 00:00:00"}), "person.start"),
        (json!({"person.first_month": "2026-05", "person.start": "2026-02-30"}), "person.start"),
    ] {
        let v = c.validate(&submission(bad.clone()));
        assert!(!v.valid, "{bad}");
        assert!(v.errors.iter().any(|e| e.key.as_deref() == Some(key)), "{bad}: {:?}", v.errors);
        assert!(v.errors.iter().all(|e| !e.message.zh.is_empty() && !e.message.en.is_empty()));
    }
}

#[test]
fn a_key_cannot_be_a_month_at_one_item_and_a_date_at_another() {
    let (si, _) = good_maps();
    let mi =
        json!({"/firstMonth": {"key": "person.first_month", "transform": {"date": {"layout": "YYYYMMDD"}}}});
    let mut doc = bundle(si, mi);
    doc["items"][1]["schema"]["properties"]["firstMonth"] = json!({"type": "string"});
    let problems = compile(&doc).unwrap_err();
    let [Problem::FieldMap { item, department, pointer, message, bundle_pointer }] = problems.as_slice()
    else {
        panic!("{problems:#?}")
    };
    assert_eq!((item.as_str(), department.as_str(), pointer.as_str()), ("pension", "si", "/sjnyue"));
    assert!(message.contains("a month here (layout YYYYMM") && message.contains("`medical`"), "{message}");
    assert!(message.contains("/firstMonth written YYYYMMDD"), "{message}");
    assert_eq!(bundle_pointer.as_deref(), Some("/items/0/field_map/~1sjnyue"));
    // The same when the other department declares a date in its own schema.
    let (si, _) = good_maps();
    let mut doc = bundle(si, json!({"/firstMonth": "person.first_month"}));
    doc["items"][1]["schema"]["properties"]["firstMonth"] = json!({"type": "string", "format": "date"});
    let problems = compile(&doc).unwrap_err();
    let [Problem::FieldMap { pointer, message, .. }] = problems.as_slice() else { panic!("{problems:#?}") };
    assert_eq!(pointer, "/sjnyue");
    assert!(message.contains(r#"/firstMonth with "format": "date""#), "{message}");
}

#[test]
fn malformed_layouts_and_times_are_problems_at_their_entry() {
    for (transform, says) in [
        (json!({"date": {"layout": "YYYYMMDDHH"}}), "is not a date layout"),
        (json!({"date": {"layout": "YYYYMMDDHHmmss"}}), "declare the time"),
        (json!({"date": {"layout": "YYYYMM", "time": "00:00:00"}}), "has no time part"),
        (json!({"date": {"layout": "YYYYMMDDHHmmss", "time": "24:00:00"}}), "not a time of day"),
        (json!({"date": {"layout": "YYYYMMDDHHmmss", "time": "0:0:0"}}), "not a time of day"),
        (json!({"date": {"layout": "Y".repeat(1 << 20)}}), "is not a date layout"),
        (json!({"date": {"layout": "YYYYMMDDHHmmss", "time": "0".repeat(1 << 20)}}), "not a time of day"),
        (
            json!({"script": {"forward": "value / 100", "backward": "value * 100", "reversible": true, "examples": [1250]}}),
            "do not undo each other on the example 1250",
        ),
        (
            json!({"script": {"forward": "value.len()", "backward": "value", "examples": [5]}}),
            "do not undo each other",
        ),
    ] {
        let (mut si, mi) = good_maps();
        si["/sjnyue"] = json!({"key": "person.first_month", "transform": transform.clone()});
        si.as_object_mut().unwrap().remove("/x");
        let problems = compile(&bundle(si, mi)).unwrap_err();
        let found = problems.iter().any(|p| {
            matches!(p,
            Problem::FieldMap { item, department, pointer, message, bundle_pointer }
                if item == "pension" && department == "si" && pointer == "/sjnyue" && message.contains(says)
                    && bundle_pointer.as_deref() == Some("/items/0/field_map/~1sjnyue"))
        });
        assert!(found, "{}: {problems:#?}", &transform.to_string()[..transform.to_string().len().min(80)]);
    }
    // A `time` that is not text, or a member the format does not have, does not load.
    for transform in [
        json!({"date": {"layout": "YYYYMMDDHHmmss", "time": 0}}),
        json!({"date": {"layout": "YYYYMM", "day": 1}}),
    ] {
        let (mut si, mi) = good_maps();
        si["/sjnyue"] = json!({"key": "person.first_month", "transform": transform});
        assert!(load::from_packed_value(bundle(si, mi)).is_err());
    }
}

#[test]
fn a_script_transform_not_declared_reversible_is_a_warning_at_its_entry() {
    let (mut si, mi) = good_maps();
    si["/x"] =
        json!({"key": "n", "transform": {"script": {"forward": "value * 100", "backward": "value / 100"}}});
    let c = compile(&bundle(si, mi)).unwrap();
    let ours: Vec<_> = c.warnings().iter().filter(|w| w.pointer.is_some()).collect();
    let [w] = ours.as_slice() else { panic!("{:?}", c.warnings()) };
    assert_eq!(w.pointer.as_deref(), Some("/items/0/field_map/~1x"));
    assert!(
        w.message.contains("not declared reversible") && w.message.contains("\"reversible\": true"),
        "{w}"
    );
}

#[test]
fn department_data_reads_back_to_canonical_values() {
    // Prefill reads department documents back through the same transforms.
    let (si, mi) = good_maps();
    let mut doc = bundle(si, mi);
    doc["sources"] = json!([{
        "id": "si-record", "title": text("si record"), "kind": "other",
        "fields": {
            "/first": {"key": "person.first_month", "transform": {"date": {"layout": "YYYYMM"}}},
            "/start": {"key": "person.start", "transform": {"date": {"layout": "YYYYMMDDHHmmss", "time": "00:00:00"}}}
        }
    }]);
    let c = compile(&doc).unwrap();
    let documents: indexmap::IndexMap<String, Value> =
        [("si-record".to_owned(), json!({"first": "202605", "start": "20260501000000"}))]
            .into_iter()
            .collect();
    let p = c.prefill(&serde_json::Map::new(), &["si-record".to_owned()], &documents, None);
    assert_eq!(p.values["person.first_month"].value, json!("2026-05"));
    assert_eq!(p.values["person.start"].value, json!("2026-05-01"));
    // A start time other than the declared one is not read as a date (it would lose the time).
    let documents: indexmap::IndexMap<String, Value> =
        [("si-record".to_owned(), json!({"first": "202613", "start": "20260501083000"}))]
            .into_iter()
            .collect();
    let p = c.prefill(&serde_json::Map::new(), &["si-record".to_owned()], &documents, None);
    assert!(!p.values.contains_key("person.start") && !p.values.contains_key("person.first_month"), "{p:?}");
    assert_eq!(p.notes.len(), 2, "{:?}", p.notes);
}
