//! Injected faults, each applying to the next N calls of an endpoint.

mod common;

use std::time::{Duration, Instant};

use common::*;
use leanix_sandbox::{Endpoint, Fault, DROPPED};
use serde_json::Value;

#[tokio::test]
async fn status_with_retry_after_then_normal() {
    let sb = small();
    sb.inject(Endpoint::Token, Fault::status_retry_after(503, "1"), 2);
    for _ in 0..2 {
        let resp = exchange_raw(sb.url(), sb.api_token()).await;
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["retry-after"], "1");
        let _: Value = resp.json().await.unwrap();
    }
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 200);

    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    sb.inject(
        Endpoint::FactSheets,
        Fault::status_retry_after(429, date),
        1,
    );
    let token = access_token(sb.url(), sb.api_token()).await;
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], date);
    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::Token, 503), 2);
    assert_eq!(stats.token_requests, 4);
    assert_eq!(stats.token_exchanges, 2);
    assert_eq!(stats.requests(Endpoint::FactSheets, 429), 1);
}

#[tokio::test]
async fn respond_sends_exactly_the_given_response() {
    let sb = small();
    sb.inject(
        Endpoint::Token,
        Fault::Respond {
            status: 200,
            content_type: "application/json".into(),
            body: r#"{"access_token":"opaque-token","token_type":"Bearer","expires_in":"60"}"#
                .into(),
        },
        1,
    );
    let resp = exchange_raw(sb.url(), sb.api_token()).await;
    let body = json_body(resp, 200).await;
    assert_eq!(body["expires_in"], "60");
    assert_eq!(sb.stats().token_exchanges, 0);
}

#[tokio::test]
async fn token_shortcuts_produce_the_malformed_responses() {
    let sb = small();
    let text_of = |fault: Fault| shortcut(&sb, fault);

    let resp = text_of(Fault::MalformedJson).await;
    assert_eq!(resp.status(), 200);
    assert!(serde_json::from_str::<Value>(&resp.text().await.unwrap()).is_err());

    let resp = text_of(Fault::HtmlOk).await;
    assert_eq!(resp.status(), 200);
    assert!(header(&resp, "content-type").starts_with("text/html"));
    assert!(resp.text().await.unwrap().contains("<html"));

    let body: Value = text_of(Fault::EmptyToken).await.json().await.unwrap();
    assert_eq!(body["access_token"], "");

    let body: Value = text_of(Fault::ExpiredTrue).await.json().await.unwrap();
    assert_eq!(body["expired"], true);
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 3);

    let body: Value = text_of(Fault::NegativeExpiresIn)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], -1);

    let stats = sb.stats();
    assert_eq!(stats.token_exchanges, 0);
    assert_eq!(stats.requests(Endpoint::Token, 200), 5);
}

async fn shortcut(sb: &leanix_sandbox::Sandbox, fault: Fault) -> reqwest::Response {
    sb.inject(Endpoint::Token, fault, 1);
    exchange_raw(sb.url(), sb.api_token()).await
}

#[tokio::test]
async fn drop_connection_closes_without_a_response() {
    let (sb, token) = small_with_token().await;
    sb.inject(Endpoint::FactSheets, Fault::DropConnection, 1);
    let err = client()
        .get(format!("{}{FACT_SHEETS_PATH}", sb.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.is_request() || err.is_connect() || err.to_string().contains("connection"),
        "{err:?}"
    );
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);

    sb.inject(Endpoint::Token, Fault::DropConnection, 1);
    assert!(
        post_token_form(&client(), sb.url(), Some(&basic(sb.api_token())))
            .await
            .is_err()
    );
    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::FactSheets, DROPPED), 1);
    assert_eq!(stats.requests(Endpoint::Token, DROPPED), 1);
}

#[tokio::test]
async fn stall_delays_then_answers_and_times_clients_out() {
    let (sb, token) = small_with_token().await;
    sb.inject(
        Endpoint::FactSheet,
        Fault::Stall(Duration::from_millis(250)),
        2,
    );
    let path = format!("{FACT_SHEETS_PATH}/none");
    let start = Instant::now();
    let resp = get(sb.url(), &path, &token).await;
    assert_eq!(resp.status(), 404);
    assert!(start.elapsed() >= Duration::from_millis(250));

    let err = client()
        .get(format!("{}{path}", sb.url()))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(80))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
}

