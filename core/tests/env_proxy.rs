//! An environment proxy the HTTP stack cannot use is refused when the client is built, instead
//! of being skipped so that the connection goes direct. One test in its own binary: it sets
//! process environment variables.

mod common;

use common::assert_error;
use leanix::{ClientBuilder, ErrorKind};

/// A builder for a LeanIX host over HTTPS: the kind of host an environment proxy applies to.
fn https_host() -> ClientBuilder {
    leanix::Client::builder()
        .host("acme.leanix.net")
        .api_token("t")
}

#[test]
fn an_environment_proxy_with_an_unsupported_scheme_is_refused_for_https_hosts_only() {
    std::env::set_var("HTTPS_PROXY", "ftp://user:pa55word@proxy.example:21");
    let err = https_host().build().unwrap_err();
    assert_error(
        &err,
        ErrorKind::Config,
        "HTTPS_PROXY names a proxy with the scheme \"ftp\"",
    );
    assert!(!err.to_string().contains("pa55word"), "{err}");
    // An explicit proxy option replaces the environment's, so nothing is refused.
    assert!(https_host()
        .proxy("http://proxy.example:3128")
        .build()
        .is_ok());
    // http:// loopback hosts never use a proxy, so the variable does not matter for them.
    assert!(leanix::Client::builder()
        .host("http://127.0.0.1:9")
        .api_token("t")
        .allow_insecure_loopback(true)
        .build()
        .is_ok());
    std::env::remove_var("HTTPS_PROXY");
    assert!(https_host().build().is_ok());
}
