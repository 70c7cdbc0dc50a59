//! Settings from flags, then the environment, then the per-user configuration file.
//!
//! The file is `$XDG_CONFIG_HOME/leanix/config.toml`, or `~/.config/leanix/config.toml` when
//! `XDG_CONFIG_HOME` is unset, or the path given with `--config`:
//!
//! ```toml
//! host = "acme.leanix.net"
//! api_token = "..."             # keep the file private: chmod 600
//! ca_file = "/etc/ssl/corp.pem" # optional, relative paths are relative to the file
//! proxy = "http://proxy:3128"   # optional
//! insecure_loopback = true      # optional: allow http:// to a loopback host (the sandbox)
//! token_cache = false           # optional: keep the access token to each run
//! adaptive_pacing = false       # optional: no pacing after a 429
//! reauth_interval = 30          # optional: seconds between 401-triggered token exchanges
//! max_requests_per_minute = 600 # optional: a fixed request budget
//! max_pages = 20000             # optional: most pages of one paging walk
//! instance_routing = false      # optional: API calls stay on the host whatever instanceUrl says
//! allowed_instance_hosts = ["eu-7.example.org"] # optional: also follow instanceUrl there
//! ```

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use leanix::ApiToken;
use serde::Deserialize;

use crate::args::GlobalOpts;
use crate::exit::{CliError, CliResult};
use crate::output::warn;

/// Where a setting came from, for `lx config` and `--verbose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// The configuration file.
    File(PathBuf),
    /// Standard input (`--api-token-stdin`).
    Stdin,
    /// The embedded sandbox (`--sandbox`).
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    Sandbox,
    /// Nobody set it: lx's default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::File(path) => write!(f, "config file {}", path.display()),
            Source::Stdin => f.write_str("standard input"),
            Source::Sandbox => f.write_str("the embedded sandbox"),
            Source::Default => f.write_str("the default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

fn sourced<T>(value: T, source: Source) -> Sourced<T> {
    Sourced { value, source }
}

/// `value`, if a flag gave it, with that flag as its source.
fn from_flag<T>(value: Option<T>, flag: &'static str) -> Option<Sourced<T>> {
    value.map(|v| sourced(v, Source::Flag(flag)))
}

/// A setting as `show` writes its value, and where it comes from; `None` when it is unset.
pub fn shown<T>(
    setting: &Option<Sourced<T>>,
    show: impl FnOnce(&T) -> String,
) -> Option<(String, &Source)> {
    setting.as_ref().map(|s| (show(&s.value), &s.source))
}

/// The keys of the configuration file. Unknown keys are an error (a misspelt `api-token` would
/// otherwise be ignored without a word).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    host: Option<String>,
    api_token: Option<String>,
    ca_file: Option<PathBuf>,
    proxy: Option<String>,
    insecure_loopback: Option<bool>,
    token_cache: Option<bool>,
    adaptive_pacing: Option<bool>,
    /// Seconds.
    reauth_interval: Option<f64>,
    max_requests_per_minute: Option<u32>,
    max_pages: Option<usize>,
    instance_routing: Option<bool>,
    allowed_instance_hosts: Option<HostList>,
}

/// `allowed_instance_hosts` in the file: an array of hosts, or one string of comma-separated
/// hosts (the form of the C option and the Python keyword).
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "allowed_instance_hosts must be an array of host names or one string of comma-separated host names"
)]
enum HostList {
    /// `["a.example", "b.example"]`.
    List(Vec<String>),
    /// `"a.example,b.example"`.
    Text(String),
}

