//! Every subcommand of the built `lx` against a sandbox started in this test process.

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;
use serde_json::{json, Value};

const FACT_SHEETS: &str = "/services/pathfinder/v1/factSheets";
const GRAPHQL: &str = "/services/pathfinder/v1/graphql";

/// A plain HTTP/1.1 GET with `Authorization: Bearer`, as curl would send it. Returns the status.
fn bearer_get(path: &str, token: &str) -> u16 {
    let url = url();
    let authority = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = TcpStream::connect(&authority).expect("connect to the sandbox");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status_line = response.lines().next().unwrap_or_default().to_owned();
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {status_line:?}"))
}

#[test]
fn token_prints_a_jwt_and_nothing_else() {
    let run = lx(&["token"]).token_on_stdout().run().ok();
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    assert!(run.stdout.ends_with('\n'));
    let token = run.stdout.trim_end_matches('\n');
    assert!(!token.contains(char::is_whitespace));
    let header = jwt_payload(&format!(
        "x.{}.y",
        token.split('.').next().expect("header part")
    ));
    assert_eq!(header["alg"], "RS256");
    let claims = jwt_payload(token);
    assert!(claims["exp"].as_i64().is_some());
    assert!(claims["principal"]["permission"]["workspaceId"].is_string());
}

#[test]
fn token_works_in_a_curl_style_bearer_header() {
    let token = access_token();
    assert_eq!(
        bearer_get(&format!("{FACT_SHEETS}?pageSize=1"), &token),
        200
    );
    assert_eq!(
        bearer_get(&format!("{FACT_SHEETS}?pageSize=1"), "not-a-token"),
        401
    );

    // The documented shell idiom, when curl is installed.
    let has_curl = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_curl {
        let script = format!(
            "curl -sS -o /dev/null -w '%{{http_code}}' -H \"Authorization: Bearer $(\"$LX\" --insecure-loopback token)\" '{}{FACT_SHEETS}?pageSize=1'",
            url().trim_end_matches('/')
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("LX", env!("CARGO_BIN_EXE_lx"))
            .env("LEANIX_HOST", url())
            .env("LEANIX_API_TOKEN", api_token())
            .env("XDG_CONFIG_HOME", tempfile::tempdir().unwrap().path())
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "200");
    }
}

#[test]
fn claims_and_whoami_show_user_workspace_role_and_expiry() {
    let claims = jwt_payload(&access_token());
    let permission = &claims["principal"]["permission"];
    let workspace = permission["workspaceName"].as_str().unwrap();
    let workspace_id = permission["workspaceId"].as_str().unwrap();
    let role = permission["role"].as_str().unwrap();
    let user = claims["principal"]["username"].as_str().unwrap();

    for args in [&["token", "--claims"][..], &["whoami"][..]] {
        let out = lx(args).run().ok().stdout;
        assert!(out.contains(workspace), "{args:?}: {out}");
        assert!(out.contains(workspace_id), "{out}");
        assert!(out.contains(role), "{out}");
        assert!(out.contains(user), "{out}");
        assert!(out.contains("expires"), "{out}");
        assert!(out.contains("(in 3"), "expiry in seconds: {out}");
        // TZ=UTC in the tests: the local time carries the +00:00 offset.
        assert!(out.contains("+00:00"), "{out}");
    }

    let v = lx(&["whoami", "--json"]).run().ok().json();
    assert_eq!(v["workspace_name"], workspace);
    assert_eq!(v["workspace_id"], workspace_id);
    assert_eq!(v["role"], role);
    assert!(v["expires_in"].as_i64().unwrap() > 3000);
    assert_eq!(v["claims"]["principal"]["username"], user);
    let v2 = lx(&["token", "--claims", "--json"]).run().ok().json();
    assert_eq!(v2["workspace_id"], workspace_id);
}

#[test]
fn get_prints_compact_json_when_piped_and_pretty_on_request() {
    let run = lx(&["get", &format!("{FACT_SHEETS}?pageSize=2")])
        .run()
        .ok();
    assert_eq!(run.stdout.lines().count(), 1, "compact: {}", run.stdout);
    let v = run.json();
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert!(v["total"].as_u64().unwrap() >= 2);

    let pretty = lx(&["get", &format!("{FACT_SHEETS}?pageSize=2"), "--pretty"])
        .run()
        .ok();
    assert!(pretty.stdout.lines().count() > 5);
    assert!(pretty.stdout.contains("\n  \"data\": ["));
    assert_eq!(pretty.json(), v);
}

