//! `lx-sandbox`: the LeanIX emulator as a process, for tests, demos and
//! benchmarks in any language.
//!
//! Prints the URL on the first line of stdout and, when no `--api-token` was
//! given, the generated admin and viewer API tokens on lines two and three.
//! Exits with status 0 on SIGTERM or SIGINT, and on end of input when stdin
//! is a pipe (so a harness that dies takes the sandbox with it).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use leanix_sandbox::Sandbox;

/// A faithful SAP LeanIX API emulator.
#[derive(Parser, Debug)]
#[command(name = "lx-sandbox", version, about, long_about = None)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// API token of an ADMIN technical user (repeatable). Without it, one is
    /// generated and printed on line 2.
    #[arg(long = "api-token", value_name = "TOKEN")]
    api_tokens: Vec<String>,
    /// API token of a VIEWER technical user. Without it, one is generated
    /// (printed on line 3 when no --api-token is given).
    #[arg(long, value_name = "TOKEN")]
    viewer_token: Option<String>,
    /// Access-token lifetime in seconds (`expires_in`).
    #[arg(long, value_name = "SECS", default_value_t = 3599,
          value_parser = clap::value_parser!(u64).range(1..))]
    token_lifetime: u64,
    /// Requests per minute per technical user before 429 (default: no limit).
    #[arg(long, value_name = "PER_MINUTE")]
    rate_limit: Option<u32>,
    /// Serve HTTPS (https://localhost:PORT) with a certificate from a CA generated at start.
    #[arg(long)]
    tls: bool,
    /// Write the generated CA certificate (PEM) to this file.
    #[arg(long, value_name = "FILE", requires = "tls")]
    ca_out: Option<PathBuf>,
    /// Disable the /_sandbox/ control API.
    #[arg(long)]
    no_control: bool,
    /// Number of fact sheets to seed.
    #[arg(long, value_name = "N", default_value_t = leanix_sandbox::DEFAULT_FACT_SHEETS)]
    fact_sheets: usize,
    /// Also serve the API on a second port, "the instance", and issue tokens
    /// whose instanceUrl claim names it (see GET /_sandbox/info).
    #[arg(long)]
    instance_listener: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Signal handlers go in before the URL is printed: whoever reads the URL
    // may signal us at once.
    let exit = match ExitSignals::install() {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("lx-sandbox: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut builder = Sandbox::builder()
        .host(args.host.clone())
        .port(args.port)
        .fact_sheets(args.fact_sheets)
        .tls(args.tls)
        .control_api(!args.no_control)
        .rate_limit_per_minute(args.rate_limit)
        .instance_listener(args.instance_listener)
        .token_lifetime(Duration::from_secs(args.token_lifetime));
    for token in &args.api_tokens {
        builder = builder.api_token(token.clone());
    }
    if let Some(viewer) = &args.viewer_token {
        builder = builder.viewer_api_token(viewer.clone());
    }
    let sandbox = match builder.start() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("lx-sandbox: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let (Some(path), Some(pem)) = (&args.ca_out, sandbox.ca_pem()) {
        if let Err(e) = std::fs::write(path, pem) {
            eprintln!("lx-sandbox: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }

    let mut out = std::io::stdout().lock();
    let mut lines = vec![sandbox.url().to_owned()];
    if args.api_tokens.is_empty() {
        lines.push(sandbox.api_token().to_owned());
        lines.push(sandbox.viewer_api_token().to_owned());
    }
    for line in lines {
        // A closed stdout is no reason to stop serving.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
    drop(out);

    exit.wait();
    drop(sandbox);
    ExitCode::SUCCESS
}

/// The ways the process is asked to stop, registered up front.
struct ExitSignals {
    runtime: tokio::runtime::Runtime,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl ExitSignals {
    fn install() -> std::io::Result<ExitSignals> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let _guard = runtime.enter();
            let term = signal(SignalKind::terminate())?;
            let int = signal(SignalKind::interrupt())?;
            drop(_guard);
            Ok(ExitSignals { runtime, term, int })
        }
        #[cfg(not(unix))]
        Ok(ExitSignals { runtime })
    }

    /// Blocks until SIGTERM, SIGINT, or end of input on a piped stdin.
    fn wait(self) {
        let ExitSignals {
            runtime,
            #[cfg(unix)]
            mut term,
            #[cfg(unix)]
            mut int,
        } = self;
        runtime.block_on(async {
            let stdin_eof = stdin_pipe_closed();
            #[cfg(unix)]
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
                _ = stdin_eof => {}
            }
            #[cfg(not(unix))]
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = stdin_eof => {}
            }
        });
    }
}

/// Resolves when stdin, if it is a pipe, reaches end of input; never otherwise.
async fn stdin_pipe_closed() {
    if !stdin_is_pipe() {
        return std::future::pending().await;
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("stdin-watch".to_owned())
        .spawn(move || {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 1024];
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            let _ = tx.send(());
        });
    if spawned.is_err() {
        return std::future::pending().await;
    }
    let _ = rx.await;
}

#[cfg(unix)]
fn stdin_is_pipe() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let stdin = std::io::stdin();
    let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .map(|m| m.file_type().is_fifo())
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn stdin_is_pipe() -> bool {
    false
}
