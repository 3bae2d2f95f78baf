//! `onething` — the command-line face of the onething library.
//!
//! Every command is a thin wrapper: it reads files, calls the library, and prints a readable
//! report (or JSON with `--json`). See `onething --help` for the exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use onething::schema::{self, Document, MergeError, MergeOptions, Origin};
use onething::{CompiledBundle, Lang, LoadError, Submission, Text, load};
use serde::Serialize;
use serde_json::{Value, json};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (the bundle compiles, the submission is valid, the schemas merge)
  1  the input is well-formed but the answer is no: bundle problems (check), an invalid
     submission (validate, dispatch)
  2  bad input: unreadable or malformed file, not a JSON Schema, bad command line
  3  merge: the schemas contradict each other (no instance satisfies all of them)";

/// One application for many departments: merge their forms, validate once, dispatch to all.
#[derive(Parser)]
#[command(name = "onething", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a bundle and list every problem and warning.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Bundle directory, or a packed bundle (.json).
        bundle: PathBuf,
        /// Print a JSON report.
        #[arg(long)]
        json: bool,
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
        /// Bundle directory, or a packed bundle (.json).
        bundle: PathBuf,
        /// Submission file (.json).
        submission: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Language of the readable report (zh, en); both when absent.
        #[arg(long)]
        lang: Option<LangArg>,
    },
    /// Split a valid submission into one payload per department's item.
    #[command(after_help = EXIT_CODES)]
    Dispatch {
        /// Bundle directory, or a packed bundle (.json).
        bundle: PathBuf,
        /// Submission file (.json).
        submission: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Language of the readable report (zh, en); both when absent.
        #[arg(long)]
        lang: Option<LangArg>,
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LangArg {
    Zh,
    En,
}

/// How a command ended: the exit code, with what was already printed.
struct Exit(u8);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { bundle, json } => check(&bundle, json),
        Command::Form { bundle, items } => form(&bundle, &items),
        Command::Merge {
            files,
            allof,
            provenance,
            json,
        } => merge(&files, allof, provenance, json),
        Command::Validate {
            bundle,
            submission,
            json,
            lang,
        } => validate(&bundle, &submission, json, lang),
        Command::Dispatch {
            bundle,
            submission,
            json,
            lang,
        } => dispatch(&bundle, &submission, json, lang),
        Command::Pack { bundle, output } => pack(&bundle, output.as_deref()),
    };
    ExitCode::from(result.0)
}

fn print_json(v: &impl Serialize) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: cannot write JSON: {e}"),
    }
}

fn say(t: &Text, lang: Option<LangArg>) -> String {
    match lang {
        Some(LangArg::Zh) => t.get(Lang::Zh).to_owned(),
        Some(LangArg::En) => t.get(Lang::En).to_owned(),
        None => t.to_string(),
    }
}

fn load_error(e: &LoadError, json: bool) -> Exit {
    if json {
        print_json(&json!({ "error": e }));
    } else {
        eprintln!("error: {e}");
    }
    Exit(2)
}

/// Reads a bundle directory or a packed bundle file.
fn read_bundle(path: &Path) -> Result<onething::Bundle, LoadError> {
    if path.is_dir() {
        return load::load_dir(path);
    }
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    load::from_packed_str(&text).map_err(|e| match e {
        LoadError::Syntax {
            line,
            column,
            message,
            ..
        } => LoadError::Syntax {
            path: path.display().to_string(),
            line,
            column,
            message,
        },
        LoadError::Format { at, message, .. } => LoadError::Format {
            path: path.display().to_string(),
            at,
            message,
        },
        other => other,
    })
}

fn compile(path: &Path, json: bool) -> Result<CompiledBundle, Exit> {
    let bundle = read_bundle(path).map_err(|e| load_error(&e, json))?;
    CompiledBundle::compile(bundle).map_err(|e| {
        if json {
            print_json(&json!({ "ok": false, "problems": e.problems }));
        } else {
            eprintln!("error: {e}");
        }
        Exit(1)
    })
}

fn read_submission(path: &Path, json: bool) -> Result<Submission, Exit> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        load_error(
            &LoadError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            },
            json,
        )
    })?;
    Submission::from_json_named(&text, &path.display().to_string())
        .map_err(|e| load_error(&e, json))
}

