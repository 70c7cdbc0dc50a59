//! The Integration API: runs through their states, LDIF applied to the
//! inventory, warnings paging, results, processor configurations, fast runs.

mod common;

use std::time::{Duration, Instant};

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

const BASE: &str = "/services/integration-api/v1";

/// The Integration API of one sandbox, called as one user (with that user's access token).
struct Api<'a> {
    sb: &'a Sandbox,
    token: String,
}

impl<'a> Api<'a> {
    /// Exchanges `api_token` (the admin's or the viewer's) and calls as that user.
    async fn sign_in(sb: &'a Sandbox, api_token: &str) -> Api<'a> {
        let token = access_token(sb.url(), api_token).await;
        Api { sb, token }
    }

    /// Calls `method` on `path` below the API's base; the status and the JSON body (null if
    /// empty).
    async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let url = format!("{}{BASE}{path}", self.sb.url());
        let mut req = client()
            .request(method.parse().unwrap(), url)
            .bearer_auth(&self.token);
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

    /// `GET path`.
    async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None).await
    }

    /// `POST path` with a JSON body.
    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call("POST", path, Some(body)).await
    }

    /// `GET /synchronizationRuns/{id}/{what}`: one of the run's status, progress, warnings,
    /// results or resultsUrl.
    async fn run_get(&self, id: &str, what: &str) -> (u16, Value) {
        self.get(&format!("/synchronizationRuns/{id}/{what}")).await
    }

    /// `POST /synchronizationRuns/{id}/{action}` without a body: start or stop the run.
    async fn run_post(&self, id: &str, action: &str) -> (u16, Value) {
        self.call("POST", &format!("/synchronizationRuns/{id}/{action}"), None)
            .await
    }

    /// Creates a run of `ldif` (`query` such as `?start=true`) and returns its id.
    async fn create(&self, query: &str, ldif: &Value) -> String {
        let (status, body) = self
            .post(&format!("/synchronizationRuns{query}"), ldif)
            .await;
        assert_eq!(status, 200, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// The run's status, checking that the answer names the run and its description.
    async fn status(&self, id: &str) -> String {
        let (code, body) = self.run_get(id, "status").await;
        assert_eq!(code, 200);
        assert_eq!(
            (&body["id"], &body["description"]),
            (&json!(id), &json!("a test run"))
        );
        body["status"].as_str().unwrap().to_owned()
    }

    /// The fact sheets whose full text matches `name`, through GraphQL.
    async fn by_external_id(&self, name: &str) -> Vec<Value> {
        let q = "query($t: String) { allFactSheets(filter: {fullTextSearch: $t}) { edges { node {
        name type description externalId { externalId } } } } }";
        let body = graphql_json(
            self.sb.url(),
            &self.token,
            &json!({"query": q, "variables": {"t": name}}),
        )
        .await;
        body["data"]["allFactSheets"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect()
    }
}

/// The answer to a refused call: `status` and the one error message.
fn refused(status: u16, message: &str) -> (u16, Value) {
    (status, json!({ "errors": [message] }))
}

/// A run request: the test connector, `direction` and `content`.
fn ldif(direction: &str, content: Value) -> Value {
    json!({"connectorType": "sandboxTest", "connectorId": "test-1", "connectorVersion": "1.0.0",
           "lxVersion": "1.0.0", "description": "a test run", "processingDirection": direction,
           "processingMode": "partial", "content": content})
}

