//! The wizard across the boundary.
//!
//! [`onething::Wizard`] borrows its compiled bundle; a JS object cannot hold a borrow, so
//! [`JsWizard`] owns a reference-counted handle on the bundle (shared with the `Bundle`
//! object, which may be freed first) together with the wizard borrowing it, with
//! `self_cell`. All the answers, the rule verdict cache and the current step stay inside
//! WASM: `set(key, value)` sends one value in, `state()` brings the state out.
//!
//! `state()` sends only what changed ([`Shown`]): a field equal to the one the previous call
//! handed out is handed out again as the same JS object. After a keystroke that is one
//! field of hundreds, and serialising the others to JSON text, decoding it and `JSON.parse`
//! took most of the time of a `set` + `state` (BENCHMARKS.md, "WebAssembly"). Shared
//! objects are frozen, so that no caller can change what a later state shows. Inside a list
//! field that changed, the rows that did not change are handed out again as the same
//! objects too: a keystroke in row 50 of 100 converts one row, not the list.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use onething::wizard::FieldState;
use onething::{CompiledBundle, MaterialStatus, Wizard, WizardState};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::codec::{bool_arg, enum_arg, from_js, index_arg, string_arg, to_js, value_from_js};
use crate::error::Failure;
use crate::{JsBundle, JsResult, PrefillSources, date_opt};

type WizardOf<'b> = Wizard<'b>;

self_cell::self_cell!(
    /// A wizard together with the bundle it borrows.
    struct Owned {
        owner: Rc<CompiledBundle>,
        #[covariant]
        dependent: WizardOf,
    }
    impl {Debug}
);

/// The headless wizard (`Wizard` in JS): answers, material statuses and choices over one
/// compiled bundle; `state()` says what to show after every change.
#[wasm_bindgen(js_name = Wizard)]
pub struct JsWizard {
    inner: Owned,
    shown: RefCell<Shown>,
}

/// The fields the last `state()` handed out, by key.
#[derive(Default)]
struct Shown(HashMap<String, Handed>);

/// A field handed out: its state and its frozen JS object, with the JS object of each row
/// of its value when that is a list.
struct Handed {
    state: FieldState,
    object: JsValue,
    rows: Vec<JsValue>,
}

impl Handed {
    /// A field's frozen JS object, made anew. When its value is a list, the rows equal to
    /// those the field had when `was` was handed out keep their JS objects, and so does its
    /// `list` (row names and columns) when unchanged.
    fn new(mut field: FieldState, was: Option<Handed>) -> Result<Handed, Failure> {
        let rows = match field.value.take() {
            Some(Value::Array(rows)) => rows,
            value => {
                field.value = value;
                let object = frozen(to_js(&field)?);
                return Ok(Handed { state: field, object, rows: Vec::new() });
            }
        };
        // `null` holds the value's place, so that the keys keep serde's order; `list` is the
        // last key, so leaving it out and setting it afterwards keeps the order too.
        field.value = Some(Value::Null);
        let same_list = field.list.is_some() && was.as_ref().is_some_and(|w| w.state.list == field.list);
        let list = if same_list { field.list.take() } else { None };
        let object = to_js(&field)?;
        let plain: &js_sys::Object = object.unchecked_ref();
        for inner in js_sys::Object::values(plain) {
            frozen(inner);
        }
        if let (Some(w), true) = (&was, same_list) {
            set(&object, "list", &get(&w.object, "list")?)?;
        }
        let old = was.as_ref().and_then(|w| match &w.state.value {
            Some(Value::Array(old)) => Some((old, &w.rows)),
            _ => None,
        });
        let array = js_sys::Array::new_with_length(0);
        let mut js_rows = Vec::with_capacity(rows.len());
        for (n, row) in rows.iter().enumerate() {
            let same = old.filter(|(old, _)| old.get(n) == Some(row)).and_then(|(_, js)| js.get(n));
            let js = match same {
                Some(js) => js.clone(),
                None => frozen(to_js(row)?),
            };
            array.push(&js);
            js_rows.push(js);
        }
        js_sys::Object::freeze(&array);
        set(&object, "value", &array)?;
        js_sys::Object::freeze(plain);
        field.value = Some(Value::Array(rows));
        field.list = field.list.or(list);
        Ok(Handed { state: field, object, rows: js_rows })
    }
}

impl Shown {
    /// The state as plain JS objects, reusing the object of every field equal to the one
    /// handed out last time. The result equals, as JSON, what `to_js(&state)` gives.
    fn hand_out(&mut self, mut state: WizardState) -> Result<JsValue, Failure> {
        let steps: Vec<Vec<FieldState>> =
            state.steps.iter_mut().map(|step| std::mem::take(&mut step.fields)).collect();
        // Everything but the fields, with each step's `fields` empty, in one piece.
        let out = to_js(&state)?;
        let steps_js: js_sys::Array = get(&out, "steps")?.unchecked_into();
        let mut last = std::mem::take(&mut self.0);
        for (i, fields) in (0u32..).zip(steps) {
            let list = js_sys::Array::new_with_length(0);
            for field in fields {
                let handed = match last.remove(&field.key) {
                    Some(was) if was.state == field => was,
                    was => Handed::new(field, was)?,
                };
                list.push(&handed.object);
                self.0.insert(handed.state.key.clone(), handed);
            }
            set(&steps_js.get(i), "fields", &list)?;
        }
        Ok(out)
    }
}

