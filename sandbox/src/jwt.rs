//! RS256 JSON Web Tokens: signing with the sandbox's RSA-2048 key and
//! verifying signatures made with it.
//!
//! The key is generated with the `rsa` crate (once per process: generation
//! costs a few hundred milliseconds) and used through `ring`, which signs
//! about three times faster. Every sandbox has its own `kid`, and verification
//! rejects tokens whose header names another `kid`, so tokens of one sandbox
//! never work on another.

use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};
use rsa::pkcs8::EncodePrivateKey;

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
struct KeyMaterial {
    pair: RsaKeyPair,
    public: UnparsedPublicKey<Vec<u8>>,
}

fn key_material() -> Arc<KeyMaterial> {
    static KEY: OnceLock<Arc<KeyMaterial>> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        let key = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("RSA key generation");
        let der = key.to_pkcs8_der().expect("PKCS#8 encoding");
        let pair = RsaKeyPair::from_pkcs8(der.as_bytes()).expect("ring accepts the key");
        let public = UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            pair.public().as_ref().to_vec(),
        );
        Arc::new(KeyMaterial { pair, public })
    })
    .clone()
}

/// Signs and verifies this sandbox's access tokens.
pub(crate) struct Signer {
    key: Arc<KeyMaterial>,
    kid: String,
    header_b64: String,
    rng: SystemRandom,
}

impl Signer {
    /// A signer whose tokens carry the header `{"kid":<kid>,"alg":"RS256"}`.
    pub(crate) fn new(kid: String) -> Signer {
        let header = format!(r#"{{"kid":"{kid}","alg":"RS256"}}"#);
        Signer {
            key: key_material(),
            header_b64: URL_SAFE_NO_PAD.encode(header),
            kid,
            rng: SystemRandom::new(),
        }
    }

    /// Produces `header.payload.signature` for the JSON text `claims`.
    pub(crate) fn sign(&self, claims: &str) -> String {
        let mut token = String::with_capacity(self.header_b64.len() + claims.len() * 4 / 3 + 350);
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        let mut sig = vec![0u8; self.key.pair.public().modulus_len()];
        self.key
            .pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                token.as_bytes(),
                &mut sig,
            )
            .expect("RSA signing");
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut token);
        token
    }

    /// Checks the header and the signature; returns the decoded claims.
    pub(crate) fn verify(&self, token: &str) -> Result<serde_json::Value, JwtError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let header = decode_json(h)?;
        if header.get("alg").and_then(|v| v.as_str()) != Some("RS256")
            || header.get("kid").and_then(|v| v.as_str()) != Some(self.kid.as_str())
        {
            return Err(JwtError::WrongKey);
        }
        let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
        let signed = &token[..h.len() + 1 + p.len()];
        self.key
            .public
            .verify(signed.as_bytes(), &sig)
            .map_err(|_| JwtError::BadSignature)?;
        decode_json(p)
    }
}

fn decode_json(part: &str) -> Result<serde_json::Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let signer = Signer::new("abc".into());
        let token = signer.sign(r#"{"sub":"x"}"#);
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