#[tokio::test]
async fn a_very_long_stall_does_not_block_shutdown() {
    let sb = small();
    sb.inject(Endpoint::Token, Fault::Stall(Duration::from_secs(3600)), 1);
    let url = sb.url().to_owned();
    let token = sb.api_token().to_owned();
    let pending =
        tokio::spawn(async move { post_token_form(&client(), &url, Some(&basic(&token))).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start = Instant::now();
    drop(sb);
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(pending.await.unwrap().is_err());
}

#[tokio::test]
async fn latency_persists_until_cleared() {
    let (sb, token) = small_with_token().await;
    sb.inject(Endpoint::Any, Fault::Latency(Duration::from_millis(300)), 1);
    for _ in 0..2 {
        let start = Instant::now();
        assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
        assert!(start.elapsed() >= Duration::from_millis(300));
    }
    // `Any` does not cover the token endpoint.
    let start = Instant::now();
    access_token(sb.url(), sb.api_token()).await;
    assert!(start.elapsed() < Duration::from_millis(300));
    sb.clear_faults();
    let start = Instant::now();
    get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert!(start.elapsed() < Duration::from_millis(300));
}

/// GETs `path` on the sandbox as `token` with a client that follows redirects (reqwest's
/// default policy, unlike the tests' own client).
async fn get_following_redirects(
    sb: &leanix_sandbox::Sandbox,
    path: &str,
    token: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", sb.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn redirect_foreign_points_at_the_other_origin_which_counts_authorization() {
    let (sb, token) = small_with_token().await;
    assert_ne!(sb.url(), sb.foreign_url());
    sb.inject(Endpoint::FactSheets, Fault::RedirectForeign, 2);

    let path = format!("{FACT_SHEETS_PATH}?pageSize=3");
    let resp = get(sb.url(), &path, &token).await;
    assert_eq!(resp.status(), 307);
    let location = header(&resp, "location").to_owned();
    assert_eq!(location, format!("{}{path}", sb.foreign_url()));

    // A careless client that resends its credentials is seen.
    let resp = get(&location, "", &token).await;
    let body = json_body(resp, 200).await;
    assert_eq!(body["foreign"], true);

    // reqwest strips Authorization on cross-origin redirects.
    let resp = get_following_redirects(&sb, &path, &token).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["foreign"], true);

    let stats = sb.stats();
    assert_eq!(stats.foreign_requests, 2);
    assert_eq!(stats.foreign_requests_with_authorization, 1);
    assert_eq!(stats.requests(Endpoint::FactSheets, 307), 2);
}

#[tokio::test]
async fn any_applies_to_resources_not_to_the_token_endpoint() {
    let sb = small();
    sb.inject(Endpoint::Any, Fault::status(502), 2);
    let token = access_token(sb.url(), sb.api_token()).await;
    let ws = format!("/services/mtm/v1/workspaces/{}", sb.workspace_id());
    assert_eq!(get(sb.url(), &ws, &token).await.status(), 502);
    let resp = graphql_query(sb.url(), &token, COUNT_QUERY).await;
    assert_eq!(resp.status(), 502);
    assert_eq!(get(sb.url(), &ws, &token).await.status(), 200);
    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::Any, 502), 2);
    assert_eq!(stats.total(Endpoint::Any), 3);
}

#[tokio::test]
async fn faults_queue_in_order_and_reset_clears_them() {
    let sb = small();
    sb.inject(Endpoint::Token, Fault::status(500), 1);
    sb.inject(Endpoint::Token, Fault::status(502), 1);
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 500);
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 502);
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 200);

    sb.inject(Endpoint::Token, Fault::status(500), 10);
    sb.reset();
    assert_eq!(sb.stats(), Default::default());
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 200);
    assert_eq!(sb.stats().token_exchanges, 1);
}

/// A response cut short: the full Content-Length is announced, half the body
/// arrives, then the connection closes. The token is not counted as exchanged.
#[tokio::test]
async fn truncated_body_cuts_the_transfer_short() {
    let sb = small();
    sb.inject(Endpoint::Token, Fault::TruncatedBody, 1);
    let resp = exchange_raw(sb.url(), sb.api_token()).await;
    assert_eq!(resp.status(), 200);
    let announced = header_number(&resp, "content-length");
    assert!(announced > 100);
    assert!(resp.bytes().await.is_err(), "the body read must fail");
    let stats = sb.stats();
    assert_eq!((stats.token_requests, stats.token_exchanges), (1, 0));

    let token = access_token(sb.url(), sb.api_token()).await;
    sb.inject(Endpoint::Any, Fault::TruncatedBody, 1);
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err());
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    let _: Value = resp.json().await.unwrap();
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 2);
}

/// Random faults through the Rust API: persistent, drawn per call.
#[tokio::test]
async fn random_faults_through_the_rust_api() {
    let (sb, token) = small_with_token().await;
    sb.inject_random(Endpoint::FactSheets, Fault::status(503), 0.5)
        .unwrap();
    assert!(sb
        .inject_random(Endpoint::FactSheets, Fault::HtmlOk, 0.51)
        .is_err());
    let mut s503 = 0;
    for _ in 0..200 {
        if get(sb.url(), FACT_SHEETS_PATH, &token).await.status() == 503 {
            s503 += 1;
        }
    }
    // Binomial(200, 0.5) = 100 ± 7.1: five standard deviations of slack.
    assert!((64..=136).contains(&s503), "{s503}");
    sb.reset();
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 503), 0);
}

/// A client that gives up during a stall is counted under 499, so abandoned attempts are visible.
#[tokio::test]
async fn a_request_abandoned_during_a_stall_is_counted_as_499() {
    let (sb, token) = small_with_token().await;
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(5)),
        1,
    );
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let url = format!("{}{FACT_SHEETS_PATH}", sb.url());
    assert!(impatient.get(url).bearer_auth(&token).send().await.is_err());
    let deadline = Instant::now() + Duration::from_secs(3);
    while sb
        .stats()
        .requests(Endpoint::FactSheets, leanix_sandbox::CLIENT_CLOSED)
        == 0
    {
        assert!(Instant::now() < deadline, "the hang-up was not counted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 0);
}

/// `redirect_self` sends the client back to the same URL on the same origin, as long as it lasts.
#[tokio::test]
async fn redirect_self_loops_on_the_same_origin_while_it_lasts() {
    let (sb, token) = small_with_token().await;
    sb.inject(Endpoint::FactSheets, Fault::RedirectSelf, 2);
    let path = format!("{FACT_SHEETS_PATH}?pageSize=3");
    let resp = get(sb.url(), &path, &token).await;
    assert_eq!(resp.status(), 307);
    assert_eq!(resp.headers()["location"], format!("{}{path}", sb.url()));
    // A client that follows (with its credentials: same origin) gets there after the loop ends.
    let resp = get_following_redirects(&sb, &path, &token).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 307), 2);
}
