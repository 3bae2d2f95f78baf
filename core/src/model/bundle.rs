//! The bundle format: one "thing" (一件事) as data.
//!
//! A [`Bundle`] names a lead department, the cooperating departments, and the items (事项)
//! each department owns. Every item carries its department's form as a JSON Schema, unchanged
//! from what the department publishes, and a **field map** from the department's property
//! paths to the bundle's canonical keys, with value transforms both ways.
//!
//! A bundle comes in two equivalent forms (see [`crate::load`]): a directory (`bundle.json`,
//! each item's schema in its own `*.schema.json`, rules in `rules/*.rhai`), and one packed
//! JSON document where every schema and script is inline. Its JSON Schema is
//! `schemas/bundle.schema.json`.
//!
//! ```
//! let bundle: onething::Bundle = serde_json::from_value(serde_json::json!({
//!     "id": "tiny", "version": "1", "title": {"zh": "小事", "en": "A small thing"},
//!     "lead": "amr",
//!     "departments": [{"id": "amr", "name": {"zh": "市场监管局", "en": "Market regulation"}}],
//!     "items": [{
//!         "id": "register", "department": "amr",
//!         "title": {"zh": "登记", "en": "Registration"},
//!         "schema": {"type": "object", "properties": {"mc": {"type": "string"}}},
//!         "field_map": {"/mc": "company.name"}
//!     }]
//! })).unwrap();
//! assert_eq!(bundle.items[0].field_map["/mc"].key(), Some("company.name"));
//! ```

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::base::text::Text;

/// The version of the bundle format this release reads: `bundle.json` with its schema and
/// script files, and the packed bundle (see [`crate::load`]), as
/// `schemas/bundle.schema.json` describes them. A bundle carries no format version of its
/// own (its `version` is the version of its content): this constant says which format a
/// release reads, so that a bundle's author can tell which releases read their bundle.
///
/// `MAJOR.MINOR`: MINOR grows when the format gains something optional (every bundle the
/// releases before read is read the same; a bundle using the new field is refused by them,
/// since the format refuses unknown fields); MAJOR grows when a bundle an earlier release
/// read is refused or read differently. `onething --version` prints it.
///
/// 1.1: `$schema` (the JSON Schema an editor checks `bundle.json` against).
pub const BUNDLE_FORMAT_VERSION: &str = "1.1";

/// One "thing" (一件事): several departments' items offered as one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// The JSON Schema of this document, for editors (`"$schema":
    /// "https://…/bundle.schema.json"` or a path such as `../schemas/bundle.schema.json`):
    /// an editor then completes and checks the keys. The library does not read it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema_uri: Option<String>,
    /// Stable identifier, e.g. `restaurant-opening`.
    pub id: String,
    /// Version of this bundle definition; saved drafts and decisions refer to it.
    pub version: String,
    /// Title of the thing, e.g. 开办餐饮店 / Opening a restaurant.
    pub title: Text,
    /// A sentence or two on what the thing covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The lead department (一体管理): it accepts the application for all items.
    pub lead: String,
    /// Every department taking part, the lead included.
    pub departments: Vec<Department>,
    /// The field dictionary: bilingual titles of canonical keys (and labels of their values).
    /// Field order here is the order of the merged form.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub fields: IndexMap<String, FieldDef>,
    /// Groups of fields shown together (wizard steps, notice sections).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// The items (事项), each owned by one department.
    pub items: Vec<Item>,
    /// Titles of the evidence items pass to each other (`produces` / `consumes`), e.g.
    /// `birth-certificate`: 出生医学证明 / Birth medical certificate. The plan's diagrams and
    /// the notice name evidence by these titles.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub evidence: IndexMap<String, Text>,
    /// Bundle-level eligibility rules: they apply to every item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Bundle-level consistency checks between fields: a failure asks the applicant to
    /// correct the fields it names (补正), for every applicable item declaring one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Computed fields (e.g. the applicant's age from the ID number), filled in when the
    /// applicant gives no value, in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derive: Vec<Derivation>,
    /// How fault-tolerant acceptance (容缺受理) and notify-and-commit (告知承诺) apply.
    #[serde(default)]
    pub acceptance: Acceptance,
    /// Limits of the rule sandbox for this bundle (defaults suit nearly every bundle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<crate::rules::Limits>,
    /// Text of the one-time notice (一次告知) that is not derived from the items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<NoticeInfo>,
    /// Data the government already holds (registries, e-licences 电子证照, earlier
    /// applications): what each can fill in, and which materials it makes unnecessary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<DataSource>,
}

