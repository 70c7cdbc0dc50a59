//! The token file shared by processes. Each client here stands for a process: clients built
//! separately share nothing in memory, only the directory. Time is a `ManualClock` shared by
//! the clients (the sandbox checks real time, so its tokens stay valid); exchanges are counted
//! by the sandbox.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{
    builder, fingerprint_of, first_token, is_fetched, sandbox_builder, secs, with_events, Events,
    FACT_SHEETS,
};
use leanix::{Client, Event, ManualClock};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

const LIFETIME: f64 = 3599.0;

/// A fresh directory for token files (not yet created: the client makes it 0700), in a
/// temporary directory removed at the end.
fn cache_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("leanix");
    (tmp, dir)
}

/// The opening of most tests here: a sandbox, the manual clock the "processes" share, and
/// the token directory they share (with the temporary directory that holds it).
fn shared_directory() -> (Sandbox, ManualClock, tempfile::TempDir, PathBuf) {
    let (tmp, dir) = cache_dir();
    (Sandbox::start().unwrap(), ManualClock::new(), tmp, dir)
}

/// A client with its token file in `dir`, its events logged.
fn client_in(sb: &Sandbox, clock: &ManualClock, dir: &Path) -> (Client, Events) {
    with_events(sandbox_builder(sb, clock).token_cache_dir(dir))
}

/// A client with its token file in `dir` that has made one call (it holds a token).
async fn called_client_in(sb: &Sandbox, clock: &ManualClock, dir: &Path) -> (Client, Events) {
    let (client, events) = client_in(sb, clock, dir);
    client.get(FACT_SHEETS).await.unwrap();
    (client, events)
}

fn is_loaded(e: &Event) -> bool {
    matches!(e, Event::TokenLoaded { .. })
}

fn loaded_fingerprint(events: &Events) -> Option<String> {
    events.all().iter().find_map(|e| match e {
        Event::TokenLoaded { fingerprint, .. } => Some(fingerprint.clone()),
        _ => None,
    })
}

