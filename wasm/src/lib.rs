//! # onething-wasm
//!
//! The WebAssembly face of [`onething`]: a thin `wasm-bindgen` facade, with no domain logic
//! of its own, for browsers and Node. The npm package in `bindings/js` is built from it
//! (`bindings/js/scripts/build.mjs`).
//!
//! It exports:
//!
//! * [`JsBundle`] (`Bundle` in JS) — a compiled bundle, built once from the packed bundle
//!   (`onething pack`), as JSON text or as an object, or from a bundle directory's files
//!   (`Bundle.fromFiles`): `packed`, `warnings`, `form`, `formFor`, `validate`,
//!   `prefill`, `evaluate`, `dispatch`, `notice`, `noticeFor`, `renderNotice`,
//!   `renderNoticeFor`, `plan`, `planFor`, `renderPlan`, `renderPlanFor`, `results`,
//!   `checkRating`, `test` (the bundle's own cases, `onething test`; feature `test-cases`);
//! * [`JsWizard`] (`Wizard` in JS) — the headless wizard, whose state stays inside WASM so
//!   that a keystroke crosses the boundary with one value;
//! * [`merge`] — the exact conjunction of plain JSON Schemas;
//! * `diff` — what changes between two versions of a bundle (`onething diff`; feature
//!   `diff`).
//!
//! The authoring tools `test` and `diff` are default features: the browser build of the npm
//! package leaves them out to stay under its size ceiling, the Node build has them.
//!
//! Inputs are JSON text or plain JS values, outputs plain JS objects ([`codec`]). Every
//! failure is a thrown JS `Error` with `kind`, and `path`, `line`, `column` where known
//! ([`error`]). No input may panic: on `wasm32-unknown-unknown` a panic is a trap that
//! leaves the instance unusable, and stable Rust cannot catch it there. The core is written
//! not to panic (clippy denies `unwrap`, `expect`, `panic` and indexing); the facade adds
//! only size limits, and `bindings/js/test/garbage.test.mjs` throws garbage at every export.
//!
//! Dates are always parameters: nothing here reads a clock.

use std::collections::BTreeMap;
use std::rc::Rc;

use indexmap::IndexMap;
use onething::{CompiledBundle, Date, Lang, Submission};
use serde::Deserialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

pub mod codec;
pub mod error;
mod wizard;

pub use wizard::JsWizard;

use codec::{from_js, from_js_opt, opt_string_arg, string_arg, to_js};
use error::{Failure, bad_date};

/// What a call returns to JS: a value, or a thrown `Error`.
type JsResult<T = JsValue> = Result<T, JsValue>;

/// Installs the panic hook when the module is instantiated.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        // Should the impossible happen, say what and where before the trap; the instance
        // must then be dropped (see the module documentation).
        console_error(&format!("onething-wasm: panic (the instance is unusable now): {info}"));
    }));
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

#[wasm_bindgen(typescript_custom_section)]
const TS_INPUTS: &'static str = r#"
/** Data for a prefill (表单预填): what the applicant typed, the data sources they consented
 * to, and the documents the host holds for those sources, by source id. */
export interface PrefillSources {
  typed?: Record<string, unknown>;
  consent?: string[];
  documents?: Record<string, unknown>;
}
/** Options of `evaluate`: `trace: false` leaves the decision's trace out; `calendars`
 * adds official working-day calendars (a new year's arrangement) to the built-in one, in
 * order, each touching or overlapping the years before (a refused one throws with
 * `kind: "calendar"` and `path` `options.calendars[i]` + the JSON Pointer in it). */
export interface EvaluateOptions {
  trace?: boolean;
  calendars?: Calendar[];
}
/** Options of `test`: `date` (`YYYY-MM-DD`) decides the cases without their own date
 * (else `fixture.json`'s `evaluation_date` among the case files; one of them is needed);
 * `coverage: true` adds which rules the cases made true, false, or fail. */
export interface TestOptions {
  date?: string;
  coverage?: boolean;
}
/** The result of `merge`: one schema, and optional places that can never hold a value. */
export interface MergeResult {
  schema: Record<string, unknown>;
  notes: Record<string, unknown>[];
}
"#;

