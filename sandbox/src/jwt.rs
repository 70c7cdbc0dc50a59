//! RS256 JSON Web Tokens, signed and verified with `jsonwebtoken` (on
//! `ring`) and the sandbox's RSA-2048 key.
//!
//! The key is generated with the `rsa` crate once per process (generation
//! costs a few hundred milliseconds). Every sandbox has its own `kid`, and
//! verification rejects tokens whose header names another `kid`, so tokens of
//! one sandbox never work on another.

use std::sync::{Arc, OnceLock};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use serde::Serialize;

/// Why a token failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JwtError {
    /// Not three base64url parts, or a part that does not decode to JSON.
    Malformed,
    /// Not RS256, or a `kid` other than this sandbox's.
    WrongKey,
    /// The signature does not match.
    BadSignature,
}

/// The process-wide RSA-2048 key pair.
fn keys() -> Arc<(EncodingKey, DecodingKey)> {
    static KEYS: OnceLock<Arc<(EncodingKey, DecodingKey)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA keygen");
        let private = key.to_pkcs1_der().expect("PKCS#1 encoding");
        let public = key.to_public_key().to_pkcs1_der().expect("PKCS#1 encoding");
        Arc::new((
            EncodingKey::from_rsa_der(private.as_bytes()),
            DecodingKey::from_rsa_der(public.as_bytes()),
        ))
    })
    .clone()
}

/// Signs and verifies this sandbox's access tokens.
pub(crate) struct Signer {
    keys: Arc<(EncodingKey, DecodingKey)>,
    header: Header,
    validation: Validation,
}

impl Signer {
    /// A signer whose tokens carry the header `{"alg":"RS256","kid":<kid>}`.
    pub(crate) fn new(kid: String) -> Signer {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(kid);
        // Expiry and revocation are checked by the caller, from the claims.
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        Signer {
            keys: keys(),
            header,
            validation,
        }
    }

    /// Produces `header.payload.signature` for `claims`.
    pub(crate) fn sign(&self, claims: &impl Serialize) -> String {
        jsonwebtoken::encode(&self.header, claims, &self.keys.0).expect("RSA signing")
    }

    /// Checks the header and the signature; returns the decoded claims.
    pub(crate) fn verify(&self, token: &str) -> Result<serde_json::Value, JwtError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed)?;
        if header.alg != Algorithm::RS256 || header.kid != self.header.kid {
            return Err(JwtError::WrongKey);
        }
        match jsonwebtoken::decode(token, &self.keys.1, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(e) if *e.kind() == ErrorKind::InvalidSignature => Err(JwtError::BadSignature),
            Err(_) => Err(JwtError::Malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let signer = Signer::new("abc".into());
        let token = signer.sign(&serde_json::json!({"sub": "x"}));
        assert_eq!(signer.verify(&token).unwrap()["sub"], "x");

        let mut tampered = token.clone().into_bytes();
        let n = tampered.len();
        tampered[n - 5] = if tampered[n - 5] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(signer.verify(&tampered), Err(JwtError::BadSignature));

        let other = Signer::new("def".into());
        assert_eq!(other.verify(&token), Err(JwtError::WrongKey));
        assert_eq!(signer.verify("a.b"), Err(JwtError::Malformed));
    }
}
