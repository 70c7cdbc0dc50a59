//! Behaviour at the edges of the command line, against real sandboxes: `webhooks pull` into a
//! pipe commits only what the reader took, `--help`/`--version` with a closed stdout.

mod common;

use std::process::{Command, Output, Stdio};

use common::*;
use leanix_sandbox::Sandbox;
use serde_json::{json, Value};

/// `bash -c SCRIPT` with `$LX` the built lx and the sandbox's host and token in the
/// environment (lx gets `--insecure-loopback` from `LEANIX_INSECURE_LOOPBACK`).
fn bash(sb: &Sandbox, script: &str) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("LX", env!("CARGO_BIN_EXE_lx"))
        .env("LEANIX_HOST", sb.url())
        .env("LEANIX_API_TOKEN", sb.api_token())
        .env("LEANIX_INSECURE_LOOPBACK", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn webhook_sandbox() -> Sandbox {
    Sandbox::builder()
        .fact_sheets(5)
        .instance_listener(true)
        .start()
        .unwrap()
}

/// A PULL subscription to the tag `custom` and the offsets of `n` events emitted to it.
fn subscription_with_events(sb: &Sandbox, n: usize) -> (String, Vec<u64>) {
    let run = lx_on(
        sb,
        &[
            "webhooks",
            "create",
            "--tag-set",
            "custom",
            "--identifier",
            "pipe",
        ],
    )
    .run()
    .ok();
    let id = run.json()["id"].as_str().unwrap().to_owned();
    let offsets = (0..n)
        .map(|i| sb.emit_webhook_event(&["custom"], json!({ "n": i + 1 })))
        .collect();
    (id, offsets)
}

fn offsets_of(stdout: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["offset"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

#[test]
fn webhooks_pull_into_head_commits_exactly_the_lines_head_took() {
    let sb = webhook_sandbox();
    sb.set_webhook_batch_size(16);
    let (id, offsets) = subscription_with_events(&sb, 20);

    // head -1: one line printed, one event committed, lx quiet and 0.
    let out = bash(
        &sb,
        &format!("\"$LX\" webhooks pull {id} | head -1; exit ${{PIPESTATUS[0]}}"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(offsets_of(&out.stdout), vec![offsets[0]]);
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[0] + 1));

    // head -3 goes on from there: the next three, and the cursor after them.
    let out = bash(
        &sb,
        &format!("\"$LX\" webhooks pull {id} | head -3; exit ${{PIPESTATUS[0]}}"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(offsets_of(&out.stdout), offsets[1..4].to_vec());
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[3] + 1));

    // A reader that takes everything gets the other sixteen, none skipped or repeated.
    let out = bash(
        &sb,
        &format!("\"$LX\" webhooks pull {id} | cat; exit ${{PIPESTATUS[0]}}"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(offsets_of(&out.stdout), offsets[4..].to_vec());
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[19] + 1));
}

#[test]
fn help_and_version_with_stdout_closed_exit_23_and_into_head_stay_0() {
    for flag in ["--help", "--version"] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("\"$LX\" {flag} >&-"))
            .env("LX", env!("CARGO_BIN_EXE_lx"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(23), "{flag}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("standard output is closed"),
            "{flag}: {out:?}"
        );
        // A full disk is an output error too.
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("\"$LX\" {flag} >/dev/full"))
            .env("LX", env!("CARGO_BIN_EXE_lx"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(23), "{flag}: {out:?}");
        // A reader that stops early is not an error.
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "\"$LX\" {flag} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}"
            ))
            .env("LX", env!("CARGO_BIN_EXE_lx"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        assert!(out.stderr.is_empty(), "{flag}: {out:?}");
    }
}