/// The options `evaluate` takes from JS.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct EvaluateOptions {
    trace: bool,
    calendars: Vec<serde_json::Value>,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions { trace: true, calendars: Vec::new() }
    }
}

impl EvaluateOptions {
    /// The core's options: the built-in calendar extended by each given one, in order.
    fn native(&self) -> Result<onething::EvalOptions, Failure> {
        let mut opts = onething::EvalOptions { trace: self.trace, ..Default::default() };
        for (i, value) in self.calendars.iter().enumerate() {
            let fail = |e: onething::calendar::CalendarError| {
                let at = format!("options.calendars[{i}]{}", e.pointer().unwrap_or_default());
                Failure::new("calendar", format!("options.calendars[{i}]: {e}")).at(at)
            };
            let cal = onething::Calendar::from_value(value).map_err(fail)?;
            opts.calendar = std::sync::Arc::new(opts.calendar.extended(&cal).map_err(fail)?);
        }
        Ok(opts)
    }
}

/// The options `test` takes from JS.
#[cfg(feature = "test-cases")]
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct TestOptions {
    date: Option<String>,
    coverage: bool,
}

/// Parses an optional date argument (`YYYY-MM-DD`; `undefined` and `null` are none).
fn date_opt(date: &JsValue, what: &str) -> Result<Option<Date>, Failure> {
    opt_string_arg(date, what)?.map(|d| d.parse::<Date>().map_err(|e| bad_date(what, &d, e))).transpose()
}

/// Parses a required date argument.
fn date_req(date: &JsValue, what: &str) -> Result<Date, Failure> {
    let d = string_arg(date, what)?;
    d.parse::<Date>().map_err(|e| bad_date(what, &d, e))
}

/// Parses a language argument (`zh` or `en`).
fn lang(text: &JsValue) -> Result<Lang, Failure> {
    match string_arg(text, "lang")?.as_str() {
        "zh" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        other => Err(Failure::new("input", format!("lang: `{other}` is neither `zh` nor `en`"))),
    }
}

/// The `{typed, consent, documents}` of a prefill.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrefillSources {
    #[serde(default)]
    pub typed: Map<String, Value>,
    #[serde(default)]
    pub consent: Vec<String>,
    #[serde(default)]
    pub documents: IndexMap<String, Value>,
}

/// A compiled bundle (`Bundle` in JS): compiled once, used for every submission.
#[wasm_bindgen(js_name = Bundle)]
pub struct JsBundle {
    pub(crate) compiled: Rc<CompiledBundle>,
}

