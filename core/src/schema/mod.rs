//! JSON Schema documents and their exact conjunction.
//!
//! * [`Document`] — one checked draft 2020-12 schema;
//! * [`merge`] — the conjunction of whole documents; [`merge_values`] checks JSON values
//!   as documents first (what `onething merge` and the package's `merge()` do);
//! * [`Merger`] — the same, location by location, used to build a bundle's merged form;
//! * [`validator_options`] — `jsonschema` options with this crate's formats, asserting;
//! * [`leaking_cycle`] — the recursive shapes [`compile`] refuses because `jsonschema` leaks on them.

mod conjoin;
mod cycles;
mod document;
mod error;
mod keywords;
mod kinds;
mod origin;
mod validator;

pub use conjoin::{
    MergeError, MergeOptions, MergeOutput, Merged, Merger, Reason, Unsat, merge, merge_values,
    provenance_value,
};
pub use cycles::{LeakingCycle, leaking_cycle};
pub use document::{Document, Expanded, MAX_DEPTH, MAX_PARTS, Part, strip_annotations};
pub use error::SchemaError;
pub use keywords::{DIALECT, is_known, is_validation_keyword};
pub use kinds::{Kinds, json_equal};
pub use origin::{Origin, Side};
pub use validator::{compile, validator_options};
pub(crate) use validator::{precheck, sharing_patterns};
