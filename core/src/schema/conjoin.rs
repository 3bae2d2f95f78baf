//! The exact conjunction of JSON Schemas (the job `allOf` flattening does).
//!
//! Given parts `S₁ … Sₙ`, [`Merger::conjoin`] builds one schema `S` with
//! `valid(S, x) ⇔ valid(S₁, x) ∧ … ∧ valid(Sₙ, x)` for every instance `x`:
//!
//! * keywords whose conjunction is again one keyword are combined: `type` and `enum`/`const`
//!   intersect, bounds keep the strictest value, `required` and `dependentRequired` unite,
//!   `multipleOf` of integers becomes their least common multiple, and `properties`,
//!   `prefixItems`/`items`, `propertyNames` and `dependentSchemas` merge recursively (a name
//!   one part does not list meets that part's `additionalProperties`);
//! * everything else — a second, different `pattern` or `format`, `anyOf`, `oneOf`, `not`,
//!   `if`/`then`/`else`, `contains`, unknown keywords, recursive `$ref`s, subschemas with
//!   `unevaluated*` — is kept verbatim as an `allOf` branch. Nothing is ever dropped.
//!
//! When no value can satisfy a location, the location becomes `false` and the reason names
//! every side involved ([`Unsat`]). The check is sound, not complete: a reported conflict is
//! always real, but not every empty conjunction is detected (patterns, for one, are never
//! compared).
//!
//! ```
//! use std::sync::Arc;
//! use onething::schema::{merge, Document, MergeOptions, Origin};
//! use serde_json::json;
//!
//! let a = Document::new(json!({"type": "string", "maxLength": 10}), Origin::document("a"), "a").unwrap();
//! let b = Document::new(json!({"type": ["string", "null"], "minLength": 2}), Origin::document("b"), "b").unwrap();
//! let merged = merge(&[Arc::new(a), Arc::new(b)], MergeOptions::default()).unwrap();
//! assert_eq!(merged.schema["type"], "string");
//! assert_eq!(merged.schema["maxLength"], 10);
//! assert_eq!(merged.schema["minLength"], 2);
//! ```

use std::fmt;
use std::sync::Arc;

use indexmap::{IndexMap, IndexSet};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Number, Value};

use super::document::{Cx, Document, Expanded, MAX_DEPTH, Part, single};
use super::error::SchemaError;
use super::keywords::{self, ANNOTATIONS, DIALECT, SCALAR};
use super::kinds::{Kinds, json_equal, num_cmp};
use super::origin::{Origin, Side};
use crate::base::pointer;

/// A location where no value can satisfy the conjunction, and why.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Unsat {
    /// JSON Pointer of the location in the merged schema.
    pub at: String,
    /// Why each kind of value is ruled out.
    pub reasons: Vec<Reason>,
}

/// One reason a location admits no value: a constraint and the sides that declare it.
/// (`UnsatReason` in the JSON Schemas, apart from a decision's `Reason`.)
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "UnsatReason")]
pub struct Reason {
    /// The constraint, e.g. `type`, `enum`, `minLength/maxLength`, `required`.
    pub constraint: String,
    /// Who declared it, where, with which value.
    pub sides: Vec<Side>,
    /// For `required`: why the required property itself admits no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<Box<Unsat>>,
}

impl Unsat {
    /// Every side named by this conflict, nested reasons included.
    pub fn sides(&self) -> Vec<&Side> {
        let mut out = Vec::new();
        for r in &self.reasons {
            out.extend(r.sides.iter());
            if let Some(b) = &r.because {
                out.extend(b.sides());
            }
        }
        out
    }
}

impl fmt::Display for Unsat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.at.is_empty() { "the root" } else { &self.at };
        write!(f, "no value can satisfy {at}:")?;
        for r in &self.reasons {
            write!(f, " {}", r)?;
        }
        Ok(())
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}:", self.constraint)?;
        for (i, s) in self.sides.iter().enumerate() {
            write!(f, "{} {s}", if i == 0 { "" } else { " vs" })?;
        }
        if let Some(b) = &self.because {
            write!(f, "; because {b}")?;
        }
        write!(f, "]")
    }
}

/// The result of conjoining parts at one location.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged schema (`false` when unsatisfiable).
    pub schema: Value,
    /// Set when no value can satisfy the location.
    pub unsat: Option<Unsat>,
}

/// Options of [`merge`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Add `x-onething-provenance` at the root: for each merged keyword (by JSON Pointer),
    /// the documents and places that declared it.
    pub provenance: bool,
}

/// The result of [`merge`].
#[derive(Debug, Clone)]
pub struct MergeOutput {
    /// The merged schema, a complete draft 2020-12 document.
    pub schema: Value,
    /// Optional places that can never hold a value (for example a property two documents
    /// type differently): valid instances simply never have them.
    pub notes: Vec<Unsat>,
}

/// Why [`merge`] failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// An input is not a usable schema.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// No instance satisfies all inputs.
    #[error("the schemas contradict each other: {0}")]
    Unsatisfiable(Unsat),
}

/// Merges whole documents into one schema accepting exactly what all of them accept.
/// With one document this flattens every `allOf` it can.
pub fn merge(docs: &[Arc<Document>], options: MergeOptions) -> Result<MergeOutput, MergeError> {
    let mut merger = Merger::new(options.provenance);
    let parts = docs.iter().map(|d| Part::root(d)).collect();
    let merged = merger.conjoin(parts, "")?;
    if let Some(unsat) = merged.unsat {
        return Err(MergeError::Unsatisfiable(unsat));
    }
    let mut root = Map::new();
    root.insert("$schema".into(), Value::String(DIALECT.into()));
    if let Value::Object(obj) = merged.schema {
        root.extend(obj);
    }
    let provenance = merger.take_provenance();
    let (defs, notes) = merger.finish();
    if !defs.is_empty() {
        root.insert("$defs".into(), Value::Object(defs.into_iter().collect()));
    }
    if options.provenance {
        root.insert("x-onething-provenance".into(), provenance_value(provenance));
    }
    Ok(MergeOutput { schema: Value::Object(root), notes })
}

