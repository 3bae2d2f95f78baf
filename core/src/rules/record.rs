//! Read-only maps: what scripts see as `form`, `materials` and `applicant`.
//!
//! A rule must not change what the rules after it see. Rhai's constants do not promise
//! that for maps: a constant map refuses `form["a"] = 1` and `form.clear()`, but adding a
//! property (`form.new_key = 1`, `applicant.dishonest = true`) succeeds and stays. A
//! [`Record`] is a map behind an [`Arc`] with getters only — an indexer, the property
//! fallback to it, `len`, `is_empty`, `keys`, `values`, `contains` (so `"k" in form`
//! works) — and a setter that always fails, so every write is an error and nothing a
//! script does reaches the host's values. It is also cheap to share: the session and the functions that read
//! the submission (`missing`, `has_material`) hold the same map.
//!
//! Scripts see the type as `"map"` (`type_of(form) == "map"`); a value read from it is an
//! ordinary Rhai value, a copy, which the script may change freely, and whose methods it may
//! call in place (`form["shareholders"].len()`: Rhai then hands the value back to the setter,
//! which accepts it because it is unchanged).
//!
//! ```
//! use onething::rules::{self, Sandbox, Session, Vars};
//! use onething::{Calendar, Date};
//!
//! let values = serde_json::json!({"a": 1});
//! let vars = Vars::new(values.as_object().unwrap(), "2026-11-28".parse::<Date>().unwrap(), Calendar::prc());
//! let sandbox = Sandbox::default();
//! let mut session = Session::new(&sandbox, vars);
//! let write = sandbox.compile("form.b = 2").unwrap();
//! assert!(session.run(&write).value.is_err());
//! let read = sandbox.compile(r#"[type_of(form), form.a, form["b"], "a" in form]"#).unwrap();
//! let seen = rules::to_json(&session.run(&read).value.unwrap()).unwrap();
//! assert_eq!(seen, serde_json::json!(["map", 1, null, true]));
//! ```

use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, Position};

/// The name Rhai gives index setters (`rhai::engine::FN_IDX_SET`, not exported).
const FN_IDX_SET: &str = "index$set$";

use super::meter::{charge, size_of};

/// A read-only Rhai map shared by reference count.
#[derive(Debug, Clone, Default)]
pub struct Record(Arc<rhai::Map>);

impl Record {
    /// Wraps a map.
    pub fn new(map: rhai::Map) -> Record {
        Record(Arc::new(map))
    }

    /// The value of `key`, if any.
    pub fn get(&self, key: &str) -> Option<&Dynamic> {
        self.0.get(key)
    }

    /// The map.
    pub fn map(&self) -> &rhai::Map {
        &self.0
    }

    /// The map to change, copied first only if another holder shares it.
    pub(crate) fn make_mut(&mut self) -> &mut rhai::Map {
        Arc::make_mut(&mut self.0)
    }
}

/// Registers the type and its read-only functions.
pub(super) fn register(e: &mut Engine) {
    e.register_type_with_name::<Record>("map");
    // `form["key"]`, and `form.key` through Rhai's fallback from properties to the indexer.
    // A read copies the value: charged by its size, as a variable's is (`sandbox::size_of`).
    e.register_indexer_get(|r: &mut Record, key: ImmutableString| {
        r.0.get(key.as_str()).map_or(Dynamic::UNIT, |v| {
            charge(size_of(v));
            v.clone()
        })
    });
    // Every write fails as a write to a constant: without a setter, Rhai would report a
    // missing indexer, and a nested write (`form.list.push(1)`) would change a copy and be
    // lost without a word. Rhai also calls the setter after *any* method called on a value
    // read through the indexer (`form["list"].len()`), to put back what the method may have
    // changed; the value is then unchanged, and the call succeeds. Registered as pure so
    // that Rhai calls it on the constant `form` at all (it changes nothing).
    FuncRegistration::new(FN_IDX_SET).with_purity(true).register_into_engine(
        e,
        |r: &mut Record, key: ImmutableString, value: Dynamic| -> Result<(), Box<EvalAltResult>> {
            let unchanged = r.0.get(key.as_str()).map_or(value.is_unit(), |old| {
                charge(size_of(old));
                same(old, &value)
            });
            if unchanged {
                Ok(())
            } else {
                Err(Box::new(EvalAltResult::ErrorAssignmentToConstant(key.to_string(), Position::NONE)))
            }
        },
    );
    e.register_fn("len", |r: &mut Record| i64::try_from(r.0.len()).unwrap_or(i64::MAX));
    e.register_fn("is_empty", |r: &mut Record| r.0.is_empty());
    e.register_fn("contains", |r: &mut Record, key: ImmutableString| r.0.contains_key(key.as_str()));
    e.register_fn("keys", |r: &mut Record| -> Array {
        charge(r.0.len());
        r.0.keys().map(|k| Dynamic::from(ImmutableString::from(k.as_str()))).collect()
    });
    e.register_fn("values", |r: &mut Record| -> Array {
        charge(r.0.values().map(size_of).sum::<usize>() + r.0.len());
        r.0.values().cloned().collect()
    });
    e.register_fn("to_string", |r: &mut Record| {
        charge(r.0.values().map(size_of).sum::<usize>() + r.0.len());
        Dynamic::from_map((*r.0).clone()).to_string()
    });
    e.register_fn("to_debug", |r: &mut Record| {
        charge(r.0.values().map(size_of).sum::<usize>() + r.0.len());
        format!("{:?}", Dynamic::from_map((*r.0).clone()))
    });
}

/// Do two values read from a record hold the same data? (Only the kinds a record holds:
/// JSON's, as Rhai values.)
fn same(a: &Dynamic, b: &Dynamic) -> bool {
    if let (Some(x), Some(y)) = (a.read_lock::<Array>(), b.read_lock::<Array>()) {
        return x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same(x, y));
    }
    if let (Some(x), Some(y)) = (a.read_lock::<rhai::Map>(), b.read_lock::<rhai::Map>()) {
        return x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)));
    }
    if let (Some(x), Some(y)) = (a.read_lock::<ImmutableString>(), b.read_lock::<ImmutableString>()) {
        return *x == *y;
    }
    match (a.as_int(), b.as_int(), a.as_float(), b.as_float(), a.as_bool(), b.as_bool()) {
        (Ok(x), Ok(y), ..) => x == y,
        (_, _, Ok(x), Ok(y), ..) => x.to_bits() == y.to_bits(),
        (.., Ok(x), Ok(y)) => x == y,
        _ => a.is_unit() && b.is_unit(),
    }
}
