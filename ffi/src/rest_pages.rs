//! `lx_rest_pages`: a paged REST list (Pathfinder's `cursor`, or `page`/`size`) walked one page
//! at a time.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};

use leanix_core::blocking::RestPages;

use crate::args::{out, required_str};
use crate::boundary::guard;
use crate::call::lx_call_options;
use crate::client::{client_of, lx_client, write_owned};
use crate::error::lx_error;
use crate::registry;
use crate::status::lx_status;

/// Opaque walk over the pages of a paged REST list, holding one page in memory at a time.
/// Create with lx_rest_pages_new(), read pages with lx_rest_pages_next(), release with
/// lx_free(). Thread safety: any thread, one call at a time per object.
pub struct lx_rest_pages {
    _private: [u8; 0],
}

/// What lives behind an `lx_rest_pages *`.
pub(crate) struct RestPagesObject {
    pages: RestPages,
}

/// Prepares a walk over the pages of the list behind `GET path` (nothing is sent yet).
///
/// The paging rule, the same in every binding and in `lx get --paginate`: every page is a JSON
/// object with a `data` array. By default the walk follows Pathfinder's `cursor`: each page's
/// `cursor` goes into the next request's `cursor=` and `"cursor": null` (or `""`, or none) ends
/// it. When `path`'s query has `page=`, the page number is counted up instead, and the walk ends
/// at an empty page, a page with fewer items than `size=`, or once the items reach the page's
/// `total`. Other query parameters are sent unchanged on every page. A repeated cursor, or a
/// page that is not an object with a `data` array, is `LX_ERR_INVALID_RESPONSE`; more pages
/// than the `max_pages` option is `LX_ERR_TOO_LARGE`; a `page=` that is not a whole number is
/// `LX_ERR_INVALID_ARG` at the first lx_rest_pages_next(). `options` (NULL: none) apply to
/// each page's call, and a fired cancel handle ends the walk.
///
/// Ownership: `*out_pages` is owned by the caller; release with lx_free().
/// Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_rest_pages_new(
    client: *const lx_client,
    path: *const c_char,
    options: *const lx_call_options,
    out_pages: *mut *mut lx_rest_pages,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_pages, "out_pages")?;
        let handle = client_of(client)?;
        let path = required_str(path, "path")?;
        let request = crate::call::get_request(options, path)?;
        let pages = handle.client.rest_pages_with(request);
        registry::publish::<lx_rest_pages>(
            out_pages,
            Arc::new(Mutex::new(RestPagesObject { pages })),
        );
        Ok(())
    })
}

/// Fetches the next page and returns its whole JSON document (`{"data":[...],"cursor":...}`)
/// as text, or `*out_json = NULL` (with `LX_OK`) after the last page. A violation of the paging
/// rule, or any failed call, is returned as its error and ends the walk (NULL from then on).
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: as lx_get(), one call at a time per walk.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_rest_pages_next(
    pages: *mut lx_rest_pages,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_json, "out_json")?;
        let walk = registry::get::<lx_rest_pages>(pages, "pages")?;
        let next = walk.lock().unwrap_or_else(|p| p.into_inner()).pages.next();
        match next {
            Some(page) => write_owned(
                serde_json::to_vec(&page?).unwrap_or_default(),
                out_json,
                out_len,
            ),
            None => {
                // SAFETY: checked non-NULL above; `out_len` is optional.
                unsafe {
                    *out_json = std::ptr::null_mut();
                    if !out_len.is_null() {
                        *out_len = 0;
                    }
                }
            }
        }
        Ok(())
    })
}
