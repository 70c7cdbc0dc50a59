//! `lx webhooks` against a sandbox whose tokens name an instance listener: `pull` prints each
//! event as a JSON line and commits, `--exec` commits only on exit 0 and stops at the first
//! failure, `--follow` stops cleanly on SIGINT; `list`/`create`/`delete`; `lx whoami` shows the
//! routed instance, and `--no-instance-routing` keeps calls on the host. `create` sends
//! `--workspace-constraint`. The allow-list (`--allow-instance-host`, `allowed_instance_hosts`)
//! and `instance_routing = false`, against a token endpoint of the test's own whose tokens name
//! an instance outside the configured host's domain.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::Engine;

use common::*;
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::{json, Value};

fn routed_sandbox() -> Sandbox {
    Sandbox::builder()
        .fact_sheets(20)
        .instance_listener(true)
        .start()
        .unwrap()
}

fn create(sb: &Sandbox, tag_set: &str) -> String {
    let run = lx_on(
        sb,
        &[
            "webhooks",
            "create",
            "--tag-set",
            tag_set,
            "--identifier",
            "cli",
        ],
    )
    .run()
    .ok();
    let sub = run.json();
    assert_eq!(sub["deliveryType"], "PULL");
    assert_eq!(sub["identifier"], "cli");
    sub["id"].as_str().unwrap().to_owned()
}

fn emit(sb: &Sandbox, n: usize) -> Vec<u64> {
    (0..n)
        .map(|i| sb.emit_webhook_event(&["custom"], json!({ "n": i + 1 })))
        .collect()
}

#[test]
fn pull_prints_each_event_as_a_json_line_and_commits() {
    let sb = routed_sandbox();
    sb.set_webhook_batch_size(2);
    let id = create(&sb, "custom");
    let offsets = emit(&sb, 5);
    let run = lx_on(&sb, &["webhooks", "pull", &id]).run().ok();
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<u64> = lines
        .iter()
        .map(|e| e["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(got, offsets);
    assert_eq!(lines[4]["payload"]["n"], 5);
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[4] + 1));
    // Nothing new: a second pull prints nothing and leaves the cursor.
    let run = lx_on(&sb, &["webhooks", "pull", &id]).run().ok();
    assert_eq!(run.stdout, "");
    // Every webhook call went to the instance, none to the token host.
    assert_eq!(sb.stats().total(Endpoint::Webhooks), 0);
    assert!(sb.instance_stats().requests(Endpoint::Webhooks, 200) >= 5);
}

#[test]
fn exec_commits_only_on_exit_zero() {
    let sb = routed_sandbox();
    let id = create(&sb, "custom");
    let offsets = emit(&sb, 5);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.jsonl");
    // Fails on the third event (after appending it), as a handler that crashes mid-way.
    let failing = format!(
        "cat >> '{0}'; test \"$(wc -l < '{0}')\" -lt 3",
        log.display()
    );
    lx_on(&sb, &["webhooks", "pull", &id, "--exec", &failing])
        .run()
        .expect_stderr(
            1,
            &format!(
                "the command exited with 1 on the event at offset {}",
                offsets[2]
            ),
        );
    assert_eq!(
        sb.webhook_cursor(&id),
        Some(offsets[2]),
        "committed up to event 3"
    );
    let ok = format!(
        "cat >> '{}'; test \"$LX_WEBHOOK_OFFSET\" -gt 0",
        log.display()
    );
    lx_on(&sb, &["webhooks", "pull", &id, "--exec", &ok])
        .run()
        .ok();
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[4] + 1));
    let handled: Vec<u64> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["offset"]
                .as_u64()
                .unwrap()
        })
        .collect();
    let mut expected = offsets[..3].to_vec();
    expected.extend_from_slice(&offsets[2..]);
    assert_eq!(handled, expected, "event 3 twice, none skipped");
}