/// Checks and merges schema documents given as JSON values, each with the name its
/// messages use (`onething merge` names them by file, the package's `merge()` by position:
/// `schema 1`, `schema 2`…). Every document is checked ([`Document::new`]) and compiled by
/// the validator before anything is merged, so a document `jsonschema` refuses (a bad
/// `pattern`, say) is a [`SchemaError::Invalid`] naming it, not a merge of something no
/// validator accepts.
///
/// ```
/// use onething::schema::{merge_values, MergeOptions};
/// use serde_json::json;
///
/// let docs = [("a".to_owned(), json!({"maxLength": 5})), ("b".to_owned(), json!({"maxLength": 3}))];
/// let out = merge_values(&docs, MergeOptions::default()).unwrap();
/// assert_eq!(out.schema["maxLength"], json!(3));
/// let bad = [("c".to_owned(), json!({"pattern": "("}))];
/// assert!(merge_values(&bad, MergeOptions::default()).unwrap_err().to_string().starts_with("c: "));
/// ```
pub fn merge_values(documents: &[(String, Value)], options: MergeOptions) -> Result<MergeOutput, MergeError> {
    let mut docs = Vec::with_capacity(documents.len());
    for (i, (name, value)) in documents.iter().enumerate() {
        let origin = Origin::document(name.as_str());
        let doc = Document::new(value.clone(), origin.clone(), &format!("s{}", i + 1))?;
        super::validator::compile(value).map_err(|(pointer, message)| SchemaError::Invalid {
            origin,
            pointer,
            message,
        })?;
        docs.push(Arc::new(doc));
    }
    merge(&docs, options)
}

/// Provenance entries as a JSON object: keyword pointer → list of sides.
pub fn provenance_value(entries: Vec<(String, Vec<Side>)>) -> Value {
    let mut map = Map::new();
    for (at, sides) in entries {
        let list: Vec<Value> = sides.iter().map(Side::to_json).collect();
        map.insert(at, Value::Array(list));
    }
    Value::Object(map)
}

/// Conjoins parts, location by location. One merger serves one output document: it collects
/// the hoisted `$defs`, provenance and notes of every location it merged.
#[derive(Debug, Default)]
pub struct Merger {
    cx: Cx,
    annotate: bool,
    provenance: Vec<(String, Vec<Side>)>,
    notes: Vec<Unsat>,
}

impl Merger {
    /// A merger; with `annotate`, it records who declared each merged keyword.
    pub fn new(annotate: bool) -> Merger {
        Merger { annotate, ..Merger::default() }
    }

    /// The conjunction of `parts`, placed at `at` in the output (for messages).
    pub fn conjoin(&mut self, parts: Vec<Part<'_>>, at: &str) -> Result<Merged, SchemaError> {
        self.conjoin_at(parts, at.to_owned(), 0)
    }

    /// A merger for a new output that shares this one's hoisted definitions (so `$ref`s
    /// already exported stay valid), with a fresh work budget and no provenance or notes.
    pub fn fork(&self) -> Merger {
        self.fork_with(self.annotate)
    }

    /// Like [`Merger::fork`], choosing whether to record provenance (a form compiled only
    /// for validation needs none).
    pub fn fork_with(&self, annotate: bool) -> Merger {
        Merger { cx: self.cx.fork(), annotate, provenance: Vec::new(), notes: Vec::new() }
    }

    /// A subschema copied verbatim, `$ref`s hoisted.
    pub fn export(&mut self, part: &Part<'_>) -> Result<Value, SchemaError> {
        self.cx.export(part)
    }

    /// Some keywords of a part copied verbatim as one schema, `$ref`s hoisted: each keyword
    /// exported by its kind (a schema, an array or a map of schemas, or a plain value).
    pub fn export_keywords(&mut self, part: &Part<'_>, kws: &[&str]) -> Result<Value, SchemaError> {
        self.cx.export_keywords(part, kws)
    }

