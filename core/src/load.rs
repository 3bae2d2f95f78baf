//! Reading bundles: from a directory, or from one packed JSON document.
//!
//! A bundle **directory** holds `bundle.json`; each item's `schema` there is the file name of
//! the department's schema (`seal.schema.json`), and each script may be `{"file":
//! "rules/x.rhai"}`. A **packed** bundle is one JSON document with every schema and script
//! inline — what browsers load. [`load_dir`] reads a directory and inlines everything, so its
//! result serialised is the packed form (`onething pack`).
//!
//! This module is the only place of the crate that touches the file system.
//!
//! ```
//! let packed = r#"{"id": "x", "version": "1", "title": {"zh": "事", "en": "Thing"}, "lead": "d",
//!   "departments": [{"id": "d", "name": {"zh": "部门", "en": "Dept"}}],
//!   "items": [{"id": "i", "title": {"zh": "项", "en": "Item"}, "department": "d",
//!              "schema": {"type": "object"}}]}"#;
//! let bundle = onething::load::from_packed_str(packed).unwrap();
//! assert_eq!(bundle.items.len(), 1);
//! ```

use std::path::{Component, Path};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::bundle::{Bundle, Script};
use crate::error::LoadError;

/// The largest file accepted (32 MiB).
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// Parses JSON text into `T`, naming the line and column of a syntax error and the path of a
/// shape error.
pub fn parse_json<T: DeserializeOwned>(text: &str, name: &str) -> Result<T, LoadError> {
    let value: Value = serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: name.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    from_value(value, name)
}

/// [`parse_json`] for text read once per call (a submission): one pass from text to `T`,
/// and only text that fails is read again by [`parse_json`] to say where.
///
/// [`parse_json`] builds a `serde_json::Value` first and tracks the path of every value
/// on the way: every map is built twice and every key copied into the path tracker, which
/// was most of what `onething batch` spent reading a submission. It stays the path for
/// everything else: a second instantiation of each type's deserialiser costs WebAssembly
/// size, so only the hot type gets one.
pub(crate) fn parse_json_once<T: DeserializeOwned>(text: &str, name: &str) -> Result<T, LoadError> {
    serde_json::from_str(text).or_else(|_| parse_json(text, name))
}

