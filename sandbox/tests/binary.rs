//! The `lx-sandbox` binary: output lines, and how it exits.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn spawn(args: &[&str], stdin: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lx-sandbox"))
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn read_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.trim_end().to_owned()
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn prints_url_and_tokens_and_exits_on_stdin_eof() {
    let mut child = spawn(&["--fact-sheets", "50"], Stdio::piped());
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let url = read_line(&mut out);
    let admin = read_line(&mut out);
    let viewer = read_line(&mut out);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(admin.len(), 40);
    assert_eq!(viewer.len(), 40);

    let resp = exchange_raw(&url, &admin).await;
    let body = json_body(resp, 200).await;
    let token = body["access_token"].as_str().unwrap();
    let page = get_json(&url, FACT_SHEETS_PATH, token).await;
    assert_eq!(page["total"], 50);
    let viewer_token = access_token(&url, &viewer).await;
    let claims = jwt_part(&viewer_token, 1);
    assert_eq!(claims["principal"]["permission"]["role"], "VIEWER");

    drop(child.stdin.take());
    let status = wait_exit(&mut child, Duration::from_secs(10)).expect("exits on stdin EOF");
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "nothing else on stdout");
}

#[tokio::test]
async fn given_tokens_are_not_printed_and_options_apply() {
    let mut child = spawn(
        &[
            "--api-token",
            "given-admin",
            "--viewer-token",
            "given-viewer",
            "--token-lifetime",
            "7",
            "--rate-limit",
            "1",
            "--no-control",
            "--fact-sheets",
            "5",
        ],
        Stdio::piped(),
    );
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let url = read_line(&mut out);
    let body: Value = exchange_raw(&url, "given-admin")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], 7);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(get(&url, FACT_SHEETS_PATH, token).await.status(), 200);
    assert_eq!(get(&url, FACT_SHEETS_PATH, token).await.status(), 429);
    assert_eq!(exchange_raw(&url, "given-viewer").await.status(), 200);
    let resp = client()
        .get(format!("{url}/_sandbox/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    drop(child.stdin.take());
    let status = wait_exit(&mut child, Duration::from_secs(10)).expect("exits");
    assert!(status.success());
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "");
}

#[tokio::test]
async fn tls_writes_the_ca_and_prints_an_https_url() {
    let dir = std::env::temp_dir().join(format!("lx-sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let mut child = spawn(
        &[
            "--tls",
            "--ca-out",
            ca.to_str().unwrap(),
            "--fact-sheets",
            "5",
        ],
        Stdio::piped(),
    );
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let url = read_line(&mut out);
    let admin = read_line(&mut out);
    assert!(url.starts_with("https://localhost:"), "{url}");
    let pem = std::fs::read(&ca).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let resp = post_token_form(&client, &url, Some(&basic(&admin)))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    drop(child.stdin.take());
    assert!(wait_exit(&mut child, Duration::from_secs(10))
        .expect("exits")
        .success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `SIG{signal}` to the sandbox with `kill` and asserts that it exits 0 within 10 s.
#[cfg(unix)]
fn assert_signal_exits_0(child: &mut Child, signal: &str) {
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status =
        wait_exit(child, Duration::from_secs(10)).unwrap_or_else(|| panic!("exits on SIG{signal}"));
    assert!(status.success(), "{status}");
}

#[cfg(unix)]
#[test]
fn keeps_running_with_null_stdin_and_exits_0_on_sigterm() {
    let mut child = spawn(&["--fact-sheets", "1"], Stdio::null());
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let url = read_line(&mut out);
    assert!(url.starts_with("http://"));
    // Its stdin ended at once: it still answers afterwards, and has not exited.
    let answer = {
        use std::io::{Read, Write};
        let mut conn = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
        conn.write_all(b"GET /_sandbox/stats HTTP/1.0\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        conn.read_to_string(&mut text).unwrap();
        text
    };
    assert_eq!(answer.split_whitespace().nth(1), Some("200"), "{answer}");
    assert!(child.try_wait().unwrap().is_none(), "must keep running");
    assert_signal_exits_0(&mut child, "TERM");
}

#[cfg(unix)]
#[test]
fn exits_0_on_sigint() {
    let mut child = spawn(&["--fact-sheets", "1"], Stdio::null());
    let mut out = BufReader::new(child.stdout.take().unwrap());
    read_line(&mut out);
    assert_signal_exits_0(&mut child, "INT");
}
