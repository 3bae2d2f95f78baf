//! Dispatch (一次分办): one accepted submission, one payload per applicable item.
//!
//! Each payload is in the department's own property names, nesting and codes, carries every
//! value the department declared and the applicant gave, and **nothing else** (data
//! minimisation); it is checked against the department's original schema before it is
//! handed out (invariant 2). The manifest says which department receives which fields, and
//! which given values reach nobody.

use std::collections::HashSet;
use std::sync::Arc;

use foldhash::fast::FixedState;
use indexmap::{IndexMap, IndexSet};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::base::date::Date;
use crate::base::text::Text;
use crate::compile::CompiledBundle;
use crate::compile::project::project;
use crate::model::bundle::ItemIx;
use crate::model::decision::Obligation;
use crate::model::submission::Submission;
use crate::model::validation::Validation;
use crate::rules::ScriptError;
use crate::run::evaluate::EvalOptions;
use crate::run::validate::Checked;

/// The payloads of a dispatch and their manifest.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Dispatch {
    /// One payload per applicable item, in bundle order.
    pub payloads: Vec<Payload>,
    /// Which canonical fields each department receives.
    #[schemars(with = "IndexMap<String, Vec<String>>")]
    pub by_department: IndexMap<String, Vec<Arc<str>>>,
    /// Values the applicant gave that no applicable item receives.
    pub not_dispatched: Vec<NotDispatched>,
}

/// What one item's department receives.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Payload {
    /// The item.
    pub item: String,
    /// The receiving department.
    pub department: String,
    /// The data, in the department's own form.
    pub payload: Value,
    /// Where each canonical field went in the payload.
    pub fields: Vec<Route>,
    /// JSON Pointers of the values the bundle's field map fixes (constants), not the
    /// applicant's: they are in the payload too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<String>")]
    pub constants: Vec<Arc<str>>,
    /// What the item obliges the applicant to do (its obligation rules), for the department
    /// to follow up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<Obligation>,
}

/// One field's way into a payload.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Route {
    /// The canonical key.
    #[schemars(with = "String")]
    pub key: Arc<str>,
    /// JSON Pointer in the payload.
    #[schemars(with = "String")]
    pub pointer: Arc<str>,
}

/// A given value that is sent to no department.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NotDispatched {
    /// The canonical key (or unknown key) given.
    pub key: String,
    /// Why it is not sent.
    pub reason: Text,
}

/// Why a submission cannot be dispatched.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DispatchError {
    /// The submission does not validate: nothing is sent.
    #[error("the submission is not valid ({} error(s)); nothing is dispatched", validation.errors.len())]
    Invalid {
        /// The validation, with every error.
        validation: Validation,
    },
    /// A payload broke its department's schema although the submission validated. This is
    /// a defect of this library (invariant 2), reported instead of sending bad data.
    #[error("payload for item `{item}` breaks its department's schema: {}", errors.join("; "))]
    Inconsistent {
        /// The item.
        item: String,
        /// The department validator's messages.
        errors: Vec<String>,
    },
    /// The department's schema as published, compiled on first use, was refused by the
    /// validator. Compiling the bundle checks what the validator can refuse, so this is a
    /// defect of this library, reported instead of sending unchecked data.
    #[error("the schema of item `{item}` does not compile: {message}")]
    Schema {
        /// The item.
        item: String,
        /// The validator's message.
        message: String,
    },
    /// An obligation rule of an item failed, or returned what is not an obligation: what
    /// the department is to follow up is not known, so nothing is sent (the decision sends
    /// the item to manual review for the same reason).
    #[error("obligation rule `{rule}` of item `{item}` failed: {error}")]
    Obligation {
        /// The item.
        item: String,
        /// The rule.
        rule: String,
        /// Why it failed.
        error: ScriptError,
    },
}

impl CompiledBundle {
    /// Splits a valid submission into one payload per applicable item. Rules run without a
    /// date (give one to [`CompiledBundle::dispatch_with`]).
    pub fn dispatch(&self, s: &Submission) -> Result<Dispatch, DispatchError> {
        self.dispatch_with(s, None, &EvalOptions::default())
    }

