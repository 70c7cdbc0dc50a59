//! `lx_options`: string-keyed client settings, extensible without breaking the ABI.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leanix_core::policy::*;
use leanix_core::ClientBuilder;
// The setters' type, short in the table of keys.
use leanix_core::ClientBuilder as B;

use crate::answer::publish_call;
use crate::args::{out, required_str};
use crate::boundary::guard;
use crate::error::{lx_error, Failure};
use crate::events::{lx_event_callback, Callback};
use crate::registry;
use crate::status::lx_status;

/// Opaque client settings. Create with lx_options_new(), set keys with lx_options_set(), build
/// clients with lx_client_build() (as many as you like), release with lx_free().
/// Thread safety: any thread, one call at a time per object (calls on one object from several
/// threads are serialised, not corrupted).
pub struct lx_options {
    _private: [u8; 0],
}

/// What lives behind an `lx_options *`.
pub(crate) struct OptionsObject {
    pub builder: ClientBuilder,
    pub callback: Option<Callback>,
}

/// The builder setting a value makes, by the form the value is read in.
type Sets<T> = fn(ClientBuilder, T) -> ClientBuilder;

/// How a key's value is read, the default it has, and what it sets.
#[derive(Clone, Copy)]
enum Value {
    /// Text, used as given; no default. Setting it may fail (a CA file that cannot be read).
    Text(fn(ClientBuilder, &str) -> Result<ClientBuilder, Failure>),
    /// `1`/`0` (also `true`/`false`, `yes`/`no`, `on`/`off`).
    Flag(bool, Sets<bool>),
    /// A whole number of milliseconds.
    Millis(Duration, Sets<Duration>),
    /// A whole number, up to `u32::MAX` (larger ones are taken as that).
    Count(u32, Sets<u32>),
    /// A whole number of bytes or pages, up to `usize::MAX` (larger ones are taken as that).
    Size(usize, Sets<usize>),
    /// A number in (0, 1].
    Fraction(f64, Sets<f64>),
}

use Value::{Count, Flag, Fraction, Millis, Size, Text};

/// One option key: its name, and its value's form, default and setter.
struct Key {
    name: &'static str,
    value: Value,
}

/// One entry of [`KEYS`].
const fn key(name: &'static str, value: Value) -> Key {
    Key { name, value }
}

/// The setter of `allowed_instance_hosts`: each comma-separated host name is allowed.
fn allow_instance_hosts(builder: ClientBuilder, hosts: &str) -> Result<ClientBuilder, Failure> {
    Ok(hosts
        .split(',')
        .filter(|h| !h.trim().is_empty())
        .fold(builder, |b, h| b.allow_instance_host(h)))
}

