//! Wall-clock time and the date formats the API uses.

use std::time::{SystemTime, UNIX_EPOCH};

use time::{Date, OffsetDateTime};

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01.
pub(crate) fn date(days: i64) -> String {
    // 2440588 is the Julian day number of 1970-01-01.
    let julian = i32::try_from(days + 2_440_588).unwrap_or(i32::MAX);
    Date::from_julian_day(julian).map_or_else(|_| "9999-12-31".to_owned(), |d| d.to_string())
}

/// ISO-8601 UTC timestamp with milliseconds, e.g. `2024-05-06T07:08:09.010Z`.
pub(crate) fn iso_timestamp(ms: u64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (h, m, s) = t.time().as_hms();
    format!("{}T{h:02}:{m:02}:{s:02}.{:03}Z", t.date(), t.millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(20_240), "2025-06-01");
        assert_eq!(date(17_532), "2018-01-01");
        assert_eq!(iso_timestamp(1_000_000_000_123), "2001-09-09T01:46:40.123Z");
    }
}
