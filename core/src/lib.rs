//! # onething
//!
//! One application for many departments — the "办好一件事" reform ("get one thing done,
//! once"). A citizen opening a restaurant reads one notice, fills one form and hands in one
//! set of materials; every department is served from that one submission.
//!
//! This crate holds the whole logic; the CLI, the WebAssembly build and the JavaScript
//! package are thin faces over it. A backend uses it in five lines: load a bundle, compile
//! it once, then for each application validate, decide and dispatch.
//!
//! ```
//! use onething::{load, CompiledBundle, Date, Submission};
//!
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/restaurant-opening");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?; // once, at start-up
//! let form = compiled.form(); // one JSON Schema for every department's form
//! assert!(form["properties"].as_object().unwrap().len() > 5);
//!
//! let s = Submission::from_json(r#"{"values": {"business.area_sqm": 30}}"#)?;
//! let validation = compiled.validate(&s); // every error at once, bilingual
//! let decision = compiled.evaluate(&s, "2026-12-07".parse::<Date>()?); // 受理 / 容缺受理 / …
//! assert!(!validation.valid && !decision.deficiencies.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The flow of data goes one way:
//!
//! ```text
//! bundle (dir or packed JSON) ─▶ load ─▶ CompiledBundle::compile ─▶ form(), form_for(), plan(), notice()
//!                        submission ─────────────────────────────▶ validate()
//!                        submission + date ──────────────────────▶ evaluate(), notice_for()
//!                        valid submission ───────────────────────▶ dispatch()
//!                        typed values + data sources ────────────▶ prefill()
//!                        departments' reports ───────────────────▶ results()
//! ```
//!
//! # What to read first
//!
//! * [`CompiledBundle`] — every operation on a bundle: [`form`](CompiledBundle::form),
//!   [`validate`](CompiledBundle::validate), [`evaluate`](CompiledBundle::evaluate) (a
//!   [`Decision`] with its [`Outcome`]), [`dispatch`](CompiledBundle::dispatch) (a
//!   [`Dispatch`]), [`prefill`](CompiledBundle::prefill), [`plan`](CompiledBundle::plan),
//!   [`notice`](CompiledBundle::notice) / [`notice_for`](CompiledBundle::notice_for) (a
//!   [`Notice`]), [`results`](CompiledBundle::results).
//! * [`load`] — a bundle from a directory, from files in memory or packed JSON; [`Bundle`]
//!   and the [`bundle`] module describe the format.
//! * [`Submission`] — what one applicant hands in; [`Validation`], [`FieldError`].
//! * [`Wizard`] — the headless single-form wizard over a compiled bundle.
//! * [`rules`] — what bundle rules (Rhai scripts) see and call, and the [`rules::Sandbox`].
//! * [`schema`] — the exact conjunction of JSON Schemas behind the merged form (`onething
//!   merge`), usable on its own.
//! * [`formats`], [`Date`], [`Calendar`] — Chinese identifiers, civil dates, working days.
//! * [`schemas`] — the JSON Schemas of every format above.
//!
//! Errors are values: [`LoadError`] and [`CompileError`] (every [`Problem`] at once, with its
//! place), [`DispatchError`], [`WizardError`], [`ResultsError`]. No input makes the library
//! panic, and it never reads the clock: the evaluation date is a parameter.
//!
//! ARCHITECTURE.md in the repository describes the layers inside (`base`, `schema`,
//! `rules`, `model`, `load`, `compile`, `run`, `report`) and the invariants each keeps.

mod base;
mod compile;
pub mod load;
mod model;
mod report;
pub mod rules;
mod run;
pub mod schema;
pub mod schemas;

pub use base::{calendar, date, formats, pointer, rounding, statutory};
pub use model::{bundle, case, decision, error, submission};
pub use report::{diff, notice, plan, results, testing};
pub use run::{dispatch, prefill, validate, wizard};

pub use base::calendar::Calendar;
pub use base::date::Date;
pub use base::text::{Lang, Text};
pub use compile::CompiledBundle;
pub use model::bundle::DEFAULT_SUPPLEMENT_DAYS;
pub use model::bundle::{BUNDLE_FORMAT_VERSION, Bundle};
pub use model::decision::{Decision, Outcome};
pub use model::error::{CompileError, FormError, LoadError, Problem, UnknownItem, Warning};
pub use model::submission::{Applicant, MaterialStatus, Submission, TOLERANCE_COMMITMENT};
pub use model::validation::{FieldError, Validation};
pub use report::notice::Notice;
pub use report::plan::Plan;
pub use report::results::{Rating, Reports, Results, ResultsError};
pub use run::dispatch::{Dispatch, DispatchError};
pub use run::evaluate::EvalOptions;
pub use run::wizard::{Draft, Wizard, WizardError, WizardState};

/// The README's Rust examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
