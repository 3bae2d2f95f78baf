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

pub mod bundle;
pub mod calendar;
pub mod compile;
pub mod date;
pub mod decision;
pub mod dispatch;
pub mod error;
pub mod evaluate;
pub mod form;
pub mod formats;
mod json;
pub mod load;
mod messages;
pub mod notice;
pub mod plan;
pub mod pointer;
pub mod prefill;
pub mod project;
pub mod results;
mod rulebook;
pub mod rules;
pub mod schema;
pub mod schemas;
pub mod submission;
mod suggest;
pub mod text;
pub mod transform;
pub mod translate;
pub mod validate;
pub mod wizard;

pub use bundle::Bundle;
pub use calendar::Calendar;
pub use compile::CompiledBundle;
pub use date::Date;
pub use decision::{Decision, Outcome};
pub use dispatch::{Dispatch, DispatchError};
pub use error::{CompileError, LoadError, Problem, Warning};
pub use evaluate::EvalOptions;
pub use notice::Notice;
pub use plan::Plan;
pub use results::{Rating, Reports, Results, ResultsError};
pub use submission::{Applicant, MaterialStatus, Submission, TOLERANCE_COMMITMENT};
pub use text::{Lang, Text};
pub use validate::{FieldError, Validation};
pub use wizard::{Draft, Wizard, WizardError, WizardState};

/// An item id the bundle does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown item `{0}`")]
pub struct UnknownItem(pub String);