#[wasm_bindgen(js_class = Bundle)]
impl JsBundle {
    /// Compiles a packed bundle (`onething pack`), given as JSON text or as an object.
    /// Throws every problem at once (`kind: "compile"`, `details.problems`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "PackedBundle | string")] packed: JsValue,
    ) -> JsResult<JsBundle> {
        let bundle = if packed.is_string() {
            // Text goes to the loader as it is, so syntax errors have their line and column.
            onething::load::from_packed_str(&codec::text_of(&packed, "bundle")?)
        } else {
            onething::load::from_packed_value(from_js(&packed, "bundle")?)
        };
        let bundle = bundle.map_err(Failure::from)?;
        let compiled = CompiledBundle::compile(bundle).map_err(Failure::from)?;
        Ok(JsBundle { compiled: Rc::new(compiled) })
    }

    /// Compiles a bundle directory held in memory: file names (`bundle.json`,
    /// `seal.schema.json`, `rules/x.rhai`) to their text, read as `onething pack` reads the
    /// directory. A failure names its `file` (and `line`, `column` in it where known),
    /// including a failing rule script's file in a compile error.
    #[wasm_bindgen(js_name = fromFiles)]
    pub fn from_files(
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] files: JsValue,
    ) -> JsResult<JsBundle> {
        let files: BTreeMap<String, String> = from_js(&files, "files")?;
        let bundle = onething::load::load_files(&files).map_err(|e| {
            let file = e.path().to_owned();
            Failure::from(e).in_file(Some(&file))
        })?;
        let compiled = CompiledBundle::compile(bundle).map_err(Failure::from)?;
        Ok(JsBundle { compiled: Rc::new(compiled) })
    }

    /// The bundle in its packed form, every schema and script inline (what `onething pack`
    /// writes).
    #[wasm_bindgen(unchecked_return_type = "PackedBundle")]
    pub fn packed(&self) -> JsResult {
        Ok(to_js(self.compiled.bundle())?)
    }

    /// The bundle's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.compiled.bundle().id.clone()
    }

    /// The bundle's version.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.compiled.bundle().version.clone()
    }

    /// The compile warnings: things worth fixing that do not stop the bundle from working
    /// (a field dictionary entry no item declares, one material titled two ways…), for the
    /// bundle's author. Empty for a clean bundle.
    #[wasm_bindgen(unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> JsResult {
        Ok(to_js(self.compiled.warnings())?)
    }

    /// The merged form: one JSON Schema with provenance.
    #[wasm_bindgen(unchecked_return_type = "Record<string, unknown>")]
    pub fn form(&self) -> JsResult {
        Ok(to_js(self.compiled.form())?)
    }

    /// The effective form when just these items apply.
    #[wasm_bindgen(js_name = formFor, unchecked_return_type = "Record<string, unknown>")]
    pub fn form_for(&self, #[wasm_bindgen(unchecked_param_type = "string[]")] items: JsValue) -> JsResult {
        let items: Vec<String> = from_js(&items, "items")?;
        let ids: Vec<&str> = items.iter().map(String::as_str).collect();
        Ok(to_js(&self.compiled.form_for(&ids).map_err(Failure::from)?)?)
    }

    /// Validates a submission: every error, bilingual. Date-dependent checks use `date`.
    #[wasm_bindgen(unchecked_return_type = "Validation")]
    pub fn validate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | void")] date: JsValue,
    ) -> JsResult {
        let s: Submission = from_js(&submission, "submission")?;
        let v = self.compiled.validate_with(&s, date_opt(&date, "date")?, &onething::EvalOptions::default());
        Ok(to_js(&v)?)
    }

    /// Prefills from what the applicant typed and the consented sources' documents; derive
    /// rules see `date` as `today`.
    #[wasm_bindgen(unchecked_return_type = "Prefill")]
    pub fn prefill(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PrefillSources | string")] sources: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | void")] date: JsValue,
    ) -> JsResult {
        let p: PrefillSources = from_js(&sources, "sources")?;
        let date = date_opt(&date, "date")?;
        Ok(to_js(&self.compiled.prefill(&p.typed, &p.consent, &p.documents, date))?)
    }

    /// Decides on a submission on `date`: outcomes, every deficiency, the trace.
    /// `options.trace: false` leaves the trace out (everything else is the same).
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] date: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EvaluateOptions | null | void")] options: JsValue,
    ) -> JsResult {
        let s: Submission = from_js(&submission, "submission")?;
        let date = date_req(&date, "date")?;
        let options: EvaluateOptions = from_js_opt(&options, "options")?.unwrap_or_default();
        let opts = options.native()?;
        Ok(to_js(&self.compiled.evaluate_with(&s, date, &opts))?)
    }

    /// One payload per department; throws (`kind: "invalid"`, `details.validation`) when the
    /// submission does not validate.
    #[wasm_bindgen(unchecked_return_type = "Dispatch")]
    pub fn dispatch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | void")] date: JsValue,
    ) -> JsResult {
        let s: Submission = from_js(&submission, "submission")?;
        let d = self.compiled.dispatch_with(&s, date_opt(&date, "date")?, &onething::EvalOptions::default());
        Ok(to_js(&d.map_err(Failure::from)?)?)
    }

    /// The one-time notice (一次告知) of the whole bundle.
    #[wasm_bindgen(unchecked_return_type = "Notice")]
    pub fn notice(&self) -> JsResult {
        Ok(to_js(&self.compiled.notice())?)
    }

    /// The notice for one applicant on `date`: only the items that apply to them and the
    /// materials they still owe.
    #[wasm_bindgen(js_name = noticeFor, unchecked_return_type = "Notice")]
    pub fn notice_for(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] date: JsValue,
    ) -> JsResult {
        Ok(to_js(&self.notice_of(Some(&submission), Some(&date))?)?)
    }

    /// The notice rendered: `format` is `markdown` (or `md`, as the command line spells it)
    /// or `html` (a self-contained page), `lang` `zh` or `en`.
    #[wasm_bindgen(js_name = renderNotice)]
    pub fn render_notice(
        &self,
        #[wasm_bindgen(unchecked_param_type = "'markdown' | 'md' | 'html'")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "'zh' | 'en'")] lang: JsValue,
    ) -> JsResult<String> {
        Ok(render_notice(&self.notice_of(None, None)?, &format, &lang)?)
    }

    /// The applicant's notice (`noticeFor`) rendered.
    #[wasm_bindgen(js_name = renderNoticeFor)]
    pub fn render_notice_for(
        &self,
        #[wasm_bindgen(unchecked_param_type = "'markdown' | 'md' | 'html'")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "'zh' | 'en'")] lang: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] date: JsValue,
    ) -> JsResult<String> {
        Ok(render_notice(&self.notice_of(Some(&submission), Some(&date))?, &format, &lang)?)
    }

    /// The process plan (并联审批): stages, critical path, per-department work.
    #[wasm_bindgen(unchecked_return_type = "Plan")]
    pub fn plan(&self) -> JsResult {
        Ok(to_js(&self.compiled.plan())?)
    }

    /// The plan of just these items.
    #[wasm_bindgen(js_name = planFor, unchecked_return_type = "Plan")]
    pub fn plan_for(&self, #[wasm_bindgen(unchecked_param_type = "string[]")] items: JsValue) -> JsResult {
        Ok(to_js(&self.plan_of(Some(&items))?)?)
    }

    /// The plan rendered: `format` is `mermaid` or `dot`, `lang` `zh` or `en`.
    #[wasm_bindgen(js_name = renderPlan)]
    pub fn render_plan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "'mermaid' | 'dot'")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "'zh' | 'en'")] lang: JsValue,
    ) -> JsResult<String> {
        Ok(render_plan(&self.plan_of(None)?, &format, &lang)?)
    }

    /// The plan of just these items, rendered.
    #[wasm_bindgen(js_name = renderPlanFor)]
    pub fn render_plan_for(
        &self,
        #[wasm_bindgen(unchecked_param_type = "'mermaid' | 'dot'")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "'zh' | 'en'")] lang: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] items: JsValue,
    ) -> JsResult<String> {
        Ok(render_plan(&self.plan_of(Some(&items))?, &format, &lang)?)
    }

    /// The departments' reports aggregated (一次发证): the application's state and the single
    /// delivery list; throws every problem of the reports at once (`kind: "results"`).
    #[wasm_bindgen(unchecked_return_type = "Results")]
    pub fn results(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Reports | string")] reports: JsValue,
    ) -> JsResult {
        let r = if reports.is_string() {
            onething::Reports::from_json(&codec::text_of(&reports, "reports")?)
        } else {
            onething::Reports::from_value(from_js(&reports, "reports")?)
        };
        Ok(to_js(&self.compiled.results(&r.map_err(Failure::from)?).map_err(Failure::from)?)?)
    }

    /// Runs the bundle's own cases, as `onething test DIR --json` does: `cases` maps a
    /// path in the bundle directory to its text — `decisions/<outcome>--<what>.json`,
    /// `tests/…`, and optionally `fixture.json` with the dates. Every problem of the case
    /// files (not JSON, not a case, an expectation naming what the bundle lacks) throws at
    /// once (`kind: "cases"`, `details.errors`); a failing case does not throw, the report
    /// says it.
    #[cfg(feature = "test-cases")]
    #[wasm_bindgen(unchecked_return_type = "TestReport")]
    pub fn test(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] cases: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TestOptions | null | void")] options: JsValue,
    ) -> JsResult {
        let files: BTreeMap<String, String> = from_js(&cases, "cases")?;
        let options: TestOptions = from_js_opt(&options, "options")?.unwrap_or_default();
        let date = options
            .date
            .map(|d| d.parse::<Date>().map_err(|e| bad_date("options.date", &d, e)))
            .transpose()?;
        let cases = onething::load::cases::cases_from_files(&files).map_err(|e| error::cases(&e))?;
        let date = date.or(cases.date).ok_or_else(|| {
            Failure::new(
                "input",
                "options.date: no date given, and no `fixture.json` with an `evaluation_date`",
            )
            .at("options.date")
        })?;
        let report = self
            .compiled
            .test_cases(&cases.cases, date, &onething::EvalOptions::default(), options.coverage)
            .map_err(|e| error::cases(&e))?;
        Ok(to_js(&report)?)
    }

    /// Checks a rating (好差评) of this bundle; throws its problems (`kind: "results"`).
    #[wasm_bindgen(js_name = checkRating)]
    pub fn check_rating(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Rating | string")] rating: JsValue,
    ) -> JsResult<()> {
        let r: onething::Rating = from_js(&rating, "rating")?;
        self.compiled.check_rating(&r).map_err(Failure::from)?;
        Ok(())
    }
}

