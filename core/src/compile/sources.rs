//! Data sources, compiled: the canonical keys each fills in (with their transforms) and the
//! materials it makes unnecessary to upload. [`crate::run::prefill`] reads them.

use std::collections::HashSet;

use crate::base::pointer;
use crate::compile::duplicates;
use crate::compile::keys::KeyInfos;
use crate::compile::transform::ValueTransform;
use crate::model::bundle::{Bundle, DataSource};
use crate::model::error::Problem;
use crate::rules::Sandbox;

/// One data source, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledSource {
    pub id: String,
    pub authoritative: bool,
    pub fields: Vec<SourceField>,
    /// Materials (reuse keys) satisfied when the source delivers a document.
    pub materials: Vec<String>,
}

/// One field a source fills: the pointer as written and its tokens, the canonical key
/// (a list's key when the pointer goes through `*`), the transform, and for a list the
/// position of `*` in the tokens and the column filled.
pub(crate) type SourceField = (String, Vec<String>, String, Option<ValueTransform>, Option<(usize, String)>);

/// Compiles the bundle's sources: keys must be keys of the form (or derived), transforms
/// valid, materials and ids known, and every source a material names declared.
pub(crate) fn compile(
    bundle: &Bundle,
    keys: &KeyInfos,
    sandbox: &Sandbox,
) -> Result<Vec<CompiledSource>, Vec<Problem>> {
    let mut problems = Vec::new();
    let derived: HashSet<&str> = bundle.derive.iter().map(|d| d.key.as_str()).collect();
    let reuse: HashSet<&str> =
        bundle.items.iter().flat_map(|i| i.materials.iter().map(|m| m.reuse_key())).collect();
    let mut out = Vec::new();
    for (i, s) in bundle.sources.iter().enumerate() {
        let at = format!("source `{}`", s.id);
        let mut fields = Vec::new();
        for (ptr, mapping) in &s.fields {
            // The entry in the bundle document: `/sources/<n>/fields/<ptr>`.
            let place = pointer::join(&format!("/sources/{i}/fields"), ptr);
            let Some(tokens) = pointer::split(ptr).filter(|t| !t.is_empty()) else {
                problems.push(Problem::Invalid {
                    at: at.clone(),
                    message: format!("`{ptr}` is not a JSON Pointer into the source's document"),
                    bundle_pointer: Some(place),
                });
                continue;
            };
            let Some(key) = mapping.key() else {
                problems.push(Problem::Invalid {
                    at: format!("{at}, fields {ptr}"),
                    message: "a data source fills canonical keys: a constant belongs in an item's field map"
                        .into(),
                    bundle_pointer: Some(place),
                });
                continue;
            };
            let column = match list_column(&tokens, key, keys) {
                Ok(column) => column,
                Err(message) => {
                    problems.push(Problem::Invalid {
                        at: format!("{at}, fields {ptr}"),
                        message,
                        bundle_pointer: Some(place),
                    });
                    continue;
                }
            };
            let key = column.as_ref().and_then(|_| key.split_once("[].")).map_or(key, |(list, _)| list);
            if column.is_none() && !keys.contains_key(key) && !derived.contains(key) {
                let known =
                    keys.keys().map(String::as_str).chain(bundle.derive.iter().map(|d| d.key.as_str()));
                problems.push(Problem::unknown(format!("{at}, fields {ptr}"), place, "field", key, known));
                continue;
            }
            let transform = match mapping.transform().map(|t| ValueTransform::new(t, sandbox)).transpose() {
                Ok(t) => t,
                Err(e) => {
                    let at = format!("{at}, fields {ptr}");
                    problems.push(Problem::Invalid {
                        at,
                        message: e.to_string(),
                        bundle_pointer: Some(place),
                    });
                    continue;
                }
            };
            fields.push((ptr.clone(), tokens, key.to_owned(), transform, column));
        }
        let unknown = s.materials.iter().enumerate().filter(|(_, m)| !reuse.contains(m.as_str()));
        for (j, m) in unknown {
            let known = bundle.items.iter().flat_map(|i| i.materials.iter().map(|m| m.reuse_key()));
            problems.push(Problem::unknown(
                at.clone(),
                format!("/sources/{i}/materials/{j}"),
                "material",
                m,
                known,
            ));
        }
        out.push(CompiledSource {
            id: s.id.clone(),
            authoritative: s.authoritative,
            fields,
            materials: materials_of(bundle, s),
        });
    }
    check_material_sources(bundle, &mut problems);
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// Source ids are unique, and every entry of a material's `sources` is a declared source or
/// `evidence:<e>` for evidence some item produces.
fn check_material_sources(bundle: &Bundle, problems: &mut Vec<Problem>) {
    duplicates("source", "/sources", bundle.sources.iter().map(|s| s.id.as_str()), problems);
    let declared: HashSet<&str> = bundle.sources.iter().map(|s| s.id.as_str()).collect();
    let produced: HashSet<&str> =
        bundle.items.iter().flat_map(|i| i.produces.iter().map(String::as_str)).collect();
    for (i, item) in bundle.items.iter().enumerate() {
        for (j, m) in item.materials.iter().enumerate() {
            for (k, s) in m.sources.iter().enumerate().filter(|(_, s)| !declared.contains(s.as_str())) {
                let (what, id) = match s.strip_prefix("evidence:") {
                    Some(e) if produced.contains(e) => continue,
                    Some(e) => ("evidence", e),
                    None => ("source", s.as_str()),
                };
                let at = format!("item `{}`, material `{}`, sources", item.id, m.id);
                let known: Vec<&str> = if what == "evidence" {
                    bundle.items.iter().flat_map(|i| i.produces.iter().map(String::as_str)).collect()
                } else {
                    bundle.sources.iter().map(|s| s.id.as_str()).collect()
                };
                let place = format!("/items/{i}/materials/{j}/sources/{k}");
                problems.push(Problem::unknown(at, place, what, id, known.into_iter()));
            }
        }
    }
}

/// The materials a source satisfies: those it lists, and those that name it.
fn materials_of(bundle: &Bundle, s: &DataSource) -> Vec<String> {
    let mut out: Vec<String> = s.materials.clone();
    for m in bundle.items.iter().flat_map(|i| &i.materials) {
        if m.sources.contains(&s.id) && !out.iter().any(|x| x == m.reuse_key()) {
            out.push(m.reuse_key().to_owned());
        }
    }
    out
}

/// For a source pointer through an array (`/zmxx/cy/*/xm`): where `*` is and the column of
/// the list it fills (`household.members[].name` fills `name` of `household.members`).
/// Both or neither must be lists: the key a list's column of the form, one `*` only.
fn list_column(tokens: &[String], key: &str, keys: &KeyInfos) -> Result<Option<(usize, String)>, String> {
    let stars: Vec<usize> = tokens.iter().enumerate().filter(|(_, t)| *t == "*").map(|(n, _)| n).collect();
    match (stars.as_slice(), key.split_once("[].")) {
        ([], None) => Ok(None),
        ([], Some(_)) => Err(format!(
            "`{key}` is a column of a list: the pointer must go through the source's array with `*`, such as `/members/*/name`"
        )),
        ([_], None) => Err(format!(
            "the pointer goes through an array (`*`): its key must be a list's column, such as `list[].{key}`"
        )),
        ([star], Some((_, column)))
            if !column.contains("[].") && crate::compile::keys::find(keys, key).is_some() =>
        {
            Ok(Some((*star, column.to_owned())))
        }
        ([_], Some(_)) => {
            let columns = crate::compile::keys::all(keys);
            let columns = columns.iter().map(|(n, _)| n.as_str()).filter(|n| n.contains("[]."));
            let hint = crate::base::suggest::closest(key, columns, 2)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            Err(format!("`{key}` is not a column of a list of the form{hint}"))
        }
        _ => Err("a source fills one level of list: the pointer may go through one `*` only".into()),
    }
}
