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
/// title.
pub(crate) fn key_infos(bundle: &Bundle, items: &Items) -> KeyInfos {
    let mut declared: IndexMap<String, Vec<ItemIx>> = IndexMap::new();
    for (ix, c) in items.iter() {
        for leaf in &c.translation.leaves {
            let items = declared.entry(leaf.key.to_string()).or_default();
            if !items.contains(&ix) {
                items.push(ix);
            }
        }
    }
    let mut order: Vec<&String> = bundle.fields.keys().filter(|k| declared.contains_key(*k)).collect();
    order.extend(declared.keys().filter(|k| !bundle.fields.contains_key(*k)));
    order
        .into_iter()
        .map(|key| {
            let declaring = declared.get(key).cloned().unwrap_or_default();
            let def = bundle.fields.get(key);
            let title = def
                .map(|d| d.title.clone())
                .unwrap_or_else(|| fallback_title(bundle, items, key, &declaring));
            let description = def.and_then(|d| d.description.clone());
            (key.clone(), KeyInfo { title, description, items: declaring })
        })
        .collect()
}

/// The title a department gave the field (the lead department's first), or the key itself.
fn fallback_title(bundle: &Bundle, items: &Items, key: &str, declaring: &[ItemIx]) -> Text {
    // The lead department's items first, in order (a stable partition, without a sort).
    let lead = |ix: &&ItemIx| items.get(**ix).department == bundle.lead;
    for &ix in declaring.iter().filter(lead).chain(declaring.iter().filter(|ix| !lead(ix))) {
        let parts = items.get(ix).translation.parts_of(key);
        if let Some(title) = parts.iter().find_map(|p| p.get("title").and_then(Value::as_str)) {
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
