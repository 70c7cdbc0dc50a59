//! Analysis of a refresh-boundary run: latencies of the requests that started within ±0.5 s of
//! a completed token exchange ("around"), of those in equally wide control windows midway
//! between exchanges ("control": same statistic, same sample size, no refresh), and of all the
//! others ("elsewhere"); the intervals between exchanges; the slowest requests and where they
//! fell relative to the nearest exchange.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::latency::Samples;
use crate::subject::Fetch;

/// Half the width of the window around each refresh.
const AROUND: Duration = Duration::from_millis(500);

/// One request: when it started and how long it took (`None`: it failed).
#[derive(Debug, Clone, Copy)]
pub struct Record {
    /// When it was sent.
    pub start: Instant,
    /// Its latency, if it succeeded.
    pub latency: Option<Duration>,
}

fn within(s: Instant, centers: &[Instant]) -> bool {
    centers.iter().any(|&c| s + AROUND >= c && s <= c + AROUND)
}

/// `a - b` in milliseconds, negative when `a` is earlier.
fn signed_ms(a: Instant, b: Instant) -> f64 {
    if a >= b {
        (a - b).as_secs_f64() * 1e3
    } else {
        -((b - a).as_secs_f64() * 1e3)
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The five slowest requests, with their start relative to the nearest refresh.
fn slowest(records: &[Record], refreshes: &[Instant]) -> Vec<Value> {
    let mut v: Vec<(Duration, Instant)> = records
        .iter()
        .filter_map(|r| r.latency.map(|l| (l, r.start)))
        .collect();
    v.sort_by_key(|&(lat, _)| std::cmp::Reverse(lat));
    v.iter()
        .take(5)
        .map(|&(lat, start)| {
            let nearest = refreshes
                .iter()
                .map(|&at| signed_ms(start, at))
                .min_by(|a, b| a.abs().total_cmp(&b.abs()));
            json!({
                "latency_us": round(lat.as_secs_f64() * 1e6, 1),
                "start_minus_refresh_ms": nearest.map(|m| round(m, 1)),
            })
        })
        .collect()
}

/// The run's figures as JSON (see the module comment). `t0` is when measuring began: the cold
/// first exchange before it is not a refresh.
pub fn analyse(records: &[Record], fetches: &[Fetch], t0: Instant) -> Value {
    let refreshes: Vec<Instant> = fetches
        .iter()
        .map(|f| f.at)
        .filter(|&at| at >= t0)
        .collect();
    // Control windows: midway between consecutive exchanges (and between t0 and the first).
    let mut prev = t0;
    let mut controls = Vec::with_capacity(refreshes.len());
    for &at in &refreshes {
        controls.push(prev + (at - prev) / 2);
        prev = at;
    }
    let (mut all, mut around, mut control, mut elsewhere) = (
        Samples::default(),
        Samples::default(),
        Samples::default(),
        Samples::default(),
    );
    let mut errors = 0u64;
    for r in records {
        let Some(lat) = r.latency else {
            errors += 1;
            continue;
        };
        all.push(lat);
        if within(r.start, &refreshes) {
            around.push(lat);
        } else {
            elsewhere.push(lat);
            if within(r.start, &controls) {
                control.push(lat);
            }
        }
    }
    let lifetime = fetches.first().map_or(0.0, |f| f.lifetime.as_secs_f64());
    let intervals: Vec<f64> = fetches
        .windows(2)
        .map(|w| (w[1].at - w[0].at).as_secs_f64())
        .collect();
    // One exchange per refresh interval: none sooner than half a lifetime after the previous
    // one (refresh ahead happens past 70-80 % of it, refresh on expiry at 90 %).
    let one_per_interval = intervals.iter().all(|&i| i >= 0.5 * lifetime);
    let (a, c, e) = (around.summary(), control.summary(), elsewhere.summary());
    let ratio = |num: f64, den: f64| {
        if den > 0.0 && a.count > 0 {
            round(num / den, 2)
        } else {
            0.0
        }
    };
    let span = records
        .iter()
        .filter_map(|r| r.latency.map(|l| r.start + l))
        .max()
        .map_or(0.0, |end| (end - t0).as_secs_f64());
    json!({
        "bench": "refresh",
        "seconds": round(span, 3),
        "lifetime_s": lifetime,
        "requests": all.len(),
        "errors": errors,
        "overall": all.summary().to_json(),
        "around_refresh": a.to_json(),
        "control": c.to_json(),
        "elsewhere": e.to_json(),
        "max_around_over_p99_elsewhere": ratio(a.max_us, e.p99_us),
        "max_around_over_max_control": ratio(a.max_us, c.max_us),
        "client_exchanges": fetches.len(),
        "refreshes": refreshes.len(),
        "foreground_fetches": fetches.iter().filter(|f| !f.background).count(),
        "background_fetches": fetches.iter().filter(|f| f.background).count(),
        "intervals_s": intervals.iter().map(|&i| round(i, 3)).collect::<Vec<_>>(),
        "one_per_interval": one_per_interval,
        "slowest": slowest(records, &refreshes),
    })
}
