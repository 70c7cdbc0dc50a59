//! The Integration API under `/services/integration-api/v1`: processor
//! configurations, synchronization runs and fast runs.
//!
//! A run is `CREATED`, then (started) `SEQUENTIALIZED` (when that step is
//! on, [`Integration::set_sequentialized`]), `PENDING` and `IN_PROGRESS` for the
//! configured time each, then `FINISHED` or, with [`Fault::SyncRunFail`],
//! `FAILED`; `stop` ends a pending or running run as `STOPPED`. The LDIF is
//! applied when the run leaves `IN_PROGRESS` (atomically, so a stopped run
//! changed nothing). Errors are `{"errors":["..."]}`, the service's own shape.

mod ldif;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::faults::Fault;
use crate::http_util::{self, Resp};
use crate::ids;
use crate::state::State;
use crate::users::Role;
use ldif::Outcome;

/// The default time a started run spends in each of `PENDING` and `IN_PROGRESS`.
pub const DEFAULT_SYNC_RUN_STATE: Duration = Duration::from_millis(100);

/// The most warnings one `GET .../warnings` returns.
const MAX_LIMIT: usize = 100;

/// The Integration API's state: runs, configurations and the run pace.
pub(crate) struct Integration {
    runs: Mutex<Vec<Run>>,
    configs: Mutex<Vec<Value>>,
    state_ms: AtomicU64,
    /// Runs move on only when told to ([`Integration::advance_all`]), not with time.
    manual: AtomicBool,
    /// Started runs are `SEQUENTIALIZED` (queued behind the workspace's other runs) before
    /// `PENDING`, as LeanIX's are.
    sequentialized: AtomicBool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Created,
    Sequentialized,
    Pending,
    InProgress,
    Finished,
    Stopped,
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Created => "CREATED",
            Status::Sequentialized => "SEQUENTIALIZED",
            Status::Pending => "PENDING",
            Status::InProgress => "IN_PROGRESS",
            Status::Finished => "FINISHED",
            Status::Stopped => "STOPPED",
            Status::Failed => "FAILED",
        }
    }
}

struct Run {
    id: String,
    ldif: Value,
    /// The processor configuration that matched when the run was created.
    config: Option<Value>,
    status: Status,
    test: bool,
    fail: bool,
    /// When the current status began.
    since: Instant,
    outcome: Option<Outcome>,
}

impl Run {
    fn status_json(&self) -> Value {
        json!({"id": self.id, "status": self.status.as_str(), "description": self.ldif["description"]})
    }

