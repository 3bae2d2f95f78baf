//! Results delivered together (一次发证) and the rating of the service (好差评).
//!
//! After the one acceptance, each department handles its items and reports back: approved
//! (with the certificates and e-licences it issues) or refused (always with the reason),
//! or still in progress. [`CompiledBundle::results`] checks those [`Reports`] against the
//! bundle and aggregates them into the state of the whole application ([`BundleState`]:
//! in progress, ready to deliver, partly refused, refused) and the **single delivery list**:
//! every certificate of every department, handed to the applicant at once, together with
//! the reasons of any refusal. An application covering no item has nothing to deliver: it
//! is refused ([`ResultProblem::NoItems`]) rather than called ready to deliver.
//!
//! The applicant can then rate the service (好差评): a [`Rating`] holds a score from 1
//! (非常不满意, very dissatisfied) to 5 (非常满意, very satisfied) and a comment, for the
//! whole thing and per department; a poor score (1 or 2) needs a comment saying why, so the
//! department can follow it up (差评整改). [`CompiledBundle::check_rating`] validates one.
//!
//! Bad input never panics: every problem is a typed [`ResultProblem`] naming the JSON
//! Pointer in the input and, where it applies, the item and the department — all of them at
//! once, in a [`ResultsError`]. Schemas: `schemas/reports.schema.json` (input),
//! `schemas/results.schema.json` (output), `schemas/rating.schema.json`.
//!
//! ```
//! use onething::{load, CompiledBundle, Reports};
//! use onething::results::BundleState;
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/newborn");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let reports = Reports::from_json(r#"{
//!   "items": ["birth-medical-certificate", "household-registration"],
//!   "reports": [
//!     {"item": "birth-medical-certificate", "status": "approved",
//!      "certificates": [{"title": {"zh": "出生医学证明", "en": "Birth Medical Certificate"},
//!                        "number": "Q230012345", "evidence": "birth-certificate"}]},
//!     {"item": "household-registration", "status": "in_progress"}
//!   ]}"#)?;
//! let results = compiled.results(&reports)?;
//! assert_eq!(results.state, BundleState::InProgress);
//! assert_eq!(results.delivery.len(), 1);
//!
//! // An unknown item is named, with where it is.
//! let bad = Reports::from_json(r#"{"reports": [{"item": "passport", "status": "approved"}]}"#)?;
//! let err = compiled.results(&bad).unwrap_err();
//! assert_eq!(err.to_string(), "1 problem(s) in the results:\n  - /reports/0/item: unknown item `passport`");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::base::date::Date;
use crate::base::json::{self, JsonError};
use crate::base::pointer;
use crate::base::text::Text;
use crate::compile::CompiledBundle;
use crate::model::bundle::{Item, ItemIx};

/// The largest reports or rating text accepted, in bytes (4 MiB).
pub const MAX_RESULTS_BYTES: usize = 4 << 20;

/// The longest rating comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// What the departments report on one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reports {
    /// The bundle these results are for; checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// The application's reference (受理编号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// The items the application covers (the applicable items of its decision). When
    /// absent: every item that always applies (neither opt-in nor conditional), plus every
    /// item reported on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<String>>,
    /// One report per item at most.
    #[serde(default)]
    pub reports: Vec<Report>,
    /// The applicant's rating of the service, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

/// One department's report on one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The item.
    pub item: String,
    /// The reporting department; when given, it must own the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Where the item stands.
    pub status: ReportStatus,
    /// Why it was refused (required for a refusal); a note otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// When it was decided (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What the department issues (approved items only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
}

/// A department's result on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Still being handled.
    InProgress,
    /// Approved (准予许可 / 办结).
    Approved,
    /// Refused (不予许可), with the reason.
    Refused,
}

/// A certificate, licence or e-licence (证照 / 电子证照) an item issues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// What it is, e.g. 食品经营许可证 / Food business licence.
    pub title: Text,
    /// Its number (证照编号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Its reference in the e-licence library (电子证照标识), when issued electronically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_licence: Option<String>,
    /// The evidence of the item it is (one of the item's `produces`), when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// A paper original is handed over too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paper: bool,
}

