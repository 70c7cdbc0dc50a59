//! Request counters and their snapshots.
//!
//! Counting is lock-free: one atomic per (endpoint, status) pair, so the
//! counters cost nothing measurable in benchmarks.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::faults::Endpoint;

/// Status slot used for a connection dropped without a response.
pub const DROPPED: u16 = 0;

/// Status under which a request is counted when its client hung up while the
/// sandbox was delaying it (a `stall` or `latency` fault), as nginx logs it.
pub const CLIENT_CLOSED: u16 = 499;

/// Where a request is counted: an endpoint, or `other` for unknown paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A known endpoint (never [`Endpoint::Any`]).
    Endpoint(Endpoint),
    /// A path the sandbox does not serve.
    Other,
}

impl Slot {
    const COUNT: usize = Endpoint::ALL.len();

    fn index(self) -> usize {
        match self {
            Slot::Endpoint(e) => e.index(),
            Slot::Other => Endpoint::Any.index(),
        }
    }

    fn name(index: usize) -> &'static str {
        if index == Endpoint::Any.index() {
            "other"
        } else {
            Endpoint::ALL[index].as_str()
        }
    }
}

/// Status codes 100..=999 plus slot 0 for dropped connections.
const STATUS_SLOTS: usize = 901;

fn status_slot(status: u16) -> usize {
    match status {
        100..=999 => usize::from(status) - 99,
        _ => 0,
    }
}

fn slot_status(slot: usize) -> u16 {
    if slot == 0 {
        DROPPED
    } else {
        (slot + 99) as u16
    }
}

/// The live counters of one sandbox.
pub(crate) struct Counters {
    token_exchanges: AtomicU64,
    token_requests: AtomicU64,
    foreign: AtomicU64,
    foreign_with_auth: AtomicU64,
    writes: AtomicU64,
    /// Requests held by a `stall` fault right now (a gauge, not reset).
    stalled: AtomicU64,
    /// Synchronization runs by final status, in [`RUN_ENDS`] order.
    sync_runs: [AtomicU64; 3],
    by_status: Vec<Vec<AtomicU64>>,
}

/// The final statuses of synchronization runs.
pub(crate) const RUN_ENDS: [&str; 3] = ["FINISHED", "FAILED", "STOPPED"];

impl Counters {
    /// All zero.
    pub(crate) fn new() -> Counters {
        Counters {
            token_exchanges: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            foreign: AtomicU64::new(0),
            foreign_with_auth: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            stalled: AtomicU64::new(0),
            sync_runs: Default::default(),
            by_status: (0..Slot::COUNT)
                .map(|_| (0..STATUS_SLOTS).map(|_| AtomicU64::new(0)).collect())
                .collect(),
        }
    }

