//! Invariant 1 where references are involved: every placement of `$ref`, `$defs` and
//! `$anchor` the loader accepts, in the first document and in a later one.
//!
//! A later document's keywords that cannot be flattened are copied into the output's
//! `allOf`; every `$ref` they hold must be rewritten to a definition hoisted into the
//! output's `$defs`. Left as written, `"#"` points at the merged root instead of its own
//! document (the merge then accepts what both inputs reject), and `#/$defs/D0` points at
//! nothing (the output cannot be merged or compiled again).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::sync::Arc;

use onething::schema::{self, Document, MergeError, MergeOptions, Origin};
use serde_json::{Value, json};

/// Pairs (first document, later document) that each put a reference somewhere the merge
/// copies or follows it.
fn shapes() -> Vec<(&'static str, Value, Value)> {
    vec![
        (
            "self-reference under a later document's oneOf",
            json!({"oneOf": [{"type": "object"}]}),
            json!({"oneOf": [{"type": "string"}, {"properties": {"x": {"not": {"$ref": "#"}}}}]}),
        ),
        (
            "definition referred to from a later document's oneOf",
            json!({"oneOf": [{}]}),
            json!({"oneOf": [{"$ref": "#/$defs/D0"}, {"type": "string"}], "$defs": {"D0": {"type": "integer"}}}),
        ),
        (
            "anchor referred to from a later document's anyOf",
            json!({"anyOf": [{"type": ["integer", "string", "object"]}]}),
            json!({"anyOf": [{"$ref": "#int"}, {"type": "string"}],
                   "$defs": {"i": {"$anchor": "int", "type": "integer"}}}),
        ),
        (
            "reference under a later document's not",
            json!({"not": {"type": "null"}}),
            json!({"not": {"$ref": "#/$defs/S"}, "$defs": {"S": {"type": "string"}}}),
        ),
        (
            "references under a later document's if/then/else",
            json!({"if": {"type": "integer"}, "then": {"minimum": 0}}),
            json!({"if": {"$ref": "#/$defs/I"}, "then": {"$ref": "#/$defs/T"}, "else": {"properties": {"x": {"$ref": "#"}}},
                   "$defs": {"I": {"type": "object"}, "T": {"required": ["x"]}}}),
        ),
        (
            "reference under a later document's contains",
            json!({"contains": {}}),
            json!({"contains": {"$ref": "#/$defs/C"}, "minContains": 2, "$defs": {"C": {"type": "integer"}}}),
        ),
        (
            "reference under a later document's patternProperties",
            json!({"patternProperties": {"^a": {}}}),
            json!({"patternProperties": {"^a": {"$ref": "#/$defs/P"}}, "properties": {"$ref": {"type": "integer"}},
                   "$defs": {"P": {"type": "string"}}}),
        ),
        (
            "reference beside unevaluatedProperties",
            json!({"properties": {"y": {"type": "integer"}}}),
            json!({"properties": {"x": {"$ref": "#/$defs/X"}}, "unevaluatedProperties": false,
                   "$defs": {"X": {"type": "integer"}}}),
        ),
        (
            "reference through the document's own $id",
            json!({"oneOf": [{}]}),
            json!({"$id": "https://example.com/b", "oneOf": [{"$ref": "https://example.com/b#/$defs/D"}, {"type": "null"}],
                   "$defs": {"D": {"type": "integer"}}}),
        ),
        (
            "a reference to a reference, in a later document",
            json!({"anyOf": [true]}),
            json!({"anyOf": [{"$ref": "#/$defs/A"}], "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"type": "boolean"}}}),
        ),
        (
            "escaped and percent-encoded definition names",
            json!({"oneOf": [{}]}),
            json!({"oneOf": [{"$ref": "#/$defs/a~1b"}, {"$ref": "#/$defs/with%20space"}],
                   "$defs": {"a/b": {"type": "integer"}, "with space": {"type": "string"}}}),
        ),
        (
            "a reference under a later document's dependentSchemas",
            json!({"dependentSchemas": {"x": {}}}),
            json!({"dependentSchemas": {"x": {"$ref": "#/$defs/D"}}, "$defs": {"D": {"required": ["y"]}}}),
        ),
        (
            "self-references under a later document's prefixItems and items",
            json!({"anyOf": [{"type": "array"}, {"type": "object"}]}),
            json!({"anyOf": [{"prefixItems": [{"$ref": "#"}], "items": {"$ref": "#/$defs/N"}}, {"type": "object"}],
                   "$defs": {"N": {"type": "integer"}}}),
        ),
        (
            "data that looks like a reference is data",
            json!({"oneOf": [{}]}),
            json!({"oneOf": [{"const": {"$ref": "#/nowhere"}}, {"enum": [{"$ref": "#"}, 5]}],
                   "default": {"$ref": "#/nowhere"}}),
        ),
        (
            "both documents refer to definitions of the same name",
            json!({"oneOf": [{"$ref": "#/$defs/D"}], "$defs": {"D": {"type": ["integer", "string"]}}}),
            json!({"oneOf": [{"$ref": "#/$defs/D"}, {"type": "null"}], "$defs": {"D": {"type": "integer"}}}),
        ),
    ]
}

/// Instances that tell the shapes apart: every type, and objects and arrays nesting the
/// properties the shapes name.
fn instances() -> Vec<Value> {
    let mut xs = vec![
        json!(null),
        json!(true),
        json!(0),
        json!(5),
        json!(-1),
        json!(1.5),
        json!(""),
        json!("s"),
        json!([]),
        json!([1]),
        json!([1, 2]),
        json!(["a", 2, 3]),
        json!([[1], 2]),
        json!([{}, 7]),
        json!({}),
        json!({"$ref": "#/nowhere"}),
        json!({"$ref": "#"}),
        json!({"$ref": 1}),
    ];
    for v in [json!(5), json!("s"), json!(null), json!({}), json!({"x": 5}), json!({"x": "s"})] {
        xs.push(json!({ "x": v.clone() }));
        xs.push(json!({ "x": v.clone(), "y": 1 }));
        xs.push(json!({ "a": v.clone() }));
        xs.push(json!({ "ab": v.clone(), "y": 2 }));
        xs.push(json!({ "y": v }));
    }
    xs
}

fn doc(v: &Value, name: &str) -> Arc<Document> {
    Arc::new(Document::new(v.clone(), Origin::document(name), name).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn valid(s: &Value, x: &Value) -> bool {
    schema::compile(s).unwrap_or_else(|e| panic!("does not compile: {e:?}\n{s:#}")).is_valid(x)
}

/// Merges `schemas` and checks the result against each of them on every instance, then
/// merges the output again (a dangling `$ref` fails there) and checks that too.
fn assert_exact(what: &str, schemas: &[&Value]) {
    let docs: Vec<_> = schemas.iter().enumerate().map(|(i, s)| doc(s, &format!("s{i}"))).collect();
    let xs = instances();
    let want: Vec<bool> = xs.iter().map(|x| schemas.iter().all(|s| valid(s, x))).collect();
    let merged = match schema::merge(&docs, MergeOptions::default()) {
        Ok(m) => m.schema,
        Err(MergeError::Unsatisfiable(u)) => {
            assert!(!want.iter().any(|w| *w), "{what}: conflict {u} reported, but an instance satisfies all");
            return;
        }
        Err(e) => panic!("{what}: {e}"),
    };
    for (x, w) in xs.iter().zip(&want) {
        assert_eq!(valid(&merged, x), *w, "{what}: instance {x}\nmerged: {merged:#}");
    }
    let again = schema::merge(&[doc(&merged, "merged")], MergeOptions::default())
        .unwrap_or_else(|e| panic!("{what}: the output does not merge again: {e}\nmerged: {merged:#}"));
    for (x, w) in xs.iter().zip(&want) {
        assert_eq!(valid(&again.schema, x), *w, "{what}: merged again, instance {x}\n{:#}", again.schema);
    }
}

#[test]
fn the_issue_shapes_are_exact() {
    // The two reported cases, spelled out: the later document rejects `{"x": 5}`.
    let (_, a, b) = &shapes()[0];
    assert!(valid(a, &json!({"x": 5})) && !valid(b, &json!({"x": 5})));
    let merged = schema::merge(&[doc(a, "a"), doc(b, "b")], MergeOptions::default()).unwrap().schema;
    assert!(!valid(&merged, &json!({"x": 5})), "{merged:#}");

    let (_, a, b) = &shapes()[1];
    let merged = schema::merge(&[doc(a, "a"), doc(b, "b")], MergeOptions::default()).unwrap().schema;
    schema::merge(&[doc(&merged, "merged")], MergeOptions::default()).unwrap();
}

#[test]
fn every_reference_placement_is_exact_in_either_order() {
    for (what, a, b) in shapes() {
        assert_exact(&format!("{what} (a, b)"), &[&a, &b]);
        assert_exact(&format!("{what} (b, a)"), &[&b, &a]);
        assert_exact(&format!("{what} (a, b, b)"), &[&a, &b, &b]);
        assert_exact(&format!("{what} (b alone)"), &[&b]);
    }
}
