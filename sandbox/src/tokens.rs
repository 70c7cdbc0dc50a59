//! Access tokens: issuing them, and checking a `Bearer` token on every
//! resource request (signature, expiry, revocation).
//!
//! Every issued token is remembered in a sharded concurrent map, so the hot
//! path of a resource request is one hash lookup and no RSA work. A token
//! that is not in the map (tampered, foreign, or minted by a test helper) is
//! verified with RSA; if it is genuine it is cached too.

use crate::claims;
use crate::clock::now_ms;
use crate::ids;
use crate::jwt::Signer;
use crate::users::{Directory, Workspace};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

const SHARDS: usize = 16;
/// Above this many cached tokens per shard, expired ones are swept out (and,
/// if that is not enough, the shard is emptied: its tokens are re-verified
/// with RSA on next use).
const SHARD_CAPACITY: usize = 16_384;

/// What the sandbox knows about a valid access token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenInfo {
    /// Index of the user in the directory.
    pub user: usize,
    /// Expiry in Unix milliseconds.
    pub expires_at_ms: u64,
    /// The revocation epoch the token was issued in.
    epoch: u64,
}

/// Why a bearer token was refused (each maps to a 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a JWT signed by this sandbox.
    Invalid,
    /// Past its `exp`.
    Expired,
    /// Issued before `revoke_access_tokens`.
    Revoked,
}

impl AuthError {
    /// The message put in the 401 body (never the token itself).
    pub(crate) fn message(self) -> &'static str {
        match self {
            AuthError::Missing => "Full authentication is required to access this resource",
            AuthError::Invalid => "Invalid access token",
            AuthError::Expired => "Access token expired",
            AuthError::Revoked => "Access token revoked",
        }
    }
}

/// Hashes only the last bytes of a key. Tokens end in RSA signature bytes,
/// which are uniformly random, so their tail is as good a hash input as the
/// whole kilobyte, and far cheaper. (Keys are still compared in full.)
#[derive(Default)]
struct TailHasher(u64);

impl Hasher for TailHasher {
    fn write(&mut self, bytes: &[u8]) {
        let tail = &bytes[bytes.len().saturating_sub(16)..];
        for &b in tail {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type TokenMap = HashMap<Box<str>, TokenInfo, BuildHasherDefault<TailHasher>>;

/// The issued-token registry.
pub(crate) struct AccessTokens {
    signer: Signer,
    shards: Vec<RwLock<TokenMap>>,
    epoch: AtomicU64,
}

impl AccessTokens {
    /// A registry signing with a fresh `kid`.
    pub(crate) fn new() -> AccessTokens {
        AccessTokens {
            signer: Signer::new(ids::key_id()),
            shards: (0..SHARDS)
                .map(|_| RwLock::new(TokenMap::default()))
                .collect(),
            epoch: AtomicU64::new(0),
        }
    }

    /// Issues a token for user `user` valid for `lifetime_ms` and remembers it.
    /// `exp` is the expiry rounded up to whole seconds.
    pub(crate) fn issue(
        &self,
        directory: &Directory,
        workspace: &Workspace,
        user: usize,
        lifetime_ms: u64,
        instance_url: &str,
    ) -> String {
        let expires_at_ms = now_ms() + lifetime_ms;
        let exp = expires_at_ms.div_ceil(1000);
        let token = self.mint(directory, workspace, user, exp, instance_url);
        let info = TokenInfo {
            user,
            expires_at_ms,
            epoch: self.epoch.load(Ordering::Acquire),
        };
        self.remember(&token, info);
        token
    }

    /// Signs a token for `user` whose `exp` is `exp` (Unix seconds) without
    /// remembering it; used to craft already-expired tokens in tests.
    pub(crate) fn mint(
        &self,
        directory: &Directory,
        workspace: &Workspace,
        user: usize,
        exp: u64,
        instance_url: &str,
    ) -> String {
        let jti = ids::random_uuid();
        let claims = claims::render(directory.user(user), workspace, &jti, exp, instance_url);
        self.signer.sign(&claims)
    }

    /// Makes every token issued so far invalid.
    pub(crate) fn revoke_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// Checks a bearer token.
    pub(crate) fn check(&self, directory: &Directory, token: &str) -> Result<TokenInfo, AuthError> {
        let cached = self.shard(token).read().unwrap().get(token).copied();
        let info = match cached {
            Some(info) => info,
            None => self.verify_uncached(directory, token)?,
        };
        if info.epoch < self.epoch.load(Ordering::Acquire) {
            return Err(AuthError::Revoked);
        }
        if now_ms() >= info.expires_at_ms {
            return Err(AuthError::Expired);
        }
        Ok(info)
    }

    fn verify_uncached(&self, directory: &Directory, token: &str) -> Result<TokenInfo, AuthError> {
        let claims = self.signer.verify(token).map_err(|_| AuthError::Invalid)?;
        let exp = claims
            .get("exp")
            .and_then(|v| v.as_u64())
            .ok_or(AuthError::Invalid)?;
        let user = claims
            .get("sub")
            .and_then(|v| v.as_str())
            .and_then(|name| directory.by_username(name))
            .ok_or(AuthError::Invalid)?;
        // The issuing epoch of an uncached token is unknown: assume the oldest,
        // so that a revocation covers it.
        let info = TokenInfo {
            user,
            expires_at_ms: exp.saturating_mul(1000),
            epoch: 0,
        };
        if now_ms() < info.expires_at_ms {
            self.remember(token, info);
        }
        Ok(info)
    }

    fn remember(&self, token: &str, info: TokenInfo) {
        let mut shard = self.shard(token).write().unwrap();
        if shard.len() >= SHARD_CAPACITY {
            let now = now_ms();
            shard.retain(|_, i| i.expires_at_ms > now);
            if shard.len() >= SHARD_CAPACITY {
                shard.clear();
            }
        }
        shard.insert(token.into(), info);
    }

    fn shard(&self, token: &str) -> &RwLock<TokenMap> {
        // The last characters of a JWT are signature bytes: uniformly random.
        let b = token.as_bytes();
        let h = b
            .iter()
            .rev()
            .take(2)
            .fold(0usize, |acc, &x| acc * 31 + usize::from(x));
        &self.shards[h % SHARDS]
    }
}
