//! The token exchange through the client: tricky API tokens, malformed 200 responses (refused,
//! never retried), tolerated variants, retries of the token endpoint, and rejected credentials
//! (never retried, remembered for a few seconds).

mod common;

use std::time::Duration;

use base64::Engine;
use common::{builder, configured_client, is_fetched, sandbox_client, status, Events, FACT_SHEETS};
use leanix::{ErrorKind, Event, ManualClock, RetryTarget};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

fn respond(body: &str) -> Fault {
    Fault::Respond {
        status: 200,
        content_type: "application/json".to_owned(),
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn an_api_token_with_plus_slash_equals_and_percent_works() {
    for token in ["ab+/=%20cd", "a+b/c=d%x", "%2B+%2F/=="] {
        let sb = Sandbox::builder().api_token(token).start().unwrap();
        let clock = ManualClock::new();
        let client = builder(sb.url(), token, &clock).build().unwrap();
        let resp = client.get(FACT_SHEETS).await.unwrap();
        assert_eq!(resp.status(), 200, "{token}");
        assert_eq!(sb.stats().token_exchanges, 1, "{token}");
    }
}

#[tokio::test]
async fn malformed_token_responses_are_invalid_and_not_retried() {
    let (sb, clock, client, _) = sandbox_client();
    let cases: Vec<(&str, Fault)> = vec![
        ("html", Fault::HtmlOk),
        ("empty token", Fault::EmptyToken),
        ("expired true", Fault::ExpiredTrue),
        ("negative expires_in", Fault::NegativeExpiresIn),
        ("truncated json", Fault::MalformedJson),
        (
            "truncated json 2",
            respond(r#"{"scope":"","expired":false,"access_tok"#),
        ),
        ("empty body", respond("")),
        ("array", respond("[1,2]")),
        (
            "no token",
            respond(r#"{"token_type":"bearer","expires_in":3599}"#),
        ),
        (
            "numeric token",
            respond(r#"{"access_token":12,"expires_in":3599}"#),
        ),
        (
            "zero expires_in",
            respond(r#"{"access_token":"abc","expires_in":0}"#),
        ),
        (
            "word expires_in",
            respond(r#"{"access_token":"abc","expires_in":"soon"}"#),
        ),
        (
            "mac token type",
            respond(r#"{"access_token":"abc","token_type":"mac","expires_in":60}"#),
        ),
        (
            "newline in token",
            respond(r#"{"access_token":"a\nb","expires_in":60}"#),
        ),
    ];
    let ttl = leanix::policy::DEFAULT_INVALID_CREDENTIALS_TTL;
    for (name, fault) in cases {
        let before = sb.stats().token_requests;
        sb.inject(Endpoint::Token, fault, 1);
        let err = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{name}: {err:?}");
        assert_eq!(sb.stats().token_requests - before, 1, "{name}: retried");
        // Remembered for a moment like rejected credentials: no second exchange.
        let again = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!(again.message(), err.message(), "{name}");
        assert_eq!(sb.stats().token_requests - before, 1, "{name}: asked again");
        clock.advance(ttl);
    }
    assert!(clock.sleeps().is_empty());
    assert_eq!(sb.stats().total(Endpoint::Any), 0);
    // Once the moment has passed, the next exchange works.
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
}

/// A JWT-shaped (unsigned) token whose payload has `exp` = now + `secs`.
fn jwt_expiring_in(secs: u64) -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + secs;
    format!(
        "{}.{}.c2ln",
        e.encode(r#"{"alg":"RS256"}"#),
        e.encode(format!(r#"{{"sub":"x","exp":{exp}}}"#))
    )
}

#[tokio::test]
async fn tolerated_token_responses_succeed() {
    let sb = Sandbox::start().unwrap();
    let jwt = jwt_expiring_in(600);
    let cases: Vec<(String, &str, Duration)> = vec![
        (
            r#"{"access_token":"opaque-1","token_type":"bearer","expires_in":"120"}"#.into(),
            "opaque-1",
            Duration::from_secs(120),
        ),
        (
            r#"{"access_token":"opaque-2","token_type":"BEARER","expires_in":3599}"#.into(),
            "opaque-2",
            Duration::from_secs(3599),
        ),
        (
            r#"{"access_token":"opaque-3","token_type":"bearer"}"#.into(),
            "opaque-3",
            Duration::from_secs(300),
        ),
        (
            r#"{"scope":"x","expired":false,"access_token":"opaque-4","token_type":"Bearer","expires_in":60,"refresh_token":null,"extra":{"nested":[1,2]}}"#.into(),
            "opaque-4",
            Duration::from_secs(60),
        ),
        (format!(r#"{{"access_token":"{jwt}","token_type":"bearer"}}"#), &jwt, Duration::ZERO),
    ];
    for (body, token, lifetime) in cases {
        sb.inject(Endpoint::Token, respond(&body), 1);
        let clock = ManualClock::new();
        let (handler, mut events) = Events::new();
        let client = builder(sb.url(), sb.api_token(), &clock)
            .on_event(handler)
            .build()
            .unwrap();
        let got = client.access_token().await.unwrap();
        assert_eq!(got.expose_secret(), token, "{body}");
        let fetched = events.wait_for(is_fetched(false)).await;
        let Event::TokenFetched {
            lifetime: got_lifetime,
            ..
        } = fetched
        else {
            unreachable!()
        };
        let claims = client.claims().await.unwrap();
        if token.starts_with("opaque") {
            assert_eq!(got_lifetime, lifetime, "{body}");
            assert!(claims.is_none(), "{body}");
        } else {
            // No expires_in: the lifetime comes from the JWT's exp.
            assert!(
                got_lifetime > Duration::from_secs(590) && got_lifetime <= Duration::from_secs(600),
                "{got_lifetime:?}"
            );
            assert_eq!(claims.unwrap().sub.as_deref(), Some("x"));
        }
    }
    assert_eq!(sb.stats().token_requests, 5);
}

#[tokio::test]
async fn the_token_endpoint_is_retried_on_5xx_429_and_dropped_connections() {
    let (sb, clock, client, mut events) = sandbox_client();
    sb.inject(Endpoint::Token, status(503, None), 1);
    sb.inject(Endpoint::Token, Fault::DropConnection, 1);
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    let fetched = events.wait_for(is_fetched(false)).await;
    assert!(
        matches!(fetched, Event::TokenFetched { attempts: 3, .. }),
        "{fetched:?}"
    );
    assert_eq!(sb.stats().token_requests, 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] <= Duration::from_millis(200) && sleeps[1] <= Duration::from_millis(400));
    let reasons: Vec<String> = events
        .all()
        .into_iter()
        .filter_map(|e| match e {
            Event::Retry {
                target: RetryTarget::Token,
                reason,
                ..
            } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, vec!["503".to_owned(), "connect".to_owned()]);
}

#[tokio::test]
async fn the_token_endpoints_retry_after_follows_the_api_rule() {
    let (sb, clock, client, _) = sandbox_client();
    sb.inject(Endpoint::Token, status(429, Some("2")), 1);
    sb.inject(Endpoint::Token, status(503, Some("0")), 1);
    client.access_token().await.unwrap();
    // Retry-After is waited for; zero is raised to the backoff base (no hot loop).
    assert_eq!(
        clock.sleeps(),
        vec![
            Duration::from_secs(2),
            leanix::policy::DEFAULT_RETRY_BASE_DELAY
        ]
    );
    assert_eq!(sb.stats().token_requests, 3);

    // A wait longer than max_retry_after ends the exchange at once, with the wait on the error.
    let patient = builder(sb.url(), sb.api_token(), &clock).build().unwrap();
    sb.inject(Endpoint::Token, status(503, Some("3600")), 1);
    let err = patient.access_token().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(503)));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(sb.stats().token_requests, 4);
    assert_eq!(
        clock.sleeps().len(),
        2,
        "no sleep on a wait above the limit"
    );

    // Three failures: the last error, after exactly three requests.
    let fresh = builder(sb.url(), sb.api_token(), &clock).build().unwrap();
    sb.inject(Endpoint::Token, status(500, None), 3);
    let err = fresh.access_token().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(500)));
    assert_eq!(sb.stats().token_requests, 7);
}

#[tokio::test]
async fn a_stalled_token_endpoint_times_out() {
    let (sb, _, client, _) = configured_client(|b| b.token_timeout(Duration::from_millis(300)));
    sb.inject(Endpoint::Token, Fault::Stall(Duration::from_secs(60)), 3);
    let started = std::time::Instant::now();
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(15), "hang guard");
    assert_eq!(sb.stats().token_requests, 3, "timeouts are retried");
}

#[tokio::test]
async fn invalid_credentials_are_not_retried_and_remembered_for_5s() {
    let sb = Sandbox::start().unwrap();
    let clock = ManualClock::new();
    let client = builder(sb.url(), "not-a-valid-token", &clock)
        .build()
        .unwrap();

    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err:?}");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.oauth_error(), Some("unauthorized"));
    assert_eq!(sb.stats().token_requests, 1);

    for _ in 0..20 {
        let again = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!(again.kind(), ErrorKind::InvalidCredentials);
    }
    clock.advance(Duration::from_millis(4900));
    assert_eq!(
        client.access_token().await.unwrap_err().kind(),
        ErrorKind::InvalidCredentials
    );
    assert_eq!(sb.stats().token_requests, 1, "remembered within the TTL");

    clock.advance(Duration::from_millis(200));
    assert_eq!(
        client.get(FACT_SHEETS).await.unwrap_err().kind(),
        ErrorKind::InvalidCredentials
    );
    assert_eq!(sb.stats().token_requests, 2, "tried again after the TTL");
    assert!(clock.sleeps().is_empty());
    assert_eq!(sb.stats().total(Endpoint::Any), 0);
}

#[tokio::test]
async fn a_400_or_403_from_the_token_endpoint_is_invalid_credentials() {
    let sb = Sandbox::start().unwrap();
    for code in [400, 403] {
        let clock = ManualClock::new();
        let client = builder(sb.url(), sb.api_token(), &clock).build().unwrap();
        let before = sb.stats().token_requests;
        sb.inject(Endpoint::Token, status(code, None), 5);
        let err = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.status()),
            (ErrorKind::InvalidCredentials, Some(code))
        );
        assert_eq!(sb.stats().token_requests - before, 1, "{code}");
        sb.reset();
    }
}

#[tokio::test]
async fn a_revoked_api_token_fails_once_the_cached_token_is_gone() {
    let (sb, _, client, _) = sandbox_client();
    client.get(FACT_SHEETS).await.unwrap();

    sb.revoke_api_token(sb.api_token());
    // The cached access token is still good.
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    assert_eq!(sb.stats().token_requests, 1);

    // Once it is rejected, the re-exchange fails and is remembered.
    sb.revoke_access_tokens();
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials, "{err:?}");
    assert_eq!(sb.stats().token_requests, 2);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCredentials);
    assert_eq!(sb.stats().token_requests, 2);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 401), 1);
}
