//! The asynchronous client: authenticated requests with token refresh, replay and retries.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::AUTHORIZATION;
use thread_local::ThreadLocal;
use url::Url;

use crate::body::read_answer;
use crate::claims::Claims;
use crate::config::{config as config_error, Built, ClientBuilder, Config};
use crate::error::{body_excerpt, display_url, from_transport, server_words, Error, ErrorKind};
use crate::events::{emit, Event, RetryTarget};
use crate::exchange::Exchanger;
use crate::origin::Origin;
use crate::policy::{self, retry_after_of};
use crate::rate::RateBudget;
use crate::request::{Request, Response};
use crate::routing::Decision;
use crate::secret::{AccessToken, Redactor};
use crate::token_cache::TokenStore;
use crate::token_manager::{CachedToken, Reauth, TokenManager, TokenParts};

/// A LeanIX client. Cheap to clone: clones share the token cache and the settings. Create one
/// per host and API token and share it between tasks and threads.
///
/// Connection pools: calls driven by a tokio runtime (the async API, and blocking calls made
/// from inside a runtime) share one pool; a blocking call made on a plain thread drives its
/// request on that thread with a pool of that thread's own (see [`crate::blocking`]).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    origin: Origin,
    config: Config,
    /// The connection pool of requests driven by the shared (or the caller's own) runtime.
    http: reqwest::Client,
    /// One pool per calling thread, for blocking calls driven on that thread's own runtime
    /// (connections belong to the runtime that opened them).
    thread_http: ThreadLocal<reqwest::Client>,
    tokens: TokenManager,
    redactor: Arc<Redactor>,
    budget: Arc<RateBudget>,
    /// The routing decision for the current token generation.
    route: std::sync::Mutex<Route>,
}

/// Where the calls of one token generation go.
struct Route {
    /// The token generation decided for (`None`: none yet).
    generation: Option<u64>,
    /// The routed origin (`None`: the configured one).
    origin: Option<Origin>,
}

/// Why one attempt did not produce a success. Lives on the stack for one attempt only, so the
/// size difference of the variants is moot.
#[allow(clippy::large_enum_variant)]
enum Failure {
    /// The server answered with a non-2xx status.
    Answered(Response),
    /// No (usable) answer: a transport error, with whether the request surely never left.
    Transport { error: Error, not_sent: bool },
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

    /// A client from validated parts; token exchanges run on `spawner` (the blocking client's
    /// shared runtime) or, without one, on the runtime of whoever triggers them.
    pub(crate) fn from_built(
        built: Built,
        spawner: Option<tokio::runtime::Handle>,
    ) -> Result<Client, Error> {
        let Built {
            origin,
            redactor,
            config,
        } = built;
        let token_url = origin.join(crate::TOKEN_PATH)?;
        let token_http = http_client(&origin, &config, reqwest::redirect::Policy::none())?;
        let http = api_http_client(&origin, &config)?;
        let budget = Arc::new(RateBudget::new(
            Arc::clone(&config.clock),
            config.events.clone(),
            config.adaptive_pacing,
            config.max_requests_per_minute,
        ));
        let exchanger = Exchanger::new(
            token_http,
            token_url,
            Arc::clone(&redactor),
            Arc::clone(&budget),
            &config,
        )?;
        let store = config.token_cache.as_ref().and_then(|location| {
            TokenStore::new(
                location,
                &origin,
                redactor.api_token(),
                config.events.clone(),
            )
        });
        let tokens = TokenManager::new(TokenParts {
            exchanger,
            spawner,
            policy: config.refresh,
            clock: Arc::clone(&config.clock),
            events: config.events.clone(),
            store,
        });
        Ok(Client {
            inner: Arc::new(Inner {
                origin,
                config,
                http,
                thread_http: ThreadLocal::new(),
                tokens,
                redactor,
                budget,
                route: std::sync::Mutex::new(Route {
                    generation: None,
                    origin: None,
                }),
            }),
        })
    }

