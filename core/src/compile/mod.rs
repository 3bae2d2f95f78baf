//! Compiling a bundle: everything that can be done once is done here.
//!
//! [`CompiledBundle::compile`] checks the bundle's structure, checks and translates every
//! department schema, merges the forms, compiles the validators and the rule scripts. It
//! reports **every** problem at once ([`CompileError`]). The result is immutable, `Send` and
//! `Sync`; evaluation never parses a script or compiles a form again (the blame of a
//! pattern departments disagree on is compiled once, when first needed: `compile::blame`;
//! so is each department's schema as published, which only dispatch reads: what the
//! validator could refuse in it is checked here, `schema::precheck`).
//!
//! ```
//! use onething::{Bundle, CompiledBundle, Submission};
//! use serde_json::json;
//!
//! let bundle: Bundle = serde_json::from_value(json!({
//!     "id": "demo", "version": "1", "title": {"zh": "示例", "en": "Demo"}, "lead": "a",
//!     "departments": [{"id": "a", "name": {"zh": "甲局", "en": "Bureau A"}},
//!                     {"id": "b", "name": {"zh": "乙局", "en": "Bureau B"}}],
//!     "items": [
//!       {"id": "one", "department": "a", "title": {"zh": "一", "en": "One"},
//!        "schema": {"type": "object", "required": ["xm"],
//!                   "properties": {"xm": {"type": "string", "maxLength": 10}}},
//!        "field_map": {"/xm": "applicant.name"}},
//!       {"id": "two", "department": "b", "title": {"zh": "二", "en": "Two"},
//!        "schema": {"type": "object",
//!                   "properties": {"applicant": {"type": "object",
//!                       "properties": {"name": {"type": "string", "minLength": 2}}}}},
//!        "field_map": {"/applicant/name": "applicant.name"}}
//!     ]
//! })).unwrap();
//! let compiled = CompiledBundle::compile(bundle).unwrap();
//! let field = &compiled.form()["properties"]["applicant.name"];
//! assert_eq!((field["minLength"].clone(), field["maxLength"].clone()), (json!(2), json!(10)));
//!
//! let s = Submission { values: json!({"applicant.name": "张三"}), ..Default::default() };
//! let out = compiled.dispatch(&s).unwrap();
//! assert_eq!(out.payloads[1].payload, json!({"applicant": {"name": "张三"}}));
//! ```

pub(crate) mod blame;
pub mod form;
pub(crate) mod graph;
pub(crate) mod items;
pub(crate) mod keys;
mod list_keys;
mod month_keys;
pub mod project;
pub(crate) mod rulebook;
pub(crate) mod sources;
pub mod transform;
pub mod translate;

use std::collections::HashSet;

use indexmap::IndexMap;
use jsonschema::Validator;
use serde_json::Value;

use crate::base::pointer;
use crate::compile::blame::SideChecks;
use crate::compile::form::Sources;
use crate::compile::graph::ItemGraph;
use crate::compile::items::{CompiledItem, Items, Original};
use crate::compile::keys::KeyInfos;
use crate::compile::rulebook::{ItemRules, Rulebook};
use crate::compile::sources::{self as data_sources, CompiledSource};
use crate::model::bundle::{Bundle, Item, ItemIx};
use crate::model::error::{CompileError, FormError, Problem, Warning};
use crate::rules::Sandbox;
use crate::schema::{self, Document, Merger, Origin, SchemaError, Unsat};

