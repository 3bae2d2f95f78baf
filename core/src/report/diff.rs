//! What changes between two versions of one bundle (`onething diff OLD NEW`): for each
//! department, for the applicant, for the rules, and for drafts saved in the old version.
//!
//! Why: a bundle's authors publish new versions while applications are in progress and
//! departments keep their own systems; each reader needs a different account of one change.
//! A department needs its own fields added, removed and renamed (its pointer mapped to the
//! same canonical key under another name), and its constraints tightened or loosened
//! (`maxLength` 50 → 30, an `enum` value removed, a field newly required). The applicant
//! needs the items, materials (by reuse key), time limits, fees, start dates and
//! prerequisites. The rule authors need
//! which rule texts changed. The host needs to know whether a draft saved under the old
//! version can be resumed under the new one and what it would lose.
//!
//! Fields are the department schema's properties, walked through `properties` and array
//! `items` (an element is `*`, as field maps write it), listed by pointer; a local `$ref`
//! (`#/$defs/person`) is followed, so that a constraint changed in a shared definition shows
//! at every field using it (a reference that comes back to a definition on its own way is
//! not followed again). The compiled bundles give the canonical keys a draft's answers are
//! kept under.
//!
//! ```
//! use onething::{load, CompiledBundle, diff::diff};
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/newborn");
//! let old = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let mut bundle = old.bundle().clone();
//! bundle.version = "1.1.0".into();
//! bundle.items[0].time_limit_days = Some(3);
//! let new = CompiledBundle::compile(bundle)?;
//! let d = diff(&old, &new)?;
//! assert_eq!(d.applicant.time_limits[0].item, "birth-medical-certificate");
//! assert!(d.draft.answers_kept);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use crate::base::pointer;
use crate::compile::CompiledBundle;
use crate::model::bundle::{Bundle, FieldMapping, Item, Script};

/// Two bundles that are not versions of one bundle.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "`{old}` and `{new}` are different bundles (their ids differ): diff compares two versions of one bundle"
)]
pub struct DifferentBundles {
    /// The old bundle's id.
    pub old: String,
    /// The new bundle's id.
    pub new: String,
}

/// What changes from one version of a bundle to another.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BundleDiff {
    /// The bundle's id.
    pub bundle: String,
    /// The old version.
    pub old_version: String,
    /// The new version.
    pub new_version: String,
    /// Per item of each department whose form changed (items of the new version first, then
    /// those only the old one has).
    pub departments: Vec<DepartmentDiff>,
    /// What the applicant sees change.
    pub applicant: ApplicantDiff,
    /// The rules whose text changed, appeared or went.
    pub rules: Vec<RuleChange>,
    /// Whether a draft saved under the old version can resume under the new one.
    pub draft: DraftChange,
}

/// What changes in one department's form for one item.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DepartmentDiff {
    /// The department.
    pub department: String,
    /// The item.
    pub item: String,
    /// The department's fields (JSON Pointers into its form) only the new version has.
    pub fields_added: Vec<String>,
    /// Those only the old version has.
    pub fields_removed: Vec<String>,
    /// Fields the field map renamed: the same canonical key from another pointer.
    pub fields_renamed: Vec<Renamed>,
    /// Constraints of fields both versions have, changed.
    pub constraints: Vec<ConstraintChange>,
}

/// A field the department renamed, recognised by the canonical key both map to.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Renamed {
    /// The canonical key.
    pub key: String,
    /// The old pointer.
    pub from: String,
    /// The new pointer.
    pub to: String,
}

/// Which way a constraint moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Fewer values are accepted: answers valid before may be refused.
    Tightened,
    /// More values are accepted.
    Loosened,
    /// Different, neither only tighter nor only looser (a pattern, a type).
    Changed,
}

/// One constraint of one field that changed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ConstraintChange {
    /// The field (JSON Pointer into the department's form).
    pub field: String,
    /// The keyword (`maxLength`, `enum`, `required`…).
    pub keyword: String,
    /// Its old value (`null`: absent).
    pub old: Value,
    /// Its new value (`null`: absent).
    pub new: Value,
    /// Which way it moved.
    pub direction: Direction,
}

