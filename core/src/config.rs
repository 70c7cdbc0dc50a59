//! Client configuration: the builder and the validated settings it produces.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::backoff::RetryPolicy;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind};
use crate::events::{Event, EventHandler};
use crate::origin::Origin;
use crate::secret::ApiToken;
use crate::{Client, ENV_API_TOKEN, ENV_HOST};

/// When a token counts as due for refresh and as too close to expiry to use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RefreshPolicy {
    /// Refresh in the background past this fraction of the lifetime (`None`: only on expiry).
    pub refresh_ahead: Option<f64>,
    /// ± spread of the refresh point, as a fraction of the lifetime.
    pub jitter: f64,
    /// The hard margin is `min(max_margin, margin_fraction × lifetime)`.
    pub max_margin: Duration,
    /// See `max_margin`.
    pub margin_fraction: f64,
    /// After a failed background refresh, wait this long before the next one.
    pub failed_refresh_backoff: Duration,
    /// How long a rejected API token is remembered (no exchange in that time).
    pub invalid_credentials_ttl: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            refresh_ahead: Some(0.75),
            jitter: 0.05,
            max_margin: Duration::from_secs(60),
            margin_fraction: 0.10,
            failed_refresh_backoff: Duration::from_secs(30),
            invalid_credentials_ttl: Duration::from_secs(5),
        }
    }
}

/// Everything a [`Client`] needs, validated.
#[derive(Clone)]
pub(crate) struct Config {
    pub origin: Origin,
    pub api_token: ApiToken,
    pub connect_timeout: Duration,
    pub token_timeout: Duration,
    pub request_timeout: Duration,
    pub proxy: Option<String>,
    pub extra_ca_pem: Vec<Vec<u8>>,
    pub user_agent: String,
    pub api_retry: RetryPolicy,
    pub token_retry: RetryPolicy,
    pub refresh: RefreshPolicy,
    pub clock: Arc<dyn Clock>,
    pub events: Option<EventHandler>,
    /// Where token exchanges run: the blocking client's shared runtime, or (async client) the
    /// runtime of whoever triggers them.
    pub spawner: Option<tokio::runtime::Handle>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("origin", &self.origin)
            .field("api_token", &self.api_token)
            .field("connect_timeout", &self.connect_timeout)
            .field("token_timeout", &self.token_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .field("extra_ca_certificates", &self.extra_ca_pem.len())
            .field("user_agent", &self.user_agent)
            .field("api_retry", &self.api_retry)
            .field("token_retry", &self.token_retry)
            .field("refresh", &self.refresh)
            .finish()
    }
}

