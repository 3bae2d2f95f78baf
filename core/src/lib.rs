//! # onething
//!
//! One application for many departments — the "办好一件事" reform ("get one thing done,
//! once"). A citizen opening a restaurant reads one notice, fills one form and hands in one
//! set of materials; every department is served from that one submission.
//!
//! This crate holds the whole logic; the CLI, the WebAssembly build and the JavaScript
//! package are thin faces over it.
//!
//! * [`schema`] — exact conjunction of JSON Schemas with provenance (`onething merge`).
//! * [`formats`] — Chinese identifiers: ID numbers, credit codes, mobiles, postal codes.
//! * [`Date`] — civil dates (the evaluation date is always an input).

pub mod date;
pub mod formats;
pub mod pointer;
pub mod schema;
pub mod text;

pub use date::Date;
pub use text::{Lang, Text};
