//! What goes on the wire, byte for byte, seen by a scripted loopback server of our own: the
//! Basic header and form body of the exchange, the Bearer header of API calls, which token each
//! request carries while a refresh is in flight, and the token a 401 replay carries.

mod common;

use std::time::Duration;

use common::{builder, is_fetched, Events, Reply, TestServer, FACT_SHEETS};
use leanix::{Client, ErrorKind, ManualClock, Response};
use tokio::task::JoinHandle;

/// An API token with every character that URL-encoding would change.
const TRICKY_TOKEN: &str = "ab+/=%20cd";
/// `base64("apitoken:ab+/=%20cd")`, computed outside the crate (coreutils `base64`).
const TRICKY_BASIC: &str = "Basic YXBpdG9rZW46YWIrLz0lMjBjZA==";

/// Asserts that the API requests so far carried the tokens of `tokens`, one each and in order:
/// exactly one `Authorization` header per request, the `Bearer` of its token.
#[track_caller]
fn assert_bearers(server: &TestServer, tokens: &[&str]) {
    let seen: Vec<Vec<String>> = server
        .api_requests()
        .iter()
        .map(|r| r.all("authorization"))
        .collect();
    let expected: Vec<Vec<String>> = tokens.iter().map(|t| vec![format!("Bearer {t}")]).collect();
    assert_eq!(seen, expected);
}

/// Asserts that `server` answered exactly `exchanges` token requests; `why` says what that count
/// shows.
fn assert_exchanges(server: &TestServer, exchanges: usize, why: &str) {
    assert_eq!(server.token_requests().len(), exchanges, "{why}");
}

/// A GET of [`FACT_SHEETS`] on a task of its own, with a clone of `client`.
fn spawn_get(client: &Client) -> JoinHandle<Result<Response, leanix::Error>> {
    let client = client.clone();
    tokio::spawn(async move { client.get(FACT_SHEETS).await })
}

#[tokio::test]
async fn exchange_and_api_call_headers_are_exact() {
    let server = TestServer::start();
    let clock = ManualClock::new();
    let client = builder(server.url(), TRICKY_TOKEN, &clock).build().unwrap();

    let resp = client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(resp.status(), 200);

    let tokens = server.token_requests();
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(t.method, "POST");
    assert_eq!(t.all("authorization"), vec![TRICKY_BASIC.to_owned()]);
    assert_eq!(
        t.all("authorization"),
        vec![format!("Basic {}", common::basic_value(TRICKY_TOKEN))]
    );
    assert_eq!(
        t.all("content-type"),
        vec!["application/x-www-form-urlencoded".to_owned()]
    );
    assert_eq!(t.body, b"grant_type=client_credentials");

    let api = server.api_requests();
    assert_eq!(api[0].method, "GET");
    assert_eq!(api[0].path, "/services/pathfinder/v1/factSheets");
    assert_bearers(&server, &["tok-1"]);
}

/// While a background refresh is held at the server, requests go on with the old token and
/// complete; once it lands, requests carry the new one. Exactly one extra exchange.
#[tokio::test]
async fn requests_carry_the_old_token_while_a_refresh_is_in_flight() {
    let server = TestServer::start();
    server.set_lifetime(100);
    let clock = ManualClock::new();
    let (handler, mut events) = Events::new();
    let client = builder(server.url(), "api-token", &clock)
        .refresh_jitter(0.0)
        .on_event(handler)
        .build()
        .unwrap();

    client.get(FACT_SHEETS).await.unwrap();
    let first = common::fingerprint_of(&events.wait_for(is_fetched(false)).await);

    // 75 s is the refresh point, 90 s the hard margin (10 % of 100 s).
    clock.advance(Duration::from_secs(80));
    server.open_token_endpoint(false);
    for _ in 0..5 {
        let r = tokio::time::timeout(Duration::from_secs(10), client.get(FACT_SHEETS))
            .await
            .expect("a request waited for the background refresh");
        assert_eq!(r.unwrap().status(), 200);
    }
    assert_eq!(
        client.access_token().await.unwrap().expose_secret(),
        "tok-1"
    );
    assert!(
        !events.queued(is_fetched(true)),
        "the refresh finished although the server holds it"
    );
    assert_bearers(&server, &["tok-1"; 6]);

    server.open_token_endpoint(true);
    let second = common::fingerprint_of(&events.wait_for(is_fetched(true)).await);
    assert_ne!(first, second);

    client.get(FACT_SHEETS).await.unwrap();
    let mut carried = ["tok-1"; 7];
    carried[6] = "tok-2";
    assert_bearers(&server, &carried);
    assert_exchanges(&server, 2, "exactly one background exchange");
}

