//! `lx_client`: creation and the blocking calls.

use std::ffi::c_char;
use std::ptr::null_mut;
use std::sync::Arc;

use leanix_core::token_calls::blocking::TokenCalls;
use leanix_core::{blocking, ClientBuilder, Request};

use crate::answer::{publish_call, response_call, write_json, write_owned};
use crate::args::{bytes, optional_str, out, required_str, text};
use crate::boundary::guard;
use crate::call::{lx_call_options, CallOptions};
use crate::error::{lx_error, Failure};
use crate::events::EventGate;
use crate::options::lx_options;
use crate::registry;
use crate::response::lx_response;
use crate::status::lx_status;

/// Opaque, thread-safe LeanIX client: one token cache shared by every thread that uses it
/// (a blocking call runs its request on the calling thread, with that thread's own
/// connection pool). Create with lx_client_new() or lx_client_build(); release with lx_free().
pub struct lx_client {
    _private: [u8; 0],
}

/// Flags of lx_request() and lx_request_with().
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lx_request_flags {
    /// No flags.
    LX_REQUEST_DEFAULT = 0,
    /// The request may be retried on transient answers (408, 429, 500, 502, 503, 504) and
    /// connection errors although its method is not idempotent (e.g. a POST of a GraphQL
    /// query). GET, HEAD, OPTIONS, TRACE, PUT and DELETE are always retried.
    LX_REQUEST_RETRY_SAFE = 1,
}

/// What lives behind an `lx_client *`.
pub(crate) struct ClientHandle {
    pub client: blocking::Client,
    /// The process that made it: freeing it in a forked child must not touch the parent's
    /// runtime (see lx_free()).
    pub pid: u32,
    /// The event callback, if one was set: closed with the client.
    events: Option<Arc<EventGate>>,
}

impl ClientHandle {
    fn new(client: blocking::Client, events: Option<Arc<EventGate>>) -> Arc<Self> {
        Arc::new(ClientHandle {
            client,
            pid: std::process::id(),
            events,
        })
    }

    /// Closes the client (see lx_client_close()) and its event callback: no event is delivered
    /// once this returns.
    pub fn close(&self) {
        self.client.close();
        if let Some(gate) = &self.events {
            gate.close();
        }
    }
}

/// The client behind a `client` argument.
pub(crate) fn client_of(client: *const lx_client) -> Result<Arc<ClientHandle>, Failure> {
    registry::get::<lx_client>(client, "client")
}

/// Creates a client for `host` with `api_token`, with default settings.
///
/// `host`: `acme.leanix.net`, `https://acme.leanix.net` or a workspace URL; NULL reads the
/// environment variable `LEANIX_HOST`. `api_token`: the technical user's API token; NULL reads
/// `LEANIX_API_TOKEN`. `LEANIX_INSECURE_LOOPBACK=1` in the environment allows `http://` to a
/// loopback host (the sandbox). Nothing goes over the network until the first call. For other
/// settings (timeouts, proxy, CA certificates) use lx_options_new() and lx_client_build().
///
/// Errors: `LX_ERR_CONFIG` (missing or invalid host or token), `LX_ERR_INVALID_ARG` (not UTF-8).
/// Ownership: `*out_client` is owned by the caller; release with lx_free().
/// Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_client_new(
    host: *const c_char,
    api_token: *const c_char,
    out_client: *mut *mut lx_client,
    err: *mut *mut lx_error,
) -> lx_status {
    publish_call(out_client, "out_client", err, || {
        let mut builder = ClientBuilder::from_env();
        if let Some(h) = optional_str(host, "host")? {
            builder = builder.host(h);
        }
        if let Some(t) = optional_str(api_token, "api_token")? {
            builder = builder.api_token(t);
        }
        Ok(ClientHandle::new(builder.build_blocking()?, None))
    })
}

/// Creates a client from options (see lx_options_set()). The options are not consumed: free them
/// with lx_free() when no more clients are to be built from them.
///
/// Errors: `LX_ERR_CONFIG` with a message naming the wrong setting.
/// Ownership: `*out_client` is owned by the caller; release with lx_free().
/// Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_client_build(
    options: *const lx_options,
    out_client: *mut *mut lx_client,
    err: *mut *mut lx_error,
) -> lx_status {
    publish_call(out_client, "out_client", err, || {
        let object = registry::get::<lx_options>(options, "options")?;
        let (mut builder, callback) = {
            let o = object.lock().unwrap_or_else(|p| p.into_inner());
            (o.builder.clone(), o.callback)
        };
        let gate = callback.map(EventGate::new);
        if let Some(gate) = &gate {
            let gate = Arc::clone(gate);
            builder = builder.on_event(move |event| gate.deliver(event));
        }
        Ok(ClientHandle::new(builder.build_blocking()?, gate))
    })
}

