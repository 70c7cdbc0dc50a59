//! A faithful emulator of the SAP LeanIX API, for tests, demos and benchmarks.
//!
//! It implements the OAuth2 exchange of an API token for an RS256 access
//! token (`POST /services/mtm/v1/oauth2/token`), `Bearer` validation on every
//! resource, Pathfinder REST fact sheets with cursor paging and writes, a
//! GraphQL subset (`allFactSheets`, `factSheet`, `createFactSheet`,
//! `updateFactSheet` with revision checks), the Integration API (LDIF runs
//! with a state machine, processor configurations, fast runs), MTM
//! workspaces, PULL webhooks, per-user rate limiting with 429 and `Retry-After`, and fault
//! injection with counters.
//!
//! ```no_run
//! let sandbox = leanix_sandbox::Sandbox::start().unwrap();
//! println!("{} {}", sandbox.url(), sandbox.api_token());
//! ```
//!
//! The same server runs as the `lx-sandbox` binary for tests in other
//! languages; there, faults and counters are reached through the HTTP
//! control API under `/_sandbox/` (see the crate's README).

#![warn(missing_docs)]

mod claims;
mod clock;
mod config;
mod control;
mod factsheets;
mod faults;
mod foreign;
mod graphql;
mod http_util;
mod ids;
mod integration;
mod jwt;
mod model;
mod ratelimit;
mod router;
mod sandbox;
mod seed;
mod server;
mod state;
mod stats;
mod store;
mod tls;
mod token_endpoint;
mod tokens;
mod users;
mod webhooks;
mod workspaces;
mod writes;

pub use config::{SandboxBuilder, DEFAULT_FACT_SHEETS, DEFAULT_TOKEN_LIFETIME};
pub use faults::{Endpoint, Fault, RandomFaultError};
pub use integration::DEFAULT_SYNC_RUN_STATE;
pub use model::TYPES as FACT_SHEET_TYPES;
pub use sandbox::Sandbox;
pub use stats::{Stats, CLIENT_CLOSED, DROPPED};
pub use users::{Role, User};
pub use webhooks::{DEFAULT_WEBHOOK_BATCH_SIZE, DEFAULT_WEBHOOK_RETENTION};