impl JsBundle {
    fn notice_of(
        &self,
        submission: Option<&JsValue>,
        date: Option<&JsValue>,
    ) -> Result<onething::Notice, Failure> {
        match (submission, date) {
            (Some(s), Some(d)) => {
                let s: Submission = from_js(s, "submission")?;
                Ok(self.compiled.notice_for(&s, date_req(d, "date")?))
            }
            _ => Ok(self.compiled.notice()),
        }
    }

    fn plan_of(&self, items: Option<&JsValue>) -> Result<onething::Plan, Failure> {
        match items {
            None => Ok(self.compiled.plan()),
            Some(items) => {
                let items: Vec<String> = from_js(items, "items")?;
                let ids: Vec<&str> = items.iter().map(String::as_str).collect();
                self.compiled.plan_for(&ids).map_err(Failure::from)
            }
        }
    }
}

fn render_notice(notice: &onething::Notice, format: &JsValue, lang_: &JsValue) -> Result<String, Failure> {
    let l = lang(lang_)?;
    match string_arg(format, "format")?.as_str() {
        // Both spellings, so that the command line's `--format md` works here too.
        "markdown" | "md" => Ok(notice.to_markdown(l)),
        "html" => Ok(notice.to_html(l)),
        other => {
            Err(Failure::new("input", format!("format: `{other}` is neither `markdown` (`md`) nor `html`")))
        }
    }
}

