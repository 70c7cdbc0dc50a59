//! `lx_rest_pages`: a paged REST list (Pathfinder's `cursor`, or `page`/`size`) walked one page
//! at a time.

use std::ffi::{c_char, c_void};

use crate::args::required_str;
use crate::call::{lx_call_options, lx_completion_callback};
use crate::client::lx_client;
use crate::error::lx_error;
use crate::status::lx_status;
use crate::walk::Walk;

/// Opaque walk over the pages of a paged REST list, holding one page in memory at a time.
/// Create with lx_rest_pages_new(), read pages with lx_rest_pages_next() (waiting) or
/// lx_rest_pages_next_start() (a completion callback), release with lx_free(). Thread safety:
/// any thread, one call at a time per object.
pub struct lx_rest_pages {
    _private: [u8; 0],
}

/// What lives behind an `lx_rest_pages *`.
pub(crate) type RestPagesObject = Walk<leanix_core::RestPages>;

/// Prepares a walk over the pages of the list behind `GET path` (nothing is sent yet).
///
/// The paging rule, the same in every binding and in `lx get --paginate`: every page is a JSON
/// object with a `data` array. By default the walk follows Pathfinder's `cursor`: each page's
/// `cursor` goes into the next request's `cursor=` and `"cursor": null` (or `""`, or none) ends
/// it. When `path`'s query has `page=`, the page number is counted up instead, and the walk ends
/// at an empty page, a page with fewer items than `size=`, or once the items reach the page's
/// `total`. Other query parameters are sent unchanged on every page. A repeated cursor, a
/// page that is not an object with a `data` array, and, in a `page=` walk, a page that carries
/// a `cursor` (a cursor list, which ignores `page=`), a page whose `data` repeats the page
/// before, or an end before `total` items, is `LX_ERR_INVALID_RESPONSE`; more pages
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
    crate::walk::new_call(client, out_pages, err, |client| {
        let request = crate::call::get_request(options, required_str(path, "path")?)?;
        Ok(client.rest_pages_with(request))
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
    crate::walk::next_call(pages, out_json, out_len, err)
}

/// Starts fetching the next page and returns at once (see `lx_completion_callback`): `callback`
/// gets `LX_OK` and an owned `lx_response` whose body is its whole JSON document (the text
/// lx_rest_pages_next() returns; status 200, no headers), or `LX_OK` with a NULL response after the
/// last page, or the error that ends the walk. The walk's options (deadline, cancel handle) apply
/// as for lx_rest_pages_next(). One page at a time: until the callback has run, another
/// lx_rest_pages_next() or lx_rest_pages_next_start() on this walk returns `LX_ERR_INVALID_ARG`. A
/// walk whose client was closed during a fetch returns `LX_ERR_CANCELLED` here.
///
/// Returns `LX_OK` when the fetch started (the callback will run exactly once), or an error (the
/// callback never runs). Freeing the walk while a page is being fetched is allowed: the fetch
/// finishes and its callback still runs.
///
/// Thread safety: any thread, including from inside a completion callback (the usual way to walk:
/// start the next page from the callback of the previous one).
#[no_mangle]
#[must_use]
pub extern "C" fn lx_rest_pages_next_start(
    pages: *mut lx_rest_pages,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    crate::walk::next_start_call(pages, callback, userdata, err)
}