/// A source of data the applicant need not type (表单预填) nor hand in (材料复用).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    /// Identifier, e.g. `e-licence:resident-id-card`.
    pub id: String,
    /// Name, e.g. 居民身份证电子证照 / Resident ID card e-licence.
    pub title: Text,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// The authoritative source of its fields (一数一源): the applicant may not change what
    /// it fills in, and a different typed value is flagged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub authoritative: bool,
    /// From paths in the source's document (JSON Pointers) to canonical keys, with
    /// transforms as in an item's field map.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub fields: IndexMap<String, FieldMapping>,
    /// Materials (by reuse key) this source makes unnecessary to upload, in addition to the
    /// materials naming it in their `sources`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<String>,
}

/// Kinds of data sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A population register (人口库).
    PersonRegistry,
    /// An enterprise register (法人库).
    EnterpriseRegistry,
    /// An electronic licence or certificate (电子证照).
    ELicence,
    /// An earlier application of the same applicant.
    EarlierApplication,
    /// Anything else the host can supply.
    Other,
}

/// A computed field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Derivation {
    /// The canonical key it fills (a key of the form, or a new key only rules read), or a
    /// column of a list (`members[].birth_date`): the script then runs once per element
    /// whose column is blank, with `element` and `index` in scope, and fills that element's
    /// column.
    pub key: String,
    /// How people read a key only rules read (a form field's title is the field
    /// dictionary's): the one-time notice names a supplement deadline's cap by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// The script computing the value (`()` leaves the key empty).
    #[serde(flatten)]
    pub source: Script,
}

/// The bundle's acceptance policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Offer fault-tolerant acceptance (容缺受理): tolerable secondary materials may be
    /// missing on a signed commitment to supply them.
    #[serde(default = "yes")]
    pub tolerance: bool,
    /// Accept a signed commitment in place of materials that allow it (告知承诺).
    #[serde(default = "yes")]
    pub commitment: bool,
    /// Working days to supply a tolerated material; never more than the item's committed
    /// time limit. Defaults to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement_days: Option<u32>,
    /// A rule deciding whether tolerance may be granted to this application (for example
    /// "at most two materials missing"); `false` refuses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Rule>,
}

fn yes() -> bool {
    true
}

impl Default for Acceptance {
    fn default() -> Self {
        Acceptance { tolerance: true, commitment: true, supplement_days: None, policy: None }
    }
}

/// A department (部门).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable identifier, e.g. `market-regulation`.
    pub id: String,
    /// Name, e.g. 市场监督管理局 / Administration for Market Regulation.
    pub name: Text,
    /// Enquiry telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// An entry of the field dictionary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Title shown to the applicant, e.g. 身份证号码 / ID number.
    pub title: Text,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Labels of canonical values, for choices: `{"男": {"zh": "男", "en": "Male"}}`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub options: IndexMap<String, Text>,
    /// For a list mapped column by column (`shareholders`), how one element is named in
    /// messages and in the one-time notice, `{n}` standing for its number from 1:
    /// `{"zh": "第{n}位股东", "en": "shareholder {n}"}`. Without it: the list's title and
    /// the number (股东第2项 / Shareholders #2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<Text>,
    /// When the wizard shows the field (a visibility rule), e.g.
    /// `form["business.online_sales"] == true`. A hidden field is not asked for, and its
    /// value is left out of the submission the wizard gives. Always shown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
}