/// A bundle ready to use: merged, checked, compiled.
pub struct CompiledBundle {
    pub(crate) bundle: Bundle,
    /// Every item, compiled: its schemas, translation and rules.
    pub(crate) items: Items,
    pub(crate) keys: KeyInfos,
    /// The merger after the full form: its hoisted `$defs` seed every other form.
    seed: Merger,
    full_form: Value,
    /// The form of the items that always apply, compiled.
    pub(crate) base: Validator,
    /// That form, when it differs from the full form.
    base_form: Option<Value>,
    /// The departments' disagreeing constraints, compiled for validation's blame.
    pub(crate) side_checks: SideChecks,
    /// The bundle's own rules, compiled (each item's are in its record).
    pub(crate) rulebook: Rulebook,
    /// How many rules there are in all (items' and the bundle's): a trace's capacity.
    pub(crate) rule_count: usize,
    /// Data sources, compiled (prefill).
    pub(crate) sources: Vec<CompiledSource>,
    /// The canonical keys rules read (`None`: some rule reads keys it computes, so rules
    /// see every value).
    pub(crate) rule_keys: Option<Vec<String>>,
    /// The items' dependency graph: the decision order, the plan's stages.
    pub(crate) graph: ItemGraph,
    warnings: Vec<Warning>,
}

impl std::fmt::Debug for CompiledBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledBundle")
            .field("id", &self.bundle.id)
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl CompiledBundle {
    /// Compiles a bundle (schemas and scripts inline: see [`crate::load`]).
    ///
    /// In phases, each reporting every problem it finds before compiling stops:
    /// `translate_all` (structure, item graph, rules, every item's schema), then
    /// `merge_full_form` (checks over the canonical keys, data sources, the form of every
    /// item), then `compile_forms` (the validators), then the parts are assembled.
    pub fn compile(bundle: Bundle) -> Result<CompiledBundle, CompileError> {
        // The same patterns are in many of the bundle's schemas: each is compiled once.
        schema::sharing_patterns(|| CompiledBundle::compile_sharing(bundle))
    }

    fn compile_sharing(bundle: Bundle) -> Result<CompiledBundle, CompileError> {
        let fail = |problems| CompileError { bundle: bundle.id.clone(), problems };
        let graph = ItemGraph::of(&bundle);
        let sandbox = Sandbox::new(bundle.limits.unwrap_or_default());
        let mut warnings = Vec::new();
        let mut merger = Merger::new(true);
        let (rulebook, mut items, rule_problems) =
            translate_all(&bundle, &graph, &mut merger, &sandbox, &mut warnings).map_err(fail)?;
        let keys = form::key_infos(&bundle, &items);
        let item_rules: Vec<&ItemRules> = items.iter().map(|(_, c)| &c.rules).collect();
        let (rule_keys, rule_count) = (rulebook.read_keys(&item_rules), rulebook.all(&item_rules).count());
        let sources = Sources { bundle: &bundle, items: &items, keys: &keys };
        let merged = merge_full_form(&sources, &rulebook, &mut merger, &sandbox, &mut warnings);
        let (full_form, compiled_sources) = match (merged, rule_problems.is_empty()) {
            (Ok(merged), true) => merged,
            (Ok(_), false) => return Err(fail(rule_problems)),
            (Err(more), _) => return Err(fail(rule_problems.into_iter().chain(more).collect())),
        };
        let forms = compile_forms(&sources, merger, &full_form).map_err(|p| fail(vec![p]))?;
        for (ix, delta) in forms.deltas {
            items.get_mut(ix).delta = Some(delta);
        }
        Ok(CompiledBundle {
            rule_keys,
            rule_count,
            graph,
            rulebook,
            sources: compiled_sources,
            bundle,
            items,
            keys,
            seed: forms.seed,
            full_form,
            base: forms.base,
            side_checks: forms.side_checks,
            base_form: forms.base_form,
            warnings,
        })
    }

    /// The bundle as loaded.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// Things worth fixing that do not stop the bundle from working.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The form of the items that always apply (with provenance annotations).
    pub(crate) fn base_form(&self) -> &Value {
        self.base_form.as_ref().unwrap_or(&self.full_form)
    }

    /// The merged form of every item (as if all applied).
    pub fn form(&self) -> &Value {
        &self.full_form
    }

    /// Canonical keys in form order, with titles and the items declaring them.
    pub fn keys(&self) -> &KeyInfos {
        &self.keys
    }

    /// The merged form of the given items: fields and requirements of other items left out.
    ///
    /// # Errors
    /// [`FormError::UnknownItem`] for an id the bundle does not have;
    /// [`FormError::Schema`] when these items' schemas cannot be merged (see `form_of`).
    pub fn form_for(&self, item_ids: &[&str]) -> Result<Value, FormError> {
        let mut indices = Vec::new();
        for id in item_ids {
            let i = self.items.find(id).ok_or_else(|| crate::UnknownItem((*id).to_owned()))?;
            if !indices.contains(&i) {
                indices.push(i);
            }
        }
        indices.sort_unstable();
        Ok(self.form_of(&indices)?)
    }

    /// The merged form of items given by index. Compiling merged the form of every item,
    /// of the items that always apply and of each conditional item alone, but not every
    /// combination, and merging fewer schemas can reach a limit merging more did not: a
    /// place one item makes `false` is not merged further in a form with that item, but is
    /// in a form without it. So this can fail, and says so (the full form in its place
    /// would hand out the fields and requirements of items that do not apply).
    pub(crate) fn form_of(&self, indices: &[ItemIx]) -> Result<Value, SchemaError> {
        let sources = Sources { bundle: &self.bundle, items: &self.items, keys: &self.keys };
        Ok(sources.build(indices, &mut self.seed.fork())?.schema)
    }

    /// The item at `ix` as the bundle declares it.
    pub(crate) fn declared(&self, ix: ItemIx) -> &crate::model::bundle::Item {
        ix.declared(&self.bundle)
    }
}

