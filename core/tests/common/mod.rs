//! Helpers shared by the integration tests: event capture, client builders for the sandbox, and a
//! tiny scripted loopback server for the few cases where a test needs exact control of the
//! responses or must see the raw bytes of a request.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use futures::future::BoxFuture;
use leanix::{Client, ClientBuilder, Clock, Event, ManualClock, Response};
use leanix_sandbox::{Fault, Sandbox};
use tokio::sync::mpsc;

/// How long a test waits for an event before failing (a hang guard, not a timing assertion).
pub const EVENT_WAIT: Duration = Duration::from_secs(30);

pub const FACT_SHEETS: &str = "/services/pathfinder/v1/factSheets?pageSize=5";

/// Every event a client emitted, kept in order, plus a channel to wait for the next ones.
pub struct Events {
    log: Arc<Mutex<Vec<Event>>>,
    rx: mpsc::UnboundedReceiver<Event>,
}

impl Events {
    /// A handler for `ClientBuilder::on_event` and the log it feeds.
    pub fn new() -> (impl Fn(&Event) + Send + Sync + 'static, Events) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::unbounded_channel();
        let sink = Arc::clone(&log);
        let handler = move |e: &Event| {
            sink.lock().unwrap().push(e.clone());
            let _ = tx.send(e.clone());
        };
        (handler, Events { log, rx })
    }

    /// Every event so far.
    pub fn all(&self) -> Vec<Event> {
        self.log.lock().unwrap().clone()
    }

    /// How many events so far match `pred`.
    pub fn count(&self, pred: impl Fn(&Event) -> bool) -> usize {
        self.log.lock().unwrap().iter().filter(|e| pred(e)).count()
    }

    /// Waits (bounded by [`EVENT_WAIT`]) for the next event matching `pred`, skipping others.
    pub async fn wait_for(&mut self, pred: impl Fn(&Event) -> bool) -> Event {
        let found = tokio::time::timeout(EVENT_WAIT, async {
            loop {
                match self.rx.recv().await {
                    Some(e) if pred(&e) => return e,
                    Some(_) => continue,
                    None => panic!("event channel closed"),
                }
            }
        })
        .await;
        found.unwrap_or_else(|_| {
            panic!(
                "no matching event within {EVENT_WAIT:?}; got {:?}",
                self.all()
            )
        })
    }

    /// Drops the events queued on the channel (the log keeps them).
    pub fn drain(&mut self) {
        while self.rx.try_recv().is_ok() {}
    }

    /// True if a matching event is queued on the channel right now (consumes the queue).
    pub fn queued(&mut self, pred: impl Fn(&Event) -> bool) -> bool {
        let mut hit = false;
        while let Ok(e) = self.rx.try_recv() {
            hit |= pred(&e);
        }
        hit
    }
}

pub fn is_fetched(background: bool) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::TokenFetched { background: b, .. } if *b == background)
}

pub fn is_fetch_failed(background: bool) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::TokenFetchFailed { background: b, .. } if *b == background)
}

pub fn fingerprint_of(e: &Event) -> String {
    match e {
        Event::TokenFetched { fingerprint, .. } => fingerprint.clone(),
        other => panic!("not a TokenFetched event: {other:?}"),
    }
}

/// A builder for a client of the given loopback URL and token, on a manual clock.
pub fn builder(url: &str, token: &str, clock: &ManualClock) -> ClientBuilder {
    leanix::Client::builder()
        .host(url)
        .api_token(token)
        .allow_insecure_loopback(true)
        .clock(clock.clone())
}

/// A client of the given loopback URL and token, on a fresh manual clock.
pub fn client_at(url: &str, token: &str) -> Client {
    builder(url, token, &ManualClock::new()).build().unwrap()
}

/// Asserts that `err` is of `kind` and that its message contains `needle`.
#[track_caller]
pub fn assert_error(err: &leanix::Error, kind: leanix::ErrorKind, needle: &str) {
    assert_eq!(err.kind(), kind, "{err:?}");
    assert!(err.message().contains(needle), "{err}");
}

/// A builder for a client of the sandbox `sb` (with its API token), on a manual clock.
pub fn sandbox_builder(sb: &Sandbox, clock: &ManualClock) -> ClientBuilder {
    builder(sb.url(), sb.api_token(), clock)
}

/// Builds the client of `builder` with its events logged.
pub fn with_events(builder: ClientBuilder) -> (Client, Events) {
    let (handler, events) = Events::new();
    let client = builder.on_event(handler).build().unwrap();
    (client, events)
}

/// The opening of most tests, as `(sb, clock, client, events)`: a sandbox, a manual clock, and
/// a client of the sandbox on that clock whose events are logged.
pub type SandboxClient = (Sandbox, ManualClock, Client, Events);

/// A default sandbox and a default client of it.
pub fn sandbox_client() -> SandboxClient {
    client_of(Sandbox::start().unwrap())
}

