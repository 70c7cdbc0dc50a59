//! Bounded bodies: a 2 GiB body and an endless one fail with `TooLarge` while the process's
//! memory stays within the limit plus a few MiB (measured from /proc, in a test binary of its
//! own with one test, so that no other test's memory is counted).

mod common;

use common::{Reply, TestServer};
use leanix::ErrorKind;

const LIMIT: usize = 64 * 1024 * 1024;
/// Room for the runtime, the connection's buffers and the allocator's slack.
const SLACK_KIB: u64 = 16 * 1024;

/// Peak resident memory of this process so far, in KiB.
fn peak_rss_kib() -> u64 {
    common::proc_status_kib("VmHWM")
}

#[tokio::test]
async fn huge_and_endless_bodies_fail_within_the_limit() {
    let server = TestServer::start();
    let client = server.client(|b| b.max_response_bytes(LIMIT));
    client.get("/warm-up").await.unwrap();
    let before = peak_rss_kib();

    server.script_api(Reply::streamed(Some(2 * 1024 * 1024 * 1024)));
    let err = client.get("/export").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");
    assert!(!err.is_transient());

    server.script_api(Reply::streamed(None));
    let err = client.get("/endless").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge, "{err}");

    let grown = peak_rss_kib().saturating_sub(before);
    eprintln!(
        "peak RSS grew by {grown} KiB for a limit of {} KiB",
        LIMIT / 1024
    );
    assert!(
        grown <= (LIMIT / 1024) as u64 + SLACK_KIB,
        "peak RSS grew by {grown} KiB, more than the limit of {} KiB plus {SLACK_KIB} KiB",
        LIMIT / 1024
    );
    // Each was tried once: a too-large body is not a transient failure.
    assert_eq!(server.api_requests().len(), 3);
}