/// The first phase: checks the bundle's structure and its item graph (no cycle), compiles
/// the rules, and translates every item's schema to canonical keys (into `merger`, whose
/// hoisted definitions every form shares). Returns the bundle's own rules, every item
/// compiled (one for each of the bundle's items, in order: so their indices are the
/// bundle's), and the rules' own problems (syntax errors, script files that do not exist):
/// those stop the compile only after the second phase, so that its problems are reported
/// with them. Nothing after this phase can run on a bundle with any other problem here, so
/// such a problem stops it, reported together with the rules' problems.
fn translate_all(
    bundle: &Bundle,
    graph: &ItemGraph,
    merger: &mut Merger,
    sandbox: &Sandbox,
    warnings: &mut Vec<Warning>,
) -> Result<(Rulebook, Items, Vec<Problem>), Vec<Problem>> {
    let mut problems = check_structure(bundle);
    problems.extend(graph.cycles(bundle));
    let (rulebook, item_rules, rule_problems) = Rulebook::compile(bundle, sandbox);
    // Where the rules' problems go in the list: after the structure's, as they always were.
    let rules_at = problems.len();
    let mut items = Vec::new();
    for (i, item) in bundle.items.iter().enumerate() {
        if let Some(c) = record(compile_item(i, item, merger, sandbox, warnings), &mut problems) {
            items.push(c);
        }
    }
    let items = Items::new(items);
    if problems.is_empty() {
        let translations: Vec<_> = items.iter().map(|(ix, c)| (ix, &c.translation)).collect();
        problems.extend(month_keys::months_and_dates(bundle, translations.iter().copied()));
        problems.extend(list_keys::whole_and_by_column(bundle, translations.iter().copied()));
    }
    if !problems.is_empty() {
        problems.splice(rules_at..rules_at, rule_problems);
        return Err(problems);
    }
    let mut items = items;
    for (ix, rules) in items.indices().zip(item_rules) {
        items.get_mut(ix).rules = rules;
    }
    Ok((rulebook, items, rule_problems))
}

/// The value of `result`, or `None` with its problems added to `problems`.
fn record<T>(result: Result<T, Vec<Problem>>, problems: &mut Vec<Problem>) -> Option<T> {
    result.map_err(|p| problems.extend(p)).ok()
}

