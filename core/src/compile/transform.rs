//! Value transforms of the field map, both ways.
//!
//! Departments code the same datum differently: `男/女` against `1/2`, `2024-05-01` against
//! `20240501`. A [`ValueTransform`] turns a canonical value into the department's
//! ([`ValueTransform::forward`], used by dispatch) and back ([`ValueTransform::backward`],
//! used when reading department data such as prefill sources). Both directions are checked
//! to be inverses where that can be checked: a value map's pairs are checked to be a
//! bijection when the bundle compiles, and a date layout is one by construction (a month
//! layout maps canonical months, a date-time layout a date and its declared fixed time); a
//! script transform's two directions are its author's promise (`reversible`), checked only
//! on the `examples` it gives.

use serde_json::Value;

use std::sync::Arc;

use crate::base::calendar::Calendar;
use crate::base::date::{Date, Fields, LayoutKind};
use crate::model::bundle::{Transform, ValuePair};
use crate::rules::{self, Sandbox, ScriptError, Session, Vars};
use crate::schema::json_equal;

/// A compiled, checked transform.
#[derive(Debug, Clone)]
pub enum ValueTransform {
    /// A table of codes.
    Map(Vec<ValuePair>),
    /// A date layout; canonical dates are `YYYY-MM-DD`, canonical months `YYYY-MM`.
    Date(DateLayout),
    /// Rhai scripts, compiled once.
    Script(Arc<Scripts>),
}

/// A checked date layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateLayout {
    /// The department's layout.
    pub layout: String,
    /// What it writes.
    pub kind: LayoutKind,
    /// The fixed time of a date-time layout: hour, minute, second.
    pub time: Option<(u32, u32, u32)>,
}

impl DateLayout {
    /// The layout of the canonical value: `YYYY-MM` for a month, `YYYY-MM-DD` otherwise.
    pub fn canonical(&self) -> &'static str {
        if self.kind == LayoutKind::Month { CANONICAL_MONTH } else { CANONICAL_DATE }
    }

    /// A canonical value to try the department's schema on.
    pub fn sample(&self) -> Value {
        Value::String(if self.kind == LayoutKind::Month { "2000-01" } else { "2000-01-31" }.into())
    }

    fn forward(&self, v: &Value) -> Result<Value, TransformError> {
        let err = || TransformError::NotADate { value: v.to_string(), layout: self.canonical().to_owned() };
        let text = v.as_str().ok_or_else(err)?;
        let mut f = match self.kind {
            LayoutKind::Month => Fields::parse(text, CANONICAL_MONTH).map_err(|_| err())?,
            LayoutKind::Date | LayoutKind::DateTime => {
                Fields::of(Date::parse_layout(text, CANONICAL_DATE).map_err(|_| err())?)
            }
        };
        if let Some((h, m, s)) = self.time {
            (f.hour, f.minute, f.second) = (Some(h), Some(m), Some(s));
        }
        Ok(Value::String(f.format(&self.layout)))
    }

    fn backward(&self, v: &Value) -> Result<Value, TransformError> {
        let err = || TransformError::NotADate { value: v.to_string(), layout: self.to_string() };
        let text = v.as_str().ok_or_else(err)?;
        let f = Fields::parse(text, &self.layout).map_err(|_| err())?;
        if let Some((h, m, s)) = self.time {
            if (f.hour, f.minute, f.second) != (Some(h), Some(m), Some(s)) {
                return Err(err());
            }
        }
        match self.kind {
            LayoutKind::Month => Ok(Value::String(f.format(CANONICAL_MONTH))),
            LayoutKind::Date | LayoutKind::DateTime => {
                Ok(Value::String(Date::parse_layout(text, &self.layout).map_err(|_| err())?.to_string()))
            }
        }
    }
}

impl std::fmt::Display for DateLayout {
    /// `YYYYMMDDHHmmss (time 00:00:00)`, or the layout alone.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.time {
            Some((h, m, s)) => write!(f, "{} (time {h:02}:{m:02}:{s:02})", self.layout),
            None => f.write_str(&self.layout),
        }
    }
}

/// The two compiled scripts of a script transform.
#[derive(Debug)]
pub struct Scripts {
    forward: rhai::AST,
    backward: rhai::AST,
    sources: (String, String),
    sandbox: Sandbox,
}

impl PartialEq for ValueTransform {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ValueTransform::Map(a), ValueTransform::Map(b)) => a == b,
            (ValueTransform::Date(a), ValueTransform::Date(b)) => a == b,
            (ValueTransform::Script(a), ValueTransform::Script(b)) => a.sources == b.sources,
            _ => false,
        }
    }
}

