//! `onething` — the command-line face of the onething library.
//!
//! Every command is a thin wrapper: it reads files, calls the library, and prints a readable
//! report (or JSON with `--json`). See `onething --help` for the exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, LazyLock};

use clap::{Parser, Subcommand};
use onething::schema::{self, MergeError, MergeOptions};
use onething::{
    Calendar, CompiledBundle, Date, Decision, EvalOptions, Lang, LoadError, Submission, Text, load,
};
use serde::Serialize;
use serde_json::{Value, json};

mod batch;
mod diff;
mod init;
mod out;
mod test;

use out::{Out, Verbosity, errln, out, outln};

/// mimalloc rather than the system allocator: a decision makes a few hundred small
/// allocations (Rhai values, trace entries, the decision's text), and glibc's malloc and
/// free were a quarter of an evaluation's instructions; `batch` decides 20–25 % more per
/// second with it (BENCHMARKS.md). The library itself leaves the choice to its host.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (the bundle compiles, the submission is valid, the schemas merge); also when
     the reader of the output goes away (`onething form DIR | head`)
  1  the input is well-formed but the answer is no: bundle problems (check), an invalid
     submission (validate, dispatch), a submission not accepted (evaluate), a case that
     fails (test)
  2  bad input: unreadable or malformed file, not a JSON Schema, bad command line; or the
     output cannot be written (a full disk)
  3  merge: the schemas contradict each other (no instance satisfies all of them)";

/// `onething --version`: the tool's version and the formats it reads: the bundle format's
/// version ([`onething::BUNDLE_FORMAT_VERSION`], whose schema is
/// `schemas/bundle.schema.json`) and the JSON Schema draft of the department forms.
fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{} (bundle format {}, schemas/bundle.schema.json; department forms: JSON Schema draft 2020-12)",
            env!("CARGO_PKG_VERSION"),
            onething::BUNDLE_FORMAT_VERSION
        )
    });
    &VERSION
}

