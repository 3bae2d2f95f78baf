//! Rules written in Rhai, compiled once and run in a sandbox.
//!
//! Bundle authors write conditions and checks as small [Rhai](https://rhai.rs) scripts:
//! when an item applies (`applies_if`), who is eligible (`eligibility`), which fields must
//! agree (`checks`: a failure asks for a correction of the fields they name, not a
//! rejection), what an accepted item obliges the applicant to do (`obligations`), when a material is required (`required_if`), whether tolerance may be
//! granted (the acceptance policy),
//! computed fields (`derive`), when the wizard shows a field (`visible_if`) and custom value
//! transforms.
//!
//! # What a script sees
//!
//! | name | what |
//! |---|---|
//! | `form` | the submission's canonical values, e.g. `form["business.area_sqm"]` (`()` when absent) |
//! | `materials` | each material's status by reuse key: `"provided"`, `"missing"`, `"committed"`, `"shared"` |
//! | `applicant` | facts about the applicant: `applicant.dishonest`, plus the host's `attributes` |
//! | `commitments` | the commitments the applicant signed (array of ids) |
//! | `today` | the evaluation date (a `Date`; the clock is never read) |
//! | `value` | in a transform script: the value to transform |
//!
//! and these functions:
//!
//! | function | returns |
//! |---|---|
//! | `date("2026-05-01")`, `date("20260501", "YYYYMMDD")` | a `Date` (error if not a calendar date; a layout's time part `HH`, `mm`, `ss` is read, checked and left out) |
//! | `d.year`, `d.month`, `d.day`, `d.weekday`, `d.to_string()`; `==`, `<`, `>=`… | parts and comparisons of dates |
//! | `days_between(a, b)` | calendar days from `a` to `b` (dates or `YYYY-MM-DD` text) |
//! | `working_days_between(a, b)` | working days after `a` up to `b`, holidays and 调休 honoured (outside the calendar's years, 2000–2099: the statutory holidays, computed; the year's 调休 is unknown) |
//! | `add_days(d, n)`, `add_working_days(d, n)` | a `Date` |
//! | `add_months(d, n)`, `add_years(d, n)` | the same day `n` months or years later, or that month's last day when it is shorter (Civil Code arts. 201–202: `add_years(date("2024-02-29"), 1)` is 2025-02-28) |
//! | `is_working_day(d)` | `true` / `false` |
//! | `age_on(birth, on)` | whole years |
//! | `months_between(a, b)` | whole months from `a` to `b`, a month ending on the corresponding day or, without one, the month's last day (Civil Code art. 202: from 2026-01-31, one month on 2026-02-28) |
//! | `calendar_months_between(a, b)` | months from `a`'s month to `b`'s, days left out; `a` and `b` may also be `YYYY-MM` month text (`calendar_months_between("2026-04-10", "2026-06")` is 2) |
//! | `round_yuan(x)`, `round_to(x, places)` | `x` rounded to the fen, or to 0–12 decimal places, half away from zero (四舍五入) on its decimal value: `round_yuan(33.5 * 0.15)` is 5.03, where `(x * 100.0).round() / 100.0` gives 5.02 (the float is 5.0249999…) |
//! | `is_id_number(s)`, `id_birth_date(s)`, `id_gender(s)`, `id_age(s, on)` | resident ID number checks and facts (`()` when invalid); gender is `"男"` or `"女"` |
//! | `is_credit_code(s)`, `is_mobile(s)` | `true` / `false` |
//! | `has_material(id)` | the material is provided or shared |
//! | `material_status(id)` | its status, `"missing"` when not mentioned |
//! | `missing(["a", "b"])` | the canonical keys of the list that have no value |
//!
//! Values of different types do not compare: `form["wage"] >= "1950"`, when the wage is a
//! number, is an error that sends the item to manual review (Rhai alone would answer
//! `false` for every wage). Ordering values of different kinds fails, and so does equality
//! of a number with text or of a date with anything but a date; `()` (absent) and
//! `true`/`false` still test equal or not with anything (`form["x"] == ()`,
//! `barred == false`). Compiling a bundle warns where a rule compares a field with a literal
//! of the other type; convert values (`parse_int`, `parse_float`, `to_string`, `date`)
//! before comparing them. See `strict.rs`.
//!
//! A check returns `true` (passes), `false` (fails with the rule's own message), or a map
//! `#{ ok: false, reason: "…" }` whose `reason` is text or `#{ zh: "…", en: "…" }`.
//!
//! ```
//! use onething::rules::{Sandbox, Session, Vars};
//! use onething::{Calendar, Date};
//!
//! let sandbox = Sandbox::default();
//! let ast = sandbox.compile(r#"
//!     let id = form["applicant.id_number"];
//!     id != () && id_age(id, today) >= 18
//! "#).unwrap();
//! let values = serde_json::json!({"applicant.id_number": "11010519491231002X"});
//! let vars = Vars::new(values.as_object().unwrap(), "2026-11-28".parse::<Date>().unwrap(), Calendar::prc());
//! let mut session = Session::new(&sandbox, vars);
//! assert_eq!(session.run(&ast).value.unwrap().as_bool(), Ok(true));
//! ```
//!
//! # The sandbox
//!
//! One engine per set of [`Limits`] (a [`Sandbox`]), held by the compiled bundle, with Rhai's
//! standard library except its blob (binary data) and bit-field (`get_bit`…; the bitwise
//! operators remain) functions: no `eval`,
//! no modules, no clock, no file or network access; limits on operations, call depth,
//! expression depth and string, array and map sizes turn a runaway script into an error.
//! `print` and `debug` go to the run's output (and from there into the decision's trace),
//! never to stdout.
//!
//! No rule changes what the rules after it see: `form`, `materials` and `applicant` are
//! read-only maps ([`Record`]) and `commitments` and `today` constants, so every write to
//! them is an error (a value read from them is a copy the script may change). Anonymous
//! functions (`|x| x + 1`) cannot capture the variables around them: pass what they need as
//! arguments.

mod api;
mod context;
mod costs;
mod meter;
mod reads;
mod record;
mod sandbox;
mod strict;

pub use context::MAX_OUTPUT_BYTES;
pub use reads::{Reads, reads};
pub use record::Record;
pub(crate) use sandbox::text_of;
pub use sandbox::{
    Limits, MAX_SCRIPT_BYTES, Run, Sandbox, ScriptError, Session, Vars, compile, to_dynamic, to_json,
    to_rhai_map,
};
