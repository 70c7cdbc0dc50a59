//! The blocking client: the same operations without `async`, for threads, the C ABI and the CLI.
//!
//! A call drives its request on the calling thread, on a small runtime of that thread's own with
//! its own connection pool, so no hand-off between threads slows it down. Token exchanges run on
//! one process-wide runtime, so that a refresh progresses whichever thread waits for it. Called
//! from inside another tokio runtime, a call is handed to the process-wide runtime instead and
//! the thread waits on a plain channel. [`Client::start`] runs a call on the shared runtime
//! and hands its result to a completion closure instead of waiting.
//!
//! A client created before `fork()` refuses to work in the child ([`ErrorKind::Forked`]);
//! create a new one there. A blocking call from inside a library callback (an event handler,
//! a completion) is refused with [`ErrorKind::RecursiveCall`] instead of waiting for itself.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use serde_json::Value;
use tokio::runtime::Runtime;
use tokio::sync::watch;

use crate::claims::Claims;
use crate::config::ClientBuilder;
use crate::error::{Error, ErrorKind};
use crate::graphql::GraphQlRequest;
use crate::integration::{RunOptions, RunProgress, RunResult, RunWarning};
use crate::origin::Origin;
use crate::request::{Request, Response};
use crate::runtime::{self, runtime, Driven};
use crate::secret::AccessToken;
pub use crate::webhooks::blocking::{Consumer as WebhookConsumer, Webhooks};
use crate::writes::{Patch, UpdateOptions};

/// True while the current thread runs a library callback (an event handler or a completion):
/// a blocking call from there is refused, and whoever would wait for callbacks to finish must
/// not wait for the one it is inside.
pub fn in_callback() -> bool {
    runtime::in_callback()
}

/// A blocking LeanIX client. Thread-safe: share one (or clones of it) between threads.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
    pid: u32,
    closed: Arc<watch::Sender<bool>>,
}

