//! `lx`: the LeanIX API from the command line.
//!
//! `lx token` prints an access token for scripts, `lx whoami` decodes its claims, `lx get`,
//! `lx request` and `lx graphql` make authenticated calls, and `lx --sandbox demo` shows the
//! whole flow against an embedded LeanIX emulator. See `cli/README.md` and `lx --help`.

mod args;
mod commands;
mod config;
mod exit;
mod input;
mod interrupt;
mod output;
mod progress;
mod session;

use std::process::ExitCode;

use clap::error::ErrorKind as ClapErrorKind;
use clap::Parser;

use crate::args::Cli;
use crate::exit::Exit;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if let Err(e) = args::refuse_token_arguments(&argv) {
        eprintln!("lx: {}", e.message);
        return ExitCode::from(e.exit.code());
    }
    let cli = match Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    output::set_verbose(cli.global.verbose);
    interrupt::install();
    let result = output::check_stdout_open().and_then(|()| commands::run(&cli));
    interrupt::release_clients();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if interrupt::received().is_some() => {
            // The command ended because the signal cancelled its call (or cut it short).
            let signal = interrupt::received().unwrap_or_default();
            eprintln!(
                "lx: interrupted by {}; the call in flight was cancelled",
                interrupt::name(signal)
            );
            ExitCode::from(interrupt::exit_code(signal))
        }
        Err(e) => {
            if e.exit != Exit::Ok {
                eprintln!("lx: {}", e.message);
            }
            ExitCode::from(e.exit.code())
        }
    }
}

/// Help and version go to stdout with success (exit 23 if stdout is closed or full, as for
/// every other output; a closed pipe, `lx --help | head`, stays quiet and 0); parse errors
/// become one `lx:` line (exit 2).
fn usage_error(e: clap::Error) -> ExitCode {
    match e.kind() {
        ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion => {
            if let Err(closed) = output::check_stdout_open() {
                eprintln!("lx: {}", closed.message);
                return ExitCode::from(closed.exit.code());
            }
            match e.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(write) => {
                    let failed = output::write_error(write);
                    if failed.exit != Exit::Ok {
                        eprintln!("lx: {}", failed.message);
                    }
                    ExitCode::from(failed.exit.code())
                }
            }
        }
        ClapErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(Exit::Usage.code())
        }
        _ => {
            let rendered = e.render().to_string();
            // The explanation: the first paragraph, joined into one line.
            let message = rendered
                .lines()
                .skip_while(|l| l.trim().is_empty())
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            let tip = rendered
                .lines()
                .find_map(|l| l.trim().strip_prefix("tip: "))
                .map(|t| format!("; {t}"))
                .unwrap_or_default();
            eprintln!("lx: {message}{tip} (see lx --help)");
            ExitCode::from(Exit::Usage.code())
        }
    }
}
