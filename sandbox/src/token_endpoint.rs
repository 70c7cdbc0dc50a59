//! `POST /services/mtm/v1/oauth2/token`: the OAuth2 client-credentials
//! exchange of an API token for an access token.
//!
//! Client authentication is HTTP Basic with the user name `apitoken` and the
//! API token as password; `grant_type=client_credentials` may come in the
//! form body or the query string. Errors follow the OAuth2 shape
//! (`{"error":..,"error_description":..}`) and never echo the token.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};

use crate::faults::Fault;
use crate::http_util::{self, Resp};
use crate::state::State;
use crate::users::Role;

/// Handles a token request that no fault intercepted.
pub(crate) fn handle(state: &State, req: &Request<Bytes>) -> Resp {
    exchange(state, req, true)
}

/// Handles a token request whose response a fault will cut short: the same
/// answer, but the token is not counted as exchanged (the client never gets it).
pub(crate) fn handle_uncounted(state: &State, req: &Request<Bytes>) -> Resp {
    exchange(state, req, false)
}

fn exchange(state: &State, req: &Request<Bytes>, count: bool) -> Resp {
    if req.method() != Method::POST {
        let mut resp = oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Request method not supported",
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }
    let user = match basic_credentials(req.headers()) {
        Credentials::Missing => {
            return unauthorized("Full authentication is required to access this resource")
        }
        Credentials::Invalid => return unauthorized("Bad credentials"),
        Credentials::ApiToken(token) => match state.directory.authenticate(&token) {
            Some(user) => user,
            None => return unauthorized("Bad credentials"),
        },
    };
    match grant_type(req).as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {}", other.escape_debug()),
            )
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Missing grant type",
            )
        }
    }
    let token = state.issue_token(user);
    if count {
        state.counters.token_exchange();
    }
    token_response(&token, false, &state.lifetime().as_secs().to_string())
}

/// The response of a token-shaped fault (`MalformedJson`, `HtmlOk`,
/// `EmptyToken`, `ExpiredTrue`, `NegativeExpiresIn`); `None` for other faults.
/// Real tokens in these responses are issued for the caller when its
/// credentials are valid, else for the first admin.
pub(crate) fn fault_response(state: &State, fault: &Fault, headers: &HeaderMap) -> Option<Resp> {
    let user = || match basic_credentials(headers) {
        Credentials::ApiToken(t) => state.directory.authenticate(&t),
        _ => None,
    };
    let admin = || state.directory.first_index(Role::Admin);
    let expires_in = state.lifetime().as_secs().to_string();
    Some(match fault {
        Fault::MalformedJson => http_util::json(
            StatusCode::OK,
            r#"{"scope":"","expired":false,"access_token":"eyJraWQiOiI"#,
        ),
        Fault::HtmlOk => html_ok(),
        Fault::EmptyToken => token_response("", false, &expires_in),
        Fault::ExpiredTrue => {
            let token = state.issue_token(user().unwrap_or_else(admin));
            token_response(&token, true, &expires_in)
        }
        Fault::NegativeExpiresIn => {
            let token = state.issue_token(user().unwrap_or_else(admin));
            token_response(&token, false, "-1")
        }
        _ => return None,
    })
}

/// A 200 HTML page, as a captive portal or a misrouted proxy would send.
pub(crate) fn html_ok() -> Resp {
    http_util::raw(
        StatusCode::OK,
        "text/html; charset=UTF-8",
        "<!DOCTYPE html>\n<html><head><title>SAP LeanIX</title></head>\
         <body><h1>Sign in to SAP LeanIX</h1><p>Your session has ended.</p></body></html>\n",
    )
}

/// The vendor's five-field success body, in the vendor's field order.
fn token_response(token: &str, expired: bool, expires_in: &str) -> Resp {
    let body = format!(
        r#"{{"scope":"","expired":{expired},"access_token":"{token}","token_type":"bearer","expires_in":{expires_in}}}"#
    );
    let mut resp = http_util::json(StatusCode::OK, body);
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Resp {
    let body = serde_json::json!({ "error": error, "error_description": description });
    http_util::json(status, body.to_string())
}

fn unauthorized(description: &str) -> Resp {
    let mut resp = oauth_error(StatusCode::UNAUTHORIZED, "unauthorized", description);
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"LeanIX\""),
    );
    resp
}

enum Credentials {
    Missing,
    Invalid,
    ApiToken(String),
}

/// Extracts the API token from `Authorization: Basic base64("apitoken:" + token)`.
fn basic_credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Credentials::Missing;
    };
    let Ok(value) = value.to_str() else {
        return Credentials::Invalid;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return Credentials::Invalid;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Credentials::Missing;
    }
    let encoded = encoded.trim();
    let Ok(decoded) = STANDARD
        .decode(encoded)
        .or_else(|_| STANDARD_NO_PAD.decode(encoded))
    else {
        return Credentials::Invalid;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Credentials::Invalid;
    };
    match decoded.split_once(':') {
        Some(("apitoken", token)) if !token.is_empty() => Credentials::ApiToken(token.to_owned()),
        _ => Credentials::Invalid,
    }
}

/// `grant_type` from the form body, else from the query string.
fn grant_type(req: &Request<Bytes>) -> Option<String> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form = content_type.is_empty()
        || content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded");
    let from_body = form
        .then(|| std::str::from_utf8(req.body()).ok())
        .flatten()
        .and_then(|body| {
            http_util::form_pairs(body.trim())
                .into_iter()
                .find(|(k, _)| k == "grant_type")
                .map(|(_, v)| v)
        });
    from_body.or_else(|| http_util::query_param(req.uri().query(), "grant_type"))
}
