//! JSON Pointers (RFC 6901): building, escaping and walking them.
//!
//! Every error in this crate names a place with a JSON Pointer; this module is the one place
//! that knows how `~` and `/` are escaped.
//!
//! ```
//! use onething::pointer;
//!
//! assert_eq!(pointer::join("/properties", "a/b"), "/properties/a~1b");
//! assert_eq!(pointer::split("/a~1b/c").unwrap(), vec!["a/b", "c"]);
//! ```

use serde_json::Value;

/// Escapes one reference token: `~` becomes `~0`, `/` becomes `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one (unescaped) token to a pointer.
pub fn join(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    out.push_str(&escape(token));
    out
}

/// Builds a pointer from unescaped tokens.
pub fn from_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens.into_iter().fold(String::new(), |acc, t| join(&acc, t))
}

/// Splits a pointer into unescaped tokens. `""` is the whole document (no tokens).
///
/// Returns `None` when the pointer is malformed: not starting with `/`, or with a `~` not
/// followed by `0` or `1`.
pub fn split(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').map(unescape).collect()
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Looks a pointer up in a document (`serde_json::Value::pointer` with a clear `None` for
/// malformed pointers).
pub fn get<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    doc.pointer(pointer)
}

/// Looks up already split tokens (see [`split`]): what `Value::pointer` does, without
/// parsing and unescaping the pointer at every lookup.
pub fn get_tokens<'a>(doc: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(doc, |v, t| match v {
        Value::Object(map) => map.get(t),
        // As `Value::pointer`: a decimal index without a sign or leading zeros.
        Value::Array(list) if t == "0" || !t.starts_with(['0', '+']) => {
            t.parse::<usize>().ok().and_then(|i| list.get(i))
        }
        _ => None,
    })
}

/// Decodes the fragment of a URI reference (`#/a%20b` → `/a b`). Only `%XX` escapes are
/// decoded; anything else is kept.
pub fn decode_fragment(fragment: &str) -> Option<String> {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = fragment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Encodes a pointer for use as a URI fragment (`/a b` → `/a%20b`).
pub fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trips() {
        let p = from_tokens(["a/b", "c~d", ""]);
        assert_eq!(p, "/a~1b/c~0d/");
        assert_eq!(split(&p).unwrap(), vec!["a/b", "c~d", ""]);
    }

    #[test]
    fn malformed_pointers_are_rejected() {
        assert_eq!(split("a/b"), None);
        assert_eq!(split("/a~2"), None);
        assert_eq!(split("/a~"), None);
    }

    #[test]
    fn fragments_decode_and_encode() {
        assert_eq!(decode_fragment("/a%20b/%25").unwrap(), "/a b/%");
        assert_eq!(encode_fragment("/a b/身"), "/a%20b/%E8%BA%AB");
        assert_eq!(decode_fragment("/a%2"), None);
        assert_eq!(decode_fragment(&encode_fragment("/a b/身份")).unwrap(), "/a b/身份");
    }

    #[test]
    fn split_tokens_find_what_value_pointer_finds() {
        let doc = serde_json::json!({"a": {"b/c": [10, {"~d": 2}], "": 3, "01": 4}, "e": [[5]]});
        for p in [
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/~0d",
            "/a/",
            "/a/01",
            "/e/0/0",
            "/e/00",
            "/e/+0",
            "/e/-1",
            "/e/1",
            "/a/b~1c/2",
            "/x",
            "/a/b~1c/0/z",
        ] {
            let tokens = split(p).unwrap();
            assert_eq!(get_tokens(&doc, &tokens), doc.pointer(p), "{p}");
        }
        assert_eq!(get_tokens(&doc, &[]), Some(&doc));
    }
}
