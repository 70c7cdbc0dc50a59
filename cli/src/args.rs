//! The command line: global options, subcommands, and the refusal of tokens as arguments.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use crate::exit::{CliError, EXIT_CODES_HELP};

/// `lx`: the LeanIX API from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "lx",
    version,
    about = "The LeanIX API from the command line: access tokens, claims, REST and GraphQL calls.",
    long_about = "The LeanIX API from the command line. lx exchanges your API token for an access \
                  token (OAuth2), keeps it for later runs in a private token cache (see \
                  --no-token-cache), and makes authenticated REST and GraphQL calls. Try it \
                  without an account: lx --sandbox demo",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// Options valid before or after the subcommand.
    #[command(flatten)]
    pub global: GlobalOpts,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOpts {
    /// LeanIX host: acme.leanix.net, https://acme.leanix.net or a workspace URL [env: LEANIX_HOST]
    #[arg(long, global = true, value_name = "HOST")]
    pub host: Option<String>,

    /// Read the API token from this file (first line) [else env: LEANIX_API_TOKEN, else config]
    #[arg(long, global = true, value_name = "PATH")]
    pub api_token_file: Option<PathBuf>,

    /// Read the API token from standard input (first line)
    #[arg(long, global = true, conflicts_with = "api_token_file")]
    pub api_token_stdin: bool,

    /// Configuration file [default: $XDG_CONFIG_HOME/leanix/config.toml or ~/.config/leanix/config.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Trust the CA certificate(s) in this PEM file too (TLS-inspecting proxies)
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,

    /// Send requests through this proxy (else HTTPS_PROXY / NO_PROXY apply)
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,

    /// Deadline of each whole call in seconds: token exchange, every retry and wait included
    /// (per page with --paginate and --all; for lx ldif run, the whole run). Also caps the
    /// connect and token-exchange timeouts
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds,
          allow_negative_numbers = true)]
    pub timeout: Option<f64>,

    /// Largest response body read, in bytes (default from core's policy); larger fails with
    /// exit 6
    #[arg(long, global = true, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..),
          help = max_response_bytes_help())]
    pub max_response_bytes: Option<u64>,

    /// Never send more than N requests per minute (LeanIX allows 1800 per user; lx paces
    /// itself after a 429 anyway)
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_requests_per_minute: Option<u32>,

    /// Do not slow down after a 429 (by default lx paces its requests at a rate that recovers
    /// gradually) [config: adaptive_pacing = false]
    #[arg(long, global = true)]
    pub no_adaptive_pacing: bool,

    /// At most one token exchange per SECS is caused by 401 answers; a 401 right after a fresh
    /// token is final (exit 3) [config: reauth_interval; default from core's policy]
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds,
          allow_negative_numbers = true, help = reauth_interval_help())]
    pub reauth_interval: Option<f64>,

    /// Allow http:// to a loopback host (local tests, the sandbox) [env: LEANIX_INSECURE_LOOPBACK=1,
    /// config: insecure_loopback = true]
    #[arg(long, global = true)]
    pub insecure_loopback: bool,

    /// Send API calls to the configured host even when the access token's instanceUrl names
    /// another instance of the same domain (default: follow it; the token endpoint never moves)
    /// [config: instance_routing = false]
    #[arg(long, global = true)]
    pub no_instance_routing: bool,

    /// Follow the access token's instanceUrl to this host too, whatever its domain: a host name
    /// or an https:// origin, on any port (repeatable or comma-separated; replaces the config
    /// file's list). Not a loopback host: that is followed only from a loopback host with
    /// --insecure-loopback
    /// [config: allowed_instance_hosts]
    #[arg(
        long = "allow-instance-host",
        global = true,
        value_name = "HOST",
        value_delimiter = ','
    )]
    pub allow_instance_hosts: Vec<String>,

    /// Most pages lx get --paginate, lx graphql --all and lx ldif warnings fetch; a longer
    /// walk fails with exit 6 (default from core's policy) [config: max_pages]
    #[arg(long, global = true, value_name = "N", value_parser = parse_page_count,
          help = max_pages_help())]
    pub max_pages: Option<usize>,

    /// Print the HTTP status line and headers before the body, like curl -i
    #[arg(short = 'i', long, global = true)]
    pub include: bool,

    /// Print JSON on one line (default when stdout is not a terminal)
    #[arg(long, global = true, conflicts_with = "pretty")]
    pub compact: bool,

    /// Print JSON indented (default when stdout is a terminal)
    #[arg(long, global = true)]
    pub pretty: bool,

    /// Keep the access token to this run instead of sharing it with later runs through the
    /// token cache (also LEANIX_TOKEN_CACHE=0, or token_cache = false in the config file)
    #[arg(long, global = true)]
    pub no_token_cache: bool,

    /// Run against an embedded LeanIX sandbox started in this process (no account needed)
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// Report what happens (configuration sources, token exchanges, retries, requests) on stderr,
    /// without secrets
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a current access token, for scripts: curl -H "Authorization: Bearer $(lx token)" ...
    Token(TokenArgs),

    /// Print who the access token belongs to (same as `lx token --claims`)
    Whoami(ClaimsArgs),

    /// GET a path on the LeanIX host and print the response
    Get(GetArgs),

    /// Send a request with any method, optional JSON body and headers
    Request(RequestArgs),

    /// Run a GraphQL query (Pathfinder) and print its `data`
    Graphql(GraphqlArgs),

    /// Show the whole flow: exchange, claims, REST, GraphQL, and the token cache at work
    Demo(DemoArgs),

    /// Show the configuration in effect and where each setting comes from (no secrets)
    Config(ConfigArgs),

    /// Print a shell completion script: lx completions bash > ~/.local/share/bash-completion/completions/lx
    Completions(CompletionsArgs),

    /// Print the manual page lx.1 (roff), or write it into a directory (what make install does)
    #[command(hide = true)]
    Man(ManArgs),

    /// Run LDIF files through the Integration API and look at runs and processor configurations
    Ldif(LdifArgs),

    /// PULL webhooks: consume events without a public endpoint, and manage subscriptions
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
}