fn check(path: &Path, json: bool) -> Exit {
    let compiled = match compile(path, json) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let b = compiled.bundle();
    if json {
        print_json(&json!({
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
        .map(|i| {
            i.schema
                .get("properties")
                .and_then(|p| p.as_object())
                .map_or(0, |p| p.len())
        })
        .sum();
    println!("ok: {} ({}) v{}", b.id, b.title, b.version);
    println!(
        "  {} items from {} departments merge into one form of {} fields",
        b.items.len(),
        b.departments.len(),
        compiled.keys().len()
    );
    println!("  (the departments' forms have {declared} top-level properties between them)");
    for w in compiled.warnings() {
        println!("  warning: {w}");
    }
    Exit(0)
}

fn form(path: &Path, items: &[String]) -> Exit {
    let compiled = match compile(path, false) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    if items.is_empty() {
        print_json(compiled.form());
        return Exit(0);
    }
    let ids: Vec<&str> = items.iter().map(String::as_str).collect();
    match compiled.form_for(&ids) {
        Ok(form) => {
            print_json(&form);
            Exit(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit(2)
        }
    }
}

fn merge(files: &[PathBuf], allof: bool, provenance: bool, json: bool) -> Exit {
    if allof && files.len() != 1 {
        eprintln!("error: --allof takes exactly one file");
        return Exit(2);
    }
    let mut docs = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let name = file.display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                return load_error(
                    &LoadError::Io {
                        path: name,
                        message: e.to_string(),
                    },
                    json,
                );
            }
        };
        let value: Value = match load::parse_json(&text, &name) {
            Ok(v) => v,
            Err(e) => return load_error(&e, json),
        };
        let doc = Document::new(
            value.clone(),
            Origin::document(&name),
            &format!("s{}", i + 1),
        )
        .map_err(|e| e.to_string())
        .and_then(|d| {
            schema::compile(&value)
                .map(|_| d)
                .map_err(|(p, m)| format!("{name}: {p}: {m}"))
        });
        match doc {
            Ok(d) => docs.push(Arc::new(d)),
            Err(message) => {
                if json {
                    eprintln!(
                        "{}",
                        json!({ "error": { "kind": "invalid_schema", "message": message } })
                    );
                } else {
                    eprintln!("error: {message}");
                }
                return Exit(2);
            }
        }
    }
    match schema::merge(&docs, MergeOptions { provenance }) {
        Ok(out) => {
            print_json(&out.schema);
            for note in &out.notes {
                to_stderr(
                    json,
                    "note",
                    note,
                    &format!("optional place that can never be valid: {note}"),
                );
            }
            Exit(0)
        }
        Err(MergeError::Unsatisfiable(u)) => {
            to_stderr(json, "conflict", &u, &u.to_string());
            Exit(3)
        }
        Err(MergeError::Schema(e)) => {
            to_stderr(json, "error", &e, &e.to_string());
            Exit(2)
        }
    }
}

/// A report on stderr: `{"<kind>": value}` with `--json`, else `<kind>: text`.
fn to_stderr(json: bool, kind: &str, value: &impl Serialize, text: &str) {
    if json {
        eprintln!("{}", json!({ kind: value }));
    } else {
        eprintln!("{kind}: {text}");
    }
}

fn validate(path: &Path, submission: &Path, json: bool, lang: Option<LangArg>) -> Exit {
    let (compiled, s) =
        match compile(path, json).and_then(|c| read_submission(submission, json).map(|s| (c, s))) {
            Ok(x) => x,
            Err(exit) => return exit,
        };
    let v = compiled.validate(&s);
    if json {
        print_json(&v);
    } else {
        println!(
            "{}: applicable items: {}",
            if v.valid { "valid" } else { "invalid" },
            v.applicable.join(", ")
        );
        for e in &v.errors {
            println!(
                "  error: {} [{}; {}]",
                say(&e.message, lang),
                if e.pointer.is_empty() {
                    "/"
                } else {
                    &e.pointer
                },
                e.items.join(", ")
            );
        }
        for w in &v.warnings {
            println!("  warning: {}", say(&w.message, lang));
        }
    }
    Exit(if v.valid { 0 } else { 1 })
}

fn dispatch(path: &Path, submission: &Path, json: bool, lang: Option<LangArg>) -> Exit {
    let (compiled, s) =
        match compile(path, json).and_then(|c| read_submission(submission, json).map(|s| (c, s))) {
            Ok(x) => x,
            Err(exit) => return exit,
        };
    match compiled.dispatch(&s) {
        Ok(d) if json => {
            print_json(&d);
            Exit(0)
        }
        Ok(d) => {
            for p in &d.payloads {
                println!("{} → {} ({} fields)", p.item, p.department, p.fields.len());
                match serde_json::to_string_pretty(&p.payload) {
                    Ok(text) => println!("{}", indent(&text)),
                    Err(e) => println!("  (cannot print: {e})"),
                }
            }
            for n in &d.not_dispatched {
                println!("not sent: {} — {}", n.key, say(&n.reason, lang));
            }
            Exit(0)
        }
        Err(e) => {
            if json {
                print_json(&json!({ "error": e }));
            } else {
                eprintln!("error: {e}");
                if let onething::DispatchError::Invalid { validation } = &e {
                    for err in &validation.errors {
                        eprintln!("  error: {}", say(&err.message, lang));
                    }
                }
            }
            Exit(1)
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn pack(path: &Path, output: Option<&Path>) -> Exit {
    let bundle = match load::load_dir(path) {
        Ok(b) => b,
        Err(e) => return load_error(&e, false),
    };
    if let Err(e) = CompiledBundle::compile(bundle.clone()) {
        eprintln!("error: {e}");
        return Exit(1);
    }
    let text = match serde_json::to_string_pretty(&bundle) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit(2);
        }
    };
    match output {
        None => println!("{text}"),
        Some(out) => {
            if let Err(e) = std::fs::write(out, text + "\n") {
                eprintln!("error: {}: {e}", out.display());
                return Exit(2);
            }
        }
    }
    Exit(0)
}
