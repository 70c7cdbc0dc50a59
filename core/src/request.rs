//! An API request to build and the response it gets.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::call_limits::call_limit_setters;
use crate::cancel::Cancel;
use crate::error::{display_url, quote, Error, ErrorKind};

/// Headers the client sets itself or that frame the message; a caller's value would send
/// credentials elsewhere, truncate the body or hang the connection.
const MANAGED_HEADERS: [HeaderName; 7] = [
    header::AUTHORIZATION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::CONNECTION,
    header::UPGRADE,
    header::TE,
];

/// An API request: method, path on the LeanIX host, headers and body, and how long and on
/// what condition it may run.
///
/// Invalid parts (a bad method name or header) are remembered and reported when the request is
/// sent, so building never fails halfway.
///
/// ```
/// let req = leanix::Request::post("/services/pathfinder/v1/graphql")
///     .json(&serde_json::json!({"query": "{ allFactSheets { totalCount } }"}))
///     .retry_safe(true);
/// ```
#[derive(Clone)]
#[must_use]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) retry_safe: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) cancel: Option<Cancel>,
    pub(crate) invalid: Option<String>,
}

impl Request {
    /// A request with any method (`"GET"`, `"PATCH"`, ...). An invalid method name is reported
    /// when the request is sent.
    pub fn new(method: &str, path: impl Into<String>) -> Self {
        let parsed = if method.len() > crate::policy::MAX_METHOD_LEN {
            Err(format!(
                "{} is not a valid HTTP method (longer than {} characters)",
                quote(method),
                crate::policy::MAX_METHOD_LEN
            ))
        } else {
            Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("{} is not a valid HTTP method", quote(method)))
        };
        let (method, invalid) = match parsed {
            Ok(m) => (m, None),
            Err(msg) => (Method::GET, Some(msg)),
        };
        Request {
            method,
            path: path.into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            retry_safe: false,
            timeout: None,
            cancel: None,
            invalid,
        }
    }

    /// A `GET` request.
    pub fn get(path: impl Into<String>) -> Self {
        Request::new("GET", path)
    }

    /// A `POST` request.
    pub fn post(path: impl Into<String>) -> Self {
        Request::new("POST", path)
    }

    /// Adds a header. `Authorization` and `Host` are managed by the client, and the framing
    /// headers `Content-Length`, `Transfer-Encoding`, `Connection`, `Upgrade` and `TE` by the
    /// HTTP layer: all are refused.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if self.invalid.is_some() {
            return self;
        }
        match parse_header(name, value) {
            Ok((n, v)) => {
                self.headers.append(n, v);
            }
            Err(e) => self.invalid = Some(e),
        }
        self
    }

    /// Sets a raw body (binary-safe).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(v) => {
                self.body = Bytes::from(v);
                if !self.headers.contains_key(header::CONTENT_TYPE) {
                    self.headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                }
            }
            Err(e) => self.invalid = Some(format!("the JSON body cannot be serialised: {e}")),
        }
        self
    }

    /// Marks a non-idempotent request (a POST) as safe to retry on transient answers and
    /// connection errors, e.g. a GraphQL query. Idempotent methods (`GET`, `HEAD`, `OPTIONS`,
    /// `TRACE`, `PUT`, `DELETE`) are always retried.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.retry_safe = safe;
        self
    }

    call_limit_setters! {
        /// The deadline of this call, instead of the client's request timeout: token exchange,
        /// every attempt and every wait between them must fit in it, or the call fails with
        /// [`ErrorKind::Timeout`].
        timeout;
        /// Ends the call with [`ErrorKind::Cancelled`] as soon as `cancel` fires (whatever it is
        /// doing: waiting for a token, an answer or a retry).
        cancel_on;
    }

    /// This request with the deadline and cancel handle of a builder that has them, each only
    /// where it is set.
    pub(crate) fn within(self, timeout: Option<Duration>, cancel: Option<&Cancel>) -> Request {
        let request = match timeout {
            Some(t) => self.timeout(t),
            None => self,
        };
        match cancel {
            Some(c) => request.cancel_on(c),
            None => request,
        }
    }

    /// The method.
    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    /// The path (possibly with a query string).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path for logs and messages: every query value replaced by `…`, since a query
    /// string may carry a secret.
    pub fn display_path(&self) -> String {
        redact_query(&self.path)
    }

    pub(crate) fn is_retryable(&self) -> bool {
        self.retry_safe || self.method.is_idempotent()
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        match &self.invalid {
            Some(msg) => Err(Error::new(ErrorKind::InvalidArgument, msg.clone())),
            None => Ok(()),
        }
    }
}

