//! Values across the boundary.
//!
//! Inputs are JSON text (a JS string) or a plain JS value; outputs are plain JS objects and
//! arrays (never `Map`s). By default both directions go through JSON text: a JS value is
//! turned into text with `JSON.stringify` and parsed by `serde_json` (with its nesting limit
//! of 128, so deeply nested garbage is an error, not a stack overflow), and an output is
//! serialised by `serde_json` and handed to `JSON.parse`, the fastest object builder a JS
//! engine has. With the `serde-wasm-bindgen` feature the same functions convert value by
//! value instead; BENCHMARKS.md ("WebAssembly") has the measurements behind the default.
//!
//! Either way a value goes through exactly the serde types the native library uses, so a
//! WASM output parses to the same JSON as the native one (invariant 6).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::Failure;

/// The largest JSON text accepted, in UTF-16 code units: the limit the native loader puts
/// on files (32 MiB).
pub const MAX_TEXT: u32 = onething::load::MAX_FILE_BYTES as u32;

/// Reads an input: JSON text, or a JS value. `what` names the argument in errors
/// (`submission`, `bundle`…).
pub fn from_js<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<T, Failure> {
    if v.is_string() {
        return onething::load::parse_json(&text_of(v, what)?, what).map_err(Failure::from);
    }
    from_js_value(v, what)
}

/// Reads an optional input: `undefined` and `null` are `None`.
pub fn from_js_opt<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<Option<T>, Failure> {
    if v.is_undefined() || v.is_null() { Ok(None) } else { from_js(v, what).map(Some) }
}

/// The text of a JS string, refusing one longer than [`MAX_TEXT`] before copying it.
pub(crate) fn text_of(v: &JsValue, what: &str) -> Result<String, Failure> {
    let s: &js_sys::JsString = v.unchecked_ref();
    if s.length() > MAX_TEXT {
        return Err(Failure::new(
            "too_large",
            format!("{what}: {} characters is more than the limit of {MAX_TEXT}", s.length()),
        ));
    }
    Ok(s.into())
}

/// A string argument. Every string parameter of the facade is taken as a `JsValue` and
/// checked here: the glue wasm-bindgen generates for `&str` parameters trusts its caller,
/// and a number given for a string corrupts the allocator's state instead of throwing.
pub fn string_arg(v: &JsValue, what: &str) -> Result<String, Failure> {
    if !v.is_string() {
        return Err(Failure::new("input", format!("{what}: expected a string, found {}", type_of(v))));
    }
    text_of(v, what)
}

/// An optional string argument: `undefined` and `null` are `None`.
pub fn opt_string_arg(v: &JsValue, what: &str) -> Result<Option<String>, Failure> {
    if v.is_undefined() || v.is_null() { Ok(None) } else { string_arg(v, what).map(Some) }
}

/// A boolean argument.
pub fn bool_arg(v: &JsValue, what: &str) -> Result<bool, Failure> {
    v.as_bool()
        .ok_or_else(|| Failure::new("input", format!("{what}: expected a boolean, found {}", type_of(v))))
}

/// A non-negative integer argument (an index).
pub fn index_arg(v: &JsValue, what: &str) -> Result<usize, Failure> {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) => {
            // Checked above: a whole number within u32, which usize holds on wasm32 and
            // natively.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(x as usize)
        }
        _ => Err(Failure::new(
            "input",
            format!("{what}: expected a non-negative integer, found {}", type_of(v)),
        )),
    }
}

/// An optional enumeration argument given as its string (`"provided"`): `undefined` and
/// `null` are `None`.
pub fn enum_arg<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<Option<T>, Failure> {
    match opt_string_arg(v, what)? {
        None => Ok(None),
        Some(s) => serde_json::from_value(Value::String(s))
            .map(Some)
            .map_err(|e| Failure::new("format", format!("{what}: {e}"))),
    }
}

/// `typeof v`, for messages.
fn type_of(v: &JsValue) -> String {
    if v.is_null() {
        return "null".into();
    }
    v.js_typeof().as_string().unwrap_or_else(|| "a value".into())
}

/// A JS value (not a string) through JSON text.
#[cfg(not(feature = "serde-wasm-bindgen"))]
fn from_js_value<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<T, Failure> {
    if v.is_undefined() || v.is_function() || v.is_symbol() {
        return Err(not_json(what, "it is undefined, a function or a symbol"));
    }
    // Throws on cycles and BigInts, and with a RangeError on very deep nesting.
    let text = js_sys::JSON::stringify(v).map_err(|e| not_json(what, &describe(&e)))?;
    if text.length() > MAX_TEXT {
        return Err(Failure::new(
            "too_large",
            format!("{what}: {} characters of JSON is more than the limit of {MAX_TEXT}", text.length()),
        ));
    }
    let text: String = text.into();
    onething::load::parse_json(&text, what).map_err(Failure::from)
}

/// A JS value (not a string) converted value by value.
#[cfg(feature = "serde-wasm-bindgen")]
fn from_js_value<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<T, Failure> {
    if v.is_undefined() || v.is_function() || v.is_symbol() {
        return Err(not_json(what, "it is undefined, a function or a symbol"));
    }
    let value: Value =
        serde_wasm_bindgen::from_value(v.clone()).map_err(|e| not_json(what, &e.to_string()))?;
    serde_json::from_value(value).map_err(|e| Failure::new("format", format!("{what}: {e}")))
}

fn not_json(what: &str, why: &str) -> Failure {
    Failure::new("input", format!("{what} is not a JSON value: {why}"))
}

/// The message of a thrown JS value.
#[cfg_attr(feature = "serde-wasm-bindgen", allow(dead_code))]
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "it cannot be converted to JSON".into())
}

/// One JSON value given directly (a wizard answer): primitives are converted without
/// crossing to JSON text, exactly as `JSON.stringify` and `serde_json` would (an integral
/// number within ±2⁵³ is an integer), anything else goes through [`from_js`]'s value path.
pub fn value_from_js(v: &JsValue, what: &str) -> Result<Value, Failure> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if v.is_string() {
        return text_of(v, what).map(Value::String);
    }
    if let Some(x) = v.as_f64() {
        const SAFE: f64 = 9_007_199_254_740_991.0;
        if x.is_finite() && x.fract() == 0.0 && x.abs() <= SAFE {
            // Exact: |x| ≤ 2⁵³ − 1 fits an i64 and the cast cannot lose anything.
            #[allow(clippy::cast_possible_truncation)]
            return Ok(Value::Number(Number::from(x as i64)));
        }
        if x.fract() != 0.0 {
            // A finite fraction (NaN and infinities have none): the nearest double, as
            // serde_json parses JSON.stringify's shortest round-trip text.
            if let Some(n) = Number::from_f64(x) {
                return Ok(Value::Number(n));
            }
        }
        // NaN and infinities (null) and integers beyond 2⁵³ (u64 or f64): as the text says.
    }
    from_js_value(v, what)
}

/// Hands an output to JS as plain objects and arrays.
#[cfg(not(feature = "serde-wasm-bindgen"))]
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, Failure> {
    let text = serde_json::to_string(v).map_err(|e| Failure::new("internal", e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|e| Failure::new("internal", describe(&e)))
}

/// Hands an output to JS as plain objects and arrays.
#[cfg(feature = "serde-wasm-bindgen")]
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, Failure> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).map_err(|e| Failure::new("internal", e.to_string()))
}
