//! The Integration API: LDIF synchronization runs waited for under one deadline, their
//! warnings and results, and processor configurations.
//!
//! [`Client::run_ldif`] is the whole job: it creates and starts a run, polls its status with
//! backoff ([`policy::ldif_poll_delay`]) until it is `FINISHED`, `FAILED` or `STOPPED`, reads
//! its progress counts, pages through all its warnings under the API's rule (`limit` ≤ 100,
//! `offset` a multiple of `limit`), fetches the output LDIF of an outbound run (asking again
//! while the answer is `204`), and returns a [`RunResult`]. A run that ends `FAILED` or
//! `STOPPED`, or finishes with `ERROR` warnings, is an [`ErrorKind::RunFailed`] error that
//! carries the same result ([`Error::run_result`]).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::call_limits::call_limit_setters;
use crate::cancel::Cancel;
use crate::error::{clean_line, quote, Error, ErrorKind};
use crate::policy;
use crate::request::{Request, Response};
use crate::Client;

/// The base path of the Integration API.
pub const INTEGRATION_API_PATH: &str = "/services/integration-api/v1";

/// The five keys of a processor configuration (and of an LDIF's header tuple that selects it).
pub const CONFIGURATION_KEYS: [&str; 5] = [
    "connectorType",
    "connectorId",
    "connectorVersion",
    "processingDirection",
    "processingMode",
];

/// The state of a synchronization run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RunStatus {
    /// Created, not started.
    Created,
    /// Queued behind other runs of the same connector.
    Sequentialized,
    /// Started, waiting for a worker.
    Pending,
    /// Being processed.
    InProgress,
    /// Ended normally (it may still have warnings).
    Finished,
    /// Ended by a stop request.
    Stopped,
    /// Ended by an error.
    Failed,
    /// A state this library does not know (treated as not ended).
    Other(String),
}

impl RunStatus {
    /// The status of LeanIX's name for it (`"IN_PROGRESS"`).
    pub fn parse(name: &str) -> RunStatus {
        match name {
            "CREATED" => RunStatus::Created,
            "SEQUENTIALIZED" => RunStatus::Sequentialized,
            "PENDING" => RunStatus::Pending,
            "IN_PROGRESS" => RunStatus::InProgress,
            "FINISHED" => RunStatus::Finished,
            "STOPPED" => RunStatus::Stopped,
            "FAILED" => RunStatus::Failed,
            other => RunStatus::Other(other.to_owned()),
        }
    }

    /// LeanIX's name of the status.
    pub fn as_str(&self) -> &str {
        match self {
            RunStatus::Created => "CREATED",
            RunStatus::Sequentialized => "SEQUENTIALIZED",
            RunStatus::Pending => "PENDING",
            RunStatus::InProgress => "IN_PROGRESS",
            RunStatus::Finished => "FINISHED",
            RunStatus::Stopped => "STOPPED",
            RunStatus::Failed => "FAILED",
            RunStatus::Other(name) => name,
        }
    }

    /// True for `FINISHED`, `FAILED` and `STOPPED`: the run will not change any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            RunStatus::Finished | RunStatus::Failed | RunStatus::Stopped
        )
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The counts of `GET .../progress` (absent numbers are 0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunProgress {
    /// The status the progress was read with (`None` if the answer had none).
    pub status: Option<RunStatus>,
    /// Content items processed so far.
    pub processed_content_count: u64,
    /// Items that failed.
    pub error_count: u64,
    /// Warnings the run produced.
    pub warnings_count: u64,
    /// Content items of the output LDIF (outbound runs).
    pub contents_count: u64,
    /// Fact sheets in the run's scope.
    pub items_in_scope_count: u64,
    /// GraphQL requests the run made.
    pub graphql_request_count: u64,
    /// The whole answer, for fields this struct does not name.
    pub raw: Value,
}

impl RunProgress {
    /// The progress of a `GET .../progress` answer.
    pub fn from_json(raw: Value) -> RunProgress {
        let n = |key: &str| raw.get(key).and_then(Value::as_u64).unwrap_or(0);
        RunProgress {
            status: raw
                .get("status")
                .and_then(Value::as_str)
                .map(RunStatus::parse),
            processed_content_count: n("processedContentCount"),
            error_count: n("errorCount"),
            warnings_count: n("warningsCount"),
            contents_count: n("contentsCount"),
            items_in_scope_count: n("itemsInScopeCount"),
            graphql_request_count: n("graphQLRequestCount"),
            raw,
        }
    }
}

/// One warning of a run (`GET .../warnings`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunWarning {
    /// `ERROR` or `WARNING` (as LeanIX sent it).
    pub status: String,
    /// The warning's message.
    pub message: String,
    /// The processor that gave it (`processor.name`), if any.
    pub processor: Option<String>,
    /// The warning as LeanIX sent it (`processor`, `content`, `detail`, `category`, ...).
    pub raw: Value,
}

