//! GraphQL: data, errors on HTTP 200 as typed errors, retries of queries only, and cursor paging
//! that visits every fact sheet exactly once (async and blocking).

mod common;

use std::collections::HashSet;

use common::{builder, sandbox_client};
use leanix::{ErrorKind, ManualClock};
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

const PAGED: &str = "query Page($after: String) {
  allFactSheets(first: 37, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name type } }
  }
}";

/// The number of fact sheets, from the REST API.
async fn rest_total(client: &leanix::Client) -> usize {
    let page: Value = client
        .get("/services/pathfinder/v1/factSheets?pageSize=1")
        .await
        .unwrap()
        .json()
        .unwrap();
    page["total"].as_u64().unwrap() as usize
}

#[tokio::test]
async fn a_query_returns_its_data() {
    let (_sb, _, client, _) = sandbox_client();
    let data = client
        .graphql(
            "query($n: Int) { allFactSheets(first: $n) { totalCount edges { node { id name type } } } }",
            Some(json!({"n": 5})),
        )
        .await
        .unwrap();
    let edges = data["allFactSheets"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 5);
    for e in edges {
        assert!(
            e["node"]["id"].as_str().is_some_and(|id| !id.is_empty()),
            "{e}"
        );
        assert!(e["node"]["name"].is_string());
    }
    let total = data["allFactSheets"]["totalCount"].as_u64().unwrap() as usize;
    assert_eq!(total, rest_total(&client).await);
    assert!(total > 37, "the paging test needs several pages: {total}");
}

#[tokio::test]
async fn an_unknown_field_is_a_graphql_error_with_the_errors_array() {
    let (_sb, _, client, _) = sandbox_client();
    let err = client
        .graphql(
            "{ allFactSheets(first: 1) { edges { node { id noSuchField } } } }",
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::GraphQl, "{err:?}");
    assert_eq!(err.status(), Some(200));
    let errors = err.graphql_errors().unwrap().as_array().unwrap();
    assert!(!errors.is_empty());
    assert!(err.message().contains("noSuchField"), "{}", err.message());
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("noSuchField"));

    let bad_vars = client.graphql("{ x }", Some(json!([1]))).await.unwrap_err();
    assert_eq!(bad_vars.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn queries_are_retried_and_mutations_are_not() {
    let (sb, _, client, _) = sandbox_client();
    client
        .graphql("{ allFactSheets(first: 1) { totalCount } }", None)
        .await
        .unwrap();

    let unavailable = || Fault::status(503);
    let before = sb.stats().total(Endpoint::GraphQl);
    sb.inject(Endpoint::GraphQl, unavailable(), 1);
    client
        .graphql("{ allFactSheets(first: 1) { totalCount } }", None)
        .await
        .unwrap();
    assert_eq!(sb.stats().total(Endpoint::GraphQl) - before, 2);

    let before = sb.stats().total(Endpoint::GraphQl);
    sb.inject(Endpoint::GraphQl, unavailable(), 1);
    let err = client
        .graphql("mutation { createFactSheet(name: \"x\") { id } }", None)
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(503)));
    assert_eq!(sb.stats().total(Endpoint::GraphQl) - before, 1);
}

#[tokio::test]
async fn paging_visits_every_fact_sheet_exactly_once() {
    let (sb, _, client, _) = sandbox_client();
    let total = rest_total(&client).await;
    let before = sb.stats().total(Endpoint::GraphQl);

    let edges = client
        .graphql_pages(PAGED, None)
        .collect_edges()
        .await
        .unwrap();
    let ids: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), total);
    assert_eq!(unique.len(), total, "duplicates in the pages");
    assert_eq!(
        sb.stats().total(Endpoint::GraphQl) - before,
        total.div_ceil(37) as u64
    );

    // Page by page, and the walk ends.
    let mut pages = client.graphql_pages(PAGED, None);
    let mut seen = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        seen += page["allFactSheets"]["edges"].as_array().unwrap().len();
    }
    assert_eq!(seen, total);
    assert!(pages.next_page().await.unwrap().is_none());
}

#[test]
fn blocking_paging_visits_every_fact_sheet_exactly_once() {
    let sb = Sandbox::start().unwrap();
    let clock = ManualClock::new();
    let client = builder(sb.url(), sb.api_token(), &clock)
        .build_blocking()
        .unwrap();
    let mut ids = Vec::new();
    let mut total = None;
    for page in client.graphql_pages(PAGED, None) {
        let page = page.unwrap();
        let conn = &page["allFactSheets"];
        total = conn["totalCount"].as_u64();
        for e in conn["edges"].as_array().unwrap() {
            ids.push(e["node"]["id"].as_str().unwrap().to_owned());
        }
    }
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(Some(ids.len() as u64), total);
    assert_eq!(unique.len(), ids.len());
    assert_eq!(sb.stats().token_exchanges, 1);
}