/// A default sandbox and a client whose builder `configure` has set up.
pub fn configured_client(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> SandboxClient {
    configured_client_of(Sandbox::start().unwrap(), configure)
}

/// A default client of the given sandbox.
pub fn client_of(sb: Sandbox) -> SandboxClient {
    configured_client_of(sb, |b| b)
}

/// A client of the given sandbox, its builder set up by `configure`.
pub fn configured_client_of(
    sb: Sandbox,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> SandboxClient {
    let clock = ManualClock::new();
    let (client, events) = with_events(configure(sandbox_builder(&sb, &clock)));
    (sb, clock, client, events)
}

/// A client of the sandbox `sb` (with its API token) on any clock.
pub fn client_on(sb: &Sandbox, clock: impl Clock) -> Client {
    Client::builder()
        .host(sb.url())
        .api_token(sb.api_token())
        .allow_insecure_loopback(true)
        .clock(clock)
        .build()
        .unwrap()
}

/// A manual clock that runs a hook at every sleep (before time moves on), so that a test can
/// make things happen while the client waits.
#[derive(Clone)]
pub struct HookedClock {
    /// The manual clock underneath: its time and the sleeps it was asked for.
    pub manual: ManualClock,
    on_sleep: Arc<dyn Fn() + Send + Sync>,
}

impl HookedClock {
    /// A fresh manual clock that runs `on_sleep` at every sleep.
    pub fn new(on_sleep: impl Fn() + Send + Sync + 'static) -> HookedClock {
        HookedClock::over(ManualClock::new(), on_sleep)
    }

    /// The manual clock `manual` (shared with the caller), running `on_sleep` at every sleep.
    pub fn over(manual: ManualClock, on_sleep: impl Fn() + Send + Sync + 'static) -> HookedClock {
        HookedClock {
            manual,
            on_sleep: Arc::new(on_sleep),
        }
    }
}

impl HookedClock {
    /// The sleeps the clock was asked for so far, in whole seconds.
    pub fn slept_secs(&self) -> Vec<u64> {
        self.manual.sleeps().iter().map(Duration::as_secs).collect()
    }
}

impl Clock for HookedClock {
    fn now(&self) -> Instant {
        self.manual.now()
    }
    fn wall(&self) -> SystemTime {
        self.manual.wall()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        (self.on_sleep)();
        self.manual.sleep(duration)
    }
}

/// Sends `n` GETs of [`FACT_SHEETS`] at once, each on a task of its own with a clone of
/// `client`, and returns their results in the order they were started.
pub async fn concurrent_gets(client: &Client, n: usize) -> Vec<Result<Response, leanix::Error>> {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get(FACT_SHEETS).await })
        })
        .collect();
    let mut results = Vec::with_capacity(n);
    for call in calls {
        results.push(call.await.unwrap());
    }
    results
}

/// A sandbox fault answering with `status` and, if given, this `Retry-After` value.
pub fn status(status: u16, retry_after: Option<&str>) -> Fault {
    Fault::Status {
        status,
        retry_after: retry_after.map(str::to_owned),
    }
}

/// A duration of `s` seconds.
pub fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// Makes a first call (the client exchanges for a token) and returns the fingerprint of the
/// token fetched for it.
pub async fn first_token(client: &Client, events: &mut Events) -> String {
    client.get(FACT_SHEETS).await.unwrap();
    fingerprint_of(&events.wait_for(is_fetched(false)).await)
}

/// `base64("apitoken:" + token)` computed here, independently of the crate.
pub fn basic_value(token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("apitoken:{token}"))
}

// ---------------------------------------------------------------------------------------------
// A scripted loopback server.
// ---------------------------------------------------------------------------------------------

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// When it arrived.
    pub at: std::time::Instant,
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The query string (without `?`), if any.
    pub query: Option<String>,
}

impl Recorded {
    /// Every value of a header, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    pub fn is_token(&self) -> bool {
        self.path == leanix::TOKEN_PATH
    }
}

