//! What the benchmarks talk to: a running `lx-sandbox` (the harness passes its URL and token),
//! or, without `--url`, a sandbox started in this process (for `cargo test` and quick tries).

use std::time::Duration;

use clap::Args;
use leanix_sandbox::Sandbox;
use serde_json::Value;

use crate::Res;

/// Command-line options naming the server, the credentials and the path to GET.
#[derive(Args, Debug, Clone)]
pub struct TargetArgs {
    /// Origin of a running lx-sandbox (e.g. http://127.0.0.1:41234); without it, a sandbox is
    /// started in this process.
    #[arg(long)]
    pub url: Option<String>,
    /// The API token to exchange (required with --url).
    #[arg(long, env = "LEANIX_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// A ready access token for the raw reqwest client (else it exchanges once at start).
    #[arg(long, env = "LX_ACCESS_TOKEN", hide_env_values = true)]
    pub access_token: Option<String>,
    /// The path to GET (default: the first fact sheet, /services/pathfinder/v1/factSheets/{id}).
    #[arg(long)]
    pub path: Option<String>,
    /// In-process sandbox only: the access-token lifetime in seconds.
    #[arg(long, default_value_t = 3599)]
    pub lifetime: u64,
}

/// A resolved target. Keeps an in-process sandbox alive as long as it lives.
pub struct Target {
    /// The origin, without trailing slash.
    pub url: String,
    /// The API token.
    pub api_token: String,
    /// The path every benchmark GETs.
    pub path: String,
    access_token: Option<String>,
    sandbox: Option<Sandbox>,
}

impl Target {
    /// Resolves the options, starting an in-process sandbox and discovering the path as needed.
    /// Whatever exchanges discovery makes are not counted: the in-process sandbox is reset.
    pub async fn resolve(args: &TargetArgs) -> Res<Target> {
        let (url, api_token, sandbox) = match &args.url {
            Some(url) => {
                let token = args
                    .api_token
                    .clone()
                    .ok_or("--api-token (or LEANIX_API_TOKEN) is required with --url")?;
                (url.trim_end_matches('/').to_owned(), token, None)
            }
            None => {
                let sb = Sandbox::builder()
                    .token_lifetime(Duration::from_secs(args.lifetime))
                    .start()?;
                (sb.url().to_owned(), sb.api_token().to_owned(), Some(sb))
            }
        };
        let mut target = Target {
            url,
            api_token,
            path: args.path.clone().unwrap_or_default(),
            access_token: args.access_token.clone(),
            sandbox,
        };
        if target.path.is_empty() {
            target.path = target.discover_path().await?;
        }
        if let Some(sb) = &target.sandbox {
            sb.reset();
        }
        Ok(target)
    }

    /// An access token for the raw client: the given one, or one exchanged now (the hand-coded
    /// way: Basic `apitoken:<token>`, `grant_type=client_credentials`).
    pub async fn access_token(&mut self, http: &reqwest::Client) -> Res<String> {
        if let Some(t) = &self.access_token {
            return Ok(t.clone());
        }
        let resp = http
            .post(format!("{}{}", self.url, leanix::TOKEN_PATH))
            .basic_auth("apitoken", Some(&self.api_token))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await?
            .error_for_status()?;
        let body: Value = resp.json().await?;
        let token = body["access_token"]
            .as_str()
            .ok_or("the token response has no access_token")?
            .to_owned();
        self.access_token = Some(token.clone());
        Ok(token)
    }

    /// Token exchanges counted by the in-process sandbox (None for an external one: the harness
    /// reads its counter).
    pub fn sandbox_exchanges(&self) -> Option<u64> {
        self.sandbox.as_ref().map(|s| s.stats().token_exchanges)
    }

    async fn discover_path(&mut self) -> Res<String> {
        let http = crate::subject::raw_http()?;
        let token = self.access_token(&http).await?;
        let list: Value = http
            .get(format!(
                "{}/services/pathfinder/v1/factSheets?pageSize=1",
                self.url
            ))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = list["data"][0]["id"]
            .as_str()
            .ok_or("the sandbox listed no fact sheet")?;
        Ok(format!("/services/pathfinder/v1/factSheets/{id}"))
    }
}
