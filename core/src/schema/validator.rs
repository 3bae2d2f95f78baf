//! Compiling schemas with `jsonschema`, the same way everywhere.
//!
//! Formats are asserted (draft 2020-12 only annotates them by default): a department that
//! writes `"format": "date"` means it. This crate's formats `cn-id-number`,
//! `cn-credit-code`, `cn-mobile` and `cn-postal-code` are registered. No reference is ever
//! fetched: the validator is offline.
//!
//! [`precheck`] finds, without compiling a whole schema, what compiling it could still
//! refuse once its document was checked, so that a schema can be compiled when first needed
//! and still be refused up front.

use std::collections::BTreeSet;

use jsonschema::{ValidationOptions, Validator};
use serde_json::{Map, Value, json};

use super::cycles::leaking_cycle;
use super::keywords::subschemas;
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

/// Checks, without compiling it, what compiling `schema` could refuse once
/// [`Document::new`](super::Document::new) accepted it (meta-schema, dialect, references):
/// the leaking cycles of [`compile`], and the regular expressions. Each distinct `pattern`
/// value and `patternProperties` name found where a subschema can be is compiled alone, in a
/// one-keyword schema with [`validator_options`], so by the same engine and code path as in
/// the whole schema. If one is refused, the whole schema is compiled, so that the error is
/// exactly the one compiling it reports (the first in the validator's order); the validator
/// is returned then, should it compile after all.
///
/// This lets a department's schema as published be compiled on first use (only dispatch
/// needs it) while a schema the validator refuses is still reported at compile time.
pub fn precheck(schema: &Value) -> Result<Option<Validator>, (String, String)> {
    if let Some(cycle) = leaking_cycle(schema) {
        return Err((cycle.pointer, cycle.message));
    }
    let regexes = regexes(schema);
    let options = validator_options();
    let refused = regexes.into_iter().any(|(keyword, regex)| {
        let one = match keyword {
            Regex::Pattern => json!({ "pattern": regex }),
            Regex::PatternProperty => json!({ "patternProperties": { regex: true } }),
        };
        options.build(&one).is_err()
    });
    if refused { compile(schema).map(Some) } else { Ok(None) }
}

/// Where a regular expression is written.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Regex {
    /// The value of `pattern`.
    Pattern,
    /// A name in `patternProperties`.
    PatternProperty,
}

/// The regular expressions of `schema` and its subschemas, each once.
fn regexes(schema: &Value) -> BTreeSet<(Regex, &str)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![schema];
    while let Some(value) = stack.pop() {
        let Value::Object(obj) = value else { continue };
        if let Some(regex) = obj.get("pattern").and_then(Value::as_str) {
            out.insert((Regex::Pattern, regex));
        }
        for name in obj.get("patternProperties").and_then(Value::as_object).into_iter().flat_map(Map::keys) {
            out.insert((Regex::PatternProperty, name.as_str()));
        }
        stack.extend(subschemas(obj));
    }
    out
}
