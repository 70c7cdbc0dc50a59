//! The client's defaults as C constants (`LX_DEFAULT_*`), for the header.
//!
//! cbindgen writes only literal constants, so the values are repeated here from
//! `leanix_core::policy`; the test below fails when the two differ. Bindings read the same
//! values at run time with lx_options_default().

/// Default of `connect_timeout_ms`.
pub const LX_DEFAULT_CONNECT_TIMEOUT_MS: u64 = 5_000;
/// Default of `token_timeout_ms` (one token-exchange attempt).
pub const LX_DEFAULT_TOKEN_TIMEOUT_MS: u64 = 10_000;
/// Default of `request_timeout_ms`: the deadline of a whole call.
pub const LX_DEFAULT_REQUEST_TIMEOUT_MS: u64 = 60_000;
/// Default of `max_attempts` (per API call, the first included).
pub const LX_DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default of `token_attempts` (per token exchange).
pub const LX_DEFAULT_TOKEN_ATTEMPTS: u32 = 3;
/// Default of `retry_base_delay_ms`; also the shortest wait a `Retry-After` is raised to.
pub const LX_DEFAULT_RETRY_BASE_DELAY_MS: u64 = 200;
/// Default of `retry_max_delay_ms`.
pub const LX_DEFAULT_RETRY_MAX_DELAY_MS: u64 = 5_000;
/// Default of `max_retry_after_ms`: a longer `Retry-After` ends the call at once.
pub const LX_DEFAULT_MAX_RETRY_AFTER_MS: u64 = 60_000;
/// Default of `refresh_ahead` (fraction of the token lifetime).
pub const LX_DEFAULT_REFRESH_AHEAD: f64 = 0.75;
/// Default of `expiry_margin_ms` (the hard margin is the smaller of this and 10 % of the
/// lifetime).
pub const LX_DEFAULT_EXPIRY_MARGIN_MS: u64 = 60_000;
/// Default of `failed_refresh_backoff_ms`.
pub const LX_DEFAULT_FAILED_REFRESH_BACKOFF_MS: u64 = 30_000;
/// Default of `invalid_credentials_ttl_ms`.
pub const LX_DEFAULT_INVALID_CREDENTIALS_TTL_MS: u64 = 5_000;
/// Default of `max_response_bytes` (256 MiB).
pub const LX_DEFAULT_MAX_RESPONSE_BYTES: u64 = 268_435_456;
/// Default of `reauth_interval_ms`: at most one 401-triggered exchange per interval.
pub const LX_DEFAULT_REAUTH_INTERVAL_MS: u64 = 10_000;
/// Default of `max_pages`.
pub const LX_DEFAULT_MAX_PAGES: u64 = 10_000;
/// Deadline of lx_ldif_run() when its options set none: creation, every status poll, the
/// warnings and the results.
pub const LX_DEFAULT_LDIF_RUN_TIMEOUT_MS: u64 = 1_800_000;
/// How often lx_update_fact_sheet() re-reads `rev` and writes again after a `REVISION_CLASH`.
pub const LX_DEFAULT_REVISION_CLASH_RETRIES: u32 = 3;
/// The most lx_call_options_set_revision_clash_retries() accepts.
pub const LX_MAX_REVISION_CLASH_RETRIES: u32 = 10;
/// The first wait of lx_webhooks_fetch_wait() after an empty batch; it doubles while batches
/// stay empty, up to `LX_DEFAULT_WEBHOOK_IDLE_MAX_MS`.
pub const LX_DEFAULT_WEBHOOK_IDLE_MIN_MS: u64 = 1_000;
/// The longest wait of lx_webhooks_fetch_wait() between two empty batches.
pub const LX_DEFAULT_WEBHOOK_IDLE_MAX_MS: u64 = 30_000;

#[cfg(test)]
mod tests {
    use super::*;
    use leanix_core::policy as p;

    fn ms(d: std::time::Duration) -> u64 {
        d.as_millis() as u64
    }

