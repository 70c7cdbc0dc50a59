//! Files that are not regular files (a FIFO, `/dev/zero`) are refused at once, the rate and
//! size limits reach the client from flags and the config file, and `-v` bounds long paths.

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};

const PAGE: &str = "/services/pathfinder/v1/factSheets?pageSize=1";

/// Makes a FIFO with the system's `mkfifo`.
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `cmd`, failing the test if it has not finished within a generous bound (a hang is the
/// defect under test). On a hang the FIFO is opened for writing and closed, so the blocked
/// `lx` sees end of file and exits instead of outliving the test.
fn run_or_fail_on_hang(cmd: Lx, fifo: &Path) -> Run {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || tx.send(cmd.run()).ok());
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(run) => {
            worker.join().unwrap();
            run
        }
        Err(_) => {
            let _ = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(fifo);
            panic!("lx did not finish within 30 s: it blocked on the FIFO");
        }
    }
}

#[test]
fn a_fifo_or_device_as_ca_token_or_config_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ff");
    mkfifo(&fifo);
    let fifo_s = fifo.to_str().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "ca_file = \"ff\"\n").unwrap();
    chmod(&config, 0o600);
    let config_s = config.to_str().unwrap();

    let cases: [(&[&str], &str); 6] = [
        (&["--ca-file", fifo_s], "cannot read the CA file"),
        (&["--ca-file", "/dev/zero"], "cannot read the CA file"),
        (
            &["--api-token-file", fifo_s],
            "cannot read the API token file",
        ),
        (
            &["--api-token-file", "/dev/zero"],
            "cannot read the API token file",
        ),
        // A relative ca_file is relative to the config file: dir/ff, the FIFO.
        (&["--config", config_s], "cannot read the CA file"),
        (&["--config", fifo_s], "cannot read the config file"),
    ];
    for (flags, what) in cases {
        let mut args = flags.to_vec();
        args.extend(["get", PAGE]);
        let run = run_or_fail_on_hang(lx(&args), &fifo).expect(2);
        assert_eq!(run.stderr.lines().count(), 1, "{flags:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(what) && run.stderr.contains("not a regular file"),
            "{flags:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{flags:?}: {}", run.stdout);
    }
}

#[test]
fn an_api_token_file_past_the_bound_is_refused() {
    let big = vec![b'a'; leanix::policy::MAX_API_TOKEN_FILE_BYTES as usize + 1];
    let (_dir, path) = temp_file("token", &big);
    chmod(&path, 0o600);
    let run = lx(&["--api-token-file", path.to_str().unwrap(), "get", PAGE])
        .run()
        .expect(2);
    assert_contains(
        &run.stderr,
        &format!(
            "larger than {} bytes",
            leanix::policy::MAX_API_TOKEN_FILE_BYTES
        ),
    );
}

/// The rows of `lx config` that start with `label`.
fn config_row(run: &Run, label: &str) -> String {
    run.stdout
        .lines()
        .find(|l| l.starts_with(&format!("{label:<11} ")))
        .unwrap_or_else(|| panic!("no {label} row: {}", run.stdout))
        .to_owned()
}

