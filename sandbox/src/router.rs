//! The request pipeline of the main listener: routing, counting, injected
//! faults, bearer authentication, rate limiting, and dispatch to the API.
//!
//! Order for an API request: latency, then the queued fault (if any), then
//! the token endpoint or, for resources, the `Bearer` check (401), the rate
//! limit (429) and the handler.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::control;
use crate::factsheets;
use crate::faults::{Endpoint, Fault};
use crate::graphql;
use crate::http_util::{self, Body, Resp};
use crate::integration;
use crate::ratelimit::EXCEEDED_MESSAGE;
use crate::server::{ConnControl, Listener};
use crate::state::State;
use crate::stats::{Counters, Slot, CLIENT_CLOSED, DROPPED};
use crate::token_endpoint;
use crate::tokens::AuthError;
use crate::webhooks;
use crate::workspaces;

/// Largest request body read.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A recognised path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'p> {
    Token,
    FactSheets,
    FactSheet(&'p str),
    GraphQl,
    Workspace(&'p str),
    Services(&'p str),
    Integration(&'p str),
    Webhooks(&'p str),
}

impl Route<'_> {
    /// The `type` of the REST error envelope on this route.
    fn resource(self) -> &'static str {
        match self {
            Route::Token => "Token",
            Route::FactSheets | Route::FactSheet(_) => "FactSheet",
            Route::GraphQl => "GraphQL",
            Route::Workspace(_) => "Workspace",
            Route::Services(_) => "Service",
            Route::Integration(_) => "SynchronizationRun",
            Route::Webhooks(_) => "WebhookSubscription",
        }
    }

    fn endpoint(self) -> Endpoint {
        match self {
            Route::Token => Endpoint::Token,
            Route::FactSheets => Endpoint::FactSheets,
            Route::FactSheet(_) => Endpoint::FactSheet,
            Route::GraphQl => Endpoint::GraphQl,
            Route::Workspace(_) => Endpoint::Workspaces,
            Route::Services(_) => Endpoint::Services,
            Route::Integration(_) => Endpoint::Integration,
            Route::Webhooks(_) => Endpoint::Webhooks,
        }
    }
}

fn route(path: &str) -> Option<Route<'_>> {
    if let Some(rest) = path.strip_prefix("/services/pathfinder/v1/") {
        return match rest {
            "factSheets" | "factSheets/" => Some(Route::FactSheets),
            "graphql" | "graphql/" => Some(Route::GraphQl),
            _ => rest
                .strip_prefix("factSheets/")
                .filter(|id| !id.is_empty() && !id.contains('/'))
                .map(Route::FactSheet),
        };
    }
    if let Some(rest) = path.strip_prefix("/services/integration-api/v1/") {
        return Some(Route::Integration(rest));
    }
    if let Some(rest) = path.strip_prefix("/services/webhooks/v1/") {
        return Some(Route::Webhooks(rest));
    }
    if let Some(rest) = path.strip_prefix("/services/mtm/v1/") {
        return match rest {
            "oauth2/token" | "oauth2/token/" => Some(Route::Token),
            _ => rest
                .strip_prefix("workspaces/")
                .filter(|id| !id.is_empty() && !id.contains('/'))
                .map(Route::Workspace),
        };
    }
    let ws = path.strip_prefix('/')?.strip_suffix("/api/v1/services")?;
    (!ws.is_empty() && !ws.contains('/')).then_some(Route::Services(ws))
}

/// Handles one request of the main or the instance listener. The instance
/// serves the API but neither the token endpoint nor the control API (both
/// are 404s there, counted as `other`), and counts in its own counters.
pub(crate) async fn handle(
    state: Arc<State>,
    conn: Arc<ConnControl>,
    listener: Listener,
    req: Request<Incoming>,
) -> Result<Resp, Infallible> {
    let path = req.uri().path().to_owned();
    let counters = state.counters_for(listener);
    let on_instance = listener == Listener::Instance;
    if path == "/_sandbox" || path.starts_with("/_sandbox/") {
        if !state.control_enabled || on_instance {
            return Ok(http_util::not_found());
        }
        return Ok(match read_body(req, "Error").await {
            Ok(req) => control::handle(&state, &req),
            Err(resp) => resp,
        });
    }
    let Some(route) = route(&path).filter(|r| !(on_instance && *r == Route::Token)) else {
        counters.record(Slot::Other, 404);
        return Ok(http_util::not_found());
    };
    let endpoint = route.endpoint();
    let slot = Slot::Endpoint(endpoint);
    if endpoint == Endpoint::Token {
        counters.token_request();
    }
    let req = match read_body(req, route.resource()).await {
        Ok(req) => req,
        Err(resp) => {
            counters.record(slot, resp.status().as_u16());
            return Ok(resp);
        }
    };

    if let Some(delay) = state.faults.latency(endpoint) {
        sleep_counting_hang_ups(counters, slot, delay).await;
    }
    let (mut truncate, mut paging, mut headers) = (false, None, Vec::new());
    if let Some(mut fault) = state.faults.take(endpoint) {
        if let Fault::WithHeaders {
            fault: inner,
            headers: extra,
        } = fault
        {
            (fault, headers) = (*inner, extra);
        }
        match fault {
            Fault::TruncatedBody => truncate = true,
            Fault::DropConnection => {
                counters.record(slot, DROPPED);
                conn.kill();
                // The connection task drops this future with the connection.
                return std::future::pending().await;
            }
            Fault::Stall(delay) => sleep_counting_hang_ups(counters, slot, delay).await,
            Fault::Latency(_) | Fault::WithHeaders { .. } => {}
            Fault::CursorCycle | Fault::NoEndCursor => paging = Some(fault),
            fault => {
                let resp = fault_response(&state, route, &fault, &req);
                counters.record(slot, resp.status().as_u16());
                return Ok(with_headers(resp, &headers));
            }
        }
    }

    let resp = match route {
        Route::Token if truncate => token_endpoint::handle_uncounted(&state, &req),
        Route::Token => token_endpoint::handle(&state, &req),
        route => resource(&state, route, &req, paging.as_ref()),
    };
    counters.record(slot, resp.status().as_u16());
    let resp = with_headers(resp, &headers);
    if truncate {
        return Ok(truncated(resp).await);
    }
    Ok(resp)
}

/// `resp` with the headers of a fault added (invalid ones are skipped).
fn with_headers(mut resp: Resp, headers: &[(String, String)]) -> Resp {
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            resp.headers_mut().insert(n, v);
        }
    }
    resp
}

