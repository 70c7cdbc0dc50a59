//! CPU time and context switches of this whole process (all threads), from `getrusage`: per
//! request, they are steadier than wall-clock throughput on a shared machine.

use serde_json::{json, Value};

/// A reading of the process's resource usage.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    cpu_us: f64,
    switches: u64,
}

impl Usage {
    /// Reads it now.
    pub fn now() -> Usage {
        // SAFETY: getrusage writes a plain struct that we zero-initialise first.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        if rc != 0 {
            return Usage {
                cpu_us: 0.0,
                switches: 0,
            };
        }
        let tv = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
        Usage {
            cpu_us: tv(ru.ru_utime) + tv(ru.ru_stime),
            switches: (ru.ru_nvcsw + ru.ru_nivcsw) as u64,
        }
    }

    /// CPU µs and context switches per request between `self` (earlier) and `later`.
    pub fn per_request(self, later: Usage, requests: usize) -> Value {
        let n = requests.max(1) as f64;
        json!({
            "cpu_us_per_request": ((later.cpu_us - self.cpu_us) / n * 10.0).round() / 10.0,
            "switches_per_request": ((later.switches - self.switches) as f64 / n * 100.0).round() / 100.0,
        })
    }
}
