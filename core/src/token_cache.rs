//! The token file shared by processes: one file per (origin, API token) holding the access token
//! and its wall-clock issue and expiry times, with a lock file beside it.
//!
//! - Where: `$XDG_RUNTIME_DIR/leanix/` when that directory exists (tmpfs, per user, gone at
//!   logout), else `$XDG_CACHE_HOME/leanix/`, else `~/.cache/leanix/`, or a directory the caller
//!   gives. The file is named by a SHA-256 of the origin and the API token, never by either.
//! - Who may read it: the directory is created `0700` and the files `0600` (created with that
//!   mode, so there is no window in which they are looser). A directory or file that belongs to
//!   another user, or whose mode lets group or others in, is not used (a warning event).
//! - Writes are atomic: a temporary file in the same directory, then `rename`. A reader sees the
//!   old file or the new one; a corrupt or truncated file is ignored.
//! - Single flight across processes: a process that must exchange takes an exclusive `flock` on
//!   the lock file, reads the file again, and exchanges only if it still holds no usable token
//!   (the lock file is never removed: unlinking a lock file that others may hold breaks the
//!   exclusion).
//! - Trust: a file whose issue time lies in the future (the wall clock jumped back since it was
//!   written), or whose lifetime is longer than [`policy::MAX_TOKEN_LIFETIME`], is not used.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::events::{emit, Event, EventHandler};
use crate::origin::Origin;
use crate::policy;
use crate::secret::{AccessToken, ApiToken};

/// Where the token file lives, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CacheLocation {
    /// `$XDG_RUNTIME_DIR/leanix`, `$XDG_CACHE_HOME/leanix` or `~/.cache/leanix`.
    Default,
    /// A directory the caller chose.
    Dir(PathBuf),
}

/// The directory [`ClientBuilder::token_cache`](crate::ClientBuilder::token_cache) keeps token
/// files in, from the environment: `$XDG_RUNTIME_DIR/leanix` when that directory exists, else
/// `$XDG_CACHE_HOME/leanix`, else `$HOME/.cache/leanix` (relative values are ignored, as the
/// XDG base directory rules say). A candidate whose nearest existing directory belongs to
/// another user is passed over (`sudo` keeps the invoking user's variables: root's files there
/// would lock that user out of their own cache). `None` when no candidate is usable.
pub fn default_token_cache_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let runtime = absolute("XDG_RUNTIME_DIR").filter(|p| p.is_dir());
    let cache = absolute("XDG_CACHE_HOME");
    let home = absolute("HOME").map(|h| h.join(".cache"));
    [runtime, cache, home]
        .into_iter()
        .flatten()
        .find(|base| owned_by_me(base))
        .map(|base| base.join(policy::TOKEN_CACHE_DIR_NAME))
}

/// True if the nearest existing ancestor of `path` (itself included) belongs to this user.
fn owned_by_me(path: &Path) -> bool {
    path.ancestors()
        .find_map(|p| fs::metadata(p).ok())
        .is_some_and(|meta| meta.uid() == euid())
}

/// The name of the files of one origin and API token: a hash of both (domain-separated), so
/// that neither can be read from a directory listing.
fn file_key(origin: &Origin, api_token: &ApiToken) -> String {
    let mut h = Sha256::new();
    h.update(b"leanix token cache v1\0");
    h.update(origin.as_str().as_bytes());
    h.update(b"\0");
    h.update(api_token.expose_secret().as_bytes());
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A token read from the file.
pub(crate) struct Stored {
    pub token: AccessToken,
    /// When its exchange was sent, on the wall clock.
    pub issued: SystemTime,
    /// When it expires, on the wall clock.
    pub expires: SystemTime,
}

impl Stored {
    /// How old the token is and how long it lives, if the file can be believed at wall-clock
    /// time `now`; else why not.
    pub fn trust(&self, now: SystemTime) -> Result<(Duration, Duration), String> {
        let lifetime = self
            .expires
            .duration_since(self.issued)
            .ok()
            .filter(|l| !l.is_zero())
            .ok_or("its expiry is not after its issue time")?;
        if lifetime > policy::MAX_TOKEN_LIFETIME {
            return Err(format!(
                "its lifetime of {} s is longer than the {} s any token is believed to live",
                lifetime.as_secs(),
                policy::MAX_TOKEN_LIFETIME.as_secs()
            ));
        }
        match now.duration_since(self.issued) {
            Ok(age) => Ok((age, lifetime)),
            Err(ahead) if ahead.duration() <= policy::TOKEN_CACHE_CLOCK_TOLERANCE => {
                Ok((Duration::ZERO, lifetime))
            }
            Err(ahead) => Err(format!(
                "its issue time is {} s in the future: the clock was set back since it was written",
                ahead.duration().as_secs()
            )),
        }
    }
}

/// The file's content. No `Debug`: it holds the token.
#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    origin: String,
    access_token: String,
    issued_at_ms: u64,
    expires_at_ms: u64,
}

