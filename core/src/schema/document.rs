//! Schema documents, the parts of a conjunction, and exporting subschemas.
//!
//! A [`Document`] is one JSON Schema (draft 2020-12) as its author wrote it, checked once:
//! meta-schema valid, every local `$ref` resolvable, no `$ref` cycle that never descends into
//! the instance, no feature we deliberately do not handle (remote references, embedded `$id`
//! resources, `$dynamicRef`).
//!
//! A [`Part`] is one place in a document taking part in a conjunction. `$ref`s are followed
//! lazily while merging ([`expand`]), which keeps the author's JSON Pointers for provenance and
//! stops at recursion: a `$ref` to a schema already being expanded on the same path is kept
//! and its target is *hoisted* into the output's `$defs` by [`Cx::export`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::error::{SchemaError, describe};
use super::keywords::{self, ARRAY, DIALECT, IN_PLACE_ARRAY, IN_PLACE_SINGLE, MAP, SINGLE};
use super::origin::{Origin, Side};
use crate::base::pointer;

/// How deeply subschemas may nest in one document.
pub const MAX_DEPTH: usize = 128;
/// How many subschemas one merge may visit before it is considered runaway.
pub const MAX_PARTS: usize = 300_000;

static TRUE: Value = Value::Bool(true);

/// A checked JSON Schema document. Cloning shares the schema (the translation of a
/// department's list keeps the department's document for its elements).
#[derive(Debug, Clone)]
pub struct Document {
    origin: Origin,
    root: Arc<Value>,
    base: Option<String>,
    anchors: HashMap<String, String>,
    /// Pointer prefix used when reporting places of a synthetic document, which stands for a
    /// place in another document.
    report_at: String,
    label: String,
}

impl Document {
    /// Checks a schema document. `label` names hoisted definitions (letters, digits, `-`).
    pub fn new(root: Value, origin: Origin, label: &str) -> Result<Document, SchemaError> {
        if let Some(found) = root.get("$schema") {
            let found = found.as_str().unwrap_or_default();
            if found.trim_end_matches('#') != DIALECT {
                return Err(SchemaError::Dialect { origin, found: found.to_owned() });
            }
        }
        // Our own walk first: it bounds the depth before anything else recurses.
        let mut walk = Walk::default();
        walk_schema(&root, String::new(), 0, &origin, &mut walk)?;
        meta_validate(&root, &origin)?;
        let base = root.get("$id").and_then(Value::as_str).map(|id| id.trim_end_matches('#').to_owned());
        let doc = Document {
            origin,
            root: Arc::new(root),
            base,
            anchors: walk.anchors,
            report_at: String::new(),
            label: sanitize_label(label),
        };
        for (at, reference) in &walk.refs {
            doc.resolve_at(reference, at)?;
        }
        doc.check_in_place_cycles(&walk.refs)?;
        Ok(doc)
    }

    /// A document built by this crate (trusted: not checked). Its places are reported under
    /// `report_at` in `origin`.
    pub(crate) fn synthetic(root: Value, origin: Origin, report_at: String, label: &str) -> Document {
        Document {
            origin,
            root: Arc::new(root),
            base: None,
            anchors: HashMap::new(),
            report_at,
            label: sanitize_label(label),
        }
    }

    /// The document's source.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The whole document.
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// The subschema at a JSON Pointer.
    pub fn get(&self, at: &str) -> Option<&Value> {
        self.root.pointer(at)
    }

