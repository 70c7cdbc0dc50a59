//! `lx completions bash|zsh|fish` and `lx man` come from the clap definitions: every flag that
//! the help of any command shows, nested ones included (`lx ldif config put --help`), appears
//! in each completion script and in lx.1, and each command has its section in lx.1.
//! cli/README.md is held to the help too: every flag of every command, the exit-code table,
//! and the defaults it quotes from core's policy.

mod common;

use common::*;

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

#[test]
fn completions_know_every_flag_of_the_help() {
    let flags = every_flag_of_every_command();
    for shell in ["bash", "zsh", "fish"] {
        let run = Lx::bare(&["completions", shell]).run().ok();
        assert!(run.stderr.is_empty(), "{}", run.stderr);
        for (cmd, flag) in &flags {
            // clap_complete's fish script stops two commands deep (clap-rs/clap#5975): it
            // offers `lx ldif config put` but none of its flags. Its name is checked instead.
            let depth = cmd.split(' ').count() - 1;
            if shell == "fish" && depth > 2 {
                let name = cmd.rsplit(' ').next().unwrap();
                assert!(
                    run.stdout.contains(&format!("-a \"{name}\"")),
                    "the fish completions lack {cmd}"
                );
                continue;
            }
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
        // Fixed values are offered, in each shell's value-list syntax (fish stops two commands
        // deep, so only `webhooks create` has its values there).
        let lists: &[&str] = match shell {
            "bash" => &[
                "compgen -W \"inbound outbound\"",
                "compgen -W \"partial full\"",
                "compgen -W \"DEFAULT WRAPPED_EVENT\"",
            ],
            "zsh" => &[
                ":(inbound outbound)",
                ":(partial full)",
                ":(DEFAULT WRAPPED_EVENT)",
            ],
            _ => &["-a \"DEFAULT\\t''"],
        };
        for list in lists {
            assert!(run.stdout.contains(list), "{shell} does not offer {list}");
        }
        // The hidden `lx man` (for make install) is not offered.
        let hidden = match shell {
            "bash" => "lx__subcmd__man",
            "fish" => "-a \"man\"",
            _ => "'man:",
        };
        assert!(!run.stdout.contains(hidden), "{shell} offers lx man");
    }
    Lx::bare(&["completions", "tcsh"])
        .run()
        .expect_stderr(2, "tcsh");
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
    let flags = every_flag_of_every_command();
    let mut commands: Vec<&str> = flags.iter().map(|(cmd, _)| cmd.as_str()).collect();
    commands.dedup();
    for (cmd, flag) in &flags {
        // A flag of a command is in that command's own section (or, for a global one, in
        // the OPTIONS of lx).
        let own = section_of(&text, cmd).unwrap_or_else(|| panic!("lx.1 has no section for {cmd}"));
        assert!(
            own.contains(flag.as_str()) || section_of(&text, "lx").unwrap().contains(flag.as_str()),
            "lx.1 lacks {flag} of {cmd}"
        );
    }
    // One section a command, each listed in the help of its parent, at every depth.
    let sections: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix(".SS \"")?.strip_suffix('"'))
        .collect();
    let mut expected: Vec<&str> = commands.iter().copied().filter(|c| *c != "lx").collect();
    let mut found = sections.clone();
    expected.sort_unstable();
    found.sort_unstable();
    assert_eq!(found, expected, "the sections of lx.1");
    for nested in ["lx webhooks pull", "lx ldif config put", "lx ldif run"] {
        assert!(
            sections.contains(&nested),
            "lx.1 has no section for {nested}"
        );
    }
    assert!(!text.contains(".SS \"lx man\""), "lx man is hidden");
    // The about text of a nested command is in its section.
    assert_contains(
        section_of(&text, "lx ldif run").unwrap(),
        "wait for its end and print its result",
    );

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

/// The part of a man page that documents `cmd`: the `.SS "cmd"` subsection up to the next
/// heading, or for `lx` itself everything before COMMANDS (its synopsis and global options).
fn section_of<'a>(page: &'a str, cmd: &str) -> Option<&'a str> {
    if cmd == "lx" {
        return page.split("\n.SH COMMANDS\n").next();
    }
    let start = page.find(&format!("\n.SS \"{cmd}\"\n"))? + 1;
    let body = &page[start..];
    let end = ["\n.SS ", "\n.SH "]
        .iter()
        .filter_map(|h| body.find(h))
        .min()
        .map_or(body.len(), |i| i + 1);
    Some(&body[..end])
}

/// The visible subcommands listed under "Commands:" of a help text.
fn commands_of(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect()
}

