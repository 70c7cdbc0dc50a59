//! Fact sheet writes: GraphQL `createFactSheet`/`updateFactSheet` (revisions,
//! `validateOnly`, archiving), REST PUT/DELETE, and viewers refused.

mod common;

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

const UPDATE: &str =
    "mutation($id: ID!, $rev: Long, $patches: [Patch]!, $comment: String, $v: Boolean) {
  updateFactSheet(id: $id, rev: $rev, patches: $patches, comment: $comment, validateOnly: $v) {
    factSheet { id rev name displayName description status } } }";

const READ: &str = "query($id: ID!) { factSheet(id: $id) { rev name description status
    ... on Application { lifecycle { asString phases { phase startDate } } }
    tags { name } externalId { externalId } } }";

async fn gql(sb: &Sandbox, token: &str, query: &str, variables: Value) -> Value {
    let resp = graphql(
        sb.url(),
        token,
        &json!({"query": query, "variables": variables}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// Runs the `updateFactSheet` mutation with these variables.
async fn update(sb: &Sandbox, token: &str, variables: Value) -> Value {
    gql(sb, token, UPDATE, variables).await
}

/// Runs `updateFactSheet` on fact sheet `id` with `patches`, checked against revision `rev`.
async fn update_at(sb: &Sandbox, token: &str, id: &Value, rev: u64, patches: &Value) -> Value {
    update(sb, token, json!({"id": id, "rev": rev, "patches": patches})).await
}

/// What LeanIX says to a write that gave revision `rev` of a fact sheet now at `rev + 1`.
fn clash_message(rev: u64) -> String {
    format!(
        "DB revision of Fact Sheet has changed: {} instead of given {rev}",
        rev + 1
    )
}

/// The first application of the REST list.
async fn first_app(sb: &Sandbox, token: &str) -> Value {
    first_fact_sheet(sb.url(), token, "&type=Application").await
}

async fn read(sb: &Sandbox, token: &str, id: &Value) -> Value {
    gql(sb, token, READ, json!({"id": id})).await["data"]["factSheet"].clone()
}

#[tokio::test]
async fn update_checks_the_revision_and_bumps_it() {
    let (sb, token) = small_with_token().await;
    let app = first_app(&sb, &token).await;
    let (id, rev) = (&app["id"], app["rev"].as_u64().unwrap());
    let patches = json!([{"op": "replace", "path": "/name", "value": "Renamed App"},
                         {"op": "replace", "path": "/description", "value": "new words"}]);
    let body = update_at(&sb, &token, id, rev, &patches).await;
    assert!(body.get("errors").is_none(), "{body}");
    let fs = &body["data"]["updateFactSheet"]["factSheet"];
    assert_eq!(
        (&fs["rev"], &fs["name"], &fs["description"]),
        (&json!(rev + 1), &json!("Renamed App"), &json!("new words"))
    );
    assert!(fs["displayName"]
        .as_str()
        .unwrap()
        .starts_with("Renamed App"));
    assert_eq!(sb.stats().writes, 1);

    // The same (now stale) revision clashes, on HTTP 200, and changes nothing.
    let again = json!([{"op": "replace", "path": "/name", "value": "Lost update"}]);
    let body = update_at(&sb, &token, id, rev, &again).await;
    assert_eq!(body["data"], json!({"updateFactSheet": null}));
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["errorType"], "REVISION_CLASH");
    assert_eq!(error["message"], clash_message(rev));
    assert_eq!(error["path"], json!(["updateFactSheet"]));
    assert_eq!(error["locations"], json!([{"line": 2, "column": 3}]));
    let now = read(&sb, &token, id).await;
    assert_eq!(
        (&now["rev"], &now["name"]),
        (&json!(rev + 1), &json!("Renamed App"))
    );

    // Re-read, retry: accepted. Without `rev` no check is made.
    let body = update_at(&sb, &token, id, rev + 1, &again).await;
    assert_eq!(body["data"]["updateFactSheet"]["factSheet"]["rev"], rev + 2);
    let body = update(&sb, &token, json!({"id": id, "patches": []})).await;
    assert_eq!(body["data"]["updateFactSheet"]["factSheet"]["rev"], rev + 3);
    assert_eq!(sb.stats().writes, 3);

    let body = update(&sb, &token, json!({"id": "nope", "patches": []})).await;
    assert_eq!(body["errors"][0]["extensions"]["errorType"], "NOT_FOUND");
}

#[tokio::test]
async fn validate_only_changes_nothing() {
    let (sb, token) = small_with_token().await;
    let app = first_app(&sb, &token).await;
    let patches = json!([{"op": "replace", "path": "/name", "value": "Maybe"}]);
    let body = update(
        &sb,
        &token,
        json!({"id": app["id"], "rev": app["rev"], "patches": patches, "v": true}),
    )
    .await;
    let fs = &body["data"]["updateFactSheet"]["factSheet"];
    assert_eq!((&fs["name"], &fs["rev"]), (&json!("Maybe"), &app["rev"]));
    let now = read(&sb, &token, &app["id"]).await;
    assert_eq!((&now["name"], &now["rev"]), (&app["name"], &app["rev"]));
    // Invalid patches are reported by a validation too.
    let bad = json!([{"op": "replace", "path": "/noSuchField", "value": "x"}]);
    let body = update(
        &sb,
        &token,
        json!({"id": app["id"], "patches": bad, "v": true}),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["errorType"], "VALIDATION");
    assert_eq!(sb.stats().writes, 0);
}

#[tokio::test]
async fn create_with_complex_patches_then_archive_with_a_comment() {
    let (sb, token) = small_with_token().await;
    let create = r#"mutation($p: [Patch]) { createFactSheet(input: {name: "New One", type: Application}, patches: $p) {
        factSheet { id rev type name } } }"#;
    let lifecycle = json!({"phases": [{"phase": "plan", "startDate": "2020-01-01"},
                                      {"phase": "active", "startDate": "2021-06-01"}]})
    .to_string();
    let patches = json!([
        {"op": "replace", "path": "/description", "value": "made by a mutation"},
        {"op": "replace", "path": "/lifecycle", "value": lifecycle},
        {"op": "add", "path": "/tags", "value": "[{\"tagName\":\"SaaS\"}]"},
        {"op": "replace", "path": "/externalId", "value": "{\"externalId\":\"crm-7\"}"},
    ]);
    let body = gql(&sb, &token, create, json!({"p": patches})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let fs = &body["data"]["createFactSheet"]["factSheet"];
    assert_eq!(
        (&fs["rev"], &fs["type"], &fs["name"]),
        (&json!(1), &json!("Application"), &json!("New One"))
    );
    assert_eq!(sb.fact_sheet_count(), 121);
    let stored = read(&sb, &token, &fs["id"]).await;
    assert_eq!(stored["description"], "made by a mutation");
    assert_eq!(stored["lifecycle"]["asString"], "active");
    assert_eq!(stored["tags"], json!([{"name": "SaaS"}]));
    assert_eq!(stored["externalId"], json!({"externalId": "crm-7"}));
    let id = fs["id"].as_str().unwrap();
    assert_eq!(sb.fact_sheet(id).unwrap()["name"], "New One");

    let total = |sb: &Sandbox, token: String, archived: bool| {
        let url = format!(
            "{}{FACT_SHEETS_PATH}?pageSize=1&archivedOnly={archived}",
            sb.url()
        );
        async move {
            let page = get_json(&url, "", &token).await;
            page["total"].as_u64().unwrap()
        }
    };
    let before = total(&sb, token.clone(), false).await;
    let archive = json!([{"op": "replace", "path": "/status", "value": "ARCHIVED"}]);
    let body = update(&sb, &token, json!({"id": id, "patches": archive})).await;
    assert_eq!(
        body["errors"][0]["message"],
        "Archiving a fact sheet requires a comment"
    );
    let body = update(
        &sb,
        &token,
        json!({"id": id, "patches": archive, "comment": "retired"}),
    )
    .await;
    assert_eq!(
        body["data"]["updateFactSheet"]["factSheet"]["status"],
        "ARCHIVED"
    );
    assert_eq!(total(&sb, token.clone(), false).await, before - 1);
    assert_eq!(total(&sb, token.clone(), true).await, 1);
    let q = r#"{ allFactSheets(filter: {facetFilters: [{facetKey: "TrashBin", keys: ["archived"]}]}) {
        totalCount edges { node { id status } } } }"#;
    let body = gql(&sb, &token, q, json!({})).await;
    assert_eq!(
        body["data"]["allFactSheets"]["edges"],
        json!([{"node": {"id": id, "status": "ARCHIVED"}}])
    );
    assert_eq!(sb.stats().writes, 2);
}

