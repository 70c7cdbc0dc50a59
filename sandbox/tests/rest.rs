//! Pathfinder REST fact sheets and MTM workspaces.

mod common;

use std::collections::HashSet;

use common::*;
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::{json, Value};

async fn walk(sb: &Sandbox, token: &str, query: &str) -> (Vec<Value>, u64) {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    for _ in 0..1000 {
        let mut url = format!("{}{FACT_SHEETS_PATH}?{query}", sb.url());
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let resp = client().get(url).bearer_auth(token).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let page: Value = resp.json().await.unwrap();
        assert_eq!(page["status"], "OK");
        assert_eq!(page["type"], "FactSheet");
        assert_eq!(page["errors"], json!([]));
        let t = page["total"].as_u64().unwrap();
        assert_eq!(*total.get_or_insert(t), t);
        all.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return (all, t),
        }
    }
    panic!("paging did not end");
}

#[tokio::test]
async fn paging_visits_every_fact_sheet_exactly_once() {
    let sb = Sandbox::start().unwrap();
    assert_eq!(sb.fact_sheet_count(), 3000);
    let token = access_token(sb.url(), sb.api_token()).await;
    let (all, total) = walk(&sb, &token, "pageSize=700").await;
    assert_eq!(total, 3000);
    let ids: HashSet<&str> = all.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(all.len(), 3000);
    assert_eq!(ids.len(), 3000);
    // Default page size is 100.
    let page = get_json(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 100);
    assert!(page["cursor"].is_string());

    // Fact sheets look real.
    let types: HashSet<&str> = all.iter().map(|f| f["type"].as_str().unwrap()).collect();
    assert_eq!(leanix_sandbox::FACT_SHEET_TYPES.len(), 10);
    for t in leanix_sandbox::FACT_SHEET_TYPES {
        assert!(types.contains(t), "{t}");
    }
    for f in &all {
        for key in ["id", "name", "displayName", "description", "tags", "type"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }
    assert!(all.iter().any(|f| f["lifecycle"]["phases"]
        .as_array()
        .is_some_and(|p| !p.is_empty())));
    assert!(all
        .iter()
        .any(|f| f["tags"].as_array().is_some_and(|t| !t.is_empty())));
}

#[tokio::test]
async fn type_filter_pages_only_that_type() {
    let sb = Sandbox::builder().fact_sheets(800).start().unwrap();
    let token = access_token(sb.url(), sb.api_token()).await;
    let (apps, total) = walk(&sb, &token, "pageSize=37&type=Application").await;
    assert_eq!(apps.len() as u64, total);
    assert!(total > 100);
    assert!(apps.iter().all(|f| f["type"] == "Application"));
    let ids: HashSet<&str> = apps.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), apps.len());
    let (both, total2) = walk(&sb, &token, "pageSize=50&type=Application,Provider").await;
    assert_eq!(both.len() as u64, total2);
    assert!(total2 > total);
}

#[tokio::test]
async fn invalid_paging_parameters_get_400() {
    let (sb, token) = small_with_token().await;
    for q in ["pageSize=abc", "pageSize=0", "cursor=%21%21"] {
        let resp = get(sb.url(), &format!("{FACT_SHEETS_PATH}?{q}"), &token).await;
        assert_eq!(resp.status(), 400, "{q}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["status"], "ERROR");
    }
}

#[tokio::test]
async fn get_by_id_and_404() {
    let (sb, token) = small_with_token().await;
    let first = &first_fact_sheet(sb.url(), &token, "").await;
    let id = first["id"].as_str().unwrap();
    let resp = get(sb.url(), &format!("{FACT_SHEETS_PATH}/{id}"), &token).await;
    assert_eq!(resp.status(), 200);
    let one: Value = resp.json().await.unwrap();
    assert_eq!(one["status"], "OK");
    assert_eq!(&one["data"], first);
    let resp = get(
        sb.url(),
        &format!("{FACT_SHEETS_PATH}/{MISSING_ID}"),
        &token,
    )
    .await;
    assert_eq!(resp.status(), 404);
    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::FactSheet, 200), 1);
    assert_eq!(stats.requests(Endpoint::FactSheet, 404), 1);
}

#[tokio::test]
async fn create_needs_write_permission_and_a_valid_body() {
    let sb = small();
    let admin = access_token(sb.url(), sb.api_token()).await;
    let viewer = access_token(sb.url(), sb.viewer_api_token()).await;
    let url = format!("{}{FACT_SHEETS_PATH}", sb.url());
    let new =
        json!({"name": "Sandbox Test App", "type": "Application", "description": "made by a test"});

    let resp = request(reqwest::Method::POST, &url, &viewer, Some(&new)).await;
    let body = json_body(resp, 403).await;
    assert_eq!(body["status"], "ERROR");
    assert!(body["errors"][0]["message"].is_string());

    let resp = request(reqwest::Method::POST, &url, &admin, Some(&new)).await;
    let body = json_body(resp, 200).await;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["data"]["name"], "Sandbox Test App");
    assert_eq!(body["data"]["type"], "Application");
    let id = body["data"]["id"].as_str().unwrap();
    assert_eq!(sb.fact_sheet_count(), 121);
    let resp = get(sb.url(), &format!("{FACT_SHEETS_PATH}/{id}"), &admin).await;
    assert_eq!(resp.status(), 200);

    for bad in [
        "{not json".to_owned(),
        json!({"type": "Application"}).to_string(),
        json!({"name": "x", "type": "Spaceship"}).to_string(),
    ] {
        let resp = request_raw(reqwest::Method::POST, &url, &admin, &bad).await;
        assert_eq!(resp.status(), 400, "{bad}");
    }
    assert_eq!(sb.fact_sheet_count(), 121);
}

#[tokio::test]
async fn workspaces_and_legacy_services() {
    let (sb, token) = small_with_token().await;
    let ws_id = sb.users()[0].workspace_id.clone();
    assert_eq!(sb.workspace_id(), ws_id);
    let resp = get(
        sb.url(),
        &format!("/services/mtm/v1/workspaces/{ws_id}"),
        &token,
    )
    .await;
    let body = json_body(resp, 200).await;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["data"]["id"], ws_id.as_str());
    assert_eq!(body["data"]["name"], sb.users()[0].workspace_name.as_str());
    assert_eq!(body["data"]["status"], "ACTIVE");
    assert!(body["data"]["contract"].is_object());
    let resp = get(sb.url(), "/services/mtm/v1/workspaces/nope", &token).await;
    assert_eq!(resp.status(), 404);

    let resp = get(sb.url(), "/sandbox/api/v1/services", &token).await;
    assert_eq!(resp.status(), 200);
    let list: Value = resp.json().await.unwrap();
    assert!(list.as_array().is_some_and(|l| !l.is_empty()));
    assert_eq!(
        get(sb.url(), "/other/api/v1/services", &token)
            .await
            .status(),
        404
    );

    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::Workspaces, 200), 1);
    assert_eq!(stats.requests(Endpoint::Workspaces, 404), 1);
    assert_eq!(stats.total(Endpoint::Services), 2);
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let (sb, token) = small_with_token().await;
    assert_eq!(
        get(sb.url(), "/services/pathfinder/v1/nothing", &token)
            .await
            .status(),
        404
    );
    assert_eq!(sb.stats().by_endpoint()["other"][&404], 1);
}
