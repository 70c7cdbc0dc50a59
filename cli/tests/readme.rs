//! The README's quick start against the sandbox runs as written: its shell block, with the
//! sandbox's real port in place of 8080, against a sandbox that accepts the README's API token.

use std::collections::HashSet;
use std::process::Command;

use leanix_sandbox::Sandbox;

/// The `sh` block of the README that follows the one starting the sandbox.
fn quick_start_block() -> String {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("### The quick starts against the sandbox")
        .nth(1)
        .expect("the README has the section");
    let blocks: Vec<&str> = section.split("```sh\n").skip(1).collect();
    let block = blocks.get(1).expect("the section has two sh blocks");
    block.split("```").next().unwrap().to_owned()
}

#[test]
fn the_readme_sandbox_quick_start_runs_as_written() {
    let block = quick_start_block();
    assert!(block.contains("LEANIX_INSECURE_LOOPBACK=1"), "{block}");
    assert!(block.contains("LEANIX_API_TOKEN=sandbox-token"), "{block}");
    let sb = Sandbox::builder()
        .api_token("sandbox-token")
        .start()
        .unwrap();
    let script = block.replace("http://127.0.0.1:8080", sb.url().trim_end_matches('/'));
    assert_ne!(script, block, "the block names http://127.0.0.1:8080");

    let dir = tempfile::tempdir().unwrap();
    let lx_dir = std::path::Path::new(env!("CARGO_BIN_EXE_lx"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        lx_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains("workspace   sandbox"),
        "lx whoami: {stdout}"
    );

    let all: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("fact-sheets.json")).unwrap())
            .unwrap();
    let ids: HashSet<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|fs| fs["id"].as_str().unwrap())
        .collect();
    assert_eq!(all.as_array().unwrap().len(), sb.fact_sheet_count());
    assert_eq!(ids.len(), sb.fact_sheet_count());
    // The second lx run takes the access token from the token cache (under HOME/.cache here).
    assert_eq!(sb.stats().token_exchanges, 1, "one for both lx runs");
    assert!(dir.path().join(".cache/leanix").is_dir());
}