impl RunWarning {
    /// The warning of one item of a warnings page.
    pub fn from_json(raw: Value) -> RunWarning {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
        RunWarning {
            status: text(raw.get("status")),
            message: text(raw.get("message")),
            processor: raw
                .pointer("/processor/name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            raw,
        }
    }

    /// True for an `ERROR` warning: content the run could not process.
    pub fn is_error(&self) -> bool {
        self.status.eq_ignore_ascii_case("ERROR")
    }
}

/// What a synchronization run came to.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The run's id.
    pub id: String,
    /// Its last known status (terminal unless the wait was cut short or not asked for).
    pub status: RunStatus,
    /// Its counts when it ended (`None` if they were not read).
    pub progress: Option<RunProgress>,
    /// All its warnings, in order (empty if they were not read).
    pub warnings: Vec<RunWarning>,
    /// The output LDIF of an outbound run (`None` for inbound runs, or if not fetched).
    pub results: Option<Value>,
    /// How many status polls the wait made.
    pub polls: u32,
}

impl RunResult {
    fn new(id: String, status: RunStatus) -> RunResult {
        RunResult {
            id,
            status,
            progress: None,
            warnings: Vec::new(),
            results: None,
            polls: 0,
        }
    }

    /// How many warnings are `ERROR`s.
    pub fn error_count(&self) -> usize {
        self.warnings.iter().filter(|w| w.is_error()).count()
    }

    /// True when the run finished without `ERROR` warnings.
    pub fn succeeded(&self) -> bool {
        self.status == RunStatus::Finished && self.error_count() == 0
    }

    /// The result as one JSON object, the shape every surface prints:
    /// `{id, status, progress, warnings, results, polls}` (`progress` is LeanIX's answer,
    /// `warnings` LeanIX's items).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status.as_str(),
            "progress": self.progress.as_ref().map(|p| p.raw.clone()),
            "warnings": self.warnings.iter().map(|w| w.raw.clone()).collect::<Vec<_>>(),
            "results": self.results,
            "polls": self.polls,
        })
    }
}

/// Called with the run's progress while [`Client::run_ldif`] waits (from the task that
/// waits; keep it short).
pub type ProgressHandler = Arc<dyn Fn(&RunResult) + Send + Sync>;

/// How to run and wait for an LDIF.
#[derive(Clone, Default)]
#[must_use]
pub struct RunOptions {
    test: bool,
    no_wait: bool,
    timeout: Option<Duration>,
    cancel: Option<Cancel>,
    results: Option<bool>,
    on_progress: Option<ProgressHandler>,
}

impl RunOptions {
    /// The defaults: a real run, waited for, under [`policy::DEFAULT_LDIF_RUN_TIMEOUT`].
    pub fn new() -> RunOptions {
        RunOptions::default()
    }

    /// A test run: processed as usual, warnings and counts included, but nothing is changed
    /// in the workspace.
    pub fn test(mut self, test: bool) -> Self {
        self.test = test;
        self
    }

    /// Whether to wait for the run to end (default); without waiting, the result has the
    /// status the run had right after it was started.
    pub fn wait(mut self, wait: bool) -> Self {
        self.no_wait = !wait;
        self
    }

    call_limit_setters! {
        /// The deadline of the whole run (default [`policy::DEFAULT_LDIF_RUN_TIMEOUT`]).
        timeout;
        /// Ends the wait (and every request of it) with [`ErrorKind::Cancelled`] when `cancel`
        /// fires. The run goes on at LeanIX; stop it with [`Client::stop_run`].
        cancel_on;
    }

    /// Whether to fetch the output LDIF (default: for outbound runs only; inbound runs have
    /// none).
    pub fn fetch_results(mut self, fetch: bool) -> Self {
        self.results = Some(fetch);
        self
    }

    /// Called after every status poll with what is known so far (status, polls, progress if
    /// read).
    pub fn on_progress(mut self, f: impl Fn(&RunResult) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("test", &self.test)
            .field("wait", &!self.no_wait)
            .field("timeout", &self.timeout)
            .field("fetch_results", &self.results)
            .finish()
    }
}

