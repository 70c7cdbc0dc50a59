//! Behaviour at the edges of the command line, against real sandboxes: `webhooks pull` into a
//! pipe commits only what the reader took, `--help`/`--version` with a closed stdout, `-i` on an
//! error, refused framing headers and proxies, GraphQL paging and write errors, `--timeout` over
//! retries and stalls, and redacted query values with `-v`.

mod common;

use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::{json, Value};

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

/// Runs `lx webhooks pull ID | READER` in bash, asserts that `lx` exited 0, and returns the
/// output of the pipeline.
fn pull_into(sb: &Sandbox, id: &str, reader: &str) -> std::process::Output {
    let out = lx_script_on(
        sb,
        "bash",
        &format!("\"$LX\" webhooks pull {id} | {reader}; exit ${{PIPESTATUS[0]}}"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    out
}

#[test]
fn webhooks_pull_into_head_commits_exactly_the_lines_head_took() {
    let sb = webhook_sandbox();
    sb.set_webhook_batch_size(16);
    let (id, offsets) = subscription_with_events(&sb, 20);

    // head -1: one line printed, one event committed, lx quiet and 0.
    let out = pull_into(&sb, &id, "head -1");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(offsets_of(&out.stdout), vec![offsets[0]]);
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[0] + 1));

    // head -3 goes on from there: the next three, and the cursor after them.
    let out = pull_into(&sb, &id, "head -3");
    assert_eq!(offsets_of(&out.stdout), offsets[1..4].to_vec());
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[3] + 1));

    // A reader that takes everything gets the other sixteen, none skipped or repeated.
    let out = pull_into(&sb, &id, "cat");
    assert_eq!(offsets_of(&out.stdout), offsets[4..].to_vec());
    assert_eq!(sb.webhook_cursor(&id), Some(offsets[19] + 1));
}

#[test]
fn help_and_version_with_stdout_closed_exit_23_and_into_head_stay_0() {
    for flag in ["--help", "--version"] {
        let out = lx_script("sh", &format!("\"$LX\" {flag} >&-"), &[]);
        assert_eq!(out.status.code(), Some(23), "{flag}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("standard output is closed"),
            "{flag}: {out:?}"
        );
        // A full disk is an output error too.
        let out = lx_script("sh", &format!("\"$LX\" {flag} >/dev/full"), &[]);
        assert_eq!(out.status.code(), Some(23), "{flag}: {out:?}");
        // A reader that stops early is not an error.
        let out = lx_script(
            "bash",
            &format!("\"$LX\" {flag} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}"),
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        assert!(out.stderr.is_empty(), "{flag}: {out:?}");
    }
}

const FACT_SHEETS: &str = "/services/pathfinder/v1/factSheets";

fn small_sandbox() -> Sandbox {
    Sandbox::builder().fact_sheets(20).start().unwrap()
}

#[test]
fn include_on_an_http_error_shows_the_headers_and_the_json_body() {
    let sb = small_sandbox();
    let run = lx_on(&sb, &["-i", "get", &format!("{FACT_SHEETS}/no-such-id")])
        .run()
        .expect(4);
    let (head, body) = run
        .stdout
        .split_once("\n\n")
        .unwrap_or_else(|| panic!("no blank line after the headers: {}", run.stdout));
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("HTTP 404 Not Found"));
    let headers: Vec<&str> = lines.collect();
    assert!(
        headers.contains(&"content-type: application/json"),
        "{headers:?}"
    );
    let body: Value = serde_json::from_str(body.trim_end()).expect("the error body as JSON");
    assert_eq!(body["status"], "ERROR");
    assert_eq!(
        body["errors"][0]["message"],
        "Fact sheet with id 'no-such-id' not found"
    );
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "lx: GET {}/services/pathfinder/v1/factSheets/no-such-id answered HTTP 404 Not Found: Fact sheet with id 'no-such-id' not found",
            sb.url().trim_end_matches('/')
        )
    );
}

#[test]
fn framing_headers_are_refused_with_exit_2_naming_the_header() {
    let sb = small_sandbox();
    for (header, name) in [
        ("Content-Length: 5", "content-length"),
        ("Transfer-Encoding: chunked", "transfer-encoding"),
    ] {
        lx_on(&sb, &["get", FACT_SHEETS, "-H", header]).run().fails(
            2,
            &format!("lx: the {name} header is set by the client and cannot be given"),
        );
    }
    assert_eq!(
        sb.stats().total(Endpoint::FactSheets),
        0,
        "nothing was sent"
    );
}

