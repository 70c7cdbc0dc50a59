//! REST paging: Pathfinder's `cursor` walk visits every fact sheet exactly once (async and
//! blocking), with exact request counts; a cursor cycle, the page cap, a failure mid-walk and
//! pages that are not lists end the walk with typed errors; `page`/`size` lists count pages up
//! and stop at `total`, a short page or an empty one, and a list that does not count pages
//! (a cursor, a repeated page, an end before `total`) is an error.

mod common;

use std::collections::HashSet;

use common::{assert_error, builder, client_at, Reply, TestServer};
use leanix::{ErrorKind, ManualClock, Request};
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

const LIST: &str = "/services/pathfinder/v1/factSheets";

/// Every `data` item of the REST walk of `path`.
async fn walk(client: &leanix::Client, path: &str) -> Result<Vec<Value>, leanix::Error> {
    client.rest_pages(path).collect_data().await
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|fs| fs["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_cursor_walk_visits_every_fact_sheet_exactly_once() {
    let sb = Sandbox::start().unwrap();
    let total = sb.fact_sheet_count();
    assert!(total > 1000, "the default inventory is large: {total}");
    let client = client_at(sb.url(), sb.api_token());

    let items = walk(&client, &format!("{LIST}?pageSize=137"))
        .await
        .unwrap();
    let ids = ids(&items);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), total);
    assert_eq!(unique.len(), total, "duplicates in the pages");
    let requests = total.div_ceil(137) as u64;
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), requests);
    assert_eq!(sb.stats().total(Endpoint::FactSheets), requests);
    assert_eq!(sb.stats().token_exchanges, 1);

    // Page by page: whole documents, the last with `cursor: null`, and then the walk is over.
    let mut pages = client.rest_pages(&format!("{LIST}?pageSize=1000&type=Application"));
    let mut apps = Vec::new();
    let mut last = Value::Null;
    while let Some(page) = pages.next_page().await.unwrap() {
        assert_eq!(page["status"], "OK");
        apps.extend(page["data"].as_array().unwrap().iter().cloned());
        last = page;
    }
    assert_eq!(last["cursor"], Value::Null);
    assert_eq!(apps.len() as u64, last["total"].as_u64().unwrap());
    assert!(
        apps.iter().all(|fs| fs["type"] == "Application"),
        "type= kept"
    );
    assert_eq!(pages.pages_fetched(), apps.len().div_ceil(1000));
    assert_eq!(pages.items_fetched(), apps.len() as u64);
    assert!(pages.next_page().await.unwrap().is_none());
}

#[test]
fn the_blocking_walk_visits_every_fact_sheet_exactly_once() {
    let sb = Sandbox::builder().fact_sheets(250).start().unwrap();
    let client = builder(sb.url(), sb.api_token(), &ManualClock::new())
        .build_blocking()
        .unwrap();
    let mut seen = Vec::new();
    let mut pages = client.rest_pages(&format!("{LIST}?pageSize=100"));
    for page in pages.by_ref() {
        seen.extend(ids(page.unwrap()["data"].as_array().unwrap()));
    }
    assert_eq!(pages.pages_fetched(), 3);
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (250, 250));

    let merged = client
        .rest_all_data(&format!("{LIST}?pageSize=100"))
        .unwrap();
    assert_eq!(ids(&merged), seen, "the merged form is the pages in order");
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 6);
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[tokio::test]
async fn a_cursor_that_repeats_ends_the_walk() {
    let sb = Sandbox::builder().fact_sheets(120).start().unwrap();
    let client = client_at(sb.url(), sb.api_token());
    // The sandbox's cursors alternate a, b, a, …: the third page repeats the first cursor.
    sb.inject(Endpoint::FactSheets, Fault::CursorCycle, 1000);
    let err = walk(&client, &format!("{LIST}?pageSize=10"))
        .await
        .unwrap_err();
    assert_error(&err, ErrorKind::InvalidResponse, "round in circles");
    assert!(err.message().contains("page 3"), "{err}");
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 3);
}

