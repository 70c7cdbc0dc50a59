//! The plain-HTTP loopback opt-in has one name in `lx`: the flag `--insecure-loopback`, the
//! environment variable `LEANIX_INSECURE_LOOPBACK=1` and the config-file key
//! `insecure_loopback`, in that order of precedence; without any of them `http://` is refused.

mod common;

use common::*;

const PAGE: &str = "/services/pathfinder/v1/factSheets?pageSize=1";

/// `lx get PAGE` against the shared sandbox with host and token from the environment and no
/// loopback opt-in unless the caller adds one.
fn get() -> Lx {
    Lx::bare(&["get", PAGE])
        .env("LEANIX_HOST", &url())
        .env("LEANIX_API_TOKEN", &api_token())
}

#[test]
fn without_the_opt_in_http_is_refused_and_the_error_names_the_variable() {
    let run = get().run().expect_stderr(2, "LEANIX_INSECURE_LOOPBACK=1");
    assert_eq!(run.stdout, "");
}

#[test]
fn the_environment_variable_opts_in() {
    for on in ["1", "true", "yes"] {
        let run = get().env("LEANIX_INSECURE_LOOPBACK", on).run().ok();
        assert!(run.json()["data"].is_array(), "{on}");
    }
    for off in ["0", "false"] {
        get().env("LEANIX_INSECURE_LOOPBACK", off).run().expect(2);
    }
    let run = get()
        .env("LEANIX_INSECURE_LOOPBACK", "sure")
        .run()
        .expect(2);
    assert!(
        run.stderr
            .contains("LEANIX_INSECURE_LOOPBACK must be 1 or 0"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_config_key_opts_in_and_flag_and_environment_come_first() {
    let cmd = get();
    write_home_config(cmd.home(), "insecure_loopback = true\n");
    assert!(cmd.run().ok().json()["data"].is_array());

    // The environment's 0 beats the file's true; the flag beats the environment's 0.
    let cmd = get().env("LEANIX_INSECURE_LOOPBACK", "0");
    write_home_config(cmd.home(), "insecure_loopback = true\n");
    cmd.run().expect(2);
    let mut args = get().env("LEANIX_INSECURE_LOOPBACK", "0");
    write_home_config(args.home(), "insecure_loopback = false\n");
    args = args.arg_first("--insecure-loopback");
    args.run().ok();

    // lx config shows the setting and its source.
    let cmd = Lx::bare(&["config"]).env("LEANIX_INSECURE_LOOPBACK", "1");
    let run = cmd.run().ok();
    assert!(
        run.stdout
            .contains("loopback    http:// to a loopback host allowed (insecure_loopback) (from environment variable LEANIX_INSECURE_LOOPBACK)"),
        "{}",
        run.stdout
    );
    let run = Lx::bare(&["config"]).run().ok();
    assert_contains(&run.stdout, "loopback    -");
}
