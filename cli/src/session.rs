//! A ready client: the real LeanIX host from the settings, or the embedded sandbox.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use leanix::blocking::Client;
#[cfg(feature = "sandbox")]
use leanix::ApiToken;
use leanix::{Event, Request, Response, RetryTarget};
#[cfg(feature = "sandbox")]
use leanix_sandbox::Sandbox;

use crate::args::GlobalOpts;
#[cfg(feature = "sandbox")]
use crate::config::Source;
use crate::config::{display_host, shown, Limits, Settings};
use crate::exit::{CliError, CliResult};
use crate::output::{is_verbose, verbose, warn};

/// Stands in for the embedded sandbox in a build without it (`--no-default-features`): no
/// value of it exists, so a session never has one.
#[cfg(not(feature = "sandbox"))]
pub enum Sandbox {}

/// What a build without the embedded sandbox says when it is asked for one.
#[cfg(not(feature = "sandbox"))]
pub const NO_SANDBOX: &str =
    "this lx was built without the embedded sandbox (cargo install --path \
     cli --no-default-features), which lx demo without an account and --sandbox need. Install \
     the default build (cargo install --path cli), or start lx-sandbox (cargo run -p \
     leanix-sandbox) and point LEANIX_HOST and LEANIX_API_TOKEN at it with \
     LEANIX_INSECURE_LOOPBACK=1";

/// A configured client and, in sandbox mode, the sandbox it talks to.
pub struct Session {
    /// The blocking client; it caches its access token for the life of the process.
    pub client: Client,
    /// The embedded sandbox, kept alive while the session lives.
    pub sandbox: Option<Sandbox>,
    exchanges: Arc<AtomicU64>,
    api_token_fingerprint: String,
}

/// At the end of a run, a background token refresh that a call started (the cached token
/// passed its refresh point) is waited for, at most the token timeout, so that it reaches the
/// token cache for the next run instead of being dropped at exit: otherwise a loop of short
/// `lx` runs would never refresh ahead and pay one exchange in the foreground per token
/// lifetime. Skipped after a signal (the client is closed then).
impl Drop for Session {
    fn drop(&mut self) {
        if self.client.token_cache_file().is_some() && crate::interrupt::received().is_none() {
            self.client
                .settle_refresh(leanix::policy::DEFAULT_TOKEN_TIMEOUT);
        }
    }
}

impl Session {
    /// Opens a session against the sandbox (`--sandbox`, or `sandbox` set by the caller) or
    /// against the host and token resolved from flags, environment and config file.
    pub fn open(opts: &GlobalOpts, sandbox: bool) -> CliResult<Session> {
        if sandbox {
            return Session::sandbox(opts);
        }
        Session::from_settings(Settings::resolve(opts)?)
    }

    /// Opens a session from resolved settings.
    pub fn from_settings(settings: Settings) -> CliResult<Session> {
        let config_hint = settings
            .file
            .path
            .as_ref()
            .map(|p| format!(", or set it in {}", p.display()))
            .unwrap_or_default();
        let host = settings.host.ok_or_else(|| {
            CliError::usage(format!(
                "no LeanIX host: pass --host acme.leanix.net or set LEANIX_HOST{config_hint} \
                 (or try lx --sandbox ...)"
            ))
        })?;
        let token = settings.api_token.ok_or_else(|| {
            CliError::usage(format!(
                "no LeanIX API token: set LEANIX_API_TOKEN, pass --api-token-file PATH or \
                 --api-token-stdin{config_hint} (or try lx --sandbox ...)"
            ))
        })?;
        verbose(&format!(
            "host {} (from {})",
            display_host(&host.value),
            host.source
        ));
        verbose(&format!(
            "API token sha256:{}… (from {})",
            token.value.fingerprint(),
            token.source
        ));
        let fingerprint = token.value.fingerprint();
        let mut builder = Client::builder()
            .host(host.value)
            .api_token(token.value)
            .insecure_loopback(settings.insecure_loopback.as_ref().is_some_and(|l| l.value))
            .token_cache(settings.token_cache.value);
        if let Some(l) = &settings.insecure_loopback {
            verbose(&format!(
                "insecure_loopback {} (from {})",
                l.value, l.source
            ));
        }
        if !settings.token_cache.value {
            verbose(&format!(
                "token cache off (from {})",
                settings.token_cache.source
            ));
        }
        if let Some(proxy) = settings.proxy {
            verbose(&format!("proxy from {}", proxy.source));
            builder = builder.proxy(proxy.value);
        }
        if let Some(ca) = settings.ca_file {
            // A regular file only, bounded: a FIFO or /dev/zero is refused at once.
            let pem = leanix::read_ca_file(&ca.value)
                .map_err(|e| CliError::usage(format!("{} (from {})", e.message(), ca.source)))?;
            verbose(&format!(
                "extra CA certificates from {}",
                ca.value.display()
            ));
            builder = builder.add_ca_pem(pem);
        }
        Session::build(builder, fingerprint, settings.limits, None)
    }

