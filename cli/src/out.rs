//! Standard output and standard error without panics.
//!
//! `println!` panics when a write fails ("failed printing to stdout"): when the reader of a
//! pipe goes away (`onething form DIR | head -c 10`) or the disk is full (`> /dev/full`).
//! Every command writes through [`Out`] instead, which keeps the first error and drops what
//! comes after it; [`Out::finish`] returns that error to `main`, which ends quietly with
//! exit code 0 on a closed pipe, as other Unix tools do, and says what happened with exit
//! code 2 on any other error. Messages to standard error go through [`errln!`], which
//! ignores a failure: there is nowhere left to report it.

use std::fmt;
use std::io::{self, BufWriter, StdoutLock, Write};

use serde::Serialize;

/// Writes a line to standard error, ignoring a failure to write it.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
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

/// Standard output, buffered; the first write error is kept and later writes are dropped.
pub struct Out {
    inner: BufWriter<StdoutLock<'static>>,
    error: Option<io::Error>,
}

impl Out {
    /// Standard output, locked for the whole run.
    pub fn stdout() -> Out {
        Out { inner: BufWriter::with_capacity(1 << 16, io::stdout().lock()), error: None }
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
