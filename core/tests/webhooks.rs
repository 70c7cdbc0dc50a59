//! PULL webhooks against the sandbox: subscription calls, and the consumer's at-least-once rule
//! (a handler failing on event 7 of 10 re-reads from event 7 after a restart and never skips
//! one), its idle backoff on the client's clock, and cancellation while it waits.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{client_of, client_on, HookedClock};
use futures::future::BoxFuture;
use leanix::{Cancel, Clock, ConsumeError, Consumed, NewSubscription, PayloadMode, SystemClock};
use leanix_sandbox::{Endpoint, Sandbox};
use serde_json::json;

fn sandbox() -> Sandbox {
    Sandbox::builder().fact_sheets(10).start().unwrap()
}

fn tags(sets: &[&[&str]]) -> Vec<Vec<String>> {
    sets.iter()
        .map(|s| s.iter().map(|t| (*t).to_owned()).collect())
        .collect()
}

/// A subscription to the "custom" events.
async fn custom_subscription(client: &leanix::Client) -> leanix::Subscription {
    client
        .webhooks()
        .create(&NewSubscription::new(tags(&[&["custom"]])))
        .await
        .unwrap()
}

/// A sandbox handing out `batch_size` events a fetch, a client of it, a subscription to the
/// "custom" events, and the offsets of ten events emitted to it.
async fn ten_custom_events(
    batch_size: usize,
) -> (Sandbox, leanix::Client, leanix::Subscription, Vec<u64>) {
    let sb = sandbox();
    sb.set_webhook_batch_size(batch_size);
    let (sb, _, client, _) = client_of(sb);
    let sub = custom_subscription(&client).await;
    let offsets = emit_ten(&sb);
    (sb, client, sub, offsets)
}

fn emit_ten(sb: &Sandbox) -> Vec<u64> {
    (0..10)
        .map(|i| sb.emit_webhook_event(&["custom", "TEST"], json!({ "n": i + 1 })))
        .collect()
}

#[tokio::test]
async fn subscriptions_are_created_listed_and_deleted() {
    let (sb, _, client, _) = client_of(sandbox());
    let hooks = client.webhooks();
    let mut spec = NewSubscription::new(tags(&[&["pathfinder", "FACT_SHEET_CREATED"]]));
    spec.identifier = Some("sync".into());
    spec.payload_mode = PayloadMode::WrappedEvent;
    let sub = hooks.create(&spec).await.unwrap();
    assert_eq!(sub.identifier.as_deref(), Some("sync"));
    assert_eq!(sub.raw["payloadMode"], "WRAPPED_EVENT");
    assert_eq!(sub.raw["deliveryType"], "PULL");
    let list = hooks.list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, sub.id);
    assert_eq!(list[0].cursor, sb.webhook_cursor(&sub.id));
    hooks.delete(&sub.id).await.unwrap();
    assert!(hooks.list().await.unwrap().is_empty());
    let err = hooks.fetch(&sub.id).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = hooks.fetch("../x").await.unwrap_err();
    assert_eq!(err.kind(), leanix::ErrorKind::InvalidArgument);
    let err = hooks
        .create(&NewSubscription::new(vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), leanix::ErrorKind::InvalidArgument);
    assert_eq!(sb.stats().requests(Endpoint::Webhooks, 404), 1);
}

/// One run of a consumer of `sub_id` whose handler logs each offset to `seen` and fails, with
/// "event 7 is poison", on the event whose payload `n` is `poison`.
async fn consume_logged(
    hooks: &leanix::Webhooks,
    sub_id: &str,
    seen: &Arc<Mutex<Vec<u64>>>,
    poison: Option<u64>,
) -> Result<Consumed, ConsumeError<&'static str>> {
    hooks
        .consumer(sub_id)
        .for_each_event(|event| {
            let log = Arc::clone(seen);
            async move {
                log.lock().unwrap().push(event.offset);
                if poison.is_some_and(|n| event.payload["n"] == n) {
                    Err("event 7 is poison")
                } else {
                    Ok(())
                }
            }
        })
        .await
}

