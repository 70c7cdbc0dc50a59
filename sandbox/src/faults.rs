//! Fault injection: what can go wrong, where, and for how many calls.
//!
//! Faults are queued per endpoint. The fault at the head of an endpoint's
//! queue applies to the next `times` calls of that endpoint, then the next
//! queued fault takes over, and when the queue is empty the endpoint behaves
//! normally again. Faults queued for [`Endpoint::Any`] apply to every resource
//! endpoint (not the token endpoint) once the endpoint's own queue is empty.
//!
//! [`Fault::Latency`] is the exception: it is not queued but persists (and
//! `times` is ignored) until replaced, cleared or reset.
//!
//! [`Fault::SyncRunFail`] and [`Fault::ResultsPending`] are not queued per
//! call either: they are counters that only the operation they concern
//! consumes (a run's start, a results download).
//!
//! Random faults ([`Faults::inject_random`]) persist too: each call of the
//! endpoint draws once and gets the fault with the given probability. Queued
//! faults take precedence over random ones; an endpoint's own random faults
//! are drawn before those of [`Endpoint::Any`].

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// An endpoint of the emulated API, as a target for faults and a key for counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// `POST /services/mtm/v1/oauth2/token`.
    Token,
    /// `GET` and `POST /services/pathfinder/v1/factSheets`.
    FactSheets,
    /// `GET /services/pathfinder/v1/factSheets/{id}`.
    FactSheet,
    /// `POST /services/pathfinder/v1/graphql`.
    GraphQl,
    /// `GET /services/mtm/v1/workspaces/{id}`.
    Workspaces,
    /// `GET /{workspace}/api/v1/services`.
    Services,
    /// Everything under `/services/integration-api/v1/`.
    Integration,
    /// Everything under `/services/webhooks/v1/`.
    Webhooks,
    /// Every resource endpoint (all of the above but the token endpoint).
    Any,
}

impl Endpoint {
    /// Every endpoint, [`Endpoint::Any`] last.
    pub const ALL: [Endpoint; 9] = [
        Endpoint::Token,
        Endpoint::FactSheets,
        Endpoint::FactSheet,
        Endpoint::GraphQl,
        Endpoint::Workspaces,
        Endpoint::Services,
        Endpoint::Integration,
        Endpoint::Webhooks,
        Endpoint::Any,
    ];

    /// The name used by the control API and in statistics (`token`, `factSheets`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::FactSheets => "factSheets",
            Endpoint::FactSheet => "factSheet",
            Endpoint::GraphQl => "graphql",
            Endpoint::Workspaces => "workspaces",
            Endpoint::Services => "services",
            Endpoint::Integration => "integration",
            Endpoint::Webhooks => "webhooks",
            Endpoint::Any => "any",
        }
    }

    /// Position in [`Endpoint::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Endpoint {
    type Err = String;

    /// Parses the names of [`Endpoint::as_str`] (case-insensitively).
    fn from_str(s: &str) -> Result<Endpoint, String> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown endpoint {s:?}"))
    }
}