fn from_value<T: DeserializeOwned>(value: Value, name: &str) -> Result<T, LoadError> {
    serde_path_to_error::deserialize(value).map_err(|e| LoadError::Format {
        path: name.to_owned(),
        at: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Reads a packed bundle from JSON text.
pub fn from_packed_str(text: &str) -> Result<Bundle, LoadError> {
    let mut bundle: Bundle = parse_json(text, "bundle")?;
    check_packed(&mut bundle)?;
    Ok(bundle)
}

/// Reads a packed bundle from a JSON value.
pub fn from_packed_value(value: Value) -> Result<Bundle, LoadError> {
    let mut bundle: Bundle = from_value(value, "bundle")?;
    check_packed(&mut bundle)?;
    Ok(bundle)
}

fn check_packed(bundle: &mut Bundle) -> Result<(), LoadError> {
    let not_inline = |at: String, what: &str| LoadError::Format {
        path: "bundle".into(),
        at,
        message: format!(
            "a packed bundle must carry the {what} inline; run `onething pack` on the bundle directory"
        ),
    };
    for (i, item) in bundle.items.iter().enumerate() {
        if item.schema.is_string() {
            return Err(not_inline(format!("items[{i}].schema"), "schema"));
        }
    }
    for (at, script) in scripts_mut(bundle) {
        if script.file.is_some() {
            return Err(not_inline(at, "script"));
        }
    }
    Ok(())
}

/// Reads a bundle directory and inlines every schema and script file.
pub fn load_dir(dir: &Path) -> Result<Bundle, LoadError> {
    let manifest = dir.join("bundle.json");
    let name = manifest.display().to_string();
    let mut bundle: Bundle = parse_json(&read(&manifest)?, &name)?;
    for (i, item) in bundle.items.iter_mut().enumerate() {
        if let Value::String(file) = &item.schema {
            let at = format!("items[{i}].schema");
            let path = inside(dir, file, &name, &at)?;
            let text = read(&path)?;
            item.schema = serde_json::from_str(&text).map_err(|e| LoadError::Syntax {
                path: path.display().to_string(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        }
    }
    for (at, script) in scripts_mut(&mut bundle) {
        if let Some(file) = script.file.take() {
            if script.script.is_some() {
                return Err(LoadError::Format {
                    path: name,
                    at,
                    message: "give `script` or `file`, not both".into(),
                });
            }
            script.script = Some(read(&inside(dir, &file, &name, &at)?)?);
        }
    }
    Ok(bundle)
}

/// Joins a file name given in `bundle.json` to the directory, refusing names that leave it.
fn inside(dir: &Path, file: &str, manifest: &str, at: &str) -> Result<std::path::PathBuf, LoadError> {
    let rel = Path::new(file);
    let escapes = rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if file.is_empty() || escapes {
        return Err(LoadError::Format {
            path: manifest.to_owned(),
            at: at.to_owned(),
            message: format!("`{file}` must be a relative path inside the bundle directory"),
        });
    }
    Ok(dir.join(rel))
}

fn read(path: &Path) -> Result<String, LoadError> {
    let io = |e: std::io::Error| LoadError::Io { path: path.display().to_string(), message: e.to_string() };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.display().to_string(),
            bytes: len,
            limit: MAX_FILE_BYTES,
        });
    }
    std::fs::read_to_string(path).map_err(io)
}

/// Every script of a bundle with its location, in bundle order.
fn scripts_mut(bundle: &mut Bundle) -> Vec<(String, &mut Script)> {
    let mut out = Vec::new();
    for (i, rule) in bundle.rules.iter_mut().enumerate() {
        out.push((format!("rules[{i}]"), &mut rule.source));
    }
    if let Some(policy) = &mut bundle.acceptance.policy {
        out.push(("acceptance.policy".to_owned(), &mut policy.source));
    }
    for (i, d) in bundle.derive.iter_mut().enumerate() {
        out.push((format!("derive[{i}]"), &mut d.source));
    }
    for (key, field) in bundle.fields.iter_mut() {
        if let Some(c) = &mut field.visible_if {
            out.push((format!("fields.{key}.visible_if"), &mut c.source));
        }
    }
    for (i, item) in bundle.items.iter_mut().enumerate() {
        if let Some(c) = &mut item.applies_if {
            out.push((format!("items[{i}].applies_if"), &mut c.source));
        }
        for (j, rule) in item.eligibility.iter_mut().enumerate() {
            out.push((format!("items[{i}].eligibility[{j}]"), &mut rule.source));
        }
        for (j, m) in item.materials.iter_mut().enumerate() {
            if let Some(c) = &mut m.required_if {
                out.push((format!("items[{i}].materials[{j}].required_if"), &mut c.source));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    /// A bundle directory in the system's temporary directory, removed on drop.
    struct Dir(std::path::PathBuf);

    impl Dir {
        fn new(name: &str, files: &[(&str, &str)]) -> Dir {
            let dir = std::env::temp_dir().join(format!("onething-load-{}-{name}", std::process::id()));
            for (file, text) in files {
                let path = dir.join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            Dir(dir)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const MANIFEST: &str = r#"{"id": "b", "version": "1", "title": {"zh": "事", "en": "Thing"}, "lead": "d",
        "departments": [{"id": "d", "name": {"zh": "部门", "en": "Dept"}}],
        "fields": {"shop.url": {"title": {"zh": "网址", "en": "URL"},
                                "visible_if": {"title": {"zh": "网店", "en": "Online"}, "file": "rules/online.rhai"}}},
        "items": [{"id": "i", "title": {"zh": "项", "en": "Item"}, "department": "d", "schema": "i.schema.json",
                   "applies_if": {"title": {"zh": "总是", "en": "Always"}, "file": "rules/always.rhai"}}]}"#;

    #[test]
    fn every_script_file_is_inlined_visibility_rules_too() {
        let dir = Dir::new(
            "inline",
            &[
                ("bundle.json", MANIFEST),
                ("i.schema.json", r#"{"type": "object", "properties": {"url": {"type": "string"}}}"#),
                ("rules/online.rhai", "form[\"shop.online\"] == true"),
                ("rules/always.rhai", "true"),
            ],
        );
        let bundle = load_dir(&dir.0).unwrap();
        let visible = &bundle.fields["shop.url"].visible_if.as_ref().unwrap().source;
        assert_eq!(visible.script.as_deref(), Some("form[\"shop.online\"] == true"));
        assert_eq!(visible.file, None);
        let applies = &bundle.items[0].applies_if.as_ref().unwrap().source;
        assert_eq!(applies.script.as_deref(), Some("true"));
        // Packed, it is accepted as a packed bundle.
        from_packed_value(serde_json::to_value(&bundle).unwrap()).unwrap();
    }

    #[test]
    fn a_missing_visibility_rule_file_is_named() {
        let dir = Dir::new(
            "missing",
            &[("bundle.json", MANIFEST), ("i.schema.json", "{}"), ("rules/always.rhai", "true")],
        );
        let e = load_dir(&dir.0).unwrap_err();
        assert!(matches!(&e, LoadError::Io { path, .. } if path.ends_with("online.rhai")), "{e:?}");
    }

    #[test]
    fn a_packed_bundle_must_inline_visibility_rules() {
        let mut bundle: Value = serde_json::from_str(MANIFEST).unwrap();
        bundle["items"][0]["schema"] = serde_json::json!({});
        bundle["items"][0]["applies_if"] =
            serde_json::json!({"title": {"zh": "总是", "en": "Always"}, "script": "true"});
        let e = from_packed_value(bundle).unwrap_err();
        assert!(matches!(&e, LoadError::Format { at, .. } if at == "fields.shop.url.visible_if"), "{e:?}");
    }
}
