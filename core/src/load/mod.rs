//! Reading bundles: from a directory, or from one packed JSON document.
//!
//! A bundle **directory** holds `bundle.json`; each item's `schema` there is the file name of
//! the department's schema (`seal.schema.json`), and each script may be `{"file":
//! "rules/x.rhai"}`. A **packed** bundle is one JSON document with every schema and script
//! inline — what browsers load. [`load_dir`] reads a directory and inlines everything, so its
//! result serialised is the packed form (`onething pack`); [`load_files`] does the same for a
//! directory held in memory. An inlined script remembers its file (`Script::read_from`), so
//! compile problems name it. A script file that does not exist (misspelt, say) does not stop
//! loading: the script stays named and unread (`Script::unreadable`, with the nearest file
//! name), and compiling reports it at its rule beside every other problem of the bundle. A
//! missing schema file, a file leading outside the directory, an oversized or binary file
//! stop loading with an error naming the file.
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

pub mod cases;

use std::collections::BTreeMap;
use std::path::{Component, Path};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::base::json;
use crate::base::suggest::closest;
use crate::model::bundle::{Bundle, Script};
use crate::model::error::LoadError;

/// The largest file accepted (32 MiB).
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// Parses JSON text into `T`, naming the line and column of a syntax error and the path of a
/// shape error. Stricter than `serde_json`: a leading byte-order mark is dropped, a duplicate
/// key is a syntax error, and a struct must be a JSON object.
pub fn parse_json<T: DeserializeOwned>(text: &str, name: &str) -> Result<T, LoadError> {
    json::parse(text).map_err(|e| LoadError::json(name, e))
}

/// Reads a packed bundle from JSON text.
pub fn from_packed_str(text: &str) -> Result<Bundle, LoadError> {
    let mut bundle: Bundle = parse_json(text, "bundle")?;
    check_packed(&mut bundle)?;
    Ok(bundle)
}

