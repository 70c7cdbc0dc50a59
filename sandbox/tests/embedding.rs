//! The sandbox is usable from synchronous code and from any runtime.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use leanix_sandbox::Sandbox;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn sandbox_is_send_and_sync() {
    assert_send_sync::<Sandbox>();
    assert_send_sync::<leanix_sandbox::Stats>();
}

/// One raw HTTP/1.1 exchange, no client library at all.
fn raw_exchange(url: &str, api_token: &str) -> String {
    let addr = url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = "grant_type=client_credentials";
    write!(
        stream,
        "POST {} HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        common::TOKEN_PATH,
        common::basic(api_token),
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn works_from_plain_synchronous_code() {
    let sb = Sandbox::builder().fact_sheets(3).start().unwrap();
    let response = raw_exchange(sb.url(), sb.api_token());
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("\"token_type\":\"bearer\""));
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[test]
fn works_from_a_current_thread_runtime_and_drops_inside_it() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sb = Sandbox::builder().fact_sheets(3).start().unwrap();
        let resp = common::exchange_raw(sb.url(), sb.api_token()).await;
        assert_eq!(resp.status(), 200);
        drop(sb);
    });
}

#[test]
fn many_sandboxes_side_by_side() {
    let a = Sandbox::builder().fact_sheets(10).start().unwrap();
    let b = Sandbox::builder().fact_sheets(20).start().unwrap();
    assert_ne!(a.url(), b.url());
    assert_eq!(a.fact_sheet_count(), 10);
    assert_eq!(b.fact_sheet_count(), 20);
    assert!(raw_exchange(a.url(), b.api_token()).starts_with("HTTP/1.1 401"));
}
