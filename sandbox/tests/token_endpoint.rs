//! The token endpoint reproduces the vendor's documented exchange.

mod common;

use std::time::Duration;

use common::*;
use leanix_sandbox::{Role, Sandbox};
use serde_json::Value;

#[tokio::test]
async fn documented_request_gets_the_five_documented_fields() {
    let sb = small();
    let resp = exchange_raw(sb.url(), sb.api_token()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    let obj = body.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_token",
            "expired",
            "expires_in",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(body["scope"], "");
    assert_eq!(body["expired"], false);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"].as_u64(), Some(3599));
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 3);
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[tokio::test]
async fn grant_type_in_the_query_string_and_trailing_slash_work() {
    let sb = small();
    for path in [TOKEN_PATH, "/services/mtm/v1/oauth2/token/"] {
        let resp = client()
            .post(format!("{}{path}?grant_type=client_credentials", sb.url()))
            .header("Authorization", basic(sb.api_token()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    assert_eq!(sb.stats().token_exchanges, 2);
}

#[tokio::test]
async fn bad_missing_and_revoked_api_tokens_get_401_without_echo() {
    let sb = small();
    let wrong = "WrongTokenWrongTokenWrongTokenWrongToken";
    let resp = exchange_raw(sb.url(), wrong).await;
    assert_eq!(resp.status(), 401);
    let text = resp.text().await.unwrap();
    assert!(!text.contains(wrong));
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"], "unauthorized");

    let resp = post_token_form(&client(), sb.url(), None).await.unwrap();
    assert_eq!(resp.status(), 401);

    // Basic with another user name than "apitoken".
    let admin = basic_as("admin", sb.api_token());
    let resp = post_token_form(&client(), sb.url(), Some(&admin))
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    sb.revoke_api_token(sb.api_token());
    assert_eq!(exchange_raw(sb.url(), sb.api_token()).await.status(), 401);
    assert_eq!(
        exchange_raw(sb.url(), sb.viewer_api_token()).await.status(),
        200
    );
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 5);
    assert_eq!(stats.token_exchanges, 1);
}

#[tokio::test]
async fn missing_or_wrong_grant_type_gets_400() {
    let sb = small();
    for body in ["", "grant_type=password"] {
        let resp = client()
            .post(format!("{}{TOKEN_PATH}", sb.url()))
            .header("Authorization", basic(sb.api_token()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{body:?}");
        let json: Value = resp.json().await.unwrap();
        assert_eq!(json["error"], "unsupported_grant_type");
    }
}

#[tokio::test]
async fn the_jwt_has_the_documented_claims() {
    let sb = small();
    let before = now_secs();
    let token = access_token(sb.url(), sb.api_token()).await;
    let header = jwt_part(&token, 0);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"].as_str().unwrap().len(), 32);

    let claims = jwt_part(&token, 1);
    let admin = &sb.users()[0];
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(claims["sub"], admin.username.as_str());
    let p = &claims["principal"];
    assert_eq!(p["username"], admin.username.as_str());
    assert_eq!(p["id"], admin.user_id.as_str());
    assert_eq!(p["role"], "APICLIENT");
    assert_eq!(p["status"], "ACTIVE");
    assert!(p["account"]["id"].is_string() && p["account"]["name"].is_string());
    let perm = &p["permission"];
    assert_eq!(perm["workspaceId"], admin.workspace_id.as_str());
    assert_eq!(perm["workspaceName"], admin.workspace_name.as_str());
    assert_eq!(perm["role"], "ADMIN");
    assert_eq!(perm["status"], "ACTIVE");
    assert!(perm["customerRoles"].is_null() && perm["asUser"].is_null());
    assert_eq!(perm["accessControlEntities"], serde_json::json!([]));
    assert_eq!(claims["iss"], "https://eu-svc.leanix.net");
    assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
    assert_eq!(claims["instanceUrl"], sb.url());
    assert_eq!(claims["region"], "eu");
    let exp = claims["exp"].as_u64().unwrap();
    assert!(
        exp >= before + 3599 && exp <= now_secs() + 3601,
        "exp {exp}"
    );
    assert!(claims.get("iat").is_none());

    let viewer = access_token(sb.url(), sb.viewer_api_token()).await;
    assert_eq!(
        jwt_part(&viewer, 1)["principal"]["permission"]["role"],
        "VIEWER"
    );
}

#[tokio::test]
async fn configured_tokens_may_contain_any_characters_and_lifetime_is_configurable() {
    let odd = "a+b/c=d%e:f g";
    let sb = Sandbox::builder()
        .api_token(odd)
        .api_token("second-admin")
        .viewer_api_token("viewer-1")
        .token_lifetime(Duration::from_secs(5))
        .fact_sheets(10)
        .start()
        .unwrap();
    assert_eq!(sb.api_token(), odd);
    assert_eq!(sb.viewer_api_token(), "viewer-1");
    assert_eq!(sb.users().len(), 3);
    let resp = exchange_raw(sb.url(), odd).await;
    let body = json_body(resp, 200).await;
    assert_eq!(body["expires_in"], 5);
    let exp = jwt_part(body["access_token"].as_str().unwrap(), 1)["exp"]
        .as_u64()
        .unwrap();
    assert!(exp <= now_secs() + 6);

    sb.set_token_lifetime(Duration::from_secs(2));
    let body: Value = exchange_raw(sb.url(), "second-admin")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], 2);
}

#[tokio::test]
async fn random_api_tokens_look_real() {
    let sb = small();
    for t in [sb.api_token(), sb.viewer_api_token()] {
        assert_eq!(t.len(), 40);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
    }
    assert_ne!(sb.api_token(), sb.viewer_api_token());
}
