//! From one department's form to the canonical form.
//!
//! A department publishes its form in its own names and nesting (`/applicant/idNo`). The
//! field map says which of its properties are which canonical keys. Translation walks the
//! department's schema from the root and splits it in three:
//!
//! * the **structure**: objects with mapped properties below them are *decomposed* (a
//!   [`Node`]); every other property is a *leaf* ([`Leaf`]) bound to one canonical key;
//! * the **canonical constraints**: each leaf's subschemas become parts of its key (value
//!   maps are pulled back exactly: the key admits the canonical values whose image the
//!   department accepts), and the constraints of decomposed objects — `required`,
//!   `dependentRequired`, `if`/`then`/`else`, `anyOf`… — are rewritten over canonical keys;
//! * the **residual**: what cannot be said over canonical keys (constraints on the value a
//!   date transform produces, `minProperties` on a decomposed object…). It stays in the
//!   department's terms and is checked against the department's view of the submission
//!   (see [`crate::compile::project`]). Nothing is dropped.
//!
//! An intermediate object exists in the department's view when one of its leaves has a
//! value, or when it is required and its parent exists; `required` inside an optional object
//! therefore becomes "if any field of this object is given, these are required".
//!
//! A property the field map fixes to a constant is neither a leaf nor a key: it is checked
//! against the department's subschema here (a constant the department refuses is a problem
//! at its field map entry), written into every view, and the objects holding it exist
//! whenever their parent does (as if required). A constraint of a decomposed object that
//! reads it is decided here when it can be (the constant is known), else left to the
//! residual, which sees it in the view.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::{IndexMap, IndexSet};
use serde_json::{Map, Value, json};

use crate::base::date::LayoutKind;
use crate::base::pointer;
use crate::compile::transform::ValueTransform;
use crate::model::bundle::{FieldMapping, Transform};
use crate::model::error::Problem;
use crate::rules::Sandbox;
use crate::schema::{self, Document, Expanded, Kinds, Merger, Origin, Part, SchemaError, Side};

/// A department property bound to one canonical key.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Property path in the department's data.
    pub path: Vec<String>,
    /// The same as a JSON Pointer, e.g. `/applicant/idNo`. (Shared: every dispatch's
    /// manifest refers to it without copying.)
    pub pointer: Arc<str>,
    /// The canonical key.
    pub key: Arc<str>,
    /// The value transform, if the field map gives one.
    pub transform: Option<ValueTransform>,
}

/// A decomposed object of the department's data.
#[derive(Debug, Clone)]
pub struct Node {
    /// Property path in the department's data (empty for the root).
    pub path: Vec<String>,
    /// Required by its parent: it exists whenever its parent does.
    pub forced: bool,
    /// Its properties, in the department's order.
    pub children: IndexMap<String, Child>,
    /// The canonical keys of every leaf below.
    pub keys: Vec<String>,
}

/// A property of a decomposed object.
#[derive(Debug, Clone)]
pub enum Child {
    /// A leaf, by index into [`Translation::leaves`].
    Leaf(usize),
    /// A decomposed object.
    Node(Node),
    /// A constant of the field map, by index into [`Translation::constants`].
    Constant(usize),
}

/// A department property the field map fixes to one value.
#[derive(Debug, Clone)]
pub struct Constant {
    /// Property path in the department's data.
    pub path: Vec<String>,
    /// The same as a JSON Pointer.
    pub pointer: Arc<str>,
    /// The value, in the department's coding.
    pub value: Value,
}

/// A part of a translation's documents, stored by document index and pointer.
#[derive(Debug, Clone)]
pub struct StoredPart {
    /// Index into [`Translation::docs`].
    pub doc: usize,
    /// JSON Pointer in that document.
    pub at: String,
}