fn get(object: &JsValue, key: &str) -> Result<JsValue, Failure> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .map_err(|_| Failure::new("internal", format!("state: no `{key}`")))
}

fn set(object: &JsValue, key: &str, value: &JsValue) -> Result<(), Failure> {
    match js_sys::Reflect::set(object, &JsValue::from_str(key), value) {
        Ok(true) => Ok(()),
        _ => Err(Failure::new("internal", format!("state: cannot set `{key}`"))),
    }
}

/// Freezes a plain JSON object or array and everything in it.
fn frozen(value: JsValue) -> JsValue {
    if value.is_object() {
        let object: &js_sys::Object = value.unchecked_ref();
        for inner in js_sys::Object::values(object) {
            frozen(inner);
        }
        js_sys::Object::freeze(object);
    }
    value
}

#[wasm_bindgen(js_class = Wizard)]
impl JsWizard {
    /// An empty wizard on a bundle, evaluating date-dependent rules on `date` (without one,
    /// rules reading `today` cannot decide and give no warning).
    #[wasm_bindgen(constructor)]
    pub fn new(
        bundle: &JsBundle,
        #[wasm_bindgen(unchecked_param_type = "string | null | void")] date: JsValue,
    ) -> JsResult<JsWizard> {
        let date = date_opt(&date, "date")?;
        let inner = Owned::new(bundle.compiled.clone(), |b| Wizard::new(b, None, date));
        Ok(JsWizard { inner, shown: RefCell::default() })
    }

    /// A wizard starting from a prefill (`Bundle.prefill`) of `sources`: what the applicant
    /// typed, the consented sources and their documents. Values from authoritative sources
    /// are locked.
    pub fn prefilled(
        bundle: &JsBundle,
        #[wasm_bindgen(unchecked_param_type = "PrefillSources | string")] sources: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | void")] date: JsValue,
    ) -> JsResult<JsWizard> {
        let date = date_opt(&date, "date")?;
        let p: PrefillSources = from_js(&sources, "sources")?;
        let inner = Owned::new(bundle.compiled.clone(), |b| {
            let prefill = b.prefill(&p.typed, &p.consent, &p.documents, date);
            Wizard::new(b, Some(&prefill), date)
        });
        Ok(JsWizard { inner, shown: RefCell::default() })
    }

    /// Resumes a saved draft; throws `kind: "wrong_bundle"` for a draft of another bundle
    /// or version.
    pub fn resume(
        bundle: &JsBundle,
        #[wasm_bindgen(unchecked_param_type = "Draft | string")] draft: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | void")] date: JsValue,
    ) -> JsResult<JsWizard> {
        let draft: onething::Draft = from_js(&draft, "draft")?;
        let date = date_opt(&date, "date")?;
        let inner = Owned::try_new(bundle.compiled.clone(), |b| Wizard::resume(b, draft, date))
            .map_err(Failure::from)?;
        Ok(JsWizard { inner, shown: RefCell::default() })
    }

    /// Answers a field with one JSON value (`null` clears it). A value of the wrong type
    /// is the field's error in `state()`; an unknown or locked key throws.
    pub fn set(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> JsResult<()> {
        let key = string_arg(&key, "key")?;
        let value = value_from_js(&value, &key)?;
        self.inner.with_dependent_mut(|_, w| w.set(&key, value)).map_err(Failure::from)?;
        Ok(())
    }

    /// Adds a row at the end of a list (an object over its columns; `{}` for an empty row)
    /// and returns its index; throws `kind: "too_many_rows"` past the form's `maxItems`,
    /// `"not_a_list"`, `"not_a_row"`.
    #[wasm_bindgen(js_name = addRow)]
    pub fn add_row(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | void")] row: JsValue,
    ) -> JsResult<usize> {
        let key = string_arg(&key, "key")?;
        let row = if row.is_undefined() { serde_json::json!({}) } else { value_from_js(&row, &key)? };
        Ok(self.inner.with_dependent_mut(|_, w| w.add_row(&key, row)).map_err(Failure::from)?)
    }

    /// Removes a row of a list; throws `kind: "no_row"` for an index it does not have.
    #[wasm_bindgen(js_name = removeRow)]
    pub fn remove_row(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] index: JsValue,
    ) -> JsResult<()> {
        let (key, index) = (string_arg(&key, "key")?, index_arg(&index, "index")?);
        self.inner.with_dependent_mut(|_, w| w.remove_row(&key, index)).map_err(Failure::from)?;
        Ok(())
    }