    /// The output LDIF, once the run finished with one.
    fn results(&self) -> Option<&Value> {
        match self.status {
            Status::Finished => self.outcome.as_ref()?.results.as_ref(),
            _ => None,
        }
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Resp {
    errors(status, vec![message.into()])
}

fn errors(status: StatusCode, messages: Vec<String>) -> Resp {
    http_util::json(status, json!({ "errors": messages }).to_string())
}

fn ok_json(body: &Value) -> Resp {
    http_util::json(StatusCode::OK, body.to_string())
}

fn empty(status: StatusCode) -> Resp {
    http_util::raw(status, "application/json", "")
}

/// The five keys that identify a processor configuration.
const KEYS: [&str; 5] = [
    "connectorType",
    "connectorId",
    "connectorVersion",
    "processingDirection",
    "processingMode",
];

fn key_of(v: &Value, key: &str) -> Option<String> {
    match (key, v[key].as_str()) {
        ("processingMode", None) => Some("partial".into()),
        (_, value) => value.map(str::to_owned),
    }
}

impl Integration {
    /// No runs, no configurations.
    pub(crate) fn new(state_duration: Duration) -> Integration {
        let integration = Integration {
            runs: Mutex::new(Vec::new()),
            configs: Mutex::new(Vec::new()),
            state_ms: AtomicU64::new(0),
            manual: AtomicBool::new(false),
            sequentialized: AtomicBool::new(false),
        };
        integration.set_state_duration(state_duration);
        integration
    }

    /// How long a started run stays `PENDING`, and then `IN_PROGRESS`.
    pub(crate) fn state_duration(&self) -> Duration {
        Duration::from_millis(self.state_ms.load(Ordering::Relaxed))
    }

    /// Sets the time per state for runs started from now on (zero: a run
    /// finishes before its start call answers).
    pub(crate) fn set_state_duration(&self, d: Duration) {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        self.state_ms.store(ms, Ordering::Relaxed);
    }

    /// Whether started runs wait for [`advance_all`] instead of moving on with time.
    pub(crate) fn manual(&self) -> bool {
        self.manual.load(Ordering::Relaxed)
    }

    /// Makes runs started from now on move on only when [`advance_all`] is called (for tests
    /// with injected time), or with time again.
    pub(crate) fn set_manual(&self, manual: bool) {
        self.manual.store(manual, Ordering::Relaxed);
    }

    /// Whether started runs pass through `SEQUENTIALIZED` before `PENDING`.
    pub(crate) fn sequentialized(&self) -> bool {
        self.sequentialized.load(Ordering::Relaxed)
    }

    /// Makes runs started from now on pass through `SEQUENTIALIZED` (one more state, as long
    /// as the others) before `PENDING`, or start `PENDING` again.
    pub(crate) fn set_sequentialized(&self, on: bool) {
        self.sequentialized.store(on, Ordering::Relaxed);
    }

    fn config_for(&self, ldif: &Value) -> Option<Value> {
        let configs = self.configs.lock().unwrap();
        let matches = |c: &&Value| KEYS.iter().all(|k| key_of(c, k) == key_of(ldif, k));
        configs.iter().find(matches).cloned()
    }
}

/// Handles `/services/integration-api/v1/{rest}` for an authenticated caller.
pub(crate) fn handle(state: &Arc<State>, rest: &str, req: &Request<Bytes>, role: Role) -> Resp {
    let method = req.method().clone();
    if method != Method::GET && !role.can_write() {
        let message = format!("Access denied: role {role} may not change integrations");
        return error(StatusCode::FORBIDDEN, message);
    }
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let api = &state.integration;
    match (&method, parts.as_slice()) {
        (&Method::GET, ["configurations"]) => list_configs(api, req),
        (&Method::PUT, ["configurations"]) => put_config(api, req),
        (&Method::DELETE, ["configurations"]) => delete_config(api, req),
        (&Method::GET, ["synchronizationRuns"]) => {
            let runs = api.runs.lock().unwrap();
            ok_json(&runs.iter().map(Run::status_json).collect())
        }
        (&Method::POST, ["synchronizationRuns"]) => create(state, req),
        (&Method::POST, ["fastSynchronizationRuns"]) => fast(state, req),
        (&Method::POST, ["synchronizationRuns", id, "start"]) => {
            match start(state, id, flag(req, "test")) {
                Ok(()) => empty(StatusCode::OK),
                Err((status, message)) => error(status, message),
            }
        }
        (&Method::POST, ["synchronizationRuns", id, "stop"]) => stop(state, id),
        (&Method::GET, ["synchronizationRuns", id, what]) => {
            let runs = api.runs.lock().unwrap();
            match runs.iter().find(|r| r.id == *id) {
                Some(run) => read(state, run, what, req),
                None => unknown_run(id),
            }
        }
        (_, ["configurations" | "synchronizationRuns" | "fastSynchronizationRuns", ..]) => {
            error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        }
        _ => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

fn param(req: &Request<Bytes>, key: &str) -> Option<String> {
    http_util::query_param(req.uri().query(), key)
}

fn flag(req: &Request<Bytes>, key: &str) -> bool {
    param(req, key).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn no_run(id: &str) -> (StatusCode, String) {
    let message = format!(
        "No synchronization run with id '{}' exists",
        id.escape_debug()
    );
    (StatusCode::NOT_FOUND, message)
}

fn unknown_run(id: &str) -> Resp {
    let (status, message) = no_run(id);
    error(status, message)
}

/// The LDIF of a request body, checked; else every problem found.
fn ldif_of(req: &Request<Bytes>) -> Result<Value, Vec<String>> {
    let ldif: Value =
        serde_json::from_slice(req.body()).map_err(|e| vec![format!("Malformed LDIF: {e}")])?;
    ldif::check(&ldif)?;
    Ok(ldif)
}

/// `POST /synchronizationRuns?start=&test=`.
fn create(state: &Arc<State>, req: &Request<Bytes>) -> Resp {
    let (start_now, test) = (flag(req, "start"), flag(req, "test"));
    if test && !start_now {
        return error(
            StatusCode::BAD_REQUEST,
            "The parameter 'test' requires 'start=true'",
        );
    }
    let ldif = match ldif_of(req) {
        Ok(ldif) => ldif,
        Err(problems) => return errors(StatusCode::BAD_REQUEST, problems),
    };
    let id = ids::random_uuid();
    let run = Run {
        id: id.clone(),
        config: state.integration.config_for(&ldif),
        ldif,
        status: Status::Created,
        test: false,
        fail: false,
        since: Instant::now(),
        outcome: None,
    };
    state.integration.runs.lock().unwrap().push(run);
    if start_now {
        if let Err((status, message)) = start(state, &id, test) {
            return error(status, message);
        }
    }
    ok_json(&json!({ "id": id }))
}

/// `POST /synchronizationRuns/{id}/start?test=`: (`SEQUENTIALIZED`, then)
/// `PENDING`, then `IN_PROGRESS`, then the end, one state duration apart.
fn start(state: &Arc<State>, id: &str, test: bool) -> Result<(), (StatusCode, String)> {
    {
        let mut runs = state.integration.runs.lock().unwrap();
        let run = runs
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| no_run(id))?;
        if run.status != Status::Created {
            let message = format!("The synchronization run {id} was already started");
            return Err((StatusCode::BAD_REQUEST, message));
        }
        run.status = match state.integration.sequentialized() {
            true => Status::Sequentialized,
            false => Status::Pending,
        };
        run.since = Instant::now();
        run.test = test;
        run.fail = state.faults.take_counted(&Fault::SyncRunFail);
    }
    let pace = state.integration.state_duration();
    if state.integration.manual() {
        // Moved on by `advance_all` only.
    } else if pace.is_zero() {
        while advance(state, id) {}
    } else {
        let (state, id) = (state.clone(), id.to_owned());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(pace).await;
                if !advance(&state, &id) {
                    break;
                }
            }
        });
    }
    Ok(())
}

/// Moves a run on from `SEQUENTIALIZED`, `PENDING` or `IN_PROGRESS`; whether it goes on.
fn advance(state: &State, id: &str) -> bool {
    let mut runs = state.integration.runs.lock().unwrap();
    let Some(run) = runs.iter_mut().find(|r| r.id == id) else {
        return false;
    };
    run.since = Instant::now();
    match run.status {
        Status::Sequentialized => {
            run.status = Status::Pending;
            true
        }
        Status::Pending => {
            run.status = Status::InProgress;
            true
        }
        Status::InProgress => {
            let (status, outcome) = match run.fail {
                true => (Status::Failed, Outcome::failed()),
                false => {
                    let outcome = ldif::process(state, &run.ldif, run.config.as_ref(), run.test);
                    (Status::Finished, outcome)
                }
            };
            (run.status, run.outcome) = (status, Some(outcome));
            state.counters.sync_run(status.as_str());
            false
        }
        _ => false,
    }
}

/// Moves every `SEQUENTIALIZED`, `PENDING` or `IN_PROGRESS` run one state on (manual mode's
/// clock tick);
/// how many moved.
pub(crate) fn advance_all(state: &State) -> usize {
    let ids: Vec<String> = {
        let runs = state.integration.runs.lock().unwrap();
        runs.iter()
            .filter(|r| {
                matches!(
                    r.status,
                    Status::Sequentialized | Status::Pending | Status::InProgress
                )
            })
            .map(|r| r.id.clone())
            .collect()
    };
    for id in &ids {
        advance(state, id);
    }
    ids.len()
}

/// `POST /synchronizationRuns/{id}/stop`.
fn stop(state: &State, id: &str) -> Resp {
    let mut runs = state.integration.runs.lock().unwrap();
    let Some(run) = runs.iter_mut().find(|r| r.id == id) else {
        return unknown_run(id);
    };
    if !matches!(
        run.status,
        Status::Sequentialized | Status::Pending | Status::InProgress
    ) {
        let message = format!("The synchronization run {id} is neither pending nor in progress");
        return error(StatusCode::BAD_REQUEST, message);
    }
    run.status = Status::Stopped;
    state.counters.sync_run(Status::Stopped.as_str());
    empty(StatusCode::OK)
}

/// The content items of an inbound LDIF (known before it is processed); 0 for outbound, whose
/// content is the results'.
fn inbound_contents(ldif: &Value) -> usize {
    match ldif["processingDirection"].as_str() {
        Some("inbound") => ldif["content"].as_array().map_or(0, Vec::len),
        _ => 0,
    }
}

/// `GET /synchronizationRuns/{id}/{status|progress|results|resultsUrl|warnings}`.
fn read(state: &State, run: &Run, what: &str, req: &Request<Bytes>) -> Resp {
    let outcome = run.outcome.as_ref();
    let count = |f: fn(&Outcome) -> usize| outcome.map_or(0, f);
    match what {
        "status" => ok_json(&run.status_json()),
        "progress" => {
            let mut processed = count(|o| o.processed);
            if run.status == Status::InProgress && !state.integration.state_duration().is_zero() {
                // Content is processed evenly over the time in progress.
                let items = run.ldif["content"].as_array().map_or(0, Vec::len) as f64;
                let share = run.since.elapsed().as_secs_f64()
                    / state.integration.state_duration().as_secs_f64();
                processed = (items * share.min(1.0)) as usize;
            }
            ok_json(&json!({
                "processedContentCount": processed, "errorCount": count(Outcome::errors),
                "graphQLRequestCount": count(|o| o.changes), "runLevelIndex": 0,
                "status": run.status.as_str(),
                "contentsCount": outcome.map_or_else(|| inbound_contents(&run.ldif), |o| o.contents),
                "warningsCount": count(|o| o.warnings.len()), "itemsInScopeCount": count(|o| o.in_scope),
            }))
        }
        "results" => match run.results() {
            Some(results) if !state.faults.take_counted(&Fault::ResultsPending) => ok_json(results),
            _ => empty(StatusCode::NO_CONTENT),
        },
        "resultsUrl" => {
            let url = run.results().map(|_| {
                format!(
                    "{}/services/integration-api/v1/synchronizationRuns/{}/results",
                    state.url, run.id
                )
            });
            ok_json(&json!({ "url": url }))
        }
        "warnings" => {
            let number = |key, default| match param(req, key) {
                None => Some(default),
                Some(v) => v.parse::<usize>().ok(),
            };
            match (number("offset", 0), number("limit", MAX_LIMIT)) {
                (Some(offset), Some(limit)) if (1..=MAX_LIMIT).contains(&limit) && offset % limit == 0 => {
                    let warnings = outcome.map_or(&[][..], |o| &o.warnings);
                    let page: Vec<&Value> = warnings.iter().skip(offset).take(limit).collect();
                    ok_json(&json!(page))
                }
                _ => error(
                    StatusCode::BAD_REQUEST,
                    "The parameters offset and limit must satisfy 0 < limit <= 100 and offset MOD limit == 0",
                ),
            }
        }
        _ => error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// `POST /fastSynchronizationRuns?test=`: inbound only, processed at once.
fn fast(state: &State, req: &Request<Bytes>) -> Resp {
    let ldif = match ldif_of(req) {
        Ok(ldif) => ldif,
        Err(problems) => return errors(StatusCode::BAD_REQUEST, problems),
    };
    if ldif["processingDirection"] == "outbound" {
        return error(
            StatusCode::BAD_REQUEST,
            "Fast execution does not support outbound yet.",
        );
    }
    let began = Instant::now();
    let (status, outcome) = if state.faults.take_counted(&Fault::SyncRunFail) {
        (Status::Failed, Outcome::failed())
    } else {
        let config = state.integration.config_for(&ldif);
        (
            Status::Finished,
            ldif::process(state, &ldif, config.as_ref(), flag(req, "test")),
        )
    };
    state.counters.sync_run(status.as_str());
    ok_json(&json!({
        "status": status.as_str(),
        "warnings": outcome.warnings,
        "stats": {
            "duration": format!("PT{:.3}S", began.elapsed().as_secs_f64()),
            "processedContentCount": outcome.processed,
            "processorCount": outcome.processors,
        },
        "results": null,
    }))
}

/// `GET /configurations?connectorType=&...`: those matching every key given.
fn list_configs(api: &Integration, req: &Request<Bytes>) -> Resp {
    let wanted: Vec<(&str, String)> = KEYS
        .iter()
        .filter_map(|k| Some((*k, param(req, k)?)))
        .collect();
    let configs = api.configs.lock().unwrap();
    let matching = configs
        .iter()
        .filter(|c| wanted.iter().all(|(k, v)| key_of(c, k).as_ref() == Some(v)));
    ok_json(&matching.cloned().collect())
}

/// `PUT /configurations`: inserts or replaces the configuration of its key.
fn put_config(api: &Integration, req: &Request<Bytes>) -> Resp {
    let mut config: Value = match serde_json::from_slice(req.body()) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "The body must be a processor configuration object",
            )
        }
    };
    let missing: Vec<String> = KEYS[..4]
        .iter()
        .filter(|k| config[**k].as_str().is_none_or(str::is_empty))
        .map(|k| format!("'{k}' is required"))
        .collect();
    if !missing.is_empty() {
        return errors(StatusCode::BAD_REQUEST, missing);
    }
    if !matches!(
        config["processingDirection"].as_str(),
        Some("inbound" | "outbound")
    ) || !matches!(
        config["processingMode"].as_str(),
        None | Some("partial" | "full")
    ) {
        return error(
            StatusCode::BAD_REQUEST,
            "processingDirection must be inbound or outbound, processingMode partial or full",
        );
    }
    config["processingMode"] = key_of(&config, "processingMode").into();
    let mut configs = api.configs.lock().unwrap();
    configs.retain(|c| KEYS.iter().any(|k| key_of(c, k) != key_of(&config, k)));
    configs.push(config);
    empty(StatusCode::NO_CONTENT)
}

/// `DELETE /configurations?...`: all five keys are required.
fn delete_config(api: &Integration, req: &Request<Bytes>) -> Resp {
    let Some(key) = KEYS
        .iter()
        .map(|k| param(req, k))
        .collect::<Option<Vec<String>>>()
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "Not all necessary fields are set in parameters.",
        );
    };
    let mut configs = api.configs.lock().unwrap();
    let before = configs.len();
    configs.retain(|c| {
        KEYS.iter()
            .zip(&key)
            .any(|(k, v)| key_of(c, k).as_ref() != Some(v))
    });
    if configs.len() == before {
        return error(
            StatusCode::NOT_FOUND,
            "No such processor configuration found.",
        );
    }
    empty(StatusCode::NO_CONTENT)
}
