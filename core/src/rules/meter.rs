//! The operations a running rule spent and may spend: Rhai's own count, plus what native
//! functions charge for work that grows with their input ([`charge`], [`size_of`]), held in
//! thread-local cells while one script runs ([`metered`]) and read by the progress callback
//! at every operation ([`progress`]).

use std::cell::Cell;

use rhai::{Dynamic, ImmutableString};

/// Why a run was stopped by the progress callback.
pub(crate) const RULE_SPENT: &str = "rule";
pub(crate) const EVALUATION_SPENT: &str = "evaluation";

thread_local! {
    /// Operations of the script running on this thread, as Rhai last reported them.
    static OPERATIONS: Cell<u64> = const { Cell::new(0) };
    /// Operations charged by native functions during the running script ([`charge`]).
    static CHARGED: Cell<u64> = const { Cell::new(0) };
    /// What the running script may spend: (its own limit, what is left of its evaluation's).
    static ALLOWED: Cell<(u64, u64)> = const { Cell::new((u64::MAX, u64::MAX)) };
}

/// What reading `value` is charged ([`build`]'s `on_var`, `Record` reads): every element
/// and entry, nested ones too, and text in 16-byte units; nothing for a scalar. Copying the
/// value costs about as much as this count.
pub(crate) fn size_of(value: &Dynamic) -> usize {
    if let Some(list) = value.read_lock::<rhai::Array>() {
        return list.iter().fold(list.len(), |n, v| n.saturating_add(size_of(v)));
    }
    if let Some(map) = value.read_lock::<rhai::Map>() {
        return map.values().fold(map.len(), |n, v| n.saturating_add(size_of(v)));
    }
    if let Some(text) = value.read_lock::<ImmutableString>() {
        return text.len() / 16;
    }
    0
}

/// Charges the running script `units` operations for work a native function did (one per
/// element, character or day gone through). The progress callback stops the script at
/// its next operation once its limit is passed.
#[inline]
pub(crate) fn charge(units: usize) {
    CHARGED.set(CHARGED.get().saturating_add(units as u64));
}

/// Runs `f` (a script) with the counters reset to `allowed` (its own limit, what is left
/// of its evaluation's), and puts back the outer run's counters afterwards. Returns `f`'s
/// result and the operations it spent, counted and charged.
#[inline]
pub(crate) fn metered<R>(allowed: (u64, u64), f: impl FnOnce() -> R) -> (R, u64) {
    let counters = (OPERATIONS.replace(0), CHARGED.replace(0), ALLOWED.replace(allowed));
    let result = f();
    let operations = OPERATIONS.get().saturating_add(CHARGED.get());
    OPERATIONS.set(counters.0);
    CHARGED.set(counters.1);
    ALLOWED.set(counters.2);
    (result, operations)
}

/// The progress callback's work, at every operation of a running script: records Rhai's
/// count and says which limit is spent ([`RULE_SPENT`], [`EVALUATION_SPENT`]), if one is.
/// Plain cells, not the session's context: it runs at every operation.
#[inline]
pub(crate) fn progress(ops: u64) -> Option<&'static str> {
    OPERATIONS.set(ops);
    let spent = ops.saturating_add(CHARGED.get());
    let (rule, evaluation) = ALLOWED.get();
    if spent > evaluation {
        Some(EVALUATION_SPENT)
    } else if spent > rule {
        Some(RULE_SPENT)
    } else {
        None
    }
}