/// A group of fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable identifier.
    pub id: String,
    /// Title, e.g. 申请人信息 / Applicant.
    pub title: Text,
    /// Canonical keys, in display order.
    pub fields: Vec<String>,
}

/// The position of an item in its bundle's `items`, as a typed index (see `compile::items`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ItemIx(usize);

impl ItemIx {
    /// The index of the item at position `i`: only for a position of a bundle's items (a
    /// [`Bundle`] walking its items, a per-item collection reading its values), so that
    /// every `ItemIx` is in range.
    pub(crate) fn from_position(i: usize) -> ItemIx {
        ItemIx(i)
    }

    /// The position, for places in `bundle.json` (`/items/3/...`).
    pub fn position(self) -> usize {
        self.0
    }

    /// The item as the bundle declares it.
    pub fn declared(self, bundle: &Bundle) -> &Item {
        // In range: an `ItemIx` is only made for a position of this bundle's items (see
        // `from_position`), and a compiled bundle never changes its items.
        #[allow(clippy::indexing_slicing)]
        &bundle.items[self.0]
    }
}

impl Bundle {
    /// Every item with its index, in order.
    pub(crate) fn indexed_items(&self) -> impl Iterator<Item = (ItemIx, &Item)> {
        self.items.iter().enumerate().map(|(i, item)| (ItemIx(i), item))
    }

    /// The material a submission's material key names, the first item's that asks for it:
    /// a reuse key (`business-licence`), or for a material of each element of a list
    /// (`for_each`), its reuse key and the element's index (`id-card[1]`, with `Some(1)`).
    pub fn material_of(&self, key: &str) -> Option<(&Material, Option<usize>)> {
        let element = key
            .strip_suffix(']')
            .and_then(|k| k.rsplit_once('['))
            .and_then(|(base, n)| Some((base, n.parse::<usize>().ok()?)));
        self.items.iter().flat_map(|i| &i.materials).find_map(|m| match (&m.for_each, element) {
            (None, _) => (m.reuse_key() == key).then_some((m, None)),
            (Some(_), Some((base, n))) => (m.reuse_key() == base).then_some((m, Some(n))),
            (Some(_), None) => None,
        })
    }
}

impl std::fmt::Display for ItemIx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An item (事项): one department's procedure within the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable identifier, e.g. `food-business-licence`.
    pub id: String,
    /// Title, e.g. 食品经营许可 / Food business licence.
    pub title: Text,
    /// The owning department's id.
    pub department: String,
    /// The department's form, a JSON Schema (draft 2020-12) exactly as published. In a
    /// bundle directory: the file name of the schema, relative to the directory.
    #[schemars(schema_with = "schema_source")]
    pub schema: Value,
    /// The file the schema was read from in a bundle directory, e.g. `seal.schema.json`. The
    /// loader sets it, and `onething pack` keeps it, so that the merged form's provenance and
    /// compile problems name the same document for a directory and its packed form. Without
    /// it the document is called `<id>.schema.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_file: Option<String>,
    /// From the department's property paths (JSON Pointers into its form data, e.g.
    /// `/applicant/idNo`) to canonical keys. Unmapped properties keep their own path, joined
    /// with dots, as their key. In an array of objects, `*` stands for every element and the
    /// key names the list and its column: `"/gd/*/gdmc": "shareholders[].name"` (nested lists
    /// alike: `/hh/*/cy/*/xm` → `households[].members[].name`); the canonical value of
    /// `shareholders` is then an array of objects over the columns, which every item mapping
    /// the list sees in its own names, order and nesting.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub field_map: IndexMap<String, FieldMapping>,
    /// Legal basis (设定依据).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<Text>,
    /// Committed time limit (承诺时限), in working days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_days: Option<u32>,
    /// Fees; none means free of charge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
    /// The applicant chooses whether to apply for this item (opt-in).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The item applies only when this rule holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_if: Option<Condition>,
    /// Eligibility rules of this item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub eligibility: Vec<Rule>,
    /// Consistency checks between fields: a failure asks for a correction (补正) of the
    /// fields it names, not a rejection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Obligations an accepted item comes with, computed by rules (a retiree short of
    /// contribution years tops up 40 months; the shareholders pay in their capital by a
    /// date).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationRule>,
    /// Materials (材料) this item asks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<Material>,
    /// Items that must be decided before this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Prerequisites whose obligations the applicant must have paid before this item is
    /// handled: the real estate registry's time limit counts from the day the transaction
    /// taxes are paid (先税后证), not from the tax bureau's decision. Each one is a direct
    /// prerequisite (in `depends_on`, or producing evidence this item consumes) with
    /// obligation rules. The plan and the notice say so; for an application, the notice
    /// says so when the prerequisite obliges something in that decision (not for an
    /// applicant it obliges to nothing, such as an exempt buyer). The plan's working days
    /// do not count the applicant's time to pay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_payment_of: Vec<String>,
    /// The canonical key of a date field of the form: the item can be handled only from
    /// that date on (a housing-fund withdrawal from the retirement date, an account opened
    /// on the appointment day). The plan and the notice say so, and the notice for an
    /// application gives the date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
    /// Evidence this item produces (e.g. `birth-certificate`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub produces: Vec<String>,
    /// Evidence this item consumes, produced by another item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumes: Vec<String>,
}

