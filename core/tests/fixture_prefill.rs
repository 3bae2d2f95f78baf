//! Prefill (表单预填) and material reuse (材料复用) on every fixture bundle, from the source
//! documents its `fixture.json` lists (`"sources": {"<source id>": "sources/<file>.json"}`):
//!
//! * with every document consented and nothing typed, the result is snapshot-tested
//!   (provenance, locks, shared materials and figures checked by hand once), every document
//!   fits its declaration (no notes), and the prefilled values are those of one of the
//!   fixture's decision cases — the documents describe a real applicant of the fixture;
//! * with a decision case's values typed, no typed value is lost; a deliberately different
//!   name is reported as a conflict with the authoritative source, never overwritten;
//! * with consent to one source only, no other source is asked for anything (a provider
//!   that panics proves it), and the one asked is asked only for the paths it declares.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{compile, decision_cases, fixtures, meta, settings};

use std::borrow::Cow;
use std::sync::Mutex;

use indexmap::IndexMap;
use onething::prefill::{FillOrigin, Prefill, SourceProvider};
use serde_json::{Map, Value, json};

fn source_of(p: &Prefill, key: &str) -> Option<String> {
    match &p.values.get(key)?.origin {
        FillOrigin::Source { source, .. } => Some(source.clone()),
        _ => None,
    }
}

#[test]
fn every_document_consented_nothing_typed() {
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        let (date, documents) = meta(&dir);
        let consent: Vec<String> = documents.keys().cloned().collect();
        let p = c.prefill(&Map::new(), &consent, &documents, Some(date));
        settings().bind(|| insta::assert_json_snapshot!(format!("{id}__prefill"), p));
        assert!(p.notes.is_empty(), "{id}: {:#?}", p.notes);
        assert!(p.conflicts.is_empty(), "{id}: {:#?}", p.conflicts);
        // Every document is used: it fills a field or satisfies a material.
        for source in documents.keys() {
            assert!(
                p.values.keys().any(|k| source_of(&p, k).as_ref() == Some(source))
                    || p.materials.values().any(|s| s == source),
                "{id}: the document of `{source}` serves nothing"
            );
        }
        // Locks follow the authoritative flag of the source that filled the value.
        for (key, filled) in &p.values {
            let locked = match &filled.origin {
                FillOrigin::Source { source, .. } => {
                    c.bundle().sources.iter().find(|s| &s.id == source).unwrap().authoritative
                }
                _ => false,
            };
            assert_eq!(filled.locked, locked, "{id}: {key}");
        }
        assert!(p.figures.fields_prefilled > 0 && p.figures.materials_shared > 0, "{id}: {:?}", p.figures);
        // Left to type: fields without a value, and only the required ones among them.
        assert!(p.to_type.iter().all(|k| !p.values.contains_key(k)), "{id}: {:?}", p.to_type);
        // (core/tests/prefill.rs checks that optional fields are left out.)
        assert!(
            p.to_type.len() <= p.figures.fields_total - p.figures.fields_prefilled,
            "{id}: more to type than is left"
        );
        // The documents describe the applicant of one of the fixture's decision cases.
        let cases = decision_cases(&dir).into_iter().map(|(n, _, s)| (n, s)).collect::<Vec<_>>();
        let described = cases.iter().find(|(_, s)| {
            p.values.iter().all(|(k, f)| s.values().get(k).is_none_or(|v| v == &f.value))
                && p.values.keys().filter(|k| s.values().contains_key(*k)).count() >= p.values.len() / 2
        });
        assert!(described.is_some(), "{id}: no decision case agrees with the documents");
    }
}

