//! One error type with a stable, machine-readable kind, and the server's answer when there was
//! one.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::policy;
use crate::request::Response;
use crate::secret::Redactor;

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
    /// The API answered 401 even with a freshly exchanged token, or within `reauth_interval`
    /// of the last exchange a 401 caused (then without a new exchange).
    Unauthorized,
    /// The API answered 403: the technical user lacks the permission.
    Forbidden,
    /// The API answered 429: after the last attempt, for a request that may not be retried, or
    /// when the wait it asks for is longer than the client waits or than the call's deadline
    /// leaves.
    RateLimited,
    /// The API answered with another unsuccessful HTTP status.
    Http,
    /// A timeout elapsed: connecting, one token-exchange attempt, or the call's deadline.
    Timeout,
    /// The connection could not be established or broke.
    Connect,
    /// The TLS handshake failed (untrusted certificate, wrong host name, ...).
    Tls,
    /// The server answered with something that is not what LeanIX sends (bad token JSON, a
    /// GraphQL page without `pageInfo`, ...).
    InvalidResponse,
    /// A GraphQL response carried a non-empty `errors` array.
    GraphQl,
    /// A redirect to another origin was refused.
    Redirect,
    /// The call was cancelled: its cancel handle fired, or its client was closed.
    Cancelled,
    /// The client was created in another process (before `fork()`); create a new one.
    Forked,
    /// The response body is larger than the client's `max_response_bytes` (or a paging walk
    /// has more pages than its `max_pages`).
    TooLarge,
    /// A blocking call was made from inside a library callback, where it would wait for
    /// itself.
    RecursiveCall,
    /// An Integration API (LDIF) run ended `FAILED` or `STOPPED`, or finished with `ERROR`
    /// warnings; the run's result is in [`Error::run_result`].
    RunFailed,
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
            ErrorKind::TooLarge => "too_large",
            ErrorKind::RecursiveCall => "recursive_call",
            ErrorKind::RunFailed => "run_failed",
        }
    }

    /// Every kind, for exhaustive tests and mappings.
    pub const ALL: [ErrorKind; 18] = [
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
        ErrorKind::TooLarge,
        ErrorKind::RecursiveCall,
        ErrorKind::RunFailed,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible operation of this crate.
///
/// Cheap to clone (one failed token exchange is shared by all its waiters). Its message is one
/// line that names what happened and where (a URL without query string), with a short, cleaned
/// excerpt of what the server said, never a credential. The server's whole answer, when there
/// was one, is in [`Error::response`]; GraphQL errors are in [`Error::graphql_errors`].
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
    reason: Option<String>,
    response: Option<Response>,
    graphql: Option<GraphQlFailure>,
    run: Option<Box<crate::integration::RunResult>>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// The `errors` of a GraphQL response and the `data` that came with them.
struct GraphQlFailure {
    errors: Value,
    data: Value,
}

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
                reason: None,
                response: None,
                graphql: None,
                run: None,
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

    pub(crate) fn with_reason(self, reason: Option<String>) -> Self {
        self.edit(|i| i.reason = reason)
    }

    /// Keeps the server's answer (status, headers, bounded body).
    pub(crate) fn with_response(self, response: Response) -> Self {
        self.edit(|i| {
            i.status.get_or_insert(response.status);
            i.response = Some(response);
        })
    }

    pub(crate) fn with_graphql(self, errors: Value, data: Value) -> Self {
        self.edit(|i| i.graphql = Some(GraphQlFailure { errors, data }))
    }

    pub(crate) fn with_run(self, run: crate::integration::RunResult) -> Self {
        self.edit(|i| i.run = Some(Box::new(run)))
    }

    /// This error with the run it is about attached, and `context` appended to its message
    /// unless the message holds it already. Every other detail (status, response, GraphQL
    /// errors, Retry-After) is kept; only the `source` of an error shared by several callers is
    /// dropped.
    pub(crate) fn about_run(self, run: crate::integration::RunResult, context: &str) -> Self {
        let mut inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => Inner {
                kind: shared.kind,
                message: shared.message.clone(),
                status: shared.status,
                oauth_error: shared.oauth_error.clone(),
                retry_after: shared.retry_after,
                body: shared.body.clone(),
                reason: shared.reason.clone(),
                response: shared.response.clone(),
                graphql: shared.graphql.as_ref().map(|g| GraphQlFailure {
                    errors: g.errors.clone(),
                    data: g.data.clone(),
                }),
                run: None,
                source: None,
            },
        };
        if !inner.message.contains(context) {
            inner.message = format!("{} ({context})", inner.message);
        }
        inner.run = Some(Box::new(run));
        Error {
            inner: Arc::new(inner),
        }
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

    /// How long the server asked to wait (`Retry-After`), for rate limits and other transient
    /// statuses.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The start of the response body (at most [`policy::BODY_EXCERPT_BYTES`] bytes of text,
    /// credentials masked), for HTTP errors. The whole body is in [`Error::response`].
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// The server's reason code for a rate limit, when its body names one (LeanIX:
    /// `USER_INTERVAL_REQUEST_LIMIT_EXCEEDED`).
    pub fn reason(&self) -> Option<&str> {
        self.inner.reason.as_deref()
    }

    /// The server's answer that made the call fail (a non-2xx status, or a GraphQL response
    /// with `errors`): status, headers and body (a body longer than `max_response_bytes` cut
    /// there, and the message says so; a 2xx that long is [`ErrorKind::TooLarge`]). `None` when no
    /// answer came (connection errors, timeouts, invalid arguments).
    pub fn response(&self) -> Option<&Response> {
        self.inner.response.as_ref()
    }

    /// For [`ErrorKind::GraphQl`]: the `errors` array of the response, each with `message`
    /// and, where the server sent them, `path`, `locations` and `extensions.errorType`.
    pub fn graphql_errors(&self) -> Option<&Value> {
        self.inner.graphql.as_ref().map(|g| &g.errors)
    }

    /// For [`ErrorKind::GraphQl`]: the partial `data` that came with the errors (`null` if
    /// none).
    pub fn graphql_data(&self) -> Option<&Value> {
        self.inner.graphql.as_ref().map(|g| &g.data)
    }

    /// The Integration API run an error is about: for [`ErrorKind::RunFailed`] its final
    /// state, warnings and counts; for a deadline or cancellation while waiting, what was
    /// known then (its id, to ask again or stop it).
    pub fn run_result(&self) -> Option<&crate::integration::RunResult> {
        self.inner.run.as_deref()
    }

    /// True for failures a caller may reasonably retry later: timeouts, connection failures,
    /// rate limits and the HTTP statuses [`policy::is_transient_status`] names. The same rule
    /// decides the client's own retries.
    pub fn is_transient(&self) -> bool {
        policy::is_transient_kind(self.kind())
            || (self.kind() == ErrorKind::Http
                && self.status().is_some_and(policy::is_transient_status))
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
        if let Some(r) = &self.inner.response {
            d.field("response", r);
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

/// Keeps a short, printable excerpt of a response body, with credentials masked. They are
/// masked before the cut (over [`policy::REDACTION_MARGIN_BYTES`] more), so that a credential
/// the cut would split is not shown in part.
pub(crate) fn body_excerpt(body: &[u8], redactor: &Redactor, more: &[&str]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let window = body
        .len()
        .min(policy::BODY_EXCERPT_BYTES + policy::REDACTION_MARGIN_BYTES);
    let masked = redactor.redact(&String::from_utf8_lossy(&body[..window]), more);
    let end = char_floor(&masked, policy::BODY_EXCERPT_BYTES);
    let mut text = masked[..end].to_owned();
    if masked.len() > end || body.len() > window {
        text.push('…');
    }
    Some(text)
}

/// What the server said, in a few words fit for a one-line message: the first `message` of a
/// LeanIX or GraphQL `errors` array (or `errorMessage`, `message`, `error_description`,
/// `error`), else the start of a plain-text body; cleaned of control characters and terminal
/// escapes, and cut to [`policy::MESSAGE_EXCERPT_CHARS`]. `None` for an empty body, HTML or
/// binary.
pub(crate) fn server_words(body: &[u8], redactor: &Redactor, more: &[&str]) -> Option<String> {
    let text = std::str::from_utf8(body)
        .ok()?
        .trim_start_matches('\u{feff}');
    let words = match serde_json::from_str::<Value>(text) {
        Ok(json) => json_message(&json)?,
        Err(_) if text.trim_start().starts_with('<') => return None,
        Err(_) => {
            // Only the start can be quoted: at most 4 bytes a character, and the margin.
            let window = MESSAGE_EXCERPT_WINDOW.min(text.len());
            text[..char_floor(text, window)].to_owned()
        }
    };
    // Masked before the cut, so that a credential the cut would split is not shown in part.
    let words = redactor.redact(&words, more);
    let clean = clean_line(&words, policy::MESSAGE_EXCERPT_CHARS);
    (!clean.is_empty()).then_some(clean)
}

/// The largest character boundary of `text` at or before byte `at`.
fn char_floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The part of a plain-text body [`server_words`] looks at.
const MESSAGE_EXCERPT_WINDOW: usize =
    policy::MESSAGE_EXCERPT_CHARS * 4 + policy::REDACTION_MARGIN_BYTES;

/// The server's own words in a JSON error body: LeanIX's envelopes (`errors[0].message`,
/// Pathfinder's `errors[0].messages[0]`, the Integration API's `errors[0]` as a string), OAuth2's
/// `error_description`, or a body that is one JSON string.
fn json_message(json: &Value) -> Option<String> {
    let first_error = json.get("errors").and_then(|e| e.get(0));
    let candidates = [
        Some(json),
        first_error,
        first_error.and_then(|e| e.get("message")),
        first_error
            .and_then(|e| e.get("messages"))
            .and_then(|m| m.get(0)),
        json.get("errorMessage"),
        json.get("message"),
        json.get("error_description"),
        json.get("error"),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str().filter(|s| !s.trim().is_empty()))
        .map(str::to_owned)
}

/// A reason code in a rate-limit body: the first word of capitals, digits and underscores with
/// at least two underscores (`USER_INTERVAL_REQUEST_LIMIT_EXCEEDED`).
pub(crate) fn reason_code(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(policy::BODY_EXCERPT_BYTES * 8)]);
    text.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .find(|w| w.matches('_').count() >= 2 && w.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|w| w.chars().take(policy::QUOTED_INPUT_CHARS).collect())
}

/// One line of printable text: terminal escape sequences and control characters removed,
/// whitespace runs collapsed, at most `max` characters (an ellipsis marks a cut).
pub(crate) fn clean_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut chars = text.chars().peekable();
    let mut count = 0;
    let mut space = false;
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... final byte (CSI), ESC ] ... BEL/ST (OSC), or ESC + one char.
            match chars.peek() {
                Some('[') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {
                    chars.next();
                }
            }
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if is_bidi_control(c) {
            continue; // they reorder what a terminal shows after them
        }
        if count == max {
            out.push('…');
            return out;
        }
        if space {
            out.push(' ');
            space = false;
            count += 1;
            if count == max {
                out.push('…');
                return out;
            }
        }
        out.push(c);
        count += 1;
    }
    out
}