fn schema_source(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "A JSON Schema (object or boolean); in a bundle directory, the schema's file name.",
        "anyOf": [{"type": "object"}, {"type": "boolean"}, {"type": "string"}]
    })
}

/// Where a department property goes: a canonical key, optionally through a transform; or,
/// in an item's field map, a constant the bundle always sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum FieldMapping {
    /// Just the canonical key: the value passes unchanged.
    Key(String),
    /// A key and a transform.
    Transformed {
        /// The canonical key.
        key: String,
        /// How canonical values become the department's values, and back.
        transform: Transform,
    },
    /// A value the department's field always has in this bundle (the bank account's type
    /// is always `01`, 基本存款账户, when a new company opens its first account). It is
    /// checked against the department's schema when the bundle compiles, sent by dispatch
    /// (its parent objects with it), and never shown in the merged form: the applicant has
    /// nothing to type. Only in an item's field map, not in a data source's.
    Constant {
        /// The department's value, in the department's own coding.
        constant: Value,
    },
    /// On the elements of a list (`"/syr/*"`), when the department lists only some of
    /// them: a JSON Schema over the list's columns that an element must satisfy to be in
    /// this department's array (`{"properties": {"kind": {"const": "自然人"}}, "required":
    /// ["kind"]}`: only the natural persons). The department's constraints then hold of
    /// those elements only, dispatch sends only them (in the list's order), and its
    /// `minItems`/`maxItems` count them. A schema rather than a script, so that the merged
    /// form stays one exact JSON Schema (`if` the condition `then` the department's
    /// element), which any validator checks alike. Only in an item's field map.
    Elements {
        /// The condition an element meets to be sent to this department.
        elements_if: Value,
    },
}

impl FieldMapping {
    /// The canonical key; `None` for a constant.
    pub fn key(&self) -> Option<&str> {
        match self {
            FieldMapping::Key(k) | FieldMapping::Transformed { key: k, .. } => Some(k),
            FieldMapping::Constant { .. } | FieldMapping::Elements { .. } => None,
        }
    }

    /// The transform, if any.
    pub fn transform(&self) -> Option<&Transform> {
        match self {
            FieldMapping::Key(_) | FieldMapping::Constant { .. } | FieldMapping::Elements { .. } => None,
            FieldMapping::Transformed { transform, .. } => Some(transform),
        }
    }