/// The deadline and cancel handle of one wait, lent to each of its requests.
struct Bounds<'a> {
    client: &'a Client,
    deadline: Instant,
    budget: Duration,
    cancel: Option<Cancel>,
}

impl Bounds<'_> {
    fn remaining(&self) -> Duration {
        self.deadline
            .saturating_duration_since(self.client.clock().now())
    }

    /// The request with this wait's deadline (what is left of it) and cancel handle.
    fn bound(&self, request: Request) -> Result<Request, Error> {
        let left = self.remaining();
        if left.is_zero() {
            return Err(self.expired());
        }
        let left = left.min(self.client.request_timeout());
        Ok(request.within(Some(left), self.cancel.as_ref()))
    }

    fn expired(&self) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!(
                "the LDIF run did not end within its deadline of {} ms",
                self.budget.as_millis()
            ),
        )
    }

    /// Waits `delay` (cut to the deadline), ending early when the cancel handle fires.
    async fn sleep(&self, delay: Duration) -> Result<(), Error> {
        let delay = delay.min(self.remaining());
        let sleep = self.client.clock().sleep(delay);
        match &self.cancel {
            None => sleep.await,
            Some(cancel) => tokio::select! {
                biased;
                _ = cancel.fired() => {
                    return Err(Error::new(ErrorKind::Cancelled, "the wait for the LDIF run was cancelled"));
                }
                _ = sleep => {}
            },
        }
        if self.remaining().is_zero() {
            return Err(self.expired());
        }
        Ok(())
    }
}

/// The path of one run's sub-resource; the id is checked, since it goes into the path.
fn run_path(id: &str, what: &str) -> Result<String, Error> {
    let valid = !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{} is not a synchronization run id (letters, digits, '-' and '_' only)",
                quote(id)
            ),
        ));
    }
    Ok(format!(
        "{INTEGRATION_API_PATH}/synchronizationRuns/{id}/{what}"
    ))
}

/// Checks that `ldif` is a JSON object with the header fields LeanIX requires
/// ([`ErrorKind::InvalidArgument`] naming the missing ones), as [`Client::run_ldif`] does
/// before it sends anything.
pub fn check_ldif(ldif: &Value) -> Result<(), Error> {
    ldif_body(ldif).map(drop)
}

/// The LDIF as JSON text, checked to be an object with the header fields LeanIX requires.
fn ldif_body(ldif: &Value) -> Result<Vec<u8>, Error> {
    let Value::Object(map) = ldif else {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "an LDIF must be a JSON object",
        ));
    };
    require_all(
        [
            "connectorType",
            "connectorId",
            "connectorVersion",
            "lxVersion",
            "processingDirection",
        ],
        |k| map.get(k).is_some_and(Value::is_string),
        |missing| format!("the LDIF lacks the header field(s) {missing} (strings)"),
    )?;
    serde_json::to_vec(ldif).map_err(|e| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("the LDIF cannot be serialised: {e}"),
        )
    })
}

/// Fails with [`ErrorKind::InvalidArgument`] when a name is not `present`; `message` gets the
/// missing names, comma-separated.
fn require_all<const N: usize>(
    names: [&str; N],
    present: impl Fn(&str) -> bool,
    message: impl FnOnce(String) -> String,
) -> Result<(), Error> {
    let missing: Vec<&str> = names.into_iter().filter(|k| !present(k)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidArgument,
        message(missing.join(", ")),
    ))
}

fn json_request(method: &str, path: String, body: Vec<u8>) -> Request {
    Request::new(method, path)
        .header("Content-Type", "application/json")
        .body(body)
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidResponse, message)
}

fn status_of(body: &Value, id: &str) -> Result<RunStatus, Error> {
    body.get("status")
        .and_then(Value::as_str)
        .map(RunStatus::parse)
        .ok_or_else(|| {
            invalid(format!(
                "the status of synchronization run {id} has no \"status\" string"
            ))
        })
}

