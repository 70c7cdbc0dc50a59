//! `lx webhooks list|create|delete|pull`.
//!
//! `pull` is the at-least-once consumer of the core library: each event is printed as one JSON
//! line (or handed to `--exec CMD` on its stdin) and the subscription's cursor moves past it
//! only once that succeeded. Nothing is stored locally: a second run resumes from the server's
//! cursor. With `--follow`, SIGINT or SIGTERM stops it cleanly (what was handled is committed).

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use leanix::{Cancel, ConsumeError, NewSubscription, PayloadMode, WebhookEvent};
use serde_json::Value;

use crate::args::{GlobalOpts, WebhooksCommand, WebhooksCreateArgs, WebhooksPullArgs};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{verbose, write_error, Output};
use crate::session::Session;

/// Runs a `lx webhooks` subcommand.
pub fn run(opts: &GlobalOpts, output: Output, command: &WebhooksCommand) -> CliResult {
    if output.include {
        return Err(CliError::usage(
            "--include does not apply to lx webhooks; use lx -i get /services/webhooks/v1/subscriptions",
        ));
    }
    match command {
        WebhooksCommand::List => {
            let session = Session::open(opts, opts.sandbox)?;
            let subs: Vec<Value> = session
                .client
                .webhooks()
                .list()?
                .into_iter()
                .map(|s| s.raw)
                .collect();
            output.json(&Value::Array(subs))
        }
        WebhooksCommand::Create(args) => {
            let spec = spec(args)?;
            let session = Session::open(opts, opts.sandbox)?;
            let sub = session.client.webhooks().create(&spec)?;
            output.json(&sub.raw)
        }
        WebhooksCommand::Delete { id } => {
            let session = Session::open(opts, opts.sandbox)?;
            session.client.webhooks().delete(id)?;
            verbose(&format!("deleted subscription {id}"));
            Ok(())
        }
        WebhooksCommand::Pull(args) => pull(opts, args),
    }
}

fn spec(args: &WebhooksCreateArgs) -> CliResult<NewSubscription> {
    let mut tag_sets = Vec::new();
    for set in &args.tag_sets {
        let tags: Vec<String> = set
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if tags.is_empty() {
            return Err(CliError::usage(format!(
                "--tag-set {set:?} has no tags; give e.g. pathfinder,FACT_SHEET_CREATED"
            )));
        }
        tag_sets.push(tags);
    }
    let payload_mode = match &args.payload_mode {
        None => PayloadMode::Default,
        Some(m) => PayloadMode::parse(m).ok_or_else(|| {
            CliError::usage(format!(
                "--payload-mode {m:?} is not DEFAULT or WRAPPED_EVENT"
            ))
        })?,
    };
    Ok(NewSubscription {
        identifier: args.identifier.clone(),
        tag_sets,
        workspace_id: args.workspace_id.clone(),
        workspace_constraint: None,
        payload_mode,
    })
}

/// The cancel handle SIGINT and SIGTERM fire while `pull --follow` runs.
static STOP: OnceLock<Cancel> = OnceLock::new();

extern "C" fn on_stop_signal(_: libc::c_int) {
    // Async-signal-safe: an atomic load, an atomic store and one write(2).
    if let Some(cancel) = STOP.get() {
        cancel.fire();
    }
}

fn install_stop_handlers(cancel: &Cancel) {
    let _ = STOP.set(cancel.clone());
    let handler = on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: installing a handler that only touches async-signal-safe state.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Why handling one event failed.
enum HandlerError {
    /// Writing to stdout failed.
    Output(CliError),
    /// The `--exec` command could not run or did not exit 0.
    Exec(String),
}

fn print_event(event: &WebhookEvent) -> Result<(), HandlerError> {
    let text = serde_json::to_vec(&event.raw).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    out.write_all(&text)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| HandlerError::Output(write_error(e)))
}

fn exec_event(command: &str, event: &WebhookEvent) -> Result<(), HandlerError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("LX_WEBHOOK_OFFSET", event.offset.to_string())
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| HandlerError::Exec(format!("cannot run sh -c {command:?}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut text = serde_json::to_vec(&event.raw).unwrap_or_default();
        text.push(b'\n');
        // A command that does not read its input is its own business.
        let _ = stdin.write_all(&text);
    }
    let status = child
        .wait()
        .map_err(|e| HandlerError::Exec(format!("cannot wait for the command: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(HandlerError::Exec(format!(
            "the command ended with {status} on the event at offset {}",
            event.offset
        )))
    }
}

fn pull(opts: &GlobalOpts, args: &WebhooksPullArgs) -> CliResult {
    let session = Session::open(opts, opts.sandbox)?;
    let cancel = Cancel::new();
    if args.follow {
        install_stop_handlers(&cancel);
    }
    let consumer = session
        .client
        .webhooks()
        .cancel_on(&cancel)
        .consumer(&args.subscription)
        .follow(args.follow);
    let result = consumer.for_each_event(|event| match &args.exec {
        None => print_event(event),
        Some(command) => exec_event(command, event),
    });
    match result {
        Ok(done) => {
            verbose(&format!(
                "{} event(s) handled; cursor {}{}",
                done.events,
                done.committed
                    .map_or_else(|| "unchanged".to_owned(), |c| format!("at {c}")),
                if done.cancelled { "; stopped" } else { "" }
            ));
            Ok(())
        }
        Err(ConsumeError::Handler {
            error: HandlerError::Output(e),
            ..
        }) => Err(e),
        Err(ConsumeError::Handler {
            offset,
            error: HandlerError::Exec(message),
            ..
        }) => Err(CliError::new(
            Exit::Other,
            format!(
                "{message}; the cursor stays at offset {offset}, so this event comes again on the next pull"
            ),
        )),
        Err(ConsumeError::Client(e)) => Err(e.into()),
    }
}
