//! Signals end a call at once, a closed standard output is an error (not a silent success),
//! and values that may be secrets are never echoed as a host.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{lx, lx_on, Lx};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

/// How long `lx` may take to end after a signal, on a busy machine.
const PROMPT: Duration = Duration::from_millis(1500);

fn stalled_lx(sb: &Sandbox) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_lx"))
        .args([
            "--insecure-loopback",
            "get",
            "/services/pathfinder/v1/factSheets?pageSize=1",
        ])
        .env_clear()
        .env("LEANIX_HOST", sb.url())
        .env("LEANIX_API_TOKEN", sb.api_token())
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits (bounded) until the sandbox has seen the token exchange, so the GET is on its way.
fn wait_for_exchange(sb: &Sandbox) {
    let until = Instant::now() + Duration::from_secs(30);
    while sb.stats().token_exchanges == 0 {
        assert!(Instant::now() < until, "lx never exchanged its token");
        std::thread::yield_now();
    }
}

#[test]
fn sigint_and_sigterm_end_a_stalled_call_at_once() {
    for (signal, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM")] {
        let sb = Sandbox::start().unwrap();
        sb.inject(
            Endpoint::FactSheets,
            Fault::Stall(Duration::from_secs(60)),
            1,
        );
        let mut child = stalled_lx(&sb);
        wait_for_exchange(&sb);
        let sent = Instant::now();
        // SAFETY: a signal to our own child process.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let status = child.wait().unwrap();
        let took = sent.elapsed();
        // Ended by the signal, so the shell reports 128 + n (130, 143).
        assert_eq!(status.signal(), Some(signal), "{name}: {status:?}");
        assert!(took < PROMPT, "{name}: {took:?}");
    }
}

#[test]
fn a_closed_stdout_is_an_error_and_a_closed_pipe_is_not() {
    let home = lx(&[]);
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$LX\" --insecure-loopback get '/services/pathfinder/v1/factSheets?pageSize=1' >&-")
        .env("LX", env!("CARGO_BIN_EXE_lx"))
        .env("LEANIX_HOST", common::url())
        .env("LEANIX_API_TOKEN", common::api_token())
        .env("HOME", home.home())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(23), "{status:?}");
    assert!(String::from_utf8_lossy(&status.stderr).contains("standard output is closed"));

    let piped = std::process::Command::new("bash")
        .arg("-c")
        .arg("\"$LX\" --insecure-loopback get '/services/pathfinder/v1/factSheets?pageSize=500' --pretty | head -c 10 >/dev/null; exit ${PIPESTATUS[0]}")
        .env("LX", env!("CARGO_BIN_EXE_lx"))
        .env("LEANIX_HOST", common::url())
        .env("LEANIX_API_TOKEN", common::api_token())
        .env("HOME", home.home())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(piped.status.success(), "{piped:?}");
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}

#[test]
fn a_token_given_as_the_host_is_never_echoed() {
    let token = common::api_token();
    // The two variables swapped.
    let run = Lx::bare(&["config"])
        .env("LEANIX_HOST", &token)
        .env("LEANIX_API_TOKEN", "acme.leanix.net")
        .secret(&token)
        .run();
    assert!(
        run.stdout.contains("shown as a fingerprint"),
        "{}",
        run.stdout
    );
    // And with -v, as --host.
    let run = lx_on(common::sandbox(), &["-v", "--host", &token, "get", "/x"])
        .secret(&token)
        .run();
    assert_ne!(run.code, 0);
}
