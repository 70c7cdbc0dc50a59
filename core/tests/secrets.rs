//! No credential ever shows: every public type, every error kind provoked for real (message,
//! Debug, body excerpt, OAuth and GraphQL details, source chain) and every event is formatted and
//! searched for the API tokens, the access tokens and the Basic values.

mod common;

use std::error::Error as _;
use std::time::Duration;

use common::{builder, status, Events, FACT_SHEETS};
use leanix::{AccessToken, ApiToken, Client, Error, ErrorKind, ManualClock, Request};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

const API_TOKEN: &str = "sb-SECRET-api-token-4711+/=";
const WRONG_TOKEN: &str = "wrong-SECRET-token-0815";

/// The values that must never appear in any formatted output.
#[derive(Default)]
struct Secrets(Vec<String>);

impl Secrets {
    fn api_token(&mut self, token: &str) {
        self.0.push(token.to_owned());
        self.0.push(common::basic_value(token));
    }

    fn access_token(&mut self, token: &AccessToken) {
        let raw = token.expose_secret().to_owned();
        // The signature alone is as secret as the whole token.
        if let Some(sig) = raw.rsplit('.').next().filter(|s| s.len() >= 16) {
            self.0.push(sig.to_owned());
        }
        self.0.push(raw);
    }

    fn assert_clean(&self, what: &str, text: &str) {
        for s in &self.0 {
            assert!(!text.contains(s.as_str()), "{what} leaks a secret: {text}");
        }
    }

    fn assert_clean_error(&self, e: &Error) {
        let what = format!("{} error", e.kind());
        self.assert_clean(&what, &e.to_string());
        self.assert_clean(&what, &format!("{e:?}"));
        self.assert_clean(&what, &format!("{e:#?}"));
        self.assert_clean(&what, e.message());
        if let Some(b) = e.body() {
            self.assert_clean(&what, b);
        }
        if let Some(o) = e.oauth_error() {
            self.assert_clean(&what, o);
        }
        if let Some(g) = e.graphql_errors() {
            self.assert_clean(&what, &g.to_string());
        }
        let mut source = e.source();
        while let Some(s) = source {
            self.assert_clean(&what, &s.to_string());
            self.assert_clean(&what, &format!("{s:?}"));
            source = s.source();
        }
    }
}

fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    url
}

