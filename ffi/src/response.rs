//! `lx_response`: status, headers and a binary-safe body.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use crate::args::{out, required_str};
use crate::boundary::{guard, quiet};
use crate::error::{lx_error, Failure};
use crate::registry;
use crate::status::lx_status;

/// Opaque response: of a successful call (owned by the caller; release with lx_free()), or
/// borrowed from a failed call's lx_error (lx_error_response()).
/// Thread safety: any thread; what it lends out belongs to it.
pub struct lx_response {
    _private: [u8; 0],
}

/// What lives behind an `lx_response *`: the core response (its body is used in place, not
/// copied), or a body of our own (the `data` of an asynchronous GraphQL call).
pub(crate) struct ResponseObject {
    status: i32,
    source: Source,
    /// The headers as C strings, made on first use.
    headers: OnceLock<Headers>,
}

enum Source {
    Core(leanix_core::Response),
    /// A body followed by one NUL byte, without headers.
    Body(Vec<u8>),
}

struct Headers {
    pairs: Vec<(CString, CString)>,
    /// Every header as `name: value\n` lines, followed by one NUL byte.
    block: Vec<u8>,
}

impl ResponseObject {
    /// A response as the core client returned it.
    pub fn from_core(response: leanix_core::Response) -> Self {
        ResponseObject {
            status: i32::from(response.status()),
            source: Source::Core(response),
            headers: OnceLock::new(),
        }
    }

    /// A 200 response with `body` and no headers.
    pub fn from_body(mut body: Vec<u8>) -> Self {
        body.push(0);
        ResponseObject {
            status: 200,
            source: Source::Body(body),
            headers: OnceLock::new(),
        }
    }

    /// The body followed by its NUL byte.
    fn body_nul(&self) -> &[u8] {
        match &self.source {
            Source::Core(r) => r.body_with_nul(),
            Source::Body(b) => b,
        }
    }

    fn headers(&self) -> &Headers {
        self.headers.get_or_init(|| {
            let pairs: Vec<(CString, CString)> = match &self.source {
                Source::Core(r) => r
                    .headers()
                    .iter()
                    .map(|(name, value)| {
                        let v = String::from_utf8_lossy(value.as_bytes()).replace('\0', "");
                        (
                            CString::new(name.as_str()).unwrap_or_default(),
                            CString::new(v).unwrap_or_default(),
                        )
                    })
                    .collect(),
                Source::Body(_) => Vec::new(),
            };
            let mut block = Vec::new();
            for (name, value) in &pairs {
                block.extend_from_slice(name.as_bytes());
                block.extend_from_slice(b": ");
                block.extend_from_slice(value.as_bytes());
                block.push(b'\n');
            }
            block.push(0);
            Headers { pairs, block }
        })
    }
}

/// Writes two outputs after checking both are non-NULL.
fn write2<A, B>(a: *mut A, va: A, b: *mut B, vb: B) {
    // SAFETY: the callers checked both pointers are non-NULL.
    unsafe {
        *a = va;
        *b = vb;
    }
}

/// The body of an accessor that lends out bytes of the response behind `response`: `bytes`
/// picks them, ending in a NUL byte that `*out_len` does not count.
fn lend_bytes(
    response: *const lx_response,
    out_data: *mut *const u8,
    out_len: *mut usize,
    bytes: impl FnOnce(&ResponseObject) -> &[u8],
) -> lx_status {
    guard(std::ptr::null_mut(), || {
        out(out_data, "out_data")?;
        out(out_len, "out_len")?;
        let r = registry::get::<lx_response>(response, "response")?;
        let nul_terminated = bytes(&r);
        write2(
            out_data,
            nul_terminated.as_ptr(),
            out_len,
            nul_terminated.len() - 1,
        );
        Ok(())
    })
}

/// The HTTP status code, or 0 if `response` is NULL or not a live response.
///
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_response_status(response: *const lx_response) -> i32 {
    quiet(0, || {
        registry::peek::<lx_response>(response).map(|r| r.status)
    })
}

/// The body: `*out_data` points to `*out_len` bytes (binary-safe, may contain NULs), followed by
/// a NUL byte that is not counted, so a text body can be used as a C string.
///
/// Ownership: borrowed; valid until `lx_free(response)` (or, for a response borrowed from an
/// error, until `lx_free(err)`). Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_response_body(
    response: *const lx_response,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> lx_status {
    lend_bytes(response, out_data, out_len, ResponseObject::body_nul)
}

/// The number of response headers (0 if `response` is NULL or not a live response).
///
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_response_header_count(response: *const lx_response) -> usize {
    quiet(0, || {
        registry::peek::<lx_response>(response).map(|r| r.headers().pairs.len())
    })
}

/// Every header in one block of `name: value\n` lines (lower-case names, in the order received,
/// values as in lx_response_header()), followed by a NUL byte that `*out_len` does not count.
/// One call instead of two per header, for bindings that copy all headers.
///
/// Ownership: borrowed; valid as long as the response. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_response_headers(
    response: *const lx_response,
    out_data: *mut *const c_char,
    out_len: *mut usize,
) -> lx_status {
    lend_bytes(response, out_data.cast(), out_len, |r| &r.headers().block)
}

/// The header at `index` (0-based, in the order received): lower-case name and value as
/// NUL-terminated UTF-8 (invalid bytes in values are replaced by U+FFFD). `LX_ERR_NOT_FOUND` if
/// `index` is out of range.
///
/// Ownership: both borrowed; valid as long as the response. Thread safety: any thread.
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
        let r = registry::get::<lx_response>(response, "response")?;
        let (n, v) = r.headers().pairs.get(index).ok_or_else(|| {
            Failure::new(
                lx_status::LX_ERR_NOT_FOUND,
                format!("no header at index {index}"),
            )
        })?;
        write2(out_name, n.as_ptr(), out_value, v.as_ptr());
        Ok(())
    })
}

/// The first value of the header `name` (compared case-insensitively), or `LX_ERR_NOT_FOUND`.
///
/// Ownership: `*out_value` is borrowed; valid as long as the response. Thread safety: any
/// thread.
#[no_mangle]
pub extern "C" fn lx_response_header_get(
    response: *const lx_response,
    name: *const c_char,
    out_value: *mut *const c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_value, "out_value")?;
        let r = registry::get::<lx_response>(response, "response")?;
        let name = required_str(name, "name")?;
        let found = r
            .headers()
            .pairs
            .iter()
            .find(|(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_ptr())
            .ok_or_else(|| {
                Failure::new(
                    lx_status::LX_ERR_NOT_FOUND,
                    format!("the response has no {name:?} header"),
                )
            })?;
        // SAFETY: checked non-NULL above.
        unsafe { *out_value = found };
        Ok(())
    })
}
