//! Exit codes, the refusal of tokens on the command line, and configuration precedence.

mod common;

use common::*;

const PAGE: &str = "/services/pathfinder/v1/factSheets?pageSize=1";

fn one_error_line(run: &Run) {
    assert_eq!(run.stderr.lines().count(), 1, "stderr: {}", run.stderr);
    assert!(run.stderr.starts_with("lx: "), "stderr: {}", run.stderr);
}

#[test]
fn a_rejected_api_token_exits_3() {
    let run = lx(&["get", PAGE])
        .env("LEANIX_API_TOKEN", "wrong-token-value-123")
        .run()
        .expect(3);
    one_error_line(&run);
    lx(&["token"])
        .env("LEANIX_API_TOKEN", "wrong-token-value-123")
        .run()
        .expect(3);
}

#[test]
fn not_found_exits_4() {
    let run = lx(&["get", "/services/pathfinder/v1/factSheets/does-not-exist"])
        .run()
        .expect(4);
    one_error_line(&run);
    assert_contains(&run.stderr, "404");
}

#[test]
fn a_closed_port_exits_5() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let run = lx(&["get", PAGE, "--timeout", "5"])
        .env("LEANIX_HOST", &format!("http://127.0.0.1:{port}"))
        .run()
        .expect(5);
    one_error_line(&run);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["get"][..],
        &["frobnicate"][..],
        &["get", PAGE, "--no-such-flag"][..],
        &["get", PAGE, "--timeout", "0"][..],
        &["get", PAGE, "--compact", "--pretty"][..],
    ] {
        let run = lx(args).run().expect(2);
        one_error_line(&run);
    }
    // No host anywhere: a usage/config error that says where to put one.
    let run = Lx::bare(&["get", PAGE]).run().expect(2);
    one_error_line(&run);
    assert_contains(&run.stderr, "LEANIX_HOST");
    // http:// to loopback needs the explicit opt-in.
    let run = Lx::bare(&["get", PAGE])
        .env("LEANIX_HOST", &url())
        .env("LEANIX_API_TOKEN", &api_token())
        .run()
        .expect(2);
    one_error_line(&run);
}

#[test]
fn help_documents_the_exit_codes() {
    let run = Lx::bare(&["--help"]).run().ok();
    for line in ["Exit codes:", "  3  authentication", "  5  network"] {
        assert!(run.stdout.contains(line), "{line}: {}", run.stdout);
    }
    assert!(
        !run.stdout.contains("--api-token "),
        "no token flag in the help"
    );
}

