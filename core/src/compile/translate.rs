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
    /// An array mapped element by element (`/gd/*/gdmc`), by index into
    /// [`Translation::lists`].
    List(usize),
}

/// A department array whose elements are mapped column by column: `"/gd/*/gdmc":
/// "shareholders[].name"`. The canonical value of `key` is an array of objects over the
/// columns (`{"name": …}`); each element is translated like a form of its own.
#[derive(Debug)]
pub struct List {
    /// Index into [`Translation::leaves`] of the leaf standing for the whole array: its
    /// canonical key is the list's (`shareholders`), its path the array's.
    pub leaf: usize,
    /// One element of the array, translated: its leaves' keys are the columns (`name`),
    /// its paths relative to the element.
    pub element: Box<Translation>,
    /// When the department lists only some elements (`"/syr/*": {"elements_if": …}`): the
    /// condition an element meets to be in its array, compiled.
    pub only: Option<Arc<jsonschema::Validator>>,
}

impl List {
    /// Does the element go to this department's array?
    pub fn takes(&self, element: &Value) -> bool {
        self.only.as_ref().is_none_or(|v| v.is_valid(element))
    }
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
    /// Every array mapped element by element, in the department's order.
    pub lists: Vec<List>,
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

impl Translation {
    /// Does a transform's output need checking against the department's constraints (a date
    /// layout or a script, here or in a list's elements)? A value map's needs none: its
    /// pulled-back enum admits exactly the values it can transform.
    pub fn checks_after_transform(&self) -> bool {
        self.leaves
            .iter()
            .any(|l| matches!(l.transform, Some(ValueTransform::Date(_) | ValueTransform::Script(_))))
            || self.lists.iter().any(|l| l.element.checks_after_transform())
    }
}

impl From<SchemaError> for Untranslatable {
    fn from(e: SchemaError) -> Self {
        Untranslatable::Schema(e)
    }
}

/// Where an `elements_if` entry belongs.
const ELEMENTS_IF_PLACE: &str = "`elements_if` is a condition on the elements of an array: write it at the array's `*`, such as `/list/*`";

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
    let mut maps = Vec::new();
    let mut problems = Vec::new();
    for (ptr, mapping) in field_map {
        match pointer::split(ptr) {
            Some(tokens) if !tokens.is_empty() => maps.push((tokens, ptr.clone(), mapping.clone())),
            _ => problems.push(ptr.clone()),
        }
    }
    let mut t = Translator::new(item, &doc, sandbox, form, Merger::new(false), Vec::new(), maps);
    for ptr in problems {
        t.problem(&ptr, "is not a JSON Pointer to a property, such as `/applicant/idNo`");
    }
    let (root, synthetic, residual, t) = t.run()?;
    let mut docs = vec![doc];
    docs.extend(synthetic);
    Ok(Translation {
        docs,
        root,
        leaves: t.leaves,
        constants: t.constants,
        lists: t.lists,
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
    lists: Vec<List>,
    parts: IndexMap<String, Vec<StoredPart>>,
    required: Vec<(String, Side)>,
    dependent: Vec<(String, String, Side)>,
    cross: Vec<(Value, Side)>,
    warnings: Vec<(String, String)>,
}

/// A field map entry: the department path's tokens, the pointer as written, the mapping.
type Entry = (Vec<String>, String, FieldMapping);

struct Translator<'a, 'f> {
    /// The item's place in the bundle document.
    item: &'f str,
    doc: &'a Document,
    sandbox: &'a Sandbox,
    origin: Origin,
    /// The department path of what is translated: empty for the form, the array's path and
    /// `*` for the elements of a list (`["gd", "*"]`). Paths below are relative to it;
    /// pointers shown to people are not.
    prefix: Vec<String>,
    maps: Vec<Entry>,
    /// Field map entries a list's element translation took (their pointers).
    claimed: Vec<String>,
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
    lists: Vec<List>,
    parts: IndexMap<String, Vec<StoredPart>>,
    required: Vec<(String, Side)>,
    dependent: Vec<(String, String, Side)>,
    cross: Vec<(Value, Side)>,
    warnings: Vec<(String, String)>,
}

impl<'a, 'f> Translator<'a, 'f> {
    fn new(
        item: &'f str,
        doc: &'a Document,
        sandbox: &'a Sandbox,
        form: &'f mut Merger,
        residual: Merger,
        prefix: Vec<String>,
        maps: Vec<Entry>,
    ) -> Self {
        Translator {
            item,
            doc,
            sandbox,
            origin: doc.origin().clone(),
            prefix,
            maps,
            claimed: Vec::new(),
            form,
            residual,
            frags: Vec::new(),
            problems: Vec::new(),
            atoms: HashMap::new(),
            synthetic: Vec::new(),
            leaves: Vec::new(),
            constants: Vec::new(),
            lists: Vec::new(),
            parts: IndexMap::new(),
            required: Vec::new(),
            dependent: Vec::new(),
            cross: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl<'a> Translator<'a, '_> {
    #[allow(clippy::type_complexity)]
    fn run(mut self) -> Result<(Node, Vec<Document>, Option<Value>, Outcome), Vec<Problem>> {
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
            lists: self.lists,
            parts: self.parts,
            required: self.required,
            dependent: self.dependent,
            cross: self.cross,
            warnings: self.warnings,
        };
        Ok((root, self.synthetic, residual, outcome))
    }

    /// Expands the parts applying at `path` into atoms; what cannot be split (and `false`)
    /// goes to the residual there.
    fn expand_at(&mut self, parts: Vec<Part<'a>>, path: &[String]) -> Result<Expanded<'a>, SchemaError> {
        let mut ex = Expanded::default();
        for p in parts {
            self.residual.expand_structure(p, &mut ex)?;
        }
        for (whole, _) in std::mem::take(&mut ex.kept) {
            self.frags.push((path.to_vec(), whole));
        }
        if !ex.falses.is_empty() {
            self.frags.push((path.to_vec(), Value::Bool(false)));
        }
        Ok(ex)
    }

    /// The canonical key of a leaf or a list.
    fn key_of(&self, child: &Child) -> String {
        let leaf = match child {
            Child::Leaf(i) => Some(*i),
            Child::List(l) => self.lists.get(*l).map(|l| l.leaf),
            Child::Node(_) | Child::Constant(_) => None,
        };
        leaf.and_then(|i| self.leaves.get(i)).map(|l| l.key.to_string()).unwrap_or_default()
    }

    /// The department pointer of a path relative to what is translated.
    fn full_pointer(&self, path: &[String]) -> String {
        pointer::from_tokens(self.prefix.iter().chain(path).map(String::as_str))
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
                pointer: self.full_pointer(&path),
                limit: schema::MAX_DEPTH,
            });
        }
        let ex = self.expand_at(parts, &path)?;
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
            let elements = self.maps.iter().any(|(p, _, _)| {
                p.len() > child_path.len()
                    && p.starts_with(&child_path)
                    && p.get(child_path.len()).is_some_and(|t| t == "*")
            });
            let child = if elements {
                if let Some((ptr, _)) = exact {
                    self.problem(&ptr, "is mapped whole, and its elements through `*` too; map either the whole value or its elements' properties");
                }
                let index = self.list(child_parts, child_path, depth + 1)?;
                if let Some(leaf) = self.lists.get(index).and_then(|l| self.leaves.get(l.leaf)) {
                    node.keys.push(leaf.key.to_string());
                }
                Child::List(index)
            } else if below {
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
        let ptr = self.full_pointer(&path);
        let key = mapping.as_ref().and_then(|(_, m)| m.key()).map_or_else(|| path.join("."), str::to_owned);
        if let Some((entry, m)) = &mapping {
            if m.elements_if().is_some() {
                self.problem(entry, ELEMENTS_IF_PLACE);
            }
        }
        if mapping.is_some() && key.contains("[]") {
            self.problem(
                &ptr,
                format!(
                    "`{key}` names a column of a list, but {ptr} is not inside an array mapped element by element; write the array's index as `*`, such as `/gd/*/name`"
                ),
            );
        }
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
        let pointer = Arc::from(self.full_pointer(&path).as_str());
        self.constants.push(Constant { path, pointer, value });
        Ok(self.constants.len() - 1)
    }

    /// Translates an array mapped element by element (`/gd/*/…`): the entries below `*`
    /// translate one element as a form of its own, over the list's columns; the array
    /// becomes one leaf whose canonical value is an array of such elements. What the
    /// department says about the array itself: `minItems` and `maxItems` hold of the
    /// canonical list too (one element each way); everything else (`uniqueItems`,
    /// `contains`…, which read the department's own elements) goes to the residual.
    fn list(&mut self, parts: Vec<Part<'a>>, path: Vec<String>, depth: usize) -> Result<usize, SchemaError> {
        let array_ptr = self.full_pointer(&path);
        let (key, entries, condition) = self.element_entries(&path, &array_ptr);
        let only = condition.as_ref().and_then(|(ptr, cond)| match schema::compile(cond) {
            Ok(v) => Some(Arc::new(v)),
            Err((_, message)) => {
                self.problem(
                    ptr,
                    format!("`elements_if` is not a valid JSON Schema over the list's columns: {message}"),
                );
                None
            }
        });
        let ex = self.expand_at(parts, &path)?;
        let mut element_parts = Vec::new();
        let mut bounds = Map::new();
        let mut types = Vec::new();
        let mut is_array = ex.atoms.is_empty();
        for atom in &ex.atoms {
            let Some(obj) = atom.value().as_object() else { continue };
            for (kw, v) in obj {
                match kw.as_str() {
                    "items" => element_parts.push(atom.child("items", None)),
                    // Counting only the elements the department takes: its own concern.
                    "minItems" | "maxItems" if condition.is_some() => {
                        let frag = self.residual.export_keywords(atom, &[kw])?;
                        self.frags.push((path.clone(), frag));
                    }
                    "minItems" | "maxItems" => {
                        // A non-negative integer, which JSON may write `2.0`.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let n = v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)).unwrap_or_default();
                        let tighter = |old: u64| if kw == "minItems" { n.max(old) } else { n.min(old) };
                        let merged = bounds.get(kw.as_str()).and_then(Value::as_u64).map_or(n, tighter);
                        bounds.insert(kw.clone(), json!(merged));
                    }
                    // As the department says it (an array, or also `null`…): the canonical
                    // value is the same kind.
                    "type" => {
                        is_array |= Kinds::from_type(v).contains(Kinds::ARRAY);
                        types.push(json!({ "type": v }));
                    }
                    "prefixItems" => self.problem(
                        &array_ptr,
                        "the department's array gives its first elements schemas of their own (`prefixItems`), so its elements cannot be mapped alike through `*`",
                    ),
                    "allOf" | "$ref" | "then" | "else" => {}
                    "if" => {
                        let frag = self.residual.export_keywords(atom, &["if", "then", "else"])?;
                        self.frags.push((path.clone(), frag));
                    }
                    k if schema::is_validation_keyword(k) => {
                        let frag = self.residual.export_keywords(atom, &[k])?;
                        self.frags.push((path.clone(), frag));
                    }
                    _ => {}
                }
            }
        }
        if !is_array && element_parts.is_empty() {
            self.problem(&array_ptr, format!("the department's schema has no array at {array_ptr}, so `*` has no elements to go through"));
        }
        let (element, items, defs) = self.element(element_parts, &path, entries, depth)?;
        // The department's constraints hold of the elements it takes.
        let items = match &condition {
            Some((_, cond)) => json!({ "type": "object", "if": cond, "then": items }),
            None => items,
        };
        let mut schema = bounds;
        match types.len() {
            0 => {}
            1 => {
                if let Some(Value::Object(t)) = types.pop() {
                    schema.extend(t);
                }
            }
            _ => {
                schema.insert("allOf".into(), Value::Array(types));
            }
        }
        schema.insert("items".into(), items);
        if !defs.is_empty() {
            schema.insert("$defs".into(), Value::Object(defs));
        }
        let schema = Value::Object(schema);
        let origin = Origin { document: format!("field_map {array_ptr}/*"), ..self.origin.clone() };
        self.synthetic.push(Document::synthetic(schema, origin, String::new(), "list"));
        let stored = StoredPart { doc: self.synthetic.len(), at: String::new() };
        self.parts.entry(key.clone()).or_default().push(stored);
        self.leaves.push(Leaf {
            path,
            pointer: Arc::from(array_ptr.as_str()),
            key: Arc::from(key.as_str()),
            transform: None,
        });
        self.lists.push(List { leaf: self.leaves.len() - 1, element: Box::new(element), only });
        Ok(self.lists.len() - 1)
    }

    /// The field map entries below `path/*`, with keys written over the list's columns
    /// (`shareholders[].name` becomes `name`), and the list's key. Entries that do not name
    /// a column of one list are problems.
    #[allow(clippy::type_complexity)]
    fn element_entries(
        &mut self,
        path: &[String],
        array_ptr: &str,
    ) -> (String, Vec<Entry>, Option<(String, Value)>) {
        let depth = path.len() + 1;
        let mut condition = None;
        for (tokens, ptr, mapping) in &self.maps {
            if let (Some(cond), true) =
                (mapping.elements_if(), tokens.len() == depth && tokens.starts_with(path))
            {
                condition = Some((ptr.clone(), cond.clone()));
            }
        }
        if let Some((ptr, _)) = &condition {
            self.claimed.push(ptr.clone());
        }
        let below: Vec<Entry> = self
            .maps
            .iter()
            .filter(|(p, _, _)| {
                p.len() > depth && p.starts_with(path) && p.get(path.len()).is_some_and(|t| t == "*")
            })
            .cloned()
            .collect();
        let mut list_key: Option<String> = None;
        let mut entries = Vec::new();
        for (tokens, ptr, mapping) in below {
            self.claimed.push(ptr.clone());
            let rest = tokens.get(depth..).map(<[String]>::to_vec).unwrap_or_default();
            if mapping.elements_if().is_some() {
                self.problem(&ptr, ELEMENTS_IF_PLACE);
                continue;
            }
            let Some(key) = mapping.key() else {
                entries.push((rest, ptr, mapping));
                continue;
            };
            let Some((list, column)) = key.split_once("[].").filter(|(l, c)| !l.is_empty() && !c.is_empty())
            else {
                self.problem(
                    &ptr,
                    format!("maps a property of the elements of {array_ptr}: its key must name the list and the column, such as `{key}` → `list[].{key}`"),
                );
                continue;
            };
            match &list_key {
                Some(known) if known != list => {
                    self.problem(
                        &ptr,
                        format!("maps the elements of {array_ptr} into the list `{list}`, but other entries map them into `{known}`; one array is one list"),
                    );
                    continue;
                }
                _ => list_key = Some(list.to_owned()),
            }
            let column = column.to_owned();
            let mapping = match mapping {
                FieldMapping::Transformed { transform, .. } => {
                    FieldMapping::Transformed { key: column, transform }
                }
                _ => FieldMapping::Key(column),
            };
            entries.push((rest, ptr, mapping));
        }
        let key = list_key.unwrap_or_else(|| {
            self.problem(
                array_ptr,
                "no entry maps a property of its elements (`…/*/name`) to a column of a list (`list[].name`)",
            );
            path.join(".")
        });
        (key, entries, condition)
    }

    /// Translates the elements of the array at `path`: a translator of their own, sharing
    /// this one's residual (what cannot be said over the columns is checked on each element
    /// of the department's view). Returns the translation, the canonical schema of one
    /// element (its columns, `required`, `dependentRequired`, constraints over several
    /// columns) and the definitions it refers to.
    fn element(
        &mut self,
        parts: Vec<Part<'a>>,
        path: &[String],
        entries: Vec<Entry>,
        depth: usize,
    ) -> Result<(Translation, Value, Map<String, Value>), SchemaError> {
        let mut prefix = self.prefix.clone();
        prefix.extend(path.iter().cloned());
        prefix.push("*".into());
        let residual = std::mem::replace(&mut self.residual, Merger::new(false));
        let mut form = Merger::new(false);
        let mut t = Translator::new(self.item, self.doc, self.sandbox, &mut form, residual, prefix, entries);
        let root = t.build_node(parts, Vec::new(), true, depth);
        let root = match root {
            Ok(root) => {
                t.check_map_targets(&root);
                t.constraints(&root, None).map(|()| root)
            }
            Err(e) => Err(e),
        };
        let Translator {
            residual,
            frags,
            problems,
            synthetic,
            leaves,
            constants,
            lists,
            parts,
            required,
            dependent,
            cross,
            warnings,
            ..
        } = t;
        self.residual = residual;
        let root = root?;
        self.problems.extend(problems);
        self.warnings.extend(warnings);
        if !frags.is_empty() {
            let mut skeleton = Map::new();
            for (p, frag) in frags {
                insert_at(&mut skeleton, &p, frag);
            }
            self.frags.push((path.to_vec(), json!({ "items": skeleton })));
        }
        let mut docs = vec![self.doc.clone()];
        docs.extend(synthetic);
        let element = Translation {
            docs,
            root,
            leaves,
            constants,
            lists,
            parts,
            required,
            dependent,
            cross,
            residual: None,
            residual_view: None,
            warnings: Vec::new(),
        };
        let items = element_schema(&element, &mut form)?;
        let defs = form.defs().clone().into_iter().collect();
        Ok((element, items, defs))
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
            .filter(|(p, ptr, _)| !leaves.contains(p) && !nodes.contains(p) && !self.claimed.contains(ptr))
            .map(|(_, ptr, _)| ptr.clone())
            .collect();
        for ptr in missing {
            let index = pointer::split(&ptr)
                .unwrap_or_default()
                .iter()
                .any(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
            let hint = if index {
                "; to map the elements of an array, write `*` for the index (`/list/*/name` → `list[].name`)"
            } else {
                ""
            };
            self.problem(&ptr, format!("the department's schema declares no property there{hint}"));
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
                        Some(c @ (Child::Leaf(_) | Child::List(_))) => {
                            let key = self.key_of(c);
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
                            (
                                Some(a @ (Child::Leaf(_) | Child::List(_))),
                                Some(b @ (Child::Leaf(_) | Child::List(_))),
                            ) => {
                                self.dependent.push((self.key_of(a), self.key_of(b), side.clone()));
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
            // A subschema of the department's array reads the department's elements.
            Some(Child::List(_)) => return Err(Untranslatable::Residual),
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
            Some(c @ (Child::Leaf(_) | Child::List(_))) => json!({ "required": [self.key_of(c)] }),
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
            Child::Leaf(_) | Child::Constant(_) | Child::List(_) => {
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
        Child::Leaf(_) | Child::List(_) => false,
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

/// The canonical schema of one element of a list, as one department says it: each column's
/// constraints conjoined, the columns it requires, and its constraints over several columns.
fn element_schema(element: &Translation, form: &mut Merger) -> Result<Value, SchemaError> {
    let mut properties = Map::new();
    for column in element.parts.keys() {
        let merged = form.conjoin(element.parts_of(column), "")?;
        properties.insert(column.clone(), merged.schema);
    }
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    let required: IndexSet<&str> = element.required.iter().map(|(k, _)| k.as_str()).collect();
    if !required.is_empty() {
        out.insert("required".into(), json!(required));
    }
    let mut dependent: IndexMap<&str, IndexSet<&str>> = IndexMap::new();
    for (a, b, _) in &element.dependent {
        dependent.entry(a.as_str()).or_default().insert(b.as_str());
    }
    if !dependent.is_empty() {
        out.insert("dependentRequired".into(), json!(dependent));
    }
    if !element.cross.is_empty() {
        out.insert("allOf".into(), Value::Array(element.cross.iter().map(|(v, _)| v.clone()).collect()));
    }
    Ok(Value::Object(out))
}
