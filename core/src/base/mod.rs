//! The ground floor: civil dates and the working-day calendar, JSON Pointers, Chinese
//! identifier formats, bilingual text, decimal rounding, "did you mean" suggestions and
//! strict JSON parsing.
//! Nothing here knows about bundles, schemas or rules.

pub mod calendar;
pub mod date;
pub mod formats;
pub(crate) mod json;
pub mod pointer;
pub mod rounding;
pub mod statutory;
pub(crate) mod suggest;
pub mod text;