/// One item's form, translated.
#[derive(Debug)]
pub struct Translation {
    /// The department's schema first, then documents the translation made (the canonical
    /// side of transformed fields).
    pub docs: Vec<Document>,
    /// The decomposed root object.
    pub root: Node,
    /// Every leaf, in the department's order.
    pub leaves: Vec<Leaf>,
    /// Every constant of the field map, in the department's order.
    pub constants: Vec<Constant>,
    /// Value constraints per canonical key.
    pub parts: IndexMap<String, Vec<StoredPart>>,
    /// Canonical keys required whenever the item applies, with who requires them.
    pub required: Vec<(String, Side)>,
    /// `(a, b, side)`: when `a` has a value, `b` must have one too.
    pub dependent: Vec<(String, String, Side)>,
    /// Constraints over several canonical keys, for the merged form's `allOf`.
    pub cross: Vec<(Value, Side)>,
    /// The residual schema in the department's terms, with its own `$defs`.
    pub residual: Option<Value>,
    /// The part of the department's data the residual schema reads: `root` cut down to the
    /// objects and leaves at or below the residual's paths, and the objects on the way
    /// there. Projecting it instead of `root` checks the residual without copying the
    /// values it never looks at.
    pub residual_view: Option<Node>,
    /// Non-fatal observations: the place in the bundle document, and the message.
    pub warnings: Vec<(String, String)>,
}

/// Why a constraint cannot be rewritten over canonical keys.
enum Untranslatable {
    Residual,
    Schema(SchemaError),
}

impl Translation {
    /// The value constraints of one canonical key.
    pub fn parts_of(&self, key: &str) -> Vec<Part<'_>> {
        self.parts
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|p| self.docs.get(p.doc).map(|d| Part::at(d, &p.at)))
            .collect()
    }
}

impl From<SchemaError> for Untranslatable {
    fn from(e: SchemaError) -> Self {
        Untranslatable::Schema(e)
    }
}

/// The canonical months a month layout (`YYYYMM`) maps: `YYYY-MM`.
pub const MONTH_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])$";

/// Keywords that never constrain an object instance.
const NOT_FOR_OBJECTS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "items",
    "prefixItems",
    "contains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minContains",
    "maxContains",
];

/// Translates one item's department schema. `item` is the item's place in the bundle
/// document (`/items/<n>`), where problems are placed: a field map problem at its entry, a
/// schema problem at the item's `schema`. `form` is the merger of the bundle's form:
/// constraints rewritten here are exported into its `$defs`.
pub fn translate(
    doc: Document,
    item: &str,
    field_map: &IndexMap<String, FieldMapping>,
    form: &mut Merger,
    sandbox: &Sandbox,
) -> Result<Translation, Vec<Problem>> {
    let (root, synthetic, residual, t) = Translator {
        item,
        doc: &doc,
        sandbox,
        origin: doc.origin().clone(),
        maps: Vec::new(),
        form,
        residual: Merger::new(false),
        frags: Vec::new(),
        problems: Vec::new(),
        atoms: HashMap::new(),
        synthetic: Vec::new(),
        leaves: Vec::new(),
        constants: Vec::new(),
        parts: IndexMap::new(),
        required: Vec::new(),
        dependent: Vec::new(),
        cross: Vec::new(),
        warnings: Vec::new(),
    }
    .run(field_map)?;
    let mut docs = vec![doc];
    docs.extend(synthetic);
    Ok(Translation {
        docs,
        root,
        leaves: t.leaves,
        constants: t.constants,
        parts: t.parts,
        required: t.required,
        dependent: t.dependent,
        cross: t.cross,
        residual,
        residual_view: t.residual_view,
        warnings: t.warnings,
    })
}

/// What a translation produces besides its documents.
struct Outcome {
    residual_view: Option<Node>,
    leaves: Vec<Leaf>,
    constants: Vec<Constant>,
    parts: IndexMap<String, Vec<StoredPart>>,
    required: Vec<(String, Side)>,
    dependent: Vec<(String, String, Side)>,
    cross: Vec<(Value, Side)>,
    warnings: Vec<(String, String)>,
}

struct Translator<'a, 'f> {
    /// The item's place in the bundle document.
    item: &'f str,
    doc: &'a Document,
    sandbox: &'a Sandbox,
    origin: Origin,
    maps: Vec<(Vec<String>, String, FieldMapping)>,
    form: &'f mut Merger,
    residual: Merger,
    frags: Vec<(Vec<String>, Value)>,
    problems: Vec<Problem>,
    /// The expanded subschemas of each decomposed object, by path.
    atoms: HashMap<Vec<String>, Vec<Part<'a>>>,
    /// Documents made by the translation; stored parts index them from 1.
    synthetic: Vec<Document>,
    leaves: Vec<Leaf>,
    constants: Vec<Constant>,
    parts: IndexMap<String, Vec<StoredPart>>,
    required: Vec<(String, Side)>,
    dependent: Vec<(String, String, Side)>,
    cross: Vec<(Value, Side)>,
    warnings: Vec<(String, String)>,
}

