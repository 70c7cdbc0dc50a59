//! Client configuration: the builder, and the validated settings a client keeps.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind};
use crate::events::{Event, EventHandler};
use crate::origin::Origin;
use crate::policy::{self, RetryPolicy};
use crate::routing::{allow_list_host, Rule};
use crate::secret::{ApiToken, Redactor};
use crate::token_cache::CacheLocation;
use crate::{Client, ENV_API_TOKEN, ENV_HOST};

/// When a token counts as due for refresh and as too close to expiry to use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RefreshPolicy {
    /// Refresh in the background past this fraction of the lifetime.
    pub refresh_ahead: f64,
    /// False: no refresh ahead, a new token is fetched only at the hard margin.
    pub ahead: bool,
    /// ± spread of the refresh point, as a fraction of the lifetime.
    pub jitter: f64,
    /// The hard margin is `min(max_margin, policy::EXPIRY_MARGIN_FRACTION × lifetime)`.
    pub max_margin: Duration,
    /// After a failed background refresh, wait this long before the next one.
    pub failed_refresh_backoff: Duration,
    /// How long a rejected API token is remembered (no exchange in that time).
    pub invalid_credentials_ttl: Duration,
}

/// A proxy setting, parsed once when it is given.
#[derive(Clone)]
pub(crate) struct ProxySetting {
    pub proxy: reqwest::Proxy,
}

/// The settings every client keeps, each with its default from [`policy`]. The builder edits
/// one of these; `build()` validates it and hands it to the client whole.
#[derive(Clone)]
pub(crate) struct Config {
    pub connect_timeout: Duration,
    pub token_timeout: Duration,
    pub request_timeout: Duration,
    pub proxy: Option<ProxySetting>,
    /// Extra trusted roots, parsed from PEM when they were added.
    pub extra_roots: Vec<reqwest::Certificate>,
    pub user_agent: String,
    pub api_retry: RetryPolicy,
    pub token_retry: RetryPolicy,
    pub refresh: RefreshPolicy,
    pub max_response_bytes: usize,
    pub max_pages: usize,
    /// Pace requests adaptively after a 429.
    pub adaptive_pacing: bool,
    /// A fixed budget of requests per minute, whatever the server says.
    pub max_requests_per_minute: Option<u32>,
    /// At most one 401-triggered token exchange per this interval.
    pub reauth_interval: Duration,
    pub clock: Arc<dyn Clock>,
    pub events: Option<EventHandler>,
    /// Share tokens with other processes through a file (`None`: off).
    pub token_cache: Option<CacheLocation>,
    /// Routing by the token's `instanceUrl`.
    pub routing: Rule,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            connect_timeout: policy::DEFAULT_CONNECT_TIMEOUT,
            token_timeout: policy::DEFAULT_TOKEN_TIMEOUT,
            request_timeout: policy::DEFAULT_REQUEST_TIMEOUT,
            proxy: None,
            extra_roots: Vec::new(),
            user_agent: format!("leanix-rs/{}", crate::VERSION),
            api_retry: RetryPolicy::defaults(policy::DEFAULT_MAX_ATTEMPTS),
            token_retry: RetryPolicy::defaults(policy::DEFAULT_TOKEN_ATTEMPTS),
            refresh: RefreshPolicy {
                refresh_ahead: policy::DEFAULT_REFRESH_AHEAD,
                ahead: true,
                jitter: policy::DEFAULT_REFRESH_JITTER,
                max_margin: policy::DEFAULT_EXPIRY_MARGIN,
                failed_refresh_backoff: policy::DEFAULT_FAILED_REFRESH_BACKOFF,
                invalid_credentials_ttl: policy::DEFAULT_INVALID_CREDENTIALS_TTL,
            },
            max_response_bytes: policy::DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: policy::DEFAULT_MAX_PAGES,
            adaptive_pacing: policy::DEFAULT_ADAPTIVE_PACING,
            max_requests_per_minute: None,
            reauth_interval: policy::DEFAULT_REAUTH_INTERVAL,
            clock: Arc::new(SystemClock),
            events: None,
            token_cache: None,
            routing: Rule {
                enabled: policy::DEFAULT_ROUTE_BY_INSTANCE_URL,
                allow_list: Vec::new(),
                allow_insecure_loopback: false,
            },
        }
    }
}