    /// Dispatches with rules evaluated on `date` (`today` in scripts) and explicit options.
    pub fn dispatch_with(
        &self,
        s: &Submission,
        date: Option<Date>,
        opts: &EvalOptions,
    ) -> Result<Dispatch, DispatchError> {
        let mut p = self.prepare(s, date, opts, false);
        let Checked { validation, applicability } = self.check_prepared(s, &mut p);
        if !validation.valid {
            return Err(DispatchError::Invalid { validation });
        }
        // What each applicable item obliges the applicant to do, computed before the values
        // are borrowed for the payloads (rules need the prepared submission).
        let owed = applicability.items.iter().map(|&i| {
            let list = self.item_obligations(&mut p, i);
            list.map(|l| (i, l)).map_err(|(rule, error)| DispatchError::Obligation {
                item: self.items.get(i).id.clone(),
                rule: rule.id.clone(),
                error,
            })
        });
        let mut owed: Vec<(ItemIx, Vec<Obligation>)> = owed.collect::<Result<_, _>>()?;
        let empty = serde_json::Map::new();
        let values = p.values.as_object().unwrap_or(&empty);
        let mut payloads = Vec::new();
        // Keys are hashed many times per dispatch: with foldhash's fixed (deterministic) state,
        // not std's SipHash, which was a quarter of a dispatch's instructions.
        let mut by_department: IndexMap<String, IndexSet<Arc<str>, FixedState>> = IndexMap::new();
        let mut delivered: HashSet<&str, FixedState> = HashSet::default();
        for id in &validation.applicable {
            let Some(i) = self.items.find(id) else {
                continue;
            };
            let item = self.items.get(i);
            let tr = &item.translation;
            let view = project(tr, values);
            let original = item.original.get(&i.declared(&self.bundle).schema).map_err(|message| {
                DispatchError::Schema { item: item.id.clone(), message: message.to_owned() }
            })?;
            if !view.failures.is_empty() || !original.is_valid(&view.data) {
                let mut errors: Vec<String> = original
                    .iter_errors(&view.data)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                errors.extend(view.failures.iter().map(|f| format!("{}: {}", f.place(), f.error)));
                return Err(DispatchError::Inconsistent { item: item.id.clone(), errors });
            }
            let given: Vec<_> = tr.leaves.iter().filter(|l| values.contains_key(&*l.key)).collect();
            let fields: Vec<Route> =
                given.iter().map(|l| Route { key: l.key.clone(), pointer: l.pointer.clone() }).collect();
            let received = by_department.entry(item.department.clone()).or_default();
            for l in given {
                received.insert(Arc::clone(&l.key));
                delivered.insert(&l.key);
            }
            let obligations = owed.iter_mut().find(|(x, _)| *x == i).map(|(_, l)| std::mem::take(l));
            payloads.push(Payload {
                obligations: obligations.unwrap_or_default(),
                item: item.id.clone(),
                department: item.department.clone(),
                payload: view.data,
                fields,
                constants: tr.constants.iter().map(|c| Arc::clone(&c.pointer)).collect(),
            });
        }
        let not_dispatched = values
            .keys()
            .filter(|k| !delivered.contains(k.as_str()))
            .map(|k| NotDispatched {
                key: k.clone(),
                reason: if self.keys.contains_key(k) {
                    Text::new("只用于未适用的事项", "only used by items that do not apply")
                } else {
                    Text::new("不是本事项的字段", "not a field of this bundle")
                },
            })
            .collect();
        let by_department =
            by_department.into_iter().map(|(d, keys)| (d, keys.into_iter().collect())).collect();
        Ok(Dispatch { payloads, by_department, not_dispatched })
    }
}

/// One department's view of a submission, valid or not: what it would receive, the values
/// its transforms reject, and what its own published schema says about it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DepartmentView {
    /// The item.
    pub item: String,
    /// The department.
    pub department: String,
    /// The data in the department's own form.
    pub data: Value,
    /// Canonical keys whose value the field map's transform rejects, with the reason.
    pub transform_failures: Vec<(String, String)>,
    /// Messages of the department's original schema about `data`.
    pub errors: Vec<String>,
}

impl CompiledBundle {
    /// What one item's department would receive for this submission, checked against the
    /// department's original schema. Unlike [`CompiledBundle::dispatch`] this works on any
    /// submission (a preview, or a test of invariant 1). Derived fields the submission
    /// leaves blank are filled in as [`CompiledBundle::dispatch`] fills them (no evaluation
    /// date).
    pub fn department_view(&self, item: &str, s: &Submission) -> Result<DepartmentView, crate::UnknownItem> {
        let i = self.items.find(item).ok_or_else(|| crate::UnknownItem(item.to_owned()))?;
        let c = self.items.get(i);
        let p = self.prepare(s, None, &EvalOptions::default(), false);
        let empty = serde_json::Map::new();
        let view = project(&c.translation, p.values.as_object().unwrap_or(&empty));
        // A schema the validator refuses on first use (which the compile's check should have
        // found) is said in the view's errors: a view is a preview, and has no other.
        let errors = match c.original.get(&i.declared(&self.bundle).schema) {
            Ok(original) => {
                original.iter_errors(&view.data).map(|e| format!("{} at {}", e, e.instance_path())).collect()
            }
            Err(message) => vec![format!("the department's schema does not compile: {message}")],
        };
        Ok(DepartmentView {
            item: c.id.clone(),
            department: c.department.clone(),
            transform_failures: view.failures.iter().map(|f| (f.place(), f.error.to_string())).collect(),
            data: view.data,
            errors,
        })
    }
}
