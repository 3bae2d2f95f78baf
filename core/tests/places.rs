//! Every compile problem carries its place in the bundle document as a JSON Pointer
//! (`bundle_pointer`), and that pointer finds the offending value — in a packed bundle and in
//! `bundle.json` of a bundle directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::{CompiledBundle, Problem, load};
use serde_json::{Value, json};

fn text(s: &str) -> Value {
    json!({"zh": s, "en": s})
}

fn item(id: &str, department: &str, schema: Value, field_map: Value) -> Value {
    json!({"id": id, "department": department, "title": text(id), "schema": schema, "field_map": field_map})
}

fn bundle(departments: &[&str], items: Value) -> Value {
    let departments: Vec<Value> = departments.iter().map(|d| json!({"id": d, "name": text(d)})).collect();
    json!({"id": "t", "version": "1", "title": text("t"), "lead": "a", "departments": departments, "items": items})
}

fn problems_of(doc: &Value) -> Vec<Problem> {
    let b = load::from_packed_value(doc.clone()).expect("loads");
    CompiledBundle::compile(b).expect_err("must not compile").problems
}

/// The problems' bundle pointers, sorted.
fn places(problems: &[Problem]) -> Vec<&str> {
    let mut places: Vec<&str> = problems.iter().filter_map(Problem::bundle_pointer).collect();
    places.sort_unstable();
    places
}

/// The value at the problem's pointer in `doc`: present, and the offending one.
fn offending<'a>(doc: &'a Value, p: &Problem) -> &'a Value {
    let ptr = p.bundle_pointer().unwrap_or_else(|| panic!("no bundle pointer: {p:?}"));
    let value = doc.pointer(ptr).unwrap_or_else(|| panic!("{ptr} is not in the bundle: {p:?}"));
    // The JSON names it too.
    assert_eq!(serde_json::to_value(p).unwrap()["bundle_pointer"], json!(ptr), "{p:?}");
    match p {
        Problem::DuplicateId { id, .. } => assert_eq!(value["id"], json!(id), "{ptr}"),
        Problem::Unknown { id, .. } => assert!(value == id || value["key"] == json!(id), "{ptr}: {value}"),
        Problem::FieldMap { .. }
        | Problem::Conflict { .. }
        | Problem::Cycle { .. }
        | Problem::Invalid { .. } => {}
        Problem::Script { file, .. } => match file {
            Some(file) => assert_eq!(value, file, "{ptr}"),
            None => assert!(value.is_string() && ptr.ends_with("/script"), "{ptr}: {value}"),
        },
        Problem::Schema { .. } => assert!(ptr.ends_with("/schema"), "{ptr}"),
        other => panic!("a problem this test does not know: {other:?}"),
    }
    value
}

/// Problems found before the forms are merged: structure, dependency cycles, scripts and
/// the items' schemas and field maps.
#[test]
fn structure_script_schema_and_field_map_problems_point_at_their_place() {
    let mut items = json!([
        item(
            "one",
            "a",
            json!({"properties": {"xm": {"type": "string"}}}),
            json!({"/xm": "name", "x/y": "k"})
        ),
        item("two", "zz", json!({"type": "strin"}), json!({})),
        item("p", "a", json!(true), json!({})),
        item("q", "b", json!(true), json!({})),
    ]);
    items[0]["depends_on"] = json!(["ghost"]);
    items[0]["applies_if"] = json!({"script": "let x = ;"});
    items[1]["materials"] =
        json!([{"id": "m", "title": text("m"), "required_if": {"title": text("no script")}}]);
    items[2]["depends_on"] = json!(["q"]);
    items[3]["depends_on"] = json!(["p"]);
    let mut doc = bundle(&["a", "b", "a"], items);
    doc["derive"] = json!([
        {"key": "d0", "script": "1"},
        {"key": "d1", "script": "form[\"d2\"]"},
        {"key": "d2", "script": "form[\"d1\"]"}
    ]);
    let problems = problems_of(&doc);
    assert_eq!(
        places(&problems),
        [
            "/departments/2",
            "/derive/2/script",
            "/items/0/applies_if/script",
            "/items/0/depends_on/0",
            "/items/0/field_map/x~1y",
            "/items/1/department",
            "/items/1/materials/0/required_if",
            "/items/1/schema",
            "/items/2",
        ],
        "{problems:#?}"
    );
    for p in &problems {
        let value = offending(&doc, p);
        match p {
            Problem::FieldMap { pointer, .. } => assert_eq!((pointer.as_str(), value), ("x/y", &json!("k"))),
            Problem::Cycle { items, .. } => assert_eq!(value["id"], json!(items[0])),
            Problem::Invalid { message, .. } if message.contains("circle") => {
                assert_eq!(value, "form[\"d1\"]");
            }
            Problem::Invalid { message, .. } => {
                assert!(message.contains("has no script"), "{message}");
                assert_eq!(value, &json!({"title": text("no script")}));
            }
            Problem::Schema { error, .. } => assert_eq!(value, &json!({"type": "strin"}), "{error}"),
            _ => {}
        }
    }
    // A schema problem keeps its own members beside the new one.
    let schema = problems.iter().find(|p| matches!(p, Problem::Schema { .. })).unwrap();
    let json = serde_json::to_value(schema).unwrap();
    assert_eq!(
        (json["kind"].as_str(), json["origin"]["item"].as_str()),
        (Some("invalid"), Some("two")),
        "{json}"
    );
}

