//! Build-time refusals: `http://` to remote hosts, `http://` to loopback without the opt-in, and
//! arguments refused before anything is sent.

mod common;

use common::TestServer;
use leanix::{Client, ErrorKind, Request};

fn build(host: &str, allow_loopback: bool) -> Result<Client, leanix::Error> {
    Client::builder()
        .host(host)
        .api_token("api-token")
        .allow_insecure_loopback(allow_loopback)
        .build()
}

#[test]
fn http_is_refused_for_remote_hosts_even_with_the_loopback_opt_in() {
    for host in [
        "http://acme.leanix.net",
        "http://eu-2.leanix.net:8080/MyWorkspace",
        "http://10.0.0.1",
        "http://127.0.0.1.nip.io",
    ] {
        for allow in [false, true] {
            let err = build(host, allow).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{host}");
            assert!(
                err.message().contains("http://") && err.message().contains("https://"),
                "{host}: {}",
                err.message()
            );
        }
    }
}

#[test]
fn http_to_loopback_needs_the_opt_in() {
    for host in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
    ] {
        let err = build(host, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{host}");
        assert!(
            err.message()
                .contains("insecure_loopback option (LEANIX_INSECURE_LOOPBACK=1"),
            "{host}: {}",
            err.message()
        );
        assert!(build(host, true).is_ok(), "{host}");
    }
}

#[test]
fn missing_or_broken_settings_are_config_errors() {
    let no_host = Client::builder().api_token("t").build().unwrap_err();
    assert_eq!(no_host.kind(), ErrorKind::Config);
    assert!(no_host.message().contains("host"));
    let no_token = Client::builder()
        .host("acme.leanix.net")
        .build()
        .unwrap_err();
    assert_eq!(no_token.kind(), ErrorKind::Config);
    assert!(no_token.message().contains("API token"));
    let newline = Client::builder()
        .host("acme.leanix.net")
        .api_token("token\n")
        .build()
        .unwrap_err();
    assert_eq!(newline.kind(), ErrorKind::Config);
    let bad_pem = Client::builder()
        .host("acme.leanix.net")
        .api_token("t")
        .add_ca_pem("not a certificate")
        .build()
        .unwrap_err();
    assert_eq!(bad_pem.kind(), ErrorKind::Config);
}

/// `ca_file` reads regular files only, without blocking and bounded: a FIFO (no writer) and
/// `/dev/zero` fail `build()` at once with `Config` and the reason; so does a missing file and
/// one past `MAX_CA_FILE_BYTES`.
#[test]
fn ca_file_refuses_fifos_devices_and_files_past_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ff");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let big = dir.path().join("big.pem");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(leanix::policy::MAX_CA_FILE_BYTES + 1).unwrap();
    let missing = dir.path().join("missing.pem");
    let too_large = format!("larger than {} bytes", leanix::policy::MAX_CA_FILE_BYTES);
    for (path, reason) in [
        (fifo.as_path(), "not a regular file"),
        (std::path::Path::new("/dev/zero"), "not a regular file"),
        (dir.path(), "not a regular file"),
        (big.as_path(), too_large.as_str()),
        (missing.as_path(), "No such file"),
    ] {
        let err = Client::builder()
            .host("acme.leanix.net")
            .api_token("t")
            .ca_file(path)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{path:?}");
        assert!(
            err.message().starts_with("cannot read the CA file ") && err.message().contains(reason),
            "{path:?}: {}",
            err.message()
        );
    }
    // A regular file that is not PEM still fails as before.
    let not_pem = dir.path().join("x.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let err = Client::builder()
        .host("acme.leanix.net")
        .api_token("t")
        .ca_file(&not_pem)
        .build()
        .unwrap_err();
    assert!(err.message().contains("not valid PEM"), "{}", err.message());
}

/// Invalid requests fail with `InvalidArgument` before any token is fetched or request sent.
#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = TestServer::start();
    let client = Client::builder()
        .host(server.url())
        .api_token("api-token")
        .allow_insecure_loopback(true)
        .build()
        .unwrap();
    for req in [
        Request::new("NOT A METHOD", "/x"),
        Request::get("/x").header("Authorization", "Bearer mine"),
        Request::get("/x").header("bad header", "v"),
        Request::get("/x").header("x-ok", "line\nbreak"),
        Request::get("https://evil.example/services/x"),
        Request::get("/a\nb"),
    ] {
        let shown = format!("{req:?}");
        let err = client.send(req).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{shown}: {err:?}");
    }
    assert!(server.requests().is_empty(), "nothing may be sent");
}
