//! Errors about a schema document itself (before any merging).

use serde::Serialize;

use super::origin::Origin;

/// A schema document that cannot be used, with the place that is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SchemaError {
    /// A place that must hold a schema holds something else.
    #[error("{origin}: {pointer}: expected a schema (an object or a boolean), found {found}")]
    NotASchema {
        /// The document.
        origin: Origin,
        /// Where in it.
        pointer: String,
        /// What was found instead, e.g. `a number`.
        found: String,
    },
    /// A `$schema` other than draft 2020-12.
    #[error("{origin}: only JSON Schema draft 2020-12 is supported, but `$schema` is `{found}`")]
    Dialect {
        /// The document.
        origin: Origin,
        /// The `$schema` found.
        found: String,
    },
    /// A feature this crate deliberately does not handle, such as remote references.
    #[error("{origin}: {pointer}: `{keyword}` is not supported: {why}")]
    Unsupported {
        /// The document.
        origin: Origin,
        /// Where in it.
        pointer: String,
        /// The keyword.
        keyword: String,
        /// Why it is not supported and what to do instead.
        why: String,
    },
    /// A `$ref` to a place that does not exist.
    #[error("{origin}: {pointer}: `$ref` `{reference}` points to nothing in the document")]
    MissingRef {
        /// The document.
        origin: Origin,
        /// Where the `$ref` is.
        pointer: String,
        /// The reference.
        reference: String,
    },
    /// `$ref`s that lead back to themselves without descending into the instance: validation
    /// would never end.
    #[error("{origin}: cyclic `$ref` with nothing in between: {}", chain.join(" → "))]
    CyclicRef {
        /// The document.
        origin: Origin,
        /// The locations of the cycle, first repeated last.
        chain: Vec<String>,
    },
    /// Nested deeper than the limit.
    #[error("{origin}: {pointer}: schemas are nested deeper than {limit} levels")]
    TooDeep {
        /// The document.
        origin: Origin,
        /// Where the limit was reached.
        pointer: String,
        /// The limit.
        limit: usize,
    },
    /// The document, or what expanding its `$ref`s makes of it, has more subschemas than a
    /// merge takes (a hostile or runaway document).
    #[error(
        "{origin}: more than {limit} subschemas (a document this large, or this many `$ref` expansions, is refused)"
    )]
    TooLarge {
        /// The document.
        origin: Origin,
        /// The limit.
        limit: usize,
    },
    /// The document breaks the draft 2020-12 meta-schema or cannot be compiled.
    #[error("{origin}: {pointer}: not a valid JSON Schema: {message}")]
    Invalid {
        /// The document.
        origin: Origin,
        /// Where in it.
        pointer: String,
        /// What the validator said.
        message: String,
    },
}

impl SchemaError {
    /// The document the error is about.
    pub fn origin(&self) -> &Origin {
        match self {
            SchemaError::NotASchema { origin, .. }
            | SchemaError::Dialect { origin, .. }
            | SchemaError::Unsupported { origin, .. }
            | SchemaError::MissingRef { origin, .. }
            | SchemaError::CyclicRef { origin, .. }
            | SchemaError::TooDeep { origin, .. }
            | SchemaError::TooLarge { origin, .. }
            | SchemaError::Invalid { origin, .. } => origin,
        }
    }
}

/// Describes a JSON value's type for messages: `a number`, `an array`…
pub(crate) fn describe(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
