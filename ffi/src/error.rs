//! `lx_error`: the detailed error object, and its accessors.

use std::ffi::{c_char, CString};
use std::sync::{Arc, OnceLock};

use crate::args::out;
use crate::boundary::{guard, quiet};
use crate::registry;
use crate::response::{lx_response, ResponseObject};
use crate::status::lx_status;

/// Opaque error object: code, message, HTTP status, OAuth error, Retry-After, and for failed
/// calls the server's response and GraphQL errors. Owned by the caller; release with
/// lx_free(). Thread safety: any thread, but its borrowed strings belong to it.
pub struct lx_error {
    _private: [u8; 0],
}

/// A failure inside the library, before it becomes an `lx_error`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: lx_status,
    pub message: String,
    /// The core error it came from, if any (for the response and GraphQL details).
    pub core: Option<leanix_core::Error>,
}

impl Failure {
    pub fn new(status: lx_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
            core: None,
        }
    }
}

impl From<leanix_core::Error> for Failure {
    fn from(e: leanix_core::Error) -> Self {
        Failure {
            status: lx_status::from_kind(e.kind()),
            message: e.message().to_owned(),
            core: Some(e),
        }
    }
}

/// What lives behind an `lx_error *`.
pub(crate) struct ErrorObject {
    code: lx_status,
    message: CString,
    oauth_error: Option<CString>,
    reason: Option<CString>,
    core: Option<leanix_core::Error>,
    /// The handle of the response lent out by lx_error_response(), made on first use and
    /// freed with the error.
    response: OnceLock<Option<usize>>,
}

impl ErrorObject {
    /// The handle of the borrowed response, if one was lent out (for lx_free()).
    pub fn lent_response(&self) -> Option<usize> {
        self.response.get().copied().flatten()
    }
}

fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

/// Stores `failure` into `*err_out` if the caller asked for details.
pub(crate) fn report(failure: Failure, err_out: *mut *mut lx_error) {
    if err_out.is_null() {
        return;
    }
    let object = ErrorObject {
        code: failure.status,
        message: c_string(&failure.message),
        oauth_error: failure
            .core
            .as_ref()
            .and_then(|e| e.oauth_error())
            .map(c_string),
        reason: failure.core.as_ref().and_then(|e| e.reason()).map(c_string),
        core: failure.core,
        response: OnceLock::new(),
    };
    registry::publish::<lx_error>(err_out, Arc::new(object));
}

/// Reads a field of a live error; `default` for NULL or anything else.
fn read<R>(err: *const lx_error, default: R, f: impl FnOnce(&ErrorObject) -> R) -> R {
    quiet(default, || registry::peek::<lx_error>(err).map(|e| f(&e)))
}

/// Like [`read`] for pointers into the error: valid while the registry holds the object.
fn read_ptr<T>(err: *const lx_error, f: impl FnOnce(&ErrorObject) -> *const T) -> *const T {
    read(err, std::ptr::null(), f)
}

/// The status code of an error (an `LX_ERR_*` value); `LX_ERR_INVALID_ARG` if `err` is NULL or
/// not a live error.
///
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_error_code(err: *const lx_error) -> lx_status {
    read(err, lx_status::LX_ERR_INVALID_ARG, |e| e.code)
}

/// The message of an error: one line of UTF-8 that names what happened and where, with a
/// short, cleaned excerpt of what the server said (control characters and terminal escapes
/// removed), never a credential. Returns `""` if `err` is NULL or not a live error.
///
/// Ownership: borrowed; valid until `lx_free(err)`. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_error_message(err: *const lx_error) -> *const c_char {
    let ptr = read_ptr(err, |e| e.message.as_ptr());
    if ptr.is_null() {
        c"".as_ptr()
    } else {
        ptr
    }
}

/// The HTTP status behind the error (e.g. 400, 401, 403, 429, 503; 200 for GraphQL errors),
/// or 0 if none.
///
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_error_http_status(err: *const lx_error) -> i32 {
    read(err, 0, |e| {
        e.core
            .as_ref()
            .and_then(|c| c.status())
            .map_or(0, i32::from)
    })
}

