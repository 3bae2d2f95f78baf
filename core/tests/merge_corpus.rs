//! Invariant 1 for the generic merge, over the official JSON Schema test suite:
//! for schemas A and B and every instance x of either group,
//! `valid(merge(A, B), x) == valid(A, x) && valid(B, x)`, and a reported conflict only
//! where no instance satisfies both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::Path;
use std::sync::Arc;

use onething::schema::{self, Document, MergeError, MergeOptions, Origin};
use serde_json::Value;

struct Group {
    name: String,
    schema: Value,
    doc: Arc<Document>,
    instances: Vec<Value>,
}

fn load_groups() -> (Vec<Group>, usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/json-schema-test-suite");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut groups = Vec::new();
    let mut skipped = 0;
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        let list: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for (i, g) in list.into_iter().enumerate() {
            let name = format!("{stem}#{i} {}", g["description"].as_str().unwrap_or(""));
            let schema = g["schema"].clone();
            let instances: Vec<Value> =
                g["tests"].as_array().unwrap().iter().map(|t| t["data"].clone()).collect();
            // Documents this crate deliberately refuses (remote refs, embedded $id, dynamic
            // refs, other dialects) are skipped, and counted.
            match Document::new(schema.clone(), Origin::document(&name), &format!("g{}", groups.len())) {
                Ok(doc) if schema::compile(&schema).is_ok() => {
                    groups.push(Group { name, schema, doc: Arc::new(doc), instances })
                }
                _ => skipped += 1,
            }
        }
    }
    (groups, skipped)
}

fn valid(schema: &Value, x: &Value) -> bool {
    schema::compile(schema)
        .map(|v| v.is_valid(x))
        .unwrap_or_else(|(p, e)| panic!("does not compile at {p}: {e}\n{schema:#}"))
}

#[test]
fn single_schema_flattening_is_exact() {
    let (groups, skipped) = load_groups();
    eprintln!("{} groups usable, {skipped} skipped", groups.len());
    assert!(groups.len() > 300, "only {} groups usable ({skipped} skipped)", groups.len());
    for g in &groups {
        let merged = match schema::merge(&[Arc::clone(&g.doc)], MergeOptions::default()) {
            Ok(m) => m.schema,
            Err(MergeError::Unsatisfiable(u)) => {
                for x in &g.instances {
                    assert!(
                        !valid(&g.schema, x),
                        "{}: reported unsatisfiable ({u}) but {x} is valid",
                        g.name
                    );
                }
                continue;
            }
            Err(e) => panic!("{}: {e}", g.name),
        };
        let v = schema::compile(&merged)
            .unwrap_or_else(|e| panic!("{}: merged does not compile: {e:?}\n{merged:#}", g.name));
        for x in &g.instances {
            assert_eq!(v.is_valid(x), valid(&g.schema, x), "{}: instance {x}\nmerged: {merged:#}", g.name);
        }
    }
}

#[test]
fn pairwise_merge_is_exact() {
    let (groups, _) = load_groups();
    let n = groups.len();
    let mut pairs = 0;
    let mut conflicts = 0;
    // Each group meets a fixed pseudo-random selection of others (and itself shifted), so the
    // run is deterministic and covers every file.
    for (i, a) in groups.iter().enumerate() {
        for step in [1usize, 7, 31, 97, 211] {
            let b = &groups[(i * 13 + step) % n];
            pairs += 1;
            let instances: Vec<&Value> = a.instances.iter().chain(&b.instances).collect();
            let expected: Vec<bool> =
                instances.iter().map(|x| valid(&a.schema, x) && valid(&b.schema, x)).collect();
            match schema::merge(&[Arc::clone(&a.doc), Arc::clone(&b.doc)], MergeOptions::default()) {
                Ok(m) => {
                    let v = schema::compile(&m.schema).unwrap_or_else(|e| {
                        panic!("{} + {}: merged does not compile: {e:?}\n{:#}", a.name, b.name, m.schema)
                    });
                    for (x, want) in instances.iter().zip(&expected) {
                        assert_eq!(
                            v.is_valid(x),
                            *want,
                            "{} + {}: instance {x}\nmerged: {:#}",
                            a.name,
                            b.name,
                            m.schema
                        );
                    }
                }
                Err(MergeError::Unsatisfiable(u)) => {
                    conflicts += 1;
                    assert!(
                        !expected.iter().any(|w| *w),
                        "{} + {}: conflict {u} reported, but an instance satisfies both",
                        a.name,
                        b.name
                    );
                }
                Err(e) => panic!("{} + {}: {e}", a.name, b.name),
            }
        }
    }
    eprintln!("{pairs} pairs, {conflicts} conflicts");
    assert!(pairs > 1500, "only {pairs} pairs");
    assert!(conflicts > 10, "only {conflicts} conflicts: the detection is not exercised");
}

