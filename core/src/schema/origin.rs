//! Where a constraint came from.
//!
//! Every merged constraint and every conflict names its source: the document (a file name, or
//! an item's department schema), and the JSON Pointer of the keyword inside that document.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// The document a schema came from: a file given to `onething merge`, or the department
/// schema of a bundle item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[schemars(rename = "DocumentOrigin")] // apart from the wizard's `Origin` of a prefilled value
pub struct Origin {
    /// File name or label of the document.
    pub document: String,
    /// The bundle item whose department schema this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The department that publishes the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

impl Origin {
    /// The origin of a stand-alone document, such as a file given on the command line.
    pub fn document(name: impl Into<String>) -> Origin {
        Origin { document: name.into(), item: None, department: None }
    }

    /// The origin of a bundle item's department schema.
    pub fn item(document: impl Into<String>, item: &str, department: &str) -> Origin {
        Origin {
            document: document.into(),
            item: Some(item.to_owned()),
            department: Some(department.to_owned()),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.item, &self.department) {
            (Some(item), Some(dept)) => write!(f, "item `{item}` (department `{dept}`)"),
            (Some(item), None) => write!(f, "item `{item}`"),
            _ => write!(f, "{}", self.document),
        }
    }
}

/// One side of a constraint: who declared it, where, and with which value.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Side {
    /// The document that declared it.
    #[serde(flatten)]
    pub origin: Origin,
    /// JSON Pointer of the keyword (or of the subschema) in that document.
    pub pointer: String,
    /// The keyword's value, when it helps to understand a conflict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl Side {
    /// The side as JSON, as `serde` would write it (built directly: forms carry thousands).
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("document".into(), Value::String(self.origin.document.clone()));
        if let Some(item) = &self.origin.item {
            m.insert("item".into(), Value::String(item.clone()));
        }
        if let Some(dept) = &self.origin.department {
            m.insert("department".into(), Value::String(dept.clone()));
        }
        m.insert("pointer".into(), Value::String(self.pointer.clone()));
        if let Some(v) = &self.value {
            m.insert("value".into(), v.clone());
        }
        Value::Object(m)
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "(root)" } else { &self.pointer };
        write!(f, "{} at {pointer}", self.origin)?;
        if let Some(v) = &self.value {
            write!(f, " = {v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_json_writes_what_serde_writes() {
        let s = Side {
            origin: Origin::item("a.json", "i", "d"),
            pointer: "/x".into(),
            value: Some(serde_json::json!(3)),
        };
        assert_eq!(s.to_json(), serde_json::to_value(&s).unwrap());
        let s = Side { origin: Origin::document("b.json"), pointer: String::new(), value: None };
        assert_eq!(s.to_json(), serde_json::to_value(&s).unwrap());
    }
}