#[test]
fn the_rate_settings_come_from_flags_then_the_file_then_core_defaults() {
    // Defaults: core's policy numbers.
    let run = lx(&["config"]).run().ok();
    assert!(config_row(&run, "rate").contains("no fixed limit (the default)"));
    assert!(config_row(&run, "pacing").contains(&format!(
        "{} (the default)",
        if leanix::policy::DEFAULT_ADAPTIVE_PACING {
            "on"
        } else {
            "off"
        }
    )));
    assert!(
        config_row(&run, "reauth").contains(&format!(
            "per {} s (the default)",
            leanix::policy::DEFAULT_REAUTH_INTERVAL.as_secs_f64()
        )),
        "{}",
        run.stdout
    );

    // The file.
    let (_dir, config) = temp_file(
        "config.toml",
        b"adaptive_pacing = false\nreauth_interval = 2.5\nmax_requests_per_minute = 90\n",
    );
    chmod(&config, 0o600);
    let config_s = config.to_str().unwrap();
    let run = lx(&["--config", config_s, "config"]).run().ok();
    let from_file = format!("(from config file {config_s})");
    for (label, value) in [
        ("rate", "at most 90 requests per minute"),
        ("pacing", "off"),
        ("reauth", "2.5 s"),
    ] {
        let row = config_row(&run, label);
        assert!(
            row.contains(&format!("{value} {from_file}")),
            "{label}: {row}"
        );
    }

    // Flags win over the file.
    let run = lx(&[
        "--config",
        config_s,
        "--max-requests-per-minute",
        "5",
        "--reauth-interval",
        "3",
        "--no-adaptive-pacing",
        "config",
    ])
    .run()
    .ok();
    assert!(config_row(&run, "rate")
        .contains("at most 5 requests per minute (from flag --max-requests-per-minute)"));
    assert!(config_row(&run, "pacing").contains("off (from flag --no-adaptive-pacing)"));
    assert!(config_row(&run, "reauth").contains("3 s (from flag --reauth-interval)"));

    // Values that cannot be used: exit 2 with the key named.
    for (text, key) in [
        ("max_requests_per_minute = 0\n", "max_requests_per_minute"),
        ("reauth_interval = -1\n", "reauth_interval"),
        ("adaptive_pacing = \"no\"\n", "config file"),
    ] {
        let (_dir, bad) = temp_file("config.toml", text.as_bytes());
        chmod(&bad, 0o600);
        let run = lx(&["--config", bad.to_str().unwrap(), "config"])
            .run()
            .expect(2);
        assert!(run.stderr.contains(key), "{text}: {}", run.stderr);
    }
    for flag in ["--reauth-interval", "--max-requests-per-minute"] {
        lx(&[flag, "0", "config"]).run().expect(2);
    }
}

#[test]
fn max_requests_per_minute_holds_back_a_request_that_would_wait_past_the_deadline() {
    let sb = Sandbox::start().unwrap();
    // One request a minute: the first page goes out, the second would wait about 60 s, past
    // the page's 5 s deadline, so it fails at once without being sent.
    lx_on(
        &sb,
        &[
            "--max-requests-per-minute",
            "1",
            "--timeout",
            "5",
            "get",
            "--paginate",
            PAGE,
        ],
    )
    .run()
    .expect_stderr(4, "was not sent");
    assert_eq!(
        sb.stats().total(Endpoint::FactSheets),
        1,
        "exactly one page was sent"
    );
    // Without the flag, the same walk's second page goes out (a 2-item walk would be long on
    // the sandbox's 3000 fact sheets: one plain get shows the flag is what held it back).
    lx_on(&sb, &["--max-requests-per-minute", "1", "get", PAGE])
        .run()
        .ok();
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 2);
}

#[test]
fn max_response_bytes_fails_a_larger_body_with_exit_6() {
    let sb = Sandbox::start().unwrap();
    sb.inject(Endpoint::FactSheets, Fault::LargeBody(100_000), 1);
    let run = lx_on(&sb, &["--max-response-bytes", "10000", "get", PAGE])
        .run()
        .expect(6);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("max_response_bytes") && run.stderr.contains("10000 bytes"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // The same body within a larger limit is printed.
    sb.inject(Endpoint::FactSheets, Fault::LargeBody(100_000), 1);
    let run = lx_on(&sb, &["--max-response-bytes", "200000", "get", PAGE])
        .run()
        .ok();
    assert!(run.stdout.len() >= 100_000, "{}", run.stdout.len());
}

#[test]
fn verbose_bounds_a_long_path_and_keeps_query_values_out() {
    let long = format!(
        "/services/pathfinder/v1/factSheets/{}?secret=hunter2",
        "a".repeat(120 * 1024)
    );
    let run = lx(&["-v", "get", &long]).secret("hunter2").run();
    assert_ne!(run.code, 0, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("GET /services/pathfinder/v1/factSheets/"))
        .unwrap_or_else(|| panic!("no request line: {:.2000}", run.stderr));
    assert!(
        line.len() < 400,
        "the request line has {} bytes",
        line.len()
    );
    assert!(
        line.contains(&format!(
            "… ({} bytes)",
            long.len() - "hunter2".len() + "…".len()
        )),
        "{line}"
    );
    assert!(
        run.stderr.len() < 4096,
        "stderr has {} bytes",
        run.stderr.len()
    );
}