/// The applicant's rating of the service (好差评).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The bundle rated; checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// The application's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// When it was given (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The scores: at most one for the whole thing (no department) and one per department.
    pub scores: Vec<Score>,
}

/// One score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// The department rated; none for the whole thing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// 1 非常不满意 very dissatisfied, 2 不满意 dissatisfied, 3 基本满意 fairly satisfied,
    /// 4 满意 satisfied, 5 非常满意 very satisfied.
    #[schemars(range(min = 1, max = 5))]
    pub score: i64,
    /// What the applicant says; required for a score of 1 or 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2000))]
    pub comment: Option<String>,
}

/// The name of a score, in both languages (`None` outside 1–5).
pub fn score_text(score: i64) -> Option<Text> {
    Some(match score {
        1 => Text::new("非常不满意", "very dissatisfied"),
        2 => Text::new("不满意", "dissatisfied"),
        3 => Text::new("基本满意", "fairly satisfied"),
        4 => Text::new("满意", "satisfied"),
        5 => Text::new("非常满意", "very satisfied"),
        _ => return None,
    })
}

/// The state of the whole application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BundleState {
    /// Some item is not decided yet: nothing is delivered until every one is.
    InProgress,
    /// Every item approved: deliver every certificate together.
    ReadyToDeliver,
    /// Every item decided, some refused: deliver the approved items' certificates together
    /// with the reasons of the refusals.
    PartlyRefused,
    /// Every item refused: deliver the reasons.
    Refused,
}

impl BundleState {
    /// The state's name in both languages.
    pub fn text(self) -> Text {
        match self {
            BundleState::InProgress => Text::new("办理中", "in progress"),
            BundleState::ReadyToDeliver => Text::new("可一次发证", "ready to deliver"),
            BundleState::PartlyRefused => Text::new("部分不予批准", "partly refused"),
            BundleState::Refused => Text::new("不予批准", "refused"),
        }
    }
}

/// Where one item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// No report yet.
    Awaiting,
    /// Being handled.
    InProgress,
    /// Approved.
    Approved,
    /// Refused.
    Refused,
}

/// The aggregated results of one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Results {
    /// The bundle's id.
    pub bundle: String,
    /// The bundle's version.
    pub version: String,
    /// The application's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// The state of the whole application.
    pub state: BundleState,
    /// The state in one sentence, for the applicant.
    pub summary: Text,
    /// Every item the application covers, in bundle order.
    pub items: Vec<ItemResult>,
    /// The single delivery list: every certificate of every approved item, in bundle order.
    pub delivery: Vec<Delivery>,
    /// The refused items, with their reasons (delivered together with the certificates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refusals: Vec<Refusal>,
    /// The items not decided yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
    /// The applicant's rating, validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ItemResult {
    /// The item.
    pub item: String,
    /// Its title.
    pub title: Text,
    /// Its department.
    pub department: String,
    /// Where it stands.
    pub status: ItemStatus,
    /// The reason of a refusal (or the department's note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// When it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What it issues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
}

/// One entry of the delivery list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Delivery {
    /// The item issuing it.
    pub item: String,
    /// The issuing department.
    pub department: String,
    /// The department's name.
    pub department_name: Text,
    /// The certificate.
    pub certificate: Certificate,
}

/// A refused item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Refusal {
    /// The item.
    pub item: String,
    /// Its department.
    pub department: String,
    /// Why.
    pub reason: Text,
}

/// Every problem of a reports or rating document.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[error("{} problem(s) in the results:\n{}", problems.len(), list(problems))]
pub struct ResultsError {
    /// The problems, in document order.
    pub problems: Vec<ResultProblem>,
}