/// Reads a packed bundle from a JSON value.
pub fn from_packed_value(value: Value) -> Result<Bundle, LoadError> {
    let mut bundle: Bundle = json::from_value(value).map_err(|e| LoadError::json("bundle", e))?;
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
///
/// Only regular files are read (a named pipe would block, a device never end), and only
/// files whose real path — every symbolic link resolved — is inside the directory's real
/// path: a link to a file elsewhere would otherwise be embedded by `onething pack`. Links that
/// stay inside the directory are followed.
pub fn load_dir(dir: &Path) -> Result<Bundle, LoadError> {
    let root = dir
        .canonicalize()
        .map_err(|e| LoadError::Io { path: dir.display().to_string(), message: e.to_string() })?;
    let manifest = dir.join("bundle.json");
    let name = manifest.display().to_string();
    let bundle: Bundle = parse_json(&read_inside(&root, &manifest)?, &name)?;
    inline_files(
        bundle,
        &name,
        |file| {
            let path = dir.join(file);
            Ok((path.display().to_string(), read_inside(&root, &path)?))
        },
        // Not even a dangling link: `read_inside` refuses what exists but may not be read.
        |file| dir.join(file).symlink_metadata().is_ok(),
        |file| files_beside(dir, file),
    )
}

/// The names of the files in the folder of `file` (a name relative to `dir`), as `bundle.json`
/// would write them: the candidates of a "did you mean" for a misspelt file.
fn files_beside(dir: &Path, file: &str) -> Vec<String> {
    let folder = Path::new(file).parent().unwrap_or(Path::new(""));
    let Ok(entries) = std::fs::read_dir(dir.join(folder)) else { return Vec::new() };
    // A folder of thousands of files is not read whole for a suggestion.
    let names = entries.take(1_000).filter_map(|e| e.ok()?.file_name().into_string().ok());
    let folder = folder.to_string_lossy();
    names.map(|n| if folder.is_empty() { n } else { format!("{folder}/{n}") }).collect()
}

/// Reads `path`, a file of the bundle directory whose real path is `root`: refused unless
/// it resolves inside `root` and is a regular file, both checked before it is opened.
pub(crate) fn read_inside(root: &Path, path: &Path) -> Result<String, LoadError> {
    let refuse = |message: String| LoadError::Io { path: path.display().to_string(), message };
    let real = path.canonicalize().map_err(|e| refuse(e.to_string()))?;
    if !real.starts_with(root) {
        return Err(refuse(format!(
            "resolves to {}, outside the bundle directory {}; a bundle reads only its own files",
            real.display(),
            root.display()
        )));
    }
    let kind = std::fs::metadata(&real).map_err(|e| refuse(e.to_string()))?.file_type();
    if !kind.is_file() {
        return Err(refuse(format!(
            "{} is not a regular file; a bundle reads only regular files",
            kind_of(kind)
        )));
    }
    read_named(&real, path)
}

/// What a file that is not a regular file is, for messages.
fn kind_of(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() { "a directory" } else { "it" }
}

/// Reads a bundle directory held in memory — file names relative to the directory
/// (`bundle.json`, `seal.schema.json`, `rules/x.rhai`) to their text — as [`load_dir`] reads
/// the same files from disk. For hosts without a file system: the rules playground, a
/// bundle editor in a browser.
///
/// ```
/// use std::collections::BTreeMap;
/// let files = BTreeMap::from([
///     ("bundle.json".to_owned(), r#"{"id": "x", "version": "1", "title": {"zh": "事", "en": "Thing"},
///       "lead": "d", "departments": [{"id": "d", "name": {"zh": "部门", "en": "Dept"}}],
///       "items": [{"id": "i", "title": {"zh": "项", "en": "Item"}, "department": "d",
///                  "schema": "i.schema.json",
///                  "applies_if": {"file": "rules/always.rhai"}}]}"#.to_owned()),
///     ("i.schema.json".to_owned(), r#"{"type": "object"}"#.to_owned()),
///     ("rules/always.rhai".to_owned(), "true".to_owned()),
/// ]);
/// let bundle = onething::load::load_files(&files)?;
/// assert_eq!(bundle.items[0].applies_if.as_ref().unwrap().source.script.as_deref(), Some("true"));
/// # Ok::<(), onething::LoadError>(())
/// ```
pub fn load_files(files: &BTreeMap<String, String>) -> Result<Bundle, LoadError> {
    const MANIFEST: &str = "bundle.json";
    let file = |name: &str| -> Result<(String, String), LoadError> {
        let text = files.get(name).ok_or_else(|| LoadError::Io {
            path: name.to_owned(),
            message: "no such file in the bundle".into(),
        })?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(LoadError::TooLarge {
                path: name.to_owned(),
                bytes: text.len() as u64,
                limit: MAX_FILE_BYTES,
            });
        }
        Ok((name.to_owned(), json::strip_bom(text).to_owned()))
    };
    let bundle: Bundle = parse_json(&file(MANIFEST)?.1, MANIFEST)?;
    inline_files(bundle, MANIFEST, file, |name| files.contains_key(name), |_| files.keys().cloned().collect())
}

/// Inlines every schema and script file `bundle` names; `read` gives a file's name for
/// messages and its text. `manifest` names `bundle.json` in messages.
fn inline_files(
    mut bundle: Bundle,
    manifest: &str,
    mut read: impl FnMut(&str) -> Result<(String, String), LoadError>,
    exists: impl Fn(&str) -> bool,
    beside: impl Fn(&str) -> Vec<String>,
) -> Result<Bundle, LoadError> {
    for (i, item) in bundle.items.iter_mut().enumerate() {
        if let Value::String(file) = &item.schema {
            let file = file.clone();
            let at = format!("items[{i}].schema");
            let (path, text) = read(inside(&file, manifest, &at)?).map_err(|e| named_by(e, manifest, &at))?;
            item.schema = json::unique::parse(&text).map_err(|e| LoadError::json(&path, json::syntax(&e)))?;
            item.schema_file = Some(file);
        }
    }
    for (at, script) in scripts_mut(&mut bundle) {
        if let Some(file) = script.file.take() {
            if script.script.is_some() {
                return Err(LoadError::Format {
                    path: manifest.to_owned(),
                    at,
                    message: "give `script` or `file`, not both".into(),
                });
            }
            // A script file that does not exist (misspelt, say) is one problem among the
            // bundle's others: compiling reports it at its rule, with the rest. Any other
            // failure (a file leading outside the bundle, too large, not text) stops here.
            let name = inside(&file, manifest, &at)?;
            if exists(name) {
                script.script = Some(read(name).map_err(|e| named_by(e, manifest, &at))?.1);
            } else {
                let files = beside(name);
                let hint = closest(name, files.iter().map(String::as_str), 3)
                    .map(|f| format!("; did you mean `{f}`?"))
                    .unwrap_or_default();
                script.unreadable = Some(format!("{name}: no such file in the bundle{hint}"));
                script.file = Some(file.clone());
            }
            script.read_from = Some(file);
        }
    }
    Ok(bundle)
}