#[tokio::test]
async fn the_page_cap_ends_a_walk_that_does_not_end() {
    let sb = Sandbox::builder().fact_sheets(120).start().unwrap();
    let client = builder(sb.url(), sb.api_token(), &ManualClock::new())
        .max_pages(4)
        .build()
        .unwrap();
    let err = walk(&client, &format!("{LIST}?pageSize=10"))
        .await
        .unwrap_err();
    assert_error(&err, ErrorKind::TooLarge, "more than 4 pages");
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 4);

    // Page by page: the 4 pages fetched all arrive, then the cap's error instead of a 5th
    // request, then the end.
    sb.reset();
    let mut pages = client.rest_pages(&format!("{LIST}?pageSize=10"));
    for n in 1..=4 {
        let page = pages
            .next_page()
            .await
            .unwrap()
            .expect("a page under the cap");
        assert_eq!(page["data"].as_array().unwrap().len(), 10, "page {n}");
    }
    let err = pages.next_page().await.unwrap_err();
    assert_error(&err, ErrorKind::TooLarge, "more than 4 pages");
    assert!(pages.next_page().await.unwrap().is_none());
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 4);

    // Exactly max_pages pages is fine.
    sb.reset();
    let items = walk(&client, &format!("{LIST}?pageSize=30")).await.unwrap();
    assert_eq!(items.len(), 120);
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 4);
}

#[tokio::test]
async fn a_failure_mid_walk_is_the_error_and_ends_the_walk() {
    let sb = Sandbox::builder().fact_sheets(120).start().unwrap();
    let client = client_at(sb.url(), sb.api_token());
    let mut pages = client.rest_pages_with(Request::get(format!("{LIST}?pageSize=50")));
    assert!(pages.next_page().await.unwrap().is_some());
    sb.inject(Endpoint::FactSheets, Fault::status(403), 1);
    let err = pages.next_page().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.status(), Some(403));
    assert!(
        pages.next_page().await.unwrap().is_none(),
        "the walk is over"
    );
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 2);

    // A page that is not JSON, and a cursor that is not a string.
    sb.inject(Endpoint::FactSheets, Fault::MalformedJson, 1);
    let err = walk(&client, LIST).await.unwrap_err();
    assert_error(&err, ErrorKind::InvalidResponse, "REST page 1 is not JSON");
    for (body, problem) in [
        (r#"{"data":[],"cursor":7}"#, "cursor that is not a string"),
        (r#"{"data":{"id":"x"}}"#, "no data array"),
        ("[1,2]", "not a JSON object"),
    ] {
        sb.inject(
            Endpoint::FactSheets,
            Fault::Respond {
                status: 200,
                content_type: "application/json".into(),
                body: body.into(),
            },
            1,
        );
        let err = walk(&client, LIST).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{body}");
        assert!(err.message().contains(problem), "{err}");
    }
}

#[tokio::test]
async fn numbered_pages_count_up_and_stop_at_the_total_a_short_page_or_an_empty_one() {
    let server = TestServer::start();
    let client = server.client(|b| b);
    let page = |items: Vec<i32>, total: Option<u64>| {
        let mut body = json!({"status": "OK", "data": items});
        if let Some(t) = total {
            body["total"] = json!(t);
        }
        Reply::new(200, body.to_string())
    };
    let paths = |server: &TestServer, from: usize| -> Vec<String> {
        server.api_requests()[from..]
            .iter()
            .map(|r| format!("{}?{}", r.path, r.query.as_deref().unwrap_or("")))
            .collect()
    };

    // `total`: three pages of 2, 2 and 1.
    server.script_api(page(vec![1, 2], Some(5)));
    server.script_api(page(vec![3, 4], Some(5)));
    server.script_api(page(vec![5], Some(5)));
    let items = walk(&client, "/services/mtm/v1/users?page=1&size=2&q=a%20b")
        .await
        .unwrap();
    assert_eq!(items, [1, 2, 3, 4, 5].map(|n| json!(n)));
    assert_eq!(
        paths(&server, 0),
        [
            "/services/mtm/v1/users?size=2&q=a%20b&page=1",
            "/services/mtm/v1/users?size=2&q=a%20b&page=2",
            "/services/mtm/v1/users?size=2&q=a%20b&page=3",
        ]
    );

    // No total: a page shorter than `size` is the last.
    let from = server.api_requests().len();
    server.script_api(page(vec![1, 2], None));
    server.script_api(page(vec![3], None));
    let items = walk(&client, "/users?page=0&size=2").await.unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        paths(&server, from),
        ["/users?size=2&page=0", "/users?size=2&page=1"]
    );

    // Neither total nor size: an empty page is the last.
    let from = server.api_requests().len();
    server.script_api(page(vec![1, 2], None));
    server.script_api(page(vec![], None));
    let items = walk(&client, "/users?page=1").await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(server.api_requests().len() - from, 2);

    // A page number that is not one: refused before anything is sent.
    let from = server.api_requests().len();
    let err = walk(&client, "/users?page=first").await.unwrap_err();
    assert_error(&err, ErrorKind::InvalidArgument, "\"first\"");
    assert_eq!(server.api_requests().len(), from);
}