/// The reasons of the `TokenCacheIgnored` warnings so far.
fn warnings(events: &Events) -> Vec<String> {
    events
        .all()
        .iter()
        .filter_map(|e| match e {
            Event::TokenCacheIgnored { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

fn mode_of(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn file_of(client: &Client) -> PathBuf {
    client.token_cache_file().unwrap().to_owned()
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

/// Replaces the token file with one of this content, mode 0600.
fn write_file(path: &Path, content: &str) {
    fs::write(path, content).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

/// Eight clients starting at once with an empty directory make one exchange: the first holds
/// the lock while its exchange is stalled, the others wait for it and take its token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_starting_together_share_one_exchange() {
    let (sb, clock, _tmp, cache) = shared_directory();
    sb.inject(Endpoint::Token, Fault::Stall(Duration::from_millis(300)), 1);
    let clients: Vec<_> = (0..8).map(|_| client_in(&sb, &clock, &cache)).collect();
    let calls: Vec<_> = clients
        .iter()
        .map(|(c, _)| {
            let c = c.clone();
            tokio::spawn(async move { c.get(FACT_SHEETS).await.map(|r| r.status()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), 200);
    }
    assert_eq!(sb.stats().token_exchanges, 1);
    assert_eq!(sb.stats().token_requests, 1);
    let fetched: usize = clients
        .iter()
        .map(|(_, e)| e.count(is_fetched(false)))
        .sum();
    let loaded: usize = clients.iter().map(|(_, e)| e.count(is_loaded)).sum();
    assert_eq!((fetched, loaded), (1, 7));
    // The directory was made 0700, the file 0600; neither name nor content has the API token.
    assert_eq!(mode_of(&cache), 0o700);
    let file = file_of(&clients[0].0);
    assert_eq!(mode_of(&file), 0o600);
    let content = fs::read_to_string(&file).unwrap();
    assert!(!content.contains(sb.api_token()));
    assert!(!file.to_string_lossy().contains(sb.api_token()));
    for (c, _) in &clients {
        assert_eq!(c.token_cache_file(), Some(file.as_path()));
    }
    // Later clients take the stored token without an exchange.
    for _ in 0..5 {
        let (_c, _) = called_client_in(&sb, &clock, &cache).await;
    }
    assert_eq!(sb.stats().token_exchanges, 1);
}

/// A stored token half-way through its life is used as is; past the refresh point, a new
/// client uses it at once and refreshes it in the background, storing the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_ahead_applies_to_a_stored_token() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (first, mut first_events) = client_in(&sb, &clock, &dir);
    let old = first_token(&first, &mut first_events).await;

    clock.advance(secs(LIFETIME * 0.5));
    let (half, half_events) = client_in(&sb, &clock, &dir);
    for _ in 0..3 {
        half.get(FACT_SHEETS).await.unwrap();
    }
    assert_eq!(
        loaded_fingerprint(&half_events).as_deref(),
        Some(old.as_str())
    );
    assert_eq!(half_events.count(is_fetched(false)), 0);
    assert_eq!(half_events.count(is_fetched(true)), 0);
    assert_eq!(sb.stats().token_exchanges, 1);

    clock.advance(secs(LIFETIME * 0.31)); // 81 %: past any jittered refresh point.
    let (late, mut late_events) = client_in(&sb, &clock, &dir);
    assert_eq!(late.access_token().await.unwrap().fingerprint(), old);
    late.get(FACT_SHEETS).await.unwrap(); // notices the token is due: one background refresh
    let new = fingerprint_of(&late_events.wait_for(is_fetched(true)).await);
    assert_ne!(new, old);
    assert_eq!(late_events.count(is_fetched(false)), 0);
    assert_eq!(sb.stats().token_exchanges, 2);

    // The refreshed token was stored: the half-way client's own refresh takes it instead of
    // exchanging again.
    let (_next, next_events) = called_client_in(&sb, &clock, &dir).await;
    assert_eq!(
        loaded_fingerprint(&next_events).as_deref(),
        Some(new.as_str())
    );
    half.get(FACT_SHEETS).await.unwrap();
    let mut half_events = half_events;
    let taken = half_events
        .wait_for(|e| {
            is_loaded(e)
                && !matches!(e, Event::TokenLoaded { fingerprint, .. } if *fingerprint == old)
        })
        .await;
    assert!(matches!(taken, Event::TokenLoaded { fingerprint, .. } if fingerprint == new));
    assert_eq!(sb.stats().token_exchanges, 2);
}

/// The hard margin holds for a stored token: a minute before expiry (at most 10 % of the
/// lifetime) it is no longer used, and the client exchanges in the foreground.
#[tokio::test]
async fn the_hard_margin_applies_to_a_stored_token() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (first, mut first_events) = client_in(&sb, &clock, &dir);
    let old = first_token(&first, &mut first_events).await;

    clock.advance(secs(LIFETIME - 61.0));
    // Just outside the margin the stored token is still served (this client does not refresh
    // ahead, so that the file keeps the old token for the next step).
    let (before, before_events) = with_events(
        sandbox_builder(&sb, &clock)
            .token_cache_dir(&dir)
            .refresh_on_expiry_only(),
    );
    assert_eq!(before.access_token().await.unwrap().fingerprint(), old);
    assert_eq!(before_events.count(is_fetched(false)), 0);
    assert_eq!(sb.stats().token_exchanges, 1);

    clock.advance(secs(2.0)); // 59 s before expiry: inside the margin.
    let (after, mut after_events) = client_in(&sb, &clock, &dir);
    let token = after.access_token().await.unwrap();
    assert_ne!(token.fingerprint(), old);
    after_events.wait_for(is_fetched(false)).await;
    assert_eq!(after_events.count(is_loaded), 0);
    assert_eq!(sb.stats().token_exchanges, 2);
}

/// The wall clock set back since the file was written: its issue time lies in the future, so
/// it is not trusted. Set forward past the token's expiry: the token counts as expired.
#[tokio::test]
async fn a_clock_jump_makes_the_file_untrusted() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (_first, _) = called_client_in(&sb, &clock, &dir).await;

    clock.jump_wall_back(Duration::from_secs(3600));
    let (_back, back_events) = called_client_in(&sb, &clock, &dir).await;
    assert_eq!(back_events.count(is_fetched(false)), 1);
    assert_eq!(back_events.count(is_loaded), 0);
    let w = warnings(&back_events);
    assert!(
        w.iter().any(|r| r.contains("in the future")),
        "warnings: {w:?}"
    );
    assert_eq!(sb.stats().token_exchanges, 2);

    // The file now holds a token issued on the set-back clock; the clock returns (forward by
    // the same hour) and moves on past that token's life.
    clock.jump_wall_forward(Duration::from_secs(3600 + 3600));
    let (_fwd, fwd_events) = called_client_in(&sb, &clock, &dir).await;
    assert_eq!(fwd_events.count(is_fetched(false)), 1);
    assert_eq!(fwd_events.count(is_loaded), 0);
    assert_eq!(sb.stats().token_exchanges, 3);
}

/// A file claiming a lifetime longer than any token lives is not trusted.
#[tokio::test]
async fn a_lifetime_beyond_the_maximum_is_not_trusted() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (first, _) = client_in(&sb, &clock, &dir);
    let token = first.access_token().await.unwrap();
    let file = file_of(&first);
    let now = millis(leanix::Clock::wall(&clock));
    let max = leanix::policy::MAX_TOKEN_LIFETIME.as_millis() as u64;
    let forged = |lifetime_ms: u64| {
        serde_json::json!({
            "version": leanix::policy::TOKEN_CACHE_FORMAT,
            "origin": first.origin().as_str(),
            "access_token": token.expose_secret(),
            "issued_at_ms": now,
            "expires_at_ms": now + lifetime_ms,
        })
        .to_string()
    };
    write_file(&file, &forged(max + 1000));
    let (_long, long_events) = called_client_in(&sb, &clock, &dir).await;
    assert_eq!(long_events.count(is_loaded), 0);
    assert!(warnings(&long_events)
        .iter()
        .any(|r| r.contains("lifetime")));
    assert_eq!(sb.stats().token_exchanges, 2);

    // The same file with a believable lifetime is taken (the test's forgery is well formed).
    write_file(&file, &forged(max));
    let (_ok, ok_events) = called_client_in(&sb, &clock, &dir).await;
    assert_eq!(ok_events.count(is_loaded), 1);
    assert_eq!(sb.stats().token_exchanges, 2);
}

/// Truncated, garbage, 0644, foreign-owned and symlinked files are ignored (with a warning
/// naming the problem, never the token), and the exchange that follows replaces them with a
/// good 0600 file.
#[tokio::test]
async fn unusable_files_are_ignored_and_replaced() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (first, _) = called_client_in(&sb, &clock, &dir).await;
    let file = file_of(&first);
    let good = fs::read(&file).unwrap();
    let mut exchanges = 1;

    type Spoil = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "truncated",
            Box::new(|p: &Path| {
                let half = fs::read(p).unwrap();
                write_file(p, std::str::from_utf8(&half[..half.len() / 2]).unwrap());
            }),
            "corrupt or truncated",
        ),
        (
            "garbage",
            Box::new(|p: &Path| write_file(p, "\u{1}\u{2} not json")),
            "corrupt or truncated",
        ),
        (
            "empty",
            Box::new(|p: &Path| write_file(p, "")),
            "corrupt or truncated",
        ),
        (
            "0644",
            Box::new(|p: &Path| fs::set_permissions(p, fs::Permissions::from_mode(0o644)).unwrap()),
            "mode 0644",
        ),
        (
            "foreign owner",
            Box::new(|p: &Path| std::os::unix::fs::chown(p, Some(65534), Some(65534)).unwrap()),
            "belongs to user id 65534",
        ),
        (
            "symlink",
            Box::new(|p: &Path| {
                let target = p.with_extension("elsewhere");
                fs::rename(p, &target).unwrap();
                std::os::unix::fs::symlink(&target, p).unwrap();
            }),
            "symbolic link",
        ),
    ];
    let foreign_owner_possible = unsafe { libc::geteuid() } == 0;
    for (name, spoil, expected) in cases {
        if name == "foreign owner" && !foreign_owner_possible {
            eprintln!("skipping the foreign-owner case: chown needs root");
            continue;
        }
        write_file(&file, std::str::from_utf8(&good).unwrap());
        spoil(&file);
        let (c, events) = called_client_in(&sb, &clock, &dir).await;
        exchanges += 1;
        assert_eq!(events.count(is_loaded), 0, "{name}");
        assert_eq!(events.count(is_fetched(false)), 1, "{name}");
        assert_eq!(sb.stats().token_exchanges, exchanges, "{name}");
        let w = warnings(&events);
        assert!(w.iter().any(|r| r.contains(expected)), "{name}: {w:?}");
        let token = c.access_token().await.unwrap();
        for e in events.all() {
            assert!(!format!("{e:?}").contains(token.expose_secret()), "{name}");
        }
        // Replaced by a good file of this user, mode 0600, which the next client takes.
        let meta = fs::symlink_metadata(&file).unwrap();
        assert!(meta.file_type().is_file(), "{name}");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
        let (_next, next_events) = called_client_in(&sb, &clock, &dir).await;
        assert_eq!(next_events.count(is_loaded), 1, "{name}");
        assert_eq!(sb.stats().token_exchanges, exchanges, "{name}");
    }
}

/// A directory others may enter is not used at all: one warning, no file, an exchange per
/// client; a directory the caller gives is created 0700 when missing.
#[tokio::test]
async fn a_loose_directory_is_not_used() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let loose = dir.join("loose");
    fs::create_dir_all(&loose).unwrap();
    fs::set_permissions(&loose, fs::Permissions::from_mode(0o755)).unwrap();
    for n in 1..=3 {
        let (c, events) = called_client_in(&sb, &clock, &loose).await;
        c.get(FACT_SHEETS).await.unwrap();
        assert_eq!(sb.stats().token_exchanges, n);
        let w = warnings(&events);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("mode 0755") && w[0].contains("not used"),
            "{w:?}"
        );
    }
    assert_eq!(fs::read_dir(&loose).unwrap().count(), 0);

    let nested = dir.join("a/b/leanix");
    let (c, events) = called_client_in(&sb, &clock, &nested).await;
    assert_eq!(mode_of(&nested), 0o700);
    assert!(file_of(&c).exists());
    assert!(warnings(&events).is_empty());

    // A 0700 directory of another user (making one needs root).
    if unsafe { libc::geteuid() } == 0 {
        let foreign = dir.join("foreign");
        fs::create_dir(&foreign).unwrap();
        fs::set_permissions(&foreign, fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).unwrap();
        let before = sb.stats().token_exchanges;
        let (_c, events) = called_client_in(&sb, &clock, &foreign).await;
        let w = warnings(&events);
        assert!(
            w.len() == 1 && w[0].contains("belongs to user id 65534"),
            "{w:?}"
        );
        assert_eq!(sb.stats().token_exchanges, before + 1);
        assert_eq!(fs::read_dir(&foreign).unwrap().count(), 0);
    } else {
        eprintln!("skipping the foreign-directory case: chown needs root");
    }
}

