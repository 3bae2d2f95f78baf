//! Running a bundle's test cases (`onething test`) and measuring which rules they exercise
//! (`--coverage`).
//!
//! Why in the core: the command line, this repository's own tests (every fixture's cases run
//! through [`CompiledBundle::run_case`]) and any other face must judge a case the same way.
//! A case ([`crate::case::Case`]) is decided on its own date, else the run's date; its
//! expectation is compared with the decision ([`crate::case::Expectation::compare`]). The
//! faces run cases in parallel (a [`CompiledBundle`] is `Sync`); this module runs one.
//!
//! Coverage is read from the decisions' traces, never by instrumenting scripts: for every
//! rule of the bundle — eligibility (the bundle's and each item's), each item's `applies_if`,
//! each material's `required_if`, consistency checks, obligations, the acceptance policy,
//! derive rules and visibility rules (run on each case's submission as the wizard would) —
//! how many cases made it true, false, or fail, and which never ran. A derive rule is "true"
//! when it gave a value, an obligation rule when it attached an obligation.
//!
//! ```
//! use onething::{load, CompiledBundle, EvalOptions, case::Case, testing::Coverage};
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/restaurant-opening");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let case = Case::from_json_named(r#"{"values": {}}"#, "tests/correction_required--empty")?;
//! let run = compiled.run_case(&case, "2026-06-15".parse()?, &EvalOptions::default());
//! assert!(run.result.passed);
//! let coverage = Coverage::of(&compiled, [(&case, &run)], &EvalOptions::default());
//! assert!(coverage.percent < 100.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::base::date::Date;
use crate::compile::CompiledBundle;
use crate::compile::rulebook::CompiledRule;
use crate::model::case::{Case, Mismatch};
use crate::model::decision::{Decision, Outcome, RuleKind, TraceEntry};
use crate::run::evaluate::EvalOptions;

/// How one case went.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CaseResult {
    /// The case (`decisions/accepted--dumpling-shop`).
    pub name: String,
    /// The evaluation date (`YYYY-MM-DD`).
    pub date: String,
    /// Whether the decision is as expected.
    pub passed: bool,
    /// The bundle's outcome decided.
    pub outcome: Outcome,
    /// What differs from the expectation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
}

/// One case run: its result and the decision, whose trace coverage reads.
#[derive(Debug, Clone)]
pub struct CaseRun {
    /// How it went.
    pub result: CaseResult,
    /// The decision.
    pub decision: Decision,
}

/// Every case of a bundle, run (`onething test --json`; `schemas/test-report.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TestReport {
    /// The bundle's id.
    pub bundle: String,
    /// The bundle's version.
    pub version: String,
    /// How many cases passed.
    pub passed: usize,
    /// How many failed.
    pub failed: usize,
    /// Every case, in the order read.
    pub cases: Vec<CaseResult>,
    /// Which rules the cases exercised, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

impl TestReport {
    /// The report of `results`, with `coverage` if measured.
    pub fn new(compiled: &CompiledBundle, cases: Vec<CaseResult>, coverage: Option<Coverage>) -> TestReport {
        let passed = cases.iter().filter(|c| c.passed).count();
        TestReport {
            bundle: compiled.bundle().id.clone(),
            version: compiled.bundle().version.clone(),
            passed,
            failed: cases.len() - passed,
            cases,
            coverage,
        }
    }