    #[cfg(not(feature = "sandbox"))]
    fn sandbox(_opts: &GlobalOpts) -> CliResult<Session> {
        Err(CliError::usage(NO_SANDBOX))
    }

    #[cfg(feature = "sandbox")]
    fn sandbox(opts: &GlobalOpts) -> CliResult<Session> {
        if opts.host.is_some() || opts.api_token_file.is_some() || opts.api_token_stdin {
            return Err(CliError::usage(
                "--sandbox brings its own host and API token: drop --host, --api-token-file and \
                 --api-token-stdin",
            ));
        }
        let started = Instant::now();
        let sandbox = Sandbox::start().map_err(|e| {
            CliError::new(
                crate::exit::Exit::Other,
                format!("cannot start the embedded sandbox: {e}"),
            )
        })?;
        verbose(&format!(
            "sandbox started at {} in {} ms (host and API token from {})",
            sandbox.url(),
            started.elapsed().as_millis(),
            Source::Sandbox
        ));
        let token = ApiToken::new(sandbox.api_token().to_string());
        let fingerprint = token.fingerprint();
        let builder = Client::builder()
            .host(sandbox.url().to_string())
            .api_token(token)
            .insecure_loopback(true);
        Session::build(builder, fingerprint, Limits::of(opts), Some(sandbox))
    }

    fn build(
        mut builder: leanix::ClientBuilder,
        api_token_fingerprint: String,
        limits: Limits,
        sandbox: Option<Sandbox>,
    ) -> CliResult<Session> {
        builder = builder.user_agent(format!(
            "lx/{} leanix-rs/{}",
            env!("CARGO_PKG_VERSION"),
            leanix::VERSION
        ));
        for (what, value) in [
            (
                "max_requests_per_minute",
                shown(&limits.max_requests_per_minute, u32::to_string),
            ),
            (
                "adaptive_pacing",
                shown(&limits.adaptive_pacing, bool::to_string),
            ),
            (
                "reauth_interval",
                shown(&limits.reauth_interval, |d| {
                    format!("{} s", d.as_secs_f64())
                }),
            ),
            ("max_pages", shown(&limits.max_pages, usize::to_string)),
            (
                "instance_routing",
                shown(&limits.instance_routing, bool::to_string),
            ),
            (
                "allowed_instance_hosts",
                shown(&limits.allowed_instance_hosts, |h| h.join(",")),
            ),
        ] {
            if let Some((value, source)) = value {
                verbose(&format!("{what} {value} (from {source})"));
            }
        }
        builder = limits.apply(builder);
        let exchanges = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&exchanges);
        builder = builder.on_event(move |event| {
            if matches!(event, Event::TokenFetched { .. }) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            if let Event::TokenCacheIgnored { path, reason } = event {
                // Always shown: a token file others can read, or one that cannot be used.
                let place = if path.as_os_str().is_empty() {
                    String::new()
                } else {
                    format!("{} ", path.display())
                };
                warn(&format!("token cache: {place}{reason}"));
            } else if is_verbose() {
                verbose(&describe(event));
            } else if matches!(event, Event::InstanceRefused { .. })
                && counter.load(Ordering::Relaxed) > 0
            {
                // Calls that fail on the configured host are explained by this: shown by the
                // run that exchanged the token, not again by every run that reuses it from the
                // token cache (--verbose shows it there too).
                crate::output::warn(&describe(event));
            }
        });
        let client = builder.build_blocking()?;
        crate::interrupt::close_on_signal(&client);
        verbose(&format!("client for {}", client.origin()));
        if let Some(path) = client.token_cache_file() {
            verbose(&format!("token cache {}", path.display()));
        }
        Ok(Session {
            client,
            sandbox,
            exchanges,
            api_token_fingerprint,
        })
    }

    /// The fingerprint of the API token in use (safe to print).
    pub fn api_token_fingerprint(&self) -> &str {
        &self.api_token_fingerprint
    }

    /// The token exchanges the embedded sandbox counted, in sandbox mode.
    pub fn sandbox_exchanges(&self) -> Option<u64> {
        #[cfg(feature = "sandbox")]
        return self.sandbox.as_ref().map(|sb| sb.stats().token_exchanges);
        #[cfg(not(feature = "sandbox"))]
        return self.sandbox.as_ref().map(|never| match *never {});
    }

    /// How many token exchanges this process's client has made so far.
    pub fn exchanges(&self) -> u64 {
        self.exchanges.load(Ordering::Relaxed)
    }

    /// Sends a request, reporting it with `--verbose`.
    pub fn send(&self, request: Request) -> Result<Response, leanix::Error> {
        let what = format!(
            "{} {}",
            request.method(),
            bounded_path(&request.display_path())
        );
        let started = Instant::now();
        let result = self.client.send(request);
        if is_verbose() {
            let ms = started.elapsed().as_millis();
            match &result {
                Ok(r) => verbose(&format!("{what} → {} ({ms} ms)", r.status())),
                Err(e) => verbose(&format!(
                    "{what} → {} ({ms} ms)",
                    e.status()
                        .map_or_else(|| e.kind().to_string(), |s| s.to_string())
                )),
            }
        }
        result
    }
}