/// The Unicode bidirectional formatting characters (marks, embeddings, overrides, isolates),
/// with which a server's text could make a terminal show it in another order.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Caller input quoted in a message: at most [`policy::QUOTED_INPUT_CHARS`] characters, as a
/// Rust debug string (so control characters are visible and escaped).
pub(crate) fn quote(input: &str) -> String {
    let cut: String = input.chars().take(policy::QUOTED_INPUT_CHARS).collect();
    if cut.len() < input.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

/// The URL as shown in messages: scheme, host, port and path (bounded); no query, no user
/// info.
pub(crate) fn display_url(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    let s = u.to_string();
    let max = 4 * policy::QUOTED_INPUT_CHARS;
    if s.len() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
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
    } else if is_invalid_message(&err) {
        // Headers the HTTP parser refused (too many, too large): the server's answer is
        // broken, and another attempt gets the same.
        ErrorKind::InvalidResponse
    } else if err.is_connect() || err.is_request() || err.is_body() {
        ErrorKind::Connect
    } else if err.is_builder() {
        ErrorKind::InvalidArgument
    } else {
        ErrorKind::Connect
    };
    let detail = clean_line(&root_cause(&err), policy::MESSAGE_EXCERPT_CHARS);
    let message = match kind {
        ErrorKind::Timeout => format!("{what} to {place} timed out"),
        ErrorKind::Tls => format!("TLS handshake with {place} failed: {detail}"),
        ErrorKind::InvalidResponse if !err.is_redirect() => {
            format!("{place} sent an invalid HTTP response to {what}: {detail}")
        }
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

/// True when hyper refused the response itself (a parse error of the status line or headers).
fn is_invalid_message(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            return h.is_parse() || h.is_parse_status() || is_malformed_body(h);
        }
        cur = e.source();
    }
    false
}

