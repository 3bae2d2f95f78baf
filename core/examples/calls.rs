//! Runs one operation of the library many times, for counting instructions with
//! `valgrind --tool=callgrind` (BENCHMARKS.md, "Instructions"): the per-call count is
//! (count at 900 calls − count at 300) / 600, which repeats exactly whatever else the
//! machine does.
//!
//! ```text
//! cargo build --release -p onething --example calls
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/calls evaluate fixtures/business-startup valid-full 900
//! ```
//!
//! Operations: `compile`, `validate`, `evaluate` (on 2026-12-07), `notice` (`notice_for`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use onething::{CompiledBundle, Date, Submission, load};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [op, dir, submission, calls] = args.as_slice() else {
        eprintln!("usage: calls compile|validate|evaluate|notice FIXTURE_DIR SUBMISSION_NAME CALLS");
        std::process::exit(2);
    };
    let calls: usize = calls.parse().expect("CALLS is a number");
    let dir = Path::new(dir);
    let bundle = load::load_dir(dir).expect("bundle loads");
    let text = std::fs::read_to_string(dir.join("submissions").join(format!("{submission}.json")))
        .expect("submission file");
    let s = Submission::from_json(&text).expect("submission parses");
    let date: Date = "2026-12-07".parse().expect("date");
    let compiled = CompiledBundle::compile(bundle.clone()).expect("bundle compiles");
    for _ in 0..calls {
        match op.as_str() {
            "compile" => drop(black_box(CompiledBundle::compile(black_box(bundle.clone())))),
            "validate" => drop(black_box(compiled.validate(black_box(&s)))),
            "evaluate" => drop(black_box(compiled.evaluate(black_box(&s), date))),
            "notice" => drop(black_box(compiled.notice_for(black_box(&s), date))),
            other => {
                eprintln!("unknown operation `{other}`");
                std::process::exit(2);
            }
        }
    }
}
