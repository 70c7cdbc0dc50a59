//! Events a client reports about its token and retries, for logging and metrics.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::ErrorKind;

/// Which endpoint a retry concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryTarget {
    /// The OAuth2 token endpoint.
    Token,
    /// An API request.
    Api,
}

/// Something the client did. Carries no credential: tokens appear only as fingerprints.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A token exchange succeeded.
    TokenFetched {
        /// True when it was a refresh ahead of expiry (no request waited for it).
        background: bool,
        /// The lifetime of the new token.
        lifetime: Duration,
        /// How many attempts it took.
        attempts: u32,
        /// Fingerprint of the new access token.
        fingerprint: String,
    },
    /// A token exchange failed (after its retries).
    TokenFetchFailed {
        /// True when it was a refresh ahead of expiry; the current token stays in use.
        background: bool,
        /// The kind of the error.
        kind: ErrorKind,
        /// The error message (without secrets).
        message: String,
    },
    /// The API rejected the current token with 401; it was dropped and will be replaced.
    TokenRejected {
        /// Fingerprint of the rejected token.
        fingerprint: String,
    },
    /// The client started or stopped pacing itself after the server throttled it (429), or
    /// changed its pace.
    Pacing {
        /// True when pacing starts or slows down at a 429; false when it stops after a quiet
        /// spell.
        started: bool,
        /// The pace now, in requests per minute (`None`: not paced).
        requests_per_minute: Option<f64>,
    },
    /// A request is about to be retried.
    Retry {
        /// Token endpoint or API.
        target: RetryTarget,
        /// The attempt that failed (1 = the first).
        attempt: u32,
        /// How long the client waits before the next attempt.
        delay: Duration,
        /// Why: an HTTP status (`"503"`) or an error kind (`"connect"`).
        reason: String,
    },
    /// A token stored by this or another process was taken from the token file (no exchange).
    TokenLoaded {
        /// Fingerprint of the access token.
        fingerprint: String,
        /// How long until it expires, by the wall clock.
        expires_in: Duration,
    },
    /// The token file (or its directory) was not used: a warning. The client goes on without
    /// it (exchanging as usual) and, if only the file was at fault, replaces it.
    TokenCacheIgnored {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why, e.g. `mode 0644 lets other users read it` (never the token).
        reason: String,
    },
    /// A new access token names another origin in its `instanceUrl` claim, within the routing
    /// rule: API calls go there from now on (the token endpoint stays the configured host).
    InstanceRouted {
        /// The origin API calls go to, e.g. `https://acme.leanix.net`.
        origin: String,
    },
    /// A new access token names an origin outside the routing rule in its `instanceUrl`: it is
    /// ignored and API calls go to the configured host.
    InstanceRefused {
        /// The claim as the token carries it (at most 200 characters).
        instance_url: String,
        /// Why it was refused.
        reason: String,
    },
    /// Another process holds the lock of the token file while it exchanges the API token: this
    /// one waits (at most `wait`) for the token it will store, then exchanges without the lock.
    TokenCacheWaiting {
        /// The lock file.
        path: std::path::PathBuf,
        /// The longest this call waits: half its remaining deadline, at most 45 s
        /// (`policy::TOKEN_CACHE_LOCK_WAIT`).
        wait: Duration,
    },
}

/// A callback receiving [`Event`]s, never called with an internal lock held; it should return
/// quickly.
///
/// Threads: token events ([`Event::TokenFetched`], [`Event::TokenFetchFailed`]) come from the
/// task that exchanges the token, on a runtime thread; [`Event::Retry`] of an API call and
/// [`Event::TokenRejected`] come from inside that call, on the thread that drives it (the
/// caller's own thread for blocking calls). A blocking call made from inside the callback is
/// refused with [`ErrorKind::RecursiveCall`](crate::ErrorKind::RecursiveCall).
#[derive(Clone)]
pub struct EventHandler(Arc<dyn Fn(&Event) + Send + Sync>);

impl EventHandler {
    /// Wraps a closure.
    pub fn new(f: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        EventHandler(Arc::new(f))
    }

    pub(crate) fn emit(&self, event: Event) {
        tracing::debug!(?event, "leanix event");
        crate::runtime::as_callback(|| (self.0)(&event));
    }
}

impl fmt::Debug for EventHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventHandler(..)")
    }
}

/// Emits to the optional handler (and to `tracing` at debug level).
pub(crate) fn emit(handler: &Option<EventHandler>, event: Event) {
    match handler {
        Some(h) => h.emit(event),
        None => tracing::debug!(?event, "leanix event"),
    }
}