#[test]
fn api_token_on_the_command_line_is_refused() {
    let secret = "cmdline-secret-987654";
    for args in [
        vec!["--api-token", secret, "get", PAGE],
        vec!["get", PAGE, &format!("--api-token={secret}")],
        vec!["token", "--token", secret],
    ] {
        let args: Vec<&str> = args.iter().map(|s| &**s).collect();
        let run = lx(&args).secret(secret).run().expect(2);
        one_error_line(&run);
        assert_contains(&run.stderr, "LEANIX_API_TOKEN");
        assert_contains(&run.stderr, "--api-token-file");
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn api_token_file_and_stdin_take_precedence_over_the_environment() {
    let (_dir, path) = temp_file("token", format!("{}\n", api_token()).as_bytes());
    chmod(&path, 0o600);
    let run = lx(&["get", PAGE, "--api-token-file", path.to_str().unwrap()])
        .env("LEANIX_API_TOKEN", "wrong-token-value-123")
        .run()
        .ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    lx(&["get", PAGE, "--api-token-stdin"])
        .env_remove("LEANIX_API_TOKEN")
        .stdin(format!("{}\n", api_token()))
        .run()
        .ok();
    lx(&["request", "POST", "/x", "--data", "-", "--api-token-stdin"])
        .stdin("{}")
        .run()
        .expect_stderr(2, "standard input");
}

fn write_config(dir: &std::path::Path, contents: &str, mode: u32) -> std::path::PathBuf {
    let leanix = dir.join("leanix");
    std::fs::create_dir_all(&leanix).unwrap();
    let path = leanix.join("config.toml");
    std::fs::write(&path, contents).unwrap();
    chmod(&path, mode);
    path
}

fn config_text(token: &str) -> String {
    format!("host = \"{}\"\napi_token = \"{token}\"\n", url())
}

#[test]
fn the_config_file_in_home_is_used_when_nothing_else_is_set() {
    let cmd = Lx::bare(&["--insecure-loopback", "get", PAGE]).secret(&api_token());
    write_config(
        &cmd.home().join(".config"),
        &config_text(&api_token()),
        0o600,
    );
    let run = cmd.run().ok();
    assert!(
        run.stderr.is_empty(),
        "no warning for mode 0600: {}",
        run.stderr
    );
    assert!(run.json()["data"].is_array());
}

#[test]
fn a_config_file_readable_by_others_gets_a_warning() {
    let cmd = Lx::bare(&["--insecure-loopback", "get", PAGE]).secret(&api_token());
    let path = write_config(
        &cmd.home().join(".config"),
        &config_text(&api_token()),
        0o644,
    );
    let run = cmd.run().ok();
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("lx: warning: "), "{}", run.stderr);
    assert_contains(&run.stderr, "readable by group/others");
    assert_contains(&run.stderr, "0644");
    assert!(run.stderr.contains(&path.display().to_string()));
}

#[test]
fn xdg_config_home_wins_over_home_and_the_environment_over_the_file() {
    let xdg = tempfile::tempdir().unwrap();
    write_config(xdg.path(), &config_text("file-token-that-is-wrong"), 0o600);
    // The file alone: its (wrong) token is used and rejected.
    Lx::bare(&["--insecure-loopback", "get", PAGE])
        .env("XDG_CONFIG_HOME", xdg.path().to_str().unwrap())
        .secret("file-token-that-is-wrong")
        .run()
        .expect(3);
    // The environment beats the file.
    Lx::bare(&["--insecure-loopback", "get", PAGE])
        .env("XDG_CONFIG_HOME", xdg.path().to_str().unwrap())
        .env("LEANIX_API_TOKEN", &api_token())
        .secret("file-token-that-is-wrong")
        .run()
        .ok();
    // lx config tells where each setting comes from, without the token.
    let run = Lx::bare(&["config"])
        .env("XDG_CONFIG_HOME", xdg.path().to_str().unwrap())
        .env("LEANIX_API_TOKEN", &api_token())
        .secret("file-token-that-is-wrong")
        .run()
        .ok();
    assert_contains(&run.stdout, "environment variable LEANIX_API_TOKEN");
    assert!(
        run.stdout.contains("host") && run.stdout.contains("config file"),
        "{}",
        run.stdout
    );
    assert_contains(&run.stdout, "sha256:");
}

/// `lx ARGS...` with an `http://` loopback host and a config file that sets a proxy: a
/// combination every call refuses.
fn proxied_http_host(args: &[&str]) -> Lx {
    let cmd = Lx::bare(args)
        .env("LEANIX_HOST", "http://127.0.0.1:9")
        .env("LEANIX_INSECURE_LOOPBACK", "1");
    write_config(
        &cmd.home().join(".config"),
        "proxy = \"http://127.0.0.1:3128\"\n",
        0o600,
    );
    cmd.env("LEANIX_API_TOKEN", &api_token())
}

const PROXY_REFUSED: &str = "refusing a proxy for the http:// host http://127.0.0.1:9: the proxy would see the API token and access tokens in clear text";

#[test]
fn lx_config_warns_of_what_every_command_would_refuse() {
    // Every call would fail with exit 2, so lx config lists the settings (exit 0) and then
    // says so.
    let run = proxied_http_host(&["config"]).run().ok();
    assert_contains(
        &run.stdout,
        "proxy       http://127.0.0.1:3128 (from config file",
    );
    assert_eq!(
        run.stderr.trim_end(),
        format!("lx: warning: every call with these settings would fail (exit 2): {PROXY_REFUSED}")
    );

    // --check: the same verdict as an exit code, for a preflight in CI (the listing still
    // on stdout).
    let run = proxied_http_host(&["config", "--check"]).run().expect(2);
    assert_contains(&run.stdout, "proxy       http://127.0.0.1:3128");
    assert_eq!(run.stderr.trim_end(), format!("lx: {PROXY_REFUSED}"));
    Lx::bare(&["config", "--check"])
        .run()
        .expect_stderr(2, "no host is configured");
    Lx::bare(&["config", "--check"])
        .env("LEANIX_HOST", "http://127.0.0.1:9")
        .env("LEANIX_INSECURE_LOOPBACK", "1")
        .env("LEANIX_API_TOKEN", &api_token())
        .run()
        .ok();
}

#[test]
fn a_broken_config_file_is_a_usage_error_without_echoing_it() {
    let cmd = Lx::bare(&["get", PAGE]).secret("leaky-token-value-55");
    write_config(
        &cmd.home().join(".config"),
        "api-token = \"leaky-token-value-55\"\n",
        0o600,
    );
    let run = cmd.run().expect(2);
    one_error_line(&run);
    assert_contains(&run.stderr, "config.toml");
    let missing = Lx::bare(&["get", PAGE, "--config", "/nonexistent/lx.toml"])
        .run()
        .expect(2);
    one_error_line(&missing);
}
