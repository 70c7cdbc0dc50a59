//! `lx config`: the settings in effect and where each comes from, without secrets.

use crate::args::{ConfigArgs, GlobalOpts};
use crate::config::{display_host, mask_userinfo, shown, Settings, Source};
use crate::exit::{CliError, CliResult};
use crate::output::line;

/// Prints the configuration file location and every setting's value (the API token as a
/// fingerprint) and source.
pub fn run(opts: &GlobalOpts, args: &ConfigArgs) -> CliResult {
    if opts.sandbox {
        #[cfg(not(feature = "sandbox"))]
        return Err(crate::exit::CliError::usage(crate::session::NO_SANDBOX));
        #[cfg(feature = "sandbox")]
        line("mode        sandbox: host and API token come from the embedded sandbox")?;
    }
    let s = Settings::resolve(opts)?;
    let file = match &s.file.path {
        Some(p) if s.file.loaded => format!("{} (read)", p.display()),
        Some(p) => format!("{} (not found)", p.display()),
        None => "- (neither XDG_CONFIG_HOME nor HOME is set)".to_owned(),
    };
    line(&format!("{:<11} {file}", "config file"))?;
    let row = |label: &str, value: Option<(String, &Source)>| {
        let text = match value {
            Some((v, source)) => format!("{v} (from {source})"),
            None => "-".to_owned(),
        };
        line(&format!("{label:<11} {text}"))
    };
    row("host", shown(&s.host, |h| display_host(h)))?;
    row(
        "api token",
        shown(&s.api_token, |t| format!("sha256:{}…", t.fingerprint())),
    )?;
    row("ca file", shown(&s.ca_file, |c| c.display().to_string()))?;
    row("proxy", shown(&s.proxy, |p| mask_userinfo(p)))?;
    row(
        "loopback",
        shown(&s.insecure_loopback, |&on| {
            if on {
                "http:// to a loopback host allowed (insecure_loopback)"
            } else {
                "https:// only (insecure_loopback off)"
            }
            .to_owned()
        }),
    )?;
    let cache = &s.token_cache;
    let cache_text = match (cache.value, leanix::default_token_cache_dir()) {
        _ if opts.sandbox => "off: the embedded sandbox's token lives with the process".to_owned(),
        (true, Some(dir)) => format!("on, in {} (from {})", dir.display(), cache.source),
        (true, None) => format!(
            "on (from {}), but none of XDG_RUNTIME_DIR, XDG_CACHE_HOME and HOME names a directory of this user's",
            cache.source
        ),
        (false, _) => format!("off (from {})", cache.source),
    };
    line(&format!("{:<11} {cache_text}", "token cache"))?;
    line(&format!(
        "{:<11} {}",
        "timeout",
        s.limits.timeout.map_or_else(
            || {
                format!(
                    "default (connect {} s, token {} s, whole call {} s)",
                    leanix::policy::DEFAULT_CONNECT_TIMEOUT.as_secs(),
                    leanix::policy::DEFAULT_TOKEN_TIMEOUT.as_secs(),
                    leanix::policy::DEFAULT_REQUEST_TIMEOUT.as_secs()
                )
            },
            |t| format!("{} s", t.as_secs_f64())
        )
    ))?;
    let limits = &s.limits;
    let rate = match &limits.max_requests_per_minute {
        Some(n) => format!(
            "at most {} requests per minute (from {})",
            n.value, n.source
        ),
        None => "no fixed limit (the default)".to_owned(),
    };
    line(&format!("{:<11} {rate}", "rate"))?;
    let on_off = |on: bool| if on { "on" } else { "off" };
    let pacing = match &limits.adaptive_pacing {
        Some(p) => format!("{} (from {})", on_off(p.value), p.source),
        None => format!(
            "{} (the default)",
            on_off(leanix::policy::DEFAULT_ADAPTIVE_PACING)
        ),
    };
    line(&format!("{:<11} after a 429: {pacing}", "pacing"))?;
    let reauth = match &limits.reauth_interval {
        Some(d) => format!("{} s (from {})", d.value.as_secs_f64(), d.source),
        None => format!(
            "{} s (the default)",
            leanix::policy::DEFAULT_REAUTH_INTERVAL.as_secs_f64()
        ),
    };
    line(&format!(
        "{:<11} at most one token exchange caused by 401s per {reauth}",
        "reauth"
    ))?;
    let pages = match &limits.max_pages {
        Some(n) => format!("{} pages (from {})", n.value, n.source),
        None => format!("{} pages (the default)", leanix::policy::DEFAULT_MAX_PAGES),
    };
    line(&format!(
        "{:<11} a paging walk fetches at most {pages}",
        "pages"
    ))?;
    let routing = match &limits.instance_routing {
        Some(r) => format!("{} (from {})", on_off(r.value), r.source),
        None => format!(
            "{} (the default)",
            on_off(leanix::policy::DEFAULT_ROUTE_BY_INSTANCE_URL)
        ),
    };
    let allowed = match &limits.allowed_instance_hosts {
        Some(h) => format!("; also to {} (from {})", h.value.join(", "), h.source),
        None => String::new(),
    };
    line(&format!(
        "{:<11} API calls follow the token's instanceUrl under the host's domain: {routing}{allowed}",
        "routing"
    ))?;
    // What every other command would refuse at its start (a proxy with an http:// host, a CA
    // file that is not PEM, ...) is said here too, as a warning after the listing: lx config
    // shows the settings, it does not fail on them. (Not with --api-token-stdin: standard
    // input was read once already.)
    let checkable = !opts.sandbox && !opts.api_token_stdin;
    if checkable && s.host.is_some() && s.api_token.is_some() {
        if let Err(e) = crate::session::Session::open(opts, false) {
            if args.check {
                return Err(e);
            }
            crate::output::warn(&format!(
                "every call with these settings would fail (exit {}): {}",
                e.exit.code(),
                e.message
            ));
        }
    } else if args.check && checkable {
        let missing = if s.host.is_none() {
            "host"
        } else {
            "API token"
        };
        return Err(CliError::usage(format!(
            "no {missing} is configured (--host or LEANIX_HOST, LEANIX_API_TOKEN or --api-token-file, or the config file)"
        )));
    }
    Ok(())
}