    /// Counts a response (or [`DROPPED`]) of `slot`.
    pub(crate) fn record(&self, slot: Slot, status: u16) {
        self.by_status[slot.index()][status_slot(status)].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request to the token endpoint.
    pub(crate) fn token_request(&self) {
        self.token_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an access token issued by a successful exchange.
    pub(crate) fn token_exchange(&self) {
        self.token_exchanges.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request to the foreign listener.
    pub(crate) fn foreign_request(&self, with_authorization: bool) {
        self.foreign.fetch_add(1, Ordering::Relaxed);
        if with_authorization {
            self.foreign_with_auth.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a fact sheet created or changed (through any API).
    pub(crate) fn write(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    /// A request starts waiting in a `stall` fault.
    pub(crate) fn stall_started(&self) {
        self.stalled.fetch_add(1, Ordering::Relaxed);
    }

    /// A request stops waiting in a `stall` fault (the stall ended or the client hung up).
    pub(crate) fn stall_ended(&self) {
        self.stalled.fetch_sub(1, Ordering::Relaxed);
    }

    /// Counts a synchronization run that ended with `status` (one of [`RUN_ENDS`]).
    pub(crate) fn sync_run(&self, status: &str) {
        if let Some(i) = RUN_ENDS.iter().position(|s| *s == status) {
            self.sync_runs[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Sets everything back to zero.
    pub(crate) fn reset(&self) {
        for c in [
            &self.token_exchanges,
            &self.token_requests,
            &self.foreign,
            &self.foreign_with_auth,
            &self.writes,
        ]
        .into_iter()
        .chain(&self.sync_runs)
        {
            c.store(0, Ordering::Relaxed);
        }
        for row in &self.by_status {
            for c in row {
                c.store(0, Ordering::Relaxed);
            }
        }
    }

    /// A consistent-enough copy of the counters.
    pub(crate) fn snapshot(&self) -> Stats {
        let mut requests = BTreeMap::new();
        for (i, row) in self.by_status.iter().enumerate() {
            let mut by_status = BTreeMap::new();
            for (slot, c) in row.iter().enumerate() {
                let n = c.load(Ordering::Relaxed);
                if n > 0 {
                    by_status.insert(slot_status(slot), n);
                }
            }
            if !by_status.is_empty() {
                requests.insert(Slot::name(i).to_owned(), by_status);
            }
        }
        Stats {
            token_exchanges: self.token_exchanges.load(Ordering::Relaxed),
            token_requests: self.token_requests.load(Ordering::Relaxed),
            foreign_requests: self.foreign.load(Ordering::Relaxed),
            foreign_requests_with_authorization: self.foreign_with_auth.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            stalled: self.stalled.load(Ordering::Relaxed),
            sync_runs: RUN_ENDS
                .iter()
                .zip(&self.sync_runs)
                .map(|(s, n)| ((*s).to_owned(), n.load(Ordering::Relaxed)))
                .filter(|(_, n)| *n > 0)
                .collect(),
            requests,
        }
    }
}

/// A snapshot of a sandbox's counters.
///
/// Requests are counted per endpoint and response status when the response
/// is sent; a connection dropped by [`Fault::DropConnection`](crate::Fault::DropConnection)
/// counts under status [`DROPPED`] (0). Control API calls are never counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Access tokens issued by successful exchanges (faulted responses excluded).
    pub token_exchanges: u64,
    /// Every request to the token endpoint, whatever its outcome.
    pub token_requests: u64,
    /// Requests received by the foreign listener.
    pub foreign_requests: u64,
    /// Foreign requests that carried an `Authorization` header.
    pub foreign_requests_with_authorization: u64,
    /// Fact sheets created or changed through REST, GraphQL or the
    /// Integration API (validate-only and test runs excluded).
    pub writes: u64,
    /// Requests held by a `stall` fault at the time of the snapshot: a test that stalls an
    /// endpoint waits for this to know its request has arrived (no sleeping).
    pub stalled: u64,
    sync_runs: BTreeMap<String, u64>,
    requests: BTreeMap<String, BTreeMap<u16, u64>>,
}

impl Stats {
    /// Requests to `endpoint` answered with `status` ([`Endpoint::Any`]: all
    /// resource endpoints together).
    pub fn requests(&self, endpoint: Endpoint, status: u16) -> u64 {
        self.matching(endpoint).filter_map(|m| m.get(&status)).sum()
    }

    /// All requests to `endpoint`, whatever their status ([`Endpoint::Any`]:
    /// all resource endpoints together).
    pub fn total(&self, endpoint: Endpoint) -> u64 {
        self.matching(endpoint).flat_map(|m| m.values()).sum()
    }

    /// Synchronization runs (and fast runs) that ended with `status`
    /// (`FINISHED`, `FAILED` or `STOPPED`).
    pub fn sync_runs(&self, status: &str) -> u64 {
        self.sync_runs.get(status).copied().unwrap_or(0)
    }

    /// Counts by endpoint name (`token`, `factSheets`, ..., `other`) and status.
    pub fn by_endpoint(&self) -> &BTreeMap<String, BTreeMap<u16, u64>> {
        &self.requests
    }

    /// The snapshot as the control API's `GET /_sandbox/stats` JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let requests: serde_json::Map<String, serde_json::Value> = self
            .requests
            .iter()
            .map(|(ep, m)| {
                let m: serde_json::Map<String, serde_json::Value> = m
                    .iter()
                    .map(|(s, n)| (s.to_string(), (*n).into()))
                    .collect();
                (ep.clone(), m.into())
            })
            .collect();
        serde_json::json!({
            "token_exchanges": self.token_exchanges,
            "token_requests": self.token_requests,
            "requests": requests,
            "foreign_requests": self.foreign_requests,
            "foreign_requests_with_authorization": self.foreign_requests_with_authorization,
            "writes": self.writes,
            "stalled": self.stalled,
            "sync_runs": self.sync_runs,
        })
    }

    fn matching(&self, endpoint: Endpoint) -> impl Iterator<Item = &BTreeMap<u16, u64>> {
        self.requests
            .iter()
            .filter(move |(name, _)| match endpoint {
                Endpoint::Any => name.as_str() != "token" && name.as_str() != "other",
                e => name.as_str() == e.as_str(),
            })
            .map(|(_, m)| m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_endpoint_and_status() {
        let c = Counters::new();
        c.record(Slot::Endpoint(Endpoint::FactSheets), 200);
        c.record(Slot::Endpoint(Endpoint::FactSheets), 200);
        c.record(Slot::Endpoint(Endpoint::GraphQl), 401);
        c.record(Slot::Endpoint(Endpoint::Token), DROPPED);
        c.record(Slot::Other, 404);
        let s = c.snapshot();
        assert_eq!(s.requests(Endpoint::FactSheets, 200), 2);
        assert_eq!(s.requests(Endpoint::Any, 401), 1);
        assert_eq!(s.total(Endpoint::Any), 3);
        assert_eq!(s.requests(Endpoint::Token, DROPPED), 1);
        assert_eq!(s.to_json()["requests"]["other"]["404"], 1);
        c.reset();
        assert_eq!(c.snapshot(), Stats::default());
    }
}