#[test]
fn graphql_all_refuses_a_cursor_cycle_and_a_next_page_without_cursor_with_exit_6() {
    let sb = small_sandbox();
    sb.inject(Endpoint::GraphQl, Fault::CursorCycle, 100);
    let run = lx_on(&sb, &["graphql", "--all", PAGED_QUERY])
        .run()
        .expect(6);
    assert_eq!(run.stdout, "", "nothing of a broken walk is printed");
    assert!(
        run.stderr
            .starts_with("lx: GraphQL paging goes round in circles: page 3 returned the endCursor"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sb.stats().requests(Endpoint::GraphQl, 200),
        3,
        "stopped at the repeat"
    );

    sb.reset();
    sb.inject(Endpoint::GraphQl, Fault::NoEndCursor, 1);
    lx_on(&sb, &["graphql", "--all", PAGED_QUERY]).run().fails(
        6,
        "lx: GraphQL page 1 says hasNextPage but has no endCursor",
    );
    assert_eq!(sb.stats().requests(Endpoint::GraphQl, 200), 1);
}

#[test]
fn timeout_bounds_the_whole_call_over_a_retried_503_and_a_stall() {
    let sb = small_sandbox();
    sb.inject(Endpoint::FactSheets, Fault::status_retry_after(503, "0"), 1);
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(std::time::Duration::from_secs(60)),
        1,
    );
    let started = std::time::Instant::now();
    let run = lx_on(
        &sb,
        &[
            "--timeout",
            "1",
            "get",
            &format!("{FACT_SHEETS}?pageSize=1"),
        ],
    )
    .run()
    .expect(5);
    let took = started.elapsed();
    // One second of deadline plus process start and the exchange, on a busy machine.
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert!(took >= std::time::Duration::from_secs(1), "{took:?}");
    assert!(
        run.stderr
            .contains("timed out: the call's deadline of 1000 ms passed"),
        "{}",
        run.stderr
    );
    // The stalled attempt was abandoned at the deadline: the sandbox saw the hang-up.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sb.stats().requests(Endpoint::FactSheets, 499) == 0 {
        assert!(std::time::Instant::now() < until, "no hang-up seen");
        std::thread::yield_now();
    }
    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::FactSheets, 503), 1);
    assert_eq!(stats.requests(Endpoint::FactSheets, 499), 1);
    assert_eq!(stats.requests(Endpoint::FactSheets, 200), 0);
}

/// The id and `rev` of one fact sheet, through `lx graphql`.
fn some_fact_sheet(sb: &Sandbox) -> (String, i64) {
    let data = lx_on(
        sb,
        &[
            "graphql",
            "{ allFactSheets(first: 1) { edges { node { id rev } } } }",
        ],
    )
    .run()
    .ok()
    .json();
    let node = &data["allFactSheets"]["edges"][0]["node"];
    (
        node["id"].as_str().unwrap().to_owned(),
        node["rev"].as_i64().unwrap(),
    )
}

const UPDATE: &str = "mutation($id: ID!, $rev: Long) { updateFactSheet(id: $id, rev: $rev, patches: [{op: replace, path: \"/description\", value: \"from lx\"}]) { factSheet { id rev } } }";

#[test]
fn a_graphql_write_with_a_stale_rev_and_a_viewers_write_exit_4_with_the_error_type() {
    let sb = small_sandbox();
    let (id, rev) = some_fact_sheet(&sb);
    let stale = json!({ "id": id, "rev": rev - 1 }).to_string();
    let clash = format!(
        "lx: GraphQL error: DB revision of Fact Sheet has changed: {rev} instead of given {} [REVISION_CLASH]",
        rev - 1
    );
    let run = lx_on(&sb, &["graphql", UPDATE, "--variables", &stale])
        .run()
        .expect(4);
    assert_eq!(run.stderr.trim_end(), clash);
    // stdout has the server's errors, typed, and the partial data that came with them.
    let printed = run.json();
    assert_eq!(
        printed["errors"][0]["extensions"]["errorType"],
        "REVISION_CLASH"
    );
    assert_eq!(printed["data"], json!({ "updateFactSheet": null }));
    // The same write sent raw: the body is printed as it came, and the errors still fail it.
    let body = json!({ "query": UPDATE, "variables": { "id": id, "rev": rev - 1 } }).to_string();
    let run = lx_on(
        &sb,
        &[
            "request",
            "POST",
            "/services/pathfinder/v1/graphql",
            "--data",
            &body,
        ],
    )
    .run()
    .expect(4);
    assert_eq!(run.stderr.trim_end(), clash);
    assert_eq!(
        run.json()["errors"][0]["extensions"]["errorType"],
        "REVISION_CLASH"
    );
    assert_eq!(sb.stats().writes, 0);

    // A viewer's token: refused, through GraphQL and REST.
    let viewer = sb.viewer_api_token().to_owned();
    let fresh = json!({ "id": id, "rev": rev }).to_string();
    let run = lx_on(&sb, &["graphql", UPDATE, "--variables", &fresh])
        .env("LEANIX_API_TOKEN", &viewer)
        .run()
        .expect(4);
    assert!(
        run.stderr
            .contains("may not change fact sheets [AUTHORIZATION]"),
        "{}",
        run.stderr
    );
    lx_on(
        &sb,
        &[
            "request",
            "PUT",
            &format!("{FACT_SHEETS}/{id}"),
            "--data",
            r#"{"description":"from lx"}"#,
        ],
    )
    .env("LEANIX_API_TOKEN", &viewer)
    .run()
    .expect_stderr(4, "answered HTTP 403 Forbidden");
    assert_eq!(sb.stats().writes, 0);
    // The admin's write with the current rev goes through.
    let done = lx_on(&sb, &["graphql", UPDATE, "--variables", &fresh])
        .run()
        .ok()
        .json();
    assert_eq!(done["updateFactSheet"]["factSheet"]["rev"], rev + 1);
    assert_eq!(sb.stats().writes, 1);
}