/// What the applicant sees change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
pub struct ApplicantDiff {
    /// Items only the new version has.
    pub items_added: Vec<String>,
    /// Items only the old version has.
    pub items_removed: Vec<String>,
    /// Materials (by reuse key) only the new version asks for.
    pub materials_added: Vec<String>,
    /// Materials only the old version asked for.
    pub materials_dropped: Vec<String>,
    /// Committed time limits (working days) that changed.
    pub time_limits: Vec<ItemChange>,
    /// Fees that changed (the item's fees in yuan).
    pub fees: Vec<ItemChange>,
    /// Start dates that changed: the key of the form's date from which the item can be
    /// handled (`starts_on`; `null`: at once).
    pub start_dates: Vec<ItemChange>,
    /// Prerequisites that changed: the items decided before this one (`depends_on`), which
    /// decide when the applicant is served.
    pub prerequisites: Vec<ItemChange>,
    /// What is to be paid first that changed: the prerequisites whose obligations the
    /// applicant pays before the item is handled (`after_payment_of`).
    pub payments_first: Vec<ItemChange>,
}

/// A value of an item that changed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ItemChange {
    /// The item.
    pub item: String,
    /// Before (`null`: none).
    pub old: Value,
    /// After.
    pub new: Value,
}

/// A rule whose text changed, appeared or went.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RuleChange {
    /// Where: `item food-business-licence, eligibility raw-food-needs-site-check`.
    pub rule: String,
    /// What happened to it.
    pub change: RuleChangeKind,
}

/// What happened to a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleChangeKind {
    /// Only the new version has it.
    Added,
    /// Only the old version had it.
    Removed,
    /// Its script's text differs.
    Changed,
}

/// Whether a draft of the old version can resume under the new one.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DraftChange {
    /// Whether `Wizard::resume` accepts the draft as it is: only a draft of the same
    /// version; `Wizard::migrate` takes one of another version, keeping what the new version
    /// still has.
    pub resumes_as_is: bool,
    /// Whether every answer a draft can hold keeps its canonical key in the new version.
    pub answers_kept: bool,
    /// The canonical keys of the old form the new one does not have: their answers would
    /// be lost.
    pub keys_lost: Vec<String>,
    /// Keys whose constraint was tightened in some department: an answer valid before may
    /// now be an error to correct.
    pub keys_tightened: Vec<String>,
}

/// What changes from `old` to `new`, two versions of one bundle (the same id).
pub fn diff(old: &CompiledBundle, new: &CompiledBundle) -> Result<BundleDiff, DifferentBundles> {
    let (o, n) = (old.bundle(), new.bundle());
    if o.id != n.id {
        return Err(DifferentBundles { old: o.id.clone(), new: n.id.clone() });
    }
    let mut departments = Vec::new();
    for ni in &n.items {
        let empty = Item { schema: json!({}), field_map: Default::default(), ..ni.clone() };
        let oi = o.items.iter().find(|i| i.id == ni.id).unwrap_or(&empty);
        departments.push(department(oi, ni));
    }
    for oi in o.items.iter().filter(|oi| !n.items.iter().any(|ni| ni.id == oi.id)) {
        let empty = Item { schema: json!({}), field_map: Default::default(), ..oi.clone() };
        departments.push(department(oi, &empty));
    }
    departments.retain(|d| {
        !(d.fields_added.is_empty()
            && d.fields_removed.is_empty()
            && d.fields_renamed.is_empty()
            && d.constraints.is_empty())
    });
    let keys_lost: Vec<String> =
        old.keys().keys().filter(|k| !new.keys().contains_key(*k)).cloned().collect();
    let mut keys_tightened: Vec<String> = Vec::new();
    for d in &departments {
        let Some(item) = n.items.iter().find(|i| i.id == d.item) else { continue };
        for c in d.constraints.iter().filter(|c| c.direction != Direction::Loosened) {
            let key = item.field_map.get(&c.field).and_then(FieldMapping::key).map(str::to_owned);
            if let Some(key) = key.filter(|k| !keys_tightened.contains(k)) {
                keys_tightened.push(key);
            }
        }
    }
    Ok(BundleDiff {
        bundle: n.id.clone(),
        old_version: o.version.clone(),
        new_version: n.version.clone(),
        departments,
        applicant: applicant(o, n),
        rules: rules(o, n),
        draft: DraftChange {
            resumes_as_is: o.version == n.version,
            answers_kept: keys_lost.is_empty(),
            keys_lost,
            keys_tightened,
        },
    })
}

