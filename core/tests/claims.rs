//! The claims of a realistic (sandbox-signed) access token, read through the client; garbage and
//! opaque tokens decode to `None`.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use common::{builder, sandbox_client};
use leanix::decode_claims;

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn claims_of_a_sandbox_token() {
    let (sb, clock, client, _) = sandbox_client();
    let c = client.claims().await.unwrap().expect("a JWT");

    let sub = c.sub.clone().expect("sub");
    assert!(!sub.is_empty());
    assert_eq!(c.iss.as_deref(), Some("https://eu-svc.leanix.net"));
    assert_eq!(c.region.as_deref(), Some("eu"));
    assert_eq!(c.instance_url.as_deref(), Some(sb.url()));
    assert!(c.jti.as_deref().is_some_and(|j| j.len() >= 16));
    let exp = c.exp.expect("exp");
    let expected = unix_now() + 3599;
    assert!(
        (expected - 5..=expected + 5).contains(&exp),
        "exp {exp}, expected ≈ {expected}"
    );

    let p = c.principal.clone().expect("principal");
    assert_eq!(p.username.as_deref(), Some(sub.as_str()));
    assert_eq!(p.role.as_deref(), Some("APICLIENT"));
    assert_eq!(p.status.as_deref(), Some("ACTIVE"));
    assert_eq!(
        p.account.and_then(|a| a.name).as_deref(),
        Some("Sandbox Corp")
    );
    let perm = p.permission.expect("permission");
    assert_eq!(perm.role.as_deref(), Some("ADMIN"));
    assert_eq!(perm.status.as_deref(), Some("ACTIVE"));
    assert_eq!(c.workspace_name(), Some("sandbox"));
    let ws = c.workspace_id().expect("workspace id").to_owned();
    assert_eq!(ws, sb.workspace_id());
    assert_eq!(c.raw["principal"]["permission"]["workspaceId"], ws);

    // The same token, decoded by the free function.
    let token = client.access_token().await.unwrap();
    assert_eq!(decode_claims(token.expose_secret()), Some(c.clone()));
    assert_eq!(token.claims(), Some(c));

    // A viewer's token carries its role.
    let viewer = builder(sb.url(), sb.viewer_api_token(), &clock)
        .build()
        .unwrap();
    let vc = viewer.claims().await.unwrap().unwrap();
    assert_eq!(vc.workspace_id(), Some(ws.as_str()));
    assert_eq!(
        vc.principal.unwrap().permission.unwrap().role.as_deref(),
        Some("VIEWER")
    );
}

#[tokio::test]
async fn claims_are_read_not_verified() {
    let (_sb, _, client, _) = sandbox_client();
    let token = client.access_token().await.unwrap();
    let parts: Vec<&str> = token.expose_secret().split('.').collect();
    assert_eq!(parts.len(), 3);
    let resigned = format!("{}.{}.not-the-signature", parts[0], parts[1]);
    assert_eq!(
        decode_claims(&resigned),
        decode_claims(token.expose_secret())
    );
    assert!(decode_claims(&resigned).is_some());
}

#[test]
fn garbage_and_opaque_tokens_have_no_claims() {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let array = format!("h.{}.s", e.encode("[1,2,3]"));
    let string = format!("h.{}.s", e.encode(r#""just a string""#));
    let not_json = format!("h.{}.s", e.encode("not json"));
    let four_parts = format!("h.{}.s.x", e.encode(r#"{"sub":"a"}"#));
    let huge = format!("h.{}.s", "A".repeat(100_000));
    for t in [
        "",
        "opaque-access-token",
        "a.b",
        "..",
        "a..c",
        "a.!!!.c",
        array.as_str(),
        string.as_str(),
        not_json.as_str(),
        four_parts.as_str(),
        huge.as_str(),
        "\u{0}.\u{1}.\u{2}",
        "ä.ö.ü",
    ] {
        assert!(decode_claims(t).is_none(), "{t:.40}");
    }
    let ok = format!("h.{}.s", e.encode(r#"{"sub":"a","exp":"17"}"#));
    let c = decode_claims(&ok).unwrap();
    assert_eq!((c.sub.as_deref(), c.exp), (Some("a"), Some(17)));
}
