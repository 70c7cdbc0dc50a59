//! Latency samples and their summary: percentiles by nearest rank, in microseconds.

use std::time::Duration;

use serde_json::{json, Value};

/// Latencies of completed requests, in nanoseconds, in no particular order.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    nanos: Vec<u64>,
}

impl Samples {
    /// An empty set with room for `n` samples (so that recording does not reallocate much).
    pub fn with_capacity(n: usize) -> Self {
        Samples {
            nanos: Vec::with_capacity(n),
        }
    }

    /// Records one latency.
    pub fn push(&mut self, d: Duration) {
        self.nanos
            .push(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Moves every sample of `other` into this set.
    pub fn append(&mut self, mut other: Samples) {
        self.nanos.append(&mut other.nanos);
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.nanos.len()
    }

    /// The summary (all zero when empty).
    pub fn summary(&self) -> Summary {
        let mut v = self.nanos.clone();
        v.sort_unstable();
        let n = v.len();
        let rank = |p: f64| -> f64 {
            if n == 0 {
                return 0.0;
            }
            let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            v[i] as f64 / 1e3
        };
        let mean = if n == 0 {
            0.0
        } else {
            v.iter().map(|&x| x as f64).sum::<f64>() / n as f64 / 1e3
        };
        Summary {
            count: n,
            mean_us: mean,
            p50_us: rank(0.50),
            p90_us: rank(0.90),
            p99_us: rank(0.99),
            p999_us: rank(0.999),
            max_us: rank(1.0),
        }
    }
}

/// Percentiles of a set of latencies, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of samples.
    pub count: usize,
    /// Arithmetic mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// The largest sample.
    pub max_us: f64,
}

impl Summary {
    /// The summary as a JSON object (values rounded to 0.1 µs).
    pub fn to_json(self) -> Value {
        let r = |x: f64| (x * 10.0).round() / 10.0;
        json!({
            "count": self.count,
            "mean_us": r(self.mean_us),
            "p50_us": r(self.p50_us),
            "p90_us": r(self.p90_us),
            "p99_us": r(self.p99_us),
            "p999_us": r(self.p999_us),
            "max_us": r(self.max_us),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::with_capacity(100);
        for i in 1..=100u64 {
            s.push(Duration::from_micros(i));
        }
        let sum = s.summary();
        assert_eq!(sum.count, 100);
        assert_eq!(sum.p50_us, 50.0);
        assert_eq!(sum.p99_us, 99.0);
        assert_eq!(sum.max_us, 100.0);
        assert_eq!(Samples::default().summary().max_us, 0.0);
    }
}