/// A fault to inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Respond with `status` and a JSON error body, with a `Retry-After`
    /// header when given (seconds or an HTTP date, sent verbatim).
    Status {
        /// The HTTP status code.
        status: u16,
        /// The `Retry-After` header value.
        retry_after: Option<String>,
    },
    /// Respond with exactly this status, content type and body.
    Respond {
        /// The HTTP status code.
        status: u16,
        /// The `Content-Type` header value.
        content_type: String,
        /// The body, sent as is.
        body: String,
    },
    /// 200 with truncated JSON.
    MalformedJson,
    /// 200 with an HTML page (`text/html`), like a captive portal or proxy.
    HtmlOk,
    /// Token endpoint: 200 with `"access_token":""`.
    EmptyToken,
    /// Token endpoint: 200 with a real token but `"expired":true`.
    ExpiredTrue,
    /// Token endpoint: 200 with a real token but `"expires_in":-1`.
    NegativeExpiresIn,
    /// Close the connection without sending any response.
    DropConnection,
    /// Wait this long before handling the request normally (the connection
    /// is closed at once if the sandbox shuts down meanwhile).
    Stall(Duration),
    /// Add this delay to every call of the endpoint until cleared
    /// (persistent: `times` is ignored; a zero duration removes it).
    Latency(Duration),
    /// 307 to the same path on the foreign listener (another origin).
    RedirectForeign,
    /// 307 to the same path and query on this sandbox (same origin): a redirect
    /// loop for as long as the fault lasts.
    RedirectSelf,
    /// The normal response with its full `Content-Length`, but only the first
    /// half of the body is sent before the connection is closed (a transfer cut
    /// short). Counted under the status of the normal response.
    TruncatedBody,
    /// 200 with a JSON body of exactly this many bytes (`{"data":"xxx…"}`),
    /// chunked and generated while it is sent, never held in memory.
    LargeBody(u64),
    /// 200 with a chunked body that never ends: chunks go out until the
    /// client hangs up.
    EndlessBody,
    /// GraphQL `allFactSheets` (otherwise the normal response): `hasNextPage`
    /// is always true and `endCursor` alternates between two values, so a
    /// client that follows it pages forever.
    CursorCycle,
    /// GraphQL `allFactSheets` (otherwise the normal response): `hasNextPage`
    /// is true but `endCursor` is null.
    NoEndCursor,
    /// Integration API: the next synchronization run (or fast run) to start
    /// fails: it ends `FAILED` with an `ERROR` warning and changes nothing.
    /// `times` counts runs; the endpoint is ignored.
    SyncRunFail,
    /// Integration API: the next `times` downloads of results that are ready
    /// answer 204 (not ready yet) all the same. The endpoint is ignored.
    ResultsPending,
    /// GraphQL: the next `times` `updateFactSheet` mutations that give a
    /// `rev` find that someone else edited the fact sheet first (its stored
    /// `rev` grows by one and nothing else changes, not counted as a write),
    /// so they fail with `REVISION_CLASH`. The endpoint is ignored.
    ConcurrentEdit,
    /// `fault`, with these headers added to the response that goes out (the
    /// fault's own or, for faults that let the request through, the normal one).
    WithHeaders {
        /// The fault.
        fault: Box<Fault>,
        /// Header names and values, e.g. `("x-request-id", "abc")`.
        headers: Vec<(String, String)>,
    },
}

impl Fault {
    /// [`Fault::Status`] without a `Retry-After` header.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// [`Fault::Status`] with `retry_after` as the `Retry-After` header (seconds or an HTTP
    /// date, sent verbatim).
    pub fn status_retry_after(status: u16, retry_after: impl Into<String>) -> Fault {
        Fault::Status {
            status,
            retry_after: Some(retry_after.into()),
        }
    }
}

/// The fault table of one sandbox.
pub(crate) struct Faults {
    /// Fast path: true only while something is queued or a latency is set.
    armed: AtomicBool,
    table: Mutex<Table>,
}

const ENDPOINTS: usize = Endpoint::ALL.len();

#[derive(Default)]
struct Table {
    queues: [VecDeque<(Fault, u32)>; ENDPOINTS],
    latency: [Option<Duration>; ENDPOINTS],
    /// Persistent random faults: (fault, probability per call), drawn in order.
    random: [Vec<(Fault, f64)>; ENDPOINTS],
    /// Runs still to fail, result downloads still to answer 204.
    sync_run_fail: u32,
    results_pending: u32,
    concurrent_edit: u32,
}

impl Table {
    fn is_empty(&self) -> bool {
        self.queues.iter().all(VecDeque::is_empty)
            && self.latency.iter().all(Option::is_none)
            && self.random.iter().all(Vec::is_empty)
            && self.sync_run_fail == 0
            && self.results_pending == 0
            && self.concurrent_edit == 0
    }
}

/// Why a random fault cannot be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RandomFaultError {
    /// The probability is not in `(0, 1]`.
    Probability,
    /// [`Fault::Latency`] is already persistent; it cannot be random.
    Latency,
    /// The probabilities of the endpoint's random faults would add up to more than 1.
    TotalAboveOne,
    /// [`Fault::SyncRunFail`] and [`Fault::ResultsPending`] count operations;
    /// they cannot be random.
    Counted,
}

impl fmt::Display for RandomFaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RandomFaultError::Probability => "'probability' must be in (0, 1]",
            RandomFaultError::Latency => {
                "kind \"latency\" cannot be random (it is persistent already)"
            }
            RandomFaultError::TotalAboveOne => {
                "the probabilities of an endpoint's random faults must add up to at most 1"
            }
            RandomFaultError::Counted => {
                "kinds \"sync_run_fail\", \"results_pending\" and \"concurrent_edit\" cannot be random"
            }
        })
    }
}

impl std::error::Error for RandomFaultError {}

impl Faults {
    /// An empty table.
    pub(crate) fn new() -> Faults {
        Faults {
            armed: AtomicBool::new(false),
            table: Mutex::new(Table::default()),
        }
    }

