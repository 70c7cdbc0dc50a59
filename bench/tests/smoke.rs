//! The bench binary runs and its figures add up, against an in-process sandbox. No timing is
//! asserted: only that numbers come out and that token exchanges are counted as expected.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

fn bench(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_leanix-bench"))
        .args(args)
        .env_remove("LEANIX_API_TOKEN")
        .env_remove("LX_ACCESS_TOKEN")
        .output()
        .expect("leanix-bench runs");
    assert!(
        out.status.success(),
        "leanix-bench {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn every_load_subject_measures_and_exchanges_once() {
    for (subject, exchanges) in [("raw", 0), ("async", 1), ("blocking", 1)] {
        let v = bench(&[
            "load",
            "--subject",
            subject,
            "--threads",
            "2",
            "--warmup",
            "0.1",
            "--seconds",
            "0.2",
        ]);
        assert!(v["requests"].as_u64().unwrap() > 0, "{subject}: {v}");
        assert!(
            v["latency"]["p99_us"].as_f64().unwrap() > 0.0,
            "{subject}: {v}"
        );
        assert_eq!(v["sandbox_exchanges"], exchanges, "{subject}: {v}");
    }
}

#[test]
fn refresh_runs_count_one_exchange_per_interval() {
    let v = bench(&[
        "refresh",
        "--mode",
        "ahead",
        "--threads",
        "4",
        "--seconds",
        "4.5",
        "--lifetime",
        "2",
    ]);
    assert_eq!(v["errors"], 0, "{v}");
    assert_eq!(v["client_exchanges"], v["sandbox_exchanges"], "{v}");
    assert!(v["refreshes"].as_u64().unwrap() >= 2, "{v}");
    assert_eq!(v["one_per_interval"], true, "{v}");
}

#[test]
fn static_server_serves_the_file_until_stdin_closes() {
    let dir = std::env::temp_dir().join(format!("leanix-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = dir.join("body.json");
    std::fs::write(&body, br#"{"ok":true}"#).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leanix-bench"))
        .args(["static-server", "--body-file", body.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let addr = url.trim().trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.write_all(b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#"{"ok":true}"#), "{answer}");
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(dir);
}