/// The changes of one item's department form (`old` or `new` may be an empty stand-in for
/// an item only the other version has).
fn department(old: &Item, new: &Item) -> DepartmentDiff {
    let (of, nf) = (fields(&old.schema), fields(&new.schema));
    let mut added: Vec<String> = nf.keys().filter(|p| !of.contains_key(*p)).cloned().collect();
    let mut removed: Vec<String> = of.keys().filter(|p| !nf.contains_key(*p)).cloned().collect();
    let mut renamed = Vec::new();
    for (from, m) in &old.field_map {
        let Some(key) = m.key() else { continue };
        let to = new.field_map.iter().find(|(_, nm)| nm.key() == Some(key)).map(|(p, _)| p);
        if let Some(to) = to.filter(|to| *to != from && removed.contains(from) && added.contains(to)) {
            renamed.push(Renamed { key: key.to_owned(), from: from.clone(), to: to.clone() });
            removed.retain(|p| p != from);
            added.retain(|p| p != to);
        }
    }
    let mut constraints = Vec::new();
    for (field, o) in &of {
        let new_field = renamed.iter().find(|r| r.from == *field).map_or(field.as_str(), |r| r.to.as_str());
        if let Some(n) = nf.get(new_field) {
            constraints.extend(changes(new_field, o, n));
        }
    }
    DepartmentDiff {
        department: new.department.clone(),
        item: new.id.clone(),
        fields_added: added,
        fields_removed: removed,
        fields_renamed: renamed,
        constraints,
    }
}

/// A field's constraints: its own keywords, and whether its parent requires it.
#[derive(Default)]
struct Field {
    keywords: serde_json::Map<String, Value>,
    required: bool,
}

/// The keywords compared, with how a larger value moves the constraint.
const BOUNDS: [(&str, Direction); 10] = [
    ("minLength", Direction::Tightened),
    ("maxLength", Direction::Loosened),
    ("minimum", Direction::Tightened),
    ("maximum", Direction::Loosened),
    ("exclusiveMinimum", Direction::Tightened),
    ("exclusiveMaximum", Direction::Loosened),
    ("minItems", Direction::Tightened),
    ("maxItems", Direction::Loosened),
    ("multipleOf", Direction::Changed),
    ("maxProperties", Direction::Loosened),
];

/// Keywords compared only as equal or not.
const OTHERS: [&str; 5] = ["type", "pattern", "format", "const", "$ref"];

/// Every field of a department form by pointer, walked through `properties` and array
/// `items` (`*`) and local `$ref`s, in document order.
fn fields(schema: &Value) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<(String, &Value, Vec<&str>)> = vec![(String::new(), schema, Vec::new())];
    while let Some((at, node, seen)) = stack.pop() {
        let (node, seen) = follow(schema, node, seen);
        let required: Vec<&str> = node
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                let p = pointer::join(&at, name);
                let mut f = Field { required: required.contains(&name.as_str()), ..Field::default() };
                // The field's own keywords win over its definition's (siblings of `$ref`).
                let (target, inner) = follow(schema, sub, seen.clone());
                // A reference not followed (remote, or recursive) is compared as written.
                let followed = !std::ptr::eq(target, sub);
                for obj in [target, sub].iter().filter_map(|v| v.as_object()) {
                    for (k, v) in obj {
                        let skipped = matches!(k.as_str(), "properties" | "items" | "required" | "$defs")
                            || (followed && k == "$ref")
                            || k.starts_with("x-");
                        if !skipped {
                            f.keywords.insert(k.clone(), v.clone());
                        }
                    }
                }
                out.insert(p.clone(), f);
                stack.push((p.clone(), sub, seen.clone()));
                if let Some(items) = target.get("items").or_else(|| sub.get("items")) {
                    stack.push((pointer::join(&p, "*"), items, inner));
                }
            }
        }
    }
    out
}

