//! `lx graphql QUERY|@file|- [--variables JSON] [--all]`.

use serde_json::{Map, Value};

use crate::args::{GlobalOpts, GraphqlArgs};
use crate::exit::{CliError, CliResult};
use crate::input::{one_stdin, Input};
use crate::output::Output;
use crate::progress::Progress;
use crate::session::Session;

/// Runs the query and prints its `data`; with `--all`, walks every page first.
pub fn run(opts: &GlobalOpts, output: Output, args: &GraphqlArgs) -> CliResult {
    if output.include {
        return Err(CliError::usage(
            "--include does not apply to lx graphql (it prints the query's data); use lx -i request \
             POST /services/pathfinder/v1/graphql --data '{\"query\": ...}' to see the HTTP exchange",
        ));
    }
    let query_input = Input::parse(&args.query);
    let variables_input = args.variables.as_deref().map(Input::parse);
    one_stdin(&[
        ("the query -", query_input.is_stdin()),
        (
            "--variables -",
            variables_input.as_ref().is_some_and(Input::is_stdin),
        ),
        ("--api-token-stdin", opts.api_token_stdin),
    ])?;
    let query = query_input.read_text("the query")?;
    if query.trim().is_empty() {
        return Err(CliError::usage("the GraphQL query is empty"));
    }
    let variables = match &variables_input {
        Some(input) => Some(parse_variables(&input.read_text("--variables")?)?),
        None => None,
    };
    if args.all && !query.contains("$after") {
        return Err(CliError::usage(
            "--all needs a query that takes the cursor as $after and selects pageInfo { hasNextPage \
             endCursor }, e.g. query($after: String) { allFactSheets(first: 100, after: $after) { \
             pageInfo { hasNextPage endCursor } edges { node { id } } } }",
        ));
    }
    let session = Session::open(opts, opts.sandbox)?;
    let data = if args.all {
        walk_all(&session, &query, variables)?
    } else {
        session.client.graphql(&query, variables)?
    };
    output.json(&data)
}

fn parse_variables(text: &str) -> CliResult<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(CliError::usage("--variables must be a JSON object")),
        Err(e) => Err(CliError::usage(format!(
            "--variables is not valid JSON: {e}"
        ))),
    }
}

/// Walks every page and returns the first page's data with the edges of all pages and the last
/// page's `pageInfo`.
fn walk_all(session: &Session, query: &str, variables: Option<Value>) -> CliResult<Value> {
    let mut progress = Progress::stderr();
    let mut merged: Option<Value> = None;
    let mut edges: Vec<Value> = Vec::new();
    let mut last_page_info: Option<Value> = None;
    let mut pages = 0;
    for page in session.client.graphql_pages(query, variables) {
        let mut page = page?;
        pages += 1;
        let mut total = None;
        if let Some(connection) = find_connection_mut(&mut page) {
            if let Some(Value::Array(e)) = connection.get_mut("edges") {
                edges.append(e);
            }
            last_page_info = connection.get("pageInfo").cloned();
            total = connection.get("totalCount").and_then(Value::as_u64);
        }
        progress.update(pages, edges.len(), total);
        if merged.is_none() {
            merged = Some(page);
        }
    }
    progress.finish();
    let mut merged = merged.unwrap_or(Value::Null);
    if let Some(connection) = find_connection_mut(&mut merged) {
        connection.insert("edges".to_owned(), Value::Array(edges));
        if let Some(info) = last_page_info {
            connection.insert("pageInfo".to_owned(), info);
        }
    }
    crate::output::verbose(&format!("walked {pages} GraphQL page(s)"));
    Ok(merged)
}

/// The first object (depth-first) with a `pageInfo` object: the paged connection. Mirrors the
/// rule the core library uses to find the cursor.
fn find_connection_mut(v: &mut Value) -> Option<&mut Map<String, Value>> {
    match v {
        Value::Object(o) => {
            if o.get("pageInfo").is_some_and(Value::is_object) {
                return Some(o);
            }
            o.values_mut().find_map(find_connection_mut)
        }
        Value::Array(a) => a.iter_mut().find_map(find_connection_mut),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_paged_connection() {
        let mut v = json!({"a": {"x": 1}, "allFactSheets": {"pageInfo": {}, "edges": [1]}});
        let c = find_connection_mut(&mut v).unwrap();
        assert_eq!(c["edges"], json!([1]));
        assert!(find_connection_mut(&mut json!({"a": [1, 2]})).is_none());
    }

    #[test]
    fn variables_are_an_object() {
        assert!(parse_variables(r#"{"first": 2}"#).is_ok());
        assert!(parse_variables("[1]").is_err());
        assert!(parse_variables("{").is_err());
    }
}
