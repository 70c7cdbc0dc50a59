//! PULL webhooks: subscriptions (`/services/webhooks/v1/subscriptions`), event batches, the
//! cursor, and a consumer that delivers every event at least once.
//!
//! LeanIX keeps the events of a PULL subscription for 30 days. `GET .../events` returns a batch
//! from the subscription's cursor; `PUT .../cursor {"offset": N}` moves the cursor to `N`, the
//! offset of the next event to deliver (the last processed event's offset plus one), and it
//! cannot go back. The [`Consumer`] commits only after its handler succeeded, so a crash or a
//! failing handler means the events since the last commit come again (at least once); it
//! stores nothing itself and resumes from the server's cursor.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use serde_json::{json, Value};

use crate::call_limits::call_group;
use crate::cancel::Cancel;
use crate::error::{Error, ErrorKind};
use crate::policy;
use crate::request::{Request, Response};
use crate::Client;

/// The path of the subscriptions collection.
pub const WEBHOOKS_PATH: &str = "/services/webhooks/v1/subscriptions";

/// How the payload of a subscription's events is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadMode {
    /// The event itself (`DEFAULT`).
    #[default]
    Default,
    /// The event wrapped with its subscription and tags (`WRAPPED_EVENT`).
    WrappedEvent,
}

impl PayloadMode {
    /// The API's name of the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadMode::Default => "DEFAULT",
            PayloadMode::WrappedEvent => "WRAPPED_EVENT",
        }
    }

    /// The mode named `s` (`DEFAULT`, `WRAPPED_EVENT`, case-insensitive).
    pub fn parse(s: &str) -> Option<PayloadMode> {
        match s.to_ascii_uppercase().as_str() {
            "DEFAULT" => Some(PayloadMode::Default),
            "WRAPPED_EVENT" => Some(PayloadMode::WrappedEvent),
            _ => None,
        }
    }
}

/// A PULL subscription to create.
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    /// A name for it (`identifier`).
    pub identifier: Option<String>,
    /// The tag sets it matches, e.g. `[["pathfinder", "FACT_SHEET_CREATED"]]`; at least one.
    pub tag_sets: Vec<Vec<String>>,
    /// The workspace (default: the token's).
    pub workspace_id: Option<String>,
    /// The workspace constraint (default `ANY`).
    pub workspace_constraint: Option<String>,
    /// The payload mode.
    pub payload_mode: PayloadMode,
}

impl NewSubscription {
    /// A subscription to these tag sets.
    pub fn new(tag_sets: Vec<Vec<String>>) -> Self {
        NewSubscription {
            tag_sets,
            ..Default::default()
        }
    }

    /// The request body; `Err` names what is wrong.
    pub fn to_json(&self) -> Result<Value, Error> {
        if self.tag_sets.is_empty()
            || self
                .tag_sets
                .iter()
                .any(|s| s.is_empty() || s.iter().any(|t| t.trim().is_empty()))
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a subscription needs at least one tag set, each with at least one non-empty tag",
            ));
        }
        let mut body = json!({
            "deliveryType": "PULL",
            "tagSets": self.tag_sets,
            "workspaceConstraint": self.workspace_constraint.as_deref().unwrap_or("ANY"),
            "payloadMode": self.payload_mode.as_str(),
            "active": true,
        });
        if let Some(id) = &self.identifier {
            body["identifier"] = id.clone().into();
        }
        if let Some(ws) = &self.workspace_id {
            body["workspaceId"] = ws.clone().into();
        }
        Ok(body)
    }
}

/// A subscription as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// Its id.
    pub id: String,
    /// Its `identifier`, if any.
    pub identifier: Option<String>,
    /// Its cursor (the next offset it will deliver), when the server reports it.
    pub cursor: Option<u64>,
    /// The whole object.
    pub raw: Value,
}

