//! Deadlines, cancellation and asynchronous calls: a call ends at its deadline whatever the
//! token endpoint and the API do, a fired cancel handle ends it at once, and asynchronous
//! calls share one token.
//!
//! Elapsed times are measured against the sandbox's stalls; the bounds asserted are the
//! deadline (never earlier) and the deadline plus a margin for a loaded machine.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::status;
use leanix::{Cancel, ErrorKind, Request};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

/// How late a deadline or a cancellation may take effect on a busy 2-core machine.
const MARGIN: Duration = Duration::from_millis(150);

/// Waits (at most 30 s) until `n` requests are held by a stall fault: the sandbox's gauge says
/// when a request has arrived, so no test sleeps on a guess.
fn wait_stalled(sb: &Sandbox, n: u64) {
    let until = Instant::now() + Duration::from_secs(30);
    while sb.stats().stalled < n {
        assert!(
            Instant::now() < until,
            "{n} requests never reached the stall"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn blocking(sb: &Sandbox) -> leanix::blocking::Client {
    leanix::Client::builder()
        .host(sb.url())
        .api_token(sb.api_token())
        .allow_insecure_loopback(true)
        .retry_base_delay(Duration::from_millis(50))
        .build_blocking()
        .unwrap()
}

#[test]
fn a_call_ends_at_its_deadline_through_stalls_failures_and_retry_after() {
    let sb = Sandbox::start().unwrap();
    let client = blocking(&sb);
    // The exchange stalls, the API fails with a Retry-After and again, then stalls for long.
    sb.inject(Endpoint::Token, Fault::Stall(Duration::from_millis(300)), 1);
    sb.inject(Endpoint::FactSheets, status(503, Some("0")), 1);
    sb.inject(Endpoint::FactSheets, status(502, None), 1);
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(20)),
        1,
    );
    let deadline = Duration::from_secs(1);
    let started = Instant::now();
    let err = client
        .send(Request::get(common::FACT_SHEETS).timeout(deadline))
        .unwrap_err();
    let took = started.elapsed();
    eprintln!("returned after {took:?} for a deadline of {deadline:?}");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.message().contains("deadline of 1000 ms"), "{err}");
    assert!(took >= deadline && took < deadline + MARGIN, "{took:?}");
}

#[test]
fn a_retry_after_past_the_deadline_returns_the_answer_at_once() {
    let sb = Sandbox::start().unwrap();
    let client = blocking(&sb);
    client.access_token().unwrap();
    sb.inject(Endpoint::FactSheets, status(429, Some("5")), 1);
    let started = Instant::now();
    let err = client
        .send(Request::get(common::FACT_SHEETS).timeout(Duration::from_secs(2)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
    assert!(started.elapsed() < MARGIN, "{:?}", started.elapsed());
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 429), 1);
}

#[test]
fn a_cancel_from_another_thread_ends_the_call_at_once() {
    let sb = Arc::new(Sandbox::start().unwrap());
    let client = blocking(&sb);
    client.access_token().unwrap();
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(20)),
        1,
    );
    let cancel = Cancel::new();
    let (fired_tx, fired_rx) = mpsc::channel();
    let firing = cancel.clone();
    let stalls = Arc::clone(&sb);
    let firer = std::thread::spawn(move || {
        wait_stalled(&stalls, 1); // the request is at the server, held
        let at = Instant::now();
        firing.fire();
        fired_tx.send(at).unwrap();
    });
    let err = client
        .send(Request::get(common::FACT_SHEETS).cancel_on(&cancel))
        .unwrap_err();
    let returned = Instant::now();
    firer.join().unwrap();
    let fired = fired_rx.recv().unwrap();
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    let lag = returned.saturating_duration_since(fired);
    eprintln!("returned {lag:?} after the cancel fired");
    assert!(lag < Duration::from_millis(50) + MARGIN, "{lag:?}");
    // A fired handle ends later calls at once, before any request.
    let before = sb.stats();
    let err = client
        .send(Request::get(common::FACT_SHEETS).cancel_on(&cancel))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(
        sb.stats().requests(Endpoint::FactSheets, 200),
        before.requests(Endpoint::FactSheets, 200)
    );
}

#[test]
fn a_thousand_asynchronous_calls_share_one_exchange() {
    let sb = Sandbox::start().unwrap();
    let client = blocking(&sb);
    let (tx, rx) = mpsc::channel();
    for _ in 0..1000 {
        let tx = tx.clone();
        client
            .send_async(Request::get(common::FACT_SHEETS), move |result| {
                tx.send(result.map(|r| r.status())).unwrap();
            })
            .unwrap();
    }
    drop(tx);
    let results: Vec<_> = rx.iter().collect();
    assert_eq!(results.len(), 1000);
    assert!(
        results.iter().all(|r| matches!(r, Ok(200))),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[test]
fn closing_a_client_completes_every_asynchronous_call_once_with_cancelled() {
    let sb = Sandbox::start().unwrap();
    let client = blocking(&sb);
    client.access_token().unwrap();
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(20)),
        50,
    );
    let completions = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    for _ in 0..50 {
        let tx = tx.clone();
        let completions = Arc::clone(&completions);
        client
            .send_async(Request::get(common::FACT_SHEETS), move |result| {
                completions.fetch_add(1, Ordering::SeqCst);
                tx.send(result.map(|_| ()).map_err(|e| e.kind())).unwrap();
            })
            .unwrap();
    }
    drop(tx);
    wait_stalled(&sb, 50); // every call is at the server, held
    client.close();
    let results: Vec<_> = rx.iter().collect();
    assert_eq!(results.len(), 50);
    assert!(
        results.iter().all(|r| *r == Err(ErrorKind::Cancelled)),
        "{results:?}"
    );
    assert_eq!(completions.load(Ordering::SeqCst), 50);
    // A closed client refuses to start more, without calling back.
    let err = client
        .send_async(Request::get(common::FACT_SHEETS), |_| {
            panic!("never called")
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
}

#[test]
fn a_blocking_call_from_a_callback_is_refused_instead_of_hanging() {
    let sb = Sandbox::start().unwrap();
    let client = blocking(&sb);
    let inner = client.clone();
    let (tx, rx) = mpsc::channel();
    client
        .send_async(Request::get(common::FACT_SHEETS), move |_| {
            tx.send(
                inner
                    .get(common::FACT_SHEETS)
                    .map(|_| ())
                    .map_err(|e| e.kind()),
            )
            .unwrap();
        })
        .unwrap();
    let result = rx.recv_timeout(common::EVENT_WAIT).expect("no hang");
    assert_eq!(result, Err(ErrorKind::RecursiveCall));
}