/// Every group as the *later* document of a merge whose first document accepts everything
/// but uses the same applicators. The group is nested in an `anyOf` of its own document
/// (its `$defs` and `$id` stay at the root, its references are rewritten to the new places),
/// so that the whole group, references included, is copied into the output's `allOf` rather
/// than flattened, and every `$ref` it holds must be rewritten to a hoisted definition. The
/// output must accept exactly what the nested group accepts, and merge again (no `$ref` left
/// dangling).
#[test]
fn a_later_document_keeps_its_references() {
    let carrier = serde_json::json!({
        "anyOf": [true], "oneOf": [true], "not": false, "if": true, "then": true,
        "contains": true, "minContains": 0
    });
    let carrier = Arc::new(Document::new(carrier, Origin::document("carrier"), "carrier").unwrap());
    let (groups, _) = load_groups();
    let mut checked = 0;
    for g in &groups {
        let nested = nested_in_any_of(&g.schema);
        let Ok(doc) = Document::new(nested.clone(), Origin::document(&g.name), "nested") else {
            continue;
        };
        if schema::compile(&nested).is_err() {
            continue;
        }
        checked += 1;
        let docs = [Arc::clone(&carrier), Arc::new(doc)];
        let merged = match schema::merge(&docs, MergeOptions::default()) {
            Ok(m) => m.schema,
            Err(MergeError::Unsatisfiable(_)) => {
                assert!(g.instances.iter().all(|x| !valid(&nested, x)), "{}: a false conflict", g.name);
                continue;
            }
            Err(e) => panic!("{}: {e}", g.name),
        };
        for x in &g.instances {
            assert_eq!(valid(&merged, x), valid(&nested, x), "{}: instance {x}\nmerged: {merged:#}", g.name);
        }
        let doc = Document::new(merged.clone(), Origin::document("merged"), "m")
            .unwrap_or_else(|e| panic!("{}: the output is not a document: {e}\n{merged:#}", g.name));
        let again = schema::merge(&[Arc::new(doc)], MergeOptions::default())
            .unwrap_or_else(|e| panic!("{}: the output does not merge again: {e}", g.name));
        for x in &g.instances {
            assert_eq!(valid(&again.schema, x), valid(&nested, x), "{}: merged again, instance {x}", g.name);
        }
    }
    assert!(checked > 300, "only {checked} groups nest");
}

/// `{"anyOf": [schema]}` with the schema's `$defs`, `$id` and `$schema` kept at the root and
/// its pointer references (`#/properties/…`) moved under `#/anyOf/0`.
fn nested_in_any_of(schema: &Value) -> Value {
    let Value::Object(obj) = schema else {
        return serde_json::json!({ "anyOf": [schema] });
    };
    let mut root = serde_json::Map::new();
    let mut inner = obj.clone();
    for kw in ["$defs", "$id", "$schema"] {
        if let Some(v) = inner.remove(kw) {
            root.insert(kw.to_owned(), v);
        }
    }
    let mut inner = Value::Object(inner);
    move_refs(&mut inner);
    root.insert("anyOf".into(), Value::Array(vec![inner]));
    Value::Object(root)
}

fn move_refs(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            for (k, sub) in obj.iter_mut() {
                match sub {
                    Value::String(r) if k == "$ref" && r.starts_with("#/") && !r.starts_with("#/$defs") => {
                        *r = format!("#/anyOf/0{}", &r[1..]);
                    }
                    _ => move_refs(sub),
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(move_refs),
        _ => {}
    }
}
