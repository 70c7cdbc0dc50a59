//! Refresh ahead of expiry (nobody waits), the hard margin (everybody waits for a new token),
//! and a failed background refresh (the valid token stays, the next try waits 30 s). Time is a
//! `ManualClock`; the sandbox checks real time, so the tokens stay valid on its side.

mod common;

use std::time::Duration;

use common::{
    concurrent_gets, configured_client, configured_client_of, fingerprint_of, first_token,
    is_fetch_failed, is_fetched, sandbox_client, secs, status, FACT_SHEETS,
};
use leanix::{ErrorKind, Event};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

const LIFETIME: f64 = 3599.0;

fn fetched_lifetime(e: &Event) -> Duration {
    match e {
        Event::TokenFetched { lifetime, .. } => *lifetime,
        other => panic!("not TokenFetched: {other:?}"),
    }
}

/// Past the (jittered, at most 80 %) refresh point, many concurrent requests go on with the old
/// token and exactly one background exchange replaces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_ahead_starts_one_background_exchange() {
    let (sb, clock, client, mut events) = sandbox_client();

    client.get(FACT_SHEETS).await.unwrap();
    let first = events.wait_for(is_fetched(false)).await;
    assert_eq!(fetched_lifetime(&first), secs(LIFETIME));
    let old = fingerprint_of(&first);

    // Before the earliest refresh point (70 %): nothing happens.
    clock.advance(secs(LIFETIME * 0.69));
    for _ in 0..5 {
        client.get(FACT_SHEETS).await.unwrap();
    }
    assert_eq!(sb.stats().token_requests, 1);

    clock.advance(secs(LIFETIME * 0.12)); // 81 %: past any jittered refresh point.
    for call in concurrent_gets(&client, 20).await {
        assert_eq!(call.unwrap().status(), 200);
    }
    let refreshed = events.wait_for(is_fetched(true)).await;
    let new = fingerprint_of(&refreshed);
    assert_ne!(new, old);
    assert_eq!(client.access_token().await.unwrap().fingerprint(), new);
    for _ in 0..5 {
        client.get(FACT_SHEETS).await.unwrap();
    }
    let stats = sb.stats();
    assert_eq!(stats.token_exchanges, 2, "exactly one background exchange");
    assert_eq!(stats.token_requests, 2);
    assert_eq!(
        events.count(is_fetched(false)),
        1,
        "nobody fetched in the foreground"
    );
}

/// No request waits for the refresh: the background exchange is stalled far longer than the
/// requests are allowed to take; they complete with the old token, and the refresh lands later
/// (its first attempt times out, the second succeeds).
#[tokio::test]
async fn no_request_waits_for_a_stalled_background_refresh() {
    let (sb, clock, client, mut events) =
        configured_client(|b| b.token_timeout(Duration::from_secs(4)));
    let old = first_token(&client, &mut events).await;

    sb.inject(Endpoint::Token, Fault::Stall(Duration::from_secs(60)), 1);
    clock.advance(secs(LIFETIME * 0.81));
    let burst = async {
        for _ in 0..10 {
            assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
            assert_eq!(client.access_token().await.unwrap().fingerprint(), old);
        }
    };
    tokio::time::timeout(Duration::from_secs(3), burst)
        .await
        .expect("requests waited for the stalled refresh");
    assert!(!events.queued(is_fetched(true)));

    let refreshed = events.wait_for(is_fetched(true)).await;
    assert!(
        matches!(refreshed, Event::TokenFetched { attempts: 2, .. }),
        "{refreshed:?}"
    );
    let new = fingerprint_of(&refreshed);
    assert_ne!(new, old);
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(client.access_token().await.unwrap().fingerprint(), new);
    assert_eq!(events.count(is_fetched(false)), 1);
}

