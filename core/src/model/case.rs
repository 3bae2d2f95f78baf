//! A bundle's test cases (`onething test`): a submission, the decision its author expects
//! of it, and the date to decide it on.
//!
//! Why here: the people who write a bundle keep their expected decisions beside it
//! (`decisions/`, `tests/`), and every face — the command line, this repository's own
//! tests — must read a case and compare it with a decision in one way. A case file is a
//! submission (`schemas/submission.schema.json`) with two optional members more:
//!
//! - `expect`: what the decision must say ([`Expectation`]): the bundle's outcome, items'
//!   outcomes, the deficiencies, the supplement deadlines, the obligations. Only what it
//!   names is compared;
//! - `date`: the evaluation date of this case (`YYYY-MM-DD`), for a case about a time of the
//!   year.
//!
//! A file named `<outcome>--<what>.json` (`accepted--dumpling-shop.json`) states the bundle's
//! outcome by its name, as the fixtures always have. Its schema is
//! `schemas/case.schema.json`.
//!
//! ```
//! use onething::case::Case;
//! let case = Case::from_json_named(
//!     r#"{"values": {"a": 1}, "expect": {"items": {"x": "accepted"}}, "date": "2026-05-06"}"#,
//!     "tests/rejected--too-young.json",
//! ).unwrap();
//! assert_eq!(case.expect.outcome, Some(onething::Outcome::Rejected));
//! assert_eq!(case.date.unwrap().to_string(), "2026-05-06");
//! ```

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::base::date::Date;
use crate::base::json::{self, JsonError, Segment};
use crate::base::suggest::closest;
use crate::model::bundle::Bundle;
use crate::model::decision::{Decision, Outcome};
use crate::model::error::LoadError;
use crate::model::submission::{MAX_SUBMISSION_BYTES, Submission};

/// One test case of a bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Its name: the file's path in the bundle directory without `.json`
    /// (`decisions/accepted--dumpling-shop`).
    pub name: String,
    /// What the applicant hands in.
    pub submission: Submission,
    /// What the decision must say; its outcome may come from the file name.
    pub expect: Expectation,
    /// The case's own evaluation date, if it has one.
    pub date: Option<Date>,
}

/// What a case expects of its decision. Only what is given is compared: an empty
/// expectation expects nothing (and a case must expect something, [`Case::from_json_named`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The bundle's outcome. A file named `<outcome>--<what>.json` states it by its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The outcomes of the items named, by item id; items not named are not compared.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub items: IndexMap<String, Outcome>,
    /// Exactly the deficiencies the decision lists, by id, in any order:
    /// `field:<pointer>` (`field:/applicant.mobile`), `material:<reuse key>`,
    /// `check:<check id>`; `[]` expects none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deficiencies: Option<Vec<String>>,
    /// Exactly the tolerated materials, by reuse key, each with the date it must be
    /// supplied by (`{"site-photo": "2026-06-22"}`); `{}` expects none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplements: Option<IndexMap<String, String>>,
    /// The obligations of the items named, by item id: exactly these, each by its rule, and
    /// its amount and due date when given (`[]` expects none); items not named are not
    /// compared.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub obligations: IndexMap<String, Vec<ExpectedObligation>>,
    /// Values the form holds once the derive rules have run, by key: a canonical key
    /// (`pension.survivor_pension`) or a column of one element of a list, numbered from 0
    /// (`heirs[1].amount`). Compared as JSON, numbers as numbers (`40` is `40.0`); `null`
    /// expects no value (a derivation left blank). Keys not named are not compared.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub values: IndexMap<String, Value>,
}

/// An obligation a case expects of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedObligation {
    /// The obligation rule that attaches it.
    pub rule: String,
    /// How much, when the case says (compared as numbers: `40` is `40.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<serde_json::Number>,
    /// By when (`YYYY-MM-DD`), when the case says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

/// A case file as written: a submission's members, `expect` and `date`. Only its JSON
/// Schema is used (`schemas/case.schema.json`); [`Case::from_json_named`] reads the file.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CaseFile {
    /// The submission.
    #[serde(flatten)]
    submission: Submission,
    /// What the decision must say.
    expect: Option<Expectation>,
    /// The case's own evaluation date (`YYYY-MM-DD`).
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    date: Option<String>,
}

