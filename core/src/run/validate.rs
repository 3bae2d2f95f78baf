//! Validating a submission against the merged form (一张表单).
//!
//! Which items apply is decided first (opt-in choices and `applies_if` rules). The
//! submission is then checked, in one pass that lists every error:
//!
//! * against the compiled merged form of the items that always apply;
//! * against the own constraints of each conditional item that applies;
//! * against each applicable item's residual constraints, on the department's view.
//!
//! Together these accept exactly the submissions every applicable department's original
//! schema accepts (invariant 1). Every error names the canonical key, the items whose
//! constraint failed, and reads well in both languages.

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::base::date::Date;
use crate::base::pointer;
use crate::base::suggest::{closest, edit_distance};
use crate::base::text::Text;
use crate::compile::CompiledBundle;
use crate::compile::items::CompiledItem;
use crate::compile::project;
use crate::compile::rulebook::CompiledRule;
use crate::model::bundle::ItemIx;
use crate::model::decision::RuleKind;
use crate::model::submission::{Submission, TOLERANCE_COMMITMENT};
use crate::model::validation::{FieldError, FieldWarning, Limit, Validation};
use crate::rules::ScriptError;
use crate::run::evaluate::{EvalOptions, Prepared, Verdict};
use crate::run::messages::{self, Subject};

/// Unknown keys of a submission warned about one by one; the rest are counted in one
/// warning.
pub const MAX_UNKNOWN_KEY_WARNINGS: usize = 20;

/// Which items apply, and the rules that could not decide.
pub(crate) struct Applicability {
    pub items: Vec<ItemIx>,
    pub failures: Vec<(ItemIx, ScriptError)>,
}

/// A validation with what it computed on the way.
pub(crate) struct Checked {
    pub validation: Validation,
    pub applicability: Applicability,
}

impl CompiledBundle {
    /// Decides which items apply: opt-in items only when chosen, conditional items only when
    /// their rule holds.
    pub(crate) fn applicability(&self, s: &Submission, p: &mut Prepared<'_>) -> Applicability {
        self.applicability_by(s, |i, rule| self.run_rule(p, rule, RuleKind::AppliesIf, Some(i), None))
    }

    /// [`CompiledBundle::applicability`] with the verdict of item `i`'s `applies_if` rule
    /// from `verdict` (the wizard's reuses earlier ones).
    pub(crate) fn applicability_by(
        &self,
        s: &Submission,
        mut verdict: impl FnMut(ItemIx, &CompiledRule) -> Verdict,
    ) -> Applicability {
        let mut out = Applicability { items: Vec::new(), failures: Vec::new() };
        for (i, item) in self.items.iter() {
            if item.optional && !s.opt_in.contains(&item.id) {
                continue;
            }
            match &item.rules.applies_if {
                None => out.items.push(i),
                Some(rule) => match verdict(i, rule) {
                    Verdict::Pass => out.items.push(i),
                    Verdict::Fail(_) => {}
                    Verdict::Error(e) => out.failures.push((i, e)),
                },
            }
        }
        out
    }

    /// Validates a submission, listing every error at once. Rules run without a date: one
    /// that reads `today` fails (give one to [`CompiledBundle::validate_with`]).
    pub fn validate(&self, s: &Submission) -> Validation {
        self.validate_with(s, None, &EvalOptions::default())
    }

    /// Validates a submission with rules evaluated on `date` (`today` in scripts) and
    /// explicit options (calendar, limits).
    pub fn validate_with(&self, s: &Submission, date: Option<Date>, opts: &EvalOptions) -> Validation {
        self.check(s, date, opts).validation
    }

    /// Validates, keeping what was computed on the way.
    pub(crate) fn check(&self, s: &Submission, date: Option<Date>, opts: &EvalOptions) -> Checked {
        let mut p = self.prepare(s, date, opts, false);
        self.check_prepared(s, &mut p)
    }

