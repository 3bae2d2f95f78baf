//! What the applicant and the officials read: the process plan (并联审批), the one-time
//! notice (一次告知) and the results delivered together (一次发证) with the rating (好差评);
//! and what the bundle's authors read: their test cases run, with rule coverage (`testing`),
//! and what changes between two versions of a bundle (`diff`).

pub mod diff;
pub mod notice;
pub mod plan;
pub mod results;
pub mod testing;