#[tokio::test]
async fn viewers_are_refused_writes_the_way_leanix_refuses_them() {
    let sb = small();
    let viewer = access_token(sb.url(), sb.viewer_api_token()).await;
    let app = first_app(&sb, &viewer).await;
    let patches = json!([{"op": "replace", "path": "/name", "value": "Nope"}]);
    let body = update(&sb, &viewer, json!({"id": app["id"], "patches": patches})).await;
    assert_eq!(body["data"], json!({"updateFactSheet": null}));
    assert_eq!(
        body["errors"][0]["extensions"]["errorType"],
        "AUTHORIZATION"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "Access denied: role VIEWER may not change fact sheets"
    );
    let url = format!(
        "{}{FACT_SHEETS_PATH}/{}",
        sb.url(),
        app["id"].as_str().unwrap()
    );
    for req in [
        client().put(&url).json(&json!({"name": "x"})),
        client().delete(&url),
    ] {
        let resp = req.bearer_auth(&viewer).send().await.unwrap();
        let body = json_body(resp, 403).await;
        assert_envelope(&body, "ERROR", "FactSheet");
        assert_eq!(
            body["errors"][0]["message"],
            "Access denied: role VIEWER may not change fact sheets"
        );
    }
    assert_eq!(read(&sb, &viewer, &app["id"]).await["name"], app["name"]);
    assert_eq!(sb.stats().writes, 0);
}

