//! Shared parts of the fuzz targets in `fuzz_targets/`: the input format (parts separated by
//! NUL bytes, which JSON text never contains), references to the fixtures (`#` + a selector
//! byte + optional JSON edits, so that short inputs reach deep into real bundles), the
//! instance generator that judges merges, and the fixtures loaded once per process.
//!
//! A fuzz target signals a defect by panicking; every assertion here says what was expected,
//! what happened and on which input.

pub mod fixtures;
pub mod grammar;
pub mod instances;
pub mod parts;