/// A body the HTTP decoder refused (a chunk size that is not hex or overflows, a bad chunk
/// line): hyper reports it as an I/O error of kind `InvalidData` or `InvalidInput`, where a
/// connection that broke is `UnexpectedEof` or a socket error. The answer is broken, like a
/// malformed head, and another attempt gets the same.
fn is_malformed_body(h: &hyper::Error) -> bool {
    h.source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .is_some_and(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
            )
        })
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
    use crate::secret::ApiToken;

    #[test]
    fn excerpt_is_bounded_and_redacted() {
        let r = Redactor::new(&ApiToken::new("SECRET-TOKEN"));
        let body = vec![b'x'; 2000];
        let e = body_excerpt(&body, &r, &[]).unwrap();
        assert!(e.len() <= policy::BODY_EXCERPT_BYTES + 3);
        assert_eq!(
            body_excerpt(b"echo SECRET-TOKEN", &r, &[]).unwrap(),
            "echo [redacted]"
        );
    }

    #[test]
    fn server_words_are_one_clean_line() {
        let r = Redactor::new(&ApiToken::new("SECRET-TOKEN"));
        let words = |body: &[u8]| server_words(body, &r, &[]);
        let leanix = br#"{"status":"ERROR","errors":[{"message":"Name must\nnot be empty"}]}"#;
        assert_eq!(words(leanix).unwrap(), "Name must not be empty");
        let pathfinder = br#"{"status":"ERROR","errors":[{"value":"x","messages":["bad x"]}]}"#;
        assert_eq!(words(pathfinder).unwrap(), "bad x");
        let integration = br#"{"errors":["No synchronization run with id 'x' exists"]}"#;
        assert_eq!(
            words(integration).unwrap(),
            "No synchronization run with id 'x' exists"
        );
        assert_eq!(
            words(br#""'processingDirection' must be inbound or outbound""#).unwrap(),
            "'processingDirection' must be inbound or outbound"
        );
        assert_eq!(
            words(br#"{"error":"invalid_client"}"#).unwrap(),
            "invalid_client"
        );
        assert_eq!(
            words(b"\x1b[31mred\x1b[0m alert\x1b]0;title\x07 \x07bell").unwrap(),
            "red alert bell"
        );
        assert_eq!(words(b"<html><body>502</body></html>"), None);
        assert_eq!(words(b"   "), None);
        assert_eq!(words(&[0xff, 0xfe]), None);
        let long = "y".repeat(1000);
        let cut = words(long.as_bytes()).unwrap();
        assert_eq!(cut.chars().count(), policy::MESSAGE_EXCERPT_CHARS + 1);
        // Bidi overrides are dropped; a credential is masked.
        assert_eq!(
            words("a\u{202e}evil\u{202c} b".as_bytes()).unwrap(),
            "aevil b"
        );
        assert_eq!(words(b"echo SECRET-TOKEN").unwrap(), "echo [redacted]");
    }

    /// A credential that the cut of an excerpt would split is masked whole, not shown in part
    /// (the access token is longer than what an error quotes).
    #[test]
    fn a_credential_across_the_cut_is_masked_whole() {
        let r = Redactor::new(&ApiToken::new("SECRET-TOKEN"));
        let jwt = format!("eyJ{}", "a".repeat(1500));
        let words_body = format!("{} Bearer {jwt} tail", "w".repeat(150));
        let words = server_words(words_body.as_bytes(), &r, &[&jwt]).unwrap();
        assert!(words.contains("Bearer [redacted]"), "{words}");
        assert!(!words.contains("eyJ"), "{words}");
        let json = format!(r#"{{"message":"{} Bearer {jwt}"}}"#, "w".repeat(150));
        let words = server_words(json.as_bytes(), &r, &[&jwt]).unwrap();
        assert!(!words.contains("eyJ"), "{words}");
        let excerpt_body = format!("{} {jwt} tail", "x".repeat(400));
        let excerpt = body_excerpt(excerpt_body.as_bytes(), &r, &[&jwt]).unwrap();
        assert!(!excerpt.contains("eyJ"), "{excerpt}");
        // Masked, the whole body fits the excerpt: nothing is cut.
        assert_eq!(excerpt, format!("{} [redacted] tail", "x".repeat(400)));
        let long = format!("{} {jwt} {}", "x".repeat(400), "y".repeat(600));
        let excerpt = body_excerpt(long.as_bytes(), &r, &[&jwt]).unwrap();
        assert!(
            excerpt.ends_with('…') && !excerpt.contains("eyJ"),
            "{excerpt}"
        );
        assert!(excerpt.len() <= policy::BODY_EXCERPT_BYTES + 3);
    }

    #[test]
    fn rate_limit_reasons_are_found() {
        let body = br#"{"status":"ERROR","errors":[{"message":"HTTP 429 Too Many Requests. USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"}]}"#;
        assert_eq!(
            reason_code(body).as_deref(),
            Some("USER_INTERVAL_REQUEST_LIMIT_EXCEEDED")
        );
        assert_eq!(reason_code(b"HTTP 429 Too Many Requests"), None);
    }

    #[test]
    fn quoting_is_bounded() {
        let q = quote(&"p".repeat(1_000_000));
        assert!(q.len() < 2 * policy::QUOTED_INPUT_CHARS);
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
    }
}
