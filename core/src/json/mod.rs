//! Reading JSON text strictly: what `serde_json` lets through and this crate does not.
//!
//! - A leading UTF-8 byte-order mark is accepted and dropped ([`strip_bom`]): editors on
//!   Windows write one, and `serde_json` calls it "expected value at line 1 column 1".
//! - Two equal keys in one object are refused ([`unique`]); `serde_json` silently keeps the
//!   last, so a bundle, a schema or a submission would not mean what its author reads.
//! - A struct must be written as a JSON object ([`strict`]); serde's derive also accepts an
//!   array of the struct's fields in order, past `deny_unknown_fields`.
//!
//! [`load::parse_json`](crate::load::parse_json) puts them together: text → [`unique::parse`]
//! → `Value` → [`strict::Strict`] → the type.

pub(crate) mod strict;
pub(crate) mod unique;

/// The byte-order mark some editors write at the start of UTF-8 text.
pub(crate) const BOM: char = '\u{feff}';

/// The text without a leading UTF-8 byte-order mark (U+FEFF).
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}