#[test]
fn get_with_include_prints_status_and_headers_first() {
    let run = lx(&["-i", "get", &format!("{FACT_SHEETS}?pageSize=1")])
        .run()
        .ok();
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some("HTTP 200 OK"));
    let headers: Vec<&str> = lines.by_ref().take_while(|l| !l.is_empty()).collect();
    assert!(
        headers.iter().any(|h| h
            .to_ascii_lowercase()
            .starts_with("content-type: application/json")),
        "{headers:?}"
    );
    let body: Vec<&str> = lines.collect();
    let v: Value = serde_json::from_str(&body.join("\n")).unwrap();
    assert!(v["data"].is_array());
}

#[test]
fn include_on_an_http_error_shows_the_status() {
    let run = lx(&["get", &format!("{FACT_SHEETS}/no-such-id"), "--include"])
        .run()
        .expect(4);
    assert!(
        run.stdout.starts_with("HTTP 404 Not Found\n"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.starts_with("lx: "), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn request_post_takes_json_inline_from_a_file_and_from_stdin() {
    let body = json!({"query": "{ allFactSheets { totalCount } }"}).to_string();
    let total = rest_total();

    let inline = lx(&["request", "POST", GRAPHQL, "--data", &body])
        .run()
        .ok()
        .json();
    assert_eq!(inline["data"]["allFactSheets"]["totalCount"], total);

    let (_dir, path) = temp_file("body.json", body.as_bytes());
    let from_file = lx(&[
        "request",
        "POST",
        GRAPHQL,
        "--data",
        &format!("@{}", path.display()),
    ])
    .run()
    .ok()
    .json();
    assert_eq!(from_file, inline);

    let from_stdin = lx(&["request", "post", GRAPHQL, "-d", "-"])
        .stdin(body.clone())
        .run()
        .ok()
        .json();
    assert_eq!(from_stdin, inline);
}

#[test]
fn request_creates_a_fact_sheet_and_get_reads_it_back() {
    // A sandbox of its own: the shared one must keep its fact sheet count for the other tests.
    let own = leanix_sandbox::Sandbox::start().unwrap();
    let name = format!("lx test {}", std::process::id());
    let created = lx_on(
        &own,
        &[
            "request",
            "POST",
            FACT_SHEETS,
            "--data",
            &json!({"name": name, "type": "Application"}).to_string(),
            "--header",
            "Accept: application/json",
        ],
    )
    .run()
    .ok()
    .json();
    let id = created["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no data.id in {created}"));
    let read = lx_on(&own, &["get", &format!("{FACT_SHEETS}/{id}")])
        .run()
        .ok()
        .json();
    assert_eq!(read["data"]["name"], name.as_str());
}

#[test]
fn request_headers_are_checked() {
    lx(&["request", "GET", FACT_SHEETS, "-H", "no colon"])
        .run()
        .expect_stderr(2, "NAME:VALUE");
    lx(&[
        "request",
        "GET",
        FACT_SHEETS,
        "-H",
        "Authorization: Bearer x",
    ])
    .run()
    .expect_stderr(2, "Authorization");
    lx(&[
        "request",
        "GET",
        &format!("{FACT_SHEETS}?pageSize=1"),
        "-H",
        "X-Request-Id: lx-test",
        "--header",
        "Accept: application/json",
    ])
    .run()
    .ok();
}

#[test]
fn request_refuses_a_body_that_is_not_json_unless_typed() {
    lx(&["request", "POST", GRAPHQL, "--data", "{not json"])
        .run()
        .expect_stderr(2, "not valid JSON");
    // With an explicit Content-Type the body goes out as it is (and the server judges it).
    let run = lx(&[
        "request",
        "POST",
        GRAPHQL,
        "--data",
        "{not json",
        "-H",
        "Content-Type: text/plain",
    ])
    .run();
    assert_ne!(run.code, 2, "{}", run.stderr);
}

#[test]
fn graphql_runs_queries_with_variables_and_from_files() {
    let total = rest_total();
    let v = lx(&["graphql", "{ allFactSheets { totalCount } }"])
        .run()
        .ok()
        .json();
    assert_eq!(v["allFactSheets"]["totalCount"], total);

    let query =
        "query($first: Int) { allFactSheets(first: $first) { edges { node { id name } } } }";
    let v = lx(&["graphql", query, "--variables", r#"{"first": 3}"#])
        .run()
        .ok()
        .json();
    assert_eq!(v["allFactSheets"]["edges"].as_array().unwrap().len(), 3);

    let (_dir, path) = temp_file("q.graphql", query.as_bytes());
    let v2 = lx(&[
        "graphql",
        &format!("@{}", path.display()),
        "--variables",
        "-",
    ])
    .stdin(r#"{"first": 3}"#)
    .run()
    .ok()
    .json();
    assert_eq!(v2, v);
}

#[test]
fn graphql_operation_name_picks_one_operation_of_a_document() {
    let doc = "query Count { allFactSheets { totalCount } } query First { allFactSheets(first: 2) { edges { node { id } } } }";
    let v = lx(&["graphql", doc, "--operation-name", "First"])
        .run()
        .ok()
        .json();
    assert_eq!(v["allFactSheets"]["edges"].as_array().unwrap().len(), 2);
    assert!(v["allFactSheets"].get("totalCount").is_none(), "{v}");
    let v = lx(&["graphql", doc, "--operation-name", "Count"])
        .run()
        .ok()
        .json();
    assert_eq!(v["allFactSheets"]["totalCount"], rest_total());
    // Without it, the server's refusal (exit 4) with its words.
    let run = lx(&["graphql", doc]).run().expect(4);
    assert!(
        run.stderr
            .contains("Must provide operation name if query contains multiple operations"),
        "{}",
        run.stderr
    );
}

#[test]
fn graphql_all_walks_every_page_and_returns_each_fact_sheet_once() {
    let total = sandbox().fact_sheet_count() as u64;
    assert_eq!(rest_total(), total);
    let query = "query($after: String) { allFactSheets(first: 37, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
    let run = lx(&["graphql", query, "--all"]).run().ok();
    // stderr is not a terminal here: no progress bar.
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let v = run.json();
    let edges = v["allFactSheets"]["edges"].as_array().unwrap();
    let ids: HashSet<&str> = edges
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(edges.len() as u64, total, "every fact sheet");
    assert_eq!(ids.len(), edges.len(), "each exactly once");
    assert_eq!(v["allFactSheets"]["totalCount"], total);
    assert_eq!(v["allFactSheets"]["pageInfo"]["hasNextPage"], false);
}

#[test]
fn graphql_errors_and_misuse_have_their_exit_codes() {
    let run = lx(&["graphql", "{ noSuchField }"]).run().expect(4);
    assert!(
        run.stderr.starts_with("lx: GraphQL error"),
        "{}",
        run.stderr
    );
    lx(&["graphql", "{ allFactSheets { totalCount } }", "--all"])
        .run()
        .expect_stderr(2, "$after");
    lx(&[
        "graphql",
        "{ allFactSheets { totalCount } }",
        "--variables",
        "[1]",
    ])
    .run()
    .expect(2);
    lx(&["graphql", "{ x }", "-i"]).run().expect(2);
}

#[test]
fn verbose_reports_the_exchange_without_secrets() {
    let run = lx(&["-v", "get", &format!("{FACT_SHEETS}?pageSize=1")])
        .run()
        .ok();
    assert_contains(&run.stderr, "token exchange");
    assert_contains(&run.stderr, "sha256:");
    assert!(run
        .stderr
        .contains("from environment variable LEANIX_API_TOKEN"));
    assert_contains(&run.stderr, "→ 200");
}

/// Runs a shell command under `script(1)`, which gives it a terminal; `None` without `script`.
fn on_a_terminal(command: &str) -> Option<String> {
    let out = std::process::Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env("LX", env!("CARGO_BIN_EXE_lx"))
        .env("LEANIX_HOST", url())
        .env("LEANIX_API_TOKEN", api_token())
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn on_a_terminal_json_is_pretty_and_all_draws_progress() {
    let Some(screen) = on_a_terminal(&format!(
        "\"$LX\" --insecure-loopback get '{FACT_SHEETS}?pageSize=1'"
    )) else {
        eprintln!("script(1) is not available: skipped");
        return;
    };
    assert!(
        screen.contains("\n  \"data\": ["),
        "pretty on a terminal: {screen}"
    );

    let query = "query($after: String) { allFactSheets(first: 500, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
    let screen = on_a_terminal(&format!(
        "\"$LX\" --insecure-loopback graphql '{query}' --all > /dev/null"
    ))
    .expect("lx under script");
    assert!(
        screen.contains(" edges, "),
        "a progress line on stderr: {screen:?}"
    );
    assert!(
        screen.contains("\x1b[2K"),
        "the line is erased at the end: {screen:?}"
    );
}

#[test]
fn the_leak_check_catches_an_access_token() {
    let token = access_token();
    let args = vec!["(self-test)".to_owned()];
    let caught = std::panic::catch_unwind(|| {
        assert_no_jwt(&format!("lx: oops {token} here"), "stderr", &args)
    });
    assert!(caught.is_err(), "a JWT in the output must fail the check");
    assert_no_jwt("cursor eyJhbGciOiJSUzI1NiJ9 has no dots", "stdout", &args);
}
