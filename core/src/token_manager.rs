//! The token cache: one fetch in flight, refresh ahead of expiry, hard margin, negative cache.
//!
//! States of the cached token, on the monotonic clock, from `sent_at` (when the exchange request
//! left) and the lifetime `L` the server gave:
//! - fresh until `refresh_at` (≈ 75 % of `L`, jittered): used as is;
//! - due until `usable_until = sent_at + L − min(60 s, 10 % L)`: used as is, and the first caller
//!   to notice starts one background refresh (nobody waits for it);
//! - unusable after `usable_until`: callers wait for one shared foreground fetch.
//!
//! Fetches run in their own task, so a caller that gives up does not cancel the fetch for the
//! others; a failed fetch is shared by all its waiters.
//!
//! With a token file ([`TokenStore`]), a fetch first looks there (a token another process
//! stored, placed on this process's monotonic clock by its wall-clock age), then takes the
//! file's lock, looks again, and only then exchanges, storing the result before it lets go of
//! the lock: processes that start together make one exchange.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, Shared};
use reqwest::header::HeaderValue;

use crate::config::RefreshPolicy;
use crate::error::{Error, ErrorKind};
use crate::events::{emit, Event, EventHandler};
use crate::exchange::Exchanger;
use crate::secret::AccessToken;
use crate::token_cache::{lock_wait, TokenStore};

/// A token in the cache, with the instants that govern its use.
#[derive(Debug)]
pub(crate) struct CachedToken {
    pub token: AccessToken,
    /// `Bearer <token>`, built once, marked sensitive.
    pub bearer: HeaderValue,
    /// Increments with every new token; used to invalidate exactly the token a 401 rejected.
    pub generation: u64,
    pub refresh_at: Instant,
    pub usable_until: Instant,
}

type FetchFuture = Shared<BoxFuture<'static, Result<Arc<CachedToken>, Error>>>;

struct Inflight {
    future: FetchFuture,
    abort: tokio::task::AbortHandle,
}

#[derive(Default)]
struct State {
    current: Option<Arc<CachedToken>>,
    inflight: Option<Inflight>,
    next_background_try: Option<Instant>,
    rejected: Option<(Instant, Error)>,
    generation: u64,
    /// When a 401 last caused an exchange.
    last_reauth: Option<Instant>,
    /// The token the API last rejected: not taken from the token file again, and removed from
    /// it by the next fetch if it is still there.
    rejected_token: Option<AccessToken>,
}

/// What a [`TokenManager`] works with, set when the client is built.
pub(crate) struct TokenParts {
    /// Makes the exchanges.
    pub exchanger: Exchanger,
    /// The runtime fetches are spawned on (`None`: the caller's).
    pub spawner: Option<tokio::runtime::Handle>,
    /// When to refresh, and how long failures are remembered.
    pub policy: RefreshPolicy,
    /// The client's clock.
    pub clock: Arc<dyn crate::Clock>,
    /// The client's event handler.
    pub events: Option<EventHandler>,
    /// The token file shared with other processes, if any.
    pub store: Option<TokenStore>,
}

struct Inner {
    parts: TokenParts,
    state: Mutex<State>,
}

/// What to do after a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reauth {
    /// Replay the request with a new token.
    Replay,
    /// The client exchanged a token for a 401 moments ago: this 401 is the final answer.
    Refused,
}

/// Owns the cache; dropping it aborts a fetch in flight.
pub(crate) struct TokenManager {
    inner: Arc<Inner>,
}

