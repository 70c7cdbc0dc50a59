//! The OAuth2 client-credentials exchange, exactly as LeanIX documents it, with retries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use url::Url;

use crate::body::read_body;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::{body_excerpt, display_url, from_transport, server_words, Error, ErrorKind};
use crate::events::{emit, Event, EventHandler, RetryTarget};
use crate::policy::{self, retry_after_of, RetryPolicy};
use crate::rate::RateBudget;
use crate::request::Response;
use crate::secret::Redactor;
use crate::token_response::{parse_token_response, TokenGrant};

/// The form body LeanIX expects.
pub(crate) const GRANT_BODY: &str = "grant_type=client_credentials";

/// A token obtained from the endpoint, with when its request was sent.
pub(crate) struct Exchanged {
    pub grant: TokenGrant,
    pub sent_at: Instant,
    /// `sent_at` on the wall clock (what the token file stores).
    pub sent_wall: std::time::SystemTime,
    pub attempts: u32,
}

/// Performs token exchanges against one token URL with one API token.
pub(crate) struct Exchanger {
    http: reqwest::Client,
    url: Url,
    basic: HeaderValue,
    redactor: Arc<Redactor>,
    budget: Arc<RateBudget>,
    policy: RetryPolicy,
    timeout: Duration,
    clock: Arc<dyn Clock>,
    events: Option<EventHandler>,
}

/// One failed attempt: the error, whether the same request may succeed later, and the wait the
/// server asked for.
struct AttemptError {
    error: Error,
    transient: bool,
    retry_after: Option<Duration>,
}

impl AttemptError {
    fn final_answer(error: Error) -> Self {
        AttemptError {
            error,
            transient: false,
            retry_after: None,
        }
    }
}

impl Exchanger {
    pub fn new(
        http: reqwest::Client,
        url: Url,
        redactor: Arc<Redactor>,
        budget: Arc<RateBudget>,
        config: &Config,
    ) -> Result<Self, Error> {
        let mut basic = HeaderValue::from_str(redactor.basic_header()).map_err(|_| {
            Error::new(
                ErrorKind::Config,
                "the API token cannot be sent in a header",
            )
        })?;
        basic.set_sensitive(true);
        Ok(Exchanger {
            http,
            url,
            basic,
            redactor,
            budget,
            policy: config.token_retry,
            timeout: config.token_timeout,
            clock: Arc::clone(&config.clock),
            events: config.events.clone(),
        })
    }