/// One application for many departments: merge their forms, validate once, dispatch to all.
#[derive(Parser)]
#[command(name = "onething", version = version(), about, after_help = EXIT_CODES)]
struct Cli {
    /// Print every warning (by default, the first 3 of each kind, then how many more).
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    verbose: bool,
    /// Print results and errors only: no warnings, notes or progress.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

/// What the commands that read a bundle and report on it share.
#[derive(clap::Args)]
struct Common {
    /// Bundle directory, or a packed bundle (.json).
    bundle: PathBuf,
    /// Print the result as JSON (complete: never summarised, whatever --quiet says).
    #[arg(long)]
    json: bool,
    /// Language of the readable report (zh, en); both when absent.
    #[arg(long)]
    lang: Option<LangArg>,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a bundle and list every problem and warning.
    #[command(after_help = EXIT_CODES)]
    Check {
        #[command(flatten)]
        common: Common,
    },
    /// Print the merged form (one JSON Schema with provenance).
    #[command(after_help = EXIT_CODES)]
    Form {
        /// Bundle directory, or a packed bundle (.json).
        bundle: PathBuf,
        /// Only these items (comma-separated ids): the effective form when they apply.
        #[arg(long, value_delimiter = ',')]
        items: Vec<String>,
    },
    /// Merge JSON Schemas into one that accepts exactly what all of them accept.
    #[command(after_help = EXIT_CODES)]
    Merge {
        /// Schema files (draft 2020-12).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Flatten every `allOf` inside one schema (give exactly one file).
        #[arg(long)]
        allof: bool,
        /// Annotate who declared each merged keyword (`x-onething-provenance`).
        #[arg(long)]
        provenance: bool,
        /// Report conflicts and errors as JSON on stderr.
        #[arg(long)]
        json: bool,
    },
    /// Validate a submission against a bundle's merged form.
    #[command(after_help = EXIT_CODES)]
    Validate {
        #[command(flatten)]
        common: Common,
        /// Submission file (.json), or one of the bundle's test cases (its submission; its `date` unless --date).
        submission: PathBuf,
    },
    /// Decide on a submission: per item and for the bundle, with every deficiency at once.
    #[command(after_help = EXIT_CODES)]
    Evaluate {
        #[command(flatten)]
        common: Common,
        /// Submission file (.json), or one of the bundle's test cases (its submission; its `date` unless --date).
        submission: PathBuf,
        #[command(flatten)]
        when: When,
    },
    /// Decide on many submissions (one JSON object per line), in parallel on all cores:
    /// one JSON decision per line on stdout, in input order, progress on stderr. A line
    /// that cannot be decided (not JSON, not UTF-8, longer than 16 MiB, not a submission)
    /// gets `{"line": N, "error": …}` in its place, and the batch goes on. Lines are
    /// decided 4,096 at a time, or fewer once they hold 16 MiB of text. A line longer than
    /// 16 MiB gets its error line as soon as the limit is reached (`bytes`: how much of it
    /// was read); the rest of it is then skipped, so an input without newlines
    /// (`/dev/zero`) shows its error line at once and is skipped for as long as it lasts.
    #[command(after_help = EXIT_CODES)]
    Batch {
        /// Bundle directory, or a packed bundle (.json).
        bundle: PathBuf,
        /// Submissions, one JSON object per line (.jsonl).
        submissions: PathBuf,
        #[command(flatten)]
        when: When,
        /// Leave each decision's trace out (`"trace": []`): faster, and under a third of the
        /// output.
        #[arg(long)]
        no_trace: bool,
    },
    /// Fill the form from data sources the applicant consents to (表单预填) and show which
    /// materials data sharing makes unnecessary.
    #[command(after_help = EXIT_CODES)]
    Prefill {
        #[command(flatten)]
        common: Common,
        /// A consented source's document: SOURCE-ID=FILE.json (repeat for each source).
        #[arg(long = "source", value_name = "ID=FILE")]
        sources: Vec<String>,
        /// What the applicant already typed (a JSON object of canonical values).
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Date derive rules see as `today` (YYYY-MM-DD); default: today.
        #[arg(long)]
        date: Option<String>,
    },
    /// Split a valid submission into one payload per department's item. Rules (derived
    /// fields, obligations, which items apply) see `today` only when --date is given: a
    /// payload of a decided application is dispatched with its decision's date.
    #[command(after_help = EXIT_CODES)]
    Dispatch {
        #[command(flatten)]
        common: Common,
        /// Submission file (.json), or one of the bundle's test cases (its submission; its `date` unless --date).
        submission: PathBuf,
        #[command(flatten)]
        when: When,
    },
    /// Turn a bundle directory into one packed JSON document (for browsers).
    #[command(after_help = EXIT_CODES)]
    Pack {
        /// Bundle directory.
        bundle: PathBuf,
        /// Write here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the one-time notice (一次告知): items, conditions, one merged materials list,
    /// process, time limits, fees, channels. With --submission, the notice of that
    /// applicant's situation: applicable items only, materials still owed.
    #[command(after_help = EXIT_CODES)]
    Notice {
        /// Bundle directory, or a packed bundle (.json).
        bundle: PathBuf,
        /// Output format: Markdown, self-contained HTML, or JSON (both languages).
        #[arg(long, value_enum, default_value = "md")]
        format: NoticeFormat,
        /// Language of Markdown and HTML (zh, en); default zh.
        #[arg(long)]
        lang: Option<LangArg>,
        /// The applicant's submission (.json): the notice of their situation.
        #[arg(long)]
        submission: Option<PathBuf>,
        #[command(flatten)]
        when: When,
    },
    /// Print the process plan (并联审批): dependency graph, parallel stages, critical-path
    /// time limit, what each department does in which stage.
    #[command(after_help = EXIT_CODES)]
    Plan {
        /// Bundle directory, or a packed bundle (.json).
        bundle: PathBuf,
        /// Output format: JSON, a Mermaid flowchart, or a Graphviz DOT digraph.
        #[arg(long, value_enum, default_value = "json")]
        format: PlanFormat,
        /// Language of Mermaid and DOT labels (zh, en); default zh.
        #[arg(long)]
        lang: Option<LangArg>,
    },
    /// Aggregate the departments' results on one application (一次发证): its state and the
    /// single delivery list; validates the rating (好差评) it carries.
    #[command(after_help = EXIT_CODES)]
    Results {
        #[command(flatten)]
        common: Common,
        /// The departments' reports (.json, see schemas/reports.schema.json).
        results: PathBuf,
    },
    /// Run a bundle's own cases: every `*.json` under DIR/decisions/ and DIR/tests/ is a
    /// submission with what its decision must be — the bundle's outcome from a file name
    /// `<outcome>--<what>.json`, and an optional `expect` block (outcome, items' outcomes,
    /// deficiencies, supplement deadlines, obligations, derived values; schemas/case.schema.json) and
    /// `date`. One line per case, a diff of each failure, `N passed, M failed`. The date of
    /// a case: its own (`date`, or DIR/fixture.json's `decision_dates`), else --date, else
    /// DIR/fixture.json's `evaluation_date`, else today. Exit 1 when a case fails; 2 when a
    /// case file is no case or names what the bundle does not have.
    #[command(after_help = EXIT_CODES)]
    Test {
        /// Bundle directory.
        dir: PathBuf,
        #[command(flatten)]
        when: When,
        /// Print the report as JSON (schemas/test-report.schema.json).
        #[arg(long, conflicts_with = "junit")]
        json: bool,
        /// Also write the report as JUnit XML to this file, for CI systems.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Say, per rule (eligibility, applies_if, required_if, checks, obligations, the
        /// policy, derive and visibility rules), how many cases made it true, false or fail,
        /// and which never ran; with the percentage of true/false ways taken.
        #[arg(long)]
        coverage: bool,
    },
    /// What changes between two versions of one bundle: per department (fields added,
    /// removed, renamed by the field map; constraints tightened or loosened), for the
    /// applicant (items, materials, time limits, fees, start dates, prerequisites), the rules
    /// whose text changed, and whether a draft saved under OLD can resume under NEW and what
    /// it would lose. Exit 2 when the two are different bundles (their ids differ).
    #[command(after_help = EXIT_CODES)]
    Diff {
        /// The old version: a bundle directory or a packed bundle (.json).
        old: PathBuf,
        /// The new version.
        new: PathBuf,
        /// Print the report as JSON (schemas/diff.schema.json).
        #[arg(long)]
        json: bool,
    },
    /// Write a new bundle into DIR (new or empty): bundle.json (naming its JSON Schema for
    /// editors), one department and item, its form, one rule, one submission, two cases and
    /// a README on what to edit next. It passes `check` and `test` as it is.
    #[command(after_help = EXIT_CODES)]
    Init {
        /// The directory to write.
        dir: PathBuf,
    },
    /// Print a shell completion script: `onething completions bash > /etc/bash_completion.d/onething`,
    /// `onething completions zsh > "${fpath[1]}/_onething"`,
    /// `onething completions fish > ~/.config/fish/completions/onething.fish`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The evaluation date and calendar.
#[derive(clap::Args)]
struct When {
    /// Evaluation date (YYYY-MM-DD); default: today (for `dispatch`: none, rules see no `today`).
    #[arg(long)]
    date: Option<String>,
    /// An official working-day calendar to add (JSON, see schemas/calendar.schema.json),
    /// such as the State Council's arrangement of a new year: its years replace those of
    /// the built-in PRC calendar (2025–2026) and must touch or overlap them. Repeat it to add
    /// several years in order. Years no calendar covers count the statutory holidays
    /// (2000–2099) and weekends.
    #[arg(long)]
    calendar: Vec<PathBuf>,
}

impl When {
    /// The date (default: today) and the options with the calendars added.
    fn resolve(&self) -> Result<(Date, EvalOptions), String> {
        let (date, opts) = self.resolve_given()?;
        Ok((date.unwrap_or_else(today), opts))
    }

    /// [`When::resolve`] without a default date: `None` when --date is not given.
    fn resolve_given(&self) -> Result<(Option<Date>, EvalOptions), String> {
        let date = match &self.date {
            Some(d) => Some(d.parse::<Date>().map_err(|e| format!("--date: {e}"))?),
            None => None,
        };
        let mut opts = EvalOptions::default();
        for path in &self.calendar {
            let text = load::read_file(path).map_err(|e| e.to_string())?;
            let name = path.display();
            let cal = Calendar::from_json(&text).map_err(|e| format!("{name}: {e}"))?;
            opts.calendar = Arc::new(opts.calendar.extended(&cal).map_err(|e| format!("{name}: {e}"))?);
        }
        Ok((date, opts))
    }
}

/// Today's date in China (UTC+8). The library never reads a clock; the command line does,
/// only to default `--date`.
fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from((secs + 8 * 3600) / 86_400).unwrap_or(0);
    Date::from_day_number(days).unwrap_or(Date::MIN)
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LangArg {
    Zh,
    En,
}

impl LangArg {
    /// The language, Chinese when none is given.
    fn or_zh(lang: Option<LangArg>) -> Lang {
        match lang {
            Some(LangArg::En) => Lang::En,
            Some(LangArg::Zh) | None => Lang::Zh,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum NoticeFormat {
    /// Markdown (also spelled `markdown`, as the npm package does).
    #[value(alias = "markdown")]
    Md,
    Html,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PlanFormat {
    Json,
    Mermaid,
    Dot,
}

/// How a command ended: the exit code, with what was already printed.
struct Exit(u8);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (false, true) => Verbosity::Verbose,
        (false, false) => Verbosity::Normal,
    };
    let mut out = Out::stdout(verbosity);
    let Exit(code) = run(cli.command, &mut out);
    ExitCode::from(out::exit_code(code, out.finish()))
}

fn run(command: Command, out: &mut Out) -> Exit {
    match command {
        Command::Check { common } => check(out, &common),
        Command::Form { bundle, items } => form(out, &bundle, &items),
        Command::Merge { files, allof, provenance, json } => merge(out, &files, allof, provenance, json),
        Command::Validate { common: Common { bundle, json, lang }, submission } => {
            validate(out, &bundle, &submission, json, lang)
        }
        Command::Dispatch { common: Common { bundle, json, lang }, submission, when } => {
            dispatch(out, &bundle, &submission, &when, json, lang)
        }
        Command::Pack { bundle, output } => pack(out, &bundle, output.as_deref()),
        Command::Notice { bundle, format, lang, submission, when } => {
            notice(out, &bundle, format, lang, submission.as_deref(), &when)
        }
        Command::Plan { bundle, format, lang } => plan(out, &bundle, format, lang),
        Command::Results { common: Common { bundle, json, lang }, results: file } => {
            results(out, &bundle, &file, json, lang)
        }
        Command::Evaluate { common: Common { bundle, json, lang }, submission, when } => {
            evaluate(out, &bundle, &submission, &when, json, lang)
        }
        Command::Batch { bundle, submissions, when, no_trace } => {
            batch::batch(out, &bundle, &submissions, &when, !no_trace)
        }
        Command::Prefill { common: Common { bundle, json, lang }, sources, answers, date } => {
            prefill(out, &bundle, &sources, answers.as_deref(), date.as_deref(), json, lang)
        }
        Command::Test { dir, when, json, junit, coverage } => {
            test::test(out, &test::TestArgs { dir: &dir, when: &when, json, junit: junit.as_ref(), coverage })
        }
        Command::Init { dir } => init::init(out, &dir),
        Command::Diff { old, new, json } => diff::run(out, &old, &new, json),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "onething",
                &mut script,
            );
            out!(out, "{}", String::from_utf8_lossy(&script));
            Exit(0)
        }
    }
}

fn say(t: &Text, lang: Option<LangArg>) -> String {
    match lang {
        Some(LangArg::Zh) => t.get(Lang::Zh).to_owned(),
        Some(LangArg::En) => t.get(Lang::En).to_owned(),
        None => t.to_string(),
    }
}

fn load_error(out: &mut Out, e: &LoadError, json: bool) -> Exit {
    if json {
        out.json(&json!({ "error": e }));
    } else {
        errln!("error: {e}");
    }
    Exit(2)
}

/// Reads a bundle directory or a packed bundle file.
fn read_bundle(path: &Path) -> Result<onething::Bundle, LoadError> {
    if path.is_dir() {
        return load::load_dir(path);
    }
    let text = load::read_file(path)?;
    load::from_packed_str(&text).map_err(|e| match e {
        LoadError::Syntax { line, column, message, .. } => {
            LoadError::Syntax { path: path.display().to_string(), line, column, message }
        }
        LoadError::Format { at, message, .. } => {
            LoadError::Format { path: path.display().to_string(), at, message }
        }
        other => other,
    })
}

fn compile(out: &mut Out, path: &Path, json: bool) -> Result<CompiledBundle, Exit> {
    let bundle = read_bundle(path).map_err(|e| load_error(out, &e, json))?;
    CompiledBundle::compile(bundle).map_err(|e| {
        if json {
            out.json(&json!({ "ok": false, "problems": e.problems }));
        } else {
            errln!("error: {e}");
        }
        Exit(1)
    })
}

/// What a submission file gives: the submission, and the date of a test case.
struct Given {
    submission: Submission,
    /// A test case's own evaluation date (`date` in the file), used when `--date` is not given.
    date: Option<Date>,
}

impl Given {
    /// The date to decide on: `--date`, else the case's own (none for a plain submission).
    fn date(&self, given: Option<Date>) -> Option<Date> {
        given.or(self.date)
    }

    /// [`Given::date`], else today.
    fn date_or_today(&self, given: Option<Date>) -> Date {
        self.date(given).unwrap_or_else(today)
    }
}

/// Reads a submission file, or a bundle's test case (`decisions/…`, `tests/…`: a submission
/// with `expect` and `date`), whose submission is taken with its date; what it expects is
/// for `onething test` to compare.
fn read_submission(out: &mut Out, path: &Path, json: bool) -> Result<Given, Exit> {
    let text = load::read_file(path).map_err(|e| load_error(out, &e, json))?;
    let name = path.display().to_string();
    if !is_case(&text) {
        let submission = Submission::from_json_named(&text, &name).map_err(|e| load_error(out, &e, json))?;
        return Ok(Given { submission, date: None });
    }
    let case = onething::case::Case::from_json_named(&text, &name).map_err(|e| load_error(out, &e, json))?;
    if out.verbosity != Verbosity::Quiet && !json {
        let on =
            case.date.map(|d| format!(" (its date: {d}, unless --date says otherwise)")).unwrap_or_default();
        errln!(
            "note: {name} is a test case: its submission is read{on}; `onething test` checks what it expects"
        );
    }
    Ok(Given { submission: case.submission, date: case.date })
}

/// Whether a submission file is a test case: an object with `expect` or `date` (members a
/// submission does not have). A file too large for a submission is left to the submission's
/// reader to refuse.
fn is_case(text: &str) -> bool {
    if text.len() > onething::submission::MAX_SUBMISSION_BYTES {
        return false;
    }
    let value: Option<Value> = serde_json::from_str(text).ok();
    value
        .as_ref()
        .and_then(Value::as_object)
        .is_some_and(|m| m.contains_key("expect") || m.contains_key("date"))
}

fn check(out: &mut Out, common: &Common) -> Exit {
    let Common { bundle: path, json, lang } = common;
    let (path, json, lang) = (path.as_path(), *json, *lang);
    let compiled = match compile(out, path, json) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let b = compiled.bundle();
    if json {
        out.json(&json!({
            "ok": true,
            "bundle": b.id,
            "items": b.items.len(),
            "departments": b.departments.len(),
            "fields": compiled.keys().len(),
            "warnings": compiled.warnings(),
        }));
        return Exit(0);
    }
    let declared: usize = b
        .items
        .iter()
        .map(|i| i.schema.get("properties").and_then(|p| p.as_object()).map_or(0, |p| p.len()))
        .sum();
    outln!(out, "ok: {} ({}) v{}", b.id, b.title, b.version);
    outln!(
        out,
        "  {} items from {} departments merge into one form of {} fields",
        b.items.len(),
        b.departments.len(),
        compiled.keys().len()
    );
    outln!(out, "  (the departments' forms have {declared} top-level properties between them)");
    let warnings: Vec<(String, String)> =
        compiled.warnings().iter().map(|w| (warning_kind(w), format!("  warning: {w}"))).collect();
    out.warnings(&warnings, |n| more_warnings(n, lang));
    Exit(0)
}

/// The kind of a compile warning, for summarising: what its place is (`field`, `item`,
/// `material`, `field dictionary`) and the first word of its message, which tells the
/// warnings of one place apart ("not in the field dictionary", "can never hold a value").
/// The core gives warnings no code of their own.
fn warning_kind(w: &onething::Warning) -> String {
    let place = w.at.split('`').next().unwrap_or_default().trim();
    let first = w.message.split_whitespace().next().unwrap_or_default();
    format!("{place}/{first}")
}

/// The line that stands for `n` warnings of one kind left out.
fn more_warnings(n: usize, lang: Option<LangArg>) -> String {
    let text = Text::new(
        format!("…另有 {n} 条同类警告（--verbose 显示全部）"),
        format!("… and {n} more warnings of this kind (--verbose for all)"),
    );
    format!("  {}", say(&text, lang))
}

fn form(out: &mut Out, path: &Path, items: &[String]) -> Exit {
    let compiled = match compile(out, path, false) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    if items.is_empty() {
        out.json(compiled.form());
        return Exit(0);
    }
    let ids: Vec<&str> = items.iter().map(String::as_str).collect();
    match compiled.form_for(&ids) {
        Ok(form) => {
            out.json(&form);
            Exit(0)
        }
        Err(e) => {
            errln!("error: {e}");
            Exit(2)
        }
    }
}

fn merge(out: &mut Out, files: &[PathBuf], allof: bool, provenance: bool, json: bool) -> Exit {
    if allof && files.len() != 1 {
        errln!("error: --allof takes exactly one file");
        return Exit(2);
    }
    let mut docs = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let text = match load::read_file(file) {
            Ok(t) => t,
            Err(e) => return load_error(out, &e, json),
        };
        match load::parse_json::<Value>(&text, &name) {
            Ok(v) => docs.push((name, v)),
            Err(e) => return load_error(out, &e, json),
        }
    }
    match schema::merge_values(&docs, MergeOptions { provenance }) {
        Ok(merged) => {
            out.json(&merged.schema);
            if out.verbosity != Verbosity::Quiet {
                for note in &merged.notes {
                    to_stderr(json, "note", note, &format!("optional place that can never be valid: {note}"));
                }
            }
            Exit(0)
        }
        Err(MergeError::Unsatisfiable(u)) => {
            to_stderr(json, "conflict", &u, &u.to_string());
            Exit(3)
        }
        Err(MergeError::Schema(e)) => {
            // A document that is no valid schema, or that cannot be merged.
            let message = e.to_string();
            if json {
                errln!(
                    "{}",
                    json!({ "error": { "kind": "invalid_schema", "message": message, "detail": e } })
                );
            } else {
                errln!("error: {message}");
            }
            Exit(2)
        }
        Err(e) => {
            to_stderr(json, "error", &e.to_string(), &e.to_string());
            Exit(2)
        }
    }
}

/// A report on stderr: `{"<kind>": value}` with `--json`, else `<kind>: text`.
fn to_stderr(json: bool, kind: &str, value: &impl Serialize, text: &str) {
    if json {
        errln!("{}", json!({ kind: value }));
    } else {
        errln!("{kind}: {text}");
    }
}

fn validate(out: &mut Out, path: &Path, submission: &Path, json: bool, lang: Option<LangArg>) -> Exit {
    let (compiled, given) = match compile_with_submission(out, path, submission, json) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let v = compiled.validate(&given.submission);
    if json {
        out.json(&v);
    } else {
        outln!(
            out,
            "{}: applicable items: {}",
            if v.valid { "valid" } else { "invalid" },
            v.applicable.join(", ")
        );
        for e in &v.errors {
            out.line(&format!(
                "  error: {} [{}; {}]",
                say(&e.message, lang),
                if e.pointer.is_empty() { "/" } else { &e.pointer },
                e.items.join(", ")
            ));
        }
        // Each a kind of its own: the core already counts the unknown keys past 20.
        let warnings: Vec<(String, String)> = v
            .warnings
            .iter()
            .enumerate()
            .map(|(n, w)| (n.to_string(), format!("  warning: {}", say(&w.message, lang))))
            .collect();
        out.warnings(&warnings, |n| more_warnings(n, lang));
    }
    Exit(if v.valid { 0 } else { 1 })
}

/// The bundle at `path`, compiled, and the submission at `submission`; the exit code of the
/// first that fails, its error printed.
fn compile_with_submission(
    out: &mut Out,
    path: &Path,
    submission: &Path,
    json: bool,
) -> Result<(CompiledBundle, Given), Exit> {
    compile(out, path, json).and_then(|c| read_submission(out, submission, json).map(|s| (c, s)))
}

fn dispatch(
    out: &mut Out,
    path: &Path,
    submission: &Path,
    when: &When,
    json: bool,
    lang: Option<LangArg>,
) -> Exit {
    let (date, opts) = match when.resolve_given() {
        Ok(x) => x,
        Err(message) => {
            errln!("error: {message}");
            return Exit(2);
        }
    };
    let (compiled, given) = match compile_with_submission(out, path, submission, json) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let date = given.date(date);
    match compiled.dispatch_with(&given.submission, date, &opts) {
        Ok(d) if json => {
            out.json(&d);
            Exit(0)
        }
        Ok(d) => {
            for p in &d.payloads {
                outln!(out, "{} → {} ({} fields)", p.item, p.department, p.fields.len());
                match serde_json::to_string_pretty(&p.payload) {
                    Ok(text) => outln!(out, "{}", indent(&text)),
                    Err(e) => outln!(out, "  (cannot print: {e})"),
                }
            }
            for n in &d.not_dispatched {
                outln!(out, "not sent: {} — {}", n.key, say(&n.reason, lang));
            }
            Exit(0)
        }
        Err(e) => {
            if json {
                out.json(&json!({ "error": e }));
            } else {
                errln!("error: {e}");
                if let onething::DispatchError::Invalid { validation } = &e {
                    for err in &validation.errors {
                        errln!("  error: {}", say(&err.message, lang));
                    }
                }
            }
            Exit(1)
        }
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

fn pack(out: &mut Out, path: &Path, output: Option<&Path>) -> Exit {
    let bundle = match load::load_dir(path) {
        Ok(b) => b,
        Err(e) => return load_error(out, &e, false),
    };
    if let Err(e) = CompiledBundle::compile(bundle.clone()) {
        errln!("error: {e}");
        return Exit(1);
    }
    let text = match serde_json::to_string_pretty(&bundle) {
        Ok(t) => t,
        Err(e) => {
            errln!("error: {e}");
            return Exit(2);
        }
    };
    match output {
        None => outln!(out, "{text}"),
        Some(out) => {
            if let Err(e) = std::fs::write(out, text + "\n") {
                errln!("error: {}: {e}", out.display());
                return Exit(2);
            }
        }
    }
    Exit(0)
}

fn evaluate(
    out: &mut Out,
    path: &Path,
    submission: &Path,
    when: &When,
    json: bool,
    lang: Option<LangArg>,
) -> Exit {
    let (date, opts) = match when.resolve_given() {
        Ok(x) => x,
        Err(message) => {
            errln!("error: {message}");
            return Exit(2);
        }
    };
    let (compiled, given) = match compile_with_submission(out, path, submission, json) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let date = given.date_or_today(date);
    let d = compiled.evaluate_with(&given.submission, date, &opts);
    if json {
        out.json(&d);
    } else {
        out!(out, "{}", report(&d, lang));
    }
    Exit(if d.outcome.is_accepted() { 0 } else { 1 })
}

/// A readable decision.
fn report(d: &Decision, lang: Option<LangArg>) -> String {
    let mut out = format!("{} on {}: {}\n", d.bundle, d.date, say(&d.outcome.text(), lang));
    for r in &d.reasons {
        out += &format!("  note: {}\n", say(&r.message, lang));
    }
    for item in &d.items {
        out += &format!("  {} ({}): {}", item.item, item.department, say(&item.outcome.text(), lang));
        if let Some(by) = &item.supplement_by {
            out += &format!(", supply {} by {by}", item.tolerated.join(", "));
        }
        out += "\n";
        for r in &item.reasons {
            out += &format!("      {}\n", say(&r.message, lang));
        }
    }
    for (item, o) in d.items.iter().flat_map(|i| i.obligations.iter().map(move |o| (&i.item, o))) {
        let amount = o
            .amount
            .as_ref()
            .map(|a| format!(" {a} {}", o.unit.as_ref().map(|u| say(u, lang)).unwrap_or_default()));
        let due = o.due.as_ref().map(|d| format!(" by {d}")).unwrap_or_default();
        out += &format!(
            "obligation of {item}: {}{}{due}\n",
            say(&o.text, lang),
            amount.unwrap_or_default().trim_end()
        );
    }
    if !d.deficiencies.is_empty() {
        out += &format!("everything to fix ({}):\n", d.deficiencies.len());
        for (n, def) in d.deficiencies.iter().enumerate() {
            out += &format!(
                "  {}. {} — {} [{}]\n",
                n + 1,
                say(&def.message, lang),
                say(&def.fix, lang),
                def.items.join(", ")
            );
        }
    }
    for s in &d.supplements {
        out += &format!("to supply later: {} by {} [{}]\n", say(&s.title, lang), s.by, s.items.join(", "));
    }
    out
}

fn prefill(
    out: &mut Out,
    path: &Path,
    sources: &[String],
    answers: Option<&Path>,
    date: Option<&str>,
    json: bool,
    lang: Option<LangArg>,
) -> Exit {
    let date = match date.map(str::parse::<Date>).transpose() {
        Ok(d) => d.unwrap_or_else(today),
        Err(e) => {
            errln!("error: --date: {e}");
            return Exit(2);
        }
    };
    let compiled = match compile(out, path, json) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let mut documents = indexmap::IndexMap::new();
    for arg in sources {
        let Some((id, file)) = arg.split_once('=') else {
            errln!("error: --source takes ID=FILE, not `{arg}`");
            return Exit(2);
        };
        // A document under an id the bundle does not declare would be silently ignored.
        if !compiled.bundle().sources.iter().any(|s| s.id == id) {
            let declared: Vec<&str> = compiled.bundle().sources.iter().map(|s| s.id.as_str()).collect();
            errln!(
                "error: --source: the bundle declares no source `{id}`; it declares: {}",
                declared.join(", ")
            );
            return Exit(2);
        }
        let text = match load::read_file(Path::new(file)) {
            Ok(t) => t,
            Err(e) => return load_error(out, &e, json),
        };
        match load::parse_json::<Value>(&text, file) {
            Ok(doc) => documents.insert(id.to_owned(), doc),
            Err(e) => return load_error(out, &e, json),
        };
    }
    let typed = match answers {
        None => serde_json::Map::new(),
        Some(file) => {
            let text = match load::read_file(file) {
                Ok(t) => t,
                Err(e) => return load_error(out, &e, json),
            };
            match load::parse_json(&text, &file.display().to_string()) {
                Ok(map) => map,
                Err(e) => return load_error(out, &e, json),
            }
        }
    };
    let consent: Vec<String> = documents.keys().cloned().collect();
    let p = compiled.prefill(&typed, &consent, &documents, Some(date));
    if json {
        out.json(&p);
        return Exit(0);
    }
    let f = p.figures;
    outln!(
        out,
        "prefilled {} of {} fields; {} of {} materials shared{}",
        f.fields_prefilled,
        f.fields_total,
        f.materials_shared,
        f.materials_total,
        if f.zero_material { " — nothing to upload (零材料提交)" } else { "" }
    );
    for (key, filled) in &p.values {
        let from = match &filled.origin {
            onething::prefill::FillOrigin::Applicant => "typed".to_owned(),
            onething::prefill::FillOrigin::Source { source, pointer } => format!("{source}{pointer}"),
            onething::prefill::FillOrigin::Derived { rule, .. } => format!("derived by {rule}"),
        };
        outln!(out, "  {key} = {} ({from}{})", filled.value, if filled.locked { ", locked" } else { "" });
    }
    for c in &p.conflicts {
        outln!(out, "  conflict: {} — {}", c.key, say(&c.message, lang));
    }
    for n in &p.notes {
        outln!(out, "  note: {} {} — {}", n.source, n.key.as_deref().unwrap_or(""), say(&n.message, lang));
    }
    if !p.to_type.is_empty() {
        outln!(out, "still to type: {}", p.to_type.join(", "));
    }
    Exit(0)
}

fn notice(
    out: &mut Out,
    path: &Path,
    format: NoticeFormat,
    lang: Option<LangArg>,
    submission: Option<&Path>,
    when: &When,
) -> Exit {
    let json = matches!(format, NoticeFormat::Json);
    let compiled = match compile(out, path, json) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let notice = match submission {
        None => compiled.notice(),
        Some(file) => {
            let (date, opts) = match when.resolve_given() {
                Ok(x) => x,
                Err(message) => {
                    errln!("error: {message}");
                    return Exit(2);
                }
            };
            match read_submission(out, file, json) {
                Ok(given) => {
                    let date = given.date_or_today(date);
                    compiled.notice_for_with(&given.submission, date, &opts)
                }
                Err(exit) => return exit,
            }
        }
    };
    let lang = LangArg::or_zh(lang);
    match format {
        NoticeFormat::Json => out.json(&notice),
        NoticeFormat::Md => out!(out, "{}", notice.to_markdown(lang)),
        NoticeFormat::Html => out!(out, "{}", notice.to_html(lang)),
    }
    Exit(0)
}

fn plan(out: &mut Out, path: &Path, format: PlanFormat, lang: Option<LangArg>) -> Exit {
    let compiled = match compile(out, path, matches!(format, PlanFormat::Json)) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let plan = compiled.plan();
    let lang = LangArg::or_zh(lang);
    match format {
        PlanFormat::Json => out.json(&plan),
        PlanFormat::Mermaid => out!(out, "{}", plan.to_mermaid(lang)),
        PlanFormat::Dot => out!(out, "{}", plan.to_dot(lang)),
    }
    Exit(0)
}

fn results(out: &mut Out, path: &Path, file: &Path, json: bool, lang: Option<LangArg>) -> Exit {
    let compiled = match compile(out, path, json) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let text = match load::read_file(file) {
        Ok(t) => t,
        Err(e) => return load_error(out, &e, json),
    };
    let mut fail = |e: &onething::ResultsError, code: u8| {
        if json {
            out.json(&json!({ "ok": false, "problems": e.problems }));
        } else {
            errln!("error: {}: {e}", file.display());
        }
        Exit(code)
    };
    // Unreadable JSON is bad input (2); well-formed reports that contradict the bundle are
    // an answer (1).
    let reports = match onething::Reports::from_json(&text) {
        Ok(r) => r,
        Err(e) => return fail(&e, 2),
    };
    let r = match compiled.results(&reports) {
        Ok(r) => r,
        Err(e) => return fail(&e, 1),
    };
    if json {
        out.json(&r);
        return Exit(0);
    }
    let app = r.application.as_deref().map(|a| format!(" {a}")).unwrap_or_default();
    outln!(out, "{}{app}: {} — {}", r.bundle, say(&r.state.text(), lang), say(&r.summary, lang));
    for item in &r.items {
        let status = match item.status {
            onething::results::ItemStatus::Awaiting => "awaiting",
            onething::results::ItemStatus::InProgress => "in progress",
            onething::results::ItemStatus::Approved => "approved",
            onething::results::ItemStatus::Refused => "refused",
        };
        let reason = item.reason.as_ref().map(|t| format!(" — {}", say(t, lang))).unwrap_or_default();
        outln!(out, "  {} ({}): {status}{reason}", item.item, item.department);
    }
    if !r.delivery.is_empty() {
        outln!(out, "delivery list ({}):", r.delivery.len());
        for (n, d) in r.delivery.iter().enumerate() {
            let c = &d.certificate;
            let mut refs = Vec::new();
            if let Some(no) = &c.number {
                refs.push(format!("no. {no}"));
            }
            if let Some(e) = &c.e_licence {
                refs.push(format!("e-licence {e}"));
            }
            if c.paper {
                refs.push("paper original".to_owned());
            }
            outln!(
                out,
                "  {}. {} ({}) [{}, {}]",
                n + 1,
                say(&c.title, lang),
                refs.join("; "),
                d.item,
                say(&d.department_name, lang)
            );
        }
    }
    if let Some(rating) = &r.rating {
        for s in &rating.scores {
            let who = s.department.as_deref().unwrap_or("overall");
            let level = onething::results::score_text(s.score).map(|t| say(&t, lang)).unwrap_or_default();
            let comment = s.comment.as_deref().map(|c| format!(" — {c}")).unwrap_or_default();
            outln!(out, "rating: {who}: {}/5 {level}{comment}", s.score);
        }
    }
    Exit(0)
}
