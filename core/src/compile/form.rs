//! The merged form (一张表单): one JSON Schema over canonical keys for a set of items.
//!
//! For each canonical key, the value constraints of every item declaring it are conjoined
//! (see [`crate::schema::Merger`]); `required` and `dependentRequired` unite; constraints over
//! several keys become `allOf` branches. The result is an ordinary draft 2020-12 schema with
//! these annotations:
//!
//! | annotation | where | meaning |
//! |---|---|---|
//! | `x-onething-title` | root, each field | `{"zh", "en"}` title; `title` holds the zh one |
//! | `x-onething-description` | field | `{"zh", "en"}` help text from the field dictionary |
//! | `x-onething-sources` | field | every item declaring the field: item, department, the department's property pointer |
//! | `x-onething-provenance` | field | for each merged keyword (JSON Pointer inside the field), who declared it |
//! | `x-onething-checked-after-transform` | field | items whose constraints are checked on the value after its transform (date layouts) |
//! | `x-onething-source` | `allOf` branch | the item whose cross-field constraint this is |
//! | `x-onething-items` | root | the items of this form, with their fields |
//!
//! Titles come from the field dictionary, else from the lead department's schema, else from
//! the first department declaring the field.

use indexmap::{IndexMap, IndexSet};
use serde_json::{Map, Value, json};

use crate::base::text::Text;
use crate::compile::items::Items;
use crate::compile::keys::{KeyInfo, KeyInfos};
use crate::compile::translate::Translation;
use crate::model::bundle::{Bundle, ItemIx};
use crate::schema::{DIALECT, Merger, SchemaError, Side, Unsat, provenance_value};

/// What the form is built from: the bundle and its items' translations.
pub(crate) struct Sources<'a> {
    pub bundle: &'a Bundle,
    pub items: &'a Items,
    pub keys: &'a KeyInfos,
}

/// A built form and the keys no value can satisfy.
pub(crate) struct Built {
    pub schema: Value,
    pub unsat: Vec<(String, Unsat)>,
}

/// Orders canonical keys (dictionary order first, then first appearance) and gives each its
/// title; a list's columns likewise, under the list's key.
pub(crate) fn key_infos(bundle: &Bundle, items: &Items) -> KeyInfos {
    let forms: Vec<(ItemIx, &Translation)> = items.iter().map(|(ix, c)| (ix, &c.translation)).collect();
    let lead: Vec<ItemIx> =
        items.iter().filter(|(_, c)| c.department == bundle.lead).map(|(ix, _)| ix).collect();
    infos(bundle, &lead, "", &forms).into_iter().collect()
}

/// The keys of some translations (whole forms, or the elements of one list), each with the
/// items declaring it. `prefix` is the list's column prefix (`shareholders[].`), empty for
/// the form.
fn infos(
    bundle: &Bundle,
    lead: &[ItemIx],
    prefix: &str,
    forms: &[(ItemIx, &Translation)],
) -> IndexMap<String, KeyInfo> {
    let mut declared: IndexMap<String, Vec<ItemIx>> = IndexMap::new();
    let mut elements: IndexMap<String, Vec<(ItemIx, &Translation)>> = IndexMap::new();
    for &(ix, t) in forms {
        for leaf in &t.leaves {
            let items = declared.entry(leaf.key.to_string()).or_default();
            if !items.contains(&ix) {
                items.push(ix);
            }
        }
        for list in &t.lists {
            if let Some(leaf) = t.leaves.get(list.leaf) {
                elements.entry(leaf.key.to_string()).or_default().push((ix, &list.element));
            }
        }
    }
    let dictionary = |k: &str| bundle.fields.get(&format!("{prefix}{k}"));
    let mut order: Vec<&String> = bundle
        .fields
        .keys()
        .filter_map(|k| k.strip_prefix(prefix))
        .filter_map(|k| declared.get_key_value(k).map(|(k, _)| k))
        .collect();
    order.extend(declared.keys().filter(|k| dictionary(k).is_none()));
    order
        .into_iter()
        .map(|key| {
            let declaring = declared.get(key).cloned().unwrap_or_default();
            let def = dictionary(key);
            let title =
                def.map(|d| d.title.clone()).unwrap_or_else(|| fallback_title(lead, forms, key, &declaring));
            let description = def.and_then(|d| d.description.clone());
            let columns = elements
                .get(key)
                .map(|e| infos(bundle, lead, &format!("{prefix}{key}[]."), e))
                .unwrap_or_default();
            let element = def.and_then(|d| d.element.clone());
            (key.clone(), KeyInfo { title, description, items: declaring, columns, element })
        })
        .collect()
}