impl Subscription {
    fn from_json(v: &Value) -> Result<Subscription, Error> {
        let id = v["id"]
            .as_str()
            .ok_or_else(|| invalid("a subscription without an \"id\""))?;
        Ok(Subscription {
            id: id.to_owned(),
            identifier: v["identifier"].as_str().map(str::to_owned),
            cursor: v["cursor"]["offset"].as_u64(),
            raw: v.clone(),
        })
    }
}

/// One event of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// Its offset; commit `offset + 1` once it is processed.
    pub offset: u64,
    /// Its tags, e.g. `["pathfinder", "FACT_SHEET_UPDATED", "Application"]`.
    pub tag_set: Vec<String>,
    /// Its payload.
    pub payload: Value,
    /// The whole object as the server sent it.
    pub raw: Value,
}

impl WebhookEvent {
    fn from_json(v: &Value) -> Result<WebhookEvent, Error> {
        let offset = v["offset"]
            .as_u64()
            .ok_or_else(|| invalid("an event without a numeric \"offset\""))?;
        let tag_set = v["tagSet"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(WebhookEvent {
            offset,
            tag_set,
            payload: v.get("payload").cloned().unwrap_or(Value::Null),
            raw: v.clone(),
        })
    }
}

fn invalid(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        format!("the webhooks API answered {what}"),
    )
}

/// The `data` of an `{"status":..,"data":..}` envelope.
fn data(response: &Response) -> Result<Value, Error> {
    let mut body: Value = response.json()?;
    match body.get_mut("data") {
        Some(d) => Ok(d.take()),
        None => Err(invalid("a body without \"data\"")),
    }
}

/// Parses a batch (`data` of `GET .../events`): events in increasing offset order.
pub fn parse_batch(data: &Value) -> Result<Vec<WebhookEvent>, Error> {
    let items = data
        .as_array()
        .ok_or_else(|| invalid("a batch that is not an array"))?;
    let events: Vec<WebhookEvent> = items
        .iter()
        .map(WebhookEvent::from_json)
        .collect::<Result<_, _>>()?;
    if events.windows(2).any(|w| w[1].offset <= w[0].offset) {
        return Err(invalid("a batch whose offsets do not increase"));
    }
    Ok(events)
}

fn wait_cancelled(id: &str) -> Error {
    Error::new(
        ErrorKind::Cancelled,
        format!("waiting for events of subscription {id} was cancelled"),
    )
}

fn check_id(id: &str) -> Result<&str, Error> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "a subscription id is letters, digits, '-' and '_' only",
        ));
    }
    Ok(id)
}

call_group! {
    /// The webhooks API of a client, with per-call options for every request it sends.
    pub struct Webhooks of Client;
    /// The PULL webhooks API of this client.
    fn webhooks;
    /// The deadline of each request (default the client's request timeout).
    timeout;
    /// Ends every request, and a [`Consumer`]'s wait, when `cancel` fires.
    cancel_on;
}

impl Webhooks {
    fn request(&self, request: Request) -> Request {
        request.within(self.timeout, self.cancel.as_ref())
    }

    /// Creates a PULL subscription.
    pub async fn create(&self, spec: &NewSubscription) -> Result<Subscription, Error> {
        let body = spec.to_json()?;
        let response = self
            .client
            .send(self.request(Request::post(WEBHOOKS_PATH).json(&body)))
            .await?;
        Subscription::from_json(&data(&response)?)
    }

    /// Every subscription of the workspace.
    pub async fn list(&self) -> Result<Vec<Subscription>, Error> {
        let response = self
            .client
            .send(self.request(Request::get(WEBHOOKS_PATH)))
            .await?;
        match data(&response)? {
            Value::Array(items) => items.iter().map(Subscription::from_json).collect(),
            _ => Err(invalid("a subscription list that is not an array")),
        }
    }

