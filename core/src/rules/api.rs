//! The functions rule scripts can call (see the table in the module documentation).
//!
//! Dates are the crate's [`Date`] under the Rhai type name `Date`; wherever a date is
//! expected, `YYYY-MM-DD` text is accepted too. Functions that need the submission or the
//! calendar read the running session's context.

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString};

use super::context::with_context;
use super::meter::charge;
use crate::base::date::Date;
use crate::base::formats::{self, Gender};
use crate::base::rounding;

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// A function's failure (`date("2023-02-29")`). Not `ErrorRuntime`, which is what `throw`
/// raises: a thrown value is the rule author's message to an official, while this is a fault
/// of the rule, reported as one. Still catchable with `try`/`catch`.
fn error<T>(message: String) -> Result<T> {
    Err(EvalAltResult::ErrorArithmetic(message, rhai::Position::NONE).into())
}

/// A date from a `Date` or `YYYY-MM-DD` text.
fn to_date(v: &Dynamic) -> Result<Date> {
    // Read in place: a `Date` is a boxed custom value, which a clone would allocate again.
    if let Some(d) = v.read_lock::<Date>() {
        return Ok(*d);
    }
    match v.read_lock::<ImmutableString>() {
        Some(s) => s.parse::<Date>().or_else(|e| error(e.to_string())),
        None => error(format!("expected a date or YYYY-MM-DD text, found {}", v.type_name())),
    }
}

fn calendar_op<T: Default>(f: impl FnOnce(&crate::Calendar) -> T) -> T {
    with_context(|c| f(&c.calendar))
}

fn optional<T: Clone + Send + Sync + 'static>(v: Option<T>) -> Dynamic {
    v.map_or(Dynamic::UNIT, Dynamic::from)
}

/// Registers every function and the `Date` type.
pub(crate) fn register(e: &mut Engine) {
    register_dates(e);
    register_identifiers(e);
    register_rounding(e);
    register_submission(e);
    super::record::register(e);
    super::costs::register(e);
    super::strict::register(e);
}

fn register_dates(e: &mut Engine) {
    e.register_type_with_name::<Date>("Date");
    e.register_fn("date", |s: ImmutableString| -> Result<Date> {
        s.parse::<Date>().or_else(|err| error(err.to_string()))
    });
    e.register_fn("date", |s: ImmutableString, layout: ImmutableString| -> Result<Date> {
        Date::parse_layout(&s, &layout).or_else(|err| error(err.to_string()))
    });
    e.register_fn("to_string", |d: &mut Date| d.to_string());
    e.register_fn("to_debug", |d: &mut Date| d.to_string());
    e.register_get("year", |d: &mut Date| i64::from(d.year()));
    e.register_get("month", |d: &mut Date| i64::from(d.month()));
    e.register_get("day", |d: &mut Date| i64::from(d.day()));
    e.register_get("weekday", |d: &mut Date| i64::from(d.weekday()));
    e.register_fn("==", |a: Date, b: Date| a == b);
    e.register_fn("!=", |a: Date, b: Date| a != b);
    e.register_fn("<", |a: Date, b: Date| a < b);
    e.register_fn("<=", |a: Date, b: Date| a <= b);
    e.register_fn(">", |a: Date, b: Date| a > b);
    e.register_fn(">=", |a: Date, b: Date| a >= b);
    e.register_fn("days_between", |a: Dynamic, b: Dynamic| -> Result<i64> {
        Ok(to_date(&a)?.days_until(to_date(&b)?))
    });
    e.register_fn("working_days_between", |a: Dynamic, b: Dynamic| -> Result<i64> {
        let (a, b) = (to_date(&a)?, to_date(&b)?);
        charge(days_walked(a.days_until(b)));
        Ok(calendar_op(|c| c.working_days_between(a, b)))
    });
    e.register_fn("add_days", |d: Dynamic, n: i64| -> Result<Date> { Ok(to_date(&d)?.add_days(n)) });
    e.register_fn("add_months", |d: Dynamic, n: i64| -> Result<Date> { Ok(to_date(&d)?.add_months(n)) });
    e.register_fn("add_years", |d: Dynamic, n: i64| -> Result<Date> {
        Ok(to_date(&d)?.add_months(n.saturating_mul(12)))
    });
    e.register_fn("add_working_days", |d: Dynamic, n: i64| -> Result<Date> {
        let d = to_date(&d)?;
        // About seven calendar days are walked for every five working days.
        charge(days_walked(n.saturating_mul(7) / 5));
        Ok(with_context(|c| Some(c.calendar.add_working_days(d, n))).unwrap_or(d))
    });
    e.register_fn("is_working_day", |d: Dynamic| -> Result<bool> {
        let d = to_date(&d)?;
        Ok(calendar_op(|c| c.is_working_day(d)))
    });
    e.register_fn("age_on", |birth: Dynamic, on: Dynamic| -> Result<i64> {
        Ok(to_date(&birth)?.years_until(to_date(&on)?))
    });
    e.register_fn("months_between", |a: Dynamic, b: Dynamic| -> Result<i64> {
        Ok(to_date(&a)?.months_until(to_date(&b)?))
    });
    e.register_fn("calendar_months_between", |a: Dynamic, b: Dynamic| -> Result<i64> {
        Ok(to_month(&a)?.calendar_months_until(to_month(&b)?))
    });
}

