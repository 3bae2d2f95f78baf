//! Compiling schemas with `jsonschema`, the same way everywhere.
//!
//! Formats are asserted (draft 2020-12 only annotates them by default): a department that
//! writes `"format": "date"` means it. This crate's formats `cn-id-number`,
//! `cn-credit-code`, `cn-mobile` and `cn-postal-code` are registered. No reference is ever
//! fetched: the validator is offline.

use jsonschema::{ValidationOptions, Validator};
use serde_json::Value;

use super::cycles::leaking_cycle;
use crate::base::formats;

/// Validator options: draft 2020-12, formats asserted, our formats registered, offline.
pub fn validator_options() -> ValidationOptions<'static> {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .with_format("cn-id-number", |s: &str| formats::check_id_number(s).is_ok())
        .with_format("cn-credit-code", |s: &str| formats::check_credit_code(s).is_ok())
        .with_format("cn-mobile", |s: &str| formats::check_mobile(s).is_ok())
        .with_format("cn-postal-code", |s: &str| formats::check_postal_code(s).is_ok())
}

/// Compiles a schema with [`validator_options`]; the error is the validator's message and
/// the JSON Pointer of the offending place in the schema.
///
/// A `$ref` cycle through `unevaluatedProperties`/`unevaluatedItems` that `jsonschema`
/// 0.61.2 leaks memory on at every compile is refused (see [`leaking_cycle`]): this is
/// compiled again and again by long-lived hosts, and on explanations at validation time.
pub fn compile(schema: &Value) -> Result<Validator, (String, String)> {
    if let Some(cycle) = leaking_cycle(schema) {
        return Err((cycle.pointer, cycle.message));
    }
    validator_options().build(schema).map_err(|e| (e.instance_path().to_string(), e.to_string()))
}
