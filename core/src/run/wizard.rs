//! The headless single-form wizard (一表申请，分步填写): the merged form filled step by step.
//!
//! Front ends embed the merged form as a wizard in their own UI kit. [`Wizard`] holds what
//! the applicant has answered so far and, after every change, tells the front end what to
//! show ([`WizardState`]): the steps and their fields (value, where it came from, locked,
//! visible, required, bilingual errors), which items apply now, early eligibility warnings,
//! the materials now needed, the progress, and whether the current step and the whole form
//! are complete. Nothing is recomputed by hand here: applicability, validation, eligibility
//! and material conditions are the ones [`CompiledBundle::validate`] and
//! [`CompiledBundle::evaluate`] use, so the wizard never disagrees with the final decision.
//!
//! A draft ([`Draft`]) saves the answers with the bundle's id and version and resumes only on
//! that bundle; [`Wizard::submit`] gives the [`Submission`] that `evaluate()` and
//! `dispatch()` take.
//!
//! ```
//! use onething::{load, CompiledBundle, Date};
//! use onething::wizard::Wizard;
//! use serde_json::json;
//!
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/newborn");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let mut wizard = Wizard::new(&compiled, None, Some("2026-04-02".parse::<Date>()?));
//! wizard.set("baby.name", json!("陈沐阳"))?;
//! wizard.set("baby.weight_g", json!("heavy"))?; // wrongly typed: a field error, not a panic
//! assert!(wizard.set("baby.nmae", json!("x")).is_err()); // unknown key: "did you mean…"
//! let state = wizard.state();
//! let weight = state.field("baby.weight_g").unwrap();
//! assert!(!weight.errors.is_empty());
//! assert!(!state.complete);
//! let draft = wizard.save();
//! let resumed = Wizard::resume(&compiled, draft, Some("2026-04-02".parse::<Date>()?))?;
//! assert_eq!(resumed.state(), state);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `state()` is incremental where it pays: each rule's and derived field's reads are known
//! from its syntax tree (`rules::reads`), so a rule or derivation runs again only when a key
//! it reads (derived keys included), a material status, a commitment or the applicant's
//! facts changed; other verdicts and derived values are reused. Validation runs on the whole form each time (one compiled validator). The state
//! stays a pure function of the answers, materials, choices and date: the tests check, over
//! random edit sequences on every fixture, that it equals a full recompute.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::base::date::Date;
use crate::base::text::Text;
use crate::compile::CompiledBundle;
use crate::compile::items::PerItem;
use crate::compile::rulebook::{CompiledCheck, CompiledRule};
use crate::model::bundle::{Bundle, ItemIx, MaterialKind};
use crate::model::decision::RuleKind;
use crate::model::submission::{Applicant, MaterialStatus, Submission};
use crate::run::evaluate::{DeriveMemo, ElementInputs, EvalOptions, Prepared, Verdict, check_ready};
use crate::run::prefill::{FillOrigin, Prefill};
use crate::run::validate::Applicability;

/// What the wizard refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WizardError {
    /// The bundle's form has no such field.
    #[error("unknown field `{key}`{}", hint(suggestion.as_deref()))]
    UnknownKey {
        /// The key given.
        key: String,
        /// The closest key of the form, if one is close.
        suggestion: Option<String>,
    },
    /// The field was filled by an authoritative source (一数一源): the applicant may not change it.
    #[error("field `{key}` comes from an authoritative source and cannot be changed")]
    Locked {
        /// The key.
        key: String,
    },
    /// No item of the bundle asks for such a material.
    #[error("unknown material `{id}`{}", hint(suggestion.as_deref()))]
    UnknownMaterial {
        /// The id (reuse key) given.
        id: String,
        /// The closest material, if one is close.
        suggestion: Option<String>,
    },
    /// The bundle has no such item.
    #[error("unknown item `{0}`")]
    UnknownItem(String),
    /// The wizard has no such step.
    #[error("no step {0}")]
    UnknownStep(usize),
    /// The field is not a list mapped column by column, so it has no rows.
    #[error("field `{key}` is not a list")]
    NotAList {
        /// The key.
        key: String,
    },
    /// A row must be an object over the list's columns.
    #[error("a row of `{key}` must be an object over its columns, not {found}")]
    NotARow {
        /// The list's key.
        key: String,
        /// What was given, in short.
        found: String,
    },
    /// The list has no row at that index.
    #[error("`{key}` has no row {index} (it has {rows})")]
    NoRow {
        /// The list's key.
        key: String,
        /// The index given (from 0).
        index: usize,
        /// How many rows it has.
        rows: usize,
    },
    /// The list has no such column.
    #[error("`{key}` has no column `{column}`{}", hint(suggestion.as_deref()))]
    UnknownColumn {
        /// The list's key.
        key: String,
        /// The column given.
        column: String,
        /// The closest column, if one is close.
        suggestion: Option<String>,
    },
    /// The list is full: a department accepts at most `max` rows (`maxItems`).
    #[error("`{key}` has at most {max} rows")]
    TooManyRows {
        /// The list's key.
        key: String,
        /// The most rows the merged form accepts.
        max: u64,
    },
    /// The draft was saved for another bundle, or another version of it.
    #[error(
        "the draft is for `{found}` version `{found_version}`, not `{expected}` version `{expected_version}`"
    )]
    WrongBundle {
        /// The bundle's id.
        expected: String,
        /// The bundle's version.
        expected_version: String,
        /// The draft's bundle id.
        found: String,
        /// The draft's bundle version.
        found_version: String,
    },
}

/// The error for a draft of another bundle or version than `b`.
fn wrong_bundle(b: &Bundle, draft: Draft) -> WizardError {
    WizardError::WrongBundle {
        expected: b.id.clone(),
        expected_version: b.version.clone(),
        found: draft.bundle,
        found_version: draft.version,
    }
}

fn hint(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
}

impl WizardError {
    /// What to tell the applicant, in both languages.
    pub fn text(&self) -> Text {
        let zh_hint =
            |s: &Option<String>| s.as_ref().map(|s| format!("（是否为「{s}」？）")).unwrap_or_default();
        match self {
            WizardError::UnknownKey { key, suggestion } => {
                Text::new(format!("表单中没有字段「{key}」{}", zh_hint(suggestion)), self.to_string())
            }
            WizardError::Locked { key } => {
                Text::new(format!("字段「{key}」来自权威数据源，不能修改"), self.to_string())
            }
            WizardError::UnknownMaterial { id, suggestion } => {
                Text::new(format!("没有事项需要材料「{id}」{}", zh_hint(suggestion)), self.to_string())
            }
            WizardError::NotAList { key } => Text::new(format!("「{key}」不是列表"), self.to_string()),
            WizardError::NotARow { key, .. } => {
                Text::new(format!("「{key}」的每一项须为按列填写的对象"), self.to_string())
            }
            WizardError::NoRow { key, index, rows } => {
                Text::new(format!("「{key}」没有第{}项（共{rows}项）", index + 1), self.to_string())
            }
            WizardError::UnknownColumn { key, column, suggestion } => {
                Text::new(format!("「{key}」没有「{column}」一栏{}", zh_hint(suggestion)), self.to_string())
            }
            WizardError::TooManyRows { key, max } => {
                Text::new(format!("「{key}」最多{max}项"), self.to_string())
            }
            WizardError::UnknownItem(id) => Text::new(format!("没有事项「{id}」"), self.to_string()),
            WizardError::UnknownStep(n) => Text::new(format!("没有第 {n} 步"), self.to_string()),
            WizardError::WrongBundle { expected, expected_version, .. } => Text::new(
                format!("草稿不属于「{expected}」第 {expected_version} 版，无法继续填写"),
                self.to_string(),
            ),
        }
    }
}

