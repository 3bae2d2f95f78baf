//! Refusing the schema shapes `jsonschema` 0.61.2 leaks memory on.
//!
//! `unevaluatedProperties` and `unevaluatedItems` precompute, for the schema holding them,
//! which keywords evaluate what. The result is built in a shared cell
//! (`Arc<OnceLock<PropertyValidators>>`, likewise for items), cached for the schema while it is
//! being built so that a `$ref` cycle ends. A `$ref` that reaches a schema whose cell is still
//! being built takes a strong clone of that cell; when the clone ends up stored inside the
//! cell's own contents, the cell owns itself and is never freed, with everything compiled
//! under it — about 3 KB per compile for the smallest such schema,
//! `{"additionalProperties": {"$ref": "#", "unevaluatedProperties": false}}`, and more for
//! larger ones. A host that compiles bundles for a long time (a server, the playground) grows
//! without bound. (The `$ref` keyword's own cycles use weak references and do not leak.)
//!
//! The cycle needs all of:
//!
//! * a schema `S` with `unevaluatedProperties` (or `unevaluatedItems`), whose cell is built by
//!   walking `S` in place — `allOf`, `anyOf`, `oneOf`, `if`/`then`/`else`,
//!   `dependentSchemas` — and following `$ref`s; every schema `R` met on that walk has a
//!   cell under construction;
//! * while `R`'s cell is built, `jsonschema` compiles whole validators for some of its
//!   keywords (`additionalProperties`, `unevaluatedProperties`, `unevaluatedItems`,
//!   `contains`, `allOf`, `anyOf`, `oneOf`, `if`) and keeps them in the cell; anything
//!   compiled there is inside the cell;
//! * in there, a schema with the same `unevaluated*` keyword whose own walk reaches `R`
//!   through a `$ref`.
//!
//! [`leaking_cycle`] looks for exactly that, over-approximating where `jsonschema`'s node
//! cache would make it skip a compile (so it may refuse a schema that would not leak, never
//! the reverse). `properties`, `patternProperties`, `items` and `prefixItems` are not
//! compiled into a cell, so the common recursive shapes — a tree whose nodes close themselves
//! with `unevaluatedProperties: false` and recurse through `properties` or `items` — pass.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::keywords::{ARRAY, MAP, SINGLE, subschemas};
use crate::base::pointer;

/// The two keywords whose precomputation leaks.
const UNEVALUATED: [&str; 2] = ["unevaluatedProperties", "unevaluatedItems"];

/// Keywords walked in place when a cell is built (`dependentSchemas` is handled apart).
const IN_PLACE_SINGLE: &[&str] = &["if", "then", "else"];
const IN_PLACE_ARRAY: &[&str] = &["allOf", "anyOf", "oneOf"];

/// Keywords whose subschemas are compiled as whole validators kept in a cell.
const KEPT_SINGLE: &[&str] =
    &["additionalProperties", "unevaluatedProperties", "unevaluatedItems", "contains", "if"];

/// Reference keywords resolved statically when a cell is built.
const REFS: &[&str] = &["$ref", "$dynamicRef"];

/// A leaking cycle: where the `unevaluated*` keyword is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeakingCycle {
    /// JSON Pointer of the `unevaluated*` keyword whose precomputation would own itself.
    pub pointer: String,
    /// What was found, for the schema's author.
    pub message: String,
}