#[tokio::test]
async fn a_handler_failing_on_event_7_of_10_resumes_from_event_7_and_skips_none() {
    let (sb, client, sub, offsets) = ten_custom_events(4).await;
    let hooks = client.webhooks();

    let seen = Arc::new(Mutex::new(Vec::new()));
    let result = consume_logged(&hooks, &sub.id, &seen, Some(7)).await;
    let Err(ConsumeError::Handler {
        offset,
        error,
        consumed,
    }) = result
    else {
        panic!("expected a handler error, got {result:?}");
    };
    assert_eq!((offset, error), (offsets[6], "event 7 is poison"));
    assert_eq!(consumed.events, 6);
    assert_eq!(consumed.committed, Some(offsets[6]));
    assert_eq!(sb.webhook_cursor(&sub.id), Some(offsets[6]));

    // A restart (a new consumer, nothing stored on the client) resumes from event 7.
    let done = consume_logged(&hooks, &sub.id, &seen, None).await.unwrap();
    assert_eq!(done.events, 4);
    assert_eq!(done.committed, Some(offsets[9] + 1));
    assert!(!done.cancelled);
    let seen = seen.lock().unwrap().clone();
    let mut expected: Vec<u64> = offsets[..7].to_vec();
    expected.extend_from_slice(&offsets[6..]);
    assert_eq!(seen, expected, "event 7 twice, none skipped");
    assert_eq!(sb.webhook_cursor(&sub.id), Some(offsets[9] + 1));
    // The create; run 1: fetch 1-4, commit, fetch 5-8, commit up to 7; run 2: fetch 7-10,
    // commit, an empty fetch.
    assert_eq!(sb.stats().requests(Endpoint::Webhooks, 200), 1 + 4 + 3);
}

