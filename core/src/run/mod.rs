//! Running a compiled bundle on one submission: validation, the decision (evaluate),
//! dispatch to every department, prefill from data sources and the single-form wizard.
//! Everything here reads a [`CompiledBundle`](crate::compile::CompiledBundle) and never
//! changes it.

pub mod dispatch;
pub mod evaluate;
mod messages;
mod obligations;
pub mod prefill;
pub mod validate;
pub mod wizard;