fn list(problems: &[ResultProblem]) -> String {
    problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

impl From<ResultProblem> for ResultsError {
    fn from(p: ResultProblem) -> Self {
        ResultsError { problems: vec![p] }
    }
}

/// One problem of a reports or rating document. `pointer` is a JSON Pointer into it.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResultProblem {
    /// Not JSON.
    #[error("line {line}, column {column}: invalid JSON: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON of the wrong shape.
    #[error("{pointer}: {message}")]
    Shape {
        /// Where.
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// Too large to accept.
    #[error("{bytes} bytes is more than the limit of {limit}")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// For another bundle.
    #[error("{pointer}: for bundle `{found}`, not `{expected}`")]
    WrongBundle {
        /// Where.
        pointer: String,
        /// This bundle.
        expected: String,
        /// The bundle named.
        found: String,
    },
    /// An item the bundle does not have.
    #[error("{pointer}: unknown item `{item}`")]
    UnknownItem {
        /// Where.
        pointer: String,
        /// The id.
        item: String,
    },
    /// An item listed twice in `items`.
    #[error("{pointer}: item `{item}` is listed twice")]
    DuplicateItem {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
    },
    /// An application covering no item: with nothing to decide there is nothing to deliver,
    /// and the results of no item cannot be "ready to deliver".
    #[error("{pointer}: the application covers no item, so there is nothing to deliver")]
    NoItems {
        /// Where the items are listed (`/items`, also when the list is absent).
        pointer: String,
    },
    /// A report on an item the application does not cover.
    #[error("{pointer}: item `{item}` is not part of this application")]
    NotInApplication {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
    },
    /// A department reporting on an item it does not own.
    #[error("{pointer}: item `{item}` belongs to department `{expected}`, not `{found}`")]
    WrongDepartment {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
        /// Its department.
        expected: String,
        /// The department named.
        found: String,
    },
    /// Two reports on one item.
    #[error("{pointer}: a second report on item `{item}` (the first is at {first})")]
    DuplicateReport {
        /// Where the second one is.
        pointer: String,
        /// The item.
        item: String,
        /// Where the first one is.
        first: String,
    },
    /// A refusal without its reason.
    #[error("{pointer}: item `{item}` (department `{department}`) is refused without a reason")]
    MissingReason {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
        /// Its department.
        department: String,
    },
    /// Certificates on an item that is not approved.
    #[error(
        "{pointer}: item `{item}` (department `{department}`) is not approved, so it issues no certificate"
    )]
    CertificateNotApproved {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
        /// Its department.
        department: String,
    },
    /// An item approved before an item it waits for (its `depends_on`, or the producer of
    /// evidence it consumes) is approved.
    #[error(
        "{pointer}: item `{item}` (department `{department}`) is approved, but item `{prerequisite}` it waits for is not"
    )]
    PrerequisiteNotApproved {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
        /// Its department.
        department: String,
        /// The item it waits for.
        prerequisite: String,
    },
    /// A certificate with neither a number nor an e-licence reference.
    #[error(
        "{pointer}: a certificate of item `{item}` (department `{department}`) has neither a number nor an e-licence reference"
    )]
    EmptyCertificate {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
        /// Its department.
        department: String,
    },
    /// A certificate naming evidence its item does not produce.
    #[error("{pointer}: item `{item}` does not produce evidence `{evidence}`")]
    UnknownEvidence {
        /// Where.
        pointer: String,
        /// The item.
        item: String,
        /// The evidence named.
        evidence: String,
    },
    /// Not a `YYYY-MM-DD` date.
    #[error("{pointer}: `{value}` is not a date: {message}")]
    BadDate {
        /// Where.
        pointer: String,
        /// The value.
        value: String,
        /// Why.
        message: String,
    },
    /// A department the bundle does not have.
    #[error("{pointer}: unknown department `{department}`")]
    UnknownDepartment {
        /// Where.
        pointer: String,
        /// The id.
        department: String,
    },
    /// A score outside 1–5.
    #[error("{pointer}: score {score} for {} is outside 1–5", who(department.as_deref()))]
    ScoreOutOfRange {
        /// Where.
        pointer: String,
        /// The department rated (none: the whole thing).
        department: Option<String>,
        /// The score given.
        score: i64,
    },
    /// Two scores for one department (or two for the whole thing).
    #[error("{pointer}: a second score for {} (the first is at {first})", who(department.as_deref()))]
    DuplicateScore {
        /// Where the second one is.
        pointer: String,
        /// The department (none: the whole thing).
        department: Option<String>,
        /// Where the first one is.
        first: String,
    },
    /// A poor score without a comment.
    #[error("{pointer}: score {score} for {} needs a comment saying why", who(department.as_deref()))]
    CommentRequired {
        /// Where.
        pointer: String,
        /// The department (none: the whole thing).
        department: Option<String>,
        /// The score.
        score: i64,
    },
    /// A comment longer than [`MAX_COMMENT_CHARS`].
    #[error("{pointer}: the comment has {chars} characters, more than {limit}")]
    CommentTooLong {
        /// Where.
        pointer: String,
        /// Its length.
        chars: usize,
        /// The limit.
        limit: usize,
    },
}

