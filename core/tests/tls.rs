//! TLS: a server whose certificate chains to an unknown CA is refused (`Tls`, not retried), and
//! trusted once its CA is added.

mod common;

use common::FACT_SHEETS;
use leanix::{Client, ErrorKind, ManualClock};
use leanix_sandbox::Sandbox;

fn tls_sandbox() -> Sandbox {
    Sandbox::builder().tls(true).start().unwrap()
}

#[tokio::test]
async fn an_unknown_ca_is_a_tls_error() {
    let sb = tls_sandbox();
    assert!(sb.url().starts_with("https://"), "{}", sb.url());
    let clock = ManualClock::new();
    let client = Client::builder()
        .host(sb.url())
        .api_token(sb.api_token())
        .clock(clock.clone())
        .build()
        .unwrap();
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err:?}");
    assert!(clock.sleeps().is_empty(), "a TLS failure is not retried");
    assert_eq!(sb.stats().token_requests, 0, "no HTTP request got through");
}

#[tokio::test]
async fn the_sandbox_ca_makes_it_work() {
    let sb = tls_sandbox();
    let ca = sb.ca_pem().expect("a TLS sandbox has a CA");
    let client = Client::builder()
        .host(sb.url())
        .api_token(sb.api_token())
        .add_ca_pem(ca)
        .build()
        .unwrap();
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[test]
fn the_blocking_client_trusts_the_added_ca_too() {
    let sb = tls_sandbox();
    let client = Client::builder()
        .host(sb.url())
        .api_token(sb.api_token())
        .add_ca_pem(sb.ca_pem().unwrap())
        .build_blocking()
        .unwrap();
    assert_eq!(client.get(FACT_SHEETS).unwrap().status(), 200);
}