/// POSTs `settings` as they are (no content type) to `/_sandbox/integration`; the settings now
/// in force.
async fn set_integration_raw(sb: &Sandbox, settings: &'static str) -> Value {
    client()
        .post(format!("{}/_sandbox/integration", sb.url()))
        .body(settings)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A small sandbox whose runs pass through their states at once.
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
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let resp = control_post(sb.url(), "integration", &json!({"sync_run_state_ms": 1000})).await;
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"sync_run_state_ms": 1000, "sync_run_manual": false, "sync_run_sequentialized": false})
    );
    let content = json!([{"type": "Application", "id": "ext-a", "data": {"name": "Zeta Ledger", "description": "from LDIF"}}]);
    let id = api.create("", &ldif("inbound", content)).await;
    assert_eq!(api.status(&id).await, "CREATED");
    let (code, body) = api.run_post(&id, "start").await;
    assert_eq!((code, body), (200, Value::Null));
    assert_eq!(api.status(&id).await, "PENDING");
    let (code, _) = api.run_post(&id, "start").await;
    assert_eq!(code, 400, "a run starts once");

    let mut seen = vec!["PENDING".to_owned()];
    let deadline = Instant::now() + Duration::from_secs(20);
    while seen.last().unwrap() != "FINISHED" {
        assert!(Instant::now() < deadline, "{seen:?}");
        let s = api.status(&id).await;
        if seen.last() != Some(&s) {
            seen.push(s);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen, ["PENDING", "IN_PROGRESS", "FINISHED"]);
    let (_, progress) = api.run_get(&id, "progress").await;
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
    let created = api.by_external_id("Zeta Ledger").await;
    assert_eq!(
        created,
        [
            json!({"name": "Zeta Ledger", "type": "Application", "description": "from LDIF",
                                "externalId": {"externalId": "ext-a"}})
        ]
    );
    // Inbound runs have no output LDIF.
    let (code, _) = api.run_get(&id, "results").await;
    assert_eq!(code, 204);
    let (_, url) = api.run_get(&id, "resultsUrl").await;
    assert_eq!(url, json!({"url": null}));
    let stats = sb.stats();
    assert_eq!((stats.sync_runs("FINISHED"), stats.writes), (1, 1));
    let (_, list) = api.get("/synchronizationRuns").await;
    assert_eq!(
        list,
        json!([{"id": id, "status": "FINISHED", "description": "a test run"}])
    );
}

#[tokio::test]
async fn inbound_content_creates_updates_by_external_id_and_warns() {
    let sb = instant();
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let first = json!([
        {"type": "Application", "id": "crm", "data": {"name": "Omega CRM", "description": "v1"}},
        {"type": "Deployment", "id": "k8s-1", "data": {"name": "x"}},
        {"type": "ITComponent", "id": "nameless", "data": {"description": "no name"}},
    ]);
    let id = api.create("?start=true", &ldif("inbound", first)).await;
    assert_eq!(api.status(&id).await, "FINISHED");
    let (_, warnings) = api.run_get(&id, "warnings").await;
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
    let (_, progress) = api.run_get(&id, "progress").await;
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
    let id = api.create("?start=true", &ldif("inbound", second)).await;
    assert_eq!(api.status(&id).await, "FINISHED");
    let found = api.by_external_id("Omega CRM").await;
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
    let id = api
        .create("?start=true&test=true", &ldif("inbound", third))
        .await;
    assert_eq!(api.status(&id).await, "FINISHED");
    assert_eq!(
        api.by_external_id("Omega CRM").await[0]["description"],
        "v2"
    );
    assert!(api.by_external_id("Dry Run Process").await.is_empty());
    assert_eq!(sb.stats().writes, 2);
    let (code, body) = api
        .post(
            "/synchronizationRuns?test=true",
            &ldif("inbound", json!([])),
        )
        .await;
    assert_eq!(
        (code, body),
        refused(400, "The parameter 'test' requires 'start=true'")
    );
}

