//! A `Value` deserialiser that wants a JSON object wherever a struct is read, and says where
//! in the document reading failed.
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
//! The place of an error ([`read`]'s [`Path`]) is kept by `Strict` itself: each one knows
//! its place ([`Chain`], a link to its parent's), and the first error to leave a value, an
//! element, a map entry or a variant records the place it leaves (the innermost, since
//! errors are recorded as they unwind). That is what `serde_path_to_error` did, with the
//! same places, but it wrapped every visitor, seed and access of every type read in
//! generic forwarders of its own: 170 KB of the WebAssembly module, where `Strict` needs a
//! handful of small functions. Everything else behaves as `serde_json`'s `Value`
//! deserialiser does.

use std::cell::Cell;

use serde::de::value::StringDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, Expected, Unexpected, Visitor,
};
use serde_json::{Error, Value};

use super::{Path, Segment};

/// Reads `T` from `value` strictly; on failure, the error and where it happened.
pub(crate) fn read<T: DeserializeOwned>(value: Value) -> Result<T, (Path, Error)> {
    let track = Track(Cell::new(None));
    T::deserialize(Strict { value, at: &Chain::Root, track: &track }).map_err(|e| (track.path(), e))
}

/// Where a value lies: the step from its parent, and the parent's place.
enum Chain<'a> {
    /// The document itself.
    Root,
    /// An element of an array.
    Seq { parent: &'a Chain<'a>, index: usize },
    /// The value of a map entry (or a struct field) whose key was read as a string.
    Map { parent: &'a Chain<'a>, key: &'a str },
    /// The content of an enum variant whose name was read as a string.
    Enum { parent: &'a Chain<'a>, variant: &'a str },
    /// A map value or variant content whose key was not read as a string (a map keyed by
    /// an enum: serde reads such a key with `deserialize_enum`), shown as `?`.
    Unnamed { parent: &'a Chain<'a> },
}

impl Chain<'_> {
    /// The entry of a map, or the content of a variant, named `key` if it was read as a
    /// string.
    fn entry<'a>(parent: &'a Chain<'a>, key: Option<&'a str>, variant: bool) -> Chain<'a> {
        match key {
            Some(variant_name) if variant => Chain::Enum { parent, variant: variant_name },
            Some(key) => Chain::Map { parent, key },
            None => Chain::Unnamed { parent },
        }
    }
}

/// The place of the first error recorded.
struct Track(Cell<Option<Path>>);

impl Track {
    /// Records `at` as the place of the error being returned, unless an error was recorded
    /// already (deeper down, or earlier).
    #[cold]
    #[inline(never)]
    fn mark(&self, at: &Chain<'_>) {
        let path = self.0.take().unwrap_or_else(|| {
            let mut segments = Vec::new();
            let mut chain = at;
            loop {
                chain = match chain {
                    Chain::Root => break,
                    Chain::Seq { parent, index } => {
                        segments.push(Segment::Seq { index: *index });
                        parent
                    }
                    Chain::Map { parent, key } => {
                        segments.push(Segment::Map { key: (*key).to_owned() });
                        parent
                    }
                    Chain::Enum { parent, variant } => {
                        segments.push(Segment::Enum { variant: (*variant).to_owned() });
                        parent
                    }
                    Chain::Unnamed { parent } => {
                        segments.push(Segment::Unknown);
                        parent
                    }
                };
            }
            segments.reverse();
            Path { segments }
        });
        self.0.set(Some(path));
    }

    /// The place recorded (the document itself if none was).
    fn path(self) -> Path {
        self.0.into_inner().unwrap_or(Path { segments: Vec::new() })
    }
}

/// A `Value` to deserialise, refusing an array where a struct is expected, and where it lies.
pub(crate) struct Strict<'a> {
    value: Value,
    at: &'a Chain<'a>,
    track: &'a Track,
}

impl Strict<'_> {
    /// `deserialize_any`, without recording the place of an error (its callers do).
    fn any<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(a) => {
                if internally_tagged(&visitor) {
                    return Err(not_an_object(&format_args!("{}", &visitor as &dyn Expected)));
                }
                visitor.visit_seq(Seq { items: a.into_iter(), index: 0, at, track })
            }
            Value::Object(m) => {
                visitor.visit_map(Map { entries: m.into_iter(), value: None, key: None, at, track })
            }
        }
    }
}