/// `lx completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `lx man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write lx.1 into this directory instead of printing it
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `lx ldif`.
#[derive(Debug, Args)]
pub struct LdifArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LdifCommand,
}

/// The subcommands of `lx ldif`.
#[derive(Debug, Subcommand)]
pub enum LdifCommand {
    /// Run an LDIF file through the Integration API, wait for its end and print its result
    ///
    /// Prints {id, status, progress, warnings, results, polls}. The global --timeout is the
    /// deadline of the whole run (default 30 min). A run that ends FAILED or STOPPED, or with
    /// ERROR warnings, still prints its result and exits 7. Interrupted (SIGINT, SIGTERM) or
    /// past its deadline, it prints the run as last seen (its id included: lx ldif wait ID
    /// picks it up again; the run goes on at LeanIX) and exits 130, 143 or 5.
    Run(LdifRunArgs),

    /// Wait for a started run to end and print its result, as lx ldif run does
    ///
    /// For a run that lx ldif run --no-wait started, or one whose wait was interrupted.
    /// --results also fetches the output LDIF of a finished outbound run.
    Wait(LdifWaitArgs),

    /// Print the status of a run
    Status(LdifIdArgs),

    /// Print every warning of a run (all pages)
    Warnings(LdifIdArgs),

    /// Print the output LDIF of a finished outbound run
    ///
    /// LeanIX answers 204 until the output is ready: for a run still going lx exits 1; for an
    /// ended run it prints null (an inbound run has no output LDIF; an outbound one may have
    /// none yet: lx ldif wait ID --results waits for it).
    Results(LdifIdArgs),

    /// Stop a pending or running run
    Stop(LdifIdArgs),

    /// Processor configurations: get, put, delete
    Config(LdifConfigArgs),
}

/// `lx config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Also fail (with the exit code every call would give) when no call could use these
    /// settings, for a preflight check in CI; nothing is sent
    #[arg(long)]
    pub check: bool,
}

/// `lx ldif run`.
#[derive(Debug, Args)]
pub struct LdifRunArgs {
    /// The LDIF: a JSON file, or - for standard input
    #[arg(value_name = "FILE|-")]
    pub file: String,

    /// A test run: processed with warnings and counts, but nothing changes in the workspace
    #[arg(long)]
    pub test: bool,

    /// Print the run's id and first status as soon as it is started, without waiting
    #[arg(long)]
    pub no_wait: bool,
}

/// `lx ldif wait`.
#[derive(Debug, Args)]
pub struct LdifWaitArgs {
    /// The run's id (as `lx ldif run` prints it)
    pub id: String,

    /// Also fetch the output LDIF once the run finished (for an outbound run)
    #[arg(long)]
    pub results: bool,
}

/// A run id.
#[derive(Debug, Args)]
pub struct LdifIdArgs {
    /// The run's id (as `lx ldif run` prints it)
    pub id: String,
}

/// `lx ldif config`.
#[derive(Debug, Args)]
pub struct LdifConfigArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LdifConfigCommand,
}

/// The subcommands of `lx ldif config`.
#[derive(Debug, Subcommand)]
pub enum LdifConfigCommand {
    /// Print the processor configurations that match the keys given (all without keys)
    Get(ConfigKeys),

    /// Store a processor configuration (a JSON file with its five keys, or - for standard input)
    Put {
        /// The configuration file, or -
        #[arg(value_name = "FILE|-")]
        file: String,
    },

