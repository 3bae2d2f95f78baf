//! Helpers shared by the integration tests that read `fixtures/`: the fixture directories,
//! compiling one, its `fixture.json` (evaluation date, source documents) and the insta
//! settings every snapshot test uses.

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use onething::{CompiledBundle, Date, Outcome, Submission, load};
use serde_json::{Value, json};

/// `fixtures/`.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    fixtures_root().join(name)
}

/// Every fixture bundle's directory, sorted.
pub fn fixtures() -> Vec<PathBuf> {
    let root = fixtures_root();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("bundle.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "expected at least three fixture bundles in {}", root.display());
    dirs
}

/// Loads and compiles a bundle directory; any problem fails the test with its message.
pub fn compile(dir: &Path) -> CompiledBundle {
    let bundle = load::load_dir(dir).unwrap_or_else(|e| panic!("{e}"));
    CompiledBundle::compile(bundle).unwrap_or_else(|e| panic!("{e}"))
}

/// `compile(fixture(name))`.
pub fn compile_fixture(name: &str) -> CompiledBundle {
    compile(&fixture(name))
}

/// The fixture's evaluation date and its source documents by source id (`fixture.json`:
/// `{"evaluation_date": "…", "sources": {"<source id>": "sources/<file>.json"}}`).
pub fn meta(dir: &Path) -> (Date, IndexMap<String, Value>) {
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fixture.json")).unwrap()).unwrap();
    let date = meta["evaluation_date"].as_str().unwrap().parse().unwrap();
    let documents = meta["sources"]
        .as_object()
        .unwrap_or_else(|| panic!("{}: fixture.json lists no `sources`", dir.display()))
        .iter()
        .map(|(id, file)| {
            let path = dir.join(file.as_str().unwrap());
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // Read as the CLI and the WASM package read a document.
            let doc =
                onething::load::parse_json(&text, file.as_str().unwrap()).unwrap_or_else(|e| panic!("{e}"));
            (id.clone(), doc)
        })
        .collect();
    (date, documents)
}

/// The date a decision case is evaluated on: its own, when `fixture.json` gives one in
/// `decision_dates` (`{"<file stem>": "YYYY-MM-DD"}`, for a case about a time of the year),
/// else the fixture's evaluation date.
pub fn case_date(dir: &Path, name: &str) -> Date {
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fixture.json")).unwrap()).unwrap();
    let own = meta["decision_dates"].get(name).and_then(Value::as_str);
    own.or(meta["evaluation_date"].as_str()).unwrap().parse().unwrap()
}

/// Snapshots go to `core/tests/snapshots`, named without the test module.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

/// `decisions/<expected outcome>--<what>.json`
pub fn decision_cases(dir: &Path) -> Vec<(String, Outcome, Submission)> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir.join("decisions")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .map(|f| {
            let name = f.file_stem().unwrap().to_string_lossy().to_string();
            let outcome: Outcome = serde_json::from_value(json!(name.split("--").next().unwrap()))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // A case file: the submission, and maybe what the decision must say (`expect`).
            let case = onething::case::Case::from_json_named(&std::fs::read_to_string(&f).unwrap(), &name)
                .unwrap_or_else(|e| panic!("{e}"));
            (name, outcome, case.submission)
        })
        .collect()
}
