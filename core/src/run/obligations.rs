//! Obligations: what an accepted item obliges the applicant to do, as its obligation rules
//! compute it (top up 40 months of medical insurance contributions, pay in the subscribed
//! capital by a date).
//!
//! An obligation rule returns nothing (`()` or `false`), `true` (one obligation worded by the
//! rule's title), a map `#{ text, amount, unit, due }`, or an array of such maps. Anything
//! else — an unknown member, an amount that is not a number, a due date that is not a
//! calendar date — is the rule's error: the item then goes to manual review, because an
//! accepted item without what it owes would be more favourable than the policy.

use rhai::Dynamic;

use crate::base::date::Date;
use crate::base::text::Text;
use crate::compile::rulebook::CompiledRule;
use crate::model::decision::Obligation;
use crate::rules::{self, ScriptError};

/// The obligations an obligation rule's result states.
pub(crate) fn read(
    rule: &CompiledRule,
    value: Result<Dynamic, ScriptError>,
) -> Result<Vec<Obligation>, ScriptError> {
    let value = value?;
    if value.is_unit() || value.as_bool() == Ok(false) {
        return Ok(Vec::new());
    }
    if value.as_bool() == Ok(true) {
        return Ok(vec![Obligation {
            rule: rule.id.clone(),
            text: title(rule),
            amount: None,
            unit: None,
            due: None,
        }]);
    }
    if let Some(list) = value.read_lock::<rhai::Array>() {
        return list.iter().map(|v| one(rule, v)).collect();
    }
    one(rule, &value).map(|o| vec![o])
}

/// One obligation from a map.
fn one(rule: &CompiledRule, v: &Dynamic) -> Result<Obligation, ScriptError> {
    let Some(map) = v.read_lock::<rhai::Map>() else {
        return Err(wrong(format!(
            "an obligation rule returns (), false, true, a map #{{ text, amount, unit, due }} or an array of them, not a {}",
            v.type_name()
        )));
    };
    if let Some(other) = map.keys().find(|k| !matches!(k.as_str(), "text" | "amount" | "unit" | "due")) {
        return Err(wrong(format!("an obligation has text, amount, unit and due, not `{other}`")));
    }
    let text = match map.get("text") {
        None => title(rule),
        Some(t) => {
            rules::text_of(t).ok_or_else(|| wrong("an obligation's text is text or #{ zh, en }".into()))?
        }
    };
    let amount =
        match map.get("amount") {
            None => None,
            Some(a) => Some(number(a).ok_or_else(|| {
                wrong(format!("an obligation's amount is a number, not a {}", a.type_name()))
            })?),
        };
    let unit = match map.get("unit") {
        None => None,
        Some(u) => Some(
            rules::text_of(u).ok_or_else(|| wrong("an obligation's unit is text or #{ zh, en }".into()))?,
        ),
    };
    let due = match map.get("due") {
        None => None,
        Some(d) => Some(date(d)?.to_string()),
    };
    Ok(Obligation { rule: rule.id.clone(), text, amount, unit, due })
}

fn title(rule: &CompiledRule) -> Text {
    rule.title.clone().unwrap_or_else(|| Text::new(rule.id.clone(), rule.id.clone()))
}

/// A whole number stays whole (`40`, not `40.0`); a fraction must be finite.
fn number(v: &Dynamic) -> Option<serde_json::Number> {
    match v.as_int() {
        Ok(i) => Some(i.into()),
        Err(_) => v.as_float().ok().and_then(serde_json::Number::from_f64),
    }
}

fn date(v: &Dynamic) -> Result<Date, ScriptError> {
    if let Some(d) = v.clone().try_cast::<Date>() {
        return Ok(d);
    }
    let text = v
        .clone()
        .into_immutable_string()
        .map_err(|_| wrong(format!("an obligation's due date is a date, not a {}", v.type_name())))?;
    text.parse()
        .map_err(|_| wrong(format!("an obligation's due date `{text}` is not a calendar date (YYYY-MM-DD)")))
}

fn wrong(message: String) -> ScriptError {
    ScriptError::general(message)
}
