//! `lx get --paginate [--merge]` against the sandbox's REST list: every fact sheet exactly
//! once (compared with the sandbox's own count and the API's `total`), exact request counts,
//! and a failure mid-walk is a non-zero exit without a merged result. `lx graphql --all`
//! without `pageInfo` (in the query or in the server's page) fails instead of printing a
//! partial result, and `--max-pages` (or `max_pages` in the config file) caps both walks.

mod common;

use std::collections::HashSet;

use common::*;
use leanix_sandbox::{Endpoint, Fault, Sandbox};
use serde_json::Value;

const FACT_SHEETS: &str = "/services/pathfinder/v1/factSheets";

fn ids<'a>(items: impl IntoIterator<Item = &'a Value>) -> Vec<String> {
    items
        .into_iter()
        .map(|fs| fs["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[test]
fn paginate_prints_one_document_per_page_with_every_fact_sheet_once() {
    let sb = Sandbox::start().unwrap();
    let total = sb.fact_sheet_count();
    let path = format!("{FACT_SHEETS}?pageSize=400");
    let run = lx_on(&sb, &["get", "--paginate", &path]).run().ok();
    // Not a terminal: compact, one document a line.
    let pages: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one page's JSON"))
        .collect();
    assert_eq!(pages.len(), total.div_ceil(400));
    assert!(pages.iter().all(|p| p["status"] == "OK"));
    assert_eq!(pages.last().unwrap()["cursor"], Value::Null);
    assert_eq!(pages[0]["total"].as_u64(), Some(total as u64));
    let seen = ids(pages.iter().flat_map(|p| p["data"].as_array().unwrap()));
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (total, total));
    assert_eq!(
        sb.stats().requests(Endpoint::FactSheets, 200),
        pages.len() as u64
    );
    assert_eq!(sb.stats().token_exchanges, 1);
}

#[test]
fn merge_prints_one_array_of_every_fact_sheet_once() {
    let sb = Sandbox::start().unwrap();
    let total = sb.fact_sheet_count();
    let path = format!("{FACT_SHEETS}?pageSize=1000");
    let run = lx_on(&sb, &["get", "--paginate", "--merge", &path])
        .run()
        .ok();
    let items = run.json();
    let seen = ids(items.as_array().expect("one array"));
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (total, total));
    assert_eq!(
        sb.stats().total(Endpoint::FactSheets),
        total.div_ceil(1000) as u64
    );
    // The same ids as the REST API's own `total` says, and in list order.
    let one = lx_on(&sb, &["get", &format!("{FACT_SHEETS}?pageSize=3")])
        .run()
        .ok()
        .json();
    assert_eq!(one["total"].as_u64(), Some(total as u64));
    assert_eq!(ids(one["data"].as_array().unwrap()), seen[..3]);
}

#[test]
fn a_failure_mid_walk_is_a_non_zero_exit_and_no_merged_result() {
    let sb = Sandbox::builder().fact_sheets(120).start().unwrap();
    let path = format!("{FACT_SHEETS}?pageSize=10");
    // Two pages pass (cursor_cycle answers them normally, with cursors of its own), the third
    // is refused.
    let mid_walk = |sb: &Sandbox| {
        sb.reset();
        sb.inject(Endpoint::FactSheets, Fault::CursorCycle, 2);
        sb.inject(Endpoint::FactSheets, Fault::status(403), 1);
    };

    mid_walk(&sb);
    let run = lx_on(&sb, &["get", "--paginate", "--merge", &path])
        .run()
        .expect(4);
    assert_eq!(run.stdout, "", "nothing of a failed merge is printed");
    assert_contains(&run.stderr, "403");
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 3);

    mid_walk(&sb);
    let run = lx_on(&sb, &["get", "--paginate", &path]).run().expect(4);
    assert_eq!(
        run.stdout.lines().count(),
        2,
        "the pages before the failure"
    );
    assert_contains(&run.stderr, "failed after 2 page(s)");

    // A server going round in circles: exit 6 (invalid response), nothing merged.
    sb.reset();
    sb.inject(Endpoint::FactSheets, Fault::CursorCycle, 100);
    let run = lx_on(&sb, &["get", "--paginate", "--merge", &path])
        .run()
        .expect(6);
    assert_eq!(run.stdout, "");
    assert_contains(&run.stderr, "round in circles");
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 3);
}

#[test]
fn merge_needs_paginate_and_include_does_not_apply() {
    lx(&["get", "--merge", FACT_SHEETS])
        .run()
        .expect_stderr(2, "--paginate");
    lx(&["-i", "get", "--paginate", FACT_SHEETS])
        .run()
        .expect_stderr(2, "--include");
}

#[test]
fn graphql_all_without_page_info_fails_and_prints_nothing() {
    let sb = Sandbox::builder().fact_sheets(20).start().unwrap();
    // The query selects no pageInfo: refused before the first request (usage, exit 2), not
    // answered with the first page's edges.
    let query = "query($after: String) { allFactSheets(first: 5, after: $after) { edges { node { id } } } }";
    let unpaged =
        "lx: the GraphQL query does not select pageInfo { hasNextPage endCursor } on its connection";
    lx_on(&sb, &["graphql", "--all", query])
        .run()
        .fails(2, unpaged);
    assert_eq!(sb.stats().total(Endpoint::GraphQl), 0, "nothing was sent");

    // The query is right but the server's page has no pageInfo: an invalid response (exit 6)
    // after that one request, and still nothing printed.
    sb.inject(
        Endpoint::GraphQl,
        Fault::Respond {
            status: 200,
            content_type: "application/json".into(),
            body: r#"{"data":{"allFactSheets":{"edges":[{"node":{"id":"a"}}]}}}"#.into(),
        },
        1,
    );
    lx_on(&sb, &["graphql", "--all", PAGED_QUERY]).run().fails(
        6,
        "lx: GraphQL page 1 has no connection with pageInfo in its data",
    );
    assert_eq!(sb.stats().total(Endpoint::GraphQl), 1);
}

