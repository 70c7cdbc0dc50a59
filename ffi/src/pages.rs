//! `lx_graphql_pages`: a cursor-paged GraphQL query walked one page at a time.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};

use leanix_core::blocking::GraphQlPages;

use crate::args::{out, required_str};
use crate::boundary::guard;
use crate::call::lx_call_options;
use crate::client::{client_of, lx_client, parse_variables, write_json};
use crate::error::lx_error;
use crate::registry;
use crate::status::lx_status;

/// Opaque walk over the pages of a cursor-paged GraphQL query, holding one page in memory at
/// a time. Create with lx_graphql_pages_new(), read pages with lx_graphql_pages_next(),
/// release with lx_free(). Thread safety: any thread, one call at a time per object.
pub struct lx_graphql_pages {
    _private: [u8; 0],
}

/// What lives behind an `lx_graphql_pages *`.
pub(crate) struct PagesObject {
    pages: GraphQlPages,
}

/// Prepares a walk over the pages of `query` (nothing is sent yet). The query follows the
/// paging rule of lx_graphql_all(); `options` (NULL: none) apply to each page's call, and a
/// fired cancel handle ends the walk.
///
/// Ownership: `*out_pages` is owned by the caller; release with lx_free().
/// Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_graphql_pages_new(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    options: *const lx_call_options,
    out_pages: *mut *mut lx_graphql_pages,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_pages, "out_pages")?;
        let handle = client_of(client)?;
        let query = required_str(query, "query")?;
        let request =
            crate::call::graphql_request(options, query, parse_variables(variables_json)?)?;
        let pages = handle.client.graphql_pages_with(request);
        registry::publish::<lx_graphql_pages>(
            out_pages,
            Arc::new(Mutex::new(PagesObject { pages })),
        );
        Ok(())
    })
}

/// Fetches the next page and returns its `data` as JSON text, or `*out_json = NULL` (with
/// `LX_OK`) after the last page. A violation of the paging rule, or any failed call, is
/// returned as its error and ends the walk.
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: as lx_get(), one call at a time per walk.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_graphql_pages_next(
    pages: *mut lx_graphql_pages,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_json, "out_json")?;
        let walk = registry::get::<lx_graphql_pages>(pages, "pages")?;
        let next = walk.lock().unwrap_or_else(|p| p.into_inner()).pages.next();
        match next {
            Some(page) => write_json(&page?, out_json, out_len),
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