/// With refresh ahead off, a token is used up to `lifetime − min(60 s, 10 %)` and not a second
/// longer: the next request waits for a new one.
#[tokio::test]
async fn the_hard_margin_is_sixty_seconds_for_a_long_lifetime() {
    let (sb, clock, client, mut events) = configured_client(|b| b.refresh_on_expiry_only());
    let old = first_token(&client, &mut events).await;

    clock.advance(secs(LIFETIME - 60.0 - 1.0));
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(client.access_token().await.unwrap().fingerprint(), old);
    assert_eq!(
        sb.stats().token_exchanges,
        1,
        "no refresh before the margin"
    );

    clock.advance(secs(2.0)); // lifetime − 60 s + 1 s
    client.get(FACT_SHEETS).await.unwrap();
    let new = fingerprint_of(&events.wait_for(is_fetched(false)).await);
    assert_ne!(new, old);
    assert_eq!(client.access_token().await.unwrap().fingerprint(), new);
    assert_eq!(sb.stats().token_exchanges, 2);
    assert_eq!(events.count(is_fetched(true)), 0);
}

/// With refresh ahead on, a token past its margin is not used either: skipping the whole
/// refresh window makes the request wait for a foreground exchange.
#[tokio::test]
async fn past_the_margin_even_refresh_ahead_waits() {
    let (sb, clock, client, mut events) = sandbox_client();
    let old = first_token(&client, &mut events).await;
    clock.advance(secs(LIFETIME - 59.0));
    client.get(FACT_SHEETS).await.unwrap();
    let new = fingerprint_of(&events.wait_for(is_fetched(false)).await);
    assert_ne!(new, old);
    assert_eq!(events.count(is_fetched(true)), 0);
    assert_eq!(sb.stats().token_exchanges, 2);
}

/// A 10 s lifetime has a 1 s margin (10 %), not 60 s.
#[tokio::test]
async fn the_hard_margin_is_ten_percent_for_a_short_lifetime() {
    let sb = Sandbox::start().unwrap();
    sb.set_token_lifetime(Duration::from_secs(10));
    let (sb, clock, client, mut events) = configured_client_of(sb, |b| b.refresh_on_expiry_only());
    client.get(FACT_SHEETS).await.unwrap();
    let first = events.wait_for(is_fetched(false)).await;
    assert_eq!(fetched_lifetime(&first), secs(10.0));
    let old = fingerprint_of(&first);

    clock.advance(secs(8.9));
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(sb.stats().token_exchanges, 1);
    assert_eq!(client.access_token().await.unwrap().fingerprint(), old);

    clock.advance(secs(0.2)); // 9.1 s: inside the last second
    client.get(FACT_SHEETS).await.unwrap();
    let new = fingerprint_of(&events.wait_for(is_fetched(false)).await);
    assert_ne!(new, old);
    assert_eq!(sb.stats().token_exchanges, 2);
}

/// A failed background refresh keeps the valid token, and the next background try comes no
/// sooner than 30 s later.
#[tokio::test]
async fn a_failed_background_refresh_keeps_the_token_and_backs_off_30s() {
    let (sb, clock, client, mut events) = sandbox_client();
    let old = first_token(&client, &mut events).await;

    sb.inject(Endpoint::Token, status(503, None), 3);
    clock.advance(secs(LIFETIME * 0.81));
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    let failed = events.wait_for(is_fetch_failed(true)).await;
    assert!(
        matches!(
            failed,
            Event::TokenFetchFailed {
                kind: ErrorKind::Http,
                ..
            }
        ),
        "{failed:?}"
    );
    assert_eq!(sb.stats().token_requests, 4, "1 + 3 attempts");

    // The backoff runs from the failure (after the retry sleeps of the failed fetch).
    clock.advance(secs(29.0));
    for _ in 0..5 {
        assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
        assert_eq!(client.access_token().await.unwrap().fingerprint(), old);
    }
    assert_eq!(sb.stats().token_requests, 4, "no new try within 30 s");
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 7);

    clock.advance(secs(1.0));
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    let new = fingerprint_of(&events.wait_for(is_fetched(true)).await);
    assert_ne!(new, old);
    assert_eq!(sb.stats().token_requests, 5);
    assert_eq!(client.access_token().await.unwrap().fingerprint(), new);
}