/// Problems found once the forms are merged: references to keys, materials and sources,
/// scripts reading what does not exist, and conflicting constraints.
#[test]
fn reference_source_read_and_conflict_problems_point_at_their_place() {
    let mut items = json!([
        item("one", "a", json!({"properties": {"xm": {"type": "string"}}}), json!({"/xm": "name"})),
        item("two", "b", json!({"properties": {"age": {"type": "integer"}}}), json!({"/age": "name"})),
    ]);
    items[0]["eligibility"] = json!([
        {"id": "ok", "title": text("ok"), "script": "true"},
        {"id": "r", "title": text("r"), "script": "form[\"nokey\"] == 1"}
    ]);
    items[0]["materials"] = json!([{"id": "m", "title": text("m"), "sources": ["registry", "nosrc"]}]);
    let mut doc = bundle(&["a", "b"], items);
    doc["sections"] = json!([{"id": "s", "title": text("s"), "fields": ["name", "nope"]}]);
    let source = |fields: Value, materials: Value| json!({"id": "registry", "title": text("r"), "kind": "other", "fields": fields, "materials": materials});
    doc["sources"] = json!([
        source(
            json!({"/a/b": "nokey2", "bad": "name", "/c": {"key": "name", "transform": {"date": {"layout": "XX"}}}}),
            json!(["nomat"])
        ),
        source(json!({}), json!([]))
    ]);
    let problems = problems_of(&doc);
    assert_eq!(
        places(&problems),
        [
            "/items/0/eligibility/1/script",
            "/items/0/materials/0/sources/1",
            "/items/1/field_map/~1age",
            "/sections/0/fields/1",
            "/sources/0/fields/bad",
            "/sources/0/fields/~1a~1b",
            "/sources/0/fields/~1c",
            "/sources/0/materials/0",
            "/sources/1",
        ],
        "{problems:#?}"
    );
    for p in &problems {
        let value = offending(&doc, p);
        match p {
            Problem::Conflict { key, .. } => assert_eq!(value, key),
            Problem::Invalid { at, .. } if at.contains("/c") => assert_eq!(value["key"], "name"),
            Problem::Invalid { .. } => assert_eq!(value, "name"),
            _ => {}
        }
    }
}