/// A 401 drops the token, a new one is exchanged, and the replay carries the new token.
#[tokio::test]
async fn the_401_replay_carries_the_new_token() {
    let server = TestServer::start();
    let clock = ManualClock::new();
    let client = builder(server.url(), "api-token", &clock).build().unwrap();
    client.get(FACT_SHEETS).await.unwrap();

    server.script_api(Reply::new(401, r#"{"status":"ERROR"}"#));
    let resp = client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_bearers(&server, &["tok-1", "tok-1", "tok-2"]);
    assert_exchanges(&server, 2, "the 401 dropped the token: one new exchange");
    assert!(clock.sleeps().is_empty(), "a 401 replay does not back off");
}

/// The token endpoint never follows a redirect, wherever it points.
#[tokio::test]
async fn the_token_request_is_never_redirected() {
    let server = TestServer::start();
    let elsewhere = TestServer::start();
    server.script_token(
        Reply::new(302, "").header("location", &format!("{}/steal", elsewhere.url())),
    );
    let err = server.client(|b| b).get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err:?}");
    assert_eq!(err.status(), Some(302));
    assert!(elsewhere.requests().is_empty());
    assert_exchanges(&server, 1, "a redirect is not retried");
}

/// A token past its hard margin while a background refresh is still in flight: the request joins
/// that refresh (no second exchange) and goes out with the new token, never the expired one.
#[tokio::test]
async fn past_the_margin_a_request_joins_the_refresh_in_flight() {
    let server = TestServer::start();
    server.set_lifetime(100);
    let clock = ManualClock::new();
    let client = builder(server.url(), "api-token", &clock)
        .refresh_jitter(0.0)
        .build()
        .unwrap();
    client.get(FACT_SHEETS).await.unwrap();

    server.open_token_endpoint(false);
    clock.advance(Duration::from_secs(80));
    client.get(FACT_SHEETS).await.unwrap(); // starts the background refresh, held
    server.token_requests_arrived(2).await;

    clock.advance(Duration::from_secs(15)); // 95 s: past the 90 s margin
    let waiting = spawn_get(&client);
    tokio::task::yield_now().await; // let it reach the shared fetch
    server.open_token_endpoint(true);
    assert_eq!(waiting.await.unwrap().unwrap().status(), 200);

    assert_bearers(&server, &["tok-1", "tok-1", "tok-2"]);
    assert_exchanges(&server, 2, "no second exchange");
}

/// The fetch is detached from its caller: a caller that gives up does not cancel it, and the
/// next caller joins it instead of starting another.
#[tokio::test]
async fn a_cancelled_caller_does_not_cancel_the_shared_fetch() {
    let server = TestServer::start();
    let clock = ManualClock::new();
    let (handler, mut events) = Events::new();
    let client = builder(server.url(), "api-token", &clock)
        .on_event(handler)
        .build()
        .unwrap();

    server.open_token_endpoint(false);
    let first = spawn_get(&client);
    server.token_requests_arrived(1).await;
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());

    let second = spawn_get(&client);
    tokio::task::yield_now().await;
    server.open_token_endpoint(true);
    assert_eq!(second.await.unwrap().unwrap().status(), 200);
    events.wait_for(is_fetched(false)).await;
    assert_exchanges(&server, 1, "the second caller joined the first fetch");
    assert_bearers(&server, &["tok-1"]);
}
