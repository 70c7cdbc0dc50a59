//! Parsing the token endpoint's 200 response, tolerant of what servers really send.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::secret::AccessToken;

/// A successfully parsed token response.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The access token.
    pub access_token: AccessToken,
    /// How long the token is valid, from when the request was sent.
    pub lifetime: Duration,
    /// Where the lifetime came from.
    pub lifetime_source: LifetimeSource,
}

/// Where a token's lifetime came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifetimeSource {
    /// The response's `expires_in`.
    ExpiresIn,
    /// The JWT's `exp` claim (the response had no `expires_in`).
    JwtExp,
    /// Neither: [`policy::FALLBACK_TOKEN_LIFETIME`](crate::policy::FALLBACK_TOKEN_LIFETIME).
    Fallback,
}

use crate::policy::{
    FALLBACK_TOKEN_LIFETIME as DEFAULT_LIFETIME, MAX_TOKEN_LIFETIME as MAX_LIFETIME,
};

/// Parses the body of a 200 response of the token endpoint.
///
/// Accepts `token_type` in any case, `expires_in` as number or numeric string, a missing
/// `expires_in` (then the JWT `exp` relative to `now`, else 300 s), opaque
/// (non-JWT) tokens and extra fields. Rejects non-JSON bodies, a missing or empty token,
/// `expired: true`, `expires_in <= 0` and a `token_type` other than bearer, with
/// [`ErrorKind::InvalidResponse`]. Never panics, whatever the bytes.
pub fn parse_token_response(body: &[u8], now: SystemTime) -> Result<TokenGrant, Error> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        invalid(format!(
            "the token endpoint answered 200 with a body that is not JSON ({e})"
        ))
    })?;
    let obj = value.as_object().ok_or_else(|| {
        invalid("the token endpoint answered 200 with JSON that is not an object")
    })?;

    if obj.get("expired").and_then(Value::as_bool) == Some(true) {
        return Err(invalid(
            "the token endpoint returned a token marked \"expired\": true",
        ));
    }
    if let Some(tt) = obj.get("token_type") {
        match tt.as_str() {
            Some(s) if s.eq_ignore_ascii_case("bearer") => {}
            _ => {
                return Err(invalid(format!(
                    "the token endpoint returned token_type {}, expected \"bearer\"",
                    crate::error::quote(&tt.to_string())
                )))
            }
        }
    }
    let token = match obj.get("access_token") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(invalid("the token endpoint returned an empty access_token"))
        }
        Some(_) => {
            return Err(invalid(
                "the token endpoint returned an access_token that is not a string",
            ))
        }
        None => return Err(invalid("the token endpoint's response has no access_token")),
    };
    if token.chars().any(|c| c.is_control() || c == ' ') {
        return Err(invalid(
            "the token endpoint returned an access_token with characters not allowed in a header",
        ));
    }
    let access_token = AccessToken::new(token);

    let (lifetime, lifetime_source) = match obj.get("expires_in") {
        Some(v) if !v.is_null() => {
            let secs = seconds(v).ok_or_else(|| {
                invalid(format!(
                    "the token endpoint returned expires_in {} which is not a number",
                    crate::error::quote(&v.to_string())
                ))
            })?;
            if secs <= 0.0 {
                return Err(invalid(format!(
                    "the token endpoint returned expires_in {secs}, an already expired token"
                )));
            }
            (clamp(secs), LifetimeSource::ExpiresIn)
        }
        _ => match access_token.claims().and_then(|c| c.exp) {
            Some(exp) => {
                let now_secs = now
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs_f64())
                    .unwrap_or(0.0);
                let left = exp as f64 - now_secs;
                if left <= 0.0 {
                    return Err(invalid(
                        "the token endpoint returned a token whose JWT exp is in the past",
                    ));
                }
                (clamp(left), LifetimeSource::JwtExp)
            }
            None => (DEFAULT_LIFETIME, LifetimeSource::Fallback),
        },
    };
    Ok(TokenGrant {
        access_token,
        lifetime,
        lifetime_source,
    })
}

fn seconds(v: &Value) -> Option<f64> {
    let f = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    f.is_finite().then_some(f)
}

fn clamp(secs: f64) -> Duration {
    Duration::from_secs_f64(secs.min(MAX_LIFETIME.as_secs_f64()))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidResponse, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<TokenGrant, Error> {
        parse_token_response(body.as_bytes(), SystemTime::now())
    }

    #[test]
    fn vendor_response() {
        let g = parse(r#"{"scope":"","expired":false,"access_token":"abc","token_type":"bearer","expires_in":3599}"#).unwrap();
        assert_eq!(g.access_token.expose_secret(), "abc");
        assert_eq!(g.lifetime, Duration::from_secs(3599));
    }

    #[test]
    fn tolerant_forms() {
        assert_eq!(
            parse(r#"{"access_token":"a","token_type":"Bearer","expires_in":"120"}"#)
                .unwrap()
                .lifetime,
            Duration::from_secs(120)
        );
        assert_eq!(
            parse(r#"{"access_token":"a","token_type":"BEARER","expires_in":60,"extra":{"x":1}}"#)
                .unwrap()
                .lifetime,
            Duration::from_secs(60)
        );
        let g = parse(r#"{"access_token":"opaque-token"}"#).unwrap();
        assert_eq!(
            (g.lifetime, g.lifetime_source),
            (DEFAULT_LIFETIME, LifetimeSource::Fallback)
        );
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":1e12}"#)
                .unwrap()
                .lifetime,
            MAX_LIFETIME
        );
    }

    #[test]
    fn lifetime_from_jwt_exp_when_expires_in_is_missing() {
        use base64::Engine;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let now = SystemTime::now();
        let exp = now.duration_since(UNIX_EPOCH).unwrap().as_secs() + 600;
        let t = format!("h.{}.s", e.encode(format!(r#"{{"exp":{exp}}}"#)));
        let g =
            parse_token_response(format!(r#"{{"access_token":"{t}"}}"#).as_bytes(), now).unwrap();
        assert_eq!(g.lifetime_source, LifetimeSource::JwtExp);
        assert!(g.lifetime <= Duration::from_secs(600) && g.lifetime > Duration::from_secs(598));
    }

    #[test]
    fn malformed_responses_are_invalid_response() {
        for body in [
            "<html>hello</html>",
            "",
            r#"{"access_token":""}"#,
            r#"{"access_token":"a","expired":true}"#,
            r#"{"access_token":"a","expires_in":-5}"#,
            r#"{"access_token":"a","expires_in":0}"#,
            r#"{"access_token":"a","expires_in":"soon"}"#,
            r#"{"access_token":"a","token_type":"mac"}"#,
            r#"{"access_token":12}"#,
            r#"{"scope":"","expired":false,"access_tok"#,
            "[1,2]",
            r#"{"access_token":"a\nb"}"#,
        ] {
            let e = parse(body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{body}");
        }
    }
}
