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

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, Shared};
use reqwest::header::HeaderValue;

use crate::config::RefreshPolicy;
use crate::error::{Error, ErrorKind};
use crate::events::{emit, Event, EventHandler};
use crate::exchange::Exchanger;
use crate::secret::AccessToken;

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
}

struct Inner {
    exchanger: Exchanger,
    spawner: Option<tokio::runtime::Handle>,
    policy: RefreshPolicy,
    clock: Arc<dyn crate::Clock>,
    events: Option<EventHandler>,
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
    pub fn new(
        exchanger: Exchanger,
        spawner: Option<tokio::runtime::Handle>,
        policy: RefreshPolicy,
        clock: Arc<dyn crate::Clock>,
        events: Option<EventHandler>,
    ) -> Self {
        TokenManager {
            inner: Arc::new(Inner {
                exchanger,
                spawner,
                policy,
                clock,
                events,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// A token that is safe to send now, fetching one if needed (must run inside a tokio runtime).
    pub async fn token(&self) -> Result<Arc<CachedToken>, Error> {
        let waiting = {
            let mut st = self.inner.lock();
            let now = self.inner.clock.now();
            if let Some(tok) = st.current.clone() {
                if now < tok.usable_until {
                    let may_refresh = now >= tok.refresh_at
                        && st.inflight.is_none()
                        && st.next_background_try.is_none_or(|t| now >= t);
                    if may_refresh {
                        // Nobody waits for a background refresh; its task runs on its own.
                        let _background = Inner::start_fetch(&self.inner, &mut st, true);
                    }
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
                None => Inner::start_fetch(&self.inner, &mut st, false),
            }
        };
        waiting.await
    }

    /// The API rejected the token of `generation` with 401: drops it if it is still the
    /// current one, so that the replay exchanges a new one. At most one such exchange per
    /// `reauth_interval`: a 401 of the current token within it is final
    /// ([`Reauth::Refused`]). A token that another call already replaced is simply replayed
    /// with the new one.
    pub fn reauthorize(&self, generation: u64, reauth_interval: Duration) -> Reauth {
        let now = self.inner.clock.now();
        let dropped = {
            let mut st = self.inner.lock();
            match &st.current {
                Some(t) if t.generation == generation => {
                    if st.last_reauth.is_some_and(|at| now < at + reauth_interval) {
                        return Reauth::Refused;
                    }
                    st.last_reauth = Some(now);
                    st.current.take()
                }
                _ => None,
            }
        };
        if let Some(t) = dropped {
            emit(
                &self.inner.events,
                Event::TokenRejected {
                    fingerprint: t.token.fingerprint(),
                },
            );
        }
        Reauth::Replay
    }

    /// The cached token without fetching, if any (even if past its margin).
    pub fn peek(&self) -> Option<Arc<CachedToken>> {
        self.inner.lock().current.clone()
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

    /// Starts one fetch in its own task and records it as in flight. Called with the lock held.
    fn start_fetch(this: &Arc<Inner>, st: &mut State, background: bool) -> FetchFuture {
        let inner = Arc::clone(this);
        let fetch = async move { inner.fetch(background).await };
        let task = match &this.spawner {
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

    /// Runs the exchange and publishes its outcome; emits the event after unlocking.
    async fn fetch(&self, background: bool) -> Result<Arc<CachedToken>, Error> {
        let result = self.exchanger.exchange().await.and_then(|ex| {
            let bearer = bearer_header(ex.grant.access_token.expose_secret())?;
            Ok((ex, bearer))
        });
        let now = self.clock.now();
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
                            Some((now + self.policy.invalid_credentials_ttl, err.clone()));
                    }
                    if background {
                        st.next_background_try = Some(now + self.policy.failed_refresh_backoff);
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
        emit(&self.events, event);
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
        let p = &self.policy;
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
