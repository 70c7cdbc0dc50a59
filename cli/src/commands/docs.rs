//! `lx completions SHELL` and the hidden `lx man`: shell completions and the manual page,
//! generated from the same clap definitions that parse the command line, so they cannot drift
//! from the flags.

use std::io::{self, Write};
use std::path::Path;

use clap::{Command, CommandFactory};
use clap_complete::Shell;
use clap_mangen::Man;

use crate::args::Cli;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::write_error;

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell) -> CliResult {
    // Generated in memory first: clap_complete panics on a failed write (lx ... | head).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut completion_command(), "lx", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// The command line as completions offer it: `lx` without its hidden subcommands (`lx man`),
/// which clap_complete would list like the others. Only the top level has hidden ones.
fn completion_command() -> Command {
    let full = Cli::command();
    Command::new("lx")
        .version(env!("CARGO_PKG_VERSION"))
        .about(full.get_about().cloned().unwrap_or_default())
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
}

/// Prints the manual page `lx.1` (roff), or writes it to `out_dir/lx.1`.
pub fn man(out_dir: Option<&Path>) -> CliResult {
    let page =
        man_page().map_err(|e| CliError::new(Exit::Other, format!("cannot render lx.1: {e}")))?;
    match out_dir {
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&page)
                .and_then(|()| out.flush())
                .map_err(write_error)
        }
        Some(dir) => {
            let path = dir.join("lx.1");
            std::fs::write(&path, &page)
                .map_err(|e| CliError::usage(format!("cannot write {}: {e}", path.display())))
        }
    }
}

/// One page for the whole tool: the global options, then a COMMANDS section with a
/// subsection for each visible command at every depth (`lx ldif`, `lx ldif config`,
/// `lx ldif config put`), each with its synopsis, description and own options.
pub fn man_page() -> io::Result<Vec<u8>> {
    let cmd = Cli::command();
    let mut page = Vec::new();
    let main = Man::new(cmd.clone());
    main.render_title(&mut page)?;
    main.render_name_section(&mut page)?;
    main.render_synopsis_section(&mut page)?;
    main.render_description_section(&mut page)?;
    main.render_options_section(&mut page)?;
    page.extend_from_slice(b".SH COMMANDS\n");
    render_subcommands(&mut page, &cmd, "lx")?;
    main.render_extra_section(&mut page)?;
    main.render_version_section(&mut page)?;
    Ok(page)
}

/// The subsections of the visible subcommands of `parent` (spelled `parent_name` on the
/// command line), each followed by those of its own subcommands, depth first.
fn render_subcommands(page: &mut Vec<u8>, parent: &Command, parent_name: &str) -> io::Result<()> {
    for sub in parent.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{parent_name} {}", sub.get_name());
        let sub_man = Man::new(sub.clone().bin_name(&name));
        writeln!(page, ".SS \"{name}\"")?;
        let mut synopsis = Vec::new();
        sub_man.render_synopsis_section(&mut synopsis)?;
        page.extend_from_slice(strip_heading(&synopsis));
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            writeln!(page, ".PP\n{}", escape(&about.to_string()))?;
        }
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            let mut options = Vec::new();
            sub_man.render_options_section(&mut options)?;
            page.extend_from_slice(strip_heading(&options));
        }
        let nested: Vec<&str> = sub
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(Command::get_name)
            .collect();
        if !nested.is_empty() {
            let list = nested
                .iter()
                .map(|n| format!("\\fB{name} {n}\\fR"))
                .collect::<Vec<_>>()
                .join(", ");
            // Command names are plain words: nothing in them needs escaping.
            writeln!(page, ".PP\nSubcommands: {list}; each is described below.")?;
        }
        render_subcommands(page, sub, &name)?;
    }
    Ok(())
}

/// A rendered section without its preamble and `.SH` line (it goes under a `.SS` of
/// COMMANDS instead).
fn strip_heading(section: &[u8]) -> &[u8] {
    let mut rest = section;
    while let Some(end) = rest.iter().position(|b| *b == b'\n') {
        let (line, after) = (&rest[..end], &rest[end + 1..]);
        rest = after;
        if line.starts_with(b".SH") {
            return rest;
        }
    }
    section
}

/// Text as roff: backslashes escaped, a line starting with `.` or `'` kept from being a
/// request, and a blank line between paragraphs made a `.PP`.
fn escape(text: &str) -> String {
    text.replace('\\', "\\e")
        .lines()
        .map(|line| match line.chars().next() {
            None => ".PP".to_owned(),
            Some('.' | '\'') => format!("\\&{line}"),
            Some(_) => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_offer_every_visible_subcommand_and_no_hidden_one() {
        let full = Cli::command();
        let offered = completion_command();
        let names = |c: &Command| {
            c.get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&offered), names(&full));
        assert!(full.get_subcommands().any(|s| s.get_name() == "man"));
        assert!(offered.get_subcommands().all(|s| s.get_name() != "man"));
        assert_eq!(
            offered.get_arguments().count(),
            full.get_arguments().count()
        );
    }

    #[test]
    fn section_headings_are_stripped() {
        assert_eq!(strip_heading(b".SH OPTIONS\n.TP\nx\n"), b".TP\nx\n");
        assert_eq!(strip_heading(b".ie a\n.el b\n.SH X\n.TP\n"), b".TP\n");
        assert_eq!(strip_heading(b".TP\n"), b".TP\n");
        assert_eq!(escape(".x\\y"), "\\&.x\\ey");
        assert_eq!(escape("a\n\n'b\nc"), "a\n.PP\n\\&'b\nc");
    }
}
