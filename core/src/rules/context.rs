//! What the native functions of the running rule can see: the form, the materials, the
//! calendar, the output it prints. Thread-local while one session's script runs, and only
//! then ([`installed`]); native functions reach it through [`with_context`].

use std::cell::RefCell;
use std::sync::Arc;

use super::meter::{self, charge};
use super::record::Record;
use crate::base::calendar::Calendar;

/// What the functions of one evaluation can see (thread-local while a session's script
/// runs, and only then).
pub(crate) struct Context {
    /// `form`, shared with the session's scope (`missing` reads it).
    pub form: Record,
    /// `materials`, shared with the session's scope (`has_material` and `material_status`
    /// read it).
    pub materials: Record,
    pub calendar: Arc<Calendar>,
    pub output: Vec<String>,
    /// Bytes in `output`.
    pub(crate) output_bytes: usize,
}

/// What one run may print, in bytes; past it, one line says that the rest was cut.
pub const MAX_OUTPUT_BYTES: usize = 64 << 10;

impl Context {
    /// Records a line of `print` or `debug` output, charged by its length and cut past
    /// [`MAX_OUTPUT_BYTES`].
    pub(crate) fn print(&mut self, line: String) {
        charge(line.len());
        if self.output_bytes > MAX_OUTPUT_BYTES {
            return;
        }
        self.output_bytes += line.len();
        if self.output_bytes > MAX_OUTPUT_BYTES {
            self.output.push(format!("(output cut at {MAX_OUTPUT_BYTES} bytes)"));
        } else {
            self.output.push(line);
        }
    }
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Runs `f` on the current session's context, if a session's script is running on this
/// thread.
#[inline]
pub(crate) fn with_context<R: Default>(f: impl FnOnce(&mut Context) -> R) -> R {
    CONTEXT.with(|c| c.borrow_mut().as_mut().map(f).unwrap_or_default())
}

/// Runs `f` (a script) with `context` installed on this thread and the operation
/// counters reset to `allowed` (its own limit, what is left of its evaluation's), and puts
/// back whatever was there before (an outer session's run, when this one runs inside it).
/// Returns `f`'s result and the operations the run spent, counted and charged.
#[inline]
pub(crate) fn installed<R>(
    context: &mut Option<Context>,
    allowed: (u64, u64),
    f: impl FnOnce() -> R,
) -> (R, u64) {
    let outer = CONTEXT.with(|c| c.replace(context.take()));
    let (result, operations) = meter::metered(allowed, f);
    *context = CONTEXT.with(|c| c.replace(outer));
    (result, operations)
}