    /// Follows `allOf` and `$ref` from `part`.
    pub fn expand<'a>(&mut self, part: Part<'a>, out: &mut Expanded<'a>) -> Result<(), SchemaError> {
        self.cx.expand(part, out, 0, false)
    }

    /// Like [`Merger::expand`], but a subschema using `unevaluated*` is both kept whole and
    /// offered as an atom, so that its properties can be read.
    pub fn expand_structure<'a>(
        &mut self,
        part: Part<'a>,
        out: &mut Expanded<'a>,
    ) -> Result<(), SchemaError> {
        self.cx.expand(part, out, 0, true)
    }

    /// Provenance recorded since the last call: (keyword pointer, sides).
    pub fn take_provenance(&mut self) -> Vec<(String, Vec<Side>)> {
        std::mem::take(&mut self.provenance)
    }

    /// Definitions hoisted so far (the output's `$defs`).
    pub fn defs(&self) -> &IndexMap<String, Value> {
        &self.cx.defs
    }

    /// The hoisted definitions and the notes of optional places that admit no value.
    pub fn finish(self) -> (IndexMap<String, Value>, Vec<Unsat>) {
        (self.cx.defs, self.notes)
    }

    fn conjoin_at(&mut self, parts: Vec<Part<'_>>, at: String, depth: usize) -> Result<Merged, SchemaError> {
        let mut ex = Expanded::default();
        for p in parts {
            if depth > MAX_DEPTH {
                return Err(SchemaError::TooDeep {
                    origin: p.doc.origin().clone(),
                    pointer: p.at,
                    limit: MAX_DEPTH,
                });
            }
            self.cx.expand(p, &mut ex, depth, false)?;
        }
        if !ex.falses.is_empty() {
            let sides = ex.falses.iter().map(|p| p.side(None, true)).collect();
            let reason = Reason { constraint: "false".into(), sides, because: None };
            return Ok(Merged {
                schema: Value::Bool(false),
                unsat: Some(Unsat { at, reasons: vec![reason] }),
            });
        }
        if ex.atoms.is_empty() && ex.kept.is_empty() {
            return Ok(Merged { schema: Value::Bool(true), unsat: None });
        }
        let level = Level {
            m: self,
            at,
            depth,
            atoms: ex.atoms,
            out: Map::new(),
            overflow: ex.kept.into_iter().map(|(v, _)| v).collect(),
            facts: Facts::default(),
        };
        level.run()
    }
}

/// One location being merged.
struct Level<'m, 'a> {
    m: &'m mut Merger,
    at: String,
    depth: usize,
    atoms: Vec<Part<'a>>,
    out: Map<String, Value>,
    /// Members of the output's `allOf`: what could not be combined.
    overflow: Vec<Value>,
    facts: Facts,
}

type Result2<T = ()> = Result<T, SchemaError>;

