//! Arguments that may be given inline, as `@file`, or as `-` for standard input.

use std::io::Read;

use crate::exit::{CliError, CliResult};

/// Where an argument's text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The argument itself.
    Inline(String),
    /// `@path`: the contents of a file.
    File(String),
    /// `-`: standard input.
    Stdin,
}

impl Input {
    /// Classifies an argument: `-` is stdin, `@path` a file, anything else inline text.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else if let Some(path) = arg.strip_prefix('@') {
            Input::File(path.to_owned())
        } else {
            Input::Inline(arg.to_owned())
        }
    }

    /// True for `-`.
    pub fn is_stdin(&self) -> bool {
        matches!(self, Input::Stdin)
    }

    /// The bytes; `what` names the argument in error messages (`--data`).
    pub fn read(&self, what: &str) -> CliResult<Vec<u8>> {
        match self {
            Input::Inline(text) => Ok(text.clone().into_bytes()),
            Input::File(path) => std::fs::read(path)
                .map_err(|e| CliError::usage(format!("{what}: cannot read {path}: {e}"))),
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().read_to_end(&mut buf).map_err(|e| {
                    CliError::usage(format!("{what}: cannot read standard input: {e}"))
                })?;
                Ok(buf)
            }
        }
    }

    /// The text (UTF-8).
    pub fn read_text(&self, what: &str) -> CliResult<String> {
        String::from_utf8(self.read(what)?)
            .map_err(|_| CliError::usage(format!("{what}: the text is not UTF-8")))
    }
}

/// Refuses two arguments that both want standard input.
pub fn one_stdin(uses: &[(&str, bool)]) -> CliResult<()> {
    let users: Vec<&str> = uses.iter().filter(|(_, u)| *u).map(|(n, _)| *n).collect();
    if users.len() > 1 {
        return Err(CliError::usage(format!(
            "standard input can feed only one of {}",
            users.join(" and ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_arguments() {
        assert_eq!(Input::parse("-"), Input::Stdin);
        assert_eq!(Input::parse("@q.graphql"), Input::File("q.graphql".into()));
        assert_eq!(Input::parse("{\"a\":1}"), Input::Inline("{\"a\":1}".into()));
    }

    #[test]
    fn stdin_has_one_user() {
        assert!(one_stdin(&[("--data", true), ("--api-token-stdin", false)]).is_ok());
        assert!(one_stdin(&[("--data", true), ("--api-token-stdin", true)]).is_err());
    }
}
