//! HTTP/2 floods from a hostile server (the review's h2 cases, kept holding): the client
//! negotiates HTTP/2 over TLS with ALPN, and a server that floods it with PING or SETTINGS
//! frames (the call times out at its deadline), an endless CONTINUATION of one header block or
//! DATA past the flow-control window (the connection is refused at once, `Connect`) gets a
//! bounded answer, and the process's memory grows by a bounded amount (measured: at most a
//! few MiB, asserted under 64 MiB). The server here speaks raw frames over TLS (the sandbox serves
//! HTTP/1.1), and the flood hits the token exchange, the first request a client sends.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leanix::ErrorKind;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// What the server sends after its SETTINGS.
#[derive(Debug, Clone, Copy)]
enum Flood {
    /// PING frames without end (each asks for a PONG).
    Ping,
    /// SETTINGS frames without end (each asks for an ACK).
    Settings,
    /// A HEADERS frame without END_HEADERS, then CONTINUATION frames without end.
    Continuation,
    /// A 200 whose DATA never ends, sent without regard to the flow-control window (an endless
    /// body that respects the window is `TooLarge`, as over HTTP/1.1: `large_bodies.rs`).
    DataPastTheWindow,
}

const FRAME_DATA: u8 = 0x0;
const FRAME_HEADERS: u8 = 0x1;
const FRAME_SETTINGS: u8 = 0x4;
const FRAME_PING: u8 = 0x6;
const FRAME_CONTINUATION: u8 = 0x9;
const END_HEADERS: u8 = 0x4;

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// One batch of the flood (written again and again until the client goes away).
fn batch(flood: Flood) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..256u32 {
        out.extend(match flood {
            Flood::Ping => frame(FRAME_PING, 0, 0, &u64::from(i).to_be_bytes()),
            Flood::Settings => frame(FRAME_SETTINGS, 0, 0, &[]),
            // A literal header field without indexing, new name: "x-flood-NNN: <value>".
            Flood::Continuation => {
                let name = format!("x-flood-{i:03}");
                let value = "v".repeat(100);
                let mut field = vec![0x00, name.len() as u8];
                field.extend_from_slice(name.as_bytes());
                field.push(value.len() as u8);
                field.extend_from_slice(value.as_bytes());
                frame(FRAME_CONTINUATION, 0, 1, &field)
            }
            Flood::DataPastTheWindow => frame(FRAME_DATA, 0, 1, &[b'x'; 16 * 1024]),
        });
    }
    out
}

/// What a [`flood_server`] saw.
#[derive(Default)]
struct Seen {
    /// Connections that negotiated `h2` (others get nothing).
    h2: AtomicU64,
    /// Flood bytes written, counted in whole batches.
    written: AtomicU64,
}

/// A TLS server on loopback that answers every connection with `flood`; returns its URL, the
/// CA that signed its certificate, and what it saw.
async fn flood_server(flood: Flood) -> (String, String, Arc<Seen>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca_cert, &ca_key)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Seen::default());
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, count) = (acceptor.clone(), count.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if tls.get_ref().1.alpn_protocol() != Some(&b"h2"[..]) {
                    return;
                }
                count.h2.fetch_add(1, Ordering::Relaxed);
                let (mut read, mut write) = tokio::io::split(tls);
                // The client's preface and frames are read and dropped, so that it never
                // blocks on writing.
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while matches!(read.read(&mut buf).await, Ok(n) if n > 0) {}
                });
                let mut head = frame(FRAME_SETTINGS, 0, 0, &[]);
                match flood {
                    // :status 200 (static table index 8), the block left open.
                    Flood::Continuation => head.extend(frame(FRAME_HEADERS, 0, 1, &[0x88])),
                    Flood::DataPastTheWindow => {
                        head.extend(frame(FRAME_HEADERS, END_HEADERS, 1, &[0x88]))
                    }
                    Flood::Ping | Flood::Settings => {}
                }
                if write.write_all(&head).await.is_err() {
                    return;
                }
                let batch = batch(flood);
                while write.write_all(&batch).await.is_ok() {
                    count
                        .written
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    let ca_pem = ca_cert.pem();
    (format!("https://localhost:{port}"), ca_pem, seen)
}

/// The resident set size of this process, in KiB.
fn rss_kib() -> u64 {
    common::proc_status_kib("VmRSS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_http2_flood_ends_the_exchange_with_its_error_and_bounded_memory() {
    // (flood, the error it ends in)
    let cases = [
        (Flood::Ping, ErrorKind::Timeout),
        (Flood::Settings, ErrorKind::Timeout),
        (Flood::Continuation, ErrorKind::Connect),
        (Flood::DataPastTheWindow, ErrorKind::Connect),
    ];
    for (flood, kind) in cases {
        let (url, ca_pem, seen) = flood_server(flood).await;
        let client = leanix::Client::builder()
            .host(url.as_str())
            .api_token("h2-flood-api-token")
            .add_ca_pem(&ca_pem)
            .token_timeout(Duration::from_secs(2))
            .token_attempts(1)
            .build()
            .unwrap();
        let before = rss_kib();
        let started = Instant::now();
        let err = client.access_token().await.unwrap_err();
        let took = started.elapsed();
        let grew = rss_kib().saturating_sub(before);
        let sent = seen.written.load(Ordering::Relaxed);
        eprintln!(
            "{flood:?}: {} after {took:?}, the server wrote {} KiB, RSS +{grew} KiB: {err}",
            err.kind(),
            sent / 1024
        );
        assert_eq!(
            seen.h2.load(Ordering::Relaxed),
            1,
            "{flood:?}: one HTTP/2 connection"
        );
        assert_eq!(err.kind(), kind, "{flood:?}: {err}");
        assert!(grew < 64 * 1024, "{flood:?}: RSS grew by {grew} KiB");
        assert!(!err.message().contains("h2-flood-api-token"), "{err}");
    }
}
