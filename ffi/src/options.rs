//! `lx_options`: string-keyed client settings, extensible without breaking the ABI.

use std::ffi::{c_char, c_void};
use std::time::Duration;

use leanix_core::ClientBuilder;

use crate::args::{out, required_str};
use crate::boundary::guard;
use crate::error::{lx_error, Failure};
use crate::events::{lx_event_callback, Callback};
use crate::registry::{self, Object};
use crate::status::lx_status;

/// Opaque client settings. Create with lx_options_new(), set keys with lx_options_set(), build
/// clients with lx_client_build() (as many as you like), release with lx_free().
/// Thread safety: one thread at a time.
pub struct lx_options {
    _private: [u8; 0],
}

/// What lives behind an `lx_options *`.
pub(crate) struct OptionsObject {
    pub builder: ClientBuilder,
    pub callback: Option<Callback>,
}

/// Creates an options object with the defaults; host and API token default to `LEANIX_HOST` and
/// `LEANIX_API_TOKEN` from the environment (read now).
///
/// Ownership: `*out_options` is owned by the caller; release with lx_free().
#[no_mangle]
pub extern "C" fn lx_options_new(
    out_options: *mut *mut lx_options,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_options, "out_options")?;
        let object = OptionsObject {
            builder: ClientBuilder::from_env(),
            callback: None,
        };
        let ptr = registry::insert(Object::Options(Box::new(object)));
        // SAFETY: checked non-NULL above.
        unsafe { *out_options = ptr.cast() };
        Ok(())
    })
}

/// Sets one option. Keys (values are strings):
///
/// | key | value |
/// |-----|-------|
/// | `host` | `acme.leanix.net`, `https://acme.leanix.net` or a workspace URL |
/// | `api_token` | the API token (kept in zeroed-on-free memory) |
/// | `allow_insecure_loopback` | `1`/`0`: allow `http://` to 127.0.0.1/localhost (tests, sandbox) |
/// | `connect_timeout_ms`, `token_timeout_ms`, `request_timeout_ms` | positive integers (defaults 5000, 10000, 60000) |
/// | `proxy` | proxy URL for all requests (default: `HTTPS_PROXY`/`NO_PROXY` from the environment) |
/// | `ca_file` | path of a PEM file of extra CA certificates to trust |
/// | `ca_pem` | PEM text of extra CA certificates to trust |
/// | `user_agent` | the User-Agent header |
/// | `max_attempts`, `token_attempts` | 1..10 (default 3) |
/// | `retry_base_delay_ms`, `retry_max_delay_ms`, `max_retry_after_ms` | backoff settings |
/// | `refresh_ahead` | fraction of the token lifetime after which to refresh in the background (default 0.75) |
/// | `refresh_on_expiry_only` | `1`: no refresh ahead (requests wait at expiry; for comparisons) |
/// | `invalid_credentials_ttl_ms`, `failed_refresh_backoff_ms`, `expiry_margin_ms` | token policy |
///
/// Returns `LX_ERR_INVALID_ARG` for an unknown key or a value of the wrong form (the message
/// names it). Values are validated together when the client is built.
#[no_mangle]
pub extern "C" fn lx_options_set(
    options: *mut lx_options,
    key: *const c_char,
    value: *const c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        if options.is_null() {
            return Err(crate::args::null_arg("options"));
        }
        let key = required_str(key, "key")?;
        let value = required_str(value, "value")?;
        let builder = with_options(options, |o| o.builder.clone())?;
        let updated = apply(builder, key, value)?;
        with_options(options, |o| o.builder = updated)
    })
}

/// Registers an event callback for clients built from these options (NULL removes it).
/// `userdata` is passed back untouched; it must stay valid while any such client lives.
/// See `lx_event_callback` for the threads it runs on.
#[no_mangle]
pub extern "C" fn lx_options_set_event_callback(
    options: *mut lx_options,
    callback: lx_event_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        if options.is_null() {
            return Err(crate::args::null_arg("options"));
        }
        let callback = callback.map(|function| Callback { function, userdata });
        with_options(options, |o| o.callback = callback)
    })
}

