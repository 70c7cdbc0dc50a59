//! Routing by the access token's `instanceUrl`: API calls reach the instance listener with the
//! bearer while the token listener sees only exchanges; 401 replay and redirects on the routed
//! origin; refusal of an `instanceUrl` outside the rule (no request to it, an event); routing
//! off.

mod common;

use common::{assert_error, client_of, concurrent_gets, configured_client_of, Events, FACT_SHEETS};
use leanix::{Client, ErrorKind, Event, Request};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

fn instance_sandbox() -> Sandbox {
    Sandbox::builder()
        .fact_sheets(60)
        .instance_listener(true)
        .start()
        .unwrap()
}

/// A TLS sandbox with an instance listener, and a client that trusts its CA but has no
/// insecure-loopback opt-in (its events logged): the loopback `instanceUrl` is outside the rule.
fn tls_sandbox_and_client() -> (Sandbox, Client, Events) {
    let sb = Sandbox::builder()
        .tls(true)
        .fact_sheets(30)
        .instance_listener(true)
        .start()
        .unwrap();
    let (client, events) = common::with_events(
        Client::builder()
            .host(sb.url())
            .api_token(sb.api_token())
            .add_ca_pem(sb.ca_pem().unwrap()),
    );
    (sb, client, events)
}

fn routed_to(e: &Event) -> Option<String> {
    match e {
        Event::InstanceRouted { origin } => Some(origin.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn calls_reach_the_instance_and_the_token_host_sees_only_exchanges() {
    let sb = instance_sandbox();
    let instance = sb.instance_url().unwrap().to_owned();
    let (sb, _, client, events) = client_of(sb);

    let r = client.get(FACT_SHEETS).await.unwrap();
    assert!(r.url().starts_with(&instance), "{}", r.url());
    let created = client
        .send(
            Request::post("/services/pathfinder/v1/factSheets")
                .json(&serde_json::json!({"name": "Routed", "type": "Application"})),
        )
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let gql = client
        .send(
            Request::post("/services/pathfinder/v1/graphql")
                .json(&serde_json::json!({"query": "{ allFactSheets(first: 1) { totalCount } }"})),
        )
        .await
        .unwrap();
    assert_eq!(gql.status(), 200);
    // A full URL on the configured host goes to the instance as well.
    let full = client
        .get(&format!("{}{FACT_SHEETS}", sb.url()))
        .await
        .unwrap();
    assert!(full.url().starts_with(&instance));
    // A full URL on the instance (e.g. a link from a response) goes there too, once the client
    // routes there; any other origin is still refused before a request.
    let on_instance = client
        .get(&format!("{instance}{FACT_SHEETS}"))
        .await
        .unwrap();
    assert!(on_instance.url().starts_with(&instance));
    let foreign = client
        .get(&format!("{}{FACT_SHEETS}", sb.foreign_url()))
        .await
        .unwrap_err();
    assert_eq!(foreign.kind(), ErrorKind::InvalidArgument);

    let main = sb.stats();
    let inst = sb.instance_stats();
    assert_eq!(main.token_requests, 1);
    assert_eq!(main.token_exchanges, 1);
    assert_eq!(
        main.total(Endpoint::Any),
        0,
        "no API call on the token host"
    );
    assert!(main.by_endpoint().get("other").is_none());
    // 200s prove the bearer was there and valid: the instance checks it.
    assert_eq!(inst.requests(Endpoint::FactSheets, 200), 4);
    assert_eq!(inst.requests(Endpoint::GraphQl, 200), 1);
    assert_eq!(inst.total(Endpoint::Any), 5);
    assert_eq!(sb.stats().foreign_requests, 0);
    assert_eq!(inst.token_requests, 0);
    assert_eq!(client.api_origin().await.unwrap().as_str(), instance);
    assert_eq!(client.origin().as_str(), sb.url());
    let routed: Vec<String> = events.all().iter().filter_map(routed_to).collect();
    assert_eq!(routed, vec![instance], "announced once");
}

#[tokio::test]
async fn a_401_on_the_instance_exchanges_at_the_token_host_and_replays_on_the_instance() {
    let (sb, _, client, _) = client_of(instance_sandbox());
    client.get(FACT_SHEETS).await.unwrap();
    sb.revoke_access_tokens();
    client.get(FACT_SHEETS).await.unwrap();
    let inst = sb.instance_stats();
    assert_eq!(inst.requests(Endpoint::FactSheets, 401), 1);
    assert_eq!(inst.requests(Endpoint::FactSheets, 200), 2);
    assert_eq!(sb.stats().token_exchanges, 2);
    assert_eq!(sb.stats().total(Endpoint::Any), 0);
}

#[tokio::test]
async fn redirects_from_the_instance_to_another_origin_are_refused_without_credentials() {
    let (sb, _, client, _) = client_of(instance_sandbox());
    client.get(FACT_SHEETS).await.unwrap();

    sb.inject(Endpoint::FactSheets, Fault::RedirectForeign, 1);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect, "{err:?}");
    assert_eq!(sb.stats().foreign_requests, 0);

    // The instance redirecting to the token host (another origin) is refused too.
    sb.inject(Endpoint::FactSheets, Fault::RedirectSelf, 1);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect, "{err:?}");
    assert_eq!(sb.stats().total(Endpoint::Any), 0);
    assert_eq!(sb.instance_stats().requests(Endpoint::FactSheets, 307), 2);
}

#[tokio::test]
async fn routing_off_keeps_every_call_on_the_configured_host() {
    let (sb, _, client, events) =
        configured_client_of(instance_sandbox(), |b| b.route_by_instance_url(false));
    client.get(FACT_SHEETS).await.unwrap();
    // A redirect within the configured origin is followed.
    sb.inject(Endpoint::FactSheets, Fault::RedirectSelf, 1);
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 2);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 307), 1);
    assert_eq!(sb.instance_stats(), leanix_sandbox::Stats::default());
    assert_eq!(client.api_origin().await.unwrap().as_str(), sb.url());
    assert_eq!(events.count(|e| routed_to(e).is_some()), 0);
}

