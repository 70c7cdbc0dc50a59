//! Closed-loop load: N workers each send one request after the other, for a warm-up and then a
//! measured window. Requests that complete inside the window are counted and their latencies
//! kept.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use crate::latency::Samples;
use crate::rusage::Usage;
use crate::subject::AsyncClient;
use crate::Res;

const WARMUP: u8 = 0;
const MEASURE: u8 = 1;
const STOP: u8 = 2;

/// How long to warm up and to measure.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Unmeasured time first (token exchange, connection set-up, caches).
    pub warmup: Duration,
    /// The measured time.
    pub seconds: Duration,
}

/// What a load run measured.
#[derive(Debug)]
pub struct Outcome {
    /// Wall time of the measured window.
    pub elapsed: Duration,
    /// Latencies of the requests completed in the window (their count is the throughput).
    pub samples: Samples,
    /// Process resource usage at the start and the end of the window.
    pub usage: (Usage, Usage),
}

impl Outcome {
    /// Completed requests per second.
    pub fn rps(&self) -> f64 {
        self.samples.len() as f64 / self.elapsed.as_secs_f64()
    }
}

/// One worker's loop, shared by threads and tasks: call, time, keep the sample if measuring.
fn keep(phase: &AtomicU8, samples: &mut Samples, started: Instant) {
    let d = started.elapsed();
    if phase.load(Ordering::Relaxed) == MEASURE {
        samples.push(d);
    }
}

/// Runs `threads` OS threads, each calling its own `make()` closure in a loop.
pub fn run_threads<F>(threads: usize, window: Window, make: impl Fn() -> F) -> Res<Outcome>
where
    F: FnMut() -> Res<usize> + Send + 'static,
{
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let start = Arc::new(Barrier::new(threads + 1));
    let mut handles = Vec::with_capacity(threads);
    for i in 0..threads {
        let mut call = make();
        let (phase, start) = (Arc::clone(&phase), Arc::clone(&start));
        let h = std::thread::Builder::new()
            .name(format!("bench-{i}"))
            .spawn(move || -> Res<Samples> {
                let mut samples = Samples::with_capacity(1 << 16);
                start.wait();
                while phase.load(Ordering::Relaxed) != STOP {
                    let t = Instant::now();
                    if let Err(e) = call() {
                        phase.store(STOP, Ordering::Relaxed);
                        return Err(e);
                    }
                    keep(&phase, &mut samples, t);
                }
                Ok(samples)
            })?;
        handles.push(h);
    }
    start.wait();
    std::thread::sleep(window.warmup);
    let u0 = Usage::now();
    phase.store(MEASURE, Ordering::Relaxed);
    let t0 = Instant::now();
    std::thread::sleep(window.seconds);
    phase.store(STOP, Ordering::Relaxed);
    let elapsed = t0.elapsed();
    let u1 = Usage::now();
    let mut samples = Samples::default();
    for h in handles {
        samples.append(h.join().map_err(|_| "a benchmark thread panicked")??);
    }
    Ok(Outcome {
        elapsed,
        samples,
        usage: (u0, u1),
    })
}

/// Runs `tasks` tokio tasks on the current runtime, each sending requests with `client`.
pub async fn run_tasks(tasks: usize, window: Window, client: AsyncClient) -> Res<Outcome> {
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let start = Arc::new(tokio::sync::Barrier::new(tasks + 1));
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let (phase, start, client) = (Arc::clone(&phase), Arc::clone(&start), client.clone());
        handles.push(tokio::spawn(async move {
            let mut samples = Samples::with_capacity(1 << 16);
            start.wait().await;
            while phase.load(Ordering::Relaxed) != STOP {
                let t = Instant::now();
                if let Err(e) = client.get().await {
                    phase.store(STOP, Ordering::Relaxed);
                    return Err(e);
                }
                keep(&phase, &mut samples, t);
            }
            Ok(samples)
        }));
    }
    start.wait().await;
    tokio::time::sleep(window.warmup).await;
    let u0 = Usage::now();
    phase.store(MEASURE, Ordering::Relaxed);
    let t0 = Instant::now();
    tokio::time::sleep(window.seconds).await;
    phase.store(STOP, Ordering::Relaxed);
    let elapsed = t0.elapsed();
    let u1 = Usage::now();
    let mut samples = Samples::default();
    for h in handles {
        samples.append(h.await??);
    }
    Ok(Outcome {
        elapsed,
        samples,
        usage: (u0, u1),
    })
}
