//! Prefill and material reuse (invariant 3): typed values are never overwritten, every
//! filled value says where it came from, unconsented sources are never read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::borrow::Cow;

use indexmap::IndexMap;
use onething::prefill::{FillOrigin, SourceProvider};
use onething::{CompiledBundle, Problem, load};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn bundle_with(sources: Value) -> Result<CompiledBundle, onething::CompileError> {
    CompiledBundle::compile(
        load::from_packed_value(json!({
            "id": "p", "version": "1", "title": {"zh": "预填", "en": "Prefill"}, "lead": "a",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "fields": {
                "name": {"title": {"zh": "姓名", "en": "Name"}},
                "gender": {"title": {"zh": "性别", "en": "Gender"}},
                "birth": {"title": {"zh": "出生日期", "en": "Birth date"}},
                "address": {"title": {"zh": "住址", "en": "Address"}},
                "phone": {"title": {"zh": "电话", "en": "Phone"}}
            },
            "derive": [{"key": "age", "script": "let b = form[\"birth\"]; if b == () { () } else { age_on(b, today) }"}],
            "items": [{"id": "i", "department": "a", "title": {"zh": "项", "en": "I"},
                       "schema": {"type": "object", "required": ["name", "gender", "birth", "address"],
                                  "properties": {"name": {}, "gender": {}, "birth": {}, "address": {}, "phone": {}}},
                       "materials": [{"id": "id-card", "title": {"zh": "身份证", "en": "ID card"}, "sources": ["id-card"]},
                                     {"id": "photo", "title": {"zh": "照片", "en": "Photo"}}]}],
            "sources": sources
        }))
        .unwrap(),
    )
}

fn sources() -> Value {
    json!([
        {"id": "id-card", "title": {"zh": "身份证电子证照", "en": "ID card e-licence"}, "kind": "e_licence", "authoritative": true,
         "fields": {"/xm": "name",
                    "/xb": {"key": "gender", "transform": {"value_map": [{"canonical": "男", "department": "1"}, {"canonical": "女", "department": "2"}]}},
                    "/csrq": {"key": "birth", "transform": {"date": {"layout": "YYYYMMDD"}}},
                    "/zz": "address"}},
        {"id": "earlier", "title": {"zh": "上次申请", "en": "Earlier application"}, "kind": "earlier_application",
         "fields": {"/name": "name", "/address": "address", "/phone": "phone"}, "materials": ["photo"]}
    ])
}

fn bundle() -> CompiledBundle {
    bundle_with(sources()).unwrap()
}

fn documents() -> IndexMap<String, Value> {
    let mut d = IndexMap::new();
    d.insert("id-card".into(), json!({"xm": "张三", "xb": "2", "csrq": "19900101", "zz": "北京市东城区1号"}));
    d.insert("earlier".into(), json!({"name": "张三", "address": "北京市西城区2号", "phone": "13800138000"}));
    d
}

