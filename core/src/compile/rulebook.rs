//! A bundle's rules, compiled once and checked against its merged form.
//!
//! Every script of the bundle — applicability, eligibility (item and bundle), material
//! conditions, the acceptance policy, derived fields — is compiled when the bundle compiles.
//! A syntax error, or a read of a canonical key or material the bundle does not have, is a
//! compile problem naming the item, the rule, the line and the column.

use std::collections::HashSet;

use rhai::AST;
use serde_json::Value;

use crate::base::pointer;
use crate::base::text::Text;
use crate::compile::keys::{KeyInfo, KeyInfos};
use crate::model::bundle::{Bundle, Check, Item, Script};
use crate::model::error::{Problem, Warning};
use crate::rules::{self, Reads, Sandbox};

/// One compiled rule.
pub(crate) struct CompiledRule {
    /// Rule id (`applies_if`, `required_if` for the built-in kinds).
    pub id: String,
    /// What it checks.
    pub title: Option<Text>,
    /// What to say when it fails.
    pub message: Option<Text>,
    /// The script.
    pub ast: AST,
    /// What it reads.
    pub reads: Reads,
    /// Where it is, for messages: `item food-licence, eligibility`.
    pub at: String,
    /// The file it was read from, if a loader read it from one.
    pub file: Option<String>,
    /// The script's place in the bundle document (a JSON Pointer): its `script`, or the
    /// `file` naming it.
    pub pointer: String,
    /// The list whose elements it runs on, one run each (`Rule::for_each`), and the place
    /// of that key in the bundle document.
    pub for_each: Option<(String, String)>,
}

impl CompiledRule {
    /// A problem with this rule's script at `line`:`column`, placed at the rule.
    fn problem(&self, line: usize, column: usize, message: String) -> Problem {
        Problem::Script {
            at: self.at.clone(),
            rule: self.id.clone(),
            file: self.file.clone(),
            line,
            column,
            message,
            bundle_pointer: Some(self.pointer.clone()),
        }
    }
}

/// The rules of one item, compiled.
#[derive(Default)]
pub(crate) struct ItemRules {
    /// When the item applies.
    pub applies_if: Option<CompiledRule>,
    /// Its eligibility rules.
    pub eligibility: Vec<CompiledRule>,
    /// For each of its materials, in order: when it is required.
    pub required_if: Vec<Option<CompiledRule>>,
    /// Its consistency checks.
    pub checks: Vec<CompiledCheck>,
    /// Its obligation rules.
    pub obligations: Vec<CompiledRule>,
}

/// A consistency check, compiled: its rule and the fields it asks to correct.
pub(crate) struct CompiledCheck {
    /// The script, with the check's id, title and message.
    pub rule: CompiledRule,
    /// The canonical keys to correct when it fails.
    pub fields: Vec<String>,
    /// How to correct them, if the bundle says.
    pub fix: Option<Text>,
    /// The place of its `fields` in the bundle document (`/checks/0/fields`).
    pub fields_pointer: String,
}

impl ItemRules {
    /// The `required_if` rule of the item's material `j`, if it has one.
    pub fn required_if(&self, j: usize) -> Option<&CompiledRule> {
        self.required_if.get(j).and_then(Option::as_ref)
    }
}

/// The bundle's own rules (each item's are in its record, [`ItemRules`]).
pub(crate) struct Rulebook {
    /// The engine and limits every rule of the bundle runs with.
    pub sandbox: Sandbox,
    /// Bundle-level eligibility.
    pub bundle: Vec<CompiledRule>,
    /// Bundle-level consistency checks.
    pub checks: Vec<CompiledCheck>,
    /// The acceptance policy.
    pub policy: Option<CompiledRule>,
    /// Derived fields: key and script.
    pub derive: Vec<(String, CompiledRule)>,
    /// Visibility rules of the wizard: key and script.
    pub visible_if: Vec<(String, CompiledRule)>,
}

struct Compiler<'a> {
    sandbox: &'a Sandbox,
    problems: Vec<Problem>,
}