/// Closes a client without releasing it: calls other threads are making on it (blocking and
/// asynchronous) return `LX_ERR_CANCELLED` promptly, its background token refresh stops, and
/// every later call on it returns `LX_ERR_CANCELLED`. Idempotent. Its event callback does not
/// run after this returns (callbacks in progress on other threads are waited for).
///
/// The handle stays valid until lx_free(). (Handles are never reused, so freeing right away
/// is safe too: later calls with the freed handle return `LX_ERR_INVALID_ARG`.)
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_client_close(client: *const lx_client, err: *mut *mut lx_error) -> lx_status {
    guard(err, || {
        client_of(client)?.close();
        Ok(())
    })
}

/// `GET path` on the client's host with a valid bearer token. `path` may carry a query string
/// (`/services/pathfinder/v1/factSheets?pageSize=10`).
///
/// Blocks until the response, at most until the call's deadline (the `request_timeout_ms`
/// option: token exchange, retries and their waits included; lx_request_with() sets it per
/// call). Token exchange, refresh, one replay after 401 and retries happen inside. Errors: any
/// `LX_ERR_*`; a non-2xx answer is an error whose lx_error_http_status() is the status and
/// whose lx_error_response() is the server's answer.
/// Ownership: `*out_response` is owned by the caller; release with lx_free().
/// Thread safety: any thread, concurrently with other calls on the same client; not from
/// inside a library callback (`LX_ERR_RECURSIVE_CALL`).
#[no_mangle]
#[must_use]
pub extern "C" fn lx_get(
    client: *const lx_client,
    path: *const c_char,
    out_response: *mut *mut lx_response,
    err: *mut *mut lx_error,
) -> lx_status {
    response_call(client, out_response, err, |handle| {
        Ok(handle.client.get(required_str(path, "path")?)?)
    })
}

/// Any request: `method` (`"GET"`, `"POST"`, `"PATCH"`, ...), `path` (with optional query),
/// `headers` (NULL or `headers_len` bytes of `Name: value` lines separated by `\n` or `\r\n`;
/// `Authorization`, `Host` and the framing headers `Content-Length`, `Transfer-Encoding`,
/// `Connection`, `Upgrade` and `TE` are refused with `LX_ERR_INVALID_ARG`), `body` (NULL or
/// `body_len` bytes, binary-safe), `flags` (`LX_REQUEST_DEFAULT` or `LX_REQUEST_RETRY_SAFE`).
/// The same as lx_request_with() without per-call options.
///
/// Ownership: `*out_response` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn lx_request(
    client: *const lx_client,
    method: *const c_char,
    path: *const c_char,
    headers: *const c_char,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    flags: i32,
    out_response: *mut *mut lx_response,
    err: *mut *mut lx_error,
) -> lx_status {
    crate::call::lx_request_with(
        client,
        method,
        path,
        headers,
        headers_len,
        body,
        body_len,
        flags,
        std::ptr::null(),
        out_response,
        err,
    )
}

/// The request the arguments of lx_request*() describe, with the per-call options behind
/// `options` (NULL: none).
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_request(
    method: *const c_char,
    path: *const c_char,
    headers: *const c_char,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    flags: i32,
    options: *const lx_call_options,
) -> Result<Request, Failure> {
    let options = CallOptions::of(options)?;
    let method = required_str(method, "method")?;
    let path = required_str(path, "path")?;
    let headers = text(headers, headers_len, "headers")?;
    let body = bytes(body, body_len, "body")?;
    crate::args::check_flags(flags, lx_request_flags::LX_REQUEST_RETRY_SAFE as i32)?;
    let mut request = Request::new(method, path)
        .body(body.to_vec())
        .retry_safe(flags & lx_request_flags::LX_REQUEST_RETRY_SAFE as i32 != 0);
    for line in headers
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
    {
        let (name, value) = line.split_once(':').ok_or_else(|| {
            Failure::new(
                lx_status::LX_ERR_INVALID_ARG,
                "each line of `headers` must be `Name: value`",
            )
        })?;
        request = request.header(name.trim(), value.trim());
    }
    Ok(options.limit(request))
}

/// Runs a GraphQL query (or mutation) against `/services/pathfinder/v1/graphql` and returns its
/// `data` as JSON text. `variables_json`: NULL or a JSON object. Queries are retried like GETs;
/// mutations (and documents that do not parse) are not. A response with a non-empty `errors`
/// array is `LX_ERR_GRAPHQL`: its message quotes the first errors, lx_error_graphql_json()
/// gives them all with the partial `data`. lx_graphql_with() takes per-call options.
///
/// Ownership: `*out_json` (NUL-terminated, `*out_len` bytes without the NUL; `out_len` may be
/// NULL) is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_graphql(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    crate::call::lx_graphql_with(
        client,
        query,
        variables_json,
        std::ptr::null(),
        out_json,
        out_len,
        err,
    )
}

