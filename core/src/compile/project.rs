//! A department's view of a submission (the projection `project_i` of invariant 1).
//!
//! Canonical values are written back under the department's own property names and nesting,
//! in its own codes (forward transforms). Only properties the department declares appear:
//! this is what dispatch sends (data minimisation) and what residual constraints check.
//!
//! An intermediate object is created when one of its leaves has a value, or when it is
//! required and its parent exists (an object holding a constant of the field map counts as
//! required); a constant is written wherever its object is. A list (`/gd/*/…`) becomes the
//! department's array: each canonical element projected over the element's own mapping, in
//! the submission's order.

use serde_json::{Map, Value};

use crate::compile::transform::TransformError;
use crate::compile::translate::{Child, Node, Translation};

/// The department's view, and the values that could not be transformed.
#[derive(Debug, Clone)]
pub struct Projection {
    /// The department's data.
    pub data: Value,
    /// Values the transform rejected.
    pub failures: Vec<Failure>,
}

/// A canonical value a transform rejected.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Where the value is: the canonical key, with the element's index and the column in a
    /// list (`["shareholders", "1", "birth_date"]`).
    pub path: Vec<String>,
    /// Why.
    pub error: TransformError,
}

impl Failure {
    /// The value's place as people read it: `legal_rep.birth`, `shareholders[1].birth_date`.
    pub fn place(&self) -> String {
        crate::compile::keys::place(&self.path)
    }
}

/// Projects canonical values into one item's department form.
pub fn project(tr: &Translation, values: &Map<String, Value>) -> Projection {
    let mut failures = Vec::new();
    let data = Value::Object(build(&tr.root, tr, values, &[], &mut failures));
    Projection { data, failures }
}

/// The part of one item's department view its residual schema reads
/// ([`Translation::residual_view`]), or `None` when the item has no residual. Values whose
/// transform fails are left out, as in [`project`].
pub fn residual_view(tr: &Translation, values: &Map<String, Value>) -> Option<Value> {
    let root = tr.residual_view.as_ref()?;
    Some(Value::Object(build(root, tr, values, &[], &mut Vec::new())))
}

/// The department's object for `node`. `at` is where `values` lie in the submission: empty
/// for the form, the list's key and the element's index for an element.
fn build(
    node: &Node,
    tr: &Translation,
    values: &Map<String, Value>,
    at: &[String],
    failures: &mut Vec<Failure>,
) -> Map<String, Value> {
    let mut out = Map::with_capacity(node.children.len());
    for (name, child) in &node.children {
        match child {
            Child::Leaf(i) => {
                let Some(leaf) = tr.leaves.get(*i) else {
                    continue;
                };
                let Some(v) = values.get(&*leaf.key) else {
                    continue;
                };
                match &leaf.transform {
                    None => {
                        out.insert(name.clone(), v.clone());
                    }
                    Some(t) => match t.forward(v) {
                        Ok(image) => {
                            out.insert(name.clone(), image);
                        }
                        Err(error) => failures.push(Failure { path: within(at, &leaf.key), error }),
                    },
                }
            }
            Child::Constant(k) => {
                if let Some(c) = tr.constants.get(*k) {
                    out.insert(name.clone(), c.value.clone());
                }
            }
            Child::Node(c) => {
                if c.forced || c.keys.iter().any(|k| values.contains_key(k)) {
                    out.insert(name.clone(), Value::Object(build(c, tr, values, at, failures)));
                }
            }
            Child::List(l) => {
                let Some((list, leaf)) = tr.lists.get(*l).and_then(|l| Some((l, tr.leaves.get(l.leaf)?)))
                else {
                    continue;
                };
                match values.get(&*leaf.key) {
                    None => {}
                    Some(Value::Array(rows)) => {
                        // Only the elements the department takes (all, unless it says).
                        let rows = rows.iter().enumerate().filter(|(_, row)| list.takes(row));
                        let rows = rows.map(|(i, row)| match row {
                            Value::Object(row) => {
                                let mut at = within(at, &leaf.key);
                                at.push(i.to_string());
                                Value::Object(build(&list.element.root, &list.element, row, &at, failures))
                            }
                            // Not an element: the canonical form rejects it; sent as it is,
                            // the department's schema rejects it too.
                            other => other.clone(),
                        });
                        out.insert(name.clone(), Value::Array(rows.collect()));
                    }
                    Some(other) => {
                        out.insert(name.clone(), other.clone());
                    }
                }
            }
        }
    }
    out
}

/// The path of `key` at `at`.
fn within(at: &[String], key: &str) -> Vec<String> {
    let mut path = at.to_vec();
    path.push(key.to_owned());
    path
}

/// The values one item's transforms reject, without building its view: the leaves with a
/// transform, and the same in every element of its lists.
pub fn transform_failures(tr: &Translation, values: &Map<String, Value>) -> Vec<Failure> {
    let mut out = Vec::new();
    collect_failures(tr, values, &[], &mut out);
    out
}

fn collect_failures(tr: &Translation, values: &Map<String, Value>, at: &[String], out: &mut Vec<Failure>) {
    for leaf in &tr.leaves {
        let (Some(t), Some(v)) = (&leaf.transform, values.get(&*leaf.key)) else { continue };
        if let Err(error) = t.forward(v) {
            out.push(Failure { path: within(at, &leaf.key), error });
        }
    }
    for list in &tr.lists {
        let Some(leaf) = tr.leaves.get(list.leaf) else { continue };
        let Some(Value::Array(rows)) = values.get(&*leaf.key) else { continue };
        for (i, row) in rows.iter().enumerate().filter(|(_, row)| list.takes(row)) {
            if let Value::Object(row) = row {
                let mut at = within(at, &leaf.key);
                at.push(i.to_string());
                collect_failures(&list.element, row, &at, out);
            }
        }
    }
}