    /// Validates a prepared submission (derived fields filled in, rules ready).
    pub(crate) fn check_prepared(&self, s: &Submission, p: &mut Prepared<'_>) -> Checked {
        let applicability = self.applicability(s, p);
        self.check_applicable(s, p, applicability)
    }

    /// A material status or a commitment the bundle does not know: the applicant believes
    /// they handed in or signed something that counts for nothing (and would then be told it
    /// is missing). An error naming it, with the nearest known id; it is listed for the
    /// applicable items needing that material, so the one-time notice shows it beside them.
    /// A commitment is checked only against the one this crate gives a meaning to
    /// ([`TOLERANCE_COMMITMENT`]): a near miss is a typo, another id may be read by a rule.
    fn unknown_materials(&self, s: &Submission, applicable: &[ItemIx], errors: &mut Vec<FieldError>) {
        // Runs on every validation: nothing is collected while every material is known.
        let known = || self.bundle.items.iter().flat_map(|it| it.materials.iter().map(|m| m.reuse_key()));
        // A material of each element of a list is known by its key and the element's index.
        let unknown: Vec<&String> =
            s.materials.keys().filter(|k| self.bundle.material_of(k).is_none()).collect();
        if let Some(more) = unknown.len().checked_sub(MAX_UNKNOWN_KEY_WARNINGS).filter(|n| *n > 0) {
            errors.push(FieldError {
                key: None,
                pointer: "/materials".into(),
                keyword: "material".into(),
                message: Text::new(
                    format!("另有{more}个材料不是本事项的材料"),
                    format!("{more} more materials are not materials of this bundle"),
                ),
                items: Vec::new(),
                limit: None,
            });
        }
        for key in unknown.into_iter().take(MAX_UNKNOWN_KEY_WARNINGS) {
            let per_element = self.bundle.items.iter().flat_map(|i| &i.materials);
            if let Some(m) =
                per_element.filter(|m| m.for_each.is_some()).find(|m| m.reuse_key() == key.as_str())
            {
                errors.push(FieldError {
                    key: None,
                    pointer: pointer::join("/materials", key),
                    keyword: "material".into(),
                    message: Text::new(
                        format!("「{}」须按每一项分别给出状态：{key}[0]、{key}[1]…", m.title.zh),
                        format!("{}: give the status of each element: `{key}[0]`, `{key}[1]`…", m.title.en),
                    ),
                    items: self.items_needing(key, applicable),
                    limit: None,
                });
                continue;
            }
            let near = closest(key, known(), 2);
            let items = near.map(|m| self.items_needing(m, applicable)).unwrap_or_default();
            let hint = near
                .map(|m| (format!("，是否应为「{m}」？"), format!("; did you mean `{m}`?")))
                .unwrap_or_default();
            errors.push(FieldError {
                key: None,
                pointer: pointer::join("/materials", key),
                keyword: "material".into(),
                message: Text::new(
                    format!("「{key}」不是本事项的材料{}", hint.0),
                    format!("`{key}` is not a material of this bundle{}", hint.1),
                ),
                items,
                limit: None,
            });
        }
        for c in &s.commitments {
            if c != TOLERANCE_COMMITMENT && edit_distance(c, TOLERANCE_COMMITMENT) <= 2 {
                errors.push(FieldError {
                    key: None,
                    pointer: "/commitments".into(),
                    keyword: "commitment".into(),
                    message: Text::new(
                        format!("承诺「{c}」无效，是否应为「{TOLERANCE_COMMITMENT}」（容缺受理承诺）？"),
                        format!("commitment `{c}` means nothing here; did you mean `{TOLERANCE_COMMITMENT}` (the tolerance commitment)?"),
                    ),
                    items: Vec::new(),
                    limit: None,
                });
            }
        }
    }