/// Why a value cannot be transformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransformError {
    /// The value is not in the table.
    #[error("{value} is not one of the values the field map knows: {known}")]
    NotInMap {
        /// The value.
        value: String,
        /// The values that are known, for the message.
        known: String,
    },
    /// A transform script failed.
    #[error("the transform script failed on {value}: {message}")]
    Script {
        /// The value.
        value: String,
        /// What went wrong.
        message: String,
    },
    /// The value is not a date in the expected layout.
    #[error("{value} is not a date written {layout}")]
    NotADate {
        /// The value.
        value: String,
        /// The layout expected.
        layout: String,
    },
}

/// Why a transform definition is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// An empty value map.
    #[error("the value map is empty")]
    Empty,
    /// Two rows share a canonical or a department value: the map would not be reversible.
    #[error("the value map is not one-to-one: {0} appears twice")]
    NotBijective(String),
    /// A transform script that does not compile.
    #[error("the {direction} script does not compile: {error}")]
    Script {
        /// `forward` or `backward`.
        direction: &'static str,
        /// Where and why.
        error: ScriptError,
    },
    /// A layout that is none of the three kinds.
    #[error(
        "`{0}` is not a date layout: it needs YYYY, MM and DD once each (a date), with HH, mm and ss once each (a date and a fixed time), or YYYY and MM only (a month), and no digits or other letters Y, M, D, H, m, s"
    )]
    Layout(String),
    /// A date-time layout without its fixed time.
    #[error(
        "the layout `{0}` has a time part (HH, mm, ss): declare the time the department always writes, e.g. \"time\": \"00:00:00\" (the canonical value is a date)"
    )]
    TimeMissing(String),
    /// A `time` for a layout without a time part.
    #[error("the layout `{0}` has no time part (HH, mm, ss): leave `time` out")]
    TimeNotExpected(String),
    /// A `time` that is not `HH:mm:ss`.
    #[error("`{0}` is not a time of day written HH:mm:ss")]
    Time(String),
    /// A script transform that does not give back one of its examples.
    #[error("the scripts do not undo each other on the example {example}: {message}")]
    RoundTrip {
        /// The example.
        example: String,
        /// What happened to it.
        message: String,
    },
}

/// The layout of canonical dates.
pub const CANONICAL_DATE: &str = "YYYY-MM-DD";

/// The layout of canonical months.
pub const CANONICAL_MONTH: &str = "YYYY-MM";

impl ValueTransform {
    /// Checks and compiles a transform definition (scripts with `limits`).
    pub fn new(t: &Transform, sandbox: &Sandbox) -> Result<ValueTransform, DefinitionError> {
        match t {
            Transform::ValueMap(pairs) => {
                if pairs.is_empty() {
                    return Err(DefinitionError::Empty);
                }
                for (i, p) in pairs.iter().enumerate() {
                    for q in pairs.iter().take(i) {
                        if json_equal(&p.canonical, &q.canonical) {
                            return Err(DefinitionError::NotBijective(p.canonical.to_string()));
                        }
                        if json_equal(&p.department, &q.department) {
                            return Err(DefinitionError::NotBijective(p.department.to_string()));
                        }
                    }
                }
                Ok(ValueTransform::Map(pairs.clone()))
            }
            Transform::Date { layout, time } => {
                let kind = crate::base::date::layout_kind(layout)
                    .ok_or_else(|| DefinitionError::Layout(layout.clone()))?;
                let time = match (kind, time) {
                    (LayoutKind::DateTime, None) => return Err(DefinitionError::TimeMissing(layout.clone())),
                    (LayoutKind::DateTime, Some(t)) => {
                        let f = Fields::parse(t, "HH:mm:ss").map_err(|_| DefinitionError::Time(t.clone()))?;
                        match (f.hour, f.minute, f.second) {
                            (Some(h), Some(m), Some(s)) => Some((h, m, s)),
                            _ => return Err(DefinitionError::Time(t.clone())),
                        }
                    }
                    (_, Some(_)) => return Err(DefinitionError::TimeNotExpected(layout.clone())),
                    (_, None) => None,
                };
                Ok(ValueTransform::Date(DateLayout { layout: layout.clone(), kind, time }))
            }
            Transform::Script { forward, backward, examples, .. } => {
                let compile = |direction, src: &str| {
                    sandbox.compile(src).map_err(|error| DefinitionError::Script { direction, error })
                };
                let t = ValueTransform::Script(Arc::new(Scripts {
                    forward: compile("forward", forward)?,
                    backward: compile("backward", backward)?,
                    sources: (forward.clone(), backward.clone()),
                    sandbox: sandbox.clone(),
                }));
                for x in examples {
                    let fail =
                        |message: String| DefinitionError::RoundTrip { example: x.to_string(), message };
                    let there = t.forward(x).map_err(|e| fail(e.to_string()))?;
                    let back = t.backward(&there).map_err(|e| fail(e.to_string()))?;
                    if !json_equal(&back, x) {
                        return Err(fail(format!("forward gives {there}, backward turns that into {back}")));
                    }
                }
                Ok(t)
            }
        }
    }

