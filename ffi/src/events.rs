//! The optional per-client event callback.

use std::ffi::{c_char, c_void, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use leanix_core::{Event, RetryTarget};
use serde_json::json;

/// Kinds of events passed to an `lx_event_callback`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lx_event_kind {
    /// A token was exchanged because a request needed one (cold cache or expired token).
    LX_EVENT_TOKEN_FETCHED = 1,
    /// A token was exchanged in the background ahead of expiry (no request waited).
    LX_EVENT_TOKEN_REFRESHED = 2,
    /// A token exchange failed after its retries (details say whether in the background).
    LX_EVENT_TOKEN_FAILED = 3,
    /// The API answered 401 and the current token was dropped.
    LX_EVENT_TOKEN_REJECTED = 4,
    /// A token exchange or API request is retried after a delay.
    LX_EVENT_RETRY = 5,
    /// The client started pacing itself after a 429, slowed down, or stopped pacing
    /// (details: `started`, `requests_per_minute`, null when not paced).
    LX_EVENT_PACING = 6,
    /// A token was taken from the token cache file, no exchange (details: `fingerprint`,
    /// `expires_in_ms`).
    LX_EVENT_TOKEN_LOADED = 7,
    /// The token cache file or its directory was not used: a warning (details: `path`,
    /// `reason`, e.g. `has mode 0644, which lets other users read it ...; ignored`).
    LX_EVENT_TOKEN_CACHE_IGNORED = 8,
    /// A new access token's `instanceUrl` names another origin within the routing rule: API
    /// calls go there from now on (details: `origin`).
    LX_EVENT_INSTANCE_ROUTED = 9,
    /// A new access token's `instanceUrl` is outside the routing rule and was ignored; calls
    /// stay on the configured host (details: `instance_url`, `reason`).
    LX_EVENT_INSTANCE_REFUSED = 10,
}

/// An event callback: `kind` is an `lx_event_kind`, `details_json` a NUL-terminated JSON object
/// with the event's fields (e.g. `{"event":"retry","target":"api","attempt":1,"delay_ms":200,
/// "reason":"503"}`), borrowed for the duration of the call only. Details never contain a
/// credential; tokens appear only as 8-hex-digit SHA-256 fingerprints.
///
/// Threads: token events (fetched, refreshed, failed) are called on one of the library's I/O
/// threads; retry, token-rejected and pacing events of an API call are called on the thread
/// that drives that call (the caller's own thread for blocking calls), from inside it. Calls
/// may happen on several threads at once, never while the library holds an internal lock.
/// Return quickly; a blocking lx_* call from inside the callback returns
/// `LX_ERR_RECURSIVE_CALL` instead of waiting for itself.
pub type lx_event_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, kind: i32, details_json: *const c_char)>;

/// A callback and its user data, movable to the I/O threads.
#[derive(Clone, Copy)]
pub(crate) struct Callback {
    pub function: unsafe extern "C" fn(*mut c_void, i32, *const c_char),
    pub userdata: *mut c_void,
}

// SAFETY: the caller registers a callback that may be called from any thread (documented), and
// the library never dereferences `userdata` itself.
unsafe impl Send for Callback {}
unsafe impl Sync for Callback {}

impl Callback {
    /// Delivers one event. A panic or an unrepresentable detail string is swallowed.
    pub fn deliver(&self, event: &Event) {
        let Some((kind, details)) = describe(event) else {
            return;
        };
        let Ok(text) = CString::new(details.to_string()) else {
            return;
        };
        // SAFETY: calling the function the user registered, with the data they registered.
        unsafe { (self.function)(self.userdata, kind as i32, text.as_ptr()) };
    }
}

/// Whether the process still takes callbacks (see lx_stop_callbacks()): every delivery, event
/// or completion, holds it for reading while it calls the user's function.
static CALLBACKS_ON: RwLock<bool> = RwLock::new(true);