#[test]
fn max_pages_caps_graphql_all_with_exit_6_after_exactly_that_many_requests() {
    // 20 fact sheets, 2 a page: 10 pages.
    let sb = Sandbox::builder().fact_sheets(20).start().unwrap();
    lx_on(&sb, &["--max-pages", "3", "graphql", "--all", PAGED_QUERY])
        .run()
        .fails(6, "lx: GraphQL paging has more than 3 pages (max_pages)");
    assert_eq!(sb.stats().requests(Endpoint::GraphQl, 200), 3);

    // A cap of one page: that page is fetched, nothing more; the message says "page".
    sb.reset();
    lx_on(&sb, &["--max-pages", "1", "graphql", "--all", PAGED_QUERY])
        .run()
        .fails(6, "lx: GraphQL paging has more than 1 page (max_pages)");
    assert_eq!(sb.stats().requests(Endpoint::GraphQl, 200), 1);

    // A walk of exactly the cap passes: the cap counts pages, not next-page links.
    sb.reset();
    let v = lx_on(&sb, &["graphql", "--all", PAGED_QUERY, "--max-pages", "10"])
        .run()
        .ok()
        .json();
    assert_eq!(v["allFactSheets"]["edges"].as_array().unwrap().len(), 20);
    assert_eq!(sb.stats().requests(Endpoint::GraphQl, 200), 10);

    // The config file's max_pages, and the flag before it.
    sb.reset();
    let cmd = lx_on(&sb, &["graphql", "--all", PAGED_QUERY]);
    write_home_config(cmd.home(), "max_pages = 4\n");
    let run = cmd.run().expect(6);
    assert_eq!(
        run.stderr.trim_end(),
        "lx: GraphQL paging has more than 4 pages (max_pages)"
    );
    assert_eq!(sb.stats().requests(Endpoint::GraphQl, 200), 4);
    sb.reset();
    let cmd = lx_on(&sb, &["--max-pages", "10", "graphql", "--all", PAGED_QUERY]);
    write_home_config(cmd.home(), "max_pages = 4\n");
    cmd.run().ok();
    assert_eq!(sb.stats().requests(Endpoint::GraphQl, 200), 10);
}

#[test]
fn max_pages_caps_get_paginate_with_exit_6_after_exactly_that_many_requests() {
    // 20 fact sheets, 5 a page: 4 pages.
    let sb = Sandbox::builder().fact_sheets(20).start().unwrap();
    let path = format!("{FACT_SHEETS}?pageSize=5");
    lx_on(
        &sb,
        &["--max-pages", "2", "get", "--paginate", "--merge", &path],
    )
    .run()
    .fails(6, "lx: REST paging has more than 2 pages (max_pages)");
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 2);

    // Without --merge, the pages up to the cap are printed and said to be partial.
    sb.reset();
    let run = lx_on(&sb, &["--max-pages", "2", "get", "--paginate", &path])
        .run()
        .expect(6);
    assert_eq!(run.stdout.lines().count(), 2);
    assert_contains(&run.stderr, "failed after 2 page(s)");
    assert!(
        run.stderr
            .trim_end()
            .ends_with("lx: REST paging has more than 2 pages (max_pages)"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 2);

    sb.reset();
    let items = lx_on(
        &sb,
        &["--max-pages", "4", "get", "--paginate", "--merge", &path],
    )
    .run()
    .ok()
    .json();
    assert_eq!(items.as_array().unwrap().len(), 20);
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 4);
}

#[test]
fn a_page_cap_of_zero_or_garbage_is_a_usage_error_naming_it() {
    let sb = Sandbox::builder().fact_sheets(5).start().unwrap();
    for bad in ["0", "-3", "2.5", "many"] {
        let flag = format!("--max-pages={bad}");
        let run = lx_on(&sb, &[&flag, "graphql", "--all", PAGED_QUERY])
            .run()
            .expect_stderr(2, "--max-pages");
        assert_contains(
            &run.stderr,
            "is not a number of pages: give a whole number of at least 1",
        );
    }
    for (text, needle) in [
        ("max_pages = 0\n", "max_pages in the config file"),
        ("max_pages = \"ten\"\n", "max_pages"),
    ] {
        let cmd = lx_on(&sb, &["get", "--paginate", FACT_SHEETS]);
        write_home_config(cmd.home(), text);
        cmd.run().expect_stderr(2, needle);
    }
    assert_eq!(sb.stats().total(Endpoint::Any), 0, "nothing was sent");
}

#[test]
fn page_numbers_on_the_cursor_list_fail_with_exit_6_and_print_nothing() {
    // Pathfinder's list ignores page= and answers its first page with a cursor: counting
    // pages would print that page again and again.
    let sb = Sandbox::builder().fact_sheets(20).start().unwrap();
    let path = format!("{FACT_SHEETS}?page=1&pageSize=5");
    lx_on(&sb, &["get", "--paginate", "--merge", &path]).run().fails(
        6,
        "lx: REST page 1 (page=1) carries a cursor: this list pages by cursor and ignores page=; drop page= and size= from the path",
    );
    assert_eq!(sb.stats().total(Endpoint::FactSheets), 1);
}