    /// Deletes a subscription.
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        let path = format!("{WEBHOOKS_PATH}/{}", check_id(id)?);
        self.client
            .send(self.request(Request::new("DELETE", path)))
            .await?;
        Ok(())
    }

    /// The next batch of a subscription from its cursor (the cursor does not move).
    pub async fn fetch(&self, id: &str) -> Result<Vec<WebhookEvent>, Error> {
        let path = format!("{WEBHOOKS_PATH}/{}/events", check_id(id)?);
        let response = self.client.send(self.request(Request::get(path))).await?;
        parse_batch(&data(&response)?)
    }

    /// Moves a subscription's cursor to `next_offset` (the last processed offset plus one).
    pub async fn commit(&self, id: &str, next_offset: u64) -> Result<(), Error> {
        let path = format!("{WEBHOOKS_PATH}/{}/cursor", check_id(id)?);
        let request = Request::new("PUT", path).json(&json!({ "offset": next_offset }));
        self.client.send(self.request(request)).await?;
        Ok(())
    }

    /// The next non-empty batch of a subscription, waiting for one as a following
    /// [`Consumer`] does (backing off from [`policy::DEFAULT_WEBHOOK_IDLE_MIN`] to
    /// [`policy::DEFAULT_WEBHOOK_IDLE_MAX`] on the client's clock). The cursor does not move.
    /// A fired cancel handle ends the wait with [`ErrorKind::Cancelled`].
    pub async fn wait_batch(&self, id: &str) -> Result<Vec<WebhookEvent>, Error> {
        wait_batch(&self.consumer(id).follow(true)).await
    }

    /// A consumer of subscription `id` (see [`Consumer`]).
    pub fn consumer(&self, id: &str) -> Consumer {
        Consumer {
            hooks: self.clone(),
            feed: Feed::new(id, self.cancel.as_ref()),
        }
    }
}

/// What a consumer run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consumed {
    /// Events handled successfully.
    pub events: u64,
    /// Batches fetched with at least one event.
    pub batches: u64,
    /// The last offset committed (the next one to deliver), if any commit happened.
    pub committed: Option<u64>,
    /// True when the run ended because its cancel handle fired.
    pub cancelled: bool,
}

/// Why a consumer run failed.
#[derive(Debug)]
pub enum ConsumeError<E> {
    /// The handler failed on the event at `offset` (per batch: the batch's first offset);
    /// everything before it was committed, and it comes again in the next run.
    Handler {
        /// The offset of the event that failed.
        offset: u64,
        /// The handler's error.
        error: E,
        /// What the run did before.
        consumed: Consumed,
    },
    /// A request failed (after the client's retries).
    Client(Error),
}

impl<E: fmt::Display> fmt::Display for ConsumeError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConsumeError::Handler { offset, error, .. } => {
                write!(
                    f,
                    "the handler failed on the event at offset {offset}: {error}"
                )
            }
            ConsumeError::Client(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for ConsumeError<E> {}

impl<E> From<Error> for ConsumeError<E> {
    fn from(e: Error) -> Self {
        ConsumeError::Client(e)
    }
}

/// Consumes a PULL subscription at least once: fetches a batch from the server's cursor, runs
/// the handler per event or per batch, and commits only what the handler finished. A handler
/// error commits the events before it and ends the run; the failed event comes again in the
/// next run. With [`follow`](Consumer::follow), an empty batch means waiting (backing off from
/// [`policy::DEFAULT_WEBHOOK_IDLE_MIN`] to [`policy::DEFAULT_WEBHOOK_IDLE_MAX`] on the client's
/// clock) and fetching again; without it, the run ends. The cancel handle of the
/// [`Webhooks`] ends the run cleanly, also while it waits ([`Consumed::cancelled`]).
#[derive(Clone, Debug)]
pub struct Consumer {
    hooks: Webhooks,
    feed: Feed,
}

/// What a consumer run follows, the same for a [`Consumer`] and a [`blocking::Consumer`]: the
/// subscription, whether an empty batch means waiting, the bounds of the idle waits, and the
/// cancel handle of the webhooks API that made the consumer.
#[derive(Clone, Debug)]
struct Feed {
    id: String,
    follow: bool,
    idle_min: Duration,
    idle_max: Duration,
    cancel: Option<Cancel>,
}

impl Feed {
    fn new(id: &str, cancel: Option<&Cancel>) -> Self {
        Feed {
            id: id.to_owned(),
            follow: false,
            idle_min: policy::DEFAULT_WEBHOOK_IDLE_MIN,
            idle_max: policy::DEFAULT_WEBHOOK_IDLE_MAX,
            cancel: cancel.cloned(),
        }
    }

    /// Whether the cancel handle fired.
    fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(Cancel::is_fired)
    }
}