#[test]
fn a_proxy_for_an_http_host_is_refused_and_receives_nothing() {
    let sb = small_sandbox();
    let proxy = std::net::TcpListener::bind("127.0.0.2:0").expect("bind 127.0.0.2");
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    Lx::bare(&[
        "--host",
        sb.url(),
        "--insecure-loopback",
        "--proxy",
        &proxy_url,
        "get",
        FACT_SHEETS,
    ])
    .env("LEANIX_API_TOKEN", sb.api_token())
    .run()
    .expect_stderr(2, "refusing a proxy for the http:// host");
    match proxy.accept() {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
        Ok((_, from)) => panic!("the proxy received a connection from {from}"),
    }
    assert_eq!(sb.stats().token_requests, 0);
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 0);
}

#[test]
fn verbose_redacts_query_values_in_the_request_line() {
    let sb = small_sandbox();
    let run = lx_on(
        &sb,
        &[
            "-v",
            "get",
            &format!("{FACT_SHEETS}?pageSize=1&apiKey=SECRET"),
        ],
    )
    .run()
    .ok();
    assert!(
        run.stderr.lines().any(|l| l.starts_with(&format!(
            "lx: GET {FACT_SHEETS}?pageSize=…&apiKey=… → 200 ("
        ))),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    assert!(!run.stdout.contains("SECRET"));
}

/// True once `lx`'s signal watcher thread runs (its handlers are installed).
fn watching_signals(pid: u32) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| {
            tasks.flatten().any(|t| {
                std::fs::read_to_string(t.path().join("comm"))
                    .is_ok_and(|c| c.trim_end() == "lx-signals")
            })
        })
        .unwrap_or(false)
}

#[test]
fn sigint_cancels_an_ldif_run_while_it_waits_between_polls() {
    let sb = small_sandbox();
    sb.set_sync_run_manual(true);
    let ldif = json!({
        "connectorType": "cli", "connectorId": "signals", "connectorVersion": "1.0.0",
        "lxVersion": "1.0.0", "description": "signals", "processingDirection": "inbound",
        "processingMode": "partial", "content": []
    });
    let (mut child, _home) =
        lx_on(&sb, &["ldif", "run", "-"]).spawn(Stdio::piped(), Stdio::piped());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(ldif.to_string().as_bytes()).unwrap();
    }
    // Created, started and polled at least once: the run never ends by itself (manual), so
    // lx is waiting between polls.
    wait_for("a status poll", || {
        sb.stats().requests(Endpoint::Integration, 200) >= 3
    });
    let (out, took) = signal_and_wait(child, libc::SIGINT);
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(took < std::time::Duration::from_millis(1500), "{took:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("interrupted by SIGINT"),
        "{out:?}"
    );
    // The run goes on at LeanIX: it is printed as last seen, its id to pick it up again.
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the run on stdout");
    assert_eq!(run["status"], "PENDING", "{run}");
    let id = run["id"].as_str().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "lx: LDIF run {id} goes on at LeanIX; lx ldif wait {id} picks it up again"
        )),
        "{out:?}"
    );
    // lx ldif wait ID follows it to its end.
    while sb.advance_sync_runs() > 0 {}
    let waited = lx_on(&sb, &["--timeout", "20", "ldif", "wait", id])
        .run()
        .ok()
        .json();
    assert_eq!(
        (&waited["id"], &waited["status"]),
        (&json!(id), &json!("FINISHED"))
    );
    // An id that does not exist is the server's 404, quoted, and no run is made up.
    let missing = lx_on(&sb, &["ldif", "wait", "no-such-run"]).run().expect(4);
    assert_eq!(missing.stdout, "");
    assert_contains(
        &missing.stderr,
        "No synchronization run with id 'no-such-run' exists",
    );
}