/// One difference between what a case expects and what was decided.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Mismatch {
    /// What differs: `outcome`, `items.<id>`, `deficiencies`, `supplements`,
    /// `obligations.<id>`, `values.<key>`.
    pub what: String,
    /// What the case expects.
    pub expected: Value,
    /// What the decision says.
    pub decided: Value,
    /// The difference in words: `expected accepted, decided rejected`, or for a list what is
    /// missing and what is not expected.
    pub detail: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.detail)
    }
}

impl Case {
    /// Reads a case from JSON text; `name` is its path in the bundle directory, with or
    /// without `.json` (the file stem's `<outcome>--` prefix states the bundle's outcome).
    /// Errors name the file and the place: a member of the submission it is not, an
    /// expectation of the wrong shape (`expect.items.x`), a date that is none, an outcome in
    /// the name that the `expect` block contradicts, a case that expects nothing.
    pub fn from_json_named(text: &str, name: &str) -> Result<Case, LoadError> {
        let name = name.strip_suffix(".json").unwrap_or(name).to_owned();
        let file = format!("{name}.json");
        if text.len() > MAX_SUBMISSION_BYTES {
            return Err(LoadError::TooLarge {
                path: file,
                bytes: text.len() as u64,
                limit: MAX_SUBMISSION_BYTES as u64,
            });
        }
        let format =
            |at: &str, message: String| LoadError::Format { path: file.clone(), at: at.to_owned(), message };
        let value: Value = json::parse(text).map_err(|e| LoadError::json(&file, e))?;
        let Value::Object(mut members) = value else {
            return Err(format(
                ".",
                "a case is a JSON object: a submission, with `expect` and `date`".into(),
            ));
        };
        let expect = members.remove("expect");
        let date = members.remove("date");
        let submission: Submission = json::from_value(Value::Object(members)).map_err(|e| {
            // serde lists the submission's members; a case also has two of its own.
            let e = match e {
                JsonError::Shape { path, message }
                    if path.segments.len() == 1 && message.starts_with("unknown field") =>
                {
                    JsonError::Shape { path, message: format!("{message}, or a case's `expect`, `date`") }
                }
                other => other,
            };
            LoadError::json(&file, e)
        })?;
        let mut expect: Expectation = match expect {
            None => Expectation::default(),
            Some(v) => json::from_value(v).map_err(|e| LoadError::json(&file, under("expect", e)))?,
        };
        let date = match date {
            None => None,
            Some(Value::String(d)) => Some(d.parse::<Date>().map_err(|e| format("date", e.to_string()))?),
            Some(other) => return Err(format("date", format!("a date is text `YYYY-MM-DD`, not {other}"))),
        };
        let stem = name.rsplit('/').next().unwrap_or(&name);
        if let Some((prefix, _)) = stem.split_once("--") {
            let named: Outcome = serde_json::from_value(json!(prefix)).map_err(|_| {
                format(
                    ".",
                    format!("the file name starts with `{prefix}--`, which is no outcome ({OUTCOMES})"),
                )
            })?;
            match expect.outcome {
                Some(o) if o != named => {
                    return Err(format(
                        "expect.outcome",
                        format!("`{}` contradicts the file name, which says `{prefix}`", outcome_name(o)),
                    ));
                }
                _ => expect.outcome = Some(named),
            }
        }
        if expect == Expectation::default() {
            return Err(format(
                ".",
                "the case expects nothing: name the file `<outcome>--<what>.json` or give an `expect` block"
                    .into(),
            ));
        }
        Ok(Case { name, submission, expect, date })
    }