impl ResultProblem {
    /// The JSON Pointer of the problem in its document (none for syntax and size).
    pub fn pointer(&self) -> Option<&str> {
        match self {
            ResultProblem::Syntax { .. } | ResultProblem::TooLarge { .. } => None,
            ResultProblem::Shape { pointer, .. }
            | ResultProblem::WrongBundle { pointer, .. }
            | ResultProblem::UnknownItem { pointer, .. }
            | ResultProblem::DuplicateItem { pointer, .. }
            | ResultProblem::NoItems { pointer, .. }
            | ResultProblem::NotInApplication { pointer, .. }
            | ResultProblem::WrongDepartment { pointer, .. }
            | ResultProblem::DuplicateReport { pointer, .. }
            | ResultProblem::MissingReason { pointer, .. }
            | ResultProblem::CertificateNotApproved { pointer, .. }
            | ResultProblem::PrerequisiteNotApproved { pointer, .. }
            | ResultProblem::EmptyCertificate { pointer, .. }
            | ResultProblem::UnknownEvidence { pointer, .. }
            | ResultProblem::BadDate { pointer, .. }
            | ResultProblem::UnknownDepartment { pointer, .. }
            | ResultProblem::ScoreOutOfRange { pointer, .. }
            | ResultProblem::DuplicateScore { pointer, .. }
            | ResultProblem::CommentRequired { pointer, .. }
            | ResultProblem::CommentTooLong { pointer, .. } => Some(pointer),
        }
    }
}

/// Sort key keeping problems in document order: `/bundle`, `/items/…`, then `/reports/N…`
/// by report number (a stable sort keeps the order within one report).
fn report_order(pointer: &str) -> (u8, usize) {
    match pointer.strip_prefix("/reports/") {
        None => (0, 0),
        Some(rest) => {
            let n = rest.split('/').next().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
            (1, n)
        }
    }
}

fn who(department: Option<&str>) -> String {
    match department {
        Some(d) => format!("department `{d}`"),
        None => "the whole thing".to_owned(),
    }
}

/// Parses a JSON document, naming the line and column of a syntax error and the JSON
/// Pointer of a shape error.
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ResultsError> {
    if text.len() > MAX_RESULTS_BYTES {
        return Err(ResultProblem::TooLarge { bytes: text.len(), limit: MAX_RESULTS_BYTES }.into());
    }
    let value = json::unique::parse(text).map_err(|e| json_problem(json::syntax(&e)))?;
    from_value(value)
}

fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ResultsError> {
    if !value.is_object() {
        return Err(ResultProblem::Shape {
            pointer: String::new(),
            message: "expected a JSON object".into(),
        }
        .into());
    }
    json::from_value(value).map_err(|e| json_problem(e).into())
}

