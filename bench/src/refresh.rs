//! The refresh boundary: requests across several token lifetimes and the exchanges the client
//! made, refresh ahead of expiry vs refresh on expiry only (analysed in [`crate::analysis`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use serde_json::{json, Value};

use crate::analysis::{analyse, Record};
use crate::subject::{core_builder, AsyncClient, FetchLog};
use crate::target::Target;
use crate::Res;

/// How long a run keeps its client alive after the last request, so that a background refresh
/// still in flight completes and is counted by the client as well as by the sandbox (a process
/// that exits mid-exchange leaves the sandbox with one exchange more than the client saw).
const SETTLE: Duration = Duration::from_millis(500);

/// The token policy under test.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The default: refresh in the background past ~75 % of the lifetime.
    Ahead,
    /// `refresh_on_expiry_only()`: requests wait for the exchange at the hard margin.
    Expiry,
}

impl Mode {
    fn apply(self, b: leanix::ClientBuilder) -> leanix::ClientBuilder {
        match self {
            Mode::Ahead => b,
            Mode::Expiry => b.refresh_on_expiry_only(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Ahead => "refresh-ahead",
            Mode::Expiry => "expiry-only",
        }
    }
}

/// Open loop with the async core: one request every `1/rate` s, each in its own task, so a
/// request that waits for a token never delays the next one's start.
pub async fn paced(target: &Target, mode: Mode, rate: f64, seconds: f64) -> Res<Value> {
    let log = FetchLog::default();
    let client = AsyncClient::core(target, |b| log.attach(mode.apply(b)))?;
    client.get().await?; // the cold exchange, not measured
    let period = Duration::from_secs_f64(1.0 / rate);
    let n = (seconds * rate).round() as u32;
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(n as usize);
    for i in 0..n {
        tokio::time::sleep_until((t0 + period * i).into()).await;
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let start = Instant::now();
            let ok = client.get().await.is_ok();
            Record {
                start,
                latency: ok.then(|| start.elapsed()),
            }
        }));
    }
    let mut records = Vec::with_capacity(tasks.len());
    for t in tasks {
        records.push(t.await?);
    }
    tokio::time::sleep(SETTLE).await;
    let mut v = analyse(&records, &log.fetches(), t0);
    v["pacing"] = json!("paced");
    v["rate"] = json!(rate);
    v["threads"] = json!(1);
    v["mode"] = json!(mode.name());
    Ok(v)
}

/// Closed loop with the blocking core: `threads` threads share one client and send requests
/// back to back for `seconds`.
pub fn closed(target: &Target, mode: Mode, threads: usize, seconds: f64) -> Res<Value> {
    let log = FetchLog::default();
    let client = Arc::new(
        log.attach(mode.apply(core_builder(target)))
            .build_blocking()?,
    );
    client.get(&target.path)?; // the cold exchange, not measured
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs_f64(seconds);
    let mut handles = Vec::with_capacity(threads);
    for _ in 0..threads {
        let (client, path) = (Arc::clone(&client), target.path.clone());
        handles.push(std::thread::spawn(move || {
            let mut records = Vec::with_capacity(1 << 16);
            while Instant::now() < deadline {
                let start = Instant::now();
                let ok = client.get(&path).is_ok();
                records.push(Record {
                    start,
                    latency: ok.then(|| start.elapsed()),
                });
            }
            records
        }));
    }
    let mut records = Vec::new();
    for h in handles {
        records.extend(h.join().map_err(|_| "a benchmark thread panicked")?);
    }
    std::thread::sleep(SETTLE);
    let mut v = analyse(&records, &log.fetches(), t0);
    v["pacing"] = json!("closed");
    v["threads"] = json!(threads);
    v["mode"] = json!(mode.name());
    Ok(v)
}