    /// Resolves a `$ref` found at `at` to a JSON Pointer in this document.
    fn resolve_at(&self, reference: &str, at: &str) -> Result<String, SchemaError> {
        let (base, fragment) = match reference.split_once('#') {
            Some((b, f)) => (b, f),
            None => (reference, ""),
        };
        let remote = !base.is_empty() && Some(base) != self.base.as_deref();
        if remote {
            return Err(SchemaError::Unsupported {
                origin: self.origin.clone(),
                pointer: pointer::join(at, "$ref"),
                keyword: "$ref".into(),
                why: format!(
                    "`{reference}` is a remote reference; put the referenced schema under `$defs` \
                     and refer to it as `#/$defs/…`"
                ),
            });
        }
        let missing = || SchemaError::MissingRef {
            origin: self.origin.clone(),
            pointer: pointer::join(at, "$ref"),
            reference: reference.to_owned(),
        };
        let target = if fragment.is_empty() {
            String::new()
        } else if fragment.starts_with('/') {
            pointer::decode_fragment(fragment).ok_or_else(missing)?
        } else {
            self.anchors.get(fragment).cloned().ok_or_else(missing)?
        };
        match self.root.pointer(&target) {
            Some(Value::Object(_) | Value::Bool(_)) => Ok(target),
            _ => Err(missing()),
        }
    }

    /// Rejects `$ref` cycles that never descend into the instance (`a` → `b` → `a` through
    /// `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else` or `dependentSchemas`):
    /// validating against them would never end.
    fn check_in_place_cycles(&self, refs: &[(String, String)]) -> Result<(), SchemaError> {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // Not `collect`: it sorts, with a stable sort instantiated for each iterator type.
        let mut targets = BTreeSet::new();
        targets.extend(refs.iter().filter_map(|(at, r)| self.resolve_at(r, at).ok()).chain([String::new()]));
        for t in &targets {
            let mut found = BTreeSet::new();
            if let Some(v) = self.get(t) {
                self.in_place_refs(v, t, 0, &mut found);
            }
            edges.insert(t.clone(), found);
        }
        let mut state: HashMap<&str, u8> = HashMap::new(); // 1 = on stack, 2 = done
        let mut stack: Vec<&str> = Vec::new();
        for t in &targets {
            if let Some(chain) = dfs_cycle(t, &edges, &mut state, &mut stack) {
                return Err(SchemaError::CyclicRef { origin: self.origin.clone(), chain });
            }
        }
        Ok(())
    }

    fn in_place_refs(&self, v: &Value, at: &str, depth: usize, out: &mut BTreeSet<String>) {
        let Some(obj) = v.as_object() else { return };
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            if let Ok(t) = self.resolve_at(r, at) {
                out.insert(t);
            }
        }
        for kw in IN_PLACE_SINGLE {
            if let Some(sub) = obj.get(*kw) {
                self.in_place_refs(sub, &pointer::join(at, kw), depth + 1, out);
            }
        }
        for kw in IN_PLACE_ARRAY {
            for (i, sub) in obj.get(*kw).and_then(Value::as_array).into_iter().flatten().enumerate() {
                let p = pointer::join(&pointer::join(at, kw), &i.to_string());
                self.in_place_refs(sub, &p, depth + 1, out);
            }
        }
        for (k, sub) in obj.get("dependentSchemas").and_then(Value::as_object).into_iter().flatten() {
            let p = pointer::join(&pointer::join(at, "dependentSchemas"), k);
            self.in_place_refs(sub, &p, depth + 1, out);
        }
    }
}

fn dfs_cycle<'a>(
    node: &'a str,
    edges: &'a BTreeMap<String, BTreeSet<String>>,
    state: &mut HashMap<&'a str, u8>,
    stack: &mut Vec<&'a str>,
) -> Option<Vec<String>> {
    match state.get(node) {
        Some(2) => return None,
        Some(_) => {
            let start = stack.iter().position(|n| *n == node).unwrap_or(0);
            let mut chain: Vec<String> =
                stack.get(start..).unwrap_or_default().iter().map(|n| display_ptr(n)).collect();
            chain.push(display_ptr(node));
            return Some(chain);
        }
        None => {}
    }
    state.insert(node, 1);
    stack.push(node);
    for next in edges.get(node).into_iter().flatten() {
        if let Some(chain) = dfs_cycle(next, edges, state, stack) {
            return Some(chain);
        }
    }
    stack.pop();
    state.insert(node, 2);
    None
}

