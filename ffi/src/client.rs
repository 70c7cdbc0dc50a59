//! `lx_client`: creation and authenticated calls.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use leanix_core::{blocking, ClientBuilder, Request};

use crate::args::{bytes, optional_str, out, required_str, text};
use crate::boundary::guard;
use crate::error::{lx_error, Failure};
use crate::options::{lx_options, with_options};
use crate::registry::{self, Object};
use crate::response::{lx_response, ResponseObject};
use crate::status::lx_status;

/// Opaque, thread-safe LeanIX client: one token cache and connection pool, shared by every thread
/// that uses it. Create with lx_client_new() or lx_client_build(); release with lx_free().
pub struct lx_client {
    _private: [u8; 0],
}

/// Flags of lx_request().
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lx_request_flags {
    /// No flags.
    LX_REQUEST_DEFAULT = 0,
    /// The request may be retried on 429/502/503/504 and connection errors although its method
    /// is not idempotent (e.g. a POST of a GraphQL query). GET, HEAD, OPTIONS, PUT and DELETE are
    /// always retried.
    LX_REQUEST_RETRY_SAFE = 1,
}

/// What lives behind an `lx_client *`.
pub(crate) struct ClientHandle {
    client: blocking::Client,
}

impl ClientHandle {
    pub fn close(&self) {
        self.client.close();
    }
}

fn publish_client(client: blocking::Client, out_client: *mut *mut lx_client) {
    let ptr = registry::insert(Object::Client(Arc::new(ClientHandle { client })));
    // SAFETY: the caller checked `out_client` is non-NULL.
    unsafe { *out_client = ptr.cast() };
}

fn client_of(client: *const lx_client) -> Result<Arc<ClientHandle>, Failure> {
    if client.is_null() {
        return Err(crate::args::null_arg("client"));
    }
    registry::client(client as *const c_void).ok_or_else(|| {
        Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            "argument `client` is not a live lx_client (freed already?)",
        )
    })
}

fn write_owned_string(text: Vec<u8>, out_ptr: *mut *mut c_char, out_len: *mut usize) {
    let len = text.len();
    let ptr = registry::insert_buffer(text);
    // SAFETY: the callers checked `out_ptr` is non-NULL; `out_len` is optional.
    unsafe {
        *out_ptr = ptr.cast();
        if !out_len.is_null() {
            *out_len = len;
        }
    }
}

/// Creates a client for `host` with `api_token`, with default settings.
///
/// `host`: `acme.leanix.net`, `https://acme.leanix.net` or a workspace URL; NULL reads the
/// environment variable `LEANIX_HOST`. `api_token`: the technical user's API token; NULL reads
/// `LEANIX_API_TOKEN`. Nothing goes over the network until the first call. For other settings
/// (timeouts, proxy, CA certificates, `http://` to loopback) use lx_options_new() and
/// lx_client_build().
///
/// Errors: `LX_ERR_CONFIG` (missing or invalid host or token), `LX_ERR_INVALID_ARG` (not UTF-8).
/// Ownership: `*out_client` is owned by the caller; release with lx_free().
#[no_mangle]
pub extern "C" fn lx_client_new(
    host: *const c_char,
    api_token: *const c_char,
    out_client: *mut *mut lx_client,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_client, "out_client")?;
        let mut builder = ClientBuilder::from_env();
        if let Some(h) = optional_str(host, "host")? {
            builder = builder.host(h);
        }
        if let Some(t) = optional_str(api_token, "api_token")? {
            builder = builder.api_token(t);
        }
        publish_client(builder.build_blocking()?, out_client);
        Ok(())
    })
}

/// Creates a client from options (see lx_options_set()). The options are not consumed: free them
/// with lx_free() when no more clients are to be built from them.
///
/// Errors: `LX_ERR_CONFIG` with a message naming the wrong setting.
/// Ownership: `*out_client` is owned by the caller; release with lx_free().
#[no_mangle]
pub extern "C" fn lx_client_build(
    options: *const lx_options,
    out_client: *mut *mut lx_client,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_client, "out_client")?;
        if options.is_null() {
            return Err(crate::args::null_arg("options"));
        }
        let (mut builder, callback) = with_options(options, |o| (o.builder.clone(), o.callback))?;
        if let Some(cb) = callback {
            builder = builder.on_event(move |event| cb.deliver(event));
        }
        publish_client(builder.build_blocking()?, out_client);
        Ok(())
    })
}

/// Closes a client without releasing it: calls other threads are making on it return
/// `LX_ERR_CANCELLED` promptly, its background token refresh stops, and every later call on it
/// returns `LX_ERR_CANCELLED`. Idempotent.
///
/// The handle stays valid (and its address reserved) until lx_free(). Bindings that track their
/// calls in flight use this to free safely: close, wait until their in-flight calls have
/// returned, then lx_free(), so that no call can reach a later object at the same address.
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
/// Blocks until the response (or the request timeout). Token exchange, refresh, one replay after
/// 401 and retries happen inside. Errors: any `LX_ERR_*`; a non-2xx answer is an error whose
/// lx_error_http_status() is the status.
/// Ownership: `*out_response` is owned by the caller; release with lx_free().
/// Thread safety: any thread, concurrently with other calls on the same client.
#[no_mangle]
pub extern "C" fn lx_get(
    client: *const lx_client,
    path: *const c_char,
    out_response: *mut *mut lx_response,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_response, "out_response")?;
        let handle = client_of(client)?;
        let path = required_str(path, "path")?;
        let response = handle.client.get(path)?;
        publish_response(&response, out_response);
        Ok(())
    })
}

