//! API requests: 401 replay once, 403 without refresh, 429 and `Retry-After`, what is retried
//! and what is not, cross-origin redirects, and request timeouts.

mod common;

use std::time::{Duration, Instant};

use common::{
    builder, configured_client, fingerprint_of, is_fetched, sandbox_client, status, SandboxClient,
    FACT_SHEETS,
};
use leanix::{Clock, ErrorKind, Event, ManualClock, Request, RetryTarget};
use leanix_sandbox::{Endpoint, Fault, Sandbox, Stats};

const CREATE_PATH: &str = "/services/pathfinder/v1/factSheets";

fn create_request() -> Request {
    Request::post(CREATE_PATH).json(&serde_json::json!({"name": "Test App", "type": "Application"}))
}

/// A default sandbox and client, after one call (the client holds a token).
async fn warm_client() -> SandboxClient {
    let (sb, clock, client, events) = sandbox_client();
    client.get(FACT_SHEETS).await.unwrap();
    (sb, clock, client, events)
}

/// The sandbox's counters now, then `fault` on the next `times` fact sheet requests.
fn before_fault(sb: &Sandbox, fault: Fault, times: u32) -> Stats {
    let before = sb.stats();
    sb.inject(Endpoint::FactSheets, fault, times);
    before
}

/// Requests to the fact sheet endpoints since `before`.
fn fact_sheet_requests(before: &Stats, sb: &Sandbox) -> u64 {
    sb.stats().total(Endpoint::FactSheets) - before.total(Endpoint::FactSheets)
}

#[tokio::test]
async fn revoked_access_token_is_replaced_and_the_request_replayed() {
    let (sb, clock, client, mut events) = warm_client().await;
    let old = fingerprint_of(&events.wait_for(is_fetched(false)).await);

    sb.revoke_access_tokens();
    let resp = client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(resp.status(), 200);
    let stats = sb.stats();
    assert_eq!(stats.token_exchanges, 2);
    assert_eq!(stats.requests(Endpoint::FactSheets, 401), 1);
    assert_eq!(stats.requests(Endpoint::FactSheets, 200), 2);
    let rejected: Vec<_> = events
        .all()
        .into_iter()
        .filter(|e| matches!(e, Event::TokenRejected { .. }))
        .collect();
    assert_eq!(
        rejected,
        vec![Event::TokenRejected {
            fingerprint: old.clone()
        }]
    );
    let new = client.access_token().await.unwrap().fingerprint();
    assert_ne!(new, old);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn a_second_401_is_unauthorized_after_exactly_one_replay() {
    let (sb, _, client, _) = warm_client().await;
    let before = before_fault(&sb, status(401, None), 2);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err:?}");
    assert_eq!(err.status(), Some(401));
    assert_eq!(fact_sheet_requests(&before, &sb), 2);
    assert_eq!(sb.stats().token_exchanges, before.token_exchanges + 1);
    // The fault is used up: the next request works with the token fetched for the replay.
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(sb.stats().token_exchanges, before.token_exchanges + 1);
}

