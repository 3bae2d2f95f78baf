//! What validating a submission answers: every error at once, with the canonical key, the
//! JSON Pointer and a bilingual message, and the warnings that do not make it invalid.

use jsonschema::error::ValidationErrorKind;
use schemars::JsonSchema;
use serde::Serialize;

use crate::base::text::Text;

/// The result of validating a submission.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Validation {
    /// No errors.
    pub valid: bool,
    /// The items that apply to this submission, in bundle order.
    pub applicable: Vec<String>,
    /// Every error, at once.
    pub errors: Vec<FieldError>,
    /// Things the applicant should know that do not make the submission invalid.
    pub warnings: Vec<FieldWarning>,
}

/// One error.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FieldError {
    /// The canonical key concerned, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// JSON Pointer into the submission's `values`.
    pub pointer: String,
    /// The constraint that failed (a JSON Schema keyword, or `transform`, `applies_if`…).
    pub keyword: String,
    /// What to tell the applicant.
    pub message: Text,
    /// The items whose constraint failed.
    pub items: Vec<String>,
    /// For a bound (`maxLength`, `minimum`…): the limit, so that of two messages about one
    /// value the stricter is kept.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) limit: Option<Limit>,
}

/// A bound's value and direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limit {
    value: f64,
    /// `true` for upper bounds (`max*`), where smaller is stricter.
    upper: bool,
}

impl Limit {
    pub(crate) fn of(kind: &ValidationErrorKind) -> Option<Limit> {
        use ValidationErrorKind as K;
        let (value, upper) = match kind {
            K::MaxLength { limit } | K::MaxItems { limit } | K::MaxProperties { limit } => {
                (*limit as f64, true)
            }
            K::MinLength { limit } | K::MinItems { limit } | K::MinProperties { limit } => {
                (*limit as f64, false)
            }
            K::Maximum { limit } | K::ExclusiveMaximum { limit } => (limit.as_f64()?, true),
            K::Minimum { limit } | K::ExclusiveMinimum { limit } => (limit.as_f64()?, false),
            _ => return None,
        };
        Some(Limit { value, upper })
    }

    pub(crate) fn stricter_than(self, other: Limit) -> bool {
        if self.upper { self.value < other.value } else { self.value > other.value }
    }
}

/// A warning about a submission.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FieldWarning {
    /// The canonical key concerned, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// What to tell the applicant.
    pub message: Text,
}