/// A bundle directory: the pointers are into `bundle.json` as written, where a schema and a
/// script are file names.
#[test]
fn problems_of_a_directory_bundle_point_into_its_bundle_json() {
    let dir = std::env::temp_dir().join(format!("onething-places-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let mut items = json!([
        item("one", "a", json!("one.schema.json"), json!({"/xm": "name", "/nothing": "other"})),
        item("two", "a", json!("two.schema.json"), json!({})),
    ]);
    items[0]["applies_if"] = json!({"file": "rules/applies.rhai"});
    let manifest = serde_json::to_string_pretty(&bundle(&["a"], items)).unwrap();
    let files = [
        ("bundle.json", manifest.as_str()),
        ("one.schema.json", r#"{"properties": {"xm": {"type": "string"}}}"#),
        ("two.schema.json", r#"{"type": 7}"#),
        ("rules/applies.rhai", "true &&\n  (;"),
    ];
    for (name, content) in files {
        std::fs::write(dir.join(name), content).unwrap();
    }
    let problems = CompiledBundle::compile(load::load_dir(&dir).unwrap()).unwrap_err().problems;
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bundle.json")).unwrap()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let mut seen = Vec::new();
    for p in &problems {
        let value = offending(&on_disk, p);
        match p {
            Problem::Script { file, line, .. } => {
                assert_eq!((file.as_deref(), *line), (Some("rules/applies.rhai"), 2));
                assert_eq!(p.bundle_pointer(), Some("/items/0/applies_if/file"));
            }
            Problem::Schema { error, .. } => {
                assert_eq!(value, &json!(error.origin().document), "{p:?}");
                assert_eq!(p.bundle_pointer(), Some("/items/1/schema"));
            }
            Problem::FieldMap { pointer, .. } => {
                assert_eq!(pointer, "/nothing");
                assert_eq!(p.bundle_pointer(), Some("/items/0/field_map/~1nothing"));
            }
            other => panic!("unexpected: {other:?}"),
        }
        seen.push(p.bundle_pointer().unwrap_or_default());
    }
    assert_eq!(seen.len(), 3, "{problems:#?}");
}

/// Two departments code the gender differently (`男/女` and `1/2`) without a value map;
/// the second department's field is at `sex_at` in its schema (`/sex`, `/person/sex`).
fn coding_conflict(sex_at: &str) -> Value {
    let mut sex = json!({"enum": ["1", "2"]});
    for part in sex_at.rsplit('/').filter(|p| !p.is_empty()) {
        sex = json!({"type": "object", "properties": {part: sex}});
    }
    let one = json!({"type": "object", "properties": {"xb": {"enum": ["男", "女"]}}});
    bundle(
        &["a", "b"],
        json!([
            item("one", "a", one, json!({"/xb": "gender"})),
            item("two", "b", sex, json!({sex_at: "gender"}))
        ]),
    )
}

#[test]
fn a_conflict_of_codings_names_the_field_both_departments_their_places_and_a_way_out() {
    let problems = problems_of(&coding_conflict("/person/sex"));
    let [p] = problems.as_slice() else { panic!("{problems:?}") };
    let text = p.to_string();
    assert!(text.starts_with("field `gender`: the departments' constraints contradict"), "{text}");
    assert!(text.contains("item `one` (department `a`) at /properties/xb/enum = [\"男\",\"女\"]"), "{text}");
    assert!(
        text.contains(
            "item `two` (department `b`) at /properties/person/properties/sex/enum = [\"1\",\"2\"]"
        ),
        "{text}"
    );
    assert!(text.contains("`value_map`"), "{text}");
    assert!(!text.contains("the root"), "{text}");
}

#[test]
fn a_misspelt_rule_file_is_one_problem_among_all() {
    let mut doc = coding_conflict("/sex");
    doc["items"][0]["eligibility"] = json!([
        {"id": "typo", "title": text("t"), "file": "rules/adlut.rhai"},
        {"id": "broken", "title": text("b"), "script": "let x = ;"}
    ]);
    let files = std::collections::BTreeMap::from([("bundle.json".to_owned(), doc.to_string())]);
    let problems = CompiledBundle::compile(load::load_files(&files).unwrap()).unwrap_err().problems;
    assert_eq!(
        places(&problems),
        ["/items/0/eligibility/0/file", "/items/0/eligibility/1/script", "/items/1/field_map/~1sex"],
        "{problems:#?}"
    );
    let typo = problems.iter().find(|p| p.bundle_pointer() == Some("/items/0/eligibility/0/file")).unwrap();
    let text = typo.to_string();
    assert!(text.contains("rule `typo` at rules/adlut.rhai: cannot read the script file"), "{text}");
    assert!(offending(&doc, typo) == "rules/adlut.rhai");
}