/// Waits for `sleep`, or until `cancel` fires.
async fn sleep_or_cancel(sleep: impl Future<Output = ()>, cancel: Option<&Cancel>) -> Waited {
    match cancel {
        None => {
            sleep.await;
            Waited::Elapsed
        }
        Some(cancel) => tokio::select! {
            biased;
            _ = cancel.fired() => Waited::Cancelled,
            _ = sleep => Waited::Elapsed,
        },
    }
}

/// Writes the settings a [`Consumer`] and a [`blocking::Consumer`] share (both with the field
/// `feed`): `follow` and `idle_backoff`.
macro_rules! consumer_settings {
    () => {
        /// Waits for more events when a batch is empty instead of ending (default false).
        pub fn follow(mut self, follow: bool) -> Self {
            self.feed.follow = follow;
            self
        }

        /// The idle waits: from `min`, doubling up to `max`, back to `min` after events.
        pub fn idle_backoff(mut self, min: Duration, max: Duration) -> Self {
            self.feed.idle_min = min.max(Duration::from_millis(1));
            self.feed.idle_max = max.max(self.feed.idle_min);
            self
        }
    };
}

/// The outcome of one idle wait.
enum Waited {
    Elapsed,
    Cancelled,
}

/// The steps of a consumer run that differ between a [`Consumer`] and a
/// [`blocking::Consumer`]; the run itself ([`next_batch`], [`each_event`], [`each_batch`]) is
/// written once over them. The blocking consumer's steps block, so its run never waits on a
/// waker (see [`blocking::drive`]).
trait Steps {
    /// What the run follows.
    fn feed(&self) -> &Feed;
    /// The next batch from the subscription's cursor.
    async fn fetch(&self) -> Result<Vec<WebhookEvent>, Error>;
    /// Waits `delay` on the client's clock, or until the cancel handle fires.
    async fn idle(&self, delay: Duration) -> Result<Waited, Error>;
    /// Moves the cursor to `next`. Committing is not cancelled: what the handler finished is
    /// recorded.
    async fn commit(&self, next: u64) -> Result<(), Error>;
}

impl Steps for Consumer {
    fn feed(&self) -> &Feed {
        &self.feed
    }

    async fn fetch(&self) -> Result<Vec<WebhookEvent>, Error> {
        self.hooks.fetch(&self.feed.id).await
    }

    async fn idle(&self, delay: Duration) -> Result<Waited, Error> {
        let sleep = self.hooks.client.clock().sleep(delay);
        Ok(sleep_or_cancel(sleep, self.feed.cancel.as_ref()).await)
    }

    async fn commit(&self, next: u64) -> Result<(), Error> {
        let uncancelled = Webhooks {
            cancel: None,
            ..self.hooks.clone()
        };
        uncancelled.commit(&self.feed.id, next).await
    }
}