/// Follows local `$ref`s from `node` to the schema they name, remembering the references
/// taken on the way (`seen`): one met again is not followed (a recursive definition).
fn follow<'a>(root: &'a Value, mut node: &'a Value, mut seen: Vec<&'a str>) -> (&'a Value, Vec<&'a str>) {
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix('#')
            .filter(|_| !seen.contains(&reference))
            .and_then(pointer::decode_fragment)
            .and_then(|at| root.pointer(&at));
        let Some(target) = target else { break };
        seen.push(reference);
        node = target;
    }
    (node, seen)
}

/// How one field's constraints changed.
fn changes(field: &str, old: &Field, new: &Field) -> Vec<ConstraintChange> {
    let mut out = Vec::new();
    let mut push = |keyword: &str, old: Value, new: Value, direction: Direction| {
        out.push(ConstraintChange {
            field: field.to_owned(),
            keyword: keyword.to_owned(),
            old,
            new,
            direction,
        });
    };
    if old.required != new.required {
        let direction = if new.required { Direction::Tightened } else { Direction::Loosened };
        push("required", json!(old.required), json!(new.required), direction);
    }
    let get = |f: &Field, k: &str| f.keywords.get(k).cloned().unwrap_or(Value::Null);
    for (k, larger) in BOUNDS {
        let (o, n) = (get(old, k), get(new, k));
        if o == n {
            continue;
        }
        let direction = match (o.as_f64(), n.as_f64(), larger) {
            (_, _, Direction::Changed) => Direction::Changed,
            // A bound added tightens; one removed loosens.
            (None, Some(_), _) => Direction::Tightened,
            (Some(_), None, _) => Direction::Loosened,
            (Some(a), Some(b), d) if b > a => d,
            (Some(_), Some(_), Direction::Tightened) => Direction::Loosened,
            (Some(_), Some(_), _) => Direction::Tightened,
            (None, None, _) => Direction::Changed,
        };
        push(k, o, n, direction);
    }
    let (o, n) = (get(old, "enum"), get(new, "enum"));
    if o != n {
        let (oa, na) = (o.as_array(), n.as_array());
        let direction = match (oa, na) {
            (None, Some(_)) => Direction::Tightened,
            (Some(_), None) => Direction::Loosened,
            (Some(a), Some(b)) if a.iter().all(|v| b.contains(v)) => Direction::Loosened,
            (Some(a), Some(b)) if b.iter().all(|v| a.contains(v)) => Direction::Tightened,
            _ => Direction::Changed,
        };
        push("enum", o, n, direction);
    }
    for k in OTHERS {
        let (o, n) = (get(old, k), get(new, k));
        if o != n {
            let direction = match (&o, &n) {
                (Value::Null, _) => Direction::Tightened,
                (_, Value::Null) => Direction::Loosened,
                _ => Direction::Changed,
            };
            push(k, o, n, direction);
        }
    }
    out
}

/// What the applicant sees change.
fn applicant(o: &Bundle, n: &Bundle) -> ApplicantDiff {
    let ids = |b: &Bundle| b.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    let materials = |b: &Bundle| {
        let mut keys: Vec<String> = Vec::new();
        for m in b.items.iter().flat_map(|i| &i.materials) {
            if !keys.iter().any(|k| k == m.reuse_key()) {
                keys.push(m.reuse_key().to_owned());
            }
        }
        keys
    };
    let only = |a: &[String], b: &[String]| a.iter().filter(|x| !b.contains(x)).cloned().collect::<Vec<_>>();
    let (oi, ni, om, nm) = (ids(o), ids(n), materials(o), materials(n));
    let mut d = ApplicantDiff {
        items_added: only(&ni, &oi),
        items_removed: only(&oi, &ni),
        materials_added: only(&nm, &om),
        materials_dropped: only(&om, &nm),
        ..ApplicantDiff::default()
    };
    for new in &n.items {
        let Some(old) = o.items.iter().find(|i| i.id == new.id) else { continue };
        let compare = |list: &mut Vec<ItemChange>, old: Value, new_value: Value| {
            if old != new_value {
                list.push(ItemChange { item: new.id.clone(), old, new: new_value });
            }
        };
        compare(&mut d.time_limits, json!(old.time_limit_days), json!(new.time_limit_days));
        compare(&mut d.fees, json!(old.fees), json!(new.fees));
        compare(&mut d.start_dates, json!(old.starts_on), json!(new.starts_on));
        compare(&mut d.prerequisites, json!(old.depends_on), json!(new.depends_on));
        compare(&mut d.payments_first, json!(old.after_payment_of), json!(new.after_payment_of));
    }
    d
}

