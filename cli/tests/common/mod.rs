//! Helpers for the end-to-end tests: run the built `lx` against a sandbox started in the test
//! process, in an isolated environment, and check that no secret leaks into its output.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine;
use leanix_sandbox::Sandbox;

/// The sandbox shared by the tests of one test binary.
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| Sandbox::start().expect("the sandbox starts"))
}

/// The sandbox's URL.
pub fn url() -> String {
    sandbox().url().to_string()
}

/// The sandbox's API token.
pub fn api_token() -> String {
    sandbox().api_token().to_string()
}

/// What one run of `lx` produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing the output if it differs.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\nstdout: {}\nstderr: {}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit `code` and that stderr contains `needle` (showing the output if not).
    #[track_caller]
    pub fn expect_stderr(self, code: i32, needle: &str) -> Run {
        let run = self.expect(code);
        assert_contains(&run.stderr, needle);
        run
    }

    /// Asserts success.
    pub fn ok(self) -> Run {
        self.expect(0)
    }

    /// Asserts a failure: exit `code`, nothing on stdout, and exactly `message` on stderr
    /// (its final newline aside).
    #[track_caller]
    pub fn fails(self, code: i32, message: &str) -> Run {
        let run = self.expect(code);
        assert_eq!(run.stdout, "", "nothing is printed on stdout on a failure");
        assert_eq!(run.stderr.trim_end(), message);
        run
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// A paged GraphQL query of 2 fact sheets a page (for `lx graphql --all`).
pub const PAGED_QUERY: &str = "query($after: String) { allFactSheets(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }";

/// A command line for `lx` with a clean environment: no proxy variables, a private empty HOME,
/// and by default `LEANIX_HOST` / `LEANIX_API_TOKEN` of the shared sandbox plus
/// `--insecure-loopback`.
pub struct Lx {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    home: tempfile::TempDir,
    cwd: Option<PathBuf>,
    /// Skip the secret check on stdout (only for `lx token`).
    stdout_may_hold_token: bool,
    /// API tokens whose values must not appear in the output.
    secrets: Vec<String>,
}

/// `lx ARGS...` against the shared sandbox.
pub fn lx(args: &[&str]) -> Lx {
    lx_on(sandbox(), args)
}

/// `lx ARGS...` against the given sandbox.
pub fn lx_on(sandbox: &Sandbox, args: &[&str]) -> Lx {
    let mut cmd = Lx::bare(args);
    cmd.env
        .push(("LEANIX_HOST".into(), sandbox.url().to_string()));
    cmd.env
        .push(("LEANIX_API_TOKEN".into(), sandbox.api_token().to_string()));
    cmd.args.insert(0, "--insecure-loopback".into());
    cmd.secrets.push(sandbox.api_token().to_string());
    cmd
}

impl Lx {
    /// `lx ARGS...` with no host or token configured and a fresh HOME.
    pub fn bare(args: &[&str]) -> Lx {
        Lx {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            stdin: None,
            home: tempfile::tempdir().expect("temp dir"),
            cwd: None,
            stdout_may_hold_token: false,
            secrets: Vec::new(),
        }
    }

    /// Puts an argument before the others (a global flag).
    pub fn arg_first(mut self, arg: &str) -> Lx {
        self.args.insert(0, arg.into());
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Lx {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        if key == "LEANIX_API_TOKEN" {
            self.secrets.push(value.into());
        }
        self
    }

    /// Removes an environment variable set by [`lx`].
    pub fn env_remove(mut self, key: &str) -> Lx {
        self.env.retain(|(k, _)| k != key);
        self
    }

    /// Feeds standard input.
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Lx {
        self.stdin = Some(data.into());
        self
    }

    /// Runs in this directory.
    pub fn cwd(mut self, dir: &Path) -> Lx {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    /// The private HOME of this run.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Declares another secret that must not leak.
    pub fn secret(mut self, s: &str) -> Lx {
        self.secrets.push(s.into());
        self
    }

    /// Allows the access token on stdout (for `lx token` itself).
    pub fn token_on_stdout(mut self) -> Lx {
        self.stdout_may_hold_token = true;
        self
    }

    /// The command line of this run, stderr piped; stdin and stdout as given.
    fn command(&self, stdin: Stdio, stdout: Stdio) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lx"));
        cmd.args(&self.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("TZ", "UTC")
            .stdin(stdin)
            .stdout(stdout)
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        cmd
    }

    /// Starts `lx` and leaves it running (for tests that signal it or feed it as it goes);
    /// the private HOME must be kept as long as it runs. No secret check: the caller reads
    /// its output.
    pub fn spawn(self, stdin: Stdio, stdout: Stdio) -> (Child, tempfile::TempDir) {
        let child = self.command(stdin, stdout).spawn().expect("lx starts");
        (child, self.home)
    }

    /// Runs `lx` and checks that no secret appears in what it printed.
    pub fn run(self) -> Run {
        let stdin = if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let mut child = self
            .command(stdin, Stdio::piped())
            .spawn()
            .expect("lx starts");
        if let Some(data) = &self.stdin {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            // lx may exit (or not read stdin at all) before taking everything: that is its
            // behaviour under test, not a harness failure.
            if let Err(e) = pipe.write_all(data) {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
            }
        }
        let out = child.wait_with_output().expect("lx finishes");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        for secret in &self.secrets {
            assert_no_secret(&run, secret, &self.args);
        }
        if !self.stdout_may_hold_token {
            assert_no_jwt(&run.stdout, "stdout", &self.args);
        }
        assert_no_jwt(&run.stderr, "stderr", &self.args);
        run
    }
}

/// `base64("apitoken:" + token)`: the Basic credential of the token exchange.
pub fn basic_value(api_token: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("apitoken:{api_token}"))
}

fn assert_no_secret(run: &Run, api_token: &str, args: &[String]) {
    let basic = basic_value(api_token);
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(api_token),
            "lx {args:?} printed the API token on {name}"
        );
        assert!(
            !text.contains(&basic),
            "lx {args:?} printed the Basic credential on {name}"
        );
    }
}

