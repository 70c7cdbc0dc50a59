//! What `lx_graphql_pages` and `lx_rest_pages` share: a page walk fetched one page at a time,
//! waiting (`*_next`) or with a completion callback (`*_next_start`), and the bodies of their
//! C functions.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};

use leanix_core::blocking::{PageWalk, Pages};

use crate::answer::{json_bytes, publish_call, write_json};
use crate::args::out;
use crate::boundary::guard;
use crate::call::{lx_completion_callback, Completion};
use crate::client::{client_of, lx_client};
use crate::error::{lx_error, Failure};
use crate::registry::{self, Handle};
use crate::response::ResponseObject;
use crate::status::lx_status;

/// What lives behind an `lx_graphql_pages *` or an `lx_rest_pages *`.
#[derive(Debug)]
pub(crate) enum Walk<W> {
    /// Between pages.
    Idle(Pages<W>),
    /// A page is being fetched by a `*_next_start` call.
    Fetching,
    /// An asynchronous fetch could not start (the client is closed): no more pages.
    Over,
}

impl<W> Walk<W> {
    /// A walk that has fetched nothing yet.
    pub(crate) fn new(pages: Pages<W>) -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Walk::Idle(pages)))
    }
}

/// The handle type of a walk over `W`: `lx_graphql_pages` or `lx_rest_pages`.
pub(crate) trait WalkHandle<W>: Handle<Target = Mutex<Walk<W>>> {}

impl<W, H: Handle<Target = Mutex<Walk<W>>>> WalkHandle<W> for H {}

fn busy() -> Failure {
    Failure::new(
        lx_status::LX_ERR_INVALID_ARG,
        "a page of this walk is still being fetched (by *_next_start); wait for its callback",
    )
}

/// Takes the walk out for one page (`Ok(None)`: the walk is over).
fn take<W>(walk: &Mutex<Walk<W>>) -> Result<Option<Pages<W>>, Failure> {
    let mut guard = walk.lock().unwrap_or_else(|p| p.into_inner());
    match std::mem::replace(&mut *guard, Walk::Fetching) {
        Walk::Idle(pages) => Ok(Some(pages)),
        Walk::Fetching => Err(busy()),
        Walk::Over => {
            *guard = Walk::Over;
            Ok(None)
        }
    }
}

fn put_back<W>(walk: &Mutex<Walk<W>>, pages: Pages<W>) {
    *walk.lock().unwrap_or_else(|p| p.into_inner()) = Walk::Idle(pages);
}

/// Fetches the next page on the calling thread; `*out_json` gets its JSON, or NULL after the
/// last page.
fn next<W: PageWalk>(
    walk: &Mutex<Walk<W>>,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> Result<(), Failure> {
    let next = match take(walk)? {
        Some(mut pages) => {
            let next = pages.next();
            put_back(walk, pages);
            next
        }
        None => None,
    };
    match next {
        Some(page) => write_json(&page?, out_json, out_len),
        None => {
            // SAFETY: the callers checked `out_json` is non-NULL; `out_len` is optional.
            unsafe {
                *out_json = std::ptr::null_mut();
                if !out_len.is_null() {
                    *out_len = 0;
                }
            }
        }
    }
    Ok(())
}

/// Starts fetching the next page; `completion` gets a response whose body is the page's JSON,
/// or `LX_OK` with a NULL response after the last page.
fn next_start<W: PageWalk>(
    walk: Arc<Mutex<Walk<W>>>,
    completion: Completion,
) -> Result<(), Failure> {
    let Some(pages) = take(&walk)? else {
        return Err(Failure::new(
            lx_status::LX_ERR_CANCELLED,
            "this walk ended when its client was closed",
        ));
    };
    let back = Arc::clone(&walk);
    let started = pages.next_start(move |pages, page| {
        put_back(&back, pages);
        completion.deliver_optional(
            page.map(|page| page.map(|page| ResponseObject::from_body(json_bytes(&page)))),
        );
    });
    started.map_err(|e| {
        // The client is closed (or this is a forked child): the walk cannot go on.
        *walk.lock().unwrap_or_else(|p| p.into_inner()) = Walk::Over;
        Failure::from(e)
    })
}

/// The body of `lx_*_pages_new`: checks `out_pages`, looks the client up, and publishes the
/// walk `pages` makes on it (after checking the function's own arguments).
pub(crate) fn new_call<H: WalkHandle<W>, W>(
    client: *const lx_client,
    out_pages: *mut *mut H,
    err: *mut *mut lx_error,
    pages: impl FnOnce(&leanix_core::blocking::Client) -> Result<Pages<W>, Failure>,
) -> lx_status {
    publish_call(out_pages, "out_pages", err, || {
        let handle = client_of(client)?;
        Ok(Walk::new(pages(&handle.client)?))
    })
}

/// The body of `lx_*_pages_next`: [`next`] on the walk behind `pages`.
pub(crate) fn next_call<H: WalkHandle<W>, W: PageWalk>(
    pages: *mut H,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_json, "out_json")?;
        let walk = registry::get::<H>(pages, "pages")?;
        next(&walk, out_json, out_len)
    })
}

/// The body of `lx_*_pages_next_start`: [`next_start`] on the walk behind `pages`.
pub(crate) fn next_start_call<H: WalkHandle<W>, W: PageWalk>(
    pages: *mut H,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        let completion = Completion::of(callback, userdata)?;
        let walk = registry::get::<H>(pages, "pages")?;
        next_start(walk, completion)
    })
}
