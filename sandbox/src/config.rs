//! [`SandboxBuilder`]: how a sandbox is configured before it starts.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::sandbox::Sandbox;

/// The default access-token lifetime; `expires_in` reports it in whole
/// seconds, and the vendor's is 3599.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3599);
/// The default number of seeded fact sheets.
pub const DEFAULT_FACT_SHEETS: usize = 3000;

/// Configures and starts a [`Sandbox`].
///
/// ```no_run
/// use std::time::Duration;
/// let sandbox = leanix_sandbox::Sandbox::builder()
///     .api_token("my-admin-token")
///     .token_lifetime(Duration::from_secs(5))
///     .rate_limit_per_minute(Some(120))
///     .start()
///     .unwrap();
/// println!("{}", sandbox.url());
/// ```
#[derive(Clone)]
pub struct SandboxBuilder {
    pub(crate) admin_tokens: Vec<String>,
    pub(crate) viewer_tokens: Vec<String>,
    pub(crate) token_lifetime: Duration,
    pub(crate) rate_limit: Option<u32>,
    pub(crate) tls: bool,
    pub(crate) control_api: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) fact_sheets: usize,
    pub(crate) sync_run_state: Duration,
    pub(crate) instance_listener: bool,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            admin_tokens: Vec::new(),
            viewer_tokens: Vec::new(),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            rate_limit: None,
            tls: false,
            control_api: true,
            host: "127.0.0.1".to_owned(),
            port: 0,
            fact_sheets: DEFAULT_FACT_SHEETS,
            sync_run_state: crate::DEFAULT_SYNC_RUN_STATE,
            instance_listener: false,
        }
    }
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("admin_tokens", &self.admin_tokens.len())
            .field("viewer_tokens", &self.viewer_tokens.len())
            .field("token_lifetime", &self.token_lifetime)
            .field("rate_limit", &self.rate_limit)
            .field("tls", &self.tls)
            .field("control_api", &self.control_api)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("fact_sheets", &self.fact_sheets)
            .field("sync_run_state", &self.sync_run_state)
            .field("instance_listener", &self.instance_listener)
            .finish()
    }
}

impl SandboxBuilder {
    /// Adds an ADMIN technical user with this API token (any string). Without
    /// any, one admin with a random 40-character token is created.
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.admin_tokens.push(token.into());
        self
    }

    /// Adds a VIEWER technical user with this API token (writes get 403).
    /// Without any, one viewer with a random token is created.
    pub fn viewer_api_token(mut self, token: impl Into<String>) -> Self {
        self.viewer_tokens.push(token.into());
        self
    }

    /// The access-token lifetime (whole seconds, at least 1 s; default 3599 s).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Requests per minute allowed per technical user before 429
    /// (default `None`: no limit; the vendor's is 1800).
    pub fn rate_limit_per_minute(mut self, per_minute: Option<u32>) -> Self {
        self.rate_limit = per_minute;
        self
    }

    /// Serves HTTPS at `https://localhost:PORT` with a certificate issued by a
    /// CA generated at start (see [`Sandbox::ca_pem`]). Default off.
    pub fn tls(mut self, enabled: bool) -> Self {
        self.tls = enabled;
        self
    }

    /// Whether the `/_sandbox/` control API answers (default true).
    pub fn control_api(mut self, enabled: bool) -> Self {
        self.control_api = enabled;
        self
    }

    /// The address to listen on (default `127.0.0.1`).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// The port to listen on (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many fact sheets to seed (default 3000).
    pub fn fact_sheets(mut self, count: usize) -> Self {
        self.fact_sheets = count;
        self
    }

    /// How long a started synchronization run stays `PENDING`, and then
    /// `IN_PROGRESS` (default [`DEFAULT_SYNC_RUN_STATE`](crate::DEFAULT_SYNC_RUN_STATE);
    /// zero: runs end before the call that starts them answers).
    pub fn sync_run_state_duration(mut self, duration: Duration) -> Self {
        self.sync_run_state = duration;
        self
    }

    /// Serves the API on a second listener as well (another port of the same
    /// host, see [`Sandbox::instance_url`]), "the instance", and issues tokens
    /// whose `instanceUrl` claim names it, as LeanIX does when the host that
    /// issues tokens is not the one that serves the workspace. The instance
    /// does not serve the token endpoint, and counts its requests apart
    /// ([`Sandbox::instance_stats`]). Default off.
    pub fn instance_listener(mut self, enabled: bool) -> Self {
        self.instance_listener = enabled;
        self
    }

    /// Starts the sandbox on its own thread.
    pub fn start(self) -> io::Result<Sandbox> {
        Sandbox::launch(self)
    }
}
