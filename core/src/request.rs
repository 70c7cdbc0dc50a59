//! An API request to build and the response it gets.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind};

/// An API request: method, path on the LeanIX host, headers and body.
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
    pub(crate) invalid: Option<String>,
}

impl Request {
    /// A request with any method (`"GET"`, `"PATCH"`, ...). An invalid method name is reported
    /// when the request is sent.
    pub fn new(method: &str, path: impl Into<String>) -> Self {
        let (method, invalid) = match Method::from_bytes(method.to_ascii_uppercase().as_bytes()) {
            Ok(m) => (m, None),
            Err(_) => (
                Method::GET,
                Some(format!(
                    "{:?} is not a valid HTTP method",
                    method.chars().take(20).collect::<String>()
                )),
            ),
        };
        Request {
            method,
            path: path.into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            retry_safe: false,
            timeout: None,
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

    /// Adds a header. `Authorization` and `Host` are managed by the client and refused.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if self.invalid.is_some() {
            return self;
        }
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| {
                format!(
                    "{:?} is not a valid header name",
                    name.chars().take(40).collect::<String>()
                )
            })
            .and_then(|n| {
                if n == reqwest::header::AUTHORIZATION || n == reqwest::header::HOST {
                    Err(format!(
                        "the {n} header is set by the client and cannot be overridden"
                    ))
                } else {
                    Ok(n)
                }
            })
            .and_then(|n| {
                HeaderValue::from_str(value)
                    .map(|v| (n.clone(), v))
                    .map_err(|_| {
                        format!(
                            "the value of header {n} contains characters not allowed in a header"
                        )
                    })
            });
        match parsed {
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
                if !self.headers.contains_key(reqwest::header::CONTENT_TYPE) {
                    self.headers.insert(
                        reqwest::header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                }
            }
            Err(e) => self.invalid = Some(format!("the JSON body cannot be serialised: {e}")),
        }
        self
    }

    /// Marks a non-idempotent request (a POST) as safe to retry on 429/502/503/504 and
    /// connection errors, e.g. a GraphQL query. `GET`, `HEAD`, `OPTIONS`, `PUT` and `DELETE` are
    /// always retried.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.retry_safe = safe;
        self
    }

    /// Overrides the client's request timeout for this request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    /// The path (possibly with a query string).
    pub fn path(&self) -> &str {
        &self.path
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

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("retry_safe", &self.retry_safe)
            .finish()
    }
}

/// A successful (2xx) response: status, headers and the whole body.
#[derive(Clone)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) url: url::Url,
}

impl Response {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
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
        &self.body
    }

    /// The body as cheaply clonable bytes.
    pub fn bytes(&self) -> Bytes {
        self.body.clone()
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!(
                    "the response body of {} is not UTF-8: {e}",
                    crate::error::display_url(&self.url)
                ),
            )
        })
    }

    /// The body parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!(
                    "the response body of {} is not the expected JSON: {e}",
                    crate::error::display_url(&self.url)
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
            .field("url", &crate::error::display_url(&self.url))
            .field("body_len", &self.body.len())
            .finish()
    }
}