fn consent(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn sources_fill_in_with_provenance_transforms_and_locks() {
    let p = bundle().prefill(
        &Map::new(),
        &consent(&["id-card", "earlier"]),
        &documents(),
        Some("2026-03-02".parse().unwrap()),
    );
    assert_eq!(p.values["gender"].value, json!("女"));
    assert_eq!(p.values["birth"].value, json!("1990-01-01"));
    assert!(p.values["name"].locked);
    assert_eq!(
        p.values["name"].origin,
        FillOrigin::Source { source: "id-card".into(), pointer: "/xm".into() }
    );
    // The authoritative ID card wins over the earlier application, which is noted.
    assert_eq!(p.values["address"].value, json!("北京市东城区1号"));
    assert!(p.notes.iter().any(|n| n.source == "earlier" && n.key.as_deref() == Some("address")));
    assert_eq!(
        p.values["phone"].origin,
        FillOrigin::Source { source: "earlier".into(), pointer: "/phone".into() }
    );
    assert!(!p.values["phone"].locked);
    // Derived from the prefilled birth date.
    assert_eq!(p.values["age"].value, json!(36));
    assert!(matches!(&p.values["age"].origin, FillOrigin::Derived { reads, .. } if reads == &["birth"]));
    // Both materials are satisfied by sharing: a zero-material application.
    assert_eq!(p.materials.keys().collect::<Vec<_>>(), ["id-card", "photo"]);
    assert_eq!((p.figures.fields_prefilled, p.figures.fields_total), (5, 5));
    assert!(p.figures.zero_material);
    assert!(p.to_type.is_empty());
    let s = p.submission();
    assert_eq!(s.materials["photo"], onething::MaterialStatus::Shared);
}

#[test]
fn a_typed_value_that_differs_from_an_authoritative_source_is_kept_and_flagged() {
    let typed = json!({"name": "李四", "phone": "13900139000"});
    let p =
        bundle().prefill(typed.as_object().unwrap(), &consent(&["id-card", "earlier"]), &documents(), None);
    assert_eq!(p.values["name"].value, json!("李四"));
    assert_eq!(p.values["name"].origin, FillOrigin::Applicant);
    assert_eq!(p.conflicts.len(), 1);
    assert_eq!((p.conflicts[0].key.as_str(), &p.conflicts[0].authoritative), ("name", &json!("张三")));
    // A non-authoritative source disagreeing with a typed value is no conflict.
    assert_eq!(p.values["phone"].value, json!("13900139000"));
    assert_eq!(p.figures.fields_prefilled, 3);
}

#[test]
fn without_consent_nothing_is_read() {
    let p = bundle().prefill(&Map::new(), &[], &documents(), None);
    assert!(p.values.is_empty());
    // The phone is optional: not one of the fields the applicant must still type.
    assert_eq!(p.to_type, ["name", "gender", "birth", "address"]);
    assert_eq!((p.figures.materials_shared, p.figures.materials_total), (0, 2));
    assert!(!p.figures.zero_material);
}

/// A provider that panics when asked for a source the applicant did not consent to, and
/// records what it was asked.
struct Strict {
    allowed: Vec<String>,
    asked: std::sync::Mutex<Vec<(String, Vec<String>)>>,
}

impl SourceProvider for Strict {
    fn fetch(&self, source: &str, pointers: &[&str]) -> Result<Option<Cow<'_, Value>>, String> {
        assert!(self.allowed.iter().any(|a| a == source), "unconsented source `{source}` was read");
        self.asked
            .lock()
            .unwrap()
            .push((source.to_owned(), pointers.iter().map(|p| (*p).to_owned()).collect()));
        Ok(documents().get(source).cloned().map(Cow::Owned))
    }
}

#[test]
fn only_consented_sources_are_asked_and_only_for_mapped_paths() {
    let strict = Strict { allowed: consent(&["earlier"]), asked: Default::default() };
    let p = bundle().prefill(&Map::new(), &consent(&["earlier"]), &strict, None);
    assert_eq!(p.values["phone"].value, json!("13800138000"));
    let asked = strict.asked.lock().unwrap();
    assert_eq!(
        *asked,
        vec![("earlier".to_string(), vec!["/name".to_string(), "/address".into(), "/phone".into()])]
    );
}

#[test]
fn bad_documents_give_notes_not_panics() {
    let mut docs = documents();
    docs.insert("id-card".into(), json!({"xm": "张三", "xb": "9", "csrq": "19900230"}));
    docs.insert("earlier".into(), json!(["not", "an", "object"]));
    let p = bundle().prefill(&Map::new(), &consent(&["id-card", "earlier"]), &docs, None);
    assert_eq!(p.values["name"].value, json!("张三"));
    assert!(!p.values.contains_key("gender") && !p.values.contains_key("birth"));
    let notes: Vec<(&str, Option<&str>)> =
        p.notes.iter().map(|n| (n.source.as_str(), n.key.as_deref())).collect();
    assert_eq!(notes, [("id-card", Some("gender")), ("id-card", Some("birth")), ("earlier", None)]);
    struct Down;
    impl SourceProvider for Down {
        fn fetch(&self, _: &str, _: &[&str]) -> Result<Option<Cow<'_, Value>>, String> {
            Err("timeout".into())
        }
    }
    let p = bundle().prefill(&Map::new(), &consent(&["id-card"]), &Down, None);
    assert!(p.notes[0].message.en.contains("timeout"));
}

