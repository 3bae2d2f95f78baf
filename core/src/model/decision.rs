//! Decisions: what happens to a submission, per item and for the bundle.
//!
//! A [`Decision`] is the answer of [`crate::CompiledBundle::evaluate`]: an [`Outcome`] for
//! the bundle and for every item, the reasons, **every** deficiency of every item at once
//! (一次性告知 — fixing exactly those yields acceptance), the materials tolerated and by when
//! they must be supplied, and a trace of every rule that ran. Its JSON Schema is
//! `schemas/decision.schema.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::base::text::Text;
use crate::model::bundle::ItemIx;
use crate::model::validation::FieldWarning;
use crate::rules::ScriptError;

/// The outcome of a decision, for one item or for the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Accepted: complete and eligible.
    Accepted,
    /// Accepted with tolerable secondary materials missing (容缺受理), to be supplied by a
    /// deadline on the applicant's signed commitment.
    AcceptedWithTolerance,
    /// Accepted with a signed commitment in place of some materials (告知承诺).
    AcceptedOnCommitment,
    /// Something is missing or wrong: the deficiencies say what, all at once.
    CorrectionRequired,
    /// Not eligible.
    Rejected,
    /// The item does not apply to this application.
    NotApplicable,
    /// A rule could not be evaluated: an official must decide.
    ManualReview,
}

impl Outcome {
    /// How much an outcome weighs when items are combined into the bundle's outcome: the
    /// bundle's is the heaviest of its applicable items'.
    pub fn severity(self) -> u8 {
        match self {
            Outcome::NotApplicable => 0,
            Outcome::Accepted => 1,
            Outcome::AcceptedOnCommitment => 2,
            Outcome::AcceptedWithTolerance => 3,
            Outcome::CorrectionRequired => 4,
            Outcome::Rejected => 5,
            Outcome::ManualReview => 6,
        }
    }

    /// Is the application accepted (in any of the three ways)?
    pub fn is_accepted(self) -> bool {
        matches!(self, Outcome::Accepted | Outcome::AcceptedWithTolerance | Outcome::AcceptedOnCommitment)
    }

    /// The outcome's name in both languages.
    pub fn text(self) -> Text {
        match self {
            Outcome::Accepted => Text::new("予以受理", "accepted"),
            Outcome::AcceptedWithTolerance => Text::new("容缺受理", "accepted with tolerance"),
            Outcome::AcceptedOnCommitment => Text::new("告知承诺受理", "accepted on commitment"),
            Outcome::CorrectionRequired => Text::new("需补正", "correction required"),
            Outcome::Rejected => Text::new("不予受理", "rejected"),
            Outcome::NotApplicable => Text::new("不适用", "not applicable"),
            Outcome::ManualReview => Text::new("转人工审核", "manual review"),
        }
    }
}

/// The decision on one submission, on one date.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Decision {
    /// The bundle's id.
    pub bundle: String,
    /// The bundle's version.
    pub version: String,
    /// The evaluation date (`YYYY-MM-DD`).
    pub date: String,
    /// The bundle's outcome: the heaviest of its applicable items'.
    pub outcome: Outcome,
    /// Reasons that concern the whole application (bundle rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// Every item, applicable or not, in bundle order.
    pub items: Vec<ItemDecision>,
    /// Everything to fix, for every item, at once; a material several items need is listed
    /// once.
    pub deficiencies: Vec<Deficiency>,
    /// Tolerated materials and when to supply them.
    pub supplements: Vec<Supplement>,
    /// Things the applicant should know that change nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FieldWarning>,
    /// Every rule that ran.
    pub trace: Vec<TraceEntry>,
    /// The materials applicable items require on this submission, as (item, material)
    /// indices in the bundle and the reuse key (`id-card[1]` for one element's), in the
    /// order items were decided: those of every item whose materials were decided on, and,
    /// for the one-time notice
    /// ([`CompiledBundle::notice_for`](crate::CompiledBundle::notice_for)), those of the
    /// rejected and unsettled items too. Not part of the JSON.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) required: Vec<(ItemIx, usize, String)>,
}

/// The decision on one item.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ItemDecision {
    /// The item.
    pub item: String,
    /// Its department.
    pub department: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Why (failed rules, refused tolerance…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// Ids of this item's deficiencies (see [`Decision::deficiencies`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deficiencies: Vec<String>,
    /// Materials (by reuse key) accepted missing under tolerance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerated: Vec<String>,
    /// Materials (by reuse key) replaced by a signed commitment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub on_commitment: Vec<String>,
    /// When tolerated materials must be supplied (`YYYY-MM-DD`): the earliest deadline of
    /// the item's tolerated materials (each has its own in [`Decision::supplements`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplement_by: Option<String>,
    /// What the applicant must still do, for an accepted item (the item's obligation rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<Obligation>,
}

/// Something an accepted item obliges the applicant to do: top up 40 months of
/// contributions, pay in the subscribed capital by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Obligation {
    /// The rule that attached it.
    pub rule: String,
    /// What is owed.
    pub text: Text,
    /// How much, when the rule says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<serde_json::Number>,
    /// The unit of the amount (个月 / months, 万元 / 10,000 yuan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,
    /// By when (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