/// A token the API rejects with 401 is dropped from the file, but only while the file still
/// holds it: a client that still has the old token in memory finds the new one in the file
/// after its 401 and takes it without exchanging.
#[tokio::test]
async fn a_401_drops_the_token_from_the_file() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (a, mut a_events) = client_in(&sb, &clock, &dir);
    let (b, mut b_events) = client_in(&sb, &clock, &dir);
    a.get(FACT_SHEETS).await.unwrap();
    b.get(FACT_SHEETS).await.unwrap();
    let old = fingerprint_of(&a_events.wait_for(is_fetched(false)).await);
    b_events.wait_for(is_loaded).await;
    assert_eq!(sb.stats().token_exchanges, 1);

    sb.revoke_access_tokens();
    // A new client takes the stored (now revoked) token, gets a 401, drops it from the file
    // and exchanges once.
    let (c, mut c_events) = client_in(&sb, &clock, &dir);
    assert_eq!(c.get(FACT_SHEETS).await.unwrap().status(), 200);
    c_events
        .wait_for(|e| matches!(e, Event::TokenRejected { fingerprint } if *fingerprint == old))
        .await;
    let new = fingerprint_of(&c_events.wait_for(is_fetched(false)).await);
    assert_eq!(sb.stats().token_exchanges, 2);

    // `a` and `b` still hold the old token: each gets a 401, finds the new token in the file
    // (which no longer holds the rejected one, so nothing is removed) and replays with it.
    for (client, events) in [(&a, &mut a_events), (&b, &mut b_events)] {
        assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
        let taken = events
            .wait_for(
                |e| matches!(e, Event::TokenLoaded { fingerprint, .. } if *fingerprint == new),
            )
            .await;
        assert!(is_loaded(&taken));
    }
    assert_eq!(sb.stats().token_exchanges, 2);
    let (_d, d_events) = called_client_in(&sb, &clock, &dir).await;
    assert_eq!(loaded_fingerprint(&d_events).as_deref(), Some(new.as_str()));
    assert_eq!(sb.stats().token_exchanges, 2);
}