    /// The ids of items.
    pub(crate) fn ids<'a>(&self, items: impl IntoIterator<Item = &'a ItemIx>) -> Vec<String> {
        items.into_iter().map(|i| self.items.get(*i).id.clone()).collect()
    }

    /// The ids of the applicable items needing material `reuse_key`.
    fn items_needing(&self, reuse_key: &str, applicable: &[ItemIx]) -> Vec<String> {
        applicable
            .iter()
            .filter(|i| self.declared(**i).materials.iter().any(|m| m.reuse_key() == reuse_key))
            .map(|i| self.items.get(*i).id.clone())
            .collect()
    }

    /// A form field whose derive rule failed has no value the applicant could fix: an error
    /// naming the rule, for the applicable items declaring the field (their decisions go to
    /// manual review).
    fn derive_failures(&self, p: &Prepared<'_>, applicable: &[ItemIx], errors: &mut Vec<FieldError>) {
        for f in &p.failed {
            let Some(info) = self.keys.get(&f.key) else { continue };
            let items = self.ids(info.items.iter().filter(|i| applicable.contains(i)));
            if items.is_empty() {
                continue;
            }
            errors.push(FieldError {
                key: Some(f.key.clone()),
                pointer: pointer::join("", &f.key),
                keyword: "derive".into(),
                message: f.message(&info.title),
                items,
                limit: None,
            });
        }
    }

    /// Errors on a derived field the applicant did not type (a birth date and a gender
    /// derived from the ID number) are not theirs to fix there. When a field the derive rule
    /// reads has an error of its own, that error stands for both (one wrong check digit is
    /// one thing to correct, not three): the derived field's error is dropped and its items
    /// join the source's error, so that they are still not accepted. Otherwise it points at
    /// the field it was derived from (the first form field the rule reads), saying so.
    /// Errors of a failed derive rule (`derive`) stay: they send the items to manual review.
    fn attribute_derived(&self, s: &Submission, errors: &mut Vec<FieldError>) {
        if self.rulebook.derive.is_empty() {
            return;
        }
        let mut joined: Vec<(String, FieldError)> = Vec::new();
        let with_errors: Vec<String> = errors.iter().filter_map(|e| e.key.clone()).collect();
        errors.retain_mut(|e| {
            let Some((key, sources)) = e.key.as_deref().filter(|_| e.keyword != "derive").and_then(|k| {
                let sources = self.derived_from(s, k)?;
                Some((k.to_owned(), sources))
            }) else {
                return true;
            };
            if let Some(source) = sources.iter().find(|src| with_errors.contains(src)) {
                joined.push((source.clone(), e.clone()));
                return false;
            }
            let Some(source) = sources.first() else { return true };
            let title = |k: &str| self.keys.get(k).map_or_else(|| Text::new(k, k), |info| info.title.clone());
            let (field, from) = (title(&key), title(source));
            e.message = Text::new(
                format!("{}（「{}」由「{}」得出，请检查「{}」）", e.message.zh, field.zh, from.zh, from.zh),
                format!("{} ({} is derived from {}: check {})", e.message.en, field.en, from.en, from.en),
            );
            e.pointer = pointer::join("", source);
            e.key = Some(source.clone());
            true
        });
        for (source, derived) in joined {
            match errors.iter_mut().find(|e| e.key.as_deref() == Some(source.as_str())) {
                Some(e) => {
                    for item in derived.items {
                        if !e.items.contains(&item) {
                            e.items.push(item);
                        }
                    }
                }
                // The source's own error went the same way (it is derived too): keep this one.
                None => errors.push(derived),
            }
        }
    }

    /// The form fields the value of `key` is derived from, when `key` is a derived field the
    /// submission leaves empty and its rule names what it reads.
    fn derived_from(&self, s: &Submission, key: &str) -> Option<Vec<String>> {
        let (_, rule) = self.rulebook.derive.iter().find(|(k, _)| k == key)?;
        let typed = s.values.get(key).is_some_and(|v| !v.is_null() && v != "");
        if typed || rule.reads.dynamic {
            return None;
        }
        let sources: Vec<String> = rule
            .reads
            .keys
            .iter()
            .map(|(k, ..)| k.clone())
            .filter(|k| k != key && self.keys.get(k).is_some())
            .collect();
        (!sources.is_empty()).then_some(sources)
    }

    /// Validates a prepared submission whose applicability is known (the wizard reuses
    /// rule verdicts that did not change).
    pub(crate) fn check_applicable(
        &self,
        s: &Submission,
        p: &Prepared<'_>,
        applicability: Applicability,
    ) -> Checked {
        let values: &Value = &p.values;
        let empty = serde_json::Map::new();
        let map = values.as_object().unwrap_or(&empty);
        let mut errors = Vec::new();
        if let Some(b) = s.bundle.as_deref().filter(|b| *b != self.bundle.id) {
            errors.push(FieldError {
                key: None,
                pointer: "/bundle".into(),
                keyword: "bundle".into(),
                message: Text::new(
                    format!("本申请针对「{b}」，而不是「{}」", self.bundle.title.zh),
                    format!("this submission is for `{b}`, not `{}`", self.bundle.id),
                ),
                items: Vec::new(),
                limit: None,
            });
        }
        for (i, e) in &applicability.failures {
            let id = self.items.get(*i).id.clone();
            errors.push(FieldError {
                key: None,
                pointer: String::new(),
                keyword: "applies_if".into(),
                message: Text::new(
                    format!("无法判断事项「{id}」是否适用：{e}"),
                    format!("cannot tell whether item `{id}` applies: {e}"),
                ),
                items: vec![id],
                limit: None,
            });
        }
        self.derive_failures(p, &applicability.items, &mut errors);
        self.unknown_materials(s, &applicability.items, &mut errors);
        self.collect(&self.base, values, None, &applicability.items, &mut errors);
        for i in &applicability.items {
            let item = self.items.get(*i);
            if let Some(delta) = &item.delta {
                self.collect(delta, values, Some(*i), &applicability.items, &mut errors);
            }
            self.residual_errors(*i, map, &mut errors);
        }
        self.attribute_derived(s, &mut errors);
        dedupe(&mut errors);
        let warnings = self.warnings_for(s, &applicability.items);
        let validation = Validation {
            valid: errors.is_empty(),
            applicable: self.ids(&applicability.items),
            errors,
            warnings,
        };
        Checked { validation, applicability }
    }

    /// Errors of one canonical validator: the base form (`item` = `None`) or an item's own.
    fn collect(
        &self,
        v: &Validator,
        values: &Value,
        item: Option<ItemIx>,
        applicable: &[ItemIx],
        out: &mut Vec<FieldError>,
    ) {
        if v.is_valid(values) {
            return;
        }
        for e in v.iter_errors(values) {
            let instance_path = e.instance_path().to_string();
            let tokens = pointer::split(&instance_path).unwrap_or_default();
            let key = required_property(&e).map(|p| {
                let mut t = tokens.clone();
                t.push(p);
                t
            });
            let path = key.unwrap_or(tokens);
            let items = match item {
                Some(i) => vec![i],
                None => self.blame(
                    &e.schema_path().to_string(),
                    path.first().map(String::as_str),
                    e.instance(),
                    applicable,
                ),
            };
            out.push(self.field_error(&e, &path, items));
        }
    }

    /// The applicable items responsible for a failed keyword of the base form.
    fn blame(
        &self,
        schema_path: &str,
        key: Option<&str>,
        instance: &Value,
        applicable: &[ItemIx],
    ) -> Vec<ItemIx> {
        let tokens = pointer::split(schema_path).unwrap_or_default();
        let declaring = |k: &str| -> Vec<ItemIx> {
            self.keys
                .get(k)
                .map(|info| info.items.iter().copied().filter(|i| applicable.contains(i)).collect())
                .unwrap_or_default()
        };
        let by_origin = |items: Vec<String>| -> Vec<ItemIx> {
            items.iter().filter_map(|id| self.items.find(id)).collect()
        };
        match tokens.as_slice() {
            [p, k, rest @ ..] if p == "properties" => {
                let rel = pointer::from_tokens(rest.iter().map(String::as_str));
                let sides = self
                    .base_form()
                    .pointer(&format!("/properties/{}/x-onething-provenance", pointer::escape(k)))
                    .and_then(|p| p.get(&rel));
                // Blame the sides whose own constraint the value breaks: with limits 150
                // and 200, a 180-character value is the first department's concern only.
                let keyword = rest.last().map(String::as_str).unwrap_or_default();
                let sides = sides.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                let items: Vec<String> = sides
                    .iter()
                    .filter(|s| {
                        s.get("value").is_none_or(|v| self.side_checks.rejects(keyword, v, sides, instance))
                    })
                    .filter_map(|s| s.get("item").and_then(Value::as_str).map(str::to_owned))
                    .collect();
                if items.is_empty() { declaring(k) } else { by_origin(items) }
            }
            [p, ..] if p == "required" => {
                let k = key.unwrap_or_default();
                self.applicable_where(applicable, |t| t.required.iter().any(|(r, _)| r == k))
            }
            [p, ..] if p == "dependentRequired" => {
                let k = key.unwrap_or_default();
                self.applicable_where(applicable, |t| t.dependent.iter().any(|(_, b, _)| b == k))
            }
            [p, n, ..] if p == "allOf" => {
                let item = self
                    .base_form()
                    .pointer(&format!("/allOf/{n}/x-onething-source/item"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                by_origin(item.into_iter().collect())
            }
            _ => key.map(declaring).unwrap_or_default(),
        }
    }

    /// The applicable items whose translation satisfies `test`.
    fn applicable_where(
        &self,
        applicable: &[ItemIx],
        test: impl Fn(&crate::compile::translate::Translation) -> bool,
    ) -> Vec<ItemIx> {
        applicable.iter().copied().filter(|i| test(&self.items.get(*i).translation)).collect()
    }

    fn field_error(&self, e: &ValidationError<'_>, path: &[String], items: Vec<ItemIx>) -> FieldError {
        let subject = self.subject(path);
        FieldError {
            pointer: pointer::from_tokens(path.iter().map(String::as_str)),
            keyword: e.kind().keyword().to_owned(),
            message: messages::message(e.kind(), e.instance(), &subject),
            limit: Limit::of(e.kind()),
            items: self.ids(&items),
            key: self.key_at(path),
        }
    }

    /// The canonical key of a place in the values: the key, or in a list the column's key
    /// (`["shareholders", "1", "name"]` is at `shareholders[].name`).
    fn key_at(&self, path: &[String]) -> Option<String> {
        let (first, mut rest) = path.split_first()?;
        let mut key = first.clone();
        let mut info = self.keys.get(first);
        while let (Some(list), [index, column, more @ ..]) = (info, rest) {
            let Some(next) = list.columns.get(column).filter(|_| index.parse::<usize>().is_ok()) else {
                break;
            };
            key = format!("{key}[].{column}");
            (info, rest) = (Some(next), more);
        }
        Some(key)
    }

    /// The title of a canonical key, followed by the path inside its value; in a list, the
    /// element and the column (第2位股东的证件号码 / ID number of shareholder 2).
    fn subject(&self, path: &[String]) -> Subject<'_> {
        let Some((key, mut rest)) = path.split_first() else {
            return Subject { title: Text::new("申请表", "The form"), options: None };
        };
        let mut dictionary_key = key.clone();
        let mut info = self.keys.get(key);
        let mut title = info.map(|k| k.title.clone()).unwrap_or_else(|| Text::new(key.clone(), key.clone()));
        while let (Some(list), [index, more @ ..]) = (info.filter(|i| i.is_list()), rest) {
            let Ok(n) = index.parse::<usize>() else { break };
            let element = list.element_name(n);
            rest = more;
            let Some((column, next)) =
                more.split_first().and_then(|(c, m)| Some(((c, list.columns.get(c)?), m)))
            else {
                title = element;
                break;
            };
            let (name, column_info) = column;
            title = Text::new(
                format!("{}的{}", element.zh, column_info.title.zh),
                format!("{} of {}", column_info.title.en, element.en),
            );
            dictionary_key = format!("{dictionary_key}[].{name}");
            (info, rest) = (Some(column_info), next);
        }
        for t in rest {
            title = Text::new(format!("{}›{t}", title.zh), format!("{} › {t}", title.en));
        }
        let options =
            if rest.is_empty() { self.bundle.fields.get(&dictionary_key).map(|f| &f.options) } else { None };
        Subject { title, options: options.filter(|o| !o.is_empty()) }
    }

    /// Errors of one item's department-side checks: values its transforms reject, and its
    /// residual constraints, checked on the part of its department's view they read.
    fn residual_errors(&self, i: ItemIx, values: &serde_json::Map<String, Value>, out: &mut Vec<FieldError>) {
        let item = self.items.get(i);
        let tr = &item.translation;
        // Value maps need no check: their pulled-back enum already admits exactly the values
        // the map can transform. Dates and residuals do.
        if item.residual.is_none() && !tr.checks_after_transform() {
            return;
        }
        self.transform_errors(item, tr, values, out);
        let (Some(residual), Some(view)) = (&item.residual, project::residual_view(tr, values)) else {
            return;
        };
        if residual.is_valid(&view) {
            return;
        }
        for e in residual.iter_errors(&view) {
            let mut dept_path = pointer::split(&e.instance_path().to_string()).unwrap_or_default();
            if let Some(p) = required_property(&e) {
                dept_path.push(p);
            }
            let path = canonical_path(tr, &dept_path, values);
            out.push(self.field_error(&e, &path, vec![i]));
        }
    }

    /// Errors of the values an item's transforms cannot convert for its department.
    fn transform_errors(
        &self,
        item: &CompiledItem,
        tr: &crate::compile::translate::Translation,
        values: &serde_json::Map<String, Value>,
        out: &mut Vec<FieldError>,
    ) {
        for failure in project::transform_failures(tr, values) {
            let key = self.key_at(&failure.path);
            // A value the canonical form already rejects needs no second message.
            if out.iter().any(|f| f.key == key) {
                continue;
            }
            let department = self.bundle.departments.iter().find(|d| d.id == item.department).map_or_else(
                || Text::new(item.department.clone(), item.department.clone()),
                |d| d.name.clone(),
            );
            let subject = self.subject(&failure.path);
            let e = failure.error;
            out.push(FieldError {
                key,
                pointer: pointer::from_tokens(failure.path.iter().map(String::as_str)),
                keyword: "transform".into(),
                message: Text::new(
                    format!("{}的值无法转换为{}的格式：{e}", subject.title.zh, department.zh),
                    format!("{}: cannot be converted for {}: {e}", subject.title.en, department.en),
                ),
                items: vec![item.id.clone()],
                limit: None,
            });
        }
    }

    /// Warnings about values that are sent to no department: keys the bundle does not have
    /// (one warning each, with a "did you mean", for the first [`MAX_UNKNOWN_KEY_WARNINGS`],
    /// then one that counts the rest, so that a submission of a million stray keys costs
    /// no more than reading them), keys only items that do not apply use, and opt-ins of
    /// items that are not optional.
    fn warnings_for(&self, s: &Submission, applicable: &[ItemIx]) -> Vec<FieldWarning> {
        let mut out = Vec::new();
        let mut unknown = 0usize;
        for key in s.values().keys() {
            match self.keys.get(key) {
                None if unknown >= MAX_UNKNOWN_KEY_WARNINGS => unknown += 1,
                None => {
                    unknown += 1;
                    let hint = self
                        .closest_key(key)
                        .map(|k| (format!("，是否应为「{k}」？"), format!("; did you mean `{k}`?")))
                        .unwrap_or_default();
                    out.push(FieldWarning {
                        key: Some(key.clone()),
                        message: Text::new(format!("「{key}」不是本事项的字段，不会发送给任何部门{}", hint.0), format!("`{key}` is not a field of this bundle and will not be sent to any department{}", hint.1)),
                    });
                }
                Some(info) if !info.items.iter().any(|i| applicable.contains(i)) => out.push(FieldWarning {
                    key: Some(key.clone()),
                    message: Text::new(
                        format!("{}只用于未适用的事项，不会发送", info.title.zh),
                        format!(
                            "{} is only used by items that do not apply; it will not be sent",
                            info.title.en
                        ),
                    ),
                }),
                Some(_) => {}
            }
        }
        if let Some(more) = unknown.checked_sub(MAX_UNKNOWN_KEY_WARNINGS).filter(|n| *n > 0) {
            out.push(FieldWarning {
                key: None,
                message: Text::new(
                    format!("另有{more}个键不是本事项的字段，不会发送给任何部门"),
                    format!("{more} more keys are not fields of this bundle and will not be sent to any department"),
                ),
            });
        }
        for id in s.opt_in.iter().filter(|id| !self.items.values().any(|c| c.optional && c.id == **id)) {
            out.push(FieldWarning {
                key: None,
                message: Text::new(
                    format!("「{id}」不是可选事项"),
                    format!("`{id}` is not an optional item of this bundle"),
                ),
            });
        }
        out
    }

    /// The known key nearest to a mistyped one (edit distance at most 2).
    fn closest_key(&self, key: &str) -> Option<&str> {
        closest(key, self.keys.keys().map(String::as_str), 2)
    }
}

