//! The command-line tool end to end: output and exit codes as `onething --help` documents.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn onething(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onething")).args(args).current_dir(root()).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A directory of its own for one test, in the system's temporary directory (`target/`
/// may live elsewhere), removed when the test ends — passed or failed.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("onething-cli-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `content` to `name` in the directory.
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a file still open elsewhere must not turn a passed test into a panic.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_reports_a_bundle() {
    let o = onething(&["check", "fixtures/restaurant-opening"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("5 items from 4 departments merge into one form of 40 fields"),
        "{}",
        stdout(&o)
    );
    let o = onething(&["check", "fixtures/newborn", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["warnings"], serde_json::json!([]));
}

#[test]
fn check_lists_every_problem_and_exits_1() {
    let dir = Scratch::new("check_lists_every_problem_and_exits_1");
    dir.file(
        "bundle.json",
        r#"{"id": "b", "version": "1", "title": {"zh": "坏", "en": "Bad"}, "lead": "x",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "items": [{"id": "i", "department": "a", "title": {"zh": "项", "en": "I"},
                       "schema": {"properties": {"x": {"type": "strin"}}}},
                      {"id": "i", "department": "a", "title": {"zh": "项", "en": "I"}, "schema": {}}]}"#,
    );
    let o = onething(&["check", dir.path()]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("duplicate item id `i`")
            && err.contains("unknown department `x`")
            && err.contains("/properties/x/type"),
        "{err}"
    );
    let o = onething(&["check", dir.path(), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["problems"].as_array().unwrap().len(), 3, "{report:#}");
}

#[test]
fn check_reports_a_misspelt_rule_file_with_every_other_problem() {
    let dir = Scratch::new("check_reports_a_misspelt_rule_file_with_every_other_problem");
    dir.file(
        "bundle.json",
        r#"{"id": "b", "version": "1", "title": {"zh": "坏", "en": "Bad"}, "lead": "a",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "items": [{"id": "i", "department": "a", "title": {"zh": "项", "en": "I"}, "schema": {},
                       "eligibility": [
                         {"id": "adult", "title": {"zh": "成年", "en": "Adult"}, "file": "rules/adlut.rhai"},
                         {"id": "broken", "title": {"zh": "坏", "en": "Broken"}, "file": "rules/broken.rhai"}]}]}"#,
    );
    dir.file("rules/adult.rhai", "true");
    dir.file("rules/broken.rhai", "let x = ;");
    let o = onething(&["check", dir.path()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("2 problem(s)"), "{err}");
    assert!(
        err.contains("rule `adult` at rules/adlut.rhai: cannot read the script file")
            && err.contains("did you mean `rules/adult.rhai`?"),
        "{err}"
    );
    assert!(err.contains("rule `broken` at rules/broken.rhai:1:9"), "{err}");
}

#[test]
fn unreadable_and_malformed_input_exit_2() {
    let scratch = Scratch::new("unreadable_and_malformed_input_exit_2");
    let o = onething(&["check", "no/such/bundle"]);
    assert_eq!(code(&o), 2);
    let bad = scratch.file("bad.json", "{\"id\": ");
    let o = onething(&["check", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("invalid JSON"), "{}", stderr(&o));
    let o = onething(&["validate", "fixtures/newborn", bad.to_str().unwrap(), "--json"]);
    assert_eq!(code(&o), 2);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["error"]["kind"], "syntax");
}