impl Config {
    /// Checks the bounds of every setting; the message names the setting.
    fn validate(&self) -> Result<(), Error> {
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
            if !policy::ATTEMPTS_RANGE.contains(&p.max_attempts) {
                return Err(config(format!(
                    "{name} attempts must be between {} and {}, not {}",
                    policy::ATTEMPTS_RANGE.start(),
                    policy::ATTEMPTS_RANGE.end(),
                    p.max_attempts
                )));
            }
        }
        let f = self.refresh.refresh_ahead;
        let (above, max) = (policy::REFRESH_AHEAD_ABOVE, policy::REFRESH_AHEAD_MAX);
        if !(f > above && f <= max) {
            return Err(config(format!(
                "refresh-ahead fraction must be in ({above}, {max}], not {f}"
            )));
        }
        let jitter = policy::REFRESH_JITTER_RANGE;
        if !jitter.contains(&self.refresh.jitter) {
            return Err(config(format!(
                "refresh jitter must be in [{}, {})",
                jitter.start, jitter.end
            )));
        }
        if self.max_response_bytes == 0 {
            return Err(config("the response size limit must be greater than zero"));
        }
        if self.max_requests_per_minute == Some(0) {
            return Err(config(
                "max requests per minute must be greater than zero (leave it unset for no limit)",
            ));
        }
        if self.max_pages == 0 {
            return Err(config("the page limit must be greater than zero"));
        }
        if let Some(CacheLocation::Dir(dir)) = &self.token_cache {
            if dir.as_os_str().is_empty() {
                return Err(config("the token cache directory is empty"));
            }
        }
        if self.user_agent.chars().any(|c| c.is_control()) {
            return Err(config("the user agent contains control characters"));
        }
        Ok(())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("connect_timeout", &self.connect_timeout)
            .field("token_timeout", &self.token_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .field("extra_ca_certificates", &self.extra_roots.len())
            .field("user_agent", &self.user_agent)
            .field("api_retry", &self.api_retry)
            .field("token_retry", &self.token_retry)
            .field("refresh", &self.refresh)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_pages", &self.max_pages)
            .field("adaptive_pacing", &self.adaptive_pacing)
            .field("max_requests_per_minute", &self.max_requests_per_minute)
            .field("reauth_interval", &self.reauth_interval)
            .field("token_cache", &self.token_cache)
            .field("routing", &self.routing)
            .finish()
    }
}

/// What `build()` produces: where to go, with which credential, and how.
pub(crate) struct Built {
    pub origin: Origin,
    pub redactor: Arc<Redactor>,
    pub config: Config,
}

/// Builds a [`Client`]. Every setting has a safe default (the `DEFAULT_*` constants of
/// [`policy`](crate::policy)); only the host and API token are required (and
/// [`ClientBuilder::from_env`] reads those from `LEANIX_HOST` / `LEANIX_API_TOKEN`).
///
/// Setters never fail: a value that cannot be used (an invalid proxy URL or PEM) is remembered
/// and reported by `build()`, like reqwest's builder.
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
#[derive(Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    host: Option<String>,
    api_token: Option<ApiToken>,
    allow_insecure_loopback: bool,
    config: Config,
    /// The first setter value that could not be used.
    error: Option<Error>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("host", &self.host)
            .field("api_token", &self.api_token)
            .field("allow_insecure_loopback", &self.allow_insecure_loopback)
            .field("config", &self.config)
            .finish()
    }
}

/// Writes [`ClientBuilder`] setters that store their argument in the [`Config`] as it is:
/// `name(arg: Type) => field.path;` becomes `pub fn name(self, arg: Type) -> Self`, with the
/// doc comment given.
macro_rules! config_setters {
    ($($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $($field:ident).+;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(self, $arg: $ty) -> Self {
                self.edit(|c| c.$($field).+ = $arg)
            }
        )*
    };
}

