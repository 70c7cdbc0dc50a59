//! `lx ldif run FILE [--test] [--no-wait]`, `lx ldif status|warnings|results|stop ID` and
//! `lx ldif config get|put|delete`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use leanix::integration::{RunOptions, RunResult, RunStatus};
use serde_json::Value;

use crate::args::{ConfigKeys, GlobalOpts, LdifArgs, LdifCommand, LdifConfigCommand};
use crate::exit::{CliError, CliResult, Exit};
use crate::input::{one_stdin, Input};
use crate::output::{verbose, Output};
use crate::progress::Progress;
use crate::session::Session;

/// Runs an `lx ldif` subcommand.
pub fn run(opts: &GlobalOpts, output: Output, args: &LdifArgs) -> CliResult {
    if output.include {
        return Err(CliError::usage(
            "--include does not apply to lx ldif (it prints results, not HTTP exchanges)",
        ));
    }
    match &args.command {
        LdifCommand::Run(a) => {
            let ldif = read_json(opts, &a.file, "the LDIF")?;
            let session = Session::open(opts, opts.sandbox)?;
            let options = RunOptions::new().test(a.test).wait(!a.no_wait);
            let items = (!a.no_wait).then(|| Some(content_items(&ldif)));
            follow(output, opts.timeout, options, items, |options| {
                session.client.run_ldif(&ldif, options)
            })
        }
        LdifCommand::Wait(a) => {
            let session = Session::open(opts, opts.sandbox)?;
            let options = RunOptions::new().fetch_results(a.results);
            follow(output, opts.timeout, options, Some(None), |options| {
                session.client.wait_run(&a.id, options)
            })
        }
        LdifCommand::Status(a) => {
            let session = Session::open(opts, opts.sandbox)?;
            output.json(&session.client.run_status(&a.id)?)
        }
        LdifCommand::Warnings(a) => {
            let session = Session::open(opts, opts.sandbox)?;
            let warnings = session.client.run_warnings(&a.id)?;
            output.json(&Value::Array(warnings.into_iter().map(|w| w.raw).collect()))
        }
        LdifCommand::Results(a) => {
            let session = Session::open(opts, opts.sandbox)?;
            match session.client.run_results(&a.id)? {
                Some(ldif) => output.json(&ldif),
                None => no_results(&session, output, &a.id),
            }
        }
        LdifCommand::Stop(a) => {
            let session = Session::open(opts, opts.sandbox)?;
            session.client.stop_run(&a.id)?;
            output.json(&session.client.run_status(&a.id)?)
        }
        LdifCommand::Config(c) => config(opts, output, &c.command),
    }
}

/// The answer to `lx ldif results` after a `204`: the run's status tells whether its output
/// may still come. An ended run with none (an inbound run has no output LDIF; so has a run
/// that ended FAILED or STOPPED) prints `null` (exit 0); a run still going exits 1.
fn no_results(session: &Session, output: Output, id: &str) -> CliResult {
    let status = session.client.run_status(id)?;
    let name = status["status"].as_str().unwrap_or("");
    let status = RunStatus::parse(name);
    if status.is_terminal() {
        verbose(&format!(
            "run {id} ended {status} without an output LDIF (an inbound run has none)"
        ));
        return output.json(&Value::Null);
    }
    Err(CliError::new(
        Exit::Other,
        format!(
            "the results of run {id} are not ready (204): the run is {}; ask again once it ended",
            if name.is_empty() {
                "in an unknown state"
            } else {
                name
            }
        ),
    ))
}

/// A JSON object from a file (`PATH`, also `@PATH`) or standard input (`-`).
fn read_json(opts: &GlobalOpts, file: &str, what: &str) -> CliResult<Value> {
    let input = match Input::parse(file) {
        Input::Inline(path) => Input::File(path),
        other => other,
    };
    one_stdin(&[
        (&format!("{what} -"), input.is_stdin()),
        ("--api-token-stdin", opts.api_token_stdin),
    ])?;
    let text = input.read_text(what)?;
    match serde_json::from_str::<Value>(&text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(CliError::usage(format!("{what} must be a JSON object"))),
        Err(e) => Err(CliError::usage(format!("{what} is not valid JSON: {e}"))),
    }
}

