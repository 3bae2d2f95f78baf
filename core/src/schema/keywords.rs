//! Which JSON Schema (draft 2020-12) keywords hold subschemas, and how.
//!
//! Walking a schema means visiting subschemas only: the values of `const`, `enum`, `default`
//! or `examples` are data, and a `"$ref"` key inside them is not a reference.

/// Keywords whose value is one subschema.
pub const SINGLE: &[&str] = &[
    "additionalProperties",
    "propertyNames",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];

/// Keywords whose value is an object of subschemas.
pub const MAP: &[&str] = &["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];

/// Keywords whose value is an array of subschemas.
pub const ARRAY: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords that apply their subschemas to the instance itself rather than to a part of it.
/// A `$ref` cycle through these alone would never terminate.
pub const IN_PLACE_SINGLE: &[&str] = &["not", "if", "then", "else"];
/// Array-valued in-place applicators.
pub const IN_PLACE_ARRAY: &[&str] = &["allOf", "anyOf", "oneOf"];

/// Annotation keywords: they never change whether an instance is valid. The first value met
/// is kept when schemas are merged.
pub const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "examples",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Keywords that only organise a document; they are dropped once references are resolved.
pub const STRUCTURAL: &[&str] = &["$schema", "$id", "$anchor", "$dynamicAnchor", "$defs", "definitions"];

/// The dialect this crate understands.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Validation keywords whose value is data, not a subschema: provenance records their
/// values.
pub const SCALAR: &[&str] = &[
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
    "required",
    "dependentRequired",
];

/// Every keyword the merge understands; anything else is an unknown keyword (an annotation to
/// validators, kept verbatim by the merge).
pub const KNOWN: &[&str] = &[
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minContains",
    "maxContains",
    "contains",
    "items",
    "prefixItems",
    "minProperties",
    "maxProperties",
    "required",
    "dependentRequired",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "dependentSchemas",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "$ref",
    "unevaluatedItems",
    "unevaluatedProperties",
];

/// Is `keyword` one the merge understands (validation, annotation or structure)?
pub fn is_known(keyword: &str) -> bool {
    KNOWN.contains(&keyword) || ANNOTATIONS.contains(&keyword) || STRUCTURAL.contains(&keyword)
}

#[cfg(test)]
mod tests {
    #[test]
    fn scalar_keywords_are_known_validation_keywords() {
        for kw in super::SCALAR {
            assert!(super::KNOWN.contains(kw), "{kw}");
        }
    }
}
