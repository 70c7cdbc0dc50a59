//! Random and deterministic identifiers: UUIDs, API tokens, key ids.

use fastrand::Rng;

/// Formats 16 random bytes from `rng` as a version-4 UUID string.
pub(crate) fn uuid_v4(rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A fresh random UUID from the thread-local generator (used for `jti`).
pub(crate) fn random_uuid() -> String {
    uuid_v4(&mut Rng::new())
}

/// A random API token shaped like the vendor's: 40 ASCII letters and digits.
pub(crate) fn api_token() -> String {
    let mut rng = Rng::new();
    (0..40).map(|_| rng.alphanumeric()).collect()
}

/// Lower-case hexadecimal encoding of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// A random 128-bit key id in hex, like the `kid` of the vendor's JWT header.
pub(crate) fn key_id() -> String {
    let mut b = [0u8; 16];
    Rng::new().fill(&mut b);
    hex(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_has_version_and_variant() {
        let id = uuid_v4(&mut Rng::with_seed(7));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn api_token_is_40_alphanumerics() {
        let t = api_token();
        assert_eq!(t.len(), 40);
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
