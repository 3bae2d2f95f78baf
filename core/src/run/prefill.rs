//! Prefill (表单预填), material reuse (材料复用) and zero-material applications (零材料提交).
//!
//! The government already holds much of what a form asks: the population and enterprise
//! registers, electronic licences (电子证照), earlier applications. A bundle declares these
//! as [`DataSource`](crate::bundle::DataSource)s: which canonical keys each fills in (with transforms, as a field map),
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
//! A list an authoritative source fills (the co-owners the property register records) is
//! locked row by row in the columns the source fills; the columns it does not fill (each
//! seller's only-home declaration) stay the applicant's to complete
//! ([`Filled::open_columns`]). A typed list that agrees with the source on the source's
//! columns is the source's list completed, not a conflict.
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

use foldhash::fast::FixedState;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::base::date::Date;
use crate::base::text::Text;
use crate::compile::CompiledBundle;
use crate::compile::sources::CompiledSource;
use crate::model::decision::{RuleKind, TraceEntry};
use crate::model::submission::{MaterialStatus, Submission};
use crate::run::evaluate::{EvalOptions, Prepared, Verdict};
use crate::run::validate::Applicability;
use crate::schema::json_equal;

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

/// The lists one source fills, as they are read: by list key and the array's path in the
/// document, the first column's pointer, the rows so far and the columns the source fills.
type ListRows<'a> =
    IndexMap<(&'a str, &'a [String]), (&'a str, Vec<Map<String, Value>>, Vec<&'a str>), FixedState>;

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
    /// Keys the applicant must still type, in form order: required by an applicable item
    /// (always, or by the choices made so far, such as a retirement type), without a value,
    /// and not hidden by a visibility rule. Optional fields are not listed.
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
    /// Filled by an authoritative source: the applicant may not change it. For a list: its
    /// rows, and the columns the source fills (see `open_columns`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
    /// For a locked list: its columns the source does not fill, which the applicant
    /// completes row by row (a seller's only-home declaration beside the register's names,
    /// ID numbers and shares). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_columns: Vec<String>,
}

impl Filled {
    /// A value the applicant typed.
    fn typed(value: Value) -> Filled {
        Filled { value, origin: FillOrigin::Applicant, locked: false, open_columns: Vec::new() }
    }
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

/// A value a source offers for a key; for a list, with the columns the source fills.
struct Offer<'s> {
    value: Value,
    source: &'s CompiledSource,
    pointer: &'s str,
    columns: Vec<&'s str>,
}