/// A date from a `Date`, `YYYY-MM-DD` text, or `YYYY-MM` month text (its first day).
fn to_month(v: &Dynamic) -> Result<Date> {
    if let Some(s) = v.read_lock::<ImmutableString>() {
        if s.len() == 7 {
            let s = s.as_str();
            return Date::parse_layout(&format!("{s}-01"), "YYYY-MM-DD")
                .or_else(|_| error(format!("expected a month YYYY-MM, found `{s}`")));
        }
    }
    to_date(v)
}

/// `round_to(x, places)` and `round_yuan(x)` (to the fen), half away from zero on the
/// decimal value (see `base::rounding`), for integers and floats alike (one registration
/// each, taking either: every overload is code in the WebAssembly module).
fn register_rounding(e: &mut Engine) {
    fn round(x: &Dynamic, places: i64) -> Result<f64> {
        #[allow(clippy::cast_precision_loss)] // an integer beyond 2^53 has no fraction to round
        let number = match x.as_int() {
            Ok(n) => n as f64,
            Err(_) => x.as_float().or_else(|found| error(format!("cannot round {found}: not a number")))?,
        };
        rounding::round_to(number, places).or_else(error)
    }
    e.register_fn("round_to", |x: Dynamic, places: i64| round(&x, places));
    e.register_fn("round_yuan", |x: Dynamic| round(&x, 2));
}

fn register_identifiers(e: &mut Engine) {
    e.register_fn("is_id_number", |s: ImmutableString| formats::check_id_number(&s).is_ok());
    e.register_fn("id_birth_date", |s: ImmutableString| {
        optional(formats::check_id_number(&s).ok().map(|id| id.birth_date))
    });
    e.register_fn("id_gender", |s: ImmutableString| {
        optional(formats::check_id_number(&s).ok().map(|id| match id.gender {
            Gender::Male => ImmutableString::from("男"),
            Gender::Female => ImmutableString::from("女"),
        }))
    });
    e.register_fn("id_age", |s: ImmutableString, on: Dynamic| -> Result<Dynamic> {
        let on = to_date(&on)?;
        Ok(optional(formats::check_id_number(&s).ok().map(|id| id.birth_date.years_until(on))))
    });
    e.register_fn("is_credit_code", |s: ImmutableString| formats::check_credit_code(&s).is_ok());
    e.register_fn("is_mobile", |s: ImmutableString| formats::check_mobile(&s).is_ok());
    // The checks accept any value: a number or `()` is simply not an identifier.
    for name in ["is_id_number", "is_credit_code", "is_mobile"] {
        e.register_fn(name, |_: ()| false);
        e.register_fn(name, |_: i64| false);
    }
}