    /// Canonical value → department value.
    pub fn forward(&self, v: &Value) -> Result<Value, TransformError> {
        match self {
            ValueTransform::Map(pairs) => lookup(pairs, v, |p| (&p.canonical, &p.department)),
            ValueTransform::Date(layout) => layout.forward(v),
            ValueTransform::Script(s) => s.run(&s.forward, v),
        }
    }

    /// Department value → canonical value.
    pub fn backward(&self, v: &Value) -> Result<Value, TransformError> {
        match self {
            ValueTransform::Map(pairs) => lookup(pairs, v, |p| (&p.department, &p.canonical)),
            ValueTransform::Date(layout) => layout.backward(v),
            ValueTransform::Script(s) => s.run(&s.backward, v),
        }
    }
}

impl Scripts {
    /// Runs one direction on `value`, in a session of its own. A transform must not depend on
    /// the submission or the date: its session has an empty `form`, no materials, the
    /// earliest date as `today` and the PRC calendar, so a script that reads them gets the
    /// same answer every time (and `value` is what it is meant to read).
    fn run(&self, ast: &rhai::AST, v: &Value) -> Result<Value, TransformError> {
        let vars = Vars::new(&serde_json::Map::new(), Date::MIN, Calendar::prc());
        let run = Session::new(&self.sandbox, vars).run_with(ast, Some(rules::to_dynamic(v)));
        let fail = |message: String| TransformError::Script { value: v.to_string(), message };
        let out = run.value.map_err(|e| fail(e.to_string()))?;
        rules::to_json(&out).ok_or_else(|| fail("the script returned a value that is not JSON".into()))
    }
}