/// Finds a `$ref` cycle through `unevaluatedProperties`/`unevaluatedItems` that
/// `jsonschema` 0.61.2 would leak on (see the module documentation), or a reference this
/// check cannot follow beside one of those keywords.
pub fn leaking_cycle(root: &Value) -> Option<LeakingCycle> {
    // Most schemas hold neither keyword: that is found without the index, which names every
    // schema object by its JSON Pointer in a hash map, at every compile of every schema.
    if !holds_unevaluated(root) {
        return None;
    }
    let index = Index::new(root);
    let mut walks: HashMap<String, Walk> = HashMap::new();
    let mut scopes: HashMap<String, Scope> = HashMap::new();
    for keyword in UNEVALUATED {
        let holders: Vec<&String> =
            index.places.iter().filter(|(_, p)| p.obj.contains_key(keyword)).map(|(at, _)| at).collect();
        if holders.is_empty() {
            continue;
        }
        let mut holders = holders;
        // Equal elements are the same text: unstable sorts give the same order, with less code.
        holders.sort_unstable();
        for s in holders {
            let walk = walk_of(&index, &mut walks, s).clone();
            if walk.unknown {
                return Some(LeakingCycle {
                    pointer: pointer::join(s, keyword),
                    message: format!(
                        "`{keyword}` beside a reference this crate cannot follow: `jsonschema` leaks \
                         memory compiling some `$ref` cycles through `{keyword}`, and this one cannot \
                         be ruled out; use local references (`#/$defs/…`)"
                    ),
                });
            }
            let mut pending: Vec<&String> = walk.places.iter().collect();
            pending.sort_unstable();
            for r in pending {
                let scope = scope_of(&index, &mut walks, &mut scopes, r).clone();
                if scope.unknown {
                    return Some(LeakingCycle {
                        pointer: pointer::join(s, keyword),
                        message: format!(
                            "`{keyword}` with a reference this crate cannot follow under `#{r}`: \
                             `jsonschema` leaks memory compiling some `$ref` cycles through \
                             `{keyword}`, and this one cannot be ruled out; use local references \
                             (`#/$defs/…`)"
                        ),
                    });
                }
                let mut inner: Vec<&String> = scope
                    .places
                    .iter()
                    .filter(|at| index.places.get(*at).is_some_and(|p| p.obj.contains_key(keyword)))
                    .collect();
                inner.sort_unstable();
                for s2 in inner {
                    if walk_of(&index, &mut walks, s2).targets.contains(r) {
                        return Some(LeakingCycle {
                            pointer: pointer::join(s, keyword),
                            message: format!(
                                "unsupported recursion: `{keyword}` at `#{s2}` refers back through \
                                 `$ref` to `#{r}`, which holds it under `additionalProperties`, \
                                 `unevaluated*`, `contains` or an in-place applicator; the \
                                 validator (`jsonschema` 0.61.2) leaks memory each time it \
                                 compiles this shape. Recurse through `properties`, \
                                 `patternProperties` or `items` instead"
                            ),
                        });
                    }
                }
            }
        }
    }
    None
}

/// Whether a schema object of the document, reached as [`Index::new`] reaches them, holds
/// one of the [`UNEVALUATED`] keywords.
fn holds_unevaluated(root: &Value) -> bool {
    let mut stack = vec![root];
    while let Some(value) = stack.pop() {
        let Value::Object(obj) = value else { continue };
        if obj.keys().any(|k| UNEVALUATED.contains(&k.as_str())) {
            return true;
        }
        stack.extend(subschemas(obj));
    }
    false
}

/// One schema object of the document.
struct Place<'a> {
    obj: &'a Map<String, Value>,
    /// Index of the resource (document root or embedded `$id`) it belongs to.
    resource: usize,
}

struct Resource {
    at: String,
    id: Option<String>,
    anchors: HashMap<String, String>,
}

struct Index<'a> {
    root: &'a Value,
    places: HashMap<String, Place<'a>>,
    resources: Vec<Resource>,
}

enum Target {
    Place(String),
    /// A boolean schema: nothing to precompute, no cell.
    Inert,
    /// Not followed by this check.
    Unknown,
}

