//! The Integration API: runs through their states, LDIF applied to the
//! inventory, warnings paging, results, processor configurations, fast runs.

mod common;

use std::time::{Duration, Instant};

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

const BASE: &str = "/services/integration-api/v1";

/// Calls the Integration API; returns the status and the JSON body (null if empty).
async fn call(
    sb: &Sandbox,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let url = format!("{}{BASE}{path}", sb.url());
    let mut req = client()
        .request(method.parse().unwrap(), url)
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        },
    )
}

fn ldif(direction: &str, content: Value) -> Value {
    json!({"connectorType": "sandboxTest", "connectorId": "test-1", "connectorVersion": "1.0.0",
           "lxVersion": "1.0.0", "description": "a test run", "processingDirection": direction,
           "processingMode": "partial", "content": content})
}

async fn create(sb: &Sandbox, token: &str, query: &str, ldif: &Value) -> String {
    let (status, body) = call(
        sb,
        token,
        "POST",
        &format!("/synchronizationRuns{query}"),
        Some(ldif),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn status(sb: &Sandbox, token: &str, id: &str) -> String {
    let (code, body) = call(
        sb,
        token,
        "GET",
        &format!("/synchronizationRuns/{id}/status"),
        None,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        (&body["id"], &body["description"]),
        (&json!(id), &json!("a test run"))
    );
    body["status"].as_str().unwrap().to_owned()
}

async fn by_external_id(sb: &Sandbox, token: &str, name: &str) -> Vec<Value> {
    let q = "query($t: String) { allFactSheets(filter: {fullTextSearch: $t}) { edges { node {
        name type description externalId { externalId } } } } }";
    let body: Value = graphql(
        sb.url(),
        token,
        &json!({"query": q, "variables": {"t": name}}),
    )
    .await
    .json()
    .await
    .unwrap();
    body["data"]["allFactSheets"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn instant() -> Sandbox {
    Sandbox::builder()
        .fact_sheets(120)
        .sync_run_state_duration(Duration::ZERO)
        .start()
        .unwrap()
}

#[tokio::test]
async fn a_started_run_goes_through_every_state_and_applies_its_ldif() {
    let sb = small();
    let token = access_token(sb.url(), sb.api_token()).await;
    let resp = client()
        .post(format!("{}/_sandbox/integration", sb.url()))
        .json(&json!({"sync_run_state_ms": 1000}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"sync_run_state_ms": 1000, "sync_run_manual": false, "sync_run_sequentialized": false})
    );
    let content = json!([{"type": "Application", "id": "ext-a", "data": {"name": "Zeta Ledger", "description": "from LDIF"}}]);
    let id = create(&sb, &token, "", &ldif("inbound", content)).await;
    assert_eq!(status(&sb, &token, &id).await, "CREATED");
    let (code, body) = call(
        &sb,
        &token,
        "POST",
        &format!("/synchronizationRuns/{id}/start"),
        None,
    )
    .await;
    assert_eq!((code, body), (200, Value::Null));
    assert_eq!(status(&sb, &token, &id).await, "PENDING");
    let (code, _) = call(
        &sb,
        &token,
        "POST",
        &format!("/synchronizationRuns/{id}/start"),
        None,
    )
    .await;
    assert_eq!(code, 400, "a run starts once");

    let mut seen = vec!["PENDING".to_owned()];
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.last().unwrap() != "FINISHED" {
        assert!(Instant::now() < deadline, "{seen:?}");
        let s = status(&sb, &token, &id).await;
        if seen.last() != Some(&s) {
            seen.push(s);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen, ["PENDING", "IN_PROGRESS", "FINISHED"]);
    let (_, progress) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/progress"),
        None,
    )
    .await;
    assert_eq!(progress["status"], "FINISHED");
    assert_eq!(
        (
            &progress["processedContentCount"],
            &progress["errorCount"],
            &progress["warningsCount"]
        ),
        (&json!(1), &json!(0), &json!(0))
    );
    assert_eq!(
        (&progress["contentsCount"], &progress["itemsInScopeCount"]),
        (&json!(1), &json!(1))
    );
    let created = by_external_id(&sb, &token, "Zeta Ledger").await;
    assert_eq!(
        created,
        [
            json!({"name": "Zeta Ledger", "type": "Application", "description": "from LDIF",
                                "externalId": {"externalId": "ext-a"}})
        ]
    );
    // Inbound runs have no output LDIF.
    let (code, _) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/results"),
        None,
    )
    .await;
    assert_eq!(code, 204);
    let (_, url) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/resultsUrl"),
        None,
    )
    .await;
    assert_eq!(url, json!({"url": null}));
    let stats = sb.stats();
    assert_eq!((stats.sync_runs("FINISHED"), stats.writes), (1, 1));
    let (_, list) = call(&sb, &token, "GET", "/synchronizationRuns", None).await;
    assert_eq!(
        list,
        json!([{"id": id, "status": "FINISHED", "description": "a test run"}])
    );
}

