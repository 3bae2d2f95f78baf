//! Schemas built from bytes: the `merge` target's second input form (`~` + bytes).
//!
//! libFuzzer mutating JSON text spends most of its time on syntax errors; here every byte
//! string is a schema, drawn from a small grammar of the keywords whose combinations the
//! merge must get right (the same families as `core/tests/merge_properties.rs`, plus `$ref`
//! to the root and to `$defs`, which a random text rarely spells correctly).

use serde_json::{Map, Value, json};

/// Reads bytes; past the end every byte is 0.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// Reads `data`.
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data }
    }

    fn next(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<T: Clone>(&mut self, from: &[T]) -> T {
        from[usize::from(self.next()) % from.len()].clone()
    }
}

const NAMES: [&str; 3] = ["x", "y", "z"];
const TYPES: [&str; 7] = ["null", "boolean", "integer", "number", "string", "array", "object"];

fn leaf_value(b: &mut Bytes<'_>) -> Value {
    b.pick(&[
        json!(null),
        json!(true),
        json!(0),
        json!(1),
        json!(5),
        json!(1.5),
        json!(""),
        json!("a"),
        json!([]),
        json!({}),
    ])
}

fn subs(b: &mut Bytes<'_>, depth: usize) -> Value {
    let n = 1 + usize::from(b.next() % 3);
    Value::Array((0..n).map(|_| schema(b, depth + 1)).collect())
}

/// One schema, at most four levels deep.
pub fn schema(b: &mut Bytes<'_>, depth: usize) -> Value {
    // Past 27, the keywords whose combinations with `$ref` are the hardest come again.
    let op = b.next() % if depth >= 4 { 12 } else { 34 };
    let op = match op {
        28 => 14,
        29 => 13,
        30 => 12,
        31 => 4,
        32 => 5,
        33 => 3,
        op => op,
    };
    match op {
        0 => json!(true),
        1 => json!(false),
        2 => json!({}),
        3 => json!({"type": b.pick(&TYPES)}),
        4 => json!({"$ref": "#"}),
        5 => json!({"$ref": b.pick(&["#/$defs/D0", "#/$defs/D1"])}),
        6 => json!({"const": leaf_value(b)}),
        7 => json!({"enum": [leaf_value(b), leaf_value(b)]}),
        8 => {
            json!({b.pick(&["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]): i64::from(b.next() % 8) - 2})
        }
        9 => {
            json!({b.pick(&["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]): b.next() % 4})
        }
        10 => json!({"required": [b.pick(&NAMES)]}),
        11 => json!({"type": [b.pick(&TYPES), b.pick(&TYPES)]}),
        12 => json!({"properties": {b.pick(&NAMES): schema(b, depth + 1)}}),
        13 => json!({"not": schema(b, depth + 1)}),
        14 => json!({"oneOf": subs(b, depth)}),
        15 => json!({"anyOf": subs(b, depth)}),
        16 => json!({"allOf": subs(b, depth)}),
        17 => json!({"items": schema(b, depth + 1)}),
        18 => json!({"additionalProperties": schema(b, depth + 1)}),
        19 => json!({"if": schema(b, depth + 1), "then": schema(b, depth + 1), "else": schema(b, depth + 1)}),
        20 => json!({"contains": schema(b, depth + 1)}),
        21 => json!({"dependentSchemas": {b.pick(&NAMES): schema(b, depth + 1)}}),
        22 => json!({"prefixItems": subs(b, depth)}),
        23 => json!({"propertyNames": schema(b, depth + 1)}),
        24 => json!({"unevaluatedProperties": schema(b, depth + 1)}),
        25 => json!({"dependentRequired": {b.pick(&NAMES): [b.pick(&NAMES)]}}),
        // Two schemas' keywords in one object (the second wins a clash).
        _ => {
            let mut out = Map::new();
            for s in [schema(b, depth + 1), schema(b, depth + 1)] {
                if let Value::Object(m) = s {
                    out.extend(m);
                }
            }
            Value::Object(out)
        }
    }
}

/// A document: a schema with `$defs` `D0` and `D1`, so that every `$ref` the grammar
/// writes resolves (a document with a dangling `$ref` would only be skipped).
pub fn document(b: &mut Bytes<'_>) -> Value {
    let root = schema(b, 0);
    let defs = json!({"D0": schema(b, 1), "D1": schema(b, 1)});
    match root {
        Value::Object(mut m) => {
            m.insert("$defs".into(), defs);
            Value::Object(m)
        }
        other => json!({"allOf": [other], "$defs": defs}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_string_is_a_schema() {
        for seed in 0u8..=255 {
            let data: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(seed).wrapping_add(seed)).collect();
            let v = document(&mut Bytes::new(&data));
            assert!(v.is_object() || v.is_boolean(), "{v}");
        }
    }
}