/// The `ErrorKind::RunFailed` error of a run that ended badly, carrying its result.
fn run_failed(result: RunResult) -> Error {
    let errors = result.error_count();
    let first = result
        .warnings
        .iter()
        .find(|w| w.is_error())
        .map(|w| {
            format!(
                ": {}",
                clean_line(&w.message, policy::MESSAGE_EXCERPT_CHARS)
            )
        })
        .unwrap_or_default();
    let message = match result.status {
        RunStatus::Finished => format!(
            "LDIF run {} finished with {errors} ERROR warning(s){first}",
            result.id
        ),
        ref status => format!(
            "LDIF run {} ended {status} ({errors} ERROR warning(s)){first}",
            result.id
        ),
    };
    Error::new(ErrorKind::RunFailed, message).with_run(result)
}

/// An error of the wait, with what is known of the run attached (unless it has its own).
fn with_known(error: Error, known: &RunResult) -> Error {
    if error.run_result().is_some() {
        return error;
    }
    let context = format!("LDIF run {}", known.id);
    match error.message().contains(&known.id) {
        true => error.about_run(known.clone(), &known.id),
        false => error.about_run(known.clone(), &context),
    }
}

impl Client {
    /// Creates a synchronization run of `ldif`, starts it (as a test run if asked), waits for
    /// it to end under the options' deadline, and returns its result: final status, progress
    /// counts, all warnings and, for an outbound run, the output LDIF.
    ///
    /// Errors: a bad LDIF (not an object, a header field missing) is
    /// [`ErrorKind::InvalidArgument`] before anything is sent; a run that ends `FAILED` or
    /// `STOPPED`, or `FINISHED` with `ERROR` warnings, is [`ErrorKind::RunFailed`] with the
    /// result in [`Error::run_result`]; the deadline passing is [`ErrorKind::Timeout`] and the
    /// cancel handle firing [`ErrorKind::Cancelled`], both with the run's id and last status
    /// in [`Error::run_result`] (the run goes on at LeanIX).
    pub async fn run_ldif(&self, ldif: &Value, options: RunOptions) -> Result<RunResult, Error> {
        let body = ldif_body(ldif)?;
        let outbound = ldif.get("processingDirection").and_then(Value::as_str) == Some("outbound");
        let bounds = self.bounds(&options);
        let path = format!(
            "{INTEGRATION_API_PATH}/synchronizationRuns?start=true&test={}",
            options.test
        );
        let created = self
            .send(bounds.bound(json_request("POST", path, body))?)
            .await?;
        let id = created
            .json::<Value>()?
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid("the new synchronization run's answer has no \"id\"".into()))?;
        let fetch = options.results.unwrap_or(outbound);
        // Created with start=true: CREATED is what is known until the first poll says more.
        let known = RunResult::new(id, RunStatus::Created);
        self.follow(known, &bounds, &options, fetch).await
    }

    /// Waits for a run that was started already (see [`Client::run_ldif`] for what it
    /// returns). The output LDIF is fetched only if the options ask for it
    /// ([`RunOptions::fetch_results`]): the run's direction is not known here.
    pub async fn wait_run(&self, id: &str, options: RunOptions) -> Result<RunResult, Error> {
        run_path(id, "status")?;
        let bounds = self.bounds(&options);
        let fetch = options.results.unwrap_or(false);
        // Nothing is known of this run until its first poll: an error before then (a 404 for
        // an id that does not exist) carries no run result.
        let known = RunResult::new(id.to_owned(), RunStatus::Other(String::new()));
        self.follow(known, &bounds, &options, fetch).await
    }

    fn bounds(&self, options: &RunOptions) -> Bounds<'_> {
        let budget = options.timeout.unwrap_or(policy::DEFAULT_LDIF_RUN_TIMEOUT);
        Bounds {
            client: self,
            deadline: self.clock().now() + budget,
            budget,
            cancel: options.cancel.clone(),
        }
    }

    /// Polls a started run to its end and gathers its result; `known` is what is known of it
    /// before the first poll (an unknown status, empty: not worth reporting on an error).
    async fn follow(
        &self,
        mut known: RunResult,
        bounds: &Bounds<'_>,
        options: &RunOptions,
        fetch_results: bool,
    ) -> Result<RunResult, Error> {
        let outcome = async {
            loop {
                let status = self.poll_status(&known.id, bounds).await?;
                known.polls += 1;
                known.status = status;
                // With a progress callback the counts are read at every poll, the last one
                // included, so that what it shows last is the run's end.
                if options.on_progress.is_some() {
                    known.progress = Some(self.progress_within(&known.id, bounds).await?);
                }
                if let Some(f) = &options.on_progress {
                    f(&known);
                }
                if known.status.is_terminal() || options.no_wait {
                    break;
                }
                bounds.sleep(policy::ldif_poll_delay(known.polls)).await?;
            }
            if options.no_wait {
                return Ok(());
            }
            if options.on_progress.is_none() {
                known.progress = Some(self.progress_within(&known.id, bounds).await?);
            }
            known.warnings = self.warnings_within(&known.id, bounds).await?;
            if fetch_results && known.status == RunStatus::Finished {
                known.results = self.results_within(&known.id, bounds).await?;
            }
            Ok(())
        }
        .await;
        match outcome {
            Err(error) if known.status == RunStatus::Other(String::new()) => Err(error),
            Err(error) => Err(with_known(error, &known)),
            Ok(()) if options.no_wait || known.succeeded() => Ok(known),
            Ok(()) => Err(run_failed(known)),
        }
    }

    async fn get_json(&self, request: Request) -> Result<Value, Error> {
        self.send(request).await?.json()
    }

    async fn poll_status(&self, id: &str, bounds: &Bounds<'_>) -> Result<RunStatus, Error> {
        let body = self
            .get_json(bounds.bound(Request::get(run_path(id, "status")?))?)
            .await?;
        status_of(&body, id)
    }

    async fn progress_within(&self, id: &str, bounds: &Bounds<'_>) -> Result<RunProgress, Error> {
        let body = self
            .get_json(bounds.bound(Request::get(run_path(id, "progress")?))?)
            .await?;
        Ok(RunProgress::from_json(body))
    }

    async fn warnings_within(
        &self,
        id: &str,
        bounds: &Bounds<'_>,
    ) -> Result<Vec<RunWarning>, Error> {
        let limit = policy::LDIF_WARNINGS_PAGE;
        let mut all = Vec::new();
        for page in 0..self.max_pages() {
            let path = format!(
                "{}?offset={}&limit={limit}",
                run_path(id, "warnings")?,
                page * limit
            );
            let body = self.get_json(bounds.bound(Request::get(path))?).await?;
            let Value::Array(items) = body else {
                return Err(invalid(format!(
                    "the warnings of synchronization run {id} are not a JSON array"
                )));
            };
            let n = items.len();
            all.extend(items.into_iter().map(RunWarning::from_json));
            if n < limit {
                return Ok(all);
            }
        }
        Err(Error::new(
            ErrorKind::TooLarge,
            format!(
                "the warnings of synchronization run {id} have more than {} pages (max_pages)",
                self.max_pages()
            ),
        ))
    }

    async fn results_within(&self, id: &str, bounds: &Bounds<'_>) -> Result<Option<Value>, Error> {
        for attempt in 1..=policy::LDIF_RESULTS_ATTEMPTS {
            let response = self
                .send(bounds.bound(Request::get(run_path(id, "results")?))?)
                .await?;
            if response.status() != 204 && !response.body().is_empty() {
                return Ok(Some(response.json()?));
            }
            if attempt < policy::LDIF_RESULTS_ATTEMPTS {
                bounds.sleep(policy::LDIF_POLL_INITIAL).await?;
            }
        }
        Err(invalid(format!(
            "the results of synchronization run {id} were still not ready (204) after {} requests",
            policy::LDIF_RESULTS_ATTEMPTS
        )))
    }

    /// Creates a synchronization run of `ldif` without starting it; its id.
    pub async fn create_run(&self, ldif: &Value) -> Result<String, Error> {
        let body = ldif_body(ldif)?;
        let path = format!("{INTEGRATION_API_PATH}/synchronizationRuns");
        let created: Value = self.send(json_request("POST", path, body)).await?.json()?;
        created
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid("the new synchronization run's answer has no \"id\"".into()))
    }

    /// Starts a created run (as a test run if `test`).
    pub async fn start_run(&self, id: &str, test: bool) -> Result<(), Error> {
        let path = format!("{}?test={test}", run_path(id, "start")?);
        self.send(Request::post(path)).await.map(drop)
    }

    /// Stops a pending or running run.
    pub async fn stop_run(&self, id: &str) -> Result<(), Error> {
        self.send(Request::post(run_path(id, "stop")?))
            .await
            .map(drop)
    }

    /// A run's `{id, status, description}`.
    pub async fn run_status(&self, id: &str) -> Result<Value, Error> {
        let body = self.get_json(Request::get(run_path(id, "status")?)).await?;
        status_of(&body, id)?;
        Ok(body)
    }

    /// A run's progress counts.
    pub async fn run_progress(&self, id: &str) -> Result<RunProgress, Error> {
        let body = self
            .get_json(Request::get(run_path(id, "progress")?))
            .await?;
        Ok(RunProgress::from_json(body))
    }

    /// All warnings of a run, paged under the API's rule.
    pub async fn run_warnings(&self, id: &str) -> Result<Vec<RunWarning>, Error> {
        let options = RunOptions::new().timeout(self.request_timeout());
        let bounds = self.bounds(&options);
        self.warnings_within(id, &bounds).await
    }

    /// A run's output LDIF: `None` while LeanIX answers `204` (not ready, or an inbound run).
    pub async fn run_results(&self, id: &str) -> Result<Option<Value>, Error> {
        let response = self.send(Request::get(run_path(id, "results")?)).await?;
        results_of(&response)
    }

    /// The processor configurations that match every key given (`(key, value)` pairs of
    /// [`CONFIGURATION_KEYS`]; none: all of them).
    pub async fn get_configurations(&self, keys: &[(&str, &str)]) -> Result<Value, Error> {
        let path = configurations_path(keys, false)?;
        self.get_json(Request::get(path)).await
    }

    /// Stores a processor configuration under its five keys (inserted or replaced).
    pub async fn put_configuration(&self, configuration: &Value) -> Result<(), Error> {
        if !configuration.is_object() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a processor configuration must be a JSON object",
            ));
        }
        let body = serde_json::to_vec(configuration).map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("the configuration cannot be serialised: {e}"),
            )
        })?;
        let path = format!("{INTEGRATION_API_PATH}/configurations");
        self.send(json_request("PUT", path, body)).await.map(drop)
    }

    /// Deletes the processor configuration of the five keys (all required).
    pub async fn delete_configuration(&self, keys: &[(&str, &str)]) -> Result<(), Error> {
        let path = configurations_path(keys, true)?;
        self.send(Request::new("DELETE", path)).await.map(drop)
    }
}