impl ClientBuilder {
    /// A builder with the defaults and no host or token.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with host and API token from `LEANIX_HOST` and `LEANIX_API_TOKEN`, if set,
    /// and [`ClientBuilder::insecure_loopback`] from `LEANIX_INSECURE_LOOPBACK` (a value that
    /// is not a flag fails at `build()` with [`ErrorKind::Config`]); setters called later win.
    pub fn from_env() -> Self {
        let mut b = Self::default();
        match env_insecure_loopback() {
            Ok(Some(on)) => b.allow_insecure_loopback = on,
            Ok(None) => {}
            Err(e) => b = b.fail(e),
        }
        if let Ok(h) = std::env::var(ENV_HOST) {
            b.host = Some(h);
        }
        if let Ok(t) = std::env::var(ENV_API_TOKEN) {
            b.api_token = Some(ApiToken::new(t));
        }
        b
    }

    fn edit(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    /// Edits the retry policy of API calls and that of token exchanges alike.
    fn edit_retries(self, f: impl Fn(&mut RetryPolicy)) -> Self {
        self.edit(|c| {
            f(&mut c.api_retry);
            f(&mut c.token_retry);
        })
    }

    fn fail(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
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

    /// Allows plain `http://` to a loopback host (tests and the sandbox). Off by default
    /// (`LEANIX_INSECURE_LOOPBACK=1` turns it on in [`ClientBuilder::from_env`]); `http://` to
    /// any other host is refused regardless. The one name of this opt-in everywhere: the C
    /// key and Python keyword `insecure_loopback`, Java's `insecureLoopback`, `lx
    /// --insecure-loopback` and its config key `insecure_loopback`.
    pub fn insecure_loopback(mut self, allow: bool) -> Self {
        self.allow_insecure_loopback = allow;
        self
    }

    /// The older spelling of [`ClientBuilder::insecure_loopback`], kept working.
    pub fn allow_insecure_loopback(self, allow: bool) -> Self {
        self.insecure_loopback(allow)
    }

    config_setters! {
        /// TCP/TLS connect timeout ([`policy::DEFAULT_CONNECT_TIMEOUT`]).
        connect_timeout(t: Duration) => connect_timeout;

        /// Timeout of one token-exchange attempt ([`policy::DEFAULT_TOKEN_TIMEOUT`]).
        token_timeout(t: Duration) => token_timeout;

        /// Deadline of a whole API call, token exchange, retries and their waits included
        /// ([`policy::DEFAULT_REQUEST_TIMEOUT`]); [`Request::timeout`](crate::Request::timeout)
        /// overrides it for one call.
        request_timeout(t: Duration) => request_timeout;
    }

    /// A proxy URL (`http://proxy:3128` or `https://…`) for every request. Without it,
    /// `HTTPS_PROXY` (else `ALL_PROXY`) and `NO_PROXY` from the environment apply to an
    /// `https://` host, and `build()` refuses an environment proxy of another scheme (such as
    /// `socks5://`) rather than going direct. Refused by `build()` for an `http://` host: the
    /// proxy would see the credentials in clear text.
    pub fn proxy(self, url: impl Into<String>) -> Self {
        match parse_proxy(&url.into()) {
            Ok(proxy) => self.edit(|c| c.proxy = Some(proxy)),
            Err(e) => self.fail(e),
        }
    }

    /// Trusts the CA certificate(s) of this PEM text in addition to the built-in roots (for
    /// TLS-inspecting corporate proxies). May be called several times.
    pub fn add_ca_pem(self, pem: impl AsRef<[u8]>) -> Self {
        match reqwest::Certificate::from_pem_bundle(pem.as_ref()) {
            Ok(certs) if !certs.is_empty() => self.edit(|c| c.extra_roots.extend(certs)),
            _ => self.fail(config("the extra CA certificate is not valid PEM")),
        }
    }

    /// Trusts the CA certificates of a PEM file too, read at once with [`read_ca_file`] (a
    /// regular file only, opened without blocking, at most [`policy::MAX_CA_FILE_BYTES`]); a
    /// file that cannot be read or is not PEM fails `build()` with [`ErrorKind::Config`].
    pub fn ca_file(self, path: impl AsRef<std::path::Path>) -> Self {
        match read_ca_file(path) {
            Ok(pem) => self.add_ca_pem(pem),
            Err(e) => self.fail(e),
        }
    }

    /// The `User-Agent` header (default `leanix-rs/<version>`).
    pub fn user_agent(self, ua: impl Into<String>) -> Self {
        let ua = ua.into();
        self.edit(|c| c.user_agent = ua)
    }

    config_setters! {
        /// Attempts per API call, the first included ([`policy::DEFAULT_MAX_ATTEMPTS`]; 1
        /// disables retries; at most 10).
        max_attempts(n: u32) => api_retry.max_attempts;

        /// Attempts per token exchange, the first included ([`policy::DEFAULT_TOKEN_ATTEMPTS`]).
        token_attempts(n: u32) => token_retry.max_attempts;
    }

    /// Base of the full-jitter backoff between attempts, and the shortest wait a
    /// `Retry-After` is raised to ([`policy::DEFAULT_RETRY_BASE_DELAY`]).
    pub fn retry_base_delay(self, d: Duration) -> Self {
        self.edit_retries(|r| r.base_delay = d)
    }

    /// Longest backoff between attempts ([`policy::DEFAULT_RETRY_MAX_DELAY`]).
    pub fn retry_max_delay(self, d: Duration) -> Self {
        self.edit_retries(|r| r.max_delay = d)
    }

    /// Longest `Retry-After` waited for, by API calls and token exchanges alike
    /// ([`policy::DEFAULT_MAX_RETRY_AFTER`]); a longer one is returned at once, with
    /// [`Error::retry_after`] set: [`ErrorKind::RateLimited`] for a 429, [`ErrorKind::Http`]
    /// otherwise. A longer one (up to [`policy::RETRY_AFTER_BELIEVABLE`]) still pauses the
    /// whole client until then: other calls fail at once with [`ErrorKind::RateLimited`],
    /// unsent, unless their deadline leaves room to wait.
    pub fn max_retry_after(self, d: Duration) -> Self {
        self.edit_retries(|r| r.max_retry_after = d)
    }

    /// Refresh in the background once this fraction of the token's lifetime has passed
    /// ([`policy::DEFAULT_REFRESH_AHEAD`], jittered by [`policy::DEFAULT_REFRESH_JITTER`]).
    /// Must be above [`policy::REFRESH_AHEAD_ABOVE`] and at most [`policy::REFRESH_AHEAD_MAX`].
    /// Turns refresh ahead back on after [`refresh_on_expiry_only`](Self::refresh_on_expiry_only).
    pub fn refresh_ahead(self, fraction: f64) -> Self {
        self.edit(|c| {
            c.refresh.refresh_ahead = fraction;
            c.refresh.ahead = true;
        })
    }

    /// Spread of the refresh point as a fraction of the lifetime
    /// ([`policy::DEFAULT_REFRESH_JITTER`]); must be in [`policy::REFRESH_JITTER_RANGE`].
    pub fn refresh_jitter(self, fraction: f64) -> Self {
        self.edit(|c| c.refresh.jitter = fraction)
    }

    /// Disables refresh ahead: a new token is fetched only when the current one reaches its
    /// hard margin, and requests wait for it. For comparisons; not recommended.
    pub fn refresh_on_expiry_only(self) -> Self {
        self.edit(|c| c.refresh.ahead = false)
    }

    config_setters! {
        /// Turns refresh ahead on or off, keeping the configured fraction.
        refresh_ahead_enabled(enabled: bool) => refresh.ahead;

        /// How long a failed background refresh waits before the next try
        /// ([`policy::DEFAULT_FAILED_REFRESH_BACKOFF`]).
        failed_refresh_backoff(d: Duration) => refresh.failed_refresh_backoff;

        /// How long a rejected API token is remembered before trying again
        /// ([`policy::DEFAULT_INVALID_CREDENTIALS_TTL`]).
        invalid_credentials_ttl(d: Duration) => refresh.invalid_credentials_ttl;

        /// Largest hard margin before expiry ([`policy::DEFAULT_EXPIRY_MARGIN`]; the margin is the
        /// smaller of this and [`policy::EXPIRY_MARGIN_FRACTION`] of the lifetime).
        expiry_margin(d: Duration) => refresh.max_margin;

        /// Largest response body read ([`policy::DEFAULT_MAX_RESPONSE_BYTES`]); a larger one fails
        /// with [`ErrorKind::TooLarge`].
        max_response_bytes(n: usize) => max_response_bytes;

        /// Most pages a paging walk (GraphQL or REST) fetches before failing ([`policy::DEFAULT_MAX_PAGES`]).
        max_pages(n: usize) => max_pages;

        /// Paces requests adaptively after the server throttles them with 429 (default on): the
        /// client measures its sending rate, drops to a fraction of it and recovers gradually, so
        /// that a bulk job settles under the limit. Off: only the client-wide pause after a 429.
        adaptive_pacing(on: bool) => adaptive_pacing;

        /// Never sends more than `n` requests per minute from this client (all threads together),
        /// for a budget shared with other tools (LeanIX allows 1 800 per user). `None`: no fixed
        /// limit (the default).
        max_requests_per_minute(n: Option<u32>) => max_requests_per_minute;

        /// At most one token exchange per this interval is caused by API 401s; within it, a 401 of
        /// a token that fresh is final ([`policy::DEFAULT_REAUTH_INTERVAL`]).
        reauth_interval(d: Duration) => reauth_interval;
    }

    /// Shares the access token with other processes of the same user through a file (off by
    /// default): one file per origin and API token (named by a hash of both), in
    /// `$XDG_RUNTIME_DIR/leanix/` if that directory exists, else `$XDG_CACHE_HOME/leanix/`,
    /// else `~/.cache/leanix/`. A process that needs a token takes a lock beside the file,
    /// reads it again, and exchanges only if it still holds no usable token, so processes
    /// starting together make one exchange. The refresh-ahead and hard-margin rules apply to a
    /// stored token on the wall clock; a file whose issue time lies in the future (the clock
    /// jumped back) or whose lifetime exceeds [`policy::MAX_TOKEN_LIFETIME`] is not trusted.
    ///
    /// The directory is created `0700`, the file `0600`; a directory or file of another user
    /// or with a looser mode, and a corrupt file, are not used
    /// ([`Event::TokenCacheIgnored`]). The file holds a bearer token at rest: anything running
    /// as the same user can read it. [`Client::forget_token`] removes it.
    ///
    /// `true` keeps a directory set before with [`token_cache_dir`](Self::token_cache_dir).
    pub fn token_cache(self, on: bool) -> Self {
        self.edit(|c| {
            c.token_cache = if on {
                c.token_cache.take().or(Some(CacheLocation::Default))
            } else {
                None
            }
        })
    }

    /// Like [`token_cache`](Self::token_cache)`(true)`, with the file in `dir` (created `0700`
    /// if missing; an existing one must be the user's own with mode `0700` or stricter).
    pub fn token_cache_dir(self, dir: impl Into<std::path::PathBuf>) -> Self {
        let dir = dir.into();
        self.edit(|c| c.token_cache = Some(CacheLocation::Dir(dir)))
    }

    /// The clock (default: the system clock). Tests inject a [`crate::ManualClock`].
    pub fn clock(self, clock: impl Clock) -> Self {
        self.edit(|c| c.clock = Arc::new(clock))
    }

    /// Whether API calls go to the origin named by the access token's `instanceUrl` claim when
    /// it differs from the configured host (default [`policy::DEFAULT_ROUTE_BY_INSTANCE_URL`]).
    /// Only `https://` hosts under the configured host's registrable domain, or in the
    /// allow-list ([`allow_instance_host`](Self::allow_instance_host)), are followed; anything
    /// else is ignored with [`Event::InstanceRefused`]. The token endpoint always stays the
    /// configured host.
    pub fn route_by_instance_url(self, on: bool) -> Self {
        self.edit(|c| c.routing.enabled = on)
    }

    /// Allows routing to this host (a host name, or an `https://` origin whose host is taken)
    /// whatever its domain. May be called several times.
    pub fn allow_instance_host(self, host: impl AsRef<str>) -> Self {
        match allow_list_host(host.as_ref()) {
            Ok(h) => self.edit(|c| c.routing.allow_list.push(h)),
            Err(message) => self.fail(config(message)),
        }
    }

    /// A callback for [`Event`]s (token fetched, refresh failed, retries).
    pub fn on_event(self, f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.edit(|c| c.events = Some(EventHandler::new(f)))
    }

    /// Validates the settings and builds the client. Errors are [`ErrorKind::Config`] and say
    /// which setting is wrong.
    pub fn build(self) -> Result<Client, Error> {
        Client::from_built(self.validate()?, None)
    }

    /// Checks everything and returns the parts a client is made of.
    pub(crate) fn validate(self) -> Result<Built, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
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
        self.config.validate()?;
        if self.config.proxy.is_some() && !origin.is_https() {
            return Err(config(format!(
                "refusing a proxy for the http:// host {origin}: the proxy would see the API token and access tokens in clear text"
            )));
        }
        if self.config.proxy.is_none() && origin.is_https() {
            check_environment_proxy(|name| std::env::var(name).ok())?;
        }
        let mut config = self.config;
        config.routing.allow_insecure_loopback = self.allow_insecure_loopback;
        Ok(Built {
            redactor: Arc::new(Redactor::new(&api_token)),
            origin,
            config,
        })
    }
}

/// The environment variables that name a proxy for an `https://` host, in the order the HTTP
/// stack reads them (the first one set wins).
const ENV_HTTPS_PROXIES: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

/// Refuses an environment proxy whose scheme the HTTP stack cannot use: it would skip it
/// silently and connect directly (or speak HTTP to a SOCKS port), so a user who relies on the
/// proxy would never learn why. A value without a scheme means `http://`, as curl reads it.
/// Only the variable's name and the scheme are quoted: the value may carry a password.
fn check_environment_proxy(var: impl Fn(&str) -> Option<String>) -> Result<(), Error> {
    let Some((name, value)) = ENV_HTTPS_PROXIES.iter().find_map(|name| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name, v))
    }) else {
        return Ok(());
    };
    let value = value.trim();
    let Some((scheme, _)) = value.split_once("://") else {
        return Ok(());
    };
    if matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Ok(());
    }
    let scheme: String = scheme
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    Err(config(format!(
        "{name} names a proxy with the scheme {scheme:?}; only http:// and https:// proxies are supported (unset {name}, or set the proxy option)"
    )))
}