impl Client {
    /// A builder with the defaults; finish with [`ClientBuilder::build_blocking`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client for `LEANIX_HOST` with `LEANIX_API_TOKEN`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env().build_blocking()
    }

    /// The normalised LeanIX origin.
    pub fn origin(&self) -> &Origin {
        self.inner.origin()
    }

    /// The asynchronous client behind this one.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// The error of a client used in a child process, or of a call from inside a library
    /// callback; `None` if the call may go ahead.
    fn refusal(&self) -> Option<Error> {
        if std::process::id() != self.pid {
            return Some(forked_error());
        }
        if runtime::in_callback() {
            return Some(Error::new(
                ErrorKind::RecursiveCall,
                "a blocking leanix call was made from inside a leanix callback, where it would wait for itself; make it from another thread, or start it asynchronously",
            ));
        }
        None
    }

    /// The future of a call, ending early with [`ErrorKind::Cancelled`] when the client is
    /// closed.
    fn closable<T, F>(
        &self,
        make: impl FnOnce(crate::Client) -> F,
    ) -> Result<impl Future<Output = Result<T, Error>> + Send + 'static, Error>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let mut closed = self.closed.subscribe();
        if *closed.borrow() {
            return Err(closed_error());
        }
        let fut = make(self.inner.clone());
        Ok(async move {
            tokio::select! {
                r = fut => r,
                _ = closed.wait_for(|c| *c) => Err(closed_error()),
            }
        })
    }

    /// Runs a future of the async client and waits for it: on this thread's own runtime, or,
    /// from inside another runtime, on the shared one while this thread waits on a channel.
    fn run<T, F>(&self, make: impl FnOnce(crate::Client) -> F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        if let Some(refused) = self.refusal() {
            return Err(refused);
        }
        let call = self.closable(make)?;
        let call = match runtime::block_on_here(call) {
            Driven::Done(result) => {
                if result.is_err() {
                    runtime::settle_here();
                }
                return result;
            }
            Driven::Failed(error) => return Err(error),
            Driven::NotHere(call) => call,
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(call.await);
        });
        rx.recv().unwrap_or_else(|_| Err(runtime_gone()))
    }

    /// Starts a future of the async client on the shared runtime and returns at once; `done`
    /// gets the result on a runtime thread, exactly once (with [`ErrorKind::Cancelled`] if the
    /// client is closed first), inside a callback scope (blocking calls from it are refused).
    /// A call that cannot start (the client is closed, or was made before `fork()`) returns
    /// its error here and `done` is never called.
    pub fn start<T, F>(
        &self,
        make: impl FnOnce(crate::Client) -> F,
        done: impl FnOnce(Result<T, Error>) + Send + 'static,
    ) -> Result<(), Error>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        if std::process::id() != self.pid {
            return Err(forked_error());
        }
        let call = self.closable(make)?;
        self.runtime.spawn(async move {
            let result = call.await;
            runtime::as_callback(|| done(result));
        });
        Ok(())
    }

    /// [`Client::send`] started asynchronously (see [`Client::start`]).
    pub fn send_async(
        &self,
        request: Request,
        done: impl FnOnce(Result<Response, Error>) + Send + 'static,
    ) -> Result<(), Error> {
        // Bad arguments are refused here, before the call starts (the callback never runs).
        request.check()?;
        self.start(|c| async move { c.send(request).await }, done)
    }

    /// Closes the client: calls in progress on other threads (on this client or its clones)
    /// return [`ErrorKind::Cancelled`] promptly, and so does every later call.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// A current access token.
    pub fn access_token(&self) -> Result<AccessToken, Error> {
        self.run(|c| async move { c.access_token().await })
    }

    /// The token file this client shares its access token through, if any
    /// ([`ClientBuilder::token_cache`]).
    pub fn token_cache_file(&self) -> Option<&std::path::Path> {
        self.inner.token_cache_file()
    }

    /// Drops the access token from memory and removes the token file, if any (true if a file
    /// was removed).
    pub fn forget_token(&self) -> Result<bool, Error> {
        self.run(|c| async move { c.forget_token().await })
    }

    /// Waits, at most `within`, for a token refresh in flight to end
    /// ([`crate::Client::settle_refresh`]); a closed client returns at once.
    pub fn settle_refresh(&self, within: std::time::Duration) {
        let _ = self.run(move |c| async move {
            c.settle_refresh(within).await;
            Ok(())
        });
    }

    /// The decoded claims of a current access token.
    pub fn claims(&self) -> Result<Option<Claims>, Error> {
        self.run(|c| async move { c.claims().await })
    }

    /// Runs an asynchronous call of the client as a blocking one (closing, forks and
    /// recursion handled as for every other call).
    pub(crate) fn run_async<T, F>(&self, make: impl FnOnce(crate::Client) -> F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        self.run(make)
    }

    /// The origin API calls go to now (see [`crate::Client::api_origin`]).
    pub fn api_origin(&self) -> Result<Origin, Error> {
        self.run(|c| async move { c.api_origin().await })
    }

    /// `GET` a path.
    pub fn get(&self, path: &str) -> Result<Response, Error> {
        self.send(Request::get(path))
    }

    /// Sends a request (see [`crate::Client::send`] for refresh, replay and retry rules).
    pub fn send(&self, request: Request) -> Result<Response, Error> {
        self.run(|c| async move { c.send(request).await })
    }

    /// Runs a GraphQL query and returns its `data`.
    pub fn graphql(&self, query: &str, variables: Option<Value>) -> Result<Value, Error> {
        self.graphql_with(GraphQlRequest::new(query).variables(variables))
    }

    /// Runs a GraphQL call with its options (see [`crate::Client::graphql_with`]).
    pub fn graphql_with(&self, request: GraphQlRequest) -> Result<Value, Error> {
        self.run(|c| async move { c.graphql_with(&request).await })
    }

    /// Walks every page of a cursor-paged query and returns the `edges` of all pages, in order
    /// (see [`crate::Client::graphql_pages`] for what the query must select).
    pub fn graphql_all_edges(
        &self,
        query: &str,
        variables: Option<Value>,
    ) -> Result<Vec<Value>, Error> {
        let request = GraphQlRequest::new(query).variables(variables);
        self.run(|c| async move { c.graphql_pages_with(request).collect_edges().await })
    }

    /// Iterates over the `data` of every page of a cursor-paged query, one page in memory at
    /// a time (see [`crate::GraphQlPages`] for the paging rule).
    pub fn graphql_pages(&self, query: &str, variables: Option<Value>) -> GraphQlPages {
        self.graphql_pages_with(GraphQlRequest::new(query).variables(variables))
    }

    /// [`Client::graphql_pages`] with the options of a [`GraphQlRequest`].
    pub fn graphql_pages_with(&self, request: GraphQlRequest) -> GraphQlPages {
        Pages {
            client: self.clone(),
            walk: Some(self.inner.graphql_pages_with(request)),
        }
    }
}

impl Client {
    /// Iterates over the pages of a paged REST list behind `GET path`, one page in memory at a
    /// time (see [`crate::RestPages`] for the paging rule).
    pub fn rest_pages(&self, path: &str) -> RestPages {
        self.rest_pages_with(Request::get(path))
    }