impl<'a> Level<'_, 'a> {
    fn run(mut self) -> Result2<Merged> {
        self.annotations()?;
        self.types();
        self.enums();
        for kw in ["format", "pattern"] {
            self.first_wins(kw);
        }
        self.numbers();
        self.multiple_of();
        self.counts();
        self.required();
        self.objects()?;
        self.property_names()?;
        self.dependent_schemas()?;
        self.arrays()?;
        self.contains()?;
        self.applicators()?;
        self.unknown();
        self.facts.settle_required();
        if let Some(unsat) = self.facts.unsat(&self.at) {
            return Ok(Merged { schema: Value::Bool(false), unsat: Some(unsat) });
        }
        if !self.overflow.is_empty() {
            self.out.insert("allOf".into(), Value::Array(std::mem::take(&mut self.overflow)));
        }
        Ok(Merged { schema: Value::Object(self.out), unsat: None })
    }

    fn having(&self, kw: &str) -> Vec<Part<'a>> {
        self.atoms.iter().filter(|p| p.get(kw).is_some()).cloned().collect()
    }

    fn record(&mut self, kw: &str, parts: &[Part<'a>]) {
        if self.m.annotate && !parts.is_empty() {
            // Scalar constraints carry their value: "maxLength 150 from one department,
            // 200 from another" tells the reader (and error blame) who set what.
            let with_value = SCALAR.contains(&kw);
            let sides = parts.iter().map(|p| p.side(Some(kw), with_value)).collect();
            self.m.provenance.push((pointer::join(&self.at, kw), sides));
        }
    }

    fn sub(&mut self, parts: Vec<Part<'a>>, tokens: &[&str]) -> Result2<Merged> {
        let at = tokens.iter().fold(self.at.clone(), |acc, t| pointer::join(&acc, t));
        self.m.conjoin_at(parts, at, self.depth + 1)
    }

    fn annotations(&mut self) -> Result2 {
        for kw in ANNOTATIONS {
            let Some(p) = self.atoms.iter().find(|p| p.get(kw).is_some()).cloned() else {
                continue;
            };
            let v = if *kw == "contentSchema" {
                self.m.cx.export(&p.child(kw, None))?
            } else {
                p.get(kw).cloned().unwrap_or(Value::Null)
            };
            self.out.insert((*kw).to_owned(), v);
            self.record(kw, &[p]);
        }
        Ok(())
    }

    fn types(&mut self) {
        let parts = self.having("type");
        if parts.is_empty() {
            return;
        }
        let kinds = parts
            .iter()
            .fold(Kinds::ALL, |k, p| k.intersect(Kinds::from_type(p.get("type").unwrap_or(&Value::Null))));
        if let Some(t) = kinds.to_type().filter(|_| !kinds.is_empty()) {
            self.out.insert("type".into(), t);
        }
        let sides = parts.iter().map(|p| p.side(Some("type"), true)).collect();
        self.facts.types = Some((kinds, sides));
        self.record("type", &parts);
    }

    fn enums(&mut self) {
        let mut sets: Vec<Vec<Value>> = Vec::new();
        let mut sides = Vec::new();
        let mut all_const = true;
        let mut parts = Vec::new();
        for p in &self.atoms {
            if let Some(c) = p.get("const") {
                sets.push(vec![c.clone()]);
                sides.push(p.side(Some("const"), true));
                parts.push(p.clone());
            }
            if let Some(list) = p.get("enum").and_then(Value::as_array) {
                sets.push(list.clone());
                sides.push(p.side(Some("enum"), true));
                parts.push(p.clone());
                all_const = false;
            }
        }
        let Some((first, rest)) = sets.split_first() else {
            return;
        };
        let mut values: Vec<Value> = Vec::new();
        for v in first {
            let everywhere = rest.iter().all(|set| set.iter().any(|w| json_equal(v, w)));
            if everywhere && !values.iter().any(|w| json_equal(v, w)) {
                values.push(v.clone());
            }
        }
        let kinds = self.facts.kinds();
        values.retain(|v| kinds.contains(Kinds::of(v)));
        match values.as_slice() {
            [one] if all_const => {
                self.out.insert("const".into(), one.clone());
                self.record("const", &parts);
            }
            _ => {
                self.out.insert("enum".into(), Value::Array(values.clone()));
                self.record("enum", &parts);
            }
        }
        self.facts.values = Some((values, sides));
    }

    fn first_wins(&mut self, kw: &str) {
        let parts = self.having(kw);
        for p in &parts {
            let v = p.get(kw).cloned().unwrap_or(Value::Null);
            match self.out.get(kw) {
                None => {
                    self.out.insert(kw.to_owned(), v);
                }
                Some(existing) if json_equal(existing, &v) => {}
                Some(_) => self.overflow.push(single(kw, v)),
            }
        }
        self.record(kw, &parts);
    }

    /// The strictest value of a numeric keyword: the largest (`max`) or the smallest.
    fn strictest(&mut self, kw: &str, max: bool) -> Option<(Number, Side)> {
        let parts = self.having(kw);
        let mut best: Option<(Number, Side)> = None;
        for p in &parts {
            let Some(n) = p.get(kw).and_then(Value::as_number).cloned() else {
                continue;
            };
            let better = best.as_ref().is_none_or(|(b, _)| {
                let ord = num_cmp(&n, b);
                if max { ord.is_gt() } else { ord.is_lt() }
            });
            if better {
                best = Some((n, p.side(Some(kw), true)));
            }
        }
        if let Some((n, side)) = &best {
            self.out.insert(kw.to_owned(), Value::Number(n.clone()));
            // The part whose value won comes first, the others in their order.
            let (mut ordered, others): (Vec<_>, Vec<_>) = parts.iter().cloned().partition(|p| {
                p.side(Some(kw), false).pointer == side.pointer && p.doc.origin() == &side.origin
            });
            ordered.extend(others);
            self.record(kw, &ordered);
        }
        best
    }

    fn numbers(&mut self) {
        let min = self.strictest("minimum", true);
        let xmin = self.strictest("exclusiveMinimum", true);
        let max = self.strictest("maximum", false);
        let xmax = self.strictest("exclusiveMaximum", false);
        self.facts.lower =
            Bound::tighter(min.map(|m| Bound::new(m, false)), xmin.map(|m| Bound::new(m, true)), true);
        self.facts.upper =
            Bound::tighter(max.map(|m| Bound::new(m, false)), xmax.map(|m| Bound::new(m, true)), false);
    }

    fn multiple_of(&mut self) {
        let parts = self.having("multipleOf");
        let mut distinct: Vec<Number> = Vec::new();
        for p in &parts {
            if let Some(n) = p.get("multipleOf").and_then(Value::as_number) {
                if !distinct.iter().any(|d| num_cmp(d, n).is_eq()) {
                    distinct.push(n.clone());
                }
            }
        }
        let as_int = |n: &Number| {
            n.as_u64().or_else(|| {
                n.as_f64().filter(|f| *f >= 1.0 && f.fract() == 0.0 && *f < 9e15).map(|f| f as u64)
            })
        };
        let ints: Option<Vec<u64>> = distinct.iter().map(as_int).collect();
        let lcm = ints.and_then(|v| v.into_iter().try_fold(1u64, lcm));
        match (lcm, distinct.split_first()) {
            (_, None) => return,
            (Some(l), Some(_)) if distinct.len() > 1 => {
                self.out.insert("multipleOf".into(), Value::Number(l.into()));
            }
            (_, Some((first, rest))) => {
                self.out.insert("multipleOf".into(), Value::Number(first.clone()));
                for n in rest {
                    self.overflow.push(single("multipleOf", Value::Number(n.clone())));
                }
            }
        }
        self.record("multipleOf", &parts);
    }

    fn counts(&mut self) {
        let count = |m: Option<(Number, Side)>| m.map(|(n, s)| (n.as_f64().unwrap_or(0.0), s));
        self.facts.min_len = count(self.strictest("minLength", true));
        self.facts.max_len = count(self.strictest("maxLength", false));
        self.facts.min_items = count(self.strictest("minItems", true));
        self.facts.max_items = count(self.strictest("maxItems", false));
        self.facts.min_props = count(self.strictest("minProperties", true));
        self.facts.max_props = count(self.strictest("maxProperties", false));
        let parts = self.having("uniqueItems");
        if parts.iter().any(|p| p.get("uniqueItems") == Some(&Value::Bool(true))) {
            self.out.insert("uniqueItems".into(), Value::Bool(true));
            self.record("uniqueItems", &parts);
        }
    }

    fn required(&mut self) {
        let parts = self.having("required");
        let mut names: IndexMap<String, Side> = IndexMap::new();
        for p in &parts {
            for name in
                p.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                names.entry(name.to_owned()).or_insert_with(|| p.side(Some("required"), false));
            }
        }
        if !names.is_empty() {
            let list = names.keys().map(|n| Value::String(n.clone())).collect();
            self.out.insert("required".into(), Value::Array(list));
            self.record("required", &parts);
        }
        self.facts.required = names;

        let parts = self.having("dependentRequired");
        let mut deps: IndexMap<String, IndexSet<String>> = IndexMap::new();
        for p in &parts {
            for (k, list) in p.get("dependentRequired").and_then(Value::as_object).into_iter().flatten() {
                let entry = deps.entry(k.clone()).or_default();
                entry.extend(
                    list.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned),
                );
            }
        }
        if !deps.is_empty() {
            let obj = deps
                .into_iter()
                .map(|(k, v)| (k, Value::Array(v.into_iter().map(Value::String).collect())))
                .collect();
            self.out.insert("dependentRequired".into(), Value::Object(obj));
            self.record("dependentRequired", &parts);
        }
    }

    fn objects(&mut self) -> Result2 {
        let group: Vec<Part<'a>> = self
            .atoms
            .iter()
            .filter(|p| {
                ["properties", "patternProperties", "additionalProperties"].iter().any(|k| p.get(k).is_some())
            })
            .cloned()
            .collect();
        if group.len() > 1 {
            // With several parts, `additionalProperties` next to `patternProperties` depends on
            // which names the patterns match; regexes are never compared, so such parts stay whole.
            let (patterned, plain): (Vec<Part<'a>>, Vec<Part<'a>>) =
                group.into_iter().partition(|p| p.get("patternProperties").is_some());
            for p in &patterned {
                let kept = self
                    .m
                    .export_keywords(p, &["properties", "patternProperties", "additionalProperties"])?;
                self.overflow.push(kept);
            }
            self.facts.patterns = !patterned.is_empty();
            return self.merge_properties(&plain);
        }
        if let Some(only) = group.first().cloned() {
            let mut patterns = Map::new();
            for name in only
                .get("patternProperties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
            {
                let merged = self
                    .sub(vec![only.child("patternProperties", Some(&name))], &["patternProperties", &name])?;
                patterns.insert(name, merged.schema);
            }
            if !patterns.is_empty() {
                self.facts.patterns = true;
                self.out.insert("patternProperties".into(), Value::Object(patterns));
                self.record("patternProperties", std::slice::from_ref(&only));
            }
            self.merge_properties(&[only])?;
        }
        Ok(())
    }

    fn merge_properties(&mut self, group: &[Part<'a>]) -> Result2 {
        let mut names: IndexSet<String> = IndexSet::new();
        for p in group {
            names.extend(
                p.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.clone()),
            );
        }
        let mut props = Map::new();
        for name in &names {
            let parts: Vec<Part<'a>> = group
                .iter()
                .filter_map(|a| {
                    if a.get("properties").and_then(|ps| ps.get(name)).is_some() {
                        Some(a.child("properties", Some(name)))
                    } else {
                        a.get("additionalProperties").map(|_| a.child("additionalProperties", None))
                    }
                })
                .collect();
            let merged = self.sub(parts, &["properties", name])?;
            if let Some(u) = merged.unsat {
                self.m.notes.push(u.clone());
                self.facts.dead_props.insert(name.clone(), u);
            }
            props.insert(name.clone(), merged.schema);
            self.facts.declared.insert(name.clone());
        }
        if !props.is_empty() {
            self.out.insert("properties".into(), Value::Object(props));
            let declaring: Vec<Part<'a>> =
                group.iter().filter(|p| p.get("properties").is_some()).cloned().collect();
            self.record("properties", &declaring);
        }
        let extra: Vec<Part<'a>> = group
            .iter()
            .filter(|p| p.get("additionalProperties").is_some())
            .map(|p| p.child("additionalProperties", None))
            .collect();
        if !extra.is_empty() {
            let merged = self.sub(extra.clone(), &["additionalProperties"])?;
            self.facts.dead_extra = merged.unsat;
            self.out.insert("additionalProperties".into(), merged.schema);
        }
        Ok(())
    }

    fn property_names(&mut self) -> Result2 {
        let parts: Vec<Part<'a>> =
            self.having("propertyNames").iter().map(|p| p.child("propertyNames", None)).collect();
        if parts.is_empty() {
            return Ok(());
        }
        let merged = self.sub(parts, &["propertyNames"])?;
        self.facts.names_forbidden = merged.unsat.is_some();
        self.out.insert("propertyNames".into(), merged.schema);
        Ok(())
    }

    fn dependent_schemas(&mut self) -> Result2 {
        let parts = self.having("dependentSchemas");
        let mut keys: IndexSet<String> = IndexSet::new();
        for p in &parts {
            keys.extend(
                p.get("dependentSchemas")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone()),
            );
        }
        let mut out = Map::new();
        for key in keys {
            let subs = parts
                .iter()
                .filter(|p| p.get("dependentSchemas").and_then(|d| d.get(&key)).is_some())
                .map(|p| p.child("dependentSchemas", Some(&key)))
                .collect();
            let merged = self.sub(subs, &["dependentSchemas", &key])?;
            out.insert(key, merged.schema);
        }
        if !out.is_empty() {
            self.out.insert("dependentSchemas".into(), Value::Object(out));
            self.record("dependentSchemas", &parts);
        }
        Ok(())
    }

    fn arrays(&mut self) -> Result2 {
        let group: Vec<Part<'a>> = self
            .atoms
            .iter()
            .filter(|p| p.get("prefixItems").is_some() || p.get("items").is_some())
            .cloned()
            .collect();
        let len = |p: &Part<'a>| p.get("prefixItems").and_then(Value::as_array).map_or(0, Vec::len);
        let longest = group.iter().map(len).max().unwrap_or(0);
        let mut prefix = Vec::new();
        for k in 0..longest {
            let index = k.to_string();
            let parts: Vec<Part<'a>> = group
                .iter()
                .filter_map(|a| {
                    if k < len(a) {
                        Some(a.child("prefixItems", Some(&index)))
                    } else {
                        a.get("items").map(|_| a.child("items", None))
                    }
                })
                .collect();
            let merged = self.sub(parts, &["prefixItems", &index])?;
            if let Some(u) = merged.unsat {
                self.facts.dead_positions.push((k, u));
            }
            prefix.push(merged.schema);
        }
        if !prefix.is_empty() {
            self.out.insert("prefixItems".into(), Value::Array(prefix));
            let declaring: Vec<Part<'a>> =
                group.iter().filter(|p| p.get("prefixItems").is_some()).cloned().collect();
            self.record("prefixItems", &declaring);
        }
        let items: Vec<Part<'a>> =
            group.iter().filter(|p| p.get("items").is_some()).map(|p| p.child("items", None)).collect();
        if !items.is_empty() {
            let merged = self.sub(items, &["items"])?;
            if let Some(u) = merged.unsat {
                self.facts.dead_positions.push((longest, u));
            }
            self.out.insert("items".into(), merged.schema);
        }
        Ok(())
    }

    fn contains(&mut self) -> Result2 {
        let group_kws = ["contains", "minContains", "maxContains"];
        let group: Vec<Part<'a>> =
            self.atoms.iter().filter(|p| group_kws.iter().any(|k| p.get(k).is_some())).cloned().collect();
        let Some((first, rest)) = group.split_first() else {
            return Ok(());
        };
        if first.get("contains").is_some() {
            let merged = self.sub(vec![first.child("contains", None)], &["contains"])?;
            self.out.insert("contains".into(), merged.schema);
        }
        for kw in ["minContains", "maxContains"] {
            if let Some(v) = first.get(kw) {
                self.out.insert(kw.into(), v.clone());
            }
        }
        for p in rest {
            let kept = self.m.export_keywords(p, &group_kws)?;
            self.overflow.push(kept);
        }
        self.record("contains", &group);
        Ok(())
    }

    /// `anyOf`, `oneOf`, `not` and `if`/`then`/`else`: the first part's stay at this level
    /// (their subschemas flattened), the others' become `allOf` branches.
    fn applicators(&mut self) -> Result2 {
        for kw in ["anyOf", "oneOf"] {
            let parts = self.having(kw);
            let Some((first, rest)) = parts.split_first() else {
                continue;
            };
            let n = first.get(kw).and_then(Value::as_array).map_or(0, Vec::len);
            let mut members = Vec::new();
            for i in 0..n {
                let index = i.to_string();
                members.push(self.sub(vec![first.child(kw, Some(&index))], &[kw, &index])?.schema);
            }
            self.out.insert(kw.into(), Value::Array(members));
            for p in rest {
                let kept = self.m.export_keywords(p, &[kw])?;
                self.overflow.push(kept);
            }
            self.record(kw, &parts);
        }
        let parts = self.having("not");
        if let Some((first, rest)) = parts.split_first() {
            let merged = self.sub(vec![first.child("not", None)], &["not"])?;
            self.out.insert("not".into(), merged.schema);
            for p in rest {
                let kept = self.m.export_keywords(p, &["not"])?;
                self.overflow.push(kept);
            }
            self.record("not", &parts);
        }
        let cond = ["if", "then", "else"];
        let parts: Vec<Part<'a>> =
            self.atoms.iter().filter(|p| cond.iter().any(|k| p.get(k).is_some())).cloned().collect();
        if let Some((first, rest)) = parts.split_first() {
            for kw in cond {
                if first.get(kw).is_some() {
                    let merged = self.sub(vec![first.child(kw, None)], &[kw])?;
                    self.out.insert(kw.into(), merged.schema);
                }
            }
            for p in rest {
                let kept = self.m.export_keywords(p, &cond)?;
                self.overflow.push(kept);
            }
            self.record("if", &parts);
        }
        Ok(())
    }

    fn unknown(&mut self) {
        for p in self.atoms.clone() {
            let Some(obj) = p.value().as_object() else {
                continue;
            };
            for (kw, v) in obj {
                if keywords::is_known(kw) {
                    continue;
                }
                match self.out.get(kw) {
                    None => {
                        self.out.insert(kw.clone(), v.clone());
                    }
                    Some(existing) if json_equal(existing, v) => {}
                    Some(_) => self.overflow.push(single(kw, v.clone())),
                }
            }
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> Option<u64> {
    if a == 0 || b == 0 {
        return None;
    }
    (a / gcd(a, b)).checked_mul(b)
}

/// A numeric bound: value, exclusive or not, and who declared it.
#[derive(Debug, Clone)]
struct Bound {
    value: f64,
    exclusive: bool,
    side: Side,
}

impl Bound {
    fn new((n, side): (Number, Side), exclusive: bool) -> Bound {
        Bound { value: n.as_f64().unwrap_or(0.0), exclusive, side }
    }

    /// The stricter of an inclusive and an exclusive bound (`lower` picks the larger).
    fn tighter(a: Option<Bound>, b: Option<Bound>, lower: bool) -> Option<Bound> {
        match (a, b) {
            (Some(a), Some(b)) => {
                let b_wins = if lower { b.value >= a.value } else { b.value <= a.value };
                Some(if b_wins { b } else { a })
            }
            (a, b) => a.or(b),
        }
    }
}

/// What the merge learnt about one location, enough to tell (soundly) that no value fits.
#[derive(Debug, Default)]
struct Facts {
    types: Option<(Kinds, Vec<Side>)>,
    values: Option<(Vec<Value>, Vec<Side>)>,
    lower: Option<Bound>,
    upper: Option<Bound>,
    min_len: Option<(f64, Side)>,
    max_len: Option<(f64, Side)>,
    min_items: Option<(f64, Side)>,
    max_items: Option<(f64, Side)>,
    min_props: Option<(f64, Side)>,
    max_props: Option<(f64, Side)>,
    dead_positions: Vec<(usize, Unsat)>,
    required: IndexMap<String, Side>,
    dead_props: IndexMap<String, Unsat>,
    /// Names the merged `properties` lists.
    declared: IndexSet<String>,
    dead_extra: Option<Unsat>,
    patterns: bool,
    names_forbidden: bool,
    /// Required properties whose schema admits no value, with the side requiring them.
    dead_required: Vec<(Side, Unsat)>,
}

impl Facts {
    fn kinds(&self) -> Kinds {
        self.types.as_ref().map_or(Kinds::ALL, |(k, _)| *k)
    }

    fn settle_required(&mut self) {
        for (name, side) in &self.required {
            // A required name meets `additionalProperties` only when no merged `properties`
            // entry (and no pattern) claims it.
            let dead = match self.dead_props.get(name) {
                Some(u) => Some(u.clone()),
                None if !self.patterns && !self.declared.contains(name) => self.dead_extra.clone(),
                None => None,
            };
            if let Some(u) = dead {
                self.dead_required.push((side.clone(), u));
            }
        }
    }

    /// Kinds ruled out by a constraint, each with its reason.
    fn dead_kinds(&self) -> Vec<(Kinds, Reason)> {
        let mut dead = Vec::new();
        let reason = |constraint: &str, sides: Vec<Side>| Reason {
            constraint: constraint.into(),
            sides,
            because: None,
        };
        if let (Some((lo, a)), Some((hi, b))) = (&self.min_len, &self.max_len) {
            if lo > hi {
                dead.push((Kinds::STRING, reason("minLength/maxLength", vec![a.clone(), b.clone()])));
            }
        }
        let (int_dead, frac_dead) = self.numbers_dead();
        if int_dead || frac_dead {
            let sides = [&self.lower, &self.upper].into_iter().flatten().map(|b| b.side.clone()).collect();
            let kinds = match (int_dead, frac_dead) {
                (true, true) => Kinds::NUMBER,
                (true, false) => Kinds::INTEGER,
                _ => Kinds::FRACTION,
            };
            dead.push((kinds, reason("minimum/maximum", sides)));
        }
        if let (Some((lo, a)), Some((hi, b))) = (&self.min_items, &self.max_items) {
            if lo > hi {
                dead.push((Kinds::ARRAY, reason("minItems/maxItems", vec![a.clone(), b.clone()])));
            }
        }
        let min_items = self.min_items.as_ref().map_or(0.0, |(n, _)| *n);
        if let Some((k, u)) = self.dead_positions.iter().find(|(k, _)| (*k as f64) < min_items) {
            let side = self.min_items.as_ref().map(|(_, s)| s.clone());
            let mut r = reason(&format!("minItems (item {k})"), side.into_iter().collect());
            r.because = Some(Box::new(u.clone()));
            dead.push((Kinds::ARRAY, r));
        }
        if let (Some((lo, a)), Some((hi, b))) = (&self.min_props, &self.max_props) {
            if lo > hi {
                dead.push((Kinds::OBJECT, reason("minProperties/maxProperties", vec![a.clone(), b.clone()])));
            }
        }
        if let Some((hi, b)) = &self.max_props {
            if self.required.len() as f64 > *hi {
                let mut sides: Vec<Side> = self.required.values().cloned().collect();
                sides.dedup();
                sides.push(b.clone());
                dead.push((Kinds::OBJECT, reason("required/maxProperties", sides)));
            }
        }
        if let Some((side, u)) = self.dead_required.first() {
            let mut r = reason("required", vec![side.clone()]);
            r.because = Some(Box::new(u.clone()));
            dead.push((Kinds::OBJECT, r));
        }
        if self.names_forbidden && !self.required.is_empty() {
            let sides = self.required.values().take(1).cloned().collect();
            dead.push((Kinds::OBJECT, reason("required/propertyNames", sides)));
        }
        dead
    }

    /// (no integer fits, no non-integer fits) between the numeric bounds.
    fn numbers_dead(&self) -> (bool, bool) {
        if self.lower.is_none() && self.upper.is_none() {
            return (false, false);
        }
        let (lo, lo_x) = self.lower.as_ref().map_or((f64::NEG_INFINITY, false), |b| (b.value, b.exclusive));
        let (hi, hi_x) = self.upper.as_ref().map_or((f64::INFINITY, false), |b| (b.value, b.exclusive));
        let frac_dead = if lo < hi {
            false
        } else if lo > hi {
            true
        } else {
            lo_x || hi_x || lo.fract() == 0.0
        };
        let first_int = if lo_x && lo.fract() == 0.0 { lo + 1.0 } else { lo.ceil() };
        let last_int = if hi_x && hi.fract() == 0.0 { hi - 1.0 } else { hi.floor() };
        (first_int > last_int, frac_dead)
    }

    fn value_fits(&self, v: &Value, dead: Kinds) -> bool {
        if dead.contains(Kinds::of(v)) {
            return false;
        }
        let within = |n: f64, lo: &Option<(f64, Side)>, hi: &Option<(f64, Side)>| {
            lo.as_ref().is_none_or(|(l, _)| n >= *l) && hi.as_ref().is_none_or(|(h, _)| n <= *h)
        };
        match v {
            Value::String(s) => within(s.chars().count() as f64, &self.min_len, &self.max_len),
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(0.0);
                self.lower.as_ref().is_none_or(|b| if b.exclusive { x > b.value } else { x >= b.value })
                    && self.upper.as_ref().is_none_or(
                        |b| {
                            if b.exclusive { x < b.value } else { x <= b.value }
                        },
                    )
            }
            Value::Array(a) => within(a.len() as f64, &self.min_items, &self.max_items),
            Value::Object(o) => {
                within(o.len() as f64, &self.min_props, &self.max_props)
                    && self.required.keys().all(|k| o.contains_key(k))
            }
            _ => true,
        }
    }

    fn unsat(&self, at: &str) -> Option<Unsat> {
        let typed = self.kinds();
        let unsat = |reasons| Some(Unsat { at: at.to_owned(), reasons });
        if typed.is_empty() {
            let sides = self.types.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
            return unsat(vec![Reason { constraint: "type".into(), sides, because: None }]);
        }
        let dead = self.dead_kinds();
        let dead_kinds = dead.iter().fold(Kinds::NONE, |k, (d, _)| k.union(*d));
        let mut alive = typed.without(dead_kinds);
        let mut reasons: Vec<Reason> = Vec::new();
        if let Some((values, sides)) = &self.values {
            let fitting = values
                .iter()
                .filter(|v| self.value_fits(v, dead_kinds))
                .fold(Kinds::NONE, |k, v| k.union(Kinds::of(v)));
            alive = alive.intersect(fitting);
            if alive.is_empty() {
                reasons.push(Reason { constraint: "enum".into(), sides: sides.clone(), because: None });
                if !values.is_empty() {
                    let value_kinds = values.iter().fold(Kinds::NONE, |k, v| k.union(Kinds::of(v)));
                    reasons.extend(dead.into_iter().filter(|(k, _)| k.meets(value_kinds)).map(|(_, r)| r));
                }
                return unsat(reasons);
            }
        }
        if !alive.is_empty() {
            return None;
        }
        if let Some((_, sides)) = &self.types {
            reasons.push(Reason { constraint: "type".into(), sides: sides.clone(), because: None });
        }
        reasons.extend(dead.into_iter().filter(|(k, _)| k.meets(typed)).map(|(_, r)| r));
        unsat(reasons)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn merged(schemas: &[Value]) -> Result<Value, MergeError> {
        let docs: Vec<Arc<Document>> = schemas
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Arc::new(
                    Document::new(s.clone(), super::super::Origin::document(format!("s{i}")), "s").unwrap(),
                )
            })
            .collect();
        merge(&docs, MergeOptions::default()).map(|m| m.schema)
    }

    #[test]
    fn a_required_declared_property_does_not_meet_additional_properties() {
        // Regression: `additionalProperties: false` was applied to required names that
        // `properties` lists, turning this satisfiable schema into `false`.
        let s = json!({"type": "object", "additionalProperties": false, "required": ["a"], "properties": {"a": {"type": "string"}}});
        let m = merged(&[s]).unwrap();
        assert_eq!(m["required"], json!(["a"]));
        let v = crate::schema::compile(&m).unwrap();
        assert!(v.is_valid(&json!({"a": "x"})));
        assert!(!v.is_valid(&json!({"a": "x", "b": 1})));
    }

    #[test]
    fn a_required_undeclared_property_meets_additional_properties() {
        let e = merged(&[json!({"type": "object", "additionalProperties": false, "required": ["b"], "properties": {"a": {}}})]).unwrap_err();
        let MergeError::Unsatisfiable(u) = e else { panic!("{e:?}") };
        assert_eq!(u.reasons[0].constraint, "type");
        assert_eq!(u.reasons[1].constraint, "required");
    }

    #[test]
    fn bounds_keep_the_strictest_and_conflicts_name_both_sides() {
        let m = merged(&[
            json!({"type": "integer", "minimum": 1, "maximum": 10}),
            json!({"minimum": 3, "exclusiveMaximum": 8}),
        ])
        .unwrap();
        assert_eq!(
            (m["minimum"].clone(), m["maximum"].clone(), m["exclusiveMaximum"].clone()),
            (json!(3), json!(10), json!(8))
        );
        let MergeError::Unsatisfiable(u) =
            merged(&[json!({"type": "integer", "minimum": 5}), json!({"maximum": 4})]).unwrap_err()
        else {
            panic!()
        };
        let pointers: Vec<&str> = u.sides().iter().map(|s| s.pointer.as_str()).collect();
        assert!(pointers.contains(&"/minimum") && pointers.contains(&"/maximum"), "{pointers:?}");
    }

    #[test]
    fn what_cannot_be_combined_goes_to_all_of() {
        let m = merged(&[
            json!({"pattern": "^a", "anyOf": [{"type": "string"}]}),
            json!({"pattern": "b$", "anyOf": [{"minLength": 2}]}),
        ])
        .unwrap();
        assert_eq!(m["pattern"], "^a");
        assert_eq!(m["allOf"], json!([{"pattern": "b$"}, {"anyOf": [{"minLength": 2}]}]));
    }

    #[test]
    fn integer_multiples_combine_into_their_lcm() {
        let m = merged(&[json!({"multipleOf": 4}), json!({"multipleOf": 6})]).unwrap();
        assert_eq!(m["multipleOf"], 12);
        let m = merged(&[json!({"multipleOf": 0.5}), json!({"multipleOf": 0.3})]).unwrap();
        assert_eq!(m["multipleOf"], 0.5);
        assert_eq!(m["allOf"], json!([{"multipleOf": 0.3}]));
    }

    #[test]
    fn enums_intersect_with_numeric_equality() {
        let m = merged(&[
            json!({"enum": [1, "a", null]}),
            json!({"enum": [1.0, "a"]}),
            json!({"type": "integer"}),
        ])
        .unwrap();
        assert_eq!(m["enum"], json!([1]));
    }
}
