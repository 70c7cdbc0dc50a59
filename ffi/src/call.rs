//! Per-call options (deadline, cancellation, GraphQL operation name), the calls that take them,
//! and their asynchronous forms with a completion callback.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leanix_core::{Cancel, GraphQlRequest, Request};

use crate::answer::{json_call, publish_call, response_call, start_call, start_json};
use crate::args::{optional_str, required_str};
use crate::boundary::guard;
use crate::cancel::{cancel_of, lx_cancel};
use crate::client::{build_request, lx_client, parse_variables};
use crate::error::{lx_error, report, Failure};
use crate::registry;
use crate::response::{lx_response, ResponseObject};
use crate::status::lx_status;

/// Opaque per-call options: a deadline, a cancellation handle, a GraphQL operation name, the
/// `REVISION_CLASH` retries of a fact-sheet update.
/// Create with lx_call_options_new(), pass to the `*_with` and `*_start` calls (as many as you
/// like; each call copies what it needs), release with lx_free().
/// Thread safety: any thread, one call at a time per object.
pub struct lx_call_options {
    _private: [u8; 0],
}

/// What lives behind an `lx_call_options *`.
#[derive(Default, Clone)]
pub(crate) struct CallOptions {
    timeout: Option<Duration>,
    cancel: Option<Cancel>,
    operation_name: Option<String>,
    revision_clash_retries: Option<u32>,
}

/// A call, or the options of one, that takes a deadline and a cancel handle: what
/// [`CallOptions::limit`] sets on it.
pub(crate) trait Limits: Sized {
    /// The call with the deadline `timeout`.
    fn timeout(self, timeout: Duration) -> Self;
    /// The call, ended when `cancel` fires.
    fn cancel_on(self, cancel: &Cancel) -> Self;
}

/// [`Limits`] for core types whose own `timeout` and `cancel_on` builders it forwards to.
macro_rules! limits_by_builders {
    ($($t:ty),* $(,)?) => {$(
        impl Limits for $t {
            fn timeout(self, timeout: Duration) -> Self {
                <$t>::timeout(self, timeout)
            }
            fn cancel_on(self, cancel: &Cancel) -> Self {
                <$t>::cancel_on(self, cancel)
            }
        }
    )*};
}

limits_by_builders!(
    Request,
    GraphQlRequest,
    leanix_core::blocking::Webhooks,
    leanix_core::integration::RunOptions,
    leanix_core::writes::UpdateOptions,
    leanix_core::token_calls::blocking::TokenCalls,
);

impl CallOptions {
    /// The options behind an optional `options` argument (NULL: none).
    pub(crate) fn of(options: *const lx_call_options) -> Result<CallOptions, Failure> {
        if options.is_null() {
            return Ok(CallOptions::default());
        }
        let o = registry::get::<lx_call_options>(options, "options")?;
        let copy = o.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Ok(copy)
    }

    /// `call` with the deadline and the cancel handle of these options, where set.
    pub(crate) fn limit<L: Limits>(&self, mut call: L) -> L {
        if let Some(t) = self.timeout {
            call = call.timeout(t);
        }
        if let Some(c) = &self.cancel {
            call = call.cancel_on(c);
        }
        call
    }

    /// `update` with the deadline, the cancel handle and the `REVISION_CLASH` retries of these
    /// options, where set.
    pub(crate) fn update(
        &self,
        update: leanix_core::writes::UpdateOptions,
    ) -> leanix_core::writes::UpdateOptions {
        let update = self.limit(update);
        match self.revision_clash_retries {
            Some(n) => update.clash_retries(n),
            None => update,
        }
    }

    /// The webhooks API of `client` with these options.
    pub(crate) fn webhooks(
        &self,
        client: &leanix_core::blocking::Client,
    ) -> leanix_core::blocking::Webhooks {
        self.limit(client.webhooks())
    }

    /// The token calls of `client` (access token, claims, API origin) with these options.
    pub(crate) fn token_calls(
        &self,
        client: &leanix_core::blocking::Client,
    ) -> leanix_core::token_calls::blocking::TokenCalls {
        self.limit(client.token_calls())
    }

    fn graphql(&self, query: &str, variables: Option<serde_json::Value>) -> GraphQlRequest {
        let request = self.limit(GraphQlRequest::new(query).variables(variables));
        match &self.operation_name {
            Some(n) => request.operation_name(n.clone()),
            None => request,
        }
    }
}

/// The GraphQL call the arguments `query`, `variables_json` and `options` (NULL: none) of an
/// `lx_graphql*` call describe.
pub(crate) fn graphql_call(
    query: *const c_char,
    variables_json: *const c_char,
    options: *const lx_call_options,
) -> Result<GraphQlRequest, Failure> {
    let query = required_str(query, "query")?;
    let variables = parse_variables(variables_json)?;
    Ok(CallOptions::of(options)?.graphql(query, variables))
}

