//! Failures that carry the server's answer, and results that are never silently partial: a
//! failed write keeps its response, GraphQL errors keep their details, paging follows one
//! rule, mutations are found by parsing, framing headers are refused.

mod common;

use common::{assert_error, builder, client_at, Reply, TestServer};
use leanix::{ErrorKind, ManualClock, Request};
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

/// The error of the GraphQL `query` (without variables), asserted to be a GraphQL error whose
/// message is exactly `message`.
async fn graphql_error(client: &leanix::Client, query: &str, message: &str) -> leanix::Error {
    let err = client.graphql(query, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::GraphQl);
    assert_eq!(err.message(), message);
    err
}

/// The error that walking the GraphQL pages of `query` ends in.
async fn walk_error(client: &leanix::Client, query: &str) -> leanix::Error {
    client
        .graphql_pages(query, None)
        .collect_edges()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_failed_write_keeps_the_servers_answer() {
    let server = TestServer::start();
    let client = server.client(|b| b);
    let envelope = r#"{"status":"ERROR","type":"FactSheet","errors":[{"message":"name must not be empty\u001b[31m"}]}"#;
    server.script_api(Reply::new(400, envelope).header("x-request-id", "req-42"));
    let err = client
        .send(
            Request::post("/services/pathfinder/v1/factSheets")
                .json(&json!({"type": "Application"})),
        )
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(400)));
    let response = err.response().expect("the error keeps the response");
    assert_eq!(response.status(), 400);
    assert_eq!(response.header("x-request-id"), Some("req-42"));
    assert_eq!(response.body(), envelope.as_bytes());
    let body: Value = response.json().unwrap();
    assert_eq!(body["status"], "ERROR");
    // One line, the server's words, cleaned of the terminal escape.
    assert_eq!(
        err.to_string(),
        format!(
            "POST {}/services/pathfinder/v1/factSheets answered HTTP 400 Bad Request: name must not be empty",
            server.url()
        )
    );
    assert_eq!(server.api_requests().len(), 1, "a POST is not retried");
}

/// A failed token exchange keeps the endpoint's answer too: a 503 and a rejected API token,
/// each with its request id.
#[tokio::test]
async fn a_failed_exchange_keeps_the_token_endpoints_answer() {
    let server = TestServer::start();
    let client = server.client(|b| b.token_attempts(1));
    let busy = r#"{"status":"ERROR","message":"maintenance"}"#;
    server.script_token(Reply::new(503, busy).header("x-request-id", "tok-1"));
    let err = client.get(common::FACT_SHEETS).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(503)));
    let response = err
        .response()
        .expect("the error keeps the token endpoint's answer");
    assert_eq!(response.status(), 503);
    assert_eq!(response.header("x-request-id"), Some("tok-1"));
    assert_eq!(response.body(), busy.as_bytes());

    let refused = r#"{"error":"unauthorized","error_description":"Bad credentials"}"#;
    server.script_token(Reply::new(401, refused).header("x-request-id", "tok-2"));
    let err = client.get(common::FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials);
    let response = err.response().expect("a rejected token keeps the answer");
    assert_eq!(
        (response.status(), response.header("x-request-id")),
        (401, Some("tok-2"))
    );
    assert_eq!(response.json::<Value>().unwrap()["error"], "unauthorized");
    assert!(
        server.api_requests().is_empty(),
        "no API call without a token"
    );
}

#[tokio::test]
async fn errors_without_an_answer_have_no_response() {
    let sb = Sandbox::start().unwrap();
    let client = builder(sb.url(), sb.api_token(), &ManualClock::new())
        .max_attempts(1)
        .build()
        .unwrap();
    sb.inject(Endpoint::FactSheets, Fault::DropConnection, 1);
    let err = client.get(common::FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.response().is_none());
}

#[tokio::test]
async fn graphql_errors_keep_their_type_path_and_partial_data() {
    let server = TestServer::start();
    let client = server.client(|b| b);
    let answer = json!({
        "data": {"updateFactSheet": null, "other": {"id": "1"}},
        "errors": [{"message": "The fact sheet was changed by someone else", "path": ["updateFactSheet"],
                    "locations": [{"line": 1, "column": 12}],
                    "extensions": {"errorType": "REVISION_CLASH"}}]
    });
    server.script_api(Reply::new(200, answer.to_string()));
    let err = graphql_error(
        &client,
        "mutation { updateFactSheet(id: \"1\", rev: 1, patches: []) { factSheet { id } } other { id } }",
        "GraphQL error: The fact sheet was changed by someone else [REVISION_CLASH]",
    )
    .await;
    let errors = err.graphql_errors().unwrap();
    assert_eq!(errors[0]["extensions"]["errorType"], "REVISION_CLASH");
    assert_eq!(errors[0]["path"], json!(["updateFactSheet"]));
    assert_eq!(err.graphql_data().unwrap()["other"]["id"], "1");
    assert_eq!(err.response().unwrap().status(), 200);
}