/// `forget_token` removes the file and the token in memory: the next call exchanges.
#[tokio::test]
async fn forget_removes_the_file() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (a, _) = called_client_in(&sb, &clock, &dir).await;
    let file = file_of(&a);
    let lock = file.with_extension("lock");
    assert!(file.exists() && lock.exists());
    assert!(a.forget_token().await.unwrap());
    assert!(!file.exists());
    assert!(
        !lock.exists(),
        "no process holds the lock: its file goes too"
    );
    assert!(!a.forget_token().await.unwrap(), "nothing left to remove");
    a.get(FACT_SHEETS).await.unwrap();
    assert_eq!(sb.stats().token_exchanges, 2);
    assert!(file.exists());

    // Without a token cache, forgetting drops the token in memory only.
    let plain = builder(sb.url(), sb.api_token(), &clock).build().unwrap();
    assert_eq!(plain.token_cache_file(), None);
    plain.get(FACT_SHEETS).await.unwrap();
    assert!(!plain.forget_token().await.unwrap());
    plain.get(FACT_SHEETS).await.unwrap();
    assert_eq!(sb.stats().token_exchanges, 4);
}

/// Off by default: a client without the option writes nothing and exchanges on its own.
#[tokio::test]
async fn off_by_default() {
    let sb = Sandbox::start().unwrap();
    let clock = ManualClock::new();
    for n in 1..=2 {
        let c = builder(sb.url(), sb.api_token(), &clock).build().unwrap();
        assert_eq!(c.token_cache_file(), None);
        c.get(FACT_SHEETS).await.unwrap();
        assert_eq!(sb.stats().token_exchanges, n);
    }
    let err = builder(sb.url(), sb.api_token(), &clock)
        .token_cache_dir("")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), leanix::ErrorKind::Config);
    assert!(err.message().contains("token cache directory"), "{err}");
}

