//! # leanix — a LeanIX API client that gets authentication right
//!
//! LeanIX authenticates API calls with OAuth2: a program exchanges its API token for a short-lived
//! access token (a JWT, about an hour) and sends it as `Bearer` on every call. This crate does that
//! exchange, caches the token, refreshes it ahead of expiry without stalling requests, replays a
//! request once after a 401, retries what is safe to retry, and keeps every credential out of
//! errors, logs and `Debug` output.
//!
//! ```no_run
//! # async fn demo() -> Result<(), leanix::Error> {
//! let client = leanix::Client::builder()
//!     .host("acme.leanix.net")
//!     .api_token("my-api-token")
//!     .build()?;
//! let response = client.get("/services/pathfinder/v1/factSheets?pageSize=10").await?;
//! println!("{}", response.status());
//! # Ok(()) }
//! ```
//!
//! The blocking flavour in [`blocking`] has the same methods without `async`; it is what the C ABI
//! and the `lx` command use.
#![warn(missing_docs)]

pub mod blocking;
mod body;
mod call_limits;
mod cancel;
mod claims;
mod client;
mod clock;
mod config;
mod error;
mod events;
mod exchange;
mod graphql;
pub mod integration;
mod origin;
mod page_walk;
pub mod policy;
mod rate;
mod request;
mod rest_paging;
mod routing;
mod runtime;
mod secret;
mod token_cache;
pub mod token_calls;
mod token_manager;
mod token_response;
pub mod webhooks;
pub mod writes;

pub use cancel::Cancel;
pub use claims::{decode_claims, Account, Claims, Permission, Principal};
pub use client::Client;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::ClientBuilder;
pub use error::{Error, ErrorKind};
pub use events::{Event, EventHandler, RetryTarget};
pub use graphql::{
    graphql_data, graphql_error, operation_kind, page_connection, page_edges, GraphQlPages,
    GraphQlRequest, MergedPages, OperationKind, GRAPHQL_PATH,
};
pub use origin::Origin;
pub use request::{Request, Response};
pub use rest_paging::{take_data, RestPages, REST_CURSOR_PARAM, REST_PAGE_PARAM, REST_SIZE_PARAM};
pub use secret::{AccessToken, ApiToken};
pub use token_cache::default_token_cache_dir;
pub use token_calls::TokenCalls;
pub use token_response::{parse_token_response, LifetimeSource, TokenGrant};
pub use webhooks::{
    ConsumeError, Consumed, Consumer, NewSubscription, PayloadMode, Subscription, WebhookEvent,
    Webhooks, WEBHOOKS_PATH,
};

/// The version of this crate, as in `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The path of LeanIX's OAuth2 token endpoint on every instance.
pub const TOKEN_PATH: &str = "/services/mtm/v1/oauth2/token";

/// Environment variable holding the LeanIX host (`acme.leanix.net` or a URL).
pub const ENV_HOST: &str = "LEANIX_HOST";

/// Environment variable holding the LeanIX API token.
pub const ENV_API_TOKEN: &str = "LEANIX_API_TOKEN";

/// Environment variable that opts in to plain `http://` to a loopback host (`1`), read where
/// the host is read from the environment ([`ClientBuilder::from_env`], the C ABI's defaults,
/// the bindings, `lx`); see [`env_insecure_loopback`].
pub const ENV_INSECURE_LOOPBACK: &str = "LEANIX_INSECURE_LOOPBACK";

pub use config::{env_insecure_loopback, read_ca_file, read_regular_file};
