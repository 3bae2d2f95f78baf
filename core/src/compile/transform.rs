//! Value transforms of the field map, both ways.
//!
//! Departments code the same datum differently: `男/女` against `1/2`, `2024-05-01` against
//! `20240501`. A [`ValueTransform`] turns a canonical value into the department's
//! ([`ValueTransform::forward`], used by dispatch) and back ([`ValueTransform::backward`],
//! used when reading department data such as prefill sources). Both directions are checked
//! to be inverses where that can be checked: a value map's pairs are checked to be a
//! bijection when the bundle compiles, and a date layout is one by construction; a script
//! transform's two directions are its author's promise, not checked.

use serde_json::Value;

use std::sync::Arc;

use crate::base::calendar::Calendar;
use crate::base::date::{self, Date};
use crate::model::bundle::{Transform, ValuePair};
use crate::rules::{self, Sandbox, ScriptError, Session, Vars};
use crate::schema::json_equal;

/// A compiled, checked transform.
#[derive(Debug, Clone)]
pub enum ValueTransform {
    /// A table of codes.
    Map(Vec<ValuePair>),
    /// A date layout; canonical dates are `YYYY-MM-DD`.
    Date(String),
    /// Rhai scripts, compiled once.
    Script(Arc<Scripts>),
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
    /// A date layout without exactly one `YYYY`, `MM` and `DD`.
    #[error(
        "`{0}` is not a date layout (it needs YYYY, MM and DD once each, and no other letters Y, M, D or digits)"
    )]
    Layout(String),
}

/// The layout of canonical dates.
pub const CANONICAL_DATE: &str = "YYYY-MM-DD";

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
            Transform::Date { layout } => {
                if !date::is_valid_layout(layout) {
                    return Err(DefinitionError::Layout(layout.clone()));
                }
                Ok(ValueTransform::Date(layout.clone()))
            }
            Transform::Script { forward, backward } => {
                let compile = |direction, src: &str| {
                    sandbox.compile(src).map_err(|error| DefinitionError::Script { direction, error })
                };
                Ok(ValueTransform::Script(Arc::new(Scripts {
                    forward: compile("forward", forward)?,
                    backward: compile("backward", backward)?,
                    sources: (forward.clone(), backward.clone()),
                    sandbox: sandbox.clone(),
                })))
            }
        }
    }

    /// Canonical value → department value.
    pub fn forward(&self, v: &Value) -> Result<Value, TransformError> {
        match self {
            ValueTransform::Map(pairs) => lookup(pairs, v, |p| (&p.canonical, &p.department)),
            ValueTransform::Date(layout) => relayout(v, CANONICAL_DATE, layout),
            ValueTransform::Script(s) => s.run(&s.forward, v),
        }
    }

    /// Department value → canonical value.
    pub fn backward(&self, v: &Value) -> Result<Value, TransformError> {
        match self {
            ValueTransform::Map(pairs) => lookup(pairs, v, |p| (&p.department, &p.canonical)),
            ValueTransform::Date(layout) => relayout(v, layout, CANONICAL_DATE),
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

fn relayout(v: &Value, from: &str, to: &str) -> Result<Value, TransformError> {
    let err = || TransformError::NotADate { value: v.to_string(), layout: from.to_owned() };
    let text = v.as_str().ok_or_else(err)?;
    let d = Date::parse_layout(text, from).map_err(|_| err())?;
    Ok(Value::String(d.format_layout(to)))
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
            ValueTransform::new(&Transform::Date { layout: layout.into() }, &Sandbox::default())
        };
        let t = date("YYYY年MM月DD日").unwrap();
        assert_eq!(t.forward(&json!("2024-05-01")).unwrap(), json!("2024年05月01日"));
        assert!(t.forward(&json!("2024-02-30")).is_err());
        assert!(t.forward(&json!(20240501)).is_err());
        assert!(date("YYMMDD").is_err());
    }

    #[test]
    fn scripts_transform_both_ways_and_fail_clearly() {
        let def = Transform::Script { forward: "value * 100".into(), backward: "value / 100".into() };
        let t = ValueTransform::new(&def, &Sandbox::default()).unwrap();
        assert_eq!(t.forward(&json!(12)).unwrap(), json!(1200));
        assert_eq!(t.backward(&json!(1200)).unwrap(), json!(12));
        let e = t.forward(&json!("x")).unwrap_err();
        assert!(e.to_string().starts_with("the transform script failed on \"x\""), "{e}");
        let bad = Transform::Script { forward: "value +".into(), backward: "value".into() };
        assert!(matches!(
            ValueTransform::new(&bad, &Sandbox::default()),
            Err(DefinitionError::Script { direction: "forward", .. })
        ));
    }
}
