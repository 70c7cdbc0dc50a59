//! `leanix-bench`: the Rust side of the benchmark harness (see bench/README.md).
//!
//! Each subcommand runs one measurement and prints one JSON object on stdout; `bench/run.sh`
//! drives it, the C programs, wrk, curl and the Python and Java benches against one `lx-sandbox`.
//!
//! ```text
//! leanix-bench load --subject raw|async|blocking [--threads N] [--warmup S] [--seconds S] [target]
//! leanix-bench refresh --mode ahead|expiry [--rate R | --threads N] [--seconds S] [target]
//! leanix-bench static-server --body-file FILE
//! target: --url URL --api-token T [--access-token AT] [--path P]   (none: in-process sandbox)
//! ```

mod analysis;
mod latency;
mod load;
mod refresh;
mod rusage;
mod static_server;
mod subject;
mod target;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};

use crate::load::Window;
use crate::subject::{AsyncClient, SubjectKind};
use crate::target::{Target, TargetArgs};

/// The error type of the benchmarks: anything, with its message.
pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Benchmarks of the leanix client against lx-sandbox; prints JSON"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Closed-loop GETs: throughput and latency percentiles of one client.
    Load {
        /// The client under test.
        #[arg(long, value_enum)]
        subject: SubjectKind,
        /// Workers sharing the client (threads for blocking, tasks otherwise).
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Unmeasured seconds first.
        #[arg(long, default_value_t = 1.0)]
        warmup: f64,
        /// Measured seconds.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Latencies and token exchanges across several token lifetimes.
    Refresh {
        /// Refresh ahead of expiry (the default policy) or on expiry only.
        #[arg(long, value_enum)]
        mode: refresh::Mode,
        /// Open loop at this many requests per second (async client); without it, a closed
        /// loop with --threads threads (blocking client).
        #[arg(long)]
        rate: Option<f64>,
        /// Threads of the closed loop.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Seconds to run (make it several token lifetimes).
        #[arg(long, default_value_t = 13.0)]
        seconds: f64,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Serves a file's bytes to every request on 127.0.0.1 until stdin closes; prints the URL.
    StaticServer {
        /// The body to serve.
        #[arg(long)]
        body_file: PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(Some(v)) => {
            use std::io::Write;
            let _ = writeln!(std::io::stdout(), "{v}");
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("leanix-bench: {e}");
            std::process::exit(1);
        }
    }
}

fn run(command: Command) -> Res<Option<Value>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match command {
        Command::Load {
            subject,
            threads,
            warmup,
            seconds,
            target,
        } => {
            let mut target = rt.block_on(Target::resolve(&target))?;
            let window = Window {
                warmup: Duration::from_secs_f64(warmup),
                seconds: Duration::from_secs_f64(seconds),
            };
            let outcome = match subject {
                SubjectKind::Blocking => {
                    let client = subject::core_builder(&target).build_blocking()?;
                    let path = target.path.clone();
                    load::run_threads(threads, window, || {
                        let (client, path) = (client.clone(), path.clone());
                        move || Ok(client.get(&path)?.body().len())
                    })?
                }
                SubjectKind::Raw | SubjectKind::Async => rt.block_on(async {
                    let client = if subject == SubjectKind::Raw {
                        AsyncClient::raw(&mut target).await?
                    } else {
                        AsyncClient::core(&target, |b| b)?
                    };
                    // The loop runs in a task on a worker, as in a #[tokio::main] service.
                    tokio::spawn(load::run_tasks(threads, window, client)).await?
                })?,
            };
            let s = outcome.samples.summary();
            let mut v = json!({
                "bench": "load",
                "subject": subject.name(),
                "threads": threads,
                "requests": s.count,
                "seconds": (outcome.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                "rps": (outcome.rps() * 10.0).round() / 10.0,
                "latency": s.to_json(),
                "usage": outcome.usage.0.per_request(outcome.usage.1, s.count),
            });
            if let Some(n) = target.sandbox_exchanges() {
                v["sandbox_exchanges"] = json!(n);
            }
            Ok(Some(v))
        }
        Command::Refresh {
            mode,
            rate,
            threads,
            seconds,
            target,
        } => {
            let target = rt.block_on(Target::resolve(&target))?;
            let mut v = match rate {
                Some(rate) => rt.block_on(async {
                    let t = &target;
                    refresh::paced(t, mode, rate, seconds).await
                })?,
                None => refresh::closed(&target, mode, threads, seconds)?,
            };
            if let Some(n) = target.sandbox_exchanges() {
                v["sandbox_exchanges"] = json!(n);
            }
            Ok(Some(v))
        }
        Command::StaticServer { body_file } => {
            drop(rt);
            static_server::serve(std::fs::read(body_file)?)?;
            Ok(None)
        }
    }
}