#[tokio::test]
async fn an_instance_url_outside_the_rule_is_refused_with_an_event_and_never_contacted() {
    // TLS on loopback without the insecure-loopback opt-in: a loopback instanceUrl is outside
    // the rule.
    let (sb, client, events) = tls_sandbox_and_client();
    let instance = sb.instance_url().unwrap().to_owned();
    client.get(FACT_SHEETS).await.unwrap();
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 2);
    assert_eq!(
        sb.instance_stats(),
        leanix_sandbox::Stats::default(),
        "no request to the refused instance"
    );
    let refused: Vec<(String, String)> = events
        .all()
        .iter()
        .filter_map(|e| match e {
            Event::InstanceRefused {
                instance_url,
                reason,
            } => Some((instance_url.clone(), reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 1, "once per token: {refused:?}");
    assert_eq!(refused[0].0, instance);
    assert!(refused[0].1.contains("loopback"), "{}", refused[0].1);
    assert_eq!(client.api_origin().await.unwrap().as_str(), sb.url());
}

#[tokio::test]
async fn workspace_and_instance_come_from_the_claims_without_an_api_call() {
    let (sb, _, client, _) = client_of(instance_sandbox());
    let claims = client.claims().await.unwrap().unwrap();
    assert_eq!(claims.workspace_id(), Some(sb.workspace_id()));
    assert!(claims.workspace_name().is_some());
    assert_eq!(claims.instance_url.as_deref(), sb.instance_url());
    assert_eq!(
        client.api_origin().await.unwrap().as_str(),
        sb.instance_url().unwrap()
    );
    assert_eq!(sb.stats().total(Endpoint::Any), 0);
    assert_eq!(sb.instance_stats().total(Endpoint::Any), 0);
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[test]
fn a_bad_allow_list_entry_is_a_config_error() {
    let err = Client::builder()
        .host("app.leanix.net")
        .api_token("t")
        .allow_instance_host("http://x.example")
        .build()
        .unwrap_err();
    assert_error(&err, ErrorKind::Config, "x.example");
    for loopback in [
        "localhost",
        "https://127.0.0.1:8443",
        "[::1]",
        "api.localhost",
    ] {
        let err = Client::builder()
            .host("app.leanix.net")
            .api_token("t")
            .allow_instance_host(loopback)
            .build()
            .unwrap_err();
        assert_error(&err, ErrorKind::Config, "is a loopback address");
    }
}

#[tokio::test]
async fn concurrent_first_calls_announce_the_route_once() {
    let (sb, _, client, events) = client_of(instance_sandbox());
    for call in concurrent_gets(&client, 8).await {
        assert_eq!(call.unwrap().status(), 200);
    }
    assert_eq!(events.count(|e| routed_to(e).is_some()), 1);
    assert_eq!(sb.instance_stats().requests(Endpoint::FactSheets, 200), 8);
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[tokio::test]
async fn concurrent_first_calls_announce_a_refusal_once() {
    let (sb, client, events) = tls_sandbox_and_client();
    for call in concurrent_gets(&client, 8).await {
        assert_eq!(call.unwrap().status(), 200);
    }
    let refused = events.count(|e| matches!(e, Event::InstanceRefused { .. }));
    assert_eq!(refused, 1);
    assert_eq!(sb.stats().requests(Endpoint::FactSheets, 200), 8);
}
