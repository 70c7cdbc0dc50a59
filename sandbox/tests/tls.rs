//! TLS mode: HTTPS with a CA generated at start.

mod common;

use common::*;
use leanix_sandbox::Sandbox;

#[tokio::test]
async fn https_works_with_the_ca_and_fails_without_it() {
    let sb = Sandbox::builder()
        .fact_sheets(20)
        .tls(true)
        .start()
        .unwrap();
    assert!(sb.url().starts_with("https://localhost:"), "{}", sb.url());
    assert!(sb.foreign_url().starts_with("https://localhost:"));
    let pem = sb.ca_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let resp = post_token_form(&trusting, sb.url(), Some(&basic(sb.api_token())))
        .await
        .unwrap();
    let body = json_body(resp, 200).await;
    let token = body["access_token"].as_str().unwrap();
    let resp = trusting
        .get(format!("{}{FACT_SHEETS_PATH}", sb.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = trusting.get(sb.foreign_url()).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    let untrusting = reqwest::Client::new();
    let err = untrusting
        .post(format!("{}{TOKEN_PATH}", sb.url()))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    assert_eq!(sb.stats().token_requests, 1);
}

#[test]
fn plain_mode_has_no_ca() {
    let sb = Sandbox::builder().fact_sheets(1).start().unwrap();
    assert!(sb.ca_pem().is_none());
    assert!(sb.url().starts_with("http://127.0.0.1:"));
}
