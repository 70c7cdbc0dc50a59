//! Findings of the adversarial review, each kept fixed: credentials never travel in clear text
//! through a proxy, `*.localhost` is loopback whatever a resolver says, hostile answers and
//! inputs give bounded, typed errors.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{assert_error, client_at, Reply, TestServer};
use leanix::ErrorKind;
use leanix_sandbox::Sandbox;

/// A listener that counts connections and answers each with `reply` (raw bytes).
fn raw_server(reply: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(&reply);
        }
    });
    (url, count)
}

#[test]
fn a_proxy_for_an_http_host_is_refused_before_anything_is_sent() {
    let (proxy, seen) = raw_server(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec());
    let err = leanix::Client::builder()
        .host("http://127.0.0.1:9")
        .api_token("secret-api-token")
        .allow_insecure_loopback(true)
        .proxy(proxy)
        .build()
        .unwrap_err();
    assert_error(&err, ErrorKind::Config, "clear text");
    assert_eq!(seen.load(Ordering::SeqCst), 0);
    // Unsupported proxy schemes are refused rather than silently ignored.
    let err = leanix::Client::builder()
        .host("acme.leanix.net")
        .api_token("t")
        .proxy("ftp://proxy.example:21")
        .build()
        .unwrap_err();
    assert!(err.message().contains("only http:// and https://"), "{err}");
}

#[tokio::test]
async fn a_localhost_name_is_resolved_to_loopback_by_the_client() {
    // No resolver knows `leanix-test.localhost`; the client connects to 127.0.0.1 itself.
    let sb = Sandbox::start().unwrap();
    let port = sb.url().rsplit(':').next().unwrap();
    let host = format!("http://leanix-test.localhost:{port}");
    let client = client_at(&host, sb.api_token());
    assert_eq!(client.get(common::FACT_SHEETS).await.unwrap().status(), 200);
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[tokio::test]
async fn malformed_response_headers_are_an_invalid_response_and_not_retried() {
    let mut reply = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..150 {
        reply.extend_from_slice(format!("x-h{i}: v\r\n").as_bytes());
    }
    reply.extend_from_slice(b"content-length: 0\r\n\r\n");
    let (url, seen) = raw_server(reply);
    let client = client_at(&url, "t0ken-value");
    let err = client.access_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
    assert_eq!(seen.load(Ordering::SeqCst), 1, "not retried");
}

#[tokio::test]
async fn a_megabyte_path_gives_a_bounded_message() {
    let server = TestServer::start();
    let client = client_at(server.url(), "t0ken-value");
    server.script_api(Reply::new(
        404,
        r#"{"status":"ERROR","errors":[{"message":"no such thing"}]}"#,
    ));
    let path = format!("/{}", "a".repeat(1 << 20));
    // Whatever the server makes of it (it may refuse the URI), the message stays short.
    let err = client.get(&path).await.unwrap_err();
    assert!(err.message().len() < 1024, "{} bytes", err.message().len());
    let short = format!("/{}", "a".repeat(2000));
    let err = client.get(&short).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(err.message().len() < 1024, "{} bytes", err.message().len());
    assert!(
        err.message().ends_with("no such thing"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn user_info_in_a_request_url_is_refused() {
    let server = TestServer::start();
    let client = client_at(server.url(), "t0ken-value");
    let url = server.url().replace("http://", "http://user:pw@");
    let err = client.get(&format!("{url}/x")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(server.requests().is_empty());
}