#[test]
fn the_checker_catches_a_leak() {
    let mut s = Secrets::default();
    s.api_token("abcdefgh");
    let caught =
        std::panic::catch_unwind(|| s.assert_clean("probe", "x YXBpdG9rZW46YWJjZGVmZ2g= y"));
    assert!(caught.is_err(), "the Basic value must be detected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_in_any_output() {
    let sb = Sandbox::builder().api_token(API_TOKEN).start().unwrap();
    let tls = Sandbox::builder()
        .api_token(API_TOKEN)
        .tls(true)
        .start()
        .unwrap();
    let mut secrets = Secrets::default();
    secrets.api_token(API_TOKEN);
    secrets.api_token(sb.viewer_api_token());
    secrets.api_token(WRONG_TOKEN);

    let clock = ManualClock::new();
    let (handler, events) = Events::new();
    let handler = std::sync::Arc::new(handler);
    let on = |b: leanix::ClientBuilder| {
        let h = std::sync::Arc::clone(&handler);
        b.on_event(move |e| (*h)(e))
    };
    let client = on(builder(sb.url(), API_TOKEN, &clock)).build().unwrap();
    let resp = client.get(FACT_SHEETS).await.unwrap();
    let token = client.access_token().await.unwrap();
    secrets.access_token(&token);

    let mut errors: Vec<Error> = Vec::new();

    // Config, with the token in the builder.
    errors.push(
        Client::builder()
            .host("http://acme.leanix.net")
            .api_token(API_TOKEN)
            .build()
            .unwrap_err(),
    );
    errors.push(
        Client::builder()
            .host("acme.leanix.net")
            .api_token(format!("{API_TOKEN}\n"))
            .build()
            .unwrap_err(),
    );
    // Invalid argument, with a secret in the refused header value.
    errors.push(
        client
            .send(Request::get(FACT_SHEETS).header("x-key", &format!("{API_TOKEN}\n")))
            .await
            .unwrap_err(),
    );
    errors.push(
        client
            .send(Request::new("BAD METHOD", "/x"))
            .await
            .unwrap_err(),
    );
    // Invalid credentials.
    let wrong = on(builder(sb.url(), WRONG_TOKEN, &clock)).build().unwrap();
    errors.push(wrong.get(FACT_SHEETS).await.unwrap_err());
    // Unauthorized (401 twice), then a fresh token to watch.
    sb.inject(Endpoint::FactSheets, status(401, None), 2);
    errors.push(client.get(FACT_SHEETS).await.unwrap_err());
    let token = client.access_token().await.unwrap();
    secrets.access_token(&token);
    // Forbidden.
    let viewer = on(builder(sb.url(), sb.viewer_api_token(), &clock))
        .build()
        .unwrap();
    let create = Request::post("/services/pathfinder/v1/factSheets")
        .json(&serde_json::json!({"name": "x", "type": "Application"}));
    errors.push(viewer.send(create).await.unwrap_err());
    secrets.access_token(&viewer.access_token().await.unwrap());
    // Rate limited.
    // On a client of its own: the 429 pauses its client for the hour.
    let limited = on(builder(sb.url(), API_TOKEN, &clock)).build().unwrap();
    secrets.access_token(&limited.access_token().await.unwrap());
    sb.inject(Endpoint::FactSheets, status(429, Some("3600")), 1);
    errors.push(limited.get(FACT_SHEETS).await.unwrap_err());
    // Held by that pause (not sent).
    errors.push(limited.get(FACT_SHEETS).await.unwrap_err());
    // HTTP error whose body echoes every credential: the excerpt must mask them.
    let echo = format!(
        "echo: {API_TOKEN} Basic {} Bearer {}",
        common::basic_value(API_TOKEN),
        token.expose_secret()
    );
    sb.inject(
        Endpoint::FactSheets,
        Fault::Respond {
            status: 400,
            content_type: "text/plain".into(),
            body: echo,
        },
        1,
    );
    let http = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(http.kind(), ErrorKind::Http);
    assert!(
        http.body().is_some_and(|b| b.contains("[redacted]")),
        "{:?}",
        http.body()
    );
    errors.push(http);
    // Timeout.
    let impatient = on(builder(sb.url(), API_TOKEN, &clock))
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    secrets.access_token(&impatient.access_token().await.unwrap());
    sb.inject(
        Endpoint::FactSheets,
        Fault::Stall(Duration::from_secs(30)),
        1,
    );
    errors.push(impatient.get(FACT_SHEETS).await.unwrap_err());
    // Connect (nothing listens).
    let nowhere = on(builder(&closed_port_url(), API_TOKEN, &clock))
        .build()
        .unwrap();
    errors.push(nowhere.get(FACT_SHEETS).await.unwrap_err());
    // TLS (unknown CA).
    let untrusted = on(Client::builder()
        .host(tls.url())
        .api_token(API_TOKEN)
        .clock(clock.clone()))
    .build()
    .unwrap();
    errors.push(untrusted.get(FACT_SHEETS).await.unwrap_err());
    // Invalid response, with a credential in the bad body.
    let fresh = on(builder(sb.url(), API_TOKEN, &clock)).build().unwrap();
    sb.inject(Endpoint::Token, Fault::HtmlOk, 1);
    errors.push(fresh.get(FACT_SHEETS).await.unwrap_err());
    // An unusable token response is remembered for a moment; let it pass.
    clock.advance(leanix::policy::DEFAULT_INVALID_CREDENTIALS_TTL);
    sb.inject(
        Endpoint::Token,
        Fault::Respond {
            status: 200,
            content_type: "application/json".into(),
            body: format!(r#"{{"access_token":12,"echo":"{API_TOKEN}"}}"#),
        },
        1,
    );
    errors.push(fresh.get(FACT_SHEETS).await.unwrap_err());
    // GraphQL.
    errors.push(
        client
            .graphql("{ allFactSheets { edges { node { nope } } } }", None)
            .await
            .unwrap_err(),
    );
    // Redirect.
    sb.inject(Endpoint::FactSheets, Fault::RedirectForeign, 1);
    errors.push(client.get(FACT_SHEETS).await.unwrap_err());

    let kinds: Vec<ErrorKind> = errors.iter().map(Error::kind).collect();
    // Every kind but the five this test has no call for: a cancel, a fork, an oversized body,
    // a blocking call from a callback and a failed LDIF run.
    let not_provoked = [
        ErrorKind::Cancelled,
        ErrorKind::Forked,
        ErrorKind::TooLarge,
        ErrorKind::RecursiveCall,
        ErrorKind::RunFailed,
    ];
    for kind in ErrorKind::ALL
        .into_iter()
        .filter(|k| !not_provoked.contains(k))
    {
        assert!(kinds.contains(&kind), "{kind} was not provoked: {errors:?}");
    }
    for e in &errors {
        secrets.assert_clean_error(e);
    }

    // Every event.
    let all = events.all();
    assert!(all.len() >= 5, "{all:?}");
    for e in &all {
        secrets.assert_clean("event", &format!("{e:?}"));
        secrets.assert_clean("event", &format!("{e:#?}"));
    }

    // Every public type.
    let api = ApiToken::new(API_TOKEN);
    let fingerprint = api.fingerprint();
    for text in [format!("{api:?}"), format!("{api}")] {
        secrets.assert_clean("ApiToken", &text);
        assert!(text.contains(&fingerprint), "{text}");
    }
    for text in [format!("{token:?}"), format!("{token}")] {
        secrets.assert_clean("AccessToken", &text);
        assert!(text.contains(&token.fingerprint()), "{text}");
    }
    let shown = format!("{client:?}");
    secrets.assert_clean("Client", &shown);
    assert!(shown.contains(&token.fingerprint()), "{shown}");
    secrets.assert_clean("Client", &format!("{client:#?}"));
    let b = builder(sb.url(), API_TOKEN, &clock);
    secrets.assert_clean("ClientBuilder", &format!("{b:?}"));
    let blocking = builder(sb.url(), API_TOKEN, &clock)
        .build_blocking()
        .unwrap();
    blocking.get(FACT_SHEETS).unwrap();
    secrets.access_token(&blocking.access_token().unwrap());
    secrets.assert_clean("blocking::Client", &format!("{blocking:?}"));
    let req = Request::post("/x")
        .header("x-key", API_TOKEN)
        .body(format!("token={}", token.expose_secret()));
    secrets.assert_clean("Request", &format!("{req:?}"));
    secrets.assert_clean("Response", &format!("{resp:?}"));
    let claims = client.claims().await.unwrap();
    secrets.assert_clean("Claims", &format!("{claims:?}"));
    secrets.assert_clean(
        "Origin",
        &format!("{:?} {}", client.origin(), client.origin()),
    );
}
