//! LeanIX-shaped failures: REST error envelopes, GraphQL errors with
//! `extensions.errorType`, `path`, `locations` and partial data, and the
//! faults that provoke failures (headers, large and endless bodies, paging).

mod common;

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

/// Injects a fault through the control API.
async fn control(sb: &Sandbox, body: Value) -> reqwest::Response {
    control_post(sb.url(), "faults", &body).await
}

/// Injects a fault through the control API and asserts that it was accepted.
async fn inject(sb: &Sandbox, body: Value) {
    assert_eq!(control(sb, body).await.status(), 200);
}

/// A small sandbox with an access token, and then `fault` injected into it.
async fn faulted_with_token(fault: Value) -> (Sandbox, String) {
    let (sb, token) = small_with_token().await;
    inject(&sb, fault).await;
    (sb, token)
}

#[tokio::test]
async fn rest_errors_carry_the_envelope() {
    let (sb, token) = small_with_token().await;
    let missing = MISSING_ID;
    let resp = get(sb.url(), &format!("{FACT_SHEETS_PATH}/{missing}"), &token).await;
    let body = json_body(resp, 404).await;
    assert_eq!(
        body,
        json!({"status": "ERROR", "type": "FactSheet", "errors": [
            {"message": format!("Fact sheet with id '{missing}' not found")}]})
    );

    let resp = get(sb.url(), &format!("{FACT_SHEETS_PATH}?pageSize=0"), &token).await;
    let body = json_body(resp, 400).await;
    assert_envelope(&body, "ERROR", "FactSheet");
    assert_eq!(
        body["errors"][0]["message"],
        "pageSize must be a positive integer"
    );

    let resp = get(sb.url(), FACT_SHEETS_PATH, "not-a-token").await;
    let body = json_body(resp, 401).await;
    assert_eq!(
        body,
        json!({"status": "ERROR", "type": "FactSheet", "errors": [{"message": "Invalid access token"}]})
    );

    let workspace = format!("{}/services/mtm/v1/workspaces/x", sb.url());
    let resp = request(reqwest::Method::DELETE, &workspace, &token, None).await;
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "Workspace");
    assert_eq!(body["errors"][0]["message"], "Method Not Allowed");
}

#[tokio::test]
async fn graphql_errors_have_an_error_type_a_path_and_partial_data() {
    let (sb, token) = small_with_token().await;
    let first = first_fact_sheet(sb.url(), &token, "").await;
    let id = first["id"].as_str().unwrap();
    let q =
        "query($ok: ID!) {\n  a: factSheet(id: $ok) { id }\n  b: factSheet(id: \"nope\") { id }\n}";
    let resp = graphql(
        sb.url(),
        &token,
        &json!({"query": q, "variables": {"ok": id}}),
    )
    .await;
    let body = json_body(resp, 200).await;
    assert_eq!(body["data"], json!({"a": {"id": id}, "b": null}));
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], json!(["b"]));
    assert_eq!(errors[0]["locations"], json!([{"line": 3, "column": 3}]));
    assert_eq!(
        errors[0]["extensions"]["errorType"],
        "DataFetchingException"
    );
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("'nope' not found"));

    // Validation and syntax errors: no data at all.
    let body = graphql_json(
        sb.url(),
        &token,
        &json!({"query": "{ allFactSheets { bogus } }"}),
    )
    .await;
    assert_eq!(body["data"], Value::Null);
    assert_eq!(
        body["errors"][0]["extensions"]["errorType"],
        "ValidationError"
    );
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{"line": 1, "column": 19}])
    );
    let body = graphql_json(sb.url(), &token, &json!({"query": "{ a(x: ) }"})).await;
    assert_eq!(
        body["errors"][0]["message"],
        "Invalid Syntax : offending token ')' at line 1 column 8"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["errorType"],
        "InvalidSyntax"
    );
}

#[tokio::test]
async fn status_and_respond_faults_send_extra_headers() {
    let (sb, token) = faulted_with_token(
        json!({"endpoint": "factSheets", "kind": "status", "status": 400,
               "headers": {"x-request-id": "abc", "x-other": "1"}}),
    )
    .await;
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["x-request-id"], "abc");
    assert_eq!(resp.headers()["x-other"], "1");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ERROR", "type": "FactSheet", "errors": [{"message": "HTTP 400 Bad Request"}]})
    );

    inject(
        &sb,
        json!({"endpoint": "graphql", "kind": "respond", "status": 409,
               "body": "{\"status\":\"ERROR\"}", "headers": {"x-request-id": "r2"}}),
    )
    .await;
    let resp = graphql_query(sb.url(), &token, COUNT_QUERY).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(resp.headers()["x-request-id"], "r2");
    assert_eq!(resp.text().await.unwrap(), "{\"status\":\"ERROR\"}");

    // Headers on a fault that lets the request through land on the normal response.
    sb.inject(
        Endpoint::FactSheets,
        Fault::WithHeaders {
            fault: Box::new(Fault::Stall(std::time::Duration::ZERO)),
            headers: vec![("x-request-id".into(), "r3".into())],
        },
        1,
    );
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-request-id"], "r3");
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert!(resp.headers().get("x-request-id").is_none());

    for bad in [
        json!({"endpoint": "any", "kind": "status", "status": 400, "headers": {"bad name": "x"}}),
        json!({"endpoint": "any", "kind": "status", "status": 400, "headers": {"x": 1}}),
        json!({"endpoint": "any", "kind": "status", "status": 400, "headers": {"x": "a\nb"}}),
        json!({"endpoint": "any", "kind": "latency", "ms": 1, "headers": {"x": "y"}}),
        json!({"endpoint": "any", "kind": "large_body"}),
    ] {
        assert_eq!(control(&sb, bad.clone()).await.status(), 400, "{bad}");
    }
}