    /// The constant, for a constant entry.
    pub fn constant(&self) -> Option<&Value> {
        match self {
            FieldMapping::Constant { constant } => Some(constant),
            _ => None,
        }
    }

    /// The condition on a list's elements, for an `elements_if` entry.
    pub fn elements_if(&self) -> Option<&Value> {
        match self {
            FieldMapping::Elements { elements_if } => Some(elements_if),
            _ => None,
        }
    }
}

/// A value transform between the canonical form and a department's form. Each is a
/// bijection on its domain, so dispatch can turn canonical values into the department's and
/// prefill can read department data back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Transform {
    /// A table of codes, e.g. canonical `男`/`女` ↔ department `1`/`2`.
    ValueMap(Vec<ValuePair>),
    /// A date written in another layout, e.g. canonical `2024-05-01` ↔ department
    /// `20240501`. The layout is made of tokens and literal characters (neither digits nor
    /// the letters of a token), each token once, in one of three sets:
    ///
    /// - `YYYY`, `MM`, `DD` (`YYYYMMDD`, `YYYY年MM月DD日`): the canonical value is a date,
    ///   `YYYY-MM-DD`;
    /// - `YYYY`, `MM`, `DD`, `HH`, `mm`, `ss` (`YYYY-MM-DD HH:mm:ss`, `YYYYMMDDHHmmss`): a
    ///   date and a time of day the department always writes the same, declared in `time`
    ///   (`"00:00:00"`); the canonical value is a date, and a department value with another
    ///   time is not one of this field's values;
    /// - `YYYY`, `MM` (`YYYYMM`, `YYYY-MM`): the canonical value is a month, `YYYY-MM`. A
    ///   key cannot be a month at one item and a date at another (a compile problem): give
    ///   the month a key of its own, derived from the date if need be.
    ///
    /// Every one is a bijection between the canonical values and the department's: dispatch
    /// and prefill lose nothing.
    Date {
        /// The department's layout: `YYYY`, `MM`, `DD`, `HH`, `mm`, `ss` and literal
        /// characters.
        layout: String,
        /// The fixed time of day of a layout with `HH`, `mm` and `ss`, as `HH:mm:ss`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<String>,
    },
    /// Rhai scripts, each turning `value` into the other side's value. Nothing checks that
    /// one undoes the other unless the author says so: a compile warning asks for
    /// `reversible`, and `examples` are checked to go there and back unchanged.
    Script {
        /// Canonical value → department value.
        forward: String,
        /// Department value → canonical value.
        backward: String,
        /// The author's declaration that `backward` undoes `forward` on every canonical value
        /// the form admits (so dispatch and prefill lose nothing). Without it, the bundle
        /// compiles with a warning.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reversible: bool,
        /// Canonical values on which the bundle checks, when it compiles, that `backward`
        /// gives back what `forward` made (one that does not is a compile problem).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        examples: Vec<Value>,
    },
}

/// One row of a value map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValuePair {
    /// The canonical value.
    pub canonical: Value,
    /// The department's value.
    pub department: Value,
}

/// A fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// What is charged for.
    pub title: Text,
    /// Amount in yuan; with `amount_from`, the standard amount (the one the notice states
    /// when it does not know the application).
    pub amount_yuan: f64,
    /// When the amount depends on the application: a number of the form (a canonical key,
    /// typed or derived) holding this application's amount in yuan, such as a derive rule
    /// adding 10 yuan for each certificate after the first (发改价格规〔2016〕2559号). The
    /// notice of an applicant's situation charges it; the general notice states
    /// `amount_yuan` and says that the amount depends on the application. When the key has
    /// no number (its derive rule failed, a value is missing), that notice says so too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_from: Option<String>,
}

