//! What built-in functions cost, in operations.
//!
//! Rhai counts one operation per step of a script, whatever a step does: `a.contains(x)` on
//! a 10,000-element array is one operation that compares 10,000 pairs through Rhai's `==`
//! (about 70 ns each). Fifteen thousand such calls stay far under an operation limit and
//! take seconds. The functions here replace the built-in ones whose work grows with their
//! input and goes through Rhai's `==` per element, doing the same work and charging
//! [`COMPARE`] operations per element compared ([`charge`]), so that the operation limits bound time.
//!
//! `pad` is replaced too: it is the one built-in that makes a large value out of small ones
//! (`"x".pad(10000, "y")`), and it is charged for what it adds. Every other large value a
//! script handles comes from a variable or an input, and reading one is charged by its size
//! (`sandbox::size_of`), so the built-ins that walk a value (string search, `split`,
//! `sort`, map `keys`) are paid for when their argument is read (BENCHMARKS.md, "The bound
//! on one decision").

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, ImmutableString, NativeCallContext, Position};

use super::meter::charge;

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// Operations charged per pair compared through Rhai's `==`: a call through Rhai's function
/// dispatch costs about thirty times a plain step (60 ns against 2 ns, BENCHMARKS.md).
const COMPARE: usize = 4;

/// Registers the charged versions (they shadow Rhai's built-in ones of the same signature).
pub(crate) fn register(e: &mut Engine) {
    e.register_fn("contains", |ctx: NativeCallContext, array: &mut Array, value: Dynamic| -> Result<bool> {
        Ok(position(&ctx, array, &value, 0)?.is_some())
    });
    e.register_fn("index_of", |ctx: NativeCallContext, array: &mut Array, value: Dynamic| -> Result<INT> {
        Ok(index(position(&ctx, array, &value, 0)?))
    });
    e.register_fn(
        "index_of",
        |ctx: NativeCallContext, array: &mut Array, value: Dynamic, start: INT| -> Result<INT> {
            let start = start_at(array.len(), start);
            Ok(index(position(&ctx, array, &value, start)?))
        },
    );
    e.register_fn("==", |ctx: NativeCallContext, a: &mut Array, b: Array| equal(&ctx, a, b));
    e.register_fn("!=", |ctx: NativeCallContext, a: &mut Array, b: Array| {
        Ok::<_, Box<EvalAltResult>>(!equal(&ctx, a, b)?)
    });
    e.register_fn("pad", pad_array);
    e.register_fn("pad", |ctx: NativeCallContext, s: &mut ImmutableString, len: INT, c: char| {
        pad_string(&ctx, s, len, &c.to_string())
    });
    e.register_fn(
        "pad",
        |ctx: NativeCallContext, s: &mut ImmutableString, len: INT, padding: ImmutableString| {
            pad_string(&ctx, s, len, &padding)
        },
    );
}

fn too_large(what: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorDataTooLarge(what.into(), Position::NONE))
}

/// `array.pad(len, item)`: appends copies of `item` up to `len` elements, charged one
/// operation per element added.
fn pad_array(ctx: NativeCallContext, array: &mut Array, len: INT, item: Dynamic) -> Result<()> {
    let Ok(len) = usize::try_from(len) else { return Ok(()) };
    if len <= array.len() {
        return Ok(());
    }
    let max = ctx.engine().max_array_size();
    if max > 0 && len > max {
        return Err(too_large("Size of array"));
    }
    charge(len - array.len());
    array.resize(len, item);
    Ok(())
}

/// `text.pad(len, padding)`: appends `padding` (cut to fit) up to `len` characters,
/// charged one operation per character added.
fn pad_string(ctx: &NativeCallContext, text: &mut ImmutableString, len: INT, padding: &str) -> Result<()> {
    let Ok(len) = usize::try_from(len) else {
        return if len <= 0 { Ok(()) } else { Err(too_large("Length of string")) };
    };
    let max = ctx.engine().max_string_size();
    if max > 0 && len > max {
        return Err(too_large("Length of string"));
    }
    let have = text.chars().count();
    if len <= have || padding.is_empty() {
        return Ok(());
    }
    charge(len - have);
    let out = text.make_mut();
    out.extend(padding.chars().cycle().take(len - have));
    if max > 0 && out.len() > max {
        return Err(too_large("Length of string"));
    }
    Ok(())
}

/// The first index at or after `start` whose element equals `value`, charging
/// [`COMPARE`] operations per element compared.
fn position(
    ctx: &NativeCallContext,
    array: &mut Array,
    value: &Dynamic,
    start: usize,
) -> Result<Option<usize>> {
    for (i, item) in array.iter_mut().enumerate().skip(start) {
        charge(COMPARE);
        if same(ctx, item, &mut value.clone())? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Element-wise equality of two arrays, charging [`COMPARE`] operations per pair compared.
fn equal(ctx: &NativeCallContext, a: &mut Array, mut b: Array) -> Result<bool> {
    if a.len() != b.len() {
        return Ok(false);
    }
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        charge(COMPARE);
        if !same(ctx, x, y)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `x == y` as Rhai's array functions decide it: through the `==` operator; values of two
/// types without one are unequal, values of one type without one are an error.
fn same(ctx: &NativeCallContext, x: &mut Dynamic, y: &mut Dynamic) -> Result<bool> {
    let same_type = x.type_id() == y.type_id();
    match ctx.call_native_fn_raw("==", true, &mut [x, y]) {
        Ok(v) => Ok(v.as_bool().unwrap_or(false)),
        Err(e)
            if !same_type
                && matches!(*e, EvalAltResult::ErrorFunctionNotFound(ref sig, _) if sig.starts_with("==")) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Where a search starting at `start` begins: a negative start counts from the end (as
/// Rhai's own `index_of` does).
fn start_at(len: usize, start: INT) -> usize {
    if start < 0 {
        usize::try_from(start.unsigned_abs()).map_or(0, |back| len.saturating_sub(back))
    } else {
        usize::try_from(start).map_or(len, |s| s.min(len))
    }
}

fn index(found: Option<usize>) -> INT {
    found.map_or(-1, |i| INT::try_from(i).unwrap_or(INT::MAX))
}