/// A server's GraphQL error text reaches the message without its terminal escapes and control
/// characters (a colour code, a newline, a bell), while `graphql_errors()` keeps it as sent.
#[tokio::test]
async fn graphql_error_text_is_stripped_of_escapes_and_controls() {
    let sb = Sandbox::start().unwrap();
    let client = client_at(sb.url(), sb.api_token());
    let raw = "\u{1b}[31mAccess denied\u{1b}[0m\nfor\u{7} this\tuser";
    let body = json!({"data": null, "errors": [{"message": raw,
        "extensions": {"errorType": "AUTHORIZATION\u{1b}[1m"}}]});
    sb.inject(
        Endpoint::GraphQl,
        Fault::Respond {
            status: 200,
            content_type: "application/json".into(),
            body: body.to_string(),
        },
        1,
    );
    let err = graphql_error(
        &client,
        "{ allFactSheets { totalCount } }",
        "GraphQL error: Access denied for this user [AUTHORIZATION]",
    )
    .await;
    assert!(!err.to_string().chars().any(|c| c.is_control()), "{err}");
    assert_eq!(err.graphql_errors().unwrap()[0]["message"], raw);
}

/// The paging table: every way a query or a server can break paging is an error that says so,
/// never partial data returned as success and never an endless loop.
#[tokio::test]
async fn paging_violations_are_errors() {
    let page = |cursor: Value, next: bool| {
        json!({"data": {"allFactSheets": {
            "pageInfo": {"hasNextPage": next, "endCursor": cursor},
            "edges": [{"node": {"id": "x"}}]}}})
        .to_string()
    };
    let paged = "query($after: String) { allFactSheets(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }";

    // Refused before any request: no $after, $after declared but not passed to the connection,
    // no pageInfo.
    let server = TestServer::start();
    let client = server.client(|b| b);
    for (query, needle) in [
        (
            "{ allFactSheets { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
            "$after",
        ),
        (
            "query($after: String) { allFactSheets(first: 5) { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
            "declares $after but does not pass it to allFactSheets",
        ),
        (
            "query($after: String) { allFactSheets(after: $after) { edges { node { id } } } }",
            "pageInfo",
        ),
    ] {
        let err = walk_error(&client, query).await;
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{query}");
        assert!(err.message().contains(needle), "{}", err.message());
    }
    assert!(server.api_requests().is_empty());

    // A page without pageInfo (the server ignored the selection).
    server.script_api(Reply::new(
        200,
        r#"{"data":{"allFactSheets":{"edges":[{"node":{"id":"x"}}]}}}"#,
    ));
    let err = walk_error(&client, paged).await;
    assert_error(
        &err,
        ErrorKind::InvalidResponse,
        "no connection with pageInfo",
    );

    // hasNextPage without a cursor.
    server.script_api(Reply::new(200, page(Value::Null, true)));
    let err = walk_error(&client, paged).await;
    assert_error(&err, ErrorKind::InvalidResponse, "no endCursor");

    // A server that cycles a, b, a: stopped at the first repeat.
    for c in ["a", "b", "a"] {
        server.script_api(Reply::new(200, page(json!(c), true)));
    }
    let before = server.api_requests().len();
    let err = walk_error(&client, paged).await;
    assert_error(&err, ErrorKind::InvalidResponse, "round in circles");
    assert_eq!(server.api_requests().len() - before, 3);

    // The page cap.
    let capped = server.client(|b| b.max_pages(2));
    for c in ["p1", "p2"] {
        server.script_api(Reply::new(200, page(json!(c), true)));
    }
    let err = walk_error(&capped, paged).await;
    assert_error(&err, ErrorKind::TooLarge, "more than 2 pages");

    // A well-behaved walk: every page's edges, in order.
    server.script_api(Reply::new(200, page(json!("c1"), true)));
    server.script_api(Reply::new(200, page(json!("c2"), false)));
    let edges = client
        .graphql_pages(paged, None)
        .collect_edges()
        .await
        .unwrap();
    assert_eq!(edges.len(), 2);
}

