//! Prefill (表单预填), material reuse (材料复用) and zero-material applications (零材料提交).
//!
//! The government already holds much of what a form asks: the population and enterprise
//! registers, electronic licences (电子证照), earlier applications. A bundle declares these
//! as [`DataSource`]s: which canonical keys each fills in (with transforms, as a field map),
//! whether it is the authoritative source of them (一数一源), and which materials it makes
//! unnecessary to upload.
//!
//! [`CompiledBundle::prefill`] takes what the applicant typed, the sources the applicant
//! consented to, and a [`SourceProvider`] (the documents the host holds, or a lazy fetcher
//! for backends). It does no I/O of its own. It promises (invariant 3):
//!
//! * a value the applicant typed is never overwritten — a different authoritative value is
//!   reported as a [`Conflict`];
//! * a source the applicant did not consent to is never asked for anything, and a consented
//!   one is asked only for the paths the bundle maps (data minimisation);
//! * every filled value says where it came from.
//!
//! ```
//! use indexmap::IndexMap;
//! use onething::{load, CompiledBundle};
//! use serde_json::json;
//!
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/restaurant-opening");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let typed = json!({"business.area_sqm": 30});
//! let documents: IndexMap<String, serde_json::Value> = IndexMap::new();
//! let p = compiled.prefill(typed.as_object().unwrap(), &[], &documents, None);
//! assert_eq!(p.values["business.area_sqm"].value, json!(30));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::HashSet;

use foldhash::fast::FixedState;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::bundle::{Bundle, DataSource};
use crate::compile::CompiledBundle;
use crate::date::Date;
use crate::decision::{RuleKind, TraceEntry};
use crate::error::Problem;
use crate::evaluate::{EvalOptions, Prepared};
use crate::form::KeyInfos;
use crate::rules::Limits;
use crate::schema::json_equal;
use crate::submission::{MaterialStatus, Submission};
use crate::text::Text;
use crate::transform::ValueTransform;

/// Where documents of data sources come from. The library asks only for consented sources,
/// and only for the paths it needs.
pub trait SourceProvider {
    /// The document `source` holds for this applicant (`None` when it holds none): borrowed
    /// when the host holds it already, owned when it was fetched. The bundle reads only
    /// `pointers` of it.
    fn fetch(&self, source: &str, pointers: &[&str]) -> Result<Option<Cow<'_, Value>>, String>;
}

/// Documents the host already holds, by source id.
impl SourceProvider for IndexMap<String, Value> {
    fn fetch(&self, source: &str, _: &[&str]) -> Result<Option<Cow<'_, Value>>, String> {
        Ok(self.get(source).map(Cow::Borrowed))
    }
}

/// One data source, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledSource {
    pub id: String,
    pub authoritative: bool,
    /// (pointer in the document, its tokens, canonical key, transform)
    pub fields: Vec<(String, Vec<String>, String, Option<ValueTransform>)>,
    /// Materials (reuse keys) satisfied when the source delivers a document.
    pub materials: Vec<String>,
}

