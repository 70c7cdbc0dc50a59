//! Decoding (never verifying) the claims of a LeanIX access token.
//!
//! LeanIX publishes no public key, so the claims are read for convenience only: who the token
//! belongs to, which workspace and role it carries, when it expires.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::Value;

/// base64url, with or without padding (JWTs have none, some encoders add it).
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Largest token whose payload is decoded; anything longer is not a LeanIX JWT.
const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The claims of a LeanIX access token. Every field is optional: older tokens lack `region`,
/// and a field of an unexpected type reads as `None` rather than failing the whole decode.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// `sub`: the user name (an e-mail or the technical user's name).
    pub sub: Option<String>,
    /// `iss`: the issuing service, e.g. `https://eu-svc.leanix.net` (may differ from the host).
    pub iss: Option<String>,
    /// `jti`: the token's unique id.
    pub jti: Option<String>,
    /// `exp`: expiry, seconds since the Unix epoch.
    pub exp: Option<i64>,
    /// `instanceUrl`: the instance base URL, e.g. `https://app.leanix.net`.
    pub instance_url: Option<String>,
    /// `region`: the data-centre region (recent tokens only).
    pub region: Option<String>,
    /// `principal`: the user and their workspace permission.
    pub principal: Option<Principal>,
    /// The whole payload as JSON.
    pub raw: Value,
}

/// The `principal` claim.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Principal {
    /// User id.
    pub id: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Account-level role (`ACCOUNTUSER`, `APICLIENT`, ...).
    pub role: Option<String>,
    /// User status (`ACTIVE`, ...).
    pub status: Option<String>,
    /// The account the user belongs to.
    pub account: Option<Account>,
    /// The permission on the workspace the token is for.
    pub permission: Option<Permission>,
}

/// The `principal.account` claim.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Account {
    /// Account id.
    pub id: Option<String>,
    /// Account name.
    pub name: Option<String>,
}

/// The `principal.permission` claim: the workspace the token is bound to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Permission {
    /// Permission id.
    pub id: Option<String>,
    /// Workspace id.
    pub workspace_id: Option<String>,
    /// Workspace name.
    pub workspace_name: Option<String>,
    /// Workspace role (`ADMIN`, `MEMBER`, `VIEWER`, ...).
    pub role: Option<String>,
    /// Permission status (`ACTIVE`, ...).
    pub status: Option<String>,
}

impl Claims {
    /// The workspace id, the claim most integrations need.
    pub fn workspace_id(&self) -> Option<&str> {
        self.permission()?.workspace_id.as_deref()
    }

    /// The workspace name.
    pub fn workspace_name(&self) -> Option<&str> {
        self.permission()?.workspace_name.as_deref()
    }

    fn permission(&self) -> Option<&Permission> {
        self.principal.as_ref()?.permission.as_ref()
    }
}

/// Decodes the payload of a JWT into [`Claims`] without verifying its signature.
///
/// Returns `None` for anything that is not a three-part JWT with a JSON-object payload (an
/// opaque token, garbage); never panics.
pub fn decode_claims(token: &str) -> Option<Claims> {
    if token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.is_empty() {
        return None;
    }
    let bytes = BASE64URL.decode(payload).ok()?;
    let raw: Value = serde_json::from_slice(&bytes).ok()?;
    if !raw.is_object() {
        return None;
    }
    Some(Claims {
        sub: string(&raw, "sub"),
        iss: string(&raw, "iss"),
        jti: string(&raw, "jti"),
        exp: raw.get("exp").and_then(integer),
        instance_url: string(&raw, "instanceUrl"),
        region: string(&raw, "region"),
        principal: raw
            .get("principal")
            .filter(|p| p.is_object())
            .map(principal),
        raw,
    })
}

fn principal(p: &Value) -> Principal {
    Principal {
        id: string(p, "id"),
        username: string(p, "username"),
        role: string(p, "role"),
        status: string(p, "status"),
        account: p.get("account").filter(|a| a.is_object()).map(|a| Account {
            id: string(a, "id"),
            name: string(a, "name"),
        }),
        permission: p
            .get("permission")
            .filter(|a| a.is_object())
            .map(|a| Permission {
                id: string(a, "id"),
                workspace_id: string(a, "workspaceId"),
                workspace_name: string(a, "workspaceName"),
                role: string(a, "role"),
                status: string(a, "status"),
            }),
    }
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key)?.as_str().map(str::to_owned)
}

fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            e.encode(br#"{"alg":"RS256"}"#),
            e.encode(payload.as_bytes())
        )
    }

    #[test]
    fn decodes_a_realistic_leanix_token() {
        let t = jwt(
            r#"{"sub":"tech-user@acme","principal":{"id":"27e4","username":"tech-user@acme","role":"ACCOUNTUSER","status":"ACTIVE","account":{"id":"3afa","name":"ACME"},"permission":{"id":"d4bb","workspaceId":"d0a0","workspaceName":"ACME Prod","role":"ADMIN","customerRoles":null,"accessControlEntities":["BLUE"],"status":"ACTIVE","asUser":null}},"iss":"https://eu-svc.leanix.net","jti":"1920","exp":1629680360,"instanceUrl":"https://app.leanix.net","region":"eu"}"#,
        );
        let c = decode_claims(&t).unwrap();
        assert_eq!(c.sub.as_deref(), Some("tech-user@acme"));
        assert_eq!(c.exp, Some(1629680360));
        assert_eq!(c.workspace_id(), Some("d0a0"));
        assert_eq!(c.workspace_name(), Some("ACME Prod"));
        assert_eq!(c.region.as_deref(), Some("eu"));
        let p = c.principal.unwrap();
        assert_eq!(p.account.unwrap().name.as_deref(), Some("ACME"));
        assert_eq!(p.permission.unwrap().role.as_deref(), Some("ADMIN"));
    }

    #[test]
    fn url_safe_characters_and_padding_decode() {
        // "?>" encodes to "Pz4" in base64url; standard base64 decoders choke on '-' and '_'.
        let t = jwt(r#"{"sub":"a?>b~~~","exp":"12"}"#);
        let c = decode_claims(&t).unwrap();
        assert_eq!(c.sub.as_deref(), Some("a?>b~~~"));
        assert_eq!(c.exp, Some(12));
        let padded = format!("{}==", t.trim_end_matches(".sig"));
        let _ = decode_claims(&format!("{padded}.sig"));
    }

    #[test]
    fn garbage_is_none_not_panic() {
        for t in [
            "",
            ".",
            "..",
            "...",
            "opaque-token",
            "a.b.c",
            "a.!!!.c",
            "a.bnVsbA.c",
            "a.WzFd.c",
            "a.e30.c.d",
            "\u{0}.\u{1}.\u{2}",
        ] {
            let c = decode_claims(t);
            if t == "a.e30.c.d" || t == "a.WzFd.c" || t == "a.bnVsbA.c" {
                assert!(c.is_none(), "{t}");
            }
        }
        // `{}` is a valid, empty claim set.
        assert!(decode_claims("a.e30.c").is_some());
    }
}