/// Runs `call` (which calls a user's callback) unless lx_stop_callbacks() was called; returns
/// whether it ran.
pub(crate) fn if_callbacks_on(call: impl FnOnce()) -> bool {
    let on = CALLBACKS_ON.read().unwrap_or_else(|p| p.into_inner());
    if *on {
        call();
    }
    *on
}

/// Stops every callback of the process for good: once it returns, no event callback and no
/// completion callback runs any more, in any thread; it waits for those in progress (except the
/// one it is called from, if any). A completion that arrives later releases its response or
/// error itself, without calling. For a language runtime that is shutting down (Python calls
/// it at interpreter exit, after closing its clients): a callback into a finalizing interpreter
/// would end its thread in the middle of the library.
///
/// Thread safety: any thread. Do not hold a lock there that a callback in progress takes.
#[no_mangle]
pub extern "C" fn lx_stop_callbacks() {
    let _ = std::panic::catch_unwind(|| {
        if leanix_core::blocking::in_callback() {
            // From inside a callback: waiting would wait for ourselves. Later ones stop.
            STOP_REQUESTED.store(true, Ordering::Release);
        } else {
            *CALLBACKS_ON.write().unwrap_or_else(|p| p.into_inner()) = false;
        }
    });
}

/// lx_stop_callbacks() from inside a callback: the next delivery turns callbacks off.
static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);

/// Applies a stop requested from inside a callback (called before each delivery).
fn apply_stop_request() {
    if STOP_REQUESTED.load(Ordering::Acquire) && !leanix_core::blocking::in_callback() {
        *CALLBACKS_ON.write().unwrap_or_else(|p| p.into_inner()) = false;
    }
}

/// Runs a delivery under the process-wide switch.
pub(crate) fn deliver_if_on(call: impl FnOnce()) -> bool {
    apply_stop_request();
    if_callbacks_on(call)
}

/// The event callback of one client, closed when the client is closed or freed: no callback
/// starts after that, and closing waits for the callbacks in progress (unless it is called from
/// inside one), so a binding that frees its client may release what the callback uses, and an
/// interpreter that frees its clients at exit gets no call while it shuts down.
pub(crate) struct EventGate {
    callback: Callback,
    open: AtomicBool,
    running: RwLock<()>,
}

impl EventGate {
    pub fn new(callback: Callback) -> Arc<Self> {
        Arc::new(EventGate {
            callback,
            open: AtomicBool::new(true),
            running: RwLock::new(()),
        })
    }

    /// Delivers one event, unless the gate is closed.
    pub fn deliver(&self, event: &Event) {
        let _running = self.running.read().unwrap_or_else(|p| p.into_inner());
        if self.open.load(Ordering::Acquire) {
            deliver_if_on(|| self.callback.deliver(event));
        }
    }

    /// Lets no further event through and waits for those being delivered (not for the one
    /// this thread may be inside).
    pub fn close(&self) {
        self.open.store(false, Ordering::Release);
        if !leanix_core::blocking::in_callback() {
            drop(self.running.write().unwrap_or_else(|p| p.into_inner()));
        }
    }
}

impl lx_event_kind {
    /// The `event` field of the details of this kind: its name without `LX_EVENT_`, in lower
    /// case (`LX_EVENT_TOKEN_FETCHED` is `token_fetched`).
    fn name(self) -> String {
        let name = format!("{self:?}");
        name.trim_start_matches("LX_EVENT_").to_ascii_lowercase()
    }
}

/// The kind of `event` and its details: the JSON object whose `event` field (first) names the
/// kind, followed by the event's own fields. `None` for an event the C API does not pass on.
fn describe(event: &Event) -> Option<(lx_event_kind, serde_json::Value)> {
    let (kind, fields) = kind_and_fields(event)?;
    let mut details = serde_json::Map::new();
    details.insert("event".to_owned(), kind.name().into());
    if let serde_json::Value::Object(fields) = fields {
        details.extend(fields);
    }
    Some((kind, details.into()))
}

