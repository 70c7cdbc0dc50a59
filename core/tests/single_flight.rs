//! One fetch in flight per client: many cold callers cause exactly one exchange and share its
//! token, and a failed fetch is shared too (no convoy of retries). Async and blocking.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{builder, client_of, is_fetch_failed, is_fetched, FACT_SHEETS};
use leanix::{ErrorKind, Event, ManualClock, RetryTarget};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

/// Keeps every exchange in flight long enough for all callers to pile up on it.
const SLOW_TOKEN: Duration = Duration::from_millis(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_cold_callers_cause_one_exchange() {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::Token, Fault::Latency(SLOW_TOKEN), 1);
    let (sb, _, client, events) = client_of(sb);

    let start = Arc::new(tokio::sync::Barrier::new(200));
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let client = client.clone();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                let resp = client.get(FACT_SHEETS).await?;
                let token = client.access_token().await?;
                Ok::<_, leanix::Error>((resp.status(), token.fingerprint()))
            })
        })
        .collect();
    let mut fingerprints = Vec::new();
    for t in tasks {
        let (status, fp) = t.await.unwrap().unwrap();
        assert_eq!(status, 200);
        fingerprints.push(fp);
    }

    let stats = sb.stats();
    assert_eq!(stats.token_exchanges, 1);
    assert_eq!(stats.token_requests, 1);
    assert_eq!(stats.requests(Endpoint::FactSheets, 200), 200);
    assert_eq!(events.count(is_fetched(false)), 1);
    let fetched = events.all().into_iter().find(is_fetched(false)).unwrap();
    let expected = common::fingerprint_of(&fetched);
    assert!(
        fingerprints.iter().all(|f| *f == expected),
        "{fingerprints:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_fetch_is_shared_by_all_its_waiters() {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::Token, Fault::Latency(SLOW_TOKEN), 1);
    sb.inject(
        Endpoint::Token,
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        1000,
    );
    let (sb, clock, client, events) = client_of(sb);

    let start = Arc::new(tokio::sync::Barrier::new(100));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                client.get(FACT_SHEETS).await
            })
        })
        .collect();
    let mut errors = Vec::new();
    for t in tasks {
        errors.push(t.await.unwrap().unwrap_err());
    }

    let stats = sb.stats();
    assert_eq!(stats.token_requests, 3, "one fetch of 3 attempts, shared");
    assert_eq!(stats.token_exchanges, 0);
    assert_eq!(
        stats.total(Endpoint::Any),
        0,
        "no API request without a token"
    );
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::Http, "{e:?}");
        assert_eq!(e.status(), Some(503));
        assert_eq!(e.message(), errors[0].message());
    }
    assert_eq!(events.count(is_fetch_failed(false)), 1);
    let token_retries = events.count(
        |e| matches!(e, Event::Retry { target: RetryTarget::Token, reason, .. } if reason == "503"),
    );
    assert_eq!(token_retries, 2);
    assert_eq!(
        clock.sleeps().len(),
        2,
        "backoff only between the 3 attempts"
    );
}

#[test]
fn sixteen_threads_share_one_blocking_client_and_one_exchange() {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::Token, Fault::Latency(SLOW_TOKEN), 1);
    let clock = ManualClock::new();
    let client = builder(sb.url(), sb.api_token(), &clock)
        .build_blocking()
        .unwrap();

    let start = Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let resp = client.get(FACT_SHEETS).unwrap();
                assert_eq!(resp.status(), 200);
                let page: serde_json::Value = resp.json().unwrap();
                assert!(page["data"].is_array(), "{page}");
                client.access_token().unwrap().fingerprint()
            })
        })
        .collect();
    let fingerprints: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(fingerprints.iter().all(|f| *f == fingerprints[0]));

    let stats = sb.stats();
    assert_eq!(stats.token_exchanges, 1);
    assert_eq!(stats.token_requests, 1);
    assert_eq!(stats.requests(Endpoint::FactSheets, 200), 16);
}
