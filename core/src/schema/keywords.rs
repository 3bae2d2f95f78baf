//! Which JSON Schema (draft 2020-12) keywords hold subschemas, and how.
//!
//! Walking a schema means visiting subschemas only: the values of `const`, `enum`, `default`
//! or `examples` are data, and a `"$ref"` key inside them is not a reference.
//!
//! Every keyword is described once, in one table; the lists the merge and the walkers use
//! are views of it.

use std::sync::LazyLock;

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

/// The names of the keywords of [`TABLE`] that `keep` selects, in its order.
fn names(keep: impl Fn(&Keyword) -> bool) -> Vec<&'static str> {
    TABLE.iter().filter(|k| keep(k)).map(|k| k.name).collect()
}

/// A view of [`TABLE`], built on first use.
pub type List = LazyLock<Vec<&'static str>>;

/// Keywords whose value is one subschema.
pub static SINGLE: List = LazyLock::new(|| names(|k| k.holds == Holds::Schema));

/// Keywords whose value is an object of subschemas.
pub static MAP: List = LazyLock::new(|| names(|k| k.holds == Holds::SchemaMap));

/// Keywords whose value is an array of subschemas.
pub static ARRAY: List = LazyLock::new(|| names(|k| k.holds == Holds::SchemaArray));

/// Keywords that apply their subschema to the instance itself rather than to a part of it.
/// A `$ref` cycle through these alone would never terminate.
pub static IN_PLACE_SINGLE: List = LazyLock::new(|| names(|k| k.in_place && k.holds == Holds::Schema));
/// Array-valued in-place applicators.
pub static IN_PLACE_ARRAY: List = LazyLock::new(|| names(|k| k.in_place && k.holds == Holds::SchemaArray));

/// Annotation keywords: they never change whether an instance is valid. The first value met
/// is kept when schemas are merged.
pub static ANNOTATIONS: List = LazyLock::new(|| names(|k| k.annotation));

/// Keywords that only organise a document; they are dropped once references are resolved.
pub static STRUCTURAL: List = LazyLock::new(|| names(|k| k.structural));

/// The dialect this crate understands.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Validation keywords whose value is data, not a subschema: provenance records their
/// values.
pub static SCALAR: List = LazyLock::new(|| names(|k| k.holds == Holds::Data));

/// Every keyword the merge conjoins; anything else is an annotation, structure, or an
/// unknown keyword (an annotation to validators, kept verbatim by the merge).
pub static KNOWN: List = LazyLock::new(|| names(|k| k.merged));

/// Is `keyword` one the merge understands (validation, annotation or structure)?
pub fn is_known(keyword: &str) -> bool {
    KNOWN.contains(&keyword) || ANNOTATIONS.contains(&keyword) || STRUCTURAL.contains(&keyword)
}

#[cfg(test)]
mod tests {
    #[test]
    fn scalar_keywords_are_known_validation_keywords() {
        for kw in super::SCALAR.iter() {
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
        assert_eq!(*super::ARRAY, ["allOf", "anyOf", "oneOf", "prefixItems"]);
        assert_eq!(*super::IN_PLACE_SINGLE, ["not", "if", "then", "else"]);
        assert_eq!(*super::IN_PLACE_ARRAY, ["allOf", "anyOf", "oneOf"]);
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