    /// Every reference of the expectation the bundle does not have — an item, a material,
    /// a consistency check, an obligation rule — each naming the file and the place, with
    /// the nearest id the bundle has.
    pub fn unknown_references(&self, bundle: &Bundle) -> Vec<LoadError> {
        let mut out = Vec::new();
        let file = format!("{}.json", self.name);
        let mut unknown = |at: String, what: &str, id: &str, known: Vec<&str>| {
            if known.contains(&id) {
                return;
            }
            let hint = closest(id, known.iter().copied(), 3)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            out.push(LoadError::Format {
                path: file.clone(),
                at,
                message: format!("the bundle has no {what} `{id}`{hint}"),
            });
        };
        let items: Vec<&str> = bundle.items.iter().map(|i| i.id.as_str()).collect();
        let materials: Vec<&str> =
            bundle.items.iter().flat_map(|i| &i.materials).map(|m| m.reuse_key()).collect();
        let checks: Vec<&str> = bundle
            .checks
            .iter()
            .chain(bundle.items.iter().flat_map(|i| &i.checks))
            .map(|c| c.id.as_str())
            .collect();
        for id in self.expect.items.keys() {
            unknown(format!("expect.items.{id}"), "item", id, items.clone());
        }
        for (n, id) in self.expect.deficiencies.iter().flatten().enumerate() {
            let at = format!("expect.deficiencies[{n}]");
            match id.split_once(':') {
                Some(("material", m)) => unknown(at, "material", of_element(m), materials.clone()),
                Some(("check", c)) => unknown(at, "consistency check", of_element(c), checks.clone()),
                Some(("field", p)) if p.starts_with('/') => {}
                _ => {
                    unknown(at, "deficiency", id, vec!["field:/<key>", "material:<reuse key>", "check:<id>"])
                }
            }
        }
        for m in self.expect.supplements.iter().flat_map(IndexMap::keys) {
            unknown(format!("expect.supplements.{m}"), "material", of_element(m), materials.clone());
        }
        let keys = known_keys(bundle);
        for key in self.expect.values.keys() {
            let at = format!("expect.values.{key}");
            match key_of(key) {
                Some(k) => unknown(at, "field", &k, keys.clone()),
                None => unknown(at, "field", key, vec!["<key>", "<list>[<n>].<column>"]),
            }
        }
        for (id, list) in &self.expect.obligations {
            let Some(item) = bundle.items.iter().find(|i| i.id == *id) else {
                unknown(format!("expect.obligations.{id}"), "item", id, items.clone());
                continue;
            };
            let rules: Vec<&str> = item.obligations.iter().map(|r| r.id.as_str()).collect();
            for (n, o) in list.iter().enumerate() {
                unknown(
                    format!("expect.obligations.{id}[{n}].rule"),
                    "obligation rule",
                    &o.rule,
                    rules.clone(),
                );
            }
        }
        out
    }
}

