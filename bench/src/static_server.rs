//! A static HTTP/1.1 responder on loopback: the same stack as lx-sandbox (hyper on a two-worker
//! tokio runtime) answering every request with one fixed body and no work at all. wrk against
//! it and against the sandbox shows how much of the sandbox's time is the emulation, and that
//! client figures are far below what the server side can serve.

use std::io::{BufRead, Write};
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Response;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::Res;

/// Serves `body` on 127.0.0.1 (any free port), prints `http://127.0.0.1:PORT` on stdout, and
/// returns when stdin reaches end of input.
pub fn serve(body: Vec<u8>) -> Res<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = rt.block_on(TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))))?;
    let addr = listener.local_addr()?;
    let body = Bytes::from(body);
    rt.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let mut resp = Response::new(Full::new(body.clone()));
                    resp.headers_mut()
                        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    async move { Ok::<_, std::convert::Infallible>(resp) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "http://{addr}")?;
    out.flush()?;
    drop(out);
    // Runs until the harness closes our stdin (or dies).
    let mut sink = String::new();
    let mut stdin = std::io::stdin().lock();
    while stdin.read_line(&mut sink)? > 0 {
        sink.clear();
    }
    Ok(())
}