/// What a visitor's default methods call a value they do not take (`visit_bool`'s
/// `Unexpected::Bool`…; serde_json hands a number to `visit_u64`, `visit_i64` or `visit_f64`).
fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            (None, None) => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

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

impl<'de> Deserializer<'de> for Strict<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        self.any(visitor).inspect_err(|_| track.mark(at))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Not `any`: that would instantiate every struct's derived `visit_seq` (the array
        // form, refused here) and the visitor's default `visit_bool`, `visit_str`…, which a
        // derived struct visitor does not override: they answer `invalid_type`, as this
        // does for them. (The same for sequences and enums below; not for maps, whose
        // visitors in `unique` take any value.)
        let (at, track) = (self.at, self.track);
        match self.value {
            Value::Object(m) => {
                visitor.visit_map(Map { entries: m.into_iter(), value: None, key: None, at, track })
            }
            Value::Array(_) => Err(not_an_object(&format_args!("`{name}`"))),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
        .inspect_err(|_| track.mark(at))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        match self.value {
            Value::Array(a) => visitor.visit_seq(Seq { items: a.into_iter(), index: 0, at, track }),
            // A sequence's visitor (serde's, for `Vec`, tuples, sets) takes nothing else: its
            // default methods answer `invalid_type`, as this does for them.
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
        .inspect_err(|_| track.mark(at))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
        .inspect_err(|_| track.mark(at))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        visitor.visit_newtype_struct(self).inspect_err(|_| track.mark(at))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        match self.value {
            Value::String(name) => visitor.visit_enum(Variant { name, value: None, at, track }),
            Value::Object(m) if m.len() == 1 => match m.into_iter().next() {
                Some((name, value)) => visitor.visit_enum(Variant { name, value: Some(value), at, track }),
                None => Err(de::Error::invalid_length(0, &"an object with one key")),
            },
            // A derived enum's visitor takes nothing else (see `deserialize_seq`).
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
        .inspect_err(|_| track.mark(at))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct tuple_struct map identifier ignored_any
    }
}

struct Seq<'a> {
    items: std::vec::IntoIter<Value>,
    /// The index of the next element.
    index: usize,
    at: &'a Chain<'a>,
    track: &'a Track,
}

impl<'de> de::SeqAccess<'de> for Seq<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else { return Ok(None) };
        let (at, track) = (Chain::Seq { parent: self.at, index: self.index }, self.track);
        self.index += 1;
        seed.deserialize(Strict { value, at: &at, track }).map(Some).inspect_err(|_| track.mark(&at))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'a> {
    entries: serde_json::map::IntoIter,
    /// The value of the entry whose key was read last.
    value: Option<Value>,
    /// That key, if it was read as a string.
    key: Option<String>,
    at: &'a Chain<'a>,
    track: &'a Track,
}

impl<'de> de::MapAccess<'de> for Map<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((name, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some(value);
        self.key = None;
        match seed.deserialize(Key { name, noted: &mut self.key }) {
            Ok(key) => Ok(Some(key)),
            Err(e) => {
                // An unknown field: the place is the entry.
                let key = self.key.take();
                self.track.mark(&Chain::entry(self.at, key.as_deref(), false));
                Err(e)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        // serde asks for a value only after its key.
        let value = self.value.take().unwrap_or(Value::Null);
        let key = self.key.take();
        let (at, track) = (Chain::entry(self.at, key.as_deref(), false), self.track);
        seed.deserialize(Strict { value, at: &at, track }).inspect_err(|_| track.mark(&at))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key or a variant's name, read as serde's `StringDeserializer` reads it, noting the
/// name for the place of an error when it is read as a string (a key read as an enum is not
/// noted, as `serde_path_to_error` did not).
struct Key<'s> {
    name: String,
    noted: &'s mut Option<String>,
}

impl<'de> Deserializer<'de> for Key<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.noted = Some(self.name.clone());
        visitor.visit_string(self.name)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(StringDeserializer::<Error>::new(self.name))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// An enum written as `{"variant": value}`, or as `"variant"` (no value: a unit variant).
struct Variant<'a> {
    name: String,
    value: Option<Value>,
    /// The enum's place.
    at: &'a Chain<'a>,
    track: &'a Track,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'a> {
    type Error = Error;
    type Variant = Content<'a>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Content<'a>), Error> {
        let mut noted = None;
        let variant = seed.deserialize(Key { name: self.name, noted: &mut noted })?;
        Ok((variant, Content { value: self.value, name: noted, parent: self.at, track: self.track }))
    }
}

/// A variant's content, at the enum's place and the variant's name.
struct Content<'a> {
    value: Option<Value>,
    /// The variant's name, if it was read as a string.
    name: Option<String>,
    parent: &'a Chain<'a>,
    track: &'a Track,
}

impl Content<'_> {
    /// Reads the content with `f`, or says that a bare name is a unit variant, not a `what`.
    fn read<T>(self, what: &'static str, f: impl FnOnce(Strict<'_>) -> Result<T, Error>) -> Result<T, Error> {
        let (at, track) = (Chain::entry(self.parent, self.name.as_deref(), true), self.track);
        match self.value {
            Some(value) => f(Strict { value, at: &at, track }),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &what)),
        }
        .inspect_err(|_| track.mark(&at))
    }
}