impl Offer<'_> {
    /// Whether `typed` is this list completed: as many rows, each equal to the source's in
    /// every column the source fills (absent in both counts as equal).
    fn completed_by(&self, typed: &Value) -> bool {
        let (Value::Array(ours), Value::Array(theirs)) = (&self.value, typed) else { return false };
        !self.columns.is_empty()
            && ours.len() == theirs.len()
            && ours.iter().zip(theirs).all(|(o, t)| {
                self.columns.iter().all(|c| match (o.get(*c), t.get(*c)) {
                    (None, None) => true,
                    (Some(a), Some(b)) => json_equal(a, b),
                    _ => false,
                })
            })
    }
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
            // A list's column: the array its pointer goes through (`*`), read element by
            // element below.
            let found: Vec<Option<&Value>> = src
                .fields
                .iter()
                .map(|(_, tokens, _, _, column)| {
                    let upto = column.as_ref().map_or(tokens.len(), |(star, _)| *star);
                    crate::base::pointer::get_tokens(&doc, tokens.get(..upto).unwrap_or_default())
                        .filter(|v| column.is_none() || v.is_array())
                })
                .collect();
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
            let mut lists: ListRows<'_> = IndexMap::default();
            for ((ptr, tokens, key, transform, column), raw) in src.fields.iter().zip(found) {
                let Some(raw) = raw else { continue };
                if let (Some((star, column)), Value::Array(elements)) = (column, raw) {
                    let array = tokens.get(..*star).unwrap_or_default();
                    let (_, rows, columns) = lists
                        .entry((key.as_str(), array))
                        .or_insert_with(|| (ptr.as_str(), Vec::new(), Vec::new()));
                    columns.push(column.as_str());
                    rows.resize_with(elements.len(), Map::new);
                    let below = tokens.get(star + 1..).unwrap_or_default();
                    for (element, row) in elements.iter().zip(rows.iter_mut()) {
                        let Some(raw) = crate::base::pointer::get_tokens(element, below) else { continue };
                        match transform.as_ref().map(|t| t.backward(raw)).transpose() {
                            Ok(v) => {
                                row.insert(column.clone(), v.unwrap_or_else(|| raw.clone()));
                            }
                            Err(e) => notes.push(note(
                                &src.id,
                                Some(key),
                                format!("无法转换 {ptr}：{e}"),
                                format!("cannot convert {ptr}: {e}"),
                            )),
                        }
                    }
                    continue;
                }
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
                let offer = Offer { value, source: src, pointer: ptr, columns: Vec::new() };
                offers.entry(key.as_str()).or_default().push(offer);
            }
            // Each array read as one list (the rows in the source's order).
            for ((key, _), (pointer, rows, columns)) in lists {
                let value = Value::Array(rows.into_iter().map(Value::Object).collect());
                offers.entry(key).or_default().push(Offer { value, source: src, pointer, columns });
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
                let mut kept = Filled::typed(v.clone());
                for o in offered.iter().filter(|o| o.source.authoritative) {
                    if o.completed_by(v) {
                        // The source's list, completed in its open columns: the source's
                        // still (the first such source), the typed value kept as typed.
                        if kept.origin == FillOrigin::Applicant {
                            kept = self.filled_from(o, v.clone(), key);
                        }
                        continue;
                    }
                    if json_equal(&o.value, v) {
                        continue;
                    }
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
                values.insert(key.to_owned(), kept);
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
            values.insert(key.to_owned(), self.filled_from(first, first.value.clone(), key));
        }
        (values, conflicts)
    }

    /// `value` as offer `o` fills key `key`: locked when the source is authoritative, a
    /// list then open in the columns the source does not fill.
    fn filled_from(&self, o: &Offer<'_>, value: Value, key: &str) -> Filled {
        let open_columns = match self.keys.get(key) {
            Some(info) if o.source.authoritative && !o.columns.is_empty() => {
                info.columns.keys().filter(|c| !o.columns.contains(&c.as_str())).cloned().collect()
            }
            _ => Vec::new(),
        };
        Filled {
            value,
            origin: FillOrigin::Source { source: o.source.id.clone(), pointer: o.pointer.to_owned() },
            locked: o.source.authoritative,
            open_columns,
        }
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
                        open_columns: Vec::new(),
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
        let applicability = self.applicability(s, p);
        let applicable = applicability.items.clone();
        let missing = self.missing_required(s, p, applicability);
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
                None if missing.contains(k) => to_type.push((*k).clone()),
                None => {}
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

impl CompiledBundle {
    /// The keys validation finds required and missing for these values (always required by
    /// an applicable item, or by a condition the values meet), less those a visibility rule
    /// hides (a rule that cannot decide shows its field, as the wizard does).
    fn missing_required(
        &self,
        s: &Submission,
        p: &mut Prepared<'_>,
        applicability: Applicability,
    ) -> Vec<String> {
        let checked = self.check_applicable(s, p, applicability);
        let hidden: Vec<&str> = self
            .rulebook
            .visible_if
            .iter()
            .filter(|(_, rule)| {
                matches!(self.run_rule(p, rule, RuleKind::VisibleIf, None, None), Verdict::Fail(_))
            })
            .map(|(k, _)| k.as_str())
            .collect();
        let errors = checked.validation.errors.into_iter();
        let missing = errors.filter(|e| matches!(e.keyword.as_str(), "required" | "dependentRequired"));
        missing.filter_map(|e| e.key).filter(|k| !hidden.contains(&k.as_str())).collect()
    }
}

fn note(source: &str, key: Option<&str>, zh: String, en: String) -> PrefillNote {
    PrefillNote { source: source.to_owned(), key: key.map(str::to_owned), message: Text::new(zh, en) }
}
