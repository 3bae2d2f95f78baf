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
        path: Path,
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
    strict::read(value).map_err(|(path, e)| JsonError::Shape { path, message: e.to_string() })
}

/// Where in a document a shape error is ([`strict::read`]), as `serde_path_to_error` named
/// it (which this crate used before): shown as `departments[2].fields.name`, `.` for the
/// document itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    /// The steps from the document down.
    pub segments: Vec<Segment>,
}

/// One step of a [`Path`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    /// An element of an array.
    Seq {
        /// Its index.
        index: usize,
    },
    /// A map entry or a struct field.
    Map {
        /// Its key.
        key: String,
    },
    /// The content of an enum variant.
    Enum {
        /// The variant's name.
        variant: String,
    },
    /// A map entry whose key is not a string (an enum), shown as `?`.
    Unknown,
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.segments.is_empty() {
            return f.write_str(".");
        }
        let mut separator = "";
        for segment in &self.segments {
            match segment {
                Segment::Seq { index } => write!(f, "[{index}]")?,
                Segment::Map { key: name } | Segment::Enum { variant: name } => {
                    write!(f, "{separator}{name}")?
                }
                Segment::Unknown => write!(f, "{separator}?")?,
            }
            separator = ".";
        }
        Ok(())
    }
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