#[test]
fn sigterm_while_lx_waits_for_something_no_cancel_reaches_exits_143_after_the_grace() {
    let sb = small_sandbox();
    // lx reads the request body from a standard input that never ends.
    let (mut child, _home) = lx_on(&sb, &["request", "POST", FACT_SHEETS, "--data", "-"])
        .spawn(Stdio::piped(), Stdio::piped());
    // Held open until lx has ended (waiting on the child would close it).
    let _stdin = child.stdin.take().unwrap();
    let pid = child.id();
    wait_for("the signal watcher", || watching_signals(pid));
    let (out, took) = signal_and_wait(child, libc::SIGTERM);
    assert_eq!(out.status.code(), Some(143), "{out:?}");
    // The grace of 0.5 s, then out: bounded, not hung.
    assert!(took >= std::time::Duration::from_millis(450), "{took:?}");
    assert!(took < std::time::Duration::from_millis(2000), "{took:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "lx: interrupted by SIGTERM; stopped without waiting for the command to end"
    );
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 0);
}

/// A TCP relay in front of the sandbox: lx talks to it as its host, it passes the bytes both
/// ways and, once a request containing `needle` has gone through, records the local port of
/// its connection to the sandbox (0 until then). When either side closes, it closes the other
/// (so the sandbox sees lx hang up).
fn relay(sb: &Sandbox, needle: &'static str) -> (String, Arc<AtomicU32>) {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = sandbox_addr(sb);
    let seen = Arc::new(AtomicU32::new(0));
    let flag = Arc::clone(&seen);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(upstream) else {
                continue;
            };
            let port = u32::from(server.local_addr().unwrap().port());
            let pipe = |mut from: TcpStream, mut to: TcpStream, watch: Option<Arc<AtomicU32>>| {
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n @ 1..) = from.read(&mut buf) {
                        if to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        if let Some(flag) = &watch {
                            if buf[..n]
                                .windows(needle.len())
                                .any(|w| w == needle.as_bytes())
                            {
                                flag.store(port, Ordering::SeqCst);
                            }
                        }
                    }
                    let _ = from.shutdown(Shutdown::Both);
                    let _ = to.shutdown(Shutdown::Both);
                });
            };
            pipe(
                client.try_clone().unwrap(),
                server.try_clone().unwrap(),
                Some(Arc::clone(&flag)),
            );
            pipe(server, client, None);
        }
    });
    (url, seen)
}

fn sandbox_addr(sb: &Sandbox) -> std::net::SocketAddr {
    sb.url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

/// True once the sandbox's end of the connection from local port `peer` has no unread byte
/// (its receive queue in /proc/net/tcp is empty): the sandbox read the request, and hyper
/// hands a request to the handler in the same turn as it reads it.
fn sandbox_read_everything_from(sandbox_port: u16, peer: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let port_of = |field: &str| {
        field
            .rsplit(':')
            .next()
            .and_then(|p| u16::from_str_radix(p, 16).ok())
    };
    table.lines().skip(1).any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() > 4
            && port_of(f[1]) == Some(sandbox_port)
            && port_of(f[2]) == Some(peer)
            && f[4].rsplit(':').next() == Some("00000000")
    })
}

#[test]
fn sigint_during_a_stalled_api_call_exits_130_and_the_sandbox_sees_the_hang_up() {
    let sb = small_sandbox();
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(std::time::Duration::from_secs(60)),
        1,
    );
    let (host, seen) = relay(&sb, "GET /services/pathfinder/v1/factSheets");
    let (mut child, _home) = Lx::bare(&[
        "--insecure-loopback",
        "--no-token-cache",
        // The sandbox's tokens name its own URL as the instance: stay on the relay.
        "--no-instance-routing",
        "get",
        "/services/pathfinder/v1/factSheets?pageSize=1",
    ])
    .env("LEANIX_HOST", &host)
    .env("LEANIX_API_TOKEN", sb.api_token())
    .spawn(Stdio::null(), Stdio::piped());
    wait_for("the sandbox reading the GET", || {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err);
            panic!("lx ended before its GET passed the relay: {status:?}: {err}");
        }
        let port = seen.load(Ordering::SeqCst);
        port != 0 && sandbox_read_everything_from(sandbox_addr(&sb).port(), port as u16)
    });
    let (out, took) = signal_and_wait(child, libc::SIGINT);
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(took < std::time::Duration::from_millis(1500), "{took:?}");
    assert_eq!(out.stdout, b"");
    wait_for("the hang-up at the sandbox", || {
        sb.stats().requests(Endpoint::FactSheets, 499) >= 1
    });
    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::FactSheets, 499), 1);
    assert_eq!(
        stats.total(Endpoint::FactSheets),
        1,
        "one request, abandoned"
    );
    assert_eq!(stats.token_exchanges, 1);
}
