//! `lx_free`: the one destructor for everything the library hands out.

use std::ffi::c_void;

use zeroize::Zeroize;

use crate::registry::{self, Object};

/// Releases anything the library handed out: an `lx_client`, `lx_options`, `lx_response`,
/// `lx_error`, or an owned string (from lx_access_token(), lx_claims_json(), lx_graphql(), ...).
///
/// - NULL, a pointer the library does not know, and a pointer already freed are ignored.
/// - Freeing a client cancels the calls other threads are making on it (they return
///   `LX_ERR_CANCELLED` promptly) and stops its background token refresh. A freed pointer may
///   later be handed out again for a new object; to free a client that other threads may still
///   be calling, use lx_client_close() first and lx_free() once those calls have returned.
/// - Owned strings are overwritten with zeros before their memory is released (they may hold
///   an access token).
/// - Borrowed pointers (from lx_error_message(), lx_response_body(), ...) must not be passed here;
///   they are ignored if they are.
///
/// Thread safety: any thread, but the object must not be used afterwards by anyone.
#[no_mangle]
pub extern "C" fn lx_free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(|| match registry::remove(ptr) {
        Some(Object::Client(c)) => c.close(),
        Some(Object::Buffer(mut b)) => b.zeroize(),
        Some(other) => drop(other),
        None => {}
    });
}