/// The response with its full `Content-Length` but only the first half of its
/// body: hyper sends what it has, then closes the connection, since the body
/// ended before the announced length.
async fn truncated(resp: Resp) -> Resp {
    let (mut parts, body) = resp.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    http::Response::from_parts(parts, http_util::Body::unannounced(half))
}

/// Sleeps for an injected delay. If the client hangs up meanwhile, the
/// connection task drops this future, and the request is counted under
/// [`CLIENT_CLOSED`] so that abandoned attempts stay visible in the counters.
async fn sleep_counting_hang_ups(counters: &Counters, slot: Slot, delay: std::time::Duration) {
    struct HangUp<'a> {
        counters: &'a Counters,
        slot: Slot,
        armed: bool,
    }
    impl Drop for HangUp<'_> {
        fn drop(&mut self) {
            self.counters.stall_ended();
            if self.armed {
                self.counters.record(self.slot, CLIENT_CLOSED);
            }
        }
    }
    counters.stall_started();
    let mut guard = HangUp {
        counters,
        slot,
        armed: true,
    };
    tokio::time::sleep(delay).await;
    guard.armed = false;
}

/// Serves an authenticated, rate-limited resource.
fn resource(
    state: &Arc<State>,
    route: Route<'_>,
    req: &Request<Bytes>,
    paging: Option<&Fault>,
) -> Resp {
    let ty = route.resource();
    let caller = match state.authenticate(req.headers()) {
        Ok(caller) => caller,
        Err(e) => return unauthorized(ty, e),
    };
    if let Err(retry_after) = state.limiter.check(caller.user) {
        let mut resp = http_util::api_error(StatusCode::TOO_MANY_REQUESTS, ty, EXCEEDED_MESSAGE);
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return resp;
    }
    let method = req.method();
    let role = state.directory.user(caller.user).role;
    match route {
        Route::FactSheets if method == Method::GET => factsheets::list(state, req, paging),
        Route::FactSheets if method == Method::POST => factsheets::create(state, req, role),
        Route::FactSheets => http_util::method_not_allowed(ty, "GET, POST"),
        Route::FactSheet(id) if method == Method::GET => factsheets::get(state, id),
        Route::FactSheet(id) if method == Method::PUT => factsheets::update(state, id, req, role),
        Route::FactSheet(id) if method == Method::DELETE => {
            factsheets::archive(state, id, req, role)
        }
        Route::FactSheet(_) => http_util::method_not_allowed(ty, "GET, PUT, DELETE"),
        Route::GraphQl => graphql::handle(state, req, role, paging),
        Route::Workspace(id) if method == Method::GET => workspaces::workspace(state, id),
        Route::Services(ws) if method == Method::GET => workspaces::services(state, ws),
        Route::Integration(rest) => integration::handle(state, rest, req, role),
        Route::Webhooks(rest) => webhooks::handle(state, rest, req, role),
        _ => http_util::method_not_allowed(ty, "GET"),
    }
}