/// A JSON error as a results problem: a shape error's path as a JSON Pointer.
fn json_problem(e: JsonError) -> ResultProblem {
    match e {
        JsonError::Syntax { line, column, message } => ResultProblem::Syntax { line, column, message },
        JsonError::Shape { path, message } => {
            let pointer = path.segments.iter().fold(String::new(), |acc, segment| match segment {
                json::Segment::Seq { index } => pointer::join(&acc, &index.to_string()),
                json::Segment::Map { key } => pointer::join(&acc, key),
                json::Segment::Enum { variant } => pointer::join(&acc, variant),
                json::Segment::Unknown => acc,
            });
            ResultProblem::Shape { pointer, message }
        }
    }
}

impl Reports {
    /// Reads reports from JSON text.
    pub fn from_json(text: &str) -> Result<Reports, ResultsError> {
        parse(text)
    }

    /// Reads reports from a JSON value.
    pub fn from_value(value: Value) -> Result<Reports, ResultsError> {
        from_value(value)
    }
}

impl Rating {
    /// Reads a rating from JSON text.
    pub fn from_json(text: &str) -> Result<Rating, ResultsError> {
        parse(text)
    }
}

fn check_date(value: Option<&str>, pointer: String, problems: &mut Vec<ResultProblem>) {
    if let Some(v) = value {
        if let Err(e) = v.parse::<Date>() {
            problems.push(ResultProblem::BadDate { pointer, value: v.to_owned(), message: e.to_string() });
        }
    }
}

/// The report on each reported item, by item index: the report and its JSON Pointer (the
/// first report, when an item has two).
type Reported<'r> = HashMap<ItemIx, (&'r Report, String)>;

impl CompiledBundle {
    /// Checks the departments' reports against the bundle and aggregates them: the state of
    /// the application and the single delivery list. Every problem is reported at once.
    pub fn results(&self, r: &Reports) -> Result<Results, ResultsError> {
        let mut problems = Vec::new();
        if let Some(found) = r.bundle.as_ref().filter(|found| **found != self.bundle.id) {
            problems.push(ResultProblem::WrongBundle {
                pointer: "/bundle".into(),
                expected: self.bundle.id.clone(),
                found: found.clone(),
            });
        }
        let covered = self.covered_items(r, &mut problems);
        let reported = self.check_reports(r, &covered, &mut problems);
        self.check_prerequisites(&covered, &reported, &mut problems);
        // Stable (`sort_by_cached_key` sorts keys with their indices, so it shares the
        // unstable sort's code instead of instantiating a stable one).
        problems.sort_by_cached_key(|p| p.pointer().map(report_order));
        if let Some(rating) = &r.rating {
            self.rating_problems(rating, "/rating", &mut problems);
        }
        if !problems.is_empty() {
            return Err(ResultsError { problems });
        }
        let tally = self.tally(&covered, &reported);
        let state = tally.state();
        Ok(Results {
            bundle: self.bundle.id.clone(),
            version: self.bundle.version.clone(),
            application: r.application.clone(),
            state,
            summary: tally.summary(state),
            items: tally.items,
            delivery: tally.delivery,
            refusals: tally.refusals,
            pending: tally.pending,
            rating: r.rating.clone(),
        })
    }

    /// The items the application covers, by index in bundle order: those listed in
    /// `items` (naming unknown and twice-listed ones as problems) or, without a list, every
    /// item that always applies plus every item reported on. An application covering no
    /// item is a problem: there would be nothing to deliver, and "every item approved"
    /// would be vacuously true.
    fn covered_items(&self, r: &Reports, problems: &mut Vec<ResultProblem>) -> Vec<ItemIx> {
        let mut covered: Vec<ItemIx> = Vec::new();
        match &r.items {
            Some(ids) => {
                for (k, id) in ids.iter().enumerate() {
                    let at = format!("/items/{k}");
                    match self.items.find(id) {
                        None => problems.push(ResultProblem::UnknownItem { pointer: at, item: id.clone() }),
                        Some(i) if covered.contains(&i) => {
                            problems.push(ResultProblem::DuplicateItem { pointer: at, item: id.clone() });
                        }
                        Some(i) => covered.push(i),
                    }
                }
            }
            None => {
                covered.extend(self.items.iter().filter(|(_, c)| !c.conditional()).map(|(i, _)| i));
                for report in &r.reports {
                    if let Some(i) = self.items.find(&report.item) {
                        if !covered.contains(&i) {
                            covered.push(i);
                        }
                    }
                }
            }
        }
        covered.sort_unstable();
        if covered.is_empty() && names_no_item(r) {
            problems.push(ResultProblem::NoItems { pointer: "/items".into() });
        }
        covered
    }

