//! Converting C arguments to Rust values, with an error that names the argument.

use std::ffi::{c_char, CStr};

use crate::error::Failure;
use crate::status::lx_status;

/// A required NUL-terminated UTF-8 string.
pub(crate) fn required_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    optional_str(ptr, name)?.ok_or_else(|| null_arg(name))
}

/// An optional NUL-terminated UTF-8 string (NULL is `None`).
pub(crate) fn optional_str<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller promises a NUL-terminated string that lives for the call.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map(Some).map_err(|e| {
        Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            format!(
                "argument `{name}` is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Bytes with a length; NULL with length 0 is empty.
pub(crate) fn bytes<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8], Failure> {
    if len > isize::MAX as usize {
        return Err(Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            format!("argument `{name}_len` is {len}, larger than PTRDIFF_MAX (a negative length cast to size_t?)"),
        ));
    }
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(null_arg(name));
    }
    // SAFETY: the caller promises `len` readable bytes at `ptr` for the duration of the call.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A length-delimited UTF-8 string without NUL bytes.
pub(crate) fn text<'a>(ptr: *const c_char, len: usize, name: &str) -> Result<&'a str, Failure> {
    let raw = bytes(ptr.cast(), len, name)?;
    if raw.contains(&0) {
        return Err(Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            format!("argument `{name}` contains a NUL byte"),
        ));
    }
    std::str::from_utf8(raw).map_err(|_| {
        Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            format!("argument `{name}` is not valid UTF-8"),
        )
    })
}

/// Checks that an output pointer is not NULL.
pub(crate) fn out<T>(ptr: *mut T, name: &str) -> Result<(), Failure> {
    if ptr.is_null() {
        Err(null_arg(name))
    } else {
        Ok(())
    }
}

pub(crate) fn null_arg(name: &str) -> Failure {
    Failure::new(
        lx_status::LX_ERR_NULL_ARG,
        format!("argument `{name}` is NULL"),
    )
}

/// A JSON argument named `name`: `LX_ERR_INVALID_ARG` naming it when the text does not parse.
pub(crate) fn json_arg(text: &str, name: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text).map_err(|e| {
        Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            format!("`{name}` is not valid JSON: {e}"),
        )
    })
}

/// `flags` holding only bits of `known`: else `LX_ERR_INVALID_ARG`.
pub(crate) fn check_flags(flags: i32, known: i32) -> Result<(), Failure> {
    if flags & !known != 0 {
        return Err(Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            format!("unknown bits in `flags`: {flags:#x}"),
        ));
    }
    Ok(())
}
