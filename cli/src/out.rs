//! Standard output and standard error without panics.
//!
//! `println!` panics when a write fails ("failed printing to stdout"): when the reader of a
//! pipe goes away (`onething form DIR | head -c 10`) or the disk is full (`> /dev/full`).
//! Every command writes through [`Out`] instead, which keeps the first error and drops what
//! comes after it; [`Out::finish`] returns that error to `main`, which ends quietly with
//! exit code 0 on a closed pipe, as other Unix tools do, and says what happened with exit
//! code 2 on any other error. Messages to standard error go through [`errln!`], which
//! ignores a failure: there is nowhere left to report it.
//!
//! Colour: a label (`error:`, `warning:`) is coloured only when its stream is a terminal
//! and `NO_COLOR` is not set to a non-empty value (<https://no-color.org>); `CLICOLOR_FORCE`
//! (non-empty, not `0`) colours a stream that is not a terminal, `NO_COLOR` still winning.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};
use std::sync::OnceLock;

use serde::Serialize;

/// Writes a line to standard error, ignoring a failure to write it; a leading label
/// (`error:`, `warning:`, `note:`, `conflict:`) is coloured as [`err_line`] says.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::err_line(format!($($arg)*))
    };
}

/// Writes to [`Out`], as `print!` does.
macro_rules! out {
    ($out:expr, $($arg:tt)*) => {
        $out.write(format_args!($($arg)*))
    };
}

/// Writes a line to [`Out`], as `println!` does.
macro_rules! outln {
    ($out:expr) => {
        $out.write(format_args!("\n"))
    };
    ($out:expr, $($arg:tt)*) => {{
        $out.write(format_args!($($arg)*));
        $out.write(format_args!("\n"));
    }};
}

pub(crate) use {errln, out, outln};

/// The labels that start a line and are coloured.
const LABELS: [(&str, &str); 4] =
    [("error", "1;31"), ("warning", "1;33"), ("note", "1;36"), ("conflict", "1;31")];

/// Whether a stream gets colours, given whether it is a terminal and the environment's
/// `NO_COLOR` and `CLICOLOR_FORCE`.
pub fn colour(
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    force: Option<&std::ffi::OsStr>,
) -> bool {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    force.is_some_and(|v| !v.is_empty() && v != "0") || is_terminal
}

/// [`colour`] for a stream, from this process's environment.
fn colour_env(is_terminal: bool) -> bool {
    colour(
        is_terminal,
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("CLICOLOR_FORCE").as_deref(),
    )
}

/// `text` with its leading label (`error: …`) in the label's colour when `on`.
pub fn paint(text: &str, on: bool) -> Cow<'_, str> {
    if on {
        let indent = text.len() - text.trim_start().len();
        let (space, rest) = text.split_at(indent);
        if let Some((label, tail)) = rest.split_once(": ") {
            if let Some((_, code)) = LABELS.iter().find(|(l, _)| *l == label) {
                return Cow::Owned(format!("{space}\x1b[{code}m{label}\x1b[0m: {tail}"));
            }
        }
    }
    Cow::Borrowed(text)
}

/// Writes a line to standard error, its label coloured when standard error is a terminal
/// (see the module's documentation); a failure to write is ignored.
pub fn err_line(text: String) {
    static ON: OnceLock<bool> = OnceLock::new();
    let on = *ON.get_or_init(|| colour_env(io::stderr().is_terminal()));
    let _ = writeln!(io::stderr(), "{}", paint(&text, on));
}

/// How much a run says besides its result: `--quiet`, the default, `--verbose`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verbosity {
    /// Results and errors only: no warnings, notes or progress.
    Quiet,
    /// Warnings of one kind summarised after [`SHOWN_PER_KIND`].
    Normal,
    /// Every warning.
    Verbose,
}

/// How many warnings of one kind are printed before the rest of that kind are counted.
pub const SHOWN_PER_KIND: usize = 3;

/// Standard output, buffered; the first write error is kept and later writes are dropped.
pub struct Out {
    inner: BufWriter<StdoutLock<'static>>,
    error: Option<io::Error>,
    /// Whether labels on standard output are coloured.
    colour: bool,
    /// How much to say besides the result.
    pub verbosity: Verbosity,
}

impl Out {
    /// Standard output, locked for the whole run.
    pub fn stdout(verbosity: Verbosity) -> Out {
        let stdout = io::stdout();
        let colour = colour_env(stdout.is_terminal());
        Out { inner: BufWriter::with_capacity(1 << 16, stdout.lock()), error: None, colour, verbosity }
    }

    /// Writes a line whose leading label (`  warning: …`) is coloured on a terminal.
    pub fn line(&mut self, text: &str) {
        let painted = paint(text, self.colour);
        outln!(self, "{painted}");
    }

    /// Writes warnings, one line each (`"  warning: …"`), given with their kind: all of them
    /// when verbose, none when quiet, else the first [`SHOWN_PER_KIND`] of each kind and then,
    /// for each kind with more, `more(n)`: a line saying how many more there are.
    pub fn warnings(&mut self, warnings: &[(String, String)], more: impl Fn(usize) -> String) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (kind, text) in warnings {
            let seen = match counts.iter_mut().find(|(k, _)| k == kind) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((kind, 1));
                    1
                }
            };
            if self.verbosity == Verbosity::Verbose || seen <= SHOWN_PER_KIND {
                self.line(text);
            }
        }
        if self.verbosity == Verbosity::Normal {
            for (_, n) in counts {
                if n > SHOWN_PER_KIND {
                    let text = more(n - SHOWN_PER_KIND);
                    outln!(self, "{text}");
                }
            }
        }
    }

    /// Writes formatted text, unless an earlier write failed.
    pub fn write(&mut self, args: fmt::Arguments<'_>) {
        if self.error.is_none() {
            if let Err(e) = self.inner.write_fmt(args) {
                self.error = Some(e);
            }
        }
    }

    /// Writes `v` as pretty JSON and a newline.
    pub fn json(&mut self, v: &impl Serialize) {
        match serde_json::to_string_pretty(v) {
            Ok(s) => outln!(self, "{s}"),
            Err(e) => errln!("error: cannot write JSON: {e}"),
        }
    }

    /// Writes what is buffered now, so that a reader sees it; `false` once a write has
    /// failed (there is no point going on).
    pub fn flush(&mut self) -> bool {
        if self.error.is_none() {
            if let Err(e) = self.inner.flush() {
                self.error = Some(e);
            }
        }
        self.error.is_none()
    }

    /// Flushes; the first error of the run, if any.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush();
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The exit code of a run whose command asked for `code`, given how writing its output
/// ended: a closed pipe is a quiet success, any other write error is an I/O error (2).
pub fn exit_code(code: u8, written: io::Result<()>) -> u8 {
    match written {
        Ok(()) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            errln!("error: cannot write the output: {e}");
            2
        }
    }
}
