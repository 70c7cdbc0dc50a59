//! `lx ldif`: runs of LDIF files (waited for, test runs, without waiting, failed runs with
//! exit 7, deadlines), a run's status, warnings and results, and processor configurations,
//! against a sandbox of each test's own (its counters are asserted).

mod common;

use std::time::Duration;

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

fn sandbox_now() -> Sandbox {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_state_duration(Duration::ZERO);
    sb
}

fn ldif(direction: &str, content: Value) -> String {
    json!({"connectorType": "cliTest", "connectorId": "cli-1", "connectorVersion": "1.0.0",
           "lxVersion": "1.0.0", "description": "cli test", "processingDirection": direction,
           "processingMode": "partial", "content": content})
    .to_string()
}

fn app(id: &str, name: &str) -> Value {
    json!({"type": "Application", "id": id, "data": {"name": name}})
}

#[test]
fn a_run_prints_its_result_and_applies_the_content() {
    let sb = sandbox_now();
    let run = lx_on(&sb, &["ldif", "run", "-"])
        .stdin(ldif("inbound", json!([app("cli-a", "CLI App")])))
        .run()
        .ok();
    let result = run.json();
    assert_eq!(result["status"], "FINISHED");
    assert_eq!(result["progress"]["processedContentCount"], 1);
    assert_eq!(result["warnings"], json!([]));
    assert_eq!(result["polls"], 1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(sb.stats().writes, 1);
    // create, one status poll, progress, one page of warnings
    assert_eq!(sb.stats().total(Endpoint::Integration), 4);

    // A test run from a file: the same result, nothing written.
    let (_dir, file) = temp_file(
        "run.json",
        ldif("inbound", json!([app("cli-b", "CLI Test Only")])).as_bytes(),
    );
    let run = lx_on(&sb, &["ldif", "run", file.to_str().unwrap(), "--test"])
        .run()
        .ok();
    assert_eq!(run.json()["progress"]["processedContentCount"], 1);
    assert_eq!(sb.stats().writes, 1);
}

#[test]
fn a_failed_run_exits_7_with_its_result_on_stdout() {
    let sb = sandbox_now();
    sb.inject(Endpoint::Integration, Fault::SyncRunFail, 1);
    let run = lx_on(&sb, &["ldif", "run", "-"])
        .stdin(ldif("inbound", json!([app("cli-f", "Never")])))
        .run()
        .expect(7);
    let result = run.json();
    assert_eq!(result["status"], "FAILED");
    assert_eq!(result["warnings"][0]["status"], "ERROR");
    let id = result["id"].as_str().unwrap();
    assert_eq!(
        run.stderr.trim_end(),
        format!("lx: LDIF run {id} ended FAILED (1 ERROR warning(s)): The synchronization run failed (a fault injected by the sandbox)")
    );
    assert_eq!(sb.stats().writes, 0);

    // Content with an ERROR warning in a finished run: exit 7 as well.
    let run = lx_on(&sb, &["ldif", "run", "-"])
        .stdin(ldif(
            "inbound",
            json!([{"type": "Application", "id": "x", "data": {}}]),
        ))
        .run()
        .expect(7);
    assert_eq!(run.json()["status"], "FINISHED");
    assert_contains(&run.stderr, "Fact sheet name is missing");
}

#[test]
fn no_wait_then_status_warnings_results_and_stop() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_manual(true);
    let content: Vec<Value> = (0..150)
        .map(|i| json!({"type": "NoSuchType", "id": format!("n-{i}"), "data": {"name": "x"}}))
        .collect();
    let run = lx_on(&sb, &["ldif", "run", "-", "--no-wait"])
        .stdin(ldif("inbound", Value::Array(content)))
        .run()
        .ok();
    let started = run.json();
    assert_eq!(
        (&started["status"], &started["polls"]),
        (&json!("PENDING"), &json!(1))
    );
    let id = started["id"].as_str().unwrap().to_owned();

    let status = lx_on(&sb, &["ldif", "status", &id]).run().ok().json();
    assert_eq!(
        status,
        json!({"id": id, "status": "PENDING", "description": "cli test"})
    );
    // Still going: not ready, exit 1.
    let e = lx_on(&sb, &["ldif", "results", &id]).run().expect(1);
    assert!(
        e.stderr
            .contains("are not ready (204): the run is PENDING; ask again once it ended"),
        "{}",
        e.stderr
    );

    sb.advance_sync_runs();
    sb.advance_sync_runs();
    let warnings = lx_on(&sb, &["ldif", "warnings", &id]).run().ok().json();
    assert_eq!(warnings.as_array().unwrap().len(), 150);
    // Ended: an inbound run has no output LDIF, which is an answer (null, exit 0).
    let status = lx_on(&sb, &["ldif", "status", &id]).run().ok().json();
    assert_eq!(status["status"], "FINISHED");
    let results = lx_on(&sb, &["ldif", "results", &id]).run().ok();
    assert_eq!(results.stdout, "null\n");
    assert_eq!(results.stderr, "");
    assert_eq!(sb.stats().requests(Endpoint::Integration, 400), 0);

    // stop: a pending run ends STOPPED; a bad id is a usage error before any request.
    let run = lx_on(&sb, &["ldif", "run", "-", "--no-wait"])
        .stdin(ldif("inbound", json!([])))
        .run()
        .ok();
    let id = run.json()["id"].as_str().unwrap().to_owned();
    let stopped = lx_on(&sb, &["ldif", "stop", &id]).run().ok().json();
    assert_eq!(stopped["status"], "STOPPED");
    lx_on(&sb, &["ldif", "status", "../x"])
        .run()
        .expect_stderr(2, "is not a synchronization run id");
}