/// The title a department gave the field (the lead department's first), or the key itself.
fn fallback_title(
    lead: &[ItemIx],
    forms: &[(ItemIx, &Translation)],
    key: &str,
    declaring: &[ItemIx],
) -> Text {
    // The lead department's items first, in order (a stable partition, without a sort).
    let is_lead = |ix: &ItemIx| lead.contains(ix);
    let declared = |(ix, _): &&(ItemIx, &Translation)| declaring.contains(ix);
    let ordered = forms.iter().filter(declared).filter(|(ix, _)| is_lead(ix));
    for (_, t) in ordered.chain(forms.iter().filter(declared).filter(|(ix, _)| !is_lead(ix))) {
        if let Some(title) = t.parts_of(key).iter().find_map(|p| p.get("title").and_then(Value::as_str)) {
            return Text::new(title, key);
        }
    }
    Text::new(key, key)
}

impl Sources<'_> {
    /// Builds the form of the given items (indices, in bundle order).
    pub fn build(&self, items: &[ItemIx], merger: &mut Merger) -> Result<Built, SchemaError> {
        let mut properties = Map::new();
        let mut unsat = Vec::new();
        for (key, info) in self.keys {
            let declaring: Vec<ItemIx> = info.items.iter().copied().filter(|i| items.contains(i)).collect();
            if declaring.is_empty() {
                continue;
            }
            let (field, u) = self.field(key, info, &declaring, merger)?;
            if let Some(u) = u {
                unsat.push((key.clone(), u));
            }
            properties.insert(key.clone(), field);
        }
        let mut root = Map::new();
        root.insert("$schema".into(), json!(DIALECT));
        root.insert("title".into(), json!(self.bundle.title.zh));
        root.insert("x-onething-title".into(), json!(self.bundle.title));
        root.insert("type".into(), json!("object"));
        root.insert("properties".into(), Value::Object(properties));
        let (required, dependent, cross) = self.cross_field(items);
        if !required.is_empty() {
            root.insert("required".into(), json!(required));
        }
        if !dependent.is_empty() {
            root.insert("dependentRequired".into(), Value::Object(dependent));
        }
        if !cross.is_empty() {
            root.insert("allOf".into(), Value::Array(cross));
        }
        root.insert("x-onething-items".into(), self.item_list(items));
        if !merger.defs().is_empty() {
            root.insert("$defs".into(), Value::Object(merger.defs().clone().into_iter().collect()));
        }
        Ok(Built { schema: Value::Object(root), unsat })
    }

    fn field(
        &self,
        key: &str,
        info: &KeyInfo,
        declaring: &[ItemIx],
        merger: &mut Merger,
    ) -> Result<(Value, Option<Unsat>), SchemaError> {
        let parts = declaring.iter().flat_map(|ix| self.items.get(*ix).translation.parts_of(key)).collect();
        let merged = merger.conjoin(parts, "")?;
        let provenance = merger.take_provenance();
        let mut field = match merged.schema {
            Value::Object(obj) => obj,
            Value::Bool(true) => Map::new(),
            other => return Ok((other, merged.unsat)),
        };
        field.insert("title".into(), json!(info.title.zh));
        field.insert("x-onething-title".into(), json!(info.title));
        if let Some(d) = &info.description {
            field.insert("description".into(), json!(d.zh));
            field.insert("x-onething-description".into(), json!(d));
        }
        field.insert("x-onething-sources".into(), self.sources(key, declaring));
        if info.is_list() {
            let elements: Vec<(ItemIx, &Translation)> = declaring
                .iter()
                .flat_map(|ix| {
                    let t = &self.items.get(*ix).translation;
                    t.lists
                        .iter()
                        .filter(|l| t.leaves.get(l.leaf).is_some_and(|leaf| &*leaf.key == key))
                        .map(|l| (*ix, &*l.element))
                })
                .collect();
            self.annotate_columns(&mut field, info, &elements);
        }
        let after: Vec<&str> = declaring
            .iter()
            .map(|ix| self.items.get(*ix))
            .filter(|c| {
                c.translation.leaves.iter().any(|l| {
                    &*l.key == key
                        && matches!(
                            l.transform,
                            Some(
                                crate::compile::transform::ValueTransform::Date(_)
                                    | crate::compile::transform::ValueTransform::Script(_)
                            )
                        )
                })
            })
            .map(|c| c.id.as_str())
            .collect();
        if !after.is_empty() {
            field.insert("x-onething-checked-after-transform".into(), json!(after));
        }
        if !provenance.is_empty() {
            field.insert("x-onething-provenance".into(), provenance_value(provenance));
        }
        Ok((Value::Object(field), merged.unsat))
    }

    /// Gives each column of a list (`items.properties.<column>` of the merged field) its
    /// title, help text and sources, as top-level fields have; nested lists likewise. A
    /// list's `element` name goes on the field as `x-onething-element`.
    fn annotate_columns(
        &self,
        field: &mut Map<String, Value>,
        info: &KeyInfo,
        elements: &[(ItemIx, &Translation)],
    ) {
        if let Some(element) = &info.element {
            field.insert("x-onething-element".into(), json!(element));
        }
        let Some(Value::Object(columns)) = field.get_mut("items").and_then(|i| i.get_mut("properties"))
        else {
            return;
        };
        for (name, column) in &info.columns {
            let Some(Value::Object(out)) = columns.get_mut(name) else { continue };
            out.insert("title".into(), json!(column.title.zh));
            out.insert("x-onething-title".into(), json!(column.title));
            if let Some(d) = &column.description {
                out.insert("description".into(), json!(d.zh));
                out.insert("x-onething-description".into(), json!(d));
            }
            let mut sources = Vec::new();
            let mut inner = Vec::new();
            for (ix, t) in elements {
                let item = self.items.get(*ix);
                for leaf in t.leaves.iter().filter(|l| &*l.key == name) {
                    sources.push(
                        json!({ "item": item.id, "department": item.department, "pointer": leaf.pointer }),
                    );
                }
                for list in
                    t.lists.iter().filter(|l| t.leaves.get(l.leaf).is_some_and(|leaf| &*leaf.key == name))
                {
                    inner.push((*ix, &*list.element));
                }
            }
            out.insert("x-onething-sources".into(), Value::Array(sources));
            if column.is_list() {
                self.annotate_columns(out, column, &inner);
            }
        }
    }

    fn sources(&self, key: &str, declaring: &[ItemIx]) -> Value {
        let mut out = Vec::new();
        for ix in declaring {
            let item = self.items.get(*ix);
            for leaf in item.translation.leaves.iter().filter(|l| &*l.key == key) {
                out.push(json!({ "item": item.id, "department": item.department, "pointer": leaf.pointer }));
            }
        }
        Value::Array(out)
    }

    /// `required`, `dependentRequired` and `allOf` branches of the given items.
    fn cross_field(&self, items: &[ItemIx]) -> (Vec<String>, Map<String, Value>, Vec<Value>) {
        let mut required: IndexSet<String> = IndexSet::new();
        let mut dependent: IndexMap<String, IndexSet<String>> = IndexMap::new();
        let mut cross = Vec::new();
        for ix in items {
            let t = &self.items.get(*ix).translation;
            required.extend(t.required.iter().map(|(key, _)| key.clone()));
            for (a, b, _) in &t.dependent {
                dependent.entry(a.clone()).or_default().insert(b.clone());
            }
            for (schema, side) in &t.cross {
                cross.push(annotate_branch(schema, side));
            }
        }
        let dependent = dependent.into_iter().map(|(k, v)| (k, json!(v))).collect();
        (required.into_iter().collect(), dependent, cross)
    }

    fn item_list(&self, items: &[ItemIx]) -> Value {
        let list: Vec<Value> = items
            .iter()
            .map(|ix| {
                let (item, c) = (ix.declared(self.bundle), self.items.get(*ix));
                let mut keys: Vec<&str> = Vec::new();
                for l in &c.translation.leaves {
                    if !keys.contains(&&*l.key) {
                        keys.push(&l.key);
                    }
                }
                let conditional = item.optional || item.applies_if.is_some();
                json!({ "id": item.id, "department": item.department, "title": item.title, "conditional": conditional, "fields": keys })
            })
            .collect();
        Value::Array(list)
    }
}

fn annotate_branch(schema: &Value, side: &Side) -> Value {
    let source = json!({
        "item": side.origin.item,
        "department": side.origin.department,
        "pointer": side.pointer,
    });
    match schema {
        Value::Object(obj) => {
            let mut obj = obj.clone();
            obj.insert("x-onething-source".into(), source);
            Value::Object(obj)
        }
        other => json!({ "allOf": [other], "x-onething-source": source }),
    }
}