fn register_submission(e: &mut Engine) {
    e.register_fn("has_material", |id: ImmutableString| {
        matches!(material_status(&id).as_deref(), Some("provided" | "shared"))
    });
    e.register_fn("material_status", |id: ImmutableString| {
        material_status(&id).unwrap_or_else(|| ImmutableString::from("missing"))
    });
    e.register_fn("missing", |keys: Array| -> Array {
        charge(keys.len());
        with_context(|c| {
            keys.iter()
                .filter(|k| {
                    let key = (*k).clone().into_immutable_string().unwrap_or_default();
                    c.form.get(key.as_str()).is_none_or(|v| {
                        v.is_unit() || v.read_lock::<ImmutableString>().is_some_and(|s| s.is_empty())
                    })
                })
                .cloned()
                .collect()
        })
    });
}

/// The operations charged for walking `days` calendar days (a calendar walks at most
/// `MAX_SPAN_DAYS`).
fn days_walked(days: i64) -> usize {
    usize::try_from(days.unsigned_abs())
        .unwrap_or(usize::MAX)
        .min(crate::base::calendar::MAX_SPAN_DAYS as usize)
}

/// The status of material `id` in the running session, when the submission gives one.
fn material_status(id: &str) -> Option<ImmutableString> {
    with_context(|c| c.materials.get(id)?.read_lock::<ImmutableString>().map(|s| s.clone()))
}

#[cfg(test)]
mod tests {
    use crate::Calendar;
    use crate::rules::{Limits, Sandbox, ScriptError, Session, Vars, compile};
    use serde_json::json;

    /// Runs `src` on a small submission dated 2026-09-18.
    fn run(src: &str) -> Result<rhai::Dynamic, ScriptError> {
        let limits = Limits::default();
        let ast = compile(src, &limits).unwrap_or_else(|e| panic!("{e}"));
        let values = json!({"a": "x", "empty": "", "nothing": null});
        let materials = json!({"lease": "provided", "photo": "shared", "proof": "missing"});
        let vars = Vars::new(values.as_object().unwrap(), "2026-09-18".parse().unwrap(), Calendar::prc())
            .materials(materials.as_object().unwrap().clone());
        Session::new(&Sandbox::new(limits), vars).run(&ast).value
    }