/// Where a value came from: typed, filled from a data source, or derived (the prefill's
/// origins, kept by the wizard).
pub type Provenance = FillOrigin;

/// A prefilled value's origin, kept with the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Origin {
    /// Where the value came from.
    pub provenance: Provenance,
    /// Filled by an authoritative source: the applicant may not change it. For a list: its
    /// rows, and every column but the open ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
    /// For a locked list: the columns the source does not fill, which the applicant
    /// completes with [`Wizard::set_cell`] ([`Filled::open_columns`](crate::prefill::Filled::open_columns)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_columns: Vec<String>,
}

/// A saved wizard: resumes only on the bundle id and version it was saved with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// The bundle's id.
    pub bundle: String,
    /// The bundle's version.
    pub version: String,
    /// Canonical key → value.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub answers: IndexMap<String, Value>,
    /// Values not typed by the applicant: where they came from.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub origins: IndexMap<String, Origin>,
    /// Material statuses, by reuse key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub materials: IndexMap<String, MaterialStatus>,
    /// Optional items chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opt_in: Vec<String>,
    /// Commitments signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commitments: Vec<String>,
    /// Facts about the applicant from the host's registers.
    #[serde(default, skip_serializing_if = "Applicant::is_empty")]
    pub applicant: Applicant,
    /// The step the applicant was on (0-based).
    #[serde(default)]
    pub current: usize,
}

/// What [`Wizard::migrate`] left behind of a draft saved under another version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct Migration {
    /// The draft's version.
    pub from_version: String,
    /// The bundle's version now.
    pub to_version: String,
    /// Answers whose canonical key the new version does not have.
    pub answers_dropped: Vec<String>,
    /// Material statuses of materials (reuse keys) no item asks for any more.
    pub materials_dropped: Vec<String>,
    /// Chosen optional items the new version does not have.
    pub items_dropped: Vec<String>,
}

/// What to show, after every change.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WizardState {
    /// The bundle's id.
    pub bundle: String,
    /// The bundle's version.
    pub version: String,
    /// Every step, visible or not, in order.
    pub steps: Vec<StepState>,
    /// The current step (index into `steps`).
    pub current: usize,
    /// The current step is complete.
    pub current_complete: bool,
    /// The items that apply now, in bundle order.
    pub applicable: Vec<String>,
    /// Optional items the applicant may choose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional: Vec<OptionalItem>,
    /// Eligibility rules that fail on the answers so far: the application would be rejected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<EligibilityWarning>,
    /// Errors not about one visible field (the bundle, rules that cannot decide).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Message>,
    /// The materials the applicable items now require.
    pub materials: Vec<MaterialNeed>,
    /// Required fields filled, of the visible ones.
    pub progress: Progress,
    /// Every visible required field is filled and no field has an error.
    pub complete: bool,
}

/// One step of the wizard.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StepState {
    /// The section's id (or `applicant`, an item's id, `other`).
    pub id: String,
    /// Its title.
    pub title: Text,
    /// Some field of it is visible.
    pub visible: bool,
    /// Every visible required field is filled, no visible field has an error.
    pub complete: bool,
    /// Its fields, in display order.
    pub fields: Vec<FieldState>,
}

/// One field.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FieldState {
    /// The canonical key.
    pub key: String,
    /// Its title.
    pub title: Text,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Its value (typed, prefilled or derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Where the value came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// The applicant may not change it. For a list an authoritative source filled: its rows
    /// and its columns marked `locked` (see [`ColumnState::locked`]); the others stay open.
    pub locked: bool,
    /// Some applicable item declares it.
    pub visible: bool,
    /// Some applicable item requires it.
    pub required: bool,
    /// What is wrong with its value, bilingual, naming the field by its title.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Message>,
    /// It is required and has no value yet: what to say when the applicant moves on.
    /// (Kept apart from `errors`, so that a form is not red before it is filled.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Text>,
    /// For a list mapped column by column: its rows and columns. Its rows' errors are in
    /// `errors`, each with the row's pointer (`/shareholders/1/id_number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListState>,
}

/// A list field's rows and columns, for editing it row by row ([`Wizard::add_row`],
/// [`Wizard::set_cell`], [`Wizard::move_row`], [`Wizard::remove_row`]).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ListState {
    /// Each row's name, in order (第1位股东 / shareholder 1).
    pub rows: Vec<Text>,
    /// The columns, in form order.
    pub columns: Vec<ColumnState>,
    /// The fewest rows the merged form accepts, if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// The most rows the merged form accepts, if it says; [`Wizard::add_row`] refuses more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
}

/// One column of a list.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ColumnState {
    /// The column (`name` of `shareholders[].name`).
    pub key: String,
    /// Its title.
    pub title: Text,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Every row must fill it (some department requires it).
    pub required: bool,
    /// An authoritative source fills it: its cells cannot be changed
    /// ([`Wizard::set_cell`] refuses them). In a locked list, the columns not locked are the
    /// applicant's to complete.
    pub locked: bool,
}

/// An error message.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Message {
    /// The canonical key, when the message is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// JSON Pointer into the answers.
    pub pointer: String,
    /// The constraint that failed.
    pub keyword: String,
    /// What to tell the applicant.
    pub message: Text,
    /// The items whose constraint failed.
    pub items: Vec<String>,
}

/// An optional item and whether it is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct OptionalItem {
    /// The item's id.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// Chosen.
    pub chosen: bool,
}

/// A failing eligibility rule.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EligibilityWarning {
    /// The item (none for a rule of the whole bundle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The rule's id.
    pub rule: String,
    /// Why.
    pub message: Text,
}

/// A material the applicable items require now.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MaterialNeed {
    /// Its reuse key.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// The applicable items asking for it.
    pub items: Vec<String>,
    /// Its status, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MaterialStatus>,
    /// It may be missing at acceptance (容缺): a tolerable secondary material of some item
    /// asking for it, and the bundle's policy tolerates. Whether it is tolerated is still the
    /// decision's (the applicant's commitment letter, their record, the policy's rule).
    pub tolerable: bool,
    /// A signed commitment may replace it (告知承诺): the material and the bundle allow it
    /// (the decision still refuses it to an applicant on a dishonesty list).
    pub commitment: bool,
    /// The data sources that can satisfy it without an upload (status `shared`), by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// How far the applicant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Progress {
    /// Visible required fields with a value.
    pub filled: usize,
    /// Visible required fields.
    pub required: usize,
}

/// A step as laid out once.
#[derive(Debug, Clone)]
struct StepDef {
    id: String,
    title: Text,
    keys: Vec<String>,
}