    /// Queues `fault` for the next `times` calls of `endpoint`.
    pub(crate) fn inject(&self, endpoint: Endpoint, fault: Fault, times: u32) {
        let mut t = self.table.lock().unwrap();
        match fault {
            Fault::Latency(d) => {
                t.latency[endpoint.index()] = (!d.is_zero()).then_some(d);
            }
            Fault::SyncRunFail => t.sync_run_fail = t.sync_run_fail.saturating_add(times),
            Fault::ResultsPending => t.results_pending = t.results_pending.saturating_add(times),
            Fault::ConcurrentEdit => t.concurrent_edit = t.concurrent_edit.saturating_add(times),
            fault if times > 0 => {
                t.queues[endpoint.index()].push_back((fault, times));
            }
            _ => {}
        }
        self.armed.store(!t.is_empty(), Ordering::Release);
    }

    /// Adds a persistent random fault: every later call of `endpoint` gets
    /// `fault` with probability `probability`, until cleared or reset.
    pub(crate) fn inject_random(
        &self,
        endpoint: Endpoint,
        fault: Fault,
        probability: f64,
    ) -> Result<(), RandomFaultError> {
        if !(probability > 0.0 && probability <= 1.0) {
            return Err(RandomFaultError::Probability);
        }
        if matches!(fault, Fault::Latency(_)) {
            return Err(RandomFaultError::Latency);
        }
        if matches!(
            fault,
            Fault::SyncRunFail | Fault::ResultsPending | Fault::ConcurrentEdit
        ) {
            return Err(RandomFaultError::Counted);
        }
        let mut t = self.table.lock().unwrap();
        let list = &mut t.random[endpoint.index()];
        let total: f64 = list.iter().map(|(_, p)| p).sum::<f64>() + probability;
        if total > 1.0 + 1e-9 {
            return Err(RandomFaultError::TotalAboveOne);
        }
        list.push((fault, probability));
        self.armed.store(true, Ordering::Release);
        Ok(())
    }

    /// Removes the faults and latency of one endpoint.
    pub(crate) fn clear_endpoint(&self, endpoint: Endpoint) {
        let mut t = self.table.lock().unwrap();
        t.queues[endpoint.index()].clear();
        t.latency[endpoint.index()] = None;
        t.random[endpoint.index()].clear();
        if endpoint == Endpoint::Integration {
            (t.sync_run_fail, t.results_pending) = (0, 0);
        }
        if endpoint == Endpoint::GraphQl {
            t.concurrent_edit = 0;
        }
        self.armed.store(!t.is_empty(), Ordering::Release);
    }

    /// Removes every fault and latency.
    pub(crate) fn clear(&self) {
        let mut t = self.table.lock().unwrap();
        *t = Table::default();
        self.armed.store(false, Ordering::Release);
    }

