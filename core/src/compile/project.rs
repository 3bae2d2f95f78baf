//! A department's view of a submission (the projection `project_i` of invariant 1).
//!
//! Canonical values are written back under the department's own property names and nesting,
//! in its own codes (forward transforms). Only properties the department declares appear:
//! this is what dispatch sends (data minimisation) and what residual constraints check.
//!
//! An intermediate object is created when one of its leaves has a value, or when it is
//! required and its parent exists (an object holding a constant of the field map counts as
//! required); a constant is written wherever its object is.

use serde_json::{Map, Value};

use crate::compile::transform::TransformError;
use crate::compile::translate::{Child, Leaf, Node, Translation};

/// The department's view, and the values that could not be transformed.
#[derive(Debug, Clone)]
pub struct Projection {
    /// The department's data.
    pub data: Value,
    /// Leaves whose canonical value the transform rejected.
    pub failures: Vec<(Leaf, TransformError)>,
}

/// Projects canonical values into one item's department form.
pub fn project(tr: &Translation, values: &Map<String, Value>) -> Projection {
    let mut failures = Vec::new();
    let data = Value::Object(build(&tr.root, tr, values, &mut failures));
    Projection { data, failures }
}

/// The part of one item's department view its residual schema reads
/// ([`Translation::residual_view`]), or `None` when the item has no residual. Values whose
/// transform fails are left out, as in [`project`].
pub fn residual_view(tr: &Translation, values: &Map<String, Value>) -> Option<Value> {
    let root = tr.residual_view.as_ref()?;
    Some(Value::Object(build(root, tr, values, &mut Vec::new())))
}

fn build(
    node: &Node,
    tr: &Translation,
    values: &Map<String, Value>,
    failures: &mut Vec<(Leaf, TransformError)>,
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
                        Err(e) => failures.push((leaf.clone(), e)),
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
                    out.insert(name.clone(), Value::Object(build(c, tr, values, failures)));
                }
            }
        }
    }
    out
}