/// Fetches the next non-empty batch; `None` when the run ends (no follow, or cancelled).
async fn next_batch(
    steps: &impl Steps,
    idle: &mut Duration,
    done: &mut Consumed,
) -> Result<Option<Vec<WebhookEvent>>, Error> {
    let feed = steps.feed();
    loop {
        if feed.is_cancelled() {
            done.cancelled = true;
            return Ok(None);
        }
        let batch = match steps.fetch().await {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Cancelled && feed.is_cancelled() => {
                done.cancelled = true;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if !batch.is_empty() {
            *idle = feed.idle_min;
            done.batches += 1;
            return Ok(Some(batch));
        }
        if !feed.follow {
            return Ok(None);
        }
        if let Waited::Cancelled = steps.idle(*idle).await? {
            done.cancelled = true;
            return Ok(None);
        }
        *idle = (*idle * 2).min(feed.idle_max);
    }
}

/// The next non-empty batch of a following run (see [`Webhooks::wait_batch`]).
async fn wait_batch(steps: &impl Steps) -> Result<Vec<WebhookEvent>, Error> {
    let mut idle = steps.feed().idle_min;
    let mut done = Consumed::default();
    match next_batch(steps, &mut idle, &mut done).await? {
        Some(batch) => Ok(batch),
        None => Err(wait_cancelled(&steps.feed().id)),
    }
}

/// Commits `next` and records it in `done`.
async fn commit(steps: &impl Steps, next: u64, done: &mut Consumed) -> Result<(), Error> {
    steps.commit(next).await?;
    done.committed = Some(next);
    Ok(())
}

/// Runs `handler` on every event (see [`Consumer::for_each_event`]).
async fn each_event<F, Fut, E>(
    steps: &impl Steps,
    mut handler: F,
) -> Result<Consumed, ConsumeError<E>>
where
    F: FnMut(WebhookEvent) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let mut done = Consumed::default();
    let mut idle = steps.feed().idle_min;
    while let Some(batch) = next_batch(steps, &mut idle, &mut done).await? {
        let mut next = None;
        for event in batch {
            let offset = event.offset;
            if steps.feed().is_cancelled() {
                done.cancelled = true;
                break;
            }
            if let Err(error) = handler(event).await {
                if let Some(n) = next {
                    commit(steps, n, &mut done).await?;
                }
                return Err(ConsumeError::Handler {
                    offset,
                    error,
                    consumed: done,
                });
            }
            done.events += 1;
            next = Some(offset + 1);
        }
        if let Some(n) = next {
            commit(steps, n, &mut done).await?;
        }
        if done.cancelled {
            break;
        }
    }
    Ok(done)
}

/// Runs `handler` on every batch (see [`Consumer::for_each_batch`]).
async fn each_batch<F, Fut, E>(
    steps: &impl Steps,
    mut handler: F,
) -> Result<Consumed, ConsumeError<E>>
where
    F: FnMut(Vec<WebhookEvent>) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let mut done = Consumed::default();
    let mut idle = steps.feed().idle_min;
    while let Some(batch) = next_batch(steps, &mut idle, &mut done).await? {
        let first = batch[0].offset;
        let last = batch[batch.len() - 1].offset;
        let n = batch.len() as u64;
        if let Err(error) = handler(batch).await {
            return Err(ConsumeError::Handler {
                offset: first,
                error,
                consumed: done,
            });
        }
        done.events += n;
        commit(steps, last + 1, &mut done).await?;
    }
    Ok(done)
}

impl Consumer {
    consumer_settings!();

    /// Runs `handler` on every event, in offset order; commits after each batch (and before
    /// returning a handler error, up to the failed event).
    pub async fn for_each_event<F, Fut, E>(&self, handler: F) -> Result<Consumed, ConsumeError<E>>
    where
        F: FnMut(WebhookEvent) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        each_event(self, handler).await
    }

    /// Runs `handler` on every batch; commits past the batch when it succeeds.
    pub async fn for_each_batch<F, Fut, E>(&self, handler: F) -> Result<Consumed, ConsumeError<E>>
    where
        F: FnMut(Vec<WebhookEvent>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        each_batch(self, handler).await
    }
}

/// The blocking flavour: the same calls, and a consumer whose handler is a plain closure run on
/// the calling thread.
pub mod blocking {
    use std::future::{ready, Future};
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use super::{
        ConsumeError, Consumed, Feed, NewSubscription, Steps, Subscription, Waited, WebhookEvent,
    };
    use crate::call_limits::call_group;
    use crate::error::Error;

    call_group! {
        /// The PULL webhooks API of a [`crate::blocking::Client`].
        pub struct Webhooks of crate::blocking::Client;
        /// The PULL webhooks API of this client.
        fn webhooks;
        /// The deadline of each request (default the client's request timeout).
        timeout;
        /// Ends every request, and a [`Consumer`]'s wait, when `cancel` fires.
        cancel_on;
        twin super::Webhooks;
    }