/// The second phase, over the canonical keys: sections and the field dictionary name
/// existing keys, rules read existing keys and materials, data sources compile; then the
/// form of every item is merged, and a key several departments constrain so that no value
/// fits is a conflict. Returns the full form and the compiled data sources.
fn merge_full_form(
    sources: &Sources<'_>,
    rulebook: &Rulebook,
    merger: &mut Merger,
    sandbox: &Sandbox,
    warnings: &mut Vec<Warning>,
) -> Result<(Value, Vec<CompiledSource>), Vec<Problem>> {
    let (bundle, keys) = (sources.bundle, sources.keys);
    let mut problems = check_references(bundle, keys, warnings);
    let materials: HashSet<&str> =
        bundle.items.iter().flat_map(|i| i.materials.iter().map(|m| m.reuse_key())).collect();
    let item_rules: Vec<&ItemRules> = sources.items.iter().map(|(_, c)| &c.rules).collect();
    let derived: HashSet<&str> = bundle.derive.iter().map(|d| d.key.as_str()).collect();
    problems.extend(rulebook.check_reads(&item_rules, keys, &materials, &derived));
    let compiled_sources =
        record(data_sources::compile(bundle, keys, sandbox), &mut problems).unwrap_or_default();
    let all: Vec<ItemIx> = sources.items.indices().collect();
    let full = sources.build(&all, merger).map_err(|e| vec![schema_problem(bundle, e)])?;
    warnings.extend(rulebook.type_traps(&item_rules, &full.schema));
    problems.extend(unsatisfiable_keys(bundle, keys, full.unsat, warnings));
    if problems.is_empty() { Ok((full.schema, compiled_sources)) } else { Err(problems) }
}

/// Keys of the full form no value can satisfy: a conflict between departments when several
/// items declare the key, a warning when only one does (its own schema is at fault).
fn unsatisfiable_keys(
    bundle: &Bundle,
    keys: &KeyInfos,
    unsat: Vec<(String, Unsat)>,
    warnings: &mut Vec<Warning>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (key, unsat) in unsat {
        let declaring = keys.get(&key).map_or(&[][..], |k| k.items.as_slice());
        if declaring.len() > 1 {
            let bundle_pointer = declaring.last().map(|&ix| declaration_pointer(bundle, ix, &key));
            problems.push(Problem::Conflict { key, unsat, bundle_pointer });
        } else {
            warnings.push(Warning {
                pointer: bundle.fields.contains_key(&key).then(|| field_pointer(&key)),
                at: format!("field `{key}`"),
                message: format!("can never hold a value: {unsat}"),
            });
        }
    }
    problems
}

/// What [`compile_forms`] makes: the forms validation uses.
struct Forms {
    /// The merger after the full form: its hoisted `$defs` seed every other form.
    seed: Merger,
    /// The form of the items that always apply, when it differs from the full form.
    base_form: Option<Value>,
    /// That form (or the full form), compiled.
    base: Validator,
    /// Its departments' disagreeing constraints, compiled.
    side_checks: SideChecks,
    /// Each conditional item's own form (its `delta`), compiled.
    deltas: Vec<(ItemIx, Validator)>,
}

/// The third phase: the validators. The form of the items that always apply is built
/// (unless it is the full form) and compiled, and so is each conditional item's own form
/// (its `delta`), so that validation never builds or compiles a form.
fn compile_forms(sources: &Sources<'_>, seed: Merger, full_form: &Value) -> Result<Forms, Problem> {
    let (id, items) = (&sources.bundle.id, sources.items);
    let always: Vec<ItemIx> = items.iter().filter(|(_, c)| !c.conditional()).map(|(ix, _)| ix).collect();
    // With no conditional item, the base form is the full form: built and kept once.
    let base_form = if always.len() == items.len() {
        None
    } else {
        Some(sources.build(&always, &mut seed.fork()).map_err(|e| schema_problem(sources.bundle, e))?.schema)
    };
    let base = compile_form(id, base_form.as_ref().unwrap_or(full_form))?;
    let mut deltas = Vec::new();
    for (ix, _) in items.iter().filter(|(_, c)| c.conditional()) {
        let own = sources
            .build(&[ix], &mut seed.fork_with(false))
            .map_err(|e| schema_problem(sources.bundle, e))?
            .schema;
        deltas.push((ix, compile_form(id, &own)?));
    }
    let side_checks = SideChecks::of(base_form.as_ref().unwrap_or(full_form));
    Ok(Forms { seed, base_form, base, side_checks, deltas })
}

