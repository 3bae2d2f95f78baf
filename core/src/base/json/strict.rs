//! A `Value` deserialiser that wants a JSON object wherever a struct is read.
//!
//! serde's derive gives every struct a `visit_seq` as well as a `visit_map`: a struct written
//! as an array of its fields in order (`["b", "1", {"zh": …}, …]`) is accepted, past
//! `deny_unknown_fields`, and a submission written as an array validated as valid. There is
//! no attribute to turn it off, so the decision is taken on the deserialiser's side: a derived
//! struct asks for `deserialize_struct`, and [`Strict`] answers an array there with an error,
//! at every depth (its sequences and maps hand out `Strict`s again). An internally tagged
//! enum (`#[serde(tag = …)]`) asks for `deserialize_any`, and serde would take its tag from an
//! array's first element: those are told by the visitor's `expecting` text.
//!
//! `Strict` takes the place of `serde_json`'s own deserialiser for `Value` under
//! `serde_path_to_error`, so each type still has one deserialiser instantiation on this path
//! (what the WebAssembly module's size depends on, see `load::parse_json_once`). Everything
//! else behaves as `serde_json`'s `Value` deserialiser does.

use serde::de::value::StringDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer, Visitor};
use serde_json::{Error, Value};

/// A `Value` to deserialise, refusing an array where a struct is expected.
pub(crate) struct Strict(pub Value);

/// "expected a JSON object for …, found an array".
fn not_an_object(what: &dyn std::fmt::Display) -> Error {
    de::Error::custom(format_args!("expected a JSON object for {what}, found an array"))
}

/// How serde's derive describes an internally tagged enum's visitor.
const TAGGED: &str = "internally tagged enum";

/// Does the visitor say it reads an internally tagged enum? Its description is compared as
/// it is written, without building it (every array read as a `Value` is asked).
fn internally_tagged(visitor: &dyn Expected) -> bool {
    use std::fmt::Write;
    /// How many bytes of `TAGGED` the description matched; `usize::MAX` once it differs.
    struct Prefix(usize);
    impl Write for Prefix {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let rest = TAGGED.get(self.0..).unwrap_or("");
            let n = rest.len().min(s.len());
            if rest.get(..n) != s.get(..n) {
                self.0 = usize::MAX;
                return Err(std::fmt::Error);
            }
            self.0 += n;
            // Matched whole: the rest of the description does not matter.
            if self.0 == TAGGED.len() { Err(std::fmt::Error) } else { Ok(()) }
        }
    }
    let mut prefix = Prefix(0);
    let _ = write!(prefix, "{visitor}");
    prefix.0 == TAGGED.len()
}

impl<'de> Deserializer<'de> for Strict {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(a) => {
                if internally_tagged(&visitor) {
                    return Err(not_an_object(&format_args!("{}", &visitor as &dyn Expected)));
                }
                visitor.visit_seq(Seq(a.into_iter()))
            }
            Value::Object(m) => visitor.visit_map(Map { entries: m.into_iter(), value: None }),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(_) => Err(not_an_object(&format_args!("`{name}`"))),
            other => Strict(other).deserialize_any(visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(a) => visitor.visit_seq(Seq(a.into_iter())),
            other => Strict(other).deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Strict(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(StringDeserializer::<Error>::new(s)),
            Value::Object(m) if m.len() == 1 => match m.into_iter().next() {
                Some((variant, value)) => visitor.visit_enum(Variant { variant, value }),
                None => Err(de::Error::invalid_length(0, &"an object with one key")),
            },
            other => Strict(other).deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct tuple_struct map identifier ignored_any
    }
}

struct Seq(std::vec::IntoIter<Value>);

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|v| seed.deserialize(Strict(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Map {
    entries: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(StringDeserializer::<Error>::new(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        // serde asks for a value only after its key.
        seed.deserialize(Strict(self.value.take().unwrap_or(Value::Null)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum written as `{"variant": value}`.
struct Variant {
    variant: String,
    value: Value,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = Strict;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Strict), Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, Strict(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for Strict {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_struct("a struct variant", fields, visitor)
    }
}

/// `deserialize_with` for a struct read by `serde_json` straight from text (the one-pass path
/// of `load::parse_json_once`, where [`Strict`] is not in the way): a JSON object only.
pub(crate) fn object_struct<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    d.deserialize_map(FromObject(std::marker::PhantomData))
}

/// Hands a map to `T`'s own visitor; has no `visit_seq`, so an array is an error.
struct FromObject<T>(std::marker::PhantomData<T>);

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for FromObject<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u8,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Kind {
        Plain,
        Boxed(Inner),
        Shaped { b: Option<String> },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Outer {
        inner: Vec<Inner>,
        kinds: Vec<Kind>,
        pair: (i32, i32),
        maybe: Option<Inner>,
        any: Value,
    }

    fn read<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T, String> {
        T::deserialize(Strict(v)).map_err(|e| e.to_string())
    }

    #[test]
    fn objects_read_as_serde_json_reads_them() {
        let v = json!({"inner": [{"a": 1}], "kinds": ["Plain", {"Boxed": {"a": 2}}, {"Shaped": {"b": null}}],
                       "pair": [1, -2], "maybe": null, "any": [1, {"x": [true]}]});
        assert_eq!(read::<Outer>(v.clone()).unwrap(), serde_json::from_value::<Outer>(v.clone()).unwrap());
        assert_eq!(read::<Value>(v.clone()).unwrap(), v);
    }

    #[test]
    fn a_struct_written_as_an_array_is_refused_at_any_depth() {
        let base = json!({"inner": [], "kinds": [], "pair": [1, 2], "maybe": null, "any": 1});
        let e = read::<Outer>(json!([[], [], [1, 2], null, 1])).unwrap_err();
        assert_eq!(e, "expected a JSON object for `Outer`, found an array");
        for (key, value) in
            [("inner", json!([[1]])), ("maybe", json!([1])), ("kinds", json!([{"Shaped": [null]}]))]
        {
            let mut v = base.clone();
            v[key] = value;
            assert!(read::<Outer>(v).unwrap_err().contains("expected a JSON object"), "{key}");
        }
        let mut v = base.clone();
        v["inner"] = json!([[1]]);
        assert!(serde_json::from_value::<Outer>(v).is_ok(), "serde_json takes it");
    }

    #[test]
    fn an_internally_tagged_enum_written_as_an_array_is_refused() {
        let origin = json!(["source", "id", "/a"]);
        assert!(serde_json::from_value::<crate::run::prefill::FillOrigin>(origin.clone()).is_ok());
        let e = read::<crate::run::prefill::FillOrigin>(origin).unwrap_err();
        assert!(e.contains("expected a JSON object for internally tagged enum FillOrigin"), "{e}");
        let ok = json!({"from": "source", "source": "id", "pointer": "/a"});
        assert_eq!(
            read::<crate::run::prefill::FillOrigin>(ok.clone()).unwrap(),
            serde_json::from_value(ok).unwrap()
        );
    }
}
