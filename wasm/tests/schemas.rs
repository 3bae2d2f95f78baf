//! JSON Schemas of outputs the package returns that `schemas/` does not cover yet (the
//! prefill), written to `bindings/js/schemas/` for the TypeScript generator
//! (`bindings/js/scripts/types.mjs`). Generated exactly as `onething::schemas` generates
//! the others; the test fails when a file is stale, and `UPDATE_SCHEMAS=1 cargo test -p
//! onething-wasm --test schemas` rewrites them. When the core lists the prefill in
//! `onething::schemas::all()`, this file goes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;

use schemars::{JsonSchema, generate::SchemaSettings};
use serde_json::Value;

fn schema_of<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    serde_json::to_value(generator.into_root_schema_for::<T>()).unwrap()
}

/// The schemas, by file stem.
fn extra() -> Vec<(&'static str, Value)> {
    vec![("prefill", schema_of::<onething::prefill::Prefill>())]
}

#[test]
fn extra_schemas_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bindings/js/schemas");
    for (name, schema) in extra() {
        let path = dir.join(format!("{name}.schema.json"));
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            old == text,
            "{} is stale: UPDATE_SCHEMAS=1 cargo test -p onething-wasm --test schemas",
            path.display()
        );
    }
}
