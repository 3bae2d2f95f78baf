//! `onething batch`: one decision per line of submissions, in parallel, in input order.
//!
//! Lines are read and decided a chunk at a time — at most [`CHUNK_LINES`] lines and about
//! [`CHUNK_BYTES`] of text — so that memory stays flat however long the input is, and a few
//! huge lines are not all held and decided at once. Chunks depend on the input only, so the
//! output is the same, byte for byte, on any number of threads.
//!
//! A line longer than a submission may be ([`MAX_SUBMISSION_BYTES`]) ends its chunk: the
//! lines before it are decided and written, then its error line, flushed at once, and only
//! then is the rest of it skipped to the next newline, in bounded memory. An input without
//! newlines (`/dev/zero`) therefore shows its error line at once and is then skipped for as
//! long as it lasts.

use std::io::{BufRead, Read};
use std::path::Path;

use onething::submission::MAX_SUBMISSION_BYTES;
use onething::{EvalOptions, LoadError, Submission};
use serde_json::json;

use crate::out::{Out, errln, outln};
use crate::{Exit, When, compile, load_error};

/// Most lines decided together: enough to keep every core busy.
pub const CHUNK_LINES: usize = 4096;

/// Text decided together, at most (16 MiB, one submission's limit): a chunk ends with the
/// line that reaches it. Decisions take many times their text in memory.
pub const CHUNK_BYTES: usize = 16 << 20;

/// Lines decided between two updates of the progress bar.
const PROGRESS_STEP: usize = 64;

/// One line as read: its text, or why it cannot be a submission.
type Line = Result<String, BadLine>;

pub fn batch(out: &mut Out, path: &Path, submissions: &Path, when: &When, trace: bool) -> Exit {
    let (date, opts) = match when.resolve() {
        Ok((date, opts)) => (date, EvalOptions { trace, ..opts }),
        Err(message) => {
            errln!("error: {message}");
            return Exit(2);
        }
    };
    let compiled = match compile(out, path, false) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let name = submissions.display().to_string();
    let (mut input, progress) = match open(submissions) {
        Ok(x) => x,
        Err(e) => return load_error(out, &LoadError::Io { path: name, message: e.to_string() }, false),
    };
    if out.verbosity == crate::out::Verbosity::Quiet {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    // Line `n`, decided: the decision as JSON, or an error object naming the line.
    let decide = |n: usize, line: &Line| {
        let at = format!("{name}:{n}");
        let submission = match line {
            Ok(text) => Submission::from_json_named(text, &at),
            Err(bad) => Err(bad.error(at)),
        };
        let text = match submission {
            Ok(s) => serde_json::to_string(&compiled.evaluate_with(&s, date, &opts)),
            Err(e) => serde_json::to_string(&json!({ "line": n, "error": e })),
        };
        text.unwrap_or_else(|e| json!({ "line": n, "error": e.to_string() }).to_string())
    };
    let (mut done, mut buf) = (0, Vec::new());
    loop {
        let chunk = match read_chunk(&mut input, &mut buf, CHUNK_LINES, CHUNK_BYTES) {
            Ok(chunk) => chunk,
            Err(e) => return load_error(out, &LoadError::Io { path: name, message: e.to_string() }, false),
        };
        if chunk.is_empty() {
            break;
        }
        for line in decide_chunk(&chunk, done, &progress, &decide) {
            outln!(out, "{line}");
        }
        done += chunk.len();
        if let Some(Err(BadLine::TooLong { unfinished: true, .. })) = chunk.last() {
            // Seen now, before the rest of the line is skipped, however long that takes.
            if !out.flush() {
                break;
            }
            if let Err(e) = skip_line(&mut input) {
                return load_error(out, &LoadError::Io { path: name, message: e.to_string() }, false);
            }
        }
        if !out.flush() {
            break;
        }
    }
    progress.finish_and_clear();
    Exit(0)
}

/// Opens the submissions with a progress bar. The bar's length needs a first pass over the
/// lines: only a regular file can be read twice. A pipe (`<(producer)`, /dev/stdin) is read
/// once, with a counter instead.
fn open(path: &Path) -> std::io::Result<(std::io::BufReader<std::fs::File>, indicatif::ProgressBar)> {
    let file = std::fs::File::open(path)?;
    let total = if file.metadata()?.is_file() { Some(count_lines(path)?) } else { None };
    let (progress, template) = match total {
        Some(n) => (indicatif::ProgressBar::new(n), "{bar:40} {pos}/{len} decisions, {per_sec}, {eta} left"),
        None => (indicatif::ProgressBar::no_length(), "{pos} decisions, {per_sec}"),
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Ok((std::io::BufReader::new(file), progress))
}

/// Decides the lines of a chunk whose first line is line `done + 1`, in parallel; the
/// decisions in input order. A line that is not a submission gets an error object in its
/// place, so line numbers still match. The progress bar is a lock: it is told once per run
/// of lines, not once per line, or the threads take turns at it.
fn decide_chunk(
    chunk: &[Line],
    done: usize,
    progress: &indicatif::ProgressBar,
    decide: &(impl Fn(usize, &Line) -> String + Sync),
) -> Vec<String> {
    use rayon::prelude::*;
    let decided: Vec<Vec<String>> = chunk
        .par_chunks(PROGRESS_STEP)
        .enumerate()
        .map(|(c, run)| {
            let first = done + c * PROGRESS_STEP + 1;
            let out = run.iter().enumerate().map(|(k, line)| decide(first + k, line)).collect();
            progress.inc(run.len() as u64);
            out
        })
        .collect();
    decided.into_iter().flatten().collect()
}

/// Reads the next chunk of lines: at most `lines` lines, and no more once their text
/// reaches `bytes`; an over-long line not read to its end ends the chunk (the caller skips
/// the rest of it). Empty at the end of the input.
fn read_chunk(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    lines: usize,
    bytes: usize,
) -> std::io::Result<Vec<Line>> {
    let (mut chunk, mut held) = (Vec::new(), 0);
    while chunk.len() < lines && held < bytes {
        let Some(line) = read_line(input, buf, MAX_SUBMISSION_BYTES)? else { break };
        held += line.as_ref().map_or(0, String::len);
        let unfinished = matches!(line, Err(BadLine::TooLong { unfinished: true, .. }));
        chunk.push(line);
        if unfinished {
            break;
        }
    }
    Ok(chunk)
}

/// A line of a batch that cannot be a submission, found before parsing it.
#[derive(Debug, PartialEq)]
enum BadLine {
    /// Longer than a submission may be: the bytes read of it; `unfinished` when its end
    /// was not read (the rest is still to skip), so that it is longer still.
    TooLong { bytes: u64, unfinished: bool },
    /// Not UTF-8 text: the byte offset where it stops being.
    NotUtf8(usize),
}

impl BadLine {
    /// The error for this line, named `name` (`FILE:LINE`).
    fn error(&self, name: String) -> LoadError {
        match *self {
            BadLine::TooLong { bytes, .. } => {
                LoadError::TooLarge { path: name, bytes, limit: MAX_SUBMISSION_BYTES as u64 }
            }
            BadLine::NotUtf8(offset) => LoadError::Syntax {
                path: name,
                line: 1,
                column: offset + 1,
                message: format!("not UTF-8 text from byte {offset} of the line"),
            },
        }
    }
}

/// Reads the next line of `input` without its line ending (`\n` or `\r\n`); `None` at the
/// end. At most `limit` bytes (and a line ending) of a line are read: a longer line is
/// reported, unfinished, as is a line that is not UTF-8, so that one bad line costs its own
/// decision and not the batch. `buf` is scratch space kept between calls.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<Option<Line>> {
    buf.clear();
    // Room for `limit` bytes and a `\r\n` ending: anything longer without a newline in it is
    // too long.
    if input.by_ref().take(limit as u64 + 2).read_until(b'\n', buf)? == 0 {
        return Ok(None);
    }
    let unfinished = buf.last() != Some(&b'\n');
    if !unfinished {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.len() > limit {
        return Ok(Some(Err(BadLine::TooLong { bytes: buf.len() as u64, unfinished })));
    }
    Ok(Some(match std::str::from_utf8(buf) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => Err(BadLine::NotUtf8(e.valid_up_to())),
    }))
}

/// Skips the rest of a line, its newline included.
fn skip_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(());
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = available.len();
                input.consume(n);
            }
        }
    }
}

