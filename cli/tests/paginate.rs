//! `lx get --paginate [--merge]` against the sandbox's REST list: every fact sheet exactly
//! once (compared with the sandbox's own count and the API's `total`), exact request counts,
//! and a failure mid-walk is a non-zero exit without a merged result.

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
        sb.inject(
            Endpoint::FactSheets,
            Fault::Status {
                status: 403,
                retry_after: None,
            },
            1,
        );
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
    let run = lx(&["get", "--merge", FACT_SHEETS]).run().expect(2);
    assert_contains(&run.stderr, "--paginate");
    let run = lx(&["-i", "get", "--paginate", FACT_SHEETS])
        .run()
        .expect(2);
    assert_contains(&run.stderr, "--include");
}
