//! Credentials as types: they print as a short fingerprint, never as themselves.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// A short, stable, non-reversible tag for a secret: the first 4 bytes of its SHA-256, in hex.
///
/// Lets people tell two tokens apart in logs without either being revealed.
pub(crate) fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// Declares a credential type: a `SecretString` that is zeroed on drop, with `new`,
/// `expose_secret` and `fingerprint`, and `Debug` / `Display` that show only the fingerprint
/// (`Name(sha256:…)` and `<display> sha256:…`).
macro_rules! credential {
    (
        $(#[$doc:meta])*
        pub struct $name:ident;
        new: $new_doc:literal,
        expose_secret: $expose_doc:literal,
        display: $display:literal,
    ) => {
        $(#[$doc])*
        ///
        /// `Debug` and `Display` show only a fingerprint; the memory is zeroed on drop.
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            #[doc = $new_doc]
            pub fn new(token: impl Into<String>) -> Self {
                $name(SecretString::from(token.into()))
            }

            #[doc = $expose_doc]
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }

            /// A short fingerprint, safe to log.
            pub fn fingerprint(&self) -> String {
                fingerprint(self.expose_secret())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(sha256:{}…)"), self.fingerprint())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($display, " sha256:{}…"), self.fingerprint())
            }
        }
    };
}

credential! {
    /// A LeanIX API token (the long-lived credential of a technical user).
    pub struct ApiToken;
    new: "Wraps a raw API token.",
    expose_secret: "The raw token. Call this only to put it on the wire.",
    display: "api-token",
}

impl From<String> for ApiToken {
    fn from(s: String) -> Self {
        ApiToken::new(s)
    }
}

impl From<&str> for ApiToken {
    fn from(s: &str) -> Self {
        ApiToken::new(s)
    }
}

credential! {
    /// An OAuth2 access token (a JWT for LeanIX) obtained from the token endpoint.
    pub struct AccessToken;
    new: "Wraps a raw access token.",
    expose_secret: "The raw token, for an `Authorization: Bearer` header of your own.",
    display: "access-token",
}

impl AccessToken {
    /// The decoded (not verified) JWT claims, or `None` for an opaque token.
    pub fn claims(&self) -> Option<crate::Claims> {
        crate::decode_claims(self.expose_secret())
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for AccessToken {}

/// The value of the `Authorization` header for the exchange: `Basic base64("apitoken:" + token)`.
/// The token is used raw (not URL-encoded), as in the vendor's `curl -u apitoken:TOKEN`.
pub(crate) fn basic_header(token: &ApiToken) -> SecretString {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(format!("apitoken:{}", token.expose_secret()));
    SecretString::from(format!("Basic {encoded}"))
}

/// Masks the credentials of one client in text that leaves it (error messages, excerpts of
/// response bodies): the API token and its Basic encoding, computed once per client, plus any
/// access token the caller names.
pub(crate) struct Redactor {
    api_token: ApiToken,
    basic: SecretString,
}

impl Redactor {
    /// The redactor of `api_token`.
    pub fn new(api_token: &ApiToken) -> Redactor {
        Redactor {
            api_token: api_token.clone(),
            basic: basic_header(api_token),
        }
    }

    /// The API token itself.
    pub fn api_token(&self) -> &ApiToken {
        &self.api_token
    }

    /// The `Authorization` value of the token exchange.
    pub fn basic_header(&self) -> &str {
        self.basic.expose_secret()
    }

    /// `text` with every occurrence of a credential (and of each of `more`) replaced by
    /// `[redacted]`.
    pub fn redact(&self, text: &str, more: &[&str]) -> String {
        let basic = self.basic.expose_secret().trim_start_matches("Basic ");
        let mut out = text.to_owned();
        for s in [self.api_token.expose_secret(), basic].iter().chain(more) {
            // Very short values would mask ordinary words; real credentials are long.
            if s.len() >= 4 && out.contains(s) {
                out = out.replace(s, "[redacted]");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_secret() {
        let t = ApiToken::new("supersecret-value");
        assert!(!format!("{t:?}").contains("supersecret"));
        assert!(!format!("{t}").contains("supersecret"));
        let a = AccessToken::new("eyJhbGciOi.payload.sig");
        assert!(!format!("{a:?}{a}").contains("payload"));
        assert_eq!(t.fingerprint().len(), 8);
        let (tf, af) = (t.fingerprint(), a.fingerprint());
        assert_eq!(format!("{t:?}"), format!("ApiToken(sha256:{tf}…)"));
        assert_eq!(format!("{t}"), format!("api-token sha256:{tf}…"));
        assert_eq!(format!("{a:?}"), format!("AccessToken(sha256:{af}…)"));
        assert_eq!(format!("{a}"), format!("access-token sha256:{af}…"));
    }

    #[test]
    fn basic_header_uses_the_raw_token() {
        // base64("apitoken:a+b/c=d%20") — no URL encoding of + / = %.
        let h = basic_header(&ApiToken::new("a+b/c=d%20"));
        assert_eq!(h.expose_secret(), "Basic YXBpdG9rZW46YStiL2M9ZCUyMA==");
    }

    #[test]
    fn redaction_masks_every_occurrence() {
        let r = Redactor::new(&ApiToken::new("SECRET"));
        assert_eq!(
            r.redact("a SECRET b SECRET YXBpdG9rZW46U0VDUkVU", &["tok1234"]),
            "a [redacted] b [redacted] [redacted]"
        );
        assert_eq!(r.redact("short ab", &["ab"]), "short ab");
    }
}