#[tokio::test]
async fn rest_put_and_delete_update_and_archive() {
    let (sb, token) = small_with_token().await;
    let app = first_app(&sb, &token).await;
    let rev = app["rev"].as_u64().unwrap();
    let url = format!(
        "{}{FACT_SHEETS_PATH}/{}",
        sb.url(),
        app["id"].as_str().unwrap()
    );
    let resp = request(
        reqwest::Method::PUT,
        &url,
        &token,
        Some(&json!({"description": "via REST", "alias": null, "rev": rev})),
    )
    .await;
    let body = json_body(resp, 200).await;
    assert_envelope(&body, "OK", "FactSheet");
    assert_eq!(
        (&body["data"]["description"], &body["data"]["rev"]),
        (&json!("via REST"), &json!(rev + 1))
    );
    assert!(body["data"].get("alias").is_none());

    let resp = request(
        reqwest::Method::PUT,
        &url,
        &token,
        Some(&json!({"name": "x", "rev": rev})),
    )
    .await;
    let body = json_body(resp, 409).await;
    assert_eq!(body["errors"][0]["message"], clash_message(rev));
    for (body, status) in [
        ("{not json", 400),
        (r#"{"lifecycle": {"phases": [{"phase": "nope"}]}}"#, 400),
    ] {
        let resp = request_raw(reqwest::Method::PUT, &url, &token, body).await;
        assert_eq!(resp.status(), status, "{body}");
        assert_eq!(resp.json::<Value>().await.unwrap()["status"], "ERROR");
    }

    let resp = request(
        reqwest::Method::DELETE,
        &url,
        &token,
        Some(&json!({"comment": "gone", "revision": rev + 1})),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["data"]["status"],
        "ARCHIVED"
    );
    let resp = get(
        sb.url(),
        &format!("{FACT_SHEETS_PATH}/{}", app["id"].as_str().unwrap()),
        &token,
    )
    .await;
    assert_eq!(
        resp.json::<Value>().await.unwrap()["data"]["status"],
        "ARCHIVED"
    );

    let missing = format!("{}{FACT_SHEETS_PATH}/{MISSING_ID}", sb.url());
    let resp = request(reqwest::Method::DELETE, &missing, &token, None).await;
    assert_eq!(resp.status(), 404);
    let resp = request(reqwest::Method::PATCH, &url, &token, None).await;
    assert_eq!(resp.status(), 405);
    let stats = sb.stats();
    assert_eq!(stats.writes, 2);
    assert_eq!(stats.requests(Endpoint::FactSheet, 409), 1);
}

/// The `concurrent_edit` fault: the next write that gives a `rev` finds someone else saved
/// first (rev + 1, nothing else changed, not counted), so it clashes; writes without `rev`
/// and `validateOnly` writes do not consume it.
#[tokio::test]
async fn a_concurrent_edit_makes_the_next_write_with_a_rev_clash() {
    let (sb, token) = small_with_token().await;
    let app = first_app(&sb, &token).await;
    let (id, rev) = (&app["id"], app["rev"].as_u64().unwrap());
    sb.inject(Endpoint::GraphQl, Fault::ConcurrentEdit, 1);
    let patches = json!([{"op": "replace", "path": "/alias", "value": "A"}]);
    let preview = json!({"id": id, "rev": rev, "patches": patches, "v": true});
    let body = update(&sb, &token, preview).await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = update_at(&sb, &token, id, rev, &patches).await;
    assert_eq!(
        body["errors"][0]["extensions"]["errorType"],
        "REVISION_CLASH"
    );
    assert_eq!(body["errors"][0]["message"], clash_message(rev));
    assert_eq!(sb.stats().writes, 0);
    let body = update_at(&sb, &token, id, rev + 1, &patches).await;
    assert_eq!(body["data"]["updateFactSheet"]["factSheet"]["rev"], rev + 2);
    assert_eq!(sb.stats().writes, 1);
}