impl TokenManager {
    pub fn new(parts: TokenParts) -> Self {
        TokenManager {
            inner: Arc::new(Inner {
                parts,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// A token that is safe to send now, fetching one if needed (must run inside a tokio runtime).
    pub async fn token(&self) -> Result<Arc<CachedToken>, Error> {
        self.token_until(None).await
    }

    /// Like [`token`](Self::token), for a call that ends at `deadline`: a fetch it starts waits
    /// for another process's exchange at most half the time left ([`lock_wait`]).
    pub async fn token_until(&self, deadline: Option<Instant>) -> Result<Arc<CachedToken>, Error> {
        let waiting = {
            let mut st = self.inner.lock();
            let now = self.inner.parts.clock.now();
            if let Some(tok) = st.current.clone() {
                if now < tok.usable_until {
                    Inner::refresh_if_due(&self.inner, &mut st, &tok, now);
                    return Ok(tok);
                }
            }
            if let Some((until, err)) = &st.rejected {
                if now < *until {
                    return Err(err.clone());
                }
            }
            match &st.inflight {
                Some(f) => f.future.clone(),
                None => Inner::start_fetch(&self.inner, &mut st, false, deadline),
            }
        };
        let tok = waiting.await?;
        // A token taken from the token file may be past its refresh point already.
        let now = self.inner.parts.clock.now();
        Inner::refresh_if_due(&self.inner, &mut self.inner.lock(), &tok, now);
        Ok(tok)
    }

    /// The API rejected the token of `generation` with 401: drops it if it is still the
    /// current one, so that the replay exchanges a new one. At most one such exchange per
    /// `reauth_interval`: a 401 of the current token within it is final
    /// ([`Reauth::Refused`]). A token that another call already replaced is simply replayed
    /// with the new one.
    pub fn reauthorize(&self, generation: u64, reauth_interval: Duration) -> Reauth {
        let now = self.inner.parts.clock.now();
        let dropped = {
            let mut st = self.inner.lock();
            match &st.current {
                Some(t) if t.generation == generation => {
                    if st.last_reauth.is_some_and(|at| now < at + reauth_interval) {
                        return Reauth::Refused;
                    }
                    st.last_reauth = Some(now);
                    let dropped = st.current.take();
                    st.rejected_token = dropped.as_ref().map(|t| t.token.clone());
                    dropped
                }
                _ => None,
            }
        };
        if let Some(t) = dropped {
            emit(
                &self.inner.parts.events,
                Event::TokenRejected {
                    fingerprint: t.token.fingerprint(),
                },
            );
        }
        Reauth::Replay
    }

    /// Waits for the token fetch in flight (a background refresh, or an exchange a call
    /// awaits), if there is one; returns at once otherwise. Its outcome is published as usual.
    pub async fn settle(&self) {
        let inflight = self
            .inner
            .lock()
            .inflight
            .as_ref()
            .map(|f| f.future.clone());
        if let Some(fetch) = inflight {
            let _ = fetch.await;
        }
    }

    /// The cached token without fetching, if any (even if past its margin).
    pub fn peek(&self) -> Option<Arc<CachedToken>> {
        self.inner.lock().current.clone()
    }

    /// The path of the token file, if this manager shares its token through one.
    pub fn cache_file(&self) -> Option<&std::path::Path> {
        self.inner.parts.store.as_ref().map(TokenStore::path)
    }

    /// Drops the token in memory and removes the token file (with its lock held); true if
    /// there was a file. The next call exchanges.
    pub async fn forget(&self) -> Result<bool, Error> {
        self.inner.lock().current = None;
        let Some(store) = &self.inner.parts.store else {
            return Ok(false);
        };
        let lock = store.lock(lock_wait(None)).await;
        let removed = store.remove().map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "the token file {} cannot be removed: {e}",
                    store.path().display()
                ),
            )
        })?;
        if let Some(held) = &lock {
            store.remove_lock_file(held);
        }
        Ok(removed)
    }
}