    /// Checks every report on its own (a known item the application covers, reported once,
    /// by its department, a refusal with its reason, certificates only when approved) and
    /// returns the report on each item.
    fn check_reports<'r>(
        &self,
        r: &'r Reports,
        covered: &[ItemIx],
        problems: &mut Vec<ResultProblem>,
    ) -> Reported<'r> {
        let mut reported: Reported<'r> = HashMap::new();
        for (k, report) in r.reports.iter().enumerate() {
            let at = format!("/reports/{k}");
            let Some(i) = self.items.find(&report.item) else {
                problems.push(ResultProblem::UnknownItem {
                    pointer: format!("{at}/item"),
                    item: report.item.clone(),
                });
                continue;
            };
            let item = self.declared(i);
            if !covered.contains(&i) {
                problems.push(ResultProblem::NotInApplication {
                    pointer: format!("{at}/item"),
                    item: item.id.clone(),
                });
            }
            if let Some((_, first)) = reported.get(&i) {
                problems.push(ResultProblem::DuplicateReport {
                    pointer: at.clone(),
                    item: item.id.clone(),
                    first: first.clone(),
                });
            } else {
                reported.insert(i, (report, at.clone()));
            }
            check_report(item, report, &at, problems);
        }
        reported
    }

    /// An item is approved only after the items it waits for are (the plan of the covered
    /// items says which: its `depends_on` and the producers of the evidence it consumes).
    fn check_prerequisites(
        &self,
        covered: &[ItemIx],
        reported: &Reported<'_>,
        problems: &mut Vec<ResultProblem>,
    ) {
        let plan = crate::report::plan::build(&self.bundle, &self.graph, covered);
        let approved = |id: &str| {
            self.items
                .find(id)
                .and_then(|j| reported.get(&j))
                .is_some_and(|(x, _)| x.status == ReportStatus::Approved)
        };
        for (&i, (report, at)) in reported {
            let item = self.declared(i);
            if report.status != ReportStatus::Approved {
                continue;
            }
            let Some(planned) = plan.items.iter().find(|p| p.id == item.id) else { continue };
            for before in planned.after.iter().filter(|before| !approved(before)) {
                problems.push(ResultProblem::PrerequisiteNotApproved {
                    pointer: format!("{at}/status"),
                    item: item.id.clone(),
                    department: item.department.clone(),
                    prerequisite: before.clone(),
                });
            }
        }
    }

    /// Sorts the covered items by where they stand, in bundle order, collecting what is
    /// delivered together: the certificates of the approved items and the reasons of the
    /// refused ones.
    fn tally(&self, covered: &[ItemIx], reported: &Reported<'_>) -> Tally {
        let mut tally = Tally::default();
        for &i in covered {
            let item = self.declared(i);
            let report = reported.get(&i).map(|(x, _)| *x);
            let status = item_status(report);
            match status {
                ItemStatus::Awaiting | ItemStatus::InProgress => tally.pending.push(item.id.clone()),
                ItemStatus::Approved => {
                    let department_name = self.department_name(&item.department);
                    for c in report.map(|x| x.certificates.as_slice()).unwrap_or_default() {
                        tally.delivery.push(Delivery {
                            item: item.id.clone(),
                            department: item.department.clone(),
                            department_name: department_name.clone(),
                            certificate: c.clone(),
                        });
                    }
                }
                ItemStatus::Refused => {
                    if let Some(reason) = report.and_then(|x| x.reason.clone()) {
                        tally.refusals.push(Refusal {
                            item: item.id.clone(),
                            department: item.department.clone(),
                            reason,
                        });
                    }
                }
            }
            tally.items.push(ItemResult {
                item: item.id.clone(),
                title: item.title.clone(),
                department: item.department.clone(),
                status,
                reason: report.and_then(|x| x.reason.clone()),
                date: report.and_then(|x| x.date.clone()),
                certificates: report.map(|x| x.certificates.clone()).unwrap_or_default(),
            });
        }
        tally
    }

    /// A department's name (its id in both languages when the bundle does not have it).
    fn department_name(&self, id: &str) -> Text {
        self.bundle
            .departments
            .iter()
            .find(|d| d.id == id)
            .map_or_else(|| Text::new(id, id), |d| d.name.clone())
    }
    /// Validates a rating (好差评) against the bundle: known departments, one score each,
    /// scores 1–5, a comment for a poor score, comments of bounded length.
    pub fn check_rating(&self, rating: &Rating) -> Result<(), ResultsError> {
        let mut problems = Vec::new();
        self.rating_problems(rating, "", &mut problems);
        if problems.is_empty() { Ok(()) } else { Err(ResultsError { problems }) }
    }

    fn rating_problems(&self, rating: &Rating, base: &str, problems: &mut Vec<ResultProblem>) {
        let b = &self.bundle;
        if let Some(found) = rating.bundle.as_ref().filter(|found| **found != b.id) {
            problems.push(ResultProblem::WrongBundle {
                pointer: format!("{base}/bundle"),
                expected: b.id.clone(),
                found: found.clone(),
            });
        }
        check_date(rating.date.as_deref(), format!("{base}/date"), problems);
        let mut seen: HashMap<Option<&str>, String> = HashMap::new();
        for (k, s) in rating.scores.iter().enumerate() {
            let at = format!("{base}/scores/{k}");
            let department = s.department.clone();
            if let Some(d) = s.department.as_ref().filter(|d| !b.departments.iter().any(|x| &x.id == *d)) {
                problems.push(ResultProblem::UnknownDepartment {
                    pointer: format!("{at}/department"),
                    department: d.clone(),
                });
            }
            match seen.get(&s.department.as_deref()) {
                Some(first) => problems.push(ResultProblem::DuplicateScore {
                    pointer: at.clone(),
                    department: department.clone(),
                    first: first.clone(),
                }),
                None => {
                    seen.insert(s.department.as_deref(), at.clone());
                }
            }
            if !(1..=5).contains(&s.score) {
                problems.push(ResultProblem::ScoreOutOfRange {
                    pointer: format!("{at}/score"),
                    department: department.clone(),
                    score: s.score,
                });
            } else if s.score <= 2 && s.comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
                problems.push(ResultProblem::CommentRequired {
                    pointer: at.clone(),
                    department,
                    score: s.score,
                });
            }
            if let Some(c) = &s.comment {
                let chars = c.chars().count();
                if chars > MAX_COMMENT_CHARS {
                    problems.push(ResultProblem::CommentTooLong {
                        pointer: format!("{at}/comment"),
                        chars,
                        limit: MAX_COMMENT_CHARS,
                    });
                }
            }
        }
    }
}