/// A file `bundle.json` names at `at` that cannot be read (it does not exist, say): the
/// error names that place, so that a misspelt rule file says which rule it is for.
fn named_by(e: LoadError, manifest: &str, at: &str) -> LoadError {
    match e {
        LoadError::Io { path, message } => {
            LoadError::Io { path, message: format!("{message} (named at {at} in {manifest})") }
        }
        other => other,
    }
}

/// A file name given in `bundle.json`, refused when it would leave the bundle directory.
fn inside<'f>(file: &'f str, manifest: &str, at: &str) -> Result<&'f str, LoadError> {
    let escapes =
        Path::new(file).components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if file.is_empty() || escapes {
        return Err(LoadError::Format {
            path: manifest.to_owned(),
            at: at.to_owned(),
            message: format!("`{file}` must be a relative path inside the bundle directory"),
        });
    }
    Ok(file)
}

/// Reads a text file of at most [`MAX_FILE_BYTES`], a leading UTF-8 byte-order mark
/// dropped. A larger file is refused without being read whole, and so is an input that never
/// ends (`/dev/zero`, a pipe), which reports no size beforehand: at most one byte over the
/// limit is ever read. Pipes and devices are read (a command-line argument may be
/// `<(producer)`); the files of a bundle directory are regular files only ([`load_dir`]).
pub fn read_file(path: &Path) -> Result<String, LoadError> {
    read_named(path, path)
}

/// [`read_file`] of `path`, naming `name` in errors.
fn read_named(path: &Path, name: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let name = || name.display().to_string();
    let io = |e: std::io::Error| LoadError::Io { path: name(), message: e.to_string() };
    let too_large = |bytes: u64| LoadError::TooLarge { path: name(), bytes, limit: MAX_FILE_BYTES };
    let file = std::fs::File::open(path).map_err(io)?;
    let declared = file.metadata().map_err(io)?.len();
    if declared > MAX_FILE_BYTES {
        return Err(too_large(declared));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| LoadError::Io {
        path: name(),
        message: format!("not UTF-8 text (from byte {})", e.utf8_error().valid_up_to()),
    })?;
    // Dropped in place: `json::strip_bom` would copy a file of up to 32 MiB.
    if text.starts_with(json::BOM) {
        text.drain(..json::BOM.len_utf8());
    }
    Ok(text)
}