/// A Rhai script, inline or (in a bundle directory) in a file under `rules/`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// The script's source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// In a bundle directory: the file holding the script, e.g. `rules/fire-safety.rhai`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The file a loader ([`crate::load`]) read the script from, so that compile problems
    /// can name it. Kept in memory only: the packed form has no files.
    #[serde(skip)]
    #[schemars(skip)]
    pub read_from: Option<String>,
    /// Why a loader could not read `file` (it does not exist, say). The loader goes on with
    /// the other files, and compiling reports this as a problem of the rule beside every
    /// other problem of the bundle; `file` stays named, so the bundle is never taken for one
    /// whose script is empty.
    #[serde(skip)]
    #[schemars(skip)]
    pub unreadable: Option<String>,
}

/// Scripts are equal when their sources are: where a loader read one from is not part of
/// the bundle (a directory and its packed form are the same bundle).
impl PartialEq for Script {
    fn eq(&self, other: &Script) -> bool {
        self.script == other.script && self.file == other.file
    }
}

/// A condition: a script that returns `true` or `false`, and what it means in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The condition in words, for the notice (e.g. 经营面积50平方米以上).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// The script.
    #[serde(flatten)]
    pub source: Script,
}

/// A named rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Identifier, unique within its item (or the bundle).
    pub id: String,
    /// What the rule checks, e.g. 申请人须年满18周岁 / The applicant is 18 or older.
    pub title: Text,
    /// What to tell the applicant when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
    /// For an eligibility rule about each element of a list (each shareholder, each
    /// co-owner): the list's canonical key. The rule then runs once per element, with
    /// `element` (the element, read-only, over the list's columns) and `index` (its
    /// position, from 0) in scope besides `form`; each element that fails is a reason of
    /// its own, naming the element (第2位股东：…), and an element whose run errs sends the
    /// item to manual review. No element, no run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// The script.
    #[serde(flatten)]
    pub source: Script,
}

/// A consistency check between fields (e.g. the gender typed agrees with the ID number):
/// when its script returns `false` (or `#{ ok: false, reason }`), the applicant is asked to
/// correct the fields it names — a deficiency of the one-time list, with the item's outcome
/// `correction_required` — instead of being rejected. The check runs only once every field
/// it names has a value (a missing field is the form's own error), after the item's
/// eligibility rules pass; an error in its script sends the item to manual review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Identifier, unique within its item (or the bundle's checks).
    pub id: String,
    /// What must agree, e.g. 性别与身份证号码一致 / The gender agrees with the ID number.
    pub title: Text,
    /// The canonical keys to correct when the check fails (at least one), e.g.
    /// `["legal_rep.gender", "legal_rep.id_number"]`.
    pub fields: Vec<String>,
    /// What to tell the applicant when it fails (else the title, and a reason the script
    /// returns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
    /// How to correct it (else: correct the named fields so that they agree).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Text>,
    /// For a check of each element of a list (each shareholder's gender agrees with their
    /// ID number): the list's canonical key. `fields` are then its columns
    /// (`shareholders[].gender`); the check runs once per element whose named columns have
    /// valid values, with `element` and `index` in scope, and each element that fails is a
    /// deficiency of its own naming the element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// The script.
    #[serde(flatten)]
    pub source: Script,
}

/// A rule that attaches obligations to its item when the item is accepted: what the
/// applicant must still do, with an optional amount and unit and an optional due date.
///
/// Its script returns nothing (`()` or `false`: no obligation), `true` (one obligation,
/// worded by the title), a map `#{ text, amount, unit, due }` or an array of such maps:
/// `text` and `unit` are text or `#{ zh, en }` (`text` defaults to the title), `amount` a
/// number, `due` a date (`Date` or `YYYY-MM-DD`). Anything else is the rule's error, and
/// the item goes to manual review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObligationRule {
    /// Identifier, unique within the item's obligations.
    pub id: String,
    /// What is owed, e.g. 按月补缴基本医疗保险费 / Top up the medical insurance monthly.
    pub title: Text,
    /// The script.
    #[serde(flatten)]
    pub source: Script,
}