/// Every long flag of `lx --help` and of the help of every command, nested ones included
/// (`lx ldif run`, `lx webhooks create`), with where it was seen.
fn every_flag_of_every_command() -> Vec<(String, String)> {
    let mut flags = Vec::new();
    let mut pending = vec![Vec::<String>::new()];
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = Lx::bare(&args).run().ok().stdout;
        let name = std::iter::once("lx")
            .chain(path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        flags.extend(long_flags(&help).into_iter().map(|f| (name.clone(), f)));
        for sub in commands_of(&help) {
            let mut next = path.clone();
            next.push(sub);
            pending.push(next);
        }
    }
    for (cmd, expected) in [
        ("lx", "--insecure-loopback"),
        ("lx get", "--paginate"),
        ("lx graphql", "--all"),
        ("lx get", "--merge"),
        ("lx token", "--claims"),
        ("lx webhooks create", "--payload-mode"),
        ("lx webhooks create", "--tag-set"),
        ("lx webhooks pull", "--exec"),
    ] {
        assert!(
            flags.iter().any(|(c, f)| c == cmd && f == expected),
            "{expected} of {cmd} not found in the help (nested commands not walked?)"
        );
    }
    flags
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// Whether `text` holds `flag` as a whole word (`--all` is not found in `--allow`).
fn mentions(text: &str, flag: &str) -> bool {
    text.match_indices(flag).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + flag.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

#[test]
fn the_readme_documents_every_flag_of_every_help() {
    let readme = readme();
    let mut missing: Vec<String> = every_flag_of_every_command()
        .into_iter()
        .filter(|(_, flag)| flag != "--help")
        .filter(|(_, flag)| !mentions(&readme, flag))
        .map(|(cmd, flag)| format!("{flag} ({cmd})"))
        .collect();
    // A global flag shows in every help: name it once, with the first command seen.
    let mut seen = std::collections::HashSet::new();
    missing.retain(|m| seen.insert(m.split(' ').next().unwrap().to_owned()));
    assert!(
        missing.is_empty(),
        "cli/README.md does not mention: {missing:?}"
    );
}

/// `(code, meaning)` rows of the exit-code table at the end of `lx --help`; a continuation
/// line (indented further) joins the row above.
fn help_exit_codes() -> Vec<(u32, String)> {
    let help = Lx::bare(&["--help"]).run().ok().stdout;
    let mut rows: Vec<(u32, String)> = Vec::new();
    for line in help
        .lines()
        .skip_while(|l| !l.starts_with("Exit codes:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
    {
        let trimmed = line.trim_start();
        let code = trimmed
            .split_whitespace()
            .next()
            .and_then(|w| w.parse().ok());
        match (code, rows.last_mut()) {
            (Some(code), _) if line.starts_with("  ") && !line.starts_with("     ") => {
                let meaning = trimmed.split_once(' ').map_or("", |(_, m)| m).trim();
                rows.push((code, meaning.to_owned()));
            }
            (_, Some(last)) => {
                last.1.push(' ');
                last.1.push_str(trimmed);
            }
            _ => panic!("unexpected line in the exit codes of lx --help: {line}"),
        }
    }
    assert!(rows.len() >= 8, "{help}");
    rows
}

/// `(code, meaning)` rows of the table under "## Exit codes" in cli/README.md.
fn readme_exit_codes() -> Vec<(u32, String)> {
    let readme = readme();
    let section = readme
        .split("\n## Exit codes\n")
        .nth(1)
        .expect("an Exit codes section")
        .split("\n## ")
        .next()
        .unwrap();
    section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").collect();
            match cells.as_slice() {
                [code, meaning] => Some((code.trim().parse().ok()?, meaning.trim().to_owned())),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn the_readme_exit_codes_agree_with_the_help() {
    let help = help_exit_codes();
    let readme = readme_exit_codes();
    let codes = |rows: &[(u32, String)]| rows.iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(
        codes(&readme),
        codes(&help),
        "the same codes, in the same order"
    );
    for ((code, in_help), (_, in_readme)) in help.iter().zip(&readme) {
        // The same words first ("usage or configuration error", "invalid response", ...).
        let head = in_help.split(['(', ';']).next().unwrap().trim();
        assert!(
            in_readme.to_lowercase().starts_with(&head.to_lowercase()),
            "exit {code}: the README says {in_readme:?}, lx --help {in_help:?}"
        );
        // Every flag the help names, the README names too.
        for flag in in_help
            .split(|c: char| c.is_whitespace() || c == ')' || c == ',')
            .filter(|w| w.starts_with("--"))
        {
            assert!(
                in_readme.contains(flag),
                "exit {code}: the README does not mention {flag}: {in_readme:?}"
            );
        }
    }
}

#[test]
fn the_readme_states_core_defaults() {
    let readme = readme();
    let policy_facts = [
        format!(
            "`--timeout SECS` | deadline of each whole call (default {} s)",
            leanix::policy::DEFAULT_REQUEST_TIMEOUT.as_secs()
        ),
        format!(
            "(default {} MiB)",
            leanix::policy::DEFAULT_MAX_RESPONSE_BYTES / 1024 / 1024
        ),
        format!(
            "(exit 3) (default {} s)",
            leanix::policy::DEFAULT_REAUTH_INTERVAL.as_secs()
        ),
        format!(
            "`lx ldif warnings` fetch (default {} pages)",
            leanix::policy::DEFAULT_MAX_PAGES
        ),
        format!(
            "`--max-pages N` pages (default {} pages; config `max_pages`)",
            leanix::policy::DEFAULT_MAX_PAGES
        ),
        format!(
            "an API token file is read up to {} KiB, a CA file up to {} MiB",
            leanix::policy::MAX_API_TOKEN_FILE_BYTES / 1024,
            leanix::policy::MAX_CA_FILE_BYTES / 1024 / 1024
        ),
    ];
    for fact in policy_facts {
        assert!(readme.contains(&fact), "cli/README.md lacks {fact:?}");
    }
}

/// The number that ends `text` once `unit` (and spaces, commas) are trimmed off, e.g. `0.5`
/// of "backoff (0.5 s," with the unit " s".
fn number_before(text: &str, unit: &str) -> Option<f64> {
    let text = text.trim_end_matches([' ', ',']);
    let text = text.strip_suffix(unit).unwrap_or(text);
    let start = text
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    text[start..].parse().ok()
}

/// The number that starts `text`, e.g. `10` of "10 s) until".
fn number_after(text: &str) -> Option<f64> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

/// A file's prose as one line: each line without its indentation and comment marker (`///`,
/// `//`, `*`, `#`), so that a quote broken over two lines reads whole.
fn prose(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_start().trim_start_matches(['/', '*', '#']).trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The READMEs, the binding sources and the CLI's help quote the LDIF poll backoff, the webhook
/// wait backoff ("N s doubling to M s") and the LDIF run deadline ("default N min") in prose;
/// every such quote is one of core's policy values, so a change of the policy fails here until
/// the prose follows.
#[test]
fn every_document_quotes_the_ldif_and_webhook_defaults_of_the_policy() {
    use leanix::policy as p;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = [
        "README.md",
        "cli/README.md",
        "cli/src/args.rs",
        "bindings-examples/python/README.md",
        "bindings-examples/python/src/leanix/_integration.py",
        "bindings-examples/python/src/leanix/_webhooks.py",
        "bindings-examples/java/README.md",
        "bindings-examples/java/leanix-api/src/main/java/org/libleanix/Integration.java",
        "bindings-examples/java/leanix-api/src/main/java/org/libleanix/WebhookEvents.java",
    ];
    let backoffs = [
        (p::LDIF_POLL_INITIAL, p::LDIF_POLL_MAX),
        (p::DEFAULT_WEBHOOK_IDLE_MIN, p::DEFAULT_WEBHOOK_IDLE_MAX),
    ]
    .map(|(a, b)| (a.as_secs_f64(), b.as_secs_f64()));
    let deadline_min = p::DEFAULT_LDIF_RUN_TIMEOUT.as_secs_f64() / 60.0;
    let (mut backoff_quotes, mut deadline_quotes) = (0, 0);
    for file in files {
        let text = prose(&std::fs::read_to_string(root.join(file)).unwrap());
        let quote = |i: usize| {
            let start = text[..i].char_indices().rev().nth(40).map_or(0, |(j, _)| j);
            let near: String = text[start..].chars().take(90).collect();
            format!("{file}: \"…{near}…\"")
        };
        for (i, _) in text.match_indices("doubling to ") {
            let pair = (
                number_before(&text[..i], " s"),
                number_after(&text[i + "doubling to ".len()..]),
            );
            let pair = (
                pair.0.unwrap_or_else(|| panic!("{}", quote(i))),
                pair.1.unwrap_or_else(|| panic!("{}", quote(i))),
            );
            assert!(
                backoffs.contains(&pair),
                "{}: {pair:?} is not a policy backoff",
                quote(i)
            );
            backoff_quotes += 1;
        }
        // "(default 30 min)", "(null: 30 minutes)", "the default (30 minutes": a number of
        // minutes within a few words after "default" or "null".
        for word in ["default", "null"] {
            for (i, _) in text.match_indices(word) {
                let near: String = text[i..].chars().take(30).collect();
                let Some(j) = near.find(" min") else { continue };
                let after = &near[j + " min".len()..];
                if !after.starts_with("utes") && after.starts_with(char::is_alphanumeric) {
                    continue;
                }
                let number =
                    number_before(&near[..j], "").unwrap_or_else(|| panic!("{}", quote(i)));
                assert_eq!(number, deadline_min, "{}", quote(i));
                deadline_quotes += 1;
            }
        }
    }
    // The scan found what it checks (the files quote each at least this often today).
    assert!(backoff_quotes >= 8, "{backoff_quotes} backoff quotes");
    assert!(deadline_quotes >= 12, "{deadline_quotes} deadline quotes");
}