/// The canonical keys a case may expect a value of: those the items' field maps and the data
/// sources fill, and those derive rules fill (list columns as `list[].column`).
fn known_keys(bundle: &Bundle) -> Vec<&str> {
    let mapped = bundle.items.iter().flat_map(|i| i.field_map.values()).filter_map(|m| m.key());
    let sourced = bundle.sources.iter().flat_map(|s| s.fields.values()).filter_map(|m| m.key());
    let derived = bundle.derive.iter().map(|d| d.key.as_str());
    let mut keys: Vec<&str> = mapped.chain(sourced).chain(derived).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The key an expected value's name is of: `heirs[1].amount` → `heirs[].amount`, a plain key
/// as it is; `None` when a `[` is not followed by a number and `].`.
fn key_of(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let (head, tail) = rest.split_at(open);
        let close = tail.find("].")?;
        let n = &tail[1..close];
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(head);
        out.push_str("[].");
        rest = &tail[close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// The value at `name` (`heirs[1].amount`, or a plain key) in `get`'s values: the key's value,
/// then for each `[n].column` that element's column.
pub(crate) fn value_at<'v>(name: &str, get: impl Fn(&str) -> Option<&'v Value>) -> Option<&'v Value> {
    let (first, mut rest) = match name.find('[') {
        Some(open) => name.split_at(open),
        None => return get(name),
    };
    let mut value = get(first)?;
    while let Some(tail) = rest.strip_prefix('[') {
        let close = tail.find("].")?;
        let n: usize = tail[..close].parse().ok()?;
        let after = &tail[close + 2..];
        let end = after.find('[').unwrap_or(after.len());
        value = value.get(n)?.get(&after[..end])?;
        rest = &after[end..];
    }
    Some(value)
}

/// The outcomes a file name may start with.
const OUTCOMES: &str = "accepted, accepted_with_tolerance, accepted_on_commitment, correction_required, rejected, not_applicable, manual_review";

/// An outcome as JSON spells it.
fn outcome_name(o: Outcome) -> String {
    match serde_json::to_value(o) {
        Ok(Value::String(s)) => s,
        _ => format!("{o:?}"),
    }
}

/// A shape error inside the member `key`, placed there.
fn under(key: &str, e: JsonError) -> JsonError {
    match e {
        JsonError::Shape { mut path, message } => {
            path.segments.insert(0, Segment::Map { key: key.to_owned() });
            JsonError::Shape { path, message }
        }
        JsonError::Syntax { .. } => e,
    }
}

impl Expectation {
    /// Every difference between this expectation and `decision`, in the order of the
    /// expectation's members; none when the decision is as expected.
    pub fn compare(&self, decision: &Decision) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut differ = |what: String, expected: Value, decided: Value, detail: String| {
            out.push(Mismatch { what, expected, decided, detail });
        };
        let one = |e: Outcome, d: Option<Outcome>| {
            let d = d.map_or_else(|| "no such item".to_owned(), outcome_name);
            format!("expected {}, decided {d}", outcome_name(e))
        };
        if let Some(e) = self.outcome.filter(|e| *e != decision.outcome) {
            differ("outcome".into(), json!(e), json!(decision.outcome), one(e, Some(decision.outcome)));
        }
        for (id, e) in &self.items {
            let d = decision.items.iter().find(|i| i.item == *id).map(|i| i.outcome);
            if d != Some(*e) {
                differ(format!("items.{id}"), json!(e), json!(d), one(*e, d));
            }
        }
        if let Some(expected) = &self.deficiencies {
            let decided: Vec<String> = decision.deficiencies.iter().map(|d| d.id.clone()).collect();
            if let Some(detail) = set_difference(expected, &decided) {
                differ("deficiencies".into(), json!(expected), json!(decided), detail);
            }
        }
        if let Some(expected) = &self.supplements {
            let decided: IndexMap<String, String> =
                decision.supplements.iter().map(|s| (s.material.clone(), s.by.clone())).collect();
            let pairs = |m: &IndexMap<String, String>| {
                m.iter().map(|(k, v)| format!("{k} by {v}")).collect::<Vec<_>>()
            };
            if let Some(detail) = set_difference(&pairs(expected), &pairs(&decided)) {
                differ("supplements".into(), json!(expected), json!(decided), detail);
            }
        }
        for (id, expected) in &self.obligations {
            let decided = decision
                .items
                .iter()
                .find(|i| i.item == *id)
                .map(|i| i.obligations.as_slice())
                .unwrap_or_default();
            let decided_list: Vec<Value> =
                decided.iter().map(|o| json!({"rule": o.rule, "amount": o.amount, "due": o.due})).collect();
            let matches = expected.len() == decided.len()
                && expected.iter().zip(decided).all(|(e, d)| {
                    e.rule == d.rule
                        && e.amount.as_ref().is_none_or(|a| same_number(a, d.amount.as_ref()))
                        && e.due.as_ref().is_none_or(|due| d.due.as_ref() == Some(due))
                });
            if !matches {
                let show = |v: &[Value]| {
                    let parts: Vec<String> = v.iter().map(obligation_text).collect();
                    if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
                };
                let expected_list: Vec<Value> = expected.iter().map(|o| json!(o)).collect();
                let detail = format!("expected {}, decided {}", show(&expected_list), show(&decided_list));
                differ(format!("obligations.{id}"), json!(expected), json!(decided_list), detail);
            }
        }
        out
    }

    /// Every difference between the values this expectation names and those `get` gives
    /// (the form's values once derived; `None`: no value), in the expectation's order.
    pub fn compare_values<'v>(&self, get: impl Fn(&str) -> Option<&'v Value>) -> Vec<Mismatch> {
        let mut out = Vec::new();
        for (name, expected) in &self.values {
            let decided = value_at(name, &get).cloned().unwrap_or(Value::Null);
            if !crate::schema::json_equal(expected, &decided) {
                let detail = format!("expected {expected}, decided {decided}");
                out.push(Mismatch {
                    what: format!("values.{name}"),
                    expected: expected.clone(),
                    decided,
                    detail,
                });
            }
        }
        out
    }
}

