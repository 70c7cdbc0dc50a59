//! The control API under `/_sandbox/`: counters, faults, revocation and
//! settings over HTTP, for tests written in other languages.
//!
//! Unauthenticated (the sandbox listens on loopback) and never counted in
//! the statistics. Disabled with `--no-control` / `control_api(false)`, in
//! which case these paths are plain 404s.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::{Endpoint, Fault};
use crate::http_util::{self, Resp};
use crate::state::State;

/// Handles `/_sandbox/...`.
pub(crate) fn handle(state: &State, req: &Request<Bytes>) -> Resp {
    let path = req.uri().path().trim_end_matches('/');
    let method = req.method();
    let result = match (method, path) {
        (&Method::GET, "/_sandbox/stats") => Ok(stats(state, req.uri().query())),
        (&Method::GET, "/_sandbox/stats/instance") => {
            Ok(state.instance_counters.snapshot().to_json())
        }
        (&Method::GET, "/_sandbox/webhooks") => Ok(state.webhooks.settings()),
        (&Method::POST, "/_sandbox/webhooks") => webhook_settings(state, req.body()),
        (&Method::POST, "/_sandbox/webhooks/events") => webhook_events(state, req.body()),
        (&Method::POST, "/_sandbox/reset") => {
            state.reset();
            Ok(ok())
        }
        (&Method::POST, "/_sandbox/faults") => faults(state, req.body()),
        (&Method::DELETE, "/_sandbox/faults") => {
            state.faults.clear();
            Ok(ok())
        }
        (&Method::POST, "/_sandbox/revoke") => revoke(state, req.body()),
        (&Method::POST, "/_sandbox/config") => config(state, req.body()),
        (&Method::GET, "/_sandbox/config") => Ok(current_config(state)),
        (&Method::POST, "/_sandbox/integration") => integration(state, req.body()),
        (&Method::GET, "/_sandbox/integration") => Ok(integration_settings(state)),
        (&Method::POST, "/_sandbox/integration/advance") => {
            Ok(json!({ "advanced": crate::integration::advance_all(state) }))
        }
        (&Method::GET, "/_sandbox/info") => Ok(info(state)),
        (&Method::GET, "/_sandbox/tokens") => Ok(json!({ "access_tokens": state.issued_tokens() })),
        _ => return http_util::not_found(),
    };
    match result {
        Ok(body) => http_util::json(StatusCode::OK, body.to_string()),
        Err(message) => http_util::json(
            StatusCode::BAD_REQUEST,
            json!({ "error": message }).to_string(),
        ),
    }
}

