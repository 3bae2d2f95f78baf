//! Reading JSON text strictly: what `serde_json` lets through and this crate does not.
//!
//! - A leading UTF-8 byte-order mark is accepted and dropped ([`strip_bom`]): editors on
//!   Windows write one, and `serde_json` calls it "expected value at line 1 column 1".
//! - Two equal keys in one object are refused ([`unique`]); `serde_json` silently keeps the
//!   last, so a bundle, a schema or a submission would not mean what its author reads.
//! - A struct must be written as a JSON object ([`strict`]); serde's derive also accepts an
//!   array of the struct's fields in order, past `deny_unknown_fields`.
//!
//! [`parse`] puts them together: text → [`unique::parse`] → `Value` → [`strict::Strict`] →
//! the type, with the path of a shape error. The layers above name the document
//! ([`crate::load::parse_json`], the results reader).

use serde::de::DeserializeOwned;
use serde_json::Value;

pub(crate) mod strict;
pub(crate) mod unique;

/// The byte-order mark some editors write at the start of UTF-8 text.
pub(crate) const BOM: char = '\u{feff}';

/// The text without a leading UTF-8 byte-order mark (U+FEFF).
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Why JSON text is not the expected `T`.
#[derive(Debug)]
pub(crate) enum JsonError {
    /// Not JSON, or an object with a duplicate key.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON of the wrong shape.
    Shape {
        /// Where in the document.
        path: serde_path_to_error::Path,
        /// What is wrong.
        message: String,
    },
}

/// Parses JSON text into `T`, strictly (see the module docs), naming the line and column
/// of a syntax error and the path of a shape error.
pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let value = unique::parse(text).map_err(|e| syntax(&e))?;
    from_value(value)
}

/// A syntax error (or a duplicate key) as a [`JsonError`].
pub(crate) fn syntax(e: &unique::TextError) -> JsonError {
    let (line, column) = e.position();
    JsonError::Syntax { line, column, message: e.message() }
}

/// Reads `T` from a parsed value, strictly, naming the path of a shape error.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, JsonError> {
    serde_path_to_error::deserialize(strict::Strict(value))
        .map_err(|e| JsonError::Shape { path: e.path().clone(), message: e.inner().to_string() })
}

/// [`parse`] for text read once per call (a submission): one pass from text to `T`, and
/// only text that fails is read again by [`parse`] to say where.
///
/// [`parse`] builds a `serde_json::Value` first and tracks the path of every value on the
/// way: every map is built twice and every key copied into the path tracker, which was most
/// of what `onething batch` spent reading a submission. It stays the path for everything
/// else: a second instantiation of each type's deserialiser costs WebAssembly size, so only
/// the hot type gets one.
///
/// `T` must be a struct whose own maps refuse duplicate keys and whose nested structs refuse
/// arrays (`Submission` reads them with [`unique`] and [`strict::object_struct`]): the one
/// pass checks only that the text is an object.
pub(crate) fn parse_once<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let text = strip_bom(text);
    if text.trim_start().starts_with('{') {
        if let Ok(parsed) = serde_json::from_str(text) {
            return Ok(parsed);
        }
    }
    parse(text)
}
