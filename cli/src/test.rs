//! `onething test DIR`: runs a bundle's own cases and, with `--coverage`, says which rules
//! they exercised.
//!
//! A thin face over the core: the cases are read by `onething::load::cases`, each is
//! decided and compared by `CompiledBundle::run_case`, coverage is
//! `onething::testing::Coverage`. What is here: the bundle compiled once, the cases run in
//! parallel (rayon, as `batch` does; the compiled bundle is `Sync`), and the report printed
//! (one line per case, a readable diff of each failure, `N passed, M failed`), as JSON, or
//! as JUnit XML for CI systems.

use std::path::{Path, PathBuf};

use onething::case::Case;
use onething::decision::RuleKind;
use onething::load::cases::load_cases;
use onething::testing::{CaseRun, Coverage, RuleCoverage, TestReport};
use onething::{CompiledBundle, LoadError};
use rayon::prelude::*;
use serde_json::json;

use crate::out::{Out, errln, outln};
use crate::{Exit, When, compile};

/// What `onething test` was asked.
pub(crate) struct TestArgs<'a> {
    /// The bundle directory.
    pub dir: &'a Path,
    /// `--date`, `--calendar`.
    pub when: &'a When,
    /// `--json`.
    pub json: bool,
    /// `--junit FILE`.
    pub junit: Option<&'a PathBuf>,
    /// `--coverage`.
    pub coverage: bool,
}

/// Runs the cases: exit 0 when every case passes, 1 when one fails (or the bundle does not
/// compile), 2 on bad input (a case file that is no case, an expectation naming what the
/// bundle does not have, no cases at all).
pub(crate) fn test(out: &mut Out, args: &TestArgs<'_>) -> Exit {
    let TestArgs { dir, when, json, .. } = *args;
    if !dir.is_dir() {
        return bad_input(
            out,
            json,
            &[LoadError::Io {
                path: dir.display().to_string(),
                message: "not a directory: `onething test` runs the cases of a bundle directory".into(),
            }],
        );
    }
    let (date, mut opts) = match when.resolve() {
        Ok(x) => x,
        Err(message) => {
            errln!("error: {message}");
            return Exit(2);
        }
    };
    let compiled = match compile(out, dir, json) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let cases = match load_cases(dir) {
        Ok(c) => c,
        Err(errors) => return bad_input(out, json, &errors),
    };
    let unknown: Vec<LoadError> =
        cases.cases.iter().flat_map(|c| c.unknown_references(compiled.bundle())).collect();
    if !unknown.is_empty() {
        return bad_input(out, json, &unknown);
    }
    // `--date` first, then `fixture.json`'s date, then today; a case's own date wins over all.
    let date = if when.date.is_some() { date } else { cases.date.unwrap_or(date) };
    // Only coverage reads the trace.
    opts.trace = args.coverage;
    let runs: Vec<CaseRun> = cases.cases.par_iter().map(|c| compiled.run_case(c, date, &opts)).collect();
    let coverage = args.coverage.then(|| Coverage::of(&compiled, cases.cases.iter().zip(&runs), &opts));
    let report = TestReport::new(&compiled, runs.into_iter().map(|r| r.result).collect(), coverage);
    if let Some(file) = args.junit {
        if let Err(e) = std::fs::write(file, report.to_junit()) {
            errln!("error: {}: {e}", file.display());
            return Exit(2);
        }
    }
    if json {
        out.json(&report);
    } else {
        print(out, &compiled, &cases.cases, &report);
    }
    Exit(if report.failed == 0 { 0 } else { 1 })
}

/// Bad input: each error on its line (or `{"errors": […]}` with `--json`), exit 2.
fn bad_input(out: &mut Out, json: bool, errors: &[LoadError]) -> Exit {
    if json {
        out.json(&json!({ "errors": errors }));
    } else {
        for e in errors {
            errln!("error: {e}");
        }
    }
    Exit(2)
}

/// The readable report.
fn print(out: &mut Out, compiled: &CompiledBundle, cases: &[Case], report: &TestReport) {
    let b = compiled.bundle();
    outln!(out, "{} v{}: {} cases", b.id, b.version, cases.len());
    for case in &report.cases {
        let mark = if case.passed { "pass" } else { "FAIL" };
        outln!(out, "{mark}  {} ({})", case.name, case.date);
        for m in &case.mismatches {
            outln!(out, "        {m}");
        }
    }
    outln!(out, "{} passed, {} failed", report.passed, report.failed);
    if let Some(c) = &report.coverage {
        outln!(
            out,
            "rule coverage: {:.1} % ({} of {} ways true/false taken); {} of {} rules never ran",
            c.percent,
            c.covered,
            c.total,
            c.never_ran,
            c.rules.len()
        );
        for r in &c.rules {
            // `derive `key`` and `field `key`, visible_if` name their rule already.
            let id = format!("`{}`", r.rule);
            let rule = if r.at.contains(&id) || r.kind == RuleKind::VisibleIf {
                String::new()
            } else {
                format!(" {id}")
            };
            outln!(out, "  {:<11} {}{rule}: {}", status(r), r.at, counts(r));
        }
    }
}

/// A rule's coverage in a word.
fn status(r: &RuleCoverage) -> &'static str {
    match (r.never_ran(), r.full(), r.made_true > 0) {
        (true, ..) => "never ran",
        (false, true, _) => "full",
        (false, false, true) => "never false",
        (false, false, false) if r.made_false > 0 => "never true",
        (false, false, false) => "only error",
    }
}

/// A rule's counts: `true 3, false 1, error 0 (first: tests/x)`.
fn counts(r: &RuleCoverage) -> String {
    let mut s = format!("true {}, false {}, error {}", r.made_true, r.made_false, r.errors);
    if let Some(first) = &r.first_error {
        s += &format!(" (first: {first})");
    }
    s
}