/// Compiles the bundle's sources: keys must be keys of the form (or derived), transforms
/// valid, materials and ids known, and every source a material names declared.
pub(crate) fn compile_sources(
    bundle: &Bundle,
    keys: &KeyInfos,
    limits: &Limits,
) -> Result<Vec<CompiledSource>, Vec<Problem>> {
    let mut problems = Vec::new();
    let derived: HashSet<&str> = bundle.derive.iter().map(|d| d.key.as_str()).collect();
    let reuse: HashSet<&str> =
        bundle.items.iter().flat_map(|i| i.materials.iter().map(|m| m.reuse_key())).collect();
    let mut out = Vec::new();
    for s in &bundle.sources {
        let at = format!("source `{}`", s.id);
        let mut fields = Vec::new();
        for (ptr, mapping) in &s.fields {
            let Some(tokens) = crate::pointer::split(ptr).filter(|t| !t.is_empty()) else {
                problems.push(Problem::Invalid {
                    at: at.clone(),
                    message: format!("`{ptr}` is not a JSON Pointer into the source's document"),
                });
                continue;
            };
            let key = mapping.key();
            if !keys.contains_key(key) && !derived.contains(key) {
                let known =
                    keys.keys().map(String::as_str).chain(bundle.derive.iter().map(|d| d.key.as_str()));
                problems.push(Problem::unknown(format!("{at}, fields {ptr}"), "field", key, known));
                continue;
            }
            let transform = match mapping.transform().map(|t| ValueTransform::new(t, limits)).transpose() {
                Ok(t) => t,
                Err(e) => {
                    problems
                        .push(Problem::Invalid { at: format!("{at}, fields {ptr}"), message: e.to_string() });
                    continue;
                }
            };
            fields.push((ptr.clone(), tokens, key.to_owned(), transform));
        }
        for m in s.materials.iter().filter(|m| !reuse.contains(m.as_str())) {
            let known = bundle.items.iter().flat_map(|i| i.materials.iter().map(|m| m.reuse_key()));
            problems.push(Problem::unknown(at.clone(), "material", m, known));
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
    let mut declared = HashSet::new();
    let mut reported = HashSet::new();
    for s in &bundle.sources {
        if !declared.insert(s.id.as_str()) && reported.insert(s.id.as_str()) {
            problems.push(Problem::DuplicateId { what: "source".into(), id: s.id.clone() });
        }
    }
    let produced: HashSet<&str> =
        bundle.items.iter().flat_map(|i| i.produces.iter().map(String::as_str)).collect();
    for item in &bundle.items {
        for m in &item.materials {
            for s in m.sources.iter().filter(|s| !declared.contains(s.as_str())) {
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
                problems.push(Problem::unknown(at, what, id, known.into_iter()));
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

/// Filled values by canonical key, in form order (hashed with foldhash's fixed state: each
/// prefill inserts and looks up every key of the form).
pub type FilledValues = IndexMap<String, Filled, FixedState>;

/// The result of a prefill.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Prefill {
    /// Every key with a value, in form order: typed, filled from a source, or derived.
    pub values: FilledValues,
    /// Typed values that differ from an authoritative source (kept, and flagged).
    pub conflicts: Vec<Conflict>,
    /// Materials satisfied by data sharing, by reuse key, with the source.
    pub materials: IndexMap<String, String>,
    /// Keys of the applicable items' forms still without a value, in form order.
    pub to_type: Vec<String>,
    /// What could not be used, per source or field.
    pub notes: Vec<PrefillNote>,
    /// How much the applicant was spared.
    pub figures: Figures,
    /// Derivations that ran.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceEntry>,
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Filled {
    /// The canonical value.
    pub value: Value,
    /// Its origin.
    pub origin: FillOrigin,
    /// Filled by an authoritative source: the applicant may not change it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum FillOrigin {
    /// The applicant typed it.
    Applicant,
    /// A data source: its id and the path in its document.
    Source {
        /// The source.
        source: String,
        /// JSON Pointer in the source's document.
        pointer: String,
    },
    /// A derive rule computed it.
    Derived {
        /// The rule (its key).
        rule: String,
        /// The keys it read.
        reads: Vec<String>,
    },
}

/// A typed value that disagrees with an authoritative source.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Conflict {
    /// The canonical key.
    pub key: String,
    /// What the applicant typed (kept).
    pub typed: Value,
    /// What the authoritative source holds.
    pub authoritative: Value,
    /// The source.
    pub source: String,
    /// What to tell the applicant.
    pub message: Text,
}

/// Something a source could not give.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PrefillNote {
    /// The source.
    pub source: String,
    /// The canonical key, when the note is about one field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// What happened.
    pub message: Text,
}

/// How much prefill and sharing spared the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Figures {
    /// Fields of the applicable items filled from sources or derived.
    pub fields_prefilled: usize,
    /// Fields of the applicable items.
    pub fields_total: usize,
    /// Required materials satisfied by data sharing.
    pub materials_shared: usize,
    /// Required materials of the applicable items.
    pub materials_total: usize,
    /// Nothing is left to upload (零材料提交).
    pub zero_material: bool,
}

impl Prefill {
    /// The submission these values make, materials satisfied by sharing marked `shared`.
    pub fn submission(&self) -> Submission {
        let mut s = Submission::default();
        for (k, f) in &self.values {
            s.values_mut().insert(k.clone(), f.value.clone());
        }
        for m in self.materials.keys() {
            s.materials.insert(m.clone(), MaterialStatus::Shared);
        }
        s
    }
}

/// A value a source offers for a key.
struct Offer<'s> {
    value: Value,
    source: &'s CompiledSource,
    pointer: &'s str,
}

impl CompiledBundle {
    /// Prefills from the applicant's typed values and the consented sources' documents.
    /// `date` is the date derive rules see as `today`.
    pub fn prefill(
        &self,
        typed: &Map<String, Value>,
        consent: &[String],
        provider: &dyn SourceProvider,
        date: Option<Date>,
    ) -> Prefill {
        let mut notes = Vec::new();
        let mut offers: IndexMap<&str, Vec<Offer<'_>>, FixedState> = IndexMap::default();
        let mut delivered: Vec<&CompiledSource> = Vec::new();
        for src in self.sources.iter().filter(|s| consent.iter().any(|c| c == &s.id)) {
            let pointers: Vec<&str> = src.fields.iter().map(|(p, ..)| p.as_str()).collect();
            let doc = match provider.fetch(&src.id, &pointers) {
                Ok(Some(doc)) => doc,
                Ok(None) => continue,
                Err(e) => {
                    notes.push(note(
                        &src.id,
                        None,
                        format!("数据源不可用：{e}"),
                        format!("the source is unavailable: {e}"),
                    ));
                    continue;
                }
            };
            if !doc.is_object() {
                notes.push(note(
                    &src.id,
                    None,
                    "数据源文档不是对象，未使用".into(),
                    "the source's document is not an object; not used".into(),
                ));
                continue;
            }
            // A document holding none of the declared fields is another document (or another
            // shape of it): it fills nothing, and it is no proof of the materials either.
            let found: Vec<Option<&Value>> =
                src.fields.iter().map(|(_, tokens, ..)| crate::pointer::get_tokens(&doc, tokens)).collect();
            if !src.fields.is_empty() && found.iter().all(Option::is_none) {
                notes.push(note(
                    &src.id,
                    None,
                    "数据源文档不含本事项需要的任何字段，未使用，请核对文档格式".into(),
                    "the source's document holds none of the fields the bundle reads; not used: check its shape"
                        .into(),
                ));
                continue;
            }
            delivered.push(src);
            for ((ptr, _, key, transform), raw) in src.fields.iter().zip(found) {
                let Some(raw) = raw else { continue };
                let value = match transform.as_ref().map(|t| t.backward(raw)).transpose() {
                    Ok(v) => v.unwrap_or_else(|| raw.clone()),
                    Err(e) => {
                        notes.push(note(
                            &src.id,
                            Some(key),
                            format!("无法转换 {ptr}：{e}"),
                            format!("cannot convert {ptr}: {e}"),
                        ));
                        continue;
                    }
                };
                offers.entry(key.as_str()).or_default().push(Offer { value, source: src, pointer: ptr });
            }
        }
        let (mut values, conflicts) = self.settle(typed, &offers, &mut notes);
        let materials: IndexMap<String, String> = delivered
            .iter()
            .flat_map(|src| src.materials.iter().map(|m| (m.clone(), src.id.clone())))
            .fold(IndexMap::new(), |mut acc, (m, src)| {
                acc.entry(m).or_insert(src);
                acc
            });
        // One preparation serves the derive rules, applicability and the materials required:
        // the values as settled, the materials shared marked so.
        let plain: Map<String, Value> = values.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect();
        let mut s = Submission::with_values(plain);
        for m in materials.keys() {
            s.materials.insert(m.clone(), MaterialStatus::Shared);
        }
        let mut p = self.prepare(&s, date, &EvalOptions::default(), !self.rulebook.derive.is_empty());
        let trace = self.derive_into(&mut values, &mut p);
        let (to_type, figures) = self.figures(&values, &materials, &s, &mut p);
        Prefill { values, conflicts, materials, to_type, notes, figures, trace }
    }

    /// Typed values stay; other keys take the first authoritative offer, else the first.
    fn settle(
        &self,
        typed: &Map<String, Value>,
        offers: &IndexMap<&str, Vec<Offer<'_>>, FixedState>,
        notes: &mut Vec<PrefillNote>,
    ) -> (FilledValues, Vec<Conflict>) {
        let mut values = IndexMap::with_capacity_and_hasher(self.keys.len(), FixedState::default());
        let mut conflicts = Vec::new();
        // Every key once: the form's, then those only sources offer, then those only typed.
        let offered = offers.keys().copied().filter(|k| !self.keys.contains_key(*k));
        let typed_only = typed
            .keys()
            .map(String::as_str)
            .filter(|k| !self.keys.contains_key(*k) && !offers.contains_key(*k));
        let keys = self.keys.keys().map(String::as_str).chain(offered).chain(typed_only);
        for key in keys {
            let offered = offers.get(key).map_or(&[][..], Vec::as_slice);
            // Authoritative sources first, each group in the bundle's order of sources.
            let ranked = || {
                let authoritative = offered.iter().filter(|o| o.source.authoritative);
                authoritative.chain(offered.iter().filter(|o| !o.source.authoritative))
            };
            if let Some(v) = typed.get(key) {
                for o in offered.iter().filter(|o| o.source.authoritative && !json_equal(&o.value, v)) {
                    conflicts.push(Conflict {
                        key: key.to_owned(),
                        typed: v.clone(),
                        authoritative: o.value.clone(),
                        source: o.source.id.clone(),
                        message: Text::new(
                            format!("填写的值与权威数据源「{}」不一致，请核对", o.source.id),
                            format!(
                                "the value typed differs from the authoritative source `{}`: please check",
                                o.source.id
                            ),
                        ),
                    });
                }
                values.insert(
                    key.to_owned(),
                    Filled { value: v.clone(), origin: FillOrigin::Applicant, locked: false },
                );
                continue;
            }
            let Some(first) = ranked().next() else { continue };
            for other in ranked().skip(1).filter(|o| !json_equal(&o.value, &first.value)) {
                notes.push(note(
                    &other.source.id,
                    Some(key),
                    format!("与「{}」的值不同，未采用", first.source.id),
                    format!("differs from `{}`, not used", first.source.id),
                ));
            }
            values.insert(
                key.to_owned(),
                Filled {
                    value: first.value.clone(),
                    origin: FillOrigin::Source {
                        source: first.source.id.clone(),
                        pointer: first.pointer.to_owned(),
                    },
                    locked: first.source.authoritative,
                },
            );
        }
        (values, conflicts)
    }

    /// Takes the values derive rules computed for keys still empty, and their trace.
    fn derive_into(&self, values: &mut FilledValues, p: &mut Prepared<'_>) -> Vec<TraceEntry> {
        // Rules that run after the derivations are not traced.
        let trace = p.trace.take().unwrap_or_default();
        for (key, rule) in &self.rulebook.derive {
            if values.contains_key(key) {
                continue;
            }
            if let Some(v) = p.get(key).filter(|v| !v.is_null()) {
                let from = rule.reads.keys.iter().map(|(k, ..)| k.clone()).collect();
                values.insert(
                    key.clone(),
                    Filled {
                        value: v.clone(),
                        origin: FillOrigin::Derived { rule: rule.id.clone(), reads: from },
                        locked: false,
                    },
                );
            }
        }
        trace.into_iter().filter(|t| t.kind == RuleKind::Derive).collect()
    }

    /// Fields left to type and the figures, over the items that apply to these values.
    fn figures(
        &self,
        values: &FilledValues,
        shared: &IndexMap<String, String>,
        s: &Submission,
        p: &mut Prepared<'_>,
    ) -> (Vec<String>, Figures) {
        let applicable = self.applicability(s, p).items;
        let fields: Vec<&String> = self
            .keys
            .iter()
            .filter(|(_, info)| info.items.iter().any(|i| applicable.contains(i)))
            .map(|(k, _)| k)
            .collect();
        let mut to_type = Vec::new();
        let mut prefilled = 0;
        for k in &fields {
            match values.get(k.as_str()) {
                None => to_type.push((*k).clone()),
                Some(f) if f.origin != FillOrigin::Applicant => prefilled += 1,
                Some(_) => {}
            }
        }
        let required = self.required_materials(p, s, &applicable);
        let materials_shared = required.iter().filter(|m| shared.contains_key(*m)).count();
        let figures = Figures {
            fields_prefilled: prefilled,
            fields_total: fields.len(),
            materials_shared,
            materials_total: required.len(),
            zero_material: materials_shared == required.len(),
        };
        (to_type, figures)
    }
}

fn note(source: &str, key: Option<&str>, zh: String, en: String) -> PrefillNote {
    PrefillNote { source: source.to_owned(), key: key.map(str::to_owned), message: Text::new(zh, en) }
}
