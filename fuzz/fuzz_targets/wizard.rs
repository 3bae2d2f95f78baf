//! `wizard`: arbitrary edit sequences on the headless wizard.
//!
//! Input: byte 0 picks a fixture, byte 1 holds flags (bit 0: start from a prefill of every
//! consented source), then each edit is an opcode byte and its argument bytes (see `Edit`).
//! Values come from a pool per key: the fixtures' submissions' values for it, the form's
//! `enum`/`const` values, and wrong values of every type.
//!
//! The wizard is incremental: it reuses rule verdicts while what the rule reads is unchanged.
//! The invariant (mirroring `core/tests/wizard.rs`, `state_is_a_function_of_the_answers`):
//! after any edit sequence, with a state computed after every edit,
//!
//! * `state()` equals that of a fresh wizard given the final answers at once (in reverse
//!   order), which runs every rule (without prefill: a prefill's locks and provenance are
//!   not answers);
//! * it equals that of a wizard resumed from `save()`, directly and after a JSON round trip;
//! * its applicable items are validation's, and a complete state validates;
//! * setting a key the form does not have is an error, never a panic or an answer.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use onething::{Draft, MaterialStatus, TOLERANCE_COMMITMENT, Wizard, WizardError};
use onething_fuzz::fixtures::{self, Fixture};
use serde_json::{Value, json};

/// At most this many edits per input (each computes a state).
const MAX_EDITS: usize = 48;

/// One edit, decoded from bytes.
#[derive(Debug)]
enum Edit {
    Set { key: u8, value: u8 },
    Unset { key: u8 },
    Material { material: u8, status: Option<MaterialStatus> },
    Choose { item: u8, chosen: bool },
    Commit { signed: bool },
    Dishonest { on: bool },
    Go { step: u8 },
    SetUnknown { key: u8 },
}

fn decode(bytes: &[u8]) -> Vec<Edit> {
    let mut it = bytes.iter().copied();
    let mut out = Vec::new();
    while let Some(op) = it.next() {
        let mut arg = || it.next().unwrap_or(0);
        let edit = match op % 12 {
            0..=4 => Edit::Set { key: arg(), value: arg() },
            5 => Edit::Unset { key: arg() },
            6 => {
                let material = arg();
                let status = match arg() % 5 {
                    0 => None,
                    1 => Some(MaterialStatus::Provided),
                    2 => Some(MaterialStatus::Missing),
                    3 => Some(MaterialStatus::Committed),
                    _ => Some(MaterialStatus::Shared),
                };
                Edit::Material { material, status }
            }
            7 => Edit::Choose { item: arg(), chosen: arg() % 2 == 0 },
            8 => Edit::Commit { signed: arg() % 2 == 0 },
            9 => Edit::Dishonest { on: arg() % 2 == 0 },
            10 => Edit::Go { step: arg() },
            _ => Edit::SetUnknown { key: arg() },
        };
        out.push(edit);
        if out.len() == MAX_EDITS {
            break;
        }
    }
    out
}

/// A fixture's keys, materials, items and value pools, worked out once.
struct Menu {
    keys: Vec<String>,
    pools: Vec<Vec<Value>>,
    materials: Vec<String>,
    items: Vec<String>,
}

fn menu(index: usize) -> &'static Menu {
    static MENUS: OnceLock<Vec<Menu>> = OnceLock::new();
    let menus = MENUS.get_or_init(|| fixtures::all().iter().map(build_menu).collect());
    &menus[index]
}

fn build_menu(f: &Fixture) -> Menu {
    let b = &f.compiled;
    let keys: Vec<String> = b.keys().keys().cloned().collect();
    let wrong = [
        json!(null),
        json!(""),
        json!(0),
        json!(-1),
        json!("x"),
        json!([1]),
        json!({"a": 1}),
        json!("2026-99-01"),
        json!(true),
    ];
    let pools = keys
        .iter()
        .map(|k| {
            let mut pool: Vec<Value> = Vec::new();
            let mut add = |v: &Value| {
                if !pool.contains(v) {
                    pool.push(v.clone());
                }
            };
            for (_, s) in &f.submissions {
                if let Some(v) = s.get("values").and_then(|vs| vs.get(k)) {
                    add(v);
                }
            }
            let field = &b.form()["properties"][k];
            if let Some(v) = field.get("const") {
                add(v);
            }
            for v in field.get("enum").and_then(Value::as_array).into_iter().flatten() {
                add(v);
            }
            wrong.iter().for_each(&mut add);
            pool
        })
        .collect();
    let mut materials: Vec<String> = Vec::new();
    for m in b.bundle().items.iter().flat_map(|i| i.materials.iter()) {
        // A material of each element is given per element (`id-card[1]`); its bare key is
        // an error by design (the wizard suggests `id-card[0]`).
        let ids = match m.for_each {
            Some(_) => vec![format!("{}[0]", m.reuse_key()), format!("{}[1]", m.reuse_key())],
            None => vec![m.reuse_key().to_owned()],
        };
        for id in ids {
            if !materials.contains(&id) {
                materials.push(id);
            }
        }
    }
    let items = b.bundle().items.iter().map(|i| i.id.clone()).collect();
    Menu { keys, pools, materials, items }
}