impl Drop for Record {
    fn drop(&mut self) {
        self.access_token.zeroize();
    }
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn from_millis(ms: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

/// The effective user id of this process.
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// `flock(LOCK_EX)` on `file`, retried after a signal; with `nonblocking`, `WouldBlock` when
/// another open file holds it.
fn flock(file: &File, nonblocking: bool) -> io::Result<()> {
    let op = libc::LOCK_EX | if nonblocking { libc::LOCK_NB } else { 0 };
    loop {
        // SAFETY: the descriptor belongs to `file`, which stays open during the call.
        if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The exclusive lock of one token file, held until dropped (closing the file releases it).
pub(crate) struct FileLock {
    _file: File,
}

/// Temporary files of this process get distinct names.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The token file of one client.
pub(crate) struct TokenStore {
    dir: PathBuf,
    file: PathBuf,
    lock: PathBuf,
    key: String,
    origin: String,
    events: Option<EventHandler>,
    /// Set once the directory proved unusable: warned once, never used again by this client.
    disabled: AtomicBool,
    /// The last warning, not repeated until the file was used or written again (a fetch reads
    /// the file twice: before and after taking the lock).
    last_warning: Mutex<Option<String>>,
}

impl TokenStore {
    /// The store of `origin` and `api_token` at `location`; `None` (after a warning) when the
    /// default location cannot be found because no environment variable names it.
    pub fn new(
        location: &CacheLocation,
        origin: &Origin,
        api_token: &ApiToken,
        events: Option<EventHandler>,
    ) -> Option<TokenStore> {
        let dir = match location {
            CacheLocation::Dir(dir) => dir.clone(),
            CacheLocation::Default => match default_token_cache_dir() {
                Some(dir) => dir,
                None => {
                    emit(
                        &events,
                        Event::TokenCacheIgnored {
                            path: PathBuf::new(),
                            reason: "no directory for the token file: none of XDG_RUNTIME_DIR, XDG_CACHE_HOME and HOME names an absolute path of this user's".into(),
                        },
                    );
                    return None;
                }
            },
        };
        let key = file_key(origin, api_token);
        Some(TokenStore {
            file: dir.join(format!("token-{key}.json")),
            lock: dir.join(format!("token-{key}.lock")),
            dir,
            key,
            origin: origin.as_str().to_owned(),
            events,
            disabled: AtomicBool::new(false),
            last_warning: Mutex::new(None),
        })
    }

    /// The path of the token file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// Emits [`Event::TokenCacheIgnored`], unless it repeats the last warning.
    pub fn warn(&self, path: &Path, reason: String) {
        let text = format!("{}\0{reason}", path.display());
        {
            let mut last = self.last_warning.lock().unwrap_or_else(|p| p.into_inner());
            if last.as_deref() == Some(text.as_str()) {
                return;
            }
            *last = Some(text);
        }
        emit(
            &self.events,
            Event::TokenCacheIgnored {
                path: path.to_owned(),
                reason,
            },
        );
    }

    /// Checks the directory, making it first with `create`: `Some(true)` if usable,
    /// `Some(false)` if it does not exist (and was not to be made), `None` if it is unusable
    /// (warned once; the store is disabled).
    fn ready_dir(&self, create: bool) -> Option<bool> {
        if self.disabled.load(Ordering::Relaxed) {
            return None;
        }
        let checked = match fs::metadata(&self.dir) {
            Ok(meta) => self.check(&meta, true).map(|()| true),
            Err(e) if e.kind() == io::ErrorKind::NotFound && !create => return Some(false),
            Err(e) if e.kind() == io::ErrorKind::NotFound => self.make_dir(),
            Err(e) => Err(format!("cannot be read: {e}")),
        };
        match checked {
            Ok(usable) => Some(usable),
            Err(reason) => {
                if !self.disabled.swap(true, Ordering::Relaxed) {
                    self.warn(&self.dir, format!("{reason}; the token cache is not used"));
                }
                None
            }
        }
    }

    fn make_dir(&self) -> Result<bool, String> {
        if let Some(parent) = self.dir.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("cannot be created: {e}"))?;
        }
        match fs::DirBuilder::new()
            .mode(policy::TOKEN_CACHE_DIR_MODE)
            .create(&self.dir)
        {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot be created: {e}")),
        }
        let meta = fs::metadata(&self.dir).map_err(|e| format!("cannot be read: {e}"))?;
        self.check(&meta, true).map(|()| true)
    }

    /// Owner, type and mode of the directory or a file: this user's, nothing for group and
    /// others.
    fn check(&self, meta: &Metadata, dir: bool) -> Result<(), String> {
        if dir && !meta.is_dir() {
            return Err("is not a directory".into());
        }
        if !dir && !meta.is_file() {
            return Err("is not a regular file".into());
        }
        let me = euid();
        if meta.uid() != me {
            return Err(format!(
                "belongs to user id {}, not to this user ({me})",
                meta.uid()
            ));
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "has mode {mode:04o}, which lets other users {} it (it must be {:04o})",
                if dir { "into" } else { "read" },
                if dir {
                    policy::TOKEN_CACHE_DIR_MODE
                } else {
                    policy::TOKEN_CACHE_FILE_MODE
                }
            ));
        }
        Ok(())
    }

