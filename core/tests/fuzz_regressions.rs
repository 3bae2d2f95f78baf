//! Inputs the fuzz targets (`fuzz/`) found, kept as ordinary tests so that a fixed defect
//! stays fixed on stable Rust. Each test names its target and repeats the target's check on
//! the minimised input; README.md ("Fuzzing") says how to add one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::sync::Arc;

use onething::schema::{self, Document, MergeOptions, Origin};
use serde_json::{Value, json};

fn doc(v: &Value, name: &str) -> Arc<Document> {
    Arc::new(Document::new(v.clone(), Origin::document(name), name).unwrap())
}

fn valid(schema: &Value, x: &Value) -> bool {
    schema::compile(schema).unwrap_or_else(|e| panic!("does not compile: {e:?}\n{schema}")).is_valid(x)
}

/// The `merge` target's check: the merge of `a` and `b` accepts exactly what both accept
/// (on `instances`), and merging the merged schema again works and accepts the same.
fn merge_is_exact(a: Value, b: Value, instances: &[Value]) {
    let merged = schema::merge(&[doc(&a, "a"), doc(&b, "b")], MergeOptions::default())
        .unwrap_or_else(|e| panic!("merge fails: {e}"))
        .schema;
    for x in instances {
        let want = valid(&a, x) && valid(&b, x);
        assert_eq!(valid(&merged, x), want, "instance {x}: both inputs accept it: {want}\nmerged: {merged}");
    }
    let again = Document::new(merged.clone(), Origin::document("merged"), "m")
        .unwrap_or_else(|e| panic!("merged schema is not a valid document: {e}\nmerged: {merged}"));
    let remerged = schema::merge(&[Arc::new(again)], MergeOptions::default())
        .unwrap_or_else(|e| panic!("re-merging the merged schema fails: {e}\nmerged: {merged}"))
        .schema;
    for x in instances {
        let want = valid(&a, x) && valid(&b, x);
        assert_eq!(valid(&remerged, x), want, "instance {x} after re-merging\nre-merged: {remerged}");
    }
}

/// `merge`, fuzz/seeds/merge/known-1-oneof-not-ref: a `$ref` to the root of `b` under
/// `not`, inside a `oneOf` branch, must keep meaning `b` alone after the merge (both inputs
/// refuse `{"x": 5}`).
#[test]
fn merge_keeps_a_root_ref_under_not_meaning_its_own_document() {
    merge_is_exact(
        json!({"oneOf": [{"type": "object"}]}),
        json!({"oneOf": [{"type": "string"}, {"properties": {"x": {"not": {"$ref": "#"}}}}]}),
        &[json!({"x": 5}), json!({"x": null}), json!({"x": "s"}), json!({}), json!("s"), json!(5)],
    );
}

/// `merge`, fuzz/seeds/merge/known-2-dangling-ref: a `$ref` to `$defs` inside a flattened
/// `oneOf` must still resolve in the output (its definition was left behind).
#[test]
fn merge_keeps_the_definitions_a_flattened_one_of_refers_to() {
    merge_is_exact(
        json!({"oneOf": [{}]}),
        json!({"oneOf": [{"$ref": "#/$defs/D0"}, {"type": "string"}], "$defs": {"D0": {"type": "integer"}}}),
        &[json!(1), json!("s"), json!(1.5), json!(null)],
    );
}

/// `merge`, found by the grammar form in about 25 s (the same defect as the test above,
/// reduced by `cargo fuzz tmin`): a single-branch `oneOf` whose branch is a `$ref`.
#[test]
fn merge_keeps_the_definition_of_a_single_ref_branch() {
    merge_is_exact(
        json!({"oneOf": [true]}),
        json!({"oneOf": [{"$ref": "#/$defs/D0"}], "$defs": {"D0": true}}),
        &[json!(1), json!("s"), json!(null)],
    );
}