    /// The latency to add to a call of `endpoint` (its own, else that of `Any`).
    pub(crate) fn latency(&self, endpoint: Endpoint) -> Option<Duration> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let t = self.table.lock().unwrap();
        t.latency[endpoint.index()].or(if endpoint == Endpoint::Token {
            None
        } else {
            t.latency[Endpoint::Any.index()]
        })
    }

    /// Takes the fault for this call of `endpoint`, if any is queued.
    pub(crate) fn take(&self, endpoint: Endpoint) -> Option<Fault> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut t = self.table.lock().unwrap();
        let with_any = endpoint != Endpoint::Token;
        let mut fault = Self::pop(&mut t.queues[endpoint.index()]);
        if fault.is_none() && with_any {
            fault = Self::pop(&mut t.queues[Endpoint::Any.index()]);
        }
        if fault.is_none() {
            fault = Self::draw(&t.random[endpoint.index()]);
        }
        if fault.is_none() && with_any {
            fault = Self::draw(&t.random[Endpoint::Any.index()]);
        }
        self.armed.store(!t.is_empty(), Ordering::Release);
        fault
    }

    /// Consumes one [`Fault::SyncRunFail`] or [`Fault::ResultsPending`], if
    /// any is left; whether one was.
    pub(crate) fn take_counted(&self, kind: &Fault) -> bool {
        if !self.armed.load(Ordering::Acquire) {
            return false;
        }
        let mut t = self.table.lock().unwrap();
        let left = match kind {
            Fault::SyncRunFail => &mut t.sync_run_fail,
            Fault::ResultsPending => &mut t.results_pending,
            Fault::ConcurrentEdit => &mut t.concurrent_edit,
            _ => return false,
        };
        let taken = *left > 0;
        *left = left.saturating_sub(1);
        self.armed.store(!t.is_empty(), Ordering::Release);
        taken
    }

    /// One draw over a list of random faults: the fault whose slice of
    /// `[0, 1)` the draw falls in, or none.
    fn draw(list: &[(Fault, f64)]) -> Option<Fault> {
        if list.is_empty() {
            return None;
        }
        let r = fastrand::f64();
        let mut cumulative = 0.0;
        for (fault, p) in list {
            cumulative += p;
            if r < cumulative {
                return Some(fault.clone());
            }
        }
        None
    }

    fn pop(queue: &mut VecDeque<(Fault, u32)>) -> Option<Fault> {
        let (fault, left) = queue.front_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            queue.pop_front();
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_faults_apply_in_order_then_stop() {
        let f = Faults::new();
        f.inject(Endpoint::Token, Fault::HtmlOk, 2);
        f.inject(Endpoint::Token, Fault::DropConnection, 1);
        f.inject(Endpoint::Any, Fault::MalformedJson, 1);
        assert_eq!(f.take(Endpoint::Token), Some(Fault::HtmlOk));
        assert_eq!(f.take(Endpoint::Token), Some(Fault::HtmlOk));
        assert_eq!(f.take(Endpoint::Token), Some(Fault::DropConnection));
        assert_eq!(f.take(Endpoint::Token), None);
        assert_eq!(f.take(Endpoint::GraphQl), Some(Fault::MalformedJson));
        assert_eq!(f.take(Endpoint::GraphQl), None);
    }

    #[test]
    fn latency_persists_until_cleared() {
        let f = Faults::new();
        f.inject(Endpoint::Any, Fault::Latency(Duration::from_millis(5)), 1);
        assert!(f.latency(Endpoint::FactSheet).is_some());
        assert!(f.latency(Endpoint::FactSheet).is_some());
        assert!(f.latency(Endpoint::Token).is_none());
        f.clear();
        assert!(f.latency(Endpoint::FactSheet).is_none());
    }

    #[test]
    fn random_faults_persist_with_their_probability() {
        let f = Faults::new();
        f.inject_random(Endpoint::Any, Fault::status(503), 0.25)
            .unwrap();
        f.inject_random(Endpoint::Any, Fault::DropConnection, 0.05)
            .unwrap();
        let n = 40_000;
        let (mut s503, mut drops) = (0, 0);
        for _ in 0..n {
            match f.take(Endpoint::FactSheets) {
                Some(Fault::Status { status: 503, .. }) => s503 += 1,
                Some(Fault::DropConnection) => drops += 1,
                None => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        // Binomial: 10 000 ± 87 and 2 000 ± 44; six standard deviations of slack.
        assert!((9_480..=10_520).contains(&s503), "{s503}");
        assert!((1_740..=2_260).contains(&drops), "{drops}");
        assert_eq!(
            f.take(Endpoint::Token),
            None,
            "Any never covers the token endpoint"
        );
        // A queued fault comes first; the random ones go on after it.
        f.inject(Endpoint::FactSheets, Fault::HtmlOk, 1);
        assert_eq!(f.take(Endpoint::FactSheets), Some(Fault::HtmlOk));
        f.clear_endpoint(Endpoint::Any);
        assert!((0..1000).all(|_| f.take(Endpoint::FactSheets).is_none()));
    }

    #[test]
    fn random_faults_are_validated() {
        let f = Faults::new();
        assert_eq!(
            f.inject_random(Endpoint::Token, Fault::HtmlOk, 0.0),
            Err(RandomFaultError::Probability)
        );
        assert_eq!(
            f.inject_random(Endpoint::Token, Fault::HtmlOk, f64::NAN),
            Err(RandomFaultError::Probability)
        );
        assert_eq!(
            f.inject_random(
                Endpoint::Token,
                Fault::Latency(Duration::from_millis(1)),
                0.5
            ),
            Err(RandomFaultError::Latency)
        );
        f.inject_random(Endpoint::Token, Fault::HtmlOk, 0.75)
            .unwrap();
        assert_eq!(
            f.inject_random(Endpoint::Token, Fault::EmptyToken, 0.5),
            Err(RandomFaultError::TotalAboveOne)
        );
        f.inject_random(Endpoint::Token, Fault::EmptyToken, 0.25)
            .unwrap();
        assert!(
            (0..100).all(|_| f.take(Endpoint::Token).is_some()),
            "p = 1 in total"
        );
        f.clear();
        assert_eq!(f.take(Endpoint::Token), None);
    }

    #[test]
    fn endpoint_names_round_trip() {
        for e in Endpoint::ALL {
            assert_eq!(e.as_str().parse::<Endpoint>().unwrap(), e);
        }
    }
}