impl Compiler<'_> {
    /// The rules of item `i`, `item`: its `applies_if`, eligibility and materials' `required_if`.
    fn item_rules(&mut self, i: usize, item: &Item) -> ItemRules {
        let at =
            |what: &str, place: &str| (format!("item `{}`, {what}", item.id), format!("/items/{i}/{place}"));
        let applies_if = item.applies_if.as_ref().and_then(|cond| {
            self.rule(at("applies_if", "applies_if"), "applies_if", cond.title.as_ref(), None, &cond.source)
        });
        let eligibility = item.eligibility.iter().enumerate().filter_map(|(j, r)| {
            let place = format!("/items/{i}/eligibility/{j}");
            let at = at("eligibility", &format!("eligibility/{j}"));
            let mut rule = self.rule(at, &r.id, Some(&r.title), r.message.as_ref(), &r.source)?;
            rule.for_each = r.for_each.clone().map(|list| (list, pointer::join(&place, "for_each")));
            Some(rule)
        });
        let eligibility = eligibility.collect();
        let required_if = item.materials.iter().enumerate().map(|(j, m)| {
            let cond = m.required_if.as_ref()?;
            let at = at(&format!("material `{}`, required_if", m.id), &format!("materials/{j}/required_if"));
            let mut rule = self.rule(at, "required_if", cond.title.as_ref(), None, &cond.source)?;
            // A material of each element is required of each element on its own: the rule
            // runs once per element, with `element` and `index` in scope.
            let place = format!("/items/{i}/materials/{j}/for_each");
            rule.for_each = m.for_each.clone().map(|list| (list, place));
            Some(rule)
        });
        let required_if = required_if.collect();
        let checks =
            self.checks(&item.checks, &format!("item `{}`, check", item.id), &format!("/items/{i}/checks"));
        let obligations = item.obligations.iter().enumerate().filter_map(|(j, r)| {
            self.rule(at("obligation", &format!("obligations/{j}")), &r.id, Some(&r.title), None, &r.source)
        });
        let obligations = obligations.collect();
        ItemRules { applies_if, eligibility, required_if, checks, obligations }
    }

    /// The consistency checks at `place` in the bundle document (`/checks`), described as
    /// `what` (`bundle check`).
    fn checks(&mut self, checks: &[Check], what: &str, place: &str) -> Vec<CompiledCheck> {
        let mut out = Vec::new();
        for (j, c) in checks.iter().enumerate() {
            let place = format!("{place}/{j}");
            let fields_pointer = format!("{place}/fields");
            if c.fields.is_empty() {
                self.problems.push(Problem::Invalid {
                    at: format!("{what} `{}`", c.id),
                    message: "a check names at least one field to correct".into(),
                    bundle_pointer: Some(fields_pointer.clone()),
                });
            }
            let at = (format!("{what} `{}`", c.id), place.clone());
            if let Some(mut rule) = self.rule(at, &c.id, Some(&c.title), c.message.as_ref(), &c.source) {
                rule.for_each = c.for_each.clone().map(|list| (list, format!("{place}/for_each")));
                out.push(CompiledCheck {
                    rule,
                    fields: c.fields.clone(),
                    fix: c.fix.clone(),
                    fields_pointer,
                });
            }
        }
        out
    }

    /// Compiles the rule at `place` in the bundle document (`/items/0/applies_if`).
    fn rule(
        &mut self,
        (at, place): (String, String),
        id: &str,
        title: Option<&Text>,
        message: Option<&Text>,
        source: &Script,
    ) -> Option<CompiledRule> {
        if let Some(why) = &source.unreadable {
            self.problems.push(Problem::Script {
                at,
                rule: id.to_owned(),
                file: source.read_from.clone(),
                line: 0,
                column: 0,
                message: format!("cannot read the script file ({why})"),
                bundle_pointer: Some(pointer::join(&place, "file")),
            });
            return None;
        }
        let Some(text) = source.script.as_deref() else {
            self.problems.push(Problem::Invalid {
                at,
                message: format!("rule `{id}` has no script"),
                bundle_pointer: Some(place),
            });
            return None;
        };
        let pointer = pointer::join(&place, if source.read_from.is_some() { "file" } else { "script" });
        match self.sandbox.compile(text).and_then(not_empty) {
            Ok(ast) => Some(CompiledRule {
                id: id.to_owned(),
                title: title.cloned(),
                message: message.cloned(),
                reads: rules::reads(&ast),
                ast,
                at,
                file: source.read_from.clone(),
                pointer,
                for_each: None,
            }),
            Err(e) => {
                self.problems.push(Problem::Script {
                    at,
                    rule: id.to_owned(),
                    file: source.read_from.clone(),
                    line: e.line,
                    column: e.column,
                    message: e.message,
                    bundle_pointer: Some(pointer),
                });
                None
            }
        }
    }
}