    /// The origin API calls with `token` go to (`None`: the configured one), deciding, and
    /// announcing the decision, once per token generation.
    fn routed(&self, token: &CachedToken) -> Option<Origin> {
        {
            let route = self.inner.route.lock().unwrap_or_else(|p| p.into_inner());
            if route.generation == Some(token.generation) {
                return route.origin.clone();
            }
        }
        let claims = token.token.claims();
        let instance_url = claims.as_ref().and_then(|c| c.instance_url.as_deref());
        let decision = self
            .inner
            .config
            .routing
            .decide(&self.inner.origin, instance_url);
        let (origin, event) = match decision {
            Decision::Configured => (None, None),
            Decision::Routed(o) => {
                let event = Event::InstanceRouted {
                    origin: o.as_str().to_owned(),
                };
                (Some(o), Some(event))
            }
            Decision::Refused(reason) => {
                let instance_url: String =
                    instance_url.unwrap_or_default().chars().take(200).collect();
                (
                    None,
                    Some(Event::InstanceRefused {
                        instance_url,
                        reason,
                    }),
                )
            }
        };
        // Only the call that records this generation's decision announces it: a routed origin
        // when it changes, a refusal once per token. Outside the lock.
        let (newer, changed) = {
            let mut route = self.inner.route.lock().unwrap_or_else(|p| p.into_inner());
            let newer = route.generation.is_none_or(|g| g < token.generation);
            let changed = newer && (route.origin != origin || route.generation.is_none());
            if newer {
                route.generation = Some(token.generation);
                route.origin = origin.clone();
            }
            (newer, changed)
        };
        if let Some(event) = event {
            let refused = matches!(event, Event::InstanceRefused { .. });
            if changed || (newer && refused) {
                emit(&self.inner.config.events, event);
            }
        }
        origin
    }

    /// A full URL on the origin calls are routed to now, as the same path on the configured
    /// origin (the call routes it again); `None` for anything else.
    fn on_routed_origin(&self, path: &str) -> Option<Url> {
        if !path.contains("://") {
            return None;
        }
        let routed = {
            let route = self.inner.route.lock().unwrap_or_else(|p| p.into_inner());
            route.origin.clone()?
        };
        let url = routed.join(path).ok()?;
        self.inner
            .origin
            .join(&url[url::Position::BeforePath..])
            .ok()
    }

    /// The origin API calls go to now: the one the current access token's `instanceUrl` names
    /// when the routing rule follows it, else the configured one. Exchanges a token if there
    /// is none yet.
    pub async fn api_origin(&self) -> Result<Origin, Error> {
        let token = self.inner.tokens.token().await?;
        Ok(self.origin_for(&token))
    }

    /// The origin API calls with `token` go to (the routed one, else the configured one).
    pub(crate) fn origin_for(&self, token: &CachedToken) -> Origin {
        self.routed(token)
            .unwrap_or_else(|| self.inner.origin.clone())
    }

    /// A current token for a call that ends at `deadline` (see `TokenManager::token_until`).
    pub(crate) async fn token_until(&self, deadline: Instant) -> Result<Arc<CachedToken>, Error> {
        self.inner.tokens.token_until(Some(deadline)).await
    }

    /// The normalised LeanIX origin this client talks to.
    pub fn origin(&self) -> &Origin {
        &self.inner.origin
    }

    /// The clock of this client.
    pub(crate) fn clock(&self) -> &Arc<dyn crate::clock::Clock> {
        &self.inner.config.clock
    }

    /// The most pages a paging walk of this client fetches.
    pub(crate) fn max_pages(&self) -> usize {
        self.inner.config.max_pages
    }

    /// The deadline of one call without a timeout of its own.
    pub(crate) fn request_timeout(&self) -> Duration {
        self.inner.config.request_timeout
    }

