//! Which JSON Schema (draft 2020-12) keywords hold subschemas, and how.
//!
//! Walking a schema means visiting subschemas only: the values of `const`, `enum`, `default`
//! or `examples` are data, and a `"$ref"` key inside them is not a reference.
//!
//! Every keyword is described once, in one table; the lists the merge and the walkers use
//! are views of it.

use serde_json::{Map, Value};

/// What a keyword's value is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holds {
    /// One subschema.
    Schema,
    /// An object of subschemas.
    SchemaMap,
    /// An array of subschemas.
    SchemaArray,
    /// Data the merge conjoins (a bound, a pattern, a list of names…): provenance records
    /// it.
    Data,
    /// Anything else: a reference, an annotation's value, a document's organisation.
    Other,
}

/// One keyword of draft 2020-12, as this crate reads it.
struct Keyword {
    name: &'static str,
    holds: Holds,
    /// The merge conjoins it (a validation or applicator keyword, or `$ref`).
    merged: bool,
    /// It applies its subschemas to the instance itself, not to a part of it.
    in_place: bool,
    /// It never changes whether an instance is valid: the first value met is kept.
    annotation: bool,
    /// It only organises a document; dropped once references are resolved.
    structural: bool,
}

const fn kw(name: &'static str, holds: Holds) -> Keyword {
    Keyword { name, holds, merged: true, in_place: false, annotation: false, structural: false }
}

const fn in_place(name: &'static str, holds: Holds) -> Keyword {
    Keyword { in_place: true, ..kw(name, holds) }
}

const fn annotation(name: &'static str, holds: Holds) -> Keyword {
    Keyword { merged: false, annotation: true, ..kw(name, holds) }
}

const fn structural(name: &'static str, holds: Holds) -> Keyword {
    Keyword { merged: false, structural: true, ..kw(name, holds) }
}

/// Every keyword this crate knows, once. The lists below are views of it, in its order
/// (which output follows: annotations are merged in this order).
const TABLE: &[Keyword] = &[
    annotation("title", Holds::Other),
    annotation("description", Holds::Other),
    annotation("default", Holds::Other),
    annotation("examples", Holds::Other),
    annotation("$comment", Holds::Other),
    annotation("deprecated", Holds::Other),
    annotation("readOnly", Holds::Other),
    annotation("writeOnly", Holds::Other),
    annotation("contentMediaType", Holds::Other),
    annotation("contentEncoding", Holds::Other),
    kw("type", Holds::Data),
    kw("enum", Holds::Data),
    kw("const", Holds::Data),
    kw("minimum", Holds::Data),
    kw("maximum", Holds::Data),
    kw("exclusiveMinimum", Holds::Data),
    kw("exclusiveMaximum", Holds::Data),
    kw("multipleOf", Holds::Data),
    kw("minLength", Holds::Data),
    kw("maxLength", Holds::Data),
    kw("pattern", Holds::Data),
    kw("format", Holds::Data),
    kw("minItems", Holds::Data),
    kw("maxItems", Holds::Data),
    kw("uniqueItems", Holds::Data),
    kw("minProperties", Holds::Data),
    kw("maxProperties", Holds::Data),
    kw("minContains", Holds::Data),
    kw("maxContains", Holds::Data),
    kw("required", Holds::Data),
    kw("dependentRequired", Holds::Data),
    kw("additionalProperties", Holds::Schema),
    kw("propertyNames", Holds::Schema),
    kw("items", Holds::Schema),
    kw("contains", Holds::Schema),
    in_place("not", Holds::Schema),
    in_place("if", Holds::Schema),
    in_place("then", Holds::Schema),
    in_place("else", Holds::Schema),
    kw("unevaluatedItems", Holds::Schema),
    kw("unevaluatedProperties", Holds::Schema),
    // A subschema describing decoded content: an annotation in draft 2020-12.
    annotation("contentSchema", Holds::Schema),
    kw("properties", Holds::SchemaMap),
    kw("patternProperties", Holds::SchemaMap),
    kw("dependentSchemas", Holds::SchemaMap),
    structural("$defs", Holds::SchemaMap),
    structural("definitions", Holds::SchemaMap),
    in_place("allOf", Holds::SchemaArray),
    in_place("anyOf", Holds::SchemaArray),
    in_place("oneOf", Holds::SchemaArray),
    kw("prefixItems", Holds::SchemaArray),
    kw("$ref", Holds::Other),
    structural("$schema", Holds::Other),
    structural("$id", Holds::Other),
    structural("$anchor", Holds::Other),
    structural("$dynamicAnchor", Holds::Other),
];

/// A view of [`TABLE`]: which of its keywords a list holds.
#[derive(Clone, Copy)]
enum View {
    Single,
    Map,
    Array,
    InPlaceSingle,
    InPlaceArray,
    Annotations,
    Structural,
    Scalar,
    Known,
}

/// Whether `view` holds keyword `k`.
const fn holds(view: View, k: &Keyword) -> bool {
    match view {
        View::Single => matches!(k.holds, Holds::Schema),
        View::Map => matches!(k.holds, Holds::SchemaMap),
        View::Array => matches!(k.holds, Holds::SchemaArray),
        View::InPlaceSingle => k.in_place && matches!(k.holds, Holds::Schema),
        View::InPlaceArray => k.in_place && matches!(k.holds, Holds::SchemaArray),
        View::Annotations => k.annotation,
        View::Structural => k.structural,
        View::Scalar => matches!(k.holds, Holds::Data),
        View::Known => k.merged,
    }
}