/// Holds the lock of the token file `file` as another process would (an exclusive `flock` on
/// `token-<key>.lock` through an open file of its own) until dropped.
struct HeldLock {
    _file: fs::File,
}

fn hold_lock(file: &Path) -> HeldLock {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    use std::os::unix::io::AsRawFd;
    let dir = file.parent().unwrap();
    if !dir.exists() {
        fs::DirBuilder::new().mode(0o700).create(dir).unwrap();
    }
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(file.with_extension("lock"))
        .unwrap();
    // SAFETY: the descriptor belongs to `lock`, open for the call.
    let rc = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    assert_eq!(rc, 0, "the test could not take the lock");
    HeldLock { _file: lock }
}

fn waits(events: &Events) -> Vec<Duration> {
    events
        .all()
        .iter()
        .filter_map(|e| match e {
            Event::TokenCacheWaiting { wait, .. } => Some(*wait),
            _ => None,
        })
        .collect()
}

/// With another process holding the lock (and never storing a token), a call waits half its
/// remaining deadline, not the 45 s of `policy::TOKEN_CACHE_LOCK_WAIT`, then exchanges once
/// without the lock and stores the token as usual; it says so in an event before it waits.
#[tokio::test]
async fn a_held_lock_costs_at_most_half_the_deadline() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (client, events) = client_in(&sb, &clock, &dir);
    let file = file_of(&client);
    let held = hold_lock(&file);

    let deadline = Duration::from_secs(2);
    let started = std::time::Instant::now();
    let response = client
        .send(leanix::Request::get(FACT_SHEETS).timeout(deadline))
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(response.status(), 200);
    assert_eq!(sb.stats().token_exchanges, 1);
    assert_eq!(events.count(is_fetched(false)), 1);
    assert_eq!(waits(&events), [deadline / 2]);
    assert!(
        took >= deadline / 2 && took < deadline,
        "the call took {took:?}"
    );
    let warned = warnings(&events);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("held by another process") && warned[0].contains("exchanging without"),
        "{warned:?}"
    );
    // The token was stored (atomically, without the lock): a later client takes it.
    assert_eq!(mode_of(&file), 0o600);
    drop(held);
    let (_later, later_events) = called_client_in(&sb, &clock, &dir).await;
    assert_eq!(later_events.count(is_loaded), 1);
    assert!(waits(&later_events).is_empty());
    assert_eq!(sb.stats().token_exchanges, 1);
}

