//! The GraphQL subset: paging, filters, selection, and graphql-java errors.

mod common;

use std::collections::HashSet;

use common::*;
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::{json, Value};

const PAGE_QUERY: &str = r#"
query Page($first: Int, $after: String) {
  allFactSheets(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name type displayName description } }
  }
}"#;

#[tokio::test]
async fn paging_with_end_cursor_visits_every_fact_sheet_once() {
    let sb = Sandbox::start().unwrap();
    let token = access_token(sb.url(), sb.api_token()).await;
    let mut ids = HashSet::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let resp = graphql(
            sb.url(),
            &token,
            &json!({"query": PAGE_QUERY, "variables": {"first": 700, "after": after}}),
        )
        .await;
        let body = json_body(resp, 200).await;
        assert!(body.get("errors").is_none(), "{body}");
        let conn = &body["data"]["allFactSheets"];
        assert_eq!(conn["totalCount"], 3000);
        for edge in conn["edges"].as_array().unwrap() {
            let node = &edge["node"];
            assert!(node["name"].is_string() && node["displayName"].is_string());
            assert!(
                ids.insert(node["id"].as_str().unwrap().to_owned()),
                "duplicate"
            );
        }
        pages += 1;
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
        assert!(pages < 100);
    }
    assert_eq!(ids.len(), 3000);
    assert_eq!(pages, 5);
}

#[tokio::test]
async fn facet_filter_and_fact_sheet_type_select_one_type() {
    let sb = Sandbox::builder().fact_sheets(500).start().unwrap();
    let token = access_token(sb.url(), sb.api_token()).await;
    let rest = get_json(
        sb.url(),
        &format!("{FACT_SHEETS_PATH}?type=Application&pageSize=1"),
        &token,
    )
    .await;
    let apps = rest["total"].as_u64().unwrap();
    let q = r#"{ allFactSheets(first: 1000, filter: {facetFilters: [{facetKey: "FactSheetTypes", keys: ["Application"]}]}) {
        totalCount edges { node { type ... on Application { release lifecycle { asString phases { phase startDate } } } } } } }"#;
    let body = graphql_json(sb.url(), &token, &json!({"query": q})).await;
    let conn = &body["data"]["allFactSheets"];
    assert_eq!(conn["totalCount"].as_u64(), Some(apps));
    let edges = conn["edges"].as_array().unwrap();
    assert_eq!(edges.len() as u64, apps);
    assert!(edges.iter().all(|e| e["node"]["type"] == "Application"));
    assert!(edges.iter().any(|e| e["node"]["release"].is_string()));

    let q = "query($t: FactSheetType) { allFactSheets(factSheetType: $t) { totalCount } }";
    let body = graphql_json(
        sb.url(),
        &token,
        &json!({"query": q, "variables": {"t": "Application"}}),
    )
    .await;
    assert_eq!(
        body["data"]["allFactSheets"]["totalCount"].as_u64(),
        Some(apps)
    );
    let q = "{ allFactSheets(factSheetType: Application) { totalCount } }";
    let body = graphql_json(sb.url(), &token, &json!({"query": q})).await;
    assert_eq!(
        body["data"]["allFactSheets"]["totalCount"].as_u64(),
        Some(apps)
    );
}

#[tokio::test]
async fn fact_sheet_by_id_honours_the_selection() {
    let (sb, token) = small_with_token().await;
    let fs = &first_fact_sheet(sb.url(), &token, "").await;
    let q = r#"query($id: ID!) { fs: factSheet(id: $id) { id displayName __typename ...Names } }
               fragment Names on BaseFactSheet { name tags { name } }"#;
    let body = graphql_json(
        sb.url(),
        &token,
        &json!({"query": q, "variables": {"id": fs["id"]}}),
    )
    .await;
    let node = body["data"]["fs"].as_object().unwrap();
    let keys: Vec<&str> = node.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
    assert_eq!(node["id"], fs["id"]);
    assert_eq!(node["name"], fs["name"]);
    assert_eq!(node["__typename"], fs["type"]);
}

#[tokio::test]
async fn unknown_fields_are_errors_on_http_200() {
    let (sb, token) = small_with_token().await;
    let resp = graphql(
        sb.url(),
        &token,
        &json!({"query": "{\n  allFactSheets { totalCount }\n  nonsense { id }\n}"}),
    )
    .await;
    let body = json_body(resp, 200).await;
    assert_eq!(body["data"], Value::Null);
    let err = &body["errors"][0];
    assert_eq!(
        err["message"],
        "Validation error of type FieldUndefined: Field 'nonsense' in type 'Query' is undefined"
    );
    assert_eq!(err["locations"], json!([{"line": 3, "column": 3}]));

    let q = "{ allFactSheets { edges { node { id bogus } } } }";
    let body = graphql_json(sb.url(), &token, &json!({"query": q})).await;
    assert_eq!(body["data"], Value::Null);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Field 'bogus'"));

    // Syntax errors also come back on 200.
    let resp = graphql(sb.url(), &token, &json!({"query": "{ allFactSheets { "})).await;
    let body = json_body(resp, 200).await;
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid Syntax"));
    assert_eq!(sb.stats().requests(Endpoint::GraphQl, 200), 3);
}

#[tokio::test]
async fn malformed_json_body_gets_400() {
    let (sb, token) = small_with_token().await;
    let endpoint = format!("{}{GRAPHQL_PATH}", sb.url());
    for body in ["{\"query\": ", "[1,2]", "{}"] {
        let resp = request_raw(reqwest::Method::POST, &endpoint, &token, body).await;
        assert_eq!(resp.status(), 400, "{body}");
    }
}

#[tokio::test]
async fn invalid_facet_keys_and_cursors_are_errors() {
    let (sb, token) = small_with_token().await;
    let q = r#"{ allFactSheets(filter: {facetFilters: [{facetKey: "Nope", keys: ["x"]}]}) { totalCount } }"#;
    let body = graphql_json(sb.url(), &token, &json!({"query": q})).await;
    assert_eq!(body["data"]["allFactSheets"], Value::Null);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("facet"));
    let q = r#"{ allFactSheets(after: "garbage") { totalCount } }"#;
    let body = graphql_json(sb.url(), &token, &json!({"query": q})).await;
    assert!(body["errors"].is_array());
}