/// A path with `page=` against a list that does not count pages: each way such a walk would
/// repeat or drop items is an `InvalidResponse` at the page that shows it, with nothing sent
/// after it.
#[tokio::test]
async fn numbered_pages_of_a_list_that_does_not_count_them_are_errors() {
    let server = TestServer::start();
    let client = server.client(|b| b);
    let page = |body: Value| Reply::new(200, body.to_string());
    let cases: [(&str, Vec<Value>, &str, usize); 4] = [
        (
            "/users?page=1&size=2",
            vec![json!({"data": [1, 2], "total": 9, "cursor": "c2"})],
            "REST page 1 (page=1) carries a cursor",
            1,
        ),
        (
            "/users?page=1",
            vec![json!({"data": [1, 2]}), json!({"data": [1, 2]})],
            "REST page 2 (page=2) has the same items as the page before",
            2,
        ),
        (
            "/users?page=1&size=2",
            vec![
                json!({"data": [1, 2], "total": 5}),
                json!({"data": [3], "total": 5}),
            ],
            "ended at page 2 (page=2) with 3 of the 5 items",
            2,
        ),
        (
            "/users?page=0",
            vec![
                json!({"data": [1, 2], "total": 5}),
                json!({"data": [], "total": 5}),
            ],
            "ended at page 2 (page=1) with 2 of the 5 items",
            2,
        ),
    ];
    for (path, pages, problem, requests) in cases {
        let from = server.api_requests().len();
        for p in pages {
            server.script_api(page(p));
        }
        let err = walk(&client, path).await.unwrap_err();
        assert_error(&err, ErrorKind::InvalidResponse, problem);
        assert_eq!(server.api_requests().len() - from, requests, "{path}");
    }
    // A cursor of null or "" on a numbered page is no cursor.
    server.script_api(page(json!({"data": [1], "cursor": null, "total": 2})));
    server.script_api(page(json!({"data": [2], "cursor": "", "total": 2})));
    let items = walk(&client, "/users?page=1").await.unwrap();
    assert_eq!(items, [json!(1), json!(2)]);
}

/// The trap a user falls into: `page=` on Pathfinder's cursor list (which ignores it and
/// answers its first page with a cursor) fails at the first page instead of returning that
/// page again and again, or one page as if it were all.
#[tokio::test]
async fn page_numbers_on_the_cursor_list_are_refused_at_the_first_page() {
    let sb = Sandbox::start().unwrap();
    let client = client_at(sb.url(), sb.api_token());
    for path in [
        "/services/pathfinder/v1/factSheets?page=1&pageSize=700",
        "/services/pathfinder/v1/factSheets?page=1&size=700",
    ] {
        sb.reset();
        let err = walk(&client, path).await.unwrap_err();
        assert_error(&err, ErrorKind::InvalidResponse, "carries a cursor");
        assert_eq!(sb.stats().total(Endpoint::FactSheets), 1, "{path}");
    }
}
