//! Time as a dependency: a monotonic clock, the wall clock and sleeping, injectable for tests.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures::future::BoxFuture;

/// The source of time for token expiry and retry delays.
///
/// The default is [`SystemClock`]. Tests inject a [`ManualClock`] to move time by hand and to see
/// every delay the client asked for, without sleeping.
pub trait Clock: Send + Sync + 'static {
    /// Monotonic now: token expiry is measured on this clock.
    fn now(&self) -> Instant;
    /// Wall-clock now: used only to read a JWT `exp` and an HTTP-date `Retry-After`.
    fn wall(&self) -> SystemTime;
    /// Waits for `duration` (retry backoff).
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock: `Instant::now`, `SystemTime::now` and `tokio::time::sleep`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: time moves only when told to, and sleeping returns at once after moving
/// time forward by the requested amount and recording it.
#[derive(Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

struct ManualState {
    start: Instant,
    wall_start: SystemTime,
    elapsed: Duration,
    /// Jumps of the wall clock alone (set by hand), in nanoseconds; negative: backwards.
    wall_jump: i128,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock that starts at the real current time and then stands still.
    pub fn new() -> Self {
        ManualClock {
            state: Arc::new(Mutex::new(ManualState {
                start: Instant::now(),
                wall_start: SystemTime::now(),
                elapsed: Duration::ZERO,
                wall_jump: 0,
                sleeps: Vec::new(),
            })),
        }
    }

    /// Moves time forward.
    pub fn advance(&self, by: Duration) {
        self.state.lock().unwrap().elapsed += by;
    }

    /// Moves the wall clock alone forward (an NTP step, a suspended laptop); the monotonic
    /// clock does not move.
    pub fn jump_wall_forward(&self, by: Duration) {
        self.state.lock().unwrap().wall_jump += by.as_nanos() as i128;
    }

    /// Moves the wall clock alone backward; the monotonic clock does not move.
    pub fn jump_wall_back(&self, by: Duration) {
        self.state.lock().unwrap().wall_jump -= by.as_nanos() as i128;
    }

    /// Every duration the client slept for, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().unwrap().sleeps.clone()
    }

    /// Time elapsed since the clock was made.
    pub fn elapsed(&self) -> Duration {
        self.state.lock().unwrap().elapsed
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("elapsed", &self.elapsed())
            .finish()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        let s = self.state.lock().unwrap();
        s.start + s.elapsed
    }
    fn wall(&self) -> SystemTime {
        let s = self.state.lock().unwrap();
        let jump = Duration::from_nanos(s.wall_jump.unsigned_abs() as u64);
        if s.wall_jump >= 0 {
            s.wall_start + s.elapsed + jump
        } else {
            s.wall_start + s.elapsed - jump
        }
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let mut s = self.state.lock().unwrap();
        s.elapsed += duration;
        s.sleeps.push(duration);
        Box::pin(futures::future::ready(()))
    }
}