#[test]
fn typed_values_are_never_lost_and_a_different_name_is_a_conflict() {
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        let (date, documents) = meta(&dir);
        let consent: Vec<String> = documents.keys().cloned().collect();
        let untyped = c.prefill(&Map::new(), &consent, &documents, Some(date));
        for (name, s) in decision_cases(&dir).into_iter().map(|(n, _, s)| (n, s)).collect::<Vec<_>>() {
            let p = c.prefill(s.values(), &consent, &documents, Some(date));
            for (k, v) in s.values() {
                let f = &p.values[k];
                assert_eq!(&f.value, v, "{id}/{name}: {k}");
                if f.origin == FillOrigin::Applicant {
                    assert!(!f.locked, "{id}/{name}: {k}");
                } else {
                    // A list that completes an authoritative source's list in the columns
                    // it leaves open stays the source's, as typed.
                    let columns = &f.open_columns;
                    assert!(v.is_array() && f.locked && !columns.is_empty(), "{id}/{name}: {k}: {f:?}");
                    assert_eq!(untyped.values[k].open_columns, *columns, "{id}/{name}: {k}");
                }
            }
            // Every conflict is a typed value that differs from an authoritative document.
            for conflict in &p.conflicts {
                assert_eq!(&s.values()[&conflict.key], &conflict.typed, "{id}/{name}");
                assert_eq!(untyped.values[&conflict.key].value, conflict.authoritative, "{id}/{name}");
                assert_ne!(conflict.typed, conflict.authoritative, "{id}/{name}");
            }
            // Keys the applicant left empty are still filled from the documents.
            let from_documents =
                untyped.values.iter().filter(|(_, f)| matches!(f.origin, FillOrigin::Source { .. }));
            for (k, f) in from_documents.filter(|(k, _)| !s.values().contains_key(*k)) {
                assert_eq!(p.values[k].value, f.value, "{id}/{name}: {k}");
            }
        }
        // A name typed differently from the authoritative e-licence: kept, and flagged.
        let (key, filled) = untyped
            .values
            .iter()
            .find(|(k, f)| f.locked && k.ends_with(".name"))
            .unwrap_or_else(|| panic!("{id}: no name filled by an authoritative source"));
        let mut typed = Map::new();
        typed.insert(key.clone(), json!("王小明"));
        let p = c.prefill(&typed, &consent, &documents, Some(date));
        assert_eq!(p.values[key].value, json!("王小明"), "{id}: {key} overwritten");
        assert_eq!(p.values[key].origin, FillOrigin::Applicant);
        let flagged: Vec<_> = p.conflicts.iter().filter(|x| &x.key == key).collect();
        assert!(!flagged.is_empty(), "{id}: {key} typed differently is no conflict");
        for x in flagged {
            assert_eq!((&x.typed, &x.authoritative), (&json!("王小明"), &filled.value), "{id}");
        }
        assert_eq!(p.conflicts.len(), p.conflicts.iter().filter(|x| &x.key == key).count(), "{id}");
    }
}

/// Serves one source's document; any other source asked for makes it panic. Records the
/// paths it was asked for.
struct OnlyOne<'a> {
    source: &'a str,
    documents: &'a IndexMap<String, Value>,
    asked: Mutex<Vec<String>>,
}

impl SourceProvider for OnlyOne<'_> {
    fn fetch(&self, source: &str, pointers: &[&str]) -> Result<Option<Cow<'_, Value>>, String> {
        assert_eq!(source, self.source, "a source the applicant did not consent to was read");
        self.asked.lock().unwrap().extend(pointers.iter().map(|p| (*p).to_owned()));
        Ok(self.documents.get(source).map(Cow::Borrowed))
    }
}

#[test]
fn consent_to_one_source_reads_only_that_source() {
    for dir in fixtures() {
        let c = compile(&dir);
        let id = c.bundle().id.clone();
        let (date, documents) = meta(&dir);
        for source in documents.keys() {
            let provider = OnlyOne { source, documents: &documents, asked: Mutex::new(Vec::new()) };
            let p = c.prefill(&Map::new(), std::slice::from_ref(source), &provider, Some(date));
            // Only the paths the source declares are asked for (data minimisation).
            let declared: Vec<String> =
                c.bundle().sources.iter().find(|s| &s.id == source).unwrap().fields.keys().cloned().collect();
            assert_eq!(*provider.asked.lock().unwrap(), declared, "{id}/{source}");
            for (key, filled) in &p.values {
                match &filled.origin {
                    FillOrigin::Source { source: from, .. } => assert_eq!(from, source, "{id}: {key}"),
                    FillOrigin::Derived { .. } => {}
                    FillOrigin::Applicant => panic!("{id}/{source}: {key} typed, though nothing was"),
                }
            }
            assert!(p.materials.values().all(|s| s == source), "{id}/{source}: {:?}", p.materials);
        }
    }
}
