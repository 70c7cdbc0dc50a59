//! LDIF runs against the sandbox's Integration API with injected time: the client's waits go
//! through a clock that never sleeps, and (in the sandbox's manual mode) each wait moves the
//! sandbox's runs one state on, so every poll sees a known state and no test sleeps.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{assert_error, client_on, status, HookedClock};
use leanix::integration::{RunOptions, RunStatus};
use leanix::{Cancel, ErrorKind, ManualClock};
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

/// A client whose every wait advances the sandbox's runs one state.
fn stepping(sb: &Arc<Sandbox>) -> (leanix::Client, ManualClock) {
    let manual = ManualClock::new();
    let stepper = Arc::clone(sb);
    let clock = HookedClock::over(manual.clone(), move || {
        stepper.advance_sync_runs();
    });
    (client_on(sb, clock), manual)
}

fn ldif(direction: &str, content: Value) -> Value {
    json!({"connectorType": "coreTest", "connectorId": "core-1", "connectorVersion": "1.0.0",
           "lxVersion": "1.0.0", "description": "core test", "processingDirection": direction,
           "processingMode": "partial", "content": content})
}

fn ms(v: &[Duration]) -> Vec<u128> {
    v.iter().map(Duration::as_millis).collect()
}

fn integration_requests(sb: &Sandbox) -> u64 {
    sb.stats().total(Endpoint::Integration)
}

/// CREATED (created, not started), then SEQUENTIALIZED, PENDING, IN_PROGRESS and FINISHED
/// (LeanIX's order), one state per wait: four polls, three waits of the backoff's first three
/// steps, and the content applied.
#[tokio::test]
async fn a_run_goes_through_every_state() {
    let sb = Arc::new(Sandbox::start().unwrap());
    sb.set_sync_run_manual(true);
    sb.set_sync_run_sequentialized(true);
    let (client, clock) = stepping(&sb);
    let content = json!([{"type": "Application", "id": "core-every-state",
                          "data": {"name": "Every State App", "description": "from LDIF"}}]);
    let id = client.create_run(&ldif("inbound", content)).await.unwrap();
    assert_eq!(client.run_status(&id).await.unwrap()["status"], "CREATED");
    client.start_run(&id, false).await.unwrap();

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let options = RunOptions::new().on_progress(move |r| {
        let processed = r.progress.as_ref().map(|p| p.processed_content_count);
        log.lock().unwrap().push((r.status.to_string(), processed));
    });
    let result = client.wait_run(&id, options).await.unwrap();

    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("SEQUENTIALIZED".to_owned(), Some(0)),
            ("PENDING".to_owned(), Some(0)),
            ("IN_PROGRESS".to_owned(), Some(0)),
            // The last call shows the run's end: the counts read at that poll.
            ("FINISHED".to_owned(), Some(1))
        ]
    );
    assert_eq!(result.status, RunStatus::Finished);
    assert_eq!(result.polls, 4);
    assert_eq!(ms(&clock.sleeps()), [500, 1000, 2000]);
    let progress = result.progress.as_ref().unwrap();
    assert_eq!(progress.processed_content_count, 1);
    assert!(result.warnings.is_empty() && result.results.is_none());
    // create, status, start, 4 polls each with its progress read, warnings.
    assert_eq!(integration_requests(&sb), 12);
    assert_eq!(
        (sb.stats().writes, sb.stats().sync_runs("FINISHED")),
        (1, 1)
    );
    let json = result.to_json();
    assert_eq!(
        (&json["id"], &json["status"]),
        (&json!(id), &json!("FINISHED"))
    );
}

/// A run that fails is an error of its own kind, with a one-line message and the whole result
/// (status, the ERROR warning, counts) on the error; nothing is written.
#[tokio::test]
async fn a_failed_run_is_a_run_failed_error_with_its_result() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_state_duration(Duration::ZERO);
    sb.inject(Endpoint::Integration, Fault::SyncRunFail, 1);
    let clock = ManualClock::new();
    let client = client_on(&sb, clock.clone());
    let content = json!([{"type": "Application", "id": "core-fail", "data": {"name": "Failing"}}]);
    let e = client
        .run_ldif(&ldif("inbound", content), RunOptions::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RunFailed);
    assert_eq!(e.kind().as_str(), "run_failed");
    let run = e.run_result().expect("the result travels with the error");
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.error_count(), 1);
    assert_eq!(run.polls, 1);
    assert!(!e.message().contains('\n'));
    assert_eq!(
        e.message(),
        format!("LDIF run {} ended FAILED (1 ERROR warning(s)): The synchronization run failed (a fault injected by the sandbox)", run.id)
    );
    assert!(clock.sleeps().is_empty());
    // create, one poll, progress, warnings.
    assert_eq!(integration_requests(&sb), 4);
    assert_eq!((sb.stats().writes, sb.stats().sync_runs("FAILED")), (0, 1));
}