#[test]
fn outbound_results_and_the_deadline() {
    let sb = sandbox_now();
    let run = lx_on(&sb, &["ldif", "run", "-"])
        .stdin(ldif("outbound", json!([])))
        .run()
        .ok();
    let result = run.json();
    let id = result["id"].as_str().unwrap().to_owned();
    let exported = result["results"]["content"].as_array().unwrap().len();
    assert_eq!(exported, sb.fact_sheet_count());
    let results = lx_on(&sb, &["ldif", "results", &id]).run().ok().json();
    assert_eq!(results["content"].as_array().unwrap().len(), exported);

    // A run that never ends: the global --timeout is the deadline of the whole run; exit 5,
    // and the run's id and last state still printed.
    sb.set_sync_run_manual(true);
    let run = lx_on(&sb, &["--timeout", "0.3", "ldif", "run", "-"])
        .stdin(ldif("inbound", json!([])))
        .run()
        .expect(5);
    assert_eq!(run.json()["status"], "PENDING");
    assert!(
        run.stderr
            .contains("did not end within its deadline of 300 ms"),
        "{}",
        run.stderr
    );
    let id = run.json()["id"].as_str().unwrap().to_owned();
    assert_contains(&run.stderr, &format!("lx ldif wait {id} picks it up again"));
}

#[test]
fn processor_configurations_put_get_delete() {
    let sb = sandbox_now();
    let config = json!({"connectorType": "cliTest", "connectorId": "cli-1",
        "connectorVersion": "1.0.0", "processingDirection": "inbound", "processingMode": "partial",
        "processors": [{"processorType": "inboundFactSheet", "processorName": "Apps",
                        "type": "Application"}]});
    lx_on(&sb, &["ldif", "config", "put", "-"])
        .stdin(config.to_string())
        .run()
        .ok();
    let found = lx_on(&sb, &["ldif", "config", "get", "--connector-id", "cli-1"])
        .run()
        .ok()
        .json();
    assert_eq!(found, json!([config]));
    let keys = [
        "--connector-type",
        "cliTest",
        "--connector-id",
        "cli-1",
        "--connector-version",
        "1.0.0",
        "--direction",
        "inbound",
    ];
    let delete: Vec<&str> = ["ldif", "config", "delete"]
        .into_iter()
        .chain(keys)
        .collect();
    lx_on(&sb, &delete).run().ok();
    lx_on(&sb, &delete).run().expect_stderr(4, "404");
    lx_on(&sb, &["ldif", "config", "delete", "--connector-id", "x"])
        .run()
        .expect_stderr(2, "needs all five keys");
    lx_on(&sb, &["ldif", "run", "-"])
        .stdin("[1]")
        .run()
        .expect_stderr(2, "the LDIF must be a JSON object");
}

/// On a terminal, `lx ldif run` draws a progress line on stderr while it waits (the run's
/// state and counts) and erases it at the end. The sandbox's runs take 1 s per state here, so
/// the first poll, right after the start, sees PENDING.
#[test]
fn on_a_terminal_a_progress_line_shows_the_wait() {
    let sb = Sandbox::start().unwrap();
    sb.set_sync_run_state_duration(Duration::from_secs(1));
    let (_dir, file) = temp_file(
        "run.json",
        ldif("inbound", json!([app("cli-p", "Progress App")])).as_bytes(),
    );
    let out = std::process::Command::new("script")
        .args([
            "-qec",
            &format!(
                "\"$LX\" --insecure-loopback ldif run '{}' > /dev/null",
                file.display()
            ),
            "/dev/null",
        ])
        .env("LX", env!("CARGO_BIN_EXE_lx"))
        .env("LEANIX_HOST", sb.url())
        .env("LEANIX_API_TOKEN", sb.api_token())
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output();
    let Ok(out) = out else {
        eprintln!("script(1) is not available: skipped");
        return;
    };
    assert!(out.status.success(), "{out:?}");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains(": PENDING, 0/1 items, 0 warnings, poll 1"),
        "a progress line on stderr: {screen:?}"
    );
    assert!(screen.contains("lx: LDIF run "), "{screen:?}");
    assert!(
        screen.contains("\r\x1b[2K"),
        "the line is erased: {screen:?}"
    );
    assert_eq!(sb.stats().writes, 1);
}
