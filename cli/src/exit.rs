//! Exit codes and the one error type every command returns.

use std::fmt;

use leanix::ErrorKind;

/// The process exit codes of `lx`. Stable: scripts switch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Anything not covered below (an internal error, a cancelled operation).
    Other = 1,
    /// Usage or configuration error: bad flags, missing host or token, unreadable files.
    Usage = 2,
    /// Authentication failed: the API token was rejected, or the API answered 401.
    Auth = 3,
    /// The API answered with an HTTP error (403, 404, other 4xx/5xx, 429) or GraphQL `errors`.
    Http = 4,
    /// Network failure: connection refused or broken, timeout, TLS.
    Network = 5,
    /// The server's answer is not what LeanIX sends (malformed JSON, opaque token for claims).
    InvalidResponse = 6,
    /// An LDIF run ended FAILED or STOPPED, or finished with ERROR warnings.
    RunFailed = 7,
    /// The output could not be written (standard output closed or full), as curl's 23.
    Output = 23,
}

impl Exit {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The exit code for an error of the core library.
    pub fn for_kind(kind: ErrorKind) -> Exit {
        match kind {
            ErrorKind::Config | ErrorKind::InvalidArgument => Exit::Usage,
            ErrorKind::InvalidCredentials | ErrorKind::Unauthorized => Exit::Auth,
            ErrorKind::Forbidden
            | ErrorKind::RateLimited
            | ErrorKind::Http
            | ErrorKind::GraphQl
            | ErrorKind::Redirect => Exit::Http,
            ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Tls => Exit::Network,
            ErrorKind::InvalidResponse | ErrorKind::TooLarge => Exit::InvalidResponse,
            ErrorKind::RunFailed => Exit::RunFailed,
            _ => Exit::Other,
        }
    }
}

/// The exit-code table shown at the end of `lx --help` (kept in step with `cli/README.md`).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other error
  2  usage or configuration error (bad flags, no host or API token, unreadable file)
  3  authentication failed (API token rejected, 401 Unauthorized)
  4  HTTP error (403, 404, other 4xx/5xx, 429 rate limited, GraphQL errors)
  5  network error (connection refused, timeout, TLS)
  6  invalid response (not what LeanIX sends, or larger than --max-response-bytes)
  7  an LDIF run failed (ended FAILED or STOPPED, or finished with ERROR warnings)
  23 the output could not be written (stdout closed or full; a closed pipe, as in
     lx ... | head, is not an error)
  130 interrupted by SIGINT (143: SIGTERM); the call in flight is cancelled
     (lx webhooks pull --follow stops cleanly instead: exit 0)

Configuration: flags, then LEANIX_HOST / LEANIX_API_TOKEN, then the file
$XDG_CONFIG_HOME/leanix/config.toml (or ~/.config/leanix/config.toml) with keys
host, api_token, ca_file, proxy, insecure_loopback, token_cache, adaptive_pacing,
reauth_interval, max_requests_per_minute, max_pages, instance_routing,
allowed_instance_hosts. The API token is never a command-line argument.

Examples:
  lx --sandbox demo
  curl -H \"Authorization: Bearer $(lx token)\" https://acme.leanix.net/services/pathfinder/v1/factSheets
  lx whoami
  lx get '/services/pathfinder/v1/factSheets?pageSize=5'
  lx get --paginate --merge '/services/pathfinder/v1/factSheets?pageSize=1000'
  lx graphql '{ allFactSheets { totalCount } }'";

/// A failed command: what to print (`lx: <message>`) and how to exit.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// One line, without secrets.
    pub message: String,
}

impl CliError {
    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// An error with an explicit exit code.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<leanix::Error> for CliError {
    fn from(e: leanix::Error) -> Self {
        // The core library's message already quotes the server's explanation, cleaned and
        // with credentials redacted.
        CliError {
            exit: Exit::for_kind(e.kind()),
            message: e.message().to_owned(),
        }
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_documented_code() {
        for kind in ErrorKind::ALL {
            let code = Exit::for_kind(kind).code();
            assert!((1..=7).contains(&code), "{kind}: {code}");
            assert!(EXIT_CODES_HELP.contains(&format!("  {code}  ")));
        }
        assert_eq!(Exit::for_kind(ErrorKind::InvalidCredentials), Exit::Auth);
        assert_eq!(Exit::for_kind(ErrorKind::Connect), Exit::Network);
        assert_eq!(Exit::for_kind(ErrorKind::GraphQl), Exit::Http);
        assert_eq!(Exit::for_kind(ErrorKind::RunFailed).code(), 7);
    }
}
