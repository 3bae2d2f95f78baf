//! Which department's own constraint a value breaks, when departments disagree.
//!
//! A merged field keeps, for each keyword, who declared it and with which value
//! (`x-onething-provenance`). With limits of 150 and 200 characters, a 180-character value
//! is the first department's concern only: validation names the departments whose own
//! constraint the value breaks. Where every department declared the same value, the merged
//! keyword is that value, and it is the one that rejected the value: all of them are
//! concerned and nothing needs checking. Where they disagree, each distinct constraint is
//! compiled here, once, so that validation never compiles a schema.

use std::collections::HashMap;

use jsonschema::Validator;
use serde_json::{Map, Value};

/// Validators of one-keyword schemas `{keyword: value}`, for the keywords departments
/// declared with different values, keyed by the schema's JSON text.
#[derive(Default)]
pub(crate) struct SideChecks {
    validators: HashMap<String, Validator>,
}

impl SideChecks {
    /// The checks the provenance of `form`'s fields calls for.
    pub fn of(form: &Value) -> SideChecks {
        let mut validators = HashMap::new();
        let fields = form.get("properties").and_then(Value::as_object).into_iter().flat_map(Map::values);
        for provenance in fields.filter_map(|f| f.get("x-onething-provenance").and_then(Value::as_object)) {
            for (place, sides) in provenance {
                let keyword = place.rsplit('/').next().unwrap_or_default();
                let values = side_values(sides.as_array().map(Vec::as_slice).unwrap_or_default());
                if distinct(&values) < 2 {
                    continue;
                }
                for value in values {
                    let text = key(keyword, value);
                    if let std::collections::hash_map::Entry::Vacant(slot) = validators.entry(text) {
                        if let Ok(v) = crate::schema::compile(&one(keyword, value)) {
                            slot.insert(v);
                        }
                    }
                }
            }
        }
        SideChecks { validators }
    }

    /// Does the side declaring `{keyword: value}`, among `sides` (the provenance of one
    /// keyword), reject `instance`? A constraint that could not be compiled counts as
    /// rejecting.
    pub fn rejects(&self, keyword: &str, value: &Value, sides: &[Value], instance: &Value) -> bool {
        if distinct(&side_values(sides)) < 2 {
            return true;
        }
        self.validators.get(&key(keyword, value)).is_none_or(|v| !v.is_valid(instance))
    }
}

fn side_values(sides: &[Value]) -> Vec<&Value> {
    sides.iter().filter_map(|s| s.get("value")).collect()
}

fn distinct(values: &[&Value]) -> usize {
    let mut seen: Vec<&Value> = Vec::new();
    for v in values {
        if !seen.iter().any(|s| crate::schema::json_equal(s, v)) {
            seen.push(v);
        }
    }
    seen.len()
}

fn one(keyword: &str, value: &Value) -> Value {
    let mut schema = Map::new();
    schema.insert(keyword.to_owned(), value.clone());
    Value::Object(schema)
}

fn key(keyword: &str, value: &Value) -> String {
    one(keyword, value).to_string()
}