#[test]
fn validate_exits_0_or_1_and_speaks_both_languages() {
    let o = onething(&["validate", "fixtures/newborn", "fixtures/newborn/submissions/valid-full.json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = onething(&[
        "validate",
        "fixtures/newborn",
        "fixtures/newborn/submissions/invalid-mother-id-check-digit.json",
        "--lang",
        "zh",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("校验位不正确"), "{}", stdout(&o));
    let o = onething(&[
        "validate",
        "fixtures/newborn",
        "fixtures/newborn/submissions/invalid-mother-id-check-digit.json",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["errors"][0]["message"]["en"].as_str().unwrap().ends_with("check digit is wrong"));
}

#[test]
fn dispatch_prints_each_departments_payload() {
    let o = onething(&[
        "dispatch",
        "fixtures/restaurant-opening",
        "fixtures/restaurant-opening/submissions/valid-full.json",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["payloads"].as_array().unwrap().len(), 5);
    let o = onething(&[
        "dispatch",
        "fixtures/restaurant-opening",
        "fixtures/restaurant-opening/submissions/invalid-code.json",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("nothing is dispatched"), "{}", stderr(&o));
}

/// Without --date rules see no `today` (as the library's `dispatch`); with it, what depends
/// on the date is in the payloads: an obligation's due date (school enrolment: report on
/// 1 September of the application's year).
#[test]
fn dispatch_on_a_date_gives_what_depends_on_it() {
    let args = [
        "dispatch",
        "fixtures/school-enrolment",
        "fixtures/school-enrolment/submissions/valid-full.json",
        "--json",
    ];
    let due = |extra: &[&str]| {
        let o = onething(&[&args[..], extra].concat());
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let dues: Vec<serde_json::Value> = d["payloads"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["obligations"].as_array().cloned().unwrap_or_default())
            .map(|o| o["due"].clone())
            .collect();
        assert!(!dues.is_empty());
        dues
    };
    assert!(due(&[]).iter().all(serde_json::Value::is_null));
    assert!(due(&["--date", "2026-08-03"]).iter().all(|d| d == "2026-09-01"));
    let o = onething(&[&args[..], &["--date", "2026-02-30"]].concat());
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--date"), "{}", stderr(&o));
}

#[test]
fn pack_round_trips_through_the_packed_form() {
    let scratch = Scratch::new("pack_round_trips_through_the_packed_form");
    let packed = scratch.0.join("packed.json");
    let o = onething(&["pack", "fixtures/business-startup", "-o", packed.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let dir = onething(&["form", "fixtures/business-startup"]);
    let file = onething(&["form", packed.to_str().unwrap()]);
    assert_eq!(stdout(&dir), stdout(&file));
}

#[test]
fn form_for_some_items_leaves_the_others_out() {
    let o = onething(&["form", "fixtures/restaurant-opening", "--items", "business-licence-check"]);
    assert_eq!(code(&o), 0);
    let form: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(form["properties"].get("tobacco.school_distance_m").is_none());
    let o = onething(&["form", "fixtures/restaurant-opening", "--items", "nope"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn merge_exit_codes() {
    let scratch = Scratch::new("merge_exit_codes");
    let a = scratch.file("a.json", r#"{"type": "string", "maxLength": 5}"#);
    let b = scratch.file("b.json", r#"{"type": ["string", "null"], "minLength": 2}"#);
    let c = scratch.file("c.json", r#"{"type": "integer"}"#);
    let not_schema = scratch.file("n.json", r#"{"type": 5}"#);
    let o = onething(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    let m: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (m["type"].clone(), m["minLength"].clone(), m["maxLength"].clone()),
        (serde_json::json!("string"), serde_json::json!(2), serde_json::json!(5))
    );
    let o = onething(&["merge", a.to_str().unwrap(), c.to_str().unwrap()]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("a.json") && stderr(&o).contains("c.json"), "{}", stderr(&o));
    let o = onething(&["merge", "--json", a.to_str().unwrap(), c.to_str().unwrap()]);
    let conflict: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(conflict["conflict"]["reasons"][0]["constraint"], "type");
    let o = onething(&["merge", a.to_str().unwrap(), not_schema.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let o = onething(&["merge", "--allof", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let nested = scratch.file("nested.json", r#"{"allOf": [{"minimum": 1}, {"allOf": [{"maximum": 9}]}]}"#);
    let o = onething(&["merge", "--allof", nested.to_str().unwrap()]);
    let m: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        m,
        serde_json::json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "minimum": 1, "maximum": 9})
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let o = onething(&["--help"]);
    assert!(stdout(&o).contains("3  merge: the schemas contradict each other"), "{}", stdout(&o));
}

#[test]
fn evaluate_reports_a_decision() {
    let o = onething(&[
        "evaluate",
        "fixtures/restaurant-opening",
        "fixtures/restaurant-opening/submissions/invalid-id-check-digit.json",
        "--date",
        "2026-03-02",
        "--lang",
        "en",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("restaurant-opening on 2026-03-02: correction required"), "{out}");
    assert!(out.contains("everything to fix"), "{out}");
    let o = onething(&[
        "evaluate",
        "fixtures/restaurant-opening",
        "fixtures/restaurant-opening/submissions/valid-small.json",
        "--date",
        "2026-03-02",
        "--json",
    ]);
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["date"], "2026-03-02");
    assert!(d["trace"].as_array().unwrap().iter().any(|t| t["kind"] == "applies_if"));
    let o = onething(&[
        "evaluate",
        "fixtures/newborn",
        "fixtures/newborn/submissions/valid-full.json",
        "--date",
        "2026-02-30",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--date"), "{}", stderr(&o));
}

/// A bundle's test case (a submission with `expect` and `date`) is read by `evaluate`,
/// `validate`, `dispatch` and `notice` as its submission, decided on its own date unless
/// `--date` is given; a case that is wrong as a case is refused with its place.
#[test]
fn evaluate_validate_and_dispatch_read_a_test_case() {
    let case = "fixtures/business-startup/tests/accepted_with_tolerance--a-day-before-new-years-eve-due-on-the-eve.json";
    let o = onething(&["evaluate", "fixtures/business-startup", case, "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["date"], "2026-12-30");
    assert_eq!(d["outcome"], "accepted_with_tolerance");
    assert_eq!(stderr(&o), "", "no note with --json");
    let o =
        onething(&["evaluate", "fixtures/business-startup", case, "--date", "2026-05-06", "--lang", "en"]);
    assert!(stdout(&o).starts_with("business-startup on 2026-05-06: "), "{}", stdout(&o));
    assert!(stderr(&o).contains("is a test case"), "{}", stderr(&o));
    let o = onething(&["-q", "validate", "fixtures/business-startup", case]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "--quiet: no note");
    let o = onething(&["dispatch", "fixtures/business-startup", case, "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = onething(&["notice", "fixtures/business-startup", "--submission", case, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let scratch = Scratch::new("evaluate_validate_and_dispatch_read_a_test_case");
    let text = std::fs::read_to_string(root().join(case)).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["expect"] = serde_json::json!({"items": {"company-registration": "maybe"}});
    let bad = scratch.file("bad-expect.json", &value.to_string());
    let o = onething(&["evaluate", "fixtures/business-startup", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad-expect.json") && stderr(&o).contains("expect"), "{}", stderr(&o));
    value["expect"] = serde_json::json!({"outcome": "accepted"});
    value["date"] = serde_json::json!("2026-02-30");
    let bad = scratch.file("bad-date.json", &value.to_string());
    let o = onething(&["evaluate", "fixtures/business-startup", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad-date.json") && stderr(&o).contains("date"), "{}", stderr(&o));
    // A member neither a submission nor a case has is still refused as before.
    value["dat"] = serde_json::json!(1);
    let bad = scratch.file("typo.json", &value.to_string());
    let o = onething(&["evaluate", "fixtures/business-startup", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown field `dat`"), "{}", stderr(&o));
}

/// `--calendar` adds an official calendar to the built-in one: a 2027 arrangement that
/// makes Saturday 2 January a working day moves the New Year's Eve case's deadline from
/// Monday the 4th to that Saturday; a refused calendar names its file and JSON Pointer.
#[test]
fn evaluate_adds_the_calendar_of_a_new_year() {
    let scratch = Scratch::new("calendar");
    let case = "fixtures/business-startup/decisions/accepted_with_tolerance--new-years-eve-supplement-due-after-yuandan-2027.json";
    let holidays = r#""2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03""#;
    let write = |name: &str, workdays: &str| {
        let path = scratch.0.join(name);
        let text = format!(
            r#"{{"name": {{"zh": "2027年", "en": "2027"}}, "years": [2027, 2027], "holidays": [{holidays}], "workdays": [{workdays}]}}"#
        );
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let deadline = |extra: &[&str]| {
        let mut args = vec!["evaluate", "fixtures/business-startup", case, "--date", "2026-12-31", "--json"];
        args.extend_from_slice(extra);
        let o = onething(&args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let reasons = d["reasons"].as_array().cloned().unwrap_or_default();
        let notes = reasons.iter().filter(|r| r["rule"] == "calendar").count();
        (d["supplements"][0]["by"].as_str().unwrap().to_owned(), notes)
    };
    assert_eq!(deadline(&[]), ("2027-01-04".to_owned(), 1));
    let official = write("2027.json", r#""2027-01-02""#);
    assert_eq!(deadline(&["--calendar", &official]), ("2027-01-02".to_owned(), 0));
    let typo = write("typo.json", r#""2027-01-04""#);
    let o = onething(&[
        "evaluate",
        "fixtures/business-startup",
        case,
        "--date",
        "2026-12-31",
        "--calendar",
        &typo,
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("typo.json") && stderr(&o).contains("/workdays/0"), "{}", stderr(&o));
}

/// A restaurant-opening submission file as one line of JSON, for `batch` inputs.
fn submission_line(name: &str) -> String {
    let path = root().join("fixtures/restaurant-opening/submissions").join(name);
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_string(&value).unwrap()
}

#[test]
fn batch_keeps_input_order_and_reports_bad_lines() {
    let scratch = Scratch::new("batch_keeps_input_order_and_reports_bad_lines");
    let (valid, invalid) = (submission_line("valid-small.json"), submission_line("invalid-date.json"));
    let mut lines = Vec::new();
    for n in 0..40 {
        lines.push(if n % 3 == 0 { invalid.clone() } else { valid.clone() });
    }
    lines.insert(7, "{ not json".to_string());
    let path = scratch.file("batch.jsonl", &(lines.join("\n") + "\n"));
    let o =
        onething(&["batch", "fixtures/restaurant-opening", path.to_str().unwrap(), "--date", "2026-03-02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(out.len(), 41);
    assert_eq!(out[7]["line"], 8);
    assert_eq!(out[7]["error"]["kind"], "syntax");
    assert_eq!(out[0]["outcome"], "correction_required");
    assert_ne!(out[1]["outcome"], "correction_required");
    assert!(out[1]["trace"].as_array().is_some_and(|t| !t.is_empty()));

    // --no-trace: the same decisions with empty traces.
    let o = onething(&[
        "batch",
        "fixtures/restaurant-opening",
        path.to_str().unwrap(),
        "--date",
        "2026-03-02",
        "--no-trace",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let quick: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(quick.len(), out.len());
    for (mut full, quick) in out.into_iter().zip(quick) {
        if full.get("trace").is_some() {
            assert_eq!(quick["trace"], serde_json::json!([]));
            full["trace"] = serde_json::json!([]);
        }
        assert_eq!(quick, full);
    }
}

#[test]
fn batch_reports_lines_too_long_or_not_utf8_and_goes_on() {
    let scratch = Scratch::new("batch_reports_lines_too_long_or_not_utf8_and_goes_on");
    let valid = submission_line("valid-small.json");
    // A line of 17 MiB (more than a submission may be), a line that is not UTF-8, a valid
    // line ending in \r\n, and a last valid line without a newline.
    let mut input = Vec::new();
    input.extend_from_slice(valid.as_bytes());
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b'x', 17 << 20));
    input.push(b'\n');
    input.extend_from_slice(b"{\"values\": \"caf\xe9\"}\n");
    input.extend_from_slice(valid.as_bytes());
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(valid.as_bytes());
    let path = scratch.0.join("bad-lines.jsonl");
    std::fs::write(&path, input).unwrap();
    let o =
        onething(&["batch", "fixtures/restaurant-opening", path.to_str().unwrap(), "--date", "2026-03-02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(out.len(), 5, "{}", stdout(&o));
    for i in [0, 3, 4] {
        assert!(out[i]["outcome"].is_string(), "line {}: {}", i + 1, out[i]);
    }
    assert_eq!(out[1]["line"], 2);
    assert_eq!(out[1]["error"]["kind"], "too_large");
    // Reported as soon as the limit is reached: the bytes read of it, more than the limit.
    assert_eq!(out[1]["error"]["bytes"], (16 << 20) + 2);
    assert_eq!(out[2]["line"], 3);
    assert_eq!(out[2]["error"]["kind"], "syntax");
    assert_eq!(out[2]["error"]["column"], 16); // 1-based: the 16th byte, 0xE9, is where UTF-8 stops
}

#[test]
fn an_endless_input_is_refused_not_read() {
    // /dev/zero reports no size and never ends: every file argument reads at most one byte
    // over the 32 MiB limit.
    if !Path::new("/dev/zero").exists() {
        return;
    }
    for args in [
        &["validate", "fixtures/restaurant-opening", "/dev/zero"][..],
        &["check", "/dev/zero"][..],
        &["merge", "/dev/zero"][..],
    ] {
        let o = onething(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("is more than the limit of"), "{args:?}: {}", stderr(&o));
    }
}

#[cfg(unix)]
#[test]
fn batch_reads_a_pipe_once() {
    // A named pipe can be read only once: the progress bar must not count its lines first.
    let scratch = Scratch::new("batch_reads_a_pipe_once");
    let fifo = scratch.0.join("submissions.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let valid = submission_line("valid-small.json");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, format!("{valid}\n{valid}\n{{ not json\n")).unwrap())
    };
    let o =
        onething(&["batch", "fixtures/restaurant-opening", fifo.to_str().unwrap(), "--date", "2026-03-02"]);
    writer.join().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(out.len(), 3, "{}", stdout(&o));
    assert!(out[0]["outcome"].is_string() && out[1]["outcome"].is_string());
    assert_eq!(out[2]["error"]["kind"], "syntax");
}

#[test]
fn batch_numbers_lines_across_chunks_and_reads_a_last_line_without_newline() {
    let scratch = Scratch::new("batch_numbers_lines_across_chunks_and_reads_a_last_line_without_newline");
    let valid = submission_line("valid-small.json");
    // Past the 4,096 lines decided together, with real submissions on either side of the
    // seam and as the last line (no newline after it); the rest are cheap bad lines.
    let decided = [0, 4095, 4096, 4199];
    let lines: Vec<String> =
        (0..4200).map(|n| if decided.contains(&n) { valid.clone() } else { format!("bad {n}") }).collect();
    let path = scratch.file("batch-long.jsonl", &lines.join("\n"));
    let o =
        onething(&["batch", "fixtures/restaurant-opening", path.to_str().unwrap(), "--date", "2026-03-02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(out.len(), 4200);
    for (n, decision) in out.iter().enumerate() {
        if decided.contains(&n) {
            assert!(decision["outcome"].is_string(), "line {}: {decision}", n + 1);
        } else {
            assert_eq!(decision["line"], n + 1);
        }
    }
}

#[test]
fn notice_prints_markdown_html_and_json_in_either_language() {
    let o = onething(&["notice", "fixtures/restaurant-opening"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("# 开办餐饮店一次告知单"), "{}", stdout(&o));
    let o = onething(&["notice", "fixtures/restaurant-opening", "--lang", "en", "--format", "html"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("<!DOCTYPE html>\n<html lang=\"en\">"), "{}", stdout(&o));
    let o = onething(&["notice", "fixtures/newborn", "--format", "json"]);
    let notice: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(notice["time_limit"]["committed_days"], 16);
    assert_eq!(notice["time_limit"]["sum_of_items_days"], 17);
}

#[test]
fn notice_for_a_submission_lists_only_what_is_still_owed() {
    let o = onething(&[
        "notice",
        "fixtures/newborn",
        "--submission",
        "fixtures/newborn/decisions/accepted_with_tolerance--rented-flat-proofs-supplied-later.json",
        "--date",
        "2026-04-02",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let notice: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(notice["situation"]["outcome"], "accepted_with_tolerance");
    let owed: Vec<&str> =
        notice["materials"].as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(owed, ["residence-proof", "marriage-certificate"]);
    let o = onething(&["notice", "fixtures/newborn", "--submission", "nope.json"]);
    assert_eq!(code(&o), 2);
    let o = onething(&["notice", "fixtures/newborn", "--submission", "nope.json", "--date", "2026-13-01"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--date"), "{}", stderr(&o));
}

#[test]
fn plan_exports_json_mermaid_and_dot() {
    let o = onething(&["plan", "fixtures/newborn"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(plan["time_limit"]["critical_path_days"], 16);
    let o = onething(&["plan", "fixtures/newborn", "--format", "mermaid", "--lang", "en"]);
    assert!(stdout(&o).starts_with("flowchart LR"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Stage 4"), "{}", stdout(&o));
    let o = onething(&["plan", "fixtures/business-startup", "--format", "dot"]);
    assert!(stdout(&o).starts_with("digraph \"business-startup\" {"), "{}", stdout(&o));
    assert!(stdout(&o).trim_end().ends_with('}'));
}

#[test]
fn plan_of_a_bundle_with_a_cycle_exits_1_naming_it() {
    let dir = Scratch::new("plan_of_a_bundle_with_a_cycle_exits_1_naming_it");
    dir.file(
        "bundle.json",
        r#"{"id": "c", "version": "1", "title": {"zh": "环", "en": "Cycle"}, "lead": "a",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "items": [{"id": "x", "department": "a", "title": {"zh": "X", "en": "X"}, "schema": {}, "depends_on": ["y"]},
                      {"id": "y", "department": "a", "title": {"zh": "Y", "en": "Y"}, "schema": {}, "depends_on": ["x"]}]}"#,
    );
    let o = onething(&["plan", dir.path(), "--format", "mermaid"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("dependency cycle: x → y → x"), "{}", stderr(&o));
    let o = onething(&["check", dir.path(), "--json"]);
    assert_eq!(code(&o), 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["problems"][0]["kind"], "cycle");
    assert_eq!(report["problems"][0]["items"], serde_json::json!(["x", "y", "x"]));
}

#[test]
fn results_aggregate_the_reports_into_one_delivery() {
    let o = onething(&[
        "results",
        "fixtures/newborn",
        "fixtures/newborn/results/partly-refused.json",
        "--lang",
        "en",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("newborn MDJ-CS-2026-000123: partly refused"), "{out}");
    assert!(out.contains("delivery list (4):"), "{out}");
    assert!(out.contains("rating: rsj: 2/5 dissatisfied"), "{out}");
    let o =
        onething(&["results", "fixtures/newborn", "fixtures/newborn/results/partly-refused.json", "--json"]);
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["state"], "partly_refused");
    assert_eq!(r["refusals"][0]["item"], "social-security-card");
}

#[test]
fn results_name_every_problem_and_exit_1_or_2() {
    let scratch = Scratch::new("results_name_every_problem_and_exit_1_or_2");
    let bad = scratch.file(
        "bad-results.json",
        r#"{"reports": [{"item": "passport", "status": "approved"},
                        {"item": "vaccination-certificate", "status": "refused"}],
            "rating": {"scores": [{"score": 7}]}}"#,
    );
    let o = onething(&["results", "fixtures/newborn", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("/reports/0/item: unknown item `passport`"), "{err}");
    assert!(
        err.contains(
            "/reports/1: item `vaccination-certificate` (department `cdc`) is refused without a reason"
        ),
        "{err}"
    );
    assert!(err.contains("/rating/scores/0/score: score 7 for the whole thing is outside 1–5"), "{err}");
    let o = onething(&["results", "fixtures/newborn", bad.to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["problems"].as_array().unwrap().len(), 3);
    let malformed = scratch.file("malformed-results.json", "{\"reports\": [");
    let o = onething(&["results", "fixtures/newborn", malformed.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("invalid JSON"), "{}", stderr(&o));
    let o = onething(&["results", "fixtures/newborn", "missing.json"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn prefill_fills_from_consented_documents() {
    let scratch = Scratch::new("prefill_fills_from_consented_documents");
    let o = onething(&[
        "prefill",
        "fixtures/restaurant-opening",
        "--source",
        "e-licence:business-licence=fixtures/restaurant-opening/sources/business-licence.json",
        "--source",
        "e-licence:resident-id-card=fixtures/restaurant-opening/sources/id-card.json",
        "--date",
        "2026-06-15",
        "--lang",
        "en",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("prefilled 9 of 19 fields; 2 of 7 materials shared\n"), "{out}");
    assert!(
        out.contains(
            r#"company.name = "牡丹江市东安区老李家饺子馆" (e-licence:business-licence/mc, locked)"#
        ),
        "{out}"
    );
    assert!(out.contains("applicant.age = 48 (derived by applicant.age)"), "{out}");
    // What the applicant typed stays; a different name from the e-licence is a conflict.
    let answers = scratch
        .file("prefill-answers.json", r#"{"applicant.name": "李建华", "applicant.mobile": "13904531234"}"#);
    let o = onething(&[
        "prefill",
        "fixtures/restaurant-opening",
        "--source",
        "e-licence:resident-id-card=fixtures/restaurant-opening/sources/id-card.json",
        "--answers",
        answers.to_str().unwrap(),
        "--date",
        "2026-06-15",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(p["values"]["applicant.name"]["value"], "李建华");
    assert_eq!(p["values"]["applicant.mobile"]["value"], "13904531234");
    assert_eq!(p["conflicts"][0]["key"], "applicant.name");
    assert_eq!(p["conflicts"][0]["authoritative"], "李建国");
    assert_eq!(p["figures"]["materials_shared"], 1);
}

#[test]
fn prefill_rejects_bad_arguments_and_notes_bad_documents() {
    let scratch = Scratch::new("prefill_rejects_bad_arguments_and_notes_bad_documents");
    let card = "fixtures/restaurant-opening/sources/id-card.json";
    let cut = scratch.file("cut.json", "{\"zmxx\": ");
    let list = scratch.file("list.json", "[1, 2]");
    let cases = [
        (vec!["--source".to_owned(), "e-licence:resident-id-card".to_owned()], "--source takes ID=FILE"),
        (
            vec!["--source".to_owned(), format!("e-licence:resident-id-car={card}")],
            "declares no source `e-licence:resident-id-car`",
        ),
        (
            vec!["--source".to_owned(), "e-licence:resident-id-card=missing.json".to_owned()],
            "missing.json: cannot read",
        ),
        (
            vec!["--source".to_owned(), format!("e-licence:resident-id-card={}", cut.display())],
            "invalid JSON",
        ),
        (vec!["--answers".to_owned(), list.display().to_string()], "expected a map"),
    ];
    for (args, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = onething(&[&["prefill", "fixtures/restaurant-opening"], args.as_slice()].concat());
        assert_eq!(code(&o), 2, "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
    // A document of another shape: used for nothing, and a note says so.
    let other = scratch.file("other-shape.json", r#"{"name": "李建国"}"#);
    let o = onething(&[
        "prefill",
        "fixtures/restaurant-opening",
        "--source",
        &format!("e-licence:resident-id-card={}", other.display()),
        "--lang",
        "en",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("prefilled 0 of 19 fields; 0 of 7 materials shared"), "{out}");
    assert!(out.contains("holds none of the fields the bundle reads"), "{out}");
}

/// One run of every command, printing something on success (`batch` reads `jsonl`).
fn every_command(jsonl: &str) -> Vec<Vec<String>> {
    let r = "fixtures/restaurant-opening";
    let valid = "fixtures/restaurant-opening/submissions/valid-small.json";
    let schema = "fixtures/restaurant-opening/fire-safety-inspection.schema.json";
    let source = "e-licence:business-licence=fixtures/restaurant-opening/sources/business-licence.json";
    let commands: [&[&str]; 13] = [
        &["form", r],
        &["notice", r],
        &["plan", r],
        &["check", r],
        &["merge", schema, schema],
        &["validate", r, valid],
        &["evaluate", r, valid, "--date", "2026-03-02"],
        &["dispatch", r, valid],
        &["pack", r],
        &["results", "fixtures/newborn", "fixtures/newborn/results/partly-refused.json"],
        &["prefill", r, "--source", source, "--date", "2026-06-15"],
        &["batch", r, jsonl, "--date", "2026-03-02"],
        &["test", r],
    ];
    commands.iter().map(|c| c.iter().map(|a| (*a).to_owned()).collect()).collect()
}

/// A batch input of `lines` valid submissions.
fn jsonl(scratch: &Scratch, lines: usize) -> String {
    let valid = submission_line("valid-small.json");
    scratch.file("many.jsonl", &(vec![valid; lines].join("\n") + "\n")).display().to_string()
}

#[cfg(unix)]
#[test]
fn every_command_ends_quietly_when_the_reader_of_its_output_goes_away() {
    let scratch = Scratch::new("every_command_ends_quietly_when_the_reader_of_its_output_goes_away");
    let jsonl = jsonl(&scratch, 3);
    for args in every_command(&jsonl) {
        // The reading end is closed before the command writes anything: its first write
        // fails with a broken pipe, as `onething form DIR | head -c 0` would.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = Command::new(env!("CARGO_BIN_EXE_onething"))
            .args(&args)
            .current_dir(root())
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("cannot write"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_batch_stops_quietly_when_its_reader_has_read_enough() {
    let scratch = Scratch::new("a_batch_stops_quietly_when_its_reader_has_read_enough");
    let jsonl = jsonl(&scratch, 2000);
    // `onething batch … | head -c 10`: far more output than a pipe holds.
    let mut child = Command::new(env!("CARGO_BIN_EXE_onething"))
        .args(["batch", "fixtures/restaurant-opening", &jsonl, "--date", "2026-03-02"])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn every_command_says_when_its_output_cannot_be_written() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let scratch = Scratch::new("every_command_says_when_its_output_cannot_be_written");
    let jsonl = jsonl(&scratch, 3);
    for args in every_command(&jsonl) {
        let disk_full = std::fs::OpenOptions::new().write(true).open(full).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_onething"))
            .args(&args)
            .current_dir(root())
            .stdout(disk_full)
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error: cannot write the output: No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_batch_line_without_end_gets_its_error_line_and_the_batch_goes_on() {
    let scratch = Scratch::new("a_batch_line_without_end_gets_its_error_line_and_the_batch_goes_on");
    let valid = submission_line("valid-small.json");
    // As `head -c 40M /dev/zero`: 40 MiB without a newline, then a valid line; and alone.
    let mut zeros = vec![0u8; 40 << 20];
    let alone = scratch.0.join("zeros.jsonl");
    std::fs::write(&alone, &zeros).unwrap();
    zeros.push(b'\n');
    zeros.extend_from_slice(valid.as_bytes());
    let then_valid = scratch.0.join("zeros-then-valid.jsonl");
    std::fs::write(&then_valid, &zeros).unwrap();
    for (path, lines) in [(&alone, 1), (&then_valid, 2)] {
        let out = decisions(path);
        assert_eq!(out.len(), lines);
        assert_eq!(out[0]["line"], 1);
        assert_eq!(out[0]["error"]["kind"], "too_large");
        assert!(out[0]["error"]["bytes"].as_u64().unwrap() > 16 << 20);
        if lines == 2 {
            assert!(out[1]["outcome"].is_string(), "{}", out[1]);
        }
    }
}

/// `onething batch` of the restaurant opening on `path`: its lines, parsed; exit code 0.
fn decisions(path: &Path) -> Vec<serde_json::Value> {
    let o =
        onething(&["batch", "fixtures/restaurant-opening", path.to_str().unwrap(), "--date", "2026-03-02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[cfg(unix)]
#[test]
fn a_batch_of_dev_zero_shows_its_error_line_at_once() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_onething"))
        .args(["batch", "fixtures/restaurant-opening", "/dev/zero", "--date", "2026-03-02"])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = send.send(line);
    });
    let line = receive.recv_timeout(std::time::Duration::from_secs(60));
    // /dev/zero never ends: the batch goes on skipping it until stopped.
    child.kill().unwrap();
    child.wait().unwrap();
    let line = line.expect("no error line within a minute");
    let error: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(error["line"], 1);
    assert_eq!(error["error"]["kind"], "too_large");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_a_bundle_directory_is_refused_at_once() {
    let scratch = Scratch::new("a_named_pipe_in_a_bundle_directory_is_refused_at_once");
    assert!(Command::new("mkfifo").arg(scratch.0.join("bundle.json")).status().unwrap().success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_onething"))
        .args(["check", scratch.path()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("onething check waits on a named pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("bundle.json: cannot read: a named pipe is not a regular file"),
        "{}",
        stderr(&o)
    );
}

/// A bundle whose one item declares `n` fields and no field dictionary: a warning per field,
/// all of one kind.
fn bundle_without_dictionary(dir: &Scratch, n: usize) {
    let properties: Vec<String> = (1..=n).map(|i| format!(r#""f{i}": {{"type": "string"}}"#)).collect();
    dir.file(
        "bundle.json",
        &format!(
            r#"{{"id": "w", "version": "1", "title": {{"zh": "警告", "en": "Warnings"}}, "lead": "a",
                "departments": [{{"id": "a", "name": {{"zh": "甲", "en": "A"}}}}],
                "items": [{{"id": "x", "department": "a", "title": {{"zh": "X", "en": "X"}},
                            "schema": {{"type": "object", "properties": {{{}}}}}}}]}}"#,
            properties.join(", ")
        ),
    );
}

fn lines_with(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn warnings_of_one_kind_are_summarised_after_three() {
    let dir = Scratch::new("warnings_of_one_kind_are_summarised_after_three");
    bundle_without_dictionary(&dir, 7);
    let o = onething(&["check", dir.path(), "--lang", "en"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(lines_with(&out, "warning: field `"), 3, "{out}");
    assert!(out.contains("  … and 4 more warnings of this kind (--verbose for all)\n"), "{out}");
    let o = onething(&["check", dir.path(), "--lang", "zh"]);
    assert!(stdout(&o).contains("\n  …另有 4 条同类警告（--verbose 显示全部）\n"), "{}", stdout(&o));
    // Both languages when none is asked for, on one line.
    let o = onething(&["check", dir.path()]);
    assert!(
        stdout(&o).contains(
            "\n  …另有 4 条同类警告（--verbose 显示全部） / … and 4 more warnings of this kind (--verbose for all)\n"
        ),
        "{}",
        stdout(&o)
    );

    let o = onething(&["check", dir.path(), "--verbose"]);
    let out = stdout(&o);
    assert_eq!(lines_with(&out, "warning: field `"), 7, "{out}");
    assert_eq!(lines_with(&out, "more warnings"), 0, "{out}");

    // Three of a kind are shown in full, without a summary.
    let three = Scratch::new("warnings_of_one_kind_three");
    bundle_without_dictionary(&three, 3);
    let out = stdout(&onething(&["check", three.path()]));
    assert_eq!((lines_with(&out, "warning: "), lines_with(&out, "more warnings")), (3, 0), "{out}");

    // JSON is data: every warning, whatever is asked.
    for flag in ["--quiet", "--lang"] {
        let args: &[&str] = if flag == "--lang" {
            &["check", dir.path(), "--json"]
        } else {
            &["check", dir.path(), "--json", flag]
        };
        let report: serde_json::Value = serde_json::from_str(&stdout(&onething(args))).unwrap();
        assert_eq!(report["warnings"].as_array().unwrap().len(), 7, "{report:#}");
    }
}

#[test]
fn quiet_prints_results_and_errors_only() {
    let dir = Scratch::new("quiet_prints_results_and_errors_only");
    bundle_without_dictionary(&dir, 5);
    let o = onething(&["check", dir.path(), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("ok: w "), "{out}");
    assert_eq!(lines_with(&out, "warning"), 0, "{out}");
    // The flag is global: before the command too; errors still show.
    let o = onething(&["-q", "check", "no/such/bundle"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
    // --quiet and --verbose contradict each other.
    assert_eq!(code(&onething(&["check", dir.path(), "--quiet", "--verbose"])), 2);
}

/// Runs the tool with `vars` set in its environment (and NO_COLOR / CLICOLOR_FORCE removed
/// unless given).
fn onething_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_onething"));
    command.args(args).current_dir(root()).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    for (k, v) in vars {
        command.env(k, v);
    }
    command.output().unwrap()
}

#[test]
fn colour_only_when_asked_for_and_never_with_no_color() {
    let dir = Scratch::new("colour_only_when_asked_for_and_never_with_no_color");
    bundle_without_dictionary(&dir, 1);
    let check = ["check", dir.path()];
    let missing = ["check", "no/such/bundle"];
    // Output to a pipe is not a terminal: plain.
    assert!(!stdout(&onething_env(&check, &[])).contains('\x1b'));
    assert!(!stderr(&onething_env(&missing, &[])).contains('\x1b'));
    // Forced, the labels are coloured, on both streams.
    let forced = onething_env(&check, &[("CLICOLOR_FORCE", "1")]);
    assert!(stdout(&forced).contains("  \x1b[1;33mwarning\x1b[0m: field `f1`"), "{:?}", stdout(&forced));
    let forced = onething_env(&missing, &[("CLICOLOR_FORCE", "1")]);
    assert!(stderr(&forced).starts_with("\x1b[1;31merror\x1b[0m: "), "{:?}", stderr(&forced));
    // NO_COLOR wins, whatever its value; an empty one does not count (no-color.org).
    for vars in
        [&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")][..], &[("NO_COLOR", "0"), ("CLICOLOR_FORCE", "1")][..]]
    {
        assert!(!stdout(&onething_env(&check, vars)).contains('\x1b'), "{vars:?}");
        assert!(!stderr(&onething_env(&missing, vars)).contains('\x1b'), "{vars:?}");
    }
    let empty = onething_env(&check, &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")]);
    assert!(stdout(&empty).contains('\x1b'), "{:?}", stdout(&empty));
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for (shell, marker) in
        [("bash", "complete -F"), ("zsh", "#compdef onething"), ("fish", "complete -c onething")]
    {
        let o = onething(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        // Every command and the shared options are in it.
        for word in ["check", "evaluate", "batch", "completions"] {
            assert!(script.contains(word), "{shell}: no `{word}`");
        }
        // fish spells a long option `-l json`.
        for option in ["json", "lang", "quiet", "verbose"] {
            let spelt = if shell == "fish" { format!("-l {option}") } else { format!("--{option}") };
            assert!(script.contains(&spelt), "{shell}: no `{spelt}`");
        }
    }
    let o = onething(&["completions", "tcsh"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn version_names_the_bundle_format() {
    let o = onething(&["--version"]);
    assert_eq!(code(&o), 0);
    let (version, format) = (env!("CARGO_PKG_VERSION"), onething::BUNDLE_FORMAT_VERSION);
    assert_eq!(
        stdout(&o),
        format!(
            "onething {version} (bundle format {format}, schemas/bundle.schema.json; department forms: JSON Schema draft 2020-12)\n"
        )
    );
    // MAJOR.MINOR, as documented on the constant.
    let parts: Vec<&str> = format.split('.').collect();
    assert!(parts.len() == 2 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())));
    assert_eq!(stdout(&onething(&["-V"])), stdout(&o));
}

#[test]
fn notice_format_is_md_or_markdown() {
    let md = onething(&["notice", "fixtures/newborn", "--format", "md", "--lang", "en"]);
    let markdown = onething(&["notice", "fixtures/newborn", "--format", "markdown", "--lang", "en"]);
    assert_eq!(code(&markdown), 0, "{}", stderr(&markdown));
    assert_eq!(stdout(&md), stdout(&markdown));
    assert!(stdout(&md).starts_with("# "), "{}", stdout(&md));
}

/// A small bundle of one item with one eligibility rule (18 or older), for `onething test`.
fn small_bundle(dir: &Scratch) {
    dir.file(
        "bundle.json",
        r#"{"id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "fields": {"age": {"title": {"zh": "年龄", "en": "Age"}}},
            "items": [{"id": "one", "department": "a", "title": {"zh": "一", "en": "One"},
                       "schema": "one.schema.json", "field_map": {"/nl": "age"},
                       "eligibility": [{"id": "adult", "title": {"zh": "成年", "en": "Adult"},
                                        "script": "form[\"age\"] >= 18"}]}]}"#,
    );
    dir.file(
        "one.schema.json",
        r#"{"type": "object", "required": ["nl"], "properties": {"nl": {"type": "integer"}}}"#,
    );
    std::fs::create_dir_all(dir.0.join("decisions")).unwrap();
    std::fs::create_dir_all(dir.0.join("tests")).unwrap();
    dir.file("decisions/accepted--adult.json", r#"{"values": {"age": 30}}"#);
}

#[test]
fn test_runs_the_cases_of_a_fixture() {
    let scratch = Scratch::new("test_runs_the_cases_of_a_fixture");
    let junit = scratch.0.join("junit.xml");
    let o = onething(&["test", "fixtures/newborn", "--junit", junit.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("pass  decisions/rejected--baby-over-six-months (2026-04-02)"), "{text}");
    assert!(text.ends_with("15 passed, 0 failed\n"), "{text}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 15, "{xml}");
    assert!(xml.contains("failures=\"0\""), "{xml}");
    // The case about New Year's Eve keeps its own date, whatever --date says.
    let o = onething(&["test", "fixtures/business-startup", "--json", "--date", "2026-04-30"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["passed"], 21);
    assert_eq!(report["failed"], 0);
    let eve = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().contains("eve"))
        .unwrap();
    assert_eq!(eve["date"], "2026-12-31");
    assert!(report.get("coverage").is_none());
}

#[test]
fn test_shows_what_differs_and_exits_1() {
    let dir = Scratch::new("test_shows_what_differs_and_exits_1");
    small_bundle(&dir);
    dir.file(
        "tests/minor.json",
        r#"{"values": {"age": 17}, "date": "2026-05-06",
            "expect": {"outcome": "accepted", "items": {"one": "accepted"}, "deficiencies": ["field:/age"]}}"#,
    );
    let junit = dir.0.join("out.xml");
    let o = onething(&["test", dir.path(), "--date", "2026-03-02", "--junit", junit.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("pass  decisions/accepted--adult (2026-03-02)"), "{text}");
    assert!(text.contains("FAIL  tests/minor (2026-05-06)"), "{text}");
    assert!(text.contains("        outcome: expected accepted, decided rejected"), "{text}");
    assert!(text.contains("        items.one: expected accepted, decided rejected"), "{text}");
    assert!(text.contains("        deficiencies: expected but not decided: field:/age"), "{text}");
    assert!(text.ends_with("1 passed, 1 failed\n"), "{text}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<failure message=\"outcome: expected accepted, decided rejected\">"), "{xml}");
    let o = onething(&["test", dir.path(), "--json"]);
    assert_eq!(code(&o), 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["cases"][1]["mismatches"][0]["what"], "outcome");
    assert_eq!(report["cases"][1]["mismatches"][0]["decided"], "rejected");
}

#[test]
fn test_coverage_says_which_rules_the_cases_never_made_false() {
    let dir = Scratch::new("test_coverage_says_which_rules_the_cases_never_made_false");
    small_bundle(&dir);
    let o = onething(&["test", dir.path(), "--coverage", "--date", "2026-03-02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("rule coverage: 50.0 % (1 of 2 ways true/false taken); 0 of 1 rules never ran"),
        "{text}"
    );
    assert!(
        text.contains("  never false item `one`, eligibility `adult`: true 1, false 0, error 0"),
        "{text}"
    );
    dir.file("tests/rejected--minor.json", r#"{"values": {"age": 17}}"#);
    let o = onething(&["test", dir.path(), "--coverage", "--json", "--date", "2026-03-02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["coverage"]["percent"], 100.0);
    assert_eq!(report["coverage"]["rules"][0]["true"], 1);
    assert_eq!(report["coverage"]["rules"][0]["false"], 1);
}

#[test]
fn test_refuses_bad_cases_naming_their_place() {
    let dir = Scratch::new("test_refuses_bad_cases_naming_their_place");
    small_bundle(&dir);
    dir.file("tests/accepted--typo.json", r#"{"valeus": {"age": 30}}"#);
    dir.file(
        "tests/unknown-item.json",
        r#"{"values": {"age": 30}, "expect": {"items": {"onw": "accepted"}}}"#,
    );
    let o = onething(&["test", dir.path()]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("error: tests/accepted--typo.json: at valeus: unknown field `valeus`"), "{err}");
    assert!(err.contains("or a case's `expect`, `date`"), "{err}");
    // Bad files are all named before the expectations are checked against the bundle.
    std::fs::remove_file(dir.0.join("tests/accepted--typo.json")).unwrap();
    let o = onething(&["test", dir.path(), "--json"]);
    assert_eq!(code(&o), 2);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let message = report["errors"][0].to_string();
    assert!(message.contains("tests/unknown-item.json"), "{message}");
    assert!(message.contains("expect.items.onw"), "{message}");
    assert!(message.contains("did you mean `one`?"), "{message}");
    dir.file("tests/unknown-item.json", r#"{"values": {"age": 30}}"#);
    let o = onething(&["test", dir.path()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("tests/unknown-item.json: at .: the case expects nothing"), "{}", stderr(&o));
    // No such directory; a bundle without cases; a packed bundle; a bad date.
    let o = onething(&["test", "no/such/dir"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
    let empty = Scratch::new("test_refuses_bad_cases_naming_their_place-empty");
    small_bundle(&empty);
    std::fs::remove_dir_all(empty.0.join("decisions")).unwrap();
    std::fs::remove_dir_all(empty.0.join("tests")).unwrap();
    let o = onething(&["test", empty.path()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("has no `decisions/` or `tests/` folder"), "{}", stderr(&o));
    let o = onething(&["test", "fixtures/newborn/bundle.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
    let o = onething(&["test", "fixtures/newborn", "--date", "2026-02-30"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn init_writes_a_bundle_that_passes_check_and_test() {
    let scratch = Scratch::new("init_writes_a_bundle_that_passes_check_and_test");
    let dir = scratch.0.join("Market Stall");
    let dir = dir.to_str().unwrap();
    let o = onething(&["init", dir]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("wrote bundle `market-stall`"), "{}", stdout(&o));
    let o = onething(&["check", dir]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("warning"), "{}", stdout(&o));
    let o = onething(&["test", dir, "--coverage"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("2 passed, 0 failed"), "{text}");
    assert!(text.contains("rule coverage: 100.0 %"), "{text}");
    // bundle.json names the format's schema, written beside it from this tool's types.
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(dir).join("bundle.json")).unwrap()).unwrap();
    assert_eq!(bundle["$schema"], "bundle-format.schema.json");
    let written = std::fs::read_to_string(Path::new(dir).join("bundle-format.schema.json")).unwrap();
    let checked_in = std::fs::read_to_string(root().join("schemas/bundle.schema.json")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&written).unwrap(),
        serde_json::from_str::<serde_json::Value>(&checked_in).unwrap()
    );
    assert!(
        std::fs::read_to_string(Path::new(dir).join("README.md")).unwrap().contains("## What to edit next")
    );
    // Never over what is there.
    let o = onething(&["init", dir]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    let file = scratch.file("plain-file", "x");
    let o = onething(&["init", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
}

/// The restaurant bundle packed, as JSON to edit.
fn packed_restaurant() -> serde_json::Value {
    let o = onething(&["pack", "fixtures/restaurant-opening"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn item_mut<'a>(bundle: &'a mut serde_json::Value, id: &str) -> &'a mut serde_json::Value {
    bundle["items"].as_array_mut().unwrap().iter_mut().find(|i| i["id"] == id).unwrap()
}

#[test]
fn diff_tells_each_reader_what_changes() {
    let scratch = Scratch::new("diff_tells_each_reader_what_changes");
    let old = packed_restaurant();
    let mut new = old.clone();
    new["version"] = "1.1.0".into();
    let food = item_mut(&mut new, "food-business-licence");
    food["time_limit_days"] = 3.into();
    let schema = &mut food["schema"];
    schema["properties"]["jyzmc"]["maxLength"] = 50.into();
    schema["properties"]["bz"] = serde_json::json!({"type": "string"});
    let fddbr = schema["properties"].as_object_mut().unwrap().shift_remove("fddbr").unwrap();
    schema["properties"]["fddbrxm"] = fddbr;
    for r in schema["required"].as_array_mut().unwrap() {
        if r == "fddbr" {
            *r = "fddbrxm".into();
        }
    }
    schema["required"].as_array_mut().unwrap().push("jwzws".into());
    let map = food["field_map"].as_object_mut().unwrap();
    let key = map.shift_remove("/fddbr").unwrap();
    map.insert("/fddbrxm".into(), key);
    food["materials"].as_array_mut().unwrap().retain(|m| m["id"] != "online-platform-proof");
    let tobacco = item_mut(&mut new, "tobacco-retail-licence");
    let script = tobacco["eligibility"][0]["script"].as_str().unwrap().to_owned();
    tobacco["eligibility"][0]["script"] = format!("{script}\n// 1.1: reviewed").into();
    tobacco["depends_on"] = serde_json::json!(["business-licence-check", "food-business-licence"]);
    let old_file = scratch.file("old.json", &old.to_string());
    let new_file = scratch.file("new.json", &new.to_string());
    let o = onething(&["diff", old_file.to_str().unwrap(), new_file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    for line in [
        "restaurant-opening: 1.0.0 → 1.1.0",
        "department market-regulation, item food-business-licence:",
        "  field added: /bz",
        "  field renamed: /fddbr → /fddbrxm (canonical key applicant.name)",
        "  tightened: /jyzmc maxLength 100 → 50",
        "  tightened: /jwzws required false → true",
        "  material dropped: online-platform-proof",
        "  time limit (working days) of food-business-licence: 5 → 3",
        r#"  prerequisites of tobacco-retail-licence: ["business-licence-check"] → ["business-licence-check","food-business-licence"]"#,
        "  text changed: item tobacco-retail-licence, eligibility tobacco-in-business-scope",
        "a draft saved under 1.0.0 is refused as it is",
        "  every answer it can hold keeps its key in 1.1.0",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
    assert!(
        text.contains("answers to check again (a constraint tightened): business.seat_count, company.name\n"),
        "{text}"
    );
    assert!(
        text.contains("  removed: item food-business-licence, material online-platform-proof, required_if"),
        "{text}"
    );
    assert!(!text.contains("field removed"), "{text}");
    // An item dropped: its own keys' answers would be lost.
    let mut fewer = old.clone();
    fewer["items"].as_array_mut().unwrap().retain(|i| i["id"] != "tobacco-retail-licence");
    // The wizard's sections name the keys only that item declared.
    let only_tobacco = ["premises.postal_code", "tobacco.retail_format", "tobacco.school_distance_m"];
    for section in fewer["sections"].as_array_mut().unwrap() {
        section["fields"].as_array_mut().unwrap().retain(|f| !only_tobacco.iter().any(|k| f == k));
    }
    fewer["sections"].as_array_mut().unwrap().retain(|s| !s["fields"].as_array().unwrap().is_empty());
    let fewer_file = scratch.file("fewer.json", &fewer.to_string());
    let o = onething(&["diff", old_file.to_str().unwrap(), fewer_file.to_str().unwrap(), "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["applicant"]["items_removed"], serde_json::json!(["tobacco-retail-licence"]));
    assert_eq!(d["draft"]["answers_kept"], false);
    assert_eq!(d["draft"]["keys_lost"], serde_json::json!(only_tobacco), "{d}");
    assert_eq!(d["draft"]["resumes_as_is"], true);
    let removed =
        d["departments"].as_array().unwrap().iter().find(|x| x["item"] == "tobacco-retail-licence").unwrap();
    assert!(removed["fields_removed"].as_array().unwrap().iter().any(|f| f == "/SQR/XM"), "{removed}");
    assert!(d["rules"].as_array().unwrap().iter().all(|r| r["change"] == "removed"), "{d}");
    // The same bundle twice: nothing changes.
    let o = onething(&["diff", "fixtures/newborn", "fixtures/newborn"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "newborn: 1.0.0 → 1.0.0\na draft saved under 1.0.0 resumes as it is;\n  every answer it can hold keeps its key in 1.0.0\n"
    );
}

#[test]
fn diff_refuses_two_different_bundles_and_missing_input() {
    let o = onething(&["diff", "fixtures/newborn", "fixtures/restaurant-opening"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("`newborn` and `restaurant-opening` are different bundles"),
        "{}",
        stderr(&o)
    );
    let o = onething(&["diff", "fixtures/newborn", "fixtures/restaurant-opening", "--json"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("different bundles"), "{}", stdout(&o));
    let o = onething(&["diff", "fixtures/newborn", "no/such/bundle"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such/bundle"), "{}", stderr(&o));
}