    fn eval(src: &str) -> rhai::Dynamic {
        run(src).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn yes(src: &str) {
        assert_eq!(eval(src).as_bool(), Ok(true), "{src}");
    }

    #[test]
    fn money_rounds_half_away_from_zero_on_the_decimal_value() {
        // 1,000,000.50 yuan × 100 % × 1 %: the float is 10000.004999…, so the naive rounding
        // loses the half fen the income tax owes.
        yes("(1000000.5 * 100.0 / 10000.0 * 100.0).round() / 100.0 == 10000.0");
        yes("round_yuan(1000000.5 * 100.0 / 10000.0) == 10000.01");
        yes("round_yuan(2.675) == 2.68 && round_yuan(-2.675) == -2.68 && round_yuan(6200) == 6200.0");
        yes("round_to(17.254999, 2) == 17.25 && round_to(17.254999, 4) == 17.255 && round_to(7, 0) == 7.0");
        for bad in
            ["round_to(1.5, -1)", "round_to(1.5, 13)", "round_yuan(1.0 / 0.0)", r#"round_yuan("12.5")"#]
        {
            let err = run(bad).unwrap_err();
            assert!(err.to_string().contains("cannot round"), "{bad}: {err}");
        }
    }

    #[test]
    fn dates() {
        yes(r#"date("2024-05-01") == date("20240501", "YYYYMMDD")"#);
        yes(
            r#"date("2024-05-01").year == 2024 && today.month == 9 && today.day == 18 && today.weekday == 5"#,
        );
        yes(r#"days_between("2024-02-28", date("2024-03-01")) == 2"#);
        yes(r#"add_days(today, 14) == date("2026-10-02") && add_days(today, 14) > today"#);
        yes(r#"add_working_days(today, 10) == date("2026-10-09")"#);
        yes(r#"working_days_between(today, "2026-10-09") == 10"#);
        yes(r#"!is_working_day("2026-10-01") && is_working_day("2026-10-10")"#);
        yes(r#"age_on("1949-12-31", "2024-12-30") == 74"#);
        yes(
            r#"add_years("2024-02-29", 5) == date("2029-02-28") && add_years(date("2024-02-29"), 4).day == 29"#,
        );
        yes(
            r#"add_months("2026-01-31", 1) == date("2026-02-28") && add_months(today, -9) == date("2025-12-18")"#,
        );
        yes(r#"today.to_string() == "2026-09-18""#);
        yes(
            r#"months_between("2026-01-31", "2026-02-28") == 1 && months_between("2026-01-31", "2026-02-27") == 0"#,
        );
        yes(
            r#"months_between("2026-03-15", "2026-09-14") == 5 && months_between(today, "2026-03-18") == -6"#,
        );
        yes(
            r#"calendar_months_between("2026-04-30", "2026-06") == 2 && calendar_months_between("2026-06", "2026-04-01") == -2"#,
        );
    }

    #[test]
    fn months_of_bad_text_are_errors() {
        let limits = Limits::default();
        let vars = || Vars::new(&serde_json::Map::new(), "2026-01-01".parse().unwrap(), Calendar::prc());
        for (src, says) in [
            (r#"calendar_months_between("2026-13", "2026-01")"#, "expected a month YYYY-MM, found `2026-13`"),
            (r#"calendar_months_between("2026-1-1", "2026-01")"#, "not"),
            (r#"months_between("2026-04", "2026-05-01")"#, "2026-04"),
            (r#"months_between(3, today)"#, "expected a date"),
        ] {
            let ast = compile(src, &limits).unwrap();
            let e = Session::new(&Sandbox::new(limits), vars()).run(&ast).value.unwrap_err();
            assert!(e.message.contains(says), "{src}: {e}");
        }
    }

    #[test]
    fn bad_dates_are_errors() {
        let e = run(r#"date("2023-02-29")"#).unwrap_err();
        assert!(e.message.contains("not a calendar date"), "{e}");
    }

    #[test]
    fn identifiers_on_the_worked_examples() {
        yes(
            r#"is_id_number("11010519491231002X") && !is_id_number("110105194912310021") && !is_id_number("11010519491231002x")"#,
        );
        yes(
            r#"!is_id_number("11010519490230002X") && !is_id_number("1101051949") && !is_id_number(()) && !is_id_number(42)"#,
        );
        yes(
            r#"id_birth_date("11010519491231002X") == date("1949-12-31") && id_gender("11010519491231002X") == "女""#,
        );
        yes(r#"id_age("11010519491231002X", today) == 76 && id_age("110105194912310021", today) == ()"#);
        yes(r#"is_credit_code("91350100M000100Y43") && !is_credit_code("91350100M000100Y42")"#);
        yes(r#"is_mobile("13800138000") && !is_mobile("12800138000")"#);
    }

    #[test]
    fn materials_and_missing_fields() {
        yes(
            r#"has_material("lease") && has_material("photo") && !has_material("proof") && !has_material("other")"#,
        );
        yes(
            r#"material_status("proof") == "missing" && material_status("other") == "missing" && material_status("photo") == "shared""#,
        );
        yes(r#"missing(["a", "empty", "nothing", "absent"]) == ["empty", "nothing", "absent"]"#);
    }
}