    /// Delete the processor configuration of the five keys (all required; --mode defaults to
    /// partial)
    Delete(ConfigKeys),
}

/// The keys of a processor configuration.
#[derive(Debug, Args)]
pub struct ConfigKeys {
    /// connectorType
    #[arg(long, value_name = "TYPE")]
    pub connector_type: Option<String>,
    /// connectorId
    #[arg(long, value_name = "ID")]
    pub connector_id: Option<String>,
    /// connectorVersion
    #[arg(long, value_name = "VERSION")]
    pub connector_version: Option<String>,
    /// processingDirection: inbound or outbound
    #[arg(long, value_name = "DIRECTION", ignore_case = true,
          value_parser = PossibleValuesParser::new(["inbound", "outbound"]).map(|v| v.to_lowercase()))]
    pub direction: Option<String>,
    /// processingMode: partial or full
    #[arg(long, value_name = "MODE", ignore_case = true,
          value_parser = PossibleValuesParser::new(["partial", "full"]).map(|v| v.to_lowercase()))]
    pub mode: Option<String>,
}

/// `lx webhooks ...`.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Print the subscriptions as JSON
    List,

    /// Create a PULL subscription and print it as JSON (with its id)
    Create(WebhooksCreateArgs),

    /// Delete a subscription
    Delete {
        /// The subscription id
        id: String,
    },

    /// Print each new event as a JSON line (or run --exec CMD per event), committing the
    /// cursor only after an event was handled: every event at least once
    Pull(WebhooksPullArgs),
}

/// `lx webhooks create`.
#[derive(Debug, Args)]
pub struct WebhooksCreateArgs {
    /// A tag set, comma-separated, e.g. pathfinder,FACT_SHEET_CREATED (repeatable; at least one)
    #[arg(long = "tag-set", value_name = "TAGS", required = true)]
    pub tag_sets: Vec<String>,

    /// A name for the subscription
    #[arg(long)]
    pub identifier: Option<String>,

    /// DEFAULT or WRAPPED_EVENT
    #[arg(long, value_name = "MODE", value_parser = ["DEFAULT", "WRAPPED_EVENT"], ignore_case = true)]
    pub payload_mode: Option<String>,

    /// The workspace (default: the API token's)
    #[arg(long, value_name = "ID")]
    pub workspace_id: Option<String>,

    /// The subscription's workspaceConstraint, sent as given (default: ANY)
    #[arg(long, value_name = "CONSTRAINT")]
    pub workspace_constraint: Option<String>,
}

/// `lx webhooks pull`.
#[derive(Debug, Args)]
pub struct WebhooksPullArgs {
    /// The subscription id
    pub subscription: String,

    /// Keep waiting for new events (backing off while there are none) until interrupted
    #[arg(long)]
    pub follow: bool,

    /// Run CMD (with sh -c) per event, the event's JSON on its stdin and its offset in
    /// LX_WEBHOOK_OFFSET; the event is committed only if CMD exits 0, else lx stops there
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
}

/// `lx token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Print the decoded claims instead of the token (decoded locally, never sent anywhere)
    #[arg(long)]
    pub claims: bool,

    /// With --claims: print the claims as JSON
    #[arg(long, requires = "claims")]
    pub json: bool,

    /// Remove the cached access token of this host and API token (the next run exchanges)
    #[arg(long, conflicts_with = "claims")]
    pub forget: bool,
}

/// `lx whoami`.
#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Print the claims as JSON
    #[arg(long)]
    pub json: bool,
}

/// `lx get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The path, e.g. /services/pathfinder/v1/factSheets?pageSize=10 (or a URL on the host)
    pub path: String,

    /// Add a request header (repeatable)
    #[arg(short = 'H', long = "header", value_name = "K:V")]
    pub headers: Vec<String>,

    /// Follow the list's pages (Pathfinder's `cursor`, or `page` counted up when the path has
    /// page=) and print each page's JSON document, one per page
    #[arg(long)]
    pub paginate: bool,

    /// With --paginate: print one JSON array of the `data` items of all pages instead
    #[arg(long, requires = "paginate")]
    pub merge: bool,
}

/// `lx request`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The HTTP method: GET, POST, PUT, PATCH, DELETE, ...
    pub method: String,

    /// The path, e.g. /services/pathfinder/v1/factSheets (or a URL on the host)
    pub path: String,

    /// The body: JSON text, @file, or - for standard input
    #[arg(short = 'd', long, value_name = "JSON|@FILE|-")]
    pub data: Option<String>,

    /// Add a request header (repeatable)
    #[arg(short = 'H', long = "header", value_name = "K:V")]
    pub headers: Vec<String>,
}

/// `lx graphql`.
#[derive(Debug, Args)]
pub struct GraphqlArgs {
    /// The query text, @file, or - for standard input
    #[arg(value_name = "QUERY|@FILE|-")]
    pub query: String,

