//! Bad input gets a clear, typed error that says where it is — never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::schema::SchemaError;
use onething::{CompiledBundle, LoadError, Problem, Submission, load};
use serde_json::{Value, json};

/// A two-department bundle; `items` replaces its items.
fn bundle(items: Value) -> Value {
    json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}, {"id": "b", "name": {"zh": "乙", "en": "B"}}],
        "items": items
    })
}

fn item(id: &str, dept: &str, schema: Value, field_map: Value) -> Value {
    json!({"id": id, "department": dept, "title": {"zh": id, "en": id}, "schema": schema, "field_map": field_map})
}

fn problems(b: Value) -> Vec<Problem> {
    let b = load::from_packed_value(b).expect("loads");
    CompiledBundle::compile(b).expect_err("must not compile").problems
}

#[test]
fn malformed_json_names_line_and_column() {
    let e = load::from_packed_str("{\n  \"id\": \"x\",\n  oops\n}").unwrap_err();
    match e {
        LoadError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 3)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_shape_names_the_path() {
    let mut b = bundle(json!([item("i", "a", json!({}), json!({}))]));
    b["items"][0]["time_limit_days"] = json!("ten");
    let e = load::from_packed_value(b).unwrap_err();
    match e {
        LoadError::Format { at, .. } => assert_eq!(at, "items[0].time_limit_days"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_shape_error_in_text_names_the_path_without_a_position() {
    let e = Submission::from_json(r#"{"values": {"a": 1}, "materials": {"m": "lost"}}"#).unwrap_err();
    match e {
        LoadError::Format { at, message, .. } => {
            assert_eq!(at, "materials.m");
            assert!(message.starts_with("unknown variant `lost`"), "{message}");
            assert!(!message.contains(" at line "), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_that_is_not_json_is_a_syntax_error_even_after_a_shape_error() {
    // `id` is no field of a submission, but the text breaks off later: that is what is said.
    let e = Submission::from_json(r#"{"id": 1, "values": {}}"#).unwrap_err();
    assert!(matches!(e, LoadError::Format { .. }), "{e:?}");
    let e = Submission::from_json("{\"id\": 1, \"values\": {").unwrap_err();
    assert!(matches!(e, LoadError::Syntax { line: 1, .. }), "{e:?}");
    let e = Submission::from_json(r#"{"values": {}} trailing"#).unwrap_err();
    assert!(matches!(e, LoadError::Syntax { line: 1, column: 16, .. }), "{e:?}");
}

#[test]
fn packed_bundles_must_inline_schemas() {
    let b = bundle(json!([item("i", "a", json!("i.schema.json"), json!({}))]));
    let e = load::from_packed_value(b).unwrap_err();
    assert!(e.to_string().contains("inline"), "{e}");
}

#[test]
fn not_a_json_schema_names_item_and_place() {
    let p =
        problems(bundle(json!([item("i", "a", json!({"properties": {"x": {"type": "strin"}}}), json!({}))])));
    match p.as_slice() {
        [Problem::Schema { error: SchemaError::Invalid { origin, pointer, .. }, .. }] => {
            assert_eq!(origin.item.as_deref(), Some("i"));
            assert_eq!(origin.department.as_deref(), Some("a"));
            assert_eq!(pointer, "/properties/x/type");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ref_to_a_missing_definition() {
    let p = problems(bundle(json!([item(
        "i",
        "a",
        json!({"properties": {"x": {"$ref": "#/$defs/nope"}}}),
        json!({})
    )])));
    match p.as_slice() {
        [Problem::Schema { error: SchemaError::MissingRef { pointer, reference, .. }, .. }] => {
            assert_eq!(pointer, "/properties/x/$ref");
            assert_eq!(reference, "#/$defs/nope");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cyclic_refs_are_refused() {
    let schema = json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "properties": {"x": {"$ref": "#/$defs/a"}}});
    let p = problems(bundle(json!([item("i", "a", schema, json!({}))])));
    match p.as_slice() {
        [Problem::Schema { error: SchemaError::CyclicRef { chain, .. }, .. }] => {
            assert_eq!(chain, &["#/$defs/a", "#/$defs/b", "#/$defs/a"])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn recursive_refs_through_data_are_fine() {
    // A tree: recursion that descends into the instance terminates, and is kept as a $ref.
    let schema = json!({"properties": {"tree": {"$ref": "#/$defs/node"}}, "$defs": {"node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}});
    let b = load::from_packed_value(bundle(json!([item("i", "a", schema, json!({}))]))).unwrap();
    let c = CompiledBundle::compile(b).unwrap();
    let s: Submission =
        serde_json::from_value(json!({"values": {"tree": {"children": [{"children": []}]}}})).unwrap();
    assert!(c.validate(&s).valid);
    let s: Submission =
        serde_json::from_value(json!({"values": {"tree": {"children": [{"children": 5}]}}})).unwrap();
    assert!(!c.validate(&s).valid);
}

#[test]
fn unsupported_features_say_what_to_do() {
    let remote = json!({"properties": {"x": {"$ref": "https://example.com/x.json"}}});
    let p = problems(bundle(json!([item("i", "a", remote, json!({}))])));
    assert!(
        matches!(p.as_slice(), [Problem::Schema { error: SchemaError::Unsupported { .. }, .. }]),
        "{p:?}"
    );
    let draft7 = json!({"$schema": "http://json-schema.org/draft-07/schema#"});
    let p = problems(bundle(json!([item("i", "a", draft7, json!({}))])));
    assert!(matches!(p.as_slice(), [Problem::Schema { error: SchemaError::Dialect { .. }, .. }]), "{p:?}");
}

#[test]
fn field_map_to_a_property_that_does_not_exist() {
    let p = problems(bundle(json!([item(
        "i",
        "a",
        json!({"properties": {"xm": {}}}),
        json!({"/xingming": "name", "no-slash": "k"})
    )])));
    let pointers: Vec<&str> = p
        .iter()
        .filter_map(|p| match p {
            Problem::FieldMap { pointer, .. } => Some(pointer.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(pointers, ["no-slash", "/xingming"], "{p:?}");
}

#[test]
fn incompatible_types_on_one_key_name_both_sides() {
    let p = problems(bundle(json!([
        item("one", "a", json!({"properties": {"mj": {"type": "string"}}}), json!({"/mj": "area"})),
        item(
            "two",
            "b",
            json!({"properties": {"venue": {"properties": {"area": {"type": "integer"}}}}}),
            json!({"/venue/area": "area"})
        ),
    ])));
    let [Problem::Conflict { key, unsat, .. }] = p.as_slice() else { panic!("{p:?}") };
    assert_eq!(key, "area");
    let sides: Vec<(Option<&str>, &str)> =
        unsat.sides().iter().map(|s| (s.origin.item.as_deref(), s.pointer.as_str())).collect();
    assert_eq!(
        sides,
        [(Some("one"), "/properties/mj/type"), (Some("two"), "/properties/venue/properties/area/type")]
    );
    let message = p[0].to_string();
    assert!(message.contains("item `one`") && message.contains("item `two`"), "{message}");
}

#[test]
fn duplicate_ids_and_unknown_references_are_all_listed() {
    let mut b =
        bundle(json!([item("i", "a", json!({}), json!({})), item("i", "nope", json!({}), json!({})),]));
    b["lead"] = json!("ghost");
    b["items"][0]["depends_on"] = json!(["missing"]);
    let p = problems(b);
    let text: Vec<String> = p.iter().map(ToString::to_string).collect();
    assert!(text.contains(&"duplicate item id `i`".to_string()), "{text:?}");
    assert!(text.contains(&"lead: unknown department `ghost`".to_string()), "{text:?}");
    assert!(text.contains(&"item `i`: unknown department `nope`".to_string()), "{text:?}");
    assert!(text.contains(&"item `i`, depends_on: unknown item `missing`".to_string()), "{text:?}");
}

#[test]
fn bad_transforms_and_scripts_are_problems() {
    let mut b = bundle(json!([item(
        "i",
        "a",
        json!({"properties": {"xb": {}, "rq": {}}}),
        json!({
            "/xb": {"key": "gender", "transform": {"value_map": [{"canonical": "男", "department": "1"}, {"canonical": "女", "department": "1"}]}},
            "/rq": {"key": "date", "transform": {"date": {"layout": "YYMMDD"}}}
        })
    )]));
    b["items"][0]["applies_if"] = json!({"script": "let x = ;"});
    let text: Vec<String> = problems(b).iter().map(ToString::to_string).collect();
    assert!(text.iter().any(|t| t.contains("/xb") && t.contains("not one-to-one")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("/rq") && t.contains("not a date layout")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("applies_if") && t.contains("line 1, column 9")), "{text:?}");
}

#[test]
fn ten_thousand_levels_of_nesting() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let text = format!(r#"{{"values": {{"x": {deep}}}}}"#);
    let e = Submission::from_json(&text).unwrap_err();
    assert!(matches!(e, LoadError::Syntax { .. }), "{e:?}");
    assert!(e.to_string().contains("recursion limit"), "{e}");
    let schema = format!("{}{}", r#"{"not":"#.repeat(10_000), "}".repeat(10_000));
    let e = load::parse_json::<Value>(&schema, "deep.schema.json").unwrap_err();
    assert!(e.to_string().contains("recursion limit"), "{e}");
}

#[test]
fn a_fifty_megabyte_submission_is_refused_clearly() {
    let big = format!(r#"{{"values": {{"x": "{}"}}}}"#, "a".repeat(50 << 20));
    let e = Submission::from_json(&big).unwrap_err();
    match e {
        LoadError::TooLarge { bytes, limit, .. } => assert!(bytes > limit),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_large_value_within_the_limit_validates() {
    let b = load::from_packed_value(bundle(json!([item(
        "i",
        "a",
        json!({"properties": {"bz": {"type": "string", "maxLength": 200}}}),
        json!({"/bz": "note"})
    )])))
    .unwrap();
    let c = CompiledBundle::compile(b).unwrap();
    let text = format!(r#"{{"values": {{"note": "{}"}}}}"#, "备".repeat(4 << 20));
    let s = Submission::from_json(&text).unwrap();
    let v = c.validate(&s);
    assert_eq!(v.errors.len(), 1);
    assert_eq!(v.errors[0].message.en, "note must have at most 200 characters");
}

#[test]
fn submissions_of_the_wrong_shape() {
    let e = Submission::from_json(r#"{"values": []}"#).unwrap_err();
    assert!(matches!(&e, LoadError::Format { at, .. } if at == "values"), "{e:?}");
    let e = Submission::from_json(r#"{"valeus": {}}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field `valeus`"), "{e}");
    let e = Submission::from_json(r#"{"materials": {"id-card": "lost"}}"#).unwrap_err();
    assert!(matches!(&e, LoadError::Format { at, .. } if at == "materials.id-card"), "{e:?}");
}

#[test]
fn exponential_ref_expansion_is_bounded() {
    // Each definition uses the previous one twice in two properties: inlining would double
    // 40 times. The merge stops with a clear error instead of running out of memory.
    let mut defs = serde_json::Map::new();
    defs.insert("d0".into(), json!({"type": "string"}));
    for k in 1..=40 {
        let prev = format!("#/$defs/d{}", k - 1);
        defs.insert(format!("d{k}"), json!({"properties": {"a": {"$ref": prev}, "b": {"$ref": prev}}}));
    }
    let schema = json!({"$defs": defs, "properties": {"x": {"$ref": "#/$defs/d40"}}});
    let p = problems(bundle(json!([item("i", "a", schema, json!({}))])));
    assert!(matches!(p.as_slice(), [Problem::Schema { error: SchemaError::TooLarge { .. }, .. }]), "{p:?}");
}

#[test]
fn directory_paths_cannot_leave_the_bundle() {
    let dir = std::env::temp_dir().join(format!("onething-escape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let b = bundle(json!([item("i", "a", json!("../../etc/passwd"), json!({}))]));
    std::fs::write(dir.join("bundle.json"), b.to_string()).unwrap();
    let e = load::load_dir(&dir).unwrap_err();
    assert!(e.to_string().contains("must be a relative path inside the bundle directory"), "{e}");
    let e = load::load_dir(&dir.join("nope")).unwrap_err();
    assert!(matches!(e, LoadError::Io { .. }), "{e:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_kind_of_problem_serialises_as_its_schema_says() {
    // schemas/compile-error.schema.json is what the npm package's TypeScript types say a
    // compile error's `details` are: each kind of problem, as serialised, must validate.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schemas/compile-error.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = onething::schema::compile(&schema).unwrap();
    let two = || {
        item(
            "two",
            "b",
            json!({"properties": {"venue": {"properties": {"area": {"type": "integer"}}}}}),
            json!({"/venue/area": "area"}),
        )
    };
    // Conflicting fields; a dependency cycle; then everything else at once.
    let conflicting = bundle(json!([
        item("one", "a", json!({"properties": {"mj": {"type": "string"}}}), json!({"/mj": "area"})),
        two()
    ]));
    let mut cycle =
        bundle(json!([item("x", "a", json!({}), json!({})), item("y", "b", json!({}), json!({}))]));
    cycle["items"][0]["depends_on"] = json!(["y"]);
    cycle["items"][1]["depends_on"] = json!(["x"]);
    let mut broken = bundle(json!([
        item("one", "a", json!({"properties": {"mj": {}}}), json!({"x": "k"})),
        two(),
        item("two", "nope", json!({"properties": {"y": 5}}), json!({})),
    ]));
    broken["items"][0]["applies_if"] = json!({"script": "let x = ;"});
    broken["items"][1]["applies_if"] = json!({});
    let mut kinds = Vec::new();
    let mut text = String::new();
    for b in [conflicting, cycle, broken] {
        let e = CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_err();
        let json = serde_json::to_value(&e).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&json).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{json:#}");
        kinds.extend(
            json["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap().to_owned()),
        );
        text += &serde_json::to_string(&e).unwrap();
    }
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(
        kinds,
        ["conflict", "cycle", "duplicate_id", "field_map", "invalid", "not_a_schema", "script", "unknown"]
    );
    // A schema problem keeps its own kind, once (not the variant's `schema` as well).
    assert!(!text.contains(r#""kind":"schema""#), "{text}");
}

#[test]
fn a_submission_written_as_an_array_is_refused() {
    // serde's derive takes a struct as an array of its fields in order: this was valid.
    let e = Submission::from_json(r#"[null, {"a": 1}, {}, [], [], {}]"#).unwrap_err();
    assert!(matches!(&e, LoadError::Format { at, .. } if at == "."), "{e:?}");
    assert!(e.to_string().contains("expected a JSON object for `Submission`, found an array"), "{e}");
    let e = Submission::from_json(r#"{"applicant": [true, {}]}"#).unwrap_err();
    assert!(matches!(&e, LoadError::Format { at, .. } if at == "applicant"), "{e:?}");
    assert!(e.to_string().contains("expected a JSON object"), "{e}");
}

#[test]
fn duplicate_keys_in_a_submission_are_refused_at_any_depth() {
    for (text, key, place) in [
        (r#"{"values": {"a": 1, "a": 2}}"#, "a", "the object at /values"),
        (r#"{"values": {"a": [{"b": 1, "b": 1}]}}"#, "b", "the object at /values/a/0"),
        (r#"{"materials": {"m": "provided", "m": "missing"}}"#, "m", "the object at /materials"),
        (r#"{"applicant": {"attributes": {"x": 1, "x": 1}}}"#, "x", "the object at /applicant/attributes"),
        (r#"{"values": {}, "values": {}}"#, "values", "the top-level object"),
    ] {
        let e = Submission::from_json(text).unwrap_err();
        let LoadError::Syntax { line: 1, column, message, .. } = &e else { panic!("{text}: {e:?}") };
        assert_eq!(message, &format!("duplicate key `{key}` in {place}"), "{text}");
        let end_of_second_key = text.rfind(&format!("\"{key}\"")).unwrap() + key.len() + 2;
        assert_eq!(*column, end_of_second_key, "{text}");
    }
}

#[test]
fn a_byte_order_mark_before_a_submission_or_reports_is_accepted() {
    let s = Submission::from_json("\u{feff}{\"values\": {\"a\": 1}}").unwrap();
    assert_eq!(s.values["a"], 1);
    // Also on the path that reads the text twice to say where it is wrong.
    let e = Submission::from_json("\u{feff}{\"values\": []}").unwrap_err();
    assert!(matches!(&e, LoadError::Format { at, .. } if at == "values"), "{e:?}");
    let e = onething::Reports::from_json("\u{feff}[]").unwrap_err();
    assert!(e.to_string().contains("expected a JSON object"), "{e}");
}

#[test]
fn a_calendar_must_cover_sane_years_in_order() {
    let calendar = |years: &str| {
        format!(
            r#"{{"name": {{"zh": "历", "en": "Cal"}}, "years": {years}, "holidays": [], "workdays": []}}"#
        )
    };
    load::parse_json::<onething::Calendar>(&calendar("[2025, 2026]"), "cal.json").unwrap();
    load::parse_json::<onething::Calendar>(&calendar("[1949, 2200]"), "cal.json").unwrap();
    for years in ["[9999, -5]", "[2026, 2025]", "[1948, 2000]", "[2000, 2201]"] {
        let e = load::parse_json::<onething::Calendar>(&calendar(years), "cal.json").unwrap_err();
        assert!(matches!(&e, LoadError::Format { at, .. } if at == "years"), "{years}: {e:?}");
        assert!(e.to_string().contains("must be from 1949 to 2200"), "{e}");
    }
}

#[test]
fn an_empty_script_is_a_compile_problem_naming_rule_and_file() {
    for script in ["", "  \n\t", "// nothing here\n/* nor here */", "fn helper() { true }"] {
        let mut b = bundle(json!([item("i", "a", json!({}), json!({}))]));
        b["items"][0]["eligibility"] =
            json!([{"id": "adult", "title": {"zh": "成年", "en": "Adult"}, "script": script}]);
        let p = problems(b);
        assert!(
            matches!(p.as_slice(), [Problem::Script { rule, message, .. }]
                if rule == "adult" && message.contains("the script is empty")),
            "{script:?}: {p:?}"
        );
    }
    let dir = std::env::temp_dir().join(format!("onething-empty-rule-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let mut b = bundle(json!([item("i", "a", json!({}), json!({}))]));
    b["items"][0]["applies_if"] = json!({"file": "rules/empty.rhai"});
    std::fs::write(dir.join("bundle.json"), b.to_string()).unwrap();
    std::fs::write(dir.join("rules/empty.rhai"), "// to do\n").unwrap();
    let e = CompiledBundle::compile(load::load_dir(&dir).unwrap()).err().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(e.to_string().contains("rule `applies_if` at rules/empty.rhai:1:1: the script is empty"), "{e}");
}

#[test]
fn reports_with_a_part_written_as_an_array_or_a_duplicate_key_are_refused() {
    let e = onething::Reports::from_json(r#"{"reports": [["i", "approved"]]}"#).unwrap_err();
    assert!(e.to_string().contains("expected a JSON object"), "{e}");
    let e = onething::Reports::from_json("{\"reports\": [],\n \"reports\": []}").unwrap_err();
    assert!(e.to_string().contains("line 2, column 10: invalid JSON: duplicate key `reports`"), "{e}");
}

/// A schema with more subschemas than a merge takes is refused while it is first walked,
/// before the meta-schema or the merge run over it, naming the limit.
#[test]
fn a_schema_wider_than_the_merge_takes_is_refused_by_its_size() {
    use onething::schema::{Document, MAX_PARTS, Origin};
    let properties: serde_json::Map<String, Value> =
        (0..=MAX_PARTS).map(|i| (format!("p{i}"), json!({"type": "string"}))).collect();
    let wide = json!({"type": "object", "properties": properties});
    let e = Document::new(wide, Origin::document("wide"), "wide").unwrap_err();
    assert!(matches!(e, SchemaError::TooLarge { limit: MAX_PARTS, .. }), "{e}");
    assert!(e.to_string().contains("more than 300000 subschemas"), "{e}");
}

/// A submission of many keys the bundle does not have gets one warning each, with a
/// suggestion, for the first few, and one that counts the rest.
#[test]
fn unknown_keys_past_the_first_few_are_counted_not_listed() {
    use onething::validate::MAX_UNKNOWN_KEY_WARNINGS;
    let b = bundle(json!([item(
        "i",
        "a",
        json!({"type": "object", "properties": {"xm": {"type": "string"}}}),
        json!({"/xm": "name"})
    )]));
    let compiled = CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap();
    let values: serde_json::Map<String, Value> =
        (0..50_000).map(|i| (format!("stray{i}"), json!(i))).collect();
    let s = Submission { values: Value::Object(values), ..Submission::default() };
    let v = compiled.validate(&s);
    assert!(v.valid);
    assert_eq!(v.warnings.len(), MAX_UNKNOWN_KEY_WARNINGS + 1);
    let last = &v.warnings[MAX_UNKNOWN_KEY_WARNINGS].message;
    assert!(last.en.starts_with(&format!("{} more keys", 50_000 - MAX_UNKNOWN_KEY_WARNINGS)), "{last:?}");
    assert!(v.warnings[0].message.en.contains("`stray0`"), "{:?}", v.warnings[0]);
}

/// An id that is not found, but is close to one that is, gets a "did you mean".
#[test]
fn unknown_references_suggest_the_nearest_id() {
    let mut b = bundle(json!([
        item("seal-engraving", "a", json!({}), json!({})),
        item("tax", "b", json!({}), json!({}))
    ]));
    b["items"][1]["depends_on"] = json!(["seal-engravng"]);
    b["items"][0]["department"] = json!("bb");
    let p = problems(b);
    let texts: Vec<String> = p.iter().map(ToString::to_string).collect();
    assert!(
        texts.iter().any(|t| t.contains("unknown item `seal-engravng`; did you mean `seal-engraving`?")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("unknown department `bb`; did you mean `b`?")), "{texts:?}");
    let json = serde_json::to_value(&p).unwrap();
    assert!(json.as_array().unwrap().iter().any(|x| x["suggestion"] == "seal-engraving"), "{json}");
}

/// A department's schema as published is compiled on first use (dispatch), but a regex the
/// validator refuses is still an error of that item's schema at compile time, as it was when
/// the schema was compiled up front, whether it is a `pattern` or a `patternProperties` name,
/// at the top or nested anywhere a subschema can be.
#[test]
fn a_bad_regex_in_a_department_schema_is_found_at_compile_time() {
    let schemas = [
        json!({"properties": {"x": {"type": "string", "pattern": "("}}}),
        json!({"properties": {"x": {"type": "object", "patternProperties": {"[a-": {}}}}}),
        json!({"$defs": {"d": {"pattern": "(?<"}}, "properties": {"x": {"$ref": "#/$defs/d"}}}),
        json!({"properties": {"x": {"anyOf": [{"type": "integer"}, {"items": {"pattern": "a{2,1}"}}]}}}),
    ];
    for schema in schemas {
        let p = problems(bundle(json!([item("i", "a", schema.clone(), json!({}))])));
        match p.as_slice() {
            [Problem::Schema { error: SchemaError::Invalid { origin, message, .. }, bundle_pointer }] => {
                assert_eq!(origin.item.as_deref(), Some("i"), "{schema}");
                assert_eq!(bundle_pointer.as_deref(), Some("/items/0/schema"), "{schema}");
                assert!(message.contains("regex"), "{schema}: {message}");
            }
            other => panic!("{schema}: {other:?}"),
        }
    }
}

/// Valid regexes (the validator's shortcuts for literal prefixes and alternations, and full
/// ones) pass the compile-time check, and dispatch checks payloads against them.
#[test]
fn valid_regexes_compile_and_dispatch_checks_them() {
    let schema = json!({"type": "object", "properties": {
        "a": {"type": "string", "pattern": "^D-"},
        "b": {"type": "string", "pattern": "^(x|y)$"},
        "c": {"type": "object", "patternProperties": {"^[0-9]{2}$": {"type": "integer"}}}
    }});
    let b = load::from_packed_value(bundle(json!([item("i", "a", schema, json!({}))]))).unwrap();
    let c = CompiledBundle::compile(b).unwrap();
    let s = Submission { values: json!({"a": "D-1", "b": "x", "c": {"12": 3}}), ..Default::default() };
    let d = c.dispatch(&s).unwrap();
    assert_eq!(d.payloads[0].payload, json!({"a": "D-1", "b": "x", "c": {"12": 3}}));
    let view = c.department_view("i", &s).unwrap();
    assert!(view.errors.is_empty(), "{:?}", view.errors);
}