#[test]
fn follow_stops_cleanly_on_sigint_with_what_it_handled_committed() {
    let sb = routed_sandbox();
    let id = create(&sb, "custom");
    let offsets = emit(&sb, 3);
    let (mut child, _home) =
        lx_on(&sb, &["webhooks", "pull", &id, "--follow"]).spawn(Stdio::null(), Stdio::piped());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for offset in &offsets {
        let line = lines.next().expect("an event line").unwrap();
        let event: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(event["offset"].as_u64(), Some(*offset));
    }
    // The three are printed; the batch's commit follows them. Wait for it on the sandbox
    // (bounded), then interrupt the idle wait.
    wait_for("the batch committed", || {
        sb.webhook_cursor(&id) == Some(offsets[2] + 1)
    });
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a clean stop");
    assert!(lines.next().is_none());
}

#[test]
fn list_and_delete() {
    let sb = routed_sandbox();
    let id = create(&sb, "pathfinder,FACT_SHEET_CREATED");
    let list = lx_on(&sb, &["webhooks", "list"]).run().ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        list[0]["tagSets"],
        json!([["pathfinder", "FACT_SHEET_CREATED"]])
    );
    lx_on(&sb, &["webhooks", "delete", &id]).run().ok();
    let list = lx_on(&sb, &["webhooks", "list"]).run().ok().json();
    assert_eq!(list, json!([]));
    lx_on(&sb, &["webhooks", "delete", &id])
        .run()
        .expect_stderr(4, "404");
    lx_on(
        &sb,
        &["webhooks", "create", "--tag-set", ",", "--identifier", "x"],
    )
    .run()
    .expect_stderr(2, "--tag-set");
}

#[test]
fn whoami_shows_the_routed_instance_and_routing_can_be_turned_off() {
    let sb = routed_sandbox();
    let instance = sb.instance_url().unwrap().to_owned();
    let v = lx_on(&sb, &["whoami", "--json"]).run().ok().json();
    assert_eq!(v["api_origin"], instance.as_str());
    assert_eq!(v["instance_url"], instance.as_str());
    assert_eq!(v["workspace_id"], sb.workspace_id());
    let text = lx_on(&sb, &["whoami"]).run().ok().stdout;
    assert!(
        text.lines()
            .any(|l| l.starts_with("api calls") && l.ends_with(&instance)),
        "{text}"
    );
    let v = lx_on(&sb, &["--no-instance-routing", "whoami", "--json"])
        .run()
        .ok()
        .json();
    assert_eq!(v["api_origin"], sb.url());

    // `lx get` is routed transparently, and not with --no-instance-routing.
    lx_on(
        &sb,
        &["get", "/services/pathfinder/v1/factSheets?pageSize=1"],
    )
    .run()
    .ok();
    assert_eq!(sb.instance_stats().requests(Endpoint::FactSheets, 200), 1);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 0);
    lx_on(
        &sb,
        &[
            "--no-instance-routing",
            "get",
            "/services/pathfinder/v1/factSheets?pageSize=1",
        ],
    )
    .run()
    .ok();
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 1);
    assert_eq!(sb.instance_stats().requests(Endpoint::FactSheets, 200), 1);
}

