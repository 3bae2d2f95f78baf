//! The data the library reads and answers with: the bundle format, a submission, a
//! validation, a decision, a bundle's test case, and the errors of loading and compiling. Plain types with their
//! serde and JSON Schema descriptions; the logic that produces them lives in the layers
//! above.

pub mod bundle;
pub mod case;
pub mod decision;
pub mod error;
pub mod submission;
pub mod validation;
