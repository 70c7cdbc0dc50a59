//! One fetch in flight per client: many cold callers cause exactly one exchange and share its
//! token, and a failed fetch is shared too (no convoy of retries). Async and blocking.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use common::{builder, client_of, is_fetch_failed, is_fetched, status, FACT_SHEETS};
use leanix::{ErrorKind, Event, ManualClock, RetryTarget};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

/// Keeps every exchange in flight long enough for all callers to pile up on it.
const SLOW_TOKEN: Duration = Duration::from_millis(300);

/// A default sandbox whose first token request is slowed by [`SLOW_TOKEN`].
fn slow_token_sandbox() -> Sandbox {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::Token, Fault::Latency(SLOW_TOKEN), 1);
    sb
}

/// Runs `call` on `n` tasks, each with a clone of `client`, released together by a barrier,
/// and returns their results in the order the tasks were started.
async fn all_at_once<T, F, Fut>(client: &leanix::Client, n: usize, call: F) -> Vec<T>
where
    F: Fn(leanix::Client) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let start = Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let call = call(client.clone());
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                call.await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(n);
    for t in tasks {
        results.push(t.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_cold_callers_cause_one_exchange() {
    let (sb, _, client, events) = client_of(slow_token_sandbox());

    let results = all_at_once(&client, 200, |client| async move {
        let resp = client.get(FACT_SHEETS).await?;
        let token = client.access_token().await?;
        Ok::<_, leanix::Error>((resp.status(), token.fingerprint()))
    })
    .await;
    let mut fingerprints = Vec::new();
    for result in results {
        let (status, fp) = result.unwrap();
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
    let sb = slow_token_sandbox();
    sb.inject(Endpoint::Token, status(503, None), 1000);
    let (sb, clock, client, events) = client_of(sb);

    let errors: Vec<_> = all_at_once(&client, 100, |client| async move {
        client.get(FACT_SHEETS).await
    })
    .await
    .into_iter()
    .map(Result::unwrap_err)
    .collect();

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
    let sb = slow_token_sandbox();
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
