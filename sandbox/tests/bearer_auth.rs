//! Every resource checks the bearer token: signature, expiry, revocation.

mod common;

use common::*;
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::Value;

const WS_PATH: &str = "/services/mtm/v1/workspaces/";

async fn assert_401(resp: reqwest::Response) -> Value {
    assert_eq!(resp.status(), 401);
    let challenge = header(&resp, "www-authenticate").to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ERROR");
    assert!(body["errors"][0]["message"].is_string());
    body
}

#[tokio::test]
async fn missing_or_non_bearer_authorization_gets_401() {
    let sb = small();
    for authorization in [None, Some(basic(sb.api_token()))] {
        let req = client().get(format!("{}{FACT_SHEETS_PATH}", sb.url()));
        let resp = with_authorization(req, authorization.as_deref());
        assert_401(resp.send().await.unwrap()).await;
    }
}

#[tokio::test]
async fn tampered_and_foreign_tokens_get_401() {
    let sb = small();
    let other = small();
    let token = access_token(sb.url(), sb.api_token()).await;
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);

    // Flip one character of the signature.
    let mut bytes = token.clone().into_bytes();
    let i = bytes.len() - 10;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    assert_401(get(sb.url(), FACT_SHEETS_PATH, &tampered).await).await;

    // Change the claims but keep the signature.
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        &parts[1][..parts[1].len() - 4],
        parts[2]
    );
    assert_401(get(sb.url(), FACT_SHEETS_PATH, &forged).await).await;

    assert_401(get(sb.url(), FACT_SHEETS_PATH, "not-a-jwt").await).await;
    // A token of another sandbox.
    let theirs = access_token(other.url(), other.api_token()).await;
    assert_401(get(sb.url(), FACT_SHEETS_PATH, &theirs).await).await;
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 401), 4);
}

#[tokio::test]
async fn expired_tokens_get_401_and_valid_minted_ones_pass() {
    let sb = small();
    let expired = sb.mint_access_token(sb.api_token(), -5).unwrap();
    let body = assert_401(get(sb.url(), FACT_SHEETS_PATH, &expired).await).await;
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    assert!(jwt_part(&expired, 1)["exp"].as_u64().unwrap() < now_secs());

    // A genuine token the sandbox never issued is verified with RSA.
    let minted = sb.mint_access_token(sb.api_token(), 60).unwrap();
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &minted).await.status(), 200);
    assert!(sb.mint_access_token("unknown", 60).is_none());
}

#[tokio::test]
async fn revoking_access_tokens_invalidates_those_issued_so_far() {
    let sb = small();
    let old = access_token(sb.url(), sb.api_token()).await;
    let minted = sb.mint_access_token(sb.api_token(), 60).unwrap();
    sb.revoke_access_tokens();
    assert_401(get(sb.url(), FACT_SHEETS_PATH, &old).await).await;
    assert_401(get(sb.url(), FACT_SHEETS_PATH, &minted).await).await;
    let new = access_token(sb.url(), sb.api_token()).await;
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &new).await.status(), 200);
}

#[tokio::test]
async fn revoking_an_api_token_keeps_issued_access_tokens() {
    let (sb, token) = small_with_token().await;
    sb.revoke_api_token(sb.api_token());
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 401);
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
}

#[tokio::test]
async fn short_lifetime_tokens_expire() {
    let sb = Sandbox::builder()
        .fact_sheets(5)
        .token_lifetime(std::time::Duration::from_secs(1))
        .start()
        .unwrap();
    let token = access_token(sb.url(), sb.api_token()).await;
    let exp = jwt_part(&token, 1)["exp"].as_u64().unwrap();
    assert!(exp <= now_secs() + 2);
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
}

#[tokio::test]
async fn every_resource_requires_the_bearer() {
    let sb = small();
    let ws = format!("{WS_PATH}{}", sb.users()[0].workspace_id);
    for path in [
        FACT_SHEETS_PATH.to_owned(),
        format!("{FACT_SHEETS_PATH}/x"),
        ws,
        "/sandbox/api/v1/services".to_owned(),
    ] {
        assert_401(get(sb.url(), &path, "nope").await).await;
    }
    let resp = graphql_query(sb.url(), "nope", COUNT_QUERY).await;
    assert_401(resp).await;
}