fn compile_item(
    index: usize,
    item: &crate::model::bundle::Item,
    merger: &mut Merger,
    sandbox: &Sandbox,
    warnings: &mut Vec<Warning>,
) -> Result<CompiledItem, Vec<Problem>> {
    let document = item.schema_file.clone().unwrap_or_else(|| format!("{}.schema.json", item.id));
    let origin = Origin::item(document, &item.id, &item.department);
    let place = format!("/items/{index}");
    let in_schema = |error| vec![Problem::Schema { error, bundle_pointer: Some(format!("{place}/schema")) }];
    let doc = Document::new(item.schema.clone(), origin.clone(), &item.id).map_err(in_schema)?;
    // Compiled on first use (dispatch); what compiling it could refuse is checked now.
    let original = schema::precheck(&item.schema).map_err(|(pointer, message)| {
        in_schema(SchemaError::Invalid { origin: origin.clone(), pointer, message })
    })?;
    let t = translate::translate(doc, &place, &item.field_map, merger, sandbox)?;
    for (pointer, message) in &t.warnings {
        warnings.push(Warning {
            at: format!("item `{}`", item.id),
            message: message.clone(),
            pointer: Some(pointer.clone()),
        });
    }
    let residual = match &t.residual {
        None => None,
        Some(r) => Some(schema::compile(r).map_err(|(pointer, message)| {
            let message = format!("residual schema: {message}");
            in_schema(SchemaError::Invalid { origin: origin.clone(), pointer, message })
        })?),
    };
    Ok(CompiledItem {
        id: item.id.clone(),
        department: item.department.clone(),
        optional: item.optional,
        original: Original::new(original),
        delta: None,
        residual,
        translation: t,
        // Set once the rules compiled (`translate_all`).
        rules: ItemRules::default(),
    })
}

/// A schema problem found while merging the forms, placed at the `schema` of the item whose
/// document it is about (none when it is about no item's document).
fn schema_problem(bundle: &Bundle, error: SchemaError) -> Problem {
    let item = error.origin().item.as_deref();
    let index = bundle.items.iter().position(|i| Some(i.id.as_str()) == item);
    let bundle_pointer = index.map(|i| format!("/items/{i}/schema"));
    Problem::Schema { error, bundle_pointer }
}

/// Where item `index` declares the canonical `key`: the field map entry mapping a property
/// to it, or, for a property that keeps its own path as its key, the item's `schema`.
fn declaration_pointer(bundle: &Bundle, ix: ItemIx, key: &str) -> String {
    let item = format!("/items/{ix}");
    let entry = ix.declared(bundle).field_map.iter().find(|(_, m)| m.key() == Some(key));
    match entry {
        Some((from, _)) => pointer::join(&pointer::join(&item, "field_map"), from),
        None => pointer::join(&item, "schema"),
    }
}

/// Compiles a merged form for validation, without its annotations (they change nothing
/// about validity, and a large form compiles faster without them).
fn compile_form(bundle: &str, form: &Value) -> Result<Validator, Problem> {
    schema::compile(&schema::strip_annotations(form)).map_err(|(pointer, message)| Problem::Invalid {
        at: format!("merged form of `{bundle}` at {pointer}"),
        message,
        bundle_pointer: None,
    })
}