    /// Moves a row of a list from one position to another.
    #[wasm_bindgen(js_name = moveRow)]
    pub fn move_row(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] to: JsValue,
    ) -> JsResult<()> {
        let key = string_arg(&key, "key")?;
        let (from, to) = (index_arg(&from, "from")?, index_arg(&to, "to")?);
        self.inner.with_dependent_mut(|_, w| w.move_row(&key, from, to)).map_err(Failure::from)?;
        Ok(())
    }

    /// Answers one column of one row of a list (`null` clears it); throws `kind:
    /// "unknown_column"` (with the nearest column) or `"no_row"`.
    #[wasm_bindgen(js_name = setCell)]
    pub fn set_cell(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] index: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] column: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> JsResult<()> {
        let (key, index) = (string_arg(&key, "key")?, index_arg(&index, "index")?);
        let column = string_arg(&column, "column")?;
        let value = value_from_js(&value, &column)?;
        self.inner
            .with_dependent_mut(|_, w| w.set_cell(&key, index, &column, value))
            .map_err(Failure::from)?;
        Ok(())
    }

    /// Clears a field.
    pub fn unset(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> JsResult<()> {
        let key = string_arg(&key, "key")?;
        self.inner.with_dependent_mut(|_, w| w.unset(&key)).map_err(Failure::from)?;
        Ok(())
    }

    /// Sets a material's status (by reuse key): `provided`, `missing`, `committed`,
    /// `shared`; `null` clears it.
    #[wasm_bindgen(js_name = setMaterial)]
    pub fn set_material(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MaterialStatus | null")] status: JsValue,
    ) -> JsResult<()> {
        let id = string_arg(&id, "id")?;
        let status: Option<MaterialStatus> = enum_arg(&status, "status")?;
        self.inner.with_dependent_mut(|_, w| w.set_material(&id, status)).map_err(Failure::from)?;
        Ok(())
    }

    /// Chooses an optional item, or drops it.
    pub fn choose(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] item: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] chosen: JsValue,
    ) -> JsResult<()> {
        let item = string_arg(&item, "item")?;
        let chosen = bool_arg(&chosen, "chosen")?;
        self.inner.with_dependent_mut(|_, w| w.choose(&item, chosen)).map_err(Failure::from)?;
        Ok(())
    }

    /// Signs a commitment (e.g. `tolerance`), or withdraws it.
    pub fn commit(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] commitment: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] signed: JsValue,
    ) -> JsResult<()> {
        let commitment = string_arg(&commitment, "commitment")?;
        let signed = bool_arg(&signed, "signed")?;
        self.inner.with_dependent_mut(|_, w| w.commit(&commitment, signed));
        Ok(())
    }

    /// Facts about the applicant from the host's registers.
    #[wasm_bindgen(js_name = setApplicant)]
    pub fn set_applicant(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Applicant | string")] applicant: JsValue,
    ) -> JsResult<()> {
        let a: onething::Applicant = from_js(&applicant, "applicant")?;
        self.inner.with_dependent_mut(|_, w| w.set_applicant(a));
        Ok(())
    }

    /// What to show now: steps, fields, applicable items, warnings, materials, progress.
    /// The field objects are frozen, and a field that has not changed since the previous
    /// call is the same object as then.
    #[wasm_bindgen(unchecked_return_type = "WizardState")]
    pub fn state(&self) -> JsResult {
        let state = self.inner.borrow_dependent().state();
        Ok(self
            .shown
            .try_borrow_mut()
            .map_err(|_| Failure::new("internal", "state: re-entered"))?
            .hand_out(state)?)
    }

    /// The answers saved with the bundle's id and version.
    #[wasm_bindgen(unchecked_return_type = "Draft")]
    pub fn save(&self) -> JsResult {
        Ok(to_js(&self.inner.borrow_dependent().save())?)
    }

    /// The submission the answers make, for `Bundle.evaluate` and `Bundle.dispatch`.
    #[wasm_bindgen(unchecked_return_type = "Submission")]
    pub fn submit(&self) -> JsResult {
        Ok(to_js(&self.inner.borrow_dependent().submit())?)
    }

    /// The current step.
    #[wasm_bindgen(getter)]
    pub fn current(&self) -> usize {
        self.inner.borrow_dependent().current()
    }

    /// Goes to a step; throws `kind: "unknown_step"` past the last.
    #[wasm_bindgen(js_name = goTo)]
    pub fn go_to(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] step: JsValue) -> JsResult<()> {
        let step = index_arg(&step, "step")?;
        self.inner.with_dependent_mut(|_, w| w.go_to(step)).map_err(Failure::from)?;
        Ok(())
    }

    /// Goes to the next visible step and returns it (`undefined` at the last).
    #[wasm_bindgen(js_name = goNext)]
    pub fn go_next(&mut self) -> Option<usize> {
        self.inner.with_dependent_mut(|_, w| w.go_next())
    }

    /// Goes to the previous visible step and returns it (`undefined` at the first).
    #[wasm_bindgen(js_name = goPrevious)]
    pub fn go_previous(&mut self) -> Option<usize> {
        self.inner.with_dependent_mut(|_, w| w.go_previous())
    }

    /// How many rules have run so far (the others were reused; for tests and profiling).
    #[wasm_bindgen(getter, js_name = rulesRun)]
    pub fn rules_run(&self) -> usize {
        self.inner.borrow_dependent().rules_run()
    }
}