fn lookup(
    pairs: &[ValuePair],
    v: &Value,
    dir: impl Fn(&ValuePair) -> (&Value, &Value),
) -> Result<Value, TransformError> {
    pairs.iter().map(&dir).find(|(from, _)| json_equal(from, v)).map(|(_, to)| to.clone()).ok_or_else(|| {
        TransformError::NotInMap {
            value: v.to_string(),
            known: pairs.iter().map(|p| dir(p).0.to_string()).collect::<Vec<_>>().join(", "),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gender() -> ValueTransform {
        let pairs = vec![
            ValuePair { canonical: json!("男"), department: json!("1") },
            ValuePair { canonical: json!("女"), department: json!("2") },
        ];
        ValueTransform::new(&Transform::ValueMap(pairs), &Sandbox::default()).unwrap()
    }

    #[test]
    fn value_maps_go_both_ways() {
        let t = gender();
        assert_eq!(t.forward(&json!("女")).unwrap(), json!("2"));
        assert_eq!(t.backward(&json!("1")).unwrap(), json!("男"));
        let e = t.forward(&json!("其他")).unwrap_err();
        assert_eq!(e.to_string(), r#""其他" is not one of the values the field map knows: "男", "女""#);
    }

    #[test]
    fn value_maps_must_be_one_to_one() {
        let pairs = vec![
            ValuePair { canonical: json!(true), department: json!("1") },
            ValuePair { canonical: json!(false), department: json!(1.0) },
            ValuePair { canonical: json!(null), department: json!(1) },
        ];
        assert_eq!(
            ValueTransform::new(&Transform::ValueMap(pairs), &Sandbox::default()),
            Err(DefinitionError::NotBijective("1".into()))
        );
        assert_eq!(
            ValueTransform::new(&Transform::ValueMap(vec![]), &Sandbox::default()),
            Err(DefinitionError::Empty)
        );
    }

    #[test]
    fn dates_change_layout_and_reject_non_dates() {
        let date = |layout: &str| {
            ValueTransform::new(&Transform::Date { layout: layout.into(), time: None }, &Sandbox::default())
        };
        let t = date("YYYY年MM月DD日").unwrap();
        assert_eq!(t.forward(&json!("2024-05-01")).unwrap(), json!("2024年05月01日"));
        assert!(t.forward(&json!("2024-02-30")).is_err());
        assert!(t.forward(&json!(20240501)).is_err());
        assert!(date("YYMMDD").is_err());
    }

    #[test]
    fn scripts_transform_both_ways_and_fail_clearly() {
        let def = Transform::Script {
            forward: "value * 100".into(),
            backward: "value / 100".into(),
            reversible: true,
            examples: vec![json!(12), json!(0)],
        };
        let t = ValueTransform::new(&def, &Sandbox::default()).unwrap();
        assert_eq!(t.forward(&json!(12)).unwrap(), json!(1200));
        assert_eq!(t.backward(&json!(1200)).unwrap(), json!(12));
        let e = t.forward(&json!("x")).unwrap_err();
        assert!(e.to_string().starts_with("the transform script failed on \"x\""), "{e}");
        let bad = Transform::Script {
            forward: "value +".into(),
            backward: "value".into(),
            reversible: false,
            examples: vec![],
        };
        assert!(matches!(
            ValueTransform::new(&bad, &Sandbox::default()),
            Err(DefinitionError::Script { direction: "forward", .. })
        ));
        // Integer division loses the cents: the example says so at compile time.
        let lossy = Transform::Script {
            forward: "value / 100".into(),
            backward: "value * 100".into(),
            reversible: true,
            examples: vec![json!(1200), json!(1250)],
        };
        let e = ValueTransform::new(&lossy, &Sandbox::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the scripts do not undo each other on the example 1250: forward gives 12, backward turns that into 1200"
        );
        let failing = Transform::Script {
            forward: "value.len()".into(),
            backward: "value".into(),
            reversible: true,
            examples: vec![json!(5)],
        };
        assert!(matches!(
            ValueTransform::new(&failing, &Sandbox::default()),
            Err(DefinitionError::RoundTrip { .. })
        ));
    }

    fn layout(layout: &str, time: Option<&str>) -> Result<ValueTransform, DefinitionError> {
        let def = Transform::Date { layout: layout.into(), time: time.map(str::to_owned) };
        ValueTransform::new(&def, &Sandbox::default())
    }

    #[test]
    fn months_go_both_ways_without_a_day() {
        let t = layout("YYYYMM", None).unwrap();
        assert_eq!(t.forward(&json!("2026-05")).unwrap(), json!("202605"));
        assert_eq!(t.backward(&json!("202605")).unwrap(), json!("2026-05"));
        for bad in [json!("2026-05-01"), json!("2026-13"), json!("202605"), json!(202605), json!(null)] {
            assert!(t.forward(&bad).is_err(), "{bad}");
        }
        for bad in [json!("20260501"), json!("202613"), json!("2026-05"), json!("")] {
            assert!(t.backward(&bad).is_err(), "{bad}");
        }
        let dash = layout("YYYY-MM", None).unwrap();
        assert_eq!(dash.forward(&json!("2026-05")).unwrap(), json!("2026-05"));
        assert_eq!(
            layout("YYYYMM", Some("00:00:00")),
            Err(DefinitionError::TimeNotExpected("YYYYMM".into()))
        );
    }

    #[test]
    fn date_times_carry_their_declared_time_both_ways() {
        let t = layout("YYYY-MM-DD HH:mm:ss", Some("00:00:00")).unwrap();
        assert_eq!(t.forward(&json!("2026-05-01")).unwrap(), json!("2026-05-01 00:00:00"));
        assert_eq!(t.backward(&json!("2026-05-01 00:00:00")).unwrap(), json!("2026-05-01"));
        // Another time is not this field's value: reading it as a date would lose the time.
        let e = t.backward(&json!("2026-05-01 08:30:00")).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#""2026-05-01 08:30:00" is not a date written YYYY-MM-DD HH:mm:ss (time 00:00:00)"#
        );
        assert!(t.backward(&json!("2026-02-30 00:00:00")).is_err());
        let compact = layout("YYYYMMDDHHmmss", Some("08:30:00")).unwrap();
        assert_eq!(compact.forward(&json!("2026-05-01")).unwrap(), json!("20260501083000"));
        assert_eq!(compact.backward(&json!("20260501083000")).unwrap(), json!("2026-05-01"));
        assert_eq!(
            layout("YYYYMMDDHHmmss", None),
            Err(DefinitionError::TimeMissing("YYYYMMDDHHmmss".into()))
        );
        for bad in ["24:00:00", "8:30:00", "08:30", "", "08:30:00 "] {
            assert_eq!(layout("YYYYMMDDHHmmss", Some(bad)), Err(DefinitionError::Time(bad.into())), "{bad}");
        }
        assert_eq!(layout("YYYYMMDDHH", None), Err(DefinitionError::Layout("YYYYMMDDHH".into())));
        assert_eq!(
            layout("YYYY-MM-DD", Some("00:00:00")),
            Err(DefinitionError::TimeNotExpected("YYYY-MM-DD".into()))
        );
    }
}
