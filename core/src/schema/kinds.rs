//! The kinds of JSON values a schema admits, and JSON equality.
//!
//! JSON Schema's `type` names overlap (`integer` is part of `number`), so the merge reasons
//! about seven disjoint kinds instead: null, boolean, string, integer, non-integer number,
//! array and object. A conjunction admits no value when every kind is ruled out.

use serde_json::{Number, Value};

/// A set of value kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    /// `null`.
    pub const NULL: Kinds = Kinds(1);
    /// `true` and `false`.
    pub const BOOLEAN: Kinds = Kinds(2);
    /// Strings.
    pub const STRING: Kinds = Kinds(4);
    /// Numbers with no fractional part.
    pub const INTEGER: Kinds = Kinds(8);
    /// Numbers with a fractional part.
    pub const FRACTION: Kinds = Kinds(16);
    /// Arrays.
    pub const ARRAY: Kinds = Kinds(32);
    /// Objects.
    pub const OBJECT: Kinds = Kinds(64);
    /// No kind at all.
    pub const NONE: Kinds = Kinds(0);
    /// Every kind.
    pub const ALL: Kinds = Kinds(127);
    /// Both kinds of numbers.
    pub const NUMBER: Kinds = Kinds(8 | 16);

    /// The kinds a `type` keyword's value names (a string or an array of strings).
    pub fn from_type(v: &Value) -> Kinds {
        match v {
            Value::String(s) => Kinds::from_name(s),
            Value::Array(list) => {
                list.iter().filter_map(Value::as_str).map(Kinds::from_name).fold(Kinds::NONE, Kinds::union)
            }
            _ => Kinds::ALL,
        }
    }

    fn from_name(name: &str) -> Kinds {
        match name {
            "null" => Kinds::NULL,
            "boolean" => Kinds::BOOLEAN,
            "string" => Kinds::STRING,
            "integer" => Kinds::INTEGER,
            "number" => Kinds::NUMBER,
            "array" => Kinds::ARRAY,
            "object" => Kinds::OBJECT,
            _ => Kinds::NONE,
        }
    }

    /// The kind of one value.
    pub fn of(v: &Value) -> Kinds {
        match v {
            Value::Null => Kinds::NULL,
            Value::Bool(_) => Kinds::BOOLEAN,
            Value::String(_) => Kinds::STRING,
            Value::Number(n) if is_integral(n) => Kinds::INTEGER,
            Value::Number(_) => Kinds::FRACTION,
            Value::Array(_) => Kinds::ARRAY,
            Value::Object(_) => Kinds::OBJECT,
        }
    }

    /// Kinds in both sets.
    pub fn intersect(self, other: Kinds) -> Kinds {
        Kinds(self.0 & other.0)
    }

    /// Kinds in either set.
    pub fn union(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    /// Kinds of `self` not in `other`.
    pub fn without(self, other: Kinds) -> Kinds {
        Kinds(self.0 & !other.0)
    }

    /// Does the set include every kind of `other`?
    pub fn contains(self, other: Kinds) -> bool {
        self.0 & other.0 == other.0
    }

    /// Does the set share a kind with `other`?
    pub fn meets(self, other: Kinds) -> bool {
        self.0 & other.0 != 0
    }

    /// Is the set empty?
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The `type` value naming exactly these kinds, or `None` for the kinds `type` cannot
    /// express (non-integer numbers without integers).
    pub fn to_type(self) -> Option<Value> {
        let mut names = Vec::new();
        for (kind, name) in [
            (Kinds::NULL, "null"),
            (Kinds::BOOLEAN, "boolean"),
            (Kinds::STRING, "string"),
            (Kinds::ARRAY, "array"),
            (Kinds::OBJECT, "object"),
        ] {
            if self.contains(kind) {
                names.push(name);
            }
        }
        match (self.contains(Kinds::INTEGER), self.contains(Kinds::FRACTION)) {
            (true, true) => names.push("number"),
            (true, false) => names.push("integer"),
            (false, true) => return None,
            (false, false) => {}
        }
        match names.as_slice() {
            [one] => Some(Value::String((*one).to_owned())),
            _ => Some(Value::Array(names.into_iter().map(|n| Value::String(n.to_owned())).collect())),
        }
    }
}

/// Is a JSON number a mathematical integer (`1` and `1.0` are)?
pub fn is_integral(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

/// JSON Schema equality: like `==` on values, except that numbers compare mathematically
/// (`1` equals `1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_cmp(x, y) == std::cmp::Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

/// Compares two JSON numbers mathematically (exactly for integers, as `f64` otherwise).
pub fn num_cmp(a: &Number, b: &Number) -> std::cmp::Ordering {
    let int = |n: &Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let (x, y) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_names_map_to_kinds_and_back() {
        let k = Kinds::from_type(&json!(["integer", "string"]));
        assert_eq!(k, Kinds::INTEGER.union(Kinds::STRING));
        assert_eq!(k.to_type(), Some(json!(["string", "integer"])));
        let n = Kinds::from_type(&json!("number")).intersect(Kinds::from_type(&json!("integer")));
        assert_eq!(n.to_type(), Some(json!("integer")));
        assert_eq!(Kinds::FRACTION.to_type(), None);
    }

    #[test]
    fn numbers_compare_mathematically() {
        assert!(json_equal(&json!(1), &json!(1.0)));
        assert!(json_equal(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!json_equal(&json!("1"), &json!(1)));
        assert_eq!(Kinds::of(&json!(2.0)), Kinds::INTEGER);
        assert_eq!(Kinds::of(&json!(2.5)), Kinds::FRACTION);
    }
}