fn at<T>(list: &[T], i: u8) -> Option<&T> {
    if list.is_empty() { None } else { list.get(usize::from(i) % list.len()) }
}

fuzz_target!(init: { fixtures::all(); }, |data: &[u8]| {
    let [selector, flags, edits @ ..] = data else { return };
    let all = fixtures::all();
    let index = usize::from(*selector) % all.len();
    let f = &all[index];
    let m = menu(index);
    let b = &f.compiled;
    let with_prefill = flags & 1 == 1;
    let consent: Vec<String> = f.sources.keys().cloned().collect();
    let prefill = with_prefill.then(|| b.prefill(&serde_json::Map::new(), &consent, &f.sources, Some(f.date)));
    let mut w = Wizard::new(b, prefill.as_ref(), Some(f.date));
    for edit in decode(edits) {
        match edit {
            Edit::Set { key, value } => {
                let Some((k, pool)) = at(&m.keys, key).zip(at(&m.pools, key)) else { continue };
                let v = at(pool, value).cloned().unwrap_or(Value::Null);
                match w.set(k, v) {
                    Ok(()) => {}
                    Err(WizardError::Locked { .. }) if with_prefill => {}
                    Err(e) => panic!("set {k}: {e}"),
                }
            }
            Edit::Unset { key } => {
                let Some(k) = at(&m.keys, key) else { continue };
                match w.unset(k) {
                    Ok(()) => {}
                    Err(WizardError::Locked { .. }) if with_prefill => {}
                    Err(e) => panic!("unset {k}: {e}"),
                }
            }
            Edit::Material { material, status } => {
                let Some(id) = at(&m.materials, material) else { continue };
                w.set_material(id, status).unwrap_or_else(|e| panic!("set_material {id}: {e}"));
            }
            Edit::Choose { item, chosen } => {
                let Some(id) = at(&m.items, item) else { continue };
                w.choose(id, chosen).unwrap_or_else(|e| panic!("choose {id}: {e}"));
            }
            Edit::Commit { signed } => w.commit(TOLERANCE_COMMITMENT, signed),
            Edit::Dishonest { on } => {
                let mut a = w.save().applicant;
                a.dishonest = on;
                w.set_applicant(a);
            }
            Edit::Go { step } => {
                let steps = w.state().steps.len();
                if steps > 0 {
                    w.go_to(usize::from(step) % steps).unwrap_or_else(|e| panic!("go_to: {e}"));
                }
            }
            Edit::SetUnknown { key } => {
                let Some(k) = at(&m.keys, key) else { continue };
                let unknown = format!("{k}~");
                assert!(w.set(&unknown, json!(1)).is_err(), "set accepted the unknown key {unknown}");
                assert!(!w.answers().contains_key(&unknown), "the unknown key {unknown} became an answer");
            }
        }
        // Every intermediate state is computable, and feeds the wizard's cache.
        let _ = w.state();
    }
    let state = w.state();
    let draft = w.save();

    if !with_prefill {
        let mut fresh = Wizard::new(b, None, Some(f.date));
        for (k, v) in draft.answers.iter().rev() {
            fresh.set(k, v.clone()).unwrap_or_else(|e| panic!("fresh set {k}: {e}"));
        }
        for (id, s) in &draft.materials {
            fresh.set_material(id, Some(*s)).unwrap_or_else(|e| panic!("fresh set_material {id}: {e}"));
        }
        for i in &draft.opt_in {
            fresh.choose(i, true).unwrap_or_else(|e| panic!("fresh choose {i}: {e}"));
        }
        for c in &draft.commitments {
            fresh.commit(c, true);
        }
        fresh.set_applicant(draft.applicant.clone());
        fresh.go_to(draft.current).unwrap_or_else(|e| panic!("fresh go_to {}: {e}", draft.current));
        assert_eq!(fresh.state(), state, "incremental state differs from a fresh wizard given the same answers");
    }

    let resumed = Wizard::resume(b, draft.clone(), Some(f.date)).unwrap_or_else(|e| panic!("resume: {e}"));
    assert_eq!(resumed.state(), state, "state differs after save → resume");
    let text = serde_json::to_string(&draft).unwrap_or_else(|e| panic!("draft JSON: {e}"));
    let parsed: Draft = serde_json::from_str(&text).unwrap_or_else(|e| panic!("draft does not read back: {e}\n{text}"));
    let resumed = Wizard::resume(b, parsed, Some(f.date)).unwrap_or_else(|e| panic!("resume from JSON: {e}"));
    assert_eq!(resumed.state(), state, "state differs after save → JSON → resume");

    let v = b.validate_with(&w.submit(), Some(f.date), &onething::EvalOptions::default());
    assert_eq!(v.applicable, state.applicable, "the wizard's applicable items differ from validation's");
    assert!(!state.complete || v.valid, "the wizard says complete, validation says: {:?}", v.errors);
});