/// An obligation in words: `top-up 40 by 2026-12-31`.
fn obligation_text(o: &Value) -> String {
    let mut s = o.get("rule").and_then(Value::as_str).unwrap_or_default().to_owned();
    if let Some(a) = o.get("amount").filter(|a| !a.is_null()) {
        s += &format!(" {a}");
    }
    if let Some(d) = o.get("due").and_then(Value::as_str) {
        s += &format!(" by {d}");
    }
    s
}

/// Whether two amounts are the same number (`40` and `40.0` are).
fn same_number(a: &serde_json::Number, b: Option<&serde_json::Number>) -> bool {
    b.is_some_and(|b| a == b || (a.as_f64().is_some() && a.as_f64() == b.as_f64()))
}

/// What `decided` lacks of `expected` and has besides, in words; `None` when both hold the
/// same entries (order aside).
fn set_difference(expected: &[String], decided: &[String]) -> Option<String> {
    let missing: Vec<&str> = expected.iter().filter(|e| !decided.contains(e)).map(String::as_str).collect();
    let extra: Vec<&str> = decided.iter().filter(|d| !expected.contains(d)).map(String::as_str).collect();
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("expected but not decided: {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("decided but not expected: {}", extra.join(", ")));
    }
    Some(parts.join("; "))
}

/// The material or check an id of one element is about: `id-card[1]` → `id-card` (a
/// decision names a material or check of each element so); other ids as they are.
fn of_element(id: &str) -> &str {
    match id.strip_suffix(']').and_then(|s| s.rsplit_once('[')) {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn an_id_of_one_element_names_its_material_or_check() {
        assert_eq!(of_element("id-card[1]"), "id-card");
        assert_eq!(of_element("shares-add-up[12]"), "shares-add-up");
        assert_eq!(of_element("id-card"), "id-card");
        assert_eq!(of_element("id-card[]"), "id-card[]");
        assert_eq!(of_element("id-card[x]"), "id-card[x]");
    }

    fn err(text: &str, name: &str) -> String {
        Case::from_json_named(text, name).unwrap_err().to_string()
    }

    #[test]
    fn reads_outcome_from_name_and_block() {
        let c = Case::from_json_named(r#"{"values": {}}"#, "decisions/accepted--x.json").unwrap();
        assert_eq!(c.name, "decisions/accepted--x");
        assert_eq!(c.expect.outcome, Some(Outcome::Accepted));
        let c = Case::from_json_named(r#"{"expect": {"outcome": "rejected"}}"#, "tests/young").unwrap();
        assert_eq!(c.expect.outcome, Some(Outcome::Rejected));
    }

    #[test]
    fn bad_cases_name_their_place() {
        let e = err(r#"{"valeus": {}}"#, "tests/accepted--a");
        assert!(e.contains("tests/accepted--a.json") && e.ends_with("or a case's `expect`, `date`"), "{e}");
        assert!(err(r#"{"expect": {"itmes": {}}}"#, "tests/accepted--a").contains("at expect"));
        assert!(
            err(r#"{"expect": {"items": {"x": "fine"}}}"#, "tests/accepted--a").contains("expect.items.x")
        );
        assert!(err(r#"{"date": "2026-02-30"}"#, "tests/accepted--a").contains("at date"));
        assert!(err(r#"{"date": 3}"#, "tests/accepted--a").contains("at date"));
        assert!(err("[1]", "tests/accepted--a").contains("JSON object"));
        assert!(err("{}", "tests/nothing").contains("expects nothing"));
        assert!(err("{}", "tests/acepted--x").contains("no outcome"));
        let e = err(r#"{"expect": {"outcome": "rejected"}}"#, "tests/accepted--x");
        assert!(e.contains("contradicts the file name"), "{e}");
        assert!(
            err(r#"{"values": {}, "values": {}}"#, "tests/accepted--a").contains("tests/accepted--a.json:1:")
        );
    }
}