/// A process that stores its token while another waits for the lock ends the wait: the waiter
/// takes that token (no exchange of its own), long before its bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_takes_the_token_the_lock_holder_stores() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (first, _) = called_client_in(&sb, &clock, &dir).await;
    let file = file_of(&first);
    let stored = fs::read(&file).unwrap();
    fs::remove_file(&file).unwrap();
    assert_eq!(sb.stats().token_exchanges, 1);

    // "Another process" takes the lock, exchanges (the token above) and stores it.
    let held = hold_lock(&file);
    let (waiter, mut waiter_events) = client_in(&sb, &clock, &dir);
    let started = std::time::Instant::now();
    let call = tokio::spawn(async move {
        waiter
            .send(leanix::Request::get(FACT_SHEETS).timeout(Duration::from_secs(20)))
            .await
            .map(|r| r.status())
    });
    let waiting = waiter_events
        .wait_for(|e| matches!(e, Event::TokenCacheWaiting { .. }))
        .await;
    assert!(
        matches!(&waiting, Event::TokenCacheWaiting { path, wait }
            if *path == file.with_extension("lock") && *wait == Duration::from_secs(10)),
        "{waiting:?}"
    );
    fs::write(&file, &stored).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    drop(held);

    assert_eq!(call.await.unwrap().unwrap(), 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(waiter_events.count(is_loaded), 1);
    assert_eq!(waiter_events.count(is_fetched(false)), 0);
    assert!(warnings(&waiter_events).is_empty());
    assert_eq!(sb.stats().token_exchanges, 1);
}

/// A temporary file left by a process killed between writing and renaming it is removed by the
/// next write of that key once it is a minute old (by mtime); a younger one (a process may be
/// writing it now) and those of other keys stay.
#[tokio::test]
async fn stale_temporary_files_are_removed_on_write() {
    let (sb, clock, _tmp, dir) = shared_directory();
    let (client, _) = client_in(&sb, &clock, &dir);
    let file = file_of(&client);
    let key = file
        .file_stem()
        .unwrap()
        .to_str()
        .unwrap()
        .strip_prefix("token-")
        .unwrap()
        .to_owned();
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let make = |name: String, age: Duration| {
        let path = dir.join(name);
        let f = fs::File::create(&path).unwrap();
        f.set_modified(SystemTime::now() - age).unwrap();
        path
    };
    let stale = make(format!(".token-{key}.4242.0.tmp"), secs(61.0));
    let young = make(format!(".token-{key}.4242.1.tmp"), secs(30.0));
    let other = make(
        ".token-0123456789abcdef0123456789abcdef.4242.0.tmp".into(),
        secs(3600.0),
    );

    client.get(FACT_SHEETS).await.unwrap();
    assert!(file.exists());
    assert!(!stale.exists());
    assert!(young.exists());
    assert!(other.exists());
    let mut left: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    left.sort();
    assert_eq!(left.len(), 2, "{left:?}");
}