impl HostList {
    /// The hosts, one per entry, without empty ones.
    fn hosts(&self) -> Vec<String> {
        let entries: Vec<&str> = match self {
            HostList::List(l) => l.iter().map(String::as_str).collect(),
            HostList::Text(t) => t.split(',').collect(),
        };
        entries
            .into_iter()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// The keys of the configuration file, as its error messages list them.
const FILE_KEYS: &str = "host, api_token, ca_file, proxy, insecure_loopback, token_cache, \
                         adaptive_pacing, reauth_interval, max_requests_per_minute, max_pages, \
                         instance_routing, allowed_instance_hosts";

/// Largest configuration file read (it holds a few short lines).
const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;

/// The environment variable that turns the token cache off (`0`) or on (`1`).
pub const ENV_TOKEN_CACHE: &str = "LEANIX_TOKEN_CACHE";

/// What is known about the configuration file.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Its path (the default location if `--config` was not given).
    pub path: Option<PathBuf>,
    /// Whether it exists and was read.
    pub loaded: bool,
}

/// The resolved connection settings, before any client is built.
#[derive(Debug)]
pub struct Settings {
    /// The LeanIX host.
    pub host: Option<Sourced<String>>,
    /// The API token (prints as a fingerprint).
    pub api_token: Option<Sourced<ApiToken>>,
    /// Extra CA certificates (a PEM file).
    pub ca_file: Option<Sourced<PathBuf>>,
    /// The proxy URL.
    pub proxy: Option<Sourced<String>>,
    /// The call's deadline and size and rate limits.
    pub limits: Limits,
    /// `http://` allowed to loopback hosts: `--insecure-loopback`, else
    /// `LEANIX_INSECURE_LOOPBACK`, else the file's `insecure_loopback`.
    pub insecure_loopback: Option<Sourced<bool>>,
    /// Share the access token with later runs through the token cache (on unless turned off).
    pub token_cache: Sourced<bool>,
    /// The configuration file consulted.
    pub file: ConfigFile,
}

/// Limits of the client: the call's deadline, the largest body, the rate budget. `None`
/// leaves core's default (see `leanix::policy`).
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// The deadline of each call (`--timeout`).
    pub timeout: Option<Duration>,
    /// `--max-response-bytes`.
    pub max_response_bytes: Option<u64>,
    /// `--max-requests-per-minute`, else the file's `max_requests_per_minute`.
    pub max_requests_per_minute: Option<Sourced<u32>>,
    /// `--no-adaptive-pacing` (off), else the file's `adaptive_pacing`.
    pub adaptive_pacing: Option<Sourced<bool>>,
    /// `--reauth-interval`, else the file's `reauth_interval`.
    pub reauth_interval: Option<Sourced<Duration>>,
    /// `--max-pages`, else the file's `max_pages`.
    pub max_pages: Option<Sourced<usize>>,
    /// Off with `--no-instance-routing`, else the file's `instance_routing`.
    pub instance_routing: Option<Sourced<bool>>,
    /// `--allow-instance-host` (all of them), else the file's `allowed_instance_hosts`.
    pub allowed_instance_hosts: Option<Sourced<Vec<String>>>,
}

impl Limits {
    /// The limits the global flags set.
    pub fn of(opts: &GlobalOpts) -> Limits {
        Limits {
            timeout: opts.timeout.map(Duration::from_secs_f64),
            max_response_bytes: opts.max_response_bytes,
            max_requests_per_minute: from_flag(
                opts.max_requests_per_minute,
                "--max-requests-per-minute",
            ),
            adaptive_pacing: from_flag(
                opts.no_adaptive_pacing.then_some(false),
                "--no-adaptive-pacing",
            ),
            reauth_interval: from_flag(
                opts.reauth_interval.map(Duration::from_secs_f64),
                "--reauth-interval",
            ),
            max_pages: from_flag(opts.max_pages, "--max-pages"),
            instance_routing: from_flag(
                opts.no_instance_routing.then_some(false),
                "--no-instance-routing",
            ),
            allowed_instance_hosts: from_flag(
                (!opts.allow_instance_hosts.is_empty()).then(|| opts.allow_instance_hosts.clone()),
                "--allow-instance-host",
            ),
        }
    }

