//! Comparisons of values of different types are errors, not `false`.
//!
//! Rhai compares a number with text (or a date with text, a flag with a number…) by
//! answering `false` (`true` for `!=`), whatever the values: `form["wage"] >= "1950"`
//! rejected a wage of 4,800. A rule that compares values of different types has a bug the
//! author cannot see in any result, so it fails instead: the rule's item goes to manual
//! review with this message in the trace, and the compile warns where the comparison can be
//! seen in the text (see `compile::rulebook`'s type traps).
//!
//! What fails: ordering (`<`, `<=`, `>`, `>=`) of values of different kinds, and equality
//! (`==`, `!=`) of a number with text and of a date with anything but a date — the cases
//! that are always a bug. What still compares as Rhai does: `()` (an absent field) with
//! anything — `form["x"] == ()` is how a rule asks whether a field is empty; equality with
//! `true`/`false`, which answers "is it exactly `false`?" of a value that may also be a code
//! (`barred == false` where `barred` is `false` or `"revoked"`); arrays and maps; numbers
//! with numbers (`3 == 3.0`) and text with characters.
//!
//! Rhai's fast operators answer built-in types before looking at registered functions, so
//! the engine turns them off (`set_fast_operators(false)`) and registers one failing function
//! per operator and ordered pair of types of different kinds. The cost is one cached
//! function look-up per operator, measured in BENCHMARKS ("Strict comparisons").

use std::any::TypeId;

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, NativeCallContext, Position};

use crate::base::date::Date;

/// The operators that order.
const ORDERING: [&str; 4] = ["<", "<=", ">", ">="];

/// The operators that test equality.
const EQUALITY: [&str; 2] = ["==", "!="];

const NUMBER: &str = "a number";
const TEXT: &str = "text";
const FLAG: &str = "true/false";
const DATE: &str = "a date";

/// Types that compare with each other only within their kind.
fn kinds() -> [(&'static str, Vec<TypeId>); 4] {
    [
        (NUMBER, vec![TypeId::of::<rhai::INT>(), TypeId::of::<rhai::FLOAT>()]),
        (TEXT, vec![TypeId::of::<ImmutableString>(), TypeId::of::<char>()]),
        (FLAG, vec![TypeId::of::<bool>()]),
        (DATE, vec![TypeId::of::<Date>()]),
    ]
}

/// Registers the failing comparisons of values of different kinds.
pub(crate) fn register(e: &mut Engine) {
    e.set_fast_operators(false);
    let kinds = kinds();
    for (left_kind, left_types) in &kinds {
        for (right_kind, right_types) in &kinds {
            if left_kind == right_kind {
                continue;
            }
            let equality_fails = !matches!((*left_kind, *right_kind), (FLAG, _) | (_, FLAG));
            let operators = ORDERING.iter().chain(EQUALITY.iter().filter(|_| equality_fails));
            for op in operators {
                for &left in left_types {
                    for &right in right_types {
                        e.register_raw_fn(*op, [left, right], mismatch);
                    }
                }
            }
        }
    }
}

/// The error of one comparison of values of different kinds.
fn mismatch(context: NativeCallContext, args: &mut [&mut Dynamic]) -> Result<bool, Box<EvalAltResult>> {
    let [left, right] = args else {
        return Err(EvalAltResult::ErrorMismatchDataType(
            String::new(),
            "a comparison".into(),
            Position::NONE,
        )
        .into());
    };
    let message = format!(
        "`{} {} {}` compares {} with {}, which is never true or false by their values: convert one side \
         first (`parse_int(s)`, `parse_float(s)`, `x.to_string()`, `date(s)`)",
        shown(left),
        context.fn_name(),
        shown(right),
        kind_of(left),
        kind_of(right),
    );
    Err(EvalAltResult::ErrorMismatchDataType(String::new(), message, Position::NONE).into())
}

/// A value as a rule's author would write it, cut to a readable length.
fn shown(v: &Dynamic) -> String {
    let text = if v.is_string() || v.is_char() { format!("{v:?}") } else { v.to_string() };
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or_default()),
        None => text,
    }
}

fn kind_of(v: &Dynamic) -> &'static str {
    let id = v.type_id();
    kinds().into_iter().find(|(_, types)| types.contains(&id)).map_or("a value", |(kind, _)| kind)
}

#[cfg(test)]
mod tests {
    use crate::Calendar;
    use crate::rules::{Limits, Sandbox, ScriptError, Session, Vars, compile};
    use serde_json::json;

    fn run(src: &str) -> Result<rhai::Dynamic, ScriptError> {
        let limits = Limits::default();
        let ast = compile(src, &limits).unwrap_or_else(|e| panic!("{e}"));
        let values = json!({"wage": 4800, "name": "张三", "flag": true, "absent": null});
        let vars = Vars::new(values.as_object().unwrap(), "2026-09-18".parse().unwrap(), Calendar::prc());
        Session::new(&Sandbox::new(limits), vars).run(&ast).value
    }

    #[test]
    fn mixed_kinds_fail_with_both_values_and_the_place() {
        let e = run("let w = form[\"wage\"];\nw >= \"1950\"").unwrap_err();
        assert!(e.message.contains("`4800 >= \"1950\"` compares a number with text"), "{e}");
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        assert_eq!(e.thrown, None, "a fault of the rule, not a message to an official");
        for src in [
            r#"form["wage"] == "4800""#,
            r#"form["wage"] != "4800""#,
            r#"form["name"] < 3"#,
            r#"form["flag"] < 1"#,
            r#"form["flag"] >= "true""#,
            r#"today < "2026-10-01""#,
            r#"1.5 > "1""#,
            r#"'a' == 1"#,
            r#"today == 20260918"#,
        ] {
            let e = run(src).unwrap_err();
            assert!(e.message.contains("compares"), "{src}: {e}");
        }
    }

    #[test]
    fn comparisons_rhai_answers_stay() {
        for src in [
            r#"form["wage"] >= 1950 && form["wage"] == 4800.0 && 3 < 3.5"#,
            r#"form["name"] == "张三" && "a" < "b" && 'a' == "a""#,
            r#"form["absent"] == () && form["missing"] == () && form["wage"] != () && !(form["name"] == ())"#,
            r#"[1, 2] == [1, 2] && #{a: 1} != #{a: 2} && [1] != "1""#,
            r#"today == date("2026-09-18") && today < date("2026-10-01")"#,
            r#"form["flag"] == true && form["flag"] != 1 && form["name"] != false && !(form["wage"] == false)"#,
        ] {
            assert_eq!(run(src).map(|v| v.as_bool()), Ok(Ok(true)), "{src}");
        }
    }

    #[test]
    fn a_catch_can_handle_the_mismatch() {
        let got = run(r#"let r = "not caught"; try { r = form["wage"] > "1"; } catch { r = "caught"; } r"#)
            .unwrap();
        assert_eq!(got.into_string().as_deref(), Ok("caught"));
    }

    #[test]
    fn long_values_are_cut() {
        let e = run(&format!("{} == \"{}\"", 1, "字".repeat(100))).unwrap_err();
        assert!(e.message.contains('…') && e.message.chars().count() < 400, "{e}");
    }
}