impl<'de> de::VariantAccess<'de> for Content<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        if self.value.is_none() {
            return Ok(());
        }
        self.read("unit variant", |strict| de::Deserialize::deserialize(strict))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        self.read("newtype variant", |strict| seed.deserialize(strict))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.read("tuple variant", |strict| strict.deserialize_seq(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.read("struct variant", |strict| strict.deserialize_struct("a struct variant", fields, visitor))
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
    use serde::de::DeserializeOwned;
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
        super::read::<T>(v).map_err(|(_, e)| e.to_string())
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

    /// `serde_path_to_error` over the same deserialiser (what this crate used before
    /// [`super::read`] kept the place itself): the place and the message, as text and as
    /// segments.
    fn old<T: DeserializeOwned>(value: Value) -> Result<T, (String, String, String)> {
        let track = Track(Cell::new(None));
        serde_path_to_error::deserialize(Strict { value, at: &Chain::Root, track: &track }).map_err(|e| {
            let segments: Vec<_> = e.path().iter().collect();
            (e.path().to_string(), format!("{segments:?}"), e.inner().to_string())
        })
    }

    fn new<T: DeserializeOwned>(value: Value) -> Result<T, (String, String, String)> {
        super::read(value)
            .map_err(|(path, e)| (path.to_string(), format!("{:?}", path.segments), e.to_string()))
    }

    /// Every node of `doc` replaced by values of other shapes (and every object given an
    /// unknown key), read as `T` by both; `stride` samples the nodes of large documents.
    fn same_places<T: DeserializeOwned>(doc: &Value, stride: usize) -> usize {
        fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
            out.push(at.clone());
            match v {
                Value::Array(a) => {
                    a.iter().enumerate().for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out))
                }
                Value::Object(m) => m
                    .iter()
                    .for_each(|(k, x)| pointers(x, format!("{at}/{}", crate::pointer::escape(k)), out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        pointers(doc, String::new(), &mut all);
        let shapes = [
            json!(null),
            json!(true),
            json!(-1),
            json!(1.5),
            json!("x"),
            json!([]),
            json!([1, "a"]),
            json!({}),
            json!({"zz": 1}),
            json!({"a": 1, "b": 2}),
        ];
        let mut failures = 0;
        for at in all.iter().step_by(stride) {
            let mut variants: Vec<Value> = shapes.to_vec();
            if let Some(Value::Object(m)) = doc.pointer(at) {
                let mut m = m.clone();
                m.insert("zz_unknown".into(), json!(1));
                variants.push(Value::Object(m));
            }
            for shape in variants {
                let mut v = doc.clone();
                *v.pointer_mut(at).unwrap() = shape.clone();
                let (a, b) = (old::<T>(v.clone()).err(), new::<T>(v).err());
                assert_eq!(a, b, "{at} = {shape}");
                failures += usize::from(a.is_some());
            }
        }
        failures
    }

    #[test]
    fn places_are_serde_path_to_errors() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let mut failures = 0;
        for fixture in ["business-startup", "newborn", "restaurant-opening"] {
            let dir = root.join(fixture);
            let bundle = serde_json::to_value(crate::load::load_dir(&dir).unwrap()).unwrap();
            failures += same_places::<crate::Bundle>(&bundle, 97);
            for entry in std::fs::read_dir(dir.join("submissions")).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                failures += same_places::<crate::Submission>(&serde_json::from_str(&text).unwrap(), 5);
            }
        }
        let reports = std::fs::read_to_string(root.join("newborn/results/partly-refused.json")).unwrap();
        failures += same_places::<crate::Reports>(&serde_json::from_str(&reports).unwrap(), 1);
        assert!(failures > 1000, "{failures} errors compared");
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