    /// The report as JUnit XML, for CI systems: one test suite (the bundle), one test case
    /// per case, a `failure` listing its mismatches.
    pub fn to_junit(&self) -> String {
        use std::fmt::Write as _;
        let esc = crate::report::notice::html::escape;
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"onething test\" tests=\"{}\" failures=\"{}\">",
            self.cases.len(),
            self.failed
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            esc(&format!("{} v{}", self.bundle, self.version)),
            self.cases.len(),
            self.failed
        );
        for case in &self.cases {
            let open = format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                esc(&self.bundle),
                esc(&format!("{} ({})", case.name, case.date))
            );
            if case.passed {
                let _ = writeln!(out, "{open}/>");
                continue;
            }
            let text: Vec<String> = case.mismatches.iter().map(ToString::to_string).collect();
            let _ = writeln!(out, "{open}>");
            let _ = writeln!(
                out,
                "      <failure message=\"{}\">{}</failure>",
                esc(text.first().map_or("", String::as_str)),
                esc(&text.join("\n"))
            );
            let _ = writeln!(out, "    </testcase>");
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

impl CompiledBundle {
    /// Runs `cases` one after another (the command line runs them in parallel instead,
    /// through [`CompiledBundle::run_case`]): first every case's references are checked
    /// against the bundle (an unknown item, material, check or obligation rule is an error
    /// naming the case file, every one at once), then each case is decided on its own date,
    /// else on `date`, and with `coverage` the rules' coverage is measured (the options'
    /// `trace` is set as coverage needs it). What the package's `Bundle.test` returns.
    pub fn test_cases(
        &self,
        cases: &[Case],
        date: Date,
        opts: &EvalOptions,
        coverage: bool,
    ) -> Result<TestReport, Vec<crate::model::error::LoadError>> {
        let unknown: Vec<_> = cases.iter().flat_map(|c| c.unknown_references(self.bundle())).collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let opts = EvalOptions { trace: coverage, ..opts.clone() };
        let runs: Vec<CaseRun> = cases.iter().map(|c| self.run_case(c, date, &opts)).collect();
        let cov = coverage.then(|| Coverage::of(self, cases.iter().zip(&runs), &opts));
        Ok(TestReport::new(self, runs.into_iter().map(|r| r.result).collect(), cov))
    }

    /// Decides on `case` on its own date, else on `date`, and compares the decision with
    /// what the case expects. The options' `trace` is what coverage reads.
    pub fn run_case(&self, case: &Case, date: Date, opts: &EvalOptions) -> CaseRun {
        let date = case.date.unwrap_or(date);
        let decision = self.evaluate_with(&case.submission, date, opts);
        let mut mismatches = case.expect.compare(&decision);
        if !case.expect.values.is_empty() {
            // The decision does not carry the derived values: derive them again, untraced.
            let p = self.prepare(&case.submission, Some(date), opts, false);
            mismatches.extend(case.expect.compare_values(|key| p.get(key)));
        }
        let result = CaseResult {
            name: case.name.clone(),
            date: date.to_string(),
            passed: mismatches.is_empty(),
            outcome: decision.outcome,
            mismatches,
        };
        CaseRun { result, decision }
    }
}

/// Which rules the cases made true, false, or fail.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Coverage {
    /// Every rule of the bundle, the bundle's own first, then each item's.
    pub rules: Vec<RuleCoverage>,
    /// How many of the rules' two ways (true, false) some case took.
    pub covered: usize,
    /// Twice the number of rules.
    pub total: usize,
    /// `covered` of `total`, in per cent (100 for a bundle without rules).
    pub percent: f64,
    /// How many rules no case ran.
    pub never_ran: usize,
}

/// What the cases made of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RuleCoverage {
    /// The rule's id (`applies_if`, `required_if` and `visible_if` for those kinds; a derive
    /// rule's is its key).
    pub rule: String,
    /// Its kind.
    pub kind: RuleKind,
    /// Where it is, in words (`item food-business-licence, eligibility`).
    pub at: String,
    /// Its item, for an item's rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Its material, for `required_if`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// Its field, for `visible_if`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The file of a bundle directory its script was read from (`rules/x.rhai`), when it
    /// was read from one (a directory, or files in memory; a packed bundle has no files):
    /// where an editor marks the rule's coverage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The script's place in the bundle document (a JSON Pointer: its `script`, or the
    /// `file` naming it).
    pub pointer: String,
    /// How many cases made it true (a derive rule: gave a value; an obligation rule:
    /// attached an obligation).
    #[serde(rename = "true")]
    pub made_true: usize,
    /// How many made it false.
    #[serde(rename = "false")]
    pub made_false: usize,
    /// How many made it fail (an error, a limit, a result of the wrong kind).
    #[serde(rename = "error")]
    pub errors: usize,
    /// The first case that made it fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

impl RuleCoverage {
    /// Whether no case ran it.
    pub fn never_ran(&self) -> bool {
        self.made_true + self.made_false + self.errors == 0
    }

    /// Whether cases made it both true and false.
    pub fn full(&self) -> bool {
        self.made_true > 0 && self.made_false > 0
    }
}

