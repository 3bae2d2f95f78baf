//! Instances that judge a merge: values near the boundaries the schemas draw.
//!
//! Random instances rarely hit the one value a wrong merge accepts or refuses, so the values
//! are taken from the schemas themselves: `const`, `enum`, `examples` and `default` values;
//! numbers at, just inside and just outside every bound; strings and arrays at every length
//! bound; objects with each property name the schemas mention, holding each of those values;
//! plus a fixed set of simple values of every type and whatever the fuzzer adds.

use serde_json::{Map, Value, json};

/// At most this many instances are judged per input.
pub const MAX_INSTANCES: usize = 400;

/// Keywords whose values are data, not schemas: collected, not walked.
const DATA: [&str; 4] = ["const", "enum", "examples", "default"];

/// What the schemas mention.
#[derive(Default)]
struct Seen {
    values: Vec<Value>,
    names: Vec<String>,
}

impl Seen {
    fn value(&mut self, v: Value) {
        if self.values.len() < 64 && !self.values.contains(&v) {
            self.values.push(v);
        }
    }

    fn name(&mut self, n: &str) {
        if self.names.len() < 8 && !self.names.iter().any(|m| m == n) {
            self.names.push(n.to_owned());
        }
    }
}

fn walk(v: &Value, depth: usize, seen: &mut Seen) {
    if depth > 48 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("const" | "default", x) => seen.value(x.clone()),
                    ("enum" | "examples", Value::Array(xs)) => xs.iter().for_each(|x| seen.value(x.clone())),
                    (
                        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf",
                        Value::Number(n),
                    ) => {
                        if let Some(f) = n.as_f64() {
                            seen.value(x.clone());
                            for d in [-1.0, 1.0, -0.5, 0.5] {
                                seen.value(json!(f + d));
                            }
                            if let Some(i) = n.as_i64() {
                                seen.value(json!(i.saturating_add(1)));
                                seen.value(json!(i.saturating_sub(1)));
                                seen.value(json!(i.saturating_mul(2)));
                            }
                        }
                    }
                    ("minLength" | "maxLength", Value::Number(n)) => {
                        let n = n.as_u64().unwrap_or(0).min(16) as usize;
                        for len in [n.saturating_sub(1), n, n + 1] {
                            seen.value(Value::String("a".repeat(len)));
                        }
                    }
                    ("minItems" | "maxItems" | "minContains" | "maxContains", Value::Number(n)) => {
                        let n = n.as_u64().unwrap_or(0).min(8) as usize;
                        for len in [n.saturating_sub(1), n, n + 1] {
                            seen.value(Value::Array(vec![json!(1); len]));
                        }
                    }
                    (
                        "properties" | "patternProperties" | "dependentRequired" | "dependentSchemas",
                        Value::Object(props),
                    ) => {
                        for (name, sub) in props {
                            if k != "patternProperties" {
                                seen.name(name);
                            }
                            walk(sub, depth + 1, seen);
                        }
                    }
                    ("required", Value::Array(names)) => {
                        names.iter().filter_map(Value::as_str).for_each(|n| seen.name(n))
                    }
                    (k, _) if DATA.contains(&k) => {}
                    (_, x) => walk(x, depth + 1, seen),
                }
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| walk(x, depth + 1, seen)),
        _ => {}
    }
}

/// Simple values of every type.
fn simple() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(-1),
        json!(2),
        json!(5),
        json!(1.5),
        json!(-0.5),
        json!(100),
        json!(""),
        json!("a"),
        json!("ab"),
        json!("abc"),
        json!("2024-05-01"),
        json!("13800138000"),
        json!([]),
        json!([1]),
        json!(["a"]),
        json!([1, 1]),
        json!({}),
    ]
}

fn push(out: &mut Vec<Value>, v: Value) {
    if out.len() < MAX_INSTANCES && !out.contains(&v) {
        out.push(v);
    }
}

/// Instances for judging the merge of `schemas`; `extra` are the fuzzer's own (an array is
/// taken element by element).
pub fn generate(schemas: &[&Value], extra: Option<&Value>) -> Vec<Value> {
    let mut seen = Seen::default();
    for s in schemas {
        walk(s, 0, &mut seen);
    }
    let extra: Vec<Value> = match extra {
        Some(Value::Array(xs)) => xs.iter().take(64).cloned().collect(),
        Some(x) => vec![x.clone()],
        None => Vec::new(),
    };
    let mut leaves = seen.values.clone();
    leaves.extend(simple());
    leaves.extend(extra.iter().cloned());
    if seen.names.is_empty() {
        seen.name("a");
    }
    let mut out = Vec::new();
    // The fuzzer's own values come first: they are what it steers.
    for x in extra.iter().chain(&leaves) {
        push(&mut out, x.clone());
    }
    // Objects: one named property with each value (the shape most keywords look at); every
    // name at once with the same value; every name with the first values in turn.
    let few: Vec<&Value> = leaves.iter().take(24).collect();
    for name in &seen.names {
        for v in &few {
            push(&mut out, Value::Object(Map::from_iter([(name.clone(), (*v).clone())])));
        }
    }
    for v in &few {
        push(&mut out, Value::Object(seen.names.iter().map(|n| (n.clone(), (*v).clone())).collect()));
    }
    // Nested once: objects and arrays holding the objects just made.
    let objects: Vec<Value> = out.iter().filter(|v| v.is_object()).take(12).cloned().collect();
    for o in &objects {
        push(&mut out, json!([o]));
        if let Some(name) = seen.names.first() {
            push(&mut out, Value::Object(Map::from_iter([(name.clone(), o.clone())])));
        }
    }
    for v in &few {
        push(&mut out, json!([v]));
        push(&mut out, json!([v, v]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_names_and_data_are_used() {
        let s = json!({"properties": {"x": {"minimum": 3, "const": "k"}}, "required": ["y"]});
        let xs = generate(&[&s], Some(&json!([{"z": 1}])));
        for want in
            [json!(2), json!(3), json!(4), json!("k"), json!({"x": 2}), json!({"y": "k"}), json!({"z": 1})]
        {
            assert!(xs.contains(&want), "{want} missing from {xs:?}");
        }
        assert!(xs.len() <= MAX_INSTANCES);
    }
}
