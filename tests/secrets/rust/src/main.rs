//! The Rust part of the secrets test (tests/secrets/run.sh): drives every path of the `leanix`
//! API (success, every error kind, retries, refresh with a short token lifetime, 401 replay,
//! cancellation) against a running lx-sandbox, with the most verbose logging there is: a
//! `tracing` subscriber that prints every span and event of every crate at TRACE with all
//! fields, a `log` logger at TRACE (reqwest, rustls, ...), the event callback, and `Debug`,
//! `Display` and `source()` chains of every value and error. Everything goes to stdout/stderr,
//! which run.sh searches for credentials. Access tokens handed out on purpose
//! (`access_token()`) go to the file in `LX_INTENTIONAL` instead.
//!
//! Environment: LX_URL, LX_TOKEN (admin), LX_VIEWER, LX_REVOKED (a revoked API token),
//! LX_INTENTIONAL.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use leanix::blocking::Client;
use leanix::{ClientBuilder, Request};

/// Prints every span and event, with all fields, at every level.
struct PrintAll {
    next_id: AtomicU64,
}

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl tracing::Subscriber for PrintAll {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut f = Fields(String::new());
        span.record(&mut f);
        println!("TRACE span {}{}", span.metadata().name(), f.0);
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut f = Fields(String::new());
        values.record(&mut f);
        println!("TRACE record{}", f.0);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut f = Fields(String::new());
        event.record(&mut f);
        let m = event.metadata();
        println!("TRACE {} {}{}", m.level(), m.target(), f.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// The `log` crate's records (reqwest, rustls, ...), all levels.
struct LogAll;

impl log::Log for LogAll {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        println!(
            "LOG {} {} {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

static LOGGER: LogAll = LogAll;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

/// A call to the sandbox's control API over a plain socket (not the library under test).
fn control(url: &str, method: &str, path: &str, body: &str) {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("sandbox");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(
        out.starts_with("HTTP/1.1 200"),
        "control {path} {body}: {out}"
    );
}

fn fault(url: &str, json: &str) {
    control(url, "POST", "/_sandbox/faults", json);
}

/// Prints an outcome every way a program might: Display, Debug, alternate Debug, the source
/// chain, and the error's accessors.
fn report<T: std::fmt::Debug>(what: &str, r: &Result<T, leanix::Error>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => {
            println!("{what}: {e}");
            println!("{what}: {e:?}");
            println!("{what}: {e:#?}");
            println!(
                "{what}: kind={} status={:?} oauth={:?} retry_after={:?} body={:?} graphql={:?} transient={}",
                e.kind(),
                e.status(),
                e.oauth_error(),
                e.retry_after(),
                e.body(),
                e.graphql_errors(),
                e.is_transient()
            );
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                println!("{what}: caused by {s} / {s:?}");
                source = s.source();
            }
        }
    }
}

const FS: &str = "/services/pathfinder/v1/factSheets?pageSize=2";

fn builder(url: &str, token: &str) -> ClientBuilder {
    Client::builder()
        .host(url)
        .api_token(token)
        .allow_insecure_loopback(true)
        .retry_base_delay(Duration::from_millis(20))
        .on_event(|e| println!("EVENT {e:?}"))
}

fn main() {
    tracing::subscriber::set_global_default(PrintAll {
        next_id: AtomicU64::new(0),
    })
    .unwrap();
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let url = env("LX_URL");
    let token = env("LX_TOKEN");
    let viewer = env("LX_VIEWER");
    let revoked = env("LX_REVOKED");
    let mut intentional = std::fs::File::create(env("LX_INTENTIONAL")).unwrap();

    // Success: REST, GraphQL, claims; every value printed.
    let b = builder(&url, &token);
    println!("builder: {b:?}");
    let c = b.build_blocking().unwrap();
    println!("client: {c:?}");
    report("get", &c.get(FS).map(|r| (r.status(), r.headers().len())));
    report(
        "graphql",
        &c.graphql("{ allFactSheets(first: 2) { totalCount } }", None),
    );
    report("claims", &c.claims());
    let t = c.access_token().unwrap();
    println!("access token: {t:?} / {t}");
    writeln!(intentional, "{}", t.expose_secret()).unwrap();
    println!("client after: {c:?}");

    // Retries: the token endpoint and the API, 503 and a dropped connection.
    let fresh = builder(&url, &token).build_blocking().unwrap();
    fault(&url, r#"{"endpoint":"token","kind":"status","status":503}"#);
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"drop_connection"}"#,
    );
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"status","status":503}"#,
    );
    report("retries", &fresh.get(FS).map(|r| r.status()));

    // 401 replay (revoked access tokens), then 401 twice.
    control(
        &url,
        "POST",
        "/_sandbox/revoke",
        r#"{"access_tokens":true}"#,
    );
    report("replay", &c.get(FS).map(|r| r.status()));
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"status","status":401,"times":2}"#,
    );
    report("unauthorized", &c.get(FS).map(|r| r.status()));

    // Every error kind.
    report(
        "invalid credentials",
        &builder(&url, "not-a-valid-token-rust-0123456789")
            .build_blocking()
            .unwrap()
            .get(FS)
            .map(|r| r.status()),
    );
    report(
        "revoked api token",
        &builder(&url, &revoked)
            .build_blocking()
            .unwrap()
            .get(FS)
            .map(|r| r.status()),
    );
    let v = builder(&url, &viewer).build_blocking().unwrap();
    report(
        "forbidden",
        &v.send(
            Request::new("POST", "/services/pathfinder/v1/factSheets")
                .json(&serde_json::json!({"name": "x", "type": "Application"})),
        )
        .map(|r| r.status()),
    );
    // A 429 with Retry-After: 3600 pauses its whole client for the hour: a client of its own.
    let limited = builder(&url, &token).build_blocking().unwrap();
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"status","status":429,"retry_after":"3600"}"#,
    );
    report("rate limited", &limited.get(FS).map(|r| r.status()));
    drop(limited);
    report(
        "404",
        &c.get("/services/pathfinder/v1/factSheets/nope")
            .map(|r| r.status()),
    );
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"status","status":503,"times":3}"#,
    );
    report("503", &c.get(FS).map(|r| r.status()));
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"stall","ms":3000}"#,
    );
    let impatient = builder(&url, &token)
        .request_timeout(Duration::from_millis(300))
        .build_blocking()
        .unwrap();
    report("timeout", &impatient.get(FS).map(|r| r.status()));
    report(
        "connect",
        &builder("http://127.0.0.1:1", &token)
            .build_blocking()
            .unwrap()
            .get(FS)
            .map(|r| r.status()),
    );
    let cold = builder(&url, &token).build_blocking().unwrap();
    fault(&url, r#"{"endpoint":"token","kind":"malformed_json"}"#);
    report("invalid response", &cold.get(FS).map(|r| r.status()));
    fault(
        &url,
        r#"{"endpoint":"token","kind":"truncated_body","times":3}"#,
    );
    report("truncated token", &cold.get(FS).map(|r| r.status()));
    report("graphql error", &c.graphql("{ noSuchField }", None));
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"redirect_foreign"}"#,
    );
    report("redirect", &c.get(FS).map(|r| r.status()));
    let cold = builder(&url, &token).build_blocking().unwrap();
    fault(&url, r#"{"endpoint":"token","kind":"redirect_foreign"}"#);
    report("token redirect", &cold.get(FS).map(|r| r.status()));
    report(
        "bad request",
        &c.send(Request::new("GET", FS).header("Authorization", "Bearer x"))
            .map(|r| r.status()),
    );
    for (what, host, tok) in [
        ("config http", "http://acme.leanix.net", token.as_str()),
        (
            "config newline",
            url.as_str(),
            "token-with-newline-0123456789\n",
        ),
        ("config empty", url.as_str(), ""),
    ] {
        report(
            what,
            &Client::builder()
                .host(host)
                .api_token(tok)
                .allow_insecure_loopback(true)
                .build_blocking(),
        );
    }

    // Cancellation: close while a call is in flight.
    fault(
        &url,
        r#"{"endpoint":"factSheets","kind":"stall","ms":2000}"#,
    );
    let closing = c.clone();
    let t = std::thread::spawn(move || closing.get(FS).map(|r| r.status()));
    std::thread::sleep(Duration::from_millis(200));
    c.close();
    report("cancelled", &t.join().unwrap());

    // Refresh ahead with a short lifetime (the sandbox issues 2-second tokens meanwhile).
    control(
        &url,
        "POST",
        "/_sandbox/config",
        r#"{"token_lifetime_secs":2}"#,
    );
    let r = builder(&url, &token).build_blocking().unwrap();
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed() < Duration::from_secs(5) {
        report("refresh", &r.get(FS).map(|r| r.status()));
        calls += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    let t = r.access_token().unwrap();
    writeln!(intentional, "{}", t.expose_secret()).unwrap();
    println!("refresh: {calls} calls; client {r:?}");
    control(
        &url,
        "POST",
        "/_sandbox/config",
        r#"{"token_lifetime_secs":3599}"#,
    );
    control(&url, "DELETE", "/_sandbox/faults", "");
    println!("rust probe done");
}