#[test]
fn a_source_claiming_an_unknown_key_does_not_compile() {
    let mut s = sources();
    s[1]["fields"]["/fax"] = json!("fax");
    s[1]["materials"] = json!(["nope"]);
    let e = bundle_with(s).unwrap_err();
    let text: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        ["source `earlier`, fields /fax: unknown field `fax`", "source `earlier`: unknown material `nope`"]
    );
    assert!(matches!(e.problems[0], Problem::Unknown { .. }));
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("张三")),
        Just(json!("李四")),
        Just(json!("女")),
        Just(json!("1990-01-01")),
        Just(json!(null)),
        any::<i32>().prop_map(|n| json!(n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Invariant 3 over random answers, documents and consent.
    #[test]
    fn typed_values_are_never_lost_and_unconsented_sources_never_read(
        typed in prop::collection::btree_map(prop::sample::select(vec!["name", "gender", "birth", "address", "phone", "age", "other"]), value(), 0..6),
        card in prop::collection::btree_map(prop::sample::select(vec!["xm", "xb", "csrq", "zz", "junk"]), value(), 0..5),
        earlier in prop::collection::btree_map(prop::sample::select(vec!["name", "address", "phone"]), value(), 0..4),
        consented in prop::sample::subsequence(vec!["id-card", "earlier"], 0..=2),
    ) {
        let typed: Map<String, Value> = typed.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let mut docs = IndexMap::new();
        docs.insert("id-card".to_string(), Value::Object(card.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
        docs.insert("earlier".to_string(), Value::Object(earlier.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
        struct Only(IndexMap<String, Value>, Vec<String>);
        impl SourceProvider for Only {
            fn fetch(&self, source: &str, _: &[&str]) -> Result<Option<Cow<'_, Value>>, String> {
                assert!(self.1.iter().any(|c| c == source), "unconsented `{source}` read");
                Ok(self.0.get(source).map(Cow::Borrowed))
            }
        }
        let consent: Vec<String> = consented.iter().map(|s| (*s).to_owned()).collect();
        let p = bundle().prefill(&typed, &consent, &Only(docs, consent.clone()), Some("2026-03-02".parse().unwrap()));
        for (k, v) in &typed {
            prop_assert_eq!(&p.values[k].value, v);
            prop_assert_eq!(&p.values[k].origin, &FillOrigin::Applicant);
        }
        for (k, f) in &p.values {
            if let FillOrigin::Source { source, .. } = &f.origin {
                prop_assert!(consent.contains(source), "{} came from unconsented {}", k, source);
            }
        }
    }
}

/// A bundle whose item `i` asks for material `m` naming `names` as its sources, and whose
/// item `j` produces the evidence `cert`.
fn naming(names: Value, sources: Value) -> Result<CompiledBundle, onething::CompileError> {
    CompiledBundle::compile(
        load::from_packed_value(json!({
            "id": "n", "version": "1", "title": {"zh": "引用", "en": "References"}, "lead": "a",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "items": [{"id": "j", "department": "a", "title": {"zh": "发证", "en": "J"},
                       "schema": {"type": "object", "properties": {"name": {}, "birth": {}}}, "produces": ["cert"]},
                      {"id": "i", "department": "a", "title": {"zh": "项", "en": "I"}, "schema": {"type": "object"},
                       "depends_on": ["j"], "consumes": ["cert"],
                       "materials": [{"id": "m", "title": {"zh": "材料", "en": "M"}, "sources": names}]}],
            "sources": sources
        }))
        .unwrap(),
    )
}

fn problems(e: &onething::CompileError) -> Vec<String> {
    e.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_material_may_name_only_declared_sources_and_produced_evidence() {
    let card = json!([{"id": "id-card", "title": {"zh": "身份证", "en": "ID card"}, "kind": "e_licence"}]);
    naming(json!(["id-card", "evidence:cert"]), card.clone()).unwrap();
    let e =
        naming(json!(["id-card", "registry", "evidence:cert", "evidence:nope", "evidence:"]), card.clone())
            .unwrap_err();
    assert_eq!(
        problems(&e),
        [
            "item `i`, material `m`, sources: unknown source `registry`",
            "item `i`, material `m`, sources: unknown evidence `nope`",
            "item `i`, material `m`, sources: unknown evidence ``",
        ]
    );
    assert!(e.problems.iter().all(|p| matches!(p, Problem::Unknown { .. })));
    // Without any declared source, the e-licence a material names is unknown too.
    let e = naming(json!(["id-card"]), json!([])).unwrap_err();
    assert_eq!(problems(&e), ["item `i`, material `m`, sources: unknown source `id-card`"]);
}

#[test]
fn bad_source_declarations_are_listed_all_at_once() {
    let e = naming(
        json!([]),
        json!([
            {"id": "card", "title": {"zh": "证", "en": "Card"}, "kind": "e_licence",
             "fields": {"xm": "name", "/csrq": {"key": "birth", "transform": {"date": {"layout": "YYMMDD"}}}}},
            {"id": "card", "title": {"zh": "证", "en": "Card"}, "kind": "other",
             "fields": {"/mz": {"key": "name", "transform": {"value_map": []}}}}
        ]),
    )
    .unwrap_err();
    let text = problems(&e);
    assert_eq!(text.len(), 4, "{text:#?}");
    assert_eq!(text[0], "source `card`: `xm` is not a JSON Pointer into the source's document");
    assert!(text[1].starts_with("source `card`, fields /csrq: `YYMMDD` is not a date layout"), "{}", text[1]);
    assert!(text[2].starts_with("source `card`, fields /mz: "), "{}", text[2]);
    assert_eq!(text[3], "duplicate source id `card`");
}

#[test]
fn a_document_of_the_wrong_shape_or_a_failing_script_gives_notes() {
    let compiled = naming(
        json!(["card"]),
        json!([{"id": "card", "title": {"zh": "证", "en": "Card"}, "kind": "e_licence",
                "fields": {"/zmxx/xm": "name",
                           "/zmxx/csrq": {"key": "birth", "transform": {"script": {
                               "forward": "value",
                               "backward": "if value.len() != 8 { throw \"not YYYYMMDD\" } value.sub_string(0, 4) + \"-\" + value.sub_string(4, 2) + \"-\" + value.sub_string(6, 2)"}}}}}]),
    )
    .unwrap();
    let docs = |doc: Value| -> IndexMap<String, Value> { [("card".to_string(), doc)].into_iter().collect() };
    // Flat where the catalogue nests: nothing is read, and the note says why.
    let p = compiled.prefill(
        &Map::new(),
        &consent(&["card"]),
        &docs(json!({"xm": "张三", "csrq": "19900101"})),
        None,
    );
    assert!(p.values.is_empty());
    // Nor does a document of another shape prove the material the source would satisfy.
    assert!(p.materials.is_empty(), "{:?}", p.materials);
    assert_eq!(p.notes.len(), 1);
    assert_eq!((p.notes[0].source.as_str(), p.notes[0].key.as_deref()), ("card", None));
    assert!(p.notes[0].message.en.contains("none of the fields"), "{:?}", p.notes[0].message);
    // A script that throws on a value: a note for that field, the others are filled.
    let p = compiled.prefill(
        &Map::new(),
        &consent(&["card"]),
        &docs(json!({"zmxx": {"xm": "张三", "csrq": "1990-01"}})),
        None,
    );
    assert_eq!(p.values["name"].value, json!("张三"));
    assert!(!p.values.contains_key("birth"));
    assert_eq!(p.notes.len(), 1);
    assert_eq!(p.notes[0].key.as_deref(), Some("birth"));
    assert!(p.notes[0].message.en.contains("cannot convert /zmxx/csrq"), "{:?}", p.notes[0].message);
    let p = compiled.prefill(
        &Map::new(),
        &consent(&["card"]),
        &docs(json!({"zmxx": {"xm": "张三", "csrq": "19900101"}})),
        None,
    );
    assert_eq!(p.values["birth"].value, json!("1990-01-01"));
    assert!(p.notes.is_empty());
    // A value of a type the script does not expect is a note too, not a panic.
    let p =
        compiled.prefill(&Map::new(), &consent(&["card"]), &docs(json!({"zmxx": {"csrq": 19900101}})), None);
    assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    assert_eq!(p.materials.keys().collect::<Vec<_>>(), ["m"]);
}

/// A retirement application: the reason is required only for early retirement, the employer
/// is asked (and required) only of employees, the remark is optional.
fn retirement() -> CompiledBundle {
    CompiledBundle::compile(
        load::from_packed_value(json!({
            "id": "r", "version": "1", "title": {"zh": "退休", "en": "Retirement"}, "lead": "a",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "fields": {"employer": {"title": {"zh": "单位", "en": "Employer"},
                                    "visible_if": {"script": "form[\"kind\"] != \"flexible\""}}},
            "items": [{"id": "i", "department": "a", "title": {"zh": "项", "en": "I"},
                       "schema": {"type": "object", "required": ["kind", "employer"],
                                  "properties": {"kind": {"enum": ["normal", "early", "flexible"]},
                                                 "reason": {"type": "string"}, "employer": {"type": "string"},
                                                 "remark": {"type": "string"}},
                                  "if": {"properties": {"kind": {"const": "early"}}, "required": ["kind"]},
                                  "then": {"required": ["reason"]}}}]
        }))
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn to_type_lists_only_what_these_choices_require_and_show() {
    let c = retirement();
    let typed = |kind: &str| {
        let mut m = Map::new();
        m.insert("kind".into(), json!(kind));
        c.prefill(&m, &[], &IndexMap::<String, Value>::new(), None).to_type
    };
    assert_eq!(typed("normal"), ["employer"]);
    assert_eq!(typed("early"), ["employer", "reason"]);
    // Flexible workers have no employer: the field is hidden, so not to type.
    assert!(typed("flexible").is_empty(), "{:?}", typed("flexible"));
    let nothing = c.prefill(&Map::new(), &[], &IndexMap::<String, Value>::new(), None).to_type;
    assert_eq!(nothing, ["employer", "kind"]);
}
