//! # onething
//!
//! One application for many departments — the "办好一件事" reform ("get one thing done,
//! once"). A citizen opening a restaurant reads one notice, fills one form and hands in one
//! set of materials; every department is served from that one submission.
//!
//! This crate holds the whole logic; the CLI, the WebAssembly build and the JavaScript
//! package are thin faces over it. The flow of data goes one way:
//!
//! ```text
//! bundle (dir or packed JSON) ─▶ load ─▶ CompiledBundle::compile ─▶ form(), form_for()
//!                        submission ─────────────────────────────▶ validate()
//!                        submission + date ──────────────────────▶ evaluate()
//!                        valid submission ───────────────────────▶ dispatch()
//! ```
//!
//! ```
//! use onething::{load, CompiledBundle, Submission};
//!
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/restaurant-opening");
//! let bundle = load::load_dir(&dir)?;
//! let compiled = CompiledBundle::compile(bundle)?;
//! let form = compiled.form(); // one JSON Schema for every department's form
//! assert!(form["properties"].as_object().unwrap().len() > 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules, from the ground up:
//!
//! * [`schema`] — exact conjunction of JSON Schemas with provenance (`onething merge`).
//! * [`bundle`], [`load`] — the bundle format and its two forms (directory, packed).
//! * [`translate`], [`form`] — department forms rewritten over canonical keys, then merged.
//! * [`transform`], [`project`] — value transforms and the department's view of a submission.
//! * [`validate`], [`dispatch`] — checking one submission, and splitting it per department.
//! * [`rules`] — the sandboxed Rhai engine.
//! * [`formats`], [`date`] — Chinese identifiers and civil dates.
//! * [`wizard`] — the headless step-by-step wizard over the merged form.
//! * [`notice`], [`plan`], [`results`] — the one-time notice (一次告知), the process plan
//!   (并联审批) and results delivered together (一次发证), with the rating (好差评).

mod base;
mod compile;
pub mod load;
mod model;
mod report;
pub mod rules;
mod run;
pub mod schema;
pub mod schemas;

pub use base::{calendar, date, formats, pointer, text};
pub use compile::{form, project, transform, translate};
pub use model::{bundle, decision, error, submission};
pub use report::{notice, plan, results};
pub use run::{dispatch, evaluate, prefill, validate, wizard};

pub use base::calendar::Calendar;
pub use base::date::Date;
pub use base::text::{Lang, Text};
pub use compile::CompiledBundle;
pub use model::bundle::Bundle;
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
