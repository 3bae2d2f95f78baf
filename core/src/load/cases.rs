//! Reading a bundle directory's test cases (`onething test`): every `*.json` file of its
//! `decisions/` and `tests/` folders (sorted by name, sub-folders ignored), and the dates its
//! `fixture.json` gives.
//!
//! Why a loader of its own: cases live beside the bundle, in the folders this repository's
//! fixtures always used, and are read with the bundle's own care (only regular files inside
//! the directory, symbolic links resolved). `fixture.json` is optional:
//! `{"evaluation_date": "YYYY-MM-DD", "decision_dates": {"<file stem>": "YYYY-MM-DD"}}` —
//! the date of every case without its own, and a case's own date by its file's stem (a case
//! file may also carry its own `date`, which wins). Other members (`sources`) are ignored.
//!
//! Every bad file is reported at once, each naming its file and place. The same files held
//! in memory (the package's `Bundle.test`) are read by [`cases_from_files`], the same way.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::base::date::Date;
use crate::load::{MAX_FILE_BYTES, parse_json, read_inside};
use crate::model::case::Case;
use crate::model::error::LoadError;

/// The folders of a bundle directory that hold cases, in the order they are read.
pub const CASE_DIRS: [&str; 2] = ["decisions", "tests"];

/// A bundle directory's cases.
#[derive(Debug, Clone, PartialEq)]
pub struct Cases {
    /// Every case, `decisions/` first, each folder by file name; a case's `date` includes
    /// the one `fixture.json` gives it.
    pub cases: Vec<Case>,
    /// The date of the cases without their own (`fixture.json`'s `evaluation_date`).
    pub date: Option<Date>,
}

/// Reads the cases of the bundle directory `dir`; every problem at once. No case at all
/// (no `decisions/` or `tests/` folder, or no `.json` file in them) is an error too: a test
/// run that checks nothing would pass.
pub fn load_cases(dir: &Path) -> Result<Cases, Vec<LoadError>> {
    let io = |path: &Path, message: String| LoadError::Io { path: path.display().to_string(), message };
    let root = dir.canonicalize().map_err(|e| vec![io(dir, e.to_string())])?;
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    let mut folders = 0;
    for folder in CASE_DIRS {
        let path = dir.join(folder);
        if !path.is_dir() {
            continue;
        }
        folders += 1;
        let entries = match std::fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(io(&path, e.to_string()));
                continue;
            }
        };
        let mut files: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".json"))
            .collect();
        files.sort();
        for file in files {
            let name = format!("{folder}/{file}");
            match read_inside(&root, &path.join(&file)).and_then(|text| Case::from_json_named(&text, &name)) {
                Ok(case) => cases.push(case),
                Err(e) => errors.push(e),
            }
        }
    }
    if folders == 0 {
        errors.push(io(dir, "has no `decisions/` or `tests/` folder: no cases to run".into()));
    } else if cases.is_empty() && errors.is_empty() {
        errors.push(io(dir, "no case (`*.json`) in `decisions/` or `tests/`".into()));
    }
    let date = match dates(dir, &root, &mut cases) {
        Ok(date) => date,
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    };
    if errors.is_empty() { Ok(Cases { cases, date }) } else { Err(errors) }
}

/// Reads `fixture.json`, if there is one (see [`apply_dates`]).
fn dates(dir: &Path, root: &Path, cases: &mut [Case]) -> Result<Option<Date>, Vec<LoadError>> {
    let path = dir.join("fixture.json");
    if !path.exists() {
        return Ok(None);
    }
    let file = path.display().to_string();
    let text = read_inside(root, &path).map_err(|e| vec![e])?;
    apply_dates(&text, &file, cases)
}