/// `GET /_sandbox/stats[?listener=main|instance]`.
fn stats(state: &State, query: Option<&str>) -> Value {
    match http_util::query_param(query, "listener").as_deref() {
        Some("instance") => state.instance_counters.snapshot().to_json(),
        _ => state.counters.snapshot().to_json(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookSettings {
    batch_size: Option<usize>,
    retention_secs: Option<u64>,
}

/// `POST /_sandbox/webhooks {"batch_size":N,"retention_secs":N}`.
fn webhook_settings(state: &State, body: &[u8]) -> Result<Value, String> {
    let r: WebhookSettings = parse(body)?;
    if let Some(n) = r.batch_size {
        if n == 0 || n > crate::webhooks::MAX_BATCH_SIZE {
            return Err(format!(
                "'batch_size' must lie in 1..={}",
                crate::webhooks::MAX_BATCH_SIZE
            ));
        }
        state.webhooks.set_batch_size(n);
    }
    if let Some(secs) = r.retention_secs {
        state.webhooks.set_retention(Duration::from_secs(secs));
    }
    Ok(state.webhooks.settings())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmitRequest {
    tags: Value,
    payload: Option<Value>,
    count: Option<u32>,
}

/// `POST /_sandbox/webhooks/events {"tags":[..],"payload":{..},"count":N}`:
/// logs `count` (default 1, at most 10000) events; answers their offsets.
fn webhook_events(state: &State, body: &[u8]) -> Result<Value, String> {
    let r: EmitRequest = parse(body)?;
    let tags = crate::webhooks::tags_of(&r.tags)?;
    let count = r.count.unwrap_or(1);
    if count == 0 || count > 10_000 {
        return Err("'count' must lie in 1..=10000".into());
    }
    let offsets: Vec<u64> = (0..count)
        .map(|_| {
            let payload = r.payload.clone().unwrap_or_else(|| json!({}));
            state.webhooks.emit(tags.clone(), payload)
        })
        .collect();
    Ok(json!({ "offsets": offsets }))
}

fn ok() -> Value {
    json!({ "ok": true })
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    endpoint: Option<String>,
    kind: String,
    status: Option<u16>,
    retry_after: Option<Value>,
    content_type: Option<String>,
    body: Option<String>,
    headers: Option<serde_json::Map<String, Value>>,
    bytes: Option<u64>,
    ms: Option<u64>,
    times: Option<u32>,
    probability: Option<f64>,
}

/// `POST /_sandbox/faults`.
fn faults(state: &State, body: &[u8]) -> Result<Value, String> {
    let r: FaultRequest = parse(body)?;
    let endpoint: Option<Endpoint> = r.endpoint.as_deref().map(str::parse).transpose()?;
    if r.kind == "clear" {
        match endpoint {
            Some(e) => state.faults.clear_endpoint(e),
            None => state.faults.clear(),
        }
        return Ok(ok());
    }
    // The kinds whose endpoint is ignored (they act on runs and writes, not on a route) need
    // none.
    let endpoint_ignored = matches!(
        r.kind.as_str(),
        "sync_run_fail" | "results_pending" | "concurrent_edit"
    );
    let endpoint = match endpoint {
        Some(e) => e,
        None if endpoint_ignored => Endpoint::Any,
        None => return Err("'endpoint' is required".into()),
    };
    let ms = || {
        r.ms.map(Duration::from_millis)
            .ok_or_else(|| format!("'ms' is required for kind {:?}", r.kind))
    };
    let fault = match r.kind.as_str() {
        "status" => Fault::Status {
            status: valid_status(r.status.ok_or("'status' is required for kind \"status\"")?)?,
            retry_after: match &r.retry_after {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(_) => return Err("'retry_after' must be a string or a number".into()),
            },
        },
        "respond" => Fault::Respond {
            status: valid_status(r.status.unwrap_or(200))?,
            content_type: r
                .content_type
                .clone()
                .unwrap_or_else(|| "application/json".into()),
            body: r.body.clone().unwrap_or_default(),
        },
        "malformed_json" => Fault::MalformedJson,
        "html_ok" => Fault::HtmlOk,
        "empty_token" => Fault::EmptyToken,
        "expired_true" => Fault::ExpiredTrue,
        "negative_expires_in" => Fault::NegativeExpiresIn,
        "drop_connection" => Fault::DropConnection,
        "stall" => Fault::Stall(ms()?),
        "sync_run_fail" => Fault::SyncRunFail,
        "results_pending" => Fault::ResultsPending,
        "concurrent_edit" => Fault::ConcurrentEdit,
        "latency" => Fault::Latency(ms()?),
        "redirect_foreign" => Fault::RedirectForeign,
        "redirect_self" => Fault::RedirectSelf,
        "truncated_body" => Fault::TruncatedBody,
        "large_body" => Fault::LargeBody(
            r.bytes
                .ok_or("'bytes' is required for kind \"large_body\"")?,
        ),
        "endless_body" => Fault::EndlessBody,
        "cursor_cycle" => Fault::CursorCycle,
        "no_end_cursor" => Fault::NoEndCursor,
        other => return Err(format!("unknown fault kind {other:?}")),
    };
    let fault = match r.headers {
        None => fault,
        Some(_) if matches!(fault, Fault::Latency(_)) => {
            return Err("kind \"latency\" takes no 'headers'".into())
        }
        Some(map) => Fault::WithHeaders {
            fault: Box::new(fault),
            headers: headers(map)?,
        },
    };
    match r.probability {
        None => state.faults.inject(endpoint, fault, r.times.unwrap_or(1)),
        Some(_) if r.times.is_some() => {
            return Err("give either 'times' or 'probability', not both".into())
        }
        Some(p) => state
            .faults
            .inject_random(endpoint, fault, p)
            .map_err(|e| e.to_string())?,
    }
    Ok(ok())
}

/// `{"x-request-id":"abc"}` as valid header pairs.
fn headers(map: serde_json::Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    map.into_iter()
        .map(|(name, value)| {
            let value = value.as_str().ok_or("'headers' values must be strings")?;
            http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("invalid header name {name:?}"))?;
            http::HeaderValue::from_str(value)
                .map_err(|_| format!("invalid value for header {name:?}"))?;
            Ok((name, value.to_owned()))
        })
        .collect()
}

fn valid_status(status: u16) -> Result<u16, String> {
    if (100..=999).contains(&status) {
        Ok(status)
    } else {
        Err(format!("invalid HTTP status {status}"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeRequest {
    api_token: Option<String>,
    access_tokens: Option<bool>,
}

/// `POST /_sandbox/revoke`.
fn revoke(state: &State, body: &[u8]) -> Result<Value, String> {
    let r: RevokeRequest = parse(body)?;
    if r.api_token.is_none() && r.access_tokens != Some(true) {
        return Err("give \"api_token\" or \"access_tokens\": true".into());
    }
    if let Some(token) = r.api_token {
        state.directory.revoke(&token);
    }
    if r.access_tokens == Some(true) {
        state.tokens.revoke_all();
    }
    Ok(ok())
}

/// `POST /_sandbox/config`: absent keys stay as they are; a null rate limit
/// turns limiting off.
fn config(state: &State, body: &[u8]) -> Result<Value, String> {
    let v: Value = parse(body)?;
    let Value::Object(map) = v else {
        return Err("expected a JSON object".into());
    };
    for key in map.keys() {
        if ![
            "token_lifetime_secs",
            "rate_limit_per_minute",
            "rate_limit_per_second",
        ]
        .contains(&key.as_str())
        {
            return Err(format!("unknown setting {key:?}"));
        }
    }
    let lifetime = match map.get("token_lifetime_secs") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|n| *n >= 1)
                .ok_or("'token_lifetime_secs' must be a positive integer")?,
        ),
    };
    let limit = match map.get("rate_limit_per_minute") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => Some(Some(v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or(
            "'rate_limit_per_minute' must be a non-negative integer or null",
        )?)),
    };
    let rate = match map.get("rate_limit_per_second") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => Some(Some(
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or("'rate_limit_per_second' must be a positive integer or null")?,
        )),
    };
    if let Some(rate) = rate {
        state.limiter.set_per_second(rate);
    }
    if let Some(secs) = lifetime {
        state.set_lifetime(Duration::from_secs(secs));
    }
    if let Some(limit) = limit {
        state.limiter.set(limit);
    }

    Ok(current_config(state))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntegrationRequest {
    sync_run_state_ms: Option<u64>,
    sync_run_manual: Option<bool>,
    sync_run_sequentialized: Option<bool>,
}

/// `POST /_sandbox/integration`: the Integration API's settings.
fn integration(state: &State, body: &[u8]) -> Result<Value, String> {
    let r: IntegrationRequest = parse(body)?;
    if let Some(ms) = r.sync_run_state_ms {
        state
            .integration
            .set_state_duration(Duration::from_millis(ms));
    }
    if let Some(manual) = r.sync_run_manual {
        state.integration.set_manual(manual);
    }
    if let Some(on) = r.sync_run_sequentialized {
        state.integration.set_sequentialized(on);
    }
    Ok(integration_settings(state))
}

fn integration_settings(state: &State) -> Value {
    json!({
        "sync_run_state_ms": state.integration.state_duration().as_millis() as u64,
        "sync_run_manual": state.integration.manual(),
        "sync_run_sequentialized": state.integration.sequentialized(),
    })
}

fn current_config(state: &State) -> Value {
    json!({
        "token_lifetime_secs": state.lifetime().as_secs(),
        "rate_limit_per_minute": state.limiter.get(),
        "rate_limit_per_second": state.limiter.get_per_second(),
    })
}

/// `GET /_sandbox/info`: where things are and who the users are.
fn info(state: &State) -> Value {
    let users: Vec<Value> = state
        .directory
        .users()
        .iter()
        .map(|u| {
            json!({
                "api_token": u.api_token,
                "username": u.username,
                "role": u.role.as_str(),
                "workspace_id": u.workspace_id,
                "workspace_name": u.workspace_name,
            })
        })
        .collect();
    json!({
        "url": state.url,
        "foreign_url": state.foreign_url,
        "instance_url": state.instance_url,
        "workspace_id": state.workspace.id,
        "workspace_name": state.workspace.name,
        "fact_sheets": state.store.len(),
        "active_fact_sheets": state.store.active_len(),
        "users": users,
    })
}