    /// A current access token (from the cache, or exchanged now), e.g. for a tool of your own.
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        Ok(self.inner.tokens.token().await?.token.clone())
    }

    /// The token file this client shares its access token through
    /// ([`ClientBuilder::token_cache`]), or `None` when it keeps the token to itself.
    pub fn token_cache_file(&self) -> Option<&std::path::Path> {
        self.inner.tokens.cache_file()
    }

    /// Forgets the access token: drops it from memory and removes the token file, if this
    /// client has one (true if a file was removed). The next call exchanges the API token.
    pub async fn forget_token(&self) -> Result<bool, Error> {
        self.inner.tokens.forget().await
    }

    /// Waits, at most `within`, for a token refresh in flight (the background refresh a call
    /// started when the token passed its refresh point) to end. For short-lived processes
    /// sharing a token file (a CLI run): the one that started the refresh stores the new token
    /// for the next, instead of dropping the refresh at exit. Returns at once when none is in
    /// flight.
    pub async fn settle_refresh(&self, within: std::time::Duration) {
        let _ = tokio::time::timeout(within, self.inner.tokens.settle()).await;
    }

    /// The decoded claims of a current access token (`None` if LeanIX sent an opaque token).
    pub async fn claims(&self) -> Result<Option<Claims>, Error> {
        Ok(self.inner.tokens.token().await?.token.claims())
    }

    /// `GET` a path on the LeanIX host.
    pub async fn get(&self, path: &str) -> Result<Response, Error> {
        self.send(Request::get(path)).await
    }

    /// Sends a request with a valid bearer token and returns the 2xx response.
    ///
    /// The path goes to the configured host, or to the instance the token's `instanceUrl` names
    /// when the routing rule follows it ([`ClientBuilder::route_by_instance_url`]); a full URL
    /// is accepted on the configured host, and on the routed instance once calls go there.
    ///
    /// - 401: the token is dropped (if still current), a new one fetched, and the request
    ///   replayed once; a second 401 is [`ErrorKind::Unauthorized`].
    /// - Transient answers ([`policy::is_transient_status`]) and connection errors: retried
    ///   (idempotent methods and requests marked [`Request::retry_safe`]; any request that
    ///   surely never left, or was answered 429: [`policy::is_refused_unrun`]) after
    ///   full-jitter backoff or the server's `Retry-After`
    ///   (one rule, in [`policy`]); a `Retry-After` above the limit, or one that would
    ///   pass the call's deadline, returns the error at once with [`Error::retry_after`] set.
    ///   A 429, or a 503 with `Retry-After` (API or token endpoint), pauses every call of the
    ///   client until the retry time, also when this call gives up: the others wait if their
    ///   deadline allows, else fail at once with [`ErrorKind::RateLimited`] and
    ///   [`Error::retry_after`] without sending anything.
    /// - Any other status ≥ 300 is an error of the matching kind that keeps the response
    ///   ([`Error::response`]).
    /// - The whole call, token exchange and waits included, ends at its deadline
    ///   ([`Request::timeout`], default the client's request timeout) with
    ///   [`ErrorKind::Timeout`], and as soon as its [`Request::cancel_on`] handle fires with
    ///   [`ErrorKind::Cancelled`].
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        request.check()?;
        let url = match self.inner.origin.join(&request.path) {
            Ok(url) => url,
            Err(e) => self.on_routed_origin(&request.path).ok_or(e)?,
        };
        let budget = request.timeout.unwrap_or(self.inner.config.request_timeout);
        let deadline = self.inner.config.clock.now() + budget;
        crate::call_limits::within(
            budget,
            request.cancel.as_ref(),
            self.call(&request, &url, deadline),
            || {
                Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{} {} timed out: the call's deadline of {} ms passed (token exchange, attempts and waits included)",
                        request.method,
                        display_url(&url),
                        budget.as_millis()
                    ),
                )
            },
            || cancelled(&request, &url),
        )
        .await
    }

    /// The attempts of one call.
    async fn call(
        &self,
        request: &Request,
        url: &Url,
        deadline: Instant,
    ) -> Result<Response, Error> {
        let retryable = request.is_retryable();
        let policy = self.inner.config.api_retry;
        let clock = &self.inner.config.clock;
        let budget = &self.inner.budget;
        let mut attempt = 0u32;
        let mut replayed_after_401 = false;
        let configured_url = url;
        let mut routed_url;
        loop {
            // A pause (after a 429 of the API or the token endpoint) holds the token request
            // too: no exchange goes out while the client is paused.
            if let Err(refused) = budget.wait_pause(deadline).await {
                return Err(paused_error(request, configured_url, refused.wait));
            }
            let token = self.inner.tokens.token_until(Some(deadline)).await?;
            let url = match self.routed(&token) {
                None => configured_url,
                Some(origin) => {
                    routed_url = origin.join(&configured_url[url::Position::BeforePath..])?;
                    &routed_url
                }
            };
            if let Err(refused) = budget.admit(deadline).await {
                return Err(paused_error(request, url, refused.wait));
            }
            attempt += 1;
            let (error, transient, may_resend, retry_after) =
                match self.attempt(request, url, &token).await {
                    Ok(response) => {
                        budget.succeeded();
                        return Ok(response);
                    }
                    // A 401 drops the token and replays once, unless a 401 exchanged a token
                    // moments ago (then this 401 is final: the arm below).
                    Err(Failure::Answered(response))
                        if response.status == 401
                            && !replayed_after_401
                            && self.inner.tokens.reauthorize(
                                token.generation,
                                self.inner.config.reauth_interval,
                            ) == Reauth::Replay =>
                    {
                        replayed_after_401 = true;
                        attempt -= 1;
                        continue;
                    }
                    Err(Failure::Answered(response)) => {
                        let retry_after = retry_after_of(&response.headers, clock.wall());
                        let transient = policy::is_transient_status(response.status);
                        // A 429 refused the request without running it: any method may go again.
                        let may_resend = retryable || policy::is_refused_unrun(response.status);
                        let error = self.status_error(
                            request,
                            response,
                            retry_after,
                            &token,
                            replayed_after_401,
                        );
                        (error, transient, may_resend, retry_after)
                    }
                    Err(Failure::Transport { error, not_sent }) => {
                        let transient = policy::is_transient_kind(error.kind()) || not_sent;
                        (error, transient, retryable || not_sent, None)
                    }
                };
            if transient {
                budget.failed();
            }
            // The one wait rule; `None`: the server asks for longer than the client waits.
            let delay = if transient {
                policy.delay(attempt, retry_after)
            } else {
                None
            };
            let throttled = error.status() == Some(429);
            if transient && (throttled || retry_after.is_some()) {
                // Every call of this client holds back until the retry time, not only this
                // one, and also when this call gives up (a retry time beyond
                // `max_retry_after`, its last attempt, its deadline): the server's retry time
                // if it sent a believable one (raised to the backoff floor), else the backoff.
                let pause = match retry_after {
                    Some(wait) => Some(wait.max(policy.base_delay)),
                    None => delay,
                };
                if let Some(pause) = pause {
                    budget.throttled(pause, throttled);
                }
            }
            let Some(delay) = delay else {
                return Err(error);
            };
            if !(may_resend && attempt < policy.max_attempts && budget.may_retry()) {
                return Err(error);
            }
            if clock.now() + delay > deadline {
                return Err(error);
            }
            let reason = match error.status() {
                Some(status) => status.to_string(),
                None => error.kind().as_str().to_owned(),
            };
            self.announce_retry(attempt, delay, reason);
            clock.sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
        token: &CachedToken,
    ) -> Result<Response, Failure> {
        let http = if crate::runtime::on_caller_runtime() {
            let config = &self.inner.config;
            self.inner
                .thread_http
                .get_or_try(|| api_http_client(&self.inner.origin, config))
                .map_err(|error| Failure::Transport {
                    error,
                    not_sent: false,
                })?
        } else {
            &self.inner.http
        };
        let what = format!("{} request", request.method);
        let sent = http
            .request(request.method.clone(), url.clone())
            .headers(request.headers.clone())
            .header(AUTHORIZATION, token.bearer.clone())
            .body(request.body.clone())
            .send()
            .await
            .map_err(|e| Failure::Transport {
                not_sent: e.is_connect(),
                error: from_transport(e, &what, url),
            })?;
        let status = sent.status().as_u16();
        let headers = sent.headers().clone();
        let final_url = sent.url().clone();
        let (body, cut) = read_answer(sent, self.inner.config.max_response_bytes, &what)
            .await
            .map_err(|error| Failure::Transport {
                error,
                not_sent: false,
            })?;
        let mut response = Response::new(status, headers, body, final_url);
        response.cut = cut;
        if response.is_success() {
            Ok(response)
        } else {
            Err(Failure::Answered(response))
        }
    }

    fn announce_retry(&self, attempt: u32, delay: Duration, reason: String) {
        emit(
            &self.inner.config.events,
            Event::Retry {
                target: RetryTarget::Api,
                attempt,
                delay,
                reason,
            },
        );
    }

    /// The error for a non-2xx answer: its kind, a one-line message with the server's words,
    /// and the response itself. `replayed`: the request was replayed after a 401 (else a 401
    /// is final because one exchange per `reauth_interval` had been spent already).
    fn status_error(
        &self,
        request: &Request,
        response: Response,
        retry_after: Option<Duration>,
        token: &CachedToken,
        replayed: bool,
    ) -> Error {
        let status = response.status;
        let place = format!("{} {}", request.method, display_url(&response.url));
        let access = [token.token.expose_secret()];
        let words = server_words(response.body(), &self.inner.redactor, &access)
            .map(|w| format!(": {w}"))
            .unwrap_or_default();
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        let (kind, message) = match status {
            401 if replayed => (
                ErrorKind::Unauthorized,
                format!("{place} answered HTTP 401 Unauthorized, also after a fresh token exchange and one replay{words}"),
            ),
            401 => (
                ErrorKind::Unauthorized,
                format!(
                    "{place} answered HTTP 401 Unauthorized; the token was not exchanged again, as a 401 caused an exchange less than {} s ago (reauth_interval){words}",
                    self.inner.config.reauth_interval.as_secs_f64()
                ),
            ),
            403 => (
                ErrorKind::Forbidden,
                format!("{place} answered HTTP 403 Forbidden: the API token's user lacks the permission for this{words}"),
            ),
            429 => (
                ErrorKind::RateLimited,
                match retry_after {
                    Some(d) => format!("{place} answered HTTP 429 Too Many Requests; retry after {} s{words}", d.as_secs()),
                    None => format!("{place} answered HTTP 429 Too Many Requests{words}"),
                },
            ),
            300..=399 => (
                ErrorKind::Redirect,
                format!("{place} redirected to another origin; not followed, so that no credential leaves the configured host"),
            ),
            _ => (ErrorKind::Http, format!("{place} answered HTTP {status}{reason}{words}")),
        };
        let message = if response.cut {
            format!(
                "{message} (its body is longer than max_response_bytes, {} bytes; the error keeps that much)",
                response.body().len()
            )
        } else {
            message
        };
        let excerpt = body_excerpt(response.body(), &self.inner.redactor, &access);
        let reason = (status == 429)
            .then(|| crate::error::reason_code(response.body()))
            .flatten();
        Error::new(kind, message)
            .with_reason(reason)
            .with_status(status)
            .with_retry_after(retry_after)
            .with_body(excerpt)
            .with_response(response)
    }
}

