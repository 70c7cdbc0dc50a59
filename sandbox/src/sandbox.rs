//! [`Sandbox`]: a running emulator and its synchronous control methods.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::SandboxBuilder;
use crate::faults::{Endpoint, Fault};
use crate::server;
use crate::state::State;
use crate::stats::Stats;
use crate::store::Store;
use crate::tls;
use crate::users::{Directory, Role, User, Workspace};

/// A running LeanIX emulator.
///
/// It serves on its own thread with its own two-worker tokio runtime, so it
/// works from synchronous code, from `#[tokio::test]` and from any other
/// runtime alike. All methods are synchronous and cheap. Dropping the
/// sandbox shuts the server down and joins its thread.
pub struct Sandbox {
    state: Arc<State>,
    ca_pem: Option<String>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("url", &self.state.url)
            .field("foreign_url", &self.state.foreign_url)
            .finish_non_exhaustive()
    }
}

fn bind(host: &str, port: u16) -> io::Result<(TcpListener, SocketAddr)> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    let mut last = io::Error::new(
        io::ErrorKind::AddrNotAvailable,
        format!("cannot resolve {host}"),
    );
    for addr in addrs {
        match TcpListener::bind(addr) {
            Ok(l) => {
                l.set_nonblocking(true)?;
                let local = l.local_addr()?;
                return Ok((l, local));
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn origin(scheme: &str, host: &str, addr: SocketAddr, tls: bool) -> String {
    if tls {
        return format!("https://localhost:{}", addr.port());
    }
    let host = match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(_)) => format!("[{}]", addr.ip()),
        Ok(_) => addr.ip().to_string(),
        Err(_) => host.to_owned(),
    };
    format!("{scheme}://{host}:{}", addr.port())
}

impl Sandbox {
    /// Starts a sandbox with the defaults (see [`SandboxBuilder`]).
    pub fn start() -> io::Result<Sandbox> {
        Sandbox::builder().start()
    }

    /// A builder for a configured sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    pub(crate) fn launch(cfg: SandboxBuilder) -> io::Result<Sandbox> {
        let (main, main_addr) = bind(&cfg.host, cfg.port)?;
        let (foreign, foreign_addr) = bind(&cfg.host, 0)?;
        let instance = if cfg.instance_listener {
            Some(bind(&cfg.host, 0)?)
        } else {
            None
        };
        let tls = if cfg.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let scheme = if cfg.tls { "https" } else { "http" };
        let url = origin(scheme, &cfg.host, main_addr, cfg.tls);
        let foreign_url = origin(scheme, &cfg.host, foreign_addr, cfg.tls);

        let workspace = Workspace::sandbox();
        let directory = Directory::new(&workspace, &cfg.admin_tokens, &cfg.viewer_tokens);
        let store = Store::seeded(cfg.fact_sheets);
        let mut state = State::new(
            url,
            foreign_url,
            cfg.control_api,
            workspace,
            directory,
            cfg.token_lifetime,
            cfg.rate_limit,
            store,
            cfg.sync_run_state,
        );
        state.instance_url = instance
            .as_ref()
            .map(|(_, addr)| origin(scheme, &cfg.host, *addr, cfg.tls));
        let state = Arc::new(state);
        let instance = instance.map(|(l, _)| l);

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lx-sandbox-worker")
            .enable_all()
            .build()?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let thread_state = state.clone();
        let thread = std::thread::Builder::new()
            .name("lx-sandbox".to_owned())
            .spawn(move || {
                runtime.block_on(server::run(
                    thread_state,
                    main,
                    foreign,
                    instance,
                    acceptor,
                    shutdown_rx,
                ));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(Sandbox {
            state,
            ca_pem: tls.map(|t| t.ca_pem),
            shutdown,
            thread: Some(thread),
        })
    }

    /// The origin of the API, e.g. `http://127.0.0.1:41234`
    /// (`https://localhost:PORT` in TLS mode). No trailing slash.
    pub fn url(&self) -> &str {
        &self.state.url
    }

    /// The API token of the (first) ADMIN technical user.
    pub fn api_token(&self) -> &str {
        &self.state.directory.first_with(Role::Admin).api_token
    }

    /// The API token of the (first) VIEWER technical user.
    pub fn viewer_api_token(&self) -> &str {
        &self.state.directory.first_with(Role::Viewer).api_token
    }

    /// All technical users: the admins first, then the viewers.
    pub fn users(&self) -> &[User] {
        self.state.directory.users()
    }

    /// The id of the sandbox's workspace.
    pub fn workspace_id(&self) -> &str {
        &self.state.workspace.id
    }

    /// The origin of the foreign listener (another port, hence another origin).
    pub fn foreign_url(&self) -> &str {
        &self.state.foreign_url
    }

    /// A snapshot of the counters (of the main listener; token exchanges,
    /// writes and runs whichever listener served them).
    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }

    /// The origin of the instance listener, when the sandbox was started with
    /// [`SandboxBuilder::instance_listener`]: the `instanceUrl` of its tokens.
    pub fn instance_url(&self) -> Option<&str> {
        self.state.instance_url.as_deref()
    }

    /// A snapshot of the instance listener's request counters (all zero
    /// without one). Its `token_exchanges`, `writes` and runs stay zero: those
    /// are counted in [`Sandbox::stats`].
    pub fn instance_stats(&self) -> Stats {
        self.state.instance_counters.snapshot()
    }

    /// Logs a webhook event with these tags (e.g. `["pathfinder",
    /// "FACT_SHEET_UPDATED", "Application"]`) and payload, as if something in
    /// the workspace had happened; returns its offset. An object payload
    /// without an `id` gets the offset as its `id`.
    pub fn emit_webhook_event(&self, tags: &[&str], payload: serde_json::Value) -> u64 {
        let tags = tags.iter().map(|t| (*t).to_owned()).collect();
        self.state.webhooks.emit(tags, payload)
    }

    /// Sets how many events one `GET .../events` returns at most (clamped to
    /// 1..=10000; default [`DEFAULT_WEBHOOK_BATCH_SIZE`](crate::DEFAULT_WEBHOOK_BATCH_SIZE)).
    pub fn set_webhook_batch_size(&self, n: usize) {
        self.state.webhooks.set_batch_size(n);
    }

    /// Sets how long events are kept (default 30 days); zero drops every
    /// event logged so far at the next fetch.
    pub fn set_webhook_retention(&self, retention: Duration) {
        self.state.webhooks.set_retention(retention);
    }

    /// The cursor of a webhook subscription: the offset of the next event it
    /// will be given (`None`: no such subscription).
    pub fn webhook_cursor(&self, subscription_id: &str) -> Option<u64> {
        self.state.webhooks.cursor(subscription_id)
    }

    /// Zeroes the counters and removes queued faults, latencies and rate-limit
    /// windows. Revocations and settings stay.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Queues `fault` for the next `times` calls of `endpoint`
    /// ([`Fault::Latency`] persists instead, ignoring `times`).
    pub fn inject(&self, endpoint: Endpoint, fault: Fault, times: u32) {
        self.state.faults.inject(endpoint, fault, times);
    }

    /// Adds a persistent random fault: from now on, every call of `endpoint`
    /// gets `fault` with probability `probability` (in `(0, 1]`), until
    /// [`Sandbox::clear_faults`] or [`Sandbox::reset`]. Several random faults
    /// of one endpoint are exclusive (one draw per call), so their
    /// probabilities must add up to at most 1. Queued faults come first.
    pub fn inject_random(
        &self,
        endpoint: Endpoint,
        fault: Fault,
        probability: f64,
    ) -> Result<(), crate::RandomFaultError> {
        self.state
            .faults
            .inject_random(endpoint, fault, probability)
    }

    /// Removes all queued faults and latencies.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Revokes an API token: further exchanges with it get 401. Access tokens
    /// already issued for it stay valid until they expire.
    pub fn revoke_api_token(&self, api_token: &str) {
        self.state.directory.revoke(api_token);
    }

    /// Revokes every access token issued so far (they get 401); new exchanges work.
    pub fn revoke_access_tokens(&self) {
        self.state.tokens.revoke_all();
    }

    /// Sets the lifetime of access tokens issued from now on (at least 1 s).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.state.set_lifetime(lifetime);
    }

    /// Sets how long a synchronization run started from now on stays
    /// `PENDING`, and then `IN_PROGRESS`, before it ends (zero: it ends before
    /// the call that starts it answers). The default is
    /// [`DEFAULT_SYNC_RUN_STATE`](crate::DEFAULT_SYNC_RUN_STATE).
    pub fn set_sync_run_state_duration(&self, duration: Duration) {
        self.state.integration.set_state_duration(duration);
    }

    /// Makes synchronization runs started from now on wait in each state until
    /// [`Sandbox::advance_sync_runs`] moves them on (`true`), or move on with
    /// time again (`false`): for tests that inject time into the client.
    pub fn set_sync_run_manual(&self, manual: bool) {
        self.state.integration.set_manual(manual);
    }

    /// Makes synchronization runs started from now on pass through `SEQUENTIALIZED`
    /// (`CREATED` → `SEQUENTIALIZED` → `PENDING` → `IN_PROGRESS` → the end, as LeanIX's
    /// runs do; the step lasts as long as the others) with `true`, or start `PENDING`
    /// (the default) with `false`.
    pub fn set_sync_run_sequentialized(&self, on: bool) {
        self.state.integration.set_sequentialized(on);
    }

    /// Moves every `SEQUENTIALIZED`, `PENDING` or `IN_PROGRESS` synchronization run one state
    /// on (`SEQUENTIALIZED` → `PENDING` → `IN_PROGRESS` → `FINISHED` or `FAILED`); how many
    /// moved.
    pub fn advance_sync_runs(&self) -> usize {
        crate::integration::advance_all(&self.state)
    }

    /// Sets the per-user rate limit (`None`: off).
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        self.state.limiter.set(per_minute);
    }

    /// Sets the per-user rate (`None`: off): a token bucket of `per_second`
    /// requests that refills at `per_second` a second, beside the per-minute
    /// limit.
    pub fn set_rate_limit_per_second(&self, per_second: Option<u32>) {
        self.state.limiter.set_per_second(per_second);
    }

    /// Every access token issued so far (the most recent 4096, oldest first),
    /// including those of faulted responses: for tests that search output for
    /// credentials.
    pub fn issued_access_tokens(&self) -> Vec<String> {
        self.state.issued_tokens()
    }

    /// The PEM of the generated CA in TLS mode.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// How many fact sheets exist now (seeded plus created).
    pub fn fact_sheet_count(&self) -> usize {
        self.state.store.len()
    }

    /// The fact sheet with this id as the REST API shows it (including
    /// archived ones), for tests that check writes without a request.
    pub fn fact_sheet(&self, id: &str) -> Option<serde_json::Value> {
        self.state.store.get(id).map(|s| s.value.clone())
    }

    /// Signs an access token for `api_token`'s user whose `exp` lies
    /// `valid_for_secs` seconds from now (negative: already expired), without
    /// registering it. For tests of expiry handling; `None` for unknown tokens.
    #[doc(hidden)]
    pub fn mint_access_token(&self, api_token: &str, valid_for_secs: i64) -> Option<String> {
        let user = self.state.directory.authenticate(api_token)?;
        let exp = (crate::clock::now_ms() / 1000) as i64 + valid_for_secs;
        Some(self.state.tokens.mint(
            &self.state.directory,
            &self.state.workspace,
            user,
            exp.max(0) as u64,
            self.state.api_url(),
        ))
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