/// The number of content items of an LDIF (what the progress line counts against).
fn content_items(ldif: &Value) -> usize {
    ldif.get("content")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// The progress line of a wait on a terminal: `None`, none (`--no-wait`); `Some(items)`, a
/// line with the LDIF's count of content items when it is known.
type ProgressLine = Option<Option<usize>>;

/// Waits for a run (`wait` starts or resumes it with the options) and prints the result JSON,
/// also for a failed run (then exit 7 with the reason on stderr), a deadline (exit 5) or a
/// signal (exit 130/143): the run goes on at LeanIX, and its id is printed to pick it up
/// again.
fn follow(
    output: Output,
    timeout: Option<f64>,
    mut options: RunOptions,
    line: ProgressLine,
    wait: impl FnOnce(RunOptions) -> Result<RunResult, leanix::Error>,
) -> CliResult {
    if let Some(secs) = timeout {
        options = options.timeout(Duration::from_secs_f64(secs));
    }
    // A signal ends the wait through its cancel handle, not by closing the client, so that
    // the run as last seen comes back with the error and is printed.
    crate::interrupt::stop_gracefully();
    options = options.cancel_on(crate::interrupt::cancel());
    let progress = Arc::new(Mutex::new(Progress::stderr()));
    if let (Some(items), true) = (line, progress.lock().unwrap().enabled()) {
        let shown = Arc::clone(&progress);
        options = options.on_progress(move |r| {
            shown.lock().unwrap().show(&render(r, items));
        });
    }
    let result = wait(options);
    progress.lock().unwrap().finish();
    match result {
        Ok(run) => {
            crate::output::verbose(&format!(
                "LDIF run {} {} after {} status poll(s)",
                run.id, run.status, run.polls
            ));
            output.json(&run.to_json())
        }
        Err(e) => {
            if let Some(run) = e.run_result() {
                output.json(&run.to_json())?;
                let stopped_waiting = matches!(
                    e.kind(),
                    leanix::ErrorKind::Timeout | leanix::ErrorKind::Cancelled
                );
                if stopped_waiting && !run.id.is_empty() && !run.status.is_terminal() {
                    // Only the wait ended: say so before the reason.
                    eprintln!(
                        "lx: LDIF run {id} goes on at LeanIX; lx ldif wait {id} picks it up again",
                        id = run.id
                    );
                }
            }
            Err(e.into())
        }
    }
}

/// The progress line: `lx: LDIF run <id>: IN_PROGRESS, 3/10 items, 2 warnings, poll 4` (the
/// total of items only when the LDIF is at hand).
pub fn render(run: &RunResult, items: Option<usize>) -> String {
    let mut line = format!("lx: LDIF run {}: {}", run.id, run.status);
    if let Some(p) = &run.progress {
        let total = items.map_or(String::new(), |n| format!("/{n}"));
        line.push_str(&format!(
            ", {}{total} items, {} warning{}",
            p.processed_content_count,
            p.warnings_count,
            if p.warnings_count == 1 { "" } else { "s" }
        ));
    }
    line.push_str(&format!(", poll {}", run.polls));
    line
}

fn keys(k: &ConfigKeys) -> Vec<(&'static str, &str)> {
    [
        ("connectorType", &k.connector_type),
        ("connectorId", &k.connector_id),
        ("connectorVersion", &k.connector_version),
        ("processingDirection", &k.direction),
        ("processingMode", &k.mode),
    ]
    .into_iter()
    .filter_map(|(key, v)| v.as_deref().map(|v| (key, v)))
    .collect()
}

fn config(opts: &GlobalOpts, output: Output, command: &LdifConfigCommand) -> CliResult {
    match command {
        LdifConfigCommand::Get(k) => {
            let session = Session::open(opts, opts.sandbox)?;
            output.json(&session.client.get_configurations(&keys(k))?)
        }
        LdifConfigCommand::Put { file } => {
            let configuration = read_json(opts, file, "the configuration")?;
            let session = Session::open(opts, opts.sandbox)?;
            session.client.put_configuration(&configuration)?;
            crate::output::verbose("processor configuration stored");
            Ok(())
        }
        LdifConfigCommand::Delete(k) => {
            let mut keys = keys(k);
            if k.mode.is_none() {
                keys.push(("processingMode", "partial"));
            }
            let session = Session::open(opts, opts.sandbox)?;
            session.client.delete_configuration(&keys)?;
            crate::output::verbose("processor configuration deleted");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leanix::integration::{RunProgress, RunStatus};
    use serde_json::json;

    #[test]
    fn the_progress_line() {
        let mut run = RunResult {
            id: "r-1".into(),
            status: RunStatus::InProgress,
            progress: None,
            warnings: Vec::new(),
            results: None,
            polls: 4,
        };
        assert_eq!(
            render(&run, Some(10)),
            "lx: LDIF run r-1: IN_PROGRESS, poll 4"
        );
        run.progress = Some(RunProgress::from_json(
            json!({"processedContentCount": 3, "warningsCount": 1}),
        ));
        assert_eq!(
            render(&run, Some(10)),
            "lx: LDIF run r-1: IN_PROGRESS, 3/10 items, 1 warning, poll 4"
        );
    }
}