impl Drop for TokenManager {
    fn drop(&mut self) {
        if let Some(f) = self.inner.lock().inflight.take() {
            f.abort.abort();
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state half-written (every update is a
        // single assignment), so a poisoned lock is safe to reuse.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a background refresh if `tok` (the current token) has passed its refresh point
    /// and none is in flight or backing off. Called with the lock held.
    fn refresh_if_due(this: &Arc<Inner>, st: &mut State, tok: &Arc<CachedToken>, now: Instant) {
        let current = st.current.as_ref().is_some_and(|c| Arc::ptr_eq(c, tok));
        let may_refresh = current
            && now >= tok.refresh_at
            && st.inflight.is_none()
            && st.next_background_try.is_none_or(|t| now >= t);
        if may_refresh {
            // Nobody waits for a background refresh; its task runs on its own.
            let _background = Inner::start_fetch(this, st, true, None);
        }
    }

    /// Starts one fetch in its own task and records it as in flight. Called with the lock held.
    fn start_fetch(
        this: &Arc<Inner>,
        st: &mut State,
        background: bool,
        deadline: Option<Instant>,
    ) -> FetchFuture {
        let inner = Arc::clone(this);
        let fetch = async move { inner.fetch(background, deadline).await };
        let task = match &this.parts.spawner {
            Some(handle) => handle.spawn(fetch),
            None => tokio::spawn(fetch),
        };
        let abort = task.abort_handle();
        let future = async move {
            match task.await {
                Ok(result) => result,
                Err(_) => Err(Error::new(
                    ErrorKind::Cancelled,
                    "the token exchange was cancelled because the client was closed",
                )),
            }
        }
        .boxed()
        .shared();
        st.inflight = Some(Inflight {
            future: future.clone(),
            abort,
        });
        future
    }

    /// Gets a token (from the token file, or by an exchange stored there) and publishes it.
    async fn fetch(
        &self,
        background: bool,
        deadline: Option<Instant>,
    ) -> Result<Arc<CachedToken>, Error> {
        let Some(store) = &self.parts.store else {
            let result = self.parts.exchanger.exchange().await;
            return self.publish(result, background);
        };
        if let Some(tok) = self.load(store, background) {
            return Ok(tok);
        }
        let remaining = deadline.map(|d| d.saturating_duration_since(self.parts.clock.now()));
        let lock = store.lock(lock_wait(remaining)).await;
        if lock.is_some() {
            // Another process may have stored a token while this one waited for the lock.
            let rejected = self.lock().rejected_token.clone();
            if let Some(rejected) = rejected {
                store.remove_if_holds(&rejected);
            }
            if let Some(tok) = self.load(store, background) {
                return Ok(tok);
            }
        }
        let result = self.parts.exchanger.exchange().await;
        if let Ok(ex) = &result {
            store.write(
                &ex.grant.access_token,
                ex.sent_wall,
                ex.sent_wall + ex.grant.lifetime,
            );
        }
        drop(lock);
        self.publish(result, background)
    }

    /// Takes the token of the file if it is usable now (for a background refresh: if it is
    /// another token than the current one and not yet due itself), publishing it.
    fn load(&self, store: &TokenStore, background: bool) -> Option<Arc<CachedToken>> {
        let stored = store.read()?;
        let now = self.parts.clock.now();
        let (age, lifetime) = match stored.trust(self.parts.clock.wall()) {
            Ok(trusted) => trusted,
            Err(reason) => {
                store.warn(store.path(), format!("is not trusted: {reason}"));
                return None;
            }
        };
        // A token older than this process's monotonic clock (after a reboot) is not placed.
        let sent_at = now.checked_sub(age)?;
        let bearer = bearer_header(stored.token.expose_secret()).ok()?;
        let expires_in = lifetime.saturating_sub(age);
        let tok = {
            let mut st = self.lock();
            if st.rejected_token.as_ref() == Some(&stored.token) {
                return None;
            }
            if background && st.current.as_ref().is_some_and(|c| c.token == stored.token) {
                return None;
            }
            let tok = self.schedule(stored.token, bearer, sent_at, lifetime, st.generation + 1);
            let usable = if background {
                now < tok.refresh_at
            } else {
                now < tok.usable_until
            };
            if !usable {
                return None;
            }
            st.generation += 1;
            let tok = Arc::new(tok);
            st.inflight = None;
            st.current = Some(Arc::clone(&tok));
            st.rejected = None;
            st.rejected_token = None;
            st.next_background_try = None;
            tok
        };
        emit(
            &self.parts.events,
            Event::TokenLoaded {
                fingerprint: tok.token.fingerprint(),
                expires_in,
            },
        );
        Some(tok)
    }

    /// Publishes the outcome of an exchange; emits the event after unlocking.
    fn publish(
        &self,
        result: Result<crate::exchange::Exchanged, Error>,
        background: bool,
    ) -> Result<Arc<CachedToken>, Error> {
        let result = result.and_then(|ex| {
            let bearer = bearer_header(ex.grant.access_token.expose_secret())?;
            Ok((ex, bearer))
        });
        let now = self.parts.clock.now();
        let (outcome, event) = {
            let mut st = self.lock();
            st.inflight = None;
            match result {
                Ok((ex, bearer)) => {
                    st.generation += 1;
                    let lifetime = ex.grant.lifetime;
                    let tok = Arc::new(self.schedule(
                        ex.grant.access_token,
                        bearer,
                        ex.sent_at,
                        lifetime,
                        st.generation,
                    ));
                    st.current = Some(Arc::clone(&tok));
                    st.rejected = None;
                    st.rejected_token = None;
                    st.next_background_try = None;
                    let event = Event::TokenFetched {
                        background,
                        lifetime,
                        attempts: ex.attempts,
                        fingerprint: tok.token.fingerprint(),
                    };
                    (Ok(tok), event)
                }
                Err(err) => {
                    // Rejected credentials, and a 200 whose token cannot be used, would fail
                    // the same way at once: remember them instead of asking again.
                    let unusable_grant = err.kind() == ErrorKind::InvalidResponse
                        && err.status().is_some_and(|s| (200..300).contains(&s));
                    if err.kind() == ErrorKind::InvalidCredentials || unusable_grant {
                        st.rejected =
                            Some((now + self.parts.policy.invalid_credentials_ttl, err.clone()));
                    }
                    if background {
                        st.next_background_try =
                            Some(now + self.parts.policy.failed_refresh_backoff);
                    }
                    let event = Event::TokenFetchFailed {
                        background,
                        kind: err.kind(),
                        message: err.message().to_owned(),
                    };
                    (Err(err), event)
                }
            }
        };
        emit(&self.parts.events, event);
        outcome
    }

    /// Computes the refresh point and hard margin of a new token.
    fn schedule(
        &self,
        token: AccessToken,
        bearer: HeaderValue,
        sent_at: Instant,
        lifetime: Duration,
        generation: u64,
    ) -> CachedToken {
        let p = &self.parts.policy;
        let margin = p
            .max_margin
            .min(lifetime.mul_f64(crate::policy::EXPIRY_MARGIN_FRACTION));
        let usable_until = sent_at + lifetime.saturating_sub(margin);
        let refresh_at = if p.ahead {
            let spread = p.jitter * (2.0 * fastrand::f64() - 1.0);
            let f = (p.refresh_ahead + spread).clamp(0.0, 1.0);
            (sent_at + lifetime.mul_f64(f)).min(usable_until)
        } else {
            usable_until
        };
        CachedToken {
            token,
            bearer,
            generation,
            refresh_at,
            usable_until,
        }
    }
}

/// The `Authorization` value for an access token, marked sensitive so that it is never logged.
fn bearer_header(token: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
        Error::new(
            ErrorKind::InvalidResponse,
            "the token endpoint returned an access token that cannot be sent in a header",
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}
