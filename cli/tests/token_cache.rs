//! The token cache of `lx`: on by default, one exchange for many runs and for processes that
//! start together, unusable files ignored with a warning, a 401 drops the cached token,
//! `--no-token-cache` / `LEANIX_TOKEN_CACHE=0` / `token_cache = false` turn it off, and
//! `lx token --forget` removes it. Each test has its own sandbox (its counters are the
//! evidence) and its own `XDG_RUNTIME_DIR`.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{assert_contains, chmod, lx_on, temp_file, Lx};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

const FACT_SHEETS: &str = "/services/pathfinder/v1/factSheets?pageSize=1";

/// A sandbox and a runtime directory of this test's own.
struct Setup {
    sb: Sandbox,
    runtime: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            sb: Sandbox::start().unwrap(),
            runtime: tempfile::tempdir().unwrap(),
        }
    }

    /// `lx ARGS` against this sandbox with this runtime directory.
    fn lx(&self, args: &[&str]) -> Lx {
        lx_on(&self.sb, args).env("XDG_RUNTIME_DIR", self.runtime.path().to_str().unwrap())
    }

    fn exchanges(&self) -> u64 {
        self.sb.stats().token_exchanges
    }

    /// `$XDG_RUNTIME_DIR/leanix`.
    fn dir(&self) -> PathBuf {
        self.runtime.path().join("leanix")
    }

    /// The one token file in the directory.
    fn file(&self) -> PathBuf {
        let files: Vec<PathBuf> = fs::read_dir(self.dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        files.into_iter().next().unwrap()
    }
}

fn mode_of(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// 50 `lx get` runs make one exchange; `lx token` twice prints the same token (the curl
/// recipe); the directory is 0700 and the file 0600, named by neither host nor API token.
#[test]
fn fifty_runs_make_one_exchange() {
    let s = Setup::new();
    for _ in 0..50 {
        let run = s.lx(&["get", FACT_SHEETS]).run().ok();
        assert_eq!(run.json()["status"], "OK");
        assert_eq!(run.stderr, "", "no warnings");
    }
    assert_eq!(s.exchanges(), 1);
    assert_eq!(s.sb.stats().token_requests, 1);
    let a = s.lx(&["token"]).token_on_stdout().run().ok();
    let b = s.lx(&["token"]).token_on_stdout().run().ok();
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(s.exchanges(), 1);

    assert_eq!(mode_of(&s.dir()), 0o700);
    let file = s.file();
    assert_eq!(mode_of(&file), 0o600);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        !name.contains(s.sb.api_token()) && !name.contains("127.0.0.1"),
        "{name}"
    );
    let content = fs::read_to_string(&file).unwrap();
    assert!(
        content.contains(a.stdout.trim()),
        "the file holds the access token"
    );
    assert!(
        !content.contains(s.sb.api_token()),
        "but never the API token"
    );
}

/// Eight `lx` processes started at once with a cold cache make one exchange: the first one's
/// exchange is stalled, so the others start while it holds the lock.
#[test]
fn eight_cold_processes_make_one_exchange() {
    let s = Setup::new();
    s.sb.inject(
        Endpoint::Token,
        Fault::Stall(std::time::Duration::from_millis(500)),
        1,
    );
    let runs: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| s.lx(&["get", FACT_SHEETS]).run()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in runs {
        let run = run.ok();
        assert_eq!(run.json()["status"], "OK");
    }
    assert_eq!(s.exchanges(), 1);
    assert_eq!(s.sb.stats().token_requests, 1);
}

