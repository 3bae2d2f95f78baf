//! JSON text to a `Value`, refusing duplicate keys.
//!
//! `serde_json` has no option for it, so the `Value` is built here by a visitor of our own
//! ([`UniqueValue`]) that looks each key up once, where `serde_json`'s own visitor inserts it:
//! an occupied entry is the duplicate, so refusing costs no extra lookup. The same visitor
//! reads the submission's maps on the one-pass path ([`object`], [`object_map`], [`map`]).
//! Measured with callgrind on a debug build, reading the business start-up's nine
//! submissions: 3.9 % more instructions than `serde_json`'s own visitor, on the one-pass
//! path and on the `Value` path alike.
//!
//! Where the duplicate is: the error stops the parser right after the key (so its line and
//! column are the key's), and the JSON Pointer of the object holding it is put together on
//! the way out, each enclosing object and array adding its own step, at no cost to text
//! that parses.

use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use crate::base::pointer;

/// A duplicate key and the JSON Pointer of the object holding it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Duplicate {
    /// The key.
    pub key: String,
    /// The object holding it (`""`: the top-level object).
    pub at: String,
}

impl Duplicate {
    /// `duplicate key `k` in the object at /a/0`.
    pub fn message(&self) -> String {
        match self.at.as_str() {
            "" => format!("duplicate key `{}` in the top-level object", self.key),
            at => format!("duplicate key `{}` in the object at {at}", self.key),
        }
    }
}

/// Why text is not a JSON document.
#[derive(Debug)]
pub(crate) enum TextError {
    /// Not JSON: the parser's error, with its line and column.
    Syntax(serde_json::Error),
    /// JSON with a duplicate key; `line` and `column` are just after the key.
    Duplicate { duplicate: Duplicate, line: usize, column: usize },
}

impl TextError {
    /// 1-based line and column.
    pub fn position(&self) -> (usize, usize) {
        match self {
            TextError::Syntax(e) => (e.line(), e.column()),
            TextError::Duplicate { line, column, .. } => (*line, *column),
        }
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> String {
        match self {
            TextError::Syntax(e) => e.to_string(),
            TextError::Duplicate { duplicate, .. } => duplicate.message(),
        }
    }
}

/// Parses JSON text (a leading byte-order mark dropped), refusing duplicate keys.
pub(crate) fn parse(text: &str) -> Result<Value, TextError> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(super::strip_bom(text));
    let parsed = UniqueValue { found: &mut found }.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| match found {
        Some(duplicate) => TextError::Duplicate { duplicate, line: e.line(), column: e.column() },
        None => TextError::Syntax(e),
    })
}

/// Builds a `Value`, refusing duplicate keys; `found` receives the first one.
pub(crate) struct UniqueValue<'a> {
    pub found: &'a mut Option<Duplicate>,
}

impl UniqueValue<'_> {
    fn child(&mut self) -> UniqueValue<'_> {
        UniqueValue { found: &mut *self.found }
    }

    /// A child failed: if for a duplicate key, its place gains `token` in front.
    fn within(&mut self, token: &str) {
        if let Some(d) = self.found {
            d.at = format!("/{}{}", pointer::escape(token), d.at);
        }
    }
}

impl<'de> DeserializeSeed<'de> for UniqueValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(number(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            match seq.next_element_seed(self.child()) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(Value::Array(out)),
                Err(e) => {
                    self.within(&out.len().to_string());
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                Entry::Occupied(e) => {
                    let duplicate = Duplicate { key: e.key().clone(), at: String::new() };
                    let message = duplicate.message();
                    *self.found = Some(duplicate);
                    return Err(de::Error::custom(message));
                }
                Entry::Vacant(slot) => match map.next_value_seed(self.child()) {
                    Ok(v) => {
                        slot.insert(v);
                    }
                    Err(e) => {
                        self.within(slot.key());
                        return Err(e);
                    }
                },
            }
        }
        Ok(Value::Object(out))
    }
}