/// The wizard: the answers so far, over one compiled bundle.
#[derive(Debug, Clone)]
pub struct Wizard<'b> {
    bundle: &'b CompiledBundle,
    date: Option<Date>,
    steps: Vec<StepDef>,
    /// Per key (index in the form's keys): some step shows it.
    shown: Vec<bool>,
    /// Per key (index in the form's keys): the items requiring it whenever they apply.
    required_by: Vec<Vec<ItemIx>>,
    /// Everything given so far, as the submission it makes: every answer (hidden ones too,
    /// `values` always an object), material statuses, chosen items, commitments and the
    /// applicant's facts. Kept in this form so that a state borrows it instead of copying
    /// every answer (the cells of a 100-row list) on each keystroke.
    given: Submission,
    origins: IndexMap<String, Origin>,
    current: usize,
    /// Rule verdicts of earlier states, with the inputs they were computed on.
    cache: Arc<Mutex<RuleCache>>,
}

/// Which rule a cached verdict belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RuleId {
    /// Item `i`'s `applies_if`.
    AppliesIf(ItemIx),
    /// Eligibility rule `j` of item `i`, or of the bundle (`None`).
    Eligibility(Option<ItemIx>, usize),
    /// The `required_if` of item `i`'s material `j`.
    RequiredIf(ItemIx, usize),
    /// The visibility rule of field `j`.
    VisibleIf(usize),
    /// Consistency check `j` of item `i`, or of the bundle (`None`).
    Check(Option<ItemIx>, usize),
}

/// Verdicts and derived values of earlier runs. One is reused when the values of the keys its
/// rule reads (derived values included) are the same, and so are the materials, commitments
/// and applicant facts every rule may read; a rule with computed reads always runs again.
#[derive(Default)]
struct RuleCache {
    context: Option<(IndexMap<String, MaterialStatus>, Vec<String>, Applicant)>,
    verdicts: HashMap<RuleId, (Vec<Option<Value>>, Verdict)>,
    /// Verdicts of rules run on each element of a list, by rule and element index.
    elements: HashMap<(RuleId, usize), (ElementInputs, Verdict)>,
    /// Derived values, reused the same way.
    derived: DeriveMemo,
    runs: usize,
}

impl std::fmt::Debug for RuleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleCache").field("verdicts", &self.verdicts.len()).field("runs", &self.runs).finish()
    }
}