    /// Variables: a JSON object, @file, or - for standard input
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub variables: Option<String>,

    /// The operation to run when the document holds several (sent as operationName)
    #[arg(long, value_name = "NAME")]
    pub operation_name: Option<String>,

    /// Walk every cursor page (the query takes $after and selects pageInfo { hasNextPage
    /// endCursor }) and print one result with the edges of all pages
    #[arg(long)]
    pub all: bool,
}

/// `lx demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many API calls show the token cache at work [default: 200 on the sandbox, 20 otherwise]
    #[arg(long, value_name = "N")]
    pub calls: Option<usize>,
}

/// The help of `--reauth-interval`, with the default of core's policy.
fn reauth_interval_help() -> String {
    format!(
        "At most one token exchange per SECS is caused by 401 answers; a 401 right after a fresh \
         token is final (exit 3) [default: {} s; config: reauth_interval]",
        leanix::policy::DEFAULT_REAUTH_INTERVAL.as_secs_f64()
    )
}

/// The help of `--max-response-bytes`, with the default of core's policy.
fn max_response_bytes_help() -> String {
    format!(
        "Largest response body read, in bytes [default: {} MiB]; a larger one fails with exit 6",
        leanix::policy::DEFAULT_MAX_RESPONSE_BYTES / 1024 / 1024
    )
}

/// The help of `--max-pages`, with the default of core's policy.
fn max_pages_help() -> String {
    format!(
        "Most pages lx get --paginate, lx graphql --all and lx ldif warnings fetch [default: {}; \
         config: max_pages]; a longer walk fails with exit 6",
        leanix::policy::DEFAULT_MAX_PAGES
    )
}

/// A page count for `--max-pages`: a whole number, at least 1.
pub fn parse_page_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{:?} is not a number of pages: give a whole number of at least 1",
            s.chars().take(20).collect::<String>()
        )),
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "{:?} is not a number of seconds: give more than 0 and at most 86400 (a day)",
            s.chars().take(20).collect::<String>()
        )),
    }
}

/// Flags that would put the API token on the command line, where other users see it in the
/// process list and it lands in the shell history.
const REFUSED_TOKEN_FLAGS: [&str; 4] = ["--api-token", "--token", "--access-token", "--apitoken"];

/// Refuses any attempt to pass the API token as an argument, before parsing, so that the value
/// is never echoed in a parse error. Arguments after `--` are left alone.
pub fn refuse_token_arguments(args: &[String]) -> Result<(), CliError> {
    for arg in args.iter().skip(1).take_while(|a| a.as_str() != "--") {
        let flag = arg.split('=').next().unwrap_or(arg);
        if REFUSED_TOKEN_FLAGS.contains(&flag) {
            return Err(CliError::usage(format!(
                "{flag} is not accepted: a token on the command line is visible to other users and \
                 kept in shell history. Set LEANIX_API_TOKEN, pass --api-token-file PATH or \
                 --api-token-stdin, or put api_token in ~/.config/leanix/config.toml (chmod 600)"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn token_flags_are_refused_in_every_spelling() {
        for bad in [
            "lx --api-token abc get /x",
            "lx get /x --api-token=abc",
            "lx token --token abc",
            "lx --token=abc whoami",
        ] {
            let e = refuse_token_arguments(&argv(bad)).unwrap_err();
            assert!(!e.message.contains("abc"), "{}", e.message);
            assert!(e.message.contains("LEANIX_API_TOKEN"));
        }
        refuse_token_arguments(&argv("lx --api-token-file f get /x")).unwrap();
        refuse_token_arguments(&argv("lx request POST /x -- --token")).unwrap();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from(argv("lx get /x --host h -i --compact")).unwrap();
        assert_eq!(cli.global.host.as_deref(), Some("h"));
        assert!(cli.global.include && cli.global.compact);
    }

    #[test]
    fn page_counts_are_whole_numbers_of_at_least_one() {
        assert_eq!(parse_page_count("3"), Ok(3));
        for bad in ["0", "-1", "2.5", "ten", ""] {
            assert!(parse_page_count(bad).is_err(), "{bad:?}");
        }
        // Repeated on one side of the subcommand (clap keeps the occurrences after the
        // subcommand only when a global flag is given on both sides).
        let cli = Cli::try_parse_from(argv(
            "lx --allow-instance-host a.example,b.example --allow-instance-host c.example get /x",
        ))
        .unwrap();
        assert_eq!(
            cli.global.allow_instance_hosts,
            ["a.example", "b.example", "c.example"]
        );
    }

    #[test]
    fn timeouts_must_be_positive() {
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("nan").is_err());
        assert_eq!(parse_seconds("2.5"), Ok(2.5));
    }
}