/// `GET path` with the options behind an optional `options` argument (a REST paging walk).
pub(crate) fn get_request(options: *const lx_call_options, path: &str) -> Result<Request, Failure> {
    Ok(CallOptions::of(options)?.limit(Request::get(path)))
}

/// Creates per-call options with nothing set (the client's request timeout, no cancellation).
///
/// Ownership: `*out_options` is owned by the caller; release with lx_free().
/// Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_call_options_new(
    out_options: *mut *mut lx_call_options,
    err: *mut *mut lx_error,
) -> lx_status {
    publish_call(out_options, "out_options", err, || {
        Ok(Arc::new(Mutex::new(CallOptions::default())))
    })
}

fn edit(options: *mut lx_call_options, f: impl FnOnce(&mut CallOptions)) -> Result<(), Failure> {
    let o = registry::get::<lx_call_options>(options, "options")?;
    f(&mut o.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(())
}

/// The deadline of the call, in milliseconds from its start: token exchange, every attempt
/// and every backoff or Retry-After wait must fit, or the call returns `LX_ERR_TIMEOUT` at the
/// deadline. A wait the server asks for that would pass the deadline ends the call at once
/// with the server's error. `0` restores the client's `request_timeout_ms`.
///
/// Thread safety: any thread, one call at a time per object.
#[no_mangle]
pub extern "C" fn lx_call_options_set_timeout_ms(
    options: *mut lx_call_options,
    timeout_ms: u64,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        edit(options, |o| {
            o.timeout = (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms))
        })
    })
}

/// Ends the call with `LX_ERR_CANCELLED` when `cancel` fires (NULL: no cancellation). The call
/// keeps its own reference: `cancel` may be freed before the call ends.
///
/// Thread safety: any thread, one call at a time per object.
#[no_mangle]
pub extern "C" fn lx_call_options_set_cancel(
    options: *mut lx_call_options,
    cancel: *const lx_cancel,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        let cancel = match cancel.is_null() {
            true => None,
            false => Some(cancel_of(cancel, "cancel")?),
        };
        edit(options, |o| o.cancel = cancel)
    })
}

/// The GraphQL `operationName`: which operation of a document with several to run (NULL:
/// none). Ignored by calls that are not GraphQL.
///
/// Thread safety: any thread, one call at a time per object.
#[no_mangle]
pub extern "C" fn lx_call_options_set_operation_name(
    options: *mut lx_call_options,
    operation_name: *const c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        let name = optional_str(operation_name, "operation_name")?.map(str::to_owned);
        edit(options, |o| o.operation_name = name)
    })
}

/// How often lx_update_fact_sheet() and lx_update_fact_sheet_start() re-read `rev` and write
/// again after a `REVISION_CLASH` (someone else saved the fact sheet in between): from 0 (never:
/// the first clash is `LX_ERR_GRAPHQL`) to `LX_MAX_REVISION_CLASH_RETRIES`; `-1` restores the
/// default, `LX_DEFAULT_REVISION_CLASH_RETRIES`. Any other value is `LX_ERR_INVALID_ARG` and
/// leaves the options as they were. Ignored by every other call.
///
/// Thread safety: any thread, one call at a time per object.
#[no_mangle]
pub extern "C" fn lx_call_options_set_revision_clash_retries(
    options: *mut lx_call_options,
    retries: i32,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        let range = leanix_core::policy::REVISION_CLASH_RETRIES_RANGE;
        let retries = match u32::try_from(retries) {
            Ok(n) if range.contains(&n) => Some(n),
            _ if retries == -1 => None,
            _ => {
                return Err(Failure::new(
                    lx_status::LX_ERR_INVALID_ARG,
                    format!(
                        "revision_clash_retries must be between {} and {} (or -1: the default), not {retries}",
                        range.start(),
                        range.end()
                    ),
                ))
            }
        };
        edit(options, |o| o.revision_clash_retries = retries)
    })
}

/// lx_request() with per-call `options` (NULL: none).
///
/// Ownership: `*out_response` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn lx_request_with(
    client: *const lx_client,
    method: *const c_char,
    path: *const c_char,
    headers: *const c_char,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    flags: i32,
    options: *const lx_call_options,
    out_response: *mut *mut lx_response,
    err: *mut *mut lx_error,
) -> lx_status {
    response_call(client, out_response, err, |handle| {
        let request = build_request(
            method,
            path,
            headers,
            headers_len,
            body,
            body_len,
            flags,
            options,
        )?;
        Ok(handle.client.send(request)?)
    })
}

/// lx_graphql() with per-call `options` (NULL: none), including the operation name.
///
/// Ownership: `*out_json` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_graphql_with(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        let request = graphql_call(query, variables_json, options)?;
        Ok(handle.client.graphql_with(request)?)
    })
}