/// A reason, usually a rule that failed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Reason {
    /// The rule's id, when a rule gave the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub rule: Option<ReasonRule>,
    /// What to tell the applicant.
    pub message: Text,
}

/// What gave a [`Reason`]: a rule of the bundle, or one of the checks every bundle gets.
///
/// In JSON it is the text the `rule` member has always held: the rule's id, or `bundle`,
/// `calendar`, `applies_if`, `depends_on`, `required_if:<material id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReasonRule {
    /// A rule of the bundle, by id (eligibility, derive, the acceptance policy…).
    Rule(String),
    /// The submission names another bundle or version.
    Bundle,
    /// The working-day calendar does not cover a deadline's year.
    Calendar,
    /// The item's `applies_if` rule could not decide.
    AppliesIf,
    /// An item it depends on was not accepted, or could not be decided.
    DependsOn,
    /// The `required_if` rule of a material (by id) could not decide.
    RequiredIf(String),
}

impl std::fmt::Display for ReasonRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReasonRule::Rule(id) => f.write_str(id),
            ReasonRule::Bundle => f.write_str("bundle"),
            ReasonRule::Calendar => f.write_str("calendar"),
            ReasonRule::AppliesIf => f.write_str("applies_if"),
            ReasonRule::DependsOn => f.write_str("depends_on"),
            ReasonRule::RequiredIf(material) => write!(f, "required_if:{material}"),
        }
    }
}

impl Serialize for ReasonRule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a deficiency is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeficiencyKind {
    /// A field of the form is missing or wrong.
    Field,
    /// A material is missing (or its commitment cannot be accepted).
    Material,
    /// Fields contradict each other (a consistency check failed): correct them.
    Consistency,
}

/// One thing to fix.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Deficiency {
    /// Stable id: `field:<pointer>`, `material:<reuse key>` or `check:<check id>`.
    pub id: String,
    /// Field, material or consistency.
    pub kind: DeficiencyKind,
    /// The canonical key, for a field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The canonical keys to correct, for a consistency check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// The material's reuse key, for a material.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// What is wrong.
    pub message: Text,
    /// How to fix it.
    pub fix: Text,
    /// A tolerable material: signing the tolerance commitment would also do, once nothing
    /// else is missing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tolerable: bool,
    /// The items that need it fixed.
    pub items: Vec<String>,
}

impl Deficiency {
    /// Folds another item's account of the same deficiency into this one. A field (or a
    /// consistency check) keeps every distinct message (each broken constraint); a material keeps its first title,
    /// as items may word the same material differently. It stays tolerable only if every item tolerates it, and otherwise
    /// the fix shown is the strict one (hand it in now).
    pub(crate) fn merge(&mut self, other: Deficiency) {
        if self.kind != DeficiencyKind::Material && !self.message.zh.contains(&other.message.zh) {
            self.message.zh.push('；');
            self.message.zh.push_str(&other.message.zh);
            self.message.en.push_str("; ");
            self.message.en.push_str(&other.message.en);
        }
        if self.tolerable && !other.tolerable {
            self.tolerable = false;
            self.fix = other.fix;
        }
        for item in other.items {
            if !self.items.contains(&item) {
                self.items.push(item);
            }
        }
    }
}

/// A tolerated material to supply later.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Supplement {
    /// The material's reuse key.
    pub material: String,
    /// Its title.
    pub title: Text,
    /// Supply it by this date (`YYYY-MM-DD`): the earliest deadline of the items tolerating
    /// it — the material's period (else the bundle's `supplement_days`), each at most the
    /// item's committed time limit in working days, never on a day off.
    pub by: String,
    /// The items tolerating it.
    pub items: Vec<String>,
}

/// What kind of rule ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Whether an item applies.
    AppliesIf,
    /// An eligibility rule (of an item, or of the bundle).
    Eligibility,
    /// A consistency check between fields (of an item, or of the bundle).
    Check,
    /// An obligation rule of an accepted item.
    Obligation,
    /// Whether a material is required.
    RequiredIf,
    /// The acceptance policy.
    Policy,
    /// A derived field.
    Derive,
    /// Whether the wizard shows a field.
    VisibleIf,
}

/// One rule that ran.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TraceEntry {
    /// The rule's id.
    pub rule: String,
    /// Its kind.
    pub kind: RuleKind,
    /// The item it belongs to (none for bundle rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The material it is about (for `required_if`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// What it returned (`null` when it failed).
    pub result: Value,
    /// Why it failed to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ScriptError>,
    /// The canonical keys it reads, with their values (`null` when absent).
    #[schemars(with = "Map<String, Value>")]
    pub reads: ReadValues,
    /// Operations it performed.
    pub operations: u64,
    /// What it printed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
}

/// The values a rule read, by canonical key, in the order the rule names them; a JSON object
/// when serialised. A list rather than a hash map: one is built for every rule that runs,
/// and hashing its keys cost more than the few look-ups it gets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadValues(pub Vec<(String, Value)>);

impl ReadValues {
    /// The value read for `key`, if the rule reads it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Keys and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// `reads["key"]`: the value, or `null` for a key the rule does not read (as
/// `serde_json::Value` indexes).
impl std::ops::Index<&str> for ReadValues {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl Serialize for ReadValues {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}