/// Ids are unique, references resolve.
fn check_structure(bundle: &Bundle) -> Vec<Problem> {
    let mut problems = Vec::new();
    duplicates("department", "/departments", bundle.departments.iter().map(|d| d.id.as_str()), &mut problems);
    duplicates("item", "/items", bundle.items.iter().map(|i| i.id.as_str()), &mut problems);
    duplicates("section", "/sections", bundle.sections.iter().map(|s| s.id.as_str()), &mut problems);
    duplicates("bundle rule", "/rules", bundle.rules.iter().map(|r| r.id.as_str()), &mut problems);
    duplicates("bundle check", "/checks", bundle.checks.iter().map(|c| c.id.as_str()), &mut problems);
    let departments: HashSet<&str> = bundle.departments.iter().map(|d| d.id.as_str()).collect();
    let items: HashSet<&str> = bundle.items.iter().map(|i| i.id.as_str()).collect();
    // Suggestions are offered in bundle order, so that they do not depend on hashing.
    let department_ids = || bundle.departments.iter().map(|d| d.id.as_str());
    let item_ids = || bundle.items.iter().map(|i| i.id.as_str());
    if !departments.contains(bundle.lead.as_str()) {
        problems.push(Problem::unknown(
            "lead".into(),
            "/lead".into(),
            "department",
            &bundle.lead,
            department_ids(),
        ));
    }
    for (i, item) in bundle.items.iter().enumerate() {
        if !departments.contains(item.department.as_str()) {
            let at = format!("item `{}`", item.id);
            let place = format!("/items/{i}/department");
            problems.push(Problem::unknown(at, place, "department", &item.department, department_ids()));
        }
        duplicates(
            &format!("material of item `{}`", item.id),
            &format!("/items/{i}/materials"),
            item.materials.iter().map(|m| m.id.as_str()),
            &mut problems,
        );
        duplicates(
            &format!("eligibility rule of item `{}`", item.id),
            &format!("/items/{i}/eligibility"),
            item.eligibility.iter().map(|r| r.id.as_str()),
            &mut problems,
        );
        duplicates(
            &format!("obligation of item `{}`", item.id),
            &format!("/items/{i}/obligations"),
            item.obligations.iter().map(|r| r.id.as_str()),
            &mut problems,
        );
        duplicates(
            &format!("check of item `{}`", item.id),
            &format!("/items/{i}/checks"),
            item.checks.iter().map(|c| c.id.as_str()),
            &mut problems,
        );
        for (j, dep) in item.depends_on.iter().enumerate() {
            let at = format!("item `{}`, depends_on", item.id);
            let place = format!("/items/{i}/depends_on/{j}");
            if dep == &item.id {
                problems.push(Problem::Invalid {
                    at,
                    message: "an item cannot depend on itself".into(),
                    bundle_pointer: Some(place),
                });
            } else if !items.contains(dep.as_str()) {
                problems.push(Problem::unknown(at, place, "item", dep, item_ids()));
            }
        }
        problems.extend(check_after_payment(bundle, i, item, item_ids()));
    }
    problems
}

/// The `after_payment_of` of `item` (at position `i`) names direct prerequisites with
/// obligation rules: a wait for the payment of something that is not waited for, or that
/// obliges nothing, would be a plan no department works to.
fn check_after_payment<'a>(
    bundle: &Bundle,
    i: usize,
    item: &Item,
    item_ids: impl Iterator<Item = &'a str> + Clone,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    duplicates(
        &format!("payment first of item `{}`", item.id),
        &format!("/items/{i}/after_payment_of"),
        item.after_payment_of.iter().map(String::as_str),
        &mut problems,
    );
    for (j, id) in item.after_payment_of.iter().enumerate() {
        let at = format!("item `{}`, after_payment_of", item.id);
        let place = format!("/items/{i}/after_payment_of/{j}");
        let Some(first) = bundle.items.iter().find(|x| &x.id == id) else {
            problems.push(Problem::unknown(at, place, "item", id, item_ids.clone()));
            continue;
        };
        let produces_consumed = first.produces.iter().any(|e| item.consumes.contains(e));
        let message = if !item.depends_on.contains(id) && !produces_consumed {
            format!("`{id}` is not a prerequisite of this item: name it in depends_on too")
        } else if first.obligations.is_empty() {
            format!("`{id}` has no obligation rules: there is nothing to pay before this item")
        } else {
            continue;
        };
        problems.push(Problem::Invalid { at, message, bundle_pointer: Some(place) });
    }
    problems
}

