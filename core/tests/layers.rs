//! The layer test: `core/src` is a stack of layers, each folder depending only on the ones
//! below it, and no two modules import each other, directly or around a circle.
//!
//! It reads the sources (as rust-analyzer's "tidy" tests do) and follows every `crate::` and
//! `super::` path outside comments and test modules to the module that defines it. The order
//! is the one ARCHITECTURE.md states ("Layers"); `lib.rs` and `schemas.rs` are the facade
//! above them all. A failure names the file, the line and the path that crosses a layer, or
//! the modules of a circle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers from the ground up: a module may use its own layer and those before it.
const LAYERS: [&str; 8] = ["base", "schema", "rules", "model", "load", "compile", "run", "report"];

/// A module's path from the crate root (`["run", "evaluate"]`; `[]` for `lib.rs`).
type Module = Vec<String>;

struct Source {
    module: Module,
    file: PathBuf,
    text: String,
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let sources = sources();
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut violations = Vec::new();
    for s in &sources {
        let Some(own) = layer(&s.module) else { continue };
        for (line, path) in references(s) {
            let target = resolve(&path, &modules);
            if let Some(theirs) = layer(&target).filter(|&l| l > own) {
                violations.push(format!(
                    "{}:{line}: `{}` is in layer `{}`, above `{}`",
                    s.file.display(),
                    path.join("::"),
                    LAYERS.get(theirs).unwrap_or(&"facade"),
                    LAYERS.get(own).unwrap_or(&"facade"),
                ));
            }
        }
    }
    assert!(violations.is_empty(), "imports against the layer order:\n{}", violations.join("\n"));
}

#[test]
fn no_import_circle_between_modules() {
    let sources = sources();
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for s in &sources {
        for (_, path) in references(s) {
            let target = resolve(&path, &modules);
            // A folder's `mod.rs` re-exporting or driving its own submodules is its table of
            // contents, not a dependency between peers.
            if target != s.module && !target.starts_with(&s.module) {
                edges.entry(s.module.clone()).or_default().insert(target);
            }
        }
    }
    let circles = circles(&edges);
    let described: Vec<String> = circles
        .iter()
        .map(|c| {
            c.iter()
                .map(|m| if m.is_empty() { "lib".to_owned() } else { m.join("::") })
                .collect::<Vec<_>>()
                .join(" ↔ ")
        })
        .collect();
    assert!(described.is_empty(), "modules that import each other:\n{}", described.join("\n"));
}

#[test]
fn the_test_sees_every_layer_and_its_references() {
    // Guards the test itself: a parser that found nothing would pass everything.
    let sources = sources();
    let layers: BTreeSet<&str> =
        sources.iter().filter_map(|s| s.module.first()).map(String::as_str).collect();
    for l in LAYERS {
        assert!(layers.contains(l), "no module found in layer `{l}`");
    }
    let evaluate = sources.iter().find(|s| s.module == ["run", "evaluate"]).expect("run/evaluate.rs");
    let refs: Vec<String> = references(evaluate).into_iter().map(|(_, p)| p.join("::")).collect();
    assert!(refs.iter().any(|r| r.starts_with("compile::")), "{refs:?}");
    let fake = Source {
        module: vec!["base".into(), "x".into()],
        file: PathBuf::from("x.rs"),
        text: "use crate::run::evaluate::Verdict;\n// crate::report::plan\nfn f() { super::date::Date::MIN; }\n#[cfg(test)]\nmod tests { use crate::report::plan; }\n".into(),
    };
    let found: Vec<(usize, String)> = references(&fake).into_iter().map(|(l, p)| (l, p.join("::"))).collect();
    assert_eq!(found, [(1, "run::evaluate::Verdict".to_owned()), (3, "base::date::Date::MIN".to_owned())]);
}

/// Every `.rs` file under `core/src`, with its module path.
fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read core/src") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&root).expect("under src");
                let mut module: Module =
                    relative.iter().map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
                if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).expect("read source");
                out.push(Source { module, file: relative.to_owned(), text });
            }
        }
    }
    out.sort_by(|a, b| a.module.cmp(&b.module));
    out
}

/// The layer of a module: its index in [`LAYERS`], or `None` for the facade (`lib.rs`,
/// `schemas.rs`), which may use everything.
fn layer(module: &Module) -> Option<usize> {
    let first = module.first()?;
    LAYERS.iter().position(|l| l == first)
}

/// The crate paths a source names outside comments and its test module, with their line,
/// as absolute module paths (`super::` resolved).
fn references(s: &Source) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (n, line) in s.text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        for start in starts(line, "crate::") {
            let path = segments(&line[start + "crate::".len()..]);
            assert!(
                !path.is_empty(),
                "{}:{}: a grouped `crate::{{…}}` import: name each path",
                s.file.display(),
                n + 1
            );
            out.push((n + 1, path));
        }
        for start in starts(line, "super::") {
            // `super::super::x` is found once, from its first `super`.
            if line[..start].ends_with("super::") {
                continue;
            }
            let mut rest = &line[start..];
            // For `mod.rs` the module is the folder; `super` of a file module is its folder.
            let mut base = s.module.clone();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            let tail = segments(rest);
            if !tail.is_empty() {
                base.extend(tail);
                out.push((n + 1, base));
            }
        }
    }
    out
}

/// Where `pattern` starts in `line`, as a path (not inside an identifier such as
/// `mycrate::`).
fn starts(line: &str, pattern: &str) -> Vec<usize> {
    line.match_indices(pattern)
        .map(|(i, _)| i)
        .filter(|&i| !line[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_'))
        .collect()
}

/// The identifiers of a path: `a::b::C` from `a::b::C<T>::new()`.
fn segments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_owned());
        match rest[end..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

/// The module defining what `path` names: its longest prefix that is a module.
fn resolve(path: &[String], modules: &BTreeSet<Module>) -> Module {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| modules.contains(m)).unwrap_or_default()
}

/// The strongly connected components of more than one module (Tarjan, recursive: the
/// module graph is small).
fn circles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(v: &'a Module, st: &mut State<'a>) {
        let i = st.index.len();
        st.index.insert(v, i);
        st.low.insert(v, i);
        st.stack.push(v);
        for w in st.edges.get(v).into_iter().flatten() {
            if !st.index.contains_key(w) {
                visit(w, st);
                let lw = st.low[w];
                let lv = st.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if st.stack.contains(&w) {
                let iw = st.index[w];
                let lv = st.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if st.low[v] == st.index[v] {
            let mut component = Vec::new();
            while let Some(w) = st.stack.pop() {
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                st.out.push(component);
            }
        }
    }
    let mut st =
        State { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), out: Vec::new() };
    for v in edges.keys() {
        if !st.index.contains_key(v) {
            visit(v, &mut st);
        }
    }
    st.out
}