/// Walks every page of a cursor-paged GraphQL query and returns the `edges` of all pages as one
/// JSON array. The paging rule (the same on every surface): the query declares `$after` and
/// selects `pageInfo { hasNextPage endCursor }` on its connection, or the call fails with
/// `LX_ERR_INVALID_ARG` before any request; a page without `pageInfo`, `hasNextPage` without
/// `endCursor` or a repeated cursor is `LX_ERR_INVALID_RESPONSE`; more than `max_pages` pages
/// is `LX_ERR_TOO_LARGE`. To hold one page at a time, use lx_graphql_pages_new().
///
/// Page size: LeanIX advises at most 1 000 fact sheets a page (`first: 1000`); a single
/// unpaged query stops near 15 000 to 18 000 nodes, so page anything larger.
///
/// Ownership: `*out_json` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_graphql_all(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    crate::call::lx_graphql_all_with(
        client,
        query,
        variables_json,
        std::ptr::null(),
        out_json,
        out_len,
        err,
    )
}

/// The `variables_json` argument: NULL, `null` or a JSON object.
pub(crate) fn parse_variables(ptr: *const c_char) -> Result<Option<serde_json::Value>, Failure> {
    match optional_str(ptr, "variables_json")? {
        None => Ok(None),
        Some(s) => {
            let v = crate::args::json_arg(s, "variables_json")?;
            if !v.is_object() && !v.is_null() {
                return Err(Failure::new(
                    lx_status::LX_ERR_INVALID_ARG,
                    "`variables_json` must be a JSON object",
                ));
            }
            Ok(Some(v).filter(|v| !v.is_null()))
        }
    }
}

/// A current access token (exchanging one if the cache is empty, within the request timeout),
/// for tools of your own that need `Authorization: Bearer`. lx_access_token_with() takes a
/// deadline and a cancel handle.
///
/// Ownership: `*out_token` (NUL-terminated) is owned by the caller; release with lx_free(), which
/// zeroes it. Treat it as a secret.
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_access_token(
    client: *const lx_client,
    out_token: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    lx_access_token_with(client, std::ptr::null(), out_token, err)
}

/// lx_access_token() with per-call `options` (NULL: none): the deadline (default the request
/// timeout) bounds the whole wait, an exchange and its retries included (`LX_ERR_TIMEOUT`), and
/// the cancel handle ends it (`LX_ERR_CANCELLED`); an exchange the call started goes on for the
/// client's other callers. The operation name is ignored.
///
/// Ownership: `*out_token` is owned by the caller; release with lx_free(), which zeroes it.
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_access_token_with(
    client: *const lx_client,
    options: *const lx_call_options,
    out_token: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    token_call(client, options, out_token, "out_token", err, |calls| {
        let token = calls.access_token()?;
        write_owned(token.expose_secret().as_bytes(), out_token, null_mut());
        Ok(())
    })
}

/// The body of a call on the client's token (lx_access_token_with(), lx_claims_json_with(),
/// lx_api_origin_with()): checks the output pointer `out_text` (the argument `name`), looks the
/// client up and runs `call` on its token calls with the per-call `options` (NULL: none);
/// `call` hands its answer out into `out_text`. A failure becomes the status and `*err`.
pub(crate) fn token_call(
    client: *const lx_client,
    options: *const lx_call_options,
    out_text: *mut *mut c_char,
    name: &str,
    err: *mut *mut lx_error,
    call: impl FnOnce(&TokenCalls) -> Result<(), Failure>,
) -> lx_status {
    guard(err, || {
        out(out_text, name)?;
        let handle = client_of(client)?;
        call(&CallOptions::of(options)?.token_calls(&handle.client))
    })
}

/// Forgets the access token: drops it from the client's memory and, if the client shares it
/// through the token cache (option `token_cache`), removes the file. The next call exchanges.
/// `*out_removed` (may be NULL) is set to 1 if a file was removed, else 0.
///
/// Thread safety: as lx_get(); waits while another process holds the file's lock.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_forget_token(
    client: *const lx_client,
    out_removed: *mut i32,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        let handle = client_of(client)?;
        let removed = handle.client.forget_token()?;
        if !out_removed.is_null() {
            // SAFETY: checked non-NULL; the caller passes a writable int.
            unsafe { *out_removed = i32::from(removed) };
        }
        Ok(())
    })
}

/// The decoded (not verified) claims of a current access token as a JSON object: `sub`, `exp`,
/// `iss`, `jti`, `instanceUrl`, `region`, `principal{username, role, permission{workspaceId,
/// workspaceName, role, status}, ...}`, so nobody needs to paste a token into a web debugger.
/// `null` if LeanIX issued an opaque (non-JWT) token. Waits for an exchange as
/// lx_access_token() does.
///
/// Ownership: `*out_json` (NUL-terminated) is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_claims_json(
    client: *const lx_client,
    out_json: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    lx_claims_json_with(client, std::ptr::null(), out_json, err)
}

/// lx_claims_json() with per-call `options` (NULL: none), whose deadline and cancel handle
/// apply as for lx_access_token_with().
///
/// Ownership: `*out_json` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_claims_json_with(
    client: *const lx_client,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    token_call(client, options, out_json, "out_json", err, |calls| {
        let claims = calls.claims()?.map(|c| c.raw);
        write_json(
            &claims.unwrap_or(serde_json::Value::Null),
            out_json,
            null_mut(),
        );
        Ok(())
    })
}
