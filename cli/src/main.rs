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
    match output::check_stdout_open().and_then(|()| commands::run(&cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.exit != Exit::Ok {
                eprintln!("lx: {}", e.message);
            }
            ExitCode::from(e.exit.code())
        }
    }
}

/// Help and version go to stdout with success; parse errors become one `lx:` line (exit 2).
fn usage_error(e: clap::Error) -> ExitCode {
    match e.kind() {
        ClapErrorKind::DisplayHelp
        | ClapErrorKind::DisplayVersion
        | ClapErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == ClapErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(Exit::Usage.code())
            } else {
                ExitCode::SUCCESS
            }
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
