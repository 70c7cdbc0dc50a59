//! Pathfinder REST: `GET/POST /services/pathfinder/v1/factSheets` and
//! `GET/PUT/DELETE /services/pathfinder/v1/factSheets/{id}`.
//!
//! Listing pages with `pageSize` (default 100, at most 10000; larger values
//! are clamped) and an opaque `cursor`; `type` (repeatable or
//! comma-separated) filters by fact sheet type, `archivedOnly=true` lists
//! the archived ones instead of the others. The last page has
//! `"cursor":null`.

use std::collections::HashSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use http::{Request, StatusCode};
use serde_json::Value;

use crate::faults::Fault;
use crate::http_util::{self, Resp};
use crate::state::State;
use crate::store::Filter;
use crate::users::Role;
use crate::writes::{self, authorize, Op, Patch, WriteError};

/// Default `pageSize`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;
/// Largest `pageSize` honoured.
pub(crate) const MAX_PAGE_SIZE: usize = 10_000;

/// `GET /factSheets`; `paging` is a paging fault ([`Fault::CursorCycle`]: the `cursor`
/// alternates between two values, so a client that follows it pages forever).
pub(crate) fn list(state: &State, req: &Request<Bytes>, paging: Option<&Fault>) -> Resp {
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
        archived: param("archivedOnly") == Some("true"),
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
    if let Some(Fault::CursorCycle) = paging {
        // Two cursors, for positions 1 and 2: after the first comes the second, after anything
        // else the first.
        body.push('"');
        body.push_str(&encode_cursor(if start == 1 { 2 } else { 1 }));
        body.push_str(r#""}"#);
        return http_util::json(StatusCode::OK, body);
    }
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
            "FactSheet",
            &format!("Fact sheet with id '{}' not found", id.escape_debug()),
        ),
    }
}

/// `POST /factSheets` with `{"name":..,"type":..}` (optional `description`, `release`).
pub(crate) fn create(state: &State, req: &Request<Bytes>, role: Role) -> Resp {
    let result = authorize(role).and_then(|()| {
        let body = body(req)?;
        let name = body["name"].as_str().map(str::trim).unwrap_or_default();
        if name.is_empty() {
            return Err(WriteError::Invalid("Field 'name' is required".into()));
        }
        let fs_type = body["type"].as_str().unwrap_or_default();
        writes::create(state, fs_type, name, &field_patches(&body), false)
    });
    written(result)
}

/// `PUT /factSheets/{id}`: the writable fields given in the body are set
/// (`null` clears one); a `rev` in the body is checked.
pub(crate) fn update(state: &State, id: &str, req: &Request<Bytes>, role: Role) -> Resp {
    let result = authorize(role).and_then(|()| {
        let body = body(req)?;
        let comment = body["comment"]
            .as_str()
            .unwrap_or("Changed through the REST API");
        let patches = field_patches(&body);
        writes::update(
            state,
            id,
            body["rev"].as_u64(),
            &patches,
            Some(comment),
            false,
        )
    });
    written(result)
}

/// `DELETE /factSheets/{id}`: archives it; the optional body is
/// `{"comment":..,"revision":..}` (a `revision` is checked).
pub(crate) fn archive(state: &State, id: &str, req: &Request<Bytes>, role: Role) -> Resp {
    let result = authorize(role).and_then(|()| {
        let body = if req.body().iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            body(req)?
        };
        let comment = body["comment"]
            .as_str()
            .unwrap_or("Archived through the REST API");
        let patches = [Patch::replace("/status", "ARCHIVED")];
        writes::update(
            state,
            id,
            body["revision"].as_u64(),
            &patches,
            Some(comment),
            false,
        )
    });
    written(result)
}

fn body(req: &Request<Bytes>) -> Result<Value, WriteError> {
    match serde_json::from_slice::<Value>(req.body()) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(WriteError::Invalid("The body must be a JSON object".into())),
        Err(e) => Err(WriteError::Invalid(format!("Malformed request body: {e}"))),
    }
}

/// `replace` patches for the writable fields of a REST body.
fn field_patches(body: &Value) -> Vec<Patch> {
    let fields = [
        "description",
        "release",
        "alias",
        "status",
        "lxState",
        "businessCriticality",
        "functionalSuitability",
        "technicalSuitability",
        "category",
        "lifecycle",
        "tags",
        "externalId",
    ];
    let name = body
        .get("name")
        .filter(|n| n.is_string())
        .map(|n| Patch::replace("/name", n.clone()));
    let others = fields.into_iter().filter_map(|f| {
        let value = body.get(f)?;
        let path = format!("/{f}");
        Some(match value {
            Value::Null => Patch {
                op: Op::Remove,
                path,
                value: Value::Null,
            },
            Value::String(_) => Patch::replace(&path, value.clone()),
            complex => Patch::replace(&path, complex.to_string()),
        })
    });
    name.into_iter().chain(others).collect()
}

fn written(result: Result<Value, WriteError>) -> Resp {
    match result {
        Ok(fs) => single(&fs.to_string()),
        Err(e) => http_util::api_error(e.status(), "FactSheet", &e.message()),
    }
}

fn single(json: &str) -> Resp {
    let body = format!(r#"{{"status":"OK","type":"FactSheet","errors":[],"data":{json}}}"#);
    http_util::json(StatusCode::OK, body)
}

fn bad_request(message: &str) -> Resp {
    http_util::api_error(StatusCode::BAD_REQUEST, "FactSheet", message)
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
