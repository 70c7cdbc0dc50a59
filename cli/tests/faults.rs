//! Exit codes and output for what a real network and server can do: 403, 5xx, HTML instead of
//! JSON, malformed token responses, timeouts and TLS with and without the right CA.

mod common;

use std::time::{Duration, Instant};

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};

const PAGE: &str = "/services/pathfinder/v1/factSheets?pageSize=1";

#[test]
fn forbidden_exits_4_and_says_403() {
    let sb = Sandbox::start().unwrap();
    lx_on(
        &sb,
        &[
            "request",
            "POST",
            "/services/pathfinder/v1/factSheets",
            "-d",
            r#"{"name":"x","type":"Application"}"#,
        ],
    )
    .env("LEANIX_API_TOKEN", sb.viewer_api_token())
    .run()
    .expect_stderr(4, "403");
}

#[test]
fn a_server_error_exits_4() {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::FactSheets, Fault::status(500), 5);
    let run = lx_on(&sb, &["get", PAGE]).run().expect_stderr(4, "500");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_body_that_is_not_json_is_printed_raw() {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::FactSheets, Fault::HtmlOk, 1);
    let run = lx_on(&sb, &["get", PAGE, "--pretty"]).run().ok();
    assert!(
        run.stdout.contains("<html") || run.stdout.contains("<HTML"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_malformed_token_response_exits_6() {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::Token, Fault::MalformedJson, 10);
    let run = lx_on(&sb, &["token"]).run().expect(6);
    assert!(run.stdout.is_empty());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_timeout_exits_5() {
    let sb = Sandbox::start().unwrap();
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(4)),
        5,
    );
    let started = Instant::now();
    lx_on(&sb, &["get", PAGE, "--timeout", "0.5"])
        .run()
        .expect_stderr(5, "timed out");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn tls_needs_the_ca_and_accepts_it_from_a_flag_or_the_config_file() {
    let sb = Sandbox::builder().tls(true).start().unwrap();
    assert!(sb.url().starts_with("https://"));
    let ca = sb.ca_pem().expect("a CA in TLS mode").to_owned();

    // The sandbox's CA is not trusted by default: a TLS failure, exit 5.
    let run = lx_on(&sb, &["get", PAGE]).run().expect(5);
    let message = run.stderr.to_lowercase();
    assert!(
        message.contains("tls") || message.contains("certificate"),
        "{}",
        run.stderr
    );

    let (_dir, ca_path) = temp_file("ca.pem", ca.as_bytes());
    lx_on(&sb, &["get", PAGE, "--ca-file", ca_path.to_str().unwrap()])
        .run()
        .ok();

    // ca_file in the config file, relative to the file.
    let cmd = Lx::bare(&["get", PAGE]).secret(sb.api_token());
    let dir = cmd.home().join(".config").join("leanix");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("corp-ca.pem"), &ca).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "host = \"{}\"\napi_token = \"{}\"\nca_file = \"corp-ca.pem\"\n",
            sb.url(),
            sb.api_token()
        ),
    )
    .unwrap();
    chmod(&config, 0o600);
    let run = cmd.run().ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}