    /// The settings the flags left unset, from the configuration file.
    fn or_file(mut self, file: &FileConfig, source: impl Fn() -> Source) -> CliResult<Limits> {
        if self.max_requests_per_minute.is_none() {
            if let Some(n) = file.max_requests_per_minute {
                if n == 0 {
                    return Err(CliError::usage(format!(
                        "max_requests_per_minute in the {} must be at least 1 (leave it out for \
                         no fixed limit)",
                        source()
                    )));
                }
                self.max_requests_per_minute = Some(sourced(n, source()));
            }
        }
        if self.adaptive_pacing.is_none() {
            self.adaptive_pacing = file.adaptive_pacing.map(|on| sourced(on, source()));
        }
        if self.reauth_interval.is_none() {
            if let Some(secs) = file.reauth_interval {
                let d = Duration::try_from_secs_f64(secs)
                    .ok()
                    .filter(|d| !d.is_zero() && *d <= Duration::from_secs(86_400))
                    .ok_or_else(|| {
                        CliError::usage(format!(
                            "reauth_interval in the {} must be a number of seconds between 0 \
                             and 86400, not {secs}",
                            source()
                        ))
                    })?;
                self.reauth_interval = Some(sourced(d, source()));
            }
        }
        if self.max_pages.is_none() {
            if let Some(n) = file.max_pages {
                if n == 0 {
                    return Err(CliError::usage(format!(
                        "max_pages in the {} must be a whole number of at least 1, not 0",
                        source()
                    )));
                }
                self.max_pages = Some(sourced(n, source()));
            }
        }
        if self.instance_routing.is_none() {
            self.instance_routing = file.instance_routing.map(|on| sourced(on, source()));
        }
        if self.allowed_instance_hosts.is_none() {
            self.allowed_instance_hosts = file
                .allowed_instance_hosts
                .as_ref()
                .map(|list| sourced(list.hosts(), source()));
        }
        Ok(self)
    }

    /// `builder` with these limits.
    pub fn apply(&self, mut builder: leanix::ClientBuilder) -> leanix::ClientBuilder {
        if let Some(t) = self.timeout {
            // The whole call's deadline; one exchange attempt and one connect fit inside it.
            builder = builder
                .request_timeout(t)
                .token_timeout(t.min(leanix::policy::DEFAULT_TOKEN_TIMEOUT))
                .connect_timeout(t.min(leanix::policy::DEFAULT_CONNECT_TIMEOUT));
        }
        if let Some(n) = self.max_response_bytes {
            builder = builder.max_response_bytes(usize::try_from(n).unwrap_or(usize::MAX));
        }
        if let Some(on) = &self.adaptive_pacing {
            builder = builder.adaptive_pacing(on.value);
        }
        if let Some(d) = &self.reauth_interval {
            builder = builder.reauth_interval(d.value);
        }
        if let Some(n) = &self.max_pages {
            builder = builder.max_pages(n.value);
        }
        if let Some(on) = &self.instance_routing {
            builder = builder.route_by_instance_url(on.value);
        }
        // The core library checks each entry; a bad one fails the build with its name.
        for host in self.allowed_instance_hosts.iter().flat_map(|h| &h.value) {
            builder = builder.allow_instance_host(host);
        }
        builder.max_requests_per_minute(self.max_requests_per_minute.as_ref().map(|n| n.value))
    }
}

/// The default location of the configuration file, if a home or config directory is known.
pub fn default_config_path() -> Option<PathBuf> {
    let from_xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = from_xdg.or_else(|| {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".config"))
    })?;
    Some(base.join("leanix").join("config.toml"))
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    /// Resolves every setting: flags first, then `LEANIX_HOST` / `LEANIX_API_TOKEN`, then the
    /// configuration file. Reads the token file or standard input if asked to.
    pub fn resolve(opts: &GlobalOpts) -> CliResult<Settings> {
        let explicit = opts.config.is_some();
        let path = opts.config.clone().or_else(default_config_path);
        let (file, loaded) = match &path {
            Some(p) => match read_config_file(p, explicit)? {
                Some(f) => (f, true),
                None => (FileConfig::default(), false),
            },
            None => (FileConfig::default(), false),
        };
        let file_source = || Source::File(path.clone().unwrap_or_default());
        let file_dir = path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();

        let host = from_flag(opts.host.clone(), "--host")
            .or_else(|| env(leanix::ENV_HOST).map(|h| sourced(h, Source::Env(leanix::ENV_HOST))))
            .or_else(|| file.host.clone().map(|h| sourced(h, file_source())));

        let api_token = if let Some(p) = &opts.api_token_file {
            Some(sourced(
                read_token_file(p)?,
                Source::Flag("--api-token-file"),
            ))
        } else if opts.api_token_stdin {
            Some(sourced(read_token_stdin()?, Source::Stdin))
        } else if let Some(t) = env(leanix::ENV_API_TOKEN) {
            Some(sourced(
                ApiToken::new(t.trim()),
                Source::Env(leanix::ENV_API_TOKEN),
            ))
        } else {
            file.api_token
                .as_deref()
                .map(|t| sourced(ApiToken::new(t.trim()), file_source()))
        };

        let ca_file = from_flag(opts.ca_file.clone(), "--ca-file").or_else(|| {
            file.ca_file
                .clone()
                .map(|p| sourced(file_dir.join(p), file_source()))
        });

        let proxy = from_flag(opts.proxy.clone(), "--proxy")
            .or_else(|| file.proxy.clone().map(|p| sourced(p, file_source())));

        let insecure_loopback = if opts.insecure_loopback {
            Some(sourced(true, Source::Flag("--insecure-loopback")))
        } else if let Some(on) =
            leanix::env_insecure_loopback().map_err(|e| CliError::usage(e.message().to_owned()))?
        {
            Some(sourced(on, Source::Env(leanix::ENV_INSECURE_LOOPBACK)))
        } else {
            file.insecure_loopback.map(|on| sourced(on, file_source()))
        };

        let token_cache = if opts.no_token_cache {
            sourced(false, Source::Flag("--no-token-cache"))
        } else if let Some(on) = env_switch(ENV_TOKEN_CACHE)? {
            sourced(on, Source::Env(ENV_TOKEN_CACHE))
        } else if let Some(on) = file.token_cache {
            sourced(on, file_source())
        } else {
            sourced(true, Source::Default)
        };

        Ok(Settings {
            host,
            api_token,
            ca_file,
            proxy,
            limits: Limits::of(opts).or_file(&file, file_source)?,
            insecure_loopback,
            token_cache,
            file: ConfigFile { path, loaded },
        })
    }
}

