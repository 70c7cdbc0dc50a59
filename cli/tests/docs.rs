//! `lx completions bash|zsh|fish` and `lx man` come from the clap definitions: every flag that
//! `lx --help` and `lx COMMAND --help` show appears in each completion script and in lx.1.

mod common;

use common::*;

/// The visible subcommands, from the "Commands:" list of `lx --help`.
fn subcommands() -> Vec<String> {
    let help = Lx::bare(&["--help"]).run().ok().stdout;
    let names: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect();
    assert!(names.len() >= 8, "{help}");
    names
}

/// The long flags of a help text's option lines (`  -i, --include`, `      --pretty`).
fn long_flags(help: &str) -> Vec<String> {
    help.lines()
        .filter(|l| l.trim_start().starts_with('-'))
        .filter_map(|l| {
            l.split([' ', ',', '='])
                .find(|w| w.starts_with("--") && w.len() > 2)
                .map(str::to_owned)
        })
        .collect()
}

/// Every long flag of `lx --help` and of each `lx COMMAND --help`, with where it was seen.
fn every_flag() -> Vec<(String, String)> {
    let mut flags = Vec::new();
    let top = Lx::bare(&["--help"]).run().ok().stdout;
    flags.extend(long_flags(&top).into_iter().map(|f| ("lx".to_owned(), f)));
    for sub in subcommands() {
        let help = Lx::bare(&[&sub, "--help"]).run().ok().stdout;
        flags.extend(
            long_flags(&help)
                .into_iter()
                .map(|f| (format!("lx {sub}"), f)),
        );
    }
    for expected in [
        "--insecure-loopback",
        "--paginate",
        "--merge",
        "--claims",
        "--all",
    ] {
        assert!(
            flags.iter().any(|(_, f)| f == expected),
            "{expected} not found in the help"
        );
    }
    flags
}

#[test]
fn completions_know_every_flag_of_the_help() {
    let flags = every_flag();
    for shell in ["bash", "zsh", "fish"] {
        let run = Lx::bare(&["completions", shell]).run().ok();
        assert!(run.stderr.is_empty(), "{}", run.stderr);
        for (cmd, flag) in &flags {
            // fish names long options without their dashes: `-l paginate`.
            let spelled = match shell {
                "fish" => format!("-l {}", &flag[2..]),
                _ => flag.clone(),
            };
            assert!(
                run.stdout.contains(&spelled),
                "the {shell} completions lack {flag} of {cmd}"
            );
        }
        assert!(run.stdout.contains("paginate"));
    }
    let run = Lx::bare(&["completions", "tcsh"]).run().expect(2);
    assert!(run.stderr.contains("tcsh"), "{}", run.stderr);
}

#[test]
fn the_man_page_documents_every_flag_and_command_of_the_help() {
    let run = Lx::bare(&["man"]).run().ok();
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.starts_with(".TH"),
        "roff"
    );
    assert!(run.stdout.contains(".TH lx 1"), "title and section");
    // roff spells a hyphen \-.
    let text = run.stdout.replace("\\-", "-");
    for (cmd, flag) in every_flag() {
        assert!(text.contains(&flag), "lx.1 lacks {flag} of {cmd}");
    }
    for sub in subcommands() {
        assert!(
            text.contains(&format!(".SS \"lx {sub}\"")),
            "lx.1 has no section for lx {sub}"
        );
    }
    assert!(!text.contains(".SS \"lx man\""), "lx man is hidden");

    // --out-dir writes the same page as lx.1.
    let dir = tempfile::tempdir().unwrap();
    Lx::bare(&["man", "--out-dir", dir.path().to_str().unwrap()])
        .run()
        .ok();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("lx.1")).unwrap(),
        run.stdout
    );
}
