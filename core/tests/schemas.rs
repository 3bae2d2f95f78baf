//! The JSON Schemas in `schemas/` are generated from the Rust types; this test fails when
//! one is stale. Rewrite them with `UPDATE_SCHEMAS=1 cargo test -p onething --test schemas`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::Path;

#[test]
fn checked_in_schemas_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, schema) in onething::schemas::all() {
        let path = dir.join(format!("{name}.schema.json"));
        let fresh = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &fresh).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas: {stale:?}; run `UPDATE_SCHEMAS=1 cargo test -p onething --test schemas`"
    );
}

#[test]
fn generated_schemas_are_valid_draft_2020_12() {
    for (name, schema) in onething::schemas::all() {
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{name}");
        onething::schema::compile(&schema).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
}