impl<'b> Wizard<'b> {
    /// A wizard on a bundle, starting from a prefill's values (typed, from sources, derived)
    /// and evaluating date-dependent rules on `date` (without one, rules reading `today`
    /// cannot decide and give no warning).
    pub fn new(bundle: &'b CompiledBundle, prefill: Option<&Prefill>, date: Option<Date>) -> Wizard<'b> {
        let required_by = bundle
            .keys
            .keys()
            .map(|k| {
                let by = bundle.items.iter();
                by.filter(|(_, c)| c.translation.required.iter().any(|(r, _)| r == k))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let steps = steps_of(bundle);
        let mut shown = vec![false; bundle.keys.len()];
        for k in steps.iter().flat_map(|s| s.keys.iter()) {
            if let Some(slot) = bundle.keys.get_index_of(k).and_then(|i| shown.get_mut(i)) {
                *slot = true;
            }
        }
        let mut w = Wizard {
            bundle,
            date,
            steps,
            shown,
            required_by,
            given: Submission {
                bundle: Some(bundle.bundle.id.clone()),
                values: Value::Object(Map::new()),
                ..Submission::default()
            },
            origins: IndexMap::new(),
            current: 0,
            cache: Arc::default(),
        };
        if let Some(p) = prefill {
            for (key, filled) in &p.values {
                // Derived keys that are not fields are recomputed on every state.
                if !bundle.keys.contains_key(key) || filled.value.is_null() {
                    continue;
                }
                w.answers_mut().insert(key.clone(), filled.value.clone());
                if filled.origin != FillOrigin::Applicant || filled.locked {
                    w.origins.insert(
                        key.clone(),
                        Origin {
                            provenance: filled.origin.clone(),
                            locked: filled.locked,
                            open_columns: filled.open_columns.clone(),
                        },
                    );
                }
            }
            for m in p.materials.keys() {
                w.given.materials.insert(m.clone(), MaterialStatus::Shared);
            }
        }
        w
    }

    /// Resumes a saved draft, refusing one of another bundle or version, or naming fields,
    /// materials or items the bundle does not have ([`Wizard::migrate`] takes a draft of
    /// another version).
    pub fn resume(
        bundle: &'b CompiledBundle,
        draft: Draft,
        date: Option<Date>,
    ) -> Result<Wizard<'b>, WizardError> {
        let b = &bundle.bundle;
        if draft.bundle != b.id || draft.version != b.version {
            return Err(wrong_bundle(b, draft));
        }
        let mut w = Wizard::new(bundle, None, date);
        for key in draft.answers.keys().chain(draft.origins.keys()) {
            w.check_key(key)?;
        }
        for m in draft.materials.keys() {
            w.check_material(m)?;
        }
        for i in &draft.opt_in {
            bundle.items.find(i).ok_or_else(|| WizardError::UnknownItem(i.clone()))?;
        }
        if draft.current >= w.steps.len().max(1) {
            return Err(WizardError::UnknownStep(draft.current));
        }
        *w.answers_mut() = draft.answers.into_iter().collect();
        w.origins = draft.origins;
        w.given.materials = draft.materials;
        w.given.opt_in = draft.opt_in;
        w.given.commitments = draft.commitments;
        w.given.applicant = draft.applicant;
        w.current = draft.current;
        Ok(w)
    }

    /// Resumes a draft saved under another version of this bundle (the same id), when
    /// [`Wizard::resume`] refuses it for its version: what the new version still has is
    /// kept — answers and their origins by canonical key, material statuses by reuse key,
    /// chosen items, commitments, the applicant's facts, the step (the last one if there
    /// are fewer) — and the [`Migration`] lists what was left behind, for the host to tell
    /// the applicant. A draft of another bundle is refused, as `resume` refuses it.
    /// `onething diff OLD NEW` says beforehand which answers a migration would lose.
    pub fn migrate(
        bundle: &'b CompiledBundle,
        draft: Draft,
        date: Option<Date>,
    ) -> Result<(Wizard<'b>, Migration), WizardError> {
        let b = &bundle.bundle;
        if draft.bundle != b.id {
            return Err(wrong_bundle(b, draft));
        }
        let mut w = Wizard::new(bundle, None, date);
        let mut m =
            Migration { from_version: draft.version, to_version: b.version.clone(), ..Migration::default() };
        for (key, value) in draft.answers {
            if w.check_key(&key).is_ok() {
                w.answers_mut().insert(key, value);
            } else {
                m.answers_dropped.push(key);
            }
        }
        w.origins = draft.origins.into_iter().filter(|(key, _)| w.answers().contains_key(key)).collect();
        for (id, status) in draft.materials {
            if w.check_material(&id).is_ok() {
                w.given.materials.insert(id, status);
            } else {
                m.materials_dropped.push(id);
            }
        }
        for id in draft.opt_in {
            if bundle.items.find(&id).is_some() {
                w.given.opt_in.push(id);
            } else {
                m.items_dropped.push(id);
            }
        }
        w.given.commitments = draft.commitments;
        w.given.applicant = draft.applicant;
        w.current = draft.current.min(w.steps.len().saturating_sub(1));
        Ok((w, m))
    }

    /// Saves the answers, with the bundle's id and version.
    pub fn save(&self) -> Draft {
        Draft {
            bundle: self.bundle.bundle.id.clone(),
            version: self.bundle.bundle.version.clone(),
            answers: self.answers().iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            origins: self.origins.clone(),
            materials: self.given.materials.clone(),
            opt_in: self.given.opt_in.clone(),
            commitments: self.given.commitments.clone(),
            applicant: self.given.applicant.clone(),
            current: self.current,
        }
    }

    /// The submission the answers make, for [`CompiledBundle::evaluate`] and
    /// [`CompiledBundle::dispatch`]: the values of fields a visibility rule hides now are left
    /// out (the wizard keeps them, should the field be shown again). Derived values are left
    /// to the evaluation.
    pub fn submit(&self) -> Submission {
        self.submission(&mut self.cache()).0.into_owned()
    }

    /// The answers, every one of them, hidden or not (an object).
    fn answers_mut(&mut self) -> &mut Map<String, Value> {
        if !self.given.values.is_object() {
            self.given.values = Value::Object(Map::new());
        }
        match &mut self.given.values {
            Value::Object(values) => values,
            // Made an object just above.
            _ => unreachable!(),
        }
    }

    /// The submission, and what the visibility rules say of each field. Borrowed from the
    /// answers unless a field is hidden now (its value is then left out of a copy).
    fn submission(&self, cache: &mut RuleCache) -> (Cow<'_, Submission>, Visibility) {
        if self.bundle.rulebook.visible_if.is_empty() {
            return (Cow::Borrowed(&self.given), Visibility::default());
        }
        let visibility = self.visibility(cache, &self.given);
        if visibility.hidden.iter().all(|key| !self.answers().contains_key(key)) {
            return (Cow::Borrowed(&self.given), visibility);
        }
        let mut s = self.given.clone();
        if let Value::Object(values) = &mut s.values {
            for key in &visibility.hidden {
                values.remove(key);
            }
        }
        (Cow::Owned(s), visibility)
    }

    /// Runs the visibility rules on every answer (a rule may read a field it hides).
    fn visibility(&self, cache: &mut RuleCache, all: &Submission) -> Visibility {
        let b = self.bundle;
        let mut p = b.prepare_memo(all, self.date, &EvalOptions::default(), false, Some(&mut cache.derived));
        let mut out = Visibility::default();
        for (j, (key, rule)) in b.rulebook.visible_if.iter().enumerate() {
            match self.verdict(cache, &mut p, rule, RuleId::VisibleIf(j), (RuleKind::VisibleIf, None, None)) {
                Verdict::Pass => {}
                Verdict::Fail(_) => {
                    out.hidden.insert(key.clone());
                }
                // A rule that cannot decide shows the field: better asked than lost.
                Verdict::Error(e) => {
                    let title = b
                        .keys
                        .get(key)
                        .map_or_else(|| Text::new(key.clone(), key.clone()), |k| k.title.clone());
                    out.errors.push(Message {
                        key: Some(key.clone()),
                        pointer: crate::base::pointer::join("", key),
                        keyword: "visible_if".into(),
                        message: Text::new(
                            format!("「{}」的显示规则无法判断（{}），该字段照常显示", title.zh, e.message),
                            format!(
                                "the visibility rule of “{}” cannot decide ({}); the field is shown",
                                title.en, e.message
                            ),
                        ),
                        items: Vec::new(),
                    });
                }
            }
        }
        out
    }

    fn check_key(&self, key: &str) -> Result<(), WizardError> {
        if self.bundle.keys.contains_key(key) {
            return Ok(());
        }
        Err(WizardError::UnknownKey {
            key: key.to_owned(),
            suggestion: closest(key, self.bundle.keys.keys().map(String::as_str)),
        })
    }

    fn check_material(&self, id: &str) -> Result<(), WizardError> {
        let all = || self.bundle.bundle.items.iter().flat_map(|i| i.materials.iter().map(|m| m.reuse_key()));
        // A material of each element of a list: by its key and the element's index.
        if self.bundle.bundle.material_of(id).is_some() {
            return Ok(());
        }
        // A material of each element named without an element: its first element's.
        let per_element = self.bundle.bundle.items.iter().flat_map(|i| &i.materials);
        if per_element.filter(|m| m.for_each.is_some()).any(|m| m.reuse_key() == id) {
            return Err(WizardError::UnknownMaterial {
                id: id.to_owned(),
                suggestion: Some(format!("{id}[0]")),
            });
        }
        Err(WizardError::UnknownMaterial { id: id.to_owned(), suggestion: closest(id, all()) })
    }

    fn check_unlocked(&self, key: &str) -> Result<(), WizardError> {
        self.check_key(key)?;
        if self.origins.get(key).is_some_and(|o| o.locked) {
            return Err(WizardError::Locked { key: key.to_owned() });
        }
        Ok(())
    }

    /// Answers a field. Any JSON value is taken: one of the wrong type or shape is reported
    /// as the field's error in [`Wizard::state`]. `null` clears the field.
    pub fn set(&mut self, key: &str, value: Value) -> Result<(), WizardError> {
        self.check_unlocked(key)?;
        if value.is_null() {
            return self.unset(key);
        }
        self.origins.shift_remove(key);
        self.answers_mut().insert(key.to_owned(), value);
        Ok(())
    }

    /// Clears a field.
    pub fn unset(&mut self, key: &str) -> Result<(), WizardError> {
        self.check_unlocked(key)?;
        self.origins.shift_remove(key);
        self.answers_mut().shift_remove(key);
        Ok(())
    }

    /// Adds a row at the end of list `key` (an object over its columns, `{}` for an empty
    /// one) and returns its index. Refused past the merged form's `maxItems`.
    pub fn add_row(&mut self, key: &str, row: Value) -> Result<usize, WizardError> {
        self.check_unlocked(key)?;
        let max = self.list_info(key)?.1;
        if !row.is_object() {
            let found = crate::schema::Kinds::of(&row).to_type().map_or_else(String::new, |t| t.to_string());
            return Err(WizardError::NotARow { key: key.to_owned(), found });
        }
        if self.rows(key) as u64 >= max.unwrap_or(u64::MAX) {
            return Err(WizardError::TooManyRows { key: key.to_owned(), max: max.unwrap_or_default() });
        }
        Ok(self.with_rows(key, |rows| {
            rows.push(row);
            rows.len() - 1
        }))
    }

    /// Removes row `index` of list `key`; the rows after it move up.
    pub fn remove_row(&mut self, key: &str, index: usize) -> Result<(), WizardError> {
        self.check_row(key, index)?;
        self.with_rows(key, |rows| rows.remove(index));
        Ok(())
    }

    /// Moves row `from` of list `key` to position `to` (both from 0).
    pub fn move_row(&mut self, key: &str, from: usize, to: usize) -> Result<(), WizardError> {
        self.check_row(key, from)?;
        self.check_row(key, to)?;
        self.with_rows(key, |rows| {
            let row = rows.remove(from);
            rows.insert(to, row);
        });
        Ok(())
    }

    /// Answers column `column` of row `index` of list `key`; `null` clears it. In a list
    /// an authoritative source filled, only its open columns may be answered (the others
    /// are refused as [`WizardError::Locked`], naming the column's key), and the list stays
    /// the source's.
    pub fn set_cell(
        &mut self,
        key: &str,
        index: usize,
        column: &str,
        value: Value,
    ) -> Result<(), WizardError> {
        let columns = &self.list_info(key)?.0.columns;
        if !columns.contains_key(column) {
            let suggestion = closest(column, columns.keys().map(String::as_str));
            return Err(WizardError::UnknownColumn {
                key: key.to_owned(),
                column: column.to_owned(),
                suggestion,
            });
        }
        // A locked list open in this column stays the source's: its origin is kept.
        let kept = match self.origins.get(key) {
            Some(o) if o.locked && o.open_columns.iter().any(|c| c == column) => Some(o.clone()),
            Some(o) if o.locked && !o.open_columns.is_empty() => {
                return Err(WizardError::Locked { key: format!("{key}[].{column}") });
            }
            _ => None,
        };
        if kept.is_none() {
            self.check_unlocked(key)?;
        }
        let rows = self.rows(key);
        if index >= rows {
            return Err(WizardError::NoRow { key: key.to_owned(), index, rows });
        }
        self.with_rows(key, |rows| {
            if let Some(row) = rows.get_mut(index).and_then(Value::as_object_mut) {
                if value.is_null() {
                    row.remove(column);
                } else {
                    row.insert(column.to_owned(), value);
                }
            }
        });
        if let Some(origin) = kept {
            self.origins.insert(key.to_owned(), origin);
        }
        Ok(())
    }

    /// A list's key information and the most rows the merged form accepts.
    fn list_info(&self, key: &str) -> Result<(&crate::compile::keys::KeyInfo, Option<u64>), WizardError> {
        self.check_key(key)?;
        let info = self.bundle.keys.get(key).filter(|i| i.is_list());
        let info = info.ok_or_else(|| WizardError::NotAList { key: key.to_owned() })?;
        let max = self
            .bundle
            .form()
            .pointer(&format!("/properties/{}/maxItems", crate::base::pointer::escape(key)));
        Ok((info, max.and_then(Value::as_u64)))
    }

    /// How many rows list `key` has (0 when its answer is not a list).
    fn rows(&self, key: &str) -> usize {
        self.answers().get(key).and_then(Value::as_array).map_or(0, Vec::len)
    }

    /// Checks that list `key` may be changed and has row `index`.
    fn check_row(&self, key: &str, index: usize) -> Result<(), WizardError> {
        self.check_unlocked(key)?;
        self.list_info(key)?;
        let rows = self.rows(key);
        if index >= rows {
            return Err(WizardError::NoRow { key: key.to_owned(), index, rows });
        }
        Ok(())
    }

    /// Changes the rows of list `key` with `f` (an answer that is not a list becomes an
    /// empty one first: the applicant edits rows now). The value is typed from then on.
    fn with_rows<T>(&mut self, key: &str, f: impl FnOnce(&mut Vec<Value>) -> T) -> T {
        self.origins.shift_remove(key);
        let slot = self.answers_mut().entry(key.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        let mut rows = match std::mem::take(slot) {
            Value::Array(rows) => rows,
            _ => Vec::new(),
        };
        let out = f(&mut rows);
        *slot = Value::Array(rows);
        out
    }

    /// Sets a material's status (by reuse key); `None` clears it.
    pub fn set_material(&mut self, id: &str, status: Option<MaterialStatus>) -> Result<(), WizardError> {
        self.check_material(id)?;
        match status {
            Some(s) => {
                self.given.materials.insert(id.to_owned(), s);
            }
            None => {
                self.given.materials.shift_remove(id);
            }
        }
        Ok(())
    }

    /// Chooses an optional item, or drops it.
    pub fn choose(&mut self, item: &str, chosen: bool) -> Result<(), WizardError> {
        self.bundle.items.find(item).ok_or_else(|| WizardError::UnknownItem(item.to_owned()))?;
        self.given.opt_in.retain(|i| i != item);
        if chosen {
            self.given.opt_in.push(item.to_owned());
        }
        Ok(())
    }

    /// Signs a commitment (e.g. [`crate::TOLERANCE_COMMITMENT`]), or withdraws it.
    pub fn commit(&mut self, commitment: &str, signed: bool) {
        self.given.commitments.retain(|c| c != commitment);
        if signed {
            self.given.commitments.push(commitment.to_owned());
        }
    }

    /// Facts about the applicant from the host's registers (rules read them).
    pub fn set_applicant(&mut self, applicant: Applicant) {
        self.given.applicant = applicant;
    }

    /// The answers so far (canonical key → value), prefilled ones included.
    pub fn answers(&self) -> &Map<String, Value> {
        static NONE: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        self.given.values.as_object().unwrap_or(&NONE)
    }

    /// The current step.
    pub fn current(&self) -> usize {
        self.current
    }

    /// Goes to a step.
    pub fn go_to(&mut self, step: usize) -> Result<(), WizardError> {
        if step >= self.steps.len() {
            return Err(WizardError::UnknownStep(step));
        }
        self.current = step;
        Ok(())
    }

    /// Goes to the next visible step, if there is one; returns it.
    pub fn go_next(&mut self) -> Option<usize> {
        let to = self.state().next_step(self.current)?;
        self.current = to;
        Some(to)
    }

    /// Goes to the previous visible step, if there is one; returns it.
    pub fn go_previous(&mut self) -> Option<usize> {
        let to = self.state().previous_step(self.current)?;
        self.current = to;
        Some(to)
    }

    /// How many rules the wizard has run so far; the others were reused from earlier states
    /// because nothing they read changed (for tests and profiling).
    pub fn rules_run(&self) -> usize {
        let cache = self.cache();
        cache.runs + cache.derived.runs
    }

    /// The verdict cache, emptied when the materials, commitments or applicant facts (which
    /// every rule may read) changed since it was filled.
    fn cache(&self) -> MutexGuard<'_, RuleCache> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let g = &self.given;
        let unchanged = cache
            .context
            .as_ref()
            .is_some_and(|(m, c, a)| m == &g.materials && c == &g.commitments && a == &g.applicant);
        if !unchanged {
            cache.verdicts.clear();
            cache.elements.clear();
            cache.derived.clear();
            cache.context = Some((g.materials.clone(), g.commitments.clone(), g.applicant.clone()));
        }
        cache
    }

    /// A rule's verdict: the cached one when its inputs are unchanged.
    fn verdict(
        &self,
        cache: &mut RuleCache,
        p: &mut Prepared<'_>,
        rule: &CompiledRule,
        id: RuleId,
        (kind, item, material): (RuleKind, Option<ItemIx>, Option<&str>),
    ) -> Verdict {
        let inputs = p.inputs(rule);
        if let (Some(inputs), Some((old, v))) = (&inputs, cache.verdicts.get(&id)) {
            if inputs == old {
                return v.clone();
            }
        }
        cache.runs += 1;
        let v = self.bundle.run_rule(p, rule, kind, item, material);
        match inputs {
            Some(inputs) => {
                cache.verdicts.insert(id, (inputs, v.clone()));
            }
            None => {
                cache.verdicts.remove(&id);
            }
        }
        v
    }

    /// The verdicts of `rule`, which runs on each element of `list`, on the elements `ready`
    /// lets it run on, each reused while the element and the values the rule reads through
    /// `form` are unchanged: a set on row 50 of 100 reruns it on row 50 only. An element of
    /// `None` is the list's failed derive, the verdict its error (fail closed).
    fn element_verdicts(
        &self,
        cache: &mut RuleCache,
        p: &mut Prepared<'_>,
        (rule, list): (&CompiledRule, &str),
        id: RuleId,
        what: (RuleKind, Option<ItemIx>, Option<&str>),
        ready: impl Fn(usize, &Value) -> bool,
    ) -> Vec<(Option<usize>, Verdict)> {
        if let Some(failed) = p.failed.iter().find(|f| f.key == list) {
            return vec![(None, Verdict::Error(failed.error.clone()))];
        }
        let rows = match p.get(list) {
            Some(Value::Array(rows)) => rows.clone(),
            _ => Vec::new(),
        };
        let reads = p.inputs(rule);
        let mut out = Vec::with_capacity(rows.len());
        for (n, row) in rows.into_iter().enumerate().filter(|(n, row)| ready(*n, row)) {
            let known = cache.elements.get(&(id, n)).filter(|((old_reads, old_row), _)| {
                reads.as_ref().is_some_and(|reads| reads == old_reads) && old_row == &row
            });
            if let Some((_, v)) = known {
                out.push((Some(n), v.clone()));
                continue;
            }
            cache.runs += 1;
            let v = self.bundle.run_on_element(p, rule, what, n, &row);
            match &reads {
                Some(reads) => cache.elements.insert((id, n), ((reads.clone(), row), v.clone())),
                None => cache.elements.remove(&(id, n)),
            };
            out.push((Some(n), v));
        }
        out
    }

    /// What to show now.
    pub fn state(&self) -> WizardState {
        let b = self.bundle;
        let mut cache = self.cache();
        let (s, visibility) = self.submission(&mut cache);
        let mut p = b.prepare_memo(&s, self.date, &EvalOptions::default(), false, Some(&mut cache.derived));
        let applicability = self.applicability(&mut cache, &s, &mut p);
        let checked = b.check_applicable(&s, &p, applicability);
        let applicable = &checked.applicability.items;
        let warnings = self.warnings(&mut cache, &mut p, applicable);
        let inconsistent = self.check_errors(&mut cache, &mut p, applicable, &checked.validation.errors);
        let needed = self.needed_materials(&mut cache, &s, &mut p, applicable);
        drop(cache);

        let mut on = b.items.map(|_, _| false);
        for &i in applicable {
            *on.get_mut(i) = true;
        }
        let shows = |key: &str, info: &crate::compile::keys::KeyInfo| {
            info.items.iter().any(|i| *on.get(*i)) && !visibility.hidden.contains(key)
        };
        let (mut by_key, mut form_errors) = self.field_errors(&checked, inconsistent, &shows);
        form_errors.extend(visibility.errors);
        let mut progress = Progress { filled: 0, required: 0 };
        let steps: Vec<StepState> = self
            .steps
            .iter()
            .map(|def| {
                let fields: Vec<FieldState> = def
                    .keys
                    .iter()
                    .filter_map(|key| self.field(key, &p, &on, &shows, &mut by_key, &mut progress))
                    .collect();
                StepState {
                    id: def.id.clone(),
                    title: def.title.clone(),
                    visible: fields.iter().any(|f| f.visible),
                    complete: fields.iter().all(FieldState::is_done),
                    fields,
                }
            })
            .collect();
        let complete = checked.validation.valid && steps.iter().all(|s| s.complete);
        let current_complete = steps.get(self.current).is_none_or(|s| s.complete);
        WizardState {
            bundle: b.bundle.id.clone(),
            version: b.bundle.version.clone(),
            steps,
            current: self.current,
            current_complete,
            applicable: checked.validation.applicable,
            optional: self.optional_items(),
            warnings,
            errors: form_errors,
            materials: self.material_needs(needed, applicable),
            progress,
            complete,
        }
    }

    /// Which items apply, as `validate` decides it (verdicts reused).
    fn applicability(&self, cache: &mut RuleCache, s: &Submission, p: &mut Prepared<'_>) -> Applicability {
        self.bundle.applicability_by(s, |i, rule| {
            self.verdict(cache, p, rule, RuleId::AppliesIf(i), (RuleKind::AppliesIf, Some(i), None))
        })
    }

    /// Early eligibility warnings: the bundle's rules, then each applicable item's.
    fn warnings(
        &self,
        cache: &mut RuleCache,
        p: &mut Prepared<'_>,
        applicable: &[ItemIx],
    ) -> Vec<EligibilityWarning> {
        let b = self.bundle;
        let bundle_rules = b.rulebook.bundle.iter().enumerate().map(|(j, r)| (None, j, r));
        let item_rules = applicable.iter().flat_map(|&i| {
            b.items.get(i).rules.eligibility.iter().enumerate().map(move |(j, r)| (Some(i), j, r))
        });
        let mut warnings = Vec::new();
        for (item, j, rule) in bundle_rules.chain(item_rules) {
            let id = RuleId::Eligibility(item, j);
            if let Some((list, _)) = &rule.for_each {
                let what = (RuleKind::Eligibility, item, None);
                for (n, v) in self.element_verdicts(cache, p, (rule, list), id, what, |_, _| true) {
                    if let Verdict::Fail(reason) = v {
                        let text = crate::run::evaluate::failure_text(rule, reason.as_ref());
                        let element = n.map(|n| b.element_name(list, n));
                        warnings.push(EligibilityWarning {
                            item: item.map(|i| b.items.get(i).id.clone()),
                            rule: rule.id.clone(),
                            message: crate::run::evaluate::about(element.as_ref(), text),
                        });
                    }
                }
                continue;
            }
            if let Verdict::Fail(reason) =
                self.verdict(cache, p, rule, id, (RuleKind::Eligibility, item, None))
            {
                warnings.push(EligibilityWarning {
                    item: item.map(|i| b.items.get(i).id.clone()),
                    rule: rule.id.clone(),
                    message: crate::run::evaluate::failure_text(rule, reason.as_ref()),
                });
            }
        }
        warnings
    }

    /// The consistency checks that fail now, as an error on each field they name (verdicts
    /// reused): the bundle's naming a field of an applicable item, then each applicable
    /// item's, each only once every field it names has a valid value (as `evaluate` runs
    /// them).
    fn check_errors(
        &self,
        cache: &mut RuleCache,
        p: &mut Prepared<'_>,
        applicable: &[ItemIx],
        errors: &[crate::model::validation::FieldError],
    ) -> Vec<Message> {
        let b = self.bundle;
        let concerned = |c: &CompiledCheck| -> Vec<String> {
            applicable
                .iter()
                .filter(|&&i| b.check_concerns(c, i))
                .map(|&i| b.items.get(i).id.clone())
                .collect()
        };
        let bundle_checks = b.rulebook.checks.iter().enumerate().map(|(j, c)| (None, j, c, concerned(c)));
        let item_checks = applicable.iter().flat_map(|&i| {
            let id = b.items.get(i).id.clone();
            b.items
                .get(i)
                .rules
                .checks
                .iter()
                .enumerate()
                .map(move |(j, c)| (Some(i), j, c, vec![id.clone()]))
        });
        let mut out = Vec::new();
        for (item, j, c, items) in bundle_checks.chain(item_checks) {
            if items.is_empty() {
                continue;
            }
            if let Some((list, _)) = &c.rule.for_each {
                let (id, what) = (RuleId::Check(item, j), (RuleKind::Check, item, None));
                let ready = |n, row: &Value| crate::run::evaluate::element_ready(c, list, n, row, errors);
                for (n, v) in self.element_verdicts(cache, p, (&c.rule, list), id, what, ready) {
                    let (Verdict::Fail(reason), Some(n)) = (v, n) else { continue };
                    let text = crate::run::evaluate::failure_text(&c.rule, reason.as_ref());
                    let message = crate::run::evaluate::about(Some(&b.element_name(list, n)), text);
                    out.extend(c.fields.iter().map(|k| Message {
                        key: Some(k.clone()),
                        pointer: format!(
                            "/{}/{n}/{}",
                            crate::base::pointer::escape(list),
                            crate::base::pointer::escape(k.split_once("[].").map_or(k.as_str(), |(_, c)| c))
                        ),
                        keyword: "check".into(),
                        message: message.clone(),
                        items: items.clone(),
                    }));
                }
                continue;
            }
            if !check_ready(p, c, errors) {
                continue;
            }
            let what = (RuleKind::Check, item, None);
            if let Verdict::Fail(reason) = self.verdict(cache, p, &c.rule, RuleId::Check(item, j), what) {
                let message = crate::run::evaluate::failure_text(&c.rule, reason.as_ref());
                out.extend(c.fields.iter().map(|k| Message {
                    key: Some(k.clone()),
                    pointer: crate::base::pointer::join("", k),
                    keyword: "check".into(),
                    message: message.clone(),
                    items: items.clone(),
                }));
            }
        }
        out
    }

    /// The materials now needed, by reuse key, as `evaluate` decides it (verdicts reused).
    fn needed_materials(
        &self,
        cache: &mut RuleCache,
        s: &Submission,
        p: &mut Prepared<'_>,
        applicable: &[ItemIx],
    ) -> Vec<String> {
        let b = self.bundle;
        b.required_materials_by(s, applicable, |i, j, m, rule| {
            let what = (RuleKind::RequiredIf, Some(i), Some(m.reuse_key()));
            let id = RuleId::RequiredIf(i, j);
            match &rule.for_each {
                Some((list, _)) => self.element_verdicts(cache, p, (rule, list), id, what, |_, _| true),
                None => vec![(None, self.verdict(cache, p, rule, id, what))],
            }
        })
    }

    /// Each needed material with its title, the applicable items asking for it and its status.
    fn material_needs(&self, needed: Vec<String>, applicable: &[ItemIx]) -> Vec<MaterialNeed> {
        let b = self.bundle;
        needed
            .into_iter()
            .map(|id| {
                let mut title = Text::new(id.clone(), id.clone());
                let mut items = Vec::new();
                let (mut tolerable, mut commitment, mut sources) = (false, false, Vec::new());
                let acceptance = &b.bundle.acceptance;
                // A material of each element (`id-card[1]`): the material, titled for it.
                let (base, element) = match b.bundle.material_of(&id) {
                    Some((m, Some(n))) => (m.reuse_key().to_owned(), Some((m, n))),
                    _ => (id.clone(), None),
                };
                for item in applicable.iter().map(|&i| b.declared(i)) {
                    if let Some(m) = item.materials.iter().find(|m| m.reuse_key() == base) {
                        if items.is_empty() {
                            title = m.title.clone();
                        }
                        items.push(item.id.clone());
                        tolerable |= m.kind == MaterialKind::Secondary && m.tolerable && acceptance.tolerance;
                        commitment |= m.commitment && acceptance.commitment;
                        for source in &m.sources {
                            if !sources.contains(source) {
                                sources.push(source.clone());
                            }
                        }
                    }
                }
                if let Some((m, n)) = element {
                    title = b.element_title(m.for_each.as_deref().unwrap_or_default(), n, &title);
                }
                // Sources may also name the materials they make unnecessary.
                for source in b.bundle.sources.iter().filter(|src| src.materials.contains(&base)) {
                    if !sources.contains(&source.id) {
                        sources.push(source.id.clone());
                    }
                }
                let status = self.given.materials.get(&id).copied();
                MaterialNeed { id, title, items, status, tolerable, commitment, sources }
            })
            .collect()
    }

    /// Validation errors by field (index in the form's keys) when the field is shown, else
    /// the form's. A top-level `required` error is the field's `missing` text, not an error.
    fn field_errors(
        &self,
        checked: &crate::run::validate::Checked,
        inconsistent: Vec<Message>,
        shows: &dyn Fn(&str, &crate::compile::keys::KeyInfo) -> bool,
    ) -> (Vec<FieldErrors>, Vec<Message>) {
        let b = self.bundle;
        let mut by_key = vec![FieldErrors::default(); b.keys.len()];
        let mut form_errors = Vec::new();
        let validation = checked.validation.errors.iter().map(|e| Message {
            key: e.key.clone(),
            pointer: e.pointer.clone(),
            keyword: e.keyword.clone(),
            message: e.message.clone(),
            items: e.items.clone(),
        });
        for m in validation.chain(inconsistent) {
            // An error in a list (`shareholders[].name`) is the list field's.
            let field = m.key.as_deref().map(|k| k.split_once("[].").map_or(k, |(list, _)| list));
            let at = field.and_then(|k| b.keys.get_full(k)).filter(|(i, k, info)| {
                self.shown.get(*i).copied().unwrap_or(false) && shows(k.as_str(), info)
            });
            let top = crate::base::pointer::split(&m.pointer).is_some_and(|t| t.len() == 1);
            let missing = top && matches!(m.keyword.as_str(), "required" | "dependentRequired");
            let Some(slot) = at.and_then(|(i, ..)| by_key.get_mut(i)) else {
                form_errors.push(m);
                continue;
            };
            if missing {
                slot.missing = Some(m.message);
            } else {
                slot.errors.push(m);
            }
        }
        (by_key, form_errors)
    }

    /// One field's state; counts it in the progress when it is required.
    fn field(
        &self,
        key: &str,
        p: &Prepared<'_>,
        on: &PerItem<bool>,
        shows: &dyn Fn(&str, &crate::compile::keys::KeyInfo) -> bool,
        by_key: &mut [FieldErrors],
        progress: &mut Progress,
    ) -> Option<FieldState> {
        let b = self.bundle;
        let (k, _, info) = b.keys.get_full(key)?;
        let visible = shows(key, info);
        let found = by_key.get_mut(k).map(std::mem::take).unwrap_or_default();
        // Required by an applicable item's schema, always or (a `missing` text) just now.
        let required = visible
            && (found.missing.is_some()
                || self.required_by.get(k).is_some_and(|r| r.iter().any(|i| *on.get(*i))));
        let origin = self.origins.get(key);
        let (value, provenance) = match self.answers().get(key) {
            Some(v) => {
                (Some(v.clone()), Some(origin.map_or(FillOrigin::Applicant, |o| o.provenance.clone())))
            }
            None => self.derived(key, p),
        };
        if required {
            progress.required += 1;
            if value.as_ref().is_some_and(filled) {
                progress.filled += 1;
            }
        }
        Some(FieldState {
            key: key.to_owned(),
            title: info.title.clone(),
            description: info.description.clone(),
            value,
            provenance,
            locked: origin.is_some_and(|o| o.locked),
            visible,
            required,
            errors: found.errors,
            missing: found.missing,
            list: info.is_list().then(|| self.list_state(key, info)),
        })
    }

    /// A list field's rows and columns (see [`ListState`]).
    fn list_state(&self, key: &str, info: &crate::compile::keys::KeyInfo) -> ListState {
        let field = self.bundle.form().pointer(&format!("/properties/{}", crate::base::pointer::escape(key)));
        let bound = |kw: &str| field.and_then(|f| f.get(kw)).and_then(Value::as_u64);
        let required: Vec<&str> = field
            .and_then(|f| f.pointer("/items/required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let origin = self.origins.get(key).filter(|o| o.locked);
        let columns = info
            .columns
            .iter()
            .map(|(column, c)| ColumnState {
                key: column.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                required: required.contains(&column.as_str()),
                locked: origin.is_some_and(|o| !o.open_columns.contains(column)),
            })
            .collect();
        ListState {
            rows: (0..self.rows(key)).map(|n| info.element_name(n)).collect(),
            columns,
            min_items: bound("minItems"),
            max_items: bound("maxItems"),
        }
    }

    /// A field's derived value, when a derive rule computed one.
    fn derived(&self, key: &str, p: &Prepared<'_>) -> (Option<Value>, Option<Provenance>) {
        let rule = self.bundle.rulebook.derive.iter().find(|(k, _)| k == key).map(|(_, r)| r);
        match (rule, p.get(key)) {
            (Some(rule), Some(v)) if !v.is_null() => (
                Some(v.clone()),
                Some(FillOrigin::Derived {
                    rule: rule.id.clone(),
                    reads: rule.reads.keys.iter().map(|(k, ..)| k.clone()).collect(),
                }),
            ),
            _ => (None, None),
        }
    }

    /// The bundle's optional items and whether each is chosen.
    fn optional_items(&self) -> Vec<OptionalItem> {
        let items = self.bundle.bundle.items.iter().filter(|i| i.optional);
        items
            .map(|i| OptionalItem {
                id: i.id.clone(),
                title: i.title.clone(),
                chosen: self.given.opt_in.contains(&i.id),
            })
            .collect()
    }
}

/// What the visibility rules say now.
#[derive(Default)]
struct Visibility {
    /// Keys hidden.
    hidden: HashSet<String>,
    /// Rules that cannot decide (their fields are shown).
    errors: Vec<Message>,
}

/// One field's validation findings.
#[derive(Default, Clone)]
struct FieldErrors {
    errors: Vec<Message>,
    missing: Option<Text>,
}

impl FieldState {
    /// Hidden, or shown with a valid value wherever one is required.
    fn is_done(&self) -> bool {
        !self.visible
            || (self.errors.is_empty()
                && self.missing.is_none()
                && (!self.required || self.value.as_ref().is_some_and(filled)))
    }
}

/// A value counts as filled unless it is empty text.
fn filled(v: &Value) -> bool {
    !(v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
}

/// The nearest candidate within three edits, as compile's "did you mean" offers it.
fn closest<'a>(key: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    crate::base::suggest::closest(key, candidates, 3).map(str::to_owned)
}

/// The steps: the bundle's sections (fields in no section last), else one per concern —
/// the applicant and the fields several items share first, then each item's own fields, items
/// in plan order.
fn steps_of(b: &CompiledBundle) -> Vec<StepDef> {
    let mut placed: HashSet<String> = HashSet::new();
    let mut steps = Vec::new();
    if !b.bundle.sections.is_empty() {
        for s in &b.bundle.sections {
            let keys: Vec<String> = s
                .fields
                .iter()
                .filter(|k| b.keys.contains_key(*k) && placed.insert((*k).clone()))
                .cloned()
                .collect();
            steps.push(StepDef { id: s.id.clone(), title: s.title.clone(), keys });
        }
        let rest: Vec<String> = b.keys.keys().filter(|k| !placed.contains(k.as_str())).cloned().collect();
        if !rest.is_empty() {
            steps.push(StepDef {
                id: "other".into(),
                title: Text::new("其他信息", "Other information"),
                keys: rest,
            });
        }
        return steps;
    }
    let shared: Vec<String> = b
        .keys
        .iter()
        .filter(|(k, info)| k.starts_with("applicant.") || info.items.len() > 1)
        .map(|(k, _)| k.clone())
        .collect();
    placed.extend(shared.iter().cloned());
    if !shared.is_empty() {
        steps.push(StepDef {
            id: "applicant".into(),
            title: Text::new("申请人及共用信息", "Applicant and shared information"),
            keys: shared,
        });
    }
    let plan = b.plan();
    for id in plan.stages.iter().flat_map(|s| s.items.iter()) {
        let Some(i) = b.items.find(id) else { continue };
        let keys: Vec<String> = b
            .keys
            .iter()
            .filter(|(k, info)| info.items.contains(&i) && !placed.contains(k.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        placed.extend(keys.iter().cloned());
        if !keys.is_empty() {
            let title = b.declared(i).title.clone();
            steps.push(StepDef { id: id.clone(), title, keys });
        }
    }
    steps
}

impl WizardState {
    /// A field by key.
    pub fn field(&self, key: &str) -> Option<&FieldState> {
        self.steps.iter().flat_map(|s| s.fields.iter()).find(|f| f.key == key)
    }

    /// The next visible step after `from`.
    pub fn next_step(&self, from: usize) -> Option<usize> {
        self.steps.iter().enumerate().skip(from.saturating_add(1)).find(|(_, s)| s.visible).map(|(i, _)| i)
    }

    /// The visible step before `from`.
    pub fn previous_step(&self, from: usize) -> Option<usize> {
        self.steps.iter().enumerate().take(from).rev().find(|(_, s)| s.visible).map(|(i, _)| i)
    }

    /// The first visible step not complete.
    pub fn first_incomplete_step(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.visible && !s.complete)
    }

    /// The step showing a field.
    pub fn step_of(&self, key: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.fields.iter().any(|f| f.key == key))
    }

    /// The first field with an error, and its step: where "fix errors" jumps to.
    pub fn first_error(&self) -> Option<(usize, &str)> {
        self.steps.iter().enumerate().find_map(|(i, s)| {
            s.fields.iter().find(|f| f.visible && !f.errors.is_empty()).map(|f| (i, f.key.as_str()))
        })
    }
}
