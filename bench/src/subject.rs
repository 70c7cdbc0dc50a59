//! The Rust clients under test: the raw reqwest floor, the core's async and blocking clients.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use leanix::Event;
use reqwest::header::{HeaderValue, AUTHORIZATION};

use crate::target::Target;
use crate::Res;

/// Which client a load run drives.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// reqwest with a fixed `Authorization: Bearer` header and no token logic (the floor).
    Raw,
    /// `leanix::Client` (async), one request per task at a time.
    Async,
    /// `leanix::blocking::Client` (what the C ABI wraps), one OS thread per worker.
    Blocking,
}

impl SubjectKind {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            SubjectKind::Raw => "raw-reqwest",
            SubjectKind::Async => "core-async",
            SubjectKind::Blocking => "core-blocking",
        }
    }
}

/// The reqwest client of the raw floor, built with the transport settings the core uses
/// (`TCP_NODELAY`, no proxy for loopback), so that the difference is the token logic alone.
pub fn raw_http() -> Res<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .tcp_nodelay(true)
        .no_proxy()
        .build()?)
}

/// An async client, cheap to clone into tasks.
#[derive(Clone)]
pub enum AsyncClient {
    /// The raw floor: a pre-parsed URL and a fixed bearer header.
    Raw {
        /// The reqwest client.
        http: reqwest::Client,
        /// The full URL.
        url: reqwest::Url,
        /// `Bearer <access token>`.
        bearer: HeaderValue,
    },
    /// The core.
    Core {
        /// The leanix client.
        client: leanix::Client,
        /// The path.
        path: Arc<str>,
    },
}

impl AsyncClient {
    /// The raw floor for `target` (exchanges once if the harness gave no access token).
    pub async fn raw(target: &mut Target) -> Res<AsyncClient> {
        let http = raw_http()?;
        let token = target.access_token(&http).await?;
        let mut bearer = HeaderValue::from_str(&format!("Bearer {token}"))?;
        bearer.set_sensitive(true);
        Ok(AsyncClient::Raw {
            http,
            url: reqwest::Url::parse(&format!("{}{}", target.url, target.path))?,
            bearer,
        })
    }

    /// The core's async client, built with `configure` applied (must run inside a runtime).
    pub fn core(
        target: &Target,
        configure: impl FnOnce(leanix::ClientBuilder) -> leanix::ClientBuilder,
    ) -> Res<AsyncClient> {
        let client = configure(core_builder(target)).build()?;
        Ok(AsyncClient::Core {
            client,
            path: Arc::from(target.path.as_str()),
        })
    }

    /// One GET; returns the body length. A non-2xx answer is an error for both.
    pub async fn get(&self) -> Res<usize> {
        match self {
            AsyncClient::Raw { http, url, bearer } => {
                let resp = http
                    .get(url.clone())
                    .header(AUTHORIZATION, bearer.clone())
                    .send()
                    .await?
                    .error_for_status()?;
                Ok(resp.bytes().await?.len())
            }
            AsyncClient::Core { client, path } => Ok(client.get(path).await?.body().len()),
        }
    }
}

/// A builder for `target` with the settings every core subject shares (http:// to loopback).
pub fn core_builder(target: &Target) -> leanix::ClientBuilder {
    leanix::Client::builder()
        .host(target.url.clone())
        .api_token(target.api_token.clone())
        .allow_insecure_loopback(true)
}

/// When the client fetched tokens, as reported by its events.
#[derive(Clone, Default)]
pub struct FetchLog {
    inner: Arc<Mutex<Vec<Fetch>>>,
}

/// One successful token exchange seen by the client.
#[derive(Debug, Clone, Copy)]
pub struct Fetch {
    /// When the client reported it (the exchange had completed).
    pub at: Instant,
    /// True for a refresh ahead of expiry (nobody waited), false for a foreground fetch.
    pub background: bool,
    /// The lifetime of the token the server gave.
    pub lifetime: Duration,
}

impl FetchLog {
    /// Installs the log as the builder's event handler.
    pub fn attach(&self, builder: leanix::ClientBuilder) -> leanix::ClientBuilder {
        let log = self.clone();
        builder.on_event(move |e| {
            if let Event::TokenFetched {
                background,
                lifetime,
                ..
            } = e
            {
                log.lock().push(Fetch {
                    at: Instant::now(),
                    background: *background,
                    lifetime: *lifetime,
                });
            }
        })
    }

    /// The fetches so far, in order.
    pub fn fetches(&self) -> Vec<Fetch> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fetch>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}
