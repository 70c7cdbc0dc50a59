//! PULL webhooks: `/services/webhooks/v1/subscriptions`, their event batches
//! and cursors.
//!
//! Every event goes into one log with a global, increasing `offset` (from 1).
//! A subscription sees the events logged after it was created whose tags
//! contain all the tags of one of its tag sets (`[["pathfinder"]]` matches
//! every Pathfinder event, `[["pathfinder","FACT_SHEET_CREATED"]]` only
//! creations). Its cursor is the offset of the next event it will be given:
//! `GET .../events` returns up to the batch size of its events at or after
//! the cursor (without moving it unless `autoCommit=true`), and
//! `PUT .../cursor {"offset": N}` moves it to `N` (the last processed
//! event's offset plus one). The cursor cannot go back, nor past the end of
//! the log. Events older than the retention (30 days by default) are gone.

use std::collections::HashSet;
use std::sync::Mutex;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::{json, Map, Value};

use crate::clock;
use crate::http_util::{self, Resp};
use crate::ids;
use crate::state::State;
use crate::users::Role;

/// The default number of events in one batch.
pub const DEFAULT_WEBHOOK_BATCH_SIZE: usize = 100;
/// How long events are kept by default (the vendor's 30 days).
pub const DEFAULT_WEBHOOK_RETENTION: std::time::Duration =
    std::time::Duration::from_secs(30 * 24 * 3600);

/// The largest batch size the sandbox accepts.
pub(crate) const MAX_BATCH_SIZE: usize = 10_000;
/// The most events kept in the log, whatever the retention.
const MAX_EVENTS: usize = 100_000;

const TYPE: &str = "WebhookSubscription";

struct Event {
    offset: u64,
    tags: Vec<String>,
    created_ms: u64,
    payload: Value,
}

struct Subscription {
    id: String,
    /// The subscription as the API shows it (without the cursor).
    value: Map<String, Value>,
    tag_sets: Vec<Vec<String>>,
    wrapped: bool,
    cursor: u64,
}

impl Subscription {
    fn matches(&self, event: &Event) -> bool {
        self.tag_sets
            .iter()
            .any(|set| set.iter().all(|t| event.tags.contains(t)))
    }

    fn render(&self) -> Value {
        let mut v = self.value.clone();
        v.insert("cursor".into(), json!({ "offset": self.cursor }));
        Value::Object(v)
    }
}

struct Inner {
    subscriptions: Vec<Subscription>,
    events: std::collections::VecDeque<Event>,
    next_offset: u64,
    batch_size: usize,
    retention_ms: u64,
}

/// The subscriptions and the event log of one sandbox.
pub(crate) struct Webhooks {
    inner: Mutex<Inner>,
}