/// lx_graphql_all() with per-call `options` (NULL: none): the deadline and the cancel handle
/// apply to each page's call.
///
/// Ownership: `*out_json` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_graphql_all_with(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        let request = graphql_call(query, variables_json, options)?;
        let mut edges = Vec::new();
        for page in handle.client.graphql_pages_with(request) {
            edges.extend_from_slice(leanix_core::page_edges(&page?));
        }
        Ok(edges)
    })
}

/// The completion callback of an asynchronous call: `status` is `LX_OK` with an owned
/// `response` (release it with lx_free(); `error` is NULL), or an `LX_ERR_*` with an owned
/// `error` (release it with lx_free(); `response` is NULL).
///
/// Threads: it runs on one of the library's I/O threads, exactly once per started call,
/// also when the client is closed or freed first (then with `LX_ERR_CANCELLED`), never while
/// the library holds an internal lock. Keep it
/// short; it may start further asynchronous calls, but a blocking call from inside it returns
/// `LX_ERR_RECURSIVE_CALL` at once instead of waiting for itself.
pub type lx_completion_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        status: i32,
        response: *mut lx_response,
        error: *mut lx_error,
    ),
>;

/// A completion callback and its user data, movable to the I/O threads.
#[derive(Clone, Copy)]
pub(crate) struct Completion {
    function: unsafe extern "C" fn(*mut c_void, i32, *mut lx_response, *mut lx_error),
    userdata: *mut c_void,
}

// SAFETY: the caller registers a callback that may be called from any thread (documented), and
// the library never dereferences `userdata` itself.
unsafe impl Send for Completion {}

impl Completion {
    pub(crate) fn of(
        callback: lx_completion_callback,
        userdata: *mut c_void,
    ) -> Result<Self, Failure> {
        let function = callback.ok_or_else(|| crate::args::null_arg("callback"))?;
        Ok(Completion { function, userdata })
    }

    /// Hands the result to the callback, converting it as a blocking call would.
    pub(crate) fn deliver(self, result: Result<ResponseObject, leanix_core::Error>) {
        self.deliver_optional(result.map(Some));
    }

    /// As [`Completion::deliver`], where `Ok(None)` is `LX_OK` with a NULL response (the end
    /// of a page walk).
    pub(crate) fn deliver_optional(
        self,
        result: Result<Option<ResponseObject>, leanix_core::Error>,
    ) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            // After lx_stop_callbacks() the result is dropped here, uncalled.
            crate::events::deliver_if_on(move || self.call(result));
        }));
    }

    fn call(self, result: Result<Option<ResponseObject>, leanix_core::Error>) {
        {
            let (status, response, error) = match result {
                Ok(object) => (
                    lx_status::LX_OK,
                    object.map_or(std::ptr::null_mut(), |object| {
                        registry::insert::<lx_response>(Arc::new(object))
                    }),
                    std::ptr::null_mut(),
                ),
                Err(e) => {
                    let failure = Failure::from(e);
                    let status = failure.status;
                    let mut error: *mut lx_error = std::ptr::null_mut();
                    report(failure, &mut error);
                    (status, std::ptr::null_mut(), error)
                }
            };
            // SAFETY: calling the function the user registered, with the data they registered.
            unsafe { (self.function)(self.userdata, status as i32, response, error) };
        }
    }
}

/// Starts lx_request_with() and returns at once: `callback` gets the result (see
/// `lx_completion_callback`). Returns `LX_OK` when the call started (the callback will run
/// exactly once), or an error for invalid arguments (the callback never runs). Thousands of
/// calls may be in flight at once; they share the client's token (one exchange) and the
/// library's I/O threads, no thread per call.
///
/// Thread safety: any thread, including from inside a completion callback.
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn lx_request_start(
    client: *const lx_client,
    method: *const c_char,
    path: *const c_char,
    headers: *const c_char,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    flags: i32,
    options: *const lx_call_options,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    start_call(client, callback, userdata, err, |handle, completion| {
        let request = build_request(
            method,
            path,
            headers,
            headers_len,
            body,
            body_len,
            flags,
            options,
        )?;
        handle.client.send_async(request, move |result| {
            completion.deliver(result.map(ResponseObject::from_core))
        })?;
        Ok(())
    })
}

/// Starts lx_graphql_with() and returns at once; `callback` gets an `lx_response` whose body
/// is the `data` JSON (status 200, no headers), or the error (`LX_ERR_GRAPHQL` with
/// lx_error_graphql_json(), ...). Returns as lx_request_start().
///
/// Thread safety: any thread, including from inside a completion callback.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_graphql_start(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    options: *const lx_call_options,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    start_json(client, callback, userdata, err, || {
        let request = graphql_call(query, variables_json, options)?;
        Ok(|c: leanix_core::Client| async move { c.graphql_with(&request).await })
    })
}