#[tokio::test]
async fn forbidden_does_not_refresh_the_token() {
    let sb = Sandbox::start().unwrap();
    let clock = ManualClock::new();
    let client = builder(sb.url(), sb.viewer_api_token(), &clock)
        .build()
        .unwrap();
    assert_eq!(
        client.get(FACT_SHEETS).await.unwrap().status(),
        200,
        "viewers may read"
    );
    let before = sb.stats();

    let err = client.send(create_request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err:?}");
    assert_eq!(err.status(), Some(403));
    assert!(
        err.body().is_some_and(|b| b.contains("VIEWER")),
        "{:?}",
        err.body()
    );
    assert_eq!(fact_sheet_requests(&before, &sb), 1);
    assert_eq!(sb.stats().token_exchanges, 1);
    assert_eq!(sb.stats().token_requests, 1);
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured_exactly() {
    let (sb, clock, client, _) = warm_client().await;
    let before = before_fault(&sb, status(429, Some("2")), 1);
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
    assert_eq!(fact_sheet_requests(&before, &sb), 2);
}

#[tokio::test]
async fn retry_after_above_the_cap_is_rate_limited_at_once() {
    let (sb, clock, client, _) = warm_client().await;
    let before = before_fault(&sb, status(429, Some("3600")), 1);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err:?}");
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(err.is_transient());
    assert_eq!(fact_sheet_requests(&before, &sb), 1);
    assert!(clock.sleeps().is_empty());

    // A lower cap of the client's own turns a 2 s wait into an error too.
    let strict = builder(sb.url(), sb.api_token(), &clock)
        .max_retry_after(Duration::from_secs(1))
        .build()
        .unwrap();
    sb.inject(Endpoint::FactSheets, status(429, Some("2")), 1);
    let err = strict.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn retry_after_as_an_http_date() {
    let sb = Sandbox::start().unwrap();
    let clock = ManualClock::new();
    // Without pacing, whose waits after the 429 (rate_budget.rs) would add sleeps of their own.
    let client = builder(sb.url(), sb.api_token(), &clock)
        .adaptive_pacing(false)
        .build()
        .unwrap();
    client.get(FACT_SHEETS).await.unwrap();

    let in_10s = httpdate::fmt_http_date(clock.wall() + Duration::from_secs(10));
    sb.inject(Endpoint::FactSheets, status(429, Some(&in_10s)), 1);
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1);
    // HTTP dates have whole seconds: the wait is in (9 s, 10 s].
    assert!(
        sleeps[0] > Duration::from_secs(9) && sleeps[0] <= Duration::from_secs(10),
        "{sleeps:?}"
    );

    let in_an_hour = httpdate::fmt_http_date(clock.wall() + Duration::from_secs(3600));
    sb.inject(Endpoint::FactSheets, status(429, Some(&in_an_hour)), 1);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    let wait = err.retry_after().unwrap();
    assert!(
        wait > Duration::from_secs(3598) && wait <= Duration::from_secs(3600),
        "{wait:?}"
    );
    assert_eq!(clock.sleeps().len(), 1, "no sleep for the refused wait");
}

#[tokio::test]
async fn a_post_is_not_retried_unless_marked_safe() {
    let (sb, clock, client, _) = warm_client().await;

    let before = before_fault(&sb, status(503, None), 1);
    let err = client.send(create_request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Http, "{err:?}");
    assert_eq!(err.status(), Some(503));
    assert_eq!(fact_sheet_requests(&before, &sb), 1);
    assert!(clock.sleeps().is_empty());

    let before = before_fault(&sb, status(503, None), 1);
    let resp = client
        .send(create_request().retry_safe(true))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let created: serde_json::Value = resp.json().unwrap();
    assert_eq!(created["data"]["name"], "Test App");
    assert_eq!(fact_sheet_requests(&before, &sb), 2);
    assert_eq!(clock.sleeps().len(), 1);

    // A POST whose connection drops after it was sent is not retried either.
    let before = before_fault(&sb, Fault::DropConnection, 1);
    let err = client.send(create_request()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    assert_eq!(fact_sheet_requests(&before, &sb), 1);
}

#[tokio::test]
async fn a_get_is_retried_on_502_503_504_429_and_dropped_connections() {
    let (sb, clock, client, events) = warm_client().await;

    let faults = [
        (status(502, None), "502"),
        (status(503, None), "503"),
        (status(504, None), "504"),
        (status(429, None), "429"),
        (Fault::DropConnection, "connect"),
    ];
    for (i, (fault, reason)) in faults.into_iter().enumerate() {
        let before = before_fault(&sb, fault, 1);
        assert_eq!(
            client.get(FACT_SHEETS).await.unwrap().status(),
            200,
            "{reason}"
        );
        assert_eq!(fact_sheet_requests(&before, &sb), 2, "{reason}");
        assert_eq!(clock.sleeps().len(), i + 1, "{reason}");
        let last_retry = events
            .all()
            .into_iter()
            .rev()
            .find(|e| matches!(e, Event::Retry { .. }))
            .unwrap();
        match last_retry {
            Event::Retry {
                target,
                attempt,
                delay,
                reason: why,
            } => {
                assert_eq!(
                    (target, attempt, why.as_str()),
                    (RetryTarget::Api, 1, reason)
                );
                assert_eq!(Some(&delay), clock.sleeps().last());
                assert!(delay <= Duration::from_millis(200), "first backoff window");
            }
            _ => unreachable!(),
        }
    }
    assert_eq!(sb.stats().token_exchanges, 1);

    // Three attempts, then the last error.
    let before = before_fault(&sb, status(503, None), 3);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(503)));
    assert!(err.is_transient());
    assert_eq!(fact_sheet_requests(&before, &sb), 3);

    // 500 is transient too (the one rule of leanix::policy, shared with the token endpoint).
    let before = before_fault(&sb, status(500, None), 1);
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    assert_eq!(fact_sheet_requests(&before, &sb), 2);

    // Other statuses are not retried.
    for code in [400, 404, 501] {
        let before = before_fault(&sb, status(code, None), 1);
        let err = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(code)));
        assert_eq!(fact_sheet_requests(&before, &sb), 1, "{code}");
    }
}