/// Parses a proxy URL: `http://` or `https://` only (anything else would be ignored and the
/// connection go direct), no parse error quoted (a proxy URL may carry a password).
fn parse_proxy(url: &str) -> Result<ProxySetting, Error> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| config(format!("the proxy URL is not valid: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(config(format!(
            "the proxy URL has the scheme {:?}; only http:// and https:// proxies are supported",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(config("the proxy URL has no host"));
    }
    let proxy = reqwest::Proxy::all(parsed.as_str())
        .map_err(|e| config(format!("the proxy URL is not valid: {e}")))?;
    Ok(ProxySetting { proxy })
}

pub(crate) fn config(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, message)
}

/// `LEANIX_INSECURE_LOOPBACK` as a flag: `1`, `true`, `yes`, `on` are on; `0`, `false`, `no`,
/// `off` and the empty string are off (any case, spaces trimmed); unset is `None`. Any other
/// value is an [`ErrorKind::Config`] error that names the variable (its value is not quoted
/// beyond a short excerpt).
pub fn env_insecure_loopback() -> Result<Option<bool>, Error> {
    let Some(raw) = std::env::var_os(crate::ENV_INSECURE_LOOPBACK) else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(Some(true)),
        "0" | "false" | "no" | "off" | "" => Ok(Some(false)),
        _ => Err(Error::new(
            ErrorKind::Config,
            format!(
                "{} must be 1 or 0 (true/false, yes/no, on/off), not {}",
                crate::ENV_INSECURE_LOOPBACK,
                crate::error::quote(&text)
            ),
        )),
    }
}