/// Maps a path in the department's data to a canonical key and the path inside its value;
/// inside a list's array, to the list's key, the element's index and the path in the
/// element.
fn canonical_path(
    tr: &crate::compile::translate::Translation,
    dept: &[String],
    values: &serde_json::Map<String, Value>,
) -> Vec<String> {
    for list in &tr.lists {
        let Some(leaf) = tr.leaves.get(list.leaf) else { continue };
        if let Some([index, inner @ ..]) = dept.strip_prefix(leaf.path.as_slice()) {
            // The department's n-th element is the list's n-th element it takes.
            let rows = values.get(&*leaf.key).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            let taken = index
                .parse::<usize>()
                .ok()
                .and_then(|n| rows.iter().enumerate().filter(|(_, row)| list.takes(row)).nth(n));
            let (index, row) =
                taken.map_or((index.clone(), None), |(i, row)| (i.to_string(), row.as_object()));
            let mut out = vec![leaf.key.to_string(), index];
            out.extend(canonical_path(&list.element, inner, row.unwrap_or(&serde_json::Map::new())));
            return out;
        }
    }
    for leaf in &tr.leaves {
        if dept.starts_with(&leaf.path) {
            let mut out = vec![leaf.key.to_string()];
            out.extend(dept.iter().skip(leaf.path.len()).cloned());
            return out;
        }
    }
    Vec::new()
}

fn required_property(e: &ValidationError<'_>) -> Option<String> {
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            Some(property.as_str().map_or_else(|| property.to_string(), str::to_owned))
        }
        _ => None,
    }
}

/// Merges errors that say the same thing about the same place, uniting the items blamed.
/// Two bounds of one kind on one value (at most 30 characters, at most 20) become the
/// stricter one.
fn dedupe(errors: &mut Vec<FieldError>) {
    let mut out: Vec<FieldError> = Vec::with_capacity(errors.len());
    for e in errors.drain(..) {
        let same = out.iter_mut().find(|o| {
            o.key == e.key
                && o.pointer == e.pointer
                && o.keyword == e.keyword
                && (o.message == e.message || (o.limit.is_some() && e.limit.is_some()))
        });
        match same {
            Some(same) => {
                if let (Some(new), Some(old)) = (e.limit, same.limit) {
                    if new.stricter_than(old) {
                        same.message = e.message;
                        same.limit = e.limit;
                    }
                }
                for item in e.items {
                    if !same.items.contains(&item) {
                        same.items.push(item);
                    }
                }
            }
            None => out.push(e),
        }
    }
    *errors = out;
}
