//! The fixture bundles (`fixtures/` of the repository), loaded and compiled once per process.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use indexmap::IndexMap;
use onething::{CompiledBundle, Date, Submission, load};
use serde_json::Value;

/// One fixture bundle and what goes with it.
pub struct Fixture {
    /// Its directory name.
    pub name: String,
    /// The packed bundle, as a JSON value.
    pub packed: Value,
    /// The bundle, compiled.
    pub compiled: CompiledBundle,
    /// `fixture.json`'s evaluation date.
    pub date: Date,
    /// Source documents by source id (`fixture.json`'s `sources`).
    pub sources: IndexMap<String, Value>,
    /// Every submission of `submissions/` and `decisions/`, as JSON, sorted by file name.
    pub submissions: Vec<(String, Value)>,
}

/// The repository's `fixtures/` directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|f| f.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
}

fn load_fixture(dir: &Path) -> Fixture {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bundle = load::load_dir(dir).unwrap_or_else(|e| panic!("fixture {name} does not load: {e}"));
    let packed =
        serde_json::to_value(&bundle).unwrap_or_else(|e| panic!("fixture {name} does not pack: {e}"));
    let compiled =
        CompiledBundle::compile(bundle).unwrap_or_else(|e| panic!("fixture {name} does not compile: {e}"));
    let meta = read_json(&dir.join("fixture.json"));
    let date = meta["evaluation_date"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("fixture {name}: fixture.json has no evaluation_date"));
    let sources = meta["sources"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(id, file)| Some((id.clone(), read_json(&dir.join(file.as_str()?)))))
                .collect()
        })
        .unwrap_or_default();
    let submissions = ["submissions", "decisions"]
        .iter()
        .flat_map(|sub| json_files(&dir.join(sub)))
        .map(|f| {
            let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            (stem, read_json(&f))
        })
        .collect();
    Fixture { name, packed, compiled, date, sources, submissions }
}

/// Every fixture, sorted by name.
pub fn all() -> &'static [Fixture] {
    static ALL: OnceLock<Vec<Fixture>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root())
            .unwrap_or_else(|e| panic!("{}: {e}", root().display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|d| d.join("bundle.json").exists())
            .collect();
        dirs.sort();
        assert!(!dirs.is_empty(), "no fixture bundles in {}", root().display());
        dirs.iter().map(|d| load_fixture(d)).collect()
    })
}

/// The fixture a selector byte picks.
pub fn pick(selector: u8) -> &'static Fixture {
    let all = all();
    &all[usize::from(selector) % all.len()]
}

/// The submission a selector byte picks among every fixture's submissions.
pub fn submission(selector: u8) -> &'static Value {
    static ALL: OnceLock<Vec<&'static Value>> = OnceLock::new();
    let list = ALL.get_or_init(|| all().iter().flat_map(|f| f.submissions.iter().map(|(_, s)| s)).collect());
    list[usize::from(selector) % list.len()]
}

/// A submission from JSON, `None` when it is not one.
pub fn to_submission(v: Value) -> Option<Submission> {
    serde_json::from_value(v).ok()
}