    /// The stored token, if the file exists and can be used (else `None`, with a warning for a
    /// file that exists but is not used).
    pub fn read(&self) -> Option<Stored> {
        if self.ready_dir(false) != Some(true) {
            return None;
        }
        let mut file = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.file)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                self.warn(&self.file, "is a symbolic link; not followed".into());
                return None;
            }
            Err(e) => {
                self.warn(&self.file, format!("cannot be opened: {e}"));
                return None;
            }
        };
        let checked = file
            .metadata()
            .map_err(|e| format!("cannot be read: {e}"))
            .and_then(|meta| self.check(&meta, false));
        if let Err(reason) = checked {
            self.warn(&self.file, format!("{reason}; ignored"));
            return None;
        }
        let mut bytes = Zeroizing::new(Vec::new());
        let max = policy::TOKEN_CACHE_MAX_FILE_BYTES;
        if let Err(e) = (&mut file).take(max + 1).read_to_end(&mut bytes) {
            self.warn(&self.file, format!("cannot be read: {e}"));
            return None;
        }
        if bytes.len() as u64 > max {
            self.warn(
                &self.file,
                format!("is larger than {max} bytes: not a token file; ignored"),
            );
            return None;
        }
        match self.parse(&bytes) {
            Ok(stored) => {
                self.clear_warning();
                Some(stored)
            }
            Err(reason) => {
                self.warn(
                    &self.file,
                    format!("is corrupt or truncated ({reason}); ignored"),
                );
                None
            }
        }
    }

    /// The token of a file's bytes. Error messages never quote the content.
    fn parse(&self, bytes: &[u8]) -> Result<Stored, String> {
        let mut record: Record = serde_json::from_slice(bytes).map_err(|e| {
            format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            )
            .to_lowercase()
        })?;
        if record.version != policy::TOKEN_CACHE_FORMAT {
            return Err(format!("format version {}", record.version));
        }
        if record.origin != self.origin {
            return Err("it is for another origin".into());
        }
        let raw = std::mem::take(&mut record.access_token);
        if raw.is_empty() {
            return Err("it holds an empty token".into());
        }
        let issued = from_millis(record.issued_at_ms).ok_or("bad issue time")?;
        let expires = from_millis(record.expires_at_ms).ok_or("bad expiry time")?;
        Ok(Stored {
            token: AccessToken::new(raw),
            issued,
            expires,
        })
    }

    /// Stores a token atomically (a `0600` temporary file, then `rename`); a failure is a
    /// warning (the token stays this process's own).
    pub fn write(&self, token: &AccessToken, issued: SystemTime, expires: SystemTime) {
        if self.ready_dir(true) != Some(true) {
            return;
        }
        let record = Record {
            version: policy::TOKEN_CACHE_FORMAT,
            origin: self.origin.clone(),
            access_token: token.expose_secret().to_owned(),
            issued_at_ms: millis(issued),
            expires_at_ms: millis(expires),
        };
        let bytes = match serde_json::to_vec(&record) {
            Ok(b) => Zeroizing::new(b),
            Err(e) => {
                self.warn(&self.file, format!("cannot be written: {e}"));
                return;
            }
        };
        self.remove_stale_temps();
        let temp = self.dir.join(format!(
            ".token-{}.{}.{}.tmp",
            self.key,
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(policy::TOKEN_CACHE_FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)
            .and_then(|mut f| f.write_all(&bytes))
            .and_then(|()| fs::rename(&temp, &self.file));
        match written {
            Ok(()) => self.clear_warning(),
            Err(e) => {
                let _ = fs::remove_file(&temp);
                self.warn(&self.file, format!("cannot be written: {e}"));
            }
        }
    }

    /// Removes this key's temporary files older than [`policy::TOKEN_CACHE_STALE_TEMP_AGE`]
    /// (by modification time): a process killed between creating one and renaming it leaves it
    /// behind. A younger one may belong to a process writing now and is left alone.
    fn remove_stale_temps(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!(".token-{}.", self.key);
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.starts_with(&prefix) || !name.ends_with(".tmp") {
                continue;
            }
            // DirEntry::metadata does not follow a link: a link is judged (and removed) itself.
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age >= policy::TOKEN_CACHE_STALE_TEMP_AGE);
            if old {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn clear_warning(&self) {
        *self.last_warning.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Removes the file if it still holds `token` (call with the lock held); true if removed.
    pub fn remove_if_holds(&self, token: &AccessToken) -> bool {
        let holds = self.read().is_some_and(|s| s.token == *token);
        holds && fs::remove_file(&self.file).is_ok()
    }

    /// Removes the file whatever it holds (call with the lock held); true if there was one.
    pub fn remove(&self) -> io::Result<bool> {
        match fs::remove_file(&self.file) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Unlinks the lock file, whose lock the caller holds (`lx token --forget` leaves nothing
    /// behind). A process waiting for the lock then gets it on the unlinked file, finds no
    /// token and exchanges, as it would have. Best effort: a lock file left is an empty file.
    pub fn remove_lock_file(&self, _held: &FileLock) {
        let _ = fs::remove_file(&self.lock);
    }

    /// Takes the exclusive lock beside the file, waiting at most `wait` while another process
    /// holds it (trying again every [`policy::TOKEN_CACHE_LOCK_POLL`], with an
    /// [`Event::TokenCacheWaiting`] when the wait begins). `None` (after a warning) when the lock
    /// cannot be had in that time: the caller goes on without it.
    pub async fn lock(&self, wait: Duration) -> Option<FileLock> {
        if self.ready_dir(true) != Some(true) {
            return None;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(policy::TOKEN_CACHE_FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.lock)
            .map_err(|e| format!("cannot be opened: {e}"))
            .and_then(|f| {
                let meta = f.metadata().map_err(|e| format!("cannot be read: {e}"))?;
                self.check(&meta, false).map(|()| f)
            });
        let file = match file {
            Ok(f) => f,
            Err(reason) => {
                self.warn(&self.lock, format!("{reason}; exchanging without the lock"));
                return None;
            }
        };
        // Polled without blocking (a thread blocked in flock could not be called off when the
        // wait ends, and would hold the runtime open at exit).
        let started = tokio::time::Instant::now();
        let until = started + wait;
        let mut announced = false;
        loop {
            match flock(&file, true) {
                Ok(()) => return Some(FileLock { _file: file }),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    self.warn(
                        &self.lock,
                        format!("cannot be locked: {e}; exchanging without the lock"),
                    );
                    return None;
                }
            }
            let now = tokio::time::Instant::now();
            if now >= until {
                break;
            }
            if !announced {
                announced = true;
                emit(
                    &self.events,
                    Event::TokenCacheWaiting {
                        path: self.lock.clone(),
                        wait,
                    },
                );
            }
            tokio::time::sleep(policy::TOKEN_CACHE_LOCK_POLL.min(until - now)).await;
        }
        self.warn(
            &self.lock,
            format!(
                "has been held by another process for {} ms, {}; exchanging without it",
                started.elapsed().as_millis(),
                if wait >= policy::TOKEN_CACHE_LOCK_WAIT {
                    "the longest wait for it".to_owned()
                } else {
                    format!(
                        "1/{} of the call's remaining deadline",
                        policy::TOKEN_CACHE_LOCK_WAIT_DIVISOR
                    )
                }
            ),
        );
        None
    }
}

/// How long a call with `remaining` time before its deadline (`None`: no deadline) waits for
/// another process's exchange: 1/[`policy::TOKEN_CACHE_LOCK_WAIT_DIVISOR`] of it, at most
/// [`policy::TOKEN_CACHE_LOCK_WAIT`].
pub(crate) fn lock_wait(remaining: Option<Duration>) -> Duration {
    remaining.map_or(policy::TOKEN_CACHE_LOCK_WAIT, |r| {
        (r / policy::TOKEN_CACHE_LOCK_WAIT_DIVISOR).min(policy::TOKEN_CACHE_LOCK_WAIT)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(issued: u64, expires: u64) -> Stored {
        Stored {
            token: AccessToken::new("t"),
            issued: UNIX_EPOCH + Duration::from_secs(issued),
            expires: UNIX_EPOCH + Duration::from_secs(expires),
        }
    }

    #[test]
    fn trust_rules() {
        let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        let secs = Duration::from_secs;
        assert_eq!(
            stored(1000, 4600).trust(at(1600)),
            Ok((secs(600), secs(3600)))
        );
        // Within the tolerance, a slightly future issue time counts as now.
        assert_eq!(
            stored(1001, 4601).trust(at(1000)),
            Ok((Duration::ZERO, secs(3600)))
        );
        assert!(stored(1100, 4600)
            .trust(at(1000))
            .unwrap_err()
            .contains("future"));
        let max = policy::MAX_TOKEN_LIFETIME.as_secs();
        assert!(stored(1000, 1000 + max).trust(at(1000)).is_ok());
        assert!(stored(1000, 1001 + max)
            .trust(at(1000))
            .unwrap_err()
            .contains("lifetime"));
        assert!(stored(1000, 1000).trust(at(1000)).is_err());
        assert!(stored(1000, 900).trust(at(1000)).is_err());
    }

    #[test]
    fn the_file_name_hides_origin_and_token() {
        let origin = Origin::parse("https://acme.leanix.net", false).unwrap();
        let a = file_key(&origin, &ApiToken::new("secret-one"));
        let b = file_key(&origin, &ApiToken::new("secret-two"));
        let other = Origin::parse("https://other.leanix.net", false).unwrap();
        let c = file_key(&other, &ApiToken::new("secret-one"));
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(a != b && a != c && b != c);
        assert!(!a.contains("acme"));
    }
}
