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

use std::cell::RefCell;
use std::collections::BTreeSet;

use jsonschema::{PatternCache, ValidationOptions, Validator};
use serde_json::{Value, json};

use super::cycles::leaking_cycle;
use super::keywords::subschemas;
use crate::base::formats;

/// Validator options: draft 2020-12, formats asserted, our formats registered, offline;
/// inside `sharing_patterns`, the shared cache of compiled regexes.
pub fn validator_options() -> ValidationOptions<'static> {
    let options = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .with_format("cn-id-number", |s: &str| formats::check_id_number(s).is_ok())
        .with_format("cn-credit-code", |s: &str| formats::check_credit_code(s).is_ok())
        .with_format("cn-mobile", |s: &str| formats::check_mobile(s).is_ok())
        .with_format("cn-postal-code", |s: &str| formats::check_postal_code(s).is_ok());
    match PATTERNS.with(|p| p.borrow().clone()) {
        Some(cache) => options.with_pattern_cache(cache),
        None => options,
    }
}

thread_local! {
    /// The regexes compiled on this thread inside [`sharing_patterns`].
    static PATTERNS: RefCell<Option<PatternCache>> = const { RefCell::new(None) };
}

/// Runs `f` with every validator built on this thread meanwhile sharing one cache of
/// compiled regexes (the same pattern, compiled the same way, is the same regex). A bundle's
/// patterns are compiled in the departments' schemas, their residuals, the merged forms and
/// the items' own forms: compiling regexes again was about a tenth of compiling a bundle.
/// The cache ends with `f` (validators keep the regexes they use), so a long-lived host
/// compiling many bundles does not accumulate them.
pub fn sharing_patterns<T>(f: impl FnOnce() -> T) -> T {
    /// Puts the outer cache (none, but for nested calls) back, however `f` ends.
    struct Restore(Option<PatternCache>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            PATTERNS.with(|p| *p.borrow_mut() = outer);
        }
    }
    let _restore = Restore(PATTERNS.with(|p| p.replace(Some(PatternCache::new()))));
    f()
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
/// value and `patternProperties` name found where a subschema can be is compiled in a
/// one-keyword schema with [`validator_options`] (all of them at once, under `allOf`), so by
/// the same engine and code path as in the whole schema. If one is refused, the whole schema
/// is compiled, so that the error is exactly the one compiling it reports (the first in the
/// validator's order); the validator is returned then, should it compile after all.
///
/// This lets a department's schema as published be compiled on first use (only dispatch
/// needs it) while a schema the validator refuses is still reported at compile time.
pub fn precheck(schema: &Value) -> Result<Option<Validator>, (String, String)> {
    if let Some(cycle) = leaking_cycle(schema) {
        return Err((cycle.pointer, cycle.message));
    }
    // All of them in one schema: every build of a validator has a fixed cost (its registry
    // of documents, the meta-schema check) that many one-regex schemas would pay again.
    let checks: Vec<Value> = regexes(schema)
        .into_iter()
        .map(|(keyword, regex)| match keyword {
            Regex::Pattern => json!({ "pattern": regex }),
            Regex::PatternProperty => json!({ "patternProperties": { regex: true } }),
        })
        .collect();
    let refused = !checks.is_empty() && validator_options().build(&json!({ "allOf": checks })).is_err();
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
        for (keyword, value) in obj {
            match (keyword.as_str(), value) {
                ("pattern", Value::String(regex)) => {
                    out.insert((Regex::Pattern, regex.as_str()));
                }
                ("patternProperties", Value::Object(names)) => {
                    out.extend(names.keys().map(|name| (Regex::PatternProperty, name.as_str())));
                }
                _ => {}
            }
        }
        stack.extend(subschemas(obj));
    }
    out
}