/// Builds a [`Client`]. Every setting has a safe default; only the host and API token are
/// required (and [`ClientBuilder::from_env`] reads those from `LEANIX_HOST` / `LEANIX_API_TOKEN`).
///
/// ```
/// use std::time::Duration;
/// let client = leanix::Client::builder()
///     .host("https://acme.leanix.net/MyWorkspace")
///     .api_token("secret")
///     .request_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert_eq!(client.origin().as_str(), "https://acme.leanix.net");
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    host: Option<String>,
    api_token: Option<ApiToken>,
    allow_insecure_loopback: bool,
    connect_timeout: Duration,
    token_timeout: Duration,
    request_timeout: Duration,
    proxy: Option<String>,
    extra_ca_pem: Vec<Vec<u8>>,
    user_agent: String,
    api_retry: RetryPolicy,
    token_retry: RetryPolicy,
    refresh: RefreshPolicy,
    clock: Arc<dyn Clock>,
    events: Option<EventHandler>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("host", &self.host)
            .field("api_token", &self.api_token)
            .field("allow_insecure_loopback", &self.allow_insecure_loopback)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            host: None,
            api_token: None,
            allow_insecure_loopback: false,
            connect_timeout: Duration::from_secs(5),
            token_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            proxy: None,
            extra_ca_pem: Vec::new(),
            user_agent: format!("leanix-rs/{}", crate::VERSION),
            api_retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(5),
                max_retry_after: Duration::from_secs(60),
            },
            token_retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(5),
                max_retry_after: Duration::from_secs(10),
            },
            refresh: RefreshPolicy::default(),
            clock: Arc::new(SystemClock),
            events: None,
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults and no host or token.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with host and API token from `LEANIX_HOST` and `LEANIX_API_TOKEN`, if set.
    pub fn from_env() -> Self {
        let mut b = Self::default();
        if let Ok(h) = std::env::var(ENV_HOST) {
            b.host = Some(h);
        }
        if let Ok(t) = std::env::var(ENV_API_TOKEN) {
            b.api_token = Some(ApiToken::new(t));
        }
        b
    }

    /// The LeanIX host: `acme.leanix.net`, `https://acme.leanix.net` or a workspace URL.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// The API token of a technical user.
    pub fn api_token(mut self, token: impl Into<ApiToken>) -> Self {
        self.api_token = Some(token.into());
        self
    }

    /// Allows `http://` to loopback hosts (tests and the sandbox). Off by default; `http://` to
    /// any other host is refused regardless.
    pub fn allow_insecure_loopback(mut self, allow: bool) -> Self {
        self.allow_insecure_loopback = allow;
        self
    }

    /// TCP/TLS connect timeout (default 5 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Timeout of one token-exchange attempt (default 10 s).
    pub fn token_timeout(mut self, t: Duration) -> Self {
        self.token_timeout = t;
        self
    }

    /// Timeout of one API request attempt, body included (default 60 s).
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }

    /// A proxy URL (`http://proxy:3128`) for every request. Without it, `HTTPS_PROXY`,
    /// `HTTP_PROXY` and `NO_PROXY` from the environment apply.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Trusts the CA certificate(s) of this PEM text in addition to the built-in roots (for
    /// TLS-inspecting corporate proxies). May be called several times.
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_ca_pem.push(pem.into());
        self
    }

    /// The `User-Agent` header (default `leanix-rs/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Attempts per API request, the first included (default 3; 1 disables retries).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.api_retry.max_attempts = n;
        self
    }

    /// Attempts per token exchange, the first included (default 3).
    pub fn token_attempts(mut self, n: u32) -> Self {
        self.token_retry.max_attempts = n;
        self
    }

    /// Base of the full-jitter backoff between attempts (default 200 ms).
    pub fn retry_base_delay(mut self, d: Duration) -> Self {
        self.api_retry.base_delay = d;
        self.token_retry.base_delay = d;
        self
    }

    /// Longest backoff between attempts (default 5 s).
    pub fn retry_max_delay(mut self, d: Duration) -> Self {
        self.api_retry.max_delay = d;
        self.token_retry.max_delay = d;
        self
    }

    /// Longest `Retry-After` an API request waits for (default 60 s); a longer one is returned
    /// at once, with [`Error::retry_after`] set: [`ErrorKind::RateLimited`] for a 429,
    /// [`ErrorKind::Http`] for a 502/503/504.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.api_retry.max_retry_after = d;
        self
    }

    /// Refresh in the background once this fraction of the token's lifetime has passed
    /// (default 0.75, jittered by ±0.05). Must be in `(0, 1]`.
    pub fn refresh_ahead(mut self, fraction: f64) -> Self {
        self.refresh.refresh_ahead = Some(fraction);
        self
    }

    /// Spread of the refresh point as a fraction of the lifetime (default 0.05).
    pub fn refresh_jitter(mut self, fraction: f64) -> Self {
        self.refresh.jitter = fraction;
        self
    }

    /// Disables refresh ahead: a new token is fetched only when the current one reaches its
    /// hard margin, and requests wait for it. For comparisons; not recommended.
    pub fn refresh_on_expiry_only(mut self) -> Self {
        self.refresh.refresh_ahead = None;
        self
    }

    /// How long a failed background refresh waits before the next try (default 30 s).
    pub fn failed_refresh_backoff(mut self, d: Duration) -> Self {
        self.refresh.failed_refresh_backoff = d;
        self
    }

    /// How long a rejected API token is remembered before trying again (default 5 s).
    pub fn invalid_credentials_ttl(mut self, d: Duration) -> Self {
        self.refresh.invalid_credentials_ttl = d;
        self
    }

    /// Largest hard margin before expiry (default 60 s; the margin is the smaller of this and
    /// 10 % of the lifetime).
    pub fn expiry_margin(mut self, d: Duration) -> Self {
        self.refresh.max_margin = d;
        self
    }

    /// The clock (default: the system clock). Tests inject a [`crate::ManualClock`].
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// A callback for [`Event`]s (token fetched, refresh failed, retries).
    pub fn on_event(mut self, f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.events = Some(EventHandler::new(f));
        self
    }

    /// Validates the settings and builds the client. Errors are [`ErrorKind::Config`] and say
    /// which setting is wrong.
    pub fn build(self) -> Result<Client, Error> {
        Client::from_config(self.into_config()?)
    }

    pub(crate) fn into_config(self) -> Result<Config, Error> {
        let host = self.host.ok_or_else(|| {
            config(format!(
                "no LeanIX host configured: pass one or set {ENV_HOST} (e.g. acme.leanix.net)"
            ))
        })?;
        let origin = Origin::parse(&host, self.allow_insecure_loopback)?;
        let api_token = self.api_token.ok_or_else(|| {
            config(format!(
                "no LeanIX API token configured: pass one or set {ENV_API_TOKEN}"
            ))
        })?;
        let raw = api_token.expose_secret();
        if raw.trim().is_empty() {
            return Err(config("the LeanIX API token is empty"));
        }
        if raw.chars().any(|c| c.is_control()) {
            return Err(config(
                "the LeanIX API token contains control characters (a stray newline?)",
            ));
        }
        for (name, d) in [
            ("connect timeout", self.connect_timeout),
            ("token timeout", self.token_timeout),
            ("request timeout", self.request_timeout),
        ] {
            if d.is_zero() {
                return Err(config(format!("the {name} must be greater than zero")));
            }
        }
        for (name, p) in [("API", &self.api_retry), ("token", &self.token_retry)] {
            if p.max_attempts == 0 || p.max_attempts > 10 {
                return Err(config(format!(
                    "{name} attempts must be between 1 and 10, not {}",
                    p.max_attempts
                )));
            }
        }
        if let Some(f) = self.refresh.refresh_ahead {
            if !(f > 0.0 && f <= 1.0) {
                return Err(config(format!(
                    "refresh-ahead fraction must be in (0, 1], not {f}"
                )));
            }
        }
        if !(0.0..0.5).contains(&self.refresh.jitter) {
            return Err(config("refresh jitter must be in [0, 0.5)"));
        }
        if let Some(p) = &self.proxy {
            reqwest::Proxy::all(p.as_str())
                .map_err(|e| config(format!("the proxy URL is not valid: {e}")))?;
        }
        for pem in &self.extra_ca_pem {
            reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|certs| !certs.is_empty())
                .ok_or_else(|| config("the extra CA certificate is not valid PEM"))?;
        }
        if self.user_agent.chars().any(|c| c.is_control()) {
            return Err(config("the user agent contains control characters"));
        }
        Ok(Config {
            origin,
            api_token,
            connect_timeout: self.connect_timeout,
            token_timeout: self.token_timeout,
            request_timeout: self.request_timeout,
            proxy: self.proxy,
            extra_ca_pem: self.extra_ca_pem,
            user_agent: self.user_agent,
            api_retry: self.api_retry,
            token_retry: self.token_retry,
            refresh: self.refresh,
            clock: self.clock,
            events: self.events,
            spawner: None,
        })
    }
}

fn config(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message)
}