/// Does `r` name no item at all, neither in its list nor (without a list) in a report? Then
/// an empty coverage is the application's own problem, not a consequence of unknown ids
/// (those are named already).
fn names_no_item(r: &Reports) -> bool {
    match &r.items {
        Some(ids) => ids.is_empty(),
        None => r.reports.is_empty(),
    }
}

/// Checks one report on a known item: its department, its date, the reason of a refusal,
/// and its certificates.
fn check_report(item: &Item, report: &Report, at: &str, problems: &mut Vec<ResultProblem>) {
    if let Some(d) = report.department.as_ref().filter(|d| **d != item.department) {
        problems.push(ResultProblem::WrongDepartment {
            pointer: format!("{at}/department"),
            item: item.id.clone(),
            expected: item.department.clone(),
            found: d.clone(),
        });
    }
    check_date(report.date.as_deref(), format!("{at}/date"), problems);
    if report.status == ReportStatus::Refused && report.reason.is_none() {
        problems.push(ResultProblem::MissingReason {
            pointer: at.to_owned(),
            item: item.id.clone(),
            department: item.department.clone(),
        });
    }
    if report.status != ReportStatus::Approved && !report.certificates.is_empty() {
        problems.push(ResultProblem::CertificateNotApproved {
            pointer: format!("{at}/certificates"),
            item: item.id.clone(),
            department: item.department.clone(),
        });
    }
    for (n, c) in report.certificates.iter().enumerate() {
        check_certificate(item, c, &format!("{at}/certificates/{n}"), problems);
    }
}