#[tokio::test]
async fn inbound_content_creates_updates_by_external_id_and_warns() {
    let sb = instant();
    let token = access_token(sb.url(), sb.api_token()).await;
    let first = json!([
        {"type": "Application", "id": "crm", "data": {"name": "Omega CRM", "description": "v1"}},
        {"type": "Deployment", "id": "k8s-1", "data": {"name": "x"}},
        {"type": "ITComponent", "id": "nameless", "data": {"description": "no name"}},
    ]);
    let id = create(&sb, &token, "?start=true", &ldif("inbound", first)).await;
    assert_eq!(status(&sb, &token, &id).await, "FINISHED");
    let (_, warnings) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/warnings"),
        None,
    )
    .await;
    let processor = json!({"name": "Sandbox default inbound processor", "index": 0});
    assert_eq!(
        warnings,
        json!([
            {"processor": processor, "content": "k8s-1", "message": "Fact sheet type 'Deployment' does not exist",
             "detail": "The content was skipped.", "category": "mapping", "status": "WARNING"},
            {"processor": processor, "content": "nameless", "message": "Fact sheet name is missing",
             "detail": "A ITComponent with external id 'nameless' cannot be created without a name.",
             "category": "mapping", "status": "ERROR"},
        ])
    );
    let (_, progress) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/progress"),
        None,
    )
    .await;
    assert_eq!(
        (
            &progress["processedContentCount"],
            &progress["errorCount"],
            &progress["warningsCount"]
        ),
        (&json!(1), &json!(1), &json!(2)),
        "processed counts only the applied item: the WARNING and the ERROR one were not"
    );
    assert_eq!(
        (&progress["contentsCount"], &progress["itemsInScopeCount"]),
        (&json!(3), &json!(3))
    );

    // The same external id updates instead of creating; name is optional then.
    let second = json!([{"type": "Application", "id": "crm", "data": {"description": "v2"}}]);
    let id = create(&sb, &token, "?start=true", &ldif("inbound", second)).await;
    assert_eq!(status(&sb, &token, &id).await, "FINISHED");
    let found = by_external_id(&sb, &token, "Omega CRM").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["description"], "v2");
    assert_eq!(sb.fact_sheet_count(), 121);
    assert_eq!(
        (sb.stats().writes, sb.stats().sync_runs("FINISHED")),
        (2, 2)
    );

    // A test run computes the same warnings and changes nothing.
    let third = json!([{"type": "Application", "id": "crm", "data": {"description": "v3"}},
                       {"type": "Process", "id": "new", "data": {"name": "Dry Run Process"}}]);
    let id = create(
        &sb,
        &token,
        "?start=true&test=true",
        &ldif("inbound", third),
    )
    .await;
    assert_eq!(status(&sb, &token, &id).await, "FINISHED");
    assert_eq!(
        by_external_id(&sb, &token, "Omega CRM").await[0]["description"],
        "v2"
    );
    assert!(by_external_id(&sb, &token, "Dry Run Process")
        .await
        .is_empty());
    assert_eq!(sb.stats().writes, 2);
    let (code, body) = call(
        &sb,
        &token,
        "POST",
        "/synchronizationRuns?test=true",
        Some(&ldif("inbound", json!([]))),
    )
    .await;
    assert_eq!(
        (code, body),
        (
            400,
            json!({"errors": ["The parameter 'test' requires 'start=true'"]})
        )
    );
}