/// Every rule of a bundle by its place, with its text.
fn rule_texts(b: &Bundle) -> Vec<(String, String)> {
    let text = |s: &Script| s.script.clone().or_else(|| s.file.clone()).unwrap_or_default();
    let mut out = Vec::new();
    for r in &b.rules {
        out.push((format!("bundle eligibility {}", r.id), text(&r.source)));
    }
    for c in &b.checks {
        out.push((format!("bundle check {}", c.id), text(&c.source)));
    }
    if let Some(p) = &b.acceptance.policy {
        out.push((format!("acceptance policy {}", p.id), text(&p.source)));
    }
    for d in &b.derive {
        out.push((format!("derive {}", d.key), text(&d.source)));
    }
    for (key, f) in &b.fields {
        if let Some(c) = &f.visible_if {
            out.push((format!("field {key}, visible_if"), text(&c.source)));
        }
    }
    for i in &b.items {
        if let Some(c) = &i.applies_if {
            out.push((format!("item {}, applies_if", i.id), text(&c.source)));
        }
        for r in &i.eligibility {
            out.push((format!("item {}, eligibility {}", i.id, r.id), text(&r.source)));
        }
        for c in &i.checks {
            out.push((format!("item {}, check {}", i.id, c.id), text(&c.source)));
        }
        for r in &i.obligations {
            out.push((format!("item {}, obligation {}", i.id, r.id), text(&r.source)));
        }
        for m in &i.materials {
            if let Some(c) = &m.required_if {
                out.push((format!("item {}, material {}, required_if", i.id, m.id), text(&c.source)));
            }
        }
    }
    out
}