impl<'a> Translator<'a, '_> {
    #[allow(clippy::type_complexity)]
    fn run(
        mut self,
        field_map: &IndexMap<String, FieldMapping>,
    ) -> Result<(Node, Vec<Document>, Option<Value>, Outcome), Vec<Problem>> {
        for (ptr, mapping) in field_map {
            match pointer::split(ptr) {
                Some(tokens) if !tokens.is_empty() => self.maps.push((tokens, ptr.clone(), mapping.clone())),
                _ => self.problem(ptr, "is not a JSON Pointer to a property, such as `/applicant/idNo`"),
            }
        }
        let root = match self.build_node(vec![Part::root(self.doc)], Vec::new(), true, 0) {
            Ok(root) => root,
            Err(error) => return Err(vec![self.schema_problem(error)]),
        };
        self.check_map_targets(&root);
        if let Err(error) = self.constraints(&root, None) {
            self.problems.push(self.schema_problem(error));
        }
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        let residual_paths: Vec<Vec<String>> = self.frags.iter().map(|(path, _)| path.clone()).collect();
        let residual = self.residual_schema();
        let residual_view = residual.is_some().then(|| prune(&root, &residual_paths));
        let outcome = Outcome {
            residual_view,
            leaves: self.leaves,
            constants: self.constants,
            parts: self.parts,
            required: self.required,
            dependent: self.dependent,
            cross: self.cross,
            warnings: self.warnings,
        };
        Ok((root, self.synthetic, residual, outcome))
    }

    fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem::FieldMap {
            item: self.origin.item.clone().unwrap_or_default(),
            department: self.origin.department.clone().unwrap_or_default(),
            pointer: pointer.to_owned(),
            message: message.into(),
            bundle_pointer: Some(pointer::join(&pointer::join(self.item, "field_map"), pointer)),
        });
    }

    fn schema_problem(&self, error: SchemaError) -> Problem {
        Problem::Schema { error, bundle_pointer: Some(pointer::join(self.item, "schema")) }
    }

    fn build_node(
        &mut self,
        parts: Vec<Part<'a>>,
        path: Vec<String>,
        forced: bool,
        depth: usize,
    ) -> Result<Node, SchemaError> {
        if depth > schema::MAX_DEPTH {
            return Err(SchemaError::TooDeep {
                origin: self.origin.clone(),
                pointer: pointer::from_tokens(path.iter().map(String::as_str)),
                limit: schema::MAX_DEPTH,
            });
        }
        let mut ex = Expanded::default();
        for p in parts {
            self.residual.expand_structure(p, &mut ex)?;
        }
        for (whole, _) in ex.kept {
            self.frags.push((path.clone(), whole));
        }
        if !ex.falses.is_empty() {
            self.frags.push((path.clone(), Value::Bool(false)));
        }
        let mut names: IndexSet<String> = IndexSet::new();
        let mut required: IndexSet<String> = IndexSet::new();
        for a in &ex.atoms {
            names.extend(keys_of(a.get("properties")));
            required.extend(
                a.get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            );
        }
        let atoms = ex.atoms;
        let mut node = Node { path: path.clone(), forced, children: IndexMap::new(), keys: Vec::new() };
        for name in names {
            let child_parts = child_parts(&atoms, &name);
            let mut child_path = path.clone();
            child_path.push(name.clone());
            let below =
                self.maps.iter().any(|(p, _, _)| p.len() > child_path.len() && p.starts_with(&child_path));
            let exact = self
                .maps
                .iter()
                .find(|(p, _, _)| *p == child_path)
                .map(|(_, ptr, m)| (ptr.clone(), m.clone()));
            let child = if below {
                if let Some((ptr, _)) = exact {
                    self.problem(&ptr, "maps an object whose properties are mapped too; map either the object or its properties");
                }
                let mut n = self.build_node(child_parts, child_path, required.contains(&name), depth + 1)?;
                // An object holding a constant is sent whenever its parent is.
                n.forced |= holds_constant(&n);
                node.keys.extend(n.keys.iter().cloned());
                Child::Node(n)
            } else if let Some((ptr, FieldMapping::Constant { constant })) = exact {
                Child::Constant(self.constant(child_parts, child_path, &ptr, constant)?)
            } else {
                let index = self.leaf(child_parts, child_path, exact)?;
                if let Some(leaf) = self.leaves.get(index) {
                    node.keys.push(leaf.key.to_string());
                }
                Child::Leaf(index)
            };
            node.children.insert(name, child);
        }
        self.atoms.insert(path, atoms);
        Ok(node)
    }

    /// Binds a property to its key and records its value constraints.
    fn leaf(
        &mut self,
        parts: Vec<Part<'a>>,
        path: Vec<String>,
        mapping: Option<(String, FieldMapping)>,
    ) -> Result<usize, SchemaError> {
        let ptr = pointer::from_tokens(path.iter().map(String::as_str));
        let key = mapping.as_ref().and_then(|(_, m)| m.key()).map_or_else(|| path.join("."), str::to_owned);
        let definition = mapping.as_ref().and_then(|(_, m)| m.transform());
        if let Some(Transform::Script { reversible: false, .. }) = definition {
            self.warnings.push((
                pointer::join(&pointer::join(self.item, "field_map"), &ptr),
                format!(
                    "field map {ptr}: the script transform is not declared reversible: nothing checks that `backward` undoes `forward`, so dispatch and prefill may lose or change a value without a word; once it does, say so with \"reversible\": true (and give \"examples\" to check), or use a value map or a date layout"
                ),
            ));
        }
        let transform = match definition {
            None => None,
            Some(def) => match ValueTransform::new(def, self.sandbox) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.problem(&ptr, e.to_string());
                    None
                }
            },
        };
        let leaf = Leaf {
            path: path.clone(),
            pointer: Arc::from(ptr.as_str()),
            key: Arc::from(key.as_str()),
            transform,
        };
        let contributed = match &leaf.transform {
            None => parts.iter().map(|p| StoredPart { doc: 0, at: p.at.clone() }).collect(),
            Some(t) => self.pull_back_leaf(parts, &leaf, t)?,
        };
        self.parts.entry(key).or_default().extend(contributed);
        self.leaves.push(leaf);
        Ok(self.leaves.len() - 1)
    }

    /// Records a constant of the field map, checked against the department's subschema of
    /// its property: a value the department refuses is a problem at the entry. A subschema
    /// that does not compile alone goes to the residual, checked on the view.
    fn constant(
        &mut self,
        parts: Vec<Part<'a>>,
        path: Vec<String>,
        entry: &str,
        value: Value,
    ) -> Result<usize, SchemaError> {
        let (schema, defs) = standalone(parts.clone())?;
        match schema::compile(&with_defs(&schema, &defs)) {
            Ok(validator) => {
                let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
                if !errors.is_empty() {
                    self.problem(
                        entry,
                        format!(
                            "the department's schema refuses the constant {value}: {}",
                            errors.join("; ")
                        ),
                    );
                }
            }
            Err(_) => {
                let exported = self.residual.conjoin(parts, "")?.schema;
                self.frags.push((path.clone(), exported));
            }
        }
        let pointer = Arc::from(pointer::from_tokens(path.iter().map(String::as_str)).as_str());
        self.constants.push(Constant { path, pointer, value });
        Ok(self.constants.len() - 1)
    }

    /// The canonical side of a transformed leaf: a value map admits exactly the canonical
    /// values whose images the department accepts; a date admits calendar dates, and the
    /// department's constraints on the rewritten date go to the residual.
    fn pull_back_leaf(
        &mut self,
        parts: Vec<Part<'a>>,
        leaf: &Leaf,
        t: &ValueTransform,
    ) -> Result<Vec<StoredPart>, SchemaError> {
        let (schema, defs) = standalone(parts.clone())?;
        // The department's constraints on the field, compiled once; a part that does not
        // compile alone (it was checked as part of its document) accepts everything here and
        // is still checked on the department's view.
        let validator = schema::compile(&with_defs(&schema, &defs)).ok();
        let accepts = |v: &Value| validator.as_ref().is_none_or(|val| val.is_valid(v));
        // Titles and descriptions are not copied: a department's often describe its own
        // codes ("1 男，2 女"). The field dictionary names transformed fields.
        let own = match t {
            ValueTransform::Map(pairs) => {
                let mut allowed = Vec::new();
                for p in pairs {
                    if accepts(&p.department) {
                        allowed.push(p.canonical.clone());
                    } else {
                        self.warnings.push((
                            pointer::join(&pointer::join(self.item, "field_map"), &leaf.pointer),
                            format!(
                                "field map {}: the department's schema rejects {} (the image of {}); {} cannot be chosen",
                                leaf.pointer, p.department, p.canonical, p.canonical
                            ),
                        ));
                    }
                }
                if allowed.is_empty() {
                    self.problem(
                        &leaf.pointer,
                        "the department's schema accepts none of the value map's department values",
                    );
                }
                json!({ "enum": allowed })
            }
            ValueTransform::Date(layout) => {
                let sample = t.forward(&layout.sample()).unwrap_or(Value::Null);
                if !accepts(&sample) {
                    self.problem(
                        &leaf.pointer,
                        format!("the department's schema rejects dates written {layout}, such as {sample}"),
                    );
                }
                let exported = self.residual.conjoin(parts, "")?.schema;
                self.frags.push((leaf.path.clone(), exported));
                match layout.kind {
                    LayoutKind::Month => json!({ "type": "string", "pattern": MONTH_PATTERN }),
                    LayoutKind::Date | LayoutKind::DateTime => json!({ "type": "string", "format": "date" }),
                }
            }
            ValueTransform::Script(_) => {
                // A script's domain is unknown: the canonical value is unconstrained here,
                // and the department's constraints are checked on the script's output.
                let exported = self.residual.conjoin(parts, "")?.schema;
                self.frags.push((leaf.path.clone(), exported));
                json!({})
            }
        };
        // The constraint is the transform's, not the department's schema's: say so.
        let origin = Origin { document: format!("field_map {}", leaf.pointer), ..self.origin.clone() };
        self.synthetic.push(Document::synthetic(own, origin, String::new(), "pullback"));
        Ok(vec![StoredPart { doc: self.synthetic.len(), at: String::new() }])
    }

    fn check_map_targets(&mut self, root: &Node) {
        let mut nodes = Vec::new();
        collect_node_paths(root, &mut nodes);
        let leaves: Vec<Vec<String>> = self
            .leaves
            .iter()
            .map(|l| l.path.clone())
            .chain(self.constants.iter().map(|c| c.path.clone()))
            .collect();
        let missing: Vec<String> = self
            .maps
            .iter()
            .filter(|(p, _, _)| !leaves.contains(p) && !nodes.contains(p))
            .map(|(_, ptr, _)| ptr.clone())
            .collect();
        for ptr in missing {
            self.problem(&ptr, "the department's schema declares no property there");
        }
    }

    /// Rewrites the constraints of a decomposed object (and, recursively, of the objects
    /// below it) over canonical keys. `cond` is when the object exists: always (`None`), or
    /// when one of these keys has a value.
    fn constraints(&mut self, node: &Node, cond: Option<&[String]>) -> Result<(), SchemaError> {
        let atoms = self.atoms.get(&node.path).cloned().unwrap_or_default();
        for atom in &atoms {
            let Some(obj) = atom.value().as_object() else {
                continue;
            };
            for (kw, v) in obj {
                self.constraint(node, cond, atom, kw, v)?;
            }
        }
        for child in node.children.values() {
            if let Child::Node(c) = child {
                let keys = if c.forced { cond.map(<[String]>::to_vec) } else { Some(c.keys.clone()) };
                self.constraints(c, keys.as_deref())?;
            }
        }
        Ok(())
    }

    fn constraint(
        &mut self,
        node: &Node,
        cond: Option<&[String]>,
        atom: &Part<'a>,
        kw: &str,
        v: &Value,
    ) -> Result<(), SchemaError> {
        let side = atom.side(Some(kw), false);
        match kw {
            "required" => {
                for name in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    match node.children.get(name) {
                        Some(Child::Leaf(i)) => {
                            let key = self.leaves.get(*i).map(|l| l.key.to_string()).unwrap_or_default();
                            match cond {
                                None => self.required.push((key, side.clone())),
                                Some(keys) => {
                                    for g in keys.iter().filter(|g| **g != key) {
                                        self.dependent.push((g.clone(), key.clone(), side.clone()));
                                    }
                                }
                            }
                        }
                        // An object below exists when its parent does, or its own rule says when;
                        // a constant is always there.
                        Some(Child::Node(_) | Child::Constant(_)) => {}
                        None => self.frags.push((node.path.clone(), json!({ "required": [name] }))),
                    }
                }
            }
            "dependentRequired" => {
                for (a, list) in v.as_object().into_iter().flatten() {
                    for b in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
                        match (node.children.get(a.as_str()), node.children.get(b)) {
                            (None, _) => {}
                            (Some(Child::Leaf(i)), Some(Child::Leaf(j))) => {
                                let key = |k: &usize| {
                                    self.leaves.get(*k).map(|l| l.key.to_string()).unwrap_or_default()
                                };
                                self.dependent.push((key(i), key(j), side.clone()));
                            }
                            _ => {
                                let t =
                                    json!({ "if": self.presence(node, a), "then": self.presence(node, b) });
                                self.cross.push((wrap(cond, t), side.clone()));
                            }
                        }
                    }
                }
            }
            "if" | "anyOf" | "oneOf" | "not" | "dependentSchemas" => {
                let kws: &[&str] = if kw == "if" { &["if", "then", "else"] } else { &[kw] };
                match self.rewrite_keywords(atom, kws, node) {
                    Ok(t) => self.cross.push((wrap(cond, t), side)),
                    Err(Untranslatable::Schema(e)) => return Err(e),
                    Err(Untranslatable::Residual) => {
                        let frag = self.residual.export_keywords(atom, kws)?;
                        self.frags.push((node.path.clone(), frag));
                    }
                }
            }
            "type" if !Kinds::from_type(v).contains(Kinds::OBJECT) => {
                self.frags.push((node.path.clone(), json!({ "type": v })));
            }
            "patternProperties" => {
                let kws = ["properties", "patternProperties", "additionalProperties"];
                let frag = self.residual.export_keywords(atom, &kws)?;
                self.frags.push((node.path.clone(), frag));
            }
            "minProperties" | "maxProperties" | "enum" | "const" | "propertyNames" => {
                let frag = self.residual.export_keywords(atom, &[kw])?;
                self.frags.push((node.path.clone(), frag));
            }
            _ => {}
        }
        Ok(())
    }

    /// Rewrites some keywords of a part applied to the object `node` over canonical keys.
    fn rewrite_keywords(
        &mut self,
        atom: &Part<'a>,
        kws: &[&str],
        node: &Node,
    ) -> Result<Value, Untranslatable> {
        let mut out = Map::new();
        for kw in kws {
            let Some(v) = atom.get(kw) else { continue };
            let rewritten = match *kw {
                "anyOf" | "oneOf" => {
                    let n = v.as_array().map_or(0, Vec::len);
                    let mut list = Vec::new();
                    for i in 0..n {
                        list.push(self.rewrite(atom.child(kw, Some(&i.to_string())), node)?);
                    }
                    Value::Array(list)
                }
                "dependentSchemas" => {
                    let mut all = Vec::new();
                    for name in keys_of(Some(v)) {
                        let then = self.rewrite(atom.child(kw, Some(&name)), node)?;
                        all.push(json!({ "if": self.presence(node, &name), "then": then }));
                    }
                    out.insert("allOf".into(), Value::Array(all));
                    continue;
                }
                _ => self.rewrite(atom.child(kw, None), node)?,
            };
            out.insert((*kw).to_owned(), rewritten);
        }
        Ok(Value::Object(out))
    }

    /// Rewrites a subschema applied to the object `node` over canonical keys.
    fn rewrite(&mut self, part: Part<'a>, node: &Node) -> Result<Value, Untranslatable> {
        let mut ex = Expanded::default();
        self.form.expand(part, &mut ex)?;
        if !ex.kept.is_empty() {
            return Err(Untranslatable::Residual);
        }
        if !ex.falses.is_empty() {
            return Ok(Value::Bool(false));
        }
        let mut all: Vec<Value> = Vec::new();
        for atom in &ex.atoms {
            let Some(obj) = atom.value().as_object() else {
                continue;
            };
            for (kw, v) in obj {
                match kw.as_str() {
                    "properties" => {
                        for name in keys_of(Some(v)) {
                            all.extend(self.rewrite_property(atom.child(kw, Some(&name)), node, &name)?);
                        }
                    }
                    "additionalProperties" => {
                        if atom.get("patternProperties").is_some() {
                            return Err(Untranslatable::Residual);
                        }
                        let listed = keys_of(atom.get("properties"));
                        let others: Vec<String> =
                            node.children.keys().filter(|n| !listed.contains(n)).cloned().collect();
                        for name in others {
                            all.extend(self.rewrite_property(atom.child(kw, None), node, &name)?);
                        }
                    }
                    "required" => {
                        for name in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
                            all.push(self.presence(node, name));
                        }
                    }
                    "dependentRequired" => {
                        for (a, list) in v.as_object().into_iter().flatten() {
                            let then: Vec<Value> = list
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_str)
                                .map(|b| self.presence(node, b))
                                .collect();
                            all.push(json!({ "if": self.presence(node, a), "then": { "allOf": then } }));
                        }
                    }
                    "anyOf" | "oneOf" | "not" | "dependentSchemas" => {
                        all.push(self.rewrite_keywords(atom, &[kw.as_str()], node)?);
                    }
                    "if" => all.push(self.rewrite_keywords(atom, &["if", "then", "else"], node)?),
                    "type" if !Kinds::from_type(v).contains(Kinds::OBJECT) => all.push(Value::Bool(false)),
                    "patternProperties"
                    | "enum"
                    | "const"
                    | "minProperties"
                    | "maxProperties"
                    | "propertyNames"
                    | "unevaluatedProperties"
                    | "unevaluatedItems" => return Err(Untranslatable::Residual),
                    k if NOT_FOR_OBJECTS.contains(&k) => {}
                    _ => {}
                }
            }
        }
        Ok(match all.len() {
            0 => json!({}),
            1 => all.pop().unwrap_or(Value::Bool(true)),
            _ => json!({ "allOf": all }),
        })
    }

    /// `sub` applies to property `name` of `node` when it is present.
    fn rewrite_property(
        &mut self,
        sub: Part<'a>,
        node: &Node,
        name: &str,
    ) -> Result<Option<Value>, Untranslatable> {
        Ok(match node.children.get(name) {
            None => None,
            Some(Child::Leaf(i)) => {
                let leaf = self.leaves.get(*i).cloned();
                let Some(leaf) = leaf else { return Ok(None) };
                let pulled = self.pull_back(sub, &leaf)?;
                Some(json!({ "properties": { leaf.key.to_string(): pulled } }))
            }
            Some(Child::Node(c)) => {
                let inner = self.rewrite(sub, c)?;
                Some(if c.forced { inner } else { json!({ "if": any_of_keys(&c.keys), "then": inner }) })
            }
            // The value is known: the subschema holds or not, for every submission.
            Some(Child::Constant(k)) => {
                let Some(value) = self.constants.get(*k).map(|c| c.value.clone()) else { return Ok(None) };
                let (schema, defs) = standalone(vec![sub])?;
                let validator =
                    schema::compile(&with_defs(&schema, &defs)).map_err(|_| Untranslatable::Residual)?;
                (!validator.is_valid(&value)).then_some(Value::Bool(false))
            }
        })
    }

    /// A department subschema of a leaf, as a constraint on the canonical value.
    fn pull_back(&mut self, sub: Part<'a>, leaf: &Leaf) -> Result<Value, Untranslatable> {
        match &leaf.transform {
            None => Ok(self.form.export(&sub)?),
            Some(ValueTransform::Map(pairs)) => {
                let (schema, defs) = standalone(vec![sub])?;
                let validator =
                    schema::compile(&with_defs(&schema, &defs)).map_err(|_| Untranslatable::Residual)?;
                let allowed: Vec<Value> = pairs
                    .iter()
                    .filter(|p| validator.is_valid(&p.department))
                    .map(|p| p.canonical.clone())
                    .collect();
                Ok(json!({ "enum": allowed }))
            }
            Some(ValueTransform::Date(_) | ValueTransform::Script(_)) => Err(Untranslatable::Residual),
        }
    }

    /// A schema over canonical keys that holds when property `name` of `node` is present.
    fn presence(&self, node: &Node, name: &str) -> Value {
        match node.children.get(name) {
            None => Value::Bool(false),
            Some(Child::Leaf(i)) => {
                json!({ "required": [self.leaves.get(*i).map(|l| l.key.to_string()).unwrap_or_default()] })
            }
            Some(Child::Node(c)) if c.forced => json!({}),
            Some(Child::Node(c)) => any_of_keys(&c.keys),
            Some(Child::Constant(_)) => json!({}),
        }
    }

    fn residual_schema(&mut self) -> Option<Value> {
        if self.frags.is_empty() {
            return None;
        }
        let mut root = Map::new();
        for (path, frag) in std::mem::take(&mut self.frags) {
            insert_at(&mut root, &path, frag);
        }
        let defs = self.residual.defs();
        if !defs.is_empty() {
            root.insert("$defs".into(), Value::Object(defs.clone().into_iter().collect()));
        }
        Some(Value::Object(root))
    }
}