/// A number written with a fraction or an exponent: whole ones (`86400.0`, `1e3`, `-0.0`)
/// are integers when an `i64` or `u64` holds them, as if written without, so that nothing
/// downstream can tell the spellings apart. JSON does not: a JavaScript caller's object
/// reaches the library through `JSON.stringify`, which writes `86400`, and a rule asking
/// `type_of` must decide the same for it as for the text `86400.0` (invariant 6).
/// Otherwise as `serde_json`'s own visitor: a non-finite number is `null`.
fn number(v: f64) -> Value {
    // 2⁶³ and 2⁶⁴ are exact doubles; a whole double below one in magnitude fits the type.
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    if v.is_finite() && v.fract() == 0.0 {
        // Exact: the value is whole and within the target type's range.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        if v.abs() < I64_END {
            return Value::Number((v as i64).into());
        } else if v > 0.0 && v < U64_END {
            return Value::Number((v as u64).into());
        }
    }
    Value::from(v)
}

/// `deserialize_with` for a field that is a JSON object of any values, without duplicate
/// keys at any depth.
pub(crate) fn object<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    object_map(d).map(Value::Object)
}

/// [`object`], as a map.
pub(crate) fn object_map<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    match d.deserialize_map(UniqueValue { found: &mut None })? {
        Value::Object(map) => Ok(map),
        other => Err(de::Error::invalid_type(unexpected(&other), &"a JSON object")),
    }
}

fn unexpected(v: &Value) -> de::Unexpected<'_> {
    match v {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

/// `deserialize_with` for a map keyed by strings, refusing a duplicate key.
pub(crate) fn map<'de, D, V>(d: D) -> Result<IndexMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: de::Deserialize<'de>,
{
    d.deserialize_map(UniqueMap(PhantomData))
}

struct UniqueMap<V>(PhantomData<V>);

impl<'de, V: de::Deserialize<'de>> Visitor<'de> for UniqueMap<V> {
    type Value = IndexMap<String, V>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = IndexMap::new();
        while let Some(key) = map.next_key::<String>()? {
            match out.entry(key) {
                indexmap::map::Entry::Occupied(e) => {
                    let duplicate = Duplicate { key: e.key().clone(), at: String::new() };
                    return Err(de::Error::custom(duplicate.message()));
                }
                indexmap::map::Entry::Vacant(slot) => {
                    slot.insert(map.next_value()?);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    #[test]
    fn a_duplicate_key_is_named_with_its_place_line_and_column() {
        let text = "{\"a\": [1, {\"b\": {\"c/d\": 1,\n \"c/d\": 2}}]}";
        match parse(text).unwrap_err() {
            TextError::Duplicate { duplicate, line, column } => {
                assert_eq!(duplicate, Duplicate { key: "c/d".into(), at: "/a/1/b".into() });
                assert_eq!((line, column), (2, 6));
            }
            other => panic!("{other:?}"),
        }
        let top = parse("{\"a\": 1, \"a\": 1}").unwrap_err();
        assert_eq!(top.message(), "duplicate key `a` in the top-level object");
    }

    #[test]
    fn values_parse_as_serde_json_parses_them() {
        let text = "\u{feff} {\"z\": [1, -2, 3.5, 1.5e300, true, null, \"s\", {}], \"a\": {\"k\": []}} ";
        let ours = parse(text).unwrap();
        let theirs: Value = serde_json::from_str(strip(text)).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
        assert!(matches!(parse("{\"a\": 1} x"), Err(TextError::Syntax(_))));
        assert!(matches!(parse("\u{feff}\u{feff}{}"), Err(TextError::Syntax(_))));
    }

    #[test]
    fn a_whole_number_parses_the_same_however_it_is_written() {
        let read = |text: &str| parse(text).unwrap();
        for (spelled, plain) in [
            ("86400.0", "86400"),
            ("1e3", "1000"),
            ("-0.0", "0"),
            ("-12.000", "-12"),
            ("1.8e19", "18000000000000000000"),
        ] {
            assert_eq!(read(spelled), read(plain), "{spelled}");
            assert_eq!(read(spelled).to_string(), plain, "{spelled}");
        }
        // Not whole, or beyond u64: a double as before.
        assert_eq!(read("0.5").to_string(), "0.5");
        assert!(read("1e20").is_f64());
        assert!(read("-1e19").is_f64());
        assert!(read("9223372036854775807").is_i64());
    }

    fn strip(text: &str) -> &str {
        crate::base::json::strip_bom(text)
    }
}
