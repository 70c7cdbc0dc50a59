//! Everything one running sandbox shares between its connections and its
//! owner: users, tokens, the inventory, faults, limits and counters.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use http::HeaderMap;

use crate::faults::Faults;
use crate::integration::Integration;
use crate::ratelimit::RateLimiter;
use crate::stats::Counters;
use crate::store::Store;
use crate::tokens::{AccessTokens, AuthError, TokenInfo};
use crate::users::{Directory, Workspace};
use crate::webhooks::Webhooks;

/// The shared state of a sandbox.
pub(crate) struct State {
    /// The sandbox's origin, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The foreign listener's origin.
    pub foreign_url: String,
    /// The instance listener's origin, when there is one: tokens name it in
    /// their `instanceUrl` claim.
    pub instance_url: Option<String>,
    /// Counters of the instance listener (writes, exchanges and runs are
    /// counted in [`State::counters`] whichever listener served them).
    pub instance_counters: Counters,
    /// PULL webhook subscriptions and the event log.
    pub webhooks: Webhooks,
    /// Whether `/_sandbox/` answers.
    pub control_enabled: bool,
    /// The workspace.
    pub workspace: Workspace,
    /// The technical users.
    pub directory: Directory,
    /// Issued access tokens.
    pub tokens: AccessTokens,
    /// Access-token lifetime in milliseconds.
    lifetime_ms: AtomicU64,
    /// The per-user rate limit.
    pub limiter: RateLimiter,
    /// Injected faults.
    pub faults: Faults,
    /// Counters.
    pub counters: Counters,
    /// The inventory.
    pub store: Store,
    /// Synchronization runs and processor configurations.
    pub integration: Integration,
    /// The most recent access tokens issued (at most [`ISSUED_KEPT`]), for
    /// tests that must know every credential in play (`GET /_sandbox/tokens`).
    issued: Mutex<VecDeque<String>>,
}

/// How many issued access tokens `GET /_sandbox/tokens` can list.
pub(crate) const ISSUED_KEPT: usize = 4096;

/// The shortest token lifetime the sandbox issues.
pub(crate) const MIN_LIFETIME: Duration = Duration::from_secs(1);

impl State {
    /// Assembles the state.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        url: String,
        foreign_url: String,
        control_enabled: bool,
        workspace: Workspace,
        directory: Directory,
        lifetime: Duration,
        rate_limit: Option<u32>,
        store: Store,
        sync_run_state: Duration,
    ) -> State {
        let limiter = RateLimiter::new(directory.users().len(), rate_limit);
        let state = State {
            url,
            foreign_url,
            instance_url: None,
            instance_counters: Counters::new(),
            webhooks: Webhooks::new(),
            control_enabled,
            workspace,
            directory,
            tokens: AccessTokens::new(),
            lifetime_ms: AtomicU64::new(0),
            limiter,
            faults: Faults::new(),
            counters: Counters::new(),
            store,
            integration: Integration::new(sync_run_state),
            issued: Mutex::new(VecDeque::new()),
        };
        state.set_lifetime(lifetime);
        state
    }

    /// The origin that serves the API: the instance listener's when there is
    /// one, else the main one. Tokens carry it as `instanceUrl`.
    pub(crate) fn api_url(&self) -> &str {
        self.instance_url.as_deref().unwrap_or(&self.url)
    }

    /// The counters of a listener.
    pub(crate) fn counters_for(&self, listener: crate::server::Listener) -> &Counters {
        match listener {
            crate::server::Listener::Instance => &self.instance_counters,
            _ => &self.counters,
        }
    }

    /// The access-token lifetime.
    pub(crate) fn lifetime(&self) -> Duration {
        Duration::from_millis(self.lifetime_ms.load(Ordering::Relaxed))
    }

    /// Sets the access-token lifetime (at least one second).
    pub(crate) fn set_lifetime(&self, lifetime: Duration) {
        let ms = lifetime
            .max(MIN_LIFETIME)
            .as_millis()
            .min(u128::from(u64::MAX / 4)) as u64;
        self.lifetime_ms.store(ms, Ordering::Relaxed);
    }

    /// Issues an access token for user `user` with the current lifetime.
    pub(crate) fn issue_token(&self, user: usize) -> String {
        let token = self.tokens.issue(
            &self.directory,
            &self.workspace,
            user,
            self.lifetime_ms.load(Ordering::Relaxed),
            self.api_url(),
        );
        let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        if issued.len() == ISSUED_KEPT {
            issued.pop_front();
        }
        issued.push_back(token.clone());
        token
    }

    /// The most recent access tokens issued, oldest first.
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        let issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        issued.iter().cloned().collect()
    }

    /// Checks the `Authorization: Bearer` header of a resource request.
    pub(crate) fn authenticate(&self, headers: &HeaderMap) -> Result<TokenInfo, AuthError> {
        let value = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(AuthError::Missing)?;
        let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::Missing)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::Missing);
        }
        self.tokens.check(&self.directory, token.trim())
    }

    /// Clears counters, queued faults and rate-limit windows.
    pub(crate) fn reset(&self) {
        self.counters.reset();
        self.instance_counters.reset();
        self.faults.clear();
        self.limiter.reset();
    }
}
