//! A submission: what the applicant hands in, once.
//!
//! Canonical values (keyed by the bundle's canonical keys), the status of each material, the
//! commitments signed, and the optional items chosen.
//!
//! ```
//! let s = onething::Submission::from_json(r#"{"values": {"company.name": "好味餐饮"}}"#).unwrap();
//! assert_eq!(s.values["company.name"], "好味餐饮");
//! ```

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::LoadError;

/// The largest submission text accepted, in bytes (16 MiB).
pub const MAX_SUBMISSION_BYTES: usize = 16 << 20;

/// What the applicant hands in.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The bundle this submission is for; checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// Canonical values, keyed by canonical key.
    #[serde(default)]
    pub values: Map<String, Value>,
    /// Status of each material, keyed by its reuse key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub materials: IndexMap<String, MaterialStatus>,
    /// Commitments (承诺) the applicant signed, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commitments: Vec<String>,
    /// Optional items the applicant chose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opt_in: Vec<String>,
}

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

impl Submission {
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
        crate::load::parse_json(text, name)
    }
}
