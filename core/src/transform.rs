//! Value transforms of the field map, both ways.
//!
//! Departments code the same datum differently: `男/女` against `1/2`, `2024-05-01` against
//! `20240501`. A [`ValueTransform`] turns a canonical value into the department's
//! ([`ValueTransform::forward`], used by dispatch) and back ([`ValueTransform::backward`],
//! used when reading department data such as prefill sources). Both directions are checked
//! to be bijective when the bundle compiles.
//!
//! ```
//! use onething::bundle::Transform;
//! use onething::transform::ValueTransform;
//! use serde_json::json;
//!
//! let t = ValueTransform::new(&Transform::Date { layout: "YYYYMMDD".into() }).unwrap();
//! assert_eq!(t.forward(&json!("2024-05-01")).unwrap(), json!("20240501"));
//! assert_eq!(t.backward(&json!("20240501")).unwrap(), json!("2024-05-01"));
//! ```

use serde_json::Value;

use crate::bundle::{Transform, ValuePair};
use crate::date::{self, Date};
use crate::schema::{Kinds, json_equal};

/// A compiled, checked transform.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueTransform {
    /// A table of codes.
    Map(Vec<ValuePair>),
    /// A date layout; canonical dates are `YYYY-MM-DD`.
    Date(String),
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
    /// A date layout without exactly one `YYYY`, `MM` and `DD`.
    #[error(
        "`{0}` is not a date layout (it needs YYYY, MM and DD once each, and no other letters Y, M, D or digits)"
    )]
    Layout(String),
}

/// The layout of canonical dates.
pub const CANONICAL_DATE: &str = "YYYY-MM-DD";

impl ValueTransform {
    /// Checks and compiles a transform definition.
    pub fn new(t: &Transform) -> Result<ValueTransform, DefinitionError> {
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
        }
    }

    /// Canonical value → department value.
    pub fn forward(&self, v: &Value) -> Result<Value, TransformError> {
        match self {
            ValueTransform::Map(pairs) => lookup(pairs, v, |p| (&p.canonical, &p.department)),
            ValueTransform::Date(layout) => relayout(v, CANONICAL_DATE, layout),
        }
    }

    /// Department value → canonical value.
    pub fn backward(&self, v: &Value) -> Result<Value, TransformError> {
        match self {
            ValueTransform::Map(pairs) => lookup(pairs, v, |p| (&p.department, &p.canonical)),
            ValueTransform::Date(layout) => relayout(v, layout, CANONICAL_DATE),
        }
    }

    /// The canonical values a table knows (`None` for open domains such as dates).
    pub fn canonical_values(&self) -> Option<Vec<&Value>> {
        match self {
            ValueTransform::Map(pairs) => Some(pairs.iter().map(|p| &p.canonical).collect()),
            ValueTransform::Date(_) => None,
        }
    }

    /// The kinds of canonical values this transform accepts.
    pub fn canonical_kinds(&self) -> Kinds {
        match self {
            ValueTransform::Map(pairs) => pairs
                .iter()
                .fold(Kinds::NONE, |k, p| k.union(Kinds::of(&p.canonical))),
            ValueTransform::Date(_) => Kinds::STRING,
        }
    }
}

fn lookup(
    pairs: &[ValuePair],
    v: &Value,
    dir: impl Fn(&ValuePair) -> (&Value, &Value),
) -> Result<Value, TransformError> {
    pairs
        .iter()
        .map(&dir)
        .find(|(from, _)| json_equal(from, v))
        .map(|(_, to)| to.clone())
        .ok_or_else(|| TransformError::NotInMap {
            value: v.to_string(),
            known: pairs
                .iter()
                .map(|p| dir(p).0.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn relayout(v: &Value, from: &str, to: &str) -> Result<Value, TransformError> {
    let err = || TransformError::NotADate {
        value: v.to_string(),
        layout: from.to_owned(),
    };
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
            ValuePair {
                canonical: json!("男"),
                department: json!("1"),
            },
            ValuePair {
                canonical: json!("女"),
                department: json!("2"),
            },
        ];
        ValueTransform::new(&Transform::ValueMap(pairs)).unwrap()
    }

    #[test]
    fn value_maps_go_both_ways() {
        let t = gender();
        assert_eq!(t.forward(&json!("女")).unwrap(), json!("2"));
        assert_eq!(t.backward(&json!("1")).unwrap(), json!("男"));
        let e = t.forward(&json!("其他")).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#""其他" is not one of the values the field map knows: "男", "女""#
        );
    }

    #[test]
    fn value_maps_must_be_one_to_one() {
        let pairs = vec![
            ValuePair {
                canonical: json!(true),
                department: json!("1"),
            },
            ValuePair {
                canonical: json!(false),
                department: json!(1.0),
            },
            ValuePair {
                canonical: json!(null),
                department: json!(1),
            },
        ];
        assert_eq!(
            ValueTransform::new(&Transform::ValueMap(pairs)),
            Err(DefinitionError::NotBijective("1".into()))
        );
        assert_eq!(
            ValueTransform::new(&Transform::ValueMap(vec![])),
            Err(DefinitionError::Empty)
        );
    }

    #[test]
    fn dates_change_layout_and_reject_non_dates() {
        let t = ValueTransform::new(&Transform::Date {
            layout: "YYYY年MM月DD日".into(),
        })
        .unwrap();
        assert_eq!(
            t.forward(&json!("2024-05-01")).unwrap(),
            json!("2024年05月01日")
        );
        assert!(t.forward(&json!("2024-02-30")).is_err());
        assert!(t.forward(&json!(20240501)).is_err());
        assert!(
            ValueTransform::new(&Transform::Date {
                layout: "YYMMDD".into()
            })
            .is_err()
        );
    }
}