/// Every option key, in the order the header documents them. The one table of names, forms,
/// defaults (from `leanix_core::policy`) and setters (`B` is `ClientBuilder`), one key a line.
#[rustfmt::skip]
const KEYS: &[Key] = &[
    key("host", Text(|b, t| Ok(b.host(t)))),
    key("api_token", Text(|b, t| Ok(b.api_token(t)))),
    key("allow_insecure_loopback", Flag(false, B::allow_insecure_loopback)),
    key("connect_timeout_ms", Millis(DEFAULT_CONNECT_TIMEOUT, B::connect_timeout)),
    key("token_timeout_ms", Millis(DEFAULT_TOKEN_TIMEOUT, B::token_timeout)),
    key("request_timeout_ms", Millis(DEFAULT_REQUEST_TIMEOUT, B::request_timeout)),
    key("proxy", Text(|b, t| Ok(b.proxy(t)))),
    key("ca_file", Text(|b, t| Ok(b.add_ca_pem(leanix_core::read_ca_file(t)?)))),
    key("ca_pem", Text(|b, t| Ok(b.add_ca_pem(t)))),
    key("user_agent", Text(|b, t| Ok(b.user_agent(t)))),
    key("max_attempts", Count(DEFAULT_MAX_ATTEMPTS, B::max_attempts)),
    key("token_attempts", Count(DEFAULT_TOKEN_ATTEMPTS, B::token_attempts)),
    key("retry_base_delay_ms", Millis(DEFAULT_RETRY_BASE_DELAY, B::retry_base_delay)),
    key("retry_max_delay_ms", Millis(DEFAULT_RETRY_MAX_DELAY, B::retry_max_delay)),
    key("max_retry_after_ms", Millis(DEFAULT_MAX_RETRY_AFTER, B::max_retry_after)),
    key("refresh_ahead", Fraction(DEFAULT_REFRESH_AHEAD, B::refresh_ahead)),
    key("refresh_on_expiry_only", Flag(false, |b, f| b.refresh_ahead_enabled(!f))),
    key("invalid_credentials_ttl_ms",
        Millis(DEFAULT_INVALID_CREDENTIALS_TTL, B::invalid_credentials_ttl)),
    key("failed_refresh_backoff_ms",
        Millis(DEFAULT_FAILED_REFRESH_BACKOFF, B::failed_refresh_backoff)),
    key("expiry_margin_ms", Millis(DEFAULT_EXPIRY_MARGIN, B::expiry_margin)),
    key("max_response_bytes", Size(DEFAULT_MAX_RESPONSE_BYTES, B::max_response_bytes)),
    key("adaptive_pacing", Flag(DEFAULT_ADAPTIVE_PACING, B::adaptive_pacing)),
    key("max_requests_per_minute", Count(0, |b, n| b.max_requests_per_minute((n > 0).then_some(n)))),
    key("reauth_interval_ms", Millis(DEFAULT_REAUTH_INTERVAL, B::reauth_interval)),
    key("max_pages", Size(DEFAULT_MAX_PAGES, B::max_pages)),
    key("insecure_loopback", Flag(false, B::insecure_loopback)),
    key("token_cache", Flag(false, B::token_cache)),
    key("token_cache_dir", Text(|b, t| Ok(b.token_cache_dir(t)))),
    key("route_by_instance_url", Flag(DEFAULT_ROUTE_BY_INSTANCE_URL, B::route_by_instance_url)),
    key("allowed_instance_hosts", Text(allow_instance_hosts)),
];

fn key_index(name: &str) -> Result<usize, Failure> {
    KEYS.iter().position(|k| k.name == name).ok_or_else(|| {
        Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            format!(
                "unknown option key {:?}",
                name.chars().take(60).collect::<String>()
            ),
        )
    })
}

fn count_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn count_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A whole number (of any size `u64` holds), or what the value should have been.
fn whole_number(text: &str) -> Result<u64, &'static str> {
    text.parse().map_err(|_| "a whole number")
}

/// `builder` with `key` set to `text`, read in the form the key expects.
fn set(key: &Key, builder: ClientBuilder, text: &str) -> Result<ClientBuilder, Failure> {
    let t = text.trim();
    let bad = |expected: &str| bad_value(key.name, text, expected);
    Ok(match key.value {
        Text(apply) => return apply(builder, text),
        Flag(_, apply) => match t.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => apply(builder, true),
            "0" | "false" | "no" | "off" => apply(builder, false),
            _ => return Err(bad("1 or 0")),
        },
        Millis(_, apply) => {
            let ms = t
                .parse()
                .map_err(|_| bad("a whole number of milliseconds"))?;
            apply(builder, Duration::from_millis(ms))
        }
        Count(_, apply) => apply(builder, count_u32(whole_number(t).map_err(bad)?)),
        Size(_, apply) => apply(builder, count_usize(whole_number(t).map_err(bad)?)),
        Fraction(_, apply) => apply(builder, t.parse().map_err(|_| bad("a number in (0, 1]"))?),
    })
}

/// The default of `key` as lx_options_set() would take it, or `None` for keys without one.
fn default_text(key: &Key) -> Option<String> {
    Some(match key.value {
        Text(_) => return None,
        Flag(f, _) => (if f { "1" } else { "0" }).to_owned(),
        Millis(d, _) => d.as_millis().to_string(),
        Count(n, _) => n.to_string(),
        Size(n, _) => n.to_string(),
        Fraction(f, _) => f.to_string(),
    })
}