#[tokio::test]
async fn a_failed_batch_is_not_committed() {
    let (sb, client, sub, offsets) = ten_custom_events(5).await;
    let hooks = client.webhooks();
    let mut calls = 0;
    let result = hooks
        .consumer(&sub.id)
        .for_each_batch(|batch| {
            calls += 1;
            let fail = calls == 2;
            async move {
                assert_eq!(batch.len(), 5);
                if fail {
                    Err("down")
                } else {
                    Ok(())
                }
            }
        })
        .await;
    match result {
        Err(ConsumeError::Handler {
            offset, consumed, ..
        }) => {
            assert_eq!(offset, offsets[5]);
            assert_eq!(consumed.committed, Some(offsets[5]));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sb.webhook_cursor(&sub.id), Some(offsets[5]));
}

/// A clock whose sleeps never end; it counts them and lets the test wait for one.
#[derive(Clone, Default)]
struct StuckClock {
    sleeps: Arc<AtomicUsize>,
    started: Arc<tokio::sync::Notify>,
}

impl Clock for StuckClock {
    fn now(&self) -> Instant {
        SystemClock.now()
    }
    fn wall(&self) -> SystemTime {
        SystemClock.wall()
    }
    fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> {
        self.sleeps.fetch_add(1, Ordering::SeqCst);
        self.started.notify_one();
        Box::pin(futures::future::pending())
    }
}

#[tokio::test]
async fn cancellation_while_waiting_for_events_ends_the_run_cleanly() {
    let sb = sandbox();
    let clock = StuckClock::default();
    let client = client_on(&sb, clock.clone());
    let sub = custom_subscription(&client).await;
    let cancel = Cancel::new();
    let consumer = client
        .webhooks()
        .cancel_on(&cancel)
        .consumer(&sub.id)
        .follow(true);
    let run = tokio::spawn(async move {
        consumer
            .for_each_event(|_| async { Ok::<(), String>(()) })
            .await
    });
    // Hang guard only: the consumer starts waiting after its first, empty batch.
    tokio::time::timeout(Duration::from_secs(30), clock.started.notified())
        .await
        .expect("the consumer never waited");
    cancel.fire();
    let done = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("the consumer did not stop on cancellation")
        .unwrap()
        .unwrap();
    assert!(done.cancelled);
    assert_eq!((done.events, done.committed), (0, None));
    assert_eq!(clock.sleeps.load(Ordering::SeqCst), 1);
    // One create, one fetch: nothing after the cancellation.
    assert_eq!(sb.stats().requests(Endpoint::Webhooks, 200), 2);
}

/// A manual clock that emits a "custom" event on `sb` at its third sleep and fires `cancel` at
/// its sixth.
fn scripted_clock(sb: &Arc<Sandbox>, cancel: &Cancel) -> HookedClock {
    let (sb, cancel) = (Arc::clone(sb), cancel.clone());
    let count = AtomicUsize::new(0);
    HookedClock::new(move || {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 3 {
            sb.emit_webhook_event(&["custom"], json!({}));
        }
        if n == 6 {
            cancel.fire();
        }
    })
}

/// A sandbox, a client of it on [`scripted_clock`] (firing `cancel` at its sixth sleep), and a
/// subscription to the "custom" events.
async fn on_scripted_clock(
    cancel: &Cancel,
) -> (
    Arc<Sandbox>,
    HookedClock,
    leanix::Client,
    leanix::Subscription,
) {
    let sb = Arc::new(sandbox());
    let clock = scripted_clock(&sb, cancel);
    let client = client_on(&sb, clock.clone());
    let sub = custom_subscription(&client).await;
    (sb, clock, client, sub)
}

#[tokio::test]
async fn following_backs_off_on_the_clock_and_resets_after_events() {
    let cancel = Cancel::new();
    let (_sb, clock, client, sub) = on_scripted_clock(&cancel).await;
    let done = client
        .webhooks()
        .cancel_on(&cancel)
        .consumer(&sub.id)
        .follow(true)
        .for_each_event(|_| async { Ok::<(), String>(()) })
        .await
        .unwrap();
    assert!(done.cancelled);
    assert_eq!(done.events, 1);
    let secs = clock.slept_secs();
    assert_eq!(secs, [1, 2, 4, 1, 2, 4]);
}

#[test]
fn the_blocking_consumer_drains_and_commits() {
    let sb = sandbox();
    sb.set_webhook_batch_size(3);
    let client = leanix::blocking::Client::builder()
        .host(sb.url())
        .api_token(sb.api_token())
        .allow_insecure_loopback(true)
        .build_blocking()
        .unwrap();
    let hooks = client.webhooks();
    let sub = hooks
        .create(&NewSubscription::new(tags(&[&["custom"]])))
        .unwrap();
    let offsets = emit_ten(&sb);
    let mut seen = Vec::new();
    let err = hooks
        .consumer(&sub.id)
        .for_each_event(|e| {
            if e.payload["n"] == 7 {
                return Err("poison");
            }
            seen.push(e.offset);
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, ConsumeError::Handler { offset, .. } if offset == offsets[6]));
    assert_eq!(sb.webhook_cursor(&sub.id), Some(offsets[6]));
    let done = hooks
        .consumer(&sub.id)
        .for_each_batch(|batch| {
            seen.extend(batch.iter().map(|e| e.offset));
            Ok::<(), String>(())
        })
        .unwrap();
    assert_eq!(done.events, 4);
    assert_eq!(seen, offsets);
    assert_eq!(hooks.fetch(&sub.id).unwrap(), vec![]);
}

#[tokio::test]
async fn wait_batch_returns_the_first_non_empty_batch_or_the_cancellation() {
    let (sb, clock, client, sub) = on_scripted_clock(&Cancel::new()).await;
    // The event appears during the third wait (1 s, 2 s, 4 s).
    let batch = client.webhooks().wait_batch(&sub.id).await.unwrap();
    assert_eq!(batch.len(), 1);
    let secs = clock.slept_secs();
    assert_eq!(secs, [1, 2, 4]);
    assert_eq!(
        sb.webhook_cursor(&sub.id),
        Some(batch[0].offset),
        "not committed"
    );

    let fired = Cancel::new();
    fired.fire();
    let err = client
        .webhooks()
        .cancel_on(&fired)
        .wait_batch(&sub.id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), leanix::ErrorKind::Cancelled);
}