/// A [`Problem::DuplicateId`] for the first repetition of each id among `ids`, the
/// entries of the array at `array` in the bundle document.
pub(crate) fn duplicates<'a>(
    what: &str,
    array: &str,
    ids: impl Iterator<Item = &'a str>,
    problems: &mut Vec<Problem>,
) {
    let mut seen = HashSet::new();
    let mut reported = HashSet::new();
    for (n, id) in ids.enumerate() {
        if !seen.insert(id) && reported.insert(id) {
            let bundle_pointer = Some(format!("{array}/{n}"));
            problems.push(Problem::DuplicateId { what: what.into(), id: id.into(), bundle_pointer });
        }
    }
}

/// Sections and the dictionary name existing keys.
fn check_references(bundle: &Bundle, keys: &KeyInfos, warnings: &mut Vec<Warning>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, s) in bundle.sections.iter().enumerate() {
        for (j, key) in s.fields.iter().enumerate().filter(|(_, k)| !keys.contains_key(*k)) {
            problems.push(Problem::unknown(
                format!("section `{}`", s.id),
                format!("/sections/{i}/fields/{j}"),
                "field",
                key,
                keys.keys().map(String::as_str),
            ));
        }
    }
    warn_accidental_reuse(bundle, warnings);
    warn_untitled_evidence(bundle, warnings);
    for (i, item) in bundle.items.iter().enumerate() {
        // A material with a `required_if` is checked with its rule, whose `for_each` it is.
        for (j, m) in item.materials.iter().enumerate().filter(|(_, m)| m.required_if.is_none()) {
            let Some(list) = &m.for_each else { continue };
            if !crate::compile::keys::find(keys, list).is_some_and(crate::compile::keys::KeyInfo::is_list) {
                let lists = crate::compile::keys::all(keys);
                let lists = lists.iter().filter(|(_, k)| k.is_list()).map(|(name, _)| name.as_str());
                let at = format!("item `{}`, material `{}`, for_each", item.id, m.id);
                problems.push(Problem::unknown(
                    at,
                    format!("/items/{i}/materials/{j}/for_each"),
                    "list",
                    list,
                    lists,
                ));
            }
        }
    }
    for (j, d) in bundle.derive.iter().enumerate().filter(|(_, d)| d.key.contains("[].")) {
        if crate::compile::keys::find(keys, &d.key).is_none() {
            let columns = crate::compile::keys::all(keys);
            let columns = columns.iter().map(|(name, _)| name.as_str()).filter(|name| name.contains("[]."));
            let at = format!("derive `{}`", d.key);
            problems.push(Problem::unknown(at, format!("/derive/{j}/key"), "list column", &d.key, columns));
        }
    }
    // Keys a bundle names as a value of the form, typed or derived: a supplement cap, a fee's
    // amount, the date an item waits for.
    let value_of_form = |key: &str, at: String, place: String| {
        let derived = || bundle.derive.iter().map(|d| d.key.as_str());
        if keys.contains_key(key) || derived().any(|d| d == key) {
            return None;
        }
        Some(Problem::unknown(at, place, "field", key, keys.keys().map(String::as_str).chain(derived())))
    };
    for (i, item) in bundle.items.iter().enumerate() {
        for (j, m) in item.materials.iter().enumerate() {
            let Some(key) = m.supplement_until.as_deref() else { continue };
            let at = format!("item `{}`, material `{}`, supplement_until", item.id, m.id);
            problems.extend(value_of_form(key, at, format!("/items/{i}/materials/{j}/supplement_until")));
        }
        for (j, f) in item.fees.iter().enumerate() {
            let Some(key) = f.amount_from.as_deref() else { continue };
            let at = format!("item `{}`, fee {j}, amount_from", item.id);
            problems.extend(value_of_form(key, at, format!("/items/{i}/fees/{j}/amount_from")));
        }
        if let Some(key) = item.starts_on.as_deref() {
            let at = format!("item `{}`, starts_on", item.id);
            problems.extend(value_of_form(key, at, format!("/items/{i}/starts_on")));
        }
    }
    for (key, _) in bundle.fields.iter().filter(|(k, f)| f.visible_if.is_some() && !keys.contains_key(*k)) {
        let at = format!("field dictionary `{key}`, visible_if");
        let place = pointer::join(&field_pointer(key), "visible_if");
        problems.push(Problem::unknown(at, place, "field", key, keys.keys().map(String::as_str)));
    }
    for key in bundle.fields.keys().filter(|k| crate::compile::keys::find(keys, k).is_none()) {
        warnings.push(Warning {
            at: format!("field dictionary `{key}`"),
            message: "no item declares this key".into(),
            pointer: Some(field_pointer(key)),
        });
    }
    for (key, info) in crate::compile::keys::all(keys) {
        if !bundle.fields.contains_key(&key) {
            warnings.push(Warning {
                at: format!("field `{key}`"),
                message: format!(
                    "not in the field dictionary: its title is `{}` in both languages",
                    info.title.zh
                ),
                pointer: None,
            });
        }
    }
    problems
}

