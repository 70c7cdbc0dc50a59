//! Fact-sheet writes through GraphQL against the sandbox: patches with JSON inside strings,
//! and REVISION_CLASH retries (exactly one re-read of `rev` per clash, bounded), counted on
//! the sandbox's side.

mod common;

use leanix::writes::{is_revision_clash, Patch, PatchOp, UpdateOptions};
use leanix::ErrorKind;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

fn client(sb: &Sandbox, token: &str) -> leanix::Client {
    leanix::Client::builder()
        .host(sb.url())
        .api_token(token)
        .allow_insecure_loopback(true)
        .build()
        .unwrap()
}

async fn some_application(c: &leanix::Client) -> (String, u64) {
    let data = c
        .graphql(
            r#"{ allFactSheets(first: 1, filter: {facetFilters: [{facetKey: "FactSheetTypes", keys: ["Application"]}]}) { edges { node { id rev } } } }"#,
            None,
        )
        .await
        .unwrap();
    let node = &data["allFactSheets"]["edges"][0]["node"];
    (
        node["id"].as_str().unwrap().to_owned(),
        node["rev"].as_u64().unwrap(),
    )
}

fn graphql_calls(sb: &Sandbox) -> u64 {
    sb.stats().total(Endpoint::GraphQl)
}

/// Two concurrent edits: the write clashes twice, re-reads `rev` once per clash and lands on
/// the third try. Reads 3, write attempts 3, one write stored.
#[tokio::test]
async fn revision_clash_is_retried_with_one_reread_per_clash() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, sb.api_token());
    let (id, rev) = some_application(&c).await;
    sb.reset();
    sb.inject(Endpoint::GraphQl, Fault::ConcurrentEdit, 2);
    let patches = [
        Patch::replace("/description", "patched by the core test"),
        Patch::lifecycle(&[("plan", "2023-01-01"), ("active", "2024-01-01")]),
    ];
    let fs = c
        .update_fact_sheet(&id, &patches, UpdateOptions::new().comment("core test"))
        .await
        .unwrap();
    assert_eq!(fs["id"], json!(id));
    assert_eq!(fs["description"], "patched by the core test");
    // Two concurrent edits and ours.
    assert_eq!(fs["rev"].as_u64(), Some(rev + 3));
    // 1 read + 2 re-reads, 3 write attempts; the sandbox stored one write.
    assert_eq!(graphql_calls(&sb), 6);
    assert_eq!(sb.stats().writes, 1);
    let stored = sb.fact_sheet(&id).unwrap();
    assert_eq!(stored["description"], "patched by the core test");
    let phases: Vec<&str> = stored["lifecycle"]["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["plan", "active"]);
}

/// Clashes beyond the bound: with 3 retries, 4 attempts and 4 reads, then the clash itself
/// as a GraphQL error; with 0 retries one read and one attempt. A given `rev` skips the first
/// read.
#[tokio::test]
async fn revision_clash_retries_are_bounded() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, sb.api_token());
    let (id, _) = some_application(&c).await;
    let patch = [Patch::replace("/alias", "clash")];
    for (retries, calls) in [(3u32, 8u64), (0, 2), (1, 4)] {
        sb.reset();
        sb.inject(Endpoint::GraphQl, Fault::ConcurrentEdit, 50);
        let e = c
            .update_fact_sheet(&id, &patch, UpdateOptions::new().clash_retries(retries))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::GraphQl);
        assert!(is_revision_clash(&e), "{e}");
        assert!(e.message().ends_with("[REVISION_CLASH]"), "{e}");
        assert_eq!(graphql_calls(&sb), calls, "retries {retries}");
        assert_eq!(sb.stats().writes, 0);
    }
    sb.clear_faults();
    sb.reset();
    let rev = sb.fact_sheet(&id).unwrap()["rev"].as_u64().unwrap();
    let fs = c
        .update_fact_sheet(&id, &patch, UpdateOptions::new().rev(rev))
        .await
        .unwrap();
    assert_eq!(fs["rev"].as_u64(), Some(rev + 1));
    assert_eq!((graphql_calls(&sb), sb.stats().writes), (1, 1));
}

/// A viewer's write is refused (no retry, no re-read beyond the first); create, tag and
/// archive work for an admin; validateOnly stores nothing.
#[tokio::test]
async fn create_tag_archive_and_refusals() {
    let sb = Sandbox::start().unwrap();
    let admin = client(&sb, sb.api_token());
    let fs = admin
        .create_fact_sheet(
            "Application",
            "Core Write Test",
            &[Patch::external_id("core-write-1")],
            UpdateOptions::new(),
        )
        .await
        .unwrap();
    let id = fs["id"].as_str().unwrap().to_owned();
    assert_eq!(fs["name"], "Core Write Test");
    assert_eq!(
        sb.fact_sheet(&id).unwrap()["externalId"]["externalId"],
        "core-write-1"
    );

    let tagged = admin
        .update_fact_sheet(
            &id,
            &[Patch::tags_by_name(PatchOp::Add, &["GDPR"])],
            UpdateOptions::new().selection("id rev tags { name }"),
        )
        .await
        .unwrap();
    assert_eq!(tagged["tags"], json!([{"name": "GDPR"}]));

    let before = sb.stats().writes;
    let preview = admin
        .update_fact_sheet(
            &id,
            &[Patch::replace("/name", "Not Stored")],
            UpdateOptions::new().validate_only(true),
        )
        .await
        .unwrap();
    assert_eq!(preview["name"], "Not Stored");
    assert_eq!(sb.stats().writes, before);
    assert_eq!(sb.fact_sheet(&id).unwrap()["name"], "Core Write Test");

    let archived = admin
        .update_fact_sheet(
            &id,
            &[Patch::archive()],
            UpdateOptions::new().comment("done"),
        )
        .await
        .unwrap();
    assert_eq!(archived["status"], "ARCHIVED");

    sb.reset();
    let viewer = client(&sb, sb.viewer_api_token());
    let e = viewer
        .update_fact_sheet(&id, &[Patch::replace("/name", "x")], UpdateOptions::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::GraphQl);
    assert!(!is_revision_clash(&e));
    assert_eq!((graphql_calls(&sb), sb.stats().writes), (2, 0));
    let errors: &Value = e.graphql_errors().unwrap();
    assert!(errors[0]["extensions"]["errorType"].is_string(), "{errors}");
}

/// An update without patches or without an id is refused before anything is sent (not even
/// the token exchange or the read of `rev`).
#[tokio::test]
async fn an_update_without_patches_or_id_sends_nothing() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, sb.api_token());
    for (id, patches) in [("some-id", vec![]), (" ", vec![Patch::archive()])] {
        let e = c
            .update_fact_sheet(id, &patches, UpdateOptions::new())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.message().starts_with("update_fact_sheet needs"), "{e}");
    }
    assert_eq!(graphql_calls(&sb), 0);
    assert_eq!(sb.stats().token_requests, 0);
}
