//! Random and deterministic identifiers: UUIDs, API tokens, key ids.

use fastrand::Rng;
use uuid::{Builder, Uuid};

fn random_bytes(rng: &mut Rng) -> [u8; 16] {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b
}

/// A version-4 UUID made of 16 random bytes from `rng` (deterministic for a seeded `rng`).
pub(crate) fn uuid_v4(rng: &mut Rng) -> String {
    Builder::from_random_bytes(random_bytes(rng))
        .into_uuid()
        .to_string()
}

/// A fresh random UUID from the thread-local generator (used for `jti` and new ids).
pub(crate) fn random_uuid() -> String {
    uuid_v4(&mut Rng::new())
}

/// A random API token shaped like the vendor's: 40 ASCII letters and digits.
pub(crate) fn api_token() -> String {
    let mut rng = Rng::new();
    (0..40).map(|_| rng.alphanumeric()).collect()
}

/// A random 128-bit key id in hex, like the `kid` of the vendor's JWT header.
pub(crate) fn key_id() -> String {
    Uuid::from_bytes(random_bytes(&mut Rng::new()))
        .simple()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_shapes() {
        let id = uuid_v4(&mut Rng::with_seed(7));
        assert_eq!(id, uuid_v4(&mut Rng::with_seed(7)), "deterministic");
        assert_eq!((id.len(), &id[14..15]), (36, "4"));
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        let kid = key_id();
        assert!(kid.len() == 32 && kid.chars().all(|c| c.is_ascii_hexdigit()));
        let t = api_token();
        assert!(t.len() == 40 && t.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