fn unauthorized(ty: &str, e: AuthError) -> Resp {
    let mut resp = http_util::api_error(StatusCode::UNAUTHORIZED, ty, e.message());
    let challenge = match e {
        AuthError::Missing => "Bearer".to_owned(),
        e => format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            e.message()
        ),
    };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// The response an injected fault produces instead of the normal one.
fn fault_response(state: &State, route: Route<'_>, fault: &Fault, req: &Request<Bytes>) -> Resp {
    let is_token = route == Route::Token;
    let ty = route.resource();
    match fault {
        Fault::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            let mut resp = if is_token {
                let error = reason.to_ascii_lowercase().replace([' ', '-'], "_");
                let body = serde_json::json!({
                    "error": error,
                    "error_description": format!("HTTP {} {reason}", status.as_u16()),
                });
                http_util::json(status, body.to_string())
            } else if status == StatusCode::TOO_MANY_REQUESTS {
                http_util::api_error(status, ty, EXCEEDED_MESSAGE)
            } else {
                http_util::api_error(status, ty, &format!("HTTP {} {reason}", status.as_u16()))
            };
            if let Some(v) = retry_after
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        Fault::Respond {
            status,
            content_type,
            body,
        } => http_util::raw(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            content_type,
            body.clone(),
        ),
        Fault::RedirectForeign | Fault::RedirectSelf => {
            let origin = match fault {
                Fault::RedirectForeign => &state.foreign_url,
                _ => &state.url,
            };
            let path = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
            let resp = http_util::raw(StatusCode::TEMPORARY_REDIRECT, "text/plain", "");
            with_headers(resp, &[("location".into(), format!("{origin}{path}"))])
        }
        Fault::LargeBody(n) if *n >= 11 => {
            generated(Body::generated(r#"{"data":""#, n - 11, r#""}"#))
        }
        Fault::LargeBody(n) => generated(Body::generated("", *n, "")),
        Fault::EndlessBody => generated(Body::generated(r#"{"data":""#, http_util::ENDLESS, "")),
        Fault::MalformedJson if !is_token => http_util::json(
            StatusCode::OK,
            r#"{"status":"OK","type":"FactSheet","errors":[],"data":[{"id":""#,
        ),
        Fault::HtmlOk => token_endpoint::html_ok(),
        other => token_endpoint::fault_response(state, other, req.headers()).unwrap_or_else(|| {
            http_util::api_error(StatusCode::INTERNAL_SERVER_ERROR, ty, "fault")
        }),
    }
}

/// A 200 JSON response with a generated (chunked) body.
fn generated(body: Body) -> Resp {
    let mut resp = http::Response::new(body);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Reads the whole body (up to [`MAX_BODY`]).
pub(crate) async fn read_body(req: Request<Incoming>, ty: &str) -> Result<Request<Bytes>, Resp> {
    let (parts, body) = req.into_parts();
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, collected.to_bytes())),
        Err(_) => Err(http_util::api_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ty,
            "Request body too large or unreadable",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        for (path, want) in [
            ("/services/mtm/v1/oauth2/token", Some(Route::Token)),
            ("/services/mtm/v1/oauth2/token/", Some(Route::Token)),
            (
                "/services/pathfinder/v1/factSheets",
                Some(Route::FactSheets),
            ),
            (
                "/services/pathfinder/v1/factSheets/abc",
                Some(Route::FactSheet("abc")),
            ),
            ("/services/pathfinder/v1/factSheets/a/b", None),
            ("/services/pathfinder/v1/graphql", Some(Route::GraphQl)),
            (
                "/services/mtm/v1/workspaces/w1",
                Some(Route::Workspace("w1")),
            ),
            ("/acme/api/v1/services", Some(Route::Services("acme"))),
            ("/api/v1/services", None),
            (
                "/services/integration-api/v1/synchronizationRuns/x/status",
                Some(Route::Integration("synchronizationRuns/x/status")),
            ),
            (
                "/services/webhooks/v1/subscriptions/s1/events",
                Some(Route::Webhooks("subscriptions/s1/events")),
            ),
            ("/", None),
        ] {
            assert_eq!(route(path), want, "{path}");
        }
    }
}