/// An on/off environment variable: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`
/// (unset or empty: `None`); anything else is a usage error.
fn env_switch(name: &'static str) -> CliResult<Option<bool>> {
    let Some(value) = env(name) else {
        return Ok(None);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(Some(true)),
        "0" | "false" | "no" | "off" => Ok(Some(false)),
        _ => Err(CliError::usage(format!(
            "{name} must be 1 or 0 (on or off), not {:?}",
            value.chars().take(20).collect::<String>()
        ))),
    }
}

/// Reads and parses the configuration file. A missing file is `None` unless it was named
/// explicitly with `--config`.
fn read_config_file(path: &Path, explicit: bool) -> CliResult<Option<FileConfig>> {
    let read = leanix::read_regular_file(path, MAX_CONFIG_FILE_BYTES).and_then(|bytes| {
        String::from_utf8(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
    });
    let text = match read {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )));
        }
    };
    warn_if_shared(path, "the config file");
    let parsed: FileConfig = toml::from_str(&text).map_err(|e| {
        // toml's message quotes the offending line, which could hold the token: keep only the
        // first line of the explanation.
        let reason = plain_type_names(e.message().lines().next().unwrap_or("invalid TOML"));
        let line = e
            .span()
            .map(|span| format!(" at line {}", text[..span.start].matches('\n').count() + 1))
            .unwrap_or_default();
        // An unknown key's message lists the keys already.
        let keys = if reason.contains("expected one of") {
            String::new()
        } else {
            format!(" (keys: {FILE_KEYS})")
        };
        CliError::usage(format!(
            "the config file {} is not valid{line}: {reason}{keys}",
            path.display()
        ))
    })?;
    Ok(Some(parsed))
}

/// A TOML error's reason with Rust's type names (`expected usize`) in words.
fn plain_type_names(reason: &str) -> String {
    [
        ("usize", "a whole number"),
        ("u64", "a whole number"),
        ("u32", "a whole number"),
        ("f64", "a number"),
        ("a boolean", "true or false"),
    ]
    .iter()
    .fold(reason.to_owned(), |text, (rust, plain)| {
        text.replace(&format!("expected {rust}"), &format!("expected {plain}"))
    })
}

/// A URL with any `user:password@` part masked, for display.
pub fn mask_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

/// A host value as diagnostics show it: as given when it is a valid host (user info masked),
/// else only as a fingerprint, because a value that is not a host is most often the API token
/// put where the host goes (the two environment variables swapped).
pub fn display_host(value: &str) -> String {
    if leanix::Origin::parse(value, true).is_ok() {
        mask_userinfo(value)
    } else {
        format!(
            "sha256:{}… (not a valid host; shown as a fingerprint in case it is a secret)",
            ApiToken::new(value).fingerprint()
        )
    }
}