/// A run stopped while the client waits for it (another program stops it during the first
/// wait) is terminal at the next poll and a RunFailed error; a finished run whose content has
/// ERROR warnings is one too, though the run itself finished.
#[tokio::test]
async fn stopped_runs_and_error_warnings_fail() {
    let sb = Arc::new(Sandbox::start().unwrap());
    sb.set_sync_run_manual(true);
    let to_stop: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let (slot, url, token) = (
        Arc::clone(&to_stop),
        sb.url().to_owned(),
        sb.api_token().to_owned(),
    );
    let manual = ManualClock::new();
    let clock = HookedClock::over(manual.clone(), move || {
        let Some(id) = slot.lock().unwrap().take() else {
            return;
        };
        let (url, token) = (url.clone(), token.clone());
        // Someone else stops the run: a blocking client on a thread of its own.
        std::thread::spawn(move || {
            let other = leanix::blocking::Client::builder()
                .host(url)
                .api_token(token)
                .allow_insecure_loopback(true)
                .build_blocking()
                .unwrap();
            other.stop_run(&id).unwrap();
        })
        .join()
        .unwrap();
    });
    let client = client_on(&sb, clock);
    let content = json!([{"type": "Application", "id": "core-stop", "data": {"name": "Stopped"}}]);
    let id = client.create_run(&ldif("inbound", content)).await.unwrap();
    client.start_run(&id, false).await.unwrap();
    *to_stop.lock().unwrap() = Some(id.clone());
    let e = client.wait_run(&id, RunOptions::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RunFailed);
    let run = e.run_result().unwrap();
    assert_eq!((run.status.clone(), run.polls), (RunStatus::Stopped, 2));
    assert_eq!(
        e.message(),
        format!("LDIF run {id} ended STOPPED (0 ERROR warning(s))")
    );
    assert_eq!(ms(&manual.sleeps()), [500]);
    assert_eq!((sb.stats().writes, sb.stats().sync_runs("STOPPED")), (0, 1));

    // No name for a new fact sheet: an ERROR warning in a FINISHED run.
    sb.set_sync_run_manual(false);
    sb.set_sync_run_state_duration(Duration::ZERO);
    let content = json!([{"type": "Application", "id": "core-nameless", "data": {}}]);
    let e = client
        .run_ldif(&ldif("inbound", content), RunOptions::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RunFailed);
    let run = e.run_result().unwrap();
    assert_eq!(run.status, RunStatus::Finished);
    assert!(!run.succeeded());
    assert!(
        e.message()
            .ends_with("finished with 1 ERROR warning(s): Fact sheet name is missing"),
        "{e}"
    );
}

/// An outbound run's results come after three 204s: four requests, three waits of the first
/// poll interval; with more 204s than the bound, the wait gives up with the run attached.
#[tokio::test]
async fn results_after_three_204s_and_the_bound() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_state_duration(Duration::ZERO);
    let clock = ManualClock::new();
    let client = client_on(&sb, clock.clone());
    sb.inject(Endpoint::Integration, Fault::ResultsPending, 3);
    let result = client
        .run_ldif(&ldif("outbound", json!([])), RunOptions::new())
        .await
        .unwrap();
    let results = result.results.as_ref().expect("the output LDIF");
    assert_eq!(results["connectorId"], "core-1");
    assert_eq!(
        results["content"].as_array().unwrap().len(),
        sb.fact_sheet_count()
    );
    assert_eq!(ms(&clock.sleeps()), [500, 500, 500]);
    assert_eq!(sb.stats().requests(Endpoint::Integration, 204), 3);
    // create, poll, progress, warnings, 4 results.
    assert_eq!(integration_requests(&sb), 8);

    sb.reset();
    let attempts = leanix::policy::LDIF_RESULTS_ATTEMPTS;
    sb.inject(Endpoint::Integration, Fault::ResultsPending, attempts + 5);
    let e = client
        .run_ldif(&ldif("outbound", json!([])), RunOptions::new())
        .await
        .unwrap_err();
    assert_error(
        &e,
        ErrorKind::InvalidResponse,
        "still not ready (204) after 10 requests",
    );
    assert_eq!(e.run_result().unwrap().status, RunStatus::Finished);
    assert_eq!(
        sb.stats().requests(Endpoint::Integration, 204),
        u64::from(attempts)
    );
}