impl<'a> Index<'a> {
    fn new(root: &'a Value) -> Index<'a> {
        let mut index = Index { root, places: HashMap::new(), resources: Vec::new() };
        let mut stack: Vec<(&'a Value, String, Option<usize>)> = vec![(root, String::new(), None)];
        while let Some((value, at, parent)) = stack.pop() {
            let Value::Object(obj) = value else { continue };
            let id = obj.get("$id").and_then(Value::as_str).map(|s| s.trim_end_matches('#').to_owned());
            let resource = match (parent, id) {
                (Some(p), None) => p,
                (_, id) => {
                    index.resources.push(Resource { at: at.clone(), id, anchors: HashMap::new() });
                    index.resources.len() - 1
                }
            };
            for key in ["$anchor", "$dynamicAnchor"] {
                if let (Some(name), Some(r)) =
                    (obj.get(key).and_then(Value::as_str), index.resources.get_mut(resource))
                {
                    r.anchors.entry(name.to_owned()).or_insert_with(|| at.clone());
                }
            }
            for (child, sub) in children(obj, &at, true) {
                stack.push((sub, child, Some(resource)));
            }
            index.places.insert(at, Place { obj, resource });
        }
        index
    }

    fn resolve(&self, reference: &str, resource: usize) -> Target {
        let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let resource = if base.is_empty() {
            self.resources.get(resource)
        } else {
            self.resources.iter().find(|r| r.id.as_deref() == Some(base))
        };
        let Some(resource) = resource else { return Target::Unknown };
        let Some(fragment) = pointer::decode_fragment(fragment) else { return Target::Unknown };
        let at = if fragment.is_empty() || fragment.starts_with('/') {
            format!("{}{fragment}", resource.at)
        } else {
            match resource.anchors.get(&fragment) {
                Some(at) => at.clone(),
                None => return Target::Unknown,
            }
        };
        if self.places.contains_key(&at) {
            Target::Place(at)
        } else if matches!(self.root.pointer(&at), Some(Value::Bool(_))) {
            Target::Inert
        } else {
            Target::Unknown
        }
    }

    /// The places the `$ref`s of `at` lead to; `None` when one cannot be followed.
    fn refs(&self, at: &str) -> Option<Vec<String>> {
        let place = self.places.get(at)?;
        let mut out = Vec::new();
        for key in REFS {
            if let Some(reference) = place.obj.get(*key).and_then(Value::as_str) {
                match self.resolve(reference, place.resource) {
                    Target::Place(t) => out.push(t),
                    Target::Inert => {}
                    Target::Unknown => return None,
                }
            }
        }
        Some(out)
    }
}

/// Subschema objects under `obj` (at `at`): every subschema keyword, or (`all == false`) only
/// those `jsonschema` compiles as validators (not `$defs`).
fn children<'a>(obj: &'a Map<String, Value>, at: &str, all: bool) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    for kw in SINGLE {
        if let Some(sub) = obj.get(*kw) {
            out.push((pointer::join(at, kw), sub));
        }
    }
    for kw in MAP {
        if !all && matches!(*kw, "$defs" | "definitions") {
            continue;
        }
        for (k, sub) in obj.get(*kw).and_then(Value::as_object).into_iter().flatten() {
            out.push((pointer::join(&pointer::join(at, kw), k), sub));
        }
    }
    for kw in ARRAY {
        for (i, sub) in obj.get(*kw).and_then(Value::as_array).into_iter().flatten().enumerate() {
            out.push((pointer::join(&pointer::join(at, kw), &i.to_string()), sub));
        }
    }
    out.retain(|(_, sub)| sub.is_object());
    out
}

/// The in-place walk that builds one cell.
#[derive(Clone, Default)]
struct Walk {
    /// Every schema met (each gets a cell under construction), the start included.
    places: HashSet<String>,
    /// Places reached through a `$ref`.
    targets: HashSet<String>,
    /// A reference on the walk could not be followed.
    unknown: bool,
}

fn walk_of<'m>(index: &Index<'_>, memo: &'m mut HashMap<String, Walk>, start: &str) -> &'m Walk {
    memo.entry(start.to_owned()).or_insert_with(|| {
        let mut walk = Walk::default();
        let mut stack = vec![start.to_owned()];
        while let Some(at) = stack.pop() {
            let Some(place) = index.places.get(&at) else { continue };
            if !walk.places.insert(at.clone()) {
                continue;
            }
            let obj = place.obj;
            for kw in IN_PLACE_SINGLE {
                if obj.get(*kw).is_some_and(Value::is_object) {
                    stack.push(pointer::join(&at, kw));
                }
            }
            for kw in IN_PLACE_ARRAY {
                for (i, _) in obj.get(*kw).and_then(Value::as_array).into_iter().flatten().enumerate() {
                    stack.push(pointer::join(&pointer::join(&at, kw), &i.to_string()));
                }
            }
            for (k, _) in obj.get("dependentSchemas").and_then(Value::as_object).into_iter().flatten() {
                stack.push(pointer::join(&pointer::join(&at, "dependentSchemas"), k));
            }
            match index.refs(&at) {
                Some(targets) => {
                    for t in targets {
                        walk.targets.insert(t.clone());
                        stack.push(t);
                    }
                }
                None => walk.unknown = true,
            }
        }
        walk
    })
}

/// Everything compiled while the cell of `r` is under construction.
#[derive(Clone, Default)]
struct Scope {
    places: HashSet<String>,
    unknown: bool,
}