/// A script without a statement (empty, blanks or comments only, or only functions) yields
/// nothing, and every evaluation would send its item to manual review: a compile problem.
fn not_empty(ast: rhai::AST) -> Result<rhai::AST, rules::ScriptError> {
    if ast.statements().is_empty() {
        let mut e = rules::ScriptError::general(
            "the script is empty: it has no statement or expression to evaluate".into(),
        );
        (e.line, e.column) = (1, 1);
        return Err(e);
    }
    Ok(ast)
}

/// Derive rules ordered so that each runs after the rules deriving the keys it reads, in
/// file order where nothing forces another (moving a rule above the value it reads must not
/// change a decision). A rule that computes the keys it reads (`reads.dynamic`) runs after
/// every other. Rules reading each other in a circle are a problem naming the circle.
fn in_reading_order(derive: Vec<(String, CompiledRule)>) -> Result<Vec<(String, CompiledRule)>, Problem> {
    let reads = |b: &CompiledRule, a: &str| b.reads.keys.iter().any(|(k, ..)| k == a);
    // waits[b]: the rules b must run after.
    let waits: Vec<Vec<usize>> = derive
        .iter()
        .enumerate()
        .map(|(b, (_, rule))| {
            let before = |(a, (key, other)): (usize, &(String, CompiledRule))| {
                (a != b && (reads(rule, key) || (rule.reads.dynamic && !other.reads.dynamic))).then_some(a)
            };
            derive.iter().enumerate().filter_map(before).collect()
        })
        .collect();
    let mut placed = vec![false; derive.len()];
    let mut order = Vec::with_capacity(derive.len());
    let is_placed = |placed: &[bool], i: usize| placed.get(i).copied().unwrap_or(true);
    while order.len() < derive.len() {
        let ready = waits
            .iter()
            .enumerate()
            .position(|(b, w)| !is_placed(&placed, b) && w.iter().all(|&a| is_placed(&placed, a)));
        let Some(b) = ready else {
            return Err(cycle(&derive, &waits, &placed));
        };
        if let Some(p) = placed.get_mut(b) {
            *p = true;
        }
        order.push(b);
    }
    let mut slots: Vec<Option<(String, CompiledRule)>> = derive.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)).collect())
}

/// The circle among the derive rules not yet `placed`: from the first of them, follow what
/// each waits for until a rule repeats.
fn cycle(derive: &[(String, CompiledRule)], waits: &[Vec<usize>], placed: &[bool]) -> Problem {
    let mut path: Vec<usize> = Vec::new();
    let mut at = placed.iter().position(|p| !p).unwrap_or(0);
    while !path.contains(&at) {
        path.push(at);
        let waiting = |a: &usize| !placed.get(*a).copied().unwrap_or(true);
        at = waits.get(at).and_then(|w| w.iter().copied().find(waiting)).unwrap_or(at);
    }
    let start = path.iter().position(|&i| i == at).unwrap_or(0);
    let circle: Vec<&(String, CompiledRule)> =
        path.get(start..).unwrap_or_default().iter().rev().filter_map(|&i| derive.get(i)).collect();
    let mut keys: Vec<&str> = circle.iter().map(|(k, _)| k.as_str()).collect();
    if let Some(first) = keys.first().copied() {
        keys.push(first);
    }
    Problem::Invalid {
        at: "derive".into(),
        message: format!(
            "derive rules read each other in a circle, so no order computes them: {} (each is read by the next)",
            keys.join(" → ")
        ),
        // The script of the circle's first rule.
        bundle_pointer: circle.first().map(|(_, rule)| rule.pointer.clone()),
    }
}