/// The rules whose text changed, appeared or went.
fn rules(o: &Bundle, n: &Bundle) -> Vec<RuleChange> {
    let (old, new) = (rule_texts(o), rule_texts(n));
    let mut out = Vec::new();
    for (at, text) in &new {
        match old.iter().find(|(a, _)| a == at) {
            None => out.push(RuleChange { rule: at.clone(), change: RuleChangeKind::Added }),
            Some((_, t)) if t != text => {
                out.push(RuleChange { rule: at.clone(), change: RuleChangeKind::Changed })
            }
            Some(_) => {}
        }
    }
    for (at, _) in old.iter().filter(|(a, _)| !new.iter().any(|(b, _)| b == a)) {
        out.push(RuleChange { rule: at.clone(), change: RuleChangeKind::Removed });
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn directions(old: Value, new: Value) -> Vec<(String, Direction)> {
        let (o, n) = (fields(&old), fields(&new));
        changes("/a", &o["/a"], &n["/a"]).into_iter().map(|c| (c.keyword, c.direction)).collect()
    }

    #[test]
    fn constraints_move_one_way_or_the_other() {
        let f = |a: Value| json!({"type": "object", "properties": {"a": a}});
        let d =
            directions(f(json!({"maxLength": 50, "minimum": 1})), f(json!({"maxLength": 30, "minimum": 0})));
        assert_eq!(d, [("maxLength".into(), Direction::Tightened), ("minimum".into(), Direction::Loosened)]);
        let d = directions(f(json!({"enum": ["是", "否"]})), f(json!({"enum": ["是"]})));
        assert_eq!(d, [("enum".into(), Direction::Tightened)]);
        let d = directions(f(json!({"enum": ["是"]})), f(json!({"enum": ["是", "否"]})));
        assert_eq!(d, [("enum".into(), Direction::Loosened)]);
        let d = directions(f(json!({"enum": ["是"]})), f(json!({"enum": ["否"]})));
        assert_eq!(d, [("enum".into(), Direction::Changed)]);
        let d = directions(f(json!({"maxItems": 3})), f(json!({})));
        assert_eq!(d, [("maxItems".into(), Direction::Loosened)]);
        let d = directions(f(json!({})), f(json!({"pattern": "^a"})));
        assert_eq!(d, [("pattern".into(), Direction::Tightened)]);
        let d = directions(f(json!({"type": "string"})), f(json!({"type": "integer"})));
        assert_eq!(d, [("type".into(), Direction::Changed)]);
    }

    #[test]
    fn start_dates_and_prerequisites_are_the_applicants_changes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/business-startup");
        let old = CompiledBundle::compile(crate::load::load_dir(&dir).unwrap()).unwrap();
        let mut bundle = old.bundle().clone();
        let bank = bundle.items.iter_mut().find(|i| i.starts_on.is_some()).unwrap();
        let (id, key) = (bank.id.clone(), bank.starts_on.take().unwrap());
        let prerequisites = json!(bank.depends_on);
        bank.depends_on.clear();
        let new = CompiledBundle::compile(bundle).unwrap();
        let d = diff(&old, &new).unwrap().applicant;
        assert_eq!(d.start_dates, [ItemChange { item: id.clone(), old: json!(key), new: Value::Null }]);
        assert_eq!(d.prerequisites, [ItemChange { item: id, old: prerequisites, new: json!([]) }]);
        assert!(d.time_limits.is_empty() && d.fees.is_empty(), "{d:?}");
    }

    #[test]
    fn a_payment_no_longer_waited_for_is_the_applicants_change() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/housing-transfer");
        let old = CompiledBundle::compile(crate::load::load_dir(&dir).unwrap()).unwrap();
        let mut bundle = old.bundle().clone();
        let registry = bundle.items.iter_mut().find(|i| !i.after_payment_of.is_empty()).unwrap();
        let (id, paid) = (registry.id.clone(), json!(registry.after_payment_of));
        registry.after_payment_of.clear();
        let d = diff(&old, &CompiledBundle::compile(bundle).unwrap()).unwrap().applicant;
        assert_eq!(d.payments_first, [ItemChange { item: id, old: paid, new: json!([]) }]);
        assert!(d.prerequisites.is_empty() && d.start_dates.is_empty(), "{d:?}");
    }

    #[test]
    fn local_references_are_followed_once() {
        let schema = json!({"type": "object", "$defs": {
            "person": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 30}}},
            "tree": {"type": "object", "properties": {"label": {"type": "string"}, "child": {"$ref": "#/$defs/tree"}}}
        }, "properties": {
            "owner": {"$ref": "#/$defs/person"},
            "code": {"$ref": "#/$defs/missing", "maxLength": 4},
            "root": {"$ref": "#/$defs/tree"}
        }});
        let f = fields(&schema);
        assert_eq!(f["/owner/name"].keywords["maxLength"], json!(30), "behind the reference");
        assert_eq!(f["/code"].keywords["maxLength"], json!(4), "a dangling reference keeps the field's own");
        assert_eq!(f["/code"].keywords["$ref"], json!("#/$defs/missing"), "and is compared as written");
        let pointers: Vec<&str> = f.keys().map(String::as_str).filter(|p| p.starts_with("/root")).collect();
        assert_eq!(pointers, ["/root", "/root/child", "/root/label"], "the recursion is followed once");
        // A changed definition is a change of every field using it.
        let mut tighter = schema.clone();
        tighter["$defs"]["person"]["properties"]["name"]["maxLength"] = json!(20);
        let c = changes("/owner/name", &f["/owner/name"], &fields(&tighter)["/owner/name"]);
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn fields_are_walked_through_objects_and_arrays() {
        let schema = json!({"type": "object", "required": ["a"], "properties": {
            "a": {"type": "object", "properties": {"b~c": {"type": "string"}}},
            "list": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}
        }});
        let f = fields(&schema);
        let pointers: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(pointers, ["/a", "/a/b~0c", "/list", "/list/*/name"]);
        assert!(f["/a"].required && !f["/list"].required);
    }
}
