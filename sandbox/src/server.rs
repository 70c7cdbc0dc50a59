//! Accepting and serving connections (HTTP/1.1, optionally over TLS) until
//! shutdown.
//!
//! Connections are served with hyper directly so that a handler can end its
//! connection without answering ([`ConnControl::kill`]), which is how the
//! `DropConnection` fault works. Every connection task also watches the
//! shutdown signal, so stalled requests never delay shutdown.

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio_rustls::TlsAcceptor;

use crate::foreign;
use crate::router;
use crate::state::State;

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Lets a request handler close its own connection.
#[derive(Default)]
pub(crate) struct ConnControl {
    kill: Notify,
}

impl ConnControl {
    /// Closes the connection at once, without a response.
    pub(crate) fn kill(&self) {
        self.kill.notify_one();
    }
}

/// Which listener a connection came in on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listener {
    /// The emulated API.
    Main,
    /// The foreign origin.
    Foreign,
    /// The instance: the same API as [`Listener::Main`] on another origin,
    /// counted apart, and named by the tokens' `instanceUrl` claim.
    Instance,
}

/// Serves the listeners until `shutdown` turns true (or its sender is dropped).
pub(crate) async fn run(
    state: Arc<State>,
    main: std::net::TcpListener,
    foreign: std::net::TcpListener,
    instance: Option<std::net::TcpListener>,
    tls: Option<TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
) {
    let c = match instance.map(TcpListener::from_std).transpose() {
        Ok(l) => l.map(|l| {
            tokio::spawn(accept_loop(
                l,
                Listener::Instance,
                state.clone(),
                tls.clone(),
                shutdown.clone(),
            ))
        }),
        Err(e) => return eprintln!("lx-sandbox: cannot listen: {e}"),
    };
    let main = match TcpListener::from_std(main) {
        Ok(l) => l,
        Err(e) => return eprintln!("lx-sandbox: cannot listen: {e}"),
    };
    let foreign = match TcpListener::from_std(foreign) {
        Ok(l) => l,
        Err(e) => return eprintln!("lx-sandbox: cannot listen: {e}"),
    };
    let a = tokio::spawn(accept_loop(
        main,
        Listener::Main,
        state.clone(),
        tls.clone(),
        shutdown.clone(),
    ));
    let b = tokio::spawn(accept_loop(
        foreign,
        Listener::Foreign,
        state,
        tls,
        shutdown,
    ));
    let _ = tokio::join!(a, b);
    if let Some(c) = c {
        let _ = c.await;
    }
}

async fn wait_shutdown(shutdown: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: shut down too.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

async fn accept_loop(
    listener: TcpListener,
    kind: Listener,
    state: Arc<State>,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = wait_shutdown(&mut shutdown) => return,
        };
        match accepted {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(
                    stream,
                    kind,
                    state.clone(),
                    tls.clone(),
                    shutdown.clone(),
                ));
            }
            // Out of file descriptors or similar: back off briefly.
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn connection(
    stream: TcpStream,
    kind: Listener,
    state: Arc<State>,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    match tls {
        None => serve(stream, kind, state, shutdown).await,
        Some(acceptor) => {
            let handshake = tokio::select! {
                r = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)) => r,
                _ = wait_shutdown(&mut shutdown) => return,
            };
            if let Ok(Ok(stream)) = handshake {
                serve(stream, kind, state, shutdown).await;
            }
        }
    }
}

async fn serve<S>(stream: S, kind: Listener, state: Arc<State>, mut shutdown: watch::Receiver<bool>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let control = Arc::new(ConnControl::default());
    let io = TokioIo::new(stream);
    let builder = http1::Builder::new();
    match kind {
        Listener::Main | Listener::Instance => {
            let ctl = control.clone();
            let svc = service_fn(move |req| router::handle(state.clone(), ctl.clone(), kind, req));
            let conn = builder.serve_connection(io, svc);
            tokio::select! {
                _ = conn => {}
                _ = control.kill.notified() => {}
                _ = wait_shutdown(&mut shutdown) => {}
            }
        }
        Listener::Foreign => {
            let svc = service_fn(move |req| foreign::handle(state.clone(), req));
            let conn = builder.serve_connection(io, svc);
            tokio::select! {
                _ = conn => {}
                _ = wait_shutdown(&mut shutdown) => {}
            }
        }
    }
}