fn display_ptr(p: &str) -> String {
    format!("#{p}")
}

fn sanitize_label(label: &str) -> String {
    let s: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    if s.is_empty() { "schema".into() } else { s }
}

fn meta_validate(root: &Value, origin: &Origin) -> Result<(), SchemaError> {
    jsonschema::draft202012::meta::validate(root).map_err(|e| SchemaError::Invalid {
        origin: origin.clone(),
        pointer: e.instance_path().to_string(),
        message: e.to_string(),
    })
}

#[derive(Default)]
struct Walk {
    /// Subschemas visited: more than [`MAX_PARTS`] is refused before anything costly runs.
    visited: usize,
    anchors: HashMap<String, String>,
    /// (location of the schema holding the `$ref`, the reference)
    refs: Vec<(String, String)>,
}

fn walk_schema(
    v: &Value,
    at: String,
    depth: usize,
    origin: &Origin,
    walk: &mut Walk,
) -> Result<(), SchemaError> {
    if depth > MAX_DEPTH {
        return Err(SchemaError::TooDeep { origin: origin.clone(), pointer: at, limit: MAX_DEPTH });
    }
    walk.visited += 1;
    if walk.visited > MAX_PARTS {
        return Err(SchemaError::TooLarge { origin: origin.clone(), limit: MAX_PARTS });
    }
    let obj = match v {
        Value::Bool(_) => return Ok(()),
        Value::Object(obj) => obj,
        other => {
            return Err(SchemaError::NotASchema {
                origin: origin.clone(),
                pointer: at,
                found: describe(other).into(),
            });
        }
    };
    let unsupported = |kw: &str, why: &str| SchemaError::Unsupported {
        origin: origin.clone(),
        pointer: pointer::join(&at, kw),
        keyword: kw.to_owned(),
        why: why.to_owned(),
    };
    for (kw, val) in obj {
        match kw.as_str() {
            "$id" if !at.is_empty() => {
                return Err(unsupported(
                    kw,
                    "embedded schema resources; move the subschema to `$defs` without `$id`",
                ));
            }
            "$schema" if !at.is_empty() && val.as_str().map(|s| s.trim_end_matches('#')) != Some(DIALECT) => {
                return Err(unsupported(kw, "a subschema in another dialect"));
            }
            "$dynamicRef" | "$recursiveRef" | "$recursiveAnchor" => {
                return Err(unsupported(kw, "dynamic references; use `$ref`"));
            }
            "$anchor" | "$dynamicAnchor" => {
                if let Some(name) = val.as_str() {
                    walk.anchors.insert(name.to_owned(), at.clone());
                }
            }
            "$ref" => {
                if let Some(r) = val.as_str() {
                    walk.refs.push((at.clone(), r.to_owned()));
                }
            }
            k if SINGLE.contains(&k) => walk_schema(val, pointer::join(&at, k), depth + 1, origin, walk)?,
            k if MAP.contains(&k) => {
                let base = pointer::join(&at, k);
                let Some(map) = val.as_object() else {
                    return Err(SchemaError::NotASchema {
                        origin: origin.clone(),
                        pointer: base,
                        found: describe(val).into(),
                    });
                };
                for (name, sub) in map {
                    walk_schema(sub, pointer::join(&base, name), depth + 1, origin, walk)?;
                }
            }
            k if ARRAY.contains(&k) => {
                let base = pointer::join(&at, k);
                let Some(list) = val.as_array() else {
                    return Err(SchemaError::NotASchema {
                        origin: origin.clone(),
                        pointer: base,
                        found: describe(val).into(),
                    });
                };
                for (i, sub) in list.iter().enumerate() {
                    walk_schema(sub, pointer::join(&base, &i.to_string()), depth + 1, origin, walk)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// One place of one document taking part in a conjunction. It holds a reference to its
/// value, so reading keywords never walks the document again.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    /// The document.
    pub doc: &'a Document,
    value: &'a Value,
    /// Where in the document (a JSON Pointer).
    pub at: String,
    /// `$ref` targets followed on the way here; meeting one again means recursion.
    trail: Arc<Vec<String>>,
}

impl<'a> Part<'a> {
    /// The whole document as a part.
    pub fn root(doc: &'a Document) -> Part<'a> {
        Part { doc, value: &doc.root, at: String::new(), trail: Arc::new(Vec::new()) }
    }

    /// The part at a JSON Pointer of a document (`true` where nothing is).
    pub fn at(doc: &'a Document, at: &str) -> Part<'a> {
        Part { doc, value: doc.get(at).unwrap_or(&TRUE), at: at.to_owned(), trail: Arc::new(Vec::new()) }
    }

    /// The schema value of this part.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// A subschema of this part, by keyword and optional property name or array index.
    pub fn child(&self, keyword: &str, name: Option<&str>) -> Part<'a> {
        let mut at = pointer::join(&self.at, keyword);
        let mut value = self.value.get(keyword);
        if let Some(name) = name {
            at = pointer::join(&at, name);
            value = value.and_then(|v| match v {
                Value::Array(list) => name.parse::<usize>().ok().and_then(|i| list.get(i)),
                other => other.get(name),
            });
        }
        Part { doc: self.doc, value: value.unwrap_or(&TRUE), at, trail: Arc::clone(&self.trail) }
    }

    /// The side of a constraint this part declares (its keyword and value).
    pub fn side(&self, keyword: Option<&str>, with_value: bool) -> Side {
        let mut at = format!("{}{}", self.doc.report_at, self.at);
        let mut value = None;
        if let Some(kw) = keyword {
            at = pointer::join(&at, kw);
            if with_value {
                value = self.value.get(kw).cloned();
            }
        } else if with_value {
            value = Some(self.value.clone());
        }
        Side { origin: self.doc.origin.clone(), pointer: at, value }
    }

    /// The value of a keyword of this part.
    pub fn get(&self, keyword: &str) -> Option<&'a Value> {
        self.value.get(keyword)
    }

    fn follow(&self, target: String) -> Part<'a> {
        let mut trail = (*self.trail).clone();
        trail.push(target.clone());
        let value = self.doc.get(&target).unwrap_or(&TRUE);
        Part { doc: self.doc, value, at: target, trail: Arc::new(trail) }
    }

    fn key(&self) -> (usize, &str) {
        (std::ptr::from_ref(self.doc) as usize, &self.at)
    }
}

/// The parts of a conjunction after `allOf` and `$ref` are followed.
#[derive(Debug, Default)]
pub struct Expanded<'a> {
    /// Object schemas whose own keywords (other than `allOf` and `$ref`) are to be merged.
    pub atoms: Vec<Part<'a>>,
    /// `false` schemas met.
    pub falses: Vec<Part<'a>>,
    /// Subschemas kept whole, ready for the output's `allOf`: recursive `$ref`s, and schemas
    /// using `unevaluated*` (whose meaning depends on their siblings, so they cannot be split).
    pub kept: Vec<(Value, Part<'a>)>,
    /// Places already expanded: a conjunction is idempotent, so a place met twice (the same
    /// `$ref` from two `allOf` branches) is taken once.
    seen: HashSet<(usize, String)>,
}

/// The state of one merge: the output's hoisted `$defs` and the work budget.
#[derive(Debug, Clone)]
pub struct Cx {
    /// Definitions hoisted into the output's root `$defs`.
    pub defs: IndexMap<String, Value>,
    hoisted: HashMap<(usize, String), String>,
    budget: usize,
}

impl Default for Cx {
    fn default() -> Self {
        Cx { defs: IndexMap::new(), hoisted: HashMap::new(), budget: MAX_PARTS }
    }
}

impl Cx {
    /// A copy that keeps the hoisted definitions and has its full budget again.
    pub fn fork(&self) -> Cx {
        Cx { defs: self.defs.clone(), hoisted: self.hoisted.clone(), budget: MAX_PARTS }
    }

    fn spend(&mut self, part: &Part<'_>) -> Result<(), SchemaError> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| SchemaError::TooLarge { origin: part.doc.origin.clone(), limit: MAX_PARTS })?;
        Ok(())
    }

    /// Follows `allOf` and `$ref` from `part`, adding what it finds to `out`. A subschema
    /// with `unevaluated*` is kept whole; with `split`, its keywords are *also* offered as an
    /// atom (so its structure can be read), which only a caller that checks the kept copy
    /// anyway may ask for.
    pub fn expand<'a>(
        &mut self,
        part: Part<'a>,
        out: &mut Expanded<'a>,
        depth: usize,
        split: bool,
    ) -> Result<(), SchemaError> {
        self.spend(&part)?;
        let (doc, at) = part.key();
        if !out.seen.insert((doc, at.to_owned())) {
            return Ok(());
        }
        if depth > MAX_DEPTH {
            return Err(SchemaError::TooDeep {
                origin: part.doc.origin.clone(),
                pointer: part.at,
                limit: MAX_DEPTH,
            });
        }
        let obj = match part.value() {
            Value::Bool(true) => return Ok(()),
            Value::Object(obj) => obj,
            _ => {
                out.falses.push(part);
                return Ok(());
            }
        };
        if obj.contains_key("unevaluatedProperties") || obj.contains_key("unevaluatedItems") {
            let whole = self.export(&part)?;
            out.kept.push((whole, part.clone()));
            if !split {
                return Ok(());
            }
        }
        let members = obj.get("allOf").and_then(Value::as_array).map_or(0, Vec::len);
        let reference = obj.get("$ref").and_then(Value::as_str).map(str::to_owned);
        out.atoms.push(part.clone());
        for i in 0..members {
            self.expand(part.child("allOf", Some(&i.to_string())), out, depth + 1, split)?;
        }
        if let Some(reference) = reference {
            let target = part.doc.resolve_at(&reference, &part.at)?;
            if part.trail.contains(&target) {
                let r = self.hoist(part.doc, &target)?;
                out.kept.push((single("$ref", Value::String(r)), part));
            } else {
                self.expand(part.follow(target), out, depth + 1, split)?;
            }
        }
        Ok(())
    }

    /// Copies a subschema verbatim for the output, rewriting every `$ref` to a definition
    /// hoisted into the output's `$defs`.
    pub fn export(&mut self, part: &Part<'_>) -> Result<Value, SchemaError> {
        self.export_value(part.doc, part.value(), &part.at, 0)
    }

    /// Copies some keywords of a part verbatim as one schema `{kw: …}`: each keyword exported
    /// by its kind (a subschema, a map or a list of subschemas, or data), `$ref`s hoisted.
    ///
    /// Always export keywords through this, never by exporting a keyword's *value* as if it
    /// were a schema: the list under `oneOf`, the map under `properties` and the data under
    /// `const` are not schemas, and a `$ref` inside the first two must still be rewritten
    /// (left as it was, `"#"` would point at the output's root instead of its own document).
    pub fn export_keywords(&mut self, part: &Part<'_>, kws: &[&str]) -> Result<Value, SchemaError> {
        let mut out = Map::new();
        for kw in kws {
            if let Some(val) = part.get(kw) {
                let exported = self.export_keyword(part.doc, &part.at, kw, val, 0)?;
                out.insert((*kw).to_owned(), exported);
            }
        }
        Ok(Value::Object(out))
    }

    fn export_value(
        &mut self,
        doc: &Document,
        v: &Value,
        at: &str,
        depth: usize,
    ) -> Result<Value, SchemaError> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| SchemaError::TooLarge { origin: doc.origin.clone(), limit: MAX_PARTS })?;
        if depth > MAX_DEPTH {
            return Err(SchemaError::TooDeep {
                origin: doc.origin.clone(),
                pointer: at.to_owned(),
                limit: MAX_DEPTH,
            });
        }
        let Value::Object(obj) = v else {
            return Ok(v.clone());
        };
        let mut out = Map::new();
        for (kw, val) in obj {
            if keywords::STRUCTURAL.contains(&kw.as_str()) {
                continue;
            }
            out.insert(kw.clone(), self.export_keyword(doc, at, kw, val, depth)?);
        }
        Ok(Value::Object(out))
    }

    /// One keyword `kw` of the schema at `at`, exported by its kind.
    fn export_keyword(
        &mut self,
        doc: &Document,
        at: &str,
        kw: &str,
        val: &Value,
        depth: usize,
    ) -> Result<Value, SchemaError> {
        let here = pointer::join(at, kw);
        Ok(match kw {
            "$ref" => {
                let target = doc.resolve_at(val.as_str().unwrap_or_default(), at)?;
                Value::String(self.hoist(doc, &target)?)
            }
            k if SINGLE.contains(&k) => self.export_value(doc, val, &here, depth + 1)?,
            k if MAP.contains(&k) => {
                let mut m = Map::new();
                for (name, sub) in val.as_object().into_iter().flatten() {
                    let sub_at = pointer::join(&here, name);
                    m.insert(name.clone(), self.export_value(doc, sub, &sub_at, depth + 1)?);
                }
                Value::Object(m)
            }
            k if ARRAY.contains(&k) => {
                let mut list = Vec::new();
                for (i, sub) in val.as_array().into_iter().flatten().enumerate() {
                    let sub_at = pointer::join(&here, &i.to_string());
                    list.push(self.export_value(doc, sub, &sub_at, depth + 1)?);
                }
                Value::Array(list)
            }
            _ => val.clone(),
        })
    }

    /// Hoists the subschema at `target` into the output's `$defs` (once) and returns the
    /// `$ref` that points to it.
    fn hoist(&mut self, doc: &Document, target: &str) -> Result<String, SchemaError> {
        let key = (std::ptr::from_ref(doc) as usize, target.to_owned());
        let name = match self.hoisted.get(&key) {
            Some(name) => name.clone(),
            None => {
                let name = format!("{}-{}", doc.label, self.hoisted.len() + 1);
                self.hoisted.insert(key, name.clone());
                self.defs.insert(name.clone(), Value::Bool(true)); // placeholder keeps the order
                let v = doc.get(target).unwrap_or(&TRUE);
                let exported = self.export_value(doc, v, target, 0)?;
                self.defs.insert(name.clone(), exported);
                name
            }
        };
        Ok(format!("#/$defs/{}", pointer::encode_fragment(&pointer::escape(&name))))
    }
}

/// `{key: value}`.
pub(crate) fn single(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_owned(), value);
    Value::Object(m)
}

/// A copy of a schema without annotations: `x-onething-*` keywords and the annotation
/// keywords (`title`, `description`…). Validity is unchanged.
pub fn strip_annotations(v: &Value) -> Value {
    let Value::Object(obj) = v else {
        return v.clone();
    };
    let mut out = Map::new();
    for (kw, val) in obj {
        if kw.starts_with("x-onething-")
            || (keywords::ANNOTATIONS.contains(&kw.as_str()) && kw != "contentSchema")
        {
            continue;
        }
        let stripped = match kw.as_str() {
            k if SINGLE.contains(&k) => strip_annotations(val),
            k if MAP.contains(&k) => match val {
                Value::Object(m) => {
                    Value::Object(m.iter().map(|(n, s)| (n.clone(), strip_annotations(s))).collect())
                }
                other => other.clone(),
            },
            k if ARRAY.contains(&k) => match val {
                Value::Array(list) => Value::Array(list.iter().map(strip_annotations).collect()),
                other => other.clone(),
            },
            _ => val.clone(),
        };
        out.insert(kw.clone(), stripped);
    }
    Value::Object(out)
}
