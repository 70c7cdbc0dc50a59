//! `LEANIX_INSECURE_LOOPBACK`: the environment's opt-in to plain `http://` to a loopback host,
//! read by `ClientBuilder::from_env` next to `LEANIX_HOST`; a later setter wins; a value that
//! is not a flag is a configuration error naming the variable. One test in its own binary: it
//! changes the process environment.

use leanix::{env_insecure_loopback, ClientBuilder, ErrorKind, ENV_INSECURE_LOOPBACK};

#[test]
fn the_environment_opts_in_to_http_on_loopback() {
    std::env::set_var("LEANIX_HOST", "http://127.0.0.1:9");
    std::env::set_var("LEANIX_API_TOKEN", "api-token");

    std::env::remove_var(ENV_INSECURE_LOOPBACK);
    assert_eq!(env_insecure_loopback().unwrap(), None);
    let err = ClientBuilder::from_env().build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(
        err.message().contains("LEANIX_INSECURE_LOOPBACK=1"),
        "{err}"
    );

    for on in ["1", "true", " YES ", "on"] {
        std::env::set_var(ENV_INSECURE_LOOPBACK, on);
        assert_eq!(env_insecure_loopback().unwrap(), Some(true), "{on:?}");
        let client = ClientBuilder::from_env().build().unwrap();
        assert_eq!(client.origin().as_str(), "http://127.0.0.1:9");
        // A setter after from_env wins, under either spelling.
        assert!(ClientBuilder::from_env()
            .insecure_loopback(false)
            .build()
            .is_err());
        assert!(ClientBuilder::from_env()
            .allow_insecure_loopback(false)
            .build()
            .is_err());
    }
    for off in ["0", "false", "no", "OFF", ""] {
        std::env::set_var(ENV_INSECURE_LOOPBACK, off);
        assert_eq!(env_insecure_loopback().unwrap(), Some(false), "{off:?}");
        assert!(ClientBuilder::from_env().build().is_err(), "{off:?}");
        assert!(ClientBuilder::from_env()
            .insecure_loopback(true)
            .build()
            .is_ok());
    }

    std::env::set_var(ENV_INSECURE_LOOPBACK, "please");
    let err = env_insecure_loopback().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(
        err.message()
            .contains("LEANIX_INSECURE_LOOPBACK must be 1 or 0"),
        "{err}"
    );
    assert!(err.message().contains("\"please\""), "{err}");
    let err = ClientBuilder::from_env().build().unwrap_err();
    assert!(err.message().contains("LEANIX_INSECURE_LOOPBACK"), "{err}");

    // Never for a remote host: the variable only opts in to loopback.
    std::env::set_var(ENV_INSECURE_LOOPBACK, "1");
    std::env::set_var("LEANIX_HOST", "http://acme.leanix.net");
    let err = ClientBuilder::from_env().build().unwrap_err();
    assert!(err.message().contains("refusing http://"), "{err}");
}
