//! `onething diff OLD NEW`: what changes between two versions of one bundle, for each
//! department, for the applicant, for the rules, and for drafts in progress.
//!
//! A thin face over `onething::diff`: both bundles are read (directories or packed files)
//! and compiled, and the report is printed, or given as JSON.

use std::path::Path;

use onething::diff::{BundleDiff, Direction, RuleChangeKind, diff};
use serde_json::json;

use crate::out::{Out, errln, outln};
use crate::{Exit, compile};

/// Compares `old` with `new`: exit 0 with the report, 1 when one does not compile, 2 when
/// one cannot be read or they are different bundles.
pub(crate) fn run(out: &mut Out, old: &Path, new: &Path, json: bool) -> Exit {
    let (o, n) = match compile(out, old, json).and_then(|o| compile(out, new, json).map(|n| (o, n))) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    match diff(&o, &n) {
        Ok(d) if json => {
            out.json(&d);
            Exit(0)
        }
        Ok(d) => {
            print(out, &d);
            Exit(0)
        }
        Err(e) => {
            if json {
                out.json(&json!({ "error": e.to_string() }));
            } else {
                errln!("error: {e}");
            }
            Exit(2)
        }
    }
}

/// The readable report.
fn print(out: &mut Out, d: &BundleDiff) {
    outln!(out, "{}: {} → {}", d.bundle, d.old_version, d.new_version);
    for dep in &d.departments {
        outln!(out, "department {}, item {}:", dep.department, dep.item);
        for f in &dep.fields_added {
            outln!(out, "  field added: {f}");
        }
        for f in &dep.fields_removed {
            outln!(out, "  field removed: {f}");
        }
        for r in &dep.fields_renamed {
            outln!(out, "  field renamed: {} → {} (canonical key {})", r.from, r.to, r.key);
        }
        for c in &dep.constraints {
            let how = match c.direction {
                Direction::Tightened => "tightened",
                Direction::Loosened => "loosened",
                Direction::Changed => "changed",
            };
            outln!(out, "  {how}: {} {} {} → {}", c.field, c.keyword, c.old, c.new);
        }
    }
    let a = &d.applicant;
    let lists = [
        ("item added", &a.items_added),
        ("item removed", &a.items_removed),
        ("material added", &a.materials_added),
        ("material dropped", &a.materials_dropped),
    ];
    let changes = [
        ("time limit (working days)", &a.time_limits),
        ("fees", &a.fees),
        ("start date", &a.start_dates),
        ("prerequisites", &a.prerequisites),
        ("payments first", &a.payments_first),
    ];
    if lists.iter().any(|(_, l)| !l.is_empty()) || changes.iter().any(|(_, l)| !l.is_empty()) {
        outln!(out, "for the applicant:");
    }
    for (what, list) in lists {
        for x in list {
            outln!(out, "  {what}: {x}");
        }
    }
    for (what, list) in changes {
        for c in list {
            outln!(out, "  {what} of {}: {} → {}", c.item, c.old, c.new);
        }
    }
    if !d.rules.is_empty() {
        outln!(out, "rules:");
    }
    for r in &d.rules {
        let how = match r.change {
            RuleChangeKind::Added => "added",
            RuleChangeKind::Removed => "removed",
            RuleChangeKind::Changed => "text changed",
        };
        outln!(out, "  {how}: {}", r.rule);
    }
    let draft = &d.draft;
    let resume = if draft.resumes_as_is {
        "resumes as it is".to_owned()
    } else {
        format!(
            "is refused as it is by Wizard::resume (a draft resumes only under its own version, {}); Wizard::migrate carries it over",
            d.old_version
        )
    };
    outln!(out, "a draft saved under {} {resume};", d.old_version);
    if draft.answers_kept {
        outln!(out, "  every answer it can hold keeps its key in {}", d.new_version);
    } else {
        outln!(out, "  it would lose the answers to: {}", draft.keys_lost.join(", "));
    }
    if !draft.keys_tightened.is_empty() {
        outln!(out, "  answers to check again (a constraint tightened): {}", draft.keys_tightened.join(", "));
    }
}
