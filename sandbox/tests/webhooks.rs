//! PULL webhooks: subscriptions, batches, the cursor (forward only, batch
//! size, retention), events from writes and from the control API; and the
//! instance listener named by the tokens' `instanceUrl`.

mod common;

use common::*;
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::{json, Value};

const SUBS: &str = "/services/webhooks/v1/subscriptions";

/// Calls `method` on `path` of the sandbox at `url`; the status and the JSON body (null if none).
async fn send(
    method: reqwest::Method,
    url: &str,
    path: &str,
    bearer: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let resp = request(method, &format!("{url}{path}"), bearer, body.as_ref()).await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn subscribe(sb: &Sandbox, token: &str, tag_sets: Value) -> String {
    let (status, body) = send(
        reqwest::Method::POST,
        sb.url(),
        SUBS,
        token,
        Some(json!({"identifier": "t", "deliveryType": "PULL", "tagSets": tag_sets})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["id"].as_str().unwrap().to_owned()
}

async fn batch(sb: &Sandbox, token: &str, id: &str, query: &str) -> Vec<Value> {
    let (status, body) = send(
        reqwest::Method::GET,
        sb.url(),
        &format!("{SUBS}/{id}/events{query}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

async fn commit(sb: &Sandbox, token: &str, id: &str, offset: u64) -> (u16, Value) {
    send(
        reqwest::Method::PUT,
        sb.url(),
        &format!("{SUBS}/{id}/cursor"),
        token,
        Some(json!({ "offset": offset })),
    )
    .await
}

fn offsets(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|e| e["offset"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn batches_cursor_forward_only_and_batch_size() {
    let (sb, token) = small_with_token().await;
    let before = sb.emit_webhook_event(&["pathfinder", "FACT_SHEET_UPDATED"], json!({}));
    let id = subscribe(&sb, &token, json!([["pathfinder"]])).await;
    // Events logged before the subscription are not its own.
    assert_eq!(sb.webhook_cursor(&id), Some(before + 1));
    let first = before + 1;
    for i in 0..10 {
        sb.emit_webhook_event(&["pathfinder", "FACT_SHEET_UPDATED"], json!({ "n": i }));
    }
    sb.emit_webhook_event(&["integrations", "statistics"], json!({}));
    sb.set_webhook_batch_size(4);

    let b = batch(&sb, &token, &id, "").await;
    assert_eq!(offsets(&b), (first..first + 4).collect::<Vec<_>>());
    assert_eq!(b[0]["payload"]["n"], 0);
    assert_eq!(b[0]["payload"]["id"], first);
    assert_eq!(b[0]["tagSet"], json!(["pathfinder", "FACT_SHEET_UPDATED"]));
    // Without a commit, the same batch again.
    assert_eq!(offsets(&batch(&sb, &token, &id, "").await), offsets(&b));

    assert_eq!(commit(&sb, &token, &id, first + 4).await.0, 200);
    assert_eq!(sb.webhook_cursor(&id), Some(first + 4));
    let b = batch(&sb, &token, &id, "").await;
    assert_eq!(offsets(&b), (first + 4..first + 8).collect::<Vec<_>>());

    // The cursor cannot go back, nor past the end of the log.
    let (status, body) = commit(&sb, &token, &id, first + 3).await;
    assert_eq!(status, 400);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot go back"));
    assert_eq!(commit(&sb, &token, &id, first + 100).await.0, 400);
    assert_eq!(sb.webhook_cursor(&id), Some(first + 4));

    // autoCommit moves the cursor past the batch; the non-matching event is skipped.
    let b = batch(&sb, &token, &id, "?autoCommit=true").await;
    assert_eq!(offsets(&b).len(), 4);
    let b = batch(&sb, &token, &id, "?autoCommit=true").await;
    assert_eq!(offsets(&b), vec![first + 8, first + 9]);
    assert!(batch(&sb, &token, &id, "").await.is_empty());
    assert_eq!(sb.stats().requests(Endpoint::Webhooks, 200), 8);
    assert_eq!(sb.stats().requests(Endpoint::Webhooks, 400), 2);
}

#[tokio::test]
async fn writes_emit_created_updated_archived_with_tag_sets() {
    let (sb, token) = small_with_token().await;
    let all = subscribe(&sb, &token, json!([["pathfinder"]])).await;
    let archived = subscribe(&sb, &token, json!([["pathfinder", "FACT_SHEET_ARCHIVED"]])).await;
    let resp = request(
        reqwest::Method::POST,
        &format!("{}{FACT_SHEETS_PATH}", sb.url()),
        &token,
        Some(&json!({"name": "Hook", "type": "Application"})),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let fs: Value = resp.json().await.unwrap();
    let fs_id = fs["data"]["id"].as_str().unwrap().to_owned();
    let resp = request(
        reqwest::Method::PUT,
        &format!("{}{FACT_SHEETS_PATH}/{fs_id}", sb.url()),
        &token,
        Some(&json!({"description": "changed"})),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let fact_sheet = format!("{}{FACT_SHEETS_PATH}/{fs_id}", sb.url());
    let resp = request(reqwest::Method::DELETE, &fact_sheet, &token, None).await;
    assert_eq!(resp.status(), 200);

    let b = batch(&sb, &token, &all, "").await;
    let kinds: Vec<&str> = b.iter().map(|e| e["tagSet"][1].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "FACT_SHEET_CREATED",
            "FACT_SHEET_UPDATED",
            "FACT_SHEET_ARCHIVED"
        ]
    );
    assert!(b.iter().all(|e| e["tagSet"][0] == "pathfinder"
        && e["tagSet"][2] == "Application"
        && e["payload"]["factSheet"]["id"] == fs_id.as_str()
        && e["payload"]["workspaceId"] == sb.workspace_id()));
    assert_eq!(b[0]["payload"]["type"], "FactSheetCreatedEvent");
    let b = batch(&sb, &token, &archived, "").await;
    assert_eq!(b.len(), 1);
    assert_eq!(b[0]["payload"]["factSheet"]["status"], "ARCHIVED");
}

#[tokio::test]
async fn subscriptions_are_validated_listed_and_deleted() {
    let (sb, token) = small_with_token().await;
    let viewer = access_token(sb.url(), sb.viewer_api_token()).await;
    let post = |bearer: String, body: Value| {
        let url = sb.url().to_owned();
        async move { send(reqwest::Method::POST, &url, SUBS, &bearer, Some(body)).await }
    };
    for (body, needle) in [
        (
            json!({"deliveryType": "PUSH", "tagSets": [["a"]]}),
            "PULL only",
        ),
        (json!({"deliveryType": "PULL", "tagSets": []}), "tagSets"),
        (json!({"deliveryType": "PULL", "tagSets": [[1]]}), "tag set"),
        (
            json!({"deliveryType": "PULL", "tagSets": [["a"]], "workspaceId": "other"}),
            "workspaceId",
        ),
        (
            json!({"deliveryType": "PULL", "tagSets": [["a"]], "payloadMode": "X"}),
            "payloadMode",
        ),
    ] {
        let (status, resp) = post(token.clone(), body).await;
        assert_eq!(status, 400);
        assert!(resp.to_string().contains(needle), "{resp}");
    }
    let (status, _) = post(
        viewer.clone(),
        json!({"deliveryType": "PULL", "tagSets": [["a"]]}),
    )
    .await;
    assert_eq!(status, 403);

    let (status, created) = post(
        token.clone(),
        json!({"deliveryType": "PULL", "tagSets": [["a"]], "payloadMode": "WRAPPED_EVENT",
               "workspaceConstraint": "ANY"}),
    )
    .await;
    assert_eq!(status, 200);
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["data"]["workspaceId"], sb.workspace_id());
    let offset = sb.emit_webhook_event(&["a", "b"], json!({"x": 1}));
    let b = batch(&sb, &token, &id, "").await;
    assert_eq!(b[0]["payload"]["event"]["x"], 1);
    assert_eq!(b[0]["payload"]["subscriptionId"], id.as_str());
    assert_eq!(b[0]["offset"], offset);

    let (status, list) = send(reqwest::Method::GET, sb.url(), SUBS, &viewer, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["cursor"]["offset"], offset);
    let path = format!("{SUBS}/{id}");
    // The viewer may not delete; the admin deletes once, then it is gone.
    for (bearer, status) in [(&viewer, 403), (&token, 200), (&token, 404)] {
        let (got, _) = send(reqwest::Method::DELETE, sb.url(), &path, bearer, None).await;
        assert_eq!(got, status);
    }
    assert_eq!(
        send(
            reqwest::Method::GET,
            sb.url(),
            &format!("{path}/events"),
            &token,
            None
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn control_api_emits_and_sets_batch_size_and_retention() {
    let (sb, token) = small_with_token().await;
    let id = subscribe(&sb, &token, json!([["custom"]])).await;
    let resp: Value = control_post(
        sb.url(),
        "webhooks/events",
        &json!({"tags": ["custom"], "payload": {"k": "v"}, "count": 5}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(resp["offsets"].as_array().unwrap().len(), 5);
    let bad = control_post(sb.url(), "webhooks/events", &json!({"tags": []})).await;
    assert_eq!(bad.status(), 400);
    let settings: Value = control_post(sb.url(), "webhooks", &json!({"batch_size": 2}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["batch_size"], 2);
    assert_eq!(settings["cursors"][&id], resp["offsets"][0]);
    assert_eq!(batch(&sb, &token, &id, "").await.len(), 2);
    // Retention zero: every event logged so far is gone.
    let r = control_post(sb.url(), "webhooks", &json!({"retention_secs": 0})).await;
    assert_eq!(r.status(), 200);
    assert!(batch(&sb, &token, &id, "").await.is_empty());
}

#[tokio::test]
async fn instance_listener_is_named_by_tokens_and_counted_apart() {
    let sb = Sandbox::builder()
        .fact_sheets(50)
        .instance_listener(true)
        .start()
        .unwrap();
    let instance = sb.instance_url().unwrap().to_owned();
    assert_ne!(instance, sb.url());
    let token = access_token(sb.url(), sb.api_token()).await;
    assert_eq!(jwt_part(&token, 1)["instanceUrl"], instance.as_str());

    let resp = get(&instance, &format!("{FACT_SHEETS_PATH}?pageSize=5"), &token).await;
    assert_eq!(resp.status(), 200);
    // The instance does not issue tokens, nor answer the control API.
    let resp = exchange_raw(&instance, sb.api_token()).await;
    assert_eq!(resp.status(), 404);
    let resp = control_get(&instance, "stats").await;
    assert_eq!(resp.status(), 404);

    let main = sb.stats();
    let inst = sb.instance_stats();
    assert_eq!(main.token_exchanges, 1);
    assert_eq!(main.total(Endpoint::Any), 0);
    assert_eq!(inst.requests(Endpoint::FactSheets, 200), 1);
    assert_eq!(inst.by_endpoint()["other"][&404], 1);
    let json: Value = control_get(sb.url(), "stats?listener=instance")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["requests"]["factSheets"]["200"], 1);
    let info: Value = control_get(sb.url(), "info").await.json().await.unwrap();
    assert_eq!(info["instance_url"], instance.as_str());
    sb.reset();
    assert_eq!(sb.instance_stats().total(Endpoint::Any), 0);
}

#[tokio::test]
async fn without_instance_listener_tokens_name_the_main_origin() {
    let sb = small();
    assert_eq!(sb.instance_url(), None);
    let token = access_token(sb.url(), sb.api_token()).await;
    assert_eq!(jwt_part(&token, 1)["instanceUrl"], sb.url());
}