/// `node` without the properties that lie neither on the way to one of `paths` nor at or
/// below one. An object kept on the way keeps its `forced` flag and its `keys`, so it is
/// created exactly when the whole projection would create it.
fn prune(node: &Node, paths: &[Vec<String>]) -> Node {
    let below = |path: &[String]| paths.iter().any(|p| path.starts_with(p));
    if below(&node.path) {
        return node.clone();
    }
    let mut children = IndexMap::new();
    for (name, child) in &node.children {
        match child {
            Child::Leaf(_) | Child::Constant(_) => {
                let mut path = node.path.clone();
                path.push(name.clone());
                if below(&path) {
                    children.insert(name.clone(), child.clone());
                }
            }
            Child::Node(c) => {
                if paths.iter().any(|p| p.starts_with(&c.path)) {
                    children.insert(name.clone(), Child::Node(prune(c, paths)));
                }
            }
        }
    }
    Node { path: node.path.clone(), forced: node.forced, children, keys: node.keys.clone() }
}

/// Adds `frag` to the residual skeleton under the property path `path`.
fn insert_at(node: &mut Map<String, Value>, path: &[String], frag: Value) {
    match path.split_first() {
        None => {
            if let Value::Array(list) = node.entry("allOf").or_insert_with(|| json!([])) {
                list.push(frag);
            }
        }
        Some((head, rest)) => {
            if let Value::Object(props) = node.entry("properties").or_insert_with(|| json!({})) {
                if let Value::Object(next) = props.entry(head.clone()).or_insert_with(|| json!({})) {
                    insert_at(next, rest, frag);
                }
            }
        }
    }
}