fn scope_of<'m>(
    index: &Index<'_>,
    walks: &mut HashMap<String, Walk>,
    memo: &'m mut HashMap<String, Scope>,
    r: &str,
) -> &'m Scope {
    if !memo.contains_key(r) {
        let walk = walk_of(index, walks, r).clone();
        let mut scope = Scope { places: HashSet::new(), unknown: walk.unknown };
        let mut stack: Vec<String> = Vec::new();
        for at in &walk.places {
            let Some(place) = index.places.get(at) else { continue };
            for kw in KEPT_SINGLE {
                if place.obj.get(*kw).is_some_and(Value::is_object) {
                    stack.push(pointer::join(at, kw));
                }
            }
            for kw in IN_PLACE_ARRAY {
                for (i, _) in place.obj.get(*kw).and_then(Value::as_array).into_iter().flatten().enumerate() {
                    stack.push(pointer::join(&pointer::join(at, kw), &i.to_string()));
                }
            }
        }
        scope.places.extend(walk.places);
        // Whole validators: every subschema they hold, and what their `$ref`s lead to.
        let mut compiled: HashSet<String> = HashSet::new();
        while let Some(at) = stack.pop() {
            let Some(place) = index.places.get(&at) else { continue };
            if !compiled.insert(at.clone()) {
                continue;
            }
            stack.extend(children(place.obj, &at, false).into_iter().map(|(child, _)| child));
            match index.refs(&at) {
                Some(targets) => stack.extend(targets),
                None => scope.unknown = true,
            }
        }
        scope.places.extend(compiled);
        memo.insert(r.to_owned(), scope);
    }
    memo.get(r).unwrap_or_else(|| unreachable!())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::leaking_cycle;

    #[test]
    fn leaking_shapes_are_found() {
        for schema in [
            json!({"additionalProperties": {"$ref": "#", "unevaluatedProperties": false}}),
            json!({"unevaluatedProperties": {"$ref": "#", "unevaluatedProperties": false}}),
            json!({"additionalProperties": {"allOf": [{"$ref": "#"}], "unevaluatedProperties": false}}),
            json!({"if": true, "then": {"$ref": "#", "unevaluatedProperties": false}}),
            json!({"dependentSchemas": {"a": {"$ref": "#", "unevaluatedProperties": false}}}),
            json!({"$defs": {"n": {"additionalProperties": {"$ref": "#/$defs/n", "unevaluatedProperties": false}}},
                   "$ref": "#/$defs/n"}),
            json!({"contains": {"$ref": "#", "unevaluatedItems": false}}),
            json!({"unevaluatedItems": {"$ref": "#", "unevaluatedItems": false}}),
            json!({"$defs": {"n": {"$anchor": "node", "additionalProperties": {"$ref": "#node",
                   "unevaluatedProperties": false}}}, "$ref": "#/$defs/n"}),
        ] {
            let found = leaking_cycle(&schema);
            assert!(found.is_some(), "not found: {schema}");
        }
        assert_eq!(
            leaking_cycle(&json!({"additionalProperties": {"$ref": "#", "unevaluatedProperties": false}}))
                .unwrap()
                .pointer,
            "/additionalProperties/unevaluatedProperties"
        );
    }

    #[test]
    fn other_recursive_shapes_pass() {
        for schema in [
            json!({"additionalProperties": {"$ref": "#"}}),
            json!({"additionalProperties": {"$ref": "#"}, "unevaluatedProperties": false}),
            json!({"properties": {"a": {"$ref": "#", "unevaluatedProperties": false}}}),
            json!({"properties": {"a": {"$ref": "#"}}, "unevaluatedProperties": false}),
            json!({"items": {"$ref": "#", "unevaluatedItems": false}}),
            json!({"patternProperties": {"^x": {"$ref": "#", "unevaluatedProperties": false}}}),
            json!({"additionalProperties": {"properties": {"a": {"$ref": "#"}}, "unevaluatedProperties": false}}),
            json!({"$defs": {"x": {"properties": {"b": true}}},
                   "additionalProperties": {"$ref": "#/$defs/x", "unevaluatedProperties": false}}),
            json!({"$defs": {"person": {"type": "object", "properties": {"children": {"type": "array",
                   "items": {"$ref": "#/$defs/person"}}}, "unevaluatedProperties": false}},
                   "properties": {"applicant": {"$ref": "#/$defs/person"}}}),
        ] {
            assert_eq!(leaking_cycle(&schema), None, "{schema}");
        }
    }

    #[test]
    fn a_reference_not_followed_beside_unevaluated_is_refused() {
        let remote = json!({"unevaluatedProperties": false, "$ref": "https://elsewhere.example/s.json"});
        assert!(leaking_cycle(&remote).is_some());
        // Without `unevaluated*` nothing is precomputed: left to the validator.
        assert_eq!(leaking_cycle(&json!({"$ref": "https://elsewhere.example/s.json"})), None);
    }
}