/// The number of lines in a file, for the progress bar (a last line without a newline
/// counts).
fn count_lines(path: &Path) -> std::io::Result<u64> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buf)?;
        let Some(read) = buf.get(..n).filter(|r| !r.is_empty()) else { break };
        lines += read.iter().filter(|&&b| b == b'\n').count() as u64;
        last = read.last().copied().unwrap_or(last);
    }
    Ok(lines + u64::from(last != b'\n'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn chunks(input: &[u8], lines: usize, bytes: usize) -> Vec<Vec<Line>> {
        let (mut input, mut buf, mut out) = (std::io::Cursor::new(input), Vec::new(), Vec::new());
        loop {
            let chunk = read_chunk(&mut input, &mut buf, lines, bytes).unwrap();
            if chunk.is_empty() {
                return out;
            }
            if let Some(Err(BadLine::TooLong { unfinished: true, .. })) = chunk.last() {
                skip_line(&mut input).unwrap();
            }
            out.push(chunk);
        }
    }

    fn sizes(chunks: &[Vec<Line>]) -> Vec<Vec<usize>> {
        chunks.iter().map(|c| c.iter().map(|l| l.as_ref().map_or(0, String::len)).collect()).collect()
    }

    #[test]
    fn a_chunk_ends_at_its_byte_budget_or_its_line_count() {
        let input = b"aaaa\nbbbb\ncc\ndddddddd\ne\nf\ng\n";
        assert_eq!(sizes(&chunks(input, 100, 8)), vec![vec![4, 4], vec![2, 8], vec![1, 1, 1]]);
        assert_eq!(sizes(&chunks(input, 2, 1000)), vec![vec![4, 4], vec![2, 8], vec![1, 1], vec![1]]);
        assert_eq!(sizes(&chunks(input, 100, 1000)), vec![vec![4, 4, 2, 8, 1, 1, 1]]);
    }

    #[test]
    fn an_over_long_line_ends_its_chunk_before_its_end_is_read() {
        let mut input = b"{}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_SUBMISSION_BYTES + 10));
        input.extend_from_slice(b"\n{}\n");
        let chunks = chunks(&input, 100, 1000);
        assert_eq!(chunks.len(), 2);
        let bytes = MAX_SUBMISSION_BYTES as u64 + 2;
        assert_eq!(chunks[0][1], Err(BadLine::TooLong { bytes, unfinished: true }));
        assert_eq!(chunks[1], vec![Ok("{}".to_owned())]);
        // A line just over the limit that ends within what is read is finished.
        let mut input = vec![b'x'; MAX_SUBMISSION_BYTES + 1];
        input.push(b'\n');
        let bytes = MAX_SUBMISSION_BYTES as u64 + 1;
        assert_eq!(chunks_of(&input), vec![vec![Err(BadLine::TooLong { bytes, unfinished: false })]]);
    }

    fn chunks_of(input: &[u8]) -> Vec<Vec<Line>> {
        chunks(input, CHUNK_LINES, CHUNK_BYTES)
    }
}