fn render_plan(plan: &onething::Plan, format: &JsValue, lang_: &JsValue) -> Result<String, Failure> {
    let l = lang(lang_)?;
    match string_arg(format, "format")?.as_str() {
        "mermaid" => Ok(plan.to_mermaid(l)),
        "dot" => Ok(plan.to_dot(l)),
        other => Err(Failure::new("input", format!("format: `{other}` is neither `mermaid` nor `dot`"))),
    }
}

/// Merges plain JSON Schemas (draft 2020-12; objects or JSON text) into one that accepts
/// exactly what all of them accept. Throws `kind: "conflict"` (with `details`, naming every
/// side) when they contradict each other, `kind: "invalid_schema"` for an unusable schema.
#[wasm_bindgen(unchecked_return_type = "MergeResult")]
pub fn merge(
    #[wasm_bindgen(unchecked_param_type = "(Record<string, unknown> | boolean | string)[]")] schemas: JsValue,
    provenance: Option<bool>,
) -> JsResult {
    use onething::schema::MergeOptions;
    if !js_sys::Array::is_array(&schemas) {
        return Err(Failure::new("input", "schemas: expected an array of JSON Schemas").into());
    }
    let list: js_sys::Array = schemas.unchecked_into();
    let mut docs = Vec::new();
    for (i, s) in list.iter().enumerate() {
        // Named as `onething merge` names files, by position: `schema 1`, `schema 2`…
        let name = format!("schema {}", i + 1);
        let value: Value = from_js(&s, &name)?;
        docs.push((name, value));
    }
    let out = onething::schema::merge_values(&docs, MergeOptions { provenance: provenance.unwrap_or(false) })
        .map_err(Failure::from)?;
    Ok(to_js(&serde_json::json!({ "schema": out.schema, "notes": out.notes }))?)
}

/// What changes from `old` to `new`, two versions of one bundle (`onething diff --json`): for
/// each department, for the applicant, for the rules, and whether a draft of `old` can
/// resume in `new`. Throws `kind: "different_bundles"` when their ids differ.
#[cfg(feature = "diff")]
#[wasm_bindgen(unchecked_return_type = "BundleDiff")]
pub fn diff(old: &JsBundle, new: &JsBundle) -> JsResult {
    Ok(to_js(&onething::diff::diff(&old.compiled, &new.compiled).map_err(Failure::from)?)?)
}