/// A 0644 file is ignored with a warning on stderr and replaced by a 0600 one, which the next
/// run takes without a word.
#[test]
fn a_file_others_can_read_is_ignored_with_a_warning() {
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    chmod(&s.file(), 0o644);
    let run = s.lx(&["get", FACT_SHEETS]).run().ok();
    assert!(
        run.stderr.starts_with("lx: warning: token cache: ")
            && run.stderr.contains("has mode 0644")
            && run.stderr.contains("ignored"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(s.exchanges(), 2);
    assert_eq!(mode_of(&s.file()), 0o600);
    let run = s.lx(&["get", FACT_SHEETS]).run().ok();
    assert_eq!(run.stderr, "");
    assert_eq!(s.exchanges(), 2);
}

/// A file of another user is ignored with a warning (needs root to make one).
#[test]
fn a_file_of_another_user_is_ignored_with_a_warning() {
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: making a file of another user needs root");
        return;
    }
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    std::os::unix::fs::chown(s.file(), Some(65534), Some(65534)).unwrap();
    let run = s.lx(&["get", FACT_SHEETS]).run().ok();
    assert_contains(&run.stderr, "belongs to user id 65534");
    assert_eq!(s.exchanges(), 2);
}

/// A directory others may enter is not used at all: a warning, and an exchange every run.
#[test]
fn a_loose_directory_is_not_used() {
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    chmod(&s.dir(), 0o755);
    for n in 2..=3 {
        let run = s.lx(&["get", FACT_SHEETS]).run().ok();
        assert!(
            run.stderr.contains("has mode 0755") && run.stderr.contains("not used"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_eq!(s.exchanges(), n);
    }
}

/// A truncated file is ignored (with a warning) and replaced.
#[test]
fn a_truncated_file_is_ignored() {
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    let file = s.file();
    let bytes = fs::read(&file).unwrap();
    fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let run = s.lx(&["get", FACT_SHEETS]).run().ok();
    assert_contains(&run.stderr, "corrupt or truncated");
    assert_eq!(s.exchanges(), 2);
    let run = s.lx(&["get", FACT_SHEETS]).run().ok();
    assert_eq!(run.stderr, "");
    assert_eq!(s.exchanges(), 2);
}

/// A cached token the API rejects (revoked) costs the next run one exchange, and the new token
/// replaces it in the file.
#[test]
fn a_401_drops_the_cached_token() {
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    let before = fs::read_to_string(s.file()).unwrap();
    s.sb.revoke_access_tokens();
    let run = s.lx(&["-v", "get", FACT_SHEETS]).run().ok();
    assert_eq!(run.json()["status"], "OK");
    assert_contains(&run.stderr, "from the token cache");
    assert_contains(&run.stderr, "the API rejected");
    assert_eq!(s.exchanges(), 2);
    assert_eq!(s.sb.stats().requests(Endpoint::FactSheets, 401), 1);
    assert_ne!(fs::read_to_string(s.file()).unwrap(), before);
    for _ in 0..3 {
        s.lx(&["get", FACT_SHEETS]).run().ok();
    }
    assert_eq!(s.exchanges(), 2);
}

/// A cached token past its refresh point (83 % of its lifetime, well before its hard margin)
/// still serves the run, which refreshes it in the background and waits for that refresh
/// before it exits: the new token is in the file, and the next runs exchange nothing.
#[test]
fn a_run_that_finds_the_token_due_refreshes_it_ahead_for_the_next() {
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    let mut record: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(s.file()).unwrap()).unwrap();
    let old = record["access_token"].as_str().unwrap().to_owned();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    record["issued_at_ms"] = (now_ms - 50 * 60_000).into();
    record["expires_at_ms"] = (now_ms + 10 * 60_000).into();
    fs::write(s.file(), record.to_string()).unwrap();

    let run = s.lx(&["-v", "get", FACT_SHEETS]).run().ok();
    assert_contains(&run.stderr, "from the token cache");
    assert_eq!(s.exchanges(), 2, "one background refresh: {}", run.stderr);
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(s.file()).unwrap()).unwrap();
    assert_ne!(stored["access_token"].as_str().unwrap(), old);
    for _ in 0..3 {
        s.lx(&["get", FACT_SHEETS]).run().ok();
    }
    assert_eq!(s.exchanges(), 2);
    // The old token still answered the run itself: no call waited for the refresh.
    assert_eq!(s.sb.stats().requests(Endpoint::FactSheets, 401), 0);
}

/// `--no-token-cache`, `LEANIX_TOKEN_CACHE=0` and `token_cache = false` each exchange every
/// run and write nothing; a value that is not on/off is a usage error.
#[test]
fn the_cache_can_be_turned_off() {
    let s = Setup::new();
    for _ in 0..3 {
        s.lx(&["get", FACT_SHEETS, "--no-token-cache"]).run().ok();
    }
    assert_eq!(s.exchanges(), 3);
    for _ in 0..2 {
        s.lx(&["get", FACT_SHEETS])
            .env("LEANIX_TOKEN_CACHE", "0")
            .run()
            .ok();
    }
    assert_eq!(s.exchanges(), 5);
    let (_cfg_dir, config) = temp_file("config.toml", b"token_cache = false\n");
    chmod(&config, 0o600);
    for _ in 0..2 {
        s.lx(&["get", FACT_SHEETS, "--config", config.to_str().unwrap()])
            .run()
            .ok();
    }
    assert_eq!(s.exchanges(), 7);
    assert!(!s.dir().exists(), "nothing was written");

    let run = s
        .lx(&["-v", "get", FACT_SHEETS])
        .env("LEANIX_TOKEN_CACHE", "0")
        .run()
        .ok();
    assert!(
        run.stderr
            .contains("token cache off (from environment variable LEANIX_TOKEN_CACHE)"),
        "{}",
        run.stderr
    );
    s.lx(&["get", FACT_SHEETS])
        .env("LEANIX_TOKEN_CACHE", "maybe")
        .run()
        .expect_stderr(2, "LEANIX_TOKEN_CACHE must be 1 or 0");
    // And on again: LEANIX_TOKEN_CACHE=1 over the file's false.
    for _ in 0..2 {
        s.lx(&["get", FACT_SHEETS, "--config", config.to_str().unwrap()])
            .env("LEANIX_TOKEN_CACHE", "1")
            .run()
            .ok();
    }
    assert_eq!(s.exchanges(), 9);
}

/// `lx token --forget` removes the file; the next run exchanges once.
#[test]
fn token_forget_removes_the_file() {
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    let file = s.file();
    let run = s.lx(&["token", "--forget"]).run().ok();
    assert_eq!(
        run.stdout.trim(),
        format!("removed the cached access token {}", file.display())
    );
    assert!(!file.exists());
    assert!(!file.with_extension("lock").exists(), "nothing left behind");
    assert_eq!(s.exchanges(), 1, "forgetting exchanges nothing");
    let run = s.lx(&["token", "--forget"]).run().ok();
    assert!(
        run.stdout.starts_with("no cached access token"),
        "{}",
        run.stdout
    );
    s.lx(&["get", FACT_SHEETS]).run().ok();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    assert_eq!(s.exchanges(), 2);
    // --forget works with the cache turned off, too.
    s.lx(&["token", "--forget", "--no-token-cache"]).run().ok();
    assert!(!file.exists());
}

/// Without `XDG_RUNTIME_DIR`, the file lives under `$XDG_CACHE_HOME/leanix`; `lx config`
/// says where.
#[test]
fn without_a_runtime_directory_the_cache_home_is_used() {
    let s = Setup::new();
    let cache_home = tempfile::tempdir().unwrap();
    let cache = cache_home.path().to_str().unwrap();
    for _ in 0..3 {
        lx_on(&s.sb, &["get", FACT_SHEETS])
            .env("XDG_CACHE_HOME", cache)
            .run()
            .ok();
    }
    assert_eq!(s.exchanges(), 1);
    assert_eq!(mode_of(&cache_home.path().join("leanix")), 0o700);
    let run = lx_on(&s.sb, &["config"])
        .env("XDG_CACHE_HOME", cache)
        .run()
        .ok();
    assert_contains(
        &run.stdout,
        &format!("token cache on, in {}/leanix (from the default)", cache),
    );

    // A runtime directory of another user (sudo keeps the caller's XDG_RUNTIME_DIR) is passed
    // over: nothing is created in it. Making one needs root.
    if unsafe { libc::geteuid() } == 0 {
        let foreign = tempfile::tempdir().unwrap();
        std::os::unix::fs::chown(foreign.path(), Some(65534), Some(65534)).unwrap();
        lx_on(&s.sb, &["get", FACT_SHEETS])
            .env("XDG_RUNTIME_DIR", foreign.path().to_str().unwrap())
            .env("XDG_CACHE_HOME", cache)
            .run()
            .ok();
        assert_eq!(fs::read_dir(foreign.path()).unwrap().count(), 0);
        assert_eq!(s.exchanges(), 1, "the token came from the cache home");
    }
}

/// A child `flock` process holding the lock of the token file, as another `lx` does while it
/// exchanges. Its shell waits on its stdin: dropping the holder closes that pipe, the shell and
/// `flock` exit, and the lock is released (no process outlives the test).
struct LockHolder {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
}

impl LockHolder {
    /// Starts `flock -n LOCK -c 'echo locked; read _'` and waits until it says it holds the
    /// lock.
    fn start(lock: &Path) -> LockHolder {
        use std::io::BufRead;
        let mut child = std::process::Command::new("flock")
            .arg("-n")
            .arg(lock)
            .args(["-c", "echo locked; read _"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("flock(1) starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked");
        let stdin = child.stdin.take();
        LockHolder { child, stdin }
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// With another process holding the lock of the token file (and never storing a token), `lx
/// --timeout 4` waits about 2 s (half its deadline, not 45 s), says so with -v, warns, exchanges once
/// without the lock and succeeds; the token it stored serves the next run.
#[test]
fn a_held_lock_costs_half_the_deadline_then_lx_exchanges() {
    let s = Setup::new();
    s.lx(&["get", FACT_SHEETS]).run().ok();
    assert_eq!(s.exchanges(), 1);
    let file = s.file();
    fs::remove_file(&file).unwrap();
    let holder = LockHolder::start(&file.with_extension("lock"));

    let started = std::time::Instant::now();
    let run = s
        .lx(&["get", FACT_SHEETS])
        .arg_first("-v")
        .arg_first("--timeout=4")
        .run()
        .ok();
    let took = started.elapsed();
    assert_eq!(run.json()["status"], "OK");
    assert_eq!(s.exchanges(), 2);
    assert!(
        took >= std::time::Duration::from_secs(2) && took < std::time::Duration::from_secs(4),
        "took {took:?}"
    );
    // Half of what was left of the 4 s when the exchange began (a millisecond or so is gone).
    let waited_ms: u64 = run
        .stderr
        .split_once("another process holds ")
        .and_then(|(_, rest)| rest.split_once("waiting up to "))
        .and_then(|(_, rest)| rest.split_once(" ms"))
        .map(|(n, _)| n.parse().unwrap())
        .unwrap_or_else(|| panic!("no waiting line in {}", run.stderr));
    assert!((1900..=2000).contains(&waited_ms), "{}", run.stderr);
    assert!(
        run.stderr.contains("held by another process") && run.stderr.contains("exchanging without"),
        "{}",
        run.stderr
    );
    assert!(file.exists(), "the token was stored without the lock");
    let next = s.lx(&["get", FACT_SHEETS]).run().ok();
    assert_eq!(next.json()["status"], "OK");
    assert_eq!(s.exchanges(), 2);
    drop(holder);
}