/// Longest part of a request path a `--verbose` request line shows.
const VERBOSE_PATH_CHARS: usize = 200;

/// A path (its query values already redacted) as a `--verbose` line shows it: whole when
/// short, else its first [`VERBOSE_PATH_CHARS`] characters and its length.
fn bounded_path(path: &str) -> String {
    if path.chars().count() <= VERBOSE_PATH_CHARS {
        return path.to_owned();
    }
    let head: String = path.chars().take(VERBOSE_PATH_CHARS).collect();
    format!("{head}… ({} bytes)", path.len())
}

/// One line about a client event. Events carry fingerprints, never tokens.
fn describe(event: &Event) -> String {
    match event {
        Event::TokenFetched {
            background,
            lifetime,
            attempts,
            fingerprint,
        } => format!(
            "token exchange: access token sha256:{fingerprint}… (lifetime {} s, {attempts} attempt{}{})",
            lifetime.as_secs(),
            if *attempts == 1 { "" } else { "s" },
            if *background { ", refreshed in the background" } else { "" }
        ),
        Event::TokenFetchFailed {
            background,
            kind,
            message,
        } => format!(
            "token exchange failed{} ({kind}): {message}",
            if *background { " in the background" } else { "" }
        ),
        Event::TokenLoaded {
            fingerprint,
            expires_in,
        } => format!(
            "access token sha256:{fingerprint}… from the token cache (expires in {} s)",
            expires_in.as_secs()
        ),
        Event::TokenRejected { fingerprint } => format!(
            "the API rejected access token sha256:{fingerprint}…; exchanging the API token again"
        ),
        Event::Retry {
            target,
            attempt,
            delay,
            reason,
        } => format!(
            "{} attempt {attempt} failed ({reason}); retrying in {} ms",
            match target {
                RetryTarget::Token => "token exchange",
                RetryTarget::Api => "request",
            },
            delay.as_millis()
        ),
        Event::Pacing {
            started: true,
            requests_per_minute,
        } => format!(
            "the server is throttling: pacing at {} requests per minute",
            requests_per_minute.map_or("?".to_owned(), |r| format!("{r:.0}"))
        ),
        Event::Pacing { .. } => "no throttling for a while: pacing stopped".to_owned(),
        Event::InstanceRouted { origin } => {
            format!("API calls go to {origin}, the instance the access token names (instanceUrl)")
        }
        Event::InstanceRefused {
            instance_url,
            reason,
        } => format!(
            "the access token names the instance {instance_url}, which is not followed ({reason}); API calls stay on the configured host (--no-instance-routing silences this)"
        ),
        Event::TokenCacheWaiting { path, wait } => format!(
            "token cache: another process holds {} while it exchanges the API token; waiting up to {} ms for its token",
            path.display(),
            wait.as_millis()
        ),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_path_is_cut_with_its_length() {
        assert_eq!(bounded_path("/a/b?x=…"), "/a/b?x=…");
        let long = format!("/{}", "é".repeat(1000));
        let shown = bounded_path(&long);
        let tail = "… (2001 bytes)";
        assert!(shown.ends_with(tail), "{shown}");
        assert_eq!(
            shown.chars().count(),
            VERBOSE_PATH_CHARS + tail.chars().count()
        );
        assert!(long.starts_with(shown.trim_end_matches(tail)));
    }
}
