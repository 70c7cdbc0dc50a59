//! Pathfinder REST: `GET/POST /services/pathfinder/v1/factSheets` and
//! `GET /services/pathfinder/v1/factSheets/{id}`.
//!
//! Listing pages with `pageSize` (default 100, at most 10000; larger values
//! are clamped) and an opaque `cursor`; `type` (repeatable or
//! comma-separated) filters by fact sheet type. The last page has
//! `"cursor":null`.

use std::collections::HashSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use http::{Request, StatusCode};
use serde::Deserialize;

use crate::clock;
use crate::http_util::{self, Resp};
use crate::ids;
use crate::model::{self, Completion, FactSheet};
use crate::state::State;
use crate::store::Filter;
use crate::tokens::TokenInfo;

/// Default `pageSize`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;
/// Largest `pageSize` honoured.
pub(crate) const MAX_PAGE_SIZE: usize = 10_000;

/// `GET /factSheets`.
pub(crate) fn list(state: &State, req: &Request<Bytes>) -> Resp {
    let pairs = http_util::form_pairs(req.uri().query().unwrap_or(""));
    let param = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };

    let page_size = match param("pageSize") {
        None | Some("") => DEFAULT_PAGE_SIZE,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => n.min(MAX_PAGE_SIZE),
            _ => return bad_request("pageSize must be a positive integer"),
        },
    };
    let start = match param("cursor") {
        None | Some("") => 0,
        Some(c) => match decode_cursor(c) {
            Some(pos) => pos,
            None => return bad_request("Invalid cursor"),
        },
    };
    let types: HashSet<String> = pairs
        .iter()
        .filter(|(k, _)| k == "type")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let filter = Filter {
        types: (!types.is_empty()).then_some(types),
        ..Filter::default()
    };

    let page = state.store.page(&filter, start, page_size);
    let mut body = String::with_capacity(
        128 + page
            .items
            .iter()
            .map(|(_, s)| s.json.len() + 1)
            .sum::<usize>(),
    );
    body.push_str(r#"{"status":"OK","type":"FactSheet","errors":[],"total":"#);
    body.push_str(&page.total.to_string());
    body.push_str(r#","data":["#);
    for (i, (_, s)) in page.items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&s.json);
    }
    body.push_str(r#"],"cursor":"#);
    match page.items.last() {
        Some((pos, _)) if page.has_more => {
            body.push('"');
            body.push_str(&encode_cursor(pos + 1));
            body.push('"');
        }
        _ => body.push_str("null"),
    }
    body.push('}');
    http_util::json(StatusCode::OK, body)
}

/// `GET /factSheets/{id}`.
pub(crate) fn get(state: &State, id: &str) -> Resp {
    match state.store.get(id) {
        Some(s) => single(&s.json),
        None => http_util::api_error(
            StatusCode::NOT_FOUND,
            &format!("Fact sheet with id '{}' not found", id.escape_debug()),
        ),
    }
}

#[derive(Deserialize)]
struct NewFactSheet {
    name: Option<String>,
    #[serde(rename = "type")]
    fs_type: Option<String>,
    description: Option<String>,
    release: Option<String>,
}

/// `POST /factSheets` with `{"name":..,"type":..}` (optional `description`, `release`).
pub(crate) fn create(state: &State, req: &Request<Bytes>, caller: TokenInfo) -> Resp {
    let user = state.directory.user(caller.user);
    if !user.role.can_write() {
        return http_util::api_error(
            StatusCode::FORBIDDEN,
            &format!(
                "Access denied: role {} may not create fact sheets",
                user.role
            ),
        );
    }
    let new: NewFactSheet = match serde_json::from_slice(req.body()) {
        Ok(n) => n,
        Err(e) => return bad_request(&format!("Malformed request body: {e}")),
    };
    let name = match new.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => return bad_request("Field 'name' is required"),
    };
    let Some(fs_type) = new.fs_type.as_deref().and_then(model::canonical_type) else {
        return bad_request(&format!(
            "Field 'type' must be one of {}",
            model::TYPES.join(", ")
        ));
    };
    let release = new.release.filter(|r| !r.trim().is_empty());
    let display_name = match &release {
        Some(r) => format!("{name} {r}"),
        None => name.clone(),
    };
    let now = clock::iso_timestamp(clock::now_ms());
    let fact_sheet = FactSheet {
        id: ids::random_uuid(),
        fs_type,
        name,
        full_name: display_name.clone(),
        display_name,
        description: new.description.unwrap_or_default(),
        release,
        alias: None,
        level: 1,
        status: "ACTIVE",
        lifecycle: None,
        business_criticality: None,
        functional_suitability: None,
        technical_suitability: None,
        category: None,
        tags: Vec::new(),
        quality_seal: "DISABLED",
        completion: Completion {
            completion: 0.0,
            percentage: 0,
        },
        rev: 1,
        created_at: now.clone(),
        updated_at: now,
    };
    let stored = state.store.insert(fact_sheet);
    single(&stored.json)
}

fn single(json: &str) -> Resp {
    let body = format!(r#"{{"status":"OK","type":"FactSheet","errors":[],"data":{json}}}"#);
    http_util::json(StatusCode::OK, body)
}

fn bad_request(message: &str) -> Resp {
    http_util::api_error(StatusCode::BAD_REQUEST, message)
}

/// An opaque REST cursor for position `pos`.
fn encode_cursor(pos: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("fs:{pos}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("fs:")?
        .parse()
        .ok()
}