pub(crate) fn with_options<R>(
    options: *const lx_options,
    f: impl FnOnce(&mut OptionsObject) -> R,
) -> Result<R, Failure> {
    registry::with(options as *const c_void, |o| match o {
        Object::Options(opts) => Some(f(opts)),
        _ => None,
    })
    .flatten()
    .ok_or_else(|| {
        Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            "argument `options` is not a live lx_options (freed already?)",
        )
    })
}

fn apply(b: ClientBuilder, key: &str, value: &str) -> Result<ClientBuilder, Failure> {
    Ok(match key {
        "host" => b.host(value),
        "api_token" => b.api_token(value),
        "allow_insecure_loopback" => b.allow_insecure_loopback(flag(key, value)?),
        "connect_timeout_ms" => b.connect_timeout(millis(key, value)?),
        "token_timeout_ms" => b.token_timeout(millis(key, value)?),
        "request_timeout_ms" => b.request_timeout(millis(key, value)?),
        "proxy" => b.proxy(value),
        "ca_file" => b.add_ca_pem(read_ca_file(value)?),
        "ca_pem" => b.add_ca_pem(value.as_bytes().to_vec()),
        "user_agent" => b.user_agent(value),
        "max_attempts" => b.max_attempts(integer(key, value)?),
        "token_attempts" => b.token_attempts(integer(key, value)?),
        "retry_base_delay_ms" => b.retry_base_delay(millis(key, value)?),
        "retry_max_delay_ms" => b.retry_max_delay(millis(key, value)?),
        "max_retry_after_ms" => b.max_retry_after(millis(key, value)?),
        "refresh_ahead" => b.refresh_ahead(
            value
                .trim()
                .parse()
                .map_err(|_| bad_value(key, value, "a number in (0, 1]"))?,
        ),
        "refresh_on_expiry_only" => {
            if flag(key, value)? {
                b.refresh_on_expiry_only()
            } else {
                b.refresh_ahead(0.75)
            }
        }
        "invalid_credentials_ttl_ms" => b.invalid_credentials_ttl(millis(key, value)?),
        "failed_refresh_backoff_ms" => b.failed_refresh_backoff(millis(key, value)?),
        "expiry_margin_ms" => b.expiry_margin(millis(key, value)?),
        _ => {
            return Err(Failure::new(
                lx_status::LX_ERR_INVALID_ARG,
                format!(
                    "unknown option key {:?}",
                    key.chars().take(60).collect::<String>()
                ),
            ))
        }
    })
}

/// Largest CA file read: CA bundles are a few hundred KiB; without a bound, a path such as
/// `/dev/zero` would make the library allocate until the process runs out of memory.
const MAX_CA_FILE: u64 = 16 * 1024 * 1024;

fn read_ca_file(path: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let failure = |detail: String| {
        Failure::new(
            lx_status::LX_ERR_CONFIG,
            format!("cannot read the CA file {path:?}: {detail}"),
        )
    };
    let file = std::fs::File::open(path).map_err(|e| failure(e.to_string()))?;
    let mut pem = Vec::new();
    file.take(MAX_CA_FILE + 1)
        .read_to_end(&mut pem)
        .map_err(|e| failure(e.to_string()))?;
    if pem.len() as u64 > MAX_CA_FILE {
        return Err(failure(format!(
            "larger than {} MiB",
            MAX_CA_FILE / 1024 / 1024
        )));
    }
    Ok(pem)
}

fn bad_value(key: &str, value: &str, expected: &str) -> Failure {
    // Option values are not secret except api_token, which never reaches here.
    Failure::new(
        lx_status::LX_ERR_INVALID_ARG,
        format!(
            "option {key} must be {expected}, not {:?}",
            value.chars().take(40).collect::<String>()
        ),
    )
}

fn flag(key: &str, value: &str) -> Result<bool, Failure> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(bad_value(key, value, "1 or 0")),
    }
}

fn integer(key: &str, value: &str) -> Result<u32, Failure> {
    value
        .trim()
        .parse()
        .map_err(|_| bad_value(key, value, "a whole number"))
}

fn millis(key: &str, value: &str) -> Result<Duration, Failure> {
    let ms: u64 = value
        .trim()
        .parse()
        .map_err(|_| bad_value(key, value, "a whole number of milliseconds"))?;
    Ok(Duration::from_millis(ms))
}