/// 260 warnings come in three pages of at most 100 (the sandbox refuses any other paging with
/// 400); they are warnings, not errors, so the run succeeds and nothing is written.
#[tokio::test]
async fn warnings_over_250_items_are_paged_in_full() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_state_duration(Duration::ZERO);
    let client = client_on(&sb, ManualClock::new());
    let content: Vec<Value> = (0..260)
        .map(|i| json!({"type": "NoSuchType", "id": format!("w-{i}"), "data": {"name": "x"}}))
        .collect();
    let result = client
        .run_ldif(&ldif("inbound", Value::Array(content)), RunOptions::new())
        .await
        .unwrap();
    assert_eq!(result.warnings.len(), 260);
    assert!(result.warnings.iter().all(|w| w.status == "WARNING"));
    assert_eq!(
        result.warnings[259].message,
        "Fact sheet type 'NoSuchType' does not exist"
    );
    assert!(result.succeeded());
    assert_eq!(result.progress.as_ref().unwrap().warnings_count, 260);
    // create, poll, progress, 3 warnings pages; no 400.
    assert_eq!(sb.stats().requests(Endpoint::Integration, 200), 6);
    assert_eq!(sb.stats().requests(Endpoint::Integration, 400), 0);
    assert_eq!(sb.stats().writes, 0);

    // Exactly 200: a third, empty page tells the end.
    let content: Vec<Value> = (0..200)
        .map(|i| json!({"type": "NoSuchType", "id": format!("v-{i}"), "data": {}}))
        .collect();
    let id = client
        .create_run(&ldif("inbound", Value::Array(content)))
        .await
        .unwrap();
    client.start_run(&id, true).await.unwrap();
    sb.reset();
    assert_eq!(client.run_warnings(&id).await.unwrap().len(), 200);
    assert_eq!(sb.stats().requests(Endpoint::Integration, 200), 3);
}

/// The deadline passes while the run is pending: the waits follow the backoff and the last
/// one is cut to what is left; the error names the deadline and carries the run's id and
/// state, so that the caller can ask again or stop it.
#[tokio::test]
async fn a_deadline_that_expires_while_polling() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_manual(true);
    let clock = ManualClock::new();
    let client = client_on(&sb, clock.clone());
    let e = client
        .run_ldif(
            &ldif("inbound", json!([])),
            RunOptions::new().timeout(Duration::from_secs(20)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    let run = e.run_result().unwrap();
    assert_eq!((run.status.clone(), run.polls), (RunStatus::Pending, 6));
    assert_eq!(ms(&clock.sleeps()), [500, 1000, 2000, 4000, 8000, 4500]);
    assert_eq!(
        e.message(),
        format!(
            "the LDIF run did not end within its deadline of 20000 ms (LDIF run {})",
            run.id
        )
    );
    // create and six polls; the run goes on at the sandbox.
    assert_eq!(integration_requests(&sb), 7);
    assert_eq!(
        client.run_status(&run.id).await.unwrap()["status"],
        "PENDING"
    );
}

/// A cancel handle fired during a wait ends it at once with Cancelled and the run attached.
#[tokio::test]
async fn cancel_during_a_wait() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_manual(true);
    let cancel = Cancel::new();
    let fire = cancel.clone();
    let clock = HookedClock::new(move || fire.fire());
    let client = client_on(&sb, clock);
    let e = client
        .run_ldif(
            &ldif("inbound", json!([])),
            RunOptions::new().cancel_on(&cancel),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert_eq!(e.run_result().unwrap().polls, 1);
    assert_eq!(integration_requests(&sb), 2);
}

/// A test run computes the same result and changes nothing; a bad LDIF is refused before
/// anything is sent; a viewer's run is a 403.
#[tokio::test]
async fn test_runs_bad_ldif_and_viewers() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_state_duration(Duration::ZERO);
    let client = client_on(&sb, ManualClock::new());
    let content =
        json!([{"type": "Application", "id": "core-test-run", "data": {"name": "Test Only"}}]);
    let result = client
        .run_ldif(&ldif("inbound", content), RunOptions::new().test(true))
        .await
        .unwrap();
    assert!(result.succeeded());
    assert_eq!(result.progress.unwrap().processed_content_count, 1);
    assert_eq!(sb.stats().writes, 0);

    let e = client
        .run_ldif(&json!({"connectorType": "x"}), RunOptions::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = client.run_status("../../graphql").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);

    let viewer = leanix::Client::builder()
        .host(sb.url())
        .api_token(sb.viewer_api_token())
        .allow_insecure_loopback(true)
        .build()
        .unwrap();
    let e = viewer
        .run_ldif(&ldif("inbound", json!([])), RunOptions::new())
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Forbidden, Some(403)));
    assert_eq!(sb.stats().sync_runs("FINISHED"), 1);
}