/// The OAuth2 `error` field of a failed token exchange (e.g. `"invalid_client"`), or NULL.
///
/// Ownership: borrowed; valid until `lx_free(err)`. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_error_oauth_error(err: *const lx_error) -> *const c_char {
    read_ptr(err, |e| {
        e.oauth_error
            .as_ref()
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// For `LX_ERR_RATE_LIMITED`: the server's reason code when its body names one (LeanIX:
/// `"USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"`), or NULL.
///
/// Ownership: borrowed; valid until `lx_free(err)`. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_error_reason(err: *const lx_error) -> *const c_char {
    read_ptr(err, |e| {
        e.reason.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The server's Retry-After in milliseconds (for `LX_ERR_RATE_LIMITED` and transient HTTP
/// errors), or -1 if it sent none.
///
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_error_retry_after_ms(err: *const lx_error) -> i64 {
    read(err, -1, |e| {
        e.core
            .as_ref()
            .and_then(|c| c.retry_after())
            .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

/// The response of the call that failed: for a non-2xx answer (`LX_ERR_HTTP`,
/// `LX_ERR_FORBIDDEN`, `LX_ERR_UNAUTHORIZED`, `LX_ERR_RATE_LIMITED`, `LX_ERR_REDIRECT`), a
/// GraphQL error, and a failed token exchange the endpoint answered (`LX_ERR_HTTP`,
/// `LX_ERR_RATE_LIMITED`, `LX_ERR_INVALID_CREDENTIALS`, `LX_ERR_INVALID_RESPONSE` for a
/// redirect), the status, headers and body as the server sent them (an API error body longer
/// than `max_response_bytes` cut there, and the message says so), so every lx_response_*() accessor works on it. `LX_ERR_NOT_FOUND` when
/// the failure had no answer (connection errors, timeouts, invalid arguments, an unusable
/// 2xx token body).
///
/// Ownership: `*out_response` is borrowed from `err`: valid until `lx_free(err)`; never free
/// it. Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_error_response(
    err: *const lx_error,
    out_response: *mut *const lx_response,
) -> lx_status {
    guard(std::ptr::null_mut(), || {
        out(out_response, "out_response")?;
        let e = registry::get::<lx_error>(err, "err")?;
        let handle = *e.response.get_or_init(|| {
            let response = e.core.as_ref()?.response()?.clone();
            let object = Arc::new(ResponseObject::from_core(response));
            Some(registry::insert_lent(object))
        });
        let handle = handle.ok_or_else(|| {
            Failure::new(lx_status::LX_ERR_NOT_FOUND, "the error has no response")
        })?;
        // SAFETY: checked non-NULL above.
        unsafe { *out_response = handle as *const lx_response };
        Ok(())
    })
}

/// For `LX_ERR_GRAPHQL`: the response's `errors` (each with `message` and, where the server
/// sent them, `path`, `locations` and `extensions.errorType`, e.g. `"REVISION_CLASH"`) and
/// the partial `data` that came with them, as one JSON object
/// `{"errors":[...],"data":...}`. `LX_ERR_NOT_FOUND` for other errors.
///
/// Ownership: `*out_json` (NUL-terminated; `*out_len` bytes without the NUL, `out_len` may be
/// NULL) is owned by the caller; release with lx_free(). Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_error_graphql_json(
    err: *const lx_error,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> lx_status {
    detail_json(
        err,
        out_json,
        out_len,
        "the error is not a GraphQL error",
        |core| {
            let errors = core.graphql_errors()?;
            let data = core
                .graphql_data()
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            Some(serde_json::json!({ "errors": errors, "data": data }))
        },
    )
}

/// The body of an accessor that hands out a detail of the core error behind `err` as an owned
/// JSON string (`out_len` is optional): `LX_ERR_NOT_FOUND` with `missing` when the error has
/// no such detail. No `lx_error` of its own is made.
pub(crate) fn detail_json(
    err: *const lx_error,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    missing: &str,
    detail: impl FnOnce(&leanix_core::Error) -> Option<serde_json::Value>,
) -> lx_status {
    guard(std::ptr::null_mut(), || {
        out(out_json, "out_json")?;
        let e = registry::get::<lx_error>(err, "err")?;
        let json = e
            .core
            .as_ref()
            .and_then(detail)
            .ok_or_else(|| Failure::new(lx_status::LX_ERR_NOT_FOUND, missing))?;
        crate::answer::write_json(&json, out_json, out_len);
        Ok(())
    })
}