fn publish_response(response: &leanix_core::Response, out_response: *mut *mut lx_response) {
    let ptr = registry::insert(Object::Response(Box::new(ResponseObject::new(response))));
    // SAFETY: the caller checked `out_response` is non-NULL.
    unsafe { *out_response = ptr.cast() };
}

/// Any request: `method` (`"GET"`, `"POST"`, `"PATCH"`, ...), `path` (with optional query),
/// `headers` (NULL or `headers_len` bytes of `Name: value` lines separated by `\n` or `\r\n`;
/// `Authorization` and `Host` are refused), `body` (NULL or `body_len` bytes, binary-safe),
/// `flags` (`LX_REQUEST_DEFAULT` or `LX_REQUEST_RETRY_SAFE`).
///
/// Ownership: `*out_response` is owned by the caller; release with lx_free().
/// Thread safety: any thread, concurrently with other calls on the same client.
#[no_mangle]
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
    guard(err, || {
        out(out_response, "out_response")?;
        let handle = client_of(client)?;
        let method = required_str(method, "method")?;
        let path = required_str(path, "path")?;
        let headers = text(headers, headers_len, "headers")?;
        let body = bytes(body, body_len, "body")?;
        if flags & !(lx_request_flags::LX_REQUEST_RETRY_SAFE as i32) != 0 {
            return Err(Failure::new(
                lx_status::LX_ERR_INVALID_ARG,
                format!("unknown bits in `flags`: {flags:#x}"),
            ));
        }
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
        let response = handle.client.send(request)?;
        publish_response(&response, out_response);
        Ok(())
    })
}

/// Runs a GraphQL query (or mutation) against `/services/pathfinder/v1/graphql` and returns its
/// `data` as JSON text. `variables_json`: NULL or a JSON object. Queries are retried like GETs;
/// mutations are not. A response with a non-empty `errors` array is `LX_ERR_GRAPHQL` (its
/// message quotes the first errors).
///
/// Ownership: `*out_json` (NUL-terminated, `*out_len` bytes without the NUL; `out_len` may be
/// NULL) is owned by the caller; release with lx_free().
#[no_mangle]
pub extern "C" fn lx_graphql(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    run_graphql(
        client,
        query,
        variables_json,
        out_json,
        out_len,
        err,
        |c, q, v| c.graphql(q, v),
    )
}

/// Walks every page of a cursor-paged GraphQL query and returns the `edges` of all pages as one
/// JSON array. The query takes the cursor as `$after` and selects
/// `pageInfo { hasNextPage endCursor }` and `edges` on its connection.
///
/// Ownership: `*out_json` is owned by the caller; release with lx_free().
#[no_mangle]
pub extern "C" fn lx_graphql_all(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    run_graphql(
        client,
        query,
        variables_json,
        out_json,
        out_len,
        err,
        |c, q, v| c.graphql_all_edges(q, v).map(serde_json::Value::from),
    )
}

/// The shared body of lx_graphql() and lx_graphql_all(): checks the arguments, runs `call` and
/// hands its JSON out as an owned string.
fn run_graphql(
    client: *const lx_client,
    query: *const c_char,
    variables_json: *const c_char,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
    call: impl FnOnce(
        &blocking::Client,
        &str,
        Option<serde_json::Value>,
    ) -> Result<serde_json::Value, leanix_core::Error>,
) -> lx_status {
    guard(err, || {
        out(out_json, "out_json")?;
        let handle = client_of(client)?;
        let query = required_str(query, "query")?;
        let variables = parse_variables(variables_json)?;
        let json = call(&handle.client, query, variables)?;
        write_owned_string(
            serde_json::to_vec(&json).unwrap_or_default(),
            out_json,
            out_len,
        );
        Ok(())
    })
}

fn parse_variables(ptr: *const c_char) -> Result<Option<serde_json::Value>, Failure> {
    match optional_str(ptr, "variables_json")? {
        None => Ok(None),
        Some(s) => {
            let v: serde_json::Value = serde_json::from_str(s).map_err(|e| {
                Failure::new(
                    lx_status::LX_ERR_INVALID_ARG,
                    format!("`variables_json` is not valid JSON: {e}"),
                )
            })?;
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

/// A current access token (exchanging one if the cache is empty), for tools of your own that
/// need `Authorization: Bearer`.
///
/// Ownership: `*out_token` (NUL-terminated) is owned by the caller; release with lx_free(), which
/// zeroes it. Treat it as a secret.
#[no_mangle]
pub extern "C" fn lx_access_token(
    client: *const lx_client,
    out_token: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_token, "out_token")?;
        let handle = client_of(client)?;
        let token = handle.client.access_token()?;
        write_owned_string(
            token.expose_secret().as_bytes().to_vec(),
            out_token,
            std::ptr::null_mut(),
        );
        Ok(())
    })
}

/// The decoded (not verified) claims of a current access token as a JSON object: `sub`, `exp`,
/// `iss`, `jti`, `instanceUrl`, `region`, `principal{username, role, permission{workspaceId,
/// workspaceName, role, status}, ...}`, so nobody needs to paste a token into a web debugger.
/// `null` if LeanIX issued an opaque (non-JWT) token.
///
/// Ownership: `*out_json` (NUL-terminated) is owned by the caller; release with lx_free().
#[no_mangle]
pub extern "C" fn lx_claims_json(
    client: *const lx_client,
    out_json: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_json, "out_json")?;
        let handle = client_of(client)?;
        let claims = handle.client.claims()?;
        let json = claims.map(|c| c.raw).unwrap_or(serde_json::Value::Null);
        write_owned_string(
            serde_json::to_vec(&json).unwrap_or_default(),
            out_json,
            std::ptr::null_mut(),
        );
        Ok(())
    })
}