impl Rulebook {
    /// Compiles every script of the bundle, reporting every syntax error: the bundle's
    /// own rules, and each item's (returned in bundle order). With problems, the rules that
    /// did compile come too, so that the later phases can still report theirs (a rule that
    /// reads an unknown key, a conflict of departments) beside the syntax errors.
    pub fn compile(bundle: &Bundle, sandbox: &Sandbox) -> (Rulebook, Vec<ItemRules>, Vec<Problem>) {
        let mut c = Compiler { sandbox, problems: Vec::new() };
        let mut book = Rulebook {
            sandbox: sandbox.clone(),
            bundle: Vec::new(),
            checks: Vec::new(),
            policy: None,
            derive: Vec::new(),
            visible_if: Vec::new(),
        };
        let items: Vec<ItemRules> =
            bundle.items.iter().enumerate().map(|(i, item)| c.item_rules(i, item)).collect();
        for (j, r) in bundle.rules.iter().enumerate() {
            let at = ("bundle rules".to_owned(), format!("/rules/{j}"));
            if let Some(mut rule) = c.rule(at, &r.id, Some(&r.title), r.message.as_ref(), &r.source) {
                rule.for_each = r.for_each.clone().map(|list| (list, format!("/rules/{j}/for_each")));
                book.bundle.push(rule);
            }
        }
        book.checks = c.checks(&bundle.checks, "bundle check", "/checks");
        if let Some(p) = &bundle.acceptance.policy {
            let at = ("acceptance policy".to_owned(), "/acceptance/policy".to_owned());
            book.policy = c.rule(at, &p.id, Some(&p.title), p.message.as_ref(), &p.source);
        }
        for (j, d) in bundle.derive.iter().enumerate() {
            let at = (format!("derive `{}`", d.key), format!("/derive/{j}"));
            if let Some(rule) = c.rule(at, &d.key, None, None, &d.source) {
                book.derive.push((d.key.clone(), rule));
            }
        }
        match in_reading_order(std::mem::take(&mut book.derive)) {
            Ok(ordered) => book.derive = ordered,
            Err(problem) => c.problems.push(problem),
        }
        for (key, field) in &bundle.fields {
            let Some(cond) = &field.visible_if else { continue };
            let at = (
                format!("field `{key}`, visible_if"),
                pointer::join(&pointer::join("/fields", key), "visible_if"),
            );
            if let Some(rule) = c.rule(at, "visible_if", cond.title.as_ref(), None, &cond.source) {
                book.visible_if.push((key.clone(), rule));
            }
        }
        (book, items, c.problems)
    }