    impl Webhooks {
        /// Creates a PULL subscription.
        pub fn create(&self, spec: &NewSubscription) -> Result<Subscription, Error> {
            let spec = spec.clone();
            self.run(|w| async move { w.create(&spec).await })
        }

        /// Every subscription of the workspace.
        pub fn list(&self) -> Result<Vec<Subscription>, Error> {
            self.run(|w| async move { w.list().await })
        }

        /// Deletes a subscription.
        pub fn delete(&self, id: &str) -> Result<(), Error> {
            let id = id.to_owned();
            self.run(|w| async move { w.delete(&id).await })
        }

        /// The next batch of a subscription from its cursor (the cursor does not move).
        pub fn fetch(&self, id: &str) -> Result<Vec<WebhookEvent>, Error> {
            let id = id.to_owned();
            self.run(|w| async move { w.fetch(&id).await })
        }

        /// Moves a subscription's cursor to `next_offset` (the last processed offset plus one).
        pub fn commit(&self, id: &str, next_offset: u64) -> Result<(), Error> {
            let id = id.to_owned();
            self.run(move |w| async move { w.commit(&id, next_offset).await })
        }

        /// The next non-empty batch, waiting for one (see [`super::Webhooks::wait_batch`]).
        pub fn wait_batch(&self, id: &str) -> Result<Vec<WebhookEvent>, Error> {
            drive(super::wait_batch(&self.consumer(id).follow(true)))
        }

        /// A consumer of subscription `id` (see [`super::Consumer`] for the rules).
        pub fn consumer(&self, id: &str) -> Consumer {
            Consumer {
                hooks: self.clone(),
                feed: Feed::new(id, self.cancel.as_ref()),
            }
        }
    }

    /// The blocking [`super::Consumer`]: the same rules, the handler on the calling thread.
    #[derive(Clone, Debug)]
    pub struct Consumer {
        hooks: Webhooks,
        feed: Feed,
    }

    impl Steps for Consumer {
        fn feed(&self) -> &Feed {
            &self.feed
        }

        async fn fetch(&self) -> Result<Vec<WebhookEvent>, Error> {
            self.hooks.fetch(&self.feed.id)
        }

        async fn idle(&self, delay: Duration) -> Result<Waited, Error> {
            let cancel = self.feed.cancel.clone();
            self.hooks.client.run_async(move |c| async move {
                Ok(super::sleep_or_cancel(c.clock().sleep(delay), cancel.as_ref()).await)
            })
        }

        async fn commit(&self, next: u64) -> Result<(), Error> {
            let uncancelled = Webhooks {
                cancel: None,
                ..self.hooks.clone()
            };
            uncancelled.commit(&self.feed.id, next)
        }
    }

    /// Drives a blocking consumer's run on the calling thread. Its steps block instead of
    /// waiting on a waker and its handler's futures are ready, so one poll finishes it.
    fn drive<T>(run: impl Future<Output = T>) -> T {
        match pin!(run).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(out) => out,
            Poll::Pending => unreachable!("the steps of a blocking consumer never wait"),
        }
    }

    impl Consumer {
        consumer_settings!();

        /// Runs `handler` on every event, in offset order; commits after each batch (and
        /// before returning a handler error, up to the failed event).
        pub fn for_each_event<E>(
            &self,
            mut handler: impl FnMut(&WebhookEvent) -> Result<(), E>,
        ) -> Result<Consumed, ConsumeError<E>> {
            drive(super::each_event(self, |event| ready(handler(&event))))
        }

        /// Runs `handler` on every batch; commits past the batch when it succeeds.
        pub fn for_each_batch<E>(
            &self,
            mut handler: impl FnMut(&[WebhookEvent]) -> Result<(), E>,
        ) -> Result<Consumed, ConsumeError<E>> {
            drive(super::each_batch(self, |batch| ready(handler(&batch))))
        }
    }
}
