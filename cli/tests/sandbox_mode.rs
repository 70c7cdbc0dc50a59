//! `--sandbox` and `lx demo`: everything works with no account and no configuration.

mod common;

use common::*;

#[test]
fn sandbox_flag_needs_no_configuration() {
    let run = Lx::bare(&["--sandbox", "whoami"]).run().ok();
    assert_contains(&run.stdout, "workspace");
    assert_contains(&run.stdout, "expires");
    let run = Lx::bare(&[
        "get",
        "/services/pathfinder/v1/factSheets?pageSize=2",
        "--sandbox",
    ])
    .run()
    .ok();
    assert_eq!(run.json()["data"].as_array().unwrap().len(), 2);
    let run = Lx::bare(&["--sandbox", "graphql", "{ allFactSheets { totalCount } }"])
        .run()
        .ok();
    assert!(run.json()["allFactSheets"]["totalCount"].as_u64().unwrap() > 0);
    // The token itself, for scripts that want one to play with.
    let run = Lx::bare(&["--sandbox", "token"])
        .token_on_stdout()
        .run()
        .ok();
    assert_eq!(run.stdout.trim().split('.').count(), 3);
}

#[test]
fn sandbox_flag_refuses_a_host_of_its_own() {
    Lx::bare(&["--sandbox", "--host", "acme.leanix.net", "whoami"])
        .run()
        .expect_stderr(2, "--sandbox");
}

#[test]
fn demo_without_credentials_runs_on_the_sandbox_with_one_exchange() {
    let run = Lx::bare(&["demo"]).run().ok();
    let out = &run.stdout;
    assert!(out.contains("embedded LeanIX sandbox"), "{out}");
    for step in [
        "1. exchange",
        "2. claims",
        "3. REST",
        "4. GraphQL",
        "5. cache",
        "6. writes",
        "7. LDIF",
    ] {
        assert!(out.contains(step), "{step}: {out}");
    }
    assert!(
        out.contains("archived it (rev 3)") && out.contains("; 3 writes counted by the sandbox"),
        "{out}"
    );
    assert!(
        out.contains(" FINISHED after ")
            && out.contains(
                ": 1 of 2 items processed, 1 warning(s), 0 fact sheets changed (a test run)"
            ),
        "{out}"
    );
    assert!(out.contains("200 GET calls"), "{out}");
    assert!(
        out.contains(": 1 token exchange in total (counted by the sandbox)"),
        "{out}"
    );
    assert!(out.contains("fact sheets by type"), "{out}");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(out.lines().count() <= 10, "a few readable lines: {out}");
}

#[test]
fn demo_with_host_and_token_runs_read_only_against_them() {
    let run = lx(&["demo", "--calls", "30"]).run().ok();
    let out = &run.stdout;
    assert!(out.contains("read-only"), "{out}");
    assert!(
        !out.contains("6. writes") && !out.contains("7. LDIF"),
        "{out}"
    );
    assert!(
        out.contains(&url().trim_end_matches('/').to_string()),
        "{out}"
    );
    assert!(out.contains("30 GET calls"), "{out}");
    assert!(
        out.contains(": 1 token exchange in total (counted by this client)"),
        "{out}"
    );
}