impl Coverage {
    /// The coverage of the cases `runs` (each with its run, which must have been traced).
    pub fn of<'a>(
        compiled: &CompiledBundle,
        runs: impl IntoIterator<Item = (&'a Case, &'a CaseRun)>,
        opts: &EvalOptions,
    ) -> Coverage {
        let mut rules = rule_list(compiled);
        for (case, run) in runs {
            for entry in &run.decision.trace {
                let found = rules.iter_mut().find(|r| {
                    r.kind == entry.kind
                        && r.rule == entry.rule
                        && r.item == entry.item
                        && r.material == entry.material
                });
                if let Some(r) = found {
                    count(r, entry, &case.name);
                }
            }
            let date = run.result.date.parse().unwrap_or(Date::MIN);
            for (key, entry) in compiled.visibility_trace(&case.submission, date, opts) {
                let found = rules
                    .iter_mut()
                    .find(|r| r.kind == RuleKind::VisibleIf && r.field.as_ref() == Some(&key));
                if let Some(r) = found {
                    count(r, &entry, &case.name);
                }
            }
        }
        let covered =
            rules.iter().map(|r| usize::from(r.made_true > 0) + usize::from(r.made_false > 0)).sum();
        let total = rules.len() * 2;
        let percent = if total == 0 { 100.0 } else { (covered as f64) * 1000.0 / (total as f64) };
        Coverage {
            covered,
            total,
            percent: if total == 0 { percent } else { percent.round() / 10.0 },
            never_ran: rules.iter().filter(|r| r.never_ran()).count(),
            rules,
        }
    }
}

/// Counts what one run of a rule gave.
fn count(r: &mut RuleCoverage, entry: &TraceEntry, case: &str) {
    match truth(entry) {
        Some(true) => r.made_true += 1,
        Some(false) => r.made_false += 1,
        None => {
            r.errors += 1;
            if r.first_error.is_none() {
                r.first_error = Some(case.to_owned());
            }
        }
    }
}

/// What a traced run of a rule came to: true, false, or `None` when it failed.
fn truth(entry: &TraceEntry) -> Option<bool> {
    if entry.error.is_some() {
        return None;
    }
    let v = &entry.result;
    match entry.kind {
        RuleKind::Derive => Some(!v.is_null()),
        RuleKind::Obligation => Some(match v {
            Value::Null | Value::Bool(false) => false,
            Value::Array(a) => !a.is_empty(),
            _ => true,
        }),
        _ => match v {
            Value::Bool(b) => Some(*b),
            Value::Object(m) => m.get("ok").and_then(Value::as_bool),
            _ => None,
        },
    }
}

/// Every rule of the bundle, nothing counted yet.
fn rule_list(c: &CompiledBundle) -> Vec<RuleCoverage> {
    let blank = |rule: &CompiledRule, kind: RuleKind| RuleCoverage {
        rule: rule.id.clone(),
        kind,
        at: rule.at.clone(),
        item: None,
        material: None,
        field: None,
        file: rule.file.clone(),
        pointer: rule.pointer.clone(),
        made_true: 0,
        made_false: 0,
        errors: 0,
        first_error: None,
    };
    let book = &c.rulebook;
    let mut out: Vec<RuleCoverage> = book.bundle.iter().map(|r| blank(r, RuleKind::Eligibility)).collect();
    out.extend(book.checks.iter().map(|ch| blank(&ch.rule, RuleKind::Check)));
    out.extend(book.policy.iter().map(|r| blank(r, RuleKind::Policy)));
    out.extend(book.derive.iter().map(|(_, r)| blank(r, RuleKind::Derive)));
    out.extend(
        book.visible_if
            .iter()
            .map(|(key, r)| RuleCoverage { field: Some(key.clone()), ..blank(r, RuleKind::VisibleIf) }),
    );
    for (item, def) in c.items.values().zip(&c.bundle.items) {
        let rules = &item.rules;
        let of_item = |r: &CompiledRule, kind| RuleCoverage { item: Some(item.id.clone()), ..blank(r, kind) };
        out.extend(rules.applies_if.iter().map(|r| of_item(r, RuleKind::AppliesIf)));
        out.extend(rules.eligibility.iter().map(|r| of_item(r, RuleKind::Eligibility)));
        for (j, m) in def.materials.iter().enumerate() {
            if let Some(r) = rules.required_if(j) {
                out.push(RuleCoverage {
                    material: Some(m.reuse_key().to_owned()),
                    ..of_item(r, RuleKind::RequiredIf)
                });
            }
        }
        out.extend(rules.checks.iter().map(|ch| of_item(&ch.rule, RuleKind::Check)));
        out.extend(rules.obligations.iter().map(|r| of_item(r, RuleKind::Obligation)));
    }
    out
}
