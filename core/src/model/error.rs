//! Errors of loading and compiling bundles.
//!
//! Loading fails fast with one [`LoadError`] (a file cannot be read or parsed). Compiling
//! collects every problem of a bundle at once into a [`CompileError`], so `onething check`
//! lists them all: each [`Problem`] names where it is as far as it is known — in words
//! (`at`, the item and department), as the JSON Pointer of its place in the bundle document
//! (`bundle_pointer`, see [`Problem::bundle_pointer`]), as the JSON Pointer in a department
//! schema or a field map (`pointer`), and, for scripts, as the rule, the file, the line and
//! the column.
//!
//! The **bundle pointer** points into the bundle document as it was given: `bundle.json` of
//! a bundle directory, or the packed bundle (`/items/3/field_map/~1xm`,
//! `/items/0/materials/2/sources/1`, `/sources/1/fields/~1a~1b`, `/departments/2`). A script
//! problem points at the script's text, `/derive/4/script`, or, for a script read from a file
//! of a bundle directory, at the `file` member naming it, `/derive/4/file` (the file, line and
//! column then say where in the file); a schema problem points at the item's `schema`. The
//! pointer is absent only where a problem has no place in the bundle document (a merged form
//! that does not compile, a merge problem about no item's schema). It is called `bundle_pointer`, not `pointer` as in a [`Warning`],
//! because a field map problem's and a schema problem's `pointer` already points elsewhere:
//! into the field map's keys, into the department schema.

use std::fmt;

use serde::Serialize;

use crate::base::json::JsonError;
use crate::schema::{SchemaError, Unsat};

/// A bundle or submission that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LoadError {
    /// A file cannot be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// Not JSON.
    #[error("{path}:{line}:{column}: invalid JSON: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON of the wrong shape.
    #[error("{path}: at {at}: {message}")]
    Format {
        /// The file.
        path: String,
        /// Where in the document (a path such as `items[2].field_map`).
        at: String,
        /// What is wrong.
        message: String,
    },
    /// Too large to accept.
    #[error("{path}: {bytes} bytes is more than the limit of {limit}")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
}

impl LoadError {
    /// The file the error is in (or the name the input was given, such as `submission`).
    pub fn path(&self) -> &str {
        match self {
            LoadError::Io { path, .. }
            | LoadError::Syntax { path, .. }
            | LoadError::Format { path, .. }
            | LoadError::TooLarge { path, .. } => path,
        }
    }

    /// A JSON error in the document `path`.
    pub(crate) fn json(path: &str, e: JsonError) -> LoadError {
        let path = path.to_owned();
        match e {
            JsonError::Syntax { line, column, message } => LoadError::Syntax { path, line, column, message },
            JsonError::Shape { path: at, message } => LoadError::Format { path, at: at.to_string(), message },
        }
    }
}