/// `/fields/<key>`: a field dictionary entry in `bundle.json`.
fn field_pointer(key: &str) -> String {
    pointer::join("/fields", key)
}

/// Evidence passed between items (`produces` / `consumes`) without a title in the bundle's
/// `evidence`, which the plan would show by its id; and titles of evidence no item names.
fn warn_untitled_evidence(bundle: &Bundle, warnings: &mut Vec<Warning>) {
    let mut named: Vec<(&str, String)> = Vec::new();
    for (i, item) in bundle.items.iter().enumerate() {
        let produced = item.produces.iter().enumerate().map(|(j, e)| (e, format!("/items/{i}/produces/{j}")));
        let consumed = item.consumes.iter().enumerate().map(|(j, e)| (e, format!("/items/{i}/consumes/{j}")));
        for (e, at) in produced.chain(consumed) {
            if !named.iter().any(|(n, _)| n == e) {
                named.push((e, at));
            }
        }
    }
    for (e, at) in &named {
        if !bundle.evidence.contains_key(*e) {
            warnings.push(Warning {
                at: format!("evidence `{e}`"),
                message: "has no title in the bundle's `evidence`: the plan shows its id".into(),
                pointer: Some(at.clone()),
            });
        }
    }
    for key in bundle.evidence.keys().filter(|k| !named.iter().any(|(n, _)| n == k)) {
        warnings.push(Warning {
            at: format!("evidence `{key}`"),
            message: "no item produces or consumes it".into(),
            pointer: Some(pointer::join("/evidence", key)),
        });
    }
}

/// Materials of different items meet under one reuse key when their ids match. That is
/// the point of reuse (材料复用) when meant; when the titles differ, it is probably a
/// generic id (`application`) used twice by accident.
fn warn_accidental_reuse(bundle: &Bundle, warnings: &mut Vec<Warning>) {
    // Each use: its item's id, the material, and where the material is in the bundle.
    let mut by_key: IndexMap<&str, Vec<(&str, &crate::model::bundle::Material, String)>> = IndexMap::new();
    for (i, item) in bundle.items.iter().enumerate() {
        for (j, m) in item.materials.iter().enumerate() {
            by_key.entry(m.reuse_key()).or_default().push((&item.id, m, format!("/items/{i}/materials/{j}")));
        }
    }
    for (key, uses) in by_key {
        let implicit = uses.iter().any(|(_, m, _)| m.reuse_key.is_none());
        let titles_differ =
            uses.iter().any(|(_, m, _)| uses.first().is_some_and(|(_, f, _)| f.title != m.title));
        if uses.len() > 1 && implicit && titles_differ {
            let items: Vec<&str> = uses.iter().map(|(i, ..)| *i).collect();
            warnings.push(Warning {
                pointer: uses.first().map(|(.., at)| at.clone()),
                at: format!("material `{key}`"),
                message: format!(
                    "items {} share this material by its id but give it different titles; set `reuse_key` to share it on purpose, or rename it",
                    items.join(", ")
                ),
            });
        }
    }
}
