//! The asynchronous client: authenticated requests with token refresh, replay and retries.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderMap, AUTHORIZATION};
use thread_local::ThreadLocal;
use url::Url;

use crate::backoff::retry_after_of;
use crate::claims::Claims;
use crate::config::{ClientBuilder, Config};
use crate::error::{body_excerpt, display_url, from_transport, Error, ErrorKind};
use crate::events::{emit, Event, RetryTarget};
use crate::exchange::{basic_header, Exchanger};
use crate::origin::Origin;
use crate::request::{Request, Response};
use crate::secret::AccessToken;
use crate::token_manager::{CachedToken, TokenManager};

/// A LeanIX client. Cheap to clone (clones share the token cache and connection pool); create
/// one per host and API token and share it between tasks.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    /// The connection pool of requests driven by the shared (or the caller's own) runtime.
    http: reqwest::Client,
    /// One pool per calling thread, for blocking calls driven on that thread's own runtime
    /// (connections belong to the runtime that opened them).
    thread_http: ThreadLocal<reqwest::Client>,
    tokens: TokenManager,
    /// Values masked in error messages: the API token and the Basic credential.
    secrets: [String; 2],
}

/// What one attempt produced: an HTTP answer, or a transport error (with "nothing was sent").
/// Lives on the stack for one attempt only, so the size difference of the variants is moot.
#[allow(clippy::large_enum_variant)]
enum Attempt {
    Answered {
        status: u16,
        headers: HeaderMap,
        body: bytes::Bytes,
        url: Url,
    },
    Failed {
        error: Error,
        not_sent: bool,
    },
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client for `LEANIX_HOST` with `LEANIX_API_TOKEN`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env().build()
    }

    pub(crate) fn from_config(config: Config) -> Result<Client, Error> {
        let token_url = config.origin.join(crate::TOKEN_PATH)?;
        let token_http = http_client(&config, reqwest::redirect::Policy::none())?;
        let http = api_http_client(&config)?;
        let exchanger = Exchanger::new(
            token_http,
            token_url,
            &config.api_token,
            config.token_retry,
            config.token_timeout,
            Arc::clone(&config.clock),
            config.events.clone(),
        )?;
        let tokens = TokenManager::new(
            exchanger,
            config.spawner.clone(),
            config.refresh,
            Arc::clone(&config.clock),
            config.events.clone(),
        );
        let basic = basic_header(&config.api_token);
        let secrets = [
            config.api_token.expose_secret().to_owned(),
            basic.trim_start_matches("Basic ").to_owned(),
        ];
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                http,
                thread_http: ThreadLocal::new(),
                tokens,
                secrets,
            }),
        })
    }

    /// The normalised LeanIX origin this client talks to.
    pub fn origin(&self) -> &Origin {
        &self.inner.config.origin
    }

    /// A current access token (from the cache, or exchanged now), e.g. for a tool of your own.
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        Ok(self.inner.tokens.token().await?.token.clone())
    }

    /// The decoded claims of a current access token (`None` if LeanIX sent an opaque token).
    pub async fn claims(&self) -> Result<Option<Claims>, Error> {
        Ok(self.inner.tokens.token().await?.token.claims())
    }

    /// `GET` a path on the LeanIX host.
    pub async fn get(&self, path: &str) -> Result<Response, Error> {
        self.send(Request::get(path)).await
    }

    /// Sends a request with a valid bearer token.
    ///
    /// - 401: the token is dropped (if still current), a new one fetched, and the request replayed
    ///   once; a second 401 is [`ErrorKind::Unauthorized`].
    /// - 429, 502, 503, 504 and connection errors: retried (idempotent methods and requests marked
    ///   [`Request::retry_safe`]) with full-jitter backoff or the server's `Retry-After`; a
    ///   `Retry-After` above the limit returns the error at once ([`ErrorKind::RateLimited`] for
    ///   429, with [`Error::retry_after`] set).
    /// - Any other status ≥ 300 is an error of the matching kind; 2xx is the [`Response`].
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        request.check()?;
        let url = self.inner.config.origin.join(&request.path)?;
        let retryable = request.is_retryable();
        let policy = self.inner.config.api_retry;
        let clock = &self.inner.config.clock;
        let mut attempt = 0u32;
        let mut replayed_after_401 = false;
        loop {
            let token = self.inner.tokens.token().await?;
            attempt += 1;
            let (status, headers, body, final_url) =
                match self.attempt(&request, &url, &token).await {
                    Attempt::Answered {
                        status,
                        headers,
                        body,
                        url,
                    } => (status, headers, body, url),
                    Attempt::Failed { error, not_sent } => {
                        let may_retry =
                            (retryable && error.kind() == ErrorKind::Connect) || not_sent;
                        if may_retry && attempt < policy.max_attempts {
                            let delay = policy.backoff(attempt);
                            self.announce_retry(attempt, delay, error.kind().as_str());
                            clock.sleep(delay).await;
                            continue;
                        }
                        return Err(error);
                    }
                };
            if (200..300).contains(&status) {
                return Ok(Response {
                    status,
                    headers,
                    body,
                    url: final_url,
                });
            }
            if status == 401 && !replayed_after_401 {
                replayed_after_401 = true;
                attempt -= 1;
                self.inner.tokens.invalidate(token.generation);
                continue;
            }
            let retry_after = retry_after_of(&headers, clock.wall());
            let transient = matches!(status, 429 | 502 | 503 | 504);
            // A wait above the limit is never slept on, whatever the status (a 503 may ask too).
            let too_long = retry_after.is_some_and(|d| d > policy.max_retry_after);
            if transient && retryable && !too_long && attempt < policy.max_attempts {
                let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt));
                self.announce_retry(attempt, delay, &status.to_string());
                clock.sleep(delay).await;
                continue;
            }
            return Err(self.status_error(
                &request,
                &final_url,
                status,
                retry_after,
                &body,
                &token,
            ));
        }
    }

    async fn attempt(&self, request: &Request, url: &Url, token: &CachedToken) -> Attempt {
        let http = if crate::runtime::on_caller_runtime() {
            match self
                .inner
                .thread_http
                .get_or_try(|| api_http_client(&self.inner.config))
            {
                Ok(http) => http,
                Err(error) => {
                    return Attempt::Failed {
                        error,
                        not_sent: false,
                    }
                }
            }
        } else {
            &self.inner.http
        };
        let sent = http
            .request(request.method.clone(), url.clone())
            .headers(request.headers.clone())
            .header(AUTHORIZATION, token.bearer.clone())
            .body(request.body.clone())
            .timeout(request.timeout.unwrap_or(self.inner.config.request_timeout))
            .send()
            .await;
        match sent {
            Err(e) => {
                let not_sent = e.is_connect();
                Attempt::Failed {
                    error: from_transport(e, &format!("{} request", request.method), url),
                    not_sent,
                }
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let final_url = resp.url().clone();
                match resp.bytes().await {
                    Ok(body) => Attempt::Answered {
                        status,
                        headers,
                        body,
                        url: final_url,
                    },
                    Err(e) => Attempt::Failed {
                        error: from_transport(e, &format!("{} request", request.method), url),
                        not_sent: false,
                    },
                }
            }
        }
    }

    fn announce_retry(&self, attempt: u32, delay: std::time::Duration, reason: &str) {
        emit(
            &self.inner.config.events,
            Event::Retry {
                target: RetryTarget::Api,
                attempt,
                delay,
                reason: reason.to_owned(),
            },
        );
    }

    fn status_error(
        &self,
        request: &Request,
        url: &Url,
        status: u16,
        retry_after: Option<std::time::Duration>,
        body: &[u8],
        token: &CachedToken,
    ) -> Error {
        let place = format!("{} {}", request.method, display_url(url));
        let secrets = [
            self.inner.secrets[0].as_str(),
            self.inner.secrets[1].as_str(),
            token.token.expose_secret(),
        ];
        let excerpt = body_excerpt(body, &secrets);
        let (kind, message) = match status {
            401 => (
                ErrorKind::Unauthorized,
                format!("{place} answered 401 Unauthorized, also after a fresh token exchange and one replay"),
            ),
            403 => (
                ErrorKind::Forbidden,
                format!("{place} answered 403 Forbidden: the API token's user lacks the permission for this"),
            ),
            429 => (
                ErrorKind::RateLimited,
                match retry_after {
                    Some(d) => format!("{place} answered 429 Too Many Requests; retry after {} s", d.as_secs()),
                    None => format!("{place} answered 429 Too Many Requests"),
                },
            ),
            300..=399 => (
                ErrorKind::Redirect,
                format!("{place} redirected to another origin; not followed, so that no credential leaves the configured host"),
            ),
            _ => (ErrorKind::Http, format!("{place} answered HTTP {status}")),
        };
        Error::new(kind, message)
            .with_status(status)
            .with_retry_after(retry_after)
            .with_body(excerpt)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("origin", &self.inner.config.origin)
            .field("api_token", &self.inner.config.api_token)
            .field(
                "access_token",
                &self.inner.tokens.peek().map(|t| t.token.fingerprint()),
            )
            .finish()
    }
}

/// The HTTP client for API requests: redirects are followed only within the configured origin.
fn api_http_client(config: &Config) -> Result<reqwest::Client, Error> {
    let origin = config.origin.clone();
    let same_origin_only = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("more than 5 redirects")
        } else if origin.same_origin(attempt.url()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    http_client(config, same_origin_only)
}

fn http_client(
    config: &Config,
    redirect: reqwest::redirect::Policy,
) -> Result<reqwest::Client, Error> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .user_agent(config.user_agent.clone())
        .redirect(redirect)
        .tcp_nodelay(true)
        .referer(false);
    if !config.origin.is_https() {
        // http:// is only ever allowed for loopback (checked when the origin was parsed).
        b = b.no_proxy();
    } else {
        b = b.https_only(true);
    }
    for pem in &config.extra_ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("the extra CA certificate is not valid PEM: {e}"),
            )
        })?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    if let Some(p) = &config.proxy {
        let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("the proxy URL is not valid: {e}"),
            )
        })?;
        b = b.proxy(proxy);
    }
    b.build().map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("the HTTP client cannot be built: {e}"),
        )
    })
}
