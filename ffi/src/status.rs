//! Status codes: stable numbers, never renumbered or reused.

use std::ffi::{c_char, CStr, CString};

use once_cell::sync::Lazy;

use leanix_core::ErrorKind;

/// The status every fallible function returns. `LX_OK` is 0; errors are positive and stable.
#[repr(i32)]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr, strum::FromRepr,
)]
pub enum lx_status {
    /// Success.
    LX_OK = 0,
    /// A required pointer argument was NULL.
    LX_ERR_NULL_ARG = 1,
    /// An argument is invalid: not UTF-8, a NUL inside a length-delimited string, a length above
    /// PTRDIFF_MAX, an unknown option key, a bad method or header, a pointer the library does
    /// not know (e.g. already freed), or an index out of range.
    LX_ERR_INVALID_ARG = 2,
    /// The configuration is invalid (no host, empty API token, http:// to a remote host, ...).
    LX_ERR_CONFIG = 3,
    /// The token endpoint rejected the API token (HTTP 400/401/403 on the exchange).
    LX_ERR_INVALID_CREDENTIALS = 4,
    /// The API answered 401 even after a fresh token and one replay, or within
    /// `reauth_interval_ms` of the last exchange a 401 caused (then without a new exchange).
    LX_ERR_UNAUTHORIZED = 5,
    /// The API answered 403: the API token's user lacks the permission.
    LX_ERR_FORBIDDEN = 6,
    /// The API answered 429 (see lx_error_retry_after_ms()), or the call was not sent: a 429
    /// (or a 503 with Retry-After) seen by any call holds every call of the client until the
    /// server's retry time, and the client paces itself (adaptive pacing,
    /// `max_requests_per_minute`); a call that would have to wait past its deadline fails at
    /// once (HTTP status 0, no response on the error; lx_error_retry_after_ms() gives the
    /// wait). The hold and the pace belong to the client: a new client starts without them.
    LX_ERR_RATE_LIMITED = 7,
    /// The API answered another unsuccessful HTTP status (see lx_error_http_status()).
    LX_ERR_HTTP = 8,
    /// A connect, token or request timeout elapsed.
    LX_ERR_TIMEOUT = 9,
    /// The connection could not be made or broke.
    LX_ERR_CONNECT = 10,
    /// The TLS handshake failed (untrusted certificate, wrong name).
    LX_ERR_TLS = 11,
    /// The server's answer is not what LeanIX sends (e.g. a token response without a token).
    LX_ERR_INVALID_RESPONSE = 12,
    /// A GraphQL response carried errors (HTTP 200 with a non-empty `errors` array).
    LX_ERR_GRAPHQL = 13,
    /// A redirect to another origin was refused (credentials never leave the configured host).
    LX_ERR_REDIRECT = 14,
    /// The call was cancelled: its lx_cancel fired, or its client was closed or freed.
    LX_ERR_CANCELLED = 15,
    /// The client was created in the parent process before fork(); create a new one.
    LX_ERR_FORKED = 16,
    /// An internal error (a bug) was caught at the library boundary.
    LX_ERR_PANIC = 17,
    /// The item asked for does not exist (e.g. a response header that is absent, or an error
    /// without a response).
    LX_ERR_NOT_FOUND = 18,
    /// The response body is larger than `max_response_bytes`, or a paging walk has more pages
    /// than `max_pages`.
    LX_ERR_TOO_LARGE = 19,
    /// A blocking call was made from inside a library callback (an event or completion
    /// callback), where it would wait for itself. Start it asynchronously or from another
    /// thread.
    LX_ERR_RECURSIVE_CALL = 20,
    /// An LDIF run ended `FAILED` or `STOPPED`, or finished with `ERROR` warnings. The run's
    /// result (id, status, progress, warnings) is in lx_error_run_json().
    LX_ERR_RUN_FAILED = 21,
}

impl lx_status {
    /// The status for a core error kind.
    pub(crate) fn from_kind(kind: ErrorKind) -> lx_status {
        match kind {
            ErrorKind::Config => lx_status::LX_ERR_CONFIG,
            ErrorKind::InvalidArgument => lx_status::LX_ERR_INVALID_ARG,
            ErrorKind::InvalidCredentials => lx_status::LX_ERR_INVALID_CREDENTIALS,
            ErrorKind::Unauthorized => lx_status::LX_ERR_UNAUTHORIZED,
            ErrorKind::Forbidden => lx_status::LX_ERR_FORBIDDEN,
            ErrorKind::RateLimited => lx_status::LX_ERR_RATE_LIMITED,
            ErrorKind::Http => lx_status::LX_ERR_HTTP,
            ErrorKind::Timeout => lx_status::LX_ERR_TIMEOUT,
            ErrorKind::Connect => lx_status::LX_ERR_CONNECT,
            ErrorKind::Tls => lx_status::LX_ERR_TLS,
            ErrorKind::InvalidResponse => lx_status::LX_ERR_INVALID_RESPONSE,
            ErrorKind::GraphQl => lx_status::LX_ERR_GRAPHQL,
            ErrorKind::Redirect => lx_status::LX_ERR_REDIRECT,
            ErrorKind::Cancelled => lx_status::LX_ERR_CANCELLED,
            ErrorKind::Forked => lx_status::LX_ERR_FORKED,
            ErrorKind::TooLarge => lx_status::LX_ERR_TOO_LARGE,
            ErrorKind::RecursiveCall => lx_status::LX_ERR_RECURSIVE_CALL,
            ErrorKind::RunFailed => lx_status::LX_ERR_RUN_FAILED,
            _ => lx_status::LX_ERR_PANIC,
        }
    }

    /// Every status, in order.
    pub(crate) fn all() -> impl Iterator<Item = lx_status> {
        <lx_status as strum::IntoEnumIterator>::iter()
    }

    /// The status's name as a C string (`"LX_ERR_TIMEOUT"`), from the enum itself.
    fn c_name(self) -> &'static CStr {
        static NAMES: Lazy<Vec<CString>> = Lazy::new(|| {
            lx_status::all()
                .map(|s| CString::new(<&'static str>::from(s)).expect("no NUL in a name"))
                .collect()
        });
        let index = lx_status::all().position(|s| s == self).unwrap_or(0);
        &NAMES[index]
    }
}

/// The name of a status code (`"LX_ERR_TIMEOUT"`), or `"LX_ERR_UNKNOWN"` for a number that is
/// not a status.
///
/// Ownership: a static string; never free it. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_status_str(status: i32) -> *const c_char {
    match lx_status::from_repr(status) {
        Some(s) => s.c_name().as_ptr(),
        None => c"LX_ERR_UNKNOWN".as_ptr(),
    }
}
