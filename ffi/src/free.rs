//! `lx_free`: the one destructor for everything the library hands out.

use std::ffi::c_void;

use crate::registry::{self, Object};

/// Releases anything the library handed out: an `lx_client`, `lx_options`, `lx_call_options`,
/// `lx_cancel`, `lx_graphql_pages`, `lx_rest_pages`, `lx_response`, `lx_error`, or an owned
/// string (from lx_access_token(), lx_claims_json(), lx_graphql(), ...).
///
/// - NULL is ignored. Handles (every `lx_*` object) are never reused, so freeing one twice, or
///   freeing a pointer the library does not know, is ignored too. Owned strings are memory:
///   a second lx_free() of a string is ignored unless the library has since handed out another
///   string at the same address, which it would then free; free each string once.
/// - Freeing a client cancels the calls other threads are making on it (they return
///   `LX_ERR_CANCELLED` promptly; asynchronous calls get their callback with it) and stops its
///   background token refresh; later calls with the freed handle return `LX_ERR_INVALID_ARG`.
///   Its event callback does not run after lx_free() returns (callbacks in progress on other
///   threads are waited for).
/// - Freeing an error also frees the response lx_error_response() lent out.
/// - Owned strings are overwritten with zeros before their memory is released (they may hold
///   an access token).
/// - Borrowed pointers (from lx_error_message(), lx_response_body(), lx_error_response(), ...)
///   must not be passed here; they are ignored if they are.
/// - In a child process after fork(), freeing an inherited client releases nothing of the
///   parent's runtime (whose threads do not exist in the child); its memory is left as is.
///
/// Thread safety: any thread, but the object must not be used afterwards by anyone.
#[no_mangle]
pub extern "C" fn lx_free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(|| match registry::remove(ptr) {
        Some(Object::Client(c)) => {
            if c.pid == std::process::id() {
                c.close();
            } else {
                std::mem::forget(c);
            }
        }
        Some(Object::Error(e)) => {
            if let Some(lent) = e.lent_response() {
                drop(registry::remove_lent(lent));
            }
        }
        Some(other) => drop(other),
        None => {}
    });
}
