//! The input format shared by the targets.
//!
//! An input is a list of parts separated by NUL bytes (JSON text never holds a raw NUL, so
//! any JSON document is one part). A part is either JSON text, or a *reference* to a value
//! the target already holds (a fixture's packed bundle, one of its submissions):
//!
//! ```text
//! #<selector byte>[<JSON array of edits>]
//! ```
//!
//! An edit is `[pointer, value]`: the value at that JSON Pointer is replaced (an object member
//! is added when missing; `-` appends to an array); `[pointer]` removes it. References keep
//! inputs short, so libFuzzer mutates the bundle's structure instead of spending its time
//! breaking the JSON syntax of a 100 KB text.

use serde_json::Value;

/// Splits an input at NUL bytes.
pub fn split(data: &[u8]) -> Vec<&[u8]> {
    data.split(|b| *b == 0).collect()
}

/// Joins parts into one input (the inverse of [`split`] for parts without NUL bytes).
pub fn join(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&0u8)
}

/// A part: JSON text, or a reference to a value held by the target.
#[derive(Debug)]
pub enum Part<'a> {
    /// JSON text (possibly malformed).
    Text(&'a [u8]),
    /// `#` + selector + edits.
    Reference {
        /// Which value (taken modulo the number available).
        selector: u8,
        /// Edits to apply (an empty list when the rest is missing or not an array of edits).
        edits: Vec<Value>,
    },
}

impl<'a> Part<'a> {
    /// Reads a part.
    pub fn parse(part: &'a [u8]) -> Part<'a> {
        match part {
            [b'#', selector, rest @ ..] => {
                let edits = match serde_json::from_slice::<Value>(rest) {
                    Ok(Value::Array(edits)) => edits,
                    _ => Vec::new(),
                };
                Part::Reference { selector: *selector, edits }
            }
            [b'#'] => Part::Reference { selector: 0, edits: Vec::new() },
            _ => Part::Text(part),
        }
    }
}

/// A reference part's bytes (the inverse of [`Part::parse`]).
pub fn reference(selector: u8, edits: &[Value]) -> Vec<u8> {
    let mut out = vec![b'#', selector];
    if !edits.is_empty() {
        out.extend(Value::Array(edits.to_vec()).to_string().into_bytes());
    }
    out
}

/// Applies edits (see the module documentation); malformed edits are skipped.
pub fn apply_edits(value: &mut Value, edits: &[Value]) {
    for edit in edits {
        let Some([pointer, rest @ ..]) = edit.as_array().map(Vec::as_slice) else { continue };
        let Some(pointer) = pointer.as_str() else { continue };
        apply(value, pointer, rest.first().cloned());
    }
}

fn apply(root: &mut Value, pointer: &str, new: Option<Value>) {
    if pointer.is_empty() {
        if let Some(new) = new {
            *root = new;
        }
        return;
    }
    let Some(tokens) = onething::pointer::split(pointer) else { return };
    let Some((last, parents)) = tokens.split_last() else { return };
    let mut at = root;
    for t in parents {
        let next = match at {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        };
        let Some(next) = next else { return };
        at = next;
    }
    match (at, new) {
        (Value::Object(m), Some(new)) => {
            m.insert(last.clone(), new);
        }
        (Value::Object(m), None) => {
            m.shift_remove(last);
        }
        (Value::Array(a), Some(new)) if last == "-" => a.push(new),
        (Value::Array(a), new) => {
            let Ok(i) = last.parse::<usize>() else { return };
            match new {
                Some(new) => {
                    if let Some(slot) = a.get_mut(i) {
                        *slot = new;
                    }
                }
                None if i < a.len() => {
                    a.remove(i);
                }
                None => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_replace_add_append_and_remove() {
        let mut v = json!({"a": [1, 2], "b": {"c": 1}});
        apply_edits(
            &mut v,
            &[json!(["/a/0", 9]), json!(["/a/-", 3]), json!(["/b/d", true]), json!(["/b/c"]), json!("junk")],
        );
        assert_eq!(v, json!({"a": [9, 2, 3], "b": {"d": true}}));
    }

    #[test]
    fn references_round_trip() {
        let bytes = reference(3, &[json!(["/x", 1])]);
        match Part::parse(&bytes) {
            Part::Reference { selector, edits } => assert_eq!((selector, edits), (3, vec![json!(["/x", 1])])),
            Part::Text(_) => panic!("not read as a reference"),
        }
    }
}