#[test]
fn an_instance_url_outside_the_rule_is_a_warning_and_calls_stay_on_the_host() {
    // HTTPS on loopback without --insecure-loopback: a loopback instanceUrl is outside the rule.
    let sb = Sandbox::builder()
        .tls(true)
        .fact_sheets(10)
        .instance_listener(true)
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, sb.ca_pem().unwrap()).unwrap();
    let cache = dir.path().join("cache");
    let run = Lx::bare(&[
        "--ca-file",
        ca.to_str().unwrap(),
        "get",
        "/services/pathfinder/v1/factSheets?pageSize=1",
    ])
    .env("XDG_CACHE_HOME", cache.to_str().unwrap())
    .env("LEANIX_HOST", sb.url())
    .env("LEANIX_API_TOKEN", sb.api_token())
    .run()
    .ok();
    let instance = sb.instance_url().unwrap();
    assert!(
        run.stderr.contains("lx: warning:") && run.stderr.contains(instance),
        "{}",
        run.stderr
    );
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 1);
    assert_eq!(sb.instance_stats().total(Endpoint::Any), 0);

    // The next run takes the token from the token cache: no exchange, and no second warning
    // (--verbose still explains it).
    let again = |verbose: bool| {
        let mut args = vec!["--ca-file", ca.to_str().unwrap()];
        if verbose {
            args.push("-v");
        }
        args.extend(["get", "/services/pathfinder/v1/factSheets?pageSize=1"]);
        Lx::bare(&args)
            .env("XDG_CACHE_HOME", cache.to_str().unwrap())
            .env("LEANIX_HOST", sb.url())
            .env("LEANIX_API_TOKEN", sb.api_token())
            .run()
            .ok()
    };
    let quiet = again(false);
    assert!(!quiet.stderr.contains("warning"), "{}", quiet.stderr);
    let verbose = again(true);
    assert!(verbose.stderr.contains(instance), "{}", verbose.stderr);
    assert_eq!(sb.stats().token_exchanges, 1);
    assert_eq!(sb.instance_stats().total(Endpoint::Any), 0);
}

/// `lx webhooks create --tag-set custom` with `more` arguments after it.
fn create_custom(sb: &Sandbox, more: &[&str]) -> Lx {
    let mut args = vec!["webhooks", "create", "--tag-set", "custom"];
    args.extend_from_slice(more);
    lx_on(sb, &args)
}

#[test]
fn create_sends_the_workspace_constraint() {
    let sb = routed_sandbox();
    let sub = create_custom(
        &sb,
        &[
            "--workspace-id",
            sb.workspace_id(),
            "--workspace-constraint",
            "ANY",
        ],
    )
    .run()
    .ok()
    .json();
    assert_eq!(sub["workspaceConstraint"], "ANY");
    assert_eq!(sub["workspaceId"], sb.workspace_id());
    // The sandbox knows ANY only: another value reaches it as given and is refused with the
    // server's reason.
    let refused = format!(
        "lx: POST {}/services/webhooks/v1/subscriptions answered HTTP 400 Bad Request: \
         'workspaceConstraint' must be \"ANY\"",
        sb.instance_url().unwrap().trim_end_matches('/')
    );
    create_custom(&sb, &["--workspace-constraint", "WORKSPACE_ONLY"])
        .run()
        .fails(4, &refused);
    assert_eq!(sb.instance_stats().requests(Endpoint::Webhooks, 400), 1);
    create_custom(&sb, &["--workspace-constraint", " "])
        .run()
        .fails(
            2,
            "lx: --workspace-constraint is empty; leave it out for ANY",
        );
    assert_eq!(sb.instance_stats().requests(Endpoint::Webhooks, 400), 1);
}

/// The instance the tokens of [`token_endpoint`] name: outside the domain of a loopback host.
const FAR_INSTANCE: &str = "https://eu-7.example.org";

/// A token endpoint on loopback that answers every request with an access token (a JWT,
/// unsigned: `lx` decodes claims without verifying them) whose `instanceUrl` is
/// [`FAR_INSTANCE`]. Returns its URL and how many requests it answered.
fn token_endpoint() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let part = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let jwt = format!(
        "{}.{}.{}",
        part(json!({"alg": "RS256", "typ": "JWT"})),
        part(json!({"sub": "cli-test", "exp": exp, "instanceUrl": FAR_INSTANCE})),
        part(json!("not-verified"))
    );
    let body = json!({"access_token": jwt, "token_type": "bearer", "expires_in": 3600}).to_string();
    let answered = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&answered);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            // The request: its head, then Content-Length bytes of body.
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line.trim_end() != "" {
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                line.clear();
            }
            let mut request_body = vec![0u8; length];
            let _ = reader.read_exact(&mut request_body);
            count.fetch_add(1, Ordering::SeqCst);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, answered)
}