    /// Every rule: the items' (`items`: each item's rules) and then the bundle's own, in
    /// bundle order by kind: every `applies_if`, every eligibility rule, every `required_if`,
    /// every check.
    pub fn all<'a>(&'a self, items: &'a [&'a ItemRules]) -> impl Iterator<Item = &'a CompiledRule> {
        let items = items
            .iter()
            .filter_map(|r| r.applies_if.as_ref())
            .chain(items.iter().flat_map(|r| &r.eligibility))
            .chain(items.iter().flat_map(|r| r.required_if.iter().flatten()))
            .chain(items.iter().flat_map(|r| r.checks.iter().map(|c| &c.rule)))
            .chain(items.iter().flat_map(|r| &r.obligations));
        items
            .chain(self.bundle.iter())
            .chain(self.checks.iter().map(|c| &c.rule))
            .chain(self.policy.iter())
            .chain(self.derive.iter().map(|(_, r)| r))
            .chain(self.visible_if.iter().map(|(_, r)| r))
    }

    /// Reads of keys the form does not have, or of materials no item asks for; checks
    /// naming fields the form does not have. `derived`: the keys the bundle derives (all of
    /// them, a derive rule that did not compile included: reading its key is no problem).
    pub fn check_reads(
        &self,
        items: &[&ItemRules],
        keys: &KeyInfos,
        materials: &HashSet<&str>,
        derived: &HashSet<&str>,
    ) -> Vec<Problem> {
        let mut problems = Vec::new();
        let checks = items.iter().flat_map(|r| &r.checks).chain(&self.checks);
        for check in checks {
            // A check of each element names columns of its list.
            let known = |key: &&String| match &check.rule.for_each {
                None => keys.contains_key(*key),
                Some((list, _)) => key
                    .strip_prefix(list.as_str())
                    .is_some_and(|c| c.starts_with("[].") && crate::compile::keys::find(keys, key).is_some()),
            };
            for (k, key) in check.fields.iter().enumerate().filter(|(_, key)| !known(key)) {
                let place = format!("{}/{k}", check.fields_pointer);
                let problem = match &check.rule.for_each {
                    None => Problem::unknown(
                        check.rule.at.clone(),
                        place,
                        "field",
                        key,
                        keys.keys().map(String::as_str),
                    ),
                    // Suggest among the list's columns: a field of the form is known, but
                    // not here (a check of each element points at the element's cells).
                    Some((list, _)) => {
                        let all = crate::compile::keys::all(keys);
                        let prefix = format!("{list}[].");
                        let columns =
                            all.iter().map(|(name, _)| name.as_str()).filter(|n| n.starts_with(&prefix));
                        Problem::unknown(
                            check.rule.at.clone(),
                            place,
                            &format!("`{list}` column"),
                            key,
                            columns,
                        )
                    }
                };
                problems.push(problem);
            }
        }
        for rule in self.all(items) {
            if let Some((list, place)) = &rule.for_each {
                if !crate::compile::keys::find(keys, list).is_some_and(KeyInfo::is_list) {
                    let lists = crate::compile::keys::all(keys);
                    let lists = lists.iter().filter(|(_, k)| k.is_list()).map(|(name, _)| name.as_str());
                    problems.push(Problem::unknown(rule.at.clone(), place.clone(), "list", list, lists));
                }
            }
            for (key, line, column) in &rule.reads.keys {
                if !keys.contains_key(key) && !derived.contains(key.as_str()) {
                    let message = format!(
                        "reads `{key}`, which is not a field of the merged form{}",
                        suggestion(key, keys)
                    );
                    problems.push(rule.problem(*line, *column, message));
                }
            }
            for (id, line, column) in &rule.reads.materials {
                if !materials.contains(id.as_str()) {
                    let message = format!("asks for material `{id}`, which no item of the bundle asks for");
                    problems.push(rule.problem(*line, *column, message));
                }
            }
        }
        problems
    }

    /// Comparisons of a form field with a literal of the other type (`form["wage"] >= "1950"`
    /// where the merged `form` says the wage is a number): when the rule runs, comparing a
    /// number with text is an error (`rules::strict`) and the item goes to manual review.
    /// A warning at the rule's script, naming the line and column, says so before any
    /// applicant meets it.
    pub fn type_traps(&self, items: &[&ItemRules], form: &Value) -> Vec<Warning> {
        let mut out = Vec::new();
        for rule in self.all(items) {
            for c in &rule.reads.comparisons {
                let at = pointer::join(&pointer::join("/properties", &c.key), "type");
                let types: Vec<&str> = match form.pointer(&at) {
                    Some(Value::String(t)) => vec![t.as_str()],
                    Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
                    _ => continue,
                };
                let only = |allowed: &[&str]| {
                    types.iter().all(|t| *t == "null" || allowed.contains(t))
                        && types.iter().any(|t| *t != "null")
                };
                let field = match (c.text, only(&["integer", "number"]), only(&["string"])) {
                    (true, true, _) => "a number",
                    (false, _, true) => "text",
                    _ => continue,
                };
                let literal = if c.text { "text" } else { "a number" };
                out.push(Warning {
                    at: rule.at.clone(),
                    message: format!(
                        "{}:{}: `{}` is {field} in the merged form, but `{}` compares it with {literal}, {}: comparing a number with text is an error when the rule runs (its item goes to manual review); convert one side first",
                        c.line, c.column, c.key, c.op, c.literal,
                    ),
                    pointer: Some(rule.pointer.clone()),
                });
            }
        }
        out
    }

    /// The canonical keys some rule reads, sorted; `None` when a rule reads keys it
    /// computes (then rules see every value). Sorted because `form` is a Rhai map, a
    /// `BTreeMap`: collecting keys already in order spares each evaluation a sort.
    pub fn read_keys(&self, items: &[&ItemRules]) -> Option<Vec<String>> {
        let mut keys: Vec<String> = Vec::new();
        for rule in self.all(items) {
            if rule.reads.dynamic {
                return None;
            }
            for (k, ..) in &rule.reads.keys {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
        keys.sort_unstable();
        Some(keys)
    }
}

fn suggestion(key: &str, keys: &KeyInfos) -> String {
    crate::base::suggest::closest(key, keys.keys().map(String::as_str), 3)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}
