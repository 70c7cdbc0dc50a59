//! `lx_response`: status, headers and a binary-safe body.

use std::ffi::{c_char, c_void, CString};

use crate::args::{out, required_str};
use crate::boundary::{guard, quiet};
use crate::error::{lx_error, Failure};
use crate::registry::{self, Object};
use crate::status::lx_status;

/// Opaque response of a successful (2xx) request. Owned by the caller; release with lx_free().
/// Thread safety: one thread at a time.
pub struct lx_response {
    _private: [u8; 0],
}

/// What lives behind an `lx_response *`.
pub(crate) struct ResponseObject {
    status: i32,
    /// The body followed by one NUL byte (not part of the body).
    body: Vec<u8>,
    headers: Vec<(CString, CString)>,
    /// Every header as `name: value\n` lines, followed by one NUL byte.
    headers_block: Vec<u8>,
}

impl ResponseObject {
    pub fn new(response: &leanix_core::Response) -> Self {
        let mut body = Vec::with_capacity(response.body().len() + 1);
        body.extend_from_slice(response.body());
        body.push(0);
        let headers: Vec<(CString, CString)> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let v = String::from_utf8_lossy(value.as_bytes()).replace('\0', "");
                (
                    CString::new(name.as_str()).unwrap_or_default(),
                    CString::new(v).unwrap_or_default(),
                )
            })
            .collect();
        let mut headers_block = Vec::new();
        for (name, value) in &headers {
            headers_block.extend_from_slice(name.as_bytes());
            headers_block.extend_from_slice(b": ");
            headers_block.extend_from_slice(value.as_bytes());
            headers_block.push(b'\n');
        }
        headers_block.push(0);
        ResponseObject {
            status: i32::from(response.status()),
            body,
            headers,
            headers_block,
        }
    }
}

fn with_response<R>(
    response: *const lx_response,
    f: impl FnOnce(&ResponseObject) -> R,
) -> Result<R, Failure> {
    registry::with(response as *const c_void, |o| match o {
        Object::Response(r) => Some(f(r)),
        _ => None,
    })
    .flatten()
    .ok_or_else(|| {
        if response.is_null() {
            crate::args::null_arg("response")
        } else {
            Failure::new(
                lx_status::LX_ERR_INVALID_ARG,
                "argument `response` is not a live lx_response (freed already?)",
            )
        }
    })
}

/// The HTTP status code (200..299), or 0 if `response` is NULL or not a live response.
#[no_mangle]
pub extern "C" fn lx_response_status(response: *const lx_response) -> i32 {
    quiet(0, || with_response(response, |r| r.status).ok())
}

/// The body: `*out_data` points to `*out_len` bytes (binary-safe, may contain NULs), followed by
/// a NUL byte that is not counted, so a text body can be used as a C string.
///
/// Ownership: borrowed; valid until `lx_free(response)`.
#[no_mangle]
pub extern "C" fn lx_response_body(
    response: *const lx_response,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> lx_status {
    guard(std::ptr::null_mut(), || {
        out(out_data, "out_data")?;
        out(out_len, "out_len")?;
        let (ptr, len) = with_response(response, |r| (r.body.as_ptr(), r.body.len() - 1))?;
        // SAFETY: both checked non-NULL above.
        unsafe {
            *out_data = ptr;
            *out_len = len;
        }
        Ok(())
    })
}

/// The number of response headers (0 if `response` is NULL or not a live response).
#[no_mangle]
pub extern "C" fn lx_response_header_count(response: *const lx_response) -> usize {
    quiet(0, || with_response(response, |r| r.headers.len()).ok())
}

/// Every header in one block of `name: value\n` lines (lower-case names, in the order received,
/// values as in lx_response_header()), followed by a NUL byte that `*out_len` does not count.
/// One call instead of two per header, for bindings that copy all headers.
///
/// Ownership: borrowed; valid until `lx_free(response)`.
#[no_mangle]
pub extern "C" fn lx_response_headers(
    response: *const lx_response,
    out_data: *mut *const c_char,
    out_len: *mut usize,
) -> lx_status {
    guard(std::ptr::null_mut(), || {
        out(out_data, "out_data")?;
        out(out_len, "out_len")?;
        let (ptr, len) = with_response(response, |r| {
            (r.headers_block.as_ptr(), r.headers_block.len() - 1)
        })?;
        // SAFETY: both checked non-NULL above.
        unsafe {
            *out_data = ptr.cast();
            *out_len = len;
        }
        Ok(())
    })
}

/// The header at `index` (0-based, in the order received): lower-case name and value as
/// NUL-terminated UTF-8 (invalid bytes in values are replaced by U+FFFD). `LX_ERR_NOT_FOUND` if
/// `index` is out of range.
///
/// Ownership: both borrowed; valid until `lx_free(response)`.
#[no_mangle]
pub extern "C" fn lx_response_header(
    response: *const lx_response,
    index: usize,
    out_name: *mut *const c_char,
    out_value: *mut *const c_char,
) -> lx_status {
    guard(std::ptr::null_mut(), || {
        out(out_name, "out_name")?;
        out(out_value, "out_value")?;
        let found = with_response(response, |r| {
            r.headers.get(index).map(|(n, v)| (n.as_ptr(), v.as_ptr()))
        })?;
        let (n, v) = found.ok_or_else(|| {
            Failure::new(
                lx_status::LX_ERR_NOT_FOUND,
                format!("no header at index {index}"),
            )
        })?;
        // SAFETY: both checked non-NULL above.
        unsafe {
            *out_name = n;
            *out_value = v;
        }
        Ok(())
    })
}

/// The first value of the header `name` (compared case-insensitively), or `LX_ERR_NOT_FOUND`.
///
/// Ownership: `*out_value` is borrowed; valid until `lx_free(response)`.
#[no_mangle]
pub extern "C" fn lx_response_header_get(
    response: *const lx_response,
    name: *const c_char,
    out_value: *mut *const c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_value, "out_value")?;
        let name = required_str(name, "name")?;
        let found = with_response(response, |r| {
            r.headers
                .iter()
                .find(|(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
                .map(|(_, v)| v.as_ptr())
        })?;
        let v = found.ok_or_else(|| {
            Failure::new(
                lx_status::LX_ERR_NOT_FOUND,
                format!("the response has no {name:?} header"),
            )
        })?;
        // SAFETY: checked non-NULL above.
        unsafe { *out_value = v };
        Ok(())
    })
}