fn parse_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let n = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{} is not a valid header name", quote(name)))?;
    if MANAGED_HEADERS.contains(&n) {
        return Err(format!(
            "the {n} header is set by the client and cannot be given"
        ));
    }
    let v = HeaderValue::from_str(value).map_err(|_| {
        format!("the value of header {n} contains characters not allowed in a header")
    })?;
    Ok((n, v))
}

/// A path as shown in diagnostics: every query value replaced by `…`, so that a secret passed
/// in a query string does not reach a log.
pub(crate) fn redact_query(path: &str) -> String {
    match path.split_once('?') {
        None => path.to_owned(),
        Some((p, q)) => {
            let names: Vec<&str> = q
                .split('&')
                .map(|pair| pair.split('=').next().unwrap_or(""))
                .collect();
            format!("{p}?{}", names.join("=…&") + "=…")
        }
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &redact_query(&self.path))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("retry_safe", &self.retry_safe)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// An HTTP response from LeanIX: status, headers and the whole body (at most the client's
/// `max_response_bytes`). Calls return it for 2xx; an [`Error`] carries it for other statuses
/// ([`Error::response`]).
#[derive(Clone)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// The body followed by one NUL byte that is not part of it (see
    /// [`Response::body_with_nul`]).
    pub(crate) body_nul: Bytes,
    pub(crate) url: url::Url,
    /// The body is the start of a longer one, cut at `max_response_bytes` (error answers only).
    pub(crate) cut: bool,
}

impl Response {
    /// A response from its parts; `body_nul` ends with the extra NUL byte.
    pub(crate) fn new(status: u16, headers: HeaderMap, body_nul: Bytes, url: url::Url) -> Self {
        debug_assert_eq!(body_nul.last(), Some(&0));
        Response {
            status,
            headers,
            body_nul,
            url,
            cut: false,
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// All response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of a header, if present and valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body bytes (binary-safe).
    pub fn body(&self) -> &[u8] {
        &self.body_nul[..self.body_nul.len() - 1]
    }

    /// The body followed by one NUL byte (not part of the body), so that C callers can use a
    /// text body as a string without a copy.
    pub fn body_with_nul(&self) -> &[u8] {
        &self.body_nul
    }

    /// The body as cheaply clonable bytes.
    pub fn bytes(&self) -> Bytes {
        self.body_nul.slice(..self.body_nul.len() - 1)
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(self.body()).map_err(|e| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!(
                    "the response body of {} is not UTF-8: {e}",
                    display_url(&self.url)
                ),
            )
        })
    }

    /// The body parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(self.body()).map_err(|e| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!(
                    "the response body of {} is not the expected JSON: {e}",
                    display_url(&self.url)
                ),
            )
        })
    }

    /// The URL that answered (after same-origin redirects, if any).
    pub fn url(&self) -> &str {
        self.url.as_str()
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("url", &display_url(&self.url))
            .field("body_len", &self.body().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_and_credential_headers_are_refused() {
        for name in [
            "Authorization",
            "host",
            "Content-Length",
            "transfer-encoding",
            "Connection",
            "Upgrade",
            "TE",
        ] {
            let e = Request::get("/x").header(name, "1").check().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{name}");
            assert!(e.message().contains("cannot be given"), "{e}");
        }
        assert!(Request::get("/x")
            .header("X-Request-Id", "a")
            .check()
            .is_ok());
    }

    #[test]
    fn debug_hides_query_values() {
        let r = Request::get("/a?token=s3cr3t&pageSize=5");
        let d = format!("{r:?}");
        assert!(!d.contains("s3cr3t"), "{d}");
        assert!(d.contains("/a?token=…&pageSize=…"), "{d}");
        assert_eq!(redact_query("/plain"), "/plain");
    }
}