/// Prints a one-line warning if a file holding a secret is readable by group or others.
#[cfg(unix)]
pub fn warn_if_shared(path: &Path, what: &str) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_file() && mode & 0o044 != 0 {
            warn(&format!(
                "{what} {} is readable by group/others (mode {mode:04o}); run: chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
}

/// Permissions are not checked on this platform.
#[cfg(not(unix))]
pub fn warn_if_shared(_path: &Path, _what: &str) {}

/// Reads the API token file: a regular file only (a FIFO or device is refused without
/// blocking), at most `policy::MAX_API_TOKEN_FILE_BYTES`.
fn read_token_file(path: &Path) -> CliResult<ApiToken> {
    let bytes =
        leanix::read_regular_file(path, leanix::policy::MAX_API_TOKEN_FILE_BYTES).map_err(|e| {
            CliError::usage(format!(
                "cannot read the API token file {}: {e}",
                path.display()
            ))
        })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::usage(format!(
            "the API token file {} is not UTF-8 text",
            path.display()
        ))
    })?;
    warn_if_shared(path, "the API token file");
    first_line(&text)
        .ok_or_else(|| CliError::usage(format!("the API token file {} is empty", path.display())))
}

fn read_token_stdin() -> CliResult<ApiToken> {
    let mut text = String::new();
    std::io::stdin()
        .take(leanix::policy::MAX_API_TOKEN_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| {
            CliError::usage(format!(
                "cannot read the API token from standard input: {e}"
            ))
        })?;
    first_line(&text).ok_or_else(|| CliError::usage("--api-token-stdin: standard input is empty"))
}

fn first_line(text: &str) -> Option<ApiToken> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(ApiToken::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_accepts_the_documented_keys_only() {
        let ok: FileConfig = toml::from_str(
            "host = \"acme.leanix.net\"\napi_token = \"t\"\nca_file = \"c.pem\"\nproxy = \"http://p:1\"\n",
        )
        .unwrap();
        assert_eq!(ok.host.as_deref(), Some("acme.leanix.net"));
        assert!(toml::from_str::<FileConfig>("api-token = \"t\"").is_err());
        let off: FileConfig = toml::from_str("token_cache = false").unwrap();
        assert_eq!(off.token_cache, Some(false));
        assert!(toml::from_str::<FileConfig>("token_cache = \"no\"").is_err());
    }

    #[test]
    fn the_help_lists_every_key_of_the_file() {
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(crate::exit::EXIT_CODES_HELP).contains(&words(FILE_KEYS)),
            "lx --help must list: {FILE_KEYS}"
        );
        let all: FileConfig = toml::from_str(
            "adaptive_pacing = false\nreauth_interval = 2.5\nmax_requests_per_minute = 90\n",
        )
        .unwrap();
        assert_eq!(all.adaptive_pacing, Some(false));
        assert_eq!(all.reauth_interval, Some(2.5));
        assert_eq!(all.max_requests_per_minute, Some(90));
        let routing: FileConfig = toml::from_str(
            "max_pages = 7\ninstance_routing = false\nallowed_instance_hosts = [\"a.example\", \" \"]\n",
        )
        .unwrap();
        assert_eq!(routing.max_pages, Some(7));
        assert_eq!(routing.instance_routing, Some(false));
        assert_eq!(
            routing.allowed_instance_hosts.unwrap().hosts(),
            ["a.example"]
        );
        let text: FileConfig =
            toml::from_str("allowed_instance_hosts = \"a.example, b.example\"").unwrap();
        assert_eq!(
            text.allowed_instance_hosts.unwrap().hosts(),
            ["a.example", "b.example"]
        );
        assert!(toml::from_str::<FileConfig>("allowed_instance_hosts = 3").is_err());
        assert!(toml::from_str::<FileConfig>("max_pages = -1").is_err());
        assert_eq!(
            plain_type_names("invalid type: string \"5\", expected usize"),
            "invalid type: string \"5\", expected a whole number"
        );
    }

    #[test]
    fn proxy_credentials_are_masked() {
        assert_eq!(
            mask_userinfo("http://u:p@proxy:3128/x"),
            "http://***@proxy:3128/x"
        );
        assert_eq!(mask_userinfo("http://proxy:3128"), "http://proxy:3128");
    }

    #[test]
    fn the_token_is_the_first_non_empty_line() {
        assert_eq!(first_line("\n  tok \nmore").unwrap().expose_secret(), "tok");
        assert!(first_line(" \n\n").is_none());
    }
}