/// The subschemas that apply to property `name` in each atom: its `properties` entry, or else
/// its `additionalProperties` (unless patterns decide, which the residual then covers).
fn child_parts<'a>(atoms: &[Part<'a>], name: &str) -> Vec<Part<'a>> {
    atoms
        .iter()
        .filter_map(|a| {
            if a.get("properties").and_then(|p| p.get(name)).is_some() {
                Some(a.child("properties", Some(name)))
            } else if a.get("additionalProperties").is_some() && a.get("patternProperties").is_none() {
                Some(a.child("additionalProperties", None))
            } else {
                None
            }
        })
        .collect()
}

fn keys_of(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

/// Does a constant lie at or below this object?
fn holds_constant(node: &Node) -> bool {
    node.children.values().any(|c| match c {
        Child::Constant(_) => true,
        Child::Node(n) => holds_constant(n),
        Child::Leaf(_) => false,
    })
}

fn collect_node_paths(node: &Node, out: &mut Vec<Vec<String>>) {
    out.push(node.path.clone());
    for child in node.children.values() {
        if let Child::Node(c) = child {
            collect_node_paths(c, out);
        }
    }
}

/// Holds when at least one of `keys` has a value.
fn any_of_keys(keys: &[String]) -> Value {
    match keys {
        [one] => json!({ "required": [one] }),
        _ => {
            json!({ "anyOf": keys.iter().map(|k| json!({ "required": [k] })).collect::<Vec<_>>() })
        }
    }
}

/// `t`, applied only when the object it came from exists.
fn wrap(cond: Option<&[String]>, t: Value) -> Value {
    match cond {
        None => t,
        Some(keys) => json!({ "if": any_of_keys(keys), "then": t }),
    }
}

/// Conjoins parts into a schema of its own (with its own `$defs`).
fn standalone(parts: Vec<Part<'_>>) -> Result<(Value, Map<String, Value>), SchemaError> {
    let mut m = Merger::new(false);
    let schema = m.conjoin(parts, "")?.schema;
    let defs = m.defs().clone().into_iter().collect();
    Ok((schema, defs))
}

fn with_defs(schema: &Value, defs: &Map<String, Value>) -> Value {
    match schema {
        Value::Object(obj) if !defs.is_empty() => {
            let mut obj = obj.clone();
            obj.insert("$defs".into(), Value::Object(defs.clone()));
            Value::Object(obj)
        }
        other => other.clone(),
    }
}