    /// Exchanges the API token for an access token, retrying transient failures (the rule of
    /// [`policy`]: transport errors, 408, 429, 500, 502, 503, 504) with the same delay rule as
    /// API calls. 400/401/403 are [`ErrorKind::InvalidCredentials`] and never retried.
    ///
    /// A 429, or a 503 with `Retry-After`, pauses the client's rate budget until the retry time
    /// (also when the exchange gives up), and no attempt is sent while the client is paused:
    /// it fails at once with [`ErrorKind::RateLimited`] and the remaining wait as
    /// [`Error::retry_after`].
    pub async fn exchange(&self) -> Result<Exchanged, Error> {
        let mut attempt = 0;
        loop {
            let paused = self.budget.paused_for();
            if !paused.is_zero() {
                return Err(Error::new(
                    ErrorKind::RateLimited,
                    format!(
                        "the token request to {} was not sent: the client is holding requests for {} ms more, as the server's rate limit or Retry-After asked",
                        display_url(&self.url),
                        paused.as_millis()
                    ),
                )
                .with_retry_after(Some(paused)));
            }
            attempt += 1;
            let sent_at = self.clock.now();
            let sent_wall = self.clock.wall();
            let failure = match self.attempt().await {
                Ok(grant) => {
                    self.budget.succeeded();
                    return Ok(Exchanged {
                        grant,
                        sent_at,
                        sent_wall,
                        attempts: attempt,
                    });
                }
                Err(failure) => failure,
            };
            if failure.transient {
                self.budget.failed();
            }
            let delay = self.policy.delay(attempt, failure.retry_after);
            let throttled = failure.error.status() == Some(429);
            if failure.transient && (throttled || failure.retry_after.is_some()) {
                // The whole client holds back until the retry time, whether or not this
                // exchange waits for it (the same rule as API calls). The pacing is left
                // alone: it follows the API's rate, not the token endpoint's.
                let pause = match failure.retry_after {
                    Some(wait) => Some(wait.max(self.policy.base_delay)),
                    None => delay,
                };
                if let Some(pause) = pause {
                    self.budget.throttled(pause, false);
                }
            }
            if !failure.transient || attempt >= self.policy.max_attempts || !self.budget.may_retry()
            {
                return Err(failure.error);
            }
            let Some(delay) = delay else {
                return Err(failure.error);
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

    async fn attempt(&self) -> Result<TokenGrant, AttemptError> {
        let place = display_url(&self.url);
        let transport = |error: Error| AttemptError {
            transient: policy::is_transient_kind(error.kind()),
            error,
            retry_after: None,
        };
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
            .map_err(|e| transport(from_transport(e, "the token request", &self.url)))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(response.headers(), self.clock.wall());
        let location_origin = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| self.url.join(l).ok())
            .map(|u| u.origin().ascii_serialization());
        let headers = response.headers().clone();
        let body_nul = read_body(
            response,
            policy::MAX_TOKEN_RESPONSE_BYTES,
            "the token request",
        )
        .await
        .map_err(transport)?;
        let body = &body_nul[..body_nul.len() - 1];
        // A failed exchange keeps the endpoint's answer, as a failed API call does (its
        // `x-request-id` is what LeanIX support asks for).
        let answer = || Response::new(status, headers.clone(), body_nul.clone(), self.url.clone());
        let excerpt = || body_excerpt(body, &self.redactor, &[]);
        let words = || {
            server_words(body, &self.redactor, &[])
                .map(|w| format!(": {w}"))
                .unwrap_or_default()
        };
        match status {
            200..=299 => parse_token_response(body, self.clock.wall()).map_err(|e| {
                let msg = format!("{} (from {place})", e.message());
                AttemptError::final_answer(Error::new(e.kind(), msg).with_status(status))
            }),
            400 | 401 | 403 => {
                let oauth = oauth_error(body);
                let detail = oauth
                    .as_deref()
                    .map(|o| format!("; OAuth error {o:?}"))
                    .unwrap_or_default();
                let msg = format!(
                    "the token endpoint {place} rejected the API token (HTTP {status}{detail}): check that the token is current, not revoked, and belongs to this host"
                );
                Err(AttemptError::final_answer(
                    Error::new(ErrorKind::InvalidCredentials, msg)
                        .with_status(status)
                        .with_oauth_error(oauth)
                        .with_body(excerpt())
                        .with_response(answer()),
                ))
            }
            300..=399 => Err(AttemptError::final_answer(
                Error::new(
                    ErrorKind::InvalidResponse,
                    format!(
                        "the token endpoint {place} answered with a redirect (HTTP {status}{}); token requests are never redirected",
                        location_origin.map(|o| format!(" to {o}")).unwrap_or_default()
                    ),
                )
                .with_status(status)
                .with_response(answer()),
            )),
            _ => {
                let kind = if status == 429 {
                    ErrorKind::RateLimited
                } else {
                    ErrorKind::Http
                };
                Err(AttemptError {
                    error: Error::new(
                        kind,
                        format!("the token endpoint {place} answered HTTP {status}{}", words()),
                    )
                    .with_status(status)
                    .with_retry_after(retry_after)
                    .with_body(excerpt())
                    .with_response(answer()),
                    transient: policy::is_transient_status(status),
                    retry_after,
                })
            }
        }
    }
}

/// The OAuth2 `error` field of an error response, if the body is JSON and has one.
fn oauth_error(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error")?.as_str()?;
    Some(crate::error::clean_line(e, policy::QUOTED_INPUT_CHARS))
}
