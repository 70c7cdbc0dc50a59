//! The HTTP control API under /_sandbox/.

mod common;

use common::*;
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::{json, Value};

/// Calls the control API at `/_sandbox/{path}`: a POST of `body`, or a GET without one.
async fn control(sb: &Sandbox, path: &str, body: Option<Value>) -> reqwest::Response {
    match body {
        Some(b) => control_post(sb.url(), path, &b).await,
        None => control_get(sb.url(), path).await,
    }
}

/// GETs `/_sandbox/{path}` (stats, tokens), expecting 200, and returns its JSON.
async fn read_control(sb: &Sandbox, path: &str) -> Value {
    let resp = control(sb, path, None).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn stats_in_the_documented_shape_without_counting_control_calls() {
    let (sb, token) = small_with_token().await;
    get(sb.url(), FACT_SHEETS_PATH, &token).await;
    get(sb.url(), FACT_SHEETS_PATH, "bad").await;
    let s = read_control(&sb, "stats").await;
    let s2 = read_control(&sb, "stats").await;
    assert_eq!(s, s2, "control calls are not counted");
    assert_eq!(s["token_exchanges"], 1);
    assert_eq!(s["token_requests"], 1);
    assert_eq!(s["requests"]["factSheets"], json!({"200": 1, "401": 1}));
    assert_eq!(s["requests"]["token"], json!({"200": 1}));
    assert_eq!(s["foreign_requests"], 0);
    assert_eq!(s["foreign_requests_with_authorization"], 0);
    assert_eq!(s, sb.stats().to_json());
}

#[tokio::test]
async fn faults_over_http() {
    let sb = small();
    let resp = control(
        &sb,
        "faults",
        Some(json!({"endpoint": "token", "kind": "status", "status": 503, "retry_after": "1", "times": 2})),
    )
    .await;
    assert_eq!(resp.status(), 200);
    for _ in 0..2 {
        let resp = exchange_raw(sb.url(), sb.api_token()).await;
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["retry-after"], "1");
    }
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 200);

    for kind in [
        "malformed_json",
        "html_ok",
        "empty_token",
        "expired_true",
        "negative_expires_in",
    ] {
        let resp = control(
            &sb,
            "faults",
            Some(json!({"endpoint": "token", "kind": kind})),
        )
        .await;
        assert_eq!(resp.status(), 200, "{kind}");
        assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 200);
    }
    control(
        &sb,
        "faults",
        Some(json!({"endpoint": "factSheets", "kind": "respond", "status": 418, "content_type": "text/plain", "body": "teapot"})),
    )
    .await;
    let token = access_token(sb.url(), sb.api_token()).await;
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(resp.status(), 418);
    assert_eq!(resp.text().await.unwrap(), "teapot");

    control(
        &sb,
        "faults",
        Some(json!({"endpoint": "any", "kind": "drop_connection"})),
    )
    .await;
    assert!(client()
        .get(format!("{}{FACT_SHEETS_PATH}", sb.url()))
        .bearer_auth(&token)
        .send()
        .await
        .is_err());

    control(
        &sb,
        "faults",
        Some(json!({"endpoint": "graphql", "kind": "redirect_foreign"})),
    )
    .await;
    let resp = graphql_query(sb.url(), &token, COUNT_QUERY).await;
    assert_eq!(resp.status(), 307);

    control(
        &sb,
        "faults",
        Some(json!({"endpoint": "factSheets", "kind": "stall", "ms": 400, "times": 5})),
    )
    .await;
    control(
        &sb,
        "faults",
        Some(json!({"endpoint": "factSheets", "kind": "latency", "ms": 400})),
    )
    .await;
    let resp = control(&sb, "faults", Some(json!({"kind": "clear"}))).await;
    assert_eq!(resp.status(), 200);
    let start = std::time::Instant::now();
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
    assert!(start.elapsed() < std::time::Duration::from_millis(400));

    for bad in [
        json!({"endpoint": "nowhere", "kind": "status", "status": 500}),
        json!({"endpoint": "token", "kind": "explode"}),
        json!({"endpoint": "token", "kind": "status"}),
        json!({"endpoint": "token", "kind": "stall"}),
        json!({"kind": "status", "status": 500}),
    ] {
        let resp = control(&sb, "faults", Some(bad.clone())).await;
        assert_eq!(resp.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn revoke_config_and_reset_over_http() {
    let (sb, token) = small_with_token().await;
    assert_eq!(
        control(&sb, "revoke", Some(json!({"access_tokens": true})))
            .await
            .status(),
        200
    );
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 401);
    let viewer = sb.viewer_api_token().to_owned();
    assert_eq!(
        control(&sb, "revoke", Some(json!({"api_token": viewer})))
            .await
            .status(),
        200
    );
    assert_eq!(exchange_raw(sb.url(), &viewer).await.status(), 401);
    assert_eq!(control(&sb, "revoke", Some(json!({}))).await.status(), 400);

    let resp = control(
        &sb,
        "config",
        Some(json!({"token_lifetime_secs": 5, "rate_limit_per_minute": 2})),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let cfg: Value = resp.json().await.unwrap();
    assert_eq!(
        cfg,
        json!({"token_lifetime_secs": 5, "rate_limit_per_minute": 2, "rate_limit_per_second": null})
    );
    // A rate too: a bucket of 3 that refills at 3 a second; 0 is refused.
    let resp = control(&sb, "config", Some(json!({"rate_limit_per_second": 3}))).await;
    let cfg: Value = resp.json().await.unwrap();
    assert_eq!(cfg["rate_limit_per_second"], 3);
    let resp = control(&sb, "config", Some(json!({"rate_limit_per_second": 0}))).await;
    assert_eq!(resp.status(), 400);
    let resp = control(&sb, "config", Some(json!({"rate_limit_per_second": null}))).await;
    let cfg: Value = resp.json().await.unwrap();
    assert_eq!(cfg["rate_limit_per_second"], Value::Null);
    let body: Value = exchange_raw(sb.url(), sb.api_token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], 5);
    let token = body["access_token"].as_str().unwrap().to_owned();
    get(sb.url(), FACT_SHEETS_PATH, &token).await;
    get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 429);
    control(&sb, "config", Some(json!({"rate_limit_per_minute": null}))).await;
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
    assert_eq!(
        control(&sb, "config", Some(json!({"bogus": 1})))
            .await
            .status(),
        400
    );

    assert_eq!(control(&sb, "reset", Some(json!({}))).await.status(), 200);
    let s = read_control(&sb, "stats").await;
    assert_eq!(s["token_requests"], 0);
    assert_eq!(s["requests"], json!({}));
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 0);

    let info: Value = control(&sb, "info", None).await.json().await.unwrap();
    assert_eq!(info["url"], sb.url());
    assert_eq!(info["users"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn control_api_can_be_disabled() {
    let sb = Sandbox::builder()
        .fact_sheets(5)
        .control_api(false)
        .start()
        .unwrap();
    assert_eq!(control(&sb, "stats", None).await.status(), 404);
    assert_eq!(control(&sb, "reset", Some(json!({}))).await.status(), 404);
    assert_eq!(sb.stats().total(Endpoint::Any), 0);
}

#[tokio::test]
async fn random_faults_over_http_persist_until_cleared() {
    let (sb, token) = small_with_token().await;
    for fault in [
        json!({"endpoint": "any", "kind": "status", "status": 503, "probability": 0.3}),
        json!({"endpoint": "any", "kind": "drop_connection", "probability": 0.2}),
    ] {
        let resp = control(&sb, "faults", Some(fault)).await;
        assert_eq!(resp.status(), 200);
    }
    let n = 400;
    let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..n {
        let url = format!("{}{FACT_SHEETS_PATH}?pageSize=1", sb.url());
        let key = match client().get(url).bearer_auth(&token).send().await {
            Ok(r) => r.status().as_u16().to_string(),
            Err(_) => "dropped".to_owned(),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    // Binomial(400, 0.3) = 120 ± 9.2 and (400, 0.2) = 80 ± 8: five standard deviations of slack.
    let s503 = outcomes.get("503").copied().unwrap_or(0);
    let dropped = outcomes.get("dropped").copied().unwrap_or(0);
    assert!((74..=166).contains(&s503), "{outcomes:?}");
    assert!((40..=120).contains(&dropped), "{outcomes:?}");
    assert_eq!(s503 + dropped + outcomes["200"], n, "{outcomes:?}");
    let s = read_control(&sb, "stats").await;
    assert_eq!(s["requests"]["factSheets"]["0"], dropped);
    assert_eq!(s["requests"]["factSheets"]["503"], s503);
    // The token endpoint is not covered by `any`.
    access_token(sb.url(), sb.api_token()).await;

    for bad in [
        json!({"endpoint": "any", "kind": "html_ok", "probability": 0.6}),
        json!({"endpoint": "any", "kind": "html_ok", "probability": 0}),
        json!({"endpoint": "any", "kind": "html_ok", "probability": 1.5}),
        json!({"endpoint": "any", "kind": "html_ok", "probability": 0.1, "times": 2}),
        json!({"endpoint": "any", "kind": "latency", "ms": 5, "probability": 0.1}),
    ] {
        let resp = control(&sb, "faults", Some(bad.clone())).await;
        assert_eq!(resp.status(), 400, "{bad}");
    }
    control(&sb, "faults", Some(json!({"kind": "clear"}))).await;
    for _ in 0..50 {
        assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
    }
}

#[tokio::test]
async fn issued_access_tokens_are_listed() {
    let sb = small();
    let a = access_token(sb.url(), sb.api_token()).await;
    let b = access_token(sb.url(), sb.viewer_api_token()).await;
    let listed = read_control(&sb, "tokens").await;
    assert_eq!(listed["access_tokens"], json!([a, b]));
    assert_eq!(sb.issued_access_tokens(), vec![a, b]);
}

/// The kinds that act on runs and writes take no endpoint (the README says it is ignored);
/// every other kind still needs one.
#[tokio::test]
async fn faults_whose_endpoint_is_ignored_need_none() {
    let sb = small();
    for kind in [
        "sync_run_fail",
        "results_pending",
        "concurrent_edit",
        "clear",
    ] {
        let resp = control(&sb, "faults", Some(json!({"kind": kind}))).await;
        assert_eq!(resp.status(), 200, "{kind}");
    }
    let resp = control(
        &sb,
        "faults",
        Some(json!({"kind": "status", "status": 503})),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("'endpoint' is required"));
}
