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
use crate::origin::Origin;
use crate::request::{Request, Response};
use crate::runtime::{self, runtime, Driven};
use crate::secret::AccessToken;
pub use crate::webhooks::blocking::{Consumer as WebhookConsumer, Webhooks};

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
        GraphQlPages {
            client: self.clone(),
            pages: Some(self.inner.graphql_pages_with(request)),
        }
    }
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

/// Blocking iterator over GraphQL pages; see [`crate::Client::graphql_pages`].
#[derive(Debug)]
pub struct GraphQlPages {
    client: Client,
    pages: Option<crate::GraphQlPages>,
}

impl Iterator for GraphQlPages {
    type Item = Result<Value, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut pages = self.pages.take()?;
        let result = self.client.run(move |_| async move {
            let page = pages.next_page().await;
            Ok((pages, page))
        });
        match result {
            Ok((pages, page)) => {
                self.pages = Some(pages);
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