/// How many keywords `view` holds.
// Only evaluated at compile time, where an index out of range is a compile error.
#[allow(clippy::indexing_slicing)]
const fn count(view: View) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < TABLE.len() {
        if holds(view, &TABLE[i]) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names `view` holds, in the table's order. Evaluated at compile time: the lists
/// below are constants, as cheap to search as the hand-written lists they replace.
// Only evaluated at compile time, where an index out of range is a compile error.
#[allow(clippy::indexing_slicing)]
const fn names<const N: usize>(view: View) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut n) = (0, 0);
    while i < TABLE.len() {
        if holds(view, &TABLE[i]) {
            out[n] = TABLE[i].name;
            n += 1;
        }
        i += 1;
    }
    out
}

/// Keywords whose value is one subschema.
pub const SINGLE: &[&str] = &names::<{ count(View::Single) }>(View::Single);

/// Keywords whose value is an object of subschemas.
pub const MAP: &[&str] = &names::<{ count(View::Map) }>(View::Map);

/// Keywords whose value is an array of subschemas.
pub const ARRAY: &[&str] = &names::<{ count(View::Array) }>(View::Array);

/// Keywords that apply their subschema to the instance itself rather than to a part of it.
/// A `$ref` cycle through these alone would never terminate.
pub const IN_PLACE_SINGLE: &[&str] = &names::<{ count(View::InPlaceSingle) }>(View::InPlaceSingle);
/// Array-valued in-place applicators.
pub const IN_PLACE_ARRAY: &[&str] = &names::<{ count(View::InPlaceArray) }>(View::InPlaceArray);

/// Annotation keywords: they never change whether an instance is valid. The first value met
/// is kept when schemas are merged.
pub const ANNOTATIONS: &[&str] = &names::<{ count(View::Annotations) }>(View::Annotations);

/// Keywords that only organise a document; they are dropped once references are resolved.
pub const STRUCTURAL: &[&str] = &names::<{ count(View::Structural) }>(View::Structural);

/// The dialect this crate understands.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Validation keywords whose value is data, not a subschema: provenance records their
/// values.
pub const SCALAR: &[&str] = &names::<{ count(View::Scalar) }>(View::Scalar);

/// Every keyword the merge conjoins; anything else is an annotation, structure, or an
/// unknown keyword (an annotation to validators, kept verbatim by the merge).
pub const KNOWN: &[&str] = &names::<{ count(View::Known) }>(View::Known);

/// Is `keyword` one that can make an instance invalid (not an annotation, not structure)?
pub fn is_validation_keyword(keyword: &str) -> bool {
    KNOWN.contains(&keyword)
}

/// Is `keyword` one the merge understands (validation, annotation or structure)?
pub fn is_known(keyword: &str) -> bool {
    KNOWN.contains(&keyword) || ANNOTATIONS.contains(&keyword) || STRUCTURAL.contains(&keyword)
}

/// The subschemas `obj` holds directly: the values of its [`SINGLE`], [`MAP`] and [`ARRAY`]
/// keywords (data under `const`, `enum` and the like is not visited), in the object's order.
/// A walker pushes them on its own stack, so that no walk recurses. The object's keys are
/// read in turn rather than looked up: a look-up hashes the key (SipHash), which made such
/// walks cost more than what they looked for.
pub fn subschemas(obj: &Map<String, Value>) -> impl Iterator<Item = &Value> {
    obj.iter().flat_map(|(k, v)| {
        let k = k.as_str();
        let single = SINGLE.contains(&k).then_some(v);
        let map = MAP.contains(&k).then(|| v.as_object()).flatten().into_iter().flat_map(Map::values);
        let array = ARRAY.contains(&k).then(|| v.as_array()).flatten().into_iter().flatten();
        single.into_iter().chain(map).chain(array)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn scalar_keywords_are_known_validation_keywords() {
        for kw in super::SCALAR {
            assert!(super::KNOWN.contains(kw), "{kw}");
        }
    }

    #[test]
    fn the_views_keep_the_lists_they_replaced() {
        // The orders the walkers and the merge relied on when these were separate lists.
        let single =
            ["additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else"];
        assert_eq!(super::SINGLE[..8], single);
        assert_eq!(super::SINGLE[8..], ["unevaluatedItems", "unevaluatedProperties", "contentSchema"]);
        assert_eq!(
            *super::MAP,
            ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"]
        );
        assert_eq!(super::ARRAY, ["allOf", "anyOf", "oneOf", "prefixItems"]);
        assert_eq!(super::IN_PLACE_SINGLE, ["not", "if", "then", "else"]);
        assert_eq!(super::IN_PLACE_ARRAY, ["allOf", "anyOf", "oneOf"]);
        assert_eq!(super::ANNOTATIONS.first(), Some(&"title"));
        assert_eq!(super::ANNOTATIONS.last(), Some(&"contentSchema"));
        assert_eq!(
            *super::STRUCTURAL,
            ["$defs", "definitions", "$schema", "$id", "$anchor", "$dynamicAnchor"]
        );
        assert_eq!(super::SCALAR.len(), 21);
        assert_eq!(super::KNOWN.len(), 39);
        assert!(super::KNOWN.contains(&"$ref") && !super::KNOWN.contains(&"title"));
    }
}