/// Processor configurations: put, get by keys, delete; deleting again is a 404.
#[tokio::test]
async fn processor_configurations_round_trip() {
    let sb = Sandbox::start().unwrap();
    let client = client_on(&sb, ManualClock::new());
    let keys = [
        ("connectorType", "coreTest"),
        ("connectorId", "core-1"),
        ("connectorVersion", "1.0.0"),
        ("processingDirection", "inbound"),
        ("processingMode", "partial"),
    ];
    let mut config = json!({"processors": [{"processorType": "inboundFactSheet",
        "processorName": "Apps", "type": "Application", "filter": {"exactType": "App"},
        "identifier": {"external": {"id": {"expr": "${content.id}"}}},
        "updates": [{"key": {"expr": "name"}, "values": [{"expr": "${data.title}"}]}]}]});
    for (k, v) in keys {
        config[k] = json!(v);
    }
    client.put_configuration(&config).await.unwrap();
    let found = client.get_configurations(&keys[..2]).await.unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["processors"][0]["processorName"], "Apps");
    client.delete_configuration(&keys).await.unwrap();
    let e = client.delete_configuration(&keys).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(client.get_configurations(&[]).await.unwrap(), json!([]));
}

/// An HTTP failure while polling keeps everything it had (status, the server's answer) and
/// gains the run: three 503s on the second poll (the client's own retries of a GET) end the
/// wait with the 503 and the run's id and last state.
#[tokio::test]
async fn an_http_failure_while_polling_keeps_its_answer_and_gains_the_run() {
    let sb = Arc::new(Sandbox::start().unwrap());
    sb.set_sync_run_manual(true);
    let injected = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (once, faults) = (Arc::clone(&injected), Arc::clone(&sb));
    let clock = HookedClock::new(move || {
        if !once.swap(true, std::sync::atomic::Ordering::SeqCst) {
            faults.inject(Endpoint::Integration, status(503, None), 3);
        }
    });
    let client = client_on(&sb, clock);
    let e = client
        .run_ldif(&ldif("inbound", json!([])), RunOptions::new())
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Http, Some(503)));
    assert_eq!(e.response().map(leanix::Response::status), Some(503));
    let run = e.run_result().expect("the run travels with the error");
    assert_eq!((run.status.clone(), run.polls), (RunStatus::Pending, 1));
    // The message names the run already (its URL), so nothing is appended.
    assert!(
        e.message().contains(&format!(
            "synchronizationRuns/{}/status answered HTTP 503",
            run.id
        )),
        "{e}"
    );
    assert!(!e.message().contains("(LDIF run"), "{e}");
    assert_eq!(sb.stats().requests(Endpoint::Integration, 503), 3);
}

/// Waiting on a run id that does not exist is its 404, with no run attached: nothing was ever
/// known of it, so no state is made up.
#[tokio::test]
async fn waiting_on_an_unknown_run_is_its_404_without_a_run() {
    let sb = Arc::new(Sandbox::start().unwrap());
    let (client, _clock) = stepping(&sb);
    let e = client
        .wait_run("no-such-run", RunOptions::new())
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Http, Some(404)));
    assert!(e.run_result().is_none(), "{:?}", e.run_result());
    assert!(
        e.message()
            .contains("No synchronization run with id 'no-such-run' exists"),
        "the message quotes the Integration API's reason: {e}"
    );
    assert_eq!(integration_requests(&sb), 1);
}
