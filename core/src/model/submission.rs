//! A submission: what the applicant hands in, once.
//!
//! Canonical values (keyed by the bundle's canonical keys), the status of each material, the
//! commitments signed, and the optional items chosen.
//!
//! ```
//! let s = onething::Submission::from_json(r#"{"values": {"company.name": "好味餐饮"}}"#).unwrap();
//! assert_eq!(s.values["company.name"], "好味餐饮");
//! assert_eq!(s.values().len(), 1);
//! ```

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::error::LoadError;

/// The largest submission text accepted, in bytes (16 MiB).
pub const MAX_SUBMISSION_BYTES: usize = 16 << 20;

/// What the applicant hands in.
// Submissions are read in one pass from text (`load::parse_json_once`), where `serde_json`
// alone would keep the last of two equal keys and take a struct written as an array: the
// maps refuse duplicate keys (`json::unique`) and `applicant` must be an object
// (`json::strict::object_struct`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The bundle this submission is for; checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    // A `Value` rather than a map, so that validation reads it in place without a copy;
    // `values()` gives the map.
    /// Canonical values: a JSON object keyed by canonical key.
    #[serde(default = "empty_object", deserialize_with = "crate::base::json::unique::object")]
    #[schemars(with = "Map<String, Value>")]
    pub values: Value,
    /// Status of each material, keyed by its reuse key.
    #[serde(
        default,
        skip_serializing_if = "IndexMap::is_empty",
        deserialize_with = "crate::base::json::unique::map"
    )]
    pub materials: IndexMap<String, MaterialStatus>,
    /// Commitments (承诺) the applicant signed, by id; [`TOLERANCE_COMMITMENT`] asks for
    /// fault-tolerant acceptance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commitments: Vec<String>,
    /// Optional items the applicant chose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opt_in: Vec<String>,
    /// Facts about the applicant that are not part of the form.
    #[serde(
        default,
        skip_serializing_if = "Applicant::is_empty",
        deserialize_with = "crate::base::json::strict::object_struct"
    )]
    pub applicant: Applicant,
}

/// The commitment id by which the applicant asks for fault-tolerant acceptance (容缺受理):
/// signing the commitment letter (承诺书) to supply tolerated materials by their deadline.
pub const TOLERANCE_COMMITMENT: &str = "tolerance";

/// Facts about the applicant, from the host's registers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// On a list of dishonest persons subject to enforcement (失信被执行人): no tolerance, no
    /// commitment in place of materials.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dishonest: bool,
    /// Anything else rules may read as `applicant.attributes`.
    #[serde(
        default,
        skip_serializing_if = "Map::is_empty",
        deserialize_with = "crate::base::json::unique::object_map"
    )]
    pub attributes: Map<String, Value>,
}

impl Applicant {
    /// Nothing is known.
    pub fn is_empty(&self) -> bool {
        !self.dishonest && self.attributes.is_empty()
    }
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

/// Where a material stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialStatus {
    /// Handed in.
    Provided,
    /// Not handed in.
    Missing,
    /// Replaced by a signed commitment.
    Committed,
    /// Satisfied by data sharing: no upload needed.
    Shared,
}

impl MaterialStatus {
    /// The status as spelled in JSON (`provided`, `missing`, `committed`, `shared`).
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialStatus::Provided => "provided",
            MaterialStatus::Missing => "missing",
            MaterialStatus::Committed => "committed",
            MaterialStatus::Shared => "shared",
        }
    }
}

impl Default for Submission {
    fn default() -> Self {
        Submission {
            bundle: None,
            values: empty_object(),
            materials: IndexMap::new(),
            commitments: Vec::new(),
            opt_in: Vec::new(),
            applicant: Applicant::default(),
        }
    }
}

impl Submission {
    /// A submission with these canonical values and nothing else.
    pub fn with_values(values: Map<String, Value>) -> Submission {
        Submission { values: Value::Object(values), ..Submission::default() }
    }

    /// The canonical values (empty if `values` was set to something other than an object,
    /// which validation reports).
    pub fn values(&self) -> &Map<String, Value> {
        self.values.as_object().unwrap_or(&EMPTY)
    }

    /// The canonical values, for editing. A `values` that is not an object is replaced by
    /// an empty one.
    pub fn values_mut(&mut self) -> &mut Map<String, Value> {
        if !self.values.is_object() {
            self.values = empty_object();
        }
        match &mut self.values {
            Value::Object(map) => map,
            // `values` was made an object just above.
            _ => unreachable!("values is an object"),
        }
    }

    /// Reads a submission from JSON text, refusing more than [`MAX_SUBMISSION_BYTES`].
    pub fn from_json(text: &str) -> Result<Submission, LoadError> {
        Submission::from_json_named(text, "submission")
    }

    /// Like [`Submission::from_json`], naming the source (a file name) in errors.
    pub fn from_json_named(text: &str, name: &str) -> Result<Submission, LoadError> {
        if text.len() > MAX_SUBMISSION_BYTES {
            return Err(LoadError::TooLarge {
                path: name.to_owned(),
                bytes: text.len() as u64,
                limit: MAX_SUBMISSION_BYTES as u64,
            });
        }
        crate::base::json::parse_once(text).map_err(|e| LoadError::json(name, e))
    }
}