    /// [`Client::rest_pages`] for a request with its options (headers, deadline, cancel handle).
    pub fn rest_pages_with(&self, request: Request) -> RestPages {
        Pages {
            client: self.clone(),
            walk: Some(self.inner.rest_pages_with(request)),
        }
    }

    /// Walks every page of a paged REST list and returns the `data` items of all pages, in
    /// order (see [`crate::RestPages`]).
    pub fn rest_all_data(&self, path: &str) -> Result<Vec<Value>, Error> {
        let request = Request::get(path);
        self.run(|c| async move { c.rest_pages_with(request).collect_data().await })
    }
}

/// The Integration API and fact-sheet writes, waiting on the calling thread (see the async
/// methods of the same names for what they do).
impl Client {
    /// [`crate::Client::run_ldif`]: runs an LDIF and waits for its result.
    pub fn run_ldif(&self, ldif: &Value, options: RunOptions) -> Result<RunResult, Error> {
        let ldif = ldif.clone();
        self.run(|c| async move { c.run_ldif(&ldif, options).await })
    }

    /// [`crate::Client::wait_run`]: waits for a started run.
    pub fn wait_run(&self, id: &str, options: RunOptions) -> Result<RunResult, Error> {
        let id = id.to_owned();
        self.run(|c| async move { c.wait_run(&id, options).await })
    }

    /// [`crate::Client::create_run`]: creates a run without starting it.
    pub fn create_run(&self, ldif: &Value) -> Result<String, Error> {
        let ldif = ldif.clone();
        self.run(|c| async move { c.create_run(&ldif).await })
    }

    /// [`crate::Client::start_run`]: starts a created run.
    pub fn start_run(&self, id: &str, test: bool) -> Result<(), Error> {
        let id = id.to_owned();
        self.run(|c| async move { c.start_run(&id, test).await })
    }

    /// [`crate::Client::stop_run`]: stops a pending or running run.
    pub fn stop_run(&self, id: &str) -> Result<(), Error> {
        let id = id.to_owned();
        self.run(|c| async move { c.stop_run(&id).await })
    }

    /// [`crate::Client::run_status`]: a run's `{id, status, description}`.
    pub fn run_status(&self, id: &str) -> Result<Value, Error> {
        let id = id.to_owned();
        self.run(|c| async move { c.run_status(&id).await })
    }

    /// [`crate::Client::run_progress`]: a run's counts.
    pub fn run_progress(&self, id: &str) -> Result<RunProgress, Error> {
        let id = id.to_owned();
        self.run(|c| async move { c.run_progress(&id).await })
    }

    /// [`crate::Client::run_warnings`]: all warnings of a run.
    pub fn run_warnings(&self, id: &str) -> Result<Vec<RunWarning>, Error> {
        let id = id.to_owned();
        self.run(|c| async move { c.run_warnings(&id).await })
    }

    /// [`crate::Client::run_results`]: a run's output LDIF, `None` while not ready.
    pub fn run_results(&self, id: &str) -> Result<Option<Value>, Error> {
        let id = id.to_owned();
        self.run(|c| async move { c.run_results(&id).await })
    }

    /// [`crate::Client::get_configurations`]: the matching processor configurations.
    pub fn get_configurations(&self, keys: &[(&str, &str)]) -> Result<Value, Error> {
        let keys = owned_pairs(keys);
        self.run(|c| async move { c.get_configurations(&borrowed_pairs(&keys)).await })
    }

    /// [`crate::Client::put_configuration`]: stores a processor configuration.
    pub fn put_configuration(&self, configuration: &Value) -> Result<(), Error> {
        let configuration = configuration.clone();
        self.run(|c| async move { c.put_configuration(&configuration).await })
    }

    /// [`crate::Client::delete_configuration`]: deletes a processor configuration.
    pub fn delete_configuration(&self, keys: &[(&str, &str)]) -> Result<(), Error> {
        let keys = owned_pairs(keys);
        self.run(|c| async move { c.delete_configuration(&borrowed_pairs(&keys)).await })
    }

    /// [`crate::Client::update_fact_sheet`]: patches a fact sheet, retrying `REVISION_CLASH`.
    pub fn update_fact_sheet(
        &self,
        id: &str,
        patches: &[Patch],
        options: UpdateOptions,
    ) -> Result<Value, Error> {
        let (id, patches) = (id.to_owned(), patches.to_vec());
        self.run(|c| async move { c.update_fact_sheet(&id, &patches, options).await })
    }

    /// [`crate::Client::create_fact_sheet`]: creates a fact sheet.
    pub fn create_fact_sheet(
        &self,
        fact_sheet_type: &str,
        name: &str,
        patches: &[Patch],
        options: UpdateOptions,
    ) -> Result<Value, Error> {
        let (t, n, patches) = (
            fact_sheet_type.to_owned(),
            name.to_owned(),
            patches.to_vec(),
        );
        self.run(|c| async move { c.create_fact_sheet(&t, &n, &patches, options).await })
    }
}

