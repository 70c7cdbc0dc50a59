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

/// A LeanIX API token (the long-lived credential of a technical user).
///
/// `Debug` and `Display` show only a fingerprint; the memory is zeroed on drop.
#[derive(Clone)]
pub struct ApiToken(SecretString);

impl ApiToken {
    /// Wraps a raw API token.
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(SecretString::from(token.into()))
    }

    /// The raw token. Call this only to put it on the wire.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// A short fingerprint, safe to log.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.expose_secret())
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiToken(sha256:{}…)", self.fingerprint())
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "api-token sha256:{}…", self.fingerprint())
    }
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

/// An OAuth2 access token (a JWT for LeanIX) obtained from the token endpoint.
///
/// `Debug` and `Display` show only a fingerprint; the memory is zeroed on drop.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// Wraps a raw access token.
    pub fn new(token: impl Into<String>) -> Self {
        AccessToken(SecretString::from(token.into()))
    }

    /// The raw token, for an `Authorization: Bearer` header of your own.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// A short fingerprint, safe to log.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.expose_secret())
    }

    /// The decoded (not verified) JWT claims, or `None` for an opaque token.
    pub fn claims(&self) -> Option<crate::Claims> {
        crate::decode_claims(self.expose_secret())
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken(sha256:{}…)", self.fingerprint())
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "access-token sha256:{}…", self.fingerprint())
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for AccessToken {}

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
    }
}