/// Reads a streamed response to its end (or `cap` bytes) without keeping it.
async fn drain(mut resp: reqwest::Response, cap: u64) -> (u64, Vec<u8>) {
    let (mut n, mut head) = (0u64, Vec::new());
    while let Some(chunk) = resp.chunk().await.unwrap() {
        if head.len() < 16 {
            head.extend_from_slice(&chunk[..chunk.len().min(16)]);
        }
        n += chunk.len() as u64;
        if n >= cap {
            break;
        }
    }
    (n, head)
}

#[tokio::test]
async fn large_body_streams_exactly_n_bytes_chunked() {
    let (sb, token) = small_with_token().await;
    let n = 50 * 1024 * 1024 + 7;
    inject(
        &sb,
        json!({"endpoint": "factSheets", "kind": "large_body", "bytes": n}),
    )
    .await;
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("content-length").is_none());
    assert_eq!(resp.headers()["transfer-encoding"], "chunked");
    assert_eq!(resp.headers()["content-type"], "application/json");
    let (read, head) = drain(resp, u64::MAX).await;
    assert_eq!(read, n);
    assert!(head.starts_with(br#"{"data":"xxxxxx"#));

    // A small one is the whole JSON document.
    sb.inject(Endpoint::FactSheets, Fault::LargeBody(15), 1);
    let text = get(sb.url(), FACT_SHEETS_PATH, &token)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text, r#"{"data":"xxxx"}"#);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 2);
}

#[tokio::test]
async fn endless_body_streams_until_the_client_hangs_up() {
    let (sb, token) = faulted_with_token(json!({"endpoint": "any", "kind": "endless_body"})).await;
    let resp = get(sb.url(), FACT_SHEETS_PATH, &token).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["transfer-encoding"], "chunked");
    let cap = 64 * 1024 * 1024;
    let (read, head) = drain(resp, cap).await;
    assert!(read >= cap);
    assert!(head.starts_with(br#"{"data":"xxx"#));
    // The sandbox goes on serving after the hang-up.
    assert_eq!(get(sb.url(), FACT_SHEETS_PATH, &token).await.status(), 200);
}

const PAGE: &str = "query($after: String) { allFactSheets(first: 10, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id } } } }";

async fn page(sb: &Sandbox, token: &str, after: &Value) -> Value {
    let body = graphql_json(
        sb.url(),
        token,
        &json!({"query": PAGE, "variables": {"after": after}}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["allFactSheets"].clone()
}

#[tokio::test]
async fn cursor_cycle_alternates_two_end_cursors_while_it_lasts() {
    let (sb, token) =
        faulted_with_token(json!({"endpoint": "graphql", "kind": "cursor_cycle", "times": 5}))
            .await;
    let mut after = Value::Null;
    let mut seen = Vec::new();
    for _ in 0..5 {
        let conn = page(&sb, &token, &after).await;
        assert_eq!(conn["pageInfo"]["hasNextPage"], true);
        assert_eq!(conn["edges"].as_array().unwrap().len(), 10);
        after = conn["pageInfo"]["endCursor"].clone();
        seen.push(after.as_str().unwrap().to_owned());
    }
    assert_ne!(seen[0], seen[1]);
    let (a, b) = (seen[0].clone(), seen[1].clone());
    assert_eq!(seen, [a.clone(), b.clone(), a.clone(), b, a]);
    // Then paging is normal again: the cursor moves on.
    let conn = page(&sb, &token, &after).await;
    assert!(!seen.contains(&conn["pageInfo"]["endCursor"].as_str().unwrap().to_owned()));
}

#[tokio::test]
async fn no_end_cursor_says_there_is_more_without_a_cursor() {
    let (sb, token) =
        faulted_with_token(json!({"endpoint": "graphql", "kind": "no_end_cursor"})).await;
    let conn = page(&sb, &token, &Value::Null).await;
    assert_eq!(
        conn["pageInfo"],
        json!({"hasNextPage": true, "endCursor": null})
    );
    assert_eq!(conn["edges"].as_array().unwrap().len(), 10);
    let conn = page(&sb, &token, &Value::Null).await;
    assert!(conn["pageInfo"]["endCursor"].is_string());
}

#[tokio::test]
async fn cursor_cycle_on_the_rest_list_alternates_two_cursors() {
    let (sb, token) =
        faulted_with_token(json!({"endpoint": "factSheets", "kind": "cursor_cycle", "times": 4}))
            .await;
    let list = "/services/pathfinder/v1/factSheets?pageSize=10";
    let mut path = list.to_owned();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let body = get_json(sb.url(), &path, &token).await;
        assert_eq!(body["data"].as_array().unwrap().len(), 10);
        let cursor = body["cursor"].as_str().unwrap().to_owned();
        path = format!("{list}&cursor={cursor}");
        seen.push(cursor);
    }
    let (a, b) = (seen[0].clone(), seen[1].clone());
    assert_ne!(a, b);
    assert_eq!(seen, [a.clone(), b.clone(), a.clone(), b]);
    // Then paging is normal again: the cursor moves on.
    let body = get_json(sb.url(), &path, &token).await;
    assert!(!seen.contains(&body["cursor"].as_str().unwrap().to_owned()));
}
