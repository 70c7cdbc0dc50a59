//! The OAuth2 client-credentials exchange, exactly as LeanIX documents it, with retries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use url::Url;

use crate::backoff::{retry_after_of, RetryPolicy};
use crate::clock::Clock;
use crate::error::{body_excerpt, display_url, from_transport, Error, ErrorKind};
use crate::events::{emit, Event, EventHandler, RetryTarget};
use crate::secret::ApiToken;
use crate::token_response::{parse_token_response, TokenGrant};

/// Largest token response read; LeanIX's is under 2 KiB.
const MAX_TOKEN_RESPONSE: usize = 256 * 1024;

/// The form body LeanIX expects.
pub(crate) const GRANT_BODY: &str = "grant_type=client_credentials";

/// The value of the `Authorization` header for the exchange: `Basic base64("apitoken:" + token)`.
/// The token is used raw (not URL-encoded), as in the vendor's `curl -u apitoken:TOKEN`.
pub(crate) fn basic_header(token: &ApiToken) -> String {
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(format!("apitoken:{}", token.expose_secret()));
    format!("Basic {encoded}")
}

/// A token obtained from the endpoint, with when its request was sent.
pub(crate) struct Exchanged {
    pub grant: TokenGrant,
    pub sent_at: Instant,
    pub attempts: u32,
}

/// Performs token exchanges against one token URL with one API token.
pub(crate) struct Exchanger {
    http: reqwest::Client,
    url: Url,
    basic: HeaderValue,
    secrets: Vec<String>,
    policy: RetryPolicy,
    timeout: Duration,
    clock: Arc<dyn Clock>,
    events: Option<EventHandler>,
}

struct AttemptError {
    error: Error,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Exchanger {
    pub fn new(
        http: reqwest::Client,
        url: Url,
        api_token: &ApiToken,
        policy: RetryPolicy,
        timeout: Duration,
        clock: Arc<dyn Clock>,
        events: Option<EventHandler>,
    ) -> Result<Self, Error> {
        let basic_text = basic_header(api_token);
        let mut basic = HeaderValue::from_str(&basic_text).map_err(|_| {
            Error::new(
                ErrorKind::Config,
                "the API token cannot be sent in a header",
            )
        })?;
        basic.set_sensitive(true);
        let encoded = basic_text.trim_start_matches("Basic ").to_owned();
        Ok(Exchanger {
            http,
            url,
            basic,
            secrets: vec![api_token.expose_secret().to_owned(), encoded],
            policy,
            timeout,
            clock,
            events,
        })
    }

    /// Exchanges the API token for an access token, retrying transport errors, 408, 429 and
    /// 5xx with full-jitter backoff (or the server's `Retry-After`, capped). 400/401/403 are
    /// [`ErrorKind::InvalidCredentials`] and never retried.
    pub async fn exchange(&self) -> Result<Exchanged, Error> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent_at = self.clock.now();
            match self.attempt().await {
                Ok(grant) => {
                    return Ok(Exchanged {
                        grant,
                        sent_at,
                        attempts: attempt,
                    })
                }
                Err(failure) => {
                    if !failure.retryable || attempt >= self.policy.max_attempts {
                        return Err(failure.error);
                    }
                    let delay = match failure.retry_after {
                        Some(d) => d.min(self.policy.max_retry_after),
                        None => self.policy.backoff(attempt),
                    };
                    let reason = failure
                        .error
                        .status()
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| failure.error.kind().to_string());
                    emit(
                        &self.events,
                        Event::Retry {
                            target: RetryTarget::Token,
                            attempt,
                            delay,
                            reason,
                        },
                    );
                    self.clock.sleep(delay).await;
                }
            }
        }
    }

    async fn attempt(&self) -> Result<TokenGrant, AttemptError> {
        let place = display_url(&self.url);
        let response = self
            .http
            .post(self.url.clone())
            .header(AUTHORIZATION, self.basic.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(GRANT_BODY)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| {
                let error = from_transport(e, "the token request", &self.url);
                let retryable = matches!(error.kind(), ErrorKind::Connect | ErrorKind::Timeout);
                AttemptError {
                    error,
                    retryable,
                    retry_after: None,
                }
            })?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(response.headers(), self.clock.wall());
        let location_origin = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| self.url.join(l).ok())
            .map(|u| u.origin().ascii_serialization());
        let body = read_limited(response, MAX_TOKEN_RESPONSE)
            .await
            .map_err(|e| AttemptError {
                retryable: matches!(e.kind(), ErrorKind::Connect | ErrorKind::Timeout),
                error: e,
                retry_after: None,
            })?;
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        let fail = |error: Error, retryable: bool| AttemptError {
            error,
            retryable,
            retry_after,
        };
        match status {
            200..=299 => parse_token_response(&body, self.clock.wall()).map_err(|e| {
                let msg = format!("{} (from {place})", e.message());
                fail(Error::new(e.kind(), msg).with_status(status), false)
            }),
            400 | 401 | 403 => {
                let oauth = oauth_error(&body);
                let detail = oauth
                    .as_deref()
                    .map(|o| format!("; OAuth error {o:?}"))
                    .unwrap_or_default();
                let msg = format!(
                    "the token endpoint {place} rejected the API token (HTTP {status}{detail}): check that the token is current, not revoked, and belongs to this host"
                );
                Err(fail(
                    Error::new(ErrorKind::InvalidCredentials, msg)
                        .with_status(status)
                        .with_oauth_error(oauth)
                        .with_body(body_excerpt(&body, &secrets)),
                    false,
                ))
            }
            300..=399 => Err(fail(
                Error::new(
                    ErrorKind::InvalidResponse,
                    format!(
                        "the token endpoint {place} answered with a redirect (HTTP {status}{}); token requests are never redirected",
                        location_origin.map(|o| format!(" to {o}")).unwrap_or_default()
                    ),
                )
                .with_status(status),
                false,
            )),
            408 | 429 | 500..=599 => {
                let kind = if status == 429 {
                    ErrorKind::RateLimited
                } else {
                    ErrorKind::Http
                };
                Err(fail(
                    Error::new(kind, format!("the token endpoint {place} answered HTTP {status}"))
                        .with_status(status)
                        .with_retry_after(retry_after)
                        .with_body(body_excerpt(&body, &secrets)),
                    true,
                ))
            }
            _ => Err(fail(
                Error::new(
                    ErrorKind::Http,
                    format!("the token endpoint {place} answered HTTP {status}"),
                )
                .with_status(status)
                .with_body(body_excerpt(&body, &secrets)),
                false,
            )),
        }
    }
}

/// The OAuth2 `error` field of an error response, if the body is JSON and has one.
fn oauth_error(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error")?.as_str()?;
    Some(e.chars().take(100).collect())
}

/// Reads a response body, failing past `limit` bytes.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, Error> {
    let url = response.url().clone();
    let mut buf = bytes::BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > limit {
                    return Err(Error::new(
                        ErrorKind::InvalidResponse,
                        format!(
                            "the response of {} is larger than {limit} bytes",
                            display_url(&url)
                        ),
                    ));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(buf.freeze()),
            Err(e) => return Err(from_transport(e, "reading the response", &url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_uses_the_raw_token() {
        // base64("apitoken:a+b/c=d%20") — no URL encoding of + / = %.
        let h = basic_header(&ApiToken::new("a+b/c=d%20"));
        assert_eq!(h, "Basic YXBpdG9rZW46YStiL2M9ZCUyMA==");
    }
}