/// A canned response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Instead of `body`: this many bytes of `x` generated in 64 KiB chunks as they are sent
    /// (`Some(None)`: without end), never held in memory.
    pub streamed: Option<Option<u64>>,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            streamed: None,
        }
    }

    /// A 200 whose body of `total` bytes (`None`: endless) is generated while it is sent,
    /// chunked (no Content-Length), so that neither side needs it in memory.
    pub fn streamed(total: Option<u64>) -> Self {
        Reply {
            streamed: Some(total),
            ..Reply::new(200, "")
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

struct ServerState {
    requests: Mutex<Vec<Recorded>>,
    token_script: Mutex<VecDeque<Reply>>,
    api_script: Mutex<VecDeque<Reply>>,
    issued: AtomicU64,
    lifetime: AtomicU64,
    /// While false, token requests wait (they are recorded first).
    token_open: tokio::sync::watch::Sender<bool>,
    /// How many token requests have arrived (before any hold).
    token_arrivals: tokio::sync::watch::Sender<usize>,
    /// API requests before this instant get 429 with the whole seconds left as Retry-After.
    throttle_until: Mutex<Option<std::time::Instant>>,
}

/// A loopback HTTP server on its own thread and runtime. Token requests get
/// `{"access_token":"tok-N","token_type":"bearer","expires_in":<lifetime>}` unless scripted; API
/// requests get 200 `{"ok":true}` unless scripted. Every request is recorded.
pub struct TestServer {
    url: String,
    state: Arc<ServerState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", std_listener.local_addr().unwrap());
        let (token_open, _) = tokio::sync::watch::channel(true);
        let (token_arrivals, _) = tokio::sync::watch::channel(0);
        let state = Arc::new(ServerState {
            requests: Mutex::new(Vec::new()),
            token_script: Mutex::new(VecDeque::new()),
            api_script: Mutex::new(VecDeque::new()),
            issued: AtomicU64::new(0),
            lifetime: AtomicU64::new(3599),
            token_open,
            token_arrivals,
            throttle_until: Mutex::new(None),
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.await;
                    })
                    .await;
            });
        });
        TestServer {
            url,
            state,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client of this server (API token `test-api-token`, on a fresh manual clock), its
    /// builder set up by `configure`.
    pub fn client(&self, configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
        configure(builder(&self.url, "test-api-token", &ManualClock::new()))
            .build()
            .unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn token_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(Recorded::is_token)
            .collect()
    }

    pub fn api_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| !r.is_token())
            .collect()
    }

    /// Lifetime (`expires_in`) of the tokens issued from now on.
    pub fn set_lifetime(&self, secs: u64) {
        self.state.lifetime.store(secs, Ordering::SeqCst);
    }

    pub fn script_token(&self, reply: Reply) {
        self.state.token_script.lock().unwrap().push_back(reply);
    }

    pub fn script_api(&self, reply: Reply) {
        self.state.api_script.lock().unwrap().push_back(reply);
    }

    /// Answers every API request with 429 until `until` (real time), `Retry-After` the whole
    /// seconds left (at least 1).
    pub fn throttle_until(&self, until: std::time::Instant) {
        *self.state.throttle_until.lock().unwrap() = Some(until);
    }

    /// Holds (false) or releases (true) token requests.
    pub fn open_token_endpoint(&self, open: bool) {
        self.state.token_open.send_replace(open);
    }

    /// Waits (bounded by [`EVENT_WAIT`]) until `n` token requests have arrived.
    pub async fn token_requests_arrived(&self, n: usize) {
        let mut arrivals = self.state.token_arrivals.subscribe();
        tokio::time::timeout(EVENT_WAIT, arrivals.wait_for(|a| *a >= n))
            .await
            .unwrap_or_else(|_| panic!("{n} token requests did not arrive"))
            .unwrap();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.open_token_endpoint(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let rec = Recorded {
        at: std::time::Instant::now(),
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers,
        body: body.to_vec(),
        query: uri.query().map(str::to_owned),
    };
    let is_token = rec.is_token();
    state.requests.lock().unwrap().push(rec);
    let reply = if is_token {
        state.token_arrivals.send_modify(|a| *a += 1);
        let mut open = state.token_open.subscribe();
        let _ = open.wait_for(|o| *o).await;
        let scripted = state.token_script.lock().unwrap().pop_front();
        scripted.unwrap_or_else(|| {
            let n = state.issued.fetch_add(1, Ordering::SeqCst) + 1;
            let lifetime = state.lifetime.load(Ordering::SeqCst);
            Reply::new(
                200,
                format!(
                    r#"{{"scope":"","expired":false,"access_token":"tok-{n}","token_type":"bearer","expires_in":{lifetime}}}"#
                ),
            )
        })
    } else {
        let throttled = state
            .throttle_until
            .lock()
            .unwrap()
            .and_then(|until| until.checked_duration_since(std::time::Instant::now()));
        match throttled {
            Some(left) => Reply::new(429, r#"{"status":"ERROR","errors":[{"message":"USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"}]}"#)
                .header("retry-after", &left.as_secs_f64().ceil().max(1.0).to_string()),
            None => {
                let scripted = state.api_script.lock().unwrap().pop_front();
                scripted.unwrap_or_else(|| Reply::new(200, r#"{"ok":true}"#))
            }
        }
    };
    let status = StatusCode::from_u16(reply.status).unwrap();
    let mut resp = match reply.streamed {
        None => (status, reply.body).into_response(),
        Some(total) => {
            const CHUNK: u64 = 64 * 1024;
            let chunk = Bytes::from(vec![b'x'; CHUNK as usize]);
            let chunks = futures::stream::unfold(0u64, move |sent| {
                let chunk = chunk.clone();
                async move {
                    let left = total.map_or(CHUNK, |t| t.saturating_sub(sent).min(CHUNK));
                    (left > 0).then(|| {
                        (
                            Ok::<_, std::io::Error>(chunk.slice(..left as usize)),
                            sent + left,
                        )
                    })
                }
            });
            (status, axum::body::Body::from_stream(chunks)).into_response()
        }
    };
    for (k, v) in reply.headers {
        resp.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    resp
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`, ...) of this process, in KiB.
pub fn proc_status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}