/// Every script of a bundle with its location, in bundle order.
fn scripts_mut(bundle: &mut Bundle) -> Vec<(String, &mut Script)> {
    let mut out = Vec::new();
    for (i, rule) in bundle.rules.iter_mut().enumerate() {
        out.push((format!("rules[{i}]"), &mut rule.source));
    }
    for (i, check) in bundle.checks.iter_mut().enumerate() {
        out.push((format!("checks[{i}]"), &mut check.source));
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
        for (j, check) in item.checks.iter_mut().enumerate() {
            out.push((format!("items[{i}].checks[{j}]"), &mut check.source));
        }
        for (j, rule) in item.obligations.iter_mut().enumerate() {
            out.push((format!("items[{i}].obligations[{j}]"), &mut rule.source));
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

    /// `"$schema"` names the format's JSON Schema for editors: accepted in `bundle.json` and
    /// in a packed bundle, kept by `pack`, and still no other unknown key.
    #[test]
    fn a_bundle_may_name_its_json_schema() {
        let manifest = r#"{"$schema": "../schemas/bundle.schema.json", "id": "x", "version": "1",
            "title": {"zh": "事", "en": "Thing"}, "lead": "d",
            "departments": [{"id": "d", "name": {"zh": "部门", "en": "Dept"}}],
            "items": [{"id": "i", "title": {"zh": "项", "en": "Item"}, "department": "d", "schema": "i.json"}]}"#;
        let dir = Dir::new("schema-uri", &[("bundle.json", manifest), ("i.json", r#"{"type": "object"}"#)]);
        let bundle = load_dir(&dir.0).unwrap();
        assert_eq!(bundle.schema_uri.as_deref(), Some("../schemas/bundle.schema.json"));
        let packed = serde_json::to_string(&bundle).unwrap();
        assert!(packed.starts_with(r#"{"$schema":"../schemas/bundle.schema.json","#), "{packed}");
        assert_eq!(from_packed_str(&packed).unwrap(), bundle);
        let typo = manifest.replace("$schema", "$schmea");
        let e = from_packed_str(&typo.replace("\"i.json\"", r#"{"type": "object"}"#)).unwrap_err();
        assert!(e.to_string().contains("$schmea"), "{e}");
    }

    const MANIFEST: &str = r#"{"id": "b", "version": "1", "title": {"zh": "事", "en": "Thing"}, "lead": "d",
        "departments": [{"id": "d", "name": {"zh": "部门", "en": "Dept"}}],
        "fields": {"shop.url": {"title": {"zh": "网址", "en": "URL"},
                                "visible_if": {"title": {"zh": "网店", "en": "Online"}, "file": "rules/online.rhai"}}},
        "items": [{"id": "i", "title": {"zh": "项", "en": "Item"}, "department": "d", "schema": "i.schema.json",
                   "field_map": {"/url": "shop.url"},
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

    /// `MANIFEST`'s files, in memory.
    fn files(online: &str) -> BTreeMap<String, String> {
        [
            ("bundle.json", MANIFEST),
            ("i.schema.json", r#"{"type": "object", "properties": {"url": {"type": "string"}}}"#),
            ("rules/online.rhai", online),
            ("rules/always.rhai", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn files_in_memory_load_as_the_same_directory_on_disk() {
        let files = files("form[\"shop.online\"] == true");
        let list: Vec<(&str, &str)> = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let dir = Dir::new("same", &list);
        let from_disk = load_dir(&dir.0).unwrap();
        let from_memory = load_files(&files).unwrap();
        assert_eq!(from_memory, from_disk);
        assert_eq!(serde_json::to_value(&from_memory).unwrap(), serde_json::to_value(&from_disk).unwrap());
        let read_from =
            |b: &Bundle| b.fields["shop.url"].visible_if.as_ref().unwrap().source.read_from.clone();
        assert_eq!(read_from(&from_memory).as_deref(), Some("rules/online.rhai"));
        assert_eq!(read_from(&from_disk).as_deref(), Some("rules/online.rhai"));
    }

    #[test]
    fn files_in_memory_missing_escaping_or_oversized_are_named() {
        // A script file that cannot be read loads as named and unread: compiling reports it
        // with the bundle's other problems (see `a_misspelt_rule_file_is_one_problem_among_all`).
        let mut missing = files("true");
        missing.remove("rules/online.rhai");
        let b = load_files(&missing).unwrap();
        let source = &b.fields["shop.url"].visible_if.as_ref().unwrap().source;
        assert_eq!((source.script.as_deref(), source.file.as_deref()), (None, Some("rules/online.rhai")));
        assert!(source.unreadable.as_deref().unwrap().contains("rules/online.rhai"), "{source:?}");
        // Packed, it is refused: a packed bundle has no files.
        assert!(from_packed_value(serde_json::to_value(&b).unwrap()).is_err());
        let mut missing_schema = files("true");
        missing_schema.remove("i.schema.json");
        assert_eq!(load_files(&missing_schema).unwrap_err().path(), "i.schema.json");

        let e = load_files(&BTreeMap::new()).unwrap_err();
        assert_eq!(e.path(), "bundle.json");

        let mut escaping = files("true");
        let manifest = escaping["bundle.json"].replace("rules/online.rhai", "../online.rhai");
        escaping.insert("bundle.json".into(), manifest);
        let e = load_files(&escaping).unwrap_err();
        assert!(e.to_string().contains("must be a relative path inside the bundle directory"), "{e}");

        let mut huge = files("true");
        huge.insert("rules/online.rhai".into(), " ".repeat(MAX_FILE_BYTES as usize + 1));
        assert!(matches!(load_files(&huge).unwrap_err(), LoadError::TooLarge { .. }));

        let mut broken = files("true");
        broken.insert("i.schema.json".into(), "{\n  oops".into());
        let e = load_files(&broken).unwrap_err();
        assert!(matches!(&e, LoadError::Syntax { path, line: 2, .. } if path == "i.schema.json"), "{e:?}");
    }

    #[test]
    fn a_schema_file_of_any_name_is_named_in_provenance_and_problems() {
        let mut files = files("true");
        let schema = files.remove("i.schema.json").unwrap();
        files.insert("forms/seal-v3.json".into(), schema);
        let manifest = files["bundle.json"].replace("\"i.schema.json\"", "\"forms/seal-v3.json\"");
        files.insert("bundle.json".into(), manifest);
        let bundle = load_files(&files).unwrap();
        assert_eq!(bundle.items[0].schema_file.as_deref(), Some("forms/seal-v3.json"));
        // The packed form keeps the name: both give the same merged form.
        let packed = from_packed_str(&serde_json::to_string(&bundle).unwrap()).unwrap();
        let form =
            |b: Bundle| serde_json::to_string(crate::CompiledBundle::compile(b).unwrap().form()).unwrap();
        let (direct, repacked) = (form(bundle), form(packed));
        assert!(direct.contains("\"document\":\"forms/seal-v3.json\""), "{direct}");
        assert_eq!(direct, repacked);

        files.insert("forms/seal-v3.json".into(), r#"{"properties": {"url": 5}}"#.into());
        let e = crate::CompiledBundle::compile(load_files(&files).unwrap()).err().unwrap();
        let json = serde_json::to_value(&e.problems[0]).unwrap();
        assert_eq!(json["origin"]["document"], "forms/seal-v3.json", "{e}");
    }

    #[test]
    fn compile_problems_name_the_script_file() {
        let e = crate::CompiledBundle::compile(load_files(&files("true &&\n  form[\"shop.nope\"]")).unwrap())
            .err()
            .unwrap();
        let text = e.to_string();
        assert!(text.contains("rule `visible_if` at rules/online.rhai:2:8: reads `shop.nope`"), "{text}");
        let broken = crate::CompiledBundle::compile(load_files(&files("let x = ;")).unwrap()).err().unwrap();
        assert!(
            matches!(&broken.problems[0], crate::Problem::Script { file: Some(f), line: 1, .. } if f == "rules/online.rhai"),
            "{broken}"
        );
    }

    #[test]
    fn oversized_endless_and_binary_files_are_refused() {
        let dir = Dir::new("read", &[("bundle.json", "{}")]);
        let big = dir.0.join("big.json");
        std::fs::write(&big, vec![b' '; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(
            matches!(read_file(&big), Err(LoadError::TooLarge { bytes, .. }) if bytes == MAX_FILE_BYTES + 1)
        );
        // A device reports no size and never ends: refused after one byte over the limit.
        if Path::new("/dev/zero").exists() {
            let e = read_file(Path::new("/dev/zero")).unwrap_err();
            assert!(matches!(e, LoadError::TooLarge { .. }), "{e:?}");
        }
        let binary = dir.0.join("binary.json");
        std::fs::write(&binary, b"{\"a\": \"\xff\"}").unwrap();
        let e = read_file(&binary).unwrap_err();
        assert!(e.to_string().contains("not UTF-8 text (from byte 7)"), "{e}");
        assert!(matches!(read_file(&dir.0.join("none.json")), Err(LoadError::Io { .. })));
    }

    /// `MANIFEST`'s files on disk, named `name`; `outside` holds files beyond it.
    #[cfg(unix)]
    fn linked(name: &str) -> (Dir, Dir) {
        let bundle = Dir::new(name, &[("bundle.json", MANIFEST), ("rules/always.rhai", "true")]);
        let outside = Dir::new(
            &format!("{name}-outside"),
            &[
                ("secret.json", r#"{"type": "object", "description": "secret"}"#),
                ("rules/online.rhai", "true"),
            ],
        );
        (bundle, outside)
    }

    #[cfg(unix)]
    fn refused_outside(dir: &Path, file: &str) {
        let e = load_dir(dir).unwrap_err();
        assert!(matches!(&e, LoadError::Io { path, .. } if path.ends_with(file)), "{e:?}");
        assert!(e.to_string().contains("outside the bundle directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_leading_out_of_the_bundle_is_refused() {
        use std::os::unix::fs::symlink;
        let (bundle, outside) = linked("link-file");
        std::fs::write(bundle.0.join("rules/online.rhai"), "true").unwrap();
        symlink(outside.0.join("secret.json"), bundle.0.join("i.schema.json")).unwrap();
        refused_outside(&bundle.0, "i.schema.json");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_folder_leading_out_of_the_bundle_is_refused() {
        use std::os::unix::fs::symlink;
        let (bundle, outside) = linked("link-folder");
        std::fs::write(bundle.0.join("i.schema.json"), "{}").unwrap();
        std::fs::remove_dir_all(bundle.0.join("rules")).unwrap();
        symlink(outside.0.join("rules"), bundle.0.join("rules")).unwrap();
        refused_outside(&bundle.0, "online.rhai");
    }

    #[cfg(unix)]
    #[test]
    fn a_chain_of_symlinks_leading_out_is_refused_and_so_is_a_linked_manifest() {
        use std::os::unix::fs::symlink;
        let (bundle, outside) = linked("link-chain");
        std::fs::write(bundle.0.join("rules/online.rhai"), "true").unwrap();
        // i.schema.json → hop.json (inside) → secret.json (outside).
        symlink(outside.0.join("secret.json"), bundle.0.join("hop.json")).unwrap();
        symlink(bundle.0.join("hop.json"), bundle.0.join("i.schema.json")).unwrap();
        refused_outside(&bundle.0, "i.schema.json");

        std::fs::write(outside.0.join("bundle.json"), MANIFEST).unwrap();
        std::fs::remove_file(bundle.0.join("bundle.json")).unwrap();
        symlink(outside.0.join("bundle.json"), bundle.0.join("bundle.json")).unwrap();
        refused_outside(&bundle.0, "bundle.json");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_staying_inside_the_bundle_is_followed() {
        use std::os::unix::fs::symlink;
        let (bundle, _outside) = linked("link-inside");
        std::fs::write(bundle.0.join("rules/online.rhai"), "true").unwrap();
        std::fs::create_dir_all(bundle.0.join("forms")).unwrap();
        std::fs::write(bundle.0.join("forms/real.json"), r#"{"type": "object"}"#).unwrap();
        symlink("forms/real.json", bundle.0.join("i.schema.json")).unwrap();
        let loaded = load_dir(&bundle.0).unwrap();
        assert_eq!(loaded.items[0].schema, serde_json::json!({"type": "object"}));
        // The bundle directory itself may be reached through a link.
        let alias = bundle.0.with_extension("alias");
        symlink(&bundle.0, &alias).unwrap();
        let through = load_dir(&alias);
        let _ = std::fs::remove_file(&alias);
        assert_eq!(through.unwrap(), loaded);
    }

    /// `load_dir(dir)` within ten seconds: a named pipe must be refused, not waited on.
    #[cfg(unix)]
    fn load_soon(dir: &Path) -> Result<Bundle, LoadError> {
        let (send, receive) = std::sync::mpsc::channel();
        let dir = dir.to_owned();
        std::thread::spawn(move || send.send(load_dir(&dir)));
        receive.recv_timeout(std::time::Duration::from_secs(10)).expect("load_dir blocked")
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_in_a_bundle_is_refused_without_waiting_for_a_writer() {
        let dir = Dir::new("fifo", &[("bundle.json", MANIFEST), ("rules/always.rhai", "true")]);
        std::fs::write(dir.0.join("rules/online.rhai"), "true").unwrap();
        let fifo = |name: &str| {
            let status = std::process::Command::new("mkfifo").arg(dir.0.join(name)).status().unwrap();
            assert!(status.success());
        };
        fifo("i.schema.json");
        let e = load_soon(&dir.0).unwrap_err();
        assert!(matches!(&e, LoadError::Io { path, .. } if path.ends_with("i.schema.json")), "{e:?}");
        assert!(e.to_string().contains("a named pipe is not a regular file"), "{e}");

        std::fs::remove_file(dir.0.join("bundle.json")).unwrap();
        fifo("bundle.json");
        let e = load_soon(&dir.0).unwrap_err();
        assert!(
            e.to_string().contains("bundle.json: cannot read: a named pipe is not a regular file"),
            "{e}"
        );
        std::fs::remove_file(dir.0.join("bundle.json")).unwrap();
        std::fs::create_dir(dir.0.join("bundle.json")).unwrap();
        assert!(load_soon(&dir.0).unwrap_err().to_string().contains("a directory is not a regular file"));
    }

    #[test]
    fn a_byte_order_mark_is_dropped_from_every_file_and_text() {
        let bom = |text: &str| format!("\u{feff}{text}");
        let mut files = files("true");
        for text in files.values_mut() {
            *text = bom(text);
        }
        let list: Vec<(&str, &str)> = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let dir = Dir::new("bom", &list);
        let from_disk = load_dir(&dir.0).unwrap();
        assert_eq!(load_files(&files).unwrap(), from_disk);
        let applies = &from_disk.items[0].applies_if.as_ref().unwrap().source;
        assert_eq!(applies.script.as_deref(), Some("true"));
        let packed = bom(&serde_json::to_string(&from_disk).unwrap());
        assert_eq!(from_packed_str(&packed).unwrap(), from_disk);
    }

    #[test]
    fn duplicate_keys_are_refused_in_bundles_and_schemas_naming_key_place_and_position() {
        let e = from_packed_str("{\"id\": \"a\",\n \"id\": \"b\"}").unwrap_err();
        assert_eq!(e.to_string(), "bundle:2:5: invalid JSON: duplicate key `id` in the top-level object",);
        let mut twice = files("true");
        let schema = r#"{"type": "object", "properties": {"url": {"type": "string", "type": "number"}}}"#;
        twice.insert("i.schema.json".into(), schema.into());
        let e = load_files(&twice).unwrap_err();
        assert!(matches!(&e, LoadError::Syntax { path, line: 1, .. } if path == "i.schema.json"), "{e:?}");
        assert!(e.to_string().contains("duplicate key `type` in the object at /properties/url"), "{e}");
        let manifest =
            twice["bundle.json"].replacen("\"lead\": \"d\",", "\"lead\": \"d\", \"lead\": \"d\",", 1);
        twice.insert("bundle.json".into(), manifest);
        assert!(load_files(&twice).unwrap_err().to_string().contains("duplicate key `lead`"));
    }

    #[test]
    fn a_bundle_or_a_part_of_it_written_as_an_array_is_refused() {
        let e = from_packed_str(r#"["b", "1", {"zh": "事", "en": "Thing"}, "d", [], []]"#).unwrap_err();
        assert!(e.to_string().contains("expected a JSON object for `Bundle`, found an array"), "{e}");
        let mut bundle: Value = serde_json::from_str(MANIFEST).unwrap();
        bundle["items"][0]["schema"] = serde_json::json!({});
        bundle["items"][0]["applies_if"] =
            serde_json::json!({"title": {"zh": "总是", "en": "Always"}, "script": "true"});
        bundle["fields"] = serde_json::json!({});
        from_packed_value(bundle.clone()).unwrap();
        for (at, part) in [
            ("departments[0]", serde_json::json!([["d", {"zh": "部门", "en": "Dept"}]])),
            ("title", serde_json::json!(["事", "Thing"])),
        ] {
            let mut broken = bundle.clone();
            broken[at.split('[').next().unwrap()] = part;
            let e = from_packed_value(broken).unwrap_err();
            assert!(matches!(&e, LoadError::Format { at: a, .. } if a == at), "{e:?}");
            assert!(e.to_string().contains("expected a JSON object"), "{e}");
        }
        let mut item = bundle.clone();
        let fields: Vec<Value> = item["items"][0].as_object().unwrap().values().cloned().collect();
        item["items"][0] = Value::Array(fields);
        let e = from_packed_value(item).unwrap_err();
        assert!(matches!(&e, LoadError::Format { at, .. } if at == "items[0]"), "{e:?}");
    }

    #[test]
    fn a_missing_visibility_rule_file_is_named() {
        let dir = Dir::new(
            "missing",
            &[
                ("bundle.json", MANIFEST),
                ("i.schema.json", "{}"),
                ("rules/always.rhai", "true"),
                ("rules/onlne.rhai", "true"),
            ],
        );
        let b = load_dir(&dir.0).unwrap();
        let source = &b.fields["shop.url"].visible_if.as_ref().unwrap().source;
        let unreadable = source.unreadable.as_deref().unwrap();
        assert_eq!(
            unreadable,
            "rules/online.rhai: no such file in the bundle; did you mean `rules/onlne.rhai`?"
        );
        let e = crate::CompiledBundle::compile(b).unwrap_err().to_string();
        assert!(e.contains("rules/online.rhai: cannot read the script file"), "{e}");
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
