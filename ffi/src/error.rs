//! `lx_error`: the detailed error object, and its accessors.

use std::ffi::{c_char, c_void, CString};

use crate::registry::{self, Object};
use crate::status::lx_status;

/// Opaque error object: code, message, HTTP status, OAuth error, Retry-After.
/// Owned by the caller; release with lx_free().
pub struct lx_error {
    _private: [u8; 0],
}

/// A failure inside the library, before it becomes an `lx_error`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: lx_status,
    pub message: String,
    pub http_status: i32,
    pub oauth_error: Option<String>,
    pub retry_after_ms: i64,
}

impl Failure {
    pub fn new(status: lx_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
            http_status: 0,
            oauth_error: None,
            retry_after_ms: -1,
        }
    }
}

impl From<leanix_core::Error> for Failure {
    fn from(e: leanix_core::Error) -> Self {
        Failure {
            status: lx_status::from_kind(e.kind()),
            message: e.message().to_owned(),
            http_status: e.status().map_or(0, i32::from),
            oauth_error: e.oauth_error().map(str::to_owned),
            retry_after_ms: e
                .retry_after()
                .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        }
    }
}

/// What lives behind an `lx_error *`.
pub(crate) struct ErrorObject {
    code: lx_status,
    message: CString,
    http_status: i32,
    oauth_error: Option<CString>,
    retry_after_ms: i64,
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
        http_status: failure.http_status,
        oauth_error: failure.oauth_error.as_deref().map(c_string),
        retry_after_ms: failure.retry_after_ms,
    };
    let ptr = registry::insert(Object::Error(Box::new(object)));
    // SAFETY: err_out is non-NULL and the caller promises it points to writable storage.
    unsafe { *err_out = ptr.cast() };
}

fn read<R>(err: *const lx_error, default: R, f: impl FnOnce(&ErrorObject) -> R) -> R {
    crate::boundary::quiet(default, || {
        registry::with(err as *const c_void, |o| match o {
            Object::Error(e) => Some(f(e)),
            _ => None,
        })
        .flatten()
    })
}

/// The status code of an error (an `LX_ERR_*` value); `LX_ERR_INVALID_ARG` if `err` is NULL or
/// not a live error.
///
/// Thread safety: the thread that owns `err`.
#[no_mangle]
pub extern "C" fn lx_error_code(err: *const lx_error) -> lx_status {
    read(err, lx_status::LX_ERR_INVALID_ARG, |e| e.code)
}

/// The message of an error: one line of UTF-8 that names what happened and where, never a
/// credential. Returns `""` if `err` is NULL or not a live error.
///
/// Ownership: borrowed; valid until `lx_free(err)`.
#[no_mangle]
pub extern "C" fn lx_error_message(err: *const lx_error) -> *const c_char {
    read(err, c"".as_ptr(), |e| e.message.as_ptr())
}

/// The HTTP status behind the error (e.g. 401, 403, 429, 503), or 0 if none.
#[no_mangle]
pub extern "C" fn lx_error_http_status(err: *const lx_error) -> i32 {
    read(err, 0, |e| e.http_status)
}

/// The OAuth2 `error` field of a failed token exchange (e.g. `"invalid_client"`), or NULL.
///
/// Ownership: borrowed; valid until `lx_free(err)`.
#[no_mangle]
pub extern "C" fn lx_error_oauth_error(err: *const lx_error) -> *const c_char {
    read(err, std::ptr::null(), |e| {
        e.oauth_error
            .as_ref()
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// For `LX_ERR_RATE_LIMITED` (and retryable HTTP errors): the server's Retry-After in
/// milliseconds, or -1 if it sent none.
#[no_mangle]
pub extern "C" fn lx_error_retry_after_ms(err: *const lx_error) -> i64 {
    read(err, -1, |e| e.retry_after_ms)
}