/// `lx --insecure-loopback --no-token-cache ARGS... whoami --json` against `host`.
fn whoami_on(host: &str, args: &[&str]) -> Lx {
    let mut all = vec!["--insecure-loopback", "--no-token-cache"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["whoami", "--json"]);
    Lx::bare(&all)
        .env("LEANIX_HOST", host)
        .env("LEANIX_API_TOKEN", "cli-test-api-token")
}

#[test]
fn the_allow_list_lets_routing_follow_an_instance_outside_the_domain() {
    let (host, answered) = token_endpoint();
    let origin = |run: &Run| run.json()["api_origin"].as_str().unwrap().to_owned();

    // Not under the (loopback) host's domain nor allowed: refused with a warning.
    let run = whoami_on(&host, &[]).run().ok();
    assert_eq!(origin(&run).trim_end_matches('/'), host);
    assert_contains(&run.stderr, "lx: warning:");
    assert_contains(&run.stderr, FAR_INSTANCE);
    assert_contains(&run.stderr, "not in the allow-list");

    // Allowed by the flag, alone or in a comma-separated list: followed, no warning.
    for allow in ["eu-7.example.org", "other.example,EU-7.example.org"] {
        let run = whoami_on(&host, &["--allow-instance-host", allow])
            .run()
            .ok();
        assert_eq!(origin(&run), FAR_INSTANCE, "{allow}");
        assert_eq!(run.stderr, "", "{allow}");
    }
    let run = whoami_on(
        &host,
        &[
            "--allow-instance-host",
            "other.example",
            "--allow-instance-host",
            "https://eu-7.example.org",
        ],
    )
    .run()
    .ok();
    assert_eq!(origin(&run), FAR_INSTANCE);

    // Allowed by the config file (an array, or a comma-separated string as the C option).
    for list in [
        r#"["eu-7.example.org"]"#,
        r#""other.example, eu-7.example.org""#,
    ] {
        let cmd = whoami_on(&host, &[]);
        write_home_config(cmd.home(), &format!("allowed_instance_hosts = {list}\n"));
        assert_eq!(origin(&cmd.run().ok()), FAR_INSTANCE, "{list}");
    }
    // The flag's list replaces the file's.
    let cmd = whoami_on(&host, &["--allow-instance-host", "other.example"]);
    write_home_config(
        cmd.home(),
        "allowed_instance_hosts = [\"eu-7.example.org\"]\n",
    );
    let run = cmd.run().ok();
    assert_eq!(origin(&run).trim_end_matches('/'), host);
    assert_contains(&run.stderr, "not in the allow-list");

    // instance_routing = false in the file: the configured host, quietly, allow-list or not.
    let cmd = whoami_on(&host, &["--allow-instance-host", "eu-7.example.org"]);
    write_home_config(cmd.home(), "instance_routing = false\n");
    let run = cmd.run().ok();
    assert_eq!(origin(&run).trim_end_matches('/'), host);
    assert_eq!(run.stderr, "");

    // whoami makes no API call: each run above was one token exchange.
    assert_eq!(answered.load(Ordering::SeqCst), 8);

    // lx config shows the list and where it came from.
    let run = Lx::bare(&[
        "config",
        "--allow-instance-host",
        "eu-7.example.org,b.example",
    ])
    .run()
    .ok();
    assert_contains(
        &run.stdout,
        "also to eu-7.example.org, b.example (from flag --allow-instance-host)",
    );
}

#[test]
fn a_bad_allowed_instance_host_is_a_usage_error_naming_it() {
    let (host, answered) = token_endpoint();
    whoami_on(&host, &["--allow-instance-host", "http://eu-7.example.org"])
        .run()
        .fails(2, "lx: the allowed instance host \"http://eu-7.example.org\" must be a host name or an https:// origin");
    let cmd = whoami_on(&host, &[]);
    write_home_config(cmd.home(), "allowed_instance_hosts = 7\n");
    let run = cmd.run().expect(2);
    assert_contains(
        &run.stderr,
        "allowed_instance_hosts must be an array of host names or one string of comma-separated host names",
    );
    assert_eq!(answered.load(Ordering::SeqCst), 0, "nothing was sent");
}