#[tokio::test]
async fn a_cross_origin_redirect_is_refused_and_carries_no_credential() {
    let (sb, clock, client, _) = warm_client().await;
    let before = before_fault(&sb, Fault::RedirectForeign, 1);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect, "{err:?}");
    assert!(err.status().is_some_and(|s| (300..400).contains(&s)));
    let stats = sb.stats();
    assert_eq!(stats.foreign_requests_with_authorization, 0);
    assert_eq!(stats.foreign_requests, 0);
    assert_eq!(
        fact_sheet_requests(&before, &sb),
        1,
        "a redirect is not retried"
    );

    // The token endpoint is never redirected either.
    let fresh = builder(sb.url(), sb.api_token(), &clock).build().unwrap();
    sb.inject(Endpoint::Token, Fault::RedirectForeign, 1);
    let err = fresh.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err:?}");
    assert_eq!(sb.stats().foreign_requests, 0);
}

#[tokio::test]
async fn a_stalled_request_times_out_promptly() {
    let (sb, clock, client, _) =
        configured_client(|b| b.request_timeout(Duration::from_millis(300)));
    client.get(FACT_SHEETS).await.unwrap();

    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(60)),
        1,
    );
    let started = Instant::now();
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "hang guard");
    assert!(
        clock.sleeps().is_empty(),
        "a timed-out request is not retried"
    );
    // A per-request timeout overrides the client's.
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(1)),
        1,
    );
    let slow_ok = Request::get(FACT_SHEETS).timeout(Duration::from_secs(30));
    assert_eq!(client.send(slow_ok).await.unwrap().status(), 200);
}

/// The `Retry-After` cap applies to every retried status, not only 429: a 503 asking for an
/// hour is returned at once instead of being slept on.
#[tokio::test]
async fn a_long_retry_after_on_503_is_not_slept_on() {
    let (sb, clock, client, _) = warm_client().await;
    let before = before_fault(&sb, status(503, Some("3600")), 1);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::Http, Some(503)),
        "{err:?}"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(fact_sheet_requests(&before, &sb), 1);
    assert!(clock.sleeps().is_empty(), "slept {:?}", clock.sleeps());

    // It paused the whole client for the hour (rate_budget.rs); after it, a short one is
    // honoured exactly.
    clock.advance(Duration::from_secs(3600));
    sb.inject(Endpoint::FactSheets, status(503, Some("3")), 1);
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);
}

/// The sandbox's own per-user limiter (fixed one-minute window): the client waits the
/// `Retry-After` it is given (on the manual clock), retries, and after three attempts returns
/// `RateLimited`. Another user is not affected.
#[tokio::test]
async fn the_per_user_rate_limit_is_waited_for_then_reported() {
    let sb = Sandbox::builder()
        .rate_limit_per_minute(Some(3))
        .start()
        .unwrap();
    let clock = ManualClock::new();
    // A deadline that leaves room for two waits of up to a minute.
    let client = builder(sb.url(), sb.api_token(), &clock)
        .request_timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    }
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err:?}");
    let wait = err.retry_after().unwrap();
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(60),
        "{wait:?}"
    );
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 429), 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(
        sleeps
            .iter()
            .all(|s| *s > Duration::from_secs(50) && *s <= Duration::from_secs(60)),
        "{sleeps:?}"
    );

    let viewer = builder(sb.url(), sb.viewer_api_token(), &clock)
        .build()
        .unwrap();
    assert_eq!(viewer.get(FACT_SHEETS).await.unwrap().status(), 200);
}