/// Reads a small local file without ever blocking or reading without bound: the path must
/// name a regular file (a FIFO, a device such as `/dev/zero` or a directory is refused before
/// anything is read), it is opened with `O_NONBLOCK` (so opening a FIFO does not wait for a
/// writer), and a file of more than `max_bytes` is refused. Used for CA files (here and in
/// the C ABI) and for the CLI's API token and configuration files.
///
/// The error's text says what is wrong (`not a regular file`, `larger than N bytes`, or the
/// operating system's reason) and does not repeat the path.
pub fn read_regular_file(path: &std::path::Path, max_bytes: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error as IoError, ErrorKind as IoKind, Read};
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NONBLOCK);
    }
    // Opening a directory for reading succeeds on Unix; the type check below refuses it.
    let file = open.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(IoError::new(IoKind::InvalidInput, "not a regular file"));
    }
    let too_large = || {
        IoError::new(
            IoKind::InvalidData,
            format!("larger than {max_bytes} bytes"),
        )
    };
    if meta.len() > max_bytes {
        return Err(too_large());
    }
    let mut data = Vec::new();
    // The file may grow between the check and the read: never read more than the bound.
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut data)?;
    if data.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(data)
}

/// Reads a PEM file of extra CA certificates with [`read_regular_file`], at most
/// [`policy::MAX_CA_FILE_BYTES`]. Fails with [`ErrorKind::Config`] and a message that names
/// the file (bounded) and the reason, e.g. `cannot read the CA file "/dev/zero": not a regular
/// file`. [`ClientBuilder::ca_file`], the C ABI's `ca_file` option and `lx --ca-file` read
/// through it.
pub fn read_ca_file(path: impl AsRef<std::path::Path>) -> Result<Vec<u8>, Error> {
    let path = path.as_ref();
    read_regular_file(path, policy::MAX_CA_FILE_BYTES).map_err(|e| {
        config(format!(
            "cannot read the CA file {}: {e}",
            crate::error::quote(&path.to_string_lossy())
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::check_environment_proxy;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn usable_or_absent_environment_proxies_pass() {
        for pairs in [
            &[][..],
            &[("HTTPS_PROXY", "http://proxy:3128")][..],
            &[("https_proxy", "HTTPS://proxy:3128")][..],
            &[("ALL_PROXY", "proxy.example:8080")][..],
            &[("HTTPS_PROXY", "  "), ("all_proxy", "http://p:1")][..],
        ] {
            assert!(check_environment_proxy(env(pairs)).is_ok(), "{pairs:?}");
        }
    }

    #[test]
    fn an_unusable_environment_proxy_is_refused_by_name_without_its_value() {
        let err = check_environment_proxy(env(&[("HTTPS_PROXY", "socks5h://me:s3cret@p:1080")]))
            .unwrap_err();
        assert_eq!(
            err.message(),
            "HTTPS_PROXY names a proxy with the scheme \"socks5h\"; only http:// and https:// \
             proxies are supported (unset HTTPS_PROXY, or set the proxy option)"
        );
        // The first variable set is the one the HTTP stack uses, so it is the one checked.
        let err = check_environment_proxy(env(&[
            ("all_proxy", "http://fine:1"),
            ("https_proxy", "ftp://p:21"),
        ]))
        .unwrap_err();
        assert!(err.message().starts_with("https_proxy names"), "{err}");
        assert!(check_environment_proxy(env(&[
            ("HTTPS_PROXY", "http://fine:1"),
            ("ALL_PROXY", "ftp://p:21"),
        ]))
        .is_ok());
    }
}
