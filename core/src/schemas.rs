//! JSON Schemas of this crate's own formats, generated from the Rust types.
//!
//! They are checked in under `schemas/` at the repository root, where editors, other
//! languages and the TypeScript type generator read them. A test fails when a file there is
//! stale; `UPDATE_SCHEMAS=1 cargo test -p onething --test schemas` rewrites them.
//!
//! ```
//! let all = onething::schemas::all();
//! assert!(all.iter().any(|(name, _)| *name == "bundle"));
//! ```

use schemars::{JsonSchema, generate::SchemaSettings};
use serde_json::Value;

use crate::base::calendar::Calendar;
use crate::model::bundle::Bundle;
use crate::model::decision::Decision;
use crate::model::error::{CompileError, Warning};
use crate::model::submission::Submission;
use crate::model::validation::Validation;
use crate::run::dispatch::Dispatch;

fn schema_of<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    serde_json::to_value(generator.into_root_schema_for::<T>()).unwrap_or(Value::Null)
}

/// Every format's schema, by file stem: `bundle` is written to `schemas/bundle.schema.json`.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("bundle", schema_of::<Bundle>()),
        ("submission", schema_of::<Submission>()),
        ("validation", schema_of::<Validation>()),
        ("dispatch", schema_of::<Dispatch>()),
        ("decision", schema_of::<Decision>()),
        ("calendar", schema_of::<Calendar>()),
        ("notice", schema_of::<crate::report::notice::Notice>()),
        ("plan", schema_of::<crate::report::plan::Plan>()),
        ("reports", schema_of::<crate::report::results::Reports>()),
        ("results", schema_of::<crate::report::results::Results>()),
        ("rating", schema_of::<crate::report::results::Rating>()),
        ("wizard", schema_of::<crate::run::wizard::WizardState>()),
        ("draft", schema_of::<crate::run::wizard::Draft>()),
        ("prefill", schema_of::<crate::run::prefill::Prefill>()),
        ("warning", schema_of::<Warning>()),
        ("compile-error", schema_of::<CompileError>()),
        ("case", schema_of::<crate::model::case::CaseFile>()),
        ("test-report", schema_of::<crate::report::testing::TestReport>()),
        ("diff", schema_of::<crate::report::diff::BundleDiff>()),
    ]
}
