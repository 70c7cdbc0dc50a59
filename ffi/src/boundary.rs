//! The panic boundary: no panic ever unwinds into C.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{lx_error, report, Failure};
use crate::status::lx_status;

/// Runs the body of a status-returning function: converts its failure (or a panic) into a
/// status and, if asked, an `lx_error`.
pub(crate) fn guard(
    err_out: *mut *mut lx_error,
    body: impl FnOnce() -> Result<(), Failure>,
) -> lx_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return lx_status::LX_OK,
        Ok(Err(f)) => f,
        Err(payload) => Failure::new(lx_status::LX_ERR_PANIC, panic_message(payload.as_ref())),
    };
    let status = failure.status;
    // Building the error object must not unwind either.
    let _ = catch_unwind(AssertUnwindSafe(|| report(failure, err_out)));
    status
}

/// Runs the body of a function that returns a plain value; a panic returns `default`.
pub(crate) fn quiet<R>(default: R, body: impl FnOnce() -> Option<R>) -> R {
    catch_unwind(AssertUnwindSafe(body))
        .ok()
        .flatten()
        .unwrap_or(default)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal error in libleanix (please report it): {detail}")
}
