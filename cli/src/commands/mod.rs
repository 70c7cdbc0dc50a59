//! One module per subcommand.

mod config;
mod demo;
mod docs;
mod graphql;
mod http;
mod ldif;
mod token;
mod webhooks;

use crate::args::{Cli, Command};
use crate::exit::CliResult;
use crate::output::Output;

/// Runs the subcommand of a parsed command line.
pub fn run(cli: &Cli) -> CliResult {
    let g = &cli.global;
    let output = Output::new(g.pretty, g.compact, g.include);
    match &cli.command {
        Command::Token(args) if args.forget => token::forget(g),
        Command::Token(args) => token::run(g, args.claims, args.json),
        Command::Whoami(args) => token::run(g, true, args.json),
        Command::Get(args) => http::get(g, output, args),
        Command::Request(args) => http::request(g, output, args),
        Command::Graphql(args) => graphql::run(g, output, args),
        Command::Demo(args) => demo::run(g, args),
        Command::Config(args) => config::run(g, args),
        Command::Completions(args) => docs::completions(args.shell),
        Command::Man(args) => docs::man(args.out_dir.as_deref()),
        Command::Ldif(args) => ldif::run(g, output, args),
        Command::Webhooks(command) => webhooks::run(g, output, command),
    }
}
