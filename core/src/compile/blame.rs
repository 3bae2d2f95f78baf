//! Which department's own constraint a value breaks, when departments disagree.
//!
//! A merged field keeps, for each keyword, who declared it and with which value
//! (`x-onething-provenance`). With limits of 150 and 200 characters, a 180-character value
//! is the first department's concern only: validation names the departments whose own
//! constraint the value breaks. Where every department declared the same value, the merged
//! keyword is that value, and it is the one that rejected the value: all of them are
//! concerned and nothing needs checking. Where they disagree, a bound (a length, a size, a
//! number) is compared directly; any other constraint (a pattern, say) is found here and
//! compiled once per compiled bundle, the first time a value breaks the merged keyword
//! (compiling every one up front cost 2–3 % of compiling a bundle, for errors most bundles
//! never see).

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{Map, Value};

/// Validators of one-keyword schemas `{keyword: value}`, for the keywords departments
/// declared with different values, keyed by the schema's JSON text; each compiled on first
/// use (`None`: it does not compile, and counts as rejecting).
#[derive(Default)]
pub(crate) struct SideChecks {
    validators: HashMap<String, OnceLock<Option<Validator>>>,
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
                // Bounds are compared directly ([`bound_rejects`]); the rest is compiled.
                for value in values.into_iter().filter(|v| bound_rejects(keyword, v, &Value::Null).is_none())
                {
                    validators.entry(key(keyword, value)).or_insert_with(OnceLock::new);
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
        if let Some(rejects) = bound_rejects(keyword, value, instance) {
            return rejects;
        }
        let Some(cell) = self.validators.get(&key(keyword, value)) else { return true };
        cell.get_or_init(|| crate::schema::compile(&one(keyword, value)).ok())
            .as_ref()
            .is_none_or(|v| !v.is_valid(instance))
    }
}

/// Whether the bound `{keyword: value}` rejects `instance`, for the keywords that bound a
/// length, a size or a number (`None` for any other keyword, or a bound that is not a
/// number): compared here, without a validator. A bound does not apply to a value of
/// another kind. Lengths count characters, as JSON Schema does.
fn bound_rejects(keyword: &str, value: &Value, instance: &Value) -> Option<bool> {
    let limit = value.as_f64()?;
    let size = || -> Option<f64> {
        Some(match instance {
            Value::String(s) if keyword.ends_with("Length") => s.chars().count() as f64,
            Value::Array(a) if keyword.ends_with("Items") => a.len() as f64,
            Value::Object(o) if keyword.ends_with("Properties") => o.len() as f64,
            _ => return None,
        })
    };
    let rejects = match keyword {
        "maxLength" | "maxItems" | "maxProperties" => size().is_some_and(|n| n > limit),
        "minLength" | "minItems" | "minProperties" => size().is_some_and(|n| n < limit),
        "maximum" => instance.as_f64().is_some_and(|n| n > limit),
        "minimum" => instance.as_f64().is_some_and(|n| n < limit),
        "exclusiveMaximum" => instance.as_f64().is_some_and(|n| n >= limit),
        "exclusiveMinimum" => instance.as_f64().is_some_and(|n| n <= limit),
        _ => return None,
    };
    Some(rejects)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bounds_are_compared_as_a_validator_would() {
        let cases = [
            ("maxLength", json!(3), json!("四个汉字"), true),
            ("maxLength", json!(4), json!("四个汉字"), false),
            ("minLength", json!(2), json!("a"), true),
            ("maxItems", json!(1), json!([1, 2]), true),
            ("minProperties", json!(1), json!({}), true),
            ("maximum", json!(10), json!(10), false),
            ("exclusiveMaximum", json!(10), json!(10), true),
            ("minimum", json!(1.5), json!(1), true),
            ("exclusiveMinimum", json!(0), json!(0.5), false),
            ("maxLength", json!(1), json!(12345), false),
        ];
        for (keyword, limit, instance, rejects) in cases {
            let validator = crate::schema::compile(&one(keyword, &limit)).unwrap();
            assert_eq!(!validator.is_valid(&instance), rejects, "{keyword} {limit} {instance}");
            assert_eq!(
                bound_rejects(keyword, &limit, &instance),
                Some(rejects),
                "{keyword} {limit} {instance}"
            );
        }
        assert_eq!(bound_rejects("pattern", &json!("^a"), &json!("b")), None);
    }

    #[test]
    fn departments_that_disagree_are_told_apart() {
        let form = json!({"properties": {"name": {"maxLength": 10, "pattern": "^a",
            "x-onething-provenance": {
                "/maxLength": [{"item": "x", "value": 10}, {"item": "y", "value": 20}],
                "/pattern": [{"item": "x", "value": "^a"}, {"item": "y", "value": "b$"}]}}}});
        let checks = SideChecks::of(&form);
        let sides =
            |p: &str| form["properties"]["name"]["x-onething-provenance"][p].as_array().unwrap().clone();
        let long = json!("a".repeat(15));
        assert!(checks.rejects("maxLength", &json!(10), &sides("/maxLength"), &long));
        assert!(!checks.rejects("maxLength", &json!(20), &sides("/maxLength"), &long));
        assert!(!checks.rejects("pattern", &json!("^a"), &sides("/pattern"), &json!("ab")));
        assert!(checks.rejects("pattern", &json!("b$"), &sides("/pattern"), &json!("ba")));
        assert_eq!(checks.validators.len(), 2, "only the patterns are compiled");
        assert!(checks.validators.values().all(|v| v.get().is_some()), "both were needed");
    }
}