    #[test]
    fn header_defaults_equal_the_core_policy() {
        assert_eq!(
            LX_DEFAULT_CONNECT_TIMEOUT_MS,
            ms(p::DEFAULT_CONNECT_TIMEOUT)
        );
        assert_eq!(LX_DEFAULT_TOKEN_TIMEOUT_MS, ms(p::DEFAULT_TOKEN_TIMEOUT));
        assert_eq!(
            LX_DEFAULT_REQUEST_TIMEOUT_MS,
            ms(p::DEFAULT_REQUEST_TIMEOUT)
        );
        assert_eq!(LX_DEFAULT_MAX_ATTEMPTS, p::DEFAULT_MAX_ATTEMPTS);
        assert_eq!(LX_DEFAULT_TOKEN_ATTEMPTS, p::DEFAULT_TOKEN_ATTEMPTS);
        assert_eq!(
            LX_DEFAULT_RETRY_BASE_DELAY_MS,
            ms(p::DEFAULT_RETRY_BASE_DELAY)
        );
        assert_eq!(
            LX_DEFAULT_RETRY_MAX_DELAY_MS,
            ms(p::DEFAULT_RETRY_MAX_DELAY)
        );
        assert_eq!(
            LX_DEFAULT_MAX_RETRY_AFTER_MS,
            ms(p::DEFAULT_MAX_RETRY_AFTER)
        );
        assert_eq!(LX_DEFAULT_REFRESH_AHEAD, p::DEFAULT_REFRESH_AHEAD);
        assert_eq!(LX_DEFAULT_EXPIRY_MARGIN_MS, ms(p::DEFAULT_EXPIRY_MARGIN));
        assert_eq!(
            LX_DEFAULT_FAILED_REFRESH_BACKOFF_MS,
            ms(p::DEFAULT_FAILED_REFRESH_BACKOFF)
        );
        assert_eq!(
            LX_DEFAULT_INVALID_CREDENTIALS_TTL_MS,
            ms(p::DEFAULT_INVALID_CREDENTIALS_TTL)
        );
        assert_eq!(
            LX_DEFAULT_MAX_RESPONSE_BYTES,
            p::DEFAULT_MAX_RESPONSE_BYTES as u64
        );
        assert_eq!(LX_DEFAULT_MAX_PAGES, p::DEFAULT_MAX_PAGES as u64);
        assert_eq!(
            LX_DEFAULT_LDIF_RUN_TIMEOUT_MS,
            ms(p::DEFAULT_LDIF_RUN_TIMEOUT)
        );
        assert_eq!(
            LX_DEFAULT_REVISION_CLASH_RETRIES,
            p::DEFAULT_REVISION_CLASH_RETRIES
        );
        assert_eq!(
            LX_MAX_REVISION_CLASH_RETRIES,
            *p::REVISION_CLASH_RETRIES_RANGE.end()
        );
        assert_eq!(
            LX_DEFAULT_REAUTH_INTERVAL_MS,
            ms(p::DEFAULT_REAUTH_INTERVAL)
        );
        assert_eq!(
            LX_DEFAULT_WEBHOOK_IDLE_MIN_MS,
            ms(p::DEFAULT_WEBHOOK_IDLE_MIN)
        );
        assert_eq!(
            LX_DEFAULT_WEBHOOK_IDLE_MAX_MS,
            ms(p::DEFAULT_WEBHOOK_IDLE_MAX)
        );
    }

    #[test]
    fn the_header_has_every_default() {
        // Every `pub const LX_DEFAULT_*` of this file, with its value, is a #define of the
        // generated header (so a constant cbindgen skipped, or wrote differently, fails).
        let header = include_str!(env!("LEANIX_GENERATED_HEADER"));
        let mut seen = 0;
        for line in include_str!("defaults.rs").lines() {
            let Some(rest) = line.strip_prefix("pub const LX_DEFAULT_") else {
                continue;
            };
            let (name, value) = rest.split_once(':').expect("name: type = value");
            let value = value.split_once('=').expect("= value").1;
            let value = value.trim().trim_end_matches(';').replace('_', "");
            let define = format!("#define LX_DEFAULT_{name} {value}\n");
            assert!(header.contains(&define), "the header lacks {define:?}");
            seen += 1;
        }
        assert_eq!(seen, 19, "LX_DEFAULT_* constants in this file");
    }
}