#[tokio::test]
async fn a_run_fails_with_the_fault_and_changes_nothing() {
    let sb = instant();
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let resp = control_post(
        sb.url(),
        "faults",
        &json!({"endpoint": "integration", "kind": "sync_run_fail"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let content = json!([{"type": "Application", "id": "f1", "data": {"name": "Doomed App"}}]);
    let failed = api
        .create("?start=true", &ldif("inbound", content.clone()))
        .await;
    assert_eq!(api.status(&failed).await, "FAILED");
    let (_, warnings) = api.run_get(&failed, "warnings").await;
    assert_eq!(warnings[0]["status"], "ERROR");
    assert!(api.by_external_id("Doomed App").await.is_empty());
    // Only the next run fails.
    let ok = api.create("?start=true", &ldif("inbound", content)).await;
    assert_eq!(api.status(&ok).await, "FINISHED");
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
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let content = json!([{"type": "Application", "id": "s1", "data": {"name": "Never Made"}}]);
    let id = api.create("?start=true", &ldif("inbound", content)).await;
    assert_eq!(api.status(&id).await, "PENDING");
    assert_eq!(api.run_post(&id, "stop").await, (200, Value::Null));
    assert_eq!(api.status(&id).await, "STOPPED");
    let (code, body) = api.run_post(&id, "stop").await;
    assert_eq!(code, 400);
    assert_eq!(
        body["errors"][0],
        format!("The synchronization run {id} is neither pending nor in progress")
    );
    let created = api.create("", &ldif("inbound", json!([]))).await;
    assert_eq!(api.run_post(&created, "stop").await.0, 400);
    assert_eq!(sb.stats().sync_runs("STOPPED"), 1);
    let (code, body) = api.get("/synchronizationRuns/nope/status").await;
    assert_eq!(
        (code, body),
        refused(404, "No synchronization run with id 'nope' exists")
    );
}

#[tokio::test]
async fn outbound_results_are_204_until_ready_then_the_ldif() {
    let sb = small();
    sb.set_sync_run_state_duration(Duration::from_secs(3600));
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let waiting = api
        .create("?start=true", &ldif("outbound", json!([])))
        .await;
    let results = |id: &str| format!("/synchronizationRuns/{id}/results");
    assert_eq!(api.get(&results(&waiting)).await, (204, Value::Null));
    let (_, url) = api.run_get(&waiting, "resultsUrl").await;
    assert_eq!(url, json!({"url": null}));

    sb.set_sync_run_state_duration(Duration::ZERO);
    sb.inject(Endpoint::Integration, Fault::ResultsPending, 3);
    let id = api
        .create("?start=true", &ldif("outbound", json!([])))
        .await;
    assert_eq!(api.status(&id).await, "FINISHED");
    for _ in 0..3 {
        assert_eq!(api.get(&results(&id)).await.0, 204);
    }
    let (code, out) = api.get(&results(&id)).await;
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
    let (_, url) = api.run_get(&id, "resultsUrl").await;
    assert_eq!(url["url"], format!("{}{BASE}{}", sb.url(), results(&id)));
    let (_, progress) = api.run_get(&id, "progress").await;
    assert_eq!(
        (&progress["contentsCount"], &progress["itemsInScopeCount"]),
        (&json!(120), &json!(120))
    );
}

#[tokio::test]
async fn warnings_page_by_the_vendor_rules() {
    let sb = instant();
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let content: Vec<Value> = (0..250)
        .map(|i| json!({"type": "Spaceship", "id": format!("s{i}"), "data": {}}))
        .collect();
    let id = api
        .create("?start=true", &ldif("inbound", content.into()))
        .await;
    let warnings = |q: &str| format!("/synchronizationRuns/{id}/warnings{q}");
    for (q, items, first) in [
        ("", 100, "s0"),
        ("?offset=100&limit=100", 100, "s100"),
        ("?offset=200&limit=100", 50, "s200"),
        ("?offset=150&limit=50", 50, "s150"),
        ("?offset=300&limit=100", 0, ""),
    ] {
        let (code, body) = api.get(&warnings(q)).await;
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
        let (code, body) = api.get(&warnings(q)).await;
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
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let viewer = Api::sign_in(&sb, sb.viewer_api_token()).await;
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
        viewer.call("PUT", "/configurations", Some(&config)).await.0,
        403
    );
    assert_eq!(
        api.call("PUT", "/configurations", Some(&config)).await,
        (204, Value::Null)
    );
    let (code, body) = api
        .call(
            "PUT",
            "/configurations",
            Some(&json!({"connectorType": "x"})),
        )
        .await;
    assert_eq!(code, 400);
    assert_eq!(body["errors"].as_array().unwrap().len(), 3);
    let (_, list) = viewer
        .get("/configurations?connectorId=test-1&processingMode=partial")
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["processingMode"], "partial");
    assert_eq!(
        api.get("/configurations?connectorId=other").await.1,
        json!([])
    );

    let content = json!([{"type": "Deployment", "id": "7", "data": {"app": "Kappa Billing", "cluster": "west"}},
                         {"type": "Application", "id": "ignored", "data": {"name": "Not Deployed"}}]);
    let id = api.create("?start=true", &ldif("inbound", content)).await;
    assert_eq!(api.status(&id).await, "FINISHED");
    let made = api.by_external_id("Kappa Billing").await;
    assert_eq!(
        made,
        [
            json!({"name": "Kappa Billing", "type": "Application", "description": "Runs on west",
                             "externalId": {"externalId": "k8s-7"}})
        ]
    );
    assert!(api.by_external_id("Not Deployed").await.is_empty());
    let (_, warnings) = api.run_get(&id, "warnings").await;
    assert_eq!(
        warnings[0]["processor"],
        json!({"name": "Relations", "index": 1})
    );

    let key = "connectorType=sandboxTest&connectorId=test-1&connectorVersion=1.0.0&processingDirection=inbound";
    assert_eq!(
        api.call("DELETE", &format!("/configurations?{key}"), None)
            .await
            .0,
        400
    );
    let all = format!("/configurations?{key}&processingMode=partial");
    assert_eq!(api.call("DELETE", &all, None).await, (204, Value::Null));
    assert_eq!(api.call("DELETE", &all, None).await.0, 404);
    assert_eq!(api.get("/configurations").await.1, json!([]));
}

#[tokio::test]
async fn fast_runs_answer_at_once_inbound_only() {
    let sb = small();
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let viewer = Api::sign_in(&sb, sb.viewer_api_token()).await;
    let content = json!([{"type": "Project", "id": "p1", "data": {"name": "Fast Lane"}},
                         {"type": "Robot", "id": "r1", "data": {"name": "x"}}]);
    let (code, body) = api
        .post(
            "/fastSynchronizationRuns?test=true",
            &ldif("inbound", content.clone()),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(body["status"], "FINISHED");
    assert!(
        api.by_external_id("Fast Lane").await.is_empty(),
        "a test changes nothing"
    );
    let (_, body) = api
        .post(
            "/fastSynchronizationRuns",
            &ldif("inbound", content.clone()),
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
    assert_eq!(api.by_external_id("Fast Lane").await.len(), 1);

    let (code, body) = api
        .post("/fastSynchronizationRuns", &ldif("outbound", json!([])))
        .await;
    assert_eq!(
        (code, body),
        refused(400, "Fast execution does not support outbound yet.")
    );
    let (code, body) = api
        .post("/fastSynchronizationRuns", &json!({"content": []}))
        .await;
    assert_eq!(code, 400);
    assert_eq!(body["errors"].as_array().unwrap().len(), 5);
    let (code, body) = viewer
        .post("/fastSynchronizationRuns", &ldif("inbound", content))
        .await;
    assert_eq!(
        (code, body),
        refused(
            403,
            "Access denied: role VIEWER may not change integrations"
        )
    );
    assert_eq!(
        viewer
            .post("/synchronizationRuns", &ldif("inbound", json!([])))
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
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let settings = set_integration_raw(&sb, r#"{"sync_run_manual":true}"#).await;
    assert_eq!(settings["sync_run_manual"], true);
    let id = api.create("?start=true", &ldif("inbound", json!([]))).await;
    assert_eq!(api.status(&id).await, "PENDING");
    assert_eq!(sb.advance_sync_runs(), 1);
    assert_eq!(api.status(&id).await, "IN_PROGRESS");
    let advanced = client()
        .post(format!("{}/_sandbox/integration/advance", sb.url()))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(advanced, json!({"advanced": 1}));
    assert_eq!(api.status(&id).await, "FINISHED");
    assert_eq!(sb.advance_sync_runs(), 0);
}

/// With the SEQUENTIALIZED step on (LeanIX's order), a started run is queued before it is
/// pending: CREATED, SEQUENTIALIZED, PENDING, IN_PROGRESS, FINISHED, one advance each; a
/// sequentialized run can be stopped.
#[tokio::test]
async fn runs_pass_through_sequentialized_when_it_is_on() {
    let sb = small();
    let api = Api::sign_in(&sb, sb.api_token()).await;
    let settings = set_integration_raw(
        &sb,
        r#"{"sync_run_manual":true,"sync_run_sequentialized":true}"#,
    )
    .await;
    assert_eq!(
        (
            &settings["sync_run_manual"],
            &settings["sync_run_sequentialized"]
        ),
        (&json!(true), &json!(true))
    );
    let content = json!([{"type": "Application", "id": "seq", "data": {"name": "Queued App"}}]);
    let id = api.create("", &ldif("inbound", content)).await;
    let mut seen = vec![api.status(&id).await];
    let (code, _) = api.run_post(&id, "start").await;
    assert_eq!(code, 200);
    seen.push(api.status(&id).await);
    while sb.advance_sync_runs() == 1 {
        seen.push(api.status(&id).await);
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
    assert_eq!(api.by_external_id("Queued App").await.len(), 1);

    let stopped = api.create("?start=true", &ldif("inbound", json!([]))).await;
    assert_eq!(api.status(&stopped).await, "SEQUENTIALIZED");
    let (code, _) = api.run_post(&stopped, "stop").await;
    assert_eq!(code, 200);
    assert_eq!(api.status(&stopped).await, "STOPPED");
    assert_eq!(sb.advance_sync_runs(), 0);

    // Off again: a started run is PENDING at once.
    sb.set_sync_run_sequentialized(false);
    let plain = api.create("?start=true", &ldif("inbound", json!([]))).await;
    assert_eq!(api.status(&plain).await, "PENDING");
}