/// The error of a call that the client's pause (after a 429, or a 503 with `Retry-After`) or
/// pacing would hold past its deadline.
fn paused_error(request: &Request, url: &Url, wait: Duration) -> Error {
    Error::new(
        ErrorKind::RateLimited,
        format!(
            "{} {} was not sent: the client is holding requests for {} ms more, as the server's rate limit or Retry-After asked, past the call's deadline",
            request.method,
            display_url(url),
            wait.as_millis()
        ),
    )
    .with_retry_after(Some(wait))
}

fn cancelled(request: &Request, url: &Url) -> Error {
    Error::new(
        ErrorKind::Cancelled,
        format!("{} {} was cancelled", request.method, display_url(url)),
    )
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("origin", &self.inner.origin)
            .field(
                "access_token",
                &self.inner.tokens.peek().map(|t| t.token.fingerprint()),
            )
            .field("config", &self.inner.config)
            .finish()
    }
}

/// The HTTP client for API requests: redirects are followed only within the origin of the
/// request (the configured one, or the one routed to by `instanceUrl`).
fn api_http_client(origin: &Origin, config: &Config) -> Result<reqwest::Client, Error> {
    let same_origin_only = reqwest::redirect::Policy::custom(move |attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if attempt.previous().len() >= policy::MAX_REDIRECTS {
            attempt.error(format!("more than {} redirects", policy::MAX_REDIRECTS))
        } else if first.is_some_and(|o| o == attempt.url().origin()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    http_client(origin, config, same_origin_only)
}

fn http_client(
    origin: &Origin,
    config: &Config,
    redirect: reqwest::redirect::Policy,
) -> Result<reqwest::Client, Error> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .user_agent(config.user_agent.clone())
        .redirect(redirect)
        .tcp_nodelay(true)
        .referer(false);
    if origin.is_https() {
        b = b.https_only(true);
        if let Some(p) = &config.proxy {
            b = b.proxy(p.proxy.clone());
        }
    } else {
        // http:// is only ever allowed for loopback (checked when the origin was parsed), and
        // never through a proxy (refused when the client was built).
        b = b.no_proxy();
    }
    if let Some(addrs) = origin.loopback_name_addrs() {
        // `localhost` and `*.localhost` are loopback by definition (RFC 6761 §6.3): resolve
        // them ourselves, as curl does, so that no resolver can send them elsewhere.
        b = b.resolve_to_addrs(origin.host(), &addrs);
    }
    for root in &config.extra_roots {
        b = b.add_root_certificate(root.clone());
    }
    b.build()
        .map_err(|e| config_error(format!("the HTTP client cannot be built: {e}")))
}