#[tokio::test]
async fn a_run_fails_with_the_fault_and_changes_nothing() {
    let sb = instant();
    let token = access_token(sb.url(), sb.api_token()).await;
    let resp = client()
        .post(format!("{}/_sandbox/faults", sb.url()))
        .json(&json!({"endpoint": "integration", "kind": "sync_run_fail"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let content = json!([{"type": "Application", "id": "f1", "data": {"name": "Doomed App"}}]);
    let failed = create(
        &sb,
        &token,
        "?start=true",
        &ldif("inbound", content.clone()),
    )
    .await;
    assert_eq!(status(&sb, &token, &failed).await, "FAILED");
    let (_, warnings) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{failed}/warnings"),
        None,
    )
    .await;
    assert_eq!(warnings[0]["status"], "ERROR");
    assert!(by_external_id(&sb, &token, "Doomed App").await.is_empty());
    // Only the next run fails.
    let ok = create(&sb, &token, "?start=true", &ldif("inbound", content)).await;
    assert_eq!(status(&sb, &token, &ok).await, "FINISHED");
    let stats = sb.stats();
    assert_eq!(
        (
            stats.sync_runs("FAILED"),
            stats.sync_runs("FINISHED"),
            stats.writes
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn a_stopped_run_ends_stopped() {
    let sb = small();
    sb.set_sync_run_state_duration(Duration::from_secs(3600));
    let token = access_token(sb.url(), sb.api_token()).await;
    let content = json!([{"type": "Application", "id": "s1", "data": {"name": "Never Made"}}]);
    let id = create(&sb, &token, "?start=true", &ldif("inbound", content)).await;
    assert_eq!(status(&sb, &token, &id).await, "PENDING");
    let stop = format!("/synchronizationRuns/{id}/stop");
    assert_eq!(
        call(&sb, &token, "POST", &stop, None).await,
        (200, Value::Null)
    );
    assert_eq!(status(&sb, &token, &id).await, "STOPPED");
    let (code, body) = call(&sb, &token, "POST", &stop, None).await;
    assert_eq!(code, 400);
    assert_eq!(
        body["errors"][0],
        format!("The synchronization run {id} is neither pending nor in progress")
    );
    let created = create(&sb, &token, "", &ldif("inbound", json!([]))).await;
    assert_eq!(
        call(
            &sb,
            &token,
            "POST",
            &format!("/synchronizationRuns/{created}/stop"),
            None
        )
        .await
        .0,
        400
    );
    assert_eq!(sb.stats().sync_runs("STOPPED"), 1);
    let (code, body) = call(&sb, &token, "GET", "/synchronizationRuns/nope/status", None).await;
    assert_eq!(
        (code, body),
        (
            404,
            json!({"errors": ["No synchronization run with id 'nope' exists"]})
        )
    );
}

#[tokio::test]
async fn outbound_results_are_204_until_ready_then_the_ldif() {
    let sb = small();
    sb.set_sync_run_state_duration(Duration::from_secs(3600));
    let token = access_token(sb.url(), sb.api_token()).await;
    let waiting = create(&sb, &token, "?start=true", &ldif("outbound", json!([]))).await;
    let results = |id: &str| format!("/synchronizationRuns/{id}/results");
    assert_eq!(
        call(&sb, &token, "GET", &results(&waiting), None).await,
        (204, Value::Null)
    );
    let (_, url) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{waiting}/resultsUrl"),
        None,
    )
    .await;
    assert_eq!(url, json!({"url": null}));

    sb.set_sync_run_state_duration(Duration::ZERO);
    sb.inject(Endpoint::Integration, Fault::ResultsPending, 3);
    let id = create(&sb, &token, "?start=true", &ldif("outbound", json!([]))).await;
    assert_eq!(status(&sb, &token, &id).await, "FINISHED");
    for _ in 0..3 {
        assert_eq!(call(&sb, &token, "GET", &results(&id), None).await.0, 204);
    }
    let (code, out) = call(&sb, &token, "GET", &results(&id), None).await;
    assert_eq!(code, 200);
    assert_eq!(
        (
            &out["processingDirection"],
            &out["connectorId"],
            &out["lxVersion"]
        ),
        (&json!("outbound"), &json!("test-1"), &json!("1.0.0"))
    );
    let content = out["content"].as_array().unwrap();
    assert_eq!(content.len(), 120);
    assert!(content[0]["data"]["name"].is_string() && content[0]["id"].is_string());
    let (_, url) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/resultsUrl"),
        None,
    )
    .await;
    assert_eq!(url["url"], format!("{}{BASE}{}", sb.url(), results(&id)));
    let (_, progress) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/progress"),
        None,
    )
    .await;
    assert_eq!(
        (&progress["contentsCount"], &progress["itemsInScopeCount"]),
        (&json!(120), &json!(120))
    );
}

#[tokio::test]
async fn warnings_page_by_the_vendor_rules() {
    let sb = instant();
    let token = access_token(sb.url(), sb.api_token()).await;
    let content: Vec<Value> = (0..250)
        .map(|i| json!({"type": "Spaceship", "id": format!("s{i}"), "data": {}}))
        .collect();
    let id = create(&sb, &token, "?start=true", &ldif("inbound", content.into())).await;
    let warnings = |q: &str| format!("/synchronizationRuns/{id}/warnings{q}");
    for (q, items, first) in [
        ("", 100, "s0"),
        ("?offset=100&limit=100", 100, "s100"),
        ("?offset=200&limit=100", 50, "s200"),
        ("?offset=150&limit=50", 50, "s150"),
        ("?offset=300&limit=100", 0, ""),
    ] {
        let (code, body) = call(&sb, &token, "GET", &warnings(q), None).await;
        assert_eq!(code, 200, "{q}");
        let list = body.as_array().unwrap();
        assert_eq!(list.len(), items, "{q}");
        assert_eq!(
            list.first().map_or("", |w| w["content"].as_str().unwrap()),
            first,
            "{q}"
        );
    }
    for q in [
        "?offset=50&limit=100",
        "?limit=101",
        "?limit=0",
        "?offset=-1",
        "?limit=x",
    ] {
        let (code, body) = call(&sb, &token, "GET", &warnings(q), None).await;
        assert_eq!(code, 400, "{q}");
        assert!(
            body["errors"][0]
                .as_str()
                .unwrap()
                .contains("offset MOD limit"),
            "{q}"
        );
    }
}

#[tokio::test]
async fn processor_configurations_are_stored_per_key_and_drive_runs() {
    let sb = instant();
    let token = access_token(sb.url(), sb.api_token()).await;
    let viewer = access_token(sb.url(), sb.viewer_api_token()).await;
    let config = json!({
        "connectorType": "sandboxTest", "connectorId": "test-1", "connectorVersion": "1.0.0",
        "processingDirection": "inbound",
        "processors": [{
            "processorType": "inboundFactSheet", "processorName": "Deployments", "type": "Application",
            "filter": {"exactType": "Deployment"},
            "identifier": {"external": {"id": {"expr": "k8s-${content.id}"}, "type": {"expr": "externalId"}}},
            "updates": [{"key": {"expr": "name"}, "values": [{"expr": "${data.app}"}]},
                        {"key": {"expr": "description"}, "values": [{"expr": "Runs on ${data.cluster}"}]}],
        }, {"processorType": "inboundRelation", "processorName": "Relations"}],
    });
    assert_eq!(
        call(&sb, &viewer, "PUT", "/configurations", Some(&config))
            .await
            .0,
        403
    );
    assert_eq!(
        call(&sb, &token, "PUT", "/configurations", Some(&config)).await,
        (204, Value::Null)
    );
    let (code, body) = call(
        &sb,
        &token,
        "PUT",
        "/configurations",
        Some(&json!({"connectorType": "x"})),
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(body["errors"].as_array().unwrap().len(), 3);
    let (_, list) = call(
        &sb,
        &viewer,
        "GET",
        "/configurations?connectorId=test-1&processingMode=partial",
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["processingMode"], "partial");
    assert_eq!(
        call(
            &sb,
            &token,
            "GET",
            "/configurations?connectorId=other",
            None
        )
        .await
        .1,
        json!([])
    );

    let content = json!([{"type": "Deployment", "id": "7", "data": {"app": "Kappa Billing", "cluster": "west"}},
                         {"type": "Application", "id": "ignored", "data": {"name": "Not Deployed"}}]);
    let id = create(&sb, &token, "?start=true", &ldif("inbound", content)).await;
    assert_eq!(status(&sb, &token, &id).await, "FINISHED");
    let made = by_external_id(&sb, &token, "Kappa Billing").await;
    assert_eq!(
        made,
        [
            json!({"name": "Kappa Billing", "type": "Application", "description": "Runs on west",
                             "externalId": {"externalId": "k8s-7"}})
        ]
    );
    assert!(by_external_id(&sb, &token, "Not Deployed").await.is_empty());
    let (_, warnings) = call(
        &sb,
        &token,
        "GET",
        &format!("/synchronizationRuns/{id}/warnings"),
        None,
    )
    .await;
    assert_eq!(
        warnings[0]["processor"],
        json!({"name": "Relations", "index": 1})
    );

    let key = "connectorType=sandboxTest&connectorId=test-1&connectorVersion=1.0.0&processingDirection=inbound";
    assert_eq!(
        call(
            &sb,
            &token,
            "DELETE",
            &format!("/configurations?{key}"),
            None
        )
        .await
        .0,
        400
    );
    let all = format!("/configurations?{key}&processingMode=partial");
    assert_eq!(
        call(&sb, &token, "DELETE", &all, None).await,
        (204, Value::Null)
    );
    assert_eq!(call(&sb, &token, "DELETE", &all, None).await.0, 404);
    assert_eq!(
        call(&sb, &token, "GET", "/configurations", None).await.1,
        json!([])
    );
}

#[tokio::test]
async fn fast_runs_answer_at_once_inbound_only() {
    let sb = small();
    let token = access_token(sb.url(), sb.api_token()).await;
    let viewer = access_token(sb.url(), sb.viewer_api_token()).await;
    let content = json!([{"type": "Project", "id": "p1", "data": {"name": "Fast Lane"}},
                         {"type": "Robot", "id": "r1", "data": {"name": "x"}}]);
    let (code, body) = call(
        &sb,
        &token,
        "POST",
        "/fastSynchronizationRuns?test=true",
        Some(&ldif("inbound", content.clone())),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(body["status"], "FINISHED");
    assert!(
        by_external_id(&sb, &token, "Fast Lane").await.is_empty(),
        "a test changes nothing"
    );
    let (_, body) = call(
        &sb,
        &token,
        "POST",
        "/fastSynchronizationRuns",
        Some(&ldif("inbound", content.clone())),
    )
    .await;
    assert_eq!(
        (&body["status"], &body["results"]),
        (&json!("FINISHED"), &Value::Null)
    );
    assert_eq!(body["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            &body["stats"]["processedContentCount"],
            &body["stats"]["processorCount"]
        ),
        (&json!(1), &json!(1)),
        "the Robot was skipped with a warning: not processed"
    );
    assert!(body["stats"]["duration"]
        .as_str()
        .unwrap()
        .starts_with("PT"));
    assert_eq!(by_external_id(&sb, &token, "Fast Lane").await.len(), 1);

    let (code, body) = call(
        &sb,
        &token,
        "POST",
        "/fastSynchronizationRuns",
        Some(&ldif("outbound", json!([]))),
    )
    .await;
    assert_eq!(
        (code, body),
        (
            400,
            json!({"errors": ["Fast execution does not support outbound yet."]})
        )
    );
    let (code, body) = call(
        &sb,
        &token,
        "POST",
        "/fastSynchronizationRuns",
        Some(&json!({"content": []})),
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(body["errors"].as_array().unwrap().len(), 5);
    let (code, body) = call(
        &sb,
        &viewer,
        "POST",
        "/fastSynchronizationRuns",
        Some(&ldif("inbound", content)),
    )
    .await;
    assert_eq!(
        (code, body),
        (
            403,
            json!({"errors": ["Access denied: role VIEWER may not change integrations"]})
        )
    );
    assert_eq!(
        call(
            &sb,
            &viewer,
            "POST",
            "/synchronizationRuns",
            Some(&ldif("inbound", json!([])))
        )
        .await
        .0,
        403
    );
    let stats = sb.stats();
    assert_eq!((stats.sync_runs("FINISHED"), stats.writes), (2, 1));
    assert_eq!(stats.requests(Endpoint::Integration, 403), 2);
}

/// Manual mode: a started run waits in each state until it is advanced (through the Rust API
/// or `POST /_sandbox/integration/advance`), whatever time passes.
#[tokio::test]
async fn manual_runs_move_only_when_advanced() {
    let sb = small();
    let token = access_token(sb.url(), sb.api_token()).await;
    let settings = client()
        .post(format!("{}/_sandbox/integration", sb.url()))
        .body(r#"{"sync_run_manual":true}"#)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(settings["sync_run_manual"], true);
    let id = create(&sb, &token, "?start=true", &ldif("inbound", json!([]))).await;
    assert_eq!(status(&sb, &token, &id).await, "PENDING");
    assert_eq!(sb.advance_sync_runs(), 1);
    assert_eq!(status(&sb, &token, &id).await, "IN_PROGRESS");
    let advanced = client()
        .post(format!("{}/_sandbox/integration/advance", sb.url()))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(advanced, json!({"advanced": 1}));
    assert_eq!(status(&sb, &token, &id).await, "FINISHED");
    assert_eq!(sb.advance_sync_runs(), 0);
}

/// With the SEQUENTIALIZED step on (LeanIX's order), a started run is queued before it is
/// pending: CREATED, SEQUENTIALIZED, PENDING, IN_PROGRESS, FINISHED, one advance each; a
/// sequentialized run can be stopped.
#[tokio::test]
async fn runs_pass_through_sequentialized_when_it_is_on() {
    let sb = small();
    let token = access_token(sb.url(), sb.api_token()).await;
    let settings = client()
        .post(format!("{}/_sandbox/integration", sb.url()))
        .body(r#"{"sync_run_manual":true,"sync_run_sequentialized":true}"#)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        (
            &settings["sync_run_manual"],
            &settings["sync_run_sequentialized"]
        ),
        (&json!(true), &json!(true))
    );
    let content = json!([{"type": "Application", "id": "seq", "data": {"name": "Queued App"}}]);
    let id = create(&sb, &token, "", &ldif("inbound", content)).await;
    let mut seen = vec![status(&sb, &token, &id).await];
    let (code, _) = call(
        &sb,
        &token,
        "POST",
        &format!("/synchronizationRuns/{id}/start"),
        None,
    )
    .await;
    assert_eq!(code, 200);
    seen.push(status(&sb, &token, &id).await);
    while sb.advance_sync_runs() == 1 {
        seen.push(status(&sb, &token, &id).await);
    }
    assert_eq!(
        seen,
        [
            "CREATED",
            "SEQUENTIALIZED",
            "PENDING",
            "IN_PROGRESS",
            "FINISHED"
        ]
    );
    assert_eq!(by_external_id(&sb, &token, "Queued App").await.len(), 1);

    let stopped = create(&sb, &token, "?start=true", &ldif("inbound", json!([]))).await;
    assert_eq!(status(&sb, &token, &stopped).await, "SEQUENTIALIZED");
    let (code, _) = call(
        &sb,
        &token,
        "POST",
        &format!("/synchronizationRuns/{stopped}/stop"),
        None,
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(status(&sb, &token, &stopped).await, "STOPPED");
    assert_eq!(sb.advance_sync_runs(), 0);

    // Off again: a started run is PENDING at once.
    sb.set_sync_run_sequentialized(false);
    let plain = create(&sb, &token, "?start=true", &ldif("inbound", json!([]))).await;
    assert_eq!(status(&sb, &token, &plain).await, "PENDING");
}