impl Webhooks {
    /// No subscriptions, no events, the default batch size and retention.
    pub(crate) fn new() -> Webhooks {
        Webhooks {
            inner: Mutex::new(Inner {
                subscriptions: Vec::new(),
                events: std::collections::VecDeque::new(),
                next_offset: 1,
                batch_size: DEFAULT_WEBHOOK_BATCH_SIZE,
                retention_ms: DEFAULT_WEBHOOK_RETENTION.as_millis() as u64,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Logs an event with these tags; returns its offset.
    pub(crate) fn emit(&self, tags: Vec<String>, mut payload: Value) -> u64 {
        let mut inner = self.lock();
        let offset = inner.next_offset;
        inner.next_offset += 1;
        if let Value::Object(map) = &mut payload {
            map.entry("id").or_insert(offset.into());
        }
        inner.events.push_back(Event {
            offset,
            tags,
            created_ms: clock::now_ms(),
            payload,
        });
        if inner.events.len() > MAX_EVENTS {
            inner.events.pop_front();
        }
        offset
    }

    /// Sets the batch size (1..=[`MAX_BATCH_SIZE`]).
    pub(crate) fn set_batch_size(&self, n: usize) {
        self.lock().batch_size = n.clamp(1, MAX_BATCH_SIZE);
    }

    /// Sets the retention; zero drops every event logged so far.
    pub(crate) fn set_retention(&self, retention: std::time::Duration) {
        self.lock().retention_ms = retention.as_millis().min(u128::from(u64::MAX)) as u64;
    }

    /// The batch size, the retention in seconds and the cursors, for the control API.
    pub(crate) fn settings(&self) -> Value {
        let inner = self.lock();
        let cursors: Map<String, Value> = inner
            .subscriptions
            .iter()
            .map(|s| (s.id.clone(), s.cursor.into()))
            .collect();
        json!({
            "batch_size": inner.batch_size,
            "retention_secs": inner.retention_ms / 1000,
            "next_offset": inner.next_offset,
            "cursors": cursors,
        })
    }

    /// The cursor of subscription `id`.
    pub(crate) fn cursor(&self, id: &str) -> Option<u64> {
        let inner = self.lock();
        inner
            .subscriptions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.cursor)
    }
}

impl Inner {
    fn expire(&mut self) {
        let now = clock::now_ms();
        let retention = self.retention_ms;
        while let Some(e) = self.events.front() {
            if now.saturating_sub(e.created_ms) >= retention {
                self.events.pop_front();
            } else {
                break;
            }
        }
    }

    fn find(&mut self, id: &str) -> Option<&mut Subscription> {
        self.subscriptions.iter_mut().find(|s| s.id == id)
    }
}

/// Handles everything under `/services/webhooks/v1/` (`rest` is the path after it).
pub(crate) fn handle(state: &State, rest: &str, req: &Request<Bytes>, role: Role) -> Resp {
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let method = req.method();
    match parts.as_slice() {
        ["subscriptions"] if method == Method::GET => list(state),
        ["subscriptions"] if method == Method::POST => create(state, req, role),
        ["subscriptions"] => http_util::method_not_allowed(TYPE, "GET, POST"),
        ["subscriptions", id] if method == Method::GET => get(state, id),
        ["subscriptions", id] if method == Method::DELETE => delete(state, id, role),
        ["subscriptions", _] => http_util::method_not_allowed(TYPE, "GET, DELETE"),
        ["subscriptions", id, "events"] if method == Method::GET => events(state, id, req),
        ["subscriptions", _, "events"] => http_util::method_not_allowed(TYPE, "GET"),
        ["subscriptions", id, "cursor"] if method == Method::PUT => cursor(state, id, req, role),
        ["subscriptions", _, "cursor"] => http_util::method_not_allowed(TYPE, "PUT"),
        _ => http_util::api_error(StatusCode::NOT_FOUND, TYPE, "No such webhooks resource"),
    }
}

fn ok(data: Value) -> Resp {
    http_util::json(
        StatusCode::OK,
        json!({ "status": "OK", "type": TYPE, "errors": [], "data": data }).to_string(),
    )
}

fn bad(message: &str) -> Resp {
    http_util::api_error(StatusCode::BAD_REQUEST, TYPE, message)
}

fn not_found(id: &str) -> Resp {
    http_util::api_error(
        StatusCode::NOT_FOUND,
        TYPE,
        &format!("Subscription '{}' not found", id.escape_debug()),
    )
}

fn forbidden() -> Resp {
    http_util::api_error(
        StatusCode::FORBIDDEN,
        TYPE,
        "Only administrators can change webhook subscriptions",
    )
}

fn list(state: &State) -> Resp {
    let inner = state.webhooks.lock();
    ok(inner
        .subscriptions
        .iter()
        .map(Subscription::render)
        .collect())
}

fn get(state: &State, id: &str) -> Resp {
    let mut inner = state.webhooks.lock();
    match inner.find(id) {
        Some(s) => ok(s.render()),
        None => not_found(id),
    }
}

fn delete(state: &State, id: &str, role: Role) -> Resp {
    if role != Role::Admin {
        return forbidden();
    }
    let mut inner = state.webhooks.lock();
    let before = inner.subscriptions.len();
    inner.subscriptions.retain(|s| s.id != id);
    if inner.subscriptions.len() == before {
        return not_found(id);
    }
    ok(Value::Null)
}

/// A validated subscription body: its JSON, its tag sets, and whether the
/// payload mode is `WRAPPED_EVENT`.
type Parsed = (Map<String, Value>, Vec<Vec<String>>, bool);

/// Validates a subscription body; `Err` is the message of the 400.
fn parse_subscription(state: &State, body: &Value) -> Result<Parsed, String> {
    let obj = body.as_object().ok_or("the body must be a JSON object")?;
    match obj.get("deliveryType").and_then(Value::as_str) {
        Some("PULL") => {}
        Some("PUSH") => return Err("the sandbox supports deliveryType PULL only".into()),
        _ => return Err("'deliveryType' must be \"PULL\" or \"PUSH\"".into()),
    }
    let sets = obj
        .get("tagSets")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or("'tagSets' must be a non-empty array of arrays of tags")?;
    let mut tag_sets = Vec::new();
    for set in sets {
        let tags: Option<Vec<String>> = set.as_array().filter(|a| !a.is_empty()).and_then(|a| {
            a.iter()
                .map(|t| t.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
                .collect()
        });
        tag_sets.push(tags.ok_or("each tag set must be a non-empty array of non-empty strings")?);
    }
    let workspace = match obj.get("workspaceId") {
        None | Some(Value::Null) => state.workspace.id.clone(),
        Some(Value::String(w)) if *w == state.workspace.id => w.clone(),
        Some(_) => return Err("'workspaceId' must be the id of this workspace".into()),
    };
    let constraint = match obj.get("workspaceConstraint") {
        None | Some(Value::Null) => "ANY",
        Some(Value::String(c)) if c == "ANY" => "ANY",
        Some(_) => return Err("'workspaceConstraint' must be \"ANY\"".into()),
    };
    let mode = match obj.get("payloadMode") {
        None | Some(Value::Null) => "DEFAULT",
        Some(Value::String(m)) if m == "DEFAULT" || m == "WRAPPED_EVENT" => m.as_str(),
        Some(_) => return Err("'payloadMode' must be \"DEFAULT\" or \"WRAPPED_EVENT\"".into()),
    };
    let identifier = match obj.get("identifier") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(_) => return Err("'identifier' must be a string".into()),
    };
    let active = match obj.get("active") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("'active' must be a boolean".into()),
    };
    let mut value = Map::new();
    value.insert("identifier".into(), identifier);
    value.insert("deliveryType".into(), "PULL".into());
    value.insert("tagSets".into(), json!(tag_sets));
    value.insert("workspaceId".into(), workspace.into());
    value.insert("workspaceConstraint".into(), constraint.into());
    value.insert("payloadMode".into(), mode.into());
    value.insert("active".into(), active.into());
    Ok((value, tag_sets, mode == "WRAPPED_EVENT"))
}

fn create(state: &State, req: &Request<Bytes>, role: Role) -> Resp {
    if role != Role::Admin {
        return forbidden();
    }
    let body: Value = match serde_json::from_slice(req.body()) {
        Ok(v) => v,
        Err(e) => return bad(&format!("Malformed JSON: {e}")),
    };
    let (mut value, tag_sets, wrapped) = match parse_subscription(state, &body) {
        Ok(parsed) => parsed,
        Err(message) => return bad(&message),
    };
    let id = ids::random_uuid();
    let mut ordered = Map::new();
    ordered.insert("id".into(), id.clone().into());
    ordered.append(&mut value);
    let mut inner = state.webhooks.lock();
    let sub = Subscription {
        id,
        value: ordered,
        tag_sets,
        wrapped,
        cursor: inner.next_offset,
    };
    let rendered = sub.render();
    inner.subscriptions.push(sub);
    ok(rendered)
}

fn events(state: &State, id: &str, req: &Request<Bytes>) -> Resp {
    let auto_commit = http_util::query_param(req.uri().query(), "autoCommit")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut guard = state.webhooks.lock();
    guard.expire();
    let inner = &mut *guard;
    let batch_size = inner.batch_size;
    let Some(sub) = inner.subscriptions.iter_mut().find(|s| s.id == id) else {
        return not_found(id);
    };
    let mut batch = Vec::new();
    let mut last = None;
    if sub.value.get("active") != Some(&Value::Bool(false)) {
        for e in inner
            .events
            .iter()
            .filter(|e| e.offset >= sub.cursor && sub.matches(e))
            .take(batch_size)
        {
            let payload = if sub.wrapped {
                json!({ "subscriptionId": sub.id, "tagSet": e.tags, "event": e.payload })
            } else {
                e.payload.clone()
            };
            batch.push(json!({
                "offset": e.offset,
                "tagSet": e.tags,
                "createdAt": clock::iso_timestamp(e.created_ms),
                "payload": payload,
            }));
            last = Some(e.offset);
        }
    }
    if auto_commit {
        if let Some(last) = last {
            sub.cursor = last + 1;
        }
    }
    ok(Value::Array(batch))
}

fn cursor(state: &State, id: &str, req: &Request<Bytes>, role: Role) -> Resp {
    if role == Role::Viewer {
        return forbidden();
    }
    let body: Value = match serde_json::from_slice(req.body()) {
        Ok(v) => v,
        Err(e) => return bad(&format!("Malformed JSON: {e}")),
    };
    let Some(offset) = body.get("offset").and_then(Value::as_u64) else {
        return bad("'offset' must be a non-negative integer");
    };
    let mut inner = state.webhooks.lock();
    let end = inner.next_offset;
    let Some(sub) = inner.find(id) else {
        return not_found(id);
    };
    if offset < sub.cursor {
        return bad(&format!(
            "The cursor cannot go back (it is at {}, {offset} was given)",
            sub.cursor
        ));
    }
    if offset > end {
        return bad(&format!(
            "Offset {offset} lies beyond the last event (the next offset is {end})"
        ));
    }
    sub.cursor = offset;
    ok(json!({ "offset": offset }))
}

/// Logs the event of a write to a fact sheet: `kind` is `FACT_SHEET_CREATED`,
/// `FACT_SHEET_UPDATED` or `FACT_SHEET_ARCHIVED`; the tags are
/// `["pathfinder", kind, <fact sheet type>]`.
pub(crate) fn fact_sheet_event(state: &State, kind: &str, fact_sheet: &Value) {
    let fs_type = fact_sheet["type"]
        .as_str()
        .unwrap_or("FactSheet")
        .to_owned();
    let event_type = match kind {
        "FACT_SHEET_CREATED" => "FactSheetCreatedEvent",
        "FACT_SHEET_ARCHIVED" => "FactSheetArchivedEvent",
        _ => "FactSheetUpdatedEvent",
    };
    let payload = json!({
        "type": event_type,
        "workspaceId": state.workspace.id,
        "createdAt": clock::iso_timestamp(clock::now_ms()),
        "factSheet": fact_sheet,
    });
    state.webhooks.emit(
        vec!["pathfinder".to_owned(), kind.to_owned(), fs_type],
        payload,
    );
}

/// Tags as a set, for callers that build them from user input.
pub(crate) fn tags_of(value: &Value) -> Result<Vec<String>, String> {
    let tags: Option<Vec<String>> = value.as_array().filter(|a| !a.is_empty()).and_then(|a| {
        a.iter()
            .map(|t| t.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
            .collect()
    });
    let tags = tags.ok_or("'tags' must be a non-empty array of non-empty strings")?;
    let unique: HashSet<&String> = tags.iter().collect();
    if unique.len() != tags.len() {
        return Err("'tags' must not repeat a tag".into());
    }
    Ok(tags)
}
