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

/// Writes builder setters that store their argument as it is: `name(arg: Type) => field;`
/// becomes `pub fn name(mut self, arg: Type) -> Self`, with the doc comment given.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $field:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $arg: $ty) -> Self {
                self.$field = $arg;
                self
            }
        )*
    };
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

    /// The address to listen on (default `127.0.0.1`).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    setters! {
        /// The access-token lifetime (whole seconds, at least 1 s; default
        /// [`DEFAULT_TOKEN_LIFETIME`]).
        token_lifetime(lifetime: Duration) => token_lifetime;

        /// Requests per minute allowed per technical user before 429
        /// (default `None`: no limit; the vendor's is 1800).
        rate_limit_per_minute(per_minute: Option<u32>) => rate_limit;

        /// Serves HTTPS at `https://localhost:PORT` with a certificate issued by a
        /// CA generated at start (see [`Sandbox::ca_pem`]). Default off.
        tls(enabled: bool) => tls;

        /// Whether the `/_sandbox/` control API answers (default true).
        control_api(enabled: bool) => control_api;

        /// The port to listen on (default 0: any free port).
        port(port: u16) => port;

        /// How many fact sheets to seed (default [`DEFAULT_FACT_SHEETS`]).
        fact_sheets(count: usize) => fact_sheets;

        /// How long a started synchronization run stays `PENDING`, and then
        /// `IN_PROGRESS` (default [`DEFAULT_SYNC_RUN_STATE`](crate::DEFAULT_SYNC_RUN_STATE);
        /// zero: runs end before the call that starts them answers).
        sync_run_state_duration(duration: Duration) => sync_run_state;

        /// Serves the API on a second listener as well (another port of the same
        /// host, see [`Sandbox::instance_url`]), "the instance", and issues tokens
        /// whose `instanceUrl` claim names it, as LeanIX does when the host that
        /// issues tokens is not the one that serves the workspace. The instance
        /// does not serve the token endpoint, and counts its requests apart
        /// ([`Sandbox::instance_stats`]). Default off.
        instance_listener(enabled: bool) => instance_listener;
    }

    /// Starts the sandbox on its own thread.
    pub fn start(self) -> io::Result<Sandbox> {
        Sandbox::launch(self)
    }
}