fn owned_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn borrowed_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn closed_error() -> Error {
    Error::new(ErrorKind::Cancelled, "the client was closed")
}

fn forked_error() -> Error {
    Error::new(
        ErrorKind::Forked,
        "this client was created in the parent process before fork(); create a new client in the child",
    )
}

fn runtime_gone() -> Error {
    Error::new(
        ErrorKind::Cancelled,
        "the request was cancelled because the runtime shut down",
    )
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// A page walk of the async client ([`crate::GraphQlPages`], [`crate::RestPages`]) that
/// [`Pages`] drives one page at a time.
pub trait PageWalk: fmt::Debug + Send + 'static {
    /// The next page, or `None` after the last one (the walk's own `next_page`).
    fn next_page(&mut self) -> impl Future<Output = Result<Option<Value>, Error>> + Send + '_;
    /// How many pages were fetched so far.
    fn pages_fetched(&self) -> usize;
}

impl PageWalk for crate::GraphQlPages {
    fn next_page(&mut self) -> impl Future<Output = Result<Option<Value>, Error>> + Send + '_ {
        crate::GraphQlPages::next_page(self)
    }
    fn pages_fetched(&self) -> usize {
        crate::GraphQlPages::pages_fetched(self)
    }
}

impl PageWalk for crate::RestPages {
    fn next_page(&mut self) -> impl Future<Output = Result<Option<Value>, Error>> + Send + '_ {
        crate::RestPages::next_page(self)
    }
    fn pages_fetched(&self) -> usize {
        crate::RestPages::pages_fetched(self)
    }
}

/// A blocking walk over the pages of a paged query, one page in memory at a time: an
/// [`Iterator`] of pages, or [`Pages::next_start`] for one page without waiting. After an
/// error, or after the last page, the walk is over (`None` from then on).
#[derive(Debug)]
pub struct Pages<W> {
    client: Client,
    walk: Option<W>,
}

/// Blocking iterator over the `data` of each page of a GraphQL query; see
/// [`Client::graphql_pages`].
pub type GraphQlPages = Pages<crate::GraphQlPages>;

/// Blocking iterator over the pages of a REST list (each item the whole JSON document of a
/// page); see [`Client::rest_pages`].
pub type RestPages = Pages<crate::RestPages>;

impl<W: PageWalk> Pages<W> {
    /// How many pages were fetched so far (0 once the walk ended with an error).
    pub fn pages_fetched(&self) -> usize {
        self.walk.as_ref().map_or(0, W::pages_fetched)
    }

    /// Fetches the next page without waiting (see [`Client::start`]): `done` gets the walk
    /// back and the page (`Ok(None)` after the last one) on a runtime thread, exactly once.
    /// A walk that is over answers `Ok(None)` the same way. Fails, without calling `done`,
    /// only when the client is closed or was made before `fork()`.
    pub fn next_start(
        self,
        done: impl FnOnce(Self, Result<Option<Value>, Error>) + Send + 'static,
    ) -> Result<(), Error> {
        let Pages { client, walk } = self;
        let owner = client.clone();
        client.start(
            move |_| async move {
                let Some(mut walk) = walk else {
                    return Ok((None, Ok(None)));
                };
                let page = walk.next_page().await;
                Ok((Some(walk), page))
            },
            move |result| {
                let (walk, page) = result.unwrap_or_else(|e| (None, Err(e)));
                done(
                    Pages {
                        client: owner,
                        walk,
                    },
                    page,
                )
            },
        )
    }
}

impl<W: PageWalk> Iterator for Pages<W> {
    type Item = Result<Value, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut walk = self.walk.take()?;
        let result = self.client.run(move |_| async move {
            let page = walk.next_page().await;
            Ok((walk, page))
        });
        match result {
            Ok((walk, page)) => {
                self.walk = Some(walk);
                page.transpose()
            }
            Err(e) => Some(Err(e)),
        }
    }
}

impl ClientBuilder {
    /// Validates the settings and builds a [`blocking::Client`](Client).
    pub fn build_blocking(self) -> Result<Client, Error> {
        let runtime = runtime()?;
        let built = self.validate()?;
        let inner = {
            let _guard = runtime.enter();
            crate::Client::from_built(built, Some(runtime.handle().clone()))?
        };
        Ok(Client {
            inner,
            runtime,
            pid: std::process::id(),
            closed: Arc::new(watch::channel(false).0),
        })
    }
}