/// Whether a material is primary (主件) or secondary (辅件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    /// Must be present for acceptance.
    #[default]
    Primary,
    /// May be tolerated missing (容缺) when marked tolerable.
    Secondary,
}

/// A material (材料) an item asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Identifier, unique within the item.
    pub id: String,
    /// Title, e.g. 营业执照 / Business licence.
    pub title: Text,
    /// Primary or secondary.
    #[serde(default)]
    pub kind: MaterialKind,
    /// A secondary material that may be missing at acceptance (容缺), on a commitment to
    /// supply it later.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tolerable: bool,
    /// A signed commitment can replace it (告知承诺).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub commitment: bool,
    /// The material is required only when this rule holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Condition>,
    /// One material serves every item that asks for the same reuse key (材料复用). Defaults
    /// to the material's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_key: Option<String>,
    /// For a material each element of a list hands in (each co-owner's ID card): the list's
    /// canonical key. It is then required once per element: the status of element `n`
    /// (from 0) is under `<reuse key>[n]` in the submission's materials, and the one-time
    /// list names whose is missing (第2位共有人的身份证). Its `required_if` runs once per
    /// element, with `element` and `index` in scope: the material is required of the
    /// elements it holds for (each heir under 18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// Data sources that satisfy it without an upload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// How long the applicant has to supply this material when it is tolerated (容缺补交
    /// 期限), when it is not the bundle's `supplement_days` working days: e.g. 7 calendar
    /// days ("签署7天补交承诺书"). Still never beyond the item's committed time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement: Option<Period>,
    /// A date of the form (a canonical key, typed or derived) that no supplement deadline of
    /// this material may pass: "to be supplied before term starts" (开学前补齐) shortens the
    /// period to that day. When the day has passed on the application's date, the material
    /// cannot be tolerated: it is owed now. Blank, the period alone counts; when its derive
    /// rule fails, the item waits for an official (a deadline that cannot be known is not
    /// granted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement_until: Option<String>,
}

/// A period counted from the application date: so many working days, or calendar days.
///
/// A deadline never falls on a day off. Counted in working days it cannot; counted in
/// calendar days, a last day that is a weekend or holiday moves to the next working day
/// (《民法典》第二百零三条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// How many days.
    pub days: u32,
    /// How they are counted: `working` (the default) or `calendar`.
    #[serde(default)]
    pub count: DayCount,
}

/// How the days of a [`Period`] are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Working days (工作日): holidays and 调休 honoured.
    #[default]
    Working,
    /// Calendar days (自然日).
    Calendar,
}

impl Material {
    /// The key under which one provided copy serves every item.
    pub fn reuse_key(&self) -> &str {
        self.reuse_key.as_deref().unwrap_or(&self.id)
    }

    /// The period to supply this material when tolerated: its own `supplement`, else the
    /// bundle's (`acceptance`), before any cap by an item's time limit.
    pub fn supplement_period(&self, acceptance: &Acceptance) -> Period {
        self.supplement.unwrap_or_else(|| Period::default_for(acceptance))
    }
}

/// Working days to supply a tolerated material when the bundle says nothing.
pub const DEFAULT_SUPPLEMENT_DAYS: u32 = 5;

impl Period {
    /// The bundle's own period: its `supplement_days` (else [`DEFAULT_SUPPLEMENT_DAYS`]), in
    /// working days.
    pub fn default_for(acceptance: &Acceptance) -> Period {
        Period {
            days: acceptance.supplement_days.unwrap_or(DEFAULT_SUPPLEMENT_DAYS),
            count: DayCount::Working,
        }
    }
}

/// Notice text that is not derived from the items.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeInfo {
    /// Who may apply (申请对象).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicants: Option<Text>,
    /// Channels (办理渠道): windows, websites, apps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Text>,
    /// Enquiry contact (咨询方式).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enquiry: Option<Text>,
    /// Committed time limit of the whole bundle, in working days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_days: Option<u32>,
}
