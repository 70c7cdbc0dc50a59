//! `lx webhooks list|create|delete|pull`.
//!
//! `pull` is the at-least-once consumer of the core library: each event is printed as one JSON
//! line (or handed to `--exec CMD` on its stdin) and the subscription's cursor moves past it
//! only once that succeeded. Nothing is stored locally: a second run resumes from the server's
//! cursor. With `--follow`, SIGINT or SIGTERM stops it cleanly (what was handled is committed).

use std::io::Write;
use std::process::{Command, Stdio};

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
    let workspace_constraint = match args.workspace_constraint.as_deref().map(str::trim) {
        None => None,
        Some("") => {
            return Err(CliError::usage(
                "--workspace-constraint is empty; leave it out for ANY",
            ))
        }
        Some(c) => Some(c.to_owned()),
    };
    Ok(NewSubscription {
        identifier: args.identifier.clone(),
        tag_sets,
        workspace_id: args.workspace_id.clone(),
        workspace_constraint,
        payload_mode,
    })
}

/// Why handling one event failed.
enum HandlerError {
    /// Writing to stdout failed (or its reader went away before taking the line).
    Output(CliError),
    /// The `--exec` command could not run or did not exit 0.
    Exec(String),
    /// A signal arrived while the reader had not taken the line yet.
    Stopped,
}

/// Prints one event as a JSON line. It counts as handled once written and, when stdout is a
/// pipe, once the reader has taken it out of the pipe: a line left in the pipe when the reader
/// exits (`lx webhooks pull SUB | head -1`) is lost, so it must not be committed.
fn print_event(event: &WebhookEvent, cancel: &Cancel) -> Result<(), HandlerError> {
    let mut text = serde_json::to_vec(&event.raw).unwrap_or_default();
    text.push(b'\n');
    let mut out = std::io::stdout().lock();
    out.write_all(&text)
        .and_then(|()| out.flush())
        .map_err(|e| HandlerError::Output(write_error(e)))?;
    match wait_until_taken(cancel) {
        Taken::Yes => Ok(()),
        Taken::ReaderGone => Err(HandlerError::Output(write_error(
            std::io::ErrorKind::BrokenPipe.into(),
        ))),
        Taken::Stopped => Err(HandlerError::Stopped),
    }
}

/// What became of the bytes written to stdout.
enum Taken {
    /// The reader took them (or stdout is not a pipe, or the pipe cannot tell).
    Yes,
    /// The reader closed the pipe with them unread.
    ReaderGone,
    /// `cancel` fired while they were still in the pipe.
    Stopped,
}

/// The longest single wait between two looks at the pipe.
const TAKEN_POLL_MAX_MS: libc::c_int = 50;

/// Waits until stdout, if it is a pipe, holds no unread byte: the reader took the line. Linux
/// answers FIONREAD for either end of a pipe and signals POLLERR on the write end once no
/// reader is left; elsewhere, and for anything not a pipe, a written line counts as taken.
fn wait_until_taken(cancel: &Cancel) -> Taken {
    if !cfg!(target_os = "linux") {
        return Taken::Yes;
    }
    // SAFETY: fstat on descriptor 1 into a zeroed stat buffer we own.
    let is_pipe = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::fstat(1, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFIFO
    };
    if !is_pipe {
        return Taken::Yes;
    }
    let drained = || {
        let mut unread: libc::c_int = 0;
        // SAFETY: FIONREAD stores one int into `unread`.
        unsafe { libc::ioctl(1, libc::FIONREAD, &mut unread) != 0 || unread <= 0 }
    };
    let mut wait_ms: libc::c_int = 0;
    loop {
        if drained() {
            return Taken::Yes;
        }
        let mut pfd = libc::pollfd {
            fd: 1,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd. With no events asked for, only POLLERR (no reader left)
        // ends the wait early; a signal ends it with EINTR.
        let ready = unsafe { libc::poll(&mut pfd, 1, wait_ms) };
        if ready > 0 && pfd.revents & (libc::POLLERR | libc::POLLHUP) != 0 {
            // Gone; but it may have taken the line just before it left.
            return if drained() {
                Taken::Yes
            } else {
                Taken::ReaderGone
            };
        }
        if cancel.is_fired() {
            return Taken::Stopped;
        }
        if wait_ms == 0 {
            // The reader usually runs at once: yield first, then wait longer and longer.
            std::thread::yield_now();
        }
        wait_ms = (wait_ms * 2).clamp(1, TAKEN_POLL_MAX_MS);
    }
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
            "the command {} on the event at offset {}",
            describe_exit(status),
            event.offset
        )))
    }
}

/// How a handler ended, in words: `exited with 3`, `was killed by signal 9 (SIGKILL)`.
fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with {code}"),
        (None, Some(signal)) => format!(
            "was killed by signal {signal}{}",
            crate::interrupt::signal_name(signal)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        _ => format!("ended with {status}"),
    }
}

fn pull(opts: &GlobalOpts, args: &WebhooksPullArgs) -> CliResult {
    // A signal stops the consumer between events; what it handled is still committed.
    crate::interrupt::stop_gracefully();
    let cancel = crate::interrupt::cancel();
    let session = Session::open(opts, opts.sandbox)?;
    let consumer = session
        .client
        .webhooks()
        .cancel_on(cancel)
        .consumer(&args.subscription)
        .follow(args.follow);
    let result = consumer.for_each_event(|event| match &args.exec {
        None => print_event(event, cancel),
        Some(command) => exec_event(command, event),
    });
    let summary = |done: &leanix::Consumed| {
        format!(
            "{} event(s) handled; cursor {}",
            done.events,
            done.committed
                .map_or_else(|| "unchanged".to_owned(), |c| format!("at {c}")),
        )
    };
    match result {
        Ok(done) => {
            verbose(&format!(
                "{}{}",
                summary(&done),
                if done.cancelled { "; stopped" } else { "" }
            ));
            stopped(args, done.cancelled, &summary(&done))
        }
        Err(ConsumeError::Handler {
            error: HandlerError::Stopped,
            consumed,
            ..
        }) => stopped(args, true, &summary(&consumed)),
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

/// The end of a pull that a signal stopped: with `--follow` that is the way to end it (exit
/// 0); without, the pull was cut short (exit 130/143 from `main`).
fn stopped(args: &WebhooksPullArgs, cancelled: bool, summary: &str) -> CliResult {
    if !cancelled || args.follow {
        return Ok(());
    }
    Err(CliError::new(Exit::Other, format!("stopped: {summary}")))
}