/// Every problem found while compiling a bundle (the `details` of a JS `compile` error).
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, schemars::JsonSchema)]
#[error("{} problem(s) in bundle `{bundle}`:\n{}", problems.len(), list(problems))]
pub struct CompileError {
    /// The bundle's id.
    pub bundle: String,
    /// The problems, in bundle order.
    pub problems: Vec<Problem>,
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

/// One problem of a bundle.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// Two things of one kind share an id.
    #[error("duplicate {what} id `{id}`")]
    DuplicateId {
        /// `item`, `department`, `section`, `material of item x`…
        what: String,
        /// The id.
        id: String,
        /// Its place in the bundle document (`bundle.json`) as a JSON Pointer, when it has one
        /// there.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
    /// A reference to something that does not exist.
    #[error("{at}: unknown {what} `{id}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// Where the reference is, e.g. `item seal-engraving, depends_on`.
        at: String,
        /// What kind of thing, e.g. `department`.
        what: String,
        /// The id that was not found.
        id: String,
        /// The known id nearest to it, when one is close (a typo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
        /// Its place in the bundle document (`bundle.json`) as a JSON Pointer, when it has one
        /// there.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
    /// A field map entry is wrong.
    #[error("item `{item}` (department `{department}`): field map {pointer}: {message}")]
    FieldMap {
        /// The item.
        item: String,
        /// Its department.
        department: String,
        /// The field map's pointer.
        pointer: String,
        /// What is wrong.
        message: String,
        /// Its place in the bundle document (`bundle.json`) as a JSON Pointer, when it has one
        /// there.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
    /// Two items' constraints leave a canonical field no possible value.
    #[error("field `{key}`: {}", conflict_text(unsat))]
    Conflict {
        /// The canonical key.
        key: String,
        /// The conflict, naming both sides.
        unsat: Unsat,
        /// Its place in the bundle document (`bundle.json`) as a JSON Pointer, when it has one
        /// there.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
    /// A rule script does not compile.
    #[error("{at}: rule `{rule}` at {}: {message}", place(file.as_deref(), *line, *column))]
    Script {
        /// Where the rule is, e.g. `item fire-safety, applies_if`.
        at: String,
        /// The rule's id.
        rule: String,
        /// The file the script was read from (`rules/fire-safety.rhai`), when it was loaded
        /// from a bundle directory; `line` and `column` are then in that file.
        #[serde(skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
        /// Its place in the bundle document (`bundle.json`) as a JSON Pointer, when it has one
        /// there.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
    /// Items wait for each other in a circle (`depends_on`, or evidence produced and
    /// consumed): no order of handling them exists.
    #[error("dependency cycle: {} ({})", items.join(" → "), because.join("; "))]
    Cycle {
        /// The items of the cycle in order, the first repeated at the end: each must be
        /// done before the next.
        items: Vec<String>,
        /// Why each item waits for the one before it.
        because: Vec<String>,
        /// Its place in the bundle document (`bundle.json`) as a JSON Pointer, when it has one
        /// there.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
    /// Something else about the bundle's structure.
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: String,
        /// What is wrong.
        message: String,
        /// Its place in the bundle document (`bundle.json`) as a JSON Pointer, when it has one
        /// there.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
    /// An item's department schema is unusable. Serialised as the schema error itself, whose
    /// own `kind` (`not_a_schema`, `dialect`…) says what is wrong, its `origin` which document
    /// and its `pointer` where in that document, with the `bundle_pointer` of the item's
    /// `schema` member (and last: serde wants an untagged variant at the end).
    #[error("{error}")]
    #[serde(untagged)]
    #[schemars(schema_with = "schema_problem")]
    Schema {
        /// What is wrong with the schema.
        #[serde(flatten)]
        error: SchemaError,
        /// The item's `schema` in the bundle document, `/items/<n>/schema`: the file name of
        /// the schema in a bundle directory, the schema itself in a packed bundle.
        #[serde(skip_serializing_if = "Option::is_none")]
        bundle_pointer: Option<String>,
    },
}

impl Problem {
    /// [`Problem::Unknown`] for `id` at `bundle_pointer`, suggesting the nearest of `known`
    /// within two edits.
    pub(crate) fn unknown<'a>(
        at: String,
        bundle_pointer: String,
        what: &str,
        id: &str,
        known: impl Iterator<Item = &'a str>,
    ) -> Problem {
        let suggestion = crate::base::suggest::closest(id, known, 2).map(str::to_owned);
        Problem::Unknown {
            at,
            what: what.into(),
            id: id.into(),
            suggestion,
            bundle_pointer: Some(bundle_pointer),
        }
    }

    /// The problem's place in the bundle document as a JSON Pointer, when it has one there
    /// (see the [module documentation](self)): `serde_json::Value::pointer` on the bundle's
    /// JSON finds the offending value — the duplicate entry, the unknown reference, the field
    /// map entry, the script (or its `file`), the item's `schema`.
    pub fn bundle_pointer(&self) -> Option<&str> {
        match self {
            Problem::DuplicateId { bundle_pointer, .. }
            | Problem::Unknown { bundle_pointer, .. }
            | Problem::FieldMap { bundle_pointer, .. }
            | Problem::Conflict { bundle_pointer, .. }
            | Problem::Script { bundle_pointer, .. }
            | Problem::Cycle { bundle_pointer, .. }
            | Problem::Invalid { bundle_pointer, .. }
            | Problem::Schema { bundle_pointer, .. } => bundle_pointer.as_deref(),
        }
    }
}

/// [`Problem::Schema`]'s JSON Schema (the variant's doc is its description): a reference to
/// [`SchemaError`] with a `bundle_pointer`. Derived, the flattened `SchemaError` would be
/// inlined and its definition dropped from the schemas.
fn schema_problem(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let error = generator.subschema_for::<SchemaError>();
    schemars::json_schema!({
        "allOf": [error],
        "properties": {
            "bundle_pointer": {
                "description": "The item's `schema` in the bundle document, `/items/<n>/schema`: the file name of the schema in a bundle directory, the schema itself in a packed bundle.",
                "type": ["string", "null"]
            }
        }
    })
}

/// Where in a script: `rules/x.rhai:3:5`, or `line 3, column 5` for an inline script.
fn place(file: Option<&str>, line: usize, column: usize) -> String {
    match (file, line) {
        (Some(file), 0) => file.to_owned(),
        (Some(file), _) => format!("{file}:{line}:{column}"),
        (None, 0) => "its script".to_owned(),
        (None, _) => format!("line {line}, column {column}"),
    }
}

/// Something worth fixing that does not stop a bundle from working: a compile warning, for
/// the bundle's author (`CompiledBundle::warnings`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// Where, as text: item `id`, field `key`, field dictionary `key` or material `id`.
    pub at: String,
    /// What is worth fixing.
    pub message: String,
    /// Its place in the bundle (`bundle.json`) as a JSON Pointer, when it has one there:
    /// `/fields/<key>`, `/items/<n>`, `/items/<n>/materials/<m>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// An item id the bundle does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown item `{0}`")]
pub struct UnknownItem(pub String);

/// Why the form of some items ([`crate::CompiledBundle::form_for`]) cannot be given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// An item id the bundle does not have.
    #[error(transparent)]
    UnknownItem(#[from] UnknownItem),
    /// These items' schemas cannot be merged together: a limit is reached that merging
    /// every item's did not reach.
    #[error("the form of these items cannot be merged: {0}")]
    Schema(#[from] SchemaError),
}

/// A conflict between departments as a bundle author reads it: the canonical field (in the
/// caller), where inside it, each department's constraint at its place in its own schema,
/// and what usually resolves that kind of conflict.
fn conflict_text(unsat: &Unsat) -> String {
    let inside = if unsat.at.is_empty() { String::new() } else { format!(" at {} inside it", unsat.at) };
    let mut text = format!("the departments' constraints contradict{inside}, no value satisfies them all:");
    let mut hints: Vec<&str> = Vec::new();
    for r in &unsat.reasons {
        text.push_str(&format!(" {r}"));
        let hint = match r.constraint.as_str() {
            "enum" | "const" => {
                "the departments code the value differently: map one department's codes onto the canonical ones with a `value_map` transform in its field_map"
            }
            "type" | "format" | "pattern" => {
                "the departments write the value differently: convert it with a transform in one department's field_map (a `value_map`, a date `layout`, or a `script`)"
            }
            _ => {
                "the departments' bounds do not overlap: check both schemas, or map the field to two canonical keys"
            }
        };
        if !hints.contains(&hint) {
            hints.push(hint);
        }
    }
    for hint in hints {
        text.push_str(&format!("; {hint}"));
    }
    text
}