/// Creates an options object with the defaults; host and API token default to `LEANIX_HOST` and
/// `LEANIX_API_TOKEN` from the environment, and `insecure_loopback` to `LEANIX_INSECURE_LOOPBACK`
/// (read now; a value of it that is not `1`/`0` fails lx_client_build() with `LX_ERR_CONFIG`).
///
/// Ownership: `*out_options` is owned by the caller; release with lx_free().
/// Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_options_new(
    out_options: *mut *mut lx_options,
    err: *mut *mut lx_error,
) -> lx_status {
    publish_call(out_options, "out_options", err, || {
        let object = OptionsObject {
            builder: ClientBuilder::from_env(),
            callback: None,
        };
        Ok(Arc::new(Mutex::new(object)))
    })
}

/// Sets one option. Keys (values are strings; defaults are the `LX_DEFAULT_*` constants, and
/// lx_options_default() returns them at run time):
///
/// | key | value |
/// |-----|-------|
/// | `host` | `acme.leanix.net`, `https://acme.leanix.net` or a workspace URL |
/// | `api_token` | the API token (kept in zeroed-on-free memory) |
/// | `insecure_loopback` | `1`/`0`: allow `http://` to 127.0.0.1/localhost (tests, sandbox); default `LEANIX_INSECURE_LOOPBACK` from the environment, else `0` |
/// | `allow_insecure_loopback` | the older spelling of `insecure_loopback`, kept working |
/// | `connect_timeout_ms` | connect timeout (`LX_DEFAULT_CONNECT_TIMEOUT_MS`) |
/// | `token_timeout_ms` | one token-exchange attempt (`LX_DEFAULT_TOKEN_TIMEOUT_MS`) |
/// | `request_timeout_ms` | deadline of a whole call: exchange, attempts and waits (`LX_DEFAULT_REQUEST_TIMEOUT_MS`) |
/// | `proxy` | `http://` or `https://` proxy for all requests (default: `HTTPS_PROXY`, else `ALL_PROXY`, and `NO_PROXY`; one of another scheme fails the build with `LX_ERR_CONFIG`); refused with an `http://` host |
/// | `ca_file` | path of a PEM file (a regular file) of extra CA certificates to trust |
/// | `ca_pem` | PEM text of extra CA certificates to trust |
/// | `user_agent` | the User-Agent header |
/// | `max_attempts`, `token_attempts` | 1..10 (`LX_DEFAULT_MAX_ATTEMPTS`, `LX_DEFAULT_TOKEN_ATTEMPTS`) |
/// | `retry_base_delay_ms`, `retry_max_delay_ms`, `max_retry_after_ms` | backoff (`LX_DEFAULT_RETRY_BASE_DELAY_MS`, ...) |
/// | `refresh_ahead` | fraction of the token lifetime after which to refresh in the background (`LX_DEFAULT_REFRESH_AHEAD`) |
/// | `refresh_on_expiry_only` | `1`: no refresh ahead (requests wait at expiry; for comparisons); `0`: refresh ahead at the configured fraction |
/// | `invalid_credentials_ttl_ms`, `failed_refresh_backoff_ms`, `expiry_margin_ms` | token cache policy |
/// | `max_response_bytes` | largest response body read (`LX_DEFAULT_MAX_RESPONSE_BYTES`); larger is `LX_ERR_TOO_LARGE`, except a non-2xx answer's, cut there and kept on its error |
/// | `adaptive_pacing` | `1`/`0`: after a 429, pace requests at a rate that recovers gradually (default `1`) |
/// | `max_requests_per_minute` | never more requests per minute from this client, all threads together (`0`, the default: no fixed limit) |
/// | `reauth_interval_ms` | at most one 401-triggered token exchange per interval (`LX_DEFAULT_REAUTH_INTERVAL_MS`) |
/// | `max_pages` | most pages a paging walk (GraphQL or REST) fetches (`LX_DEFAULT_MAX_PAGES`) |
/// | `token_cache` | `1`/`0`: share the access token with other processes of this user through a file (default `0`; see below) |
/// | `token_cache_dir` | turns the token cache on, with its file in this directory (created `0700` if missing) |
/// | `route_by_instance_url` | `1`/`0`: API calls go to the access token's `instanceUrl` when it is `https://` under the host's registrable domain or allowed (default `1`); the token endpoint stays the host |
/// | `allowed_instance_hosts` | comma-separated host names routing may also go to, whatever their domain (each setting adds) |
///
/// The token cache: one file per host and API token (named by a hash of both) in
/// `$XDG_RUNTIME_DIR/leanix/` if that directory exists, else `$XDG_CACHE_HOME/leanix/`, else
/// `~/.cache/leanix/`, or in `token_cache_dir`. The directory is `0700`, the file `0600`, written
/// atomically; a file or directory of another user, with a looser mode, or corrupt, is not used
/// (`LX_EVENT_TOKEN_CACHE_IGNORED`). Processes that need a token together take a lock beside the
/// file and make one exchange between them; a token taken from the file is
/// `LX_EVENT_TOKEN_LOADED`. The file holds a bearer token at rest, readable by anything running
/// as the same user; lx_forget_token() removes it.
///
/// Returns `LX_ERR_INVALID_ARG` for an unknown key or a value of the wrong form (the message
/// names it). Values are validated together when the client is built.
/// Thread safety: any thread, one call at a time per object.
#[no_mangle]
pub extern "C" fn lx_options_set(
    options: *mut lx_options,
    key: *const c_char,
    value: *const c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        let object = registry::get::<lx_options>(options, "options")?;
        let key = &KEYS[key_index(required_str(key, "key")?)?];
        let value = required_str(value, "value")?;
        let mut o = object.lock().unwrap_or_else(|p| p.into_inner());
        o.builder = set(key, o.builder.clone(), value)?;
        Ok(())
    })
}