/// Fails if `text` holds something shaped like a JWT (three base64url parts, the first one
/// starting with `eyJ`): an access token. Paging cursors have no dots and do not match.
pub fn assert_no_jwt(text: &str, name: &str, args: &[String]) {
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        let candidate: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        let parts: Vec<&str> = candidate.split('.').collect();
        assert!(
            !(parts.len() == 3 && parts.iter().all(|p| p.len() >= 10)),
            "lx {args:?} printed an access token on {name}"
        );
        rest = &rest[at + 3..];
    }
}

/// Decodes the payload of a JWT.
pub fn jwt_payload(token: &str) -> serde_json::Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {token:.20}…");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

/// Runs `lx token` and returns the access token.
pub fn access_token() -> String {
    let run = lx(&["token"]).token_on_stdout().run().ok();
    run.stdout.trim().to_owned()
}

/// A file in a fresh temporary directory (kept alive by the returned guard).
pub fn temp_file(name: &str, contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write temp file");
    (dir, path)
}

/// Writes `text` as the default configuration file under `home` (mode 0600) and returns its
/// path.
pub fn write_home_config(home: &Path, text: &str) -> PathBuf {
    let dir = home.join(".config").join("leanix");
    std::fs::create_dir_all(&dir).expect("config dir");
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("write config");
    chmod(&path, 0o600);
    path
}

/// Sets a file's Unix permission bits.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// How many fact sheets the sandbox holds, through the REST API with `lx get`.
pub fn rest_total() -> u64 {
    let run = lx(&["get", "/services/pathfinder/v1/factSheets?pageSize=1"])
        .run()
        .ok();
    run.json()["total"].as_u64().expect("total")
}

/// Runs `shell -c SCRIPT` with `$LX` naming the built `lx`, a clean environment (PATH, a private
/// HOME) plus `env`.
pub fn lx_script(shell: &str, script: &str, env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(shell);
    cmd.arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("LX", env!("CARGO_BIN_EXE_lx"))
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the shell runs")
}

/// [`lx_script`] against `sandbox`: its host and API token, loopback allowed.
pub fn lx_script_on(sandbox: &Sandbox, shell: &str, script: &str) -> Output {
    lx_script(
        shell,
        script,
        &[
            ("LEANIX_HOST", sandbox.url()),
            ("LEANIX_API_TOKEN", sandbox.api_token()),
            ("LEANIX_INSECURE_LOOPBACK", "1"),
        ],
    )
}

/// Sends `signal` to the child, waits for it, and returns its output and the time it took.
pub fn signal_and_wait(child: Child, signal: i32) -> (Output, Duration) {
    let sent = Instant::now();
    // SAFETY: a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let out = child.wait_with_output().unwrap();
    (out, sent.elapsed())
}

/// Waits (bounded, 30 s) until `until` holds, without sleeping.
pub fn wait_for(what: &str, mut until: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !until() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::yield_now();
    }
}

/// Asserts that `text` (an output of `lx`) contains `needle`, showing the text if not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{text}");
}
