//! One error type with a stable, machine-readable kind.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What went wrong, as a stable category that callers (and the C ABI) can switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration is invalid (missing token, bad host, `http://` to a remote host, ...).
    Config,
    /// An argument of a call is invalid (bad method, header, path or body).
    InvalidArgument,
    /// The token endpoint rejected the API token (HTTP 400/401/403 on the exchange).
    InvalidCredentials,
    /// The API answered 401 even with a freshly exchanged token.
    Unauthorized,
    /// The API answered 403: the technical user lacks the permission.
    Forbidden,
    /// The API answered 429 and the wait it asks for is longer than the client will wait.
    RateLimited,
    /// The API answered with another unsuccessful HTTP status.
    Http,
    /// A timeout (connect, token attempt or request) elapsed.
    Timeout,
    /// The connection could not be established or broke.
    Connect,
    /// The TLS handshake failed (untrusted certificate, wrong host name, ...).
    Tls,
    /// The server answered with something that is not what LeanIX sends (bad token JSON, ...).
    InvalidResponse,
    /// A GraphQL response carried a non-empty `errors` array.
    GraphQl,
    /// A redirect to another origin was refused.
    Redirect,
    /// The operation was cancelled (client closed, runtime shut down).
    Cancelled,
    /// The client was created in another process (before `fork()`); create a new one.
    Forked,
}

impl ErrorKind {
    /// A short, stable, lower-case name of the kind (`"invalid_credentials"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "config",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Http => "http",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect",
            ErrorKind::Tls => "tls",
            ErrorKind::InvalidResponse => "invalid_response",
            ErrorKind::GraphQl => "graphql",
            ErrorKind::Redirect => "redirect",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Forked => "forked",
        }
    }

    /// Every kind, for exhaustive tests and mappings.
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::Config,
        ErrorKind::InvalidArgument,
        ErrorKind::InvalidCredentials,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::RateLimited,
        ErrorKind::Http,
        ErrorKind::Timeout,
        ErrorKind::Connect,
        ErrorKind::Tls,
        ErrorKind::InvalidResponse,
        ErrorKind::GraphQl,
        ErrorKind::Redirect,
        ErrorKind::Cancelled,
        ErrorKind::Forked,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible operation of this crate.
///
/// Cheap to clone (one failed token exchange is shared by all its waiters). Its message names what
/// happened and where (a URL without query string), never a credential.
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    oauth_error: Option<String>,
    retry_after: Option<Duration>,
    body: Option<String>,
    graphql_errors: Option<serde_json::Value>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// Longest body excerpt kept in an error.
pub(crate) const BODY_EXCERPT_LIMIT: usize = 512;

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Arc::new(Inner {
                kind,
                message: message.into(),
                status: None,
                oauth_error: None,
                retry_after: None,
                body: None,
                graphql_errors: None,
                source: None,
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut Inner)) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => f(inner),
            None => unreachable!("errors are edited only while being built"),
        }
        self
    }

    pub(crate) fn with_status(self, status: u16) -> Self {
        self.edit(|i| i.status = Some(status))
    }

    pub(crate) fn with_oauth_error(self, oauth_error: Option<String>) -> Self {
        self.edit(|i| i.oauth_error = oauth_error)
    }

    pub(crate) fn with_retry_after(self, retry_after: Option<Duration>) -> Self {
        self.edit(|i| i.retry_after = retry_after)
    }

    pub(crate) fn with_body(self, body: Option<String>) -> Self {
        self.edit(|i| i.body = body)
    }

    pub(crate) fn with_graphql_errors(self, errors: serde_json::Value) -> Self {
        self.edit(|i| i.graphql_errors = Some(errors))
    }

    pub(crate) fn with_source(self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.edit(|i| i.source = Some(Box::new(source)))
    }

    /// The category of the error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The human-readable message (also what `Display` prints).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The HTTP status that caused the error, if one did.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The OAuth2 `error` field of a token-endpoint error response (`"invalid_client"`, ...).
    pub fn oauth_error(&self) -> Option<&str> {
        self.inner.oauth_error.as_deref()
    }

    /// For [`ErrorKind::RateLimited`]: how long the server asked to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The start of the response body (at most 512 bytes of text), for HTTP errors.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// For [`ErrorKind::GraphQl`]: the `errors` array of the response.
    pub fn graphql_errors(&self) -> Option<&serde_json::Value> {
        self.inner.graphql_errors.as_ref()
    }

    /// True for the kinds a caller may reasonably retry later (timeouts, connection failures,
    /// rate limits, 5xx).
    pub fn is_transient(&self) -> bool {
        match self.kind() {
            ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::RateLimited => true,
            ErrorKind::Http => self.status().is_some_and(|s| s >= 500),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(s) = self.inner.status {
            d.field("status", &s);
        }
        if let Some(o) = &self.inner.oauth_error {
            d.field("oauth_error", o);
        }
        if let Some(r) = self.inner.retry_after {
            d.field("retry_after", &r);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// Keeps a short, printable excerpt of a response body, with credentials masked.
pub(crate) fn body_excerpt(body: &[u8], secrets: &[&str]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let end = body.len().min(BODY_EXCERPT_LIMIT);
    let mut text = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > end {
        text.push('…');
    }
    Some(redact(&text, secrets))
}

/// Replaces every occurrence of each (non-trivial) secret in `text` with `[redacted]`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if s.len() >= 4 && out.contains(s) {
            out = out.replace(s, "[redacted]");
        }
    }
    out
}

/// The URL as shown in messages: scheme, host, port and path; no query, no user info.
pub(crate) fn display_url(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// Classifies a transport error from reqwest (no HTTP status) into a kind and message.
pub(crate) fn from_transport(err: reqwest::Error, what: &str, url: &url::Url) -> Error {
    let place = display_url(url);
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if is_tls(&err) {
        ErrorKind::Tls
    } else if err.is_redirect() {
        // The redirect policy gave up (a loop, too many hops): no network failure, and not
        // worth retrying (as `Connect` it was retried, each attempt following the loop again).
        ErrorKind::InvalidResponse
    } else if err.is_connect() || err.is_request() || err.is_body() {
        ErrorKind::Connect
    } else if err.is_builder() {
        ErrorKind::InvalidArgument
    } else {
        ErrorKind::Connect
    };
    let detail = root_cause(&err);
    let message = match kind {
        ErrorKind::Timeout => format!("{what} to {place} timed out"),
        ErrorKind::Tls => format!("TLS handshake with {place} failed: {detail}"),
        ErrorKind::Connect if err.is_connect() => {
            format!("could not connect to {place} for {what}: {detail}")
        }
        _ => format!("{what} to {place} failed: {detail}"),
    };
    Error::new(kind, message).with_source(err.without_url())
}

fn is_tls(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        // `io::Error::source` skips the error it wraps, and reqwest nests the handshake's
        // `io::Error(InvalidData, rustls::Error)` inside another `io::Error`: look inside.
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(|inner| is_tls(inner)) {
                return true;
            }
        }
        cur = e.source();
    }
    false
}

fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut cur: &(dyn StdError + 'static) = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_masks_every_occurrence() {
        assert_eq!(
            redact("a SECRET b SECRET", &["SECRET"]),
            "a [redacted] b [redacted]"
        );
        assert_eq!(redact("short ab", &["ab"]), "short ab");
    }

    #[test]
    fn excerpt_is_bounded() {
        let body = vec![b'x'; 2000];
        let e = body_excerpt(&body, &[]).unwrap();
        assert!(e.len() <= BODY_EXCERPT_LIMIT + 3);
    }
}