/// The default value of option `key`, as lx_options_set() takes it (`"5000"` for
/// `connect_timeout_ms`), for bindings that document or show the defaults without copying
/// them. `LX_ERR_NOT_FOUND` for keys without a default (`host`, `proxy`, ...),
/// `LX_ERR_INVALID_ARG` for unknown keys.
///
/// Ownership: `*out_value` is a static string; never free it. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_options_default(
    key: *const c_char,
    out_value: *mut *const c_char,
) -> lx_status {
    use once_cell::sync::Lazy;
    use std::ffi::CString;
    static DEFAULTS: Lazy<Vec<Option<CString>>> = Lazy::new(|| {
        KEYS.iter()
            .map(|k| default_text(k).and_then(|t| CString::new(t).ok()))
            .collect()
    });
    guard(std::ptr::null_mut(), || {
        out(out_value, "out_value")?;
        let name = required_str(key, "key")?;
        let text = DEFAULTS[key_index(name)?].as_ref().ok_or_else(|| {
            Failure::new(
                lx_status::LX_ERR_NOT_FOUND,
                format!("option {name} has no default"),
            )
        })?;
        // SAFETY: checked non-NULL above.
        unsafe { *out_value = text.as_ptr() };
        Ok(())
    })
}

/// Registers an event callback for clients built from these options (NULL removes it).
/// `userdata` is passed back untouched; it must stay valid until each such client is closed
/// or freed: once lx_client_close() or lx_free() of a client returns, no event callback of
/// that client runs any more (they wait for callbacks in progress on other threads, so do not
/// hold a lock there that your callback takes). See `lx_event_callback` for the threads it
/// runs on.
/// Thread safety: any thread, one call at a time per object.
#[no_mangle]
pub extern "C" fn lx_options_set_event_callback(
    options: *mut lx_options,
    callback: lx_event_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        let object = registry::get::<lx_options>(options, "options")?;
        let callback = callback.map(|function| Callback { function, userdata });
        object.lock().unwrap_or_else(|p| p.into_inner()).callback = callback;
        Ok(())
    })
}

fn bad_value(key: &str, value: &str, expected: &str) -> Failure {
    // Option values are not secret except api_token, which is text and never reaches here.
    Failure::new(
        lx_status::LX_ERR_INVALID_ARG,
        format!(
            "option {key} must be {expected}, not {:?}",
            value.chars().take(40).collect::<String>()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_one_entry_and_a_documented_default() {
        let header = include_str!(env!("LEANIX_GENERATED_HEADER"));
        for (i, k) in KEYS.iter().enumerate() {
            assert!(KEYS[i + 1..].iter().all(|o| o.name != k.name), "{}", k.name);
            assert!(
                header.contains(&format!("`{}`", k.name)),
                "{} undocumented",
                k.name
            );
        }
    }
}