/// The kind of `event` and its own fields (see [`describe`]).
fn kind_and_fields(event: &Event) -> Option<(lx_event_kind, serde_json::Value)> {
    use lx_event_kind::*;
    Some(match event {
        Event::TokenFetched {
            background,
            lifetime,
            attempts,
            fingerprint,
        } => (
            if *background {
                LX_EVENT_TOKEN_REFRESHED
            } else {
                LX_EVENT_TOKEN_FETCHED
            },
            json!({"background": background, "lifetime_ms": lifetime.as_millis() as u64,
                   "attempts": attempts, "fingerprint": fingerprint}),
        ),
        Event::TokenFetchFailed {
            background,
            kind,
            message,
        } => (
            LX_EVENT_TOKEN_FAILED,
            json!({"background": background,
                   "status": crate::status::lx_status::from_kind(*kind) as i32,
                   "kind": kind.as_str(), "message": message}),
        ),
        Event::TokenRejected { fingerprint } => {
            (LX_EVENT_TOKEN_REJECTED, json!({"fingerprint": fingerprint}))
        }
        Event::Retry {
            target,
            attempt,
            delay,
            reason,
        } => (
            LX_EVENT_RETRY,
            json!({"target": match target { RetryTarget::Token => "token", RetryTarget::Api => "api" },
                   "attempt": attempt, "delay_ms": delay.as_millis() as u64, "reason": reason}),
        ),
        Event::Pacing {
            started,
            requests_per_minute,
        } => (
            LX_EVENT_PACING,
            json!({"started": started, "requests_per_minute": requests_per_minute}),
        ),
        Event::TokenLoaded {
            fingerprint,
            expires_in,
        } => (
            LX_EVENT_TOKEN_LOADED,
            json!({"fingerprint": fingerprint, "expires_in_ms": expires_in.as_millis() as u64}),
        ),
        Event::TokenCacheIgnored { path, reason } => (
            LX_EVENT_TOKEN_CACHE_IGNORED,
            json!({"path": path.to_string_lossy(), "reason": reason}),
        ),
        Event::InstanceRouted { origin } => (LX_EVENT_INSTANCE_ROUTED, json!({"origin": origin})),
        Event::InstanceRefused {
            instance_url,
            reason,
        } => (
            LX_EVENT_INSTANCE_REFUSED,
            json!({"instance_url": instance_url, "reason": reason}),
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_name_the_event_first_then_its_fields() {
        let event = Event::InstanceRouted {
            origin: "https://eu-2.leanix.net".to_owned(),
        };
        let (kind, details) = describe(&event).expect("passed on");
        assert_eq!(kind, lx_event_kind::LX_EVENT_INSTANCE_ROUTED);
        assert_eq!(
            details.to_string(),
            r#"{"event":"instance_routed","origin":"https://eu-2.leanix.net"}"#
        );
    }

    #[test]
    fn event_names_are_the_kinds_in_lower_case() {
        use lx_event_kind::*;
        let names = [
            (LX_EVENT_TOKEN_FETCHED, "token_fetched"),
            (LX_EVENT_TOKEN_REFRESHED, "token_refreshed"),
            (LX_EVENT_TOKEN_FAILED, "token_failed"),
            (LX_EVENT_TOKEN_REJECTED, "token_rejected"),
            (LX_EVENT_RETRY, "retry"),
            (LX_EVENT_PACING, "pacing"),
            (LX_EVENT_TOKEN_LOADED, "token_loaded"),
            (LX_EVENT_TOKEN_CACHE_IGNORED, "token_cache_ignored"),
            (LX_EVENT_INSTANCE_ROUTED, "instance_routed"),
            (LX_EVENT_INSTANCE_REFUSED, "instance_refused"),
        ];
        for (kind, name) in names {
            assert_eq!(kind.name(), name);
        }
    }
}