/// A certificate has a number or an e-licence reference, and names only evidence its item
/// produces.
fn check_certificate(item: &Item, c: &Certificate, at: &str, problems: &mut Vec<ResultProblem>) {
    if c.number.is_none() && c.e_licence.is_none() {
        problems.push(ResultProblem::EmptyCertificate {
            pointer: at.to_owned(),
            item: item.id.clone(),
            department: item.department.clone(),
        });
    }
    if let Some(e) = c.evidence.as_ref().filter(|e| !item.produces.contains(e)) {
        problems.push(ResultProblem::UnknownEvidence {
            pointer: format!("{at}/evidence"),
            item: item.id.clone(),
            evidence: e.clone(),
        });
    }
}

/// Where an item stands, from its report (none: awaiting one).
fn item_status(report: Option<&Report>) -> ItemStatus {
    match report.map(|x| x.status) {
        None => ItemStatus::Awaiting,
        Some(ReportStatus::InProgress) => ItemStatus::InProgress,
        Some(ReportStatus::Approved) => ItemStatus::Approved,
        Some(ReportStatus::Refused) => ItemStatus::Refused,
    }
}

/// The covered items sorted by where they stand: the parts of [`Results`] they make.
#[derive(Default)]
struct Tally {
    /// Every covered item's result, in bundle order.
    items: Vec<ItemResult>,
    /// The certificates of the approved items.
    delivery: Vec<Delivery>,
    /// The refused items, with their reasons.
    refusals: Vec<Refusal>,
    /// The items not decided yet.
    pending: Vec<String>,
}

impl Tally {
    fn approved(&self) -> usize {
        self.items.iter().filter(|i| i.status == ItemStatus::Approved).count()
    }

    /// The state of the whole: nothing is delivered while an item is pending; once every
    /// item is decided, the refusals say which of the other states it is.
    fn state(&self) -> BundleState {
        if !self.pending.is_empty() {
            BundleState::InProgress
        } else if self.refusals.is_empty() {
            BundleState::ReadyToDeliver
        } else if self.approved() == 0 {
            BundleState::Refused
        } else {
            BundleState::PartlyRefused
        }
    }

    /// The state in one sentence, for the applicant.
    fn summary(&self, state: BundleState) -> Text {
        let total = self.items.len();
        let approved = self.approved();
        let refused = self.refusals.len();
        let decided = total - self.pending.len();
        let n = self.delivery.len();
        match state {
            BundleState::InProgress => Text::new(
                format!("办理中：{total}个事项中已有{decided}个办结，全部办结后一次发证。"),
                format!(
                    "In progress: {decided} of {total} items decided; everything is delivered together once all are."
                ),
            ),
            BundleState::ReadyToDeliver => Text::new(
                format!("{total}个事项均已批准，{n}份证照一次送达。"),
                format!("All {total} items approved: {n} certificate(s) delivered together."),
            ),
            BundleState::PartlyRefused => Text::new(
                format!("{approved}个事项已批准、{refused}个不予批准：{n}份证照与不予批准的理由一并送达。"),
                format!(
                    "{approved} item(s) approved, {refused} refused: {n} certificate(s) delivered together with the reasons of the refusals."
                ),
            ),
            BundleState::Refused => Text::new(
                format!("{total}个事项均不予批准，理由一并告知。"),
                format!("All {total} items refused; the reasons are given together."),
            ),
        }
    }
}