fn results_of(response: &Response) -> Result<Option<Value>, Error> {
    if response.status() == 204 || response.body().is_empty() {
        return Ok(None);
    }
    response.json().map(Some)
}

fn configurations_path(keys: &[(&str, &str)], all: bool) -> Result<String, Error> {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in keys {
        if !CONFIGURATION_KEYS.contains(key) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{} is not a processor configuration key (one of {})",
                    quote(key),
                    CONFIGURATION_KEYS.join(", ")
                ),
            ));
        }
        query.append_pair(key, value);
    }
    if all {
        require_all(
            CONFIGURATION_KEYS,
            |k| keys.iter().any(|(key, _)| *key == k),
            |missing| {
                format!(
                    "deleting a processor configuration needs all five keys; missing: {missing}"
                )
            },
        )?;
    }
    let query = query.finish();
    let path = format!("{INTEGRATION_API_PATH}/configurations");
    Ok(if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_three_are_terminal() {
        let names = [
            "CREATED",
            "SEQUENTIALIZED",
            "PENDING",
            "IN_PROGRESS",
            "FINISHED",
            "STOPPED",
            "FAILED",
            "SOMETHING_NEW",
        ];
        let terminal: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| RunStatus::parse(n).is_terminal())
            .collect();
        assert_eq!(terminal, ["FINISHED", "STOPPED", "FAILED"]);
        for n in names {
            assert_eq!(RunStatus::parse(n).as_str(), n);
        }
    }

    #[test]
    fn ids_and_keys_are_checked_before_they_reach_a_path() {
        assert!(run_path("0f8c-AB_1", "status").is_ok());
        for bad in ["", "a/b", "../x", "a?b", "a b"] {
            let e = run_path(bad, "status").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        }
        let e = configurations_path(&[("connectorType", "x")], true).unwrap_err();
        assert!(e.message().contains("missing: connectorId"), "{e}");
        let e = configurations_path(&[("nope", "x")], false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            configurations_path(&[("connectorId", "a b&c")], false).unwrap(),
            "/services/integration-api/v1/configurations?connectorId=a+b%26c"
        );
    }

    #[test]
    fn an_ldif_needs_its_header() {
        let e = ldif_body(&json!({"connectorType": "t", "lxVersion": "1.0.0"})).unwrap_err();
        assert_eq!(
            e.message(),
            "the LDIF lacks the header field(s) connectorId, connectorVersion, processingDirection (strings)"
        );
        assert!(ldif_body(&json!([1])).is_err());
    }
}