/// Reads the text of `fixture.json` (named `file` in errors): the default date, and each
/// listed case's own date set on `cases` (unless the case file gives one).
fn apply_dates(text: &str, file: &str, cases: &mut [Case]) -> Result<Option<Date>, Vec<LoadError>> {
    let file = file.to_owned();
    let meta: serde_json::Map<String, Value> = parse_json(text, &file).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let date_at = |at: String, v: &Value| -> Result<Date, LoadError> {
        let parsed = v.as_str().ok_or_else(|| format!("a date is text `YYYY-MM-DD`, not {v}"));
        parsed
            .and_then(|s| s.parse::<Date>().map_err(|e| e.to_string()))
            .map_err(|message| LoadError::Format { path: file.clone(), at, message })
    };
    let date = match meta.get("evaluation_date").map(|v| date_at("evaluation_date".into(), v)) {
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        Some(Ok(d)) => Some(d),
        None => None,
    };
    match meta.get("decision_dates") {
        None => {}
        Some(Value::Object(own)) => {
            for (stem, v) in own {
                let at = format!("decision_dates.{stem}");
                let d = match date_at(at.clone(), v) {
                    Ok(d) => d,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                let mut found = false;
                for case in cases.iter_mut().filter(|c| c.name.rsplit('/').next() == Some(stem.as_str())) {
                    found = true;
                    case.date = case.date.or(Some(d));
                }
                if !found {
                    let message = format!("no case file `{stem}.json` in `decisions/` or `tests/`");
                    errors.push(LoadError::Format { path: file.clone(), at, message });
                }
            }
        }
        Some(other) => errors.push(LoadError::Format {
            path: file.clone(),
            at: "decision_dates".into(),
            message: format!("an object of dates by case file stem, not {other}"),
        }),
    }
    if errors.is_empty() { Ok(date) } else { Err(errors) }
}

/// Reads cases held in memory, as [`load_cases`] reads a directory's: `files` maps a path in
/// the bundle directory to its text — each case `decisions/<outcome>--<what>.json` or
/// `tests/…` (other files of those folders, such as a README, are skipped, as the directory
/// loader skips them) and, optionally, `fixture.json` with the dates. Any other path is an
/// error (a misspelt folder would otherwise make a case silently not run), and so is no
/// case at all; every problem at once. Cases come `decisions/` first, each folder by name.
pub fn cases_from_files(files: &BTreeMap<String, String>) -> Result<Cases, Vec<LoadError>> {
    const FIXTURE: &str = "fixture.json";
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for folder in CASE_DIRS {
        let prefix = format!("{folder}/");
        for (name, text) in files.iter().filter(|(n, _)| n.starts_with(&prefix)) {
            let file = name.get(prefix.len()..).unwrap_or_default();
            if file.contains('/') || !file.ends_with(".json") {
                continue;
            }
            match too_large(name, text).and_then(|()| Case::from_json_named(text, name)) {
                Ok(case) => cases.push(case),
                Err(e) => errors.push(e),
            }
        }
    }
    for name in files.keys() {
        let in_case_dir = CASE_DIRS.iter().any(|d| name.strip_prefix(d).is_some_and(|r| r.starts_with('/')));
        if !in_case_dir && name != FIXTURE {
            errors.push(LoadError::Io {
                path: name.clone(),
                message:
                    "not a case file: cases are `decisions/*.json` or `tests/*.json`, dates `fixture.json`"
                        .into(),
            });
        }
    }
    if cases.is_empty() && errors.is_empty() {
        errors.push(LoadError::Io {
            path: "cases".into(),
            message: "no case (`decisions/*.json` or `tests/*.json`): no cases to run".into(),
        });
    }
    let date = match files.get(FIXTURE) {
        None => None,
        Some(text) => match too_large(FIXTURE, text)
            .map_err(|e| vec![e])
            .and_then(|()| apply_dates(text, FIXTURE, &mut cases))
        {
            Ok(date) => date,
            Err(mut e) => {
                errors.append(&mut e);
                None
            }
        },
    };
    if errors.is_empty() { Ok(Cases { cases, date }) } else { Err(errors) }
}

/// A file over the loader's limit of one file.
fn too_large(name: &str, text: &str) -> Result<(), LoadError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: name.to_owned(),
            bytes: text.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn in_memory_cases_read_as_a_directory_is() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/restaurant-opening");
        let on_disk = load_cases(&fixture).unwrap();
        let mut map = BTreeMap::new();
        for folder in CASE_DIRS {
            let Ok(entries) = std::fs::read_dir(fixture.join(folder)) else { continue };
            for e in entries.flatten() {
                let name = e.file_name().into_string().unwrap();
                map.insert(format!("{folder}/{name}"), std::fs::read_to_string(e.path()).unwrap());
            }
        }
        map.insert("fixture.json".into(), std::fs::read_to_string(fixture.join("fixture.json")).unwrap());
        assert_eq!(cases_from_files(&map).unwrap(), on_disk);
    }

    #[test]
    fn in_memory_cases_report_every_bad_file() {
        let errors = cases_from_files(&files(&[
            ("decisions/accepted--x.json", "{not json"),
            ("decision/accepted--y.json", "{}"),
            ("tests/README.md", "skipped"),
            ("fixture.json", r#"{"evaluation_date": "2026-13-01"}"#),
        ]))
        .unwrap_err();
        let paths: Vec<String> = errors.iter().map(|e| e.path().to_owned()).collect();
        assert_eq!(paths, ["decisions/accepted--x.json", "decision/accepted--y.json", "fixture.json"]);
        let none = cases_from_files(&files(&[("tests/README.md", "x")])).unwrap_err();
        assert!(none.iter().any(|e| e.to_string().contains("no case")), "{none:?}");
    }

    #[test]
    fn in_memory_dates_apply_by_stem() {
        let got = cases_from_files(&files(&[
            ("decisions/accepted--a.json", r#"{"values": {}}"#),
            ("tests/rejected--b.json", r#"{"values": {}, "date": "2026-01-05"}"#),
            (
                "fixture.json",
                r#"{"evaluation_date": "2026-06-15", "decision_dates": {"accepted--a": "2026-02-02"}}"#,
            ),
        ]))
        .unwrap();
        let dates: Vec<String> = got.cases.iter().map(|c| c.date.unwrap().to_string()).collect();
        assert_eq!(dates, ["2026-02-02", "2026-01-05"]);
        assert_eq!(got.date.unwrap().to_string(), "2026-06-15");
    }
}
