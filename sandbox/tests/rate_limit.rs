//! Per-user rate limiting with 429 and Retry-After, off by default.

mod common;

use common::*;
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::Value;

#[tokio::test]
async fn limit_per_user_per_minute() {
    let sb = Sandbox::builder()
        .fact_sheets(10)
        .rate_limit_per_minute(Some(3))
        .start()
        .unwrap();
    let admin = access_token(sb.url(), sb.api_token()).await;
    for _ in 0..3 {
        assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &admin).await.status(), 200);
    }
    let resp = get(sb.url(), FACT_SHEETS_PATH, &admin).await;
    assert_eq!(resp.status(), 429);
    let retry = header_number(&resp, "retry-after");
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ERROR");
    assert_eq!(
        body["errors"][0]["message"],
        "HTTP 429 Too Many Requests. USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"
    );

    // Other users have their own budget; the token endpoint is not limited.
    let viewer = access_token(sb.url(), sb.viewer_api_token()).await;
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &viewer).await.status(), 200);
    access_token(sb.url(), sb.api_token()).await;

    sb.set_rate_limit(None);
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &admin).await.status(), 200);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 429), 1);
}

#[tokio::test]
async fn off_by_default() {
    let (sb, token) = small_with_token().await;
    for _ in 0..50 {
        assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
    }
}