/// A mutation hidden behind a fragment, a BOM or a query is never sent twice.
#[tokio::test]
async fn mutations_found_by_parsing_are_not_retried() {
    let sb = Sandbox::start().unwrap();
    let client = client_at(sb.url(), sb.api_token());
    client.access_token().await.unwrap();
    for (document, operation) in [
        ("fragment F on FactSheet { id }\nmutation { createFactSheet { ...F } }", None),
        ("\u{feff}mutation { createFactSheet { id } }", None),
        (
            "# a comment\nquery A { allFactSheets { totalCount } }\nmutation B { createFactSheet { id } }",
            Some("B"),
        ),
    ] {
        let before = sb.stats().requests(Endpoint::GraphQl, 0);
        sb.inject(Endpoint::GraphQl, Fault::DropConnection, 3);
        let mut request = leanix::GraphQlRequest::new(document);
        if let Some(name) = operation {
            request = request.operation_name(name);
        }
        let err = client.graphql_with(&request).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{document:?}");
        assert_eq!(
            sb.stats().requests(Endpoint::GraphQl, 0) - before,
            1,
            "sent once: {document:?}"
        );
        sb.clear_faults();
    }
    // The query of the same document is retried after a dropped connection.
    sb.inject(Endpoint::GraphQl, Fault::DropConnection, 1);
    let data = client
        .graphql_with(
            &leanix::GraphQlRequest::new(
                "query A { allFactSheets { totalCount } }\nmutation B { x }",
            )
            .operation_name("A"),
        )
        .await
        .unwrap();
    assert!(data["allFactSheets"]["totalCount"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn framing_headers_never_reach_the_wire() {
    let server = TestServer::start();
    let client = server.client(|b| b);
    for name in [
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
        "Upgrade",
        "TE",
        "Host",
    ] {
        let err = client
            .send(Request::post("/x").header(name, "5").body("hello world"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{name}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_body_announced_too_large_fails_before_it_is_read() {
    let server = TestServer::start();
    let client = server.client(|b| b.max_response_bytes(1024));
    server.script_api(Reply::new(200, "y".repeat(4096)));
    let err = client.get("/big").await.unwrap_err();
    assert_error(&err, ErrorKind::TooLarge, "1024 bytes");
    assert!(!err.is_transient());
    // Exactly at the limit is fine.
    server.script_api(Reply::new(200, "y".repeat(1024)));
    assert_eq!(client.get("/big").await.unwrap().body().len(), 1024);
}

/// An error answer longer than `max_response_bytes` keeps its status, headers and the first
/// `max_response_bytes` of its body (the rest is not read), instead of turning into a bare
/// too-large error: announced (Content-Length) or chunked.
#[tokio::test]
async fn an_error_answer_over_the_limit_keeps_its_status_and_its_start() {
    let server = TestServer::start();
    let client = server.client(|b| b.max_response_bytes(1000));
    let envelope = format!(
        r#"{{"status":"ERROR","errors":[{{"message":"name must not be empty"}}],"detail":"{}"}}"#,
        "d".repeat(5000)
    );
    server.script_api(Reply::new(400, envelope.clone()).header("x-request-id", "req-big"));
    let err = client
        .send(Request::post("/services/pathfinder/v1/factSheets").json(&json!({})))
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(400)));
    assert!(
        err.message().contains("answered HTTP 400 Bad Request")
            && err
                .message()
                .contains("longer than max_response_bytes, 1000 bytes"),
        "{err}"
    );
    let response = err.response().expect("the answer is kept");
    assert_eq!(response.header("x-request-id"), Some("req-big"));
    assert_eq!(response.body(), &envelope.as_bytes()[..1000]);

    // Chunked, without end: the same, after reading no more than the limit (and a buffer).
    server.script_api(Reply {
        status: 503,
        ..Reply::streamed(None)
    });
    let err = client
        .send(Request::post("/x").json(&json!({})))
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(503)));
    assert_eq!(err.response().unwrap().body(), &[b'x'; 1000][..]);

    // A 2xx over the limit is still TooLarge: a success is never silently partial.
    server.script_api(Reply::new(200, "y".repeat(1001)));
    assert_eq!(
        client.get("/ok").await.unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

#[tokio::test]
async fn a_streamed_body_up_to_the_limit_is_read_whole() {
    let server = TestServer::start();
    let client = server.client(|b| b.max_response_bytes(1 << 20));
    server.script_api(Reply::streamed(Some(1 << 20)));
    let response = client.get("/export").await.unwrap();
    assert_eq!(response.body().len(), 1 << 20);
    assert!(response.body().iter().all(|b| *b == b'x'));
    server.script_api(Reply::streamed(Some((1 << 20) + 1)));
    assert_eq!(
        client.get("/export").await.unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}
